#include "config.h"

#include <errno.h>
#include <signal.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "weft-backend-private.h"
#include "weft-error.h"
#include "weft-options-private.h"
#include "weft-lifecycle-private.h"
#include "weft-i18n-private.h"
#include "weft-reactor-private.h"
#include "weft-reactor.h"
#include "weft-signals-private.h"
#include "weft-threads-private.h"
#include "weft-timer-heap-private.h"

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
  WeftLifecycle *lifecycle;
  WeftThreadPool *thread_pool;

  /* A test clock: time moves only when the test advances it. */
  gboolean fake_clock;
  gint64 fake_now;

  WeftTimerHeap timers;
  guint n_timers;
  GQueue soon;

  FdEntry *fds;
  int fds_len;
  guint n_watches;
  GArray *ready; /* ReadyEvent */

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
};

G_DEFINE_FINAL_TYPE (WeftReactor, weft_reactor, G_TYPE_OBJECT)

static inline gint64
reactor_now (WeftReactor *self)
{
  return G_UNLIKELY (self->fake_clock) ? self->fake_now : g_get_monotonic_time ();
}
G_DEFINE_BOXED_TYPE (WeftDelayedCall, weft_delayed_call, weft_delayed_call_ref, weft_delayed_call_unref)

static const WeftBackendOps *const backends[] = {
  &weft_epoll_backend,
  &weft_poll_backend,
  &weft_select_backend,
  &weft_glib_backend,
};

#define DEFAULT_BACKEND "epoll"

/* ------------------------------------------------------------------ */
/* Backend lookup                                                       */

static const WeftBackendOps *
find_backend (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
    if (g_strcmp0 (backends[i]->name, name) == 0)
      return backends[i];
  return NULL;
}

static WeftReactor *reactor_new_with_ops (const WeftBackendOps *ops,
                                          WeftReactorFlags flags,
                                          GMainContext *context,
                                          GError **error);
static void wake_fd_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data);

/**
 * weft_reactor_list_backends:
 *
 * The names of all backends built into Weft, available here or not.
 *
 * Returns: (transfer none) (array zero-terminated=1): backend names
 */
const char *const *
weft_reactor_list_backends (void)
{
  static const char *names[G_N_ELEMENTS (backends) + 1];

  if (names[0] == NULL)
    for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
      names[i] = backends[i]->name;
  return names;
}

/**
 * weft_reactor_backend_is_available:
 * @name: a backend name
 * @description: (out) (optional) (transfer none): its one-line description
 * @why_not: (out) (optional) (transfer full): why it cannot run here
 *
 * Tells whether the backend @name can run on this machine, by creating and
 * destroying a reactor with it.
 *
 * Returns: %TRUE if a reactor can use it
 */
gboolean
weft_reactor_backend_is_available (const char *name, const char **description, char **why_not)
{
  const WeftBackendOps *ops = find_backend (name);
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  g_autoptr (GMainContext) context = NULL;

  if (description != NULL)
    *description = ops != NULL ? ops->description : NULL;
  if (ops == NULL)
    {
      if (why_not != NULL)
        *why_not = g_strdup (_ ("no such backend"));
      return FALSE;
    }

  context = g_main_context_new ();
  reactor = reactor_new_with_ops (ops, WEFT_REACTOR_FLAGS_NONE, context, &error);
  if (why_not != NULL)
    *why_not = reactor == NULL ? g_strdup (error->message) : NULL;
  return reactor != NULL;
}

static char *
describe_available_backends (void)
{
  GString *names = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
    {
      if (!weft_reactor_backend_is_available (backends[i]->name, NULL, NULL))
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, backends[i]->name);
    }
  return g_string_free (names, FALSE);
}

/* ------------------------------------------------------------------ */
/* Delayed calls                                                        */

static inline WeftDelayedCall *
call_from_node (WeftTimerNode *node)
{
  return (WeftDelayedCall *) node;
}

static WeftDelayedCall *
delayed_call_new (WeftReactor *self, WeftCallback callback, gpointer user_data, GDestroyNotify notify)
{
  WeftDelayedCall *call = g_new0 (WeftDelayedCall, 1);

  call->ref_count = 1;
  call->node.index = WEFT_TIMER_HEAP_NOT_QUEUED;
  call->state = CALL_IDLE;
  call->reactor = self;
  call->callback = callback;
  call->user_data = user_data;
  call->notify = notify;
  call->link.data = call;
  return call;
}

/**
 * weft_delayed_call_ref:
 * @call: a delayed call
 *
 * Returns: (transfer full): @call, with one more reference
 */
WeftDelayedCall *
weft_delayed_call_ref (WeftDelayedCall *call)
{
  g_return_val_if_fail (call != NULL, NULL);
  g_return_val_if_fail (call->ref_count > 0, NULL);

  call->ref_count++;
  return call;
}

/**
 * weft_delayed_call_unref:
 * @call: (transfer full): a delayed call
 *
 * Drops a reference. Dropping a reference does not cancel the call: the
 * reactor keeps its own until the call has run or been cancelled.
 */
void
weft_delayed_call_unref (WeftDelayedCall *call)
{
  g_return_if_fail (call != NULL);
  g_return_if_fail (call->ref_count > 0);

  if (--call->ref_count == 0)
    g_free (call);
}

/* The call has run or been cancelled: release the user's data and the
 * reactor's reference. */
static void
delayed_call_finish (WeftDelayedCall *call)
{
  GDestroyNotify notify = g_steal_pointer (&call->notify);
  gpointer user_data = g_steal_pointer (&call->user_data);

  call->state = CALL_DONE;
  call->callback = NULL;
  if (notify != NULL)
    notify (user_data);
  weft_delayed_call_unref (call);
}

