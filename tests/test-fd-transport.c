/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <weft/weft-testing.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* WeftFdTransport over plain fds (pipes, socket pairs), and the memory
 * reactor. The TCP and Unix transports are covered, on every backend, by
 * the conformance suite. */

#define TEST_TYPE_RECORDER (test_recorder_get_type ())
G_DECLARE_FINAL_TYPE (TestRecorder, test_recorder, TEST, RECORDER, WeftProtocol)

struct _TestRecorder {
  WeftProtocol parent_instance;

  GString *received;
  GString *log; /* one letter per event: M made, D data, E eof, L lost */
  GError *reason;
  gboolean echo;
  gboolean keep_open_on_eof;
  gboolean writing; /* inside a write: connection_lost must not come now */
};

G_DEFINE_FINAL_TYPE (TestRecorder, test_recorder, WEFT_TYPE_PROTOCOL)

static void
test_recorder_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  g_string_append_c (TEST_RECORDER (protocol)->log, 'M');
}

static void
test_recorder_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  TestRecorder *self = TEST_RECORDER (protocol);

  g_string_append_c (self->log, 'D');
  g_string_append_len (self->received, (const char *) data, len);
  if (self->echo)
    weft_transport_write (weft_protocol_get_transport (protocol), data, len);
}

static gboolean
test_recorder_eof_received (WeftProtocol *protocol)
{
  TestRecorder *self = TEST_RECORDER (protocol);

  g_string_append_c (self->log, 'E');
  return self->keep_open_on_eof;
}

static void
test_recorder_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  TestRecorder *self = TEST_RECORDER (protocol);

  g_assert_false (self->writing);
  g_string_append_c (self->log, 'L');
  self->reason = g_error_copy (reason);
}

static void
test_recorder_finalize (GObject *object)
{
  TestRecorder *self = TEST_RECORDER (object);

  g_string_free (self->received, TRUE);
  g_string_free (self->log, TRUE);
  g_clear_error (&self->reason);
  G_OBJECT_CLASS (test_recorder_parent_class)->finalize (object);
}

static void
test_recorder_class_init (TestRecorderClass *klass)
{
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_recorder_finalize;
  protocol_class->connection_made = test_recorder_connection_made;
  protocol_class->data_received = test_recorder_data_received;
  protocol_class->eof_received = test_recorder_eof_received;
  protocol_class->connection_lost = test_recorder_connection_lost;
}

static void
test_recorder_init (TestRecorder *self)
{
  self->received = g_string_new (NULL);
  self->log = g_string_new (NULL);
}

static WeftReactor *
new_reactor (void)
{
  g_autoptr (GError) error = NULL;
  WeftReactor *reactor =
      weft_reactor_new ("epoll", WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING | WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS, &error);

  g_assert_no_error (error);
  return reactor;
}

static void
iterate_until_lost (WeftReactor *reactor, TestRecorder *recorder)
{
  for (guint i = 0; i < 10000 && recorder->reason == NULL; i++)
    weft_reactor_iterate (reactor, TRUE);
  g_assert_nonnull (recorder->reason);
}

static void
iterate_until_received (WeftReactor *reactor, TestRecorder *recorder, gsize len)
{
  for (guint i = 0; i < 10000 && recorder->received->len < len && recorder->reason == NULL; i++)
    weft_reactor_iterate (reactor, TRUE);
  g_assert_cmpuint (recorder->received->len, >=, len);
}

static gsize
read_all (int fd, GString *into)
{
  char buffer[4096];
  gsize total = 0;
  ssize_t n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    {
      g_string_append_len (into, buffer, n);
      total += n;
    }
  return total;
}

/* A transport reading one pipe and writing another, as for a child
 * process: echo, then half-close (the write pipe is closed), then the
 * peer's end-of-file ends the connection. */
