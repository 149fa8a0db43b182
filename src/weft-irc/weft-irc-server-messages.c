/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages between users: PRIVMSG, NOTICE, TAGMSG, and their history
 * (CHATHISTORY). A PRIVMSG or NOTICE is delivered only once the server's
 * store_message hook made it durable, so an acknowledged message (its echo)
 * is never lost. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-server-private.h"

typedef struct {
  WeftIrcMessage *message;
  char *target;
  gboolean notice;
} PendingDelivery;

static void
pending_delivery_free (gpointer data)
{
  PendingDelivery *pending = data;
  weft_irc_message_unref (pending->message);
  g_free (pending->target);
  g_free (pending);
}

/* Sends a stored message to its recipients; the target may have gone away
 * while it was being stored. */
static void
deliver (WeftIrcServerConnection *sender, WeftIrcMessage *message, const char *target, WeftIrcServerCaps required)
{
  WeftIrcServer *server = sender->server;
  gboolean echo = (sender->caps & WEFT_IRC_SERVER_CAP_ECHO_MESSAGE) != 0;

  if (target[0] == '#')
    {
      WeftIrcServerChannel *channel = weft_irc_server_find_channel (server, target);
      if (channel != NULL)
        _weft_irc_server_send_to_channel (server, channel, message, sender, required);
    }
  else
    {
      WeftIrcServerConnection *recipient = weft_irc_server_find_client (server, target);
      if (recipient != NULL && recipient != sender && (required == 0 || (recipient->caps & required)))
        weft_irc_server_connection_send (recipient, message);
    }
  if (echo && !sender->quitting && (required == 0 || (sender->caps & required)))
    weft_irc_server_connection_send (sender, message);
}

static void
stored (WeftIrcServerConnection *client, WeftResult *result, gpointer user_data)
{
  PendingDelivery *pending = user_data;

  if (weft_result_is_error (result))
    {
      const GError *error = weft_result_get_error (result);
      g_autofree char *text = g_strdup_printf ("Message not sent: %s", error->message);

      weft_irc_server_connection_send_fail (client, pending->notice ? "NOTICE" : "PRIVMSG", "CANNOT_SEND",
                                            pending->target, text);
      return;
    }
  deliver (client, pending->message, pending->target, 0);
}

/* Whether @client may speak in @channel; sends the error when not. */
static gboolean
can_send_to_channel (WeftIrcServerConnection *client, WeftIrcServerChannel *channel, gboolean quiet)
{
  WeftIrcChannelModes modes = weft_irc_server_channel_get_modes (channel);
  gboolean member = weft_irc_server_channel_has_member (channel, client);
  WeftIrcMemberPrefix prefix = weft_irc_server_channel_get_member_prefix (channel, client);
  gboolean ok = TRUE;

  if ((modes & WEFT_IRC_CHANNEL_MODE_NO_EXTERNAL) && !member)
    ok = FALSE;
  else if ((modes & WEFT_IRC_CHANNEL_MODE_MODERATED) && prefix == 0)
    ok = FALSE;
  else if (prefix == 0 && weft_irc_server_channel_is_banned (channel, client))
    ok = FALSE;
  if (!ok && !quiet)
    weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_CANNOTSENDTOCHAN,
                                             weft_irc_server_channel_get_name (channel), NULL);
  return ok;
}

static WeftIrcMessage *
build_message (WeftIrcServerConnection *client,
               WeftIrcMessage *input,
               const char *verb,
               const char *target,
               const char *text)
{
  WeftIrcMessage *message = _weft_irc_server_message_from (client, verb, target, text, NULL);
  GHashTable *tags = weft_irc_message_get_tags (input);
  g_autofree char *msgid = weft_irc_server_new_msgid (client->server);

  weft_irc_message_set_tag (message, "msgid", msgid);
  /* Client-only tags travel with the message to clients with message-tags. */
  if (tags != NULL && (client->caps & WEFT_IRC_SERVER_CAP_MESSAGE_TAGS))
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, tags);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (((const char *) key)[0] == '+')
          weft_irc_message_set_tag (message, key, value);
    }
  return message;
}

