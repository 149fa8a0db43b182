/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-error.h"
#include "weft-memory-reactor.h"
#include "weft-net-private.h"
#include "weft-test-clock.h"

/* Twisted's MemoryReactor: a test clock whose connect and listen calls are
 * recorded instead of opening sockets. The test inspects the calls and
 * plays the network: it completes a connect with a WeftStringTransport, or
 * fails it. */

#define FIRST_FAKE_PORT 20000

typedef struct {
  WeftClientFactory *factory;
  GSocketAddress *address;
  char *path; /* Unix connects */
  GSocketAddress *bind_address;
  gint64 timeout_us;
  WeftDeferred *deferred;         /* owned until fired */
  WeftStringTransport *transport; /* weak: the completed connection */
  gulong lost_handler;
  gboolean pending;
} MemoryConnect;

typedef struct {
  WeftFactory *factory;
  GSocketAddress *address;
  char *path;
  int backlog;
  int mode;
  WeftListeningPort *port; /* weak: a listening port holds itself (and the reactor) */
} MemoryListen;

typedef struct {
  GPtrArray *connects; /* MemoryConnect, rc boxes */
  GPtrArray *listens;  /* MemoryListen */
  guint next_port;
} MemoryNet;

static void
memory_connect_clear (MemoryConnect *record)
{
  g_clear_object (&record->factory);
  g_clear_object (&record->address);
  g_clear_object (&record->bind_address);
  g_clear_object (&record->deferred);
  g_clear_weak_pointer (&record->transport);
  g_free (record->path);
}

static void
memory_connect_release (gpointer data)
{
  g_rc_box_release_full (data, (GDestroyNotify) memory_connect_clear);
}

static void
memory_listen_free (gpointer data)
{
  MemoryListen *record = data;

  g_clear_object (&record->factory);
  g_clear_object (&record->address);
  g_clear_weak_pointer (&record->port);
  g_free (record->path);
  g_free (record);
}

static void
memory_net_free (gpointer data)
{
  MemoryNet *net = data;

  /* A pending connect and its deferred hold each other (the canceller's
   * data): let go of the deferred. */
  for (guint i = 0; i < net->connects->len; i++)
    g_clear_object (&((MemoryConnect *) net->connects->pdata[i])->deferred);
  g_ptr_array_unref (net->connects);
  g_ptr_array_unref (net->listens);
  g_free (net);
}

/* Ends a pending connect: the factory is told and stopped, as a connector
 * would. */
static void
connect_failed (MemoryConnect *record, const GError *error)
{
  record->pending = FALSE;
  weft_client_factory_client_connection_failed (record->factory, NULL, error);
  weft_factory_do_stop (WEFT_FACTORY (record->factory));
}

static void
memory_connect_cancel (WeftDeferred *deferred, gpointer user_data)
{
  MemoryConnect *record = user_data;
  g_autoptr (GError) error = NULL;

  if (!record->pending)
    return;
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("The connection attempt was cancelled"));
  connect_failed (record, error);
  g_clear_object (&record->deferred);
}

static WeftDeferred *
record_connect (MemoryNet *net,
                GSocketAddress *address,
                const char *path,
                WeftClientFactory *factory,
                gint64 timeout_us,
                GSocketAddress *bind_address)
{
  MemoryConnect *record = g_rc_box_new0 (MemoryConnect);
  WeftDeferred *deferred;

  record->factory = g_object_ref (factory);
  record->address = address != NULL ? g_object_ref (address) : NULL;
  record->path = g_strdup (path);
  record->bind_address = bind_address != NULL ? g_object_ref (bind_address) : NULL;
  record->timeout_us = timeout_us;
  record->pending = TRUE;
  g_ptr_array_add (net->connects, record);

  deferred =
      weft_deferred_new_with_canceller (memory_connect_cancel, g_rc_box_acquire (record), memory_connect_release);
  record->deferred = g_object_ref (deferred);
  weft_factory_do_start (WEFT_FACTORY (factory));
  weft_client_factory_started_connecting (factory, NULL);
  return deferred;
}

