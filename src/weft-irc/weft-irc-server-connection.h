/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <weft/weft.h>

#include "weft-irc-message.h"
#include "weft-irc-version.h"

G_BEGIN_DECLS

/**
 * WeftIrcServerCaps:
 *
 * The IRCv3 capabilities the server side implements; a connection holds
 * the set its client enabled.
 */
typedef enum {
  WEFT_IRC_SERVER_CAP_MESSAGE_TAGS = 1 << 0,
  WEFT_IRC_SERVER_CAP_SERVER_TIME = 1 << 1,
  WEFT_IRC_SERVER_CAP_ECHO_MESSAGE = 1 << 2,
  WEFT_IRC_SERVER_CAP_BATCH = 1 << 3,
  WEFT_IRC_SERVER_CAP_LABELED_RESPONSE = 1 << 4,
  WEFT_IRC_SERVER_CAP_AWAY_NOTIFY = 1 << 5,
  WEFT_IRC_SERVER_CAP_ACCOUNT_NOTIFY = 1 << 6,
  WEFT_IRC_SERVER_CAP_EXTENDED_JOIN = 1 << 7,
  WEFT_IRC_SERVER_CAP_MULTI_PREFIX = 1 << 8,
  WEFT_IRC_SERVER_CAP_SASL = 1 << 9,
  WEFT_IRC_SERVER_CAP_CHATHISTORY = 1 << 10,
  WEFT_IRC_SERVER_CAP_CAP_NOTIFY = 1 << 11,
  WEFT_IRC_SERVER_CAP_ACCOUNT_TAG = 1 << 12,
  WEFT_IRC_SERVER_CAP_ACCOUNT_REGISTRATION = 1 << 13,
  WEFT_IRC_SERVER_CAP_INVITE_NOTIFY = 1 << 14,
  WEFT_IRC_SERVER_CAP_USERHOST_IN_NAMES = 1 << 15,
} WeftIrcServerCaps;

#define WEFT_IRC_TYPE_SERVER_CONNECTION (weft_irc_server_connection_get_type ())
WEFT_IRC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftIrcServerConnection,
                      weft_irc_server_connection,
                      WEFT_IRC,
                      SERVER_CONNECTION,
                      WeftLineReceiver)

typedef struct _WeftIrcServer WeftIrcServer;

WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcServer *weft_irc_server_connection_get_server (WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_server_connection_get_nick (WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_server_connection_get_user (WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_server_connection_get_host (WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_server_connection_get_ip (WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_server_connection_get_realname (WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_server_connection_get_account (WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_server_connection_get_away (WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
char *weft_irc_server_connection_dup_prefix (WeftIrcServerConnection *client) G_GNUC_WARN_UNUSED_RESULT;
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_server_connection_is_registered (WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
GList *weft_irc_server_connection_get_channels (WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcServerCaps weft_irc_server_connection_get_caps (WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_server_connection_has_cap (WeftIrcServerConnection *client, WeftIrcServerCaps cap);

WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_connection_set_line_framing (WeftIrcServerConnection *client, gboolean line_framing);

WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_connection_send (WeftIrcServerConnection *client, WeftIrcMessage *message);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_connection_send_numeric (WeftIrcServerConnection *client, guint numeric, ...)
    G_GNUC_NULL_TERMINATED;
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_connection_send_numeric_text (WeftIrcServerConnection *client,
                                                   guint numeric,
                                                   const char *text,
                                                   ...) G_GNUC_NULL_TERMINATED;
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_connection_send_fail (WeftIrcServerConnection *client,
                                           const char *command,
                                           const char *code,
                                           const char *context,
                                           const char *description);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_connection_close (WeftIrcServerConnection *client, const char *reason);

G_END_DECLS
