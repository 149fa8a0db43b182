/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SQLITE_INSIDE) && !defined(WEFT_SQLITE_COMPILATION)
#error "Only <weft-sqlite/weft-sqlite.h> can be included directly."
#endif

#include <glib-object.h>

#include "weft-sqlite-version.h"

G_BEGIN_DECLS

/**
 * WeftSqliteRow:
 *
 * One row of a query result: an immutable object, so a query's rows form a
 * `GListModel` that a `GtkListView` or `GtkColumnView` binds to directly.
 *
 * Values are `GVariant`s, by column storage class: INTEGER is `x`, REAL is
 * `d`, TEXT is `s`, BLOB is `ay`, and NULL is an empty maybe (`mv`,
 * weft_sqlite_row_is_null()). The rows of one result share their column
 * names. A row may be passed between threads.
 */
#define WEFT_SQLITE_TYPE_ROW (weft_sqlite_row_get_type ())
WEFT_SQLITE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftSqliteRow, weft_sqlite_row, WEFT_SQLITE, ROW, GObject)

WEFT_SQLITE_AVAILABLE_IN_ALL
guint weft_sqlite_row_get_n_columns (WeftSqliteRow *self);
WEFT_SQLITE_AVAILABLE_IN_ALL
const char *weft_sqlite_row_get_column_name (WeftSqliteRow *self, guint column);
WEFT_SQLITE_AVAILABLE_IN_ALL
int weft_sqlite_row_lookup_column (WeftSqliteRow *self, const char *name);

WEFT_SQLITE_AVAILABLE_IN_ALL
GVariant *weft_sqlite_row_get_values (WeftSqliteRow *self);
WEFT_SQLITE_AVAILABLE_IN_ALL
GVariant *weft_sqlite_row_get_value (WeftSqliteRow *self, guint column);
WEFT_SQLITE_AVAILABLE_IN_ALL
gboolean weft_sqlite_row_is_null (WeftSqliteRow *self, guint column);
WEFT_SQLITE_AVAILABLE_IN_ALL
gint64 weft_sqlite_row_get_int64 (WeftSqliteRow *self, guint column);
WEFT_SQLITE_AVAILABLE_IN_ALL
double weft_sqlite_row_get_double (WeftSqliteRow *self, guint column);
WEFT_SQLITE_AVAILABLE_IN_ALL
const char *weft_sqlite_row_get_string (WeftSqliteRow *self, guint column);
WEFT_SQLITE_AVAILABLE_IN_ALL
GBytes *weft_sqlite_row_get_blob (WeftSqliteRow *self, guint column) G_GNUC_WARN_UNUSED_RESULT;

WEFT_SQLITE_AVAILABLE_IN_ALL
gint64 weft_sqlite_row_get_int64_by_name (WeftSqliteRow *self, const char *name);
WEFT_SQLITE_AVAILABLE_IN_ALL
const char *weft_sqlite_row_get_string_by_name (WeftSqliteRow *self, const char *name);

G_END_DECLS
