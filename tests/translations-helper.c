/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prints one error message of each library that links against the core,
 * in the language of the environment, for tests/check-translations.py:
 *
 *   irc:    an IRC line with no command
 *   soup:   libweft-soup on a reactor that does not host GLib
 *   sqlite: opening a database in a folder that does not exist
 */
#include <locale.h>
#include <stdio.h>

#include <weft/weft.h>
#include <weft-irc/weft-irc.h>
#include <weft-soup/weft-soup.h>
#include <weft-sqlite/weft-sqlite.h>

static void
on_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError **error = user_data;

  if (weft_sqlite_pool_open_finish (WEFT_SQLITE_POOL (source), result, error))
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "unexpectedly opened");
}

int
main (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) open_error = NULL;
  g_autoptr (WeftReactor) hosted = NULL;
  g_autoptr (WeftReactor) bare = NULL;
  g_autoptr (WeftSqlitePool) pool = NULL;
  WeftIrcMessage *message;
  gint64 deadline;

  setlocale (LC_ALL, "");
  hosted = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NONE, &error);
  g_assert_no_error (error);

  message = weft_irc_message_parse ("@a=b", -1, &error);
  g_assert_null (message);
  g_assert_nonnull (error);
  printf ("irc: %s\n", error->message);
  g_clear_error (&error);

  bare = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING, &error);
  g_assert_no_error (error);
  g_assert_false (weft_soup_check_context (bare, &error));
  printf ("soup: %s\n", error->message);
  g_clear_error (&error);

  pool = weft_sqlite_pool_new (hosted, "/nonexistent-weft-folder/history.sqlite");
  weft_sqlite_pool_open_async (pool, NULL, on_opened, &open_error);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (open_error == NULL && g_get_monotonic_time () < deadline)
    weft_reactor_iterate (hosted, TRUE);
  g_assert_nonnull (open_error);
  printf ("sqlite: %s\n", open_error->message);
  return 0;
}
