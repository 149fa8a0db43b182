/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chat-application.h"
#include "chat-certificate.h"
#include "chat-link-preview.h"
#include "chat-preferences.h"
#include "chat-secrets.h"
#include "chat-server-dialog.h"
#ifdef HAVE_CHAT_SERVER
#include "wcs-demo.h"
#include "wcs-server.h"
#else
typedef struct _WcsServer WcsServer;
typedef struct _WcsDemo WcsDemo;
#endif

struct _ChatApplication {
  AdwApplication parent_instance;

  WeftReactor *reactor;
  GSettings *settings;
  GListStore *connections;
  ChatWindow *window;
  ChatLinkPreview *link_preview;
  GNetworkMonitor *network_monitor;

  gboolean demo_mode;
  char *demo_dir;
  WcsServer *demo_server;
  WcsDemo *demo;

  gint64 started_at;
  gboolean report_startup;
  gboolean first_frame_seen;
  GString *startup_steps; /* "name=ms " for --startup-time */

  gboolean want_demo;
  gboolean activated;
  gboolean keyring_warned;
  guint keyring_failures;
  int focus_override; /* -1: ask the window */

  /* Whether anything would show a notification: a notification service
   * on the session bus (running or activatable) or the portal. */
  guint notification_watches[2];
  gboolean notification_owner[2];
  gboolean notification_activatable;
  gboolean run_reactor;
  int exit_status;
  GPtrArray *urls;
};

G_DEFINE_FINAL_TYPE (ChatApplication, chat_application, ADW_TYPE_APPLICATION)

enum {
  NOTIFICATION_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

WeftReactor *
chat_application_get_reactor (ChatApplication *self)
{
  return self->reactor;
}

GSettings *
chat_application_get_settings (ChatApplication *self)
{
  return self->settings;
}

GListModel *
chat_application_get_connections (ChatApplication *self)
{
  return G_LIST_MODEL (self->connections);
}

ChatWindow *
chat_application_get_window (ChatApplication *self)
{
  return self->window;
}

gpointer
chat_application_get_demo_server (ChatApplication *self)
{
  return self->demo_server;
}

static gboolean
link_titles_enabled (ChatApplication *self)
{
  return self->demo_mode || g_settings_get_boolean (self->settings, "fetch-link-titles");
}

void
chat_application_override_focus (ChatApplication *self, int focused)
{
  self->focus_override = focused;
}

static gboolean
window_focused (ChatApplication *self)
{
  if (self->focus_override >= 0)
    return self->focus_override != 0;
  return self->window != NULL && gtk_window_is_active (GTK_WINDOW (self->window));
}

static const char *const notification_services[] = { "org.freedesktop.Notifications", "org.gtk.Notifications" };

gboolean
chat_application_can_notify (ChatApplication *self)
{
  return self->notification_owner[0] || self->notification_owner[1] || self->notification_activatable ||
         g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

static void
notification_service_appeared (GDBusConnection *bus, const char *name, const char *owner, gpointer data)
{
  ChatApplication *self = data;

  self->notification_owner[g_strcmp0 (name, notification_services[0]) == 0 ? 0 : 1] = TRUE;
}

static void
notification_service_vanished (GDBusConnection *bus, const char *name, gpointer data)
{
  ChatApplication *self = data;

  self->notification_owner[g_strcmp0 (name, notification_services[0]) == 0 ? 0 : 1] = FALSE;
}

static void
activatable_names_ready (GObject *source, GAsyncResult *result, gpointer data)
{
  GWeakRef *ref = data;
  g_autoptr (ChatApplication) self = g_weak_ref_get (ref);
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);
  g_autofree const char **names = NULL;

  g_weak_ref_clear (ref);
  g_free (ref);
  if (self == NULL || reply == NULL)
    return;
  g_variant_get (reply, "(^a&s)", &names);
  for (guint i = 0; i < G_N_ELEMENTS (notification_services); i++)
    if (g_strv_contains (names, notification_services[i]))
      self->notification_activatable = TRUE;
}

/* GLib warns when it cannot reach a notification service: find out first
 * whether there is one, and stay quiet where there is none. */
static void
watch_notification_services (ChatApplication *self)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (self));
  GWeakRef *ref;

  if (bus == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (notification_services); i++)
    self->notification_watches[i] =
        g_bus_watch_name_on_connection (bus, notification_services[i], G_BUS_NAME_WATCHER_FLAGS_NONE,
                                        notification_service_appeared, notification_service_vanished, self, NULL);
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  g_dbus_connection_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "ListActivatableNames", NULL, G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          activatable_names_ready, ref);
}

