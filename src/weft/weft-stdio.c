/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "weft-fd-transport-private.h"
#include "weft-fd-transport.h"
#include "weft-stdio.h"

/**
 * WeftStdio:
 *
 * A [iface@Weft.Transport] over the program's own standard input and
 * output, Twisted's `StandardIO`: a protocol reads what arrives on standard
 * input and writes to standard output, so a line-based console (or a
 * program driven through pipes by another one) is an ordinary protocol.
 *
 * Whatever standard input is, it works:
 *
 * - a pipe, a socket or a terminal is watched by the reactor;
 * - a regular file (`prog < file`) or `/dev/null`, which are always
 *   readable and which epoll refuses to watch, is read in chunks from soon
 *   calls until end-of-file, leaving the reactor free in between;
 * - end-of-file goes to the protocol's eof_received, as for a socket.
 *
 * Standard output may be a pipe, a socket, a terminal or a regular file;
 * writes to a file complete at once. Writes are buffered with the usual
 * watermarks, and `SIGPIPE` never kills the program: a reader that went
 * away ends the connection with an error.
 *
 * The transport works on duplicates of the fds and makes them
 * non-blocking, which affects every process sharing them (a terminal, say)
 * until the connection ends: then their original flags come back. After
 * weft_stdio_new(), the end of the connection also points fds 0 and 1 at
 * `/dev/null`, so that the other side sees end-of-file and the numbers are
 * never reused by files the program opens later.
 *
 * The connection keeps itself alive until the protocol has received
 * connection_lost.
 */

struct _WeftStdio {
  GObject parent_instance;

  WeftProtocol *protocol; /* owned */
  WeftFdTransport *inner; /* owned; works on duplicates of in_fd and out_fd */
  int in_fd;              /* not owned */
  int out_fd;             /* not owned */
  int in_flags;           /* file status flags before the transport started */
  int out_flags;
  gboolean own_stdio; /* fds 0 and 1 become /dev/null at the end */
};

static void weft_stdio_iface_init (WeftTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WeftStdio,
                               weft_stdio,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WEFT_TYPE_TRANSPORT, weft_stdio_iface_init))

/* What the inner fd transport delivers to: everything is passed on to the
 * application's protocol, with the WeftStdio as its transport. */

#define WEFT_TYPE_STDIO_RELAY (weft_stdio_relay_get_type ())
G_DECLARE_FINAL_TYPE (WeftStdioRelay, weft_stdio_relay, WEFT, STDIO_RELAY, WeftProtocol)

struct _WeftStdioRelay {
  WeftProtocol parent_instance;
  WeftStdio *stdio; /* owned until connection_lost: the connection keeps itself */
};

G_DEFINE_FINAL_TYPE (WeftStdioRelay, weft_stdio_relay, WEFT_TYPE_PROTOCOL)

static void
weft_stdio_relay_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  WeftStdio *stdio = WEFT_STDIO_RELAY (protocol)->stdio;

  if (stdio != NULL)
    weft_protocol_data_received (stdio->protocol, data, len);
}

static gboolean
weft_stdio_relay_eof_received (WeftProtocol *protocol)
{
  WeftStdio *stdio = WEFT_STDIO_RELAY (protocol)->stdio;

  return stdio != NULL && weft_protocol_eof_received (stdio->protocol);
}

static void
restore_fd (int fd, int flags)
{
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags);
}

static void
weft_stdio_relay_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  WeftStdioRelay *self = WEFT_STDIO_RELAY (protocol);
  g_autoptr (WeftStdio) stdio = g_steal_pointer (&self->stdio);

  if (stdio == NULL)
    return;
  restore_fd (stdio->in_fd, stdio->in_flags);
  restore_fd (stdio->out_fd, stdio->out_flags);
  if (stdio->own_stdio)
    {
      int dev_null = open ("/dev/null", O_RDWR | O_CLOEXEC);

      /* dup2() replaces atomically: no other thread can get the numbers. */
      if (dev_null >= 0)
        {
          dup2 (dev_null, stdio->in_fd);
          dup2 (dev_null, stdio->out_fd);
          close (dev_null);
        }
    }
  weft_protocol_connection_lost (stdio->protocol, reason);
}

static void
weft_stdio_relay_pause_writing (WeftProtocol *protocol)
{
  WeftStdio *stdio = WEFT_STDIO_RELAY (protocol)->stdio;

  if (stdio != NULL)
    weft_protocol_pause_writing (stdio->protocol);
}

static void
weft_stdio_relay_resume_writing (WeftProtocol *protocol)
{
  WeftStdio *stdio = WEFT_STDIO_RELAY (protocol)->stdio;

  if (stdio != NULL)
    weft_protocol_resume_writing (stdio->protocol);
}

static void
weft_stdio_relay_dispose (GObject *object)
{
  g_clear_object (&WEFT_STDIO_RELAY (object)->stdio);

  G_OBJECT_CLASS (weft_stdio_relay_parent_class)->dispose (object);
}

