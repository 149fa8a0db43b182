/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The HTTP side on every backend: the browser page from the GResource, IRC
 * over WebSocket (text.ircv3.net) talking with an IRC client over TCP, and
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
  { "web/sse", test_sse, CONFORMANCE_DEFAULT_CONTEXT, warm_up },
  { NULL },
};

int
main (int argc, char **argv)
{
  const ConformanceCase *const tables[] = { web_cases };

  return conformance_main (argc, argv, tables, G_N_ELEMENTS (tables));
}
