/* SPDX-License-Identifier: GPL-3.0-or-later */

/* A GTK 4 client written the GTK way: a GtkApplication, whose
 * g_application_run() is the program's only loop, connects to a line-based
 * server with Weft, shows what comes back in a window, and sends what is
 * typed. The backend is chosen with --reactor, like every Weft program;
 * with select, poll or epoll the backend does the application's waiting.
 * This is the program of docs/gtk-client.md.
 *
 *   weft-echo-server --listen tcp:7777 &
 *   weft-gtk-client --connect tcp:localhost:7777 --reactor=epoll
 *   weft-gtk-client --send hello --send world --quit-when-echoed
 */

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <weft/weft.h>

typedef struct {
  GtkApplication *app;
  WeftReactor *reactor;
  GCancellable *cancellable;
  WeftLineReceiver *protocol; /* while connected */

  /* Command line */
  char *connect;
  char **send;
  gboolean quit_when_echoed;

  /* Window */
  GtkLabel *status;
  GtkTextBuffer *log;
  GtkEntry *entry;

  guint n_sent;
  guint n_received;
  int exit_status;
} Client;

static void
append_to_log (Client *client, const char *text)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (client->log, &end);
  gtk_text_buffer_insert (client->log, &end, text, -1);
  gtk_text_buffer_insert (client->log, &end, "\n", 1);
}

static void
send_line (Client *client, const char *text)
{
  weft_line_receiver_send_line (client->protocol, text, -1);
  client->n_sent++;
}

/* The protocol: a line receiver, used through its signals. */

static void
on_line_received (WeftLineReceiver *receiver, const char *line, guint64 len, gpointer user_data)
{
  Client *client = user_data;

  client->n_received++;
  append_to_log (client, line);
  g_print ("%s\n", line); /* for scripts and tests */
  if (client->quit_when_echoed && client->n_received == client->n_sent)
    g_application_quit (G_APPLICATION (client->app));
}

static void
on_connection_lost (WeftProtocol *protocol, const GError *reason, gpointer user_data)
{
  Client *client = user_data;

  if (!g_error_matches (reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE))
    append_to_log (client, reason->message);
  g_clear_object (&client->protocol);
  gtk_widget_set_sensitive (GTK_WIDGET (client->entry), FALSE);
}

/* The connection's state, as the status label shows it. */
static gboolean
state_to_label (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  switch (g_value_get_enum (from))
    {
    case WEFT_CONNECTION_STATE_NEW:
      g_value_set_string (to, _ ("Connecting…"));
      break;
    case WEFT_CONNECTION_STATE_CONNECTED:
      g_value_set_string (to, _ ("Connected"));
      break;
    case WEFT_CONNECTION_STATE_CLOSING:
      g_value_set_string (to, _ ("Closing…"));
      break;
    case WEFT_CONNECTION_STATE_CLOSED:
    default:
      g_value_set_string (to, _ ("Disconnected"));
      break;
    }
  return TRUE;
}

/* The factory's function: it hands the window's Client to each protocol. */
static WeftProtocol *
build_protocol (WeftFactory *factory, GSocketAddress *address, gpointer user_data)
{
  Client *client = user_data;
  WeftLineReceiver *receiver = g_object_new (WEFT_TYPE_LINE_RECEIVER, "accept-bare-lf", TRUE, NULL);

  g_signal_connect (receiver, "line-received", G_CALLBACK (on_line_received), client);
  g_signal_connect (receiver, "connection-lost", G_CALLBACK (on_connection_lost), client);
  g_object_bind_property_full (receiver, "state", client->status, "label", G_BINDING_SYNC_CREATE, state_to_label, NULL,
                               NULL, NULL);
  return WEFT_PROTOCOL (receiver);
}

static void
connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Client *client = user_data;
  g_autoptr (GError) error = NULL;
  WeftProtocol *protocol = weft_client_endpoint_connect_finish (WEFT_CLIENT_ENDPOINT (source), result, &error);

  if (protocol == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return; /* the window was closed */
      gtk_label_set_label (client->status, error->message);
      g_printerr ("%s\n", error->message);
      client->exit_status = 1;
      if (client->quit_when_echoed)
        g_application_quit (G_APPLICATION (client->app));
      return;
    }

  client->protocol = WEFT_LINE_RECEIVER (protocol);
  gtk_widget_set_sensitive (GTK_WIDGET (client->entry), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (client->entry));
  for (guint i = 0; client->send != NULL && client->send[i] != NULL; i++)
    send_line (client, client->send[i]);
}

