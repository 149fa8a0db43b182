/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <weft/weft.h>

#include "weft-irc-channel.h"
#include "weft-irc-isupport.h"
#include "weft-irc-member.h"
#include "weft-irc-message.h"
#include "weft-irc-outgoing.h"
#include "weft-irc-version.h"

G_BEGIN_DECLS

/*
 * WeftIrcClient, in short (the gi-docgen comments in weft-irc-client.c are
 * the reference):
 *
 * One long-lived object per network that a user interface binds to. It is a
 * WeftProtocol, so it runs over any WeftTransport (TCP, TLS, a line-mode
 * WebSocket, a test's string transport): weft_protocol_connection_made()
 * on it directly runs one connection. For reconnects, use
 * weft_irc_client_connect() (irc:// and ircs:// URLs) or give
 * weft_irc_client_get_factory() (a WeftReconnectingClientFactory) to a
 * connector: every connection it builds drives this same client, so
 * channels, the outbox and unconfirmed messages survive reconnects. A
 * connection keeps its client alive: call weft_irc_client_disconnect()
 * before dropping the last reference.
 *
 * Sent messages: weft_irc_client_send_privmsg() returns a WeftIrcOutgoing
 * to show ("sending", confirmed, failed). The server's echo of it arrives
 * as message-received with SELF | ECHO after the WeftIrcOutgoing has been
 * confirmed (same msgid): a view that shows the WeftIrcOutgoing skips it.
 *
 * Properties (all notified): state (WeftIrcClientState), nick (wanted),
 * current-nick, away, away-message, lag (µs, -1 unknown), server-name,
 * network, account, capabilities (GStrv), channels (GListModel of
 * WeftIrcChannel, kept across reconnects; WeftIrcChannel:joined says
 * whether the client is in it now), outbox (GListModel of WeftIrcOutgoing
 * not yet done), user-modes ("+iw").
 *
 * Signals (every string argument is UTF-8; WeftIrcMessage arguments are
 * the message that caused the event, valid during the emission):
 *   registered        (const char *nick)
 *   disconnected      (const GError *reason)            G_TYPE_ERROR
 *   message-received  (WeftIrcMessage *message, const char *conversation,
 *                      const char *nick, const char *text,
 *                      WeftIrcMessageFlags flags)
 *       conversation: the channel, or for a private message the other
 *       party's nick (also for our own echoed private messages); NULL for
 *       server notices. text: without CTCP ACTION framing.
 *   joined            (WeftIrcChannel *channel, const char *nick, WeftIrcMessage *message)
 *   parted            (WeftIrcChannel *channel, const char *nick, const char *reason, WeftIrcMessage *message)
 *   kicked            (WeftIrcChannel *channel, const char *nick, const char *by,
 *                      const char *reason, WeftIrcMessage *message)
 *   quit              (const char *nick, const char *reason, GStrv channels, WeftIrcMessage *message)
 *   nick-changed      (const char *old_nick, const char *new_nick, GStrv channels, WeftIrcMessage *message)
 *   topic-changed     (WeftIrcChannel *channel, const char *setter, const char *topic, WeftIrcMessage *message)
 *   mode-changed      (const char *target, const char *setter, const char *modes, GStrv args,
 *                      WeftIrcMessage *message)
 *   invited           (const char *inviter, const char *nick, const char *channel, WeftIrcMessage *message)
 *   away-changed      (const char *nick, const char *message)      message NULL: back
 *   account-changed   (const char *nick, const char *account)      account NULL: logged out
 *   host-changed      (const char *nick, const char *user, const char *host)
 *   realname-changed  (const char *nick, const char *realname)
 *   error-received    (guint numeric, const char *text, WeftIrcMessage *message)
 *       error numerics (400-599, SASL failures), ERROR and FAIL (numeric 0)
 *   server-reply      (guint numeric, const char *text, WeftIrcMessage *message)
 *       informational numerics (welcome, MOTD, WHOIS...) for a server view
 *   ctcp-request      (const char *nick, const char *target, const char *command, const char *args)
 *   ctcp-reply        (const char *nick, const char *command, const char *args)
 *   history-received  (const char *conversation, guint n_messages)
 *       after a CHATHISTORY batch has been delivered as HISTORY messages
 *   line-received     (WeftIrcMessage *message)    every message, first
 *   line-sent         (const char *line)           every line written
 */

