/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What WeftIrcClient does with each message from the server: the dispatch,
 * and the channel and user state. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-client-handlers-private.h"

void
_weft_irc_client_send_va (WeftIrcClient *self, gboolean now, const char *verb, ...)
{
  g_autoptr (WeftIrcMessage) m = weft_irc_message_new (verb);
  va_list ap;
  const char *p;

  va_start (ap, verb);
  while ((p = va_arg (ap, const char *)) != NULL)
    weft_irc_message_add_param (m, p);
  va_end (ap);
  if (now)
    _weft_irc_client_write_now (self, m);
  else
    _weft_irc_client_send (self, m);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

void
_weft_irc_client_update_caps (WeftIrcClient *self)
{
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (self->caps_enabled, NULL);
  GStrvBuilder *builder = g_strv_builder_new ();
  char **strv;

  for (guint i = 0; keys[i] != NULL; i++)
    g_strv_builder_add (builder, keys[i]);
  strv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  qsort (strv, g_strv_length (strv), sizeof (char *), compare_strings);
  if (self->caps_strv != NULL && g_strv_equal ((const char *const *) strv, (const char *const *) self->caps_strv))
    {
      g_strfreev (strv);
      return;
    }
  g_strfreev (self->caps_strv);
  self->caps_strv = strv;
  _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_CAPABILITIES);
}

/* ---- Registration, capabilities, SASL ---------------------------------- */

/* ---- ISUPPORT ---------------------------------------------------------- */

/* ---- Members ----------------------------------------------------------- */

static guint
rank_of (WeftIrcClient *self, const char *prefixes)
{
  const char *p = prefixes[0] != '\0' ? strchr (self->prefix_chars, prefixes[0]) : NULL;
  return p != NULL ? (guint) (p - self->prefix_chars) : (guint) strlen (self->prefix_chars);
}

/* Sets @member's prefixes to the known prefix characters of @chars, in
 * the server's order. */
static void
set_prefixes (WeftIrcClient *self, WeftIrcChannel *channel, WeftIrcMember *member, const char *chars)
{
  GString *ordered = g_string_new (NULL);

  for (const char *p = self->prefix_chars; *p != '\0'; p++)
    if (strchr (chars, *p) != NULL)
      g_string_append_c (ordered, *p);
  _weft_irc_member_set_prefixes (member, ordered->str, rank_of (self, ordered->str));
  g_string_free (ordered, TRUE);
  _weft_irc_channel_member_changed (channel, member);
}

static WeftIrcMember *
ensure_member (WeftIrcClient *self, WeftIrcChannel *channel, const char *nick)
{
  WeftIrcMember *member = weft_irc_channel_lookup_member (channel, nick);
  g_autofree char *key = NULL;

  if (member != NULL)
    return member;
  key = _weft_irc_client_fold (self, nick);
  member = _weft_irc_member_new (nick, key, _weft_irc_client_is_self (self, nick));
  _weft_irc_member_set_prefixes (member, "", rank_of (self, ""));
  _weft_irc_channel_add_member (channel, member);
  g_object_unref (member);
  return member;
}

typedef void (*MemberFunc) (WeftIrcMember *member, gpointer data);

/* Calls @func on @nick's member object in every channel; returns the names
 * of those channels. */
static GStrv
for_each_member (WeftIrcClient *self, const char *nick, MemberFunc func, gpointer data)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  guint n = g_list_model_get_n_items (weft_irc_client_get_channels (self));
  GStrv result;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WeftIrcChannel) channel = g_list_model_get_item (weft_irc_client_get_channels (self), i);
      WeftIrcMember *member = weft_irc_channel_lookup_member (channel, nick);

      if (member == NULL)
        continue;
      g_strv_builder_add (builder, weft_irc_channel_get_name (channel));
      if (func != NULL)
        func (member, data);
    }
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

static void
member_set_away_cb (WeftIrcMember *member, gpointer data)
{
  _weft_irc_member_set_away (member, data != NULL, data);
}