static void
delayed_call_run (WeftDelayedCall *call)
{
  call->state = CALL_RUNNING;
  call->callback (call->user_data);
  delayed_call_finish (call);
}

/**
 * weft_delayed_call_cancel:
 * @call: a delayed call
 *
 * Cancels @call: its callback will not run, and its notify function runs now.
 *
 * Returns: %TRUE if @call was pending and is now cancelled; %FALSE if it had
 *   already run, was running, or had been cancelled
 */
gboolean
weft_delayed_call_cancel (WeftDelayedCall *call)
{
  WeftReactor *self;

  g_return_val_if_fail (call != NULL, FALSE);

  self = call->reactor;
  switch (call->state)
    {
    case CALL_TIMER:
      weft_timer_heap_remove (&self->timers, &call->node);
      self->n_timers--;
      break;
    case CALL_SOON:
      g_queue_unlink (&self->soon, &call->link);
      self->n_timers--;
      break;
    case CALL_IDLE:
    case CALL_RUNNING:
    case CALL_DONE:
    default:
      return FALSE;
    }
  delayed_call_finish (call);
  return TRUE;
}

/**
 * weft_delayed_call_reset:
 * @call: a pending timer
 * @delay_us: the new delay from now, in microseconds
 *
 * Reschedules @call to run @delay_us from now. O(log n). A "soon" call
 * becomes a timer.
 *
 * Returns: %TRUE if @call was pending and is rescheduled
 */
gboolean
weft_delayed_call_reset (WeftDelayedCall *call, gint64 delay_us)
{
  WeftReactor *self;
  gint64 deadline;

  g_return_val_if_fail (call != NULL, FALSE);

  self = call->reactor;
  if (call->state != CALL_TIMER && call->state != CALL_SOON)
    return FALSE;

  deadline = reactor_now (self) + MAX (delay_us, 0);
  if (call->state == CALL_SOON)
    {
      g_queue_unlink (&self->soon, &call->link);
      call->state = CALL_TIMER;
      weft_timer_heap_push (&self->timers, &call->node, deadline);
    }
  else
    weft_timer_heap_reschedule (&self->timers, &call->node, deadline);
  return TRUE;
}

/**
 * weft_delayed_call_delay:
 * @call: a pending timer
 * @delta_us: microseconds to add to its deadline (may be negative)
 *
 * Moves the deadline of @call by @delta_us. O(log n).
 *
 * Returns: %TRUE if @call was a pending timer and is rescheduled
 */
gboolean
weft_delayed_call_delay (WeftDelayedCall *call, gint64 delta_us)
{
  g_return_val_if_fail (call != NULL, FALSE);

  if (call->state != CALL_TIMER)
    return FALSE;
  weft_timer_heap_reschedule (&call->reactor->timers, &call->node, call->node.deadline + delta_us);
  return TRUE;
}

/**
 * weft_delayed_call_is_active:
 * @call: a delayed call
 *
 * Returns: %TRUE while @call waits to run (not yet run, not cancelled)
 */
gboolean
weft_delayed_call_is_active (WeftDelayedCall *call)
{
  g_return_val_if_fail (call != NULL, FALSE);

  return call->state == CALL_TIMER || call->state == CALL_SOON;
}

/**
 * weft_delayed_call_get_time:
 * @call: a delayed call
 *
 * Returns: the monotonic time (microseconds, as weft_reactor_get_time()) at
 *   which @call is due; for a "soon" call, the time it was queued
 */
gint64
weft_delayed_call_get_time (WeftDelayedCall *call)
{
  g_return_val_if_fail (call != NULL, 0);

  return call->node.deadline;
}

/**
 * weft_reactor_call_later:
 * @reactor: a reactor
 * @delay_us: microseconds from now (negative counts as 0)
 * @callback: (scope notified): the function to call
 * @user_data: (closure): data for @callback
 * @notify: (nullable): frees @user_data once the call has run or been
 *   cancelled
 *
 * Schedules @callback to run once, @delay_us from now. Calls due at the same
 * time run in the order they were scheduled.
 *
 * Returns: (transfer none): the scheduled call, owned by @reactor until it has
 *   run or been cancelled; use weft_delayed_call_ref() to keep it longer
 */
WeftDelayedCall *
weft_reactor_call_later (WeftReactor *reactor,
                         gint64 delay_us,
                         WeftCallback callback,
                         gpointer user_data,
                         GDestroyNotify notify)
{
  WeftDelayedCall *call;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  call = delayed_call_new (reactor, callback, user_data, notify);
  call->state = CALL_TIMER;
  weft_timer_heap_push (&reactor->timers, &call->node, reactor_now (reactor) + MAX (delay_us, 0));
  reactor->n_timers++;
  return call;
}

/**
 * weft_reactor_call_soon:
 * @reactor: a reactor
 * @callback: (scope notified): the function to call
 * @user_data: (closure): data for @callback
 * @notify: (nullable): frees @user_data once the call has run or been
 *   cancelled
 *
 * Runs @callback in the next iteration, after I/O and timers, in FIFO order
 * with other soon calls. A soon call queued by a soon call runs in the
 * iteration after.
 *
 * Returns: (transfer none): the queued call, owned by @reactor until it has
 *   run or been cancelled
 */
