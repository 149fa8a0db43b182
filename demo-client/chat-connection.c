/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include <weft-soup/weft-soup.h>

#include "chat-certificate.h"
#include "chat-connection.h"

/* Messages asked for per CHATHISTORY BEFORE page. */
#define HISTORY_PAGE 100
#define HISTORY_TIMEOUT (15 * G_USEC_PER_SEC)

struct _ChatConnection {
  GObject parent_instance;

  WeftReactor *reactor;
  ChatServerConfig *config;
  WeftIrcClient *client;
  GListStore *rooms;
  ChatRoom *server_room;

  ChatConnectionState state;
  char *status_text;
  char *disconnect_reason;
  gint64 retry_at; /* monotonic µs of the next attempt while waiting */
  WeftDelayedCall *status_timer;

  /* WebSocket URLs reconnect here: the reconnecting factory needs a
   * connector, which a WebSocket connection does not have. */
  gboolean websocket;
  gboolean user_disconnected;
  gboolean reconfigure; /* connect with the new configuration once closed */
  WeftDelayedCall *reconfigure_call;
  guint ws_attempts;
  WeftDelayedCall *ws_retry;
  GCancellable *ws_cancellable;

  /* Own messages not confirmed yet, oldest first (ChatMessage). */
  GQueue pending;
  /* History being received, per conversation (casefolded name). */
  GHashTable *history;
};

G_DEFINE_FINAL_TYPE (ChatConnection, chat_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_STATUS_TEXT,
  PROP_NICK,
  N_PROPS
};

enum {
  MESSAGE_NOTIFY,
  CERTIFICATE_PROBLEM,
  CONFIG_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void update_status (ChatConnection *self);
static void client_disconnected (WeftIrcClient *client, const GError *reason, ChatConnection *self);
static void schedule_websocket_retry (ChatConnection *self);
static void reconnect_reconfigured (ChatConnection *self);

static char *
fold (const char *name)
{
  return g_utf8_casefold (name, -1);
}

ChatRoom *
chat_connection_find_room (ChatConnection *self, const char *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rooms));

  if (name == NULL)
    return NULL;
  for (guint i = 1; i < n; i++)
    {
      g_autoptr (ChatRoom) room = g_list_model_get_item (G_LIST_MODEL (self->rooms), i);

      if (weft_irc_client_names_equal (self->client, chat_room_get_name (room), name))
        return room;
    }
  return NULL;
}

static ChatRoom *
add_room (ChatConnection *self, ChatRoomKind kind, const char *name)
{
  g_autoptr (ChatRoom) room = chat_room_new (self, kind, name);

  g_list_store_append (self->rooms, room);
  return room;
}

static ChatRoom *
ensure_channel (ChatConnection *self, const char *name)
{
  ChatRoom *room = chat_connection_find_room (self, name);

  return room != NULL ? room : add_room (self, CHAT_ROOM_CHANNEL, name);
}

ChatRoom *
chat_connection_ensure_query (ChatConnection *self, const char *nick)
{
  ChatRoom *room = chat_connection_find_room (self, nick);

  return room != NULL ? room : add_room (self, CHAT_ROOM_QUERY, nick);
}

void
chat_connection_close_room (ChatConnection *self, ChatRoom *room)
{
  guint position;

  if (room == self->server_room)
    return;
  if (chat_room_get_kind (room) == CHAT_ROOM_CHANNEL && chat_room_get_joined (room))
    weft_irc_client_part (self->client, chat_room_get_name (room), NULL);
  if (g_list_store_find (self->rooms, room, &position))
    g_list_store_remove (self->rooms, position);
}

gboolean
chat_connection_is_channel_name (ChatConnection *self, const char *name)
{
  return weft_irc_client_is_channel_name (self->client, name);
}

void
chat_connection_add_info (ChatConnection *self, ChatRoom *room, ChatMessageKind kind, const char *text)
{
  g_autoptr (ChatMessage) message = chat_message_new (kind, NULL, NULL, text);

  chat_room_append (room != NULL ? room : self->server_room, message);
}

/* Adds an event line to a room, at the time of the message that caused it. */
static void
add_event (ChatConnection *self, ChatRoom *room, WeftIrcMessage *cause, const char *text)
{
  g_autoptr (GDateTime) time = cause != NULL ? weft_irc_message_get_time (cause) : NULL;
  g_autoptr (ChatMessage) message = chat_message_new (CHAT_MESSAGE_EVENT, time, NULL, text);

  chat_room_append (room != NULL ? room : self->server_room, message);
}

/* Sent messages */

static void
outgoing_state_changed (WeftIrcOutgoing *outgoing, GParamSpec *pspec, ChatMessage *message)
{
  const GError *error;

  switch (weft_irc_outgoing_get_state (outgoing))
    {
    case WEFT_IRC_OUTGOING_STATE_CONFIRMED:
      chat_message_set_msgid (message, weft_irc_outgoing_get_msgid (outgoing));
      chat_message_set_state (message, CHAT_MESSAGE_STATE_CONFIRMED);
      break;
    case WEFT_IRC_OUTGOING_STATE_FAILED:
      error = weft_irc_outgoing_get_error (outgoing);
      chat_message_set_error (message, error != NULL ? error->message : NULL);
      chat_message_set_state (message, CHAT_MESSAGE_STATE_FAILED);
      break;
    default:
      break;
    }
}

static void
untrack (gpointer data)
{
  WeftIrcOutgoing *outgoing = data;

  g_signal_handlers_disconnect_matched (outgoing, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, outgoing_state_changed, NULL);
  g_object_unref (outgoing);
}

