/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A GTK 4 window and a reactor in one thread: a reactor timer updates a
 * label, the frame clock counts frames, and a pipe written by the timer is
 * read by an fd watch — on whichever backend --reactor names. Closing the
 * window stops the reactor. */

#include <glib/gi18n.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <unistd.h>
#include <weft/weft.h>

typedef struct {
  WeftReactor *reactor;
  GtkLabel *label;
  int pipe_fds[2];
  guint timer_ticks;
  guint bytes_read;
  guint frames;
  gint64 quit_after_us;
} Ticker;

static void
tick (gpointer user_data)
{
  Ticker *t = user_data;
  g_autofree char *text = NULL;

  t->timer_ticks++;
  if (write (t->pipe_fds[1], "x", 1) != 1)
    g_warning ("write to the pipe failed");
  text = g_strdup_printf (_ ("Reactor: %s\nTimer ticks: %u\nBytes through the pipe: %u\nFrames drawn: %u"),
                          weft_reactor_get_backend_name (t->reactor), t->timer_ticks, t->bytes_read, t->frames);
  gtk_label_set_text (t->label, text);
  weft_reactor_call_later (t->reactor, WEFT_USEC_PER_SEC / 10, tick, t, NULL);
}

static void
pipe_readable (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  Ticker *t = user_data;
  char buffer[64];
  ssize_t n = read (fd, buffer, sizeof buffer);

  if (n > 0)
    t->bytes_read += n;
}

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  ((Ticker *) user_data)->frames++;
  return G_SOURCE_CONTINUE;
}

static gboolean
close_request (GtkWindow *window, gpointer user_data)
{
  weft_reactor_stop (((Ticker *) user_data)->reactor);
  return FALSE;
}

static void
quit_now (gpointer user_data)
{
  weft_reactor_stop (((Ticker *) user_data)->reactor);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) options = NULL;
  GOptionGroup *weft_group;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  double seconds = 0;
  const GOptionEntry entries[] = {
    { "quit-after", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, N_ ("Stop after this many seconds"), N_ ("SECONDS") },
    { NULL },
  };
  Ticker t = { 0 };
  GtkWidget *window;
  WeftWatch *watch;

  setlocale (LC_ALL, "");
  /* The examples share the library's catalog; weft_get_option_group()
   * binds it to its directory, so it comes before the first _(). */
  textdomain (GETTEXT_PACKAGE);
  weft_group = weft_get_option_group ();
  options = g_option_context_new (_ ("— a GTK window beside reactor timers and fds"));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (options, weft_group);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!(seconds >= 0 && seconds <= G_MAXINT64 / WEFT_USEC_PER_SEC)) /* also refuses NaN */
    {
      g_printerr (_ ("--quit-after must be a number of seconds, 0 (run until the window closes) or more; got %g\n"),
                  seconds);
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr (_ ("Cannot open a display\n"));
      return 1;
    }
  reactor = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NONE, &error);
  if (reactor == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (pipe (t.pipe_fds) < 0)
    return 1;

  t.reactor = reactor;
  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), _ ("Weft ticker"));
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 160);
  t.label = GTK_LABEL (gtk_label_new (""));
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (t.label));
  gtk_widget_add_tick_callback (window, count_frame, &t, NULL);
  g_signal_connect (window, "close-request", G_CALLBACK (close_request), &t);
  gtk_window_present (GTK_WINDOW (window));

  watch = weft_reactor_add_watch (reactor, t.pipe_fds[0], WEFT_IO_READ, pipe_readable, &t, NULL, &error);
  g_assert_no_error (error);
  tick (&t);
  if (seconds > 0)
    weft_reactor_call_later (reactor, (gint64) (seconds * WEFT_USEC_PER_SEC), quit_now, &t, NULL);

  weft_reactor_run (reactor);

  g_print (_ ("%s: %u timer ticks, %u bytes through the pipe, %u frames\n"), weft_reactor_get_backend_name (reactor),
           t.timer_ticks, t.bytes_read, t.frames);
  weft_watch_remove (watch);
  if (GTK_IS_WINDOW (window))
    gtk_window_destroy (GTK_WINDOW (window));
  close (t.pipe_fds[0]);
  close (t.pipe_fds[1]);
  return 0;
}
