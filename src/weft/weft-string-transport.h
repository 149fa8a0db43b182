/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_TESTING_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft-testing.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-protocol.h"

G_BEGIN_DECLS

#define WEFT_TYPE_STRING_TRANSPORT (weft_string_transport_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftStringTransport, weft_string_transport, WEFT, STRING_TRANSPORT, GObject)

WEFT_AVAILABLE_IN_ALL
WeftStringTransport *weft_string_transport_new (void) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_string_transport_connect (WeftStringTransport *transport, WeftProtocol *protocol);

WEFT_AVAILABLE_IN_ALL
void weft_string_transport_receive (WeftStringTransport *transport, const void *data, gssize len);
WEFT_AVAILABLE_IN_ALL
gboolean weft_string_transport_receive_eof (WeftStringTransport *transport);
WEFT_AVAILABLE_IN_ALL
void weft_string_transport_connection_lost (WeftStringTransport *transport, const GError *reason);

WEFT_AVAILABLE_IN_ALL
GBytes *weft_string_transport_get_value (WeftStringTransport *transport) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
const char *weft_string_transport_peek_string (WeftStringTransport *transport, gsize *len);
WEFT_AVAILABLE_IN_ALL
void weft_string_transport_clear (WeftStringTransport *transport);

WEFT_AVAILABLE_IN_ALL
gboolean weft_string_transport_is_disconnecting (WeftStringTransport *transport);
WEFT_AVAILABLE_IN_ALL
gboolean weft_string_transport_is_aborted (WeftStringTransport *transport);
WEFT_AVAILABLE_IN_ALL
gboolean weft_string_transport_is_write_closed (WeftStringTransport *transport);
WEFT_AVAILABLE_IN_ALL
gboolean weft_string_transport_is_lost (WeftStringTransport *transport);
WEFT_AVAILABLE_IN_ALL
const GError *weft_string_transport_get_close_reason (WeftStringTransport *transport);
WEFT_AVAILABLE_IN_ALL
gboolean weft_string_transport_is_reading_paused (WeftStringTransport *transport);

WEFT_AVAILABLE_IN_ALL
void weft_string_transport_set_peer_address (WeftStringTransport *transport, GSocketAddress *address);
WEFT_AVAILABLE_IN_ALL
void weft_string_transport_set_local_address (WeftStringTransport *transport, GSocketAddress *address);

WEFT_AVAILABLE_IN_ALL
void weft_string_transport_set_buffering (WeftStringTransport *transport, gboolean buffering);
WEFT_AVAILABLE_IN_ALL
void weft_string_transport_drain (WeftStringTransport *transport, gsize n_bytes);

G_END_DECLS
