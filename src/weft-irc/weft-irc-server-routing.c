/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Routing: messages from clients and from the server, their tags, fan-out
 * to channel members and peers, and ISUPPORT. */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "weft-irc-server-private.h"

void
_weft_irc_server_set_time_tag (WeftIrcMessage *message)
{
  gint64 now = g_get_real_time ();
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC);
  g_autofree char *base = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
  char buffer[64];

  g_snprintf (buffer, sizeof buffer, "%s.%03dZ", base, (int) ((now % G_USEC_PER_SEC) / 1000));
  weft_irc_message_set_tag (message, "time", buffer);
}

static WeftIrcMessage *
message_new_valist (const char *source, const char *verb, va_list args)
{
  WeftIrcMessage *message = weft_irc_message_new (verb);
  const char *param;

  if (source != NULL)
    weft_irc_message_set_source (message, source);
  while ((param = va_arg (args, const char *)) != NULL)
    weft_irc_message_add_param (message, param);
  return message;
}

WeftIrcMessage *
_weft_irc_server_message_from (WeftIrcServerConnection *client, const char *verb, ...)
{
  g_autofree char *prefix = weft_irc_server_connection_dup_prefix (client);
  WeftIrcMessage *message;
  va_list args;

  va_start (args, verb);
  message = message_new_valist (prefix, verb, args);
  va_end (args);
  _weft_irc_server_set_time_tag (message);
  if (client->account != NULL)
    weft_irc_message_set_tag (message, "account", client->account);
  return message;
}

WeftIrcMessage *
_weft_irc_server_message_from_server (WeftIrcServer *server, const char *verb, ...)
{
  WeftIrcMessage *message;
  va_list args;

  va_start (args, verb);
  message = message_new_valist (weft_irc_server_get_name (server), verb, args);
  va_end (args);
  return message;
}

/* Fan-out: a message goes to many clients; it is serialized once per set of
 * tag-relevant capabilities and line framing, and each client gets a
 * reference to the same bytes. */
#define FANOUT_PROFILE_BITS 4
struct _WeftIrcFanout {
  WeftIrcMessage *message;
  GBytes *cache[1 << FANOUT_PROFILE_BITS];
  const char *data[1 << FANOUT_PROFILE_BITS];
  gsize size[1 << FANOUT_PROFILE_BITS];
};

static guint
fanout_profile (WeftIrcServerConnection *client)
{
  return ((client->caps & WEFT_IRC_SERVER_CAP_MESSAGE_TAGS) ? 1 : 0) |
         ((client->caps & WEFT_IRC_SERVER_CAP_SERVER_TIME) ? 2 : 0) |
         ((client->caps & WEFT_IRC_SERVER_CAP_ACCOUNT_TAG) ? 4 : 0) | (client->line_framing ? 8 : 0);
}

WeftIrcFanout *
_weft_irc_fanout_new (WeftIrcMessage *message)
{
  WeftIrcFanout *fanout = g_new0 (WeftIrcFanout, 1);
  fanout->message = weft_irc_message_ref (message);
  return fanout;
}

void
_weft_irc_fanout_send (WeftIrcFanout *fanout, WeftIrcServerConnection *client)
{
  guint profile;

  if (client->label != NULL)
    {
      weft_irc_server_connection_send (client, fanout->message);
      return;
    }
  profile = fanout_profile (client);
  if (fanout->cache[profile] == NULL)
    {
      fanout->cache[profile] = _weft_irc_server_connection_serialize (client, fanout->message);
      if (fanout->cache[profile] == NULL)
        return;
      fanout->data[profile] = g_bytes_get_data (fanout->cache[profile], &fanout->size[profile]);
    }
  _weft_irc_server_connection_append (client, fanout->data[profile], fanout->size[profile]);
}

void
_weft_irc_fanout_free (WeftIrcFanout *fanout)
{
  for (guint i = 0; i < G_N_ELEMENTS (fanout->cache); i++)
    g_clear_pointer (&fanout->cache[i], g_bytes_unref);
  weft_irc_message_unref (fanout->message);
  g_free (fanout);
}

