/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Runs a command as a child process and streams what it writes, as it
 * arrives, to this program's standard output and error; then exits with the
 * command's exit code.
 *
 *   weft-run --reactor=poll -- ls -l /
 *   weft-run --timeout=2 -- sleep 10
 *
 * Ctrl-C is passed on to the child instead of stopping the reactor. */

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <weft/weft.h>

#define RUNNER_TYPE (runner_get_type ())
G_DECLARE_FINAL_TYPE (Runner, runner, RUNNER, PROTOCOL, WeftProcessProtocol)

struct _Runner {
  WeftProcessProtocol parent_instance;
  WeftReactor *reactor;
  int exit_code;
};

G_DEFINE_FINAL_TYPE (Runner, runner, WEFT_TYPE_PROCESS_PROTOCOL)

static void
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return;
      data += n;
      len -= n;
    }
}

static void
runner_child_data_received (WeftProcessProtocol *protocol, int child_fd, const guint8 *data, gsize len)
{
  write_all (child_fd == 2 ? STDERR_FILENO : STDOUT_FILENO, data, len);
}

static void
runner_process_ended (WeftProcessProtocol *protocol, const WeftProcessStatus *status)
{
  Runner *self = RUNNER_PROTOCOL (protocol);
  g_autofree char *description = weft_process_status_to_string (status);

  if (!weft_process_status_is_success (status))
    g_printerr (_ ("weft-run: the command %s\n"), description);
  if (weft_process_status_exited (status))
    self->exit_code = weft_process_status_get_exit_code (status);
  else if (weft_process_status_was_killed (status))
    self->exit_code = 128 + weft_process_status_get_signal (status);
  else
    self->exit_code = 1;
  weft_reactor_stop (self->reactor);
}

static void
runner_class_init (RunnerClass *klass)
{
  WeftProcessProtocolClass *process_class = WEFT_PROCESS_PROTOCOL_CLASS (klass);

  process_class->child_data_received = runner_child_data_received;
  process_class->process_ended = runner_process_ended;
}

static void
runner_init (Runner *self)
{
}

static void
forward_signal (int signum, gpointer user_data)
{
  /* The child may already be gone; then there is nothing to tell. */
  weft_process_transport_signal_process (user_data, signum, NULL);
}

static void
time_out (gpointer user_data)
{
  g_printerr (_ ("weft-run: time is up, sending SIGTERM\n"));
  weft_process_transport_signal_process (user_data, SIGTERM, NULL);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) options = NULL;
  GOptionGroup *weft_group;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  g_autoptr (Runner) runner = NULL;
  g_autoptr (WeftProcessTransport) process = NULL;
  g_auto (GStrv) command = NULL;
  gboolean pass_stdin = FALSE;
  double timeout = 0;
  WeftSignalWatch *sigint = NULL;
  WeftSignalWatch *sigterm = NULL;
  const GOptionEntry entries[] = {
    { "stdin", 0, 0, G_OPTION_ARG_NONE, &pass_stdin, N_ ("Give the command this program's standard input"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &timeout, N_ ("Send SIGTERM to the command after SECONDS"),
      N_ ("SECONDS") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &command, NULL, NULL },
    { NULL },
  };
  WeftChildFd fds[] = {
    { 0, WEFT_CHILD_FD_DEV_NULL, -1 },
    { 1, WEFT_CHILD_FD_FROM_CHILD, -1 },
    { 2, WEFT_CHILD_FD_FROM_CHILD, -1 },
  };
  WeftDelayedCall *timer = NULL;

  setlocale (LC_ALL, "");
  /* The examples share the library's catalog; weft_get_option_group()
   * binds it to its directory, so it comes before the first _(). */
  textdomain (GETTEXT_PACKAGE);
  weft_group = weft_get_option_group ();
  options = g_option_context_new (_ ("-- COMMAND [ARGUMENT…] — run a command, stream its output"));
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (options, weft_group);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (command == NULL || command[0] == NULL)
    {
      g_printerr (_ ("weft-run: no command given; try: weft-run -- ls -l\n"));
      return 2;
    }
  if (!(timeout >= 0 && timeout <= G_MAXINT64 / WEFT_USEC_PER_SEC)) /* also refuses NaN */
    {
      g_printerr (_ ("weft-run: --timeout must be a number of seconds, 0 (no timeout) or more; got %g\n"), timeout);
      return 2;
    }

  reactor = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NONE, &error);
  if (reactor == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (pass_stdin)
    {
      fds[0].kind = WEFT_CHILD_FD_PARENT_FD;
      fds[0].parent_fd = STDIN_FILENO;
    }

  runner = g_object_new (RUNNER_TYPE, NULL);
  runner->reactor = reactor;
  process = weft_reactor_spawn_process (reactor, WEFT_PROCESS_PROTOCOL (runner), (const char *const *) command, NULL,
                                        NULL, fds, G_N_ELEMENTS (fds), &error);
  if (process == NULL)
    {
      g_printerr ("weft-run: %s\n", error->message);
      return 127;
    }
  g_printerr (_ ("weft-run: started process %d on the %s reactor\n"), weft_process_transport_get_pid (process),
              weft_reactor_get_backend_name (reactor));

  sigint = weft_reactor_add_signal_watch (reactor, SIGINT, forward_signal, process, NULL, NULL);
  sigterm = weft_reactor_add_signal_watch (reactor, SIGTERM, forward_signal, process, NULL, NULL);
  if (timeout > 0)
    timer = weft_delayed_call_ref (weft_reactor_call_later (reactor, (gint64) (timeout * WEFT_USEC_PER_SEC), time_out,
                                                            process, NULL));

  weft_reactor_run (reactor);

  if (timer != NULL)
    weft_delayed_call_cancel (timer);
  g_clear_pointer (&timer, weft_delayed_call_unref);
  g_clear_pointer (&sigint, weft_signal_watch_remove);
  g_clear_pointer (&sigterm, weft_signal_watch_remove);
  return runner->exit_code;
}
