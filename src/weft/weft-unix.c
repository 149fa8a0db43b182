/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "weft-error.h"
#include "weft-fd-transport-private.h"
#include "weft-net-private.h"
#include "weft-unix.h"

/**
 * WeftUnixTransport:
 *
 * A connection over a Unix stream socket: a [class@Weft.FdTransport] that
 * can also tell who is at the other end
 * (weft_unix_transport_get_peer_credentials()).
 *
 * Connections come from weft_reactor_connect_unix(), from a
 * [class@Weft.ListeningPort] made by weft_reactor_listen_unix(), or from
 * weft_reactor_adopt_stream_socket().
 */

struct _WeftUnixTransport {
  WeftFdTransport parent_instance;
};

G_DEFINE_FINAL_TYPE (WeftUnixTransport, weft_unix_transport, WEFT_TYPE_FD_TRANSPORT)

static void
weft_unix_transport_class_init (WeftUnixTransportClass *klass)
{
}

static void
weft_unix_transport_init (WeftUnixTransport *self)
{
}

/**
 * weft_unix_transport_get_peer_credentials:
 * @transport: a Unix transport
 * @pid: (out) (optional): the process id of the peer
 * @uid: (out) (optional): its user id
 * @gid: (out) (optional): its group id
 * @error: return location for a #GError
 *
 * Tells who is at the other end, as the kernel recorded it when the
 * connection was made (`SO_PEERCRED`), so that a server can check that a
 * client runs as the same user.
 *
 * Returns: %TRUE on success; %FALSE with @error set, e.g. once the
 *   connection is closed
 */
gboolean
weft_unix_transport_get_peer_credentials (WeftUnixTransport *transport,
                                          GPid *pid,
                                          guint *uid,
                                          guint *gid,
                                          GError **error)
{
  WeftFdTransport *self = (WeftFdTransport *) transport;
  struct ucred cred;
  socklen_t len = sizeof cred;
  int fd;

  g_return_val_if_fail (WEFT_IS_UNIX_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fd = weft_fd_transport_get_fd (self);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("The connection to %s is closed"),
                   weft_fd_transport_describe (self));
      return FALSE;
    }
  if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _ ("Cannot read the credentials of the peer %s: %s"), weft_fd_transport_describe (self),
                   g_strerror (errsv));
      return FALSE;
    }
  if (pid != NULL)
    *pid = cred.pid;
  if (uid != NULL)
    *uid = cred.uid;
  if (gid != NULL)
    *gid = cred.gid;
  return TRUE;
}

/* Connecting and listening */

WeftDeferred *
weft_unix_connect_real (WeftReactor *reactor,
                        const char *path,
                        WeftClientFactory *factory,
                        gint64 timeout_us,
                        gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) address = weft_net_unix_address_new (path, &error);
  int fd;

  if (address == NULL)
    return weft_net_connect_failed (reactor, factory, g_steal_pointer (&error));
  fd = weft_net_socket (AF_UNIX, &error);
  if (fd < 0)
    return weft_net_connect_failed (reactor, factory, g_steal_pointer (&error));
  return weft_net_connect_socket (reactor, fd, address, factory, timeout_us, WEFT_TYPE_UNIX_TRANSPORT);
}

/* Binding found a file at @path. Removes it if it is a socket nobody
 * listens on any more (a server that did not clean up); refuses otherwise.
 * Returns TRUE when binding is worth another try. */
