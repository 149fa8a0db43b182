/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The process transport: a child's pipes as one transport. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_PIDFD_OPEN
#include <sys/pidfd.h>
#endif

#include "weft-error.h"
#include "weft-fd-transport-private.h"
#include "weft-process-transport-private.h"

/**
 * WeftProcessTransport:
 *
 * A running child process, as the transport of a
 * [class@Weft.ProcessProtocol]: Twisted's `IProcessTransport`. Start one
 * with weft_reactor_spawn_process().
 *
 * It is a [iface@Weft.Transport] whose writes go to the child's standard
 * input, through the same write buffer and watermarks as a socket's (the
 * protocol's pause_writing and resume_writing follow it);
 * weft_transport_lose_write_connection() closes standard input once the
 * buffer is sent, weft_transport_pause_reading() stops reading every pipe
 * from the child, weft_transport_lose_connection() closes every pipe (standard
 * input after its buffer is sent) and weft_transport_abort_connection() does
 * so at once. None of these stops the child: use
 * weft_process_transport_signal_process() for that.
 *
 * The child's exit is noticed without `SIGCHLD`: through a pidfd on Linux
 * (`pidfd_open()`, then `waitid (P_PIDFD, ...)`), else through a small
 * thread that waits for this one child. Only Weft's own children are
 * reaped, never with `waitpid (-1, ...)`, so GLib's g_child_watch_add() and
 * other code that waits for its own children keep working in the same
 * program. A child is reaped as soon as it has exited: no zombies. (With
 * `WEFT_DEBUG=no-pidfd` in the environment, the thread is used even where
 * pidfds work, to test that path.)
 *
 * A running process keeps itself, its protocol and its reactor alive until
 * process_ended has been delivered, so the caller may drop its reference
 * right after spawning.
 */

static void weft_process_transport_iface_init (WeftTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WeftProcessTransport,
                               weft_process_transport,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WEFT_TYPE_TRANSPORT, weft_process_transport_iface_init))

static void pipe_lost (WeftProcessTransport *self, ChildPipe *pipe);

/* The protocol each pipe's fd transport delivers to: it passes everything
 * on to the process protocol with the child's fd number. */

#define WEFT_TYPE_CHILD_PIPE_PROTOCOL (weft_child_pipe_protocol_get_type ())
G_DECLARE_FINAL_TYPE (WeftChildPipeProtocol, weft_child_pipe_protocol, WEFT, CHILD_PIPE_PROTOCOL, WeftProtocol)

struct _WeftChildPipeProtocol {
  WeftProtocol parent_instance;
  ChildPipe *pipe; /* not owned */
};

G_DEFINE_FINAL_TYPE (WeftChildPipeProtocol, weft_child_pipe_protocol, WEFT_TYPE_PROTOCOL)

static WeftProcessTransport *
pipe_process (WeftProtocol *protocol)
{
  ChildPipe *pipe = WEFT_CHILD_PIPE_PROTOCOL (protocol)->pipe;

  return pipe != NULL ? pipe->process : NULL;
}

static void
weft_child_pipe_protocol_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  WeftProcessTransport *process = pipe_process (protocol);

  if (process != NULL)
    weft_process_protocol_child_data_received (process->protocol, WEFT_CHILD_PIPE_PROTOCOL (protocol)->pipe->child_fd,
                                               data, len);
}

static void
weft_child_pipe_protocol_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  WeftProcessTransport *process = pipe_process (protocol);

  if (process != NULL)
    pipe_lost (process, WEFT_CHILD_PIPE_PROTOCOL (protocol)->pipe);
}

static void
weft_child_pipe_protocol_pause_writing (WeftProtocol *protocol)
{
  WeftProcessTransport *process = pipe_process (protocol);

  if (process != NULL && process->stdin_pipe == WEFT_CHILD_PIPE_PROTOCOL (protocol)->pipe)
    weft_protocol_pause_writing (WEFT_PROTOCOL (process->protocol));
}

