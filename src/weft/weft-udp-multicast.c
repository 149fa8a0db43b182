/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* UDP broadcast and multicast: groups, interfaces, TTL, loopback. */

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

/* ------------------------------------------------------------------ */
/* Broadcast and multicast                                              */

/**
 * weft_udp_port_set_broadcast_allowed:
 * @port: a listening IPv4 port
 * @allowed: whether the port may send to broadcast addresses
 * @error: return location for a #GError
 *
 * Allows or forbids sending to broadcast addresses such as
 * `255.255.255.255` (`SO_BROADCAST`); forbidden by default, when such a
 * send fails with %G_IO_ERROR_PERMISSION_DENIED.
 *
 * Returns: %TRUE on success
 */
gboolean
weft_udp_port_set_broadcast_allowed (WeftUdpPort *port, gboolean allowed, GError **error)
{
  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return weft_udp_port_set_int_option (port, SOL_SOCKET, SO_BROADCAST, allowed ? 1 : 0, _ ("broadcast permission"),
                                       error);
}

/**
 * weft_udp_port_get_broadcast_allowed:
 * @port: a port
 *
 * Returns: %TRUE if @port may send to broadcast addresses
 */
gboolean
weft_udp_port_get_broadcast_allowed (WeftUdpPort *port)
{
  int value = 0;
  socklen_t len = sizeof value;

  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), FALSE);

  if (port->fd < 0 || getsockopt (port->fd, SOL_SOCKET, SO_BROADCAST, &value, &len) != 0)
    return FALSE;
  return value != 0;
}

static guint
interface_index_for_address (GInetAddress *address)
{
  struct ifaddrs *list = NULL;
  guint index = 0;

  if (getifaddrs (&list) != 0)
    return 0;
  for (struct ifaddrs *ifa = list; ifa != NULL && index == 0; ifa = ifa->ifa_next)
    {
      g_autoptr (GSocketAddress) candidate = NULL;

      if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET6)
        continue;
      candidate = g_socket_address_new_from_native (ifa->ifa_addr, sizeof (struct sockaddr_in6));
      if (candidate != NULL &&
          g_inet_address_equal (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (candidate)), address))
        index = if_nametoindex (ifa->ifa_name);
    }
  freeifaddrs (list);
  return index;
}

/* Resolves a network interface given by name ("lo") or, for IPv4, by one
 * of its addresses ("127.0.0.1"); IPv6 identifies interfaces by index, so
 * an IPv6 address is looked up among the interfaces' addresses. NULL or ""
 * leaves the choice to the system. */
static gboolean
port_parse_interface (WeftUdpPort *self, const char *iface, struct in_addr *address4, guint *index, GError **error)
{
  g_autoptr (GInetAddress) address = NULL;

  address4->s_addr = htonl (INADDR_ANY);
  *index = 0;
  if (iface == NULL || *iface == '\0')
    return TRUE;

  address = g_inet_address_new_from_string (iface);
  if (address == NULL)
    {
      *index = if_nametoindex (iface);
      if (*index == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _ ("There is no network interface named “%s” (give an interface name such as “lo”, or an "
                          "address of the interface)"),
                       iface);
          return FALSE;
        }
      return TRUE;
    }

  if (g_inet_address_get_family (address) != (GSocketFamily) self->family)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("The interface address %s is %s, but the UDP port is %s"), iface,
                   weft_net_family_name (g_inet_address_get_family (address)), weft_net_family_name (self->family));
      return FALSE;
    }
  if (self->family == AF_INET)
    {
      memcpy (address4, g_inet_address_to_bytes (address), sizeof *address4);
      return TRUE;
    }
  *index = interface_index_for_address (address);
  if (*index == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("No network interface has the address %s"), iface);
      return FALSE;
    }
  return TRUE;
}

static gboolean
port_change_membership (WeftUdpPort *self, GInetAddress *group, const char *iface, gboolean join, GError **error)
{
  g_autofree char *group_name = NULL;
  g_autofree char *reason = NULL;
  g_autoptr (GError) local_error = NULL;
  GIOErrorEnum code = G_IO_ERROR_INVALID_ARGUMENT;
  struct in_addr address4;
  guint index;
  int status;
  int saved_errno;

  if (!weft_udp_port_check_open (self, error))
    return FALSE;

  group_name = g_inet_address_to_string (group);
  if (g_inet_address_get_family (group) != (GSocketFamily) self->family)
    reason =
        g_strdup_printf (_ ("the group is %s but the port is %s"),
                         weft_net_family_name (g_inet_address_get_family (group)), weft_net_family_name (self->family));
  else if (!g_inet_address_get_is_multicast (group))
    reason = g_strdup (_ ("it is not a multicast address"));
  else if (!port_parse_interface (self, iface, &address4, &index, &local_error))
    {
      code = local_error->code;
      reason = g_strdup (local_error->message);
    }
  else
    {
      if (self->family == AF_INET)
        {
          struct ip_mreqn request = { 0 };

          memcpy (&request.imr_multiaddr, g_inet_address_to_bytes (group), sizeof request.imr_multiaddr);
          request.imr_address = address4;
          request.imr_ifindex = index;
          status = setsockopt (self->fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &request,
                               sizeof request);
        }
      else
        {
          struct ipv6_mreq request = { 0 };

          memcpy (&request.ipv6mr_multiaddr, g_inet_address_to_bytes (group), sizeof request.ipv6mr_multiaddr);
          request.ipv6mr_interface = index;
          status = setsockopt (self->fd, IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &request,
                               sizeof request);
        }
      if (status == 0)
        return TRUE;
      saved_errno = errno;
      code = g_io_error_from_errno (saved_errno);
      if (join && saved_errno == EADDRINUSE)
        reason = g_strdup (_ ("this port has joined it on that interface already"));
      else if (!join && saved_errno == EADDRNOTAVAIL)
        reason = g_strdup (_ ("this port has not joined it on that interface"));
      else
        reason = g_strdup (g_strerror (saved_errno));
    }

  if (iface == NULL || *iface == '\0')
    iface = _ ("the default interface");
  if (join)
    g_set_error (error, G_IO_ERROR, code, _ ("Cannot join multicast group %s on %s: %s"), group_name, iface, reason);
  else
    g_set_error (error, G_IO_ERROR, code, _ ("Cannot leave multicast group %s on %s: %s"), group_name, iface, reason);
  return FALSE;
}