static void
member_set_account_cb (WeftIrcMember *member, gpointer data)
{
  _weft_irc_member_set_account (member, data);
}

static void
member_set_realname_cb (WeftIrcMember *member, gpointer data)
{
  _weft_irc_member_set_realname (member, data);
}

static void
member_set_userhost_cb (WeftIrcMember *member, gpointer data)
{
  const char *const *uh = data;
  _weft_irc_member_set_userhost (member, uh[0], uh[1]);
}

/* ---- Channel events ---------------------------------------------------- */

static void
handle_join (Ctx *c)
{
  WeftIrcClient *self = c->self;
  const char *name = param (c, 0);
  WeftIrcChannel *channel;
  WeftIrcMember *member;

  if (name == NULL || c->nick == NULL || c->history)
    return;
  if (_weft_irc_client_is_self (self, c->nick))
    {
      g_autofree char *folded = _weft_irc_client_fold (self, name);

      _weft_irc_client_join_answered (self, name);
      channel = _weft_irc_client_ensure_channel (self, name);
      _weft_irc_channel_set_name (channel, name);
      g_hash_table_add (self->wanted, g_steal_pointer (&folded));
      _weft_irc_channel_clear_members (channel);
      _weft_irc_channel_clear_modes (channel);
      if (c->user != NULL && c->host != NULL)
        {
          g_free (self->own_user);
          g_free (self->own_host);
          self->own_user = g_strdup (c->user);
          self->own_host = g_strdup (c->host);
        }
      _weft_irc_client_request_missed_history (self, channel);
      _weft_irc_client_send_va (self, FALSE, "MODE", name, NULL);
      if (weft_irc_client_has_capability (self, "away-notify"))
        _weft_irc_client_send_va (self, FALSE, "WHO", name, NULL);
      _weft_irc_channel_set_joined (channel, TRUE);
    }
  else
    {
      channel = weft_irc_client_lookup_channel (self, name);
      if (channel == NULL || !weft_irc_channel_get_joined (channel))
        return;
    }
  member = ensure_member (self, channel, c->nick);
  _weft_irc_member_set_userhost (member, c->user, c->host);
  if (n_params (c) >= 3)
    {
      const char *account = param (c, 1);
      _weft_irc_member_set_account (member, g_strcmp0 (account, "*") == 0 ? NULL : account);
      _weft_irc_member_set_realname (member, param (c, 2));
    }
  else if (weft_irc_message_get_tag (c->msg, "account") != NULL)
    _weft_irc_member_set_account (member, weft_irc_message_get_tag (c->msg, "account"));
  EMIT (self, JOINED, channel, c->nick, c->msg);
  if (_weft_irc_client_is_self (self, c->nick))
    _weft_irc_client_flush_outbox (self);
}

static void
handle_part (Ctx *c)
{
  WeftIrcClient *self = c->self;
  WeftIrcChannel *channel = param (c, 0) != NULL ? weft_irc_client_lookup_channel (self, param (c, 0)) : NULL;
  g_autoptr (WeftIrcMember) member = NULL;

  if (channel == NULL || c->nick == NULL || c->history)
    return;
  g_object_ref (channel);
  if (_weft_irc_client_is_self (self, c->nick))
    {
      _weft_irc_client_join_answered (self, weft_irc_channel_get_name (channel));
      _weft_irc_channel_clear_members (channel);
      _weft_irc_channel_set_joined (channel, FALSE);
      EMIT (self, PARTED, channel, c->nick, param (c, 1), c->msg);
      _weft_irc_client_remove_channel (self, channel);
    }
  else
    {
      member = _weft_irc_channel_remove_member (channel, c->nick);
      EMIT (self, PARTED, channel, c->nick, param (c, 1), c->msg);
    }
  g_object_unref (channel);
}

