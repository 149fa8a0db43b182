/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

/* The process transport's instance, shared by the process files. */

#include "weft-fd-transport.h"
#include "weft-process-private.h"
#include "weft-process.h"

G_BEGIN_DECLS

typedef struct _ChildPipe ChildPipe;

struct _WeftProcessTransport {
  GObject parent_instance;

  WeftReactor *reactor;          /* owned */
  WeftProcessProtocol *protocol; /* owned */
  char *program;                 /* argv[0], for messages */
  GPid pid;
  GPtrArray *pipes;      /* ChildPipe, one per pipe to or from the child */
  ChildPipe *stdin_pipe; /* the pipe on the child's fd 0, if it is one */

  int exit_fd; /* the pidfd, or the waiter thread's pipe; -1 once reaped */
  gboolean exit_fd_is_pidfd;
  gboolean waitid_takes_pidfd;
  WeftWatch *exit_watch;
  WeftProcessStatus *status; /* NULL until the child has been reaped */

  gsize write_high; /* the watermarks, also kept when there is no stdin pipe */
  gsize write_low;
  GError *close_reason;
  gboolean closing;
  gboolean ended;
  gboolean alive; /* holds a reference to itself from spawn to process_ended */
};

struct _ChildPipe {
  WeftProcessTransport *process; /* not owned; NULL once it is gone */
  int child_fd;
  WeftChildFdKind kind;
  int parent_fd;              /* our end, until the transport takes it over */
  WeftFdTransport *transport; /* owned */
  gboolean closing;           /* closed by weft_process_transport_close_child_fd() */
  gboolean lost;
};

void weft_process_maybe_end (WeftProcessTransport *self);
gboolean weft_process_start_pipes (WeftProcessTransport *self, GError **error);
int weft_process_pidfd_signal (int pidfd, int signum);
gboolean weft_process_reap (WeftProcessTransport *self);
gboolean weft_process_watch_exit (WeftProcessTransport *self, GError **error);
void weft_process_abandon_child (WeftProcessTransport *self);
gpointer weft_process_reaper_thread (gpointer data);

G_END_DECLS
