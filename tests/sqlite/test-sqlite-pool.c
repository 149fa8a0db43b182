/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SQLite pool on every backend: results come back to the reactor's
 * thread while the database work runs on the pool's threads. */

#include "conformance.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <weft-sqlite/weft-sqlite.h>

#define SCHEMA "CREATE TABLE messages (id INTEGER PRIMARY KEY, nick TEXT NOT NULL, body TEXT, data BLOB)"

typedef struct {
  ConformanceFixture *f;
  char *dir;
  char *path;
  WeftSqlitePool *pool;
} Db;

/* Waiting for a deferred */

typedef struct {
  guint done;
  WeftResult *result;
} Waiter;

static WeftDeferred *
waiter_fired (WeftResult *result, gpointer data)
{
  Waiter *waiter = data;

  waiter->result = weft_result_copy (result);
  weft_result_clear (result);
  waiter->done++;
  return NULL;
}

static void
waiter_watch (Waiter *waiter, WeftDeferred *deferred)
{
  weft_deferred_add_both (deferred, waiter_fired, waiter, NULL);
  g_object_unref (deferred);
}

/* Takes @deferred; returns its result. */
static WeftResult *
wait_for (ConformanceFixture *f, WeftDeferred *deferred)
{
  Waiter waiter = { 0 };

  waiter_watch (&waiter, deferred);
  conformance_iterate_until (f, &waiter.done, 1);
  return waiter.result;
}

static void
assert_success (WeftResult *result)
{
  g_assert_no_error (weft_result_get_error (result));
}

/* Setting up */

static Db *
db_new_unopened (ConformanceFixture *f)
{
  Db *db = g_new0 (Db, 1);
  g_autoptr (GError) error = NULL;

  db->f = f;
  db->dir = g_dir_make_tmp ("weft-sqlite-XXXXXX", &error);
  g_assert_no_error (error);
  db->path = g_build_filename (db->dir, "history.db", NULL);
  db->pool = weft_sqlite_pool_new (f->reactor, db->path);
  return db;
}

static void
db_open (Db *db)
{
  g_autoptr (WeftResult) result = wait_for (db->f, weft_sqlite_pool_open (db->pool));

  assert_success (result);
  g_assert_true (weft_sqlite_pool_is_open (db->pool));
}

static Db *
db_new (ConformanceFixture *f)
{
  Db *db = db_new_unopened (f);

  weft_sqlite_pool_add_migration (db->pool, SCHEMA);
  db_open (db);
  return db;
}

static void
db_close_pool (Db *db)
{
  g_autoptr (WeftResult) result = NULL;

  result = wait_for (db->f, weft_sqlite_pool_close (db->pool));
  assert_success (result);
  g_assert_false (weft_sqlite_pool_is_open (db->pool));
  g_clear_object (&db->pool);
}

static void
db_free (Db *db)
{
  if (db->pool != NULL)
    db_close_pool (db);
  for (guint i = 0; i < 3; i++)
    {
      const char *suffix[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (db->path, suffix[i], NULL);
      g_unlink (file);
    }
  g_rmdir (db->dir);
  g_free (db->path);
  g_free (db->dir);
  g_free (db);
}

static gint64
db_count (Db *db)
{
  g_autoptr (WeftResult) result =
      wait_for (db->f, weft_sqlite_pool_run_query (db->pool, "SELECT count(*) FROM messages", NULL));
  GListModel *rows;
  g_autoptr (WeftSqliteRow) row = NULL;

  assert_success (result);
  rows = weft_result_get_object (result);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);
  row = g_list_model_get_item (rows, 0);
  return weft_sqlite_row_get_int64 (row, 0);
}

static WeftResult *
db_insert (Db *db, const char *nick, const char *body)
{
  return wait_for (db->f, weft_sqlite_pool_run_operation (db->pool, "INSERT INTO messages (nick, body) VALUES (?, ?)",
                                                          g_variant_new ("(sms)", nick, body)));
}

/* Query and insert */

