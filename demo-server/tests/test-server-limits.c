/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The chat server's limits, over real loopback sockets on every backend:
 * a slow reader is dropped with "SendQ exceeded", a flooding client is
 * slowed down, connections are capped in number and per address, silent
 * clients time out, overlong lines are refused, old history expires. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "wcs-server-private.h"
#include "wcs-test-kit.h"

#define EXPECT(client, ...) wcs_test_client_expect (f, client, __VA_ARGS__, NULL)

/* Small kernel buffers, so that the server's own queue is what fills. */
static void
shrink_buffers (WeftTransport *transport, int option)
{
  int size = 4096;

  if (WEFT_IS_FD_TRANSPORT (transport))
    g_assert_no_errno (setsockopt (weft_fd_transport_get_fd (WEFT_FD_TRANSPORT (transport)), SOL_SOCKET, option, &size,
                                   sizeof size));
}

static void
test_slow_reader (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, "limits.sendq-bytes=262144", NULL);
  WcsTestClient *slow = wcs_test_client_register (f, server->port, "slow", NULL);
  WcsTestClient *talkers[4];
  g_autofree char *text = g_strnfill (400, 'x');
  gboolean dropped = FALSE;

  wcs_test_client_send (slow, "JOIN #flood");
  EXPECT (slow, " 366 slow #flood ");
  weft_transport_pause_reading (weft_protocol_get_transport (WEFT_PROTOCOL (slow)));
  shrink_buffers (weft_protocol_get_transport (WEFT_PROTOCOL (slow)), SO_RCVBUF);
  shrink_buffers (weft_protocol_get_transport (
                      WEFT_PROTOCOL (weft_irc_server_find_client (wcs_server_get_irc_server (server->server), "slow"))),
                  SO_SNDBUF);
  for (guint t = 0; t < G_N_ELEMENTS (talkers); t++)
    {
      g_autofree char *nick = g_strdup_printf ("talker%u", t);
      talkers[t] = wcs_test_client_register (f, server->port, nick, NULL);
      wcs_test_client_send (talkers[t], "JOIN #flood");
      EXPECT (talkers[t], " 366 ");
    }

  /* A client that reads nothing: its (small) kernel buffers fill, then the
   * server's queue, and the server lets it go. */
  for (guint round = 0; round < 200 && !dropped; round++)
    {
      for (guint t = 0; t < G_N_ELEMENTS (talkers); t++)
        for (guint i = 0; i < 10; i++)
          wcs_test_client_send (talkers[t], "PRIVMSG #flood :%u %s", i, text);
      for (guint t = 0; t < G_N_ELEMENTS (talkers); t++)
        EXPECT (talkers[(t + 1) % G_N_ELEMENTS (talkers)], "PRIVMSG #flood :9 ");
      dropped = weft_irc_server_find_client (wcs_server_get_irc_server (server->server), "slow") == NULL;
    }
  g_assert_true (dropped);
  talkers[0]->cursor = 0;
  EXPECT (talkers[0], ":slow!", "QUIT :SendQ exceeded");
  for (guint t = 0; t < G_N_ELEMENTS (talkers); t++)
    g_assert_false (talkers[t]->lost);

  for (guint t = 0; t < G_N_ELEMENTS (talkers); t++)
    wcs_test_client_close (f, talkers[t]);
  weft_transport_resume_reading (weft_protocol_get_transport (WEFT_PROTOCOL (slow)));
  wcs_test_client_wait_lost (f, slow);
  wcs_test_client_close (f, slow);
  wcs_test_server_free (server);
}

static void
test_flood (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, "limits.flood-penalty-ms=100", "limits.flood-burst-ms=300", NULL);
  WcsTestClient *a = wcs_test_client_register (f, server->port, "flood", NULL);
  gint64 start, elapsed;

  wcs_test_client_skip_all (a);
  start = weft_reactor_get_time (f->reactor);
  for (guint i = 0; i < 20; i++)
    wcs_test_client_send (a, "PING :p%u", i);
  EXPECT (a, "PONG ", "p0");
  EXPECT (a, "PONG ", "p19");
  elapsed = weft_reactor_get_time (f->reactor) - start;
  /* 20 commands at 100 ms each, 300 ms of burst: about 1.7 s. */
  g_assert_cmpint (elapsed, >=, 1200 * 1000);
  g_assert_false (a->lost);

  wcs_test_client_close (f, a);
  wcs_test_server_free (server);
}

static gboolean
one_connection_left (gpointer data)
{
  return weft_irc_server_get_n_connections (data) <= 1;
}

