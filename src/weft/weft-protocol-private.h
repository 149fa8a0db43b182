/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "weft-protocol.h"

G_BEGIN_DECLS

/* Moves a connected protocol onto another transport without calling any of
 * its methods, for a layer inserted under a live connection (STARTTLS). */
void weft_protocol_switch_transport (WeftProtocol *protocol, WeftTransport *transport);

/* Called by the transport wrappers after a close was asked for, so that
 * #WeftProtocol:state can say "closing". */
void weft_protocol_update_state (WeftProtocol *protocol);

G_END_DECLS
