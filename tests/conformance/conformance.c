/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Generous: a case normally takes well under two seconds, but the suite also
 * runs under AddressSanitizer on a shared machine. A hung case aborts the
 * program instead of waiting for the harness timeout. */
#define WATCHDOG_SECONDS 60

/* "--seed=..." when given, so that a child repeats the parent's run. */
static char *forwarded_seed = NULL;

typedef struct {
  char *backend;
  const ConformanceCase *test_case;
} Registration;

guint
conformance_count_open_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *entry;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((entry = readdir (dir)) != NULL)
    if (entry->d_name[0] != '.')
      n++;
  closedir (dir);

  /* Not counting the directory's own fd. */
  return n - 1;
}

void
conformance_finalize_reactor (ConformanceFixture *f)
{
  WeftReactor *reactor = g_steal_pointer (&f->reactor);

  g_object_add_weak_pointer (G_OBJECT (reactor), (gpointer *) &reactor);
  g_object_unref (reactor);
  if (reactor != NULL)
    g_error ("%s: the reactor is still referenced after the test dropped its reference", f->path);
}

void
conformance_iterate_nonblocking (ConformanceFixture *f, guint n_iterations)
{
  for (guint i = 0; i < n_iterations; i++)
    weft_reactor_iterate (f->reactor, FALSE);
}

void
conformance_iterate_until (ConformanceFixture *f, const guint *counter, guint target)
{
  /* Blocking: the fixture's watchdog ends a wait that never returns. */
  while (*counter < target)
    weft_reactor_iterate (f->reactor, TRUE);
}

void
conformance_drain_default_context (void)
{
  /* GIO finishes cancelled operations and drops its last references from
   * idle callbacks; bounded because GTK may keep a repeating source. */
  for (guint i = 0; i < 1000 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

void
conformance_pipe (int fds[2])
{
  g_assert_no_errno (pipe2 (fds, O_CLOEXEC | O_NONBLOCK));
}

void
conformance_pipe_onto (int fds[2], int read_fd_number)
{
  conformance_pipe (fds);
  if (fds[0] == read_fd_number)
    return;
  if (fds[1] == read_fd_number)
    {
      fds[1] = fcntl (fds[1], F_DUPFD_CLOEXEC, 0);
      g_assert_cmpint (fds[1], >=, 0);
    }
  /* dup3 replaces read_fd_number atomically, whatever it held. */
  g_assert_cmpint (dup3 (fds[0], read_fd_number, O_CLOEXEC), ==, read_fd_number);
  g_assert_no_errno (close (fds[0]));
  fds[0] = read_fd_number;
}

void
conformance_socketpair (int fds[2])
{
  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds));
}

void
conformance_write_byte (int fd)
{
  ssize_t n;

  do
    n = write (fd, "x", 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    g_error ("write to fd %d: %s", fd, g_strerror (errno));
}

gsize
conformance_fill (int fd)
{
  char buffer[4096] = { 0 };
  gsize total = 0;

  for (;;)
    {
      ssize_t n = write (fd, buffer, sizeof buffer);

      if (n > 0)
        total += n;
      else if (n < 0 && errno == EINTR)
        continue;
      else if (n < 0 && errno == EAGAIN)
        return total;
      else
        g_error ("filling fd %d: %s", fd, g_strerror (errno));
    }
}

gsize
conformance_drain (int fd)
{
  char buffer[4096];
  gsize total = 0;

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n > 0)
        total += n;
      else if (n < 0 && errno == EINTR)
        continue;
      else
        return total; /* EOF, EAGAIN or a pending error: nothing more to read */
    }
}

void
conformance_close (int *fd)
{
  if (*fd >= 0)
    g_assert_no_errno (close (*fd));
  *fd = -1;
}

void
conformance_stop_cb (gpointer reactor)
{
  weft_reactor_stop (reactor);
}

void
conformance_assert_condition (WeftWatch *watch, WeftIOCondition condition)
{
  WeftIOCondition events = weft_watch_get_events (watch);

  /* A watch with no interest is not waited on, so it is never called. */
  g_assert_cmpint (events, !=, WEFT_IO_NONE);
  g_assert_cmpint (condition, !=, WEFT_IO_NONE);
  g_assert_cmpint (condition & ~(events | WEFT_IO_HUP | WEFT_IO_ERROR), ==, 0);
}

