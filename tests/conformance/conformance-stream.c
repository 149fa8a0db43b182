/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance-stream.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* Long enough for a loaded machine running under AddressSanitizer; a case
 * that gets there has failed anyway. */
#define DEADLINE_SECONDS 20

/* StreamPeer */

G_DEFINE_FINAL_TYPE (StreamPeer, stream_peer, WEFT_TYPE_PROTOCOL)

static inline guint8
pattern_byte (gsize i, guint32 seed)
{
  guint32 x = (guint32) i * 2654435761u + seed;

  return (guint8) (x >> 24) ^ (guint8) (i >> 16);
}

static void
fill_pattern (guint8 *data, gsize offset, gsize len, guint32 seed)
{
  for (gsize i = 0; i < len; i++)
    data[i] = pattern_byte (offset + i, seed);
}

GBytes *
stream_pattern_new (gsize size, guint32 seed)
{
  guint8 *data = g_malloc (size);

  fill_pattern (data, 0, size, seed);
  return g_bytes_new_take (data, size);
}

void
stream_assert_pattern (const GByteArray *data, gsize size, guint32 seed)
{
  g_assert_cmpuint (data->len, ==, size);
  for (gsize i = 0; i < size; i++)
    if (data->data[i] != pattern_byte (i, seed))
      g_error ("byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " differs: %u instead of %u", i, size, data->data[i],
               pattern_byte (i, seed));
}

static void
produce (StreamPeer *self)
{
  WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (self));
  g_autofree guint8 *chunk = NULL;

  if (transport == NULL || self->produced >= self->produce_total)
    return;
  chunk = g_malloc (self->produce_chunk);
  while (self->produced < self->produce_total && !weft_protocol_is_writing_paused (WEFT_PROTOCOL (self)) &&
         !weft_transport_is_closing (transport))
    {
      gsize n = MIN (self->produce_chunk, self->produce_total - self->produced);

      fill_pattern (chunk, self->produced, n, 0);
      weft_transport_write (transport, chunk, n);
      self->produced += n;
      self->max_buffered = MAX (self->max_buffered, weft_transport_get_write_buffer_size (transport));
    }
}

static void
stream_peer_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  StreamPeer *self = STREAM_PEER (protocol);

  WEFT_PROTOCOL_CLASS (stream_peer_parent_class)->connection_made (protocol, transport);
  self->n_made++;
  if (self->pause_on_made)
    weft_transport_pause_reading (transport);
  if (self->send_on_made != NULL)
    weft_transport_write_bytes (transport, self->send_on_made);
  if (self->half_close_after_send)
    weft_transport_lose_write_connection (transport);
  if (self->lose_after_send)
    weft_transport_lose_connection (transport);
  produce (self);
}

static void
stream_peer_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  StreamPeer *self = STREAM_PEER (protocol);

  g_byte_array_append (self->received, data, len);
  if (self->echo)
    weft_transport_write (weft_protocol_get_transport (protocol), data, len);
}

static gboolean
stream_peer_eof_received (WeftProtocol *protocol)
{
  StreamPeer *self = STREAM_PEER (protocol);

  self->n_eof++;
  if (self->reply_on_eof != NULL)
    {
      WeftTransport *transport = weft_protocol_get_transport (protocol);

      weft_transport_write (transport, self->reply_on_eof, strlen (self->reply_on_eof));
      weft_transport_lose_connection (transport);
      return TRUE;
    }
  return self->keep_open_on_eof;
}

static void
stream_peer_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  StreamPeer *self = STREAM_PEER (protocol);

  g_assert_nonnull (reason);
  g_assert_null (self->reason);
  self->n_lost++;
  self->reason = g_error_copy (reason);
  WEFT_PROTOCOL_CLASS (stream_peer_parent_class)->connection_lost (protocol, reason);
  /* The factory keeps its peers for the test to inspect: the peer lets go
   * of the factory, or each would keep the other alive. */
  weft_protocol_set_factory (protocol, NULL);
}

static void
stream_peer_pause_writing (WeftProtocol *protocol)
{
  STREAM_PEER (protocol)->n_pause++;
}

static void
stream_peer_resume_writing (WeftProtocol *protocol)
{
  StreamPeer *self = STREAM_PEER (protocol);

  self->n_resume++;
  produce (self);
}

static void
stream_peer_finalize (GObject *object)
{
  StreamPeer *self = STREAM_PEER (object);

  g_byte_array_unref (self->received);
  g_clear_error (&self->reason);
  g_free (self->reply_on_eof);
  g_clear_pointer (&self->send_on_made, g_bytes_unref);

  G_OBJECT_CLASS (stream_peer_parent_class)->finalize (object);
}

