/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance.h"

#include <signal.h>
#include <unistd.h>

/* Lifecycle, threads and signals on every backend. */

typedef struct {
  ConformanceFixture *f;
  GString *log;
  WeftDeferred *pending; /* fired by a timer, for triggers that wait */
  gboolean pending_cancelled;
  guint fired_in_reactor_thread;
} Lifecycle;

static Lifecycle *
lifecycle_new (ConformanceFixture *f)
{
  Lifecycle *lc = g_new0 (Lifecycle, 1);

  lc->f = f;
  lc->log = g_string_new (NULL);
  return lc;
}

static void
lifecycle_free (Lifecycle *lc)
{
  g_clear_object (&lc->pending);
  g_string_free (lc->log, TRUE);
  g_free (lc);
}

static WeftDeferred *
log_trigger (WeftReactor *reactor, gpointer user_data)
{
  const char *tag = user_data;
  Lifecycle *lc = g_object_get_data (G_OBJECT (reactor), "lifecycle");

  g_string_append (lc->log, tag);
  return NULL;
}

static void
log_when_running (gpointer user_data)
{
  Lifecycle *lc = user_data;

  g_string_append (lc->log, "R");
  weft_reactor_stop (lc->f->reactor);
}

/* Startup: before, during (call_when_running runs here), after; shutdown
 * likewise; triggers of a phase in the order they were added. */
static void
test_triggers_order (ConformanceFixture *f)
{
  Lifecycle *lc = lifecycle_new (f);
  WeftReactor *r = f->reactor;

  g_object_set_data (G_OBJECT (r), "lifecycle", lc);
  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_AFTER, WEFT_SYSTEM_EVENT_STARTUP, log_trigger, "a", NULL);
  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_DURING, WEFT_SYSTEM_EVENT_STARTUP, log_trigger, "d", NULL);
  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_BEFORE, WEFT_SYSTEM_EVENT_STARTUP, log_trigger, "b1", NULL);
  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_BEFORE, WEFT_SYSTEM_EVENT_STARTUP, log_trigger, "b2", NULL);
  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_BEFORE, WEFT_SYSTEM_EVENT_SHUTDOWN, log_trigger, "B", NULL);
  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_DURING, WEFT_SYSTEM_EVENT_SHUTDOWN, log_trigger, "D", NULL);
  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_AFTER, WEFT_SYSTEM_EVENT_SHUTDOWN, log_trigger, "A", NULL);
  weft_reactor_call_when_running (r, log_when_running, lc, NULL);

  weft_reactor_run (r);
  g_assert_cmpstr (lc->log->str, ==, "b1b2dRaBDA");
  g_assert_false (weft_reactor_is_shutting_down (r));

  /* A second run fires both events again; call_when_running was one-shot. */
  g_string_truncate (lc->log, 0);
  weft_reactor_call_soon (r, conformance_stop_cb, r, NULL);
  weft_reactor_run (r);
  g_assert_cmpstr (lc->log->str, ==, "b1b2daBDA");

  g_object_set_data (G_OBJECT (r), "lifecycle", NULL);
  lifecycle_free (lc);
}

static WeftDeferred *
count_trigger (WeftReactor *reactor, gpointer user_data)
{
  conformance_counter_cb (user_data);
  return NULL;
}

static void
test_triggers_remove (ConformanceFixture *f)
{
  Lifecycle *lc = lifecycle_new (f);
  WeftReactor *r = f->reactor;
  ConformanceCounter counter = { 0 };
  guint id;
  guint counted;

  g_object_set_data (G_OBJECT (r), "lifecycle", lc);
  id = weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_BEFORE, WEFT_SYSTEM_EVENT_SHUTDOWN, log_trigger, "x",
                                              NULL);
  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_BEFORE, WEFT_SYSTEM_EVENT_SHUTDOWN, log_trigger, "y", NULL);
  counted = weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_AFTER, WEFT_SYSTEM_EVENT_SHUTDOWN, count_trigger,
                                                   &counter, conformance_counter_notify);
  g_assert_true (weft_reactor_remove_system_event_trigger (r, id));
  g_assert_false (weft_reactor_remove_system_event_trigger (r, id));

  weft_reactor_call_soon (r, conformance_stop_cb, r, NULL);
  weft_reactor_run (r);
  g_assert_cmpstr (lc->log->str, ==, "y");
  g_assert_cmpuint (counter.ran, ==, 1);
  g_assert_cmpuint (counter.notified, ==, 0);
  g_assert_true (weft_reactor_remove_system_event_trigger (r, counted));
  g_assert_cmpuint (counter.notified, ==, 1);

  g_object_set_data (G_OBJECT (r), "lifecycle", NULL);
  lifecycle_free (lc);
}

