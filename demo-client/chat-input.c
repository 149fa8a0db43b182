/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>
#include <weft-irc/weft-irc.h>

#include "chat-commands.h"
#include "chat-input.h"

#define MAX_HISTORY 100

struct _ChatInput {
  GtkWidget parent_instance;

  ChatRoom *room;
  GtkEntry *entry;
  GtkLabel *nick_label;

  /* Input history: -1 is the line being written. */
  int history_index;
  char *draft;

  /* Tab completion cycling state. */
  GPtrArray *matches;
  guint match_index;
  int word_start;  /* characters */
  char *completed; /* the text as the last completion left it */
};

G_DEFINE_FINAL_TYPE (ChatInput, chat_input, GTK_TYPE_WIDGET)

enum {
  SEND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
reset_completion (ChatInput *self)
{
  g_ptr_array_set_size (self->matches, 0);
  g_clear_pointer (&self->completed, g_free);
}

void
chat_input_set_room (ChatInput *self, ChatRoom *room)
{
  g_autofree char *placeholder = NULL;

  if (g_set_object (&self->room, room))
    {
      self->history_index = -1;
      reset_completion (self);
    }
  if (room != NULL && chat_room_get_kind (room) != CHAT_ROOM_SERVER)
    /* TRANSLATORS: placeholder of the message entry; %s is a channel or nick */
    placeholder = g_strdup_printf (_ ("Message %s"), chat_room_get_name (room));
  else
    placeholder = g_strdup (_ ("Type a /command"));
  gtk_entry_set_placeholder_text (self->entry, placeholder);
}

GtkEntry *
chat_input_get_entry (ChatInput *self)
{
  return self->entry;
}

static void
send_line (ChatInput *self, const char *line)
{
  GPtrArray *history = self->room != NULL ? chat_room_get_input_history (self->room) : NULL;

  if (line[0] == '\0')
    return;
  if (history != NULL)
    {
      if (history->len == 0 || g_strcmp0 (history->pdata[history->len - 1], line) != 0)
        g_ptr_array_add (history, g_strdup (line));
      if (history->len > MAX_HISTORY)
        g_ptr_array_remove_index (history, 0);
    }
  g_signal_emit (self, signals[SEND], 0, line);
}

void
chat_input_activate (ChatInput *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));

  self->history_index = -1;
  g_clear_pointer (&self->draft, g_free);
  reset_completion (self);
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  send_line (self, text);
}

static void
entry_activated (ChatInput *self)
{
  chat_input_activate (self);
}

static void
collect_matches (ChatInput *self, const char *word, gboolean at_start)
{
  GListModel *members;
  gsize len = strlen (word);

  if (word[0] == '/' && at_start)
    {
      for (const char *const *c = chat_commands_list (); *c != NULL; c++)
        if (g_ascii_strncasecmp (*c, word + 1, len - 1) == 0)
          g_ptr_array_add (self->matches, g_strdup_printf ("/%s ", *c));
      return;
    }
  if (len == 0 || self->room == NULL)
    return;
  members = chat_room_get_members (self->room);
  if (members != NULL)
    {
      guint n = g_list_model_get_n_items (members);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (WeftIrcMember) member = g_list_model_get_item (members, i);
          const char *nick = weft_irc_member_get_nick (member);

          if (g_ascii_strncasecmp (nick, word, len) == 0 && !weft_irc_member_is_self (member))
            g_ptr_array_add (self->matches, g_strdup_printf (at_start ? "%s: " : "%s ", nick));
        }
    }
  else if (chat_room_get_kind (self->room) == CHAT_ROOM_QUERY &&
           g_ascii_strncasecmp (chat_room_get_name (self->room), word, len) == 0)
    g_ptr_array_add (self->matches, g_strdup_printf ("%s ", chat_room_get_name (self->room)));
  g_ptr_array_sort (self->matches, (GCompareFunc) g_ascii_strcasecmp);
}

gboolean
chat_input_complete (ChatInput *self)
{
  GtkEditable *editable = GTK_EDITABLE (self->entry);
  const char *text = gtk_editable_get_text (editable);
  int cursor = gtk_editable_get_position (editable);
  const char *replacement;

  if (self->completed == NULL || g_strcmp0 (self->completed, text) != 0 || self->matches->len == 0)
    {
      /* A new completion: the word before the cursor. */
      const char *cursor_ptr = g_utf8_offset_to_pointer (text, cursor);
      const char *start = cursor_ptr;
      g_autofree char *word = NULL;

      while (start > text)
        {
          const char *prev = g_utf8_prev_char (start);

          if (g_unichar_isspace (g_utf8_get_char (prev)))
            break;
          start = prev;
        }
      word = g_strndup (start, cursor_ptr - start);
      reset_completion (self);
      self->word_start = g_utf8_pointer_to_offset (text, start);
      collect_matches (self, word, start == text);
      if (self->matches->len == 0)
        {
          gtk_widget_error_bell (GTK_WIDGET (self));
          return FALSE;
        }
      self->match_index = 0;
    }
  else
    self->match_index = (self->match_index + 1) % self->matches->len;

  replacement = self->matches->pdata[self->match_index];
  gtk_editable_delete_text (editable, self->word_start, cursor);
  {
    int position = self->word_start;

    gtk_editable_insert_text (editable, replacement, -1, &position);
    gtk_editable_set_position (editable, position);
  }
  g_free (self->completed);
  self->completed = g_strdup (gtk_editable_get_text (editable));
  return TRUE;
}

