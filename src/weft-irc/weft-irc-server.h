/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <weft/weft.h>

#include "weft-irc-message.h"
#include "weft-irc-server-channel.h"
#include "weft-irc-server-connection.h"
#include "weft-irc-version.h"

G_BEGIN_DECLS

/**
 * WeftIrcHistorySelectorKind:
 * @WEFT_IRC_HISTORY_SELECTOR_NONE: `*`, no bound
 * @WEFT_IRC_HISTORY_SELECTOR_TIMESTAMP: `timestamp=...`
 * @WEFT_IRC_HISTORY_SELECTOR_MSGID: `msgid=...`
 */
typedef enum {
  WEFT_IRC_HISTORY_SELECTOR_NONE,
  WEFT_IRC_HISTORY_SELECTOR_TIMESTAMP,
  WEFT_IRC_HISTORY_SELECTOR_MSGID,
} WeftIrcHistorySelectorKind;

/**
 * WeftIrcHistorySelector:
 * @kind: what bounds the query
 * @time_us: for a timestamp, microseconds since the Unix epoch
 * @msgid: for a msgid, the message id
 */
typedef struct {
  WeftIrcHistorySelectorKind kind;
  gint64 time_us;
  const char *msgid;
} WeftIrcHistorySelector;

/**
 * WeftIrcHistoryQuery:
 * @subcommand: "LATEST", "BEFORE", "AFTER", "AROUND", "BETWEEN" or "TARGETS"
 * @target: the channel or nick asked about (%NULL for TARGETS)
 * @target_key: the history key of @target for the asking client (see
 *   [method@WeftIrc.Server.history_key]); %NULL for TARGETS
 * @from: the first selector
 * @to: the second selector (BETWEEN and TARGETS)
 * @limit: at most this many messages, already capped by the server's limit
 *
 * A CHATHISTORY request, checked and parsed.
 */
typedef struct {
  const char *subcommand;
  const char *target;
  const char *target_key;
  WeftIrcHistorySelector from;
  WeftIrcHistorySelector to;
  guint limit;
} WeftIrcHistoryQuery;

/**
 * WeftIrcServerCommandFlags:
 * @WEFT_IRC_SERVER_COMMAND_NONE: only for registered clients
 * @WEFT_IRC_SERVER_COMMAND_BEFORE_REGISTRATION: allowed before registration too
 * @WEFT_IRC_SERVER_COMMAND_ONLY_BEFORE_REGISTRATION: allowed only before it
 * @WEFT_IRC_SERVER_COMMAND_NO_PENALTY: does not count for flood control
 */
typedef enum {
  WEFT_IRC_SERVER_COMMAND_NONE = 0,
  WEFT_IRC_SERVER_COMMAND_BEFORE_REGISTRATION = 1 << 0,
  WEFT_IRC_SERVER_COMMAND_ONLY_BEFORE_REGISTRATION = 1 << 1,
  WEFT_IRC_SERVER_COMMAND_NO_PENALTY = 1 << 2,
} WeftIrcServerCommandFlags;

/**
 * WeftIrcServerCommandFunc:
 * @client: the connection the command came from
 * @message: the command, with at least its minimum number of parameters
 * @user_data: data given to [method@WeftIrc.Server.add_command]
 *
 * Handles one command. Replies sent from here (and from Deferreds held with
 * [method@WeftIrc.Server.hold_reply]) are labeled for labeled-response.
 */
typedef void (*WeftIrcServerCommandFunc) (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data);

/**
 * WeftIrcServerReplyFunc:
 * @client: the connection that sent the command
 * @result: the held Deferred's result (a value or an error)
 * @user_data: data given to [method@WeftIrc.Server.hold_reply]
 *
 * Finishes a command whose answer needed a Deferred; replies sent from here
 * belong to the command (labeled-response).
 */
typedef void (*WeftIrcServerReplyFunc) (WeftIrcServerConnection *client, WeftResult *result, gpointer user_data);

#define WEFT_IRC_TYPE_SERVER (weft_irc_server_get_type ())
WEFT_IRC_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftIrcServer, weft_irc_server, WEFT_IRC, SERVER, GObject)

