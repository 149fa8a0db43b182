/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The wrapped text of a message row: plain text plus Pango attributes,
 * never markup. It does what a wrapping GtkLabel does for the message
 * view, at a fraction of the cost: see chat-message-body.c. */
#define CHAT_TYPE_MESSAGE_BODY (chat_message_body_get_type ())
G_DECLARE_FINAL_TYPE (ChatMessageBody, chat_message_body, CHAT, MESSAGE_BODY, GtkWidget)

GtkWidget *chat_message_body_new (void);
/* Shows text (NULL: none) with attributes (NULL: none); the widget copies
 * the text and takes a reference to the attributes. */
void chat_message_body_set_text (ChatMessageBody *self, const char *text, PangoAttrList *attributes);
/* The text shown, never NULL. (transfer none) */
const char *chat_message_body_get_text (ChatMessageBody *self);
/* The layout as drawn, at the widget's current width; its origin is the
 * widget's. (transfer none) */
PangoLayout *chat_message_body_get_layout (ChatMessageBody *self);
/* The byte index of the text at (x, y) in the widget's coordinates, or
 * -1 where there is no text. */
int chat_message_body_index_at (ChatMessageBody *self, double x, double y);

G_END_DECLS
