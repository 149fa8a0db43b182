/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "chat-format.h"
#include "chat-message-row.h"

/* Sizes the row remembers per orientation, by the size they were asked
 * for: see chat_message_row_measure(). */
#define N_CACHED_SIZES 12

typedef struct {
  int for_size;
  int minimum;
  int natural;
  int minimum_baseline;
  int natural_baseline;
} CachedSize;

struct _ChatMessageRow {
  GtkWidget parent_instance;

  CachedSize sizes[2][N_CACHED_SIZES];
  guint n_sizes[2];
  guint next_size[2];

  ChatMessage *message;
  GSignalGroup *signals;
  const char *nick_class;

  GtkWidget *message_box;
  GtkLabel *time_label;
  GtkLabel *nick_label;
  GtkWidget *content_box;
  GtkLabel *text_label;
  /* Made the first time this row needs them (NULL until then). */
  GtkWidget *separator_box;
  GtkLabel *separator_label;
  GtkLabel *link_title_label;
  GtkWidget *failed_box;
  GtkLabel *failed_label;
  GtkImage *state_image;
};

G_DEFINE_FINAL_TYPE (ChatMessageRow, chat_message_row, GTK_TYPE_WIDGET)

/* Everything that changes what the row shows goes through here: the
 * sizes it remembered are forgotten, and GTK is told to measure again. */
static void
sizes_changed (ChatMessageRow *self)
{
  self->n_sizes[0] = self->n_sizes[1] = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static GtkWidget *
ensure_separator (ChatMessageRow *self)
{
  GtkWidget *box, *separator;

  if (self->separator_box != NULL)
    return self->separator_box;
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (box, "day-separator");
  for (guint i = 0; i < 3; i++)
    {
      if (i == 1)
        {
          self->separator_label = GTK_LABEL (gtk_label_new (NULL));
          gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->separator_label));
          continue;
        }
      separator = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
      gtk_widget_set_hexpand (separator, TRUE);
      gtk_widget_set_valign (separator, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), separator);
    }
  gtk_widget_set_visible (box, FALSE);
  gtk_widget_insert_before (box, GTK_WIDGET (self), self->message_box);
  self->separator_box = box;
  return box;
}

static GtkLabel *
ensure_link_title (ChatMessageRow *self)
{
  GtkWidget *label;

  if (self->link_title_label != NULL)
    return self->link_title_label;
  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_visible (label, FALSE);
  gtk_widget_add_css_class (label, "link-title");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_insert_child_after (GTK_BOX (self->content_box), label, GTK_WIDGET (self->text_label));
  self->link_title_label = GTK_LABEL (label);
  return self->link_title_label;
}

static void
ensure_state_widgets (ChatMessageRow *self)
{
  GtkWidget *box, *label, *button, *image;

  if (self->failed_box != NULL)
    return;
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_visible (box, FALSE);
  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);
  button = gtk_button_new_with_label (_ ("Retry"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "message.retry");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "caption");
  gtk_box_append (GTK_BOX (box), button);
  /* Below the text and the link title, wherever that comes. */
  gtk_box_append (GTK_BOX (self->content_box), box);
  self->failed_box = box;
  self->failed_label = GTK_LABEL (label);

  image = gtk_image_new ();
  gtk_widget_set_valign (image, GTK_ALIGN_START);
  gtk_widget_set_visible (image, FALSE);
  gtk_image_set_pixel_size (GTK_IMAGE (image), 12);
  gtk_box_append (GTK_BOX (self->message_box), image);
  self->state_image = GTK_IMAGE (image);
}

static void update_state_widgets (ChatMessageRow *self);

static void
update_state (ChatMessageRow *self)
{
  update_state_widgets (self);
  sizes_changed (self);
}

static void
update_state_widgets (ChatMessageRow *self)
{
  ChatMessageState state = self->message != NULL ? chat_message_get_state (self->message) : CHAT_MESSAGE_STATE_NONE;
  const char *error = self->message != NULL ? chat_message_get_error (self->message) : NULL;

  if (state == CHAT_MESSAGE_STATE_NONE || state == CHAT_MESSAGE_STATE_CONFIRMED)
    {
      /* The common case: nothing to show, nothing to make. */
      gtk_widget_remove_css_class (GTK_WIDGET (self), "pending");
      if (self->failed_box != NULL)
        {
          gtk_widget_set_visible (GTK_WIDGET (self->state_image), FALSE);
          gtk_widget_set_visible (self->failed_box, FALSE);
        }
      return;
    }
  ensure_state_widgets (self);
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

  if (self->link_title_label == NULL && (title == NULL || title[0] == '\0'))
    return;
  ensure_link_title (self);
  gtk_label_set_text (self->link_title_label, title != NULL ? title : "");
  gtk_widget_set_visible (GTK_WIDGET (self->link_title_label), title != NULL && title[0] != '\0');
  sizes_changed (self);
}

