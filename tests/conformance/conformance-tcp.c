/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance-stream.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MEBIBYTE (1024 * 1024)

static WeftListeningPort *
listen_on (ConformanceFixture *f, const char *host, StreamFactory *factory, GError **error)
{
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new_from_string (host, 0);

  return weft_reactor_listen_tcp (f->reactor, address, WEFT_FACTORY (factory), 0, error);
}

static WeftListeningPort *
listen_local (ConformanceFixture *f, StreamFactory *factory)
{
  g_autoptr (GError) error = NULL;
  WeftListeningPort *port = listen_on (f, "127.0.0.1", factory, &error);

  g_assert_no_error (error);
  g_assert_true (weft_listening_port_is_listening (port));
  return port;
}

static StreamPeer *
connect_to (ConformanceFixture *f, WeftListeningPort *port, StreamFactory *factory)
{
  g_autoptr (WeftDeferred) deferred = NULL;
  StreamConnectResult result;

  deferred = weft_reactor_connect_tcp (f->reactor, weft_listening_port_get_address (port),
                                       WEFT_CLIENT_FACTORY (factory), 10 * G_USEC_PER_SEC, NULL);
  stream_capture_connect (deferred, &result);
  /* Never from inside the call. */
  g_assert_false (result.fired);
  stream_wait_connected (f, &result);
  g_assert_cmpuint (STREAM_PEER (result.protocol)->n_made, ==, 1);
  return STREAM_PEER (g_steal_pointer (&result.protocol));
}

static WeftTransport *
transport_of (StreamPeer *peer)
{
  WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (peer));

  g_assert_nonnull (transport);
  return transport;
}

/* A blocking raw client socket connected to @port. */
static int
raw_connect (WeftListeningPort *port)
{
  GSocketAddress *address = weft_listening_port_get_address (port);
  struct sockaddr_storage ss;
  int fd = socket (g_socket_address_get_family (address), SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_true (g_socket_address_to_native (address, &ss, sizeof ss, NULL));
  g_assert_no_errno (connect (fd, (struct sockaddr *) &ss, g_socket_address_get_native_size (address)));
  return fd;
}

static int
get_int_option (int fd, int level, int name)
{
  int value = -1;
  socklen_t len = sizeof value;

  g_assert_no_errno (getsockopt (fd, level, name, &value, &len));
  return value;
}

/* tcp/echo, tcp/echo-ipv6 ------------------------------------------------ */

static void
run_echo (ConformanceFixture *f, const char *host)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (StreamPeer) client = NULL;
  g_autoptr (GSocketAddress) peer_address = NULL;
  g_autoptr (GSocketAddress) local_address = NULL;
  g_autoptr (GError) error = NULL;
  WeftTransport *transport;

  port = listen_on (f, host, server_factory, &error);
  /* No IPv6 loopback here (EADDRNOTAVAIL, EAFNOSUPPORT). */
  if (error != NULL && strchr (host, ':') != NULL)
    {
      g_test_skip_printf ("cannot listen on %s here: %s", host, error->message);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (stream_port_number (port), !=, 0);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (server_factory)), ==, 1);

  client = connect_to (f, port, client_factory);
  g_assert_cmpuint (client_factory->n_started_connecting, ==, 1);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (client_factory)), ==, 1);
  g_assert_true (weft_protocol_get_factory (WEFT_PROTOCOL (client)) == WEFT_FACTORY (client_factory));

  transport = transport_of (client);
  g_assert_true (WEFT_IS_TCP_TRANSPORT (transport));
  g_assert_cmpint (weft_fd_transport_get_state (WEFT_FD_TRANSPORT (transport)), ==, WEFT_FD_TRANSPORT_STATE_CONNECTED);
  peer_address = weft_transport_get_peer_address (transport);
  local_address = weft_transport_get_local_address (transport);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (peer_address)), ==,
                    stream_port_number (port));
  {
    g_autofree char *local_host =
        g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local_address)));

    g_assert_cmpstr (local_host, ==, host);
  }

  stream_echo_round_trip (f, client, server_factory);
  g_assert_cmpuint (client_factory->n_client_lost, ==, 1);
  g_assert_cmpuint (client_factory->n_failed, ==, 0);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (client_factory)), ==, 0);
  /* The message names the peer. */
  g_assert_nonnull (strstr (client->reason->message, host));

  stream_stop_listening (f, port);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (server_factory)), ==, 0);
}

