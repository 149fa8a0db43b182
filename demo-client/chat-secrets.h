/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Server passwords in the Secret Service (GNOME Keyring, KWallet...). */
void chat_secrets_lookup (const char *server_id, GAsyncReadyCallback callback, gpointer data);
char *chat_secrets_lookup_finish (GAsyncResult *result, GError **error);
/* Stores a password; when no Secret Service runs, the application (a
 * ChatApplication) tells the user, once, that it is kept for this session. */
void chat_secrets_store (const char *server_id, const char *server_name, const char *password, gpointer application);
/* Forgets the password of a removed server. */
void chat_secrets_clear (const char *server_id);
/* A sentence for a person: what failed and what it means. */
const char *chat_secrets_describe_error (const GError *error);

G_END_DECLS
