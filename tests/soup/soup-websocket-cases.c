/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "soup-test-common.h"

#include <string.h>
#include <sys/resource.h>

/* A protocol that records the messages it gets, with their type, and can
 * echo them with the same type. */

#define WS_TYPE_PEER (ws_peer_get_type ())
G_DECLARE_FINAL_TYPE (WsPeer, ws_peer, WS, PEER, WeftProtocol)

struct _WsPeer {
  WeftProtocol parent_instance;
  GPtrArray *messages;
  GArray *types;
  guint n_made;
  guint n_lost;
  guint n_pause;
  guint n_resume;
  GError *reason;
  gboolean echo;
};

G_DEFINE_FINAL_TYPE (WsPeer, ws_peer, WEFT_TYPE_PROTOCOL)

static void
ws_peer_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  WS_PEER (protocol)->n_made++;
  WEFT_PROTOCOL_CLASS (ws_peer_parent_class)->connection_made (protocol, transport);
}

static void
ws_peer_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  WsPeer *self = WS_PEER (protocol);
  WeftWebsocketTransport *transport = WEFT_WEBSOCKET_TRANSPORT (weft_protocol_get_transport (protocol));
  SoupWebsocketDataType type = weft_websocket_transport_get_received_type (transport);

  g_ptr_array_add (self->messages, g_bytes_new (data, len));
  g_array_append_val (self->types, type);
  if (self->echo)
    {
      if (type == SOUP_WEBSOCKET_DATA_TEXT)
        {
          g_autofree char *text = g_strndup ((const char *) data, len);

          weft_websocket_transport_send_text (transport, text);
        }
      else
        weft_websocket_transport_send_binary (transport, data, len);
    }
}

static void
ws_peer_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  WsPeer *self = WS_PEER (protocol);

  self->n_lost++;
  g_clear_error (&self->reason);
  self->reason = g_error_copy (reason);
  WEFT_PROTOCOL_CLASS (ws_peer_parent_class)->connection_lost (protocol, reason);
}

static void
ws_peer_pause_writing (WeftProtocol *protocol)
{
  WS_PEER (protocol)->n_pause++;
}

static void
ws_peer_resume_writing (WeftProtocol *protocol)
{
  WS_PEER (protocol)->n_resume++;
}

static void
ws_peer_finalize (GObject *object)
{
  WsPeer *self = WS_PEER (object);

  g_ptr_array_unref (self->messages);
  g_array_unref (self->types);
  g_clear_error (&self->reason);
  G_OBJECT_CLASS (ws_peer_parent_class)->finalize (object);
}

static void
ws_peer_class_init (WsPeerClass *klass)
{
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = ws_peer_finalize;
  protocol_class->connection_made = ws_peer_connection_made;
  protocol_class->data_received = ws_peer_data_received;
  protocol_class->connection_lost = ws_peer_connection_lost;
  protocol_class->pause_writing = ws_peer_pause_writing;
  protocol_class->resume_writing = ws_peer_resume_writing;
}

static void
ws_peer_init (WsPeer *self)
{
  self->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->types = g_array_new (FALSE, FALSE, sizeof (SoupWebsocketDataType));
}

/* A line receiver that records lines and may answer each one. */

#define LINE_TYPE_PEER (line_peer_get_type ())
G_DECLARE_FINAL_TYPE (LinePeer, line_peer, LINE, PEER, WeftLineReceiver)

struct _LinePeer {
  WeftLineReceiver parent_instance;
  GPtrArray *lines;
  guint n_lost;
  GError *reason;
  gboolean answer;
};

G_DEFINE_FINAL_TYPE (LinePeer, line_peer, WEFT_TYPE_LINE_RECEIVER)

static void
line_peer_line_received (WeftLineReceiver *receiver, const char *line, gsize len)
{
  LinePeer *self = LINE_PEER (receiver);

  g_ptr_array_add (self->lines, g_strndup (line, len));
  if (self->answer)
    {
      g_autofree char *answer = g_strdup_printf ("ECHO %.*s", (int) len, line);

      weft_line_receiver_send_line (receiver, answer, -1);
    }
}

static void
line_peer_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  LinePeer *self = LINE_PEER (protocol);

  self->n_lost++;
  g_clear_error (&self->reason);
  self->reason = g_error_copy (reason);
  WEFT_PROTOCOL_CLASS (line_peer_parent_class)->connection_lost (protocol, reason);
}

