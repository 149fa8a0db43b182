/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Endpoints on every backend: descriptions to connections and listening
 * ports, name resolution, Happy Eyeballs, cancelling, and a client service
 * that outlives its server. Everything stays on loopback; names that need
 * several addresses get them from a resolver installed on the reactor. */

#include "conformance-stream.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tls-test-certs.h"

static WeftListeningPort *
listen_description (ConformanceFixture *f, const char *description, WeftFactory *factory)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftServerEndpoint) endpoint = weft_server_endpoint_from_string (f->reactor, description, &error);
  g_autoptr (WeftDeferred) listening = NULL;
  StreamConnectResult result;
  WeftListeningPort *port;

  g_assert_no_error (error);
  listening = weft_server_endpoint_listen (endpoint, factory);
  stream_capture_connect (listening, &result);
  g_assert_true (result.fired);
  g_assert_no_error (result.error);
  g_assert_true (WEFT_IS_LISTENING_PORT (result.protocol));
  port = WEFT_LISTENING_PORT (g_steal_pointer (&result.protocol));
  g_assert_true (weft_listening_port_is_listening (port));
  return port;
}

static WeftClientEndpoint *client_endpoint (ConformanceFixture *f, const char *format, ...) G_GNUC_PRINTF (2, 3);

static WeftClientEndpoint *
client_endpoint (ConformanceFixture *f, const char *format, ...)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *description = NULL;
  WeftClientEndpoint *endpoint;
  va_list args;

  va_start (args, format);
  description = g_strdup_vprintf (format, args);
  va_end (args);
  endpoint = weft_client_endpoint_from_string (f->reactor, description, &error);
  g_assert_no_error (error);
  return endpoint;
}

/* Starts a connect and checks that nothing fires from inside the call. */
static WeftDeferred *
start_connect (WeftClientEndpoint *endpoint, StreamFactory *factory, StreamConnectResult *result)
{
  WeftDeferred *deferred = weft_client_endpoint_connect (endpoint, WEFT_CLIENT_FACTORY (factory));

  stream_capture_connect (deferred, result);
  g_assert_false (result->fired);
  g_assert_cmpuint (factory->n_started_connecting, ==, 1);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 1);
  return deferred;
}

static StreamPeer *
connect_ok (ConformanceFixture *f, WeftClientEndpoint *endpoint, StreamFactory *factory)
{
  g_autoptr (WeftDeferred) deferred = NULL;
  StreamConnectResult result;

  deferred = start_connect (endpoint, factory, &result);
  stream_wait_connected (f, &result);
  g_assert_true (STREAM_IS_PEER (result.protocol));
  g_assert_cmpuint (STREAM_PEER (result.protocol)->n_made, ==, 1);
  g_assert_cmpuint (factory->n_failed, ==, 0);
  return STREAM_PEER (g_steal_pointer (&result.protocol));
}

static GError *
wait_failure (ConformanceFixture *f, StreamConnectResult *result, StreamFactory *factory)
{
  stream_wait_connect_fired (f, result);
  g_assert_null (result->protocol);
  g_assert_nonnull (result->error);
  g_assert_cmpuint (factory->n_failed, ==, 1);
  g_assert_nonnull (factory->failure);
  g_assert_cmpstr (factory->failure->message, ==, result->error->message);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 0);
  return g_steal_pointer (&result->error);
}

static void
assert_peer_address (StreamPeer *peer, const char *expected_host, guint16 expected_port)
{
  g_autoptr (GSocketAddress) address =
      weft_transport_get_peer_address (weft_protocol_get_transport (WEFT_PROTOCOL (peer)));
  g_autofree char *host = NULL;

  g_assert_true (G_IS_INET_SOCKET_ADDRESS (address));
  host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  g_assert_cmpstr (host, ==, expected_host);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)), ==, expected_port);
}

static gboolean
have_ipv6_loopback (void)
{
  struct sockaddr_in6 sin6 = { 0 };
  int fd = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  sin6.sin6_family = AF_INET6;
  sin6.sin6_addr = in6addr_loopback;
  ok = bind (fd, (struct sockaddr *) &sin6, sizeof sin6) == 0;
  close (fd);
  return ok;
}

/* A listener whose accept queue is full: connecting to it hangs (the
 * kernel drops the SYNs) until the attempt is given up. */
typedef struct {
  int listener;
  int filler;
  guint16 port;
  char *host;
} Hang;

