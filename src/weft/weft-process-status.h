/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <glib-object.h>
#include "weft-version.h"

G_BEGIN_DECLS

/**
 * WEFT_PROCESS_ERROR:
 *
 * The error domain of child processes that failed or cannot be reached:
 * see [enum@Weft.ProcessError].
 */
#define WEFT_PROCESS_ERROR (weft_process_error_quark ())

/**
 * WeftProcessError:
 * @WEFT_PROCESS_ERROR_EXITED: the process exited with a non-zero code
 * @WEFT_PROCESS_ERROR_KILLED: the process was killed by a signal
 * @WEFT_PROCESS_ERROR_STATUS_UNKNOWN: the process ended, but its exit
 *   status was collected by someone else (a `waitpid (-1, ...)` elsewhere
 *   in the program)
 * @WEFT_PROCESS_ERROR_ALREADY_EXITED: the process has already exited, so
 *   it cannot be signalled
 *
 * Error codes in the %WEFT_PROCESS_ERROR domain. Failing to start a process
 * is reported in `G_IO_ERROR` instead (%G_IO_ERROR_NOT_FOUND for a program
 * that does not exist).
 */
typedef enum {
  WEFT_PROCESS_ERROR_EXITED,
  WEFT_PROCESS_ERROR_KILLED,
  WEFT_PROCESS_ERROR_STATUS_UNKNOWN,
  WEFT_PROCESS_ERROR_ALREADY_EXITED,
} WeftProcessError;

WEFT_AVAILABLE_IN_ALL
GType weft_process_error_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_PROCESS_ERROR_ENUM (weft_process_error_get_type ())

WEFT_AVAILABLE_IN_ALL
GQuark weft_process_error_quark (void);

/**
 * WeftProcessStatus:
 *
 * How a child process ended: the exit code it passed to `exit()`, or the
 * signal that killed it. Immutable; a callback that receives one may keep
 * it with weft_process_status_copy().
 */
typedef struct _WeftProcessStatus WeftProcessStatus;

#define WEFT_TYPE_PROCESS_STATUS (weft_process_status_get_type ())

WEFT_AVAILABLE_IN_ALL
GType weft_process_status_get_type (void) G_GNUC_CONST;
WEFT_AVAILABLE_IN_ALL
WeftProcessStatus *weft_process_status_new (int wait_status) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftProcessStatus *weft_process_status_copy (const WeftProcessStatus *status) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_process_status_free (WeftProcessStatus *status);

WEFT_AVAILABLE_IN_ALL
gboolean weft_process_status_is_success (const WeftProcessStatus *status);
WEFT_AVAILABLE_IN_ALL
gboolean weft_process_status_exited (const WeftProcessStatus *status);
WEFT_AVAILABLE_IN_ALL
int weft_process_status_get_exit_code (const WeftProcessStatus *status);
WEFT_AVAILABLE_IN_ALL
gboolean weft_process_status_was_killed (const WeftProcessStatus *status);
WEFT_AVAILABLE_IN_ALL
int weft_process_status_get_signal (const WeftProcessStatus *status);
WEFT_AVAILABLE_IN_ALL
gboolean weft_process_status_core_dumped (const WeftProcessStatus *status);
WEFT_AVAILABLE_IN_ALL
gboolean weft_process_status_is_known (const WeftProcessStatus *status);
WEFT_AVAILABLE_IN_ALL
int weft_process_status_get_wait_status (const WeftProcessStatus *status);
WEFT_AVAILABLE_IN_ALL
char *weft_process_status_to_string (const WeftProcessStatus *status) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
gboolean weft_process_status_check (const WeftProcessStatus *status, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftProcessStatus, weft_process_status_free)

G_END_DECLS
