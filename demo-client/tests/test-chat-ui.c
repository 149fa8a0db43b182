/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The real weft-chat UI against the chat server in the same process and
 * thread, on every backend: typing, unread state, the outbox across a
 * server crash, literal text, completion. */
#include "config.h"

#include "chat-test-util.h"

static gboolean
message_confirmed (ChatTest *t, gconstpointer text)
{
  ChatMessage *message = chat_test_find_message (chat_test_room (t, "#weft"), text, NULL);

  return message != NULL && chat_message_get_state (message) == CHAT_MESSAGE_STATE_CONFIRMED;
}

static gboolean
observed (ChatTest *t, gconstpointer line)
{
  return chat_test_count_observed (t, line) > 0;
}

static gboolean
row_shown (ChatTest *t, gconstpointer text)
{
  ChatMessage *message = chat_test_find_message (chat_test_room (t, "#weft"), text, NULL);

  return message != NULL && chat_test_find_row (t, message) != NULL;
}

static void
run_send_message (ChatTest *t)
{
  ChatMessage *message;

  chat_window_select_room (t->window, chat_test_room (t, "#weft"));
  chat_test_type (t, "hello from the entry");
  g_test_message ("room %s, %u rows, entry '%s'", chat_room_get_name (chat_window_get_room (t->window)),
                  chat_room_get_n_messages (chat_test_room (t, "#weft")),
                  gtk_editable_get_text (GTK_EDITABLE (chat_input_get_entry (chat_window_get_input (t->window)))));

  /* The row appears at once, pending until the server echoes it. */
  message = chat_test_find_message (chat_test_room (t, "#weft"), "hello from the entry", NULL);
  g_assert_nonnull (message);
  g_assert_cmpint (chat_message_get_state (message), ==, CHAT_MESSAGE_STATE_PENDING);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (chat_input_get_entry (chat_window_get_input (t->window)))), ==,
                   "");

  chat_test_wait (t, message_confirmed, "hello from the entry", "the echo");
  chat_test_wait (t, observed, "#weft hello from the entry", "the observer to receive it");
  chat_test_wait (t, row_shown, "hello from the entry", "the row on screen");
  g_assert_cmpuint (chat_test_count_observed (t, "#weft hello from the entry"), ==, 1);
  chat_test_screenshot (t, "sent");
}

static gboolean
has_unread (ChatTest *t, gconstpointer n)
{
  return chat_room_get_unread_count (chat_test_room (t, "#weft")) >= GPOINTER_TO_UINT (n);
}

static void
run_unread_marker (ChatTest *t)
{
  ChatRoom *weft;
  g_autoptr (WeftIrcOutgoing) first = NULL;
  g_autoptr (WeftIrcOutgoing) second = NULL;
  g_autoptr (WeftIrcOutgoing) mention = NULL;
  guint marker;

  weft = chat_test_room (t, "#weft");
  chat_window_select_room (t->window, chat_test_room (t, "#random"));
  g_assert_cmpuint (chat_room_get_unread_count (weft), ==, 0);

  first = weft_irc_client_send_privmsg (t->observer, "#weft", "while you were away");
  second = weft_irc_client_send_privmsg (t->observer, "#weft", "and another one");
  mention = weft_irc_client_send_privmsg (t->observer, "#weft", "tester: are you there?");
  chat_test_wait (t, has_unread, GUINT_TO_POINTER (3), "three unread messages");
  g_assert_cmpuint (chat_room_get_unread_count (weft), ==, 3);
  g_assert_cmpuint (chat_room_get_mention_count (weft), ==, 1);

  /* The marker sits right above the first unread message. */
  marker = chat_room_get_marker_position (weft);
  g_assert_cmpuint (marker, !=, G_MAXUINT);
  {
    g_autoptr (ChatMessage) after = g_list_model_get_item (chat_room_get_messages (weft), marker + 1);
    g_autoptr (ChatMessage) mark = g_list_model_get_item (chat_room_get_messages (weft), marker);

    g_assert_cmpint (chat_message_get_kind (mark), ==, CHAT_MESSAGE_UNREAD_MARKER);
    g_assert_cmpstr (chat_message_get_text (after), ==, "while you were away");
  }
  chat_test_screenshot (t, "unread");

  /* Opening the room reads it; the marker stays until the room is left. */
  chat_window_select_room (t->window, weft);
  g_assert_cmpuint (chat_room_get_unread_count (weft), ==, 0);
  g_assert_cmpuint (chat_room_get_mention_count (weft), ==, 0);
  g_assert_cmpuint (chat_room_get_marker_position (weft), !=, G_MAXUINT);
  chat_test_screenshot (t, "marker");
  chat_window_select_room (t->window, chat_test_room (t, "#random"));
  g_assert_cmpuint (chat_room_get_marker_position (weft), ==, G_MAXUINT);
}