static void
test_echo (ConformanceFixture *f)
{
  run_echo (f, "127.0.0.1");
}

static void
test_echo_ipv6 (ConformanceFixture *f)
{
  int fd = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    {
      g_test_skip_printf ("no IPv6 here: %s", g_strerror (errno));
      return;
    }
  close (fd);
  run_echo (f, "::1");
}

/* tcp/large-transfer ----------------------------------------------------- */

#define LARGE_SIZE (6 * MEBIBYTE)

static void
large_client_setup (StreamPeer *peer, gpointer user_data)
{
  peer->send_on_made = stream_pattern_new (LARGE_SIZE, 7);
  peer->half_close_after_send = TRUE;
}

static void
test_large_transfer (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (large_client_setup, NULL);
  g_autoptr (WeftListeningPort) port = listen_local (f, server_factory);
  g_autoptr (StreamPeer) client = connect_to (f, port, client_factory);
  StreamPeer *server;

  /* The server echoes everything, then closes after the client's
   * end-of-file; the client has half-closed, so its connection ends once
   * the echo is complete. */
  stream_wait_lost (f, client);
  server = stream_factory_get_peer (server_factory, 0);
  stream_wait_lost (f, server);

  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_error (server->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (server->n_eof, ==, 1);
  stream_assert_pattern (server->received, LARGE_SIZE, 7);
  stream_assert_pattern (client->received, LARGE_SIZE, 7);

  stream_stop_listening (f, port);
}

/* tcp/half-close --------------------------------------------------------- */

static void
half_close_server_setup (StreamPeer *peer, gpointer user_data)
{
  stream_peer_set_reply_on_eof (peer, "reply");
}

static void
half_close_client_setup (StreamPeer *peer, gpointer user_data)
{
  peer->send_on_made = g_bytes_new_static ("request", 7);
  peer->half_close_after_send = TRUE;
}

static void
test_half_close (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (half_close_server_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (half_close_client_setup, NULL);
  g_autoptr (WeftListeningPort) port = listen_local (f, server_factory);
  g_autoptr (StreamPeer) client = connect_to (f, port, client_factory);
  StreamPeer *server;

  /* After the half-close, writing does nothing. */
  weft_transport_write (transport_of (client), "dropped", 7);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (transport_of (client)), ==, 0);
  g_assert_false (weft_transport_is_closing (transport_of (client)));

  stream_wait_lost (f, client);
  server = stream_factory_get_peer (server_factory, 0);
  stream_wait_lost (f, server);

  g_assert_cmpmem (server->received->data, server->received->len, "request", 7);
  g_assert_cmpuint (server->n_eof, ==, 1);
  g_assert_cmpmem (client->received->data, client->received->len, "reply", 5);
  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_error (server->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);

  stream_stop_listening (f, port);
}

/* tcp/flow-control ------------------------------------------------------- */

#define FLOW_TOTAL (8 * MEBIBYTE)
#define FLOW_CHUNK (16 * 1024)

static void
paused_reader_setup (StreamPeer *peer, gpointer user_data)
{
  peer->pause_on_made = TRUE;
}

static void
producer_setup (StreamPeer *peer, gpointer user_data)
{
  peer->produce_total = FLOW_TOTAL;
  peer->produce_chunk = FLOW_CHUNK;
}

static gboolean
producer_paused (gpointer user_data)
{
  StreamPeer *peer = user_data;

  return peer->n_pause > 0 && weft_protocol_is_writing_paused (WEFT_PROTOCOL (peer));
}

static void
test_flow_control (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (paused_reader_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (producer_setup, NULL);
  g_autoptr (WeftListeningPort) port = listen_local (f, server_factory);
  g_autoptr (StreamPeer) client = connect_to (f, port, client_factory);
  WeftTransport *client_transport = transport_of (client);
  StreamPeer *server;
  gsize high, low, produced;

  weft_transport_get_write_buffer_limits (client_transport, &high, &low);
  g_assert_cmpuint (high, ==, WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH);

  /* The reader does not read: the kernel's buffers fill, then the
   * writer's, until the protocol is told to pause. */
  stream_iterate_until (f, producer_paused, client);
  stream_wait_peers (f, server_factory, 1);
  server = stream_factory_get_peer (server_factory, 0);
  g_assert_true (weft_fd_transport_is_reading_paused (WEFT_FD_TRANSPORT (transport_of (server))));
  g_assert_cmpuint (server->received->len, ==, 0);
  g_assert_cmpuint (client->produced, <, FLOW_TOTAL);

  /* Paused, the producer stops, and memory stays bounded. */
  produced = client->produced;
  conformance_iterate_nonblocking (f, 20);
  g_assert_cmpuint (client->produced, ==, produced);
  g_assert_cmpuint (client->n_resume, ==, 0);
  g_assert_cmpuint (client->max_buffered, <=, high + FLOW_CHUNK);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (client_transport), >, high);

  /* Once the reader reads again, the writer resumes and everything gets
   * through. */
  weft_transport_resume_reading (transport_of (server));
  stream_wait_received (f, server, FLOW_TOTAL);
  g_assert_cmpuint (client->n_resume, >=, 1);
  g_assert_cmpuint (client->n_pause, ==, client->n_resume);
  g_assert_cmpuint (client->max_buffered, <=, high + FLOW_CHUNK);
  stream_assert_pattern (server->received, FLOW_TOTAL, 0);

  weft_transport_lose_connection (client_transport);
  stream_wait_lost (f, client);
  stream_wait_lost (f, server);
  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_error (server->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);

  stream_stop_listening (f, port);
}

/* tcp/connection-refused ------------------------------------------------- */

static void
test_connection_refused (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftDeferred) deferred = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autofree char *expected = NULL;
  StreamConnectResult result;
  guint16 port;
  /* Bound but not listening: the port is ours, and connecting is refused. */
  int reserved = stream_raw_listener (&port, -1);

  address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  deferred = weft_reactor_connect_tcp (f->reactor, address, WEFT_CLIENT_FACTORY (factory), 0, NULL);
  stream_capture_connect (deferred, &result);
  g_assert_false (result.fired);
  g_assert_cmpuint (factory->n_failed, ==, 0);

  stream_wait_fired (f, deferred);
  g_assert_true (result.fired);
  g_assert_null (result.protocol);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  expected = g_strdup_printf ("Connection refused by 127.0.0.1:%u", port);
  g_assert_cmpstr (result.error->message, ==, expected);

  g_assert_cmpuint (factory->n_started_connecting, ==, 1);
  g_assert_cmpuint (factory->n_failed, ==, 1);
  g_assert_error (factory->failure, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpuint (factory->n_client_lost, ==, 0);
  g_assert_cmpuint (factory->peers->len, ==, 0);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 0);

  stream_connect_result_clear (&result);
  close (reserved);
}

