/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pool's GIO-style forms: each starts the Deferred form and feeds its
 * result to a GTask; a GCancellable cancels the deferred in the reactor's
 * thread. */

#include "config.h"

#include "weft-sqlite-private.h"

typedef enum {
  CALL_OPEN,
  CALL_QUERY,
  CALL_OPERATION,
  CALL_INTERACTION,
} CallKind;

typedef struct {
  WeftReactor *reactor;
  GTask *task;
  WeftDeferred *deferred;
  GCancellable *cancellable;
  gulong cancelled_id;
  CallKind kind;
} AsyncCall;

static void
async_call_free (gpointer data)
{
  AsyncCall *call = data;

  if (call->cancelled_id != 0)
    g_cancellable_disconnect (call->cancellable, call->cancelled_id);
  g_clear_object (&call->cancellable);
  g_clear_object (&call->task);
  g_clear_object (&call->deferred);
  g_clear_object (&call->reactor);
  g_free (call);
}

static WeftDeferred *
async_call_fired (WeftResult *result, gpointer data)
{
  AsyncCall *call = data;
  g_autoptr (GTask) task = g_steal_pointer (&call->task);

  if (weft_result_is_cancelled (result))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", weft_result_get_error (result)->message);
  else if (weft_result_is_error (result))
    g_task_return_error (task, g_error_copy (weft_result_get_error (result)));
  else
    switch (call->kind)
      {
      case CALL_QUERY:
        g_task_return_pointer (task, weft_result_dup_object (result), g_object_unref);
        break;
      case CALL_OPERATION:
        g_task_return_pointer (task, g_boxed_copy (WEFT_SQLITE_TYPE_CHANGES, weft_result_get_boxed (result)), g_free);
        break;
      case CALL_INTERACTION:
        g_task_return_pointer (task, weft_result_copy (result), (GDestroyNotify) weft_result_free);
        break;
      case CALL_OPEN:
      default:
        g_task_return_boolean (task, TRUE);
        break;
      }
  weft_result_clear (result);
  return NULL;
}

static void
cancel_in_reactor (gpointer deferred)
{
  weft_deferred_cancel (deferred);
}

static void
async_call_cancelled (GCancellable *cancellable, gpointer data)
{
  AsyncCall *call = data;

  /* Any thread may cancel; the deferred belongs to the reactor's. */
  weft_reactor_call_from_thread (call->reactor, cancel_in_reactor, g_object_ref (call->deferred), g_object_unref);
}

static void
async_call_start (WeftSqlitePool *self,
                  WeftDeferred *deferred,
                  CallKind kind,
                  gpointer source_tag,
                  GCancellable *cancellable,
                  GAsyncReadyCallback callback,
                  gpointer user_data)
{
  AsyncCall *call = g_new0 (AsyncCall, 1);

  call->reactor = g_object_ref (weft_sqlite_pool_get_reactor (self));
  call->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (call->task, source_tag);
  call->deferred = deferred;
  call->kind = kind;
  if (cancellable != NULL)
    {
      call->cancellable = g_object_ref (cancellable);
      call->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (async_call_cancelled), call, NULL);
    }
  weft_deferred_add_both (deferred, async_call_fired, call, async_call_free);
}

/**
 * weft_sqlite_pool_open_async:
 * @self: a pool
 * @cancellable: (nullable): a cancellable (it stops the wait, not the
 *   opening)
 * @callback: called when the database is open
 * @user_data: data for @callback
 *
 * weft_sqlite_pool_open() for GIO-style code. Call it from the reactor's
 * thread, like every `_async` function of the pool.
 */
void
weft_sqlite_pool_open_async (WeftSqlitePool *self,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (WEFT_SQLITE_IS_POOL (self));

  async_call_start (self, weft_sqlite_pool_open (self), CALL_OPEN, weft_sqlite_pool_open_async, cancellable, callback,
                    user_data);
}

/**
 * weft_sqlite_pool_open_finish:
 * @self: a pool
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: %TRUE if the database is open and migrated
 */
