/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "weft-deferred-private.h"

/**
 * WeftDeferredLock:
 *
 * Twisted's `DeferredLock`: a lock for code that runs on one reactor and
 * waits with deferreds. weft_deferred_lock_acquire() returns a deferred that
 * fires, with the lock as its value, when the lock is yours;
 * weft_deferred_lock_run() wraps a function in acquire and release.
 */
struct _WeftDeferredLock {
  GObject parent_instance;
  gboolean locked;
  GQueue waiting;
};

G_DEFINE_FINAL_TYPE (WeftDeferredLock, weft_deferred_lock, G_TYPE_OBJECT)

static void
weft_deferred_lock_finalize (GObject *object)
{
  WeftDeferredLock *self = WEFT_DEFERRED_LOCK (object);

  weft_waiters_clear (&self->waiting);
  G_OBJECT_CLASS (weft_deferred_lock_parent_class)->finalize (object);
}

static void
weft_deferred_lock_class_init (WeftDeferredLockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_deferred_lock_finalize;
}

static void
weft_deferred_lock_init (WeftDeferredLock *self)
{
  g_queue_init (&self->waiting);
}

/**
 * weft_deferred_lock_new:
 *
 * Returns: (transfer full): a new unlocked lock
 */
WeftDeferredLock *
weft_deferred_lock_new (void)
{
  return g_object_new (WEFT_TYPE_DEFERRED_LOCK, NULL);
}

static void
lock_cancel_waiter (WeftDeferred *waiter, gpointer data)
{
  weft_waiter_cancel (&WEFT_DEFERRED_LOCK (data)->waiting, waiter);
}

/**
 * weft_deferred_lock_acquire:
 * @self: a lock
 *
 * Asks for the lock. Waiters get it in the order they asked. Cancelling a
 * deferred that still waits takes it out of the line (it fails with
 * %G_IO_ERROR_CANCELLED); once it has fired, the lock is yours to release.
 *
 * Returns: (transfer full): a deferred that fires with @self once the lock
 *   is held for the caller
 */
WeftDeferred *
weft_deferred_lock_acquire (WeftDeferredLock *self)
{
  gboolean available;

  g_return_val_if_fail (WEFT_IS_DEFERRED_LOCK (self), NULL);

  available = !self->locked;
  if (available)
    self->locked = TRUE;
  return weft_waiter_new (self, &self->waiting, lock_cancel_waiter, "weft_deferred_lock_acquire", available);
}

/**
 * weft_deferred_lock_release:
 * @self: a locked lock
 *
 * Releases the lock; the first waiter, if any, gets it now.
 */
void
weft_deferred_lock_release (WeftDeferredLock *self)
{
  g_return_if_fail (WEFT_IS_DEFERRED_LOCK (self));
  g_return_if_fail (self->locked);

  if (!weft_waiter_hand_over (self, &self->waiting))
    self->locked = FALSE;
}

/**
 * weft_deferred_lock_is_locked:
 * @self: a lock
 *
 * Returns: %TRUE if somebody holds the lock
 */
gboolean
weft_deferred_lock_is_locked (WeftDeferredLock *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_LOCK (self), FALSE);
  return self->locked;
}

static void
lock_release (gpointer lock)
{
  weft_deferred_lock_release (lock);
}

/**
 * weft_deferred_lock_run:
 * @self: a lock
 * @func: (scope notified): run with the lock held, with an empty result to
 *   fill in, like a callback (it may return a deferred; the lock is released
 *   when that one fires)
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Acquires the lock, runs @func, releases the lock.
 *
 * Returns: (transfer full): a deferred with @func's result
 */
WeftDeferred *
weft_deferred_lock_run (WeftDeferredLock *self, WeftDeferredFunc func, gpointer user_data, GDestroyNotify notify)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_LOCK (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return weft_primitive_run (weft_deferred_lock_acquire (self), self, lock_release, func, user_data, notify);
}
