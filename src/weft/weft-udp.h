/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-datagram-protocol.h"
#include "weft-deferred.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

/**
 * WEFT_UDP_RECEIVE_BUFFER_SIZE:
 *
 * The size of a port's receive buffer, in bytes: larger than any UDP
 * datagram over IPv4 or IPv6 (without jumbograms), so no datagram is
 * truncated. A larger one (only an IPv6 jumbogram could be) is dropped and
 * logged with g_debug().
 */
#define WEFT_UDP_RECEIVE_BUFFER_SIZE (64 * 1024)

/**
 * WEFT_UDP_MAX_DATAGRAMS_PER_READ:
 *
 * How many datagrams a port reads each time its socket is ready, at most,
 * before letting other sockets, timers and calls run.
 */
#define WEFT_UDP_MAX_DATAGRAMS_PER_READ 64

/**
 * WeftUdpFlags:
 * @WEFT_UDP_FLAGS_NONE: defaults
 * @WEFT_UDP_FLAGS_REUSE_ADDRESS: set `SO_REUSEADDR` before binding, so that
 *   several sockets (each with this flag) can bind the same address and
 *   port, e.g. to receive the same multicast group (Twisted's
 *   `listenMultiple`)
 * @WEFT_UDP_FLAGS_REUSE_PORT: set `SO_REUSEPORT` before binding: sockets of
 *   the same user bound to the same address and port share its unicast
 *   datagrams
 *
 * Options for weft_reactor_listen_udp_full().
 */
typedef enum {
  WEFT_UDP_FLAGS_NONE = 0,
  WEFT_UDP_FLAGS_REUSE_ADDRESS = 1 << 0,
  WEFT_UDP_FLAGS_REUSE_PORT = 1 << 1,
} WeftUdpFlags;

WEFT_AVAILABLE_IN_ALL
GType weft_udp_flags_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_UDP_FLAGS (weft_udp_flags_get_type ())

#define WEFT_TYPE_UDP_PORT (weft_udp_port_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftUdpPort, weft_udp_port, WEFT, UDP_PORT, GObject)

WEFT_AVAILABLE_IN_ALL
WeftUdpPort *weft_reactor_listen_udp (WeftReactor *reactor,
                                      GSocketAddress *address,
                                      WeftDatagramProtocol *protocol,
                                      GError **error) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftUdpPort *weft_reactor_listen_udp_full (WeftReactor *reactor,
                                           GSocketAddress *address,
                                           WeftDatagramProtocol *protocol,
                                           WeftUdpFlags flags,
                                           GError **error) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftUdpPort *weft_reactor_adopt_datagram_socket (WeftReactor *reactor,
                                                 int fd,
                                                 WeftDatagramProtocol *protocol,
                                                 GError **error) G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_send_to (WeftUdpPort *port, const void *data, gsize len, GSocketAddress *to, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_send (WeftUdpPort *port, const void *data, gsize len, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_connect (WeftUdpPort *port, GSocketAddress *address, GError **error);

WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_udp_port_stop_listening (WeftUdpPort *port) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_is_listening (WeftUdpPort *port);
WEFT_AVAILABLE_IN_ALL
void weft_udp_port_pause_reading (WeftUdpPort *port);
WEFT_AVAILABLE_IN_ALL
void weft_udp_port_resume_reading (WeftUdpPort *port);
WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_is_reading_paused (WeftUdpPort *port);

WEFT_AVAILABLE_IN_ALL
GSocketAddress *weft_udp_port_get_local_address (WeftUdpPort *port) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
GSocketAddress *weft_udp_port_get_remote_address (WeftUdpPort *port) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
GSocketFamily weft_udp_port_get_family (WeftUdpPort *port);
WEFT_AVAILABLE_IN_ALL
WeftDatagramProtocol *weft_udp_port_get_protocol (WeftUdpPort *port);
WEFT_AVAILABLE_IN_ALL
int weft_udp_port_get_fd (WeftUdpPort *port);

WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_set_broadcast_allowed (WeftUdpPort *port, gboolean allowed, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_get_broadcast_allowed (WeftUdpPort *port);
WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_join_group (WeftUdpPort *port, GInetAddress *group, const char *iface, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_leave_group (WeftUdpPort *port, GInetAddress *group, const char *iface, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_set_multicast_interface (WeftUdpPort *port, const char *iface, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_set_multicast_ttl (WeftUdpPort *port, guint ttl, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_udp_port_set_multicast_loopback (WeftUdpPort *port, gboolean loopback, GError **error);

G_END_DECLS
