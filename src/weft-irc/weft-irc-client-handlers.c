/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What WeftIrcClient does with each message from the server: registration,
 * capabilities, SASL, and the channel and user state. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-client-private.h"

#define CTCP_BURST 3
#define CTCP_INTERVAL (5 * G_USEC_PER_SEC)
#define SASL_CHUNK 400
#define MAX_NICK_ATTEMPTS 8

/* The capabilities the client asks for, when the server offers them. */
static const char *const wanted_caps[] = {
  "message-tags",
  "server-time",
  "echo-message",
  "labeled-response",
  "batch",
  "away-notify",
  "account-notify",
  "extended-join",
  "multi-prefix",
  "chghost",
  "invite-notify",
  "setname",
  "draft/chathistory",
  "chathistory",
  "cap-notify",
  "account-tag",
  "userhost-in-names",
  NULL,
};

typedef struct {
  WeftIrcClient *self;
  WeftIrcMessage *msg;
  const char *label; /* labeled-response label, from the message or its batch */
  gboolean history;  /* inside a chathistory batch */
  char *nick;        /* the source's nick, or NULL */
  char *user;
  char *host;
  gboolean from_server;
} Ctx;

#define EMIT(self, sig, ...) \
  g_signal_emit ((self), _weft_irc_client_signals[WEFT_IRC_CLIENT_SIGNAL_##sig], 0, __VA_ARGS__)

static const char *
param (Ctx *c, guint i)
{
  return weft_irc_message_get_param (c->msg, i);
}

static guint
n_params (Ctx *c)
{
  return weft_irc_message_get_n_params (c->msg);
}

static const char *
last_param (Ctx *c)
{
  guint n = n_params (c);
  return n > 0 ? param (c, n - 1) : "";
}

static void
send_va (WeftIrcClient *self, gboolean now, const char *verb, ...)
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

static void
maybe_end_caps (WeftIrcClient *self)
{
  if (self->registered || self->cap_ended || !self->cap_ls_done || self->cap_reqs_pending > 0 || self->sasl_in_progress)
    return;
  self->cap_ended = TRUE;
  send_va (self, TRUE, "CAP", "END", NULL);
}

static gboolean
sasl_offered (WeftIrcClient *self, const char *mechanism)
{
  const char *value = g_hash_table_lookup (self->caps_available, "sasl");
  g_auto (GStrv) mechs = NULL;

  if (value == NULL)
    return FALSE;
  if (*value == '\0')
    return TRUE; /* CAP LS without 302 values: try */
  mechs = g_strsplit (value, ",", -1);
  for (guint i = 0; mechs[i] != NULL; i++)
    if (g_ascii_strcasecmp (mechs[i], mechanism) == 0)
      return TRUE;
  return FALSE;
}

static const char *
sasl_mechanism_name (WeftIrcClient *self)
{
  return self->sasl_mechanism == WEFT_IRC_SASL_PLAIN ? "PLAIN" : "EXTERNAL";
}

static void
request_caps (WeftIrcClient *self, GPtrArray *names)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; i <= names->len; i++)
    {
      const char *name = i < names->len ? g_ptr_array_index (names, i) : NULL;

      if (line->len > 0 && (name == NULL || line->len + strlen (name) > 400))
        {
          self->cap_reqs_pending++;
          send_va (self, TRUE, "CAP", "REQ", line->str, NULL);
          g_string_truncate (line, 0);
        }
      if (name == NULL)
        break;
      if (line->len > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, name);
    }
  g_string_free (line, TRUE);
}

/* Asks for every wanted capability that is offered and not enabled. */
static void
request_wanted_caps (WeftIrcClient *self)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; wanted_caps[i] != NULL; i++)
    if (g_hash_table_contains (self->caps_available, wanted_caps[i]) &&
        !g_hash_table_contains (self->caps_enabled, wanted_caps[i]))
      g_ptr_array_add (names, (gpointer) wanted_caps[i]);
  if (!self->registered && self->sasl_mechanism != WEFT_IRC_SASL_NONE &&
      sasl_offered (self, sasl_mechanism_name (self)) && !g_hash_table_contains (self->caps_enabled, "sasl"))
    g_ptr_array_add (names, (gpointer) "sasl");
  request_caps (self, names);
}

/* A server cannot make the client hold more than this many capabilities
 * or ISUPPORT tokens. */
