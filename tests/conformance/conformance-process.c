/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <unistd.h>

/* Child processes and standard I/O on every backend. The child is
 * tests/process-helper.c: its arguments are commands such as "out:TEXT",
 * "exit:3" or "echo" (see the top of that file). */

#ifndef PROCESS_HELPER_PATH
#define PROCESS_HELPER_PATH "process-helper"
#endif

#define MAX_CHILD_FD 8
#define PATTERN_MODULUS 251

static const char *
helper_path (void)
{
  const char *path = g_getenv ("WEFT_PROCESS_HELPER");

  return path != NULL && *path != '\0' ? path : PROCESS_HELPER_PATH;
}

/* argv for the helper: its path, then the commands; free with g_strfreev. */
static char **helper_argv (const char *first_command, ...) G_GNUC_NULL_TERMINATED;

static char **
helper_argv (const char *first_command, ...)
{
  GPtrArray *argv = g_ptr_array_new ();
  va_list commands;

  g_ptr_array_add (argv, g_strdup (helper_path ()));
  va_start (commands, first_command);
  for (const char *command = first_command; command != NULL; command = va_arg (commands, const char *))
    g_ptr_array_add (argv, g_strdup (command));
  va_end (commands);
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (argv, FALSE);
}

/* The helper's environment: ours, with the backend under test for a helper
 * that runs a reactor of its own. */
static char **
helper_envp (ConformanceFixture *f)
{
  return g_environ_setenv (g_get_environ (), "WEFT_REACTOR", f->backend, TRUE);
}

static void
assert_reaped (GPid pid)
{
  g_autofree char *proc_path = g_strdup_printf ("/proc/%d", pid);
  int status;

  g_assert_cmpint (waitpid (pid, &status, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
  g_assert_false (g_file_test (proc_path, G_FILE_TEST_EXISTS));
}

/* A process protocol that records what it is told and checks the order
 * every process transport promises. */

#define TEST_TYPE_PROCESS (test_process_get_type ())
G_DECLARE_FINAL_TYPE (TestProcess, test_process, TEST, PROCESS, WeftProcessProtocol)

struct _TestProcess {
  WeftProcessProtocol parent_instance;

  GByteArray *data[MAX_CHILD_FD];
  guint64 received[MAX_CHILD_FD];
  guint n_chunks[MAX_CHILD_FD];
  guint n_lost[MAX_CHILD_FD];
  guint n_made;
  guint n_exited;
  guint n_ended;
  guint n_connection_lost;
  guint n_paused;
  guint n_resumed;
  WeftProcessStatus *exited_status;
  WeftProcessStatus *ended_status;
  GError *lost_reason;
  GPid pid;

  /* Large output: check every byte against the pattern instead of keeping
   * it, and sum the bytes. */
  gboolean check_pattern;
  guint64 byte_sum;

  /* Flow control: write chunks to standard input while not paused. */
  gboolean flood;
  gsize flood_limit;
  gsize written;
  gsize max_buffer;
};

G_DEFINE_FINAL_TYPE (TestProcess, test_process, WEFT_TYPE_PROCESS_PROTOCOL)

static const guint8 *
pattern (void)
{
  static guint8 *bytes = NULL;

  /* Long enough to compare a full read (64 KiB) from any offset. */
  if (bytes == NULL)
    {
      gsize len = 2 * 1024 * 1024;

      bytes = g_malloc (len);
      for (gsize i = 0; i < len; i++)
        bytes[i] = i % PATTERN_MODULUS;
    }
  return bytes;
}

static guint8 flood_chunk[16 * 1024];

static void
flood (TestProcess *self)
{
  WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (self));

  while (self->flood && !weft_protocol_is_writing_paused (WEFT_PROTOCOL (self)) && self->written < self->flood_limit)
    {
      weft_transport_write (transport, flood_chunk, sizeof flood_chunk);
      self->written += sizeof flood_chunk;
      self->max_buffer = MAX (self->max_buffer, weft_transport_get_write_buffer_size (transport));
    }
}

static void
test_process_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  TestProcess *self = TEST_PROCESS (protocol);

  g_assert_cmpuint (self->n_made, ==, 0);
  g_assert_true (WEFT_IS_PROCESS_TRANSPORT (transport));
  self->n_made++;
  self->pid = weft_process_transport_get_pid (WEFT_PROCESS_TRANSPORT (transport));
  g_assert_cmpint (self->pid, >, 0);
  flood (self);
}

static void
test_process_child_data_received (WeftProcessProtocol *protocol, int child_fd, const guint8 *data, gsize len)
{
  TestProcess *self = TEST_PROCESS (protocol);

  g_assert_cmpuint (self->n_made, ==, 1);
  g_assert_cmpuint (self->n_ended, ==, 0);
  g_assert_cmpint (child_fd, >=, 0);
  g_assert_cmpint (child_fd, <, MAX_CHILD_FD);
  g_assert_cmpuint (self->n_lost[child_fd], ==, 0);
  g_assert_cmpuint (len, >, 0);

  if (self->check_pattern && child_fd == 1)
    {
      gsize offset = self->received[1] % PATTERN_MODULUS;

      g_assert_cmpuint (len, <=, 2 * 1024 * 1024 - PATTERN_MODULUS);
      if (memcmp (data, pattern () + offset, len) != 0)
        g_error ("output differs from the pattern in the %zu bytes after byte %" G_GUINT64_FORMAT, len,
                 self->received[1]);
      for (gsize i = 0; i < len; i++)
        self->byte_sum += data[i];
    }
  else
    {
      if (self->data[child_fd] == NULL)
        self->data[child_fd] = g_byte_array_new ();
      g_byte_array_append (self->data[child_fd], data, len);
    }
  self->received[child_fd] += len;
  self->n_chunks[child_fd]++;
}

