/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Queries about users and the server: WHO, WHOIS, MOTD, LUSERS, VERSION. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-server-private.h"

static gboolean
shares_channel (WeftIrcServerConnection *a, WeftIrcServerConnection *b)
{
  GHashTableIter iter;
  gpointer channel;

  g_hash_table_iter_init (&iter, a->channels);
  while (g_hash_table_iter_next (&iter, &channel, NULL))
    if (weft_irc_server_channel_has_member (channel, b))
      return TRUE;
  return FALSE;
}

static void
who_reply (WeftIrcServerConnection *client, WeftIrcServerConnection *other, WeftIrcServerChannel *channel)
{
  GString *flags = g_string_new (other->away != NULL ? "G" : "H");
  g_autofree char *realname = g_strdup_printf ("0 %s", other->realname ? other->realname : "");

  if (channel != NULL)
    {
      WeftIrcMemberPrefix prefix = weft_irc_server_channel_get_member_prefix (channel, other);
      gboolean all = (client->caps & WEFT_IRC_SERVER_CAP_MULTI_PREFIX) != 0;

      if (prefix & WEFT_IRC_MEMBER_OPERATOR)
        g_string_append_c (flags, '@');
      if ((prefix & WEFT_IRC_MEMBER_VOICE) && (all || !(prefix & WEFT_IRC_MEMBER_OPERATOR)))
        g_string_append_c (flags, '+');
    }
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_WHOREPLY, realname,
                                                channel ? weft_irc_server_channel_get_name (channel) : "*", other->user,
                                                other->host, weft_irc_server_get_name (client->server), other->nick,
                                                flags->str, NULL);
  g_string_free (flags, TRUE);
}

static void
handle_who (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *mask = weft_irc_message_get_param (message, 0);

  if (mask[0] == '#')
    {
      WeftIrcServerChannel *channel = weft_irc_server_find_channel (client->server, mask);

      if (channel != NULL)
        {
          gboolean member = weft_irc_server_channel_has_member (channel, client);
          GHashTableIter iter;
          gpointer other;

          g_hash_table_iter_init (&iter, _weft_irc_server_channel_get_member_table (channel));
          while (g_hash_table_iter_next (&iter, &other, NULL))
            if (member || !((WeftIrcServerConnection *) other)->invisible)
              who_reply (client, other, channel);
        }
    }
  else
    {
      WeftIrcServerPrivate *priv = _weft_irc_server_get_private (client->server);
      GHashTableIter iter;
      gpointer other;
      guint n = 0;

      g_hash_table_iter_init (&iter, priv->clients);
      while (g_hash_table_iter_next (&iter, NULL, &other) && n < 200)
        {
          WeftIrcServerConnection *o = other;

          if (!o->registered || !_weft_irc_mask_match (client->server, mask, o->nick))
            continue;
          if (o->invisible && o != client && !shares_channel (client, o) &&
              (strchr (mask, '*') != NULL || strchr (mask, '?') != NULL))
            continue;
          who_reply (client, o, NULL);
          n++;
        }
    }
  weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_ENDOFWHO, mask, NULL);
}

static void
handle_whois (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  /* WHOIS [server] nick */
  guint n = weft_irc_message_get_n_params (message);
  const char *nick = weft_irc_message_get_param (message, n >= 2 ? 1 : 0);
  WeftIrcServerConnection *other = weft_irc_server_find_client (client->server, nick);
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (client->server);

  if (other == NULL || !other->registered)
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOSUCHNICK, nick, NULL);
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_ENDOFWHOIS, nick, NULL);
      return;
    }
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_WHOISUSER, other->realname, other->nick,
                                                other->user, other->host, "*", NULL);
  if (g_hash_table_size (other->channels) > 0)
    {
      GString *list = g_string_new (NULL);
      GHashTableIter iter;
      gpointer channel;

      g_hash_table_iter_init (&iter, other->channels);
      while (g_hash_table_iter_next (&iter, &channel, NULL))
        {
          WeftIrcMemberPrefix prefix = weft_irc_server_channel_get_member_prefix (channel, other);

          if (other->invisible && other != client && !weft_irc_server_channel_has_member (channel, client))
            continue;
          if (list->len > 0)
            g_string_append_c (list, ' ');
          if (prefix & WEFT_IRC_MEMBER_OPERATOR)
            g_string_append_c (list, '@');
          else if (prefix & WEFT_IRC_MEMBER_VOICE)
            g_string_append_c (list, '+');
          g_string_append (list, weft_irc_server_channel_get_name (channel));
          if (list->len > 350)
            {
              weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_WHOISCHANNELS, list->str, other->nick,
                                                            NULL);
              g_string_truncate (list, 0);
            }
        }
      if (list->len > 0)
        weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_WHOISCHANNELS, list->str, other->nick, NULL);
      g_string_free (list, TRUE);
    }
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_WHOISSERVER, priv->network, other->nick,
                                                priv->name, NULL);
  if (other->away != NULL)
    weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_AWAY, other->away, other->nick, NULL);
  if (other->account != NULL)
    weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_WHOISACCOUNT, other->nick, other->account, NULL);
  {
    gint64 idle = (weft_reactor_get_time (priv->reactor) - other->last_speak_us) / G_USEC_PER_SEC;
    g_autofree char *idle_text = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (idle, 0));
    g_autofree char *signon = g_strdup_printf ("%" G_GINT64_FORMAT, other->signon_time);

    weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_WHOISIDLE, other->nick, idle_text, signon, NULL);
  }
  weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_ENDOFWHOIS, other->nick, NULL);
}

