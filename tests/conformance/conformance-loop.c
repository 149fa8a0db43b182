/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <unistd.h>

/* Iteration ----------------------------------------------------------- */

typedef struct {
  ConformanceFixture *f;
  GString *log;
  int fd;
} OrderLog;

static void
log_fd_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  OrderLog *order = user_data;

  conformance_drain (fd);
  g_string_append_c (order->log, 'F');
}

static void
log_timer_cb (gpointer user_data)
{
  g_string_append_c (((OrderLog *) user_data)->log, 'T');
}

static void
log_soon_cb (gpointer user_data)
{
  g_string_append_c (((OrderLog *) user_data)->log, 'S');
}

static void
log_thread_cb (gpointer user_data)
{
  OrderLog *order = user_data;

  g_assert_true (g_thread_self () == order->f->reactor_thread);
  g_string_append_c (order->log, 'X');
}

static gpointer
queue_thread_call (gpointer user_data)
{
  OrderLog *order = user_data;

  weft_reactor_call_from_thread (order->f->reactor, log_thread_cb, order, NULL);
  return NULL;
}

static void
test_iteration_order (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  OrderLog order = { f, g_string_new (NULL) };
  WeftWatch *watch;
  int fds[2];

  /* Queued in the reverse of the order they must run in. */
  g_thread_join (g_thread_new ("queue-thread-call", queue_thread_call, &order));
  weft_reactor_call_soon (f->reactor, log_soon_cb, &order, NULL);
  weft_reactor_call_later (f->reactor, 0, log_timer_cb, &order, NULL);
  conformance_pipe (fds);
  conformance_write_byte (fds[1]);
  watch = weft_reactor_add_watch (f->reactor, fds[0], WEFT_IO_READ, log_fd_cb, &order, NULL, &error);
  g_assert_no_error (error);

  /* One iteration: fds, timers, soon calls, thread calls. */
  weft_reactor_iterate (f->reactor, FALSE);
  g_assert_cmpstr (order.log->str, ==, "FTSX");

  weft_watch_remove (watch);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
  g_string_free (order.log, TRUE);
}

static void
queue_soon_from_timer_cb (gpointer user_data)
{
  ConformanceFixture *f = ((OrderLog *) user_data)->f;

  log_timer_cb (user_data);
  weft_reactor_call_soon (f->reactor, log_soon_cb, user_data, NULL);
}

static void
test_iteration_soon_from_timer_runs_same_iteration (ConformanceFixture *f)
{
  OrderLog order = { f, g_string_new (NULL) };

  /* Soon calls queued before the soon step began run in it. */
  weft_reactor_call_later (f->reactor, 0, queue_soon_from_timer_cb, &order, NULL);
  weft_reactor_iterate (f->reactor, FALSE);
  g_assert_cmpstr (order.log->str, ==, "TS");
  g_string_free (order.log, TRUE);
}

static void
test_iteration_nonblocking_when_idle (ConformanceFixture *f)
{
  gint64 start = g_get_monotonic_time ();

  conformance_iterate_nonblocking (f, 3);
  g_assert_cmpint (g_get_monotonic_time () - start, <, WEFT_USEC_PER_SEC);
}

/* Stop ---------------------------------------------------------------- */

typedef struct {
  ConformanceFixture *f;
  gboolean was_running;
  guint ran;
  ConformanceCounter later;
  ConformanceCounter soon;
} StopState;

static void
stop_and_record_cb (gpointer user_data)
{
  StopState *state = user_data;

  state->was_running = weft_reactor_is_running (state->f->reactor);
  state->ran++;
  weft_reactor_stop (state->f->reactor);
}

