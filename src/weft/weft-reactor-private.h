/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "weft-reactor.h"

G_BEGIN_DECLS

typedef struct _WeftLifecycle WeftLifecycle;

WeftLifecycle *weft_reactor_get_lifecycle (WeftReactor *reactor);
/* The shutdown event has run its three phases: end weft_reactor_run(). */
void weft_reactor_finish_stop (WeftReactor *reactor);
/* TRUE when called from the thread running weft_reactor_run(). */
gboolean weft_reactor_runs_in_this_thread (WeftReactor *reactor);

/* Test clock: from now on, time is @now and moves only by advance. */
void weft_reactor_use_fake_clock (WeftReactor *reactor, gint64 now);
/* Moves the test clock forward and runs what became due. */
void weft_reactor_advance_fake_clock (WeftReactor *reactor, gint64 delta_us);

G_END_DECLS
