/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* System event triggers: Twisted's three-phase startup and shutdown events.
 *
 * An event runs its "before" triggers, waits for the deferreds they
 * returned, runs its "during" triggers, waits again, then runs its "after"
 * triggers. Each shutdown phase waits at most the shutdown timeout, then
 * goes on regardless: a peer that never answers must not keep a client from
 * quitting. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-deferred.h"
#include "weft-reactor-private.h"
#include "weft-lifecycle.h"

#define DEFAULT_SHUTDOWN_TIMEOUT_US (10 * G_USEC_PER_SEC)

typedef enum {
  STATE_STOPPED,
  STATE_STARTING,
  STATE_RUNNING,
  STATE_STOPPING,
} State;

typedef struct {
  guint id;
  WeftTriggerPhase phase;
  WeftSystemEvent event;
  WeftTriggerFunc func;
  WeftCallback callback; /* call_when_running: a one-shot trigger, no func */
  gpointer user_data;
  GDestroyNotify notify;
} Trigger;

typedef struct _WeftLifecycle WeftLifecycle;

struct _WeftLifecycle {
  WeftReactor *reactor; /* owns this */
  State state;
  gboolean stop_pending; /* stop() came while the startup event fired */
  GList *triggers;       /* Trigger, in the order they were added */
  guint next_id;
  gint64 shutdown_timeout_us;
  /* The phase being waited for, and a generation that outdates stale
   * completions after a forced stop. */
  WeftDeferred *waiting;
  WeftDelayedCall *timeout;
  guint generation;
};

typedef struct {
  WeftLifecycle *lifecycle;
  WeftSystemEvent event;
  WeftTriggerPhase phase;
  guint generation;
} PhaseDone;

static void run_phase (WeftLifecycle *self, WeftSystemEvent event, WeftTriggerPhase phase);
static void weft_lifecycle_stop (WeftLifecycle *self, gboolean force);

static void
trigger_free (Trigger *trigger)
{
  if (trigger->notify != NULL)
    trigger->notify (trigger->user_data);
  g_free (trigger);
}

static WeftLifecycle *
weft_lifecycle_new (WeftReactor *reactor)
{
  WeftLifecycle *self = g_new0 (WeftLifecycle, 1);

  self->reactor = reactor;
  self->next_id = 1;
  self->shutdown_timeout_us = DEFAULT_SHUTDOWN_TIMEOUT_US;
  return self;
}

static void
abandon_waiting (WeftLifecycle *self)
{
  self->generation++;
  if (self->timeout != NULL)
    {
      weft_delayed_call_cancel (self->timeout);
      g_clear_pointer (&self->timeout, weft_delayed_call_unref);
    }
  if (self->waiting != NULL)
    weft_deferred_cancel (self->waiting);
  g_clear_object (&self->waiting);
}

static void
weft_lifecycle_free (WeftLifecycle *self)
{
  abandon_waiting (self);
  g_list_free_full (self->triggers, (GDestroyNotify) trigger_free);
  g_free (self);
}

static WeftDeferred *
log_trigger_error (WeftResult *result, gpointer user_data)
{
  /* Cancelled: shutdown gave up waiting, and says so once, itself. */
  if (!weft_result_is_cancelled (result))
    g_warning ("A reactor %s trigger failed: %s", (const char *) user_data, weft_result_get_error (result)->message);
  weft_result_clear (result);
  return NULL;
}

static void
event_done (WeftLifecycle *self, WeftSystemEvent event)
{
  if (event == WEFT_SYSTEM_EVENT_STARTUP)
    {
      if (self->state != STATE_STARTING)
        return;
      self->state = STATE_RUNNING;
      /* Stopped while starting: shut down once startup is complete. */
      if (self->stop_pending)
        {
          self->stop_pending = FALSE;
          weft_lifecycle_stop (self, FALSE);
        }
      return;
    }
  self->state = STATE_STOPPED;
  weft_reactor_finish_stop (self->reactor);
}

static void
next_phase (WeftLifecycle *self, WeftSystemEvent event, WeftTriggerPhase phase)
{
  if (phase == WEFT_TRIGGER_AFTER)
    event_done (self, event);
  else
    run_phase (self, event, phase + 1);
}

static WeftDeferred *
phase_waited (WeftResult *result, gpointer user_data)
{
  PhaseDone *done = user_data;
  WeftLifecycle *self = done->lifecycle;

  if (done->generation != self->generation)
    return NULL;
  self->generation++;
  if (self->timeout != NULL)
    {
      weft_delayed_call_cancel (self->timeout);
      g_clear_pointer (&self->timeout, weft_delayed_call_unref);
    }
  g_clear_object (&self->waiting);
  next_phase (self, done->event, done->phase);
  return NULL;
}

static void
phase_timed_out (gpointer user_data)
{
  PhaseDone *done = user_data;
  WeftLifecycle *self = done->lifecycle;
  g_autoptr (WeftDeferred) waiting = g_steal_pointer (&self->waiting);

  g_clear_pointer (&self->timeout, weft_delayed_call_unref);
  g_warning ("Reactor shutdown waited %.1f s for its triggers; stopping anyway",
             self->shutdown_timeout_us / (double) G_USEC_PER_SEC);
  /* Outdate the phase, cancel the late work, and go on. */
  self->generation++;
  weft_deferred_cancel (waiting);
  next_phase (self, done->event, done->phase);
}

