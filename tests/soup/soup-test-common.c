/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "soup-test-common.h"

#include <string.h>

#define BIG_CHUNK (64 * 1024)

typedef struct {
  guint64 size;
  guint64 written;
  GBytes *chunk;
} BigBody;

static void
big_body_free (gpointer data)
{
  BigBody *big = data;

  g_bytes_unref (big->chunk);
  g_free (big);
}

static void
big_append_next (SoupServerMessage *msg, BigBody *big)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if (big->written >= big->size)
    {
      soup_message_body_complete (body);
      return;
    }
  if (big->size - big->written >= BIG_CHUNK)
    {
      soup_message_body_append_bytes (body, big->chunk);
      big->written += BIG_CHUNK;
    }
  else
    {
      g_autoptr (GBytes) tail = g_bytes_new_from_bytes (big->chunk, 0, big->size - big->written);

      soup_message_body_append_bytes (body, tail);
      big->written = big->size;
    }
}

static void
big_wrote_chunk_cb (SoupServerMessage *msg, gpointer user_data)
{
  big_append_next (msg, user_data);
}

static void
partial_wrote_chunk_cb (SoupServerMessage *msg, gpointer user_data)
{
  TestServer *server = user_data;

  /* The first chunk went out: stall from here on. */
  g_signal_handlers_disconnect_by_func (msg, partial_wrote_chunk_cb, user_data);
  soup_server_message_pause (msg);
  g_ptr_array_add (server->stalled, g_object_ref (msg));
  server->n_stalled++;
}

static void
handler_cb (SoupServer *soup_server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  TestServer *server = user_data;
  const char *method = soup_server_message_get_method (msg);
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  server->n_requests++;
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    g_hash_table_add (server->client_ports,
                      GUINT_TO_POINTER (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote))));

  if (g_str_equal (path, "/hello"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "hello", 5);
    }
  else if (g_str_equal (path, "/echo") && method == SOUP_METHOD_POST)
    {
      SoupMessageBody *request = soup_server_message_get_request_body (msg);
      g_autoptr (GBytes) body = soup_message_body_flatten (request);
      const char *type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, type ? type : "application/octet-stream", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (body, NULL), g_bytes_get_size (body));
    }
  else if (g_str_equal (path, "/redirect"))
    {
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, "/hello");
    }
  else if (g_str_equal (path, "/fail"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
    }
  else if (g_str_equal (path, "/stall"))
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (server->stalled, g_object_ref (msg));
      server->n_stalled++;
    }
  else if (g_str_equal (path, "/partial"))
    {
      SoupMessageBody *body = soup_server_message_get_response_body (msg);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg), SOUP_ENCODING_CHUNKED);
      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_append (body, SOUP_MEMORY_STATIC, "first chunk", 11);
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (partial_wrote_chunk_cb), server);
    }
  else if (g_str_equal (path, "/big"))
    {
      const char *size = query ? g_hash_table_lookup (query, "size") : NULL;
      BigBody *big = g_new0 (BigBody, 1);
      guint8 *pattern = g_malloc (BIG_CHUNK);

      for (guint i = 0; i < BIG_CHUNK; i++)
        pattern[i] = (guint8) (i * 7 + 1);
      big->chunk = g_bytes_new_take (pattern, BIG_CHUNK);
      big->size = size ? g_ascii_strtoull (size, NULL, 10) : 1024;
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_content_length (soup_server_message_get_response_headers (msg), big->size);
      soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
      g_object_set_data_full (G_OBJECT (msg), "big-body", big, big_body_free);
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (big_wrote_chunk_cb), big);
      big_append_next (msg, big);
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

TestServer *
test_server_new (ConformanceFixture *f)
{
  TestServer *server = test_server_new_on (f, "tcp:0:interface=127.0.0.1:backlog=1024");

  g_assert_cmpuint (weft_soup_server_get_port (server->server), >, 0);
  return server;
}

TestServer *
test_server_new_on (ConformanceFixture *f, const char *endpoint)
{
  TestServer *server = g_new0 (TestServer, 1);
  g_autoptr (GError) error = NULL;

  server->f = f;
  server->stalled = g_ptr_array_new_with_free_func (g_object_unref);
  server->client_ports = g_hash_table_new (NULL, NULL);
  server->server = weft_soup_server_new (f->reactor);
  weft_soup_server_add_handler (server->server, NULL, handler_cb, server, NULL);
  weft_soup_server_listen (server->server, endpoint, &error);
  g_assert_no_error (error);
  return server;
}

char *
test_server_url (TestServer *server, const char *path)
{
  return weft_soup_server_get_url (server->server, path);
}

void
test_server_free (TestServer *server)
{
  weft_soup_server_disconnect (server->server);
  g_clear_object (&server->server);
  g_ptr_array_unref (server->stalled);
  g_hash_table_unref (server->client_ports);
  test_settle (server->f, 200000);
  g_free (server);
}

SoupSession *
test_session_new (ConformanceFixture *f)
{
  return weft_soup_session_new (f->reactor);
}

void
test_session_free (ConformanceFixture *f, SoupSession *session)
{
  soup_session_abort (session);
  g_object_unref (session);
  test_settle (f, 20000);
}

void
test_wait_result (ConformanceFixture *f, WeftDeferred *deferred, TestResult *result)
{
  stream_capture_connect (deferred, result);
  stream_wait_connect_fired (f, result);
}

static void
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

void
test_settle (ConformanceFixture *f, gint64 usec)
{
  gboolean done = FALSE;

  weft_reactor_call_later (f->reactor, usec, flag_cb, &done, NULL);
  while (!done)
    weft_reactor_iterate (f->reactor, TRUE);
}

void
test_warm_up (void)
{
  g_autoptr (GResolver) resolver = g_resolver_get_default ();
  g_autoptr (SoupSession) session = soup_session_new ();

  /* GIO's process-wide singletons keep fds (netlink for the network
   * monitor, the worker thread's wake-up fd) for the rest of the process. */
  g_type_ensure (G_TYPE_TASK);
  g_type_ensure (SOUP_TYPE_WEBSOCKET_CONNECTION);
  (void) g_network_monitor_get_default ();
  (void) g_proxy_resolver_get_default ();
  (void) g_tls_backend_get_default ();
  (void) g_tls_backend_get_default_database (g_tls_backend_get_default ());
  g_free (g_content_type_guess ("x.html", NULL, 0, NULL));
}
