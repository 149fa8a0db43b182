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
} CachedSize;

struct _ChatMessageRow {
  GtkWidget parent_instance;

  CachedSize sizes[2][N_CACHED_SIZES];
  guint n_sizes[2];
  guint next_size[2];

  ChatMessage *message;
  gulong notify_id; /* on message */
  const char *nick_class;
  guint kind_class; /* index into kind_classes, G_N_ELEMENTS when none */

  GtkLabel *time_label;
  GtkLabel *nick_label;
  GtkWidget *content_box;
  ChatMessageBody *text;
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
  gtk_widget_insert_before (box, GTK_WIDGET (self), GTK_WIDGET (self->time_label));
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
  gtk_box_insert_child_after (GTK_BOX (self->content_box), label, GTK_WIDGET (self->text));
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
  gtk_widget_set_parent (image, GTK_WIDGET (self));
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

/* A row is bound to a new message many times a second in a busy channel:
 * its style classes change only where the message's differ, since every
 * change makes GTK compute its style again. */
static void
set_kind_class (ChatMessageRow *self, ChatMessageKind kind)
{
  if (self->kind_class == (guint) kind)
    return;
  if (self->kind_class < G_N_ELEMENTS (kind_classes))
    gtk_widget_remove_css_class (GTK_WIDGET (self), kind_classes[self->kind_class]);
  self->kind_class = (guint) kind < G_N_ELEMENTS (kind_classes) ? (guint) kind : G_N_ELEMENTS (kind_classes);
  if (self->kind_class < G_N_ELEMENTS (kind_classes))
    gtk_widget_add_css_class (GTK_WIDGET (self), kind_classes[self->kind_class]);
}

/* @nick_class is one of chat_format_nick_class()'s, or NULL. */
static void
set_nick_class (ChatMessageRow *self, const char *nick_class)
{
  if (self->nick_class == nick_class)
    return;
  if (self->nick_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->nick_label), self->nick_class);
  self->nick_class = nick_class;
  if (nick_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->nick_label), nick_class);
}

static void
message_notify (ChatMessage *message, GParamSpec *pspec, ChatMessageRow *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "state") || g_str_equal (name, "error"))
    update_state (self);
  else if (g_str_equal (name, "link-title"))
    update_link_title (self);
  else if (g_str_equal (name, "highlight"))
    update_highlight (self);
}

/* A day separator or the unread marker shows in place of the message's
 * parts; the state icon keeps its own visibility for when they return. */
static void
show_message_parts (ChatMessageRow *self, gboolean shown)
{
  gtk_widget_set_child_visible (GTK_WIDGET (self->time_label), shown);
  gtk_widget_set_child_visible (GTK_WIDGET (self->nick_label), shown);
  gtk_widget_set_child_visible (self->content_box, shown);
  if (self->state_image != NULL)
    gtk_widget_set_child_visible (GTK_WIDGET (self->state_image), shown);
}

void
chat_message_row_set_message (ChatMessageRow *self, ChatMessage *message)
{
  ChatMessageKind kind;
  const char *nick;

  if (self->message == message)
    return;
  if (self->message != NULL)
    g_clear_signal_handler (&self->notify_id, self->message);
  g_set_object (&self->message, message);
  sizes_changed (self);
  if (message == NULL)
    {
      set_nick_class (self, NULL);
      return;
    }
  /* One handler for the few changes a message has after it arrives. */
  self->notify_id = g_signal_connect (message, "notify", G_CALLBACK (message_notify), self);

  kind = chat_message_get_kind (message);
  set_kind_class (self, kind);
  if (kind == CHAT_MESSAGE_DAY_SEPARATOR || kind == CHAT_MESSAGE_UNREAD_MARKER)
    {
      gtk_widget_set_visible (ensure_separator (self), TRUE);
      show_message_parts (self, FALSE);
      set_nick_class (self, NULL);
      gtk_label_set_text (self->separator_label, chat_message_get_text (message));
      return;
    }
  if (self->separator_box != NULL)
    gtk_widget_set_visible (self->separator_box, FALSE);
  show_message_parts (self, TRUE);

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
  set_nick_class (self, nick != NULL && (kind == CHAT_MESSAGE_TEXT || kind == CHAT_MESSAGE_ACTION ||
                                         kind == CHAT_MESSAGE_NOTICE)
                            ? chat_format_nick_class (nick)
                            : NULL);

  /* Plain text plus attributes: network text is never parsed as markup. */
  chat_message_body_set_text (self->text, chat_message_get_text (message), chat_message_get_attributes (message));
  update_state (self);
  update_link_title (self);
  update_highlight (self);
}