static void
hang_open (Hang *hang)
{
  struct sockaddr_storage ss = { 0 };
  socklen_t len;
  gboolean v6 = have_ipv6_loopback ();
  int family = v6 ? AF_INET6 : AF_INET;

  hang->host = g_strdup (v6 ? "::1" : "127.0.0.1");
  if (v6)
    {
      ((struct sockaddr_in6 *) &ss)->sin6_family = AF_INET6;
      ((struct sockaddr_in6 *) &ss)->sin6_addr = in6addr_loopback;
      len = sizeof (struct sockaddr_in6);
    }
  else
    {
      ((struct sockaddr_in *) &ss)->sin_family = AF_INET;
      ((struct sockaddr_in *) &ss)->sin_addr.s_addr = htonl (INADDR_LOOPBACK);
      len = sizeof (struct sockaddr_in);
    }
  hang->listener = socket (family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (hang->listener, >=, 0);
  g_assert_no_errno (bind (hang->listener, (struct sockaddr *) &ss, len));
  g_assert_no_errno (listen (hang->listener, 0));
  g_assert_no_errno (getsockname (hang->listener, (struct sockaddr *) &ss, &len));
  hang->port = ntohs (v6 ? ((struct sockaddr_in6 *) &ss)->sin6_port : ((struct sockaddr_in *) &ss)->sin_port);

  /* Fills the queue: this one completes, later ones wait. */
  hang->filler = socket (family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (hang->filler, >=, 0);
  g_assert_no_errno (connect (hang->filler, (struct sockaddr *) &ss, len));
}

static void
hang_close (Hang *hang)
{
  conformance_close (&hang->filler);
  conformance_close (&hang->listener);
  g_clear_pointer (&hang->host, g_free);
}

static char *
hang_address (Hang *hang)
{
  return strchr (hang->host, ':') != NULL ? g_strdup_printf ("[%s]:%u", hang->host, hang->port)
                                          : g_strdup_printf ("%s:%u", hang->host, hang->port);
}

/* A resolver that answers one name with fixed addresses. */
typedef struct {
  const char *name;
  GStrv addresses;
  guint n_calls;
} FixedName;

static WeftDeferred *
fixed_name_resolve (WeftReactor *reactor, const char *host, guint16 port, GSocketFamily family, gpointer user_data)
{
  FixedName *fixed = user_data;

  if (!g_str_equal (host, fixed->name))
    return NULL;
  fixed->n_calls++;
  return weft_resolve_addresses ((const char *const *) fixed->addresses, port);
}

static void fixed_name_install (ConformanceFixture *f, FixedName *fixed, const char *name, ...) G_GNUC_NULL_TERMINATED;

static void
fixed_name_install (ConformanceFixture *f, FixedName *fixed, const char *name, ...)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const char *address;
  va_list args;

  va_start (args, name);
  while ((address = va_arg (args, const char *)) != NULL)
    g_strv_builder_add (builder, address);
  va_end (args);

  fixed->name = name;
  fixed->addresses = g_strv_builder_end (builder);
  fixed->n_calls = 0;
  weft_reactor_set_resolver (f->reactor, fixed_name_resolve, fixed, NULL);
}

static void
fixed_name_clear (ConformanceFixture *f, FixedName *fixed)
{
  weft_reactor_set_resolver (f->reactor, NULL, NULL, NULL);
  g_clear_pointer (&fixed->addresses, g_strfreev);
}

/* endpoints/tcp-string-echo ---------------------------------------------- */

static void
test_tcp_string_echo (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (StreamPeer) client = NULL;

  port = listen_description (f, "tcp:0:interface=127.0.0.1", WEFT_FACTORY (server_factory));
  g_assert_cmpuint (stream_port_number (port), !=, 0);

  endpoint = client_endpoint (f, "tcp:127.0.0.1:%u:timeout=10", stream_port_number (port));
  client = connect_ok (f, endpoint, client_factory);
  g_assert_true (weft_protocol_get_factory (WEFT_PROTOCOL (client)) == WEFT_FACTORY (client_factory));
  assert_peer_address (client, "127.0.0.1", stream_port_number (port));

  stream_echo_round_trip (f, client, server_factory);
  g_assert_cmpuint (client_factory->n_client_lost, ==, 1);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (client_factory)), ==, 0);
  stream_stop_listening (f, port);
}

/* endpoints/unix-string-echo --------------------------------------------- */