static void
line_peer_finalize (GObject *object)
{
  LinePeer *self = LINE_PEER (object);

  g_ptr_array_unref (self->lines);
  g_clear_error (&self->reason);
  G_OBJECT_CLASS (line_peer_parent_class)->finalize (object);
}

static void
line_peer_class_init (LinePeerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = line_peer_finalize;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = line_peer_connection_lost;
  WEFT_LINE_RECEIVER_CLASS (klass)->line_received = line_peer_line_received;
}

static void
line_peer_init (LinePeer *self)
{
  self->lines = g_ptr_array_new_with_free_func (g_free);
}

/* A factory that keeps every protocol it built. */

#define WS_TYPE_FACTORY (ws_factory_get_type ())
G_DECLARE_FINAL_TYPE (WsFactory, ws_factory, WS, FACTORY, WeftFactory)

struct _WsFactory {
  WeftFactory parent_instance;
  GPtrArray *built;
  gboolean echo;
};

G_DEFINE_FINAL_TYPE (WsFactory, ws_factory, WEFT_TYPE_FACTORY)

static WeftProtocol *
ws_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  WsFactory *self = WS_FACTORY (factory);
  WeftProtocol *protocol = WEFT_FACTORY_CLASS (ws_factory_parent_class)->build_protocol (factory, address);

  if (WS_IS_PEER (protocol))
    WS_PEER (protocol)->echo = self->echo;
  if (LINE_IS_PEER (protocol))
    LINE_PEER (protocol)->answer = self->echo;
  g_ptr_array_add (self->built, g_object_ref (protocol));
  return protocol;
}

static void
ws_factory_finalize (GObject *object)
{
  g_ptr_array_unref (WS_FACTORY (object)->built);
  G_OBJECT_CLASS (ws_factory_parent_class)->finalize (object);
}

static void
ws_factory_class_init (WsFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ws_factory_finalize;
  WEFT_FACTORY_CLASS (klass)->build_protocol = ws_factory_build_protocol;
}

static void
ws_factory_init (WsFactory *self)
{
  self->built = g_ptr_array_new_with_free_func (g_object_unref);
}

static WsFactory *
ws_factory_new (GType protocol_type, gboolean echo)
{
  WsFactory *factory = g_object_new (WS_TYPE_FACTORY, "protocol-type", protocol_type, NULL);

  factory->echo = echo;
  return factory;
}

/* The factory keeps its protocols and they keep it: break the cycle. */
static void
ws_factory_clear (WsFactory **factory)
{
  if (*factory == NULL)
    return;
  g_ptr_array_set_size ((*factory)->built, 0);
  g_clear_object (factory);
}

#define WS_FACTORY_AUTO __attribute__ ((cleanup (ws_factory_clear))) WsFactory *

/* Waiting */

static gboolean
ws_peer_has_messages (gpointer user_data)
{
  WsPeer *peer = user_data;

  return peer->messages->len >= GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (peer), "want"));
}

static void
wait_messages (ConformanceFixture *f, WsPeer *peer, guint n)
{
  g_object_set_data (G_OBJECT (peer), "want", GUINT_TO_POINTER (n));
  stream_iterate_until (f, ws_peer_has_messages, peer);
}

static gboolean
ws_peer_is_lost (gpointer user_data)
{
  return WS_PEER (user_data)->n_lost > 0;
}

static gboolean
line_peer_is_lost (gpointer user_data)
{
  return LINE_PEER (user_data)->n_lost > 0;
}

static gboolean
factory_built_one (gpointer user_data)
{
  return WS_FACTORY (user_data)->built->len > 0;
}

static gboolean
factory_built_two (gpointer user_data)
{
  return WS_FACTORY (user_data)->built->len >= 2;
}

static gboolean
no_websockets (gpointer user_data)
{
  return weft_soup_server_get_n_websockets (user_data) == 0;
}

typedef struct {
  TestServer *server;
  WsFactory *server_factory;
  WsFactory *client_factory;
  char *url;
} WsSetup;

static void
ws_setup (ConformanceFixture *f,
          WsSetup *setup,
          GType server_type,
          GType client_type,
          const char *const *protocols,
          const WeftWebsocketOptions *options)
{
  g_autofree char *http_url = NULL;

  setup->server = test_server_new (f);
  setup->server_factory = ws_factory_new (server_type, TRUE);
  setup->client_factory = ws_factory_new (client_type, FALSE);
  weft_soup_server_add_websocket (setup->server->server, "/ws", protocols, options,
                                  WEFT_FACTORY (setup->server_factory));
  http_url = test_server_url (setup->server, "/ws");
  setup->url = g_strconcat ("ws://", http_url + strlen ("http://"), NULL);
}