ChatMessage *
chat_message_row_get_message (ChatMessageRow *self)
{
  return self->message;
}

ChatMessageBody *
chat_message_row_get_body (ChatMessageRow *self)
{
  return self->text;
}

GtkWidget *
chat_message_row_new (void)
{
  return g_object_new (CHAT_TYPE_MESSAGE_ROW, NULL);
}

static const char *
link_at (ChatMessageRow *self, double x, double y)
{
  int index;

  if (self->message == NULL || chat_message_get_links (self->message) == NULL)
    return NULL;
  index = chat_message_body_index_at (self->text, x, y);
  return index >= 0 ? chat_message_get_link_at (self->message, index) : NULL;
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
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->text), link_at (self, x, y) != NULL ? "pointer" : NULL);
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

  if (self->message != NULL)
    g_clear_signal_handler (&self->notify_id, self->message);
  g_clear_object (&self->message);
  if (self->separator_box != NULL)
    gtk_widget_unparent (self->separator_box);
  self->separator_box = NULL;
  if (self->state_image != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->state_image));
  self->state_image = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), CHAT_TYPE_MESSAGE_ROW);
  G_OBJECT_CLASS (chat_message_row_parent_class)->dispose (object);
}

/* The space between the time, the nick, the content and the state icon. */
#define COLUMN_SPACING 8

typedef struct {
  GtkWidget *widget;
  int minimum;
  int natural;
  int width;
} Column;

/* The message's parts side by side in a row width wide (-1: their natural
 * widths): the time and the state icon at their natural widths, the nick
 * between its minimum and natural ones, the content the rest. Returns how
 * many columns there are; a hidden part (the state icon, mostly) has none.
 *
 * The row does this itself rather than through a GtkBox: a box measures
 * each child's width for the height it allocates, and a vertical box of
 * wrapped text (the content) answers that by laying its text out at width
 * after width until it fits. */
static guint
layout_columns (ChatMessageRow *self, int width, Column columns[4])
{
  GtkWidget *parts[4] = { GTK_WIDGET (self->time_label), GTK_WIDGET (self->nick_label), self->content_box,
                          self->state_image != NULL ? GTK_WIDGET (self->state_image) : NULL };
  int fixed = 0, nick = -1, content = -1;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      Column *column;

      if (parts[i] == NULL || !gtk_widget_should_layout (parts[i]))
        continue;
      column = &columns[n];
      column->widget = parts[i];
      gtk_widget_measure (parts[i], GTK_ORIENTATION_HORIZONTAL, -1, &column->minimum, &column->natural, NULL, NULL);
      column->width = column->natural;
      if (parts[i] == GTK_WIDGET (self->nick_label))
        nick = (int) n;
      else if (parts[i] == self->content_box)
        content = (int) n;
      else
        fixed += column->natural;
      fixed += n > 0 ? COLUMN_SPACING : 0;
      n++;
    }
  if (width < 0 || content < 0 || nick < 0)
    return n;

  /* The nick gives way first, down to its minimum; the content takes
   * what is left, at least its minimum. */
  columns[nick].width = CLAMP (width - fixed - columns[content].minimum, columns[nick].minimum, columns[nick].natural);
  columns[content].width = MAX (width - fixed - columns[nick].width, columns[content].minimum);
  return n;
}

