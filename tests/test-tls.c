/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "weft-testing.h"
#include "tls-test-certs.h"

/* TLS over the in-memory loopback (and a string transport), with
 * certificates made at startup. Every case checks exact bytes and error
 * codes and messages. */

static TlsTestCerts *certs;

/* ------------------------------------------------------------------ */
/* A protocol that records what happens to it                          */

#define TEST_TYPE_PEER (test_peer_get_type ())
G_DECLARE_FINAL_TYPE (TestPeer, test_peer, TEST, PEER, WeftProtocol)

struct _TestPeer {
  WeftProtocol parent_instance;

  GByteArray *received;
  guint n_made, n_eof, n_lost, n_paused, n_resumed;
  GError *reason;

  /* Behaviour */
  char *greeting;         /* written by connection_made */
  gboolean close_on_made; /* ...which then closes */
  gboolean echo;          /* writes back what arrives */
  gboolean keep_open_on_eof;
  char *reply_on_eof;     /* with keep_open_on_eof: written, then closes */
  gsize pause_reading_at; /* pauses reading once this much has arrived */
  gboolean reading_paused;
};

G_DEFINE_FINAL_TYPE (TestPeer, test_peer, WEFT_TYPE_PROTOCOL)

static void
test_peer_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  TestPeer *self = TEST_PEER (protocol);

  self->n_made++;
  if (self->greeting != NULL)
    weft_transport_write (transport, self->greeting, strlen (self->greeting));
  if (self->close_on_made)
    weft_transport_lose_connection (transport);
}

static void
test_peer_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  TestPeer *self = TEST_PEER (protocol);
  WeftTransport *transport = weft_protocol_get_transport (protocol);

  g_assert_cmpuint (self->n_made, ==, 1);
  g_assert_cmpuint (self->n_lost, ==, 0);
  g_assert_false (self->reading_paused);
  g_byte_array_append (self->received, data, len);
  if (self->echo)
    weft_transport_write (transport, data, len);
  if (self->pause_reading_at > 0 && self->received->len >= self->pause_reading_at)
    {
      self->pause_reading_at = 0;
      self->reading_paused = TRUE;
      weft_transport_pause_reading (transport);
    }
}

static gboolean
test_peer_eof_received (WeftProtocol *protocol)
{
  TestPeer *self = TEST_PEER (protocol);

  self->n_eof++;
  if (self->keep_open_on_eof && self->reply_on_eof != NULL)
    {
      WeftTransport *transport = weft_protocol_get_transport (protocol);

      weft_transport_write (transport, self->reply_on_eof, strlen (self->reply_on_eof));
      weft_transport_lose_connection (transport);
    }
  return self->keep_open_on_eof;
}

static void
test_peer_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  TestPeer *self = TEST_PEER (protocol);

  g_assert_nonnull (reason);
  self->n_lost++;
  g_clear_error (&self->reason);
  self->reason = g_error_copy (reason);
}

static void
test_peer_pause_writing (WeftProtocol *protocol)
{
  TEST_PEER (protocol)->n_paused++;
}

static void
test_peer_resume_writing (WeftProtocol *protocol)
{
  TEST_PEER (protocol)->n_resumed++;
}

static void
test_peer_finalize (GObject *object)
{
  TestPeer *self = TEST_PEER (object);

  g_byte_array_unref (self->received);
  g_clear_error (&self->reason);
  g_free (self->greeting);
  g_free (self->reply_on_eof);

  G_OBJECT_CLASS (test_peer_parent_class)->finalize (object);
}

static void
test_peer_class_init (TestPeerClass *klass)
{
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_peer_finalize;
  protocol_class->connection_made = test_peer_connection_made;
  protocol_class->data_received = test_peer_data_received;
  protocol_class->eof_received = test_peer_eof_received;
  protocol_class->connection_lost = test_peer_connection_lost;
  protocol_class->pause_writing = test_peer_pause_writing;
  protocol_class->resume_writing = test_peer_resume_writing;
}

static void
test_peer_init (TestPeer *self)
{
  self->received = g_byte_array_new ();
}

static TestPeer *
test_peer_new (void)
{
  return g_object_new (TEST_TYPE_PEER, NULL);
}

static void
assert_received (TestPeer *peer, const char *expected)
{
  g_assert_cmpmem (peer->received->data, peer->received->len, expected, strlen (expected));
}

static void
resume_peer_reading (TestPeer *peer)
{
  peer->reading_paused = FALSE;
  weft_transport_resume_reading (weft_protocol_get_transport (WEFT_PROTOCOL (peer)));
}

/* ------------------------------------------------------------------ */
/* Options                                                              */

static WeftTlsOptions *
server_options_with (const char *certificate)
{
  g_autoptr (GError) error = NULL;
  WeftTlsOptions *options = weft_tls_options_new_server ();

  g_assert_true (weft_tls_options_set_certificate_files (options, certificate, certs->leaf_key, &error));
  g_assert_no_error (error);
  g_assert_true (weft_tls_options_add_ca_file (options, certs->ca_cert, &error));
  g_assert_no_error (error);
  return options;
}

static WeftTlsOptions *
server_options (void)
{
  return server_options_with (certs->server_cert);
}

static WeftTlsOptions *
client_options_for (const char *server_name)
{
  g_autoptr (GError) error = NULL;
  WeftTlsOptions *options = weft_tls_options_new_client (server_name);

  g_assert_true (weft_tls_options_add_ca_file (options, certs->ca_cert, &error));
  g_assert_no_error (error);
  g_assert_false (weft_tls_options_get_use_system_trust (options));
  return options;
}

static WeftTlsOptions *
client_options (void)
{
  return client_options_for ("localhost");
}

/* ------------------------------------------------------------------ */
/* Two TLS peers over the loopback                                      */

typedef struct {
  TestPeer *client;
  TestPeer *server;
  WeftTlsTransport *client_tls;
  WeftTlsTransport *server_tls;
  WeftLoopback *loopback;
} Pair;

static Pair *
pair_new_full (WeftTlsOptions *client_opts, WeftTlsOptions *server_opts, TestPeer *client, TestPeer *server)
{
  g_autoptr (GError) error = NULL;
  Pair *pair = g_new0 (Pair, 1);

  pair->client = client != NULL ? client : test_peer_new ();
  pair->server = server != NULL ? server : test_peer_new ();
  pair->client_tls = weft_tls_transport_new (WEFT_PROTOCOL (pair->client), client_opts, &error);
  g_assert_no_error (error);
  pair->server_tls = weft_tls_transport_new (WEFT_PROTOCOL (pair->server), server_opts, &error);
  g_assert_no_error (error);
  g_assert_false (weft_tls_transport_is_server (pair->client_tls));
  g_assert_true (weft_tls_transport_is_server (pair->server_tls));
  pair->loopback = weft_loopback_connect (WEFT_PROTOCOL (pair->client_tls), WEFT_PROTOCOL (pair->server_tls));
  return pair;
}

static Pair *
pair_new (WeftTlsOptions *client_opts, WeftTlsOptions *server_opts)
{
  return pair_new_full (client_opts, server_opts, NULL, NULL);
}

static void
pair_pump (Pair *pair)
{
  weft_loopback_pump (pair->loopback);
}

static WeftTransport *
client_transport (Pair *pair)
{
  return WEFT_TRANSPORT (pair->client_tls);
}

static WeftTransport *
server_transport (Pair *pair)
{
  return WEFT_TRANSPORT (pair->server_tls);
}

static void
pair_free (Pair *pair)
{
  /* Nothing may keep the connection alive once the loopback is gone. */
  g_object_add_weak_pointer (G_OBJECT (pair->client_tls), (gpointer *) &pair->client_tls);
  g_object_add_weak_pointer (G_OBJECT (pair->server_tls), (gpointer *) &pair->server_tls);
  g_object_unref (pair->client_tls);
  g_object_unref (pair->server_tls);
  g_object_unref (pair->loopback);
  g_assert_null (pair->client_tls);
  g_assert_null (pair->server_tls);
  g_object_unref (pair->client);
  g_object_unref (pair->server);
  g_free (pair);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pair, pair_free)

static void
assert_lost_with (TestPeer *peer, GQuark domain, int code, const char *message_part)
{
  g_assert_cmpuint (peer->n_lost, ==, 1);
  g_assert_error (peer->reason, domain, code);
  if (message_part != NULL && strstr (peer->reason->message, message_part) == NULL)
    g_error ("“%s” not found in the error message “%s”", message_part, peer->reason->message);
}