static void
send_message (ChatConnection *self, ChatMessage *message, const char *target)
{
  gboolean action = chat_message_get_kind (message) == CHAT_MESSAGE_ACTION;
  const char *text = chat_message_get_raw_text (message);
  WeftIrcOutgoing *outgoing = action ? weft_irc_client_send_action (self->client, target, text)
                                     : weft_irc_client_send_privmsg (self->client, target, text);

  chat_message_set_error (message, NULL);
  chat_message_set_state (message, CHAT_MESSAGE_STATE_PENDING);
  if (outgoing == NULL)
    return;
  chat_message_set_tracker (message, outgoing, untrack);
  g_signal_connect (outgoing, "notify::state", G_CALLBACK (outgoing_state_changed), message);
  outgoing_state_changed (outgoing, NULL, message);
  if (g_queue_find (&self->pending, message) == NULL)
    g_queue_push_tail (&self->pending, g_object_ref (message));
}

static void
retry_message (ChatMessage *message, ChatConnection *self)
{
  const char *target = g_object_get_data (G_OBJECT (message), "chat-target");

  if (chat_message_get_state (message) == CHAT_MESSAGE_STATE_FAILED && target != NULL)
    send_message (self, message, target);
}

ChatMessage *
chat_connection_send_text (ChatConnection *self, ChatRoom *room, const char *text, gboolean action)
{
  g_autoptr (ChatMessage) message = NULL;

  if (text[0] == '\0' && !action)
    return NULL;
  message =
      chat_message_new (action ? CHAT_MESSAGE_ACTION : CHAT_MESSAGE_TEXT, NULL, chat_connection_get_nick (self), text);
  g_object_set_data_full (G_OBJECT (message), "chat-target", g_strdup (chat_room_get_name (room)), g_free);
  g_signal_connect_object (message, "retry", G_CALLBACK (retry_message), self, 0);
  chat_message_set_state (message, CHAT_MESSAGE_STATE_PENDING);
  chat_room_append (room, message);
  send_message (self, message, chat_room_get_name (room));
  return message;
}

/* An echo of one of our own messages: confirm the pending copy instead of
 * showing it twice. */
static gboolean
claim_echo (ChatConnection *self, ChatRoom *room, const char *text, const char *msgid, gboolean action)
{
  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      ChatMessage *message = l->data;
      const char *target = g_object_get_data (G_OBJECT (message), "chat-target");

      if (weft_irc_client_names_equal (self->client, target, chat_room_get_name (room)) &&
          g_strcmp0 (chat_message_get_raw_text (message), text) == 0 &&
          (chat_message_get_kind (message) == CHAT_MESSAGE_ACTION) == action)
        {
          if (msgid != NULL)
            chat_message_set_msgid (message, msgid);
          chat_message_set_state (message, CHAT_MESSAGE_STATE_CONFIRMED);
          g_queue_delete_link (&self->pending, l);
          g_object_unref (message);
          return TRUE;
        }
    }
  return FALSE;
}

/* Incoming messages */

static ChatRoom *
room_for_conversation (ChatConnection *self, const char *conversation, WeftIrcMessageFlags flags)
{
  if (conversation == NULL || (flags & WEFT_IRC_MESSAGE_FLAGS_SERVER) != 0)
    return self->server_room;
  if ((flags & WEFT_IRC_MESSAGE_FLAGS_PRIVATE) != 0)
    return chat_connection_ensure_query (self, conversation);
  return ensure_channel (self, conversation);
}

static ChatMessage *
message_from_irc (WeftIrcMessage *irc, const char *nick, const char *text, WeftIrcMessageFlags flags)
{
  g_autoptr (GDateTime) time = weft_irc_message_get_time (irc);
  ChatMessageKind kind = (flags & WEFT_IRC_MESSAGE_FLAGS_ACTION)   ? CHAT_MESSAGE_ACTION
                         : (flags & WEFT_IRC_MESSAGE_FLAGS_NOTICE) ? CHAT_MESSAGE_NOTICE
                                                                   : CHAT_MESSAGE_TEXT;
  ChatMessage *message = chat_message_new (kind, time, nick, text);

  chat_message_set_msgid (message, weft_irc_message_get_tag (irc, "msgid"));
  chat_message_set_highlight (message, (flags & WEFT_IRC_MESSAGE_FLAGS_HIGHLIGHT) != 0);
  return message;
}

static void
message_received (WeftIrcClient *client,
                  WeftIrcMessage *irc,
                  const char *conversation,
                  const char *nick,
                  const char *text,
                  WeftIrcMessageFlags flags,
                  ChatConnection *self)
{
  ChatRoom *room = room_for_conversation (self, conversation, flags);
  g_autoptr (ChatMessage) message = NULL;

  if ((flags & WEFT_IRC_MESSAGE_FLAGS_HISTORY) != 0)
    {
      g_autofree char *key = fold (chat_room_get_name (room));
      GPtrArray *batch = g_hash_table_lookup (self->history, key);

      if (batch == NULL)
        {
          batch = g_ptr_array_new_with_free_func (g_object_unref);
          g_hash_table_insert (self->history, g_steal_pointer (&key), batch);
        }
      g_ptr_array_add (batch, message_from_irc (irc, nick, text, flags));
      return;
    }
  if ((flags & WEFT_IRC_MESSAGE_FLAGS_SELF) != 0)
    {
      if (claim_echo (self, room, text, weft_irc_message_get_tag (irc, "msgid"),
                      (flags & WEFT_IRC_MESSAGE_FLAGS_ACTION) != 0))
        return;
      /* The local copy of a message sent without echo-message is already
       * shown; an echo nobody here sent (another client of ours) is new. */
      if ((flags & WEFT_IRC_MESSAGE_FLAGS_ECHO) == 0)
        return;
    }
  message = message_from_irc (irc, nick, text, flags);
  if ((flags & WEFT_IRC_MESSAGE_FLAGS_SELF) != 0)
    chat_message_set_state (message, CHAT_MESSAGE_STATE_CONFIRMED);
  if (chat_room_append_batched (room, message) && (flags & WEFT_IRC_MESSAGE_FLAGS_SELF) == 0 &&
      (chat_message_get_highlight (message) || chat_room_get_kind (room) == CHAT_ROOM_QUERY))
    g_signal_emit (self, signals[MESSAGE_NOTIFY], 0, room, message);
}

