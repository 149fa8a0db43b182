/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "weft-soup-private.h"

/**
 * WeftWebsocketTransport:
 *
 * A [iface@Weft.Transport] over a `SoupWebsocketConnection`, client or
 * server side, so that any [class@Weft.Protocol] runs over WebSocket.
 *
 * In message mode each incoming message is one data_received call (see
 * weft_websocket_transport_get_received_type() for its type) and each
 * write is sent as one message of the type set with
 * weft_websocket_transport_set_message_type() (binary by default). In line
 * mode each incoming message is delivered as one line ending in "\r\n", and
 * written bytes are cut at "\n" into lines sent as one message each, without
 * the line ending: the IRCv3 WebSocket binding, so `WeftLineReceiver` and
 * the IRC protocol run over WebSocket unchanged.
 *
 * connection_lost receives %WEFT_ERROR_CONNECTION_DONE after a close
 * handshake with code 1000 or 1001 (or no code); a
 * %WEFT_WEBSOCKET_CLOSE_ERROR whose code is the close code after a close
 * handshake with any other code (1009: message too big, 4000...);
 * %WEFT_ERROR_CONNECTION_LOST or GIO's error when the connection ended
 * without a close handshake; %G_IO_ERROR_TIMED_OUT when the keepalive found
 * the peer dead; %WEFT_SOUP_ERROR_TOO_LARGE on the side that received an
 * oversized message (which closes with 1009).
 *
 * Flow control: libsoup 3.2 does not tell how much of what was sent is
 * still queued in the connection. libsoup writes each message to the socket
 * at once and queues only what the socket refuses, so the transport watches
 * the socket instead: bytes sent since the socket was last seen with room
 * are the write buffer size, pause_writing is called above the high
 * watermark and resume_writing once libsoup has flushed its queue into the
 * socket again. Reading cannot be stopped in libsoup 3.2: while paused,
 * incoming messages are held (up to four times the largest message, at least
 * 1 MiB); a peer that sends more than that meanwhile is disconnected with
 * code 1008.
 */

#define PAUSED_BUFFER_MIN (1024 * 1024)

struct _WeftWebsocketTransport {
  GObject parent_instance;

  WeftReactor *reactor;
  SoupWebsocketConnection *connection;
  GSocket *socket;
  WeftProtocol *protocol;
  WeftWebsocketOptions *options;
  WeftWebsocketMode mode;
  gboolean server_side;
  gboolean started;

  SoupWebsocketDataType message_type;  /* of writes in message mode */
  SoupWebsocketDataType line_type;     /* of lines in line mode */
  SoupWebsocketDataType received_type; /* of the message being delivered */
  GByteArray *line_buffer;             /* a partial line written */

  /* Reading */
  gboolean reading_paused;
  GQueue held; /* GBytes, with their type in held_types */
  GQueue held_types;
  gsize held_size;
  WeftDelayedCall *deliver_call;

  /* Writing */
  gsize high;
  gsize low;
  gsize unflushed; /* sent since the socket was last seen with room */
  gboolean writing_paused;
  GSource *writable_source;
  GSource *flushed_check;

  /* Keepalive */
  gint64 keepalive_timeout_us;
  gint64 last_activity;
  WeftDelayedCall *keepalive_call;

  /* Closing */
  gboolean closing;       /* lose or abort called, or a close is under way */
  gboolean close_started; /* a close frame was queued by this side */
  gboolean write_shut;
  gboolean lost;
  GError *local_reason;
  GError *soup_error;
  gulong handlers[5];
};

static void weft_websocket_transport_iface_init (WeftTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WeftWebsocketTransport,
                               weft_websocket_transport,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WEFT_TYPE_TRANSPORT, weft_websocket_transport_iface_init))

static const char *
close_code_description (gushort code)
{
  switch (code)
    {
    case SOUP_WEBSOCKET_CLOSE_NORMAL:
      return _ ("normal closure");
    case SOUP_WEBSOCKET_CLOSE_GOING_AWAY:
      return _ ("going away");
    case SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR:
      return _ ("protocol error");
    case SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA:
      return _ ("unsupported data");
    case SOUP_WEBSOCKET_CLOSE_BAD_DATA:
      return _ ("invalid data");
    case SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION:
      return _ ("policy violation");
    case SOUP_WEBSOCKET_CLOSE_TOO_BIG:
      return _ ("message too big");
    case SOUP_WEBSOCKET_CLOSE_NO_EXTENSION:
      return _ ("extension missing");
    case SOUP_WEBSOCKET_CLOSE_SERVER_ERROR:
      return _ ("server error");
    default:
      return _ ("application-defined");
    }
}

