/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-client-private.h"

/**
 * WeftIrcClient:
 *
 * An IRC client connection, as a [class@Weft.Protocol]: registration
 * (PASS, NICK, USER, with a fallback when the nick is in use), IRCv3
 * capability negotiation (`CAP LS 302`, `cap-notify`), SASL PLAIN and
 * EXTERNAL, and the state of the network kept exactly: channels with their
 * members, prefixes, topics and modes; the client's own nick, away state,
 * account and lag. Every change is a signal with typed arguments or a
 * property notification, so a user interface binds to it without parsing
 * anything.
 *
 * The client is meant to live as long as the user's session on a network.
 * Used directly as a protocol on a transport (a TCP, TLS or line-mode
 * WebSocket transport, or a test's string transport), it serves that one
 * connection. To reconnect, call weft_irc_client_connect() or hand
 * weft_irc_client_get_factory() (a [class@Weft.ReconnectingClientFactory])
 * to a connector: each connection it makes drives this same client, which
 * rejoins its channels (with their keys), fetches missed history with
 * `CHATHISTORY` where the server offers it, and delivers its outbox. See
 * [class@WeftIrc.Outgoing] for what is guaranteed about messages across
 * reconnects.
 *
 * Outgoing lines go through flood control: a token bucket that lets
 * #WEFT_IRC_CLIENT_DEFAULT_FLOOD_BURST lines out at once, then one per
 * #WEFT_IRC_CLIENT_DEFAULT_FLOOD_INTERVAL (weft_irc_client_set_flood_control()).
 * A PING every #WEFT_IRC_CLIENT_DEFAULT_PING_INTERVAL measures
 * #WeftIrcClient:lag. The first goes out at registration; its answer is read
 * after the rest of the server's welcome and whatever the program did
 * meanwhile (a GUI showing its first window), so the second follows 5
 * seconds after that answer, to measure the settled link. A
 * connection whose PING is not answered within
 * #WEFT_IRC_CLIENT_DEFAULT_PING_TIMEOUT is closed with
 * %WEFT_IRC_ERROR_PING_TIMEOUT. All timers run on the client's reactor, so
 * a test clock drives them.
 *
 * Lines end in CRLF; a bare LF is accepted too. A line longer than the
 * IRCv3 limits (8191 bytes of tags and 512 of message) closes the
 * connection with %WEFT_IRC_ERROR_TOO_LONG; a line that is not an IRC
 * message closes it with %WEFT_IRC_ERROR_MALFORMED. Text that is not valid
 * UTF-8 is decoded as Windows-1252.
 */

G_DEFINE_FINAL_TYPE (WeftIrcClient, weft_irc_client, WEFT_TYPE_PROTOCOL)

/* Tags (8191) plus the message (512), with room for a CRLF. */
#define MAX_INPUT_LINE (WEFT_IRC_MAX_TAG_BYTES + WEFT_IRC_MAX_LINE_BYTES + 2)
/* The loop's time one pass may spend handling lines that were read. */
#define INPUT_BUDGET_US 4000

/* CTCP replies: a bucket of their own, so a flood of requests cannot make
 * the client flood the server. */
#define CTCP_BURST 3

static GParamSpec *properties[WEFT_IRC_CLIENT_N_PROPS];
guint _weft_irc_client_signals[WEFT_IRC_CLIENT_N_SIGNALS];

static void
last_seen_free (gpointer data)
{
  WeftIrcLastSeen *seen = data;

  g_free (seen->name);
  g_free (seen->msgid);
  g_free (seen);
}

static void
batch_free (gpointer data)
{
  WeftIrcBatch *batch = data;

  g_free (batch->type);
  g_free (batch->target);
  g_free (batch->label);
  g_free (batch->parent);
  g_free (batch);
}

void
_weft_irc_client_notify (WeftIrcClient *self, int prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

char *
_weft_irc_client_fold (WeftIrcClient *self, const char *name)
{
  return weft_irc_casefold (self->casemap, name);
}

gboolean
_weft_irc_client_is_self (WeftIrcClient *self, const char *nick)
{
  return nick != NULL && self->current_nick != NULL && weft_irc_case_equal (self->casemap, nick, self->current_nick);
}

void
_weft_irc_client_set_state (WeftIrcClient *self, WeftIrcClientState state)
{
  if (self->state == state)
    return;
  self->state = state;
  _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_STATE);
}

/* ---- Connection ------------------------------------------------------- */

