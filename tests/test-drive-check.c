/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A reactor with pending timers or watches that nothing runs says so, once,
 * naming the fix; a reactor that is running (waiting in its backend, or
 * inside the application's GLib main loop) never does. The limit is
 * lowered with WEFT_DRIVE_CHECK_MS so the tests take a fraction of a
 * second. */

#include "config.h"

#include <weft/weft.h>

#define LIMIT_MS 150

static GMutex warnings_lock;
static GPtrArray *warnings;

static void
collect (const char *log_domain, GLogLevelFlags log_level, const char *message, gpointer user_data)
{
  g_mutex_lock (&warnings_lock);
  g_ptr_array_add (warnings, g_strdup (message));
  g_mutex_unlock (&warnings_lock);
}

static guint
n_warnings (void)
{
  guint n;

  g_mutex_lock (&warnings_lock);
  n = warnings->len;
  g_mutex_unlock (&warnings_lock);
  return n;
}

static void
nothing (gpointer user_data)
{
}

static void
test_undriven_warns_once (gconstpointer data)
{
  const char *backend = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NONE, &error);
  gint64 deadline;
  const char *message;

  g_assert_no_error (error);
  g_ptr_array_set_size (warnings, 0);
  weft_reactor_call_later (reactor, 60 * WEFT_USEC_PER_SEC, nothing, NULL, NULL);

  /* Nobody runs it: wait (bounded) for the warning. */
  deadline = g_get_monotonic_time () + 10 * WEFT_USEC_PER_SEC;
  while (n_warnings () == 0 && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_cmpuint (n_warnings (), ==, 1);
  message = g_ptr_array_index (warnings, 0);
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, backend));
  g_assert_nonnull (strstr (message, "weft_reactor_run"));
  g_assert_nonnull (strstr (message, "g_application_run"));

  /* Once only. */
  g_usleep (4 * LIMIT_MS * 1000);
  g_assert_cmpuint (n_warnings (), ==, 1);
}

static void
stop_cb (gpointer reactor)
{
  weft_reactor_stop (reactor);
}

static void
test_waiting_reactor_is_driven (gconstpointer data)
{
  const char *backend = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NONE, &error);

  g_assert_no_error (error);
  g_ptr_array_set_size (warnings, 0);
  /* Idle in its wait for several limits, a timer pending: no warning. */
  weft_reactor_call_later (reactor, 60 * WEFT_USEC_PER_SEC, nothing, NULL, NULL);
  weft_reactor_call_later (reactor, 5 * LIMIT_MS * 1000, stop_cb, reactor, NULL);
  weft_reactor_run (reactor);
  g_assert_cmpuint (n_warnings (), ==, 0);
}

static void
busy_then_stop_cb (gpointer reactor)
{
  /* A callback that takes several limits: busy, not undriven. */
  g_usleep (5 * LIMIT_MS * 1000);
  weft_reactor_stop (reactor);
}

static void
test_busy_callback_is_driven (gconstpointer data)
{
  const char *backend = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NONE, &error);

  g_assert_no_error (error);
  g_ptr_array_set_size (warnings, 0);
  weft_reactor_call_later (reactor, 60 * WEFT_USEC_PER_SEC, nothing, NULL, NULL);
  weft_reactor_call_soon (reactor, busy_then_stop_cb, reactor, NULL);
  weft_reactor_run (reactor);
  g_assert_cmpuint (n_warnings (), ==, 0);
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
test_glib_loop_drives (gconstpointer data)
{
  const char *backend = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new (backend, WEFT_REACTOR_FLAGS_NONE, &error);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_assert_no_error (error);
  g_ptr_array_set_size (warnings, 0);
  /* The application's loop runs the reactor, idle, for several limits. */
  weft_reactor_call_later (reactor, 60 * WEFT_USEC_PER_SEC, nothing, NULL, NULL);
  g_timeout_add (5 * LIMIT_MS, quit_loop, loop);
  g_main_loop_run (loop);
  g_assert_cmpuint (n_warnings (), ==, 0);
}

int
main (int argc, char *argv[])
{
  static const char *const backends[] = { "select", "poll", "epoll", "glib" };

  g_setenv ("WEFT_DRIVE_CHECK_MS", G_STRINGIFY (LIMIT_MS), TRUE);
  g_test_init (&argc, &argv, NULL);
  warnings = g_ptr_array_new_with_free_func (g_free);
  /* Warnings are what these tests look for: collected, not fatal. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_handler ("Weft", G_LOG_LEVEL_WARNING, collect, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
    {
      g_autofree char *undriven = g_strdup_printf ("/%s/drive-check/undriven-warns-once", backends[i]);
      g_autofree char *waiting = g_strdup_printf ("/%s/drive-check/waiting-reactor-is-driven", backends[i]);
      g_autofree char *glib_loop = g_strdup_printf ("/%s/drive-check/glib-loop-drives", backends[i]);

      g_test_add_data_func (undriven, backends[i], test_undriven_warns_once);
      g_test_add_data_func (waiting, backends[i], test_waiting_reactor_is_driven);
      g_autofree char *busy = g_strdup_printf ("/%s/drive-check/busy-callback-is-driven", backends[i]);

      g_test_add_data_func (glib_loop, backends[i], test_glib_loop_drives);
      g_test_add_data_func (busy, backends[i], test_busy_callback_is_driven);
    }
  return g_test_run ();
}
