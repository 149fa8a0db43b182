/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "weft-backend-private.h"
#include "weft-epoll-set-private.h"

gboolean
weft_epoll_set_init (WeftEpollSet *set, WeftReactor *reactor, GError **error)
{
  set->reactor = reactor;
  set->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (set->epfd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), _ ("epoll_create1() failed: %s"),
                   g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

void
weft_epoll_set_clear (WeftEpollSet *set)
{
  if (set->epfd >= 0)
    close (set->epfd);
  set->epfd = -1;
  g_clear_pointer (&set->always_ready, g_hash_table_unref);
  g_clear_pointer (&set->pfds, g_free);
  set->pfds_alloc = 0;
}

gboolean
weft_epoll_set_has_always_ready (WeftEpollSet *set)
{
  return set->always_ready != NULL && g_hash_table_size (set->always_ready) > 0;
}

/* Regular files and /dev/null cannot be polled: epoll refuses them with
 * EPERM, while poll() and select() call them always ready. Behave like the
 * latter, so that `./program < file` works on every backend. */
static void
set_always_ready (WeftEpollSet *set, int fd, WeftIOCondition events)
{
  if (events == WEFT_IO_NONE)
    {
      if (set->always_ready != NULL)
        g_hash_table_remove (set->always_ready, GINT_TO_POINTER (fd));
      return;
    }
  if (set->always_ready == NULL)
    set->always_ready = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (set->always_ready, GINT_TO_POINTER (fd), GUINT_TO_POINTER (events));
}

static inline guint32
to_epoll (WeftIOCondition events)
{
  return ((events & WEFT_IO_READ) ? EPOLLIN : 0) | ((events & WEFT_IO_WRITE) ? EPOLLOUT : 0);
}

gboolean
weft_epoll_set_set_interest (WeftEpollSet *set,
                             int fd,
                             WeftIOCondition old_events,
                             WeftIOCondition new_events,
                             GError **error)
{
  struct epoll_event ev = { .events = to_epoll (new_events), .data.fd = fd };
  int op;

  if (new_events == WEFT_IO_NONE)
    {
      /* ENOENT/EBADF: the fd was closed, which removed it already. */
      epoll_ctl (set->epfd, EPOLL_CTL_DEL, fd, &ev);
      set_always_ready (set, fd, WEFT_IO_NONE);
      return TRUE;
    }
  if (set->always_ready != NULL && g_hash_table_contains (set->always_ready, GINT_TO_POINTER (fd)))
    {
      set_always_ready (set, fd, new_events);
      return TRUE;
    }

  op = old_events == WEFT_IO_NONE ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (epoll_ctl (set->epfd, op, fd, &ev) == 0)
    return TRUE;
  /* Our view and the kernel's differ when an fd was closed and its number
   * reused, or dup()ed: fix the kernel's. */
  if (op == EPOLL_CTL_MOD && errno == ENOENT && epoll_ctl (set->epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
    return TRUE;
  if (op == EPOLL_CTL_ADD && errno == EEXIST && epoll_ctl (set->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
    return TRUE;
  if (errno == EPERM ||
      (op == EPOLL_CTL_MOD && errno == ENOENT && epoll_ctl (set->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EPERM))
    {
      set_always_ready (set, fd, new_events);
      return TRUE;
    }

  {
    int saved_errno = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), _ ("Cannot watch fd %d with epoll: %s"), fd,
                 saved_errno == EPERM ? _ ("this kind of file cannot be polled (a regular file?)")
                                      : g_strerror (saved_errno));
  }
  return FALSE;
}

static inline WeftIOCondition
from_epoll (guint32 events)
{
  WeftIOCondition condition = 0;

  if (events & (EPOLLIN | EPOLLPRI | EPOLLRDHUP))
    condition |= WEFT_IO_READ;
  if (events & EPOLLOUT)
    condition |= WEFT_IO_WRITE;
  if (events & EPOLLHUP)
    condition |= WEFT_IO_HUP | WEFT_IO_READ;
  if (events & EPOLLERR)
    condition |= WEFT_IO_ERROR;
  return condition;
}

int
weft_epoll_set_wait (WeftEpollSet *set, gint64 timeout_us)
{
  struct epoll_event events[WEFT_EPOLL_SET_MAX_EVENTS];
  gboolean always = weft_epoll_set_has_always_ready (set);
  int n;

  if (always)
    timeout_us = 0;

#ifdef HAVE_EPOLL_PWAIT2
  struct timespec ts;

  if (timeout_us >= 0)
    {
      ts.tv_sec = timeout_us / G_USEC_PER_SEC;
      ts.tv_nsec = (timeout_us % G_USEC_PER_SEC) * 1000;
    }
  n = epoll_pwait2 (set->epfd, events, G_N_ELEMENTS (events), timeout_us >= 0 ? &ts : NULL, NULL);
  if (n < 0 && errno == ENOSYS)
#endif
    {
      /* Round up: waking before the deadline would spin until it passes. */
      int timeout_ms = timeout_us < 0 ? -1 : (int) MIN ((timeout_us + 999) / 1000, G_MAXINT);

      n = epoll_wait (set->epfd, events, G_N_ELEMENTS (events), timeout_ms);
    }

  if (n < 0)
    {
      if (errno != EINTR)
        g_critical ("epoll_wait() failed: %s", g_strerror (errno));
      return 0;
    }
  for (int i = 0; i < n; i++)
    weft_reactor_report_ready (set->reactor, events[i].data.fd, from_epoll (events[i].events));
  if (always)
    {
      GHashTableIter iter;
      gpointer key, value;
      int n_always = 0;
      g_autofree int *fds = g_new (int, g_hash_table_size (set->always_ready));
      g_autofree guint *interest = g_new (guint, g_hash_table_size (set->always_ready));

      /* Copied first: a report may change the table. */
      g_hash_table_iter_init (&iter, set->always_ready);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          fds[n_always] = GPOINTER_TO_INT (key);
          interest[n_always++] = GPOINTER_TO_UINT (value);
        }
      for (int i = 0; i < n_always; i++)
        weft_reactor_report_ready (set->reactor, fds[i], interest[i]);
      n += n_always;
    }
  return n;
}

/* GLib's fds are not mirrored into the epoll set: a kernel set forgets an fd
 * when it is closed, and GLib may close an fd and reuse its number between
 * two iterations, so a mirror would have to be re-registered (one
 * epoll_ctl() per GLib fd) on every iteration. poll() takes the numbers
 * afresh on each call instead, and costs O(GLib's fds) in one system call:
 * the bound GLib's own loop has (g_main_context_query() and check() walk all
 * its sources, and g_poll() takes all their fds). The epoll fd is readable
 * while one of the set's fds is ready; it goes first, so that when it is
 * ready the kernel does not queue waits on GLib's fds. An fd that both GLib
 * and a Weft watch wait on is reported to each side by its own wait. */
int
weft_epoll_set_wait_glib (WeftEpollSet *set, GPollFD *gfds, int n_gfds, gint64 timeout_us)
{
  struct timespec ts;
  int n_ready = 0;
  int n;

  if (n_gfds == 0)
    {
      weft_epoll_set_wait (set, timeout_us);
      return 0;
    }
  if (weft_epoll_set_has_always_ready (set))
    timeout_us = 0;

  if (set->pfds_alloc < n_gfds + 1)
    {
      set->pfds_alloc = MAX (n_gfds + 1, set->pfds_alloc * 2);
      set->pfds = g_renew (struct pollfd, set->pfds, set->pfds_alloc);
    }
  set->pfds[0].fd = set->epfd;
  set->pfds[0].events = POLLIN;
  set->pfds[0].revents = 0;
  for (int i = 0; i < n_gfds; i++)
    {
      set->pfds[i + 1].fd = gfds[i].fd;
      set->pfds[i + 1].events = gfds[i].events;
      set->pfds[i + 1].revents = 0;
    }

  if (timeout_us >= 0)
    {
      ts.tv_sec = timeout_us / G_USEC_PER_SEC;
      ts.tv_nsec = (timeout_us % G_USEC_PER_SEC) * 1000;
    }
  n = ppoll (set->pfds, n_gfds + 1, timeout_us >= 0 ? &ts : NULL, NULL);
  if (n < 0)
    {
      if (errno != EINTR)
        g_critical ("poll() failed: %s", g_strerror (errno));
      for (int i = 0; i < n_gfds; i++)
        gfds[i].revents = 0;
      return 0;
    }

  for (int i = 0; i < n_gfds; i++)
    {
      gfds[i].revents = set->pfds[i + 1].revents;
      if (gfds[i].revents != 0)
        n_ready++;
    }
  if (set->pfds[0].revents != 0 || weft_epoll_set_has_always_ready (set))
    weft_epoll_set_wait (set, 0);
  return n_ready;
}
