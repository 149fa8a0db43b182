/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "weft-timer-heap-private.h"

static inline gboolean
node_before (const WeftTimerNode *a, const WeftTimerNode *b)
{
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static inline void
place (WeftTimerHeap *heap, guint index, WeftTimerNode *node)
{
  heap->nodes[index] = node;
  node->index = index;
}

static void
sift_up (WeftTimerHeap *heap, guint index)
{
  WeftTimerNode *node = heap->nodes[index];

  while (index > 0)
    {
      guint parent = (index - 1) / 2;

      if (!node_before (node, heap->nodes[parent]))
        break;
      place (heap, index, heap->nodes[parent]);
      index = parent;
    }
  place (heap, index, node);
}

static void
sift_down (WeftTimerHeap *heap, guint index)
{
  WeftTimerNode *node = heap->nodes[index];

  for (;;)
    {
      guint child = 2 * index + 1;

      if (child >= heap->len)
        break;
      if (child + 1 < heap->len && node_before (heap->nodes[child + 1], heap->nodes[child]))
        child++;
      if (!node_before (heap->nodes[child], node))
        break;
      place (heap, index, heap->nodes[child]);
      index = child;
    }
  place (heap, index, node);
}

void
weft_timer_heap_init (WeftTimerHeap *heap)
{
  heap->nodes = NULL;
  heap->len = 0;
  heap->alloc = 0;
  heap->next_seq = 0;
}

void
weft_timer_heap_clear (WeftTimerHeap *heap)
{
  for (guint i = 0; i < heap->len; i++)
    heap->nodes[i]->index = WEFT_TIMER_HEAP_NOT_QUEUED;
  g_clear_pointer (&heap->nodes, g_free);
  heap->len = 0;
  heap->alloc = 0;
}

void
weft_timer_heap_push (WeftTimerHeap *heap, WeftTimerNode *node, gint64 deadline)
{
  g_assert (!weft_timer_node_is_queued (node));

  if (heap->len == heap->alloc)
    {
      heap->alloc = MAX (16, heap->alloc * 2);
      heap->nodes = g_renew (WeftTimerNode *, heap->nodes, heap->alloc);
    }
  node->deadline = deadline;
  node->seq = heap->next_seq++;
  place (heap, heap->len++, node);
  sift_up (heap, node->index);
}

void
weft_timer_heap_remove (WeftTimerHeap *heap, WeftTimerNode *node)
{
  guint index = node->index;
  WeftTimerNode *last;

  g_assert (index < heap->len && heap->nodes[index] == node);

  node->index = WEFT_TIMER_HEAP_NOT_QUEUED;
  last = heap->nodes[--heap->len];
  if (last == node)
    return;

  place (heap, index, last);
  if (index > 0 && node_before (last, heap->nodes[(index - 1) / 2]))
    sift_up (heap, index);
  else
    sift_down (heap, index);
}

/* A rescheduled node goes behind nodes already due at the same deadline. */
void
weft_timer_heap_reschedule (WeftTimerHeap *heap, WeftTimerNode *node, gint64 deadline)
{
  weft_timer_heap_remove (heap, node);
  weft_timer_heap_push (heap, node, deadline);
}

WeftTimerNode *
weft_timer_heap_peek (const WeftTimerHeap *heap)
{
  return heap->len > 0 ? heap->nodes[0] : NULL;
}
