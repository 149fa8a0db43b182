/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Registration and the connection's own state: CAP, AUTHENTICATE (SASL
 * PLAIN), REGISTER, PASS, NICK, USER, PING, PONG, QUIT, AWAY. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-server-private.h"

typedef struct {
  const char *name;
  WeftIrcServerCaps cap;
  const char *value; /* advertised with CAP LS 302 */
} CapInfo;

static const CapInfo cap_table[] = {
  { "account-notify", WEFT_IRC_SERVER_CAP_ACCOUNT_NOTIFY, NULL },
  { "account-tag", WEFT_IRC_SERVER_CAP_ACCOUNT_TAG, NULL },
  { "away-notify", WEFT_IRC_SERVER_CAP_AWAY_NOTIFY, NULL },
  { "batch", WEFT_IRC_SERVER_CAP_BATCH, NULL },
  { "cap-notify", WEFT_IRC_SERVER_CAP_CAP_NOTIFY, NULL },
  { "draft/account-registration", WEFT_IRC_SERVER_CAP_ACCOUNT_REGISTRATION, "before-connect" },
  { "draft/chathistory", WEFT_IRC_SERVER_CAP_CHATHISTORY, NULL },
  { "echo-message", WEFT_IRC_SERVER_CAP_ECHO_MESSAGE, NULL },
  { "extended-join", WEFT_IRC_SERVER_CAP_EXTENDED_JOIN, NULL },
  { "invite-notify", WEFT_IRC_SERVER_CAP_INVITE_NOTIFY, NULL },
  { "labeled-response", WEFT_IRC_SERVER_CAP_LABELED_RESPONSE, NULL },
  { "message-tags", WEFT_IRC_SERVER_CAP_MESSAGE_TAGS, NULL },
  { "multi-prefix", WEFT_IRC_SERVER_CAP_MULTI_PREFIX, NULL },
  { "sasl", WEFT_IRC_SERVER_CAP_SASL, "PLAIN" },
  { "server-time", WEFT_IRC_SERVER_CAP_SERVER_TIME, NULL },
  { "userhost-in-names", WEFT_IRC_SERVER_CAP_USERHOST_IN_NAMES, NULL },
};

const char *
_weft_irc_server_caps_to_names (WeftIrcServerCaps cap)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cap_table); i++)
    if (cap_table[i].cap == cap)
      return cap_table[i].name;
  return NULL;
}

static const CapInfo *
find_cap (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cap_table); i++)
    if (strcmp (cap_table[i].name, name) == 0)
      return &cap_table[i];
  return NULL;
}

static void
send_cap_list (WeftIrcServerConnection *client, const char *subcommand, WeftIrcServerCaps caps, gboolean values)
{
  const char *nick = client->nick != NULL ? client->nick : "*";
  GString *line = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cap_table); i++)
    {
      if (!(caps & cap_table[i].cap))
        continue;
      /* Continuation lines ("CAP * LS * :...") keep each under 512 bytes. */
      if (line->len > 350 && client->cap_version >= 302)
        {
          g_autoptr (WeftIrcMessage) message =
              _weft_irc_server_message_from_server (client->server, "CAP", nick, subcommand, "*", line->str, NULL);
          weft_irc_server_connection_send (client, message);
          g_string_truncate (line, 0);
        }
      if (line->len > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, cap_table[i].name);
      if (values && cap_table[i].value != NULL)
        g_string_append_printf (line, "=%s", cap_table[i].value);
    }
  {
    g_autoptr (WeftIrcMessage) message =
        _weft_irc_server_message_from_server (client->server, "CAP", nick, subcommand, line->str, NULL);
    weft_irc_server_connection_send (client, message);
  }
  g_string_free (line, TRUE);
}

