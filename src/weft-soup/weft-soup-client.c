/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-soup-private.h"

/* Reads of a response body: large enough to keep system calls few, small
 * enough that a paused consumer holds at most this much in flight. */
#define READ_CHUNK_SIZE (64 * 1024)

GType
weft_soup_request_flags_get_type (void)
{
  static gsize type_id = 0;
  static const GFlagsValue values[] = {
    { WEFT_SOUP_REQUEST_FLAGS_NONE, "WEFT_SOUP_REQUEST_FLAGS_NONE", "none" },
    { WEFT_SOUP_REQUEST_FLAGS_NO_HTTP_ERRORS, "WEFT_SOUP_REQUEST_FLAGS_NO_HTTP_ERRORS", "no-http-errors" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_flags_register_static (g_intern_static_string ("WeftSoupRequestFlags"), values));
  return type_id;
}

static GError *
too_large_error (SoupMessage *message, guint64 max_body_size)
{
  g_autofree char *uri = g_uri_to_string_partial (soup_message_get_uri (message), G_URI_HIDE_PASSWORD);

  return g_error_new (WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_TOO_LARGE,
                      _ ("The response body of %s is larger than the limit of %llu bytes"), uri,
                      (unsigned long long) max_body_size);
}

/* Checks the status and the announced length once the headers are in. */
static GError *
check_response_head (SoupMessage *message, WeftSoupRequestFlags flags, guint64 max_body_size)
{
  goffset length;

  if (!(flags & WEFT_SOUP_REQUEST_FLAGS_NO_HTTP_ERRORS) && soup_message_get_status (message) >= 400)
    return weft_soup_http_error_new (message);
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (message));
  if (soup_message_headers_get_encoding (soup_message_get_response_headers (message)) == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) length > max_body_size)
    return too_large_error (message, max_body_size);
  return NULL;
}

/* The _async form: send, check the head, collect the body. */

typedef struct {
  SoupMessage *message;
  WeftSoupRequestFlags flags;
  gsize max_body_size;
  GInputStream *stream;
  GByteArray *body;
} RequestData;

static void
request_data_free (gpointer data)
{
  RequestData *request = data;

  g_clear_object (&request->message);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->body, g_byte_array_unref);
  g_free (request);
}

static void read_next (GTask *task);

static void
closed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RequestData *request = g_task_get_task_data (task);
  g_autoptr (GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&request->body));

  /* A failed close only costs the connection its reuse. */
  g_input_stream_close_finish (G_INPUT_STREAM (source), result, NULL);
  g_task_return_pointer (task, weft_soup_response_new (request->message, body), g_object_unref);
}

/* The body is complete: closing the stream hands the connection back to
 * the session for the next request (keep-alive) before the caller, who may
 * send that request at once, hears of the response. */
static void
finish_body (GTask *task)
{
  RequestData *request = g_task_get_task_data (task);

  g_input_stream_close_async (request->stream, G_PRIORITY_DEFAULT, NULL, closed_cb, task);
}

static void
body_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RequestData *request = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  g_autoptr (GBytes) body = NULL;

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_bytes_get_size (bytes) > 0)
    {
      if (request->body->len + g_bytes_get_size (bytes) > request->max_body_size)
        {
          g_task_return_error (task, too_large_error (request->message, request->max_body_size));
          return;
        }
      g_byte_array_append (request->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      read_next (g_steal_pointer (&task));
      return;
    }

  finish_body (g_steal_pointer (&task));
}

static void
read_next (GTask *task)
{
  RequestData *request = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (request->stream, READ_CHUNK_SIZE, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   body_read_cb, task);
}

static void
body_read_all_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RequestData *request = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  gsize n_read = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &n_read, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Fewer bytes than announced: libsoup reports a truncated body as an
   * error, so this is the end of a shorter one. */
  g_byte_array_set_size (request->body, n_read);
  finish_body (g_steal_pointer (&task));
}

