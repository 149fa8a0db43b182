/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-deferred.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

#define WEFT_TYPE_LOOPING_CALL (weft_looping_call_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftLoopingCall, weft_looping_call, WEFT, LOOPING_CALL, GObject)

/**
 * WeftLoopingFunc:
 * @call: the looping call
 * @user_data: the data given to weft_looping_call_new()
 * @error: return location for a #GError that ends the loop as a failure
 *
 * One tick of a looping call.
 *
 * Returns: %TRUE to keep looping; %FALSE to stop — successfully if @error
 *   is unset, as a failure reported through the start deferred if it is set
 */
typedef gboolean (*WeftLoopingFunc) (WeftLoopingCall *call, gpointer user_data, GError **error);

WEFT_AVAILABLE_IN_ALL
WeftLoopingCall *weft_looping_call_new (WeftReactor *reactor,
                                        WeftLoopingFunc func,
                                        gpointer user_data,
                                        GDestroyNotify notify) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_looping_call_start (WeftLoopingCall *self, gint64 interval_us, gboolean now)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_looping_call_stop (WeftLoopingCall *self);
WEFT_AVAILABLE_IN_ALL
gboolean weft_looping_call_is_running (WeftLoopingCall *self);
WEFT_AVAILABLE_IN_ALL
void weft_looping_call_set_skip_missed (WeftLoopingCall *self, gboolean skip_missed);
WEFT_AVAILABLE_IN_ALL
gboolean weft_looping_call_get_skip_missed (WeftLoopingCall *self);
WEFT_AVAILABLE_IN_ALL
guint64 weft_looping_call_get_count (WeftLoopingCall *self);
WEFT_AVAILABLE_IN_ALL
guint64 weft_looping_call_get_missed (WeftLoopingCall *self);
WEFT_AVAILABLE_IN_ALL
gint64 weft_looping_call_get_interval (WeftLoopingCall *self);

G_END_DECLS