static void
test_process_child_connection_lost (WeftProcessProtocol *protocol, int child_fd)
{
  TestProcess *self = TEST_PROCESS (protocol);

  g_assert_cmpuint (self->n_ended, ==, 0);
  g_assert_cmpint (child_fd, >=, 0);
  g_assert_cmpint (child_fd, <, MAX_CHILD_FD);
  g_assert_cmpuint (self->n_lost[child_fd], ==, 0);
  self->n_lost[child_fd]++;
}

static void
test_process_process_exited (WeftProcessProtocol *protocol, const WeftProcessStatus *status)
{
  TestProcess *self = TEST_PROCESS (protocol);

  g_assert_cmpuint (self->n_exited, ==, 0);
  g_assert_cmpuint (self->n_ended, ==, 0);
  self->n_exited++;
  self->exited_status = weft_process_status_copy (status);
}

static void
test_process_process_ended (WeftProcessProtocol *protocol, const WeftProcessStatus *status)
{
  TestProcess *self = TEST_PROCESS (protocol);

  g_assert_cmpuint (self->n_exited, ==, 1);
  g_assert_cmpuint (self->n_ended, ==, 0);
  g_assert_cmpint (weft_process_status_get_wait_status (status), ==,
                   weft_process_status_get_wait_status (self->exited_status));
  self->n_ended++;
  self->ended_status = weft_process_status_copy (status);
  /* Reaped before process_exited: no zombie, even while pipes were open. */
  assert_reaped (self->pid);
}

static void
test_process_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  TestProcess *self = TEST_PROCESS (protocol);

  g_assert_cmpuint (self->n_ended, ==, 1);
  g_assert_cmpuint (self->n_connection_lost, ==, 0);
  g_assert_nonnull (reason);
  self->n_connection_lost++;
  self->lost_reason = g_error_copy (reason);
}

static void
test_process_pause_writing (WeftProtocol *protocol)
{
  TEST_PROCESS (protocol)->n_paused++;
}

static void
test_process_resume_writing (WeftProtocol *protocol)
{
  TestProcess *self = TEST_PROCESS (protocol);

  self->n_resumed++;
  flood (self);
}

static void
test_process_finalize (GObject *object)
{
  TestProcess *self = TEST_PROCESS (object);

  for (guint i = 0; i < MAX_CHILD_FD; i++)
    g_clear_pointer (&self->data[i], g_byte_array_unref);
  g_clear_pointer (&self->exited_status, weft_process_status_free);
  g_clear_pointer (&self->ended_status, weft_process_status_free);
  g_clear_error (&self->lost_reason);

  G_OBJECT_CLASS (test_process_parent_class)->finalize (object);
}

static void
test_process_class_init (TestProcessClass *klass)
{
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);
  WeftProcessProtocolClass *process_class = WEFT_PROCESS_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_process_finalize;
  protocol_class->connection_made = test_process_connection_made;
  protocol_class->connection_lost = test_process_connection_lost;
  protocol_class->pause_writing = test_process_pause_writing;
  protocol_class->resume_writing = test_process_resume_writing;
  process_class->child_data_received = test_process_child_data_received;
  process_class->child_connection_lost = test_process_child_connection_lost;
  process_class->process_exited = test_process_process_exited;
  process_class->process_ended = test_process_process_ended;
}

static void
test_process_init (TestProcess *self)
{
}

static TestProcess *
test_process_new (void)
{
  return g_object_new (TEST_TYPE_PROCESS, NULL);
}

/* The bytes received from @child_fd, as a string. */
static const char *
received (TestProcess *self, int child_fd)
{
  if (self->data[child_fd] == NULL)
    self->data[child_fd] = g_byte_array_new ();
  g_byte_array_append (self->data[child_fd], (const guint8 *) "", 1);
  self->data[child_fd]->len--;
  return (const char *) self->data[child_fd]->data;
}

static WeftProcessTransport *
spawn (ConformanceFixture *f, TestProcess *process, char **argv, const WeftChildFd *child_fds, gsize n_child_fds)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) envp = helper_envp (f);
  WeftProcessTransport *transport;

  transport = weft_reactor_spawn_process (f->reactor, WEFT_PROCESS_PROTOCOL (process), (const char *const *) argv,
                                          (const char *const *) envp, NULL, child_fds, n_child_fds, &error);
  g_assert_no_error (error);
  g_assert_nonnull (transport);
  g_assert_cmpuint (process->n_made, ==, 1);
  g_assert_true (weft_protocol_is_connected (WEFT_PROTOCOL (process)));
  return transport;
}

static void
run_until_ended (ConformanceFixture *f, TestProcess *process)
{
  conformance_iterate_until (f, &process->n_ended, 1);
  g_assert_cmpuint (process->n_connection_lost, ==, 1);
  g_assert_false (weft_protocol_is_connected (WEFT_PROTOCOL (process)));
}

/* The three default pipes each closed once. */
static void
assert_default_pipes_lost (TestProcess *process)
{
  for (int fd = 0; fd <= 2; fd++)
    g_assert_cmpuint (process->n_lost[fd], ==, 1);
}

