/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One SQLite connection, used by one thread at a time: opening, the
 * statement cache, binding parameters, stepping, transactions and
 * migrations. The pool gives each of its threads one of these. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-sqlite-private.h"

/* Enough for an application's working set of statements; a program that
 * makes up SQL text on the fly empties the cache instead of growing it. */
#define STATEMENT_CACHE_SIZE 128

/* Waiting on another process' lock: sleep 1, 2, 4 ... ms, never more than
 * this at once, until the busy timeout is spent. */
#define BUSY_MAX_SLEEP_US (50 * 1000)

/* Every few thousand VM steps: an interrupt that cannot be missed, even
 * when it was asked for just before a statement started (where
 * sqlite3_interrupt() alone has no effect). */
#define PROGRESS_STEPS 4096

static int
progress_handler (void *data)
{
  WeftSqliteConnection *self = data;

  return (self->stop != NULL && g_atomic_int_get (self->stop)) ||
         (self->cancel != NULL && g_atomic_int_get (self->cancel));
}

static int
busy_handler (void *data, int attempt)
{
  WeftSqliteConnection *self = data;
  gint64 now = g_get_monotonic_time ();
  gint64 sleep_us;

  if (attempt == 0)
    self->busy_since_us = now;
  if (progress_handler (self))
    return 0;
  if (now - self->busy_since_us >= self->busy_timeout_us)
    return 0;
  sleep_us = MIN ((gint64) 1000 << MIN (attempt, 10), BUSY_MAX_SLEEP_US);
  sleep_us = MIN (sleep_us, self->busy_timeout_us - (now - self->busy_since_us));
  g_usleep (MAX (sleep_us, 100));
  return 1;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static gboolean
exec_literal (WeftSqliteConnection *self, const char *sql, GError **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _weft_sqlite_set_error (error, self, rc, sql);
      return FALSE;
    }
  return TRUE;
}

WeftSqliteConnection *
_weft_sqlite_connection_open (const char *path,
                              gboolean query_only,
                              WeftSqliteSynchronous synchronous,
                              gint64 busy_timeout_us,
                              const gint *stop,
                              GError **error)
{
  WeftSqliteConnection *self = g_new0 (WeftSqliteConnection, 1);
  g_autofree char *pragmas = NULL;
  int rc;

  self->path = g_strdup (path);
  self->busy_timeout_us = busy_timeout_us;
  self->stop = stop;
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);

  /* NOMUTEX: one thread uses a connection at a time; sqlite3_interrupt()
   * is safe from another thread regardless. */
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, NULL);
  if (rc != SQLITE_OK)
    {
      int system_errno = self->db != NULL ? sqlite3_system_errno (self->db) : 0;
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_OPEN, _ ("Could not open the database %s: %s"), path,
                   system_errno != 0  ? g_strerror (system_errno)
                   : self->db != NULL ? sqlite3_errmsg (self->db)
                                      : sqlite3_errstr (rc));
      _weft_sqlite_connection_close (self);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_handler (self->db, busy_handler, self);
  sqlite3_progress_handler (self->db, PROGRESS_STEPS, progress_handler, self);

  pragmas = g_strdup_printf ("PRAGMA journal_mode = WAL; PRAGMA synchronous = %d;%s", (int) synchronous,
                             query_only ? " PRAGMA query_only = 1;" : "");
  if (!exec_literal (self, pragmas, error))
    {
      _weft_sqlite_connection_close (self);
      return NULL;
    }
  return self;
}

void
_weft_sqlite_connection_close (WeftSqliteConnection *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_free (self->path);
  g_free (self);
}

