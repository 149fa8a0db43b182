/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Load generator for IRC servers, plain C on epoll (no GLib), so that the
 * measuring side costs little next to the server:
 *
 *   chat-loadgen fanout PORT N M   N receivers in #bench, one sender sends M
 *                                  messages as fast as the server reads them;
 *                                  prints deliveries per second
 *   chat-loadgen idle PORT N       N registered clients in #bench; prints
 *                                  "ready", stays until stdin closes
 *   chat-loadgen sse HTTP IRC N    N SSE listeners on /channels/bench/events;
 *                                  prints "ready", then on a stdin line sends
 *                                  one message over IRC and prints the time
 *                                  until every listener had it
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  char buf[65536];
  size_t len;
  long lines; /* counted lines that matched */
  int ready;  /* registered and joined / SSE stream open */
  const char *out;
  size_t out_len, out_off;
} Conn;

static int ep;

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
connect_to (int port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;

  inet_pton (AF_INET, "127.0.0.1", &addr.sin_addr);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      perror ("connect");
      exit (1);
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl (fd, F_SETFL, O_NONBLOCK);
  return fd;
}

static void
send_all (int fd, const char *text)
{
  size_t len = strlen (text), off = 0;

  while (off < len)
    {
      ssize_t n = write (fd, text + off, len - off);
      if (n < 0 && errno == EAGAIN)
        {
          struct epoll_event ev = { .events = EPOLLOUT };
          int tmp = epoll_create1 (0);
          epoll_ctl (tmp, EPOLL_CTL_ADD, fd, &ev);
          epoll_wait (tmp, &ev, 1, 1000);
          close (tmp);
          continue;
        }
      if (n < 0)
        {
          perror ("write");
          exit (1);
        }
      off += n;
    }
}

/* Reads what is there; counts lines containing @match, marks ready on @ready_match. */
static int
pump (Conn *c, const char *match, const char *ready_match)
{
  for (;;)
    {
      ssize_t n = read (c->fd, c->buf + c->len, sizeof c->buf - c->len - 1);
      char *start, *eol;

      if (n == 0)
        return -1;
      if (n < 0)
        return errno == EAGAIN ? 0 : -1;
      c->len += n;
      c->buf[c->len] = '\0';
      start = c->buf;
      while ((eol = memchr (start, '\n', c->buf + c->len - start)) != NULL)
        {
          *eol = '\0';
          if (strncmp (start, "PING", 4) == 0)
            {
              char pong[600];
              snprintf (pong, sizeof pong, "PONG%s\r\n", start + 4);
              send_all (c->fd, pong);
            }
          else if (strstr (start, " 001 ") != NULL && strncmp (start, ":", 1) == 0 && strstr (start, "PRIVMSG") == NULL)
            send_all (c->fd, "JOIN #bench\r\n"); /* some servers ignore JOIN before registration */
          else if (match != NULL && strstr (start, match) != NULL)
            c->lines++;
          else if (ready_match != NULL && strstr (start, ready_match) != NULL)
            c->ready = 1;
          start = eol + 1;
        }
      memmove (c->buf, start, c->buf + c->len - start);
      c->len = c->buf + c->len - start;
      if (c->len >= sizeof c->buf - 1)
        c->len = 0; /* a line longer than the buffer: drop it */
    }
}

static Conn *
open_clients (int port, int n, const char *prefix)
{
  Conn *conns = calloc (n, sizeof *conns);
  int n_ready = 0;
  double deadline = now () + 120;

  for (int i = 0; i < n; i++)
    {
      char reg[256];
      struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &conns[i] };

      conns[i].fd = connect_to (port);
      snprintf (reg, sizeof reg, "NICK %s%d\r\nUSER u 0 * :bench\r\n", prefix, i);
      send_all (conns[i].fd, reg);
      epoll_ctl (ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
      /* Keep the accept queue short: let registrations finish in batches. */
      if (i % 50 == 49)
        while (n_ready < i - 100 && now () < deadline)
          {
            struct epoll_event events[256];
            int k = epoll_wait (ep, events, 256, 100);
            for (int j = 0; j < k; j++)
              {
                Conn *c = events[j].data.ptr;
                int was = c->ready;
                pump (c, NULL, " 366 ");
                n_ready += c->ready && !was;
              }
          }
    }
  while (n_ready < n && now () < deadline)
    {
      struct epoll_event events[256];
      int k = epoll_wait (ep, events, 256, 100);
      for (int j = 0; j < k; j++)
        {
          Conn *c = events[j].data.ptr;
          int was = c->ready;
          if (pump (c, NULL, " 366 ") < 0)
            {
              fprintf (stderr, "a client was disconnected while registering\n");
              exit (1);
            }
          n_ready += c->ready && !was;
        }
    }
  if (n_ready < n)
    {
      fprintf (stderr, "only %d of %d clients registered\n", n_ready, n);
      exit (1);
    }
  return conns;
}

