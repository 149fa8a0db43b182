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

void chat_message_list_set_room (ChatMessageList *self, ChatRoom *room);
ChatRoom *chat_message_list_get_room (ChatMessageList *self);
void chat_message_list_scroll_to_bottom (ChatMessageList *self);
void chat_message_list_scroll_to (ChatMessageList *self, guint position);
gboolean chat_message_list_is_at_bottom (ChatMessageList *self);
GtkListView *chat_message_list_get_list_view (ChatMessageList *self);

G_END_DECLS