static gboolean
remove_stale_socket (const char *path, const struct sockaddr *sa, socklen_t sa_len, GError **error)
{
  struct stat st;
  int probe, errsv;

  if (lstat (path, &st) < 0)
    return errno == ENOENT;
  if (!S_ISSOCK (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                   _ ("Cannot listen on %s: a file that is not a socket is in the way"), path);
      return FALSE;
    }

  probe = weft_net_socket (AF_UNIX, error);
  if (probe < 0)
    return FALSE;
  errsv = connect (probe, sa, sa_len) < 0 ? errno : 0;
  close (probe);
  if (errsv == ECONNREFUSED)
    {
      if (unlink (path) == 0 || errno == ENOENT)
        return TRUE;
      errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _ ("Cannot listen on %s: cannot remove the stale socket file: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  if (errsv == 0 || errsv == EAGAIN || errsv == EINPROGRESS)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                 _ ("Cannot listen on %s: another server is listening there"), path);
  else
    g_propagate_error (error, weft_net_listen_error (errsv, path));
  return FALSE;
}

WeftListeningPort *
weft_unix_listen_real (WeftReactor *reactor,
                       const char *path,
                       int mode,
                       WeftFactory *factory,
                       int backlog,
                       gpointer user_data,
                       GError **error)
{
  g_autoptr (GSocketAddress) address = NULL;
  struct sockaddr_storage ss;
  gssize len;
  gboolean abstract = path[0] == '@';
  gboolean bound = FALSE;
  WeftListeningPort *port;
  int fd, errsv = 0;

  address = weft_net_unix_address_new (path, error);
  if (address == NULL)
    return NULL;
  len = g_socket_address_get_native_size (address);
  if (!g_socket_address_to_native (address, &ss, sizeof ss, error))
    return NULL;
  fd = weft_net_socket (AF_UNIX, error);
  if (fd < 0)
    return NULL;

  for (guint attempt = 0; attempt < 2 && !bound; attempt++)
    {
      if (bind (fd, (struct sockaddr *) &ss, len) == 0)
        bound = TRUE;
      else
        {
          errsv = errno;
          if (errsv != EADDRINUSE || abstract || attempt > 0)
            break;
          if (!remove_stale_socket (path, (struct sockaddr *) &ss, len, error))
            {
              close (fd);
              return NULL;
            }
        }
    }
  if (!bound)
    {
      close (fd);
      g_propagate_error (error, weft_net_listen_error (errsv, path));
      return NULL;
    }

  /* Before listen(), nobody can connect: the file's mode is right before
   * anyone can use it. */
  if ((!abstract && mode >= 0 && chmod (path, mode) < 0) || listen (fd, backlog > 0 ? backlog : SOMAXCONN) < 0)
    {
      errsv = errno;
      close (fd);
      if (!abstract)
        unlink (path);
      g_propagate_error (error, weft_net_listen_error (errsv, path));
      return NULL;
    }

  port = weft_listening_port_new_for_fd (reactor, fd, factory, WEFT_TYPE_UNIX_TRANSPORT, abstract ? NULL : path, error);
  if (port == NULL)
    {
      close (fd);
      if (!abstract)
        unlink (path);
    }
  return port;
}

/**
 * weft_reactor_connect_unix:
 * @reactor: a reactor
 * @path: the socket's path, or `@name` for a Linux abstract socket
 * @factory: builds the protocol once connected, and hears of the attempt
 * @timeout_us: give up after this long, in microseconds; 0 or less for no limit
 *
 * Connects to a Unix stream socket (Twisted's `connectUNIX`). Everything
 * said of weft_reactor_connect_tcp() holds: the deferred fires with the
 * connected protocol, or fails with an error that names the path:
 * %G_IO_ERROR_NOT_FOUND when there is no socket file,
 * %G_IO_ERROR_CONNECTION_REFUSED when nothing listens on it (or too many
 * connections wait to be accepted), %G_IO_ERROR_PERMISSION_DENIED, ...
 *
 * Returns: (transfer full): a deferred for the protocol
 */
WeftDeferred *
weft_reactor_connect_unix (WeftReactor *reactor, const char *path, WeftClientFactory *factory, gint64 timeout_us)
{
  const WeftNetOps *ops;
  gpointer data;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (WEFT_IS_CLIENT_FACTORY (factory), NULL);

  ops = weft_reactor_get_net_ops (reactor, &data);
  return ops->connect_unix (reactor, path, factory, timeout_us, data);
}

/**
 * weft_reactor_listen_unix:
 * @reactor: a reactor
 * @path: where to create the socket, or `@name` for a Linux abstract
 *   socket (no file; gone with the last process that uses it)
 * @mode: the socket file's permissions, e.g. `0600` so that only this
 *   user can connect; -1 leaves them to the umask. Ignored for abstract
 *   sockets.
 * @factory: builds a protocol for each accepted connection
 * @backlog: connections the kernel keeps waiting to be accepted; 0 or
 *   less for the system's maximum
 * @error: return location for a #GError
 *
 * Listens on a Unix stream socket (Twisted's `listenUNIX`).
 *
 * A file already at @path is handled this way: a socket that nobody
 * listens on any more (left by a server that crashed) is removed and
 * replaced; a socket on which another server listens, or a file that is not
 * a socket, is left alone and listening fails with
 * %G_IO_ERROR_ADDRESS_IN_USE. The mode is set before the socket starts
 * listening, so no client can connect while it is still wrong.
 *
 * The socket file is removed by weft_listening_port_stop_listening(), if
 * it is still the one this port created.
 *
 * Returns: (transfer full) (nullable): the listening port, or %NULL with
 *   @error set
 */
WeftListeningPort *
weft_reactor_listen_unix (WeftReactor *reactor,
                          const char *path,
                          int mode,
                          WeftFactory *factory,
                          int backlog,
                          GError **error)
{
  const WeftNetOps *ops;
  gpointer data;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (WEFT_IS_FACTORY (factory), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ops = weft_reactor_get_net_ops (reactor, &data);
  return ops->listen_unix (reactor, path, mode, factory, backlog, data, error);
}
