/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-soup-private.h"

/**
 * WeftSoupResponse:
 *
 * What an HTTP request returned: status, reason phrase, headers and the
 * body as #GBytes (%NULL when the body was streamed to a protocol).
 */
struct _WeftSoupResponse {
  GObject parent_instance;

  SoupMessage *message;
  GBytes *body;
};

G_DEFINE_FINAL_TYPE (WeftSoupResponse, weft_soup_response, G_TYPE_OBJECT)

static void
weft_soup_response_finalize (GObject *object)
{
  WeftSoupResponse *self = WEFT_SOUP_RESPONSE (object);

  g_clear_object (&self->message);
  g_clear_pointer (&self->body, g_bytes_unref);
  G_OBJECT_CLASS (weft_soup_response_parent_class)->finalize (object);
}

static void
weft_soup_response_class_init (WeftSoupResponseClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_soup_response_finalize;
}

static void
weft_soup_response_init (WeftSoupResponse *self)
{
}

WeftSoupResponse *
weft_soup_response_new (SoupMessage *message, GBytes *body)
{
  WeftSoupResponse *self = g_object_new (WEFT_SOUP_TYPE_RESPONSE, NULL);

  self->message = g_object_ref (message);
  self->body = body != NULL ? g_bytes_ref (body) : NULL;
  return self;
}

GError *
weft_soup_http_error_new (SoupMessage *message)
{
  g_autofree char *uri = g_uri_to_string_partial (soup_message_get_uri (message), G_URI_HIDE_PASSWORD);
  guint status = soup_message_get_status (message);
  const char *reason = soup_message_get_reason_phrase (message);

  if (reason == NULL || *reason == '\0')
    reason = soup_status_get_phrase (status);
  return g_error_new (WEFT_SOUP_HTTP_ERROR, status, _ ("HTTP %u %s for %s"), status, reason ? reason : "", uri);
}

/**
 * weft_soup_response_get_status:
 * @response: a response
 *
 * Returns: the HTTP status code (200, 404...)
 */
guint
weft_soup_response_get_status (WeftSoupResponse *response)
{
  g_return_val_if_fail (WEFT_SOUP_IS_RESPONSE (response), 0);
  return soup_message_get_status (response->message);
}

/**
 * weft_soup_response_get_reason:
 * @response: a response
 *
 * Returns: (transfer none): the reason phrase ("OK", "Not Found"...)
 */
const char *
weft_soup_response_get_reason (WeftSoupResponse *response)
{
  g_return_val_if_fail (WEFT_SOUP_IS_RESPONSE (response), NULL);
  return soup_message_get_reason_phrase (response->message);
}

/**
 * weft_soup_response_get_headers:
 * @response: a response
 *
 * Returns: (transfer none): the response headers
 */
SoupMessageHeaders *
weft_soup_response_get_headers (WeftSoupResponse *response)
{
  g_return_val_if_fail (WEFT_SOUP_IS_RESPONSE (response), NULL);
  return soup_message_get_response_headers (response->message);
}

/**
 * weft_soup_response_get_content_type:
 * @response: a response
 *
 * Returns: (transfer none) (nullable): the media type of the body, without
 *   parameters ("text/html")
 */
const char *
weft_soup_response_get_content_type (WeftSoupResponse *response)
{
  g_return_val_if_fail (WEFT_SOUP_IS_RESPONSE (response), NULL);
  return soup_message_headers_get_content_type (soup_message_get_response_headers (response->message), NULL);
}

/**
 * weft_soup_response_get_body:
 * @response: a response
 *
 * Returns: (transfer none) (nullable): the body; %NULL when it was streamed
 *   to a protocol
 */
GBytes *
weft_soup_response_get_body (WeftSoupResponse *response)
{
  g_return_val_if_fail (WEFT_SOUP_IS_RESPONSE (response), NULL);
  return response->body;
}

/**
 * weft_soup_response_get_uri:
 * @response: a response
 *
 * Returns: (transfer none): the URI the response came from, after redirects
 */
GUri *
weft_soup_response_get_uri (WeftSoupResponse *response)
{
  g_return_val_if_fail (WEFT_SOUP_IS_RESPONSE (response), NULL);
  return soup_message_get_uri (response->message);
}

/**
 * weft_soup_response_get_message:
 * @response: a response
 *
 * Returns: (transfer none): the libsoup message
 */
SoupMessage *
weft_soup_response_get_message (WeftSoupResponse *response)
{
  g_return_val_if_fail (WEFT_SOUP_IS_RESPONSE (response), NULL);
  return response->message;
}