/* Notifications need a session bus and a service that shows them; without
 * them they are skipped quietly. */
static void
message_notify (ChatConnection *connection, ChatRoom *room, ChatMessage *message, ChatApplication *self)
{
  g_autoptr (GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;

  if (window_focused (self))
    return;
  if (!g_settings_get_boolean (self->settings, "notifications") ||
      g_application_get_dbus_connection (G_APPLICATION (self)) == NULL || !chat_application_can_notify (self))
    return;
  if (chat_room_get_kind (room) == CHAT_ROOM_QUERY)
    title = g_strdup_printf (_ ("%s (private message)"), chat_message_get_nick (message));
  else
    /* TRANSLATORS: notification title: "nick in #channel" */
    title = g_strdup_printf (_ ("%s in %s"), chat_message_get_nick (message), chat_room_get_name (room));
  notification = g_notification_new (title);
  g_notification_set_body (notification, chat_message_get_text (message));
  g_notification_set_default_action_and_target (notification, "app.show-room", "(ss)",
                                                chat_connection_get_config (connection)->id, chat_room_get_name (room));
  id = g_strdup_printf ("room-%s", chat_room_get_name (room));
  g_application_send_notification (G_APPLICATION (self), id, notification);
  g_signal_emit (self, signals[NOTIFICATION_SENT], 0, id, notification);
}

guint
chat_application_get_keyring_failures (ChatApplication *self)
{
  return self->keyring_failures;
}

void
chat_application_keyring_failed (ChatApplication *self, const GError *error)
{
  g_debug ("Keyring: %s", error->message);
  self->keyring_failures++;
  if (self->keyring_warned || self->window == NULL)
    return;
  self->keyring_warned = TRUE;
  chat_window_add_toast (self->window, chat_secrets_describe_error (error));
}

static void
room_items_changed (GListModel *messages, guint position, guint removed, guint added, ChatApplication *self)
{
  if (added == 0 || !link_titles_enabled (self) || self->link_preview == NULL)
    return;
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (ChatMessage) message = g_list_model_get_item (messages, i);

      if (chat_message_get_first_link (message) != NULL && chat_message_get_link_title (message) == NULL)
        chat_link_preview_request (self->link_preview, message);
    }
}

static void
rooms_changed (GListModel *rooms, guint position, guint removed, guint added, ChatApplication *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (ChatRoom) room = g_list_model_get_item (rooms, i);

      g_signal_connect_object (chat_room_get_messages (room), "items-changed", G_CALLBACK (room_items_changed), self,
                               0);
    }
}

static void
certificate_problem (ChatConnection *connection, const GError *error, ChatApplication *self)
{
  chat_certificate_dialog_show (GTK_WINDOW (self->window), connection, error);
}

/* A pin the user chose is kept with the server's settings. */
static void
config_changed (ChatConnection *connection, ChatApplication *self)
{
  if (!self->demo_mode)
    chat_server_config_save (self->settings, chat_connection_get_config (connection));
}