/* tcp/connect-timeout ---------------------------------------------------- */

/* A listening socket with a backlog of 0 that never accepts: once one
 * connection waits in its queue, the kernel drops further SYNs, so a
 * connect stays in progress without any packet leaving the machine. */
static int
saturated_listener (GSocketAddress **address, int fillers[2])
{
  guint16 port;
  int listener = stream_raw_listener (&port, 0);
  struct sockaddr_in sin = { 0 };

  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  sin.sin_port = htons (port);
  for (int i = 0; i < 2; i++)
    {
      struct pollfd pfd;

      fillers[i] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      g_assert_cmpint (fillers[i], >=, 0);
      if (connect (fillers[i], (struct sockaddr *) &sin, sizeof sin) < 0)
        g_assert_cmpint (errno, ==, EINPROGRESS);
      /* Let the first one reach the queue. */
      pfd.fd = fillers[i];
      pfd.events = POLLOUT;
      poll (&pfd, 1, i == 0 ? 1000 : 10);
    }
  *address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  return listener;
}

static void
test_connect_timeout (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftDeferred) timed = NULL;
  g_autoptr (WeftDeferred) cancelled = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autofree char *where = NULL;
  StreamConnectResult timed_result, cancelled_result;
  int fillers[2];
  int listener = saturated_listener (&address, fillers);

  where = g_strdup_printf ("127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));

  timed = weft_reactor_connect_tcp (f->reactor, address, WEFT_CLIENT_FACTORY (factory), 200000, NULL);
  stream_capture_connect (timed, &timed_result);
  stream_wait_fired (f, timed);
  if (timed_result.protocol != NULL)
    {
      /* This kernel queued the connection after all: nothing to time out. */
      weft_transport_abort_connection (transport_of (STREAM_PEER (timed_result.protocol)));
      stream_wait_lost (f, STREAM_PEER (timed_result.protocol));
      stream_connect_result_clear (&timed_result);
      g_test_skip ("the kernel accepted a connection beyond a full backlog");
      goto out;
    }
  g_assert_error (timed_result.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (timed_result.error->message, where));
  g_assert_cmpuint (factory->n_failed, ==, 1);
  g_assert_error (factory->failure, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  /* Cancelling stops an attempt in the same state; its socket is closed
   * (the fixture counts fds). */
  cancelled = weft_reactor_connect_tcp (f->reactor, address, WEFT_CLIENT_FACTORY (factory), 0, NULL);
  stream_capture_connect (cancelled, &cancelled_result);
  conformance_iterate_nonblocking (f, 3);
  g_assert_false (cancelled_result.fired);
  weft_deferred_cancel (cancelled);
  g_assert_true (cancelled_result.fired);
  g_assert_error (cancelled_result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (cancelled_result.error->message, where));
  g_assert_cmpuint (factory->n_failed, ==, 2);
  g_assert_error (factory->failure, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 0);
  stream_connect_result_clear (&cancelled_result);

out:
  stream_connect_result_clear (&timed_result);
  close (fillers[0]);
  close (fillers[1]);
  close (listener);
}

/* tcp/peer-reset-mid-write ----------------------------------------------- */

static void
big_writer_setup (StreamPeer *peer, gpointer user_data)
{
  peer->send_on_made = stream_pattern_new (32 * MEBIBYTE, 3);
  /* Not reading: only the write path can notice the reset. */
  peer->pause_on_made = TRUE;
}

static gboolean
has_buffered (gpointer user_data)
{
  StreamFactory *factory = user_data;

  return factory->peers->len > 0 &&
         weft_transport_get_write_buffer_size (transport_of (stream_factory_get_peer (factory, 0))) > 0;
}

static void
test_peer_reset_mid_write (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (big_writer_setup, NULL);
  g_autoptr (WeftListeningPort) port = listen_local (f, server_factory);
  g_autofree char *expected_peer = NULL;
  struct linger linger = { 1, 0 };
  struct sockaddr_in sin;
  socklen_t len = sizeof sin;
  StreamPeer *server;
  int client;

  /* A SIGPIPE would kill this process: the library must not raise one. */
  signal (SIGPIPE, SIG_DFL);

  client = raw_connect (port);
  g_assert_no_errno (getsockname (client, (struct sockaddr *) &sin, &len));
  expected_peer = g_strdup_printf ("127.0.0.1:%u", ntohs (sin.sin_port));
  stream_iterate_until (f, has_buffered, server_factory);
  server = stream_factory_get_peer (server_factory, 0);

  /* Close with a reset while the server still has megabytes to send. */
  g_assert_no_errno (setsockopt (client, SOL_SOCKET, SO_LINGER, &linger, sizeof linger));
  close (client);

  stream_wait_lost (f, server);
  g_assert_error (server->reason, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_test_message ("reason: %s", server->reason->message);
  g_assert_nonnull (strstr (server->reason->message, expected_peer));

  stream_stop_listening (f, port);
  signal (SIGPIPE, SIG_IGN);
}

/* tcp/lose-connection-flushes -------------------------------------------- */

#define FLUSH_SIZE (16 * MEBIBYTE)

static void
send_and_lose_setup (StreamPeer *peer, gpointer user_data)
{
  peer->send_on_made = stream_pattern_new (FLUSH_SIZE, 11);
  peer->lose_after_send = TRUE;
}

static void
test_lose_connection_flushes (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (send_and_lose_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = listen_local (f, server_factory);
  g_autoptr (StreamPeer) client = connect_to (f, port, client_factory);
  StreamPeer *server;

  stream_wait_lost (f, client);
  server = stream_factory_get_peer (server_factory, 0);
  stream_wait_lost (f, server);

  stream_assert_pattern (client->received, FLUSH_SIZE, 11);
  g_assert_cmpuint (client->n_eof, ==, 1);
  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_error (server->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);

  stream_stop_listening (f, port);
}

/* tcp/abort-drops -------------------------------------------------------- */

#define ABORT_SIZE (32 * MEBIBYTE)

static void
abort_server_setup (StreamPeer *peer, gpointer user_data)
{
  peer->send_on_made = stream_pattern_new (ABORT_SIZE, 5);
}

static void
test_abort_drops (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (abort_server_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (paused_reader_setup, NULL);
  g_autoptr (WeftListeningPort) port = listen_local (f, server_factory);
  g_autoptr (StreamPeer) client = connect_to (f, port, client_factory);
  WeftTransport *server_transport;
  StreamPeer *server;

  stream_iterate_until (f, has_buffered, server_factory);
  server = stream_factory_get_peer (server_factory, 0);
  server_transport = transport_of (server);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (server_transport), >, 0);

  weft_transport_abort_connection (server_transport);
  g_assert_true (weft_transport_is_closing (server_transport));
  g_assert_cmpuint (weft_transport_get_write_buffer_size (server_transport), ==, 0);
  g_assert_cmpuint (server->n_lost, ==, 0);
  stream_wait_lost (f, server);
  g_assert_error (server->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED);

  weft_transport_resume_reading (transport_of (client));
  stream_wait_lost (f, client);
  g_assert_cmpuint (client->received->len, <, ABORT_SIZE);
  g_assert_false (g_error_matches (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED));

  stream_stop_listening (f, port);
}

/* tcp/emfile ------------------------------------------------------------- */

#define EMFILE_CLIENTS 3

typedef struct {
  int fds[EMFILE_CLIENTS];
  struct sockaddr_in sin;
} EmfileClients;

static gpointer
connect_clients_thread (gpointer user_data)
{
  EmfileClients *clients = user_data;

  for (int i = 0; i < EMFILE_CLIENTS; i++)
    if (connect (clients->fds[i], (struct sockaddr *) &clients->sin, sizeof clients->sin) < 0)
      g_assert_cmpint (errno, ==, EINPROGRESS);
  return NULL;
}

static int
highest_open_fd (void)
{
  int highest = 0;

  for (int fd = 0; fd < 65536; fd++)
    if (fcntl (fd, F_GETFD) >= 0)
      highest = fd;
  return highest;
}

static void
stop_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
test_emfile (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = listen_local (f, server_factory);
  g_autoptr (GArray) hogs = g_array_new (FALSE, FALSE, sizeof (int));
  EmfileClients clients = { { 0 } };
  struct rlimit saved, lowered;
  gboolean waited = FALSE;
  guint64 wakeups_before, wakeups;

  clients.sin.sin_family = AF_INET;
  clients.sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  clients.sin.sin_port = htons (stream_port_number (port));
  for (int i = 0; i < EMFILE_CLIENTS; i++)
    {
      clients.fds[i] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      g_assert_cmpint (clients.fds[i], >=, 0);
    }

  /* Leave a few descriptors, then take them all. */
  g_assert_no_errno (getrlimit (RLIMIT_NOFILE, &saved));
  lowered = saved;
  lowered.rlim_cur = highest_open_fd () + 1 + 8;
  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &lowered));
  for (;;)
    {
      int fd = fcntl (0, F_DUPFD_CLOEXEC, 0);

      if (fd < 0)
        {
          g_assert_cmpint (errno, ==, EMFILE);
          break;
        }
      g_array_append_val (hogs, fd);
    }

  g_test_expect_message ("Weft", G_LOG_LEVEL_WARNING, "*Cannot accept connections on 127.0.0.1:*Too many open files*");
  g_thread_join (g_thread_new ("emfile-clients", connect_clients_thread, &clients));

  /* The server cannot accept; it must not spin meanwhile. */
  wakeups_before = weft_reactor_get_wakeup_count (f->reactor);
  weft_reactor_call_later (f->reactor, 300 * 1000, stop_flag_cb, &waited, NULL);
  while (!waited)
    weft_reactor_iterate (f->reactor, TRUE);
  wakeups = weft_reactor_get_wakeup_count (f->reactor) - wakeups_before;
  g_test_message ("%" G_GUINT64_FORMAT " wake-ups in 300 ms without descriptors", wakeups);
  g_assert_cmpuint (server_factory->peers->len, ==, 0);
  g_assert_cmpuint (weft_listening_port_get_n_accepted (port), ==, 0);
  g_assert_cmpuint (wakeups, <, 100);
  g_assert_true (weft_listening_port_is_listening (port));

  /* Free the descriptors: the waiting clients are accepted. */
  for (guint i = 0; i < hogs->len; i++)
    close (g_array_index (hogs, int, i));
  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &saved));
  stream_wait_peers (f, server_factory, EMFILE_CLIENTS);
  g_test_assert_expected_messages ();

  for (int i = 0; i < EMFILE_CLIENTS; i++)
    close (clients.fds[i]);
  for (guint i = 0; i < EMFILE_CLIENTS; i++)
    {
      StreamPeer *server = stream_factory_get_peer (server_factory, i);

      stream_wait_lost (f, server);
      g_assert_cmpuint (server->n_eof, ==, 1);
    }
  stream_stop_listening (f, port);
}

