/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Channel commands: JOIN, PART, TOPIC, NAMES, MODE, KICK, INVITE, LIST. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-server-private.h"

static WeftIrcServerChannel *
find_channel_or_fail (WeftIrcServerConnection *client, const char *name)
{
  WeftIrcServerChannel *channel = weft_irc_server_find_channel (client->server, name);

  if (channel == NULL)
    weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOSUCHCHANNEL, name, NULL);
  return channel;
}

static gboolean
is_operator (WeftIrcServerChannel *channel, WeftIrcServerConnection *client)
{
  return (weft_irc_server_channel_get_member_prefix (channel, client) & WEFT_IRC_MEMBER_OPERATOR) != 0;
}

static void
append_prefix (GString *out, WeftIrcMemberPrefix prefix, gboolean all)
{
  if (prefix & WEFT_IRC_MEMBER_OPERATOR)
    {
      g_string_append_c (out, '@');
      if (!all)
        return;
    }
  if (prefix & WEFT_IRC_MEMBER_VOICE)
    g_string_append_c (out, '+');
}

static void
send_topic (WeftIrcServerConnection *client, WeftIrcServerChannel *channel, gboolean even_if_empty)
{
  const char *name = weft_irc_server_channel_get_name (channel);
  const char *topic = weft_irc_server_channel_get_topic (channel);

  if (topic == NULL)
    {
      if (even_if_empty)
        weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_NOTOPIC, name, NULL);
      return;
    }
  {
    g_autofree char *time = g_strdup_printf ("%" G_GINT64_FORMAT, _weft_irc_server_channel_get_topic_time (channel));
    weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_TOPIC, topic, name, NULL);
    weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_TOPICWHOTIME, time, name,
                                                  _weft_irc_server_channel_get_topic_setter (channel), NULL);
  }
}

void
_weft_irc_server_send_names (WeftIrcServerConnection *client, WeftIrcServerChannel *channel)
{
  const char *name = weft_irc_server_channel_get_name (channel);
  gboolean all_prefixes = (client->caps & WEFT_IRC_SERVER_CAP_MULTI_PREFIX) != 0;
  gboolean userhost = (client->caps & WEFT_IRC_SERVER_CAP_USERHOST_IN_NAMES) != 0;
  gboolean member = weft_irc_server_channel_has_member (channel, client);
  GString *line = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, _weft_irc_server_channel_get_member_table (channel));
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      WeftIrcServerConnection *other = key;

      if (!member && other->invisible)
        continue;
      if (line->len > 350)
        {
          weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_NAMREPLY, line->str, "=", name, NULL);
          g_string_truncate (line, 0);
        }
      if (line->len > 0)
        g_string_append_c (line, ' ');
      append_prefix (line, weft_irc_server_channel_get_member_prefix (channel, other), all_prefixes);
      if (userhost)
        {
          g_autofree char *prefix = weft_irc_server_connection_dup_prefix (other);
          g_string_append (line, prefix);
        }
      else
        g_string_append (line, other->nick);
    }
  if (line->len > 0)
    weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_NAMREPLY, line->str, "=", name, NULL);
  g_string_free (line, TRUE);
  weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_ENDOFNAMES, name, NULL);
}

static void
leave_channel (WeftIrcServerConnection *client, WeftIrcServerChannel *channel)
{
  g_hash_table_remove (client->channels, channel);
  _weft_irc_server_channel_remove_member (channel, client);
  _weft_irc_server_drop_channel_if_empty (client->server, channel);
}

static void
part_all (WeftIrcServerConnection *client)
{
  g_autoptr (GList) channels = g_hash_table_get_keys (client->channels);

  for (GList *l = channels; l != NULL; l = l->next)
    {
      g_autoptr (WeftIrcMessage) part =
          _weft_irc_server_message_from (client, "PART", weft_irc_server_channel_get_name (l->data), NULL);
      _weft_irc_server_send_to_channel (client->server, l->data, part, NULL, 0);
      leave_channel (client, l->data);
    }
}

