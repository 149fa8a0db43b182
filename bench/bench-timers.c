/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Timers: N timers with random delays, a random half of them cancelled, the
 * rest fired by the event loop. The same delays and the same cancellations
 * (one seeded generator) for Weft, libevent and libuv. Time is the process's
 * CPU time, so waiting for the last deadline does not count; an operation is
 * one schedule, one cancel or one fire (2 N in all).
 *
 * One line per library on stdout: "timers/NAME ns_per_op=X ...". */

#include <weft/weft.h>

#ifdef HAVE_LIBEVENT
#include <event2/event.h>
#endif
#ifdef HAVE_LIBUV
#include <uv.h>
#endif

#include <stdlib.h>
#include <time.h>

typedef struct {
  guint n_timers;
  guint max_delay_ms;
  guint32 *delays_ms;
  gboolean *cancel;
  guint n_cancelled;
} Plan;

typedef struct {
  guint64 fired;
  guint64 expected;
  gpointer loop; /* the library's loop, to stop it */
} Progress;

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static Plan *
plan_new (guint n_timers, guint max_delay_ms, guint32 seed)
{
  Plan *plan = g_new0 (Plan, 1);
  GRand *rand = g_rand_new_with_seed (seed);

  plan->n_timers = n_timers;
  plan->max_delay_ms = max_delay_ms;
  plan->delays_ms = g_new (guint32, n_timers);
  plan->cancel = g_new (gboolean, n_timers);
  for (guint i = 0; i < n_timers; i++)
    {
      plan->delays_ms[i] = (guint32) g_rand_int_range (rand, 0, (gint32) max_delay_ms);
      plan->cancel[i] = g_rand_boolean (rand);
      plan->n_cancelled += plan->cancel[i];
    }
  g_rand_free (rand);
  return plan;
}

static void
plan_free (Plan *plan)
{
  g_free (plan->delays_ms);
  g_free (plan->cancel);
  g_free (plan);
}

static void
report (const char *name, const Plan *plan, guint64 fired, double seconds)
{
  guint64 ops = plan->n_timers + plan->n_cancelled + fired;

  if (fired != plan->n_timers - plan->n_cancelled)
    g_error ("%s: %" G_GUINT64_FORMAT " timers fired, expected %u", name, fired, plan->n_timers - plan->n_cancelled);
  g_print ("timers/%s ns_per_op=%.1f timers=%u cancelled=%u fired=%" G_GUINT64_FORMAT " cpu_seconds=%.3f\n", name,
           seconds * 1e9 / ops, plan->n_timers, plan->n_cancelled, fired, seconds);
}

static void
weft_fired (gpointer user_data)
{
  Progress *progress = user_data;

  if (++progress->fired == progress->expected)
    weft_reactor_stop (progress->loop);
}

static void
bench_weft (const Plan *plan)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor =
      weft_reactor_new ("epoll", WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING | WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS, &error);
  WeftDelayedCall **calls = g_new (WeftDelayedCall *, plan->n_timers);
  Progress progress = { 0, plan->n_timers - plan->n_cancelled, NULL };
  double start;

  if (reactor == NULL)
    g_error ("%s", error->message);
  progress.loop = reactor;
  start = cpu_seconds ();
  for (guint i = 0; i < plan->n_timers; i++)
    calls[i] = weft_reactor_call_later (reactor, plan->delays_ms[i] * (gint64) 1000, weft_fired, &progress, NULL);
  for (guint i = 0; i < plan->n_timers; i++)
    if (plan->cancel[i])
      weft_delayed_call_cancel (calls[i]);
  if (progress.expected > 0)
    weft_reactor_run (reactor);
  report ("weft", plan, progress.fired, cpu_seconds () - start);
  g_free (calls);
}

#ifdef HAVE_LIBEVENT
/* The callback's argument is the event itself (event_self_cbarg()). */
static guint64 libevent_n_fired;