/* A verification failure on the client: the client's protocol learns why,
 * and the server's learns that its certificate was refused. */
static void
check_client_refuses (WeftTlsOptions *client_opts,
                      WeftTlsOptions *server_opts,
                      int code,
                      const char *part1,
                      const char *part2)
{
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);

  pair->client->greeting = g_strdup ("password");
  pair_pump (pair);

  g_assert_true (weft_loopback_is_finished (pair->loopback));
  g_assert_false (weft_tls_transport_is_handshake_done (pair->client_tls));
  assert_lost_with (pair->client, WEFT_TLS_ERROR, code, part1);
  assert_lost_with (pair->client, WEFT_TLS_ERROR, code, part2);
  assert_lost_with (pair->server, WEFT_TLS_ERROR, WEFT_TLS_ERROR_PEER_ALERT, "rejected this side’s certificate");
  /* What the client wrote before the handshake never left it. */
  g_assert_cmpuint (pair->server->received->len, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Handshake and data                                                    */

static void
test_echo (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);
  g_autofree char *fingerprint = NULL;
  g_autofree char *description = NULL;
  g_autoptr (GBytes) certificate = NULL;
  g_autoptr (GSocketAddress) peer = NULL;

  g_assert_cmpuint (pair->client->n_made, ==, 1);
  g_assert_cmpuint (pair->server->n_made, ==, 1);
  g_assert_false (weft_tls_transport_is_handshake_done (pair->client_tls));
  g_assert_null (weft_tls_transport_get_protocol_version (pair->client_tls));
  g_assert_true (weft_protocol_get_transport (WEFT_PROTOCOL (pair->client)) == client_transport (pair));
  g_assert_true (weft_transport_get_protocol (client_transport (pair)) == WEFT_PROTOCOL (pair->client));
  g_assert_true (weft_tls_transport_get_wrapped_protocol (pair->client_tls) == WEFT_PROTOCOL (pair->client));
  g_assert_true (weft_tls_transport_get_lower_transport (pair->client_tls) ==
                 weft_loopback_get_client_transport (pair->loopback));

  pair->server->echo = TRUE;
  pair_pump (pair);
  g_assert_true (weft_tls_transport_is_handshake_done (pair->client_tls));
  g_assert_true (weft_tls_transport_is_handshake_done (pair->server_tls));
  g_assert_cmpstr (weft_tls_transport_get_protocol_version (pair->client_tls), ==, "TLS1.3");
  description = weft_tls_transport_get_session_description (pair->client_tls);
  g_assert_nonnull (strstr (description, "TLS1.3"));

  fingerprint = weft_tls_transport_get_peer_fingerprint (pair->client_tls);
  g_assert_cmpstr (fingerprint, ==, certs->server_fingerprint);
  certificate = weft_tls_transport_get_peer_certificate (pair->client_tls);
  g_assert_nonnull (certificate);
  /* The server asked for no client certificate. */
  g_assert_null (weft_tls_transport_get_peer_certificate (pair->server_tls));

  /* Addresses are the loopback's. */
  peer = weft_transport_get_peer_address (client_transport (pair));
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (peer)), ==, 12345);

  weft_transport_write (client_transport (pair), "hello, ", 7);
  weft_transport_write (client_transport (pair), "world", 5);
  pair_pump (pair);
  assert_received (pair->server, "hello, world");
  assert_received (pair->client, "hello, world");

  pair->server->echo = FALSE;
  weft_transport_write (server_transport (pair), "from the server", 15);
  pair_pump (pair);
  assert_received (pair->client, "hello, worldfrom the server");

  g_assert_cmpuint (pair->client->n_lost + pair->server->n_lost, ==, 0);
}

static void
test_writes_before_handshake (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = NULL;
  TestPeer *client = test_peer_new ();
  TestPeer *server = test_peer_new ();
  g_autoptr (GBytes) bytes = g_bytes_new_static ("two ", 4);
  GOutputVector vectors[] = { { "three ", 6 }, { "four", 4 } };

  client->greeting = g_strdup ("one ");
  server->greeting = g_strdup ("server first ");
  pair = pair_new_full (client_opts, server_opts, client, server);

  /* Held, in order, until the handshake succeeds. */
  weft_transport_write_bytes (client_transport (pair), bytes);
  weft_transport_writev (client_transport (pair), vectors, G_N_ELEMENTS (vectors));
  g_assert_cmpuint (weft_transport_get_write_buffer_size (client_transport (pair)), >=, 18);
  g_assert_false (weft_tls_transport_is_handshake_done (pair->client_tls));

  pair_pump (pair);
  assert_received (pair->server, "one two three four");
  assert_received (pair->client, "server first ");
}

static void
test_large_transfer (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  gsize size = 1024 * 1024;
  g_autofree guint8 *data = g_malloc (size);
  g_autoptr (GBytes) bytes = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = g_rand_int (rand) & 0xff;
  bytes = g_bytes_new (data, size);

  pair->server->echo = TRUE;
  pair_pump (pair);
  weft_transport_write_bytes (client_transport (pair), bytes);
  /* A megabyte is above the loopback's high watermark: the client is paused
   * until it drains. */
  g_assert_cmpuint (pair->client->n_paused, ==, 1);
  pair_pump (pair);

  g_assert_cmpmem (pair->server->received->data, pair->server->received->len, data, size);
  g_assert_cmpmem (pair->client->received->data, pair->client->received->len, data, size);
  g_assert_cmpuint (pair->client->n_resumed, ==, 1);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (client_transport (pair)), ==, 0);
}

static WeftDeferred *
count_cb (WeftResult *result, gpointer user_data)
{
  guint *count = user_data;

  g_assert_true (weft_result_is_empty (result));
  (*count)++;
  return NULL;
}

static WeftDeferred *
take_error_cb (WeftResult *result, gpointer user_data)
{
  GError **error = user_data;

  g_assert_null (*error);
  g_assert_false (weft_result_propagate_error (result, error));
  weft_result_clear (result);
  return NULL;
}

static void
test_handshake_deferred (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);
  g_autoptr (WeftDeferred) early = weft_tls_transport_get_handshake_deferred (pair->client_tls);
  g_autoptr (WeftDeferred) late = NULL;
  guint n_early = 0, n_late = 0;

  weft_deferred_add_callback (early, count_cb, &n_early, NULL);
  g_assert_false (weft_deferred_has_fired (early));
  pair_pump (pair);
  g_assert_cmpuint (n_early, ==, 1);

  /* Already done: fires at once. */
  late = weft_tls_transport_get_handshake_deferred (pair->server_tls);
  weft_deferred_add_callback (late, count_cb, &n_late, NULL);
  g_assert_cmpuint (n_late, ==, 1);
}

static void
test_handshake_deferred_failure (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options_with (certs->expired_cert);
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);
  g_autoptr (WeftDeferred) handshake = weft_tls_transport_get_handshake_deferred (pair->client_tls);
  g_autoptr (WeftDeferred) after = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) after_error = NULL;

  weft_deferred_add_errback (handshake, take_error_cb, &error, NULL);
  pair_pump (pair);
  g_assert_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_CERTIFICATE_EXPIRED);

  /* Asked after the end: fails at once, with the same reason. */
  after = weft_tls_transport_get_handshake_deferred (pair->client_tls);
  weft_deferred_add_errback (after, take_error_cb, &after_error, NULL);
  g_assert_error (after_error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_CERTIFICATE_EXPIRED);
  g_assert_cmpstr (after_error->message, ==, error->message);
}

/* ------------------------------------------------------------------ */
/* ALPN and SNI                                                          */

static void
test_alpn (void)
{
  const char *const client_protocols[] = { "h2", "http/1.1", NULL };
  const char *const server_protocols[] = { "irc", "http/1.1", NULL };
  const char *const other_protocols[] = { "imap", NULL };
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = NULL;
  g_autoptr (Pair) no_match = NULL;

  weft_tls_options_set_alpn_protocols (client_opts, client_protocols);
  weft_tls_options_set_alpn_protocols (server_opts, server_protocols);
  g_assert_cmpstrv (weft_tls_options_get_alpn_protocols (client_opts), client_protocols);
  pair = pair_new (client_opts, server_opts);
  pair_pump (pair);
  g_assert_cmpstr (weft_tls_transport_get_negotiated_protocol (pair->client_tls), ==, "http/1.1");
  g_assert_cmpstr (weft_tls_transport_get_negotiated_protocol (pair->server_tls), ==, "http/1.1");

  /* No protocol in common: the session goes on without one. */
  weft_tls_options_set_alpn_protocols (server_opts, other_protocols);
  no_match = pair_new (client_opts, server_opts);
  no_match->server->echo = TRUE;
  weft_transport_write (client_transport (no_match), "ping", 4);
  pair_pump (no_match);
  g_assert_true (weft_tls_transport_is_handshake_done (no_match->client_tls));
  g_assert_null (weft_tls_transport_get_negotiated_protocol (no_match->client_tls));
  g_assert_null (weft_tls_transport_get_negotiated_protocol (no_match->server_tls));
  assert_received (no_match->client, "ping");
}

