/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "weft-datagram-protocol.h"

G_BEGIN_DECLS

/* Attaches @protocol to @port (not a reference) and calls start_protocol. */
void weft_datagram_protocol_start (WeftDatagramProtocol *protocol, WeftUdpPort *port);
/* Detaches @protocol from its port, then calls stop_protocol. */
void weft_datagram_protocol_stop (WeftDatagramProtocol *protocol);

G_END_DECLS