static int
compare_time (gconstpointer a, gconstpointer b)
{
  ChatMessage *ma = *(ChatMessage **) a;
  ChatMessage *mb = *(ChatMessage **) b;

  return g_date_time_compare (chat_message_get_time (ma), chat_message_get_time (mb));
}

/* A CHATHISTORY batch is complete: older messages go above, newer ones
 * (the gap after a reconnect) below; duplicates are dropped by msgid. */
static void
history_received (WeftIrcClient *client, const char *conversation, guint n_messages, ChatConnection *self)
{
  ChatRoom *room = chat_connection_find_room (self, conversation);
  g_autofree char *key = NULL;
  GPtrArray *batch;
  g_autoptr (GPtrArray) older = g_ptr_array_new_with_free_func (g_object_unref);
  ChatMessage *oldest;

  g_debug ("History for %s: %u messages", conversation, n_messages);
  if (room == NULL)
    return;
  key = fold (chat_room_get_name (room));
  batch = g_hash_table_lookup (self->history, key);
  chat_room_set_loading_history (room, FALSE);
  g_object_set_data (G_OBJECT (room), "history-timer", NULL);
  if (batch == NULL || batch->len == 0)
    {
      chat_room_set_history_exhausted (room, TRUE);
      g_hash_table_remove (self->history, key);
      return;
    }
  g_ptr_array_sort (batch, compare_time);
  oldest = chat_room_get_oldest_message (room);
  for (guint i = 0; i < batch->len; i++)
    {
      ChatMessage *message = batch->pdata[i];

      if (oldest != NULL && g_date_time_compare (chat_message_get_time (message), chat_message_get_time (oldest)) < 0)
        g_ptr_array_add (older, g_object_ref (message));
      else
        chat_room_append (room, message);
    }
  if (older->len > 0)
    chat_room_prepend_history (room, older);
  g_debug ("%u older, %u rows now", older->len, chat_room_get_n_messages (room));
  g_hash_table_remove (self->history, key);
}

/* A server that never answers must not leave the spinner up for good. */
static void
history_timed_out (gpointer data)
{
  chat_room_set_loading_history (CHAT_ROOM (data), FALSE);
}

static void
cancel_timer (gpointer data)
{
  weft_delayed_call_cancel (data);
  weft_delayed_call_unref (data);
}

void
chat_connection_load_older (ChatConnection *self, ChatRoom *room)
{
  ChatMessage *oldest = chat_room_get_oldest_message (room);
  g_autoptr (WeftIrcMessage) request = NULL;
  g_autofree char *limit = g_strdup_printf ("%u", HISTORY_PAGE);
  g_autofree char *reference = NULL;

  if (chat_room_get_kind (room) == CHAT_ROOM_SERVER || chat_room_get_loading_history (room) ||
      self->state != CHAT_CONNECTION_CONNECTED ||
      (!weft_irc_client_has_capability (self->client, "draft/chathistory") &&
       !weft_irc_client_has_capability (self->client, "chathistory")))
    return;
  if (oldest != NULL && chat_message_get_msgid (oldest) != NULL)
    reference = g_strdup_printf ("msgid=%s", chat_message_get_msgid (oldest));
  else if (oldest != NULL)
    {
      g_autofree char *iso = g_date_time_format_iso8601 (chat_message_get_time (oldest));
      reference = g_strdup_printf ("timestamp=%s", iso);
    }
  else
    reference = g_strdup ("*");
  g_debug ("CHATHISTORY BEFORE %s %s", chat_room_get_name (room), reference);
  chat_room_set_loading_history (room, TRUE);
  g_object_set_data_full (G_OBJECT (room), "history-timer",
                          weft_delayed_call_ref (weft_reactor_call_later (self->reactor, HISTORY_TIMEOUT,
                                                                          history_timed_out, room, NULL)),
                          cancel_timer);
  request = weft_irc_message_new_va ("CHATHISTORY", "BEFORE", chat_room_get_name (room), reference, limit, NULL);
  weft_irc_client_send_message (self->client, request);
}

/* Channel events */

static void
channel_joined (WeftIrcClient *client,
                WeftIrcChannel *channel,
                const char *nick,
                WeftIrcMessage *irc,
                ChatConnection *self)
{
  ChatRoom *room = ensure_channel (self, weft_irc_channel_get_name (channel));
  g_autofree char *text = NULL;

  if (weft_irc_client_names_equal (client, nick, weft_irc_client_get_current_nick (client)))
    {
      chat_room_set_members (room, weft_irc_channel_get_members (channel));
      chat_room_set_topic (room, weft_irc_channel_get_topic (channel));
      chat_room_set_joined (room, TRUE);
      text = g_strdup_printf (_ ("You joined %s"), weft_irc_channel_get_name (channel));
      /* A first join shows the latest history; a rejoin is backfilled by
       * the client from the last message seen, or here when it saw none
       * (duplicates are dropped by msgid). */
      if (chat_room_get_newest_message (room) == NULL ||
          (weft_irc_channel_get_last_msgid (channel) == NULL && weft_irc_channel_get_last_time (channel) <= 0))
        weft_irc_client_fetch_history (client, weft_irc_channel_get_name (channel), HISTORY_PAGE);
    }
  else
    text = g_strdup_printf (_ ("%s joined"), nick);
  add_event (self, room, irc, text);
}

