/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SQLite through WeftSqlitePool against direct sqlite3 calls, in WAL mode,
 * with synchronous=NORMAL (the pool's default: commits do not wait for the
 * disk, checkpoints do) and synchronous=FULL (every commit waits for an
 * fsync), in a database file under --dir (default: the temporary
 * directory; give a directory on a real disk, since on a tmpfs fsync costs
 * nothing).
 *
 * - inserts per second of small rows, on the epoll backend: direct on one
 *   thread, one row per transaction and BATCH rows per transaction; through
 *   the pool, one run_operation per row (up to WINDOW in flight) and BATCH
 *   rows per run_interaction (up to 4 in flight). Each stops after n_rows
 *   or after a few seconds, whichever comes first.
 * - reactor stalls, on every backend: a 1 ms periodic timer on the reactor's
 *   thread records how late each tick runs, (a) with no database work (the
 *   machine's floor), (b) while batches of BATCH rows are written without
 *   pause through the pool, (c) while one run_operation per row is written
 *   without pause through the pool (many small results to hand back), and
 *   (d) while the same batches as (b) are written by callbacks on the
 *   reactor's own thread. The three run back to back, so that they see the
 *   same machine.
 *
 * One line per measurement on stdout:
 * "sqlite/inserts/normal/pool/batched rows_per_sec=X rows=N seconds=S",
 * "sqlite/stall/full/epoll/pool max_us=X p99_us=Y median_us=Z ticks=N rows_per_sec=R", ... */

#include <weft-sqlite/weft-sqlite.h>

#include "bench-peer.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define SCHEMA "CREATE TABLE messages (id INTEGER PRIMARY KEY, at INTEGER, nick TEXT, body TEXT)"
#define INSERT "INSERT INTO messages (at, nick, body) VALUES (?, ?, ?)"
#define BODY "a small chat line of about sixty bytes, as a history log holds"
#define BATCH 100
#define WINDOW 256
#define TICK_US 1000

static const char *const all_backends[] = { "select", "poll", "epoll", "glib", NULL };

static guint n_rows = 50000;
static gint64 insert_limit_us = 2 * G_USEC_PER_SEC;
static gint64 stall_duration_us = 3 * G_USEC_PER_SEC / 2;
static char *dir;
static WeftSqliteSynchronous synchronous = WEFT_SQLITE_SYNCHRONOUS_NORMAL;

static const char *
synchronous_name (WeftSqliteSynchronous mode)
{
  return mode == WEFT_SQLITE_SYNCHRONOUS_FULL ? "full" : "normal";
}

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
remove_db (const char *name)
{
  g_free (fresh_path (name));
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
print_rate (const char *how, gboolean batched, guint rows, double seconds)
{
  g_print ("sqlite/inserts/%s/%s/%s rows_per_sec=%.0f rows=%u seconds=%.2f\n", synchronous_name (synchronous), how,
           batched ? "batched" : "single", rows / seconds, rows, seconds);
}

static void
bench_direct (gboolean batched)
{
  g_autofree char *path = fresh_path ("bench-direct.db");
  sqlite3 *db = direct_open (path);
  sqlite3_stmt *stmt = NULL;
  gint64 start, deadline;
  guint rows = 0;

  sqlite3_prepare_v2 (db, INSERT, -1, &stmt, NULL);
  start = g_get_monotonic_time ();
  deadline = start + insert_limit_us;
  while (rows < n_rows && g_get_monotonic_time () < deadline)
    {
      guint step = MIN (BATCH, n_rows - rows);

      if (batched)
        direct_batch (db, stmt, rows, step);
      else
        for (guint i = 0; i < step; i++)
          direct_insert (db, stmt, rows + i);
      rows += step;
    }
  print_rate ("direct", batched, rows, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  remove_db ("bench-direct.db");
}

/* Through the pool */

typedef struct {
  WeftReactor *reactor;
  WeftSqlitePool *pool;
  guint submitted;
  guint done;
  guint target;
  gint64 deadline; /* stop submitting then (0: none) */
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
  if (load->deadline != 0 && load->target > load->submitted && g_get_monotonic_time () >= load->deadline)
    load->target = load->submitted;
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
  load.deadline = start + insert_limit_us;
  load_submit (&load);
  iterate_until (reactor, &load.finished);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  pool_close (reactor, load.pool);
  remove_db ("bench-pool.db");
  print_rate ("pool", batched, load.done, seconds);
}

/* Stalls */

typedef enum {
  STALL_IDLE,
  STALL_POOL,
  STALL_POOL_SINGLE,
  STALL_REACTOR_THREAD,
} StallMode;

static const char *const stall_names[] = { "idle", "pool", "pool-single", "reactor-thread" };

typedef struct {
  WeftReactor *reactor;
  gint64 due;
  gint64 end;
  BenchTickLog log;
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

  bench_tick_log_record (&stall->log, now, stall->due);
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

static void
stall_report (const char *backend, StallMode mode, Stall *stall, BenchPeer *peer, guint rows, double seconds)
{
  BenchTickLog *l = &stall->log;
  BenchTickLog *p = &peer->log;

  g_print ("sqlite/stall/%s/%s/%s max_us=%" G_GINT64_FORMAT " p99_us=%" G_GINT64_FORMAT " median_us=%" G_GINT64_FORMAT
           " ticks=%u rows_per_sec=%.0f max_cpu_us=%" G_GINT64_FORMAT " max_wait_us=%" G_GINT64_FORMAT
           " peer_max_us=%" G_GINT64_FORMAT " peer_p99_us=%" G_GINT64_FORMAT " peer_median_us=%" G_GINT64_FORMAT
           " peer_ticks=%u peer_max_cpu_us=%" G_GINT64_FORMAT " peer_max_wait_us=%" G_GINT64_FORMAT "\n",
           synchronous_name (synchronous), backend, stall_names[mode], bench_tick_log_percentile (l, 1, 1),
           bench_tick_log_percentile (l, 99, 100), bench_tick_log_percentile (l, 1, 2), l->lateness->len,
           rows / seconds, l->worst_cpu_us, l->worst_wait_us, bench_tick_log_percentile (p, 1, 1),
           bench_tick_log_percentile (p, 99, 100), bench_tick_log_percentile (p, 1, 2), p->lateness->len,
           p->worst_cpu_us, p->worst_wait_us);
  if (g_getenv ("WEFT_BENCH_SQLITE_TRACE") != NULL)
    g_printerr ("%s/%s: worst reactor tick %" G_GINT64_FORMAT " us late, interval %" G_GINT64_FORMAT
                "..%" G_GINT64_FORMAT "; worst peer tick %" G_GINT64_FORMAT " us late, interval %" G_GINT64_FORMAT
                "..%" G_GINT64_FORMAT " (monotonic us)\n",
                backend, stall_names[mode], stall->log.worst_late_us, stall->log.worst_from_us, stall->log.worst_to_us,
                peer->log.worst_late_us, peer->log.worst_from_us, peer->log.worst_to_us);
}

static void
bench_stall (WeftReactor *reactor, const char *backend, StallMode mode)
{
  gboolean on_reactor_thread = mode == STALL_REACTOR_THREAD;
  g_autofree char *path = fresh_path ("bench-stall.db");
  Stall stall = { reactor };
  Load load = { reactor };
  BenchPeer *peer;
  gint64 start;
  double seconds;

  if (on_reactor_thread)
    {
      stall.db = direct_open (path);
      sqlite3_prepare_v2 (stall.db, INSERT, -1, &stall.stmt, NULL);
    }
  else if (mode == STALL_POOL || mode == STALL_POOL_SINGLE)
    {
      load.pool = pool_open (reactor, path);
      load.batched = mode == STALL_POOL;
      load.running = TRUE;
      stall.load = &load;
    }
  start = g_get_monotonic_time ();
  bench_tick_log_start (&stall.log, start, stall_duration_us / TICK_US);
  stall.end = start + stall_duration_us;
  stall.due = start + TICK_US;
  peer = bench_peer_start (TICK_US, stall.end, G_MAXINT64);
  weft_reactor_call_later (reactor, TICK_US, stall_tick, &stall, NULL);
  if (stall.load != NULL)
    load_submit (&load);
  if (on_reactor_thread)
    weft_reactor_call_soon (reactor, stall_write, &stall, NULL);
  iterate_until (reactor, &stall.over);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  /* The writer's last call_soon, if any, finds stall.over set. */
  weft_reactor_iterate (reactor, FALSE);
  bench_peer_join (peer);

  stall_report (backend, mode, &stall, peer, on_reactor_thread ? stall.rows : load.done, seconds);
  if (on_reactor_thread)
    {
      sqlite3_finalize (stall.stmt);
      sqlite3_close (stall.db);
    }
  else if (stall.load != NULL)
    {
      /* Let the work in flight land, outside the measured window. */
      load.finished = load.submitted == load.done;
      iterate_until (reactor, &load.finished);
      pool_close (reactor, load.pool);
    }
  bench_tick_log_clear (&stall.log);
  bench_peer_free (peer);
  remove_db ("bench-stall.db");
}

static WeftReactor *
reactor_new (const char *backend)
{
  g_autoptr (GError) error = NULL;
  WeftReactor *reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS, &error);

  if (reactor == NULL)
    g_error ("%s: %s", backend, error->message);
  return reactor;
}

static void
usage (const char *argv0)
{
  g_printerr ("usage: %s [--smoke] [--dir DIR] [--only inserts|stall] [--synchronous normal|full]...\n"
              "       [--backend select|poll|epoll|glib]... [--seconds S] [--synchronous-full]\n",
              argv0);
  exit (2);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) backends = g_ptr_array_new ();
  g_autoptr (GArray) modes = g_array_new (FALSE, FALSE, sizeof (WeftSqliteSynchronous));
  const char *only = NULL;
  gboolean own_dir = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--smoke"))
        {
          n_rows = 500;
          insert_limit_us = G_USEC_PER_SEC / 2;
          stall_duration_us = 50 * 1000;
        }
      else if (g_str_equal (argv[i], "--dir") && i + 1 < argc)
        dir = g_strdup (argv[++i]);
      else if (g_str_equal (argv[i], "--only") && i + 1 < argc)
        only = argv[++i];
      else if (g_str_equal (argv[i], "--seconds") && i + 1 < argc)
        stall_duration_us = (gint64) (g_ascii_strtod (argv[++i], NULL) * G_USEC_PER_SEC);
      else if (g_str_equal (argv[i], "--backend") && i + 1 < argc)
        g_ptr_array_add (backends, argv[++i]);
      else if (g_str_equal (argv[i], "--synchronous") && i + 1 < argc)
        {
          const char *name = argv[++i];
          WeftSqliteSynchronous mode = g_str_equal (name, "full")     ? WEFT_SQLITE_SYNCHRONOUS_FULL
                                       : g_str_equal (name, "normal") ? WEFT_SQLITE_SYNCHRONOUS_NORMAL
                                                                      : (usage (argv[0]), 0);
          g_array_append_val (modes, mode);
        }
      else if (g_str_equal (argv[i], "--synchronous-full"))
        {
          WeftSqliteSynchronous mode = WEFT_SQLITE_SYNCHRONOUS_FULL;
          g_array_append_val (modes, mode);
        }
      else
        usage (argv[0]);
    }
  if (stall_duration_us <= 0)
    usage (argv[0]);
  if (backends->len == 0)
    for (guint i = 0; all_backends[i] != NULL; i++)
      g_ptr_array_add (backends, (gpointer) all_backends[i]);
  if (modes->len == 0)
    {
      WeftSqliteSynchronous both[] = { WEFT_SQLITE_SYNCHRONOUS_NORMAL, WEFT_SQLITE_SYNCHRONOUS_FULL };
      g_array_append_vals (modes, both, G_N_ELEMENTS (both));
    }
  if (dir == NULL)
    {
      dir = g_dir_make_tmp ("weft-bench-sqlite-XXXXXX", &error);
      g_assert_no_error (error);
      own_dir = TRUE;
    }

  for (guint m = 0; m < modes->len; m++)
    {
      synchronous = g_array_index (modes, WeftSqliteSynchronous, m);
      if (only == NULL || g_str_equal (only, "inserts"))
        {
          g_autoptr (WeftReactor) reactor = reactor_new ("epoll");

          bench_direct (FALSE);
          bench_direct (TRUE);
          bench_pool (reactor, FALSE);
          bench_pool (reactor, TRUE);
        }
      if (only == NULL || g_str_equal (only, "stall"))
        for (guint b = 0; b < backends->len; b++)
          {
            const char *backend = g_ptr_array_index (backends, b);
            g_autoptr (WeftReactor) reactor = reactor_new (backend);

            bench_stall (reactor, backend, STALL_IDLE);
            bench_stall (reactor, backend, STALL_POOL);
            bench_stall (reactor, backend, STALL_POOL_SINGLE);
            bench_stall (reactor, backend, STALL_REACTOR_THREAD);
          }
    }

  if (own_dir)
    g_rmdir (dir);
  g_free (dir);
  return 0;
}
