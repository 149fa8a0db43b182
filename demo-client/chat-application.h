/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <weft/weft.h>

#include "chat-connection.h"
#include "chat-window.h"

G_BEGIN_DECLS

#define CHAT_APPLICATION_ID "org.weft.Chat"

#define CHAT_TYPE_APPLICATION (chat_application_get_type ())
G_DECLARE_FINAL_TYPE (ChatApplication, chat_application, CHAT, APPLICATION, AdwApplication)

ChatApplication *chat_application_new (WeftReactor *reactor);
WeftReactor *chat_application_get_reactor (ChatApplication *self);
GSettings *chat_application_get_settings (ChatApplication *self);
/* ChatConnection items. */
GListModel *chat_application_get_connections (ChatApplication *self);
ChatConnection *chat_application_add_connection (ChatApplication *self, const ChatServerConfig *config);
ChatWindow *chat_application_get_window (ChatApplication *self);

/* Starts the chat server in this process and thread (loopback, a random
 * port) with its demo users and history, and connects to it. data_dir:
 * where the server keeps its history (NULL: the user's cache). */
gboolean chat_application_start_demo (ChatApplication *self, const char *data_dir, GError **error);
/* The embedded server of --demo, or NULL. (transfer none) */
gpointer chat_application_get_demo_server (ChatApplication *self);

/* Parses the command line, then runs until the last window closes. */
int chat_application_main (int argc, char **argv);

G_END_DECLS
