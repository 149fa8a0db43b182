/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <glib-object.h>
#include "weft-version.h"

G_BEGIN_DECLS

/**
 * WEFT_ERROR:
 *
 * The error domain of Weft's own errors. Operating-system failures are
 * reported in `G_IO_ERROR` instead, translated with g_io_error_from_errno().
 */
#define WEFT_ERROR (weft_error_quark ())

/**
 * WeftError:
 * @WEFT_ERROR_FAILED: a failure without a more specific code
 * @WEFT_ERROR_UNKNOWN_REACTOR: no backend has the requested name
 * @WEFT_ERROR_REACTOR_UNAVAILABLE: the backend exists but cannot run here
 * @WEFT_ERROR_FD_TOO_LARGE: the backend cannot watch a file descriptor
 *   this large (select() and `FD_SETSIZE`)
 * @WEFT_ERROR_CANCELLED: not reported any more: a cancelled operation gives
 *   %G_IO_ERROR_CANCELLED (kept so that old code still compiles)
 * @WEFT_ERROR_TIMEOUT: not reported any more: an operation that did not
 *   finish in time gives %G_IO_ERROR_TIMED_OUT (kept so that old code still
 *   compiles)
 * @WEFT_ERROR_ALREADY_CALLED: a one-shot operation was used twice
 * @WEFT_ERROR_CONNECTION_DONE: the connection was closed cleanly, by this
 *   side or by the peer (Twisted's `ConnectionDone`); the reason a protocol's
 *   connection_lost receives after an orderly close
 * @WEFT_ERROR_CONNECTION_LOST: the connection ended in a way that was not
 *   clean (Twisted's `ConnectionLost`)
 * @WEFT_ERROR_CONNECTION_ABORTED: this side aborted the connection with
 *   weft_transport_abort_connection()
 * @WEFT_ERROR_INVALID_ENDPOINT: an endpoint description such as
 *   `tcp:example.org:6667` could not be parsed; the message says what was
 *   expected and at which character
 *
 * Error codes in the %WEFT_ERROR domain.
 */
typedef enum {
  WEFT_ERROR_FAILED,
  WEFT_ERROR_UNKNOWN_REACTOR,
  WEFT_ERROR_REACTOR_UNAVAILABLE,
  WEFT_ERROR_FD_TOO_LARGE,
  WEFT_ERROR_CANCELLED,
  WEFT_ERROR_TIMEOUT,
  WEFT_ERROR_ALREADY_CALLED,
  WEFT_ERROR_CONNECTION_DONE,
  WEFT_ERROR_CONNECTION_LOST,
  WEFT_ERROR_CONNECTION_ABORTED,
  WEFT_ERROR_INVALID_ENDPOINT,
} WeftError;

WEFT_AVAILABLE_IN_ALL
GType weft_error_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_ERROR_ENUM (weft_error_get_type ())

WEFT_AVAILABLE_IN_ALL
GQuark weft_error_quark (void);

G_END_DECLS