static void
reset_connection_state (WeftIrcClient *self)
{
  g_byte_array_set_size (self->inbuf, 0);
  _weft_irc_client_cancel_call (&self->input_call);
  self->input_paused = FALSE;
  self->writing_paused = FALSE;
  self->registered = FALSE;
  self->nick_attempt = 0;
  g_hash_table_remove_all (self->joins_sent);
  g_hash_table_remove_all (self->caps_available);
  g_hash_table_remove_all (self->caps_enabled);
  self->cap_ls_done = FALSE;
  self->cap_reqs_pending = 0;
  self->cap_ended = FALSE;
  self->sasl_in_progress = FALSE;
  weft_irc_isupport_reset (self->isupport);
  self->n_isupport_lines = 0;
  g_hash_table_remove_all (self->batches);
  g_hash_table_remove_all (self->history_pending);
  g_clear_pointer (&self->prefix_modes, g_free);
  g_clear_pointer (&self->prefix_chars, g_free);
  self->prefix_modes = g_strdup ("ov");
  self->prefix_chars = g_strdup ("@+");
  g_clear_pointer (&self->chantypes, g_free);
  self->chantypes = g_strdup ("#&");
  for (guint i = 0; i < 4; i++)
    g_clear_pointer (&self->chanmodes[i], g_free);
  self->chanmodes[0] = g_strdup ("beI");
  self->chanmodes[1] = g_strdup ("k");
  self->chanmodes[2] = g_strdup ("l");
  self->chanmodes[3] = g_strdup ("imnpst");
  self->ping_waiting = 0;
  self->sync_ping_needed = FALSE;
  self->tokens = self->flood_burst;
  self->tokens_time = weft_reactor_get_time (self->reactor);
  _weft_irc_client_clear_sendq (self);
  _weft_irc_client_cancel_call (&self->ping_call);
  _weft_irc_client_cancel_call (&self->timeout_call);
  _weft_irc_client_cancel_call (&self->quit_call);
  self->quitting = FALSE;
}

void
_weft_irc_client_attach (WeftIrcClient *self, WeftTransport *transport)
{
  g_autoptr (WeftIrcMessage) cap = NULL;
  g_autoptr (WeftIrcMessage) nick = NULL;
  g_autoptr (WeftIrcMessage) user = NULL;

  if (self->transport != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->transport), (gpointer *) &self->transport);
  self->transport = transport;
  g_object_add_weak_pointer (G_OBJECT (transport), (gpointer *) &self->transport);
  reset_connection_state (self);
  _weft_irc_client_set_state (self, WEFT_IRC_CLIENT_STATE_REGISTERING);

  cap = weft_irc_message_new_va ("CAP", "LS", "302", NULL);
  _weft_irc_client_write_now (self, cap);
  if (self->password != NULL)
    {
      g_autoptr (WeftIrcMessage) pass = weft_irc_message_new_va ("PASS", self->password, NULL);
      _weft_irc_client_write_now (self, pass);
    }
  g_free (self->current_nick);
  self->current_nick = g_strdup (self->nick);
  nick = weft_irc_message_new_va ("NICK", self->nick, NULL);
  _weft_irc_client_write_now (self, nick);
  user = weft_irc_message_new_va ("USER", self->username, "0", "*", self->realname, NULL);
  _weft_irc_client_write_now (self, user);
  /* Registration must finish in time, or the server is not answering. */
  _weft_irc_client_arm_timeout (self);
}

static void handle_input (WeftIrcClient *self);

void
_weft_irc_client_data (WeftIrcClient *self, const guint8 *data, gsize len)
{
  g_byte_array_append (self->inbuf, data, len);
  if (self->input_call == NULL)
    handle_input (self);
}

static void
continue_input (gpointer data)
{
  WeftIrcClient *self = data;

  g_clear_pointer (&self->input_call, weft_delayed_call_unref);
  handle_input (self);
}

/* Handles the complete lines read so far, for at most INPUT_BUDGET_US of
 * the loop's time: a burst (a busy channel, a history batch, a read of
 * many kilobytes) is spread over several passes of the loop, with reading
 * paused in between, so that the rest of the program (a GUI's frames) runs
 * between them. */
