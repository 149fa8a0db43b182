/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "chat-message.h"
#include "chat-message-body.h"

G_BEGIN_DECLS

/* The widget of one row of the message view; the list view recycles it. */
#define CHAT_TYPE_MESSAGE_ROW (chat_message_row_get_type ())
G_DECLARE_FINAL_TYPE (ChatMessageRow, chat_message_row, CHAT, MESSAGE_ROW, GtkWidget)

GtkWidget *chat_message_row_new (void);
void chat_message_row_set_message (ChatMessageRow *self, ChatMessage *message);
ChatMessage *chat_message_row_get_message (ChatMessageRow *self);
/* The widget that shows the text, for tests. (transfer none) */
ChatMessageBody *chat_message_row_get_body (ChatMessageRow *self);

/* What a click at (x, y) in the text widget's coordinates does: a link
 * there is opened. Returns whether there was one. */
gboolean chat_message_row_click_text (ChatMessageRow *self, double x, double y);

/* Opens a clicked link; gtk_show_uri() unless replaced (tests observe the
 * request through their own). NULL restores the default. */
typedef void (*ChatUriOpener) (GtkWindow *parent, const char *uri, gpointer data);
void chat_message_row_set_uri_opener (ChatUriOpener opener, gpointer data);

G_END_DECLS
