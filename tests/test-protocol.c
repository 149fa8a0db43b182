/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Protocols, transports and factories: the life cycle of a connection,
 * write-buffer watermarks, and two protocols talking over a loopback. */

#include "config.h"

#include <string.h>

#include <weft/weft-testing.h>

/* A protocol that logs every call as a string ("made", "data:abc", "eof",
 * "lost:done", "pause", "resume") and can be told how to react. */
#define TEST_TYPE_RECORDER (test_recorder_get_type ())
G_DECLARE_FINAL_TYPE (TestRecorder, test_recorder, TEST, RECORDER, WeftProtocol)

struct _TestRecorder {
  WeftProtocol parent_instance;
  GPtrArray *log;
  GError *lost_reason;
  GString *received;
  gboolean echo;              /* write back what arrives */
  gboolean keep_open_on_eof;  /* eof_received returns TRUE ... */
  const char *eof_reply;      /* ... and writes this, then loses the connection */
  const char *greeting;       /* written in connection_made */
  gboolean transport_in_lost; /* the transport was still set in connection_lost */
};

G_DEFINE_FINAL_TYPE (TestRecorder, test_recorder, WEFT_TYPE_PROTOCOL)

static void
test_recorder_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  TestRecorder *self = TEST_RECORDER (protocol);

  g_assert_true (weft_protocol_get_transport (protocol) == transport);
  g_assert_true (weft_protocol_is_connected (protocol));
  g_ptr_array_add (self->log, g_strdup ("made"));
  if (self->greeting != NULL)
    weft_transport_write (transport, self->greeting, strlen (self->greeting));
}

static void
test_recorder_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  TestRecorder *self = TEST_RECORDER (protocol);

  g_string_append_len (self->received, (const char *) data, len);
  g_ptr_array_add (self->log, g_strdup_printf ("data:%.*s", (int) len, data));
  if (self->echo)
    weft_transport_write (weft_protocol_get_transport (protocol), data, len);
}

static gboolean
test_recorder_eof_received (WeftProtocol *protocol)
{
  TestRecorder *self = TEST_RECORDER (protocol);
  WeftTransport *transport = weft_protocol_get_transport (protocol);

  g_ptr_array_add (self->log, g_strdup ("eof"));
  if (!self->keep_open_on_eof)
    return FALSE;
  if (self->eof_reply != NULL)
    {
      weft_transport_write (transport, self->eof_reply, strlen (self->eof_reply));
      weft_transport_lose_connection (transport);
    }
  return TRUE;
}

static void
test_recorder_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  TestRecorder *self = TEST_RECORDER (protocol);

  g_assert_nonnull (reason);
  g_assert_null (self->lost_reason);
  g_assert_false (weft_protocol_is_connected (protocol));
  self->transport_in_lost = weft_protocol_get_transport (protocol) != NULL;
  self->lost_reason = g_error_copy (reason);
  if (g_error_matches (reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE))
    g_ptr_array_add (self->log, g_strdup ("lost:done"));
  else if (g_error_matches (reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED))
    g_ptr_array_add (self->log, g_strdup ("lost:aborted"));
  else if (g_error_matches (reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_LOST))
    g_ptr_array_add (self->log, g_strdup ("lost:lost"));
  else
    g_ptr_array_add (self->log, g_strdup_printf ("lost:%s", reason->message));
}

static void
test_recorder_pause_writing (WeftProtocol *protocol)
{
  g_ptr_array_add (TEST_RECORDER (protocol)->log, g_strdup ("pause"));
}

static void
test_recorder_resume_writing (WeftProtocol *protocol)
{
  g_ptr_array_add (TEST_RECORDER (protocol)->log, g_strdup ("resume"));
}

static void
test_recorder_finalize (GObject *object)
{
  TestRecorder *self = TEST_RECORDER (object);

  g_ptr_array_unref (self->log);
  g_string_free (self->received, TRUE);
  g_clear_error (&self->lost_reason);
  G_OBJECT_CLASS (test_recorder_parent_class)->finalize (object);
}

static void
test_recorder_class_init (TestRecorderClass *klass)
{
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_recorder_finalize;
  protocol_class->connection_made = test_recorder_connection_made;
  protocol_class->data_received = test_recorder_data_received;
  protocol_class->eof_received = test_recorder_eof_received;
  protocol_class->connection_lost = test_recorder_connection_lost;
  protocol_class->pause_writing = test_recorder_pause_writing;
  protocol_class->resume_writing = test_recorder_resume_writing;
}