/**
 * WeftIrcClientState:
 * @WEFT_IRC_CLIENT_STATE_DISCONNECTED: no connection, and none is being made
 * @WEFT_IRC_CLIENT_STATE_CONNECTING: a connection attempt is under way
 * @WEFT_IRC_CLIENT_STATE_REGISTERING: connected; capability negotiation,
 *   SASL and NICK/USER are under way
 * @WEFT_IRC_CLIENT_STATE_REGISTERED: registered (RPL_WELCOME received):
 *   channels are (re)joined, the outbox is delivered
 * @WEFT_IRC_CLIENT_STATE_WAITING: the connection was lost or failed and the
 *   client waits before trying again (reconnecting factory)
 *
 * The #WeftIrcClient:state property, for a status label.
 */
typedef enum {
  WEFT_IRC_CLIENT_STATE_DISCONNECTED,
  WEFT_IRC_CLIENT_STATE_CONNECTING,
  WEFT_IRC_CLIENT_STATE_REGISTERING,
  WEFT_IRC_CLIENT_STATE_REGISTERED,
  WEFT_IRC_CLIENT_STATE_WAITING,
} WeftIrcClientState;

/**
 * WeftIrcSaslMechanism:
 * @WEFT_IRC_SASL_NONE: no SASL
 * @WEFT_IRC_SASL_PLAIN: PLAIN with #WeftIrcClient:sasl-username and
 *   #WeftIrcClient:sasl-password
 * @WEFT_IRC_SASL_EXTERNAL: EXTERNAL: the TLS client certificate of the
 *   connection identifies the account
 *
 * Which SASL mechanism the client authenticates with during registration.
 */
typedef enum {
  WEFT_IRC_SASL_NONE,
  WEFT_IRC_SASL_PLAIN,
  WEFT_IRC_SASL_EXTERNAL,
} WeftIrcSaslMechanism;

/**
 * WeftIrcMessageFlags:
 * @WEFT_IRC_MESSAGE_FLAGS_NONE: a live message from someone else
 * @WEFT_IRC_MESSAGE_FLAGS_SELF: sent by this client (echo-message, or the
 *   local copy of a message sent without echo-message)
 * @WEFT_IRC_MESSAGE_FLAGS_ECHO: the server's echo of a message this client
 *   sent (echo-message); with @WEFT_IRC_MESSAGE_FLAGS_SELF
 * @WEFT_IRC_MESSAGE_FLAGS_HISTORY: replayed history (CHATHISTORY or a
 *   chathistory batch), not a live message
 * @WEFT_IRC_MESSAGE_FLAGS_NOTICE: a NOTICE, not a PRIVMSG
 * @WEFT_IRC_MESSAGE_FLAGS_ACTION: a CTCP ACTION ("/me"); the text is the
 *   action without the CTCP framing
 * @WEFT_IRC_MESSAGE_FLAGS_PRIVATE: a private message: the conversation is
 *   named after the other party, not a channel
 * @WEFT_IRC_MESSAGE_FLAGS_SERVER: from a server (no nick!user@host source)
 * @WEFT_IRC_MESSAGE_FLAGS_HIGHLIGHT: mentions the client's own nick
 *
 * What a #WeftIrcClient::message-received message is.
 */
typedef enum {
  WEFT_IRC_MESSAGE_FLAGS_NONE = 0,
  WEFT_IRC_MESSAGE_FLAGS_SELF = 1 << 0,
  WEFT_IRC_MESSAGE_FLAGS_ECHO = 1 << 1,
  WEFT_IRC_MESSAGE_FLAGS_HISTORY = 1 << 2,
  WEFT_IRC_MESSAGE_FLAGS_NOTICE = 1 << 3,
  WEFT_IRC_MESSAGE_FLAGS_ACTION = 1 << 4,
  WEFT_IRC_MESSAGE_FLAGS_PRIVATE = 1 << 5,
  WEFT_IRC_MESSAGE_FLAGS_SERVER = 1 << 6,
  WEFT_IRC_MESSAGE_FLAGS_HIGHLIGHT = 1 << 7,
} WeftIrcMessageFlags;

/**
 * WEFT_IRC_CLIENT_DEFAULT_PING_INTERVAL:
 *
 * How long, in microseconds, the client waits on a silent connection before
 * it sends a PING of its own (to measure lag and detect a dead link).
 */
#define WEFT_IRC_CLIENT_DEFAULT_PING_INTERVAL (60 * G_USEC_PER_SEC)

/**
 * WEFT_IRC_CLIENT_DEFAULT_PING_TIMEOUT:
 *
 * How long, in microseconds, the client waits for the answer to its PING
 * before it closes the connection as dead.
 */
#define WEFT_IRC_CLIENT_DEFAULT_PING_TIMEOUT (60 * G_USEC_PER_SEC)

