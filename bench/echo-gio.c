/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* GIO echo server, what a GTK developer writes today: a GSocketService and,
 * per connection, g_input_stream_read_async() followed by
 * g_output_stream_write_all_async() of what was read, on the default main
 * context run by a GMainLoop.
 *
 *   echo-gio --port P */

#include <gio/gio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/resource.h>

#define BUFFER_SIZE 65536

typedef struct {
  GSocketConnection *connection;
  GInputStream *input;
  GOutputStream *output;
  guint8 buffer[BUFFER_SIZE];
} Echo;

static void start_read (Echo *echo);

static void
echo_free (Echo *echo)
{
  g_io_stream_close (G_IO_STREAM (echo->connection), NULL, NULL);
  g_object_unref (echo->connection);
  g_free (echo);
}

static void
write_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Echo *echo = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      echo_free (echo);
      return;
    }
  start_read (echo);
}

static void
read_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Echo *echo = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      echo_free (echo);
      return;
    }
  g_output_stream_write_all_async (echo->output, echo->buffer, (gsize) n, G_PRIORITY_DEFAULT, NULL, write_done, echo);
}

static void
start_read (Echo *echo)
{
  g_input_stream_read_async (echo->input, echo->buffer, BUFFER_SIZE, G_PRIORITY_DEFAULT, NULL, read_done, echo);
}

static gboolean
incoming (GSocketService *service, GSocketConnection *connection, GObject *source_object, gpointer user_data)
{
  Echo *echo = g_new (Echo, 1);

  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  echo->connection = g_object_ref (connection);
  echo->input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  echo->output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  start_read (echo);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GSocketService) service = g_socket_service_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GError) error = NULL;
  struct rlimit limit;
  int port = 0;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port on 127.0.0.1", "P" },
    { NULL },
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("- GIO echo server");

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error) || port <= 0)
    {
      g_printerr ("usage: echo-gio --port P\n");
      return 2;
    }
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }

  address = g_inet_socket_address_new (loopback, (guint16) port);
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), 1024);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, NULL, &error))
    {
      g_printerr ("echo-gio: %s\n", error->message);
      return 1;
    }
  g_signal_connect (service, "incoming", G_CALLBACK (incoming), NULL);
  g_socket_service_start (service);
  g_main_loop_run (loop);
  return 0;
}
