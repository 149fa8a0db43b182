/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "weft-process-protocol.h"

/**
 * WeftProcessProtocol:
 *
 * The application's side of a child process, Twisted's `ProcessProtocol`:
 * subclass it, override the methods of [struct@Weft.ProcessProtocolClass],
 * and give it to weft_reactor_spawn_process().
 *
 * A process protocol is a [class@Weft.Protocol] whose transport is a
 * [class@Weft.ProcessTransport]: connection_made comes first (before
 * weft_reactor_spawn_process() returns, so the protocol may write to the
 * child's standard input at once), pause_writing and resume_writing follow
 * the write buffer of the child's standard input. Then, in the order the
 * events happen:
 *
 * - child_data_received for each chunk the child writes to one of its
 *   pipes, with the child's fd number (1: standard output, 2: standard
 *   error, or an extra fd);
 * - child_connection_lost once per pipe, when it closes;
 * - process_exited once, when the child has exited.
 *
 * Once the child has exited *and* every pipe is closed, process_ended is
 * called, then the protocol's connection_lost (with
 * %WEFT_ERROR_CONNECTION_DONE after exit code 0, else the error of
 * weft_process_status_check()). So all output has been delivered before
 * process_ended.
 *
 * The default child_data_received passes standard output to data_received,
 * so a protocol that only reads standard output may override data_received
 * alone.
 */

G_DEFINE_TYPE (WeftProcessProtocol, weft_process_protocol, WEFT_TYPE_PROTOCOL)

static void
weft_process_protocol_real_child_data_received (WeftProcessProtocol *self, int child_fd, const guint8 *data, gsize len)
{
  if (child_fd == 1)
    weft_protocol_data_received (WEFT_PROTOCOL (self), data, len);
}

static void
weft_process_protocol_real_child_connection_lost (WeftProcessProtocol *self, int child_fd)
{
}

static void
weft_process_protocol_real_process_exited (WeftProcessProtocol *self, const WeftProcessStatus *status)
{
}

static void
weft_process_protocol_real_process_ended (WeftProcessProtocol *self, const WeftProcessStatus *status)
{
}

static void
weft_process_protocol_class_init (WeftProcessProtocolClass *klass)
{
  klass->child_data_received = weft_process_protocol_real_child_data_received;
  klass->child_connection_lost = weft_process_protocol_real_child_connection_lost;
  klass->process_exited = weft_process_protocol_real_process_exited;
  klass->process_ended = weft_process_protocol_real_process_ended;
}

static void
weft_process_protocol_init (WeftProcessProtocol *self)
{
}

/**
 * weft_process_protocol_child_data_received:
 * @protocol: a connected process protocol
 * @child_fd: the child's fd the data came from
 * @data: (array length=len) (element-type guint8): the bytes, valid only
 *   during the call
 * @len: how many; 0 does nothing
 *
 * Delivers output of the child. Called by process transports.
 */
void
weft_process_protocol_child_data_received (WeftProcessProtocol *protocol, int child_fd, const guint8 *data, gsize len)
{
  g_return_if_fail (WEFT_IS_PROCESS_PROTOCOL (protocol));
  g_return_if_fail (data != NULL || len == 0);

  if (len == 0)
    return;
  WEFT_PROCESS_PROTOCOL_GET_CLASS (protocol)->child_data_received (protocol, child_fd, data, len);
}

/**
 * weft_process_protocol_child_connection_lost:
 * @protocol: a connected process protocol
 * @child_fd: the child's fd whose pipe closed
 *
 * Tells @protocol that a pipe to the child is closed. Called by process
 * transports, once per pipe.
 */
void
weft_process_protocol_child_connection_lost (WeftProcessProtocol *protocol, int child_fd)
{
  g_autoptr (WeftProcessProtocol) self = NULL;

  g_return_if_fail (WEFT_IS_PROCESS_PROTOCOL (protocol));

  self = g_object_ref (protocol);
  WEFT_PROCESS_PROTOCOL_GET_CLASS (self)->child_connection_lost (self, child_fd);
}

/**
 * weft_process_protocol_process_exited:
 * @protocol: a connected process protocol
 * @status: how the child ended
 *
 * Tells @protocol that the child has exited. Called by process transports,
 * once.
 */
void
weft_process_protocol_process_exited (WeftProcessProtocol *protocol, const WeftProcessStatus *status)
{
  g_autoptr (WeftProcessProtocol) self = NULL;

  g_return_if_fail (WEFT_IS_PROCESS_PROTOCOL (protocol));
  g_return_if_fail (status != NULL);

  self = g_object_ref (protocol);
  WEFT_PROCESS_PROTOCOL_GET_CLASS (self)->process_exited (self, status);
}

/**
 * weft_process_protocol_process_ended:
 * @protocol: a connected process protocol
 * @status: how the child ended
 *
 * Tells @protocol that the child has exited and all its pipes are closed.
 * Called by process transports, once, right before
 * weft_protocol_connection_lost().
 */
void
weft_process_protocol_process_ended (WeftProcessProtocol *protocol, const WeftProcessStatus *status)
{
  g_autoptr (WeftProcessProtocol) self = NULL;

  g_return_if_fail (WEFT_IS_PROCESS_PROTOCOL (protocol));
  g_return_if_fail (status != NULL);

  self = g_object_ref (protocol);
  WEFT_PROCESS_PROTOCOL_GET_CLASS (self)->process_ended (self, status);
}
