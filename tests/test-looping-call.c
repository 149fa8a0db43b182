/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* LoopingCall and the test clock: time moves only when the test says. */

#include "config.h"

#include <weft/weft.h>

#define WEFT_TESTING_INSIDE
#include "weft-test-clock.h"
#undef WEFT_TESTING_INSIDE

#define SEC WEFT_USEC_PER_SEC

typedef struct {
  GArray *times; /* gint64: the clock at each tick */
  WeftReactor *clock;
  int stop_after; /* return FALSE on this tick (0: never) */
  int fail_after; /* set an error on this tick (0: never) */
  gboolean stop_inside;
} Ticker;

static gboolean
tick (WeftLoopingCall *call, gpointer user_data, GError **error)
{
  Ticker *t = user_data;
  gint64 now = weft_reactor_get_time (t->clock);

  g_array_append_val (t->times, now);
  if (t->fail_after > 0 && (int) t->times->len == t->fail_after)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "the pipe broke");
      return FALSE;
    }
  if (t->stop_inside && (int) t->times->len == t->stop_after)
    {
      weft_looping_call_stop (call);
      return TRUE;
    }
  return t->stop_after == 0 || (int) t->times->len < t->stop_after;
}

static Ticker *
ticker_new (void)
{
  Ticker *t = g_new0 (Ticker, 1);

  t->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  t->clock = weft_test_clock_new ();
  weft_test_janitor_begin ();
  return t;
}

static void
ticker_free (Ticker *t)
{
  weft_test_janitor_check (t->clock);
  g_object_unref (t->clock);
  g_array_unref (t->times);
  g_free (t);
}

static gint64
tick_time (Ticker *t, guint i)
{
  return g_array_index (t->times, gint64, i);
}

static WeftDeferred *
record_result (WeftResult *result, gpointer user_data)
{
  WeftResult **out = user_data;

  *out = weft_result_copy (result);
  weft_result_clear (result);
  return NULL;
}

static void
test_ticks_on_schedule (void)
{
  Ticker *t = ticker_new ();
  g_autoptr (WeftLoopingCall) call = weft_looping_call_new (t->clock, tick, t, NULL);
  g_autoptr (WeftDeferred) done = weft_looping_call_start (call, 1 * SEC, TRUE);
  const gint64 steps[] = { SEC / 2, SEC / 2, SEC, SEC / 4, SEC / 4, SEC / 4, SEC / 4 };

  /* "now" ran the first tick inside start. */
  g_assert_cmpuint (t->times->len, ==, 1);
  g_assert_cmpint (tick_time (t, 0), ==, 0);

  weft_test_clock_pump (t->clock, steps, G_N_ELEMENTS (steps));
  g_assert_cmpuint (t->times->len, ==, 4);
  g_assert_cmpint (tick_time (t, 1), ==, 1 * SEC);
  g_assert_cmpint (tick_time (t, 2), ==, 2 * SEC);
  g_assert_cmpint (tick_time (t, 3), ==, 3 * SEC);
  g_assert_cmpuint (weft_looping_call_get_count (call), ==, 4);

  weft_looping_call_stop (call);
  g_assert_true (weft_deferred_has_fired (done));
  g_assert_true (weft_result_get_object (weft_deferred_peek_result (done)) == (gpointer) call);
  g_assert_false (weft_looping_call_is_running (call));
  ticker_free (t);
}

static void
test_not_now_waits_one_interval (void)
{
  Ticker *t = ticker_new ();
  g_autoptr (WeftLoopingCall) call = weft_looping_call_new (t->clock, tick, t, NULL);
  g_autoptr (WeftDeferred) done = weft_looping_call_start (call, 2 * SEC, FALSE);

  g_assert_cmpuint (t->times->len, ==, 0);
  weft_test_clock_advance (t->clock, 2 * SEC - 1);
  g_assert_cmpuint (t->times->len, ==, 0);
  weft_test_clock_advance (t->clock, 1);
  g_assert_cmpuint (t->times->len, ==, 1);
  weft_looping_call_stop (call);
  ticker_free (t);
}