static void
test_sni (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) ip_client_opts = client_options_for ("127.0.0.1");
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);
  g_autoptr (Pair) by_address = pair_new (ip_client_opts, server_opts);

  g_assert_null (weft_tls_transport_get_server_name (pair->server_tls));
  pair_pump (pair);
  g_assert_true (weft_tls_transport_is_handshake_done (pair->server_tls));
  g_assert_cmpstr (weft_tls_transport_get_server_name (pair->server_tls), ==, "localhost");
  g_assert_cmpstr (weft_tls_transport_get_server_name (pair->client_tls), ==, "localhost");

  /* An address is not sent as SNI; the certificate lists it. */
  pair_pump (by_address);
  g_assert_true (weft_tls_transport_is_handshake_done (by_address->client_tls));
  g_assert_null (weft_tls_transport_get_server_name (by_address->server_tls));
  g_assert_cmpuint (by_address->client->n_lost, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Client certificates                                                  */

static void
test_client_certificate_provided (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = NULL;
  g_autoptr (GBytes) certificate = NULL;

  g_assert_true (weft_tls_options_set_certificate_files (client_opts, certs->client_cert, certs->leaf_key, &error));
  g_assert_true (weft_tls_options_has_certificate (client_opts));
  weft_tls_options_set_client_certificate_mode (server_opts, WEFT_TLS_CLIENT_CERTIFICATE_REQUIRE);
  g_assert_cmpint (weft_tls_options_get_client_certificate_mode (server_opts), ==, WEFT_TLS_CLIENT_CERTIFICATE_REQUIRE);
  pair = pair_new (client_opts, server_opts);
  pair->server->echo = TRUE;
  weft_transport_write (client_transport (pair), "it is me", 8);
  pair_pump (pair);

  assert_received (pair->client, "it is me");
  certificate = weft_tls_transport_get_peer_certificate (pair->server_tls);
  g_assert_nonnull (certificate);
  g_assert_cmpuint (pair->client->n_lost + pair->server->n_lost, ==, 0);
}

static void
test_client_certificate_missing (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = NULL;

  weft_tls_options_set_client_certificate_mode (server_opts, WEFT_TLS_CLIENT_CERTIFICATE_REQUIRE);
  pair = pair_new (client_opts, server_opts);
  pair->client->greeting = g_strdup ("anonymous");
  pair_pump (pair);

  g_assert_true (weft_loopback_is_finished (pair->loopback));
  g_assert_false (weft_tls_transport_is_handshake_done (pair->server_tls));
  assert_lost_with (pair->server, WEFT_TLS_ERROR, WEFT_TLS_ERROR_CERTIFICATE_REQUIRED, "presented no certificate");
  assert_lost_with (pair->client, WEFT_TLS_ERROR, WEFT_TLS_ERROR_CERTIFICATE_REQUIRED, "requires a client certificate");
  g_assert_cmpuint (pair->server->received->len, ==, 0);
}

static void
test_client_certificate_requested (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = NULL;

  weft_tls_options_set_client_certificate_mode (server_opts, WEFT_TLS_CLIENT_CERTIFICATE_REQUEST);
  pair = pair_new (client_opts, server_opts);
  pair->server->echo = TRUE;
  weft_transport_write (client_transport (pair), "no certificate", 14);
  pair_pump (pair);

  assert_received (pair->client, "no certificate");
  g_assert_null (weft_tls_transport_get_peer_certificate (pair->server_tls));
}

static void
test_client_certificate_rejected (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) expired_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = NULL;
  g_autoptr (Pair) expired = NULL;

  /* A server's certificate, from the trusted authority, used by a client. */
  g_assert_true (weft_tls_options_set_certificate_files (client_opts, certs->server_cert, certs->leaf_key, &error));
  weft_tls_options_set_client_certificate_mode (server_opts, WEFT_TLS_CLIENT_CERTIFICATE_REQUEST);
  pair = pair_new (client_opts, server_opts);
  pair_pump (pair);
  assert_lost_with (pair->server, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_CERTIFICATE,
                    "The client’s certificate is not meant to authenticate a TLS client.");
  assert_lost_with (pair->client, WEFT_TLS_ERROR, WEFT_TLS_ERROR_PEER_ALERT, "rejected this side’s certificate");

  /* Every problem is listed; the code is the first. */
  g_assert_true (weft_tls_options_set_certificate_files (expired_opts, certs->expired_cert, certs->leaf_key, &error));
  expired = pair_new (expired_opts, server_opts);
  pair_pump (expired);
  assert_lost_with (expired->server, WEFT_TLS_ERROR, WEFT_TLS_ERROR_CERTIFICATE_EXPIRED,
                    "The client’s certificate has expired");
  assert_lost_with (expired->server, WEFT_TLS_ERROR, WEFT_TLS_ERROR_CERTIFICATE_EXPIRED,
                    "not meant to authenticate a TLS client");
  assert_lost_with (expired->client, WEFT_TLS_ERROR, WEFT_TLS_ERROR_PEER_ALERT, "Certificate is expired");
}

/* ------------------------------------------------------------------ */
/* Pinning                                                               */