void
conformance_counter_cb (gpointer counter)
{
  ((ConformanceCounter *) counter)->ran++;
}

void
conformance_counter_notify (gpointer counter)
{
  ((ConformanceCounter *) counter)->notified++;
}

static void
probe_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  ConformanceProbe *probe = user_data;

  g_assert_true (watch == probe->watch);
  g_assert_cmpint (fd, ==, probe->fd);
  g_assert_cmpint (weft_watch_get_fd (watch), ==, fd);
  conformance_assert_condition (watch, condition);

  probe->n_calls++;
  probe->last = condition;
  probe->seen |= condition;
  if (probe->drain)
    conformance_drain (fd);
  if (probe->stop_after != 0 && probe->n_calls == probe->stop_after)
    weft_reactor_stop (probe->f->reactor);
}

static void
probe_notify (gpointer user_data)
{
  ((ConformanceProbe *) user_data)->n_notified++;
}

void
conformance_probe_add (ConformanceProbe *probe, ConformanceFixture *f, int fd, WeftIOCondition events)
{
  g_autoptr (GError) error = NULL;

  probe->f = f;
  probe->fd = fd;
  probe->watch = weft_reactor_add_watch (f->reactor, fd, events, probe_cb, probe, probe_notify, &error);
  g_assert_no_error (error);
  g_assert_nonnull (probe->watch);
  g_assert_cmpint (weft_watch_get_fd (probe->watch), ==, fd);
  g_assert_cmpint (weft_watch_get_events (probe->watch), ==, events);
  g_assert_cmpuint (probe->n_notified, ==, 0);
}

void
conformance_probe_remove (ConformanceProbe *probe)
{
  weft_watch_remove (g_steal_pointer (&probe->watch));
  g_assert_cmpuint (probe->n_notified, ==, 1);
}

static gpointer
watchdog_thread (gpointer user_data)
{
  ConformanceFixture *f = user_data;
  gint64 deadline = g_get_monotonic_time () + WATCHDOG_SECONDS * G_USEC_PER_SEC;

  g_mutex_lock (&f->watchdog_mutex);
  while (!f->watchdog_done)
    {
      if (!g_cond_wait_until (&f->watchdog_cond, &f->watchdog_mutex, deadline) && !f->watchdog_done)
        {
          g_printerr ("%s did not finish within %d s\n", f->path, WATCHDOG_SECONDS);
          abort ();
        }
    }
  g_mutex_unlock (&f->watchdog_mutex);

  return NULL;
}

static void
fixture_setup (ConformanceFixture *f, gconstpointer data)
{
  const Registration *registration = data;
  ConformanceCaseFlags flags;
  WeftReactorFlags reactor_flags = WEFT_REACTOR_FLAGS_NONE;
  g_autoptr (GError) error = NULL;
  g_autofree char *why_not = NULL;

  f->backend = registration->backend;
  f->test_case = registration->test_case;
  f->path = g_strdup (g_test_get_path ());
  flags = f->test_case->flags;

  if (!weft_reactor_backend_is_available (f->backend, NULL, &why_not))
    {
      g_test_skip_printf ("the %s backend cannot run here: %s", f->backend, why_not ? why_not : "no reason given");
      return;
    }

  if (f->test_case->prepare != NULL)
    f->test_case->prepare ();
  if (flags & CONFORMANCE_DEFAULT_CONTEXT)
    conformance_drain_default_context ();

  f->n_fds_at_start = conformance_count_open_fds ();
  f->started = TRUE;

  g_mutex_init (&f->watchdog_mutex);
  g_cond_init (&f->watchdog_cond);
  f->watchdog = g_thread_new ("conformance-watchdog", watchdog_thread, f);

  if (flags & CONFORMANCE_NO_GLIB_HOSTING)
    reactor_flags |= WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING;

  if (flags & CONFORMANCE_DEFAULT_CONTEXT)
    {
      f->reactor = weft_reactor_new (f->backend, reactor_flags, &error);
    }
  else
    {
      f->context = g_main_context_new ();
      f->reactor = weft_reactor_new_for_context (f->backend, reactor_flags, f->context, &error);
    }
  g_assert_no_error (error);
  g_assert_nonnull (f->reactor);
  g_assert_cmpstr (weft_reactor_get_backend_name (f->reactor), ==, f->backend);
  f->reactor_thread = g_thread_self ();
}

