/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "weft-error.h"
#include "weft-string-transport.h"
#include "weft-write-buffer-private.h"

/**
 * WeftStringTransport:
 *
 * A [iface@Weft.Transport] in memory, for testing a protocol without
 * sockets (Twisted's `StringTransport`). It records everything written, and
 * what the protocol asked for: closing (weft_string_transport_is_disconnecting()),
 * aborting, half-closing, pausing reading. The test plays the network: it
 * delivers input with weft_string_transport_receive(), end-of-file with
 * weft_string_transport_receive_eof(), and the end of the connection with
 * weft_string_transport_connection_lost().
 *
 * Addresses default to those of Twisted's `StringTransport`: the peer is
 * 192.168.1.1:54321 and the local end 10.0.0.1:12345.
 *
 * Write-buffer watermarks: by default, writes are "sent" at once and the
 * buffer is always empty. After weft_string_transport_set_buffering(), they
 * are also kept in a real write buffer until weft_string_transport_drain()
 * says the network took them, so the protocol's pause_writing and
 * resume_writing are called exactly as a socket transport would call them.
 */

struct _WeftStringTransport {
  GObject parent_instance;

  WeftProtocol *protocol; /* owned */
  GByteArray *value;      /* everything written, NUL-terminated past len */
  WeftWriteBuffer buffer; /* written and not yet drained, when buffering */
  gboolean buffering;
  GSocketAddress *peer_address;
  GSocketAddress *local_address;
  GError *close_reason;
  gboolean disconnecting;
  gboolean aborted;
  gboolean write_closed;
  gboolean lost;
  gboolean reading_paused;
};

static void weft_string_transport_iface_init (WeftTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WeftStringTransport,
                               weft_string_transport,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WEFT_TYPE_TRANSPORT, weft_string_transport_iface_init))

static gboolean
accepts_writes (WeftStringTransport *self)
{
  return !self->aborted && !self->write_closed && !self->lost;
}

static void
append_value (WeftStringTransport *self, const guint8 *data, gsize len)
{
  g_byte_array_append (self->value, data, len);
  g_byte_array_append (self->value, (const guint8 *) "", 1);
  self->value->len--;
}

static void
weft_string_transport_write_bytes (WeftTransport *transport, GBytes *bytes)
{
  WeftStringTransport *self = WEFT_STRING_TRANSPORT (transport);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (!accepts_writes (self))
    return;
  append_value (self, data, len);
  if (self->buffering)
    {
      weft_write_buffer_push_bytes (&self->buffer, bytes);
      weft_write_buffer_notify_protocol (&self->buffer, self->protocol);
    }
}

static void
weft_string_transport_write (WeftTransport *transport, const guint8 *data, gsize len)
{
  WeftStringTransport *self = WEFT_STRING_TRANSPORT (transport);

  if (!accepts_writes (self))
    return;
  append_value (self, data, len);
  if (self->buffering)
    {
      weft_write_buffer_push (&self->buffer, data, len);
      weft_write_buffer_notify_protocol (&self->buffer, self->protocol);
    }
}

static void
weft_string_transport_writev (WeftTransport *transport, const GOutputVector *vectors, gsize n_vectors)
{
  WeftStringTransport *self = WEFT_STRING_TRANSPORT (transport);

  if (!accepts_writes (self))
    return;
  for (gsize i = 0; i < n_vectors; i++)
    append_value (self, vectors[i].buffer, vectors[i].size);
  if (self->buffering)
    {
      weft_write_buffer_push_vectors (&self->buffer, vectors, n_vectors);
      weft_write_buffer_notify_protocol (&self->buffer, self->protocol);
    }
}

static void
weft_string_transport_lose_connection (WeftTransport *transport, const GError *reason)
{
  WeftStringTransport *self = WEFT_STRING_TRANSPORT (transport);

  if (self->disconnecting || self->aborted || self->lost)
    return;
  self->disconnecting = TRUE;
  if (reason != NULL)
    self->close_reason = g_error_copy (reason);
}

static void
weft_string_transport_lose_write_connection (WeftTransport *transport)
{
  WEFT_STRING_TRANSPORT (transport)->write_closed = TRUE;
}

static void
weft_string_transport_abort_connection (WeftTransport *transport, const GError *reason)
{
  WeftStringTransport *self = WEFT_STRING_TRANSPORT (transport);

  if (self->aborted || self->lost)
    return;
  self->aborted = TRUE;
  g_clear_error (&self->close_reason);
  self->close_reason = reason != NULL ? g_error_copy (reason)
                                      : g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED,
                                                             _ ("The connection was aborted."));
  weft_write_buffer_discard (&self->buffer);
}

