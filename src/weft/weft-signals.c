/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "weft-reactor.h"
#include "weft-signals-private.h"

struct _WeftSignalWatch {
  WeftReactor *reactor; /* not owned */
  int signum;
  WeftSignalFunc callback;
  gpointer user_data;
  GDestroyNotify notify;
  struct sigaction previous;
  gatomicrefcount ref_count; /* the reactor's, plus the callers' */
  gboolean removed;
};

G_DEFINE_BOXED_TYPE (WeftSignalWatch, weft_signal_watch, weft_signal_watch_ref, weft_signal_watch_unref)

/* One watch per signal in the process: a signal is a process-wide event.
 * The tables are written under the lock from reactor threads and read by
 * the handler, which takes no lock. */
static GMutex signals_lock;
static WeftSignalWatch *watches[NSIG];
static volatile int wake_fds[NSIG];
static volatile sig_atomic_t pending[NSIG];
static volatile sig_atomic_t any_pending;

static void
on_signal (int signum)
{
  int saved_errno = errno;
  int fd = wake_fds[signum];
  uint64_t one = 1;

  pending[signum] = 1;
  any_pending = 1;
  if (fd >= 0 && write (fd, &one, sizeof one) < 0)
    {
      /* EAGAIN: the counter is saturated, so the reactor wakes anyway. */
    }
  errno = saved_errno;
}

/**
 * weft_reactor_add_signal_watch:
 * @reactor: a reactor
 * @signum: a signal number, such as `SIGHUP` or `SIGINT`
 * @callback: (scope notified): called in @reactor's thread after the signal
 *   arrived
 * @user_data: (closure): data for @callback
 * @notify: (nullable): frees @user_data when the watch is removed
 * @error: return location for a #GError
 *
 * Delivers @signum to @reactor as an ordinary callback: the process's
 * handler for @signum is replaced until the watch is removed, when the
 * previous one comes back. Signals arriving in quick succession may be
 * coalesced into one call. A signal has at most one watch in the process;
 * a second fails with %G_IO_ERROR_EXISTS.
 *
 * While weft_reactor_run() runs, SIGINT and SIGTERM without a watch of
 * their own stop the reactor (unless it was created with
 * %WEFT_REACTOR_FLAGS_NO_SIGNAL_HANDLERS): adding a watch for either
 * replaces that default.
 *
 * Returns: (transfer none) (nullable): the watch, owned by @reactor until
 *   weft_signal_watch_remove()
 */
WeftSignalWatch *
weft_reactor_add_signal_watch (WeftReactor *reactor,
                               int signum,
                               WeftSignalFunc callback,
                               gpointer user_data,
                               GDestroyNotify notify,
                               GError **error)
{
  struct sigaction action;
  WeftSignalWatch *watch;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (signum <= 0 || signum >= NSIG || signum == SIGKILL || signum == SIGSTOP)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Signal %d cannot be watched"), signum);
      return NULL;
    }

  g_mutex_lock (&signals_lock);
  if (watches[signum] != NULL)
    {
      g_mutex_unlock (&signals_lock);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _ ("Signal %s is already watched by a reactor"),
                   g_strsignal (signum));
      return NULL;
    }

  watch = g_new0 (WeftSignalWatch, 1);
  g_atomic_ref_count_init (&watch->ref_count);
  watch->reactor = reactor;
  watch->signum = signum;
  watch->callback = callback;
  watch->user_data = user_data;
  watch->notify = notify;

  memset (&action, 0, sizeof action);
  action.sa_handler = on_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset (&action.sa_mask);

  wake_fds[signum] = weft_reactor_get_wake_fd (reactor);
  watches[signum] = watch;
  pending[signum] = 0;
  sigaction (signum, &action, &watch->previous);
  g_mutex_unlock (&signals_lock);
  return watch;
}

/**
 * weft_signal_watch_remove:
 * @watch: a signal watch
 *
 * Restores the signal's previous handler, calls @watch's notify function
 * and drops the reactor's reference to @watch (which frees it unless the
 * caller took one with weft_signal_watch_ref()). Safe from any callback,
 * including @watch's own.
 */
void
weft_signal_watch_remove (WeftSignalWatch *watch)
{
  GDestroyNotify notify;

  g_return_if_fail (watch != NULL);
  g_return_if_fail (!watch->removed);

  watch->removed = TRUE;
  g_mutex_lock (&signals_lock);
  g_assert (watches[watch->signum] == watch);
  sigaction (watch->signum, &watch->previous, NULL);
  watches[watch->signum] = NULL;
  wake_fds[watch->signum] = -1;
  pending[watch->signum] = 0;
  g_mutex_unlock (&signals_lock);

  notify = g_steal_pointer (&watch->notify);
  if (notify != NULL)
    notify (g_steal_pointer (&watch->user_data));
  weft_signal_watch_unref (watch);
}

/**
 * weft_signal_watch_ref:
 * @watch: a signal watch
 *
 * Keeps @watch's memory alive, even after weft_signal_watch_remove(); for
 * bindings, which hold on to the objects they were given.
 *
 * Returns: (transfer full): @watch
 */
WeftSignalWatch *
weft_signal_watch_ref (WeftSignalWatch *watch)
{
  g_return_val_if_fail (watch != NULL, NULL);
  g_atomic_ref_count_inc (&watch->ref_count);
  return watch;
}

/**
 * weft_signal_watch_unref:
 * @watch: (transfer full): a signal watch
 *
 * Drops a reference taken with weft_signal_watch_ref(). It does not remove
 * the watch: weft_signal_watch_remove() does.
 */
void
weft_signal_watch_unref (WeftSignalWatch *watch)
{
  g_return_if_fail (watch != NULL);
  if (g_atomic_ref_count_dec (&watch->ref_count))
    g_free (watch);
}

/**
 * weft_signal_watch_get_signum:
 * @watch: a signal watch
 *
 * Returns: the watched signal's number
 */
int
weft_signal_watch_get_signum (WeftSignalWatch *watch)
{
  g_return_val_if_fail (watch != NULL, 0);
  return watch->signum;
}

/* Called on every wake-up of @reactor; cheap unless a signal arrived. */
void
weft_signals_dispatch (WeftReactor *reactor)
{
  if (!any_pending)
    return;
  any_pending = 0;

  for (int signum = 1; signum < NSIG; signum++)
    {
      WeftSignalWatch *watch;

      if (!pending[signum])
        continue;
      g_mutex_lock (&signals_lock);
      watch = watches[signum];
      if (watch == NULL || watch->reactor != reactor)
        {
          /* Another reactor's signal: leave it for that one. */
          if (watch != NULL)
            any_pending = 1;
          g_mutex_unlock (&signals_lock);
          continue;
        }
      pending[signum] = 0;
      g_mutex_unlock (&signals_lock);
      watch->callback (signum, watch->user_data);
    }
}

void
weft_signals_remove_all (WeftReactor *reactor)
{
  for (int signum = 1; signum < NSIG; signum++)
    {
      WeftSignalWatch *watch;

      g_mutex_lock (&signals_lock);
      watch = watches[signum];
      g_mutex_unlock (&signals_lock);
      if (watch != NULL && watch->reactor == reactor)
        weft_signal_watch_remove (watch);
    }
}
