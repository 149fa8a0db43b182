/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The load generator for the echo benchmarks: its own process, plain C on
 * epoll, no GLib, so that it costs the same against every server.
 *
 *   loadgen pingpong --port P [--connections N] [--size S] [--warmup W] [--seconds T]
 *       N connections, each with exactly one message of S bytes in flight:
 *       a message is sent again as soon as its echo is complete. Counts the
 *       round trips completed during T seconds after W seconds of warm-up.
 *   loadgen bulk --port P [--bytes B] [--window W]
 *       one connection streaming B bytes through the server, at most W bytes
 *       sent and not yet echoed; MB/s (10^6 bytes) of echoed data.
 *   loadgen idle --port P [--connections N] [--server-pid PID] [--hold T]
 *       opens N connections, makes each echo one byte (so the server has
 *       accepted it and built its per-connection state), waits, and reports
 *       the server's resident memory before and after, per connection.
 *
 * With --server-pid, ping-pong and bulk also report the server's CPU time
 * (all its threads, from /proc/PID/task/TID/schedstat) during the measurement, and the work
 * done per CPU-second: a figure that other load on the machine disturbs far
 * less than the rate itself.
 *
 * The result is one line of key=value pairs on stdout. Connections are
 * closed with a reset (SO_LINGER 0) so that repeated runs leave no sockets
 * in TIME_WAIT to exhaust the ephemeral ports. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 1024
#define STALL_LIMIT_MS 10000 /* a server silent this long has failed */

typedef struct {
  int fd;
  size_t received; /* bytes of the current message echoed so far */
} Connection;

static const char *host = "127.0.0.1";
static int port;

static void __attribute__ ((noreturn, format (printf, 1, 2))) die (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fprintf (stderr, "loadgen: ");
  vfprintf (stderr, format, args);
  fprintf (stderr, "\n");
  va_end (args);
  exit (EXIT_FAILURE);
}

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

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

/* A blocking connect, retried while the server is still starting. */
static int
connect_to_server (double give_up_at)
{
  struct sockaddr_in address = { 0 };
  int one = 1;

  address.sin_family = AF_INET;
  address.sin_port = htons (port);
  if (inet_pton (AF_INET, host, &address.sin_addr) != 1)
    die ("bad address %s", host);

  for (;;)
    {
      int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

      if (fd < 0)
        die ("socket: %s", strerror (errno));
      if (connect (fd, (struct sockaddr *) &address, sizeof address) == 0)
        {
          setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          return fd;
        }
      if (errno != ECONNREFUSED || now_seconds () > give_up_at)
        die ("connecting to %s:%d: %s", host, port, strerror (errno));
      close (fd);
      usleep (20 * 1000);
    }
}

static void
set_nonblocking (int fd)
{
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  if (fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK) < 0)
    die ("fcntl: %s", strerror (errno));
  setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
}

static void
write_all (int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        die ("write: %s", strerror (errno));
      data += n;
      len -= (size_t) n;
    }
}

/* Opens @n connections in batches; every connection echoes one byte before
 * the next batch starts, so the server's accept queue never overflows (an
 * overflow costs a one-second SYN retransmit) and every connection is known
 * to be accepted on return. */
static Connection *
open_connections (int epfd, int n)
{
  Connection *connections = calloc ((size_t) n, sizeof *connections);
  struct epoll_event events[MAX_EVENTS];
  const int batch = 100;
  double give_up_at = now_seconds () + 10;

  for (int first = 0; first < n; first += batch)
    {
      int last = first + batch < n ? first + batch : n;
      int pending = last - first;

      for (int i = first; i < last; i++)
        {
          struct epoll_event event = { .events = EPOLLIN, .data.ptr = &connections[i] };

          connections[i].fd = connect_to_server (give_up_at);
          set_nonblocking (connections[i].fd);
          if (epoll_ctl (epfd, EPOLL_CTL_ADD, connections[i].fd, &event) < 0)
            die ("epoll_ctl: %s", strerror (errno));
          write_all (connections[i].fd, "x", 1);
        }
      while (pending > 0)
        {
          int n_events = epoll_wait (epfd, events, MAX_EVENTS, STALL_LIMIT_MS);

          if (n_events == 0)
            die ("the server did not echo on %d of %d new connections", pending, last - first);
          for (int e = 0; e < n_events; e++)
            {
              Connection *c = events[e].data.ptr;
              char byte;
              ssize_t got = read (c->fd, &byte, 1);

              if (got == 1)
                pending--;
              else if (got == 0 || (errno != EAGAIN && errno != EINTR))
                die ("connection %d closed during setup", (int) (c - connections));
            }
        }
    }
  return connections;
}

static void
close_connections (Connection *connections, int n)
{
  for (int i = 0; i < n; i++)
    close (connections[i].fd);
  free (connections);
}

/* CPU time the server's threads have run so far, in seconds: the sum of
 * /proc/PID/task/TID/schedstat (nanoseconds; /proc/PID/stat only counts
 * clock ticks, too coarse for a run of a second). */
