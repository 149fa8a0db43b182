/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The slow-reader attack on examples/weft-echo-server, over TCP and TLS,
 * on every backend: a client sends as fast as it may and never reads. A
 * server that honours back-pressure stops reading once its write buffer
 * is full, so the client is soon blocked by the kernel's buffers and the
 * server's memory stays flat; one that ignores it buffers all it reads. */

#include "conformance-stream.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

#include "tls-test-certs.h"

#ifndef ECHO_SERVER_PATH
#define ECHO_SERVER_PATH "weft-echo-server"
#endif

/* What the client tries to send: more than the kernel's socket buffers
 * can hold between the two (with tcp_rmem's maximum of 32 MiB, which
 * loopback connections reach, about 72 MiB). */
#define ATTACK_BYTES (160 * 1024 * 1024)
/* What the server may grow by meanwhile. */
#define MAX_GROWTH_BYTES (16 * 1024 * 1024)
/* The client counts as blocked when it has sent nothing for this long. */
#define QUIET_US (500 * 1000)

typedef struct {
  GPid pid;
  int stdout_fd;
  guint16 port;
} EchoServer;

/* The server must not outlive the case: a case ended by the watchdog
 * would otherwise leave it running, holding the harness's output pipe
 * open, and the harness would wait for that pipe for good. */
static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* Starts the example on the fixture's backend, listening on a free port
 * of 127.0.0.1, and reads the port from its first line. */
static void
echo_server_start (EchoServer *server, ConformanceFixture *f, const char *listen)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *reactor = g_strdup_printf ("--reactor=%s", f->backend);
  const char *argv[] = { ECHO_SERVER_PATH, reactor, "--listen", listen, NULL };
  g_autoptr (GString) line = g_string_new (NULL);
  const char *port;
  char c;

  g_auto (GStrv) envp = g_get_environ ();
  const char *asan = g_environ_getenv (envp, "ASAN_OPTIONS");
  g_autofree char *options = NULL;

  /* Under AddressSanitizer, freed memory waits in a quarantine (256 MiB by
   * default) before it is reused, so the resident size would count memory
   * the server has long let go of. This test measures what it keeps. */
  options = g_strdup_printf ("%s%squarantine_size_mb=0:thread_local_quarantine_size_kb=0", asan != NULL ? asan : "",
                             asan != NULL && asan[0] != '\0' ? ":" : "");
  envp = g_environ_setenv (envp, "ASAN_OPTIONS", options, TRUE);
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL,
                                           &server->pid, NULL, &server->stdout_fd, NULL, &error));
  g_assert_no_error (error);
  /* Blocking: the harness's watchdog ends a server that never starts. */
  while (read (server->stdout_fd, &c, 1) == 1 && c != '\n')
    g_string_append_c (line, c);
  port = strstr (line->str, "127.0.0.1:");
  if (port == NULL)
    g_error ("the echo server did not start: “%s”", line->str);
  server->port = atoi (port + strlen ("127.0.0.1:"));
  g_assert_cmpuint (server->port, >, 0);
}

static void
echo_server_stop (EchoServer *server)
{
  int status = 0;

  g_assert_no_errno (kill (server->pid, SIGTERM));
  g_assert_cmpint (waitpid (server->pid, &status, 0), ==, server->pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_spawn_close_pid (server->pid);
  conformance_close (&server->stdout_fd);
}

static gsize
resident_bytes (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10) * 1024;
}

static void
slow_reader_setup (StreamPeer *peer, gpointer user_data)
{
  peer->produce_total = ATTACK_BYTES;
  peer->produce_chunk = 64 * 1024;
}

typedef struct {
  WeftReactor *reactor;
  StreamPeer *peer;
  WeftDelayedCall *tick; /* the next wake-up; owned by the reactor */
  gsize last_produced;
  gint64 last_progress;
} Attack;

/* Done when everything was sent (the server read it all) or when the
 * client made no progress for QUIET_US (the server stopped reading). */