static void
update_highlight (ChatMessageRow *self)
{
  if (self->message != NULL && chat_message_get_highlight (self->message))
    gtk_widget_add_css_class (GTK_WIDGET (self), "highlight");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "highlight");
  sizes_changed (self);
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
  sizes_changed (self);
  g_signal_group_set_target (self->signals, message);
  if (self->nick_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->nick_label), self->nick_class);
  self->nick_class = NULL;
  if (message == NULL)
    return;

  kind = chat_message_get_kind (message);
  set_kind_class (self, kind);
  if (kind == CHAT_MESSAGE_DAY_SEPARATOR || kind == CHAT_MESSAGE_UNREAD_MARKER)
    {
      gtk_widget_set_visible (ensure_separator (self), TRUE);
      gtk_widget_set_visible (self->message_box, FALSE);
      gtk_label_set_text (self->separator_label, chat_message_get_text (message));
      return;
    }
  if (self->separator_box != NULL)
    gtk_widget_set_visible (self->separator_box, FALSE);
  gtk_widget_set_visible (self->message_box, TRUE);

  {
    char time[16];
    int hour, minute;

    /* The full date and time is the tooltip, made when it is asked for. */
    chat_message_local_clock (chat_message_get_time (message), &hour, &minute);
    g_snprintf (time, sizeof time, "%02d:%02d", hour, minute);
    gtk_label_set_text (self->time_label, time);
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

static gboolean
time_tooltip (GtkWidget *label, int x, int y, gboolean keyboard, GtkTooltip *tooltip, ChatMessageRow *self)
{
  g_autoptr (GDateTime) local = NULL;
  g_autofree char *full = NULL;

  if (self->message == NULL)
    return FALSE;
  local = chat_message_to_local (chat_message_get_time (self->message));
  full = g_date_time_format (local, "%c");
  gtk_tooltip_set_text (tooltip, full);
  return TRUE;
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
  if (self->separator_box != NULL)
    gtk_widget_unparent (self->separator_box);
  self->separator_box = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), CHAT_TYPE_MESSAGE_ROW);
  G_OBJECT_CLASS (chat_message_row_parent_class)->dispose (object);
}

static void
chat_message_row_finalize (GObject *object)
{
  g_clear_object (&CHAT_MESSAGE_ROW (object)->signals);
  G_OBJECT_CLASS (chat_message_row_parent_class)->finalize (object);
}

/* A list view measures each row it keeps for several widths in every
 * frame that changes the list (its own width, the window's minimum and
 * natural sizes, GtkBox's share of them), more of them than GTK's own
 * cache of a widget's sizes holds: a row that remembered nothing would
 * lay out its wrapped text (Pango shaping) again for each of a few
 * hundred rows in every frame of a busy channel. The row remembers more
 * sizes, until what it shows changes (sizes_changed()) or its style
 * does. Otherwise it lays out its one visible child over its whole area,
 * as GtkBinLayout does. */
static void
chat_message_row_measure (GtkWidget *widget,
                          GtkOrientation orientation,
                          int for_size,
                          int *minimum,
                          int *natural,
                          int *minimum_baseline,
                          int *natural_baseline)
{
  ChatMessageRow *self = CHAT_MESSAGE_ROW (widget);
  CachedSize *sizes = self->sizes[orientation];
  CachedSize *entry;

  for (guint i = 0; i < self->n_sizes[orientation]; i++)
    if (sizes[i].for_size == for_size)
      {
        *minimum = sizes[i].minimum;
        *natural = sizes[i].natural;
        *minimum_baseline = sizes[i].minimum_baseline;
        *natural_baseline = sizes[i].natural_baseline;
        return;
      }

  *minimum = *natural = 0;
  *minimum_baseline = *natural_baseline = -1;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min, child_nat, child_min_baseline, child_nat_baseline;

      if (!gtk_widget_should_layout (child))
        continue;
      gtk_widget_measure (child, orientation, for_size, &child_min, &child_nat, &child_min_baseline,
                          &child_nat_baseline);
      *minimum = MAX (*minimum, child_min);
      *natural = MAX (*natural, child_nat);
      if (child_min_baseline > -1)
        *minimum_baseline = MAX (*minimum_baseline, child_min_baseline);
      if (child_nat_baseline > -1)
        *natural_baseline = MAX (*natural_baseline, child_nat_baseline);
    }

  if (self->n_sizes[orientation] < N_CACHED_SIZES)
    entry = &sizes[self->n_sizes[orientation]++];
  else
    {
      entry = &sizes[self->next_size[orientation]];
      self->next_size[orientation] = (self->next_size[orientation] + 1) % N_CACHED_SIZES;
    }
  *entry = (CachedSize){ for_size, *minimum, *natural, *minimum_baseline, *natural_baseline };
}

/* Wrapped text: the height depends on the width. */
static GtkSizeRequestMode
chat_message_row_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
chat_message_row_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_should_layout (child))
      gtk_widget_allocate (child, width, height, baseline, NULL);
}

static void
chat_message_row_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  ChatMessageRow *self = CHAT_MESSAGE_ROW (widget);

  GTK_WIDGET_CLASS (chat_message_row_parent_class)->css_changed (widget, change);
  self->n_sizes[0] = self->n_sizes[1] = 0;
}

static void
chat_message_row_class_init (ChatMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chat_message_row_dispose;
  object_class->finalize = chat_message_row_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Chat/chat-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, message_box);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, nick_label);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, content_box);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, text_label);
  gtk_widget_class_install_action (widget_class, "message.retry", NULL, retry_activated);
  widget_class->get_request_mode = chat_message_row_get_request_mode;
  widget_class->measure = chat_message_row_measure;
  widget_class->size_allocate = chat_message_row_size_allocate;
  widget_class->css_changed = chat_message_row_css_changed;
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

  gtk_widget_set_has_tooltip (GTK_WIDGET (self->time_label), TRUE);
  g_signal_connect (self->time_label, "query-tooltip", G_CALLBACK (time_tooltip), self);

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "released", G_CALLBACK (text_clicked), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_label), GTK_EVENT_CONTROLLER (click));
  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (text_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_label), motion);
}