static void
stream_peer_class_init (StreamPeerClass *klass)
{
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = stream_peer_finalize;
  protocol_class->connection_made = stream_peer_connection_made;
  protocol_class->data_received = stream_peer_data_received;
  protocol_class->eof_received = stream_peer_eof_received;
  protocol_class->connection_lost = stream_peer_connection_lost;
  protocol_class->pause_writing = stream_peer_pause_writing;
  protocol_class->resume_writing = stream_peer_resume_writing;
}

static void
stream_peer_init (StreamPeer *self)
{
  self->received = g_byte_array_new ();
  self->produce_chunk = 16 * 1024;
}

StreamPeer *
stream_peer_new (void)
{
  return g_object_new (STREAM_TYPE_PEER, NULL);
}

void
stream_peer_set_reply_on_eof (StreamPeer *peer, const char *reply)
{
  g_free (peer->reply_on_eof);
  peer->reply_on_eof = g_strdup (reply);
}

void
stream_echo_setup (StreamPeer *peer, gpointer user_data)
{
  peer->echo = TRUE;
}

/* StreamFactory */

G_DEFINE_FINAL_TYPE (StreamFactory, stream_factory, WEFT_TYPE_CLIENT_FACTORY)

static WeftProtocol *
stream_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  StreamFactory *self = STREAM_FACTORY (factory);
  StreamPeer *peer;

  if (self->refuse)
    return NULL;
  g_assert_true (address == NULL || G_IS_SOCKET_ADDRESS (address));
  peer = stream_peer_new ();
  if (self->setup != NULL)
    self->setup (peer, self->setup_data);
  g_ptr_array_add (self->peers, g_object_ref (peer));
  return WEFT_PROTOCOL (peer);
}

static void
stream_factory_started_connecting (WeftClientFactory *factory, WeftConnector *connector)
{
  STREAM_FACTORY (factory)->n_started_connecting++;
}

static void
stream_factory_client_connection_failed (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  StreamFactory *self = STREAM_FACTORY (factory);

  self->n_failed++;
  g_clear_error (&self->failure);
  self->failure = g_error_copy (reason);
}

static void
stream_factory_client_connection_lost (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  STREAM_FACTORY (factory)->n_client_lost++;
}

static void
stream_factory_finalize (GObject *object)
{
  StreamFactory *self = STREAM_FACTORY (object);

  g_ptr_array_unref (self->peers);
  g_clear_error (&self->failure);

  G_OBJECT_CLASS (stream_factory_parent_class)->finalize (object);
}

static void
stream_factory_class_init (StreamFactoryClass *klass)
{
  WeftClientFactoryClass *client_class = WEFT_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = stream_factory_finalize;
  WEFT_FACTORY_CLASS (klass)->build_protocol = stream_factory_build_protocol;
  client_class->started_connecting = stream_factory_started_connecting;
  client_class->client_connection_failed = stream_factory_client_connection_failed;
  client_class->client_connection_lost = stream_factory_client_connection_lost;
}

static void
stream_factory_init (StreamFactory *self)
{
  self->peers = g_ptr_array_new_with_free_func (g_object_unref);
}

StreamFactory *
stream_factory_new (StreamPeerSetup setup, gpointer setup_data)
{
  StreamFactory *self = g_object_new (STREAM_TYPE_FACTORY, "protocol-type", STREAM_TYPE_PEER, NULL);

  self->setup = setup;
  self->setup_data = setup_data;
  return self;
}

StreamPeer *
stream_factory_get_peer (StreamFactory *factory, guint index)
{
  g_assert_cmpuint (index, <, factory->peers->len);
  return factory->peers->pdata[index];
}

/* Sockets */