static void
test_process_echo_stdin_stdout (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("echo", NULL);
  g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, NULL, 0);
  g_autoptr (GBytes) bytes = g_bytes_new_static ("bytes, ", 7);
  GOutputVector vectors[] = { { "vec", 3 }, { "tors, ", 6 } };

  weft_process_transport_write (transport, "write, ", 7);
  weft_process_transport_write_bytes (transport, bytes);
  weft_process_transport_writev (transport, vectors, G_N_ELEMENTS (vectors));
  weft_transport_write (WEFT_TRANSPORT (transport), "the end", 7);
  weft_process_transport_close_stdin (transport);
  run_until_ended (f, process);

  g_assert_cmpstr (received (process, 1), ==, "write, bytes, vectors, the end");
  g_assert_cmpstr (received (process, 2), ==, "");
  assert_default_pipes_lost (process);
  g_assert_true (weft_process_status_is_success (process->ended_status));
  g_assert_true (weft_process_transport_has_exited (transport));
  g_assert_true (weft_process_status_is_success (weft_process_transport_get_status (transport)));
  g_assert_error (process->lost_reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
}

static void
test_process_stderr_separate (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("out:first ", "err:oops", "out:second", "err: again", NULL);
  g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, NULL, 0);

  run_until_ended (f, process);
  g_assert_cmpstr (received (process, 1), ==, "first second");
  g_assert_cmpstr (received (process, 2), ==, "oops again");
  assert_default_pipes_lost (process);
}

static void
test_process_exit_code (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("out:bye", "exit:3", NULL);
  g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, NULL, 0);
  g_autofree char *description = NULL;
  g_autoptr (GError) error = NULL;

  run_until_ended (f, process);
  g_assert_cmpstr (received (process, 1), ==, "bye");
  g_assert_true (weft_process_status_exited (process->ended_status));
  g_assert_false (weft_process_status_was_killed (process->ended_status));
  g_assert_false (weft_process_status_is_success (process->ended_status));
  g_assert_cmpint (weft_process_status_get_exit_code (process->ended_status), ==, 3);
  g_assert_cmpint (weft_process_status_get_signal (process->ended_status), ==, 0);
  description = weft_process_status_to_string (process->ended_status);
  g_assert_cmpstr (description, ==, "exited with code 3");
  g_assert_false (weft_process_status_check (process->ended_status, &error));
  g_assert_error (error, WEFT_PROCESS_ERROR, WEFT_PROCESS_ERROR_EXITED);
  g_assert_error (process->lost_reason, WEFT_PROCESS_ERROR, WEFT_PROCESS_ERROR_EXITED);
  g_assert_nonnull (strstr (process->lost_reason->message, "exited with code 3"));
}

static void
test_process_killed_by_signal (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_autofree char *command = g_strdup_printf ("kill:%d", SIGTERM);
  g_auto (GStrv) argv = helper_argv ("out:dying", command, NULL);
  g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, NULL, 0);
  g_autofree char *description = NULL;

  run_until_ended (f, process);
  g_assert_cmpstr (received (process, 1), ==, "dying");
  g_assert_false (weft_process_status_exited (process->ended_status));
  g_assert_true (weft_process_status_was_killed (process->ended_status));
  g_assert_cmpint (weft_process_status_get_signal (process->ended_status), ==, SIGTERM);
  g_assert_cmpint (weft_process_status_get_exit_code (process->ended_status), ==, -1);
  g_assert_false (weft_process_status_core_dumped (process->ended_status));
  description = weft_process_status_to_string (process->ended_status);
  g_assert_nonnull (strstr (description, "SIGTERM"));
  g_assert_error (process->lost_reason, WEFT_PROCESS_ERROR, WEFT_PROCESS_ERROR_KILLED);
  g_assert_nonnull (strstr (process->lost_reason->message, "killed by signal"));
  g_assert_nonnull (strstr (process->lost_reason->message, "SIGTERM"));

  /* And in words for a core dump, from a raw wait status. */
  {
    g_autoptr (WeftProcessStatus) dumped = weft_process_status_new (SIGSEGV | WCOREFLAG);
    g_autofree char *text = weft_process_status_to_string (dumped);

    g_assert_true (weft_process_status_core_dumped (dumped));
    g_assert_cmpint (weft_process_status_get_signal (dumped), ==, SIGSEGV);
    g_assert_nonnull (strstr (text, "SIGSEGV"));
    g_assert_nonnull (strstr (text, "dumped core"));
  }
}

/* The child exits while its output still sits in the pipe (reading is
 * paused): process_exited may come first, process_ended only after every
 * byte and every pipe's end. */
static void
test_process_ended_after_all_output (ConformanceFixture *f)
{
  const gsize size = 32 * 1024; /* fits in a pipe: the child exits at once */
  g_autoptr (TestProcess) process = test_process_new ();
  g_autofree char *command = g_strdup_printf ("write:%zu", size);
  g_auto (GStrv) argv = helper_argv (command, "err:done", NULL);
  g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, NULL, 0);

  weft_transport_pause_reading (WEFT_TRANSPORT (transport));
  conformance_iterate_until (f, &process->n_exited, 1);
  conformance_iterate_nonblocking (f, 5);
  g_assert_cmpuint (process->received[1], ==, 0);
  g_assert_cmpuint (process->n_lost[1], ==, 0);
  g_assert_cmpuint (process->n_ended, ==, 0);
  g_assert_true (weft_process_transport_has_exited (transport));
  /* Already reaped, though its output has not been read. */
  assert_reaped (process->pid);

  weft_transport_resume_reading (WEFT_TRANSPORT (transport));
  run_until_ended (f, process);
  g_assert_cmpuint (process->received[1], ==, size);
  g_assert_cmpstr (received (process, 2), ==, "done");
  for (gsize i = 0; i < size; i++)
    g_assert_cmpuint (process->data[1]->data[i], ==, i % PATTERN_MODULUS);
  assert_default_pipes_lost (process);
}