void
chat_input_walk_history (ChatInput *self, int delta)
{
  GPtrArray *history = self->room != NULL ? chat_room_get_input_history (self->room) : NULL;
  int index;

  if (history == NULL || history->len == 0)
    return;
  if (self->history_index == -1)
    {
      if (delta > 0)
        return;
      g_free (self->draft);
      self->draft = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
      index = history->len - 1;
    }
  else
    index = self->history_index + delta;
  if (index < 0)
    return;
  if (index >= (int) history->len)
    {
      self->history_index = -1;
      gtk_editable_set_text (GTK_EDITABLE (self->entry), self->draft != NULL ? self->draft : "");
    }
  else
    {
      self->history_index = index;
      gtk_editable_set_text (GTK_EDITABLE (self->entry), history->pdata[index]);
    }
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
}

static gboolean
key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state, ChatInput *self)
{
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Tab:
    case GDK_KEY_ISO_Left_Tab:
      chat_input_complete (self);
      return TRUE;
    case GDK_KEY_Up:
      chat_input_walk_history (self, -1);
      return TRUE;
    case GDK_KEY_Down:
      chat_input_walk_history (self, +1);
      return TRUE;
    default:
      return FALSE;
    }
}

typedef struct {
  ChatInput *self;
  char **lines;
} PasteRequest;

static void
paste_response (AdwMessageDialog *dialog, const char *response, gpointer data)
{
  PasteRequest *request = data;

  if (g_strcmp0 (response, "send") == 0)
    for (char **line = request->lines; *line != NULL; line++)
      send_line (request->self, *line);
  else if (g_strcmp0 (response, "join") == 0)
    {
      g_autofree char *joined = g_strjoinv (" ", request->lines);
      int position = gtk_editable_get_position (GTK_EDITABLE (request->self->entry));

      gtk_editable_insert_text (GTK_EDITABLE (request->self->entry), joined, -1, &position);
      gtk_editable_set_position (GTK_EDITABLE (request->self->entry), position);
    }
  g_object_unref (request->self);
  g_strfreev (request->lines);
  g_free (request);
}

void
chat_input_paste_text (ChatInput *self, const char *text)
{
  g_auto (GStrv) all = g_strsplit_set (text, "\r\n", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  PasteRequest *request;
  AdwMessageDialog *dialog;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  guint n = 0;
  g_autofree char *body = NULL;

  for (char **line = all; *line != NULL; line++)
    if ((*line)[0] != '\0')
      {
        g_strv_builder_add (builder, *line);
        n++;
      }
  request = g_new0 (PasteRequest, 1);
  request->self = g_object_ref (self);
  request->lines = g_strv_builder_end (builder);
  if (n <= 1)
    {
      paste_response (NULL, "join", request);
      return;
    }
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The pasted text has %u line. Each line is sent as a message.",
                                       "The pasted text has %u lines. Each line is sent as a message.", n),
                          n);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _ ("Send Several Lines?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "join", _ ("_Join into One Line"), "send",
                                    _ ("_Send Lines"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "send");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (paste_response), request);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Any insertion that holds a line break (paste, drop, middle click) goes
 * through chat_input_paste_text() instead. */
static void
insert_text (GtkEditable *editable, const char *text, int length, int *position, ChatInput *self)
{
  g_autofree char *copy = NULL;

  if (length < 0)
    length = strlen (text);
  if (memchr (text, '\n', length) == NULL && memchr (text, '\r', length) == NULL)
    return;
  g_signal_stop_emission_by_name (editable, "insert-text");
  copy = g_strndup (text, length);
  chat_input_paste_text (self, copy);
}

static void
chat_input_dispose (GObject *object)
{
  ChatInput *self = CHAT_INPUT (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHAT_TYPE_INPUT);
  /* The template's top-level child is not bound, so it is not disposed
   * with the template. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->room);
  G_OBJECT_CLASS (chat_input_parent_class)->dispose (object);
}

static void
chat_input_finalize (GObject *object)
{
  ChatInput *self = CHAT_INPUT (object);

  g_ptr_array_unref (self->matches);
  g_free (self->completed);
  g_free (self->draft);
  G_OBJECT_CLASS (chat_input_parent_class)->finalize (object);
}

static gboolean
chat_input_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (CHAT_INPUT (widget)->entry));
}

static void
chat_input_class_init (ChatInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chat_input_dispose;
  object_class->finalize = chat_input_finalize;
  widget_class->grab_focus = chat_input_grab_focus;
  signals[SEND] = g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                1, G_TYPE_STRING);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Chat/chat-input.ui");
  gtk_widget_class_bind_template_child (widget_class, ChatInput, entry);
  gtk_widget_class_bind_template_child (widget_class, ChatInput, nick_label);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatinput");
}

static void
chat_input_init (ChatInput *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->history_index = -1;
  self->matches = g_ptr_array_new_with_free_func (g_free);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), keys);
  g_signal_connect (gtk_editable_get_delegate (GTK_EDITABLE (self->entry)), "insert-text", G_CALLBACK (insert_text),
                    self);
  chat_input_set_room (self, NULL);
}