#define MAX_SERVER_TOKENS 512

static void
parse_cap_list (GHashTable *into, const char *list)
{
  g_auto (GStrv) caps = g_strsplit (list, " ", -1);

  for (guint i = 0; caps[i] != NULL; i++)
    {
      char *eq;

      if (caps[i][0] == '\0' || g_hash_table_size (into) >= MAX_SERVER_TOKENS)
        continue;
      eq = strchr (caps[i], '=');
      if (eq != NULL)
        {
          *eq = '\0';
          g_hash_table_insert (into, g_strdup (caps[i]), g_strdup (eq + 1));
        }
      else
        g_hash_table_insert (into, g_strdup (caps[i]), g_strdup (""));
    }
}

static void
start_sasl (WeftIrcClient *self)
{
  self->sasl_in_progress = TRUE;
  send_va (self, TRUE, "AUTHENTICATE", sasl_mechanism_name (self), NULL);
}

static void
handle_cap (Ctx *c)
{
  WeftIrcClient *self = c->self;
  const char *sub = param (c, 1);
  gboolean more = n_params (c) >= 4 && g_strcmp0 (param (c, 2), "*") == 0;
  const char *list = last_param (c);

  if (sub == NULL)
    return;
  if (g_ascii_strcasecmp (sub, "LS") == 0)
    {
      parse_cap_list (self->caps_available, list);
      if (more || self->cap_ls_done)
        return;
      self->cap_ls_done = TRUE;
      request_wanted_caps (self);
      maybe_end_caps (self);
    }
  else if (g_ascii_strcasecmp (sub, "ACK") == 0)
    {
      g_auto (GStrv) caps = g_strsplit (list, " ", -1);
      gboolean sasl = FALSE;

      for (guint i = 0; caps[i] != NULL; i++)
        {
          const char *name = caps[i];
          if (*name == '\0')
            continue;
          if (*name == '-')
            g_hash_table_remove (self->caps_enabled, name + 1);
          else
            {
              const char *value = g_hash_table_lookup (self->caps_available, name);
              g_hash_table_insert (self->caps_enabled, g_strdup (name), g_strdup (value != NULL ? value : ""));
              sasl |= g_str_equal (name, "sasl");
            }
        }
      _weft_irc_client_update_caps (self);
      if (!more && self->cap_reqs_pending > 0)
        self->cap_reqs_pending--;
      if (sasl && !self->registered && self->sasl_mechanism != WEFT_IRC_SASL_NONE)
        start_sasl (self);
      maybe_end_caps (self);
    }
  else if (g_ascii_strcasecmp (sub, "NAK") == 0)
    {
      g_auto (GStrv) caps = g_strsplit (list, " ", -1);

      if (self->cap_reqs_pending > 0)
        self->cap_reqs_pending--;
      /* A request is all or nothing: ask again one by one. A single
       * refused capability is not asked for again on this connection. */
      if (g_strv_length (caps) == 1)
        g_hash_table_remove (self->caps_available, caps[0]);
      else if (g_strv_length (caps) > 1)
        for (guint i = 0; caps[i] != NULL; i++)
          if (*caps[i] != '\0')
            {
              self->cap_reqs_pending++;
              send_va (self, TRUE, "CAP", "REQ", caps[i], NULL);
            }
      maybe_end_caps (self);
    }
  else if (g_ascii_strcasecmp (sub, "NEW") == 0)
    {
      parse_cap_list (self->caps_available, list);
      request_wanted_caps (self);
    }
  else if (g_ascii_strcasecmp (sub, "DEL") == 0)
    {
      g_auto (GStrv) caps = g_strsplit (list, " ", -1);

      for (guint i = 0; caps[i] != NULL; i++)
        {
          g_hash_table_remove (self->caps_available, caps[i]);
          g_hash_table_remove (self->caps_enabled, caps[i]);
        }
      _weft_irc_client_update_caps (self);
    }
}