static void
test_pin_match (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftTlsOptions) client_opts = weft_tls_options_new_client ("anything.example");
  g_autoptr (WeftTlsOptions) server_opts = server_options_with (certs->unknown_ca_cert);
  g_autoptr (Pair) pair = NULL;
  g_autofree char *lower = g_ascii_strdown (certs->unknown_ca_fingerprint, -1);
  g_autoptr (GString) bare = g_string_new (certs->unknown_ca_fingerprint);

  g_string_replace (bare, ":", "", 0);
  /* Neither the authority nor the name would verify: the pin decides. */
  g_assert_true (weft_tls_options_add_pinned_fingerprint (client_opts, certs->server_fingerprint, &error));
  g_assert_true (weft_tls_options_add_pinned_fingerprint (client_opts, lower, &error));
  g_assert_true (weft_tls_options_add_pinned_fingerprint (client_opts, bare->str, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (weft_tls_options_get_n_pinned_fingerprints (client_opts), ==, 3);

  pair = pair_new (client_opts, server_opts);
  pair->server->echo = TRUE;
  weft_transport_write (client_transport (pair), "pinned", 6);
  pair_pump (pair);
  assert_received (pair->client, "pinned");
  g_assert_cmpuint (pair->client->n_lost, ==, 0);
}

static void
test_pin_mismatch (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();

  /* The authority vouches for the server, but the pin is another's. */
  g_assert_true (weft_tls_options_add_pinned_fingerprint (client_opts, certs->unknown_ca_fingerprint, &error));
  check_client_refuses (client_opts, server_opts, WEFT_TLS_ERROR_PIN_MISMATCH, certs->server_fingerprint,
                        certs->unknown_ca_fingerprint);

  weft_tls_options_clear_pinned_fingerprints (client_opts);
  g_assert_cmpuint (weft_tls_options_get_n_pinned_fingerprints (client_opts), ==, 0);
}

static void
test_pin_malformed (void)
{
  const char *const bad[] = { "", "xyz", "AB:CD", "AB:", ":AB", "AB::CD", "sha256/abc" };
  g_autoptr (WeftTlsOptions) options = weft_tls_options_new_client ("localhost");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_false (weft_tls_options_add_pinned_fingerprint (options, bad[i], &error));
      g_assert_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS);
      g_assert_nonnull (strstr (error->message, "SHA-256"));
    }
  g_assert_cmpuint (weft_tls_options_get_n_pinned_fingerprints (options), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Verification failures                                                */

static void
test_verify_expired (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options_with (certs->expired_cert);

  check_client_refuses (client_opts, server_opts, WEFT_TLS_ERROR_CERTIFICATE_EXPIRED,
                        "The certificate of “localhost” has expired", "it was valid until");
}

static void
test_verify_not_yet_valid (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options_with (certs->not_yet_valid_cert);

  check_client_refuses (client_opts, server_opts, WEFT_TLS_ERROR_CERTIFICATE_NOT_ACTIVATED,
                        "The certificate of “localhost” is not valid yet", "it is valid from");
}

static void
test_verify_unknown_issuer (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options_with (certs->unknown_ca_cert);

  check_client_refuses (client_opts, server_opts, WEFT_TLS_ERROR_UNKNOWN_ISSUER, "was issued by an unknown authority",
                        "CN=Unknown Test CA");
}

static void
test_verify_wrong_name (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options_with (certs->wrong_name_cert);

  check_client_refuses (client_opts, server_opts, WEFT_TLS_ERROR_BAD_IDENTITY, "is for “wrong.example”",
                        "not for “localhost”");
}

static void
test_verify_wrong_address (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options_for ("127.0.0.2");
  g_autoptr (WeftTlsOptions) server_opts = server_options ();

  check_client_refuses (client_opts, server_opts, WEFT_TLS_ERROR_BAD_IDENTITY, "127.0.0.1", "not for “127.0.0.2”");
}

static void
test_verify_system_trust (void)
{
  /* The test authority is not in the system's trust store. */
  g_autoptr (WeftTlsOptions) client_opts = weft_tls_options_new_client ("localhost");
  g_autoptr (WeftTlsOptions) server_opts = server_options ();

  g_assert_true (weft_tls_options_get_use_system_trust (client_opts));
  check_client_refuses (client_opts, server_opts, WEFT_TLS_ERROR_UNKNOWN_ISSUER, "The certificate of “localhost”",
                        "CN=Weft Test CA");
}

static void
test_verify_off (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options_for ("wrong.example");
  g_autoptr (WeftTlsOptions) no_name_opts = client_options_for (NULL);
  g_autoptr (WeftTlsOptions) server_opts = server_options_with (certs->unknown_ca_cert);
  g_autoptr (Pair) pair = NULL;
  g_autoptr (Pair) no_name = NULL;

  weft_tls_options_set_verify_peer (client_opts, FALSE);
  g_assert_false (weft_tls_options_get_verify_peer (client_opts));
  pair = pair_new (client_opts, server_opts);
  pair_pump (pair);
  g_assert_true (weft_tls_transport_is_handshake_done (pair->client_tls));

  /* Without the name check, a trusted certificate for any name passes. */
  weft_tls_options_set_verify_hostname (no_name_opts, FALSE);
  g_assert_false (weft_tls_options_get_verify_hostname (no_name_opts));
  g_object_unref (server_opts);
  server_opts = server_options_with (certs->wrong_name_cert);
  no_name = pair_new (no_name_opts, server_opts);
  pair_pump (no_name);
  g_assert_true (weft_tls_transport_is_handshake_done (no_name->client_tls));
}

/* ------------------------------------------------------------------ */
/* Options                                                              */

static void
test_options_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftTlsOptions) server = weft_tls_options_new_server ();
  g_autoptr (WeftTlsOptions) client = weft_tls_options_new_client (NULL);
  g_autoptr (TestPeer) peer = test_peer_new ();
  g_autoptr (WeftFactory) factory = weft_factory_new (TEST_TYPE_PEER);
  g_autofree char *missing = g_build_filename (certs->dir, "missing.pem", NULL);

  g_assert_true (weft_tls_options_is_server (server));
  g_assert_false (weft_tls_options_is_server (client));

  g_assert_false (weft_tls_options_add_ca_file (client, missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  /* A key is not a certificate. */
  g_assert_false (weft_tls_options_add_ca_file (client, certs->leaf_key, &error));
  g_assert_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS);
  g_assert_nonnull (strstr (error->message, "leaf-key.pem"));
  g_clear_error (&error);

  /* The authority's certificate with a leaf's key. */
  g_assert_false (weft_tls_options_set_certificate_files (server, certs->ca_cert, certs->leaf_key, &error));
  g_assert_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS);
  g_assert_nonnull (strstr (error->message, "ca.pem"));
  g_clear_error (&error);
  g_assert_false (weft_tls_options_has_certificate (server));

  g_assert_false (weft_tls_options_set_priority (client, "NORMAL:+NONSENSE", &error));
  g_assert_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS);
  g_assert_nonnull (strstr (error->message, "NONSENSE"));
  g_clear_error (&error);
  g_assert_null (weft_tls_options_get_priority (client));

  g_assert_null (weft_tls_transport_new (WEFT_PROTOCOL (peer), server, &error));
  g_assert_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS);
  g_assert_nonnull (strstr (error->message, "needs a certificate"));
  g_clear_error (&error);

  g_assert_null (weft_tls_factory_new (factory, server, &error));
  g_assert_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS);
  g_clear_error (&error);

  g_assert_null (weft_tls_transport_new (WEFT_PROTOCOL (peer), client, &error));
  g_assert_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS);
  g_assert_nonnull (strstr (error->message, "No server name"));
  g_clear_error (&error);
}

static void
test_options_snapshot (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);

  /* Sessions keep the options they started with. */
  weft_tls_options_set_server_name (client_opts, "wrong.example");
  g_assert_cmpstr (weft_tls_options_get_server_name (client_opts), ==, "wrong.example");
  pair_pump (pair);
  g_assert_true (weft_tls_transport_is_handshake_done (pair->client_tls));
  g_assert_cmpstr (weft_tls_transport_get_server_name (pair->client_tls), ==, "localhost");
}

