/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The reactor inside a GLib main loop: one GSource per reactor.
 *
 * - Its only fd is an epoll set holding every watch, so a main-loop
 *   iteration costs O(ready fds) rather than O(watched fds).
 * - Timers are not GLib timeouts: prepare() reports the time to the next
 *   deadline (rounded up, so GLib never wakes early and spins) and check()
 *   compares deadlines in microseconds. g_source_set_ready_time() would do
 *   the same, but it wakes the context on every change, which costs a
 *   syscall and an extra iteration for each new earliest timer.
 * - The source never dispatches recursively (a nested main loop run by a
 *   callback pauses the reactor until it returns).
 * - Work per dispatch is bounded (one epoll_wait() batch, a capped number of
 *   timers), and after a few milliseconds of back-to-back dispatching the
 *   source sits out one iteration, so lower-priority sources — GTK's frame
 *   clock and redraw — still run under full network load.
 */

#include "config.h"

#include "weft-backend-private.h"
#include "weft-epoll-set-private.h"

#define MAX_TIMERS_PER_DISPATCH 256
/* A dispatch that starts within this long of the previous one's end
 * continues a busy streak ... */
#define STREAK_GAP_US 1000
/* ... and a streak this long yields one main-loop iteration. */
#define STREAK_BUDGET_US 2000

typedef struct {
  GSource source;
  WeftReactor *reactor;
  WeftEpollSet set;
  GPollFD pollfd;
  GMainLoop *loop; /* while weft_reactor_run() runs the loop itself */
  gboolean dispatching;
  gboolean yield_pending;
  gboolean yielding;
  gint64 streak_start;
  gint64 last_dispatch_end;
} GlibBackend;

static gboolean
glib_source_prepare (GSource *source, int *timeout_ms)
{
  GlibBackend *self = (GlibBackend *) source;
  gint64 timeout_us;

  weft_reactor_count_wakeup (self->reactor);
  weft_reactor_set_loop_driven (self->reactor);

  /* GLib reads the GPollFD's events after prepare: an fd that polls ready
   * makes the source ready whatever check() says, so "not now" means no
   * events. */
  if (self->dispatching)
    {
      /* A nested main loop run by one of our callbacks: wait for it to
       * return instead of spinning on work we cannot do now. */
      self->pollfd.events = 0;
      return FALSE;
    }
  if (self->yield_pending)
    {
      self->yield_pending = FALSE;
      self->yielding = TRUE;
      self->pollfd.events = 0;
      *timeout_ms = 0;
      return FALSE;
    }
  self->pollfd.events = G_IO_IN;

  timeout_us = weft_reactor_get_timeout (self->reactor);
  if (timeout_us == 0 || weft_epoll_set_has_always_ready (&self->set))
    return TRUE;
  *timeout_ms = timeout_us < 0 ? -1 : (int) MIN ((timeout_us + 999) / 1000, G_MAXINT);
  return FALSE;
}

static gboolean
glib_source_check (GSource *source)
{
  GlibBackend *self = (GlibBackend *) source;

  if (self->dispatching)
    return FALSE;
  if (self->yielding)
    {
      self->yielding = FALSE;
      return FALSE;
    }
  return (self->pollfd.revents & G_IO_IN) != 0 || weft_reactor_get_timeout (self->reactor) == 0 ||
         weft_epoll_set_has_always_ready (&self->set);
}

static gboolean
glib_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  GlibBackend *self = (GlibBackend *) source;
  gint64 start = g_get_monotonic_time ();
  gint64 end;

  if (start - self->last_dispatch_end > STREAK_GAP_US)
    self->streak_start = start;

  self->dispatching = TRUE;
  if ((self->pollfd.revents & G_IO_IN) || weft_epoll_set_has_always_ready (&self->set))
    weft_epoll_set_wait (&self->set, 0);
  self->pollfd.revents = 0;
  /* May drop the last reference to the reactor, and destroy this source:
   * GLib keeps the GSource's memory alive until dispatch returns. */
  weft_reactor_dispatch (self->reactor, MAX_TIMERS_PER_DISPATCH);
  self->dispatching = FALSE;

  end = g_get_monotonic_time ();
  self->last_dispatch_end = end;
  if (end - self->streak_start >= STREAK_BUDGET_US)
    {
      self->yield_pending = TRUE;
      self->streak_start = end;
    }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs glib_source_funcs = {
  .prepare = glib_source_prepare,
  .check = glib_source_check,
  .dispatch = glib_source_dispatch,
};

static gpointer
glib_backend_create (WeftReactor *reactor, GError **error)
{
  GSource *source = g_source_new (&glib_source_funcs, sizeof (GlibBackend));
  GlibBackend *self = (GlibBackend *) source;

  self->reactor = reactor;
  if (!weft_epoll_set_init (&self->set, reactor, error))
    {
      g_source_unref (source);
      return NULL;
    }
  self->pollfd.fd = self->set.epfd;
  self->pollfd.events = G_IO_IN;
  g_source_add_poll (source, &self->pollfd);
  g_source_set_name (source, "WeftReactor");
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  /* Recursion is refused by prepare/check instead: a non-recursive source
   * has its fds removed and re-added around every dispatch, and each of
   * those wakes the context, costing a spurious iteration per dispatch. */
  g_source_set_can_recurse (source, TRUE);
  g_source_attach (source, weft_reactor_get_context (reactor));
  return self;
}

static void
glib_backend_destroy (gpointer data)
{
  GlibBackend *self = data;

  g_source_destroy (&self->source);
  weft_epoll_set_clear (&self->set);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_source_unref (&self->source);
}

static gboolean
glib_backend_set_interest (gpointer data,
                           int fd,
                           WeftIOCondition old_events,
                           WeftIOCondition new_events,
                           GError **error)
{
  GlibBackend *self = data;

  return weft_epoll_set_set_interest (&self->set, fd, old_events, new_events, error);
}

static void
glib_backend_run (gpointer data)
{
  GlibBackend *self = data;
  GMainLoop *loop = g_main_loop_new (weft_reactor_get_context (self->reactor), FALSE);

  self->loop = g_main_loop_ref (loop);
  g_main_loop_run (loop);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_main_loop_unref (loop);
}

static void
glib_backend_stop (gpointer data)
{
  GlibBackend *self = data;

  if (self->loop != NULL)
    g_main_loop_quit (self->loop);
}

static gboolean
glib_backend_iterate (gpointer data, gboolean may_block)
{
  GlibBackend *self = data;

  return g_main_context_iteration (weft_reactor_get_context (self->reactor), may_block);
}

const WeftBackendOps weft_glib_backend = {
  .name = "glib",
  .description = "inside a GLib/GTK main loop: one GSource, watches in an epoll set",
  .flags = WEFT_BACKEND_OWNS_LOOP,
  .create = glib_backend_create,
  .destroy = glib_backend_destroy,
  .set_interest = glib_backend_set_interest,
  .run = glib_backend_run,
  .stop = glib_backend_stop,
  .iterate = glib_backend_iterate,
};
