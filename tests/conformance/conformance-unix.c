/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance-stream.h"

#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* A private directory for socket files, removed at the end of the case. */
static char *
make_socket_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("weft-unix-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static WeftListeningPort *
listen_unix (ConformanceFixture *f, const char *path, int mode, StreamFactory *factory)
{
  g_autoptr (GError) error = NULL;
  WeftListeningPort *port = weft_reactor_listen_unix (f->reactor, path, mode, WEFT_FACTORY (factory), 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (port);
  return port;
}

static StreamPeer *
connect_unix (ConformanceFixture *f, const char *path, StreamFactory *factory)
{
  g_autoptr (WeftDeferred) deferred =
      weft_reactor_connect_unix (f->reactor, path, WEFT_CLIENT_FACTORY (factory), 10 * G_USEC_PER_SEC);
  StreamConnectResult result;

  stream_capture_connect (deferred, &result);
  g_assert_false (result.fired);
  stream_wait_connected (f, &result);
  return STREAM_PEER (g_steal_pointer (&result.protocol));
}

static void
run_echo (ConformanceFixture *f, const char *path)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = listen_unix (f, path, -1, server_factory);
  g_autoptr (StreamPeer) client = NULL;
  g_autoptr (GError) error = NULL;
  GSocketAddress *address = weft_listening_port_get_address (port);
  WeftTransport *transport;
  GPid pid = 0;
  guint uid = G_MAXUINT, gid = G_MAXUINT;

  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (address));
  if (path[0] == '@')
    {
      g_assert_cmpint (g_unix_socket_address_get_address_type (G_UNIX_SOCKET_ADDRESS (address)), ==,
                       G_UNIX_SOCKET_ADDRESS_ABSTRACT);
      g_assert_cmpmem (g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (address)),
                       g_unix_socket_address_get_path_len (G_UNIX_SOCKET_ADDRESS (address)), path + 1,
                       strlen (path + 1));
    }
  else
    {
      g_assert_cmpstr (g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (address)), ==, path);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }

  client = connect_unix (f, path, client_factory);
  transport = weft_protocol_get_transport (WEFT_PROTOCOL (client));
  g_assert_true (WEFT_IS_UNIX_TRANSPORT (transport));
  g_assert_true (weft_unix_transport_get_peer_credentials (WEFT_UNIX_TRANSPORT (transport), &pid, &uid, &gid, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pid, ==, getpid ());
  g_assert_cmpuint (uid, ==, getuid ());
  g_assert_cmpuint (gid, ==, getgid ());

  stream_echo_round_trip (f, client, server_factory);
  g_assert_nonnull (strstr (client->reason->message, path));
  g_assert_cmpuint (client_factory->n_client_lost, ==, 1);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (client_factory)), ==, 0);

  stream_stop_listening (f, port);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (server_factory)), ==, 0);
  if (path[0] != '@')
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_echo (ConformanceFixture *f)
{
  g_autofree char *dir = make_socket_dir ();
  g_autofree char *path = g_build_filename (dir, "echo.sock", NULL);

  run_echo (f, path);
  g_assert_no_errno (g_rmdir (dir));
}

static void
test_abstract (ConformanceFixture *f)
{
  g_autofree char *name = g_strdup_printf ("@weft-conformance-%d-%08x", (int) getpid (), g_random_int ());

  run_echo (f, name);
}

static void
test_mode (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autofree char *dir = make_socket_dir ();
  g_autofree char *path = g_build_filename (dir, "private.sock", NULL);
  g_autoptr (WeftListeningPort) port = NULL;
  struct stat st;

  port = listen_unix (f, path, 0600, factory);
  g_assert_no_errno (lstat (path, &st));
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  stream_stop_listening (f, port);
  g_clear_object (&port);

  port = listen_unix (f, path, 0660, factory);
  g_assert_no_errno (lstat (path, &st));
  g_assert_cmpint (st.st_mode & 07777, ==, 0660);
  stream_stop_listening (f, port);

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_no_errno (g_rmdir (dir));
}

/* A socket file left behind by a server that is gone. */
static void
make_stale_socket (const char *path)
{
  struct sockaddr_un sun = { 0 };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  sun.sun_family = AF_UNIX;
  g_strlcpy (sun.sun_path, path, sizeof sun.sun_path);
  g_assert_no_errno (bind (fd, (struct sockaddr *) &sun, sizeof sun));
  g_assert_no_errno (listen (fd, 1));
  close (fd);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_stale_socket_file (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autofree char *dir = make_socket_dir ();
  g_autofree char *path = g_build_filename (dir, "stale.sock", NULL);
  g_autofree char *other_path = g_build_filename (dir, "not-a-socket", NULL);
  g_autoptr (WeftListeningPort) port = NULL;
  g_autoptr (WeftListeningPort) second = NULL;
  g_autoptr (StreamPeer) client = NULL;
  g_autoptr (GError) error = NULL;

  /* Nobody listens on the stale file: it is replaced. */
  make_stale_socket (path);
  port = listen_unix (f, path, -1, server_factory);
  client = connect_unix (f, path, client_factory);
  stream_echo_round_trip (f, client, server_factory);

  /* Someone listens now: a second server is refused, and the first one
   * keeps its file. */
  second = weft_reactor_listen_unix (f->reactor, path, -1, WEFT_FACTORY (server_factory), 0, &error);
  g_assert_null (second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, path));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  /* Finding out took a connection, which the first server accepts; it
   * closes at once. */
  stream_wait_peers (f, server_factory, 2);
  stream_wait_lost (f, stream_factory_get_peer (server_factory, 1));
  stream_stop_listening (f, port);

  /* A file that is not a socket is never removed. */
  g_assert_true (g_file_set_contents (other_path, "data", -1, NULL));
  second = weft_reactor_listen_unix (f->reactor, other_path, -1, WEFT_FACTORY (server_factory), 0, &error);
  g_assert_null (second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, other_path));
  g_assert_true (g_file_test (other_path, G_FILE_TEST_IS_REGULAR));

  g_assert_no_errno (g_unlink (other_path));
  g_assert_no_errno (g_rmdir (dir));
}

static void
test_connect_errors (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autofree char *dir = make_socket_dir ();
  g_autofree char *missing = g_build_filename (dir, "missing.sock", NULL);
  g_autofree char *stale = g_build_filename (dir, "stale.sock", NULL);
  g_autoptr (WeftDeferred) first = NULL;
  g_autoptr (WeftDeferred) second = NULL;
  StreamConnectResult result;

  first = weft_reactor_connect_unix (f->reactor, missing, WEFT_CLIENT_FACTORY (factory), 0);
  stream_capture_connect (first, &result);
  g_assert_false (result.fired);
  stream_wait_fired (f, first);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (result.error->message, missing));
  stream_connect_result_clear (&result);

  make_stale_socket (stale);
  second = weft_reactor_connect_unix (f->reactor, stale, WEFT_CLIENT_FACTORY (factory), 0);
  stream_capture_connect (second, &result);
  stream_wait_fired (f, second);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (result.error->message, stale));
  stream_connect_result_clear (&result);

  g_assert_cmpuint (factory->n_failed, ==, 2);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (factory)), ==, 0);
  g_assert_no_errno (g_unlink (stale));
  g_assert_no_errno (g_rmdir (dir));
}

const ConformanceCase conformance_unix_cases[] = {
  { "unix/echo", test_echo },
  { "unix/abstract", test_abstract },
  { "unix/mode", test_mode },
  { "unix/stale-socket-file", test_stale_socket_file },
  { "unix/connect-errors", test_connect_errors },
  { NULL },
};