static void
test_process_extra_fd_3 (ConformanceFixture *f)
{
  const WeftChildFd fds[] = {
    { 0, WEFT_CHILD_FD_TO_CHILD },
    { 1, WEFT_CHILD_FD_FROM_CHILD },
    { 2, WEFT_CHILD_FD_FROM_CHILD },
    { 3, WEFT_CHILD_FD_FROM_CHILD },
  };
  g_autoptr (TestProcess) process = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("fd:3:status: ok", "out:normal output", "close:3", "sleep:20", NULL);
  g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, fds, G_N_ELEMENTS (fds));

  run_until_ended (f, process);
  g_assert_cmpstr (received (process, 3), ==, "status: ok");
  g_assert_cmpstr (received (process, 1), ==, "normal output");
  g_assert_cmpstr (received (process, 2), ==, "");
  g_assert_cmpuint (process->n_lost[3], ==, 1);
  assert_default_pipes_lost (process);
  g_assert_true (weft_process_status_is_success (process->ended_status));
}

/* A parent fd mapped into the child, a gap in the numbers, and nothing else:
 * the child lists its own fds. */
static void
test_process_parent_fd (ConformanceFixture *f)
{
  int side[2];
  char buffer[64] = { 0 };
  ssize_t n;

  conformance_pipe (side);
  {
    const WeftChildFd fds[] = {
      { 1, WEFT_CHILD_FD_FROM_CHILD },
      { 5, WEFT_CHILD_FD_PARENT_FD, side[1] },
    };
    g_autoptr (TestProcess) process = test_process_new ();
    g_auto (GStrv) argv = helper_argv ("list-fds", "fd:5:through the parent's pipe", NULL);
    g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, fds, G_N_ELEMENTS (fds));

    run_until_ended (f, process);
    /* 0 and 2 were not given: /dev/null, never closed fds. */
    g_assert_cmpstr (received (process, 1), ==, "0 1 2 5");
    g_assert_cmpuint (process->n_lost[1], ==, 1);
    g_assert_cmpuint (process->n_lost[0], ==, 0);
    g_assert_cmpuint (process->n_lost[5], ==, 0);
    g_assert_true (weft_process_status_is_success (process->ended_status));
  }
  n = read (side[0], buffer, sizeof buffer - 1);
  g_assert_cmpint (n, ==, strlen ("through the parent's pipe"));
  g_assert_cmpstr (buffer, ==, "through the parent's pipe");
  conformance_close (&side[0]);
  conformance_close (&side[1]);
}

static void
test_process_close_stdin (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("read-eof", "out: after eof", NULL);
  g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, NULL, 0);
  g_autoptr (GError) error = NULL;

  weft_process_transport_write (transport, "12345", 5);
  weft_process_transport_close_stdin (transport);
  /* Later writes are dropped, not sent after the end-of-file. */
  weft_process_transport_write (transport, "678", 3);
  conformance_iterate_until (f, &process->n_lost[0], 1);
  g_assert_false (weft_process_transport_write_to_child (transport, 0, "9", 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  run_until_ended (f, process);
  g_assert_cmpstr (received (process, 1), ==, "eof:5 after eof");
  assert_default_pipes_lost (process);
}

static void
test_process_lose_connection (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("read-eof", NULL);
  g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, NULL, 0);

  weft_process_transport_write (transport, "abc", 3);
  weft_process_transport_lose_connection (transport);
  g_assert_true (weft_transport_is_closing (WEFT_TRANSPORT (transport)));
  run_until_ended (f, process);
  /* Standard input was flushed, then every pipe closed: the child saw the
   * end of its input, and its output went nowhere. */
  g_assert_cmpuint (process->received[1], ==, 0);
  assert_default_pipes_lost (process);
  g_assert_true (weft_process_status_exited (process->ended_status) ||
                 weft_process_status_get_signal (process->ended_status) == SIGPIPE);
}

static void
signal_soon_cb (gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (weft_process_transport_signal_process (user_data, SIGTERM, &error));
  g_assert_no_error (error);
}

static void
test_process_signal_process (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("out:ready", "sleep:20000", NULL);
  g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, NULL, 0);
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  conformance_iterate_until (f, &process->n_chunks[1], 1);
  weft_reactor_call_soon (f->reactor, signal_soon_cb, transport, NULL);
  run_until_ended (f, process);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (weft_process_status_get_signal (process->ended_status), ==, SIGTERM);

  g_assert_false (weft_process_transport_signal_process (transport, SIGTERM, &error));
  g_assert_error (error, WEFT_PROCESS_ERROR, WEFT_PROCESS_ERROR_ALREADY_EXITED);
  g_assert_nonnull (strstr (error->message, "already exited"));
  g_assert_nonnull (strstr (error->message, "SIGTERM"));
}

