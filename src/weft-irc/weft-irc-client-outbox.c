/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeftIrcClient's way out: flood control, pings and lag, the outbox and its
 * confirmations, splitting text. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-client-private.h"

typedef struct {
  WeftIrcMessage *message;
  WeftIrcOutgoing *outgoing; /* owned, or NULL */
  guint line_index;
} WeftIrcSendItem;

static void
send_item_free (WeftIrcSendItem *item)
{
  weft_irc_message_unref (item->message);
  g_clear_object (&item->outgoing);
  g_free (item);
}

void
_weft_irc_client_cancel_call (WeftDelayedCall **call)
{
  if (*call == NULL)
    return;
  weft_delayed_call_cancel (*call);
  g_clear_pointer (call, weft_delayed_call_unref);
}

/* ---- Writing ---------------------------------------------------------- */

/* Writes @message at once, bypassing flood control: registration, PONG,
 * QUIT. */
void
_weft_irc_client_write_now (WeftIrcClient *self, WeftIrcMessage *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;

  if (self->transport == NULL || self->quitting || weft_transport_is_closing (self->transport))
    return;
  line = weft_irc_message_to_string (message, &error);
  if (line == NULL)
    {
      g_warning ("Not sending an invalid %s message: %s", weft_irc_message_get_verb (message), error->message);
      return;
    }
  g_signal_emit (self, _weft_irc_client_signals[WEFT_IRC_CLIENT_SIGNAL_LINE_SENT], 0, line);
  {
    GOutputVector v[2] = { { line, strlen (line) }, { "\r\n", 2 } };
    weft_transport_writev (self->transport, v, 2);
  }
}

static void
refill_tokens (WeftIrcClient *self)
{
  gint64 now = weft_reactor_get_time (self->reactor);

  if (self->flood_interval <= 0)
    {
      self->tokens = self->flood_burst;
      return;
    }
  self->tokens += (double) (now - self->tokens_time) / (double) self->flood_interval;
  if (self->tokens > self->flood_burst)
    self->tokens = self->flood_burst;
  self->tokens_time = now;
}

static void
flood_timer_cb (gpointer data)
{
  WeftIrcClient *self = data;

  g_clear_pointer (&self->flood_call, weft_delayed_call_unref);
  _weft_irc_client_flood_drain (self);
}

static void
send_sync_ping (WeftIrcClient *self)
{
  g_autoptr (WeftIrcMessage) ping = NULL;
  g_autofree char *token = NULL;

  self->sync_ping_needed = FALSE;
  self->ping_seq++;
  token = g_strdup_printf ("weft-%" G_GUINT64_FORMAT, self->ping_seq);
  ping = weft_irc_message_new_va ("PING", token, NULL);
  if (self->ping_waiting == 0)
    {
      self->ping_waiting = self->ping_seq;
      self->ping_sent_time = weft_reactor_get_time (self->reactor);
    }
  _weft_irc_client_write_now (self, ping);
}

static void
write_item (WeftIrcClient *self, WeftIrcSendItem *item)
{
  if (item->outgoing != NULL)
    {
      WeftIrcOutLine *line = g_ptr_array_index (item->outgoing->lines, item->line_index);

      if (line->state != WEFT_IRC_OUT_LINE_SCHEDULED)
        return; /* confirmed from history, or failed, while it waited */
      if (_weft_irc_client_confirms_by_reply (self) && weft_irc_client_has_capability (self, "labeled-response"))
        {
          g_free (line->label);
          line->label = g_strdup_printf ("w%" G_GUINT64_FORMAT, ++self->next_label);
          {
            WeftIrcMessage *labeled = weft_irc_message_copy (item->message);
            weft_irc_message_set_tag (labeled, "label", line->label);
            weft_irc_message_unref (item->message);
            item->message = labeled;
          }
          g_hash_table_insert (self->labels, g_strdup (line->label), g_object_ref (item->outgoing));
        }
      line->state = WEFT_IRC_OUTGOING_STATE_SENT;
      line->attempts++;
      if (line->attempts > item->outgoing->n_attempts)
        item->outgoing->n_attempts = line->attempts;
      if (!_weft_irc_client_confirms_by_reply (self))
        {
          line->ping_id = self->ping_seq + 1;
          self->sync_ping_needed = TRUE;
        }
      _weft_irc_outgoing_update (item->outgoing);
    }
  _weft_irc_client_write_now (self, item->message);
}

