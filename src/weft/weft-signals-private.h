/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "weft-reactor.h"

G_BEGIN_DECLS

/* Signals reach a reactor through its wake-up eventfd: the handler only
 * marks the signal pending and writes the eventfd, both async-signal-safe;
 * the watch's callback then runs in the reactor's thread. */

int weft_reactor_get_wake_fd (WeftReactor *reactor);
void weft_signals_dispatch (WeftReactor *reactor);
void weft_signals_remove_all (WeftReactor *reactor);

G_END_DECLS