static WeftDeferred *
memory_connect_tcp (WeftReactor *reactor,
                    GSocketAddress *address,
                    WeftClientFactory *factory,
                    gint64 timeout_us,
                    GSocketAddress *bind_address,
                    gpointer user_data)
{
  return record_connect (user_data, address, NULL, factory, timeout_us, bind_address);
}

static WeftDeferred *
memory_connect_unix (WeftReactor *reactor,
                     const char *path,
                     WeftClientFactory *factory,
                     gint64 timeout_us,
                     gpointer user_data)
{
  g_autoptr (GSocketAddress) address = weft_net_unix_address_new (path, NULL);

  return record_connect (user_data, address, path, factory, timeout_us, NULL);
}

static WeftListeningPort *
record_listen (WeftReactor *reactor,
               MemoryNet *net,
               GSocketAddress *address,
               const char *path,
               int mode,
               WeftFactory *factory,
               int backlog)
{
  MemoryListen *record = g_new0 (MemoryListen, 1);
  g_autoptr (GSocketAddress) bound = NULL;
  WeftListeningPort *port;

  if (G_IS_INET_SOCKET_ADDRESS (address) && g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)) == 0)
    bound = g_inet_socket_address_new (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)),
                                       net->next_port++);
  else
    bound = g_object_ref (address);

  record->factory = g_object_ref (factory);
  record->address = g_object_ref (address);
  record->path = g_strdup (path);
  record->backlog = backlog;
  record->mode = mode;
  port = weft_listening_port_new_fake (reactor, bound, factory);
  g_set_weak_pointer (&record->port, port);
  g_ptr_array_add (net->listens, record);
  return port;
}

static WeftListeningPort *
memory_listen_tcp (WeftReactor *reactor,
                   GSocketAddress *address,
                   WeftFactory *factory,
                   int backlog,
                   gpointer user_data,
                   GError **error)
{
  return record_listen (reactor, user_data, address, NULL, -1, factory, backlog);
}

static WeftListeningPort *
memory_listen_unix (WeftReactor *reactor,
                    const char *path,
                    int mode,
                    WeftFactory *factory,
                    int backlog,
                    gpointer user_data,
                    GError **error)
{
  g_autoptr (GSocketAddress) address = weft_net_unix_address_new (path, error);

  if (address == NULL)
    return NULL;
  return record_listen (reactor, user_data, address, path, mode, factory, backlog);
}

static const WeftNetOps memory_ops = {
  .connect_tcp = memory_connect_tcp,
  .listen_tcp = memory_listen_tcp,
  .connect_unix = memory_connect_unix,
  .listen_unix = memory_listen_unix,
};

static MemoryNet *
get_memory_net (WeftReactor *reactor)
{
  gpointer data;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  if (weft_reactor_get_net_ops (reactor, &data) != &memory_ops)
    {
      g_critical ("%s: this reactor does not come from weft_test_memory_reactor_new()", G_STRFUNC);
      return NULL;
    }
  return data;
}

/* Recorded listen (or connect) number @index; @strfunc names the caller in
 * the warning. */
static gpointer
get_record (WeftReactor *reactor, gboolean listens, guint index, const char *strfunc)
{
  MemoryNet *net = get_memory_net (reactor);
  GPtrArray *records;

  if (net == NULL)
    return NULL;
  records = listens ? net->listens : net->connects;
  if (index >= records->len)
    {
      g_critical ("%s: there is no recorded %s number %u (%u recorded)", strfunc, listens ? "listen" : "connect", index,
                  records->len);
      return NULL;
    }
  return records->pdata[index];
}

static MemoryConnect *
get_connect (WeftReactor *reactor, guint index)
{
  return get_record (reactor, FALSE, index, G_STRFUNC);
}

static MemoryListen *
get_listen (WeftReactor *reactor, guint index)
{
  return get_record (reactor, TRUE, index, G_STRFUNC);
}

