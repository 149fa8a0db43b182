/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "weft-irc-server-private.h"

/**
 * WeftIrcServerChannel:
 *
 * A channel on a [class@WeftIrc.Server]: its members with their prefixes,
 * topic, modes, key, limit, bans and pending invitations. The server's
 * command handlers change it; programs read it.
 */
struct _WeftIrcServerChannel {
  GObject parent_instance;

  char *name;
  char *folded;
  char *topic;
  char *topic_setter;
  gint64 topic_time;
  gint64 created;
  WeftIrcChannelModes modes;
  char *key;
  guint limit;
  GPtrArray *bans;     /* masks, NULL-terminated for get_bans */
  GHashTable *members; /* WeftIrcServerConnection -> GUINT_TO_POINTER (prefix | 0x100) */
  GHashTable *invites; /* folded nicks */
};

G_DEFINE_FINAL_TYPE (WeftIrcServerChannel, weft_irc_server_channel, G_TYPE_OBJECT)

#define MEMBER_PRESENT 0x100

static void
weft_irc_server_channel_finalize (GObject *object)
{
  WeftIrcServerChannel *self = WEFT_IRC_SERVER_CHANNEL (object);

  g_free (self->name);
  g_free (self->folded);
  g_free (self->topic);
  g_free (self->topic_setter);
  g_free (self->key);
  g_ptr_array_unref (self->bans);
  g_hash_table_unref (self->members);
  g_hash_table_unref (self->invites);

  G_OBJECT_CLASS (weft_irc_server_channel_parent_class)->finalize (object);
}

static void
weft_irc_server_channel_class_init (WeftIrcServerChannelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_irc_server_channel_finalize;
}

static void
weft_irc_server_channel_init (WeftIrcServerChannel *self)
{
  self->bans = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->bans, NULL);
  self->members = g_hash_table_new (NULL, NULL);
  self->invites = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

WeftIrcServerChannel *
_weft_irc_server_channel_new (const char *name, const char *folded)
{
  WeftIrcServerChannel *self = g_object_new (WEFT_IRC_TYPE_SERVER_CHANNEL, NULL);

  self->name = g_strdup (name);
  self->folded = g_strdup (folded);
  self->created = g_get_real_time () / G_USEC_PER_SEC;
  return self;
}

const char *
_weft_irc_server_channel_get_folded (WeftIrcServerChannel *channel)
{
  return channel->folded;
}

/**
 * weft_irc_server_channel_get_name:
 * @channel: a channel
 *
 * Returns: the name as its creator spelled it
 */
const char *
weft_irc_server_channel_get_name (WeftIrcServerChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CHANNEL (channel), NULL);
  return channel->name;
}

/**
 * weft_irc_server_channel_get_topic:
 * @channel: a channel
 *
 * Returns: (nullable): the topic, or %NULL when none is set
 */
const char *
weft_irc_server_channel_get_topic (WeftIrcServerChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CHANNEL (channel), NULL);
  return channel->topic;
}

/**
 * weft_irc_server_channel_get_modes:
 * @channel: a channel
 *
 * Returns: the flag modes that are set
 */
WeftIrcChannelModes
weft_irc_server_channel_get_modes (WeftIrcServerChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CHANNEL (channel), 0);
  return channel->modes;
}

/**
 * weft_irc_server_channel_get_key:
 * @channel: a channel
 *
 * Returns: (nullable): the key (+k), or %NULL
 */
const char *
weft_irc_server_channel_get_key (WeftIrcServerChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CHANNEL (channel), NULL);
  return channel->key;
}

/**
 * weft_irc_server_channel_get_limit:
 * @channel: a channel
 *
 * Returns: the member limit (+l), 0 when none
 */
guint
weft_irc_server_channel_get_limit (WeftIrcServerChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CHANNEL (channel), 0);
  return channel->limit;
}

/**
 * weft_irc_server_channel_get_n_members:
 * @channel: a channel
 *
 * Returns: how many clients are in the channel
 */
guint
weft_irc_server_channel_get_n_members (WeftIrcServerChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CHANNEL (channel), 0);
  return g_hash_table_size (channel->members);
}

/**
 * weft_irc_server_channel_get_members:
 * @channel: a channel
 *
 * Returns: (transfer container) (element-type WeftIrcServerConnection): the members
 */
GList *
weft_irc_server_channel_get_members (WeftIrcServerChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CHANNEL (channel), NULL);
  return g_hash_table_get_keys (channel->members);
}

GHashTable *
_weft_irc_server_channel_get_member_table (WeftIrcServerChannel *channel)
{
  return channel->members;
}

/**
 * weft_irc_server_channel_has_member:
 * @channel: a channel
 * @client: a connection
 *
 * Returns: whether @client is in @channel
 */
gboolean
weft_irc_server_channel_has_member (WeftIrcServerChannel *channel, WeftIrcServerConnection *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CHANNEL (channel), FALSE);
  return g_hash_table_contains (channel->members, client);
}

/**
 * weft_irc_server_channel_get_member_prefix:
 * @channel: a channel
 * @client: a member
 *
 * Returns: the member's status in the channel (0 for none or a non-member)
 */
WeftIrcMemberPrefix
weft_irc_server_channel_get_member_prefix (WeftIrcServerChannel *channel, WeftIrcServerConnection *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CHANNEL (channel), 0);
  return GPOINTER_TO_UINT (g_hash_table_lookup (channel->members, client)) & ~MEMBER_PRESENT;
}

/**
 * weft_irc_server_channel_get_bans:
 * @channel: a channel
 *
 * Returns: (transfer none) (array zero-terminated=1): the ban masks
 */
