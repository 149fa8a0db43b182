/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A lock-free queue between threads (see weft-sqlite-queue-private.h). */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "weft-sqlite-queue-private.h"

/* The queue starts idle: the first push wakes the consumer. */
gboolean
_weft_sqlite_queue_init (WeftSqliteQueue *queue, gboolean doorbell, GError **error)
{
  *queue = (WeftSqliteQueue){ NULL, 1, -1, NULL };
  if (doorbell)
    {
      queue->doorbell = eventfd (0, EFD_CLOEXEC);
      if (queue->doorbell < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Could not make an event descriptor: %s"),
                       g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

/* Once no thread uses it; the caller took the items. */
void
_weft_sqlite_queue_clear (WeftSqliteQueue *queue)
{
  g_warn_if_fail (queue->head == NULL && g_atomic_pointer_get (&queue->incoming) == NULL);
  _weft_sqlite_queue_close_doorbell (queue);
}

/* Once no push can ring it any more. */
void
_weft_sqlite_queue_close_doorbell (WeftSqliteQueue *queue)
{
  if (queue->doorbell >= 0)
    close (queue->doorbell);
  queue->doorbell = -1;
}

/* In any thread. Returns TRUE when the consumer was idle and must be woken
 * (_weft_sqlite_queue_ring() for a doorbell): this push is the one that
 * does it. */
gboolean
_weft_sqlite_queue_push (WeftSqliteQueue *queue, WeftSqliteLink *link)
{
  WeftSqliteLink *top;

  do
    {
      top = g_atomic_pointer_get (&queue->incoming);
      link->next = top;
    }
  while (!g_atomic_pointer_compare_and_exchange (&queue->incoming, top, link));
  return g_atomic_int_compare_and_exchange (&queue->idle, 1, 0);
}

void
_weft_sqlite_queue_ring (WeftSqliteQueue *queue)
{
  static const guint64 one = 1;

  while (queue->doorbell >= 0 && write (queue->doorbell, &one, sizeof one) < 0 && errno == EINTR)
    ;
}

/* The consumer, when its doorbell is readable (a reactor watching it):
 * takes the rings, which never blocks then. */
void
_weft_sqlite_queue_drain_doorbell (WeftSqliteQueue *queue)
{
  guint64 count;

  while (read (queue->doorbell, &count, sizeof count) < 0 && errno == EINTR)
    ;
}

/* The consumer: the oldest item, or NULL. */
WeftSqliteLink *
_weft_sqlite_queue_try_pop (WeftSqliteQueue *queue)
{
  WeftSqliteLink *link;

  if (queue->head == NULL)
    {
      WeftSqliteLink *taken = g_atomic_pointer_exchange (&queue->incoming, NULL);
      WeftSqliteLink *oldest = NULL;

      /* Newest first to oldest first. */
      while (taken != NULL)
        {
          WeftSqliteLink *next = taken->next;

          taken->next = oldest;
          oldest = taken;
          taken = next;
        }
      queue->head = oldest;
    }
  link = queue->head;
  if (link != NULL)
    {
      queue->head = link->next;
      link->next = NULL;
    }
  return link;
}

/* The consumer, having found nothing: marks itself idle. Returns TRUE if
 * it must wait to be woken (a push will do it, or did), FALSE if items came
 * in meanwhile and it should go on taking them. */
gboolean
_weft_sqlite_queue_prepare_wait (WeftSqliteQueue *queue)
{
  g_atomic_int_set (&queue->idle, 1);
  if (g_atomic_pointer_get (&queue->incoming) == NULL)
    return TRUE;
  /* A push came in: take it back unless its producer already saw the
   * consumer idle and is waking it. */
  return !g_atomic_int_compare_and_exchange (&queue->idle, 1, 0);
}

/* The consumer, with a doorbell: the oldest item, waiting for one. A
 * wake-up may come for items already taken; it only costs a turn. */
WeftSqliteLink *
_weft_sqlite_queue_pop (WeftSqliteQueue *queue)
{
  for (;;)
    {
      WeftSqliteLink *link = _weft_sqlite_queue_try_pop (queue);
      guint64 count;

      if (link != NULL)
        return link;
      if (_weft_sqlite_queue_prepare_wait (queue))
        while (read (queue->doorbell, &count, sizeof count) < 0 && errno == EINTR)
          ;
    }
}
