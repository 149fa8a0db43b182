/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The GIO-style calls (_async / _finish with a GCancellable) beside the
 * Deferreds, on every backend: results, and cancellation at each stage of
 * a connection (resolving, connecting, the TLS handshake), which must leave
 * nothing behind (the fixture's teardown counts fds, timers and watches). */

#include "conformance-stream.h"
#include "conformance.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  guint fired;
  GObject *object;
  gpointer boxed;
  GType boxed_type;
  GError *error;
} AsyncOutcome;

static void
async_outcome_clear (AsyncOutcome *outcome)
{
  g_clear_object (&outcome->object);
  if (outcome->boxed != NULL)
    g_boxed_free (outcome->boxed_type, g_steal_pointer (&outcome->boxed));
  g_clear_error (&outcome->error);
}

static void
connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncOutcome *outcome = user_data;

  outcome->object =
      G_OBJECT (weft_client_endpoint_connect_finish (WEFT_CLIENT_ENDPOINT (source), result, &outcome->error));
  outcome->fired++;
}

static void
listening_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncOutcome *outcome = user_data;

  outcome->object =
      G_OBJECT (weft_server_endpoint_listen_finish (WEFT_SERVER_ENDPOINT (source), result, &outcome->error));
  outcome->fired++;
}

static void
resolved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncOutcome *outcome = user_data;

  outcome->boxed_type = G_TYPE_PTR_ARRAY;
  outcome->boxed = weft_reactor_resolve_finish (WEFT_REACTOR (source), result, &outcome->error);
  outcome->fired++;
}

static void
output_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncOutcome *outcome = user_data;

  outcome->boxed_type = G_TYPE_BYTES;
  outcome->boxed = weft_get_process_output_finish (WEFT_REACTOR (source), result, &outcome->error);
  outcome->fired++;
}

static void
task_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncOutcome *outcome = user_data;
  g_auto (GValue) value = G_VALUE_INIT;

  if (g_task_propagate_value (G_TASK (result), &value, &outcome->error) && G_VALUE_HOLDS_OBJECT (&value))
    outcome->object = g_value_dup_object (&value);
  outcome->fired++;
}

static WeftListeningPort *
listen_async_ok (ConformanceFixture *f, const char *description, WeftFactory *factory)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftServerEndpoint) endpoint = weft_server_endpoint_from_string (f->reactor, description, &error);
  AsyncOutcome outcome = { 0 };

  g_assert_no_error (error);
  weft_server_endpoint_listen_async (endpoint, factory, NULL, listening_cb, &outcome);
  conformance_iterate_until (f, &outcome.fired, 1);
  g_assert_no_error (outcome.error);
  g_assert_true (WEFT_IS_LISTENING_PORT (outcome.object));
  return WEFT_LISTENING_PORT (g_steal_pointer (&outcome.object));
}

static WeftClientEndpoint *
client_endpoint (ConformanceFixture *f, const char *description)
{
  g_autoptr (GError) error = NULL;
  WeftClientEndpoint *endpoint = weft_client_endpoint_from_string (f->reactor, description, &error);

  g_assert_no_error (error);
  return endpoint;
}

static void
test_async_connect_and_listen (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) server_factory = stream_factory_new (stream_echo_setup, NULL);
  g_autoptr (StreamFactory) client_factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftListeningPort) port = listen_async_ok (f, "tcp:0:interface=127.0.0.1", WEFT_FACTORY (server_factory));
  g_autofree char *description = g_strdup_printf ("tcp:127.0.0.1:%u", stream_port_number (port));
  g_autoptr (WeftClientEndpoint) endpoint = client_endpoint (f, description);
  AsyncOutcome outcome = { 0 };

  weft_client_endpoint_connect_async (endpoint, WEFT_CLIENT_FACTORY (client_factory), NULL, connected_cb, &outcome);
  g_assert_cmpuint (outcome.fired, ==, 0); /* never from inside the call */
  conformance_iterate_until (f, &outcome.fired, 1);
  g_assert_no_error (outcome.error);
  /* The typed protocol the factory built. */
  g_assert_true (STREAM_IS_PEER (outcome.object));
  stream_echo_round_trip (f, STREAM_PEER (outcome.object), server_factory);
  async_outcome_clear (&outcome);
  stream_stop_listening (f, port);
}

/* A resolver that never answers, and records being cancelled. */
typedef struct {
  guint n_asked;
  guint n_cancelled;
} SilentResolver;

static void
silent_cancel (WeftDeferred *deferred, gpointer user_data)
{
  ((SilentResolver *) user_data)->n_cancelled++;
}

static WeftDeferred *
silent_resolve (WeftReactor *reactor, const char *host, guint16 port, GSocketFamily family, gpointer user_data)
{
  SilentResolver *resolver = user_data;

  resolver->n_asked++;
  return weft_deferred_new_with_canceller (silent_cancel, resolver, NULL);
}

