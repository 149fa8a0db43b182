/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Delayed calls: timers and "soon" calls. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "weft-error.h"
#include "weft-reactor-impl-private.h"
#include "weft-signals-private.h"

G_DEFINE_BOXED_TYPE (WeftDelayedCall, weft_delayed_call, weft_delayed_call_ref, weft_delayed_call_unref)
/* ------------------------------------------------------------------ */
/* Delayed calls                                                        */

WeftDelayedCall *
weft_delayed_call_from_node (WeftTimerNode *node)
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

void
weft_delayed_call_run (WeftDelayedCall *call)
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
  gint64 now;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (callback != NULL, NULL);

  call = delayed_call_new (reactor, callback, user_data, notify);
  call->state = CALL_TIMER;
  now = reactor_now (reactor);
  /* A delay past the end of time saturates instead of wrapping around. */
  weft_timer_heap_push (&reactor->timers, &call->node, now + CLAMP (delay_us, 0, G_MAXINT64 - now));
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