static void
handle_kick (Ctx *c)
{
  WeftIrcClient *self = c->self;
  WeftIrcChannel *channel = param (c, 0) != NULL ? weft_irc_client_lookup_channel (self, param (c, 0)) : NULL;
  const char *nick = param (c, 1);
  g_autoptr (WeftIrcMember) member = NULL;

  if (channel == NULL || nick == NULL || c->history)
    return;
  if (_weft_irc_client_is_self (self, nick))
    {
      g_autofree char *folded = _weft_irc_client_fold (self, weft_irc_channel_get_name (channel));
      g_hash_table_remove (self->wanted, folded);
      g_hash_table_remove (self->joins_sent, folded);
      _weft_irc_channel_clear_members (channel);
      _weft_irc_channel_set_joined (channel, FALSE);
    }
  else
    member = _weft_irc_channel_remove_member (channel, nick);
  EMIT (self, KICKED, channel, nick, c->nick, param (c, 2), c->msg);
}

static void
handle_quit (Ctx *c)
{
  WeftIrcClient *self = c->self;
  g_auto (GStrv) channels = NULL;

  if (c->nick == NULL || c->history || _weft_irc_client_is_self (self, c->nick))
    return;
  channels = for_each_member (self, c->nick, NULL, NULL);
  for (guint i = 0; channels[i] != NULL; i++)
    {
      WeftIrcChannel *channel = weft_irc_client_lookup_channel (self, channels[i]);
      g_autoptr (WeftIrcMember) member = _weft_irc_channel_remove_member (channel, c->nick);
    }
  EMIT (self, QUIT, c->nick, param (c, 0), channels, c->msg);
}

static void
handle_nick (Ctx *c)
{
  WeftIrcClient *self = c->self;
  const char *new_nick = param (c, 0);
  g_auto (GStrv) channels = NULL;
  gboolean is_self;

  if (c->nick == NULL || new_nick == NULL || c->history)
    return;
  is_self = _weft_irc_client_is_self (self, c->nick);
  channels = for_each_member (self, c->nick, NULL, NULL);
  for (guint i = 0; channels[i] != NULL; i++)
    _weft_irc_channel_rename_member (weft_irc_client_lookup_channel (self, channels[i]), c->nick, new_nick);
  if (is_self)
    {
      g_free (self->current_nick);
      self->current_nick = g_strdup (new_nick);
      g_hash_table_add (self->own_nicks, _weft_irc_client_fold (self, new_nick));
      _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_CURRENT_NICK);
    }
  EMIT (self, NICK_CHANGED, c->nick, new_nick, channels, c->msg);
}

static void
handle_topic (Ctx *c)
{
  WeftIrcClient *self = c->self;
  WeftIrcChannel *channel = param (c, 0) != NULL ? weft_irc_client_lookup_channel (self, param (c, 0)) : NULL;
  const char *topic = param (c, 1);

  if (channel == NULL || c->history)
    return;
  _weft_irc_channel_set_topic (channel, topic);
  _weft_irc_channel_set_topic_info (channel, c->nick, _weft_irc_message_time (c->msg));
  EMIT (self, TOPIC_CHANGED, channel, c->nick, weft_irc_channel_get_topic (channel), c->msg);
}

/* Applies a mode string to @channel; prefix modes change members. */
static void
apply_channel_modes (WeftIrcClient *self, WeftIrcChannel *channel, const char *modes, const char *const *args)
{
  gboolean on = TRUE;
  guint arg = 0;

  for (const char *m = modes; *m != '\0'; m++)
    {
      const char *prefix_mode;
      const char *value = NULL;

      if (*m == '+' || *m == '-')
        {
          on = *m == '+';
          continue;
        }
      prefix_mode = strchr (self->prefix_modes, *m);
      if (prefix_mode != NULL || strchr (self->chanmodes[0], *m) != NULL || strchr (self->chanmodes[1], *m) != NULL ||
          (on && strchr (self->chanmodes[2], *m) != NULL))
        value = args[arg] != NULL ? args[arg++] : NULL;
      if (prefix_mode != NULL)
        {
          char prefix = self->prefix_chars[prefix_mode - self->prefix_modes];
          WeftIrcMember *member = value != NULL ? weft_irc_channel_lookup_member (channel, value) : NULL;
          GString *chars;

          if (member == NULL)
            continue;
          chars = g_string_new (weft_irc_member_get_prefixes (member));
          if (on && strchr (chars->str, prefix) == NULL)
            g_string_append_c (chars, prefix);
          else if (!on)
            {
              char *at = strchr (chars->str, prefix);
              if (at != NULL)
                g_string_erase (chars, at - chars->str, 1);
            }
          set_prefixes (self, channel, member, chars->str);
          g_string_free (chars, TRUE);
        }
      else if (strchr (self->chanmodes[0], *m) == NULL)
        _weft_irc_channel_set_mode (channel, *m, on, value);
    }
}

