/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SQLITE_INSIDE) && !defined(WEFT_SQLITE_COMPILATION)
#error "Only <weft-sqlite/weft-sqlite.h> can be included directly."
#endif

#include <weft/weft.h>

#include "weft-sqlite-connection.h"
#include "weft-sqlite-version.h"

G_BEGIN_DECLS

/**
 * WeftSqliteSynchronous:
 * @WEFT_SQLITE_SYNCHRONOUS_OFF: never fsync (fast; a power cut may lose or
 *   corrupt recent transactions)
 * @WEFT_SQLITE_SYNCHRONOUS_NORMAL: fsync at WAL checkpoints (the default:
 *   a power cut may lose the last transactions, never corrupts)
 * @WEFT_SQLITE_SYNCHRONOUS_FULL: fsync at every commit
 *
 * SQLite's `PRAGMA synchronous` for the pool's connections.
 */
typedef enum {
  WEFT_SQLITE_SYNCHRONOUS_OFF = 0,
  WEFT_SQLITE_SYNCHRONOUS_NORMAL = 1,
  WEFT_SQLITE_SYNCHRONOUS_FULL = 2,
} WeftSqliteSynchronous;

WEFT_SQLITE_AVAILABLE_IN_ALL
GType weft_sqlite_synchronous_get_type (void) G_GNUC_CONST;
#define WEFT_SQLITE_TYPE_SYNCHRONOUS (weft_sqlite_synchronous_get_type ())

/**
 * WeftSqliteChanges:
 * @changes: rows inserted, updated or deleted by the statement
 * @last_insert_rowid: the rowid of the most recent successful INSERT on
 *   the writer connection
 *
 * What weft_sqlite_pool_run_operation() fires with: a boxed value
 * (`weft_result_get_boxed (result)`).
 */
typedef struct {
  gint64 changes;
  gint64 last_insert_rowid;
} WeftSqliteChanges;

WEFT_SQLITE_AVAILABLE_IN_ALL
GType weft_sqlite_changes_get_type (void) G_GNUC_CONST;
#define WEFT_SQLITE_TYPE_CHANGES (weft_sqlite_changes_get_type ())

/**
 * WeftSqliteInteractionFunc:
 * @connection: the writer connection, inside a transaction
 * @result: (not nullable): where to put a value for the deferred (left
 *   empty, the deferred fires with an empty result)
 * @user_data: the data given with the function
 * @error: where to report a failure
 *
 * Work run on the pool's writer thread, between `BEGIN IMMEDIATE` and
 * `COMMIT`: adbapi's `runInteraction`. Returning %FALSE rolls the
 * transaction back and fails the deferred with @error. The function must
 * not touch the reactor except through weft_reactor_call_from_thread().
 *
 * Returns: %TRUE to commit, %FALSE (with @error set) to roll back
 */
typedef gboolean (*WeftSqliteInteractionFunc) (WeftSqliteConnection *connection,
                                               WeftResult *result,
                                               gpointer user_data,
                                               GError **error);

/**
 * WeftSqlitePool:
 *
 * A SQLite database used from a reactor's thread without blocking it:
 * Twisted's `adbapi.ConnectionPool` for SQLite.
 *
 * One writer connection runs on its own thread and takes every write in
 * order; a few reader connections on their own threads answer queries, so
 * reads never wait behind a long write (the database is in WAL mode).
 * Results come back in the reactor's thread as fired
 * [class@Weft.Deferred]s, or through `GAsyncReadyCallback`s in the
 * thread-default main context of the caller for the `_async` forms.
 *
 * Work may be submitted right after weft_sqlite_pool_open(): it waits until
 * the connections are open and the migrations are applied, and fails with
 * the open error if that fails. Queries and writes are not ordered with
 * respect to each other; wait for a write's deferred before reading what it
 * wrote.
 *
 * When the reactor shuts down, the pool closes itself (a shutdown trigger,
 * waiting at most the close timeout).
 */
#define WEFT_SQLITE_TYPE_POOL (weft_sqlite_pool_get_type ())
WEFT_SQLITE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftSqlitePool, weft_sqlite_pool, WEFT_SQLITE, POOL, GObject)

WEFT_SQLITE_AVAILABLE_IN_ALL
WeftSqlitePool *weft_sqlite_pool_new (WeftReactor *reactor, const char *path) G_GNUC_WARN_UNUSED_RESULT;

WEFT_SQLITE_AVAILABLE_IN_ALL
WeftReactor *weft_sqlite_pool_get_reactor (WeftSqlitePool *self);
WEFT_SQLITE_AVAILABLE_IN_ALL
const char *weft_sqlite_pool_get_path (WeftSqlitePool *self);
WEFT_SQLITE_AVAILABLE_IN_ALL
gboolean weft_sqlite_pool_is_open (WeftSqlitePool *self);

