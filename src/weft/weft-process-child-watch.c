/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Knowing when a child exits: a pidfd watch, or a reaper thread where
 * pidfds are missing. */

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

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
/* Exit notification */

static int
open_pidfd (GPid pid)
{
#if defined(HAVE_PIDFD_OPEN)
  return pidfd_open (pid, 0);
#elif defined(SYS_pidfd_open)
  return syscall (SYS_pidfd_open, pid, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

int
weft_process_pidfd_signal (int pidfd, int signum)
{
#if defined(HAVE_PIDFD_OPEN)
  return pidfd_send_signal (pidfd, signum, NULL, 0);
#elif defined(SYS_pidfd_send_signal)
  return syscall (SYS_pidfd_send_signal, pidfd, signum, NULL, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

/* WEFT_DEBUG=no-pidfd takes the path of systems without pidfds. */
static gboolean
pidfd_wanted (void)
{
  static const GDebugKey keys[] = { { "no-pidfd", 1 } };
  const char *debug = g_getenv ("WEFT_DEBUG");

  return debug == NULL || !(g_parse_debug_string (debug, keys, G_N_ELEMENTS (keys)) & 1);
}

typedef struct {
  GPid pid;
  int done_fd;
} ExitWaiter;

/* Without pidfds: waits for the child to exit, leaving it for the reactor
 * to weft_process_reap (WNOWAIT), and says so by closing its end of a pipe. Waiting for
 * one pid needs no SIGCHLD handler, which would displace GLib's. */
static gpointer
exit_waiter_thread (gpointer data)
{
  ExitWaiter *waiter = data;
  siginfo_t info;

  while (waitid (P_PID, waiter->pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
    ;
  close (waiter->done_fd);
  g_free (waiter);
  return NULL;
}

/* Collects the child's status if it has exited. */
gboolean
weft_process_reap (WeftProcessTransport *self)
{
  siginfo_t info;
  int wait_status;
  int r;

  for (;;)
    {
      memset (&info, 0, sizeof info);
      if (self->waitid_takes_pidfd)
        r = waitid (P_PIDFD, self->exit_fd, &info, WEXITED | WNOHANG);
      else
        r = waitid (P_PID, self->pid, &info, WEXITED | WNOHANG);
      if (r == 0 || errno != EINTR)
        break;
    }
  if (r < 0 && errno == EINVAL && self->waitid_takes_pidfd)
    {
      /* A kernel with pidfd_open() but no P_PIDFD (5.3): the pid is still
       * ours, since only its reaping frees it. */
      self->waitid_takes_pidfd = FALSE;
      return weft_process_reap (self);
    }
  if (r < 0)
    {
      int errsv = errno;

      if (errsv == ECHILD)
        g_warning ("Child process %d (“%s”) was reaped by someone else: is there a waitpid (-1, ...) in the program?",
                   self->pid, self->program);
      else
        g_warning ("Cannot collect the exit status of child process %d (“%s”): %s", self->pid, self->program,
                   g_strerror (errsv));
      self->status = weft_process_status_new_unknown ();
      return TRUE;
    }
  if (info.si_pid == 0)
    return FALSE;

  switch (info.si_code)
    {
    case CLD_EXITED:
      wait_status = W_EXITCODE (info.si_status, 0);
      break;
    case CLD_KILLED:
      wait_status = info.si_status;
      break;
    case CLD_DUMPED:
      wait_status = info.si_status | WCOREFLAG;
      break;
    default:
      return FALSE;
    }
  self->status = weft_process_status_new (wait_status);
  return TRUE;
}

static void
exit_ready_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  WeftProcessTransport *self = user_data;
  g_autoptr (WeftProcessTransport) keep = g_object_ref (self);
  g_autofree char *description = NULL;

  if (!weft_process_reap (self))
    return;
  g_clear_pointer (&self->exit_watch, weft_watch_remove);
  close (self->exit_fd);
  self->exit_fd = -1;
  description = weft_process_status_to_string (self->status);
  g_debug ("Child process %d (“%s”) %s", self->pid, self->program, description);
  weft_process_protocol_process_exited (self->protocol, self->status);
  weft_process_maybe_end (self);
}

gboolean
weft_process_watch_exit (WeftProcessTransport *self, GError **error)
{
  int fd = pidfd_wanted () ? open_pidfd (self->pid) : -1;

  if (fd >= 0)
    {
      self->exit_fd_is_pidfd = TRUE;
      self->waitid_takes_pidfd = TRUE;
    }
  else
    {
      ExitWaiter *waiter;
      GThread *thread;
      int fds[2];

      if (pipe2 (fds, O_CLOEXEC) < 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _ ("Cannot watch child process %d (“%s”) for its exit: %s"), self->pid, self->program,
                       g_strerror (errsv));
          return FALSE;
        }
      waiter = g_new0 (ExitWaiter, 1);
      waiter->pid = self->pid;
      waiter->done_fd = fds[1];
      thread = g_thread_try_new ("weft-child-wait", exit_waiter_thread, waiter, error);
      if (thread == NULL)
        {
          close (fds[0]);
          close (fds[1]);
          g_free (waiter);
          return FALSE;
        }
      g_thread_unref (thread);
      fd = fds[0];
    }

  self->exit_fd = fd;
  self->exit_watch = weft_reactor_add_watch (self->reactor, fd, WEFT_IO_READ, exit_ready_cb, self, NULL, error);
  return self->exit_watch != NULL;
}

/* After a failure past the spawn: the caller never sees this child, so it
 * must not outlive the call. */
void
weft_process_abandon_child (WeftProcessTransport *self)
{
  int wait_status = 0;

  g_clear_pointer (&self->exit_watch, weft_watch_remove);
  kill (self->pid, SIGKILL);
  while (waitpid (self->pid, &wait_status, 0) < 0 && errno == EINTR)
    ;
  if (self->exit_fd >= 0)
    close (self->exit_fd);
  self->exit_fd = -1;
  self->status = weft_process_status_new (wait_status);
}

gpointer
weft_process_reaper_thread (gpointer data)
{
  GPid pid = GPOINTER_TO_INT (data);

  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return NULL;
}