static void
handle_authenticate (Ctx *c)
{
  WeftIrcClient *self = c->self;
  g_autofree char *payload = NULL;
  gsize len, off = 0;

  if (!self->sasl_in_progress || g_strcmp0 (param (c, 0), "+") != 0)
    return;
  if (self->sasl_mechanism == WEFT_IRC_SASL_EXTERNAL)
    {
      send_va (self, TRUE, "AUTHENTICATE", "+", NULL);
      return;
    }
  {
    const char *user = self->sasl_username != NULL ? self->sasl_username : self->nick;
    const char *pass = self->sasl_password != NULL ? self->sasl_password : "";
    gsize ulen = strlen (user), plen = strlen (pass);
    g_autofree guint8 *raw = g_malloc (2 * ulen + plen + 2);

    memcpy (raw, user, ulen);
    raw[ulen] = '\0';
    memcpy (raw + ulen + 1, user, ulen);
    raw[2 * ulen + 1] = '\0';
    memcpy (raw + 2 * ulen + 2, pass, plen);
    payload = g_base64_encode (raw, 2 * ulen + plen + 2);
  }
  len = strlen (payload);
  /* 400-byte chunks; a last chunk of exactly 400 is followed by "+". */
  do
    {
      g_autofree char *chunk = g_strndup (payload + off, SASL_CHUNK);
      send_va (self, TRUE, "AUTHENTICATE", chunk, NULL);
      off += SASL_CHUNK;
    }
  while (off < len);
  if (len % SASL_CHUNK == 0)
    send_va (self, TRUE, "AUTHENTICATE", "+", NULL);
}

static void
set_account (WeftIrcClient *self, const char *account)
{
  if (g_strcmp0 (self->account, account) == 0)
    return;
  g_free (self->account);
  self->account = g_strdup (account);
  _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_ACCOUNT);
}

static void
try_next_nick (Ctx *c)
{
  WeftIrcClient *self = c->self;
  g_autofree char *next = NULL;

  if (++self->nick_attempt > MAX_NICK_ATTEMPTS)
    {
      _weft_irc_client_close (self, WEFT_IRC_ERROR, WEFT_IRC_ERROR_REGISTRATION,
                              _ ("The server refused every nick the client tried."));
      return;
    }
  /* nick_, nick__, then a shortened nick with a number, so that a server
   * with a short NICKLEN takes it too. */
  if (self->nick_attempt <= 2)
    next = g_strdup_printf ("%s%s", self->nick, self->nick_attempt == 1 ? "_" : "__");
  else
    next = g_strdup_printf ("%.6s%u", self->nick, self->nick_attempt);
  g_free (self->current_nick);
  self->current_nick = g_strdup (next);
  send_va (self, TRUE, "NICK", next, NULL);
}

static void
send_rejoins (WeftIrcClient *self)
{
  GString *names = g_string_new (NULL);
  GString *keys = g_string_new (NULL);
  guint n = g_list_model_get_n_items (weft_irc_client_get_channels (self));

  /* Keyed channels first, so that the key list lines up with them. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i <= n; i++)
      {
        g_autoptr (WeftIrcChannel) channel =
            i < n ? g_list_model_get_item (weft_irc_client_get_channels (self), i) : NULL;
        const char *name = channel != NULL ? weft_irc_channel_get_name (channel) : NULL;
        const char *key = channel != NULL ? weft_irc_channel_get_key (channel) : NULL;
        g_autofree char *folded = name != NULL ? _weft_irc_client_fold (self, name) : NULL;

        if (name != NULL && (!g_hash_table_contains (self->wanted, folded) || (pass == 0) != (key != NULL)))
          continue;
        if (names->len > 0 && (name == NULL || names->len + keys->len + strlen (name) + 2 > 400))
          {
            send_va (self, FALSE, "JOIN", names->str, keys->len > 0 ? keys->str : NULL, NULL);
            g_string_truncate (names, 0);
            g_string_truncate (keys, 0);
          }
        if (name == NULL)
          break;
        g_string_append_printf (names, "%s%s", names->len > 0 ? "," : "", name);
        if (key != NULL)
          g_string_append_printf (keys, "%s%s", keys->len > 0 ? "," : "", key);
      }
  g_string_free (names, TRUE);
  g_string_free (keys, TRUE);
}

static void
handle_welcome (Ctx *c)
{
  WeftIrcClient *self = c->self;
  const char *nick = param (c, 0);

  if (self->registered)
    return;
  self->registered = TRUE;
  self->sasl_in_progress = FALSE;
  if (nick != NULL && *nick != '\0' && g_strcmp0 (nick, self->current_nick) != 0)
    {
      g_free (self->current_nick);
      self->current_nick = g_strdup (nick);
    }
  _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_CURRENT_NICK);
  g_hash_table_add (self->own_nicks, _weft_irc_client_fold (self, self->current_nick));
  if (g_strcmp0 (self->server_name, weft_irc_message_get_source (c->msg)) != 0)
    {
      g_free (self->server_name);
      self->server_name = g_strdup (weft_irc_message_get_source (c->msg));
      _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_SERVER_NAME);
      _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_NETWORK);
    }
  _weft_irc_client_set_state (self, WEFT_IRC_CLIENT_STATE_REGISTERED);
  if (self->factory != NULL)
    weft_reconnecting_client_factory_reset_delay (self->factory);
  _weft_irc_client_start_pings (self);
  EMIT (self, REGISTERED, self->current_nick);
  if (self->transport == NULL)
    return;
  if (self->wanted_away != NULL)
    send_va (self, FALSE, "AWAY", self->wanted_away, NULL);
  send_rejoins (self);
  _weft_irc_client_flush_outbox (self);
}

/* ---- ISUPPORT ---------------------------------------------------------- */

static char *
isupport_unescape (const char *value)
{
  GString *s = g_string_new (NULL);

  for (const char *p = value; *p != '\0'; p++)
    {
      if (p[0] == '\\' && p[1] == 'x' && g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]))
        {
          g_string_append_c (s, (char) (g_ascii_xdigit_value (p[2]) * 16 + g_ascii_xdigit_value (p[3])));
          p += 3;
        }
      else
        g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

static GHashTable *
refold_table (WeftIrcClient *self, GHashTable *table)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (out, _weft_irc_client_fold (self, key), value);
  g_hash_table_unref (table);
  return out;
}