ChatConnection *
chat_application_add_connection (ChatApplication *self, const ChatServerConfig *config)
{
  g_autoptr (ChatConnection) connection = chat_connection_new (self->reactor, config);
  GListModel *rooms = chat_connection_get_rooms (connection);

  g_signal_connect_object (connection, "message-notify", G_CALLBACK (message_notify), self, 0);
  g_signal_connect_object (connection, "certificate-problem", G_CALLBACK (certificate_problem), self, 0);
  g_signal_connect_object (connection, "config-changed", G_CALLBACK (config_changed), self, 0);
  g_signal_connect_object (rooms, "items-changed", G_CALLBACK (rooms_changed), self, 0);
  rooms_changed (rooms, 0, 0, g_list_model_get_n_items (rooms), self);
  g_list_store_append (self->connections, connection);
  chat_connection_connect (connection);
  if (self->window != NULL && chat_window_get_room (self->window) == NULL)
    {
      g_autoptr (ChatRoom) first = g_list_model_get_item (rooms, g_list_model_get_n_items (rooms) > 1 ? 1 : 0);
      chat_window_select_room (self->window, first);
    }
  return connection;
}

/* Servers from GSettings, each after its password has been looked up. */
typedef struct {
  ChatApplication *self;
  ChatServerConfig *config;
} PendingServer;

static void
server_password_ready (GObject *source, GAsyncResult *result, gpointer data)
{
  PendingServer *pending = data;
  g_autoptr (GError) error = NULL;

  pending->config->password = chat_secrets_lookup_finish (result, &error);
  if (error != NULL)
    chat_application_keyring_failed (pending->self, error);
  chat_application_add_connection (pending->self, pending->config);
  g_object_unref (pending->self);
  chat_server_config_free (pending->config);
  g_free (pending);
}

static void
load_servers (ChatApplication *self)
{
  g_autoptr (GPtrArray) configs = chat_server_config_load_all (self->settings);

  for (guint i = 0; i < configs->len; i++)
    {
      ChatServerConfig *config = configs->pdata[i];

      if (config->sasl_account != NULL && config->sasl_account[0] != '\0')
        {
          PendingServer *pending = g_new0 (PendingServer, 1);

          pending->self = g_object_ref (self);
          pending->config = chat_server_config_copy (config);
          chat_secrets_lookup (config->id, server_password_ready, pending);
        }
      else
        chat_application_add_connection (self, config);
    }
}

static void
server_added (ChatServerDialog *dialog, ChatServerConfig *config, ChatApplication *self)
{
  chat_server_config_save (self->settings, config);
  if (config->password != NULL && config->password[0] != '\0')
    chat_secrets_store (config->id, config->name, config->password, self);
  chat_application_add_connection (self, config);
}

ChatConnection *
chat_application_find_connection (ChatApplication *self, const char *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ChatConnection) connection = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      if (g_strcmp0 (chat_connection_get_config (connection)->id, id) == 0)
        return connection; /* the list keeps it */
    }
  return NULL;
}

static void
server_changed (ChatServerDialog *dialog, ChatServerConfig *config, ChatApplication *self)
{
  ChatConnection *connection = chat_application_find_connection (self, config->id);
  const char *old_password = connection != NULL ? chat_connection_get_config (connection)->password : NULL;

  if (!self->demo_mode)
    chat_server_config_save (self->settings, config);
  if (config->password != NULL && config->password[0] != '\0' && g_strcmp0 (config->password, old_password) != 0)
    chat_secrets_store (config->id, config->name, config->password, self);
  if (connection != NULL)
    chat_connection_set_config (connection, config);
}

void
chat_application_remove_connection (ChatApplication *self, ChatConnection *connection)
{
  g_autoptr (ChatConnection) removing = g_object_ref (connection);
  const ChatServerConfig *config = chat_connection_get_config (connection);
  ChatRoom *shown = self->window != NULL ? chat_window_get_room (self->window) : NULL;
  guint position;

  if (!g_list_store_find (self->connections, connection, &position))
    return;
  if (!self->demo_mode)
    chat_server_config_remove (self->settings, config->id);
  if (config->sasl_account != NULL && config->sasl_account[0] != '\0')
    chat_secrets_clear (config->id);
  g_signal_handlers_disconnect_by_data (connection, self);
  g_signal_handlers_disconnect_by_data (chat_connection_get_rooms (connection), self);
  chat_connection_disconnect (connection, NULL);
  g_list_store_remove (self->connections, position);
  /* The room on screen went with it: show the first one left. */
  if (self->window != NULL && shown != NULL && chat_room_get_connection (shown) == connection &&
      g_list_model_get_n_items (G_LIST_MODEL (self->connections)) > 0)
    {
      g_autoptr (ChatConnection) first = g_list_model_get_item (G_LIST_MODEL (self->connections), 0);
      GListModel *rooms = chat_connection_get_rooms (first);
      g_autoptr (ChatRoom) room = g_list_model_get_item (rooms, g_list_model_get_n_items (rooms) > 1 ? 1 : 0);

      chat_window_select_room (self->window, room);
    }
}