static void
request_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RequestData *request = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  SoupMessageHeaders *headers;

  request->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (request->stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  error = check_response_head (request->message, request->flags, request->max_body_size);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  headers = soup_message_get_response_headers (request->message);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    {
      /* The length is known (and within the cap): one read of exactly that
       * much, instead of a loop that ends with an empty read. */
      gsize length = soup_message_headers_get_content_length (headers);
      GCancellable *cancellable = g_task_get_cancellable (task);

      /* One byte more than announced, so that the read also sees the end of
       * the body: libsoup hands a connection back for reuse only then. */
      request->body = g_byte_array_sized_new (length + 1);
      g_byte_array_set_size (request->body, length + 1);
      g_input_stream_read_all_async (request->stream, request->body->data, length + 1, G_PRIORITY_DEFAULT, cancellable,
                                     body_read_all_cb, g_steal_pointer (&task));
      return;
    }
  request->body = g_byte_array_new ();
  read_next (g_steal_pointer (&task));
}

/**
 * weft_soup_request_async:
 * @session: a session
 * @message: the request
 * @flags: how to treat the response
 * @max_body_size: the largest body to collect, in bytes
 * @cancellable: (nullable): cancels the request
 * @callback: called with the outcome
 * @user_data: data for @callback
 *
 * Sends @message and collects the response body, the GIO way: @callback
 * runs in the thread-default main context of the call and calls
 * weft_soup_request_finish(). See weft_soup_request_full() for the errors.
 */
void
weft_soup_request_async (SoupSession *session,
                         SoupMessage *message,
                         WeftSoupRequestFlags flags,
                         gsize max_body_size,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  RequestData *request;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (message));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, weft_soup_request_async);
  request = g_new0 (RequestData, 1);
  request->message = g_object_ref (message);
  request->flags = flags;
  request->max_body_size = max_body_size;
  g_task_set_task_data (task, request, request_data_free);

  soup_session_send_async (session, message, G_PRIORITY_DEFAULT, cancellable, request_sent_cb, g_steal_pointer (&task));
}

/**
 * weft_soup_request_finish:
 * @session: the session
 * @result: what the callback received
 * @error: where to put the failure
 *
 * Returns: (transfer full): the response, or %NULL with @error set
 */
WeftSoupResponse *
weft_soup_request_finish (SoupSession *session, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static SoupMessage *
message_new (const char *method, const char *uri, GError **error)
{
  SoupMessage *message = soup_message_new (method, uri);

  if (message == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("“%s” is not a valid HTTP URL"), uri);
  return message;
}

static SoupMessage *
post_message_new (const char *uri, const char *content_type, GBytes *body, GError **error)
{
  SoupMessage *message = message_new (SOUP_METHOD_POST, uri, error);

  if (message != NULL && body != NULL)
    soup_message_set_request_body_from_bytes (message, content_type, body);
  return message;
}

/**
 * weft_soup_get_async:
 * @session: a session
 * @uri: the URL
 * @cancellable: (nullable): cancels the request
 * @callback: called with the outcome
 * @user_data: data for @callback
 *
 * Fetches @uri with GET, as weft_soup_get().
 */
void
weft_soup_get_async (SoupSession *session,
                     const char *uri,
                     GCancellable *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) message = message_new (SOUP_METHOD_GET, uri, &error);

  if (message == NULL)
    {
      g_task_report_error (session, callback, user_data, weft_soup_request_async, g_steal_pointer (&error));
      return;
    }
  weft_soup_request_async (session, message, WEFT_SOUP_REQUEST_FLAGS_NONE, WEFT_SOUP_DEFAULT_MAX_BODY_SIZE, cancellable,
                           callback, user_data);
}

/**
 * weft_soup_get_finish:
 * @session: the session
 * @result: what the callback received
 * @error: where to put the failure
 *
 * Returns: (transfer full): the response, or %NULL with @error set
 */
WeftSoupResponse *
weft_soup_get_finish (SoupSession *session, GAsyncResult *result, GError **error)
{
  return weft_soup_request_finish (session, result, error);
}

/**
 * weft_soup_post_async:
 * @session: a session
 * @uri: the URL
 * @content_type: (nullable): the media type of @body
 * @body: (nullable): the request body
 * @cancellable: (nullable): cancels the request
 * @callback: called with the outcome
 * @user_data: data for @callback
 *
 * Sends @body to @uri with POST, as weft_soup_post().
 */
void
weft_soup_post_async (SoupSession *session,
                      const char *uri,
                      const char *content_type,
                      GBytes *body,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) message = post_message_new (uri, content_type, body, &error);

  if (message == NULL)
    {
      g_task_report_error (session, callback, user_data, weft_soup_request_async, g_steal_pointer (&error));
      return;
    }
  weft_soup_request_async (session, message, WEFT_SOUP_REQUEST_FLAGS_NONE, WEFT_SOUP_DEFAULT_MAX_BODY_SIZE, cancellable,
                           callback, user_data);
}

