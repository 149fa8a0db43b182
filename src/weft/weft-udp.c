/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* UDP ports: creation, reading, sending, state. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "weft-net-private.h"
#include "weft-udp-private.h"

/**
 * WeftUdpPort:
 *
 * A UDP socket watched by a reactor: Twisted's UDP `Port`. It delivers each
 * datagram that arrives to a [class@Weft.DatagramProtocol] and sends
 * datagrams with weft_udp_port_send_to().
 *
 * Create one with weft_reactor_listen_udp() (IPv4 or IPv6, any port with
 * port number 0) or weft_reactor_adopt_datagram_socket(). The port keeps
 * itself alive while it listens: the caller may drop its reference at once
 * and reach the port later through weft_datagram_protocol_get_port(). It
 * stops with weft_udp_port_stop_listening(), whose deferred fires once the
 * socket is closed and the protocol's stop_protocol has run. The reactor
 * does not hold the port: stop listening before dropping the reactor's last
 * reference (a port still open then is closed on the spot).
 *
 * Reading: each time the socket is ready, the port reads at most
 * %WEFT_UDP_MAX_DATAGRAMS_PER_READ datagrams, so that one busy port cannot
 * starve other sockets, timers and calls. Datagrams are read into one
 * buffer per port of %WEFT_UDP_RECEIVE_BUFFER_SIZE bytes, which holds any
 * UDP datagram; a larger one (an IPv6 jumbogram) would be truncated by the
 * kernel, and is dropped instead, with a g_debug() message naming its
 * sender and size. weft_udp_port_pause_reading() stops reading, leaving
 * datagrams in the kernel's buffer (which drops what does not fit).
 *
 * Sending: UDP has no write buffer, here as in Twisted. A datagram is
 * either handed to the kernel at once or not sent at all:
 * weft_udp_port_send_to() then fails with an error saying why. When the
 * socket's send buffer is full it fails with %G_IO_ERROR_WOULD_BLOCK; the
 * datagram may be sent again later (or dropped: UDP may lose it anyway).
 * A datagram larger than the path allows fails with
 * %G_IO_ERROR_MESSAGE_TOO_LARGE.
 *
 * Connected mode: after weft_udp_port_connect(), the port receives only
 * from that peer, weft_udp_port_send() needs no address, and the peer's
 * host refusing a datagram (an ICMP "port unreachable") is reported to the
 * protocol's connection_refused.
 */

G_DEFINE_FINAL_TYPE (WeftUdpPort, weft_udp_port, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROTOCOL,
  PROP_LISTENING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------ */
/* Addresses and messages                                               */

/* The port's local address for messages: "127.0.0.1:5353". */
static char *
port_name (WeftUdpPort *self)
{
  struct sockaddr_storage local;
  socklen_t len = sizeof local;

  if (self->fd < 0)
    return g_strdup (self->closed_name != NULL ? self->closed_name : _ ("(closed)"));
  if (getsockname (self->fd, (struct sockaddr *) &local, &len) != 0)
    return g_strdup_printf (_ ("(socket %d)"), self->fd);
  return weft_net_native_to_string (&local, len);
}

/* Converts @address for use with this port's socket, or explains why it
 * cannot be used. */
static gboolean
port_native_address (WeftUdpPort *self,
                     GSocketAddress *address,
                     AddressUse use,
                     struct sockaddr_storage *native,
                     socklen_t *len,
                     GError **error)
{
  g_autofree char *target = NULL;
  g_autofree char *name = NULL;
  g_autofree char *reason = NULL;
  g_autoptr (GError) local_error = NULL;
  GIOErrorEnum code = G_IO_ERROR_INVALID_ARGUMENT;

  /* Addresses are immutable: one that was converted before can be reused. */
  if (address == self->last_to)
    {
      memcpy (native, &self->last_to_native, self->last_to_len);
      *len = self->last_to_len;
      return TRUE;
    }

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    reason = g_strdup (_ ("UDP needs an IPv4 or IPv6 socket address"));
  else if (g_socket_address_get_family (address) != (GSocketFamily) self->family)
    reason = g_strdup_printf (_ ("the port is %s but the address is %s"), weft_net_family_name (self->family),
                              weft_net_family_name (g_socket_address_get_family (address)));
  else if (!g_socket_address_to_native (address, native, sizeof *native, &local_error))
    {
      code = local_error->code;
      reason = g_strdup (local_error->message);
    }
  else
    {
      *len = g_socket_address_get_native_size (address);
      g_set_object (&self->last_to, address);
      memcpy (&self->last_to_native, native, *len);
      self->last_to_len = *len;
      return TRUE;
    }

  target = weft_net_address_to_string (address);
  name = port_name (self);
  if (use == USE_SEND)
    g_set_error (error, G_IO_ERROR, code, _ ("Cannot send a datagram to %s from UDP port %s: %s"), target, name,
                 reason);
  else
    g_set_error (error, G_IO_ERROR, code, _ ("Cannot connect UDP port %s to %s: %s"), name, target, reason);
  return FALSE;
}

static void
port_close_fd (WeftUdpPort *self)
{
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
}

gboolean
weft_udp_port_check_open (WeftUdpPort *self, GError **error)
{
  g_autofree char *name = NULL;

  if (self->state == PORT_OPEN)
    return TRUE;

  name = port_name (self);
  if (self->state == PORT_CLOSING)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                 _ ("UDP port %s is closing: weft_udp_port_stop_listening() was called"), name);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("UDP port %s is closed"), name);
  return FALSE;
}