static void
weft_child_pipe_protocol_resume_writing (WeftProtocol *protocol)
{
  WeftProcessTransport *process = pipe_process (protocol);

  if (process != NULL && process->stdin_pipe == WEFT_CHILD_PIPE_PROTOCOL (protocol)->pipe)
    weft_protocol_resume_writing (WEFT_PROTOCOL (process->protocol));
}

static void
weft_child_pipe_protocol_class_init (WeftChildPipeProtocolClass *klass)
{
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  protocol_class->data_received = weft_child_pipe_protocol_data_received;
  protocol_class->connection_lost = weft_child_pipe_protocol_connection_lost;
  protocol_class->pause_writing = weft_child_pipe_protocol_pause_writing;
  protocol_class->resume_writing = weft_child_pipe_protocol_resume_writing;
}

static void
weft_child_pipe_protocol_init (WeftChildPipeProtocol *self)
{
}

/* Pipes */

static void
child_pipe_free (gpointer data)
{
  ChildPipe *pipe = data;

  if (pipe->transport != NULL)
    {
      WeftProtocol *adapter = weft_transport_get_protocol (WEFT_TRANSPORT (pipe->transport));

      if (adapter != NULL)
        WEFT_CHILD_PIPE_PROTOCOL (adapter)->pipe = NULL;
      g_object_unref (pipe->transport);
    }
  if (pipe->parent_fd >= 0)
    close (pipe->parent_fd);
  g_free (pipe);
}

static ChildPipe *
find_pipe (WeftProcessTransport *self, int child_fd)
{
  for (guint i = 0; i < self->pipes->len; i++)
    {
      ChildPipe *pipe = g_ptr_array_index (self->pipes, i);

      if (pipe->child_fd == child_fd)
        return pipe;
    }
  return NULL;
}

static WeftTransport *
open_pipe_transport (ChildPipe *pipe)
{
  if (pipe->transport == NULL || pipe->lost)
    return NULL;
  return WEFT_TRANSPORT (pipe->transport);
}

static char *
describe_pipe (WeftProcessTransport *self, int child_fd)
{
  switch (child_fd)
    {
    case 0:
      return g_strdup_printf (_ ("the standard input of child process %d (“%s”)"), self->pid, self->program);
    case 1:
      return g_strdup_printf (_ ("the standard output of child process %d (“%s”)"), self->pid, self->program);
    case 2:
      return g_strdup_printf (_ ("the standard error of child process %d (“%s”)"), self->pid, self->program);
    default:
      return g_strdup_printf (_ ("fd %d of child process %d (“%s”)"), child_fd, self->pid, self->program);
    }
}

/* Ending */

/* process_ended comes once the child has been reaped and every pipe is
 * closed, so that no output is lost; connection_lost right after it. */
void
weft_process_maybe_end (WeftProcessTransport *self)
{
  g_autoptr (GError) status_error = NULL;

  if (self->ended || self->status == NULL)
    return;
  for (guint i = 0; i < self->pipes->len; i++)
    if (!((ChildPipe *) g_ptr_array_index (self->pipes, i))->lost)
      return;

  self->ended = TRUE;
  weft_process_protocol_process_ended (self->protocol, self->status);
  if (self->close_reason == NULL && !weft_process_status_check (self->status, &status_error))
    {
      g_autofree char *description = weft_process_status_to_string (self->status);
      int code = status_error->code;

      /* The same error, with the process named. */
      g_clear_error (&status_error);
      g_set_error (&status_error, WEFT_PROCESS_ERROR, code, _ ("Child process %d (“%s”) %s."), self->pid, self->program,
                   description);
    }
  weft_protocol_connection_lost (WEFT_PROTOCOL (self->protocol),
                                 self->close_reason != NULL ? self->close_reason : status_error);
  if (self->alive)
    {
      self->alive = FALSE;
      g_object_unref (self);
    }
}

