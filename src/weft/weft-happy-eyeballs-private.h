/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>

#include "weft-deferred.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

/* Starts one connection attempt to @address. Returns a deferred that fires
 * with the connected WeftProtocol or an error, and that closes whatever it
 * opened when cancelled. */
typedef WeftDeferred *(*WeftAttemptFunc) (GSocketAddress *address, gpointer user_data);

void weft_happy_eyeballs_sort (GPtrArray *addresses);
WeftDeferred *weft_happy_eyeballs_connect (WeftReactor *reactor,
                                           const char *host,
                                           guint16 port,
                                           GPtrArray *addresses,
                                           gint64 attempt_delay_us,
                                           WeftAttemptFunc func,
                                           gpointer user_data,
                                           GDestroyNotify notify) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