/**
 * weft_soup_post_finish:
 * @session: the session
 * @result: what the callback received
 * @error: where to put the failure
 *
 * Returns: (transfer full): the response, or %NULL with @error set
 */
WeftSoupResponse *
weft_soup_post_finish (SoupSession *session, GAsyncResult *result, GError **error)
{
  return weft_soup_request_finish (session, result, error);
}

/* Deferreds */

/**
 * weft_soup_request_full:
 * @session: a session, preferably from weft_soup_session_new()
 * @message: the request
 * @flags: how to treat the response
 * @max_body_size: the largest body to collect, in bytes
 *
 * Sends @message and collects its response. The deferred fires with a
 * [class@WeftSoup.Response], or fails with:
 *
 * - %WEFT_SOUP_HTTP_ERROR, code = status, for a status of 400 or more
 *   (unless @flags has %WEFT_SOUP_REQUEST_FLAGS_NO_HTTP_ERRORS); the
 *   message reads "HTTP 404 Not Found for http://host/x"
 * - GIO's errors for network failures (%G_IO_ERROR_CONNECTION_REFUSED,
 *   %G_RESOLVER_ERROR_NOT_FOUND, TLS errors...), as libsoup reports them
 * - %WEFT_SOUP_ERROR_TOO_LARGE when the body exceeds @max_body_size
 * - %WEFT_SOUP_ERROR_WRONG_CONTEXT, at once, when libsoup's sources would
 *   attach to a main context the reactor does not run
 * - %G_IO_ERROR_CANCELLED when the deferred is cancelled (which cancels
 *   the request), %G_IO_ERROR_TIMED_OUT when it times out through weft_deferred_add_timeout()
 *
 * Returns: (transfer full): a deferred
 */
WeftDeferred *
weft_soup_request_full (SoupSession *session, SoupMessage *message, WeftSoupRequestFlags flags, gsize max_body_size)
{
  GError *error = NULL;
  GAsyncReadyCallback callback;
  gpointer callback_data;
  WeftDeferred *deferred;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (SOUP_IS_MESSAGE (message), NULL);

  if (!weft_soup_check_session_context (session, &error))
    return weft_deferred_fail (error);

  deferred = weft_deferred_new_async (WEFT_SOUP_TYPE_RESPONSE, G_CALLBACK (weft_soup_request_finish), &callback,
                                      &callback_data);
  weft_deferred_set_description (deferred, "weft_soup_request");
  weft_soup_request_async (session, message, flags, max_body_size, weft_deferred_get_cancellable (deferred), callback,
                           callback_data);
  return deferred;
}

/**
 * weft_soup_request:
 * @session: a session, preferably from weft_soup_session_new()
 * @message: the request
 *
 * Sends @message; weft_soup_request_full() with no flags and
 * %WEFT_SOUP_DEFAULT_MAX_BODY_SIZE.
 *
 * Returns: (transfer full): a deferred that fires with a
 *   [class@WeftSoup.Response]
 */
WeftDeferred *
weft_soup_request (SoupSession *session, SoupMessage *message)
{
  return weft_soup_request_full (session, message, WEFT_SOUP_REQUEST_FLAGS_NONE, WEFT_SOUP_DEFAULT_MAX_BODY_SIZE);
}

/**
 * weft_soup_get:
 * @session: a session
 * @uri: the URL
 *
 * Fetches @uri with GET. An invalid URL fails with
 * %G_IO_ERROR_INVALID_ARGUMENT.
 *
 * Returns: (transfer full): a deferred that fires with a
 *   [class@WeftSoup.Response]
 */
WeftDeferred *
weft_soup_get (SoupSession *session, const char *uri)
{
  GError *error = NULL;
  g_autoptr (SoupMessage) message = message_new (SOUP_METHOD_GET, uri, &error);

  if (message == NULL)
    return weft_deferred_fail (error);
  return weft_soup_request (session, message);
}

