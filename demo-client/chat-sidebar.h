/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "chat-room.h"

G_BEGIN_DECLS

/* The list of servers and their rooms. */
#define CHAT_TYPE_SIDEBAR (chat_sidebar_get_type ())
G_DECLARE_FINAL_TYPE (ChatSidebar, chat_sidebar, CHAT, SIDEBAR, GtkWidget)

/* model: a GListModel of ChatRoom, servers each followed by their rooms. */
void chat_sidebar_set_model (ChatSidebar *self, GListModel *model);
ChatRoom *chat_sidebar_get_selected (ChatSidebar *self);
void chat_sidebar_select (ChatSidebar *self, ChatRoom *room);
/* Moves the selection by delta rooms; with unread_only, to the next room
 * that has unread messages. */
void chat_sidebar_move (ChatSidebar *self, int delta, gboolean unread_only);

G_END_DECLS