/**
 * WEFT_IRC_CLIENT_DEFAULT_FLOOD_BURST:
 *
 * How many lines the client may write at once before flood control paces
 * it (the size of its token bucket).
 */
#define WEFT_IRC_CLIENT_DEFAULT_FLOOD_BURST 5

/**
 * WEFT_IRC_CLIENT_DEFAULT_FLOOD_INTERVAL:
 *
 * The steady rate of flood control: one line per this many microseconds
 * once the burst is spent.
 */
#define WEFT_IRC_CLIENT_DEFAULT_FLOOD_INTERVAL (2 * G_USEC_PER_SEC)

#define WEFT_IRC_TYPE_CLIENT (weft_irc_client_get_type ())
WEFT_IRC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftIrcClient, weft_irc_client, WEFT_IRC, CLIENT, WeftProtocol)

/* Construction and configuration (set before connecting) */
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcClient *weft_irc_client_new (WeftReactor *reactor, const char *nick) G_GNUC_WARN_UNUSED_RESULT;
WEFT_IRC_AVAILABLE_IN_ALL
WeftReactor *weft_irc_client_get_reactor (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_set_username (WeftIrcClient *client, const char *username);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_set_realname (WeftIrcClient *client, const char *realname);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_set_password (WeftIrcClient *client, const char *password);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_set_sasl (WeftIrcClient *client,
                               WeftIrcSaslMechanism mechanism,
                               const char *username,
                               const char *password);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_set_flood_control (WeftIrcClient *client, guint burst, gint64 interval_us);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_set_ping_timing (WeftIrcClient *client, gint64 interval_us, gint64 timeout_us);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_set_version_reply (WeftIrcClient *client, const char *version);

/* Connecting */
WEFT_IRC_AVAILABLE_IN_ALL
char *weft_irc_url_to_endpoint (const char *url, GError **error) G_GNUC_WARN_UNUSED_RESULT;
WEFT_IRC_AVAILABLE_IN_ALL
WeftClientFactory *weft_irc_client_get_factory (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_client_connect (WeftIrcClient *client, const char *url, GError **error);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_connect_endpoint (WeftIrcClient *client, WeftClientEndpoint *endpoint);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_disconnect (WeftIrcClient *client, const char *quit_message);

/* State */
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcClientState weft_irc_client_get_state (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_client_get_nick (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_client_get_current_nick (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_client_get_away (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_client_get_away_message (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_client_get_user_modes (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
gint64 weft_irc_client_get_lag (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_client_get_server_name (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_client_get_network (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_client_get_account (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *const *weft_irc_client_get_capabilities (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_client_has_capability (WeftIrcClient *client, const char *name);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_client_get_isupport (WeftIrcClient *client, const char *key);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcIsupport *weft_irc_client_get_server_isupport (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_client_is_channel_name (WeftIrcClient *client, const char *name);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_client_names_equal (WeftIrcClient *client, const char *a, const char *b);
WEFT_IRC_AVAILABLE_IN_ALL
GListModel *weft_irc_client_get_channels (WeftIrcClient *client);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcChannel *weft_irc_client_lookup_channel (WeftIrcClient *client, const char *name);
WEFT_IRC_AVAILABLE_IN_ALL
GListModel *weft_irc_client_get_outbox (WeftIrcClient *client);

/* Commands. All of them go through flood control; those that need a
 * registered connection wait for one (outbox) unless said otherwise. */
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_join (WeftIrcClient *client, const char *channel, const char *key);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_part (WeftIrcClient *client, const char *channel, const char *reason);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcOutgoing *weft_irc_client_send_privmsg (WeftIrcClient *client, const char *target, const char *text);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcOutgoing *weft_irc_client_send_notice (WeftIrcClient *client, const char *target, const char *text);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcOutgoing *weft_irc_client_send_action (WeftIrcClient *client, const char *target, const char *text);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_send_ctcp (WeftIrcClient *client, const char *target, const char *command, const char *args);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_set_nick (WeftIrcClient *client, const char *nick);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_set_topic (WeftIrcClient *client, const char *channel, const char *topic);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_set_away (WeftIrcClient *client, const char *message);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_set_mode (WeftIrcClient *client, const char *target, const char *modes, const char *const *args);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_kick (WeftIrcClient *client, const char *channel, const char *nick, const char *reason);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_invite (WeftIrcClient *client, const char *nick, const char *channel);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_fetch_history (WeftIrcClient *client, const char *target, guint limit);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_send_message (WeftIrcClient *client, WeftIrcMessage *message);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_client_send_ping (WeftIrcClient *client);

G_END_DECLS
