/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

static gboolean
backend_is (ConformanceFixture *f, const char *name)
{
  return g_str_equal (f->backend, name);
}

static void
never_called_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  g_error ("a watch that could not be added was called (fd %d)", fd);
}

static void
write_byte_cb (gpointer fd_pointer)
{
  conformance_write_byte (GPOINTER_TO_INT (fd_pointer));
}

static void
drain_cb (gpointer fd_pointer)
{
  conformance_drain (GPOINTER_TO_INT (fd_pointer));
}

static void
close_fd_cb (gpointer fd_location)
{
  conformance_close (fd_location);
}

/* Readable: nothing before the data, one call (that wakes a blocked run)
 * after it. */
static void
check_read_readiness (ConformanceFixture *f, int fds[2])
{
  ConformanceProbe probe = { 0 };

  conformance_probe_add (&probe, f, fds[0], WEFT_IO_READ);
  conformance_iterate_nonblocking (f, 3);
  g_assert_cmpuint (probe.n_calls, ==, 0);

  probe.drain = TRUE;
  probe.stop_after = 1;
  weft_reactor_call_later (f->reactor, 10 * 1000, write_byte_cb, GINT_TO_POINTER (fds[1]), NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (probe.n_calls, ==, 1);
  g_assert_true (probe.last & WEFT_IO_READ);

  /* Drained: quiet again. */
  conformance_iterate_nonblocking (f, 3);
  g_assert_cmpuint (probe.n_calls, ==, 1);

  conformance_probe_remove (&probe);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

static void
test_watches_read_pipe (ConformanceFixture *f)
{
  int fds[2];

  conformance_pipe (fds);
  check_read_readiness (f, fds);
}

static void
test_watches_read_socketpair (ConformanceFixture *f)
{
  int fds[2];

  conformance_socketpair (fds);
  check_read_readiness (f, fds);
}

static void
test_watches_write (ConformanceFixture *f)
{
  ConformanceProbe probe = { 0 };
  int fds[2];

  conformance_socketpair (fds);
  probe.stop_after = 1;
  conformance_probe_add (&probe, f, fds[0], WEFT_IO_WRITE);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (probe.n_calls, ==, 1);
  g_assert_cmpint (probe.last, ==, WEFT_IO_WRITE);

  conformance_probe_remove (&probe);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

static void
test_watches_write_after_drain (ConformanceFixture *f)
{
  ConformanceProbe probe = { 0 };
  int fds[2];

  conformance_socketpair (fds);
  g_assert_cmpuint (conformance_fill (fds[0]), >, 0);

  conformance_probe_add (&probe, f, fds[0], WEFT_IO_WRITE);
  conformance_iterate_nonblocking (f, 3);
  g_assert_cmpuint (probe.n_calls, ==, 0);

  probe.stop_after = 1;
  weft_reactor_call_later (f->reactor, 10 * 1000, drain_cb, GINT_TO_POINTER (fds[1]), NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (probe.n_calls, ==, 1);
  g_assert_true (probe.last & WEFT_IO_WRITE);

  conformance_probe_remove (&probe);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

static void
set_none_on_first_call_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  guint *n_calls = user_data;
  g_autoptr (GError) error = NULL;

  conformance_assert_condition (watch, condition);
  (*n_calls)++;
  g_assert_true (weft_watch_set_events (watch, WEFT_IO_NONE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (weft_watch_get_events (watch), ==, WEFT_IO_NONE);
}

static void
test_watches_set_events_read_to_none (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  WeftWatch *watch;
  guint n_calls = 0;
  int fds[2];

  /* The data is never read: only the interest keeps the watch quiet. */
  conformance_pipe (fds);
  conformance_write_byte (fds[1]);
  watch = weft_reactor_add_watch (f->reactor, fds[0], WEFT_IO_READ, set_none_on_first_call_cb, &n_calls, NULL, &error);
  g_assert_no_error (error);

  conformance_iterate_until (f, &n_calls, 1);
  conformance_iterate_nonblocking (f, 5);
  g_assert_cmpuint (n_calls, ==, 1);

  /* Interest back: called again at once. */
  g_assert_true (weft_watch_set_events (watch, WEFT_IO_READ, &error));
  g_assert_no_error (error);
  conformance_iterate_until (f, &n_calls, 2);
  conformance_iterate_nonblocking (f, 5);
  g_assert_cmpuint (n_calls, ==, 2);

  /* And NONE set from outside a callback. */
  g_assert_true (weft_watch_set_events (watch, WEFT_IO_READ, &error));
  g_assert_true (weft_watch_set_events (watch, WEFT_IO_NONE, &error));
  g_assert_no_error (error);
  conformance_iterate_nonblocking (f, 5);
  g_assert_cmpuint (n_calls, ==, 2);

  weft_watch_remove (watch);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

static void
test_watches_set_events_read_to_write (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  ConformanceProbe probe = { 0 };
  int fds[2];

  /* Readable and writable; the watch sees only what it asks for. */
  conformance_socketpair (fds);
  conformance_write_byte (fds[1]);
  conformance_probe_add (&probe, f, fds[0], WEFT_IO_READ);
  conformance_iterate_until (f, &probe.n_calls, 1);
  g_assert_cmpint (probe.last, ==, WEFT_IO_READ);

  g_assert_true (weft_watch_set_events (probe.watch, WEFT_IO_WRITE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (weft_watch_get_events (probe.watch), ==, WEFT_IO_WRITE);
  probe.seen = WEFT_IO_NONE;
  conformance_iterate_until (f, &probe.n_calls, 3);
  g_assert_cmpint (probe.seen, ==, WEFT_IO_WRITE);

  g_assert_true (weft_watch_set_events (probe.watch, WEFT_IO_READ | WEFT_IO_WRITE, &error));
  probe.seen = WEFT_IO_NONE;
  conformance_iterate_until (f, &probe.n_calls, 4);
  g_assert_cmpint (probe.seen, ==, WEFT_IO_READ | WEFT_IO_WRITE);

  g_assert_true (weft_watch_set_events (probe.watch, WEFT_IO_NONE, &error));
  conformance_iterate_nonblocking (f, 5);
  g_assert_cmpuint (probe.n_calls, ==, 4);

  conformance_probe_remove (&probe);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

static void
check_hang_up (ConformanceFixture *f, int fds[2])
{
  ConformanceProbe probe = { 0 };
  char byte;

  probe.stop_after = 1;
  conformance_probe_add (&probe, f, fds[0], WEFT_IO_READ);
  weft_reactor_call_later (f->reactor, 10 * 1000, close_fd_cb, &fds[1], NULL);
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (probe.n_calls, ==, 1);
  g_assert_true (probe.last & (WEFT_IO_READ | WEFT_IO_HUP));
  g_assert_cmpint (read (fds[0], &byte, 1), ==, 0);

  conformance_probe_remove (&probe);
  conformance_close (&fds[0]);
}

static void
test_watches_hang_up_pipe (ConformanceFixture *f)
{
  int fds[2];

  conformance_pipe (fds);
  check_hang_up (f, fds);
}

static void
test_watches_hang_up_socketpair (ConformanceFixture *f)
{
  int fds[2];

  conformance_socketpair (fds);
  check_hang_up (f, fds);
}

typedef struct {
  ConformanceFixture *f;
  guint n_calls;
} Pause;

static void
pause_reading_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  Pause *pause = user_data;

  conformance_assert_condition (watch, condition);
  pause->n_calls++;
  g_assert_true (weft_watch_set_events (watch, WEFT_IO_NONE, NULL));
}

static void
test_watches_paused_hung_up_does_not_spin (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  Pause pause = { f };
  WeftWatch *watch;
  guint64 wakeups;
  int fds[2];

  /* A reader that pauses on a hung-up pipe: HUP is not waited for either. */
  conformance_pipe (fds);
  conformance_close (&fds[1]);
  watch = weft_reactor_add_watch (f->reactor, fds[0], WEFT_IO_READ, pause_reading_cb, &pause, NULL, &error);
  g_assert_no_error (error);
  conformance_iterate_until (f, &pause.n_calls, 1);

  wakeups = weft_reactor_get_wakeup_count (f->reactor);
  weft_reactor_call_later (f->reactor, 100 * 1000, conformance_stop_cb, f->reactor, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (pause.n_calls, ==, 1);
  g_assert_cmpuint (weft_reactor_get_wakeup_count (f->reactor) - wakeups, <=, 3);

  /* The same for a watch that starts paused. */
  weft_watch_remove (watch);
  watch = weft_reactor_add_watch (f->reactor, fds[0], WEFT_IO_NONE, pause_reading_cb, &pause, NULL, &error);
  g_assert_no_error (error);
  wakeups = weft_reactor_get_wakeup_count (f->reactor);
  weft_reactor_call_later (f->reactor, 100 * 1000, conformance_stop_cb, f->reactor, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (pause.n_calls, ==, 1);
  g_assert_cmpuint (weft_reactor_get_wakeup_count (f->reactor) - wakeups, <=, 3);

  weft_watch_remove (watch);
  conformance_close (&fds[0]);
}

static void
check_reset_by_peer (ConformanceFixture *f, WeftIOCondition events)
{
  ConformanceProbe probe = { 0 };
  int fds[2];
  char byte;
  ssize_t n;

  /* Closing a Unix socket with unread data resets its peer. */
  conformance_socketpair (fds);
  conformance_write_byte (fds[0]);
  conformance_close (&fds[1]);

  probe.stop_after = 1;
  conformance_probe_add (&probe, f, fds[0], events);
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (probe.n_calls, ==, 1);
  if (backend_is (f, "select"))
    g_assert_true (probe.last & (events | WEFT_IO_ERROR | WEFT_IO_HUP)); /* select sees no error condition */
  else
    g_assert_true (probe.last & (WEFT_IO_ERROR | WEFT_IO_HUP));
  n = read (fds[0], &byte, 1);
  g_assert_true (n == 0 || (n < 0 && errno == ECONNRESET));

  conformance_probe_remove (&probe);
  conformance_close (&fds[0]);
}

static void
test_watches_error_reset_by_peer (ConformanceFixture *f)
{
  check_reset_by_peer (f, WEFT_IO_READ);
  check_reset_by_peer (f, WEFT_IO_WRITE);
}

static void
test_watches_error_connection_refused (ConformanceFixture *f)
{
  struct sockaddr_in address = { 0 };
  socklen_t length = sizeof address;
  ConformanceProbe probe = { 0 };
  int so_error = 0;
  socklen_t so_error_length = sizeof so_error;
  int listener, fd;

  /* A port that was just free: bind, learn it, close. */
  listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (listener, >=, 0);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_no_errno (bind (listener, (struct sockaddr *) &address, sizeof address));
  g_assert_no_errno (getsockname (listener, (struct sockaddr *) &address, &length));
  conformance_close (&listener);

  fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) == 0 || errno != EINPROGRESS)
    {
      int saved_errno = errno;

      conformance_close (&fd);
      g_assert_cmpint (saved_errno, ==, ECONNREFUSED);
      g_test_skip ("the connection was refused before it could be watched");
      return;
    }

  probe.stop_after = 1;
  conformance_probe_add (&probe, f, fd, WEFT_IO_WRITE);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (probe.n_calls, ==, 1);
  g_assert_true (probe.last & (WEFT_IO_WRITE | WEFT_IO_ERROR | WEFT_IO_HUP));
  if (!backend_is (f, "select"))
    g_assert_true (probe.last & (WEFT_IO_ERROR | WEFT_IO_HUP));
  g_assert_no_errno (getsockopt (fd, SOL_SOCKET, SO_ERROR, &so_error, &so_error_length));
  g_assert_cmpint (so_error, ==, ECONNREFUSED);

  conformance_probe_remove (&probe);
  conformance_close (&fd);
}

static void
test_watches_second_watch_exists (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  ConformanceProbe first = { 0 };
  ConformanceProbe again = { 0 };
  WeftWatch *second;
  int fds[2];

  conformance_pipe (fds);
  conformance_probe_add (&first, f, fds[0], WEFT_IO_READ);

  second = weft_reactor_add_watch (f->reactor, fds[0], WEFT_IO_WRITE, never_called_cb, NULL, NULL, &error);
  g_assert_null (second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpuint (weft_reactor_get_n_watches (f->reactor), ==, 1);
  g_clear_error (&error);

  /* The first one still works... */
  conformance_write_byte (fds[1]);
  first.drain = TRUE;
  conformance_iterate_until (f, &first.n_calls, 1);

  /* ...and once it is gone the fd can be watched again. */
  conformance_probe_remove (&first);
  conformance_probe_add (&again, f, fds[0], WEFT_IO_READ);
  conformance_write_byte (fds[1]);
  conformance_iterate_until (f, &again.n_calls, 1);

  conformance_probe_remove (&again);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

/* N pipes with data, all ready in the same pass. The first watch called acts
 * on all the others; what it did must hold for the rest of the pass. */
typedef enum {
  GROUP_REMOVE_OTHERS,
  GROUP_PAUSE_OTHERS,    /* interest NONE */
  GROUP_NARROW_TO_WRITE, /* a pipe's read end is never writable */
  GROUP_REPLACE_OTHERS,  /* remove, close, new pipe on the same fd number, watch it */
} GroupAction;

typedef struct _Group Group;

typedef struct {
  Group *group;
  int fds[2];
  WeftWatch *watch;
  guint n_calls;
  guint n_notified;
  ConformanceProbe fresh; /* GROUP_REPLACE_OTHERS: the watch on the new pipe */
} GroupMember;

struct _Group {
  ConformanceFixture *f;
  GroupAction action;
  guint n;
  GroupMember *members;
  guint n_calls;
  gboolean acted;
};

static void
replace_with_fresh_pipe (ConformanceFixture *f, GroupMember *member)
{
  int number = member->fds[0];

  weft_watch_remove (g_steal_pointer (&member->watch));
  g_assert_cmpuint (member->n_notified, ==, 1);
  conformance_close (&member->fds[0]);
  conformance_close (&member->fds[1]);
  conformance_pipe_onto (member->fds, number);
  conformance_probe_add (&member->fresh, f, number, WEFT_IO_READ);
}

static void
group_act_on_others (Group *group, GroupMember *caller)
{
  for (guint i = 0; i < group->n; i++)
    {
      GroupMember *other = &group->members[i];

      if (other == caller || other->watch == NULL)
        continue;

      switch (group->action)
        {
        case GROUP_REMOVE_OTHERS:
          weft_watch_remove (g_steal_pointer (&other->watch));
          g_assert_cmpuint (other->n_notified, ==, 1);
          break;
        case GROUP_PAUSE_OTHERS:
          g_assert_true (weft_watch_set_events (other->watch, WEFT_IO_NONE, NULL));
          break;
        case GROUP_NARROW_TO_WRITE:
          g_assert_true (weft_watch_set_events (other->watch, WEFT_IO_WRITE, NULL));
          break;
        case GROUP_REPLACE_OTHERS:
          replace_with_fresh_pipe (group->f, other);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

static void
group_member_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  GroupMember *member = user_data;
  Group *group = member->group;

  g_assert_true (watch == member->watch);
  g_assert_cmpint (fd, ==, member->fds[0]);
  conformance_assert_condition (watch, condition);

  member->n_calls++;
  group->n_calls++;
  conformance_drain (fd);
  if (!group->acted)
    {
      group->acted = TRUE;
      group_act_on_others (group, member);
    }
}

static void
group_member_notify (gpointer user_data)
{
  ((GroupMember *) user_data)->n_notified++;
}

static void
group_init (Group *group, ConformanceFixture *f, GroupAction action, guint n)
{
  group->f = f;
  group->action = action;
  group->n = n;
  group->members = g_new0 (GroupMember, n);
  group->n_calls = 0;
  group->acted = FALSE;

  for (guint i = 0; i < n; i++)
    {
      GroupMember *member = &group->members[i];
      g_autoptr (GError) error = NULL;

      member->group = group;
      conformance_pipe (member->fds);
      conformance_write_byte (member->fds[1]);
      member->watch = weft_reactor_add_watch (f->reactor, member->fds[0], WEFT_IO_READ, group_member_cb, member,
                                              group_member_notify, &error);
      g_assert_no_error (error);
    }
}

static void
group_clear (Group *group)
{
  for (guint i = 0; i < group->n; i++)
    {
      GroupMember *member = &group->members[i];

      if (member->watch != NULL)
        {
          weft_watch_remove (g_steal_pointer (&member->watch));
          g_assert_cmpuint (member->n_notified, ==, 1);
        }
      if (member->fresh.watch != NULL)
        conformance_probe_remove (&member->fresh);
      conformance_close (&member->fds[0]);
      conformance_close (&member->fds[1]);
    }
  g_clear_pointer (&group->members, g_free);
}

/* Runs the pass in which every member is ready, then a few more. On a busy
 * machine a non-blocking iteration of the glib backend may end (its work
 * budget) before the readiness is seen, so the first pass is the first
 * iteration that calls anyone; what counts is that no other member is called
 * in that pass or later. */
static void
group_run_pass (Group *group)
{
  for (guint i = 0; i < 100 && !group->acted; i++)
    weft_reactor_iterate (group->f->reactor, FALSE);
  g_assert_true (group->acted);
  g_assert_cmpuint (group->n_calls, ==, 1);
  conformance_iterate_nonblocking (group->f, 3);
}

static void
test_watches_remove_other_in_same_pass (ConformanceFixture *f)
{
  /* Which of the two runs first is the backend's business: try it often. */
  for (guint round = 0; round < 20; round++)
    {
      Group group;

      group_init (&group, f, GROUP_REMOVE_OTHERS, 2);
      group_run_pass (&group);
      g_assert_cmpuint (group.n_calls, ==, 1);
      group_clear (&group);
    }
}

static void
test_watches_remove_many_in_same_pass (ConformanceFixture *f)
{
  Group group;

  group_init (&group, f, GROUP_REMOVE_OTHERS, 64);
  group_run_pass (&group);
  g_assert_cmpuint (group.n_calls, ==, 1);
  g_assert_cmpuint (weft_reactor_get_n_watches (f->reactor), ==, 1);
  group_clear (&group);
}

static void
test_watches_pause_other_in_same_pass (ConformanceFixture *f)
{
  for (guint round = 0; round < 10; round++)
    {
      Group group;

      group_init (&group, f, GROUP_PAUSE_OTHERS, 2);
      group_run_pass (&group);
      g_assert_cmpuint (group.n_calls, ==, 1);

      /* The paused one still has its data: interest back, it is called. */
      for (guint i = 0; i < group.n; i++)
        if (group.members[i].n_calls == 0)
          g_assert_true (weft_watch_set_events (group.members[i].watch, WEFT_IO_READ, NULL));
      conformance_iterate_until (f, &group.n_calls, 2);
      g_assert_cmpuint (group.members[0].n_calls, ==, 1);
      g_assert_cmpuint (group.members[1].n_calls, ==, 1);
      group_clear (&group);
    }
}

static void
test_watches_narrow_other_in_same_pass (ConformanceFixture *f)
{
  for (guint round = 0; round < 10; round++)
    {
      Group group;

      group_init (&group, f, GROUP_NARROW_TO_WRITE, 2);
      group_run_pass (&group);
      g_assert_cmpuint (group.n_calls, ==, 1);
      group_clear (&group);
    }
}

static void
test_watches_fd_reuse_in_same_pass (ConformanceFixture *f)
{
  /* The replaced fd was ready in this pass; its new pipe is empty, so the new
   * watch must not hear of the old readiness. */
  for (guint round = 0; round < 10; round++)
    {
      Group group;
      GroupMember *replaced = NULL;

      group_init (&group, f, GROUP_REPLACE_OTHERS, 2);
      group_run_pass (&group);
      g_assert_cmpuint (group.n_calls, ==, 1);

      for (guint i = 0; i < group.n; i++)
        if (group.members[i].fresh.watch != NULL)
          replaced = &group.members[i];
      g_assert_nonnull (replaced);
      g_assert_cmpuint (replaced->n_calls, ==, 0);
      g_assert_cmpuint (replaced->fresh.n_calls, ==, 0);

      /* The new watch works. */
      conformance_write_byte (replaced->fds[1]);
      replaced->fresh.drain = TRUE;
      conformance_iterate_until (f, &replaced->fresh.n_calls, 1);
      g_assert_true (replaced->fresh.last & WEFT_IO_READ);
      group_clear (&group);
    }
}

static void
test_watches_fd_reuse_with_dup (ConformanceFixture *f)
{
  ConformanceProbe old_probe = { 0 };
  ConformanceProbe new_probe = { 0 };
  int old_pipe[2], new_pipe[2];
  int keep, number;

  /* The old pipe stays open through a dup after its watch is removed and its
   * fd number reused: its readiness must not reach the new watch. */
  conformance_pipe (old_pipe);
  conformance_probe_add (&old_probe, f, old_pipe[0], WEFT_IO_READ);
  conformance_iterate_nonblocking (f, 1);
  keep = fcntl (old_pipe[0], F_DUPFD_CLOEXEC, 0);
  g_assert_cmpint (keep, >=, 0);
  conformance_probe_remove (&old_probe);
  number = old_pipe[0];
  conformance_close (&old_pipe[0]);

  conformance_pipe_onto (new_pipe, number);
  conformance_probe_add (&new_probe, f, number, WEFT_IO_READ);
  conformance_write_byte (old_pipe[1]);
  conformance_iterate_nonblocking (f, 5);
  g_assert_cmpuint (new_probe.n_calls, ==, 0);
  g_assert_cmpuint (old_probe.n_calls, ==, 0);

  conformance_write_byte (new_pipe[1]);
  new_probe.drain = TRUE;
  conformance_iterate_until (f, &new_probe.n_calls, 1);

  conformance_probe_remove (&new_probe);
  conformance_close (&new_pipe[0]);
  conformance_close (&new_pipe[1]);
  conformance_close (&old_pipe[1]);
  conformance_close (&keep);
}

typedef struct {
  ConformanceFixture *f;
  WeftWatch *watch;
  guint n_calls;
  guint n_notified;
} SelfRemoval;

static void
remove_self_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  SelfRemoval *self = user_data;

  g_assert_true (watch == self->watch);
  self->n_calls++;
  weft_watch_remove (watch);
  self->watch = NULL;
  g_assert_cmpuint (self->n_notified, ==, 1);
}

static void
remove_self_notify (gpointer user_data)
{
  ((SelfRemoval *) user_data)->n_notified++;
}

static void
test_watches_remove_self (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  SelfRemoval self = { f };
  int fds[2];

  /* Not drained: only the removal keeps it from being called again. */
  conformance_pipe (fds);
  conformance_write_byte (fds[1]);
  self.watch =
      weft_reactor_add_watch (f->reactor, fds[0], WEFT_IO_READ, remove_self_cb, &self, remove_self_notify, &error);
  g_assert_no_error (error);

  conformance_iterate_until (f, &self.n_calls, 1);
  conformance_iterate_nonblocking (f, 3);
  g_assert_cmpuint (self.n_calls, ==, 1);
  g_assert_cmpuint (self.n_notified, ==, 1);
  g_assert_cmpuint (weft_reactor_get_n_watches (f->reactor), ==, 0);

  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

typedef struct {
  ConformanceFixture *f;
  ConformanceProbe *added;
  int fd;
  guint n_calls;
} AddFromCallback;

static void
add_watch_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  AddFromCallback *add = user_data;

  add->n_calls++;
  conformance_drain (fd);
  if (add->added->watch == NULL)
    {
      add->added->drain = TRUE;
      conformance_probe_add (add->added, add->f, add->fd, WEFT_IO_READ);
    }
}

static void
test_watches_add_from_callback (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  ConformanceProbe added = { 0 };
  AddFromCallback add = { f, &added };
  WeftWatch *watch;
  int first[2], second[2];

  conformance_pipe (first);
  conformance_pipe (second);
  conformance_write_byte (first[1]);
  conformance_write_byte (second[1]);
  add.fd = second[0];
  watch = weft_reactor_add_watch (f->reactor, first[0], WEFT_IO_READ, add_watch_cb, &add, NULL, &error);
  g_assert_no_error (error);

  conformance_iterate_until (f, &add.n_calls, 1);
  g_assert_nonnull (added.watch);
  conformance_iterate_until (f, &added.n_calls, 1);
  g_assert_true (added.last & WEFT_IO_READ);

  weft_watch_remove (watch);
  conformance_probe_remove (&added);
  conformance_close (&first[0]);
  conformance_close (&first[1]);
  conformance_close (&second[0]);
  conformance_close (&second[1]);
}

/* Raises the soft RLIMIT_NOFILE above `fd` if needed; FALSE if it cannot. */
static gboolean
allow_fd_number (int fd, struct rlimit *saved)
{
  struct rlimit raised;

  g_assert_no_errno (getrlimit (RLIMIT_NOFILE, saved));
  raised = *saved;
  if (raised.rlim_cur != RLIM_INFINITY && raised.rlim_cur <= (rlim_t) fd)
    {
      if (raised.rlim_max != RLIM_INFINITY && raised.rlim_max <= (rlim_t) fd)
        return FALSE;
      raised.rlim_cur = fd + 1;
      g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &raised));
    }
  /* The number must be free. */
  g_assert_cmpint (fcntl (fd, F_GETFD), ==, -1);

  return TRUE;
}

static void
check_watch_on_fd_number (ConformanceFixture *f, int number)
{
  ConformanceProbe probe = { 0 };
  int fds[2];

  conformance_pipe (fds);
  g_assert_cmpint (dup3 (fds[0], number, O_CLOEXEC), ==, number);
  conformance_close (&fds[0]);
  fds[0] = number;

  if (number >= FD_SETSIZE && backend_is (f, "select"))
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *limit = g_strdup_printf ("%d", FD_SETSIZE);
      WeftWatch *watch;

      watch = weft_reactor_add_watch (f->reactor, number, WEFT_IO_READ, never_called_cb, NULL, NULL, &error);
      g_assert_null (watch);
      g_assert_error (error, WEFT_ERROR, WEFT_ERROR_FD_TOO_LARGE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, limit));
      g_assert_cmpuint (weft_reactor_get_n_watches (f->reactor), ==, 0);
    }
  else
    {
      conformance_probe_add (&probe, f, number, WEFT_IO_READ);
      conformance_iterate_nonblocking (f, 2);
      g_assert_cmpuint (probe.n_calls, ==, 0);
      conformance_write_byte (fds[1]);
      probe.drain = TRUE;
      conformance_iterate_until (f, &probe.n_calls, 1);
      g_assert_true (probe.last & WEFT_IO_READ);
      conformance_probe_remove (&probe);
    }

  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

static void
test_watches_fd_too_large_for_select (ConformanceFixture *f)
{
  const int number = 1500;
  struct rlimit saved;

  G_STATIC_ASSERT (1500 >= FD_SETSIZE);
  if (!allow_fd_number (number, &saved))
    {
      g_test_skip ("RLIMIT_NOFILE does not allow fd 1500");
      return;
    }
  check_watch_on_fd_number (f, number);
  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &saved));
}

static void
test_watches_fd_setsize_minus_one (ConformanceFixture *f)
{
  struct rlimit saved;

  if (!allow_fd_number (FD_SETSIZE - 1, &saved))
    {
      g_test_skip ("RLIMIT_NOFILE does not allow fd FD_SETSIZE - 1");
      return;
    }
  check_watch_on_fd_number (f, FD_SETSIZE - 1);
  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &saved));
}

static void
test_watches_many (ConformanceFixture *f)
{
  const guint n = 300;
  g_autofree ConformanceProbe *probes = g_new0 (ConformanceProbe, n);
  g_autofree int *write_fds = g_new (int, n);
  guint n_expected = 0, n_called = 0;

  for (guint i = 0; i < n; i++)
    {
      int fds[2];

      conformance_pipe (fds);
      write_fds[i] = fds[1];
      probes[i].drain = TRUE;
      conformance_probe_add (&probes[i], f, fds[0], WEFT_IO_READ);
    }
  g_assert_cmpuint (weft_reactor_get_n_watches (f->reactor), ==, n);

  for (guint i = 0; i < n; i += 3)
    {
      conformance_write_byte (write_fds[i]);
      n_expected++;
    }
  /* A backend may spread a large batch over a few passes. */
  for (guint pass = 0; pass < 100 && n_called < n_expected; pass++)
    {
      weft_reactor_iterate (f->reactor, FALSE);
      n_called = 0;
      for (guint i = 0; i < n; i++)
        n_called += probes[i].n_calls;
    }
  conformance_iterate_nonblocking (f, 3);

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (probes[i].n_calls, ==, i % 3 == 0 ? 1 : 0);
      conformance_probe_remove (&probes[i]);
      conformance_close (&probes[i].fd);
      conformance_close (&write_fds[i]);
    }
}

/* A closed fd is refused when the watch is added, the same on every
 * backend (poll and select used to accept it and then spin). */
static void
test_watches_closed_fd_refused (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  WeftWatch *watch;
  int fds[2];
  int closed;

  conformance_pipe (fds);
  closed = fds[0];
  conformance_close (&fds[0]);
  watch = weft_reactor_add_watch (f->reactor, closed, WEFT_IO_READ, never_called_cb, NULL, NULL, &error);
  g_assert_null (watch);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_nonnull (strstr (error->message, "not open"));
  g_assert_cmpuint (weft_reactor_get_n_watches (f->reactor), ==, 0);

  /* Nothing was left behind: the number can be watched once it is open. */
  conformance_iterate_nonblocking (f, 3);
  conformance_close (&fds[1]);
}

typedef struct {
  WeftReactor *reactor;
  gboolean running;
} Ticker;

/* Wakes the reactor every 20 ms, as a busy program's timers would. */
static void
tick_cb (gpointer user_data)
{
  Ticker *ticker = user_data;

  if (ticker->running)
    weft_reactor_call_later (ticker->reactor, 20 * 1000, tick_cb, ticker, NULL);
}

/* A watched fd that is closed is reported once, with a warning that names
 * the watch and one WEFT_IO_ERROR call, then left alone: no busy loop
 * (poll, select) and no silence (epoll, glib). */
static void
check_closed_while_watched (ConformanceFixture *f, WeftIOCondition events)
{
  ConformanceProbe probe = { 0 };
  Ticker ticker = { f->reactor, TRUE };
  g_autofree char *expected = NULL;
  guint64 wakeups;
  int fds[2];
  int number;

  conformance_pipe (fds);
  if (events & WEFT_IO_WRITE)
    conformance_fill (fds[1]);
  number = events & WEFT_IO_WRITE ? fds[1] : fds[0];
  conformance_probe_add (&probe, f, number, events);
  weft_watch_set_name (probe.watch, "the closed-fd test");
  g_assert_cmpstr (weft_watch_get_name (probe.watch), ==, "the closed-fd test");
  /* The reactor has looked at its fds recently, as a running one has. */
  conformance_iterate_nonblocking (f, 3);
  g_assert_cmpuint (probe.n_calls, ==, 0);

  expected = g_strdup_printf ("File descriptor %d was closed while “the closed-fd test” still watched it*", number);
  g_test_expect_message ("Weft", G_LOG_LEVEL_WARNING, expected);
  if (events & WEFT_IO_WRITE)
    conformance_close (&fds[1]);
  else
    conformance_close (&fds[0]);
  tick_cb (&ticker);
  conformance_iterate_until (f, &probe.n_calls, 1);
  g_assert_cmpuint (probe.last, ==, WEFT_IO_ERROR);
  g_test_assert_expected_messages ();
  ticker.running = FALSE;

  /* Once only, and no busy loop: 100 ms take a few wake-ups. */
  conformance_iterate_nonblocking (f, 3);
  wakeups = weft_reactor_get_wakeup_count (f->reactor);
  weft_reactor_call_later (f->reactor, 100 * 1000, conformance_stop_cb, f->reactor, NULL);
  weft_reactor_run (f->reactor);
  g_assert_cmpuint (probe.n_calls, ==, 1);
  g_assert_cmpuint (weft_reactor_get_wakeup_count (f->reactor) - wakeups, <=, 5);

  /* The watch stays until it is removed, which works as ever. */
  g_assert_cmpint (weft_watch_set_events (probe.watch, WEFT_IO_READ | WEFT_IO_WRITE, NULL), ==, TRUE);
  conformance_iterate_nonblocking (f, 3);
  g_assert_cmpuint (probe.n_calls, ==, 1);
  conformance_probe_remove (&probe);
  g_assert_cmpuint (weft_reactor_get_n_watches (f->reactor), ==, 0);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
}

static void
test_watches_closed_while_watched_read (ConformanceFixture *f)
{
  check_closed_while_watched (f, WEFT_IO_READ);
}

static void
test_watches_closed_while_watched_write (ConformanceFixture *f)
{
  check_closed_while_watched (f, WEFT_IO_WRITE);
}

const ConformanceCase conformance_watch_cases[] = {
  { "watches/read-pipe", test_watches_read_pipe },
  { "watches/read-socketpair", test_watches_read_socketpair },
  { "watches/write", test_watches_write },
  { "watches/write-after-drain", test_watches_write_after_drain },
  { "watches/set-events-read-to-none", test_watches_set_events_read_to_none },
  { "watches/set-events-read-to-write", test_watches_set_events_read_to_write },
  { "watches/hang-up-pipe", test_watches_hang_up_pipe },
  { "watches/hang-up-socketpair", test_watches_hang_up_socketpair },
  { "watches/paused-hung-up-does-not-spin", test_watches_paused_hung_up_does_not_spin },
  { "watches/error-reset-by-peer", test_watches_error_reset_by_peer },
  { "watches/error-connection-refused", test_watches_error_connection_refused },
  { "watches/second-watch-exists", test_watches_second_watch_exists },
  { "watches/remove-other-in-same-pass", test_watches_remove_other_in_same_pass },
  { "watches/remove-many-in-same-pass", test_watches_remove_many_in_same_pass },
  { "watches/pause-other-in-same-pass", test_watches_pause_other_in_same_pass },
  { "watches/narrow-other-in-same-pass", test_watches_narrow_other_in_same_pass },
  { "watches/remove-self", test_watches_remove_self },
  { "watches/add-from-callback", test_watches_add_from_callback },
  { "watches/fd-reuse-in-same-pass", test_watches_fd_reuse_in_same_pass },
  { "watches/fd-reuse-with-dup", test_watches_fd_reuse_with_dup },
  { "watches/fd-too-large-for-select", test_watches_fd_too_large_for_select },
  { "watches/fd-setsize-minus-one", test_watches_fd_setsize_minus_one },
  { "watches/many", test_watches_many },
  { "watches/closed-fd-refused", test_watches_closed_fd_refused },
  { "watches/closed-while-watched-read", test_watches_closed_while_watched_read },
  { "watches/closed-while-watched-write", test_watches_closed_while_watched_write },
  { NULL },
};