void
_weft_irc_client_flood_drain (WeftIrcClient *self)
{
  while (!g_queue_is_empty (&self->sendq))
    {
      WeftIrcSendItem *item;

      if (self->transport == NULL || self->writing_paused || self->flood_call != NULL)
        return;
      refill_tokens (self);
      if (self->tokens < 1.0)
        {
          gint64 wait = (gint64) ((1.0 - self->tokens) * (double) self->flood_interval) + 1;
          self->flood_call =
              weft_delayed_call_ref (weft_reactor_call_later (self->reactor, wait, flood_timer_cb, self, NULL));
          return;
        }
      self->tokens -= 1.0;
      item = g_queue_pop_head (&self->sendq);
      write_item (self, item);
      send_item_free (item);
    }
  /* Without echo-message or labeled-response, a PING after the messages
   * confirms them: the server handles a connection's lines in order. */
  if (self->sync_ping_needed && self->transport != NULL)
    send_sync_ping (self);
}

static void
enqueue (WeftIrcClient *self, WeftIrcMessage *message, WeftIrcOutgoing *outgoing, guint line_index)
{
  WeftIrcSendItem *item = g_new0 (WeftIrcSendItem, 1);

  item->message = weft_irc_message_ref (message);
  item->outgoing = outgoing != NULL ? g_object_ref (outgoing) : NULL;
  item->line_index = line_index;
  g_queue_push_tail (&self->sendq, item);
  _weft_irc_client_flood_drain (self);
}

/* Sends @message through flood control when connected; drops it
 * otherwise (commands that must survive a reconnect are state: channels,
 * away, the outbox). */
void
_weft_irc_client_send (WeftIrcClient *self, WeftIrcMessage *message)
{
  if (self->transport == NULL)
    return;
  enqueue (self, message, NULL, 0);
}

void
_weft_irc_client_clear_sendq (WeftIrcClient *self)
{
  WeftIrcSendItem *item;

  while ((item = g_queue_pop_head (&self->sendq)) != NULL)
    send_item_free (item);
  _weft_irc_client_cancel_call (&self->flood_call);
}

void
_weft_irc_client_close (WeftIrcClient *self, GQuark domain, int code, const char *message)
{
  g_autoptr (GError) error = g_error_new_literal (domain, code, message);

  if (self->transport == NULL || self->quitting || weft_transport_is_closing (self->transport))
    return;
  g_debug ("Closing the connection: %s", message);
  weft_transport_abort_connection_with_error (self->transport, error);
}

/* ---- Pings ------------------------------------------------------------ */

/* After the answer to the first PING since registration, the next PING
 * goes out this soon (or at the interval, if that is shorter). */
#define SETTLED_PING_DELAY (5 * G_USEC_PER_SEC)

static void ping_cb (gpointer data);

static void
ping_timeout_cb (gpointer data)
{
  WeftIrcClient *self = data;
  g_autofree char *text = NULL;

  g_clear_pointer (&self->timeout_call, weft_delayed_call_unref);
  if (self->registered)
    text = g_strdup_printf (_ ("The server did not answer a PING within %.0f seconds; the connection is dead."),
                            (double) self->ping_timeout / G_USEC_PER_SEC);
  else
    text = g_strdup_printf (_ ("The server did not complete registration within %.0f seconds."),
                            (double) self->ping_timeout / G_USEC_PER_SEC);
  _weft_irc_client_close (self, WEFT_IRC_ERROR, WEFT_IRC_ERROR_PING_TIMEOUT, text);
}

void
_weft_irc_client_arm_timeout (WeftIrcClient *self)
{
  if (self->timeout_call == NULL && self->ping_timeout > 0)
    self->timeout_call = weft_delayed_call_ref (weft_reactor_call_later (self->reactor, self->ping_timeout,
                                                                         ping_timeout_cb, self, NULL));
}

static void
schedule_ping (WeftIrcClient *self, gint64 delay)
{
  _weft_irc_client_cancel_call (&self->ping_call);
  if (delay > 0)
    self->ping_call = weft_delayed_call_ref (weft_reactor_call_later (self->reactor, delay, ping_cb, self, NULL));
}

static void
ping_cb (gpointer data)
{
  WeftIrcClient *self = data;

  g_clear_pointer (&self->ping_call, weft_delayed_call_unref);
  send_sync_ping (self);
  _weft_irc_client_arm_timeout (self);
  schedule_ping (self, self->ping_interval);
}

/* Sends a PING now and the next ones at the interval. SETTLE (at
 * registration): the answer to this one brings the next one forward. */
