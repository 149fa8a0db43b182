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
#include "weft-fd-transport.h"
#include "weft-process-private.h"
#include "weft-process.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

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
static void
maybe_end (WeftProcessTransport *self)
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
  maybe_end (self);
}

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

static int
pidfd_signal (int pidfd, int signum)
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
 * to reap (WNOWAIT), and says so by closing its end of a pipe. Waiting for
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
static gboolean
reap (WeftProcessTransport *self)
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
      return reap (self);
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

  if (!reap (self))
    return;
  g_clear_pointer (&self->exit_watch, weft_watch_remove);
  close (self->exit_fd);
  self->exit_fd = -1;
  description = weft_process_status_to_string (self->status);
  g_debug ("Child process %d (“%s”) %s", self->pid, self->program, description);
  weft_process_protocol_process_exited (self->protocol, self->status);
  maybe_end (self);
}

static gboolean
watch_exit (WeftProcessTransport *self, GError **error)
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
static void
abandon_child (WeftProcessTransport *self)
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

static gpointer
reaper_thread (gpointer data)
{
  GPid pid = GPOINTER_TO_INT (data);

  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return NULL;
}

/* Spawning */

/* The child fds as asked for, checked, with /dev/null on standard fds that
 * were not mentioned: a child should never start with fd 0, 1 or 2 closed,
 * or the first file it opens becomes its standard output. */
static GArray *
child_fd_specs (const WeftChildFd *child_fds, gsize n_child_fds, GError **error)
{
  static const WeftChildFd defaults[] = {
    { 0, WEFT_CHILD_FD_TO_CHILD, -1 },
    { 1, WEFT_CHILD_FD_FROM_CHILD, -1 },
    { 2, WEFT_CHILD_FD_FROM_CHILD, -1 },
  };
  g_autoptr (GArray) specs = g_array_new (FALSE, FALSE, sizeof (WeftChildFd));

  if (child_fds == NULL)
    {
      g_array_append_vals (specs, defaults, G_N_ELEMENTS (defaults));
      return g_steal_pointer (&specs);
    }

  for (gsize i = 0; i < n_child_fds; i++)
    {
      const WeftChildFd *spec = &child_fds[i];

      if (spec->child_fd < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("Child fd numbers cannot be negative (%d was given)"), spec->child_fd);
          return NULL;
        }
      if (spec->kind < WEFT_CHILD_FD_TO_CHILD || spec->kind > WEFT_CHILD_FD_DEV_NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Child fd %d has an unknown kind (%d)"),
                       spec->child_fd, spec->kind);
          return NULL;
        }
      if (spec->kind == WEFT_CHILD_FD_PARENT_FD && spec->parent_fd < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("Child fd %d should be a copy of a parent fd, but parent fd %d was given"), spec->child_fd,
                       spec->parent_fd);
          return NULL;
        }
      for (gsize j = 0; j < i; j++)
        if (child_fds[j].child_fd == spec->child_fd)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Child fd %d is listed twice"),
                         spec->child_fd);
            return NULL;
          }
      g_array_append_val (specs, *spec);
    }

  for (int fd = 0; fd <= 2; fd++)
    {
      gboolean listed = FALSE;

      for (guint i = 0; i < specs->len && !listed; i++)
        listed = g_array_index (specs, WeftChildFd, i).child_fd == fd;
      if (!listed)
        {
          WeftChildFd null_fd = { fd, WEFT_CHILD_FD_DEV_NULL, -1 };

          g_array_append_val (specs, null_fd);
        }
    }
  return g_steal_pointer (&specs);
}

static void
set_spawn_error (GError **error, int errsv, const char *program)
{
  if (errsv == ENOENT && strchr (program, '/') == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _ ("Cannot run “%s”: there is no program of that name in the directories of PATH (%s)"), program,
                 g_getenv ("PATH") != NULL ? g_getenv ("PATH") : _ ("not set"));
  else if (errsv == ENOENT)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("Cannot run “%s”: there is no such file"), program);
  else if (errsv == EACCES)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 _ ("Cannot run “%s”: permission denied (is the file executable, and its folder readable?)"), program);
  else if (errsv == ENOEXEC)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _ ("Cannot run “%s”: it is not a program this system can run (a script without a “#!” line?)"),
                 program);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _ ("Cannot run “%s”: %s"), program,
                 g_strerror (errsv));
}

static void
close_fds (GArray *fds)
{
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  g_array_set_size (fds, 0);
}

/* Creates the pipes and starts the child with posix_spawn(): the child's
 * fds are exactly @specs (everything else is closed), its signal mask is
 * empty and every signal has its default action, whatever this process
 * blocks or ignores (SIGPIPE, typically). */
