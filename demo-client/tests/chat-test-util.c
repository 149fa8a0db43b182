/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "chat-test-util.h"
#include "wcs-demo.h"

static void
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static gboolean
count_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

/* A data directory whose #history holds 300 messages, written once per
 * process by the demo on a reactor of its own: the demo's users keep
 * timers that the cases' reactors must not see. */
static char *seeded_dir;

static WeftDeferred *
seeded_cb (WeftResult *result, gpointer data)
{
  *(gboolean *) data = TRUE;
  return NULL;
}

const char *
chat_test_seeded_history_dir (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  g_autoptr (WcsServer) server = NULL;
  g_autoptr (WeftDeferred) seeded = NULL;
  g_autoptr (WeftDeferred) shutdown = NULL;
  WcsDemo *demo;
  gboolean done = FALSE, closed = FALSE;

  if (seeded_dir != NULL)
    return seeded_dir;
  /* Seeded once by the parent process of the cases. */
  if (g_getenv ("WEFT_CHAT_TEST_SEEDED_DIR") != NULL)
    return seeded_dir = g_strdup (g_getenv ("WEFT_CHAT_TEST_SEEDED_DIR"));
  seeded_dir = g_dir_make_tmp ("weft-chat-seed-XXXXXX", &error);
  g_assert_no_error (error);
  reactor = weft_reactor_new ("poll", WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING, &error);
  g_assert_no_error (error);
  server = wcs_server_new (reactor, NULL, seeded_dir, &error);
  g_assert_no_error (error);
  demo = wcs_demo_start (server, 300, &error);
  g_assert_no_error (error);
  seeded = wcs_demo_wait_seeded (demo);
  weft_deferred_add_both (seeded, seeded_cb, &done, NULL);
  while (!done)
    weft_reactor_iterate (reactor, TRUE);
  wcs_demo_stop (demo);
  shutdown = wcs_server_shutdown (server);
  weft_deferred_add_both (shutdown, seeded_cb, &closed, NULL);
  while (!closed)
    weft_reactor_iterate (reactor, TRUE);
  return seeded_dir;
}

void
chat_test_prepare_history (void)
{
  chat_test_prepare ();
  chat_test_seeded_history_dir ();
}

/* GTK 4.8's list view warns, and then ignores the request, when its
 * adjustment moves to a place it has not laid out yet (rows just added
 * above, heights still estimated); the test cases move it as a user
 * scrolling would. That warning is printed and not fatal; every other one
 * stays fatal. GTK logs through the structured API, so this takes a log
 * writer (a fatal handler does not see structured messages). */
static GLogWriterOutput
test_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
    else if (g_str_equal (fields[i].key, "MESSAGE"))
      message = fields[i].value;
  if ((level & G_LOG_LEVEL_WARNING) != 0 && g_strcmp0 (domain, "Gtk") == 0 && message != NULL &&
      strstr (message, "failed to scroll to given position") != NULL)
    return g_log_writer_standard_streams (level, fields, n_fields, data);
  return g_log_writer_default (level, fields, n_fields, data);
}

