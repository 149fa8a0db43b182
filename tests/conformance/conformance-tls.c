/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance-stream.h"

#include <string.h>

#include "../tls-test-certs.h"

/* TLS over real TCP connections, on every backend: the same layer the unit
 * tests drive through the in-memory loopback, now fed by the reactor. */

#define MEBIBYTE (1024 * 1024)

/* GnuTLS sets itself up on first use; do it before the fixture counts fds. */
static void
warm_up (void)
{
  tls_test_certs_free (tls_test_certs_new ());
}

static WeftTlsOptions *
server_options (TlsTestCerts *certs)
{
  g_autoptr (GError) error = NULL;
  WeftTlsOptions *options = weft_tls_options_new_server ();

  g_assert_true (weft_tls_options_set_certificate_files (options, certs->server_cert, certs->leaf_key, &error));
  g_assert_no_error (error);
  return options;
}

static WeftTlsOptions *
client_options (TlsTestCerts *certs)
{
  g_autoptr (GError) error = NULL;
  WeftTlsOptions *options = weft_tls_options_new_client ("127.0.0.1");

  g_assert_true (weft_tls_options_add_ca_file (options, certs->ca_cert, &error));
  g_assert_no_error (error);
  return options;
}

/* TLS factories around @server_factory and @client_factory with the test
 * certificates: the client trusts the authority of the server's. */
static void
tls_factories_new (TlsTestCerts *certs,
                   StreamFactory *server_factory,
                   StreamFactory *client_factory,
                   WeftTlsFactory **server_tls,
                   WeftTlsFactory **client_tls)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftTlsOptions) server_opts = server_options (certs);
  g_autoptr (WeftTlsOptions) client_opts = client_options (certs);

  *server_tls = weft_tls_factory_new (WEFT_FACTORY (server_factory), server_opts, &error);
  g_assert_no_error (error);
  *client_tls = weft_tls_factory_new (WEFT_FACTORY (client_factory), client_opts, &error);
  g_assert_no_error (error);
}

static WeftListeningPort *
listen_local (ConformanceFixture *f, WeftFactory *factory)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  WeftListeningPort *port = weft_reactor_listen_tcp (f->reactor, address, factory, 0, &error);

  g_assert_no_error (error);
  return port;
}

/* Connects through a TLS factory: the deferred gives the TLS layer, whose
 * wrapped protocol is the client factory's peer. */
static WeftTlsTransport *
connect_tls (ConformanceFixture *f, WeftListeningPort *port, WeftTlsFactory *factory, StreamConnectResult *result)
{
  g_autoptr (WeftDeferred) deferred =
      weft_reactor_connect_tcp (f->reactor, weft_listening_port_get_address (port), WEFT_CLIENT_FACTORY (factory),
                                10 * G_USEC_PER_SEC, NULL);
  WeftTlsTransport *tls;

  stream_capture_connect (deferred, result);
  stream_wait_connect_fired (f, result);
  g_assert_no_error (result->error);
  g_assert_true (WEFT_IS_TLS_TRANSPORT (result->protocol));
  tls = WEFT_TLS_TRANSPORT (result->protocol);
  g_assert_true (WEFT_IS_TCP_TRANSPORT (weft_tls_transport_get_lower_transport (tls)));
  return tls;
}

static gboolean
handshake_done (gpointer user_data)
{
  return weft_tls_transport_is_handshake_done (user_data);
}

/* tls/echo ---------------------------------------------------------------- */