static gboolean
received (ChatTest *t, gconstpointer text)
{
  return chat_test_find_message (chat_test_room (t, "#weft"), text, NULL) != NULL;
}

static gboolean
connection_lost (ChatTest *t, gconstpointer data)
{
  return chat_connection_get_state (t->connection) != CHAT_CONNECTION_CONNECTED &&
         chat_connection_get_state (t->connection) != CHAT_CONNECTION_CONNECTING;
}

static gboolean
observer_back (ChatTest *t, gconstpointer data)
{
  WeftIrcChannel *channel = weft_irc_client_lookup_channel (t->observer, "#weft");

  return weft_irc_client_get_state (t->observer) == WEFT_IRC_CLIENT_STATE_REGISTERED && channel != NULL &&
         weft_irc_channel_get_joined (channel);
}

static gboolean
outgoing_done (ChatTest *t, gconstpointer outgoing)
{
  return weft_irc_outgoing_get_state ((WeftIrcOutgoing *) outgoing) == WEFT_IRC_OUTGOING_STATE_CONFIRMED;
}

static gboolean
backfilled (ChatTest *t, gconstpointer data)
{
  return message_confirmed (t, "first while down") && message_confirmed (t, "second while down") &&
         chat_test_find_message (chat_test_room (t, "#weft"), "said during the gap", NULL) != NULL;
}

static void
run_outbox_across_crash (ChatTest *t)
{
  ChatRoom *weft;
  guint16 port;
  guint count;
  g_autoptr (WeftIrcOutgoing) gap = NULL;
  g_autoptr (WeftIrcOutgoing) before = NULL;

  weft = chat_test_room (t, "#weft");
  chat_window_select_room (t->window, weft);
  port = t->port;
  before = weft_irc_client_send_privmsg (t->observer, "#weft", "before the crash");
  chat_test_wait (t, received, "before the crash", "a message before the crash");

  wcs_server_kill (t->server);
  g_clear_object (&t->server);
  chat_test_wait (t, connection_lost, NULL, "the client to see the crash");
  chat_test_type (t, "first while down");
  chat_test_type (t, "second while down");
  g_assert_cmpint (chat_message_get_state (chat_test_find_message (weft, "first while down", NULL)), ==,
                   CHAT_MESSAGE_STATE_PENDING);
  g_assert_cmpstr (chat_window_get_status_text (t->window), !=, "");
  chat_test_screenshot (t, "reconnecting");

  /* The server comes back on the same port with its history; someone
   * speaks before the client is back. */
  chat_test_start_server (t, port);
  weft_irc_client_disconnect (t->observer, NULL);
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *url = g_strdup_printf ("irc://127.0.0.1:%u", port);

    g_assert_true (weft_irc_client_connect (t->observer, url, &error));
  }
  chat_test_wait (t, observer_back, NULL, "the observer to rejoin");
  gap = weft_irc_client_send_privmsg (t->observer, "#weft", "said during the gap");
  chat_test_wait (t, outgoing_done, gap, "the gap message to be stored");

  chat_connection_reconnect_now (t->connection);
  chat_test_wait (t, backfilled, NULL, "the outbox and the backfill");
  chat_test_wait (t, observed, "#weft second while down", "the observer to receive both");
  chat_test_settle (t, 300);

  g_assert_cmpuint (chat_test_count_observed (t, "#weft first while down"), ==, 1);
  g_assert_cmpuint (chat_test_count_observed (t, "#weft second while down"), ==, 1);
  chat_test_find_message (weft, "first while down", &count);
  g_assert_cmpuint (count, ==, 1);
  chat_test_find_message (weft, "second while down", &count);
  g_assert_cmpuint (count, ==, 1);
  chat_test_find_message (weft, "said during the gap", &count);
  g_assert_cmpuint (count, ==, 1);
  chat_test_find_message (weft, "before the crash", &count);
  g_assert_cmpuint (count, ==, 1);
}