static void
test_stop_by_returning (void)
{
  Ticker *t = ticker_new ();
  g_autoptr (WeftLoopingCall) call = weft_looping_call_new (t->clock, tick, t, NULL);
  g_autoptr (WeftDeferred) done = NULL;
  WeftResult *result = NULL;

  t->stop_after = 3;
  done = weft_looping_call_start (call, SEC, TRUE);
  weft_deferred_add_both (done, record_result, &result, NULL);
  for (int i = 0; i < 5; i++)
    weft_test_clock_advance (t->clock, SEC);
  g_assert_cmpuint (t->times->len, ==, 3);
  g_assert_nonnull (result);
  g_assert_false (weft_result_is_error (result));
  g_assert_true (weft_result_get_object (result) == (gpointer) call);
  g_assert_cmpuint (weft_reactor_get_n_timers (t->clock), ==, 0);
  weft_result_free (result);
  ticker_free (t);
}

static void
test_stop_from_inside (void)
{
  Ticker *t = ticker_new ();
  g_autoptr (WeftLoopingCall) call = weft_looping_call_new (t->clock, tick, t, NULL);
  g_autoptr (WeftDeferred) done = NULL;

  t->stop_after = 2;
  t->stop_inside = TRUE;
  done = weft_looping_call_start (call, SEC, TRUE);
  for (int i = 0; i < 4; i++)
    weft_test_clock_advance (t->clock, SEC);
  g_assert_cmpuint (t->times->len, ==, 2);
  g_assert_true (weft_deferred_has_fired (done));
  ticker_free (t);
}

static void
test_failure_reaches_deferred (void)
{
  Ticker *t = ticker_new ();
  g_autoptr (WeftLoopingCall) call = weft_looping_call_new (t->clock, tick, t, NULL);
  g_autoptr (WeftDeferred) done = NULL;
  WeftResult *result = NULL;

  t->fail_after = 2;
  done = weft_looping_call_start (call, SEC, FALSE);
  weft_deferred_add_both (done, record_result, &result, NULL);
  weft_test_clock_advance (t->clock, SEC);
  g_assert_null (result);
  weft_test_clock_advance (t->clock, SEC);
  g_assert_nonnull (result);
  g_assert_true (weft_result_error_matches (result, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE));
  g_assert_cmpstr (weft_result_get_error (result)->message, ==, "the pipe broke");
  g_assert_false (weft_looping_call_is_running (call));
  g_assert_cmpuint (weft_reactor_get_n_timers (t->clock), ==, 0);
  weft_result_free (result);
  ticker_free (t);
}