static void
test_pipes (void)
{
  g_autoptr (WeftReactor) reactor = new_reactor ();
  g_autoptr (TestRecorder) recorder = g_object_new (TEST_TYPE_RECORDER, NULL);
  g_autoptr (WeftFdTransport) transport = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) echoed = g_string_new (NULL);
  int in[2], out[2];
  char byte;

  g_assert_no_errno (pipe2 (in, O_CLOEXEC));
  g_assert_no_errno (pipe2 (out, O_CLOEXEC | O_NONBLOCK));
  recorder->echo = TRUE;
  recorder->keep_open_on_eof = TRUE;

  transport = weft_fd_transport_new (reactor, in[0], out[1], WEFT_FD_TRANSPORT_FLAGS_NONE);
  g_assert_cmpint (weft_fd_transport_get_state (transport), ==, WEFT_FD_TRANSPORT_STATE_NEW);
  g_assert_true (weft_fd_transport_start (transport, WEFT_PROTOCOL (recorder), &error));
  g_assert_no_error (error);
  g_assert_cmpint (weft_fd_transport_get_fd (transport), ==, in[0]);
  g_assert_cmpint (weft_fd_transport_get_write_fd (transport), ==, out[1]);
  g_assert_cmpint (fcntl (in[0], F_GETFL) & O_NONBLOCK, !=, 0);
  g_assert_null (weft_transport_get_peer_address (WEFT_TRANSPORT (transport)));

  g_assert_cmpint (write (in[1], "hello", 5), ==, 5);
  iterate_until_received (reactor, recorder, 5);
  read_all (out[0], echoed);
  g_assert_cmpstr (echoed->str, ==, "hello");

  /* Half-closing a pipe pair closes the write pipe: its reader sees
   * end-of-file. */
  weft_transport_lose_write_connection (WEFT_TRANSPORT (transport));
  g_assert_cmpint (weft_fd_transport_get_write_fd (transport), ==, -1);
  g_assert_cmpint (read (out[0], &byte, 1), ==, 0);

  /* End-of-file on the read pipe: both directions are done. */
  close (in[1]);
  iterate_until_lost (reactor, recorder);
  g_assert_cmpstr (recorder->log->str, ==, "MDL");
  g_assert_error (recorder->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_cmpint (weft_fd_transport_get_state (transport), ==, WEFT_FD_TRANSPORT_STATE_DISCONNECTED);
  g_assert_cmpint (fcntl (in[0], F_GETFD), <, 0);
  close (out[0]);
}

/* Writing into a pipe nobody reads raises no SIGPIPE; the connection ends
 * with a broken-pipe error, from the reactor. */