static void
pipe_lost (WeftProcessTransport *self, ChildPipe *pipe)
{
  g_autoptr (WeftProcessTransport) keep = g_object_ref (self);

  if (pipe->lost)
    return;
  pipe->lost = TRUE;
  weft_process_protocol_child_connection_lost (self->protocol, pipe->child_fd);
  weft_process_maybe_end (self);
}

/* Wraps our end of each pipe in an fd transport. */
gboolean
weft_process_start_pipes (WeftProcessTransport *self, GError **error)
{
  for (guint i = 0; i < self->pipes->len; i++)
    {
      ChildPipe *pipe = g_ptr_array_index (self->pipes, i);
      g_autofree char *description = describe_pipe (self, pipe->child_fd);
      g_autoptr (WeftChildPipeProtocol) adapter = g_object_new (WEFT_TYPE_CHILD_PIPE_PROTOCOL, NULL);

      if (pipe->kind == WEFT_CHILD_FD_TO_CHILD)
        pipe->transport = weft_fd_transport_new (self->reactor, -1, pipe->parent_fd, WEFT_FD_TRANSPORT_FLAGS_NONE);
      else
        pipe->transport = weft_fd_transport_new (self->reactor, pipe->parent_fd, -1, WEFT_FD_TRANSPORT_FLAGS_NONE);
      pipe->parent_fd = -1;
      weft_fd_transport_set_description (pipe->transport, description);
      if (pipe == self->stdin_pipe)
        weft_transport_set_write_buffer_limits (WEFT_TRANSPORT (pipe->transport), self->write_high, self->write_low);

      adapter->pipe = pipe;
      if (!weft_fd_transport_start (pipe->transport, WEFT_PROTOCOL (adapter), error))
        {
          adapter->pipe = NULL;
          for (guint j = 0; j < i; j++)
            {
              ChildPipe *started = g_ptr_array_index (self->pipes, j);

              started->lost = TRUE;
              weft_transport_abort_connection (WEFT_TRANSPORT (started->transport));
            }
          return FALSE;
        }
    }
  return TRUE;
}
/* WeftTransport */

static WeftTransport *
stdin_transport (WeftProcessTransport *self)
{
  return self->stdin_pipe != NULL ? open_pipe_transport (self->stdin_pipe) : NULL;
}

static void
weft_process_transport_write_impl (WeftTransport *transport, const guint8 *data, gsize len)
{
  WeftTransport *in = stdin_transport (WEFT_PROCESS_TRANSPORT (transport));

  if (in != NULL)
    weft_transport_write (in, data, len);
}

static void
weft_process_transport_write_bytes_impl (WeftTransport *transport, GBytes *bytes)
{
  WeftTransport *in = stdin_transport (WEFT_PROCESS_TRANSPORT (transport));

  if (in != NULL)
    weft_transport_write_bytes (in, bytes);
}

static void
weft_process_transport_writev_impl (WeftTransport *transport, const GOutputVector *vectors, gsize n_vectors)
{
  WeftTransport *in = stdin_transport (WEFT_PROCESS_TRANSPORT (transport));

  if (in != NULL)
    weft_transport_writev (in, vectors, n_vectors);
}

static void
weft_process_transport_lose_connection_impl (WeftTransport *transport, const GError *reason)
{
  WeftProcessTransport *self = WEFT_PROCESS_TRANSPORT (transport);

  if (self->closing || self->ended)
    return;
  self->closing = TRUE;
  if (reason != NULL)
    self->close_reason = g_error_copy (reason);
  for (guint i = 0; i < self->pipes->len; i++)
    {
      WeftTransport *pipe_transport = open_pipe_transport (g_ptr_array_index (self->pipes, i));

      if (pipe_transport != NULL)
        weft_transport_lose_connection (pipe_transport);
    }
}

static void
weft_process_transport_lose_write_connection_impl (WeftTransport *transport)
{
  weft_process_transport_close_stdin (WEFT_PROCESS_TRANSPORT (transport));
}

