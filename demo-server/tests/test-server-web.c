/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTTP side on every backend: the browser page from the GResource, IRC
 * over WebSocket (text.ircv3.net, and binary.ircv3.net from a plain libsoup
 * client that sees the frames) talking with an IRC client over TCP, and
 * the SSE feed of a channel. */
#include "config.h"

#include <string.h>

#include <weft-soup/weft-soup.h>

#include "wcs-test-kit.h"

#define EXPECT(client, ...) wcs_test_client_expect (f, client, __VA_ARGS__, NULL)

static WcsTestServer *
web_server_new (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (wcs_server_listen_http (server->server, "tcp:0:interface=127.0.0.1", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (wcs_server_get_http_port (server->server), >, 0);
  return server;
}

static void
test_page (ConformanceFixture *f)
{
  WcsTestServer *server = web_server_new (f);
  WcsTestClient *http = wcs_test_client_connect (f, wcs_server_get_http_port (server->server));
  WcsTestClient *js;

  wcs_test_client_send (http, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
  EXPECT (http, "HTTP/1.1 200");
  EXPECT (http, "text/html");
  EXPECT (http, "<title>Weft chat</title>");
  wcs_test_client_wait_lost (f, http);

  js = wcs_test_client_connect (f, wcs_server_get_http_port (server->server));
  wcs_test_client_send (js, "GET /chat.js HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
  EXPECT (js, "HTTP/1.1 200");
  /* Network text is never parsed as HTML. */
  EXPECT (js, "textContent");
  g_assert_false (wcs_test_client_has_line (js, "innerHTML"));
  wcs_test_client_wait_lost (f, js);

  wcs_test_client_close (f, http);
  wcs_test_client_close (f, js);
  wcs_test_server_free (server);
}

static void
test_websocket (ConformanceFixture *f)
{
  WcsTestServer *server = web_server_new (f);
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/irc", wcs_server_get_http_port (server->server));
  const char *const subprotocols[] = { "text.ircv3.net", NULL };
  WcsTestClient *ws = g_object_new (WCS_TYPE_TEST_CLIENT, NULL);
  g_autoptr (WeftClientFactory) factory = wcs_test_client_factory_new (ws);
  g_autoptr (WeftDeferred) connecting = NULL;
  WcsTestClient *tcp;

  connecting = weft_websocket_connect (f->reactor, url, subprotocols, NULL, WEFT_FACTORY (factory));
  g_assert_true (wcs_test_wait (f, wcs_test_client_is_made, ws, WCS_TEST_TIMEOUT_US));
  g_assert_false (ws->lost);
  wcs_test_client_send (ws, "CAP REQ :server-time echo-message");
  wcs_test_client_send (ws, "NICK webby");
  wcs_test_client_send (ws, "USER webby 0 * :Over WebSocket");
  EXPECT (ws, "ACK");
  wcs_test_client_send (ws, "CAP END");
  EXPECT (ws, " 001 webby ");
  wcs_test_client_send (ws, "JOIN #web");
  EXPECT (ws, " 366 webby #web ");

  tcp = wcs_test_client_register (f, server->port, "tcpuser", NULL);
  wcs_test_client_send (tcp, "JOIN #web");
  EXPECT (ws, ":tcpuser!", "JOIN #web");
  wcs_test_client_send (tcp, "PRIVMSG #web :hello from TCP");
  EXPECT (ws, ":tcpuser!", "PRIVMSG #web :hello from TCP");
  wcs_test_client_send (ws, "PRIVMSG #web :hello from the web");
  EXPECT (ws, "@time=", ":webby!", "PRIVMSG #web :hello from the web");
  EXPECT (tcp, ":webby!", "PRIVMSG #web :hello from the web");
  wcs_test_client_send (ws, "QUIT :bye");
  EXPECT (tcp, ":webby!", "QUIT");
  wcs_test_client_wait_lost (f, ws);

  wcs_test_client_close (f, ws);
  wcs_test_client_close (f, tcp);
  wcs_test_server_free (server);
  conformance_drain_default_context ();
}

/* A libsoup WebSocket client, to see the frames themselves. */
typedef struct {
  SoupWebsocketConnection *connection;
  GError *error;
  gboolean done;       /* the handshake finished, well or not */
  GPtrArray *messages; /* every message received, as a string */
  guint n_text;        /* messages that came as text frames */
  guint cursor;
  gboolean closed;
} RawWebsocket;

static void
raw_message (SoupWebsocketConnection *connection, gint type, GBytes *bytes, gpointer user_data)
{
  RawWebsocket *raw = user_data;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (type != SOUP_WEBSOCKET_DATA_BINARY)
    raw->n_text++;
  g_ptr_array_add (raw->messages, g_strndup (data, len));
}

static void
raw_closed (SoupWebsocketConnection *connection, gpointer user_data)
{
  ((RawWebsocket *) user_data)->closed = TRUE;
}

static void
raw_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RawWebsocket *raw = user_data;

  raw->connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &raw->error);
  if (raw->connection != NULL)
    {
      g_signal_connect (raw->connection, "message", G_CALLBACK (raw_message), raw);
      g_signal_connect (raw->connection, "closed", G_CALLBACK (raw_closed), raw);
    }
  raw->done = TRUE;
}

static gboolean
raw_is_done (gpointer data)
{
  return ((RawWebsocket *) data)->done;
}

static gboolean
raw_is_closed (gpointer data)
{
  return ((RawWebsocket *) data)->closed;
}

typedef struct {
  RawWebsocket *raw;
  const char *needle;
} RawWait;

static gboolean
raw_has (gpointer data)
{
  RawWait *wait = data;

  for (; wait->raw->cursor < wait->raw->messages->len; wait->raw->cursor++)
    if (strstr (wait->raw->messages->pdata[wait->raw->cursor], wait->needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
raw_expect (ConformanceFixture *f, RawWebsocket *raw, const char *needle)
{
  RawWait wait = { raw, needle };

  if (!wcs_test_wait (f, raw_has, &wait, WCS_TEST_TIMEOUT_US))
    g_error ("no WebSocket message with \"%s\" (%u received)", needle, raw->messages->len);
  raw->cursor++;
}

static void
raw_send (RawWebsocket *raw, const char *line)
{
  soup_websocket_connection_send_binary (raw->connection, line, strlen (line));
}

static void
test_websocket_binary (ConformanceFixture *f)
{
  WcsTestServer *server = web_server_new (f);
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/irc", wcs_server_get_http_port (server->server));
  char *subprotocols[] = { "binary.ircv3.net", NULL };
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) request = soup_message_new ("GET", url);
  RawWebsocket raw = { .messages = g_ptr_array_new_with_free_func (g_free) };
  WcsTestClient *tcp;

  soup_session_websocket_connect_async (session, request, NULL, subprotocols, G_PRIORITY_DEFAULT, NULL, raw_connected,
                                        &raw);
  g_assert_true (wcs_test_wait (f, raw_is_done, &raw, WCS_TEST_TIMEOUT_US));
  g_assert_no_error (raw.error);
  g_assert_cmpstr (soup_websocket_connection_get_protocol (raw.connection), ==, "binary.ircv3.net");

  /* One line per binary message, without CRLF, both ways. */
  raw_send (&raw, "NICK binny");
  raw_send (&raw, "USER binny 0 * :Binary frames");
  raw_expect (f, &raw, " 001 binny ");
  raw_send (&raw, "JOIN #bin");
  raw_expect (f, &raw, " 366 binny #bin ");

  tcp = wcs_test_client_register (f, server->port, "tcpuser", NULL);
  wcs_test_client_send (tcp, "JOIN #bin");
  raw_expect (f, &raw, ":tcpuser!");
  wcs_test_client_send (tcp, "PRIVMSG #bin :hello from TCP");
  raw_expect (f, &raw, "PRIVMSG #bin :hello from TCP");
  raw_send (&raw, "PRIVMSG #bin :hello in binary");
  EXPECT (tcp, ":binny!", "PRIVMSG #bin :hello in binary");

  g_assert_cmpuint (raw.n_text, ==, 0);
  for (guint i = 0; i < raw.messages->len; i++)
    {
      const char *message = raw.messages->pdata[i];

      g_assert_null (strchr (message, '\r'));
      g_assert_null (strchr (message, '\n'));
    }

  raw_send (&raw, "QUIT :bye");
  EXPECT (tcp, ":binny!", "QUIT");
  g_assert_true (wcs_test_wait (f, raw_is_closed, &raw, WCS_TEST_TIMEOUT_US));

  g_clear_object (&raw.connection);
  g_ptr_array_unref (raw.messages);
  wcs_test_client_close (f, tcp);
  wcs_test_server_free (server);
  g_clear_object (&session);
  conformance_drain_default_context ();
}

static gboolean
has_listener (gpointer data)
{
  return wcs_server_get_n_sse_listeners (data) > 0;
}

static void
test_sse (ConformanceFixture *f)
{
  WcsTestServer *server = web_server_new (f);
  WcsTestClient *feed = wcs_test_client_connect (f, wcs_server_get_http_port (server->server));
  WcsTestClient *talker;

  wcs_test_client_send (feed, "GET /channels/news/events HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  EXPECT (feed, "HTTP/1.1 200");
  EXPECT (feed, "text/event-stream");
  g_assert_true (wcs_test_wait (f, has_listener, server->server, WCS_TEST_TIMEOUT_US));

  talker = wcs_test_client_register (f, server->port, "reporter", NULL);
  wcs_test_client_send (talker, "JOIN #news");
  EXPECT (talker, " 366 ");
  wcs_test_client_send (talker, "PRIVMSG #news :extra <b>extra</b>");
  EXPECT (feed, "event: message");
  EXPECT (feed, "data: {", "\"nick\":\"reporter\"", "extra \\u003cb\\u003eextra");
  wcs_test_client_send (talker, "PRIVMSG #news :second");
  EXPECT (feed, "data: {", "\"text\":\"second\"");

  /* A feed of a channel name that cannot exist. */
  {
    WcsTestClient *bad = wcs_test_client_connect (f, wcs_server_get_http_port (server->server));
    wcs_test_client_send (bad, "GET /channels/a,b/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    EXPECT (bad, "HTTP/1.1 404");
    wcs_test_client_close (f, bad);
  }

  wcs_test_client_close (f, talker);
  wcs_test_client_close (f, feed);
  wcs_test_server_free (server);
  conformance_drain_default_context ();
}

/* GIO's process-wide singletons keep fds (the network monitor's netlink
 * socket, the worker thread's wake-up fd) for the rest of the process. */
static void
warm_up (void)
{
  g_autoptr (GResolver) resolver = g_resolver_get_default ();
  g_autoptr (SoupSession) session = soup_session_new ();

  g_type_ensure (G_TYPE_TASK);
  g_type_ensure (SOUP_TYPE_WEBSOCKET_CONNECTION);
  (void) g_network_monitor_get_default ();
  (void) g_proxy_resolver_get_default ();
  (void) g_tls_backend_get_default ();
  (void) g_tls_backend_get_default_database (g_tls_backend_get_default ());
  g_free (g_content_type_guess ("x.html", NULL, 0, NULL));
}

static const ConformanceCase web_cases[] = {
  { "web/page", test_page, CONFORMANCE_DEFAULT_CONTEXT, warm_up },
  { "web/websocket", test_websocket, CONFORMANCE_DEFAULT_CONTEXT, warm_up },
  { "web/websocket-binary", test_websocket_binary, CONFORMANCE_DEFAULT_CONTEXT, warm_up },
  { "web/sse", test_sse, CONFORMANCE_DEFAULT_CONTEXT, warm_up },
  { NULL },
};

int
main (int argc, char **argv)
{
  const ConformanceCase *const tables[] = { web_cases };

  return conformance_main (argc, argv, tables, G_N_ELEMENTS (tables));
}
