/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* GLib drives, the backend waits: when the application runs a GLib main
 * loop on the reactor's context itself (g_application_run(),
 * g_main_loop_run(), gtk_window_present() and friends), a select, poll or
 * epoll reactor still works, and its backend still does the waiting.
 *
 * - The backend becomes the context's poll function: GLib hands it the fds
 *   of its sources and its timeout; the backend waits on those together
 *   with Weft's watches and the next timer's deadline (in microseconds),
 *   and reports GLib's revents back.
 * - One GSource per reactor dispatches Weft's work (fd callbacks, timers,
 *   soon calls, calls from threads) when the wait found some.
 * - While weft_reactor_run() drives the context itself (weft-glib-host.c),
 *   both stand aside: the source is never ready and the poll function is
 *   plain g_poll().
 *
 * The alternative, a weft_application_run() that replaces
 * g_application_run(), was not taken: GApplication's own loop (D-Bus
 * activation, command lines from remote instances, GTK's window tracking)
 * would have to be reimplemented, and every program written the GTK way
 * would still silently fail.
 */

#include "config.h"

#include <string.h>

#include "weft-reactor-impl-private.h"

#define MAX_TIMERS_PER_DISPATCH 256
/* As in the glib backend: after this much back-to-back dispatching, sit out
 * one iteration so that lower-priority sources (GTK's redraw) still run. */
#define STREAK_GAP_US 1000
#define STREAK_BUDGET_US 2000

typedef struct {
  GSource source;
  WeftReactor *reactor; /* not owned: the reactor owns this source */
  gboolean dispatching;
  gboolean yield_pending;
  gboolean yielding;
  gint64 streak_start;
  gint64 last_dispatch_end;
} DriverSource;

/* Reactors whose backend is the poll function of their context. GLib's
 * poll functions get no user data, so the one to use is found by the
 * context the calling thread is iterating (it owns it during the poll). */
static GMutex registry_lock;
static GList *registry;

static WeftReactor *
find_reactor_for_this_thread (void)
{
  WeftReactor *found = NULL;

  g_mutex_lock (&registry_lock);
  for (GList *l = registry; l != NULL && found == NULL; l = l->next)
    {
      WeftReactor *reactor = l->data;

      if (g_main_context_is_owner (reactor->context))
        found = reactor;
    }
  g_mutex_unlock (&registry_lock);
  return found;
}

static gboolean
stands_aside (WeftReactor *self)
{
  /* weft_reactor_run() or weft_reactor_iterate() runs the context itself,
   * or a nested loop was started from one of our callbacks. */
  return self->own_iteration || self->glib_driven_dispatching;
}

static int
driver_poll (GPollFD *fds, guint n_fds, int timeout_ms)
{
  WeftReactor *self = find_reactor_for_this_thread ();
  gint64 timeout_us;
  gint64 weft_timeout_us;
  int n_ready = 0;

  if (self == NULL || stands_aside (self) || self->in_glib_poll)
    return g_poll (fds, n_fds, timeout_ms);

  if (self->gfds_alloc < (int) n_fds)
    {
      self->gfds_alloc = MAX ((int) n_fds, self->gfds_alloc * 2);
      self->gfds = g_renew (GPollFD, self->gfds, self->gfds_alloc);
    }
  memcpy (self->gfds, fds, sizeof (GPollFD) * n_fds);
  self->n_gfds = n_fds;
  weft_glib_host_sync_fds (self);

  /* GLib's timeout is in milliseconds; Weft's next deadline is merged in
   * microseconds, so a timer neither fires late nor spins. */
  timeout_us = timeout_ms < 0 ? -1 : (gint64) timeout_ms * 1000;
  weft_timeout_us = weft_reactor_get_timeout (self);
  if (weft_timeout_us >= 0 && (timeout_us < 0 || weft_timeout_us < timeout_us))
    timeout_us = weft_timeout_us;

  self->in_glib_poll = TRUE;
  if (self->glib_fds_polled)
    /* The backend fills in GLib's revents itself. */
    n_ready = self->ops->wait_glib (self->backend, fds, n_fds, timeout_us);
  else
    self->ops->wait (self->backend, timeout_us);
  self->in_glib_poll = FALSE;
  self->wakeups++;
  self->glib_polls++;
  weft_reactor_note_driven (self);

  if (!self->glib_fds_polled)
    {
      n_ready = weft_glib_host_collect (self);
      for (guint i = 0; i < n_fds; i++)
        fds[i].revents = self->gfds[i].revents;
    }
  return n_ready;
}

static gboolean
has_work_now (WeftReactor *self)
{
  return !self->started || self->ready->len > 0 || self->thread_calls_ready || weft_reactor_get_timeout (self) == 0;
}

