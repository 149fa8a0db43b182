/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The smallest Weft program: pick a reactor from the command line, fire a
 * few timers, echo what is typed on stdin, and stop. */

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>
#include <weft/weft.h>

typedef struct {
  WeftReactor *reactor;
  int ticks;
} Hello;

static void
tick (gpointer user_data)
{
  Hello *hello = user_data;

  g_print (_ ("tick %d\n"), ++hello->ticks);
  if (hello->ticks < 3)
    weft_reactor_call_later (hello->reactor, WEFT_USEC_PER_SEC / 4, tick, hello, NULL);
  else
    weft_reactor_stop (hello->reactor);
}

static void
stdin_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  char buffer[256];
  ssize_t n = read (fd, buffer, sizeof buffer);

  if (n <= 0)
    weft_watch_remove (watch);
  else
    g_print (_ ("read %zd bytes\n"), n);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) options = NULL;
  GOptionGroup *weft_group;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  Hello hello = { 0 };
  WeftWatch *watch;

  setlocale (LC_ALL, "");
  /* The examples share the library's catalog; weft_get_option_group()
   * binds it to its directory, so it comes before the first _(). */
  textdomain (GETTEXT_PACKAGE);
  weft_group = weft_get_option_group ();
  options = g_option_context_new (_ ("— print a few ticks"));
  g_option_context_add_group (options, weft_group);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  reactor = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NONE, &error);
  if (reactor == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print (_ ("reactor: %s\n"), weft_reactor_get_backend_name (reactor));

  hello.reactor = reactor;
  weft_reactor_call_later (reactor, WEFT_USEC_PER_SEC / 4, tick, &hello, NULL);
  watch = weft_reactor_add_watch (reactor, STDIN_FILENO, WEFT_IO_READ, stdin_ready, NULL, NULL, NULL);
  weft_reactor_run (reactor);
  if (watch != NULL && weft_reactor_get_n_watches (reactor) > 0)
    weft_watch_remove (watch);
  return 0;
}
