/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A bare peer thread for the stall benchmarks, and the tick log both the
 * peer and a reactor's timer keep.
 *
 * The peer is a thread of the same process with no Weft and no main loop:
 * it sleeps to absolute ticks (clock_nanosleep) and logs how late each one
 * ran. What it sees is what the machine, under the same load, does to a
 * thread that only waits for a timer. Beside the lateness of every tick it
 * keeps the intervals the machine took from it: lateness the kernel's own
 * accounting does not explain as waiting for a CPU (a timer fired late, as
 * when the host does not run this virtual machine's CPUs). A stall of the
 * program that overlaps one of those was, for that part, the machine's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How late the ticks of one thread ran, and where the worst tick's
 * interval went by the kernel's accounting of that thread
 * (/proc/thread-self/schedstat): time on a CPU, and time runnable but
 * waiting for one. The rest of an interval the thread was asleep or
 * blocked. */
typedef struct {
  GArray *lateness; /* gint64 µs, one per tick */
  int schedstat_fd;
  gint64 last_cpu_ns;
  gint64 last_wait_ns;
  gint64 last_tick_us;
  gint64 worst_late_us;
  gint64 worst_cpu_us;
  gint64 worst_wait_us;
  gint64 worst_from_us; /* the worst tick's interval, monotonic time */
  gint64 worst_to_us;
} BenchTickLog;

/* The calling thread's time on a CPU and runnable but waiting for one,
 * in ns, from @fd: /proc/thread-self/schedstat opened in that thread. */
void bench_thread_times (int fd, gint64 *cpu_ns, gint64 *wait_ns);

/* In the thread whose ticks it logs; @expected_ticks sizes the log. */
void bench_tick_log_start (BenchTickLog *log, gint64 start, guint expected_ticks);
/* A tick due at @due ran at @now; returns how long of that the thread
 * was runnable but waiting for a CPU, in µs. */
gint64 bench_tick_log_record (BenchTickLog *log, gint64 now, gint64 due);
void bench_tick_log_clear (BenchTickLog *log);

/* The value at @num/@den of the log's sorted lateness (1/2 the median). */
gint64 bench_tick_log_percentile (BenchTickLog *log, guint num, guint den);

/* An interval the machine took from the peer: [from, to], monotonic µs. */
typedef struct {
  gint64 from;
  gint64 to;
} BenchPause;

#define BENCH_PEER_MAX_PAUSES 4096

typedef struct {
  GThread *thread;
  gint64 tick_us;
  gint64 start;
  gint end_set;        /* atomic: end is valid */
  gint64 end;          /* the peer stops at its first tick after this */
  gint64 min_pause_us; /* shorter lateness is not logged as a pause */
  int cpu;             /* the CPU it is pinned to, or -1 */
  BenchTickLog log;
  /* Written by the peer only; n_pauses is published with a release store
   * after the entry, so another thread may read entries below it. */
  BenchPause pauses[BENCH_PEER_MAX_PAUSES];
  gint n_pauses;
} BenchPeer;

/* Starts the peer now, ticking every @tick_us until @end (monotonic µs),
 * or, with @end 0, until bench_peer_stop(). Lateness over @min_pause_us
 * that the thread did not spend waiting for a CPU is kept as a pause. */
BenchPeer *bench_peer_start (gint64 tick_us, gint64 end, gint64 min_pause_us);
/* The same, pinned to @cpu: it sees what the machine takes from that CPU
 * (a virtual CPU may be paused while another runs). */
BenchPeer *bench_peer_start_on (int cpu, gint64 tick_us, gint64 end, gint64 min_pause_us);
/* Stops (if started without an end) and joins the peer; its log and
 * pauses stay readable until bench_peer_free(). */
void bench_peer_join (BenchPeer *peer);
void bench_peer_free (BenchPeer *peer);

/* From any thread while the peer runs: how much of [from, to] the machine
 * took from the peer, in µs, and the longest single pause in it. */
gint64 bench_peer_paused_in (BenchPeer *peer, gint64 from, gint64 to, gint64 *longest);

G_END_DECLS
