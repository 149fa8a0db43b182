/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "weft-deferred-private.h"

/**
 * WeftDeferredSemaphore:
 *
 * Twisted's `DeferredSemaphore`: at most a given number of holders at once,
 * for example to limit concurrent downloads.
 */
struct _WeftDeferredSemaphore {
  GObject parent_instance;
  guint tokens;
  guint limit;
  GQueue waiting;
};

G_DEFINE_FINAL_TYPE (WeftDeferredSemaphore, weft_deferred_semaphore, G_TYPE_OBJECT)

static void
weft_deferred_semaphore_finalize (GObject *object)
{
  WeftDeferredSemaphore *self = WEFT_DEFERRED_SEMAPHORE (object);

  weft_waiters_clear (&self->waiting);
  G_OBJECT_CLASS (weft_deferred_semaphore_parent_class)->finalize (object);
}

static void
weft_deferred_semaphore_class_init (WeftDeferredSemaphoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_deferred_semaphore_finalize;
}

static void
weft_deferred_semaphore_init (WeftDeferredSemaphore *self)
{
  g_queue_init (&self->waiting);
}

/**
 * weft_deferred_semaphore_new:
 * @tokens: how many holders at once, at least 1
 *
 * Returns: (transfer full): a new semaphore
 */
WeftDeferredSemaphore *
weft_deferred_semaphore_new (guint tokens)
{
  WeftDeferredSemaphore *self;

  g_return_val_if_fail (tokens > 0, NULL);

  self = g_object_new (WEFT_TYPE_DEFERRED_SEMAPHORE, NULL);
  self->tokens = tokens;
  self->limit = tokens;
  return self;
}

static void
semaphore_cancel_waiter (WeftDeferred *waiter, gpointer data)
{
  weft_waiter_cancel (&WEFT_DEFERRED_SEMAPHORE (data)->waiting, waiter);
}

/**
 * weft_deferred_semaphore_acquire:
 * @self: a semaphore
 *
 * Takes a token, now or when one is released. Cancelling a deferred that
 * still waits takes it out of the line.
 *
 * Returns: (transfer full): a deferred that fires with @self once a token
 *   is held for the caller
 */
WeftDeferred *
weft_deferred_semaphore_acquire (WeftDeferredSemaphore *self)
{
  gboolean available;

  g_return_val_if_fail (WEFT_IS_DEFERRED_SEMAPHORE (self), NULL);

  available = self->tokens > 0;
  if (available)
    self->tokens--;
  return weft_waiter_new (self, &self->waiting, semaphore_cancel_waiter, "weft_deferred_semaphore_acquire", available);
}

/**
 * weft_deferred_semaphore_release:
 * @self: a semaphore with a token held
 *
 * Gives a token back; the first waiter, if any, gets it now.
 */
void
weft_deferred_semaphore_release (WeftDeferredSemaphore *self)
{
  g_return_if_fail (WEFT_IS_DEFERRED_SEMAPHORE (self));
  g_return_if_fail (self->tokens < self->limit);

  if (!weft_waiter_hand_over (self, &self->waiting))
    self->tokens++;
}

/**
 * weft_deferred_semaphore_get_tokens:
 * @self: a semaphore
 *
 * Returns: how many tokens are free now
 */
guint
weft_deferred_semaphore_get_tokens (WeftDeferredSemaphore *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_SEMAPHORE (self), 0);
  return self->tokens;
}

/**
 * weft_deferred_semaphore_get_limit:
 * @self: a semaphore
 *
 * Returns: the number of tokens it was created with
 */
guint
weft_deferred_semaphore_get_limit (WeftDeferredSemaphore *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_SEMAPHORE (self), 0);
  return self->limit;
}

static void
semaphore_release (gpointer semaphore)
{
  weft_deferred_semaphore_release (semaphore);
}

/**
 * weft_deferred_semaphore_run:
 * @self: a semaphore
 * @func: (scope notified): run with a token held (see
 *   weft_deferred_lock_run())
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Acquires a token, runs @func, releases the token.
 *
 * Returns: (transfer full): a deferred with @func's result
 */
WeftDeferred *
weft_deferred_semaphore_run (WeftDeferredSemaphore *self,
                             WeftDeferredFunc func,
                             gpointer user_data,
                             GDestroyNotify notify)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_SEMAPHORE (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return weft_primitive_run (weft_deferred_semaphore_acquire (self), self, semaphore_release, func, user_data, notify);
}
