/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A GTK application written the GTK way, on every backend: a
 * GtkApplication whose g_application_run() is the only loop. It opens a
 * window, listens and connects over TCP, echoes lines, and quits through
 * g_application_quit(). The reactor's GLib poll count proves that with
 * select, poll and epoll the backend did the waiting, not GLib's poll(). */

#include "conformance-stream.h"
#include "conformance.h"

#ifdef HAVE_GTK
#include <gtk/gtk.h>

#define N_LINES 5

typedef struct {
  ConformanceFixture *f;
  GtkApplication *app;
  GtkWidget *window;
  GtkLabel *label;
  guint ticks;
  WeftListeningPort *port;
  WeftProtocol *client;
  guint n_echoed;
  gboolean startup_fired;
  gboolean quitting;
} AppRun;

/* Quits once every line came back and the window has drawn a few frames. */
static void
maybe_quit (AppRun *run)
{
  if (run->quitting || run->n_echoed < N_LINES || run->ticks < 3)
    return;
  run->quitting = TRUE;
  /* Close the window and quit the application, the GTK way. */
  gtk_window_destroy (GTK_WINDOW (run->window));
  g_application_quit (G_APPLICATION (run->app));
}

static void
quit_with_failure (AppRun *run, const GError *error)
{
  g_test_message ("%s", error->message);
  g_test_fail ();
  g_application_quit (G_APPLICATION (run->app));
}

static void
server_line (WeftLineReceiver *receiver, const char *line, guint64 len, gpointer user_data)
{
  weft_line_receiver_send_line (receiver, line, (gssize) len);
}

static WeftProtocol *
build_server (WeftFactory *factory, GSocketAddress *address, gpointer user_data)
{
  WeftProtocol *protocol = g_object_new (WEFT_TYPE_LINE_RECEIVER, NULL);

  g_signal_connect (protocol, "line-received", G_CALLBACK (server_line), NULL);
  return protocol;
}

static void
send_next (AppRun *run)
{
  g_autofree char *line = g_strdup_printf ("line %u", run->n_echoed + 1);

  weft_line_receiver_send_line (WEFT_LINE_RECEIVER (run->client), line, -1);
}

static void
client_line (WeftLineReceiver *receiver, const char *line, guint64 len, gpointer user_data)
{
  AppRun *run = user_data;
  g_autofree char *expected = g_strdup_printf ("line %u", run->n_echoed + 1);

  g_assert_cmpstr (line, ==, expected);
  run->n_echoed++;
  gtk_label_set_text (run->label, line);
  if (run->n_echoed < N_LINES)
    send_next (run);
  else
    maybe_quit (run);
}

static WeftProtocol *
build_client (WeftFactory *factory, GSocketAddress *address, gpointer user_data)
{
  WeftProtocol *protocol = g_object_new (WEFT_TYPE_LINE_RECEIVER, NULL);

  g_signal_connect (protocol, "line-received", G_CALLBACK (client_line), user_data);
  return protocol;
}

static void
connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AppRun *run = user_data;
  g_autoptr (GError) error = NULL;

  run->client = weft_client_endpoint_connect_finish (WEFT_CLIENT_ENDPOINT (source), result, &error);
  if (run->client == NULL)
    {
      quit_with_failure (run, error);
      return;
    }
  gtk_label_set_text (run->label, "connected");
  send_next (run);
}

static void
listening_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AppRun *run = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (WeftClientFactory) factory = NULL;
  g_autofree char *description = NULL;

  run->port = weft_server_endpoint_listen_finish (WEFT_SERVER_ENDPOINT (source), result, &error);
  if (run->port == NULL)
    {
      quit_with_failure (run, error);
      return;
    }
  description = g_strdup_printf ("tcp:127.0.0.1:%u", stream_port_number (run->port));
  endpoint = weft_client_endpoint_from_string (run->f->reactor, description, &error);
  g_assert_no_error (error);
  factory = weft_client_factory_new_with_func (build_client, run, NULL);
  weft_client_endpoint_connect_async (endpoint, factory, NULL, connected_cb, run);
}

static gboolean
count_tick_cb (GtkWidget *widget, GdkFrameClock *frame_clock, gpointer user_data)
{
  AppRun *run = user_data;

  run->ticks++;
  maybe_quit (run);
  return G_SOURCE_CONTINUE;
}

