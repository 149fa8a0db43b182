/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "chat-message.h"

G_BEGIN_DECLS

typedef enum {
  CHAT_ROOM_SERVER, /* the server's own buffer: MOTD, notices, errors */
  CHAT_ROOM_CHANNEL,
  CHAT_ROOM_QUERY, /* a private chat */
} ChatRoomKind;

/* One entry of the sidebar and the messages it holds. */
#define CHAT_TYPE_ROOM (chat_room_get_type ())
G_DECLARE_FINAL_TYPE (ChatRoom, chat_room, CHAT, ROOM, GObject)

ChatRoom *chat_room_new (gpointer connection, ChatRoomKind kind, const char *name);

gpointer chat_room_get_connection (ChatRoom *self);
ChatRoomKind chat_room_get_kind (ChatRoom *self);
const char *chat_room_get_name (ChatRoom *self);
void chat_room_set_name (ChatRoom *self, const char *name);
const char *chat_room_get_topic (ChatRoom *self);
void chat_room_set_topic (ChatRoom *self, const char *topic);
gboolean chat_room_get_joined (ChatRoom *self);
void chat_room_set_joined (ChatRoom *self, gboolean joined);
guint chat_room_get_unread_count (ChatRoom *self);
guint chat_room_get_mention_count (ChatRoom *self);

/* The rows of the message view (messages, day separators, the unread
 * marker), oldest first. */
GListModel *chat_room_get_messages (ChatRoom *self);
/* The channel's members (WeftIrcMember items, unsorted), or NULL. */
GListModel *chat_room_get_members (ChatRoom *self);
void chat_room_set_members (ChatRoom *self, GListModel *members);

/* Appends a new message; counts it as unread (and adds the marker) while
 * the room is not on screen. Returns FALSE for a duplicate msgid. */
gboolean chat_room_append (ChatRoom *self, ChatMessage *message);
/* The same, shown with the other messages that arrive before the next frame
 * of the view that shows the room (one model change per frame; "rows-pending"
 * tells the view), or within 50 ms when no view does. */
gboolean chat_room_append_batched (ChatRoom *self, ChatMessage *message);
/* Shows the batched messages now. */
void chat_room_flush (ChatRoom *self);
/* Shows the oldest max_rows of the batched messages now and returns how
 * many still wait (they join on the view's next frame). */
guint chat_room_flush_some (ChatRoom *self, guint max_rows);
guint chat_room_get_n_pending (ChatRoom *self);
/* Inserts older messages (oldest first) above the current ones. */
void chat_room_prepend_history (ChatRoom *self, GPtrArray *messages);
ChatMessage *chat_room_get_oldest_message (ChatRoom *self);
ChatMessage *chat_room_get_newest_message (ChatRoom *self);
gboolean chat_room_has_msgid (ChatRoom *self, const char *msgid);
guint chat_room_get_n_messages (ChatRoom *self);
/* Position of the unread marker, or G_MAXUINT. */
guint chat_room_get_marker_position (ChatRoom *self);

/* Whether the room is the one on screen (with a focused window). */
void chat_room_set_active (ChatRoom *self, gboolean active);
gboolean chat_room_get_active (ChatRoom *self);

/* History paging state for CHATHISTORY BEFORE. */
gboolean chat_room_get_history_exhausted (ChatRoom *self);
void chat_room_set_history_exhausted (ChatRoom *self, gboolean exhausted);
gboolean chat_room_get_loading_history (ChatRoom *self);
void chat_room_set_loading_history (ChatRoom *self, gboolean loading);

/* Input history and draft, kept per room. */
GPtrArray *chat_room_get_input_history (ChatRoom *self);

G_END_DECLS