static gboolean
attack_done (gpointer user_data)
{
  Attack *attack = user_data;
  gint64 now = g_get_monotonic_time ();

  if (attack->peer->produced != attack->last_produced)
    {
      attack->last_produced = attack->peer->produced;
      attack->last_progress = now;
    }
  return attack->peer->produced >= ATTACK_BYTES || now - attack->last_progress >= QUIET_US;
}

/* The client's wait has no event when it is blocked: wake up to look. */
static void
tick_cb (gpointer user_data)
{
  Attack *attack = user_data;

  attack->tick = weft_reactor_call_later (attack->reactor, 50 * 1000, tick_cb, attack, NULL);
}

static void
run_slow_reader (ConformanceFixture *f, const char *listen, const char *ca)
{
  g_autoptr (GError) error = NULL;
  EchoServer server = { 0 };
  g_autoptr (StreamFactory) factory = stream_factory_new (slow_reader_setup, NULL);
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autofree char *description = NULL;
  g_autoptr (WeftDeferred) connecting = NULL;
  StreamConnectResult connected = { 0 };
  Attack attack = { 0 };
  gsize before, after;

  echo_server_start (&server, f, listen);
  if (ca != NULL)
    description = g_strdup_printf ("tls:127.0.0.1:%u:ca=%s", server.port, ca);
  else
    description = g_strdup_printf ("tcp:127.0.0.1:%u", server.port);
  endpoint = weft_client_endpoint_from_string (f->reactor, description, &error);
  g_assert_no_error (error);
  connecting = weft_client_endpoint_connect (endpoint, WEFT_CLIENT_FACTORY (factory));
  stream_capture_connect (connecting, &connected);
  stream_wait_connected (f, &connected);
  attack.peer = STREAM_PEER (connected.protocol);
  /* Not before: TLS must read to finish its handshake. */
  weft_transport_pause_reading (weft_protocol_get_transport (connected.protocol));
  before = resident_bytes (server.pid);

  attack.reactor = f->reactor;
  attack.last_progress = g_get_monotonic_time ();
  tick_cb (&attack);
  stream_iterate_until (f, attack_done, &attack);
  weft_delayed_call_cancel (attack.tick);
  after = resident_bytes (server.pid);
  g_test_message ("%s: sent %" G_GSIZE_FORMAT " bytes; the server grew from %" G_GSIZE_FORMAT " to %" G_GSIZE_FORMAT
                  " bytes",
                  f->backend, attack.peer->produced, before, after);

  /* The client was stopped well short of its goal, and the server did not
   * keep what it could not send. */
  g_assert_cmpuint (attack.peer->produced, <, ATTACK_BYTES);
  g_assert_cmpuint (after, <, before + MAX_GROWTH_BYTES);

  weft_transport_abort_connection (weft_protocol_get_transport (connected.protocol));
  stream_wait_lost (f, attack.peer);
  stream_connect_result_clear (&connected);
  echo_server_stop (&server);
}

static void
test_slow_reader_tcp (ConformanceFixture *f)
{
  run_slow_reader (f, "tcp:0:interface=127.0.0.1", NULL);
}

static void
test_slow_reader_tls (ConformanceFixture *f)
{
  g_autoptr (TlsTestCerts) certs = tls_test_certs_new ();
  g_autofree char *cert = weft_endpoint_quote_argument (certs->server_cert);
  g_autofree char *key = weft_endpoint_quote_argument (certs->leaf_key);
  g_autofree char *ca = weft_endpoint_quote_argument (certs->ca_cert);
  g_autofree char *listen = g_strdup_printf ("tls:0:interface=127.0.0.1:cert=%s:key=%s", cert, key);

  run_slow_reader (f, listen, ca);
}

const ConformanceCase conformance_backpressure_cases[] = {
  { "backpressure/slow-reader-echo-tcp", test_slow_reader_tcp },
  { "backpressure/slow-reader-echo-tls", test_slow_reader_tls },
  { NULL },
};
