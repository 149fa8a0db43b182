/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SOUP_INSIDE) && !defined(WEFT_SOUP_COMPILATION)
#error "Only <weft-soup/weft-soup.h> can be included directly."
#endif

#include <libsoup/soup.h>
#include <weft/weft.h>

#include "weft-soup-version.h"
#include "weft-websocket-options.h"

G_BEGIN_DECLS

#define WEFT_TYPE_WEBSOCKET_TRANSPORT (weft_websocket_transport_get_type ())
WEFT_SOUP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftWebsocketTransport, weft_websocket_transport, WEFT, WEBSOCKET_TRANSPORT, GObject)

WEFT_SOUP_AVAILABLE_IN_ALL
WeftWebsocketTransport *weft_websocket_transport_new (WeftReactor *reactor,
                                                      SoupWebsocketConnection *connection,
                                                      const WeftWebsocketOptions *options) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
gboolean weft_websocket_transport_start (WeftWebsocketTransport *transport, WeftProtocol *protocol, GError **error);

WEFT_SOUP_AVAILABLE_IN_ALL
WeftReactor *weft_websocket_transport_get_reactor (WeftWebsocketTransport *transport);
WEFT_SOUP_AVAILABLE_IN_ALL
SoupWebsocketConnection *weft_websocket_transport_get_connection (WeftWebsocketTransport *transport);
WEFT_SOUP_AVAILABLE_IN_ALL
WeftWebsocketMode weft_websocket_transport_get_mode (WeftWebsocketTransport *transport);
WEFT_SOUP_AVAILABLE_IN_ALL
const char *weft_websocket_transport_get_subprotocol (WeftWebsocketTransport *transport);
WEFT_SOUP_AVAILABLE_IN_ALL
gboolean weft_websocket_transport_is_server_side (WeftWebsocketTransport *transport);

WEFT_SOUP_AVAILABLE_IN_ALL
void weft_websocket_transport_set_message_type (WeftWebsocketTransport *transport, SoupWebsocketDataType type);
WEFT_SOUP_AVAILABLE_IN_ALL
SoupWebsocketDataType weft_websocket_transport_get_message_type (WeftWebsocketTransport *transport);
WEFT_SOUP_AVAILABLE_IN_ALL
SoupWebsocketDataType weft_websocket_transport_get_received_type (WeftWebsocketTransport *transport);
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_websocket_transport_send_text (WeftWebsocketTransport *transport, const char *text);
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_websocket_transport_send_binary (WeftWebsocketTransport *transport, const void *data, gsize len);

WEFT_SOUP_AVAILABLE_IN_ALL
void weft_websocket_transport_close (WeftWebsocketTransport *transport, gushort code, const char *reason);
WEFT_SOUP_AVAILABLE_IN_ALL
gushort weft_websocket_transport_get_close_code (WeftWebsocketTransport *transport);
WEFT_SOUP_AVAILABLE_IN_ALL
const char *weft_websocket_transport_get_close_reason (WeftWebsocketTransport *transport);

G_END_DECLS