/* Reaches the GSocket under the connection's stream, through libsoup's and
 * GIO's wrapper streams (TLS included). */
static GSocket *
find_socket (GIOStream *stream)
{
  for (guint depth = 0; stream != NULL && depth < 8; depth++)
    {
      GSocket *socket = g_object_get_data (G_OBJECT (stream), "GSocket");
      GParamSpec *pspec;
      GIOStream *base = NULL;

      if (socket != NULL)
        return g_object_ref (socket);
      if (G_IS_SOCKET_CONNECTION (stream))
        return g_object_ref (g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream)));
      pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-iostream");
      if (pspec == NULL)
        pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-io-stream");
      if (pspec == NULL || !g_type_is_a (pspec->value_type, G_TYPE_IO_STREAM))
        return NULL;
      g_object_get (stream, pspec->name, &base, NULL);
      /* The wrapped stream lives as long as the wrapper. */
      if (base != NULL)
        g_object_unref (base);
      stream = base;
    }
  return NULL;
}

/* connection_lost */

static GError *
lost_reason (WeftWebsocketTransport *self)
{
  gushort code = soup_websocket_connection_get_close_code (self->connection);
  const char *data = soup_websocket_connection_get_close_data (self->connection);
  const char *who = self->close_started ? _ ("this side") : _ ("the peer");

  if (self->local_reason != NULL)
    return g_steal_pointer (&self->local_reason);
  if (self->soup_error != NULL && !(code != 0 && self->soup_error->domain == G_IO_ERROR))
    {
      if (g_error_matches (self->soup_error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG))
        return g_error_new (WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_TOO_LARGE,
                            _ ("Received a WebSocket frame larger than the limit: %s"), self->soup_error->message);
      return g_steal_pointer (&self->soup_error);
    }
  if (code == 0 || code == SOUP_WEBSOCKET_CLOSE_ABNORMAL)
    return g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_LOST,
                                _ ("The WebSocket connection was lost without a close handshake"));
  if (code == SOUP_WEBSOCKET_CLOSE_NORMAL || code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY ||
      code == SOUP_WEBSOCKET_CLOSE_NO_STATUS)
    return g_error_new (WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE,
                        _ ("The WebSocket connection was closed by %s (%u, %s)%s%s"), who, code,
                        close_code_description (code), data && *data ? ": " : "", data ? data : "");
  return g_error_new (WEFT_WEBSOCKET_CLOSE_ERROR, code,
                      _ ("The WebSocket connection was closed by %s with code %u (%s)%s%s"), who, code,
                      close_code_description (code), data && *data ? ": " : "", data ? data : "");
}

static void
stop_timers (WeftWebsocketTransport *self)
{
  if (self->keepalive_call != NULL)
    {
      weft_delayed_call_cancel (self->keepalive_call);
      g_clear_pointer (&self->keepalive_call, weft_delayed_call_unref);
    }
  if (self->deliver_call != NULL)
    {
      weft_delayed_call_cancel (self->deliver_call);
      g_clear_pointer (&self->deliver_call, weft_delayed_call_unref);
    }
  if (self->writable_source != NULL)
    {
      g_source_destroy (self->writable_source);
      g_clear_pointer (&self->writable_source, g_source_unref);
    }
  if (self->flushed_check != NULL)
    {
      g_source_destroy (self->flushed_check);
      g_clear_pointer (&self->flushed_check, g_source_unref);
    }
}

static void
disconnect_handlers (WeftWebsocketTransport *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->handlers); i++)
    g_clear_signal_handler (&self->handlers[i], self->connection);
}

static void
closed_cb (SoupWebsocketConnection *connection, gpointer user_data)
{
  WeftWebsocketTransport *self = user_data;
  g_autoptr (GError) reason = NULL;
  g_autoptr (WeftProtocol) protocol = NULL;

  if (self->lost)
    return;
  self->lost = TRUE;
  stop_timers (self);
  disconnect_handlers (self);
  reason = lost_reason (self);
  g_debug ("WebSocket transport %p lost: %s", self, reason->message);
  protocol = g_steal_pointer (&self->protocol);
  if (protocol != NULL)
    weft_protocol_connection_lost (protocol, reason);
  /* The reference taken in weft_websocket_transport_start(). */
  g_object_unref (self);
}

