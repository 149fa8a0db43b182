/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The floor: the least an echo server on epoll can do. One thread, level-
 * triggered epoll, one read and one write per message, nothing else. Every
 * other server is measured as a fraction of this one.
 *
 *   echo-floor --port P */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER_SIZE 65536

/* Only a write that the kernel could not take whole leaves bytes here. */
typedef struct {
  int fd;
  size_t pending_offset;
  size_t pending_len;
  char *pending;
} Connection;

static int epfd;
static int listen_fd;

static void
fail (const char *what)
{
  fprintf (stderr, "echo-floor: %s: %s\n", what, strerror (errno));
  exit (EXIT_FAILURE);
}

static void
set_interest (Connection *c, unsigned events)
{
  struct epoll_event event = { .events = events, .data.ptr = c };

  epoll_ctl (epfd, EPOLL_CTL_MOD, c->fd, &event);
}

static void
close_connection (Connection *c)
{
  close (c->fd);
  free (c->pending);
  free (c);
}

static void
accept_connections (void)
{
  for (;;)
    {
      int fd = accept4 (listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      struct epoll_event event = { .events = EPOLLIN };
      Connection *c;
      int one = 1;

      if (fd < 0)
        {
          if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            fprintf (stderr, "echo-floor: accept: %s\n", strerror (errno));
          return;
        }
      setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      c = calloc (1, sizeof *c);
      c->fd = fd;
      event.data.ptr = c;
      epoll_ctl (epfd, EPOLL_CTL_ADD, fd, &event);
    }
}

/* Returns 0 when the connection is gone. */
static int
flush_pending (Connection *c)
{
  while (c->pending_len > 0)
    {
      ssize_t n = write (c->fd, c->pending + c->pending_offset, c->pending_len);

      if (n < 0)
        return errno == EAGAIN || errno == EINTR;
      c->pending_offset += (size_t) n;
      c->pending_len -= (size_t) n;
    }
  set_interest (c, EPOLLIN);
  return 1;
}

static int
echo (Connection *c)
{
  static char buffer[BUFFER_SIZE];
  ssize_t got = read (c->fd, buffer, sizeof buffer);
  ssize_t n;

  if (got <= 0)
    return got < 0 && (errno == EAGAIN || errno == EINTR);
  n = write (c->fd, buffer, (size_t) got);
  if (n < 0)
    {
      if (errno != EAGAIN && errno != EINTR)
        return 0;
      n = 0;
    }
  if (n < got)
    {
      /* Stop reading until the rest is out: the peer is slower than us. */
      c->pending = realloc (c->pending, (size_t) (got - n));
      memcpy (c->pending, buffer + n, (size_t) (got - n));
      c->pending_offset = 0;
      c->pending_len = (size_t) (got - n);
      set_interest (c, EPOLLOUT);
    }
  return 1;
}

int
main (int argc, char **argv)
{
  struct sockaddr_in address = { 0 };
  struct epoll_event events[256];
  struct rlimit limit;
  int one = 1, port = 0;

  for (int i = 1; i < argc; i++)
    if (strncmp (argv[i], "--port=", 7) == 0)
      port = atoi (argv[i] + 7);
    else if (strcmp (argv[i], "--port") == 0 && i + 1 < argc)
      port = atoi (argv[++i]);
  if (port <= 0)
    {
      fprintf (stderr, "usage: echo-floor --port P\n");
      return 2;
    }

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
  signal (SIGPIPE, SIG_IGN);

  listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  setsockopt (listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  address.sin_family = AF_INET;
  address.sin_port = htons (port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (listen_fd, (struct sockaddr *) &address, sizeof address) < 0)
    fail ("bind");
  if (listen (listen_fd, 1024) < 0)
    fail ("listen");

  epfd = epoll_create1 (EPOLL_CLOEXEC);
  events[0].events = EPOLLIN;
  events[0].data.ptr = NULL;
  epoll_ctl (epfd, EPOLL_CTL_ADD, listen_fd, &events[0]);

  for (;;)
    {
      int n_events = epoll_wait (epfd, events, 256, -1);

      for (int e = 0; e < n_events; e++)
        {
          Connection *c = events[e].data.ptr;
          int alive;

          if (c == NULL)
            {
              accept_connections ();
              continue;
            }
          if (c->pending_len > 0)
            alive = (events[e].events & (EPOLLERR | EPOLLHUP)) == 0 && flush_pending (c);
          else
            alive = echo (c);
          if (!alive)
            close_connection (c);
        }
    }
}