static void
join_one (WeftIrcServerConnection *client, const char *name, const char *key)
{
  WeftIrcServer *server = client->server;
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  WeftIrcServerChannel *channel = weft_irc_server_find_channel (server, name);
  gboolean created = FALSE;
  gboolean invited = FALSE;
  g_autoptr (WeftIrcMessage) join = NULL;
  g_autoptr (WeftIrcMessage) extended = NULL;
  GHashTableIter iter;
  gpointer member;
  g_autoptr (GPtrArray) members = g_ptr_array_new_with_free_func (g_object_unref);
  WeftIrcFanout *plain, *rich;

  if (!weft_irc_server_is_valid_channel (server, name))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOSUCHCHANNEL, name, NULL);
      return;
    }
  if (channel != NULL && weft_irc_server_channel_has_member (channel, client))
    return;
  if (g_hash_table_size (client->channels) >= priv->max_channels)
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_TOOMANYCHANNELS, name, NULL);
      return;
    }
  if (channel != NULL)
    {
      WeftIrcChannelModes modes = weft_irc_server_channel_get_modes (channel);
      const char *channel_key = weft_irc_server_channel_get_key (channel);
      guint limit = weft_irc_server_channel_get_limit (channel);

      invited = _weft_irc_server_channel_take_invite (channel, client->nick_folded);
      if (!invited && weft_irc_server_channel_is_banned (channel, client))
        {
          weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_BANNEDFROMCHAN, name, NULL);
          return;
        }
      if (!invited && (modes & WEFT_IRC_CHANNEL_MODE_INVITE_ONLY))
        {
          weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_INVITEONLYCHAN, name, NULL);
          return;
        }
      if (channel_key != NULL && !invited && (key == NULL || strcmp (key, channel_key) != 0))
        {
          weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_BADCHANNELKEY, name, NULL);
          return;
        }
      if (limit > 0 && weft_irc_server_channel_get_n_members (channel) >= limit && !invited)
        {
          weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_CHANNELISFULL, name, NULL);
          return;
        }
    }
  else
    channel = _weft_irc_server_ensure_channel (server, name, &created);

  _weft_irc_server_channel_add_member (channel, client, created ? WEFT_IRC_MEMBER_OPERATOR : 0);
  g_hash_table_add (client->channels, channel);

  name = weft_irc_server_channel_get_name (channel);
  join = _weft_irc_server_message_from (client, "JOIN", name, NULL);
  extended = _weft_irc_server_message_from (client, "JOIN", name, client->account ? client->account : "*",
                                            client->realname ? client->realname : "", NULL);
  plain = _weft_irc_fanout_new (join);
  rich = _weft_irc_fanout_new (extended);
  g_hash_table_iter_init (&iter, _weft_irc_server_channel_get_member_table (channel));
  while (g_hash_table_iter_next (&iter, &member, NULL))
    g_ptr_array_add (members, g_object_ref (member));
  for (guint i = 0; i < members->len; i++)
    {
      WeftIrcServerConnection *other = members->pdata[i];
      _weft_irc_fanout_send ((other->caps & WEFT_IRC_SERVER_CAP_EXTENDED_JOIN) ? rich : plain, other);
    }
  _weft_irc_fanout_free (plain);
  _weft_irc_fanout_free (rich);

  if (client->quitting)
    return;
  send_topic (client, channel, FALSE);
  _weft_irc_server_send_names (client, channel);
  if (client->away != NULL)
    {
      g_autoptr (WeftIrcMessage) away = _weft_irc_server_message_from (client, "AWAY", client->away, NULL);
      _weft_irc_server_send_to_channel (server, channel, away, client, WEFT_IRC_SERVER_CAP_AWAY_NOTIFY);
    }
}

static void
handle_join (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *targets = weft_irc_message_get_param (message, 0);
  const char *keys = weft_irc_message_get_param (message, 1);
  g_auto (GStrv) names = NULL;
  g_auto (GStrv) key_list = NULL;
  guint n_keys;

  if (strcmp (targets, "0") == 0)
    {
      part_all (client);
      return;
    }
  names = g_strsplit (targets, ",", 32);
  key_list = g_strsplit (keys != NULL ? keys : "", ",", 32);
  n_keys = g_strv_length (key_list);
  for (guint i = 0; names[i] != NULL && !client->quitting; i++)
    if (*names[i] != '\0')
      join_one (client, names[i], i < n_keys && *key_list[i] != '\0' ? key_list[i] : NULL);
}

