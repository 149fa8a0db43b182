/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Deferreds and GIO: GCancellable links and the _async/_finish bridge. */

#include "weft-deferred-private.h"

/* GCancellable */

static void
cancellable_link_clear (CancellableLink *link)
{
  g_weak_ref_clear (&link->deferred);
  g_clear_object (&link->cancellable);
  g_clear_pointer (&link->context, g_main_context_unref);
}

static void
cancellable_link_release (gpointer data, GClosure *closure)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify) cancellable_link_clear);
}

static gboolean
cancel_in_owner_thread (gpointer data)
{
  weft_deferred_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
cancellable_cancelled (GCancellable *cancellable, gpointer data)
{
  CancellableLink *link = data;
  WeftDeferred *self = g_weak_ref_get (&link->deferred);

  if (self == NULL)
    return;

  if (g_thread_self () == link->thread)
    {
      if (!self->cancelling)
        weft_deferred_cancel (self);
      g_object_unref (self);
    }
  else
    {
      /* A deferred belongs to one thread; go there. */
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, cancel_in_owner_thread, self, g_object_unref);
      g_source_set_static_name (source, "[weft] cancel deferred");
      g_source_attach (source, link->context);
      g_source_unref (source);
    }
}

static void
deferred_link_cancellable (WeftDeferred *self, GCancellable *cancellable)
{
  CancellableLink *link = g_atomic_rc_box_new0 (CancellableLink);

  g_weak_ref_init (&link->deferred, self);
  link->cancellable = g_object_ref (cancellable);
  link->context = g_main_context_ref_thread_default ();
  link->thread = g_thread_self ();
  self->link = link;

  link->handler_id = g_signal_connect_data (cancellable, "cancelled", G_CALLBACK (cancellable_cancelled),
                                            g_atomic_rc_box_acquire (link), cancellable_link_release, 0);
  if (g_cancellable_is_cancelled (cancellable))
    weft_deferred_cancel (self);
}

void
weft_cancellable_link_drop (CancellableLink *link, WeftDeferred *self)
{
  /* Not g_cancellable_disconnect(): it would deadlock when the last
   * reference goes from inside our own handler. */
  if (link->handler_id != 0)
    g_signal_handler_disconnect (link->cancellable, link->handler_id);
  g_atomic_rc_box_release_full (link, (GDestroyNotify) cancellable_link_clear);
}

/**
 * weft_deferred_new_for_cancellable:
 * @cancellable: a cancellable
 *
 * Creates a deferred tied to @cancellable both ways: cancelling
 * @cancellable (from any thread) cancels the deferred, in the deferred's
 * thread, and weft_deferred_cancel() cancels @cancellable. If @cancellable
 * is already cancelled, the deferred fails at once.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_deferred_new_for_cancellable (GCancellable *cancellable)
{
  WeftDeferred *self;

  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = weft_deferred_new ();
  deferred_link_cancellable (self, cancellable);
  return self;
}

/**
 * weft_deferred_get_cancellable:
 * @self: a deferred
 *
 * Returns the cancellable tied to @self, creating one the first time: pass
 * it to the GIO call whose result will fire @self, so that
 * weft_deferred_cancel() stops that call.
 *
 * Returns: (transfer none): the cancellable, owned by @self
 */
GCancellable *
weft_deferred_get_cancellable (WeftDeferred *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED (self), NULL);

  if (self->link == NULL)
    {
      g_autoptr (GCancellable) cancellable = g_cancellable_new ();

      deferred_link_cancellable (self, cancellable);
    }
  return self->link->cancellable;
}

/* GIO _async / _finish */

typedef gpointer (*FinishPointerFunc) (GObject *source, GAsyncResult *result, GError **error);
typedef gboolean (*FinishBooleanFunc) (GObject *source, GAsyncResult *result, GError **error);
typedef gssize (*FinishSsizeFunc) (GObject *source, GAsyncResult *result, GError **error);

typedef struct {
  WeftDeferred *deferred;
  GType value_type;
  GCallback finish;
} AsyncCall;

