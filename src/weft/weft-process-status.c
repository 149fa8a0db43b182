/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "weft-process-private.h"
#include "weft-process-status.h"

/**
 * weft_process_error_quark:
 *
 * Returns: the quark of the %WEFT_PROCESS_ERROR domain
 */
GQuark
weft_process_error_quark (void)
{
  return g_quark_from_static_string ("weft-process-error-quark");
}

struct _WeftProcessStatus {
  int wait_status;
  gboolean known;
};

G_DEFINE_BOXED_TYPE (WeftProcessStatus, weft_process_status, weft_process_status_copy, weft_process_status_free)

/**
 * weft_process_status_new:
 * @wait_status: a status as `waitpid()` reports it
 *
 * Wraps a raw wait status, for code that reaped a child itself or for
 * tests.
 *
 * Returns: (transfer full): a new status
 */
WeftProcessStatus *
weft_process_status_new (int wait_status)
{
  WeftProcessStatus *status = g_new0 (WeftProcessStatus, 1);

  status->wait_status = wait_status;
  status->known = TRUE;
  return status;
}

/* For a child that someone else reaped: it has ended, but how is lost. */
WeftProcessStatus *
weft_process_status_new_unknown (void)
{
  return g_new0 (WeftProcessStatus, 1);
}

/**
 * weft_process_status_copy:
 * @status: a status
 *
 * Returns: (transfer full): a copy of @status
 */
WeftProcessStatus *
weft_process_status_copy (const WeftProcessStatus *status)
{
  g_return_val_if_fail (status != NULL, NULL);

  return g_memdup2 (status, sizeof *status);
}

/**
 * weft_process_status_free:
 * @status: (transfer full) (nullable): a status
 *
 * Frees @status.
 */
void
weft_process_status_free (WeftProcessStatus *status)
{
  g_free (status);
}

/**
 * weft_process_status_is_success:
 * @status: a status
 *
 * Returns: %TRUE if the process exited with code 0
 */
gboolean
weft_process_status_is_success (const WeftProcessStatus *status)
{
  g_return_val_if_fail (status != NULL, FALSE);

  return status->known && WIFEXITED (status->wait_status) && WEXITSTATUS (status->wait_status) == 0;
}

/**
 * weft_process_status_exited:
 * @status: a status
 *
 * Returns: %TRUE if the process ended by calling `exit()` (or returning
 *   from `main()`), whatever its code; %FALSE if a signal killed it
 */
gboolean
weft_process_status_exited (const WeftProcessStatus *status)
{
  g_return_val_if_fail (status != NULL, FALSE);

  return status->known && WIFEXITED (status->wait_status);
}

/**
 * weft_process_status_get_exit_code:
 * @status: a status
 *
 * Returns: the exit code (0 to 255), or -1 if the process did not exit
 *   normally (see weft_process_status_was_killed())
 */
int
weft_process_status_get_exit_code (const WeftProcessStatus *status)
{
  g_return_val_if_fail (status != NULL, -1);

  return weft_process_status_exited (status) ? WEXITSTATUS (status->wait_status) : -1;
}

/**
 * weft_process_status_was_killed:
 * @status: a status
 *
 * Returns: %TRUE if a signal ended the process
 */
gboolean
weft_process_status_was_killed (const WeftProcessStatus *status)
{
  g_return_val_if_fail (status != NULL, FALSE);

  return status->known && WIFSIGNALED (status->wait_status);
}

/**
 * weft_process_status_get_signal:
 * @status: a status
 *
 * Returns: the number of the signal that killed the process, such as
 *   `SIGTERM`, or 0 if it exited
 */
int
weft_process_status_get_signal (const WeftProcessStatus *status)
{
  g_return_val_if_fail (status != NULL, 0);

  return weft_process_status_was_killed (status) ? WTERMSIG (status->wait_status) : 0;
}

/**
 * weft_process_status_core_dumped:
 * @status: a status
 *
 * Returns: %TRUE if the process was killed by a signal and left a core dump
 */