static void
handle_cap (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  WeftIrcServer *server = client->server;
  const char *subcommand = weft_irc_message_get_param (message, 0);
  const char *nick = client->nick != NULL ? client->nick : "*";

  if (g_ascii_strcasecmp (subcommand, "LS") == 0)
    {
      const char *version = weft_irc_message_get_param (message, 1);

      if (!client->registered)
        client->cap_negotiating = TRUE;
      if (version != NULL && g_ascii_strtoull (version, NULL, 10) >= 302)
        {
          client->cap_version = 302;
          client->caps |= WEFT_IRC_SERVER_CAP_CAP_NOTIFY & weft_irc_server_get_caps (server);
        }
      send_cap_list (client, "LS", weft_irc_server_get_caps (server), client->cap_version >= 302);
    }
  else if (g_ascii_strcasecmp (subcommand, "LIST") == 0)
    send_cap_list (client, "LIST", client->caps, FALSE);
  else if (g_ascii_strcasecmp (subcommand, "REQ") == 0)
    {
      const char *wanted = weft_irc_message_get_param (message, 1);
      g_auto (GStrv) names = g_strsplit (wanted != NULL ? wanted : "", " ", -1);
      WeftIrcServerCaps add = 0, remove = 0;
      gboolean ok = wanted != NULL && *wanted != '\0';
      g_autoptr (WeftIrcMessage) reply = NULL;

      if (!client->registered)
        client->cap_negotiating = TRUE;
      for (guint i = 0; ok && names[i] != NULL; i++)
        {
          const char *name = names[i];
          gboolean negate = name[0] == '-';
          const CapInfo *info;

          if (*name == '\0')
            continue;
          info = find_cap (negate ? name + 1 : name);
          if (info == NULL || !_weft_irc_server_cap_allows (server, info->cap))
            ok = FALSE;
          else if (negate)
            remove |= info->cap;
          else
            add |= info->cap;
        }
      if (ok)
        client->caps = (client->caps | add) & ~remove;
      reply =
          _weft_irc_server_message_from_server (server, "CAP", nick, ok ? "ACK" : "NAK", wanted ? wanted : "", NULL);
      weft_irc_server_connection_send (client, reply);
    }
  else if (g_ascii_strcasecmp (subcommand, "END") == 0)
    {
      client->cap_negotiating = FALSE;
      _weft_irc_server_connection_try_register (client);
    }
  else
    weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_INVALIDCAPCMD, subcommand, NULL);
}

static void
log_in (WeftIrcServerConnection *client, const char *account)
{
  g_autofree char *prefix = weft_irc_server_connection_dup_prefix (client);
  g_autofree char *text = g_strdup_printf ("You are now logged in as %s", account);

  g_free (client->account);
  client->account = g_strdup (account);
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_LOGGEDIN, text, prefix, account, NULL);
  if (client->registered)
    {
      g_autoptr (WeftIrcMessage) notify = _weft_irc_server_message_from (client, "ACCOUNT", account, NULL);
      _weft_irc_server_send_to_peers (client->server, client, notify, FALSE, WEFT_IRC_SERVER_CAP_ACCOUNT_NOTIFY);
    }
}

static void
sasl_reset (WeftIrcServerConnection *client)
{
  g_clear_pointer (&client->sasl_mechanism, g_free);
  if (client->sasl_buffer != NULL)
    g_string_free (client->sasl_buffer, TRUE);
  client->sasl_buffer = NULL;
}

static void
sasl_done (WeftIrcServerConnection *client, WeftResult *result, gpointer user_data)
{
  if (weft_result_is_error (result))
    {
      g_debug ("SASL failed for %s: %s", client->ip, weft_result_get_error (result)->message);
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_SASLFAIL, NULL);
      return;
    }
  log_in (client, weft_result_get_string (result));
  client->sasl_done = TRUE;
  weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_SASLSUCCESS, NULL);
}

static void
sasl_plain (WeftIrcServerConnection *client, const char *encoded)
{
  gsize len = 0;
  g_autofree guchar *decoded = NULL;
  const char *authzid, *authcid, *password;
  gsize authzid_len, authcid_len;
  WeftDeferred *deferred;

  decoded = g_base64_decode (encoded, &len);
  /* authzid NUL authcid NUL password */
  authzid = (const char *) decoded;
  authzid_len = decoded != NULL ? strnlen (authzid, len) : len;
  if (decoded == NULL || authzid_len >= len)
    goto fail;
  authcid = authzid + authzid_len + 1;
  authcid_len = strnlen (authcid, len - authzid_len - 1);
  if (authzid_len + 1 + authcid_len >= len)
    goto fail;
  password = authcid + authcid_len + 1;
  {
    g_autofree char *password_copy = g_strndup (password, len - authzid_len - authcid_len - 2);
    g_autofree char *authcid_copy = g_strndup (authcid, authcid_len);

    if (authcid_len == 0 || (authzid_len > 0 && strncmp (authzid, authcid, MAX (authzid_len, authcid_len)) != 0))
      goto fail;
    deferred =
        WEFT_IRC_SERVER_GET_CLASS (client->server)->authenticate (client->server, client, authcid_copy, password_copy);
    weft_irc_server_hold_reply (client->server, client, deferred, sasl_done, NULL, NULL);
    g_object_unref (deferred);
    return;
  }
fail:
  weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_SASLFAIL, NULL);
}

