/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "chat-message.h"

G_BEGIN_DECLS

/* The widget of one row of the message view; the list view recycles it. */
#define CHAT_TYPE_MESSAGE_ROW (chat_message_row_get_type ())
G_DECLARE_FINAL_TYPE (ChatMessageRow, chat_message_row, CHAT, MESSAGE_ROW, GtkWidget)

GtkWidget *chat_message_row_new (void);
void chat_message_row_set_message (ChatMessageRow *self, ChatMessage *message);
ChatMessage *chat_message_row_get_message (ChatMessageRow *self);
/* The label that shows the text, for tests. */
GtkLabel *chat_message_row_get_text_label (ChatMessageRow *self);

G_END_DECLS