static void
set_casemap (WeftIrcClient *self, WeftIrcCasemapping casemap)
{
  guint n;

  if (self->casemap == casemap)
    return;
  self->casemap = casemap;
  self->channel_by_name = refold_table (self, self->channel_by_name);
  self->wanted = refold_table (self, self->wanted);
  self->history_pending = refold_table (self, self->history_pending);
  n = g_list_model_get_n_items (weft_irc_client_get_channels (self));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WeftIrcChannel) channel = g_list_model_get_item (weft_irc_client_get_channels (self), i);
      _weft_irc_channel_set_casemap (channel, casemap);
    }
}

static void
handle_isupport (Ctx *c)
{
  WeftIrcClient *self = c->self;
  guint n = n_params (c);

  for (guint i = 1; i + 1 < n; i++)
    {
      const char *token = param (c, i);
      const char *eq = strchr (token, '=');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (*token == '-')
        {
          g_hash_table_remove (self->isupport, token + 1);
          continue;
        }
      if (g_hash_table_size (self->isupport) >= MAX_SERVER_TOKENS)
        break;
      key = eq != NULL ? g_strndup (token, eq - token) : g_strdup (token);
      value = eq != NULL ? isupport_unescape (eq + 1) : g_strdup ("");
      if (g_str_equal (key, "PREFIX") && value[0] == '(')
        {
          const char *close = strchr (value, ')');
          if (close != NULL && strlen (close + 1) == (gsize) (close - value - 1))
            {
              g_free (self->prefix_modes);
              g_free (self->prefix_chars);
              self->prefix_modes = g_strndup (value + 1, close - value - 1);
              self->prefix_chars = g_strdup (close + 1);
            }
        }
      else if (g_str_equal (key, "CHANTYPES"))
        {
          g_free (self->chantypes);
          self->chantypes = g_strdup (value);
        }
      else if (g_str_equal (key, "CHANMODES"))
        {
          g_auto (GStrv) parts = g_strsplit (value, ",", 5);
          for (guint k = 0; k < 4; k++)
            {
              g_free (self->chanmodes[k]);
              self->chanmodes[k] = g_strdup (k < g_strv_length (parts) ? parts[k] : "");
            }
        }
      else if (g_str_equal (key, "CASEMAPPING"))
        {
          WeftIrcCasemapping casemap;
          if (weft_irc_casemapping_from_string (value, &casemap))
            set_casemap (self, casemap);
        }
      else if (g_str_equal (key, "NETWORK") && g_strcmp0 (self->network, value) != 0)
        {
          g_free (self->network);
          self->network = g_strdup (value);
          _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_NETWORK);
        }
      g_hash_table_insert (self->isupport, g_steal_pointer (&key), g_steal_pointer (&value));
    }
}

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
request_missed_history (WeftIrcClient *self, WeftIrcChannel *channel)
{
  const char *name = weft_irc_channel_get_name (channel);
  const char *msgid = weft_irc_channel_get_last_msgid (channel);
  gint64 time = weft_irc_channel_get_last_time (channel);
  const char *max = weft_irc_client_get_isupport (self, "CHATHISTORY");
  g_autofree char *limit = NULL;
  g_autofree char *from = NULL;

  if (!weft_irc_client_has_capability (self, "draft/chathistory") &&
      !weft_irc_client_has_capability (self, "chathistory"))
    return;
  if (msgid != NULL)
    from = g_strdup_printf ("msgid=%s", msgid);
  else if (time > 0)
    {
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (time / G_USEC_PER_SEC);
      g_autofree char *stamp = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
      from = g_strdup_printf ("timestamp=%s.%03dZ", stamp, (int) ((time % G_USEC_PER_SEC) / 1000));
    }
  else
    return; /* never seen: nothing was missed */
  limit = g_strdup_printf ("%d", max != NULL && atoi (max) > 0 ? atoi (max) : 100);
  g_hash_table_add (self->history_pending, _weft_irc_client_fold (self, name));
  send_va (self, FALSE, "CHATHISTORY", "AFTER", name, from, limit, NULL);
}

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
      request_missed_history (self, channel);
      send_va (self, FALSE, "MODE", name, NULL);
      if (weft_irc_client_has_capability (self, "away-notify"))
        send_va (self, FALSE, "WHO", name, NULL);
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

