/* SPDX-License-Identifier: GPL-3.0-or-later */
/* weft-chat-server: the chat server program, a thin main over wcs-server. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "wcs-demo.h"
#include "wcs-server.h"

typedef struct {
  WeftReactor *reactor;
  WcsServer *server;
  WcsDemo *demo;
  char **irc;
  char **http;
  int status;
} App;

static WeftDeferred *
shutdown_trigger (WeftReactor *reactor, gpointer user_data)
{
  App *app = user_data;

  g_clear_pointer (&app->demo, wcs_demo_stop);
  return wcs_server_shutdown (app->server);
}

static WeftDeferred *
start_listening (WeftResult *result, gpointer user_data)
{
  App *app = user_data;
  g_autoptr (GError) error = NULL;

  if (weft_result_is_error (result))
    {
      g_printerr ("weft-chat-server: %s\n", weft_result_get_error (result)->message);
      app->status = EXIT_FAILURE;
      weft_result_clear (result);
      weft_reactor_stop (app->reactor);
      return NULL;
    }
  for (guint i = 0; app->irc[i] != NULL; i++)
    if (!wcs_server_listen_irc (app->server, app->irc[i], &error))
      goto fail;
  for (guint i = 0; app->http[i] != NULL; i++)
    if (!wcs_server_listen_http (app->server, app->http[i], &error))
      goto fail;
  return NULL;

fail:
  g_printerr ("weft-chat-server: %s\n", error->message);
  app->status = EXIT_FAILURE;
  weft_reactor_stop (app->reactor);
  return NULL;
}

static void
set_if (GKeyFile *config, const char *group, const char *key, const char *value)
{
  if (value != NULL)
    g_key_file_set_string (config, group, key, value);
}

static void
set_int_if (GKeyFile *config, const char *group, const char *key, int value)
{
  if (value >= 0)
    g_key_file_set_int64 (config, group, key, value);
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GKeyFile) config = g_key_file_new ();
  g_autofree char *config_file = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_auto (GStrv) irc = NULL;
  g_auto (GStrv) http = NULL;
  gboolean demo = FALSE;
  gboolean no_http = FALSE;
  int history_messages = 10000;
  int retention_days = -1, max_size_mb = -1, max_clients = -1, max_per_ip = -1, sendq = -1;
  int flood_penalty = -1, flood_burst = -1, registration_timeout = -1, ping_interval = -1, ping_timeout = -1;
  int pbkdf2_iterations = -1;
  App app = { 0 };
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_file,
      N_ ("Read settings from FILE (a GKeyFile; see the manual); options override it"), N_ ("FILE") },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_ ("Keep the history database and generated TLS certificate in DIR (default: $XDG_DATA_HOME/weft-chat-server)"),
      N_ ("DIR") },
    { "irc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &irc,
      N_ ("Listen for IRC on a Weft endpoint, e.g. tcp:6667:interface=127.0.0.1 or tls:6697 (repeatable; "
          "default tcp:6667:interface=127.0.0.1)"),
      N_ ("ENDPOINT") },
    { "http", 0, 0, G_OPTION_ARG_STRING_ARRAY, &http,
      N_ ("Serve the browser page, IRC over WebSocket (/irc) and SSE feeds (/channels/NAME/events) on an "
          "endpoint (repeatable; default tcp:8080:interface=127.0.0.1)"),
      N_ ("ENDPOINT") },
    { "no-http", 0, 0, G_OPTION_ARG_NONE, &no_http, N_ ("Do not serve HTTP"), NULL },
    { "tls-certificate", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      N_ ("PEM certificate for tls: listeners (default: self-signed, generated in the data directory)"), N_ ("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_ ("PEM private key for --tls-certificate"), N_ ("FILE") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_ ("The server's name (default irc.weft.local)"), N_ ("NAME") },
    { "retention-days", 0, 0, G_OPTION_ARG_INT, &retention_days,
      N_ ("Delete messages older than DAYS (default 0: keep forever)"), N_ ("DAYS") },
    { "max-history-mb", 0, 0, G_OPTION_ARG_INT, &max_size_mb,
      N_ ("Refuse new messages once the history reaches MB megabytes (default 0: until the disk is full)"), N_ ("MB") },
    { "max-clients", 0, 0, G_OPTION_ARG_INT, &max_clients, N_ ("Accept at most N clients (default 10000)"), N_ ("N") },
    { "max-clients-per-ip", 0, 0, G_OPTION_ARG_INT, &max_per_ip,
      N_ ("Accept at most N clients from one address (default 0: no limit)"), N_ ("N") },
    { "sendq", 0, 0, G_OPTION_ARG_INT, &sendq,
      N_ ("Disconnect a client with more than BYTES waiting to be sent to it (default 1048576)"), N_ ("BYTES") },
    { "flood-penalty-ms", 0, 0, G_OPTION_ARG_INT, &flood_penalty,
      N_ ("Each command costs MS of a client's flood allowance (default 500)"), N_ ("MS") },
    { "flood-burst-ms", 0, 0, G_OPTION_ARG_INT, &flood_burst,
      N_ ("A client may be this far ahead before its input is slowed (default 10000)"), N_ ("MS") },
    { "registration-timeout", 0, 0, G_OPTION_ARG_INT, &registration_timeout,
      N_ ("Disconnect clients that do not register within SECONDS (default 60)"), N_ ("SECONDS") },
    { "ping-interval", 0, 0, G_OPTION_ARG_INT, &ping_interval, N_ ("PING a client idle for SECONDS (default 120)"),
      N_ ("SECONDS") },
    { "ping-timeout", 0, 0, G_OPTION_ARG_INT, &ping_timeout,
      N_ ("Disconnect a client that does not answer a PING within SECONDS (default 60)"), N_ ("SECONDS") },
    { "pbkdf2-iterations", 0, 0, G_OPTION_ARG_INT, &pbkdf2_iterations,
      N_ ("PBKDF2 iterations for new account passwords (default 100000)"), N_ ("N") },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo,
      N_ ("Add the demo content: simulated users in #weft and #random, and a seeded #history"), NULL },
    { "demo-history", 0, 0, G_OPTION_ARG_INT, &history_messages,
      N_ ("How many messages to seed #history with in --demo (default 10000)"), N_ ("N") },
    { NULL },
  };
  g_auto (GStrv) default_irc = g_strsplit ("tcp:6667:interface=127.0.0.1", "|", -1);
  g_auto (GStrv) default_http = g_strsplit ("tcp:8080:interface=127.0.0.1", "|", -1);
  g_auto (GStrv) no_endpoints = g_new0 (char *, 1);
  g_autoptr (WeftDeferred) ready = NULL;
  const char *localedir;

  setlocale (LC_ALL, "");
  /* WEFT_LOCALEDIR: the catalogs of an uninstalled build, as in the library. */
  localedir = g_getenv ("WEFT_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && localedir[0] != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _ ("The Weft chat server: IRC over TCP, TLS and WebSocket, a browser page, "
                                            "live SSE feeds and lasting history, on one thread."));
  g_option_context_set_description (
      context, _ ("Configuration file groups and keys (all optional):\n"
                  "  [server]   name, network, motd, irc (endpoints;...), http (endpoints;...), data-dir,\n"
                  "             tls-certificate, tls-key\n"
                  "  [limits]   sendq-bytes, flood-penalty-ms, flood-burst-ms, registration-timeout-s,\n"
                  "             ping-interval-s, ping-timeout-s, max-clients, max-clients-per-ip,\n"
                  "             nick-length, channel-length, max-channels\n"
                  "  [history]  retention-days, max-size-mb, chathistory-limit\n"
                  "  [accounts] pbkdf2-iterations, registration (true/false)\n"
                  "\n"
                  "SIGTERM or SIGINT: stop listening, tell clients, flush the history, exit 0.\n"
                  "Logs go to stderr; G_MESSAGES_DEBUG=all shows detail.\n"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, weft_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("weft-chat-server: %s\n", error->message);
      return 2;
    }

  if (config_file != NULL && !g_key_file_load_from_file (config, config_file, G_KEY_FILE_NONE, &error))
    {
      g_printerr ("weft-chat-server: %s: %s\n", config_file, error->message);
      return 2;
    }
  set_if (config, "server", "name", name);
  set_if (config, "server", "tls-certificate", tls_cert);
  set_if (config, "server", "tls-key", tls_key);
  set_int_if (config, "history", "retention-days", retention_days);
  set_int_if (config, "history", "max-size-mb", max_size_mb);
  set_int_if (config, "limits", "max-clients", max_clients);
  set_int_if (config, "limits", "max-clients-per-ip", max_per_ip);
  set_int_if (config, "limits", "sendq-bytes", sendq);
  set_int_if (config, "limits", "flood-penalty-ms", flood_penalty);
  set_int_if (config, "limits", "flood-burst-ms", flood_burst);
  set_int_if (config, "limits", "registration-timeout-s", registration_timeout);
  set_int_if (config, "limits", "ping-interval-s", ping_interval);
  set_int_if (config, "limits", "ping-timeout-s", ping_timeout);
  set_int_if (config, "accounts", "pbkdf2-iterations", pbkdf2_iterations);
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr ("weft-chat-server: --tls-certificate and --tls-key go together\n");
      return 2;
    }
  if (data_dir == NULL)
    data_dir = g_key_file_get_string (config, "server", "data-dir", NULL);
  if (data_dir == NULL)
    data_dir = g_build_filename (g_get_user_data_dir (), "weft-chat-server", NULL);
  if (irc == NULL)
    irc = g_key_file_get_string_list (config, "server", "irc", NULL, NULL);
  if (http == NULL)
    http = g_key_file_get_string_list (config, "server", "http", NULL, NULL);

  app.reactor = weft_reactor_new (weft_options_get_reactor_name (), WEFT_REACTOR_FLAGS_NONE, &error);
  if (app.reactor == NULL)
    {
      g_printerr ("weft-chat-server: %s\n", error->message);
      return 2;
    }
  app.server = wcs_server_new (app.reactor, config, data_dir, &error);
  if (app.server == NULL)
    {
      g_printerr ("weft-chat-server: %s\n", error->message);
      g_object_unref (app.reactor);
      return EXIT_FAILURE;
    }
  app.irc = irc != NULL ? irc : default_irc;
  app.http = no_http ? no_endpoints : (http != NULL ? http : default_http);
  g_message ("Weft chat server %s on the %s reactor", WEFT_VERSION, weft_reactor_get_backend_name (app.reactor));

  weft_reactor_add_system_event_trigger (app.reactor, WEFT_TRIGGER_BEFORE, WEFT_SYSTEM_EVENT_SHUTDOWN, shutdown_trigger,
                                         &app, NULL);
  ready = wcs_server_wait_ready (app.server);
  weft_deferred_add_both (ready, start_listening, &app, NULL);
  if (demo)
    {
      app.demo = wcs_demo_start (app.server, (guint) MAX (history_messages, 0), &error);
      if (app.demo == NULL)
        g_warning ("No demo content: %s", error->message);
    }

  weft_reactor_run (app.reactor);

  g_clear_pointer (&app.demo, wcs_demo_stop);
  g_clear_object (&app.server);
  g_clear_object (&app.reactor);
  return app.status;
}
