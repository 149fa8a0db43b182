/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-deferred.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

/**
 * WeftThreadFunc:
 * @result: (not nullable): where to put the outcome: a value, or an error
 * @user_data: the data given with the function
 *
 * Work run in a worker thread by weft_reactor_defer_to_thread(). It must not
 * touch the reactor except through weft_reactor_call_from_thread() and
 * weft_reactor_blocking_call_from_thread().
 */
typedef void (*WeftThreadFunc) (WeftResult *result, gpointer user_data);

WEFT_AVAILABLE_IN_ALL
void weft_reactor_call_in_thread (WeftReactor *reactor, WeftCallback func, gpointer user_data, GDestroyNotify notify);
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_reactor_defer_to_thread (WeftReactor *reactor,
                                            WeftThreadFunc func,
                                            gpointer user_data,
                                            GDestroyNotify notify) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
gboolean weft_reactor_blocking_call_from_thread (WeftReactor *reactor,
                                                 WeftDeferredFunc func,
                                                 gpointer user_data,
                                                 WeftResult *result);
WEFT_AVAILABLE_IN_ALL
void weft_reactor_set_thread_pool_size (WeftReactor *reactor, guint max_threads);
WEFT_AVAILABLE_IN_ALL
guint weft_reactor_get_thread_pool_size (WeftReactor *reactor);

G_END_DECLS