void
chat_test_prepare (void)
{
  g_autoptr (GDBusConnection) bus = NULL;
  GtkWidget *window;
  guint ticks = 0;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  static gboolean writer_set;

  if (!writer_set)
    g_log_set_writer_func (test_log_writer, NULL, NULL);
  writer_set = TRUE;
  /* GTK, fonts, themes, the session bus and the network monitor keep fds
   * for the life of the process: open them before fds are counted. */
  g_assert_true (gtk_init_check ());
  adw_init ();
  window = gtk_window_new ();
  gtk_widget_add_tick_callback (window, count_tick, &ticks, NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (ticks < 3 && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  gtk_window_destroy (GTK_WINDOW (window));
  conformance_drain_default_context ();
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  (void) g_network_monitor_get_default ();
}

static WeftDeferred *
ready_cb (WeftResult *result, gpointer data)
{
  flag_cb (data);
  return NULL;
}

void
chat_test_start_server (ChatTest *t, guint16 port)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *endpoint = g_strdup_printf ("tcp:%u:interface=127.0.0.1", port);
  gboolean ready = FALSE;
  WeftDeferred *deferred;

  t->server = wcs_server_new (t->f->reactor, NULL, t->data_dir, &error);
  g_assert_no_error (error);
  g_assert_true (wcs_server_listen_irc (t->server, endpoint, &error));
  g_assert_no_error (error);
  t->port = wcs_server_get_irc_port (t->server);
  deferred = wcs_server_wait_ready (t->server);
  weft_deferred_add_both (deferred, ready_cb, &ready, NULL);
  g_object_unref (deferred);
  while (!ready)
    weft_reactor_iterate (t->f->reactor, TRUE);
}

static void
observer_message (WeftIrcClient *client,
                  WeftIrcMessage *message,
                  const char *conversation,
                  const char *nick,
                  const char *text,
                  WeftIrcMessageFlags flags,
                  ChatTest *t)
{
  if ((flags & WEFT_IRC_MESSAGE_FLAGS_HISTORY) == 0)
    g_ptr_array_add (t->observed, g_strdup_printf ("%s %s", conversation, text));
}

static gboolean
ready_to_chat (ChatTest *t, gconstpointer data)
{
  ChatRoom *room = chat_connection_find_room (t->connection, "#weft");
  WeftIrcChannel *channel = weft_irc_client_lookup_channel (t->observer, "#weft");

  return room != NULL && chat_room_get_joined (room) && chat_room_get_members (room) != NULL &&
         g_list_model_get_n_items (chat_room_get_members (room)) >= 2 && channel != NULL &&
         weft_irc_channel_get_joined (channel) &&
         chat_connection_get_state (t->connection) == CHAT_CONNECTION_CONNECTED;
}

static void chat_test_teardown (ChatTest *t);

typedef struct {
  ChatTest *t;
  void (*body) (ChatTest *t);
} Run;

static void
started (GApplication *app, Run *run)
{
  ChatTest *t = run->t;
  g_autoptr (ChatServerConfig) config = chat_server_config_new ();
  g_autofree char *url = g_strdup_printf ("irc://127.0.0.1:%u", t->port);
  const char *channels[] = { "#weft", "#random", NULL };

  config->name = g_strdup ("Test");
  config->url = g_strdup (url);
  config->nick = g_strdup ("tester");
  config->channels = g_strdupv ((char **) channels);
  t->connection = chat_application_add_connection (t->app, config);
}

static void
activated (GApplication *app, Run *run)
{
  ChatTest *t = run->t;

  t->window = chat_application_get_window (t->app);
  g_assert_nonnull (t->window);
  /* A case may close the window itself (/quit). */
  g_object_add_weak_pointer (G_OBJECT (t->window), (gpointer *) &t->window);
  chat_test_wait (t, ready_to_chat, NULL, "both clients in #weft");
  run->body (t);
  if (t->window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (t->window), (gpointer *) &t->window);
      gtk_window_destroy (GTK_WINDOW (t->window));
    }
  t->window = NULL;
}

void
chat_test_run (ConformanceFixture *f, void (*body) (ChatTest *t))
{
  chat_test_run_full (f, body, FALSE);
}

/* Copies NAME from the seeded history's directory into DIR; a file that
 * is not there fails the test when REQUIRED, and is skipped otherwise. */
static void
copy_seeded_file (const char *dir, const char *name, gboolean required)
{
  g_autofree char *from = g_build_filename (chat_test_seeded_history_dir (), name, NULL);
  g_autofree char *to = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (from, &contents, &length, NULL))
    {
      g_assert_false (required);
      return;
    }
  g_assert_true (g_file_set_contents (to, contents, length, NULL));
}