static void
handle_part (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  g_auto (GStrv) names = g_strsplit (weft_irc_message_get_param (message, 0), ",", 32);
  const char *reason = weft_irc_message_get_param (message, 1);

  for (guint i = 0; names[i] != NULL && !client->quitting; i++)
    {
      WeftIrcServerChannel *channel = find_channel_or_fail (client, names[i]);
      g_autoptr (WeftIrcMessage) part = NULL;

      if (channel == NULL)
        continue;
      if (!weft_irc_server_channel_has_member (channel, client))
        {
          weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOTONCHANNEL, names[i], NULL);
          continue;
        }
      part = _weft_irc_server_message_from (client, "PART", weft_irc_server_channel_get_name (channel), reason, NULL);
      _weft_irc_server_send_to_channel (client->server, channel, part, NULL, 0);
      leave_channel (client, channel);
    }
}

static void
handle_topic (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *name = weft_irc_message_get_param (message, 0);
  const char *topic = weft_irc_message_get_param (message, 1);
  WeftIrcServerChannel *channel = find_channel_or_fail (client, name);
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (client->server);
  g_autofree char *clipped = NULL;
  g_autoptr (WeftIrcMessage) change = NULL;

  if (channel == NULL)
    return;
  if (topic == NULL)
    {
      send_topic (client, channel, TRUE);
      return;
    }
  if (!weft_irc_server_channel_has_member (channel, client))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOTONCHANNEL, name, NULL);
      return;
    }
  if ((weft_irc_server_channel_get_modes (channel) & WEFT_IRC_CHANNEL_MODE_TOPIC_LOCK) &&
      !is_operator (channel, client))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_CHANOPRIVSNEEDED, name, NULL);
      return;
    }
  clipped = g_utf8_make_valid (topic, MIN (strlen (topic), priv->topic_length));
  _weft_irc_server_channel_set_topic (channel, clipped, client->nick);
  change = _weft_irc_server_message_from (client, "TOPIC", weft_irc_server_channel_get_name (channel), clipped, NULL);
  _weft_irc_server_send_to_channel (client->server, channel, change, NULL, 0);
}

static void
handle_names (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *targets = weft_irc_message_get_param (message, 0);
  g_auto (GStrv) names = NULL;

  if (targets == NULL)
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_ENDOFNAMES, "*", NULL);
      return;
    }
  names = g_strsplit (targets, ",", 8);
  for (guint i = 0; names[i] != NULL; i++)
    {
      WeftIrcServerChannel *channel = weft_irc_server_find_channel (client->server, names[i]);
      if (channel != NULL)
        _weft_irc_server_send_names (client, channel);
      else
        weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_ENDOFNAMES, names[i], NULL);
    }
}

static gboolean
valid_key (const char *key)
{
  gsize len = strlen (key);

  if (len == 0 || len > 23)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((guchar) key[i] <= ' ' || key[i] == ',' || key[i] == ':')
      return FALSE;
  return TRUE;
}

static void
send_ban_list (WeftIrcServerConnection *client, WeftIrcServerChannel *channel)
{
  const char *name = weft_irc_server_channel_get_name (channel);
  const char *const *bans = weft_irc_server_channel_get_bans (channel);

  for (guint i = 0; bans[i] != NULL; i++)
    weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_BANLIST, NULL, name, bans[i], NULL);
  weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_ENDOFBANLIST, name, NULL);
}