/* The embedded server and its demo users: the history database opens (and
 * on a first start is created) on its own threads. */
static gboolean
start_demo_server (ChatApplication *self, const char *data_dir, GError **error)
{
  /* data_dir may be self->demo_dir itself: copy before freeing. */
  char *dir =
      data_dir != NULL ? g_strdup (data_dir) : g_build_filename (g_get_user_cache_dir (), "weft-chat", "demo", NULL);

  self->demo_mode = TRUE;
  g_free (self->demo_dir);
  self->demo_dir = dir;
#ifndef HAVE_CHAT_SERVER
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _ ("This build has no chat server."));
  return FALSE;
#else
  self->demo_server = wcs_server_new (self->reactor, NULL, self->demo_dir, error);
  if (self->demo_server == NULL || !wcs_server_listen_irc (self->demo_server, "tcp:0:interface=127.0.0.1", error))
    return FALSE;
  self->demo = wcs_demo_start (self->demo_server, 10000, error);
  return self->demo != NULL;
#endif
}

gboolean
chat_application_start_demo (ChatApplication *self, const char *data_dir, GError **error)
{
#ifndef HAVE_CHAT_SERVER
  return start_demo_server (self, data_dir, error);
#else
  g_autoptr (ChatServerConfig) config = chat_server_config_new ();
  const char *channels[] = { "#weft", "#random", "#history", NULL };
  const char *user = g_get_user_name ();

  /* weft-chat --demo started the server before GTK (see
   * chat_application_main). */
  if (self->demo_server == NULL && !start_demo_server (self, data_dir, error))
    return FALSE;

  g_free (config->name);
  config->name = g_strdup (_ ("Weft Demo"));
  config->url = g_strdup_printf ("irc://127.0.0.1:%u", wcs_server_get_irc_port (self->demo_server));
  config->nick = g_strdup (user != NULL && g_ascii_isalpha (user[0]) && strlen (user) < 16 ? user : "visitor");
  config->realname = g_strdup (_ ("Weft Chat user"));
  config->channels = g_strdupv ((char **) channels);
  chat_application_add_connection (self, config);
  return TRUE;
#endif
}

/* URLs on the command line connect for this session: irc://nick@host:port/#channel */
static gboolean
connect_urls (ChatApplication *self, GError **error)
{
  for (guint i = 0; i < self->urls->len; i++)
    {
      g_autoptr (ChatServerConfig) config = chat_server_config_new ();
      g_autoptr (GUri) uri = g_uri_parse (self->urls->pdata[i], G_URI_FLAGS_NONE, error);
      const char *fragment;

      if (uri == NULL)
        return FALSE;
      fragment = g_uri_get_fragment (uri);
      config->name = g_strdup (g_uri_get_host (uri));
      config->url = g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri),
                                     g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 6667);
      config->nick = g_strdup (g_uri_get_user (uri) != NULL ? g_uri_get_user (uri) : g_get_user_name ());
      if (fragment != NULL && fragment[0] != '\0')
        {
          g_autofree char *channel = g_strconcat ("#", fragment, NULL);
          char *channels[] = { channel, NULL };

          config->channels = g_strdupv (channels);
        }
      chat_application_add_connection (self, config);
      self->demo_mode = TRUE; /* a session without the saved servers */
    }
  return TRUE;
}

/* Actions */