static void
handle_message (WeftIrcServerConnection *client, WeftIrcMessage *input, gpointer user_data)
{
  WeftIrcServer *server = client->server;
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  const char *verb = weft_irc_message_get_verb (input);
  gboolean notice = strcmp (verb, "NOTICE") == 0;
  gboolean tagmsg = strcmp (verb, "TAGMSG") == 0;
  const char *targets = weft_irc_message_get_param (input, 0);
  const char *text = weft_irc_message_get_param (input, 1);
  g_auto (GStrv) names = NULL;

  if (targets == NULL || *targets == '\0')
    {
      g_autofree char *why = g_strdup_printf ("No recipient given (%s)", verb);
      if (!notice)
        weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_ERR_NORECIPIENT, why, NULL);
      return;
    }
  if (!tagmsg && (text == NULL || *text == '\0'))
    {
      if (!notice)
        weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOTEXTTOSEND, NULL);
      return;
    }
  names = g_strsplit (targets, ",", -1);
  if (g_strv_length (names) > priv->max_targets)
    {
      if (!notice)
        weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_TOOMANYTARGETS, targets, NULL);
      return;
    }

  for (guint i = 0; names[i] != NULL && !client->quitting; i++)
    {
      const char *name = names[i];
      const char *canonical = NULL;
      g_autoptr (WeftIrcMessage) message = NULL;
      g_autofree char *key = NULL;
      WeftDeferred *deferred;
      PendingDelivery *pending;

      if (name[0] == '#')
        {
          WeftIrcServerChannel *channel = weft_irc_server_find_channel (server, name);
          if (channel == NULL)
            {
              if (!notice)
                weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOSUCHNICK, name, NULL);
              continue;
            }
          if (!can_send_to_channel (client, channel, notice))
            continue;
          canonical = weft_irc_server_channel_get_name (channel);
        }
      else
        {
          WeftIrcServerConnection *recipient = weft_irc_server_find_client (server, name);
          if (recipient == NULL || !recipient->registered)
            {
              if (!notice)
                weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOSUCHNICK, name, NULL);
              continue;
            }
          if (!notice && !tagmsg && recipient->away != NULL)
            weft_irc_server_connection_send_numeric_text (client, WEFT_IRC_RPL_AWAY, recipient->away, recipient->nick,
                                                          NULL);
          canonical = recipient->nick;
        }

      message = build_message (client, input, verb, canonical, tagmsg ? NULL : text);
      if (tagmsg)
        {
          deliver (client, message, canonical, WEFT_IRC_SERVER_CAP_MESSAGE_TAGS);
          continue;
        }
      key = weft_irc_server_history_key (server, client->nick, canonical);
      pending = g_new0 (PendingDelivery, 1);
      pending->message = weft_irc_message_ref (message);
      pending->target = g_strdup (canonical);
      pending->notice = notice;
      deferred = WEFT_IRC_SERVER_GET_CLASS (server)->store_message (server, client, key, message);
      _weft_irc_server_hold_store (server, client, deferred, stored, pending, pending_delivery_free);
      g_object_unref (deferred);
    }
  client->last_speak_us = weft_reactor_get_time (priv->reactor);
}

static gboolean
parse_selector (const char *text, WeftIrcHistorySelector *selector, gboolean star_ok)
{
  memset (selector, 0, sizeof *selector);
  if (strcmp (text, "*") == 0)
    return star_ok;
  if (g_str_has_prefix (text, "timestamp="))
    {
      g_autoptr (GDateTime) time = g_date_time_new_from_iso8601 (text + strlen ("timestamp="), NULL);
      if (time == NULL)
        return FALSE;
      selector->kind = WEFT_IRC_HISTORY_SELECTOR_TIMESTAMP;
      selector->time_us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
      return TRUE;
    }
  if (g_str_has_prefix (text, "msgid=") && text[strlen ("msgid=")] != '\0')
    {
      selector->kind = WEFT_IRC_HISTORY_SELECTOR_MSGID;
      selector->msgid = text + strlen ("msgid=");
      return TRUE;
    }
  return FALSE;
}

typedef struct {
  char *target;
  gboolean targets;
} HistoryRequest;

static void
history_request_free (gpointer data)
{
  HistoryRequest *request = data;
  g_free (request->target);
  g_free (request);
}

static void
history_ready (WeftIrcServerConnection *client, WeftResult *result, gpointer user_data)
{
  HistoryRequest *request = user_data;
  GPtrArray *messages;
  g_autofree char *id = NULL;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autoptr (WeftIrcMessage) open = NULL;
  g_autoptr (WeftIrcMessage) close = NULL;
  gboolean batch = (client->caps & WEFT_IRC_SERVER_CAP_BATCH) != 0;

  if (weft_result_is_error (result))
    {
      weft_irc_server_connection_send_fail (client, "CHATHISTORY", "MESSAGE_ERROR",
                                            request->target ? request->target : "*",
                                            weft_result_get_error (result)->message);
      return;
    }
  messages = weft_result_get_boxed (result);
  id = g_strdup_printf ("H%08x", g_random_int ());
  start = g_strconcat ("+", id, NULL);
  end = g_strconcat ("-", id, NULL);
  if (batch)
    {
      open = _weft_irc_server_message_from_server (client->server, "BATCH", start,
                                                   request->targets ? "draft/chathistory-targets" : "chathistory",
                                                   request->target, NULL);
      weft_irc_server_connection_send (client, open);
    }
  for (guint i = 0; messages != NULL && i < messages->len; i++)
    {
      g_autoptr (WeftIrcMessage) copy = weft_irc_message_copy (messages->pdata[i]);
      if (batch)
        weft_irc_message_set_tag (copy, "batch", id);
      weft_irc_server_connection_send (client, copy);
    }
  if (batch)
    {
      close = _weft_irc_server_message_from_server (client->server, "BATCH", end, NULL);
      weft_irc_server_connection_send (client, close);
    }
}

