/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The real weft-chat UI and its servers: editing and removing one, IRC
 * over WebSocket, the keyring fallback, the network monitor. */
#include "config.h"

#include "chat-test-util.h"

static gboolean
server_dialog_shown (ChatTest *t, gconstpointer data)
{
  ChatServerDialog *dialog = chat_test_find_server_dialog (t);

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static ChatServerDialog *
open_server_dialog (ChatTest *t, const char *action)
{
  if (g_str_has_prefix (action, "win."))
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t->window), action, NULL));
  else
    g_action_group_activate_action (G_ACTION_GROUP (t->app), action, NULL);
  chat_test_wait (t, server_dialog_shown, NULL, "the server dialog");
  return chat_test_find_server_dialog (t);
}

static gboolean
connected_as (ChatTest *t, gconstpointer nick)
{
  return chat_connection_get_state (t->connection) == CHAT_CONNECTION_CONNECTED &&
         g_strcmp0 (chat_connection_get_nick (t->connection), nick) == 0 &&
         chat_test_member_present (t->observer, "#weft", nick);
}

static gboolean
left_weft (ChatTest *t, gconstpointer nick)
{
  return !chat_test_member_present (t->observer, "#weft", nick);
}

static gboolean
in_channel (ChatTest *t, gconstpointer name)
{
  ChatRoom *room = chat_test_room (t, name);

  return room != NULL && chat_room_get_joined (room);
}

/* Edit Server shows the server's settings; a new nick and name are saved
 * in GSettings and the connection follows: it reconnects as the new nick,
 * which the server sees, and joins a channel added to the list. */
static void
run_edit_server (ChatTest *t)
{
  ChatServerDialog *dialog;
  g_autoptr (GError) error = NULL;
  g_autoptr (ChatServerConfig) shown = NULL;
  g_autoptr (GPtrArray) configs = NULL;
  ChatServerConfig *saved;
  g_autofree char *id = g_strdup (chat_connection_get_config (t->connection)->id);

  chat_window_select_room (t->window, chat_test_room (t, "#weft"));
  dialog = open_server_dialog (t, "win.edit-server");
  g_assert_true (chat_server_dialog_is_editing (dialog));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Edit Server");
  /* The fields show the server as configured. */
  shown = chat_server_dialog_get_config (dialog, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (shown->id, ==, id);
  g_assert_cmpstr (shown->name, ==, "Test");
  g_assert_cmpstr (shown->url, ==, chat_connection_get_config (t->connection)->url);
  g_assert_cmpstr (shown->nick, ==, "tester");
  g_assert_cmpstr (shown->channels[0], ==, "#weft");
  g_assert_cmpstr (shown->channels[1], ==, "#random");

  chat_server_dialog_fill (dialog, "Edited", "127.0.0.1", t->port, FALSE, "edited", "#weft #random #added");
  chat_test_screenshot (t, "edit-server");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "server.add", NULL));

  /* Saved under the same id... */
  configs = chat_server_config_load_all (chat_application_get_settings (t->app));
  g_assert_cmpuint (configs->len, ==, 1);
  saved = configs->pdata[0];
  g_assert_cmpstr (saved->id, ==, id);
  g_assert_cmpstr (saved->name, ==, "Edited");
  g_assert_cmpstr (saved->nick, ==, "edited");
  g_assert_cmpstr (saved->channels[2], ==, "#added");
  g_assert_cmpuint (g_list_model_get_n_items (chat_application_get_connections (t->app)), ==, 1);
  g_assert_cmpstr (chat_room_get_name (chat_connection_get_server_room (t->connection)), ==, "Edited");

  /* ...and the connection follows. */
  chat_test_wait (t, left_weft, "tester", "the old nick to leave");
  chat_test_wait (t, connected_as, "edited", "the connection as the new nick");
  chat_test_wait (t, in_channel, "#added", "the added channel");
  g_assert_true (chat_test_member_present (t->observer, "#weft", "edited"));
}

static gboolean
second_in_weft (ChatTest *t, gconstpointer nick)
{
  return chat_test_member_present (t->observer, "#weft", nick);
}

static gboolean
disconnected (ChatTest *t, gconstpointer connection)
{
  return chat_connection_get_state ((ChatConnection *) connection) == CHAT_CONNECTION_DISCONNECTED;
}