WeftDelayedCall *
weft_reactor_call_soon (WeftReactor *reactor, WeftCallback callback, gpointer user_data, GDestroyNotify notify)
{
  WeftDelayedCall *call;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  call = delayed_call_new (reactor, callback, user_data, notify);
  call->state = CALL_SOON;
  call->node.deadline = reactor_now (reactor);
  g_queue_push_tail_link (&reactor->soon, &call->link);
  reactor->n_timers++;
  return call;
}

/* ------------------------------------------------------------------ */
/* fd table and watches                                                 */

static FdEntry *
fd_entry (WeftReactor *self, int fd)
{
  if (fd >= self->fds_len)
    {
      int len = MAX (64, self->fds_len);

      while (len <= fd)
        len *= 2;
      self->fds = g_renew (FdEntry, self->fds, len);
      memset (self->fds + self->fds_len, 0, sizeof (FdEntry) * (len - self->fds_len));
      self->fds_len = len;
    }
  return &self->fds[fd];
}

static gboolean
fd_entry_sync (WeftReactor *self, int fd, FdEntry *entry, GError **error)
{
  guint8 wanted = entry->glib_events;

  if (entry->watch != NULL)
    wanted |= entry->watch->events;
  wanted &= WEFT_IO_READ | WEFT_IO_WRITE;
  if (wanted == entry->registered)
    return TRUE;
  /* Removal cannot fail: a closed fd has left every kernel set already. */
  if (!self->ops->set_interest (self->backend, fd, entry->registered, wanted, error) && wanted != 0)
    return FALSE;
  entry->registered = wanted;
  return TRUE;
}

static void
watch_unref (WeftWatch *watch)
{
  if (--watch->ref_count == 0)
    g_free (watch);
}

/**
 * weft_reactor_add_watch:
 * @reactor: a reactor
 * @fd: a file descriptor, which the caller keeps open while it is watched
 * @events: %WEFT_IO_READ and/or %WEFT_IO_WRITE, or %WEFT_IO_NONE
 * @callback: (scope notified): called when @fd is ready
 * @user_data: (closure): data for @callback
 * @notify: (nullable): frees @user_data when the watch is removed
 * @error: return location for a #GError
 *
 * Watches @fd for readiness. There is at most one watch per fd per reactor;
 * a second one fails with %G_IO_ERROR_EXISTS. The select backend refuses an
 * fd of `FD_SETSIZE` or more with %WEFT_ERROR_FD_TOO_LARGE.
 *
 * Returns: (transfer none) (nullable): the watch, owned by @reactor until
 *   weft_watch_remove(); %NULL with @error set on failure
 */
WeftWatch *
weft_reactor_add_watch (WeftReactor *reactor,
                        int fd,
                        WeftIOCondition events,
                        WeftWatchFunc callback,
                        gpointer user_data,
                        GDestroyNotify notify,
                        GError **error)
{
  WeftWatch *watch;
  FdEntry *entry;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entry = fd_entry (reactor, fd);
  if (entry->watch != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _ ("File descriptor %d is already watched by this reactor"),
                   fd);
      return NULL;
    }

  watch = g_new0 (WeftWatch, 1);
  watch->reactor = reactor;
  watch->fd = fd;
  watch->ref_count = 1;
  watch->events = events & (WEFT_IO_READ | WEFT_IO_WRITE);
  watch->callback = callback;
  watch->user_data = user_data;
  watch->notify = notify;

  entry->watch = watch;
  if (!fd_entry_sync (reactor, fd, entry, error))
    {
      entry->watch = NULL;
      g_free (watch);
      return NULL;
    }
  reactor->n_watches++;
  return watch;
}

/**
 * weft_watch_get_fd:
 * @watch: a watch
 *
 * Returns: the watched file descriptor
 */
int
weft_watch_get_fd (WeftWatch *watch)
{
  g_return_val_if_fail (watch != NULL, -1);
  return watch->fd;
}

/**
 * weft_watch_get_events:
 * @watch: a watch
 *
 * Returns: the interest currently set on @watch
 */
WeftIOCondition
weft_watch_get_events (WeftWatch *watch)
{
  g_return_val_if_fail (watch != NULL, WEFT_IO_NONE);
  return watch->events;
}

/**
 * weft_watch_set_events:
 * @watch: a watch
 * @events: the new interest: %WEFT_IO_READ and/or %WEFT_IO_WRITE, or
 *   %WEFT_IO_NONE to stop waiting on the fd for now
 * @error: return location for a #GError
 *
 * Changes what @watch waits for. Setting the interest it already has costs
 * nothing. Readiness found earlier in the same iteration is delivered only
 * for what @events still includes.
 *
 * Returns: %TRUE on success
 */