static void
weft_process_transport_abort_connection_impl (WeftTransport *transport, const GError *reason)
{
  WeftProcessTransport *self = WEFT_PROCESS_TRANSPORT (transport);

  if (self->ended || (self->closing && self->close_reason != NULL &&
                      g_error_matches (self->close_reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED)))
    return;
  self->closing = TRUE;
  g_clear_error (&self->close_reason);
  self->close_reason =
      reason != NULL ? g_error_copy (reason)
                     : g_error_new (WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED,
                                    _ ("The pipes to child process %d (“%s”) were aborted."), self->pid, self->program);
  for (guint i = 0; i < self->pipes->len; i++)
    {
      WeftTransport *pipe_transport = open_pipe_transport (g_ptr_array_index (self->pipes, i));

      if (pipe_transport != NULL)
        weft_transport_abort_connection (pipe_transport);
    }
}

static void
set_reading (WeftProcessTransport *self, gboolean paused)
{
  for (guint i = 0; i < self->pipes->len; i++)
    {
      ChildPipe *pipe = g_ptr_array_index (self->pipes, i);
      WeftTransport *pipe_transport = open_pipe_transport (pipe);

      if (pipe_transport == NULL || pipe->kind != WEFT_CHILD_FD_FROM_CHILD)
        continue;
      if (paused)
        weft_transport_pause_reading (pipe_transport);
      else
        weft_transport_resume_reading (pipe_transport);
    }
}

static void
weft_process_transport_pause_reading_impl (WeftTransport *transport)
{
  set_reading (WEFT_PROCESS_TRANSPORT (transport), TRUE);
}

static void
weft_process_transport_resume_reading_impl (WeftTransport *transport)
{
  set_reading (WEFT_PROCESS_TRANSPORT (transport), FALSE);
}

static void
weft_process_transport_set_write_buffer_limits_impl (WeftTransport *transport, gsize high, gsize low)
{
  WeftProcessTransport *self = WEFT_PROCESS_TRANSPORT (transport);
  WeftTransport *in = stdin_transport (self);

  self->write_high = high;
  self->write_low = low;
  if (in != NULL)
    weft_transport_set_write_buffer_limits (in, high, low);
}

static void
weft_process_transport_get_write_buffer_limits_impl (WeftTransport *transport, gsize *high, gsize *low)
{
  WeftProcessTransport *self = WEFT_PROCESS_TRANSPORT (transport);

  if (high != NULL)
    *high = self->write_high;
  if (low != NULL)
    *low = self->write_low;
}

static gsize
weft_process_transport_get_write_buffer_size_impl (WeftTransport *transport)
{
  WeftTransport *in = stdin_transport (WEFT_PROCESS_TRANSPORT (transport));

  return in != NULL ? weft_transport_get_write_buffer_size (in) : 0;
}

static GSocketAddress *
weft_process_transport_get_address_impl (WeftTransport *transport)
{
  return NULL;
}

static WeftProtocol *
weft_process_transport_get_protocol_impl (WeftTransport *transport)
{
  return WEFT_PROTOCOL (WEFT_PROCESS_TRANSPORT (transport)->protocol);
}

static gboolean
weft_process_transport_is_closing_impl (WeftTransport *transport)
{
  WeftProcessTransport *self = WEFT_PROCESS_TRANSPORT (transport);

  return self->closing || self->ended;
}

static void
weft_process_transport_iface_init (WeftTransportInterface *iface)
{
  iface->write = weft_process_transport_write_impl;
  iface->write_bytes = weft_process_transport_write_bytes_impl;
  iface->writev = weft_process_transport_writev_impl;
  iface->lose_connection = weft_process_transport_lose_connection_impl;
  iface->lose_write_connection = weft_process_transport_lose_write_connection_impl;
  iface->abort_connection = weft_process_transport_abort_connection_impl;
  iface->pause_reading = weft_process_transport_pause_reading_impl;
  iface->resume_reading = weft_process_transport_resume_reading_impl;
  iface->set_write_buffer_limits = weft_process_transport_set_write_buffer_limits_impl;
  iface->get_write_buffer_limits = weft_process_transport_get_write_buffer_limits_impl;
  iface->get_write_buffer_size = weft_process_transport_get_write_buffer_size_impl;
  iface->get_peer_address = weft_process_transport_get_address_impl;
  iface->get_local_address = weft_process_transport_get_address_impl;
  iface->get_protocol = weft_process_transport_get_protocol_impl;
  iface->is_closing = weft_process_transport_is_closing_impl;
}

