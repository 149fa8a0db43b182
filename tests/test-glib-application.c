/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Every backend works when the application, not the reactor, runs the
 * main loop: g_application_run() drives the reactor's timers, soon calls,
 * thread calls and fd watches. With select, poll and epoll the backend does
 * the waiting, as GLib's poll function. */

#include "config.h"

#include <gio/gio.h>
#include <unistd.h>
#include <weft/weft.h>

typedef struct {
  GApplication *app;
  WeftReactor *reactor;
  int pipe_fds[2];
  int timer_fires;
  int fd_fires;
  int soon_fires;
  int thread_fires;
  gboolean done;
} Fixture;

static void
maybe_finish (Fixture *f)
{
  if (f->done || f->timer_fires < 5 || f->fd_fires < 5 || f->soon_fires < 1 || f->thread_fires < 1)
    return;
  f->done = TRUE;
  g_application_release (f->app);
}

static void
on_timer (gpointer user_data)
{
  Fixture *f = user_data;

  f->timer_fires++;
  g_assert_cmpint (write (f->pipe_fds[1], "x", 1), ==, 1);
  if (f->timer_fires < 5)
    weft_reactor_call_later (f->reactor, 2000, on_timer, f, NULL);
  maybe_finish (f);
}

static void
on_readable (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  Fixture *f = user_data;
  char c;

  g_assert_true (condition & WEFT_IO_READ);
  g_assert_cmpint (read (fd, &c, 1), ==, 1);
  f->fd_fires++;
  if (f->fd_fires == 5)
    weft_watch_remove (watch);
  maybe_finish (f);
}

static void
on_soon (gpointer user_data)
{
  Fixture *f = user_data;

  f->soon_fires++;
  maybe_finish (f);
}

static void
on_thread_call (gpointer user_data)
{
  Fixture *f = user_data;

  f->thread_fires++;
  maybe_finish (f);
}

static gpointer
thread_main (gpointer user_data)
{
  Fixture *f = user_data;

  weft_reactor_call_from_thread (f->reactor, on_thread_call, f, NULL);
  return NULL;
}

static void
on_activate (GApplication *app, gpointer user_data)
{
  Fixture *f = user_data;
  g_autoptr (GError) error = NULL;
  GThread *thread;

  g_application_hold (app);
  weft_reactor_call_later (f->reactor, 2000, on_timer, f, NULL);
  weft_reactor_call_soon (f->reactor, on_soon, f, NULL);
  g_assert_nonnull (weft_reactor_add_watch (f->reactor, f->pipe_fds[0], WEFT_IO_READ, on_readable, f, NULL, &error));
  g_assert_no_error (error);
  thread = g_thread_new ("caller", thread_main, f);
  g_thread_join (thread);
}

static void
test_application_runs_loop (gconstpointer data)
{
  const char *backend = data;
  g_autoptr (GError) error = NULL;
  Fixture f = { 0 };
  int status;

  g_assert_no_errno (pipe (f.pipe_fds));
  f.reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NONE, &error);
  g_assert_no_error (error);
  f.app = g_application_new ("org.weft.TestApplication", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (f.app, "activate", G_CALLBACK (on_activate), &f);

  status = g_application_run (f.app, 0, NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (f.done);
  g_assert_cmpint (f.timer_fires, ==, 5);
  g_assert_cmpint (f.fd_fires, ==, 5);
  g_assert_cmpint (f.soon_fires, ==, 1);
  g_assert_cmpint (f.thread_fires, ==, 1);
  g_assert_cmpuint (weft_reactor_get_n_timers (f.reactor), ==, 0);
  g_assert_cmpuint (weft_reactor_get_n_watches (f.reactor), ==, 0);
  g_assert_false (weft_reactor_is_running (f.reactor));
  if (g_str_equal (backend, "glib"))
    g_assert_cmpuint (weft_reactor_get_glib_poll_count (f.reactor), ==, 0);
  else
    g_assert_cmpuint (weft_reactor_get_glib_poll_count (f.reactor), >, 0);

  g_object_unref (f.app);
  g_object_unref (f.reactor);
  close (f.pipe_fds[0]);
  close (f.pipe_fds[1]);
}

typedef struct {
  GMainLoop *loop;
  guint timer_fires;
  guint fd_fires;
} LoopRun;

static void
loop_timer (gpointer user_data)
{
  LoopRun *run = user_data;

  run->timer_fires++;
  if (run->fd_fires > 0)
    g_main_loop_quit (run->loop);
}

static void
loop_readable (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  LoopRun *run = user_data;
  char c;

  g_assert_cmpint (read (fd, &c, 1), ==, 1);
  run->fd_fires++;
  weft_watch_remove (watch);
  if (run->timer_fires > 0)
    g_main_loop_quit (run->loop);
  /* else the timer quits */
}

static void
test_main_loop_runs_reactor (gconstpointer data)
{
  const char *backend = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NONE, &error);
  LoopRun run = { g_main_loop_new (NULL, FALSE) };
  int fds[2];

  g_assert_no_error (error);
  g_assert_no_errno (pipe (fds));
  /* A timer, then an fd becoming readable: only a plain GLib loop runs. */
  weft_reactor_call_later (reactor, 1000, loop_timer, &run, NULL);
  g_assert_nonnull (weft_reactor_add_watch (reactor, fds[0], WEFT_IO_READ, loop_readable, &run, NULL, &error));
  g_assert_cmpint (write (fds[1], "x", 1), ==, 1);
  g_main_loop_run (run.loop);

  g_assert_cmpuint (run.timer_fires, ==, 1);
  g_assert_cmpuint (run.fd_fires, ==, 1);
  if (g_str_equal (backend, "glib"))
    g_assert_cmpuint (weft_reactor_get_glib_poll_count (reactor), ==, 0);
  else
    g_assert_cmpuint (weft_reactor_get_glib_poll_count (reactor), >, 0);
  g_main_loop_unref (run.loop);
  close (fds[0]);
  close (fds[1]);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  static const char *const backends[] = { "select", "poll", "epoll", "glib" };

  for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
    {
      g_autofree char *path = g_strdup_printf ("/%s/application/application-runs-loop", backends[i]);

      g_autofree char *loop_path = g_strdup_printf ("/%s/application/main-loop-runs-reactor", backends[i]);

      g_test_add_data_func (path, backends[i], test_application_runs_loop);
      g_test_add_data_func (loop_path, backends[i], test_main_loop_runs_reactor);
    }
  return g_test_run ();
}
