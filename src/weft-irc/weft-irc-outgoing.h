/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <glib-object.h>

#include "weft-irc-version.h"

G_BEGIN_DECLS

/**
 * WeftIrcOutgoingState:
 * @WEFT_IRC_OUTGOING_STATE_QUEUED: waiting to be written: the client is not
 *   connected or registered yet (the outbox), the channel is being rejoined,
 *   or flood control holds it back
 * @WEFT_IRC_OUTGOING_STATE_SENT: written to the connection; the client waits
 *   for the server to confirm it. If the connection dies in this state, the
 *   message goes back to the outbox and is sent again after the rejoin.
 * @WEFT_IRC_OUTGOING_STATE_CONFIRMED: the server confirmed it (by
 *   echo-message, labeled-response or, without those, by answering a PING
 *   that was sent after it); it is never sent again
 * @WEFT_IRC_OUTGOING_STATE_FAILED: the server refused it (for example
 *   "cannot send to channel"), or it was cancelled; see
 *   #WeftIrcOutgoing:error
 *
 * Where a message sent with weft_irc_client_send_privmsg() is. The state
 * only moves forward, except SENT → QUEUED when a connection dies.
 */
typedef enum {
  WEFT_IRC_OUTGOING_STATE_QUEUED,
  WEFT_IRC_OUTGOING_STATE_SENT,
  WEFT_IRC_OUTGOING_STATE_CONFIRMED,
  WEFT_IRC_OUTGOING_STATE_FAILED,
} WeftIrcOutgoingState;

#define WEFT_IRC_TYPE_OUTGOING (weft_irc_outgoing_get_type ())
WEFT_IRC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftIrcOutgoing, weft_irc_outgoing, WEFT_IRC, OUTGOING, GObject)

WEFT_IRC_AVAILABLE_IN_ALL
guint64 weft_irc_outgoing_get_id (WeftIrcOutgoing *outgoing);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_outgoing_get_verb (WeftIrcOutgoing *outgoing);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_outgoing_get_target (WeftIrcOutgoing *outgoing);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_outgoing_get_text (WeftIrcOutgoing *outgoing);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcOutgoingState weft_irc_outgoing_get_state (WeftIrcOutgoing *outgoing);
WEFT_IRC_AVAILABLE_IN_ALL
const GError *weft_irc_outgoing_get_error (WeftIrcOutgoing *outgoing);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_outgoing_get_msgid (WeftIrcOutgoing *outgoing);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_outgoing_get_n_lines (WeftIrcOutgoing *outgoing);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_outgoing_get_n_attempts (WeftIrcOutgoing *outgoing);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_outgoing_is_done (WeftIrcOutgoing *outgoing);

G_END_DECLS
