/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The real weft-chat UI and the desktop: notifications, opening links, the
 * member list's ranks. */
#include "config.h"

#include "chat-member-list.h"
#include "chat-test-util.h"

/* A notification service in this process (the session bus of the tests
 * has none): it records what it is asked to show. */
static const char notifications_xml[] =
    "<node><interface name='org.freedesktop.Notifications'>"
    "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
    "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
    "<arg type='u' direction='out'/></method>"
    "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
    "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
    "<method name='GetServerInformation'><arg type='s' direction='out'/><arg type='s' direction='out'/>"
    "<arg type='s' direction='out'/><arg type='s' direction='out'/></method>"
    "</interface></node>";

typedef struct {
  GPtrArray *shown; /* "summary|body" */
  int owned;
} FakeNotifications;

static void
notifications_call (GDBusConnection *bus,
                    const char *sender,
                    const char *path,
                    const char *interface,
                    const char *method,
                    GVariant *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer data)
{
  FakeNotifications *fake = data;

  if (g_strcmp0 (method, "Notify") == 0)
    {
      const char *summary, *body;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (fake->shown, g_strdup_printf ("%s|%s", summary, body));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", fake->shown->len));
    }
  else if (g_strcmp0 (method, "GetCapabilities") == 0)
    {
      const char *caps[] = { "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_strcmp0 (method, "GetServerInformation") == 0)
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "fake", "Weft", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
notifications_acquired (GDBusConnection *bus, const char *name, gpointer data)
{
  ((FakeNotifications *) data)->owned = 1;
}

static void
notifications_lost (GDBusConnection *bus, const char *name, gpointer data)
{
  ((FakeNotifications *) data)->owned = -1;
}

static gboolean
service_seen (ChatTest *t, gconstpointer data)
{
  const FakeNotifications *fake = data;

  return fake->owned != 0 && chat_application_can_notify (t->app);
}

typedef struct {
  FakeNotifications *fake;
  guint n;
} Shown;

static gboolean
shown_count (ChatTest *t, gconstpointer data)
{
  const Shown *shown = data;

  return shown->fake->shown->len >= shown->n;
}

static void
count_sent (ChatApplication *app, const char *id, GNotification *notification, guint *n)
{
  (*n)++;
}

typedef struct {
  const char *room;
  const char *text;
} Arrival;

static gboolean
arrived (ChatTest *t, gconstpointer data)
{
  const Arrival *a = data;
  ChatRoom *room = chat_test_room (t, a->room);

  return room != NULL && chat_test_find_message (room, a->text, NULL) != NULL;
}

static void
receive (ChatTest *t, const char *target, const char *room, const char *text)
{
  g_autoptr (WeftIrcOutgoing) outgoing = weft_irc_client_send_privmsg (t->observer, target, text);
  Arrival a = { room, text };

  chat_test_wait (t, arrived, &a, text);
}

/* A mention while the window is not focused is notified once; with the
 * window focused, or without a mention, nothing is; a private message is.
 * The notification reaches the session bus's notification service. */
static void
run_notifications (ChatTest *t)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr (GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  const GDBusInterfaceVTable vtable = { notifications_call, NULL, NULL };
  FakeNotifications fake = { g_ptr_array_new_with_free_func (g_free), 0 };
  guint registration, owner;
  guint sent = 0;

  g_assert_nonnull (bus);
  registration = g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", node->interfaces[0], &vtable,
                                                    &fake, NULL, NULL);
  g_assert_cmpuint (registration, >, 0);
  owner = g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_REPLACE,
                                        notifications_acquired, notifications_lost, &fake, NULL);
  chat_test_wait (t, service_seen, &fake, "the application to see the notification service");
  g_assert_cmpint (fake.owned, ==, 1);
  g_signal_connect (t->app, "notification-sent", G_CALLBACK (count_sent), &sent);

  chat_window_select_room (t->window, chat_test_room (t, "#random"));
  chat_application_override_focus (t->app, FALSE);
  receive (t, "#weft", "#weft", "tester: are you around?");
  g_assert_cmpuint (sent, ==, 1);
  chat_test_wait (t, shown_count, &(Shown){ &fake, 1 }, "the notification service to be asked");
  g_assert_cmpstr (fake.shown->pdata[0], ==, "observer in #weft|tester: are you around?");

  /* Not a mention: nothing. */
  receive (t, "#weft", "#weft", "just chatting");
  g_assert_cmpuint (sent, ==, 1);

  /* Focused: nothing. */
  chat_application_override_focus (t->app, TRUE);
  receive (t, "#weft", "#weft", "tester: now you see me");
  g_assert_cmpuint (sent, ==, 1);

  /* A private message while away from the window. */
  chat_application_override_focus (t->app, FALSE);
  receive (t, "tester", "observer", "a private word");
  g_assert_cmpuint (sent, ==, 2);
  /* The service answers every call before it goes away. */
  chat_test_wait (t, shown_count, &(Shown){ &fake, 2 }, "the notification service to be asked again");
  g_assert_cmpuint (fake.shown->len, ==, 2);
  g_assert_cmpstr (fake.shown->pdata[1], ==, "observer (private message)|a private word");

  g_signal_handlers_disconnect_by_func (t->app, count_sent, &sent);
  chat_application_override_focus (t->app, -1);
  g_bus_unown_name (owner);
  g_dbus_connection_unregister_object (bus, registration);
  g_ptr_array_unref (fake.shown);
}

typedef struct {
  GPtrArray *uris;
} Opened;

static void
open_uri (GtkWindow *parent, const char *uri, gpointer data)
{
  Opened *opened = data;

  g_assert_true (GTK_IS_WINDOW (parent));
  g_ptr_array_add (opened->uris, g_strdup (uri));
}

static gboolean
row_shown (ChatTest *t, gconstpointer text)
{
  ChatMessage *message = chat_test_find_message (chat_test_room (t, "#weft"), text, NULL);

  return message != NULL && chat_test_find_row (t, message) != NULL;
}

static gboolean
row_laid_out (ChatTest *t, gconstpointer text)
{
  ChatMessage *message = chat_test_find_message (chat_test_room (t, "#weft"), text, NULL);
  GtkWidget *row = message != NULL ? chat_test_find_row (t, message) : NULL;

  return row != NULL && gtk_widget_get_mapped (row) && gtk_widget_get_height (row) > 0;
}

/* Clicking the link in a message asks for exactly that URI to be opened;
 * a click on the text beside it does not. */
static void
run_open_link (ChatTest *t)
{
  const char *text = "the docs are at https://example.org/weft/docs?page=2 today";
  const char *uri = "https://example.org/weft/docs?page=2";
  Opened opened = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr (WeftIrcOutgoing) outgoing = NULL;
  ChatMessage *message;
  ChatMessageRow *row;
  ChatMessageBody *label;
  PangoRectangle rect;
  const char *start;

  chat_message_row_set_uri_opener (open_uri, &opened);
  chat_window_select_room (t->window, chat_test_room (t, "#weft"));
  outgoing = weft_irc_client_send_privmsg (t->observer, "#weft", text);
  chat_test_wait (t, row_shown, text, "the row with the link");
  message = chat_test_find_message (chat_test_room (t, "#weft"), text, NULL);
  row = CHAT_MESSAGE_ROW (chat_test_find_row (t, message));
  label = chat_message_row_get_body (row);

  /* The middle of the link, where the text widget draws it. */
  start = strstr (chat_message_body_get_text (label), uri);
  g_assert_nonnull (start);
  pango_layout_index_to_pos (chat_message_body_get_layout (label), (start - chat_message_body_get_text (label)) + 10,
                             &rect);
  g_assert_true (chat_message_row_click_text (row, PANGO_PIXELS (rect.x) + 2,
                                              PANGO_PIXELS (rect.y) + PANGO_PIXELS (rect.height) / 2));
  g_assert_cmpuint (opened.uris->len, ==, 1);
  g_assert_cmpstr (opened.uris->pdata[0], ==, uri);

  /* "the" at the start is not a link. */
  pango_layout_index_to_pos (chat_message_body_get_layout (label), 1, &rect);
  g_assert_false (chat_message_row_click_text (row, PANGO_PIXELS (rect.x) + 1,
                                               PANGO_PIXELS (rect.y) + PANGO_PIXELS (rect.height) / 2));
  g_assert_cmpuint (opened.uris->len, ==, 1);

  chat_message_row_set_uri_opener (NULL, NULL);
  g_ptr_array_unref (opened.uris);
}

/* The prefix label of the member list's row that shows nick, or NULL when
 * no row on screen shows it. */
static const char *
member_row_prefix (ChatTest *t, const char *nick)
{
  GtkWidget *list = GTK_WIDGET (chat_window_get_member_list (t->window));
  GPtrArray *stack = g_ptr_array_new ();
  const char *found = NULL;

  g_ptr_array_add (stack, list);
  while (stack->len > 0 && found == NULL)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);
      GtkWidget *first = gtk_widget_get_first_child (widget);

      if (first != NULL && GTK_IS_LABEL (first) && gtk_widget_has_css_class (first, "member-prefix"))
        {
          GtkWidget *nick_label = gtk_widget_get_next_sibling (first);

          if (gtk_widget_get_mapped (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (nick_label)), nick) == 0)
            found = gtk_label_get_text (GTK_LABEL (first));
          continue;
        }
      for (GtkWidget *child = first; child != NULL; child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (stack, child);
    }
  g_ptr_array_unref (stack);
  return found;
}

