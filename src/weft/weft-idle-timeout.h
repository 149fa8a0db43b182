/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-protocol.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

#define WEFT_TYPE_IDLE_TIMEOUT (weft_idle_timeout_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftIdleTimeout, weft_idle_timeout, WEFT, IDLE_TIMEOUT, GObject)

WEFT_AVAILABLE_IN_ALL
WeftIdleTimeout *weft_idle_timeout_new (WeftReactor *reactor, WeftProtocol *protocol, gint64 timeout_us)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_idle_timeout_reset (WeftIdleTimeout *self);
WEFT_AVAILABLE_IN_ALL
void weft_idle_timeout_set_timeout (WeftIdleTimeout *self, gint64 timeout_us);
WEFT_AVAILABLE_IN_ALL
gint64 weft_idle_timeout_get_timeout (WeftIdleTimeout *self);
WEFT_AVAILABLE_IN_ALL
void weft_idle_timeout_cancel (WeftIdleTimeout *self);

G_END_DECLS
