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
/* The connection of a configured server, by its id. (transfer none) */
ChatConnection *chat_application_find_connection (ChatApplication *self, const char *id);
/* Disconnects, closes its rooms and forgets the server (GSettings, keyring). */
void chat_application_remove_connection (ChatApplication *self, ChatConnection *connection);
/* The keyring could not be used: says so once per session, in a toast. */
void chat_application_keyring_failed (ChatApplication *self, const GError *error);
/* Notifications are sent while the window is not focused; tests decide
 * what "focused" is (1, 0; -1: the window's own state). Each one sent
 * emits ::notification-sent (id, GNotification). */
void chat_application_override_focus (ChatApplication *self, int focused);
/* Whether a notification service (or the portal) would show them. */
gboolean chat_application_can_notify (ChatApplication *self);
/* How many times the keyring failed this session. */
guint chat_application_get_keyring_failures (ChatApplication *self);

/* Starts the chat server in this process and thread (loopback, a random
 * port) with its demo users and history, and connects to it. data_dir:
 * where the server keeps its history (NULL: the user's cache). */
gboolean chat_application_start_demo (ChatApplication *self, const char *data_dir, GError **error);
/* The embedded server of --demo, or NULL. (transfer none) */
gpointer chat_application_get_demo_server (ChatApplication *self);

/* Parses the command line, then runs until the last window closes. */
int chat_application_main (int argc, char **argv);

G_END_DECLS