/**
 * weft_udp_port_join_group:
 * @port: a listening port
 * @group: a multicast address of the port's family, e.g. `239.255.1.2`
 * @iface: (nullable): the interface to join on: a name (`"eth0"`, `"lo"`)
 *   or one of its addresses; %NULL lets the system choose
 * @error: return location for a #GError
 *
 * Joins a multicast group, so that datagrams sent to @group (and to the
 * port's port number) arrive at @port. To receive them, the port must be
 * bound to the any-address or to @group itself, not to a unicast address.
 * Unlike Twisted's `joinGroup`, this is synchronous and takes addresses,
 * not host names.
 *
 * Returns: %TRUE on success
 */
gboolean
weft_udp_port_join_group (WeftUdpPort *port, GInetAddress *group, const char *iface, GError **error)
{
  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (group), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return port_change_membership (port, group, iface, TRUE, error);
}

/**
 * weft_udp_port_leave_group:
 * @port: a listening port
 * @group: a group joined with weft_udp_port_join_group()
 * @iface: (nullable): the interface given when joining
 * @error: return location for a #GError
 *
 * Leaves a multicast group.
 *
 * Returns: %TRUE on success
 */
gboolean
weft_udp_port_leave_group (WeftUdpPort *port, GInetAddress *group, const char *iface, GError **error)
{
  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (group), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return port_change_membership (port, group, iface, FALSE, error);
}

/**
 * weft_udp_port_set_multicast_interface:
 * @port: a listening port
 * @iface: (nullable): the interface to send multicast datagrams from: a
 *   name or one of its addresses, as for weft_udp_port_join_group(); %NULL
 *   returns the choice to the system
 * @error: return location for a #GError
 *
 * Chooses the interface multicast datagrams leave from
 * (`IP_MULTICAST_IF`, Twisted's `setOutgoingInterface`).
 *
 * Returns: %TRUE on success
 */
gboolean
weft_udp_port_set_multicast_interface (WeftUdpPort *port, const char *iface, GError **error)
{
  struct in_addr address4;
  guint index;

  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!weft_udp_port_check_open (port, error) || !port_parse_interface (port, iface, &address4, &index, error))
    return FALSE;
  if (port->family == AF_INET)
    {
      struct ip_mreqn request = { 0 };

      request.imr_address = address4;
      request.imr_ifindex = index;
      return weft_udp_port_set_option (port, IPPROTO_IP, IP_MULTICAST_IF, &request, sizeof request,
                                       _ ("the multicast interface"), error);
    }
  return weft_udp_port_set_int_option (port, IPPROTO_IPV6, IPV6_MULTICAST_IF, index, _ ("the multicast interface"),
                                       error);
}

/**
 * weft_udp_port_set_multicast_ttl:
 * @port: a listening port
 * @ttl: how many routers multicast datagrams may cross, 0 to 255; the
 *   default, 1, keeps them on the local network
 * @error: return location for a #GError
 *
 * Sets the time-to-live (IPv4) or hop limit (IPv6) of the multicast
 * datagrams @port sends.
 *
 * Returns: %TRUE on success
 */
gboolean
weft_udp_port_set_multicast_ttl (WeftUdpPort *port, guint ttl, GError **error)
{
  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (ttl > 255)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("A multicast time-to-live is 0 to 255, not %u"),
                   ttl);
      return FALSE;
    }
  if (port->family == AF_INET6)
    return weft_udp_port_set_int_option (port, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl, _ ("the multicast hop limit"),
                                         error);
  return weft_udp_port_set_int_option (port, IPPROTO_IP, IP_MULTICAST_TTL, ttl, _ ("the multicast time-to-live"),
                                       error);
}

/**
 * weft_udp_port_set_multicast_loopback:
 * @port: a listening port
 * @loopback: whether multicast datagrams sent by this host come back to
 *   its own members of the group (the system's default is %TRUE)
 * @error: return location for a #GError
 *
 * Sets multicast loopback (`IP_MULTICAST_LOOP`).
 *
 * Returns: %TRUE on success
 */
gboolean
weft_udp_port_set_multicast_loopback (WeftUdpPort *port, gboolean loopback, GError **error)
{
  g_return_val_if_fail (WEFT_IS_UDP_PORT (port), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (port->family == AF_INET6)
    return weft_udp_port_set_int_option (port, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, loopback ? 1 : 0,
                                         _ ("multicast loopback"), error);
  return weft_udp_port_set_int_option (port, IPPROTO_IP, IP_MULTICAST_LOOP, loopback ? 1 : 0, _ ("multicast loopback"),
                                       error);
}