static gboolean
spawn_child (WeftProcessTransport *self,
             GArray *specs,
             const char *const *argv,
             const char *const *envp,
             const char *cwd,
             GError **error)
{
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  g_autoptr (GArray) to_close = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree gboolean *listed = NULL;
  sigset_t signals;
  int max_child_fd = 0;
  int dev_null = -1;
  gboolean ok = FALSE;
  int r;

  for (guint i = 0; i < specs->len; i++)
    max_child_fd = MAX (max_child_fd, g_array_index (specs, WeftChildFd, i).child_fd);
  listed = g_new0 (gboolean, max_child_fd + 1);

  posix_spawn_file_actions_init (&actions);
  posix_spawnattr_init (&attributes);
  if (cwd != NULL)
    posix_spawn_file_actions_addchdir_np (&actions, cwd);

  for (guint i = 0; i < specs->len; i++)
    {
      const WeftChildFd *spec = &g_array_index (specs, WeftChildFd, i);
      int source = -1;
      int moved;

      listed[spec->child_fd] = TRUE;
      switch (spec->kind)
        {
        case WEFT_CHILD_FD_TO_CHILD:
        case WEFT_CHILD_FD_FROM_CHILD:
          {
            ChildPipe *pipe = g_new0 (ChildPipe, 1);
            int fds[2];

            if (pipe2 (fds, O_CLOEXEC) < 0)
              {
                int errsv = errno;

                g_free (pipe);
                g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                             _ ("Cannot create a pipe for fd %d of “%s”: %s"), spec->child_fd, self->program,
                             g_strerror (errsv));
                goto out;
              }
            pipe->process = self;
            pipe->child_fd = spec->child_fd;
            pipe->kind = spec->kind;
            pipe->parent_fd = spec->kind == WEFT_CHILD_FD_TO_CHILD ? fds[1] : fds[0];
            source = spec->kind == WEFT_CHILD_FD_TO_CHILD ? fds[0] : fds[1];
            g_array_append_val (to_close, source);
            g_ptr_array_add (self->pipes, pipe);
            if (spec->child_fd == 0 && spec->kind == WEFT_CHILD_FD_TO_CHILD)
              self->stdin_pipe = pipe;
          }
          break;
        case WEFT_CHILD_FD_DEV_NULL:
          if (dev_null < 0)
            {
              dev_null = open ("/dev/null", O_RDWR | O_CLOEXEC);
              if (dev_null < 0)
                {
                  int errsv = errno;

                  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                               _ ("Cannot open /dev/null for “%s”: %s"), self->program, g_strerror (errsv));
                  goto out;
                }
              g_array_append_val (to_close, dev_null);
            }
          source = dev_null;
          break;
        case WEFT_CHILD_FD_PARENT_FD:
        default:
          source = spec->parent_fd;
          break;
        }

      /* Every source moves above the highest child fd first, so that no
       * dup2() in the child overwrites a source another one still needs. */
      moved = fcntl (source, F_DUPFD_CLOEXEC, max_child_fd + 1);
      if (moved < 0)
        {
          int errsv = errno;

          if (spec->kind == WEFT_CHILD_FD_PARENT_FD && errsv == EBADF)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         _ ("Cannot give fd %d to “%s”: parent fd %d is not open"), spec->child_fd, self->program,
                         spec->parent_fd);
          else
            g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _ ("Cannot prepare fd %d for “%s”: %s"),
                         spec->child_fd, self->program, g_strerror (errsv));
          goto out;
        }
      g_array_append_val (to_close, moved);
      posix_spawn_file_actions_adddup2 (&actions, moved, spec->child_fd);
    }

  /* The child gets the fds it was given and nothing else. */
  for (int fd = 0; fd < max_child_fd; fd++)
    if (!listed[fd])
      posix_spawn_file_actions_addclose (&actions, fd);
  posix_spawn_file_actions_addclosefrom_np (&actions, max_child_fd + 1);

  sigemptyset (&signals);
  posix_spawnattr_setsigmask (&attributes, &signals);
  sigfillset (&signals);
  posix_spawnattr_setsigdefault (&attributes, &signals);
  posix_spawnattr_setflags (&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  if (strchr (argv[0], '/') != NULL)
    r = posix_spawn (&self->pid, argv[0], &actions, &attributes, (char *const *) argv,
                     envp != NULL ? (char *const *) envp : environ);
  else
    r = posix_spawnp (&self->pid, argv[0], &actions, &attributes, (char *const *) argv,
                      envp != NULL ? (char *const *) envp : environ);
  if (r != 0)
    {
      self->pid = 0;
      set_spawn_error (error, r, argv[0]);
      goto out;
    }
  ok = TRUE;

out:
  close_fds (to_close);
  posix_spawn_file_actions_destroy (&actions);
  posix_spawnattr_destroy (&attributes);
  return ok;
}

