/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pango/pango.h>
#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  CHAT_MESSAGE_TEXT,   /* PRIVMSG */
  CHAT_MESSAGE_ACTION, /* /me */
  CHAT_MESSAGE_NOTICE,
  CHAT_MESSAGE_EVENT, /* joins, parts, topic changes, ... */
  CHAT_MESSAGE_ERROR,
  CHAT_MESSAGE_DAY_SEPARATOR, /* a row of its own between two days */
  CHAT_MESSAGE_UNREAD_MARKER, /* "unread since" line */
} ChatMessageKind;

typedef enum {
  CHAT_MESSAGE_STATE_NONE,      /* someone else's message */
  CHAT_MESSAGE_STATE_PENDING,   /* sent, not yet echoed by the server */
  CHAT_MESSAGE_STATE_CONFIRMED, /* echoed */
  CHAT_MESSAGE_STATE_FAILED,    /* could not be delivered */
} ChatMessageState;

GType chat_message_state_get_type (void) G_GNUC_CONST;
#define CHAT_TYPE_MESSAGE_STATE (chat_message_state_get_type ())

/* One URL inside a message's display text, as byte offsets. */
typedef struct {
  guint start;
  guint end;
} ChatLinkRange;

#define CHAT_TYPE_MESSAGE (chat_message_get_type ())
G_DECLARE_FINAL_TYPE (ChatMessage, chat_message, CHAT, MESSAGE, GObject)

ChatMessage *chat_message_new (ChatMessageKind kind, GDateTime *time, const char *nick, const char *raw_text);
ChatMessage *chat_message_new_day_separator (GDateTime *day);
ChatMessage *chat_message_new_unread_marker (void);

ChatMessageKind chat_message_get_kind (ChatMessage *self);
GDateTime *chat_message_get_time (ChatMessage *self);
const char *chat_message_get_nick (ChatMessage *self);
/* The text without IRC formatting codes, and the attributes that render
 * them (colours, bold, links). Never parsed as markup. */
const char *chat_message_get_text (ChatMessage *self);
PangoAttrList *chat_message_get_attributes (ChatMessage *self);
const GArray *chat_message_get_links (ChatMessage *self);
const char *chat_message_get_link_at (ChatMessage *self, int byte_index);
const char *chat_message_get_first_link (ChatMessage *self);

ChatMessageState chat_message_get_state (ChatMessage *self);
void chat_message_set_state (ChatMessage *self, ChatMessageState state);
const char *chat_message_get_error (ChatMessage *self);
void chat_message_set_error (ChatMessage *self, const char *error);
gboolean chat_message_get_highlight (ChatMessage *self);
void chat_message_set_highlight (ChatMessage *self, gboolean highlight);
const char *chat_message_get_msgid (ChatMessage *self);
void chat_message_set_msgid (ChatMessage *self, const char *msgid);
const char *chat_message_get_link_title (ChatMessage *self);
void chat_message_set_link_title (ChatMessage *self, const char *title);
/* The raw line as typed, for retry. */
const char *chat_message_get_raw_text (ChatMessage *self);
/* An opaque handle of the connection layer for tracking a sent message. */
gpointer chat_message_get_tracker (ChatMessage *self);
void chat_message_set_tracker (ChatMessage *self, gpointer tracker, GDestroyNotify notify);

/* Emits ::retry, which the connection that sent it handles. */
void chat_message_retry (ChatMessage *self);

/* Whether two messages fall on different local days. */
gboolean chat_message_is_other_day (GDateTime *a, GDateTime *b);
/* The local day of a time as a number (days since 1970-01-01 on the local
 * calendar): equal for two times on the same local day. */
gint64 chat_message_local_day (GDateTime *time);
/* Hour and minute on the local clock. */
void chat_message_local_clock (GDateTime *time, int *hour, int *minute);
/* The time in the local time zone (looked up once per process). */
GDateTime *chat_message_to_local (GDateTime *time);

G_END_DECLS