static void
test_query_insert (ConformanceFixture *f)
{
  Db *db = db_new (f);
  g_autoptr (WeftResult) result = NULL;
  const WeftSqliteChanges *changes;
  GListModel *rows;
  g_autoptr (WeftSqliteRow) row = NULL;
  g_autoptr (GBytes) blob = NULL;
  const guint8 bytes[] = { 0, 1, 2, 255 };

  result = db_insert (db, "alice", "hello");
  assert_success (result);
  changes = weft_result_get_boxed (result);
  g_assert_cmpint (changes->changes, ==, 1);
  g_assert_cmpint (changes->last_insert_rowid, ==, 1);
  g_clear_pointer (&result, weft_result_free);

  /* NULL and a blob, bound, never pasted: a quote is just a character. */
  result =
      wait_for (f, weft_sqlite_pool_run_operation (db->pool, "INSERT INTO messages (nick, body, data) VALUES (?, ?, ?)",
                                                   g_variant_new ("(sms@ay)", "bob'; DROP TABLE messages; --", NULL,
                                                                  g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, bytes,
                                                                                             sizeof bytes, 1))));
  assert_success (result);
  g_assert_cmpint (((WeftSqliteChanges *) weft_result_get_boxed (result))->last_insert_rowid, ==, 2);
  g_clear_pointer (&result, weft_result_free);

  result = wait_for (f, weft_sqlite_pool_run_query (db->pool, "SELECT id, nick, body, data FROM messages ORDER BY id",
                                                    NULL));
  assert_success (result);
  rows = weft_result_get_object (result);
  g_assert_true (G_IS_LIST_MODEL (rows));
  g_assert_true (g_list_model_get_item_type (rows) == WEFT_SQLITE_TYPE_ROW);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 2);
  row = g_list_model_get_item (rows, 0);
  g_assert_cmpuint (weft_sqlite_row_get_n_columns (row), ==, 4);
  g_assert_cmpstr (weft_sqlite_row_get_column_name (row, 1), ==, "nick");
  g_assert_cmpint (weft_sqlite_row_lookup_column (row, "BODY"), ==, 2);
  g_assert_cmpint (weft_sqlite_row_get_int64 (row, 0), ==, 1);
  g_assert_cmpstr (weft_sqlite_row_get_string_by_name (row, "nick"), ==, "alice");
  g_assert_cmpstr (weft_sqlite_row_get_string (row, 2), ==, "hello");
  g_assert_true (weft_sqlite_row_is_null (row, 3));
  g_clear_object (&row);
  row = g_list_model_get_item (rows, 1);
  g_assert_cmpstr (weft_sqlite_row_get_string (row, 1), ==, "bob'; DROP TABLE messages; --");
  g_assert_true (weft_sqlite_row_is_null (row, 2));
  blob = weft_sqlite_row_get_blob (row, 3);
  g_assert_cmpmem (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob), bytes, sizeof bytes);
  g_assert_cmpstr (g_variant_get_type_string (weft_sqlite_row_get_values (row)), ==, "(xsmvay)");
  g_clear_object (&row);
  g_clear_pointer (&result, weft_result_free);

  /* Parameters select rows; the same statement again comes from the cache. */
  for (guint i = 0; i < 2; i++)
    {
      result = wait_for (f, weft_sqlite_pool_run_query (db->pool, "SELECT body FROM messages WHERE nick = ?",
                                                        g_variant_new ("(s)", "alice")));
      assert_success (result);
      g_assert_cmpuint (g_list_model_get_n_items (weft_result_get_object (result)), ==, 1);
      g_clear_pointer (&result, weft_result_free);
    }

  /* A query that writes goes to the writer. */
  result = wait_for (f, weft_sqlite_pool_run_query (db->pool, "INSERT INTO messages (nick) VALUES (?) RETURNING id",
                                                    g_variant_new ("(s)", "carol")));
  assert_success (result);
  rows = weft_result_get_object (result);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);
  row = g_list_model_get_item (rows, 0);
  g_assert_cmpint (weft_sqlite_row_get_int64 (row, 0), ==, 3);
  g_clear_object (&row);
  g_clear_pointer (&result, weft_result_free);

  /* Errors say what went wrong. */
  result = wait_for (f, weft_sqlite_pool_run_query (db->pool, "SELECT * FROM nowhere", NULL));
  g_assert_true (weft_result_error_matches (result, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_SQL));
  g_assert_nonnull (strstr (weft_result_get_error (result)->message, "no such table: nowhere"));
  g_clear_pointer (&result, weft_result_free);
  result = wait_for (f, weft_sqlite_pool_run_operation (db->pool, "INSERT INTO messages (nick) VALUES (?)",
                                                        g_variant_new ("(ss)", "a", "b")));
  g_assert_true (weft_result_error_matches (result, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_PARAMETER));
  g_clear_pointer (&result, weft_result_free);
  result = wait_for (f, weft_sqlite_pool_run_operation (db->pool, "INSERT INTO messages (body) VALUES ('x')", NULL));
  g_assert_true (weft_result_error_matches (result, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_CONSTRAINT));
  g_clear_pointer (&result, weft_result_free);
  result = wait_for (f, weft_sqlite_pool_run_operation (db->pool, "DELETE FROM messages; DROP TABLE messages", NULL));
  g_assert_true (weft_result_error_matches (result, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_SQL));
  g_clear_pointer (&result, weft_result_free);

  g_assert_cmpint (db_count (db), ==, 3);
  db_free (db);
}

/* Interactions */

static gboolean
insert_three (WeftSqliteConnection *connection, WeftResult *result, gpointer user_data, GError **error)
{
  for (guint i = 0; i < 3; i++)
    if (!weft_sqlite_connection_execute (connection, "INSERT INTO messages (nick, body) VALUES (?, ?)",
                                         g_variant_new ("(ss)", "batch", "row"), error))
      return FALSE;
  weft_result_set_int64 (result, weft_sqlite_connection_get_last_insert_rowid (connection));
  return TRUE;
}

