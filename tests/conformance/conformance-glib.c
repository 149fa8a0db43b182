/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <unistd.h>

#ifdef HAVE_GTK
#include <gtk/gtk.h>
#endif

/* These cases use the default main context, where GIO and GTK attach their
 * sources, with GLib hosting on unless the case says otherwise. */

typedef struct {
  ConformanceFixture *f;
  guint ran;
} SourceCount;

static gboolean
count_and_stop_cb (gpointer user_data)
{
  SourceCount *count = user_data;

  count->ran++;
  weft_reactor_stop (count->f->reactor);
  return G_SOURCE_REMOVE;
}

static void
test_glib_timeout (ConformanceFixture *f)
{
  SourceCount count = { f };
  gint64 start = g_get_monotonic_time ();

  g_timeout_add (10, count_and_stop_cb, &count);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (count.ran, ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 10 * 1000);
}

static void
test_glib_idle (ConformanceFixture *f)
{
  SourceCount count = { f };

  g_idle_add (count_and_stop_cb, &count);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (count.ran, ==, 1);
}

typedef struct {
  ConformanceFixture *f;
  gboolean done;
  char *contents;
  gssize n_read;
  char buffer[64];
} AsyncResult;

static void
file_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *async = user_data;
  g_autoptr (GError) error = NULL;
  gsize length = 0;

  g_file_load_contents_finish (G_FILE (source), result, &async->contents, &length, NULL, &error);
  g_assert_no_error (error);
  async->done = TRUE;
  weft_reactor_stop (async->f->reactor);
}

static void
test_glib_gio_file_load (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GFile) file = NULL;
  AsyncResult async = { f };
  int fd;

  fd = g_file_open_tmp ("weft-conformance-XXXXXX", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (fd, "weft\n", 5), ==, 5);
  g_assert_no_errno (close (fd));

  file = g_file_new_for_path (path);
  g_file_load_contents_async (file, NULL, file_loaded_cb, &async);
  weft_reactor_run (f->reactor);

  g_assert_true (async.done);
  g_assert_cmpstr (async.contents, ==, "weft\n");
  g_free (async.contents);
  g_assert_no_errno (g_unlink (path));
}

static void
stream_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *async = user_data;
  g_autoptr (GError) error = NULL;

  async->n_read = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  g_assert_no_error (error);
  async->done = TRUE;
  weft_reactor_stop (async->f->reactor);
}

static void
write_hello_cb (gpointer fd_pointer)
{
  int fd = GPOINTER_TO_INT (fd_pointer);

  g_assert_cmpint (write (fd, "hello", 5), ==, 5);
}

static void
test_glib_gio_stream_read (ConformanceFixture *f)
{
  g_autoptr (GInputStream) stream = NULL;
  AsyncResult async = { f };
  int fds[2];

  /* GIO polls the pipe through a GSource; a reactor timer writes to it. */
  conformance_pipe (fds);
  stream = g_unix_input_stream_new (fds[0], TRUE);
  g_input_stream_read_async (stream, async.buffer, sizeof async.buffer, G_PRIORITY_DEFAULT, NULL, stream_read_cb,
                             &async);
  weft_reactor_call_later (f->reactor, 10 * 1000, write_hello_cb, GINT_TO_POINTER (fds[1]), NULL);
  weft_reactor_run (f->reactor);

  g_assert_true (async.done);
  g_assert_cmpint (async.n_read, ==, 5);
  g_assert_cmpmem (async.buffer, 5, "hello", 5);
  g_clear_object (&stream);
  conformance_close (&fds[1]);
}

typedef struct {
  ConformanceFixture *f;
  guint incoming;
  GSocketConnection *connection;
} SocketPair;

static void
maybe_stop_socket_test (SocketPair *pair)
{
  if (pair->incoming > 0 && pair->connection != NULL)
    weft_reactor_stop (pair->f->reactor);
}

static gboolean
incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source_object, gpointer user_data)
{
  SocketPair *pair = user_data;

  pair->incoming++;
  maybe_stop_socket_test (pair);
  return FALSE;
}

static void
connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SocketPair *pair = user_data;
  g_autoptr (GError) error = NULL;

  pair->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  g_assert_no_error (error);
  maybe_stop_socket_test (pair);
}

