/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* select(2): the portable floor. fd_set is a fixed bitmap, so an fd of
 * FD_SETSIZE or more is refused with an error instead of writing past it. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <sys/select.h>

#include "weft-backend-private.h"
#include "weft-error.h"

typedef struct {
  WeftReactor *reactor;
  fd_set readfds;
  fd_set writefds;
  int max_fd; /* highest fd in either set, or -1 */
} SelectState;

static gpointer
select_backend_create (WeftReactor *reactor, GError **error)
{
  SelectState *state = g_new0 (SelectState, 1);

  state->reactor = reactor;
  FD_ZERO (&state->readfds);
  FD_ZERO (&state->writefds);
  state->max_fd = -1;
  return state;
}

static void
select_backend_destroy (gpointer state)
{
  g_free (state);
}

static gboolean
select_backend_set_interest (gpointer data,
                             int fd,
                             WeftIOCondition old_events,
                             WeftIOCondition new_events,
                             GError **error)
{
  SelectState *state = data;

  if (fd >= FD_SETSIZE)
    {
      if (new_events == WEFT_IO_NONE)
        return TRUE;
      g_set_error (error, WEFT_ERROR, WEFT_ERROR_FD_TOO_LARGE,
                   _ ("File descriptor %d is too large for the select reactor (limit FD_SETSIZE = %d); "
                      "use the poll or epoll reactor"),
                   fd, FD_SETSIZE);
      return FALSE;
    }

  if (new_events & WEFT_IO_READ)
    FD_SET (fd, &state->readfds);
  else
    FD_CLR (fd, &state->readfds);
  if (new_events & WEFT_IO_WRITE)
    FD_SET (fd, &state->writefds);
  else
    FD_CLR (fd, &state->writefds);

  if (new_events != WEFT_IO_NONE)
    state->max_fd = MAX (state->max_fd, fd);
  else if (fd == state->max_fd)
    while (state->max_fd >= 0 && !FD_ISSET (state->max_fd, &state->readfds) &&
           !FD_ISSET (state->max_fd, &state->writefds))
      state->max_fd--;
  return TRUE;
}

/* select() fails as a whole with EBADF; find the culprits, which the core
 * reports once and takes out of the sets, instead of the loop spinning. */
static void
report_bad_fds (SelectState *state)
{
  for (int fd = 0; fd <= state->max_fd; fd++)
    if ((FD_ISSET (fd, &state->readfds) || FD_ISSET (fd, &state->writefds)) && fcntl (fd, F_GETFD) < 0)
      weft_reactor_report_invalid_fd (state->reactor, fd);
}

static void
select_backend_wait (gpointer data, gint64 timeout_us)
{
  SelectState *state = data;
  fd_set readfds = state->readfds;
  fd_set writefds = state->writefds;
  struct timespec ts;
  int n;

  if (timeout_us >= 0)
    {
      ts.tv_sec = timeout_us / G_USEC_PER_SEC;
      ts.tv_nsec = (timeout_us % G_USEC_PER_SEC) * 1000;
    }
  n = pselect (state->max_fd + 1, &readfds, &writefds, NULL, timeout_us >= 0 ? &ts : NULL, NULL);
  if (n < 0)
    {
      if (errno == EBADF)
        report_bad_fds (state);
      else if (errno != EINTR)
        g_critical ("select() failed: %s", g_strerror (errno));
      return;
    }

  for (int fd = 0; fd <= state->max_fd && n > 0; fd++)
    {
      WeftIOCondition condition = 0;

      if (FD_ISSET (fd, &readfds))
        condition |= WEFT_IO_READ;
      if (FD_ISSET (fd, &writefds))
        condition |= WEFT_IO_WRITE;
      if (condition == 0)
        continue;
      n -= ((condition & WEFT_IO_READ) != 0) + ((condition & WEFT_IO_WRITE) != 0);
      weft_reactor_report_ready (state->reactor, fd, condition);
    }
}

const WeftBackendOps weft_select_backend = {
  .name = "select",
  .description = "POSIX select: the portable floor, fds below FD_SETSIZE only",
  .create = select_backend_create,
  .destroy = select_backend_destroy,
  .set_interest = select_backend_set_interest,
  .wait = select_backend_wait,
};
