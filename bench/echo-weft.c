/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Weft echo server for the benchmarks: the real path a Weft program takes,
 * weft_reactor_listen_tcp() and a WeftProtocol whose data_received writes
 * what it got to its transport.
 *
 *   echo-weft [--reactor=NAME] --port P [--no-hosting]
 *             [--gtk [--gtk-delay S] [--gtk-seconds S]]
 *
 * With --gtk, a GTK 4 window with a tick callback shares the reactor (and so
 * the thread) with the server. After the first frame plus --gtk-delay, it
 * measures for --gtk-seconds and prints one line on stdout:
 * "mode=gtk frames=N seconds=S fps=F max_frame_gap_ms=G max_stall_ms=M
 * max_busy_stall_ms=B". The stall is the longest time a 1 ms timeout at
 * GTK's redraw priority waited beyond its 1 ms: how long the loop could not
 * have painted. The busy stall is the CPU time the thread used in that
 * longest stretch between two runs of the timeout: the part of a stall that
 * was the loop's own work, not the thread waiting for a CPU. */

#include <weft/weft.h>

#ifdef HAVE_GTK
#include <gtk/gtk.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#define BENCH_TYPE_ECHO (bench_echo_get_type ())
G_DECLARE_FINAL_TYPE (BenchEcho, bench_echo, BENCH, ECHO, WeftProtocol)

struct _BenchEcho {
  WeftProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (BenchEcho, bench_echo, WEFT_TYPE_PROTOCOL)

static void
bench_echo_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  WEFT_PROTOCOL_CLASS (bench_echo_parent_class)->connection_made (protocol, transport);
  /* Every server in the comparison sets TCP_NODELAY. */
  if (WEFT_IS_TCP_TRANSPORT (transport))
    weft_tcp_transport_set_nodelay (WEFT_TCP_TRANSPORT (transport), TRUE, NULL);
}

static void
bench_echo_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  weft_transport_write (weft_protocol_get_transport (protocol), data, len);
}

static void
bench_echo_class_init (BenchEchoClass *klass)
{
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  protocol_class->connection_made = bench_echo_connection_made;
  protocol_class->data_received = bench_echo_data_received;
}

static void
bench_echo_init (BenchEcho *self)
{
}

#ifdef HAVE_GTK
typedef struct {
  gint64 delay_us;
  gint64 seconds_us;
  gint64 start; /* 0 until the first frame */
  gint64 end;
  guint frames;
  gint64 last_tick;
  gint64 max_frame_gap;
  gint64 last_probe;
  gint64 max_probe_gap;
  gint64 last_probe_cpu;
  gint64 max_probe_busy;
  gboolean done;
} FrameMeter;

/* Microseconds of CPU this thread has used. */
static gint64
thread_cpu_time (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  FrameMeter *meter = user_data;
  double shade = (meter->frames % 60) / 60.0;

  cairo_set_source_rgb (cr, shade, 0.4, 1.0 - shade);
  cairo_paint (cr);
}

static void
report_frames (FrameMeter *meter, gint64 now)
{
  double seconds = (now - meter->start) / 1e6;

  meter->done = TRUE;
  printf ("mode=gtk frames=%u seconds=%.3f fps=%.1f max_frame_gap_ms=%.1f max_stall_ms=%.1f max_busy_stall_ms=%.1f\n",
          meter->frames, seconds, meter->frames / seconds, meter->max_frame_gap / 1000.0,
          MAX (0.0, meter->max_probe_gap / 1000.0 - 1.0), meter->max_probe_busy / 1000.0);
  fflush (stdout);
}