static void
ws_teardown (ConformanceFixture *f, WsSetup *setup)
{
  stream_iterate_until (f, no_websockets, setup->server->server);
  test_server_free (setup->server);
  ws_factory_clear (&setup->server_factory);
  ws_factory_clear (&setup->client_factory);
  g_free (setup->url);
}

static WeftProtocol *
ws_connect (ConformanceFixture *f, WsSetup *setup, const char *const *protocols, const char *origin, GError **error)
{
  g_autoptr (WeftDeferred) d =
      weft_websocket_connect (f->reactor, setup->url, protocols, origin, WEFT_FACTORY (setup->client_factory));
  TestResult result;

  test_wait_result (f, d, &result);
  if (result.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&result.error));
      return NULL;
    }
  return g_steal_pointer (&result.protocol);
}

static WeftWebsocketTransport *
ws_transport (gpointer protocol)
{
  return WEFT_WEBSOCKET_TRANSPORT (weft_protocol_get_transport (WEFT_PROTOCOL (protocol)));
}

static void
assert_message (WsPeer *peer, guint index, SoupWebsocketDataType type, const void *data, gsize len)
{
  g_assert_cmpuint (peer->messages->len, >, index);
  g_assert_cmpint (g_array_index (peer->types, SoupWebsocketDataType, index), ==, type);
  g_assert_cmpmem (g_bytes_get_data (peer->messages->pdata[index], NULL),
                   g_bytes_get_size (peer->messages->pdata[index]), data, len);
}

static void
test_ws_echo (ConformanceFixture *f)
{
  WsSetup setup = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (WsPeer) client = NULL;
  WsPeer *server_peer;
  const guint8 binary[] = { 0, 1, 2, 255 };

  ws_setup (f, &setup, WS_TYPE_PEER, WS_TYPE_PEER, NULL, NULL);
  client = WS_PEER (ws_connect (f, &setup, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (client->n_made, ==, 1);
  g_assert_false (weft_websocket_transport_is_server_side (ws_transport (client)));
  g_assert_cmpint (weft_websocket_transport_get_mode (ws_transport (client)), ==, WEFT_WEBSOCKET_MODE_MESSAGE);

  weft_websocket_transport_send_text (ws_transport (client), "h\xc3\xa9llo");
  weft_websocket_transport_send_binary (ws_transport (client), binary, sizeof binary);
  weft_transport_write (weft_protocol_get_transport (WEFT_PROTOCOL (client)), "abc", 3);
  wait_messages (f, client, 3);
  assert_message (client, 0, SOUP_WEBSOCKET_DATA_TEXT, "h\xc3\xa9llo", 6);
  assert_message (client, 1, SOUP_WEBSOCKET_DATA_BINARY, binary, sizeof binary);
  assert_message (client, 2, SOUP_WEBSOCKET_DATA_BINARY, "abc", 3);

  server_peer = setup.server_factory->built->pdata[0];
  g_assert_true (weft_websocket_transport_is_server_side (ws_transport (server_peer)));
  g_assert_cmpuint (weft_soup_server_get_n_websockets (setup.server->server), ==, 1);

  weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (client)));
  stream_iterate_until (f, ws_peer_is_lost, client);
  stream_iterate_until (f, ws_peer_is_lost, server_peer);
  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_error (server_peer->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  ws_teardown (f, &setup);
}

static gboolean
line_peer_has_lines (gpointer user_data)
{
  LinePeer *peer = user_data;

  return peer->lines->len >= GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (peer), "want"));
}