static void
run_markup_is_literal (ChatTest *t)
{
  g_autoptr (WeftIrcOutgoing) outgoing = NULL;
  ChatMessage *message;
  GtkWidget *row;
  ChatMessageBody *label;
  PangoAttrIterator *iter;

  chat_window_select_room (t->window, chat_test_room (t, "#weft"));
  outgoing = weft_irc_client_send_privmsg (t->observer, "#weft", "<b>x</b> & <i>not markup</i>");
  chat_test_wait (t, received, "<b>x</b> & <i>not markup</i>", "the message");
  chat_test_wait (t, row_shown, "<b>x</b> & <i>not markup</i>", "its row");
  message = chat_test_find_message (chat_test_room (t, "#weft"), "<b>x</b> & <i>not markup</i>", NULL);
  row = chat_test_find_row (t, message);
  label = chat_message_row_get_body (CHAT_MESSAGE_ROW (row));
  g_assert_cmpstr (chat_message_body_get_text (label), ==, "<b>x</b> & <i>not markup</i>");
  g_assert_cmpstr (pango_layout_get_text (chat_message_body_get_layout (label)), ==, "<b>x</b> & <i>not markup</i>");
  /* Neither bold nor italic: no attribute came from the tags. */
  if (pango_layout_get_attributes (chat_message_body_get_layout (label)) != NULL)
    {
      iter = pango_attr_list_get_iterator (pango_layout_get_attributes (chat_message_body_get_layout (label)));
      do
        {
          g_assert_null (pango_attr_iterator_get (iter, PANGO_ATTR_WEIGHT));
          g_assert_null (pango_attr_iterator_get (iter, PANGO_ATTR_STYLE));
        }
      while (pango_attr_iterator_next (iter));
      pango_attr_iterator_destroy (iter);
    }
}

static void
run_tab_completion (ChatTest *t)
{
  ChatInput *input;
  GtkEditable *entry;

  chat_window_select_room (t->window, chat_test_room (t, "#weft"));
  input = chat_window_get_input (t->window);
  entry = GTK_EDITABLE (chat_input_get_entry (input));

  gtk_editable_set_text (entry, "obs");
  gtk_editable_set_position (entry, -1);
  g_assert_true (chat_input_complete (input));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "observer: ");

  gtk_editable_set_text (entry, "thanks obs");
  gtk_editable_set_position (entry, -1);
  g_assert_true (chat_input_complete (input));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "thanks observer ");

  gtk_editable_set_text (entry, "/jo");
  gtk_editable_set_position (entry, -1);
  g_assert_true (chat_input_complete (input));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "/join ");

  /* Repeated Tab cycles through the matches: /me, /msg. */
  gtk_editable_set_text (entry, "/m");
  gtk_editable_set_position (entry, -1);
  g_assert_true (chat_input_complete (input));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "/me ");
  g_assert_true (chat_input_complete (input));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "/msg ");

  /* Up and Down walk the input history. */
  gtk_editable_set_text (entry, "");
  chat_test_type (t, "one");
  chat_test_type (t, "two");
  chat_input_walk_history (input, -1);
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "two");
  chat_input_walk_history (input, -1);
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "one");
  chat_input_walk_history (input, +1);
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "two");
  chat_input_walk_history (input, +1);
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "");
}

static gboolean
action_shown (ChatTest *t, gconstpointer data)
{
  ChatMessage *message = chat_test_find_message (chat_test_room (t, "#weft"), "waves at everyone", NULL);

  return message != NULL && chat_message_get_kind (message) == CHAT_MESSAGE_ACTION &&
         chat_message_get_state (message) == CHAT_MESSAGE_STATE_CONFIRMED;
}

static void
run_commands (ChatTest *t)
{
  ChatRoom *query;

  chat_window_select_room (t->window, chat_test_room (t, "#weft"));
  chat_test_type (t, "/me waves at everyone");
  chat_test_wait (t, action_shown, NULL, "the action");
  chat_test_type (t, "/query observer hi there");
  query = chat_test_room (t, "observer");
  g_assert_nonnull (query);
  g_assert_true (chat_window_get_room (t->window) == query);
  g_assert_cmpint (chat_room_get_kind (query), ==, CHAT_ROOM_QUERY);
  chat_test_wait (t, observed, "tester hi there", "the private message");
  chat_test_type (t, "/close");
  g_assert_null (chat_test_room (t, "observer"));
  chat_test_type (t, "/nosuchcommand");
  g_assert_cmpint (chat_message_get_kind (chat_room_get_newest_message (chat_window_get_room (t->window))), ==,
                   CHAT_MESSAGE_ERROR);
}

static void
test_send_message (ConformanceFixture *f)
{
  chat_test_run (f, run_send_message);
}

static void
test_unread_marker (ConformanceFixture *f)
{
  chat_test_run (f, run_unread_marker);
}

static void
test_outbox_across_crash (ConformanceFixture *f)
{
  chat_test_run (f, run_outbox_across_crash);
}