/**
 * weft_test_memory_reactor_new:
 *
 * A reactor for testing code that connects and listens, without sockets
 * (Twisted's `MemoryReactor`). It is a test clock (see weft_test_clock_new():
 * time moves with weft_test_clock_advance()) whose
 * weft_reactor_connect_tcp(), weft_reactor_listen_tcp(),
 * weft_reactor_connect_unix() and weft_reactor_listen_unix() record their
 * arguments instead.
 *
 * A recorded connect starts its factory (weft_factory_do_start() and
 * started_connecting) and returns a deferred that waits for the test:
 * weft_test_memory_reactor_complete_connect() connects a protocol built by
 * the factory to a [class@Weft.StringTransport], and
 * weft_test_memory_reactor_fail_connect() fails it. Cancelling the deferred
 * fails the attempt as a real one would.
 *
 * A recorded listen returns a [class@Weft.ListeningPort] without a socket
 * (weft_listening_port_get_fd() is -1) that stops like a real one; port 0
 * is replaced by a made-up port number. weft_test_memory_reactor_accept()
 * plays an incoming connection.
 *
 * Returns: (transfer full): a new memory reactor
 */
WeftReactor *
weft_test_memory_reactor_new (void)
{
  WeftReactor *reactor = weft_test_clock_new ();
  MemoryNet *net = g_new0 (MemoryNet, 1);

  net->connects = g_ptr_array_new_with_free_func (memory_connect_release);
  net->listens = g_ptr_array_new_with_free_func (memory_listen_free);
  net->next_port = FIRST_FAKE_PORT;
  weft_reactor_set_net_ops (reactor, &memory_ops, net, memory_net_free);
  return reactor;
}

/**
 * weft_test_memory_reactor_get_n_connects:
 * @reactor: a memory reactor
 *
 * Returns: how many connects were recorded
 */
guint
weft_test_memory_reactor_get_n_connects (WeftReactor *reactor)
{
  MemoryNet *net = get_memory_net (reactor);

  return net != NULL ? net->connects->len : 0;
}

/**
 * weft_test_memory_reactor_get_connect_address:
 * @reactor: a memory reactor
 * @index: which connect, from 0 in the order they were made
 *
 * Returns: (transfer none) (nullable): the address asked for: a
 *   #GInetSocketAddress for TCP, a #GUnixSocketAddress for Unix
 */
GSocketAddress *
weft_test_memory_reactor_get_connect_address (WeftReactor *reactor, guint index)
{
  MemoryConnect *record = get_connect (reactor, index);

  return record != NULL ? record->address : NULL;
}

/**
 * weft_test_memory_reactor_get_connect_path:
 * @reactor: a memory reactor
 * @index: which connect
 *
 * Returns: (transfer none) (nullable): the path given to
 *   weft_reactor_connect_unix(), or %NULL for a TCP connect
 */
const char *
weft_test_memory_reactor_get_connect_path (WeftReactor *reactor, guint index)
{
  MemoryConnect *record = get_connect (reactor, index);

  return record != NULL ? record->path : NULL;
}

/**
 * weft_test_memory_reactor_get_connect_factory:
 * @reactor: a memory reactor
 * @index: which connect
 *
 * Returns: (transfer none) (nullable): the factory given
 */
WeftClientFactory *
weft_test_memory_reactor_get_connect_factory (WeftReactor *reactor, guint index)
{
  MemoryConnect *record = get_connect (reactor, index);

  return record != NULL ? record->factory : NULL;
}

/**
 * weft_test_memory_reactor_get_connect_timeout:
 * @reactor: a memory reactor
 * @index: which connect
 *
 * Returns: the timeout given, in microseconds
 */
gint64
weft_test_memory_reactor_get_connect_timeout (WeftReactor *reactor, guint index)
{
  MemoryConnect *record = get_connect (reactor, index);

  return record != NULL ? record->timeout_us : 0;
}

/**
 * weft_test_memory_reactor_get_connect_bind_address:
 * @reactor: a memory reactor
 * @index: which connect
 *
 * Returns: (transfer none) (nullable): the local address given to
 *   weft_reactor_connect_tcp(), if any
 */
GSocketAddress *
weft_test_memory_reactor_get_connect_bind_address (WeftReactor *reactor, guint index)
{
  MemoryConnect *record = get_connect (reactor, index);

  return record != NULL ? record->bind_address : NULL;
}

/**
 * weft_test_memory_reactor_connect_is_pending:
 * @reactor: a memory reactor
 * @index: which connect
 *
 * Returns: %TRUE until the connect is completed, failed or cancelled
 */
