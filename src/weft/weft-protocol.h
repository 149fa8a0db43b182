/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-transport.h"

G_BEGIN_DECLS

typedef struct _WeftFactory WeftFactory;

/**
 * WeftConnectionState:
 * @WEFT_CONNECTION_STATE_NEW: not connected yet
 * @WEFT_CONNECTION_STATE_CONNECTED: connection_made has been called
 * @WEFT_CONNECTION_STATE_CLOSING: this side asked the transport to close
 *   (weft_transport_lose_connection() or an abort); connection_lost follows
 * @WEFT_CONNECTION_STATE_CLOSED: connection_lost has been called
 *
 * The state of a protocol's connection, as its #WeftProtocol:state, which
 * a widget can bind to.
 */
typedef enum {
  WEFT_CONNECTION_STATE_NEW,
  WEFT_CONNECTION_STATE_CONNECTED,
  WEFT_CONNECTION_STATE_CLOSING,
  WEFT_CONNECTION_STATE_CLOSED,
} WeftConnectionState;

WEFT_AVAILABLE_IN_ALL
GType weft_connection_state_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_CONNECTION_STATE (weft_connection_state_get_type ())

#define WEFT_TYPE_PROTOCOL (weft_protocol_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftProtocol, weft_protocol, WEFT, PROTOCOL, GObject)

/**
 * WeftProtocolClass:
 * @parent_class: the parent class
 * @connection_made: the connection is up; @transport is where to write.
 *   Chain up when overriding.
 * @data_received: bytes arrived; @data is valid only during the call
 * @eof_received: the peer shut down its write side. Return %TRUE to keep
 *   the connection open for writing (close it yourself later), %FALSE (the
 *   default) to let the transport close it.
 * @connection_lost: the connection is gone; @reason (never %NULL) says how.
 *   Chain up when overriding.
 * @pause_writing: the transport's write buffer went above its high
 *   watermark: stop producing data until @resume_writing. The default does
 *   nothing, and writes are never refused: a protocol that ignores this
 *   keeps every byte it writes in memory until the peer reads it. One that
 *   writes because it reads (an echo, a relay, a proxy) must then stop
 *   reading, with weft_transport_pause_reading(), or a peer that sends and
 *   never reads grows this process without bound.
 * @resume_writing: the write buffer drained to its low watermark: produce
 *   again (and weft_transport_resume_reading() what @pause_writing paused)
 *
 * The methods a protocol overrides. Transports call them through
 * weft_protocol_connection_made() and the other wrappers, never directly.
 */
struct _WeftProtocolClass {
  GObjectClass parent_class;

  void (*connection_made) (WeftProtocol *protocol, WeftTransport *transport);
  void (*data_received) (WeftProtocol *protocol, const guint8 *data, gsize len);
  gboolean (*eof_received) (WeftProtocol *protocol);
  void (*connection_lost) (WeftProtocol *protocol, const GError *reason);
  void (*pause_writing) (WeftProtocol *protocol);
  void (*resume_writing) (WeftProtocol *protocol);

  /*< private >*/
  gpointer padding[8];
};

WEFT_AVAILABLE_IN_ALL
void weft_protocol_connection_made (WeftProtocol *protocol, WeftTransport *transport);
WEFT_AVAILABLE_IN_ALL
void weft_protocol_data_received (WeftProtocol *protocol, const guint8 *data, gsize len);
WEFT_AVAILABLE_IN_ALL
gboolean weft_protocol_eof_received (WeftProtocol *protocol);
WEFT_AVAILABLE_IN_ALL
void weft_protocol_connection_lost (WeftProtocol *protocol, const GError *reason);
WEFT_AVAILABLE_IN_ALL
void weft_protocol_pause_writing (WeftProtocol *protocol);
WEFT_AVAILABLE_IN_ALL
void weft_protocol_resume_writing (WeftProtocol *protocol);

WEFT_AVAILABLE_IN_ALL
WeftTransport *weft_protocol_get_transport (WeftProtocol *protocol);
WEFT_AVAILABLE_IN_ALL
gboolean weft_protocol_is_connected (WeftProtocol *protocol);
WEFT_AVAILABLE_IN_ALL
gboolean weft_protocol_is_closing (WeftProtocol *protocol);
WEFT_AVAILABLE_IN_ALL
gboolean weft_protocol_is_writing_paused (WeftProtocol *protocol);
WEFT_AVAILABLE_IN_ALL
WeftConnectionState weft_protocol_get_state (WeftProtocol *protocol);
WEFT_AVAILABLE_IN_ALL
WeftFactory *weft_protocol_get_factory (WeftProtocol *protocol);
WEFT_AVAILABLE_IN_ALL
void weft_protocol_set_factory (WeftProtocol *protocol, WeftFactory *factory);

G_END_DECLS