/* Remove Server asks first; removing disconnects (the server sees the
 * user leave), takes its rooms off the sidebar and out of GSettings. */
static void
run_remove_server (ChatTest *t)
{
  ChatServerDialog *dialog;
  g_autoptr (ChatConnection) second = NULL;
  g_autoptr (GPtrArray) configs = NULL;
  AdwMessageDialog *confirm;
  GListModel *connections = chat_application_get_connections (t->app);

  dialog = open_server_dialog (t, "add-server");
  chat_server_dialog_fill (CHAT_SERVER_DIALOG (dialog), "Second", "127.0.0.1", t->port, FALSE, "second", "#weft");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "server.add", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 2);
  second = g_list_model_get_item (connections, 1);
  chat_test_wait (t, second_in_weft, "second", "the second server's user in #weft");
  chat_test_settle (t, 100);
  g_assert_cmpuint (chat_test_count_sidebar_rows (t, second), ==, 2);
  configs = chat_server_config_load_all (chat_application_get_settings (t->app));
  g_assert_cmpuint (configs->len, ==, 1);
  g_clear_pointer (&configs, g_ptr_array_unref);

  /* Cancel keeps it. */
  chat_window_select_room (t->window, chat_connection_find_room (second, "#weft"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t->window), "win.remove-server", NULL));
  confirm = chat_test_find_message_dialog ("remove");
  g_assert_nonnull (confirm);
  g_test_message ("%s — %s", adw_message_dialog_get_heading (confirm), adw_message_dialog_get_body (confirm));
  g_assert_cmpstr (adw_message_dialog_get_heading (confirm), ==, "Remove Second?");
  adw_message_dialog_response (confirm, "cancel");
  gtk_window_destroy (GTK_WINDOW (confirm));
  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 2);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t->window), "win.remove-server", NULL));
  confirm = chat_test_find_message_dialog ("remove");
  g_assert_nonnull (confirm);
  chat_test_screenshot (t, "remove-server");
  adw_message_dialog_response (confirm, "remove");
  gtk_window_destroy (GTK_WINDOW (confirm));

  g_assert_cmpuint (g_list_model_get_n_items (connections), ==, 1);
  chat_test_wait (t, left_weft, "second", "the server to see the user leave");
  chat_test_wait (t, disconnected, second, "the removed connection to close");
  chat_test_settle (t, 100);
  g_assert_cmpuint (chat_test_count_sidebar_rows (t, second), ==, 0);
  g_assert_cmpuint (chat_test_count_sidebar_rows (t, t->connection), ==, 3);
  /* The window shows a room that is still there. */
  g_assert_true (chat_room_get_connection (chat_window_get_room (t->window)) == t->connection);
  configs = chat_server_config_load_all (chat_application_get_settings (t->app));
  g_assert_cmpuint (configs->len, ==, 0);
  /* The first server is untouched. */
  g_assert_cmpint (chat_connection_get_state (t->connection), ==, CHAT_CONNECTION_CONNECTED);
}

typedef struct {
  ChatConnection *connection;
  const char *text;
} InRoom;

static gboolean
websocket_ready (ChatTest *t, gconstpointer connection)
{
  ChatRoom *room = chat_connection_find_room ((ChatConnection *) connection, "#weft");

  return chat_connection_get_state ((ChatConnection *) connection) == CHAT_CONNECTION_CONNECTED && room != NULL &&
         chat_room_get_joined (room) && chat_test_member_present (t->observer, "#weft", "socket");
}

static gboolean
shown_in_room (ChatTest *t, gconstpointer data)
{
  const InRoom *in = data;
  ChatRoom *room = chat_connection_find_room (in->connection, "#weft");

  return room != NULL && chat_test_find_message (room, in->text, NULL) != NULL;
}

static gboolean
observed (ChatTest *t, gconstpointer line)
{
  return chat_test_count_observed (t, line) > 0;
}

/* A ws:// address in the Add Server dialog: IRC over the chat server's
 * WebSocket listener, messages both ways. */
