/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A binary min-heap of nodes ordered by (deadline, seq): equal deadlines
 * keep FIFO order because seq only grows. Each node knows its index, so
 * removal and rescheduling are O(log n). Nodes are embedded in their owner. */

#define WEFT_TIMER_HEAP_NOT_QUEUED G_MAXUINT

typedef struct {
  gint64 deadline;
  guint64 seq;
  guint index;
} WeftTimerNode;

typedef struct {
  WeftTimerNode **nodes;
  guint len;
  guint alloc;
  guint64 next_seq;
} WeftTimerHeap;

void weft_timer_heap_init (WeftTimerHeap *heap);
void weft_timer_heap_clear (WeftTimerHeap *heap);
void weft_timer_heap_push (WeftTimerHeap *heap, WeftTimerNode *node, gint64 deadline);
void weft_timer_heap_remove (WeftTimerHeap *heap, WeftTimerNode *node);
void weft_timer_heap_reschedule (WeftTimerHeap *heap, WeftTimerNode *node, gint64 deadline);
WeftTimerNode *weft_timer_heap_peek (const WeftTimerHeap *heap);

static inline gboolean
weft_timer_node_is_queued (const WeftTimerNode *node)
{
  return node->index != WEFT_TIMER_HEAP_NOT_QUEUED;
}

G_END_DECLS
