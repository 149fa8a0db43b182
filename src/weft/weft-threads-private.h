/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "weft-reactor-private.h"

G_BEGIN_DECLS

typedef struct _WeftThreadPool WeftThreadPool;

/* The pool lives in the reactor's extension slot (created on first use). */
/* At finalization: finish queued work and join every worker. */
void weft_thread_pool_free (WeftThreadPool *pool);

G_END_DECLS