static gboolean
insert_then_fail (WeftSqliteConnection *connection, WeftResult *result, gpointer user_data, GError **error)
{
  g_autoptr (WeftSqliteRow) row = NULL;

  if (!insert_three (connection, result, user_data, error))
    return FALSE;
  /* The transaction sees its own rows... */
  row = weft_sqlite_connection_query_row (connection, "SELECT count(*) FROM messages", NULL, error);
  g_assert_nonnull (row);
  g_assert_cmpint (weft_sqlite_row_get_int64 (row, 0), ==, 6);
  /* ...and they go when it fails. */
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "changed my mind");
  return FALSE;
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_interaction (ConformanceFixture *f)
{
  Db *db = db_new (f);
  g_autoptr (WeftResult) result = NULL;
  guint destroyed = 0;

  result = wait_for (f, weft_sqlite_pool_run_interaction (db->pool, insert_three, &destroyed, count_destroy));
  assert_success (result);
  g_assert_cmpint (weft_result_get_int64 (result), ==, 3);
  g_assert_cmpuint (destroyed, ==, 1);
  g_assert_cmpint (db_count (db), ==, 3);
  g_clear_pointer (&result, weft_result_free);

  result = wait_for (f, weft_sqlite_pool_run_interaction (db->pool, insert_then_fail, &destroyed, count_destroy));
  g_assert_true (weft_result_error_matches (result, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
  g_assert_cmpstr (weft_result_get_error (result)->message, ==, "changed my mind");
  g_assert_cmpuint (destroyed, ==, 2);
  g_assert_cmpint (db_count (db), ==, 3);

  db_free (db);
}

/* A gate that holds the writer thread inside an interaction until the
 * reactor's thread opens it; the interaction reports that it is inside
 * through the reactor, so the test waits on an event, not on time. */

typedef struct {
  WeftReactor *reactor;
  GMutex lock;
  GCond cond;
  gboolean open;
  guint entered; /* reactor thread */
  gboolean insert_first;
  const char *sql; /* optional long statement to run once inside */
  GError *sql_error;
  guint sql_done; /* reactor thread */
} Gate;

static void
gate_init (Gate *gate, WeftReactor *reactor)
{
  memset (gate, 0, sizeof *gate);
  gate->reactor = reactor;
  g_mutex_init (&gate->lock);
  g_cond_init (&gate->cond);
}

static void
gate_clear (Gate *gate)
{
  g_clear_error (&gate->sql_error);
  g_mutex_clear (&gate->lock);
  g_cond_clear (&gate->cond);
}

static void
gate_open (Gate *gate)
{
  g_mutex_lock (&gate->lock);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->lock);
}

static void
count_in_reactor (gpointer counter)
{
  (*(guint *) counter)++;
}

static gboolean
gated_interaction (WeftSqliteConnection *connection, WeftResult *result, gpointer data, GError **error)
{
  Gate *gate = data;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  if (gate->insert_first && !weft_sqlite_connection_execute (connection, "INSERT INTO messages (nick) VALUES (?)",
                                                             g_variant_new ("(s)", "uncommitted"), error))
    return FALSE;
  weft_reactor_call_from_thread (gate->reactor, count_in_reactor, &gate->entered, NULL);
  if (gate->sql != NULL)
    {
      g_autoptr (GListModel) rows = weft_sqlite_connection_query (connection, gate->sql, NULL, &gate->sql_error);
      weft_reactor_call_from_thread (gate->reactor, count_in_reactor, &gate->sql_done, NULL);
      if (rows == NULL)
        {
          g_propagate_error (error, g_error_copy (gate->sql_error));
          return FALSE;
        }
      return TRUE;
    }
  g_mutex_lock (&gate->lock);
  while (!gate->open)
    if (!g_cond_wait_until (&gate->cond, &gate->lock, deadline))
      break;
  g_mutex_unlock (&gate->lock);
  return TRUE;
}

static void
test_read_during_write (ConformanceFixture *f)
{
  Db *db = db_new (f);
  Gate gate;
  Waiter write = { 0 };
  g_autoptr (WeftResult) result = NULL;

  g_clear_pointer (&result, weft_result_free);
  result = db_insert (db, "alice", "committed");
  assert_success (result);

  gate_init (&gate, f->reactor);
  gate.insert_first = TRUE;
  waiter_watch (&write, weft_sqlite_pool_run_interaction (db->pool, gated_interaction, &gate, NULL));
  conformance_iterate_until (f, &gate.entered, 1);

  /* The writer is held inside its transaction; readers answer anyway, and
   * see only what was committed. */
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (db_count (db), ==, 1);
  g_assert_cmpuint (write.done, ==, 0);

  gate_open (&gate);
  conformance_iterate_until (f, &write.done, 1);
  assert_success (write.result);
  g_assert_cmpint (db_count (db), ==, 2);

  weft_result_free (write.result);
  gate_clear (&gate);
  db_free (db);
}

/* Cancelling */

static void
test_cancel_queued (ConformanceFixture *f)
{
  Db *db = db_new (f);
  Gate gate;
  Waiter write = { 0 };
  Waiter cancelled = { 0 };
  guint destroyed = 0;
  WeftDeferred *queued;
  WeftDeferred *queued_interaction;
  WeftDeferred *queued_query;
  Waiter cancelled_interaction = { 0 };
  Waiter cancelled_query = { 0 };

  gate_init (&gate, f->reactor);
  waiter_watch (&write, weft_sqlite_pool_run_interaction (db->pool, gated_interaction, &gate, NULL));
  conformance_iterate_until (f, &gate.entered, 1);

  /* Queued behind the held writer, then cancelled: they never run. */
  queued = weft_sqlite_pool_run_operation (db->pool, "INSERT INTO messages (nick) VALUES (?)",
                                           g_variant_new ("(s)", "never"));
  queued_interaction = weft_sqlite_pool_run_interaction (db->pool, insert_three, &destroyed, count_destroy);
  /* A query that writes, so that running would leave a trace: it passes
   * through a reader on its way to the writer. */
  queued_query = weft_sqlite_pool_run_query (db->pool, "INSERT INTO messages (nick) VALUES (?) RETURNING id",
                                             g_variant_new ("(s)", "never"));
  weft_deferred_cancel (queued);
  weft_deferred_cancel (queued_interaction);
  weft_deferred_cancel (queued_query);
  waiter_watch (&cancelled, queued);
  waiter_watch (&cancelled_interaction, queued_interaction);
  waiter_watch (&cancelled_query, queued_query);
  g_assert_cmpuint (cancelled.done, ==, 1);
  g_assert_true (weft_result_is_cancelled (cancelled.result));
  g_assert_true (weft_result_is_cancelled (cancelled_interaction.result));
  g_assert_true (weft_result_is_cancelled (cancelled_query.result));
  g_assert_cmpuint (destroyed, ==, 1);

  gate_open (&gate);
  conformance_iterate_until (f, &write.done, 1);
  assert_success (write.result);
  g_assert_cmpint (db_count (db), ==, 0);

  weft_result_free (write.result);
  weft_result_free (cancelled.result);
  weft_result_free (cancelled_interaction.result);
  weft_result_free (cancelled_query.result);
  gate_clear (&gate);
  db_free (db);
}

/* A running statement is interrupted. */
static void
test_cancel_running (ConformanceFixture *f)
{
  Db *db = db_new (f);
  Gate gate;
  WeftDeferred *running;
  g_autoptr (WeftResult) result = NULL;
  gint64 start;

  gate_init (&gate, f->reactor);
  /* Minutes of work unless interrupted. */
  gate.sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c";
  running = weft_sqlite_pool_run_interaction (db->pool, gated_interaction, &gate, NULL);
  conformance_iterate_until (f, &gate.entered, 1);
  start = g_get_monotonic_time ();
  weft_deferred_cancel (running);
  result = wait_for (f, running);
  g_assert_true (weft_result_is_cancelled (result));

  conformance_iterate_until (f, &gate.sql_done, 1);
  g_assert_error (gate.sql_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);

  /* The writer goes on with the next work. */
  g_clear_pointer (&result, weft_result_free);
  result = db_insert (db, "alice", "after");
  assert_success (result);

  gate_clear (&gate);
  db_free (db);
}

/* A full disk */

static gboolean
limit_size (WeftSqliteConnection *connection, WeftResult *result, gpointer user_data, GError **error)
{
  g_autoptr (WeftSqliteRow) row = weft_sqlite_connection_query_row (connection, "PRAGMA page_count", NULL, error);
  g_autofree char *sql = NULL;

  if (row == NULL)
    return FALSE;
  /* A few pages of room: SQLite reports SQLITE_FULL past max_page_count,
   * as it does when the disk fills. */
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, weft_sqlite_row_get_int64 (row, 0) + 8);
  return weft_sqlite_connection_execute (connection, sql, NULL, error);
}