static gboolean
bind_one (WeftSqliteConnection *self, sqlite3_stmt *stmt, int index, GVariant *value, const char *sql, GError **error)
{
  int rc;

  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_BOOLEAN:
      rc = sqlite3_bind_int64 (stmt, index, g_variant_get_boolean (value));
      break;
    case G_VARIANT_CLASS_BYTE:
      rc = sqlite3_bind_int64 (stmt, index, g_variant_get_byte (value));
      break;
    case G_VARIANT_CLASS_INT16:
      rc = sqlite3_bind_int64 (stmt, index, g_variant_get_int16 (value));
      break;
    case G_VARIANT_CLASS_UINT16:
      rc = sqlite3_bind_int64 (stmt, index, g_variant_get_uint16 (value));
      break;
    case G_VARIANT_CLASS_INT32:
      rc = sqlite3_bind_int64 (stmt, index, g_variant_get_int32 (value));
      break;
    case G_VARIANT_CLASS_UINT32:
      rc = sqlite3_bind_int64 (stmt, index, g_variant_get_uint32 (value));
      break;
    case G_VARIANT_CLASS_INT64:
      rc = sqlite3_bind_int64 (stmt, index, g_variant_get_int64 (value));
      break;
    case G_VARIANT_CLASS_UINT64:
      if (g_variant_get_uint64 (value) > G_MAXINT64)
        {
          g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_PARAMETER,
                       _ ("Parameter %d of “%s” is too large for SQLite’s integers"), index, sql);
          return FALSE;
        }
      rc = sqlite3_bind_int64 (stmt, index, (gint64) g_variant_get_uint64 (value));
      break;
    case G_VARIANT_CLASS_HANDLE:
      rc = sqlite3_bind_int64 (stmt, index, g_variant_get_handle (value));
      break;
    case G_VARIANT_CLASS_DOUBLE:
      rc = sqlite3_bind_double (stmt, index, g_variant_get_double (value));
      break;
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      {
        gsize length;
        const char *text = g_variant_get_string (value, &length);
        rc = sqlite3_bind_text64 (stmt, index, text, length, SQLITE_TRANSIENT, SQLITE_UTF8);
      }
      break;
    case G_VARIANT_CLASS_VARIANT:
      {
        g_autoptr (GVariant) inner = g_variant_get_variant (value);
        return bind_one (self, stmt, index, inner, sql, error);
      }
    case G_VARIANT_CLASS_MAYBE:
      {
        g_autoptr (GVariant) inner = g_variant_get_maybe (value);
        if (inner == NULL)
          rc = sqlite3_bind_null (stmt, index);
        else
          return bind_one (self, stmt, index, inner, sql, error);
      }
      break;
    case G_VARIANT_CLASS_ARRAY:
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
        {
          gsize length;
          const guint8 *data = g_variant_get_fixed_array (value, &length, 1);
          rc = length == 0 ? sqlite3_bind_zeroblob (stmt, index, 0)
                           : sqlite3_bind_blob64 (stmt, index, data, length, SQLITE_TRANSIENT);
          break;
        }
      G_GNUC_FALLTHROUGH;
    default:
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_PARAMETER,
                   _ ("Parameter %d of “%s” has type “%s”, which SQLite cannot store"), index, sql,
                   g_variant_get_type_string (value));
      return FALSE;
    }
  if (rc != SQLITE_OK)
    {
      _weft_sqlite_set_error (error, self, rc, sql);
      return FALSE;
    }
  return TRUE;
}

static sqlite3_stmt *
lookup_or_prepare (WeftSqliteConnection *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  const char *tail = NULL;
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK)
    {
      if ((rc & 0xff) == SQLITE_ERROR)
        g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_SQL, _ ("Could not prepare “%s” on %s: %s"), sql,
                     self->path, sqlite3_errmsg (self->db));
      else
        _weft_sqlite_set_error (error, self, rc, sql);
      return NULL;
    }
  if (stmt == NULL)
    {
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_SQL, _ ("“%s” holds no SQL statement"), sql);
      return NULL;
    }
  while (tail != NULL && (g_ascii_isspace (*tail) || *tail == ';'))
    tail++;
  if (tail != NULL && *tail != '\0')
    {
      sqlite3_finalize (stmt);
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_SQL,
                   _ ("“%s” holds more than one statement; run scripts in an interaction"), sql);
      return NULL;
    }
  if (g_hash_table_size (self->statements) >= STATEMENT_CACHE_SIZE)
    g_hash_table_remove_all (self->statements);
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

/* Whether @sql only reads; %TRUE when it cannot be prepared, so that the
 * error comes from wherever it runs. */
gboolean
_weft_sqlite_connection_is_read_only (WeftSqliteConnection *self, const char *sql)
{
  sqlite3_stmt *stmt = lookup_or_prepare (self, sql, NULL);

  return stmt == NULL || sqlite3_stmt_readonly (stmt);
}