static gint64
message_time (WeftIrcMessage *msg)
{
  g_autoptr (GDateTime) dt = weft_irc_message_get_time (msg);

  return dt != NULL ? g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt) : g_get_real_time ();
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
  _weft_irc_channel_set_topic_info (channel, c->nick, message_time (c->msg));
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
    set_account (self, account);
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

static gboolean
take_ctcp_token (WeftIrcClient *self)
{
  gint64 now = weft_reactor_get_time (self->reactor);

  self->ctcp_tokens += (double) (now - self->ctcp_tokens_time) / (double) CTCP_INTERVAL;
  if (self->ctcp_tokens > CTCP_BURST)
    self->ctcp_tokens = CTCP_BURST;
  self->ctcp_tokens_time = now;
  if (self->ctcp_tokens < 1.0)
    return FALSE;
  self->ctcp_tokens -= 1.0;
  return TRUE;
}

static void
reply_ctcp (WeftIrcClient *self, const char *nick, const char *command, const char *args)
{
  g_autofree char *answer = NULL;
  g_autofree char *text = NULL;

  if (g_str_equal (command, "VERSION"))
    answer = g_strdup (self->version_reply);
  else if (g_str_equal (command, "PING"))
    answer = g_strdup (args != NULL ? args : "");
  else if (g_str_equal (command, "TIME"))
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      answer = g_date_time_format (now, "%a %b %d %H:%M:%S %Y");
    }
  else if (g_str_equal (command, "CLIENTINFO"))
    answer = g_strdup ("ACTION CLIENTINFO PING TIME VERSION");
  if (answer == NULL || !take_ctcp_token (self))
    return;
  text = *answer != '\0' ? g_strdup_printf ("\001%s %s\001", command, answer) : g_strdup_printf ("\001%s\001", command);
  send_va (self, FALSE, "NOTICE", nick, text, NULL);
}

/* Finds the outgoing line @text to @target in state @state, oldest first. */
static gboolean
find_outgoing_line (WeftIrcClient *self,
                    const char *verb,
                    const char *target,
                    const char *text,
                    int state,
                    gboolean written_before,
                    WeftIrcOutgoing **out_outgoing,
                    WeftIrcOutLine **out_line)
{
  guint n = g_list_model_get_n_items (weft_irc_client_get_outbox (self));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WeftIrcOutgoing) outgoing = g_list_model_get_item (weft_irc_client_get_outbox (self), i);

      if (g_ascii_strcasecmp (outgoing->verb, verb) != 0 ||
          !weft_irc_case_equal (self->casemap, outgoing->target, target))
        continue;
      for (guint j = 0; j < outgoing->lines->len; j++)
        {
          WeftIrcOutLine *line = g_ptr_array_index (outgoing->lines, j);
          if (line->state == state && (!written_before || line->attempts > 0) && g_str_equal (line->text, text))
            {
              *out_outgoing = outgoing;
              *out_line = line;
              return TRUE;
            }
        }
    }
  return FALSE;
}

