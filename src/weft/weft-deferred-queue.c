/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "weft-deferred-private.h"

/**
 * WeftDeferredQueue:
 *
 * Twisted's `DeferredQueue`: producers put values, consumers get deferreds
 * that fire with them, in order. The queue may bound both how many values
 * wait (size) and how many consumers wait (backlog).
 */
struct _WeftDeferredQueue {
  GObject parent_instance;
  GQueue pending; /* WeftResult */
  GQueue waiting; /* WeftDeferred, a reference each */
  int size;
  int backlog;
};

G_DEFINE_FINAL_TYPE (WeftDeferredQueue, weft_deferred_queue, G_TYPE_OBJECT)

static void
weft_deferred_queue_finalize (GObject *object)
{
  WeftDeferredQueue *self = WEFT_DEFERRED_QUEUE (object);

  weft_waiters_clear (&self->waiting);
  g_queue_clear_full (&self->pending, (GDestroyNotify) weft_result_free);
  G_OBJECT_CLASS (weft_deferred_queue_parent_class)->finalize (object);
}

static void
weft_deferred_queue_class_init (WeftDeferredQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_deferred_queue_finalize;
}

static void
weft_deferred_queue_init (WeftDeferredQueue *self)
{
  g_queue_init (&self->pending);
  g_queue_init (&self->waiting);
}

/**
 * weft_deferred_queue_new:
 * @size: how many values may wait in the queue, or -1 for no limit
 * @backlog: how many weft_deferred_queue_get() calls may wait for a value,
 *   or -1 for no limit
 *
 * Returns: (transfer full): a new empty queue
 */
WeftDeferredQueue *
weft_deferred_queue_new (int size, int backlog)
{
  WeftDeferredQueue *self = g_object_new (WEFT_TYPE_DEFERRED_QUEUE, NULL);

  self->size = size;
  self->backlog = backlog;
  return self;
}

static gboolean
queue_put (WeftDeferredQueue *self, WeftResult *item, GError **error)
{
  WeftDeferred *waiter = g_queue_pop_head (&self->waiting);

  if (waiter != NULL)
    {
      weft_deferred_fire_move (waiter, item, G_STRFUNC);
      g_object_unref (waiter);
      return TRUE;
    }

  if (self->size >= 0 && self->pending.length >= (guint) self->size)
    {
      result_reset (item);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "The queue is full: it holds at most %d values", self->size);
      return FALSE;
    }

  g_queue_push_tail (&self->pending, weft_result_new ());
  result_move (g_queue_peek_tail (&self->pending), item);
  return TRUE;
}

/**
 * weft_deferred_queue_put_value:
 * @self: a queue
 * @value: (nullable): the value, copied (%NULL puts an empty result)
 * @error: return location for an error
 *
 * Gives @value to the first waiting consumer, or keeps it for the next one.
 *
 * Returns: %TRUE on success; %FALSE with %G_IO_ERROR_NO_SPACE if the queue
 *   already holds size values
 */
gboolean
weft_deferred_queue_put_value (WeftDeferredQueue *self, const GValue *value, GError **error)
{
  WeftResult item;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result_init (&item);
  weft_result_set_value (&item, value);
  return queue_put (self, &item, error);
}

/**
 * weft_deferred_queue_put_int:
 * @self: a queue
 * @value: the value
 * @error: return location for an error
 *
 * Puts a %G_TYPE_INT (see weft_deferred_queue_put_value()).
 *
 * Returns: %TRUE on success
 */
gboolean
weft_deferred_queue_put_int (WeftDeferredQueue *self, int value, GError **error)
{
  WeftResult item;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), FALSE);

  result_init (&item);
  weft_result_set_int (&item, value);
  return queue_put (self, &item, error);
}

/**
 * weft_deferred_queue_put_string:
 * @self: a queue
 * @value: (nullable): the string, copied
 * @error: return location for an error
 *
 * Puts a %G_TYPE_STRING (see weft_deferred_queue_put_value()).
 *
 * Returns: %TRUE on success
 */
gboolean
weft_deferred_queue_put_string (WeftDeferredQueue *self, const char *value, GError **error)
{
  WeftResult item;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), FALSE);

  result_init (&item);
  weft_result_set_string (&item, value);
  return queue_put (self, &item, error);
}

/**
 * weft_deferred_queue_put_pointer:
 * @self: a queue
 * @value: (nullable): the pointer, not owned by the queue
 * @error: return location for an error
 *
 * Puts a %G_TYPE_POINTER (see weft_deferred_queue_put_value()).
 *
 * Returns: %TRUE on success
 */
gboolean
weft_deferred_queue_put_pointer (WeftDeferredQueue *self, gpointer value, GError **error)
{
  WeftResult item;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), FALSE);

  result_init (&item);
  weft_result_set_pointer (&item, value);
  return queue_put (self, &item, error);
}

/**
 * weft_deferred_queue_put_object:
 * @self: a queue
 * @object: (type GObject): the object; the queue takes a reference
 * @error: return location for an error
 *
 * Puts an object (see weft_deferred_queue_put_value()).
 *
 * Returns: %TRUE on success
 */
gboolean
weft_deferred_queue_put_object (WeftDeferredQueue *self, gpointer object, GError **error)
{
  WeftResult item;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);

  result_init (&item);
  weft_result_set_object (&item, object);
  return queue_put (self, &item, error);
}

static void
queue_cancel_get (WeftDeferred *waiter, gpointer data)
{
  weft_waiter_cancel (&WEFT_DEFERRED_QUEUE (data)->waiting, waiter);
}

/**
 * weft_deferred_queue_get:
 * @self: a queue
 *
 * Takes the oldest value, now or when one is put. Cancelling a deferred that
 * still waits takes it out of the line. If backlog consumers already wait,
 * the returned deferred has failed with %G_IO_ERROR_BUSY.
 *
 * Returns: (transfer full): a deferred that fires with the value
 */
WeftDeferred *
weft_deferred_queue_get (WeftDeferredQueue *self)
{
  WeftResult *item;
  WeftDeferred *waiter;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), NULL);

  item = g_queue_pop_head (&self->pending);
  if (item != NULL)
    {
      waiter = weft_deferred_new ();
      weft_deferred_fire_move (waiter, item, G_STRFUNC);
      weft_result_free (item);
      return waiter;
    }

  if (self->backlog >= 0 && self->waiting.length >= (guint) self->backlog)
    return weft_deferred_fail_take_error (g_error_new (G_IO_ERROR, G_IO_ERROR_BUSY,
                                                       "Too many consumers wait on the queue (at most %d may)",
                                                       self->backlog));

  return weft_waiter_new (self, &self->waiting, queue_cancel_get, "weft_deferred_queue_get", FALSE);
}

/**
 * weft_deferred_queue_get_n_pending:
 * @self: a queue
 *
 * Returns: how many values wait for a consumer
 */
guint
weft_deferred_queue_get_n_pending (WeftDeferredQueue *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), 0);
  return self->pending.length;
}

/**
 * weft_deferred_queue_get_n_waiting:
 * @self: a queue
 *
 * Returns: how many consumers wait for a value
 */
guint
weft_deferred_queue_get_n_waiting (WeftDeferredQueue *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), 0);
  return self->waiting.length;
}
