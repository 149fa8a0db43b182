/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The Linux default: O(ready fds) per wait, and the kernel keeps the
 * interest set, so nothing is re-sent while interest does not change. */

#include "config.h"

#include "weft-backend-private.h"
#include "weft-epoll-set-private.h"

static gpointer
epoll_backend_create (WeftReactor *reactor, GError **error)
{
  WeftEpollSet *set = g_new0 (WeftEpollSet, 1);

  if (!weft_epoll_set_init (set, reactor, error))
    {
      g_free (set);
      return NULL;
    }
  return set;
}

static void
epoll_backend_destroy (gpointer state)
{
  weft_epoll_set_clear (state);
  g_free (state);
}

static gboolean
epoll_backend_set_interest (gpointer state,
                            int fd,
                            WeftIOCondition old_events,
                            WeftIOCondition new_events,
                            GError **error)
{
  return weft_epoll_set_set_interest (state, fd, old_events, new_events, error);
}

static void
epoll_backend_wait (gpointer state, gint64 timeout_us)
{
  weft_epoll_set_wait (state, timeout_us);
}

static int
epoll_backend_wait_glib (gpointer state, GPollFD *gfds, int n_gfds, gint64 timeout_us)
{
  return weft_epoll_set_wait_glib (state, gfds, n_gfds, timeout_us);
}

const WeftBackendOps weft_epoll_backend = {
  .name = "epoll",
  .description = "Linux epoll: O(ready) waits, the default on Linux",
  .flags = WEFT_BACKEND_KERNEL_SET,
  .create = epoll_backend_create,
  .destroy = epoll_backend_destroy,
  .set_interest = epoll_backend_set_interest,
  .wait = epoll_backend_wait,
  .wait_glib = epoll_backend_wait_glib,
};