static void
on_entry_activate (GtkEntry *entry, gpointer user_data)
{
  Client *client = user_data;
  GtkEntryBuffer *buffer = gtk_entry_get_buffer (entry);

  if (client->protocol == NULL || gtk_entry_buffer_get_length (buffer) == 0)
    return;
  send_line (client, gtk_entry_buffer_get_text (buffer));
  gtk_entry_buffer_set_text (buffer, "", 0);
}

/* The application */

static void
on_startup (GApplication *app, gpointer user_data)
{
  Client *client = user_data;
  g_autoptr (GError) error = NULL;

  /* --reactor was parsed by now: create the reactor it names. */
  client->reactor = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NONE, &error);
  if (client->reactor == NULL)
    {
      g_printerr ("%s\n", error->message);
      client->exit_status = 1;
    }
}

static void
on_activate (GApplication *app, gpointer user_data)
{
  Client *client = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (WeftClientFactory) factory = NULL;
  g_autofree char *title = NULL;
  GtkWidget *window, *box, *scrolled, *view;

  if (client->reactor == NULL)
    return;

  window = gtk_application_window_new (client->app);
  title = g_strdup_printf (_ ("Weft client — %s reactor"), weft_reactor_get_backend_name (client->reactor));
  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 320);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_window_set_child (GTK_WINDOW (window), box);
  client->status = GTK_LABEL (gtk_label_new (_ ("Connecting…")));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (client->status));
  view = gtk_text_view_new ();
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  client->log = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), scrolled);
  client->entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (client->entry, _ ("Type a line and press Enter"));
  gtk_widget_set_sensitive (GTK_WIDGET (client->entry), FALSE);
  g_signal_connect (client->entry, "activate", G_CALLBACK (on_entry_activate), client);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (client->entry));
  gtk_window_present (GTK_WINDOW (window));

  endpoint =
      weft_client_endpoint_from_string (client->reactor,
                                        client->connect != NULL ? client->connect : "tcp:localhost:7777", &error);
  if (endpoint == NULL)
    {
      gtk_label_set_label (client->status, error->message);
      g_printerr ("%s\n", error->message);
      client->exit_status = 2;
      if (client->quit_when_echoed)
        g_application_quit (app);
      return;
    }
  factory = weft_client_factory_new_with_func (build_protocol, client, NULL);
  weft_client_endpoint_connect_async (endpoint, factory, client->cancellable, connected_cb, client);
}

static void
on_shutdown (GApplication *app, gpointer user_data)
{
  Client *client = user_data;

  g_cancellable_cancel (client->cancellable);
  if (client->protocol != NULL)
    weft_transport_abort_connection (weft_protocol_get_transport (WEFT_PROTOCOL (client->protocol)));
}

int
main (int argc, char *argv[])
{
  Client client = { 0 };
  const GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &client.connect, N_ ("Where to connect (default: tcp:localhost:7777)"),
      N_ ("ENDPOINT") },
    { "send", 's', 0, G_OPTION_ARG_STRING_ARRAY, &client.send, N_ ("Send this line once connected (repeatable)"),
      N_ ("TEXT") },
    { "quit-when-echoed", 0, 0, G_OPTION_ARG_NONE, &client.quit_when_echoed,
      N_ ("Quit once as many lines came back as were sent"), NULL },
    { NULL },
  };
  int status;

  setlocale (LC_ALL, "");
  /* The examples share the library's catalog; weft_get_option_group()
   * binds it to its directory. */
  textdomain (GETTEXT_PACKAGE);

  client.app = gtk_application_new ("org.weft.Example.GtkClient", G_APPLICATION_NON_UNIQUE);
  client.cancellable = g_cancellable_new ();
  client.exit_status = 0;
  g_application_add_option_group (G_APPLICATION (client.app), weft_get_option_group ());
  g_application_add_main_option_entries (G_APPLICATION (client.app), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (client.app), _ ("— a GTK 4 line client"));
  g_signal_connect (client.app, "startup", G_CALLBACK (on_startup), &client);
  g_signal_connect (client.app, "activate", G_CALLBACK (on_activate), &client);
  g_signal_connect (client.app, "shutdown", G_CALLBACK (on_shutdown), &client);

  status = g_application_run (G_APPLICATION (client.app), argc, argv);

  g_clear_object (&client.protocol);
  g_clear_object (&client.app);
  g_clear_object (&client.reactor);
  g_clear_object (&client.cancellable);
  g_free (client.connect);
  g_strfreev (client.send);
  return status != 0 ? status : client.exit_status;
}
