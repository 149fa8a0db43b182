/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SOUP_INSIDE) && !defined(WEFT_SOUP_COMPILATION)
#error "Only <weft-soup/weft-soup.h> can be included directly."
#endif

#include <glib.h>

#include "weft-soup-version.h"

G_BEGIN_DECLS

/**
 * WEFT_SOUP_ERROR:
 *
 * The error domain of libweft-soup's own failures (GIO's codes are used
 * where GIO has one).
 */
#define WEFT_SOUP_ERROR (weft_soup_error_quark ())

/**
 * WeftSoupError:
 * @WEFT_SOUP_ERROR_FAILED: anything else
 * @WEFT_SOUP_ERROR_WRONG_CONTEXT: a call was made while a thread-default
 *   main context other than the one the reactor hosts was pushed; libsoup
 *   would attach there and nothing would ever run
 * @WEFT_SOUP_ERROR_TOO_LARGE: a response body or a WebSocket message was
 *   larger than the configured cap
 * @WEFT_SOUP_ERROR_ORIGIN_REFUSED: a WebSocket upgrade came from an origin
 *   that is not allowed
 * @WEFT_SOUP_ERROR_UNSUPPORTED: an endpoint or option the bridge cannot serve
 *
 * Error codes in the %WEFT_SOUP_ERROR domain.
 */
typedef enum {
  WEFT_SOUP_ERROR_FAILED,
  WEFT_SOUP_ERROR_WRONG_CONTEXT,
  WEFT_SOUP_ERROR_TOO_LARGE,
  WEFT_SOUP_ERROR_ORIGIN_REFUSED,
  WEFT_SOUP_ERROR_UNSUPPORTED,
} WeftSoupError;

/**
 * WEFT_SOUP_HTTP_ERROR:
 *
 * The error domain of HTTP responses with a status of 400 or more: the
 * error code is the HTTP status (404, 500...), the message names status,
 * reason phrase and URL ("HTTP 404 Not Found for http://host/x").
 */
#define WEFT_SOUP_HTTP_ERROR (weft_soup_http_error_quark ())

/**
 * WEFT_WEBSOCKET_CLOSE_ERROR:
 *
 * The error domain of a WebSocket connection that the peer (or this side)
 * closed cleanly with a close code other than 1000 (normal) or 1001 (going
 * away): the error code is the close code (1008, 1009, 4000...), the
 * message holds the code and the reason. A clean close with 1000 or 1001 is
 * %WEFT_ERROR_CONNECTION_DONE, as on TCP.
 */
#define WEFT_WEBSOCKET_CLOSE_ERROR (weft_websocket_close_error_quark ())

WEFT_SOUP_AVAILABLE_IN_ALL
GQuark weft_soup_error_quark (void);
WEFT_SOUP_AVAILABLE_IN_ALL
GQuark weft_soup_http_error_quark (void);
WEFT_SOUP_AVAILABLE_IN_ALL
GQuark weft_websocket_close_error_quark (void);

G_END_DECLS