void
_weft_irc_server_send_to_channel (WeftIrcServer *server,
                                  WeftIrcServerChannel *channel,
                                  WeftIrcMessage *message,
                                  WeftIrcServerConnection *except,
                                  WeftIrcServerCaps required_cap)
{
  WeftIrcFanout *fanout = _weft_irc_fanout_new (message);
  GHashTableIter iter;
  gpointer key;

  /* Sending only queues output (a member over its SendQ is disconnected
   * when the server flushes), so the members stay as they are meanwhile. */
  g_hash_table_iter_init (&iter, _weft_irc_server_channel_get_member_table (channel));
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (key != except && (required_cap == 0 || (((WeftIrcServerConnection *) key)->caps & required_cap)))
      _weft_irc_fanout_send (fanout, key);
  _weft_irc_fanout_free (fanout);
}

void
_weft_irc_server_send_to_peers (WeftIrcServer *server,
                                WeftIrcServerConnection *client,
                                WeftIrcMessage *message,
                                gboolean include_self,
                                WeftIrcServerCaps required_cap)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  WeftIrcFanout *fanout = _weft_irc_fanout_new (message);
  GHashTableIter channels;
  gpointer channel;

  /* As for a channel: sending changes no member list. */
  g_hash_table_add (seen, client);
  if (include_self)
    _weft_irc_fanout_send (fanout, client);
  g_hash_table_iter_init (&channels, client->channels);
  while (g_hash_table_iter_next (&channels, &channel, NULL))
    {
      GHashTableIter members;
      gpointer member;

      g_hash_table_iter_init (&members, _weft_irc_server_channel_get_member_table (channel));
      while (g_hash_table_iter_next (&members, &member, NULL))
        if (g_hash_table_add (seen, member) &&
            (required_cap == 0 || (((WeftIrcServerConnection *) member)->caps & required_cap)))
          _weft_irc_fanout_send (fanout, member);
    }
  _weft_irc_fanout_free (fanout);
}

void
_weft_irc_server_send_isupport (WeftIrcServer *server, WeftIrcServerConnection *client)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  g_autoptr (GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (tokens, g_strdup ("AWAYLEN=390"));
  g_ptr_array_add (tokens, g_strdup ("CASEMAPPING=rfc1459"));
  g_ptr_array_add (tokens, g_strdup_printf ("CHANLIMIT=#:%u", priv->max_channels));
  g_ptr_array_add (tokens, g_strdup ("CHANMODES=b,k,l,imnt"));
  g_ptr_array_add (tokens, g_strdup_printf ("CHANNELLEN=%u", priv->channel_length));
  g_ptr_array_add (tokens, g_strdup ("CHANTYPES=#"));
  if (priv->caps & WEFT_IRC_SERVER_CAP_CHATHISTORY)
    {
      g_ptr_array_add (tokens, g_strdup_printf ("CHATHISTORY=%u", priv->chathistory_limit));
      g_ptr_array_add (tokens, g_strdup ("MSGREFTYPES=msgid,timestamp"));
    }
  g_ptr_array_add (tokens, g_strdup ("ELIST="));
  g_ptr_array_add (tokens, g_strdup ("KICKLEN=390"));
  g_ptr_array_add (tokens, g_strdup ("MAXLIST=b:100"));
  g_ptr_array_add (tokens, g_strdup ("MODES=4"));
  g_ptr_array_add (tokens, g_strdup_printf ("NETWORK=%s", priv->network));
  g_ptr_array_add (tokens, g_strdup_printf ("NICKLEN=%u", priv->nick_length));
  g_ptr_array_add (tokens, g_strdup ("PREFIX=(ov)@+"));
  g_ptr_array_add (tokens, g_strdup_printf ("TARGMAX=PRIVMSG:%u,NOTICE:%u,TAGMSG:%u,JOIN:,PART:,NAMES:1,WHOIS:1",
                                            priv->max_targets, priv->max_targets, priv->max_targets));
  g_ptr_array_add (tokens, g_strdup_printf ("TOPICLEN=%u", priv->topic_length));

  /* At most 13 tokens per line keeps every line well under 512 bytes. */
  for (guint start = 0; start < tokens->len; start += 13)
    {
      g_autoptr (WeftIrcMessage) message = weft_irc_message_new ("005");

      weft_irc_message_set_source (message, priv->name);
      weft_irc_message_add_param (message, client->nick);
      for (guint i = start; i < tokens->len && i < start + 13; i++)
        weft_irc_message_add_param (message, tokens->pdata[i]);
      weft_irc_message_add_param (message, weft_irc_numeric_get_text (WEFT_IRC_RPL_ISUPPORT));
      weft_irc_server_connection_send (client, message);
    }
}