static void
test_pipe_sigpipe (void)
{
  g_autoptr (WeftReactor) reactor = new_reactor ();
  g_autoptr (TestRecorder) recorder = g_object_new (TEST_TYPE_RECORDER, NULL);
  g_autoptr (WeftFdTransport) transport = NULL;
  int out[2];

  signal (SIGPIPE, SIG_DFL);
  g_assert_no_errno (pipe2 (out, O_CLOEXEC));
  close (out[0]);
  transport = weft_fd_transport_new (reactor, -1, out[1], WEFT_FD_TRANSPORT_FLAGS_NONE);
  g_assert_true (weft_fd_transport_start (transport, WEFT_PROTOCOL (recorder), NULL));

  recorder->writing = TRUE;
  weft_transport_write (WEFT_TRANSPORT (transport), "lost", 4);
  recorder->writing = FALSE;
  g_assert_true (weft_transport_is_closing (WEFT_TRANSPORT (transport)));
  g_assert_null (recorder->reason);

  iterate_until_lost (reactor, recorder);
  g_assert_error (recorder->reason, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_assert_nonnull (strstr (recorder->reason->message, "file descriptor"));
  /* Later writes are dropped silently. */
  weft_transport_write (WEFT_TRANSPORT (transport), "more", 4);
  signal (SIGPIPE, SIG_IGN);
}

/* Writes made after lose_connection, before the close takes effect, are
 * sent; connection_lost is never delivered from inside a transport call. */
static void
test_writes_after_lose_connection (void)
{
  g_autoptr (WeftReactor) reactor = new_reactor ();
  g_autoptr (TestRecorder) recorder = g_object_new (TEST_TYPE_RECORDER, NULL);
  g_autoptr (WeftFdTransport) transport = NULL;
  g_autoptr (GString) got = g_string_new (NULL);
  g_autoptr (GBytes) bytes = g_bytes_new_static (" bytes", 6);
  GOutputVector vectors[] = { { " vec", 4 }, { "tor", 3 } };
  g_autoptr (GSocketAddress) peer = NULL;
  int fds[2];

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  transport = weft_fd_transport_new (reactor, fds[0], fds[0], WEFT_FD_TRANSPORT_FLAGS_SOCKET);
  g_assert_true (weft_fd_transport_start (transport, WEFT_PROTOCOL (recorder), NULL));
  peer = weft_transport_get_peer_address (WEFT_TRANSPORT (transport));
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (peer));

  weft_transport_write (WEFT_TRANSPORT (transport), "first", 5);
  weft_transport_lose_connection (WEFT_TRANSPORT (transport));
  g_assert_cmpint (weft_fd_transport_get_state (transport), ==, WEFT_FD_TRANSPORT_STATE_DISCONNECTING);
  weft_transport_write (WEFT_TRANSPORT (transport), " then", 5);
  weft_transport_write_bytes (WEFT_TRANSPORT (transport), bytes);
  weft_transport_writev (WEFT_TRANSPORT (transport), vectors, G_N_ELEMENTS (vectors));
  g_assert_cmpstr (recorder->log->str, ==, "M");

  iterate_until_lost (reactor, recorder);
  g_assert_error (recorder->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  read_all (fds[1], got);
  g_assert_cmpstr (got->str, ==, "first then bytes vector");
  close (fds[1]);
}

/* A close reason given by the protocol is what connection_lost gets. */
static void
test_lose_connection_with_error (void)
{
  g_autoptr (WeftReactor) reactor = new_reactor ();
  g_autoptr (TestRecorder) recorder = g_object_new (TEST_TYPE_RECORDER, NULL);
  g_autoptr (WeftFdTransport) transport = NULL;
  g_autoptr (GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line too long");
  int fds[2];

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  transport = weft_fd_transport_new (reactor, fds[0], fds[0], WEFT_FD_TRANSPORT_FLAGS_SOCKET);
  g_assert_true (weft_fd_transport_start (transport, WEFT_PROTOCOL (recorder), NULL));
  weft_transport_lose_connection_with_error (WEFT_TRANSPORT (transport), reason);
  /* A second close does not change the reason. */
  weft_transport_abort_connection (WEFT_TRANSPORT (transport));
  iterate_until_lost (reactor, recorder);
  g_assert_error (recorder->reason, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (recorder->reason->message, ==, "line too long");
  close (fds[1]);
}

/* Pausing reading keeps data in the kernel; the fd is not waited on, so
 * an idle paused transport costs no wake-ups. */
static void
test_pause_reading (void)
{
  g_autoptr (WeftReactor) reactor = new_reactor ();
  g_autoptr (TestRecorder) recorder = g_object_new (TEST_TYPE_RECORDER, NULL);
  g_autoptr (WeftFdTransport) transport = NULL;
  guint64 wakeups;
  int fds[2];

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  transport = weft_fd_transport_new (reactor, fds[0], fds[0], WEFT_FD_TRANSPORT_FLAGS_SOCKET);
  g_assert_true (weft_fd_transport_start (transport, WEFT_PROTOCOL (recorder), NULL));
  weft_transport_pause_reading (WEFT_TRANSPORT (transport));
  g_assert_true (weft_fd_transport_is_reading_paused (transport));
  g_assert_cmpint (write (fds[1], "abc", 3), ==, 3);

  wakeups = weft_reactor_get_wakeup_count (reactor);
  for (guint i = 0; i < 5; i++)
    weft_reactor_iterate (reactor, FALSE);
  g_assert_cmpuint (recorder->received->len, ==, 0);

  weft_transport_resume_reading (WEFT_TRANSPORT (transport));
  iterate_until_received (reactor, recorder, 3);
  g_assert_cmpstr (recorder->received->str, ==, "abc");
  g_assert_cmpuint (weft_reactor_get_wakeup_count (reactor), >, wakeups);

  weft_transport_abort_connection (WEFT_TRANSPORT (transport));
  iterate_until_lost (reactor, recorder);
  g_assert_error (recorder->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED);
  close (fds[1]);
}

/* The memory reactor ------------------------------------------------------ */

typedef struct {
  WeftClientFactory parent_instance;
  guint n_failed;
  guint n_lost;
} CountingFactory;

typedef WeftClientFactoryClass CountingFactoryClass;

static GType counting_factory_get_type (void);
G_DEFINE_TYPE (CountingFactory, counting_factory, WEFT_TYPE_CLIENT_FACTORY)

static void
counting_failed (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  ((CountingFactory *) factory)->n_failed++;
}

static void
counting_lost (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  ((CountingFactory *) factory)->n_lost++;
}

static void
counting_factory_class_init (CountingFactoryClass *klass)
{
  klass->client_connection_failed = counting_failed;
  klass->client_connection_lost = counting_lost;
}

static void
counting_factory_init (CountingFactory *self)
{
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CountingFactory, g_object_unref)

static CountingFactory *
counting_factory_new (void)
{
  return g_object_new (counting_factory_get_type (), "protocol-type", TEST_TYPE_RECORDER, NULL);
}

static WeftDeferred *
store_result (WeftResult *result, gpointer user_data)
{
  WeftResult **stored = user_data;

  *stored = weft_result_copy (result);
  weft_result_clear (result);
  return NULL;
}

static void
test_memory_reactor_connect (void)
{
  g_autoptr (WeftReactor) reactor = weft_test_memory_reactor_new ();
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new_from_string ("192.0.2.7", 6667);
  g_autoptr (GSocketAddress) bind_address = g_inet_socket_address_new_from_string ("192.0.2.1", 0);
  g_autoptr (WeftDeferred) first = NULL;
  g_autoptr (WeftDeferred) second = NULL;
  g_autoptr (WeftDeferred) third = NULL;
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autoptr (WeftResult) first_result = NULL;
  g_autoptr (WeftResult) second_result = NULL;
  g_autoptr (WeftResult) third_result = NULL;
  g_autoptr (GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "refused");
  WeftProtocol *protocol;

  first = weft_reactor_connect_tcp (reactor, address, WEFT_CLIENT_FACTORY (factory), 30 * G_USEC_PER_SEC, bind_address);
  second =
      weft_reactor_connect_unix (reactor, "/run/weft-test.sock", WEFT_CLIENT_FACTORY (factory), 5 * G_USEC_PER_SEC);
  third = weft_reactor_connect_tcp (reactor, address, WEFT_CLIENT_FACTORY (factory), 0, NULL);
  weft_deferred_add_both (first, store_result, &first_result, NULL);
  weft_deferred_add_both (second, store_result, &second_result, NULL);
  weft_deferred_add_both (third, store_result, &third_result, NULL);

  g_assert_cmpuint (weft_test_memory_reactor_get_n_connects (reactor), ==, 3);
  g_assert_true (weft_test_memory_reactor_get_connect_address (reactor, 0) == address);
  g_assert_true (weft_test_memory_reactor_get_connect_bind_address (reactor, 0) == bind_address);
  g_assert_cmpint (weft_test_memory_reactor_get_connect_timeout (reactor, 0), ==, 30 * G_USEC_PER_SEC);
  g_assert_true (weft_test_memory_reactor_get_connect_factory (reactor, 0) == WEFT_CLIENT_FACTORY (factory));
  g_assert_null (weft_test_memory_reactor_get_connect_path (reactor, 0));
  g_assert_cmpstr (weft_test_memory_reactor_get_connect_path (reactor, 1), ==, "/run/weft-test.sock");
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (weft_test_memory_reactor_get_connect_address (reactor, 1)));
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 3);
  g_assert_true (weft_test_memory_reactor_connect_is_pending (reactor, 0));

  protocol = weft_test_memory_reactor_complete_connect (reactor, 0, transport);
  g_assert_true (TEST_IS_RECORDER (protocol));
  g_assert_false (weft_test_memory_reactor_connect_is_pending (reactor, 0));
  g_assert_true (weft_result_get_object (first_result) == protocol);
  g_assert_cmpstr (TEST_RECORDER (protocol)->log->str, ==, "M");

  weft_test_memory_reactor_fail_connect (reactor, 1, refused);
  g_assert_true (weft_result_error_matches (second_result, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED));
  g_assert_cmpuint (factory->n_failed, ==, 1);

  weft_deferred_cancel (third);
  g_assert_true (weft_result_is_cancelled (third_result));
  g_assert_false (weft_test_memory_reactor_connect_is_pending (reactor, 2));
  g_assert_cmpuint (factory->n_failed, ==, 2);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 1);

  /* The completed connection ends: the factory hears of it. */
  weft_string_transport_connection_lost (transport, NULL);
  g_assert_cmpuint (factory->n_lost, ==, 1);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 0);
}