static void
weft_stdio_relay_class_init (WeftStdioRelayClass *klass)
{
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = weft_stdio_relay_dispose;
  protocol_class->data_received = weft_stdio_relay_data_received;
  protocol_class->eof_received = weft_stdio_relay_eof_received;
  protocol_class->connection_lost = weft_stdio_relay_connection_lost;
  protocol_class->pause_writing = weft_stdio_relay_pause_writing;
  protocol_class->resume_writing = weft_stdio_relay_resume_writing;
}

static void
weft_stdio_relay_init (WeftStdioRelay *self)
{
}

/* WeftTransport: everything but the protocol is the inner transport's. */

static WeftTransport *
inner (WeftTransport *transport)
{
  return WEFT_TRANSPORT (WEFT_STDIO (transport)->inner);
}

static void
weft_stdio_write (WeftTransport *transport, const guint8 *data, gsize len)
{
  weft_transport_write (inner (transport), data, len);
}

static void
weft_stdio_write_bytes (WeftTransport *transport, GBytes *bytes)
{
  weft_transport_write_bytes (inner (transport), bytes);
}

static void
weft_stdio_writev (WeftTransport *transport, const GOutputVector *vectors, gsize n_vectors)
{
  weft_transport_writev (inner (transport), vectors, n_vectors);
}

static void
weft_stdio_lose_connection (WeftTransport *transport, const GError *reason)
{
  weft_transport_lose_connection_with_error (inner (transport), reason);
}

static void
weft_stdio_lose_write_connection (WeftTransport *transport)
{
  weft_transport_lose_write_connection (inner (transport));
}

static void
weft_stdio_abort_connection (WeftTransport *transport, const GError *reason)
{
  weft_transport_abort_connection_with_error (inner (transport), reason);
}

static void
weft_stdio_pause_reading (WeftTransport *transport)
{
  weft_transport_pause_reading (inner (transport));
}

static void
weft_stdio_resume_reading (WeftTransport *transport)
{
  weft_transport_resume_reading (inner (transport));
}

static void
weft_stdio_set_write_buffer_limits (WeftTransport *transport, gsize high, gsize low)
{
  weft_transport_set_write_buffer_limits (inner (transport), high, low);
}

static void
weft_stdio_get_write_buffer_limits (WeftTransport *transport, gsize *high, gsize *low)
{
  weft_transport_get_write_buffer_limits (inner (transport), high, low);
}

static gsize
weft_stdio_get_write_buffer_size (WeftTransport *transport)
{
  return weft_transport_get_write_buffer_size (inner (transport));
}

static GSocketAddress *
weft_stdio_get_address (WeftTransport *transport)
{
  return NULL;
}

static WeftProtocol *
weft_stdio_get_protocol (WeftTransport *transport)
{
  return WEFT_STDIO (transport)->protocol;
}

static gboolean
weft_stdio_is_closing (WeftTransport *transport)
{
  return weft_transport_is_closing (inner (transport));
}

static void
weft_stdio_iface_init (WeftTransportInterface *iface)
{
  iface->write = weft_stdio_write;
  iface->write_bytes = weft_stdio_write_bytes;
  iface->writev = weft_stdio_writev;
  iface->lose_connection = weft_stdio_lose_connection;
  iface->lose_write_connection = weft_stdio_lose_write_connection;
  iface->abort_connection = weft_stdio_abort_connection;
  iface->pause_reading = weft_stdio_pause_reading;
  iface->resume_reading = weft_stdio_resume_reading;
  iface->set_write_buffer_limits = weft_stdio_set_write_buffer_limits;
  iface->get_write_buffer_limits = weft_stdio_get_write_buffer_limits;
  iface->get_write_buffer_size = weft_stdio_get_write_buffer_size;
  iface->get_peer_address = weft_stdio_get_address;
  iface->get_local_address = weft_stdio_get_address;
  iface->get_protocol = weft_stdio_get_protocol;
  iface->is_closing = weft_stdio_is_closing;
}

/* GObject */

static void
weft_stdio_finalize (GObject *object)
{
  WeftStdio *self = WEFT_STDIO (object);

  g_clear_object (&self->inner);
  g_clear_object (&self->protocol);

  G_OBJECT_CLASS (weft_stdio_parent_class)->finalize (object);
}

static void
weft_stdio_class_init (WeftStdioClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_stdio_finalize;
}

static void
weft_stdio_init (WeftStdio *self)
{
  self->in_fd = self->out_fd = -1;
  self->in_flags = self->out_flags = -1;
}

static char *
describe_fd (int fd)
{
  switch (fd)
    {
    case STDIN_FILENO:
      return g_strdup (_ ("standard input"));
    case STDOUT_FILENO:
      return g_strdup (_ ("standard output"));
    default:
      return g_strdup_printf (_ ("fd %d"), fd);
    }
}