gboolean
weft_udp_port_set_option (WeftUdpPort *self,
                          int level,
                          int option,
                          const void *value,
                          socklen_t len,
                          const char *what,
                          GError **error)
{
  int saved_errno;
  g_autofree char *name = NULL;

  if (!weft_udp_port_check_open (self, error))
    return FALSE;
  if (setsockopt (self->fd, level, option, value, len) == 0)
    return TRUE;

  saved_errno = errno;
  name = port_name (self);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), _ ("Cannot set %s on UDP port %s: %s"), what,
               name, g_strerror (saved_errno));
  return FALSE;
}

gboolean
weft_udp_port_set_int_option (WeftUdpPort *self, int level, int option, int value, const char *what, GError **error)
{
  return weft_udp_port_set_option (self, level, option, &value, sizeof value, what, error);
}

/* ------------------------------------------------------------------ */
/* Closing                                                              */

static void
port_finish_close (WeftUdpPort *self)
{
  g_autoptr (GPtrArray) deferreds = NULL;
  gboolean was_listening;

  if (self->state == PORT_CLOSED || self->state == PORT_NEW)
    return;

  g_object_ref (self);
  was_listening = self->state == PORT_OPEN;
  self->state = PORT_CLOSED;
  if (self->watch != NULL)
    weft_watch_remove (g_steal_pointer (&self->watch));
  g_free (self->closed_name);
  self->closed_name = port_name (self);
  port_close_fd (self);
  self->reactor = NULL;
  self->reading_paused = FALSE;
  g_clear_pointer (&self->buffer, g_free);
  g_clear_object (&self->last_from_address);
  self->last_from_len = 0;
  g_clear_object (&self->last_to);
  if (was_listening)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LISTENING]);

  weft_datagram_protocol_stop (self->protocol);

  deferreds = g_steal_pointer (&self->stop_deferreds);
  self->stop_deferreds = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < deferreds->len; i++)
    weft_deferred_callback_none (g_ptr_array_index (deferreds, i));

  /* The reference the port held on itself while open. */
  g_object_unref (self);
  g_object_unref (self);
}

static void
close_soon_cb (gpointer user_data)
{
  port_finish_close (user_data);
}

/* Runs after close_soon_cb, or instead of it when the reactor is finalized
 * first: either way the socket gets closed. */
static void
close_soon_notify (gpointer user_data)
{
  port_finish_close (user_data);
  g_object_unref (user_data);
}

/* The watch is removed by the port itself (which clears self->watch first)
 * or by the reactor's finalization: the port cannot go on without it. */
