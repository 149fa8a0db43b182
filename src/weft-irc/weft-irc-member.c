/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "weft-irc-client-private.h"

/**
 * WeftIrcMember:
 *
 * One user in one channel, as a [class@WeftIrc.Channel]'s members list
 * holds them: the nick, the channel prefixes (`@`, `+`...) and what the
 * client knows about the user (user name, host, account, real name, away).
 * Every property is notified when it changes, so a row widget binds to it.
 */
struct _WeftIrcMember {
  GObject parent_instance;
  char *nick;
  char *sort_key;
  char *user;
  char *host;
  char *account;
  char *realname;
  char *prefixes;
  char prefix[2];
  guint rank;
  gboolean away;
  char *away_message;
  gboolean is_self;
};

G_DEFINE_FINAL_TYPE (WeftIrcMember, weft_irc_member, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NICK,
  PROP_USER,
  PROP_HOST,
  PROP_ACCOUNT,
  PROP_REALNAME,
  PROP_PREFIXES,
  PROP_PREFIX,
  PROP_RANK,
  PROP_AWAY,
  PROP_AWAY_MESSAGE,
  PROP_SELF,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
weft_irc_member_finalize (GObject *object)
{
  WeftIrcMember *self = WEFT_IRC_MEMBER (object);

  g_free (self->nick);
  g_free (self->sort_key);
  g_free (self->user);
  g_free (self->host);
  g_free (self->account);
  g_free (self->realname);
  g_free (self->prefixes);
  g_free (self->away_message);
  G_OBJECT_CLASS (weft_irc_member_parent_class)->finalize (object);
}

static void
weft_irc_member_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftIrcMember *self = WEFT_IRC_MEMBER (object);

  switch (prop_id)
    {
    case PROP_NICK:
      g_value_set_string (value, self->nick);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_ACCOUNT:
      g_value_set_string (value, self->account);
      break;
    case PROP_REALNAME:
      g_value_set_string (value, self->realname);
      break;
    case PROP_PREFIXES:
      g_value_set_string (value, self->prefixes);
      break;
    case PROP_PREFIX:
      g_value_set_string (value, self->prefix);
      break;
    case PROP_RANK:
      g_value_set_uint (value, self->rank);
      break;
    case PROP_AWAY:
      g_value_set_boolean (value, self->away);
      break;
    case PROP_AWAY_MESSAGE:
      g_value_set_string (value, self->away_message);
      break;
    case PROP_SELF:
      g_value_set_boolean (value, self->is_self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_irc_member_class_init (WeftIrcMemberClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = weft_irc_member_finalize;
  object_class->get_property = weft_irc_member_get_property;

  /** WeftIrcMember:nick: (getter get_nick)
   *
   * The user's nick. */
  properties[PROP_NICK] = g_param_spec_string ("nick", NULL, NULL, NULL, flags);
  /** WeftIrcMember:user: (getter get_user)
   *
   * The user name (ident), or %NULL when unknown. */
  properties[PROP_USER] = g_param_spec_string ("user", NULL, NULL, NULL, flags);
  /** WeftIrcMember:host: (getter get_host)
   *
   * The host, or %NULL when unknown. */
  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, flags);
  /** WeftIrcMember:account: (getter get_account)
   *
   * The services account (extended-join, account-notify), or %NULL. */
  properties[PROP_ACCOUNT] = g_param_spec_string ("account", NULL, NULL, NULL, flags);
  /** WeftIrcMember:realname: (getter get_realname)
   *
   * The real name (extended-join, setname), or %NULL. */
  properties[PROP_REALNAME] = g_param_spec_string ("realname", NULL, NULL, NULL, flags);
  /** WeftIrcMember:prefixes: (getter get_prefixes)
   *
   * Every channel prefix the member has, highest first (`"@+"`); "" for
   * none. */
  properties[PROP_PREFIXES] = g_param_spec_string ("prefixes", NULL, NULL, "", flags);
  /** WeftIrcMember:prefix: (getter get_prefix)
   *
   * The highest prefix (`"@"`), or "" for none: what a nick list shows. */
  properties[PROP_PREFIX] = g_param_spec_string ("prefix", NULL, NULL, "", flags);
  /** WeftIrcMember:rank: (getter get_rank)
   *
   * The member's rank: 0 for the highest prefix of the server's PREFIX,
   * counting down; members without prefix have the largest rank. The
   * members list is sorted by rank, then by nick. */
  properties[PROP_RANK] = g_param_spec_uint ("rank", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /** WeftIrcMember:away: (getter get_away)
   *
   * Whether the user is away (away-notify, WHO, or a 301 reply). */
  properties[PROP_AWAY] = g_param_spec_boolean ("away", NULL, NULL, FALSE, flags);
  /** WeftIrcMember:away-message: (getter get_away_message)
   *
   * The away message, or %NULL. */
  properties[PROP_AWAY_MESSAGE] = g_param_spec_string ("away-message", NULL, NULL, NULL, flags);
  /** WeftIrcMember:self: (getter is_self)
   *
   * Whether this member is the client itself. */
  properties[PROP_SELF] = g_param_spec_boolean ("self", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_irc_member_init (WeftIrcMember *self)
{
  self->prefixes = g_strdup ("");
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

WeftIrcMember *
_weft_irc_member_new (const char *nick, const char *sort_key, gboolean is_self)
{
  WeftIrcMember *self = g_object_new (WEFT_IRC_TYPE_MEMBER, NULL);

  self->nick = g_strdup (nick);
  self->sort_key = g_strdup (sort_key);
  self->is_self = is_self;
  self->rank = G_MAXUINT;
  return self;
}

const char *
_weft_irc_member_get_sort_key (WeftIrcMember *member)
{
  return member->sort_key;
}

void
_weft_irc_member_set_nick (WeftIrcMember *member, const char *nick, const char *sort_key)
{
  set_string (&member->sort_key, sort_key);
  if (set_string (&member->nick, nick))
    g_object_notify_by_pspec (G_OBJECT (member), properties[PROP_NICK]);
}

void
_weft_irc_member_set_userhost (WeftIrcMember *member, const char *user, const char *host)
{
  if (user != NULL && set_string (&member->user, user))
    g_object_notify_by_pspec (G_OBJECT (member), properties[PROP_USER]);
  if (host != NULL && set_string (&member->host, host))
    g_object_notify_by_pspec (G_OBJECT (member), properties[PROP_HOST]);
}

void
_weft_irc_member_set_account (WeftIrcMember *member, const char *account)
{
  if (set_string (&member->account, account))
    g_object_notify_by_pspec (G_OBJECT (member), properties[PROP_ACCOUNT]);
}

void
_weft_irc_member_set_realname (WeftIrcMember *member, const char *realname)
{
  if (set_string (&member->realname, realname))
    g_object_notify_by_pspec (G_OBJECT (member), properties[PROP_REALNAME]);
}

void
_weft_irc_member_set_prefixes (WeftIrcMember *member, const char *prefixes, guint rank)
{
  g_object_freeze_notify (G_OBJECT (member));
  if (set_string (&member->prefixes, prefixes))
    {
      member->prefix[0] = prefixes[0];
      member->prefix[1] = '\0';
      g_object_notify_by_pspec (G_OBJECT (member), properties[PROP_PREFIXES]);
      g_object_notify_by_pspec (G_OBJECT (member), properties[PROP_PREFIX]);
    }
  if (member->rank != rank)
    {
      member->rank = rank;
      g_object_notify_by_pspec (G_OBJECT (member), properties[PROP_RANK]);
    }
  g_object_thaw_notify (G_OBJECT (member));
}

void
_weft_irc_member_set_away (WeftIrcMember *member, gboolean away, const char *message)
{
  g_object_freeze_notify (G_OBJECT (member));
  if (member->away != away)
    {
      member->away = away;
      g_object_notify_by_pspec (G_OBJECT (member), properties[PROP_AWAY]);
    }
  if (set_string (&member->away_message, away ? message : NULL))
    g_object_notify_by_pspec (G_OBJECT (member), properties[PROP_AWAY_MESSAGE]);
  g_object_thaw_notify (G_OBJECT (member));
}

void
_weft_irc_member_set_self (WeftIrcMember *member, gboolean is_self)
{
  if (member->is_self == is_self)
    return;
  member->is_self = is_self;
  g_object_notify_by_pspec (G_OBJECT (member), properties[PROP_SELF]);
}

/**
 * weft_irc_member_get_nick:
 * @member: a member
 *
 * Returns: the member's nick
 */
const char *
weft_irc_member_get_nick (WeftIrcMember *member)
{
  g_return_val_if_fail (WEFT_IRC_IS_MEMBER (member), NULL);
  return member->nick;
}

/**
 * weft_irc_member_get_user:
 * @member: a member
 *
 * Returns: (nullable): the user name, if known
 */
const char *
weft_irc_member_get_user (WeftIrcMember *member)
{
  g_return_val_if_fail (WEFT_IRC_IS_MEMBER (member), NULL);
  return member->user;
}

/**
 * weft_irc_member_get_host:
 * @member: a member
 *
 * Returns: (nullable): the host, if known
 */
const char *
weft_irc_member_get_host (WeftIrcMember *member)
{
  g_return_val_if_fail (WEFT_IRC_IS_MEMBER (member), NULL);
  return member->host;
}

/**
 * weft_irc_member_get_account:
 * @member: a member
 *
 * Returns: (nullable): the account the user is logged in to, if known
 */
const char *
weft_irc_member_get_account (WeftIrcMember *member)
{
  g_return_val_if_fail (WEFT_IRC_IS_MEMBER (member), NULL);
  return member->account;
}

/**
 * weft_irc_member_get_realname:
 * @member: a member
 *
 * Returns: (nullable): the real name, if known
 */
const char *
weft_irc_member_get_realname (WeftIrcMember *member)
{
  g_return_val_if_fail (WEFT_IRC_IS_MEMBER (member), NULL);
  return member->realname;
}

/**
 * weft_irc_member_get_prefixes:
 * @member: a member
 *
 * Returns: every prefix of the member in this channel, highest first
 */
const char *
weft_irc_member_get_prefixes (WeftIrcMember *member)
{
  g_return_val_if_fail (WEFT_IRC_IS_MEMBER (member), NULL);
  return member->prefixes;
}

/**
 * weft_irc_member_get_prefix:
 * @member: a member
 *
 * Returns: the highest prefix, or "" for none
 */
const char *
weft_irc_member_get_prefix (WeftIrcMember *member)
{
  g_return_val_if_fail (WEFT_IRC_IS_MEMBER (member), NULL);
  return member->prefix;
}

/**
 * weft_irc_member_get_rank:
 * @member: a member
 *
 * Returns: the rank (0 is the highest); see #WeftIrcMember:rank
 */
guint
weft_irc_member_get_rank (WeftIrcMember *member)
{
  g_return_val_if_fail (WEFT_IRC_IS_MEMBER (member), 0);
  return member->rank;
}

/**
 * weft_irc_member_get_away:
 * @member: a member
 *
 * Returns: whether the user is away
 */
gboolean
weft_irc_member_get_away (WeftIrcMember *member)
{
  g_return_val_if_fail (WEFT_IRC_IS_MEMBER (member), FALSE);
  return member->away;
}

/**
 * weft_irc_member_get_away_message:
 * @member: a member
 *
 * Returns: (nullable): the away message, if away and known
 */
const char *
weft_irc_member_get_away_message (WeftIrcMember *member)
{
  g_return_val_if_fail (WEFT_IRC_IS_MEMBER (member), NULL);
  return member->away_message;
}

/**
 * weft_irc_member_is_self:
 * @member: a member
 *
 * Returns: whether the member is the client itself
 */
gboolean
weft_irc_member_is_self (WeftIrcMember *member)
{
  g_return_val_if_fail (WEFT_IRC_IS_MEMBER (member), FALSE);
  return member->is_self;
}
