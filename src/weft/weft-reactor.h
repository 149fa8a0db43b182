/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <glib-object.h>
#include "weft-version.h"

G_BEGIN_DECLS

/**
 * WeftReactorFlags:
 * @WEFT_REACTOR_FLAGS_NONE: defaults: the reactor hosts its GLib main
 *   context, so GTK, GIO and libsoup keep working
 * @WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING: do not run GLib's main context
 *   from the select, poll and epoll backends (for servers that use no GLib
 *   sources; ignored by the glib backend, which *is* the main context)
 * @WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS: weft_reactor_run() leaves SIGINT
 *   and SIGTERM alone instead of stopping the reactor gracefully on them
 *
 * Flags for weft_reactor_new().
 */
typedef enum {
  WEFT_REACTOR_FLAGS_NONE = 0,
  WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING = 1 << 0,
  WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS = 1 << 1,
} WeftReactorFlags;

WEFT_AVAILABLE_IN_ALL
GType weft_reactor_flags_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_REACTOR_FLAGS (weft_reactor_flags_get_type ())

/**
 * WeftIOCondition:
 * @WEFT_IO_NONE: no interest; the fd stays registered but is not waited on
 * @WEFT_IO_READ: the fd can be read without blocking (or has hung up)
 * @WEFT_IO_WRITE: the fd can be written without blocking
 * @WEFT_IO_HUP: the peer hung up; always reported while any interest is set
 * @WEFT_IO_ERROR: an error is pending on the fd; always reported while any
 *   interest is set
 *
 * Readiness of a watched file descriptor.
 */
typedef enum {
  WEFT_IO_NONE = 0,
  WEFT_IO_READ = 1 << 0,
  WEFT_IO_WRITE = 1 << 1,
  WEFT_IO_HUP = 1 << 2,
  WEFT_IO_ERROR = 1 << 3,
} WeftIOCondition;

WEFT_AVAILABLE_IN_ALL
GType weft_io_condition_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_IO_CONDITION (weft_io_condition_get_type ())

/**
 * WEFT_USEC_PER_SEC:
 *
 * Microseconds in one second: reactor time and delays are in microseconds.
 */
#define WEFT_USEC_PER_SEC G_GINT64_CONSTANT (1000000)

#define WEFT_TYPE_REACTOR (weft_reactor_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftReactor, weft_reactor, WEFT, REACTOR, GObject)

#define WEFT_TYPE_DELAYED_CALL (weft_delayed_call_get_type ())

/**
 * WeftDelayedCall:
 *
 * A call scheduled on a reactor by weft_reactor_call_later() or
 * weft_reactor_call_soon(). Reference counted; the reactor holds a reference
 * until the call has run or has been cancelled.
 */
typedef struct _WeftDelayedCall WeftDelayedCall;

/**
 * WeftWatch:
 *
 * A file descriptor watched by a reactor. Owned by the reactor: the pointer
 * stays valid until weft_watch_remove() or until the reactor is finalized.
 */
typedef struct _WeftWatch WeftWatch;

/**
 * WeftSignalWatch:
 *
 * A POSIX signal delivered to a reactor as a callback. Owned by the
 * reactor until weft_signal_watch_remove() or the reactor's finalization.
 */
typedef struct _WeftSignalWatch WeftSignalWatch;

/**
 * WeftSignalFunc:
 * @signum: the signal that arrived
 * @user_data: the data given to weft_reactor_add_signal_watch()
 *
 * Called in the reactor's thread after a watched signal arrived.
 */
typedef void (*WeftSignalFunc) (int signum, gpointer user_data);

/**
 * WeftCallback:
 * @user_data: the data given when the call was scheduled
 *
 * A function run by the reactor: a timer, a "soon" call, or a call from
 * another thread.
 */
typedef void (*WeftCallback) (gpointer user_data);

/**
 * WeftWatchFunc:
 * @watch: the watch that is ready
 * @fd: its file descriptor
 * @condition: what is ready, limited to the interest set on @watch plus
 *   %WEFT_IO_HUP and %WEFT_IO_ERROR
 * @user_data: the data given to weft_reactor_add_watch()
 *
 * Called when a watched fd is ready. The function may change the interest of
 * any watch, remove any watch (its own included), add watches and timers,
 * and stop the reactor.
 */
typedef void (*WeftWatchFunc) (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data);

WEFT_AVAILABLE_IN_ALL
WeftReactor *weft_reactor_new (const char *name, WeftReactorFlags flags, GError **error) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftReactor *weft_reactor_new_for_context (const char *name,
                                           WeftReactorFlags flags,
                                           GMainContext *context,
                                           GError **error) G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
