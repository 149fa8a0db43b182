/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-error.h"
#include "weft-loopback.h"
#include "weft-write-buffer-private.h"

/**
 * WeftLoopback:
 *
 * Two protocols connected to each other in memory, through a pair of
 * transports that behave like TCP ones: write buffers with watermarks,
 * half-close, orderly close and abort (Twisted's `iosim.connect` and
 * `loopbackAsync`).
 *
 * weft_loopback_connect() calls the server's connection_made, then the
 * client's. Nothing moves until weft_loopback_pump(), which repeats until
 * nothing is left to do:
 *
 * - queued writes go to the other side's data_received, one written chunk
 *   per call, unless that side paused reading (the data then stays in the
 *   writer's buffer, and the writer's pause_writing/resume_writing follow
 *   its watermarks) or is closing;
 * - once a side's buffer is empty after weft_transport_lose_write_connection()
 *   or weft_transport_lose_connection(), the other side gets eof_received;
 *   if that returns %FALSE, the other side closes too;
 * - after weft_transport_lose_connection() and that end-of-file, the side
 *   gets connection_lost (%WEFT_ERROR_CONNECTION_DONE, or the error it gave);
 *   data written to it afterwards is dropped;
 * - after weft_transport_abort_connection(), the side gets connection_lost
 *   at once (%WEFT_ERROR_CONNECTION_ABORTED) and the other side too
 *   (%WEFT_ERROR_CONNECTION_LOST), and queued data is dropped.
 *
 * With weft_loopback_set_reactor(), pumping happens by itself from the
 * reactor, soon after anything was written or closed.
 *
 * The client's local address is 192.168.1.1:54321 and the server's
 * 10.0.0.1:12345, each the other's peer address.
 */

#define WEFT_TYPE_LOOPBACK_TRANSPORT (weft_loopback_transport_get_type ())
G_DECLARE_FINAL_TYPE (WeftLoopbackTransport, weft_loopback_transport, WEFT, LOOPBACK_TRANSPORT, GObject)

struct _WeftLoopbackTransport {
  GObject parent_instance;

  WeftLoopback *loopback;      /* not owned: the loopback owns both sides */
  WeftLoopbackTransport *peer; /* not owned */
  WeftProtocol *protocol;      /* owned */
  GSocketAddress *local_address;
  WeftWriteBuffer out;
  GError *reason; /* given to lose or abort */
  gboolean reading_paused;
  gboolean write_shutdown; /* lose_write_connection(): later writes dropped */
  gboolean closing;        /* lose_connection(): close once flushed */
  gboolean eof_sent;       /* the peer has been given end-of-file */
  gboolean aborted;
  gboolean lost;
};

struct _WeftLoopback {
  GObject parent_instance;

  WeftLoopbackTransport *client;
  WeftLoopbackTransport *server;
  WeftReactor *reactor;       /* owned, when pumping by itself */
  WeftDelayedCall *pump_call; /* the reactor's until it runs */
  gboolean pumping;
};

static void weft_loopback_transport_iface_init (WeftTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WeftLoopbackTransport,
                               weft_loopback_transport,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WEFT_TYPE_TRANSPORT, weft_loopback_transport_iface_init))
G_DEFINE_FINAL_TYPE (WeftLoopback, weft_loopback, G_TYPE_OBJECT)

static void schedule_pump (WeftLoopback *self);

static gboolean
accepts_writes (WeftLoopbackTransport *self)
{
  return !self->write_shutdown && !self->aborted && !self->lost;
}

static void
after_write (WeftLoopbackTransport *self)
{
  weft_write_buffer_notify_protocol (&self->out, self->protocol);
  schedule_pump (self->loopback);
}

static void
weft_loopback_transport_write (WeftTransport *transport, const guint8 *data, gsize len)
{
  WeftLoopbackTransport *self = WEFT_LOOPBACK_TRANSPORT (transport);

  if (!accepts_writes (self))
    return;
  weft_write_buffer_push (&self->out, data, len);
  after_write (self);
}

static void
weft_loopback_transport_write_bytes (WeftTransport *transport, GBytes *bytes)
{
  WeftLoopbackTransport *self = WEFT_LOOPBACK_TRANSPORT (transport);

  if (!accepts_writes (self))
    return;
  weft_write_buffer_push_bytes (&self->out, bytes);
  after_write (self);
}

static void
weft_loopback_transport_writev (WeftTransport *transport, const GOutputVector *vectors, gsize n_vectors)
{
  WeftLoopbackTransport *self = WEFT_LOOPBACK_TRANSPORT (transport);

  if (!accepts_writes (self))
    return;
  weft_write_buffer_push_vectors (&self->out, vectors, n_vectors);
  after_write (self);
}