static void
test_version_mismatch (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = NULL;

  g_assert_true (weft_tls_options_set_priority (client_opts, "NORMAL:-VERS-ALL:+VERS-TLS1.3", &error));
  g_assert_true (weft_tls_options_set_priority (server_opts, "NORMAL:-VERS-ALL:+VERS-TLS1.2", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (weft_tls_options_get_priority (server_opts), ==, "NORMAL:-VERS-ALL:+VERS-TLS1.2");
  pair = pair_new (client_opts, server_opts);
  pair_pump (pair);

  g_assert_true (weft_loopback_is_finished (pair->loopback));
  assert_lost_with (pair->server, WEFT_TLS_ERROR, WEFT_TLS_ERROR_HANDSHAKE, "The TLS handshake failed");
  assert_lost_with (pair->client, WEFT_TLS_ERROR, WEFT_TLS_ERROR_PEER_ALERT, "refused the TLS handshake");
}

static void
test_tls12 (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = NULL;

  g_assert_true (weft_tls_options_set_priority (server_opts, "NORMAL:-VERS-ALL:+VERS-TLS1.2", &error));
  pair = pair_new (client_opts, server_opts);
  pair->server->echo = TRUE;
  weft_transport_write (client_transport (pair), "over 1.2", 8);
  pair_pump (pair);
  g_assert_cmpstr (weft_tls_transport_get_protocol_version (pair->client_tls), ==, "TLS1.2");
  assert_received (pair->client, "over 1.2");

  weft_transport_lose_connection (client_transport (pair));
  pair_pump (pair);
  assert_lost_with (pair->client, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
  assert_lost_with (pair->server, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
  g_assert_cmpuint (pair->server->n_eof, ==, 1);
}

/* ------------------------------------------------------------------ */
/* Closing                                                              */

static void
test_close_clean (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);

  pair_pump (pair);
  weft_transport_write (client_transport (pair), "last words", 10);
  weft_transport_lose_connection (client_transport (pair));
  g_assert_true (weft_transport_is_closing (client_transport (pair)));
  /* Dropped: the close notification is already out. */
  weft_transport_write (client_transport (pair), "too late", 8);
  pair_pump (pair);

  g_assert_true (weft_loopback_is_finished (pair->loopback));
  assert_received (pair->server, "last words");
  g_assert_cmpuint (pair->server->n_eof, ==, 1);
  assert_lost_with (pair->server, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
  assert_lost_with (pair->client, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
  g_assert_null (weft_protocol_get_transport (WEFT_PROTOCOL (pair->client)));
}

static void
test_close_with_error (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);
  g_autoptr (GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad command");

  pair_pump (pair);
  weft_transport_lose_connection_with_error (server_transport (pair), reason);
  pair_pump (pair);
  assert_lost_with (pair->server, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad command");
  assert_lost_with (pair->client, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
  g_assert_cmpuint (pair->client->n_eof, ==, 1);
}

static void
test_close_during_handshake (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);
  g_autoptr (Pair) flushed = NULL;
  g_autoptr (Pair) quiet = NULL;
  TestPeer *quiet_client = test_peer_new ();

  /* Nothing to send: closed at once, without TLS. */
  weft_transport_lose_connection (client_transport (pair));
  pair_pump (pair);
  assert_lost_with (pair->client, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
  assert_lost_with (pair->server, WEFT_TLS_ERROR, WEFT_TLS_ERROR_EOF, "during the TLS handshake");

  /* Closed from connection_made: not even a hello goes out. */
  quiet_client->close_on_made = TRUE;
  quiet = pair_new_full (client_opts, server_opts, quiet_client, NULL);
  pair_pump (quiet);
  assert_lost_with (quiet->client, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
  assert_lost_with (quiet->server, WEFT_TLS_ERROR, WEFT_TLS_ERROR_EOF, "during the TLS handshake");
  g_assert_cmpuint (quiet->server->n_made, ==, 1);

  /* Something to send: after the handshake, then the close notification. */
  flushed = pair_new (client_opts, server_opts);
  weft_transport_write (client_transport (flushed), "goodbye", 7);
  weft_transport_lose_connection (client_transport (flushed));
  pair_pump (flushed);
  assert_received (flushed->server, "goodbye");
  assert_lost_with (flushed->client, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
  assert_lost_with (flushed->server, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
}

static void
test_close_truncated (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);

  pair_pump (pair);
  weft_transport_write (server_transport (pair), "partial", 7);
  /* The server's TCP connection closes under TLS: no close notification. */
  weft_transport_lose_connection (weft_loopback_get_server_transport (pair->loopback));
  pair_pump (pair);

  assert_received (pair->client, "partial");
  g_assert_cmpuint (pair->client->n_eof, ==, 0);
  assert_lost_with (pair->client, WEFT_TLS_ERROR, WEFT_TLS_ERROR_EOF, "without a TLS close notification");
}

static void
test_close_abort (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);

  pair_pump (pair);
  weft_transport_write (client_transport (pair), "dropped", 7);
  weft_transport_abort_connection (client_transport (pair));
  g_assert_true (weft_transport_is_closing (client_transport (pair)));
  pair_pump (pair);

  g_assert_cmpuint (pair->server->received->len, ==, 0);
  assert_lost_with (pair->client, WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED, NULL);
  assert_lost_with (pair->server, WEFT_ERROR, WEFT_ERROR_CONNECTION_LOST, NULL);
}

static void
test_half_close (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);

  pair->server->keep_open_on_eof = TRUE;
  pair->server->reply_on_eof = g_strdup ("reply after your end");
  pair->client->keep_open_on_eof = FALSE;
  pair_pump (pair);

  weft_transport_write (client_transport (pair), "request", 7);
  weft_transport_lose_write_connection (client_transport (pair));
  /* Dropped: the write side is shut. */
  weft_transport_write (client_transport (pair), "more", 4);
  pair_pump (pair);

  assert_received (pair->server, "request");
  g_assert_cmpuint (pair->server->n_eof, ==, 1);
  assert_received (pair->client, "reply after your end");
  g_assert_cmpuint (pair->client->n_eof, ==, 1);
  assert_lost_with (pair->client, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
  assert_lost_with (pair->server, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
}

/* ------------------------------------------------------------------ */
/* Peers that do not speak TLS                                          */

static void
test_garbage_to_server (void)
{
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (GError) error = NULL;
  g_autoptr (TestPeer) client = test_peer_new ();
  g_autoptr (TestPeer) server = test_peer_new ();
  g_autoptr (WeftTlsTransport) server_tls = weft_tls_transport_new (WEFT_PROTOCOL (server), server_opts, &error);
  g_autoptr (WeftLoopback) loopback = NULL;

  client->greeting = g_strdup ("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  loopback = weft_loopback_connect (WEFT_PROTOCOL (client), WEFT_PROTOCOL (server_tls));
  weft_loopback_pump (loopback);

  g_assert_true (weft_loopback_is_finished (loopback));
  assert_lost_with (server, WEFT_TLS_ERROR, WEFT_TLS_ERROR_NOT_TLS, "does not speak TLS");
  assert_lost_with (server, WEFT_TLS_ERROR, WEFT_TLS_ERROR_NOT_TLS, "GET / HTTP/1.1\\r\\nHost: lo…");
  g_assert_cmpuint (server->received->len, ==, 0);
  /* The plain peer sees the connection close. */
  assert_lost_with (client, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
}

static void
test_garbage_to_client (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (GError) error = NULL;
  g_autoptr (TestPeer) client = test_peer_new ();
  g_autoptr (TestPeer) server = test_peer_new ();
  g_autoptr (WeftTlsTransport) client_tls = weft_tls_transport_new (WEFT_PROTOCOL (client), client_opts, &error);
  g_autoptr (WeftLoopback) loopback = NULL;

  server->greeting = g_strdup ("220 mail.example\r\n");
  loopback = weft_loopback_connect (WEFT_PROTOCOL (client_tls), WEFT_PROTOCOL (server));
  weft_loopback_pump (loopback);

  g_assert_true (weft_loopback_is_finished (loopback));
  assert_lost_with (client, WEFT_TLS_ERROR, WEFT_TLS_ERROR_NOT_TLS, "it sent “220 mail.example\\r\\n”.");
  /* The server received the ClientHello: a handshake record. */
  g_assert_cmpuint (server->received->len, >, 5);
  g_assert_cmpuint (server->received->data[0], ==, 22);
}

static void
test_garbage_after_handshake (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);

  pair_pump (pair);
  weft_transport_write (weft_loopback_get_server_transport (pair->loopback), "\x17\x03\x03\x00\x05hello", 10);
  pair_pump (pair);
  assert_lost_with (pair->client, WEFT_TLS_ERROR, WEFT_TLS_ERROR_FAILED, "Received invalid TLS data");
  g_assert_cmpuint (pair->client->received->len, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Flow control                                                          */

static void
test_flow_pending_writes (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);
  gsize high = 0, low = 0;
  g_autofree char *chunk = g_strnfill (4000, 'x');

  weft_transport_set_write_buffer_limits (client_transport (pair), 10000, 2000);
  weft_transport_get_write_buffer_limits (client_transport (pair), &high, &low);
  g_assert_cmpuint (high, ==, 10000);
  g_assert_cmpuint (low, ==, 2000);

  /* Before the handshake: held in the TLS layer, over the high mark. */
  for (int i = 0; i < 3; i++)
    weft_transport_write (client_transport (pair), chunk, 4000);
  g_assert_cmpuint (pair->client->n_paused, ==, 1);
  g_assert_true (weft_protocol_is_writing_paused (WEFT_PROTOCOL (pair->client)));

  pair_pump (pair);
  g_assert_cmpuint (pair->server->received->len, ==, 12000);
  g_assert_cmpuint (pair->client->n_resumed, ==, 1);
  g_assert_false (weft_protocol_is_writing_paused (WEFT_PROTOCOL (pair->client)));
}

static void
test_flow_lower_writes (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);
  g_autofree char *chunk = g_strnfill (30000, 'y');

  pair_pump (pair);
  /* After the handshake: the transport below fills up and pauses. */
  weft_transport_write (client_transport (pair), chunk, 30000);
  g_assert_cmpuint (pair->client->n_paused, ==, 0);
  weft_transport_write (client_transport (pair), chunk, 30000);
  weft_transport_write (client_transport (pair), chunk, 30000);
  g_assert_cmpuint (pair->client->n_paused, ==, 1);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (client_transport (pair)), >, 90000);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (client_transport (pair)), ==,
                    weft_transport_get_write_buffer_size (weft_loopback_get_client_transport (pair->loopback)));

  pair_pump (pair);
  g_assert_cmpuint (pair->server->received->len, ==, 90000);
  g_assert_cmpuint (pair->client->n_resumed, ==, 1);
}

static void
test_flow_pause_reading (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = pair_new (client_opts, server_opts);
  g_autofree char *records = g_strnfill (2 * 16384 + 3, 'r');

  pair_pump (pair);
  /* Three records in one chunk of ciphertext; the server pauses after the
   * first, and the other two wait in the TLS layer. */
  pair->server->pause_reading_at = 1;
  weft_transport_write (client_transport (pair), records, 2 * 16384 + 3);
  pair_pump (pair);
  g_assert_cmpuint (pair->server->received->len, ==, 16384);

  /* Without a reactor, resuming delivers at once. */
  resume_peer_reading (pair->server);
  g_assert_cmpuint (pair->server->received->len, ==, 2 * 16384 + 3);

  /* Pausing holds end-of-stream too. */
  pair->server->pause_reading_at = 1;
  weft_transport_write (client_transport (pair), "x", 1);
  weft_transport_lose_connection (client_transport (pair));
  pair_pump (pair);
  g_assert_cmpuint (pair->server->received->len, ==, 2 * 16384 + 4);
  g_assert_cmpuint (pair->server->n_eof, ==, 0);
  resume_peer_reading (pair->server);
  pair_pump (pair);
  g_assert_cmpuint (pair->server->n_eof, ==, 1);
  assert_lost_with (pair->server, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
}

/* ------------------------------------------------------------------ */
/* With a reactor                                                        */

static gboolean
run_until (WeftReactor *reactor, gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      weft_reactor_iterate (reactor, FALSE);
    }
  return TRUE;
}

static gboolean
pair_finished (gpointer data)
{
  return weft_loopback_is_finished (((Pair *) data)->loopback);
}

static gboolean
server_has_all (gpointer data)
{
  return ((Pair *) data)->server->received->len == 2 * 16384 + 3;
}

static void
test_reactor (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS, &error);
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (Pair) pair = NULL;
  g_autofree char *records = g_strnfill (2 * 16384 + 3, 'r');

  g_assert_no_error (error);
  weft_tls_options_set_reactor (server_opts, reactor);
  g_assert_true (weft_tls_options_get_reactor (server_opts) == reactor);
  pair = pair_new (client_opts, server_opts);
  weft_loopback_set_reactor (pair->loopback, reactor);

  pair->server->pause_reading_at = 1;
  weft_transport_write (client_transport (pair), records, 2 * 16384 + 3);
  for (int i = 0; i < 20; i++)
    weft_reactor_iterate (reactor, FALSE);
  g_assert_true (weft_tls_transport_is_handshake_done (pair->server_tls));
  g_assert_cmpuint (pair->server->received->len, ==, 16384);

  /* With a reactor, what is buffered arrives from the reactor, not from
   * inside resume_reading. */
  resume_peer_reading (pair->server);
  g_assert_cmpuint (pair->server->received->len, ==, 16384);
  g_assert_true (run_until (reactor, server_has_all, pair));

  weft_transport_lose_connection (server_transport (pair));
  g_assert_true (run_until (reactor, pair_finished, pair));
  assert_lost_with (pair->client, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
  assert_lost_with (pair->server, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);

  weft_loopback_set_reactor (pair->loopback, NULL);
  weft_tls_options_set_reactor (server_opts, NULL);
}

/* ------------------------------------------------------------------ */
/* STARTTLS                                                              */

#define TEST_TYPE_STARTTLS (test_starttls_get_type ())
G_DECLARE_FINAL_TYPE (TestStarttls, test_starttls, TEST, STARTTLS, WeftLineReceiver)

/* A line protocol: "STARTTLS" upgrades the connection ("GO" answers it
 * unless pipelined); the server echoes other lines as "echo: <line>". */
struct _TestStarttls {
  WeftLineReceiver parent_instance;

  gboolean server;
  gboolean pipelined;      /* the client starts TLS right after asking */
  WeftTlsOptions *options; /* for weft_tls_start() */
  TestPeer *hand_over_to;  /* server: continue with this protocol instead */
  GPtrArray *lines;
  WeftTlsTransport *tls; /* not owned */
  guint n_lost;
  GError *reason;
};

G_DEFINE_FINAL_TYPE (TestStarttls, test_starttls, WEFT_TYPE_LINE_RECEIVER)

static void
starttls_upgrade (TestStarttls *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) rest = weft_line_receiver_clear_line_buffer (WEFT_LINE_RECEIVER (self));
  WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (self));
  WeftProtocol *next = self->hand_over_to != NULL ? WEFT_PROTOCOL (self->hand_over_to) : WEFT_PROTOCOL (self);

  self->tls = weft_tls_start (transport, next, self->options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (self->tls);
  if (g_bytes_get_size (rest) > 0)
    weft_protocol_data_received (WEFT_PROTOCOL (self->tls), g_bytes_get_data (rest, NULL), g_bytes_get_size (rest));
}

static void
test_starttls_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  TestStarttls *self = TEST_STARTTLS (protocol);

  WEFT_PROTOCOL_CLASS (test_starttls_parent_class)->connection_made (protocol, transport);
  if (self->server)
    return;
  if (!self->pipelined)
    weft_line_receiver_send_line (WEFT_LINE_RECEIVER (self), "HELLO in the clear", -1);
  weft_line_receiver_send_line (WEFT_LINE_RECEIVER (self), "STARTTLS", -1);
  if (self->pipelined)
    {
      starttls_upgrade (self);
      weft_line_receiver_send_line (WEFT_LINE_RECEIVER (self), "secret", -1);
    }
}

static void
test_starttls_line_received (WeftLineReceiver *receiver, const char *line, gsize len)
{
  TestStarttls *self = TEST_STARTTLS (receiver);

  g_ptr_array_add (self->lines, g_strndup (line, len));
  if (self->server)
    {
      if (strcmp (line, "STARTTLS") == 0)
        {
          if (!self->pipelined)
            weft_line_receiver_send_line (receiver, "GO", -1);
          starttls_upgrade (self);
        }
      else
        {
          g_autofree char *echo = g_strdup_printf ("echo: %s", line);

          weft_line_receiver_send_line (receiver, echo, -1);
        }
    }
  else if (strcmp (line, "GO") == 0)
    {
      starttls_upgrade (self);
      /* Held until the handshake has succeeded. */
      weft_line_receiver_send_line (receiver, "secret", -1);
    }
}

static void
test_starttls_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  TestStarttls *self = TEST_STARTTLS (protocol);

  self->n_lost++;
  self->reason = g_error_copy (reason);
  WEFT_PROTOCOL_CLASS (test_starttls_parent_class)->connection_lost (protocol, reason);
}

static void
test_starttls_finalize (GObject *object)
{
  TestStarttls *self = TEST_STARTTLS (object);

  g_ptr_array_unref (self->lines);
  g_clear_object (&self->options);
  g_clear_object (&self->hand_over_to);
  g_clear_error (&self->reason);

  G_OBJECT_CLASS (test_starttls_parent_class)->finalize (object);
}

static void
test_starttls_class_init (TestStarttlsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_starttls_finalize;
  WEFT_PROTOCOL_CLASS (klass)->connection_made = test_starttls_connection_made;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = test_starttls_connection_lost;
  WEFT_LINE_RECEIVER_CLASS (klass)->line_received = test_starttls_line_received;
}

static void
test_starttls_init (TestStarttls *self)
{
  self->lines = g_ptr_array_new_with_free_func (g_free);
}

static TestStarttls *
starttls_new (gboolean server, WeftTlsOptions *options)
{
  TestStarttls *self = g_object_new (TEST_TYPE_STARTTLS, NULL);

  self->server = server;
  self->options = g_object_ref (options);
  return self;
}

static void
assert_lines (TestStarttls *self, const char *const *expected)
{
  g_ptr_array_add (self->lines, NULL);
  g_assert_cmpstrv ((const char *const *) self->lines->pdata, expected);
  g_ptr_array_remove_index (self->lines, self->lines->len - 1);
}

static void
test_starttls (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (TestStarttls) client = starttls_new (FALSE, client_opts);
  g_autoptr (TestStarttls) server = starttls_new (TRUE, server_opts);
  g_autoptr (WeftLoopback) loopback = NULL;
  const char *const server_lines[] = { "HELLO in the clear", "STARTTLS", "secret", "after", NULL };
  const char *const client_lines[] = { "echo: HELLO in the clear", "GO", "echo: secret", "echo: after", NULL };

  loopback = weft_loopback_connect (WEFT_PROTOCOL (client), WEFT_PROTOCOL (server));
  weft_loopback_pump (loopback);

  g_assert_nonnull (client->tls);
  g_assert_nonnull (server->tls);
  g_assert_true (weft_tls_transport_is_handshake_done (client->tls));
  g_assert_true (weft_tls_transport_is_handshake_done (server->tls));
  /* Same protocols, now over TLS. */
  g_assert_true (weft_protocol_get_transport (WEFT_PROTOCOL (client)) == WEFT_TRANSPORT (client->tls));
  g_assert_true (weft_transport_get_protocol (weft_loopback_get_client_transport (loopback)) ==
                 WEFT_PROTOCOL (client->tls));
  g_assert_true (weft_tls_transport_get_lower_transport (server->tls) == weft_loopback_get_server_transport (loopback));

  weft_line_receiver_send_line (WEFT_LINE_RECEIVER (client), "after", -1);
  weft_loopback_pump (loopback);
  assert_lines (server, server_lines);
  assert_lines (client, client_lines);

  weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (client)));
  weft_loopback_pump (loopback);
  g_assert_true (weft_loopback_is_finished (loopback));
  g_assert_cmpuint (client->n_lost, ==, 1);
  g_assert_cmpuint (server->n_lost, ==, 1);
  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_error (server->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
}

/* Moves what one string transport's protocol wrote to the other's, each
 * batch in one data_received, until both are quiet. */
static void
shuttle (WeftStringTransport *a, WeftStringTransport *b)
{
  gboolean moved;

  do
    {
      WeftStringTransport *pairs[2][2] = { { a, b }, { b, a } };

      moved = FALSE;
      for (int i = 0; i < 2; i++)
        {
          g_autoptr (GBytes) bytes = weft_string_transport_get_value (pairs[i][0]);

          if (g_bytes_get_size (bytes) == 0)
            continue;
          weft_string_transport_clear (pairs[i][0]);
          weft_string_transport_receive (pairs[i][1], g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
          moved = TRUE;
        }
    }
  while (moved);
}

static void
test_starttls_pipelined (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (TestStarttls) client = starttls_new (FALSE, client_opts);
  g_autoptr (TestStarttls) server = starttls_new (TRUE, server_opts);
  g_autoptr (WeftStringTransport) client_transport = weft_string_transport_new ();
  g_autoptr (WeftStringTransport) server_transport = weft_string_transport_new ();
  const char *const server_lines[] = { "STARTTLS", "secret", NULL };
  const char *const client_lines[] = { "echo: secret", NULL };

  /* The client sends its hello right behind "STARTTLS": the server's line
   * receiver has read it already, and hands it to TLS. */
  client->pipelined = server->pipelined = TRUE;
  weft_string_transport_connect (server_transport, WEFT_PROTOCOL (server));
  weft_string_transport_connect (client_transport, WEFT_PROTOCOL (client));
  g_assert_cmpmem (weft_string_transport_peek_string (client_transport, NULL), 10, "STARTTLS\r\n", 10);
  shuttle (client_transport, server_transport);

  g_assert_true (weft_tls_transport_is_handshake_done (client->tls));
  g_assert_true (weft_tls_transport_is_handshake_done (server->tls));
  assert_lines (server, server_lines);
  assert_lines (client, client_lines);

  weft_string_transport_connection_lost (client_transport, NULL);
  weft_string_transport_connection_lost (server_transport, NULL);
  g_assert_cmpuint (client->n_lost, ==, 1);
  g_assert_error (client->reason, WEFT_TLS_ERROR, WEFT_TLS_ERROR_EOF);
}

static void
test_starttls_hand_over (void)
{
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (TestStarttls) client = starttls_new (FALSE, client_opts);
  g_autoptr (TestStarttls) server = starttls_new (TRUE, server_opts);
  g_autoptr (WeftLoopback) loopback = NULL;
  TestPeer *next = test_peer_new ();

  next->echo = TRUE;
  server->hand_over_to = next;
  loopback = weft_loopback_connect (WEFT_PROTOCOL (client), WEFT_PROTOCOL (server));
  weft_loopback_pump (loopback);

  /* The line receiver is done; the new protocol echoes raw bytes. */
  g_assert_cmpuint (server->n_lost, ==, 1);
  g_assert_error (server->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_nonnull (strstr (server->reason->message, "handed over"));
  g_assert_cmpuint (next->n_made, ==, 1);
  g_assert_true (weft_protocol_get_transport (WEFT_PROTOCOL (next)) == WEFT_TRANSPORT (server->tls));
  assert_received (next, "secret\r\n");
  g_assert_cmpstr (g_ptr_array_index (client->lines, client->lines->len - 1), ==, "secret");

  weft_transport_lose_connection (WEFT_TRANSPORT (server->tls));
  weft_loopback_pump (loopback);
  g_assert_true (weft_loopback_is_finished (loopback));
  assert_lost_with (next, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, NULL);
}

static void
test_starttls_string_transport (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autoptr (TestPeer) peer = test_peer_new ();
  WeftTlsTransport *tls;
  gsize len, high = 0, low = 0;
  const guint8 *sent;

  weft_string_transport_connect (transport, WEFT_PROTOCOL (peer));
  weft_transport_write (WEFT_TRANSPORT (transport), "STARTTLS\r\n", 10);
  tls = weft_tls_start (WEFT_TRANSPORT (transport), WEFT_PROTOCOL (peer), client_opts, &error);
  g_assert_no_error (error);
  g_assert_true (weft_transport_get_protocol (WEFT_TRANSPORT (transport)) == WEFT_PROTOCOL (tls));
  g_assert_cmpuint (peer->n_made, ==, 1);

  /* The plaintext, then a ClientHello: a handshake record, TLS 1.x. */
  sent = (const guint8 *) weft_string_transport_peek_string (transport, &len);
  g_assert_cmpuint (len, >, 15);
  g_assert_cmpmem (sent, 10, "STARTTLS\r\n", 10);
  g_assert_cmpuint (sent[10], ==, 22);
  g_assert_cmpuint (sent[11], ==, 3);

  /* Reading and the write-buffer limits are those of the transport below. */
  weft_transport_pause_reading (WEFT_TRANSPORT (tls));
  g_assert_true (weft_string_transport_is_reading_paused (transport));
  weft_transport_resume_reading (WEFT_TRANSPORT (tls));
  g_assert_false (weft_string_transport_is_reading_paused (transport));
  weft_transport_set_write_buffer_limits (WEFT_TRANSPORT (tls), 300, 100);
  weft_transport_get_write_buffer_limits (WEFT_TRANSPORT (transport), &high, &low);
  g_assert_cmpuint (high, ==, 300);
  g_assert_cmpuint (low, ==, 100);

  /* Data the peer did not encrypt: a clear error. */
  weft_string_transport_receive (transport, "500 what?\r\n", -1);
  g_assert_true (weft_string_transport_is_disconnecting (transport));
  weft_string_transport_connection_lost (transport, NULL);
  assert_lost_with (peer, WEFT_TLS_ERROR, WEFT_TLS_ERROR_NOT_TLS, "500 what?");
}

static void
test_starttls_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftTlsOptions) server = weft_tls_options_new_server ();
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autoptr (TestPeer) peer = test_peer_new ();

  weft_string_transport_connect (transport, WEFT_PROTOCOL (peer));
  g_assert_null (weft_tls_start (WEFT_TRANSPORT (transport), WEFT_PROTOCOL (peer), server, &error));
  g_assert_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS);
  g_clear_error (&error);
  g_assert_true (weft_transport_get_protocol (WEFT_TRANSPORT (transport)) == WEFT_PROTOCOL (peer));

  weft_transport_lose_connection (WEFT_TRANSPORT (transport));
  g_assert_null (weft_tls_start (WEFT_TRANSPORT (transport), WEFT_PROTOCOL (peer), client_opts, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  weft_string_transport_connection_lost (transport, NULL);
}

/* ------------------------------------------------------------------ */
/* The factory                                                          */

#define TEST_TYPE_CLIENT_FACTORY (test_client_factory_get_type ())
G_DECLARE_FINAL_TYPE (TestClientFactory, test_client_factory, TEST, CLIENT_FACTORY, WeftClientFactory)

struct _TestClientFactory {
  WeftClientFactory parent_instance;

  guint n_started, n_failed, n_lost;
  GError *reason;
};

G_DEFINE_FINAL_TYPE (TestClientFactory, test_client_factory, WEFT_TYPE_CLIENT_FACTORY)

static void
test_client_factory_started_connecting (WeftClientFactory *factory, WeftConnector *connector)
{
  TEST_CLIENT_FACTORY (factory)->n_started++;
}

static void
test_client_factory_client_connection_failed (WeftClientFactory *factory,
                                              WeftConnector *connector,
                                              const GError *reason)
{
  TestClientFactory *self = TEST_CLIENT_FACTORY (factory);

  self->n_failed++;
  g_clear_error (&self->reason);
  self->reason = g_error_copy (reason);
}

static void
test_client_factory_client_connection_lost (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  TestClientFactory *self = TEST_CLIENT_FACTORY (factory);

  self->n_lost++;
  g_clear_error (&self->reason);
  self->reason = g_error_copy (reason);
}

static void
test_client_factory_finalize (GObject *object)
{
  g_clear_error (&TEST_CLIENT_FACTORY (object)->reason);

  G_OBJECT_CLASS (test_client_factory_parent_class)->finalize (object);
}

static void
test_client_factory_class_init (TestClientFactoryClass *klass)
{
  WeftClientFactoryClass *client_class = WEFT_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_client_factory_finalize;
  client_class->started_connecting = test_client_factory_started_connecting;
  client_class->client_connection_failed = test_client_factory_client_connection_failed;
  client_class->client_connection_lost = test_client_factory_client_connection_lost;
}

static void
test_client_factory_init (TestClientFactory *self)
{
}

/* A connector's view: it calls the client hooks of the factory it was
 * given, with the reasons of the connection below. */
static void
test_factory_client_hooks (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "refused");
  g_autoptr (GError) tcp_done = g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, "closed cleanly");
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options_with (certs->expired_cert);
  g_autoptr (TestClientFactory) inner = g_object_new (TEST_TYPE_CLIENT_FACTORY, "protocol-type", TEST_TYPE_PEER, NULL);
  g_autoptr (WeftTlsFactory) factory = weft_tls_factory_new (WEFT_FACTORY (inner), client_opts, &error);
  g_autoptr (WeftProtocol) client_side = NULL;
  g_autoptr (TestPeer) server = test_peer_new ();
  g_autoptr (WeftTlsTransport) server_tls = weft_tls_transport_new (WEFT_PROTOCOL (server), server_opts, &error);
  g_autoptr (WeftLoopback) loopback = NULL;

  g_assert_no_error (error);
  weft_client_factory_started_connecting (WEFT_CLIENT_FACTORY (factory), NULL);
  g_assert_cmpuint (inner->n_started, ==, 1);
  weft_client_factory_client_connection_failed (WEFT_CLIENT_FACTORY (factory), NULL, refused);
  g_assert_cmpuint (inner->n_failed, ==, 1);
  g_assert_error (inner->reason, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);

  client_side = weft_factory_build_protocol (WEFT_FACTORY (factory), NULL);
  g_assert_true (weft_protocol_get_factory (client_side) == WEFT_FACTORY (factory));
  loopback = weft_loopback_connect (client_side, WEFT_PROTOCOL (server_tls));
  weft_loopback_pump (loopback);
  g_assert_true (weft_loopback_is_finished (loopback));

  /* The connection below closed cleanly; the wrapped factory learns why it
   * really ended. */
  weft_client_factory_client_connection_lost (WEFT_CLIENT_FACTORY (factory), NULL, tcp_done);
  g_assert_cmpuint (inner->n_lost, ==, 1);
  g_assert_error (inner->reason, WEFT_TLS_ERROR, WEFT_TLS_ERROR_CERTIFICATE_EXPIRED);
}

static void
test_factory (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftTlsOptions) client_opts = client_options ();
  g_autoptr (WeftTlsOptions) server_opts = server_options ();
  g_autoptr (WeftFactory) inner = weft_factory_new (TEST_TYPE_PEER);
  g_autoptr (WeftTlsFactory) factory = weft_tls_factory_new (inner, server_opts, &error);
  g_autoptr (WeftProtocol) server_side = NULL;
  g_autoptr (TestPeer) client = test_peer_new ();
  g_autoptr (WeftTlsTransport) client_tls = NULL;
  g_autoptr (WeftLoopback) loopback = NULL;
  TestPeer *server;

  g_assert_no_error (error);
  g_assert_true (weft_tls_factory_get_wrapped_factory (factory) == inner);
  g_assert_true (weft_tls_factory_get_options (factory) == server_opts);
  weft_factory_do_start (WEFT_FACTORY (factory));
  g_assert_cmpuint (weft_factory_get_start_count (inner), ==, 1);

  server_side = weft_factory_build_protocol (WEFT_FACTORY (factory), NULL);
  g_assert_true (WEFT_IS_TLS_TRANSPORT (server_side));
  server = TEST_PEER (weft_tls_transport_get_wrapped_protocol (WEFT_TLS_TRANSPORT (server_side)));
  g_assert_true (weft_protocol_get_factory (WEFT_PROTOCOL (server)) == inner);
  server->echo = TRUE;

  client_tls = weft_tls_transport_new (WEFT_PROTOCOL (client), client_opts, &error);
  loopback = weft_loopback_connect (WEFT_PROTOCOL (client_tls), server_side);
  weft_transport_write (WEFT_TRANSPORT (client_tls), "via factory", 11);
  weft_loopback_pump (loopback);
  assert_received (client, "via factory");

  weft_factory_do_stop (WEFT_FACTORY (factory));
  g_assert_cmpuint (weft_factory_get_start_count (inner), ==, 0);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  certs = tls_test_certs_new ();

  g_test_add_func ("/tls/handshake/echo", test_echo);
  g_test_add_func ("/tls/handshake/writes-before-handshake", test_writes_before_handshake);
  g_test_add_func ("/tls/handshake/large-transfer", test_large_transfer);
  g_test_add_func ("/tls/handshake/deferred", test_handshake_deferred);
  g_test_add_func ("/tls/handshake/deferred-failure", test_handshake_deferred_failure);
  g_test_add_func ("/tls/handshake/version-mismatch", test_version_mismatch);
  g_test_add_func ("/tls/handshake/tls12", test_tls12);
  g_test_add_func ("/tls/alpn", test_alpn);
  g_test_add_func ("/tls/sni", test_sni);
  g_test_add_func ("/tls/client-certificate/provided", test_client_certificate_provided);
  g_test_add_func ("/tls/client-certificate/missing", test_client_certificate_missing);
  g_test_add_func ("/tls/client-certificate/requested", test_client_certificate_requested);
  g_test_add_func ("/tls/client-certificate/rejected", test_client_certificate_rejected);
  g_test_add_func ("/tls/pin/match", test_pin_match);
  g_test_add_func ("/tls/pin/mismatch", test_pin_mismatch);
  g_test_add_func ("/tls/pin/malformed", test_pin_malformed);
  g_test_add_func ("/tls/verify/expired", test_verify_expired);
  g_test_add_func ("/tls/verify/not-yet-valid", test_verify_not_yet_valid);
  g_test_add_func ("/tls/verify/unknown-issuer", test_verify_unknown_issuer);
  g_test_add_func ("/tls/verify/wrong-name", test_verify_wrong_name);
  g_test_add_func ("/tls/verify/wrong-address", test_verify_wrong_address);
  g_test_add_func ("/tls/verify/system-trust", test_verify_system_trust);
  g_test_add_func ("/tls/verify/off", test_verify_off);
  g_test_add_func ("/tls/options/errors", test_options_errors);
  g_test_add_func ("/tls/options/snapshot", test_options_snapshot);
  g_test_add_func ("/tls/close/clean", test_close_clean);
  g_test_add_func ("/tls/close/with-error", test_close_with_error);
  g_test_add_func ("/tls/close/during-handshake", test_close_during_handshake);
  g_test_add_func ("/tls/close/truncated", test_close_truncated);
  g_test_add_func ("/tls/close/abort", test_close_abort);
  g_test_add_func ("/tls/close/half-close", test_half_close);
  g_test_add_func ("/tls/garbage/to-server", test_garbage_to_server);
  g_test_add_func ("/tls/garbage/to-client", test_garbage_to_client);
  g_test_add_func ("/tls/garbage/after-handshake", test_garbage_after_handshake);
  g_test_add_func ("/tls/flow/pending-writes", test_flow_pending_writes);
  g_test_add_func ("/tls/flow/lower-writes", test_flow_lower_writes);
  g_test_add_func ("/tls/flow/pause-reading", test_flow_pause_reading);
  g_test_add_func ("/tls/reactor", test_reactor);
  g_test_add_func ("/tls/starttls/line-receiver", test_starttls);
  g_test_add_func ("/tls/starttls/pipelined", test_starttls_pipelined);
  g_test_add_func ("/tls/starttls/hand-over", test_starttls_hand_over);
  g_test_add_func ("/tls/starttls/string-transport", test_starttls_string_transport);
  g_test_add_func ("/tls/starttls/refused", test_starttls_refused);
  g_test_add_func ("/tls/factory/wrap", test_factory);
  g_test_add_func ("/tls/factory/client-hooks", test_factory_client_hooks);

  ret = g_test_run ();
  tls_test_certs_free (certs);
  return ret;
}