/**
 * weft_soup_post:
 * @session: a session
 * @uri: the URL
 * @content_type: (nullable): the media type of @body
 * @body: (nullable): the request body
 *
 * Sends @body to @uri with POST.
 *
 * Returns: (transfer full): a deferred that fires with a
 *   [class@WeftSoup.Response]
 */
WeftDeferred *
weft_soup_post (SoupSession *session, const char *uri, const char *content_type, GBytes *body)
{
  GError *error = NULL;
  g_autoptr (SoupMessage) message = post_message_new (uri, content_type, body, &error);

  if (message == NULL)
    return weft_deferred_fail (error);
  return weft_soup_request (session, message);
}

/* Streaming into a protocol */

typedef struct {
  WeftDeferred *deferred;
  SoupMessage *message;
  WeftProtocol *protocol;
  WeftSoupRequestFlags flags;
  guint64 max_body_size;
  WeftSoupBodyTransport *transport;
} StreamCall;

static void
stream_call_free (StreamCall *call)
{
  g_clear_object (&call->deferred);
  g_clear_object (&call->message);
  g_clear_object (&call->protocol);
  g_clear_object (&call->transport);
  g_free (call);
}

static void
stream_fail (StreamCall *call, GError *error)
{
  if (!weft_deferred_has_fired (call->deferred))
    weft_deferred_errback (call->deferred, error);
  else
    g_error_free (error);
}

static void
stream_body_done_cb (WeftSoupBodyTransport *transport, const GError *error, gpointer user_data)
{
  StreamCall *call = user_data;

  if (error != NULL)
    stream_fail (call, g_error_copy (error));
  else if (!weft_deferred_has_fired (call->deferred))
    weft_deferred_callback_take_object (call->deferred, weft_soup_response_new (call->message, NULL));
  stream_call_free (call);
}

static void
stream_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StreamCall *call = user_data;
  GError *error = NULL;
  g_autoptr (GInputStream) stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (stream == NULL)
    {
      stream_fail (call, error);
      stream_call_free (call);
      return;
    }
  error = check_response_head (call->message, call->flags, call->max_body_size);
  if (error != NULL)
    {
      stream_fail (call, error);
      stream_call_free (call);
      return;
    }
  call->transport = weft_soup_body_transport_new (stream, call->message, call->max_body_size,
                                                  weft_deferred_get_cancellable (call->deferred));
  weft_soup_body_transport_start (call->transport, call->protocol, stream_body_done_cb, call);
}

/**
 * weft_soup_request_stream:
 * @session: a session
 * @message: the request
 * @protocol: receives the body
 * @flags: how to treat the response
 * @max_body_size: the largest body to deliver, in bytes (%G_MAXUINT64: no
 *   limit)
 *
 * Sends @message and delivers the response body to @protocol as it
 * arrives: connection_made with a read-only transport once the headers are
 * in and the status is acceptable, data_received per chunk, then
 * connection_lost (%WEFT_ERROR_CONNECTION_DONE at the end of the body).
 * weft_transport_pause_reading() on that transport stops reading from the
 * network until weft_transport_resume_reading(), so memory stays bounded
 * whatever the size of the body; weft_transport_lose_connection() stops the
 * download.
 *
 * The deferred fires with a [class@WeftSoup.Response] without body after
 * the last byte was delivered, or fails as weft_soup_request_full() does;
 * when it fails after connection_made, @protocol's connection_lost
 * receives the same error.
 *
 * Returns: (transfer full): a deferred
 */
WeftDeferred *
weft_soup_request_stream (SoupSession *session,
                          SoupMessage *message,
                          WeftProtocol *protocol,
                          WeftSoupRequestFlags flags,
                          guint64 max_body_size)
{
  GError *error = NULL;
  StreamCall *call;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (SOUP_IS_MESSAGE (message), NULL);
  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), NULL);

  if (!weft_soup_check_session_context (session, &error))
    return weft_deferred_fail (error);

  call = g_new0 (StreamCall, 1);
  call->deferred = weft_deferred_new ();
  weft_deferred_set_description (call->deferred, "weft_soup_request_stream");
  call->message = g_object_ref (message);
  call->protocol = g_object_ref (protocol);
  call->flags = flags;
  call->max_body_size = max_body_size;
  soup_session_send_async (session, message, G_PRIORITY_DEFAULT, weft_deferred_get_cancellable (call->deferred),
                           stream_sent_cb, call);
  return g_object_ref (call->deferred);
}