static void
test_async_cancel_while_resolving (ConformanceFixture *f)
{
  SilentResolver resolver = { 0 };
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  AsyncOutcome outcome = { 0 };

  weft_reactor_set_resolver (f->reactor, silent_resolve, &resolver, NULL);
  endpoint = client_endpoint (f, "tcp:never.example:80");
  weft_client_endpoint_connect_async (endpoint, WEFT_CLIENT_FACTORY (factory), cancellable, connected_cb, &outcome);
  conformance_iterate_until (f, &resolver.n_asked, 1);
  g_assert_cmpuint (outcome.fired, ==, 0);

  g_cancellable_cancel (cancellable);
  conformance_iterate_until (f, &outcome.fired, 1);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.object);
  g_assert_cmpuint (resolver.n_cancelled, ==, 1);
  g_assert_cmpuint (factory->n_failed, ==, 1);
  async_outcome_clear (&outcome);
  weft_reactor_set_resolver (f->reactor, NULL, NULL, NULL);
}

static void
tick_cb (gpointer counter)
{
  (*(guint *) counter)++;
}

static void
test_async_cancel_while_connecting (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autofree char *description = NULL;
  struct sockaddr_in sin = { 0 };
  AsyncOutcome outcome = { 0 };
  guint16 port;
  int listener = stream_raw_listener (&port, 0);
  int filler = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  guint ticks = 0;

  /* A full accept queue: the next connection attempt gets no answer. */
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  sin.sin_port = htons (port);
  g_assert_no_errno (connect (filler, (struct sockaddr *) &sin, sizeof sin));

  description = g_strdup_printf ("tcp:127.0.0.1:%u:timeout=30", port);
  endpoint = client_endpoint (f, description);
  weft_client_endpoint_connect_async (endpoint, WEFT_CLIENT_FACTORY (factory), cancellable, connected_cb, &outcome);
  weft_reactor_call_later (f->reactor, 50 * 1000, tick_cb, &ticks, NULL);
  conformance_iterate_until (f, &ticks, 1);
  g_assert_cmpuint (outcome.fired, ==, 0); /* still connecting */

  g_cancellable_cancel (cancellable);
  conformance_iterate_until (f, &outcome.fired, 1);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (factory->n_failed, ==, 1);
  async_outcome_clear (&outcome);
  conformance_close (&filler);
  conformance_close (&listener);
}

typedef struct {
  int listener;
  int accepted;
  guint n_accepted;
  WeftWatch *watch;
} RawAccept;

static void
raw_accept_cb (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  RawAccept *raw = user_data;

  raw->accepted = accept4 (fd, NULL, NULL, SOCK_CLOEXEC);
  g_assert_cmpint (raw->accepted, >=, 0);
  raw->n_accepted++;
  weft_watch_remove (watch);
  raw->watch = NULL;
}

static gboolean
peer_closed (int fd)
{
  char buffer[4096];

  for (;;)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n == 0 || (n < 0 && errno == ECONNRESET))
        return TRUE;
      if (n < 0)
        return FALSE;
    }
}

static void
test_async_cancel_during_tls_handshake (ConformanceFixture *f)
{
  g_autoptr (StreamFactory) factory = stream_factory_new (NULL, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (WeftClientEndpoint) endpoint = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *description = NULL;
  AsyncOutcome outcome = { 0 };
  RawAccept raw = { -1, -1 };
  guint16 port;

  /* A TCP server that accepts and then never says a word of TLS. */
  raw.listener = stream_raw_listener (&port, 8);
  raw.watch = weft_reactor_add_watch (f->reactor, raw.listener, WEFT_IO_READ, raw_accept_cb, &raw, NULL, &error);
  g_assert_no_error (error);

  description = g_strdup_printf ("tls:127.0.0.1:%u", port);
  endpoint = client_endpoint (f, description);
  weft_client_endpoint_connect_async (endpoint, WEFT_CLIENT_FACTORY (factory), cancellable, connected_cb, &outcome);
  conformance_iterate_until (f, &raw.n_accepted, 1);
  g_assert_cmpuint (outcome.fired, ==, 0); /* TCP is up, the handshake waits */

  g_cancellable_cancel (cancellable);
  conformance_iterate_until (f, &outcome.fired, 1);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.object);
  /* The TCP connection under the handshake was closed. */
  g_assert_true (peer_closed (raw.accepted));
  async_outcome_clear (&outcome);
  conformance_close (&raw.accepted);
  conformance_close (&raw.listener);
}