static double
read_cpu_seconds (int pid)
{
  char path[64];
  struct dirent *entry;
  unsigned long long total = 0;
  DIR *tasks;

  if (pid <= 0)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/task", pid);
  tasks = opendir (path);
  if (tasks == NULL)
    die ("%s: %s", path, strerror (errno));
  while ((entry = readdir (tasks)) != NULL)
    {
      char stat_path[600];
      unsigned long long ns;
      FILE *file;

      if (entry->d_name[0] == '.')
        continue;
      snprintf (stat_path, sizeof stat_path, "%s/%s/schedstat", path, entry->d_name);
      file = fopen (stat_path, "r");
      if (file == NULL)
        continue; /* the thread just ended */
      if (fscanf (file, "%llu", &ns) == 1)
        total += ns;
      fclose (file);
    }
  closedir (tasks);
  return total / 1e9;
}

static long
read_rss_kb (int pid)
{
  char path[64], line[256];
  FILE *file;
  long kb = -1;

  snprintf (path, sizeof path, "/proc/%d/status", pid);
  file = fopen (path, "r");
  if (file == NULL)
    die ("%s: %s", path, strerror (errno));
  while (fgets (line, sizeof line, file) != NULL)
    if (sscanf (line, "VmRSS: %ld kB", &kb) == 1)
      break;
  fclose (file);
  return kb;
}

static void
run_pingpong (int n_connections, size_t size, double warmup, double seconds, int server_pid)
{
  int epfd = epoll_create1 (EPOLL_CLOEXEC);
  Connection *connections = open_connections (epfd, n_connections);
  struct epoll_event events[MAX_EVENTS];
  char *message = malloc (size);
  char buffer[65536];
  double start, measure_from, measure_until, now;
  unsigned long long round_trips = 0, all_round_trips = 0;
  double cpu_start = 0, cpu_seconds;
  int measuring = 0;

  memset (message, 'm', size);
  start = now_seconds ();
  measure_from = start + warmup;
  measure_until = measure_from + seconds;
  for (int i = 0; i < n_connections; i++)
    write_all (connections[i].fd, message, size);

  for (;;)
    {
      int n_events = epoll_wait (epfd, events, MAX_EVENTS, STALL_LIMIT_MS);

      if (n_events == 0)
        die ("no echo for %d ms", STALL_LIMIT_MS);
      if (n_events < 0 && errno != EINTR)
        die ("epoll_wait: %s", strerror (errno));
      for (int e = 0; e < n_events; e++)
        {
          Connection *c = events[e].data.ptr;
          ssize_t got = read (c->fd, buffer, sizeof buffer);

          if (got == 0)
            die ("the server closed connection %d", (int) (c - connections));
          if (got < 0)
            {
              if (errno == EAGAIN || errno == EINTR)
                continue;
              die ("read: %s", strerror (errno));
            }
          c->received += (size_t) got;
          if (c->received > size)
            die ("the server sent %zu bytes for a %zu-byte message", c->received, size);
          if (c->received == size)
            {
              c->received = 0;
              round_trips += measuring;
              all_round_trips++;
              write_all (c->fd, message, size);
            }
        }

      now = now_seconds ();
      if (!measuring && now >= measure_from)
        {
          measuring = 1;
          measure_from = now;
          measure_until = now + seconds;
          cpu_start = read_cpu_seconds (server_pid);
        }
      else if (measuring && now >= measure_until)
        break;
    }

  cpu_seconds = read_cpu_seconds (server_pid) - cpu_start;
  printf ("mode=pingpong connections=%d size=%zu seconds=%.3f round_trips=%llu round_trips_per_sec=%.0f "
          "server_cpu_seconds=%.2f round_trips_per_cpu_sec=%.0f all_round_trips=%llu\n",
          n_connections, size, now - measure_from, round_trips, round_trips / (now - measure_from), cpu_seconds,
          cpu_seconds > 0 ? round_trips / cpu_seconds : 0.0, all_round_trips);
  close_connections (connections, n_connections);
  free (message);
  close (epfd);
}