static void
test_unix_string_echo (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (StreamPeer) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("weft-endpoint-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *description = NULL;
  struct stat st;

  g_assert_no_error (error);
  /* A colon in the path, escaped in the description. */
  path = g_build_filename (dir, "echo:1.sock", NULL);
  quoted = weft_endpoint_quote_argument (path);
  description = g_strdup_printf ("unix:%s:mode=0600:backlog=5", quoted);
  port = listen_description (f, description, WEFT_FACTORY (server_factory));
  g_assert_no_errno (stat (path, &st));
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);

  endpoint = client_endpoint (f, "unix:%s:timeout=10", quoted);
  client = connect_ok (f, endpoint, client_factory);
  stream_echo_round_trip (f, client, server_factory);
  g_assert_cmpuint (client_factory->n_client_lost, ==, 1);
  stream_stop_listening (f, port);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_no_errno (g_rmdir (dir));
}

/* endpoints/tls-string-echo ---------------------------------------------- */

static void
tls_warm_up (void)
{
  /* GnuTLS sets itself up on first use; that is not a leak of the case. */
  tls_test_certs_free (tls_test_certs_new ());
}

static void
tls_echo_once (ConformanceFixture *f, WeftClientEndpoint *endpoint, StreamFactory *server_factory, guint n_peer)
{
  static const char message[] = "secret hello\n";
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (StreamPeer) client = connect_ok (f, endpoint, client_factory);
  WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (client));
  StreamPeer *server;

  g_assert_true (WEFT_IS_TLS_TRANSPORT (transport));
  g_assert_true (weft_tls_transport_is_handshake_done (WEFT_TLS_TRANSPORT (transport)));
  weft_transport_write (transport, message, strlen (message));
  stream_wait_received (f, client, strlen (message));
  g_assert_cmpmem (client->received->data, client->received->len, message, strlen (message));
  stream_wait_peers (f, server_factory, n_peer + 1);
  server = stream_factory_get_peer (server_factory, n_peer);

  weft_transport_lose_connection (transport);
  stream_wait_lost (f, client);
  stream_wait_lost (f, server);
  g_assert_cmpuint (client_factory->n_client_lost, ==, 1);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (client_factory)), ==, 0);
}

static void
test_tls_string_echo (ConformanceFixture *f)
{
  g_autoptr (TlsTestCerts) certs = tls_test_certs_new ();
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (WeftClientEndpoint) by_ca = NULL;
  g_autoptr (WeftClientEndpoint) by_pin = NULL;
  g_autofree char *server = NULL;
  g_autofree char *cert = weft_endpoint_quote_argument (certs->server_cert);
  g_autofree char *key = weft_endpoint_quote_argument (certs->leaf_key);
  g_autofree char *ca = weft_endpoint_quote_argument (certs->ca_cert);
  g_autofree char *pin = weft_endpoint_quote_argument (certs->server_fingerprint);
  FixedName localhost = { 0 };

  server = g_strdup_printf ("tls:0:interface=127.0.0.1:cert=%s:key=%s", cert, key);
  port = listen_description (f, server, WEFT_FACTORY (server_factory));

  /* The certificate names "localhost", which resolves here to the server. */
  fixed_name_install (f, &localhost, "localhost", "127.0.0.1", NULL);
  by_ca = client_endpoint (f, "tls:localhost:%u:ca=%s:timeout=10", stream_port_number (port), ca);
  tls_echo_once (f, by_ca, server_factory, 0);
  g_assert_cmpuint (localhost.n_calls, ==, 1);

  by_pin = client_endpoint (f, "tls:127.0.0.1:%u:fingerprint=%s", stream_port_number (port), pin);
  tls_echo_once (f, by_pin, server_factory, 1);

  fixed_name_clear (f, &localhost);
  stream_stop_listening (f, port);
}

/* endpoints/tls-bad-certificate: the failure reaches the caller and the
 * factory as a connection failure. */