static gboolean
insert_many (WeftSqliteConnection *connection, WeftResult *result, gpointer user_data, GError **error)
{
  for (guint i = 0; i < 100; i++)
    if (!weft_sqlite_connection_execute (connection, "INSERT INTO messages (nick, body) VALUES (?, ?)",
                                         g_variant_new ("(ss)", "bulk", (const char *) user_data), error))
      return FALSE;
  return TRUE;
}

static void
test_disk_full (ConformanceFixture *f)
{
  Db *db = db_new (f);
  g_autoptr (WeftResult) result = NULL;
  g_autofree char *big = g_strnfill (1500, 'x');
  gint64 committed = 0;
  const GError *error = NULL;

  result = wait_for (f, weft_sqlite_pool_run_interaction (db->pool, limit_size, NULL, NULL));
  assert_success (result);

  for (guint i = 0; i < 200; i++)
    {
      g_clear_pointer (&result, weft_result_free);
      result = db_insert (db, "alice", big);
      if (weft_result_is_error (result))
        break;
      committed++;
    }
  error = weft_result_get_error (result);
  g_assert_error ((GError *) error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "Disk full while writing to"));
  g_assert_nonnull (strstr (error->message, db->path));
  g_assert_cmpint (committed, >, 0);

  /* Reads go on; committed rows are all there. */
  g_assert_cmpint (db_count (db), ==, committed);

  /* A transaction that runs out of room is rolled back whole. */
  g_clear_pointer (&result, weft_result_free);
  result = wait_for (f, weft_sqlite_pool_run_interaction (db->pool, insert_many, big, NULL));
  g_assert_true (weft_result_error_matches (result, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_FULL));
  g_assert_cmpint (db_count (db), ==, committed);

  /* Small writes that fit still work once room is freed. */
  g_clear_pointer (&result, weft_result_free);
  result = wait_for (f, weft_sqlite_pool_run_operation (db->pool, "DELETE FROM messages WHERE id = ?",
                                                        g_variant_new ("(x)", (gint64) 1)));
  assert_success (result);
  g_assert_cmpint (db_count (db), ==, committed - 1);

  db_free (db);
}