static void
test_markup_is_literal (ConformanceFixture *f)
{
  chat_test_run (f, run_markup_is_literal);
}

static void
test_tab_completion (ConformanceFixture *f)
{
  chat_test_run (f, run_tab_completion);
}

static void
test_commands (ConformanceFixture *f)
{
  chat_test_run (f, run_commands);
}

static gboolean
observed_all (ChatTest *t, gconstpointer lines)
{
  for (const char *const *line = lines; *line != NULL; line++)
    if (chat_test_count_observed (t, *line) == 0)
      return FALSE;
  return TRUE;
}

static int
observed_at (ChatTest *t, const char *line)
{
  for (guint i = 0; i < t->observed->len; i++)
    if (g_strcmp0 (t->observed->pdata[i], line) == 0)
      return i;
  return -1;
}

/* Pasting several lines asks first: Send sends each line, in order, once;
 * Cancel sends none of them and leaves the entry as it was. */
static void
run_paste_lines (ChatTest *t)
{
  static const char *const sent[] = { "#weft paste one", "#weft paste two", "#weft paste three", NULL };
  GtkEditable *entry = GTK_EDITABLE (chat_input_get_entry (chat_window_get_input (t->window)));
  AdwMessageDialog *dialog;
  int position = 0;
  guint count;

  chat_window_select_room (t->window, chat_test_room (t, "#weft"));
  gtk_editable_set_text (entry, "");
  /* What a paste into the entry does. */
  gtk_editable_insert_text (entry, "paste one\npaste two\r\npaste three\n", -1, &position);
  dialog = chat_test_find_message_dialog ("send");
  g_assert_nonnull (dialog);
  g_test_message ("%s — %s", adw_message_dialog_get_heading (dialog), adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "3"));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "");
  chat_test_screenshot (t, "paste");
  adw_message_dialog_response (dialog, "send");
  gtk_window_destroy (GTK_WINDOW (dialog));

  chat_test_wait (t, observed_all, sent, "the three lines");
  g_assert_cmpint (observed_at (t, sent[0]), <, observed_at (t, sent[1]));
  g_assert_cmpint (observed_at (t, sent[1]), <, observed_at (t, sent[2]));
  for (guint i = 0; sent[i] != NULL; i++)
    g_assert_cmpuint (chat_test_count_observed (t, sent[i]), ==, 1);
  chat_test_find_message (chat_test_room (t, "#weft"), "paste two", &count);
  g_assert_cmpuint (count, ==, 1);

  /* Cancel: nothing is sent; a line typed afterwards arrives alone. */
  gtk_editable_set_text (entry, "draft");
  position = 5;
  gtk_editable_insert_text (entry, "cancel one\ncancel two", -1, &position);
  dialog = chat_test_find_message_dialog ("send");
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "draft");
  chat_test_type (t, "after the cancel");
  chat_test_wait (t, observed, "#weft after the cancel", "the line after the cancel");
  g_assert_cmpuint (chat_test_count_observed (t, "#weft cancel one"), ==, 0);
  g_assert_cmpuint (chat_test_count_observed (t, "#weft cancel two"), ==, 0);
  g_assert_cmpuint (chat_test_count_observed (t, "#weft draftafter the cancel"), ==, 0);
  g_assert_null (chat_test_find_message (chat_test_room (t, "#weft"), "cancel one", NULL));
}

typedef struct {
  const char *channel;
  const char *nick;
} Membership;

static gboolean
member_in (ChatTest *t, gconstpointer data)
{
  const Membership *m = data;

  return chat_test_member_present (t->observer, m->channel, m->nick);
}

static gboolean
member_gone (ChatTest *t, gconstpointer data)
{
  return !member_in (t, data);
}

static gboolean
topic_is (ChatTest *t, gconstpointer topic)
{
  WeftIrcChannel *channel = weft_irc_client_lookup_channel (t->observer, "#mine");

  return channel != NULL && g_strcmp0 (weft_irc_channel_get_topic (channel), topic) == 0;
}

static gboolean
away_on_server (ChatTest *t, gconstpointer message)
{
  WeftIrcServerConnection *client = weft_irc_server_find_client (wcs_server_get_irc_server (t->server), "tester");

  return client != NULL && g_strcmp0 (weft_irc_server_connection_get_away (client), message) == 0;
}