static void
test_tls_bad_certificate (ConformanceFixture *f)
{
  g_autoptr (TlsTestCerts) certs = tls_test_certs_new ();
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (WeftDeferred) deferred = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *cert = weft_endpoint_quote_argument (certs->unknown_ca_cert);
  g_autofree char *key = weft_endpoint_quote_argument (certs->leaf_key);
  g_autofree char *ca = weft_endpoint_quote_argument (certs->ca_cert);
  StreamConnectResult result;

  server = g_strdup_printf ("tls:0:interface=127.0.0.1:cert=%s:key=%s", cert, key);
  port = listen_description (f, server, WEFT_FACTORY (server_factory));
  endpoint = client_endpoint (f, "tls:127.0.0.1:%u:ca=%s", stream_port_number (port), ca);
  deferred = weft_client_endpoint_connect (endpoint, WEFT_CLIENT_FACTORY (client_factory));
  stream_capture_connect (deferred, &result);
  stream_wait_connect_fired (f, &result);
  g_assert_null (result.protocol);
  g_assert_error (result.error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_UNKNOWN_ISSUER);
  g_assert_cmpuint (client_factory->n_failed, ==, 1);
  g_assert_cmpuint (client_factory->n_client_lost, ==, 0);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (client_factory)), ==, 0);
  stream_connect_result_clear (&result);

  /* Let the server side see the end too. */
  stream_wait_peers (f, server_factory, 1);
  stream_wait_lost (f, stream_factory_get_peer (server_factory, 0));
  stream_stop_listening (f, port);
}

/* endpoints/dns-failure -------------------------------------------------- */

static void
test_dns_failure (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftClientEndpoint) endpoint = client_endpoint (f, "tcp:no-such-host.invalid:6667");
  g_autoptr (WeftDeferred) deferred = NULL;
  g_autoptr (GError) error = NULL;
  StreamConnectResult result;

  deferred = start_connect (endpoint, factory, &result);
  error = wait_failure (f, &result, factory);
  g_assert_cmpuint (factory->peers->len, ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "Cannot resolve “no-such-host.invalid”: Name or service not known");
}

/* endpoints/resolve-localhost -------------------------------------------- */

static WeftDeferred *
capture_addresses (WeftResult *result, gpointer user_data)
{
  GPtrArray **addresses = user_data;

  g_assert_false (weft_result_is_error (result));
  g_assert_true (weft_result_holds (result, G_TYPE_PTR_ARRAY));
  *addresses = g_ptr_array_ref (weft_result_get_boxed (result));
  return NULL;
}

static gboolean
addresses_set (gpointer user_data)
{
  return *(GPtrArray **) user_data != NULL;
}

static void
test_resolve_localhost (ConformanceFixture *f)
{
  g_autoptr (WeftDeferred) deferred = weft_reactor_resolve (f->reactor, "localhost", 4242, G_SOCKET_FAMILY_INVALID);
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (StreamPeer) client = NULL;
  g_autoptr (GPtrArray) addresses = NULL;

  /* Through the thread pool: not there yet. */
  g_assert_false (weft_deferred_has_fired (deferred));
  weft_deferred_add_callback (deferred, capture_addresses, &addresses, NULL);
  stream_iterate_until (f, addresses_set, &addresses);
  g_assert_cmpuint (addresses->len, >, 0);
  for (guint i = 0; i < addresses->len; i++)
    {
      GInetSocketAddress *address = addresses->pdata[i];

      g_assert_true (G_IS_INET_SOCKET_ADDRESS (address));
      g_assert_true (g_inet_address_get_is_loopback (g_inet_socket_address_get_address (address)));
      g_assert_cmpuint (g_inet_socket_address_get_port (address), ==, 4242);
    }

  /* The same name through an endpoint, and every address tried. */
  port = listen_description (f, "tcp:0:interface=127.0.0.1", WEFT_FACTORY (server_factory));
  endpoint = client_endpoint (f, "tcp:localhost:%u:timeout=10", stream_port_number (port));
  client = connect_ok (f, endpoint, client_factory);
  assert_peer_address (client, "127.0.0.1", stream_port_number (port));
  stream_echo_round_trip (f, client, server_factory);
  stream_stop_listening (f, port);
}

/* endpoints/happy-eyeballs-unreachable-family ---------------------------- */

/* "dual.test" has [::1] first, but the server listens on 127.0.0.1 only:
 * the IPv6 attempt is refused and IPv4 is tried right away, not after the
 * attempt delay (an hour here, so waiting for it would fail the case). */
