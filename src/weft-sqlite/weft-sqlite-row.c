/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "weft-sqlite-private.h"

struct _WeftSqliteRow {
  GObject parent_instance;
  WeftSqliteColumns *columns;
  GVariant *values; /* a tuple */
  GVariant **cells; /* its children, each referenced: stable pointers */
};

G_DEFINE_FINAL_TYPE (WeftSqliteRow, weft_sqlite_row, G_TYPE_OBJECT)

static void
columns_clear (gpointer data)
{
  WeftSqliteColumns *columns = data;

  g_strfreev (columns->names);
}

WeftSqliteColumns *
_weft_sqlite_columns_new (sqlite3_stmt *stmt)
{
  WeftSqliteColumns *columns = g_atomic_rc_box_new0 (WeftSqliteColumns);

  columns->n_columns = sqlite3_column_count (stmt);
  columns->names = g_new0 (char *, columns->n_columns + 1);
  for (guint i = 0; i < columns->n_columns; i++)
    columns->names[i] = g_strdup (sqlite3_column_name (stmt, i));
  return columns;
}

WeftSqliteColumns *
_weft_sqlite_columns_ref (WeftSqliteColumns *columns)
{
  return g_atomic_rc_box_acquire (columns);
}

void
_weft_sqlite_columns_unref (WeftSqliteColumns *columns)
{
  g_atomic_rc_box_release_full (columns, columns_clear);
}

static void
weft_sqlite_row_finalize (GObject *object)
{
  WeftSqliteRow *self = WEFT_SQLITE_ROW (object);

  g_clear_pointer (&self->columns, _weft_sqlite_columns_unref);
  if (self->cells != NULL)
    for (gsize i = 0; i < g_variant_n_children (self->values); i++)
      g_variant_unref (self->cells[i]);
  g_clear_pointer (&self->cells, g_free);
  g_clear_pointer (&self->values, g_variant_unref);
  G_OBJECT_CLASS (weft_sqlite_row_parent_class)->finalize (object);
}

static void
weft_sqlite_row_class_init (WeftSqliteRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_sqlite_row_finalize;
}

static void
weft_sqlite_row_init (WeftSqliteRow *self)
{
}

WeftSqliteRow *
_weft_sqlite_row_new (WeftSqliteColumns *columns, GVariant *values)
{
  WeftSqliteRow *self = g_object_new (WEFT_SQLITE_TYPE_ROW, NULL);

  self->columns = columns;
  self->values = g_variant_ref_sink (values);
  self->cells = g_new (GVariant *, g_variant_n_children (values));
  for (gsize i = 0; i < g_variant_n_children (values); i++)
    self->cells[i] = g_variant_get_child_value (values, i);
  return self;
}

/**
 * weft_sqlite_row_get_n_columns:
 * @self: a row
 *
 * Returns: how many columns the row has
 */
guint
weft_sqlite_row_get_n_columns (WeftSqliteRow *self)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_ROW (self), 0);

  return self->columns->n_columns;
}

/**
 * weft_sqlite_row_get_column_name:
 * @self: a row
 * @column: a column index, from 0
 *
 * Returns: (transfer none): the column's name, as the query named it
 */
const char *
weft_sqlite_row_get_column_name (WeftSqliteRow *self, guint column)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_ROW (self), NULL);
  g_return_val_if_fail (column < self->columns->n_columns, NULL);

  return self->columns->names[column];
}

/**
 * weft_sqlite_row_lookup_column:
 * @self: a row
 * @name: a column name
 *
 * Finds a column by name (ASCII case-insensitive, as SQL does).
 *
 * Returns: the column's index, or -1 if no column has that name
 */
int
weft_sqlite_row_lookup_column (WeftSqliteRow *self, const char *name)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_ROW (self), -1);
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = 0; i < self->columns->n_columns; i++)
    if (g_ascii_strcasecmp (self->columns->names[i], name) == 0)
      return (int) i;
  return -1;
}

/**
 * weft_sqlite_row_get_values:
 * @self: a row
 *
 * Returns: (transfer none): the row's values as one tuple
 */
GVariant *
weft_sqlite_row_get_values (WeftSqliteRow *self)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_ROW (self), NULL);

  return self->values;
}

