/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "chat-format.h"
#include "chat-message-row.h"

struct _ChatMessageRow {
  GtkWidget parent_instance;

  ChatMessage *message;
  GSignalGroup *signals;
  const char *nick_class;

  GtkWidget *separator_box;
  GtkLabel *separator_label;
  GtkWidget *message_box;
  GtkLabel *time_label;
  GtkLabel *nick_label;
  GtkLabel *text_label;
  GtkLabel *link_title_label;
  GtkWidget *failed_box;
  GtkLabel *failed_label;
  GtkImage *state_image;
};

G_DEFINE_FINAL_TYPE (ChatMessageRow, chat_message_row, GTK_TYPE_WIDGET)

static void
update_state (ChatMessageRow *self)
{
  ChatMessageState state = self->message != NULL ? chat_message_get_state (self->message) : CHAT_MESSAGE_STATE_NONE;
  const char *error = self->message != NULL ? chat_message_get_error (self->message) : NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->state_image),
                          state == CHAT_MESSAGE_STATE_PENDING || state == CHAT_MESSAGE_STATE_FAILED);
  if (state == CHAT_MESSAGE_STATE_PENDING)
    {
      gtk_image_set_from_icon_name (self->state_image, "content-loading-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_image), _ ("Sending…"));
      gtk_widget_add_css_class (GTK_WIDGET (self), "pending");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "pending");
  if (state == CHAT_MESSAGE_STATE_FAILED)
    {
      g_autofree char *text = g_strdup_printf (_ ("Not delivered: %s"), error != NULL ? error : _ ("unknown error"));

      gtk_image_set_from_icon_name (self->state_image, "dialog-warning-symbolic");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_image), _ ("Not delivered"));
      gtk_label_set_text (self->failed_label, text);
    }
  gtk_widget_set_visible (self->failed_box, state == CHAT_MESSAGE_STATE_FAILED);
}

static void
update_link_title (ChatMessageRow *self)
{
  const char *title = self->message != NULL ? chat_message_get_link_title (self->message) : NULL;

  gtk_label_set_text (self->link_title_label, title != NULL ? title : "");
  gtk_widget_set_visible (GTK_WIDGET (self->link_title_label), title != NULL && title[0] != '\0');
}

static void
update_highlight (ChatMessageRow *self)
{
  if (self->message != NULL && chat_message_get_highlight (self->message))
    gtk_widget_add_css_class (GTK_WIDGET (self), "highlight");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "highlight");
}

static const char *const kind_classes[] = { "text", "action", "notice", "event", "error-row", "separator", "marker" };

static void
set_kind_class (ChatMessageRow *self, ChatMessageKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_classes); i++)
    if (i == (guint) kind)
      gtk_widget_add_css_class (GTK_WIDGET (self), kind_classes[i]);
    else
      gtk_widget_remove_css_class (GTK_WIDGET (self), kind_classes[i]);
}

void
chat_message_row_set_message (ChatMessageRow *self, ChatMessage *message)
{
  ChatMessageKind kind;
  const char *nick;

  if (!g_set_object (&self->message, message))
    return;
  g_signal_group_set_target (self->signals, message);
  if (self->nick_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->nick_label), self->nick_class);
  self->nick_class = NULL;
  if (message == NULL)
    return;

  kind = chat_message_get_kind (message);
  set_kind_class (self, kind);
  gtk_widget_set_visible (self->separator_box,
                          kind == CHAT_MESSAGE_DAY_SEPARATOR || kind == CHAT_MESSAGE_UNREAD_MARKER);
  gtk_widget_set_visible (self->message_box, !gtk_widget_get_visible (self->separator_box));
  if (kind == CHAT_MESSAGE_DAY_SEPARATOR || kind == CHAT_MESSAGE_UNREAD_MARKER)
    {
      gtk_label_set_text (self->separator_label, chat_message_get_text (message));
      return;
    }

  {
    g_autoptr (GDateTime) local = g_date_time_to_local (chat_message_get_time (message));
    g_autofree char *time = g_date_time_format (local, "%H:%M");
    g_autofree char *full = g_date_time_format (local, "%c");

    gtk_label_set_text (self->time_label, time);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->time_label), full);
  }

  nick = chat_message_get_nick (message);
  switch (kind)
    {
    case CHAT_MESSAGE_ACTION:
      {
        g_autofree char *star = g_strdup_printf ("* %s", nick != NULL ? nick : "");
        gtk_label_set_text (self->nick_label, star);
      }
      break;
    case CHAT_MESSAGE_NOTICE:
      {
        g_autofree char *dashes = g_strdup_printf ("-%s-", nick != NULL ? nick : "");
        gtk_label_set_text (self->nick_label, dashes);
      }
      break;
    case CHAT_MESSAGE_EVENT:
      gtk_label_set_text (self->nick_label, "→");
      break;
    case CHAT_MESSAGE_ERROR:
      gtk_label_set_text (self->nick_label, "!");
      break;
    default:
      gtk_label_set_text (self->nick_label, nick != NULL ? nick : "");
      break;
    }
  if (nick != NULL && (kind == CHAT_MESSAGE_TEXT || kind == CHAT_MESSAGE_ACTION || kind == CHAT_MESSAGE_NOTICE))
    {
      self->nick_class = chat_format_nick_class (nick);
      gtk_widget_add_css_class (GTK_WIDGET (self->nick_label), self->nick_class);
    }

  /* Plain text plus attributes: network text is never parsed as markup. */
  gtk_label_set_text (self->text_label, chat_message_get_text (message));
  gtk_label_set_attributes (self->text_label, chat_message_get_attributes (message));
  update_state (self);
  update_link_title (self);
  update_highlight (self);
}

