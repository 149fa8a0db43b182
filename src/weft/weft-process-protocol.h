/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-process-status.h"
#include "weft-protocol.h"

G_BEGIN_DECLS

#define WEFT_TYPE_PROCESS_PROTOCOL (weft_process_protocol_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftProcessProtocol, weft_process_protocol, WEFT, PROCESS_PROTOCOL, WeftProtocol)

/**
 * WeftProcessProtocolClass:
 * @parent_class: the parent class; connection_made receives the process'
 *   [class@Weft.ProcessTransport], and pause_writing / resume_writing
 *   follow the write buffer of the child's standard input
 * @child_data_received: the child wrote @len bytes to its fd @child_fd
 *   (1 for standard output, 2 for standard error, or an extra fd); @data is
 *   valid only during the call. The default passes standard output on to
 *   the protocol's data_received and drops the rest.
 * @child_connection_lost: the pipe on the child's fd @child_fd is closed:
 *   the child closed it or exited, or this side closed it
 * @process_exited: the child has exited (and has been reaped); output may
 *   still be on its way through the pipes
 * @process_ended: the child has exited and every pipe to it is closed:
 *   nothing more will arrive. Called last, just before the protocol's
 *   connection_lost.
 *
 * The methods a process protocol overrides. Process transports call them
 * through weft_process_protocol_child_data_received() and the other
 * wrappers, never directly.
 */
struct _WeftProcessProtocolClass {
  WeftProtocolClass parent_class;

  void (*child_data_received) (WeftProcessProtocol *protocol, int child_fd, const guint8 *data, gsize len);
  void (*child_connection_lost) (WeftProcessProtocol *protocol, int child_fd);
  void (*process_exited) (WeftProcessProtocol *protocol, const WeftProcessStatus *status);
  void (*process_ended) (WeftProcessProtocol *protocol, const WeftProcessStatus *status);

  /*< private >*/
  gpointer padding[8];
};

WEFT_AVAILABLE_IN_ALL
void weft_process_protocol_child_data_received (WeftProcessProtocol *protocol,
                                                int child_fd,
                                                const guint8 *data,
                                                gsize len);
WEFT_AVAILABLE_IN_ALL
void weft_process_protocol_child_connection_lost (WeftProcessProtocol *protocol, int child_fd);
WEFT_AVAILABLE_IN_ALL
void weft_process_protocol_process_exited (WeftProcessProtocol *protocol, const WeftProcessStatus *status);
WEFT_AVAILABLE_IN_ALL
void weft_process_protocol_process_ended (WeftProcessProtocol *protocol, const WeftProcessStatus *status);

G_END_DECLS
