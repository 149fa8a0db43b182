/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

G_BEGIN_DECLS

typedef struct _WeftUdpPort WeftUdpPort;

#define WEFT_TYPE_DATAGRAM_PROTOCOL (weft_datagram_protocol_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftDatagramProtocol, weft_datagram_protocol, WEFT, DATAGRAM_PROTOCOL, GObject)

/**
 * WeftDatagramProtocolClass:
 * @parent_class: the parent class
 * @start_protocol: the protocol has been attached to a listening port;
 *   weft_datagram_protocol_get_port() returns it from now on. The protocol
 *   may connect the port and send from here.
 * @stop_protocol: the port has closed; weft_datagram_protocol_get_port()
 *   already returns %NULL
 * @datagram_received: one datagram arrived. @data (valid only during the
 *   call) may be empty: UDP allows zero-length datagrams. @from (never
 *   %NULL) is the sender; take a reference to keep it.
 * @connection_refused: a datagram sent by a connected port (see
 *   weft_udp_port_connect()) was refused: the peer's host answered that
 *   nothing listens on that port. UDP reports this late and without saying
 *   which datagram it was; there may be no report at all.
 *
 * The methods a datagram protocol overrides. Ports call them through
 * weft_datagram_protocol_datagram_received() and the other wrappers.
 */
struct _WeftDatagramProtocolClass {
  GObjectClass parent_class;

  void (*start_protocol) (WeftDatagramProtocol *protocol);
  void (*stop_protocol) (WeftDatagramProtocol *protocol);
  void (*datagram_received) (WeftDatagramProtocol *protocol, const guint8 *data, gsize len, GSocketAddress *from);
  void (*connection_refused) (WeftDatagramProtocol *protocol);

  /*< private >*/
  gpointer padding[8];
};

WEFT_AVAILABLE_IN_ALL
void weft_datagram_protocol_datagram_received (WeftDatagramProtocol *protocol,
                                               const guint8 *data,
                                               gsize len,
                                               GSocketAddress *from);
WEFT_AVAILABLE_IN_ALL
void weft_datagram_protocol_connection_refused (WeftDatagramProtocol *protocol);
WEFT_AVAILABLE_IN_ALL
WeftUdpPort *weft_datagram_protocol_get_port (WeftDatagramProtocol *protocol);

G_END_DECLS
