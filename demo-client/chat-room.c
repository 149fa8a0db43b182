/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "chat-room.h"

/* Rows kept in memory per room (about 100 MB at most): older ones are
 * dropped from the top, TRIM_STEP or so at a time so that no single trim
 * stalls the loop, and come back through CHATHISTORY when the user scrolls
 * up. */
#define MAX_ROWS 100000
#define TRIM_STEP 1000

/* Batched rows join the model on the next frame of the view that shows the
 * room (chat_message_list), or after this long when no view does. */
#define FLUSH_FALLBACK_MS 50

struct _ChatRoom {
  GObject parent_instance;

  gpointer connection; /* weak: the connection owns its rooms */
  ChatRoomKind kind;
  char *name;
  char *topic;
  gboolean joined;
  gboolean active;
  gboolean history_exhausted;
  gboolean loading_history;
  guint unread_count;
  guint mention_count;

  GListStore *messages;
  GListModel *members;
  ChatMessage *marker; /* in messages, or NULL */
  ChatMessage *newest; /* the newest real message (not a separator) */
  gint64 newest_day;   /* its local day (chat_message_local_day) */
  GHashTable *msgids;  /* GRefStrings shared with the messages */
  GPtrArray *input_history;
  GPtrArray *pending; /* rows not in messages yet */
  guint flush_source;
};

G_DEFINE_FINAL_TYPE (ChatRoom, chat_room, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_TOPIC,
  PROP_JOINED,
  PROP_UNREAD_COUNT,
  PROP_MENTION_COUNT,
  PROP_KIND,
  PROP_MEMBERS,
  PROP_LOADING_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ROWS_PENDING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
chat_room_finalize (GObject *object)
{
  ChatRoom *self = CHAT_ROOM (object);

  g_free (self->name);
  g_free (self->topic);
  g_clear_object (&self->messages);
  g_clear_object (&self->members);
  g_clear_object (&self->newest);
  g_clear_pointer (&self->msgids, g_hash_table_unref);
  g_clear_pointer (&self->input_history, g_ptr_array_unref);
  g_clear_handle_id (&self->flush_source, g_source_remove);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  G_OBJECT_CLASS (chat_room_parent_class)->finalize (object);
}

static void
chat_room_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ChatRoom *self = CHAT_ROOM (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TOPIC:
      g_value_set_string (value, self->topic);
      break;
    case PROP_JOINED:
      g_value_set_boolean (value, self->joined);
      break;
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;
    case PROP_MENTION_COUNT:
      g_value_set_uint (value, self->mention_count);
      break;
    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;
    case PROP_MEMBERS:
      g_value_set_object (value, self->members);
      break;
    case PROP_LOADING_HISTORY:
      g_value_set_boolean (value, self->loading_history);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chat_room_class_init (ChatRoomClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = chat_room_finalize;
  object_class->get_property = chat_room_get_property;
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_TOPIC] = g_param_spec_string ("topic", NULL, NULL, NULL, flags);
  properties[PROP_JOINED] = g_param_spec_boolean ("joined", NULL, NULL, FALSE, flags);
  properties[PROP_UNREAD_COUNT] = g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MENTION_COUNT] = g_param_spec_uint ("mention-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_KIND] = g_param_spec_int ("kind", NULL, NULL, 0, CHAT_ROOM_QUERY, 0, flags);
  properties[PROP_LOADING_HISTORY] = g_param_spec_boolean ("loading-history", NULL, NULL, FALSE, flags);
  properties[PROP_MEMBERS] = g_param_spec_object ("members", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Batched rows wait for chat_room_flush(): a view showing the room
   * flushes on its next frame. */
  signals[ROWS_PENDING] =
      g_signal_new ("rows-pending", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
chat_room_init (ChatRoom *self)
{
  self->messages = g_list_store_new (CHAT_TYPE_MESSAGE);
  self->msgids = g_hash_table_new_full (g_str_hash, g_str_equal, (GDestroyNotify) g_ref_string_release, NULL);
  self->input_history = g_ptr_array_new_with_free_func (g_free);
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
}

ChatRoom *
chat_room_new (gpointer connection, ChatRoomKind kind, const char *name)
{
  ChatRoom *self = g_object_new (CHAT_TYPE_ROOM, NULL);

  self->connection = connection;
  self->kind = kind;
  self->name = g_strdup (name);
  return self;
}

gpointer
chat_room_get_connection (ChatRoom *self)
{
  return self->connection;
}

ChatRoomKind
chat_room_get_kind (ChatRoom *self)
{
  return self->kind;
}

const char *
chat_room_get_name (ChatRoom *self)
{
  return self->name;
}

void
chat_room_set_name (ChatRoom *self, const char *name)
{
  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
chat_room_get_topic (ChatRoom *self)
{
  return self->topic;
}

void
chat_room_set_topic (ChatRoom *self, const char *topic)
{
  if (g_strcmp0 (self->topic, topic) == 0)
    return;
  g_free (self->topic);
  self->topic = g_strdup (topic);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOPIC]);
}

gboolean
chat_room_get_joined (ChatRoom *self)
{
  return self->joined;
}

void
chat_room_set_joined (ChatRoom *self, gboolean joined)
{
  if (self->joined == !!joined)
    return;
  self->joined = !!joined;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOINED]);
}

guint
chat_room_get_unread_count (ChatRoom *self)
{
  return self->unread_count;
}

guint
chat_room_get_mention_count (ChatRoom *self)
{
  return self->mention_count;
}

GListModel *
chat_room_get_messages (ChatRoom *self)
{
  return G_LIST_MODEL (self->messages);
}

GListModel *
chat_room_get_members (ChatRoom *self)
{
  return self->members;
}

void
chat_room_set_members (ChatRoom *self, GListModel *members)
{
  if (g_set_object (&self->members, members))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBERS]);
}