static void
handle_authenticate (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *data = weft_irc_message_get_param (message, 0);
  gsize len = strlen (data);

  if (!(client->caps & WEFT_IRC_SERVER_CAP_SASL))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_SASLFAIL, NULL);
      return;
    }
  if (client->sasl_done)
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_SASLALREADY, NULL);
      return;
    }
  if (strcmp (data, "*") == 0)
    {
      sasl_reset (client);
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_SASLABORTED, NULL);
      return;
    }
  if (client->sasl_mechanism == NULL)
    {
      g_autoptr (WeftIrcMessage) reply = NULL;

      if (g_ascii_strcasecmp (data, "PLAIN") != 0)
        {
          weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_SASLMECHS, "PLAIN", NULL);
          weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_SASLFAIL, NULL);
          return;
        }
      client->sasl_mechanism = g_strdup ("PLAIN");
      client->sasl_buffer = g_string_new (NULL);
      reply = weft_irc_message_new_va ("AUTHENTICATE", "+", NULL);
      weft_irc_server_connection_send (client, reply);
      return;
    }
  if (len > 400 || client->sasl_buffer->len + len > 1600)
    {
      sasl_reset (client);
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_SASLTOOLONG, NULL);
      return;
    }
  if (strcmp (data, "+") != 0)
    g_string_append (client->sasl_buffer, data);
  if (len == 400)
    return; /* more to come */
  {
    g_autofree char *payload = g_strdup (client->sasl_buffer->str);
    sasl_reset (client);
    sasl_plain (client, payload);
  }
}

static void
register_done (WeftIrcServerConnection *client, WeftResult *result, gpointer user_data)
{
  const char *account = user_data;

  if (weft_result_is_error (result))
    {
      const GError *error = weft_result_get_error (result);
      const char *code = "TEMPORARILY_UNAVAILABLE";

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        code = "ACCOUNT_EXISTS";
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
        code = "WEAK_PASSWORD";
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME))
        code = "BAD_ACCOUNT_NAME";
      weft_irc_server_connection_send_fail (client, "REGISTER", code, account, error->message);
      return;
    }
  {
    g_autoptr (WeftIrcMessage) reply =
        _weft_irc_server_message_from_server (client->server, "REGISTER", "SUCCESS", weft_result_get_string (result),
                                              "Account created", NULL);
    weft_irc_server_connection_send (client, reply);
  }
  log_in (client, weft_result_get_string (result));
}

static void
handle_register (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *account = weft_irc_message_get_param (message, 0);
  const char *email = weft_irc_message_get_param (message, 1);
  const char *password = weft_irc_message_get_param (message, 2);
  WeftDeferred *deferred;

  if (!_weft_irc_server_cap_allows (client->server, WEFT_IRC_SERVER_CAP_ACCOUNT_REGISTRATION))
    {
      weft_irc_server_connection_send_fail (client, "REGISTER", "TEMPORARILY_UNAVAILABLE", account,
                                            "Registration is not available on this server");
      return;
    }
  if (client->account != NULL)
    {
      weft_irc_server_connection_send_fail (client, "REGISTER", "ALREADY_AUTHENTICATED", account,
                                            "You are already logged in");
      return;
    }
  if (strcmp (account, "*") == 0)
    account = client->nick;
  if (account == NULL || !weft_irc_server_is_valid_nick (client->server, account))
    {
      weft_irc_server_connection_send_fail (client, "REGISTER", "BAD_ACCOUNT_NAME", account ? account : "*",
                                            "The account name must be a valid nickname");
      return;
    }
  deferred =
      WEFT_IRC_SERVER_GET_CLASS (client->server)->register_account (client->server, client, account, email, password);
  weft_irc_server_hold_reply (client->server, client, deferred, register_done, g_strdup (account), g_free);
  g_object_unref (deferred);
}

static void
handle_pass (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  g_free (client->password);
  client->password = g_strdup (weft_irc_message_get_param (message, 0));
}

static void
handle_nick (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *nick = weft_irc_message_get_param (message, 0);
  g_autoptr (WeftIrcMessage) change = NULL;

  if (nick == NULL || *nick == '\0')
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NONICKNAMEGIVEN, NULL);
      return;
    }
  if (!weft_irc_server_is_valid_nick (client->server, nick))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_ERRONEUSNICKNAME, nick, NULL);
      return;
    }
  if (client->nick != NULL && strcmp (client->nick, nick) == 0)
    return;
  if (client->registered)
    change = _weft_irc_server_message_from (client, "NICK", nick, NULL);
  if (!_weft_irc_server_rename (client->server, client, nick))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NICKNAMEINUSE, nick, NULL);
      return;
    }
  if (change != NULL)
    _weft_irc_server_send_to_peers (client->server, client, change, TRUE, 0);
  client->got_nick = TRUE;
  _weft_irc_server_connection_try_register (client);
}

