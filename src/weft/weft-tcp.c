/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "weft-error.h"
#include "weft-fd-transport-private.h"
#include "weft-net-private.h"
#include "weft-tcp.h"

/**
 * WeftTcpTransport:
 *
 * A TCP connection, IPv4 or IPv6: a [class@Weft.FdTransport] with TCP's
 * socket options. `TCP_NODELAY` is on from the start (protocols here send
 * whole messages and want them to leave at once); turn it off with
 * weft_tcp_transport_set_nodelay() for bulk transfers of small writes.
 *
 * Connections come from weft_reactor_connect_tcp(), from a
 * [class@Weft.ListeningPort] made by weft_reactor_listen_tcp(), or from
 * weft_reactor_adopt_stream_socket(). The protocol reaches its transport
 * with weft_protocol_get_transport().
 */

struct _WeftTcpTransport {
  WeftFdTransport parent_instance;
};

G_DEFINE_FINAL_TYPE (WeftTcpTransport, weft_tcp_transport, WEFT_TYPE_FD_TRANSPORT)

static gboolean
set_int_option (WeftTcpTransport *self, int level, int name, const char *what, int value, GError **error)
{
  WeftFdTransport *transport = WEFT_FD_TRANSPORT (self);
  int fd = weft_fd_transport_get_fd (transport);

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("Cannot set %s: the connection to %s is closed"), what,
                   weft_fd_transport_describe (transport));
      return FALSE;
    }
  if (setsockopt (fd, level, name, &value, sizeof value) < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _ ("Cannot set %s on the connection to %s: %s"),
                   what, weft_fd_transport_describe (transport), g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static void
weft_tcp_transport_constructed (GObject *object)
{
  int fd;

  G_OBJECT_CLASS (weft_tcp_transport_parent_class)->constructed (object);

  fd = weft_fd_transport_get_fd (WEFT_FD_TRANSPORT (object));
  if (fd >= 0)
    {
      int on = 1;

      /* Not fatal: the connection works either way. */
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }
}

static void
weft_tcp_transport_class_init (WeftTcpTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->constructed = weft_tcp_transport_constructed;
}

static void
weft_tcp_transport_init (WeftTcpTransport *self)
{
}

/**
 * weft_tcp_transport_set_nodelay:
 * @transport: a TCP transport
 * @enabled: %TRUE to send small writes at once (`TCP_NODELAY`, the
 *   default), %FALSE to let the kernel gather them (Nagle's algorithm)
 * @error: return location for a #GError
 *
 * Sets `TCP_NODELAY`.
 *
 * Returns: %TRUE on success; %FALSE with @error set, e.g. when the
 *   connection is closed
 */
gboolean
weft_tcp_transport_set_nodelay (WeftTcpTransport *transport, gboolean enabled, GError **error)
{
  g_return_val_if_fail (WEFT_IS_TCP_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return set_int_option (transport, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", enabled ? 1 : 0, error);
}

/**
 * weft_tcp_transport_get_nodelay:
 * @transport: a TCP transport
 *
 * Returns: whether `TCP_NODELAY` is set; %FALSE once the connection is
 *   closed
 */
gboolean
weft_tcp_transport_get_nodelay (WeftTcpTransport *transport)
{
  int fd, value = 0;
  socklen_t len = sizeof value;

  g_return_val_if_fail (WEFT_IS_TCP_TRANSPORT (transport), FALSE);

  fd = weft_fd_transport_get_fd (WEFT_FD_TRANSPORT (transport));
  if (fd < 0 || getsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &value, &len) < 0)
    return FALSE;
  return value != 0;
}

/* The kernel counts keepalive times in whole seconds. */
static int
usec_to_whole_seconds (gint64 usec)
{
  if (usec <= 0)
    return 0;
  return (int) MIN ((usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, G_MAXINT);
}

/**
 * weft_tcp_transport_set_keepalive:
 * @transport: a TCP transport
 * @enabled: whether the kernel probes an idle connection (`SO_KEEPALIVE`)
 * @idle_us: idle time before the first probe (`TCP_KEEPIDLE`), in
 *   microseconds, rounded up to whole seconds; 0 or less keeps the system's
 *   default
 * @interval_us: time between probes (`TCP_KEEPINTVL`), in microseconds,
 *   rounded up to whole seconds; 0 or less keeps the default
 * @count: unanswered probes before the connection is declared dead
 *   (`TCP_KEEPCNT`); 0 or less keeps the default
 * @error: return location for a #GError
 *
 * Turns TCP keepalive on or off. A connection found dead this way ends
 * with a %G_IO_ERROR_TIMED_OUT reason that names the peer. The timing
 * arguments are ignored when @enabled is %FALSE.
 *
 * Returns: %TRUE on success
 */
gboolean
weft_tcp_transport_set_keepalive (WeftTcpTransport *transport,
                                  gboolean enabled,
                                  gint64 idle_us,
                                  gint64 interval_us,
                                  int count,
                                  GError **error)
{
  int idle_seconds = usec_to_whole_seconds (idle_us);
  int interval_seconds = usec_to_whole_seconds (interval_us);

  g_return_val_if_fail (WEFT_IS_TCP_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!set_int_option (transport, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE", enabled ? 1 : 0, error))
    return FALSE;
  if (!enabled)
    return TRUE;
  if (idle_seconds > 0 && !set_int_option (transport, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE", idle_seconds, error))
    return FALSE;
  if (interval_seconds > 0 &&
      !set_int_option (transport, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL", interval_seconds, error))
    return FALSE;
  if (count > 0 && !set_int_option (transport, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT", count, error))
    return FALSE;
  return TRUE;
}

/* Connecting and listening */

static gboolean
bind_socket (int fd, GSocketAddress *address, gboolean listening, GError **error)
{
  struct sockaddr_storage ss;
  gssize len = g_socket_address_get_native_size (address);

  if (len < 0 || (gsize) len > sizeof ss || !g_socket_address_to_native (address, &ss, sizeof ss, error))
    {
      g_autofree char *where = weft_net_address_to_string (address);

      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Cannot use the address %s"), where);
      return FALSE;
    }
  if (bind (fd, (struct sockaddr *) &ss, len) < 0)
    {
      int errsv = errno;
      g_autofree char *where = weft_net_address_to_string (address);

      if (listening)
        g_propagate_error (error, weft_net_listen_error (errsv, where));
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _ ("Cannot bind to %s: %s"), where,
                     g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

WeftDeferred *
weft_tcp_connect_real (WeftReactor *reactor,
                       GSocketAddress *address,
                       WeftClientFactory *factory,
                       gint64 timeout_us,
                       GSocketAddress *bind_address,
                       gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  int fd;

  fd = weft_net_socket (g_socket_address_get_family (address), &error);
  if (fd < 0)
    return weft_net_connect_failed (reactor, factory, g_steal_pointer (&error));
  if (bind_address != NULL && !bind_socket (fd, bind_address, FALSE, &error))
    {
      close (fd);
      return weft_net_connect_failed (reactor, factory, g_steal_pointer (&error));
    }
  return weft_net_connect_socket (reactor, fd, address, factory, timeout_us, WEFT_TYPE_TCP_TRANSPORT);
}

WeftListeningPort *
weft_tcp_listen_real (WeftReactor *reactor,
                      GSocketAddress *address,
                      WeftFactory *factory,
                      int backlog,
                      gpointer user_data,
                      GError **error)
{
  WeftListeningPort *port;
  int fd, on = 1;

  fd = weft_net_socket (g_socket_address_get_family (address), error);
  if (fd < 0)
    return NULL;
  /* Restarting a server must not wait for old connections in TIME_WAIT. */
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  /* An IPv6 port is IPv6 only, the same on every system: listen on both
   * families for both. */
  if (g_socket_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);

  if (!bind_socket (fd, address, TRUE, error))
    {
      close (fd);
      return NULL;
    }
  if (listen (fd, backlog > 0 ? backlog : SOMAXCONN) < 0)
    {
      int errsv = errno;
      g_autofree char *where = weft_net_address_to_string (address);

      close (fd);
      g_propagate_error (error, weft_net_listen_error (errsv, where));
      return NULL;
    }
  port = weft_listening_port_new_for_fd (reactor, fd, factory, WEFT_TYPE_TCP_TRANSPORT, NULL, error);
  if (port == NULL)
    close (fd);
  return port;
}

/**
 * weft_reactor_connect_tcp:
 * @reactor: a reactor
 * @address: a #GInetSocketAddress (IPv4 or IPv6) to connect to; names are
 *   resolved beforehand (endpoints do that)
 * @factory: builds the protocol once connected, and hears of the attempt
 * @timeout_us: give up after this long, in microseconds; 0 or less waits as long as
 *   the system does
 * @bind_address: (nullable): a local address to connect from
 *
 * Connects to one address, without blocking (Twisted's `connectTCP`).
 *
 * The deferred fires with the connected [class@Weft.Protocol] (an object,
 * for weft_result_get_object()) after its connection_made, or fails:
 * %G_IO_ERROR_CONNECTION_REFUSED "Connection refused by 127.0.0.1:5555",
 * %G_IO_ERROR_TIMED_OUT when @timeout_us passed, another %G_IO_ERROR
 * code, or %G_IO_ERROR_CANCELLED when the deferred is cancelled, which
 * stops the attempt and closes its socket. Every message names the
 * address. Nothing fires from inside this call, not even for a failure
 * known at once.
 *
 * @factory gets weft_factory_do_start() and started_connecting at once;
 * then either client_connection_failed (before the deferred fails), or,
 * once the connection is over, client_connection_lost; then the matching
 * weft_factory_do_stop(). Their connector argument is %NULL for now; it is
 * reserved for the connector objects endpoints will add.
 *
 * Returns: (transfer full): a deferred for the protocol
 */
WeftDeferred *
weft_reactor_connect_tcp (WeftReactor *reactor,
                          GSocketAddress *address,
                          WeftClientFactory *factory,
                          gint64 timeout_us,
                          GSocketAddress *bind_address)
{
  const WeftNetOps *ops;
  gpointer data;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), NULL);
  g_return_val_if_fail (WEFT_IS_CLIENT_FACTORY (factory), NULL);
  g_return_val_if_fail (bind_address == NULL || G_IS_INET_SOCKET_ADDRESS (bind_address), NULL);

  ops = weft_reactor_get_net_ops (reactor, &data);
  return ops->connect_tcp (reactor, address, factory, timeout_us, bind_address, data);
}

/**
 * weft_reactor_listen_tcp:
 * @reactor: a reactor
 * @address: a #GInetSocketAddress to listen on: `127.0.0.1` for this
 *   machine only, `0.0.0.0` or `::` for every interface; port 0 lets the
 *   system choose (weft_listening_port_get_address() tells which)
 * @factory: builds a protocol for each accepted connection
 * @backlog: how many connections the kernel keeps waiting to be accepted;
 *   0 or less means the system's maximum (`SOMAXCONN`)
 * @error: return location for a #GError
 *
 * Listens for TCP connections (Twisted's `listenTCP`). The socket has
 * `SO_REUSEADDR`, so a restarted server gets its port back at once; an
 * IPv6 address listens for IPv6 only (`IPV6_V6ONLY`): listen on `0.0.0.0`
 * and `::` for both families. Accepted connections are
 * [class@Weft.TcpTransport]s.
 *
 * Fails with a %G_IO_ERROR that names the address, e.g.
 * %G_IO_ERROR_ADDRESS_IN_USE.
 *
 * Returns: (transfer full) (nullable): the listening port, or %NULL with
 *   @error set
 */
WeftListeningPort *
weft_reactor_listen_tcp (WeftReactor *reactor,
                         GSocketAddress *address,
                         WeftFactory *factory,
                         int backlog,
                         GError **error)
{
  const WeftNetOps *ops;
  gpointer data;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), NULL);
  g_return_val_if_fail (WEFT_IS_FACTORY (factory), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ops = weft_reactor_get_net_ops (reactor, &data);
  return ops->listen_tcp (reactor, address, factory, backlog, data, error);
}