/* A close-on-exec duplicate above the standard fds. */
static int
duplicate_fd (int fd, GError **error)
{
  int copy = fcntl (fd, F_DUPFD_CLOEXEC, 3);

  if (copy < 0)
    {
      int errsv = errno;
      g_autofree char *description = describe_fd (fd);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _ ("Cannot use %s as a transport: %s"),
                   description, errsv == EBADF ? _ ("it is not open") : g_strerror (errsv));
    }
  return copy;
}

static WeftStdio *
stdio_new (WeftReactor *reactor, WeftProtocol *protocol, int in_fd, int out_fd, gboolean own_stdio, GError **error)
{
  g_autoptr (WeftStdio) self = NULL;
  g_autoptr (WeftStdioRelay) relay = NULL;
  g_autofree char *description = NULL;
  int in_copy, out_copy;

  in_copy = duplicate_fd (in_fd, error);
  if (in_copy < 0)
    return NULL;
  out_copy = duplicate_fd (out_fd, error);
  if (out_copy < 0)
    {
      close (in_copy);
      return NULL;
    }

  self = g_object_new (WEFT_TYPE_STDIO, NULL);
  self->protocol = g_object_ref (protocol);
  self->in_fd = in_fd;
  self->out_fd = out_fd;
  self->in_flags = fcntl (in_fd, F_GETFL);
  self->out_flags = fcntl (out_fd, F_GETFL);
  self->own_stdio = own_stdio;
  self->inner = weft_fd_transport_new (reactor, in_copy, out_copy, WEFT_FD_TRANSPORT_FLAGS_NONE);
  if (in_fd == STDIN_FILENO && out_fd == STDOUT_FILENO)
    description = g_strdup (_ ("standard input and output"));
  else
    description = g_strdup_printf (_ ("fds %d and %d"), in_fd, out_fd);
  weft_fd_transport_set_description (self->inner, description);

  relay = g_object_new (WEFT_TYPE_STDIO_RELAY, NULL);
  relay->stdio = g_object_ref (self);
  if (!weft_fd_transport_start (self->inner, WEFT_PROTOCOL (relay), error))
    {
      g_clear_object (&relay->stdio);
      restore_fd (in_fd, self->in_flags);
      restore_fd (out_fd, self->out_flags);
      return NULL;
    }

  weft_protocol_connection_made (protocol, WEFT_TRANSPORT (self));
  return g_steal_pointer (&self);
}

/**
 * weft_stdio_new:
 * @reactor: the reactor that will watch standard input and output
 * @protocol: (transfer none): a protocol that has not been connected yet;
 *   the transport keeps a reference
 * @error: return location for a #GError
 *
 * Connects @protocol to the program's standard input (fd 0) and output
 * (fd 1). Its connection_made is called before this function returns.
 * When the connection ends, fds 0 and 1 are pointed at `/dev/null`.
 *
 * Returns: (transfer full) (nullable): the transport, or %NULL with @error
 *   set if fd 0 or 1 is not open or cannot be watched
 */
WeftStdio *
weft_stdio_new (WeftReactor *reactor, WeftProtocol *protocol, GError **error)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return stdio_new (reactor, protocol, STDIN_FILENO, STDOUT_FILENO, TRUE, error);
}

/**
 * weft_stdio_new_for_fds:
 * @reactor: the reactor that will watch the fds
 * @protocol: (transfer none): a protocol that has not been connected yet;
 *   the transport keeps a reference
 * @in_fd: the fd to read from
 * @out_fd: the fd to write to (may be @in_fd)
 * @error: return location for a #GError
 *
 * Like weft_stdio_new() for other fds, such as those a parent process
 * passed as fd 3 and 4. The transport works on duplicates: @in_fd and
 * @out_fd stay open and belong to the caller, so the other side sees
 * end-of-file only once the caller closes them too.
 *
 * Returns: (transfer full) (nullable): the transport, or %NULL with @error
 *   set if a fd is not open or cannot be watched
 */
WeftStdio *
weft_stdio_new_for_fds (WeftReactor *reactor, WeftProtocol *protocol, int in_fd, int out_fd, GError **error)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (in_fd >= 0 && out_fd >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return stdio_new (reactor, protocol, in_fd, out_fd, FALSE, error);
}

/**
 * weft_stdio_get_in_fd:
 * @stdio: a stdio transport
 *
 * Returns: the fd read from (0 after weft_stdio_new())
 */
int
weft_stdio_get_in_fd (WeftStdio *stdio)
{
  g_return_val_if_fail (WEFT_IS_STDIO (stdio), -1);
  return stdio->in_fd;
}

/**
 * weft_stdio_get_out_fd:
 * @stdio: a stdio transport
 *
 * Returns: the fd written to (1 after weft_stdio_new())
 */
int
weft_stdio_get_out_fd (WeftStdio *stdio)
{
  g_return_val_if_fail (WEFT_IS_STDIO (stdio), -1);
  return stdio->out_fd;
}
