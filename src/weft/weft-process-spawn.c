/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Spawning a child with posix_spawn() and its pipes. */

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

extern char **environ;
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
  if (!weft_process_watch_exit (self, error) || !weft_process_start_pipes (self, error))
    {
      weft_process_abandon_child (self);
      return NULL;
    }

  g_debug ("Started child process %d (“%s”), exit watched through %s", self->pid, self->program,
           self->exit_fd_is_pidfd ? "a pidfd" : "a waiting thread");
  self->alive = TRUE;
  g_object_ref (self);
  weft_protocol_connection_made (WEFT_PROTOCOL (protocol), WEFT_TRANSPORT (self));
  return g_steal_pointer (&self);
}