/* A member left a channel (parted or was kicked): an event in its room, and
 * the room is no longer joined when that member is us. */
static void
member_left (ChatConnection *self,
             WeftIrcClient *client,
             WeftIrcChannel *channel,
             const char *nick,
             WeftIrcMessage *irc,
             const char *text)
{
  ChatRoom *room = chat_connection_find_room (self, weft_irc_channel_get_name (channel));

  if (room == NULL)
    return;
  if (weft_irc_client_names_equal (client, nick, weft_irc_client_get_current_nick (client)))
    chat_room_set_joined (room, FALSE);
  add_event (self, room, irc, text);
}

static void
channel_parted (WeftIrcClient *client,
                WeftIrcChannel *channel,
                const char *nick,
                const char *reason,
                WeftIrcMessage *irc,
                ChatConnection *self)
{
  g_autofree char *text = reason != NULL && reason[0] != '\0' ? g_strdup_printf (_ ("%s left (%s)"), nick, reason)
                                                              : g_strdup_printf (_ ("%s left"), nick);

  member_left (self, client, channel, nick, irc, text);
}

static void
channel_kicked (WeftIrcClient *client,
                WeftIrcChannel *channel,
                const char *nick,
                const char *by,
                const char *reason,
                WeftIrcMessage *irc,
                ChatConnection *self)
{
  g_autofree char *text =
      g_strdup_printf (_ ("%s was removed by %s (%s)"), nick, by != NULL ? by : "?", reason != NULL ? reason : "");

  member_left (self, client, channel, nick, irc, text);
}

static void
user_quit (WeftIrcClient *client,
           const char *nick,
           const char *reason,
           GStrv channels,
           WeftIrcMessage *irc,
           ChatConnection *self)
{
  g_autofree char *text = reason != NULL && reason[0] != '\0' ? g_strdup_printf (_ ("%s quit (%s)"), nick, reason)
                                                              : g_strdup_printf (_ ("%s quit"), nick);

  for (guint i = 0; channels != NULL && channels[i] != NULL; i++)
    {
      ChatRoom *room = chat_connection_find_room (self, channels[i]);

      if (room != NULL)
        add_event (self, room, irc, text);
    }
}

static void
nick_changed (WeftIrcClient *client,
              const char *old_nick,
              const char *new_nick,
              GStrv channels,
              WeftIrcMessage *irc,
              ChatConnection *self)
{
  g_autofree char *text = g_strdup_printf (_ ("%s is now known as %s"), old_nick, new_nick);
  ChatRoom *query = chat_connection_find_room (self, old_nick);

  for (guint i = 0; channels != NULL && channels[i] != NULL; i++)
    {
      ChatRoom *room = chat_connection_find_room (self, channels[i]);

      if (room != NULL)
        add_event (self, room, irc, text);
    }
  if (query != NULL && chat_room_get_kind (query) == CHAT_ROOM_QUERY)
    {
      chat_room_set_name (query, new_nick);
      add_event (self, query, irc, text);
    }
  if (weft_irc_client_names_equal (client, new_nick, weft_irc_client_get_current_nick (client)))
    {
      add_event (self, self->server_room, irc, text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
    }
}

static void
topic_changed (WeftIrcClient *client,
               WeftIrcChannel *channel,
               const char *setter,
               const char *topic,
               WeftIrcMessage *irc,
               ChatConnection *self)
{
  ChatRoom *room = ensure_channel (self, weft_irc_channel_get_name (channel));

  chat_room_set_topic (room, topic);
  if (setter != NULL && irc != NULL && g_strcmp0 (weft_irc_message_get_verb (irc), "TOPIC") == 0)
    {
      g_autofree char *text = g_strdup_printf (_ ("%s changed the topic to: %s"), setter, topic != NULL ? topic : "");
      add_event (self, room, irc, text);
    }
}

/* "ada sets mode +v linus" in the channel, as other clients show it. */
static void
mode_changed (WeftIrcClient *client,
              const char *target,
              const char *setter,
              const char *modes,
              GStrv args,
              WeftIrcMessage *irc,
              ChatConnection *self)
{
  ChatRoom *room;
  g_autofree char *joined_args = NULL;
  g_autofree char *change = NULL;
  g_autofree char *text = NULL;

  if (irc == NULL || g_strcmp0 (weft_irc_message_get_verb (irc), "MODE") != 0 ||
      !weft_irc_client_is_channel_name (client, target))
    return;
  room = chat_connection_find_room (self, target);
  if (room == NULL)
    return;
  joined_args = args != NULL ? g_strjoinv (" ", args) : NULL;
  change =
      joined_args != NULL && joined_args[0] != '\0' ? g_strdup_printf ("%s %s", modes, joined_args) : g_strdup (modes);
  text = g_strdup_printf (_ ("%s sets mode %s"), setter != NULL ? setter : target, change);
  add_event (self, room, irc, text);
}

static void
error_received (WeftIrcClient *client, guint numeric, const char *text, WeftIrcMessage *irc, ChatConnection *self)
{
  chat_connection_add_info (self, self->server_room, CHAT_MESSAGE_ERROR, text);
}

static void
server_reply (WeftIrcClient *client, guint numeric, const char *text, WeftIrcMessage *irc, ChatConnection *self)
{
  g_autoptr (GDateTime) time = weft_irc_message_get_time (irc);
  g_autoptr (ChatMessage) message =
      chat_message_new (CHAT_MESSAGE_NOTICE, time, weft_irc_message_get_source (irc), text);

  chat_room_append (self->server_room, message);
}

/* Connection state */

static void
status_tick (gpointer data)
{
  ChatConnection *self = data;

  self->status_timer = NULL;
  update_status (self);
}

static void
set_status_text (ChatConnection *self, char *text)
{
  if (g_strcmp0 (self->status_text, text) == 0)
    {
      g_free (text);
      return;
    }
  g_free (self->status_text);
  self->status_text = text;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);
}

