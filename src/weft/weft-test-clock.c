/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Twisted's task.Clock for Weft: a reactor whose time moves only when a
 * test says so, and a janitor that fails a test leaving work behind. */

#include "config.h"

#include "weft-deferred.h"
#include "weft-reactor-private.h"
#include "weft-test-clock.h"

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

  reactor =
      weft_reactor_new_for_context ("poll", WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING | WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS,
                                    context, &error);
  g_assert_no_error (error);
  weft_reactor_use_fake_clock (reactor, 0);
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

  weft_reactor_advance_fake_clock (clock, delta_us);
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