static int
fanout (int port, int n, int m)
{
  open_clients (port, n, "r");
  Conn *sender = open_clients (port, 1, "s");
  long target = (long) n * m, received = 0;
  double start, end, deadline, cpu_start;
  char line[128];
  int sent = 0;

  epoll_ctl (ep, EPOLL_CTL_DEL, sender->fd, NULL);
  /* The driver samples the server's CPU time here, after registration. */
  printf ("ready\n");
  fflush (stdout);
  usleep (200 * 1000);
  start = now ();
  cpu_start = cpu_now ();
  deadline = start + 120;
  while (received < target && now () < deadline)
    {
      struct epoll_event events[512];
      int k;

      /* Keep the server busy: a few messages ahead of the slowest receiver. */
      while (sent < m && (long) sent * n - received < (long) n * 64)
        {
          snprintf (line, sizeof line, "PRIVMSG #bench :fan-out message %d of the benchmark\r\n", sent);
          send_all (sender->fd, line);
          sent++;
        }
      k = epoll_wait (ep, events, 512, 100);
      for (int j = 0; j < k; j++)
        {
          Conn *c = events[j].data.ptr;
          long before = c->lines;
          pump (c, "PRIVMSG #bench :fan-out", NULL);
          received += c->lines - before;
        }
    }
  end = now ();
  /* The load generator's own CPU time: near one CPU-second per second, it
   * is what limits the rate, and the server's CPU time is the fairer
   * figure. */
  printf ("{\"receivers\": %d, \"messages\": %d, \"deliveries\": %ld, \"seconds\": %.4f, \"deliveries_per_s\": %.0f, "
          "\"loadgen_cpu_s\": %.3f}\n",
          n, m, received, end - start, received / (end - start), cpu_now () - cpu_start);
  return received == target ? 0 : 1;
}

static int
idle (int port, int n)
{
  char line[16];

  open_clients (port, n, "i");
  printf ("ready\n");
  fflush (stdout);
  while (fgets (line, sizeof line, stdin) != NULL)
    ;
  return 0;
}

static int
sse (int http_port, int irc_port, int n)
{
  Conn *conns = calloc (n, sizeof *conns);
  Conn *talker;
  int n_ready = 0, n_got = 0;
  double start, deadline = now () + 300;
  char line[16];
  static const char request[] = "GET /channels/bench/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  for (int i = 0; i < n; i++)
    {
      struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &conns[i] };
      conns[i].fd = connect_to (http_port);
      send_all (conns[i].fd, request);
      epoll_ctl (ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
      if (i % 100 == 99)
        while (n_ready < i - 500 && now () < deadline)
          {
            struct epoll_event events[512];
            int k = epoll_wait (ep, events, 512, 100);
            for (int j = 0; j < k; j++)
              {
                Conn *c = events[j].data.ptr;
                int was = c->ready;
                pump (c, NULL, ": connected");
                n_ready += c->ready && !was;
              }
          }
    }
  while (n_ready < n && now () < deadline)
    {
      struct epoll_event events[512];
      int k = epoll_wait (ep, events, 512, 100);
      for (int j = 0; j < k; j++)
        {
          Conn *c = events[j].data.ptr;
          int was = c->ready;
          pump (c, NULL, ": connected");
          n_ready += c->ready && !was;
        }
    }
  if (n_ready < n)
    {
      fprintf (stderr, "only %d of %d listeners connected\n", n_ready, n);
      return 1;
    }
  talker = open_clients (irc_port, 1, "t");
  epoll_ctl (ep, EPOLL_CTL_DEL, talker->fd, NULL);
  printf ("ready\n");
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    return 0;
  start = now ();
  send_all (talker->fd, "PRIVMSG #bench :one message for every listener\r\n");
  while (n_got < n && now () < deadline)
    {
      struct epoll_event events[512];
      int k = epoll_wait (ep, events, 512, 100);
      for (int j = 0; j < k; j++)
        {
          Conn *c = events[j].data.ptr;
          long before = c->lines;
          pump (c, "data: ", NULL);
          n_got += c->lines > 0 && before == 0;
        }
    }
  printf ("{\"listeners\": %d, \"received\": %d, \"push_seconds\": %.4f}\n", n, n_got, now () - start);
  fflush (stdout);
  while (fgets (line, sizeof line, stdin) != NULL)
    ;
  return n_got == n ? 0 : 1;
}

int
main (int argc, char **argv)
{
  ep = epoll_create1 (EPOLL_CLOEXEC);
  if (argc == 5 && strcmp (argv[1], "fanout") == 0)
    return fanout (atoi (argv[2]), atoi (argv[3]), atoi (argv[4]));
  if (argc == 4 && strcmp (argv[1], "idle") == 0)
    return idle (atoi (argv[2]), atoi (argv[3]));
  if (argc == 5 && strcmp (argv[1], "sse") == 0)
    return sse (atoi (argv[2]), atoi (argv[3]), atoi (argv[4]));
  fprintf (stderr, "usage: chat-loadgen fanout PORT N M | idle PORT N | sse HTTP_PORT IRC_PORT N\n");
  return 2;
}