typedef struct {
  const char *first; /* the nick the sorted list starts with */
  const char *tester_prefix;
  const char *observer_prefix;
} Ranks;

static gboolean
ranks_shown (ChatTest *t, gconstpointer data)
{
  const Ranks *ranks = data;
  GListModel *sorted = chat_member_list_get_sorted (chat_window_get_member_list (t->window));
  g_autoptr (WeftIrcMember) first = sorted != NULL ? g_list_model_get_item (sorted, 0) : NULL;

  return first != NULL && g_strcmp0 (weft_irc_member_get_nick (first), ranks->first) == 0 &&
         g_strcmp0 (member_row_prefix (t, "tester"), ranks->tester_prefix) == 0 &&
         g_strcmp0 (member_row_prefix (t, "observer"), ranks->observer_prefix) == 0;
}

static gboolean
tester_in_ranks (ChatTest *t, gconstpointer data)
{
  ChatRoom *room = chat_test_room (t, "#ranks");

  return room != NULL && chat_room_get_joined (room);
}

static gboolean
observer_in_ranks (ChatTest *t, gconstpointer data)
{
  return chat_test_member_present (t->observer, "#ranks", "tester") &&
         chat_test_member_present (t->observer, "#ranks", "observer");
}

/* The member list shows each member's highest prefix and sorts by rank, and
 * follows MODE changes while the rows are on screen. */
