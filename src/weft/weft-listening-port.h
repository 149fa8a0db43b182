/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-deferred.h"
#include "weft-factory.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

#define WEFT_TYPE_LISTENING_PORT (weft_listening_port_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftListeningPort, weft_listening_port, WEFT, LISTENING_PORT, GObject)

WEFT_AVAILABLE_IN_ALL
GSocketAddress *weft_listening_port_get_address (WeftListeningPort *port);
WEFT_AVAILABLE_IN_ALL
WeftFactory *weft_listening_port_get_factory (WeftListeningPort *port);
WEFT_AVAILABLE_IN_ALL
WeftReactor *weft_listening_port_get_reactor (WeftListeningPort *port);
WEFT_AVAILABLE_IN_ALL
int weft_listening_port_get_fd (WeftListeningPort *port);
WEFT_AVAILABLE_IN_ALL
gboolean weft_listening_port_is_listening (WeftListeningPort *port);
WEFT_AVAILABLE_IN_ALL
guint64 weft_listening_port_get_n_accepted (WeftListeningPort *port);
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_listening_port_stop_listening (WeftListeningPort *port) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