static gboolean
counts_as_unread (ChatMessage *message)
{
  ChatMessageKind kind = chat_message_get_kind (message);

  return (kind == CHAT_MESSAGE_TEXT || kind == CHAT_MESSAGE_ACTION || kind == CHAT_MESSAGE_NOTICE) &&
         chat_message_get_state (message) == CHAT_MESSAGE_STATE_NONE;
}

static void
remove_marker (ChatRoom *self)
{
  guint position;

  chat_room_flush (self);
  if (self->marker == NULL)
    return;
  if (g_list_store_find (self->messages, self->marker, &position))
    g_list_store_remove (self->messages, position);
  self->marker = NULL;
}

/* Drops the oldest rows beyond the cap; they can be loaded again. */
static void
trim (ChatRoom *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  guint drop;

  if (n <= MAX_ROWS + TRIM_STEP)
    return;
  drop = n - MAX_ROWS;
  for (guint i = 0; i < drop; i++)
    {
      g_autoptr (ChatMessage) message = g_list_model_get_item (G_LIST_MODEL (self->messages), i);
      const char *msgid = chat_message_get_msgid (message);

      if (message == self->marker)
        self->marker = NULL;
      if (msgid != NULL)
        g_hash_table_remove (self->msgids, msgid);
    }
  g_list_store_splice (self->messages, 0, drop, NULL, 0);
  self->history_exhausted = FALSE;
}

static gboolean flush_cb (gpointer data);

/* Rows appended by chat_room_append_batched() wait here for one splice per
 * main-loop iteration: a flood of messages becomes one items-changed per
 * batch instead of one per message. */
guint
chat_room_flush_some (ChatRoom *self, guint max_rows)
{
  guint n = MIN (max_rows, self->pending->len);

  g_clear_handle_id (&self->flush_source, g_source_remove);
  if (n > 0)
    {
      g_list_store_splice (self->messages, g_list_model_get_n_items (G_LIST_MODEL (self->messages)), 0,
                           self->pending->pdata, n);
      g_ptr_array_remove_range (self->pending, 0, n);
      trim (self);
    }
  /* What is left waits for the view's next frame; the fallback timer
   * starts again, so that it fires only when no view flushes. */
  if (self->pending->len > 0)
    self->flush_source = g_timeout_add_full (G_PRIORITY_DEFAULT, FLUSH_FALLBACK_MS, flush_cb, self, NULL);
  return self->pending->len;
}

void
chat_room_flush (ChatRoom *self)
{
  chat_room_flush_some (self, G_MAXUINT);
}

guint
chat_room_get_n_pending (ChatRoom *self)
{
  return self->pending->len;
}

static gboolean
flush_cb (gpointer data)
{
  ChatRoom *self = data;

  self->flush_source = 0;
  chat_room_flush (self);
  return G_SOURCE_REMOVE;
}

static gboolean
append (ChatRoom *self, ChatMessage *message, gboolean batch)
{
  const char *msgid = chat_message_get_msgid (message);
  ChatMessage *items[3];
  guint n_items = 0;

  gint64 day = chat_message_local_day (chat_message_get_time (message));

  if (msgid != NULL)
    {
      if (g_hash_table_contains (self->msgids, msgid))
        return FALSE;
      g_hash_table_add (self->msgids, g_ref_string_acquire ((char *) msgid));
    }
  if (self->newest == NULL || day != self->newest_day)
    items[n_items++] = chat_message_new_day_separator (chat_message_get_time (message));

  if (!self->active && self->kind != CHAT_ROOM_SERVER && counts_as_unread (message))
    {
      if (self->marker == NULL)
        {
          self->marker = chat_message_new_unread_marker ();
          items[n_items++] = self->marker;
        }
      self->unread_count++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
      if (chat_message_get_highlight (message) || self->kind == CHAT_ROOM_QUERY)
        {
          self->mention_count++;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MENTION_COUNT]);
        }
    }
  items[n_items++] = g_object_ref (message);
  g_set_object (&self->newest, message);
  self->newest_day = day;
  for (guint i = 0; i < n_items; i++)
    g_ptr_array_add (self->pending, items[i]);
  if (!batch)
    chat_room_flush (self);
  else if (self->flush_source == 0)
    {
      self->flush_source = g_timeout_add_full (G_PRIORITY_DEFAULT, FLUSH_FALLBACK_MS, flush_cb, self, NULL);
      g_signal_emit (self, signals[ROWS_PENDING], 0);
    }
  return TRUE;
}

