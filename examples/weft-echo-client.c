/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* An echo client: connects where an endpoint description says, sends lines
 * and prints the replies, then closes.
 *
 *   echo hello | weft-echo-client --connect tcp:localhost:7777
 *   weft-echo-client --connect tcp:[::1]:7777 --message "ping" --count 3
 *   weft-echo-client --connect unix:/tmp/echo.sock --reactor=poll
 *
 * Lines come from standard input unless --message is given. */

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>
#include <weft/weft.h>

typedef struct {
  WeftReactor *reactor;
  const char *message;
  int count;
  WeftLineReceiver *protocol; /* while connected */
  WeftWatch *stdin_watch;
  GString *stdin_buffer;
  guint n_sent;
  guint n_received;
  gboolean input_done;
  int status;
} Client;

static Client client;

#define ECHO_TYPE_CLIENT (echo_client_get_type ())
G_DECLARE_FINAL_TYPE (EchoClient, echo_client, ECHO, CLIENT, WeftLineReceiver)

struct _EchoClient {
  WeftLineReceiver parent_instance;
};

G_DEFINE_FINAL_TYPE (EchoClient, echo_client, WEFT_TYPE_LINE_RECEIVER)

static void
close_when_done (void)
{
  if (client.input_done && client.n_received == client.n_sent && client.protocol != NULL)
    weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (client.protocol)));
}

static void
echo_client_line_received (WeftLineReceiver *receiver, const char *line, gsize len)
{
  /* Tolerates "\r\n" from servers that add it. */
  if (len > 0 && line[len - 1] == '\r')
    len--;
  client.n_received++;
  g_print (_ ("reply %u: %.*s\n"), client.n_received, (int) len, line);
  close_when_done ();
}

static void
echo_client_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  /* A TLS handshake that fails ends a protocol that was never reported
   * connected; failed_cb says why. */
  gboolean was_connected = client.protocol != NULL;

  if (was_connected && !g_error_matches (reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE))
    {
      g_printerr (_ ("Connection lost: %s\n"), reason->message);
      client.status = 1;
    }
  else if (was_connected && client.n_received < client.n_sent)
    {
      g_printerr (_ ("The server closed the connection with %u replies missing\n"), client.n_sent - client.n_received);
      client.status = 1;
    }
  g_clear_pointer (&client.stdin_watch, weft_watch_remove);
  g_clear_object (&client.protocol);
  WEFT_PROTOCOL_CLASS (echo_client_parent_class)->connection_lost (protocol, reason);
  if (was_connected)
    weft_reactor_stop (client.reactor);
}

/* Back-pressure: standard input may be faster than the server. Stop
 * reading it while the write buffer is above its high watermark. */
static void
echo_client_pause_writing (WeftProtocol *protocol)
{
  if (client.stdin_watch != NULL)
    weft_watch_set_events (client.stdin_watch, WEFT_IO_NONE, NULL);
}

static void
echo_client_resume_writing (WeftProtocol *protocol)
{
  if (client.stdin_watch != NULL)
    weft_watch_set_events (client.stdin_watch, WEFT_IO_READ, NULL);
}

static void
echo_client_class_init (EchoClientClass *klass)
{
  WEFT_LINE_RECEIVER_CLASS (klass)->line_received = echo_client_line_received;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = echo_client_connection_lost;
  WEFT_PROTOCOL_CLASS (klass)->pause_writing = echo_client_pause_writing;
  WEFT_PROTOCOL_CLASS (klass)->resume_writing = echo_client_resume_writing;
}

static void
echo_client_init (EchoClient *self)
{
  weft_line_receiver_set_delimiter (WEFT_LINE_RECEIVER (self), "\n");
}

static void
send_line (const char *line, gsize len)
{
  weft_line_receiver_send_line (client.protocol, line, len);
  client.n_sent++;
}

/* Sends the complete lines in the buffer; at end of input, the rest too. */
static void
send_buffered_lines (gboolean at_eof)
{
  char *newline;

  while ((newline = memchr (client.stdin_buffer->str, '\n', client.stdin_buffer->len)) != NULL)
    {
      gsize len = newline - client.stdin_buffer->str;

      send_line (client.stdin_buffer->str, len);
      g_string_erase (client.stdin_buffer, 0, len + 1);
    }
  if (at_eof && client.stdin_buffer->len > 0)
    {
      send_line (client.stdin_buffer->str, client.stdin_buffer->len);
      g_string_truncate (client.stdin_buffer, 0);
    }
}