void
_weft_irc_client_start_pings (WeftIrcClient *self, gboolean settle)
{
  _weft_irc_client_cancel_call (&self->ping_call);
  _weft_irc_client_cancel_call (&self->timeout_call);
  ping_cb (self);
  self->ping_first = settle ? self->ping_seq : 0;
}

void
_weft_irc_client_pong (WeftIrcClient *self, const char *token)
{
  guint64 id;
  gint64 now = weft_reactor_get_time (self->reactor);

  if (token == NULL || !g_str_has_prefix (token, "weft-"))
    return;
  id = g_ascii_strtoull (token + 5, NULL, 10);
  if (id == 0 || id > self->ping_seq)
    return;
  if (self->ping_waiting != 0 && id >= self->ping_waiting)
    {
      self->lag = now - self->ping_sent_time;
      _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_LAG);
      /* The first PING's answer is read after the rest of the server's
       * welcome and whatever the program did meanwhile (a GUI showing its
       * first window): a second one soon after measures the settled link. */
      if (self->ping_first != 0 && id >= self->ping_first && !self->quitting)
        {
          self->ping_first = 0;
          schedule_ping (self, MIN (self->ping_interval, SETTLED_PING_DELAY));
        }
      self->ping_waiting = id < self->ping_seq ? self->ping_seq : 0;
      /* The server is alive: a later PING still out gets a full timeout. */
      _weft_irc_client_cancel_call (&self->timeout_call);
      if (self->ping_waiting != 0)
        {
          self->ping_sent_time = now;
          _weft_irc_client_arm_timeout (self);
        }
    }

  /* Lines written before that PING were handled by the server. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->outbox));)
    {
      g_autoptr (WeftIrcOutgoing) outgoing = g_list_model_get_item (G_LIST_MODEL (self->outbox), i);
      guint before = g_list_model_get_n_items (G_LIST_MODEL (self->outbox));

      for (guint j = 0; j < outgoing->lines->len; j++)
        {
          WeftIrcOutLine *line = g_ptr_array_index (outgoing->lines, j);
          if (line->state == WEFT_IRC_OUTGOING_STATE_SENT && line->ping_id != 0 && line->ping_id <= id)
            _weft_irc_client_outgoing_line_done (self, outgoing, line, NULL);
        }
      if (g_list_model_get_n_items (G_LIST_MODEL (self->outbox)) == before)
        i++;
    }
}

/* ---- Outbox ----------------------------------------------------------- */

gboolean
_weft_irc_client_confirms_by_reply (WeftIrcClient *self)
{
  return weft_irc_client_has_capability (self, "echo-message") ||
         weft_irc_client_has_capability (self, "labeled-response");
}

static void
outbox_remove (WeftIrcClient *self, WeftIrcOutgoing *outgoing)
{
  guint pos;

  if (g_list_store_find (self->outbox, outgoing, &pos))
    g_list_store_remove (self->outbox, pos);
}

void
_weft_irc_client_outgoing_line_done (WeftIrcClient *self,
                                     WeftIrcOutgoing *outgoing,
                                     WeftIrcOutLine *line,
                                     const char *msgid)
{
  g_object_ref (outgoing);
  line->state = WEFT_IRC_OUTGOING_STATE_CONFIRMED;
  if (line->label != NULL)
    g_hash_table_remove (self->labels, line->label);
  _weft_irc_outgoing_set_msgid (outgoing, msgid);
  _weft_irc_outgoing_update (outgoing);
  if (weft_irc_outgoing_is_done (outgoing))
    outbox_remove (self, outgoing);
  g_object_unref (outgoing);
}

void
_weft_irc_client_outgoing_failed (WeftIrcClient *self, WeftIrcOutgoing *outgoing, const GError *error)
{
  g_object_ref (outgoing);
  for (guint i = 0; i < outgoing->lines->len; i++)
    {
      WeftIrcOutLine *line = g_ptr_array_index (outgoing->lines, i);
      if (line->label != NULL)
        g_hash_table_remove (self->labels, line->label);
    }
  _weft_irc_outgoing_fail (outgoing, error);
  outbox_remove (self, outgoing);
  g_object_unref (outgoing);
}

static gboolean
target_ready (WeftIrcClient *self, const char *target)
{
  g_autofree char *folded = _weft_irc_client_fold (self, target);
  WeftIrcChannel *channel;

  if (g_hash_table_contains (self->history_pending, folded))
    return FALSE;
  channel = g_hash_table_lookup (self->channel_by_name, folded);
  if (channel != NULL && g_hash_table_contains (self->wanted, folded))
    return weft_irc_channel_get_joined (channel);
  return TRUE;
}

