/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* poll(2): no fd limit, O(watched fds) per wait. The pollfd array is kept
 * dense (removal swaps in the last entry) and indexed by fd through a map. */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

#include "weft-backend-private.h"

typedef struct {
  WeftReactor *reactor;
  GArray *pollfds; /* struct pollfd */
  GArray *index;   /* int per fd: position in pollfds, or -1 */
} PollState;

static gpointer
poll_backend_create (WeftReactor *reactor, GError **error)
{
  PollState *state = g_new0 (PollState, 1);

  state->reactor = reactor;
  state->pollfds = g_array_new (FALSE, FALSE, sizeof (struct pollfd));
  state->index = g_array_new (FALSE, FALSE, sizeof (int));
  return state;
}

static void
poll_backend_destroy (gpointer data)
{
  PollState *state = data;

  g_array_unref (state->pollfds);
  g_array_unref (state->index);
  g_free (state);
}

static int *
index_slot (PollState *state, int fd)
{
  while ((int) state->index->len <= fd)
    {
      int none = -1;

      g_array_append_val (state->index, none);
    }
  return &g_array_index (state->index, int, fd);
}

static gboolean
poll_backend_set_interest (gpointer data,
                           int fd,
                           WeftIOCondition old_events,
                           WeftIOCondition new_events,
                           GError **error)
{
  PollState *state = data;
  int *slot = index_slot (state, fd);
  short events = ((new_events & WEFT_IO_READ) ? POLLIN : 0) | ((new_events & WEFT_IO_WRITE) ? POLLOUT : 0);

  if (new_events == WEFT_IO_NONE)
    {
      int last = state->pollfds->len - 1;

      if (*slot < 0)
        return TRUE;
      if (*slot != last)
        {
          struct pollfd moved = g_array_index (state->pollfds, struct pollfd, last);

          g_array_index (state->pollfds, struct pollfd, *slot) = moved;
          *index_slot (state, moved.fd) = *slot;
        }
      g_array_set_size (state->pollfds, last);
      *slot = -1;
      return TRUE;
    }

  if (*slot < 0)
    {
      struct pollfd pfd = { .fd = fd, .events = events };

      *slot = state->pollfds->len;
      g_array_append_val (state->pollfds, pfd);
    }
  else
    g_array_index (state->pollfds, struct pollfd, *slot).events = events;
  return TRUE;
}

static void
poll_backend_wait (gpointer data, gint64 timeout_us)
{
  PollState *state = data;
  struct pollfd *pfds = (struct pollfd *) (gpointer) state->pollfds->data;
  struct timespec ts;
  int n;

  if (timeout_us >= 0)
    {
      ts.tv_sec = timeout_us / G_USEC_PER_SEC;
      ts.tv_nsec = (timeout_us % G_USEC_PER_SEC) * 1000;
    }
  n = ppoll (pfds, state->pollfds->len, timeout_us >= 0 ? &ts : NULL, NULL);
  if (n < 0)
    {
      if (errno != EINTR)
        g_critical ("poll() failed: %s", g_strerror (errno));
      return;
    }

  for (guint i = 0; i < state->pollfds->len && n > 0; i++)
    {
      short revents = pfds[i].revents;
      WeftIOCondition condition = 0;

      if (revents == 0)
        continue;
      n--;
      if (revents & POLLNVAL)
        {
          /* Closed under its watch: reported once, not on every wait. */
          weft_reactor_report_invalid_fd (state->reactor, pfds[i].fd);
          continue;
        }
      if (revents & (POLLIN | POLLPRI))
        condition |= WEFT_IO_READ;
      if (revents & POLLOUT)
        condition |= WEFT_IO_WRITE;
      if (revents & POLLHUP)
        condition |= WEFT_IO_HUP | WEFT_IO_READ;
      if (revents & POLLERR)
        condition |= WEFT_IO_ERROR;
      weft_reactor_report_ready (state->reactor, pfds[i].fd, condition);
    }
}

const WeftBackendOps weft_poll_backend = {
  .name = "poll",
  .description = "POSIX poll: no fd limit, O(watched fds) per wait",
  .create = poll_backend_create,
  .destroy = poll_backend_destroy,
  .set_interest = poll_backend_set_interest,
  .wait = poll_backend_wait,
};