/* tcp/stop-listening ----------------------------------------------------- */

static void
test_stop_listening (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = listen_local (f, factory);
  g_autoptr (WeftDeferred) first = NULL;
  g_autoptr (WeftDeferred) second = NULL;
  g_autoptr (WeftDeferred) third = NULL;
  struct sockaddr_in sin = { 0 };
  int fd;

  g_assert_cmpint (weft_listening_port_get_fd (port), >=, 0);
  first = weft_listening_port_stop_listening (port);
  second = weft_listening_port_stop_listening (port);
  /* The socket is closed at once; the deferreds fire from the reactor,
   * after the factory stopped. */
  g_assert_cmpint (weft_listening_port_get_fd (port), ==, -1);
  g_assert_false (weft_listening_port_is_listening (port));
  g_assert_false (weft_deferred_has_fired (first));
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 1);

  stream_wait_fired (f, second);
  g_assert_true (weft_deferred_has_fired (first));
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 0);
  third = weft_listening_port_stop_listening (port);
  g_assert_true (weft_deferred_has_fired (third));

  /* Nothing listens there any more. */
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  sin.sin_port = htons (stream_port_number (port));
  g_assert_cmpint (connect (fd, (struct sockaddr *) &sin, sizeof sin), ==, -1);
  g_assert_cmpint (errno, ==, ECONNREFUSED);
  close (fd);
}