/* Hands every queued line whose target is ready to flood control, in the
 * order the application sent them. */
void
_weft_irc_client_flush_outbox (WeftIrcClient *self)
{
  guint n;

  if (!self->registered || self->transport == NULL)
    return;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->outbox));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WeftIrcOutgoing) outgoing = g_list_model_get_item (G_LIST_MODEL (self->outbox), i);

      if (!target_ready (self, outgoing->target))
        continue;
      for (guint j = 0; j < outgoing->lines->len; j++)
        {
          WeftIrcOutLine *line = g_ptr_array_index (outgoing->lines, j);
          g_autoptr (WeftIrcMessage) message = NULL;

          if (line->state != WEFT_IRC_OUTGOING_STATE_QUEUED)
            continue;
          line->state = WEFT_IRC_OUT_LINE_SCHEDULED;
          message = weft_irc_message_new_va (outgoing->verb, outgoing->target, line->text, NULL);
          enqueue (self, message, outgoing, j);
          if (self->transport == NULL)
            return;
        }
    }
}

/* After a connection died: what was written but not confirmed goes back to
 * the outbox, to be sent again. */
void
_weft_irc_client_requeue_unconfirmed (WeftIrcClient *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->outbox));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WeftIrcOutgoing) outgoing = g_list_model_get_item (G_LIST_MODEL (self->outbox), i);

      for (guint j = 0; j < outgoing->lines->len; j++)
        {
          WeftIrcOutLine *line = g_ptr_array_index (outgoing->lines, j);
          if (line->state == WEFT_IRC_OUTGOING_STATE_SENT || line->state == WEFT_IRC_OUT_LINE_SCHEDULED)
            line->state = WEFT_IRC_OUTGOING_STATE_QUEUED;
          line->ping_id = 0;
          g_clear_pointer (&line->label, g_free);
        }
      _weft_irc_outgoing_update (outgoing);
    }
  g_hash_table_remove_all (self->labels);
}

/* The longest text that fits in one PRIVMSG to @target once the server has
 * put our source in front of it. */
static gsize
max_text_bytes (WeftIrcClient *self, const char *verb, const char *target, gsize extra)
{
  gsize nick = self->current_nick != NULL ? strlen (self->current_nick) : strlen (self->nick);
  gsize user = self->own_user != NULL ? strlen (self->own_user) : WEFT_IRC_WORST_CASE_USER_BYTES;
  gsize host = self->own_host != NULL ? strlen (self->own_host) : WEFT_IRC_WORST_CASE_HOST_BYTES;
  /* ":nick!user@host VERB target :text\r\n" */
  gsize overhead = 1 + nick + 1 + user + 1 + host + 1 + strlen (verb) + 1 + strlen (target) + 2 + 2 + extra;

  if (overhead + 16 > WEFT_IRC_MAX_LINE_BYTES)
    return 16;
  return WEFT_IRC_MAX_LINE_BYTES - overhead;
}

WeftIrcOutgoing *
_weft_irc_client_send_text (WeftIrcClient *self,
                            const char *verb,
                            const char *target,
                            const char *text,
                            gboolean action)
{
  WeftIrcOutgoing *outgoing;
  g_auto (GStrv) lines = NULL;

  outgoing = _weft_irc_outgoing_new (++self->next_outgoing_id, verb, target, text);
  outgoing->queued_time = weft_reactor_get_time (self->reactor);
  lines = weft_irc_split_text (text, max_text_bytes (self, verb, target, action ? 9 : 0));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (action)
        {
          g_autofree char *framed = g_strdup_printf ("\001ACTION %s\001", lines[i]);
          _weft_irc_outgoing_add_line (outgoing, framed);
        }
      else
        _weft_irc_outgoing_add_line (outgoing, lines[i]);
    }
  if (outgoing->lines->len == 0 || *target == '\0' || strpbrk (target, " ,\r\n") != NULL)
    {
      g_autoptr (GError) error = g_error_new (WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED,
                                              outgoing->lines->len == 0 ? _ ("There is no text to send.")
                                                                        : _ ("“%s” is not a channel or a nick."),
                                              target);
      _weft_irc_outgoing_fail (outgoing, error);
      return outgoing;
    }
  g_list_store_append (self->outbox, outgoing);
  _weft_irc_client_flush_outbox (self);
  return outgoing;
}
