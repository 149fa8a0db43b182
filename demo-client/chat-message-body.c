/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "chat-message-body.h"

/* The fewest and the most characters a line of text is wide (what
 * GtkLabel calls width-chars and max-width-chars). */
#define MIN_CHARS 10
#define NATURAL_CHARS 80

/* A wrapping GtkLabel (GTK 4.8) lays its text out for every size it is
 * asked: at its minimum width, which wraps the text at every few
 * characters (Pango shapes the rest of a line again at each break), at
 * its natural width, at the width it is measured for and at the width it
 * is allocated, several of them in a fresh copy of its layout. A busy
 * channel adds tens of rows a frame, and those layouts were most of what
 * a frame cost.
 *
 * This widget takes its widths from the font's metrics instead, without
 * laying out the text, and keeps one layout, laid out only for the widths
 * it is measured for, which are the widths it is then drawn at. */
struct _ChatMessageBody {
  GtkWidget parent_instance;

  char *text;
  PangoLayout *layout;
  /* The average character width in pixels, for the Pango context whose
   * serial is metrics_serial (0 when not computed). */
  int char_width;
  guint metrics_serial;
};

G_DEFINE_FINAL_TYPE (ChatMessageBody, chat_message_body, GTK_TYPE_WIDGET)

static PangoLayout *
ensure_layout (ChatMessageBody *self)
{
  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->text);
      pango_layout_set_wrap (self->layout, PANGO_WRAP_WORD_CHAR);
    }
  return self->layout;
}

/* The layout wrapped at width pixels (-1: not wrapped). Pango keeps its
 * lines until the width, the text or the context (font, resolution)
 * changes, so measuring and drawing at one width lays the text out once. */
static PangoLayout *
layout_at (ChatMessageBody *self, int width)
{
  PangoLayout *layout = ensure_layout (self);
  int pango_width = width < 0 ? -1 : width * PANGO_SCALE;

  if (pango_layout_get_width (layout) != pango_width)
    pango_layout_set_width (layout, pango_width);
  return layout;
}

static void
ensure_metrics (ChatMessageBody *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  PangoFontMetrics *metrics;

  if (self->char_width != 0 && self->metrics_serial == pango_context_get_serial (context))
    return;
  metrics = pango_context_get_metrics (context, NULL, NULL);
  self->char_width = PANGO_PIXELS_CEIL (MAX (pango_font_metrics_get_approximate_char_width (metrics),
                                             pango_font_metrics_get_approximate_digit_width (metrics)));
  self->char_width = MAX (self->char_width, 1);
  self->metrics_serial = pango_context_get_serial (context);
  pango_font_metrics_unref (metrics);
}

void
chat_message_body_set_text (ChatMessageBody *self, const char *text, PangoAttrList *attributes)
{
  g_return_if_fail (CHAT_IS_MESSAGE_BODY (self));

  if (text == NULL)
    text = "";
  if (g_strcmp0 (self->text, text) != 0)
    {
      g_free (self->text);
      self->text = g_strdup (text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->text, -1);
    }
  /* Setting the text always drops the layout's lines: the attributes
   * are set with it. */
  pango_layout_set_text (ensure_layout (self), self->text, -1);
  pango_layout_set_attributes (self->layout, attributes);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

const char *
chat_message_body_get_text (ChatMessageBody *self)
{
  g_return_val_if_fail (CHAT_IS_MESSAGE_BODY (self), NULL);
  return self->text != NULL ? self->text : "";
}

PangoLayout *
chat_message_body_get_layout (ChatMessageBody *self)
{
  g_return_val_if_fail (CHAT_IS_MESSAGE_BODY (self), NULL);
  return layout_at (self, gtk_widget_get_width (GTK_WIDGET (self)));
}

int
chat_message_body_index_at (ChatMessageBody *self, double x, double y)
{
  int index, trailing;

  g_return_val_if_fail (CHAT_IS_MESSAGE_BODY (self), -1);
  if (!pango_layout_xy_to_index (chat_message_body_get_layout (self), (int) (x * PANGO_SCALE), (int) (y * PANGO_SCALE),
                                 &index, &trailing))
    return -1;
  return index;
}

GtkWidget *
chat_message_body_new (void)
{
  return g_object_new (CHAT_TYPE_MESSAGE_BODY, NULL);
}

static void
chat_message_body_measure (GtkWidget *widget,
                           GtkOrientation orientation,
                           int for_size,
                           int *minimum,
                           int *natural,
                           int *minimum_baseline,
                           int *natural_baseline)
{
  ChatMessageBody *self = CHAT_MESSAGE_BODY (widget);

  ensure_metrics (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* Words longer than the minimum break between characters. */
      *minimum = MIN_CHARS * self->char_width;
      *natural = NATURAL_CHARS * self->char_width;
    }
  else if (for_size < 0)
    {
      /* GTK takes the height at no particular width as the most the text
       * can need: the height at the minimum width. Rows never ask for it
       * (they measure at the width they lay the text out at). */
      int height;

      pango_layout_get_pixel_size (layout_at (self, MIN_CHARS * self->char_width), NULL, &height);
      *minimum = *natural = height;
    }
  else
    {
      PangoLayout *layout = layout_at (self, for_size);
      int height;

      pango_layout_get_pixel_size (layout, NULL, &height);
      *minimum = *natural = height;
      *minimum_baseline = *natural_baseline = PANGO_PIXELS (pango_layout_get_baseline (layout));
    }
}

static GtkSizeRequestMode
chat_message_body_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
chat_message_body_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  ChatMessageBody *self = CHAT_MESSAGE_BODY (widget);
  GdkRGBA color;

  if (self->text == NULL || self->text[0] == '\0')
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  gtk_snapshot_append_layout (snapshot, layout_at (self, gtk_widget_get_width (widget)), &color);
}

static void
chat_message_body_finalize (GObject *object)
{
  ChatMessageBody *self = CHAT_MESSAGE_BODY (object);

  g_clear_object (&self->layout);
  g_free (self->text);
  G_OBJECT_CLASS (chat_message_body_parent_class)->finalize (object);
}

static void
chat_message_body_class_init (ChatMessageBodyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = chat_message_body_finalize;
  widget_class->measure = chat_message_body_measure;
  widget_class->get_request_mode = chat_message_body_get_request_mode;
  widget_class->snapshot = chat_message_body_snapshot;
  gtk_widget_class_set_css_name (widget_class, "messagebody");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
chat_message_body_init (ChatMessageBody *self)
{
}