/* Runs the triggers of one phase, then the next phase — at once, or when
 * the deferreds the triggers returned have fired. */
static void
run_phase (WeftLifecycle *self, WeftSystemEvent event, WeftTriggerPhase phase)
{
  const char *event_name = event == WEFT_SYSTEM_EVENT_STARTUP ? "startup" : "shutdown";
  g_autoptr (GPtrArray) deferreds = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) due = g_ptr_array_new ();
  PhaseDone *done;

  /* Snapshot: triggers added by triggers wait for the next event. */
  for (GList *l = self->triggers; l != NULL; l = l->next)
    {
      Trigger *trigger = l->data;

      if (trigger->event == event && trigger->phase == phase)
        g_ptr_array_add (due, GUINT_TO_POINTER (trigger->id));
    }

  for (guint i = 0; i < due->len; i++)
    {
      guint id = GPOINTER_TO_UINT (due->pdata[i]);
      Trigger *trigger = NULL;
      WeftDeferred *deferred = NULL;

      for (GList *l = self->triggers; l != NULL; l = l->next)
        if (((Trigger *) l->data)->id == id)
          {
            trigger = l->data;
            if (trigger->callback != NULL)
              self->triggers = g_list_delete_link (self->triggers, l);
            break;
          }
      if (trigger == NULL)
        continue; /* removed by an earlier trigger */

      if (trigger->callback != NULL)
        {
          trigger->callback (trigger->user_data);
          trigger_free (trigger);
          continue;
        }
      deferred = trigger->func (self->reactor, trigger->user_data);
      if (deferred != NULL && phase != WEFT_TRIGGER_AFTER)
        {
          weft_deferred_add_errback (deferred, log_trigger_error, (gpointer) event_name, NULL);
          g_ptr_array_add (deferreds, deferred);
        }
      else if (deferred != NULL)
        {
          weft_deferred_add_errback (deferred, log_trigger_error, (gpointer) event_name, NULL);
          g_object_unref (deferred);
        }
    }

  if (deferreds->len == 0)
    {
      next_phase (self, event, phase);
      return;
    }

  done = g_new0 (PhaseDone, 1);
  done->lifecycle = self;
  done->event = event;
  done->phase = phase;
  done->generation = self->generation;
  self->waiting = weft_deferred_gather ((WeftDeferred *const *) deferreds->pdata, deferreds->len);
  if (event == WEFT_SYSTEM_EVENT_SHUTDOWN)
    self->timeout =
        weft_delayed_call_ref (weft_reactor_call_later (self->reactor, self->shutdown_timeout_us, phase_timed_out,
                                                        g_memdup2 (done, sizeof *done), g_free));
  weft_deferred_add_both (self->waiting, phase_waited, done, g_free);
}

static void
weft_lifecycle_start (WeftLifecycle *self)
{
  if (self->state != STATE_STOPPED)
    return;
  self->state = STATE_STARTING;
  run_phase (self, WEFT_SYSTEM_EVENT_STARTUP, WEFT_TRIGGER_BEFORE);
}

static void
weft_lifecycle_stop (WeftLifecycle *self, gboolean force)
{
  switch (self->state)
    {
    case STATE_STOPPED:
      /* Never started (a reactor driven by weft_reactor_iterate()): there
       * is no event to fire, but a running loop still ends. */
      weft_reactor_finish_stop (self->reactor);
      break;
    case STATE_STARTING:
      if (!force)
        {
          self->stop_pending = TRUE;
          break;
        }
      G_GNUC_FALLTHROUGH;
    case STATE_RUNNING:
      self->state = STATE_STOPPING;
      if (force)
        {
          event_done (self, WEFT_SYSTEM_EVENT_SHUTDOWN);
          return;
        }
      run_phase (self, WEFT_SYSTEM_EVENT_SHUTDOWN, WEFT_TRIGGER_BEFORE);
      break;
    case STATE_STOPPING:
      if (force)
        {
          abandon_waiting (self);
          event_done (self, WEFT_SYSTEM_EVENT_SHUTDOWN);
        }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
lifecycle_hook_start (gpointer data)
{
  weft_lifecycle_start (data);
}

static void
lifecycle_hook_stop (gpointer data, gboolean force)
{
  weft_lifecycle_stop (data, force);
}

static const WeftReactorRunHooks lifecycle_hooks = {
  lifecycle_hook_start,
  lifecycle_hook_stop,
};

/* The reactor's lifecycle, hooked into its run the first time something
 * asks for it; a reactor that is already running counts as started. */
static WeftLifecycle *
lifecycle_for (WeftReactor *reactor)
{
  WeftLifecycle *self = weft_reactor_get_run_hooks_data (reactor);

  if (self != NULL)
    return self;
  self = weft_lifecycle_new (reactor);
  self->state = weft_reactor_is_live (reactor) ? STATE_RUNNING : STATE_STOPPED;
  weft_reactor_set_run_hooks (reactor, &lifecycle_hooks, self, (GDestroyNotify) weft_lifecycle_free);
  return self;
}

/**
 * weft_reactor_add_system_event_trigger:
 * @reactor: a reactor
 * @phase: when within the event
 * @event: startup or shutdown
 * @func: (scope notified): the trigger
 * @user_data: (closure): data for @func
 * @notify: (nullable): frees @user_data when the trigger is removed or the
 *   reactor finalized
 *
 * Adds a trigger that runs each time @event fires, in @phase. Triggers of
 * one phase run in the order they were added. A trigger added while its
 * event fires runs the next time.
 *
 * Returns: an id for weft_reactor_remove_system_event_trigger()
 */
guint
weft_reactor_add_system_event_trigger (WeftReactor *reactor,
                                       WeftTriggerPhase phase,
                                       WeftSystemEvent event,
                                       WeftTriggerFunc func,
                                       gpointer user_data,
                                       GDestroyNotify notify)
{
  WeftLifecycle *self;
  Trigger *trigger;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), 0);
  g_return_val_if_fail (func != NULL, 0);
  g_return_val_if_fail (phase <= WEFT_TRIGGER_AFTER, 0);
  g_return_val_if_fail (event <= WEFT_SYSTEM_EVENT_SHUTDOWN, 0);

  self = lifecycle_for (reactor);
  trigger = g_new0 (Trigger, 1);
  trigger->id = self->next_id++;
  trigger->phase = phase;
  trigger->event = event;
  trigger->func = func;
  trigger->user_data = user_data;
  trigger->notify = notify;
  self->triggers = g_list_append (self->triggers, trigger);
  return trigger->id;
}

