/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "soup-test-common.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tls-test-certs.h"

static WeftSoupResponse *
get_ok (ConformanceFixture *f, SoupSession *session, const char *url, TestResult *result)
{
  g_autoptr (WeftDeferred) d = weft_soup_get (session, url);

  test_wait_result (f, d, result);
  g_assert_no_error (result->error);
  return WEFT_SOUP_RESPONSE (result->protocol);
}

static void
test_server_resources (ConformanceFixture *f)
{
  TestServer *server = test_server_new (f);
  SoupSession *session = test_session_new (f);
  g_autofree char *index_url = NULL;
  g_autofree char *js_url = NULL;
  g_autofree char *missing_url = NULL;
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
  TestResult result;
  WeftSoupResponse *response;
  GBytes *body;

  weft_soup_server_add_resource_handler (server->server, "/static", "/org/weft/soup-test/web");
  index_url = test_server_url (server, "/static/");
  js_url = test_server_url (server, "/static/app.js");
  missing_url = test_server_url (server, "/static/nothing.js");

  response = get_ok (f, session, index_url, &result);
  g_assert_cmpstr (weft_soup_response_get_content_type (response), ==, "text/html");
  body = weft_soup_response_get_body (response);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "<title>Weft WebSocket"));
  stream_connect_result_clear (&result);

  response = get_ok (f, session, js_url, &result);
  g_assert_true (g_str_has_suffix (weft_soup_response_get_content_type (response), "javascript"));
  stream_connect_result_clear (&result);

  {
    g_autoptr (WeftDeferred) d = weft_soup_get (session, missing_url);

    test_wait_result (f, d, &result);
    g_assert_error (result.error, WEFT_SOUP_HTTP_ERROR, 404);
    stream_connect_result_clear (&result);
  }
  {
    g_autoptr (WeftDeferred) d = weft_soup_post (session, index_url, "text/plain", empty);

    test_wait_result (f, d, &result);
    g_assert_error (result.error, WEFT_SOUP_HTTP_ERROR, 405);
    stream_connect_result_clear (&result);
  }

  test_session_free (f, session);
  test_server_free (server);
}

static void
test_server_unix (ConformanceFixture *f)
{
  g_autofree char *dir = g_dir_make_tmp ("weft-soup-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "http.sock", NULL);
  g_autofree char *endpoint = g_strdup_printf ("unix:%s", path);
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  TestServer *server = test_server_new_on (f, endpoint);
  SoupSession *session = soup_session_new_with_options ("remote-connectable", address, NULL);
  TestResult result;
  WeftSoupResponse *response;

  weft_soup_session_set_reactor (session, f->reactor);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < 2; i++)
    {
      response = get_ok (f, session, "http://localhost/hello", &result);
      g_assert_cmpuint (weft_soup_response_get_status (response), ==, 200);
      stream_connect_result_clear (&result);
    }

  test_session_free (f, session);
  test_server_free (server);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

static void
test_server_tls (ConformanceFixture *f)
{
  g_autoptr (TlsTestCerts) certs = tls_test_certs_new ();
  g_autofree char *endpoint =
      g_strdup_printf ("tls:0:interface=127.0.0.1:cert=%s:key=%s", certs->server_cert, certs->leaf_key);
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsDatabase) database = g_tls_file_database_new (certs->ca_cert, &error);
  TestServer *server = test_server_new_on (f, endpoint);
  SoupSession *session = NULL;
  g_autofree char *url = test_server_url (server, "/hello");
  TestResult result;
  WeftSoupResponse *response;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (url, "https://127.0.0.1:"));
  session = soup_session_new_with_options ("tls-database", database, NULL);
  weft_soup_session_set_reactor (session, f->reactor);
  response = get_ok (f, session, url, &result);
  g_assert_cmpuint (weft_soup_response_get_status (response), ==, 200);
  stream_connect_result_clear (&result);

  /* WebSocket over the same TLS endpoint (wss://). */
  {
    g_autoptr (StreamFactory) echo = stream_factory_new (stream_echo_setup, NULL);
    g_autoptr (StreamFactory) clients = stream_factory_new (NULL, NULL);
    g_autoptr (WeftWebsocketOptions) options = weft_websocket_options_new ();
    g_autofree char *ws_url = g_strconcat ("wss://", url + strlen ("https://"), NULL);
    g_autoptr (WeftDeferred) d = NULL;
    StreamPeer *client;
    WeftTransport *transport;
    g_autoptr (GSocketAddress) peer_address = NULL;

    weft_soup_server_add_websocket (server->server, "/hello", NULL, NULL, WEFT_FACTORY (echo));
    weft_websocket_options_set_session (options, session);
    d = weft_websocket_connect_with_options (f->reactor, ws_url, NULL, NULL, options, WEFT_FACTORY (clients));
    test_wait_result (f, d, &result);
    g_assert_no_error (result.error);
    client = STREAM_PEER (result.protocol);
    transport = weft_protocol_get_transport (WEFT_PROTOCOL (client));
    /* The socket under the TLS stream is found: addresses and flow control. */
    peer_address = weft_transport_get_peer_address (transport);
    g_assert_true (G_IS_INET_SOCKET_ADDRESS (peer_address));
    weft_transport_write (transport, "secure hello", 12);
    stream_wait_received (f, client, 12);
    g_assert_cmpmem (client->received->data, client->received->len, "secure hello", 12);
    weft_transport_lose_connection (transport);
    stream_wait_lost (f, client);
    g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
    stream_wait_peers (f, echo, 1);
    stream_wait_lost (f, stream_factory_get_peer (echo, 0));
    stream_connect_result_clear (&result);
  }

  /* Without the authority: a GIO TLS error. */
  {
    SoupSession *untrusting = test_session_new (f);
    g_autoptr (WeftDeferred) d = weft_soup_get (untrusting, url);

    test_wait_result (f, d, &result);
    g_assert_error (result.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
    stream_connect_result_clear (&result);
    test_session_free (f, untrusting);
  }

  test_session_free (f, session);
  test_server_free (server);
}

#define SOUP_CASE CONFORMANCE_DEFAULT_CONTEXT, test_warm_up

const ConformanceCase soup_server_cases[] = {
  { "server/resources", test_server_resources, SOUP_CASE },
  { "server/unix", test_server_unix, SOUP_CASE },
  { "server/tls", test_server_tls, SOUP_CASE },
  { NULL },
};