static void
test_recorder_init (TestRecorder *self)
{
  self->log = g_ptr_array_new_with_free_func (g_free);
  self->received = g_string_new (NULL);
}

static TestRecorder *
test_recorder_new (void)
{
  return g_object_new (TEST_TYPE_RECORDER, NULL);
}

static void
assert_log (TestRecorder *recorder, const char *expected)
{
  g_autofree char *got = NULL;

  g_ptr_array_add (recorder->log, NULL);
  got = g_strjoinv (" ", (char **) recorder->log->pdata);
  g_ptr_array_remove_index (recorder->log, recorder->log->len - 1);
  g_assert_cmpstr (got, ==, expected);
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                           */

static void
test_lifecycle (void)
{
  g_autoptr (TestRecorder) recorder = test_recorder_new ();
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  WeftProtocol *protocol = WEFT_PROTOCOL (recorder);
  guint connected_notifies = 0, transport_notifies = 0;
  gboolean connected = TRUE;
  g_autoptr (WeftTransport) transport_prop = NULL;

  g_signal_connect (recorder, "notify::connected", G_CALLBACK (count_notify), &connected_notifies);
  g_signal_connect (recorder, "notify::transport", G_CALLBACK (count_notify), &transport_notifies);

  g_assert_false (weft_protocol_is_connected (protocol));
  g_assert_false (weft_protocol_is_closing (protocol));
  g_assert_null (weft_protocol_get_transport (protocol));

  weft_string_transport_connect (transport, protocol);
  g_assert_true (weft_protocol_is_connected (protocol));
  g_assert_true (weft_protocol_get_transport (protocol) == WEFT_TRANSPORT (transport));
  g_assert_true (weft_transport_get_protocol (WEFT_TRANSPORT (transport)) == protocol);
  g_object_get (recorder, "connected", &connected, "transport", &transport_prop, NULL);
  g_assert_true (connected);
  g_assert_true (transport_prop == WEFT_TRANSPORT (transport));
  g_assert_cmpuint (connected_notifies, ==, 1);
  g_assert_cmpuint (transport_notifies, ==, 1);

  weft_string_transport_receive (transport, "hello", -1);
  weft_string_transport_receive (transport, "", 0); /* nothing: no call */
  g_assert_false (weft_string_transport_receive_eof (transport));
  /* The default answer to end-of-file: the transport closes. */
  g_assert_true (weft_string_transport_is_disconnecting (transport));
  g_assert_true (weft_protocol_is_closing (protocol));
  g_assert_true (weft_protocol_is_connected (protocol));

  weft_string_transport_connection_lost (transport, NULL);
  assert_log (recorder, "made data:hello eof lost:done");
  g_assert_error (recorder->lost_reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
  g_assert_true (recorder->transport_in_lost);
  g_assert_false (weft_protocol_is_connected (protocol));
  g_assert_true (weft_protocol_is_closing (protocol));
  g_assert_null (weft_protocol_get_transport (protocol));
  g_assert_cmpuint (connected_notifies, ==, 2);
  g_assert_cmpuint (transport_notifies, ==, 2);
}

static void
test_connection_lost_reasons (void)
{
  for (int i = 0; i < 4; i++)
    {
      g_autoptr (TestRecorder) recorder = test_recorder_new ();
      g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
      g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad input from peer");
      WeftTransport *t = WEFT_TRANSPORT (transport);

      weft_string_transport_connect (transport, WEFT_PROTOCOL (recorder));
      switch (i)
        {
        case 0:
          weft_transport_abort_connection (t);
          break;
        case 1:
          weft_transport_abort_connection_with_error (t, error);
          break;
        case 2:
          weft_transport_lose_connection_with_error (t, error);
          /* A second close changes nothing. */
          weft_transport_lose_connection (t);
          break;
        default:
          /* The peer went away: the test gives the reason. */
          break;
        }
      g_assert_true (i == 3 || weft_transport_is_closing (t));
      weft_string_transport_connection_lost (transport, i == 3 ? error : NULL);
      if (i == 0)
        g_assert_error (recorder->lost_reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED);
      else
        {
          g_assert_error (recorder->lost_reason, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
          g_assert_cmpstr (recorder->lost_reason->message, ==, "bad input from peer");
        }
      g_assert_true (weft_transport_is_closing (t));
    }
}

static void
test_eof_keep_open (void)
{
  g_autoptr (TestRecorder) recorder = test_recorder_new ();
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();

  recorder->keep_open_on_eof = TRUE;
  recorder->eof_reply = "bye";
  weft_string_transport_connect (transport, WEFT_PROTOCOL (recorder));
  g_assert_true (weft_string_transport_receive_eof (transport));
  g_assert_cmpstr (weft_string_transport_peek_string (transport, NULL), ==, "bye");
  g_assert_true (weft_string_transport_is_disconnecting (transport));
}

static void
test_transport_outlives_protocol_pointer (void)
{
  g_autoptr (TestRecorder) recorder = test_recorder_new ();
  WeftStringTransport *transport = weft_string_transport_new ();

  /* The protocol's pointer is borrowed and cleared if the transport goes
   * away without ending the connection. */
  weft_string_transport_connect (transport, WEFT_PROTOCOL (recorder));
  g_object_unref (transport);
  g_assert_null (weft_protocol_get_transport (WEFT_PROTOCOL (recorder)));
}

static void
test_addresses (void)
{
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autoptr (GSocketAddress) peer = weft_transport_get_peer_address (WEFT_TRANSPORT (transport));
  g_autoptr (GSocketAddress) local = weft_transport_get_local_address (WEFT_TRANSPORT (transport));
  g_autofree char *peer_ip = NULL, *local_ip = NULL;
  g_autoptr (GSocketAddress) custom = g_inet_socket_address_new_from_string ("::1", 6667);
  g_autoptr (GSocketAddress) got = NULL;

  g_assert_true (G_IS_INET_SOCKET_ADDRESS (peer));
  peer_ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)));
  local_ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
  g_assert_cmpstr (peer_ip, ==, "192.168.1.1");
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (peer)), ==, 54321);
  g_assert_cmpstr (local_ip, ==, "10.0.0.1");
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)), ==, 12345);

  weft_string_transport_set_peer_address (transport, custom);
  got = weft_transport_get_peer_address (WEFT_TRANSPORT (transport));
  g_assert_true (got == custom);
  weft_string_transport_set_local_address (transport, NULL);
  g_assert_null (weft_transport_get_local_address (WEFT_TRANSPORT (transport)));
}