static void
update_status (ChatConnection *self)
{
  gint64 lag;

  if (self->status_timer != NULL)
    {
      weft_delayed_call_cancel (self->status_timer);
      self->status_timer = NULL;
    }
  switch (self->state)
    {
    case CHAT_CONNECTION_CONNECTING:
      set_status_text (self, g_strdup (_ ("Connecting…")));
      break;
    case CHAT_CONNECTION_CONNECTED:
      lag = weft_irc_client_get_lag (self->client);
      if (lag >= 0)
        /* TRANSLATORS: connection state with the lag in milliseconds */
        set_status_text (self, g_strdup_printf (_ ("Connected · %u ms"), (guint) (lag / 1000)));
      else
        set_status_text (self, g_strdup (_ ("Connected")));
      break;
    case CHAT_CONNECTION_RECONNECTING:
      {
        gint64 left = self->retry_at - weft_reactor_get_time (self->reactor);
        guint seconds = left > 0 ? (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;

        if (seconds > 0)
          {
            set_status_text (self, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Reconnecting in %u s",
                                                                 "Reconnecting in %u s", seconds),
                                                    seconds));
            /* Tick on the second boundary of the countdown. */
            self->status_timer = weft_reactor_call_later (self->reactor, left - (gint64) (seconds - 1) * G_USEC_PER_SEC,
                                                          status_tick, self, NULL);
          }
        else
          set_status_text (self, g_strdup (_ ("Reconnecting…")));
      }
      break;
    case CHAT_CONNECTION_DISCONNECTED:
      if (self->disconnect_reason != NULL)
        set_status_text (self, g_strdup_printf (_ ("Disconnected: %s"), self->disconnect_reason));
      else
        set_status_text (self, g_strdup (_ ("Disconnected")));
      break;
    }
}

/* In microseconds, as the factory keeps it. */
static gint64
retry_delay (ChatConnection *self)
{
  WeftClientFactory *factory = weft_irc_client_get_factory (self->client);

  if (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory))
    return weft_reconnecting_client_factory_get_delay (WEFT_RECONNECTING_CLIENT_FACTORY (factory));
  return 0;
}

static void
client_state_changed (ChatConnection *self)
{
  ChatConnectionState state;

  switch (weft_irc_client_get_state (self->client))
    {
    case WEFT_IRC_CLIENT_STATE_CONNECTING:
    case WEFT_IRC_CLIENT_STATE_REGISTERING:
      state = CHAT_CONNECTION_CONNECTING;
      break;
    case WEFT_IRC_CLIENT_STATE_REGISTERED:
      state = CHAT_CONNECTION_CONNECTED;
      self->ws_attempts = 0;
      g_clear_pointer (&self->disconnect_reason, g_free);
      break;
    case WEFT_IRC_CLIENT_STATE_WAITING:
      state = CHAT_CONNECTION_RECONNECTING;
      self->retry_at = weft_reactor_get_time (self->reactor) + retry_delay (self);
      break;
    case WEFT_IRC_CLIENT_STATE_DISCONNECTED:
    default:
      /* A WebSocket connection waits on its own timer. */
      state = self->ws_retry != NULL ? CHAT_CONNECTION_RECONNECTING : CHAT_CONNECTION_DISCONNECTED;
      break;
    }
  if (state != self->state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  update_status (self);
  if (self->reconfigure && weft_irc_client_get_state (self->client) == WEFT_IRC_CLIENT_STATE_DISCONNECTED)
    reconnect_reconfigured (self);
}

static void
client_disconnected (WeftIrcClient *client, const GError *reason, ChatConnection *self)
{
  g_free (self->disconnect_reason);
  self->disconnect_reason = reason != NULL ? g_strdup (reason->message) : NULL;
  for (guint i = 1; i < g_list_model_get_n_items (G_LIST_MODEL (self->rooms)); i++)
    {
      g_autoptr (ChatRoom) room = g_list_model_get_item (G_LIST_MODEL (self->rooms), i);

      chat_room_set_loading_history (room, FALSE);
    }
  if (reason != NULL)
    {
      g_autofree char *text = g_strdup_printf (_ ("Connection lost: %s"), reason->message);
      chat_connection_add_info (self, self->server_room, CHAT_MESSAGE_ERROR, text);
    }
  if (reason != NULL)
    g_debug ("%s: disconnected (%s %d): %s", self->config->name, g_quark_to_string (reason->domain), reason->code,
             reason->message);
  if (chat_certificate_is_problem (reason))
    {
      /* Retrying cannot help: the user decides (see ::certificate-problem). */
      weft_irc_client_disconnect (self->client, NULL);
      g_signal_emit (self, signals[CERTIFICATE_PROBLEM], 0, reason);
    }
  else if (self->websocket && !self->user_disconnected)
    schedule_websocket_retry (self);
  update_status (self);
}

static void
client_registered (WeftIrcClient *client, const char *nick, ChatConnection *self)
{
  g_autofree char *text = g_strdup_printf (_ ("Connected as %s"), nick);

  chat_connection_add_info (self, self->server_room, CHAT_MESSAGE_EVENT, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
}

static void
websocket_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  ChatConnection *self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftProtocol) protocol = weft_websocket_connect_finish (WEFT_REACTOR (source), result, &error);

  if (protocol == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->state = CHAT_CONNECTION_DISCONNECTED;
      client_disconnected (self->client, error, self);
    }
  g_object_unref (self);
}

