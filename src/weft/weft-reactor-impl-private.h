/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

/* The reactor's instance and the records it keeps, shared by the files of
 * the reactor core (construction and run, delayed calls, watches, the GLib
 * host, the backend registry). */

#include "weft-backend-private.h"
#include "weft-reactor-private.h"
#include "weft-reactor.h"
#include "weft-timer-heap-private.h"

G_BEGIN_DECLS

typedef enum {
  CALL_IDLE,    /* created, not queued yet */
  CALL_TIMER,   /* in the timer heap */
  CALL_SOON,    /* in the soon queue */
  CALL_RUNNING, /* its callback is running */
  CALL_DONE,    /* ran or was cancelled */
} CallState;

struct _WeftDelayedCall {
  WeftTimerNode node; /* first: heap nodes are cast back to calls */
  int ref_count;
  CallState state;
  WeftReactor *reactor; /* not owned; NULL once the reactor is gone */
  WeftCallback callback;
  gpointer user_data;
  GDestroyNotify notify;
  GList link; /* in reactor->soon while CALL_SOON */
};

struct _WeftWatch {
  WeftReactor *reactor; /* not owned */
  int fd;
  int ref_count; /* the reactor's reference, plus one per queued ready event */
  WeftIOCondition events;
  gboolean removed;
  gboolean internal; /* the reactor's own wake-up fd: not counted, not user-visible */
  WeftWatchFunc callback;
  gpointer user_data;
  GDestroyNotify notify;
  char *name;          /* for messages about it: weft_watch_set_name() */
  gboolean fd_invalid; /* its fd was closed under it: reported once, no longer waited on */
};

/* What the core knows about one fd: the user's watch and, when hosting GLib,
 * the interest of GLib's sources in it. The backend sees their union. */
typedef struct {
  WeftWatch *watch;
  guint8 glib_events;  /* WeftIOCondition bits GLib asked for this iteration */
  guint8 glib_revents; /* what the wait reported for GLib */
  guint8 registered;   /* the union last given to the backend */
} FdEntry;

typedef struct {
  WeftWatch *watch;
  WeftIOCondition condition;
} ReadyEvent;

typedef struct {
  WeftCallback callback;
  gpointer user_data;
  GDestroyNotify notify;
} ThreadCall;

struct _WeftReactor {
  GObject parent_instance;

  const WeftBackendOps *ops;
  gpointer backend;
  WeftReactorFlags flags;
  GMainContext *context;

  gboolean running;
  gboolean stopping;
  gboolean stop_requested;
  GThread *owner; /* the thread that last ran the reactor */
  guint64 wakeups;
  /* The layer above that runs startup and shutdown events, if any. */
  const WeftReactorRunHooks *run_hooks;
  gpointer run_hooks_data;
  GDestroyNotify run_hooks_free;
  gboolean started;   /* ever started running */
  gboolean live;      /* started, and no stop has finished since */
  gpointer extension; /* the thread pool's */
  GDestroyNotify extension_free;

  /* A test clock: time moves only when the test advances it. */
  /* Where the time comes from when it is not g_get_monotonic_time(): the
   * test kit's clock (weft_reactor_set_time_source()). */
  WeftTimeSourceFunc time_func;
  gpointer time_data;
  GDestroyNotify time_notify;

  WeftTimerHeap timers;
  guint n_timers;
  GQueue soon;

  FdEntry *fds;
  int fds_len;
  guint n_watches;
  GArray *ready;        /* ReadyEvent */
  gint64 next_fd_check; /* weft-watch-invalid.c: when to look for closed fds again */

  /* Calls from other threads. */
  GMutex thread_lock;
  GArray *thread_calls; /* ThreadCall, guarded by thread_lock */
  GArray *thread_calls_running;
  int wake_fd;
  int wake_pending;            /* atomic: the eventfd has been written and not yet drained */
  gboolean thread_calls_ready; /* the eventfd fired this iteration */
  WeftWatch *wake_watch;

  /* GLib hosting (select, poll, epoll). */
  gboolean hosting;
  gboolean hosting_warned;
  GPollFD *gfds;
  int n_gfds;
  int gfds_alloc;
  GPollFD *prev_gfds;
  int n_prev_gfds;
  int prev_gfds_alloc;
  /* The backend waits on GLib's fds itself this iteration (wait_glib)
   * instead of having them copied into its set (weft-glib-host.c). */
  gboolean glib_fds_polled;

  /* The application's GLib loop drives the reactor (weft-glib-driver.c). */
  GSource *driver_source;
  GPollFunc saved_poll_func;
  guint own_iteration;              /* weft_reactor_run()/iterate() runs the context */
  gboolean glib_driven_dispatching; /* the driver source is dispatching */
  gboolean in_glib_poll;
  guint64 glib_polls;

  /* For the warning about a reactor nobody drives (weft-drive-check.c). */
  gint64 last_driven; /* atomic: monotonic time of the last iteration */
  int in_wait;        /* atomic: inside an iteration of its own, or a GLib loop drives it */
  gboolean drive_warned;
};

static inline gint64
reactor_now (WeftReactor *self)
{
  return G_UNLIKELY (self->time_func != NULL) ? self->time_func (self->time_data) : g_get_monotonic_time ();
}

void weft_reactor_wake_fd_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data);
WeftReactor *weft_reactor_new_with_ops (const WeftBackendOps *ops,
                                        WeftReactorFlags flags,
                                        GMainContext *context,
                                        GError **error);
const WeftBackendOps *weft_reactor_find_backend (const char *name);
char *weft_reactor_describe_available_backends (void);
const char *weft_reactor_resolve_backend_name (const char *name);
WeftDelayedCall *weft_delayed_call_from_node (WeftTimerNode *node);
void weft_delayed_call_run (WeftDelayedCall *call);
FdEntry *weft_reactor_fd_entry (WeftReactor *self, int fd);
gboolean weft_reactor_fd_entry_sync (WeftReactor *self, int fd, FdEntry *entry, GError **error);
void weft_reactor_dispatch_ready (WeftReactor *self);
gboolean weft_watch_check_fd_open (int fd, GError **error);
void weft_reactor_check_watched_fds (WeftReactor *self);
gboolean weft_glib_host_prepare (WeftReactor *self, gint64 *timeout_us, int *max_priority);
gboolean weft_glib_host_check (WeftReactor *self, int max_priority);
void weft_glib_host_sync_fds (WeftReactor *self);
int weft_glib_host_collect (WeftReactor *self);
void weft_glib_driver_install (WeftReactor *self);
void weft_glib_driver_uninstall (WeftReactor *self);
void weft_reactor_note_driven (WeftReactor *self);
void weft_drive_check_add (WeftReactor *self);
void weft_drive_check_remove (WeftReactor *self);

G_END_DECLS
