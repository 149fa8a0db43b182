/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-protocol.h"
#include "weft-reactor.h"
#include "weft-transport.h"

G_BEGIN_DECLS

/**
 * WeftFdTransportFlags:
 * @WEFT_FD_TRANSPORT_FLAGS_NONE: plain file descriptors (pipes, terminals):
 *   half-closing closes the write fd when it is separate from the read fd
 * @WEFT_FD_TRANSPORT_FLAGS_SOCKET: the fd is a connected stream socket:
 *   writes never raise `SIGPIPE`, half-closing is `shutdown (SHUT_WR)`, and
 *   the addresses come from the socket
 *
 * How a [class@Weft.FdTransport] treats its file descriptors.
 */
typedef enum {
  WEFT_FD_TRANSPORT_FLAGS_NONE = 0,
  WEFT_FD_TRANSPORT_FLAGS_SOCKET = 1 << 0,
} WeftFdTransportFlags;

WEFT_AVAILABLE_IN_ALL
GType weft_fd_transport_flags_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_FD_TRANSPORT_FLAGS (weft_fd_transport_flags_get_type ())

/**
 * WeftFdTransportState:
 * @WEFT_FD_TRANSPORT_STATE_NEW: created, weft_fd_transport_start() not
 *   called yet
 * @WEFT_FD_TRANSPORT_STATE_CONNECTED: the protocol is connected
 * @WEFT_FD_TRANSPORT_STATE_DISCONNECTING: closing was asked for (or the
 *   connection failed) and connection_lost has not been delivered yet
 * @WEFT_FD_TRANSPORT_STATE_DISCONNECTED: the protocol received
 *   connection_lost
 *
 * The life of a [class@Weft.FdTransport], as its #WeftFdTransport:state.
 */
typedef enum {
  WEFT_FD_TRANSPORT_STATE_NEW,
  WEFT_FD_TRANSPORT_STATE_CONNECTED,
  WEFT_FD_TRANSPORT_STATE_DISCONNECTING,
  WEFT_FD_TRANSPORT_STATE_DISCONNECTED,
} WeftFdTransportState;

WEFT_AVAILABLE_IN_ALL
GType weft_fd_transport_state_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_FD_TRANSPORT_STATE (weft_fd_transport_state_get_type ())

#define WEFT_TYPE_FD_TRANSPORT (weft_fd_transport_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftFdTransport, weft_fd_transport, WEFT, FD_TRANSPORT, GObject)

/**
 * WeftFdTransportClass:
 * @parent_class: the parent class
 *
 * The class of [class@Weft.FdTransport]. Subclasses (TCP, Unix sockets,
 * child-process pipes) add what is specific to their kind of fd.
 */
struct _WeftFdTransportClass {
  GObjectClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

WEFT_AVAILABLE_IN_ALL
WeftFdTransport *weft_fd_transport_new (WeftReactor *reactor, int read_fd, int write_fd, WeftFdTransportFlags flags)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
gboolean weft_fd_transport_start (WeftFdTransport *transport, WeftProtocol *protocol, GError **error);

WEFT_AVAILABLE_IN_ALL
WeftReactor *weft_fd_transport_get_reactor (WeftFdTransport *transport);
WEFT_AVAILABLE_IN_ALL
int weft_fd_transport_get_fd (WeftFdTransport *transport);
WEFT_AVAILABLE_IN_ALL
int weft_fd_transport_get_write_fd (WeftFdTransport *transport);
WEFT_AVAILABLE_IN_ALL
WeftFdTransportFlags weft_fd_transport_get_flags (WeftFdTransport *transport);
WEFT_AVAILABLE_IN_ALL
WeftFdTransportState weft_fd_transport_get_state (WeftFdTransport *transport);
WEFT_AVAILABLE_IN_ALL
gboolean weft_fd_transport_is_reading_paused (WeftFdTransport *transport);

G_END_DECLS
