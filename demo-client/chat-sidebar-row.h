/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "chat-room.h"

G_BEGIN_DECLS

/* One sidebar entry: a server (with its connection state) or a room (with
 * its unread count and mention badge). */
#define CHAT_TYPE_SIDEBAR_ROW (chat_sidebar_row_get_type ())
G_DECLARE_FINAL_TYPE (ChatSidebarRow, chat_sidebar_row, CHAT, SIDEBAR_ROW, GtkListBoxRow)

GtkWidget *chat_sidebar_row_new (ChatRoom *room);
ChatRoom *chat_sidebar_row_get_room (ChatSidebarRow *self);

G_END_DECLS