/**
 * weft_reactor_remove_system_event_trigger:
 * @reactor: a reactor
 * @trigger_id: an id from weft_reactor_add_system_event_trigger()
 *
 * Removes a trigger, calling its notify function.
 *
 * Returns: %TRUE if the trigger existed
 */
gboolean
weft_reactor_remove_system_event_trigger (WeftReactor *reactor, guint trigger_id)
{
  WeftLifecycle *self;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), FALSE);

  self = lifecycle_for (reactor);
  for (GList *l = self->triggers; l != NULL; l = l->next)
    {
      Trigger *trigger = l->data;

      if (trigger->id == trigger_id && trigger->callback == NULL)
        {
          self->triggers = g_list_delete_link (self->triggers, l);
          trigger_free (trigger);
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * weft_reactor_call_when_running:
 * @reactor: a reactor
 * @callback: (scope notified): the function to call
 * @user_data: (closure): data for @callback
 * @notify: (nullable): frees @user_data after @callback ran, or when the
 *   reactor is finalized without having run it
 *
 * Runs @callback once the reactor runs: during its next startup event, or
 * in the next iteration (weft_reactor_call_soon()) if it runs already.
 */
void
weft_reactor_call_when_running (WeftReactor *reactor, WeftCallback callback, gpointer user_data, GDestroyNotify notify)
{
  WeftLifecycle *self;
  Trigger *trigger;

  g_return_if_fail (WEFT_IS_REACTOR (reactor));
  g_return_if_fail (callback != NULL);

  self = lifecycle_for (reactor);
  if (self->state == STATE_STARTING || self->state == STATE_RUNNING)
    {
      weft_reactor_call_soon (reactor, callback, user_data, notify);
      return;
    }
  trigger = g_new0 (Trigger, 1);
  trigger->id = self->next_id++;
  trigger->phase = WEFT_TRIGGER_DURING;
  trigger->event = WEFT_SYSTEM_EVENT_STARTUP;
  trigger->callback = callback;
  trigger->user_data = user_data;
  trigger->notify = notify;
  self->triggers = g_list_append (self->triggers, trigger);
}

/**
 * weft_reactor_set_shutdown_timeout:
 * @reactor: a reactor
 * @timeout_us: the longest time, in microseconds, that shutdown waits for
 *   the deferreds of its "before" and "during" triggers (10 s by default)
 *
 * Bounds how long weft_reactor_stop() waits for shutdown triggers.
 */
void
weft_reactor_set_shutdown_timeout (WeftReactor *reactor, gint64 timeout_us)
{
  g_return_if_fail (WEFT_IS_REACTOR (reactor));
  g_return_if_fail (timeout_us > 0);

  lifecycle_for (reactor)->shutdown_timeout_us = timeout_us;
}

/**
 * weft_reactor_get_shutdown_timeout:
 * @reactor: a reactor
 *
 * Returns: the shutdown timeout, in microseconds
 */
gint64
weft_reactor_get_shutdown_timeout (WeftReactor *reactor)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), 0);
  return lifecycle_for (reactor)->shutdown_timeout_us;
}

/**
 * weft_reactor_is_shutting_down:
 * @reactor: a reactor
 *
 * Returns: %TRUE from weft_reactor_stop() until the shutdown event is done
 */
gboolean
weft_reactor_is_shutting_down (WeftReactor *reactor)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), FALSE);
  return lifecycle_for (reactor)->state == STATE_STOPPING;
}
