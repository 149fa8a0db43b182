/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "weft-protocol-private.h"
#include "weft-protocol.h"
#include "weft-transport.h"

/**
 * WeftTransport:
 *
 * One end of a byte stream: a TCP or Unix socket, a TLS session, a child
 * process' pipes, or an in-memory test double. A transport reads from its
 * stream and calls a [class@Weft.Protocol]; the protocol writes through the
 * transport.
 *
 * Ownership: the transport holds a strong reference to its protocol for the
 * whole connection; the protocol holds a borrowed pointer to its transport,
 * set by weft_protocol_connection_made() and cleared by
 * weft_protocol_connection_lost(). So a protocol never keeps a transport
 * alive, and whoever owns the transport (a listening port, a connector, a
 * test) owns the connection.
 *
 * Rules every transport keeps, so that protocols can rely on them:
 *
 * - The protocol's methods are called in this order: connection_made once;
 *   then any number of data_received; at most one eof_received; then
 *   connection_lost exactly once. pause_writing and resume_writing alternate,
 *   starting with pause_writing, between connection_made and
 *   connection_lost.
 * - Writes are queued, never refused: they are sent in order, and
 *   weft_transport_write_bytes() keeps a reference instead of copying.
 *   Writing while the protocol is paused is allowed; the pause is advice.
 * - weft_transport_lose_connection() sends everything queued, then closes.
 *   Writes made after it but before the close are still sent.
 *   weft_transport_abort_connection() drops the queue and closes now. After
 *   weft_transport_lose_write_connection(), an abort, or the end of the
 *   connection, writes are dropped silently.
 * - A transport never calls connection_lost or data_received from inside
 *   one of its own methods: closing takes effect from the reactor (or, for
 *   test doubles, when the test says so). The exceptions are pause_writing,
 *   which a write that takes the buffer above the high watermark calls at
 *   once, and resume_writing, which weft_transport_set_write_buffer_limits()
 *   may call at once.
 * - connection_lost receives a #GError that tells how it ended:
 *   %WEFT_ERROR_CONNECTION_DONE for a clean close (by either side),
 *   %WEFT_ERROR_CONNECTION_ABORTED after weft_transport_abort_connection(),
 *   the error given to weft_transport_lose_connection_with_error() or
 *   weft_transport_abort_connection_with_error(), or an error describing the
 *   failure (%WEFT_ERROR_CONNECTION_LOST or a %G_IO_ERROR code).
 * - When the peer shuts down its write side, the transport calls
 *   eof_received. If it returns %FALSE (the default) the transport calls
 *   weft_transport_lose_connection() itself; if %TRUE the protocol may keep
 *   writing and closes when it is done.
 */

G_DEFINE_INTERFACE (WeftTransport, weft_transport, G_TYPE_OBJECT)

static void
weft_transport_real_write (WeftTransport *self, const guint8 *data, gsize len)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);

  WEFT_TRANSPORT_GET_IFACE (self)->write_bytes (self, bytes);
}

static void
weft_transport_real_writev (WeftTransport *self, const GOutputVector *vectors, gsize n_vectors)
{
  g_autoptr (GBytes) bytes = NULL;
  gsize total = 0;
  guint8 *data, *p;

  for (gsize i = 0; i < n_vectors; i++)
    total += vectors[i].size;
  p = data = g_malloc (total);
  for (gsize i = 0; i < n_vectors; i++)
    {
      if (vectors[i].size > 0)
        memcpy (p, vectors[i].buffer, vectors[i].size);
      p += vectors[i].size;
    }
  bytes = g_bytes_new_take (data, total);
  WEFT_TRANSPORT_GET_IFACE (self)->write_bytes (self, bytes);
}

static void
weft_transport_default_init (WeftTransportInterface *iface)
{
  iface->write = weft_transport_real_write;
  iface->writev = weft_transport_real_writev;
}

/**
 * weft_transport_write:
 * @transport: a transport
 * @data: (array length=len) (element-type guint8): bytes to send
 * @len: how many
 *
 * Queues a copy of @data to be sent. Never blocks; the write buffer grows
 * and the protocol is asked to pause writing when it passes the high
 * watermark (see weft_transport_set_write_buffer_limits()).
 */
void
weft_transport_write (WeftTransport *transport, const void *data, gsize len)
{
  g_return_if_fail (WEFT_IS_TRANSPORT (transport));
  g_return_if_fail (data != NULL || len == 0);

  if (len == 0)
    return;
  WEFT_TRANSPORT_GET_IFACE (transport)->write (transport, data, len);
}

/**
 * weft_transport_write_bytes:
 * @transport: a transport
 * @bytes: bytes to send
 *
 * Queues @bytes to be sent, keeping a reference rather than copying them.
 */