gboolean
weft_test_memory_reactor_connect_is_pending (WeftReactor *reactor, guint index)
{
  MemoryConnect *record = get_connect (reactor, index);

  return record != NULL && record->pending;
}

static void
protocol_connected_changed (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  MemoryConnect *record = user_data;
  g_autoptr (GError) done = NULL;
  const GError *reason = NULL;

  if (weft_protocol_is_connected (WEFT_PROTOCOL (object)))
    return;
  if (record->transport != NULL)
    reason = weft_string_transport_get_close_reason (record->transport);
  if (reason == NULL)
    reason = done = g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, _ ("Connection was closed cleanly."));
  g_signal_handler_disconnect (object, record->lost_handler);
  record->lost_handler = 0;
  weft_client_factory_client_connection_lost (record->factory, NULL, reason);
  weft_factory_do_stop (WEFT_FACTORY (record->factory));
}

static void
lost_handler_release (gpointer data, GClosure *closure)
{
  memory_connect_release (data);
}

/**
 * weft_test_memory_reactor_complete_connect:
 * @reactor: a memory reactor
 * @index: which connect; it must be pending
 * @transport: a string transport without a protocol, playing the socket
 *
 * Makes the recorded connect succeed: the factory builds a protocol (for
 * the transport's peer address), which is connected to @transport, and the
 * connect's deferred fires with it. When the protocol later receives
 * connection_lost, the factory gets client_connection_lost (with the
 * string transport's close reason) and weft_factory_do_stop().
 *
 * Returns: (transfer none) (nullable): the protocol, owned by @transport;
 *   %NULL when the factory built none (the connect then fails)
 */
WeftProtocol *
weft_test_memory_reactor_complete_connect (WeftReactor *reactor, guint index, WeftStringTransport *transport)
{
  MemoryConnect *record = get_connect (reactor, index);
  g_autoptr (WeftDeferred) deferred = NULL;
  g_autoptr (WeftProtocol) protocol = NULL;
  g_autoptr (GSocketAddress) peer = NULL;

  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (WEFT_IS_STRING_TRANSPORT (transport), NULL);
  g_return_val_if_fail (record->pending, NULL);

  peer = weft_transport_get_peer_address (WEFT_TRANSPORT (transport));
  protocol = weft_factory_build_protocol (WEFT_FACTORY (record->factory), peer);
  deferred = g_steal_pointer (&record->deferred);
  if (protocol == NULL)
    {
      g_autoptr (GError) error =
          g_error_new_literal (WEFT_ERROR, WEFT_ERROR_FAILED, _ ("The factory built no protocol for the connection"));

      connect_failed (record, error);
      weft_deferred_errback_take_error (deferred, g_steal_pointer (&error));
      return NULL;
    }

  record->pending = FALSE;
  g_set_weak_pointer (&record->transport, transport);
  record->lost_handler = g_signal_connect_data (protocol, "notify::connected", G_CALLBACK (protocol_connected_changed),
                                                g_rc_box_acquire (record), lost_handler_release, 0);
  weft_string_transport_connect (transport, protocol);
  weft_deferred_callback_object (deferred, protocol);
  return protocol;
}

/**
 * weft_test_memory_reactor_fail_connect:
 * @reactor: a memory reactor
 * @index: which connect; it must be pending
 * @error: why it failed, e.g. a %G_IO_ERROR_CONNECTION_REFUSED error
 *
 * Makes the recorded connect fail: the factory gets
 * client_connection_failed and weft_factory_do_stop(), then the deferred
 * fails with a copy of @error.
 */
void
weft_test_memory_reactor_fail_connect (WeftReactor *reactor, guint index, const GError *error)
{
  MemoryConnect *record = get_connect (reactor, index);
  g_autoptr (WeftDeferred) deferred = NULL;

  g_return_if_fail (record != NULL);
  g_return_if_fail (error != NULL);
  g_return_if_fail (record->pending);

  deferred = g_steal_pointer (&record->deferred);
  connect_failed (record, error);
  weft_deferred_errback_take_error (deferred, g_error_copy (error));
}

/**
 * weft_test_memory_reactor_get_n_listens:
 * @reactor: a memory reactor
 *
 * Returns: how many listens were recorded
 */
