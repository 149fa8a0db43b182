/* SPDX-License-Identifier: GPL-3.0-or-later */
/* weft-chat under load: the window on screen, the chat server in the same
 * process and thread, and a flood of messages arriving in the open channel
 * from a second client of that server.
 *
 *   bench-chat-ui [--mode=flood|rss] [--rate=N] [--seconds=S]
 *                 [--unloaded-seconds=S] [--total=N] [--history=N] [--smoke] [BACKEND...]
 *
 * flood (the default): --history messages arrive in the channel first (it
 *   has history, as a channel one reads does, and the view has made its
 *   rows); then the window alone for --unloaded-seconds, then
 *   --rate messages per second for --seconds. Frame rate unloaded and
 *   loaded (GdkFrameClock ticks of the window), the longest main-loop stall
 *   (lateness of a 2 ms reactor timer) and the CPU time the thread itself
 *   used in it, the most CPU time the thread used between two runs of that
 *   timer (a stall of its own, whatever else ran), the longest gap between two frames, and the messages that
 *   joined the open channel's view per second; then how long the view takes
 *   to show the last message sent after the flood stops.
 * rss: --total messages arrive at --rate (as fast as the client takes
 *   them), then the process's VmRSS, the rows in the view and the rate they
 *   arrived at; then the view scrolls up one page per frame for 120 frames
 *   through them: frames per second and the longest frame gap.
 *
 * Prints one line of key=value pairs per backend, each line starting with
 * "backend=NAME mode=MODE". With BENCH_TRACE set in the environment, every
 * frame-clock phase (0 update, 1 layout, 2 paint) over 20 ms is printed to
 * stderr with its time since the flood started. */
#include "config.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench-peer.h"
#include "chat-application.h"
#include "wcs-server.h"

#define SCROLL_FRAMES 120
/* A smoke run only checks that scrolling works. */
#define SMOKE_SCROLL_FRAMES 5

static char *mode = NULL;
static gint rate = -1;
static double seconds = 10;
static double unloaded_seconds = 3;
static guint total = 100000;
static guint history = 1000;
static gboolean smoke;

static guint
scroll_frames (void)
{
  return smoke ? SMOKE_SCROLL_FRAMES : SCROLL_FRAMES;
}

typedef struct {
  WeftReactor *reactor;
  const char *backend;
  WcsServer *server;
  ChatApplication *app;
  ChatRoom *room;
  WeftProtocol *flooder; /* raw lines: no parsing, no tracking of what it sent */
  char *data_dir;

  guint frames;
  guint frames_off_bottom;
  gint64 last_frame;
  gint64 frame_gap_max;
  guint received;
  guint sent;
  gint64 stall_max;
  gint64 stall_busy; /* thread CPU time within the longest stall */
  gint64 busy_max;   /* the most CPU time the thread used between two probes */
  gint64 next_probe;
  gint64 probe_cpu;
  gint64 probe_wall; /* monotonic time of the last probe */
  int schedstat_fd;  /* the GTK thread's, for BENCH_TRACE */
  gint64 probe_wait_ns;
  int probe_on; /* the CPU the thread was on at the last probe (-1: none yet) */
  /* The peer thread, and what is left of the stalls and own runs once the
   * time the machine took from the peer in the same interval is removed. */
  GPtrArray *peers; /* one pinned to each CPU */
  gint64 stall_beyond_max;
  gint64 busy_beyond_max;
  gint64 peer_pause_max;  /* the longest pause of the peer in one interval */
  guint paused_intervals; /* probe intervals the peer lost time in */
  WeftDelayedCall *probe;
  WeftDelayedCall *flood;
  gint64 flood_started;
  gboolean flooding;
  int flood_rate;
  guint flood_base; /* sent when the flood started */
  guint limit;      /* the flood stops once this many were sent */
  guint scroll_steps;
  /* The frame clock's phases: when the current one started, the longest of
   * each (update, layout, paint). */
  gint64 phase_start;
  gboolean in_layout;
  gint64 phase_max[3];
  /* BENCH_TRACE: the thread's CPU time in each phase since the last probe,
   * and messages that joined the view, to tell what a long own run was. */
  gint64 phase_cpu_start;
  gint64 phase_cpu[3];
  guint received_at_probe;
} Bench;