static void
watch_notify (gpointer user_data)
{
  WeftUdpPort *self = user_data;

  if (self->watch == NULL)
    return;
  self->watch = NULL;
  g_debug ("UDP port closed because its reactor was finalized while it was listening");
  port_finish_close (self);
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */

static GSocketAddress *
sender_address (WeftUdpPort *self, const struct sockaddr_storage *from, socklen_t len)
{
  GSocketAddress *address;

  if (self->last_from_address != NULL && len == self->last_from_len && memcmp (from, &self->last_from, len) == 0)
    return self->last_from_address;

  address = g_socket_address_new_from_native ((gpointer) from, len);
  if (address == NULL)
    return NULL;
  g_clear_object (&self->last_from_address);
  self->last_from_address = address;
  memcpy (&self->last_from, from, len);
  self->last_from_len = len;
  return address;
}

/* Returns whether to go on reading. */
static gboolean
port_receive_failed (WeftUdpPort *self, int saved_errno)
{
  g_autofree char *name = NULL;

  switch (saved_errno)
    {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
      return FALSE;

    case ECONNREFUSED:
      /* Only a connected socket learns of refusals (Linux reports them to
       * unconnected ones only with IP_RECVERR). */
      if (self->connected)
        weft_datagram_protocol_connection_refused (self->protocol);
      return TRUE;

    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN:
    case ENETDOWN:
    case ECONNRESET:
    case ETIMEDOUT:
    case EPROTO:
    case EMSGSIZE:
      /* An ICMP error about an earlier datagram, consumed by this read:
       * UDP promised no delivery, so this is news, not a failure. */
      name = port_name (self);
      g_debug ("UDP port %s: an earlier datagram was not delivered: %s", name, g_strerror (saved_errno));
      return TRUE;

    default:
      name = port_name (self);
      g_warning ("Cannot receive a datagram on UDP port %s: %s", name, g_strerror (saved_errno));
      return FALSE;
    }
}

/* Reads and delivers one datagram into @buffer; returns whether to go on. */
static gboolean
port_receive_one (WeftUdpPort *self, guint8 *buffer)
{
  struct sockaddr_storage from;
  struct iovec iov = { buffer, WEFT_UDP_RECEIVE_BUFFER_SIZE };
  struct msghdr msg = { 0 };
  g_autoptr (GSocketAddress) address = NULL;
  ssize_t n;

  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  do
    n = recvmsg (self->fd, &msg, MSG_TRUNC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return port_receive_failed (self, errno);

  if (msg.msg_namelen == 0 || (address = sender_address (self, &from, msg.msg_namelen)) == NULL)
    {
      g_debug ("Dropped a datagram of %" G_GSSIZE_FORMAT " bytes whose sender is unknown", n);
      return TRUE;
    }
  /* Held: the protocol may run a nested loop that reads again. */
  g_object_ref (address);
  if (msg.msg_flags & MSG_TRUNC)
    {
      g_autofree char *sender = weft_net_address_to_string (address);

      g_debug ("Dropped a datagram of %" G_GSSIZE_FORMAT " bytes from %s: larger than the %u-byte receive buffer", n,
               sender, (guint) WEFT_UDP_RECEIVE_BUFFER_SIZE);
      return TRUE;
    }

  weft_datagram_protocol_datagram_received (self->protocol, buffer, n, address);
  return TRUE;
}

static void
port_ready_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  g_autoptr (WeftUdpPort) self = g_object_ref (user_data);
  /* Taken, so that a nested read (from a protocol that iterates the
   * reactor) gets a buffer of its own instead of overwriting this one. */
  g_autofree guint8 *buffer = g_steal_pointer (&self->buffer);

  if (buffer == NULL)
    buffer = g_malloc (WEFT_UDP_RECEIVE_BUFFER_SIZE);

  /* The protocol may pause or stop the port from any datagram. */
  for (guint i = 0; i < WEFT_UDP_MAX_DATAGRAMS_PER_READ; i++)
    {
      if (self->state != PORT_OPEN || self->reading_paused)
        break;
      if (!port_receive_one (self, buffer))
        break;
    }

  if (self->state != PORT_CLOSED && self->buffer == NULL)
    self->buffer = g_steal_pointer (&buffer);
}

/* ------------------------------------------------------------------ */
/* Creation                                                             */

static WeftUdpPort *
port_new (WeftReactor *reactor, int fd, int family, WeftDatagramProtocol *protocol, GError **error)
{
  g_autoptr (WeftUdpPort) self = g_object_new (WEFT_TYPE_UDP_PORT, NULL);

  self->reactor = reactor;
  self->fd = fd;
  self->family = family;
  self->protocol = g_object_ref (protocol);

  self->peer_len = sizeof self->peer;
  if (getpeername (fd, (struct sockaddr *) &self->peer, &self->peer_len) == 0)
    self->connected = TRUE;
  else
    self->peer_len = 0;

  self->watch = weft_reactor_add_watch (reactor, fd, WEFT_IO_READ, port_ready_cb, self, watch_notify, error);
  if (self->watch == NULL)
    return NULL; /* the fd is closed by finalize */

  self->state = PORT_OPEN;
  g_object_ref (self); /* dropped by port_finish_close() */
  weft_datagram_protocol_start (protocol, self);

  return g_steal_pointer (&self);
}

/**
 * weft_reactor_listen_udp:
 * @reactor: a reactor
 * @address: the local IPv4 or IPv6 address and port to bind, e.g.
 *   `127.0.0.1:0`; port number 0 picks a free port (see
 *   weft_udp_port_get_local_address()), and the any-address (`0.0.0.0` or
 *   `::`) receives on every interface
 * @protocol: a protocol not attached to another port
 * @error: return location for a #GError
 *
 * Binds a new UDP socket to @address and delivers the datagrams that
 * arrive there to @protocol, whose start_protocol is called before this
 * returns. Same as weft_reactor_listen_udp_full() without flags.
 *
 * Returns: (transfer full) (nullable): the listening port, or %NULL with
 *   @error set
 */
WeftUdpPort *
weft_reactor_listen_udp (WeftReactor *reactor, GSocketAddress *address, WeftDatagramProtocol *protocol, GError **error)
{
  return weft_reactor_listen_udp_full (reactor, address, protocol, WEFT_UDP_FLAGS_NONE, error);
}

/**
 * weft_reactor_listen_udp_full:
 * @reactor: a reactor
 * @address: the local IPv4 or IPv6 address and port to bind; port number 0
 *   picks a free port
 * @protocol: a protocol not attached to another port
 * @flags: socket options to set before binding
 * @error: return location for a #GError
 *
 * Binds a new UDP socket to @address and delivers the datagrams that
 * arrive there to @protocol, whose start_protocol is called before this
 * returns.
 *
 * An IPv6 port is IPv6 only (`IPV6_V6ONLY`): `::` does not receive IPv4
 * datagrams, so the same port number can be bound for IPv4 by another
 * port.
 *
 * The port keeps itself alive until it has stopped listening: the caller
 * may drop the returned reference at once.
 *
 * Errors: %G_IO_ERROR_NOT_SUPPORTED when @address is not an IPv4 or IPv6
 * address or the system has no such sockets, %G_IO_ERROR_ADDRESS_IN_USE
 * when another socket has the address, or another `G_IO_ERROR` from the
 * system, each with a message naming @address.
 *
 * Returns: (transfer full) (nullable): the listening port, or %NULL with
 *   @error set
 */
WeftUdpPort *
weft_reactor_listen_udp_full (WeftReactor *reactor,
                              GSocketAddress *address,
                              WeftDatagramProtocol *protocol,
                              WeftUdpFlags flags,
                              GError **error)
{
  struct sockaddr_storage native;
  g_autofree char *name = NULL;
  g_autoptr (GError) local_error = NULL;
  int family;
  int fd;
  int saved_errno;
  int one = 1;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), NULL);
  g_return_val_if_fail (WEFT_IS_DATAGRAM_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (weft_datagram_protocol_get_port (protocol) == NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = weft_net_address_to_string (address);
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _ ("Cannot listen for UDP datagrams on %s: UDP needs an IPv4 or IPv6 address"), name);
      return NULL;
    }
  if (!g_socket_address_to_native (address, &native, sizeof native, &local_error))
    {
      g_set_error (error, G_IO_ERROR, local_error->code, _ ("Cannot listen for UDP datagrams on %s: %s"), name,
                   local_error->message);
      return NULL;
    }
  family = native.ss_family;

  fd = socket (family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _ ("Cannot listen for UDP datagrams on %s: cannot create an %s socket: %s"), name,
                   weft_net_family_name (family), g_strerror (saved_errno));
      return NULL;
    }

  if ((family == AF_INET6 && setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
      ((flags & WEFT_UDP_FLAGS_REUSE_ADDRESS) && setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) ||
      ((flags & WEFT_UDP_FLAGS_REUSE_PORT) && setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0))
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _ ("Cannot listen for UDP datagrams on %s: cannot set the socket’s options: %s"), name,
                   g_strerror (saved_errno));
      close (fd);
      return NULL;
    }

  if (bind (fd, (struct sockaddr *) &native, g_socket_address_get_native_size (address)) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _ ("Cannot listen for UDP datagrams on %s: %s"), name, g_strerror (saved_errno));
      close (fd);
      return NULL;
    }

  return port_new (reactor, fd, family, protocol, error);
}