static void
fixture_run (ConformanceFixture *f, gconstpointer data)
{
  if (f->started)
    f->test_case->func (f);
}

static void
fixture_teardown (ConformanceFixture *f, gconstpointer data)
{
  if (f->started)
    {
      if (f->reactor != NULL)
        {
          g_assert_false (weft_reactor_is_running (f->reactor));
          g_assert_cmpuint (weft_reactor_get_n_timers (f->reactor), ==, 0);
          g_assert_cmpuint (weft_reactor_get_n_watches (f->reactor), ==, 0);
          conformance_finalize_reactor (f);
        }
      if (f->context != NULL)
        g_main_context_unref (g_steal_pointer (&f->context));
      else
        conformance_drain_default_context ();

      /* No fd leaked. GTK and GIO may close one of their own that was open
       * when the case started (a display or bus connection's helper), which
       * is not the case's doing. */
      g_assert_cmpuint (conformance_count_open_fds (), <=, f->n_fds_at_start);

      g_mutex_lock (&f->watchdog_mutex);
      f->watchdog_done = TRUE;
      g_cond_signal (&f->watchdog_cond);
      g_mutex_unlock (&f->watchdog_mutex);
      g_thread_join (g_steal_pointer (&f->watchdog));
      g_cond_clear (&f->watchdog_cond);
      g_mutex_clear (&f->watchdog_mutex);
    }
  g_free (f->path);
}

static void
registration_free (gpointer data)
{
  Registration *registration = data;

  g_free (registration->backend);
  g_free (registration);
}

#ifdef __SANITIZE_ADDRESS__
/* LeakSanitizer: fontconfig, loaded by GTK, keeps caches for the life of the
 * process. Everything else, Weft included, stays checked. */
const char *__lsan_default_suppressions (void);

const char *
__lsan_default_suppressions (void)
{
  return "leak:libfontconfig.so\n";
}
#endif

/* Runs the case in a child process (this program, in-process mode) so that a
 * failed assertion or a crash in one case does not hide the others. The
 * child's TAP comments and stderr become this test's messages. */
static void
run_case_in_subprocess (gconstpointer data)
{
  g_autofree char *program = g_file_read_link ("/proc/self/exe", NULL);
  const char *argv[] = { program, "--tap", "-p", g_test_get_path (), forwarded_seed, NULL };
  g_auto (GStrv) envp = g_environ_setenv (g_get_environ (), "WEFT_CONFORMANCE_IN_PROCESS", "1", TRUE);
  g_autofree char *child_stdout = NULL;
  g_autofree char *child_stderr = NULL;
  g_autofree char *skip_reason = NULL;
  g_autofree char *first_error = NULL;
  g_auto (GStrv) out_lines = NULL;
  g_auto (GStrv) err_lines = NULL;
  g_autoptr (GError) error = NULL;
  int wait_status = 0;

  g_assert_nonnull (program);
  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &child_stdout, &child_stderr, &wait_status,
                &error);
  g_assert_no_error (error);

  out_lines = g_strsplit (child_stdout, "\n", -1);
  for (guint i = 0; out_lines[i] != NULL; i++)
    {
      const char *line = out_lines[i];
      const char *skip = strstr (line, " # SKIP");

      if (g_str_has_prefix (line, "ok ") && skip != NULL)
        skip_reason = g_strdup (g_strstrip ((char *) skip + strlen (" # SKIP")));
      else if (g_str_has_prefix (line, "# ") && !g_str_has_prefix (line, "# Start of ") &&
               !g_str_has_prefix (line, "# End of ") && !g_str_has_prefix (line, "# random seed:") &&
               !g_str_has_prefix (line, "# GLib-GIO-DEBUG:"))
        g_test_message ("%s", line + 2);
    }
  err_lines = g_strsplit (child_stderr, "\n", -1);
  for (guint i = 0; err_lines[i] != NULL; i++)
    {
      if (*err_lines[i] == '\0' || g_str_equal (err_lines[i], "**"))
        continue;
      g_test_message ("%s", err_lines[i]);
      if (first_error == NULL)
        first_error = g_strdup (err_lines[i]);
    }

  if (WIFEXITED (wait_status) && (WEXITSTATUS (wait_status) == 0 || WEXITSTATUS (wait_status) == 77))
    {
      if (skip_reason != NULL || WEXITSTATUS (wait_status) == 77)
        g_test_skip (skip_reason != NULL && *skip_reason != '\0' ? skip_reason : "skipped");
    }
  else if (WIFSIGNALED (wait_status))
    g_test_fail_printf ("killed by signal %d (%s): %s", WTERMSIG (wait_status), g_strsignal (WTERMSIG (wait_status)),
                        first_error != NULL ? first_error : "no message");
  else
    g_test_fail_printf ("exit status %d: %s", WEXITSTATUS (wait_status),
                        first_error != NULL ? first_error : "no message");
}