static gboolean
whois_shown (ChatTest *t, gconstpointer before)
{
  ChatRoom *server = chat_connection_get_server_room (t->connection);
  GListModel *messages = chat_room_get_messages (server);

  for (guint i = GPOINTER_TO_UINT (before); i < g_list_model_get_n_items (messages); i++)
    {
      g_autoptr (ChatMessage) message = g_list_model_get_item (messages, i);

      if (chat_message_get_kind (message) == CHAT_MESSAGE_NOTICE && strstr (chat_message_get_text (message), "#weft"))
        return TRUE;
    }
  return FALSE;
}

static gboolean
in_room (ChatTest *t, gconstpointer name)
{
  ChatRoom *room = chat_test_room (t, name);

  return room != NULL && chat_room_get_joined (room);
}

static gboolean
observer_in (ChatTest *t, gconstpointer channel)
{
  WeftIrcChannel *object = weft_irc_client_lookup_channel (t->observer, channel);

  return object != NULL && weft_irc_channel_get_joined (object);
}

/* The commands the user types, each seen by the server (or the other
 * user): /join /part /msg /topic /away /whois /raw /nick. */
static void
run_more_commands (ChatTest *t)
{
  Membership extra = { "#extra", "tester" };
  Membership renamed = { "#weft", "tester2" };
  guint before;

  weft_irc_client_join (t->observer, "#extra", NULL);
  chat_test_wait (t, observer_in, "#extra", "the observer in #extra");
  chat_window_select_room (t->window, chat_test_room (t, "#weft"));

  chat_test_type (t, "/join extra");
  chat_test_wait (t, member_in, &extra, "the tester to join #extra");
  g_assert_nonnull (chat_test_room (t, "#extra"));
  chat_test_type (t, "/part #extra see you");
  chat_test_wait (t, member_gone, &extra, "the tester to leave #extra");

  chat_test_type (t, "/msg observer psst");
  chat_test_wait (t, observed, "tester psst", "the private message");
  chat_test_type (t, "/msg #weft said with msg");
  chat_test_wait (t, observed, "#weft said with msg", "the channel message");

  /* The topic of a channel the tester opened (and so may set it). */
  chat_test_type (t, "/join #mine");
  chat_test_wait (t, in_room, "#mine", "the tester in #mine");
  chat_window_select_room (t->window, chat_test_room (t, "#mine"));
  chat_test_type (t, "/topic Weft, now with tests");
  weft_irc_client_join (t->observer, "#mine", NULL);
  chat_test_wait (t, topic_is, "Weft, now with tests", "the new topic");
  chat_window_select_room (t->window, chat_test_room (t, "#weft"));

  chat_test_type (t, "/away gone fishing");
  chat_test_wait (t, away_on_server, "gone fishing", "the away message on the server");
  chat_test_type (t, "/away");
  chat_test_wait (t, away_on_server, NULL, "the tester to be back");

  before = chat_room_get_n_messages (chat_connection_get_server_room (t->connection));
  chat_test_type (t, "/whois observer");
  chat_test_wait (t, whois_shown, GUINT_TO_POINTER (before), "the WHOIS reply with the observer's channels");

  /* A single-word last parameter, without its colon: ":s" in the entry
   * would start GTK's emoji completion (GTK 4.8 leaks its search). */
  chat_test_type (t, "/raw PRIVMSG #weft sent-raw");
  chat_test_wait (t, observed, "#weft sent-raw", "the raw line");

  chat_test_type (t, "/nick tester2");
  chat_test_wait (t, member_in, &renamed, "the new nick");
  g_assert_cmpstr (chat_connection_get_nick (t->connection), ==, "tester2");

  /* A command without its arguments says how to use it. */
  chat_test_type (t, "/join");
  g_assert_cmpint (chat_message_get_kind (chat_room_get_newest_message (chat_window_get_room (t->window))), ==,
                   CHAT_MESSAGE_ERROR);
}

typedef struct {
  char *nick;
  char *reason;
} Quit;

static void
observer_saw_quit (WeftIrcClient *client,
                   const char *nick,
                   const char *reason,
                   char **channels,
                   WeftIrcMessage *message,
                   Quit *quit)
{
  g_free (quit->nick);
  g_free (quit->reason);
  quit->nick = g_strdup (nick);
  quit->reason = g_strdup (reason);
}

static gboolean
quit_seen (ChatTest *t, gconstpointer data)
{
  const Quit *quit = data;

  return quit->nick != NULL;
}

/* /quit says goodbye with its message, which the others see, and closes
 * the window. */
