/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SOUP_INSIDE) && !defined(WEFT_SOUP_COMPILATION)
#error "Only <weft-soup/weft-soup.h> can be included directly."
#endif

#include <libsoup/soup.h>
#include <weft/weft.h>

#include "weft-soup-response.h"
#include "weft-soup-version.h"

G_BEGIN_DECLS

/**
 * WEFT_SOUP_DEFAULT_MAX_BODY_SIZE:
 *
 * The largest response body, in bytes, that the request functions collect
 * in memory unless told otherwise: 16 MiB.
 */
#define WEFT_SOUP_DEFAULT_MAX_BODY_SIZE (16 * 1024 * 1024)

/**
 * WeftSoupRequestFlags:
 * @WEFT_SOUP_REQUEST_FLAGS_NONE: the default: a status of 400 or more fails
 * @WEFT_SOUP_REQUEST_FLAGS_NO_HTTP_ERRORS: deliver every status as a
 *   response, 4xx and 5xx included
 *
 * How a request treats its response.
 */
typedef enum {
  WEFT_SOUP_REQUEST_FLAGS_NONE = 0,
  WEFT_SOUP_REQUEST_FLAGS_NO_HTTP_ERRORS = 1 << 0,
} WeftSoupRequestFlags;

WEFT_SOUP_AVAILABLE_IN_ALL
GType weft_soup_request_flags_get_type (void) G_GNUC_CONST;
#define WEFT_SOUP_TYPE_REQUEST_FLAGS (weft_soup_request_flags_get_type ())

/* Sessions and the reactor */

WEFT_SOUP_AVAILABLE_IN_ALL
SoupSession *weft_soup_session_new (WeftReactor *reactor) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_soup_session_set_reactor (SoupSession *session, WeftReactor *reactor);
WEFT_SOUP_AVAILABLE_IN_ALL
WeftReactor *weft_soup_session_get_reactor (SoupSession *session);
WEFT_SOUP_AVAILABLE_IN_ALL
gboolean weft_soup_check_context (WeftReactor *reactor, GError **error);

/* Requests as Deferreds */

WEFT_SOUP_AVAILABLE_IN_ALL
WeftDeferred *weft_soup_request (SoupSession *session, SoupMessage *message) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
WeftDeferred *weft_soup_request_full (SoupSession *session,
                                      SoupMessage *message,
                                      WeftSoupRequestFlags flags,
                                      gsize max_body_size) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
WeftDeferred *weft_soup_get (SoupSession *session, const char *uri) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
WeftDeferred *weft_soup_post (SoupSession *session, const char *uri, const char *content_type, GBytes *body)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
WeftDeferred *weft_soup_request_stream (SoupSession *session,
                                        SoupMessage *message,
                                        WeftProtocol *protocol,
                                        WeftSoupRequestFlags flags,
                                        guint64 max_body_size) G_GNUC_WARN_UNUSED_RESULT;

/* The same as GIO-style calls */

WEFT_SOUP_AVAILABLE_IN_ALL
void weft_soup_request_async (SoupSession *session,
                              SoupMessage *message,
                              WeftSoupRequestFlags flags,
                              gsize max_body_size,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
WEFT_SOUP_AVAILABLE_IN_ALL
WeftSoupResponse *weft_soup_request_finish (SoupSession *session, GAsyncResult *result, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_soup_get_async (SoupSession *session,
                          const char *uri,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data);
WEFT_SOUP_AVAILABLE_IN_ALL
WeftSoupResponse *weft_soup_get_finish (SoupSession *session, GAsyncResult *result, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_soup_post_async (SoupSession *session,
                           const char *uri,
                           const char *content_type,
                           GBytes *body,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data);
WEFT_SOUP_AVAILABLE_IN_ALL
WeftSoupResponse *weft_soup_post_finish (SoupSession *session, GAsyncResult *result, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