static void
test_process_no_zombies (ConformanceFixture *f)
{
  const guint n_children = 4;
  TestProcess *processes[4];
  GPid pids[4];
  guint n_ended = 0;

  for (guint i = 0; i < n_children; i++)
    {
      g_autofree char *command = g_strdup_printf ("exit:%u", i);
      g_auto (GStrv) argv = helper_argv (command, NULL);
      WeftProcessTransport *transport;

      processes[i] = test_process_new ();
      transport = spawn (f, processes[i], argv, NULL, 0);
      pids[i] = weft_process_transport_get_pid (transport);
      /* The process keeps itself alive until it has ended. */
      g_object_unref (transport);
    }
  while (n_ended < n_children)
    {
      weft_reactor_iterate (f->reactor, TRUE);
      n_ended = 0;
      for (guint i = 0; i < n_children; i++)
        n_ended += processes[i]->n_ended;
    }
  for (guint i = 0; i < n_children; i++)
    {
      g_assert_cmpint (weft_process_status_get_exit_code (processes[i]->ended_status), ==, i);
      assert_reaped (pids[i]);
      g_object_unref (processes[i]);
    }
}

/* The path of systems without pidfds: a thread waits for each child. */
static void
test_process_exit_without_pidfd (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_autoptr (TestProcess) killed = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("echo", "exit:9", NULL);
  g_auto (GStrv) sleeper_argv = helper_argv ("sleep:20000", NULL);
  g_autoptr (WeftProcessTransport) transport = NULL;
  g_autoptr (WeftProcessTransport) sleeper = NULL;
  g_autoptr (GError) error = NULL;

  g_setenv ("WEFT_DEBUG", "no-pidfd", TRUE);
  transport = spawn (f, process, argv, NULL, 0);
  sleeper = spawn (f, killed, sleeper_argv, NULL, 0);
  g_unsetenv ("WEFT_DEBUG");

  weft_process_transport_write (transport, "data", 4);
  weft_process_transport_close_stdin (transport);
  run_until_ended (f, process);
  g_assert_cmpstr (received (process, 1), ==, "data");
  g_assert_cmpint (weft_process_status_get_exit_code (process->ended_status), ==, 9);

  g_assert_true (weft_process_transport_signal_process (sleeper, SIGKILL, &error));
  g_assert_no_error (error);
  run_until_ended (f, killed);
  g_assert_cmpint (weft_process_status_get_signal (killed->ended_status), ==, SIGKILL);
}

static void
child_watch_done (GPid pid, int wait_status, gpointer user_data)
{
  int *result = user_data;

  *result = wait_status;
  g_spawn_close_pid (pid);
}