static void
error_cb (SoupWebsocketConnection *connection, GError *error, gpointer user_data)
{
  WeftWebsocketTransport *self = user_data;

  g_debug ("WebSocket transport %p: %s", self, error->message);
  if (self->soup_error == NULL)
    self->soup_error = g_error_copy (error);
}

/* Closes with a code and the reason this side will see. */
static void
close_with (WeftWebsocketTransport *self, gushort code, const char *data, GError *local_reason)
{
  if (local_reason != NULL && self->local_reason == NULL)
    self->local_reason = local_reason;
  else
    g_clear_error (&local_reason);
  self->closing = TRUE;
  if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      self->close_started = TRUE;
      soup_websocket_connection_close (self->connection, code, data);
    }
}

/* Ends the connection now: queues a close frame for a peer that still
 * listens, then shuts the socket down so that libsoup sees the end at once
 * instead of waiting five seconds for the peer's answer. */
static void
abort_now (WeftWebsocketTransport *self, gushort code, const char *data, GError *local_reason)
{
  close_with (self, code, data, local_reason);
  if (self->socket != NULL && !self->write_shut)
    {
      self->write_shut = TRUE;
      g_socket_shutdown (self->socket, TRUE, TRUE, NULL);
    }
}

/* Reading */

static void
deliver (WeftWebsocketTransport *self, SoupWebsocketDataType type, GBytes *message)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (message, &len);

  self->received_type = type;
  if (self->mode == WEFT_WEBSOCKET_MODE_LINE)
    {
      g_autofree guint8 *line = NULL;

      /* Lenient with peers that end their messages as lines anyway. */
      if (len > 0 && data[len - 1] == '\n')
        len--;
      if (len > 0 && data[len - 1] == '\r')
        len--;
      line = g_malloc (len + 2);
      memcpy (line, data, len);
      line[len] = '\r';
      line[len + 1] = '\n';
      weft_protocol_data_received (self->protocol, line, len + 2);
    }
  else
    weft_protocol_data_received (self->protocol, data, len);
}

static void
deliver_held_cb (gpointer user_data)
{
  WeftWebsocketTransport *self = user_data;

  g_clear_pointer (&self->deliver_call, weft_delayed_call_unref);
  while (!self->reading_paused && !self->lost && self->protocol != NULL && !g_queue_is_empty (&self->held))
    {
      g_autoptr (GBytes) message = g_queue_pop_head (&self->held);
      SoupWebsocketDataType type = GPOINTER_TO_INT (g_queue_pop_head (&self->held_types));

      self->held_size -= g_bytes_get_size (message);
      deliver (self, type, message);
    }
}

static void
message_cb (SoupWebsocketConnection *connection, SoupWebsocketDataType type, GBytes *message, gpointer user_data)
{
  WeftWebsocketTransport *self = user_data;
  gsize len = g_bytes_get_size (message);
  gsize max = weft_websocket_options_get_max_message_size (self->options);
  gsize held_max = MAX (4 * max, PAUSED_BUFFER_MIN);

  self->last_activity = weft_reactor_get_time (self->reactor);
  if (self->lost || self->protocol == NULL || (self->closing && self->local_reason != NULL))
    return;
  if (len > max)
    {
      close_with (self, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "Message too big",
                  g_error_new (WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_TOO_LARGE,
                               _ ("Received a WebSocket message of %zu bytes, more than the limit of %zu"
                                  "; closed with code 1009 (message too big)"),
                               len, max));
      return;
    }
  if (self->reading_paused || !g_queue_is_empty (&self->held))
    {
      if (self->held_size + len > held_max)
        {
          close_with (
              self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "Too much data while paused",
              g_error_new (
                  WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_TOO_LARGE,
                  _ ("The WebSocket peer sent more than %zu bytes while reading was paused; closed with code 1008"),
                  held_max));
          return;
        }
      g_queue_push_tail (&self->held, g_bytes_ref (message));
      g_queue_push_tail (&self->held_types, GINT_TO_POINTER (type));
      self->held_size += len;
      return;
    }
  deliver (self, type, message);
}

static void
pong_cb (SoupWebsocketConnection *connection, GBytes *message, gpointer user_data)
{
  WeftWebsocketTransport *self = user_data;

  self->last_activity = weft_reactor_get_time (self->reactor);
}

