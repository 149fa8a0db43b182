/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* TLS handshake time limits, on the test clock: a peer that never finishes
 * its handshake is cut off; a finished handshake leaves no timer behind. */

#include "config.h"

#include <string.h>

#include "weft-testing.h"
#include "tls-test-certs.h"

static TlsTestCerts *certs;

#define TEST_TYPE_PEER (test_peer_get_type ())
G_DECLARE_FINAL_TYPE (TestPeer, test_peer, TEST, PEER, WeftProtocol)

struct _TestPeer {
  WeftProtocol parent_instance;
  guint n_lost;
  GError *reason;
};

G_DEFINE_FINAL_TYPE (TestPeer, test_peer, WEFT_TYPE_PROTOCOL)

static void
test_peer_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  TestPeer *self = TEST_PEER (protocol);

  self->n_lost++;
  g_clear_error (&self->reason);
  self->reason = g_error_copy (reason);
  WEFT_PROTOCOL_CLASS (test_peer_parent_class)->connection_lost (protocol, reason);
}

static void
test_peer_finalize (GObject *object)
{
  g_clear_error (&TEST_PEER (object)->reason);
  G_OBJECT_CLASS (test_peer_parent_class)->finalize (object);
}

static void
test_peer_class_init (TestPeerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_peer_finalize;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = test_peer_connection_lost;
}

static void
test_peer_init (TestPeer *self)
{
}

static WeftTlsOptions *
server_options (WeftReactor *clock)
{
  g_autoptr (GError) error = NULL;
  WeftTlsOptions *options = weft_tls_options_new_server ();

  g_assert_true (weft_tls_options_set_certificate_files (options, certs->server_cert, certs->leaf_key, &error));
  g_assert_no_error (error);
  weft_tls_options_set_reactor (options, clock);
  return options;
}

static void
test_default (void)
{
  g_autoptr (WeftTlsOptions) client = weft_tls_options_new_client ("localhost");
  g_autoptr (WeftTlsOptions) server = weft_tls_options_new_server ();

  g_assert_cmpint (weft_tls_options_get_handshake_timeout (client), ==, 30 * G_USEC_PER_SEC);
  g_assert_cmpint (weft_tls_options_get_handshake_timeout (server), ==, WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT);
  weft_tls_options_set_handshake_timeout (server, 0);
  g_assert_cmpint (weft_tls_options_get_handshake_timeout (server), ==, 0);
}

/* A client that connects and sends nothing: the server aborts once the
 * limit has passed, and its protocol learns why. */
static void
check_silent_client (gint64 timeout_us, const guint8 *partial, gsize partial_len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) clock = weft_test_clock_new ();
  g_autoptr (WeftTlsOptions) options = server_options (clock);
  g_autoptr (TestPeer) peer = g_object_new (TEST_TYPE_PEER, NULL);
  g_autoptr (WeftTlsTransport) tls = NULL;
  g_autoptr (WeftStringTransport) lower = weft_string_transport_new ();

  weft_tls_options_set_handshake_timeout (options, timeout_us);
  tls = weft_tls_transport_new (WEFT_PROTOCOL (peer), options, &error);
  g_assert_no_error (error);
  weft_string_transport_connect (lower, WEFT_PROTOCOL (tls));
  if (partial_len > 0)
    weft_string_transport_receive (lower, partial, partial_len);
  g_assert_cmpuint (weft_reactor_get_n_timers (clock), ==, 1);

  weft_test_clock_advance (clock, timeout_us - 1);
  g_assert_false (weft_string_transport_is_aborted (lower));
  weft_test_clock_advance (clock, 1);
  g_assert_true (weft_string_transport_is_aborted (lower));
  g_assert_cmpuint (weft_reactor_get_n_timers (clock), ==, 0);

  weft_string_transport_connection_lost (lower, NULL);
  g_assert_cmpuint (peer->n_lost, ==, 1);
  g_assert_error (peer->reason, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpstr (peer->reason->message, ==, "The TLS handshake did not finish within 1.5 s.");
}

static void
test_silent_client (void)
{
  check_silent_client (1500 * 1000, NULL, 0);
}

/* Half a ClientHello, then nothing. */
static void
test_stalled_client (void)
{
  static const guint8 hello_start[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 };

  check_silent_client (1500 * 1000, hello_start, sizeof hello_start);
}

/* Without a limit, nothing is scheduled; a finished handshake cancels the
 * limit's timer. */
static void
test_no_limit_and_finished (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) clock = weft_test_clock_new ();
  g_autoptr (WeftTlsOptions) options = server_options (clock);
  g_autoptr (WeftTlsOptions) client_options = weft_tls_options_new_client ("localhost");
  g_autoptr (TestPeer) server_peer = g_object_new (TEST_TYPE_PEER, NULL);
  g_autoptr (TestPeer) client_peer = g_object_new (TEST_TYPE_PEER, NULL);
  g_autoptr (TestPeer) second_peer = g_object_new (TEST_TYPE_PEER, NULL);
  g_autoptr (WeftTlsTransport) server = NULL;
  g_autoptr (WeftTlsTransport) client = NULL;
  g_autoptr (WeftStringTransport) lower = weft_string_transport_new ();
  g_autoptr (WeftLoopback) loopback = NULL;

  weft_tls_options_set_handshake_timeout (options, 0);
  server = weft_tls_transport_new (WEFT_PROTOCOL (server_peer), options, &error);
  g_assert_no_error (error);
  weft_string_transport_connect (lower, WEFT_PROTOCOL (server));
  g_assert_cmpuint (weft_reactor_get_n_timers (clock), ==, 0);
  weft_string_transport_connection_lost (lower, NULL);
  g_clear_object (&server);

  weft_tls_options_set_handshake_timeout (options, 5 * G_USEC_PER_SEC);
  g_assert_true (weft_tls_options_add_ca_file (client_options, certs->ca_cert, &error));
  server = weft_tls_transport_new (WEFT_PROTOCOL (second_peer), options, &error);
  client = weft_tls_transport_new (WEFT_PROTOCOL (client_peer), client_options, &error);
  g_assert_no_error (error);
  loopback = weft_loopback_connect (WEFT_PROTOCOL (client), WEFT_PROTOCOL (server));
  weft_loopback_pump (loopback);
  g_assert_true (weft_tls_transport_is_handshake_done (server));
  g_assert_cmpuint (weft_reactor_get_n_timers (clock), ==, 0);
  weft_test_clock_advance (clock, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (second_peer->n_lost, ==, 0);
  weft_transport_lose_connection (WEFT_TRANSPORT (client));
  weft_loopback_pump (loopback);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  certs = tls_test_certs_new ();

  g_test_add_func ("/tls/handshake-timeout/default", test_default);
  g_test_add_func ("/tls/handshake-timeout/silent-client", test_silent_client);
  g_test_add_func ("/tls/handshake-timeout/stalled-client", test_stalled_client);
  g_test_add_func ("/tls/handshake-timeout/no-limit-and-finished", test_no_limit_and_finished);

  ret = g_test_run ();
  tls_test_certs_free (certs);
  return ret;
}
