/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The reactor: construction, one iteration, run and stop, calls from other
 * threads. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "weft-error.h"
#include "weft-i18n-private.h"
#include "weft-reactor-impl-private.h"
#include "weft-signals-private.h"

G_DEFINE_FINAL_TYPE (WeftReactor, weft_reactor, G_TYPE_OBJECT)
/* ------------------------------------------------------------------ */
/* Calls from other threads                                             */

/* The run starts: the layer above fires its startup event. */
static void
reactor_start (WeftReactor *self)
{
  if (self->live)
    return;
  self->started = TRUE;
  self->live = TRUE;
  if (self->run_hooks != NULL)
    self->run_hooks->start (self->run_hooks_data);
}

/* A stop is asked for: the layer above runs its shutdown event first, or
 * the stop finishes at once. */
static void
reactor_request_stop (WeftReactor *self, gboolean force)
{
  if (self->run_hooks != NULL)
    self->run_hooks->stop (self->run_hooks_data, force);
  else
    weft_reactor_finish_stop (self);
}

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

void
weft_reactor_wake_fd_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
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
  if ((self->ops->flags & WEFT_BACKEND_OWNS_LOOP) && !self->started)
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
      WeftDelayedCall *call = weft_delayed_call_from_node (top);

      if (ran == max_timers)
        return TRUE;
      weft_timer_heap_remove (&self->timers, top);
      self->n_timers--;
      weft_delayed_call_run (call);
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
      weft_delayed_call_run (call);
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
  /* An application's GLib loop runs the reactor (the glib backend, or
   * weft-glib-driver.c): startup fires on its first iteration. */
  if (((self->ops->flags & WEFT_BACKEND_OWNS_LOOP) || self->glib_driven_dispatching) && !self->started)
    reactor_start (self);
  weft_reactor_check_watched_fds (self);
  weft_reactor_dispatch_ready (self);
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
  weft_reactor_note_driven (self);
}

static gboolean
iterate_own_loop (WeftReactor *self, gboolean may_block)
{
  gint64 timeout_us = may_block ? weft_reactor_get_timeout (self) : 0;
  gboolean hosted = FALSE;
  gboolean glib_ready = FALSE;
  int max_priority = G_MAXINT;
  guint before;

  self->own_iteration++;
  /* Being driven, from here to the end of the iteration, however long its
   * callbacks take. */
  g_atomic_int_set (&self->in_wait, 1);
  if (self->hosting)
    hosted = weft_glib_host_prepare (self, &timeout_us, &max_priority);
  if (!may_block)
    timeout_us = 0;

  if (hosted && self->glib_fds_polled)
    self->ops->wait_glib (self->backend, self->gfds, self->n_gfds, timeout_us);
  else
    self->ops->wait (self->backend, timeout_us);
  self->wakeups++;
  weft_reactor_note_driven (self);

  if (hosted)
    glib_ready = weft_glib_host_check (self, max_priority);

  before = self->ready->len;
  weft_reactor_dispatch (self, G_MAXUINT);

  if (hosted)
    {
      if (glib_ready)
        g_main_context_dispatch (self->context);
      g_main_context_release (self->context);
    }
  self->own_iteration--;
  if (self->own_iteration == 0)
    g_atomic_int_set (&self->in_wait, 0);
  weft_reactor_note_driven (self);
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
  reactor_request_stop (self, self->stop_requested);
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

  reactor_start (reactor);
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
  reactor_request_stop (reactor, FALSE);
}

void
weft_reactor_finish_stop (WeftReactor *self)
{
  self->live = FALSE;
  if (!self->running)
    return;
  self->stopping = TRUE;
  if (self->ops->flags & WEFT_BACKEND_OWNS_LOOP)
    self->ops->stop (self->backend);
}

void
weft_reactor_set_run_hooks (WeftReactor *self,
                            const WeftReactorRunHooks *hooks,
                            gpointer data,
                            GDestroyNotify free_data)
{
  g_return_if_fail (self->run_hooks == NULL);

  self->run_hooks = hooks;
  self->run_hooks_data = data;
  self->run_hooks_free = free_data;
}

gpointer
weft_reactor_get_run_hooks_data (WeftReactor *self)
{
  return self->run_hooks_data;
}

gboolean
weft_reactor_has_started (WeftReactor *self)
{
  return self->started;
}

gboolean
weft_reactor_is_live (WeftReactor *self)
{
  return self->live;
}

gboolean
weft_reactor_runs_in_this_thread (WeftReactor *self)
{
  return self->running && self->owner == g_thread_self ();
}

gpointer *
weft_reactor_get_extension_slot (WeftReactor *self)
{
  return &self->extension;
}

void
weft_reactor_set_extension_free_func (WeftReactor *self, GDestroyNotify free_func)
{
  self->extension_free = free_func;
}

void
weft_reactor_set_time_source (WeftReactor *self, WeftTimeSourceFunc func, gpointer data, GDestroyNotify notify)
{
  if (self->time_notify != NULL)
    self->time_notify (self->time_data);
  self->time_func = func;
  self->time_data = data;
  self->time_notify = notify;
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

  /* GLib must not call into a reactor being finalized. */
  weft_drive_check_remove (self);
  weft_glib_driver_uninstall (self);

  /* Workers deliver through the thread-call queue: finish them first. */
  if (self->extension != NULL && self->extension_free != NULL)
    self->extension_free (g_steal_pointer (&self->extension));

  /* Release every user's data, as if each call had been cancelled. */
  while ((top = weft_timer_heap_peek (&self->timers)) != NULL)
    weft_delayed_call_cancel (weft_delayed_call_from_node (top));
  while (self->soon.head != NULL)
    weft_delayed_call_cancel (self->soon.head->data);

  if (self->time_notify != NULL)
    self->time_notify (self->time_data);
  self->time_func = NULL;
  if (self->run_hooks_free != NULL)
    self->run_hooks_free (self->run_hooks_data);
  self->run_hooks = NULL;
  self->run_hooks_data = NULL;
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
}

/* Creates a reactor on @ops; on failure @error holds the backend's own
 * reason, undecorated. */
WeftReactor *
weft_reactor_new_with_ops (const WeftBackendOps *ops, WeftReactorFlags flags, GMainContext *context, GError **error)
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

  self->wake_watch =
      weft_reactor_add_watch (self, self->wake_fd, WEFT_IO_READ, weft_reactor_wake_fd_ready, self, NULL, error);
  if (self->wake_watch == NULL)
    return NULL;
  self->wake_watch->internal = TRUE;
  self->n_watches--;

  if (self->hosting)
    weft_glib_driver_install (self);
  weft_drive_check_add (self);
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
  name = weft_reactor_resolve_backend_name (name);
  ops = weft_reactor_find_backend (name);
  if (ops == NULL)
    {
      g_autofree char *available = weft_reactor_describe_available_backends ();

      g_set_error (error, WEFT_ERROR, WEFT_ERROR_UNKNOWN_REACTOR, _ ("Unknown reactor “%s”; available reactors: %s"),
                   name, available);
      return NULL;
    }

  self = weft_reactor_new_with_ops (ops, flags, context, &local_error);
  if (self == NULL)
    {
      g_autofree char *available = weft_reactor_describe_available_backends ();

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
