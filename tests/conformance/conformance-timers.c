/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance.h"

/* Generous upper bound for "it fired": the machine is shared. */
#define LATE_LIMIT_US (5 * WEFT_USEC_PER_SEC)

typedef struct _TimerLog TimerLog;

typedef struct {
  TimerLog *log;
  guint index;
} TimerEntry;

/* N calls that append their index to `order` when they run. */
struct _TimerLog {
  ConformanceFixture *f;
  guint n;
  TimerEntry *entries;
  WeftDelayedCall **calls; /* referenced; NULL where the test keeps none */
  gint64 *deadlines;
  guint *n_notified;
  GArray *order;
  guint stop_after; /* stop the reactor when this many have run */
};

static TimerLog *
timer_log_new (ConformanceFixture *f, guint n)
{
  TimerLog *log = g_new0 (TimerLog, 1);

  log->f = f;
  log->n = n;
  log->entries = g_new0 (TimerEntry, n);
  log->calls = g_new0 (WeftDelayedCall *, n);
  log->deadlines = g_new0 (gint64, n);
  log->n_notified = g_new0 (guint, n);
  log->order = g_array_new (FALSE, FALSE, sizeof (guint));
  log->stop_after = G_MAXUINT;
  for (guint i = 0; i < n; i++)
    {
      log->entries[i].log = log;
      log->entries[i].index = i;
    }

  return log;
}

static void
timer_log_free (TimerLog *log)
{
  for (guint i = 0; i < log->n; i++)
    g_clear_pointer (&log->calls[i], weft_delayed_call_unref);
  g_free (log->entries);
  g_free (log->calls);
  g_free (log->deadlines);
  g_free (log->n_notified);
  g_array_unref (log->order);
  g_free (log);
}

static void
timer_entry_cb (gpointer user_data)
{
  TimerEntry *entry = user_data;
  TimerLog *log = entry->log;
  WeftDelayedCall *call = log->calls[entry->index];

  g_assert_true (g_thread_self () == log->f->reactor_thread);
  /* A timer never runs before its deadline, by the reactor's own clock. */
  if (call != NULL && log->deadlines[entry->index] != 0)
    g_assert_cmpint (weft_reactor_get_time (log->f->reactor), >=, log->deadlines[entry->index]);
  g_assert_cmpuint (log->n_notified[entry->index], ==, 0);

  g_array_append_val (log->order, entry->index);
  if (log->order->len == log->stop_after)
    weft_reactor_stop (log->f->reactor);
}

static void
timer_entry_notify (gpointer user_data)
{
  TimerEntry *entry = user_data;

  entry->log->n_notified[entry->index]++;
}

static WeftDelayedCall *
timer_log_call_later (TimerLog *log, guint index, gint64 delay_us)
{
  WeftDelayedCall *call;

  call = weft_reactor_call_later (log->f->reactor, delay_us, timer_entry_cb, &log->entries[index], timer_entry_notify);
  g_assert_nonnull (call);
  log->calls[index] = weft_delayed_call_ref (call);
  log->deadlines[index] = weft_delayed_call_get_time (call);

  return call;
}

static void
timer_log_assert_order (TimerLog *log, const guint *expected, guint n_expected)
{
  g_assert_cmpuint (log->order->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      guint ran = g_array_index (log->order, guint, i);

      if (ran != expected[i])
        {
          g_test_message ("position %u: call %u ran (deadline %" G_GINT64_FORMAT
                          "), expected call %u (deadline %" G_GINT64_FORMAT ")",
                          i, ran, log->deadlines[ran], expected[i], log->deadlines[expected[i]]);
          g_assert_cmpuint (ran, ==, expected[i]);
        }
    }
}

static void
timer_log_assert_in_index_order (TimerLog *log)
{
  g_autofree guint *expected = g_new (guint, log->n);

  for (guint i = 0; i < log->n; i++)
    expected[i] = i;
  timer_log_assert_order (log, expected, log->n);
}

static gint
compare_deadline_then_index (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const gint64 *deadlines = user_data;
  guint ia = *(const guint *) a;
  guint ib = *(const guint *) b;

  if (deadlines[ia] != deadlines[ib])
    return deadlines[ia] < deadlines[ib] ? -1 : 1;
  return ia < ib ? -1 : ia > ib;
}