gboolean
weft_watch_set_events (WeftWatch *watch, WeftIOCondition events, GError **error)
{
  WeftReactor *self;
  WeftIOCondition old_events;

  g_return_val_if_fail (watch != NULL, FALSE);
  g_return_val_if_fail (!watch->removed, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self = watch->reactor;
  events &= WEFT_IO_READ | WEFT_IO_WRITE;
  if (events == watch->events)
    return TRUE;

  old_events = watch->events;
  watch->events = events;
  if (!fd_entry_sync (self, watch->fd, &self->fds[watch->fd], error))
    {
      watch->events = old_events;
      return FALSE;
    }
  return TRUE;
}

/**
 * weft_watch_remove:
 * @watch: (transfer full): a watch
 *
 * Stops watching and frees @watch, calling its notify function. The fd is
 * not closed. Safe from any callback, including @watch's own; a removed
 * watch is never called again.
 */
void
weft_watch_remove (WeftWatch *watch)
{
  WeftReactor *self;
  FdEntry *entry;
  GDestroyNotify notify;

  g_return_if_fail (watch != NULL);
  g_return_if_fail (!watch->removed);

  self = watch->reactor;
  entry = &self->fds[watch->fd];
  watch->removed = TRUE;
  watch->events = WEFT_IO_NONE;
  entry->watch = NULL;
  /* Failing to deregister means the fd was closed already, which drops it
   * from every kernel set anyway. */
  fd_entry_sync (self, watch->fd, entry, NULL);
  if (!watch->internal)
    self->n_watches--;

  notify = g_steal_pointer (&watch->notify);
  if (notify != NULL)
    notify (g_steal_pointer (&watch->user_data));
  watch_unref (watch);
}

void
weft_reactor_report_ready (WeftReactor *self, int fd, WeftIOCondition condition)
{
  FdEntry *entry;
  WeftWatch *watch;

  if (G_UNLIKELY (fd < 0 || fd >= self->fds_len))
    return;
  entry = &self->fds[fd];
  if (entry->glib_events != 0)
    entry->glib_revents |= condition;

  watch = entry->watch;
  if (watch != NULL && watch->events != WEFT_IO_NONE)
    {
      ReadyEvent ev = { watch, condition };

      watch->ref_count++;
      g_array_append_val (self->ready, ev);
    }
}

static void
dispatch_ready (WeftReactor *self)
{
  /* Callbacks may add watches, which can make backends report again into a
   * fresh array only on the next wait; so walking by index is safe. */
  for (guint i = 0; i < self->ready->len; i++)
    {
      ReadyEvent *ev = &g_array_index (self->ready, ReadyEvent, i);
      WeftWatch *watch = ev->watch;
      WeftIOCondition condition;

      condition = ev->condition & (watch->events | WEFT_IO_HUP | WEFT_IO_ERROR);
      if (!watch->removed && watch->events != WEFT_IO_NONE && condition != 0)
        watch->callback (watch, watch->fd, condition, watch->user_data);
    }
  for (guint i = 0; i < self->ready->len; i++)
    watch_unref (g_array_index (self->ready, ReadyEvent, i).watch);
  g_array_set_size (self->ready, 0);
}

/* ------------------------------------------------------------------ */
/* Calls from other threads                                             */

static void
drain_wake_fd (WeftReactor *self)
{
  guint64 value;

  while (read (self->wake_fd, &value, sizeof value) < 0 && errno == EINTR)
    ;
  g_atomic_int_set (&self->wake_pending, 0);
}

static void
run_thread_calls (WeftReactor *self)
{
  GArray *calls;

  g_mutex_lock (&self->thread_lock);
  calls = self->thread_calls;
  self->thread_calls = self->thread_calls_running;
  self->thread_calls_running = calls;
  g_mutex_unlock (&self->thread_lock);

  for (guint i = 0; i < calls->len; i++)
    {
      ThreadCall *call = &g_array_index (calls, ThreadCall, i);

      call->callback (call->user_data);
      if (call->notify != NULL)
        call->notify (call->user_data);
    }
  g_array_set_size (calls, 0);
}

static void
wake_fd_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  WeftReactor *self = user_data;

  /* Reset the flag before taking the queue: a call queued after the swap
   * then writes the eventfd again instead of being stranded. */
  drain_wake_fd (self);
  self->thread_calls_ready = TRUE;
}

/**
 * weft_reactor_wakeup:
 * @reactor: a reactor
 *
 * Makes a waiting @reactor return from its wait. Thread-safe.
 */
void
weft_reactor_wakeup (WeftReactor *reactor)
{
  static const guint64 one = 1;

  g_return_if_fail (WEFT_IS_REACTOR (reactor));

  if (!g_atomic_int_compare_and_exchange (&reactor->wake_pending, 0, 1))
    return;
  while (write (reactor->wake_fd, &one, sizeof one) < 0 && errno == EINTR)
    ;
}

/**
 * weft_reactor_call_from_thread:
 * @reactor: a reactor
 * @callback: (scope notified): the function to call in @reactor's thread
 * @user_data: (closure): data for @callback
 * @notify: (nullable): frees @user_data after @callback ran, in @reactor's
 *   thread (or when @reactor is finalized without having run it)
 *
 * Queues @callback to run in the reactor's thread and wakes the reactor.
 * Thread-safe. Every call is delivered exactly once, and calls from one
 * thread run in the order they were made.
 */
void
weft_reactor_call_from_thread (WeftReactor *reactor, WeftCallback callback, gpointer user_data, GDestroyNotify notify)
{
  ThreadCall call = { callback, user_data, notify };

  g_return_if_fail (WEFT_IS_REACTOR (reactor));
  g_return_if_fail (callback != NULL);

  g_mutex_lock (&reactor->thread_lock);
  g_array_append_val (reactor->thread_calls, call);
  g_mutex_unlock (&reactor->thread_lock);
  weft_reactor_wakeup (reactor);
}

/* ------------------------------------------------------------------ */
/* One iteration                                                        */

static gboolean
has_pending_now (WeftReactor *self)
{
  return self->soon.length > 0;
}

/**
 * weft_reactor_get_timeout: (skip)
 *
 * How long the reactor may wait before its next work is due: -1 for no
 * limit, 0 when work is pending now.
 */