enum {
  PHASE_UPDATE,
  PHASE_LAYOUT,
  PHASE_PAINT
};

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000) + ts.tv_nsec / 1000;
}

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  Bench *b = data;
  gint64 now = g_get_monotonic_time ();

  b->frames++;
  /* The view follows the newest message, as it does for a reader at the
   * bottom: a frame that starts away from it is counted. */
  if (b->flooding && b->limit == G_MAXUINT &&
      !chat_message_list_is_at_bottom (chat_window_get_message_list (CHAT_WINDOW (widget))))
    b->frames_off_bottom++;
  if (b->last_frame != 0 && now - b->last_frame > b->frame_gap_max)
    b->frame_gap_max = now - b->last_frame;
  b->last_frame = now;
  return G_SOURCE_CONTINUE;
}

static gint64 thread_cpu_us (void);

static void
phase_end (Bench *b, int phase)
{
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();

  if (b->phase_start != 0)
    b->phase_cpu[phase] += cpu - b->phase_cpu_start;
  b->phase_cpu_start = cpu;

  if (b->phase_start != 0 && now - b->phase_start > b->phase_max[phase])
    b->phase_max[phase] = now - b->phase_start;
  if (g_getenv ("BENCH_TRACE") != NULL && b->phase_start != 0 && now - b->phase_start > 20000)
    g_printerr ("trace: %.3f s phase %d %.1f ms rows %u\n", (now - b->flood_started) / 1e6, phase,
                (now - b->phase_start) / 1e3, b->received);
  b->phase_start = now;
}

/* Emission hooks run before every handler of the clock's signals, GTK's
 * own included: each marks where a phase starts. The clock emits update,
 * then layout (again, up to four times, while a layout queues another:
 * one phase), then paint, then after-paint. */
static Bench *hooked;

static gboolean
phase_hook (GSignalInvocationHint *hint, guint n_params, const GValue *params, gpointer data)
{
  Bench *b = hooked;
  const char *name = data;

  if (b == NULL)
    return TRUE;
  if (strcmp (name, "update") == 0)
    {
      b->phase_start = g_get_monotonic_time ();
      b->phase_cpu_start = thread_cpu_us ();
    }
  else if (strcmp (name, "layout") == 0)
    {
      if (!b->in_layout)
        phase_end (b, PHASE_UPDATE);
      b->in_layout = TRUE;
    }
  else if (strcmp (name, "paint") == 0)
    {
      b->in_layout = FALSE;
      phase_end (b, PHASE_LAYOUT);
    }
  else
    {
      phase_end (b, PHASE_PAINT);
      b->phase_start = 0;
    }
  return TRUE;
}

static void
hook_phases (Bench *b)
{
  static const char *const names[] = { "update", "layout", "paint", "after-paint" };
  static gboolean done;

  hooked = b;
  if (done)
    return;
  done = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_signal_add_emission_hook (g_signal_lookup (names[i], GDK_TYPE_FRAME_CLOCK), 0, phase_hook, (gpointer) names[i],
                                NULL);
}

static void
reset_counters (Bench *b)
{
  memset (b->phase_max, 0, sizeof b->phase_max);
  b->frames = 0;
  b->frames_off_bottom = 0;
  b->last_frame = 0;
  b->frame_gap_max = 0;
  b->stall_max = 0;
  b->stall_busy = 0;
  b->busy_max = 0;
  b->stall_beyond_max = 0;
  b->busy_beyond_max = 0;
  b->peer_pause_max = 0;
  b->paused_intervals = 0;
  b->next_probe = weft_reactor_get_time (b->reactor) + 2000;
  b->probe_cpu = thread_cpu_us ();
  b->probe_wall = g_get_monotonic_time ();
}

/* A 2 ms timer: how late it runs is how long the loop was busy, or
 * waiting for a CPU; the thread's CPU time in between tells which. Where
 * the peer thread lost time to the machine in the same interval (a timer
 * that fired late, not a wait for a CPU), that much of the stall, and of
 * the thread's CPU time, which a paused virtual CPU also charges to the
 * thread it paused, is not the program's. */
