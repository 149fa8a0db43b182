/* SPDX-License-Identifier: GPL-3.0-or-later */
/* History lasts: weft-chat-server runs as a child process, is killed with
 * SIGKILL while clients send, and restarted; every message whose echo a
 * client saw is in the history afterwards. SIGTERM stops it with status 0
 * and loses nothing either. On every backend. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "wcs-test-kit.h"

#define EXPECT(client, ...) wcs_test_client_expect (f, client, __VA_ARGS__, NULL)

/* The server as a child process on the reactor: its log is read as it
 * comes, for the port it listens on. */
#define WCS_TYPE_CHILD (wcs_child_get_type ())
G_DECLARE_FINAL_TYPE (WcsChild, wcs_child, WCS, CHILD, WeftProcessProtocol)

struct _WcsChild {
  WeftProcessProtocol parent_instance;
  WeftProcessTransport *transport;
  GString *log;
  guint16 port;
  gboolean ended;
  WeftProcessStatus *status;
};

G_DEFINE_FINAL_TYPE (WcsChild, wcs_child, WEFT_TYPE_PROCESS_PROTOCOL)

static void
wcs_child_data (WeftProcessProtocol *protocol, int child_fd, const guint8 *data, gsize len)
{
  WcsChild *self = WCS_CHILD (protocol);
  const char *port;

  g_string_append_len (self->log, (const char *) data, len);
  port = strstr (self->log->str, "(port ");
  if (self->port == 0 && port != NULL && strchr (port, ')') != NULL)
    self->port = (guint16) g_ascii_strtoull (port + strlen ("(port "), NULL, 10);
}

static void
wcs_child_ended (WeftProcessProtocol *protocol, const WeftProcessStatus *status)
{
  WcsChild *self = WCS_CHILD (protocol);

  self->ended = TRUE;
  self->status = weft_process_status_copy (status);
}

static void
wcs_child_finalize (GObject *object)
{
  WcsChild *self = WCS_CHILD (object);

  g_string_free (self->log, TRUE);
  g_clear_pointer (&self->status, weft_process_status_free);
  G_OBJECT_CLASS (wcs_child_parent_class)->finalize (object);
}

static void
wcs_child_class_init (WcsChildClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wcs_child_finalize;
  WEFT_PROCESS_PROTOCOL_CLASS (klass)->child_data_received = wcs_child_data;
  WEFT_PROCESS_PROTOCOL_CLASS (klass)->process_ended = wcs_child_ended;
}

static void
wcs_child_init (WcsChild *self)
{
  self->log = g_string_new (NULL);
}

static gboolean
child_listening (gpointer data)
{
  return WCS_CHILD (data)->port != 0 || WCS_CHILD (data)->ended;
}

static gboolean
child_ended (gpointer data)
{
  return WCS_CHILD (data)->ended;
}

typedef WcsChild Child;

