/* SPDX-License-Identifier: GPL-3.0-or-later */
/* weft-chat under load: the window on screen, the chat server in the same
 * process and thread, and a flood of messages arriving in the open channel.
 * Per backend: frame rate unloaded and loaded, the longest main-loop stall
 * (lateness of a 2 ms reactor timer), messages shown per second, and RSS
 * once 100,000 messages have arrived.
 *
 *   bench-chat-ui [--rate=2000] [--seconds=10] [--total=100000] [--smoke] [BACKEND...]
 *
 * Prints one line of key=value pairs per backend. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "chat-application.h"
#include "wcs-server.h"

static guint rate = 2000;
static double seconds = 10;
static guint total = 100000;
static gboolean smoke;

typedef struct {
  WeftReactor *reactor;
  const char *backend;
  WcsServer *server;
  ChatApplication *app;
  ChatRoom *room;
  WeftProtocol *flooder; /* raw lines: no parsing, no tracking of what it sent */
  gboolean flooder_joined;
  char *data_dir;

  guint frames;
  guint received;
  guint sent;
  gint64 stall_max;
  gint64 next_probe;
  WeftDelayedCall *probe;
  WeftDelayedCall *flood;
  gboolean flooding;
} Bench;

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  ((Bench *) data)->frames++;
  return G_SOURCE_CONTINUE;
}

/* A 2 ms timer: how late it runs is how long the loop was busy. */
static void
probe_cb (gpointer data)
{
  Bench *b = data;
  gint64 now = weft_reactor_get_time (b->reactor);

  if (now - b->next_probe > b->stall_max)
    b->stall_max = now - b->next_probe;
  b->next_probe = now + 2000;
  b->probe = weft_reactor_call_later (b->reactor, 2000, probe_cb, b, NULL);
}

static void
flood_cb (gpointer data)
{
  Bench *b = data;
  /* Every 10 ms, a hundredth of the rate per second. */
  guint n = MAX (1, rate / 100);

  WeftTransport *transport = b->flooder != NULL ? weft_protocol_get_transport (b->flooder) : NULL;
  g_autoptr (GString) lines = g_string_new (NULL);

  /* Raw lines on the flooder's connection: the load is the reader's, not the
   * flooder's own bookkeeping of sent messages. */
  for (guint i = 0; i < n && b->flooding && transport != NULL; i++)
    g_string_append_printf (lines, "PRIVMSG #flood :flood message %u: the quick brown fox jumps over the lazy dog\r\n",
                            b->sent++);
  if (transport != NULL && lines->len > 0)
    weft_transport_write (transport, lines->str, lines->len);
  b->flood = b->flooding ? weft_reactor_call_later (b->reactor, 10000, flood_cb, b, NULL) : NULL;
}

static void
items_changed (GListModel *model, guint position, guint removed, guint added, Bench *b)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (ChatMessage) message = g_list_model_get_item (model, i);

      if (chat_message_get_kind (message) == CHAT_MESSAGE_TEXT)
        b->received++;
    }
}

static WeftDeferred *
flooder_connected (WeftResult *result, gpointer data)
{
  Bench *b = data;
  static const char hello[] = "NICK flooder\r\nUSER flooder 0 * :Flooder\r\nJOIN #flood\r\n";

  b->flooder = weft_result_dup_object (result);
  weft_transport_write (weft_protocol_get_transport (b->flooder), hello, sizeof hello - 1);
  return NULL;
}

static void
run_for (Bench *b, double duration)
{
  gint64 until = g_get_monotonic_time () + (gint64) (duration * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    weft_reactor_iterate (b->reactor, TRUE);
}

static gboolean
wait_for (Bench *b, gboolean (*cond) (Bench *), double timeout)
{
  gint64 until = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);

  while (!cond (b))
    {
      if (g_get_monotonic_time () > until)
        return FALSE;
      weft_reactor_iterate (b->reactor, TRUE);
    }
  return TRUE;
}

static gboolean
ready (Bench *b)
{
  g_autoptr (ChatConnection) connection = g_list_model_get_item (chat_application_get_connections (b->app), 0);
  GListModel *members;

  b->room = chat_connection_find_room (connection, "#flood");
  members = b->room != NULL ? chat_room_get_members (b->room) : NULL;
  /* The flooder is in when the reader sees two members. */
  return b->room != NULL && chat_room_get_joined (b->room) && members != NULL &&
         g_list_model_get_n_items (members) >= 2;
}

static gboolean
all_received (Bench *b)
{
  return b->received >= total;
}

static long
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? atol (line + 6) : -1;
}