static void
test_cancel_stops (void)
{
  Ticker *t = ticker_new ();
  g_autoptr (WeftLoopingCall) call = weft_looping_call_new (t->clock, tick, t, NULL);
  g_autoptr (WeftDeferred) done = weft_looping_call_start (call, SEC, TRUE);
  WeftResult *result = NULL;

  weft_deferred_add_both (done, record_result, &result, NULL);
  weft_deferred_cancel (done);
  g_assert_nonnull (result);
  g_assert_true (weft_result_error_matches (result, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_assert_false (weft_looping_call_is_running (call));
  weft_test_clock_advance (t->clock, 5 * SEC);
  g_assert_cmpuint (t->times->len, ==, 1);
  weft_result_free (result);
  ticker_free (t);
}

/* The reactor stalls until 4.5 s: tick 1 runs late, at 4.5 s. By default
 * ticks 2, 3 and 4 are skipped and the next runs at 5 s; catch-up mode runs
 * them back to back instead. */
static void
test_skip_missed (void)
{
  Ticker *t = ticker_new ();
  g_autoptr (WeftLoopingCall) call = weft_looping_call_new (t->clock, tick, t, NULL);
  g_autoptr (WeftDeferred) done = weft_looping_call_start (call, SEC, TRUE);

  weft_test_clock_advance (t->clock, 4 * SEC + SEC / 2);
  g_assert_cmpuint (t->times->len, ==, 2);
  g_assert_cmpint (tick_time (t, 1), ==, 4 * SEC + SEC / 2);
  g_assert_cmpuint (weft_looping_call_get_missed (call), ==, 3);
  weft_test_clock_advance (t->clock, 0);
  g_assert_cmpuint (t->times->len, ==, 2);
  weft_test_clock_advance (t->clock, SEC / 2);
  g_assert_cmpuint (t->times->len, ==, 3);
  g_assert_cmpint (tick_time (t, 2), ==, 5 * SEC);
  weft_looping_call_stop (call);
  ticker_free (t);
}

static void
test_catch_up_missed (void)
{
  Ticker *t = ticker_new ();
  g_autoptr (WeftLoopingCall) call = weft_looping_call_new (t->clock, tick, t, NULL);
  g_autoptr (WeftDeferred) done = NULL;

  weft_looping_call_set_skip_missed (call, FALSE);
  g_assert_false (weft_looping_call_get_skip_missed (call));
  done = weft_looping_call_start (call, SEC, TRUE);
  weft_test_clock_advance (t->clock, 4 * SEC + SEC / 2);
  g_assert_cmpuint (t->times->len, ==, 2);
  /* Each advance runs once what is due: the missed ticks 2, 3 and 4. */
  for (int i = 0; i < 3; i++)
    weft_test_clock_advance (t->clock, 0);
  g_assert_cmpuint (t->times->len, ==, 5);
  g_assert_cmpuint (weft_looping_call_get_missed (call), ==, 0);
  weft_test_clock_advance (t->clock, 0);
  g_assert_cmpuint (t->times->len, ==, 5);
  weft_test_clock_advance (t->clock, SEC / 2);
  g_assert_cmpuint (t->times->len, ==, 6);
  g_assert_cmpint (tick_time (t, 5), ==, 5 * SEC);
  weft_looping_call_stop (call);
  ticker_free (t);
}

static void
count_call (gpointer user_data)
{
  (*(int *) user_data)++;
}

static void
test_clock_timer_api (void)
{
  g_autoptr (WeftReactor) clock = weft_test_clock_new ();
  WeftDelayedCall *call;
  int fired = 0;

  g_assert_cmpint (weft_reactor_get_time (clock), ==, 0);
  call = weft_delayed_call_ref (weft_reactor_call_later (clock, 5 * SEC, count_call, &fired, NULL));
  weft_test_clock_advance (clock, 4 * SEC);
  g_assert_true (weft_delayed_call_is_active (call));
  g_assert_cmpint (weft_delayed_call_get_time (call), ==, 5 * SEC);
  g_assert_true (weft_delayed_call_reset (call, 2 * SEC));
  g_assert_cmpint (weft_delayed_call_get_time (call), ==, 6 * SEC);
  weft_test_clock_advance (clock, 2 * SEC - 1);
  g_assert_cmpint (fired, ==, 0);
  weft_test_clock_advance (clock, 1);
  g_assert_cmpint (fired, ==, 1);
  g_assert_false (weft_delayed_call_is_active (call));
  g_assert_cmpint (weft_reactor_get_time (clock), ==, 6 * SEC);
  g_assert_cmpuint (weft_reactor_get_n_timers (clock), ==, 0);
  weft_delayed_call_unref (call);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/looping-call/ticks-on-schedule", test_ticks_on_schedule);
  g_test_add_func ("/looping-call/not-now-waits-one-interval", test_not_now_waits_one_interval);
  g_test_add_func ("/looping-call/stop-by-returning", test_stop_by_returning);
  g_test_add_func ("/looping-call/stop-from-inside", test_stop_from_inside);
  g_test_add_func ("/looping-call/failure-reaches-deferred", test_failure_reaches_deferred);
  g_test_add_func ("/looping-call/cancel-stops", test_cancel_stops);
  g_test_add_func ("/looping-call/skip-missed", test_skip_missed);
  g_test_add_func ("/looping-call/catch-up-missed", test_catch_up_missed);
  g_test_add_func ("/test-clock/timer-api", test_clock_timer_api);
  return g_test_run ();
}
