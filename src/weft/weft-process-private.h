/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "weft-process-status.h"

G_BEGIN_DECLS

/* A child that someone else reaped: it has ended, but how is lost. */
WeftProcessStatus *weft_process_status_new_unknown (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