static void
channel_mode (WeftIrcServerConnection *client, WeftIrcMessage *message, WeftIrcServerChannel *channel)
{
  const char *name = weft_irc_server_channel_get_name (channel);
  const char *modes = weft_irc_message_get_param (message, 1);
  guint n_params = weft_irc_message_get_n_params (message);
  guint next_param = 2;
  gboolean adding = TRUE;
  char last_sign = 0;
  GString *applied = g_string_new (NULL);
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  guint n_param_modes = 0;
  gboolean denied = FALSE;

  if (modes == NULL)
    {
      g_autofree char *current =
          _weft_irc_server_channel_dup_mode_string (channel, weft_irc_server_channel_has_member (channel, client));
      g_auto (GStrv) parts = g_strsplit (current, " ", -1);
      g_autoptr (WeftIrcMessage) reply = weft_irc_message_new ("324");
      g_autofree char *created = g_strdup_printf ("%" G_GINT64_FORMAT, _weft_irc_server_channel_get_created (channel));

      weft_irc_message_set_source (reply, weft_irc_server_get_name (client->server));
      weft_irc_message_add_param (reply, client->nick);
      weft_irc_message_add_param (reply, name);
      for (guint i = 0; parts[i] != NULL; i++)
        weft_irc_message_add_param (reply, parts[i]);
      weft_irc_server_connection_send (client, reply);
      weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_CREATIONTIME, created, name, NULL);
      g_string_free (applied, TRUE);
      return;
    }

  for (const char *m = modes; *m != '\0'; m++)
    {
      WeftIrcChannelModes flag = 0;
      const char *arg = NULL;
      char out_sign = adding ? '+' : '-';
      gboolean changed = FALSE;

      if (*m == '+' || *m == '-')
        {
          adding = *m == '+';
          continue;
        }
      switch (*m)
        {
        case 'i':
          flag = WEFT_IRC_CHANNEL_MODE_INVITE_ONLY;
          break;
        case 'm':
          flag = WEFT_IRC_CHANNEL_MODE_MODERATED;
          break;
        case 'n':
          flag = WEFT_IRC_CHANNEL_MODE_NO_EXTERNAL;
          break;
        case 't':
          flag = WEFT_IRC_CHANNEL_MODE_TOPIC_LOCK;
          break;
        case 'b':
          if (next_param >= n_params)
            {
              send_ban_list (client, channel);
              continue;
            }
          break;
        case 'k':
        case 'l':
        case 'o':
        case 'v':
          break;
        default:
          {
            char unknown[2] = { *m, '\0' };
            weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_UNKNOWNMODE, unknown, NULL);
            continue;
          }
        }

      /* Every change needs operator status; listing bans does not. */
      if (!is_operator (channel, client))
        {
          if (!denied)
            weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_CHANOPRIVSNEEDED, name, NULL);
          denied = TRUE;
          if (strchr ("bklov", *m) != NULL && next_param < n_params && (adding || *m != 'l'))
            next_param++;
          continue;
        }

      if (flag != 0)
        {
          WeftIrcChannelModes current = weft_irc_server_channel_get_modes (channel);
          WeftIrcChannelModes wanted = adding ? (current | flag) : (current & ~flag);
          changed = wanted != current;
          _weft_irc_server_channel_set_modes (channel, wanted);
        }
      else
        {
          if ((*m != 'l' || adding) && *m != 'k' && next_param >= n_params)
            {
              weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NEEDMOREPARAMS, "MODE", NULL);
              continue;
            }
          if (*m == 'k' && adding && next_param >= n_params)
            {
              weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NEEDMOREPARAMS, "MODE", NULL);
              continue;
            }
          if (++n_param_modes > 4)
            break;
          if (next_param < n_params && (*m != 'l' || adding))
            arg = weft_irc_message_get_param (message, next_param++);

          switch (*m)
            {
            case 'k':
              if (adding)
                {
                  if (!valid_key (arg))
                    {
                      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_INVALIDKEY, name, NULL);
                      continue;
                    }
                  _weft_irc_server_channel_set_key (channel, arg);
                  changed = TRUE;
                }
              else if (weft_irc_server_channel_get_key (channel) != NULL)
                {
                  _weft_irc_server_channel_set_key (channel, NULL);
                  arg = "*";
                  changed = TRUE;
                }
              break;
            case 'l':
              if (adding)
                {
                  guint64 limit = g_ascii_strtoull (arg, NULL, 10);
                  if (limit == 0 || limit > G_MAXINT)
                    continue;
                  _weft_irc_server_channel_set_limit (channel, (guint) limit);
                  g_ptr_array_add (args, g_strdup_printf ("%u", (guint) limit));
                  arg = NULL;
                  changed = TRUE;
                }
              else if (weft_irc_server_channel_get_limit (channel) > 0)
                {
                  _weft_irc_server_channel_set_limit (channel, 0);
                  changed = TRUE;
                }
              break;
            case 'b':
              changed = adding ? _weft_irc_server_channel_add_ban (channel, arg, client->nick)
                               : _weft_irc_server_channel_remove_ban (channel, arg);
              if (adding && g_strv_length ((char **) weft_irc_server_channel_get_bans (channel)) > 100)
                {
                  _weft_irc_server_channel_remove_ban (channel, arg);
                  changed = FALSE;
                }
              break;
            case 'o':
            case 'v':
              {
                WeftIrcServerConnection *target = weft_irc_server_find_client (client->server, arg);
                WeftIrcMemberPrefix bit = *m == 'o' ? WEFT_IRC_MEMBER_OPERATOR : WEFT_IRC_MEMBER_VOICE;
                WeftIrcMemberPrefix prefix;

                if (target == NULL || !target->registered)
                  {
                    weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOSUCHNICK, arg, NULL);
                    continue;
                  }
                if (!weft_irc_server_channel_has_member (channel, target))
                  {
                    weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_USERNOTINCHANNEL, arg, name, NULL);
                    continue;
                  }
                prefix = weft_irc_server_channel_get_member_prefix (channel, target);
                changed = adding ? !(prefix & bit) : (prefix & bit) != 0;
                _weft_irc_server_channel_set_member_prefix (channel, target, adding ? (prefix | bit) : (prefix & ~bit));
                arg = target->nick;
              }
              break;
            default:
              break;
            }
          if (changed && arg != NULL)
            g_ptr_array_add (args, g_strdup (arg));
        }

      if (changed)
        {
          if (last_sign != out_sign)
            g_string_append_c (applied, out_sign);
          last_sign = out_sign;
          g_string_append_c (applied, *m);
        }
    }

  if (applied->len > 0)
    {
      g_autoptr (WeftIrcMessage) change = _weft_irc_server_message_from (client, "MODE", name, applied->str, NULL);
      for (guint i = 0; i < args->len; i++)
        weft_irc_message_add_param (change, args->pdata[i]);
      _weft_irc_server_send_to_channel (client->server, channel, change, NULL, 0);
    }
  g_string_free (applied, TRUE);
}

