/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <poll.h>

#include "weft-reactor.h"

G_BEGIN_DECLS

/* One epoll instance, shared by the epoll backend and by the glib backend
 * (which puts all watches in one epoll fd polled by a single GSource, so a
 * main-loop iteration costs O(ready fds), not O(watched fds)). */

#define WEFT_EPOLL_SET_MAX_EVENTS 256

typedef struct {
  int epfd;
  WeftReactor *reactor;
  /* fds epoll refuses (EPERM: regular files, /dev/null) -> their interest.
   * Like poll() and select(), we report them always ready. NULL if none. */
  GHashTable *always_ready;
  /* weft_epoll_set_wait_glib()'s poll() array: the epoll fd, then GLib's. */
  struct pollfd *pfds;
  int pfds_alloc;
} WeftEpollSet;

gboolean weft_epoll_set_init (WeftEpollSet *set, WeftReactor *reactor, GError **error);
void weft_epoll_set_clear (WeftEpollSet *set);
gboolean weft_epoll_set_set_interest (WeftEpollSet *set,
                                      int fd,
                                      WeftIOCondition old_events,
                                      WeftIOCondition new_events,
                                      GError **error);
/* Returns the number of fds reported. */
int weft_epoll_set_wait (WeftEpollSet *set, gint64 timeout_us);
/* Waits in one poll() on GLib's @gfds and the epoll fd, then collects the
 * set's events without blocking; fills in @gfds' revents and returns how
 * many are ready. */
int weft_epoll_set_wait_glib (WeftEpollSet *set, GPollFD *gfds, int n_gfds, gint64 timeout_us);
/* TRUE when an fd of the set is always ready: waiting must not block. */
gboolean weft_epoll_set_has_always_ready (WeftEpollSet *set);

G_END_DECLS
