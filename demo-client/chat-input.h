/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "chat-room.h"

G_BEGIN_DECLS

/* The message entry: Tab completes nicks and /commands, Up and Down walk
 * the room's input history, pasting several lines asks first. Emits ::send
 * with each line to send. */
#define CHAT_TYPE_INPUT (chat_input_get_type ())
G_DECLARE_FINAL_TYPE (ChatInput, chat_input, CHAT, INPUT, GtkWidget)

void chat_input_set_room (ChatInput *self, ChatRoom *room);
GtkEntry *chat_input_get_entry (ChatInput *self);
/* Completes the word before the cursor (what Tab does). */
gboolean chat_input_complete (ChatInput *self);
/* Shows an earlier (-1) or later (+1) line of the room's input history
 * (what Up and Down do). */
void chat_input_walk_history (ChatInput *self, int delta);
/* Sends what is in the entry (what Enter does). */
void chat_input_activate (ChatInput *self);
/* Handles text as if pasted. */
void chat_input_paste_text (ChatInput *self, const char *text);

G_END_DECLS