int
conformance_main (int argc, char **argv, const ConformanceCase *const *tables, guint n_tables)
{
  g_autoptr (GPtrArray) registrations = g_ptr_array_new_with_free_func (registration_free);
  const char *const *backends;
  gboolean in_process;
  char **seeded_argv = NULL;
  int status;

  /* Keep GIO and GTK from reaching for session services that a test machine
   * may not have; each of these can be overridden from the environment. */
  g_setenv ("GIO_USE_VFS", "local", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  g_setenv ("GTK_A11Y", "none", FALSE);
  /* Software rendering keeps frame times predictable on a loaded machine. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  /* Tests write into pipes whose reader is gone. */
  signal (SIGPIPE, SIG_IGN);

  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--seed="))
        forwarded_seed = g_strdup (argv[i]);
      else if (g_str_equal (argv[i], "--seed") && i + 1 < argc)
        forwarded_seed = g_strconcat ("--seed=", argv[i + 1], NULL);
    }
  if (forwarded_seed == NULL)
    {
      /* Pick the seed here (in GLib's format) so that the one this program
       * prints also reproduces every child. */
      forwarded_seed = g_strdup_printf ("--seed=R02S%08x%08x%08x%08x", g_random_int (), g_random_int (),
                                        g_random_int (), g_random_int ());
      seeded_argv = g_new0 (char *, argc + 2);
      memcpy (seeded_argv, argv, argc * sizeof (char *));
      seeded_argv[argc++] = forwarded_seed;
      argv = seeded_argv;
    }

  g_test_init (&argc, &argv, NULL);

  /* Each case runs in a child process of its own; set
   * WEFT_CONFORMANCE_IN_PROCESS=1 to run them here, e.g. under a debugger. */
  in_process = g_getenv ("WEFT_CONFORMANCE_IN_PROCESS") != NULL;
  if (!in_process)
    {
      /* Report a failed case and go on to the next (--keep-going). */
      g_test_set_nonfatal_assertions ();
    }

  backends = weft_reactor_list_backends ();
  g_assert_nonnull (backends);
  for (guint b = 0; backends[b] != NULL; b++)
    {
      for (guint t = 0; t < n_tables; t++)
        {
          for (const ConformanceCase *c = tables[t]; c->path != NULL; c++)
            {
              Registration *registration = g_new0 (Registration, 1);
              g_autofree char *path = g_strdup_printf ("/%s/%s", backends[b], c->path);

              registration->backend = g_strdup (backends[b]);
              registration->test_case = c;
              g_ptr_array_add (registrations, registration);
              if (in_process)
                g_test_add (path, ConformanceFixture, registration, fixture_setup, fixture_run, fixture_teardown);
              else
                g_test_add_data_func (path, registration, run_case_in_subprocess);
            }
        }
    }

  status = g_test_run ();
  g_free (forwarded_seed);
  g_free (seeded_argv);

  return status;
}