/* ------------------------------------------------------------------ */
/* Write-buffer watermarks                                              */

static void
test_watermarks (void)
{
  g_autoptr (TestRecorder) recorder = test_recorder_new ();
  g_autoptr (WeftStringTransport) string_transport = weft_string_transport_new ();
  WeftTransport *transport = WEFT_TRANSPORT (string_transport);
  WeftProtocol *protocol = WEFT_PROTOCOL (recorder);
  gsize high = 0, low = 0;

  weft_string_transport_connect (string_transport, protocol);
  weft_transport_get_write_buffer_limits (transport, &high, &low);
  g_assert_cmpuint (high, ==, 64 * 1024);
  g_assert_cmpuint (low, ==, 16 * 1024);

  weft_string_transport_set_buffering (string_transport, TRUE);
  weft_transport_set_write_buffer_limits (transport, 10, 4);
  weft_transport_get_write_buffer_limits (transport, &high, &low);
  g_assert_cmpuint (high, ==, 10);
  g_assert_cmpuint (low, ==, 4);

  /* Exactly at the high watermark: not above it yet. */
  weft_transport_write (transport, "0123456789", 10);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (transport), ==, 10);
  assert_log (recorder, "made");
  weft_transport_write (transport, "A", 1);
  assert_log (recorder, "made pause");
  g_assert_true (weft_protocol_is_writing_paused (protocol));
  /* Writing on while paused is allowed and does not pause again. */
  weft_transport_write (transport, "BCD", 3);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (transport), ==, 14);
  assert_log (recorder, "made pause");

  /* Down to low + 1: still paused; to low: resumed, once. */
  weft_string_transport_drain (string_transport, 9);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (transport), ==, 5);
  assert_log (recorder, "made pause");
  weft_string_transport_drain (string_transport, 1);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (transport), ==, 4);
  assert_log (recorder, "made pause resume");
  weft_string_transport_drain (string_transport, G_MAXSIZE);
  assert_log (recorder, "made pause resume");
  g_assert_false (weft_protocol_is_writing_paused (protocol));

  /* Raising the limits resumes a paused protocol at once; lowering them
   * pauses it at once. */
  weft_transport_write (transport, "0123456789AB", 12);
  assert_log (recorder, "made pause resume pause");
  weft_transport_set_write_buffer_limits (transport, 100, 50);
  assert_log (recorder, "made pause resume pause resume");
  weft_transport_set_write_buffer_limits (transport, 0, 0);
  assert_log (recorder, "made pause resume pause resume pause");

  /* Everything was recorded, whatever the buffer did. */
  g_assert_cmpstr (weft_string_transport_peek_string (string_transport, NULL), ==, "0123456789ABCD0123456789AB");

  /* No flow-control call after the end of the connection. */
  weft_string_transport_connection_lost (string_transport, NULL);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (transport), ==, 0);
  assert_log (recorder, "made pause resume pause resume pause lost:done");
}