static void
test_too_many_clients (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, "limits.max-clients-per-ip=2", NULL);
  WcsTestClient *a = wcs_test_client_register (f, server->port, "one", NULL);
  WcsTestClient *b = wcs_test_client_register (f, server->port, "two", NULL);
  WcsTestClient *c = wcs_test_client_connect (f, server->port);
  WcsTestClient *d;

  EXPECT (c, "ERROR ", "Too many connections from your address");
  wcs_test_client_wait_lost (f, c);
  /* One leaves, the next one gets in. */
  wcs_test_client_close (f, b);
  wcs_test_client_wait_lost (f, c);
  g_assert_true (wcs_test_wait (f, one_connection_left, wcs_server_get_irc_server (server->server),
                                WCS_TEST_TIMEOUT_US));
  d = wcs_test_client_register (f, server->port, "three", NULL);
  g_assert_false (d->lost);
  wcs_test_client_close (f, a);
  wcs_test_client_close (f, c);
  wcs_test_client_close (f, d);
  wcs_test_server_free (server);

  server = wcs_test_server_new (f, "limits.max-clients=1", NULL);
  a = wcs_test_client_register (f, server->port, "one", NULL);
  b = wcs_test_client_connect (f, server->port);
  EXPECT (b, "ERROR ", "Too many clients");
  wcs_test_client_wait_lost (f, b);
  wcs_test_client_close (f, a);
  wcs_test_client_close (f, b);
  wcs_test_server_free (server);
}

static void
test_timeouts (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, "limits.registration-timeout-s=1", "limits.ping-interval-s=1",
                                               "limits.ping-timeout-s=1", NULL);
  WcsTestClient *silent = wcs_test_client_connect (f, server->port);
  WcsTestClient *deaf, *alive;

  EXPECT (silent, "ERROR ", "Registration timed out");
  wcs_test_client_wait_lost (f, silent);

  deaf = wcs_test_client_connect (f, server->port);
  g_object_set_data (G_OBJECT (deaf), "no-pong", GINT_TO_POINTER (1));
  wcs_test_client_send (deaf, "NICK deaf");
  wcs_test_client_send (deaf, "USER deaf 0 * :Deaf");
  alive = wcs_test_client_register (f, server->port, "alive", NULL);
  EXPECT (deaf, "PING ");
  EXPECT (deaf, "ERROR ", "Ping timeout");
  wcs_test_client_wait_lost (f, deaf);
  /* The one that answers its PINGs stays. */
  EXPECT (alive, "PING ");
  EXPECT (alive, "PING ");
  g_assert_false (alive->lost);

  wcs_test_client_close (f, silent);
  wcs_test_client_close (f, deaf);
  wcs_test_client_close (f, alive);
  wcs_test_server_free (server);
}

static void
test_line_length (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, "limits.nick-length=9", NULL);
  WcsTestClient *a = wcs_test_client_register (f, server->port, "long", NULL);
  g_autofree char *huge = g_strnfill (20000, 'y');
  g_autofree char *big = g_strnfill (600, 'z');

  wcs_test_client_send (a, "PRIVMSG long :%s", huge);
  EXPECT (a, " 417 long ");
  wcs_test_client_send (a, "PRIVMSG long :%s", big);
  EXPECT (a, " 417 long ");
  wcs_test_client_send (a, "NICK muchtoolongnick");
  EXPECT (a, " 432 long muchtoolongnick ");
  wcs_test_client_send (a, "JOIN #bad,name");
  EXPECT (a, " 403 long name ");
  wcs_test_client_send (a, "PING :still-here");
  EXPECT (a, "PONG ", "still-here");
  g_assert_false (a->lost);

  wcs_test_client_close (f, a);
  wcs_test_server_free (server);
}

static void
test_disk_full (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, "history.max-size-mb=1", NULL);
  WcsTestClient *a = wcs_test_client_register (f, server->port, "full", "echo-message");
  g_autofree char *text = g_strnfill (400, 'f');
  gboolean refused = FALSE;

  wcs_test_client_send (a, "JOIN #full");
  EXPECT (a, " 366 full #full ");
  /* Fill the history: the server refuses with a clear error, and lives. */
  for (guint round = 0; round < 100 && !refused; round++)
    {
      guint start;

      for (guint i = 0; i < 50; i++)
        wcs_test_client_send (a, "PRIVMSG #full :%u %s", i, text);
      start = a->cursor;

      wcs_test_client_send (a, "PING :round%u", round);
      EXPECT (a, "PONG ", "round");
      a->cursor = start;
      refused = wcs_test_client_has_line (a, "FAIL PRIVMSG CANNOT_SEND #full");
      if (refused)
        EXPECT (a, "FAIL PRIVMSG CANNOT_SEND #full", "storage is full");
      wcs_test_client_skip_all (a);
    }
  g_assert_true (refused);
  wcs_test_client_send (a, "PING :alive");
  EXPECT (a, "PONG ", "alive");
  g_assert_false (a->lost);

  wcs_test_client_close (f, a);
  wcs_test_server_free (server);
}

