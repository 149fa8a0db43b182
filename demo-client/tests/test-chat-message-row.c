/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The message row's own layout and its text widget, as widgets alone: the
 * sizes they report, where the row places its parts, and what the text
 * widget draws and hits. The driven client (test-chat-ui) checks the rows
 * in the running message view. */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "chat-format.h"
#include "chat-message-body.h"
#include "chat-message-row.h"

#define LONG_REPEATS 30

/* Runs the main loop until cond holds, failing after ten seconds. */
#define WAIT_UNTIL(cond)                                              \
  G_STMT_START                                                        \
  {                                                                   \
    gint64 deadline_ = g_get_monotonic_time () + 10 * G_USEC_PER_SEC; \
    while (!(cond))                                                   \
      {                                                               \
        g_assert_cmpint (g_get_monotonic_time (), <, deadline_);      \
        g_main_context_iteration (NULL, TRUE);                        \
      }                                                               \
  }                                                                   \
  G_STMT_END

static char *
long_text (void)
{
  GString *text = g_string_new ("start");

  for (guint i = 0; i < LONG_REPEATS; i++)
    g_string_append (text, " several wrapped words");
  return g_string_free (text, FALSE);
}

static int
height_for_width (GtkWidget *widget, int width, int *natural)
{
  int minimum;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &minimum, natural, NULL, NULL);
  return minimum;
}

/* The widget, shown alone in a window width pixels wide, once it has been
 * laid out. */
static GtkWindow *
show_in_window (GtkWidget *widget, int width)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, 400);
  gtk_widget_set_valign (widget, GTK_ALIGN_START);
  gtk_window_set_child (window, widget);
  gtk_window_present (window);
  WAIT_UNTIL (gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0);
  return window;
}

/* Its widths come from the font (ten and eighty characters), its height
 * from the text wrapped at the width asked for, and the height at no
 * width is the most any width needs, as GTK requires. */
static void
test_body_sizes (void)
{
  GtkWidget *body = g_object_ref_sink (chat_message_body_new ());
  g_autofree char *text = long_text ();
  int minimum, natural, line, wide, narrow, at_minimum, unconstrained;

  chat_message_body_set_text (CHAT_MESSAGE_BODY (body), "one line", NULL);
  gtk_widget_measure (body, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, >, 0);
  g_assert_cmpint (natural, ==, minimum * 8);
  line = height_for_width (body, 400, NULL);
  g_assert_cmpint (line, >, 0);

  chat_message_body_set_text (CHAT_MESSAGE_BODY (body), text, NULL);
  wide = height_for_width (body, 100000, NULL);
  narrow = height_for_width (body, 300, NULL);
  at_minimum = height_for_width (body, minimum, NULL);
  g_assert_cmpint (wide, ==, line);
  g_assert_cmpint (narrow, >=, 3 * line);
  g_assert_cmpint (at_minimum, >, narrow);
  unconstrained = height_for_width (body, -1, NULL);
  g_assert_cmpint (unconstrained, ==, at_minimum);
  for (int width = minimum; width < 4000; width += 97)
    g_assert_cmpint (height_for_width (body, width, NULL), <=, unconstrained);

  /* The height follows the text: back to one line. */
  chat_message_body_set_text (CHAT_MESSAGE_BODY (body), "one line", NULL);
  g_assert_cmpint (height_for_width (body, 300, NULL), ==, line);
  g_object_unref (body);
}

/* Network text is text: tags stay as typed, NULL is empty. The layout
 * drawn is the one at the widget's width, and a point on a word hits
 * that word's bytes. */
static void
test_body_text (void)
{
  GtkWidget *body = chat_message_body_new ();
  GtkWindow *window;
  PangoRectangle rect;
  const char *text = "<b>bold?</b> &amp; plain";
  const char *plain;
  int index;

  chat_message_body_set_text (CHAT_MESSAGE_BODY (body), NULL, NULL);
  g_assert_cmpstr (chat_message_body_get_text (CHAT_MESSAGE_BODY (body)), ==, "");
  chat_message_body_set_text (CHAT_MESSAGE_BODY (body), text, NULL);
  window = show_in_window (body, 500);
  g_assert_cmpstr (chat_message_body_get_text (CHAT_MESSAGE_BODY (body)), ==, text);
  g_assert_cmpstr (pango_layout_get_text (chat_message_body_get_layout (CHAT_MESSAGE_BODY (body))), ==, text);
  g_assert_cmpint (pango_layout_get_width (chat_message_body_get_layout (CHAT_MESSAGE_BODY (body))), ==,
                   gtk_widget_get_width (body) * PANGO_SCALE);

  plain = strstr (text, "plain");
  pango_layout_index_to_pos (chat_message_body_get_layout (CHAT_MESSAGE_BODY (body)), plain - text + 2, &rect);
  index = chat_message_body_index_at (CHAT_MESSAGE_BODY (body), PANGO_PIXELS (rect.x) + 1,
                                      PANGO_PIXELS (rect.y) + PANGO_PIXELS (rect.height) / 2);
  g_assert_cmpint (index, ==, plain - text + 2);
  /* Below the last line there is no text. */
  g_assert_cmpint (chat_message_body_index_at (CHAT_MESSAGE_BODY (body), 1, gtk_widget_get_height (body) + 50), ==, -1);
  gtk_window_destroy (window);
}