/* ------------------------------------------------------------------ */
/* Factories                                                            */

#define TEST_TYPE_COUNTING_FACTORY (test_counting_factory_get_type ())
G_DECLARE_FINAL_TYPE (TestCountingFactory, test_counting_factory, TEST, COUNTING_FACTORY, WeftClientFactory)

struct _TestCountingFactory {
  WeftClientFactory parent_instance;
  guint starts;
  guint stops;
  gboolean refuse;
  GSocketAddress *last_address;
  GError *failed;
  GError *lost;
  gpointer connector;
};

G_DEFINE_FINAL_TYPE (TestCountingFactory, test_counting_factory, WEFT_TYPE_CLIENT_FACTORY)

static WeftProtocol *
test_counting_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  TestCountingFactory *self = TEST_COUNTING_FACTORY (factory);

  g_set_object (&self->last_address, address);
  if (self->refuse)
    return NULL;
  return WEFT_FACTORY_CLASS (test_counting_factory_parent_class)->build_protocol (factory, address);
}

static void
test_counting_factory_start (WeftFactory *factory)
{
  TEST_COUNTING_FACTORY (factory)->starts++;
}

static void
test_counting_factory_stop (WeftFactory *factory)
{
  TEST_COUNTING_FACTORY (factory)->stops++;
}

static void
test_counting_factory_failed (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  TestCountingFactory *self = TEST_COUNTING_FACTORY (factory);

  self->connector = connector;
  self->failed = g_error_copy (reason);
}

static void
test_counting_factory_lost (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  TEST_COUNTING_FACTORY (factory)->lost = g_error_copy (reason);
}

static void
test_counting_factory_finalize (GObject *object)
{
  TestCountingFactory *self = TEST_COUNTING_FACTORY (object);

  g_clear_object (&self->last_address);
  g_clear_error (&self->failed);
  g_clear_error (&self->lost);
  G_OBJECT_CLASS (test_counting_factory_parent_class)->finalize (object);
}

static void
test_counting_factory_class_init (TestCountingFactoryClass *klass)
{
  WeftFactoryClass *factory_class = WEFT_FACTORY_CLASS (klass);
  WeftClientFactoryClass *client_class = WEFT_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_counting_factory_finalize;
  factory_class->build_protocol = test_counting_factory_build_protocol;
  factory_class->start_factory = test_counting_factory_start;
  factory_class->stop_factory = test_counting_factory_stop;
  client_class->client_connection_failed = test_counting_factory_failed;
  client_class->client_connection_lost = test_counting_factory_lost;
}

static void
test_counting_factory_init (TestCountingFactory *self)
{
}

static void
test_factory_build (void)
{
  g_autoptr (WeftFactory) factory = weft_factory_new (TEST_TYPE_RECORDER);
  g_autoptr (WeftProtocol) protocol = NULL;
  g_autoptr (WeftFactory) from_property = NULL;
  GType type = G_TYPE_INVALID;

  g_assert_true (weft_factory_get_protocol_type (factory) == TEST_TYPE_RECORDER);
  g_object_get (factory, "protocol-type", &type, NULL);
  g_assert_true (type == TEST_TYPE_RECORDER);

  protocol = weft_factory_build_protocol (factory, NULL);
  g_assert_true (TEST_IS_RECORDER (protocol));
  g_assert_true (weft_protocol_get_factory (protocol) == factory);
  g_object_get (protocol, "factory", &from_property, NULL);
  g_assert_true (from_property == factory);
}