static void
run_member_ranks (ChatTest *t)
{
  /* The tester opens #ranks, so the server makes it an operator. */
  const Ranks opened = { "tester", "@", "" };
  const Ranks voiced = { "tester", "@", "+" };
  const Ranks deopped = { "observer", "", "+" };
  ChatRoom *room;

  chat_test_type (t, "/join #ranks");
  chat_test_wait (t, tester_in_ranks, NULL, "the tester in #ranks");
  room = chat_test_room (t, "#ranks");
  chat_window_select_room (t->window, room);
  weft_irc_client_join (t->observer, "#ranks", NULL);
  chat_test_wait (t, observer_in_ranks, NULL, "both in #ranks");
  chat_test_wait (t, ranks_shown, &opened, "@tester first, the observer without a prefix");

  chat_test_type (t, "/raw MODE #ranks +v observer");
  chat_test_wait (t, ranks_shown, &voiced, "the observer's + on its row");
  g_assert_nonnull (chat_test_find_message (room, "tester sets mode +v observer", NULL));
  chat_test_screenshot (t, "member-ranks");

  chat_test_type (t, "/raw MODE #ranks -o tester");
  chat_test_wait (t, ranks_shown, &deopped, "+observer first once the tester is no longer an operator");
}

typedef struct {
  ChatRoom *room;
  guint frames_left;
  guint appended;
  /* Rows that joined the room's model, and those of them that joined
   * inside a frame (between the frame clock's update and after-paint). */
  guint joined;
  guint joined_in_frame;
} Burst;

static gboolean in_frame;

static gboolean
frame_phase_hook (GSignalInvocationHint *hint, guint n_params, const GValue *params, gpointer data)
{
  in_frame = GPOINTER_TO_INT (data);
  return TRUE;
}

static void
burst_rows_joined (GListModel *model, guint position, guint removed, guint added, Burst *burst)
{
  burst->joined += added;
  if (in_frame)
    burst->joined_in_frame += added;
}

/* Each frame, a screenful and more of new messages, as a busy channel
 * brings them. */
static gboolean
burst_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  Burst *burst = data;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  if (burst->frames_left == 0)
    return G_SOURCE_REMOVE;
  burst->frames_left--;
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *text = g_strdup_printf ("burst message %u", burst->appended++);
      g_autoptr (ChatMessage) message = chat_message_new (CHAT_MESSAGE_TEXT, now, "observer", text);

      chat_room_append_batched (burst->room, message);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
burst_shown (ChatTest *t, gconstpointer data)
{
  const Burst *burst = data;

  return burst->frames_left == 0 && chat_room_get_n_pending (burst->room) == 0;
}

static gboolean
view_at_bottom (ChatTest *t, gconstpointer data)
{
  return chat_message_list_is_at_bottom (chat_window_get_message_list (t->window));
}

/* Rows wrap long text to the width of the view. A reader at the bottom of
 * a busy channel stays there: while the list
 * view lays out rows that arrive faster than a screenful per frame, and
 * moves its adjustment to do so, the view keeps following the newest
 * message. Only scrolling away stops it. */