/* A file-size limit, as the kernel enforces it: the write fails with EFBIG
 * (SIGXFSZ ignored), which is a full disk to the program. The case runs in
 * a child process of its own, and the limit is restored before it ends. */
static void
test_file_size_limit (ConformanceFixture *f)
{
  Db *db = db_new (f);
  g_autoptr (WeftResult) result = NULL;
  g_autofree char *big = g_strnfill (3000, 'y');
  struct rlimit saved;
  struct rlimit limited;
  gint64 committed = 0;
  const GError *error;

  g_assert_no_errno (getrlimit (RLIMIT_FSIZE, &saved));
  signal (SIGXFSZ, SIG_IGN);
  limited = saved;
  limited.rlim_cur = 256 * 1024;
  g_assert_no_errno (setrlimit (RLIMIT_FSIZE, &limited));

  for (guint i = 0; i < 500; i++)
    {
      g_clear_pointer (&result, weft_result_free);
      result = db_insert (db, "alice", big);
      if (weft_result_is_error (result))
        break;
      committed++;
    }
  error = weft_result_get_error (result);
  g_assert_error ((GError *) error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "Disk full while writing to"));
  g_assert_cmpint (committed, >, 0);
  /* Reads go on, with every committed row. */
  g_assert_cmpint (db_count (db), ==, committed);

  /* Room again: writes work again, nothing was lost. */
  g_assert_no_errno (setrlimit (RLIMIT_FSIZE, &saved));
  g_clear_pointer (&result, weft_result_free);
  result = db_insert (db, "alice", "after");
  assert_success (result);
  g_assert_cmpint (db_count (db), ==, committed + 1);

  signal (SIGXFSZ, SIG_DFL);
  db_free (db);
}

/* Locked by another process */

static void
release_lock (gpointer data)
{
  sqlite3 *raw = data;

  g_assert_cmpint (sqlite3_exec (raw, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
}

static void
test_locked (ConformanceFixture *f)
{
  Db *db = db_new_unopened (f);
  sqlite3 *raw = NULL;
  g_autoptr (WeftResult) result = NULL;
  gint64 start;

  weft_sqlite_pool_add_migration (db->pool, SCHEMA);
  weft_sqlite_pool_set_busy_timeout (db->pool, 300 * 1000);
  db_open (db);
  result = db_insert (db, "alice", "before");
  assert_success (result);

  /* Another connection, as another program would, holds the write lock. */
  g_assert_cmpint (sqlite3_open (db->path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "BEGIN IMMEDIATE; INSERT INTO messages (nick) VALUES ('other')", NULL, NULL,
                                 NULL),
                   ==, SQLITE_OK);

  start = g_get_monotonic_time ();
  g_clear_pointer (&result, weft_result_free);
  result = db_insert (db, "alice", "blocked");
  g_assert_true (weft_result_error_matches (result, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_BUSY));
  g_assert_nonnull (strstr (weft_result_get_error (result)->message, "database is locked by another process"));
  /* It was retried for the busy timeout, not given up at once. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);

  /* Readers are not blocked by the lock. */
  g_assert_cmpint (db_count (db), ==, 1);

  /* A lock released while the write is retrying: the write gets through. */
  weft_reactor_call_later (f->reactor, 50 * 1000, release_lock, raw, NULL);
  g_clear_pointer (&result, weft_result_free);
  result = db_insert (db, "alice", "after");
  assert_success (result);
  g_assert_cmpint (db_count (db), ==, 3);

  sqlite3_close (raw);
  db_free (db);
}

/* The same from another process: the sqlite3 program, fed on its stdin,
 * holds the write lock until told to commit. */

static void
write_all (int fd, const char *text)
{
  gsize length = strlen (text);

  while (length > 0)
    {
      gssize n = write (fd, text, length);
      g_assert_cmpint (n, >, 0);
      text += n;
      length -= n;
    }
}

static void
read_line_until (int fd, const char *expected)
{
  g_autoptr (GString) seen = g_string_new (NULL);
  char c;

  while (strstr (seen->str, expected) == NULL)
    {
      gssize n = read (fd, &c, 1);
      g_assert_cmpint (n, ==, 1);
      g_string_append_c (seen, c);
    }
}

static void
test_locked_by_process (ConformanceFixture *f)
{
  g_autofree char *program = g_find_program_in_path ("sqlite3");
  Db *db;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftResult) result = NULL;
  int child_in = -1;
  int child_out = -1;
  GPid pid;
  int status;

  if (program == NULL)
    {
      g_test_skip ("the sqlite3 program is not installed");
      return;
    }

  db = db_new_unopened (f);
  weft_sqlite_pool_add_migration (db->pool, SCHEMA);
  weft_sqlite_pool_set_busy_timeout (db->pool, 200 * 1000);
  db_open (db);

  {
    const char *argv[] = { program, "-batch", db->path, NULL };
    g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                              NULL, &pid, &child_in, &child_out, NULL, &error);
    g_assert_no_error (error);
  }
  write_all (child_in, "BEGIN IMMEDIATE;\nINSERT INTO messages (nick) VALUES ('child');\n.print locked\n");
  read_line_until (child_out, "locked");

  result = db_insert (db, "alice", "blocked");
  g_assert_true (weft_result_error_matches (result, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_BUSY));
  g_assert_nonnull (strstr (weft_result_get_error (result)->message, "locked by another process"));
  g_assert_nonnull (strstr (weft_result_get_error (result)->message, db->path));
  g_assert_cmpint (db_count (db), ==, 0);

  write_all (child_in, "COMMIT;\n.print done\n");
  read_line_until (child_out, "done");
  g_clear_pointer (&result, weft_result_free);
  result = db_insert (db, "alice", "after");
  assert_success (result);
  g_assert_cmpint (db_count (db), ==, 2);

  close (child_in);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  close (child_out);
  db_free (db);
}