static void
test_factory_subclass (void)
{
  g_autoptr (TestCountingFactory) factory =
      g_object_new (TEST_TYPE_COUNTING_FACTORY, "protocol-type", TEST_TYPE_RECORDER, NULL);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 6667);
  g_autoptr (WeftProtocol) protocol = NULL;
  g_autoptr (GError) refused =
      g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "connection refused by 127.0.0.1:6667");
  int connector;

  protocol = weft_factory_build_protocol (WEFT_FACTORY (factory), address);
  g_assert_true (TEST_IS_RECORDER (protocol));
  g_assert_true (factory->last_address == address);
  g_assert_true (weft_protocol_get_factory (protocol) == WEFT_FACTORY (factory));

  factory->refuse = TRUE;
  g_assert_null (weft_factory_build_protocol (WEFT_FACTORY (factory), address));

  weft_client_factory_started_connecting (WEFT_CLIENT_FACTORY (factory), NULL);
  weft_client_factory_client_connection_failed (WEFT_CLIENT_FACTORY (factory), (WeftConnector *) &connector, refused);
  g_assert_error (factory->failed, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_true (factory->connector == (gpointer) &connector);
  weft_client_factory_client_connection_lost (WEFT_CLIENT_FACTORY (factory), NULL, refused);
  g_assert_error (factory->lost, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_factory_start_stop_counting (void)
{
  g_autoptr (TestCountingFactory) factory = g_object_new (TEST_TYPE_COUNTING_FACTORY, NULL);
  WeftFactory *f = WEFT_FACTORY (factory);

  /* Two ports share the factory: started once, stopped once, when the last
   * one is done. */
  weft_factory_do_start (f);
  weft_factory_do_start (f);
  g_assert_cmpuint (factory->starts, ==, 1);
  g_assert_cmpuint (weft_factory_get_start_count (f), ==, 2);
  weft_factory_do_stop (f);
  g_assert_cmpuint (factory->stops, ==, 0);
  weft_factory_do_stop (f);
  g_assert_cmpuint (factory->stops, ==, 1);
  g_assert_cmpuint (weft_factory_get_start_count (f), ==, 0);

  /* And again from zero. */
  weft_factory_do_start (f);
  g_assert_cmpuint (factory->starts, ==, 2);
  weft_factory_do_stop (f);
  g_assert_cmpuint (factory->stops, ==, 2);

  /* A stop without a start is a programming error. */
  if (g_test_undefined ())
    {
      g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*start_count > 0*");
      weft_factory_do_stop (f);
      g_test_assert_expected_messages ();
      g_assert_cmpuint (factory->stops, ==, 2);
    }
}

/* ------------------------------------------------------------------ */
/* Loopback                                                             */

typedef struct {
  TestRecorder *client;
  TestRecorder *server;
  WeftLoopback *loopback;
} LoopbackFixture;

static void
loopback_setup (LoopbackFixture *f, gconstpointer data)
{
  f->client = test_recorder_new ();
  f->server = test_recorder_new ();
}

static void
loopback_connect (LoopbackFixture *f)
{
  f->loopback = weft_loopback_connect (WEFT_PROTOCOL (f->client), WEFT_PROTOCOL (f->server));
}

static void
loopback_teardown (LoopbackFixture *f, gconstpointer data)
{
  g_clear_object (&f->loopback);
  g_clear_object (&f->client);
  g_clear_object (&f->server);
}

static WeftTransport *
client_transport (LoopbackFixture *f)
{
  return weft_loopback_get_client_transport (f->loopback);
}

static WeftTransport *
server_transport (LoopbackFixture *f)
{
  return weft_loopback_get_server_transport (f->loopback);
}

static void
test_loopback_echo (LoopbackFixture *f, gconstpointer data)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static ("three", 5);
  GOutputVector vectors[] = { { "fo", 2 }, { "ur", 2 } };

  f->server->echo = TRUE;
  f->server->greeting = "hi ";
  loopback_connect (f);
  /* Both were connected, the server first; nothing moved yet. */
  assert_log (f->server, "made");
  assert_log (f->client, "made");

  weft_transport_write (client_transport (f), "one ", 4);
  weft_transport_write (client_transport (f), "two ", 4);
  weft_transport_write_bytes (client_transport (f), bytes);
  weft_transport_writev (client_transport (f), vectors, G_N_ELEMENTS (vectors));
  g_assert_cmpuint (weft_transport_get_write_buffer_size (client_transport (f)), ==, 17);
  g_assert_true (weft_loopback_pump (f->loopback));
  g_assert_false (weft_loopback_pump (f->loopback));

  g_assert_cmpstr (f->server->received->str, ==, "one two threefour");
  g_assert_cmpstr (f->client->received->str, ==, "hi one two threefour");
  g_assert_cmpuint (weft_transport_get_write_buffer_size (client_transport (f)), ==, 0);
  g_assert_false (weft_loopback_is_finished (f->loopback));
}

static void
test_loopback_addresses (LoopbackFixture *f, gconstpointer data)
{
  g_autoptr (GSocketAddress) client_peer = NULL;
  g_autoptr (GSocketAddress) server_local = NULL;
  g_autoptr (GSocketAddress) server_peer = NULL;
  g_autoptr (GSocketAddress) client_local = NULL;

  loopback_connect (f);
  client_peer = weft_transport_get_peer_address (client_transport (f));
  server_local = weft_transport_get_local_address (server_transport (f));
  server_peer = weft_transport_get_peer_address (server_transport (f));
  client_local = weft_transport_get_local_address (client_transport (f));
  g_assert_true (client_peer == server_local);
  g_assert_true (server_peer == client_local);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (client_peer)), ==, 12345);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (client_local)), ==, 54321);
}