guint16
stream_port_number (WeftListeningPort *port)
{
  GSocketAddress *address = weft_listening_port_get_address (port);

  g_assert_true (G_IS_INET_SOCKET_ADDRESS (address));
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

int
stream_raw_listener (guint16 *port, int backlog)
{
  struct sockaddr_in sin = { 0 };
  socklen_t len = sizeof sin;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_no_errno (bind (fd, (struct sockaddr *) &sin, sizeof sin));
  if (backlog >= 0)
    g_assert_no_errno (listen (fd, backlog));
  g_assert_no_errno (getsockname (fd, (struct sockaddr *) &sin, &len));
  *port = ntohs (sin.sin_port);
  return fd;
}

/* Waiting */

static WeftDeferred *
capture_cb (WeftResult *result, gpointer user_data)
{
  StreamConnectResult *capture = user_data;

  capture->fired = TRUE;
  if (weft_result_is_error (result))
    {
      capture->error = g_error_copy (weft_result_get_error (result));
      weft_result_clear (result);
    }
  else
    capture->protocol = weft_result_dup_object (result);
  return NULL;
}

void
stream_capture_connect (WeftDeferred *deferred, StreamConnectResult *result)
{
  memset (result, 0, sizeof *result);
  weft_deferred_add_both (deferred, capture_cb, result, NULL);
}

void
stream_connect_result_clear (StreamConnectResult *result)
{
  g_clear_object (&result->protocol);
  g_clear_error (&result->error);
}

static void
deadline_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

void
stream_iterate_until (ConformanceFixture *f, StreamCondition condition, gpointer user_data)
{
  gboolean expired = FALSE;
  WeftDelayedCall *deadline;

  if (condition (user_data))
    return;
  deadline = weft_reactor_call_later (f->reactor, DEADLINE_SECONDS * WEFT_USEC_PER_SEC, deadline_cb, &expired, NULL);
  while (!expired && !condition (user_data))
    weft_reactor_iterate (f->reactor, TRUE);
  if (expired)
    g_error ("%s: the condition did not hold within %d s", f->path, DEADLINE_SECONDS);
  weft_delayed_call_cancel (deadline);
}

static gboolean
has_fired (gpointer user_data)
{
  return weft_deferred_has_fired (user_data);
}

void
stream_wait_fired (ConformanceFixture *f, WeftDeferred *deferred)
{
  stream_iterate_until (f, has_fired, deferred);
}

static gboolean
connect_fired (gpointer user_data)
{
  return ((StreamConnectResult *) user_data)->fired;
}

void
stream_wait_connect_fired (ConformanceFixture *f, StreamConnectResult *result)
{
  stream_iterate_until (f, connect_fired, result);
}

void
stream_wait_connected (ConformanceFixture *f, StreamConnectResult *result)
{
  stream_wait_connect_fired (f, result);
  g_assert_no_error (result->error);
  g_assert_true (STREAM_IS_PEER (result->protocol));
}

static gboolean
peer_lost (gpointer user_data)
{
  return ((StreamPeer *) user_data)->n_lost > 0;
}

void
stream_wait_lost (ConformanceFixture *f, StreamPeer *peer)
{
  stream_iterate_until (f, peer_lost, peer);
  g_assert_cmpuint (peer->n_lost, ==, 1);
}

typedef struct {
  StreamFactory *factory;
  guint n_peers;
} PeerCount;

static gboolean
enough_peers (gpointer user_data)
{
  PeerCount *count = user_data;

  return count->factory->peers->len >= count->n_peers;
}

void
stream_wait_peers (ConformanceFixture *f, StreamFactory *factory, guint n_peers)
{
  PeerCount count = { factory, n_peers };

  stream_iterate_until (f, enough_peers, &count);
}

typedef struct {
  StreamPeer *peer;
  gsize n_bytes;
} ByteCount;

static gboolean
enough_bytes (gpointer user_data)
{
  ByteCount *count = user_data;

  return count->peer->received->len >= count->n_bytes || count->peer->n_lost > 0;
}

void
stream_wait_received (ConformanceFixture *f, StreamPeer *peer, gsize n_bytes)
{
  ByteCount count = { peer, n_bytes };

  stream_iterate_until (f, enough_bytes, &count);
  g_assert_cmpuint (peer->received->len, >=, n_bytes);
}

static gboolean
deferred_fired (gpointer user_data)
{
  return *(gboolean *) user_data;
}

static WeftDeferred *
mark_fired (WeftResult *result, gpointer user_data)
{
  g_assert_false (weft_result_is_error (result));
  *(gboolean *) user_data = TRUE;
  return NULL;
}

void
stream_stop_listening (ConformanceFixture *f, WeftListeningPort *port)
{
  g_autoptr (WeftDeferred) stopped = weft_listening_port_stop_listening (port);
  gboolean fired = FALSE;

  g_assert_false (weft_listening_port_is_listening (port));
  weft_deferred_add_both (stopped, mark_fired, &fired, NULL);
  stream_iterate_until (f, deferred_fired, &fired);
}

void
stream_echo_round_trip (ConformanceFixture *f, StreamPeer *client, StreamFactory *server_factory)
{
  static const char message[] = "Hello, weft!\n";
  WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (client));
  StreamPeer *server;

  g_assert_nonnull (transport);
  weft_transport_write (transport, message, strlen (message));
  stream_wait_received (f, client, strlen (message));
  g_assert_cmpmem (client->received->data, client->received->len, message, strlen (message));

  stream_wait_peers (f, server_factory, 1);
  server = stream_factory_get_peer (server_factory, 0);
  g_assert_cmpuint (server->n_made, ==, 1);
  g_assert_cmpmem (server->received->data, server->received->len, message, strlen (message));

  weft_transport_lose_connection (transport);
  g_assert_true (weft_transport_is_closing (transport));
  /* Never from inside the call. */
  g_assert_cmpuint (client->n_lost, ==, 0);
  stream_wait_lost (f, client);
  stream_wait_lost (f, server);
  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_error (server->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  /* The server saw end-of-file first and closed in return. */
  g_assert_cmpuint (server->n_eof, ==, 1);
  g_assert_cmpuint (client->n_eof, ==, 0);
  g_assert_null (weft_protocol_get_transport (WEFT_PROTOCOL (client)));
}
