/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_TESTING_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft-testing.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

WEFT_AVAILABLE_IN_ALL
WeftReactor *weft_test_clock_new (void) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_test_clock_advance (WeftReactor *clock, gint64 delta_us);
WEFT_AVAILABLE_IN_ALL
void weft_test_clock_pump (WeftReactor *clock, const gint64 *deltas_us, gsize n_deltas);

WEFT_AVAILABLE_IN_ALL
void weft_test_janitor_begin (void);
WEFT_AVAILABLE_IN_ALL
gboolean weft_test_janitor_check (WeftReactor *reactor);

G_END_DECLS
