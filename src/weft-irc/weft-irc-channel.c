/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "weft-irc-client-private.h"

/**
 * WeftIrcChannel:
 *
 * A channel of a [class@WeftIrc.Client]: its topic, modes and members.
 *
 * The client keeps one object per channel for as long as the user wants to
 * be in it, across reconnects; #WeftIrcChannel:joined says whether the
 * client is in it right now (while it is not, the members list is empty).
 * #WeftIrcChannel:members is a `GListModel` of [class@WeftIrc.Member]
 * sorted by rank (operators first), then by nick, ready for a
 * `GtkListView`.
 */
struct _WeftIrcChannel {
  GObject parent_instance;
  char *name;
  gboolean joined;
  char *topic;
  char *topic_setter;
  gint64 topic_time;
  GHashTable *modes; /* GUINT_TO_POINTER (char) -> argument or "" */
  char *modes_string;
  char *key;
  GListStore *members;
  GHashTable *by_nick; /* folded nick -> WeftIrcMember (borrowed from members) */
  WeftIrcCasemapping casemap;
  char *last_msgid;
  gint64 last_time;
};

G_DEFINE_FINAL_TYPE (WeftIrcChannel, weft_irc_channel, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_JOINED,
  PROP_TOPIC,
  PROP_TOPIC_SETTER,
  PROP_TOPIC_TIME,
  PROP_MODES,
  PROP_KEY,
  PROP_MEMBERS,
  PROP_N_MEMBERS,
  PROP_LAST_MSGID,
  PROP_LAST_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
weft_irc_channel_finalize (GObject *object)
{
  WeftIrcChannel *self = WEFT_IRC_CHANNEL (object);

  g_free (self->name);
  g_free (self->topic);
  g_free (self->topic_setter);
  g_hash_table_unref (self->modes);
  g_free (self->modes_string);
  g_free (self->key);
  g_hash_table_unref (self->by_nick);
  g_object_unref (self->members);
  g_free (self->last_msgid);
  G_OBJECT_CLASS (weft_irc_channel_parent_class)->finalize (object);
}

static void
weft_irc_channel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftIrcChannel *self = WEFT_IRC_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_JOINED:
      g_value_set_boolean (value, self->joined);
      break;
    case PROP_TOPIC:
      g_value_set_string (value, self->topic);
      break;
    case PROP_TOPIC_SETTER:
      g_value_set_string (value, self->topic_setter);
      break;
    case PROP_TOPIC_TIME:
      g_value_set_int64 (value, self->topic_time);
      break;
    case PROP_MODES:
      g_value_set_string (value, self->modes_string);
      break;
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_MEMBERS:
      g_value_set_object (value, self->members);
      break;
    case PROP_N_MEMBERS:
      g_value_set_uint (value, g_list_model_get_n_items (G_LIST_MODEL (self->members)));
      break;
    case PROP_LAST_MSGID:
      g_value_set_string (value, self->last_msgid);
      break;
    case PROP_LAST_TIME:
      g_value_set_int64 (value, self->last_time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_irc_channel_class_init (WeftIrcChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = weft_irc_channel_finalize;
  object_class->get_property = weft_irc_channel_get_property;

  /** WeftIrcChannel:name: (getter get_name)
   *
   * The channel's name, as the server spells it. */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  /** WeftIrcChannel:joined: (getter get_joined)
   *
   * Whether the client is in the channel now. %FALSE while disconnected
   * and until the server confirms the (re)join. */
  properties[PROP_JOINED] = g_param_spec_boolean ("joined", NULL, NULL, FALSE, flags);
  /** WeftIrcChannel:topic: (getter get_topic)
   *
   * The topic, or %NULL when there is none. */
  properties[PROP_TOPIC] = g_param_spec_string ("topic", NULL, NULL, NULL, flags);
  /** WeftIrcChannel:topic-setter: (getter get_topic_setter)
   *
   * Who set the topic, or %NULL when unknown. */
  properties[PROP_TOPIC_SETTER] = g_param_spec_string ("topic-setter", NULL, NULL, NULL, flags);
  /** WeftIrcChannel:topic-time: (getter get_topic_time)
   *
   * When the topic was set, in microseconds since the Unix epoch, or 0. */
  properties[PROP_TOPIC_TIME] = g_param_spec_int64 ("topic-time", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /** WeftIrcChannel:modes: (getter get_modes)
   *
   * The channel's modes that are not lists or prefixes, as `"+knt"`
   * (letters sorted); arguments come from
   * weft_irc_channel_get_mode_argument(). */
  properties[PROP_MODES] = g_param_spec_string ("modes", NULL, NULL, "+", flags);
  /** WeftIrcChannel:key: (getter get_key)
   *
   * The channel key (mode `+k`, or the key it was joined with), used to
   * rejoin; %NULL for none. */
  properties[PROP_KEY] = g_param_spec_string ("key", NULL, NULL, NULL, flags);
  /** WeftIrcChannel:members: (getter get_members)
   *
   * The members, a `GListModel` of [class@WeftIrc.Member] sorted by rank
   * then nick. */
  properties[PROP_MEMBERS] = g_param_spec_object ("members", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  /** WeftIrcChannel:n-members: (getter get_n_members)
   *
   * How many members the channel has. */
  properties[PROP_N_MEMBERS] = g_param_spec_uint ("n-members", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /** WeftIrcChannel:last-msgid: (getter get_last_msgid)
   *
   * The msgid of the last live message seen in the channel, or %NULL: where
   * history fetching resumes after a reconnect. */
  properties[PROP_LAST_MSGID] = g_param_spec_string ("last-msgid", NULL, NULL, NULL, flags);
  /** WeftIrcChannel:last-time: (getter get_last_time)
   *
   * The server time of the last message seen, in microseconds since the
   * Unix epoch, or 0. */
  properties[PROP_LAST_TIME] = g_param_spec_int64 ("last-time", NULL, NULL, 0, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_irc_channel_init (WeftIrcChannel *self)
{
  self->modes = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  self->modes_string = g_strdup ("+");
  self->members = g_list_store_new (WEFT_IRC_TYPE_MEMBER);
  self->by_nick = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static gboolean
set_string (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static int
compare_members (gconstpointer a, gconstpointer b, gpointer user_data)
{
  WeftIrcMember *ma = (WeftIrcMember *) a;
  WeftIrcMember *mb = (WeftIrcMember *) b;
  guint ra = weft_irc_member_get_rank (ma);
  guint rb = weft_irc_member_get_rank (mb);

  if (ra != rb)
    return ra < rb ? -1 : 1;
  return strcmp (_weft_irc_member_get_sort_key (ma), _weft_irc_member_get_sort_key (mb));
}

WeftIrcChannel *
_weft_irc_channel_new (const char *name, WeftIrcCasemapping casemap)
{
  WeftIrcChannel *self = g_object_new (WEFT_IRC_TYPE_CHANNEL, NULL);

  self->name = g_strdup (name);
  self->casemap = casemap;
  return self;
}

void
_weft_irc_channel_set_casemap (WeftIrcChannel *channel, WeftIrcCasemapping casemap)
{
  channel->casemap = casemap;
}

void
_weft_irc_channel_set_name (WeftIrcChannel *channel, const char *name)
{
  if (set_string (&channel->name, name))
    g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_NAME]);
}

void
_weft_irc_channel_set_joined (WeftIrcChannel *channel, gboolean joined)
{
  if (channel->joined == joined)
    return;
  channel->joined = joined;
  g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_JOINED]);
}

void
_weft_irc_channel_set_topic (WeftIrcChannel *channel, const char *topic)
{
  if (topic != NULL && *topic == '\0')
    topic = NULL;
  if (set_string (&channel->topic, topic))
    g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_TOPIC]);
}

void
_weft_irc_channel_set_topic_info (WeftIrcChannel *channel, const char *setter, gint64 time)
{
  if (set_string (&channel->topic_setter, setter))
    g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_TOPIC_SETTER]);
  if (channel->topic_time != time)
    {
      channel->topic_time = time;
      g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_TOPIC_TIME]);
    }
}

