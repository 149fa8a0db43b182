/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A pool of worker threads per reactor, created on first use.
 *
 * Results come back through weft_reactor_call_from_thread(), so deferreds
 * fire in the reactor's thread. The shutdown event stops the pool without
 * blocking the reactor: a helper thread waits for the workers while the
 * reactor keeps serving them (a worker may be in
 * weft_reactor_blocking_call_from_thread(), waiting on the reactor). */

#include "config.h"

#include "weft-deferred.h"
#include "weft-error.h"
#include "weft-lifecycle.h"
#include "weft-threads-private.h"
#include "weft-threads.h"

struct _WeftThreadPool {
  WeftReactor *reactor; /* not owned: the reactor owns the pool */
  GThreadPool *pool;
  guint max_threads;
  guint trigger_id;
  GThread *stopper;
  WeftDeferred *stopped;
};

typedef struct {
  WeftReactor *reactor;
  WeftCallback call;
  WeftThreadFunc func;
  gpointer user_data;
  GDestroyNotify notify;
  WeftDeferred *deferred;
  WeftResult *result;
} Job;

static guint
default_pool_size (void)
{
  /* Workers mostly wait (DNS, disk, blocking libraries), so more than the
   * cores: 10 on small machines, twice the cores on large ones. */
  return CLAMP (2 * g_get_num_processors (), 10, 32);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  if (job->notify != NULL)
    job->notify (job->user_data);
  g_clear_object (&job->deferred);
  g_clear_pointer (&job->result, weft_result_free);
  g_free (job);
}

static void
job_deliver (gpointer data)
{
  Job *job = data;

  weft_deferred_callback_result (job->deferred, job->result);
}

static void
worker (gpointer data, gpointer pool_data)
{
  Job *job = data;

  if (job->call != NULL)
    {
      job->call (job->user_data);
      /* call_in_thread frees its data in the worker: nothing returns. */
      if (job->notify != NULL)
        job->notify (job->user_data);
      g_free (job);
      return;
    }
  job->func (job->result, job->user_data);
  weft_reactor_call_from_thread (job->reactor, job_deliver, job, job_free);
}

static void
pool_stopped (gpointer data)
{
  WeftThreadPool *self = data;
  g_autoptr (WeftDeferred) stopped = g_steal_pointer (&self->stopped);

  g_thread_join (g_steal_pointer (&self->stopper));
  *weft_reactor_get_extension_slot (self->reactor) = NULL;
  g_free (self);
  weft_deferred_callback_none (stopped);
}

static gpointer
stopper_main (gpointer data)
{
  WeftThreadPool *self = data;

  g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
  weft_reactor_call_from_thread (self->reactor, pool_stopped, self, NULL);
  return NULL;
}

static WeftDeferred *
stop_pool_on_shutdown (WeftReactor *reactor, gpointer data)
{
  WeftThreadPool *self = data;

  /* One shot: the next use after shutdown makes a new pool. */
  weft_reactor_remove_system_event_trigger (reactor, self->trigger_id);
  self->trigger_id = 0;
  self->stopped = weft_deferred_new ();
  weft_deferred_set_description (self->stopped, "thread pool shutdown");
  self->stopper = g_thread_new ("weft-pool-stop", stopper_main, self);
  return g_object_ref (self->stopped);
}

void
weft_thread_pool_free (WeftThreadPool *self)
{
  if (self->stopper != NULL)
    {
      /* Shutdown is under way: let the stopper finish; its delivery is
       * dropped with the reactor's other pending thread calls. */
      g_thread_join (g_steal_pointer (&self->stopper));
      g_clear_object (&self->stopped);
    }
  else
    {
      if (self->trigger_id != 0)
        weft_reactor_remove_system_event_trigger (self->reactor, self->trigger_id);
      g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
    }
  g_free (self);
}