/* Migrations */

static gboolean
migration_in_code (WeftSqliteConnection *connection, WeftResult *result, gpointer user_data, GError **error)
{
  return weft_sqlite_connection_execute (connection, "INSERT INTO messages (nick, body) VALUES (?, ?)",
                                         g_variant_new ("(ss)", "migration", user_data), error);
}

static void
add_migrations (WeftSqlitePool *pool, guint n)
{
  weft_sqlite_pool_add_migration (pool, SCHEMA);
  if (n >= 2)
    weft_sqlite_pool_add_migration (pool, "CREATE INDEX messages_by_nick ON messages (nick);"
                                          "INSERT INTO messages (nick, body) VALUES ('migration', 'two')");
  if (n >= 3)
    weft_sqlite_pool_add_migration_func (pool, migration_in_code, "three", NULL);
  if (n >= 4)
    weft_sqlite_pool_add_migration (pool, "INSERT INTO messages (nick) VALUES ('four'); THIS IS NOT SQL");
}

static gint64
user_version (Db *db)
{
  g_autoptr (WeftResult) result = wait_for (db->f, weft_sqlite_pool_run_query (db->pool, "PRAGMA user_version", NULL));
  g_autoptr (WeftSqliteRow) row = NULL;

  assert_success (result);
  row = g_list_model_get_item (weft_result_get_object (result), 0);
  return weft_sqlite_row_get_int64 (row, 0);
}

static void
test_migrations (ConformanceFixture *f)
{
  Db *db = db_new_unopened (f);
  g_autoptr (WeftResult) result = NULL;
  Waiter early = { 0 };

  add_migrations (db->pool, 2);
  db_open (db);
  g_assert_cmpint (user_version (db), ==, 2);
  g_assert_cmpint (db_count (db), ==, 1);
  db_close_pool (db);

  /* Opening again with one more step runs only the new step. */
  db->pool = weft_sqlite_pool_new (f->reactor, db->path);
  add_migrations (db->pool, 3);
  db_open (db);
  g_assert_cmpint (user_version (db), ==, 3);
  g_assert_cmpint (db_count (db), ==, 2);
  db_close_pool (db);

  db->pool = weft_sqlite_pool_new (f->reactor, db->path);
  add_migrations (db->pool, 3);
  db_open (db);
  g_assert_cmpint (user_version (db), ==, 3);
  g_assert_cmpint (db_count (db), ==, 2);
  db_close_pool (db);

  /* A failing step: nothing of it stays, the version stays, and work
   * submitted meanwhile fails with the same error. */
  db->pool = weft_sqlite_pool_new (f->reactor, db->path);
  add_migrations (db->pool, 4);
  result = wait_for (f, weft_sqlite_pool_open (db->pool));
  g_assert_true (weft_result_error_matches (result, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_MIGRATION));
  g_assert_nonnull (strstr (weft_result_get_error (result)->message, "step 4"));
  waiter_watch (&early, weft_sqlite_pool_run_query (db->pool, "SELECT 1", NULL));
  conformance_iterate_until (f, &early.done, 1);
  g_assert_true (weft_result_error_matches (early.result, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_MIGRATION));
  weft_result_free (early.result);
  db_close_pool (db);

  db->pool = weft_sqlite_pool_new (f->reactor, db->path);
  add_migrations (db->pool, 3);
  db_open (db);
  g_assert_cmpint (user_version (db), ==, 3);
  g_assert_cmpint (db_count (db), ==, 2);

  db_free (db);
}

/* The reactor keeps turning during a slow write */

typedef struct {
  WeftReactor *reactor;
  WeftDelayedCall *call;
  gint64 last;
  gint64 max_gap;
  guint ticks;
  gboolean stop;
} Ticker;

#define TICK_US (10 * 1000)

static void
tick (gpointer data)
{
  Ticker *ticker = data;
  gint64 now = g_get_monotonic_time ();

  if (ticker->last != 0)
    ticker->max_gap = MAX (ticker->max_gap, now - ticker->last);
  ticker->last = now;
  ticker->ticks++;
  g_clear_pointer (&ticker->call, weft_delayed_call_unref);
  if (!ticker->stop)
    ticker->call = weft_delayed_call_ref (weft_reactor_call_later (ticker->reactor, TICK_US, tick, ticker, NULL));
}

static gboolean
slow_interaction (WeftSqliteConnection *connection, WeftResult *result, gpointer user_data, GError **error)
{
  if (!weft_sqlite_connection_execute (connection, "INSERT INTO messages (nick) VALUES (?)",
                                       g_variant_new ("(s)", "slow"), error))
    return FALSE;
  g_usleep (500 * 1000);
  return TRUE;
}

