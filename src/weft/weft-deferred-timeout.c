/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Deferreds and time: a timeout on a pending deferred, and a deferred that
 * fires later. The only part of the Deferred layer that needs a reactor. */

#include "weft-deferred-private.h"

/* Timeouts */

typedef struct {
  WeftDeferred *deferred; /* a reference while the timer is pending */
  WeftDelayedCall *call;
  gint64 timeout_us;
  gboolean timed_out;
} Timeout;

static void
timeout_clear (Timeout *timeout)
{
  g_clear_pointer (&timeout->call, weft_delayed_call_unref);
  g_clear_object (&timeout->deferred);
}

static void
timeout_release (gpointer data)
{
  g_rc_box_release_full (data, (GDestroyNotify) timeout_clear);
}

static void
timeout_expired (gpointer data)
{
  Timeout *timeout = data;
  g_autoptr (WeftDeferred) deferred = g_steal_pointer (&timeout->deferred);

  timeout->timed_out = TRUE;
  weft_deferred_cancel (deferred);
}

/* The timer's notify: it ran or was cancelled. */
static void
timeout_timer_done (gpointer data)
{
  Timeout *timeout = data;

  g_clear_object (&timeout->deferred);
  timeout_release (timeout);
}

static WeftDeferred *
timeout_reached (WeftResult *result, gpointer data)
{
  Timeout *timeout = data;

  if (timeout->call != NULL)
    weft_delayed_call_cancel (timeout->call);

  if (timeout->timed_out && weft_result_is_cancelled (result))
    {
      const GError *cancelled = weft_result_get_error (result);
      g_autofree char *subject = g_strdup (cancelled->message);

      /* "X was cancelled" becomes "X timed out after N seconds". */
      if (g_str_has_suffix (subject, " was cancelled"))
        subject[strlen (subject) - strlen (" was cancelled")] = '\0';
      else
        g_clear_pointer (&subject, g_free);
      weft_result_set_new_error (result, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s timed out after %g seconds",
                                 subject != NULL ? subject : "The operation",
                                 timeout->timeout_us / (double) G_USEC_PER_SEC);
    }
  return NULL;
}

/**
 * weft_deferred_add_timeout:
 * @self: a deferred
 * @reactor: the reactor whose clock counts
 * @timeout_us: how long to wait, in microseconds, >= 0
 *
 * Twisted's `addTimeout()`: if @self has not fired and got past the
 * callbacks added so far within @timeout_us, it is cancelled (which stops the
 * work, through its canceller or cancellable), and the cancellation error
 * becomes a %G_IO_ERROR_TIMED_OUT error. Callbacks added later see that error;
 * callbacks added earlier see the cancellation.
 *
 * The reactor's timer keeps a reference to @self until it fires or is
 * cancelled (which happens as soon as @self's chain reaches this point).
 */
void
weft_deferred_add_timeout (WeftDeferred *self, WeftReactor *reactor, gint64 timeout_us)
{
  Timeout *timeout;
  WeftDelayedCall *call;

  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (reactor != NULL);
  g_return_if_fail (timeout_us >= 0);

  timeout = g_rc_box_new0 (Timeout);
  timeout->timeout_us = timeout_us;
  timeout->deferred = g_object_ref (self);

  /* One reference for the timer, one for the chain. */
  call = weft_reactor_call_later (reactor, timeout_us, timeout_expired, g_rc_box_acquire (timeout), timeout_timer_done);
  if (call != NULL)
    timeout->call = weft_delayed_call_ref (call);

  weft_deferred_add_both (self, timeout_reached, timeout, timeout_release);
}

/* defer_later */

static void
later_fire (gpointer data)
{
  weft_deferred_callback_none (data);
}

static void
later_cancel (WeftDeferred *deferred, gpointer data)
{
  weft_delayed_call_cancel (data);
}

/**
 * weft_defer_later:
 * @reactor: a reactor
 * @delay_us: delay in microseconds
 * @func: (nullable) (scope notified) (closure user_data): called after
 *   @delay_us with an empty result to fill in (or returning a deferred),
 *   like a callback; %NULL just waits
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data once @func has run or will not run
 *   (the deferred was cancelled, or released unfired)
 *
 * Twisted's `deferLater()`: a deferred that fires with @func's result after
 * @delay_us. Cancelling it cancels the timer, and @func is never called.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_defer_later (WeftReactor *reactor,
                  gint64 delay_us,
                  WeftDeferredFunc func,
                  gpointer user_data,
                  GDestroyNotify notify)
{
  WeftDeferred *self;
  WeftDelayedCall *call;

  g_return_val_if_fail (reactor != NULL, NULL);

  self = weft_deferred_new ();
  weft_deferred_set_description (self, "weft_defer_later");
  if (func != NULL)
    weft_deferred_add_callback (self, func, user_data, notify);
  else if (notify != NULL)
    notify (user_data);

  call = weft_reactor_call_later (reactor, MAX (delay_us, 0), later_fire, g_object_ref (self), g_object_unref);
  if (call != NULL)
    {
      self->canceller = later_cancel;
      self->canceller_data = weft_delayed_call_ref (call);
      self->canceller_notify = (GDestroyNotify) weft_delayed_call_unref;
    }
  return self;
}