static void
test_ws_line_mode (ConformanceFixture *f)
{
  const char *const protocols[] = { WEFT_WEBSOCKET_IRC_TEXT_PROTOCOL, NULL };
  WsSetup setup = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (LinePeer) client = NULL;
  LinePeer *server_peer;

  ws_setup (f, &setup, LINE_TYPE_PEER, LINE_TYPE_PEER, protocols, NULL);
  client = LINE_PEER (ws_connect (f, &setup, protocols, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (weft_websocket_transport_get_mode (ws_transport (client)), ==, WEFT_WEBSOCKET_MODE_LINE);
  g_assert_cmpstr (weft_websocket_transport_get_subprotocol (ws_transport (client)), ==, "text.ircv3.net");

  /* Two lines in one write, then one line in two writes. */
  weft_transport_write (weft_protocol_get_transport (WEFT_PROTOCOL (client)), "NICK weft\r\nUSER w 0 * :W\n", 25);
  weft_transport_write (weft_protocol_get_transport (WEFT_PROTOCOL (client)), "PING ", 5);
  weft_line_receiver_send_line (WEFT_LINE_RECEIVER (client), "x\xc3\xa9", -1);
  g_object_set_data (G_OBJECT (client), "want", GUINT_TO_POINTER (3));
  stream_iterate_until (f, line_peer_has_lines, client);

  server_peer = setup.server_factory->built->pdata[0];
  g_assert_cmpint (weft_websocket_transport_get_mode (ws_transport (server_peer)), ==, WEFT_WEBSOCKET_MODE_LINE);
  g_assert_cmpuint (server_peer->lines->len, ==, 3);
  g_assert_cmpstr (server_peer->lines->pdata[0], ==, "NICK weft");
  g_assert_cmpstr (server_peer->lines->pdata[1], ==, "USER w 0 * :W");
  g_assert_cmpstr (server_peer->lines->pdata[2], ==, "PING x\xc3\xa9");
  g_assert_cmpstr (client->lines->pdata[0], ==, "ECHO NICK weft");
  g_assert_cmpstr (client->lines->pdata[2], ==, "ECHO PING x\xc3\xa9");

  weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (client)));
  stream_iterate_until (f, line_peer_is_lost, client);
  stream_iterate_until (f, line_peer_is_lost, server_peer);
  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  ws_teardown (f, &setup);
}

static void
test_ws_subprotocol (ConformanceFixture *f)
{
  const char *const server_protocols[] = { "chat.v2", "chat.v1", NULL };
  const char *const client_protocols[] = { "chat.v1", NULL };
  const char *const unknown_protocols[] = { "nope", NULL };
  WsSetup setup = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (WsPeer) client = NULL;
  WsPeer *server_peer;

  ws_setup (f, &setup, WS_TYPE_PEER, WS_TYPE_PEER, server_protocols, NULL);
  client = WS_PEER (ws_connect (f, &setup, client_protocols, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (weft_websocket_transport_get_subprotocol (ws_transport (client)), ==, "chat.v1");
  stream_iterate_until (f, factory_built_one, setup.server_factory);
  server_peer = setup.server_factory->built->pdata[0];
  g_assert_cmpstr (weft_websocket_transport_get_subprotocol (ws_transport (server_peer)), ==, "chat.v1");
  weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (client)));
  stream_iterate_until (f, ws_peer_is_lost, client);

  /* No common subprotocol: the handshake is refused. */
  g_assert_null (ws_connect (f, &setup, unknown_protocols, NULL, &error));
  g_assert_error (error, WEFT_SOUP_HTTP_ERROR, SOUP_STATUS_BAD_REQUEST);
  g_test_message ("refused: %s", error->message);
  g_assert_cmpuint (setup.server_factory->built->len, ==, 1);
  ws_teardown (f, &setup);
}

