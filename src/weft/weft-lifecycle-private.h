/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "weft-reactor-private.h"

G_BEGIN_DECLS

WeftLifecycle *weft_lifecycle_new (WeftReactor *reactor);
void weft_lifecycle_free (WeftLifecycle *lifecycle);
/* Fires the startup event unless the reactor is running already. */
void weft_lifecycle_start (WeftLifecycle *lifecycle);
/* Fires the shutdown event (once) and calls weft_reactor_finish_stop() when
 * its phases are done; a forced stop skips waiting for triggers. */
void weft_lifecycle_stop (WeftLifecycle *lifecycle, gboolean force);
gboolean weft_lifecycle_has_started (WeftLifecycle *lifecycle);

G_END_DECLS
