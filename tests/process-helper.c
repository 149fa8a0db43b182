/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A child program for the process and stdio tests. It runs its arguments as
 * commands, in order:
 *
 *   out:TEXT        write TEXT to standard output
 *   err:TEXT        write TEXT to standard error
 *   fd:N:TEXT       write TEXT to fd N
 *   write:N         write N bytes of the test pattern (byte i is i % 251)
 *                   to standard output, in large writes
 *   echo            copy standard input to standard output until EOF
 *   read-eof        read standard input until EOF, then write "eof:N"
 *                   (N: bytes read) to standard output
 *   list-fds        write the child's open fds ("0 1 2") to standard output
 *   close:N         close fd N
 *   sleep:MS        sleep for MS milliseconds
 *   exit:N          exit with code N
 *   kill:SIG        kill itself with signal number SIG
 *   stdio-echo      run a line console over standard input and output with
 *                   WeftStdio: "echo: LINE" per line, "bye: N lines" at EOF
 *
 * and exits with code 0 when they are done. Arguments are words, not a shell
 * line: no quoting is needed. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <weft/weft.h>

#define PATTERN_MODULUS 251

static void
write_all (int fd, const void *data, size_t len)
{
  const char *p = data;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          fprintf (stderr, "process-helper: write to fd %d: %s\n", fd, strerror (errno));
          exit (100);
        }
      p += n;
      len -= n;
    }
}

static void
write_string (int fd, const char *text)
{
  write_all (fd, text, strlen (text));
}

static void
write_pattern (unsigned long long total)
{
  /* A whole number of periods, so every buffer starts the pattern anew. */
  size_t chunk_len = PATTERN_MODULUS * 4096;
  unsigned char *chunk = malloc (chunk_len);

  for (size_t i = 0; i < chunk_len; i++)
    chunk[i] = i % PATTERN_MODULUS;
  /* A larger pipe means fewer round trips through the parent's reactor. */
  fcntl (STDOUT_FILENO, F_SETPIPE_SZ, 1024 * 1024);
  while (total > 0)
    {
      size_t len = total < chunk_len ? total : chunk_len;

      write_all (STDOUT_FILENO, chunk, len);
      total -= len;
    }
  free (chunk);
}

static unsigned long long
copy_stdin (gboolean echo)
{
  char buffer[65536];
  unsigned long long total = 0;

  for (;;)
    {
      ssize_t n = read (STDIN_FILENO, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          fprintf (stderr, "process-helper: read from stdin: %s\n", strerror (errno));
          exit (100);
        }
      if (n == 0)
        return total;
      total += n;
      if (echo)
        write_all (STDOUT_FILENO, buffer, n);
    }
}

static int
compare_ints (gconstpointer a, gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

static void
list_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  int own = dirfd (dir);
  struct dirent *entry;
  GString *text = g_string_new (NULL);
  g_autoptr (GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));

  while ((entry = readdir (dir)) != NULL)
    {
      int fd;

      if (entry->d_name[0] == '.')
        continue;
      fd = atoi (entry->d_name);
      if (fd != own)
        g_array_append_val (fds, fd);
    }
  closedir (dir);
  g_array_sort (fds, compare_ints);
  for (guint i = 0; i < fds->len; i++)
    g_string_append_printf (text, "%s%d", i > 0 ? " " : "", g_array_index (fds, int, i));
  write_string (STDOUT_FILENO, text->str);
  g_string_free (text, TRUE);
}

/* The stdio console: a line receiver speaking over WeftStdio. */

#define HELPER_TYPE_CONSOLE (helper_console_get_type ())
G_DECLARE_FINAL_TYPE (HelperConsole, helper_console, HELPER, CONSOLE, WeftLineReceiver)

struct _HelperConsole {
  WeftLineReceiver parent_instance;
  WeftReactor *reactor;
  guint n_lines;
};

G_DEFINE_FINAL_TYPE (HelperConsole, helper_console, WEFT_TYPE_LINE_RECEIVER)