static void
libevent_fired (evutil_socket_t fd, short events, void *user_data)
{
  libevent_n_fired++;
  event_free (user_data);
}

static void
bench_libevent (const Plan *plan)
{
  struct event_base *base = event_base_new ();
  struct event **events = g_new (struct event *, plan->n_timers);
  double start;

  libevent_n_fired = 0;
  start = cpu_seconds ();
  for (guint i = 0; i < plan->n_timers; i++)
    {
      struct timeval delay = { plan->delays_ms[i] / 1000, (plan->delays_ms[i] % 1000) * 1000 };

      events[i] = evtimer_new (base, libevent_fired, event_self_cbarg ());
      evtimer_add (events[i], &delay);
    }
  for (guint i = 0; i < plan->n_timers; i++)
    if (plan->cancel[i])
      event_free (events[i]);
  /* Returns when no event is left: every remaining timer has fired. */
  event_base_dispatch (base);
  report ("libevent", plan, libevent_n_fired, cpu_seconds () - start);
  event_base_free (base);
  g_free (events);
}
#endif

#ifdef HAVE_LIBUV
static void
libuv_free (uv_handle_t *handle)
{
  g_free (handle);
}

static void
libuv_fired (uv_timer_t *timer)
{
  Progress *progress = timer->loop->data;

  progress->fired++;
  uv_close ((uv_handle_t *) timer, libuv_free);
}

static void
bench_libuv (const Plan *plan)
{
  uv_loop_t loop;
  uv_timer_t **timers = g_new (uv_timer_t *, plan->n_timers);
  Progress progress = { 0, plan->n_timers - plan->n_cancelled, NULL };
  double start;

  uv_loop_init (&loop);
  loop.data = &progress;
  start = cpu_seconds ();
  for (guint i = 0; i < plan->n_timers; i++)
    {
      timers[i] = g_new (uv_timer_t, 1);
      uv_timer_init (&loop, timers[i]);
      uv_timer_start (timers[i], libuv_fired, plan->delays_ms[i], 0);
    }
  for (guint i = 0; i < plan->n_timers; i++)
    if (plan->cancel[i])
      uv_close ((uv_handle_t *) timers[i], libuv_free);
  uv_run (&loop, UV_RUN_DEFAULT);
  report ("libuv", plan, progress.fired, cpu_seconds () - start);
  uv_loop_close (&loop);
  g_free (timers);
}
#endif

int
main (int argc, char **argv)
{
  gboolean smoke = FALSE;
  int n_timers = 1000000, max_delay_ms = 250;
  g_autofree char *only = NULL;
  GOptionEntry entries[] = {
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &smoke, "A few thousand timers (a check that it works)", NULL },
    { "timers", 0, 0, G_OPTION_ARG_INT, &n_timers, "How many timers (default 1000000)", "N" },
    { "max-delay-ms", 0, 0, G_OPTION_ARG_INT, &max_delay_ms, "Delays are random in [0, MS) (default 250)", "MS" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Run one library: weft, libevent or libuv", "NAME" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- timer benchmark: Weft, libevent, libuv");
  g_autoptr (GError) error = NULL;
  Plan *plan;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_timers <= 0 || max_delay_ms <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "bad arguments");
      return 2;
    }
  if (smoke)
    {
      n_timers = 5000;
      max_delay_ms = 20;
    }

  plan = plan_new ((guint) n_timers, (guint) max_delay_ms, 20261123);
  if (only == NULL || g_str_equal (only, "weft"))
    bench_weft (plan);
#ifdef HAVE_LIBEVENT
  if (only == NULL || g_str_equal (only, "libevent"))
    bench_libevent (plan);
#endif
#ifdef HAVE_LIBUV
  if (only == NULL || g_str_equal (only, "libuv"))
    bench_libuv (plan);
#endif
  plan_free (plan);
  return EXIT_SUCCESS;
}