/* tcp/factory-refuses --------------------------------------------------- */

static void
test_factory_refuses (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (NULL, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = listen_local (f, server_factory);
  g_autoptr (StreamPeer) client = NULL;

  /* The kernel completes the connection; the server's factory builds no
   * protocol, so the port closes the socket and the client sees the end. */
  server_factory->refuse = TRUE;
  client = connect_to (f, port, client_factory);
  stream_wait_lost (f, client);
  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_cmpuint (client->n_eof, ==, 1);
  g_assert_cmpuint (weft_listening_port_get_n_accepted (port), ==, 1);
  g_assert_cmpuint (server_factory->peers->len, ==, 0);
  g_assert_true (weft_listening_port_is_listening (port));

  stream_stop_listening (f, port);
}

/* tcp/adopt -------------------------------------------------------------- */

static gboolean
raw_read_ready (ConformanceFixture *f, int fd, char *buffer, gsize size, gsize *got)
{
  struct pollfd pfd = { fd, POLLIN, 0 };
  ssize_t n;

  conformance_iterate_nonblocking (f, 1);
  if (poll (&pfd, 1, 10) <= 0)
    return FALSE;
  n = recv (fd, buffer + *got, size - *got, MSG_DONTWAIT);
  if (n > 0)
    *got += n;
  return *got == size;
}

static void
test_adopt (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftProtocol) adopted = NULL;
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (StreamPeer) client = NULL;
  g_autoptr (GError) error = NULL;
  char buffer[4] = { 0 };
  gsize got = 0;
  guint16 port_no;
  int listener, raw_client, raw_server, pipe_fds[2];

  /* A connected socket. */
  listener = stream_raw_listener (&port_no, 1);
  {
    struct sockaddr_in sin = { 0 };

    raw_client = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    sin.sin_port = htons (port_no);
    g_assert_no_errno (connect (raw_client, (struct sockaddr *) &sin, sizeof sin));
    raw_server = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
    g_assert_cmpint (raw_server, >=, 0);
  }
  adopted = weft_reactor_adopt_stream_socket (f->reactor, raw_server, WEFT_FACTORY (factory), &error);
  g_assert_no_error (error);
  g_assert_true (STREAM_IS_PEER (adopted));
  g_assert_cmpuint (STREAM_PEER (adopted)->n_made, ==, 1);
  g_assert_true (WEFT_IS_TCP_TRANSPORT (weft_protocol_get_transport (adopted)));
  g_assert_cmpint (weft_fd_transport_get_fd (WEFT_FD_TRANSPORT (weft_protocol_get_transport (adopted))), ==,
                   raw_server);
  g_assert_cmpint (fcntl (raw_server, F_GETFL) & O_NONBLOCK, !=, 0);

  g_assert_cmpint (send (raw_client, "ping", 4, 0), ==, 4);
  while (!raw_read_ready (f, raw_client, buffer, sizeof buffer, &got))
    ;
  g_assert_cmpmem (buffer, 4, "ping", 4);
  close (raw_client);
  stream_wait_lost (f, STREAM_PEER (adopted));
  g_assert_error (STREAM_PEER (adopted)->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);

  /* A listening socket: accepted connections work as with listen_tcp. */
  port = weft_reactor_adopt_listening_socket (f->reactor, listener, WEFT_FACTORY (factory), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stream_port_number (port), ==, port_no);
  client = connect_to (f, port, client_factory);
  weft_transport_write (transport_of (client), "pong", 4);
  stream_wait_received (f, client, 4);
  g_assert_cmpmem (client->received->data, client->received->len, "pong", 4);
  weft_transport_lose_connection (transport_of (client));
  stream_wait_lost (f, client);
  stream_wait_lost (f, stream_factory_get_peer (factory, 1));
  stream_stop_listening (f, port);

  /* What is not a connected stream socket is refused and left open. */
  conformance_pipe (pipe_fds);
  g_assert_null (weft_reactor_adopt_stream_socket (f->reactor, pipe_fds[0], WEFT_FACTORY (factory), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (weft_reactor_adopt_listening_socket (f->reactor, pipe_fds[0], WEFT_FACTORY (factory), &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (fcntl (pipe_fds[0], F_GETFD), >=, 0);
  conformance_close (&pipe_fds[0]);
  conformance_close (&pipe_fds[1]);
}

/* tcp/keepalive-nodelay -------------------------------------------------- */

static void
test_keepalive_nodelay (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (NULL, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = listen_local (f, server_factory);
  g_autoptr (StreamPeer) client = connect_to (f, port, client_factory);
  g_autoptr (WeftTcpTransport) transport = NULL;
  g_autoptr (GError) error = NULL;
  WeftTcpTransport *server_transport;
  int fd;

  transport = g_object_ref (WEFT_TCP_TRANSPORT (transport_of (client)));
  stream_wait_peers (f, server_factory, 1);
  server_transport = WEFT_TCP_TRANSPORT (transport_of (stream_factory_get_peer (server_factory, 0)));
  fd = weft_fd_transport_get_fd (WEFT_FD_TRANSPORT (transport));

  /* On by default, on both sides. */
  g_assert_true (weft_tcp_transport_get_nodelay (transport));
  g_assert_true (weft_tcp_transport_get_nodelay (server_transport));
  g_assert_cmpint (get_int_option (fd, IPPROTO_TCP, TCP_NODELAY), ==, 1);
  g_assert_cmpint (get_int_option (weft_fd_transport_get_fd (WEFT_FD_TRANSPORT (server_transport)), IPPROTO_TCP,
                                   TCP_NODELAY),
                   ==, 1);

  g_assert_true (weft_tcp_transport_set_nodelay (transport, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (get_int_option (fd, IPPROTO_TCP, TCP_NODELAY), ==, 0);
  g_assert_false (weft_tcp_transport_get_nodelay (transport));

  g_assert_cmpint (get_int_option (fd, SOL_SOCKET, SO_KEEPALIVE), ==, 0);
  g_assert_true (weft_tcp_transport_set_keepalive (transport, TRUE, 30 * G_USEC_PER_SEC, 5 * G_USEC_PER_SEC, 3,
                                                   &error));
  g_assert_no_error (error);
  g_assert_cmpint (get_int_option (fd, SOL_SOCKET, SO_KEEPALIVE), ==, 1);
  g_assert_cmpint (get_int_option (fd, IPPROTO_TCP, TCP_KEEPIDLE), ==, 30);
  g_assert_cmpint (get_int_option (fd, IPPROTO_TCP, TCP_KEEPINTVL), ==, 5);
  g_assert_cmpint (get_int_option (fd, IPPROTO_TCP, TCP_KEEPCNT), ==, 3);
  g_assert_true (weft_tcp_transport_set_keepalive (transport, FALSE, 0, 0, 0, &error));
  g_assert_cmpint (get_int_option (fd, SOL_SOCKET, SO_KEEPALIVE), ==, 0);

  weft_transport_lose_connection (WEFT_TRANSPORT (transport));
  stream_wait_lost (f, client);
  stream_wait_lost (f, stream_factory_get_peer (server_factory, 0));

  /* Closed: options cannot be set, and the error says so. */
  g_assert_cmpint (weft_fd_transport_get_fd (WEFT_FD_TRANSPORT (transport)), ==, -1);
  g_assert_cmpint (weft_fd_transport_get_state (WEFT_FD_TRANSPORT (transport)), ==,
                   WEFT_FD_TRANSPORT_STATE_DISCONNECTED);
  g_assert_false (weft_tcp_transport_set_nodelay (transport, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);

  stream_stop_listening (f, port);
}

const ConformanceCase conformance_tcp_cases[] = {
  { "tcp/echo", test_echo },
  { "tcp/echo-ipv6", test_echo_ipv6 },
  { "tcp/large-transfer", test_large_transfer },
  { "tcp/half-close", test_half_close },
  { "tcp/flow-control", test_flow_control },
  { "tcp/connection-refused", test_connection_refused },
  { "tcp/connect-timeout", test_connect_timeout },
  { "tcp/peer-reset-mid-write", test_peer_reset_mid_write },
  { "tcp/lose-connection-flushes", test_lose_connection_flushes },
  { "tcp/abort-drops", test_abort_drops },
  { "tcp/emfile", test_emfile },
  { "tcp/stop-listening", test_stop_listening },
  { "tcp/factory-refuses", test_factory_refuses },
  { "tcp/adopt", test_adopt },
  { "tcp/keepalive-nodelay", test_keepalive_nodelay },
  { NULL },
};