static void
test_happy_eyeballs_unreachable_family (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (StreamPeer) client = NULL;
  FixedName dual = { 0 };

  port = listen_description (f, "tcp:0:interface=127.0.0.1", WEFT_FACTORY (server_factory));
  fixed_name_install (f, &dual, "dual.test", "::1", "127.0.0.1", NULL);
  endpoint = client_endpoint (f, "tcp:dual.test:%u", stream_port_number (port));
  weft_tcp_client_endpoint_set_attempt_delay (WEFT_TCP_CLIENT_ENDPOINT (endpoint), 3600 * WEFT_USEC_PER_SEC);

  client = connect_ok (f, endpoint, client_factory);
  g_assert_cmpuint (dual.n_calls, ==, 1);
  assert_peer_address (client, "127.0.0.1", stream_port_number (port));
  g_assert_cmpuint (client_factory->n_started_connecting, ==, 1);
  g_assert_cmpuint (client_factory->n_failed, ==, 0);
  stream_echo_round_trip (f, client, server_factory);
  g_assert_cmpuint (client_factory->peers->len, ==, 1);

  fixed_name_clear (f, &dual);
  stream_stop_listening (f, port);
}

/* endpoints/happy-eyeballs-all-fail -------------------------------------- */

static void
test_happy_eyeballs_all_fail (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (WeftDeferred) deferred = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *v6_failure = NULL;
  StreamConnectResult result;
  FixedName dual = { 0 };
  guint16 port;
  /* A port on 127.0.0.1 where nothing listens: bound, never listened on, so
   * no other test takes it while this one runs. */
  int reserved = stream_raw_listener (&port, -1);

  fixed_name_install (f, &dual, "dual.test", "::1", "127.0.0.1", NULL);
  endpoint = client_endpoint (f, "tcp:dual.test:%u", port);
  deferred = start_connect (endpoint, factory, &result);
  error = wait_failure (f, &result, factory);

  /* Every address's failure, in the order they were tried. */
  g_assert_true (g_str_has_prefix (error->message, "Cannot connect to “dual.test” port "));
  if (have_ipv6_loopback ())
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
      expected = g_strdup_printf ("Cannot connect to “dual.test” port %u: Connection refused by [::1]:%u; "
                                  "Connection refused by 127.0.0.1:%u",
                                  port, port, port);
      g_assert_cmpstr (error->message, ==, expected);
    }
  else
    {
      v6_failure = g_strdup_printf ("[::1]:%u", port);
      g_assert_nonnull (strstr (error->message, v6_failure));
      expected = g_strdup_printf ("Connection refused by 127.0.0.1:%u", port);
      g_assert_true (g_str_has_suffix (error->message, expected));
    }

  fixed_name_clear (f, &dual);
  conformance_close (&reserved);
}

/* endpoints/happy-eyeballs-slow-first ------------------------------------ */

/* The first address never answers: after the attempt delay the second is
 * tried and wins; the first attempt is cancelled and its socket closed. */
static void
test_happy_eyeballs_slow_first (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (StreamPeer) client = NULL;
  g_autofree char *slow = NULL;
  g_autofree char *fast = NULL;
  FixedName name = { 0 };
  Hang hang = { 0 };
  guint n_fds_before;
  gint64 started;

  hang_open (&hang);
  port = listen_description (f, "tcp:0:interface=127.0.0.1", WEFT_FACTORY (server_factory));
  slow = hang_address (&hang);
  fast = g_strdup_printf ("127.0.0.1:%u", stream_port_number (port));
  fixed_name_install (f, &name, "slow.test", slow, fast, NULL);
  endpoint = client_endpoint (f, "tcp:slow.test:1");
  weft_tcp_client_endpoint_set_attempt_delay (WEFT_TCP_CLIENT_ENDPOINT (endpoint), 100000);

  n_fds_before = conformance_count_open_fds ();
  started = g_get_monotonic_time ();
  client = connect_ok (f, endpoint, client_factory);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 100 * 1000);
  assert_peer_address (client, "127.0.0.1", stream_port_number (port));
  /* The client's socket and the server's: the loser's is closed. */
  stream_wait_peers (f, server_factory, 1);
  g_assert_cmpuint (conformance_count_open_fds (), ==, n_fds_before + 2);

  stream_echo_round_trip (f, client, server_factory);
  g_assert_cmpuint (client_factory->peers->len, ==, 1);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (client_factory)), ==, 0);

  fixed_name_clear (f, &name);
  stream_stop_listening (f, port);
  hang_close (&hang);
}

/* endpoints/connect-timeout ---------------------------------------------- */

