/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

G_BEGIN_DECLS

typedef struct _WeftProtocol WeftProtocol;

/**
 * WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH:
 *
 * The default high watermark of a transport's write buffer, in bytes: above
 * it, the protocol is asked to pause writing.
 */
#define WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH (64 * 1024)

/**
 * WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_LOW:
 *
 * The default low watermark of a transport's write buffer, in bytes: once
 * the buffer has drained to this size, a paused protocol is asked to resume.
 */
#define WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_LOW (16 * 1024)

#define WEFT_TYPE_TRANSPORT (weft_transport_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (WeftTransport, weft_transport, WEFT, TRANSPORT, GObject)

/**
 * WeftTransportInterface:
 * @g_iface: the parent interface
 * @write: queues a copy of some bytes; the default wraps them in a `GBytes`
 *   and calls @write_bytes
 * @write_bytes: queues bytes by reference (required)
 * @writev: queues several buffers in order; the default copies them into one
 *   `GBytes` for @write_bytes
 * @lose_connection: closes after the write buffer has been sent; @reason
 *   (nullable) is what the protocol's connection_lost will receive
 * @lose_write_connection: shuts down the write side after the buffer has
 *   been sent; reading goes on
 * @abort_connection: closes now, dropping the write buffer; @reason is
 *   nullable as for @lose_connection
 * @pause_reading: stops delivering data_received until @resume_reading
 * @resume_reading: delivers data again
 * @set_write_buffer_limits: sets the watermarks
 * @get_write_buffer_limits: reads the watermarks
 * @get_write_buffer_size: bytes written but not yet sent
 * @get_peer_address: the remote address, new reference or %NULL
 * @get_local_address: the local address, new reference or %NULL
 * @get_protocol: the protocol this transport delivers to (no reference)
 * @is_closing: whether @lose_connection or @abort_connection was called or
 *   the connection is gone
 * @set_protocol: makes @protocol the one the transport delivers to from now
 *   on, keeping a reference to it and dropping the one to the previous
 *   protocol, without calling any of their methods (optional; see
 *   weft_transport_set_protocol())
 *
 * The methods of a [iface@Weft.Transport]. Transports are written against
 * the rules listed in the interface's description.
 */
struct _WeftTransportInterface {
  GTypeInterface g_iface;

  void (*write) (WeftTransport *transport, const guint8 *data, gsize len);
  void (*write_bytes) (WeftTransport *transport, GBytes *bytes);
  void (*writev) (WeftTransport *transport, const GOutputVector *vectors, gsize n_vectors);
  void (*lose_connection) (WeftTransport *transport, const GError *reason);
  void (*lose_write_connection) (WeftTransport *transport);
  void (*abort_connection) (WeftTransport *transport, const GError *reason);
  void (*pause_reading) (WeftTransport *transport);
  void (*resume_reading) (WeftTransport *transport);
  void (*set_write_buffer_limits) (WeftTransport *transport, gsize high, gsize low);
  void (*get_write_buffer_limits) (WeftTransport *transport, gsize *high, gsize *low);
  gsize (*get_write_buffer_size) (WeftTransport *transport);
  GSocketAddress *(*get_peer_address) (WeftTransport *transport);
  GSocketAddress *(*get_local_address) (WeftTransport *transport);
  WeftProtocol *(*get_protocol) (WeftTransport *transport);
  gboolean (*is_closing) (WeftTransport *transport);
  void (*set_protocol) (WeftTransport *transport, WeftProtocol *protocol);

  /*< private >*/
  gpointer padding[7];
};

WEFT_AVAILABLE_IN_ALL
void weft_transport_write (WeftTransport *transport, const void *data, gsize len);
WEFT_AVAILABLE_IN_ALL
void weft_transport_write_bytes (WeftTransport *transport, GBytes *bytes);
WEFT_AVAILABLE_IN_ALL
void weft_transport_writev (WeftTransport *transport, const GOutputVector *vectors, gsize n_vectors);
WEFT_AVAILABLE_IN_ALL
void weft_transport_lose_connection (WeftTransport *transport);
WEFT_AVAILABLE_IN_ALL
void weft_transport_lose_connection_with_error (WeftTransport *transport, const GError *reason);
WEFT_AVAILABLE_IN_ALL
void weft_transport_lose_write_connection (WeftTransport *transport);
WEFT_AVAILABLE_IN_ALL
void weft_transport_abort_connection (WeftTransport *transport);
WEFT_AVAILABLE_IN_ALL
void weft_transport_abort_connection_with_error (WeftTransport *transport, const GError *reason);
WEFT_AVAILABLE_IN_ALL
void weft_transport_pause_reading (WeftTransport *transport);
WEFT_AVAILABLE_IN_ALL
void weft_transport_resume_reading (WeftTransport *transport);
WEFT_AVAILABLE_IN_ALL
void weft_transport_set_write_buffer_limits (WeftTransport *transport, gsize high, gsize low);
WEFT_AVAILABLE_IN_ALL
void weft_transport_get_write_buffer_limits (WeftTransport *transport, gsize *high, gsize *low);
WEFT_AVAILABLE_IN_ALL
gsize weft_transport_get_write_buffer_size (WeftTransport *transport);
WEFT_AVAILABLE_IN_ALL
GSocketAddress *weft_transport_get_peer_address (WeftTransport *transport) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
GSocketAddress *weft_transport_get_local_address (WeftTransport *transport) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftProtocol *weft_transport_get_protocol (WeftTransport *transport);
WEFT_AVAILABLE_IN_ALL
gboolean weft_transport_is_closing (WeftTransport *transport);
WEFT_AVAILABLE_IN_ALL
gboolean weft_transport_set_protocol (WeftTransport *transport, WeftProtocol *protocol, GError **error);

G_END_DECLS