static void
probe_cb (gpointer data)
{
  Bench *b = data;
  gint64 now = weft_reactor_get_time (b->reactor);
  gint64 wall = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();
  gint64 stall = now - b->next_probe;
  gint64 busy = cpu - b->probe_cpu;
  gint64 longest = 0;
  int on = sched_getcpu ();
  BenchPeer *peer = b->peers != NULL && on >= 0 && (guint) on < b->peers->len ? b->peers->pdata[on] : NULL;
  /* What the machine took from the CPU this thread runs on. */
  gint64 paused = peer != NULL ? bench_peer_paused_in (peer, b->probe_wall, wall, &longest) : 0;
  /* The stall starts when the timer was due. */
  gint64 paused_late = peer != NULL ? bench_peer_paused_in (peer, b->probe_wall + 2000, wall, NULL) : 0;

  if (stall > b->stall_max)
    {
      b->stall_max = stall;
      b->stall_busy = busy;
    }
  b->busy_max = MAX (b->busy_max, busy);
  b->stall_beyond_max = MAX (b->stall_beyond_max, stall - paused_late);
  b->busy_beyond_max = MAX (b->busy_beyond_max, busy - paused);
  b->peer_pause_max = MAX (b->peer_pause_max, longest);
  if (paused > 0)
    b->paused_intervals++;
  if (b->flooding && b->limit == G_MAXUINT && g_getenv ("BENCH_TRACE") != NULL)
    {
      gint64 cpu_ns, wait_ns;

      if (b->schedstat_fd == 0)
        b->schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
      bench_thread_times (b->schedstat_fd, &cpu_ns, &wait_ns);
      if (stall > 10000)
        g_printerr ("trace: %.3f s stall %.1f ms: own %.1f ms, waiting for a CPU %.1f ms, peer paused %.1f ms\n",
                    (now - b->flood_started) / 1e6, stall / 1e3, busy / 1e3, (wait_ns - b->probe_wait_ns) / 1e6,
                    paused_late / 1e3);
      b->probe_wait_ns = wait_ns;
    }
  if (b->flooding && b->limit == G_MAXUINT && busy > 5000 && g_getenv ("BENCH_TRACE") != NULL)
    {
      /* Where the thread was on another CPU at the last probe, what that
       * CPU's peer lost in the interval too. */
      int was = b->probe_on;
      BenchPeer *before =
          was >= 0 && was != on && b->peers != NULL && (guint) was < b->peers->len ? b->peers->pdata[was] : NULL;

      g_printerr ("trace: %.3f s own run %.1f ms (update %.1f, layout %.1f, paint %.1f), %u messages shown, "
                  "peer paused %.1f ms in it, CPU %d to %d (its peer paused %.1f ms) (at %.6f)\n",
                  (now - b->flood_started) / 1e6, busy / 1e3, b->phase_cpu[PHASE_UPDATE] / 1e3,
                  b->phase_cpu[PHASE_LAYOUT] / 1e3, b->phase_cpu[PHASE_PAINT] / 1e3, b->received - b->received_at_probe,
                  paused / 1e3, was, on,
                  before != NULL ? bench_peer_paused_in (before, b->probe_wall, wall, NULL) / 1e3 : 0.0, wall / 1e6);
    }
  memset (b->phase_cpu, 0, sizeof b->phase_cpu);
  b->probe_on = on;
  b->received_at_probe = b->received;
  b->next_probe = now + 2000;
  b->probe_cpu = cpu;
  b->probe_wall = wall;
  b->probe = weft_reactor_call_later (b->reactor, 2000, probe_cb, b, NULL);
}

/* Every 10 ms, what the rate asks for since the flood started: the rate
 * holds even when a timer runs late. */
static void
flood_cb (gpointer data)
{
  Bench *b = data;
  WeftTransport *transport = b->flooder != NULL ? weft_protocol_get_transport (b->flooder) : NULL;
  double elapsed = (g_get_monotonic_time () - b->flood_started) / (double) G_USEC_PER_SEC;
  guint due = b->flood_base + (guint) MIN ((double) G_MAXUINT / 2, elapsed * b->flood_rate) + 1;
  g_autoptr (GString) lines = g_string_new (NULL);

  /* At most a second's worth at once, and never beyond the limit. */
  for (guint i = 0; b->sent < due && i < (guint) b->flood_rate && b->sent < b->limit && transport != NULL; i++)
    g_string_append_printf (lines, "PRIVMSG #flood :flood message %u: the quick brown fox jumps over the lazy dog\r\n",
                            b->sent++);
  if (transport != NULL && lines->len > 0)
    weft_transport_write (transport, lines->str, lines->len);
  b->flood = b->flooding ? weft_reactor_call_later (b->reactor, 10000, flood_cb, b, NULL) : NULL;
}

static void
items_changed (GListModel *model, guint position, guint removed, guint added, Bench *b)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (ChatMessage) message = g_list_model_get_item (model, i);

      if (chat_message_get_kind (message) == CHAT_MESSAGE_TEXT)
        b->received++;
    }
}