void
weft_transport_write_bytes (WeftTransport *transport, GBytes *bytes)
{
  g_return_if_fail (WEFT_IS_TRANSPORT (transport));
  g_return_if_fail (bytes != NULL);

  if (g_bytes_get_size (bytes) == 0)
    return;
  WEFT_TRANSPORT_GET_IFACE (transport)->write_bytes (transport, bytes);
}

/**
 * weft_transport_writev:
 * @transport: a transport
 * @vectors: (array length=n_vectors): buffers to send, in order
 * @n_vectors: how many
 *
 * Queues copies of several buffers, as if written one after the other.
 * Transports that write with `writev()` keep them as one chunk.
 */
void
weft_transport_writev (WeftTransport *transport, const GOutputVector *vectors, gsize n_vectors)
{
  g_return_if_fail (WEFT_IS_TRANSPORT (transport));
  g_return_if_fail (vectors != NULL || n_vectors == 0);

  if (n_vectors == 0)
    return;
  WEFT_TRANSPORT_GET_IFACE (transport)->writev (transport, vectors, n_vectors);
}

/* Lets the protocol's #WeftProtocol:state say "closing". */
static void
announce_closing (WeftTransport *transport)
{
  WeftProtocol *protocol = WEFT_TRANSPORT_GET_IFACE (transport)->get_protocol (transport);

  if (protocol != NULL && weft_protocol_get_transport (protocol) == transport)
    weft_protocol_update_state (protocol);
}

/**
 * weft_transport_lose_connection:
 * @transport: a transport
 *
 * Closes the connection once everything written has been sent. The
 * protocol's connection_lost follows (later, never from inside this call),
 * with a %WEFT_ERROR_CONNECTION_DONE reason. Calling it again, or after an
 * abort, does nothing.
 */
void
weft_transport_lose_connection (WeftTransport *transport)
{
  weft_transport_lose_connection_with_error (transport, NULL);
}

/**
 * weft_transport_lose_connection_with_error:
 * @transport: a transport
 * @reason: (nullable): why the connection is being closed
 *
 * Like weft_transport_lose_connection(), but the protocol's connection_lost
 * receives a copy of @reason. Protocols use this to close after bad input,
 * so that the application can tell the user what went wrong.
 */
void
weft_transport_lose_connection_with_error (WeftTransport *transport, const GError *reason)
{
  g_return_if_fail (WEFT_IS_TRANSPORT (transport));

  WEFT_TRANSPORT_GET_IFACE (transport)->lose_connection (transport, reason);
  announce_closing (transport);
}

/**
 * weft_transport_lose_write_connection:
 * @transport: a transport
 *
 * Half-closes the connection: once everything written has been sent, the
 * write side is shut down (the peer sees end-of-file) while data keeps
 * arriving. Later writes are dropped.
 */
void
weft_transport_lose_write_connection (WeftTransport *transport)
{
  g_return_if_fail (WEFT_IS_TRANSPORT (transport));

  WEFT_TRANSPORT_GET_IFACE (transport)->lose_write_connection (transport);
}

/**
 * weft_transport_abort_connection:
 * @transport: a transport
 *
 * Closes the connection at once, dropping whatever is still queued. The
 * protocol's connection_lost follows, with a %WEFT_ERROR_CONNECTION_ABORTED
 * reason.
 */
void
weft_transport_abort_connection (WeftTransport *transport)
{
  weft_transport_abort_connection_with_error (transport, NULL);
}

/**
 * weft_transport_abort_connection_with_error:
 * @transport: a transport
 * @reason: (nullable): why the connection is being aborted
 *
 * Like weft_transport_abort_connection(), but the protocol's
 * connection_lost receives a copy of @reason.
 */
void
weft_transport_abort_connection_with_error (WeftTransport *transport, const GError *reason)
{
  g_return_if_fail (WEFT_IS_TRANSPORT (transport));

  WEFT_TRANSPORT_GET_IFACE (transport)->abort_connection (transport, reason);
  announce_closing (transport);
}

/**
 * weft_transport_pause_reading:
 * @transport: a transport
 *
 * Stops reading: the protocol receives no data (and no end-of-file) until
 * weft_transport_resume_reading(). The peer is slowed down by the kernel's
 * flow control, so a slow consumer does not grow memory.
 */
void
weft_transport_pause_reading (WeftTransport *transport)
{
  g_return_if_fail (WEFT_IS_TRANSPORT (transport));

  WEFT_TRANSPORT_GET_IFACE (transport)->pause_reading (transport);
}

/**
 * weft_transport_resume_reading:
 * @transport: a transport
 *
 * Reads again after weft_transport_pause_reading().
 */
void
weft_transport_resume_reading (WeftTransport *transport)
{
  g_return_if_fail (WEFT_IS_TRANSPORT (transport));

  WEFT_TRANSPORT_GET_IFACE (transport)->resume_reading (transport);
}