static void
test_ws_close_codes (ConformanceFixture *f)
{
  WsSetup setup = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (WsPeer) client = NULL;
  g_autoptr (WsPeer) client2 = NULL;
  g_autoptr (WeftWebsocketTransport) client2_transport = NULL;
  WsPeer *server_peer;

  ws_setup (f, &setup, WS_TYPE_PEER, WS_TYPE_PEER, NULL, NULL);

  /* The client closes with an application code. */
  client = WS_PEER (ws_connect (f, &setup, NULL, NULL, &error));
  g_assert_no_error (error);
  stream_iterate_until (f, factory_built_one, setup.server_factory);
  server_peer = setup.server_factory->built->pdata[0];
  weft_websocket_transport_close (ws_transport (client), 4000, "bye now");
  stream_iterate_until (f, ws_peer_is_lost, server_peer);
  stream_iterate_until (f, ws_peer_is_lost, client);
  g_test_message ("server: %s; client: %s", server_peer->reason->message, client->reason->message);
  g_assert_error (server_peer->reason, WEFT_WEBSOCKET_CLOSE_ERROR, 4000);
  g_assert_nonnull (strstr (server_peer->reason->message, "bye now"));
  g_assert_error (client->reason, WEFT_WEBSOCKET_CLOSE_ERROR, 4000);

  /* The server closes normally, with a reason. */
  stream_iterate_until (f, no_websockets, setup.server->server); /* the first is gone */
  client2 = WS_PEER (ws_connect (f, &setup, NULL, NULL, &error));
  g_assert_no_error (error);
  g_object_set_data (G_OBJECT (setup.server_factory), "n", GUINT_TO_POINTER (2));
  stream_iterate_until (f, factory_built_two, setup.server_factory);
  server_peer = setup.server_factory->built->pdata[1];
  client2_transport = g_object_ref (ws_transport (client2));
  weft_websocket_transport_close (ws_transport (server_peer), SOUP_WEBSOCKET_CLOSE_NORMAL, "done here");
  stream_iterate_until (f, ws_peer_is_lost, client2);
  stream_iterate_until (f, ws_peer_is_lost, server_peer);
  g_test_message ("client: %s", client2->reason->message);
  g_assert_error (client2->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_nonnull (strstr (client2->reason->message, "done here"));
  g_assert_cmpuint (weft_websocket_transport_get_close_code (client2_transport), ==, 1000);
  g_assert_error (server_peer->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  ws_teardown (f, &setup);
}

static void
test_ws_oversized (ConformanceFixture *f)
{
  g_autoptr (WeftWebsocketOptions) options = weft_websocket_options_new ();
  WsSetup setup = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (WsPeer) client = NULL;
  g_autofree guint8 *big = g_malloc0 (5000);
  WsPeer *server_peer;

  weft_websocket_options_set_max_message_size (options, 1000);
  ws_setup (f, &setup, WS_TYPE_PEER, WS_TYPE_PEER, NULL, options);
  client = WS_PEER (ws_connect (f, &setup, NULL, NULL, &error));
  g_assert_no_error (error);
  stream_iterate_until (f, factory_built_one, setup.server_factory);
  server_peer = setup.server_factory->built->pdata[0];

  weft_websocket_transport_send_binary (ws_transport (client), big, 1000); /* at the limit: fine */
  wait_messages (f, client, 1);
  weft_websocket_transport_send_binary (ws_transport (client), big, 5000);
  stream_iterate_until (f, ws_peer_is_lost, server_peer);
  stream_iterate_until (f, ws_peer_is_lost, client);
  g_test_message ("server: %s; client: %s", server_peer->reason->message, client->reason->message);
  g_assert_error (server_peer->reason, WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_TOO_LARGE);
  g_assert_error (client->reason, WEFT_WEBSOCKET_CLOSE_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_assert_cmpuint (server_peer->messages->len, ==, 1);
  ws_teardown (f, &setup);
}

static void
test_ws_origin (ConformanceFixture *f)
{
  WsSetup setup = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (WsPeer) client = NULL;
  g_autofree char *same = NULL;

  ws_setup (f, &setup, WS_TYPE_PEER, WS_TYPE_PEER, NULL, NULL);
  g_assert_null (ws_connect (f, &setup, NULL, "http://evil.example", &error));
  g_assert_error (error, WEFT_SOUP_HTTP_ERROR, SOUP_STATUS_FORBIDDEN);
  g_clear_error (&error);
  g_assert_cmpuint (setup.server_factory->built->len, ==, 0);

  same = g_strdup_printf ("http://127.0.0.1:%u", weft_soup_server_get_port (setup.server->server));
  client = WS_PEER (ws_connect (f, &setup, NULL, same, &error));
  g_assert_no_error (error);
  weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (client)));
  stream_iterate_until (f, ws_peer_is_lost, client);

  /* Allowed once listed. */
  {
    const char *const origins[] = { "http://evil.example", NULL };
    g_autoptr (WsPeer) client2 = NULL;

    weft_soup_server_set_allowed_origins (setup.server->server, origins);
    client2 = WS_PEER (ws_connect (f, &setup, NULL, "http://evil.example", &error));
    g_assert_no_error (error);
    weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (client2)));
    stream_iterate_until (f, ws_peer_is_lost, client2);
  }
  ws_teardown (f, &setup);
}

/* A WebSocket server that completes the handshake and then neither reads
 * nor answers: a dead peer, and a way to fill the client's socket. */

#define MUTE_TYPE_PEER (mute_peer_get_type ())
G_DECLARE_FINAL_TYPE (MutePeer, mute_peer, MUTE, PEER, WeftProtocol)

struct _MutePeer {
  WeftProtocol parent_instance;
  GString *request;
  gboolean upgraded;
  gboolean pause_after_upgrade;
  guint64 discarded;
  guint n_lost;
};

G_DEFINE_FINAL_TYPE (MutePeer, mute_peer, WEFT_TYPE_PROTOCOL)