static void
test_connect_timeout (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (WeftDeferred) deferred = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  StreamConnectResult result;
  Hang hang = { 0 };

  hang_open (&hang);
  endpoint = client_endpoint (f, "tcp:[%s]:%u:timeout=0.2", hang.host, hang.port);
  deferred = start_connect (endpoint, factory, &result);
  error = wait_failure (f, &result, factory);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  expected = g_strdup_printf ("Connecting to “%s” port %u timed out after 0.2 seconds", hang.host, hang.port);
  g_assert_cmpstr (error->message, ==, expected);
  hang_close (&hang);
}

/* endpoints/connect-cancel ----------------------------------------------- */

static void
never_cancel (WeftDeferred *deferred, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static WeftDeferred *
never_resolve (WeftReactor *reactor, const char *host, guint16 port, GSocketFamily family, gpointer user_data)
{
  return weft_deferred_new_with_canceller (never_cancel, user_data, NULL);
}

static void
assert_cancelled (ConformanceFixture *f, WeftDeferred *deferred, StreamConnectResult *result, StreamFactory *factory)
{
  g_autoptr (GError) error = NULL;

  weft_deferred_cancel (deferred);
  error = wait_failure (f, result, factory);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_connect_cancel (ConformanceFixture *f)
{
  guint n_fds = conformance_count_open_fds ();
  Hang hang = { 0 };

  /* While resolving (a resolver of our own that never answers). */
  {
    g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
    g_autoptr (WeftClientEndpoint) endpoint = client_endpoint (f, "tcp:never.test:80");
    g_autoptr (WeftDeferred) deferred = NULL;
    StreamConnectResult result;
    guint n_cancelled = 0;

    weft_reactor_set_resolver (f->reactor, never_resolve, &n_cancelled, NULL);
    deferred = start_connect (endpoint, factory, &result);
    conformance_iterate_nonblocking (f, 3);
    assert_cancelled (f, deferred, &result, factory);
    g_assert_cmpuint (n_cancelled, ==, 1);
    weft_reactor_set_resolver (f->reactor, NULL, NULL, NULL);
  }

  /* While connecting: the socket is closed. */
  {
    g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
    g_autoptr (WeftClientEndpoint) endpoint = NULL;
    g_autoptr (WeftDeferred) deferred = NULL;
    StreamConnectResult result;

    hang_open (&hang);
    endpoint = client_endpoint (f, "tcp:[%s]:%u", hang.host, hang.port);
    deferred = start_connect (endpoint, factory, &result);
    conformance_iterate_nonblocking (f, 3);
    g_assert_cmpuint (conformance_count_open_fds (), ==, n_fds + 3);
    assert_cancelled (f, deferred, &result, factory);
    g_assert_cmpuint (conformance_count_open_fds (), ==, n_fds + 2);
    hang_close (&hang);
  }

  /* In the TLS handshake, with a server that never answers it: the
   * connection is aborted. */
  {
    g_autoptr (StreamFactory) server_factory = stream_factory_new (NULL, NULL);
    g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
    g_autoptr (WeftListeningPort) port = NULL;
    g_autoptr (WeftClientEndpoint) endpoint = NULL;
    g_autoptr (WeftDeferred) deferred = NULL;
    g_autoptr (GError) error = NULL;
    StreamConnectResult result;

    port = listen_description (f, "tcp:0:interface=127.0.0.1", WEFT_FACTORY (server_factory));
    endpoint = client_endpoint (f, "tls:127.0.0.1:%u:fingerprint=%064d", stream_port_number (port), 0);
    deferred = start_connect (endpoint, factory, &result);
    stream_wait_peers (f, server_factory, 1);
    stream_wait_received (f, stream_factory_get_peer (server_factory, 0), 1);
    g_assert_false (result.fired);
    weft_deferred_cancel (deferred);
    error = wait_failure (f, &result, factory);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpstr (error->message, ==, "The TLS handshake was cancelled");
    g_assert_cmpuint (factory->n_client_lost, ==, 0);
    /* TLS connects its protocol before the handshake, as Twisted does: it
     * is told the connection is gone. */
    g_assert_cmpuint (factory->peers->len, ==, 1);
    stream_wait_lost (f, stream_factory_get_peer (factory, 0));
    stream_wait_lost (f, stream_factory_get_peer (server_factory, 0));
    stream_stop_listening (f, port);
  }

  /* While the system resolver works in a thread: its answer is dropped
   * when it comes. */
  {
    g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
    g_autoptr (WeftClientEndpoint) endpoint = client_endpoint (f, "tcp:localhost:80");
    g_autoptr (WeftDeferred) deferred = NULL;
    StreamConnectResult result;

    deferred = start_connect (endpoint, factory, &result);
    assert_cancelled (f, deferred, &result, factory);
  }
}

/* endpoints/client-service-reconnects ------------------------------------ */

static WeftDeferred *
capture_protocol (WeftResult *result, gpointer user_data)
{
  WeftProtocol **protocol = user_data;

  g_assert_false (weft_result_is_error (result));
  *protocol = weft_result_dup_object (result);
  return NULL;
}

static gboolean
protocol_set (gpointer user_data)
{
  return *(WeftProtocol **) user_data != NULL;
}

static WeftProtocol *
wait_when_connected (ConformanceFixture *f, WeftClientService *service)
{
  g_autoptr (WeftDeferred) deferred = weft_client_service_when_connected (service, 0);
  WeftProtocol *protocol = NULL;

  weft_deferred_add_callback (deferred, capture_protocol, &protocol, NULL);
  stream_iterate_until (f, protocol_set, &protocol);
  return protocol;
}

static WeftDeferred *
mark_stopped (WeftResult *result, gpointer user_data)
{
  g_assert_true (weft_result_is_empty (result));
  *(gboolean *) user_data = TRUE;
  return NULL;
}

static gboolean
flag_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}

static gboolean
enough_failures (gpointer user_data)
{
  return weft_client_service_get_failed_attempts (user_data) >= 2;
}

static void
test_client_service_reconnects (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (WeftClientService) service = NULL;
  g_autoptr (WeftProtocol) first = NULL;
  g_autoptr (WeftProtocol) second = NULL;
  g_autoptr (WeftDeferred) give_up = NULL;
  g_autoptr (WeftDeferred) stopped = NULL;
  g_autofree char *again = NULL;
  StreamConnectResult gave_up;
  gboolean stop_fired = FALSE;
  guint16 number;

  port = listen_description (f, "tcp:0:interface=127.0.0.1", WEFT_FACTORY (server_factory));
  number = stream_port_number (port);
  endpoint = client_endpoint (f, "tcp:127.0.0.1:%u", number);
  service = weft_client_service_new (endpoint, WEFT_FACTORY (client_factory));
  weft_client_service_set_backoff (service, 20000, 100000, 1.5, 0);
  g_assert_false (weft_client_service_is_running (service));
  weft_client_service_start (service);
  g_assert_true (weft_client_service_is_running (service));

  first = wait_when_connected (f, service);
  g_assert_true (weft_client_service_get_protocol (service) == first);
  g_assert_cmpuint (client_factory->n_started_connecting, ==, 1);

  /* The server goes away, and the connection with it. */
  stream_stop_listening (f, port);
  g_clear_object (&port);
  stream_wait_peers (f, server_factory, 1);
  weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (stream_factory_get_peer (server_factory,
                                                                                                       0))));
  stream_wait_lost (f, STREAM_PEER (first));
  g_assert_null (weft_client_service_get_protocol (service));
  g_assert_cmpuint (client_factory->n_client_lost, ==, 1);

  /* Refused, again and again: a waiter that gives up after one failure
   * fails, one that waits does not. */
  give_up = weft_client_service_when_connected (service, 1);
  stream_capture_connect (give_up, &gave_up);
  stream_iterate_until (f, enough_failures, service);
  g_assert_true (gave_up.fired);
  g_assert_error (gave_up.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpuint (client_factory->n_failed, >=, 2);
  stream_connect_result_clear (&gave_up);

  /* The server comes back on the same port. */
  again = g_strdup_printf ("tcp:%u:interface=127.0.0.1", number);
  port = listen_description (f, again, WEFT_FACTORY (server_factory));
  second = wait_when_connected (f, service);
  g_assert_true (second != first);
  g_assert_cmpuint (weft_client_service_get_failed_attempts (service), ==, 0);
  stream_wait_peers (f, server_factory, 2);

  /* Stopping closes the connection, then fires. */
  stopped = weft_client_service_stop (service);
  weft_deferred_add_callback (stopped, mark_stopped, &stop_fired, NULL);
  g_assert_false (stop_fired);
  g_assert_false (weft_client_service_is_running (service));
  stream_iterate_until (f, flag_set, &stop_fired);
  g_assert_cmpuint (STREAM_PEER (second)->n_lost, ==, 1);
  g_assert_null (weft_client_service_get_protocol (service));
  stream_wait_lost (f, stream_factory_get_peer (server_factory, 1));

  stream_stop_listening (f, port);
}