const char *const *
weft_irc_server_channel_get_bans (WeftIrcServerChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CHANNEL (channel), NULL);
  return (const char *const *) channel->bans->pdata;
}

/**
 * weft_irc_server_channel_is_banned:
 * @channel: a channel
 * @client: a connection
 *
 * Returns: whether a ban mask matches the client's `nick!user@host`
 */
gboolean
weft_irc_server_channel_is_banned (WeftIrcServerChannel *channel, WeftIrcServerConnection *client)
{
  g_autofree char *prefix = NULL;

  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CHANNEL (channel), FALSE);
  if (channel->bans->len <= 1)
    return FALSE;
  prefix = weft_irc_server_connection_dup_prefix (client);
  for (guint i = 0; i + 1 < channel->bans->len; i++)
    if (_weft_irc_mask_match (client->server, channel->bans->pdata[i], prefix))
      return TRUE;
  return FALSE;
}

void
_weft_irc_server_channel_add_member (WeftIrcServerChannel *channel,
                                     WeftIrcServerConnection *client,
                                     WeftIrcMemberPrefix prefix)
{
  g_hash_table_insert (channel->members, client, GUINT_TO_POINTER (prefix | MEMBER_PRESENT));
}

void
_weft_irc_server_channel_remove_member (WeftIrcServerChannel *channel, WeftIrcServerConnection *client)
{
  g_hash_table_remove (channel->members, client);
}

void
_weft_irc_server_channel_set_member_prefix (WeftIrcServerChannel *channel,
                                            WeftIrcServerConnection *client,
                                            WeftIrcMemberPrefix prefix)
{
  if (g_hash_table_contains (channel->members, client))
    g_hash_table_insert (channel->members, client, GUINT_TO_POINTER (prefix | MEMBER_PRESENT));
}

void
_weft_irc_server_channel_set_topic (WeftIrcServerChannel *channel, const char *topic, const char *setter)
{
  g_free (channel->topic);
  channel->topic = (topic != NULL && *topic != '\0') ? g_strdup (topic) : NULL;
  g_free (channel->topic_setter);
  channel->topic_setter = g_strdup (setter);
  channel->topic_time = g_get_real_time () / G_USEC_PER_SEC;
}

const char *
_weft_irc_server_channel_get_topic_setter (WeftIrcServerChannel *channel)
{
  return channel->topic_setter;
}

gint64
_weft_irc_server_channel_get_topic_time (WeftIrcServerChannel *channel)
{
  return channel->topic_time;
}

gint64
_weft_irc_server_channel_get_created (WeftIrcServerChannel *channel)
{
  return channel->created;
}

void
_weft_irc_server_channel_set_modes (WeftIrcServerChannel *channel, WeftIrcChannelModes modes)
{
  channel->modes = modes;
}

void
_weft_irc_server_channel_set_key (WeftIrcServerChannel *channel, const char *key)
{
  g_free (channel->key);
  channel->key = g_strdup (key);
}

void
_weft_irc_server_channel_set_limit (WeftIrcServerChannel *channel, guint limit)
{
  channel->limit = limit;
}

gboolean
_weft_irc_server_channel_add_ban (WeftIrcServerChannel *channel, const char *mask, const char *setter)
{
  for (guint i = 0; i + 1 < channel->bans->len; i++)
    if (g_ascii_strcasecmp (channel->bans->pdata[i], mask) == 0)
      return FALSE;
  g_ptr_array_insert (channel->bans, channel->bans->len - 1, g_strdup (mask));
  return TRUE;
}

gboolean
_weft_irc_server_channel_remove_ban (WeftIrcServerChannel *channel, const char *mask)
{
  for (guint i = 0; i + 1 < channel->bans->len; i++)
    if (g_ascii_strcasecmp (channel->bans->pdata[i], mask) == 0)
      {
        g_ptr_array_remove_index (channel->bans, i);
        return TRUE;
      }
  return FALSE;
}

void
_weft_irc_server_channel_invite (WeftIrcServerChannel *channel, const char *folded_nick)
{
  /* Invitations are few; bound them anyway so a flood of INVITEs cannot grow memory. */
  if (g_hash_table_size (channel->invites) >= 256)
    g_hash_table_remove_all (channel->invites);
  g_hash_table_add (channel->invites, g_strdup (folded_nick));
}

gboolean
_weft_irc_server_channel_take_invite (WeftIrcServerChannel *channel, const char *folded_nick)
{
  return g_hash_table_remove (channel->invites, folded_nick);
}

char *
_weft_irc_server_channel_dup_mode_string (WeftIrcServerChannel *channel, gboolean with_key)
{
  GString *modes = g_string_new ("+");
  GString *args = g_string_new (NULL);

  if (channel->modes & WEFT_IRC_CHANNEL_MODE_INVITE_ONLY)
    g_string_append_c (modes, 'i');
  if (channel->modes & WEFT_IRC_CHANNEL_MODE_MODERATED)
    g_string_append_c (modes, 'm');
  if (channel->modes & WEFT_IRC_CHANNEL_MODE_NO_EXTERNAL)
    g_string_append_c (modes, 'n');
  if (channel->modes & WEFT_IRC_CHANNEL_MODE_TOPIC_LOCK)
    g_string_append_c (modes, 't');
  if (channel->key != NULL)
    {
      g_string_append_c (modes, 'k');
      g_string_append_printf (args, " %s", with_key ? channel->key : "*");
    }
  if (channel->limit > 0)
    {
      g_string_append_c (modes, 'l');
      g_string_append_printf (args, " %u", channel->limit);
    }
  g_string_append (modes, args->str);
  g_string_free (args, TRUE);
  return g_string_free (modes, FALSE);
}