static void
mute_peer_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  MutePeer *self = MUTE_PEER (protocol);
  WeftTransport *transport = weft_protocol_get_transport (protocol);
  const char *key;
  const char *end;
  g_autofree char *key_value = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *response = NULL;
  g_autoptr (GChecksum) sha1 = NULL;
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  if (self->upgraded)
    {
      self->discarded += len;
      return;
    }
  g_string_append_len (self->request, (const char *) data, len);
  if (strstr (self->request->str, "\r\n\r\n") == NULL)
    return;
  key = strstr (self->request->str, "Sec-WebSocket-Key: ");
  g_assert_nonnull (key);
  key += strlen ("Sec-WebSocket-Key: ");
  end = strstr (key, "\r\n");
  key_value = g_strndup (key, end - key);
  sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_checksum_update (sha1, (const guchar *) key_value, -1);
  g_checksum_update (sha1, (const guchar *) "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  accept = g_base64_encode (digest, digest_len);
  response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Accept: %s\r\n\r\n",
                              accept);
  weft_transport_write (transport, response, strlen (response));
  self->upgraded = TRUE;
  if (self->pause_after_upgrade)
    weft_transport_pause_reading (transport);
}

static void
mute_peer_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  MUTE_PEER (protocol)->n_lost++;
  WEFT_PROTOCOL_CLASS (mute_peer_parent_class)->connection_lost (protocol, reason);
}

static void
mute_peer_finalize (GObject *object)
{
  g_string_free (MUTE_PEER (object)->request, TRUE);
  G_OBJECT_CLASS (mute_peer_parent_class)->finalize (object);
}

static void
mute_peer_class_init (MutePeerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mute_peer_finalize;
  WEFT_PROTOCOL_CLASS (klass)->data_received = mute_peer_data_received;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = mute_peer_connection_lost;
}

static void
mute_peer_init (MutePeer *self)
{
  self->request = g_string_new (NULL);
}

static gboolean
mute_peer_is_lost (gpointer user_data)
{
  return MUTE_PEER (user_data)->n_lost > 0;
}

typedef struct {
  WsFactory *factory;
  WeftListeningPort *port;
  char *url;
} MuteServer;

static void
mute_server_start (ConformanceFixture *f, MuteServer *mute, gboolean pause)
{
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr (GError) error = NULL;

  mute->factory = ws_factory_new (MUTE_TYPE_PEER, FALSE);
  mute->factory->echo = pause;
  mute->port = weft_reactor_listen_tcp (f->reactor, address, WEFT_FACTORY (mute->factory), 0, &error);
  g_assert_no_error (error);
  mute->url = g_strdup_printf ("ws://127.0.0.1:%u/", stream_port_number (mute->port));
}

static void
mute_server_stop (ConformanceFixture *f, MuteServer *mute)
{
  for (guint i = 0; i < mute->factory->built->len; i++)
    stream_iterate_until (f, mute_peer_is_lost, mute->factory->built->pdata[i]);
  stream_stop_listening (f, mute->port);
  g_clear_object (&mute->port);
  ws_factory_clear (&mute->factory);
  g_free (mute->url);
}

static void
test_ws_dead_peer (ConformanceFixture *f)
{
  g_autoptr (WeftWebsocketOptions) options = weft_websocket_options_new ();
  WS_FACTORY_AUTO client_factory = ws_factory_new (WS_TYPE_PEER, FALSE);
  g_autoptr (WeftDeferred) d = NULL;
  g_autoptr (WsPeer) client = NULL;
  MuteServer mute = { 0 };
  TestResult result;
  gint64 start;

  mute_server_start (f, &mute, FALSE);
  weft_websocket_options_set_keepalive (options, 1 * G_USEC_PER_SEC, 1200 * 1000);
  /* Silence counts from the last frame received, the handshake's answer, which
   * may come well before the connect Deferred's callback runs on a busy
   * machine: the lower bound is measured from before the connect. */
  start = g_get_monotonic_time ();
  d = weft_websocket_connect_with_options (f->reactor, mute.url, NULL, NULL, options, WEFT_FACTORY (client_factory));
  test_wait_result (f, d, &result);
  g_assert_no_error (result.error);
  client = WS_PEER (g_steal_pointer (&result.protocol));
  stream_iterate_until (f, ws_peer_is_lost, client);
  g_test_message ("lost after %.2f s: %s", (g_get_monotonic_time () - start) / 1e6, client->reason->message);
  g_assert_error (client->reason, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1200 * 1000);
  mute_server_stop (f, &mute);
}