static WeftDeferred *
flooder_connected (WeftResult *result, gpointer data)
{
  Bench *b = data;
  static const char hello[] = "NICK flooder\r\nUSER flooder 0 * :Flooder\r\nJOIN #flood\r\n";

  b->flooder = weft_result_dup_object (result);
  weft_transport_write (weft_protocol_get_transport (b->flooder), hello, sizeof hello - 1);
  return NULL;
}

static void
run_for (Bench *b, double duration)
{
  gint64 until = g_get_monotonic_time () + (gint64) (duration * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    weft_reactor_iterate (b->reactor, TRUE);
}

static gboolean
wait_for (Bench *b, gboolean (*cond) (Bench *), double timeout)
{
  gint64 until = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);

  while (!cond (b))
    {
      if (g_get_monotonic_time () > until)
        return FALSE;
      weft_reactor_iterate (b->reactor, TRUE);
    }
  return TRUE;
}

static gboolean
ready (Bench *b)
{
  g_autoptr (ChatConnection) connection = g_list_model_get_item (chat_application_get_connections (b->app), 0);
  GListModel *members;

  b->room = chat_connection_find_room (connection, "#flood");
  members = b->room != NULL ? chat_room_get_members (b->room) : NULL;
  /* The flooder is in when the reader sees two members. */
  return b->room != NULL && chat_room_get_joined (b->room) && members != NULL &&
         g_list_model_get_n_items (members) >= 2;
}

static gboolean
all_received (Bench *b)
{
  return b->received >= b->sent && !b->flooding;
}

static gboolean
all_received_history (Bench *b)
{
  return b->received >= b->limit;
}

static gboolean
total_received (Bench *b)
{
  return b->received >= total;
}

static long
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? atol (line + 6) : -1;
}

static void
start_flood (Bench *b, int flood_rate, guint limit)
{
  b->flooding = TRUE;
  b->flood_rate = flood_rate;
  b->flood_base = b->sent;
  b->limit = limit;
  b->flood_started = g_get_monotonic_time ();
  flood_cb (b);
}

static void
stop_flood (Bench *b)
{
  b->flooding = FALSE;
  if (b->flood != NULL)
    weft_delayed_call_cancel (b->flood);
  b->flood = NULL;
}

static guint
peers_started (Bench *b)
{
  guint n = 0;

  for (guint i = 0; i < b->peers->len; i++)
    n += b->peers->pdata[i] != NULL;
  return n;
}

static void
run_flood (Bench *b)
{
  double fps_unloaded, fps_loaded, elapsed, shown_per_s;
  gint64 stall_unloaded, started, stopped;
  guint received_before;
  gboolean drained;

  /* A peer on each CPU ticks every millisecond beside both phases. */
  b->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) bench_peer_free);
  {
    cpu_set_t allowed;

    CPU_ZERO (&allowed);
    sched_getaffinity (0, sizeof allowed, &allowed);
    for (int cpu = 0; cpu < CPU_SETSIZE && (guint) CPU_COUNT (&allowed) > peers_started (b); cpu++)
      g_ptr_array_add (b->peers, CPU_ISSET (cpu, &allowed) ? bench_peer_start_on (cpu, 1000, 0, 1000) : NULL);
  }
  reset_counters (b);
  run_for (b, unloaded_seconds);
  fps_unloaded = b->frames / unloaded_seconds;
  stall_unloaded = b->stall_max;

  reset_counters (b);
  received_before = b->received;
  start_flood (b, rate, G_MAXUINT);
  started = b->flood_started;
  run_for (b, seconds);
  elapsed = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  fps_loaded = b->frames / elapsed;
  shown_per_s = (b->received - received_before) / elapsed;
  stop_flood (b);
  g_clear_pointer (&b->peers, g_ptr_array_unref);
  stopped = g_get_monotonic_time ();
  /* The last message sent reaches the view: what was queued is caught up. */
  drained = wait_for (b, all_received, 60);
  printf ("backend=%s mode=flood rate=%d seconds=%.1f fps_unloaded=%.1f fps_loaded=%.1f fps_ratio=%.3f "
          "stall_unloaded_ms=%.1f stall_loaded_ms=%.1f stall_busy_ms=%.1f busy_max_ms=%.1f frame_gap_ms=%.1f sent=%u "
          "shown_per_s=%.0f catch_up_ms=%.0f update_max_ms=%.1f layout_max_ms=%.1f paint_max_ms=%.1f "
          "stall_beyond_peer_ms=%.1f busy_beyond_peer_ms=%.1f peer_pause_max_ms=%.1f paused_intervals=%u "
          "at_bottom=%.3f%s\n",
          b->backend, rate, elapsed, fps_unloaded, fps_loaded, fps_unloaded > 0 ? fps_loaded / fps_unloaded : 0,
          stall_unloaded / 1000.0, b->stall_max / 1000.0, b->stall_busy / 1000.0, b->busy_max / 1000.0,
          b->frame_gap_max / 1000.0, b->sent, shown_per_s, (g_get_monotonic_time () - stopped) / 1000.0,
          b->phase_max[PHASE_UPDATE] / 1000.0, b->phase_max[PHASE_LAYOUT] / 1000.0, b->phase_max[PHASE_PAINT] / 1000.0,
          b->stall_beyond_max / 1000.0, b->busy_beyond_max / 1000.0, b->peer_pause_max / 1000.0, b->paused_intervals,
          b->frames > 0 ? 1.0 - (double) b->frames_off_bottom / b->frames : 0, drained ? "" : " incomplete=1");
}