typedef struct {
  GtkWidget *time;
  GtkWidget *nick;
  GtkWidget *body;
} RowParts;

static RowParts
row_parts (GtkWidget *row)
{
  RowParts parts = { NULL };

  parts.body = GTK_WIDGET (chat_message_row_get_body (CHAT_MESSAGE_ROW (row)));
  for (GtkWidget *child = gtk_widget_get_first_child (row); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_has_css_class (child, "timestamp"))
      parts.time = child;
    else if (gtk_widget_has_css_class (child, "nick"))
      parts.nick = child;
  g_assert_nonnull (parts.time);
  g_assert_nonnull (parts.nick);
  return parts;
}

static double
left_in (GtkWidget *widget, GtkWidget *row)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, row, &bounds));
  return bounds.origin.x;
}

static double
right_in (GtkWidget *widget, GtkWidget *row)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, row, &bounds));
  return bounds.origin.x + bounds.size.width;
}

/* Time, nick and text side by side, the text taking the rest of the row
 * and wrapping in it; mirrored right to left. */
static void
test_row_layout (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *text = long_text ();
  g_autoptr (ChatMessage) message = chat_message_new (CHAT_MESSAGE_TEXT, now, "grace", text);
  GtkWidget *row = chat_message_row_new ();
  GtkWindow *window;
  RowParts parts;
  int width, one_line;

  chat_message_row_set_message (CHAT_MESSAGE_ROW (row), message);
  window = show_in_window (row, 600);
  parts = row_parts (row);
  width = gtk_widget_get_width (row);
  g_assert_cmpfloat (left_in (parts.time, row), ==, 0);
  g_assert_cmpfloat (right_in (parts.time, row), <, left_in (parts.nick, row));
  g_assert_cmpfloat (right_in (parts.nick, row), <, left_in (parts.body, row));
  g_assert_cmpfloat (right_in (parts.body, row), ==, width);
  g_assert_cmpint (gtk_widget_get_width (parts.body), ==, width - (int) left_in (parts.body, row));
  one_line = height_for_width (parts.body, 100000, NULL);
  g_assert_cmpint (gtk_widget_get_height (row), >=, 3 * one_line);
  g_assert_cmpint (gtk_widget_get_height (row), ==,
                   height_for_width (parts.body, gtk_widget_get_width (parts.body), NULL));

  /* Its width is the same whatever height it is asked for. */
  {
    int min_any, nat_any, min_tall, nat_tall;

    gtk_widget_measure (row, GTK_ORIENTATION_HORIZONTAL, -1, &min_any, &nat_any, NULL, NULL);
    gtk_widget_measure (row, GTK_ORIENTATION_HORIZONTAL, 5, &min_tall, &nat_tall, NULL, NULL);
    g_assert_cmpint (min_any, ==, min_tall);
    g_assert_cmpint (nat_any, ==, nat_tall);
  }

  gtk_widget_set_direction (row, GTK_TEXT_DIR_RTL);
  WAIT_UNTIL (right_in (parts.time, row) == gtk_widget_get_width (row));
  g_assert_cmpfloat (left_in (parts.time, row), >, right_in (parts.nick, row));
  g_assert_cmpfloat (left_in (parts.nick, row), >, right_in (parts.body, row));
  g_assert_cmpfloat (left_in (parts.body, row), ==, 0);

  /* A narrower window wraps the text into more lines. */
  gtk_widget_set_direction (row, GTK_TEXT_DIR_LTR);
  {
    int before = gtk_widget_get_height (row);

    gtk_window_set_default_size (window, width - 200, 400);
    WAIT_UNTIL (gtk_widget_get_width (row) < width && gtk_widget_get_height (row) > before);
    g_assert_cmpfloat (left_in (parts.time, row), ==, 0);
    g_assert_cmpfloat (right_in (parts.body, row), ==, gtk_widget_get_width (row));
  }
  gtk_window_destroy (window);
}

/* A day separator replaces the message's parts, and a message after it
 * brings them back. */