static void
test_ws_unclean_loss (ConformanceFixture *f)
{
  WS_FACTORY_AUTO client_factory = ws_factory_new (WS_TYPE_PEER, FALSE);
  g_autoptr (WeftDeferred) d = NULL;
  g_autoptr (WsPeer) client = NULL;
  MuteServer mute = { 0 };
  TestResult result;
  MutePeer *server_peer;

  mute_server_start (f, &mute, FALSE);
  d = weft_websocket_connect (f->reactor, mute.url, NULL, NULL, WEFT_FACTORY (client_factory));
  test_wait_result (f, d, &result);
  g_assert_no_error (result.error);
  client = WS_PEER (g_steal_pointer (&result.protocol));
  server_peer = mute.factory->built->pdata[0];

  /* The TCP connection ends without a close frame. */
  weft_transport_abort_connection (weft_protocol_get_transport (WEFT_PROTOCOL (server_peer)));
  stream_iterate_until (f, ws_peer_is_lost, client);
  g_test_message ("unclean: %s %d: %s", g_quark_to_string (client->reason->domain), client->reason->code,
                  client->reason->message);
  g_assert_false (g_error_matches (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE));
  g_assert_true (client->reason->domain != WEFT_WEBSOCKET_CLOSE_ERROR);
  g_assert_true (g_error_matches (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_LOST) ||
                 client->reason->domain == G_IO_ERROR);
  mute_server_stop (f, &mute);
}

static void
test_ws_flow_control (ConformanceFixture *f)
{
  WS_FACTORY_AUTO client_factory = ws_factory_new (WS_TYPE_PEER, FALSE);
  g_autoptr (WeftDeferred) d = NULL;
  g_autoptr (WsPeer) client = NULL;
  g_autofree guint8 *chunk = g_malloc0 (16 * 1024);
  MuteServer mute = { 0 };
  TestResult result;
  WeftTransport *transport;
  MutePeer *server_peer;
  gsize sent = 0;

  mute_server_start (f, &mute, FALSE);
  d = weft_websocket_connect (f->reactor, mute.url, NULL, NULL, WEFT_FACTORY (client_factory));
  test_wait_result (f, d, &result);
  g_assert_no_error (result.error);
  client = WS_PEER (g_steal_pointer (&result.protocol));
  server_peer = mute.factory->built->pdata[0];
  weft_transport_pause_reading (weft_protocol_get_transport (WEFT_PROTOCOL (server_peer)));
  transport = weft_protocol_get_transport (WEFT_PROTOCOL (client));

  /* Write until the transport asks to stop: it must, long before 64 MiB. */
  while (client->n_pause == 0 && sent < 64 * 1024 * 1024)
    {
      weft_transport_write (transport, chunk, 16 * 1024);
      sent += 16 * 1024;
      if (sent % (256 * 1024) == 0)
        conformance_iterate_nonblocking (f, 4);
    }
  g_test_message ("paused after %zu bytes, write buffer %zu", sent, weft_transport_get_write_buffer_size (transport));
  g_assert_cmpuint (client->n_pause, ==, 1);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (transport), >, WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH);

  /* The peer reads again: the queue drains and writing resumes. */
  weft_transport_resume_reading (weft_protocol_get_transport (WEFT_PROTOCOL (server_peer)));
  while (client->n_resume == 0)
    weft_reactor_iterate (f->reactor, TRUE);
  g_assert_cmpuint (client->n_resume, ==, 1);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (transport), <=, WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_LOW);

  weft_transport_abort_connection (transport);
  stream_iterate_until (f, ws_peer_is_lost, client);
  g_assert_error (client->reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED);
  mute_server_stop (f, &mute);
}

static void
test_ws_wrong_context (ConformanceFixture *f)
{
  WS_FACTORY_AUTO factory = ws_factory_new (WS_TYPE_PEER, FALSE);
  g_autoptr (GMainContext) other = g_main_context_new ();
  g_autoptr (WeftDeferred) d = NULL;
  TestResult result;

  g_main_context_push_thread_default (other);
  d = weft_websocket_connect (f->reactor, "ws://127.0.0.1:1/", NULL, NULL, WEFT_FACTORY (factory));
  g_main_context_pop_thread_default (other);
  stream_capture_connect (d, &result);
  g_assert_true (result.fired);
  g_assert_error (result.error, WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_WRONG_CONTEXT);
  g_test_message ("%s", result.error->message);
  stream_connect_result_clear (&result);
}

/* Many connections at once */

typedef struct {
  guint n_connected;
  guint n_failed;
} ManyCount;