guint
weft_test_memory_reactor_get_n_listens (WeftReactor *reactor)
{
  MemoryNet *net = get_memory_net (reactor);

  return net != NULL ? net->listens->len : 0;
}

/**
 * weft_test_memory_reactor_get_listen_address:
 * @reactor: a memory reactor
 * @index: which listen, from 0 in the order they were made
 *
 * Returns: (transfer none) (nullable): the address asked for (port 0
 *   stays 0 here; the port's own address has the made-up number)
 */
GSocketAddress *
weft_test_memory_reactor_get_listen_address (WeftReactor *reactor, guint index)
{
  MemoryListen *record = get_listen (reactor, index);

  return record != NULL ? record->address : NULL;
}

/**
 * weft_test_memory_reactor_get_listen_path:
 * @reactor: a memory reactor
 * @index: which listen
 *
 * Returns: (transfer none) (nullable): the path given to
 *   weft_reactor_listen_unix(), or %NULL for TCP
 */
const char *
weft_test_memory_reactor_get_listen_path (WeftReactor *reactor, guint index)
{
  MemoryListen *record = get_listen (reactor, index);

  return record != NULL ? record->path : NULL;
}

/**
 * weft_test_memory_reactor_get_listen_factory:
 * @reactor: a memory reactor
 * @index: which listen
 *
 * Returns: (transfer none) (nullable): the factory given
 */
WeftFactory *
weft_test_memory_reactor_get_listen_factory (WeftReactor *reactor, guint index)
{
  MemoryListen *record = get_listen (reactor, index);

  return record != NULL ? record->factory : NULL;
}

/**
 * weft_test_memory_reactor_get_listen_backlog:
 * @reactor: a memory reactor
 * @index: which listen
 *
 * Returns: the backlog given
 */
int
weft_test_memory_reactor_get_listen_backlog (WeftReactor *reactor, guint index)
{
  MemoryListen *record = get_listen (reactor, index);

  return record != NULL ? record->backlog : 0;
}

/**
 * weft_test_memory_reactor_get_listen_mode:
 * @reactor: a memory reactor
 * @index: which listen
 *
 * Returns: the mode given to weft_reactor_listen_unix(), or -1
 */
int
weft_test_memory_reactor_get_listen_mode (WeftReactor *reactor, guint index)
{
  MemoryListen *record = get_listen (reactor, index);

  return record != NULL ? record->mode : -1;
}

/**
 * weft_test_memory_reactor_get_listen_port:
 * @reactor: a memory reactor
 * @index: which listen
 *
 * Returns: (transfer none) (nullable): the port that was returned, or
 *   %NULL once it has stopped and nobody holds it any more
 */
WeftListeningPort *
weft_test_memory_reactor_get_listen_port (WeftReactor *reactor, guint index)
{
  MemoryListen *record = get_listen (reactor, index);

  return record != NULL ? record->port : NULL;
}

/**
 * weft_test_memory_reactor_accept:
 * @reactor: a memory reactor
 * @index: which listen; its port must still be listening
 * @transport: a string transport without a protocol, playing the accepted
 *   socket (its peer address is the client's)
 *
 * Plays an incoming connection: the listen's factory builds a protocol for
 * the transport's peer address, and it is connected to @transport.
 *
 * Returns: (transfer none) (nullable): the protocol, owned by @transport,
 *   or %NULL if the factory refused the connection
 */
WeftProtocol *
weft_test_memory_reactor_accept (WeftReactor *reactor, guint index, WeftStringTransport *transport)
{
  MemoryListen *record = get_listen (reactor, index);
  g_autoptr (GSocketAddress) peer = NULL;
  g_autoptr (WeftProtocol) protocol = NULL;

  g_return_val_if_fail (record != NULL, NULL);
  g_return_val_if_fail (WEFT_IS_STRING_TRANSPORT (transport), NULL);
  g_return_val_if_fail (record->port != NULL && weft_listening_port_is_listening (record->port), NULL);

  peer = weft_transport_get_peer_address (WEFT_TRANSPORT (transport));
  protocol = weft_factory_build_protocol (record->factory, peer);
  if (protocol == NULL)
    return NULL;
  weft_string_transport_connect (transport, protocol);
  return protocol;
}