ChatMessage *
chat_message_row_get_message (ChatMessageRow *self)
{
  return self->message;
}

GtkLabel *
chat_message_row_get_text_label (ChatMessageRow *self)
{
  return self->text_label;
}

GtkWidget *
chat_message_row_new (void)
{
  return g_object_new (CHAT_TYPE_MESSAGE_ROW, NULL);
}

static const char *
link_at (ChatMessageRow *self, double x, double y)
{
  PangoLayout *layout;
  int offset_x, offset_y, index, trailing;

  if (self->message == NULL || chat_message_get_links (self->message) == NULL)
    return NULL;
  layout = gtk_label_get_layout (self->text_label);
  gtk_label_get_layout_offsets (self->text_label, &offset_x, &offset_y);
  if (!pango_layout_xy_to_index (layout, (int) ((x - offset_x) * PANGO_SCALE), (int) ((y - offset_y) * PANGO_SCALE),
                                 &index, &trailing))
    return NULL;
  return chat_message_get_link_at (self->message, index);
}

static void
show_uri (GtkWindow *parent, const char *uri, gpointer data)
{
  gtk_show_uri (parent, uri, GDK_CURRENT_TIME);
}

static ChatUriOpener uri_opener = show_uri;
static gpointer uri_opener_data;

void
chat_message_row_set_uri_opener (ChatUriOpener opener, gpointer data)
{
  uri_opener = opener != NULL ? opener : show_uri;
  uri_opener_data = opener != NULL ? data : NULL;
}

gboolean
chat_message_row_click_text (ChatMessageRow *self, double x, double y)
{
  const char *url = link_at (self, x, y);
  GtkRoot *root;

  if (url == NULL)
    return FALSE;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  uri_opener (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, url, uri_opener_data);
  return TRUE;
}

static void
text_clicked (GtkGestureClick *gesture, int n_press, double x, double y, ChatMessageRow *self)
{
  if (chat_message_row_click_text (self, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
text_motion (GtkEventControllerMotion *motion, double x, double y, ChatMessageRow *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->text_label), link_at (self, x, y) != NULL ? "pointer" : NULL);
}

static void
retry_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ChatMessageRow *self = CHAT_MESSAGE_ROW (widget);

  if (self->message != NULL)
    chat_message_retry (self->message);
}

static void
chat_message_row_dispose (GObject *object)
{
  ChatMessageRow *self = CHAT_MESSAGE_ROW (object);

  g_signal_group_set_target (self->signals, NULL);
  g_clear_object (&self->message);
  gtk_widget_dispose_template (GTK_WIDGET (self), CHAT_TYPE_MESSAGE_ROW);
  G_OBJECT_CLASS (chat_message_row_parent_class)->dispose (object);
}

static void
chat_message_row_finalize (GObject *object)
{
  g_clear_object (&CHAT_MESSAGE_ROW (object)->signals);
  G_OBJECT_CLASS (chat_message_row_parent_class)->finalize (object);
}

static void
chat_message_row_class_init (ChatMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chat_message_row_dispose;
  object_class->finalize = chat_message_row_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Chat/chat-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, separator_box);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, separator_label);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, message_box);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, nick_label);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, text_label);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, link_title_label);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, failed_box);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, failed_label);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, state_image);
  gtk_widget_class_install_action (widget_class, "message.retry", NULL, retry_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatmessagerow");
}

static void
chat_message_row_init (ChatMessageRow *self)
{
  GtkGesture *click;
  GtkEventController *motion;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->signals = g_signal_group_new (CHAT_TYPE_MESSAGE);
  g_signal_group_connect_swapped (self->signals, "notify::state", G_CALLBACK (update_state), self);
  g_signal_group_connect_swapped (self->signals, "notify::error", G_CALLBACK (update_state), self);
  g_signal_group_connect_swapped (self->signals, "notify::link-title", G_CALLBACK (update_link_title), self);
  g_signal_group_connect_swapped (self->signals, "notify::highlight", G_CALLBACK (update_highlight), self);

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "released", G_CALLBACK (text_clicked), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_label), GTK_EVENT_CONTROLLER (click));
  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (text_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_label), motion);
}
