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

/* Kana or kanji somewhere in the text. */
static gboolean
has_japanese (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_utf8_get_char (p) >= 0x3040 && g_utf8_get_char (p) <= 0x9fff)
      return TRUE;
  return FALSE;
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
  g_assert_cmpstr (_ ("Weft Chat"), !=, "Weft Chat");
  g_assert_cmpstr (_ ("New messages"), !=, "New messages");

  window = chat_window_new (NULL, G_LIST_MODEL (connections));
  gtk_window_present (GTK_WINDOW (window));
  iterate_for (reactor, 200);
  entry = chat_input_get_entry (chat_window_get_input (window));
  g_assert_cmpstr (gtk_entry_get_placeholder_text (entry), ==, _ ("Type a /command"));
  g_assert_cmpstr (gtk_entry_get_placeholder_text (entry), !=, "Type a /command");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, _ ("Weft Chat"));
  g_assert_true (has_japanese (gtk_entry_get_placeholder_text (entry)));
  g_assert_true (has_japanese (gtk_window_get_title (GTK_WINDOW (window))));
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

/* The demo in Japanese: the server, its simulated users and some history,
 * inside g_application_run() as in the program. */
typedef struct {
  WeftReactor *reactor;
  char *dir;
} Demo;

static void
demo_startup (GApplication *app, Demo *demo)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (chat_application_start_demo (CHAT_APPLICATION (app), demo->dir, &error));
  g_assert_no_error (error);
}

static guint
n_weft_rows (ChatApplication *app)
{
  g_autoptr (ChatConnection) connection = g_list_model_get_item (chat_application_get_connections (app), 0);
  ChatRoom *room = chat_connection_find_room (connection, "#weft");

  return room != NULL ? chat_room_get_n_messages (room) : 0;
}

static void
demo_activate (GApplication *app, Demo *demo)
{
  g_autoptr (ChatConnection) connection =
      g_list_model_get_item (chat_application_get_connections (CHAT_APPLICATION (app)), 0);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  /* Until the simulated users have said a few things. */
  while (g_get_monotonic_time () < deadline && (chat_connection_get_state (connection) != CHAT_CONNECTION_CONNECTED ||
                                                n_weft_rows (CHAT_APPLICATION (app)) < 8))
    iterate_for (demo->reactor, 100);
  g_assert_cmpint (chat_connection_get_state (connection), ==, CHAT_CONNECTION_CONNECTED);
  iterate_for (demo->reactor, 300);
  screenshot ("weft-chat-ja");
  gtk_window_destroy (GTK_WINDOW (chat_application_get_window (CHAT_APPLICATION (app))));
  iterate_for (demo->reactor, 50);
}

static void
test_japanese_demo (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new ("glib", WEFT_REACTOR_FLAGS_NONE, &error);
  g_autofree char *dir = g_dir_make_tmp ("weft-chat-ja-XXXXXX", &error);
  g_autoptr (ChatApplication) app = chat_application_new (reactor);
  Demo demo = { reactor, dir };
  char *argv[] = { (char *) "test-chat-i18n", NULL };

  g_assert_no_error (error);
  g_signal_connect_after (app, "startup", G_CALLBACK (demo_startup), &demo);
  g_signal_connect_after (app, "activate", G_CALLBACK (demo_activate), &demo);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  g_object_run_dispose (G_OBJECT (app));
  iterate_for (reactor, 100);
}

int
main (int argc, char **argv)
{
  const char *dir = g_getenv ("WEFT_LOCALEDIR");

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