static gboolean
driver_source_prepare (GSource *source, int *timeout_ms)
{
  DriverSource *driver = (DriverSource *) source;
  WeftReactor *self = driver->reactor;

  /* The poll function merges Weft's deadline itself, in microseconds. */
  *timeout_ms = -1;
  weft_reactor_set_loop_driven (self);
  if (stands_aside (self) || driver->dispatching)
    return FALSE;
  if (driver->yield_pending)
    {
      driver->yield_pending = FALSE;
      driver->yielding = TRUE;
      *timeout_ms = 0;
      return FALSE;
    }
  return has_work_now (self);
}

static gboolean
driver_source_check (GSource *source)
{
  DriverSource *driver = (DriverSource *) source;
  WeftReactor *self = driver->reactor;

  if (stands_aside (self) || driver->dispatching)
    return FALSE;
  if (driver->yielding)
    {
      driver->yielding = FALSE;
      return FALSE;
    }
  return has_work_now (self);
}

static gboolean
driver_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  DriverSource *driver = (DriverSource *) source;
  WeftReactor *self = g_object_ref (driver->reactor);
  gint64 start = g_get_monotonic_time ();
  gint64 end;

  if (start - driver->last_dispatch_end > STREAK_GAP_US)
    driver->streak_start = start;

  driver->dispatching = TRUE;
  self->glib_driven_dispatching = TRUE;
  /* The application's loop is running the reactor: startup fires on its
   * first iteration (in weft_reactor_dispatch()), as with the glib backend. */
  if (weft_reactor_dispatch (self, MAX_TIMERS_PER_DISPATCH))
    driver->yield_pending = TRUE;
  self->glib_driven_dispatching = FALSE;
  driver->dispatching = FALSE;

  end = g_get_monotonic_time ();
  driver->last_dispatch_end = end;
  if (end - driver->streak_start >= STREAK_BUDGET_US)
    {
      driver->yield_pending = TRUE;
      driver->streak_start = end;
    }
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs driver_source_funcs = {
  .prepare = driver_source_prepare,
  .check = driver_source_check,
  .dispatch = driver_source_dispatch,
};

void
weft_glib_driver_install (WeftReactor *self)
{
  DriverSource *driver;

  g_return_if_fail (self->driver_source == NULL);

  driver = (DriverSource *) g_source_new (&driver_source_funcs, sizeof (DriverSource));
  driver->reactor = self;
  g_source_set_name (&driver->source, "WeftReactor (GLib-driven)");
  g_source_set_priority (&driver->source, G_PRIORITY_DEFAULT);
  /* Recursion is refused by prepare/check, as in the glib backend. */
  g_source_set_can_recurse (&driver->source, TRUE);
  g_source_attach (&driver->source, self->context);
  self->driver_source = &driver->source;

  g_mutex_lock (&registry_lock);
  self->saved_poll_func = g_main_context_get_poll_func (self->context);
  if (self->saved_poll_func == driver_poll)
    self->saved_poll_func = NULL; /* another reactor on this context installed it */
  registry = g_list_prepend (registry, self);
  g_main_context_set_poll_func (self->context, driver_poll);
  g_mutex_unlock (&registry_lock);
}

void
weft_glib_driver_uninstall (WeftReactor *self)
{
  gboolean context_still_used = FALSE;

  if (self->driver_source == NULL)
    return;

  g_mutex_lock (&registry_lock);
  registry = g_list_remove (registry, self);
  for (GList *l = registry; l != NULL; l = l->next)
    if (((WeftReactor *) l->data)->context == self->context)
      context_still_used = TRUE;
  if (!context_still_used)
    g_main_context_set_poll_func (self->context, self->saved_poll_func != NULL ? self->saved_poll_func : g_poll);
  g_mutex_unlock (&registry_lock);

  g_source_destroy (self->driver_source);
  g_clear_pointer (&self->driver_source, g_source_unref);
}

/**
 * weft_reactor_get_glib_poll_count:
 * @reactor: a reactor
 *
 * Counts the waits that @reactor's backend did for a GLib main loop run by
 * the application (g_application_run(), g_main_loop_run() on the reactor's
 * context): with the select, poll and epoll backends, the backend is that
 * context's poll function, so GLib's sources and Weft's watches are waited
 * on together in the backend's own call (`epoll_pwait2()` for epoll), not
 * in GLib's `poll()`. Always 0 for the glib backend, and for a reactor
 * created with %WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING.
 *
 * Returns: the number of such waits so far
 */
guint64
weft_reactor_get_glib_poll_count (WeftReactor *reactor)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), 0);

  return reactor->glib_polls;
}
