/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_TESTING_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft-testing.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-protocol.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

#define WEFT_TYPE_LOOPBACK (weft_loopback_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftLoopback, weft_loopback, WEFT, LOOPBACK, GObject)

WEFT_AVAILABLE_IN_ALL
WeftLoopback *weft_loopback_connect (WeftProtocol *client, WeftProtocol *server) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
gboolean weft_loopback_pump (WeftLoopback *loopback);
WEFT_AVAILABLE_IN_ALL
void weft_loopback_set_reactor (WeftLoopback *loopback, WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
WeftTransport *weft_loopback_get_client_transport (WeftLoopback *loopback);
WEFT_AVAILABLE_IN_ALL
WeftTransport *weft_loopback_get_server_transport (WeftLoopback *loopback);
WEFT_AVAILABLE_IN_ALL
gboolean weft_loopback_is_finished (WeftLoopback *loopback);

G_END_DECLS