void
_weft_irc_channel_set_key (WeftIrcChannel *channel, const char *key)
{
  if (key != NULL && *key == '\0')
    key = NULL;
  if (set_string (&channel->key, key))
    g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_KEY]);
}

static void
update_modes_string (WeftIrcChannel *channel)
{
  GString *s = g_string_new ("+");

  for (int c = 1; c < 128; c++)
    if (g_hash_table_contains (channel->modes, GINT_TO_POINTER (c)))
      g_string_append_c (s, (char) c);
  if (g_strcmp0 (s->str, channel->modes_string) != 0)
    {
      g_free (channel->modes_string);
      channel->modes_string = g_string_free (s, FALSE);
      g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_MODES]);
    }
  else
    g_string_free (s, TRUE);
}

void
_weft_irc_channel_set_mode (WeftIrcChannel *channel, char mode, gboolean on, const char *argument)
{
  if (on)
    g_hash_table_insert (channel->modes, GINT_TO_POINTER ((int) mode), g_strdup (argument != NULL ? argument : ""));
  else
    g_hash_table_remove (channel->modes, GINT_TO_POINTER ((int) mode));
  if (mode == 'k' && (!on || (argument != NULL && *argument != '\0' && g_strcmp0 (argument, "*") != 0)))
    _weft_irc_channel_set_key (channel, on ? argument : NULL);
  update_modes_string (channel);
}