static void
user_mode (WeftIrcServerConnection *client, WeftIrcMessage *message)
{
  const char *modes = weft_irc_message_get_param (message, 1);
  gboolean adding = TRUE;
  gboolean was = client->invisible;

  if (modes == NULL)
    {
      weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_UMODEIS, client->invisible ? "+i" : "+", NULL);
      return;
    }
  for (const char *m = modes; *m != '\0'; m++)
    {
      if (*m == '+' || *m == '-')
        adding = *m == '+';
      else if (*m == 'i')
        client->invisible = adding;
      else
        weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_UMODEUNKNOWNFLAG, NULL);
    }
  if (was != client->invisible)
    {
      g_autoptr (WeftIrcMessage) change =
          _weft_irc_server_message_from (client, "MODE", client->nick, client->invisible ? "+i" : "-i", NULL);
      weft_irc_server_connection_send (client, change);
    }
}

static void
handle_mode (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *target = weft_irc_message_get_param (message, 0);

  if (target[0] == '#')
    {
      WeftIrcServerChannel *channel = find_channel_or_fail (client, target);
      if (channel != NULL)
        channel_mode (client, message, channel);
      return;
    }
  if (weft_irc_server_find_client (client->server, target) == NULL)
    weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOSUCHNICK, target, NULL);
  else if (weft_irc_server_find_client (client->server, target) != client)
    weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_USERSDONTMATCH, NULL);
  else
    user_mode (client, message);
}

static void
handle_kick (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *name = weft_irc_message_get_param (message, 0);
  g_auto (GStrv) nicks = g_strsplit (weft_irc_message_get_param (message, 1), ",", 8);
  const char *reason = weft_irc_message_get_param (message, 2);
  WeftIrcServerChannel *channel = find_channel_or_fail (client, name);

  if (channel == NULL)
    return;
  if (!weft_irc_server_channel_has_member (channel, client))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOTONCHANNEL, name, NULL);
      return;
    }
  if (!is_operator (channel, client))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_CHANOPRIVSNEEDED, name, NULL);
      return;
    }
  g_object_ref (channel);
  for (guint i = 0; nicks[i] != NULL; i++)
    {
      WeftIrcServerConnection *target = weft_irc_server_find_client (client->server, nicks[i]);
      g_autoptr (WeftIrcMessage) kick = NULL;

      if (target == NULL || !weft_irc_server_channel_has_member (channel, target))
        {
          weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_USERNOTINCHANNEL, nicks[i], name, NULL);
          continue;
        }
      kick = _weft_irc_server_message_from (client, "KICK", weft_irc_server_channel_get_name (channel), target->nick,
                                            reason != NULL ? reason : client->nick, NULL);
      _weft_irc_server_send_to_channel (client->server, channel, kick, NULL, 0);
      leave_channel (target, channel);
    }
  g_object_unref (channel);
}