gint64
weft_reactor_get_timeout (WeftReactor *self)
{
  WeftTimerNode *top;
  gint64 now;

  if (has_pending_now (self))
    return 0;
  if ((self->ops->flags & WEFT_BACKEND_OWNS_LOOP) && !weft_lifecycle_has_started (self->lifecycle))
    return 0;
  top = weft_timer_heap_peek (&self->timers);
  if (top == NULL)
    return -1;
  now = reactor_now (self);
  return top->deadline > now ? top->deadline - now : 0;
}

/* Runs timers due now that were queued before this pass began: a timer
 * added or reset by a timer waits for the next iteration. Returns TRUE if
 * due timers remain because @max_timers was reached. */
static gboolean
run_timers (WeftReactor *self, guint max_timers)
{
  guint64 seq_limit = self->timers.next_seq;
  gint64 now = reactor_now (self);
  guint ran = 0;
  WeftTimerNode *top;

  while ((top = weft_timer_heap_peek (&self->timers)) != NULL && top->deadline <= now && top->seq < seq_limit)
    {
      WeftDelayedCall *call = call_from_node (top);

      if (ran == max_timers)
        return TRUE;
      weft_timer_heap_remove (&self->timers, top);
      self->n_timers--;
      delayed_call_run (call);
      ran++;
    }
  return FALSE;
}

static void
run_soon_calls (WeftReactor *self)
{
  guint n = self->soon.length;

  /* Only the calls queued before this step: later ones wait an iteration. */
  while (n-- > 0 && self->soon.head != NULL)
    {
      GList *link = self->soon.head;
      WeftDelayedCall *call = link->data;

      g_queue_unlink (&self->soon, link);
      self->n_timers--;
      delayed_call_run (call);
    }
}

/**
 * weft_reactor_dispatch: (skip)
 *
 * Steps 2 to 5 of an iteration: fd callbacks for what the wait reported,
 * due timers (at most @max_timers), soon calls, then — if the wake-up fd
 * fired — calls from threads and signals. Returns TRUE when due timers
 * remain.
 */
gboolean
weft_reactor_dispatch (WeftReactor *self, guint max_timers)
{
  gboolean more;

  g_object_ref (self);
  if ((self->ops->flags & WEFT_BACKEND_OWNS_LOOP) && !weft_lifecycle_has_started (self->lifecycle))
    weft_lifecycle_start (self->lifecycle);
  dispatch_ready (self);
  more = run_timers (self, max_timers);
  run_soon_calls (self);
  if (self->thread_calls_ready)
    {
      self->thread_calls_ready = FALSE;
      run_thread_calls (self);
      weft_signals_dispatch (self);
    }
  g_object_unref (self);
  return more;
}

void
weft_reactor_count_wakeup (WeftReactor *self)
{
  self->wakeups++;
}

static inline WeftIOCondition
from_gio (gushort events)
{
  WeftIOCondition condition = 0;

  if (events & (G_IO_IN | G_IO_PRI))
    condition |= WEFT_IO_READ;
  if (events & G_IO_OUT)
    condition |= WEFT_IO_WRITE;
  return condition;
}

static inline gushort
to_gio (WeftIOCondition condition, gushort requested)
{
  gushort revents = 0;

  if (condition & WEFT_IO_READ)
    revents |= requested & (G_IO_IN | G_IO_PRI);
  if (condition & WEFT_IO_WRITE)
    revents |= requested & G_IO_OUT;
  if (condition & WEFT_IO_HUP)
    revents |= G_IO_HUP;
  if (condition & WEFT_IO_ERROR)
    revents |= G_IO_ERR;
  return revents;
}

static gboolean
same_poll_set (const GPollFD *a, int n_a, const GPollFD *b, int n_b)
{
  if (n_a != n_b)
    return FALSE;
  for (int i = 0; i < n_a; i++)
    if (a[i].fd != b[i].fd || a[i].events != b[i].events)
      return FALSE;
  return TRUE;
}

/* Tells the backend about GLib's fds, touching only the ones that changed
 * since the last iteration (GLib's set rarely changes). */
static void
sync_glib_fds (WeftReactor *self)
{
  if (same_poll_set (self->gfds, self->n_gfds, self->prev_gfds, self->n_prev_gfds))
    {
      /* A kernel set forgets an fd when it is closed, and GLib may close an
       * fd and reuse its number between two iterations: re-register. */
      if (self->ops->flags & WEFT_BACKEND_KERNEL_SET)
        for (int i = 0; i < self->n_gfds; i++)
          {
            FdEntry *entry = &self->fds[self->gfds[i].fd];

            if (entry->registered != 0)
              self->ops->set_interest (self->backend, self->gfds[i].fd, entry->registered, entry->registered, NULL);
          }
      return;
    }

  for (int i = 0; i < self->n_prev_gfds; i++)
    fd_entry (self, self->prev_gfds[i].fd)->glib_events = 0;
  for (int i = 0; i < self->n_gfds; i++)
    fd_entry (self, self->gfds[i].fd)->glib_events |= from_gio (self->gfds[i].events);

  for (int pass = 0; pass < 2; pass++)
    {
      const GPollFD *set = pass == 0 ? self->prev_gfds : self->gfds;
      int n = pass == 0 ? self->n_prev_gfds : self->n_gfds;

      for (int i = 0; i < n; i++)
        {
          g_autoptr (GError) error = NULL;
          int fd = set[i].fd;

          if (!fd_entry_sync (self, fd, &self->fds[fd], &error) && !self->hosting_warned)
            {
              g_warning ("Cannot wait on GLib's fd %d with the %s reactor: %s", fd, self->ops->name, error->message);
              self->hosting_warned = TRUE;
            }
        }
    }

  if (self->prev_gfds_alloc < self->n_gfds)
    {
      self->prev_gfds_alloc = self->gfds_alloc;
      self->prev_gfds = g_renew (GPollFD, self->prev_gfds, self->prev_gfds_alloc);
    }
  memcpy (self->prev_gfds, self->gfds, sizeof (GPollFD) * self->n_gfds);
  self->n_prev_gfds = self->n_gfds;
}