static void
run_bulk (unsigned long long total, size_t window, int server_pid)
{
  int epfd = epoll_create1 (EPOLL_CLOEXEC);
  Connection *connection = open_connections (epfd, 1);
  int fd = connection->fd;
  struct epoll_event event = { .events = EPOLLIN | EPOLLOUT, .data.ptr = connection };
  struct epoll_event events[4];
  static char out[65536], in[262144];
  unsigned long long sent = 0, received = 0;
  double start, elapsed, cpu_start, cpu_seconds;
  int writing = 1;

  memset (out, 'b', sizeof out);
  epoll_ctl (epfd, EPOLL_CTL_MOD, fd, &event);
  start = now_seconds ();
  cpu_start = read_cpu_seconds (server_pid);
  while (received < total)
    {
      int n_events = epoll_wait (epfd, events, 4, STALL_LIMIT_MS);

      if (n_events == 0)
        die ("bulk: stalled after %llu of %llu bytes echoed", received, total);
      if (n_events < 0)
        continue;
      if (events[0].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        for (;;)
          {
            ssize_t got = read (fd, in, sizeof in);

            if (got > 0)
              {
                received += (unsigned long long) got;
                continue;
              }
            if (got == 0)
              die ("bulk: the server closed after %llu bytes", received);
            if (errno != EAGAIN && errno != EINTR)
              die ("bulk: read: %s", strerror (errno));
            break;
          }
      while (sent < total && sent - received < window)
        {
          size_t len = sizeof out;
          ssize_t n;

          if (len > total - sent)
            len = (size_t) (total - sent);
          if (len > window - (sent - received))
            len = window - (size_t) (sent - received);
          n = write (fd, out, len);
          if (n < 0)
            {
              if (errno != EAGAIN && errno != EINTR)
                die ("bulk: write: %s", strerror (errno));
              break;
            }
          sent += (unsigned long long) n;
        }
      /* Ask for writability only while there is something to write. */
      if (writing != (sent < total && sent - received < window))
        {
          writing = !writing;
          event.events = EPOLLIN | (writing ? EPOLLOUT : 0);
          epoll_ctl (epfd, EPOLL_CTL_MOD, fd, &event);
        }
    }
  elapsed = now_seconds () - start;
  cpu_seconds = read_cpu_seconds (server_pid) - cpu_start;
  printf ("mode=bulk bytes=%llu seconds=%.3f mb_per_sec=%.1f server_cpu_seconds=%.2f mb_per_cpu_sec=%.1f\n", total,
          elapsed, total / elapsed / 1e6, cpu_seconds, cpu_seconds > 0 ? total / cpu_seconds / 1e6 : 0.0);
  close_connections (connection, 1);
  close (epfd);
}

static void
run_idle (int n_connections, int server_pid, double hold)
{
  int epfd = epoll_create1 (EPOLL_CLOEXEC);
  long before = server_pid > 0 ? read_rss_kb (server_pid) : -1, after = -1;
  double start = now_seconds ();
  Connection *connections = open_connections (epfd, n_connections);
  double connect_seconds = now_seconds () - start;

  /* Let the server settle (lazy frees, deferred work) before sampling. */
  usleep ((useconds_t) (hold * 1e6));
  if (server_pid > 0)
    after = read_rss_kb (server_pid);
  printf ("mode=idle connections=%d connect_seconds=%.3f rss_before_kb=%ld rss_after_kb=%ld "
          "bytes_per_connection=%.0f\n",
          n_connections, connect_seconds, before, after,
          server_pid > 0 ? (after - before) * 1024.0 / n_connections : 0.0);
  close_connections (connections, n_connections);
  close (epfd);
}

static void
usage (void)
{
  fprintf (stderr, "usage: loadgen pingpong|bulk|idle --port P [--host ADDR] [--connections N] [--size S]\n"
                   "               [--warmup SECONDS] [--seconds SECONDS] [--bytes B] [--window B]\n"
                   "               [--server-pid PID] [--hold SECONDS]\n");
  exit (2);
}

int
main (int argc, char **argv)
{
  static const struct option options[] = {
    { "host", required_argument, NULL, 'h' },
    { "port", required_argument, NULL, 'p' },
    { "connections", required_argument, NULL, 'c' },
    { "size", required_argument, NULL, 's' },
    { "warmup", required_argument, NULL, 'w' },
    { "seconds", required_argument, NULL, 't' },
    { "bytes", required_argument, NULL, 'b' },
    { "window", required_argument, NULL, 'W' },
    { "server-pid", required_argument, NULL, 'P' },
    { "hold", required_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  const char *mode;
  int n_connections = 100, server_pid = 0, option;
  size_t size = 64, window = 1 << 20;
  double warmup = 1, seconds = 2, hold = 0.5;
  unsigned long long bytes = 1ULL << 30;

  if (argc < 2)
    usage ();
  mode = argv[1];
  optind = 2;
  while ((option = getopt_long (argc, argv, "", options, NULL)) != -1)
    switch (option)
      {
      case 'h':
        host = optarg;
        break;
      case 'p':
        port = atoi (optarg);
        break;
      case 'c':
        n_connections = atoi (optarg);
        break;
      case 's':
        size = strtoul (optarg, NULL, 10);
        break;
      case 'w':
        warmup = atof (optarg);
        break;
      case 't':
        seconds = atof (optarg);
        break;
      case 'b':
        bytes = strtoull (optarg, NULL, 10);
        break;
      case 'W':
        window = strtoul (optarg, NULL, 10);
        break;
      case 'P':
        server_pid = atoi (optarg);
        break;
      case 'H':
        hold = atof (optarg);
        break;
      default:
        usage ();
      }
  if (port <= 0 || n_connections <= 0 || size == 0 || window == 0)
    usage ();

  raise_fd_limit ();
  if (strcmp (mode, "pingpong") == 0)
    run_pingpong (n_connections, size, warmup, seconds, server_pid);
  else if (strcmp (mode, "bulk") == 0)
    run_bulk (bytes, window, server_pid);
  else if (strcmp (mode, "idle") == 0)
    run_idle (n_connections, server_pid, hold);
  else
    usage ();
  return EXIT_SUCCESS;
}