static gboolean
async_type_is_supported (GType type)
{
  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
    case G_TYPE_INT64:
    case G_TYPE_POINTER:
    case G_TYPE_STRING:
    case G_TYPE_BOXED:
    case G_TYPE_OBJECT:
    case G_TYPE_INTERFACE:
    case G_TYPE_VARIANT:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
async_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  AsyncCall *call = user_data;
  WeftDeferred *self = call->deferred;
  GType type = call->value_type;
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  if (self->fired && self->drop_late_result)
    {
      /* Cancelled meanwhile: the GAsyncResult frees what it holds. */
      self->drop_late_result = FALSE;
      goto out;
    }

  if (g_type_is_a (type, G_TYPE_ASYNC_RESULT))
    {
      g_value_init (&value, G_TYPE_ASYNC_RESULT);
      g_value_set_object (&value, res);
    }
  else if (type == G_TYPE_BOOLEAN)
    {
      gboolean ok = ((FinishBooleanFunc) call->finish) (source, res, &error);

      g_value_init (&value, G_TYPE_BOOLEAN);
      g_value_set_boolean (&value, ok);
    }
  else if (type == G_TYPE_INT64)
    {
      gssize n = ((FinishSsizeFunc) call->finish) (source, res, &error);

      g_value_init (&value, G_TYPE_INT64);
      g_value_set_int64 (&value, n);
    }
  else
    {
      gpointer pointer = ((FinishPointerFunc) call->finish) (source, res, &error);

      g_value_init (&value, type);
      switch (G_TYPE_FUNDAMENTAL (type))
        {
        case G_TYPE_POINTER:
          g_value_set_pointer (&value, pointer);
          break;
        case G_TYPE_STRING:
          g_value_take_string (&value, pointer);
          break;
        case G_TYPE_BOXED:
          g_value_take_boxed (&value, pointer);
          break;
        case G_TYPE_VARIANT:
          g_value_take_variant (&value, pointer);
          break;
        default:
          g_value_take_object (&value, pointer);
          break;
        }
    }

  if (error != NULL)
    {
      g_value_unset (&value);
      weft_deferred_fire_error (self, error, G_STRFUNC);
    }
  else
    weft_deferred_fire_take_value (self, &value, G_STRFUNC);

out:
  g_object_unref (self);
  g_free (call);
}

/**
 * weft_deferred_new_async: (skip)
 * @value_type: what @finish returns: %G_TYPE_BOOLEAN for `gboolean`
 *   finishers, %G_TYPE_INT64 for `gssize` ones (like
 *   g_input_stream_read_finish()), or the pointer's type for those that
 *   return a string, boxed value, `GVariant`, object or interface (the
 *   deferred takes ownership; %G_TYPE_POINTER is not freed by anybody);
 *   or %G_TYPE_ASYNC_RESULT to fire with the `GAsyncResult` itself, for
 *   finishers with out-arguments, which the next callback calls
 * @finish: (nullable): the `_finish` function, cast with G_CALLBACK(); its
 *   signature is `type finish (SourceType *source, GAsyncResult *result,
 *   GError **error)`; unused (may be %NULL) with %G_TYPE_ASYNC_RESULT
 * @callback: (out): a `GAsyncReadyCallback` to give the
 *   `_async` function
 * @user_data: (out): its user data (it holds a reference to
 *   the deferred until the callback has run)
 *
 * Turns any GIO-style `_async` / `_finish` pair (and any `GTask`-based
 * function) into a deferred. Pass @callback and @user_data to exactly one
 * `_async` call, with weft_deferred_get_cancellable() as its cancellable:
 *
 * ```c
 * GAsyncReadyCallback cb;
 * gpointer cb_data;
 * WeftDeferred *d = weft_deferred_new_async (G_TYPE_BYTES,
 *                                            G_CALLBACK (soup_session_send_and_read_finish),
 *                                            &cb, &cb_data);
 * soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT,
 *                                   weft_deferred_get_cancellable (d), cb, cb_data);
 * ```
 *
 * WEFT_DEFERRED_ASYNC() does all of this in one expression. The deferred
 * fires with what @finish returned, or fails with its error. Cancelling the
 * deferred fails it at once with %G_IO_ERROR_CANCELLED and cancels the
 * operation; the operation's own late %G_IO_ERROR_CANCELLED is dropped.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_deferred_new_async (GType value_type, GCallback finish, GAsyncReadyCallback *callback, gpointer *user_data)
{
  AsyncCall *call;

  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (user_data != NULL, NULL);
  g_return_val_if_fail (async_type_is_supported (value_type), NULL);
  g_return_val_if_fail (finish != NULL || g_type_is_a (value_type, G_TYPE_ASYNC_RESULT), NULL);

  call = g_new (AsyncCall, 1);
  call->deferred = weft_deferred_new ();
  call->value_type = value_type;
  call->finish = finish;

  *callback = async_ready;
  *user_data = call;
  return g_object_ref (call->deferred);
}