static void
weft_loopback_transport_lose_connection (WeftTransport *transport, const GError *reason)
{
  WeftLoopbackTransport *self = WEFT_LOOPBACK_TRANSPORT (transport);

  if (self->closing || self->aborted || self->lost)
    return;
  self->closing = TRUE;
  if (reason != NULL)
    self->reason = g_error_copy (reason);
  schedule_pump (self->loopback);
}

static void
weft_loopback_transport_lose_write_connection (WeftTransport *transport)
{
  WeftLoopbackTransport *self = WEFT_LOOPBACK_TRANSPORT (transport);

  self->write_shutdown = TRUE;
  schedule_pump (self->loopback);
}

static void
weft_loopback_transport_abort_connection (WeftTransport *transport, const GError *reason)
{
  WeftLoopbackTransport *self = WEFT_LOOPBACK_TRANSPORT (transport);

  if (self->aborted || self->lost)
    return;
  self->aborted = TRUE;
  g_clear_error (&self->reason);
  if (reason != NULL)
    self->reason = g_error_copy (reason);
  weft_write_buffer_discard (&self->out);
  schedule_pump (self->loopback);
}

static void
weft_loopback_transport_pause_reading (WeftTransport *transport)
{
  WEFT_LOOPBACK_TRANSPORT (transport)->reading_paused = TRUE;
}

static void
weft_loopback_transport_resume_reading (WeftTransport *transport)
{
  WeftLoopbackTransport *self = WEFT_LOOPBACK_TRANSPORT (transport);

  self->reading_paused = FALSE;
  schedule_pump (self->loopback);
}

static void
weft_loopback_transport_set_write_buffer_limits (WeftTransport *transport, gsize high, gsize low)
{
  WeftLoopbackTransport *self = WEFT_LOOPBACK_TRANSPORT (transport);

  weft_write_buffer_set_limits (&self->out, high, low);
  weft_write_buffer_notify_protocol (&self->out, self->protocol);
}

static void
weft_loopback_transport_get_write_buffer_limits (WeftTransport *transport, gsize *high, gsize *low)
{
  weft_write_buffer_get_limits (&WEFT_LOOPBACK_TRANSPORT (transport)->out, high, low);
}

static gsize
weft_loopback_transport_get_write_buffer_size (WeftTransport *transport)
{
  return weft_write_buffer_get_size (&WEFT_LOOPBACK_TRANSPORT (transport)->out);
}

static GSocketAddress *
weft_loopback_transport_get_peer_address (WeftTransport *transport)
{
  return g_object_ref (WEFT_LOOPBACK_TRANSPORT (transport)->peer->local_address);
}

static GSocketAddress *
weft_loopback_transport_get_local_address (WeftTransport *transport)
{
  return g_object_ref (WEFT_LOOPBACK_TRANSPORT (transport)->local_address);
}

static WeftProtocol *
weft_loopback_transport_get_protocol (WeftTransport *transport)
{
  return WEFT_LOOPBACK_TRANSPORT (transport)->protocol;
}

static gboolean
weft_loopback_transport_is_closing (WeftTransport *transport)
{
  WeftLoopbackTransport *self = WEFT_LOOPBACK_TRANSPORT (transport);

  return self->closing || self->aborted || self->lost;
}

static void
weft_loopback_transport_set_protocol (WeftTransport *transport, WeftProtocol *protocol)
{
  g_set_object (&WEFT_LOOPBACK_TRANSPORT (transport)->protocol, protocol);
}

static void
weft_loopback_transport_iface_init (WeftTransportInterface *iface)
{
  iface->write = weft_loopback_transport_write;
  iface->write_bytes = weft_loopback_transport_write_bytes;
  iface->writev = weft_loopback_transport_writev;
  iface->lose_connection = weft_loopback_transport_lose_connection;
  iface->lose_write_connection = weft_loopback_transport_lose_write_connection;
  iface->abort_connection = weft_loopback_transport_abort_connection;
  iface->pause_reading = weft_loopback_transport_pause_reading;
  iface->resume_reading = weft_loopback_transport_resume_reading;
  iface->set_write_buffer_limits = weft_loopback_transport_set_write_buffer_limits;
  iface->get_write_buffer_limits = weft_loopback_transport_get_write_buffer_limits;
  iface->get_write_buffer_size = weft_loopback_transport_get_write_buffer_size;
  iface->get_peer_address = weft_loopback_transport_get_peer_address;
  iface->get_local_address = weft_loopback_transport_get_local_address;
  iface->get_protocol = weft_loopback_transport_get_protocol;
  iface->is_closing = weft_loopback_transport_is_closing;
  iface->set_protocol = weft_loopback_transport_set_protocol;
}