static void
weft_string_transport_pause_reading (WeftTransport *transport)
{
  WEFT_STRING_TRANSPORT (transport)->reading_paused = TRUE;
}

static void
weft_string_transport_resume_reading (WeftTransport *transport)
{
  WEFT_STRING_TRANSPORT (transport)->reading_paused = FALSE;
}

static void
weft_string_transport_set_write_buffer_limits (WeftTransport *transport, gsize high, gsize low)
{
  WeftStringTransport *self = WEFT_STRING_TRANSPORT (transport);

  weft_write_buffer_set_limits (&self->buffer, high, low);
  weft_write_buffer_notify_protocol (&self->buffer, self->protocol);
}

static void
weft_string_transport_get_write_buffer_limits (WeftTransport *transport, gsize *high, gsize *low)
{
  weft_write_buffer_get_limits (&WEFT_STRING_TRANSPORT (transport)->buffer, high, low);
}

static gsize
weft_string_transport_get_write_buffer_size (WeftTransport *transport)
{
  return weft_write_buffer_get_size (&WEFT_STRING_TRANSPORT (transport)->buffer);
}

static GSocketAddress *
weft_string_transport_get_peer_address (WeftTransport *transport)
{
  WeftStringTransport *self = WEFT_STRING_TRANSPORT (transport);

  return self->peer_address != NULL ? g_object_ref (self->peer_address) : NULL;
}

static GSocketAddress *
weft_string_transport_get_local_address (WeftTransport *transport)
{
  WeftStringTransport *self = WEFT_STRING_TRANSPORT (transport);

  return self->local_address != NULL ? g_object_ref (self->local_address) : NULL;
}

static WeftProtocol *
weft_string_transport_get_protocol (WeftTransport *transport)
{
  return WEFT_STRING_TRANSPORT (transport)->protocol;
}

static gboolean
weft_string_transport_is_closing (WeftTransport *transport)
{
  WeftStringTransport *self = WEFT_STRING_TRANSPORT (transport);

  return self->disconnecting || self->aborted || self->lost;
}

static void
weft_string_transport_set_protocol (WeftTransport *transport, WeftProtocol *protocol)
{
  g_set_object (&WEFT_STRING_TRANSPORT (transport)->protocol, protocol);
}

static void
weft_string_transport_iface_init (WeftTransportInterface *iface)
{
  iface->write = weft_string_transport_write;
  iface->write_bytes = weft_string_transport_write_bytes;
  iface->writev = weft_string_transport_writev;
  iface->lose_connection = weft_string_transport_lose_connection;
  iface->lose_write_connection = weft_string_transport_lose_write_connection;
  iface->abort_connection = weft_string_transport_abort_connection;
  iface->pause_reading = weft_string_transport_pause_reading;
  iface->resume_reading = weft_string_transport_resume_reading;
  iface->set_write_buffer_limits = weft_string_transport_set_write_buffer_limits;
  iface->get_write_buffer_limits = weft_string_transport_get_write_buffer_limits;
  iface->get_write_buffer_size = weft_string_transport_get_write_buffer_size;
  iface->get_peer_address = weft_string_transport_get_peer_address;
  iface->get_local_address = weft_string_transport_get_local_address;
  iface->get_protocol = weft_string_transport_get_protocol;
  iface->is_closing = weft_string_transport_is_closing;
  iface->set_protocol = weft_string_transport_set_protocol;
}

static void
weft_string_transport_dispose (GObject *object)
{
  WeftStringTransport *self = WEFT_STRING_TRANSPORT (object);

  g_clear_object (&self->protocol);
  g_clear_object (&self->peer_address);
  g_clear_object (&self->local_address);

  G_OBJECT_CLASS (weft_string_transport_parent_class)->dispose (object);
}

static void
weft_string_transport_finalize (GObject *object)
{
  WeftStringTransport *self = WEFT_STRING_TRANSPORT (object);

  g_byte_array_unref (self->value);
  weft_write_buffer_clear (&self->buffer);
  g_clear_error (&self->close_reason);

  G_OBJECT_CLASS (weft_string_transport_parent_class)->finalize (object);
}

static void
weft_string_transport_class_init (WeftStringTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = weft_string_transport_dispose;
  object_class->finalize = weft_string_transport_finalize;
}

static void
weft_string_transport_init (WeftStringTransport *self)
{
  self->value = g_byte_array_new ();
  append_value (self, NULL, 0);
  weft_write_buffer_init (&self->buffer);
  self->peer_address = g_inet_socket_address_new_from_string ("192.168.1.1", 54321);
  self->local_address = g_inet_socket_address_new_from_string ("10.0.0.1", 12345);
}

