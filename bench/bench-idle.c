/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Wake-ups of an idle reactor, on every backend: a reactor with GLib
 * hosting on (the default), one fd watch on a quiet socket and one timer an
 * hour away, left alone for a few seconds. Two independent counts: the
 * reactor's own wake-up counter (returns from the backend's wait) and the
 * thread's voluntary context switches (each time it slept and was woken).
 * The one wake-up that delivers the timer ending the measurement is not
 * counted. An idle reactor should make none.
 *
 * One line per backend: "idle/BACKEND wakeups_per_sec=X sleeps_per_sec=Y". */

#include <weft/weft.h>

#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  WeftReactor *reactor;
  guint64 wakeups_start;
  long switches_start;
  gint64 time_start;
} Idle;

static long
voluntary_switches (void)
{
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  return usage.ru_nvcsw;
}

static void
start_measuring (gpointer user_data)
{
  Idle *idle = user_data;

  idle->wakeups_start = weft_reactor_get_wakeup_count (idle->reactor);
  idle->switches_start = voluntary_switches ();
  idle->time_start = g_get_monotonic_time ();
}

static void
stop_measuring (gpointer user_data)
{
  Idle *idle = user_data;
  double seconds = (g_get_monotonic_time () - idle->time_start) / 1e6;
  guint64 wakeups = weft_reactor_get_wakeup_count (idle->reactor) - idle->wakeups_start - 1;
  long sleeps = voluntary_switches () - idle->switches_start - 1;

  g_print ("idle/%s wakeups_per_sec=%.2f sleeps_per_sec=%.2f wakeups=%" G_GUINT64_FORMAT " sleeps=%ld seconds=%.2f\n",
           weft_reactor_get_backend_name (idle->reactor), wakeups / seconds, sleeps / seconds, wakeups, sleeps,
           seconds);
  weft_reactor_stop (idle->reactor);
}

static void
never_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  g_printerr ("the quiet socket became ready\n");
}

static void
never_due (gpointer user_data)
{
}

static void
measure (const char *backend, double seconds)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS, &error);
  Idle idle = { reactor };
  int pair[2];
  WeftWatch *watch;

  if (reactor == NULL)
    g_error ("%s", error->message);
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    g_error ("socketpair failed");
  watch = weft_reactor_add_watch (reactor, pair[0], WEFT_IO_READ, never_ready, NULL, NULL, &error);
  if (watch == NULL)
    g_error ("%s", error->message);
  weft_reactor_call_later (reactor, 3600 * WEFT_USEC_PER_SEC, never_due, NULL, NULL);
  weft_reactor_call_soon (reactor, start_measuring, &idle, NULL);
  weft_reactor_call_later (reactor, (gint64) (seconds * WEFT_USEC_PER_SEC), stop_measuring, &idle, NULL);
  weft_reactor_run (reactor);
  weft_watch_remove (watch);
  close (pair[0]);
  close (pair[1]);
}

int
main (int argc, char **argv)
{
  gboolean smoke = FALSE;
  double seconds = 2;
  g_auto (GStrv) backends = NULL;
  GOptionEntry entries[] = {
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &smoke, "A short run (a check that it works)", NULL },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "How long each reactor idles (default 2)", "S" },
    { "backend", 0, 0, G_OPTION_ARG_STRING_ARRAY, &backends, "Backend to measure (repeatable; default all)", "NAME" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- wake-ups of an idle reactor");
  g_autoptr (GError) error = NULL;
  const char *const *names;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || seconds <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "bad arguments");
      return 2;
    }
  if (smoke)
    seconds = 0.2;

  names = backends != NULL ? (const char *const *) backends : weft_reactor_list_backends ();
  for (guint i = 0; names[i] != NULL; i++)
    if (weft_reactor_backend_is_available (names[i], NULL, NULL))
      measure (names[i], seconds);
  return EXIT_SUCCESS;
}
