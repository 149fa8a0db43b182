/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "weft-reactor.h"

G_BEGIN_DECLS

/*
 * A backend answers one question: which of the fds the core registered are
 * ready, waiting at most T microseconds? The core owns the fd table, timers
 * and queues; a backend owns only its kernel object.
 */

typedef enum {
  /* The backend runs inside a GLib main loop instead of waiting itself:
   * the core calls run/stop/iterate and never wait. */
  WEFT_BACKEND_OWNS_LOOP = 1 << 0,
  /* Registrations live in the kernel (epoll): set_interest with equal old
   * and new events re-registers the fd, in case it was closed and reused. */
  WEFT_BACKEND_KERNEL_SET = 1 << 1,
} WeftBackendFlags;

typedef struct {
  const char *name;
  const char *description;
  WeftBackendFlags flags;

  /* NULL with @error set: the backend cannot run on this machine. */
  gpointer (*create) (WeftReactor *reactor, GError **error);
  void (*destroy) (gpointer state);

  /* Interest for @fd changes from @old_events to @new_events (READ/WRITE
   * bits only). NONE means the fd must not be waited on any more; that
   * removal must not fail even if the fd was closed already. */
  gboolean (*set_interest) (gpointer state,
                            int fd,
                            WeftIOCondition old_events,
                            WeftIOCondition new_events,
                            GError **error);

  /* Wait at most @timeout_us (-1: no limit, 0: do not block) and report
   * every ready fd, once, with weft_reactor_report_ready(). */
  void (*wait) (gpointer state, gint64 timeout_us);

  /* Optional. Waits as wait() does, and also on GLib's fds (@gfds, whose
   * revents it fills in), given afresh on each call: the core then never
   * registers GLib's fds with set_interest. For a kernel set (epoll), this
   * avoids re-registering every GLib fd on every iteration, which is needed
   * otherwise because GLib may close an fd and reuse its number between two
   * iterations. Returns how many of @gfds are ready. */
  int (*wait_glib) (gpointer state, GPollFD *gfds, int n_gfds, gint64 timeout_us);

  /* OWNS_LOOP backends only. */
  void (*run) (gpointer state);
  void (*stop) (gpointer state);
  gboolean (*iterate) (gpointer state, gboolean may_block);
} WeftBackendOps;

extern const WeftBackendOps weft_select_backend;
extern const WeftBackendOps weft_poll_backend;
extern const WeftBackendOps weft_epoll_backend;
extern const WeftBackendOps weft_glib_backend;

/* Called by backends from wait (or from their dispatch, for OWNS_LOOP). */
void weft_reactor_report_ready (WeftReactor *reactor, int fd, WeftIOCondition condition);
/* A registered fd is no longer open (POLLNVAL, EBADF): the core warns once
 * and stops waiting on it (weft-watch-invalid.c). */
void weft_reactor_report_invalid_fd (WeftReactor *reactor, int fd);

/* For OWNS_LOOP backends, which drive the core themselves. */
void weft_reactor_count_wakeup (WeftReactor *reactor);
/* A GLib main loop iterates the reactor's context (called from a GSource's
 * prepare): the reactor counts as driven from now on. */
void weft_reactor_set_loop_driven (WeftReactor *reactor);
gint64 weft_reactor_get_timeout (WeftReactor *reactor);
gboolean weft_reactor_dispatch (WeftReactor *reactor, guint max_timers);

G_END_DECLS