static void
handle_input (WeftIrcClient *self)
{
  g_autoptr (WeftIrcClient) hold = g_object_ref (self);
  gint64 deadline = g_get_monotonic_time () + INPUT_BUDGET_US;
  gboolean more = FALSE;
  guint handled = 0;
  gsize start = 0;

  while (self->transport != NULL && !weft_transport_is_closing (self->transport))
    {
      guint8 *nl = memchr (self->inbuf->data + start, '\n', self->inbuf->len - start);
      gsize line_len;
      char *line;
      g_autoptr (GError) error = NULL;
      g_autoptr (WeftIrcMessage) message = NULL;
      g_autofree char *decoded = NULL;

      if (nl == NULL)
        break;
      line = (char *) self->inbuf->data + start;
      line_len = nl - (self->inbuf->data + start);
      start += line_len + 1;
      if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;
      if (line_len == 0)
        continue;
      if (line_len > MAX_INPUT_LINE)
        {
          _weft_irc_client_close (self, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG,
                                  _ ("The server sent a line longer than IRC allows."));
          break;
        }
      if (memchr (line, '\0', line_len) != NULL)
        {
          _weft_irc_client_close (self, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED,
                                  _ ("The server sent a line with a NUL byte."));
          break;
        }
      if (!g_utf8_validate (line, line_len, NULL))
        {
          decoded = weft_irc_decode_text (line, line_len);
          line = decoded;
          line_len = strlen (decoded);
        }
      message = weft_irc_message_parse (line, line_len, &error);
      if (message == NULL)
        {
          g_autofree char *text =
              g_strdup_printf (_ ("The server sent a line that is not an IRC message: %s"), error->message);
          _weft_irc_client_close (self, WEFT_IRC_ERROR, error->code, text);
          break;
        }
      g_signal_emit (self, _weft_irc_client_signals[WEFT_IRC_CLIENT_SIGNAL_LINE_RECEIVED], 0, message);
      _weft_irc_client_handle (self, message);
      if (++handled % 16 == 0 && g_get_monotonic_time () >= deadline)
        {
          /* Another pass only for a complete line still waiting. */
          more = memchr (self->inbuf->data + start, '\n', self->inbuf->len - start) != NULL;
          break;
        }
    }
  if (start > 0)
    g_byte_array_remove_range (self->inbuf, 0, MIN (start, self->inbuf->len));
  if (more && self->transport != NULL && !weft_transport_is_closing (self->transport))
    {
      if (!self->input_paused)
        weft_transport_pause_reading (self->transport);
      self->input_paused = TRUE;
      self->input_call = weft_delayed_call_ref (weft_reactor_call_soon (self->reactor, continue_input, self, NULL));
      return;
    }
  if (self->input_paused && self->transport != NULL)
    weft_transport_resume_reading (self->transport);
  self->input_paused = FALSE;
  if (self->inbuf->len > MAX_INPUT_LINE)
    {
      _weft_irc_client_close (self, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG,
                              _ ("The server sent a line longer than IRC allows."));
      g_byte_array_set_size (self->inbuf, 0);
    }
}

void
_weft_irc_client_detach (WeftIrcClient *self, const GError *reason)
{
  g_autoptr (WeftIrcClient) hold = g_object_ref (self);
  gboolean trying;
  guint n;

  if (self->transport != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->transport), (gpointer *) &self->transport);
  self->transport = NULL;
  g_object_freeze_notify (G_OBJECT (self));
  _weft_irc_client_clear_sendq (self);
  /* Lines still waiting for a pass of the loop came before the loss: a
   * peer's end of stream is only read once they are handled (reading is
   * paused meanwhile), so this is a connection closed here or broken. */
  _weft_irc_client_cancel_call (&self->input_call);
  self->input_paused = FALSE;
  _weft_irc_client_cancel_call (&self->ping_call);
  _weft_irc_client_cancel_call (&self->timeout_call);
  _weft_irc_client_cancel_call (&self->quit_call);
  self->quitting = FALSE;
  _weft_irc_client_requeue_unconfirmed (self);
  self->registered = FALSE;
  g_hash_table_remove_all (self->joins_sent);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->channels));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WeftIrcChannel) channel = g_list_model_get_item (G_LIST_MODEL (self->channels), i);
      _weft_irc_channel_clear_members (channel);
      _weft_irc_channel_set_joined (channel, FALSE);
    }
  if (self->away)
    {
      self->away = FALSE;
      _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_AWAY);
    }
  self->lag = -1;
  _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_LAG);
  if (g_strcmp0 (self->user_modes, "+") != 0)
    {
      g_free (self->user_modes);
      self->user_modes = g_strdup ("+");
      _weft_irc_client_notify (self, WEFT_IRC_CLIENT_PROP_USER_MODES);
    }
  g_hash_table_remove_all (self->caps_enabled);
  _weft_irc_client_update_caps (self);
  trying =
      self->factory != NULL && self->connector != NULL && weft_reconnecting_client_factory_is_trying (self->factory);
  _weft_irc_client_set_state (self, trying ? WEFT_IRC_CLIENT_STATE_WAITING : WEFT_IRC_CLIENT_STATE_DISCONNECTED);
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, _weft_irc_client_signals[WEFT_IRC_CLIENT_SIGNAL_DISCONNECTED], 0, reason);
}

void
_weft_irc_client_pause_writing (WeftIrcClient *self, gboolean paused)
{
  self->writing_paused = paused;
  if (!paused)
    _weft_irc_client_flood_drain (self);
}

void
_weft_irc_client_connecting (WeftIrcClient *self)
{
  if (self->transport == NULL)
    _weft_irc_client_set_state (self, WEFT_IRC_CLIENT_STATE_CONNECTING);
}

