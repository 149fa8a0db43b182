/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A reactor that nobody drives fails silently: its timers never fire and
 * its connections never connect. A helper thread notices a reactor with
 * pending timers or watches that has neither iterated for a while nor is
 * waiting, and says once, by name, what to do about it.
 *
 * The thread is started with the first reactor; it wakes every half limit
 * while reactors exist and never when none does; it
 * reads a reactor only through atomics and counters, where a stale read
 * merely delays the warning. WEFT_DRIVE_CHECK_MS sets the limit (10000 by
 * default; 0 turns the check off), for tests. */

#include "config.h"

#include <stdlib.h>

#include "weft-reactor-impl-private.h"

#define DEFAULT_LIMIT_MS 10000

static GMutex lock;
static GCond cond;
static GList *reactors; /* not owned */
static GThread *thread;

void
weft_reactor_note_driven (WeftReactor *self)
{
  __atomic_store_n (&self->last_driven, g_get_monotonic_time (), __ATOMIC_RELAXED);
}

static gint64
limit_us (void)
{
  const char *text = g_getenv ("WEFT_DRIVE_CHECK_MS");

  if (text != NULL && text[0] != '\0')
    return (gint64) g_ascii_strtoll (text, NULL, 10) * 1000;
  return (gint64) DEFAULT_LIMIT_MS * 1000;
}

static void
check_one (WeftReactor *self, gint64 now, gint64 limit)
{
  guint n_timers = self->n_timers;
  guint n_watches = self->n_watches;
  gint64 last = __atomic_load_n (&self->last_driven, __ATOMIC_RELAXED);

  if (self->drive_warned || self->time_func != NULL || (n_timers == 0 && n_watches == 0) ||
      g_atomic_int_get (&self->in_wait) || now - last < limit)
    return;
  self->drive_warned = TRUE;
  if (self->hosting || (self->ops->flags & WEFT_BACKEND_OWNS_LOOP))
    g_warning ("The %s reactor has work waiting (timers: %u, fd watches: %u), but nothing has run it for %.1f s: "
               "call weft_reactor_run (), or run a GLib main loop on its GMainContext "
               "(g_application_run (), g_main_loop_run ()) in the thread that created it",
               self->ops->name, n_timers, n_watches, (now - last) / 1e6);
  else
    g_warning ("The %s reactor has work waiting (timers: %u, fd watches: %u), but nothing has run it for %.1f s: "
               "call weft_reactor_run () (it was created with WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING, so a GLib "
               "main loop does not run it)",
               self->ops->name, n_timers, n_watches, (now - last) / 1e6);
}

static gpointer
check_thread (gpointer data)
{
  gint64 limit = GPOINTER_TO_SIZE (data) * (gint64) 1000;

  g_mutex_lock (&lock);
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();

      /* No reactor, no wake-ups. */
      while (reactors == NULL)
        g_cond_wait (&cond, &lock);
      for (GList *l = reactors; l != NULL; l = l->next)
        check_one (l->data, now, limit);
      g_cond_wait_until (&cond, &lock, now + limit / 2);
    }
  return NULL;
}

/* A GLib loop's iterations cannot be bracketed (another source's callback
 * may run long between two of ours), so once a loop drives the reactor it
 * counts as driven until an iteration of its own ends (weft_reactor_run()
 * returning): a busy application is not an undriven reactor. */
void
weft_reactor_set_loop_driven (WeftReactor *self)
{
  g_atomic_int_set (&self->in_wait, 1);
  weft_reactor_note_driven (self);
}

void
weft_drive_check_add (WeftReactor *self)
{
  gint64 limit = limit_us ();

  if (limit <= 0)
    return;
  weft_reactor_note_driven (self);
  g_mutex_lock (&lock);
  reactors = g_list_prepend (reactors, self);
  if (thread == NULL)
    thread = g_thread_new ("weft-drive-check", check_thread, GSIZE_TO_POINTER ((gsize) (limit / 1000)));
  g_cond_signal (&cond);
  g_mutex_unlock (&lock);
}

void
weft_drive_check_remove (WeftReactor *self)
{
  g_mutex_lock (&lock);
  reactors = g_list_remove (reactors, self);
  g_mutex_unlock (&lock);
}