static gboolean
find_labeled_line (WeftIrcClient *self, const char *label, WeftIrcOutgoing **out_outgoing, WeftIrcOutLine **out_line)
{
  WeftIrcOutgoing *outgoing = label != NULL ? g_hash_table_lookup (self->labels, label) : NULL;

  if (outgoing == NULL)
    return FALSE;
  for (guint j = 0; j < outgoing->lines->len; j++)
    {
      WeftIrcOutLine *line = g_ptr_array_index (outgoing->lines, j);
      if (g_strcmp0 (line->label, label) == 0)
        {
          *out_outgoing = outgoing;
          *out_line = line;
          return TRUE;
        }
    }
  return FALSE;
}

static void
confirm_own_message (Ctx *c, const char *verb, const char *target, const char *raw_text)
{
  WeftIrcClient *self = c->self;
  WeftIrcOutgoing *outgoing = NULL;
  WeftIrcOutLine *line = NULL;
  const char *msgid = weft_irc_message_get_tag (c->msg, "msgid");

  if (c->history)
    {
      /* Sent before the connection died, and the server has it: the
       * resend is not needed. */
      if (find_outgoing_line (self, verb, target, raw_text, WEFT_IRC_OUTGOING_STATE_QUEUED, TRUE, &outgoing, &line))
        _weft_irc_client_outgoing_line_done (self, outgoing, line, msgid);
      return;
    }
  if (find_labeled_line (self, c->label, &outgoing, &line) ||
      find_outgoing_line (self, verb, target, raw_text, WEFT_IRC_OUTGOING_STATE_SENT, FALSE, &outgoing, &line))
    _weft_irc_client_outgoing_line_done (self, outgoing, line, msgid);
}

static void
handle_text (Ctx *c, gboolean notice)
{
  WeftIrcClient *self = c->self;
  const char *target = param (c, 0);
  const char *raw = param (c, 1);
  const char *conversation;
  const char *channel_target = target;
  WeftIrcMessageFlags flags = notice ? WEFT_IRC_MESSAGE_FLAGS_NOTICE : 0;
  g_autofree char *text = NULL;
  g_autofree char *folded_nick = NULL;
  gboolean is_self;

  if (target == NULL || raw == NULL)
    return;
  folded_nick = c->nick != NULL ? _weft_irc_client_fold (self, c->nick) : NULL;
  is_self = !c->from_server && c->nick != NULL &&
            (_weft_irc_client_is_self (self, c->nick) ||
             (c->history && g_hash_table_contains (self->own_nicks, folded_nick)));

  /* STATUSMSG: "@#channel" goes to the channel's operators. */
  while (*channel_target != '\0' && strchr (self->prefix_chars, *channel_target) != NULL &&
         weft_irc_client_is_channel_name (self, channel_target + 1))
    channel_target++;
  if (weft_irc_client_is_channel_name (self, channel_target))
    conversation = channel_target;
  else
    {
      flags |= WEFT_IRC_MESSAGE_FLAGS_PRIVATE;
      conversation = is_self ? target : c->nick;
    }
  if (c->from_server)
    {
      flags |= WEFT_IRC_MESSAGE_FLAGS_SERVER;
      flags &= ~WEFT_IRC_MESSAGE_FLAGS_PRIVATE;
      if (!weft_irc_client_is_channel_name (self, channel_target))
        conversation = NULL;
    }

  if (is_self)
    {
      flags |= WEFT_IRC_MESSAGE_FLAGS_SELF;
      if (!c->history)
        flags |= WEFT_IRC_MESSAGE_FLAGS_ECHO;
      confirm_own_message (c, notice ? "NOTICE" : "PRIVMSG", target, raw);
    }

  if (raw[0] == '\001')
    {
      g_autofree char *body = g_strndup (raw + 1, strlen (raw + 1) - (g_str_has_suffix (raw + 1, "\001") ? 1 : 0));
      char *space = strchr (body, ' ');
      const char *args = NULL;

      if (space != NULL)
        {
          *space = '\0';
          args = space + 1;
        }
      {
        g_autofree char *command = g_ascii_strup (body, -1);

        if (!g_str_equal (command, "ACTION"))
          {
            if (is_self || c->history || c->nick == NULL)
              return;
            if (notice)
              EMIT (self, CTCP_REPLY, c->nick, command, args);
            else
              {
                EMIT (self, CTCP_REQUEST, c->nick, target, command, args);
                reply_ctcp (self, c->nick, command, args);
              }
            return;
          }
        flags |= WEFT_IRC_MESSAGE_FLAGS_ACTION;
        text = g_strdup (args != NULL ? args : "");
      }
    }
  else
    text = g_strdup (raw);

  if (c->history)
    flags |= WEFT_IRC_MESSAGE_FLAGS_HISTORY;
  if (!is_self && self->current_nick != NULL)
    {
      g_autofree char *lower_text = g_utf8_strdown (text, -1);
      g_autofree char *lower_nick = g_utf8_strdown (self->current_nick, -1);
      if (strstr (lower_text, lower_nick) != NULL)
        flags |= WEFT_IRC_MESSAGE_FLAGS_HIGHLIGHT;
    }
  if (conversation != NULL && weft_irc_client_is_channel_name (self, conversation))
    {
      WeftIrcChannel *channel = weft_irc_client_lookup_channel (self, conversation);
      if (channel != NULL && (weft_irc_message_has_tag (c->msg, "msgid") || weft_irc_message_has_tag (c->msg, "time")))
        _weft_irc_channel_set_last_seen (channel, weft_irc_message_get_tag (c->msg, "msgid"), message_time (c->msg));
    }
  EMIT (self, MESSAGE_RECEIVED, c->msg, conversation, c->nick, text, flags);
}