static void
handle_user (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *user = weft_irc_message_get_param (message, 0);
  GString *clean = g_string_new ("~");

  for (const char *p = user; *p != '\0' && clean->len < 11; p++)
    if (g_ascii_isalnum (*p) || strchr ("-_.[]{}\\`^|", *p) != NULL)
      g_string_append_c (clean, *p);
  if (clean->len == 1)
    g_string_append (clean, "user");
  g_free (client->user);
  client->user = g_string_free (clean, FALSE);
  g_free (client->realname);
  client->realname = g_strdup (weft_irc_message_get_param (message, 3));
  client->got_user = TRUE;
  _weft_irc_server_connection_try_register (client);
}

static void
handle_ping (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  g_autoptr (WeftIrcMessage) pong =
      _weft_irc_server_message_from_server (client->server, "PONG", weft_irc_server_get_name (client->server),
                                            weft_irc_message_get_param (message, 0), NULL);

  if (*weft_irc_message_get_param (message, 0) == '\0')
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOORIGIN, NULL);
      return;
    }
  weft_irc_server_connection_send (client, pong);
}

static void
handle_pong (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  /* Any input already counts as a sign of life. */
}

static void
handle_quit (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *reason = weft_irc_message_get_param (message, 0);
  g_autofree char *text = g_strdup_printf ("Quit: %s", reason != NULL ? reason : "");

  /* The label is moot: the connection ends with ERROR. */
  weft_irc_server_connection_close (client, reason != NULL && *reason != '\0' ? text : "Client Quit");
}

static void
handle_away (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *text = weft_irc_message_get_param (message, 0);
  g_autoptr (WeftIrcMessage) notify = NULL;

  g_clear_pointer (&client->away, g_free);
  if (text != NULL && *text != '\0')
    {
      client->away = g_utf8_make_valid (text, MIN (strlen (text), 390));
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_NOWAWAY, NULL);
      notify = _weft_irc_server_message_from (client, "AWAY", client->away, NULL);
    }
  else
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_UNAWAY, NULL);
      notify = _weft_irc_server_message_from (client, "AWAY", NULL);
    }
  _weft_irc_server_send_to_peers (client->server, client, notify, FALSE, WEFT_IRC_SERVER_CAP_AWAY_NOTIFY);
}

void
_weft_irc_server_send_welcome (WeftIrcServerConnection *client)
{
  WeftIrcServer *server = client->server;
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  g_autofree char *prefix = weft_irc_server_connection_dup_prefix (client);
  g_autofree char *welcome = g_strdup_printf ("Welcome to the %s IRC Network %s", priv->network, prefix);
  g_autofree char *yourhost = g_strdup_printf ("Your host is %s, running version %s", priv->name, priv->version);
  g_autofree char *created = g_strdup_printf ("This server was created %s", priv->created);

  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_WELCOME, welcome, NULL);
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_YOURHOST, yourhost, NULL);
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_CREATED, created, NULL);
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_MYINFO, NULL, priv->name, priv->version, "i",
                                                "biklmnotv", "bklov", NULL);
  _weft_irc_server_send_isupport (server, client);
  _weft_irc_server_send_lusers (client);
  _weft_irc_server_send_motd (client);
}

void
_weft_irc_server_add_login_commands (WeftIrcServer *server)
{
  const WeftIrcServerCommandFlags before = WEFT_IRC_SERVER_COMMAND_BEFORE_REGISTRATION;
  const WeftIrcServerCommandFlags only_before = WEFT_IRC_SERVER_COMMAND_ONLY_BEFORE_REGISTRATION;

  weft_irc_server_add_command (server, "CAP", 1, 2, before, handle_cap, NULL);
  weft_irc_server_add_command (server, "AUTHENTICATE", 1, 1, before, handle_authenticate, NULL);
  weft_irc_server_add_command (server, "REGISTER", 3, 3, before, handle_register, NULL);
  weft_irc_server_add_command (server, "PASS", 1, 1, only_before, handle_pass, NULL);
  weft_irc_server_add_command (server, "NICK", 0, 1, before, handle_nick, NULL);
  weft_irc_server_add_command (server, "USER", 4, 4, only_before, handle_user, NULL);
  weft_irc_server_add_command (server, "PING", 1, 2, before, handle_ping, NULL);
  weft_irc_server_add_command (server, "PONG", 0, 2, before | WEFT_IRC_SERVER_COMMAND_NO_PENALTY, handle_pong, NULL);
  weft_irc_server_add_command (server, "QUIT", 0, 1, before, handle_quit, NULL);
  weft_irc_server_add_command (server, "AWAY", 0, 1, WEFT_IRC_SERVER_COMMAND_NONE, handle_away, NULL);
}
