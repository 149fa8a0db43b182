/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeftIrcClient's registration: CAP negotiation, SASL, nick fallback,
 * RPL_WELCOME and ISUPPORT. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-client-handlers-private.h"

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

/* A server cannot make the client hold more than this many capabilities
 * (nor more than MAX_ISUPPORT_LINES lines of ISUPPORT). */
#define MAX_SERVER_TOKENS 512

void
_weft_irc_client_maybe_end_caps (WeftIrcClient *self)
{
  if (self->registered || self->cap_ended || !self->cap_ls_done || self->cap_reqs_pending > 0 || self->sasl_in_progress)
    return;
  self->cap_ended = TRUE;
  _weft_irc_client_send_va (self, TRUE, "CAP", "END", NULL);
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
          _weft_irc_client_send_va (self, TRUE, "CAP", "REQ", line->str, NULL);
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
  _weft_irc_client_send_va (self, TRUE, "AUTHENTICATE", sasl_mechanism_name (self), NULL);
}

void
_weft_irc_client_handle_cap (Ctx *c)
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
      _weft_irc_client_maybe_end_caps (self);
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
      _weft_irc_client_maybe_end_caps (self);
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
              _weft_irc_client_send_va (self, TRUE, "CAP", "REQ", caps[i], NULL);
            }
      _weft_irc_client_maybe_end_caps (self);
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

void
_weft_irc_client_handle_authenticate (Ctx *c)
{
  WeftIrcClient *self = c->self;
  g_autofree char *payload = NULL;
  gsize len, off = 0;

  if (!self->sasl_in_progress || g_strcmp0 (param (c, 0), "+") != 0)
    return;
  if (self->sasl_mechanism == WEFT_IRC_SASL_EXTERNAL)
    {
      _weft_irc_client_send_va (self, TRUE, "AUTHENTICATE", "+", NULL);
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
      _weft_irc_client_send_va (self, TRUE, "AUTHENTICATE", chunk, NULL);
      off += SASL_CHUNK;
    }
  while (off < len);
  if (len % SASL_CHUNK == 0)
    _weft_irc_client_send_va (self, TRUE, "AUTHENTICATE", "+", NULL);
}

void
_weft_irc_client_set_account (WeftIrcClient *self, const char *account)
{
  if (g_strcmp0 (self->account, account) == 0)
    return;
  g_free (self->account);
  self->account = g_strdup (account);
  _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_ACCOUNT);
}

void
_weft_irc_client_try_next_nick (Ctx *c)
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
  _weft_irc_client_send_va (self, TRUE, "NICK", next, NULL);
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

        if (name != NULL && (!g_hash_table_contains (self->wanted, folded) || (pass == 0) != (key != NULL) ||
                             g_hash_table_contains (self->joins_sent, folded)))
          continue;
        if (names->len > 0 && (name == NULL || names->len + keys->len + strlen (name) + 2 > 400))
          {
            _weft_irc_client_send_va (self, FALSE, "JOIN", names->str, keys->len > 0 ? keys->str : NULL, NULL);
            g_string_truncate (names, 0);
            g_string_truncate (keys, 0);
          }
        if (name == NULL)
          break;
        _weft_irc_client_note_join_sent (self, name);
        g_string_append_printf (names, "%s%s", names->len > 0 ? "," : "", name);
        if (key != NULL)
          g_string_append_printf (keys, "%s%s", keys->len > 0 ? "," : "", key);
      }
  g_string_free (names, TRUE);
  g_string_free (keys, TRUE);
}

void
_weft_irc_client_handle_welcome (Ctx *c)
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
  _weft_irc_client_start_pings (self, TRUE);
  EMIT (self, REGISTERED, self->current_nick);
  if (self->transport == NULL)
    return;
  if (self->wanted_away != NULL)
    _weft_irc_client_send_va (self, FALSE, "AWAY", self->wanted_away, NULL);
  send_rejoins (self);
  _weft_irc_client_request_private_histories (self);
  _weft_irc_client_flush_outbox (self);
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
  self->joins_sent = refold_table (self, self->joins_sent);
  self->history_pending = refold_table (self, self->history_pending);
  n = g_list_model_get_n_items (weft_irc_client_get_channels (self));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WeftIrcChannel) channel = g_list_model_get_item (weft_irc_client_get_channels (self), i);
      _weft_irc_channel_set_casemap (channel, casemap);
    }
}

#define MAX_ISUPPORT_LINES 64

void
_weft_irc_client_handle_isupport (Ctx *c)
{
  WeftIrcClient *self = c->self;
  const char *network;

  if (++self->n_isupport_lines > MAX_ISUPPORT_LINES)
    return;
  weft_irc_isupport_parse_message (self->isupport, c->msg);
  g_free (self->prefix_modes);
  g_free (self->prefix_chars);
  g_free (self->chantypes);
  self->prefix_modes = g_strdup (weft_irc_isupport_get_prefix_modes (self->isupport));
  self->prefix_chars = g_strdup (weft_irc_isupport_get_prefix_symbols (self->isupport));
  self->chantypes = g_strdup (weft_irc_isupport_get_chantypes (self->isupport));
  for (guint k = 0; k < 4; k++)
    {
      g_free (self->chanmodes[k]);
      self->chanmodes[k] = g_strdup (weft_irc_isupport_get_chanmodes (self->isupport, WEFT_IRC_CHANMODE_LIST + k));
    }
  set_casemap (self, weft_irc_isupport_get_casemapping (self->isupport));
  network = weft_irc_isupport_get_network (self->isupport);
  if (network != NULL && g_strcmp0 (self->network, network) != 0)
    {
      g_free (self->network);
      self->network = g_strdup (network);
      _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_NETWORK);
    }
}