static WeftDeferred *
many_connected_cb (WeftResult *result, gpointer user_data)
{
  ManyCount *count = user_data;

  if (weft_result_is_error (result))
    {
      g_test_message ("connect failed: %s", weft_result_get_error (result)->message);
      count->n_failed++;
      weft_result_clear (result);
      return NULL;
    }
  count->n_connected++;
  return NULL;
}

static void
test_ws_many (ConformanceFixture *f)
{
  /* select() cannot watch descriptors at or above FD_SETSIZE (1024). */
  guint n = g_str_equal (f->backend, "select") ? 400 : 1000;

#ifdef __SANITIZE_ADDRESS__
  /* Under the sanitizers a connection costs several times as much CPU, and
   * GLib hosting costs O(GLib fds) per iteration (docs/soup.md): stay well
   * inside the harness watchdog. */
  n = MIN (n, 300);
#endif
  struct rlimit limit;
  WsSetup setup = { 0 };
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (WeftWebsocketOptions) options = weft_websocket_options_new ();
  g_autoptr (GPtrArray) deferreds = g_ptr_array_new_with_free_func (g_object_unref);
  ManyCount count = { 0 };
  guint n_echoed;
  gint64 start;

  g_assert_no_errno (getrlimit (RLIMIT_NOFILE, &limit));
  if (limit.rlim_cur < 2 * n + 200)
    {
      limit.rlim_cur = MIN (limit.rlim_max, 2 * n + 200);
      g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &limit));
    }
  if (limit.rlim_cur < 2 * n + 100)
    n = (limit.rlim_cur - 100) / 2;

  ws_setup (f, &setup, WS_TYPE_PEER, WS_TYPE_PEER, NULL, NULL);
  session = soup_session_new_with_options ("max-conns", (int) n + 10, "max-conns-per-host", (int) n + 10, NULL);
  weft_soup_session_set_reactor (session, f->reactor);
  weft_websocket_options_set_session (options, session);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (deferreds, weft_websocket_connect_with_options (f->reactor, setup.url, NULL, NULL, options,
                                                                     WEFT_FACTORY (setup.client_factory)));
  for (guint i = 0; i < n; i++)
    weft_deferred_add_both (deferreds->pdata[i], many_connected_cb, &count, NULL);
  while (count.n_connected + count.n_failed < n)
    {
      weft_reactor_iterate (f->reactor, TRUE);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 50 * G_USEC_PER_SEC);
    }
  g_assert_cmpuint (count.n_failed, ==, 0);
  g_test_message ("%u connections in %.2f s", n, (g_get_monotonic_time () - start) / 1e6);
  for (guint i = 0; i < n; i++)
    weft_websocket_transport_send_text (ws_transport (setup.client_factory->built->pdata[i]), "ping");
  do
    {
      n_echoed = 0;
      for (guint i = 0; i < n; i++)
        n_echoed += WS_PEER (setup.client_factory->built->pdata[i])->messages->len;
      if (n_echoed < n)
        weft_reactor_iterate (f->reactor, TRUE);
    }
  while (n_echoed < n);
  g_assert_cmpuint (weft_soup_server_get_n_websockets (setup.server->server), ==, n);
  for (guint i = 0; i < n; i++)
    weft_transport_lose_connection (weft_protocol_get_transport (setup.client_factory->built->pdata[i]));
  for (guint i = 0; i < n; i++)
    stream_iterate_until (f, ws_peer_is_lost, setup.client_factory->built->pdata[i]);
  g_test_message ("%u connections echoed and closed in %.2f s", n, (g_get_monotonic_time () - start) / 1e6);
  ws_teardown (f, &setup);
}

#define SOUP_CASE CONFORMANCE_DEFAULT_CONTEXT, test_warm_up

const ConformanceCase soup_websocket_cases[] = {
  { "websocket/echo-text-binary", test_ws_echo, SOUP_CASE },
  { "websocket/line-mode", test_ws_line_mode, SOUP_CASE },
  { "websocket/subprotocol", test_ws_subprotocol, SOUP_CASE },
  { "websocket/close-codes", test_ws_close_codes, SOUP_CASE },
  { "websocket/oversized-message", test_ws_oversized, SOUP_CASE },
  { "websocket/origin", test_ws_origin, SOUP_CASE },
  { "websocket/dead-peer", test_ws_dead_peer, SOUP_CASE },
  { "websocket/unclean-loss", test_ws_unclean_loss, SOUP_CASE },
  { "websocket/flow-control", test_ws_flow_control, SOUP_CASE },
  { "websocket/wrong-context", test_ws_wrong_context, SOUP_CASE },
  { "websocket/many-connections", test_ws_many, SOUP_CASE },
  { NULL },
};