static void
test_reactor_turns (ConformanceFixture *f)
{
  Db *db = db_new (f);
  Ticker ticker = { f->reactor };
  Waiter write = { 0 };
  gint64 start;
  gint64 took;

  tick (&ticker);
  start = g_get_monotonic_time ();
  waiter_watch (&write, weft_sqlite_pool_run_interaction (db->pool, slow_interaction, NULL, NULL));
  ticker.ticks = 0;
  ticker.max_gap = 0;
  conformance_iterate_until (f, &write.done, 1);
  took = g_get_monotonic_time () - start;
  assert_success (write.result);
  g_assert_cmpint (took, >=, 500 * 1000);

  /* A 10 ms timer kept its rhythm through the 500 ms write: many ticks,
   * and no gap near the write's length (the bound leaves room for a loaded
   * machine and sanitizers; typical gaps are 10-15 ms). */
  g_test_message ("%u ticks in %" G_GINT64_FORMAT " ms, longest gap %" G_GINT64_FORMAT " us", ticker.ticks, took / 1000,
                  ticker.max_gap);
  g_assert_cmpuint (ticker.ticks, >=, 20);
  g_assert_cmpint (ticker.max_gap, <, 250 * 1000);

  ticker.stop = TRUE;
  if (ticker.call != NULL)
    {
      weft_delayed_call_cancel (ticker.call);
      g_clear_pointer (&ticker.call, weft_delayed_call_unref);
    }
  weft_result_free (write.result);
  db_free (db);
}

/* Closing */

static void
test_close_waits (ConformanceFixture *f)
{
  Db *db = db_new (f);
  Waiter writes[20] = { { 0 } };
  g_autoptr (WeftResult) result = NULL;
  Waiter closed = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (writes); i++)
    waiter_watch (&writes[i], weft_sqlite_pool_run_operation (db->pool, "INSERT INTO messages (nick) VALUES (?)",
                                                              g_variant_new ("(s)", "queued")));
  waiter_watch (&closed, weft_sqlite_pool_close (db->pool));

  /* Work after close is refused at once. */
  result = wait_for (f, weft_sqlite_pool_run_query (db->pool, "SELECT 1", NULL));
  g_assert_true (weft_result_error_matches (result, G_IO_ERROR, G_IO_ERROR_CLOSED));

  conformance_iterate_until (f, &closed.done, 1);
  assert_success (closed.result);
  for (guint i = 0; i < G_N_ELEMENTS (writes); i++)
    {
      g_assert_cmpuint (writes[i].done, ==, 1);
      assert_success (writes[i].result);
      weft_result_free (writes[i].result);
    }
  weft_result_free (closed.result);
  g_clear_object (&db->pool);

  /* Everything reached the file. */
  db->pool = weft_sqlite_pool_new (f->reactor, db->path);
  db_open (db);
  g_assert_cmpint (db_count (db), ==, G_N_ELEMENTS (writes));
  db_free (db);
}

/* Work that outlasts the close timeout is interrupted; work queued behind
 * it fails as closed. */
static void
test_close_timeout (ConformanceFixture *f)
{
  Db *db = db_new (f);
  Gate gate;
  Waiter running = { 0 };
  Waiter queued = { 0 };
  Waiter closed = { 0 };
  gint64 start;

  weft_sqlite_pool_set_close_timeout (db->pool, 100 * 1000);
  gate_init (&gate, f->reactor);
  gate.sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c";
  waiter_watch (&running, weft_sqlite_pool_run_interaction (db->pool, gated_interaction, &gate, NULL));
  waiter_watch (&queued, weft_sqlite_pool_run_operation (db->pool, "INSERT INTO messages (nick) VALUES (?)",
                                                         g_variant_new ("(s)", "late")));
  conformance_iterate_until (f, &gate.entered, 1);

  start = g_get_monotonic_time ();
  waiter_watch (&closed, weft_sqlite_pool_close (db->pool));
  conformance_iterate_until (f, &closed.done, 1);
  assert_success (closed.result);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 100 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);

  g_assert_cmpuint (running.done, ==, 1);
  g_assert_true (weft_result_error_matches (running.result, G_IO_ERROR, G_IO_ERROR_CLOSED));
  g_assert_cmpuint (queued.done, ==, 1);
  g_assert_true (weft_result_error_matches (queued.result, G_IO_ERROR, G_IO_ERROR_CLOSED));

  weft_result_free (running.result);
  weft_result_free (queued.result);
  weft_result_free (closed.result);
  g_clear_object (&db->pool);
  gate_clear (&gate);
  db_free (db);
}

static void
stop_soon (gpointer reactor)
{
  weft_reactor_stop (reactor);
}