static void
test_glib_socket_client (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketService) service = g_socket_service_new ();
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) effective = NULL;
  SocketPair pair = { f };

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (incoming_cb), &pair);
  g_socket_service_start (service);

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (effective), NULL, connected_cb, &pair);
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (pair.incoming, ==, 1);
  g_assert_nonnull (pair.connection);
  g_clear_object (&pair.connection);
  g_signal_handlers_disconnect_by_data (service, &pair);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

static gboolean
count_cb (gpointer user_data)
{
  ((SourceCount *) user_data)->ran++;
  return G_SOURCE_CONTINUE;
}

static void
test_glib_not_hosted (ConformanceFixture *f)
{
  SourceCount timeout = { f }, idle = { f };
  guint timeout_id, idle_id;

  if (g_str_equal (f->backend, "glib"))
    {
      g_test_skip ("the glib backend is the main context: it ignores NO_GLIB_HOSTING");
      return;
    }
  g_assert_cmpint (weft_reactor_get_flags (f->reactor), ==, WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING);

  timeout_id = g_timeout_add (10, count_cb, &timeout);
  idle_id = g_idle_add (count_cb, &idle);
  weft_reactor_call_later (f->reactor, 100 * 1000, conformance_stop_cb, f->reactor, NULL);
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (timeout.ran, ==, 0);
  g_assert_cmpuint (idle.ran, ==, 0);
  g_source_remove (timeout_id);
  g_source_remove (idle_id);
}

typedef struct {
  ConformanceFixture *f;
  guint nested_quit;
  guint after_nested;
} Nested;

static gboolean
quit_loop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
after_nested_cb (gpointer user_data)
{
  Nested *nested = user_data;

  nested->after_nested++;
  weft_reactor_stop (nested->f->reactor);
}

static void
run_nested_loop_cb (gpointer user_data)
{
  Nested *nested = user_data;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  /* What a modal dialog or a synchronous helper does from a callback. */
  g_timeout_add (10, quit_loop_cb, loop);
  g_main_loop_run (loop);
  nested->nested_quit++;
  weft_reactor_call_later (nested->f->reactor, 10 * 1000, after_nested_cb, nested, NULL);
}