/**
 * weft_reactor_adopt_datagram_socket:
 * @reactor: a reactor
 * @fd: an open IPv4 or IPv6 datagram socket, usually bound (e.g. one
 *   inherited from a service manager); the caller keeps it
 * @protocol: a protocol not attached to another port
 * @error: return location for a #GError
 *
 * Makes a port of a socket that is already open (Twisted's
 * `adoptDatagramPort`). The port works on a duplicate of @fd, which it
 * closes when it stops listening; @fd itself stays open and the caller's to
 * close. The socket is switched to non-blocking mode, which also affects
 * @fd, since both refer to the same socket. A socket that is already
 * connected gives a connected port.
 *
 * Errors: %G_IO_ERROR_INVALID_ARGUMENT when @fd is not a datagram socket,
 * %G_IO_ERROR_NOT_SUPPORTED when it is not an IPv4 or IPv6 one.
 *
 * Returns: (transfer full) (nullable): the listening port, or %NULL with
 *   @error set
 */
WeftUdpPort *
weft_reactor_adopt_datagram_socket (WeftReactor *reactor, int fd, WeftDatagramProtocol *protocol, GError **error)
{
  int type = 0;
  int family = 0;
  socklen_t len = sizeof type;
  int own_fd;
  int fd_flags;
  int saved_errno;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (WEFT_IS_DATAGRAM_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (weft_datagram_protocol_get_port (protocol) == NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR,
                   saved_errno == ENOTSOCK ? G_IO_ERROR_INVALID_ARGUMENT : g_io_error_from_errno (saved_errno),
                   _ ("Cannot adopt file descriptor %d as a datagram socket: %s"), fd, g_strerror (saved_errno));
      return NULL;
    }
  if (type != SOCK_DGRAM)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("Cannot adopt file descriptor %d as a datagram socket: it is a socket of another type (%s)"), fd,
                   type == SOCK_STREAM      ? "SOCK_STREAM"
                   : type == SOCK_SEQPACKET ? "SOCK_SEQPACKET"
                                            : "SOCK_RAW");
      return NULL;
    }
  len = sizeof family;
  if (getsockopt (fd, SOL_SOCKET, SO_DOMAIN, &family, &len) != 0 || (family != AF_INET && family != AF_INET6))
    {
      g_set_error (
          error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
          _ ("Cannot adopt file descriptor %d as a datagram socket: only IPv4 and IPv6 sockets can be adopted"), fd);
      return NULL;
    }

  own_fd = fcntl (fd, F_DUPFD_CLOEXEC, 0);
  if (own_fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _ ("Cannot adopt file descriptor %d as a datagram socket: %s"), fd, g_strerror (saved_errno));
      return NULL;
    }
  fd_flags = fcntl (own_fd, F_GETFL);
  if (fd_flags < 0 || fcntl (own_fd, F_SETFL, fd_flags | O_NONBLOCK) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _ ("Cannot adopt file descriptor %d as a datagram socket: cannot make it non-blocking: %s"), fd,
                   g_strerror (saved_errno));
      close (own_fd);
      return NULL;
    }

  return port_new (reactor, own_fd, family, protocol, error);
}