/* endpoints/connector-reconnects: a reconnecting factory over real TCP. */

static gboolean
connector_connected (gpointer user_data)
{
  return weft_connector_get_state (user_data) == WEFT_CONNECTOR_STATE_CONNECTED;
}

static void
test_connector_reconnects (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (WeftReconnectingClientFactory) factory = NULL;
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (WeftConnector) connector = NULL;
  StreamPeer *server_peer;

  port = listen_description (f, "tcp:0:interface=127.0.0.1", WEFT_FACTORY (server_factory));
  endpoint = client_endpoint (f, "tcp:127.0.0.1:%u", stream_port_number (port));
  factory = weft_reconnecting_client_factory_new (f->reactor, STREAM_TYPE_PEER);
  g_object_set (factory, "initial-delay", G_GINT64_CONSTANT (10000), "factor", 1.0, "jitter", 0.0, NULL);
  connector = weft_connector_new (endpoint, WEFT_CLIENT_FACTORY (factory));
  weft_connector_connect (connector);
  g_assert_cmpint (weft_connector_get_state (connector), ==, WEFT_CONNECTOR_STATE_CONNECTING);
  stream_iterate_until (f, connector_connected, connector);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 1);

  /* The server drops the connection: the factory connects again. */
  stream_wait_peers (f, server_factory, 1);
  server_peer = stream_factory_get_peer (server_factory, 0);
  weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (server_peer)));
  stream_wait_peers (f, server_factory, 2);
  stream_iterate_until (f, connector_connected, connector);
  g_assert_cmpuint (weft_reconnecting_client_factory_get_retries (factory), ==, 0);

  /* Stop trying, then disconnect: nothing more happens. */
  weft_reconnecting_client_factory_stop_trying (factory);
  weft_connector_disconnect (connector);
  stream_wait_lost (f, stream_factory_get_peer (server_factory, 1));
  conformance_iterate_nonblocking (f, 5);
  g_assert_cmpint (weft_connector_get_state (connector), ==, WEFT_CONNECTOR_STATE_DISCONNECTED);
  g_assert_false (weft_reconnecting_client_factory_has_pending_retry (factory));
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 0);
  stream_stop_listening (f, port);
}