static gboolean
host_prepare (WeftReactor *self, gint64 *timeout_us, int *max_priority)
{
  int glib_timeout_ms = -1;
  int n;

  if (!g_main_context_acquire (self->context))
    {
      if (!self->hosting_warned)
        g_warning ("The %s reactor cannot run its GLib main context: another thread owns it", self->ops->name);
      self->hosting_warned = TRUE;
      return FALSE;
    }

  if (g_main_context_prepare (self->context, max_priority))
    *timeout_us = 0;

  while ((n = g_main_context_query (self->context, *max_priority, &glib_timeout_ms, self->gfds, self->gfds_alloc)) >
         self->gfds_alloc)
    {
      self->gfds_alloc = MAX (n, self->gfds_alloc * 2);
      self->gfds = g_renew (GPollFD, self->gfds, self->gfds_alloc);
    }
  self->n_gfds = n;
  sync_glib_fds (self);

  if (glib_timeout_ms >= 0)
    {
      gint64 glib_timeout_us = (gint64) glib_timeout_ms * 1000;

      if (*timeout_us < 0 || glib_timeout_us < *timeout_us)
        *timeout_us = glib_timeout_us;
    }
  return TRUE;
}

static gboolean
host_check (WeftReactor *self, int max_priority)
{
  for (int i = 0; i < self->n_gfds; i++)
    {
      FdEntry *entry = &self->fds[self->gfds[i].fd];

      self->gfds[i].revents = to_gio (entry->glib_revents, self->gfds[i].events);
    }
  for (int i = 0; i < self->n_gfds; i++)
    self->fds[self->gfds[i].fd].glib_revents = 0;
  return g_main_context_check (self->context, max_priority, self->gfds, self->n_gfds);
}

static gboolean
iterate_own_loop (WeftReactor *self, gboolean may_block)
{
  gint64 timeout_us = may_block ? weft_reactor_get_timeout (self) : 0;
  gboolean hosted = FALSE;
  gboolean glib_ready = FALSE;
  int max_priority = G_MAXINT;
  guint before;

  if (self->hosting)
    hosted = host_prepare (self, &timeout_us, &max_priority);
  if (!may_block)
    timeout_us = 0;

  self->ops->wait (self->backend, timeout_us);
  self->wakeups++;

  if (hosted)
    glib_ready = host_check (self, max_priority);

  before = self->ready->len;
  weft_reactor_dispatch (self, G_MAXUINT);

  if (hosted)
    {
      if (glib_ready)
        g_main_context_dispatch (self->context);
      g_main_context_release (self->context);
    }
  return before > 0 || glib_ready;
}

/**
 * weft_reactor_iterate:
 * @reactor: a reactor
 * @may_block: whether to wait for something to happen
 *
 * Runs one iteration: wait (not at all unless @may_block), then fd
 * callbacks, due timers, soon calls and calls from threads (and, when
 * hosting GLib, the ready GLib sources). For tests and for embedding.
 *
 * Returns: %TRUE if an fd callback or a GLib source was dispatched
 */
gboolean
weft_reactor_iterate (WeftReactor *reactor, gboolean may_block)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), FALSE);

  if (reactor->ops->flags & WEFT_BACKEND_OWNS_LOOP)
    return reactor->ops->iterate (reactor->backend, may_block);
  return iterate_own_loop (reactor, may_block);
}

static void
stop_on_signal (int signum, gpointer user_data)
{
  WeftReactor *self = user_data;

  /* A second signal while shutdown waits for its triggers means "now". */
  g_debug ("%s: stopping the reactor", g_strsignal (signum));
  weft_lifecycle_stop (self->lifecycle, self->stop_requested);
  self->stop_requested = TRUE;
}

/**
 * weft_reactor_run:
 * @reactor: a reactor
 *
 * Fires the startup event (see weft_reactor_add_system_event_trigger()),
 * then runs @reactor until weft_reactor_stop() and the shutdown event are
 * done. With the glib backend this runs a #GMainLoop on the reactor's
 * context; an application may instead run that context itself
 * (g_application_run()), and the reactor works all the same: it fires its
 * startup event on the first main-loop iteration.
 *
 * While it runs, SIGINT and SIGTERM stop @reactor gracefully (a second one
 * stops it without waiting for shutdown triggers), unless it was created
 * with %WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS or the application watches
 * those signals itself (weft_reactor_add_signal_watch()).
 */
void
weft_reactor_run (WeftReactor *reactor)
{
  WeftSignalWatch *sigint = NULL;
  WeftSignalWatch *sigterm = NULL;

  g_return_if_fail (WEFT_IS_REACTOR (reactor));
  g_return_if_fail (!reactor->running);

  g_object_ref (reactor);
  reactor->running = TRUE;
  reactor->stopping = FALSE;
  reactor->stop_requested = FALSE;
  reactor->owner = g_thread_self ();
  if (!(reactor->flags & WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS))
    {
      /* A signal someone already watches keeps its handler: no error. */
      sigint = weft_reactor_add_signal_watch (reactor, SIGINT, stop_on_signal, reactor, NULL, NULL);
      sigterm = weft_reactor_add_signal_watch (reactor, SIGTERM, stop_on_signal, reactor, NULL, NULL);
    }

  weft_lifecycle_start (reactor->lifecycle);
  if (reactor->ops->flags & WEFT_BACKEND_OWNS_LOOP)
    {
      if (!reactor->stopping)
        reactor->ops->run (reactor->backend);
    }
  else
    while (!reactor->stopping)
      iterate_own_loop (reactor, TRUE);

  g_clear_pointer (&sigint, weft_signal_watch_remove);
  g_clear_pointer (&sigterm, weft_signal_watch_remove);
  reactor->running = FALSE;
  reactor->stopping = FALSE;
  g_object_unref (reactor);
}