static void
about_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  ChatApplication *self = data;
  g_autofree char *comments = NULL;
  const char *developers[] = { "The Weft authors", NULL };
  GtkWidget *about;

  /* TRANSLATORS: %s is the event loop backend, such as "epoll" */
  comments = g_strdup_printf (_ ("A chat client where the network and the interface share one thread.\n\n"
                                 "Event loop: %s"),
                              weft_reactor_get_backend_name (self->reactor));
  about = g_object_new (ADW_TYPE_ABOUT_WINDOW, "transient-for", self->window, "application-name", _ ("Weft Chat"),
                        "application-icon", CHAT_APPLICATION_ID, "developer-name", _ ("The Weft authors"), "version",
                        WEFT_VERSION, "comments", comments, "website", "https://example.org/weft", "license-type",
                        GTK_LICENSE_GPL_3_0, "developers", developers, "debug-info", comments, NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  ChatApplication *self = data;
  GtkWindow *preferences = chat_preferences_new (GTK_WINDOW (self->window), self->settings);

  gtk_window_present (preferences);
}

static void
add_server_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  ChatApplication *self = data;
  ChatServerDialog *dialog = chat_server_dialog_new (GTK_WINDOW (self->window));

  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  g_signal_connect_object (dialog, "server-added", G_CALLBACK (server_added), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_server_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  ChatApplication *self = data;
  ChatConnection *connection = chat_application_find_connection (self, g_variant_get_string (parameter, NULL));
  ChatServerDialog *dialog;

  if (connection == NULL)
    return;
  dialog = chat_server_dialog_new_for_server (GTK_WINDOW (self->window), chat_connection_get_config (connection));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  g_signal_connect_object (dialog, "server-changed", G_CALLBACK (server_changed), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
remove_response (AdwMessageDialog *dialog, const char *response, ChatApplication *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "server-id");
  ChatConnection *connection = chat_application_find_connection (self, id);

  if (g_strcmp0 (response, "remove") == 0 && connection != NULL)
    chat_application_remove_connection (self, connection);
}

static void
remove_server_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  ChatApplication *self = data;
  const char *id = g_variant_get_string (parameter, NULL);
  ChatConnection *connection = chat_application_find_connection (self, id);
  AdwMessageDialog *dialog;

  if (connection == NULL)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self->window), NULL, NULL));
  /* TRANSLATORS: %s is the name of a server */
  adw_message_dialog_format_heading (dialog, _ ("Remove %s?"), chat_connection_get_config (connection)->name);
  adw_message_dialog_set_body (dialog, _ ("Its channels and private chats are closed and Weft Chat no longer "
                                          "connects to it."));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "remove", _ ("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "server-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
quit_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  ChatApplication *self = data;

  if (self->window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->window));
  weft_reactor_stop (self->reactor);
}

static void
show_room_activated (GSimpleAction *action, GVariant *parameter, gpointer data)
{
  ChatApplication *self = data;
  const char *id, *name;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

  g_variant_get (parameter, "(&s&s)", &id, &name);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ChatConnection) connection = g_list_model_get_item (G_LIST_MODEL (self->connections), i);
      ChatRoom *room = chat_connection_find_room (connection, name);

      if (g_strcmp0 (chat_connection_get_config (connection)->id, id) == 0 && room != NULL && self->window != NULL)
        {
          chat_window_select_room (self->window, room);
          gtk_window_present (GTK_WINDOW (self->window));
        }
    }
}

static void
network_changed (GNetworkMonitor *monitor, gboolean available, ChatApplication *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ChatConnection) connection = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      chat_connection_network_changed (connection, available);
    }
}

/* --startup-time: when each step of the start-up ended, in ms since main(). */
static void
startup_step (ChatApplication *self, const char *name)
{
  if (!self->report_startup)
    return;
  if (self->startup_steps == NULL)
    self->startup_steps = g_string_new (NULL);
  g_string_append_printf (self->startup_steps, " %s_ms=%.1f", name,
                          (g_get_monotonic_time () - self->started_at) / 1000.0);
}

/* The first frame painted with a channel on screen: the window's content
 * is there and the message view shows the room the user will read. */
