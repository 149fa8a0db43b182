/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Regular files and /dev/null as watched fds behave the same on every
 * backend: always ready, as poll() and select() say (epoll refuses them,
 * so the epoll set reports them ready itself). `./program < file` works
 * whichever backend runs it. */

#include "conformance.h"

#include <fcntl.h>
#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>

typedef struct {
  ConformanceFixture *f;
  GString *read;
  guint n_calls;
  WeftIOCondition seen;
  gboolean done;
} FileReader;

static void
read_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  FileReader *reader = user_data;
  char buffer[4];
  ssize_t n;

  reader->n_calls++;
  reader->seen |= condition;
  /* A few bytes per call: the watch must fire again while data remains. */
  n = read (fd, buffer, sizeof buffer);
  g_assert_cmpint (n, >=, 0);
  if (n > 0)
    {
      g_string_append_len (reader->read, buffer, n);
      return;
    }
  weft_watch_remove (watch);
  reader->done = TRUE;
  weft_reactor_stop (reader->f->reactor);
}

static void
test_files_regular_file (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  FileReader reader = { f, g_string_new (NULL) };
  int fd = g_file_open_tmp ("weft-file-XXXXXX", &path, &error);
  const char *text = "a regular file, read through a watch\n";

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  close (fd);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);

  g_assert_nonnull (weft_reactor_add_watch (f->reactor, fd, WEFT_IO_READ, read_cb, &reader, NULL, &error));
  g_assert_no_error (error);
  weft_reactor_run (f->reactor);

  g_assert_true (reader.done);
  g_assert_cmpstr (reader.read->str, ==, text);
  g_assert_cmpuint (reader.n_calls, >, strlen (text) / 4);
  g_assert_true (reader.seen & WEFT_IO_READ);
  g_string_free (reader.read, TRUE);
  close (fd);
  g_unlink (path);
}

typedef struct {
  ConformanceFixture *f;
  guint n_reads;
  guint n_writes;
  WeftWatch *read_watch;
  WeftWatch *write_watch;
} NullRun;

static void
null_read_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  NullRun *run = user_data;
  char c;

  g_assert_true (condition & WEFT_IO_READ);
  g_assert_cmpint (read (fd, &c, 1), ==, 0); /* end of file at once */
  run->n_reads++;
  weft_watch_remove (watch);
  run->read_watch = NULL;
  if (run->write_watch == NULL)
    weft_reactor_stop (run->f->reactor);
}

static void
null_write_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  NullRun *run = user_data;

  g_assert_true (condition & WEFT_IO_WRITE);
  g_assert_cmpint (write (fd, "x", 1), ==, 1);
  if (++run->n_writes < 3)
    return;
  weft_watch_remove (watch);
  run->write_watch = NULL;
  if (run->read_watch == NULL)
    weft_reactor_stop (run->f->reactor);
}

static void
test_files_dev_null (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  NullRun run = { f };
  int in = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = open ("/dev/null", O_WRONLY | O_CLOEXEC);

  g_assert_cmpint (in, >=, 0);
  g_assert_cmpint (out, >=, 0);
  run.read_watch = weft_reactor_add_watch (f->reactor, in, WEFT_IO_READ, null_read_cb, &run, NULL, &error);
  g_assert_no_error (error);
  run.write_watch = weft_reactor_add_watch (f->reactor, out, WEFT_IO_WRITE, null_write_cb, &run, NULL, &error);
  g_assert_no_error (error);
  weft_reactor_run (f->reactor);

  g_assert_cmpuint (run.n_reads, ==, 1);
  g_assert_cmpuint (run.n_writes, ==, 3);
  close (in);
  close (out);
}

/* Pausing a file's watch (interest NONE) stops the reports; resuming
 * brings them back. */
static void
pause_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  guint *n_calls = user_data;

  (*n_calls)++;
  g_assert_true (weft_watch_set_events (watch, WEFT_IO_NONE, NULL));
}

static void
test_files_pause (ConformanceFixture *f)
{
  g_autoptr (GError) error = NULL;
  guint n_calls = 0;
  int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  WeftWatch *watch = weft_reactor_add_watch (f->reactor, fd, WEFT_IO_READ, pause_cb, &n_calls, NULL, &error);

  g_assert_no_error (error);
  conformance_iterate_nonblocking (f, 5);
  g_assert_cmpuint (n_calls, ==, 1);
  g_assert_true (weft_watch_set_events (watch, WEFT_IO_READ, NULL));
  conformance_iterate_nonblocking (f, 5);
  g_assert_cmpuint (n_calls, ==, 2);
  weft_watch_remove (watch);
  close (fd);
}

const ConformanceCase conformance_file_cases[] = {
  { "files/regular-file", test_files_regular_file },
  { "files/dev-null", test_files_dev_null },
  { "files/pause", test_files_pause },
  { NULL },
};