static WeftDeferred *
startup_trigger (WeftReactor *reactor, gpointer user_data)
{
  ((AppRun *) user_data)->startup_fired = TRUE;
  return NULL;
}

static void
activate_cb (GApplication *app, gpointer user_data)
{
  AppRun *run = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftServerEndpoint) endpoint = NULL;
  g_autoptr (WeftFactory) factory = NULL;

  run->window = gtk_application_window_new (GTK_APPLICATION (app));
  g_object_add_weak_pointer (G_OBJECT (run->window), (gpointer *) &run->window);
  gtk_window_set_title (GTK_WINDOW (run->window), "Weft GtkApplication");
  run->label = GTK_LABEL (gtk_label_new ("connecting"));
  gtk_window_set_child (GTK_WINDOW (run->window), GTK_WIDGET (run->label));
  gtk_widget_add_tick_callback (run->window, count_tick_cb, run, NULL);
  gtk_window_present (GTK_WINDOW (run->window));

  endpoint = weft_server_endpoint_from_string (run->f->reactor, "tcp:0:interface=127.0.0.1", &error);
  g_assert_no_error (error);
  factory = weft_factory_new_with_func (build_server, NULL, NULL);
  weft_server_endpoint_listen_async (endpoint, factory, NULL, listening_cb, run);
}

static gboolean have_display;

static void
warm_up (void)
{
  g_autoptr (GtkApplication) app = NULL;

  /* GTK keeps fds (display, fonts) and GApplication its D-Bus connection
   * for the rest of the process: open them before the fixture counts. */
  g_type_ensure (G_TYPE_TASK); /* starts GLib's worker thread, which keeps an fd */
  conformance_gtk_warm_up ();
  have_display = gtk_is_initialized ();
  if (!have_display)
    return;
  app = gtk_application_new ("org.weft.ConformanceWarmUp", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  conformance_drain_default_context ();
}

static void
test_gtk_application_echo (ConformanceFixture *f)
{
  AppRun run = { f };
  int status;

  if (!have_display)
    {
      g_test_skip ("no display for GTK");
      return;
    }

  weft_reactor_add_system_event_trigger (f->reactor, WEFT_TRIGGER_DURING, WEFT_SYSTEM_EVENT_STARTUP, startup_trigger,
                                         &run, NULL);
  run.app = gtk_application_new ("org.weft.ConformanceApplication", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (run.app, "activate", G_CALLBACK (activate_cb), &run);
  status = g_application_run (G_APPLICATION (run.app), 0, NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (run.n_echoed, ==, N_LINES);
  g_assert_null (run.window); /* destroyed before quitting */
  g_assert_cmpuint (run.ticks, >=, 3);
  g_assert_true (run.startup_fired);
  g_test_message ("%s: %" G_GUINT64_FORMAT " waits in GLib's poll function, %u frames", f->backend,
                  weft_reactor_get_glib_poll_count (f->reactor), run.ticks);
  if (g_str_equal (f->backend, "glib"))
    g_assert_cmpuint (weft_reactor_get_glib_poll_count (f->reactor), ==, 0);
  else
    g_assert_cmpuint (weft_reactor_get_glib_poll_count (f->reactor), >, 0);

  weft_transport_abort_connection (weft_protocol_get_transport (run.client));
  stream_stop_listening (f, run.port);
  g_clear_object (&run.port);
  for (guint i = 0; weft_protocol_is_connected (run.client) && i < 1000; i++)
    weft_reactor_iterate (f->reactor, FALSE);
  g_clear_object (&run.client);
  g_clear_object (&run.app);
  conformance_drain_default_context ();
}

const ConformanceCase conformance_gtk_application_cases[] = {
  { "gtk/application-echo", test_gtk_application_echo, CONFORMANCE_DEFAULT_CONTEXT, warm_up },
  { NULL },
};

#else /* !HAVE_GTK */

static void
test_gtk_not_built (ConformanceFixture *f)
{
  g_test_skip ("built without GTK 4");
}

const ConformanceCase conformance_gtk_application_cases[] = {
  { "gtk/application-echo", test_gtk_not_built, CONFORMANCE_DEFAULT_CONTEXT },
  { NULL },
};

#endif
