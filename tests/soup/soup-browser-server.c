/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The server side of the browser test: serves the test page from a
 * GResource and two WebSocket endpoints on a Weft reactor of the backend
 * named on the command line, prints "PORT n", and reports what it saw
 * ("CLOSED code reason", "LINE text") until its standard input closes. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <weft-soup/weft-soup.h>

/* Echo with the same message type; reports the close. */

#define ECHO_TYPE_PROTOCOL (echo_protocol_get_type ())
G_DECLARE_FINAL_TYPE (EchoProtocol, echo_protocol, ECHO, PROTOCOL, WeftProtocol)

struct _EchoProtocol {
  WeftProtocol parent_instance;
  WeftWebsocketTransport *transport;
};

G_DEFINE_FINAL_TYPE (EchoProtocol, echo_protocol, WEFT_TYPE_PROTOCOL)

static void
echo_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  ECHO_PROTOCOL (protocol)->transport = g_object_ref (WEFT_WEBSOCKET_TRANSPORT (transport));
  WEFT_PROTOCOL_CLASS (echo_protocol_parent_class)->connection_made (protocol, transport);
}

static void
echo_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  WeftWebsocketTransport *transport = ECHO_PROTOCOL (protocol)->transport;

  if (weft_websocket_transport_get_received_type (transport) == SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_autofree char *text = g_strndup ((const char *) data, len);

      weft_websocket_transport_send_text (transport, text);
    }
  else
    weft_websocket_transport_send_binary (transport, data, len);
}

static void
echo_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  EchoProtocol *self = ECHO_PROTOCOL (protocol);
  const char *close_reason = weft_websocket_transport_get_close_reason (self->transport);

  printf ("CLOSED %u %s\n", weft_websocket_transport_get_close_code (self->transport),
          close_reason ? close_reason : "");
  printf ("REASON %s\n", reason->message);
  fflush (stdout);
  g_clear_object (&self->transport);
  WEFT_PROTOCOL_CLASS (echo_protocol_parent_class)->connection_lost (protocol, reason);
}

static void
echo_finalize (GObject *object)
{
  g_clear_object (&ECHO_PROTOCOL (object)->transport);
  G_OBJECT_CLASS (echo_protocol_parent_class)->finalize (object);
}

static void
echo_protocol_class_init (EchoProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = echo_finalize;
  WEFT_PROTOCOL_CLASS (klass)->connection_made = echo_connection_made;
  WEFT_PROTOCOL_CLASS (klass)->data_received = echo_data_received;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = echo_connection_lost;
}

static void
echo_protocol_init (EchoProtocol *self)
{
}

/* An unchanged line receiver: over WebSocket in line mode. */

#define LINES_TYPE_PROTOCOL (lines_protocol_get_type ())
G_DECLARE_FINAL_TYPE (LinesProtocol, lines_protocol, LINES, PROTOCOL, WeftLineReceiver)

struct _LinesProtocol {
  WeftLineReceiver parent_instance;
};

G_DEFINE_FINAL_TYPE (LinesProtocol, lines_protocol, WEFT_TYPE_LINE_RECEIVER)

static void
lines_line_received (WeftLineReceiver *receiver, const char *line, gsize len)
{
  g_autofree char *answer = g_strdup_printf (":weft NOTICE * :got %.*s", (int) len, line);

  printf ("LINE %.*s\n", (int) len, line);
  fflush (stdout);
  weft_line_receiver_send_line (receiver, answer, -1);
}

static void
lines_protocol_class_init (LinesProtocolClass *klass)
{
  WEFT_LINE_RECEIVER_CLASS (klass)->line_received = lines_line_received;
}

static void
lines_protocol_init (LinesProtocol *self)
{
}

static void
stdin_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  char buffer[64];

  if (read (fd, buffer, sizeof buffer) <= 0)
    {
      weft_watch_remove (watch);
      weft_reactor_stop (user_data);
    }
}

int
main (int argc, char **argv)
{
  const char *const irc_protocols[] = { WEFT_WEBSOCKET_IRC_TEXT_PROTOCOL, WEFT_WEBSOCKET_IRC_BINARY_PROTOCOL, NULL };
  const char *backend = argc > 1 ? argv[1] : NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  g_autoptr (WeftSoupServer) server = NULL;
  g_autoptr (WeftFactory) echo_factory = weft_factory_new (ECHO_TYPE_PROTOCOL);
  g_autoptr (WeftFactory) lines_factory = weft_factory_new (LINES_TYPE_PROTOCOL);

  reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NONE, &error);
  if (reactor == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  server = weft_soup_server_new (reactor);
  weft_soup_server_add_resource_handler (server, "/", "/org/weft/soup-test/web");
  weft_soup_server_add_websocket (server, "/echo", NULL, NULL, echo_factory);
  weft_soup_server_add_websocket (server, "/irc", irc_protocols, NULL, lines_factory);
  if (!weft_soup_server_listen (server, argc > 2 ? argv[2] : "tcp:0:interface=127.0.0.1", &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  weft_reactor_add_watch (reactor, STDIN_FILENO, WEFT_IO_READ, stdin_cb, reactor, NULL, &error);
  g_assert_no_error (error);
  printf ("PORT %u %s\n", weft_soup_server_get_port (server), weft_reactor_get_backend_name (reactor));
  fflush (stdout);
  weft_reactor_run (reactor);
  weft_soup_server_disconnect (server);
  return 0;
}