static void
run_quit (ChatTest *t)
{
  Quit quit = { NULL, NULL };

  g_signal_connect (t->observer, "quit", G_CALLBACK (observer_saw_quit), &quit);
  chat_window_select_room (t->window, chat_test_room (t, "#weft"));
  chat_test_type (t, "/quit see you later");
  g_assert_null (t->window);
  chat_test_wait (t, quit_seen, &quit, "the observer to see the quit");
  g_assert_cmpstr (quit.nick, ==, "tester");
  g_assert_nonnull (strstr (quit.reason, "see you later"));
  g_signal_handlers_disconnect_by_func (t->observer, observer_saw_quit, &quit);
  g_free (quit.nick);
  g_free (quit.reason);
}

static void
test_paste_lines (ConformanceFixture *f)
{
  chat_test_run (f, run_paste_lines);
}

static void
test_more_commands (ConformanceFixture *f)
{
  chat_test_run (f, run_more_commands);
}

static void
test_quit (ConformanceFixture *f)
{
  chat_test_run (f, run_quit);
}

static gboolean
history_joined (ChatTest *t, gconstpointer data)
{
  ChatRoom *room = chat_test_room (t, "#history");

  return room != NULL && chat_room_get_n_messages (room) > 50;
}

typedef struct {
  ChatRoom *room;
  guint target;
} ScrollUp;

/* As a user does: scroll down a little and back to the top, again while
 * nothing is loading, until the older page is there. */
static gboolean
scrolled_up_for_more (ChatTest *t, gconstpointer data)
{
  const ScrollUp *up = data;
  GtkWidget *list = GTK_WIDGET (chat_message_list_get_list_view (chat_window_get_message_list (t->window)));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_parent (list)));

  if (chat_room_get_n_messages (up->room) >= up->target && !chat_room_get_loading_history (up->room))
    return TRUE;
  if (!chat_room_get_loading_history (up->room))
    {
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_page_size (adjustment) * 2);
      gtk_adjustment_set_value (adjustment, 0);
    }
  return FALSE;
}

/* Scrolling to the top asks for older messages (CHATHISTORY BEFORE); they
 * appear above, in order, without duplicates. */
static void
run_history_on_scroll (ChatTest *t)
{
  ChatRoom *room;
  guint before;

  chat_test_type (t, "/join #history");
  chat_test_wait (t, history_joined, NULL, "the latest history");
  room = chat_test_room (t, "#history");
  chat_window_select_room (t->window, room);
  chat_test_settle (t, 300);
  before = chat_room_get_n_messages (room);

  for (guint page = 0; page < 2; page++)
    {
      ScrollUp up = { room, chat_room_get_n_messages (room) + 50 };

      chat_test_wait (t, scrolled_up_for_more, &up, "an older page");
    }
  g_test_message ("%u rows before scrolling, %u after", before, chat_room_get_n_messages (room));
  chat_test_screenshot (t, "history");

  /* Oldest first, each message once. */
  {
    GListModel *messages = chat_room_get_messages (room);
    g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
    GDateTime *previous = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (messages); i++)
      {
        g_autoptr (ChatMessage) message = g_list_model_get_item (messages, i);

        if (chat_message_get_kind (message) != CHAT_MESSAGE_TEXT &&
            chat_message_get_kind (message) != CHAT_MESSAGE_ACTION)
          continue;
        if (chat_message_get_msgid (message) != NULL)
          g_assert_true (g_hash_table_add (seen, (gpointer) chat_message_get_msgid (message)));
        if (previous != NULL)
          g_assert_cmpint (g_date_time_compare (previous, chat_message_get_time (message)), <=, 0);
        previous = chat_message_get_time (message);
      }
  }
}

static void
test_history_on_scroll (ConformanceFixture *f)
{
  chat_test_run_full (f, run_history_on_scroll, TRUE);
}

static gboolean
link_title_shown (ChatTest *t, gconstpointer text)
{
  ChatMessage *message = chat_test_find_message (chat_test_room (t, "#weft"), text, NULL);

  return message != NULL && chat_message_get_link_title (message) != NULL;
}

/* With the setting on, the title of a linked HTML page (here the chat
 * server's own web page) shows under the message. */
static void
run_link_title (ChatTest *t)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr (WeftIrcOutgoing) outgoing = NULL;
  ChatMessage *message;

  g_assert_true (wcs_server_listen_http (t->server, "tcp:0:interface=127.0.0.1", &error));
  g_assert_no_error (error);
  g_settings_set_boolean (chat_application_get_settings (t->app), "fetch-link-titles", TRUE);
  chat_window_select_room (t->window, chat_test_room (t, "#weft"));
  text = g_strdup_printf ("have a look at http://127.0.0.1:%u/ please", wcs_server_get_http_port (t->server));
  outgoing = weft_irc_client_send_privmsg (t->observer, "#weft", text);
  chat_test_wait (t, link_title_shown, text, "the link title");
  message = chat_test_find_message (chat_test_room (t, "#weft"), text, NULL);
  g_assert_cmpstr (chat_message_get_link_title (message), ==, "Weft chat");
  g_assert_true (g_str_has_prefix (chat_message_get_first_link (message), "http://127.0.0.1:"));
  chat_test_screenshot (t, "link-title");
}