gboolean
weft_sqlite_pool_open_finish (WeftSqlitePool *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * weft_sqlite_pool_query_async:
 * @self: a pool
 * @sql: one SQL statement with `?` placeholders
 * @params: (nullable): a tuple of values; a floating reference is sunk
 * @cancellable: (nullable): a cancellable
 * @callback: called with the rows
 * @user_data: data for @callback
 *
 * weft_sqlite_pool_run_query() for GIO-style code.
 */
void
weft_sqlite_pool_query_async (WeftSqlitePool *self,
                              const char *sql,
                              GVariant *params,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_return_if_fail (WEFT_SQLITE_IS_POOL (self));
  g_return_if_fail (sql != NULL);

  async_call_start (self, weft_sqlite_pool_run_query (self, sql, params), CALL_QUERY, weft_sqlite_pool_query_async,
                    cancellable, callback, user_data);
}

/**
 * weft_sqlite_pool_query_finish:
 * @self: a pool
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a list of [class@WeftSqlite.Row],
 *   or %NULL with @error set
 */
GListModel *
weft_sqlite_pool_query_finish (WeftSqlitePool *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * weft_sqlite_pool_operation_async:
 * @self: a pool
 * @sql: one SQL statement with `?` placeholders
 * @params: (nullable): a tuple of values; a floating reference is sunk
 * @cancellable: (nullable): a cancellable
 * @callback: called when the statement ran
 * @user_data: data for @callback
 *
 * weft_sqlite_pool_run_operation() for GIO-style code.
 */
void
weft_sqlite_pool_operation_async (WeftSqlitePool *self,
                                  const char *sql,
                                  GVariant *params,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_return_if_fail (WEFT_SQLITE_IS_POOL (self));
  g_return_if_fail (sql != NULL);

  async_call_start (self, weft_sqlite_pool_run_operation (self, sql, params), CALL_OPERATION,
                    weft_sqlite_pool_operation_async, cancellable, callback, user_data);
}

/**
 * weft_sqlite_pool_operation_finish:
 * @self: a pool
 * @result: the result given to the callback
 * @changes: (out caller-allocates) (optional): what the statement changed
 * @error: return location for an error
 *
 * Returns: %TRUE if the statement ran
 */
gboolean
weft_sqlite_pool_operation_finish (WeftSqlitePool *self,
                                   GAsyncResult *result,
                                   WeftSqliteChanges *changes,
                                   GError **error)
{
  g_autofree WeftSqliteChanges *outcome = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  outcome = g_task_propagate_pointer (G_TASK (result), error);
  if (outcome == NULL)
    return FALSE;
  if (changes != NULL)
    *changes = *outcome;
  return TRUE;
}

/**
 * weft_sqlite_pool_interaction_async:
 * @self: a pool
 * @func: (scope notified): the work; see weft_sqlite_pool_run_interaction()
 * @user_data: (closure func): data for @func
 * @destroy: (nullable): frees @user_data
 * @cancellable: (nullable): a cancellable
 * @callback: called when the transaction is over
 * @callback_data: (closure callback): data for @callback
 *
 * weft_sqlite_pool_run_interaction() for GIO-style code.
 */
void
weft_sqlite_pool_interaction_async (WeftSqlitePool *self,
                                    WeftSqliteInteractionFunc func,
                                    gpointer user_data,
                                    GDestroyNotify destroy,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer callback_data)
{
  g_return_if_fail (WEFT_SQLITE_IS_POOL (self));
  g_return_if_fail (func != NULL);

  async_call_start (self, weft_sqlite_pool_run_interaction (self, func, user_data, destroy), CALL_INTERACTION,
                    weft_sqlite_pool_interaction_async, cancellable, callback, callback_data);
}

/**
 * weft_sqlite_pool_interaction_finish:
 * @self: a pool
 * @result: the result given to the callback
 * @value: (out caller-allocates) (optional): an unset `GValue`
 *   (`G_VALUE_INIT`) that receives the interaction's value; left unset if
 *   the interaction gave none
 * @error: return location for an error
 *
 * Returns: %TRUE if the transaction was committed
 */
gboolean
weft_sqlite_pool_interaction_finish (WeftSqlitePool *self, GAsyncResult *result, GValue *value, GError **error)
{
  g_autoptr (WeftResult) outcome = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  outcome = g_task_propagate_pointer (G_TASK (result), error);
  if (outcome == NULL)
    return FALSE;
  if (value != NULL && !weft_result_is_empty (outcome))
    {
      g_value_init (value, weft_result_get_value_type (outcome));
      g_value_copy (weft_result_get_value (outcome), value);
    }
  return TRUE;
}
