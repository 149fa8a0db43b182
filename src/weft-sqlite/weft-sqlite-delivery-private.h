/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <weft/weft.h>

#include "weft-sqlite-queue-private.h"

G_BEGIN_DECLS

/* Finished jobs on their way to the reactor's thread. Workers push them
 * and ring the queue's doorbell, which the reactor watches, only when no
 * pass is already due, so a burst of results costs one wake-up and takes
 * no lock (weft_reactor_call_from_thread() would take the reactor's);
 * the reactor's thread fires their deferreds
 * for at most DELIVERY_BUDGET_US per pass and leaves the rest to a soon
 * call, so that hundreds of results landing at once do not hold up its
 * timers. Refcounted: the calls due hold it, not the pool.
 *
 * Items embed a WeftSqliteLink; the pool says at creation how one is
 * delivered (in the reactor's thread) and how the queue's reference to one
 * is dropped. */
typedef struct _WeftSqliteDelivery WeftSqliteDelivery;

/* Called with an item that was pushed. */
typedef void (*WeftSqliteDeliveryFunc) (WeftSqliteLink *link);

WeftSqliteDelivery *_weft_sqlite_delivery_new (WeftReactor *reactor,
                                               WeftSqliteDeliveryFunc deliver,
                                               WeftSqliteDeliveryFunc release,
                                               GError **error);
WeftSqliteDelivery *_weft_sqlite_delivery_ref (WeftSqliteDelivery *delivery);
void _weft_sqlite_delivery_unref (gpointer delivery);
void _weft_sqlite_delivery_push (WeftSqliteDelivery *delivery, WeftSqliteLink *link);
void _weft_sqlite_delivery_stop (WeftSqliteDelivery *delivery);
void _weft_sqlite_delivery_pass (WeftSqliteDelivery *delivery, gboolean bounded);
void _weft_sqlite_delivery_pass_bounded (gpointer delivery);

G_END_DECLS