static void
weft_loopback_transport_finalize (GObject *object)
{
  WeftLoopbackTransport *self = WEFT_LOOPBACK_TRANSPORT (object);

  g_clear_object (&self->protocol);
  g_clear_object (&self->local_address);
  weft_write_buffer_clear (&self->out);
  g_clear_error (&self->reason);

  G_OBJECT_CLASS (weft_loopback_transport_parent_class)->finalize (object);
}

static void
weft_loopback_transport_class_init (WeftLoopbackTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_loopback_transport_finalize;
}

static void
weft_loopback_transport_init (WeftLoopbackTransport *self)
{
  weft_write_buffer_init (&self->out);
}

static WeftLoopbackTransport *
side_new (WeftLoopback *loopback, WeftProtocol *protocol, const char *host, guint16 port)
{
  WeftLoopbackTransport *side = g_object_new (WEFT_TYPE_LOOPBACK_TRANSPORT, NULL);

  side->loopback = loopback;
  side->protocol = g_object_ref (protocol);
  side->local_address = g_inet_socket_address_new_from_string (host, port);
  return side;
}

/* ------------------------------------------------------------------ */
/* Pumping                                                              */

static void
side_lost (WeftLoopbackTransport *side, const GError *reason)
{
  side->lost = TRUE;
  weft_write_buffer_discard (&side->out);
  weft_protocol_connection_lost (side->protocol, reason);
}

/* Moves what @side wrote to its peer. Returns TRUE if anything moved. */
static gboolean
pump_data (WeftLoopbackTransport *side)
{
  WeftLoopbackTransport *peer = side->peer;
  gboolean progress = FALSE;

  if (weft_write_buffer_is_empty (&side->out))
    return FALSE;
  if (peer->lost)
    {
      /* Nobody reads any more: what was in flight is gone. */
      weft_write_buffer_discard (&side->out);
      weft_write_buffer_notify_protocol (&side->out, side->protocol);
      return TRUE;
    }
  while (!weft_write_buffer_is_empty (&side->out) && !side->lost && !side->aborted && !peer->reading_paused &&
         !peer->closing && !peer->aborted && !peer->lost)
    {
      g_autoptr (GBytes) chunk = weft_write_buffer_pop_chunk (&side->out);
      gsize len;
      const guint8 *data = g_bytes_get_data (chunk, &len);

      weft_write_buffer_notify_protocol (&side->out, side->protocol);
      weft_protocol_data_received (peer->protocol, data, len);
      progress = TRUE;
    }
  return progress;
}

/* Gives the peer end-of-file once @side has shut down writing and its
 * buffer is empty. */
static gboolean
pump_eof (WeftLoopbackTransport *side)
{
  WeftLoopbackTransport *peer = side->peer;

  if (side->eof_sent || !(side->write_shutdown || side->closing) || !weft_write_buffer_is_empty (&side->out))
    return FALSE;
  if (peer->lost || peer->aborted)
    {
      side->eof_sent = TRUE;
      return TRUE;
    }
  if (peer->reading_paused)
    return FALSE;
  side->eof_sent = TRUE;
  if (!peer->closing && !weft_protocol_eof_received (peer->protocol))
    weft_transport_lose_connection (WEFT_TRANSPORT (peer));
  return TRUE;
}

static gboolean
pump_side (WeftLoopbackTransport *side)
{
  WeftLoopbackTransport *peer = side->peer;
  gboolean progress;

  if (side->lost)
    return FALSE;
  if (side->aborted)
    {
      g_autoptr (GError) reset = NULL;

      if (side->reason == NULL)
        side->reason =
            g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED, _ ("The connection was aborted."));
      side_lost (side, side->reason);
      if (!peer->lost)
        {
          reset = g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_LOST,
                                       _ ("The connection was lost: the peer aborted it."));
          side_lost (peer, reset);
        }
      return TRUE;
    }

  progress = pump_data (side);
  progress |= pump_eof (side);
  if (side->closing && !side->lost && side->eof_sent && weft_write_buffer_is_empty (&side->out))
    {
      side_lost (side, side->reason);
      progress = TRUE;
    }
  return progress;
}

/**
 * weft_loopback_pump:
 * @loopback: a loopback connection
 *
 * Moves data and events between the two sides until nothing is left to
 * move (see [class@Weft.Loopback] for the rules). Protocol callbacks may
 * write, close or pause; their effects are pumped in the same call. Called
 * from inside a protocol callback, it does nothing: the pump already
 * running picks the new work up, so a protocol never receives data while it
 * is still handling earlier data.
 *
 * Returns: %TRUE if anything happened
 */
gboolean
weft_loopback_pump (WeftLoopback *loopback)
{
  gboolean any = FALSE, progress;

  g_return_val_if_fail (WEFT_IS_LOOPBACK (loopback), FALSE);

  if (loopback->pumping)
    return FALSE;
  g_object_ref (loopback);
  loopback->pumping = TRUE;
  do
    {
      progress = pump_side (loopback->client);
      progress |= pump_side (loopback->server);
      any |= progress;
    }
  while (progress);
  loopback->pumping = FALSE;
  g_object_unref (loopback);
  return any;
}