static void
activated (GApplication *application, Bench *b)
{
  ChatWindow *window = chat_application_get_window (b->app);
  g_autoptr (GError) error = NULL;
  guint frames_unloaded, frames_loaded, received_before;
  double fps_unloaded, fps_loaded;
  gint64 stall_unloaded;
  gint64 started;

  {
    g_autofree char *endpoint = g_strdup_printf ("tcp:127.0.0.1:%u", wcs_server_get_irc_port (b->server));
    g_autoptr (WeftClientEndpoint) client_endpoint = weft_client_endpoint_from_string (b->reactor, endpoint, &error);
    g_autoptr (WeftClientFactory) factory = weft_client_factory_new (WEFT_TYPE_PROTOCOL);
    g_autoptr (WeftDeferred) connecting = NULL;

    g_assert_no_error (error);
    connecting = weft_client_endpoint_connect (client_endpoint, factory);
    weft_deferred_add_callback (connecting, flooder_connected, b, NULL);
  }
  if (!wait_for (b, ready, 30))
    g_error ("the clients did not join #flood");
  chat_window_select_room (window, b->room);
  g_signal_connect (chat_room_get_messages (b->room), "items-changed", G_CALLBACK (items_changed), b);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), count_frame, b, NULL);
  run_for (b, 1);

  /* Unloaded. */
  b->frames = 0;
  b->stall_max = 0;
  b->next_probe = weft_reactor_get_time (b->reactor) + 2000;
  b->probe = weft_reactor_call_later (b->reactor, 2000, probe_cb, b, NULL);
  run_for (b, seconds / 2);
  frames_unloaded = b->frames;
  fps_unloaded = frames_unloaded / (seconds / 2);
  stall_unloaded = b->stall_max;

  /* Loaded. */
  b->frames = 0;
  b->stall_max = 0;
  received_before = b->received;
  b->flooding = TRUE;
  started = g_get_monotonic_time ();
  flood_cb (b);
  run_for (b, seconds);
  frames_loaded = b->frames;
  fps_loaded = frames_loaded / ((g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  printf ("backend=%s rate=%u seconds=%.0f fps_unloaded=%.1f fps_loaded=%.1f fps_ratio=%.3f "
          "stall_unloaded_ms=%.1f stall_loaded_ms=%.1f sent=%u shown_per_s=%.0f",
          b->backend, rate, seconds, fps_unloaded, fps_loaded, fps_unloaded > 0 ? fps_loaded / fps_unloaded : 0,
          stall_unloaded / 1000.0, b->stall_max / 1000.0, b->sent,
          (b->received - received_before) / ((g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC));
  fflush (stdout);

  /* Keep going until `total` messages have arrived, then read the RSS. */
  if (!wait_for (b, all_received, total / (double) rate * 1.5 + 10))
    printf (" received=%u (fewer than %u)", b->received, total);
  b->flooding = FALSE;
  run_for (b, 0.5);
  printf (" received=%u rows=%u rss_mb=%.1f\n", b->received, chat_room_get_n_messages (b->room), rss_kb () / 1024.0);
  fflush (stdout);

  if (b->flood != NULL)
    weft_delayed_call_cancel (b->flood);
  weft_delayed_call_cancel (b->probe);
  if (weft_protocol_get_transport (b->flooder) != NULL)
    weft_transport_lose_connection (weft_protocol_get_transport (b->flooder));
  g_clear_object (&b->flooder);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
started (GApplication *application, Bench *b)
{
  g_autoptr (ChatServerConfig) config = chat_server_config_new ();
  const char *channels[] = { "#flood", NULL };

  config->name = g_strdup ("Bench");
  config->url = g_strdup_printf ("irc://127.0.0.1:%u", wcs_server_get_irc_port (b->server));
  config->nick = g_strdup ("reader");
  config->channels = g_strdupv ((char **) channels);
  chat_application_add_connection (b->app, config);
}

static int
run_backend (const char *backend)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  Bench b = { 0 };
  char *argv[] = { (char *) "bench-chat-ui", NULL };

  b.backend = backend;
  b.reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NONE, &error);
  g_assert_no_error (error);
  b.data_dir = g_dir_make_tmp ("weft-chat-bench-XXXXXX", &error);
  /* No flood penalty: the flood is the point. */
  g_key_file_set_integer (keyfile, "limits", "flood-penalty-ms", 0);
  g_key_file_set_integer (keyfile, "limits", "sendq-bytes", 64 * 1024 * 1024);
  b.server = wcs_server_new (b.reactor, keyfile, b.data_dir, &error);
  g_assert_no_error (error);
  g_assert_true (wcs_server_listen_irc (b.server, "tcp:0:interface=127.0.0.1", &error));
  b.app = chat_application_new (b.reactor);
  g_signal_connect_after (b.app, "startup", G_CALLBACK (started), &b);
  g_signal_connect_after (b.app, "activate", G_CALLBACK (activated), &b);
  g_application_run (G_APPLICATION (b.app), 1, argv);
  g_object_run_dispose (G_OBJECT (b.app));
  g_clear_object (&b.app);
  wcs_server_kill (b.server);
  g_clear_object (&b.server);
  g_clear_object (&b.reactor);
  g_free (b.data_dir);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("[BACKEND…]");
  g_autoptr (GError) error = NULL;
  const GOptionEntry entries[] = {
    { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "Messages per second", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Length of the loaded run", "S" },
    { "total", 0, 0, G_OPTION_ARG_INT, &total, "Messages to receive before reading the RSS", "N" },
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &smoke, "A short run that only checks it works", NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  /* Xvfb has no GPU: GTK's GL renderer would run on llvmpipe and measure
   * Mesa instead of Weft. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  if (smoke)
    {
      rate = 200;
      seconds = 1;
      total = 300;
    }
  if (!gtk_init_check ())
    {
      g_print ("no display\n");
      return 77;
    }
  for (int i = 1; i < argc; i++)
    run_backend (argv[i]);
  if (argc == 1)
    for (const char *const *name = weft_reactor_list_backends (); *name != NULL; name++)
      if (weft_reactor_backend_is_available (*name, NULL, NULL))
        run_backend (*name);
  return 0;
}