/* Applies a user mode string to the client's own modes. */
static void
apply_user_modes (WeftIrcClient *self, const char *modes, gboolean reset)
{
  GString *set = g_string_new (reset ? "" : self->user_modes + 1);
  gboolean on = TRUE;
  GString *sorted = g_string_new ("+");

  for (const char *m = modes; *m != '\0'; m++)
    {
      char *at;

      if (*m == '+' || *m == '-')
        {
          on = *m == '+';
          continue;
        }
      at = strchr (set->str, *m);
      if (on && at == NULL)
        g_string_append_c (set, *m);
      else if (!on && at != NULL)
        g_string_erase (set, at - set->str, 1);
    }
  for (int ch = 1; ch < 128; ch++)
    if (strchr (set->str, ch) != NULL)
      g_string_append_c (sorted, (char) ch);
  g_string_free (set, TRUE);
  if (g_strcmp0 (sorted->str, self->user_modes) != 0)
    {
      g_free (self->user_modes);
      self->user_modes = g_string_free (sorted, FALSE);
      _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_USER_MODES);
    }
  else
    g_string_free (sorted, TRUE);
}

static void
handle_mode (Ctx *c)
{
  WeftIrcClient *self = c->self;
  const char *target = param (c, 0);
  const char *modes = param (c, 1);
  const char *const *params = weft_irc_message_get_params (c->msg);
  WeftIrcChannel *channel;

  if (target == NULL || modes == NULL || c->history)
    return;
  channel = weft_irc_client_lookup_channel (self, target);
  if (channel != NULL)
    apply_channel_modes (self, channel, modes, params + 2);
  else if (_weft_irc_client_is_self (self, target))
    apply_user_modes (self, modes, FALSE);
  EMIT (self, MODE_CHANGED, target, c->nick != NULL ? c->nick : weft_irc_message_get_source (c->msg), modes,
        (GStrv) (params + 2), c->msg);
}

static void
handle_names_reply (Ctx *c)
{
  WeftIrcClient *self = c->self;
  WeftIrcChannel *channel = n_params (c) >= 4 ? weft_irc_client_lookup_channel (self, param (c, 2)) : NULL;
  g_auto (GStrv) names = NULL;

  if (channel == NULL || !weft_irc_channel_get_joined (channel))
    return;
  names = g_strsplit (param (c, 3), " ", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *p = names[i];
      g_autofree char *prefixes = NULL;
      g_autofree char *nick = NULL;
      g_autofree char *user = NULL;
      g_autofree char *host = NULL;
      WeftIrcMember *member;

      while (*p != '\0' && strchr (self->prefix_chars, *p) != NULL)
        p++;
      if (*p == '\0')
        continue;
      prefixes = g_strndup (names[i], p - names[i]);
      weft_irc_split_source (p, &nick, &user, &host);
      member = ensure_member (self, channel, nick);
      _weft_irc_member_set_userhost (member, user, host);
      set_prefixes (self, channel, member, prefixes);
    }
}