/* ------------------------------------------------------------------ */
/* Sending and connecting                                               */

/* @target names the destination in messages. */
static gboolean
port_send_failed (WeftUdpPort *self, int saved_errno, gsize len, const char *target, GError **error)
{
  g_autofree char *name = port_name (self);
  int broadcast = 0;
  socklen_t optlen = sizeof broadcast;

  switch (saved_errno)
    {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                   _ ("The send buffer of UDP port %s is full, so the datagram to %s was not sent; UDP does not "
                      "queue datagrams: send it again later, or send less at a time"),
                   name, target);
      return FALSE;

    case EMSGSIZE:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _ ("Cannot send a datagram of %zu bytes to %s from UDP port %s: %s"), len, target, name,
                   g_strerror (saved_errno));
      return FALSE;

    case ECONNREFUSED:
      /* The kernel reports a refusal of an earlier datagram here, and this
       * one was not sent; the protocol hears of it as if it were read. */
      if (self->connected)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                       _ ("Connection refused by %s: it refused an earlier datagram from UDP port %s, and this one "
                          "was not sent"),
                       target, name);
          weft_datagram_protocol_connection_refused (self->protocol);
          return FALSE;
        }
      break;

    case EACCES:
      if (getsockopt (self->fd, SOL_SOCKET, SO_BROADCAST, &broadcast, &optlen) == 0 && !broadcast)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       _ ("Cannot send a datagram to %s from UDP port %s: %s (to send to a broadcast address, call "
                          "weft_udp_port_set_broadcast_allowed() first)"),
                       target, name, g_strerror (saved_errno));
          return FALSE;
        }
      break;

    default:
      break;
    }

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _ ("Cannot send a datagram to %s from UDP port %s: %s"), target, name, g_strerror (saved_errno));
  return FALSE;
}

