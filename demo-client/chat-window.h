/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "chat-connection.h"
#include "chat-input.h"
#include "chat-member-list.h"
#include "chat-message-list.h"
#include "chat-sidebar.h"

G_BEGIN_DECLS

#define CHAT_TYPE_WINDOW (chat_window_get_type ())
G_DECLARE_FINAL_TYPE (ChatWindow, chat_window, CHAT, WINDOW, AdwApplicationWindow)

/* connections: a GListModel of ChatConnection, shown in the sidebar. */
ChatWindow *chat_window_new (GtkApplication *application, GListModel *connections);
void chat_window_select_room (ChatWindow *self, ChatRoom *room);
ChatRoom *chat_window_get_room (ChatWindow *self);
void chat_window_add_toast (ChatWindow *self, const char *text);

/* Parts, for tests and benchmarks. */
ChatSidebar *chat_window_get_sidebar (ChatWindow *self);
ChatMessageList *chat_window_get_message_list (ChatWindow *self);
ChatMemberList *chat_window_get_member_list (ChatWindow *self);
ChatInput *chat_window_get_input (ChatWindow *self);
const char *chat_window_get_status_text (ChatWindow *self);
/* The texts of the toasts shown so far, oldest first. (transfer none) */
GPtrArray *chat_window_get_toasts (ChatWindow *self);

G_END_DECLS