static Child *
child_start (ConformanceFixture *f, const char *data_dir)
{
  WcsChild *child = g_object_new (WCS_TYPE_CHILD, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *reactor = g_strdup_printf ("--reactor=%s", f->backend);
  const char *const argv[] = { WCS_SERVER_BINARY,           reactor,     "--data-dir",         data_dir, "--irc",
                               "tcp:0:interface=127.0.0.1", "--no-http", "--flood-penalty-ms", "0",      NULL };
  const WeftChildFd fds[] = {
    { 0, WEFT_CHILD_FD_DEV_NULL, -1 },
    { 1, WEFT_CHILD_FD_DEV_NULL, -1 },
    { 2, WEFT_CHILD_FD_FROM_CHILD, -1 },
  };

  child->transport = weft_reactor_spawn_process (f->reactor, WEFT_PROCESS_PROTOCOL (child), argv, NULL, NULL, fds,
                                                 G_N_ELEMENTS (fds), &error);
  g_assert_no_error (error);
  g_assert_true (wcs_test_wait (f, child_listening, child, WCS_TEST_TIMEOUT_US));
  if (child->port == 0)
    g_error ("The server did not start: %s", child->log->str);
  return child;
}

static void
child_free (Child *child)
{
  g_clear_object (&child->transport);
  g_object_unref (child);
}

static void
child_kill (ConformanceFixture *f, Child *child)
{
  g_assert_true (weft_process_transport_signal_process (child->transport, SIGKILL, NULL));
  g_assert_true (wcs_test_wait (f, child_ended, child, WCS_TEST_TIMEOUT_US));
  g_assert_true (weft_process_status_was_killed (child->status));
  child_free (child);
}

static void
child_terminate (ConformanceFixture *f, Child *child)
{
  g_assert_true (weft_process_transport_signal_process (child->transport, SIGTERM, NULL));
  g_assert_true (wcs_test_wait (f, child_ended, child, WCS_TEST_TIMEOUT_US));
  if (!weft_process_status_is_success (child->status))
    g_error ("The server did not exit cleanly: %s", child->log->str);
  child_free (child);
}

/* The numbers N of "durable N" in a CHATHISTORY answer. */
static GHashTable *
history_numbers (ConformanceFixture *f, WcsTestClient *client)
{
  GHashTable *numbers = g_hash_table_new (NULL, NULL);

  wcs_test_client_send (client, "CHATHISTORY LATEST #d * 1000");
  EXPECT (client, "BATCH +", "chathistory");
  for (;;)
    {
      const char *line = EXPECT (client, "");
      const char *text = strstr (line, "PRIVMSG #d :durable ");

      if (strstr (line, "BATCH -") != NULL)
        break;
      if (text != NULL)
        g_hash_table_add (numbers, GUINT_TO_POINTER (atoi (text + strlen ("PRIVMSG #d :durable ")) + 1));
    }
  return numbers;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}

static void
test_kill_and_restart (ConformanceFixture *f)
{
  g_autofree char *dir = g_dir_make_tmp ("wcs-durable-XXXXXX", NULL);
  Child *child = child_start (f, dir);
  WcsTestClient *a = wcs_test_client_register (f, child->port, "writer", "echo-message");
  WcsTestClient *b;
  g_autoptr (GHashTable) acknowledged = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) stored = NULL;
  guint n_acked = 0;

  wcs_test_client_send (a, "JOIN #d");
  EXPECT (a, " 366 writer #d ");
  for (guint i = 0; i < 300; i++)
    wcs_test_client_send (a, "PRIVMSG #d :durable %u", i);
  /* Kill the server in the middle of the stream, right after an echo. */
  while (n_acked < 100)
    {
      const char *line = EXPECT (a, "PRIVMSG #d :durable ");
      g_hash_table_add (acknowledged, GUINT_TO_POINTER (atoi (strstr (line, ":durable ") + strlen (":durable ")) + 1));
      n_acked++;
    }
  child_kill (f, child);
  wcs_test_client_wait_lost (f, a);
  /* Echoes read before the kill was noticed count as acknowledged too. */
  for (guint i = a->cursor; i < a->lines->len; i++)
    {
      const char *text = strstr (a->lines->pdata[i], "PRIVMSG #d :durable ");
      if (text != NULL)
        g_hash_table_add (acknowledged, GUINT_TO_POINTER (atoi (text + strlen ("PRIVMSG #d :durable ")) + 1));
    }

  child = child_start (f, dir);
  b = wcs_test_client_register (f, child->port, "reader", "batch draft/chathistory echo-message");
  wcs_test_client_send (b, "JOIN #d");
  EXPECT (b, " 366 reader #d ");
  stored = history_numbers (f, b);
  {
    GHashTableIter iter;
    gpointer n;

    g_hash_table_iter_init (&iter, acknowledged);
    while (g_hash_table_iter_next (&iter, &n, NULL))
      if (!g_hash_table_contains (stored, n))
        g_error ("Acknowledged message %u was lost", GPOINTER_TO_UINT (n) - 1);
  }
  g_assert_cmpuint (g_hash_table_size (stored), >=, g_hash_table_size (acknowledged));

  /* A graceful stop: exit status 0, nothing lost. */
  wcs_test_client_send (b, "PRIVMSG #d :durable 1000");
  EXPECT (b, "PRIVMSG #d :durable 1000");
  child_terminate (f, child);
  EXPECT (b, "ERROR ", "Server shutting down");
  wcs_test_client_wait_lost (f, b);
  wcs_test_client_close (f, b);

  child = child_start (f, dir);
  b = wcs_test_client_register (f, child->port, "reader", "batch draft/chathistory");
  wcs_test_client_send (b, "JOIN #d");
  EXPECT (b, " 366 reader #d ");
  g_clear_pointer (&stored, g_hash_table_unref);
  stored = history_numbers (f, b);
  g_assert_true (g_hash_table_contains (stored, GUINT_TO_POINTER (1000 + 1)));
  wcs_test_client_close (f, b);
  child_terminate (f, child);

  wcs_test_client_close (f, a);
  remove_tree (dir);
}

static const ConformanceCase durability_cases[] = {
  { "durability/kill-and-restart", test_kill_and_restart, 0 },
  { NULL },
};

int
main (int argc, char **argv)
{
  const ConformanceCase *const tables[] = { durability_cases };

  return conformance_main (argc, argv, tables, G_N_ELEMENTS (tables));
}