static void
test_loopback_half_close (LoopbackFixture *f, gconstpointer data)
{
  /* The client sends a request and shuts down its write side; the server
   * keeps the connection open after end-of-file, answers, and closes. */
  f->server->keep_open_on_eof = TRUE;
  f->server->eof_reply = "response";
  loopback_connect (f);

  weft_transport_write (client_transport (f), "request", 7);
  weft_transport_lose_write_connection (client_transport (f));
  /* Writes after the half-close are dropped. */
  weft_transport_write (client_transport (f), "dropped", 7);
  g_assert_false (weft_transport_is_closing (client_transport (f)));
  weft_loopback_pump (f->loopback);

  assert_log (f->server, "made data:request eof lost:done");
  /* The client reads the answer, then end-of-file; by default it closes. */
  assert_log (f->client, "made data:response eof lost:done");
  g_assert_true (weft_loopback_is_finished (f->loopback));
  g_assert_false (weft_loopback_pump (f->loopback));
}

static void
test_loopback_lose_connection (LoopbackFixture *f, gconstpointer data)
{
  loopback_connect (f);

  /* What was written before and right after lose_connection is sent. */
  weft_transport_write (server_transport (f), "last ", 5);
  weft_transport_lose_connection (server_transport (f));
  weft_transport_write (server_transport (f), "words", 5);
  g_assert_true (weft_transport_is_closing (server_transport (f)));
  g_assert_true (weft_protocol_is_closing (WEFT_PROTOCOL (f->server)));
  assert_log (f->server, "made");
  weft_loopback_pump (f->loopback);

  g_assert_cmpstr (f->client->received->str, ==, "last words");
  assert_log (f->server, "made lost:done");
  g_assert_true (g_str_has_suffix (f->client->log->pdata[f->client->log->len - 2], "eof"));
  g_assert_cmpstr (f->client->log->pdata[f->client->log->len - 1], ==, "lost:done");
  g_assert_true (weft_loopback_is_finished (f->loopback));

  /* Writing to a finished connection does nothing. */
  weft_transport_write (client_transport (f), "x", 1);
  g_assert_false (weft_loopback_pump (f->loopback));
}

