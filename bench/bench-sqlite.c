/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SQLite through WeftSqlitePool against direct sqlite3 calls, on the epoll
 * backend, in WAL mode with synchronous=NORMAL (the pool's default), in a
 * database file under --dir (default: the temporary directory);
 * --synchronous-full makes every commit wait for the disk.
 *
 * - inserts per second of small rows: direct on one thread, one row per
 *   transaction and BATCH rows per transaction; through the pool, one
 *   run_operation per row (up to WINDOW in flight) and BATCH rows per
 *   run_interaction;
 * - reactor stalls during sustained writes: a 1 ms timer measures how late
 *   it runs while batches of rows are written through the pool, and while
 *   the same batches are written on the reactor's thread; and, as the
 *   machine's own floor, while nothing is written.
 *
 * One line per measurement on stdout:
 * "sqlite/direct/single rows_per_sec=X", "sqlite/pool/batched rows_per_sec=X",
 * "sqlite/stall/pool max_us=X p99_us=Y ticks=N rows=R", ... */

#include <weft-sqlite/weft-sqlite.h>

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>

#define SCHEMA "CREATE TABLE messages (id INTEGER PRIMARY KEY, at INTEGER, nick TEXT, body TEXT)"
#define INSERT "INSERT INTO messages (at, nick, body) VALUES (?, ?, ?)"
#define BODY "a small chat line of about sixty bytes, as a history log holds"
#define BATCH 100
#define WINDOW 256
#define TICK_US 1000

static guint n_rows = 20000;
static gint64 stall_duration_us = 2 * G_USEC_PER_SEC;
static char *dir;
static WeftSqliteSynchronous synchronous = WEFT_SQLITE_SYNCHRONOUS_NORMAL;

static char *
fresh_path (const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  for (guint i = 0; i < 3; i++)
    {
      const char *suffix[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (path, suffix[i], NULL);
      g_unlink (file);
    }
  return path;
}

static void
remove_db (const char *path)
{
  g_free (fresh_path (path));
}

/* Direct */

static sqlite3 *
direct_open (const char *path)
{
  sqlite3 *db = NULL;
  g_autofree char *setup =
      g_strdup_printf ("PRAGMA journal_mode = WAL; PRAGMA synchronous = %d; " SCHEMA, (int) synchronous);

  if (sqlite3_open (path, &db) != SQLITE_OK || sqlite3_exec (db, setup, NULL, NULL, NULL) != SQLITE_OK)
    g_error ("%s: %s", path, sqlite3_errmsg (db));
  return db;
}

static void
direct_insert (sqlite3 *db, sqlite3_stmt *stmt, guint i)
{
  sqlite3_bind_int64 (stmt, 1, i);
  sqlite3_bind_text (stmt, 2, "alice", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, BODY, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_error ("insert: %s", sqlite3_errmsg (db));
  sqlite3_reset (stmt);
}

static void
direct_batch (sqlite3 *db, sqlite3_stmt *stmt, guint first, guint count)
{
  sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  for (guint i = 0; i < count; i++)
    direct_insert (db, stmt, first + i);
  if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    g_error ("commit: %s", sqlite3_errmsg (db));
}

static void
bench_direct (gboolean batched)
{
  g_autofree char *path = fresh_path ("bench-direct.db");
  sqlite3 *db = direct_open (path);
  sqlite3_stmt *stmt = NULL;
  gint64 start;
  double seconds;

  sqlite3_prepare_v2 (db, INSERT, -1, &stmt, NULL);
  start = g_get_monotonic_time ();
  if (batched)
    for (guint i = 0; i < n_rows; i += BATCH)
      direct_batch (db, stmt, i, MIN (BATCH, n_rows - i));
  else
    for (guint i = 0; i < n_rows; i++)
      direct_insert (db, stmt, i);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  remove_db ("bench-direct.db");
  g_print ("sqlite/direct/%s rows_per_sec=%.0f\n", batched ? "batched" : "single", n_rows / seconds);
}

/* Through the pool */

typedef struct {
  WeftReactor *reactor;
  WeftSqlitePool *pool;
  guint submitted;
  guint done;
  guint target;
  gboolean batched;
  gboolean running; /* keep writing until told to stop (stall runs) */
  gboolean finished;
} Load;

static gboolean
insert_batch (WeftSqliteConnection *connection, WeftResult *result, gpointer data, GError **error)
{
  guint first = GPOINTER_TO_UINT (data);

  for (guint i = 0; i < BATCH; i++)
    if (!weft_sqlite_connection_execute (connection, INSERT,
                                         g_variant_new ("(xss)", (gint64) (first + i), "alice", BODY), error))
      return FALSE;
  return TRUE;
}

static void load_submit (Load *load);

static WeftDeferred *
load_one_done (WeftResult *result, gpointer data)
{
  Load *load = data;

  if (weft_result_is_error (result))
    g_error ("%s", weft_result_get_error (result)->message);
  load->done += load->batched ? BATCH : 1;
  if (load->done >= load->target && !load->running && load->done == load->submitted)
    load->finished = TRUE;
  else
    load_submit (load);
  return NULL;
}

static void
load_submit (Load *load)
{
  guint step = load->batched ? BATCH : 1;
  guint window = load->batched ? 4 : WINDOW;

  while ((load->running || load->submitted < load->target) && (load->submitted - load->done) / step < window)
    {
      WeftDeferred *d;

      if (load->batched)
        d = weft_sqlite_pool_run_interaction (load->pool, insert_batch, GUINT_TO_POINTER (load->submitted), NULL);
      else
        d = weft_sqlite_pool_run_operation (load->pool, INSERT,
                                            g_variant_new ("(xss)", (gint64) load->submitted, "alice", BODY));
      weft_deferred_add_both (d, load_one_done, load, NULL);
      g_object_unref (d);
      load->submitted += step;
    }
}

/* Iterating, not run/stop: stopping the reactor is its shutdown, which
 * closes the pool. */
static void
iterate_until (WeftReactor *reactor, const gboolean *flag)
{
  while (!*flag)
    weft_reactor_iterate (reactor, TRUE);
}

static WeftDeferred *
set_flag (WeftResult *result, gpointer flag)
{
  if (weft_result_is_error (result))
    g_error ("%s", weft_result_get_error (result)->message);
  *(gboolean *) flag = TRUE;
  return NULL;
}

static void
run_until (WeftReactor *reactor, WeftDeferred *deferred)
{
  gboolean done = FALSE;

  weft_deferred_add_both (deferred, set_flag, &done, NULL);
  g_object_unref (deferred);
  iterate_until (reactor, &done);
}

static WeftSqlitePool *
pool_open (WeftReactor *reactor, const char *path)
{
  WeftSqlitePool *pool = weft_sqlite_pool_new (reactor, path);

  weft_sqlite_pool_add_migration (pool, SCHEMA);
  weft_sqlite_pool_set_synchronous (pool, synchronous);
  run_until (reactor, weft_sqlite_pool_open (pool));
  return pool;
}

static void
pool_close (WeftReactor *reactor, WeftSqlitePool *pool)
{
  run_until (reactor, weft_sqlite_pool_close (pool));
  g_object_unref (pool);
}

static void
bench_pool (WeftReactor *reactor, gboolean batched)
{
  g_autofree char *path = fresh_path ("bench-pool.db");
  Load load = { reactor, pool_open (reactor, path) };
  double seconds;
  gint64 start;

  load.batched = batched;
  load.target = n_rows;
  start = g_get_monotonic_time ();
  load_submit (&load);
  iterate_until (reactor, &load.finished);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  pool_close (reactor, load.pool);
  remove_db ("bench-pool.db");
  g_print ("sqlite/pool/%s rows_per_sec=%.0f\n", batched ? "batched" : "single", load.done / seconds);
}

/* Stalls */

typedef struct {
  WeftReactor *reactor;
  gint64 due;
  gint64 end;
  GArray *lateness; /* gint64 µs */
  /* Writes on the reactor's thread, when set. */
  sqlite3 *db;
  sqlite3_stmt *stmt;
  guint rows;
  Load *load;
  gboolean over;
} Stall;

static void
stall_tick (gpointer data)
{
  Stall *stall = data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = MAX (0, now - stall->due);

  g_array_append_val (stall->lateness, late);
  if (now >= stall->end)
    {
      if (stall->load != NULL)
        stall->load->running = FALSE;
      stall->over = TRUE;
      return;
    }
  stall->due = now + TICK_US;
  weft_reactor_call_later (stall->reactor, TICK_US, stall_tick, stall, NULL);
}

/* The same batches the pool writes, one per reactor callback, on the
 * reactor's thread: what a program without the pool would do. */
static void
stall_write (gpointer data)
{
  Stall *stall = data;

  if (stall->over)
    return;
  direct_batch (stall->db, stall->stmt, stall->rows, BATCH);
  stall->rows += BATCH;
  weft_reactor_call_soon (stall->reactor, stall_write, stall, NULL);
}

static int
compare_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
stall_report (const char *name, Stall *stall, guint rows, double seconds)
{
  GArray *l = stall->lateness;

  g_array_sort (l, compare_int64);
  g_print ("sqlite/stall/%s max_us=%" G_GINT64_FORMAT " p99_us=%" G_GINT64_FORMAT " median_us=%" G_GINT64_FORMAT
           " ticks=%u rows_per_sec=%.0f\n",
           name, l->len > 0 ? g_array_index (l, gint64, l->len - 1) : 0,
           l->len > 0 ? g_array_index (l, gint64, (l->len * 99) / 100) : 0,
           l->len > 0 ? g_array_index (l, gint64, l->len / 2) : 0, l->len, rows / seconds);
}

typedef enum {
  STALL_IDLE,
  STALL_POOL,
  STALL_REACTOR_THREAD,
} StallMode;

static void
bench_stall (WeftReactor *reactor, StallMode mode)
{
  gboolean on_reactor_thread = mode == STALL_REACTOR_THREAD;
  g_autofree char *path = fresh_path ("bench-stall.db");
  Stall stall = { reactor };
  Load load = { reactor };
  gint64 start = g_get_monotonic_time ();
  guint rows;

  stall.lateness = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (on_reactor_thread)
    {
      stall.db = direct_open (path);
      sqlite3_prepare_v2 (stall.db, INSERT, -1, &stall.stmt, NULL);
    }
  else if (mode == STALL_POOL)
    {
      load.pool = pool_open (reactor, path);
      load.batched = TRUE;
      load.running = TRUE;
      stall.load = &load;
      start = g_get_monotonic_time ();
      load_submit (&load);
    }
  stall.end = start + stall_duration_us;
  stall.due = g_get_monotonic_time () + TICK_US;
  weft_reactor_call_later (reactor, TICK_US, stall_tick, &stall, NULL);
  if (on_reactor_thread)
    weft_reactor_call_soon (reactor, stall_write, &stall, NULL);
  iterate_until (reactor, &stall.over);
  /* The writer's last call_soon, if any, finds stall.over set. */
  weft_reactor_iterate (reactor, FALSE);

  if (on_reactor_thread)
    {
      rows = stall.rows;
      stall_report ("reactor-thread", &stall, rows, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
      sqlite3_finalize (stall.stmt);
      sqlite3_close (stall.db);
    }
  else if (mode == STALL_IDLE)
    stall_report ("idle", &stall, 0, 1);
  else
    {
      /* Let the batches in flight land, outside the measured window. */
      double seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      rows = load.done;
      stall_report ("pool", &stall, rows, seconds);
      load.finished = load.submitted == load.done;
      iterate_until (reactor, &load.finished);
      pool_close (reactor, load.pool);
    }
  g_array_unref (stall.lateness);
  remove_db ("bench-stall.db");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  const char *only = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--smoke"))
        {
          n_rows = 500;
          stall_duration_us = 100 * 1000;
        }
      else if (g_str_equal (argv[i], "--dir") && i + 1 < argc)
        dir = g_strdup (argv[++i]);
      else if (g_str_equal (argv[i], "--only") && i + 1 < argc)
        only = argv[++i];
      else if (g_str_equal (argv[i], "--synchronous-full"))
        synchronous = WEFT_SQLITE_SYNCHRONOUS_FULL;
      else
        {
          g_printerr ("usage: %s [--smoke] [--dir DIR] [--only inserts|stall] [--synchronous-full]\n", argv[0]);
          return 2;
        }
    }
  if (dir == NULL)
    {
      dir = g_dir_make_tmp ("weft-bench-sqlite-XXXXXX", &error);
      g_assert_no_error (error);
    }

  reactor = weft_reactor_new ("epoll", WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS, &error);
  if (reactor == NULL)
    g_error ("%s", error->message);

  if (only == NULL || g_str_equal (only, "inserts"))
    {
      bench_direct (FALSE);
      bench_direct (TRUE);
      bench_pool (reactor, FALSE);
      bench_pool (reactor, TRUE);
    }
  if (only == NULL || g_str_equal (only, "stall"))
    {
      bench_stall (reactor, STALL_IDLE);
      bench_stall (reactor, STALL_POOL);
      bench_stall (reactor, STALL_REACTOR_THREAD);
    }

  g_rmdir (dir);
  g_free (dir);
  return 0;
}