gboolean
weft_process_status_core_dumped (const WeftProcessStatus *status)
{
  g_return_val_if_fail (status != NULL, FALSE);

  return weft_process_status_was_killed (status) && WCOREDUMP (status->wait_status);
}

/**
 * weft_process_status_is_known:
 * @status: a status
 *
 * A child reaped by someone else in the program (a `waitpid (-1, ...)`
 * that is not Weft's) has ended, but its status is lost: then neither
 * weft_process_status_exited() nor weft_process_status_was_killed() is
 * %TRUE.
 *
 * Returns: %TRUE if the exit code or signal is known
 */
gboolean
weft_process_status_is_known (const WeftProcessStatus *status)
{
  g_return_val_if_fail (status != NULL, FALSE);

  return status->known;
}

/**
 * weft_process_status_get_wait_status:
 * @status: a status
 *
 * The raw status, for `WIFEXITED()` and friends or for
 * g_spawn_check_wait_status().
 *
 * Returns: the status as `waitpid()` would have reported it; 0 if unknown
 */
int
weft_process_status_get_wait_status (const WeftProcessStatus *status)
{
  g_return_val_if_fail (status != NULL, 0);

  return status->wait_status;
}

/* "SIGTERM", or "" for a number the C library does not know. */
static const char *
signal_abbreviation (int signum)
{
  const char *abbreviation = sigabbrev_np (signum);

  return abbreviation != NULL ? abbreviation : "";
}

/**
 * weft_process_status_to_string:
 * @status: a status
 *
 * Describes @status in words, as the end of a sentence whose subject is
 * the process: "exited with code 3", "was killed by signal 15 (SIGTERM)",
 * "was killed by signal 11 (SIGSEGV) and dumped core".
 *
 * Returns: (transfer full): the description
 */
char *
weft_process_status_to_string (const WeftProcessStatus *status)
{
  int signum;

  g_return_val_if_fail (status != NULL, NULL);

  if (!status->known)
    return g_strdup (_ ("ended, but its exit status was collected elsewhere in the program"));
  if (WIFEXITED (status->wait_status))
    return g_strdup_printf (_ ("exited with code %d"), WEXITSTATUS (status->wait_status));

  signum = weft_process_status_get_signal (status);
  if (*signal_abbreviation (signum) == '\0')
    return g_strdup_printf (WCOREDUMP (status->wait_status) ? _ ("was killed by signal %d and dumped core")
                                                            : _ ("was killed by signal %d"),
                            signum);
  return g_strdup_printf (WCOREDUMP (status->wait_status) ? _ ("was killed by signal %d (SIG%s) and dumped core")
                                                          : _ ("was killed by signal %d (SIG%s)"),
                          signum, signal_abbreviation (signum));
}

/**
 * weft_process_status_check:
 * @status: a status
 * @error: return location for a #GError
 *
 * Turns a failure into an error: %WEFT_PROCESS_ERROR_EXITED for a non-zero
 * exit code, %WEFT_PROCESS_ERROR_KILLED for a signal,
 * %WEFT_PROCESS_ERROR_STATUS_UNKNOWN for a status that was lost, each with
 * a message that says what happened.
 *
 * Returns: %TRUE if the process exited with code 0
 */
gboolean
weft_process_status_check (const WeftProcessStatus *status, GError **error)
{
  g_autofree char *description = NULL;
  WeftProcessError code;

  g_return_val_if_fail (status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (weft_process_status_is_success (status))
    return TRUE;

  if (!status->known)
    code = WEFT_PROCESS_ERROR_STATUS_UNKNOWN;
  else if (WIFEXITED (status->wait_status))
    code = WEFT_PROCESS_ERROR_EXITED;
  else
    code = WEFT_PROCESS_ERROR_KILLED;
  description = weft_process_status_to_string (status);
  g_set_error (error, WEFT_PROCESS_ERROR, code, _ ("The child process %s."), description);
  return FALSE;
}
