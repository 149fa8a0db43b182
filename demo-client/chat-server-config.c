/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "chat-server-config.h"

ChatServerConfig *
chat_server_config_new (void)
{
  ChatServerConfig *config = g_new0 (ChatServerConfig, 1);

  config->id = g_uuid_string_random ();
  return config;
}

ChatServerConfig *
chat_server_config_copy (const ChatServerConfig *config)
{
  ChatServerConfig *copy = g_new0 (ChatServerConfig, 1);

  copy->id = g_strdup (config->id);
  copy->name = g_strdup (config->name);
  copy->url = g_strdup (config->url);
  copy->nick = g_strdup (config->nick);
  copy->alt_nicks = g_strdupv (config->alt_nicks);
  copy->realname = g_strdup (config->realname);
  copy->sasl_account = g_strdup (config->sasl_account);
  copy->channels = g_strdupv (config->channels);
  copy->fingerprint = g_strdup (config->fingerprint);
  copy->password = g_strdup (config->password);
  return copy;
}

void
chat_server_config_free (ChatServerConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->id);
  g_free (config->name);
  g_free (config->url);
  g_free (config->nick);
  g_strfreev (config->alt_nicks);
  g_free (config->realname);
  g_free (config->sasl_account);
  g_strfreev (config->channels);
  g_free (config->fingerprint);
  g_free (config->password);
  g_free (config);
}

static void
add_string (GVariantBuilder *builder, const char *key, const char *value)
{
  if (value != NULL)
    g_variant_builder_add (builder, "{sv}", key, g_variant_new_string (value));
}

static void
add_strv (GVariantBuilder *builder, const char *key, char **value)
{
  if (value != NULL)
    g_variant_builder_add (builder, "{sv}", key, g_variant_new_strv ((const char *const *) value, -1));
}

GVariant *
chat_server_config_to_variant (const ChatServerConfig *config)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  add_string (&builder, "id", config->id);
  add_string (&builder, "name", config->name);
  add_string (&builder, "url", config->url);
  add_string (&builder, "nick", config->nick);
  add_strv (&builder, "alt-nicks", config->alt_nicks);
  add_string (&builder, "realname", config->realname);
  add_string (&builder, "sasl-account", config->sasl_account);
  add_strv (&builder, "channels", config->channels);
  add_string (&builder, "fingerprint", config->fingerprint);
  return g_variant_builder_end (&builder);
}

ChatServerConfig *
chat_server_config_from_variant (GVariant *variant)
{
  ChatServerConfig *config = g_new0 (ChatServerConfig, 1);
  GVariantDict dict;

  g_variant_dict_init (&dict, variant);
  g_variant_dict_lookup (&dict, "id", "s", &config->id);
  g_variant_dict_lookup (&dict, "name", "s", &config->name);
  g_variant_dict_lookup (&dict, "url", "s", &config->url);
  g_variant_dict_lookup (&dict, "nick", "s", &config->nick);
  g_variant_dict_lookup (&dict, "alt-nicks", "^as", &config->alt_nicks);
  g_variant_dict_lookup (&dict, "realname", "s", &config->realname);
  g_variant_dict_lookup (&dict, "sasl-account", "s", &config->sasl_account);
  g_variant_dict_lookup (&dict, "channels", "^as", &config->channels);
  g_variant_dict_lookup (&dict, "fingerprint", "s", &config->fingerprint);
  g_variant_dict_clear (&dict);
  if (config->id == NULL)
    config->id = g_uuid_string_random ();
  return config;
}

char *
chat_server_config_build_url (const char *host, guint port, gboolean tls)
{
  gboolean ipv6 = strchr (host, ':') != NULL;

  return g_strdup_printf ("%s://%s%s%s:%u", tls ? "ircs" : "irc", ipv6 ? "[" : "", host, ipv6 ? "]" : "",
                          port != 0 ? port : (tls ? 6697 : 6667));
}

gboolean
chat_server_config_is_local (const ChatServerConfig *config)
{
  g_autofree char *host = NULL;
  g_autoptr (GInetAddress) address = NULL;

  if (config->url == NULL || !g_uri_split_network (config->url, G_URI_FLAGS_NONE, NULL, &host, NULL, NULL))
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

GPtrArray *
chat_server_config_load_all (GSettings *settings)
{
  g_autoptr (GVariant) servers = g_settings_get_value (settings, "servers");
  GPtrArray *configs = g_ptr_array_new_with_free_func ((GDestroyNotify) chat_server_config_free);
  GVariantIter iter;
  GVariant *child;

  g_variant_iter_init (&iter, servers);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_ptr_array_add (configs, chat_server_config_from_variant (child));
      g_variant_unref (child);
    }
  return configs;
}

/* Replaces the entry with the same id, or appends one. */
void
chat_server_config_save (GSettings *settings, const ChatServerConfig *config)
{
  g_autoptr (GPtrArray) configs = chat_server_config_load_all (settings);
  GVariantBuilder builder;
  gboolean replaced = FALSE;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < configs->len; i++)
    {
      ChatServerConfig *existing = configs->pdata[i];

      if (g_strcmp0 (existing->id, config->id) == 0)
        {
          g_variant_builder_add_value (&builder, chat_server_config_to_variant (config));
          replaced = TRUE;
        }
      else
        g_variant_builder_add_value (&builder, chat_server_config_to_variant (existing));
    }
  if (!replaced)
    g_variant_builder_add_value (&builder, chat_server_config_to_variant (config));
  g_settings_set_value (settings, "servers", g_variant_builder_end (&builder));
}

void
chat_server_config_remove (GSettings *settings, const char *id)
{
  g_autoptr (GPtrArray) configs = chat_server_config_load_all (settings);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < configs->len; i++)
    {
      ChatServerConfig *existing = configs->pdata[i];

      if (g_strcmp0 (existing->id, id) != 0)
        g_variant_builder_add_value (&builder, chat_server_config_to_variant (existing));
    }
  g_settings_set_value (settings, "servers", g_variant_builder_end (&builder));
}