/* Runs `log` until the calls that were not cancelled have all run, and checks
 * they ran by deadline, FIFO among equal deadlines. */
static void
timer_log_run_and_check (TimerLog *log, const gboolean *cancelled)
{
  g_autofree guint *expected = g_new (guint, log->n);
  guint n_expected = 0;

  for (guint i = 0; i < log->n; i++)
    if (cancelled == NULL || !cancelled[i])
      expected[n_expected++] = i;
  g_qsort_with_data (expected, n_expected, sizeof (guint), compare_deadline_then_index, log->deadlines);

  log->stop_after = n_expected;
  weft_reactor_run (log->f->reactor);

  timer_log_assert_order (log, expected, n_expected);
  for (guint i = 0; i < log->n; i++)
    {
      g_assert_cmpuint (log->n_notified[i], ==, 1);
      g_assert_false (weft_delayed_call_is_active (log->calls[i]));
    }
}

static void
test_timers_deadline_order (ConformanceFixture *f)
{
  const guint n = 300;
  TimerLog *log = timer_log_new (f, n);

  /* 0..19 ms: many share a delay, and a later call often has the earlier
   * deadline. */
  for (guint i = 0; i < n; i++)
    timer_log_call_later (log, i, g_test_rand_int_range (0, 20) * 1000);
  g_assert_cmpuint (weft_reactor_get_n_timers (f->reactor), ==, n);

  timer_log_run_and_check (log, NULL);
  timer_log_free (log);
}

static void
test_timers_descending_delays (ConformanceFixture *f)
{
  const guint n = 8;
  TimerLog *log = timer_log_new (f, n);
  g_autofree guint *expected = g_new (guint, n);

  /* 10 ms apart, scheduled latest first: they run in reverse. */
  for (guint i = 0; i < n; i++)
    {
      timer_log_call_later (log, i, (n - i) * 10 * 1000);
      expected[i] = n - 1 - i;
    }
  log->stop_after = n;
  weft_reactor_run (f->reactor);

  timer_log_assert_order (log, expected, n);
  timer_log_free (log);
}

static void
test_timers_fifo_equal_deadlines (ConformanceFixture *f)
{
  const guint n = 500;
  TimerLog *log = timer_log_new (f, n);
  gint64 target = 0;

  /* Scatter the heap with different deadlines first... */
  for (guint i = 0; i < n; i++)
    {
      timer_log_call_later (log, i, g_test_rand_int_range (1000, 20000));
      target = MAX (target, log->deadlines[i]);
    }
  target += 1000;

  /* ...then move every call to exactly the same deadline, in index order. */
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (weft_delayed_call_delay (log->calls[i], target - log->deadlines[i]));
      g_assert_cmpint (weft_delayed_call_get_time (log->calls[i]), ==, target);
      log->deadlines[i] = target;
    }

  log->stop_after = n;
  weft_reactor_run (f->reactor);

  timer_log_assert_in_index_order (log);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (log->n_notified[i], ==, 1);
  timer_log_free (log);
}

typedef struct {
  TimerLog *log;
  gint64 delay_us;
} FifoFromCallback;

static void
schedule_all_cb (gpointer user_data)
{
  FifoFromCallback *fifo = user_data;

  for (guint i = 0; i < fifo->log->n; i++)
    timer_log_call_later (fifo->log, i, fifo->delay_us);
}

/* Equal delays scheduled from one callback give deadlines in scheduling
 * order (equal where the reactor's clock did not move), so they must run in
 * that order. */
static void
check_fifo_from_one_callback (ConformanceFixture *f, gint64 delay_us)
{
  const guint n = 1000;
  FifoFromCallback fifo = { timer_log_new (f, n), delay_us };

  weft_reactor_call_soon (f->reactor, schedule_all_cb, &fifo, NULL);
  fifo.log->stop_after = n;
  weft_reactor_run (f->reactor);

  timer_log_assert_in_index_order (fifo.log);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (fifo.log->n_notified[i], ==, 1);
  timer_log_free (fifo.log);
}

static void
test_timers_fifo_same_delay (ConformanceFixture *f)
{
  check_fifo_from_one_callback (f, 5 * 1000);
}

static void
test_timers_fifo_zero_delay (ConformanceFixture *f)
{
  check_fifo_from_one_callback (f, 0);
}