static void
first_frame (GdkFrameClock *clock, ChatApplication *self)
{
  ChatRoom *room;
  gint64 now = g_get_monotonic_time ();

  if (self->first_frame_seen)
    return;
  room = self->window != NULL ? chat_window_get_room (self->window) : NULL;
  if (self->demo_mode && (room == NULL || chat_room_get_kind (room) == CHAT_ROOM_SERVER))
    return;
  self->first_frame_seen = TRUE;
  if (self->report_startup)
    {
      /* first_frame_us is CLOCK_MONOTONIC, for a caller that timed the
       * process from before it started. */
      struct timespec cpu;

      /* And the CPU time this thread used until now (from its start). */
      clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu);
      g_print ("startup-to-first-frame-ms %.1f first_frame_us=%" G_GINT64_FORMAT "%s cpu_ms=%.1f\n",
               (now - self->started_at) / 1000.0, now, self->startup_steps != NULL ? self->startup_steps->str : "",
               cpu.tv_sec * 1e3 + cpu.tv_nsec / 1e6);
      weft_reactor_stop (self->reactor);
    }
}

static void
window_mapped (GtkWidget *window, ChatApplication *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  if (clock != NULL)
    g_signal_connect_object (clock, "after-paint", G_CALLBACK (first_frame), self, 0);
}

static void
window_removed (GtkApplication *application, GtkWindow *window)
{
  ChatApplication *self = CHAT_APPLICATION (application);

  if ((GtkWindow *) self->window == window)
    self->window = NULL;
  GTK_APPLICATION_CLASS (chat_application_parent_class)->window_removed (application, window);
  if (gtk_application_get_windows (application) == NULL)
    weft_reactor_stop (self->reactor);
}

static void
chat_application_activate (GApplication *application)
{
  ChatApplication *self = CHAT_APPLICATION (application);
  g_autoptr (GError) error = NULL;
  gboolean first = self->window == NULL && !self->activated;

  self->activated = TRUE;
  startup_step (self, "activate");
  if (first && self->want_demo && !chat_application_start_demo (self, self->demo_dir, &error))
    {
      g_printerr (_ ("Cannot start the demo server: %s\n"), error->message);
      self->exit_status = 1;
      return;
    }
  if (first && self->want_demo)
    startup_step (self, "demo");
  if (first && !connect_urls (self, &error))
    {
      g_printerr ("%s\n", error->message);
      self->exit_status = 2;
      return;
    }
  if (self->window == NULL)
    {
      self->window = chat_window_new (GTK_APPLICATION (self), G_LIST_MODEL (self->connections));
      g_signal_connect_object (self->window, "map", G_CALLBACK (window_mapped), self, 0);
      if (!self->demo_mode)
        load_servers (self);
      if (g_list_model_get_n_items (G_LIST_MODEL (self->connections)) > 0)
        {
          g_autoptr (ChatConnection) connection = g_list_model_get_item (G_LIST_MODEL (self->connections), 0);
          GListModel *rooms = chat_connection_get_rooms (connection);
          g_autoptr (ChatRoom) room = g_list_model_get_item (rooms, g_list_model_get_n_items (rooms) > 1 ? 1 : 0);

          chat_window_select_room (self->window, room);
        }
      startup_step (self, "window");
    }
  gtk_window_present (GTK_WINDOW (self->window));
  startup_step (self, "present");
  if (!self->demo_mode && g_list_model_get_n_items (G_LIST_MODEL (self->connections)) == 0)
    g_action_group_activate_action (G_ACTION_GROUP (self), "add-server", NULL);

  /* The reactor runs the loop, whichever backend it is, until the last
   * window closes; then g_application_run() finishes with shutdown. */
  if (first && self->run_reactor)
    {
      weft_reactor_run (self->reactor);
      if (self->window != NULL)
        gtk_window_destroy (GTK_WINDOW (self->window));
    }
}

