/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Run with LANGUAGE=ja: the window shows the Japanese UI, on every backend,
 * and a screenshot of the demo in Japanese goes to the log directory. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "chat-application.h"
#include "wcs-demo.h"
#include "wcs-server.h"

static void
iterate_for (WeftReactor *reactor, guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    if (!weft_reactor_iterate (reactor, FALSE))
      g_usleep (2000);
}

static void
test_japanese_ui (gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new (data, WEFT_REACTOR_FLAGS_NONE, &error);
  g_autoptr (GListStore) connections = g_list_store_new (CHAT_TYPE_CONNECTION);
  ChatWindow *window;
  GtkEntry *entry;

  g_assert_no_error (error);
  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "ja");
  /* The catalogue is there and is used. */
  g_assert_cmpstr (_("Weft Chat"), !=, "Weft Chat");
  g_assert_cmpstr (_("New messages"), !=, "New messages");

  window = chat_window_new (NULL, G_LIST_MODEL (connections));
  gtk_window_present (GTK_WINDOW (window));
  iterate_for (reactor, 200);
  entry = chat_input_get_entry (chat_window_get_input (window));
  g_assert_cmpstr (gtk_entry_get_placeholder_text (entry), ==, _("Type a /command"));
  g_assert_cmpstr (gtk_entry_get_placeholder_text (entry), !=, "Type a /command");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, _("Weft Chat"));
  /* Every character of the placeholder is outside ASCII: it is Japanese. */
  g_assert_true (g_utf8_get_char (gtk_entry_get_placeholder_text (entry)) > 0x3000);
  gtk_window_destroy (GTK_WINDOW (window));
  iterate_for (reactor, 50);
}

static void
screenshot (const char *name)
{
  const char *dir = g_getenv ("WEFT_CHAT_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  const char *argv[] = { "import", "-window", "root", NULL, NULL };

  if (dir == NULL)
    return;
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  argv[3] = path;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  g_test_message ("screenshot: %s", path);
}

/* The demo in Japanese: the server, its simulated users and some history. */
static void
test_japanese_demo (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new ("glib", WEFT_REACTOR_FLAGS_NONE, &error);
  g_autofree char *dir = g_dir_make_tmp ("weft-chat-ja-XXXXXX", &error);
  g_autoptr (ChatApplication) app = chat_application_new (reactor);

  g_application_set_application_id (G_APPLICATION (app), NULL);
  g_assert_no_error (error);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_true (chat_application_start_demo (app, dir, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  iterate_for (reactor, 3000);
  g_assert_cmpint (chat_connection_get_state (
                       g_list_model_get_item (chat_application_get_connections (app), 0)), ==,
                   CHAT_CONNECTION_CONNECTED);
  screenshot ("weft-chat-ja");
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_object_run_dispose (G_OBJECT (app));
  iterate_for (reactor, 100);
}

int
main (int argc, char **argv)
{
  const char *dir = g_getenv ("WEFT_CHAT_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir != NULL ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();
  for (const char *const *name = weft_reactor_list_backends (); *name != NULL; name++)
    {
      g_autofree char *path = g_strdup_printf ("/%s/chat-i18n/japanese-ui", *name);

      if (weft_reactor_backend_is_available (*name, NULL, NULL))
        g_test_add_data_func (path, *name, test_japanese_ui);
    }
  g_test_add_func ("/glib/chat-i18n/japanese-demo", test_japanese_demo);
  return g_test_run ();
}
