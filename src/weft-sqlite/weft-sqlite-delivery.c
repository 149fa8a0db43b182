/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hand-over of finished jobs from the pool's workers to the reactor's
 * thread, through a lock-free queue with an eventfd doorbell (see
 * weft-sqlite-delivery-private.h). */

#include "config.h"

#include "weft-sqlite-delivery-private.h"

/* How long one pass of the reactor's thread hands results over before it
 * lets timers and I/O run again. */
#define DELIVERY_BUDGET_US 500

struct _WeftSqliteDelivery {
  WeftReactor *reactor;
  WeftSqliteQueue jobs; /* consumed in the reactor's thread; idle: no pass is due */
  WeftWatch *watch;     /* on the doorbell, until the workers stopped */
  WeftSqliteDeliveryFunc deliver;
  WeftSqliteDeliveryFunc release;
};

static void delivery_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer data);

WeftSqliteDelivery *
_weft_sqlite_delivery_new (WeftReactor *reactor,
                           WeftSqliteDeliveryFunc deliver,
                           WeftSqliteDeliveryFunc release,
                           GError **error)
{
  WeftSqliteDelivery *delivery;

  delivery = g_atomic_rc_box_new0 (WeftSqliteDelivery);
  delivery->reactor = g_object_ref (reactor);
  delivery->deliver = deliver;
  delivery->release = release;
  if (!_weft_sqlite_queue_init (&delivery->jobs, TRUE, error))
    {
      _weft_sqlite_delivery_unref (delivery);
      return NULL;
    }
  /* The watch's reference; a watch that could not be added drops none. */
  _weft_sqlite_delivery_ref (delivery);
  delivery->watch = weft_reactor_add_watch (reactor, delivery->jobs.doorbell, WEFT_IO_READ, delivery_ready, delivery,
                                            _weft_sqlite_delivery_unref, error);
  if (delivery->watch == NULL)
    {
      _weft_sqlite_delivery_unref (delivery);
      _weft_sqlite_delivery_unref (delivery);
      return NULL;
    }
  weft_watch_set_name (delivery->watch, "weft-sqlite results");
  return delivery;
}

static void
delivery_clear (gpointer data)
{
  WeftSqliteDelivery *delivery = data;
  WeftSqliteLink *link;

  while ((link = _weft_sqlite_queue_try_pop (&delivery->jobs)) != NULL)
    delivery->release (link);
  _weft_sqlite_queue_clear (&delivery->jobs);
  g_object_unref (delivery->reactor);
}

/* In the reactor's thread, once no worker is left to push: results still
 * due are taken by a pass already scheduled or by the caller's. */
void
_weft_sqlite_delivery_stop (WeftSqliteDelivery *delivery)
{
  WeftWatch *watch = g_steal_pointer (&delivery->watch);

  if (watch != NULL)
    weft_watch_remove (watch);
  _weft_sqlite_queue_close_doorbell (&delivery->jobs);
}

WeftSqliteDelivery *
_weft_sqlite_delivery_ref (WeftSqliteDelivery *delivery)
{
  return g_atomic_rc_box_acquire (delivery);
}

void
_weft_sqlite_delivery_unref (gpointer delivery)
{
  g_atomic_rc_box_release_full (delivery, delivery_clear);
}

/* In any thread. */
void
_weft_sqlite_delivery_push (WeftSqliteDelivery *delivery, WeftSqliteLink *link)
{
  if (_weft_sqlite_queue_push (&delivery->jobs, link))
    _weft_sqlite_queue_ring (&delivery->jobs);
}

/* In the reactor's thread: fires the deferreds of the jobs due, all of
 * them, or (@bounded) until the pass has taken DELIVERY_BUDGET_US, leaving
 * the rest to the next turn of the reactor. */
void
_weft_sqlite_delivery_pass (WeftSqliteDelivery *delivery, gboolean bounded)
{
  gint64 start = g_get_monotonic_time ();

  for (;;)
    {
      WeftSqliteLink *link = _weft_sqlite_queue_try_pop (&delivery->jobs);

      if (link == NULL)
        {
          /* The next job a worker finishes wakes the reactor again. */
          if (_weft_sqlite_queue_prepare_wait (&delivery->jobs))
            return;
          continue;
        }
      delivery->deliver (link);
      delivery->release (link);
      if (bounded && g_get_monotonic_time () - start >= DELIVERY_BUDGET_US)
        {
          /* Still not idle: workers need not wake the reactor. */
          weft_reactor_call_soon (delivery->reactor, _weft_sqlite_delivery_pass_bounded,
                                  _weft_sqlite_delivery_ref (delivery), _weft_sqlite_delivery_unref);
          return;
        }
    }
}

void
_weft_sqlite_delivery_pass_bounded (gpointer data)
{
  _weft_sqlite_delivery_pass (data, TRUE);
}

static void
delivery_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer data)
{
  WeftSqliteDelivery *delivery = data;

  /* Before the pass: a ring after it is for results the pass may miss. */
  _weft_sqlite_queue_drain_doorbell (&delivery->jobs);
  _weft_sqlite_delivery_pass (delivery, TRUE);
}