static void
chat_application_startup (GApplication *application)
{
  ChatApplication *self = CHAT_APPLICATION (application);
  static const GActionEntry actions[] = {
    { "about", about_activated },
    { "preferences", preferences_activated },
    { "add-server", add_server_activated },
    { "quit", quit_activated },
    { "show-room", show_room_activated, "(ss)" },
    { "edit-server", edit_server_activated, "s" },
    { "remove-server", remove_server_activated, "s" },
  };
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };
  const char *help_accels[] = { "<Control>question", NULL };
  const char *add_server_accels[] = { "<Control>n", NULL };

  startup_step (self, "gapplication");
  G_APPLICATION_CLASS (chat_application_parent_class)->startup (application);
  startup_step (self, "gtk");
  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.add-server", add_server_accels);
  gtk_window_set_default_icon_name (CHAT_APPLICATION_ID);

  self->settings = g_settings_new (CHAT_APPLICATION_ID);
  self->link_preview = chat_link_preview_new (self->reactor);
  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect_object (self->network_monitor, "network-changed", G_CALLBACK (network_changed), self, 0);
  watch_notification_services (self);
  startup_step (self, "startup");
}

#ifdef HAVE_CHAT_SERVER
static WeftDeferred *
server_closed (WeftResult *result, gpointer data)
{
  *(gboolean *) data = TRUE;
  return NULL;
}
#endif

static gboolean
all_disconnected (ChatApplication *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ChatConnection) connection = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      if (chat_connection_get_state (connection) != CHAT_CONNECTION_DISCONNECTED)
        return FALSE;
    }
  return TRUE;
}

/* Says goodbye on every connection and waits until the servers have
 * closed them, then lets the embedded server close and flush its history
 * (for at most two seconds in all). */
static void
chat_application_shutdown (GApplication *application)
{
  ChatApplication *self = CHAT_APPLICATION (application);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  /* On the heap: the server may finish after we stopped waiting. */
  gboolean *closed = g_rc_box_new0 (gboolean);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ChatConnection) connection = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      chat_connection_disconnect (connection, NULL);
    }
  while (!all_disconnected (self) && g_get_monotonic_time () < deadline)
    if (!weft_reactor_iterate (self->reactor, FALSE))
      g_usleep (1000);
  *closed = TRUE;
#ifdef HAVE_CHAT_SERVER
  g_clear_pointer (&self->demo, wcs_demo_stop);
  if (self->demo_server != NULL)
    {
      g_autoptr (WeftDeferred) closing = wcs_server_shutdown (self->demo_server);

      *closed = FALSE;
      weft_deferred_add_both (closing, server_closed, g_rc_box_acquire (closed), (GDestroyNotify) g_rc_box_release);
    }
#endif
  while (!*closed && g_get_monotonic_time () < deadline)
    if (!weft_reactor_iterate (self->reactor, FALSE))
      g_usleep (1000);
  g_rc_box_release (closed);
  G_APPLICATION_CLASS (chat_application_parent_class)->shutdown (application);
}

static void
chat_application_dispose (GObject *object)
{
  ChatApplication *self = CHAT_APPLICATION (object);

  if (self->connections != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (ChatConnection) connection = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

          g_signal_handlers_disconnect_by_data (connection, self);
          g_signal_handlers_disconnect_by_data (chat_connection_get_rooms (connection), self);
          chat_connection_disconnect (connection, NULL);
        }
      g_list_store_remove_all (self->connections);
    }
#ifdef HAVE_CHAT_SERVER
  g_clear_pointer (&self->demo, wcs_demo_stop);
  if (self->demo_server != NULL)
    wcs_server_kill (self->demo_server);
  g_clear_object (&self->demo_server);
#endif
  for (guint i = 0; i < G_N_ELEMENTS (self->notification_watches); i++)
    if (self->notification_watches[i] != 0)
      {
        g_bus_unwatch_name (self->notification_watches[i]);
        self->notification_watches[i] = 0;
      }
  g_clear_object (&self->link_preview);
  g_clear_object (&self->network_monitor);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (chat_application_parent_class)->dispose (object);
}

