/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Twisted's task.Clock for Weft: a reactor whose time moves only when a
 * test says so, and a janitor that fails a test leaving work behind. */

#include "config.h"

#include "weft-backend-private.h"
#include "weft-deferred.h"
#include "weft-reactor-private.h"
#include "weft-test-clock.h"

/* The test kit's time source: the clock's own "now", moved by
 * weft_test_clock_advance(). */
typedef struct {
  gint64 now;
} TestTime;

static G_DEFINE_QUARK (weft-test-clock-time, test_time)

                           static gint64 test_time_read (gpointer data)
{
  return ((TestTime *) data)->now;
}

/**
 * weft_test_clock_new:
 *
 * A reactor for tests whose clock starts at 0 and moves only with
 * weft_test_clock_advance(). It has the whole timer API (call_later,
 * call_soon, delayed calls, weft_reactor_get_time()), so protocol code that
 * takes a #WeftReactor is tested without real time. It does not host GLib
 * and installs no signal handlers; do not run it with weft_reactor_run().
 *
 * Returns: (transfer full): a new test clock reactor
 */
WeftReactor *
weft_test_clock_new (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainContext) context = g_main_context_new ();
  WeftReactor *reactor;
  TestTime *now;

  reactor =
      weft_reactor_new_for_context ("poll", WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING | WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS,
                                    context, &error);
  g_assert_no_error (error);

  now = g_new0 (TestTime, 1);
  /* The reactor frees the source; the qdata only finds it again. */
  g_object_set_qdata (G_OBJECT (reactor), test_time_quark (), now);
  weft_reactor_set_time_source (reactor, test_time_read, now, g_free);
  return reactor;
}

/**
 * weft_test_clock_advance:
 * @clock: a reactor from weft_test_clock_new()
 * @delta_us: microseconds to move the clock forward
 *
 * Moves the clock forward and runs, once, the timers that became due and
 * the soon calls that were queued (one reactor iteration, without I/O).
 */
void
weft_test_clock_advance (WeftReactor *clock, gint64 delta_us)
{
  g_return_if_fail (WEFT_IS_REACTOR (clock));
  g_return_if_fail (delta_us >= 0);

  TestTime *now = g_object_get_qdata (G_OBJECT (clock), test_time_quark ());

  g_return_if_fail (now != NULL);

  now->now += delta_us;
  weft_reactor_dispatch (clock, G_MAXUINT);
}

/**
 * weft_test_clock_pump:
 * @clock: a reactor from weft_test_clock_new()
 * @deltas_us: (array length=n_deltas): steps, in microseconds
 * @n_deltas: how many steps
 *
 * Advances the clock by each step in turn, as Twisted's `Clock.pump`.
 */
void
weft_test_clock_pump (WeftReactor *clock, const gint64 *deltas_us, gsize n_deltas)
{
  for (gsize i = 0; i < n_deltas; i++)
    weft_test_clock_advance (clock, deltas_us[i]);
}

static guint janitor_unhandled_at_start;

/**
 * weft_test_janitor_begin:
 *
 * Starts a test's janitor: remembers how many deferred errors went
 * unhandled so far, so that weft_test_janitor_check() can tell new ones.
 */
void
weft_test_janitor_begin (void)
{
  janitor_unhandled_at_start = weft_deferred_get_unhandled_error_count ();
}

/**
 * weft_test_janitor_check:
 * @reactor: (nullable): the reactor the test used
 *
 * Fails the running test (g_test_fail_printf()) if @reactor still has
 * pending timers, soon calls or fd watches, or if a deferred error went
 * unhandled since weft_test_janitor_begin().
 *
 * Returns: %TRUE if everything was clean
 */
gboolean
weft_test_janitor_check (WeftReactor *reactor)
{
  guint unhandled = weft_deferred_get_unhandled_error_count () - janitor_unhandled_at_start;
  gboolean clean = TRUE;

  if (reactor != NULL && weft_reactor_get_n_timers (reactor) > 0)
    {
      g_test_fail_printf ("The test left %u pending timers or soon calls", weft_reactor_get_n_timers (reactor));
      clean = FALSE;
    }
  if (reactor != NULL && weft_reactor_get_n_watches (reactor) > 0)
    {
      g_test_fail_printf ("The test left %u fd watches", weft_reactor_get_n_watches (reactor));
      clean = FALSE;
    }
  if (unhandled > 0)
    {
      g_test_fail_printf ("%u deferred errors were never handled", unhandled);
      clean = FALSE;
    }
  return clean;
}