/* One page up per frame, as a fast scroll-up through the rows would. */
static gboolean
scroll_step (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  Bench *b = data;
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (
      GTK_SCROLLABLE (chat_message_list_get_list_view (chat_window_get_message_list (CHAT_WINDOW (widget)))));

  if (b->scroll_steps >= scroll_frames ())
    return G_SOURCE_REMOVE;
  b->scroll_steps++;
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) - gtk_adjustment_get_page_size (adj));
  return G_SOURCE_CONTINUE;
}

static gboolean
scrolled (Bench *b)
{
  return b->scroll_steps >= scroll_frames ();
}

static void
run_rss (Bench *b, ChatWindow *window)
{
  gint64 started, arrived, scroll_started;
  gboolean complete;
  double scroll_seconds;
  long rss, rss_before;

  started = g_get_monotonic_time ();
  rss_before = rss_kb ();
  start_flood (b, rate, total);
  complete = wait_for (b, total_received, 300);
  arrived = g_get_monotonic_time ();
  stop_flood (b);
  run_for (b, 0.5);
  rss = rss_kb ();

  reset_counters (b);
  b->scroll_steps = 0;
  scroll_started = g_get_monotonic_time ();
  gtk_widget_add_tick_callback (GTK_WIDGET (window), scroll_step, b, NULL);
  wait_for (b, scrolled, 60);
  scroll_seconds = (g_get_monotonic_time () - scroll_started) / (double) G_USEC_PER_SEC;
  printf ("backend=%s mode=rss total=%u received=%u rows=%u seconds=%.1f arrived_per_s=%.0f rss_before_mb=%.1f "
          "rss_mb=%.1f scroll_fps=%.1f scroll_frame_gap_ms=%.1f%s\n",
          b->backend, total, b->received, chat_room_get_n_messages (b->room), (arrived - started) / 1e6,
          b->received / ((arrived - started) / 1e6), rss_before / 1024.0, rss / 1024.0,
          scroll_frames () / scroll_seconds, b->frame_gap_max / 1000.0, complete ? "" : " incomplete=1");
}

static void
activated (GApplication *application, Bench *b)
{
  ChatWindow *window = chat_application_get_window (b->app);
  g_autoptr (GError) error = NULL;

  {
    g_autofree char *endpoint = g_strdup_printf ("tcp:127.0.0.1:%u", wcs_server_get_irc_port (b->server));
    g_autoptr (WeftClientEndpoint) client_endpoint = weft_client_endpoint_from_string (b->reactor, endpoint, &error);
    g_autoptr (WeftClientFactory) factory = weft_client_factory_new (WEFT_TYPE_PROTOCOL);
    g_autoptr (WeftDeferred) connecting = NULL;

    g_assert_no_error (error);
    connecting = weft_client_endpoint_connect (client_endpoint, factory);
    weft_deferred_add_callback (connecting, flooder_connected, b, NULL);
  }
  if (!wait_for (b, ready, 30))
    g_error ("the clients did not join #flood");
  chat_window_select_room (window, b->room);
  g_signal_connect (chat_room_get_messages (b->room), "items-changed", G_CALLBACK (items_changed), b);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), count_frame, b, NULL);
  hook_phases (b);
  b->probe = weft_reactor_call_later (b->reactor, 2000, probe_cb, b, NULL);
  run_for (b, 1);

  /* The flood run reads a channel with history, as one does: the view has
   * a screenful and more of rows made before the measurement starts. */
  if (g_strcmp0 (mode, "rss") != 0 && history > 0)
    {
      start_flood (b, 20000, history);
      if (!wait_for (b, all_received_history, 60))
        g_error ("the history did not arrive");
      stop_flood (b);
      run_for (b, 1);
    }

  if (g_strcmp0 (mode, "rss") == 0)
    run_rss (b, window);
  else
    run_flood (b);
  fflush (stdout);

  stop_flood (b);
  weft_delayed_call_cancel (b->probe);
  if (weft_protocol_get_transport (b->flooder) != NULL)
    weft_transport_lose_connection (weft_protocol_get_transport (b->flooder));
  g_clear_object (&b->flooder);
  hooked = NULL;
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
started (GApplication *application, Bench *b)
{
  g_autoptr (ChatServerConfig) config = chat_server_config_new ();
  const char *channels[] = { "#flood", NULL };

  config->name = g_strdup ("Bench");
  config->url = g_strdup_printf ("irc://127.0.0.1:%u", wcs_server_get_irc_port (b->server));
  config->nick = g_strdup ("reader");
  config->channels = g_strdupv ((char **) channels);
  chat_application_add_connection (b->app, config);
}

