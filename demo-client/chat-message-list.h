/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "chat-room.h"

G_BEGIN_DECLS

/* The message view: a virtualised GtkListView over a room's messages that
 * sticks to the bottom while the user is there and asks for older history
 * (::load-older) when scrolled to the top. */
#define CHAT_TYPE_MESSAGE_LIST (chat_message_list_get_type ())
G_DECLARE_FINAL_TYPE (ChatMessageList, chat_message_list, CHAT, MESSAGE_LIST, GtkWidget)

/* New rows of the room on screen join the model this many at a time (at
 * most), so that a run that adds them can stop when its time is up. */
#define CHAT_MESSAGE_LIST_CHUNK_ROWS 8

void chat_message_list_set_room (ChatMessageList *self, ChatRoom *room);
ChatRoom *chat_message_list_get_room (ChatMessageList *self);
void chat_message_list_scroll_to_bottom (ChatMessageList *self);
void chat_message_list_scroll_to (ChatMessageList *self, guint position);
gboolean chat_message_list_is_at_bottom (ChatMessageList *self);
GtkListView *chat_message_list_get_list_view (ChatMessageList *self);

G_END_DECLS