static WeftThreadPool *
get_pool (WeftReactor *reactor)
{
  WeftThreadPool **slot = (WeftThreadPool **) weft_reactor_get_extension_slot (reactor);
  WeftThreadPool *self = *slot;
  g_autoptr (GError) error = NULL;

  if (self != NULL && self->pool != NULL && self->stopper == NULL)
    return self;
  if (self != NULL)
    {
      /* The old pool is stopping; it clears the slot when done, and work
       * submitted after that gets a fresh pool. */
      g_warning ("Work was submitted to a reactor's thread pool while the reactor shuts down; dropped");
      return NULL;
    }

  self = g_new0 (WeftThreadPool, 1);
  self->reactor = reactor;
  self->max_threads = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (reactor), "weft-thread-pool-size"));
  if (self->max_threads == 0)
    self->max_threads = default_pool_size ();
  self->pool = g_thread_pool_new (worker, self, self->max_threads, FALSE, &error);
  g_assert_no_error (error);
  self->trigger_id = weft_reactor_add_system_event_trigger (reactor, WEFT_TRIGGER_DURING, WEFT_SYSTEM_EVENT_SHUTDOWN,
                                                            stop_pool_on_shutdown, self, NULL);
  weft_reactor_set_extension_free_func (reactor, (GDestroyNotify) weft_thread_pool_free);
  *slot = self;
  return self;
}

/**
 * weft_reactor_call_in_thread:
 * @reactor: a reactor
 * @func: (scope notified): runs in a worker thread
 * @user_data: (closure): data for @func
 * @notify: (nullable): frees @user_data in the worker, after @func
 *
 * Runs @func in the reactor's thread pool. Use
 * weft_reactor_defer_to_thread() to get a result back.
 */
void
weft_reactor_call_in_thread (WeftReactor *reactor, WeftCallback func, gpointer user_data, GDestroyNotify notify)
{
  WeftThreadPool *self;
  Job *job;

  g_return_if_fail (WEFT_IS_REACTOR (reactor));
  g_return_if_fail (func != NULL);

  self = get_pool (reactor);
  if (self == NULL)
    return;
  job = g_new0 (Job, 1);
  job->reactor = reactor;
  job->call = func;
  job->user_data = user_data;
  job->notify = notify;
  g_thread_pool_push (self->pool, job, NULL);
}

/**
 * weft_reactor_defer_to_thread:
 * @reactor: a reactor
 * @func: (scope notified): runs in a worker thread and fills in its result
 * @user_data: (closure): data for @func
 * @notify: (nullable): frees @user_data in the reactor's thread, after the
 *   deferred fired
 *
 * Runs @func in the reactor's thread pool and fires the returned deferred,
 * in the reactor's thread, with the value or error @func put in its result.
 * Cancelling the deferred does not interrupt @func; its result is dropped.
 *
 * Returns: (transfer full): a deferred for @func's result
 */
WeftDeferred *
weft_reactor_defer_to_thread (WeftReactor *reactor, WeftThreadFunc func, gpointer user_data, GDestroyNotify notify)
{
  WeftThreadPool *self;
  WeftDeferred *deferred;
  Job *job;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  deferred = weft_deferred_new ();
  weft_deferred_set_description (deferred, "weft_reactor_defer_to_thread");
  self = get_pool (reactor);
  if (self == NULL)
    {
      weft_deferred_errback_literal (deferred, WEFT_ERROR, WEFT_ERROR_FAILED,
                                     "The reactor's thread pool is shutting down");
      return deferred;
    }
  job = g_new0 (Job, 1);
  job->reactor = reactor;
  job->func = func;
  job->user_data = user_data;
  job->notify = notify;
  job->deferred = g_object_ref (deferred);
  job->result = weft_result_new ();
  g_thread_pool_push (self->pool, job, NULL);
  return deferred;
}

typedef struct {
  GMutex lock;
  GCond cond;
  gboolean done;
  WeftResult *result;
  WeftDeferredFunc func;
  gpointer user_data;
} BlockingCall;

