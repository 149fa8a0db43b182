/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-deferred.h"
#include "weft-process-protocol.h"
#include "weft-process-status.h"
#include "weft-reactor.h"
#include "weft-transport.h"

G_BEGIN_DECLS

/**
 * WeftChildFdKind:
 * @WEFT_CHILD_FD_TO_CHILD: a pipe the parent writes into and the child
 *   reads from, such as standard input; write to it with
 *   weft_process_transport_write_to_child()
 * @WEFT_CHILD_FD_FROM_CHILD: a pipe the child writes into; what arrives
 *   goes to the protocol's child_data_received with the child's fd number
 * @WEFT_CHILD_FD_PARENT_FD: the child gets a duplicate of the parent's
 *   file descriptor `parent_fd` (a file, a socket, the parent's own
 *   standard output)
 * @WEFT_CHILD_FD_DEV_NULL: `/dev/null`, open for reading and writing
 *
 * What one file descriptor of a child process is connected to.
 */
typedef enum {
  WEFT_CHILD_FD_TO_CHILD,
  WEFT_CHILD_FD_FROM_CHILD,
  WEFT_CHILD_FD_PARENT_FD,
  WEFT_CHILD_FD_DEV_NULL,
} WeftChildFdKind;

WEFT_AVAILABLE_IN_ALL
GType weft_child_fd_kind_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_CHILD_FD_KIND (weft_child_fd_kind_get_type ())

/**
 * WeftChildFd:
 * @child_fd: the fd number in the child (0 for standard input, ...)
 * @kind: what it is connected to
 * @parent_fd: with %WEFT_CHILD_FD_PARENT_FD, the parent's fd to duplicate
 *   (the parent keeps its own); ignored otherwise
 *
 * One file descriptor of a child process, for weft_reactor_spawn_process().
 * ```c
 * const WeftChildFd fds[] = {
 *   { 0, WEFT_CHILD_FD_TO_CHILD },
 *   { 1, WEFT_CHILD_FD_FROM_CHILD },
 *   { 2, WEFT_CHILD_FD_PARENT_FD, STDERR_FILENO },
 *   { 3, WEFT_CHILD_FD_FROM_CHILD },
 * };
 * ```
 */
typedef struct {
  int child_fd;
  WeftChildFdKind kind;
  int parent_fd;
} WeftChildFd;

#define WEFT_TYPE_PROCESS_TRANSPORT (weft_process_transport_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftProcessTransport, weft_process_transport, WEFT, PROCESS_TRANSPORT, GObject)

WEFT_AVAILABLE_IN_ALL
WeftProcessTransport *weft_reactor_spawn_process (WeftReactor *reactor,
                                                  WeftProcessProtocol *protocol,
                                                  const char *const *argv,
                                                  const char *const *envp,
                                                  const char *cwd,
                                                  const WeftChildFd *child_fds,
                                                  gsize n_child_fds,
                                                  GError **error) G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
GPid weft_process_transport_get_pid (WeftProcessTransport *transport);
WEFT_AVAILABLE_IN_ALL
WeftReactor *weft_process_transport_get_reactor (WeftProcessTransport *transport);
WEFT_AVAILABLE_IN_ALL
gboolean weft_process_transport_has_exited (WeftProcessTransport *transport);
WEFT_AVAILABLE_IN_ALL
const WeftProcessStatus *weft_process_transport_get_status (WeftProcessTransport *transport);

WEFT_AVAILABLE_IN_ALL
void weft_process_transport_write (WeftProcessTransport *transport, const void *data, gsize len);
WEFT_AVAILABLE_IN_ALL
void weft_process_transport_write_bytes (WeftProcessTransport *transport, GBytes *bytes);
WEFT_AVAILABLE_IN_ALL
void weft_process_transport_writev (WeftProcessTransport *transport, const GOutputVector *vectors, gsize n_vectors);
WEFT_AVAILABLE_IN_ALL
gboolean weft_process_transport_write_to_child (WeftProcessTransport *transport,
                                                int child_fd,
                                                const void *data,
                                                gsize len,
                                                GError **error);
WEFT_AVAILABLE_IN_ALL
void weft_process_transport_close_stdin (WeftProcessTransport *transport);
WEFT_AVAILABLE_IN_ALL
gboolean weft_process_transport_close_child_fd (WeftProcessTransport *transport, int child_fd, GError **error);
WEFT_AVAILABLE_IN_ALL
void weft_process_transport_lose_connection (WeftProcessTransport *transport);
WEFT_AVAILABLE_IN_ALL
gboolean weft_process_transport_signal_process (WeftProcessTransport *transport, int signum, GError **error);

WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_get_process_output (WeftReactor *reactor,
                                       const char *const *argv,
                                       const char *const *envp,
                                       const char *cwd) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_get_process_value (WeftReactor *reactor,
                                      const char *const *argv,
                                      const char *const *envp,
                                      const char *cwd) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