void
_weft_irc_client_connection_failed (WeftIrcClient *self, const GError *reason)
{
  if (self->transport != NULL)
    return;
  _weft_irc_client_set_state (self, weft_reconnecting_client_factory_is_trying (self->factory)
                                        ? WEFT_IRC_CLIENT_STATE_WAITING
                                        : WEFT_IRC_CLIENT_STATE_DISCONNECTED);
  g_signal_emit (self, _weft_irc_client_signals[WEFT_IRC_CLIENT_SIGNAL_DISCONNECTED], 0, reason);
}

/* ---- Channels --------------------------------------------------------- */

WeftIrcChannel *
_weft_irc_client_ensure_channel (WeftIrcClient *self, const char *name)
{
  g_autofree char *folded = _weft_irc_client_fold (self, name);
  WeftIrcChannel *channel = g_hash_table_lookup (self->channel_by_name, folded);

  if (channel != NULL)
    return channel;
  channel = _weft_irc_channel_new (name, self->casemap);
  g_hash_table_insert (self->channel_by_name, g_strdup (folded), channel);
  g_list_store_append (self->channels, channel);
  g_object_unref (channel);
  return channel;
}

void
_weft_irc_client_remove_channel (WeftIrcClient *self, WeftIrcChannel *channel)
{
  g_autofree char *folded = _weft_irc_client_fold (self, weft_irc_channel_get_name (channel));
  guint pos;

  g_hash_table_remove (self->wanted, folded);
  g_hash_table_remove (self->channel_by_name, folded);
  if (g_list_store_find (self->channels, channel, &pos))
    g_list_store_remove (self->channels, pos);
}

/* ---- GObject ---------------------------------------------------------- */

static void
weft_irc_client_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  _weft_irc_client_attach (WEFT_IRC_CLIENT (protocol), transport);
}

static void
weft_irc_client_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  _weft_irc_client_data (WEFT_IRC_CLIENT (protocol), data, len);
}

static void
weft_irc_client_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  _weft_irc_client_detach (WEFT_IRC_CLIENT (protocol), reason);
}

static void
weft_irc_client_pause_writing_vfunc (WeftProtocol *protocol)
{
  _weft_irc_client_pause_writing (WEFT_IRC_CLIENT (protocol), TRUE);
}

static void
weft_irc_client_resume_writing_vfunc (WeftProtocol *protocol)
{
  _weft_irc_client_pause_writing (WEFT_IRC_CLIENT (protocol), FALSE);
}

static void
weft_irc_client_dispose (GObject *object)
{
  WeftIrcClient *self = WEFT_IRC_CLIENT (object);

  if (self->transport != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->transport), (gpointer *) &self->transport);
  self->transport = NULL;
  _weft_irc_client_clear_sendq (self);
  _weft_irc_client_cancel_call (&self->input_call);
  _weft_irc_client_cancel_call (&self->ping_call);
  _weft_irc_client_cancel_call (&self->timeout_call);
  _weft_irc_client_cancel_call (&self->quit_call);
  if (self->connector != NULL)
    weft_connector_stop_connecting (self->connector);
  if (self->factory != NULL)
    weft_reconnecting_client_factory_stop_trying (self->factory);
  g_clear_object (&self->connector);
  g_clear_object (&self->factory);
  G_OBJECT_CLASS (weft_irc_client_parent_class)->dispose (object);
}

static void
weft_irc_client_finalize (GObject *object)
{
  WeftIrcClient *self = WEFT_IRC_CLIENT (object);

  g_clear_object (&self->reactor);
  g_free (self->nick);
  g_free (self->username);
  g_free (self->realname);
  g_free (self->password);
  g_free (self->sasl_username);
  g_free (self->sasl_password);
  g_free (self->version_reply);
  g_byte_array_unref (self->inbuf);
  g_free (self->current_nick);
  g_free (self->own_user);
  g_free (self->own_host);
  g_hash_table_unref (self->caps_available);
  g_hash_table_unref (self->caps_enabled);
  g_strfreev (self->caps_strv);
  g_object_unref (self->isupport);
  g_free (self->prefix_modes);
  g_free (self->prefix_chars);
  g_free (self->chantypes);
  for (guint i = 0; i < 4; i++)
    g_free (self->chanmodes[i]);
  g_free (self->server_name);
  g_free (self->network);
  g_free (self->account);
  g_free (self->away_message);
  g_free (self->user_modes);
  g_free (self->wanted_away);
  g_hash_table_unref (self->batches);
  g_hash_table_unref (self->channel_by_name);
  g_object_unref (self->channels);
  g_hash_table_unref (self->wanted);
  g_hash_table_unref (self->joins_sent);
  g_hash_table_unref (self->history_pending);
  g_hash_table_unref (self->own_nicks);
  g_hash_table_unref (self->private_seen);
  g_hash_table_unref (self->labels);
  g_object_unref (self->outbox);
  G_OBJECT_CLASS (weft_irc_client_parent_class)->finalize (object);
}