static void
websocket_retry (gpointer data)
{
  ChatConnection *self = data;

  self->ws_retry = NULL;
  chat_connection_connect (self);
}

/* Backs off like the reconnecting factory: ×e per attempt, ±12 % jitter. */
static void
schedule_websocket_retry (ChatConnection *self)
{
  /* In seconds; the factory's constants are in microseconds. */
  double delay = MIN ((double) WEFT_RECONNECT_DEFAULT_INITIAL_DELAY / G_USEC_PER_SEC *
                          pow (WEFT_RECONNECT_DEFAULT_FACTOR, self->ws_attempts),
                      300.0);

  delay *= 1.0 + g_random_double_range (-WEFT_RECONNECT_DEFAULT_JITTER, WEFT_RECONNECT_DEFAULT_JITTER);
  self->ws_attempts++;
  if (self->ws_retry != NULL)
    weft_delayed_call_cancel (self->ws_retry);
  self->ws_retry =
      weft_reactor_call_later (self->reactor, (gint64) (delay * G_USEC_PER_SEC), websocket_retry, self, NULL);
  self->retry_at = weft_reactor_get_time (self->reactor) + (gint64) (delay * G_USEC_PER_SEC);
  self->state = CHAT_CONNECTION_RECONNECTING;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  update_status (self);
}

void
chat_connection_connect (ChatConnection *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *pinned = NULL;
  const char *url = self->config->url;

  self->user_disconnected = FALSE;
  if (self->websocket)
    {
      static const char *const subprotocols[] = { "text.ircv3.net", NULL };

      g_cancellable_cancel (self->ws_cancellable);
      g_clear_object (&self->ws_cancellable);
      self->ws_cancellable = g_cancellable_new ();
      self->state = CHAT_CONNECTION_CONNECTING;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      update_status (self);
      weft_websocket_connect_async (self->reactor, url, subprotocols, NULL, NULL,
                                    WEFT_FACTORY (weft_irc_client_get_factory (self->client)), self->ws_cancellable,
                                    websocket_connected, g_object_ref (self));
      return;
    }
  if (self->config->fingerprint != NULL && self->config->fingerprint[0] != '\0')
    {
      /* A certificate the user chose to trust: the pin replaces the CA check. */
      g_autofree char *endpoint = weft_irc_url_to_endpoint (url, &error);

      if (endpoint != NULL)
        url = pinned = g_strdup_printf ("%s:fingerprint=%s", endpoint, self->config->fingerprint);
    }
  if (!weft_irc_client_connect (self->client, url, &error))
    {
      g_free (self->disconnect_reason);
      self->disconnect_reason = g_strdup (error->message);
      chat_connection_add_info (self, self->server_room, CHAT_MESSAGE_ERROR, error->message);
      update_status (self);
    }
}

void
chat_connection_trust_certificate (ChatConnection *self, const char *fingerprint)
{
  g_free (self->config->fingerprint);
  self->config->fingerprint = g_strdup (fingerprint);
  g_signal_emit (self, signals[CONFIG_CHANGED], 0);
  weft_irc_client_disconnect (self->client, NULL);
  chat_connection_connect (self);
}

void
chat_connection_reconnect_now (ChatConnection *self)
{
  WeftClientFactory *factory = weft_irc_client_get_factory (self->client);

  if (self->state == CHAT_CONNECTION_CONNECTED || self->state == CHAT_CONNECTION_CONNECTING)
    return;
  if (self->state == CHAT_CONNECTION_RECONNECTING && WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory))
    weft_reconnecting_client_factory_reset_delay (WEFT_RECONNECTING_CLIENT_FACTORY (factory));
  if (self->ws_retry != NULL)
    {
      weft_delayed_call_cancel (self->ws_retry);
      self->ws_retry = NULL;
    }
  self->ws_attempts = 0;
  weft_irc_client_disconnect (self->client, NULL);
  chat_connection_connect (self);
}

void
chat_connection_network_changed (ChatConnection *self, gboolean available)
{
  if (available && self->state == CHAT_CONNECTION_RECONNECTING)
    chat_connection_reconnect_now (self);
}

static gboolean
strv_equal (char **a, char **b)
{
  return (a == NULL || a[0] == NULL) ? (b == NULL || b[0] == NULL)
                                     : (b != NULL && g_strv_equal ((const char *const *) a, (const char *const *) b));
}

static void
apply_identity (ChatConnection *self)
{
  const ChatServerConfig *config = self->config;

  weft_irc_client_set_realname (self->client, config->realname);
  if (config->sasl_account != NULL && config->sasl_account[0] != '\0')
    {
      weft_irc_client_set_password (self->client, NULL);
      weft_irc_client_set_sasl (self->client, WEFT_IRC_SASL_PLAIN, config->sasl_account, config->password);
    }
  else
    {
      weft_irc_client_set_sasl (self->client, WEFT_IRC_SASL_NONE, NULL, NULL);
      weft_irc_client_set_password (self->client,
                                    config->password != NULL && config->password[0] != '\0' ? config->password : NULL);
    }
}

