/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Hosting GLib: the select, poll and epoll backends run the reactor's
 * GMainContext inside their own wait. */

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

/* With a backend that has wait_glib, how many GLib fds are still kept in
 * the backend's set rather than polled: GLib's own wake-up fd, so that a
 * reactor whose GLib context has no other fd waits in one system call. */
#define GLIB_FDS_KEPT_IN_SET 1

static inline WeftIOCondition
from_gio (gushort events)
{
  WeftIOCondition condition = 0;

  if (events & (G_IO_IN | G_IO_PRI))
    condition |= WEFT_IO_READ;
  if (events & G_IO_OUT)
    condition |= WEFT_IO_WRITE;
  return condition;
}

static inline gushort
to_gio (WeftIOCondition condition, gushort requested)
{
  gushort revents = 0;

  if (condition & WEFT_IO_READ)
    revents |= requested & (G_IO_IN | G_IO_PRI);
  if (condition & WEFT_IO_WRITE)
    revents |= requested & G_IO_OUT;
  if (condition & WEFT_IO_HUP)
    revents |= G_IO_HUP;
  if (condition & WEFT_IO_ERROR)
    revents |= G_IO_ERR;
  return revents;
}

static gboolean
same_poll_set (const GPollFD *a, int n_a, const GPollFD *b, int n_b)
{
  if (n_a != n_b)
    return FALSE;
  for (int i = 0; i < n_a; i++)
    if (a[i].fd != b[i].fd || a[i].events != b[i].events)
      return FALSE;
  return TRUE;
}

/* Tells the backend about GLib's fds (self->gfds), touching only the ones
 * that changed since the last iteration (GLib's set rarely changes), unless
 * the backend waits on them itself (wait_glib; see below). */
void
weft_glib_host_sync_fds (WeftReactor *self)
{
  const GPollFD *gfds = self->gfds;
  int n_gfds = self->n_gfds;

  /* A backend that can wait on GLib's fds itself (epoll) does so when GLib
   * has more than its own wake-up fd: it then takes them afresh on each
   * wait, and none is kept in its set. With one fd, keeping it in the set
   * (re-registered below) costs less than a second system call per wait. */
  self->glib_fds_polled = self->ops->wait_glib != NULL && n_gfds > GLIB_FDS_KEPT_IN_SET;
  if (self->glib_fds_polled)
    n_gfds = 0;

  if (same_poll_set (gfds, n_gfds, self->prev_gfds, self->n_prev_gfds))
    {
      /* A kernel set forgets an fd when it is closed, and GLib may close an
       * fd and reuse its number between two iterations: re-register. */
      if (self->ops->flags & WEFT_BACKEND_KERNEL_SET)
        for (int i = 0; i < n_gfds; i++)
          {
            FdEntry *entry = &self->fds[gfds[i].fd];

            if (entry->registered != 0)
              self->ops->set_interest (self->backend, gfds[i].fd, entry->registered, entry->registered, NULL);
          }
      return;
    }

  for (int i = 0; i < self->n_prev_gfds; i++)
    weft_reactor_fd_entry (self, self->prev_gfds[i].fd)->glib_events = 0;
  for (int i = 0; i < n_gfds; i++)
    weft_reactor_fd_entry (self, gfds[i].fd)->glib_events |= from_gio (gfds[i].events);

  for (int pass = 0; pass < 2; pass++)
    {
      const GPollFD *set = pass == 0 ? self->prev_gfds : gfds;
      int n = pass == 0 ? self->n_prev_gfds : n_gfds;

      for (int i = 0; i < n; i++)
        {
          g_autoptr (GError) error = NULL;
          int fd = set[i].fd;

          if (!weft_reactor_fd_entry_sync (self, fd, &self->fds[fd], &error) && !self->hosting_warned)
            {
              g_warning ("Cannot wait on GLib's fd %d with the %s reactor: %s", fd, self->ops->name, error->message);
              self->hosting_warned = TRUE;
            }
        }
    }

  if (self->prev_gfds_alloc < n_gfds)
    {
      self->prev_gfds_alloc = self->gfds_alloc;
      self->prev_gfds = g_renew (GPollFD, self->prev_gfds, self->prev_gfds_alloc);
    }
  memcpy (self->prev_gfds, gfds, sizeof (GPollFD) * n_gfds);
  self->n_prev_gfds = n_gfds;
}

gboolean
weft_glib_host_prepare (WeftReactor *self, gint64 *timeout_us, int *max_priority)
{
  int glib_timeout_ms = -1;
  int n;

  if (!g_main_context_acquire (self->context))
    {
      if (!self->hosting_warned)
        g_warning ("The %s reactor cannot run its GLib main context: another thread owns it", self->ops->name);
      self->hosting_warned = TRUE;
      return FALSE;
    }

  if (g_main_context_prepare (self->context, max_priority))
    *timeout_us = 0;

  while ((n = g_main_context_query (self->context, *max_priority, &glib_timeout_ms, self->gfds, self->gfds_alloc)) >
         self->gfds_alloc)
    {
      self->gfds_alloc = MAX (n, self->gfds_alloc * 2);
      self->gfds = g_renew (GPollFD, self->gfds, self->gfds_alloc);
    }
  self->n_gfds = n;
  weft_glib_host_sync_fds (self);

  if (glib_timeout_ms >= 0)
    {
      gint64 glib_timeout_us = (gint64) glib_timeout_ms * 1000;

      if (*timeout_us < 0 || glib_timeout_us < *timeout_us)
        *timeout_us = glib_timeout_us;
    }
  return TRUE;
}

/* Fills the revents of GLib's fds (self->gfds) from what the wait found
 * (a backend with wait_glib filled them in already); returns how many are
 * ready. */
int
weft_glib_host_collect (WeftReactor *self)
{
  int n_ready = 0;

  if (self->glib_fds_polled)
    {
      /* The wait filled in the revents. */
      for (int i = 0; i < self->n_gfds; i++)
        if (self->gfds[i].revents != 0)
          n_ready++;
      return n_ready;
    }

  for (int i = 0; i < self->n_gfds; i++)
    {
      FdEntry *entry = &self->fds[self->gfds[i].fd];

      self->gfds[i].revents = to_gio (entry->glib_revents, self->gfds[i].events);
      if (self->gfds[i].revents != 0)
        n_ready++;
    }
  for (int i = 0; i < self->n_gfds; i++)
    self->fds[self->gfds[i].fd].glib_revents = 0;
  return n_ready;
}

gboolean
weft_glib_host_check (WeftReactor *self, int max_priority)
{
  weft_glib_host_collect (self);
  return g_main_context_check (self->context, max_priority, self->gfds, self->n_gfds);
}