static int
run_backend (const char *backend)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  Bench b = { 0 };
  char *argv[] = { (char *) "bench-chat-ui", NULL };

  b.backend = backend;
  b.probe_on = -1;
  b.reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NONE, &error);
  g_assert_no_error (error);
  b.data_dir = g_dir_make_tmp ("weft-chat-bench-XXXXXX", &error);
  /* No flood penalty: the flood is the point. */
  g_key_file_set_integer (keyfile, "limits", "flood-penalty-ms", 0);
  g_key_file_set_integer (keyfile, "limits", "sendq-bytes", 64 * 1024 * 1024);
  b.server = wcs_server_new (b.reactor, keyfile, b.data_dir, &error);
  g_assert_no_error (error);
  g_assert_true (wcs_server_listen_irc (b.server, "tcp:0:interface=127.0.0.1", &error));
  b.app = chat_application_new (b.reactor);
  g_signal_connect_after (b.app, "startup", G_CALLBACK (started), &b);
  g_signal_connect_after (b.app, "activate", G_CALLBACK (activated), &b);
  g_application_run (G_APPLICATION (b.app), 1, argv);
  g_object_run_dispose (G_OBJECT (b.app));
  g_clear_object (&b.app);
  wcs_server_kill (b.server);
  g_clear_object (&b.server);
  g_clear_object (&b.reactor);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", b.data_dir);
    (void) !system (command);
  }
  g_free (b.data_dir);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("[BACKEND…]");
  g_autoptr (GError) error = NULL;
  const GOptionEntry entries[] = {
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "flood (frame rate, stalls) or rss (memory, scrolling)", "MODE" },
    { "rate", 0, 0, G_OPTION_ARG_INT, &rate, "Messages per second (flood: 2000, rss: 20000)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Length of the loaded run", "S" },
    { "unloaded-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &unloaded_seconds, "Length of the unloaded run", "S" },
    { "total", 0, 0, G_OPTION_ARG_INT, &total, "rss: messages to receive before reading the RSS", "N" },
    { "history", 0, 0, G_OPTION_ARG_INT, &history, "flood: messages in the channel before the measurement", "N" },
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &smoke, "A short run that only checks it works", NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (mode != NULL && strcmp (mode, "flood") != 0 && strcmp (mode, "rss") != 0)
    {
      g_printerr ("unknown mode %s\n", mode);
      return 2;
    }
  if (rate < 0)
    rate = g_strcmp0 (mode, "rss") == 0 ? 20000 : 2000;
  /* Xvfb has no GPU: GTK's GL renderer would run on llvmpipe and measure
   * Mesa instead of Weft. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  if (smoke)
    {
      rate = MIN (rate, 2000);
      seconds = 1;
      unloaded_seconds = 0.5;
      history = MIN (history, 100);
      total = MIN (total, 1000);
    }
  if (rate == 0)
    rate = 1;
  if (!gtk_init_check ())
    {
      g_print ("no display\n");
      return 77;
    }
  for (int i = 1; i < argc; i++)
    run_backend (argv[i]);
  if (argc == 1)
    for (const char *const *name = weft_reactor_list_backends (); *name != NULL; name++)
      if (weft_reactor_backend_is_available (*name, NULL, NULL))
        run_backend (*name);
  g_free (mode);
  return 0;
}