static void
run_glib_child (GMainContext *context, int *wait_status, GPid *pid_out)
{
  g_autoptr (GError) error = NULL;
  const char *argv[] = { helper_path (), "sleep:50", "exit:7", NULL };
  GSource *source;
  GPid pid;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  source = g_child_watch_source_new (pid);
  g_source_set_callback (source, G_SOURCE_FUNC (child_watch_done), wait_status, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
  if (pid_out != NULL)
    *pid_out = pid;
}

/* GLib's child watch machinery (a SIGCHLD handler and a worker thread) keeps
 * fds open for the rest of the process: start it before fds are counted. */
static void
warm_up_child_watch (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  int wait_status = -1;

  run_glib_child (context, &wait_status, NULL);
  while (wait_status == -1)
    g_main_context_iteration (context, TRUE);
}

static void
test_process_coexists_with_g_child_watch (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("sleep:20", "exit:5", NULL);
  g_autoptr (WeftProcessTransport) transport = NULL;
  g_autoptr (GError) error = NULL;
  int glib_status = -1;
  GPid glib_pid;

  run_glib_child (weft_reactor_get_context (f->reactor), &glib_status, &glib_pid);
  transport = spawn (f, process, argv, NULL, 0);
  run_until_ended (f, process);
  while (glib_status == -1)
    weft_reactor_iterate (f->reactor, TRUE);

  g_assert_cmpint (weft_process_status_get_exit_code (process->ended_status), ==, 5);
  g_assert_true (WIFEXITED (glib_status));
  g_assert_cmpint (WEXITSTATUS (glib_status), ==, 7);
  g_assert_false (g_spawn_check_wait_status (glib_status, &error));
  g_assert_error (error, G_SPAWN_EXIT_ERROR, 7);
  assert_reaped (glib_pid);
}

typedef struct {
  ConformanceFixture *f;
  guint fired;
  WeftResult *result;
} DeferredResult;

static WeftDeferred *
keep_result (WeftResult *result, gpointer user_data)
{
  DeferredResult *outcome = user_data;

  outcome->fired++;
  outcome->result = weft_result_copy (result);
  /* Handled here: the chain ends clean. */
  weft_result_clear (result);
  return NULL;
}

static void
wait_for (ConformanceFixture *f, WeftDeferred *deferred, DeferredResult *outcome)
{
  outcome->f = f;
  weft_deferred_add_both (deferred, keep_result, outcome, NULL);
  conformance_iterate_until (f, &outcome->fired, 1);
}

static void
test_process_get_output (ConformanceFixture *f)
{
  g_auto (GStrv) argv = helper_argv ("out:hello, ", "err:not part of the output", "out:world", NULL);
  g_autoptr (WeftDeferred) deferred =
      weft_get_process_output (f->reactor, (const char *const *) argv, NULL, g_get_tmp_dir ());
  DeferredResult outcome = { 0 };
  GBytes *output;

  wait_for (f, deferred, &outcome);
  g_assert_false (weft_result_is_error (outcome.result));
  g_assert_true (weft_result_holds (outcome.result, G_TYPE_BYTES));
  output = weft_result_get_boxed (outcome.result);
  g_assert_cmpmem (g_bytes_get_data (output, NULL), g_bytes_get_size (output), "hello, world", 12);
  weft_result_free (outcome.result);
}

static void
test_process_get_output_failure (ConformanceFixture *f)
{
  {
    g_auto (GStrv) argv = helper_argv ("out:partial", "err:disk on fire\n", "exit:4", NULL);
    g_autoptr (WeftDeferred) deferred = weft_get_process_output (f->reactor, (const char *const *) argv, NULL, NULL);
    DeferredResult outcome = { 0 };
    const GError *error;

    wait_for (f, deferred, &outcome);
    g_assert_true (weft_result_error_matches (outcome.result, WEFT_PROCESS_ERROR, WEFT_PROCESS_ERROR_EXITED));
    error = weft_result_get_error (outcome.result);
    g_assert_nonnull (strstr (error->message, "disk on fire"));
    g_assert_nonnull (strstr (error->message, "exited with code 4"));
    g_assert_nonnull (strstr (error->message, "process-helper"));
    weft_result_free (outcome.result);
  }
  {
    g_autofree char *command = g_strdup_printf ("kill:%d", SIGABRT);
    g_auto (GStrv) argv = helper_argv ("err:about to abort", command, NULL);
    g_autoptr (WeftDeferred) deferred = weft_get_process_output (f->reactor, (const char *const *) argv, NULL, NULL);
    DeferredResult outcome = { 0 };
    const GError *error;

    wait_for (f, deferred, &outcome);
    g_assert_true (weft_result_error_matches (outcome.result, WEFT_PROCESS_ERROR, WEFT_PROCESS_ERROR_KILLED));
    error = weft_result_get_error (outcome.result);
    g_assert_nonnull (strstr (error->message, "about to abort"));
    g_assert_nonnull (strstr (error->message, "SIGABRT"));
    weft_result_free (outcome.result);
  }
  {
    const char *argv[] = { "weft-no-such-program", NULL };
    g_autoptr (WeftDeferred) deferred = weft_get_process_output (f->reactor, argv, NULL, NULL);
    DeferredResult outcome = { 0 };

    wait_for (f, deferred, &outcome);
    g_assert_true (weft_result_error_matches (outcome.result, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
    weft_result_free (outcome.result);
  }
}

static void
test_process_get_value (ConformanceFixture *f)
{
  {
    g_auto (GStrv) argv = helper_argv ("out:ignored", "exit:42", NULL);
    g_autoptr (WeftDeferred) deferred = weft_get_process_value (f->reactor, (const char *const *) argv, NULL, NULL);
    DeferredResult outcome = { 0 };

    wait_for (f, deferred, &outcome);
    g_assert_false (weft_result_is_error (outcome.result));
    g_assert_cmpint (weft_result_get_int (outcome.result), ==, 42);
    weft_result_free (outcome.result);
  }
  {
    g_auto (GStrv) argv = helper_argv ("sleep:0", NULL);
    g_autoptr (WeftDeferred) deferred = weft_get_process_value (f->reactor, (const char *const *) argv, NULL, NULL);
    DeferredResult outcome = { 0 };

    wait_for (f, deferred, &outcome);
    g_assert_cmpint (weft_result_get_int (outcome.result), ==, 0);
    weft_result_free (outcome.result);
  }
  {
    g_autofree char *command = g_strdup_printf ("kill:%d", SIGKILL);
    g_auto (GStrv) argv = helper_argv (command, NULL);
    g_autoptr (WeftDeferred) deferred = weft_get_process_value (f->reactor, (const char *const *) argv, NULL, NULL);
    DeferredResult outcome = { 0 };

    wait_for (f, deferred, &outcome);
    g_assert_true (weft_result_error_matches (outcome.result, WEFT_PROCESS_ERROR, WEFT_PROCESS_ERROR_KILLED));
    g_assert_nonnull (strstr (weft_result_get_error (outcome.result)->message, "SIGKILL"));
    weft_result_free (outcome.result);
  }
}

/* Cancelling kills the child; the deferred fails with CANCELLED at once. */
static void
test_process_get_output_cancel (ConformanceFixture *f)
{
  g_auto (GStrv) argv = helper_argv ("sleep:20000", NULL);
  g_autoptr (WeftDeferred) deferred = weft_get_process_output (f->reactor, (const char *const *) argv, NULL, NULL);
  DeferredResult outcome = { 0 };
  gint64 start = g_get_monotonic_time ();

  weft_deferred_add_both (deferred, keep_result, &outcome, NULL);
  conformance_iterate_nonblocking (f, 2);
  weft_deferred_cancel (deferred);
  g_assert_cmpuint (outcome.fired, ==, 1);
  g_assert_true (weft_result_is_cancelled (outcome.result));
  weft_result_free (outcome.result);

  /* The killed child is still reaped, and everything is released. */
  while (weft_reactor_get_n_watches (f->reactor) > 0)
    weft_reactor_iterate (f->reactor, TRUE);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

static void
test_process_large_output (ConformanceFixture *f)
{
  const guint64 size = 100 * 1024 * 1024;
  g_autoptr (TestProcess) process = test_process_new ();
  g_autofree char *command = g_strdup_printf ("write:%" G_GUINT64_FORMAT, size);
  g_auto (GStrv) argv = helper_argv (command, NULL);
  g_autoptr (WeftProcessTransport) transport = NULL;
  guint64 periods = size / PATTERN_MODULUS, rest = size % PATTERN_MODULUS;
  guint64 expected_sum = periods * (PATTERN_MODULUS * (PATTERN_MODULUS - 1) / 2) + rest * (rest - 1) / 2;
  gint64 start = g_get_monotonic_time ();

  process->check_pattern = TRUE;
  transport = spawn (f, process, argv, NULL, 0);
  run_until_ended (f, process);
  g_assert_cmpuint (process->received[1], ==, size);
  g_assert_cmpuint (process->byte_sum, ==, expected_sum);
  g_assert_true (weft_process_status_is_success (process->ended_status));
  g_test_message ("100 MB in %.2f s", (g_get_monotonic_time () - start) / 1e6);
}

static void
check_flood_stopped_cb (gpointer user_data)
{
  TestProcess *process = user_data;
  WeftProcessTransport *transport = WEFT_PROCESS_TRANSPORT (weft_protocol_get_transport (WEFT_PROTOCOL (process)));
  g_autoptr (GError) error = NULL;

  g_assert_true (process->flood);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (WEFT_TRANSPORT (transport)), <=,
                    WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH + sizeof flood_chunk);
  g_assert_cmpuint (process->n_paused, ==, 1);
  g_assert_cmpuint (process->n_resumed, ==, 0);
  g_assert_true (weft_process_transport_signal_process (transport, SIGKILL, &error));
  g_assert_no_error (error);
}

/* A child that never reads: the writer is paused at the high watermark and
 * the buffer stays within one write of it. */
static void
test_process_stdin_flow_control (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("sleep:20000", NULL);
  g_autoptr (WeftProcessTransport) transport = NULL;
  gsize high, low;
  gsize written_when_paused;

  process->flood = TRUE;
  process->flood_limit = 64 * 1024 * 1024;
  transport = spawn (f, process, argv, NULL, 0);
  weft_transport_get_write_buffer_limits (WEFT_TRANSPORT (transport), &high, &low);
  g_assert_cmpuint (high, ==, WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH);

  g_assert_cmpuint (process->n_paused, ==, 1);
  g_assert_true (weft_protocol_is_writing_paused (WEFT_PROTOCOL (process)));
  g_assert_cmpuint (process->max_buffer, >, high);
  g_assert_cmpuint (process->max_buffer, <=, high + sizeof flood_chunk);
  g_assert_cmpuint (process->written, <, 1024 * 1024);
  written_when_paused = process->written;

  /* Nothing drains: no resume, no more writes, the buffer as it was. */
  weft_reactor_call_later (f->reactor, 100 * 1000, check_flood_stopped_cb, process, NULL);
  run_until_ended (f, process);
  g_assert_cmpuint (process->written, ==, written_when_paused);
  g_assert_cmpuint (process->max_buffer, <=, high + sizeof flood_chunk);
  g_assert_cmpint (weft_process_status_get_signal (process->ended_status), ==, SIGKILL);
  assert_default_pipes_lost (process);
}

static void
test_process_spawn_missing_binary (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_autoptr (GError) error = NULL;
  WeftProcessTransport *transport;

  {
    const char *argv[] = { "weft-no-such-program", "--flag", NULL };

    transport =
        weft_reactor_spawn_process (f->reactor, WEFT_PROCESS_PROTOCOL (process), argv, NULL, NULL, NULL, 0, &error);
    g_assert_null (transport);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "“weft-no-such-program”"));
    g_assert_nonnull (strstr (error->message, "PATH"));
    g_clear_error (&error);
  }
  {
    const char *argv[] = { "/nonexistent/weft-program", NULL };

    transport =
        weft_reactor_spawn_process (f->reactor, WEFT_PROCESS_PROTOCOL (process), argv, NULL, NULL, NULL, 0, &error);
    g_assert_null (transport);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "/nonexistent/weft-program"));
    g_clear_error (&error);
  }
  {
    const char *argv[] = { helper_path (), NULL };

    transport = weft_reactor_spawn_process (f->reactor, WEFT_PROCESS_PROTOCOL (process), argv, NULL,
                                            "/nonexistent-folder", NULL, 0, &error);
    g_assert_null (transport);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "/nonexistent-folder"));
    g_clear_error (&error);
  }
  {
    const char *argv[] = { helper_path (), NULL };
    const WeftChildFd fds[] = { { 4, WEFT_CHILD_FD_PARENT_FD, 999 } };

    transport = weft_reactor_spawn_process (f->reactor, WEFT_PROCESS_PROTOCOL (process), argv, NULL, NULL, fds,
                                            G_N_ELEMENTS (fds), &error);
    g_assert_null (transport);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "999"));
    g_clear_error (&error);
  }
  g_assert_cmpuint (process->n_made, ==, 0);
  g_assert_false (weft_protocol_is_connected (WEFT_PROTOCOL (process)));
}

