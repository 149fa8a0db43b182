/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sqlite3.h>

#include "weft-sqlite-connection.h"
#include "weft-sqlite-error.h"
#include "weft-sqlite-pool.h"
#include "weft-sqlite-row.h"

G_BEGIN_DECLS

/* Column names shared by the rows of one result (an atomic rc box). */
typedef struct {
  guint n_columns;
  char **names;
} WeftSqliteColumns;

WeftSqliteColumns *_weft_sqlite_columns_new (sqlite3_stmt *stmt);
WeftSqliteColumns *_weft_sqlite_columns_ref (WeftSqliteColumns *columns);
void _weft_sqlite_columns_unref (WeftSqliteColumns *columns);

/* Takes @columns' reference; @values is a tuple, sunk here. */
WeftSqliteRow *_weft_sqlite_row_new (WeftSqliteColumns *columns, GVariant *values);

struct _WeftSqliteConnection {
  sqlite3 *db;
  char *path;
  GHashTable *statements; /* SQL text -> sqlite3_stmt, finalized on removal */
  gint64 busy_timeout_us;
  gint64 busy_since_us;
  const gint *stop;   /* non-zero: give up waiting on locks, interrupt */
  const gint *cancel; /* non-zero: the current work was cancelled */
};

WeftSqliteConnection *_weft_sqlite_connection_open (const char *path,
                                                    gboolean query_only,
                                                    WeftSqliteSynchronous synchronous,
                                                    gint64 busy_timeout_us,
                                                    const gint *stop,
                                                    GError **error);
void _weft_sqlite_connection_close (WeftSqliteConnection *self);
sqlite3_stmt *_weft_sqlite_connection_prepare (WeftSqliteConnection *self,
                                               const char *sql,
                                               GVariant *params,
                                               GError **error);
gboolean _weft_sqlite_connection_is_read_only (WeftSqliteConnection *self, const char *sql);
void _weft_sqlite_connection_release (WeftSqliteConnection *self, sqlite3_stmt *stmt);
gboolean _weft_sqlite_connection_begin (WeftSqliteConnection *self, GError **error);
gboolean _weft_sqlite_connection_commit (WeftSqliteConnection *self, GError **error);
void _weft_sqlite_connection_rollback (WeftSqliteConnection *self);
gboolean _weft_sqlite_connection_migrate (WeftSqliteConnection *self, GPtrArray *migrations, GError **error);

/* A migration step: SQL text or a function. */
typedef struct {
  char *sql;
  WeftSqliteInteractionFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} WeftSqliteMigration;

void _weft_sqlite_migration_free (gpointer migration);

/* Sets @error from @rc and the connection's last message, saying what failed
 * on which file; @sql (nullable) is the statement that failed. */
void _weft_sqlite_set_error (GError **error, WeftSqliteConnection *connection, int rc, const char *sql);

G_END_DECLS