/* ---- Batches, labels, errors ------------------------------------------- */

static void
history_done (WeftIrcClient *self, const char *target, guint n_messages)
{
  g_autofree char *folded = NULL;

  if (target == NULL)
    return;
  folded = _weft_irc_client_fold (self, target);
  g_hash_table_remove (self->history_pending, folded);
  EMIT (self, HISTORY_RECEIVED, target, n_messages);
  _weft_irc_client_flush_outbox (self);
}

static void
handle_batch (Ctx *c)
{
  WeftIrcClient *self = c->self;
  const char *ref = param (c, 0);

  if (ref == NULL || strlen (ref) < 2)
    return;
  if (ref[0] == '+')
    {
      WeftIrcBatch *batch = g_new0 (WeftIrcBatch, 1);

      batch->type = g_strdup (param (c, 1) != NULL ? param (c, 1) : "");
      batch->target = g_strdup (param (c, 2));
      batch->label = g_strdup (weft_irc_message_get_tag (c->msg, "label"));
      batch->parent = g_strdup (weft_irc_message_get_tag (c->msg, "batch"));
      if (g_hash_table_size (self->batches) < 64)
        g_hash_table_insert (self->batches, g_strdup (ref + 1), batch);
      else
        g_free (batch); /* an unbounded number of open batches is an attack */
    }
  else if (ref[0] == '-')
    {
      WeftIrcBatch *batch = g_hash_table_lookup (self->batches, ref + 1);

      if (batch == NULL)
        return;
      if (g_str_equal (batch->type, "chathistory") || g_str_equal (batch->type, "draft/chathistory"))
        history_done (self, batch->target, batch->n_messages);
      else if (g_str_equal (batch->type, "labeled-response") && batch->label != NULL)
        {
          /* The server answered the label: the message got through. */
          WeftIrcOutgoing *outgoing;
          WeftIrcOutLine *line;
          if (find_labeled_line (self, batch->label, &outgoing, &line) && line->state == WEFT_IRC_OUTGOING_STATE_SENT)
            _weft_irc_client_outgoing_line_done (self, outgoing, line, NULL);
        }
      g_hash_table_remove (self->batches, ref + 1);
    }
}

