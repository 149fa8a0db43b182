/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pool's lock-free queue: several producers, one consumer, nothing
 * lost, each producer's items in the order it pushed them, and no wake-up
 * missed (a missed one leaves the consumer blocked, and the test times
 * out). No reactor: this is the queue alone. */

#include <glib.h>

#include "weft-sqlite-queue-private.h"

#define N_PRODUCERS 4
#define N_ITEMS 20000

typedef struct {
  WeftSqliteLink link;
  guint producer;
  guint seq;
} Item;

typedef struct {
  WeftSqliteQueue *queue;
  guint producer;
  GAsyncQueue *bells; /* without a doorbell: the wake-ups, for the consumer */
} Producer;

static gpointer
produce (gpointer data)
{
  Producer *p = data;

  for (guint i = 0; i < N_ITEMS; i++)
    {
      Item *item = g_new0 (Item, 1);

      item->producer = p->producer;
      item->seq = i;
      if (_weft_sqlite_queue_push (p->queue, &item->link))
        {
          if (p->bells != NULL)
            g_async_queue_push (p->bells, GUINT_TO_POINTER (1));
          else
            _weft_sqlite_queue_ring (p->queue);
        }
      /* Now and then let the consumer catch up and go idle. */
      if (i % 1000 == 0)
        g_usleep (200);
    }
  return NULL;
}

static void
check_item (Item *item, guint *next)
{
  g_assert_cmpuint (item->producer, <, N_PRODUCERS);
  g_assert_cmpuint (item->seq, ==, next[item->producer]);
  next[item->producer]++;
  g_free (item);
}

static void
run (gboolean doorbell)
{
  WeftSqliteQueue queue;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncQueue) bells = doorbell ? NULL : g_async_queue_new ();
  Producer producers[N_PRODUCERS];
  GThread *threads[N_PRODUCERS];
  guint next[N_PRODUCERS] = { 0 };
  guint received = 0;
  guint waits = 0;

  g_assert_true (_weft_sqlite_queue_init (&queue, doorbell, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < N_PRODUCERS; i++)
    {
      producers[i] = (Producer){ &queue, i, bells };
      threads[i] = g_thread_new ("producer", produce, &producers[i]);
    }
  while (received < N_PRODUCERS * N_ITEMS)
    {
      WeftSqliteLink *link;

      if (doorbell)
        link = _weft_sqlite_queue_pop (&queue);
      else
        {
          /* As the reactor's thread takes results: all there is, then wait
           * for the wake-up a push promised. */
          link = _weft_sqlite_queue_try_pop (&queue);
          if (link == NULL)
            {
              if (_weft_sqlite_queue_prepare_wait (&queue))
                {
                  g_async_queue_pop (bells);
                  waits++;
                }
              continue;
            }
        }
      check_item ((Item *) link, next);
      received++;
    }
  for (guint i = 0; i < N_PRODUCERS; i++)
    g_thread_join (threads[i]);
  g_assert_null (_weft_sqlite_queue_try_pop (&queue));
  for (guint i = 0; i < N_PRODUCERS; i++)
    g_assert_cmpuint (next[i], ==, N_ITEMS);
  if (!doorbell)
    {
      /* Every wake-up promised was waited for, or is still pending. */
      g_assert_cmpuint (waits + g_async_queue_length (bells), >=, 1);
    }
  _weft_sqlite_queue_clear (&queue);
}

/* One item at a time, each pushed as the consumer goes idle after the
 * last: the pushes race the consumer's going to sleep, and a wake-up lost
 * there leaves the next item unacknowledged. */
typedef struct {
  WeftSqliteQueue queue;
  guint acked; /* atomic: items taken */
} PingPong;

static gpointer
pong (gpointer data)
{
  PingPong *pp = data;

  for (;;)
    {
      Item *item = (Item *) _weft_sqlite_queue_pop (&pp->queue);
      gboolean last = item->producer == G_MAXUINT;

      g_atomic_int_set (&pp->acked, item->seq + 1);
      g_free (item);
      if (last)
        return NULL;
    }
}

static void
test_ping_pong (void)
{
  PingPong pp;
  g_autoptr (GError) error = NULL;
  GThread *thread;
  gint64 deadline;

  g_assert_true (_weft_sqlite_queue_init (&pp.queue, TRUE, &error));
  pp.acked = 0;
  thread = g_thread_new ("pong", pong, &pp);
  for (guint i = 0; i < N_ITEMS; i++)
    {
      Item *item = g_new0 (Item, 1);

      item->seq = i;
      item->producer = i + 1 == N_ITEMS ? G_MAXUINT : 0;
      if (_weft_sqlite_queue_push (&pp.queue, &item->link))
        _weft_sqlite_queue_ring (&pp.queue);
      /* Spinning, so that the next push comes as the consumer goes idle;
       * bounded: a lost wake-up fails here rather than hanging. */
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while ((guint) g_atomic_int_get (&pp.acked) != i + 1)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_thread_yield ();
        }
    }
  g_thread_join (thread);
  _weft_sqlite_queue_clear (&pp.queue);
}

static void
test_doorbell (void)
{
  run (TRUE);
}

static void
test_woken_by_caller (void)
{
  run (FALSE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sqlite-queue/doorbell", test_doorbell);
  g_test_add_func ("/sqlite-queue/woken-by-caller", test_woken_by_caller);
  g_test_add_func ("/sqlite-queue/ping-pong", test_ping_pong);
  return g_test_run ();
}
