/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Watches: file descriptors the reactor waits on. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "weft-error.h"
#include "weft-reactor-impl-private.h"
#include "weft-signals-private.h"

/* ------------------------------------------------------------------ */
/* fd table and watches                                                 */

FdEntry *
weft_reactor_fd_entry (WeftReactor *self, int fd)
{
  if (fd >= self->fds_len)
    {
      int len = MAX (64, self->fds_len);

      while (len <= fd)
        len *= 2;
      self->fds = g_renew (FdEntry, self->fds, len);
      memset (self->fds + self->fds_len, 0, sizeof (FdEntry) * (len - self->fds_len));
      self->fds_len = len;
    }
  return &self->fds[fd];
}

gboolean
weft_reactor_fd_entry_sync (WeftReactor *self, int fd, FdEntry *entry, GError **error)
{
  guint8 wanted = entry->glib_events;

  if (entry->watch != NULL && !entry->watch->fd_invalid)
    wanted |= entry->watch->events;
  wanted &= WEFT_IO_READ | WEFT_IO_WRITE;
  if (wanted == entry->registered)
    return TRUE;
  /* Removal cannot fail: a closed fd has left every kernel set already. */
  if (!self->ops->set_interest (self->backend, fd, entry->registered, wanted, error) && wanted != 0)
    return FALSE;
  entry->registered = wanted;
  return TRUE;
}

G_DEFINE_BOXED_TYPE (WeftWatch, weft_watch, weft_watch_ref, weft_watch_unref)

/**
 * weft_watch_ref:
 * @watch: a watch
 *
 * Keeps @watch's memory alive, even after weft_watch_remove(); for
 * bindings, which hold on to the objects they were given. Use it in the
 * reactor's thread.
 *
 * Returns: (transfer full): @watch
 */
WeftWatch *
weft_watch_ref (WeftWatch *watch)
{
  g_return_val_if_fail (watch != NULL, NULL);
  watch->ref_count++;
  return watch;
}

/**
 * weft_watch_unref:
 * @watch: (transfer full): a watch
 *
 * Drops a reference taken with weft_watch_ref(). It does not remove the
 * watch: weft_watch_remove() does.
 */
void
weft_watch_unref (WeftWatch *watch)
{
  g_return_if_fail (watch != NULL);
  if (--watch->ref_count == 0)
    {
      g_free (watch->name);
      g_free (watch);
    }
}

/**
 * weft_reactor_add_watch:
 * @reactor: a reactor
 * @fd: a file descriptor, which the caller keeps open while it is watched
 * @events: %WEFT_IO_READ and/or %WEFT_IO_WRITE, or %WEFT_IO_NONE
 * @callback: (scope notified): called when @fd is ready
 * @user_data: (closure): data for @callback
 * @notify: (nullable): frees @user_data when the watch is removed
 * @error: return location for a #GError
 *
 * Watches @fd for readiness. There is at most one watch per fd per reactor;
 * a second one fails with %G_IO_ERROR_EXISTS. An fd that is not open is
 * refused with %G_IO_ERROR_CLOSED, on every backend. The select backend
 * refuses an fd of `FD_SETSIZE` or more with %WEFT_ERROR_FD_TOO_LARGE.
 *
 * Close @fd only after removing its watch. A watched fd that is closed
 * anyway is reported once: a warning names the fd and the watch (see
 * weft_watch_set_name()), @callback gets %WEFT_IO_ERROR, and the reactor
 * stops waiting on the fd until the watch is removed. (It is found at once
 * by the poll and select backends, and by epoll and glib, whose kernel set
 * forgets a closed fd silently, within about a second of a wake-up.)
 *
 * Returns: (transfer none) (nullable): the watch, owned by @reactor until
 *   weft_watch_remove(); %NULL with @error set on failure
 */
WeftWatch *
weft_reactor_add_watch (WeftReactor *reactor,
                        int fd,
                        WeftIOCondition events,
                        WeftWatchFunc callback,
                        gpointer user_data,
                        GDestroyNotify notify,
                        GError **error)
{
  WeftWatch *watch;
  FdEntry *entry;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!weft_watch_check_fd_open (fd, error))
    return NULL;
  entry = weft_reactor_fd_entry (reactor, fd);
  if (entry->watch != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _ ("File descriptor %d is already watched by this reactor"),
                   fd);
      return NULL;
    }

  watch = g_new0 (WeftWatch, 1);
  watch->reactor = reactor;
  watch->fd = fd;
  watch->ref_count = 1;
  watch->events = events & (WEFT_IO_READ | WEFT_IO_WRITE);
  watch->callback = callback;
  watch->user_data = user_data;
  watch->notify = notify;

  entry->watch = watch;
  if (!weft_reactor_fd_entry_sync (reactor, fd, entry, error))
    {
      entry->watch = NULL;
      g_free (watch);
      return NULL;
    }
  reactor->n_watches++;
  return watch;
}

