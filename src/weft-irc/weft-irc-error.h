/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <glib.h>

#include "weft-irc-version.h"

G_BEGIN_DECLS

/**
 * WEFT_IRC_ERROR:
 *
 * The error domain of libweft-irc. Failures that GIO has a code for (a
 * cancelled operation, a closed connection, a timeout of the transport) are
 * reported in `G_IO_ERROR` instead.
 */
#define WEFT_IRC_ERROR (weft_irc_error_quark ())

/**
 * WeftIrcError:
 * @WEFT_IRC_ERROR_MALFORMED: a line that is not an IRC message, or a message
 *   that cannot be written as one
 * @WEFT_IRC_ERROR_TOO_LONG: a message over %WEFT_IRC_MAX_LINE_BYTES without
 *   its tags, or tags over %WEFT_IRC_MAX_TAG_BYTES
 * @WEFT_IRC_ERROR_NOT_CONNECTED: the operation needs a registered connection
 * @WEFT_IRC_ERROR_REGISTRATION: the server refused registration
 * @WEFT_IRC_ERROR_SASL: SASL authentication failed
 * @WEFT_IRC_ERROR_PING_TIMEOUT: the server did not answer a PING in time
 * @WEFT_IRC_ERROR_SERVER: an `ERROR` message or an error numeric from the
 *   server
 *
 * Error codes in the %WEFT_IRC_ERROR domain.
 */
typedef enum {
  WEFT_IRC_ERROR_MALFORMED,
  WEFT_IRC_ERROR_TOO_LONG,
  WEFT_IRC_ERROR_NOT_CONNECTED,
  WEFT_IRC_ERROR_REGISTRATION,
  WEFT_IRC_ERROR_SASL,
  WEFT_IRC_ERROR_PING_TIMEOUT,
  WEFT_IRC_ERROR_SERVER,
} WeftIrcError;

WEFT_IRC_AVAILABLE_IN_ALL
GQuark weft_irc_error_quark (void);

G_END_DECLS
