/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Watches whose fd is not open: refused when added, and reported once when
 * the fd is closed under them, so that all four backends agree. Left alone,
 * poll() would report POLLNVAL and select() EBADF on every iteration (a
 * busy loop), while an epoll set forgets a closed fd without a word. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "weft-reactor-impl-private.h"

/* How often the reactor looks for watched fds that were closed, at most:
 * epoll gives no sign of them. The look costs one fcntl() per watch, and
 * only happens when the reactor wakes up anyway. */
#define FD_CHECK_INTERVAL_US (500 * 1000)

static gboolean
fd_is_open (int fd)
{
  return fcntl (fd, F_GETFD) >= 0 || errno != EBADF;
}

gboolean
weft_watch_check_fd_open (int fd, GError **error)
{
  if (fd_is_open (fd))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("Cannot watch file descriptor %d: it is not open"), fd);
  return FALSE;
}

void
weft_reactor_report_invalid_fd (WeftReactor *self, int fd)
{
  WeftWatch *watch;
  ReadyEvent ev;

  if (G_UNLIKELY (fd < 0 || fd >= self->fds_len))
    return;
  watch = self->fds[fd].watch;
  if (watch == NULL || watch->removed || watch->fd_invalid)
    return;

  watch->fd_invalid = TRUE;
  if (watch->name != NULL)
    g_warning ("File descriptor %d was closed while “%s” still watched it; the reactor stops waiting on it. "
               "Remove a watch before closing its fd.",
               fd, watch->name);
  else
    g_warning ("File descriptor %d was closed while a watch (callback %p, data %p) still watched it; the reactor "
               "stops waiting on it. Remove a watch before closing its fd, and name watches with "
               "weft_watch_set_name() to find them.",
               fd, (gpointer) watch->callback, watch->user_data);

  /* The owner hears it once, as an error; weft_reactor_dispatch_ready()
   * takes the fd out of the backend's set before delivering it. */
  ev.watch = watch;
  ev.condition = WEFT_IO_ERROR;
  watch->ref_count++;
  g_array_append_val (self->ready, ev);
}

void
weft_reactor_check_watched_fds (WeftReactor *self)
{
  gint64 now;

  if (self->n_watches == 0)
    return;
  now = g_get_monotonic_time ();
  if (now < self->next_fd_check)
    return;
  self->next_fd_check = now + FD_CHECK_INTERVAL_US;

  for (int fd = 0; fd < self->fds_len; fd++)
    {
      WeftWatch *watch = self->fds[fd].watch;

      if (watch != NULL && !watch->internal && !watch->fd_invalid && !fd_is_open (fd))
        weft_reactor_report_invalid_fd (self, fd);
    }
}

/**
 * weft_watch_set_name:
 * @watch: a watch
 * @name: (nullable): what the watch is for, such as "TCP connection to
 *   example.org:6667"
 *
 * Names @watch for the reactor's messages about it, such as the warning
 * given when its fd is closed while it is still watched (GLib's
 * g_source_set_name()). Weft's own transports and ports name theirs.
 */
void
weft_watch_set_name (WeftWatch *watch, const char *name)
{
  g_return_if_fail (watch != NULL);

  g_free (watch->name);
  watch->name = g_strdup (name);
}

/**
 * weft_watch_get_name:
 * @watch: a watch
 *
 * Returns: (nullable): the name given with weft_watch_set_name()
 */
const char *
weft_watch_get_name (WeftWatch *watch)
{
  g_return_val_if_fail (watch != NULL, NULL);

  return watch->name;
}
