/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SQLITE_INSIDE) && !defined(WEFT_SQLITE_COMPILATION)
#error "Only <weft-sqlite/weft-sqlite.h> can be included directly."
#endif

#include <gio/gio.h>

#include "weft-sqlite-row.h"
#include "weft-sqlite-version.h"

G_BEGIN_DECLS

struct sqlite3;

/**
 * WeftSqliteConnection:
 *
 * One of a pool's database connections, as seen by code that runs on the
 * pool's writer thread: a [callback@WeftSqlite.InteractionFunc] or a
 * migration step. It is valid only during that call and only on that
 * thread; it is not an object and is never freed by the caller.
 *
 * Parameters are a `GVariant` tuple (or %NULL for none), bound in order to
 * the statement's `?` placeholders: booleans and integers bind as INTEGER,
 * `d` as REAL, `s`, `o` and `g` as TEXT, `ay` as BLOB, an empty maybe as
 * NULL (a full maybe and a `v` bind what they hold). SQL text is never
 * assembled from values. Prepared statements are cached per connection,
 * keyed by their SQL text.
 */
typedef struct _WeftSqliteConnection WeftSqliteConnection;

WEFT_SQLITE_AVAILABLE_IN_ALL
gboolean weft_sqlite_connection_execute (WeftSqliteConnection *self, const char *sql, GVariant *params, GError **error);
WEFT_SQLITE_AVAILABLE_IN_ALL
GListModel *weft_sqlite_connection_query (WeftSqliteConnection *self, const char *sql, GVariant *params, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_SQLITE_AVAILABLE_IN_ALL
WeftSqliteRow *weft_sqlite_connection_query_row (WeftSqliteConnection *self,
                                                 const char *sql,
                                                 GVariant *params,
                                                 GError **error) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SQLITE_AVAILABLE_IN_ALL
gboolean weft_sqlite_connection_execute_script (WeftSqliteConnection *self, const char *sql, GError **error);

WEFT_SQLITE_AVAILABLE_IN_ALL
gint64 weft_sqlite_connection_get_changes (WeftSqliteConnection *self);
WEFT_SQLITE_AVAILABLE_IN_ALL
gint64 weft_sqlite_connection_get_last_insert_rowid (WeftSqliteConnection *self);
WEFT_SQLITE_AVAILABLE_IN_ALL
const char *weft_sqlite_connection_get_path (WeftSqliteConnection *self);
WEFT_SQLITE_AVAILABLE_IN_ALL
struct sqlite3 *weft_sqlite_connection_get_handle (WeftSqliteConnection *self);

G_END_DECLS