/**
 * weft_sqlite_row_get_value:
 * @self: a row
 * @column: a column index, from 0
 *
 * Returns: (transfer none): the column's value: `x`, `d`, `s`, `ay`, or an
 *   empty `mv` for NULL
 */
GVariant *
weft_sqlite_row_get_value (WeftSqliteRow *self, guint column)
{
  g_return_val_if_fail (WEFT_SQLITE_IS_ROW (self), NULL);
  g_return_val_if_fail (column < self->columns->n_columns, NULL);

  return self->cells[column];
}

/**
 * weft_sqlite_row_is_null:
 * @self: a row
 * @column: a column index, from 0
 *
 * Returns: whether the column is SQL NULL
 */
gboolean
weft_sqlite_row_is_null (WeftSqliteRow *self, guint column)
{
  GVariant *value = weft_sqlite_row_get_value (self, column);

  return value == NULL || g_variant_is_of_type (value, G_VARIANT_TYPE_MAYBE);
}

/**
 * weft_sqlite_row_get_int64:
 * @self: a row
 * @column: a column index, from 0
 *
 * Reads an INTEGER column; a REAL is truncated, anything else is 0.
 *
 * Returns: the column's value
 */
gint64
weft_sqlite_row_get_int64 (WeftSqliteRow *self, guint column)
{
  GVariant *value = weft_sqlite_row_get_value (self, column);

  if (value == NULL)
    return 0;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return g_variant_get_int64 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    return (gint64) g_variant_get_double (value);
  return 0;
}

/**
 * weft_sqlite_row_get_double:
 * @self: a row
 * @column: a column index, from 0
 *
 * Reads a REAL column; an INTEGER is converted, anything else is 0.
 *
 * Returns: the column's value
 */
double
weft_sqlite_row_get_double (WeftSqliteRow *self, guint column)
{
  GVariant *value = weft_sqlite_row_get_value (self, column);

  if (value == NULL)
    return 0;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    return g_variant_get_double (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return (double) g_variant_get_int64 (value);
  return 0;
}

/**
 * weft_sqlite_row_get_string:
 * @self: a row
 * @column: a column index, from 0
 *
 * Reads a TEXT column.
 *
 * Returns: (transfer none) (nullable): the text, or %NULL if the column is
 *   not TEXT (NULL, a number or a blob)
 */
const char *
weft_sqlite_row_get_string (WeftSqliteRow *self, guint column)
{
  GVariant *value = weft_sqlite_row_get_value (self, column);

  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return NULL;
  return g_variant_get_string (value, NULL);
}

/**
 * weft_sqlite_row_get_blob:
 * @self: a row
 * @column: a column index, from 0
 *
 * Reads a BLOB column (a TEXT column gives its bytes, without the nul).
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL for NULL and
 *   numbers
 */
GBytes *
weft_sqlite_row_get_blob (WeftSqliteRow *self, guint column)
{
  GVariant *value = weft_sqlite_row_get_value (self, column);

  if (value == NULL)
    return NULL;
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
    return g_variant_get_data_as_bytes (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      gsize length;
      const char *text = g_variant_get_string (value, &length);
      return g_bytes_new (text, length);
    }
  return NULL;
}

/**
 * weft_sqlite_row_get_int64_by_name:
 * @self: a row
 * @name: a column name
 *
 * Like weft_sqlite_row_get_int64(), by column name.
 *
 * Returns: the column's value, or 0 if there is no such column
 */
gint64
weft_sqlite_row_get_int64_by_name (WeftSqliteRow *self, const char *name)
{
  int column = weft_sqlite_row_lookup_column (self, name);

  return column >= 0 ? weft_sqlite_row_get_int64 (self, column) : 0;
}

/**
 * weft_sqlite_row_get_string_by_name:
 * @self: a row
 * @name: a column name
 *
 * Like weft_sqlite_row_get_string(), by column name.
 *
 * Returns: (transfer none) (nullable): the text, or %NULL
 */
const char *
weft_sqlite_row_get_string_by_name (WeftSqliteRow *self, const char *name)
{
  int column = weft_sqlite_row_lookup_column (self, name);

  return column >= 0 ? weft_sqlite_row_get_string (self, column) : NULL;
}