static void
weft_irc_client_constructed (GObject *object)
{
  WeftIrcClient *self = WEFT_IRC_CLIENT (object);

  G_OBJECT_CLASS (weft_irc_client_parent_class)->constructed (object);
  g_return_if_fail (WEFT_IS_REACTOR (self->reactor));
  self->ctcp_tokens_time = weft_reactor_get_time (self->reactor);
  reset_connection_state (self);
}

static void
weft_irc_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftIrcClient *self = WEFT_IRC_CLIENT (object);

  switch (prop_id)
    {
    case WEFT_IRC_CLIENT_PROP_REACTOR:
      g_value_set_object (value, self->reactor);
      break;
    case WEFT_IRC_CLIENT_PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case WEFT_IRC_CLIENT_PROP_NICK:
      g_value_set_string (value, self->nick);
      break;
    case WEFT_IRC_CLIENT_PROP_CURRENT_NICK:
      g_value_set_string (value, weft_irc_client_get_current_nick (self));
      break;
    case WEFT_IRC_CLIENT_PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case WEFT_IRC_CLIENT_PROP_REALNAME:
      g_value_set_string (value, self->realname);
      break;
    case WEFT_IRC_CLIENT_PROP_AWAY:
      g_value_set_boolean (value, self->away);
      break;
    case WEFT_IRC_CLIENT_PROP_AWAY_MESSAGE:
      g_value_set_string (value, self->away_message);
      break;
    case WEFT_IRC_CLIENT_PROP_LAG:
      g_value_set_int64 (value, self->lag);
      break;
    case WEFT_IRC_CLIENT_PROP_SERVER_NAME:
      g_value_set_string (value, self->server_name);
      break;
    case WEFT_IRC_CLIENT_PROP_NETWORK:
      g_value_set_string (value, weft_irc_client_get_network (self));
      break;
    case WEFT_IRC_CLIENT_PROP_ACCOUNT:
      g_value_set_string (value, self->account);
      break;
    case WEFT_IRC_CLIENT_PROP_CAPABILITIES:
      g_value_set_boxed (value, self->caps_strv);
      break;
    case WEFT_IRC_CLIENT_PROP_CHANNELS:
      g_value_set_object (value, self->channels);
      break;
    case WEFT_IRC_CLIENT_PROP_OUTBOX:
      g_value_set_object (value, self->outbox);
      break;
    case WEFT_IRC_CLIENT_PROP_USER_MODES:
      g_value_set_string (value, self->user_modes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_irc_client_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftIrcClient *self = WEFT_IRC_CLIENT (object);

  switch (prop_id)
    {
    case WEFT_IRC_CLIENT_PROP_REACTOR:
      self->reactor = g_value_dup_object (value);
      break;
    case WEFT_IRC_CLIENT_PROP_NICK:
      if (g_value_get_string (value) != NULL)
        weft_irc_client_set_nick (self, g_value_get_string (value));
      break;
    case WEFT_IRC_CLIENT_PROP_USERNAME:
      weft_irc_client_set_username (self, g_value_get_string (value));
      break;
    case WEFT_IRC_CLIENT_PROP_REALNAME:
      weft_irc_client_set_realname (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
add_signal (int id, const char *name, guint n_params, ...)
{
  GType types[8];
  va_list ap;

  va_start (ap, n_params);
  for (guint i = 0; i < n_params; i++)
    types[i] = va_arg (ap, GType);
  va_end (ap);
  _weft_irc_client_signals[id] = g_signal_newv (name, WEFT_IRC_TYPE_CLIENT, G_SIGNAL_RUN_LAST, NULL, NULL, NULL, NULL,
                                                G_TYPE_NONE, n_params, types);
}

#define STR (G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE)
#define MSG (WEFT_IRC_TYPE_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE)
#define CHAN WEFT_IRC_TYPE_CHANNEL

static void
weft_irc_client_class_init (WeftIrcClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = weft_irc_client_constructed;
  object_class->dispose = weft_irc_client_dispose;
  object_class->finalize = weft_irc_client_finalize;
  object_class->get_property = weft_irc_client_get_property;
  object_class->set_property = weft_irc_client_set_property;
  protocol_class->connection_made = weft_irc_client_connection_made;
  protocol_class->data_received = weft_irc_client_data_received;
  protocol_class->connection_lost = weft_irc_client_connection_lost;
  protocol_class->pause_writing = weft_irc_client_pause_writing_vfunc;
  protocol_class->resume_writing = weft_irc_client_resume_writing_vfunc;

  /**
   * WeftIrcClient:reactor: (getter get_reactor)
   *
   * The reactor whose clock runs the client's timers.
   */
  properties[WEFT_IRC_CLIENT_PROP_REACTOR] =
      g_param_spec_object ("reactor", NULL, NULL, WEFT_TYPE_REACTOR,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftIrcClient:state: (getter get_state)
   *
   * Where the connection is, for a status label.
   */
  properties[WEFT_IRC_CLIENT_PROP_STATE] =
      g_param_spec_enum ("state", NULL, NULL, WEFT_IRC_TYPE_CLIENT_STATE, WEFT_IRC_CLIENT_STATE_DISCONNECTED, ro);
  /**
   * WeftIrcClient:nick: (getter get_nick) (setter set_nick)
   *
   * The nick the client wants; see #WeftIrcClient:current-nick for the
   * one it has.
   */
  properties[WEFT_IRC_CLIENT_PROP_NICK] = g_param_spec_string ("nick", NULL, NULL, NULL, rw);
  /**
   * WeftIrcClient:current-nick: (getter get_current_nick)
   *
   * The nick the client has on the server now (it differs from
   * #WeftIrcClient:nick after a nick-in-use fallback).
   */
  properties[WEFT_IRC_CLIENT_PROP_CURRENT_NICK] = g_param_spec_string ("current-nick", NULL, NULL, NULL, ro);
  /**
   * WeftIrcClient:username:
   *
   * The user name sent with USER.
   */
  properties[WEFT_IRC_CLIENT_PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, rw);
  /**
   * WeftIrcClient:realname:
   *
   * The real name sent with USER.
   */
  properties[WEFT_IRC_CLIENT_PROP_REALNAME] = g_param_spec_string ("realname", NULL, NULL, NULL, rw);
  /**
   * WeftIrcClient:away: (getter get_away)
   *
   * Whether the server has the client marked away.
   */
  properties[WEFT_IRC_CLIENT_PROP_AWAY] = g_param_spec_boolean ("away", NULL, NULL, FALSE, ro);
  /**
   * WeftIrcClient:away-message: (getter get_away_message)
   *
   * The away message the client set, or %NULL.
   */
  properties[WEFT_IRC_CLIENT_PROP_AWAY_MESSAGE] = g_param_spec_string ("away-message", NULL, NULL, NULL, ro);
  /**
   * WeftIrcClient:lag: (getter get_lag)
   *
   * The last round-trip time of a PING, in microseconds; -1 when unknown.
   */
  properties[WEFT_IRC_CLIENT_PROP_LAG] = g_param_spec_int64 ("lag", NULL, NULL, -1, G_MAXINT64, -1, ro);
  /**
   * WeftIrcClient:server-name: (getter get_server_name)
   *
   * The name of the server the client is registered on, or %NULL.
   */
  properties[WEFT_IRC_CLIENT_PROP_SERVER_NAME] = g_param_spec_string ("server-name", NULL, NULL, NULL, ro);
  /**
   * WeftIrcClient:network: (getter get_network)
   *
   * The network's name (ISUPPORT NETWORK), else the server's name.
   */
  properties[WEFT_IRC_CLIENT_PROP_NETWORK] = g_param_spec_string ("network", NULL, NULL, NULL, ro);
  /**
   * WeftIrcClient:account: (getter get_account)
   *
   * The account the client is logged in to (SASL), or %NULL.
   */
  properties[WEFT_IRC_CLIENT_PROP_ACCOUNT] = g_param_spec_string ("account", NULL, NULL, NULL, ro);
  /**
   * WeftIrcClient:capabilities: (getter get_capabilities)
   *
   * The IRCv3 capabilities enabled on the current connection, sorted.
   */
  properties[WEFT_IRC_CLIENT_PROP_CAPABILITIES] = g_param_spec_boxed ("capabilities", NULL, NULL, G_TYPE_STRV, ro);
  /**
   * WeftIrcClient:channels: (getter get_channels)
   *
   * The channels, a `GListModel` of [class@WeftIrc.Channel] in the order
   * they were joined.
   */
  properties[WEFT_IRC_CLIENT_PROP_CHANNELS] = g_param_spec_object ("channels", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  /**
   * WeftIrcClient:outbox: (getter get_outbox)
   *
   * The messages not yet confirmed or failed, a `GListModel` of
   * [class@WeftIrc.Outgoing] in the order they were sent.
   */
  properties[WEFT_IRC_CLIENT_PROP_OUTBOX] = g_param_spec_object ("outbox", NULL, NULL, G_TYPE_LIST_MODEL, ro);

  /**
   * WeftIrcClient:user-modes: (getter get_user_modes)
   *
   * The client's own user modes on the server (`"+iw"`), "+" when none or
   * not connected.
   */
  properties[WEFT_IRC_CLIENT_PROP_USER_MODES] = g_param_spec_string ("user-modes", NULL, NULL, "+", ro);

  g_object_class_install_properties (object_class, WEFT_IRC_CLIENT_N_PROPS, properties);

  /**
   * WeftIrcClient::registered:
   * @client: the client
   * @nick: the nick the client registered with
   *
   * The server accepted the registration (RPL_WELCOME).
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_REGISTERED, "registered", 1, STR);
  /**
   * WeftIrcClient::disconnected:
   * @client: the client
   * @reason: why the connection ended or the attempt failed
   *
   * A connection ended, or an attempt to make one failed.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_DISCONNECTED, "disconnected", 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * WeftIrcClient::message-received:
   * @client: the client
   * @message: the PRIVMSG or NOTICE
   * @conversation: (nullable): the channel, or for a private message the
   *   other party's nick; %NULL for a server notice
   * @nick: (nullable): who sent it (%NULL for a server)
   * @text: the text, without CTCP ACTION framing
   * @flags: what kind of message it is
   *
   * A message arrived: live, the echo of one of ours (SELF | ECHO; a user
   * interface that shows its [class@WeftIrc.Outgoing] messages skips
   * these), or history (HISTORY).
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_MESSAGE_RECEIVED, "message-received", 5, MSG, STR, STR, STR,
              WEFT_IRC_TYPE_MESSAGE_FLAGS);
  /**
   * WeftIrcClient::joined:
   * @client: the client
   * @channel: the channel
   * @nick: who joined (the client itself when it is the current nick)
   * @message: the JOIN
   *
   * Someone joined a channel the client is in, or the client joined one.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_JOINED, "joined", 3, CHAN, STR, MSG);
  /**
   * WeftIrcClient::parted:
   * @client: the client
   * @channel: the channel
   * @nick: who left
   * @reason: (nullable): the part message
   * @message: the PART
   *
   * Someone left a channel (the client too: then @channel is no longer
   * joined, and is removed from #WeftIrcClient:channels).
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_PARTED, "parted", 4, CHAN, STR, STR, MSG);
  /**
   * WeftIrcClient::kicked:
   * @client: the client
   * @channel: the channel
   * @nick: who was kicked
   * @by: who kicked
   * @reason: (nullable): the reason
   * @message: the KICK
   *
   * Someone was kicked from a channel. When it is the client, the channel
   * stays in the list, not joined, and is not rejoined.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_KICKED, "kicked", 5, CHAN, STR, STR, STR, MSG);
  /**
   * WeftIrcClient::quit:
   * @client: the client
   * @nick: who quit
   * @reason: (nullable): the quit message
   * @channels: the channels the user was in with the client
   * @message: the QUIT
   *
   * Someone quit the network.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_QUIT, "quit", 4, STR, STR, G_TYPE_STRV, MSG);
  /**
   * WeftIrcClient::nick-changed:
   * @client: the client
   * @old_nick: the old nick
   * @new_nick: the new nick
   * @channels: the channels the user is in with the client
   * @message: the NICK
   *
   * Someone changed nick (also the client: see #WeftIrcClient:current-nick).
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_NICK_CHANGED, "nick-changed", 4, STR, STR, G_TYPE_STRV, MSG);
  /**
   * WeftIrcClient::topic-changed:
   * @client: the client
   * @channel: the channel
   * @setter: (nullable): who set it, if known
   * @topic: (nullable): the new topic; %NULL when it was cleared
   * @message: the TOPIC or RPL_TOPIC
   *
   * A channel's topic changed, or was received on join.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_TOPIC_CHANGED, "topic-changed", 4, CHAN, STR, STR, MSG);
  /**
   * WeftIrcClient::mode-changed:
   * @client: the client
   * @target: the channel or nick whose modes changed
   * @setter: (nullable): who changed them
   * @modes: the mode string (`+o-v`)
   * @args: the arguments
   * @message: the MODE
   *
   * Modes changed; channel state and member prefixes are already updated.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_MODE_CHANGED, "mode-changed", 5, STR, STR, STR, G_TYPE_STRV, MSG);
  /**
   * WeftIrcClient::invited:
   * @client: the client
   * @inviter: who invited
   * @nick: who was invited (the client, or another user with invite-notify)
   * @channel: the channel
   * @message: the INVITE
   *
   * An invitation to a channel.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_INVITED, "invited", 4, STR, STR, STR, MSG);
  /**
   * WeftIrcClient::away-changed:
   * @client: the client
   * @nick: the user
   * @message: (nullable): the away message; %NULL when back
   *
   * A user went away or came back (away-notify; the client's own state
   * from RPL_NOWAWAY and RPL_UNAWAY).
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_AWAY_CHANGED, "away-changed", 2, STR, STR);
  /**
   * WeftIrcClient::account-changed:
   * @client: the client
   * @nick: the user
   * @account: (nullable): the account; %NULL when logged out
   *
   * A user logged in or out (account-notify, extended-join).
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_ACCOUNT_CHANGED, "account-changed", 2, STR, STR);
  /**
   * WeftIrcClient::host-changed:
   * @client: the client
   * @nick: the user
   * @user: the new user name
   * @host: the new host
   *
   * A user's user name or host changed (chghost).
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_HOST_CHANGED, "host-changed", 3, STR, STR, STR);
  /**
   * WeftIrcClient::realname-changed:
   * @client: the client
   * @nick: the user
   * @realname: the new real name
   *
   * A user's real name changed (setname).
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_REALNAME_CHANGED, "realname-changed", 2, STR, STR);
  /**
   * WeftIrcClient::error-received:
   * @client: the client
   * @numeric: the error numeric (400–599, SASL 902–908), or 0 for ERROR
   *   and FAIL
   * @text: the server's text
   * @message: the message
   *
   * The server reported an error.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_ERROR_RECEIVED, "error-received", 3, G_TYPE_UINT, STR, MSG);
  /**
   * WeftIrcClient::server-reply:
   * @client: the client
   * @numeric: the numeric
   * @text: the last parameter
   * @message: the message
   *
   * Any numeric that is not an error (welcome, MOTD, WHOIS...), after the
   * client has used it, for a server view.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_SERVER_REPLY, "server-reply", 3, G_TYPE_UINT, STR, MSG);
  /**
   * WeftIrcClient::ctcp-request:
   * @client: the client
   * @nick: who asked
   * @target: the channel or our nick
   * @command: the CTCP command (`VERSION`)
   * @args: (nullable): its arguments
   *
   * A CTCP request other than ACTION. VERSION, PING, TIME and CLIENTINFO
   * are answered by the client itself, at most 3 at once and then one
   * every 5 seconds.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_CTCP_REQUEST, "ctcp-request", 4, STR, STR, STR, STR);
  /**
   * WeftIrcClient::ctcp-reply:
   * @client: the client
   * @nick: who answered
   * @command: the CTCP command
   * @args: (nullable): the answer
   *
   * A CTCP reply (in a NOTICE).
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_CTCP_REPLY, "ctcp-reply", 3, STR, STR, STR);
  /**
   * WeftIrcClient::history-received:
   * @client: the client
   * @conversation: the channel or nick
   * @n_messages: how many messages the batch held
   *
   * A CHATHISTORY batch has been delivered (as HISTORY messages).
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_HISTORY_RECEIVED, "history-received", 2, STR, G_TYPE_UINT);
  /**
   * WeftIrcClient::line-received:
   * @client: the client
   * @message: the message
   *
   * Every message from the server, before the client handles it.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_LINE_RECEIVED, "line-received", 1, MSG);
  /**
   * WeftIrcClient::line-sent:
   * @client: the client
   * @line: the line, without CRLF
   *
   * Every line the client writes.
   */
  add_signal (WEFT_IRC_CLIENT_SIGNAL_LINE_SENT, "line-sent", 1, STR);
}

static void
weft_irc_client_init (WeftIrcClient *self)
{
  self->username = g_strdup ("weft");
  self->realname = g_strdup ("Weft");
  self->flood_burst = WEFT_IRC_CLIENT_DEFAULT_FLOOD_BURST;
  self->flood_interval = WEFT_IRC_CLIENT_DEFAULT_FLOOD_INTERVAL;
  self->ping_interval = WEFT_IRC_CLIENT_DEFAULT_PING_INTERVAL;
  self->ping_timeout = WEFT_IRC_CLIENT_DEFAULT_PING_TIMEOUT;
  self->version_reply = g_strdup_printf ("Weft %s", WEFT_VERSION);
  self->inbuf = g_byte_array_new ();
  self->caps_available = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->caps_enabled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->caps_strv = g_new0 (char *, 1);
  self->isupport = weft_irc_isupport_new ();
  self->casemap = WEFT_IRC_CASEMAPPING_RFC1459;
  self->batches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, batch_free);
  self->channels = g_list_store_new (WEFT_IRC_TYPE_CHANNEL);
  self->channel_by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->joins_sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->history_pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->own_nicks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->private_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, last_seen_free);
  self->outbox = g_list_store_new (WEFT_IRC_TYPE_OUTGOING);
  self->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->lag = -1;
  self->user_modes = g_strdup ("+");
  self->ctcp_tokens = CTCP_BURST;
  g_queue_init (&self->sendq);
}