static void
test_shutdown_closes (ConformanceFixture *f)
{
  Db *db = db_new (f);
  Waiter write = { 0 };
  g_autoptr (WeftResult) result = NULL;

  waiter_watch (&write, weft_sqlite_pool_run_interaction (db->pool, slow_interaction, NULL, NULL));
  weft_reactor_call_when_running (f->reactor, stop_soon, f->reactor, NULL);
  weft_reactor_run (f->reactor);

  /* The shutdown waited for the write in flight, then closed the pool. */
  g_assert_cmpuint (write.done, ==, 1);
  assert_success (write.result);
  g_assert_false (weft_sqlite_pool_is_open (db->pool));
  result = wait_for (f, weft_sqlite_pool_run_query (db->pool, "SELECT 1", NULL));
  g_assert_true (weft_result_error_matches (result, G_IO_ERROR, G_IO_ERROR_CLOSED));

  weft_result_free (write.result);
  g_clear_object (&db->pool);
  db_free (db);
}

/* GIO-style forms */

typedef struct {
  guint done;
  GListModel *rows;
  WeftSqliteChanges changes;
  GValue value;
  GError *error;
} AsyncOutcome;

static void
query_done (GObject *source, GAsyncResult *res, gpointer data)
{
  AsyncOutcome *outcome = data;

  outcome->rows = weft_sqlite_pool_query_finish (WEFT_SQLITE_POOL (source), res, &outcome->error);
  outcome->done++;
}

static void
operation_done (GObject *source, GAsyncResult *res, gpointer data)
{
  AsyncOutcome *outcome = data;

  weft_sqlite_pool_operation_finish (WEFT_SQLITE_POOL (source), res, &outcome->changes, &outcome->error);
  outcome->done++;
}

static void
interaction_done (GObject *source, GAsyncResult *res, gpointer data)
{
  AsyncOutcome *outcome = data;

  weft_sqlite_pool_interaction_finish (WEFT_SQLITE_POOL (source), res, &outcome->value, &outcome->error);
  outcome->done++;
}

static void
test_async_forms (ConformanceFixture *f)
{
  Db *db = db_new (f);
  AsyncOutcome op = { 0 };
  AsyncOutcome interaction = { 0 };
  AsyncOutcome query = { 0 };
  AsyncOutcome cancelled = { 0 };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Gate gate;

  weft_sqlite_pool_operation_async (db->pool, "INSERT INTO messages (nick) VALUES (?)", g_variant_new ("(s)", "gio"),
                                    NULL, operation_done, &op);
  conformance_iterate_until (f, &op.done, 1);
  g_assert_no_error (op.error);
  g_assert_cmpint (op.changes.changes, ==, 1);

  weft_sqlite_pool_interaction_async (db->pool, insert_three, NULL, NULL, NULL, interaction_done, &interaction);
  conformance_iterate_until (f, &interaction.done, 1);
  g_assert_no_error (interaction.error);
  g_assert_cmpint (g_value_get_int64 (&interaction.value), ==, 4);
  g_value_unset (&interaction.value);

  weft_sqlite_pool_query_async (db->pool, "SELECT nick FROM messages ORDER BY id", NULL, NULL, query_done, &query);
  conformance_iterate_until (f, &query.done, 1);
  g_assert_no_error (query.error);
  g_assert_cmpuint (g_list_model_get_n_items (query.rows), ==, 4);
  g_clear_object (&query.rows);

  /* A cancellable stops queued work. */
  gate_init (&gate, f->reactor);
  {
    Waiter held = { 0 };
    waiter_watch (&held, weft_sqlite_pool_run_interaction (db->pool, gated_interaction, &gate, NULL));
    conformance_iterate_until (f, &gate.entered, 1);
    weft_sqlite_pool_operation_async (db->pool, "DELETE FROM messages", NULL, cancellable, operation_done, &cancelled);
    g_cancellable_cancel (cancellable);
    conformance_iterate_until (f, &cancelled.done, 1);
    g_assert_error (cancelled.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    gate_open (&gate);
    conformance_iterate_until (f, &held.done, 1);
    weft_result_free (held.result);
  }
  g_assert_cmpint (db_count (db), ==, 4);

  g_clear_error (&cancelled.error);
  gate_clear (&gate);
  db_free (db);
}

/* GTask's class keeps GLib's worker thread and its eventfd for the life of
 * the process: start it before the fixture counts fds. */
static void
gio_warm_up (void)
{
  g_type_ensure (G_TYPE_TASK);
}

static const ConformanceCase sqlite_cases[] = {
  { "sqlite/query-insert", test_query_insert },
  { "sqlite/interaction", test_interaction },
  { "sqlite/read-during-write", test_read_during_write },
  { "sqlite/cancel-queued", test_cancel_queued },
  { "sqlite/cancel-running", test_cancel_running },
  { "sqlite/disk-full", test_disk_full },
  { "sqlite/file-size-limit", test_file_size_limit },
  { "sqlite/locked", test_locked },
  { "sqlite/locked-by-process", test_locked_by_process },
  { "sqlite/migrations", test_migrations },
  { "sqlite/reactor-turns", test_reactor_turns },
  { "sqlite/close-waits", test_close_waits },
  { "sqlite/close-timeout", test_close_timeout },
  { "sqlite/shutdown-closes", test_shutdown_closes },
  { "sqlite/async-forms", test_async_forms, CONFORMANCE_DEFAULT_CONTEXT, gio_warm_up },
  { NULL },
};

int
main (int argc, char **argv)
{
  const ConformanceCase *const tables[] = { sqlite_cases };

  return conformance_main (argc, argv, tables, G_N_ELEMENTS (tables));
}