static void
run_follows_a_burst (ChatTest *t)
{
  ChatMessageList *list = chat_window_get_message_list (t->window);
  Burst burst = { chat_test_room (t, "#weft"), 20, 0 };
  GtkAdjustment *adjustment;

  chat_window_select_room (t->window, burst.room);
  chat_test_wait (t, view_at_bottom, NULL, "the view at the bottom of #weft");

  /* A long message wraps to the view's width: its row is taller than a
   * one-line row, and its text no wider than the list. */
  {
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr (GString) text = g_string_new ("long:");
    g_autoptr (ChatMessage) long_message = NULL;
    g_autoptr (ChatMessage) short_message = chat_message_new (CHAT_MESSAGE_TEXT, now, "observer", "short");
    GtkWidget *long_row, *short_row, *label;
    graphene_rect_t bounds;

    for (guint i = 0; i < 40; i++)
      g_string_append (text, " wrapped words");
    long_message = chat_message_new (CHAT_MESSAGE_TEXT, now, "observer", text->str);
    chat_room_append (burst.room, long_message);
    chat_room_append (burst.room, short_message);
    chat_test_wait (t, row_laid_out, "short", "the short row laid out");
    chat_test_wait (t, row_laid_out, text->str, "the long row laid out");
    long_row = chat_test_find_row (t, long_message);
    short_row = chat_test_find_row (t, short_message);
    label = GTK_WIDGET (chat_message_row_get_body (CHAT_MESSAGE_ROW (long_row)));
    g_assert_cmpint (gtk_widget_get_height (long_row), >=, 3 * gtk_widget_get_height (short_row));
    g_assert_true (gtk_widget_compute_bounds (label, GTK_WIDGET (chat_message_list_get_list_view (list)), &bounds));
    g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=,
                       gtk_widget_get_width (GTK_WIDGET (chat_message_list_get_list_view (list))));
  }

  /* The rows join the view between frames: the main loop binds and
   * measures them in a run of its own, and the frame after it lays them
   * out and draws them. */
  {
    guint update = g_signal_lookup ("update", GDK_TYPE_FRAME_CLOCK);
    guint after_paint = g_signal_lookup ("after-paint", GDK_TYPE_FRAME_CLOCK);
    gulong update_hook = g_signal_add_emission_hook (update, 0, frame_phase_hook, GINT_TO_POINTER (TRUE), NULL);
    gulong after_paint_hook =
        g_signal_add_emission_hook (after_paint, 0, frame_phase_hook, GINT_TO_POINTER (FALSE), NULL);
    gulong joined =
        g_signal_connect (chat_room_get_messages (burst.room), "items-changed", G_CALLBACK (burst_rows_joined), &burst);

    gtk_widget_add_tick_callback (GTK_WIDGET (t->window), burst_tick, &burst, NULL);
    chat_test_wait (t, burst_shown, &burst, "800 messages in the view");
    g_signal_handler_disconnect (chat_room_get_messages (burst.room), joined);
    g_signal_remove_emission_hook (update, update_hook);
    g_signal_remove_emission_hook (after_paint, after_paint_hook);
    in_frame = FALSE;
    g_assert_cmpuint (burst.joined, >=, 800);
    g_assert_cmpuint (burst.joined_in_frame, ==, 0);
  }
  chat_test_wait (t, view_at_bottom, NULL, "the view still at the bottom after the burst");
  g_assert_true (chat_message_list_is_at_bottom (list));

  /* Scrolling up stops the following: a new message leaves the view where
   * the reader put it. */
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (chat_message_list_get_list_view (list)));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) / 2);
  burst.frames_left = 1;
  gtk_widget_add_tick_callback (GTK_WIDGET (t->window), burst_tick, &burst, NULL);
  chat_test_wait (t, burst_shown, &burst, "40 more messages in the model");
  chat_test_settle (t, 100);
  g_assert_false (chat_message_list_is_at_bottom (list));
}

static void
test_notifications (ConformanceFixture *f)
{
  chat_test_run (f, run_notifications);
}

static void
test_open_link (ConformanceFixture *f)
{
  chat_test_run (f, run_open_link);
}

static void
test_member_ranks (ConformanceFixture *f)
{
  chat_test_run (f, run_member_ranks);
}

static void
test_follows_a_burst (ConformanceFixture *f)
{
  chat_test_run (f, run_follows_a_burst);
}

const ConformanceCase chat_ui_desktop_cases[] = {
  { "chat-ui/notifications", test_notifications, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/open-link", test_open_link, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/member-ranks", test_member_ranks, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/follows-a-burst", test_follows_a_burst, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { NULL },
};