/**
 * WeftIrcServerClass:
 * @accept_connection: policy for a new connection (limits per address...);
 *   return %FALSE with @error to refuse it, its message is sent to the client
 * @store_message: make a PRIVMSG or NOTICE durable before it is delivered;
 *   the Deferred fires with anything when stored, or with an error that is
 *   reported to the sender (the message is then not delivered); the default
 *   stores nothing
 * @query_history: answer a CHATHISTORY query; the Deferred fires with a
 *   `GPtrArray` of [struct@WeftIrc.Message] (G_TYPE_PTR_ARRAY, oldest first);
 *   the default has no history
 * @authenticate: check an account's password (SASL PLAIN); fires with the
 *   account name as a string, or an error
 * @register_account: create an account (REGISTER); fires with the account
 *   name, or an error with a message for the client
 * @client_registered: a client finished registration
 * @client_quit: a registered client left (QUIT, error, kill)
 * @connection_closed: a connection ended, registered or not (after
 *   @client_quit for a registered one)
 *
 * Policy hooks: a server program subclasses [class@WeftIrc.Server] and
 * decides storage, accounts and limits; the protocol is done here.
 */
struct _WeftIrcServerClass {
  GObjectClass parent_class;

  gboolean (*accept_connection) (WeftIrcServer *self, WeftIrcServerConnection *client, GError **error);
  WeftDeferred *(*store_message) (WeftIrcServer *self,
                                  WeftIrcServerConnection *sender,
                                  const char *target_key,
                                  WeftIrcMessage *message);
  WeftDeferred *(*query_history) (WeftIrcServer *self,
                                  WeftIrcServerConnection *client,
                                  const WeftIrcHistoryQuery *query);
  WeftDeferred *(*authenticate) (WeftIrcServer *self,
                                 WeftIrcServerConnection *client,
                                 const char *account,
                                 const char *password);
  WeftDeferred *(*register_account) (WeftIrcServer *self,
                                     WeftIrcServerConnection *client,
                                     const char *account,
                                     const char *email,
                                     const char *password);
  void (*client_registered) (WeftIrcServer *self, WeftIrcServerConnection *client);
  void (*client_quit) (WeftIrcServer *self, WeftIrcServerConnection *client, const char *reason);
  void (*connection_closed) (WeftIrcServer *self, WeftIrcServerConnection *client);

  /*< private >*/
  gpointer padding[7];
};

WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcServer *weft_irc_server_new (WeftReactor *reactor, const char *server_name) G_GNUC_WARN_UNUSED_RESULT;
WEFT_IRC_AVAILABLE_IN_ALL
WeftReactor *weft_irc_server_get_reactor (WeftIrcServer *server);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_server_get_name (WeftIrcServer *server);
WEFT_IRC_AVAILABLE_IN_ALL
WeftFactory *weft_irc_server_get_factory (WeftIrcServer *server);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcServerConnection *weft_irc_server_create_connection (WeftIrcServer *server) G_GNUC_WARN_UNUSED_RESULT;

WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_set_motd (WeftIrcServer *server, const char *motd);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_set_caps (WeftIrcServer *server, WeftIrcServerCaps caps);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcServerCaps weft_irc_server_get_caps (WeftIrcServer *server);

WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_add_command (WeftIrcServer *server,
                                  const char *verb,
                                  guint min_params,
                                  guint max_params,
                                  WeftIrcServerCommandFlags flags,
                                  WeftIrcServerCommandFunc func,
                                  gpointer user_data);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_hold_reply (WeftIrcServer *server,
                                 WeftIrcServerConnection *client,
                                 WeftDeferred *deferred,
                                 WeftIrcServerReplyFunc func,
                                 gpointer user_data,
                                 GDestroyNotify notify);

WEFT_IRC_AVAILABLE_IN_ALL
char *weft_irc_server_casefold (WeftIrcServer *server, const char *name) G_GNUC_WARN_UNUSED_RESULT;
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_server_is_valid_nick (WeftIrcServer *server, const char *nick);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_server_is_valid_channel (WeftIrcServer *server, const char *name);
WEFT_IRC_AVAILABLE_IN_ALL
char *weft_irc_server_history_key (WeftIrcServer *server, const char *nick, const char *target)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_IRC_AVAILABLE_IN_ALL
char *weft_irc_server_new_msgid (WeftIrcServer *server) G_GNUC_WARN_UNUSED_RESULT;

WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcServerConnection *weft_irc_server_find_client (WeftIrcServer *server, const char *nick);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcServerChannel *weft_irc_server_find_channel (WeftIrcServer *server, const char *name);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_server_get_n_clients (WeftIrcServer *server);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_server_get_n_connections (WeftIrcServer *server);
WEFT_IRC_AVAILABLE_IN_ALL
GList *weft_irc_server_get_connections (WeftIrcServer *server);

WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_notice_all (WeftIrcServer *server, const char *text);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_close_all (WeftIrcServer *server, const char *reason);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_server_abort_all (WeftIrcServer *server);

G_END_DECLS