static void
fail_by_label_or_target (Ctx *c, const char *target)
{
  WeftIrcClient *self = c->self;
  WeftIrcOutgoing *outgoing = NULL;
  WeftIrcOutLine *line = NULL;
  g_autoptr (GError) error = NULL;

  if (!find_labeled_line (self, c->label, &outgoing, &line))
    {
      guint n = g_list_model_get_n_items (weft_irc_client_get_outbox (self));

      if (target == NULL || c->label != NULL)
        return;
      for (guint i = 0; i < n && outgoing == NULL; i++)
        {
          g_autoptr (WeftIrcOutgoing) candidate = g_list_model_get_item (weft_irc_client_get_outbox (self), i);
          if (candidate->state == WEFT_IRC_OUTGOING_STATE_SENT &&
              weft_irc_case_equal (self->casemap, candidate->target, target))
            outgoing = candidate;
        }
      if (outgoing == NULL)
        return;
    }
  error = g_error_new (WEFT_IRC_ERROR, WEFT_IRC_ERROR_SERVER, "%s", last_param (c));
  _weft_irc_client_outgoing_failed (self, outgoing, error);
}

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
        try_next_nick (c);
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
      fail_by_label_or_target (c, param (c, 1));
      break;
    case 902: /* ERR_NICKLOCKED */
    case 904: /* ERR_SASLFAIL */
    case 905: /* ERR_SASLTOOLONG */
    case 906: /* ERR_SASLABORTED */
    case 907: /* ERR_SASLALREADY */
      self->sasl_in_progress = FALSE;
      maybe_end_caps (self);
      break;
    default:
      if (c->label != NULL)
        fail_by_label_or_target (c, NULL);
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
      handle_welcome (c);
      break;
    case 5:
      handle_isupport (c);
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
        set_account (self, param (c, 2));
      break;
    case 901: /* RPL_LOGGEDOUT */
      set_account (self, NULL);
      break;
    case 903: /* RPL_SASLSUCCESS */
      self->sasl_in_progress = FALSE;
      maybe_end_caps (self);
      break;
    default:
      break;
    }
  EMIT (self, SERVER_REPLY, numeric, last_param (c), c->msg);
}

static void
handle_fail (Ctx *c)
{
  WeftIrcClient *self = c->self;

  if (c->label != NULL)
    fail_by_label_or_target (c, NULL);
  if (g_strcmp0 (param (c, 0), "CHATHISTORY") == 0 && g_hash_table_size (self->history_pending) > 0)
    {
      /* The server could not give the history: deliver the outbox anyway. */
      g_hash_table_remove_all (self->history_pending);
      _weft_irc_client_flush_outbox (self);
    }
  EMIT (self, ERROR_RECEIVED, 0u, last_param (c), c->msg);
}

static void
handle_ack (Ctx *c)
{
  WeftIrcOutgoing *outgoing;
  WeftIrcOutLine *line;

  if (find_labeled_line (c->self, c->label, &outgoing, &line) && line->state == WEFT_IRC_OUTGOING_STATE_SENT)
    _weft_irc_client_outgoing_line_done (c->self, outgoing, line, NULL);
}

static void
find_batch_context (Ctx *c)
{
  const char *ref = weft_irc_message_get_tag (c->msg, "batch");
  guint depth = 0;

  c->label = weft_irc_message_get_tag (c->msg, "label");
  while (ref != NULL && depth++ < 16)
    {
      WeftIrcBatch *batch = g_hash_table_lookup (c->self->batches, ref);
      if (batch == NULL)
        break;
      if (depth == 1)
        batch->n_messages++;
      if (g_str_equal (batch->type, "chathistory") || g_str_equal (batch->type, "draft/chathistory"))
        c->history = TRUE;
      if (c->label == NULL && batch->label != NULL)
        c->label = batch->label;
      ref = batch->parent;
    }
}

void
_weft_irc_client_handle (WeftIrcClient *self, WeftIrcMessage *message)
{
  Ctx c = { self, message };
  const char *verb = weft_irc_message_get_verb (message);
  const char *source = weft_irc_message_get_source (message);
  guint numeric = weft_irc_message_get_numeric (message);

  find_batch_context (&c);
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
    handle_text (&c, FALSE);
  else if (g_str_equal (verb, "NOTICE"))
    handle_text (&c, TRUE);
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
    handle_cap (&c);
  else if (g_str_equal (verb, "AUTHENTICATE"))
    handle_authenticate (&c);
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
    handle_batch (&c);
  else if (g_str_equal (verb, "ACK"))
    handle_ack (&c);
  else if (g_str_equal (verb, "FAIL"))
    handle_fail (&c);
  else if (g_str_equal (verb, "ERROR"))
    EMIT (self, ERROR_RECEIVED, 0u, last_param (&c), message);

  g_free (c.nick);
  g_free (c.user);
  g_free (c.host);
}