void
_weft_irc_channel_clear_modes (WeftIrcChannel *channel)
{
  g_hash_table_remove_all (channel->modes);
  update_modes_string (channel);
}

void
_weft_irc_channel_add_member (WeftIrcChannel *channel, WeftIrcMember *member)
{
  const char *key = _weft_irc_member_get_sort_key (member);
  WeftIrcMember *old = g_hash_table_lookup (channel->by_nick, key);
  guint pos;

  if (old != NULL && g_list_store_find (channel->members, old, &pos))
    g_list_store_remove (channel->members, pos);
  g_hash_table_insert (channel->by_nick, g_strdup (key), member);
  g_list_store_insert_sorted (channel->members, member, compare_members, NULL);
  if (old == NULL)
    g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_N_MEMBERS]);
}

WeftIrcMember *
_weft_irc_channel_remove_member (WeftIrcChannel *channel, const char *nick)
{
  g_autofree char *key = weft_irc_casefold (channel->casemap, nick);
  WeftIrcMember *member = g_hash_table_lookup (channel->by_nick, key);
  guint pos;

  if (member == NULL)
    return NULL;
  g_object_ref (member);
  g_hash_table_remove (channel->by_nick, key);
  if (g_list_store_find (channel->members, member, &pos))
    g_list_store_remove (channel->members, pos);
  g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_N_MEMBERS]);
  return member;
}

void
_weft_irc_channel_rename_member (WeftIrcChannel *channel, const char *old_nick, const char *new_nick)
{
  g_autoptr (WeftIrcMember) member = _weft_irc_channel_remove_member (channel, old_nick);
  g_autofree char *key = NULL;

  if (member == NULL)
    return;
  key = weft_irc_casefold (channel->casemap, new_nick);
  _weft_irc_member_set_nick (member, new_nick, key);
  _weft_irc_channel_add_member (channel, member);
}

void
_weft_irc_channel_member_changed (WeftIrcChannel *channel, WeftIrcMember *member)
{
  guint pos;

  /* Re-sort only when it moved: most changes (away, account) do not. */
  if (!g_list_store_find (channel->members, member, &pos))
    return;
  {
    guint n = g_list_model_get_n_items (G_LIST_MODEL (channel->members));
    g_autoptr (WeftIrcMember) prev = pos > 0 ? g_list_model_get_item (G_LIST_MODEL (channel->members), pos - 1) : NULL;
    g_autoptr (WeftIrcMember) next =
        pos + 1 < n ? g_list_model_get_item (G_LIST_MODEL (channel->members), pos + 1) : NULL;

    if ((prev == NULL || compare_members (prev, member, NULL) <= 0) &&
        (next == NULL || compare_members (member, next, NULL) <= 0))
      return;
  }
  g_object_ref (member);
  g_list_store_remove (channel->members, pos);
  g_list_store_insert_sorted (channel->members, member, compare_members, NULL);
  g_object_unref (member);
}

void
_weft_irc_channel_clear_members (WeftIrcChannel *channel)
{
  g_hash_table_remove_all (channel->by_nick);
  if (g_list_model_get_n_items (G_LIST_MODEL (channel->members)) > 0)
    {
      g_list_store_remove_all (channel->members);
      g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_N_MEMBERS]);
    }
}