static void
handle_invite (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *nick = weft_irc_message_get_param (message, 0);
  const char *name = weft_irc_message_get_param (message, 1);
  WeftIrcServerConnection *target = weft_irc_server_find_client (client->server, nick);
  WeftIrcServerChannel *channel = weft_irc_server_find_channel (client->server, name);
  g_autoptr (WeftIrcMessage) invite = NULL;

  if (target == NULL || !target->registered)
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOSUCHNICK, nick, NULL);
      return;
    }
  if (channel == NULL)
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOSUCHCHANNEL, name, NULL);
      return;
    }
  if (!weft_irc_server_channel_has_member (channel, client))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOTONCHANNEL, name, NULL);
      return;
    }
  if (weft_irc_server_channel_has_member (channel, target))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_USERONCHANNEL, target->nick, name, NULL);
      return;
    }
  if ((weft_irc_server_channel_get_modes (channel) & WEFT_IRC_CHANNEL_MODE_INVITE_ONLY) &&
      !is_operator (channel, client))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_CHANOPRIVSNEEDED, name, NULL);
      return;
    }
  _weft_irc_server_channel_invite (channel, target->nick_folded);
  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_INVITING, NULL, target->nick,
                                                weft_irc_server_channel_get_name (channel), NULL);
  invite =
      _weft_irc_server_message_from (client, "INVITE", target->nick, weft_irc_server_channel_get_name (channel), NULL);
  weft_irc_server_connection_send (target, invite);
  _weft_irc_server_send_to_channel (client->server, channel, invite, client, WEFT_IRC_SERVER_CAP_INVITE_NOTIFY);
}

static void
list_one (WeftIrcServerConnection *client, WeftIrcServerChannel *channel)
{
  g_autofree char *count = g_strdup_printf ("%u", weft_irc_server_channel_get_n_members (channel));
  const char *topic = weft_irc_server_channel_get_topic (channel);

  weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_LIST, topic ? topic : "",
                                                weft_irc_server_channel_get_name (channel), count, NULL);
}

static void
handle_list (WeftIrcServerConnection *client, WeftIrcMessage *message, gpointer user_data)
{
  const char *targets = weft_irc_message_get_param (message, 0);
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (client->server);

  weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_LISTSTART, "Channel", NULL);
  if (targets != NULL && *targets != '\0')
    {
      g_auto (GStrv) names = g_strsplit (targets, ",", 16);
      for (guint i = 0; names[i] != NULL; i++)
        {
          WeftIrcServerChannel *channel = weft_irc_server_find_channel (client->server, names[i]);
          if (channel != NULL)
            list_one (client, channel);
        }
    }
  else
    {
      GHashTableIter iter;
      gpointer channel;

      g_hash_table_iter_init (&iter, priv->channels);
      while (g_hash_table_iter_next (&iter, NULL, &channel))
        list_one (client, channel);
    }
  weft_irc_server_connection_send_numeric (client, WEFT_IRC_RPL_LISTEND, NULL);
}

void
_weft_irc_server_add_channel_commands (WeftIrcServer *server)
{
  const WeftIrcServerCommandFlags none = WEFT_IRC_SERVER_COMMAND_NONE;

  weft_irc_server_add_command (server, "JOIN", 1, 2, none, handle_join, NULL);
  weft_irc_server_add_command (server, "PART", 1, 2, none, handle_part, NULL);
  weft_irc_server_add_command (server, "TOPIC", 1, 2, none, handle_topic, NULL);
  weft_irc_server_add_command (server, "NAMES", 0, 1, none, handle_names, NULL);
  weft_irc_server_add_command (server, "MODE", 1, 15, none, handle_mode, NULL);
  weft_irc_server_add_command (server, "KICK", 2, 3, none, handle_kick, NULL);
  weft_irc_server_add_command (server, "INVITE", 2, 2, none, handle_invite, NULL);
  weft_irc_server_add_command (server, "LIST", 0, 2, none, handle_list, NULL);
}
