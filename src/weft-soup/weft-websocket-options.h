/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SOUP_INSIDE) && !defined(WEFT_SOUP_COMPILATION)
#error "Only <weft-soup/weft-soup.h> can be included directly."
#endif

#include <libsoup/soup.h>

#include "weft-soup-version.h"

G_BEGIN_DECLS

/**
 * WEFT_WEBSOCKET_DEFAULT_MAX_MESSAGE_SIZE:
 *
 * The largest incoming WebSocket message, in bytes, unless told otherwise:
 * 1 MiB. A larger one closes the connection with code 1009.
 */
#define WEFT_WEBSOCKET_DEFAULT_MAX_MESSAGE_SIZE (1024 * 1024)

/**
 * WEFT_WEBSOCKET_IRC_TEXT_PROTOCOL:
 *
 * The IRCv3 WebSocket subprotocol with text messages, one IRC line each.
 */
#define WEFT_WEBSOCKET_IRC_TEXT_PROTOCOL "text.ircv3.net"

/**
 * WEFT_WEBSOCKET_IRC_BINARY_PROTOCOL:
 *
 * The IRCv3 WebSocket subprotocol with binary messages, one IRC line each.
 */
#define WEFT_WEBSOCKET_IRC_BINARY_PROTOCOL "binary.ircv3.net"

/**
 * WeftWebsocketMode:
 * @WEFT_WEBSOCKET_MODE_AUTO: line mode when the negotiated subprotocol is
 *   one of the IRCv3 ones, message mode otherwise (the default)
 * @WEFT_WEBSOCKET_MODE_MESSAGE: each incoming message is one data_received
 *   call; each write is sent as one message
 * @WEFT_WEBSOCKET_MODE_LINE: each incoming message is delivered as one line
 *   with "\r\n" appended; written bytes are split into lines and each line
 *   is sent as one message without its line ending, so a line-based
 *   protocol runs unchanged
 *
 * How a WebSocket transport maps messages to the byte stream a protocol
 * sees.
 */
typedef enum {
  WEFT_WEBSOCKET_MODE_AUTO,
  WEFT_WEBSOCKET_MODE_MESSAGE,
  WEFT_WEBSOCKET_MODE_LINE,
} WeftWebsocketMode;

WEFT_SOUP_AVAILABLE_IN_ALL
GType weft_websocket_mode_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_WEBSOCKET_MODE (weft_websocket_mode_get_type ())

typedef struct _WeftWebsocketOptions WeftWebsocketOptions;

WEFT_SOUP_AVAILABLE_IN_ALL
GType weft_websocket_options_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_WEBSOCKET_OPTIONS (weft_websocket_options_get_type ())

WEFT_SOUP_AVAILABLE_IN_ALL
WeftWebsocketOptions *weft_websocket_options_new (void) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
WeftWebsocketOptions *weft_websocket_options_copy (const WeftWebsocketOptions *options) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_websocket_options_free (WeftWebsocketOptions *options);

WEFT_SOUP_AVAILABLE_IN_ALL
void weft_websocket_options_set_mode (WeftWebsocketOptions *options, WeftWebsocketMode mode);
WEFT_SOUP_AVAILABLE_IN_ALL
WeftWebsocketMode weft_websocket_options_get_mode (const WeftWebsocketOptions *options);
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_websocket_options_set_max_message_size (WeftWebsocketOptions *options, gsize max_message_size);
WEFT_SOUP_AVAILABLE_IN_ALL
gsize weft_websocket_options_get_max_message_size (const WeftWebsocketOptions *options);
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_websocket_options_set_keepalive (WeftWebsocketOptions *options, gint64 interval_us, gint64 timeout_us);
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_websocket_options_get_keepalive (const WeftWebsocketOptions *options,
                                           gint64 *interval_us,
                                           gint64 *timeout_us);
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_websocket_options_set_session (WeftWebsocketOptions *options, SoupSession *session);
WEFT_SOUP_AVAILABLE_IN_ALL
SoupSession *weft_websocket_options_get_session (const WeftWebsocketOptions *options);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftWebsocketOptions, weft_websocket_options_free)

G_END_DECLS