/* Keepalive: libsoup sends the pings (whole seconds); the dead-peer timeout
 * is Weft's, as libsoup 3.2 has none. */

static void keepalive_cb (gpointer user_data);

static void
keepalive_schedule (WeftWebsocketTransport *self)
{
  gint64 due = self->last_activity + self->keepalive_timeout_us - weft_reactor_get_time (self->reactor);

  g_clear_pointer (&self->keepalive_call, weft_delayed_call_unref);
  self->keepalive_call =
      weft_delayed_call_ref (weft_reactor_call_later (self->reactor, MAX (due, 0), keepalive_cb, self, NULL));
}

static void
keepalive_cb (gpointer user_data)
{
  WeftWebsocketTransport *self = user_data;
  gint64 silent = weft_reactor_get_time (self->reactor) - self->last_activity;

  if (silent < self->keepalive_timeout_us)
    {
      keepalive_schedule (self);
      return;
    }
  g_clear_pointer (&self->keepalive_call, weft_delayed_call_unref);
  abort_now (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "Keepalive timeout",
             g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                          _ ("The WebSocket peer did not answer for %.1f s (keepalive timeout); connection closed"),
                          silent / (double) G_USEC_PER_SEC));
}

/* Writing and flow control */

static gboolean socket_writable_cb (GSocket *socket, GIOCondition condition, gpointer user_data);

static void
watch_writable (WeftWebsocketTransport *self)
{
  if (self->writable_source != NULL || self->socket == NULL || self->lost)
    return;
  self->writable_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
  g_source_set_callback (self->writable_source, G_SOURCE_FUNC (socket_writable_cb), self, NULL);
  g_source_attach (self->writable_source, g_main_context_get_thread_default ());
}

/* Runs after libsoup's own output source had its turn (lower priority). */
static gboolean
flushed_check_cb (gpointer user_data)
{
  WeftWebsocketTransport *self = user_data;

  g_clear_pointer (&self->flushed_check, g_source_unref);
  if (self->lost)
    return G_SOURCE_REMOVE;
  if (!g_socket_condition_check (self->socket, G_IO_OUT))
    {
      watch_writable (self);
      return G_SOURCE_REMOVE;
    }
  self->unflushed = 0;
  if (self->writing_paused && self->protocol != NULL)
    {
      self->writing_paused = FALSE;
      weft_protocol_resume_writing (self->protocol);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
socket_writable_cb (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  WeftWebsocketTransport *self = user_data;

  g_clear_pointer (&self->writable_source, g_source_unref);
  if (self->flushed_check == NULL)
    {
      self->flushed_check = g_idle_source_new ();
      g_source_set_priority (self->flushed_check, G_PRIORITY_DEFAULT + 1);
      g_source_set_callback (self->flushed_check, flushed_check_cb, self, NULL);
      g_source_attach (self->flushed_check, g_main_context_get_thread_default ());
    }
  return G_SOURCE_REMOVE;
}

static void
account_sent (WeftWebsocketTransport *self, gsize len)
{
  if (self->socket == NULL)
    return;
  self->unflushed += len;
  /* One poll of the socket per low watermark's worth of data: libsoup
   * writes at once and queues only when the socket is full. */
  if (self->unflushed < self->low && !self->writing_paused)
    return;
  if (g_socket_condition_check (self->socket, G_IO_OUT))
    {
      if (self->writable_source == NULL && self->flushed_check == NULL)
        self->unflushed = 0;
      return;
    }
  if (self->unflushed > self->high && !self->writing_paused && self->protocol != NULL)
    {
      self->writing_paused = TRUE;
      weft_protocol_pause_writing (self->protocol);
    }
  if (self->writing_paused)
    watch_writable (self);
}

static gboolean
can_send (WeftWebsocketTransport *self)
{
  return !self->lost && !self->write_shut &&
         soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN && !self->close_started;
}

static void
send_message (WeftWebsocketTransport *self, SoupWebsocketDataType type, const guint8 *data, gsize len)
{
  if (!can_send (self))
    return;
  if (type == SOUP_WEBSOCKET_DATA_TEXT && !g_utf8_validate_len ((const char *) data, len, NULL))
    {
      char *valid = g_utf8_make_valid ((const char *) data, len);
      gsize valid_len = strlen (valid);
      g_autoptr (GBytes) bytes = g_bytes_new_take (valid, valid_len);

      soup_websocket_connection_send_message (self->connection, type, bytes);
      account_sent (self, valid_len);
      return;
    }
  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (data, len);

      soup_websocket_connection_send_message (self->connection, type, bytes);
    }
  else
    soup_websocket_connection_send_binary (self->connection, data, len);
  account_sent (self, len);
}

static void
send_lines (WeftWebsocketTransport *self)
{
  gsize start = 0;

  for (gsize i = 0; i < self->line_buffer->len; i++)
    {
      gsize end;

      if (self->line_buffer->data[i] != '\n')
        continue;
      end = i;
      if (end > start && self->line_buffer->data[end - 1] == '\r')
        end--;
      if (end > start)
        send_message (self, self->line_type, self->line_buffer->data + start, end - start);
      start = i + 1;
    }
  g_byte_array_remove_range (self->line_buffer, 0, start);
}

static void
ws_write_bytes (WeftTransport *transport, GBytes *bytes)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (!can_send (self))
    return;
  if (self->mode == WEFT_WEBSOCKET_MODE_LINE)
    {
      g_byte_array_append (self->line_buffer, data, len);
      if (memchr (data, '\n', len) != NULL)
        send_lines (self);
      return;
    }
  if (self->message_type == SOUP_WEBSOCKET_DATA_BINARY)
    {
      soup_websocket_connection_send_message (self->connection, SOUP_WEBSOCKET_DATA_BINARY, bytes);
      account_sent (self, len);
      return;
    }
  send_message (self, self->message_type, data, len);
}

