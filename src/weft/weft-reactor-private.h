/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "weft-reactor.h"

G_BEGIN_DECLS

/* What a layer above the core (system event triggers, weft-lifecycle.c)
 * hooks into a reactor's run: @start when the reactor starts running (or,
 * on the glib backend, at its first iteration), @stop when a stop is asked
 * for; the hook calls weft_reactor_finish_stop() once it is done (at once,
 * or after its shutdown work). Without hooks, a stop finishes at once. */
typedef struct {
  void (*start) (gpointer data);
  void (*stop) (gpointer data, gboolean force);
} WeftReactorRunHooks;

void weft_reactor_set_run_hooks (WeftReactor *reactor,
                                 const WeftReactorRunHooks *hooks,
                                 gpointer data,
                                 GDestroyNotify free_data);
gpointer weft_reactor_get_run_hooks_data (WeftReactor *reactor);
gboolean weft_reactor_has_started (WeftReactor *reactor);
gboolean weft_reactor_is_live (WeftReactor *reactor);

void weft_reactor_set_default_backend_name (const char *name);

/* One pointer that a layer above the core keeps per reactor (the thread
 * pool of weft-threads.c), and what frees it: the reactor calls that first
 * when it is finalized, while its thread-call queue still works. */
gpointer *weft_reactor_get_extension_slot (WeftReactor *reactor);
void weft_reactor_set_extension_free_func (WeftReactor *reactor, GDestroyNotify free_func);
/* The shutdown event has run its three phases: end weft_reactor_run(). */
void weft_reactor_finish_stop (WeftReactor *reactor);
/* TRUE when called from the thread running weft_reactor_run(). */
gboolean weft_reactor_runs_in_this_thread (WeftReactor *reactor);

/* Test clock: from now on, time is @now and moves only by advance. */
/* A time source: what the reactor reads instead of g_get_monotonic_time().
 * The test kit owns one (weft-test-clock.c); @notify frees @data with the
 * reactor. */
typedef gint64 (*WeftTimeSourceFunc) (gpointer data);

void weft_reactor_set_time_source (WeftReactor *reactor, WeftTimeSourceFunc func, gpointer data, GDestroyNotify notify);

G_END_DECLS
