/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "bench-peer.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

void
bench_thread_times (int fd, gint64 *cpu_ns, gint64 *wait_ns)
{
  char buf[128];
  ssize_t n = fd >= 0 ? pread (fd, buf, sizeof buf - 1, 0) : -1;
  unsigned long long cpu = 0, wait = 0;

  if (n > 0)
    {
      buf[n] = '\0';
      sscanf (buf, "%llu %llu", &cpu, &wait);
    }
  *cpu_ns = cpu;
  *wait_ns = wait;
}

void
bench_tick_log_start (BenchTickLog *log, gint64 start, guint expected_ticks)
{
  log->lateness = g_array_sized_new (FALSE, FALSE, sizeof (gint64), expected_ticks + 16);
  log->schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  log->last_tick_us = start;
  bench_thread_times (log->schedstat_fd, &log->last_cpu_ns, &log->last_wait_ns);
}

gint64
bench_tick_log_record (BenchTickLog *log, gint64 now, gint64 due)
{
  gint64 late = MAX (0, now - due);
  gint64 cpu_ns, wait_ns, waited_us;

  bench_thread_times (log->schedstat_fd, &cpu_ns, &wait_ns);
  waited_us = (wait_ns - log->last_wait_ns) / 1000;
  if (late >= log->worst_late_us)
    {
      log->worst_late_us = late;
      log->worst_cpu_us = (cpu_ns - log->last_cpu_ns) / 1000;
      log->worst_wait_us = waited_us;
      log->worst_from_us = log->last_tick_us;
      log->worst_to_us = now;
    }
  log->last_cpu_ns = cpu_ns;
  log->last_wait_ns = wait_ns;
  log->last_tick_us = now;
  g_array_append_val (log->lateness, late);
  return waited_us;
}

void
bench_tick_log_clear (BenchTickLog *log)
{
  if (log->schedstat_fd >= 0)
    close (log->schedstat_fd);
  log->schedstat_fd = -1;
  g_clear_pointer (&log->lateness, g_array_unref);
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

gint64
bench_tick_log_percentile (BenchTickLog *log, guint num, guint den)
{
  g_autoptr (GArray) sorted = NULL;
  guint index;

  if (log->lateness == NULL || log->lateness->len == 0)
    return 0;
  sorted = g_array_copy (log->lateness);
  g_array_sort (sorted, compare_gint64);
  index = (guint) MIN ((guint64) (sorted->len - 1), (guint64) sorted->len * num / den);
  return g_array_index (sorted, gint64, index);
}

static gboolean
peer_done (BenchPeer *peer, gint64 now)
{
  return g_atomic_int_get (&peer->end_set) && now >= peer->end;
}

static gpointer
peer_main (gpointer data)
{
  BenchPeer *peer = data;
  gint64 due = peer->start + peer->tick_us;

  if (peer->cpu >= 0)
    {
      cpu_set_t set;

      CPU_ZERO (&set);
      CPU_SET (peer->cpu, &set);
      if (sched_setaffinity (0, sizeof set, &set) != 0)
        g_warning ("Could not pin the peer thread to CPU %d: %s", peer->cpu, g_strerror (errno));
    }
  bench_tick_log_start (&peer->log, peer->start,
                        peer->end > peer->start ? (guint) ((peer->end - peer->start) / peer->tick_us) : 1024);
  for (;;)
    {
      struct timespec ts = { due / G_USEC_PER_SEC, (due % G_USEC_PER_SEC) * 1000 };
      gint64 now, waited, taken;

      while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
      now = g_get_monotonic_time ();
      waited = bench_tick_log_record (&peer->log, now, due);
      /* What the lateness was not spent waiting for a CPU, the machine
       * took; it ended at the latest when the thread became runnable. */
      taken = now - due - waited;
      if (taken > peer->min_pause_us && peer->n_pauses < BENCH_PEER_MAX_PAUSES)
        {
          BenchPause *pause = &peer->pauses[peer->n_pauses];

          pause->to = now - MAX (waited, 0);
          pause->from = pause->to - taken;
          g_atomic_int_set (&peer->n_pauses, peer->n_pauses + 1);
        }
      if (peer_done (peer, now))
        break;
      due = now + peer->tick_us;
    }
  return NULL;
}

BenchPeer *
bench_peer_start (gint64 tick_us, gint64 end, gint64 min_pause_us)
{
  return bench_peer_start_on (-1, tick_us, end, min_pause_us);
}

BenchPeer *
bench_peer_start_on (int cpu, gint64 tick_us, gint64 end, gint64 min_pause_us)
{
  BenchPeer *peer = g_new0 (BenchPeer, 1);

  peer->cpu = cpu;
  peer->tick_us = tick_us;
  peer->start = g_get_monotonic_time ();
  peer->end = end;
  peer->end_set = end > 0;
  peer->min_pause_us = min_pause_us;
  peer->log.schedstat_fd = -1;
  peer->thread = g_thread_new ("bench-peer", peer_main, peer);
  return peer;
}

void
bench_peer_join (BenchPeer *peer)
{
  if (peer->thread == NULL)
    return;
  if (!g_atomic_int_get (&peer->end_set))
    {
      peer->end = g_get_monotonic_time ();
      g_atomic_int_set (&peer->end_set, TRUE);
    }
  g_thread_join (g_steal_pointer (&peer->thread));
}

void
bench_peer_free (BenchPeer *peer)
{
  bench_peer_join (peer);
  bench_tick_log_clear (&peer->log);
  g_free (peer);
}

gint64
bench_peer_paused_in (BenchPeer *peer, gint64 from, gint64 to, gint64 *longest)
{
  gint n = g_atomic_int_get (&peer->n_pauses);
  gint64 total = 0, most = 0;

  for (gint i = n - 1; i >= 0; i--)
    {
      const BenchPause *pause = &peer->pauses[i];
      gint64 overlap = MIN (to, pause->to) - MAX (from, pause->from);

      if (pause->to < from - G_USEC_PER_SEC)
        break; /* pauses are in time order; none earlier can overlap */
      if (overlap > 0)
        {
          total += overlap;
          most = MAX (most, overlap);
        }
    }
  if (longest != NULL)
    *longest = most;
  return total;
}
