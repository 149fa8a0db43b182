/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What it costs when the application's GLib loop drives the reactor
 * (g_main_loop_run(), as g_application_run() does) instead of
 * weft_reactor_run(): a one-byte ping-pong over a socketpair, both ends
 * reactor watches, timed per round trip on every backend both ways.
 *
 *   bench-glib-driven [--smoke] [ROUND_TRIPS]
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <weft/weft.h>

typedef struct {
  WeftReactor *reactor;
  GMainLoop *loop; /* NULL: weft_reactor_run() drives */
  guint n;
  guint target;
} PingPong;

static void
on_ping_end (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  PingPong *pp = user_data;
  char byte;

  if (read (fd, &byte, 1) != 1)
    return;
  if (++pp->n >= pp->target)
    {
      if (pp->loop != NULL)
        g_main_loop_quit (pp->loop);
      else
        weft_reactor_stop (pp->reactor);
      return;
    }
  if (write (fd, "p", 1) != 1)
    g_error ("write: %s", g_strerror (errno));
}

static void
on_pong_end (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  char byte;

  if (read (fd, &byte, 1) == 1 && write (fd, "q", 1) != 1)
    g_error ("write: %s", g_strerror (errno));
}

static double
run_once (const char *backend, gboolean glib_loop, guint target, guint64 *glib_polls)
{
  g_autoptr (GError) error = NULL;
  PingPong pp = { 0 };
  WeftWatch *ping, *pong;
  int fds[2];
  gint64 start;
  double per_round_trip;

  pp.reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NONE, &error);
  if (pp.reactor == NULL)
    g_error ("%s", error->message);
  pp.target = target;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0)
    g_error ("socketpair: %s", g_strerror (errno));
  ping = weft_reactor_add_watch (pp.reactor, fds[0], WEFT_IO_READ, on_ping_end, &pp, NULL, &error);
  pong = weft_reactor_add_watch (pp.reactor, fds[1], WEFT_IO_READ, on_pong_end, &pp, NULL, &error);
  g_assert_no_error (error);
  if (glib_loop)
    pp.loop = g_main_loop_new (NULL, FALSE);

  start = g_get_monotonic_time ();
  if (write (fds[0], "p", 1) != 1)
    g_error ("write: %s", g_strerror (errno));
  if (glib_loop)
    g_main_loop_run (pp.loop);
  else
    weft_reactor_run (pp.reactor);
  per_round_trip = (double) (g_get_monotonic_time () - start) / pp.n;
  *glib_polls = weft_reactor_get_glib_poll_count (pp.reactor);

  weft_watch_remove (ping);
  weft_watch_remove (pong);
  close (fds[0]);
  close (fds[1]);
  g_clear_pointer (&pp.loop, g_main_loop_unref);
  g_object_unref (pp.reactor);
  return per_round_trip;
}

int
main (int argc, char *argv[])
{
  static const char *const backends[] = { "epoll", "poll", "select", "glib" };
  gboolean smoke = argc > 1 && g_str_equal (argv[1], "--smoke");
  guint target = smoke ? 200 : 100000;

  if (!smoke && argc > 1)
    target = (guint) strtoul (argv[1], NULL, 10);
  g_print ("%-8s %22s %22s\n", "backend", "weft_reactor_run", "g_main_loop_run");
  for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
    {
      guint64 polls_run, polls_loop;
      double by_reactor = run_once (backends[i], FALSE, target, &polls_run);
      double by_loop = run_once (backends[i], TRUE, target, &polls_loop);

      g_print ("%-8s %19.2f us %19.2f us   (waits in GLib's poll function: %" G_GUINT64_FORMAT ")\n", backends[i],
               by_reactor, by_loop, polls_loop);
      /* The application's loop must have used the backend, except on glib. */
      if (g_str_equal (backends[i], "glib") ? polls_loop != 0 : polls_loop == 0)
        return 1;
    }
  return 0;
}