/**
 * weft_transport_set_write_buffer_limits:
 * @transport: a transport
 * @high: pause the protocol when more than this many bytes are queued
 * @low: resume it once the queue is down to this many bytes or fewer; not
 *   more than @high
 *
 * Sets the write buffer's watermarks. The defaults are
 * %WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH and
 * %WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_LOW. With both at 0 the protocol is
 * paused whenever anything is waiting to be sent. The new limits are applied
 * at once: a paused protocol whose buffer is now at or under @low is resumed
 * from inside this call.
 */
void
weft_transport_set_write_buffer_limits (WeftTransport *transport, gsize high, gsize low)
{
  g_return_if_fail (WEFT_IS_TRANSPORT (transport));
  g_return_if_fail (low <= high);

  WEFT_TRANSPORT_GET_IFACE (transport)->set_write_buffer_limits (transport, high, low);
}

/**
 * weft_transport_get_write_buffer_limits:
 * @transport: a transport
 * @high: (out) (optional): the high watermark
 * @low: (out) (optional): the low watermark
 *
 * Reads the write buffer's watermarks.
 */
void
weft_transport_get_write_buffer_limits (WeftTransport *transport, gsize *high, gsize *low)
{
  gsize h = 0, l = 0;

  g_return_if_fail (WEFT_IS_TRANSPORT (transport));

  WEFT_TRANSPORT_GET_IFACE (transport)->get_write_buffer_limits (transport, &h, &l);
  if (high != NULL)
    *high = h;
  if (low != NULL)
    *low = l;
}

/**
 * weft_transport_get_write_buffer_size:
 * @transport: a transport
 *
 * Returns: the number of bytes written and not yet sent
 */
gsize
weft_transport_get_write_buffer_size (WeftTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_TRANSPORT (transport), 0);

  return WEFT_TRANSPORT_GET_IFACE (transport)->get_write_buffer_size (transport);
}

/**
 * weft_transport_get_peer_address:
 * @transport: a transport
 *
 * Returns: (transfer full) (nullable): the address of the other end, or
 *   %NULL when the transport has none (a pipe, stdio)
 */
GSocketAddress *
weft_transport_get_peer_address (WeftTransport *transport)
{
  WeftTransportInterface *iface;

  g_return_val_if_fail (WEFT_IS_TRANSPORT (transport), NULL);

  iface = WEFT_TRANSPORT_GET_IFACE (transport);
  return iface->get_peer_address != NULL ? iface->get_peer_address (transport) : NULL;
}

/**
 * weft_transport_get_local_address:
 * @transport: a transport
 *
 * Returns: (transfer full) (nullable): the address of this end, or %NULL
 *   when the transport has none
 */
GSocketAddress *
weft_transport_get_local_address (WeftTransport *transport)
{
  WeftTransportInterface *iface;

  g_return_val_if_fail (WEFT_IS_TRANSPORT (transport), NULL);

  iface = WEFT_TRANSPORT_GET_IFACE (transport);
  return iface->get_local_address != NULL ? iface->get_local_address (transport) : NULL;
}

/**
 * weft_transport_get_protocol:
 * @transport: a transport
 *
 * Returns: (transfer none) (nullable): the protocol @transport delivers to
 */
WeftProtocol *
weft_transport_get_protocol (WeftTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_TRANSPORT (transport), NULL);

  return WEFT_TRANSPORT_GET_IFACE (transport)->get_protocol (transport);
}

/**
 * weft_transport_is_closing:
 * @transport: a transport
 *
 * Tells whether the connection is on its way out: the protocol called
 * weft_transport_lose_connection() or weft_transport_abort_connection(), or
 * the connection is already gone. Receivers stop delivering messages once
 * it is %TRUE.
 *
 * Returns: %TRUE if the connection is closing or closed
 */
gboolean
weft_transport_is_closing (WeftTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_TRANSPORT (transport), TRUE);

  return WEFT_TRANSPORT_GET_IFACE (transport)->is_closing (transport);
}

/**
 * weft_transport_set_protocol:
 * @transport: a connected transport
 * @protocol: the protocol to deliver to from now on
 * @error: return location for a #GError
 *
 * Replaces the protocol of a live connection, for layers inserted under it
 * (weft_tls_start() does this for STARTTLS). No protocol method is called:
 * the caller connects @protocol and settles the previous one. The
 * transport keeps a reference to @protocol and drops its reference to the
 * previous protocol.
 *
 * Returns: %TRUE on success; %FALSE with %G_IO_ERROR_NOT_SUPPORTED if
 *   @transport cannot change its protocol
 */
gboolean
weft_transport_set_protocol (WeftTransport *transport, WeftProtocol *protocol, GError **error)
{
  WeftTransportInterface *iface;

  g_return_val_if_fail (WEFT_IS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = WEFT_TRANSPORT_GET_IFACE (transport);
  if (iface->set_protocol == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _ ("%s connections cannot change their protocol."),
                   G_OBJECT_TYPE_NAME (transport));
      return FALSE;
    }
  iface->set_protocol (transport, protocol);
  return TRUE;
}