sqlite3_stmt *
_weft_sqlite_connection_prepare (WeftSqliteConnection *self, const char *sql, GVariant *params, GError **error)
{
  gsize n_params;
  sqlite3_stmt *stmt;
  int n_wanted;

  if (params != NULL && !g_variant_is_of_type (params, G_VARIANT_TYPE_TUPLE))
    {
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_PARAMETER,
                   _ ("Parameters of “%s” must be a tuple, not “%s”"), sql, g_variant_get_type_string (params));
      return NULL;
    }
  stmt = lookup_or_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;

  n_params = params != NULL ? g_variant_n_children (params) : 0;
  n_wanted = sqlite3_bind_parameter_count (stmt);
  if ((gsize) n_wanted != n_params)
    {
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_PARAMETER,
                   ngettext ("“%s” takes %d parameter, but %zu were given",
                             "“%s” takes %d parameters, but %zu were given", n_wanted),
                   sql, n_wanted, n_params);
      return NULL;
    }
  for (gsize i = 0; i < n_params; i++)
    {
      g_autoptr (GVariant) value = g_variant_get_child_value (params, i);
      if (!bind_one (self, stmt, (int) i + 1, value, sql, error))
        {
          _weft_sqlite_connection_release (self, stmt);
          return NULL;
        }
    }
  return stmt;
}

void
_weft_sqlite_connection_release (WeftSqliteConnection *self, sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static GVariant *
column_value (sqlite3_stmt *stmt, int column)
{
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_INTEGER:
      return g_variant_new_int64 (sqlite3_column_int64 (stmt, column));
    case SQLITE_FLOAT:
      return g_variant_new_double (sqlite3_column_double (stmt, column));
    case SQLITE_TEXT:
      {
        const char *text = (const char *) sqlite3_column_text (stmt, column);
        int length = sqlite3_column_bytes (stmt, column);
        if (g_utf8_validate_len (text, length, NULL) && memchr (text, '\0', length) == NULL)
          return g_variant_new_string (text);
        /* Not UTF-8: hand out the bytes rather than refuse the row. */
        return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, text, length, 1);
      }
    case SQLITE_BLOB:
      {
        const void *data = sqlite3_column_blob (stmt, column);
        int length = sqlite3_column_bytes (stmt, column);
        return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, length > 0 ? data : "", length, 1);
      }
    case SQLITE_NULL:
    default:
      return g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL);
    }
}

/* Sleeps before another try of a statement that met SQLITE_BUSY outside a
 * transaction; FALSE once the busy timeout is spent. */
static gboolean
retry_after_busy (WeftSqliteConnection *self, guint attempt, gint64 started_us)
{
  /* Counted from the first step, so that a busy handler that already
   * waited the whole timeout is not followed by a second wait. */
  if (progress_handler (self) || g_get_monotonic_time () - started_us >= self->busy_timeout_us)
    return FALSE;
  g_usleep (MIN ((gint64) 1000 << MIN (attempt, 10), BUSY_MAX_SLEEP_US));
  return TRUE;
}

/* Steps @sql to the end; collects rows into @rows when it is not NULL,
 * stopping after @max_rows of them (0: all). */