void
chat_test_run_full (ConformanceFixture *f, void (*body) (ChatTest *t), gboolean seed_history)
{
  ChatTest test = { .seed_history = seed_history };
  ChatTest *t = &test;
  Run run = { t, body };
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  char *argv[] = { (char *) "test-chat-ui", NULL };

  t->f = f;
  t->observed = g_ptr_array_new_with_free_func (g_free);
  t->data_dir = g_dir_make_tmp ("weft-chat-test-XXXXXX", &error);
  g_assert_no_error (error);
  /* The seeded database, with its write-ahead log where SQLite left one
   * (it moves the log into the database when the last connection closes,
   * but not always: a run under load kept the seeded rows in the log
   * alone). */
  if (t->seed_history)
    {
      copy_seeded_file (t->data_dir, "history.db", TRUE);
      copy_seeded_file (t->data_dir, "history.db-wal", FALSE);
    }
  chat_test_start_server (t, 0);
  url = g_strdup_printf ("irc://127.0.0.1:%u", t->port);

  t->observer = weft_irc_client_new (f->reactor, "observer");
  g_signal_connect (t->observer, "message-received", G_CALLBACK (observer_message), t);
  g_assert_true (weft_irc_client_connect (t->observer, url, &error));
  weft_irc_client_join (t->observer, "#weft", NULL);

  t->app = chat_application_new (f->reactor);
  g_signal_connect_after (t->app, "startup", G_CALLBACK (started), &run);
  g_signal_connect_after (t->app, "activate", G_CALLBACK (activated), &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (t->app), 1, argv), ==, 0);
  chat_test_teardown (t);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
chat_test_teardown (ChatTest *t)
{
  g_object_run_dispose (G_OBJECT (t->app));
  g_clear_object (&t->app);
  g_signal_handlers_disconnect_by_data (t->observer, t);
  weft_irc_client_disconnect (t->observer, NULL);
  g_clear_object (&t->observer);
  if (t->server != NULL)
    wcs_server_kill (t->server);
  g_clear_object (&t->server);
  /* Closing connections (TLS ones send their close notification) finish on
   * the reactor. */
  for (guint i = 0; i < 50 && weft_reactor_get_n_timers (t->f->reactor) > 0; i++)
    chat_test_settle (t, 20);
  g_test_message ("%u timers left", weft_reactor_get_n_timers (t->f->reactor));
  conformance_drain_default_context ();
  remove_tree (t->data_dir);
  g_free (t->data_dir);
  g_ptr_array_unref (t->observed);
}

static void
dump (ChatTest *t)
{
  ChatRoom *room = t->connection != NULL ? chat_connection_find_room (t->connection, "#weft") : NULL;
  guint n = room != NULL ? chat_room_get_n_messages (room) : 0;

  if (t->connection != NULL)
    g_test_message ("connection: %s", chat_connection_get_status_text (t->connection));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ChatMessage) message = g_list_model_get_item (chat_room_get_messages (room), i);

      g_test_message ("#weft %u: [%d/%d] %s", i, chat_message_get_kind (message), chat_message_get_state (message),
                      chat_message_get_text (message));
    }
  for (guint i = 0; i < t->observed->len; i++)
    g_test_message ("observed: %s", (char *) t->observed->pdata[i]);
  if (t->window != NULL)
    {
      ChatMessageList *list = chat_window_get_message_list (t->window);
      GtkWidget *view = GTK_WIDGET (chat_message_list_get_list_view (list));
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_parent (view)));

      g_test_message ("message list: value %.0f, page %.0f, upper %.0f, mapped %d, height %d",
                      gtk_adjustment_get_value (adj), gtk_adjustment_get_page_size (adj),
                      gtk_adjustment_get_upper (adj), gtk_widget_get_mapped (view), gtk_widget_get_height (view));
    }
}

static void
tick_cb (gpointer data)
{
}

void
chat_test_wait (ChatTest *t, gboolean (*cond) (ChatTest *t, gconstpointer data), gconstpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!cond (t, data))
    {
      /* A timer bounds each blocking iteration, so the deadline is seen. */
      WeftDelayedCall *tick = weft_reactor_call_later (t->f->reactor, 50 * 1000, tick_cb, NULL, NULL);

      weft_delayed_call_ref (tick);
      weft_reactor_iterate (t->f->reactor, TRUE);
      weft_delayed_call_cancel (tick);
      weft_delayed_call_unref (tick);
      if (g_get_monotonic_time () > deadline)
        {
          dump (t);
          g_error ("timed out waiting for %s", what);
        }
    }
}