/* endpoints/listen-in-use ------------------------------------------------ */

static void
test_listen_in_use (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = listen_description (f, "tcp:0:interface=127.0.0.1", WEFT_FACTORY (factory));
  g_autofree char *description = g_strdup_printf ("tcp:%u:interface=127.0.0.1", stream_port_number (port));
  g_autoptr (WeftServerEndpoint) endpoint = weft_server_endpoint_from_string (f->reactor, description, NULL);
  g_autoptr (WeftDeferred) listening = weft_server_endpoint_listen (endpoint, WEFT_FACTORY (factory));
  StreamConnectResult result;

  stream_capture_connect (listening, &result);
  g_assert_true (result.fired);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  stream_connect_result_clear (&result);
  stream_stop_listening (f, port);
}

const ConformanceCase conformance_endpoint_cases[] = {
  { "endpoints/tcp-string-echo", test_tcp_string_echo },
  { "endpoints/unix-string-echo", test_unix_string_echo },
  { "endpoints/tls-string-echo", test_tls_string_echo, 0, tls_warm_up },
  { "endpoints/tls-bad-certificate", test_tls_bad_certificate, 0, tls_warm_up },
  { "endpoints/dns-failure", test_dns_failure },
  { "endpoints/resolve-localhost", test_resolve_localhost },
  { "endpoints/happy-eyeballs-unreachable-family", test_happy_eyeballs_unreachable_family },
  { "endpoints/happy-eyeballs-all-fail", test_happy_eyeballs_all_fail },
  { "endpoints/happy-eyeballs-slow-first", test_happy_eyeballs_slow_first },
  { "endpoints/connect-timeout", test_connect_timeout },
  { "endpoints/connect-cancel", test_connect_cancel, 0, tls_warm_up },
  { "endpoints/client-service-reconnects", test_client_service_reconnects },
  { "endpoints/connector-reconnects", test_connector_reconnects },
  { "endpoints/listen-in-use", test_listen_in_use },
  { NULL },
};