/**
 * weft_string_transport_new:
 *
 * Creates an in-memory transport with no protocol yet.
 *
 * Returns: (transfer full): a new string transport
 */
WeftStringTransport *
weft_string_transport_new (void)
{
  return g_object_new (WEFT_TYPE_STRING_TRANSPORT, NULL);
}

/**
 * weft_string_transport_connect:
 * @transport: a string transport without a protocol
 * @protocol: the protocol under test
 *
 * Makes the connection: keeps a reference to @protocol and calls its
 * connection_made.
 */
void
weft_string_transport_connect (WeftStringTransport *transport, WeftProtocol *protocol)
{
  g_return_if_fail (WEFT_IS_STRING_TRANSPORT (transport));
  g_return_if_fail (WEFT_IS_PROTOCOL (protocol));
  g_return_if_fail (transport->protocol == NULL);

  transport->protocol = g_object_ref (protocol);
  weft_protocol_connection_made (protocol, WEFT_TRANSPORT (transport));
}

/**
 * weft_string_transport_receive:
 * @transport: a connected string transport
 * @data: (array length=len) (element-type guint8): bytes from the "peer"
 * @len: their length, or -1 if @data is a NUL-terminated string
 *
 * Delivers @data to the protocol's data_received, in one call. Delivered
 * even while reading is paused: the test decides what the network does
 * (check weft_string_transport_is_reading_paused()).
 */
void
weft_string_transport_receive (WeftStringTransport *transport, const void *data, gssize len)
{
  g_return_if_fail (WEFT_IS_STRING_TRANSPORT (transport));
  g_return_if_fail (transport->protocol != NULL && !transport->lost);
  g_return_if_fail (data != NULL || len == 0);

  weft_protocol_data_received (transport->protocol, data, len < 0 ? strlen (data) : (gsize) len);
}

/**
 * weft_string_transport_receive_eof:
 * @transport: a connected string transport
 *
 * Tells the protocol that the peer shut down its write side. As a socket
 * transport would, calls weft_transport_lose_connection() if the protocol's
 * eof_received returns %FALSE.
 *
 * Returns: what eof_received returned
 */
gboolean
weft_string_transport_receive_eof (WeftStringTransport *transport)
{
  gboolean keep_open;

  g_return_val_if_fail (WEFT_IS_STRING_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (transport->protocol != NULL && !transport->lost, FALSE);

  keep_open = weft_protocol_eof_received (transport->protocol);
  if (!keep_open)
    weft_transport_lose_connection (WEFT_TRANSPORT (transport));
  return keep_open;
}

/**
 * weft_string_transport_connection_lost:
 * @transport: a connected string transport
 * @reason: (nullable): how the connection ended, or %NULL for what the
 *   protocol asked for: the error it gave weft_transport_lose_connection_with_error()
 *   or weft_transport_abort_connection_with_error(), a
 *   %WEFT_ERROR_CONNECTION_ABORTED error after an abort, else a clean
 *   close (%WEFT_ERROR_CONNECTION_DONE)
 *
 * Ends the connection: calls the protocol's connection_lost. Later writes
 * are dropped.
 */
void
weft_string_transport_connection_lost (WeftStringTransport *transport, const GError *reason)
{
  g_return_if_fail (WEFT_IS_STRING_TRANSPORT (transport));
  g_return_if_fail (transport->protocol != NULL && !transport->lost);

  if (reason == NULL)
    reason = transport->close_reason;
  transport->lost = TRUE;
  weft_write_buffer_discard (&transport->buffer);
  weft_protocol_connection_lost (transport->protocol, reason);
}

/**
 * weft_string_transport_get_value:
 * @transport: a string transport
 *
 * Returns: (transfer full): a copy of everything written since creation or
 *   the last weft_string_transport_clear()
 */
GBytes *
weft_string_transport_get_value (WeftStringTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_STRING_TRANSPORT (transport), NULL);

  return g_bytes_new (transport->value->data, transport->value->len);
}

/**
 * weft_string_transport_peek_string:
 * @transport: a string transport
 * @len: (out) (optional): the number of bytes written
 *
 * Everything written, as a string, for `g_assert_cmpstr()`.
 *
 * Returns: (transfer none): the bytes written, followed by a NUL; valid
 *   until the next write or weft_string_transport_clear()
 */
const char *
weft_string_transport_peek_string (WeftStringTransport *transport, gsize *len)
{
  g_return_val_if_fail (WEFT_IS_STRING_TRANSPORT (transport), NULL);

  if (len != NULL)
    *len = transport->value->len;
  return (const char *) transport->value->data;
}

/**
 * weft_string_transport_clear:
 * @transport: a string transport
 *
 * Forgets what was written so far (the write buffer, when buffering, is
 * not affected).
 */
