/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "chat-secrets.h"
#include "chat-application.h"

static const SecretSchema *
password_schema (void)
{
  static const SecretSchema schema = {
    "org.weft.Chat.Password",
    SECRET_SCHEMA_NONE,
    {
        { "server-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { NULL, 0 },
    },
  };

  return &schema;
}

void
chat_secrets_lookup (const char *server_id, GAsyncReadyCallback callback, gpointer data)
{
  secret_password_lookup (password_schema (), NULL, callback, data, "server-id", server_id, NULL);
}

char *
chat_secrets_lookup_finish (GAsyncResult *result, GError **error)
{
  return secret_password_lookup_finish (result, error);
}

const char *
chat_secrets_describe_error (const GError *error)
{
  /* Without a session bus or a keyring daemon, D-Bus and GIO report it. */
  if (error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR)
    return _ ("No keyring (Secret Service) is running: passwords are kept for this session only and must be "
              "entered again next time.");
  return _ ("The keyring could not be used: passwords are kept for this session only.");
}

static void
stored (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  GWeakRef *ref = data;
  g_autoptr (GObject) application = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  if (!secret_password_store_finish (result, &error) && application != NULL)
    chat_application_keyring_failed (CHAT_APPLICATION (application), error);
}

void
chat_secrets_store (const char *server_id, const char *server_name, const char *password, gpointer application)
{
  g_autofree char *label = g_strdup_printf (_ ("Weft Chat password for %s"), server_name);
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, application);
  secret_password_store (password_schema (), SECRET_COLLECTION_DEFAULT, label, password, NULL, stored, ref, "server-id",
                         server_id, NULL);
}

static void
cleared (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;

  if (!secret_password_clear_finish (result, &error))
    g_debug ("Removing a password failed: %s", error->message);
}

void
chat_secrets_clear (const char *server_id)
{
  secret_password_clear (password_schema (), NULL, cleared, NULL, "server-id", server_id, NULL);
}