/**
 * weft_reactor_stop:
 * @reactor: a reactor
 *
 * Fires the shutdown event: its "before" triggers run, and shutdown waits
 * (at most the shutdown timeout) for the deferreds they return; then the
 * "during" and "after" triggers. Then weft_reactor_run() returns, once the
 * current iteration is over. Nothing queued is lost: it runs when the
 * reactor runs again. Calling it again while shutdown is under way does
 * nothing more.
 */
void
weft_reactor_stop (WeftReactor *reactor)
{
  g_return_if_fail (WEFT_IS_REACTOR (reactor));

  reactor->stop_requested = TRUE;
  weft_lifecycle_stop (reactor->lifecycle, FALSE);
}

void
weft_reactor_finish_stop (WeftReactor *self)
{
  if (!self->running)
    return;
  self->stopping = TRUE;
  if (self->ops->flags & WEFT_BACKEND_OWNS_LOOP)
    self->ops->stop (self->backend);
}

WeftLifecycle *
weft_reactor_get_lifecycle (WeftReactor *self)
{
  return self->lifecycle;
}

gboolean
weft_reactor_runs_in_this_thread (WeftReactor *self)
{
  return self->running && self->owner == g_thread_self ();
}

WeftThreadPool **
weft_reactor_get_thread_pool_slot (WeftReactor *self)
{
  return &self->thread_pool;
}

void
weft_reactor_use_fake_clock (WeftReactor *self, gint64 now)
{
  self->fake_clock = TRUE;
  self->fake_now = now;
}

void
weft_reactor_advance_fake_clock (WeftReactor *self, gint64 delta_us)
{
  g_return_if_fail (self->fake_clock);
  g_return_if_fail (delta_us >= 0);

  self->fake_now += delta_us;
  weft_reactor_dispatch (self, G_MAXUINT);
}

/**
 * weft_reactor_is_running:
 * @reactor: a reactor
 *
 * Returns: %TRUE while weft_reactor_run() is running
 */
gboolean
weft_reactor_is_running (WeftReactor *reactor)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), FALSE);
  return reactor->running;
}

/**
 * weft_reactor_get_time:
 * @reactor: a reactor
 *
 * Returns: the monotonic clock, in microseconds, that timers use
 */
gint64
weft_reactor_get_time (WeftReactor *reactor)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), 0);
  return reactor_now (reactor);
}

/**
 * weft_reactor_get_backend_name:
 * @reactor: a reactor
 *
 * Returns: (transfer none): the backend's name, e.g. "epoll"
 */
const char *
weft_reactor_get_backend_name (WeftReactor *reactor)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  return reactor->ops->name;
}

/**
 * weft_reactor_get_context:
 * @reactor: a reactor
 *
 * Returns: (transfer none): the #GMainContext the reactor hosts (select,
 *   poll, epoll) or lives in (glib)
 */
GMainContext *
weft_reactor_get_context (WeftReactor *reactor)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  return reactor->context;
}

/**
 * weft_reactor_get_flags:
 * @reactor: a reactor
 *
 * Returns: the flags @reactor was created with
 */
WeftReactorFlags
weft_reactor_get_flags (WeftReactor *reactor)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), 0);
  return reactor->flags;
}

/**
 * weft_reactor_get_n_timers:
 * @reactor: a reactor
 *
 * Returns: the number of pending timers and soon calls
 */
guint
weft_reactor_get_n_timers (WeftReactor *reactor)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), 0);
  return reactor->n_timers;
}

/**
 * weft_reactor_get_n_watches:
 * @reactor: a reactor
 *
 * Returns: the number of fd watches added and not removed
 */
guint
weft_reactor_get_n_watches (WeftReactor *reactor)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), 0);
  return reactor->n_watches;
}

int
weft_reactor_get_wake_fd (WeftReactor *self)
{
  return self->wake_fd;
}

/**
 * weft_reactor_get_wakeup_count:
 * @reactor: a reactor
 *
 * Counts the times the reactor returned from waiting (for the glib backend:
 * the main-context iterations that prepared the reactor's source). An idle
 * reactor does not wake up, so this count stays still.
 *
 * Returns: the number of wake-ups so far
 */
guint64
weft_reactor_get_wakeup_count (WeftReactor *reactor)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), 0);
  return reactor->wakeups;
}

/* ------------------------------------------------------------------ */
/* Construction                                                         */