typedef struct {
  gboolean fired;
  gint64 value;
} CountWait;

static WeftDeferred *
count_fired (WeftResult *result, gpointer user_data)
{
  CountWait *wait = user_data;

  g_assert_false (weft_result_is_error (result));
  wait->value = weft_result_get_int64 (result);
  wait->fired = TRUE;
  return NULL;
}

static gboolean
count_done (gpointer data)
{
  return ((CountWait *) data)->fired;
}

static gint64
history_count (ConformanceFixture *f, WcsHistory *history, const char *key)
{
  CountWait wait = { 0 };
  g_autoptr (WeftDeferred) deferred = wcs_history_count (history, key);

  weft_deferred_add_callback (deferred, count_fired, &wait, NULL);
  g_assert_true (wcs_test_wait (f, count_done, &wait, WCS_TEST_TIMEOUT_US));
  return wait.value;
}

/* Retention: 60 seeded messages one minute apart, the newest an hour old,
 * and two sent now; with a retention of 90.5 minutes, expiry deletes the 30
 * oldest and keeps the 30 newer seeded ones and the fresh ones (the half
 * minute leaves room for the clock moving while the test runs). */
static void
test_retention (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, "history.retention-days=1", NULL);
  WcsHistory *history = _wcs_server_get_history (server->server);
  WcsTestClient *alice = wcs_test_client_register (f, server->port, "alice",
                                                   "batch server-time message-tags echo-message draft/chathistory");
  const char *line;

  wcs_test_wait_deferred (f, wcs_history_seed (history, "#old", "#old", 60));
  wcs_test_client_send (alice, "JOIN #old");
  EXPECT (alice, " 366 alice #old ");
  /* An echo comes once the message is stored. */
  wcs_test_client_send (alice, "PRIVMSG #old :fresh one");
  EXPECT (alice, "PRIVMSG #old :fresh one");
  wcs_test_client_send (alice, "PRIVMSG #old :fresh two");
  EXPECT (alice, "PRIVMSG #old :fresh two");
  g_assert_cmpint (history_count (f, history, "#old"), ==, 62);

  /* A day's retention (the server's own, checked when it started and
   * hourly) keeps them all. */
  wcs_test_wait_deferred (f, wcs_history_expire (history));
  g_assert_cmpint (history_count (f, history, "#old"), ==, 62);

  wcs_history_set_retention (history, (gint64) (90 * 60 + 30) * G_USEC_PER_SEC);
  wcs_test_wait_deferred (f, wcs_history_expire (history));
  g_assert_cmpint (history_count (f, history, "#old"), ==, 32);

  /* What is left is the newest: the oldest kept seeded message is #31, and
   * the fresh ones are still there. */
  wcs_test_client_send (alice, "CHATHISTORY LATEST #old * 100");
  EXPECT (alice, "BATCH +", "chathistory #old");
  line = EXPECT (alice, "PRIVMSG #old :#");
  g_assert_nonnull (strstr (line, ":#31:"));
  EXPECT (alice, "PRIVMSG #old :fresh one");
  EXPECT (alice, "PRIVMSG #old :fresh two");
  EXPECT (alice, "BATCH -");

  /* No retention: nothing more goes. */
  wcs_history_set_retention (history, 0);
  wcs_test_wait_deferred (f, wcs_history_expire (history));
  g_assert_cmpint (history_count (f, history, "#old"), ==, 32);

  wcs_test_client_close (f, alice);
  wcs_test_server_free (server);
}

static const ConformanceCase server_limit_cases[] = {
  { "limits/disk-full", test_disk_full, 0 }, { "limits/slow-reader", test_slow_reader, 0 },
  { "limits/flood", test_flood, 0 },         { "limits/too-many-clients", test_too_many_clients, 0 },
  { "limits/timeouts", test_timeouts, 0 },   { "limits/line-length", test_line_length, 0 },
  { "limits/retention", test_retention, 0 }, { NULL },
};

int
main (int argc, char **argv)
{
  const ConformanceCase *const tables[] = { server_limit_cases };

  return conformance_main (argc, argv, tables, G_N_ELEMENTS (tables));
}