static void
ws_write (WeftTransport *transport, const guint8 *data, gsize len)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);

  if (!can_send (self))
    return;
  if (self->mode == WEFT_WEBSOCKET_MODE_LINE)
    {
      g_byte_array_append (self->line_buffer, data, len);
      if (memchr (data, '\n', len) != NULL)
        send_lines (self);
      return;
    }
  send_message (self, self->message_type, data, len);
}

static void
flush_partial_line (WeftWebsocketTransport *self)
{
  if (self->line_buffer->len > 0)
    {
      send_message (self, self->line_type, self->line_buffer->data, self->line_buffer->len);
      g_byte_array_set_size (self->line_buffer, 0);
    }
}

static void
ws_lose_connection (WeftTransport *transport, const GError *reason)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);

  if (self->closing || self->lost)
    return;
  flush_partial_line (self);
  /* libsoup queues a close frame this side sends after the data. */
  close_with (self, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL, reason ? g_error_copy (reason) : NULL);
}

static void
ws_lose_write_connection (WeftTransport *transport)
{
  /* WebSocket has no half-close: closing sends a close frame, after which
   * the peer may still send until it answers. */
  ws_lose_connection (transport, NULL);
}

static void
ws_abort_connection (WeftTransport *transport, const GError *reason)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);

  if (self->lost)
    return;
  abort_now (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL,
             reason ? g_error_copy (reason)
                    : g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED,
                                           _ ("The WebSocket connection was aborted")));
}

static void
ws_pause_reading (WeftTransport *transport)
{
  WEFT_WEBSOCKET_TRANSPORT (transport)->reading_paused = TRUE;
}

static void
ws_resume_reading (WeftTransport *transport)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);

  self->reading_paused = FALSE;
  if (!g_queue_is_empty (&self->held) && self->deliver_call == NULL && !self->lost)
    self->deliver_call = weft_delayed_call_ref (weft_reactor_call_soon (self->reactor, deliver_held_cb, self, NULL));
}

static void
ws_set_write_buffer_limits (WeftTransport *transport, gsize high, gsize low)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);

  self->high = high;
  self->low = MIN (low, high);
  if (self->writing_paused && self->unflushed <= self->low && self->protocol != NULL)
    {
      self->writing_paused = FALSE;
      weft_protocol_resume_writing (self->protocol);
    }
}

static void
ws_get_write_buffer_limits (WeftTransport *transport, gsize *high, gsize *low)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);

  if (high != NULL)
    *high = self->high;
  if (low != NULL)
    *low = self->low;
}

static gsize
ws_get_write_buffer_size (WeftTransport *transport)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);

  return self->unflushed + self->line_buffer->len;
}

static GSocketAddress *
ws_get_peer_address (WeftTransport *transport)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);

  return self->socket != NULL ? g_socket_get_remote_address (self->socket, NULL) : NULL;
}