static void
reconnect_reconfigured_cb (gpointer data)
{
  ChatConnection *self = data;
  const ChatServerConfig *config = self->config;

  self->reconfigure_call = NULL;
  if (!self->reconfigure)
    return;
  self->reconfigure = FALSE;
  self->websocket = g_str_has_prefix (config->url, "ws://") || g_str_has_prefix (config->url, "wss://");
  if (config->nick != NULL && config->nick[0] != '\0')
    weft_irc_client_set_nick (self->client, config->nick);
  apply_identity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
  chat_connection_connect (self);
}

/* Not from inside the client's own notification that it closed: on the
 * next pass of the loop, when the old connection is gone for good. */
static void
reconnect_reconfigured (ChatConnection *self)
{
  if (self->reconfigure_call == NULL)
    self->reconfigure_call = weft_reactor_call_later (self->reactor, 0, reconnect_reconfigured_cb, self, NULL);
}

/* The client paces its lines as a public network expects (a burst, then
 * one every two seconds). A server on this machine (the demo's own, a
 * bouncer) has no such rule to keep, and pacing would make joining a few
 * channels and loading their history take seconds. */
static void
set_pacing (ChatConnection *self)
{
  weft_irc_client_set_flood_control (self->client, WEFT_IRC_CLIENT_DEFAULT_FLOOD_BURST,
                                     chat_server_config_is_local (self->config)
                                         ? 0
                                         : WEFT_IRC_CLIENT_DEFAULT_FLOOD_INTERVAL);
}

void
chat_connection_set_config (ChatConnection *self, const ChatServerConfig *config)
{
  ChatServerConfig *old = self->config;
  gboolean reconnect =
      g_strcmp0 (old->url, config->url) != 0 || g_strcmp0 (old->nick, config->nick) != 0 ||
      g_strcmp0 (old->realname, config->realname) != 0 || g_strcmp0 (old->sasl_account, config->sasl_account) != 0 ||
      g_strcmp0 (old->password, config->password) != 0 || g_strcmp0 (old->fingerprint, config->fingerprint) != 0;
  gboolean channels_changed = !strv_equal (old->channels, config->channels);

  self->config = chat_server_config_copy (config);
  set_pacing (self);
  if (reconnect)
    {
      /* A new address or identity takes a new connection: say goodbye on
       * the old one first, and connect once it is closed (the server has
       * then let go of the old nick). */
      if (self->ws_retry != NULL)
        {
          weft_delayed_call_cancel (self->ws_retry);
          self->ws_retry = NULL;
        }
      g_cancellable_cancel (self->ws_cancellable);
      self->ws_attempts = 0;
      self->reconfigure = TRUE;
      weft_irc_client_disconnect (self->client, NULL);
    }
  chat_room_set_name (self->server_room, config->name != NULL ? config->name : config->url);
  if (channels_changed)
    {
      /* Channels no longer listed are left; new ones are joined. */
      for (guint i = 0; old->channels != NULL && old->channels[i] != NULL; i++)
        if (config->channels == NULL || !g_strv_contains ((const char *const *) config->channels, old->channels[i]))
          {
            ChatRoom *room = chat_connection_find_room (self, old->channels[i]);

            if (room != NULL)
              chat_connection_close_room (self, room);
            else
              weft_irc_client_part (self->client, old->channels[i], NULL);
          }
      for (guint i = 0; config->channels != NULL && config->channels[i] != NULL; i++)
        {
          ensure_channel (self, config->channels[i]);
          weft_irc_client_join (self->client, config->channels[i], NULL);
        }
    }
  chat_server_config_free (old);
  if (reconnect && weft_irc_client_get_state (self->client) == WEFT_IRC_CLIENT_STATE_DISCONNECTED)
    reconnect_reconfigured (self);
}

void
chat_connection_disconnect (ChatConnection *self, const char *quit_message)
{
  self->user_disconnected = TRUE;
  if (self->ws_retry != NULL)
    {
      weft_delayed_call_cancel (self->ws_retry);
      self->ws_retry = NULL;
    }
  g_cancellable_cancel (self->ws_cancellable);
  weft_irc_client_disconnect (self->client, quit_message);
}

ChatConnectionState
chat_connection_get_state (ChatConnection *self)
{
  return self->state;
}

const char *
chat_connection_get_status_text (ChatConnection *self)
{
  return self->status_text;
}

const char *
chat_connection_get_nick (ChatConnection *self)
{
  const char *nick = weft_irc_client_get_current_nick (self->client);

  return nick != NULL ? nick : weft_irc_client_get_nick (self->client);
}

GListModel *
chat_connection_get_rooms (ChatConnection *self)
{
  return G_LIST_MODEL (self->rooms);
}

ChatRoom *
chat_connection_get_server_room (ChatConnection *self)
{
  return self->server_room;
}

const ChatServerConfig *
chat_connection_get_config (ChatConnection *self)
{
  return self->config;
}

WeftIrcClient *
chat_connection_get_client (ChatConnection *self)
{
  return self->client;
}

static void
nick_notify (ChatConnection *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
}

