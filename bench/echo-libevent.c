/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libevent 2.1 echo server, written the way its documentation shows:
 * an evconnlistener and one bufferevent per connection whose read callback
 * moves the input buffer to the output buffer.
 *
 *   echo-libevent --port P */

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static void
echo_read (struct bufferevent *bev, void *user_data)
{
  evbuffer_add_buffer (bufferevent_get_output (bev), bufferevent_get_input (bev));
}

static void
echo_event (struct bufferevent *bev, short events, void *user_data)
{
  if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
    bufferevent_free (bev);
}

static void
accepted (struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *address, int len, void *user_data)
{
  struct event_base *base = evconnlistener_get_base (listener);
  struct bufferevent *bev = bufferevent_socket_new (base, fd, BEV_OPT_CLOSE_ON_FREE);
  int one = 1;

  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  bufferevent_setcb (bev, echo_read, NULL, echo_event, NULL);
  bufferevent_enable (bev, EV_READ | EV_WRITE);
}

int
main (int argc, char **argv)
{
  struct sockaddr_in address = { 0 };
  struct event_base *base;
  struct evconnlistener *listener;
  struct rlimit limit;
  int port = 0;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--port") == 0 && i + 1 < argc)
      port = atoi (argv[++i]);
    else if (strncmp (argv[i], "--port=", 7) == 0)
      port = atoi (argv[i] + 7);
  if (port <= 0)
    {
      fprintf (stderr, "usage: echo-libevent --port P\n");
      return 2;
    }
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
  signal (SIGPIPE, SIG_IGN);

  base = event_base_new ();
  address.sin_family = AF_INET;
  address.sin_port = htons (port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  listener = evconnlistener_new_bind (base, accepted, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 1024,
                                      (struct sockaddr *) &address, sizeof address);
  if (listener == NULL)
    {
      perror ("echo-libevent: listen");
      return 1;
    }
  fprintf (stderr, "echo-libevent: %s backend\n", event_base_get_method (base));
  event_base_dispatch (base);
  evconnlistener_free (listener);
  event_base_free (base);
  return 0;
}