static void
test_loopback_lose_with_error (LoopbackFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "you sent garbage");

  loopback_connect (f);
  weft_transport_lose_connection_with_error (server_transport (f), error);
  weft_loopback_pump (f->loopback);
  g_assert_error (f->server->lost_reason, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  /* The peer only sees an orderly close. */
  g_assert_error (f->client->lost_reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
}

static void
test_loopback_abort (LoopbackFixture *f, gconstpointer data)
{
  loopback_connect (f);
  weft_transport_write (client_transport (f), "hello", 5);
  weft_loopback_pump (f->loopback);

  weft_transport_write (server_transport (f), "never delivered", 15);
  weft_transport_abort_connection (server_transport (f));
  g_assert_cmpuint (weft_transport_get_write_buffer_size (server_transport (f)), ==, 0);
  weft_transport_write (server_transport (f), "dropped", 7);
  weft_loopback_pump (f->loopback);

  assert_log (f->server, "made data:hello lost:aborted");
  assert_log (f->client, "made lost:lost");
  g_assert_true (weft_loopback_is_finished (f->loopback));
}

static void
test_loopback_flow_control (LoopbackFixture *f, gconstpointer data)
{
  g_autofree char *block = g_strnfill (100, 'f');

  loopback_connect (f);
  weft_transport_set_write_buffer_limits (client_transport (f), 150, 50);

  /* The server does not read: the client's buffer fills and it is paused. */
  weft_transport_pause_reading (server_transport (f));
  weft_transport_write (client_transport (f), block, 100);
  weft_loopback_pump (f->loopback);
  assert_log (f->client, "made");
  weft_transport_write (client_transport (f), block, 100);
  assert_log (f->client, "made pause");
  weft_loopback_pump (f->loopback);
  g_assert_cmpuint (f->server->received->len, ==, 0);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (client_transport (f)), ==, 200);

  /* The server reads again: everything arrives, the client resumes. */
  weft_transport_resume_reading (server_transport (f));
  weft_loopback_pump (f->loopback);
  g_assert_cmpuint (f->server->received->len, ==, 200);
  assert_log (f->client, "made pause resume");
  g_assert_cmpuint (weft_transport_get_write_buffer_size (client_transport (f)), ==, 0);
}

static void
test_loopback_eof_waits_for_reading (LoopbackFixture *f, gconstpointer data)
{
  loopback_connect (f);
  weft_transport_pause_reading (server_transport (f));
  weft_transport_write (client_transport (f), "data", 4);
  weft_transport_lose_connection (client_transport (f));
  weft_loopback_pump (f->loopback);
  /* Neither the data nor end-of-file reach a side that does not read. */
  assert_log (f->server, "made");
  assert_log (f->client, "made");

  weft_transport_resume_reading (server_transport (f));
  weft_loopback_pump (f->loopback);
  assert_log (f->server, "made data:data eof lost:done");
  assert_log (f->client, "made lost:done");
}

static void
test_loopback_reactor (LoopbackFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING, &error);
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_assert_no_error (error);
  f->server->echo = TRUE;
  loopback_connect (f);
  weft_loopback_set_reactor (f->loopback, reactor);
  weft_transport_write (client_transport (f), "ping", 4);
  weft_transport_lose_write_connection (client_transport (f));

  while (!weft_loopback_is_finished (f->loopback) && g_get_monotonic_time () < deadline)
    weft_reactor_iterate (reactor, FALSE);

  assert_log (f->server, "made data:ping eof lost:done");
  assert_log (f->client, "made data:ping eof lost:done");
  weft_loopback_set_reactor (f->loopback, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/lifecycle", test_lifecycle);
  g_test_add_func ("/protocol/connection-lost-reasons", test_connection_lost_reasons);
  g_test_add_func ("/protocol/eof-keep-open", test_eof_keep_open);
  g_test_add_func ("/protocol/transport-pointer-is-weak", test_transport_outlives_protocol_pointer);
  g_test_add_func ("/protocol/addresses", test_addresses);
  g_test_add_func ("/protocol/write-buffer-watermarks", test_watermarks);
  g_test_add_func ("/protocol/factory/build", test_factory_build);
  g_test_add_func ("/protocol/factory/subclass", test_factory_subclass);
  g_test_add_func ("/protocol/factory/start-stop-counting", test_factory_start_stop_counting);

#define LOOPBACK_TEST(path, func) \
  g_test_add ("/protocol/loopback/" path, LoopbackFixture, NULL, loopback_setup, func, loopback_teardown)
  LOOPBACK_TEST ("echo", test_loopback_echo);
  LOOPBACK_TEST ("addresses", test_loopback_addresses);
  LOOPBACK_TEST ("half-close", test_loopback_half_close);
  LOOPBACK_TEST ("lose-connection", test_loopback_lose_connection);
  LOOPBACK_TEST ("lose-with-error", test_loopback_lose_with_error);
  LOOPBACK_TEST ("abort", test_loopback_abort);
  LOOPBACK_TEST ("flow-control", test_loopback_flow_control);
  LOOPBACK_TEST ("eof-waits-for-reading", test_loopback_eof_waits_for_reading);
  LOOPBACK_TEST ("reactor", test_loopback_reactor);
#undef LOOPBACK_TEST

  return g_test_run ();
}