static void
chat_application_finalize (GObject *object)
{
  ChatApplication *self = CHAT_APPLICATION (object);

  g_clear_object (&self->connections);
  g_clear_object (&self->reactor);
  g_clear_pointer (&self->urls, g_ptr_array_unref);
  g_free (self->demo_dir);
  if (self->startup_steps != NULL)
    g_string_free (self->startup_steps, TRUE);
  G_OBJECT_CLASS (chat_application_parent_class)->finalize (object);
}

static void
chat_application_class_init (ChatApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_class = GTK_APPLICATION_CLASS (klass);

  object_class->dispose = chat_application_dispose;
  object_class->finalize = chat_application_finalize;
  app_class->startup = chat_application_startup;
  app_class->activate = chat_application_activate;
  app_class->shutdown = chat_application_shutdown;
  gtk_class->window_removed = window_removed;

  /* A notification was handed to the desktop (for tests: the desktop may
   * have no notification service). */
  signals[NOTIFICATION_SENT] = g_signal_new ("notification-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                             NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_NOTIFICATION);
}

static void
chat_application_init (ChatApplication *self)
{
  self->connections = g_list_store_new (CHAT_TYPE_CONNECTION);
  self->urls = g_ptr_array_new_with_free_func (g_free);
  self->started_at = g_get_monotonic_time ();
  self->focus_override = -1;
}

ChatApplication *
chat_application_new (WeftReactor *reactor)
{
  ChatApplication *self = g_object_new (CHAT_TYPE_APPLICATION, "application-id", CHAT_APPLICATION_ID, "flags",
                                        G_APPLICATION_NON_UNIQUE, "resource-base-path", "/org/weft/Chat", NULL);

  self->reactor = g_object_ref (reactor);
  return self;
}

/* The application is registered and activated here and the reactor runs
 * the loop: that works the same on every backend, including those that do
 * not hook into g_application_run(). */
int
chat_application_main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  g_autoptr (ChatApplication) self = NULL;
  gboolean demo = FALSE;
  gboolean version = FALSE;
  gboolean startup_time = FALSE;
  g_autofree char *demo_dir = NULL;
  const char *locale_dir = g_getenv ("WEFT_LOCALEDIR");
  const char *reactor_name;
  gint64 started_at = g_get_monotonic_time ();
  int status;
  const GOptionEntry entries[] = {
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo, N_ ("Start a chat server in this process and connect to it"), NULL },
    { "demo-dir", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &demo_dir, NULL, NULL },
    { "startup-time", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &startup_time, NULL, NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_ ("Show the version and exit"), NULL },
    { NULL },
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir != NULL ? locale_dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_ ("[URL…]"));
  g_option_context_set_summary (context, _ ("Weft Chat, an IRC client"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, weft_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("weft-chat %s\n", WEFT_VERSION);
      return 0;
    }

  /* GUI programs default to the glib backend; --reactor or WEFT_REACTOR
   * pick another. */
  reactor_name = weft_options_get_reactor_name ();
  if (reactor_name == NULL && g_getenv ("WEFT_REACTOR") == NULL)
    reactor_name = "glib";
  reactor = weft_reactor_new (reactor_name, WEFT_REACTOR_FLAGS_NONE, &error);
  if (reactor == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  self = chat_application_new (reactor);
  self->run_reactor = TRUE;
  self->started_at = started_at;
  self->report_startup = startup_time;
  startup_step (self, "options");
  self->want_demo = demo;
  self->demo_dir = g_steal_pointer (&demo_dir);
  /* The embedded server opens its history database on its own threads
   * (creates it on a first start): started now, that work overlaps GTK's
   * start-up (most of it GDK's GL probe on this thread) instead of
   * competing with the first frame. */
  if (demo && !start_demo_server (self, self->demo_dir, &error))
    {
      g_printerr (_ ("Cannot start the demo server: %s\n"), error->message);
      return 1;
    }
  if (demo)
    startup_step (self, "server");
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (self->urls, g_strdup (argv[i]));
  /* GApplication's own lifecycle (startup, activate, shutdown) with the
   * reactor running the loop inside activate: see chat_application_activate. */
  status = g_application_run (G_APPLICATION (self), 1, argv);
  return self->exit_status != 0 ? self->exit_status : status;
}