static void
run_websocket_server (ChatTest *t)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  g_autoptr (ChatConnection) socket = NULL;
  g_autoptr (WeftIrcOutgoing) outgoing = NULL;
  ChatServerDialog *dialog;
  ChatMessage *mine;
  InRoom incoming;

  g_assert_true (wcs_server_listen_http (t->server, "tcp:0:interface=127.0.0.1", &error));
  g_assert_no_error (error);
  url = g_strdup_printf ("ws://127.0.0.1:%u/irc", wcs_server_get_http_port (t->server));
  dialog = open_server_dialog (t, "add-server");
  chat_server_dialog_fill (dialog, "Socket", url, 6667, FALSE, "socket", "#weft");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "server.add", NULL));
  socket = g_list_model_get_item (chat_application_get_connections (t->app), 1);
  g_assert_cmpstr (chat_connection_get_config (socket)->url, ==, url);
  chat_test_wait (t, websocket_ready, socket, "the WebSocket connection in #weft");

  /* To the WebSocket client... */
  outgoing = weft_irc_client_send_privmsg (t->observer, "#weft", "to the socket");
  incoming = (InRoom){ socket, "to the socket" };
  chat_test_wait (t, shown_in_room, &incoming, "the message over the WebSocket");

  /* ...and from it, typed into the entry. */
  chat_window_select_room (t->window, chat_connection_find_room (socket, "#weft"));
  chat_test_type (t, "from the socket");
  chat_test_wait (t, observed, "#weft from the socket", "the observer to receive it");
  mine = chat_test_find_message (chat_connection_find_room (socket, "#weft"), "from the socket", NULL);
  g_assert_nonnull (mine);
  g_assert_cmpuint (chat_test_count_observed (t, "#weft from the socket"), ==, 1);
  chat_test_screenshot (t, "websocket");
}

/* A keyring that is there but does not answer as one: this process owns
 * the Secret Service's name and exports nothing, so every call fails as
 * it does where no keyring runs (and no keyring daemon is started). */
static void
name_acquired (GDBusConnection *bus, const char *name, gpointer data)
{
  *(int *) data = 1;
}

static void
name_lost (GDBusConnection *bus, const char *name, gpointer data)
{
  *(int *) data = -1;
}

static gboolean
name_owned (ChatTest *t, gconstpointer state)
{
  return *(const int *) state != 0;
}

static gboolean
keyring_failed (ChatTest *t, gconstpointer n)
{
  return chat_application_get_keyring_failures (t->app) >= GPOINTER_TO_UINT (n);
}

static guint
count_toasts (ChatTest *t, const char *text)
{
  GPtrArray *toasts = chat_window_get_toasts (t->window);
  guint n = 0;

  for (guint i = 0; i < toasts->len; i++)
    if (g_strcmp0 (toasts->pdata[i], text) == 0)
      n++;
  return n;
}

static gboolean
toast_on_screen (ChatTest *t, gconstpointer text)
{
  return chat_test_label_shown (GTK_WIDGET (t->window), text);
}

static void
add_with_password (ChatTest *t, const char *name, const char *nick)
{
  ChatServerDialog *dialog = open_server_dialog (t, "add-server");

  chat_server_dialog_fill (dialog, name, "127.0.0.1", t->port, FALSE, nick, "");
  chat_server_dialog_set_password (dialog, "hunter2");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "server.add", NULL));
}

/* Without a working keyring, the password is kept for the session and a
 * toast says so, once however many passwords fail to be stored. */
static void
run_keyring_fallback (ChatTest *t)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  const char *expected =
      "No keyring (Secret Service) is running: passwords are kept for this session only and must be entered "
      "again next time.";
  g_autoptr (ChatConnection) first = NULL;
  int owned = 0;
  guint owner;

  g_assert_nonnull (bus);
  owner = g_bus_own_name_on_connection (bus, "org.freedesktop.secrets", G_BUS_NAME_OWNER_FLAGS_REPLACE, name_acquired,
                                        name_lost, &owned, NULL);
  chat_test_wait (t, name_owned, &owned, "the Secret Service's name");
  g_assert_cmpint (owned, ==, 1);

  add_with_password (t, "Guarded", "guarded");
  chat_test_wait (t, keyring_failed, GUINT_TO_POINTER (1), "the keyring to fail");
  g_assert_cmpuint (count_toasts (t, expected), ==, 1);
  chat_test_wait (t, toast_on_screen, expected, "the toast on screen");
  chat_test_screenshot (t, "keyring-fallback");
  first = g_list_model_get_item (chat_application_get_connections (t->app), 1);
  g_assert_cmpstr (chat_connection_get_config (first)->password, ==, "hunter2");

  /* Once per session. */
  add_with_password (t, "Guarded too", "guarded2");
  chat_test_wait (t, keyring_failed, GUINT_TO_POINTER (2), "the keyring to fail again");
  g_assert_cmpuint (count_toasts (t, expected), ==, 1);
  g_bus_unown_name (owner);
}