static void
test_timers_cancel (ConformanceFixture *f)
{
  ConformanceCounter counter = { 0 };
  ConformanceCounter fired = { 0 };
  WeftDelayedCall *call;

  call = weft_delayed_call_ref (weft_reactor_call_later (f->reactor, 20 * 1000, conformance_counter_cb, &counter,
                                                         conformance_counter_notify));
  g_assert_true (weft_delayed_call_is_active (call));
  g_assert_cmpuint (weft_reactor_get_n_timers (f->reactor), ==, 1);

  g_assert_true (weft_delayed_call_cancel (call));
  g_assert_false (weft_delayed_call_is_active (call));
  g_assert_cmpuint (counter.notified, ==, 1);
  g_assert_cmpuint (weft_reactor_get_n_timers (f->reactor), ==, 0);

  g_assert_false (weft_delayed_call_cancel (call));
  g_assert_false (weft_delayed_call_reset (call, 1000));
  g_assert_false (weft_delayed_call_delay (call, 1000));
  g_assert_false (weft_delayed_call_is_active (call));
  g_assert_cmpuint (counter.notified, ==, 1);

  /* Well past the cancelled deadline. */
  weft_reactor_call_later (f->reactor, 60 * 1000, conformance_stop_cb, f->reactor, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (counter.ran, ==, 0);
  g_assert_cmpuint (counter.notified, ==, 1);
  weft_delayed_call_unref (call);

  /* Cancelling a call that has run does nothing. */
  call = weft_delayed_call_ref (weft_reactor_call_later (f->reactor, 0, conformance_counter_cb, &fired,
                                                         conformance_counter_notify));
  conformance_iterate_until (f, &fired.ran, 1);
  g_assert_cmpuint (fired.notified, ==, 1);
  g_assert_false (weft_delayed_call_is_active (call));
  g_assert_false (weft_delayed_call_cancel (call));
  g_assert_false (weft_delayed_call_reset (call, 0));
  g_assert_cmpuint (fired.ran, ==, 1);
  g_assert_cmpuint (fired.notified, ==, 1);
  conformance_iterate_nonblocking (f, 3);
  g_assert_cmpuint (fired.ran, ==, 1);
  weft_delayed_call_unref (call);
}

static void
test_timers_cancel_many (ConformanceFixture *f)
{
  const guint n = 2000;
  TimerLog *log = timer_log_new (f, n);
  g_autofree gboolean *cancelled = g_new0 (gboolean, n);
  guint n_cancelled = 0;

  for (guint i = 0; i < n; i++)
    timer_log_call_later (log, i, g_test_rand_int_range (0, 10 * 1000));
  for (guint i = 0; i < n; i++)
    {
      if (g_test_rand_bit ())
        {
          g_assert_true (weft_delayed_call_cancel (log->calls[i]));
          g_assert_cmpuint (log->n_notified[i], ==, 1);
          cancelled[i] = TRUE;
          n_cancelled++;
        }
    }
  g_assert_cmpuint (weft_reactor_get_n_timers (f->reactor), ==, n - n_cancelled);

  timer_log_run_and_check (log, cancelled);
  timer_log_free (log);
}

typedef struct {
  ConformanceFixture *f;
  WeftDelayedCall *victim;
  ConformanceCounter victim_counter;
  guint first_ran;
  gboolean cancel_result;
} SamePass;

static void
cancel_victim_cb (gpointer user_data)
{
  SamePass *pass = user_data;

  pass->first_ran++;
  pass->cancel_result = weft_delayed_call_cancel (pass->victim);
  g_assert_cmpuint (pass->victim_counter.notified, ==, 1);
}

static void
test_timers_cancel_in_same_pass (ConformanceFixture *f)
{
  SamePass pass = { f };

  weft_reactor_call_later (f->reactor, 1000, cancel_victim_cb, &pass, NULL);
  pass.victim = weft_delayed_call_ref (weft_reactor_call_later (f->reactor, 1000, conformance_counter_cb,
                                                                &pass.victim_counter, conformance_counter_notify));

  /* Both are overdue when the reactor next looks. */
  g_usleep (5 * 1000);
  conformance_iterate_until (f, &pass.first_ran, 1);
  g_assert_true (pass.cancel_result);
  conformance_iterate_nonblocking (f, 3);

  g_assert_cmpuint (pass.first_ran, ==, 1);
  g_assert_cmpuint (pass.victim_counter.ran, ==, 0);
  g_assert_cmpuint (pass.victim_counter.notified, ==, 1);
  g_assert_false (weft_delayed_call_is_active (pass.victim));
  weft_delayed_call_unref (pass.victim);
}

static void
reset_victim_cb (gpointer user_data)
{
  SamePass *pass = user_data;

  pass->first_ran++;
  pass->cancel_result = weft_delayed_call_reset (pass->victim, 0);
}

static void
test_timers_reset_in_same_pass (ConformanceFixture *f)
{
  SamePass pass = { f };

  weft_reactor_call_later (f->reactor, 0, reset_victim_cb, &pass, NULL);
  pass.victim = weft_delayed_call_ref (weft_reactor_call_later (f->reactor, 0, conformance_counter_cb,
                                                                &pass.victim_counter, conformance_counter_notify));

  /* Both are due in the first iteration; the reset one waits for the next. */
  weft_reactor_iterate (f->reactor, FALSE);
  g_assert_cmpuint (pass.first_ran, ==, 1);
  g_assert_true (pass.cancel_result);
  g_assert_cmpuint (pass.victim_counter.ran, ==, 0);
  g_assert_true (weft_delayed_call_is_active (pass.victim));

  weft_reactor_iterate (f->reactor, FALSE);
  g_assert_cmpuint (pass.victim_counter.ran, ==, 1);
  g_assert_cmpuint (pass.victim_counter.notified, ==, 1);
  weft_delayed_call_unref (pass.victim);
}

typedef struct {
  ConformanceFixture *f;
  WeftDelayedCall *call;
  guint ran;
  guint notified;
  gint64 fired_at;     /* g_get_monotonic_time () */
  gint64 reactor_time; /* weft_reactor_get_time () */
  gint64 delay_us;     /* for a call scheduled from inside a callback */
  gint64 scheduled_at;
} FireRecord;

static void
fire_record_cb (gpointer user_data)
{
  FireRecord *record = user_data;

  record->fired_at = g_get_monotonic_time ();
  record->reactor_time = weft_reactor_get_time (record->f->reactor);
  record->ran++;
  weft_reactor_stop (record->f->reactor);
}

static void
fire_record_notify (gpointer user_data)
{
  ((FireRecord *) user_data)->notified++;
}

static void
test_timers_reset_and_delay (ConformanceFixture *f)
{
  FireRecord record = { f };
  gint64 before, after, deadline;

  record.call = weft_delayed_call_ref (weft_reactor_call_later (f->reactor, 10 * WEFT_USEC_PER_SEC, fire_record_cb,
                                                                &record, fire_record_notify));
  g_assert_true (weft_delayed_call_is_active (record.call));

  /* reset: the new deadline counts from now. */
  before = weft_reactor_get_time (f->reactor);
  g_assert_true (weft_delayed_call_reset (record.call, 20 * 1000));
  after = g_get_monotonic_time ();
  deadline = weft_delayed_call_get_time (record.call);
  g_assert_cmpint (deadline, >=, before + 20 * 1000);
  g_assert_cmpint (deadline, <=, after + 20 * 1000);
  g_assert_true (weft_delayed_call_is_active (record.call));

  /* delay: moves the deadline by exactly that much. */
  g_assert_true (weft_delayed_call_delay (record.call, 10 * 1000));
  g_assert_cmpint (weft_delayed_call_get_time (record.call), ==, deadline + 10 * 1000);
  deadline += 10 * 1000;
  g_assert_true (weft_delayed_call_is_active (record.call));
  g_assert_cmpuint (weft_reactor_get_n_timers (f->reactor), ==, 1);

  weft_reactor_run (f->reactor);

  g_assert_cmpuint (record.ran, ==, 1);
  g_assert_cmpuint (record.notified, ==, 1);
  g_assert_cmpint (record.fired_at, >=, deadline);
  g_assert_cmpint (record.reactor_time, >=, deadline);
  g_assert_cmpint (record.fired_at - deadline, <, LATE_LIMIT_US);
  g_assert_false (weft_delayed_call_is_active (record.call));
  g_assert_false (weft_delayed_call_reset (record.call, 1000));
  g_assert_false (weft_delayed_call_delay (record.call, 1000));
  g_assert_cmpuint (record.notified, ==, 1);
  weft_delayed_call_unref (record.call);
}

/* Scheduled from outside any callback after the reactor sat still for a
 * while, and from inside a callback that took a while: either way the delay
 * counts from the moment of the call. */
static void
check_not_early_from_outside (ConformanceFixture *f, gint64 delay_us)
{
  FireRecord record = { f };
  gint64 scheduled_at;

  weft_reactor_iterate (f->reactor, FALSE);
  g_usleep (20 * 1000);

  scheduled_at = g_get_monotonic_time ();
  record.call = weft_delayed_call_ref (weft_reactor_call_later (f->reactor, delay_us, fire_record_cb, &record,
                                                                fire_record_notify));
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (record.ran, ==, 1);
  if (record.fired_at - scheduled_at < delay_us)
    g_test_message ("a %" G_GINT64_FORMAT " us timer fired after %" G_GINT64_FORMAT " us", delay_us,
                    record.fired_at - scheduled_at);
  g_assert_cmpint (record.fired_at - scheduled_at, >=, delay_us);
  g_assert_cmpint (record.reactor_time, >=, weft_delayed_call_get_time (record.call));
  g_assert_cmpint (record.fired_at - scheduled_at, <, LATE_LIMIT_US);
  weft_delayed_call_unref (record.call);
}

static void
test_timers_not_early (ConformanceFixture *f)
{
  /* 1.5 ms and 10.25 ms catch deadlines rounded down to milliseconds. */
  check_not_early_from_outside (f, 1500);
  check_not_early_from_outside (f, 10250);
  check_not_early_from_outside (f, 50 * 1000);
}

static void
slow_then_schedule_cb (gpointer user_data)
{
  FireRecord *record = user_data;

  g_usleep (20 * 1000);
  record->scheduled_at = g_get_monotonic_time ();
  record->call = weft_delayed_call_ref (weft_reactor_call_later (record->f->reactor, record->delay_us, fire_record_cb,
                                                                 record, fire_record_notify));
}

static void
test_timers_not_early_after_slow_callback (ConformanceFixture *f)
{
  FireRecord record = { f };

  record.delay_us = 50 * 1000;
  weft_reactor_call_soon (f->reactor, slow_then_schedule_cb, &record, NULL);
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (record.ran, ==, 1);
  g_assert_cmpint (record.fired_at - record.scheduled_at, >=, record.delay_us);
  g_assert_cmpint (record.fired_at - record.scheduled_at, <, LATE_LIMIT_US);
  weft_delayed_call_unref (record.call);
}

typedef struct {
  ConformanceFixture *f;
  guint first_ran;
  ConformanceCounter second;
} Chain;

static void
add_zero_delay_cb (gpointer user_data)
{
  Chain *chain = user_data;

  chain->first_ran++;
  weft_reactor_call_later (chain->f->reactor, 0, conformance_counter_cb, &chain->second, conformance_counter_notify);
}

static void
test_timers_added_by_timer_run_next_iteration (ConformanceFixture *f)
{
  Chain chain = { f };

  weft_reactor_call_later (f->reactor, 0, add_zero_delay_cb, &chain, NULL);

  weft_reactor_iterate (f->reactor, FALSE);
  g_assert_cmpuint (chain.first_ran, ==, 1);
  g_assert_cmpuint (chain.second.ran, ==, 0);

  weft_reactor_iterate (f->reactor, FALSE);
  g_assert_cmpuint (chain.second.ran, ==, 1);
  g_assert_cmpuint (chain.second.notified, ==, 1);
}

typedef struct {
  ConformanceFixture *f;
  WeftDelayedCall *pending; /* owned by the reactor while active */
  guint runs;
} Rearm;

static void
rearm_zero_cb (gpointer user_data)
{
  Rearm *rearm = user_data;

  rearm->runs++;
  rearm->pending = weft_reactor_call_later (rearm->f->reactor, 0, rearm_zero_cb, rearm, NULL);
}

static void
test_timers_zero_delay_rearm_does_not_starve (ConformanceFixture *f)
{
  Rearm rearm = { f };
  ConformanceProbe probe = { 0 };
  int fds[2];

  /* One run per iteration, never more. */
  rearm.pending = weft_reactor_call_later (f->reactor, 0, rearm_zero_cb, &rearm, NULL);
  for (guint i = 1; i <= 3; i++)
    {
      weft_reactor_iterate (f->reactor, FALSE);
      g_assert_cmpuint (rearm.runs, ==, i);
    }

  /* And I/O still gets its turn. */
  conformance_pipe (fds);
  conformance_write_byte (fds[1]);
  probe.stop_after = 3;
  conformance_probe_add (&probe, f, fds[0], WEFT_IO_READ);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (probe.n_calls, ==, 3);

  g_assert_true (weft_delayed_call_cancel (rearm.pending));
  conformance_probe_remove (&probe);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

static void
test_timers_many_random (ConformanceFixture *f)
{
  const guint n = 10000;
  TimerLog *log = timer_log_new (f, n);

  for (guint i = 0; i < n; i++)
    timer_log_call_later (log, i, g_test_rand_int_range (0, 30 * 1000));
  /* Some moved around after scheduling, the way protocols reset timeouts. */
  for (guint i = 0; i < n; i += 7)
    {
      if (i % 2)
        g_assert_true (weft_delayed_call_reset (log->calls[i], g_test_rand_int_range (0, 30 * 1000)));
      else
        g_assert_true (weft_delayed_call_delay (log->calls[i], g_test_rand_int_range (0, 5 * 1000)));
      log->deadlines[i] = weft_delayed_call_get_time (log->calls[i]);
    }

  /* Ties among moved calls depend on when they moved, so only the deadline
   * order is checked here; FIFO has its own cases. */
  log->stop_after = n;
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (log->order->len, ==, n);
  for (guint i = 1; i < n; i++)
    {
      guint previous = g_array_index (log->order, guint, i - 1);
      guint current = g_array_index (log->order, guint, i);

      g_assert_cmpint (log->deadlines[previous], <=, log->deadlines[current]);
    }
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (log->n_notified[i], ==, 1);
  timer_log_free (log);
}

/* Soon calls ---------------------------------------------------------- */

static void
test_soon_fifo (ConformanceFixture *f)
{
  const guint n = 1000;
  TimerLog *log = timer_log_new (f, n);

  for (guint i = 0; i < n; i++)
    weft_reactor_call_soon (f->reactor, timer_entry_cb, &log->entries[i], timer_entry_notify);

  /* All were queued before the iteration began: one iteration runs them. */
  weft_reactor_iterate (f->reactor, FALSE);
  timer_log_assert_in_index_order (log);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (log->n_notified[i], ==, 1);
  timer_log_free (log);
}

static void
queue_second_soon_cb (gpointer user_data)
{
  Chain *chain = user_data;

  chain->first_ran++;
  weft_reactor_call_soon (chain->f->reactor, conformance_counter_cb, &chain->second, conformance_counter_notify);
}

static void
test_soon_queued_by_soon_runs_next_iteration (ConformanceFixture *f)
{
  Chain chain = { f };

  weft_reactor_call_soon (f->reactor, queue_second_soon_cb, &chain, NULL);

  weft_reactor_iterate (f->reactor, FALSE);
  g_assert_cmpuint (chain.first_ran, ==, 1);
  g_assert_cmpuint (chain.second.ran, ==, 0);

  weft_reactor_iterate (f->reactor, FALSE);
  g_assert_cmpuint (chain.second.ran, ==, 1);
  g_assert_cmpuint (chain.second.notified, ==, 1);
}

static void
test_soon_cancel (ConformanceFixture *f)
{
  ConformanceCounter counter = { 0 };
  ConformanceCounter other = { 0 };
  WeftDelayedCall *call;

  call = weft_delayed_call_ref (weft_reactor_call_soon (f->reactor, conformance_counter_cb, &counter,
                                                        conformance_counter_notify));
  weft_reactor_call_soon (f->reactor, conformance_counter_cb, &other, conformance_counter_notify);
  g_assert_true (weft_delayed_call_is_active (call));

  g_assert_true (weft_delayed_call_cancel (call));
  g_assert_cmpuint (counter.notified, ==, 1);
  g_assert_false (weft_delayed_call_is_active (call));
  g_assert_false (weft_delayed_call_cancel (call));

  conformance_iterate_nonblocking (f, 3);
  g_assert_cmpuint (counter.ran, ==, 0);
  g_assert_cmpuint (counter.notified, ==, 1);
  g_assert_cmpuint (other.ran, ==, 1);
  g_assert_cmpuint (other.notified, ==, 1);
  g_assert_false (weft_delayed_call_cancel (call));
  weft_delayed_call_unref (call);
}

static void
cancel_soon_victim_cb (gpointer user_data)
{
  SamePass *pass = user_data;

  pass->first_ran++;
  pass->cancel_result = weft_delayed_call_cancel (pass->victim);
}

static void
test_soon_cancel_in_same_pass (ConformanceFixture *f)
{
  SamePass pass = { f };

  weft_reactor_call_soon (f->reactor, cancel_soon_victim_cb, &pass, NULL);
  pass.victim = weft_delayed_call_ref (weft_reactor_call_soon (f->reactor, conformance_counter_cb, &pass.victim_counter,
                                                               conformance_counter_notify));

  weft_reactor_iterate (f->reactor, FALSE);
  g_assert_cmpuint (pass.first_ran, ==, 1);
  g_assert_true (pass.cancel_result);
  conformance_iterate_nonblocking (f, 2);
  g_assert_cmpuint (pass.victim_counter.ran, ==, 0);
  g_assert_cmpuint (pass.victim_counter.notified, ==, 1);
  weft_delayed_call_unref (pass.victim);
}

static void
requeue_soon_cb (gpointer user_data)
{
  Rearm *rearm = user_data;

  rearm->runs++;
  rearm->pending = weft_reactor_call_soon (rearm->f->reactor, requeue_soon_cb, rearm, NULL);
}

static void
test_soon_requeue_does_not_starve (ConformanceFixture *f)
{
  Rearm rearm = { f };
  ConformanceProbe probe = { 0 };
  ConformanceCounter timer = { 0 };
  int fds[2];

  rearm.pending = weft_reactor_call_soon (f->reactor, requeue_soon_cb, &rearm, NULL);
  for (guint i = 1; i <= 3; i++)
    {
      weft_reactor_iterate (f->reactor, FALSE);
      g_assert_cmpuint (rearm.runs, ==, i);
    }

  conformance_pipe (fds);
  conformance_write_byte (fds[1]);
  probe.stop_after = 3;
  conformance_probe_add (&probe, f, fds[0], WEFT_IO_READ);
  weft_reactor_call_later (f->reactor, 1000, conformance_counter_cb, &timer, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (probe.n_calls, ==, 3);
  conformance_iterate_until (f, &timer.ran, 1);

  g_assert_true (weft_delayed_call_cancel (rearm.pending));
  conformance_probe_remove (&probe);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

const ConformanceCase conformance_timer_cases[] = {
  { "timers/deadline-order", test_timers_deadline_order },
  { "timers/descending-delays", test_timers_descending_delays },
  { "timers/fifo-equal-deadlines", test_timers_fifo_equal_deadlines },
  { "timers/fifo-same-delay", test_timers_fifo_same_delay },
  { "timers/fifo-order", test_timers_fifo_zero_delay },
  { "timers/cancel", test_timers_cancel },
  { "timers/cancel-many", test_timers_cancel_many },
  { "timers/cancel-in-same-pass", test_timers_cancel_in_same_pass },
  { "timers/reset-in-same-pass", test_timers_reset_in_same_pass },
  { "timers/reset-and-delay", test_timers_reset_and_delay },
  { "timers/not-early", test_timers_not_early },
  { "timers/not-early-after-slow-callback", test_timers_not_early_after_slow_callback },
  { "timers/added-by-timer-run-next-iteration", test_timers_added_by_timer_run_next_iteration },
  { "timers/zero-delay-rearm-does-not-starve", test_timers_zero_delay_rearm_does_not_starve },
  { "timers/many-random", test_timers_many_random },
  { NULL },
};

const ConformanceCase conformance_soon_cases[] = {
  { "soon/fifo-order", test_soon_fifo },
  { "soon/queued-by-soon-runs-next-iteration", test_soon_queued_by_soon_runs_next_iteration },
  { "soon/cancel", test_soon_cancel },
  { "soon/cancel-in-same-pass", test_soon_cancel_in_same_pass },
  { "soon/requeue-does-not-starve", test_soon_requeue_does_not_starve },
  { NULL },
};
