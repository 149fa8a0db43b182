/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "chat-server-config.h"

G_BEGIN_DECLS

/* "Add Server": host, port and TLS or a ws:// / wss:// URL; nick and
 * alternatives; SASL account and password. Emits ::server-added. */
#define CHAT_TYPE_SERVER_DIALOG (chat_server_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ChatServerDialog, chat_server_dialog, CHAT, SERVER_DIALOG, AdwWindow)

ChatServerDialog *chat_server_dialog_new (GtkWindow *parent);
/* "Edit Server": the fields show config; Save emits ::server-changed with
 * the new configuration (same id, the pin kept while the address is). */
ChatServerDialog *chat_server_dialog_new_for_server (GtkWindow *parent, const ChatServerConfig *config);
gboolean chat_server_dialog_is_editing (ChatServerDialog *self);
/* The configuration the fields describe, or NULL (with error) when they
 * are incomplete. */
ChatServerConfig *chat_server_dialog_get_config (ChatServerDialog *self, GError **error);

/* Fills the fields, as a user would (for tests). */
void chat_server_dialog_fill (ChatServerDialog *self,
                              const char *name,
                              const char *host,
                              guint port,
                              gboolean tls,
                              const char *nick,
                              const char *channels);
void chat_server_dialog_set_password (ChatServerDialog *self, const char *password);

G_END_DECLS
