/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Deferred micro-benchmarks: one line per benchmark on stdout,
 * "NAME ops_per_sec=N", so scripts can compare runs. */

#include <weft/weft.h>

#include <stdlib.h>

typedef void (*BenchFunc) (guint n);

static WeftDeferred *
add_one (WeftResult *result, gpointer user_data)
{
  weft_result_set_int (result, weft_result_get_int (result) + 1);
  return NULL;
}

static WeftDeferred *
return_fired (WeftResult *result, gpointer user_data)
{
  return weft_deferred_succeed_int (weft_result_get_int (result) + 1);
}

static int sink;

static WeftDeferred *
store (WeftResult *result, gpointer user_data)
{
  sink += weft_result_get_int (result);
  return NULL;
}

/* The common case: make a deferred, add a callback, fire it. */
static void
bench_create_callback_fire (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      WeftDeferred *d = weft_deferred_new ();

      weft_deferred_add_callback (d, store, NULL, NULL);
      weft_deferred_callback_int (d, (int) i);
      g_object_unref (d);
    }
}

/* Three stages that each change the value, then a sink. */
static void
bench_chain_3 (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      WeftDeferred *d = weft_deferred_new ();

      weft_deferred_add_callback (d, add_one, NULL, NULL);
      weft_deferred_add_callback (d, add_one, NULL, NULL);
      weft_deferred_add_callback (d, add_one, NULL, NULL);
      weft_deferred_add_callback (d, store, NULL, NULL);
      weft_deferred_callback_int (d, (int) i);
      g_object_unref (d);
    }
}

/* Callbacks added after firing run at once. */
static void
bench_fired_then_callback (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      WeftDeferred *d = weft_deferred_succeed_int ((int) i);

      weft_deferred_add_callback (d, store, NULL, NULL);
      g_object_unref (d);
    }
}

/* A callback that returns another (already fired) deferred. */
static void
bench_nested (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      WeftDeferred *d = weft_deferred_new ();

      weft_deferred_add_callback (d, return_fired, NULL, NULL);
      weft_deferred_add_callback (d, store, NULL, NULL);
      weft_deferred_callback_int (d, (int) i);
      g_object_unref (d);
    }
}

static WeftDeferred *
return_pending (WeftResult *result, gpointer user_data)
{
  return g_object_ref (user_data);
}

/* A callback that waits for a deferred fired afterwards. */
static void
bench_wait_for_pending (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      WeftDeferred *outer = weft_deferred_new ();
      WeftDeferred *inner = weft_deferred_new ();

      weft_deferred_add_callback (outer, return_pending, inner, NULL);
      weft_deferred_add_callback (outer, store, NULL, NULL);
      weft_deferred_callback_none (outer);
      weft_deferred_callback_int (inner, (int) i);
      g_object_unref (inner);
      g_object_unref (outer);
    }
}

static void
run (const char *name, BenchFunc func, double seconds)
{
  const guint batch = 1000;
  guint64 ops = 0;
  gint64 start, elapsed;

  func (batch); /* warm up */
  start = g_get_monotonic_time ();
  do
    {
      func (batch);
      ops += batch;
      elapsed = g_get_monotonic_time () - start;
    }
  while (elapsed < seconds * G_USEC_PER_SEC);

  g_print ("%s ops_per_sec=%.0f\n", name, ops * (double) G_USEC_PER_SEC / elapsed);
}

int
main (int argc, char **argv)
{
  gboolean smoke = FALSE;
  double seconds = 1.0;
  GOptionEntry entries[] = {
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &smoke, "Run each benchmark briefly (a check that it works)", NULL },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "How long to run each benchmark (default 1)", "S" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- Deferred micro-benchmarks");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (smoke)
    seconds = 0.02;

  run ("deferred/create-callback-fire", bench_create_callback_fire, seconds);
  run ("deferred/chain-3", bench_chain_3, seconds);
  run ("deferred/fired-then-callback", bench_fired_then_callback, seconds);
  run ("deferred/callback-returns-fired", bench_nested, seconds);
  run ("deferred/callback-returns-pending", bench_wait_for_pending, seconds);
  return EXIT_SUCCESS;
}