static void
handle_who_reply (Ctx *c)
{
  WeftIrcClient *self = c->self;
  const char *flags = param (c, 6);
  const char *nick = param (c, 5);
  const char *uh[2] = { param (c, 2), param (c, 3) };
  const char *last = last_param (c);
  const char *space = strchr (last, ' ');
  g_auto (GStrv) a = NULL;
  g_auto (GStrv) b = NULL;
  g_auto (GStrv) d = NULL;

  if (n_params (c) < 8 || nick == NULL || flags == NULL)
    return;
  a = for_each_member (self, nick, member_set_userhost_cb, uh);
  b = for_each_member (self, nick, member_set_away_cb, flags[0] == 'G' ? (gpointer) "" : NULL);
  if (space != NULL)
    d = for_each_member (self, nick, member_set_realname_cb, (gpointer) (space + 1));
}

static void
handle_away (Ctx *c)
{
  WeftIrcClient *self = c->self;
  const char *message = param (c, 0);
  g_auto (GStrv) channels = NULL;

  if (c->nick == NULL || c->history)
    return;
  if (message != NULL && *message == '\0')
    message = NULL;
  channels = for_each_member (self, c->nick, member_set_away_cb, (gpointer) message);
  EMIT (self, AWAY_CHANGED, c->nick, message);
}

static void
handle_account (Ctx *c)
{
  WeftIrcClient *self = c->self;
  const char *account = param (c, 0);
  g_auto (GStrv) channels = NULL;

  if (c->nick == NULL || account == NULL || c->history)
    return;
  if (g_str_equal (account, "*"))
    account = NULL;
  channels = for_each_member (self, c->nick, member_set_account_cb, (gpointer) account);
  if (_weft_irc_client_is_self (self, c->nick))
    _weft_irc_client_set_account (self, account);
  EMIT (self, ACCOUNT_CHANGED, c->nick, account);
}

static void
handle_chghost (Ctx *c)
{
  WeftIrcClient *self = c->self;
  const char *uh[2] = { param (c, 0), param (c, 1) };
  g_auto (GStrv) channels = NULL;

  if (c->nick == NULL || uh[0] == NULL || uh[1] == NULL || c->history)
    return;
  channels = for_each_member (self, c->nick, member_set_userhost_cb, uh);
  if (_weft_irc_client_is_self (self, c->nick))
    {
      g_free (self->own_user);
      g_free (self->own_host);
      self->own_user = g_strdup (uh[0]);
      self->own_host = g_strdup (uh[1]);
    }
  EMIT (self, HOST_CHANGED, c->nick, uh[0], uh[1]);
}

static void
handle_setname (Ctx *c)
{
  WeftIrcClient *self = c->self;
  g_auto (GStrv) channels = NULL;

  if (c->nick == NULL || param (c, 0) == NULL || c->history)
    return;
  channels = for_each_member (self, c->nick, member_set_realname_cb, (gpointer) param (c, 0));
  EMIT (self, REALNAME_CHANGED, c->nick, param (c, 0));
}

/* ---- Messages ---------------------------------------------------------- */

/* ---- Batches, labels, errors ------------------------------------------- */

static void
handle_error_numeric (Ctx *c, guint numeric)
{
  WeftIrcClient *self = c->self;

  switch (numeric)
    {
    case 432: /* ERR_ERRONEUSNICKNAME */
    case 433: /* ERR_NICKNAMEINUSE */
    case 436: /* ERR_NICKCOLLISION */
    case 437: /* ERR_UNAVAILRESOURCE */
      if (!self->registered)
        _weft_irc_client_try_next_nick (c);
      break;
    case 405: /* ERR_TOOMANYCHANNELS */
    case 471: /* ERR_CHANNELISFULL */
    case 473: /* ERR_INVITEONLYCHAN */
    case 474: /* ERR_BANNEDFROMCHAN */
    case 475: /* ERR_BADCHANNELKEY */
    case 476: /* ERR_BADCHANMASK */
    case 477: /* ERR_NEEDREGGEDNICK */
      /* The JOIN was refused: a later join() asks again. */
      _weft_irc_client_join_answered (self, param (c, 1));
      if (c->label != NULL)
        _weft_irc_client_fail_by_label_or_target (c, NULL);
      break;
    case 401: /* ERR_NOSUCHNICK */
    case 403: /* ERR_NOSUCHCHANNEL */
    case 404: /* ERR_CANNOTSENDTOCHAN */
    case 406: /* ERR_WASNOSUCHNICK */
    case 407: /* ERR_TOOMANYTARGETS */
    case 411: /* ERR_NORECIPIENT */
    case 412: /* ERR_NOTEXTTOSEND */
    case 413:
    case 414:
      if (numeric == 403)
        _weft_irc_client_join_answered (self, param (c, 1));
      _weft_irc_client_fail_by_label_or_target (c, param (c, 1));
      break;
    case 902: /* ERR_NICKLOCKED */
    case 904: /* ERR_SASLFAIL */
    case 905: /* ERR_SASLTOOLONG */
    case 906: /* ERR_SASLABORTED */
    case 907: /* ERR_SASLALREADY */
      self->sasl_in_progress = FALSE;
      _weft_irc_client_maybe_end_caps (self);
      break;
    default:
      if (c->label != NULL)
        _weft_irc_client_fail_by_label_or_target (c, NULL);
    }
  EMIT (self, ERROR_RECEIVED, numeric, last_param (c), c->msg);
}