static void
helper_console_line_received (WeftLineReceiver *receiver, const char *line, gsize len)
{
  HelperConsole *self = HELPER_CONSOLE (receiver);
  g_autofree char *reply = g_strdup_printf ("echo: %.*s", (int) len, line);

  self->n_lines++;
  weft_line_receiver_send_line (receiver, reply, -1);
}

static gboolean
helper_console_eof_received (WeftProtocol *protocol)
{
  HelperConsole *self = HELPER_CONSOLE (protocol);
  g_autofree char *reply = g_strdup_printf ("bye: %u lines", self->n_lines);

  weft_line_receiver_send_line (WEFT_LINE_RECEIVER (self), reply, -1);
  return FALSE;
}

static void
helper_console_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  HelperConsole *self = HELPER_CONSOLE (protocol);

  if (!g_error_matches (reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE))
    fprintf (stderr, "process-helper: stdio closed: %s\n", reason->message);
  weft_reactor_stop (self->reactor);
}

static void
helper_console_class_init (HelperConsoleClass *klass)
{
  WEFT_LINE_RECEIVER_CLASS (klass)->line_received = helper_console_line_received;
  WEFT_PROTOCOL_CLASS (klass)->eof_received = helper_console_eof_received;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = helper_console_connection_lost;
}

static void
helper_console_init (HelperConsole *self)
{
  weft_line_receiver_set_delimiter (WEFT_LINE_RECEIVER (self), "\n");
}

static void
run_stdio_echo (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NONE, &error);
  g_autoptr (HelperConsole) console = NULL;
  g_autoptr (WeftStdio) stdio = NULL;

  if (reactor == NULL)
    {
      fprintf (stderr, "process-helper: %s\n", error->message);
      exit (101);
    }
  console = g_object_new (HELPER_TYPE_CONSOLE, NULL);
  console->reactor = reactor;
  stdio = weft_stdio_new (reactor, WEFT_PROTOCOL (console), &error);
  if (stdio == NULL)
    {
      fprintf (stderr, "process-helper: %s\n", error->message);
      exit (101);
    }
  weft_reactor_run (reactor);
}

static void
run_command (const char *command)
{
  const char *argument = strchr (command, ':');

  argument = argument != NULL ? argument + 1 : "";
  if (g_str_has_prefix (command, "out:"))
    write_string (STDOUT_FILENO, argument);
  else if (g_str_has_prefix (command, "err:"))
    write_string (STDERR_FILENO, argument);
  else if (g_str_has_prefix (command, "fd:"))
    {
      char *text;
      int fd = strtol (argument, &text, 10);

      write_string (fd, *text == ':' ? text + 1 : text);
    }
  else if (g_str_has_prefix (command, "write:"))
    write_pattern (strtoull (argument, NULL, 10));
  else if (g_str_equal (command, "echo"))
    copy_stdin (TRUE);
  else if (g_str_equal (command, "read-eof"))
    {
      g_autofree char *text = g_strdup_printf ("eof:%llu", copy_stdin (FALSE));

      write_string (STDOUT_FILENO, text);
    }
  else if (g_str_equal (command, "list-fds"))
    list_fds ();
  else if (g_str_has_prefix (command, "close:"))
    close (atoi (argument));
  else if (g_str_has_prefix (command, "sleep:"))
    g_usleep (strtoul (argument, NULL, 10) * 1000);
  else if (g_str_has_prefix (command, "exit:"))
    exit (atoi (argument));
  else if (g_str_has_prefix (command, "kill:"))
    {
      int signum = atoi (argument);

      signal (signum, SIG_DFL);
      raise (signum);
      fprintf (stderr, "process-helper: signal %d did not kill the helper\n", signum);
      exit (102);
    }
  else if (g_str_equal (command, "stdio-echo"))
    run_stdio_echo ();
  else
    {
      fprintf (stderr, "process-helper: unknown command “%s”\n", command);
      exit (103);
    }
}

int
main (int argc, char *argv[])
{
  for (int i = 1; i < argc; i++)
    run_command (argv[i]);
  return 0;
}