static GSocketAddress *
ws_get_local_address (WeftTransport *transport)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);

  return self->socket != NULL ? g_socket_get_local_address (self->socket, NULL) : NULL;
}

static WeftProtocol *
ws_get_protocol (WeftTransport *transport)
{
  return WEFT_WEBSOCKET_TRANSPORT (transport)->protocol;
}

static gboolean
ws_is_closing (WeftTransport *transport)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);

  return self->closing || self->lost ||
         soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN;
}

static void
ws_set_protocol (WeftTransport *transport, WeftProtocol *protocol)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (transport);

  g_set_object (&self->protocol, protocol);
}

static void
weft_websocket_transport_iface_init (WeftTransportInterface *iface)
{
  iface->write = ws_write;
  iface->write_bytes = ws_write_bytes;
  iface->lose_connection = ws_lose_connection;
  iface->lose_write_connection = ws_lose_write_connection;
  iface->abort_connection = ws_abort_connection;
  iface->pause_reading = ws_pause_reading;
  iface->resume_reading = ws_resume_reading;
  iface->set_write_buffer_limits = ws_set_write_buffer_limits;
  iface->get_write_buffer_limits = ws_get_write_buffer_limits;
  iface->get_write_buffer_size = ws_get_write_buffer_size;
  iface->get_peer_address = ws_get_peer_address;
  iface->get_local_address = ws_get_local_address;
  iface->get_protocol = ws_get_protocol;
  iface->is_closing = ws_is_closing;
  iface->set_protocol = ws_set_protocol;
}

static void
weft_websocket_transport_dispose (GObject *object)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (object);

  stop_timers (self);
  if (self->connection != NULL)
    disconnect_handlers (self);
  G_OBJECT_CLASS (weft_websocket_transport_parent_class)->dispose (object);
}

static void
weft_websocket_transport_finalize (GObject *object)
{
  WeftWebsocketTransport *self = WEFT_WEBSOCKET_TRANSPORT (object);

  g_queue_clear_full (&self->held, (GDestroyNotify) g_bytes_unref);
  g_queue_clear (&self->held_types);
  g_clear_pointer (&self->line_buffer, g_byte_array_unref);
  g_clear_pointer (&self->options, weft_websocket_options_free);
  g_clear_error (&self->local_reason);
  g_clear_error (&self->soup_error);
  g_clear_object (&self->protocol);
  g_clear_object (&self->socket);
  g_clear_object (&self->connection);
  g_clear_object (&self->reactor);
  G_OBJECT_CLASS (weft_websocket_transport_parent_class)->finalize (object);
}

static void
weft_websocket_transport_class_init (WeftWebsocketTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = weft_websocket_transport_dispose;
  object_class->finalize = weft_websocket_transport_finalize;
}

static void
weft_websocket_transport_init (WeftWebsocketTransport *self)
{
  self->high = WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH;
  self->low = WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_LOW;
  self->message_type = SOUP_WEBSOCKET_DATA_BINARY;
  self->line_type = SOUP_WEBSOCKET_DATA_TEXT;
  self->received_type = SOUP_WEBSOCKET_DATA_BINARY;
  self->line_buffer = g_byte_array_new ();
  g_queue_init (&self->held);
  g_queue_init (&self->held_types);
}

/**
 * weft_websocket_transport_new:
 * @reactor: the reactor
 * @connection: an open WebSocket connection
 * @options: (nullable): mode, message size cap, keepalive; %NULL: defaults
 *
 * Wraps @connection, which must be open, as a transport. Nothing happens
 * until weft_websocket_transport_start(). weft_websocket_connect() and
 * weft_soup_server_add_websocket() do both for you.
 *
 * Returns: (transfer full): a new transport
 */
