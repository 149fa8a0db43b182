/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "chat-format.h"
#include "chat-message.h"

/* A room may hold 100,000 of these: the common case (someone else's plain
 * text) carries no copies. The nick and the msgid are shared reference-
 * counted strings (the nick interned, the msgid shared with the room's
 * index), the raw text is the display text when formatting did not change
 * it, no attribute list when there are no attributes, and what only some
 * messages have (errors, link titles, tracking) lives in an extra block. */
typedef struct {
  char *error;
  char *link_title;
  gpointer tracker;
  GDestroyNotify tracker_notify;
} ChatMessageExtra;

struct _ChatMessage {
  GObject parent_instance;

  guint8 kind;
  guint8 state;
  guint8 highlight;
  guint8 raw_is_text;
  GDateTime *time;
  char *nick;     /* GRefString, interned */
  char *raw_text; /* NULL when it is the same as text */
  char *text;
  PangoAttrList *attributes; /* NULL when empty */
  GArray *links;
  char *msgid; /* GRefString */
  ChatMessageExtra *extra;
};

G_DEFINE_FINAL_TYPE (ChatMessage, chat_message, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (ChatMessageState,
                    chat_message_state,
                    G_DEFINE_ENUM_VALUE (CHAT_MESSAGE_STATE_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (CHAT_MESSAGE_STATE_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (CHAT_MESSAGE_STATE_CONFIRMED, "confirmed"),
                    G_DEFINE_ENUM_VALUE (CHAT_MESSAGE_STATE_FAILED, "failed"))

enum {
  PROP_0,
  PROP_STATE,
  PROP_ERROR,
  PROP_LINK_TITLE,
  PROP_HIGHLIGHT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static guint retry_signal;

static ChatMessageExtra *
extra (ChatMessage *self)
{
  if (self->extra == NULL)
    self->extra = g_new0 (ChatMessageExtra, 1);
  return self->extra;
}

static gboolean
set_str (char **slot, const char *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

static void
chat_message_finalize (GObject *object)
{
  ChatMessage *self = CHAT_MESSAGE (object);

  if (self->extra != NULL)
    {
      if (self->extra->tracker_notify != NULL && self->extra->tracker != NULL)
        self->extra->tracker_notify (self->extra->tracker);
      g_free (self->extra->error);
      g_free (self->extra->link_title);
      g_free (self->extra);
    }
  g_clear_pointer (&self->time, g_date_time_unref);
  g_clear_pointer (&self->attributes, pango_attr_list_unref);
  g_clear_pointer (&self->links, g_array_unref);
  g_clear_pointer (&self->nick, g_ref_string_release);
  g_free (self->raw_text);
  g_free (self->text);
  g_clear_pointer (&self->msgid, g_ref_string_release);
  G_OBJECT_CLASS (chat_message_parent_class)->finalize (object);
}

static void
chat_message_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ChatMessage *self = CHAT_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_string (value, chat_message_get_error (self));
      break;
    case PROP_LINK_TITLE:
      g_value_set_string (value, chat_message_get_link_title (self));
      break;
    case PROP_HIGHLIGHT:
      g_value_set_boolean (value, self->highlight);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chat_message_class_init (ChatMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = chat_message_finalize;
  object_class->get_property = chat_message_get_property;

  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, CHAT_TYPE_MESSAGE_STATE, CHAT_MESSAGE_STATE_NONE,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINK_TITLE] =
      g_param_spec_string ("link-title", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HIGHLIGHT] =
      g_param_spec_boolean ("highlight", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The user asked to send a failed message again. */
  retry_signal =
      g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
chat_message_init (ChatMessage *self)
{
}

/**
 * chat_message_new:
 * @kind: what the message is
 * @time: (nullable): when it was sent (server-time); now when %NULL
 * @nick: (nullable): who sent it
 * @raw_text: (nullable): the text as received, with IRC formatting codes
 *
 * Returns: (transfer full): a new message
 */
ChatMessage *
chat_message_new (ChatMessageKind kind, GDateTime *time, const char *nick, const char *raw_text)
{
  ChatMessage *self = g_object_new (CHAT_TYPE_MESSAGE, NULL);

  if (raw_text == NULL)
    raw_text = "";
  self->kind = kind;
  self->time = time != NULL ? g_date_time_ref (time) : g_date_time_new_now_utc ();
  self->nick = nick != NULL ? g_ref_string_new_intern (nick) : NULL;
  chat_format_render (raw_text, &self->text, &self->attributes, &self->links);
  if (strcmp (raw_text, self->text) != 0)
    self->raw_text = g_strdup (raw_text);
  else
    self->raw_is_text = TRUE;
  return self;
}

/**
 * chat_message_new_day_separator:
 * @day: a time on the day the separator introduces
 *
 * Returns: (transfer full): a separator row
 */
ChatMessage *
chat_message_new_day_separator (GDateTime *day)
{
  g_autoptr (GDateTime) local = chat_message_to_local (day);
  ChatMessage *self = g_object_new (CHAT_TYPE_MESSAGE, NULL);

  self->kind = CHAT_MESSAGE_DAY_SEPARATOR;
  self->time = g_date_time_ref (day);
  /* TRANSLATORS: a day separator in the message view, strftime format */
  self->text = g_date_time_format (local, _ ("%A, %B %-e, %Y"));
  return self;
}

/**
 * chat_message_new_unread_marker:
 *
 * Returns: (transfer full): an "unread since" row
 */
ChatMessage *
chat_message_new_unread_marker (void)
{
  ChatMessage *self = g_object_new (CHAT_TYPE_MESSAGE, NULL);

  self->kind = CHAT_MESSAGE_UNREAD_MARKER;
  self->time = g_date_time_new_now_utc ();
  self->text = g_strdup (_ ("New messages"));
  return self;
}

ChatMessageKind
chat_message_get_kind (ChatMessage *self)
{
  return self->kind;
}

GDateTime *
chat_message_get_time (ChatMessage *self)
{
  return self->time;
}

const char *
chat_message_get_nick (ChatMessage *self)
{
  return self->nick;
}

const char *
chat_message_get_text (ChatMessage *self)
{
  return self->text;
}

const char *
chat_message_get_raw_text (ChatMessage *self)
{
  return self->raw_is_text ? self->text : self->raw_text;
}

PangoAttrList *
chat_message_get_attributes (ChatMessage *self)
{
  return self->attributes;
}

const GArray *
chat_message_get_links (ChatMessage *self)
{
  return self->links;
}

/* The URL under a byte offset of the display text, or NULL. */
const char *
chat_message_get_link_at (ChatMessage *self, int byte_index)
{
  static GQuark cache;
  char *url = NULL;

  if (self->links == NULL)
    return NULL;
  if (cache == 0)
    cache = g_quark_from_static_string ("chat-message-link-at");
  for (guint i = 0; i < self->links->len; i++)
    {
      const ChatLinkRange *range = &g_array_index (self->links, ChatLinkRange, i);

      if (byte_index >= (int) range->start && byte_index < (int) range->end)
        {
          url = g_strndup (self->text + range->start, range->end - range->start);
          g_object_set_qdata_full (G_OBJECT (self), cache, url, g_free);
          return url;
        }
    }
  return NULL;
}

const char *
chat_message_get_first_link (ChatMessage *self)
{
  if (self->links == NULL || self->links->len == 0)
    return NULL;
  return chat_message_get_link_at (self, g_array_index (self->links, ChatLinkRange, 0).start);
}

ChatMessageState
chat_message_get_state (ChatMessage *self)
{
  return self->state;
}

void
chat_message_set_state (ChatMessage *self, ChatMessageState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

const char *
chat_message_get_error (ChatMessage *self)
{
  return self->extra != NULL ? self->extra->error : NULL;
}

void
chat_message_set_error (ChatMessage *self, const char *error)
{
  if (g_strcmp0 (chat_message_get_error (self), error) != 0 && set_str (&extra (self)->error, error))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

gboolean
chat_message_get_highlight (ChatMessage *self)
{
  return self->highlight;
}

void
chat_message_set_highlight (ChatMessage *self, gboolean highlight)
{
  highlight = !!highlight;
  if (self->highlight == highlight)
    return;
  self->highlight = highlight;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIGHLIGHT]);
}

const char *
chat_message_get_msgid (ChatMessage *self)
{
  return self->msgid;
}

void
chat_message_set_msgid (ChatMessage *self, const char *msgid)
{
  if (g_strcmp0 (self->msgid, msgid) == 0)
    return;
  g_clear_pointer (&self->msgid, g_ref_string_release);
  self->msgid = msgid != NULL ? g_ref_string_new (msgid) : NULL;
}

const char *
chat_message_get_link_title (ChatMessage *self)
{
  return self->extra != NULL ? self->extra->link_title : NULL;
}

void
chat_message_set_link_title (ChatMessage *self, const char *title)
{
  if (g_strcmp0 (chat_message_get_link_title (self), title) != 0 && set_str (&extra (self)->link_title, title))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINK_TITLE]);
}

gpointer
chat_message_get_tracker (ChatMessage *self)
{
  return self->extra != NULL ? self->extra->tracker : NULL;
}

void
chat_message_set_tracker (ChatMessage *self, gpointer tracker, GDestroyNotify notify)
{
  ChatMessageExtra *e;

  if (self->extra == NULL && tracker == NULL)
    return;
  e = extra (self);
  if (e->tracker_notify != NULL && e->tracker != NULL)
    e->tracker_notify (e->tracker);
  e->tracker = tracker;
  e->tracker_notify = notify;
}

/* The local time zone, looked up once: g_date_time_to_local() looks it up
 * again (reading /etc/localtime's link) on every call, twice per message
 * for the day separators alone. */
static GTimeZone *
local_zone (void)
{
  static gsize zone;

  if (g_once_init_enter (&zone))
    g_once_init_leave (&zone, (gsize) g_time_zone_new_local ());
  return (GTimeZone *) zone;
}

GDateTime *
chat_message_to_local (GDateTime *time)
{
  return g_date_time_to_timezone (time, local_zone ());
}

/* Seconds since the epoch on the local wall clock. */
static gint64
local_seconds (GDateTime *time)
{
  gint64 utc = g_date_time_to_unix (time);
  int interval = g_time_zone_find_interval (local_zone (), G_TIME_TYPE_UNIVERSAL, utc);

  return utc + (interval >= 0 ? g_time_zone_get_offset (local_zone (), interval) : 0);
}

gint64
chat_message_local_day (GDateTime *time)
{
  gint64 local = local_seconds (time);

  return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

void
chat_message_local_clock (GDateTime *time, int *hour, int *minute)
{
  gint64 local = local_seconds (time);
  gint64 second_of_day = local - chat_message_local_day (time) * 86400;

  *hour = (int) (second_of_day / 3600);
  *minute = (int) (second_of_day / 60 % 60);
}

gboolean
chat_message_is_other_day (GDateTime *a, GDateTime *b)
{
  if (a == NULL || b == NULL)
    return a != b;
  return chat_message_local_day (a) != chat_message_local_day (b);
}

void
chat_message_retry (ChatMessage *self)
{
  g_signal_emit (self, retry_signal, 0);
}