/**
 * weft_udp_port_send_to:
 * @port: a listening port
 * @data: (array length=len) (element-type guint8) (nullable): the datagram;
 *   %NULL only when @len is 0
 * @len: its size; 0 sends an empty datagram
 * @to: (nullable): where to send it: an address of the port's family; %NULL
 *   for the peer of a connected port
 * @error: return location for a #GError
 *
 * Sends one datagram, now or not at all: UDP has no write buffer, so a
 * datagram that cannot be handed to the kernel at once is not sent and
 * this fails (see [class@Weft.UdpPort]). Success means the datagram left
 * this port, not that it arrived.
 *
 * Errors, each with a message naming the port and the address:
 *
 * - %G_IO_ERROR_INVALID_ARGUMENT: @to is not an IPv4 or IPv6 address of the
 *   port's family (an IPv6 port sends to IPv6 addresses only), or the port
 *   is connected to another address
 * - %G_IO_ERROR_NOT_CONNECTED: @to is %NULL and the port is not connected
 * - %G_IO_ERROR_WOULD_BLOCK: the socket's send buffer is full
 * - %G_IO_ERROR_MESSAGE_TOO_LARGE: @len is more than the path allows
 * - %G_IO_ERROR_CONNECTION_REFUSED: a connected port's peer refused an
 *   earlier datagram (the protocol's connection_refused has been called)
 * - %G_IO_ERROR_PERMISSION_DENIED: for example a broadcast address without
 *   weft_udp_port_set_broadcast_allowed()
 * - %G_IO_ERROR_CLOSED: the port has stopped listening
 *
 * Returns: %TRUE if the datagram was sent
 */
gboolean
weft_udp_port_send_to (WeftUdpPort *port, const void *data, gsize len, GSocketAddress *to, GError **error)
{
  struct sockaddr_storage native;
  socklen_t native_len = 0;
  g_autofree char *target = NULL;
  int saved_errno;
  ssize_t n;

  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (to == NULL || G_IS_SOCKET_ADDRESS (to), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!weft_udp_port_check_open (port, error))
    return FALSE;

  if (to == NULL)
    {
      if (!port->connected)
        {
          g_autofree char *name = port_name (port);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                       _ ("UDP port %s is not connected: give the address to send to, or call "
                          "weft_udp_port_connect() first"),
                       name);
          return FALSE;
        }
    }
  else
    {
      if (!port_native_address (port, to, USE_SEND, &native, &native_len, error))
        return FALSE;
      if (port->connected && !weft_net_native_equal (&native, &port->peer))
        {
          g_autofree char *name = port_name (port);
          g_autofree char *wanted = weft_net_address_to_string (to);
          g_autofree char *peer = weft_net_native_to_string (&port->peer, port->peer_len);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("Cannot send a datagram to %s from UDP port %s: the port is connected to %s and sends only "
                          "there"),
                       wanted, name, peer);
          return FALSE;
        }
    }

  /* A connected socket sends to its peer without being told. */
  do
    n = sendto (port->fd, data, len, MSG_NOSIGNAL, port->connected ? NULL : (struct sockaddr *) &native,
                port->connected ? 0 : native_len);
  while (n < 0 && errno == EINTR);
  if (n >= 0)
    return TRUE;

  saved_errno = errno;
  target = to != NULL ? weft_net_address_to_string (to) : weft_net_native_to_string (&port->peer, port->peer_len);
  return port_send_failed (port, saved_errno, len, target, error);
}

/**
 * weft_udp_port_send:
 * @port: a connected port
 * @data: (array length=len) (element-type guint8) (nullable): the datagram;
 *   %NULL only when @len is 0
 * @len: its size
 * @error: return location for a #GError
 *
 * Sends one datagram to the peer given to weft_udp_port_connect(). Same as
 * weft_udp_port_send_to() with a %NULL address, with the same errors.
 *
 * Returns: %TRUE if the datagram was sent
 */
gboolean
weft_udp_port_send (WeftUdpPort *port, const void *data, gsize len, GError **error)
{
  return weft_udp_port_send_to (port, data, len, NULL, error);
}

