/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libuv echo server, as in libuv's own examples: uv_read_start into a
 * buffer from the allocation callback, uv_write of what was read, the
 * buffer freed when the write is done.
 *
 *   echo-libuv --port P */

#include <uv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct {
  uv_write_t request;
  uv_buf_t buffer;
} WriteRequest;

static uv_loop_t *loop;

static void
allocate (uv_handle_t *handle, size_t suggested_size, uv_buf_t *buffer)
{
  buffer->base = malloc (suggested_size);
  buffer->len = suggested_size;
}

static void
free_handle (uv_handle_t *handle)
{
  free (handle);
}

static void
written (uv_write_t *request, int status)
{
  WriteRequest *write_request = (WriteRequest *) request;

  free (write_request->buffer.base);
  free (write_request);
}

static void
echo_read (uv_stream_t *client, ssize_t nread, const uv_buf_t *buffer)
{
  if (nread > 0)
    {
      WriteRequest *request = malloc (sizeof *request);

      request->buffer = uv_buf_init (buffer->base, (unsigned) nread);
      uv_write (&request->request, client, &request->buffer, 1, written);
      return;
    }
  if (nread < 0)
    uv_close ((uv_handle_t *) client, free_handle);
  free (buffer->base);
}

static void
accepted (uv_stream_t *server, int status)
{
  uv_tcp_t *client;

  if (status < 0)
    return;
  client = malloc (sizeof *client);
  uv_tcp_init (loop, client);
  if (uv_accept (server, (uv_stream_t *) client) == 0)
    {
      uv_tcp_nodelay (client, 1);
      uv_read_start ((uv_stream_t *) client, allocate, echo_read);
    }
  else
    uv_close ((uv_handle_t *) client, free_handle);
}

int
main (int argc, char **argv)
{
  struct sockaddr_in address;
  struct rlimit limit;
  uv_tcp_t server;
  int port = 0, status;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--port") == 0 && i + 1 < argc)
      port = atoi (argv[++i]);
    else if (strncmp (argv[i], "--port=", 7) == 0)
      port = atoi (argv[i] + 7);
  if (port <= 0)
    {
      fprintf (stderr, "usage: echo-libuv --port P\n");
      return 2;
    }
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }

  loop = uv_default_loop ();
  uv_tcp_init (loop, &server);
  uv_ip4_addr ("127.0.0.1", port, &address);
  uv_tcp_bind (&server, (const struct sockaddr *) &address, 0);
  status = uv_listen ((uv_stream_t *) &server, 1024, accepted);
  if (status != 0)
    {
      fprintf (stderr, "echo-libuv: listen: %s\n", uv_strerror (status));
      return 1;
    }
  return uv_run (loop, UV_RUN_DEFAULT);
}