/* GObject */

static void
weft_process_transport_finalize (GObject *object)
{
  WeftProcessTransport *self = WEFT_PROCESS_TRANSPORT (object);

  g_clear_pointer (&self->exit_watch, weft_watch_remove);
  if (self->exit_fd >= 0)
    close (self->exit_fd);
  if (self->pid > 0 && self->status == NULL)
    {
      /* Only reachable through a failed start: a running child keeps its
       * transport alive. Reap it whenever it exits. */
      g_thread_unref (g_thread_new ("weft-child-weft_process_reap", weft_process_reaper_thread,
                                    GINT_TO_POINTER (self->pid)));
    }
  for (guint i = 0; i < self->pipes->len; i++)
    ((ChildPipe *) g_ptr_array_index (self->pipes, i))->process = NULL;
  g_ptr_array_unref (self->pipes);
  g_clear_object (&self->protocol);
  g_clear_object (&self->reactor);
  g_free (self->program);
  g_clear_pointer (&self->status, weft_process_status_free);
  g_clear_error (&self->close_reason);

  G_OBJECT_CLASS (weft_process_transport_parent_class)->finalize (object);
}

static void
weft_process_transport_class_init (WeftProcessTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_process_transport_finalize;
}

static void
weft_process_transport_init (WeftProcessTransport *self)
{
  self->pipes = g_ptr_array_new_with_free_func (child_pipe_free);
  self->exit_fd = -1;
  self->write_high = WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH;
  self->write_low = WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_LOW;
}

/* Public API */

/**
 * weft_process_transport_get_pid:
 * @transport: a process transport
 *
 * The child's process id. It stays readable after the child has exited,
 * for messages; by then the system may have given it to another process,
 * so do not signal it yourself (weft_process_transport_signal_process()
 * knows when it is no longer valid).
 *
 * Returns: the child's pid
 */
GPid
weft_process_transport_get_pid (WeftProcessTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport), 0);
  return transport->pid;
}

/**
 * weft_process_transport_get_reactor:
 * @transport: a process transport
 *
 * Returns: (transfer none): the reactor that watches the child
 */
WeftReactor *
weft_process_transport_get_reactor (WeftProcessTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport), NULL);
  return transport->reactor;
}

/**
 * weft_process_transport_has_exited:
 * @transport: a process transport
 *
 * Returns: %TRUE once the child has exited and has been reaped (from
 *   process_exited on)
 */
gboolean
weft_process_transport_has_exited (WeftProcessTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport), FALSE);
  return transport->status != NULL;
}

/**
 * weft_process_transport_get_status:
 * @transport: a process transport
 *
 * Returns: (transfer none) (nullable): how the child ended, or %NULL while
 *   it runs
 */
const WeftProcessStatus *
weft_process_transport_get_status (WeftProcessTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport), NULL);
  return transport->status;
}

/**
 * weft_process_transport_write:
 * @transport: a process transport
 * @data: (array length=len) (element-type guint8): bytes for the child
 * @len: how many
 *
 * Queues a copy of @data for the child's standard input, as
 * weft_transport_write() does. Dropped if standard input is not a pipe or
 * has been closed.
 */
void
weft_process_transport_write (WeftProcessTransport *transport, const void *data, gsize len)
{
  g_return_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport));
  weft_transport_write (WEFT_TRANSPORT (transport), data, len);
}