/**
 * weft_udp_port_connect:
 * @port: a listening port
 * @address: the peer: an IPv4 or IPv6 address of the port's family
 * @error: return location for a #GError
 *
 * Connects @port to one peer, as `connect()` does for a UDP socket: from
 * now on the port receives datagrams from @address only, sends to it with
 * weft_udp_port_send(), and reports the peer's refusals to the protocol's
 * connection_refused. No packet is sent. Connecting again replaces the
 * peer.
 *
 * Errors: %G_IO_ERROR_INVALID_ARGUMENT for an address the port cannot use
 * (see weft_udp_port_send_to()), %G_IO_ERROR_CLOSED, or the system's error.
 *
 * Returns: %TRUE on success
 */
gboolean
weft_udp_port_connect (WeftUdpPort *port, GSocketAddress *address, GError **error)
{
  struct sockaddr_storage native;
  socklen_t native_len = 0;
  int saved_errno;

  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), FALSE);
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!weft_udp_port_check_open (port, error))
    return FALSE;
  if (!port_native_address (port, address, USE_CONNECT, &native, &native_len, error))
    return FALSE;

  if (connect (port->fd, (struct sockaddr *) &native, native_len) != 0)
    {
      g_autofree char *name = port_name (port);
      g_autofree char *target = weft_net_address_to_string (address);

      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), _ ("Cannot connect UDP port %s to %s: %s"),
                   name, target, g_strerror (saved_errno));
      return FALSE;
    }

  memcpy (&port->peer, &native, native_len);
  port->peer_len = native_len;
  port->connected = TRUE;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* State                                                                */

/**
 * weft_udp_port_stop_listening:
 * @port: a port
 *
 * Stops reading at once and closes the socket in the reactor's next
 * round of calls; then the protocol's stop_protocol runs and the returned
 * deferred fires with an empty result. Datagrams still in the socket's
 * buffer are dropped. Calling it again, or on a closed port, is allowed:
 * each call gets a deferred of its own that fires once the port is closed
 * (at once if it already is).
 *
 * Returns: (transfer full): a deferred that fires once the port is closed
 */
WeftDeferred *
weft_udp_port_stop_listening (WeftUdpPort *port)
{
  WeftDeferred *deferred;

  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), NULL);

  deferred = weft_deferred_new ();
  weft_deferred_set_description (deferred, "weft_udp_port_stop_listening");
  if (port->state == PORT_CLOSED || port->state == PORT_NEW)
    {
      weft_deferred_callback_none (deferred);
      return deferred;
    }

  g_ptr_array_add (port->stop_deferreds, g_object_ref (deferred));
  if (port->state == PORT_OPEN)
    {
      port->state = PORT_CLOSING;
      weft_watch_remove (g_steal_pointer (&port->watch));
      weft_reactor_call_soon (port->reactor, close_soon_cb, g_object_ref (port), close_soon_notify);
      g_object_notify_by_pspec (G_OBJECT (port), properties[PROP_LISTENING]);
    }
  return deferred;
}

/**
 * weft_udp_port_is_listening:
 * @port: a port
 *
 * Returns: %TRUE until weft_udp_port_stop_listening() is called
 */
gboolean
weft_udp_port_is_listening (WeftUdpPort *port)
{
  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), FALSE);
  return port->state == PORT_OPEN;
}

/**
 * weft_udp_port_pause_reading:
 * @port: a port
 *
 * Stops delivering datagrams, from the next one on (also when called from
 * the protocol's datagram_received), until weft_udp_port_resume_reading().
 * Datagrams wait in the kernel's receive buffer meanwhile; those that do
 * not fit are dropped. Does nothing on a port that is not listening.
 */
void
weft_udp_port_pause_reading (WeftUdpPort *port)
{
  g_return_if_fail (WEFT_IS_UDP_PORT (port));

  if (port->state != PORT_OPEN || port->reading_paused)
    return;
  port->reading_paused = TRUE;
  /* Narrowing the interest cannot fail. */
  weft_watch_set_events (port->watch, WEFT_IO_NONE, NULL);
}

/**
 * weft_udp_port_resume_reading:
 * @port: a port
 *
 * Delivers datagrams again after weft_udp_port_pause_reading(), starting
 * with those that waited. Does nothing on a port that is not paused.
 */
void
weft_udp_port_resume_reading (WeftUdpPort *port)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (WEFT_IS_UDP_PORT (port));

  if (port->state != PORT_OPEN || !port->reading_paused)
    return;
  port->reading_paused = FALSE;
  if (!weft_watch_set_events (port->watch, WEFT_IO_READ, &error))
    {
      g_autofree char *name = port_name (port);

      g_warning ("Cannot resume reading on UDP port %s: %s", name, error->message);
    }
}