static gboolean
state_is (ChatTest *t, gconstpointer state)
{
  return (int) chat_connection_get_state (t->connection) == GPOINTER_TO_INT (state);
}

static gboolean
reconnected (ChatTest *t, gconstpointer data)
{
  ChatRoom *room = chat_test_room (t, "#weft");

  return chat_connection_get_state (t->connection) == CHAT_CONNECTION_CONNECTED && room != NULL &&
         chat_room_get_joined (room);
}

static void
note_connecting (ChatConnection *connection, GParamSpec *pspec, gboolean *attempted)
{
  if (chat_connection_get_state (connection) == CHAT_CONNECTION_CONNECTING)
    *attempted = TRUE;
}

/* The network coming back (GNetworkMonitor::network-changed, available)
 * reconnects at once instead of at the end of the back-off; the network
 * going away does not. */
static void
run_network_changed (ChatTest *t)
{
  GNetworkMonitor *monitor = g_network_monitor_get_default ();
  guint16 port = t->port;
  gboolean attempted = FALSE;
  guint seconds = 0;

  wcs_server_kill (t->server);
  g_clear_object (&t->server);
  chat_test_wait (t, state_is, GINT_TO_POINTER (CHAT_CONNECTION_RECONNECTING), "the connection to wait");

  g_signal_emit_by_name (monitor, "network-changed", FALSE);
  g_assert_cmpint (chat_connection_get_state (t->connection), ==, CHAT_CONNECTION_RECONNECTING);
  /* Waiting for the next attempt (one may be under way); between this
   * check and the signal nothing runs, so the attempt that follows is the
   * monitor's. */
  chat_test_wait (t, state_is, GINT_TO_POINTER (CHAT_CONNECTION_RECONNECTING), "the back-off");
  g_test_message ("before: %s", chat_connection_get_status_text (t->connection));
  /* The status counts the back-off in seconds: a few, not a million. */
  g_assert_cmpint (sscanf (chat_connection_get_status_text (t->connection), "Reconnecting in %u s", &seconds), ==, 1);
  g_assert_cmpuint (seconds, >=, 1);
  g_assert_cmpuint (seconds, <=, 60);
  g_signal_connect (t->connection, "notify::state", G_CALLBACK (note_connecting), &attempted);
  g_signal_emit_by_name (monitor, "network-changed", TRUE);
  g_signal_handlers_disconnect_by_func (t->connection, note_connecting, &attempted);
  /* Within the signal: the attempt started (it may have failed already,
   * the server being down). */
  g_assert_true (attempted);
  g_test_message ("after: %s", chat_connection_get_status_text (t->connection));

  /* The server comes back: the connection (its back-off reset) follows. */
  chat_test_start_server (t, port);
  chat_test_wait (t, reconnected, NULL, "the reconnection");
}

static void
test_edit_server (ConformanceFixture *f)
{
  chat_test_run (f, run_edit_server);
}

static void
test_remove_server (ConformanceFixture *f)
{
  chat_test_run (f, run_remove_server);
}

static void
test_websocket_server (ConformanceFixture *f)
{
  chat_test_run (f, run_websocket_server);
}

static void
test_keyring_fallback (ConformanceFixture *f)
{
  chat_test_run (f, run_keyring_fallback);
}

static void
test_network_changed (ConformanceFixture *f)
{
  chat_test_run (f, run_network_changed);
}

const ConformanceCase chat_ui_server_cases[] = {
  { "chat-ui/edit-server", test_edit_server, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/remove-server", test_remove_server, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/websocket-server", test_websocket_server, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/keyring-fallback", test_keyring_fallback, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { "chat-ui/network-changed", test_network_changed, CONFORMANCE_DEFAULT_CONTEXT, chat_test_prepare },
  { NULL },
};