static void
test_stop_from_timer (ConformanceFixture *f)
{
  StopState state = { f };

  g_assert_false (weft_reactor_is_running (f->reactor));
  weft_reactor_call_later (f->reactor, 10 * 1000, stop_and_record_cb, &state, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (state.ran, ==, 1);
  g_assert_true (state.was_running);
  g_assert_false (weft_reactor_is_running (f->reactor));

  /* A stopped reactor runs again. */
  weft_reactor_call_later (f->reactor, 10 * 1000, stop_and_record_cb, &state, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (state.ran, ==, 2);
  g_assert_false (weft_reactor_is_running (f->reactor));
}

static void
test_stop_from_watch (ConformanceFixture *f)
{
  ConformanceProbe probe = { 0 };
  int fds[2];

  conformance_socketpair (fds);
  conformance_write_byte (fds[1]);
  probe.stop_after = 1;
  conformance_probe_add (&probe, f, fds[0], WEFT_IO_READ);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (probe.n_calls, ==, 1);
  g_assert_false (weft_reactor_is_running (f->reactor));

  conformance_probe_remove (&probe);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

static void
test_stop_finishes_the_iteration (ConformanceFixture *f)
{
  StopState state = { f };
  ConformanceCounter second = { 0 };
  ConformanceCounter soon = { 0 };

  /* Both timers are overdue in the first iteration; the stop in the first
   * does not skip the second, nor the soon call of the same iteration. */
  weft_reactor_call_later (f->reactor, 1000, stop_and_record_cb, &state, NULL);
  weft_reactor_call_later (f->reactor, 1000, conformance_counter_cb, &second, NULL);
  weft_reactor_call_soon (f->reactor, conformance_counter_cb, &soon, NULL);
  g_usleep (5 * 1000);
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (state.ran, ==, 1);
  g_assert_cmpuint (second.ran, ==, 1);
  g_assert_cmpuint (soon.ran, ==, 1);
}

static void
queue_then_stop_cb (gpointer user_data)
{
  StopState *state = user_data;
  WeftReactor *reactor = state->f->reactor;

  state->ran++;
  /* Both belong to the next iteration, which this run never reaches. */
  weft_reactor_call_soon (reactor, conformance_counter_cb, &state->soon, conformance_counter_notify);
  weft_reactor_call_later (reactor, 0, conformance_counter_cb, &state->later, conformance_counter_notify);
  weft_reactor_stop (reactor);
}

static void
test_stop_keeps_pending_calls (ConformanceFixture *f)
{
  StopState state = { f };

  weft_reactor_call_soon (f->reactor, queue_then_stop_cb, &state, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (state.ran, ==, 1);
  g_assert_cmpuint (state.soon.ran, ==, 0);
  g_assert_cmpuint (state.later.ran, ==, 0);
  g_assert_cmpuint (state.soon.notified, ==, 0);

  weft_reactor_call_later (f->reactor, 20 * 1000, conformance_stop_cb, f->reactor, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (state.soon.ran, ==, 1);
  g_assert_cmpuint (state.later.ran, ==, 1);
  g_assert_cmpuint (state.soon.notified, ==, 1);
  g_assert_cmpuint (state.later.notified, ==, 1);
}

typedef struct {
  ConformanceFixture *f;
  gint64 delay_us;
  gboolean wakeup_only; /* weft_reactor_wakeup() instead of a call */
  guint ran;
  GThread *ran_on;
} ThreadPoke;

static void
record_thread_cb (gpointer user_data)
{
  ThreadPoke *poke = user_data;

  poke->ran++;
  poke->ran_on = g_thread_self ();
  weft_reactor_stop (poke->f->reactor);
}

static gpointer
poke_thread (gpointer user_data)
{
  ThreadPoke *poke = user_data;

  g_usleep (poke->delay_us);
  if (poke->wakeup_only)
    weft_reactor_wakeup (poke->f->reactor);
  else
    weft_reactor_call_from_thread (poke->f->reactor, record_thread_cb, poke, NULL);
  return NULL;
}

static void
test_stop_from_thread (ConformanceFixture *f)
{
  ThreadPoke poke = { f, 20 * 1000 };
  ConformanceCounter timer = { 0 };
  WeftDelayedCall *far;
  GThread *thread;

  far = weft_reactor_call_later (f->reactor, 10 * WEFT_USEC_PER_SEC, conformance_counter_cb, &timer,
                                 conformance_counter_notify);
  thread = g_thread_new ("poke", poke_thread, &poke);
  weft_reactor_run (f->reactor);
  g_thread_join (thread);

  g_assert_cmpuint (poke.ran, ==, 1);
  g_assert_true (poke.ran_on == f->reactor_thread);
  g_assert_true (weft_delayed_call_cancel (far));
  g_assert_cmpuint (timer.ran, ==, 0);
  g_assert_cmpuint (timer.notified, ==, 1);
}

/* Threads ------------------------------------------------------------- */

#define N_THREADS 8
#define CALLS_PER_THREAD 10000

typedef struct {
  ConformanceFixture *f;
  guint next_seq[N_THREADS];
  guint delivered;
  gint notified; /* atomic: counted wherever the notify runs */
} ThreadCalls;

typedef struct {
  ThreadCalls *calls;
  guint thread;
  guint seq;
} ThreadCall;

typedef struct {
  ThreadCalls *calls;
  guint thread;
} Sender;

static void
thread_call_cb (gpointer user_data)
{
  ThreadCall *call = user_data;
  ThreadCalls *calls = call->calls;

  if (G_UNLIKELY (g_thread_self () != calls->f->reactor_thread))
    g_error ("a thread call ran outside the reactor thread");
  if (G_UNLIKELY (call->seq != calls->next_seq[call->thread]))
    g_error ("thread %u: call %u ran when %u was due", call->thread, call->seq, calls->next_seq[call->thread]);
  calls->next_seq[call->thread]++;
  if (++calls->delivered == N_THREADS * CALLS_PER_THREAD)
    weft_reactor_stop (calls->f->reactor);
}

static void
thread_call_free (gpointer user_data)
{
  ThreadCall *call = user_data;

  g_atomic_int_inc (&call->calls->notified);
  g_free (call);
}

static gpointer
sender_thread (gpointer user_data)
{
  Sender *sender = user_data;

  for (guint seq = 0; seq < CALLS_PER_THREAD; seq++)
    {
      ThreadCall *call = g_new (ThreadCall, 1);

      call->calls = sender->calls;
      call->thread = sender->thread;
      call->seq = seq;
      weft_reactor_call_from_thread (sender->calls->f->reactor, thread_call_cb, call, thread_call_free);
    }
  return NULL;
}

static void
test_threads_many_calls (ConformanceFixture *f)
{
  ThreadCalls calls = { f };
  Sender senders[N_THREADS];
  GThread *threads[N_THREADS];

  for (guint i = 0; i < N_THREADS; i++)
    {
      senders[i].calls = &calls;
      senders[i].thread = i;
      threads[i] = g_thread_new ("sender", sender_thread, &senders[i]);
    }
  weft_reactor_run (f->reactor);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (calls.delivered, ==, N_THREADS * CALLS_PER_THREAD);
  for (guint i = 0; i < N_THREADS; i++)
    g_assert_cmpuint (calls.next_seq[i], ==, CALLS_PER_THREAD);
  g_assert_cmpint (g_atomic_int_get (&calls.notified), ==, N_THREADS * CALLS_PER_THREAD);

  /* Exactly once: nothing more arrives. */
  conformance_iterate_nonblocking (f, 3);
  g_assert_cmpuint (calls.delivered, ==, N_THREADS * CALLS_PER_THREAD);
}

static void
test_threads_call_wakes_blocked_run (ConformanceFixture *f)
{
  ThreadPoke poke = { f, 50 * 1000 };
  gint64 start = g_get_monotonic_time ();
  GThread *thread;

  /* No timers, no watches: only the thread call ends the wait. */
  thread = g_thread_new ("poke", poke_thread, &poke);
  weft_reactor_run (f->reactor);
  g_thread_join (thread);

  g_assert_cmpuint (poke.ran, ==, 1);
  g_assert_true (poke.ran_on == f->reactor_thread);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * WEFT_USEC_PER_SEC);
}

static void
test_threads_wakeup_ends_blocking_iteration (ConformanceFixture *f)
{
  ThreadPoke poke = { f, 50 * 1000, TRUE };
  guint64 wakeups;
  GThread *thread;

  /* While the iteration waits. */
  wakeups = weft_reactor_get_wakeup_count (f->reactor);
  thread = g_thread_new ("poke", poke_thread, &poke);
  weft_reactor_iterate (f->reactor, TRUE);
  g_thread_join (thread);
  g_assert_cmpuint (weft_reactor_get_wakeup_count (f->reactor), >, wakeups);

  /* And before it starts waiting: the wake-up is not lost. */
  poke.delay_us = 0;
  g_thread_join (g_thread_new ("poke", poke_thread, &poke));
  weft_reactor_iterate (f->reactor, TRUE);
}

static void
call_from_own_thread_cb (gpointer user_data)
{
  ThreadPoke *poke = user_data;

  weft_reactor_call_from_thread (poke->f->reactor, record_thread_cb, poke, NULL);
}

static void
test_threads_call_from_reactor_thread (ConformanceFixture *f)
{
  ThreadPoke poke = { f };

  weft_reactor_call_later (f->reactor, 1000, call_from_own_thread_cb, &poke, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (poke.ran, ==, 1);
  g_assert_true (poke.ran_on == f->reactor_thread);
}

/* Idle ---------------------------------------------------------------- */

typedef struct {
  ConformanceFixture *f;
  guint64 at_start;
  guint64 at_timer;
  gint64 timer_scheduled_at;
  gint64 timer_fired_at;
} IdleWakeups;

static void
record_start_wakeups_cb (gpointer user_data)
{
  IdleWakeups *idle = user_data;

  idle->at_start = weft_reactor_get_wakeup_count (idle->f->reactor);
}

static void
record_timer_wakeups_cb (gpointer user_data)
{
  IdleWakeups *idle = user_data;

  idle->at_timer = weft_reactor_get_wakeup_count (idle->f->reactor);
  idle->timer_fired_at = g_get_monotonic_time ();
  weft_reactor_stop (idle->f->reactor);
}

/* One second of nothing, then a timer: exactly one wake-up, the timer's. */
static void
check_zero_idle_wakeups (ConformanceFixture *f)
{
  IdleWakeups idle = { f };

  weft_reactor_call_soon (f->reactor, record_start_wakeups_cb, &idle, NULL);
  idle.timer_scheduled_at = g_get_monotonic_time ();
  weft_reactor_call_later (f->reactor, WEFT_USEC_PER_SEC, record_timer_wakeups_cb, &idle, NULL);
  weft_reactor_run (f->reactor);

  g_test_message ("wake-ups: %" G_GUINT64_FORMAT " at start, %" G_GUINT64_FORMAT " at the timer", idle.at_start,
                  idle.at_timer);
  g_assert_cmpint (idle.timer_fired_at - idle.timer_scheduled_at, >=, WEFT_USEC_PER_SEC);
  g_assert_cmpuint (idle.at_timer - idle.at_start, ==, 1);
}

static void
test_idle_zero_wakeups (ConformanceFixture *f)
{
  check_zero_idle_wakeups (f);
}

static void
test_idle_zero_wakeups_with_watch (ConformanceFixture *f)
{
  ConformanceProbe probe = { 0 };
  int fds[2];

  conformance_pipe (fds);
  conformance_probe_add (&probe, f, fds[0], WEFT_IO_READ);
  check_zero_idle_wakeups (f);
  g_assert_cmpuint (probe.n_calls, ==, 0);

  conformance_probe_remove (&probe);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

static gboolean
glib_fd_never_cb (int fd, GIOCondition condition, gpointer user_data)
{
  g_error ("an idle GLib fd became ready");
  return G_SOURCE_REMOVE;
}

/* GLib sources with fds that never become ready (so that the epoll backend
 * waits on GLib's fds beside its set): still no wake-up but the timer's. */
static void
test_idle_zero_wakeups_with_glib_fds (ConformanceFixture *f)
{
  int fds[4][2];
  guint ids[4];

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      conformance_pipe (fds[i]);
      ids[i] = g_unix_fd_add (fds[i][0], G_IO_IN, glib_fd_never_cb, NULL);
    }
  check_zero_idle_wakeups (f);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      g_source_remove (ids[i]);
      conformance_close (&fds[i][0]);
      conformance_close (&fds[i][1]);
    }
}

static gboolean
never_cb (gpointer user_data)
{
  g_error ("a 60 s GLib timeout fired during a 1 s test");
  return G_SOURCE_REMOVE;
}

static void
test_idle_zero_wakeups_with_glib_timeout (ConformanceFixture *f)
{
  GSource *source = g_timeout_source_new (60 * 1000);

  /* A far GLib timeout in the hosted context adds no wake-ups either. */
  g_source_set_callback (source, never_cb, NULL, NULL);
  g_source_attach (source, f->context);
  check_zero_idle_wakeups (f);
  g_source_destroy (source);
  g_source_unref (source);
}

/* Lifecycle ----------------------------------------------------------- */

static void
test_lifecycle_properties (ConformanceFixture *f)
{
  const char *const *backends = weft_reactor_list_backends ();
  const char *description = NULL;
  g_autofree char *why_not = NULL;

  g_assert_cmpstr (weft_reactor_get_backend_name (f->reactor), ==, f->backend);
  g_assert_true (weft_reactor_get_context (f->reactor) == f->context);
  g_assert_cmpint (weft_reactor_get_flags (f->reactor), ==, WEFT_REACTOR_FLAGS_NONE);
  g_assert_false (weft_reactor_is_running (f->reactor));
  g_assert_true (g_strv_contains (backends, f->backend));
  g_assert_true (weft_reactor_backend_is_available (f->backend, &description, &why_not));
  g_assert_nonnull (description);
  g_assert_cmpstr (description, !=, "");
  g_assert_cmpuint (weft_reactor_get_n_timers (f->reactor), ==, 0);
  g_assert_cmpuint (weft_reactor_get_n_watches (f->reactor), ==, 0);
}

static void
test_lifecycle_default_context (ConformanceFixture *f)
{
  g_assert_true (weft_reactor_get_context (f->reactor) == g_main_context_default ());
}

static gpointer
queue_counter_call (gpointer user_data)
{
  ConformanceFixture *f = ((gpointer *) user_data)[0];
  ConformanceCounter *counter = ((gpointer *) user_data)[1];

  weft_reactor_call_from_thread (f->reactor, conformance_counter_cb, counter, conformance_counter_notify);
  return NULL;
}

static void
test_lifecycle_finalize_with_pending_work (ConformanceFixture *f)
{
  ConformanceCounter later = { 0 }, soon = { 0 }, thread = { 0 };
  ConformanceProbe probe = { 0 };
  gpointer thread_data[2] = { f, &thread };
  int fds[2];

  /* Dropping the reactor drops what it held: every notify runs once, no
   * callback runs, and the watched fd stays open. */
  weft_reactor_call_later (f->reactor, 10 * WEFT_USEC_PER_SEC, conformance_counter_cb, &later,
                           conformance_counter_notify);
  weft_reactor_call_soon (f->reactor, conformance_counter_cb, &soon, conformance_counter_notify);
  g_thread_join (g_thread_new ("queue", queue_counter_call, thread_data));
  conformance_pipe (fds);
  conformance_write_byte (fds[1]);
  conformance_probe_add (&probe, f, fds[0], WEFT_IO_READ);

  conformance_finalize_reactor (f);

  g_assert_cmpuint (later.ran, ==, 0);
  g_assert_cmpuint (later.notified, ==, 1);
  g_assert_cmpuint (soon.ran, ==, 0);
  g_assert_cmpuint (soon.notified, ==, 1);
  g_assert_cmpuint (thread.ran, ==, 0);
  g_assert_cmpuint (thread.notified, ==, 1);
  g_assert_cmpuint (probe.n_calls, ==, 0);
  g_assert_cmpuint (probe.n_notified, ==, 1);
  g_assert_cmpint (fcntl (fds[0], F_GETFD), !=, -1);

  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

const ConformanceCase conformance_loop_cases[] = {
  { "iteration/order", test_iteration_order },
  { "iteration/soon-from-timer-runs-same-iteration", test_iteration_soon_from_timer_runs_same_iteration },
  { "iteration/nonblocking-when-idle", test_iteration_nonblocking_when_idle },
  { "stop/from-timer", test_stop_from_timer },
  { "stop/from-watch", test_stop_from_watch },
  { "stop/from-thread", test_stop_from_thread },
  { "stop/finishes-the-iteration", test_stop_finishes_the_iteration },
  { "stop/keeps-pending-calls", test_stop_keeps_pending_calls },
  { "threads/many-calls", test_threads_many_calls },
  { "threads/call-wakes-blocked-run", test_threads_call_wakes_blocked_run },
  { "threads/wakeup-ends-blocking-iteration", test_threads_wakeup_ends_blocking_iteration },
  { "threads/call-from-reactor-thread", test_threads_call_from_reactor_thread },
  { "idle/zero-wakeups", test_idle_zero_wakeups },
  { "idle/zero-wakeups-with-watch", test_idle_zero_wakeups_with_watch },
  { "idle/zero-wakeups-with-glib-timeout", test_idle_zero_wakeups_with_glib_timeout },
  { "idle/zero-wakeups-with-glib-fds", test_idle_zero_wakeups_with_glib_fds, CONFORMANCE_DEFAULT_CONTEXT },
  { "lifecycle/properties", test_lifecycle_properties },
  { "lifecycle/default-context", test_lifecycle_default_context, CONFORMANCE_DEFAULT_CONTEXT },
  { "lifecycle/finalize-with-pending-work", test_lifecycle_finalize_with_pending_work },
  { NULL },
};
