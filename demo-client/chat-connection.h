/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <weft-irc/weft-irc.h>
#include <weft/weft.h>

#include "chat-room.h"
#include "chat-server-config.h"

G_BEGIN_DECLS

typedef enum {
  CHAT_CONNECTION_DISCONNECTED,
  CHAT_CONNECTION_CONNECTING,
  CHAT_CONNECTION_CONNECTED,
  CHAT_CONNECTION_RECONNECTING,
} ChatConnectionState;

/* One server: a WeftIrcClient and the rooms the user sees for it. The
 * client keeps channels, the outbox and unconfirmed messages across
 * reconnects; this object turns its events into ChatMessages in rooms. */
#define CHAT_TYPE_CONNECTION (chat_connection_get_type ())
G_DECLARE_FINAL_TYPE (ChatConnection, chat_connection, CHAT, CONNECTION, GObject)

ChatConnection *chat_connection_new (WeftReactor *reactor, const ChatServerConfig *config);
const ChatServerConfig *chat_connection_get_config (ChatConnection *self);
WeftIrcClient *chat_connection_get_client (ChatConnection *self);

void chat_connection_connect (ChatConnection *self);
/* The user edited the server: a new address, nick, name or password
 * reconnects; channels added are joined, channels removed are left. */
void chat_connection_set_config (ChatConnection *self, const ChatServerConfig *config);
void chat_connection_reconnect_now (ChatConnection *self);
void chat_connection_disconnect (ChatConnection *self, const char *quit_message);
/* Connects again, accepting the server's certificate by its SHA-256
 * fingerprint (64 hex digits) instead of a certificate authority. */
void chat_connection_trust_certificate (ChatConnection *self, const char *fingerprint);
/* Reacts to GNetworkMonitor: retry at once when the network comes back. */
void chat_connection_network_changed (ChatConnection *self, gboolean available);

ChatConnectionState chat_connection_get_state (ChatConnection *self);
/* "Connecting…", "Connected · 12 ms", "Reconnecting in 8 s", "Disconnected: …" */
const char *chat_connection_get_status_text (ChatConnection *self);
const char *chat_connection_get_nick (ChatConnection *self);

/* The server room first, then channels and private chats. */
GListModel *chat_connection_get_rooms (ChatConnection *self);
ChatRoom *chat_connection_get_server_room (ChatConnection *self);
ChatRoom *chat_connection_find_room (ChatConnection *self, const char *name);
ChatRoom *chat_connection_ensure_query (ChatConnection *self, const char *nick);
void chat_connection_close_room (ChatConnection *self, ChatRoom *room);
gboolean chat_connection_is_channel_name (ChatConnection *self, const char *name);

/* Sends a message (or a /me action) to a room; it shows as pending until
 * the server confirms it. */
ChatMessage *chat_connection_send_text (ChatConnection *self, ChatRoom *room, const char *text, gboolean action);
/* Asks the server for messages older than the oldest shown. */
void chat_connection_load_older (ChatConnection *self, ChatRoom *room);
/* Shows a local notice (command output, errors) in a room. */
void chat_connection_add_info (ChatConnection *self, ChatRoom *room, ChatMessageKind kind, const char *text);

G_END_DECLS