static void
test_memory_reactor_listen (void)
{
  g_autoptr (WeftReactor) reactor = weft_test_memory_reactor_new ();
  g_autoptr (WeftFactory) factory = weft_factory_new (TEST_TYPE_RECORDER);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr (WeftListeningPort) tcp_port = NULL;
  g_autoptr (WeftListeningPort) unix_port = NULL;
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autoptr (WeftDeferred) stopped = NULL;
  g_autoptr (GError) error = NULL;
  GSocketAddress *bound;
  WeftProtocol *protocol;

  tcp_port = weft_reactor_listen_tcp (reactor, any_port, factory, 50, &error);
  g_assert_no_error (error);
  unix_port = weft_reactor_listen_unix (reactor, "@weft-test", 0600, factory, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (weft_factory_get_start_count (factory), ==, 2);

  g_assert_cmpuint (weft_test_memory_reactor_get_n_listens (reactor), ==, 2);
  g_assert_true (weft_test_memory_reactor_get_listen_address (reactor, 0) == any_port);
  g_assert_cmpint (weft_test_memory_reactor_get_listen_backlog (reactor, 0), ==, 50);
  g_assert_true (weft_test_memory_reactor_get_listen_factory (reactor, 0) == factory);
  g_assert_true (weft_test_memory_reactor_get_listen_port (reactor, 0) == tcp_port);
  g_assert_cmpstr (weft_test_memory_reactor_get_listen_path (reactor, 1), ==, "@weft-test");
  g_assert_cmpint (weft_test_memory_reactor_get_listen_mode (reactor, 1), ==, 0600);
  g_assert_cmpint (weft_listening_port_get_fd (tcp_port), ==, -1);

  /* Port 0 gets a made-up number, as the kernel would choose one. */
  bound = weft_listening_port_get_address (tcp_port);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)), !=, 0);

  protocol = weft_test_memory_reactor_accept (reactor, 0, transport);
  g_assert_true (TEST_IS_RECORDER (protocol));
  g_assert_true (weft_protocol_get_transport (protocol) == WEFT_TRANSPORT (transport));

  stopped = weft_listening_port_stop_listening (tcp_port);
  weft_test_clock_advance (reactor, 0);
  g_assert_true (weft_deferred_has_fired (stopped));
  g_assert_cmpuint (weft_factory_get_start_count (factory), ==, 1);
  g_clear_object (&stopped);
  stopped = weft_listening_port_stop_listening (unix_port);
  weft_test_clock_advance (reactor, 0);
  g_assert_cmpuint (weft_factory_get_start_count (factory), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/fd-transport/pipes", test_pipes);
  g_test_add_func ("/fd-transport/pipe-sigpipe", test_pipe_sigpipe);
  g_test_add_func ("/fd-transport/writes-after-lose-connection", test_writes_after_lose_connection);
  g_test_add_func ("/fd-transport/lose-connection-with-error", test_lose_connection_with_error);
  g_test_add_func ("/fd-transport/pause-reading", test_pause_reading);
  g_test_add_func ("/memory-reactor/connect", test_memory_reactor_connect);
  g_test_add_func ("/memory-reactor/listen", test_memory_reactor_listen);

  return g_test_run ();
}