static void
fire_pending (gpointer user_data)
{
  Lifecycle *lc = user_data;

  g_string_append (lc->log, "F");
  weft_deferred_callback_string (lc->pending, "flushed");
}

static WeftDeferred *
note_pending_result (WeftResult *result, gpointer user_data)
{
  Lifecycle *lc = user_data;

  if (weft_result_error_matches (result, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      weft_result_error_matches (result, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    lc->pending_cancelled = TRUE;
  return NULL;
}

/* A chat client's QUIT: the trigger returns a deferred for the outbox being
 * flushed, and shutdown goes on only once it fired. */
static WeftDeferred *
flush_outbox (WeftReactor *reactor, gpointer user_data)
{
  Lifecycle *lc = user_data;

  g_string_append (lc->log, "Q");
  lc->pending = weft_deferred_new ();
  weft_reactor_call_later (reactor, 30 * 1000, fire_pending, lc, NULL);
  return g_object_ref (lc->pending);
}

static WeftDeferred *
log_after (WeftReactor *reactor, gpointer user_data)
{
  Lifecycle *lc = user_data;

  g_string_append (lc->log, "A");
  return NULL;
}

static void
test_shutdown_waits_for_deferred (ConformanceFixture *f)
{
  Lifecycle *lc = lifecycle_new (f);
  WeftReactor *r = f->reactor;
  gint64 start;

  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_BEFORE, WEFT_SYSTEM_EVENT_SHUTDOWN, flush_outbox, lc, NULL);
  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_AFTER, WEFT_SYSTEM_EVENT_SHUTDOWN, log_after, lc, NULL);
  weft_reactor_call_soon (r, conformance_stop_cb, r, NULL);

  start = g_get_monotonic_time ();
  weft_reactor_run (r);
  g_assert_cmpstr (lc->log->str, ==, "QFA");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 30 * 1000);
  g_assert_true (weft_deferred_has_fired (lc->pending));
  g_assert_cmpstr (weft_result_get_string (weft_deferred_peek_result (lc->pending)), ==, "flushed");

  lifecycle_free (lc);
}

static WeftDeferred *
never_finishes (WeftReactor *reactor, gpointer user_data)
{
  Lifecycle *lc = user_data;

  g_string_append (lc->log, "N");
  lc->pending = weft_deferred_new ();
  weft_deferred_add_errback (lc->pending, note_pending_result, lc, NULL);
  return g_object_ref (lc->pending);
}

static void
test_shutdown_timeout (ConformanceFixture *f)
{
  Lifecycle *lc = lifecycle_new (f);
  WeftReactor *r = f->reactor;

  weft_reactor_set_shutdown_timeout (r, 50 * 1000);
  g_assert_cmpint (weft_reactor_get_shutdown_timeout (r), ==, 50 * 1000);
  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_BEFORE, WEFT_SYSTEM_EVENT_SHUTDOWN, never_finishes, lc, NULL);
  weft_reactor_add_system_event_trigger (r, WEFT_TRIGGER_AFTER, WEFT_SYSTEM_EVENT_SHUTDOWN, log_after, lc, NULL);
  weft_reactor_call_soon (r, conformance_stop_cb, r, NULL);

  g_test_expect_message ("Weft", G_LOG_LEVEL_WARNING, "Reactor shutdown waited 0.1 s for its triggers*");
  weft_reactor_run (r);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (lc->log->str, ==, "NA");
  /* The late work was cancelled, not left dangling. */
  g_assert_true (lc->pending_cancelled);

  lifecycle_free (lc);
}

static void
check_running_then_stop (gpointer user_data)
{
  Lifecycle *lc = user_data;

  g_assert_true (weft_reactor_is_running (lc->f->reactor));
  g_string_append (lc->log, "r");
  weft_reactor_stop (lc->f->reactor);
}

static void
add_call_when_running (gpointer user_data)
{
  Lifecycle *lc = user_data;

  /* Running already: the call comes in a later iteration, not now. */
  weft_reactor_call_when_running (lc->f->reactor, check_running_then_stop, lc, NULL);
  g_string_append (lc->log, "s");
}