ChatConnection *
chat_connection_new (WeftReactor *reactor, const ChatServerConfig *config)
{
  ChatConnection *self = g_object_new (CHAT_TYPE_CONNECTION, NULL);

  self->reactor = g_object_ref (reactor);
  self->config = chat_server_config_copy (config);
  self->websocket = g_str_has_prefix (config->url, "ws://") || g_str_has_prefix (config->url, "wss://");
  self->client = weft_irc_client_new (reactor, config->nick != NULL ? config->nick : g_get_user_name ());
  if (config->realname != NULL)
    weft_irc_client_set_realname (self->client, config->realname);
  set_pacing (self);
  if (config->sasl_account != NULL && config->sasl_account[0] != '\0')
    weft_irc_client_set_sasl (self->client, WEFT_IRC_SASL_PLAIN, config->sasl_account, config->password);
  else if (config->password != NULL && config->password[0] != '\0')
    weft_irc_client_set_password (self->client, config->password);
  self->server_room = chat_room_new (self, CHAT_ROOM_SERVER, config->name != NULL ? config->name : config->url);
  g_list_store_append (self->rooms, self->server_room);
  for (guint i = 0; config->channels != NULL && config->channels[i] != NULL; i++)
    {
      add_room (self, CHAT_ROOM_CHANNEL, config->channels[i]);
      weft_irc_client_join (self->client, config->channels[i], NULL);
    }

  g_signal_connect_swapped (self->client, "notify::state", G_CALLBACK (client_state_changed), self);
  g_signal_connect_swapped (self->client, "notify::lag", G_CALLBACK (update_status), self);
  g_signal_connect_swapped (self->client, "notify::current-nick", G_CALLBACK (nick_notify), self);
  g_signal_connect (self->client, "registered", G_CALLBACK (client_registered), self);
  g_signal_connect (self->client, "disconnected", G_CALLBACK (client_disconnected), self);
  g_signal_connect (self->client, "message-received", G_CALLBACK (message_received), self);
  g_signal_connect (self->client, "history-received", G_CALLBACK (history_received), self);
  g_signal_connect (self->client, "joined", G_CALLBACK (channel_joined), self);
  g_signal_connect (self->client, "parted", G_CALLBACK (channel_parted), self);
  g_signal_connect (self->client, "kicked", G_CALLBACK (channel_kicked), self);
  g_signal_connect (self->client, "quit", G_CALLBACK (user_quit), self);
  g_signal_connect (self->client, "nick-changed", G_CALLBACK (nick_changed), self);
  g_signal_connect (self->client, "topic-changed", G_CALLBACK (topic_changed), self);
  g_signal_connect (self->client, "mode-changed", G_CALLBACK (mode_changed), self);
  g_signal_connect (self->client, "error-received", G_CALLBACK (error_received), self);
  g_signal_connect (self->client, "server-reply", G_CALLBACK (server_reply), self);
  client_state_changed (self);
  return self;
}

static void
chat_connection_dispose (GObject *object)
{
  ChatConnection *self = CHAT_CONNECTION (object);

  if (self->status_timer != NULL)
    {
      weft_delayed_call_cancel (self->status_timer);
      self->status_timer = NULL;
    }
  if (self->ws_retry != NULL)
    {
      weft_delayed_call_cancel (self->ws_retry);
      self->ws_retry = NULL;
    }
  if (self->reconfigure_call != NULL)
    {
      weft_delayed_call_cancel (self->reconfigure_call);
      self->reconfigure_call = NULL;
    }
  g_cancellable_cancel (self->ws_cancellable);
  g_clear_object (&self->ws_cancellable);
  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      weft_irc_client_disconnect (self->client, NULL);
      g_clear_object (&self->client);
    }
  g_queue_clear_full (&self->pending, g_object_unref);
  g_clear_object (&self->server_room);
  if (self->rooms != NULL)
    g_list_store_remove_all (self->rooms);
  G_OBJECT_CLASS (chat_connection_parent_class)->dispose (object);
}

static void
chat_connection_finalize (GObject *object)
{
  ChatConnection *self = CHAT_CONNECTION (object);

  g_clear_object (&self->rooms);
  g_clear_pointer (&self->history, g_hash_table_unref);
  g_clear_pointer (&self->config, chat_server_config_free);
  g_clear_object (&self->reactor);
  g_free (self->status_text);
  g_free (self->disconnect_reason);
  G_OBJECT_CLASS (chat_connection_parent_class)->finalize (object);
}

static void
chat_connection_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ChatConnection *self = CHAT_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_STATUS_TEXT:
      g_value_set_string (value, self->status_text);
      break;
    case PROP_NICK:
      g_value_set_string (value, chat_connection_get_nick (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chat_connection_class_init (ChatConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = chat_connection_dispose;
  object_class->finalize = chat_connection_finalize;
  object_class->get_property = chat_connection_get_property;
  properties[PROP_STATE] =
      g_param_spec_int ("state", NULL, NULL, 0, CHAT_CONNECTION_RECONNECTING, CHAT_CONNECTION_DISCONNECTED, flags);
  properties[PROP_STATUS_TEXT] = g_param_spec_string ("status-text", NULL, NULL, NULL, flags);
  properties[PROP_NICK] = g_param_spec_string ("nick", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A mention or a private message arrived (for notifications). */
  /* The server's TLS certificate did not verify (the GError says why). */
  signals[CERTIFICATE_PROBLEM] = g_signal_new ("certificate-problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                               NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  /* The configuration changed (a pinned certificate) and should be saved. */
  signals[CONFIG_CHANGED] = g_signal_new ("config-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 0);
  signals[MESSAGE_NOTIFY] = g_signal_new ("message-notify", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 2, CHAT_TYPE_ROOM, CHAT_TYPE_MESSAGE);
}

static void
chat_connection_init (ChatConnection *self)
{
  self->rooms = g_list_store_new (CHAT_TYPE_ROOM);
  self->history = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
}