static void
test_link_title (ConformanceFixture *f)
{
  chat_test_run (f, run_link_title);
}

static gboolean
second_connection (ChatTest *t, gconstpointer data)
{
  GListModel *connections = chat_application_get_connections (t->app);
  g_autoptr (ChatConnection) added = NULL;

  if (g_list_model_get_n_items (connections) < 2)
    return FALSE;
  added = g_list_model_get_item (connections, 1);
  return chat_connection_get_state (added) == CHAT_CONNECTION_CONNECTED;
}

/* The Add Server dialog: the server is stored in GSettings (without its
 * password) and connected to. */
static void
run_add_server (ChatTest *t)
{
  GtkWindow *dialog;
  g_autoptr (GPtrArray) configs = NULL;
  ChatServerConfig *config;

  g_action_group_activate_action (G_ACTION_GROUP (t->app), "add-server", NULL);
  chat_test_settle (t, 100);
  dialog = NULL;
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (t->app)); l != NULL; l = l->next)
    if (CHAT_IS_SERVER_DIALOG (l->data))
      dialog = l->data;
  g_assert_nonnull (dialog);
  chat_test_screenshot (t, "add-server");
  chat_server_dialog_fill (CHAT_SERVER_DIALOG (dialog), "Second", "127.0.0.1", t->port, FALSE, "second", "#second");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "server.add", NULL);
  chat_test_wait (t, second_connection, NULL, "the new server to connect");

  configs = chat_server_config_load_all (chat_application_get_settings (t->app));
  g_assert_cmpuint (configs->len, ==, 1);
  config = configs->pdata[0];
  g_assert_cmpstr (config->name, ==, "Second");
  g_assert_cmpstr (config->nick, ==, "second");
  g_assert_cmpstr (config->channels[0], ==, "#second");
  g_assert_true (g_str_has_prefix (config->url, "irc://127.0.0.1:"));
  g_assert_null (config->password);
}

static void
test_add_server (ConformanceFixture *f)
{
  chat_test_run (f, run_add_server);
}

static gboolean
message_in_state (ChatTest *t, gconstpointer state)
{
  ChatRoom *room = chat_test_room (t, "#quiet");
  ChatMessage *message = room != NULL ? chat_test_find_message (room, "can anyone hear me?", NULL) : NULL;

  return message != NULL && (int) chat_message_get_state (message) == GPOINTER_TO_INT (state);
}

static gboolean
observer_in_quiet (ChatTest *t, gconstpointer data)
{
  WeftIrcChannel *channel = weft_irc_client_lookup_channel (t->observer, "#quiet");

  return channel != NULL && weft_irc_channel_get_joined (channel);
}

static gboolean
channel_moderated (ChatTest *t, gconstpointer on)
{
  const char *modes = weft_irc_channel_get_modes (weft_irc_client_lookup_channel (t->observer, "#quiet"));

  return (modes != NULL && strchr (modes, 'm') != NULL) == GPOINTER_TO_INT (on);
}

static gboolean
tester_in_quiet (ChatTest *t, gconstpointer data)
{
  ChatRoom *room = chat_test_room (t, "#quiet");

  return room != NULL && chat_room_get_joined (room);
}

/* A message the server refuses shows as failed, with its reason and a
 * Retry button that sends it again. */