static gboolean
run_statement (WeftSqliteConnection *self,
               const char *sql,
               GVariant *params,
               GListStore *rows,
               guint max_rows,
               GError **error)
{
  g_autoptr (GVariant) sunk_params = params != NULL ? g_variant_ref_sink (params) : NULL;
  sqlite3_stmt *stmt = _weft_sqlite_connection_prepare (self, sql, params, error);
  WeftSqliteColumns *columns = NULL;
  guint n_rows = 0;
  gboolean saw_row = FALSE;
  gint64 started_us = g_get_monotonic_time ();
  gboolean ok = TRUE;

  if (stmt == NULL)
    return FALSE;

  for (guint attempt = 0;; attempt++)
    {
      gboolean outside_transaction = sqlite3_get_autocommit (self->db);
      int rc = sqlite3_step (stmt);

      if (rc == SQLITE_DONE)
        break;
      if ((rc & 0xff) == SQLITE_BUSY && outside_transaction && !saw_row && retry_after_busy (self, attempt, started_us))
        {
          /* Some waits bypass the busy handler (WAL recovery, a snapshot
           * gone stale); nothing ran yet, so the statement starts over. */
          sqlite3_reset (stmt);
          continue;
        }
      if (rc != SQLITE_ROW)
        {
          _weft_sqlite_set_error (error, self, rc, sql);
          ok = FALSE;
          break;
        }
      saw_row = TRUE;
      if (rows == NULL)
        continue;
      if (columns == NULL)
        columns = _weft_sqlite_columns_new (stmt);
      {
        GVariantBuilder builder;
        g_autoptr (WeftSqliteRow) row = NULL;

        g_variant_builder_init (&builder, G_VARIANT_TYPE_TUPLE);
        for (guint i = 0; i < columns->n_columns; i++)
          g_variant_builder_add_value (&builder, column_value (stmt, i));
        row = _weft_sqlite_row_new (_weft_sqlite_columns_ref (columns), g_variant_builder_end (&builder));
        g_list_store_append (rows, row);
      }
      if (max_rows != 0 && ++n_rows >= max_rows)
        break;
    }
  if (columns != NULL)
    _weft_sqlite_columns_unref (columns);
  _weft_sqlite_connection_release (self, stmt);
  return ok;
}

gboolean
_weft_sqlite_connection_begin (WeftSqliteConnection *self, GError **error)
{
  return weft_sqlite_connection_execute (self, "BEGIN IMMEDIATE", NULL, error);
}

gboolean
_weft_sqlite_connection_commit (WeftSqliteConnection *self, GError **error)
{
  if (sqlite3_get_autocommit (self->db))
    return TRUE; /* the work ended its transaction itself */
  if (weft_sqlite_connection_execute (self, "COMMIT", NULL, error))
    return TRUE;
  _weft_sqlite_connection_rollback (self);
  return FALSE;
}

void
_weft_sqlite_connection_rollback (WeftSqliteConnection *self)
{
  /* SQLite may have rolled back already (a full disk, an interrupt). */
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

void
_weft_sqlite_migration_free (gpointer data)
{
  WeftSqliteMigration *migration = data;

  if (migration->destroy != NULL)
    migration->destroy (migration->user_data);
  g_free (migration->sql);
  g_free (migration);
}

static gboolean
run_migration (WeftSqliteConnection *self, WeftSqliteMigration *migration, guint step, GError **error)
{
  g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %u", step);

  if (!_weft_sqlite_connection_begin (self, error))
    return FALSE;
  if (migration->sql != NULL)
    {
      if (!weft_sqlite_connection_execute_script (self, migration->sql, error))
        goto failed;
    }
  else
    {
      g_autoptr (WeftResult) result = weft_result_new ();
      if (!migration->func (self, result, migration->user_data, error))
        goto failed;
    }
  if (!exec_literal (self, set_version, error))
    goto failed;
  return _weft_sqlite_connection_commit (self, error);

failed:
  _weft_sqlite_connection_rollback (self);
  return FALSE;
}

gboolean
_weft_sqlite_connection_migrate (WeftSqliteConnection *self, GPtrArray *migrations, GError **error)
{
  g_autoptr (WeftSqliteRow) row = NULL;
  gint64 version;

  if (migrations == NULL || migrations->len == 0)
    return TRUE;

  row = weft_sqlite_connection_query_row (self, "PRAGMA user_version", NULL, error);
  if (row == NULL)
    return FALSE;
  version = weft_sqlite_row_get_int64 (row, 0);
  if (version > (gint64) migrations->len)
    {
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_MIGRATION,
                   _ ("The schema of %s is at version %lld, newer than the %u versions this program knows"), self->path,
                   (long long) version, migrations->len);
      return FALSE;
    }
  for (guint step = (guint) version + 1; step <= migrations->len; step++)
    {
      g_autoptr (GError) local_error = NULL;

      if (!run_migration (self, g_ptr_array_index (migrations, step - 1), step, &local_error))
        {
          g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_MIGRATION,
                       _ ("Schema migration step %u of %s failed: %s"), step, self->path, local_error->message);
          return FALSE;
        }
      g_debug ("Migrated %s to schema version %u", self->path, step);
    }
  return TRUE;
}