static gboolean
time_passed (ChatTest *t, gconstpointer data)
{
  return g_get_monotonic_time () >= *(const gint64 *) data;
}

void
chat_test_settle (ChatTest *t, guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  chat_test_wait (t, time_passed, &until, "time to pass");
}

void
chat_test_screenshot (ChatTest *t, const char *name)
{
  const char *dir = g_getenv ("WEFT_CHAT_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (dir == NULL || g_strcmp0 (t->f->backend, "glib") != 0)
    return;
  chat_test_settle (t, 400);
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  {
    const char *argv[] = { "import", "-window", "root", path, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error))
      g_test_message ("no screenshot: %s", error->message);
    else
      g_test_message ("screenshot: %s", path);
  }
}

ChatRoom *
chat_test_room (ChatTest *t, const char *name)
{
  return chat_connection_find_room (t->connection, name);
}

ChatMessage *
chat_test_find_message (ChatRoom *room, const char *text, guint *count)
{
  GListModel *messages = chat_room_get_messages (room);
  guint n = g_list_model_get_n_items (messages);
  ChatMessage *found = NULL;

  if (count != NULL)
    *count = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ChatMessage) message = g_list_model_get_item (messages, i);

      if (g_strcmp0 (chat_message_get_text (message), text) == 0)
        {
          if (found == NULL)
            found = message;
          if (count != NULL)
            (*count)++;
        }
    }
  return found; /* the room keeps it alive */
}

static GtkWidget *
find_row_in (GtkWidget *widget, ChatMessage *message)
{
  if (CHAT_IS_MESSAGE_ROW (widget) && chat_message_row_get_message (CHAT_MESSAGE_ROW (widget)) == message)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = find_row_in (child, message);

      if (row != NULL)
        return row;
    }
  return NULL;
}

GtkWidget *
chat_test_find_row (ChatTest *t, ChatMessage *message)
{
  return find_row_in (GTK_WIDGET (chat_message_list_get_list_view (chat_window_get_message_list (t->window))), message);
}

void
chat_test_type (ChatTest *t, const char *text)
{
  ChatInput *input = chat_window_get_input (t->window);

  gtk_editable_set_text (GTK_EDITABLE (chat_input_get_entry (input)), text);
  /* What Enter does. */
  g_signal_emit_by_name (chat_input_get_entry (input), "activate");
}

guint
chat_test_count_observed (ChatTest *t, const char *line)
{
  guint n = 0;

  for (guint i = 0; i < t->observed->len; i++)
    if (g_strcmp0 (t->observed->pdata[i], line) == 0)
      n++;
  return n;
}

AdwMessageDialog *
chat_test_find_message_dialog (const char *response)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (window), response))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

ChatServerDialog *
chat_test_find_server_dialog (ChatTest *t)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (t->app)); l != NULL; l = l->next)
    if (CHAT_IS_SERVER_DIALOG (l->data))
      return l->data;
  return NULL;
}

static void
count_rows_in (GtkWidget *widget, ChatConnection *connection, guint *n)
{
  if (CHAT_IS_SIDEBAR_ROW (widget) &&
      chat_room_get_connection (chat_sidebar_row_get_room (CHAT_SIDEBAR_ROW (widget))) == connection)
    (*n)++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count_rows_in (child, connection, n);
}

guint
chat_test_count_sidebar_rows (ChatTest *t, ChatConnection *connection)
{
  guint n = 0;

  count_rows_in (GTK_WIDGET (chat_window_get_sidebar (t->window)), connection, &n);
  return n;
}

static gboolean
label_in (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (label_in (child, text))
      return TRUE;
  return FALSE;
}

gboolean
chat_test_label_shown (GtkWidget *widget, const char *text)
{
  return label_in (widget, text);
}

gboolean
chat_test_member_present (WeftIrcClient *client, const char *channel, const char *nick)
{
  WeftIrcChannel *object = weft_irc_client_lookup_channel (client, channel);

  return object != NULL && weft_irc_channel_get_joined (object) &&
         weft_irc_channel_lookup_member (object, nick) != NULL;
}