static void
stdin_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  char buffer[4096];
  ssize_t n = read (fd, buffer, sizeof buffer);

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n > 0)
    {
      g_string_append_len (client.stdin_buffer, buffer, n);
      send_buffered_lines (FALSE);
      return;
    }
  if (n < 0)
    g_printerr (_ ("Cannot read standard input: %s\n"), g_strerror (errno));
  send_buffered_lines (TRUE);
  g_clear_pointer (&client.stdin_watch, weft_watch_remove);
  client.input_done = TRUE;
  close_when_done ();
}

/* A regular file cannot be watched: read it whole. */
static void
read_stdin_at_once (void)
{
  char buffer[4096];
  ssize_t n;

  while ((n = read (STDIN_FILENO, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (client.stdin_buffer, buffer, n);
  send_buffered_lines (TRUE);
  client.input_done = TRUE;
  close_when_done ();
}

static WeftDeferred *
connected_cb (WeftResult *result, gpointer user_data)
{
  g_autoptr (GSocketAddress) peer = NULL;
  g_autofree char *where = NULL;

  client.protocol = weft_result_dup_object (result);
  peer = weft_transport_get_peer_address (weft_protocol_get_transport (WEFT_PROTOCOL (client.protocol)));
  where = peer != NULL ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (peer)) : g_strdup (_ ("the server"));
  g_print (_ ("Connected to %s\n"), where);

  if (client.message != NULL)
    {
      for (int i = 0; i < client.count; i++)
        send_line (client.message, strlen (client.message));
      client.input_done = TRUE;
      close_when_done ();
      return NULL;
    }

  client.stdin_watch =
      weft_reactor_add_watch (client.reactor, STDIN_FILENO, WEFT_IO_READ, stdin_ready, NULL, NULL, NULL);
  if (client.stdin_watch == NULL)
    read_stdin_at_once ();
  return NULL;
}

static WeftDeferred *
failed_cb (WeftResult *result, gpointer user_data)
{
  g_printerr ("%s\n", weft_result_get_error (result)->message);
  weft_result_clear (result);
  client.status = 1;
  weft_reactor_stop (client.reactor);
  return NULL;
}

int
main (int argc, char *argv[])
{
  g_autofree char *connect = NULL;
  g_autofree char *message = NULL;
  int count = 1;
  const GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &connect, N_ ("Where to connect (default: tcp:localhost:7777)"),
      N_ ("ENDPOINT") },
    { "message", 'm', 0, G_OPTION_ARG_STRING, &message, N_ ("Send this line instead of standard input"), N_ ("TEXT") },
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, N_ ("Send the message this many times (default: 1)"), N_ ("N") },
    { NULL },
  };
  g_autoptr (GOptionContext) options = NULL;
  GOptionGroup *weft_group;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (WeftClientFactory) factory = NULL;
  g_autoptr (WeftDeferred) connecting = NULL;
  g_autoptr (GString) stdin_buffer = g_string_new (NULL);

  setlocale (LC_ALL, "");
  /* The examples share the library's catalog; weft_get_option_group()
   * binds it to its directory, so it comes before the first _(). */
  textdomain (GETTEXT_PACKAGE);
  weft_group = weft_get_option_group ();
  options = g_option_context_new (_ ("— send lines to an echo server"));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (options, weft_group);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (count < 0)
    {
      g_printerr (_ ("--count must be 0 or more; got %d\n"), count);
      return 2;
    }

  reactor = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NONE, &error);
  if (reactor == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  endpoint = weft_client_endpoint_from_string (reactor, connect != NULL ? connect : "tcp:localhost:7777", &error);
  if (endpoint == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  client.reactor = reactor;
  client.message = message;
  client.count = count;
  client.stdin_buffer = stdin_buffer;

  factory = weft_client_factory_new (ECHO_TYPE_CLIENT);
  connecting = weft_client_endpoint_connect (endpoint, factory);
  weft_deferred_add_callbacks (connecting, connected_cb, failed_cb, NULL, NULL);
  weft_reactor_run (reactor);

  /* Ctrl-C while connecting or connected. */
  weft_deferred_cancel (connecting);
  if (client.protocol != NULL)
    {
      weft_transport_abort_connection (weft_protocol_get_transport (WEFT_PROTOCOL (client.protocol)));
      weft_reactor_iterate (reactor, FALSE);
    }
  g_clear_pointer (&client.stdin_watch, weft_watch_remove);
  return client.status;
}