static void
handle_numeric (Ctx *c, guint numeric)
{
  WeftIrcClient *self = c->self;
  WeftIrcChannel *channel;

  if ((numeric >= 400 && numeric < 600) || (numeric >= 902 && numeric <= 907 && numeric != 903))
    {
      handle_error_numeric (c, numeric);
      return;
    }
  switch (numeric)
    {
    case 1:
      _weft_irc_client_handle_welcome (c);
      break;
    case 5:
      _weft_irc_client_handle_isupport (c);
      break;
    case 221: /* RPL_UMODEIS */
      if (n_params (c) >= 2)
        apply_user_modes (self, param (c, 1), TRUE);
      break;
    case 301: /* RPL_AWAY */
      if (n_params (c) >= 3)
        {
          g_auto (GStrv) channels = for_each_member (self, param (c, 1), member_set_away_cb, (gpointer) param (c, 2));
        }
      break;
    case 305: /* RPL_UNAWAY */
    case 306: /* RPL_NOWAWAY */
      if (self->away != (numeric == 306))
        {
          self->away = numeric == 306;
          _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_AWAY);
          EMIT (self, AWAY_CHANGED, self->current_nick, self->away ? self->away_message : NULL);
        }
      break;
    case 324: /* RPL_CHANNELMODEIS */
      channel = n_params (c) >= 3 ? weft_irc_client_lookup_channel (self, param (c, 1)) : NULL;
      if (channel != NULL)
        {
          _weft_irc_channel_clear_modes (channel);
          apply_channel_modes (self, channel, param (c, 2), weft_irc_message_get_params (c->msg) + 3);
        }
      break;
    case 331: /* RPL_NOTOPIC */
      channel = n_params (c) >= 2 ? weft_irc_client_lookup_channel (self, param (c, 1)) : NULL;
      if (channel != NULL)
        _weft_irc_channel_set_topic (channel, NULL);
      break;
    case 332: /* RPL_TOPIC */
      channel = n_params (c) >= 3 ? weft_irc_client_lookup_channel (self, param (c, 1)) : NULL;
      if (channel != NULL)
        {
          _weft_irc_channel_set_topic (channel, param (c, 2));
          EMIT (self, TOPIC_CHANGED, channel, NULL, weft_irc_channel_get_topic (channel), c->msg);
        }
      break;
    case 333: /* RPL_TOPICWHOTIME */
      channel = n_params (c) >= 4 ? weft_irc_client_lookup_channel (self, param (c, 1)) : NULL;
      if (channel != NULL)
        {
          g_autofree char *setter = NULL;
          weft_irc_split_source (param (c, 2), &setter, NULL, NULL);
          _weft_irc_channel_set_topic_info (channel, setter, g_ascii_strtoll (param (c, 3), NULL, 10) * G_USEC_PER_SEC);
        }
      break;
    case 352: /* RPL_WHOREPLY */
      handle_who_reply (c);
      break;
    case 353: /* RPL_NAMREPLY */
      handle_names_reply (c);
      break;
    case 900: /* RPL_LOGGEDIN */
      if (n_params (c) >= 3)
        _weft_irc_client_set_account (self, param (c, 2));
      break;
    case 901: /* RPL_LOGGEDOUT */
      _weft_irc_client_set_account (self, NULL);
      break;
    case 903: /* RPL_SASLSUCCESS */
      self->sasl_in_progress = FALSE;
      _weft_irc_client_maybe_end_caps (self);
      break;
    default:
      break;
    }
  EMIT (self, SERVER_REPLY, numeric, last_param (c), c->msg);
}