static void
test_echo (ConformanceFixture *f)
{
  g_autoptr (TlsTestCerts) certs = tls_test_certs_new ();
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftTlsFactory) server_tls = NULL;
  g_autoptr (WeftTlsFactory) client_tls = NULL;
  g_autoptr (WeftListeningPort) port = NULL;
  StreamConnectResult result;
  WeftTlsTransport *tls;
  StreamPeer *client;

  tls_factories_new (certs, server_factory, client_factory, &server_tls, &client_tls);
  port = listen_local (f, WEFT_FACTORY (server_tls));
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (server_factory)), ==, 1);

  tls = connect_tls (f, port, client_tls, &result);
  g_assert_cmpuint (client_factory->n_started_connecting, ==, 1);
  client = stream_factory_get_peer (client_factory, 0);
  g_assert_true (weft_tls_transport_get_wrapped_protocol (tls) == WEFT_PROTOCOL (client));
  g_assert_true (weft_protocol_get_transport (WEFT_PROTOCOL (client)) == WEFT_TRANSPORT (tls));

  stream_iterate_until (f, handshake_done, tls);
  g_assert_cmpstr (weft_tls_transport_get_protocol_version (tls), ==, "TLS1.3");

  stream_echo_round_trip (f, client, server_factory);
  g_assert_cmpuint (client_factory->n_client_lost, ==, 1);
  g_assert_cmpuint (client_factory->n_failed, ==, 0);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (client_factory)), ==, 0);

  stream_connect_result_clear (&result);
  stream_stop_listening (f, port);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (server_factory)), ==, 0);
}

/* tls/large-transfer ------------------------------------------------------ */

#define LARGE_SIZE (2 * MEBIBYTE)

static void
large_client_setup (StreamPeer *peer, gpointer user_data)
{
  peer->send_on_made = stream_pattern_new (LARGE_SIZE, 11);
  peer->half_close_after_send = TRUE;
}

static void
test_large_transfer (ConformanceFixture *f)
{
  g_autoptr (TlsTestCerts) certs = tls_test_certs_new ();
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (large_client_setup, NULL);
  g_autoptr (WeftTlsFactory) server_tls = NULL;
  g_autoptr (WeftTlsFactory) client_tls = NULL;
  g_autoptr (WeftListeningPort) port = NULL;
  StreamConnectResult result;
  StreamPeer *client, *server;

  tls_factories_new (certs, server_factory, client_factory, &server_tls, &client_tls);
  port = listen_local (f, WEFT_FACTORY (server_tls));
  connect_tls (f, port, client_tls, &result);
  client = stream_factory_get_peer (client_factory, 0);

  /* Sent before the handshake, half-closed with a close notification,
   * echoed back byte for byte, then closed by the server. */
  stream_wait_lost (f, client);
  stream_wait_peers (f, server_factory, 1);
  server = stream_factory_get_peer (server_factory, 0);
  stream_wait_lost (f, server);
  stream_assert_pattern (server->received, LARGE_SIZE, 11);
  stream_assert_pattern (client->received, LARGE_SIZE, 11);
  g_assert_cmpuint (server->n_eof, ==, 1);
  g_assert_cmpuint (client->n_eof, ==, 1);
  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_error (server->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  /* The client was told to pause while the megabytes waited. */
  g_assert_cmpuint (client->n_pause, >=, 1);
  g_assert_cmpuint (client->n_resume, ==, client->n_pause);

  stream_connect_result_clear (&result);
  stream_stop_listening (f, port);
}

/* tls/bad-certificate ----------------------------------------------------- */

static void
test_bad_certificate (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TlsTestCerts) certs = tls_test_certs_new ();
  g_autoptr (WeftTlsOptions) server_opts = weft_tls_options_new_server ();
  g_autoptr (WeftTlsOptions) client_opts = client_options (certs);
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftTlsFactory) server_tls = NULL;
  g_autoptr (WeftTlsFactory) client_tls = NULL;
  g_autoptr (WeftListeningPort) port = NULL;
  StreamConnectResult result;
  StreamPeer *client, *server;

  g_assert_true (weft_tls_options_set_certificate_files (server_opts, certs->expired_cert, certs->leaf_key, &error));
  server_tls = weft_tls_factory_new (WEFT_FACTORY (server_factory), server_opts, &error);
  client_tls = weft_tls_factory_new (WEFT_FACTORY (client_factory), client_opts, &error);
  g_assert_no_error (error);
  port = listen_local (f, WEFT_FACTORY (server_tls));
  connect_tls (f, port, client_tls, &result);
  client = stream_factory_get_peer (client_factory, 0);
  weft_transport_write (weft_protocol_get_transport (WEFT_PROTOCOL (client)), "secret", 6);

  stream_wait_lost (f, client);
  stream_wait_peers (f, server_factory, 1);
  server = stream_factory_get_peer (server_factory, 0);
  stream_wait_lost (f, server);
  g_assert_error (client->reason, WEFT_TLS_ERROR, WEFT_TLS_ERROR_CERTIFICATE_EXPIRED);
  g_assert_nonnull (strstr (client->reason->message, "has expired"));
  g_assert_error (server->reason, WEFT_TLS_ERROR, WEFT_TLS_ERROR_PEER_ALERT);
  /* What the client wrote before the handshake never left it. */
  g_assert_cmpuint (server->received->len, ==, 0);
  g_assert_cmpuint (client_factory->n_client_lost, ==, 1);

  stream_connect_result_clear (&result);
  stream_stop_listening (f, port);
}