const char *weft_reactor_get_backend_name (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
GMainContext *weft_reactor_get_context (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
WeftReactorFlags weft_reactor_get_flags (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
const char *const *weft_reactor_list_backends (void);
WEFT_AVAILABLE_IN_ALL
gboolean weft_reactor_backend_is_available (const char *name, const char **description, char **why_not);

WEFT_AVAILABLE_IN_ALL
void weft_reactor_run (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
void weft_reactor_stop (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
gboolean weft_reactor_is_running (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
gboolean weft_reactor_iterate (WeftReactor *reactor, gboolean may_block);
WEFT_AVAILABLE_IN_ALL
void weft_reactor_wakeup (WeftReactor *reactor);

WEFT_AVAILABLE_IN_ALL
gint64 weft_reactor_get_time (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
WeftDelayedCall *weft_reactor_call_later (WeftReactor *reactor,
                                          gint64 delay_us,
                                          WeftCallback callback,
                                          gpointer user_data,
                                          GDestroyNotify notify);
WEFT_AVAILABLE_IN_ALL
WeftDelayedCall *weft_reactor_call_soon (WeftReactor *reactor,
                                         WeftCallback callback,
                                         gpointer user_data,
                                         GDestroyNotify notify);
WEFT_AVAILABLE_IN_ALL
void weft_reactor_call_from_thread (WeftReactor *reactor,
                                    WeftCallback callback,
                                    gpointer user_data,
                                    GDestroyNotify notify);

WEFT_AVAILABLE_IN_ALL
WeftWatch *weft_reactor_add_watch (WeftReactor *reactor,
                                   int fd,
                                   WeftIOCondition events,
                                   WeftWatchFunc callback,
                                   gpointer user_data,
                                   GDestroyNotify notify,
                                   GError **error);

WEFT_AVAILABLE_IN_ALL
WeftSignalWatch *weft_reactor_add_signal_watch (WeftReactor *reactor,
                                                int signum,
                                                WeftSignalFunc callback,
                                                gpointer user_data,
                                                GDestroyNotify notify,
                                                GError **error);
WEFT_AVAILABLE_IN_ALL
void weft_signal_watch_remove (WeftSignalWatch *watch);
WEFT_AVAILABLE_IN_ALL
int weft_signal_watch_get_signum (WeftSignalWatch *watch);
WEFT_AVAILABLE_IN_ALL
GType weft_signal_watch_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_SIGNAL_WATCH (weft_signal_watch_get_type ())
WEFT_AVAILABLE_IN_ALL
WeftSignalWatch *weft_signal_watch_ref (WeftSignalWatch *watch);
WEFT_AVAILABLE_IN_ALL
void weft_signal_watch_unref (WeftSignalWatch *watch);

WEFT_AVAILABLE_IN_ALL
guint weft_reactor_get_n_timers (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
guint weft_reactor_get_n_watches (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
guint64 weft_reactor_get_wakeup_count (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
guint64 weft_reactor_get_glib_poll_count (WeftReactor *reactor);

WEFT_AVAILABLE_IN_ALL
GType weft_delayed_call_get_type (void) G_GNUC_CONST;
WEFT_AVAILABLE_IN_ALL
WeftDelayedCall *weft_delayed_call_ref (WeftDelayedCall *call);
WEFT_AVAILABLE_IN_ALL
void weft_delayed_call_unref (WeftDelayedCall *call);
WEFT_AVAILABLE_IN_ALL
gboolean weft_delayed_call_cancel (WeftDelayedCall *call);
WEFT_AVAILABLE_IN_ALL
gboolean weft_delayed_call_reset (WeftDelayedCall *call, gint64 delay_us);
WEFT_AVAILABLE_IN_ALL
gboolean weft_delayed_call_delay (WeftDelayedCall *call, gint64 delta_us);
WEFT_AVAILABLE_IN_ALL
gboolean weft_delayed_call_is_active (WeftDelayedCall *call);
WEFT_AVAILABLE_IN_ALL
gint64 weft_delayed_call_get_time (WeftDelayedCall *call);

WEFT_AVAILABLE_IN_ALL
int weft_watch_get_fd (WeftWatch *watch);
WEFT_AVAILABLE_IN_ALL
WeftIOCondition weft_watch_get_events (WeftWatch *watch);
WEFT_AVAILABLE_IN_ALL
gboolean weft_watch_set_events (WeftWatch *watch, WeftIOCondition events, GError **error);
WEFT_AVAILABLE_IN_ALL
void weft_watch_remove (WeftWatch *watch);
WEFT_AVAILABLE_IN_ALL
void weft_watch_set_name (WeftWatch *watch, const char *name);
WEFT_AVAILABLE_IN_ALL
const char *weft_watch_get_name (WeftWatch *watch);
WEFT_AVAILABLE_IN_ALL
GType weft_watch_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_WATCH (weft_watch_get_type ())
WEFT_AVAILABLE_IN_ALL
WeftWatch *weft_watch_ref (WeftWatch *watch);
WEFT_AVAILABLE_IN_ALL
void weft_watch_unref (WeftWatch *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftDelayedCall, weft_delayed_call_unref)

G_END_DECLS