/* Wraps our end of each pipe in an fd transport. */
static gboolean
start_pipes (WeftProcessTransport *self, GError **error)
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

/**
 * weft_reactor_spawn_process:
 * @reactor: the reactor that will watch the child
 * @protocol: (transfer none): a process protocol that has not been
 *   connected yet; the transport keeps a reference
 * @argv: (array zero-terminated=1): the program and its arguments; a
 *   program name without a `/` is looked up in the directories of `PATH`
 * @envp: (array zero-terminated=1) (nullable): the child's environment, as
 *   `NAME=value` strings, or %NULL to pass on this process' environment
 * @cwd: (type filename) (nullable): the child's working directory, or %NULL
 *   for this process' one
 * @child_fds: (array length=n_child_fds) (nullable): the child's file
 *   descriptors, or %NULL for the usual three pipes: standard input (to the
 *   child), standard output and standard error (from it)
 * @n_child_fds: the length of @child_fds
 * @error: return location for a #GError
 *
 * Starts a child process, Twisted's `spawnProcess`: its file descriptors
 * are exactly those of @child_fds (standard fds that @child_fds does not
 * mention are `/dev/null`; every other fd of this process is closed in the
 * child), its signal mask is empty and all its signals have their default
 * action, whatever this process blocks or ignores.
 *
 * @protocol's connection_made is called before this function returns, so
 * it may write to the child's standard input at once. Output then arrives
 * through child_data_received, the end through process_exited and
 * process_ended (see [class@Weft.ProcessProtocol]).
 *
 * Errors: a program that cannot be found or run gives a %G_IO_ERROR (such
 * as %G_IO_ERROR_NOT_FOUND) whose message names it; so does a @cwd that is
 * not a folder; a bad @child_fds gives %G_IO_ERROR_INVALID_ARGUMENT.
 *
 * Returns: (transfer full) (nullable): the running process, or %NULL and
 *   @error set if it could not be started
 */
