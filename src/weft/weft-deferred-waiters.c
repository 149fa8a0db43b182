/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What the lock, the semaphore and the queue share: running a function
 * while holding a primitive, and the line of deferreds waiting for it. */

#include "weft-deferred-private.h"

/* Lock, semaphore, queue */

typedef struct {
  GObject *primitive;
  ReleaseFunc release;
  WeftDeferredFunc func;
  gpointer user_data;
  GDestroyNotify notify;
} RunLocked;

static void
run_locked_free (gpointer data)
{
  RunLocked *run = data;

  if (run->notify != NULL)
    run->notify (run->user_data);
  g_object_unref (run->primitive);
  g_free (run);
}

typedef struct {
  GObject *primitive;
  ReleaseFunc release;
} ReleaseAfter;

static WeftDeferred *
release_after_run (WeftResult *result, gpointer data)
{
  ReleaseAfter *after = data;

  after->release (after->primitive);
  return NULL;
}

static void
release_after_free (gpointer data)
{
  ReleaseAfter *after = data;

  g_object_unref (after->primitive);
  g_free (after);
}

static WeftDeferred *
run_locked_call (WeftResult *result, gpointer data)
{
  RunLocked *run = data;
  WeftDeferred *next;
  ReleaseAfter *after;

  weft_result_clear (result);
  next = run->func (result, run->user_data);
  if (next == NULL)
    {
      run->release (run->primitive);
      return NULL;
    }

  after = g_new (ReleaseAfter, 1);
  after->primitive = g_object_ref (run->primitive);
  after->release = run->release;
  weft_deferred_add_both (next, release_after_run, after, release_after_free);
  return next;
}

WeftDeferred *
weft_primitive_run (WeftDeferred *acquired,
                    gpointer primitive,
                    ReleaseFunc release,
                    WeftDeferredFunc func,
                    gpointer user_data,
                    GDestroyNotify notify)
{
  RunLocked *run = g_new (RunLocked, 1);

  run->primitive = g_object_ref (primitive);
  run->release = release;
  run->func = func;
  run->user_data = user_data;
  run->notify = notify;
  weft_deferred_add_callback (acquired, run_locked_call, run, run_locked_free);
  return acquired;
}

/* Waiting deferreds point back at their primitive without a reference;
 * a primitive that goes away first unhooks them. */
void
weft_waiters_clear (GQueue *waiting)
{
  WeftDeferred *waiter;

  while ((waiter = g_queue_pop_head (waiting)) != NULL)
    {
      waiter->canceller = NULL;
      waiter->canceller_data = NULL;
      g_object_unref (waiter);
    }
}

void
weft_waiter_cancel (GQueue *waiting, WeftDeferred *waiter)
{
  if (g_queue_remove (waiting, waiter))
    g_object_unref (waiter);
}

/* A deferred asking @primitive (a lock, a semaphore or a queue) for
 * something: it fires with @primitive now when @available (the caller has
 * taken a lock or a token), or waits in line in @waiting. */
WeftDeferred *
weft_waiter_new (gpointer primitive,
                 GQueue *waiting,
                 WeftDeferredCanceller cancel,
                 const char *description,
                 gboolean available)
{
  WeftDeferred *waiter = weft_deferred_new_with_canceller (cancel, primitive, NULL);

  weft_deferred_set_description (waiter, description);
  if (available)
    weft_deferred_callback_object (waiter, primitive);
  else
    g_queue_push_tail (waiting, g_object_ref (waiter));
  return waiter;
}

/* Hands @primitive over to the first waiter in @waiting; %FALSE when
 * nobody waits. */
gboolean
weft_waiter_hand_over (gpointer primitive, GQueue *waiting)
{
  WeftDeferred *next = g_queue_pop_head (waiting);

  if (next == NULL)
    return FALSE;
  weft_deferred_callback_object (next, primitive);
  g_object_unref (next);
  return TRUE;
}
