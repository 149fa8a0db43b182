/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Collecting a child's output: weft_get_process_output() and
 * weft_get_process_value(). */

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
    weft_deferred_errback_take_error (deferred, collector_error (self, status));
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

/* Cancelling kills the child; the deferred fails with G_IO_ERROR_CANCELLED
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
      weft_deferred_errback_take_error (deferred, g_steal_pointer (&error));
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