WeftWebsocketTransport *
weft_websocket_transport_new (WeftReactor *reactor,
                              SoupWebsocketConnection *connection,
                              const WeftWebsocketOptions *options)
{
  WeftWebsocketTransport *self;
  const char *subprotocol;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (connection), NULL);

  self = g_object_new (WEFT_TYPE_WEBSOCKET_TRANSPORT, NULL);
  self->reactor = g_object_ref (reactor);
  self->connection = g_object_ref (connection);
  self->options = options != NULL ? weft_websocket_options_copy (options) : weft_websocket_options_new ();
  self->socket = find_socket (soup_websocket_connection_get_io_stream (connection));
  self->server_side = soup_websocket_connection_get_connection_type (connection) == SOUP_WEBSOCKET_CONNECTION_SERVER;

  subprotocol = soup_websocket_connection_get_protocol (connection);
  self->mode = weft_websocket_options_get_mode (self->options);
  if (self->mode == WEFT_WEBSOCKET_MODE_AUTO)
    self->mode = (g_strcmp0 (subprotocol, WEFT_WEBSOCKET_IRC_TEXT_PROTOCOL) == 0 ||
                  g_strcmp0 (subprotocol, WEFT_WEBSOCKET_IRC_BINARY_PROTOCOL) == 0)
                     ? WEFT_WEBSOCKET_MODE_LINE
                     : WEFT_WEBSOCKET_MODE_MESSAGE;
  if (g_strcmp0 (subprotocol, WEFT_WEBSOCKET_IRC_BINARY_PROTOCOL) == 0)
    self->line_type = SOUP_WEBSOCKET_DATA_BINARY;
  return self;
}

/**
 * weft_websocket_transport_start:
 * @transport: a new transport
 * @protocol: the protocol to deliver to
 * @error: where to put the reason it cannot start
 *
 * Calls connection_made on @protocol and starts delivering messages. The
 * transport keeps itself (and @protocol) alive until connection_lost.
 *
 * Returns: %TRUE if started; %FALSE if the connection is no longer open
 */
gboolean
weft_websocket_transport_start (WeftWebsocketTransport *self, WeftProtocol *protocol, GError **error)
{
  gint64 interval_us = 0;
  gsize max;

  g_return_val_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (self), FALSE);
  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  if (soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("The WebSocket connection is already closed"));
      return FALSE;
    }

  self->started = TRUE;
  self->protocol = g_object_ref (protocol);
  g_object_ref (self); /* until connection_lost */

  /* libsoup buffers a whole frame before it checks the size; let it take a
   * margin above the cap so that an oversized message reaches message_cb
   * and is refused with a clean 1009 close both sides see, and keep the
   * margin bounded. Frames beyond it are libsoup's to refuse. */
  max = weft_websocket_options_get_max_message_size (self->options);
  soup_websocket_connection_set_max_incoming_payload_size (self->connection,
                                                           max <= G_MAXSIZE / 2 - 65536 ? 2 * max + 65536 : 0);

  weft_websocket_options_get_keepalive (self->options, &interval_us, &self->keepalive_timeout_us);
  self->last_activity = weft_reactor_get_time (self->reactor);
  if (interval_us > 0)
    soup_websocket_connection_set_keepalive_interval (self->connection,
                                                      (guint) MAX (1, (interval_us + G_USEC_PER_SEC - 1) /
                                                                          G_USEC_PER_SEC));

  self->handlers[0] = g_signal_connect (self->connection, "message", G_CALLBACK (message_cb), self);
  self->handlers[1] = g_signal_connect (self->connection, "error", G_CALLBACK (error_cb), self);
  self->handlers[2] = g_signal_connect (self->connection, "closed", G_CALLBACK (closed_cb), self);
  self->handlers[3] = g_signal_connect (self->connection, "pong", G_CALLBACK (pong_cb), self);

  weft_protocol_connection_made (protocol, WEFT_TRANSPORT (self));
  if (self->keepalive_timeout_us > 0 && !self->lost)
    keepalive_schedule (self);
  return TRUE;
}

/**
 * weft_websocket_transport_get_reactor:
 * @transport: a transport
 *
 * Returns: (transfer none): the reactor
 */
WeftReactor *
weft_websocket_transport_get_reactor (WeftWebsocketTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport), NULL);
  return transport->reactor;
}

/**
 * weft_websocket_transport_get_connection:
 * @transport: a transport
 *
 * Returns: (transfer none): the libsoup connection
 */
SoupWebsocketConnection *
weft_websocket_transport_get_connection (WeftWebsocketTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport), NULL);
  return transport->connection;
}

/**
 * weft_websocket_transport_get_mode:
 * @transport: a transport
 *
 * Returns: %WEFT_WEBSOCKET_MODE_MESSAGE or %WEFT_WEBSOCKET_MODE_LINE (the
 *   automatic mode resolved)
 */
WeftWebsocketMode
weft_websocket_transport_get_mode (WeftWebsocketTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport), WEFT_WEBSOCKET_MODE_MESSAGE);
  return transport->mode;
}

