/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* weft_reactor_call_from_thread(), on every backend:
 *
 * - throughput: 4 threads each queue N calls as fast as they can while the
 *   reactor runs them; calls per second from the threads' start to the last
 *   call run;
 * - wake-up latency: one thread queues one call at a time into an idle
 *   (sleeping) reactor and waits for it to run; the time from queueing to
 *   running, median and 99th percentile.
 *
 * One line per backend and measurement on stdout:
 * "threads/BACKEND/throughput calls_per_sec=X" and
 * "threads/BACKEND/latency median_us=X p99_us=Y samples=N". */

#include <weft/weft.h>

#include <stdlib.h>

#define N_THREADS 4

typedef struct {
  WeftReactor *reactor;
  guint64 expected;
  guint64 done;
  gint64 start;
  gint64 last_run;
  guint calls_per_thread;
} Throughput;

static void
count_call (gpointer user_data)
{
  Throughput *t = user_data;

  if (++t->done == t->expected)
    {
      t->last_run = g_get_monotonic_time ();
      weft_reactor_stop (t->reactor);
    }
}

static gpointer
throughput_thread (gpointer user_data)
{
  Throughput *t = user_data;

  for (guint i = 0; i < t->calls_per_thread; i++)
    weft_reactor_call_from_thread (t->reactor, count_call, t, NULL);
  return NULL;
}

static WeftReactor *
new_reactor (const char *backend)
{
  g_autoptr (GError) error = NULL;
  WeftReactor *reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS, &error);

  if (reactor == NULL)
    g_error ("%s", error->message);
  return reactor;
}

static void
bench_throughput (const char *backend, guint calls_per_thread)
{
  g_autoptr (WeftReactor) reactor = new_reactor (backend);
  Throughput t = { reactor, (guint64) calls_per_thread * N_THREADS, 0, 0, 0, calls_per_thread };
  GThread *threads[N_THREADS];

  t.start = g_get_monotonic_time ();
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("caller", throughput_thread, &t);
  weft_reactor_run (reactor);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  g_print ("threads/%s/throughput calls_per_sec=%.0f calls=%" G_GUINT64_FORMAT "\n", backend,
           t.done * (double) G_USEC_PER_SEC / (t.last_run - t.start), t.done);
}

typedef struct {
  WeftReactor *reactor;
  GMutex lock;
  GCond cond;
  gint64 queued;
  gint64 ran; /* 0 while the call is pending */
  guint n_samples;
  gint64 *samples;
} Latency;

static void
note_run (gpointer user_data)
{
  Latency *l = user_data;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&l->lock);
  l->ran = now;
  g_cond_signal (&l->cond);
  g_mutex_unlock (&l->lock);
}

static void
stop_reactor (gpointer user_data)
{
  weft_reactor_stop (user_data);
}

static gpointer
latency_thread (gpointer user_data)
{
  Latency *l = user_data;

  for (guint i = 0; i < l->n_samples; i++)
    {
      /* Long enough for the reactor to go back to sleep in its wait. */
      g_usleep (200);
      g_mutex_lock (&l->lock);
      l->ran = 0;
      l->queued = g_get_monotonic_time ();
      weft_reactor_call_from_thread (l->reactor, note_run, l, NULL);
      while (l->ran == 0)
        g_cond_wait (&l->cond, &l->lock);
      l->samples[i] = l->ran - l->queued;
      g_mutex_unlock (&l->lock);
    }
  weft_reactor_call_from_thread (l->reactor, stop_reactor, l->reactor, NULL);
  return NULL;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
bench_latency (const char *backend, guint n_samples)
{
  g_autoptr (WeftReactor) reactor = new_reactor (backend);
  Latency l = { reactor };
  GThread *thread;

  g_mutex_init (&l.lock);
  g_cond_init (&l.cond);
  l.n_samples = n_samples;
  l.samples = g_new (gint64, n_samples);
  thread = g_thread_new ("waker", latency_thread, &l);
  weft_reactor_run (reactor);
  g_thread_join (thread);

  qsort (l.samples, n_samples, sizeof (gint64), compare_gint64);
  g_print ("threads/%s/latency median_us=%.1f p99_us=%.1f samples=%u\n", backend, (double) l.samples[n_samples / 2],
           (double) l.samples[(gsize) (n_samples * 0.99)], n_samples);
  g_free (l.samples);
  g_mutex_clear (&l.lock);
  g_cond_clear (&l.cond);
}

int
main (int argc, char **argv)
{
  gboolean smoke = FALSE;
  int calls = 250000, samples = 2000;
  g_auto (GStrv) backends = NULL;
  GOptionEntry entries[] = {
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &smoke, "Tiny counts (a check that it works)", NULL },
    { "calls", 0, 0, G_OPTION_ARG_INT, &calls, "Calls per thread (default 250000)", "N" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples, "Latency samples (default 2000)", "N" },
    { "backend", 0, 0, G_OPTION_ARG_STRING_ARRAY, &backends, "Backend to measure (repeatable; default all)", "NAME" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- call_from_thread benchmark");
  g_autoptr (GError) error = NULL;
  const char *const *names;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || calls <= 0 || samples <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "bad arguments");
      return 2;
    }
  if (smoke)
    {
      calls = 2000;
      samples = 50;
    }

  names = backends != NULL ? (const char *const *) backends : weft_reactor_list_backends ();
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!weft_reactor_backend_is_available (names[i], NULL, NULL))
        continue;
      bench_throughput (names[i], (guint) calls);
      bench_latency (names[i], (guint) samples);
    }
  return EXIT_SUCCESS;
}