void
_weft_irc_channel_set_last_seen (WeftIrcChannel *channel, const char *msgid, gint64 time)
{
  if (msgid != NULL && set_string (&channel->last_msgid, msgid))
    g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_LAST_MSGID]);
  if (time > channel->last_time)
    {
      channel->last_time = time;
      g_object_notify_by_pspec (G_OBJECT (channel), properties[PROP_LAST_TIME]);
    }
}

/**
 * weft_irc_channel_get_name:
 * @channel: a channel
 *
 * Returns: the channel's name
 */
const char *
weft_irc_channel_get_name (WeftIrcChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), NULL);
  return channel->name;
}

/**
 * weft_irc_channel_get_joined:
 * @channel: a channel
 *
 * Returns: whether the client is in the channel now
 */
gboolean
weft_irc_channel_get_joined (WeftIrcChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), FALSE);
  return channel->joined;
}

/**
 * weft_irc_channel_get_topic:
 * @channel: a channel
 *
 * Returns: (nullable): the topic
 */
const char *
weft_irc_channel_get_topic (WeftIrcChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), NULL);
  return channel->topic;
}

/**
 * weft_irc_channel_get_topic_setter:
 * @channel: a channel
 *
 * Returns: (nullable): who set the topic
 */
const char *
weft_irc_channel_get_topic_setter (WeftIrcChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), NULL);
  return channel->topic_setter;
}

/**
 * weft_irc_channel_get_topic_time:
 * @channel: a channel
 *
 * Returns: when the topic was set (µs since the epoch), or 0
 */
gint64
weft_irc_channel_get_topic_time (WeftIrcChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), 0);
  return channel->topic_time;
}

/**
 * weft_irc_channel_get_modes:
 * @channel: a channel
 *
 * Returns: the channel modes as `"+knt"`
 */
const char *
weft_irc_channel_get_modes (WeftIrcChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), NULL);
  return channel->modes_string;
}

/**
 * weft_irc_channel_get_mode_argument:
 * @channel: a channel
 * @mode: a mode letter
 *
 * Returns: (nullable): the argument of @mode ("" for a mode without
 *   argument), or %NULL when the mode is not set
 */
const char *
weft_irc_channel_get_mode_argument (WeftIrcChannel *channel, char mode)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), NULL);
  return g_hash_table_lookup (channel->modes, GINT_TO_POINTER ((int) mode));
}

/**
 * weft_irc_channel_get_key:
 * @channel: a channel
 *
 * Returns: (nullable): the key the client rejoins with
 */
const char *
weft_irc_channel_get_key (WeftIrcChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), NULL);
  return channel->key;
}

/**
 * weft_irc_channel_get_members:
 * @channel: a channel
 *
 * Returns: (transfer none): the members, sorted by rank then nick
 */
GListModel *
weft_irc_channel_get_members (WeftIrcChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), NULL);
  return G_LIST_MODEL (channel->members);
}

/**
 * weft_irc_channel_get_n_members:
 * @channel: a channel
 *
 * Returns: how many members the channel has
 */
guint
weft_irc_channel_get_n_members (WeftIrcChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (channel->members));
}

/**
 * weft_irc_channel_lookup_member:
 * @channel: a channel
 * @nick: a nick, in any case (the server's case mapping applies)
 *
 * Returns: (transfer none) (nullable): the member with @nick
 */
WeftIrcMember *
weft_irc_channel_lookup_member (WeftIrcChannel *channel, const char *nick)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), NULL);
  g_return_val_if_fail (nick != NULL, NULL);
  key = weft_irc_casefold (channel->casemap, nick);
  return g_hash_table_lookup (channel->by_nick, key);
}

/**
 * weft_irc_channel_get_last_msgid:
 * @channel: a channel
 *
 * Returns: (nullable): the msgid of the last message seen
 */
const char *
weft_irc_channel_get_last_msgid (WeftIrcChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), NULL);
  return channel->last_msgid;
}

/**
 * weft_irc_channel_get_last_time:
 * @channel: a channel
 *
 * Returns: the server time of the last message seen (µs since the epoch),
 *   or 0
 */
gint64
weft_irc_channel_get_last_time (WeftIrcChannel *channel)
{
  g_return_val_if_fail (WEFT_IRC_IS_CHANNEL (channel), 0);
  return channel->last_time;
}