/**
 * weft_sqlite_connection_execute:
 * @self: a connection
 * @sql: one SQL statement, with `?` placeholders
 * @params: (nullable): a tuple of values for the placeholders; a floating
 *   reference is sunk
 * @error: return location for an error
 *
 * Runs a statement to its end, ignoring any rows it returns. Afterwards
 * weft_sqlite_connection_get_changes() and
 * weft_sqlite_connection_get_last_insert_rowid() describe what it did.
 *
 * Returns: %TRUE on success
 */
gboolean
weft_sqlite_connection_execute (WeftSqliteConnection *self, const char *sql, GVariant *params, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return run_statement (self, sql, params, NULL, 0, error);
}

/**
 * weft_sqlite_connection_query:
 * @self: a connection
 * @sql: one SQL statement, with `?` placeholders
 * @params: (nullable): a tuple of values for the placeholders; a floating
 *   reference is sunk
 * @error: return location for an error
 *
 * Runs a statement and collects the rows it returns.
 *
 * Returns: (transfer full) (nullable): a list of [class@WeftSqlite.Row],
 *   or %NULL with @error set
 */
GListModel *
weft_sqlite_connection_query (WeftSqliteConnection *self, const char *sql, GVariant *params, GError **error)
{
  g_autoptr (GListStore) rows = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = g_list_store_new (WEFT_SQLITE_TYPE_ROW);
  if (!run_statement (self, sql, params, rows, 0, error))
    return NULL;
  return G_LIST_MODEL (g_steal_pointer (&rows));
}

/**
 * weft_sqlite_connection_query_row:
 * @self: a connection
 * @sql: one SQL statement, with `?` placeholders
 * @params: (nullable): a tuple of values for the placeholders; a floating
 *   reference is sunk
 * @error: return location for an error
 *
 * Runs a statement and returns its first row.
 *
 * Returns: (transfer full) (nullable): the first row; %NULL with @error
 *   set on failure, or %NULL with no error if there was no row
 */
WeftSqliteRow *
weft_sqlite_connection_query_row (WeftSqliteConnection *self, const char *sql, GVariant *params, GError **error)
{
  g_autoptr (GListStore) rows = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = g_list_store_new (WEFT_SQLITE_TYPE_ROW);
  if (!run_statement (self, sql, params, rows, 1, error))
    return NULL;
  return g_list_model_get_item (G_LIST_MODEL (rows), 0);
}

/**
 * weft_sqlite_connection_execute_script:
 * @self: a connection
 * @sql: SQL statements separated by semicolons, without parameters
 * @error: return location for an error
 *
 * Runs several statements, for schema changes. Its statements are not
 * cached.
 *
 * Returns: %TRUE on success
 */
gboolean
weft_sqlite_connection_execute_script (WeftSqliteConnection *self, const char *sql, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return exec_literal (self, sql, error);
}

/**
 * weft_sqlite_connection_get_changes:
 * @self: a connection
 *
 * Returns: how many rows the last INSERT, UPDATE or DELETE changed
 */
gint64
weft_sqlite_connection_get_changes (WeftSqliteConnection *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return sqlite3_changes64 (self->db);
}

/**
 * weft_sqlite_connection_get_last_insert_rowid:
 * @self: a connection
 *
 * Returns: the rowid of the last row inserted on this connection
 */
gint64
weft_sqlite_connection_get_last_insert_rowid (WeftSqliteConnection *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return sqlite3_last_insert_rowid (self->db);
}

/**
 * weft_sqlite_connection_get_path:
 * @self: a connection
 *
 * Returns: (transfer none): the database file's path
 */
const char *
weft_sqlite_connection_get_path (WeftSqliteConnection *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->path;
}

/**
 * weft_sqlite_connection_get_handle: (skip)
 * @self: a connection
 *
 * The raw SQLite handle, for what this API does not cover (custom
 * functions, backups). Use it only on the thread that runs the current
 * work, and do not close it.
 *
 * Returns: (transfer none): the `sqlite3` handle
 */
struct sqlite3 *
weft_sqlite_connection_get_handle (WeftSqliteConnection *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->db;
}
