/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* WeftIdleTimeout on the test clock and a string transport. */

#include <weft/weft-testing.h>

static void
test_idle_aborts (void)
{
  g_autoptr (WeftReactor) clock = weft_test_clock_new ();
  g_autoptr (WeftProtocol) protocol = g_object_new (WEFT_TYPE_PROTOCOL, NULL);
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autoptr (WeftIdleTimeout) idle = NULL;
  const GError *reason;

  weft_string_transport_connect (transport, protocol);
  idle = weft_idle_timeout_new (clock, protocol, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (weft_idle_timeout_get_timeout (idle), ==, 10 * G_USEC_PER_SEC);
  weft_test_clock_advance (clock, 10 * G_USEC_PER_SEC - 1);
  g_assert_false (weft_string_transport_is_aborted (transport));
  weft_test_clock_advance (clock, 1);
  g_assert_true (weft_string_transport_is_aborted (transport));
  reason = weft_string_transport_get_close_reason (transport);
  g_assert_error ((GError *) reason, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpstr (reason->message, ==, "The connection was idle for 10 s.");
  g_assert_cmpuint (weft_reactor_get_n_timers (clock), ==, 0);
  weft_string_transport_connection_lost (transport, NULL);
}

/* Activity moves the deadline: no abort while the peer keeps talking. */
static void
test_reset (void)
{
  g_autoptr (WeftReactor) clock = weft_test_clock_new ();
  g_autoptr (WeftProtocol) protocol = g_object_new (WEFT_TYPE_PROTOCOL, NULL);
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autoptr (WeftIdleTimeout) idle = NULL;

  weft_string_transport_connect (transport, protocol);
  idle = weft_idle_timeout_new (clock, protocol, 10 * G_USEC_PER_SEC);
  for (guint i = 0; i < 5; i++)
    {
      weft_test_clock_advance (clock, 6 * G_USEC_PER_SEC);
      weft_idle_timeout_reset (idle);
    }
  g_assert_false (weft_string_transport_is_aborted (transport));
  g_assert_cmpuint (weft_reactor_get_n_timers (clock), ==, 1);
  weft_test_clock_advance (clock, 10 * G_USEC_PER_SEC - 1);
  g_assert_false (weft_string_transport_is_aborted (transport));
  weft_test_clock_advance (clock, 1);
  g_assert_true (weft_string_transport_is_aborted (transport));
  weft_string_transport_connection_lost (transport, NULL);
}

/* Cancelled, turned off, or with the protocol gone: no timer, no abort. */
static void
test_cancel_and_off (void)
{
  g_autoptr (WeftReactor) clock = weft_test_clock_new ();
  g_autoptr (WeftProtocol) protocol = g_object_new (WEFT_TYPE_PROTOCOL, NULL);
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autoptr (WeftIdleTimeout) idle = NULL;
  g_autoptr (WeftIdleTimeout) off = NULL;

  weft_string_transport_connect (transport, protocol);
  idle = weft_idle_timeout_new (clock, protocol, G_USEC_PER_SEC);
  weft_idle_timeout_cancel (idle);
  off = weft_idle_timeout_new (clock, protocol, 0);
  g_assert_cmpuint (weft_reactor_get_n_timers (clock), ==, 0);
  weft_test_clock_advance (clock, 100 * G_USEC_PER_SEC);
  g_assert_false (weft_string_transport_is_aborted (transport));

  weft_idle_timeout_set_timeout (off, G_USEC_PER_SEC);
  g_assert_cmpuint (weft_reactor_get_n_timers (clock), ==, 1);
  g_clear_object (&off);
  g_assert_cmpuint (weft_reactor_get_n_timers (clock), ==, 0);
  weft_string_transport_connection_lost (transport, NULL);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/idle-timeout/aborts", test_idle_aborts);
  g_test_add_func ("/idle-timeout/reset", test_reset);
  g_test_add_func ("/idle-timeout/cancel-and-off", test_cancel_and_off);
  return g_test_run ();
}