/* Settings, before weft_sqlite_pool_open() */

WEFT_SQLITE_AVAILABLE_IN_ALL
void weft_sqlite_pool_set_n_readers (WeftSqlitePool *self, guint n_readers);
WEFT_SQLITE_AVAILABLE_IN_ALL
guint weft_sqlite_pool_get_n_readers (WeftSqlitePool *self);
WEFT_SQLITE_AVAILABLE_IN_ALL
void weft_sqlite_pool_set_synchronous (WeftSqlitePool *self, WeftSqliteSynchronous synchronous);
WEFT_SQLITE_AVAILABLE_IN_ALL
WeftSqliteSynchronous weft_sqlite_pool_get_synchronous (WeftSqlitePool *self);
WEFT_SQLITE_AVAILABLE_IN_ALL
void weft_sqlite_pool_set_busy_timeout (WeftSqlitePool *self, gint64 timeout_us);
WEFT_SQLITE_AVAILABLE_IN_ALL
gint64 weft_sqlite_pool_get_busy_timeout (WeftSqlitePool *self);
WEFT_SQLITE_AVAILABLE_IN_ALL
void weft_sqlite_pool_set_close_timeout (WeftSqlitePool *self, gint64 timeout_us);
WEFT_SQLITE_AVAILABLE_IN_ALL
gint64 weft_sqlite_pool_get_close_timeout (WeftSqlitePool *self);
WEFT_SQLITE_AVAILABLE_IN_ALL
void weft_sqlite_pool_add_migration (WeftSqlitePool *self, const char *sql);
WEFT_SQLITE_AVAILABLE_IN_ALL
void weft_sqlite_pool_add_migration_func (WeftSqlitePool *self,
                                          WeftSqliteInteractionFunc func,
                                          gpointer user_data,
                                          GDestroyNotify destroy);

/* Opening and closing */

WEFT_SQLITE_AVAILABLE_IN_ALL
WeftDeferred *weft_sqlite_pool_open (WeftSqlitePool *self) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SQLITE_AVAILABLE_IN_ALL
void weft_sqlite_pool_open_async (WeftSqlitePool *self,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
WEFT_SQLITE_AVAILABLE_IN_ALL
gboolean weft_sqlite_pool_open_finish (WeftSqlitePool *self, GAsyncResult *result, GError **error);
WEFT_SQLITE_AVAILABLE_IN_ALL
WeftDeferred *weft_sqlite_pool_close (WeftSqlitePool *self) G_GNUC_WARN_UNUSED_RESULT;

/* Work */

WEFT_SQLITE_AVAILABLE_IN_ALL
WeftDeferred *weft_sqlite_pool_run_query (WeftSqlitePool *self, const char *sql, GVariant *params)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_SQLITE_AVAILABLE_IN_ALL
WeftDeferred *weft_sqlite_pool_run_operation (WeftSqlitePool *self, const char *sql, GVariant *params)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_SQLITE_AVAILABLE_IN_ALL
WeftDeferred *weft_sqlite_pool_run_interaction (WeftSqlitePool *self,
                                                WeftSqliteInteractionFunc func,
                                                gpointer user_data,
                                                GDestroyNotify destroy) G_GNUC_WARN_UNUSED_RESULT;

WEFT_SQLITE_AVAILABLE_IN_ALL
void weft_sqlite_pool_query_async (WeftSqlitePool *self,
                                   const char *sql,
                                   GVariant *params,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
WEFT_SQLITE_AVAILABLE_IN_ALL
GListModel *weft_sqlite_pool_query_finish (WeftSqlitePool *self, GAsyncResult *result, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_SQLITE_AVAILABLE_IN_ALL
void weft_sqlite_pool_operation_async (WeftSqlitePool *self,
                                       const char *sql,
                                       GVariant *params,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
WEFT_SQLITE_AVAILABLE_IN_ALL
gboolean weft_sqlite_pool_operation_finish (WeftSqlitePool *self,
                                            GAsyncResult *result,
                                            WeftSqliteChanges *changes,
                                            GError **error);
WEFT_SQLITE_AVAILABLE_IN_ALL
void weft_sqlite_pool_interaction_async (WeftSqlitePool *self,
                                         WeftSqliteInteractionFunc func,
                                         gpointer user_data,
                                         GDestroyNotify destroy,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer callback_data);
WEFT_SQLITE_AVAILABLE_IN_ALL
gboolean weft_sqlite_pool_interaction_finish (WeftSqlitePool *self,
                                              GAsyncResult *result,
                                              GValue *value,
                                              GError **error);

G_END_DECLS