/**
 * weft_websocket_transport_get_subprotocol:
 * @transport: a transport
 *
 * Returns: (transfer none) (nullable): the negotiated subprotocol
 */
const char *
weft_websocket_transport_get_subprotocol (WeftWebsocketTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport), NULL);
  return soup_websocket_connection_get_protocol (transport->connection);
}

/**
 * weft_websocket_transport_is_server_side:
 * @transport: a transport
 *
 * Returns: whether this is the server end of the connection
 */
gboolean
weft_websocket_transport_is_server_side (WeftWebsocketTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport), FALSE);
  return transport->server_side;
}

void
weft_websocket_transport_set_server_side (WeftWebsocketTransport *transport, gboolean server_side)
{
  transport->server_side = server_side;
}

/**
 * weft_websocket_transport_set_message_type:
 * @transport: a transport
 * @type: %SOUP_WEBSOCKET_DATA_TEXT or %SOUP_WEBSOCKET_DATA_BINARY
 *
 * Sets the type of the messages writes send in message mode (binary by
 * default). Text that is not valid UTF-8 is sent with U+FFFD in place of
 * the invalid bytes.
 */
void
weft_websocket_transport_set_message_type (WeftWebsocketTransport *transport, SoupWebsocketDataType type)
{
  g_return_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport));
  g_return_if_fail (type == SOUP_WEBSOCKET_DATA_TEXT || type == SOUP_WEBSOCKET_DATA_BINARY);
  transport->message_type = type;
}

/**
 * weft_websocket_transport_get_message_type:
 * @transport: a transport
 *
 * Returns: the type of the messages writes send in message mode
 */
SoupWebsocketDataType
weft_websocket_transport_get_message_type (WeftWebsocketTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport), SOUP_WEBSOCKET_DATA_BINARY);
  return transport->message_type;
}

/**
 * weft_websocket_transport_get_received_type:
 * @transport: a transport
 *
 * Returns: the type of the message being (or last) delivered to
 *   data_received
 */
SoupWebsocketDataType
weft_websocket_transport_get_received_type (WeftWebsocketTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport), SOUP_WEBSOCKET_DATA_BINARY);
  return transport->received_type;
}

/**
 * weft_websocket_transport_send_text:
 * @transport: a transport
 * @text: UTF-8 text
 *
 * Sends @text as one text message, whatever the mode.
 */
void
weft_websocket_transport_send_text (WeftWebsocketTransport *transport, const char *text)
{
  g_return_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport));
  g_return_if_fail (text != NULL);
  send_message (transport, SOUP_WEBSOCKET_DATA_TEXT, (const guint8 *) text, strlen (text));
}

/**
 * weft_websocket_transport_send_binary:
 * @transport: a transport
 * @data: (array length=len) (element-type guint8): the bytes
 * @len: their number
 *
 * Sends @data as one binary message, whatever the mode.
 */
void
weft_websocket_transport_send_binary (WeftWebsocketTransport *transport, const void *data, gsize len)
{
  g_return_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport));
  send_message (transport, SOUP_WEBSOCKET_DATA_BINARY, data, len);
}

/**
 * weft_websocket_transport_close:
 * @transport: a transport
 * @code: the close code (1000, or 3000 to 4999 for applications)
 * @reason: (nullable): the reason, at most 123 bytes of UTF-8
 *
 * Starts the close handshake with @code and @reason after what was
 * written. connection_lost follows when the peer answers (libsoup waits up
 * to five seconds for it).
 */
void
weft_websocket_transport_close (WeftWebsocketTransport *transport, gushort code, const char *reason)
{
  g_return_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport));

  if (transport->closing || transport->lost)
    return;
  flush_partial_line (transport);
  close_with (transport, code, reason, NULL);
}

/**
 * weft_websocket_transport_get_close_code:
 * @transport: a transport
 *
 * Returns: the close code the peer sent, 0 if none (yet)
 */
gushort
weft_websocket_transport_get_close_code (WeftWebsocketTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport), 0);
  return soup_websocket_connection_get_close_code (transport->connection);
}

/**
 * weft_websocket_transport_get_close_reason:
 * @transport: a transport
 *
 * Returns: (transfer none) (nullable): the close reason the peer sent
 */
const char *
weft_websocket_transport_get_close_reason (WeftWebsocketTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_WEBSOCKET_TRANSPORT (transport), NULL);
  return soup_websocket_connection_get_close_data (transport->connection);
}