static void
run_failed_and_retry (ChatTest *t)
{
  const char *no_args[] = { NULL };
  ChatMessage *message;
  GtkWidget *row;

  /* The observer creates #quiet, so it is its operator, and moderates it. */
  weft_irc_client_join (t->observer, "#quiet", NULL);
  chat_test_wait (t, observer_in_quiet, NULL, "the observer in #quiet");
  weft_irc_client_set_mode (t->observer, "#quiet", "+m", no_args);
  chat_test_wait (t, channel_moderated, GINT_TO_POINTER (TRUE), "the channel to be moderated");
  chat_test_type (t, "/join #quiet");
  chat_test_wait (t, tester_in_quiet, NULL, "the tester in #quiet");
  chat_window_select_room (t->window, chat_test_room (t, "#quiet"));
  chat_test_type (t, "can anyone hear me?");
  chat_test_wait (t, message_in_state, GINT_TO_POINTER (CHAT_MESSAGE_STATE_FAILED), "the message to fail");
  message = chat_test_find_message (chat_test_room (t, "#quiet"), "can anyone hear me?", NULL);
  g_assert_nonnull (chat_message_get_error (message));
  g_test_message ("failed: %s", chat_message_get_error (message));
  chat_test_settle (t, 100);
  chat_test_screenshot (t, "failed");

  weft_irc_client_set_mode (t->observer, "#quiet", "-m", no_args);
  chat_test_wait (t, channel_moderated, GINT_TO_POINTER (FALSE), "the channel to be open again");
  row = chat_test_find_row (t, message);
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_activate_action (row, "message.retry", NULL));
  chat_test_wait (t, message_in_state, GINT_TO_POINTER (CHAT_MESSAGE_STATE_CONFIRMED), "the retried message");
  chat_test_wait (t, observed, "#quiet can anyone hear me?", "the observer to receive it");
  g_assert_cmpuint (chat_test_count_observed (t, "#quiet can anyone hear me?"), ==, 1);
}

static void
test_failed_and_retry (ConformanceFixture *f)
{
  chat_test_run (f, run_failed_and_retry);
}

static AdwMessageDialog *
find_certificate_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (window), "trust"))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
trust_offered (ChatTest *t, gconstpointer data)
{
  AdwMessageDialog *dialog = find_certificate_dialog ();

  return dialog != NULL && adw_message_dialog_get_response_enabled (dialog, "trust");
}

static gboolean
tls_connected (ChatTest *t, gconstpointer connection)
{
  return chat_connection_get_state ((ChatConnection *) connection) == CHAT_CONNECTION_CONNECTED;
}

/* A self-signed certificate: the dialog says what is wrong, and trusting
 * it pins its fingerprint for this server, which then connects. */
static void
run_certificate_problem (ChatTest *t)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ChatServerConfig) config = chat_server_config_new ();
  ChatConnection *connection;
  AdwMessageDialog *dialog;

  g_assert_true (wcs_server_listen_irc (t->server, "tls:0:interface=127.0.0.1", &error));
  g_assert_no_error (error);
  config->name = g_strdup ("Secure");
  config->url = g_strdup_printf ("ircs://127.0.0.1:%u", wcs_server_get_irc_port_n (t->server, 1));
  config->nick = g_strdup ("secure");
  connection = chat_application_add_connection (t->app, config);
  chat_test_wait (t, trust_offered, NULL, "the certificate dialog and the fingerprint");
  dialog = find_certificate_dialog ();
  g_test_message ("%s: %s", adw_message_dialog_get_heading (dialog), adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "SHA-256"));
  chat_test_screenshot (t, "certificate");
  g_assert_cmpint (chat_connection_get_state (connection), ==, CHAT_CONNECTION_DISCONNECTED);

  adw_message_dialog_response (dialog, "trust");
  gtk_window_destroy (GTK_WINDOW (dialog));
  chat_test_wait (t, tls_connected, connection, "the pinned TLS connection");
  g_assert_cmpuint (strlen (chat_connection_get_config (connection)->fingerprint), ==, 64);
}

static void
test_certificate_problem (ConformanceFixture *f)
{
  chat_test_run (f, run_certificate_problem);
}

static const ConformanceCase chat_ui_cases[] = {
  { "chat-ui/send-message", test_send_message, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/unread-marker", test_unread_marker, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/outbox-across-crash", test_outbox_across_crash, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/markup-is-literal", test_markup_is_literal, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/tab-completion", test_tab_completion, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/commands", test_commands, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/more-commands", test_more_commands, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/quit", test_quit, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/paste-lines", test_paste_lines, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/failed-and-retry", test_failed_and_retry, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/certificate-problem", test_certificate_problem, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/link-title", test_link_title, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/add-server", test_add_server, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/history-on-scroll", test_history_on_scroll, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare_history },
  { NULL },
};

int
main (int argc, char **argv)
{
  const ConformanceCase *const tables[] = { chat_ui_cases, chat_ui_server_cases, chat_ui_desktop_cases };

  /* Once, before the cases' child processes start; they find it through
   * the environment. */
  if (g_getenv ("WEFT_CHAT_TEST_SEEDED_DIR") == NULL)
    g_setenv ("WEFT_CHAT_TEST_SEEDED_DIR", chat_test_seeded_history_dir (), TRUE);

  return conformance_main (argc, argv, tables, G_N_ELEMENTS (tables));
}