void
_weft_irc_client_handle (WeftIrcClient *self, WeftIrcMessage *message)
{
  Ctx c = { self, message };
  const char *verb = weft_irc_message_get_verb (message);
  const char *source = weft_irc_message_get_source (message);
  guint numeric = weft_irc_message_get_numeric (message);

  _weft_irc_client_find_batch_context (&c);
  if (source != NULL)
    {
      weft_irc_split_source (source, &c.nick, &c.user, &c.host);
      c.from_server = strchr (source, '!') == NULL && strchr (source, '@') == NULL &&
                      (strchr (source, '.') != NULL || g_strcmp0 (source, self->server_name) == 0);
    }
  else
    c.from_server = TRUE;

  if (numeric != 0)
    handle_numeric (&c, numeric);
  else if (g_str_equal (verb, "PING"))
    {
      g_autoptr (WeftIrcMessage) pong = weft_irc_message_new ("PONG");
      for (guint i = 0; i < weft_irc_message_get_n_params (message); i++)
        weft_irc_message_add_param (pong, weft_irc_message_get_param (message, i));
      _weft_irc_client_write_now (self, pong);
    }
  else if (g_str_equal (verb, "PONG"))
    _weft_irc_client_pong (self, last_param (&c));
  else if (g_str_equal (verb, "PRIVMSG"))
    _weft_irc_client_handle_text (&c, FALSE);
  else if (g_str_equal (verb, "NOTICE"))
    _weft_irc_client_handle_text (&c, TRUE);
  else if (g_str_equal (verb, "JOIN"))
    handle_join (&c);
  else if (g_str_equal (verb, "PART"))
    handle_part (&c);
  else if (g_str_equal (verb, "KICK"))
    handle_kick (&c);
  else if (g_str_equal (verb, "QUIT"))
    handle_quit (&c);
  else if (g_str_equal (verb, "NICK"))
    handle_nick (&c);
  else if (g_str_equal (verb, "TOPIC"))
    handle_topic (&c);
  else if (g_str_equal (verb, "MODE"))
    handle_mode (&c);
  else if (g_str_equal (verb, "CAP"))
    _weft_irc_client_handle_cap (&c);
  else if (g_str_equal (verb, "AUTHENTICATE"))
    _weft_irc_client_handle_authenticate (&c);
  else if (g_str_equal (verb, "AWAY"))
    handle_away (&c);
  else if (g_str_equal (verb, "ACCOUNT"))
    handle_account (&c);
  else if (g_str_equal (verb, "CHGHOST"))
    handle_chghost (&c);
  else if (g_str_equal (verb, "SETNAME"))
    handle_setname (&c);
  else if (g_str_equal (verb, "INVITE") && c.nick != NULL && n_params (&c) >= 2)
    EMIT (self, INVITED, c.nick, param (&c, 0), param (&c, 1), message);
  else if (g_str_equal (verb, "BATCH"))
    _weft_irc_client_handle_batch (&c);
  else if (g_str_equal (verb, "ACK"))
    _weft_irc_client_handle_ack (&c);
  else if (g_str_equal (verb, "FAIL"))
    _weft_irc_client_handle_fail (&c);
  else if (g_str_equal (verb, "ERROR"))
    EMIT (self, ERROR_RECEIVED, 0u, last_param (&c), message);

  g_free (c.nick);
  g_free (c.user);
  g_free (c.host);
}
