/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeftIrcClient's messages: PRIVMSG and NOTICE, CTCP, confirmations of
 * what the client sent, batches and history. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-client-handlers-private.h"

#define CTCP_BURST 3
#define CTCP_INTERVAL (5 * G_USEC_PER_SEC)

#define MAX_PRIVATE_SEEN 100

gint64
_weft_irc_message_time (WeftIrcMessage *msg)
{
  g_autoptr (GDateTime) dt = weft_irc_message_get_time (msg);

  return dt != NULL ? g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt) : g_get_real_time ();
}

/* Asks for what @name (a channel or a nick) missed since @msgid or @time;
 * the outbox holds messages to @name until it has arrived. */
static void
request_history_after (WeftIrcClient *self, const char *name, const char *msgid, gint64 time)
{
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
  _weft_irc_client_send_va (self, FALSE, "CHATHISTORY", "AFTER", name, from, limit, NULL);
}

void
_weft_irc_client_request_missed_history (WeftIrcClient *self, WeftIrcChannel *channel)
{
  request_history_after (self, weft_irc_channel_get_name (channel), weft_irc_channel_get_last_msgid (channel),
                         weft_irc_channel_get_last_time (channel));
}

/* Private conversations have no JOIN to wait for: their history is asked
 * for right after registration. */
void
_weft_irc_client_request_private_histories (WeftIrcClient *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->private_seen);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      WeftIrcLastSeen *seen = value;
      request_history_after (self, seen->name, seen->msgid, seen->time);
    }
}

static void
update_private_seen (WeftIrcClient *self, const char *name, WeftIrcMessage *msg)
{
  g_autofree char *folded = _weft_irc_client_fold (self, name);
  WeftIrcLastSeen *seen = g_hash_table_lookup (self->private_seen, folded);
  const char *msgid = weft_irc_message_get_tag (msg, "msgid");

  if (seen == NULL)
    {
      if (g_hash_table_size (self->private_seen) >= MAX_PRIVATE_SEEN)
        return;
      seen = g_new0 (WeftIrcLastSeen, 1);
      g_hash_table_insert (self->private_seen, g_steal_pointer (&folded), seen);
    }
  g_free (seen->name);
  seen->name = g_strdup (name);
  if (msgid != NULL)
    {
      g_free (seen->msgid);
      seen->msgid = g_strdup (msgid);
    }
  seen->time = MAX (seen->time, _weft_irc_message_time (msg));
}

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
  _weft_irc_client_send_va (self, FALSE, "NOTICE", nick, text, NULL);
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

void
_weft_irc_client_handle_text (Ctx *c, gboolean notice)
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
  if ((flags & WEFT_IRC_MESSAGE_FLAGS_PRIVATE) && conversation != NULL &&
      (weft_irc_message_has_tag (c->msg, "msgid") || weft_irc_message_has_tag (c->msg, "time")))
    update_private_seen (self, conversation, c->msg);
  else if (conversation != NULL && weft_irc_client_is_channel_name (self, conversation))
    {
      WeftIrcChannel *channel = weft_irc_client_lookup_channel (self, conversation);
      if (channel != NULL && (weft_irc_message_has_tag (c->msg, "msgid") || weft_irc_message_has_tag (c->msg, "time")))
        _weft_irc_channel_set_last_seen (channel, weft_irc_message_get_tag (c->msg, "msgid"),
                                         _weft_irc_message_time (c->msg));
    }
  EMIT (self, MESSAGE_RECEIVED, c->msg, conversation, c->nick, text, flags);
}

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

void
_weft_irc_client_handle_batch (Ctx *c)
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

void
_weft_irc_client_fail_by_label_or_target (Ctx *c, const char *target)
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

void
_weft_irc_client_handle_fail (Ctx *c)
{
  WeftIrcClient *self = c->self;

  if (c->label != NULL)
    _weft_irc_client_fail_by_label_or_target (c, NULL);
  if (g_strcmp0 (param (c, 0), "CHATHISTORY") == 0 && g_hash_table_size (self->history_pending) > 0)
    {
      /* The server could not give the history: deliver the outbox anyway. */
      g_hash_table_remove_all (self->history_pending);
      _weft_irc_client_flush_outbox (self);
    }
  EMIT (self, ERROR_RECEIVED, 0u, last_param (c), c->msg);
}

void
_weft_irc_client_handle_ack (Ctx *c)
{
  WeftIrcOutgoing *outgoing;
  WeftIrcOutLine *line;

  if (find_labeled_line (c->self, c->label, &outgoing, &line) && line->state == WEFT_IRC_OUTGOING_STATE_SENT)
    _weft_irc_client_outgoing_line_done (c->self, outgoing, line, NULL);
}

void
_weft_irc_client_find_batch_context (Ctx *c)
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