void
weft_string_transport_clear (WeftStringTransport *transport)
{
  g_return_if_fail (WEFT_IS_STRING_TRANSPORT (transport));

  g_byte_array_set_size (transport->value, 0);
  append_value (transport, NULL, 0);
}

/**
 * weft_string_transport_is_disconnecting:
 * @transport: a string transport
 *
 * Returns: %TRUE once weft_transport_lose_connection() was called
 */
gboolean
weft_string_transport_is_disconnecting (WeftStringTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_STRING_TRANSPORT (transport), FALSE);

  return transport->disconnecting;
}

/**
 * weft_string_transport_is_aborted:
 * @transport: a string transport
 *
 * Returns: %TRUE once weft_transport_abort_connection() was called
 */
gboolean
weft_string_transport_is_aborted (WeftStringTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_STRING_TRANSPORT (transport), FALSE);

  return transport->aborted;
}

/**
 * weft_string_transport_is_write_closed:
 * @transport: a string transport
 *
 * Returns: %TRUE once weft_transport_lose_write_connection() was called
 */
gboolean
weft_string_transport_is_write_closed (WeftStringTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_STRING_TRANSPORT (transport), FALSE);

  return transport->write_closed;
}

/**
 * weft_string_transport_is_lost:
 * @transport: a string transport
 *
 * Returns: %TRUE once weft_string_transport_connection_lost() was called
 */
gboolean
weft_string_transport_is_lost (WeftStringTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_STRING_TRANSPORT (transport), FALSE);

  return transport->lost;
}

/**
 * weft_string_transport_get_close_reason:
 * @transport: a string transport
 *
 * Returns: (transfer none) (nullable): the error the protocol closed or
 *   aborted with, if any
 */
const GError *
weft_string_transport_get_close_reason (WeftStringTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_STRING_TRANSPORT (transport), NULL);

  return transport->close_reason;
}

/**
 * weft_string_transport_is_reading_paused:
 * @transport: a string transport
 *
 * Returns: %TRUE between weft_transport_pause_reading() and
 *   weft_transport_resume_reading()
 */
gboolean
weft_string_transport_is_reading_paused (WeftStringTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_STRING_TRANSPORT (transport), FALSE);

  return transport->reading_paused;
}

/**
 * weft_string_transport_set_peer_address:
 * @transport: a string transport
 * @address: (nullable): the address to report for the peer
 *
 * Replaces the peer address (default 192.168.1.1:54321).
 */
void
weft_string_transport_set_peer_address (WeftStringTransport *transport, GSocketAddress *address)
{
  g_return_if_fail (WEFT_IS_STRING_TRANSPORT (transport));
  g_return_if_fail (address == NULL || G_IS_SOCKET_ADDRESS (address));

  g_set_object (&transport->peer_address, address);
}

/**
 * weft_string_transport_set_local_address:
 * @transport: a string transport
 * @address: (nullable): the address to report for this end
 *
 * Replaces the local address (default 10.0.0.1:12345).
 */
void
weft_string_transport_set_local_address (WeftStringTransport *transport, GSocketAddress *address)
{
  g_return_if_fail (WEFT_IS_STRING_TRANSPORT (transport));
  g_return_if_fail (address == NULL || G_IS_SOCKET_ADDRESS (address));

  g_set_object (&transport->local_address, address);
}

/**
 * weft_string_transport_set_buffering:
 * @transport: a string transport
 * @buffering: whether writes wait in the write buffer until drained
 *
 * Turns the simulated write buffer on or off. While on, written bytes count
 * towards weft_transport_get_write_buffer_size() and the watermarks until
 * weft_string_transport_drain(). Turning it off drains everything.
 */
void
weft_string_transport_set_buffering (WeftStringTransport *transport, gboolean buffering)
{
  g_return_if_fail (WEFT_IS_STRING_TRANSPORT (transport));

  transport->buffering = buffering;
  if (!buffering)
    weft_string_transport_drain (transport, G_MAXSIZE);
}

/**
 * weft_string_transport_drain:
 * @transport: a string transport
 * @n_bytes: how many buffered bytes the "network" took; %G_MAXSIZE for all
 *
 * Removes @n_bytes from the simulated write buffer, calling the protocol's
 * resume_writing if that takes the buffer to the low watermark.
 */
void
weft_string_transport_drain (WeftStringTransport *transport, gsize n_bytes)
{
  g_return_if_fail (WEFT_IS_STRING_TRANSPORT (transport));

  weft_write_buffer_consume (&transport->buffer, MIN (n_bytes, weft_write_buffer_get_size (&transport->buffer)));
  weft_write_buffer_notify_protocol (&transport->buffer, transport->protocol);
}
