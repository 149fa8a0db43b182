/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "weft-reactor-private.h"

G_BEGIN_DECLS

typedef struct _WeftThreadPool WeftThreadPool;

/* The reactor's slot for its pool (created on first use). */
WeftThreadPool **weft_reactor_get_thread_pool_slot (WeftReactor *reactor);
/* At finalization: finish queued work and join every worker. */
void weft_thread_pool_free (WeftThreadPool *pool);

G_END_DECLS
