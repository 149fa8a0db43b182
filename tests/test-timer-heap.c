/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib.h>

#include "weft-timer-heap-private.h"

/* Random pushes, removals and reschedules keep the heap ordered by
 * (deadline, seq), and every node's index matches its slot. */
static void
check_heap (WeftTimerHeap *heap)
{
  for (guint i = 0; i < heap->len; i++)
    {
      g_assert_cmpuint (heap->nodes[i]->index, ==, i);
      if (i > 0)
        {
          WeftTimerNode *parent = heap->nodes[(i - 1) / 2];
          WeftTimerNode *child = heap->nodes[i];

          g_assert_true (parent->deadline < child->deadline ||
                         (parent->deadline == child->deadline && parent->seq < child->seq));
        }
    }
}

static void
test_random_operations (void)
{
  enum {
    N = 2000
  };
  WeftTimerNode *nodes = g_new0 (WeftTimerNode, N);
  WeftTimerHeap heap;
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  gint64 last_deadline = G_MININT64;
  guint64 last_seq = 0;
  WeftTimerNode *top;

  weft_timer_heap_init (&heap);
  for (int i = 0; i < N; i++)
    {
      nodes[i].index = WEFT_TIMER_HEAP_NOT_QUEUED;
      weft_timer_heap_push (&heap, &nodes[i], g_rand_int_range (rand, 0, 100));
    }
  check_heap (&heap);

  for (int i = 0; i < N; i += 3)
    weft_timer_heap_remove (&heap, &nodes[i]);
  for (int i = 1; i < N; i += 3)
    weft_timer_heap_reschedule (&heap, &nodes[i], g_rand_int_range (rand, 0, 100));
  check_heap (&heap);
  g_assert_cmpuint (heap.len, ==, N - (N + 2) / 3);

  while ((top = weft_timer_heap_peek (&heap)) != NULL)
    {
      g_assert_true (top->deadline > last_deadline || (top->deadline == last_deadline && top->seq > last_seq));
      last_deadline = top->deadline;
      last_seq = top->seq;
      weft_timer_heap_remove (&heap, top);
      g_assert_false (weft_timer_node_is_queued (top));
    }

  weft_timer_heap_clear (&heap);
  g_free (nodes);
}

static void
test_fifo_for_equal_deadlines (void)
{
  WeftTimerNode nodes[64];
  WeftTimerHeap heap;

  weft_timer_heap_init (&heap);
  for (guint i = 0; i < G_N_ELEMENTS (nodes); i++)
    {
      nodes[i].index = WEFT_TIMER_HEAP_NOT_QUEUED;
      weft_timer_heap_push (&heap, &nodes[i], 1000);
    }
  for (guint i = 0; i < G_N_ELEMENTS (nodes); i++)
    {
      WeftTimerNode *top = weft_timer_heap_peek (&heap);

      g_assert_true (top == &nodes[i]);
      weft_timer_heap_remove (&heap, top);
    }
  weft_timer_heap_clear (&heap);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/timer-heap/random-operations", test_random_operations);
  g_test_add_func ("/timer-heap/fifo-equal-deadlines", test_fifo_for_equal_deadlines);
  return g_test_run ();
}