static void
weft_reactor_finalize (GObject *object)
{
  WeftReactor *self = WEFT_REACTOR (object);
  WeftTimerNode *top;

  /* Workers deliver through the thread-call queue: finish them first. */
  g_clear_pointer (&self->thread_pool, weft_thread_pool_free);

  /* Release every user's data, as if each call had been cancelled. */
  while ((top = weft_timer_heap_peek (&self->timers)) != NULL)
    weft_delayed_call_cancel (call_from_node (top));
  while (self->soon.head != NULL)
    weft_delayed_call_cancel (self->soon.head->data);

  g_clear_pointer (&self->lifecycle, weft_lifecycle_free);
  weft_signals_remove_all (self);
  for (int fd = 0; fd < self->fds_len; fd++)
    if (self->fds[fd].watch != NULL)
      weft_watch_remove (self->fds[fd].watch);

  for (guint i = 0; i < self->thread_calls->len; i++)
    {
      ThreadCall *call = &g_array_index (self->thread_calls, ThreadCall, i);

      if (call->notify != NULL)
        call->notify (call->user_data);
    }

  if (self->backend != NULL)
    self->ops->destroy (self->backend);
  if (self->wake_fd >= 0)
    close (self->wake_fd);

  weft_timer_heap_clear (&self->timers);
  g_free (self->fds);
  g_array_unref (self->ready);
  g_array_unref (self->thread_calls);
  g_array_unref (self->thread_calls_running);
  g_mutex_clear (&self->thread_lock);
  g_free (self->gfds);
  g_free (self->prev_gfds);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (weft_reactor_parent_class)->finalize (object);
}

static void
weft_reactor_class_init (WeftReactorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = weft_reactor_finalize;
}

static void
weft_reactor_init (WeftReactor *self)
{
  weft_timer_heap_init (&self->timers);
  g_queue_init (&self->soon);
  self->ready = g_array_new (FALSE, FALSE, sizeof (ReadyEvent));
  g_mutex_init (&self->thread_lock);
  self->thread_calls = g_array_new (FALSE, FALSE, sizeof (ThreadCall));
  self->thread_calls_running = g_array_new (FALSE, FALSE, sizeof (ThreadCall));
  self->wake_fd = -1;
  self->lifecycle = weft_lifecycle_new (self);
}

static const char *
resolve_backend_name (const char *name)
{
  if (name == NULL)
    name = weft_options_get_reactor_name ();
  if (name == NULL || *name == '\0')
    name = g_getenv ("WEFT_REACTOR");
  if (name == NULL || *name == '\0')
    name = DEFAULT_BACKEND;
  return name;
}

/* Creates a reactor on @ops; on failure @error holds the backend's own
 * reason, undecorated. */
static WeftReactor *
reactor_new_with_ops (const WeftBackendOps *ops, WeftReactorFlags flags, GMainContext *context, GError **error)
{
  g_autoptr (WeftReactor) self = g_object_new (WEFT_TYPE_REACTOR, NULL);

  self->ops = ops;
  self->flags = flags;
  self->context = g_main_context_ref (context != NULL ? context : g_main_context_default ());
  self->hosting = !(ops->flags & WEFT_BACKEND_OWNS_LOOP) && !(flags & WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING);

  self->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (self->wake_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _ ("Cannot create the reactor’s wake-up eventfd: %s"), g_strerror (saved_errno));
      return NULL;
    }

  self->backend = ops->create (self, error);
  if (self->backend == NULL)
    return NULL;

  self->wake_watch = weft_reactor_add_watch (self, self->wake_fd, WEFT_IO_READ, wake_fd_ready, self, NULL, error);
  if (self->wake_watch == NULL)
    return NULL;
  self->wake_watch->internal = TRUE;
  self->n_watches--;

  return g_steal_pointer (&self);
}

/**
 * weft_reactor_new_for_context:
 * @name: (nullable): a backend name ("select", "poll", "epoll", "glib"), or
 *   %NULL for the one chosen with `--reactor`, else `WEFT_REACTOR`, else the
 *   platform default
 * @flags: flags
 * @context: (nullable): the #GMainContext to host or live in; %NULL for the
 *   global default context
 * @error: return location for a #GError
 *
 * Creates a reactor. An unknown name fails with %WEFT_ERROR_UNKNOWN_REACTOR
 * and a backend that cannot run here with %WEFT_ERROR_REACTOR_UNAVAILABLE;
 * both messages list the backends that work.
 *
 * Returns: (transfer full) (nullable): a new reactor
 */
WeftReactor *
weft_reactor_new_for_context (const char *name, WeftReactorFlags flags, GMainContext *context, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  const WeftBackendOps *ops;
  WeftReactor *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  weft_i18n_init ();
  name = resolve_backend_name (name);
  ops = find_backend (name);
  if (ops == NULL)
    {
      g_autofree char *available = describe_available_backends ();

      g_set_error (error, WEFT_ERROR, WEFT_ERROR_UNKNOWN_REACTOR, _ ("Unknown reactor “%s”; available reactors: %s"),
                   name, available);
      return NULL;
    }

  self = reactor_new_with_ops (ops, flags, context, &local_error);
  if (self == NULL)
    {
      g_autofree char *available = describe_available_backends ();

      g_set_error (error, WEFT_ERROR, WEFT_ERROR_REACTOR_UNAVAILABLE,
                   _ ("Reactor “%s” is not available here (%s); available reactors: %s"), name, local_error->message,
                   available);
    }
  return self;
}

/**
 * weft_reactor_new:
 * @name: (nullable): a backend name, or %NULL for the one chosen with
 *   `--reactor`, else the `WEFT_REACTOR` environment variable, else the
 *   platform default (epoll on Linux)
 * @flags: flags
 * @error: return location for a #GError
 *
 * Creates a reactor on the global default #GMainContext. See
 * weft_reactor_new_for_context().
 *
 * Returns: (transfer full) (nullable): a new reactor
 */
WeftReactor *
weft_reactor_new (const char *name, WeftReactorFlags flags, GError **error)
{
  return weft_reactor_new_for_context (name, flags, NULL, error);
}