static void
test_glib_nested_main_loop (ConformanceFixture *f)
{
  Nested nested = { f };

  weft_reactor_call_later (f->reactor, 1000, run_nested_loop_cb, &nested, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (nested.nested_quit, ==, 1);
  g_assert_cmpuint (nested.after_nested, ==, 1);
}

static void
test_glib_always_ready_source_does_not_starve (ConformanceFixture *f)
{
  SourceCount idle = { f };
  ConformanceProbe probe = { 0 };
  ConformanceCounter timer = { 0 };
  guint idle_id;
  int fds[2];

  idle_id = g_idle_add (count_cb, &idle);
  conformance_pipe (fds);
  conformance_write_byte (fds[1]);
  probe.drain = TRUE;
  conformance_probe_add (&probe, f, fds[0], WEFT_IO_READ);
  weft_reactor_call_later (f->reactor, 20 * 1000, conformance_counter_cb, &timer, NULL);

  conformance_iterate_until (f, &timer.ran, 1);
  conformance_iterate_until (f, &probe.n_calls, 1);
  g_assert_cmpuint (idle.ran, >, 0);

  g_source_remove (idle_id);
  conformance_probe_remove (&probe);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

typedef struct {
  ConformanceFixture *f;
  WeftDelayedCall *pending;
  guint runs;
} Busy;

static void
busy_rearm_cb (gpointer user_data)
{
  Busy *busy = user_data;

  busy->runs++;
  busy->pending = weft_reactor_call_later (busy->f->reactor, 0, busy_rearm_cb, busy, NULL);
}

/* GDK_PRIORITY_REDRAW, without depending on GDK. */
#define REDRAW_PRIORITY (G_PRIORITY_HIGH_IDLE + 20)

static void
test_glib_redraw_not_starved_by_timers (ConformanceFixture *f)
{
  Busy busy = { f };
  SourceCount redraw = { f };

  /* The reactor always has work; GTK's redraw must still get its turn. */
  busy.pending = weft_reactor_call_later (f->reactor, 0, busy_rearm_cb, &busy, NULL);
  g_idle_add_full (REDRAW_PRIORITY, count_and_stop_cb, &redraw, NULL);
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (redraw.ran, ==, 1);
  g_assert_cmpuint (busy.runs, >, 0);
  g_assert_true (weft_delayed_call_cancel (busy.pending));
}

static void
test_glib_redraw_not_starved_by_io (ConformanceFixture *f)
{
  const guint n = 256;
  g_autofree ConformanceProbe *probes = g_new0 (ConformanceProbe, n);
  g_autofree int *write_fds = g_new (int, n);
  SourceCount redraw = { f };
  guint total = 0;

  /* Many fds that are always ready (never drained): full network load. */
  for (guint i = 0; i < n; i++)
    {
      int fds[2];

      conformance_pipe (fds);
      write_fds[i] = fds[1];
      conformance_write_byte (fds[1]);
      conformance_probe_add (&probes[i], f, fds[0], WEFT_IO_READ);
    }
  g_idle_add_full (REDRAW_PRIORITY, count_and_stop_cb, &redraw, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (redraw.ran, ==, 1);

  for (guint i = 0; i < n; i++)
    {
      total += probes[i].n_calls;
      conformance_probe_remove (&probes[i]);
      conformance_close (&probes[i].fd);
      conformance_close (&write_fds[i]);
    }
  g_assert_cmpuint (total, >, 0);
}

/* GTask's class keeps GLib's worker thread and its eventfd for the life of
 * the process: start it before the fixture counts fds. */
static void
gio_warm_up (void)
{
  g_type_ensure (G_TYPE_TASK);
}

/* GLib's fds are given to the backend afresh on each iteration: an fd that
 * a GLib source stops watching, that is closed and whose number comes back
 * for another file watched by a new source, all between two iterations (so
 * that GLib's set of fds looks the same), is still waited on. Kernel sets
 * (epoll) forget a closed fd, so a copy of GLib's set kept there would miss
 * it. Checked with the reactor driving, then with GLib's loop driving. */

typedef struct {
  int fd_number;   /* the number that comes back */
  int other[2];    /* the new socket pair: [0] is moved onto fd_number */
  int *peer;       /* the write end for fd_number's current socket */
  guint source_id; /* the current GLib source on fd_number */
  guint readable;  /* times the new source saw fd_number readable */
} ReusedFd;

static gboolean
reused_fd_readable_cb (int fd, GIOCondition condition, gpointer user_data)
{
  ReusedFd *reused = user_data;
  char byte;

  g_assert_cmpint (fd, ==, reused->fd_number);
  g_assert_true (condition & G_IO_IN);
  g_assert_cmpint (read (fd, &byte, 1), ==, 1);
  reused->readable++;
  return G_SOURCE_CONTINUE;
}

static gboolean
never_ready_cb (int fd, GIOCondition condition, gpointer user_data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

/* Runs inside one iteration's dispatch: swaps the file behind fd_number. */
static gboolean
reuse_fd_cb (gpointer user_data)
{
  ReusedFd *reused = user_data;

  g_source_remove (reused->source_id);
  conformance_socketpair (reused->other);
  /* dup2() closes the old socket and reuses its number at once. */
  g_assert_cmpint (dup2 (reused->other[0], reused->fd_number), ==, reused->fd_number);
  conformance_close (&reused->other[0]);
  reused->source_id = g_unix_fd_add (reused->fd_number, G_IO_IN, reused_fd_readable_cb, reused);
  conformance_write_byte (reused->other[1]);
  return G_SOURCE_REMOVE;
}

static void
test_glib_fd_reused_between_iterations (ConformanceFixture *f)
{
  ReusedFd reused = { 0 };
  int first[2];
  int previous_peer;

  conformance_socketpair (first);
  reused.fd_number = first[0];
  reused.source_id = g_unix_fd_add (first[0], G_IO_IN, never_ready_cb, NULL);
  /* The backend has waited on GLib's fd once. */
  conformance_iterate_nonblocking (f, 3);

  /* The reactor drives. */
  g_idle_add (reuse_fd_cb, &reused);
  conformance_iterate_until (f, &reused.readable, 1);
  conformance_close (&first[1]);
  previous_peer = reused.other[1];

  /* GLib's loop drives (the backend is the context's poll function). */
  g_idle_add (reuse_fd_cb, &reused);
  while (reused.readable < 2)
    g_main_context_iteration (NULL, TRUE);
  conformance_close (&previous_peer);

  g_source_remove (reused.source_id);
  conformance_close (&reused.other[1]);
  conformance_close (&reused.fd_number);
}

/* A GLib source and a Weft watch on the same fd both see it ready. */

typedef struct {
  guint glib_ran;
  guint weft_ran;
} BothSides;

static gboolean
both_sides_glib_cb (int fd, GIOCondition condition, gpointer user_data)
{
  BothSides *both = user_data;

  g_assert_true (condition & G_IO_IN);
  both->glib_ran++;
  return G_SOURCE_REMOVE;
}

static void
both_sides_weft_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  BothSides *both = user_data;

  g_assert_true (condition & WEFT_IO_READ);
  both->weft_ran++;
  weft_watch_remove (watch);
}

static void
test_glib_fd_watched_by_both_sides (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  BothSides both = { 0 };
  int fds[2];

  conformance_socketpair (fds);
  g_unix_fd_add (fds[0], G_IO_IN, both_sides_glib_cb, &both);
  weft_reactor_add_watch (f->reactor, fds[0], WEFT_IO_READ, both_sides_weft_cb, &both, NULL, &error);
  g_assert_no_error (error);
  conformance_iterate_nonblocking (f, 2);
  g_assert_cmpuint (both.glib_ran + both.weft_ran, ==, 0);

  conformance_write_byte (fds[1]);
  conformance_iterate_until (f, &both.glib_ran, 1);
  conformance_iterate_until (f, &both.weft_ran, 1);
  g_assert_cmpuint (both.glib_ran, ==, 1);
  g_assert_cmpuint (both.weft_ran, ==, 1);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

#define GIO_CASE CONFORMANCE_DEFAULT_CONTEXT, gio_warm_up

const ConformanceCase conformance_glib_cases[] = {
  { "glib/timeout", test_glib_timeout, CONFORMANCE_DEFAULT_CONTEXT },
  { "glib/idle", test_glib_idle, CONFORMANCE_DEFAULT_CONTEXT },
  { "glib/gio-file-load", test_glib_gio_file_load, GIO_CASE },
  { "glib/gio-stream-read", test_glib_gio_stream_read, GIO_CASE },
  { "glib/socket-client", test_glib_socket_client, GIO_CASE },
  { "glib/not-hosted", test_glib_not_hosted, CONFORMANCE_DEFAULT_CONTEXT | CONFORMANCE_NO_GLIB_HOSTING },
  { "glib/nested-main-loop", test_glib_nested_main_loop, CONFORMANCE_DEFAULT_CONTEXT },
  { "glib/always-ready-source-does-not-starve", test_glib_always_ready_source_does_not_starve,
    CONFORMANCE_DEFAULT_CONTEXT },
  { "glib/redraw-not-starved-by-timers", test_glib_redraw_not_starved_by_timers, CONFORMANCE_DEFAULT_CONTEXT },
  { "glib/redraw-not-starved-by-io", test_glib_redraw_not_starved_by_io, CONFORMANCE_DEFAULT_CONTEXT },
  { "glib/fd-reused-between-iterations", test_glib_fd_reused_between_iterations, CONFORMANCE_DEFAULT_CONTEXT },
  { "glib/fd-watched-by-both-sides", test_glib_fd_watched_by_both_sides, CONFORMANCE_DEFAULT_CONTEXT },
  { NULL },
};

/* GTK 4 ---------------------------------------------------------------- */

#ifdef HAVE_GTK

static gboolean have_gtk = FALSE;

typedef struct {
  ConformanceFixture *f;
  GtkWidget *window;
  guint ticks;
  guint timer_fires;
  ConformanceProbe probe;
  int fds[2];
  WeftDelayedCall *chain; /* owned by the reactor while active */
  gint64 started;
} GtkRun;

static gboolean
count_tick_cb (GtkWidget *widget, GdkFrameClock *frame_clock, gpointer user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* Destroys the window and iterates with `iterate` until it is finalized. */
static void
destroy_and_wait (GtkWidget **window, gboolean (*iterate) (gpointer), gpointer data)
{
  gtk_window_destroy (GTK_WINDOW (*window));
  for (guint i = 0; *window != NULL && i < 5000; i++)
    {
      if (!iterate (data))
        g_usleep (1000);
    }
  g_assert_null (*window);
}

static gboolean
iterate_default_context (gpointer data)
{
  return g_main_context_iteration (NULL, FALSE);
}

void
conformance_gtk_warm_up (void)
{
  static gboolean done = FALSE;
  GtkWidget *window;
  guint ticks = 0;
  gint64 deadline;

  /* Once per process, and only for the cases that need GTK. The first window
   * loads fonts, themes and icons and keeps some of it (and a few fds) for
   * the life of the process: pay for that before the fixture counts fds. */
  if (done)
    return;
  done = TRUE;
  if (g_strcmp0 (g_getenv ("DISPLAY"), "") > 0 || g_strcmp0 (g_getenv ("WAYLAND_DISPLAY"), "") > 0)
    have_gtk = gtk_init_check ();
  if (!have_gtk)
    return;

  window = gtk_window_new ();
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_widget_add_tick_callback (window, count_tick_cb, &ticks, NULL);
  gtk_window_present (GTK_WINDOW (window));
  deadline = g_get_monotonic_time () + 20 * WEFT_USEC_PER_SEC;
  while (ticks < 3 && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  destroy_and_wait (&window, iterate_default_context, NULL);
  conformance_drain_default_context ();
}

static void
gtk_chain_cb (gpointer user_data)
{
  GtkRun *run = user_data;

  run->timer_fires++;
  conformance_write_byte (run->fds[1]);
  run->chain = weft_reactor_call_later (run->f->reactor, 20 * 1000, gtk_chain_cb, run, NULL);
}

static void
gtk_check_cb (gpointer user_data)
{
  GtkRun *run = user_data;
  gboolean enough = run->ticks >= 10 && run->timer_fires >= 10 && run->probe.n_calls >= 10;

  /* About a second; longer only if the machine is too busy to get there. */
  if (enough || g_get_monotonic_time () - run->started > 5 * WEFT_USEC_PER_SEC)
    weft_reactor_stop (run->f->reactor);
  else
    weft_reactor_call_later (run->f->reactor, 100 * 1000, gtk_check_cb, run, NULL);
}

static gboolean
iterate_reactor (gpointer f)
{
  return weft_reactor_iterate (((ConformanceFixture *) f)->reactor, FALSE);
}

static void
test_gtk_window_frame_clock (ConformanceFixture *f)
{
  GtkRun run = { f };
  guint tick_id;

  if (!have_gtk)
    {
      g_test_skip ("no display for GTK");
      return;
    }

  run.window = gtk_window_new ();
  g_object_add_weak_pointer (G_OBJECT (run.window), (gpointer *) &run.window);
  gtk_window_set_title (GTK_WINDOW (run.window), "Weft conformance");
  gtk_window_set_default_size (GTK_WINDOW (run.window), 320, 200);
  tick_id = gtk_widget_add_tick_callback (run.window, count_tick_cb, &run.ticks, NULL);
  gtk_window_present (GTK_WINDOW (run.window));

  conformance_pipe (run.fds);
  run.probe.drain = TRUE;
  conformance_probe_add (&run.probe, f, run.fds[0], WEFT_IO_READ);
  run.chain = weft_reactor_call_later (f->reactor, 20 * 1000, gtk_chain_cb, &run, NULL);
  run.started = g_get_monotonic_time ();
  weft_reactor_call_later (f->reactor, WEFT_USEC_PER_SEC, gtk_check_cb, &run, NULL);
  weft_reactor_run (f->reactor);

  g_test_message ("%u frame-clock ticks, %u timer runs, %u fd callbacks", run.ticks, run.timer_fires,
                  run.probe.n_calls);
  g_assert_cmpuint (run.ticks, >=, 10);
  g_assert_cmpuint (run.timer_fires, >=, 10);
  g_assert_cmpuint (run.probe.n_calls, >=, 10);

  g_assert_true (weft_delayed_call_cancel (run.chain));
  gtk_widget_remove_tick_callback (run.window, tick_id);
  destroy_and_wait (&run.window, iterate_reactor, f);
  conformance_probe_remove (&run.probe);
  conformance_close (&run.fds[0]);
  conformance_close (&run.fds[1]);
}

const ConformanceCase conformance_gtk_cases[] = {
  { "gtk/window-frame-clock", test_gtk_window_frame_clock, CONFORMANCE_DEFAULT_CONTEXT, conformance_gtk_warm_up },
  { NULL },
};

#else /* !HAVE_GTK */

static void
test_gtk_not_built (ConformanceFixture *f)
{
  g_test_skip ("built without GTK 4");
}

const ConformanceCase conformance_gtk_cases[] = {
  { "gtk/window-frame-clock", test_gtk_not_built, CONFORMANCE_DEFAULT_CONTEXT },
  { NULL },
};

#endif