static gboolean
tick (GtkWidget *widget, GdkFrameClock *frame_clock, gpointer user_data)
{
  FrameMeter *meter = user_data;
  gint64 now = g_get_monotonic_time ();

  if (meter->start == 0)
    {
      meter->start = now + meter->delay_us;
      meter->end = meter->start + meter->seconds_us;
    }
  if (now >= meter->start && now < meter->end)
    {
      meter->frames++;
      if (meter->last_tick >= meter->start)
        meter->max_frame_gap = MAX (meter->max_frame_gap, now - meter->last_tick);
    }
  else if (now >= meter->end && !meter->done)
    report_frames (meter, now);
  meter->last_tick = now;
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static gboolean
probe (gpointer user_data)
{
  FrameMeter *meter = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_time ();

  if (meter->start != 0 && now >= meter->start && now < meter->end && meter->last_probe != 0)
    {
      meter->max_probe_gap = MAX (meter->max_probe_gap, now - meter->last_probe);
      meter->max_probe_busy = MAX (meter->max_probe_busy, cpu - meter->last_probe_cpu);
    }
  meter->last_probe = now;
  meter->last_probe_cpu = cpu;
  return G_SOURCE_CONTINUE;
}

static GtkWidget *
open_window (FrameMeter *meter)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *area = gtk_drawing_area_new ();

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), 320);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), 240);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw, meter, NULL);
  gtk_window_set_title (GTK_WINDOW (window), "weft bench");
  gtk_window_set_child (GTK_WINDOW (window), area);
  gtk_widget_add_tick_callback (area, tick, meter, NULL);
  g_timeout_add_full (GDK_PRIORITY_REDRAW, 1, probe, meter, NULL);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}
#endif

static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

int
main (int argc, char **argv)
{
  int port = 0;
  gboolean no_hosting = FALSE, gtk = FALSE;
  double gtk_delay = 1.5, gtk_seconds = 3.0;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port on 127.0.0.1", "P" },
    { "no-hosting", 0, 0, G_OPTION_ARG_NONE, &no_hosting, "Do not host GLib's main context", NULL },
    { "gtk", 0, 0, G_OPTION_ARG_NONE, &gtk, "Add a GTK 4 window with a tick callback and measure its frames", NULL },
    { "gtk-delay", 0, 0, G_OPTION_ARG_DOUBLE, &gtk_delay, "Seconds after the first frame before measuring", "S" },
    { "gtk-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &gtk_seconds, "Seconds of frame measurement", "S" },
    { NULL },
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("- Weft echo server for the benchmarks");
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  g_autoptr (WeftFactory) factory = NULL;
  g_autoptr (WeftListeningPort) listening = NULL;
  g_autoptr (GSocketAddress) address = NULL;
#ifdef HAVE_GTK
  FrameMeter meter = { 0 };
  GtkWidget *window = NULL;
#endif

  g_option_context_add_main_entries (options, entries, NULL);
  g_option_context_add_group (options, weft_get_option_group ());
  if (!g_option_context_parse (options, &argc, &argv, &error) || port <= 0 || port > 65535)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: echo-weft [--reactor=NAME] --port P");
      return 2;
    }
#ifndef HAVE_GTK
  if (gtk)
    {
      g_printerr ("echo-weft was built without GTK 4\n");
      return 2;
    }
#endif
  if (gtk && no_hosting)
    {
      g_printerr ("--gtk needs GLib hosting\n");
      return 2;
    }
  raise_fd_limit ();

  reactor = weft_reactor_new (NULL, no_hosting ? WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING : WEFT_REACTOR_FLAGS_NONE, &error);
  if (reactor == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  factory = weft_factory_new (BENCH_TYPE_ECHO);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", (guint) port);
  listening = weft_reactor_listen_tcp (reactor, address, factory, 1024, &error);
  if (listening == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

#ifdef HAVE_GTK
  if (gtk)
    {
      gtk_init ();
      meter.delay_us = (gint64) (gtk_delay * G_USEC_PER_SEC);
      meter.seconds_us = (gint64) (gtk_seconds * G_USEC_PER_SEC);
      window = open_window (&meter);
    }
#endif

  /* SIGTERM and SIGINT stop the reactor gracefully. */
  weft_reactor_run (reactor);

#ifdef HAVE_GTK
  if (window != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
#endif
  return 0;
}