/**
 * weft_watch_get_fd:
 * @watch: a watch
 *
 * Returns: the watched file descriptor
 */
int
weft_watch_get_fd (WeftWatch *watch)
{
  g_return_val_if_fail (watch != NULL, -1);
  return watch->fd;
}

/**
 * weft_watch_get_events:
 * @watch: a watch
 *
 * Returns: the interest currently set on @watch
 */
WeftIOCondition
weft_watch_get_events (WeftWatch *watch)
{
  g_return_val_if_fail (watch != NULL, WEFT_IO_NONE);
  return watch->events;
}

/**
 * weft_watch_set_events:
 * @watch: a watch
 * @events: the new interest: %WEFT_IO_READ and/or %WEFT_IO_WRITE, or
 *   %WEFT_IO_NONE to stop waiting on the fd for now
 * @error: return location for a #GError
 *
 * Changes what @watch waits for. Setting the interest it already has costs
 * nothing. Readiness found earlier in the same iteration is delivered only
 * for what @events still includes.
 *
 * Returns: %TRUE on success
 */
gboolean
weft_watch_set_events (WeftWatch *watch, WeftIOCondition events, GError **error)
{
  WeftReactor *self;
  WeftIOCondition old_events;

  g_return_val_if_fail (watch != NULL, FALSE);
  g_return_val_if_fail (!watch->removed, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self = watch->reactor;
  events &= WEFT_IO_READ | WEFT_IO_WRITE;
  if (events == watch->events)
    return TRUE;

  old_events = watch->events;
  watch->events = events;
  if (!weft_reactor_fd_entry_sync (self, watch->fd, &self->fds[watch->fd], error))
    {
      watch->events = old_events;
      return FALSE;
    }
  return TRUE;
}

/**
 * weft_watch_remove:
 * @watch: a watch
 *
 * Stops watching, calls @watch's notify function and drops the reactor's
 * reference to @watch (which frees it unless the caller took one with
 * weft_watch_ref()). The fd is
 * not closed. Safe from any callback, including @watch's own; a removed
 * watch is never called again.
 */
void
weft_watch_remove (WeftWatch *watch)
{
  WeftReactor *self;
  FdEntry *entry;
  GDestroyNotify notify;

  g_return_if_fail (watch != NULL);
  g_return_if_fail (!watch->removed);

  self = watch->reactor;
  entry = &self->fds[watch->fd];
  watch->removed = TRUE;
  watch->events = WEFT_IO_NONE;
  entry->watch = NULL;
  /* Failing to deregister means the fd was closed already, which drops it
   * from every kernel set anyway. */
  weft_reactor_fd_entry_sync (self, watch->fd, entry, NULL);
  if (!watch->internal)
    self->n_watches--;

  notify = g_steal_pointer (&watch->notify);
  if (notify != NULL)
    notify (g_steal_pointer (&watch->user_data));
  weft_watch_unref (watch);
}

void
weft_reactor_report_ready (WeftReactor *self, int fd, WeftIOCondition condition)
{
  FdEntry *entry;
  WeftWatch *watch;

  if (G_UNLIKELY (fd < 0 || fd >= self->fds_len))
    return;
  entry = &self->fds[fd];
  if (entry->glib_events != 0)
    entry->glib_revents |= condition;

  watch = entry->watch;
  if (watch != NULL && watch->events != WEFT_IO_NONE)
    {
      ReadyEvent ev = { watch, condition };

      watch->ref_count++;
      g_array_append_val (self->ready, ev);
    }
}

void
weft_reactor_dispatch_ready (WeftReactor *self)
{
  /* Callbacks may add watches, which can make backends report again into a
   * fresh array only on the next wait; so walking by index is safe. */
  for (guint i = 0; i < self->ready->len; i++)
    {
      ReadyEvent *ev = &g_array_index (self->ready, ReadyEvent, i);
      WeftWatch *watch = ev->watch;
      WeftIOCondition condition;

      /* Only now, outside the backend's wait, does its set change. */
      if (G_UNLIKELY (watch->fd_invalid) && !watch->removed && self->fds[watch->fd].registered != 0)
        weft_reactor_fd_entry_sync (self, watch->fd, &self->fds[watch->fd], NULL);
      condition = ev->condition & (watch->events | WEFT_IO_HUP | WEFT_IO_ERROR);
      if (!watch->removed && watch->events != WEFT_IO_NONE && condition != 0)
        watch->callback (watch, watch->fd, condition, watch->user_data);
    }
  for (guint i = 0; i < self->ready->len; i++)
    weft_watch_unref (g_array_index (self->ready, ReadyEvent, i).watch);
  g_array_set_size (self->ready, 0);
}