/* stdio: the helper runs a line console over WeftStdio. */

static int
temp_file_with (const char *contents, char **path_out)
{
  g_autoptr (GError) error = NULL;
  int fd = g_file_open_tmp ("weft-stdio-XXXXXX", path_out, &error);

  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, contents, strlen (contents)), ==, strlen (contents));
  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  g_assert_no_errno (fcntl (fd, F_SETFD, FD_CLOEXEC));
  return fd;
}

static void
run_console (ConformanceFixture *f, const WeftChildFd *fds, gsize n_fds, const char *expected_output)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("stdio-echo", NULL);
  g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, fds, n_fds);

  run_until_ended (f, process);
  g_assert_cmpstr (received (process, 2), ==, "");
  if (expected_output != NULL)
    g_assert_cmpstr (received (process, 1), ==, expected_output);
  g_assert_true (weft_process_status_is_success (process->ended_status));
}

static void
test_stdio_file_stdin (ConformanceFixture *f)
{
  g_autofree char *path = NULL;
  int file = temp_file_with ("one\ntwo\n\nthree\n", &path);

  {
    const WeftChildFd fds[] = {
      { 0, WEFT_CHILD_FD_PARENT_FD, file },
      { 1, WEFT_CHILD_FD_FROM_CHILD },
      { 2, WEFT_CHILD_FD_FROM_CHILD },
    };

    run_console (f, fds, G_N_ELEMENTS (fds), "echo: one\necho: two\necho: \necho: three\nbye: 4 lines\n");
  }
  {
    const WeftChildFd fds[] = {
      { 0, WEFT_CHILD_FD_DEV_NULL },
      { 1, WEFT_CHILD_FD_FROM_CHILD },
      { 2, WEFT_CHILD_FD_FROM_CHILD },
    };

    run_console (f, fds, G_N_ELEMENTS (fds), "bye: 0 lines\n");
  }
  conformance_close (&file);
  g_unlink (path);
}