static void
test_async_resolve (ConformanceFixture *f)
{
  AsyncOutcome outcome = { 0 };
  GPtrArray *addresses;
  g_autofree char *text = NULL;

  weft_reactor_resolve_async (f->reactor, "127.0.0.1", 80, G_SOCKET_FAMILY_INVALID, NULL, resolved_cb, &outcome);
  conformance_iterate_until (f, &outcome.fired, 1);
  g_assert_no_error (outcome.error);
  addresses = outcome.boxed;
  g_assert_cmpuint (addresses->len, ==, 1);
  text = g_inet_address_to_string (g_inet_socket_address_get_address (addresses->pdata[0]));
  g_assert_cmpstr (text, ==, "127.0.0.1");
  async_outcome_clear (&outcome);
}

static void
test_async_process_output (ConformanceFixture *f)
{
  const char *const argv[] = { "/bin/echo", "hello from a child", NULL };
  AsyncOutcome outcome = { 0 };
  gsize len;
  const char *data;

  weft_get_process_output_async (f->reactor, argv, NULL, NULL, NULL, output_cb, &outcome);
  conformance_iterate_until (f, &outcome.fired, 1);
  g_assert_no_error (outcome.error);
  data = g_bytes_get_data (outcome.boxed, &len);
  g_assert_cmpmem (data, len, "hello from a child\n", 19);
  async_outcome_clear (&outcome);
}

static void
test_async_process_cancel (ConformanceFixture *f)
{
  const char *const argv[] = { "/bin/sleep", "30", NULL };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  AsyncOutcome outcome = { 0 };
  guint ticks = 0;

  weft_get_process_output_async (f->reactor, argv, NULL, NULL, cancellable, output_cb, &outcome);
  weft_reactor_call_later (f->reactor, 20 * 1000, tick_cb, &ticks, NULL);
  conformance_iterate_until (f, &ticks, 1);
  g_cancellable_cancel (cancellable);
  conformance_iterate_until (f, &outcome.fired, 1);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  async_outcome_clear (&outcome);
  /* The killed child is reaped and its pipes closed. */
  for (guint i = 0; weft_reactor_get_n_watches (f->reactor) > 0 && i < 10000; i++)
    weft_reactor_iterate (f->reactor, TRUE);
  g_assert_cmpuint (weft_reactor_get_n_watches (f->reactor), ==, 0);
}

static gpointer
cancel_from_thread (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return NULL;
}

static void
test_async_deferred_to_task (ConformanceFixture *f)
{
  g_autoptr (WeftDeferred) later = weft_deferred_new ();
  g_autoptr (WeftDeferred) cancelled = weft_deferred_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GObject) object = g_object_new (G_TYPE_OBJECT, NULL);
  AsyncOutcome first = { 0 };
  AsyncOutcome second = { 0 };

  weft_deferred_to_task (later, NULL, NULL, task_cb, &first);
  weft_deferred_callback_object (later, object);
  conformance_iterate_until (f, &first.fired, 1);
  g_assert_no_error (first.error);
  g_assert_true (first.object == object);

  /* Cancelled from another thread: delivered in this one. */
  weft_deferred_to_task (cancelled, NULL, cancellable, task_cb, &second);
  g_thread_join (g_thread_new ("canceller", cancel_from_thread, cancellable));
  conformance_iterate_until (f, &second.fired, 1);
  g_assert_error (second.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (weft_deferred_has_fired (cancelled));
  async_outcome_clear (&first);
  async_outcome_clear (&second);
}

static void
warm_up_gio (void)
{
  /* GTask's type starts GLib's worker thread, whose context keeps an fd for
   * the rest of the process: pay for that before the fixture counts fds. */
  g_type_ensure (G_TYPE_TASK);
  g_type_ensure (G_TYPE_CANCELLABLE);
}

const ConformanceCase conformance_async_cases[] = {
  { "async/connect-and-listen", test_async_connect_and_listen, CONFORMANCE_DEFAULT_CONTEXT, warm_up_gio },
  { "async/cancel-while-resolving", test_async_cancel_while_resolving, CONFORMANCE_DEFAULT_CONTEXT, warm_up_gio },
  { "async/cancel-while-connecting", test_async_cancel_while_connecting, CONFORMANCE_DEFAULT_CONTEXT, warm_up_gio },
  { "async/cancel-during-tls-handshake", test_async_cancel_during_tls_handshake, CONFORMANCE_DEFAULT_CONTEXT,
    warm_up_gio },
  { "async/resolve", test_async_resolve, CONFORMANCE_DEFAULT_CONTEXT, warm_up_gio },
  { "async/process-output", test_async_process_output, CONFORMANCE_DEFAULT_CONTEXT, warm_up_gio },
  { "async/process-cancel", test_async_process_cancel, CONFORMANCE_DEFAULT_CONTEXT, warm_up_gio },
  { "async/deferred-to-task", test_async_deferred_to_task, CONFORMANCE_DEFAULT_CONTEXT, warm_up_gio },
  { NULL },
};