/**
 * weft_process_transport_write_bytes:
 * @transport: a process transport
 * @bytes: bytes for the child
 *
 * Queues @bytes for the child's standard input by reference, as
 * weft_transport_write_bytes() does.
 */
void
weft_process_transport_write_bytes (WeftProcessTransport *transport, GBytes *bytes)
{
  g_return_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport));
  weft_transport_write_bytes (WEFT_TRANSPORT (transport), bytes);
}

/**
 * weft_process_transport_writev:
 * @transport: a process transport
 * @vectors: (array length=n_vectors): buffers for the child, in order
 * @n_vectors: how many
 *
 * Queues copies of several buffers for the child's standard input, as
 * weft_transport_writev() does.
 */
void
weft_process_transport_writev (WeftProcessTransport *transport, const GOutputVector *vectors, gsize n_vectors)
{
  g_return_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport));
  weft_transport_writev (WEFT_TRANSPORT (transport), vectors, n_vectors);
}

/**
 * weft_process_transport_write_to_child:
 * @transport: a process transport
 * @child_fd: a child fd that is a %WEFT_CHILD_FD_TO_CHILD pipe
 * @data: (array length=len) (element-type guint8): bytes for the child
 * @len: how many
 * @error: return location for a #GError
 *
 * Queues a copy of @data for the pipe on the child's fd @child_fd. Each
 * such pipe has its own write buffer; only standard input's is reflected
 * in the protocol's pause_writing and resume_writing.
 *
 * Returns: %TRUE if the data was queued; %FALSE if @child_fd is not a pipe
 *   to the child (%G_IO_ERROR_INVALID_ARGUMENT) or it has been closed
 *   (%G_IO_ERROR_CLOSED)
 */
gboolean
weft_process_transport_write_to_child (WeftProcessTransport *transport,
                                       int child_fd,
                                       const void *data,
                                       gsize len,
                                       GError **error)
{
  ChildPipe *pipe;
  WeftTransport *pipe_transport;

  g_return_val_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pipe = find_pipe (transport, child_fd);
  if (pipe == NULL || pipe->kind != WEFT_CHILD_FD_TO_CHILD)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("Fd %d of child process %d (“%s”) is not a pipe to the child"), child_fd, transport->pid,
                   transport->program);
      return FALSE;
    }
  pipe_transport = open_pipe_transport (pipe);
  if (pipe_transport == NULL || pipe->closing || weft_transport_is_closing (pipe_transport))
    {
      g_autofree char *description = describe_pipe (transport, child_fd);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("Cannot write to %s: it is closed"), description);
      return FALSE;
    }
  weft_transport_write (pipe_transport, data, len);
  return TRUE;
}

/**
 * weft_process_transport_close_stdin:
 * @transport: a process transport
 *
 * Closes the child's standard input once everything written to it has
 * been sent: the child reads end-of-file. Does nothing if standard input
 * is not a pipe or is already closed.
 */
void
weft_process_transport_close_stdin (WeftProcessTransport *transport)
{
  g_return_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport));

  if (transport->stdin_pipe != NULL)
    weft_process_transport_close_child_fd (transport, 0, NULL);
}

/**
 * weft_process_transport_close_child_fd:
 * @transport: a process transport
 * @child_fd: a child fd that is a pipe
 * @error: return location for a #GError
 *
 * Closes this side of the pipe on the child's fd @child_fd: a pipe to the
 * child once its write buffer is sent (the child reads end-of-file; later
 * writes are dropped), a pipe from the child at once (what it writes next fails with `EPIPE` or
 * kills it with `SIGPIPE`). The protocol's child_connection_lost follows,
 * from the reactor. Closing a pipe twice does nothing.
 *
 * Returns: %TRUE, or %FALSE with %G_IO_ERROR_INVALID_ARGUMENT if @child_fd
 *   is not a pipe
 */