/* tls/starttls ------------------------------------------------------------- */

static void
test_starttls (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TlsTestCerts) certs = tls_test_certs_new ();
  g_autoptr (WeftTlsOptions) server_opts = server_options (certs);
  g_autoptr (WeftTlsOptions) client_opts = client_options (certs);
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = listen_local (f, WEFT_FACTORY (server_factory));
  g_autoptr (WeftDeferred) deferred = NULL;
  StreamConnectResult result;
  StreamPeer *client, *server;
  WeftTlsTransport *server_tls, *client_tls;

  deferred = weft_reactor_connect_tcp (f->reactor, weft_listening_port_get_address (port),
                                       WEFT_CLIENT_FACTORY (client_factory), 10 * G_USEC_PER_SEC, NULL);
  stream_capture_connect (deferred, &result);
  stream_wait_connected (f, &result);
  client = STREAM_PEER (result.protocol);

  /* In the clear first. */
  weft_transport_write (weft_protocol_get_transport (WEFT_PROTOCOL (client)), "plain\n", 6);
  stream_wait_received (f, client, 6);
  stream_wait_peers (f, server_factory, 1);
  server = stream_factory_get_peer (server_factory, 0);

  /* The server's layer goes in first, so that it is there for the hello. */
  server_tls = weft_tls_start (weft_protocol_get_transport (WEFT_PROTOCOL (server)), WEFT_PROTOCOL (server),
                               server_opts, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      g_autofree char *why = g_strdup (error->message);

      weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (client)));
      stream_wait_lost (f, client);
      stream_wait_lost (f, server);
      stream_connect_result_clear (&result);
      stream_stop_listening (f, port);
      g_test_skip (why);
      return;
    }
  g_assert_no_error (error);
  client_tls = weft_tls_start (weft_protocol_get_transport (WEFT_PROTOCOL (client)), WEFT_PROTOCOL (client),
                               client_opts, &error);
  g_assert_no_error (error);

  /* Held until the handshake, then encrypted; the same protocols echo. */
  weft_transport_write (weft_protocol_get_transport (WEFT_PROTOCOL (client)), "secret\n", 7);
  stream_wait_received (f, client, 13);
  g_assert_cmpmem (client->received->data, client->received->len, "plain\nsecret\n", 13);
  g_assert_true (weft_tls_transport_is_handshake_done (client_tls));
  g_assert_true (weft_tls_transport_is_handshake_done (server_tls));
  g_assert_true (weft_protocol_get_transport (WEFT_PROTOCOL (server)) == WEFT_TRANSPORT (server_tls));

  weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (client)));
  stream_wait_lost (f, client);
  stream_wait_lost (f, server);
  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_error (server->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (server->n_eof, ==, 1);

  stream_connect_result_clear (&result);
  stream_stop_listening (f, port);
}

const ConformanceCase conformance_tls_cases[] = {
  { "tls/echo", test_echo, 0, warm_up },
  { "tls/large-transfer", test_large_transfer, 0, warm_up },
  { "tls/bad-certificate", test_bad_certificate, 0, warm_up },
  { "tls/starttls", test_starttls, 0, warm_up },
  { NULL },
};