static void
handle_chathistory (WeftIrcServerConnection *client, WeftIrcMessage *input, gpointer user_data)
{
  WeftIrcServer *server = client->server;
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  const char *subcommand = weft_irc_message_get_param (input, 0);
  guint n_params = weft_irc_message_get_n_params (input);
  gboolean targets = g_ascii_strcasecmp (subcommand, "TARGETS") == 0;
  gboolean between = g_ascii_strcasecmp (subcommand, "BETWEEN") == 0;
  gboolean latest = g_ascii_strcasecmp (subcommand, "LATEST") == 0;
  WeftIrcHistoryQuery query = { 0 };
  g_autofree char *upper = g_ascii_strup (subcommand, -1);
  g_autofree char *key = NULL;
  const char *limit_text;
  guint first_selector;
  guint64 limit;
  HistoryRequest *request;
  WeftDeferred *deferred;

  if (!_weft_irc_server_cap_allows (server, WEFT_IRC_SERVER_CAP_CHATHISTORY))
    {
      weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_UNKNOWNCOMMAND, "CHATHISTORY", NULL);
      return;
    }
  if (!targets && !between && !latest && g_ascii_strcasecmp (subcommand, "BEFORE") != 0 &&
      g_ascii_strcasecmp (subcommand, "AFTER") != 0 && g_ascii_strcasecmp (subcommand, "AROUND") != 0)
    {
      weft_irc_server_connection_send_fail (client, "CHATHISTORY", "INVALID_PARAMS", subcommand, "Unknown subcommand");
      return;
    }
  if (n_params < (between ? 5u : 4u))
    {
      weft_irc_server_connection_send_fail (client, "CHATHISTORY", "NEED_MORE_PARAMS", upper, "Missing parameters");
      return;
    }
  query.subcommand = upper;
  first_selector = targets ? 1 : 2;
  if (!targets)
    {
      const char *target = weft_irc_message_get_param (input, 1);

      if (target[0] == '#')
        {
          WeftIrcServerChannel *channel = weft_irc_server_find_channel (server, target);
          if (channel == NULL || !weft_irc_server_channel_has_member (channel, client))
            {
              weft_irc_server_connection_send_fail (client, "CHATHISTORY", "INVALID_TARGET", target,
                                                    "You are not in that channel");
              return;
            }
        }
      else if (!weft_irc_server_is_valid_nick (server, target))
        {
          weft_irc_server_connection_send_fail (client, "CHATHISTORY", "INVALID_TARGET", target,
                                                "No such nick or channel");
          return;
        }
      query.target = target;
      key = weft_irc_server_history_key (server, client->nick, target);
      query.target_key = key;
    }
  if (!parse_selector (weft_irc_message_get_param (input, first_selector), &query.from, latest))
    {
      weft_irc_server_connection_send_fail (client, "CHATHISTORY", "INVALID_PARAMS", upper,
                                            "Invalid message reference");
      return;
    }
  if (targets || between)
    {
      if (!parse_selector (weft_irc_message_get_param (input, first_selector + 1), &query.to, FALSE) ||
          (targets && (query.from.kind != WEFT_IRC_HISTORY_SELECTOR_TIMESTAMP ||
                       query.to.kind != WEFT_IRC_HISTORY_SELECTOR_TIMESTAMP)))
        {
          weft_irc_server_connection_send_fail (client, "CHATHISTORY", "INVALID_PARAMS", upper,
                                                "Invalid message reference");
          return;
        }
      limit_text = weft_irc_message_get_param (input, first_selector + 2);
    }
  else
    limit_text = weft_irc_message_get_param (input, first_selector + 1);
  if (limit_text == NULL)
    {
      weft_irc_server_connection_send_fail (client, "CHATHISTORY", "NEED_MORE_PARAMS", upper, "Missing limit");
      return;
    }
  limit = g_ascii_strtoull (limit_text, NULL, 10);
  if (limit == 0)
    {
      weft_irc_server_connection_send_fail (client, "CHATHISTORY", "INVALID_PARAMS", upper, "Invalid limit");
      return;
    }
  query.limit = (guint) MIN (limit, priv->chathistory_limit);

  request = g_new0 (HistoryRequest, 1);
  request->target = g_strdup (query.target);
  request->targets = targets;
  deferred = WEFT_IRC_SERVER_GET_CLASS (server)->query_history (server, client, &query);
  weft_irc_server_hold_reply (server, client, deferred, history_ready, request, history_request_free);
  g_object_unref (deferred);
}

void
_weft_irc_server_add_message_commands (WeftIrcServer *server)
{
  const WeftIrcServerCommandFlags none = WEFT_IRC_SERVER_COMMAND_NONE;

  weft_irc_server_add_command (server, "PRIVMSG", 0, 2, none, handle_message, NULL);
  weft_irc_server_add_command (server, "NOTICE", 0, 2, none, handle_message, NULL);
  weft_irc_server_add_command (server, "TAGMSG", 1, 1, none, handle_message, NULL);
  weft_irc_server_add_command (server, "CHATHISTORY", 1, 5, none, handle_chathistory, NULL);
}