/**
 * weft_udp_port_is_reading_paused:
 * @port: a port
 *
 * Returns: %TRUE between weft_udp_port_pause_reading() and
 *   weft_udp_port_resume_reading()
 */
gboolean
weft_udp_port_is_reading_paused (WeftUdpPort *port)
{
  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), FALSE);
  return port->reading_paused;
}

/**
 * weft_udp_port_get_local_address:
 * @port: a port
 *
 * The address the socket is bound to, with the port number the system
 * picked when 0 was asked for.
 *
 * Returns: (transfer full) (nullable): the local address, or %NULL once
 *   the port is closed
 */
GSocketAddress *
weft_udp_port_get_local_address (WeftUdpPort *port)
{
  struct sockaddr_storage local;
  socklen_t len = sizeof local;

  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), NULL);

  if (port->fd < 0 || getsockname (port->fd, (struct sockaddr *) &local, &len) != 0)
    return NULL;
  return g_socket_address_new_from_native (&local, len);
}

/**
 * weft_udp_port_get_remote_address:
 * @port: a port
 *
 * Returns: (transfer full) (nullable): the peer given to
 *   weft_udp_port_connect(), or %NULL if the port is not connected or is
 *   closed
 */
GSocketAddress *
weft_udp_port_get_remote_address (WeftUdpPort *port)
{
  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), NULL);

  if (port->fd < 0 || !port->connected)
    return NULL;
  return g_socket_address_new_from_native (&port->peer, port->peer_len);
}

/**
 * weft_udp_port_get_family:
 * @port: a port
 *
 * Returns: %G_SOCKET_FAMILY_IPV4 or %G_SOCKET_FAMILY_IPV6
 */
GSocketFamily
weft_udp_port_get_family (WeftUdpPort *port)
{
  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), G_SOCKET_FAMILY_INVALID);
  return (GSocketFamily) port->family;
}

/**
 * weft_udp_port_get_protocol:
 * @port: a port
 *
 * Returns: (transfer none): the protocol @port delivers to; the port holds
 *   a reference to it for its whole life
 */
WeftDatagramProtocol *
weft_udp_port_get_protocol (WeftUdpPort *port)
{
  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), NULL);
  return port->protocol;
}

/**
 * weft_udp_port_get_fd:
 * @port: a port
 *
 * The socket, for options Weft does not wrap. Do not read from it, and do
 * not close it.
 *
 * Returns: the socket's file descriptor, or -1 once the port is closed
 */
int
weft_udp_port_get_fd (WeftUdpPort *port)
{
  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), -1);
  return port->fd;
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
weft_udp_port_finalize (GObject *object)
{
  WeftUdpPort *self = WEFT_UDP_PORT (object);

  /* Open ports hold a reference on themselves: only a port that never
   * opened (or has closed) gets here. */
  g_assert (self->state == PORT_NEW || self->state == PORT_CLOSED);
  port_close_fd (self);
  g_clear_object (&self->protocol);
  g_clear_object (&self->last_from_address);
  g_clear_object (&self->last_to);
  g_free (self->buffer);
  g_free (self->closed_name);
  g_ptr_array_unref (self->stop_deferreds);

  G_OBJECT_CLASS (weft_udp_port_parent_class)->finalize (object);
}

static void
weft_udp_port_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftUdpPort *self = WEFT_UDP_PORT (object);

  switch (prop_id)
    {
    case PROP_PROTOCOL:
      g_value_set_object (value, self->protocol);
      break;
    case PROP_LISTENING:
      g_value_set_boolean (value, self->state == PORT_OPEN);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_udp_port_class_init (WeftUdpPortClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = weft_udp_port_finalize;
  object_class->get_property = weft_udp_port_get_property;

  /**
   * WeftUdpPort:protocol: (getter get_protocol)
   *
   * The protocol the port delivers datagrams to.
   */
  properties[PROP_PROTOCOL] = g_param_spec_object ("protocol", NULL, NULL, WEFT_TYPE_DATAGRAM_PROTOCOL,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * WeftUdpPort:listening: (getter is_listening)
   *
   * %TRUE until weft_udp_port_stop_listening() is called (or the reactor
   * goes away). Notified when it changes.
   */
  properties[PROP_LISTENING] =
      g_param_spec_boolean ("listening", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_udp_port_init (WeftUdpPort *self)
{
  self->fd = -1;
  self->stop_deferreds = g_ptr_array_new_with_free_func (g_object_unref);
}