static void
pump_from_reactor (gpointer user_data)
{
  WeftLoopback *self = user_data;

  self->pump_call = NULL;
  weft_loopback_pump (self);
}

static void
schedule_pump (WeftLoopback *self)
{
  if (self == NULL || self->reactor == NULL || self->pump_call != NULL)
    return;
  self->pump_call = weft_reactor_call_soon (self->reactor, pump_from_reactor, self, NULL);
}

/**
 * weft_loopback_set_reactor:
 * @loopback: a loopback connection
 * @reactor: (nullable): the reactor to pump from, or %NULL to pump only
 *   when weft_loopback_pump() is called
 *
 * Makes @loopback pump by itself: whenever a side writes, closes or
 * resumes reading, a pump is queued with weft_reactor_call_soon(). The
 * loopback keeps a reference to @reactor.
 */
void
weft_loopback_set_reactor (WeftLoopback *loopback, WeftReactor *reactor)
{
  g_return_if_fail (WEFT_IS_LOOPBACK (loopback));
  g_return_if_fail (reactor == NULL || WEFT_IS_REACTOR (reactor));

  if (loopback->pump_call != NULL)
    weft_delayed_call_cancel (g_steal_pointer (&loopback->pump_call));
  g_set_object (&loopback->reactor, reactor);
  schedule_pump (loopback);
}

static void
weft_loopback_dispose (GObject *object)
{
  WeftLoopback *self = WEFT_LOOPBACK (object);

  if (self->pump_call != NULL)
    weft_delayed_call_cancel (g_steal_pointer (&self->pump_call));
  g_clear_object (&self->reactor);

  G_OBJECT_CLASS (weft_loopback_parent_class)->dispose (object);
}

static void
weft_loopback_finalize (GObject *object)
{
  WeftLoopback *self = WEFT_LOOPBACK (object);

  self->client->loopback = NULL;
  self->server->loopback = NULL;
  g_object_unref (self->client);
  g_object_unref (self->server);

  G_OBJECT_CLASS (weft_loopback_parent_class)->finalize (object);
}

static void
weft_loopback_class_init (WeftLoopbackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = weft_loopback_dispose;
  object_class->finalize = weft_loopback_finalize;
}

static void
weft_loopback_init (WeftLoopback *self)
{
}

/**
 * weft_loopback_connect:
 * @client: the protocol of the connecting side
 * @server: the protocol of the accepting side
 *
 * Connects two protocols in memory: the server's connection_made is called,
 * then the client's. Data written in them waits for weft_loopback_pump().
 *
 * Returns: (transfer full): the connection, which owns both transports
 *   (and through them both protocols)
 */
WeftLoopback *
weft_loopback_connect (WeftProtocol *client, WeftProtocol *server)
{
  WeftLoopback *self;

  g_return_val_if_fail (WEFT_IS_PROTOCOL (client), NULL);
  g_return_val_if_fail (WEFT_IS_PROTOCOL (server), NULL);
  g_return_val_if_fail (client != server, NULL);

  self = g_object_new (WEFT_TYPE_LOOPBACK, NULL);
  self->client = side_new (self, client, "192.168.1.1", 54321);
  self->server = side_new (self, server, "10.0.0.1", 12345);
  self->client->peer = self->server;
  self->server->peer = self->client;

  weft_protocol_connection_made (server, WEFT_TRANSPORT (self->server));
  weft_protocol_connection_made (client, WEFT_TRANSPORT (self->client));
  return self;
}

/**
 * weft_loopback_get_client_transport:
 * @loopback: a loopback connection
 *
 * Returns: (transfer none): the client's transport
 */
WeftTransport *
weft_loopback_get_client_transport (WeftLoopback *loopback)
{
  g_return_val_if_fail (WEFT_IS_LOOPBACK (loopback), NULL);

  return WEFT_TRANSPORT (loopback->client);
}

/**
 * weft_loopback_get_server_transport:
 * @loopback: a loopback connection
 *
 * Returns: (transfer none): the server's transport
 */
WeftTransport *
weft_loopback_get_server_transport (WeftLoopback *loopback)
{
  g_return_val_if_fail (WEFT_IS_LOOPBACK (loopback), NULL);

  return WEFT_TRANSPORT (loopback->server);
}

/**
 * weft_loopback_is_finished:
 * @loopback: a loopback connection
 *
 * Returns: %TRUE once both protocols have received connection_lost
 */
gboolean
weft_loopback_is_finished (WeftLoopback *loopback)
{
  g_return_val_if_fail (WEFT_IS_LOOPBACK (loopback), FALSE);

  return loopback->client->lost && loopback->server->lost;
}
