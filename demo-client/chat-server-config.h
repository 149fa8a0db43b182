/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the user configured for one server: stored in GSettings as one
 * a{sv} entry of the "servers" key; the password lives in the Secret
 * Service, never here. */
typedef struct {
  char *id;   /* stable key for the Secret Service and pins */
  char *name; /* shown in the sidebar */
  char *url;  /* irc://host:port, ircs://host:port, ws://..., wss://... */
  char *nick;
  char **alt_nicks;
  char *realname;
  char *sasl_account; /* empty: no SASL */
  char **channels;    /* joined on connect */
  char *fingerprint;  /* a pinned certificate (SHA-256), or NULL */
  char *password;     /* not stored in GSettings; filled from the keyring */
} ChatServerConfig;

ChatServerConfig *chat_server_config_new (void);
ChatServerConfig *chat_server_config_copy (const ChatServerConfig *config);
void chat_server_config_free (ChatServerConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatServerConfig, chat_server_config_free)

GVariant *chat_server_config_to_variant (const ChatServerConfig *config);
ChatServerConfig *chat_server_config_from_variant (GVariant *variant);

/* Builds a URL from the parts the server dialog asks for. */
char *chat_server_config_build_url (const char *host, guint port, gboolean tls);

/* Whether the server's URL names this machine (a loopback address or
 * "localhost"): the embedded demo server, a test server or a bouncer. */
gboolean chat_server_config_is_local (const ChatServerConfig *config);

/* All configured servers (ChatServerConfig), from GSettings. */
GPtrArray *chat_server_config_load_all (GSettings *settings);
void chat_server_config_save (GSettings *settings, const ChatServerConfig *config);
void chat_server_config_remove (GSettings *settings, const char *id);

G_END_DECLS