static void
blocking_call_finish (BlockingCall *call, const WeftResult *result)
{
  WeftResult *copy = weft_result_copy (result);

  g_mutex_lock (&call->lock);
  call->result = copy;
  call->done = TRUE;
  g_cond_signal (&call->cond);
  /* The waiting thread owns @call again once this unlock returns. */
  g_mutex_unlock (&call->lock);
}

static WeftDeferred *
blocking_call_fired (WeftResult *result, gpointer data)
{
  blocking_call_finish (data, result);
  return NULL;
}

static void
blocking_call_run (gpointer data)
{
  BlockingCall *call = data;
  g_autoptr (WeftResult) result = weft_result_new ();
  WeftDeferred *deferred = call->func (result, call->user_data);

  if (deferred == NULL)
    {
      blocking_call_finish (call, result);
      return;
    }
  weft_deferred_add_both (deferred, blocking_call_fired, call, NULL);
  g_object_unref (deferred);
}

/**
 * weft_reactor_blocking_call_from_thread:
 * @reactor: a reactor
 * @func: (scope call): runs in the reactor's thread, like a deferred
 *   callback: it fills in its result, or returns a deferred to wait for
 * @user_data: (closure): data for @func
 * @result: (not nullable): receives the outcome
 *
 * From a worker thread, runs @func in the reactor's thread and waits for its
 * outcome, which is copied into @result. Must not be called from the
 * reactor's own thread, which would wait for itself.
 *
 * Returns: %TRUE if @result holds a value, %FALSE if it holds an error
 */
gboolean
weft_reactor_blocking_call_from_thread (WeftReactor *reactor,
                                        WeftDeferredFunc func,
                                        gpointer user_data,
                                        WeftResult *result)
{
  BlockingCall call = { 0 };
  const GError *error;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (!weft_reactor_runs_in_this_thread (reactor), FALSE);

  g_mutex_init (&call.lock);
  g_cond_init (&call.cond);
  call.func = func;
  call.user_data = user_data;

  weft_reactor_call_from_thread (reactor, blocking_call_run, &call, NULL);

  g_mutex_lock (&call.lock);
  while (!call.done)
    g_cond_wait (&call.cond, &call.lock);
  g_mutex_unlock (&call.lock);
  g_mutex_clear (&call.lock);
  g_cond_clear (&call.cond);

  weft_result_clear (result);
  error = weft_result_get_error (call.result);
  if (error != NULL)
    weft_result_set_error (result, error);
  else if (!weft_result_is_empty (call.result))
    weft_result_set_value (result, weft_result_get_value (call.result));
  weft_result_free (call.result);
  return error == NULL;
}

/**
 * weft_reactor_set_thread_pool_size:
 * @reactor: a reactor
 * @max_threads: the most worker threads the pool may run at once (0 for
 *   the default: 10, or twice the processors on machines with more than 5)
 *
 * Sizes the reactor's thread pool, now or when it is next created.
 */
void
weft_reactor_set_thread_pool_size (WeftReactor *reactor, guint max_threads)
{
  WeftThreadPool *self;

  g_return_if_fail (WEFT_IS_REACTOR (reactor));

  g_object_set_data (G_OBJECT (reactor), "weft-thread-pool-size", GUINT_TO_POINTER (max_threads));
  self = *weft_reactor_get_extension_slot (reactor);
  if (self != NULL && self->pool != NULL)
    {
      self->max_threads = max_threads != 0 ? max_threads : default_pool_size ();
      g_thread_pool_set_max_threads (self->pool, self->max_threads, NULL);
    }
}

/**
 * weft_reactor_get_thread_pool_size:
 * @reactor: a reactor
 *
 * Returns: the most worker threads the reactor's pool runs at once
 */
guint
weft_reactor_get_thread_pool_size (WeftReactor *reactor)
{
  guint size;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), 0);

  size = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (reactor), "weft-thread-pool-size"));
  return size != 0 ? size : default_pool_size ();
}