WeftProcessTransport *
weft_reactor_spawn_process (WeftReactor *reactor,
                            WeftProcessProtocol *protocol,
                            const char *const *argv,
                            const char *const *envp,
                            const char *cwd,
                            const WeftChildFd *child_fds,
                            gsize n_child_fds,
                            GError **error)
{
  g_autoptr (WeftProcessTransport) self = NULL;
  g_autoptr (GArray) specs = NULL;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (WEFT_IS_PROCESS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (weft_protocol_get_transport (WEFT_PROTOCOL (protocol)) == NULL, NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (child_fds != NULL || n_child_fds == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*argv[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("Cannot run a program whose name is empty"));
      return NULL;
    }
  specs = child_fd_specs (child_fds, n_child_fds, error);
  if (specs == NULL)
    return NULL;
  if (cwd != NULL && !g_file_test (cwd, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("Cannot run “%s” in “%s”: there is no such folder"),
                   argv[0], cwd);
      return NULL;
    }

  self = g_object_new (WEFT_TYPE_PROCESS_TRANSPORT, NULL);
  self->reactor = g_object_ref (reactor);
  self->protocol = g_object_ref (protocol);
  self->program = g_strdup (argv[0]);
  if (!spawn_child (self, specs, argv, envp, cwd, error))
    return NULL;
  if (!watch_exit (self, error) || !start_pipes (self, error))
    {
      abandon_child (self);
      return NULL;
    }

  g_debug ("Started child process %d (“%s”), exit watched through %s", self->pid, self->program,
           self->exit_fd_is_pidfd ? "a pidfd" : "a waiting thread");
  self->alive = TRUE;
  g_object_ref (self);
  weft_protocol_connection_made (WEFT_PROTOCOL (protocol), WEFT_TRANSPORT (self));
  return g_steal_pointer (&self);
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
      g_thread_unref (g_thread_new ("weft-child-reap", reaper_thread, GINT_TO_POINTER (self->pid)));
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
    r = pidfd_signal (transport->exit_fd, signum);
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

/* Enough standard error to explain a failure, without letting a chatty
 * child fill the memory. */
#define MAX_ERROR_OUTPUT (64 * 1024)

#define WEFT_TYPE_PROCESS_COLLECTOR (weft_process_collector_get_type ())
G_DECLARE_FINAL_TYPE (WeftProcessCollector, weft_process_collector, WEFT, PROCESS_COLLECTOR, WeftProcessProtocol)

struct _WeftProcessCollector {
  WeftProcessProtocol parent_instance;
  WeftDeferred *deferred; /* owned until fired */
  char *program;
  gboolean want_output; /* fire with standard output, else with the exit code */
  GByteArray *output;
  GString *error_output;
  gsize error_output_dropped;
};

G_DEFINE_FINAL_TYPE (WeftProcessCollector, weft_process_collector, WEFT_TYPE_PROCESS_PROTOCOL)

static void
weft_process_collector_child_data_received (WeftProcessProtocol *protocol, int child_fd, const guint8 *data, gsize len)
{
  WeftProcessCollector *self = WEFT_PROCESS_COLLECTOR (protocol);

  if (child_fd == 1)
    g_byte_array_append (self->output, data, len);
  else if (child_fd == 2)
    {
      gsize room = MAX_ERROR_OUTPUT - MIN (self->error_output->len, MAX_ERROR_OUTPUT);

      g_string_append_len (self->error_output, (const char *) data, MIN (len, room));
      self->error_output_dropped += len - MIN (len, room);
    }
}

static GError *
collector_error (WeftProcessCollector *self, const WeftProcessStatus *status)
{
  g_autoptr (GError) status_error = NULL;
  g_autofree char *description = weft_process_status_to_string (status);
  g_autofree char *error_text = NULL;

  weft_process_status_check (status, &status_error);
  if (!self->want_output)
    return g_error_new (WEFT_PROCESS_ERROR, status_error->code, _ ("“%s” %s"), self->program, description);
  error_text = g_utf8_make_valid (self->error_output->str, self->error_output->len);
  g_strstrip (error_text);
  if (*error_text == '\0')
    return g_error_new (WEFT_PROCESS_ERROR, status_error->code, _ ("“%s” %s and wrote nothing to standard error"),
                        self->program, description);
  if (self->error_output_dropped > 0)
    return g_error_new (WEFT_PROCESS_ERROR, status_error->code,
                        _ ("“%s” %s; its error output was: %s […%zu more bytes]"), self->program, description,
                        error_text, self->error_output_dropped);
  return g_error_new (WEFT_PROCESS_ERROR, status_error->code, _ ("“%s” %s; its error output was: %s"), self->program,
                      description, error_text);
}

static void
weft_process_collector_process_ended (WeftProcessProtocol *protocol, const WeftProcessStatus *status)
{
  WeftProcessCollector *self = WEFT_PROCESS_COLLECTOR (protocol);
  g_autoptr (WeftDeferred) deferred = g_steal_pointer (&self->deferred);

  /* Cancelled: the deferred has fired already. */
  if (deferred == NULL || weft_deferred_has_fired (deferred))
    return;
  if (self->want_output && weft_process_status_is_success (status))
    {
      g_autoptr (GBytes) output = g_byte_array_free_to_bytes (g_steal_pointer (&self->output));

      weft_deferred_callback_boxed (deferred, G_TYPE_BYTES, output);
    }
  else if (!self->want_output && weft_process_status_exited (status))
    weft_deferred_callback_int (deferred, weft_process_status_get_exit_code (status));
  else
    weft_deferred_errback (deferred, collector_error (self, status));
}

static void
weft_process_collector_finalize (GObject *object)
{
  WeftProcessCollector *self = WEFT_PROCESS_COLLECTOR (object);

  g_clear_object (&self->deferred);
  g_free (self->program);
  g_clear_pointer (&self->output, g_byte_array_unref);
  g_string_free (self->error_output, TRUE);

  G_OBJECT_CLASS (weft_process_collector_parent_class)->finalize (object);
}

static void
weft_process_collector_class_init (WeftProcessCollectorClass *klass)
{
  WeftProcessProtocolClass *process_class = WEFT_PROCESS_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = weft_process_collector_finalize;
  process_class->child_data_received = weft_process_collector_child_data_received;
  process_class->process_ended = weft_process_collector_process_ended;
}

static void
weft_process_collector_init (WeftProcessCollector *self)
{
  self->output = g_byte_array_new ();
  self->error_output = g_string_new (NULL);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Cancelling kills the child; the deferred fails with WEFT_ERROR_CANCELLED
 * at once, and the child is reaped when it is gone. */
static void
cancel_collector (WeftDeferred *deferred, gpointer user_data)
{
  g_autoptr (WeftProcessTransport) transport = g_weak_ref_get (user_data);

  if (transport != NULL && !weft_process_transport_has_exited (transport))
    weft_process_transport_signal_process (transport, SIGKILL, NULL);
}

static WeftDeferred *
collect_process (WeftReactor *reactor,
                 const char *const *argv,
                 const char *const *envp,
                 const char *cwd,
                 gboolean want_output)
{
  static const WeftChildFd output_fds[] = {
    { 0, WEFT_CHILD_FD_DEV_NULL, -1 },
    { 1, WEFT_CHILD_FD_FROM_CHILD, -1 },
    { 2, WEFT_CHILD_FD_FROM_CHILD, -1 },
  };
  static const WeftChildFd value_fds[] = {
    { 0, WEFT_CHILD_FD_DEV_NULL, -1 },
    { 1, WEFT_CHILD_FD_DEV_NULL, -1 },
    { 2, WEFT_CHILD_FD_DEV_NULL, -1 },
  };
  g_autoptr (WeftProcessCollector) collector = g_object_new (WEFT_TYPE_PROCESS_COLLECTOR, NULL);
  g_autoptr (WeftProcessTransport) transport = NULL;
  g_autoptr (GError) error = NULL;
  GWeakRef *transport_ref = g_new0 (GWeakRef, 1);
  WeftDeferred *deferred;
  g_autofree char *description = NULL;

  g_weak_ref_init (transport_ref, NULL);
  deferred = weft_deferred_new_with_canceller (cancel_collector, transport_ref, weak_ref_free);
  description =
      g_strdup_printf ("%s (“%s”)", want_output ? "weft_get_process_output" : "weft_get_process_value", argv[0]);
  weft_deferred_set_description (deferred, description);
  collector->deferred = g_object_ref (deferred);
  collector->program = g_strdup (argv[0]);
  collector->want_output = want_output;

  transport = weft_reactor_spawn_process (reactor, WEFT_PROCESS_PROTOCOL (collector), argv, envp, cwd,
                                          want_output ? output_fds : value_fds, 3, &error);
  if (transport == NULL)
    {
      g_clear_object (&collector->deferred);
      weft_deferred_errback (deferred, g_steal_pointer (&error));
      return deferred;
    }
  g_weak_ref_set (transport_ref, transport);
  return deferred;
}

/**
 * weft_get_process_output:
 * @reactor: the reactor that will watch the child
 * @argv: (array zero-terminated=1): the program and its arguments, as for
 *   weft_reactor_spawn_process()
 * @envp: (array zero-terminated=1) (nullable): the child's environment, or
 *   %NULL for this process' one
 * @cwd: (type filename) (nullable): the child's working directory, or
 *   %NULL for this process' one
 *
 * Runs a program and collects what it writes to standard output, Twisted's
 * `getProcessOutput`. Its standard input is `/dev/null`.
 *
 * The deferred fires with the whole output as a `GBytes` (read it with
 * `weft_result_get_boxed()`) once the program has exited with code 0. If
 * it exits with another code or is killed, the deferred fails with a
 * %WEFT_PROCESS_ERROR whose message says how it ended and what it wrote to
 * standard error (up to 64 KiB); if it cannot be started, with the error of
 * weft_reactor_spawn_process(). Cancelling the deferred kills the program.
 *
 * Returns: (transfer full): a deferred for the output
 */
WeftDeferred *
weft_get_process_output (WeftReactor *reactor, const char *const *argv, const char *const *envp, const char *cwd)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  return collect_process (reactor, argv, envp, cwd, TRUE);
}

/**
 * weft_get_process_value:
 * @reactor: the reactor that will watch the child
 * @argv: (array zero-terminated=1): the program and its arguments, as for
 *   weft_reactor_spawn_process()
 * @envp: (array zero-terminated=1) (nullable): the child's environment, or
 *   %NULL for this process' one
 * @cwd: (type filename) (nullable): the child's working directory, or
 *   %NULL for this process' one
 *
 * Runs a program for its exit code, Twisted's `getProcessValue`. Its
 * standard input, output and error are `/dev/null`.
 *
 * The deferred fires with the exit code as an `int`, whatever it is. If
 * the program is killed by a signal, it fails with
 * %WEFT_PROCESS_ERROR_KILLED; if it cannot be started, with the error of
 * weft_reactor_spawn_process(). Cancelling the deferred kills the program.
 *
 * Returns: (transfer full): a deferred for the exit code
 */
WeftDeferred *
weft_get_process_value (WeftReactor *reactor, const char *const *argv, const char *const *envp, const char *cwd)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  return collect_process (reactor, argv, envp, cwd, FALSE);
}