/* A list view measures each row it keeps for several widths in every
 * frame that changes the list (its own width, the window's minimum and
 * natural sizes), more of them than GTK's own cache of a widget's sizes
 * holds: a row that remembered nothing would lay out its wrapped text
 * (Pango shaping) again for each of a few hundred rows in every frame of
 * a busy channel. The row remembers more sizes, until what it shows
 * changes (sizes_changed()) or its style does. */
static void
measure_uncached (ChatMessageRow *self, GtkOrientation orientation, int for_size, int *minimum, int *natural)
{
  Column columns[4];
  guint n;

  *minimum = *natural = 0;
  if (self->separator_box != NULL && gtk_widget_should_layout (self->separator_box))
    {
      gtk_widget_measure (self->separator_box, orientation, for_size, minimum, natural, NULL, NULL);
      return;
    }
  n = layout_columns (self, for_size, columns);
  for (guint i = 0; i < n; i++)
    {
      int child_min, child_nat;

      if (orientation == GTK_ORIENTATION_HORIZONTAL)
        {
          *minimum += columns[i].minimum + (i > 0 ? COLUMN_SPACING : 0);
          *natural += columns[i].natural + (i > 0 ? COLUMN_SPACING : 0);
          continue;
        }
      gtk_widget_measure (columns[i].widget, orientation, columns[i].width, &child_min, &child_nat, NULL, NULL);
      *minimum = MAX (*minimum, child_min);
      *natural = MAX (*natural, child_nat);
    }
}

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

  /* The row's height depends on its width, not the other way round: its
   * width is the same for any height. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    for_size = -1;
  *minimum_baseline = *natural_baseline = -1;
  for (guint i = 0; i < self->n_sizes[orientation]; i++)
    if (sizes[i].for_size == for_size)
      {
        *minimum = sizes[i].minimum;
        *natural = sizes[i].natural;
        return;
      }

  /* The height at no particular width, which a scrolled window asks of
   * its list in every frame: at the width the row has, when it has one
   * (the list view reuses rows, which keep the list's width), rather than
   * laying the text out at a width the row is never given. That depends
   * on the allocation, so it is not remembered. */
  if (orientation == GTK_ORIENTATION_VERTICAL && for_size < 0 && gtk_widget_get_width (widget) > 0)
    {
      measure_uncached (self, orientation, gtk_widget_get_width (widget), minimum, natural);
      return;
    }
  measure_uncached (self, orientation, for_size, minimum, natural);
  if (self->n_sizes[orientation] < N_CACHED_SIZES)
    entry = &sizes[self->n_sizes[orientation]++];
  else
    {
      entry = &sizes[self->next_size[orientation]];
      self->next_size[orientation] = (self->next_size[orientation] + 1) % N_CACHED_SIZES;
    }
  *entry = (CachedSize){ for_size, *minimum, *natural };
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
  ChatMessageRow *self = CHAT_MESSAGE_ROW (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  Column columns[4];
  guint n;
  int x = 0;

  if (self->separator_box != NULL && gtk_widget_should_layout (self->separator_box))
    {
      gtk_widget_allocate (self->separator_box, width, height, -1, NULL);
      return;
    }
  n = layout_columns (self, width, columns);
  for (guint i = 0; i < n; i++)
    {
      int left = rtl ? width - x - columns[i].width : x;

      gtk_widget_allocate (columns[i].widget, columns[i].width, height, -1,
                           gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (left, 0)));
      x += columns[i].width + COLUMN_SPACING;
    }
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
  g_type_ensure (CHAT_TYPE_MESSAGE_BODY);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Chat/chat-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, nick_label);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, content_box);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageRow, text);
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
  self->kind_class = G_N_ELEMENTS (kind_classes);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self->time_label), TRUE);
  g_signal_connect (self->time_label, "query-tooltip", G_CALLBACK (time_tooltip), self);

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "released", G_CALLBACK (text_clicked), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text), GTK_EVENT_CONTROLLER (click));
  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (text_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text), motion);
}
