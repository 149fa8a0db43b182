/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A queue between threads without a lock: any number of producers, one
 * consumer at a time. A thread that holds a lock can lose its CPU at any
 * moment, on a busy machine for milliseconds, and every thread that wants
 * the lock then waits as long; here a producer never waits for the
 * consumer, nor the consumer for a producer.
 *
 * Items embed a WeftSqliteLink. Producers push on an atomic stack; the
 * consumer takes the whole stack at once and keeps it, in push order, for
 * itself. A push tells its caller when the consumer is idle and must be
 * woken: by ringing its doorbell, an eventfd that a worker thread blocks
 * on and the reactor watches, or however else the consumer is woken. */
typedef struct _WeftSqliteLink WeftSqliteLink;

struct _WeftSqliteLink {
  WeftSqliteLink *next;
};

typedef struct {
  WeftSqliteLink *incoming; /* atomic: pushed items, newest first */
  gint idle;                /* atomic: the consumer waits to be woken */
  int doorbell;             /* eventfd, or -1 */
  /* The consumer's: taken from incoming, oldest first. */
  WeftSqliteLink *head;
} WeftSqliteQueue;

gboolean _weft_sqlite_queue_init (WeftSqliteQueue *queue, gboolean doorbell, GError **error);
void _weft_sqlite_queue_clear (WeftSqliteQueue *queue);
gboolean _weft_sqlite_queue_push (WeftSqliteQueue *queue, WeftSqliteLink *link);
void _weft_sqlite_queue_ring (WeftSqliteQueue *queue);
void _weft_sqlite_queue_drain_doorbell (WeftSqliteQueue *queue);
void _weft_sqlite_queue_close_doorbell (WeftSqliteQueue *queue);
WeftSqliteLink *_weft_sqlite_queue_try_pop (WeftSqliteQueue *queue);
gboolean _weft_sqlite_queue_prepare_wait (WeftSqliteQueue *queue);
WeftSqliteLink *_weft_sqlite_queue_pop (WeftSqliteQueue *queue);

G_END_DECLS