static void
test_call_when_running (ConformanceFixture *f)
{
  Lifecycle *lc = lifecycle_new (f);

  weft_reactor_call_soon (f->reactor, add_call_when_running, lc, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpstr (lc->log->str, ==, "sr");
  lifecycle_free (lc);
}

/* Threads --------------------------------------------------------------- */

static void
square_in_thread (WeftResult *result, gpointer user_data)
{
  int n = GPOINTER_TO_INT (user_data);

  if (n < 0)
    weft_result_set_new_error (result, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "cannot square %d", n);
  else
    weft_result_set_int (result, n * n);
}

typedef struct {
  ConformanceFixture *f;
  int sum;
  guint fired;
  guint errors;
  guint expected;
  gboolean wrong_thread;
} Squares;

static WeftDeferred *
collect_square (WeftResult *result, gpointer user_data)
{
  Squares *sq = user_data;

  if (g_thread_self () != sq->f->reactor_thread)
    sq->wrong_thread = TRUE;
  if (weft_result_is_error (result))
    {
      g_assert_true (weft_result_error_matches (result, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
      g_assert_cmpstr (weft_result_get_error (result)->message, ==, "cannot square -1");
      sq->errors++;
      weft_result_clear (result);
    }
  else
    sq->sum += weft_result_get_int (result);
  if (++sq->fired == sq->expected)
    weft_reactor_stop (sq->f->reactor);
  return NULL;
}

static void
test_threads_defer_to_thread (ConformanceFixture *f)
{
  Squares sq = { f };

  sq.expected = 21;
  f->reactor_thread = g_thread_self ();
  for (int i = 0; i < 20; i++)
    {
      g_autoptr (WeftDeferred) d =
          weft_reactor_defer_to_thread (f->reactor, square_in_thread, GINT_TO_POINTER (i), NULL);

      weft_deferred_add_both (d, collect_square, &sq, NULL);
    }
  {
    g_autoptr (WeftDeferred) d =
        weft_reactor_defer_to_thread (f->reactor, square_in_thread, GINT_TO_POINTER (-1), NULL);

    weft_deferred_add_both (d, collect_square, &sq, NULL);
  }
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (sq.fired, ==, 21);
  g_assert_cmpuint (sq.errors, ==, 1);
  g_assert_cmpint (sq.sum, ==, 2470); /* 0² + 1² + … + 19² */
  g_assert_false (sq.wrong_thread);
}

typedef struct {
  ConformanceFixture *f;
  WeftDeferred *answer;
  int got;
  gboolean ok;
  char *error_message;
} Blocking;

static void
answer_now (gpointer user_data)
{
  weft_deferred_callback_int (user_data, 42);
}

/* Runs in the reactor thread: answers later, through a deferred. */
static WeftDeferred *
ask_reactor (WeftResult *result, gpointer user_data)
{
  Blocking *b = user_data;

  g_assert_true (g_thread_self () == b->f->reactor_thread);
  b->answer = weft_deferred_new ();
  weft_reactor_call_later (b->f->reactor, 10 * 1000, answer_now, b->answer, NULL);
  return g_object_ref (b->answer);
}

static WeftDeferred *
refuse (WeftResult *result, gpointer user_data)
{
  weft_result_set_error_literal (result, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "no entry");
  return NULL;
}

static void
ask_from_worker (gpointer user_data)
{
  Blocking *b = user_data;
  g_autoptr (WeftResult) result = weft_result_new ();

  b->ok = weft_reactor_blocking_call_from_thread (b->f->reactor, ask_reactor, b, result);
  b->got = weft_result_get_int (result);
  g_assert_false (weft_reactor_blocking_call_from_thread (b->f->reactor, refuse, b, result));
  b->error_message = g_strdup (weft_result_get_error (result)->message);
  weft_reactor_call_from_thread (b->f->reactor, conformance_stop_cb, b->f->reactor, NULL);
}

static void
test_threads_blocking_call_from_thread (ConformanceFixture *f)
{
  Blocking b = { f };

  f->reactor_thread = g_thread_self ();
  weft_reactor_call_in_thread (f->reactor, ask_from_worker, &b, NULL);
  weft_reactor_run (f->reactor);

  g_assert_true (b.ok);
  g_assert_cmpint (b.got, ==, 42);
  g_assert_cmpstr (b.error_message, ==, "no entry");
  g_free (b.error_message);
  g_clear_object (&b.answer);
}

static void
slow_job (gpointer user_data)
{
  g_usleep (2000);
  g_atomic_int_inc ((int *) user_data);
}

/* Stopping the reactor stops the pool: queued work is finished before
 * weft_reactor_run() returns, and the pool comes back on next use. */
static void
test_threads_pool_stops_on_shutdown (ConformanceFixture *f)
{
  int done = 0;

  weft_reactor_set_thread_pool_size (f->reactor, 3);
  g_assert_cmpuint (weft_reactor_get_thread_pool_size (f->reactor), ==, 3);
  for (int i = 0; i < 30; i++)
    weft_reactor_call_in_thread (f->reactor, slow_job, &done, NULL);
  weft_reactor_call_soon (f->reactor, conformance_stop_cb, f->reactor, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpint (g_atomic_int_get (&done), ==, 30);

  weft_reactor_call_in_thread (f->reactor, slow_job, &done, NULL);
  weft_reactor_call_later (f->reactor, 50 * 1000, conformance_stop_cb, f->reactor, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpint (g_atomic_int_get (&done), ==, 31);
}

/* Signals --------------------------------------------------------------- */

static void
raise_sigterm (gpointer user_data)
{
  raise (SIGTERM);
}

static void
test_signals_sigterm_stops_gracefully (ConformanceFixture *f)
{
  Lifecycle *lc = lifecycle_new (f);

  weft_reactor_add_system_event_trigger (f->reactor, WEFT_TRIGGER_AFTER, WEFT_SYSTEM_EVENT_SHUTDOWN, log_after, lc,
                                         NULL);
  weft_reactor_call_later (f->reactor, 1000, raise_sigterm, NULL, NULL);
  weft_reactor_run (f->reactor);
  /* The graceful path: the shutdown event ran. */
  g_assert_cmpstr (lc->log->str, ==, "A");
  lifecycle_free (lc);
}

typedef struct {
  ConformanceFixture *f;
  guint sigint;
  guint sigusr1;
} Signals;

static void
on_signal (int signum, gpointer user_data)
{
  Signals *s = user_data;

  if (signum == SIGINT)
    s->sigint++;
  if (signum == SIGUSR1)
    s->sigusr1++;
  if (s->sigint > 0 && s->sigusr1 > 0)
    weft_reactor_stop (s->f->reactor);
}

static void
raise_sigint (gpointer user_data)
{
  raise (SIGINT);
}

static gpointer
kill_from_thread (gpointer user_data)
{
  kill (getpid (), SIGUSR1);
  return NULL;
}

static void
start_killer (gpointer user_data)
{
  g_thread_unref (g_thread_new ("killer", kill_from_thread, NULL));
}

/* An application replaces the SIGINT default with its own watch; a signal
 * sent from another thread reaches the reactor thread too. */
static void
test_signals_application_watch (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  Signals s = { f };
  WeftSignalWatch *sigint;
  WeftSignalWatch *sigusr1;

  sigint = weft_reactor_add_signal_watch (f->reactor, SIGINT, on_signal, &s, NULL, &error);
  g_assert_no_error (error);
  sigusr1 = weft_reactor_add_signal_watch (f->reactor, SIGUSR1, on_signal, &s, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (weft_signal_watch_get_signum (sigusr1), ==, SIGUSR1);
  g_assert_null (weft_reactor_add_signal_watch (f->reactor, SIGUSR1, on_signal, &s, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  weft_reactor_call_later (f->reactor, 1000, raise_sigint, NULL, NULL);
  weft_reactor_call_later (f->reactor, 2000, start_killer, NULL, NULL);
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (s.sigint, >=, 1);
  g_assert_cmpuint (s.sigusr1, >=, 1);
  weft_signal_watch_remove (sigint);
  weft_signal_watch_remove (sigusr1);
}

/* LoopingCall on the real clock ------------------------------------------- */

static gboolean
loop_tick (WeftLoopingCall *call, gpointer user_data, GError **error)
{
  guint *ticks = user_data;

  return ++*ticks < 5;
}

static WeftDeferred *
stop_when_done (WeftResult *result, gpointer user_data)
{
  ConformanceFixture *f = user_data;

  g_assert_false (weft_result_is_error (result));
  weft_reactor_stop (f->reactor);
  return NULL;
}

static void
test_looping_call_real_clock (ConformanceFixture *f)
{
  guint ticks = 0;
  g_autoptr (WeftLoopingCall) call = weft_looping_call_new (f->reactor, loop_tick, &ticks, NULL);
  g_autoptr (WeftDeferred) done = NULL;
  gint64 start = g_get_monotonic_time ();

  done = weft_looping_call_start (call, 5 * 1000, FALSE);
  weft_deferred_add_both (done, stop_when_done, f, NULL);
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (ticks, ==, 5);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 25 * 1000);
  g_assert_false (weft_looping_call_is_running (call));
}

const ConformanceCase conformance_lifecycle_cases[] = {
  { "lifecycle/triggers-order", test_triggers_order },
  { "lifecycle/triggers-remove", test_triggers_remove },
  { "lifecycle/shutdown-waits-for-deferred", test_shutdown_waits_for_deferred },
  { "lifecycle/shutdown-timeout", test_shutdown_timeout },
  { "lifecycle/call-when-running", test_call_when_running },
  { "lifecycle/looping-call-real-clock", test_looping_call_real_clock },
  { "threads/defer-to-thread", test_threads_defer_to_thread },
  { "threads/blocking-call-from-thread", test_threads_blocking_call_from_thread },
  { "threads/pool-stops-on-shutdown", test_threads_pool_stops_on_shutdown },
  { "signals/sigterm-stops-gracefully", test_signals_sigterm_stops_gracefully },
  { "signals/application-watch", test_signals_application_watch },
  { NULL },
};