void
_weft_irc_server_send_motd (WeftIrcServerConnection *client)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (client->server);
  g_auto (GStrv) lines = NULL;
  g_autofree char *start = NULL;

  if (priv->motd == NULL)
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOMOTD, NULL);
      return;
    }
  start = g_strdup_printf ("- %s Message of the day - ", priv->name);
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_MOTDSTART, start, NULL);
  lines = g_strsplit (priv->motd, "\n", 200);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("- %.400s", lines[i]);
      weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_MOTD, line, NULL);
    }
  weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_ENDOFMOTD, NULL);
}

void
_weft_irc_server_send_lusers (WeftIrcServerConnection *client)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (client->server);
  guint users = 0, invisible = 0, unknown = 0;
  g_autofree char *line1 = NULL;
  g_autofree char *n_unknown = NULL;
  g_autofree char *n_channels = NULL;
  g_autofree char *line_me = NULL;
  g_autofree char *n_users = NULL;
  g_autofree char *local = NULL;

  for (GList *l = priv->connections.head; l != NULL; l = l->next)
    {
      WeftIrcServerConnection *other = l->data;
      if (!other->registered)
        unknown++;
      else if (other->invisible)
        invisible++;
      else
        users++;
    }
  line1 = g_strdup_printf ("There are %u users and %u invisible on 1 servers", users, invisible);
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_LUSERCLIENT, line1, NULL);
  weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_LUSEROP, "0", NULL);
  n_unknown = g_strdup_printf ("%u", unknown);
  weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_LUSERUNKNOWN, n_unknown, NULL);
  n_channels = g_strdup_printf ("%u", g_hash_table_size (priv->channels));
  weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_LUSERCHANNELS, n_channels, NULL);
  line_me = g_strdup_printf ("I have %u clients and 0 servers", users + invisible);
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_LUSERME, line_me, NULL);
  n_users = g_strdup_printf ("%u", users + invisible);
  local = g_strdup_printf ("Current local users %u, max %u", users + invisible, users + invisible);
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_LOCALUSERS, local, n_users, n_users, NULL);
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_GLOBALUSERS, local + strlen ("Current "), n_users,
                                                n_users, NULL);
}

static void
handle_motd (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  _weft_irc_server_send_motd (client);
}

static void
handle_lusers (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  _weft_irc_server_send_lusers (client);
}

static void
handle_version (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (client->server);

  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_VERSION, "Weft IRC server", priv->version,
                                                priv->name, NULL);
  _weft_irc_server_send_isupport (client->server, client);
}

void
_weft_irc_server_add_info_commands (WeftIrcServer *server)
{
  const WeftIrcServerCommandFlags none = WEFT_IRC_SERVER_COMMAND_NONE;

  weft_irc_server_add_command (server, "WHO", 1, 2, none, handle_who, NULL);
  weft_irc_server_add_command (server, "WHOIS", 1, 2, none, handle_whois, NULL);
  weft_irc_server_add_command (server, "MOTD", 0, 1, none, handle_motd, NULL);
  weft_irc_server_add_command (server, "LUSERS", 0, 2, none, handle_lusers, NULL);
  weft_irc_server_add_command (server, "VERSION", 0, 1, none, handle_version, NULL);
}