static void
test_row_separator (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (ChatMessage) day = chat_message_new_day_separator (now);
  g_autoptr (ChatMessage) message = chat_message_new (CHAT_MESSAGE_TEXT, now, "ada", "hello");
  GtkWidget *row = chat_message_row_new ();
  GtkWindow *window;
  RowParts parts;

  chat_message_row_set_message (CHAT_MESSAGE_ROW (row), message);
  window = show_in_window (row, 500);
  parts = row_parts (row);
  g_assert_true (gtk_widget_get_child_visible (parts.time));

  chat_message_row_set_message (CHAT_MESSAGE_ROW (row), day);
  WAIT_UNTIL (!gtk_widget_get_mapped (parts.body));
  g_assert_false (gtk_widget_get_mapped (parts.time));
  g_assert_false (gtk_widget_get_mapped (parts.nick));
  {
    GtkWidget *separator = gtk_widget_get_first_child (row);

    g_assert_true (gtk_widget_has_css_class (separator, "day-separator"));
    g_assert_true (gtk_widget_get_mapped (separator));
  }

  chat_message_row_set_message (CHAT_MESSAGE_ROW (row), message);
  WAIT_UNTIL (gtk_widget_get_mapped (parts.body));
  g_assert_true (gtk_widget_get_mapped (parts.time));
  g_assert_false (gtk_widget_get_mapped (gtk_widget_get_first_child (row)));
  gtk_window_destroy (window);
}

/* The list view binds one row to message after message: the row then shows
 * only the last one's kind, nick colour and state, and follows changes of
 * that message alone. */
static void
test_row_rebind (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (ChatMessage) first = chat_message_new (CHAT_MESSAGE_TEXT, now, "ada", "hello");
  g_autoptr (ChatMessage) second = chat_message_new (CHAT_MESSAGE_ACTION, now, "grace", "waves");
  g_autoptr (ChatMessage) third = chat_message_new (CHAT_MESSAGE_TEXT, now, "ada", "again");
  GtkWidget *row = chat_message_row_new ();
  const char *ada = chat_format_nick_class ("ada");
  const char *grace = chat_format_nick_class ("grace");
  RowParts parts;

  g_assert_true (ada != grace); /* the test needs two colours */
  g_object_ref_sink (row);
  parts = row_parts (row);

  chat_message_row_set_message (CHAT_MESSAGE_ROW (row), first);
  g_assert_true (gtk_widget_has_css_class (row, "text"));
  g_assert_true (gtk_widget_has_css_class (parts.nick, ada));

  chat_message_row_set_message (CHAT_MESSAGE_ROW (row), second);
  g_assert_true (gtk_widget_has_css_class (row, "action"));
  g_assert_false (gtk_widget_has_css_class (row, "text"));
  g_assert_true (gtk_widget_has_css_class (parts.nick, grace));
  g_assert_false (gtk_widget_has_css_class (parts.nick, ada));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (parts.nick)), ==, "* grace");

  /* A change of the message it showed before leaves the row alone. */
  chat_message_set_state (first, CHAT_MESSAGE_STATE_PENDING);
  chat_message_set_highlight (first, TRUE);
  g_assert_false (gtk_widget_has_css_class (row, "pending"));
  g_assert_false (gtk_widget_has_css_class (row, "highlight"));
  /* One of the message it shows does not. */
  chat_message_set_state (second, CHAT_MESSAGE_STATE_PENDING);
  chat_message_set_highlight (second, TRUE);
  g_assert_true (gtk_widget_has_css_class (row, "pending"));
  g_assert_true (gtk_widget_has_css_class (row, "highlight"));

  chat_message_row_set_message (CHAT_MESSAGE_ROW (row), third);
  g_assert_true (gtk_widget_has_css_class (row, "text"));
  g_assert_false (gtk_widget_has_css_class (row, "action"));
  g_assert_false (gtk_widget_has_css_class (row, "pending"));
  g_assert_false (gtk_widget_has_css_class (row, "highlight"));
  g_assert_true (gtk_widget_has_css_class (parts.nick, ada));
  g_assert_false (gtk_widget_has_css_class (parts.nick, grace));

  chat_message_row_set_message (CHAT_MESSAGE_ROW (row), NULL);
  g_assert_false (gtk_widget_has_css_class (parts.nick, ada));
  chat_message_set_state (third, CHAT_MESSAGE_STATE_PENDING);
  g_assert_false (gtk_widget_has_css_class (row, "pending"));
  g_object_unref (row);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();
  g_test_add_func ("/chat-message-row/body-sizes", test_body_sizes);
  g_test_add_func ("/chat-message-row/body-text", test_body_text);
  g_test_add_func ("/chat-message-row/layout", test_row_layout);
  g_test_add_func ("/chat-message-row/separator", test_row_separator);
  g_test_add_func ("/chat-message-row/rebind", test_row_rebind);
  return g_test_run ();
}