/* A file large enough to take several chunks, into a file: both sides
 * regular files. */
static void
test_stdio_file_stdout (ConformanceFixture *f)
{
  g_autofree char *in_path = NULL;
  g_autofree char *out_path = NULL;
  g_autoptr (GString) input = g_string_new (NULL);
  g_autoptr (GString) expected = g_string_new (NULL);
  g_autofree char *output = NULL;
  g_autoptr (GError) error = NULL;
  int in_file, out_file;
  const guint n_lines = 20000;

  for (guint i = 0; i < n_lines; i++)
    {
      g_string_append_printf (input, "line %u\n", i);
      g_string_append_printf (expected, "echo: line %u\n", i);
    }
  g_string_append_printf (expected, "bye: %u lines\n", n_lines);
  in_file = temp_file_with (input->str, &in_path);
  out_file = temp_file_with ("", &out_path);
  {
    const WeftChildFd fds[] = {
      { 0, WEFT_CHILD_FD_PARENT_FD, in_file },
      { 1, WEFT_CHILD_FD_PARENT_FD, out_file },
      { 2, WEFT_CHILD_FD_FROM_CHILD },
    };

    run_console (f, fds, G_N_ELEMENTS (fds), "");
  }
  g_assert_true (g_file_get_contents (out_path, &output, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (output, ==, expected->str);
  conformance_close (&in_file);
  conformance_close (&out_file);
  g_unlink (in_path);
  g_unlink (out_path);
}

/* Pipes both ways: the reactor watches them. */
static void
test_stdio_pipes (ConformanceFixture *f)
{
  g_autoptr (TestProcess) process = test_process_new ();
  g_auto (GStrv) argv = helper_argv ("stdio-echo", NULL);
  g_autoptr (WeftProcessTransport) transport = spawn (f, process, argv, NULL, 0);

  weft_process_transport_write (transport, "hello\nwor", 9);
  conformance_iterate_until (f, &process->n_chunks[1], 1);
  weft_process_transport_write (transport, "ld\n", 3);
  weft_process_transport_close_stdin (transport);
  run_until_ended (f, process);
  g_assert_cmpstr (received (process, 1), ==, "echo: hello\necho: world\nbye: 2 lines\n");
  g_assert_cmpstr (received (process, 2), ==, "");
}

const ConformanceCase conformance_process_cases[] = {
  { "process/echo-stdin-stdout", test_process_echo_stdin_stdout },
  { "process/stderr-separate", test_process_stderr_separate },
  { "process/exit-code", test_process_exit_code },
  { "process/killed-by-signal", test_process_killed_by_signal },
  { "process/ended-after-all-output", test_process_ended_after_all_output },
  { "process/extra-fd-3", test_process_extra_fd_3 },
  { "process/parent-fd", test_process_parent_fd },
  { "process/close-stdin", test_process_close_stdin },
  { "process/lose-connection", test_process_lose_connection },
  { "process/signal-process", test_process_signal_process },
  { "process/no-zombies", test_process_no_zombies },
  { "process/exit-without-pidfd", test_process_exit_without_pidfd },
  { "process/coexists-with-g-child-watch", test_process_coexists_with_g_child_watch, 0, warm_up_child_watch },
  { "process/get-output", test_process_get_output },
  { "process/get-output-failure", test_process_get_output_failure },
  { "process/get-output-cancel", test_process_get_output_cancel },
  { "process/get-value", test_process_get_value },
  { "process/large-output", test_process_large_output },
  { "process/stdin-flow-control", test_process_stdin_flow_control },
  { "process/spawn-missing-binary", test_process_spawn_missing_binary },
  { "stdio/file-stdin", test_stdio_file_stdin },
  { "stdio/file-stdout", test_stdio_file_stdout },
  { "stdio/pipes", test_stdio_pipes },
  { NULL },
};