gboolean
weft_process_transport_close_child_fd (WeftProcessTransport *transport, int child_fd, GError **error)
{
  ChildPipe *pipe;
  WeftTransport *pipe_transport;

  g_return_val_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pipe = find_pipe (transport, child_fd);
  if (pipe == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Fd %d of child process %d (“%s”) is not a pipe"),
                   child_fd, transport->pid, transport->program);
      return FALSE;
    }
  pipe->closing = TRUE;
  pipe_transport = open_pipe_transport (pipe);
  if (pipe_transport == NULL)
    return TRUE;
  /* A pipe to the child drops later writes, as a half-closed socket does. */
  if (pipe->kind == WEFT_CHILD_FD_TO_CHILD)
    weft_transport_lose_write_connection (pipe_transport);
  else
    weft_transport_lose_connection (pipe_transport);
  return TRUE;
}

/**
 * weft_process_transport_lose_connection:
 * @transport: a process transport
 *
 * Closes every pipe to and from the child (standard input once its buffer
 * is sent), as weft_transport_lose_connection() does. The child is not
 * signalled; it sees end-of-file on its input and `EPIPE` on its output.
 */
void
weft_process_transport_lose_connection (WeftProcessTransport *transport)
{
  g_return_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport));
  weft_transport_lose_connection (WEFT_TRANSPORT (transport));
}

static char *
signal_name (int signum)
{
  const char *abbreviation = sigabbrev_np (signum);

  return abbreviation != NULL ? g_strdup_printf ("SIG%s", abbreviation) : g_strdup_printf ("%d", signum);
}

static void
set_already_exited_error (WeftProcessTransport *self, int signum, GError **error)
{
  g_autofree char *name = signal_name (signum);
  g_autofree char *description = self->status != NULL ? weft_process_status_to_string (self->status) : NULL;

  if (description != NULL)
    g_set_error (error, WEFT_PROCESS_ERROR, WEFT_PROCESS_ERROR_ALREADY_EXITED,
                 _ ("Cannot send %s to child process %d (“%s”): it has already exited (it %s)"), name, self->pid,
                 self->program, description);
  else
    g_set_error (error, WEFT_PROCESS_ERROR, WEFT_PROCESS_ERROR_ALREADY_EXITED,
                 _ ("Cannot send %s to child process %d (“%s”): it has already exited"), name, self->pid,
                 self->program);
}

/**
 * weft_process_transport_signal_process:
 * @transport: a process transport
 * @signum: a signal number, such as `SIGTERM` or `SIGKILL`
 * @error: return location for a #GError
 *
 * Sends @signum to the child, Twisted's `signalProcess`. Through a pidfd
 * where there is one, so the signal cannot reach another process that got
 * the same pid.
 *
 * Returns: %TRUE if the signal was sent; %FALSE with
 *   %WEFT_PROCESS_ERROR_ALREADY_EXITED once the child has exited, or a
 *   %G_IO_ERROR for a bad signal number
 */
gboolean
weft_process_transport_signal_process (WeftProcessTransport *transport, int signum, GError **error)
{
  int r = -1;

  g_return_val_if_fail (WEFT_IS_PROCESS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (transport->status != NULL)
    {
      set_already_exited_error (transport, signum, error);
      return FALSE;
    }
  /* Until it is reaped, the pid cannot be reused, so kill() is safe too. */
  if (transport->exit_fd_is_pidfd)
    r = weft_process_pidfd_signal (transport->exit_fd, signum);
  if (!transport->exit_fd_is_pidfd || (r < 0 && errno == ENOSYS))
    r = kill (transport->pid, signum);
  if (r < 0)
    {
      int errsv = errno;
      g_autofree char *name = signal_name (signum);

      if (errsv == ESRCH)
        set_already_exited_error (transport, signum, error);
      else if (errsv == EINVAL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("%d is not a signal number"), signum);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                     _ ("Cannot send %s to child process %d (“%s”): %s"), name, transport->pid, transport->program,
                     g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* weft_get_process_output() and weft_get_process_value() */
