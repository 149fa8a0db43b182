/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Twisted's LoopingCall: ticks are due at start + k * interval, so the
 * schedule does not drift with the time each tick takes. After a stall,
 * missed ticks are skipped (the default) or run back to back. */

#include "config.h"

#include "weft-error.h"
#include "weft-looping-call.h"

struct _WeftLoopingCall {
  GObject parent_instance;

  WeftReactor *reactor;
  WeftLoopingFunc func;
  gpointer user_data;
  GDestroyNotify notify;

  gboolean running;
  gboolean skip_missed;
  gint64 interval_us;
  gint64 start_time;
  guint64 tick;   /* index of the tick that ran last */
  guint64 count;  /* ticks run since start */
  guint64 missed; /* ticks skipped before the last one */
  WeftDelayedCall *pending;
  WeftDeferred *deferred;
};

G_DEFINE_FINAL_TYPE (WeftLoopingCall, weft_looping_call, G_TYPE_OBJECT)

static void run_tick (gpointer data);

static void
cancel_pending (WeftLoopingCall *self)
{
  if (self->pending != NULL)
    {
      weft_delayed_call_cancel (self->pending);
      g_clear_pointer (&self->pending, weft_delayed_call_unref);
    }
}

/* Ends the loop: fires the start deferred with @error, or with the call. */
static void
finish (WeftLoopingCall *self, GError *error)
{
  g_autoptr (WeftDeferred) deferred = g_steal_pointer (&self->deferred);

  self->running = FALSE;
  cancel_pending (self);
  if (deferred == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    weft_deferred_errback_take_error (deferred, error);
  else
    weft_deferred_callback_object (deferred, self);
}

static void
schedule_next (WeftLoopingCall *self)
{
  gint64 now = weft_reactor_get_time (self->reactor);
  guint64 next = self->tick + 1;
  gint64 due;

  if (self->interval_us == 0)
    due = now;
  else
    {
      if (self->skip_missed && now >= self->start_time + (gint64) next * self->interval_us)
        {
          /* The first tick boundary still ahead of now. */
          guint64 current = (guint64) ((now - self->start_time) / self->interval_us);

          self->missed = current + 1 - next;
          next = current + 1;
        }
      due = self->start_time + (gint64) next * self->interval_us;
    }
  self->tick = next - 1;
  self->pending = weft_delayed_call_ref (weft_reactor_call_later (self->reactor, due - now, run_tick,
                                                                  g_object_ref (self), g_object_unref));
}

static void
run_tick (gpointer data)
{
  WeftLoopingCall *self = data;
  g_autoptr (GError) error = NULL;
  gboolean again;

  g_clear_pointer (&self->pending, weft_delayed_call_unref);
  self->tick++;
  self->count++;
  again = self->func (self, self->user_data, &error);
  if (!self->running)
    return; /* stopped from inside the tick */
  if (!again || error != NULL)
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  self->missed = 0;
  schedule_next (self);
}

static void
cancel_loop (WeftDeferred *deferred, gpointer data)
{
  WeftLoopingCall *self = data;

  /* The deferred itself gets G_IO_ERROR_CANCELLED from its cancel(). */
  g_clear_object (&self->deferred);
  self->running = FALSE;
  cancel_pending (self);
}

/**
 * weft_looping_call_new:
 * @reactor: the reactor whose timers drive the loop
 * @func: (scope notified): the function to call on every tick
 * @user_data: (closure): data for @func
 * @notify: (nullable): frees @user_data when the looping call is finalized
 *
 * Creates a looping call; weft_looping_call_start() starts it.
 *
 * Returns: (transfer full): a new looping call
 */
WeftLoopingCall *
weft_looping_call_new (WeftReactor *reactor, WeftLoopingFunc func, gpointer user_data, GDestroyNotify notify)
{
  WeftLoopingCall *self;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (WEFT_TYPE_LOOPING_CALL, NULL);
  self->reactor = g_object_ref (reactor);
  self->func = func;
  self->user_data = user_data;
  self->notify = notify;
  return self;
}

/**
 * weft_looping_call_start:
 * @self: a looping call that is not running
 * @interval_us: microseconds between ticks (0: every iteration)
 * @now: whether the first tick runs at once, inside this call
 *
 * Starts calling the function every @interval_us. The returned deferred
 * fires with @self (as an object value) when the loop stops because the
 * function returned %FALSE or weft_looping_call_stop() was called, and with
 * the function's error if it failed. Cancelling the deferred stops the loop.
 *
 * Returns: (transfer full): a deferred for the end of the loop
 */
WeftDeferred *
weft_looping_call_start (WeftLoopingCall *self, gint64 interval_us, gboolean now)
{
  g_autoptr (WeftDeferred) deferred = NULL;

  g_return_val_if_fail (WEFT_IS_LOOPING_CALL (self), NULL);
  g_return_val_if_fail (!self->running, NULL);
  g_return_val_if_fail (interval_us >= 0, NULL);

  deferred = weft_deferred_new_with_canceller (cancel_loop, g_object_ref (self), g_object_unref);
  weft_deferred_set_description (deferred, "weft_looping_call_start");
  self->deferred = g_object_ref (deferred);
  self->running = TRUE;
  self->interval_us = interval_us;
  self->start_time = weft_reactor_get_time (self->reactor);
  self->count = 0;
  self->missed = 0;

  if (now)
    {
      self->tick = G_MAXUINT64; /* run_tick moves it to 0 */
      g_object_ref (self);
      run_tick (self);
      g_object_unref (self);
    }
  else
    {
      self->tick = 0;
      self->pending = weft_delayed_call_ref (weft_reactor_call_later (self->reactor, interval_us, run_tick,
                                                                      g_object_ref (self), g_object_unref));
    }
  return g_steal_pointer (&deferred);
}

/**
 * weft_looping_call_stop:
 * @self: a looping call
 *
 * Stops the loop; the start deferred fires with @self. Does nothing if the
 * loop is not running. Safe from inside the function.
 */
void
weft_looping_call_stop (WeftLoopingCall *self)
{
  g_return_if_fail (WEFT_IS_LOOPING_CALL (self));

  if (self->running)
    finish (self, NULL);
}

/**
 * weft_looping_call_is_running:
 * @self: a looping call
 *
 * Returns: %TRUE between start and stop
 */
gboolean
weft_looping_call_is_running (WeftLoopingCall *self)
{
  g_return_val_if_fail (WEFT_IS_LOOPING_CALL (self), FALSE);
  return self->running;
}

/**
 * weft_looping_call_set_skip_missed:
 * @self: a looping call
 * @skip_missed: %TRUE (the default) to skip ticks missed during a stall;
 *   %FALSE to run them back to back
 *
 * Chooses what happens when the reactor was busy past one or more ticks.
 */
void
weft_looping_call_set_skip_missed (WeftLoopingCall *self, gboolean skip_missed)
{
  g_return_if_fail (WEFT_IS_LOOPING_CALL (self));
  self->skip_missed = skip_missed;
}

/**
 * weft_looping_call_get_skip_missed:
 * @self: a looping call
 *
 * Returns: whether missed ticks are skipped
 */
gboolean
weft_looping_call_get_skip_missed (WeftLoopingCall *self)
{
  g_return_val_if_fail (WEFT_IS_LOOPING_CALL (self), FALSE);
  return self->skip_missed;
}

/**
 * weft_looping_call_get_count:
 * @self: a looping call
 *
 * Returns: how many times the function ran since the last start
 */
guint64
weft_looping_call_get_count (WeftLoopingCall *self)
{
  g_return_val_if_fail (WEFT_IS_LOOPING_CALL (self), 0);
  return self->count;
}

/**
 * weft_looping_call_get_missed:
 * @self: a looping call
 *
 * Returns: how many ticks were skipped before the tick that is running or
 *   scheduled (0 unless the reactor stalled)
 */
guint64
weft_looping_call_get_missed (WeftLoopingCall *self)
{
  g_return_val_if_fail (WEFT_IS_LOOPING_CALL (self), 0);
  return self->missed;
}

/**
 * weft_looping_call_get_interval:
 * @self: a looping call
 *
 * Returns: the interval given to the last start, in microseconds
 */
gint64
weft_looping_call_get_interval (WeftLoopingCall *self)
{
  g_return_val_if_fail (WEFT_IS_LOOPING_CALL (self), 0);
  return self->interval_us;
}

static void
weft_looping_call_dispose (GObject *object)
{
  WeftLoopingCall *self = WEFT_LOOPING_CALL (object);

  cancel_pending (self);
  G_OBJECT_CLASS (weft_looping_call_parent_class)->dispose (object);
}

static void
weft_looping_call_finalize (GObject *object)
{
  WeftLoopingCall *self = WEFT_LOOPING_CALL (object);

  g_clear_object (&self->deferred);
  if (self->notify != NULL)
    self->notify (self->user_data);
  g_clear_object (&self->reactor);
  G_OBJECT_CLASS (weft_looping_call_parent_class)->finalize (object);
}

static void
weft_looping_call_class_init (WeftLoopingCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = weft_looping_call_dispose;
  object_class->finalize = weft_looping_call_finalize;
}

static void
weft_looping_call_init (WeftLoopingCall *self)
{
  self->skip_missed = TRUE;
}