gboolean
chat_room_append (ChatRoom *self, ChatMessage *message)
{
  return append (self, message, FALSE);
}

gboolean
chat_room_append_batched (ChatRoom *self, ChatMessage *message)
{
  return append (self, message, TRUE);
}

void
chat_room_prepend_history (ChatRoom *self, GPtrArray *messages)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  GDateTime *previous = NULL;
  g_autoptr (ChatMessage) top = NULL;

  chat_room_flush (self);
  for (guint i = 0; i < messages->len; i++)
    {
      ChatMessage *message = messages->pdata[i];
      const char *msgid = chat_message_get_msgid (message);

      if (msgid != NULL)
        {
          if (g_hash_table_contains (self->msgids, msgid))
            continue;
          g_hash_table_add (self->msgids, g_ref_string_acquire ((char *) msgid));
        }
      if (previous == NULL || chat_message_is_other_day (previous, chat_message_get_time (message)))
        g_ptr_array_add (items, chat_message_new_day_separator (chat_message_get_time (message)));
      g_ptr_array_add (items, g_object_ref (message));
      previous = chat_message_get_time (message);
    }
  if (items->len == 0)
    return;

  /* The old top separator is redundant when the history ends on its day. */
  top = g_list_model_get_item (G_LIST_MODEL (self->messages), 0);
  if (top != NULL && chat_message_get_kind (top) == CHAT_MESSAGE_DAY_SEPARATOR &&
      !chat_message_is_other_day (previous, chat_message_get_time (top)))
    g_list_store_splice (self->messages, 0, 1, items->pdata, items->len);
  else
    g_list_store_splice (self->messages, 0, 0, items->pdata, items->len);
  if (self->newest == NULL)
    {
      self->newest = g_object_ref (items->pdata[items->len - 1]);
      self->newest_day = chat_message_local_day (chat_message_get_time (self->newest));
    }
}

ChatMessage *
chat_room_get_oldest_message (ChatRoom *self)
{
  guint n;

  chat_room_flush (self);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ChatMessage) message = g_list_model_get_item (G_LIST_MODEL (self->messages), i);
      ChatMessageKind kind = chat_message_get_kind (message);

      if (kind != CHAT_MESSAGE_DAY_SEPARATOR && kind != CHAT_MESSAGE_UNREAD_MARKER)
        return message;
    }
  return NULL;
}

ChatMessage *
chat_room_get_newest_message (ChatRoom *self)
{
  return self->newest;
}

gboolean
chat_room_has_msgid (ChatRoom *self, const char *msgid)
{
  return msgid != NULL && g_hash_table_contains (self->msgids, msgid);
}

guint
chat_room_get_n_messages (ChatRoom *self)
{
  chat_room_flush (self);
  return g_list_model_get_n_items (G_LIST_MODEL (self->messages));
}

guint
chat_room_get_marker_position (ChatRoom *self)
{
  guint position;

  chat_room_flush (self);
  if (self->marker != NULL && g_list_store_find (self->messages, self->marker, &position))
    return position;
  return G_MAXUINT;
}

void
chat_room_set_active (ChatRoom *self, gboolean active)
{
  active = !!active;
  if (self->active == active)
    return;
  self->active = active;
  if (active)
    {
      if (self->unread_count != 0)
        {
          self->unread_count = 0;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
        }
      if (self->mention_count != 0)
        {
          self->mention_count = 0;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MENTION_COUNT]);
        }
    }
  else
    /* The marker was seen: the next unread message sets a new one. */
    remove_marker (self);
}

gboolean
chat_room_get_active (ChatRoom *self)
{
  return self->active;
}

gboolean
chat_room_get_history_exhausted (ChatRoom *self)
{
  return self->history_exhausted;
}

void
chat_room_set_history_exhausted (ChatRoom *self, gboolean exhausted)
{
  self->history_exhausted = exhausted;
}

gboolean
chat_room_get_loading_history (ChatRoom *self)
{
  return self->loading_history;
}

void
chat_room_set_loading_history (ChatRoom *self, gboolean loading)
{
  if (self->loading_history == !!loading)
    return;
  self->loading_history = !!loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING_HISTORY]);
}

GPtrArray *
chat_room_get_input_history (ChatRoom *self)
{
  return self->input_history;
}
