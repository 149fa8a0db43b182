/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* GIO-style calls beside the Deferreds: every operation an application
 * starts (connecting, listening, resolving, running a process, a TLS
 * handshake) also comes as a `_async` / `_finish` pair with a
 * GCancellable, built on weft_deferred_to_task(). */

#include "config.h"

#include "weft-async.h"
#include "weft-error.h"
#include "weft-process.h"
#include "weft-resolver.h"

/* Ties one deferred to one GTask: the deferred's result becomes the task's,
 * and cancelling the GCancellable cancels the deferred. */
typedef struct {
  GTask *task;               /* owned until the deferred has fired */
  WeftDeferred *deferred;    /* owned */
  GCancellable *cancellable; /* owned; NULL if none */
  gulong cancelled_id;
  GMainContext *context; /* owned: where the cancellation is delivered */
} TaskBridge;

static void
task_bridge_free (gpointer data)
{
  TaskBridge *bridge = data;

  /* Never called from inside the "cancelled" emission (see on_cancelled),
   * so disconnecting cannot deadlock. */
  if (bridge->cancelled_id != 0)
    g_cancellable_disconnect (bridge->cancellable, bridge->cancelled_id);
  g_clear_object (&bridge->cancellable);
  g_clear_object (&bridge->task);
  g_clear_object (&bridge->deferred);
  g_clear_pointer (&bridge->context, g_main_context_unref);
  g_free (bridge);
}

static WeftDeferred *
deferred_fired (WeftResult *result, gpointer user_data)
{
  TaskBridge *bridge = user_data;
  g_autoptr (GTask) task = g_steal_pointer (&bridge->task);

  if (weft_result_is_error (result))
    {
      const GError *error = weft_result_get_error (result);

      /* GIO's callers test for G_IO_ERROR_CANCELLED. */
      if (weft_result_is_cancelled (result))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", error->message);
      else
        g_task_return_error (task, g_error_copy (error));
      weft_result_clear (result); /* handled: the task reports it */
    }
  else
    {
      const GValue *value = weft_result_get_value (result);
      g_auto (GValue) none = G_VALUE_INIT;

      if (value != NULL && G_IS_VALUE (value))
        g_task_return_value (task, (GValue *) value);
      else
        {
          g_value_init (&none, G_TYPE_BOOLEAN);
          g_value_set_boolean (&none, TRUE);
          g_task_return_value (task, &none);
        }
    }
  return NULL;
}

static gboolean
cancel_deferred (gpointer user_data)
{
  weft_deferred_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  TaskBridge *bridge = user_data;
  GSource *source;

  /* This may run in any thread, and inside g_cancellable_cancel(): the
   * deferred is cancelled from the caller's main context instead, after
   * the emission. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_name (source, "weft_deferred_to_task cancel");
  g_source_set_callback (source, cancel_deferred, g_object_ref (bridge->deferred), g_object_unref);
  g_source_attach (source, bridge->context);
  g_source_unref (source);
}

static void
deferred_to_task (WeftDeferred *deferred,
                  gpointer source_object,
                  GCancellable *cancellable,
                  GAsyncReadyCallback callback,
                  gpointer user_data,
                  gpointer source_tag,
                  const char *name)
{
  TaskBridge *bridge = g_new0 (TaskBridge, 1);

  bridge->task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (bridge->task, source_tag);
  if (name != NULL)
    g_task_set_name (bridge->task, name);
  /* What happened wins: an operation that completed before the
   * cancellation reached it returns its result (a connection, a port),
   * which must not be lost. */
  g_task_set_check_cancellable (bridge->task, FALSE);
  bridge->deferred = g_object_ref (deferred);
  bridge->context = g_main_context_ref_thread_default ();
  if (cancellable != NULL)
    {
      bridge->cancellable = g_object_ref (cancellable);
      bridge->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), bridge, NULL);
    }
  weft_deferred_add_both (deferred, deferred_fired, bridge, task_bridge_free);
}

/**
 * weft_deferred_to_task:
 * @deferred: a deferred
 * @source_object: (type GObject) (nullable): the object the operation
 *   belongs to, passed to @callback
 * @cancellable: (nullable): cancels @deferred (weft_deferred_cancel()) when
 *   cancelled
 * @callback: (scope async) (closure user_data): called with a #GTask
 *   once @deferred has fired
 * @user_data: data for @callback
 *
 * Lets any Deferred feed a `GAsyncReadyCallback`, for code written the GIO
 * way. When @deferred fires, @callback receives a #GTask: read its value
 * with g_task_propagate_value() (a deferred that fired with no value gives
 * a boolean %TRUE), or its error; a deferred that was cancelled, through
 * @cancellable or otherwise, gives %G_IO_ERROR_CANCELLED.
 *
 * Cancelling @cancellable (from any thread) cancels @deferred from the
 * thread-default main context of the caller, where @callback runs too, as
 * with every GIO call; a reactor runs that context unless it was created
 * with %WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING. An operation that completed
 * before the cancellation reached it reports its result.
 *
 * The error of @deferred counts as handled: it is not reported as an
 * unhandled error.
 */
void
weft_deferred_to_task (WeftDeferred *deferred,
                       gpointer source_object,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_return_if_fail (WEFT_IS_DEFERRED (deferred));
  g_return_if_fail (source_object == NULL || G_IS_OBJECT (source_object));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  deferred_to_task (deferred, source_object, cancellable, callback, user_data, weft_deferred_to_task, NULL);
}

/* Finishes a task made by deferred_to_task() and returns its value as an
 * object, or NULL with @error set. */
static gpointer
propagate_object (GAsyncResult *result, gpointer source_tag, GType type, GError **error)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  if (!g_task_propagate_value (G_TASK (result), &value, error))
    return NULL;
  if (!G_VALUE_HOLDS (&value, type) || g_value_get_object (&value) == NULL)
    {
      g_set_error (error, WEFT_ERROR, WEFT_ERROR_FAILED, "The operation completed without a %s", g_type_name (type));
      return NULL;
    }
  return g_value_dup_object (&value);
}

static gpointer
propagate_boxed (GAsyncResult *result, gpointer source_tag, GType type, GError **error)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  if (!g_task_propagate_value (G_TASK (result), &value, error))
    return NULL;
  if (!G_VALUE_HOLDS (&value, type) || g_value_get_boxed (&value) == NULL)
    {
      g_set_error (error, WEFT_ERROR, WEFT_ERROR_FAILED, "The operation completed without a %s", g_type_name (type));
      return NULL;
    }
  return g_value_dup_boxed (&value);
}

/**
 * weft_client_endpoint_connect_async:
 * @endpoint: a client endpoint
 * @factory: builds the protocol for the connection
 * @cancellable: (nullable): cancels the attempt, at whatever stage it is
 *   (resolving the host name, connecting, the TLS handshake)
 * @callback: (scope async) (closure user_data): called when connected, or
 *   when the attempt failed
 * @user_data: data for @callback
 *
 * weft_client_endpoint_connect() the GIO way. Finish with
 * weft_client_endpoint_connect_finish(). A cancelled attempt leaves nothing
 * behind: no socket, no half-done handshake, and the factory is told the
 * attempt failed.
 */
void
weft_client_endpoint_connect_async (WeftClientEndpoint *endpoint,
                                    WeftClientFactory *factory,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr (WeftDeferred) deferred = NULL;

  g_return_if_fail (WEFT_IS_CLIENT_ENDPOINT (endpoint));
  g_return_if_fail (WEFT_IS_CLIENT_FACTORY (factory));

  deferred = weft_client_endpoint_connect (endpoint, factory);
  deferred_to_task (deferred, endpoint, cancellable, callback, user_data, weft_client_endpoint_connect_async,
                    "weft_client_endpoint_connect_async");
}

/**
 * weft_client_endpoint_connect_finish:
 * @endpoint: the endpoint given to weft_client_endpoint_connect_async()
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the connected protocol, as built by the
 *   factory (cast it to its type), or %NULL with @error set
 *   (%G_IO_ERROR_CANCELLED when cancelled)
 */
WeftProtocol *
weft_client_endpoint_connect_finish (WeftClientEndpoint *endpoint, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (g_task_is_valid (result, endpoint), NULL);

  return propagate_object (result, weft_client_endpoint_connect_async, WEFT_TYPE_PROTOCOL, error);
}

/**
 * weft_server_endpoint_listen_async:
 * @endpoint: a server endpoint
 * @factory: builds a protocol for each accepted connection
 * @cancellable: (nullable): cancels the operation
 * @callback: (scope async) (closure user_data): called when listening, or
 *   when it failed
 * @user_data: data for @callback
 *
 * weft_server_endpoint_listen() the GIO way. Finish with
 * weft_server_endpoint_listen_finish().
 */
void
weft_server_endpoint_listen_async (WeftServerEndpoint *endpoint,
                                   WeftFactory *factory,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr (WeftDeferred) deferred = NULL;

  g_return_if_fail (WEFT_IS_SERVER_ENDPOINT (endpoint));
  g_return_if_fail (WEFT_IS_FACTORY (factory));

  deferred = weft_server_endpoint_listen (endpoint, factory);
  deferred_to_task (deferred, endpoint, cancellable, callback, user_data, weft_server_endpoint_listen_async,
                    "weft_server_endpoint_listen_async");
}

/**
 * weft_server_endpoint_listen_finish:
 * @endpoint: the endpoint given to weft_server_endpoint_listen_async()
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the listening port, or %NULL with @error set
 */
WeftListeningPort *
weft_server_endpoint_listen_finish (WeftServerEndpoint *endpoint, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WEFT_IS_SERVER_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (g_task_is_valid (result, endpoint), NULL);

  return propagate_object (result, weft_server_endpoint_listen_async, WEFT_TYPE_LISTENING_PORT, error);
}

/**
 * weft_reactor_resolve_async:
 * @reactor: a reactor
 * @host: a host name or an IP address
 * @port: the port to put in the addresses
 * @family: %G_SOCKET_FAMILY_INVALID for any, or IPv4 or IPv6 only
 * @cancellable: (nullable): cancels the lookup
 * @callback: (scope async) (closure user_data): called with the addresses
 * @user_data: data for @callback
 *
 * weft_reactor_resolve() the GIO way. Finish with
 * weft_reactor_resolve_finish().
 */
void
weft_reactor_resolve_async (WeftReactor *reactor,
                            const char *host,
                            guint16 port,
                            GSocketFamily family,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (WeftDeferred) deferred = NULL;

  g_return_if_fail (WEFT_IS_REACTOR (reactor));
  g_return_if_fail (host != NULL);

  deferred = weft_reactor_resolve (reactor, host, port, family);
  deferred_to_task (deferred, reactor, cancellable, callback, user_data, weft_reactor_resolve_async,
                    "weft_reactor_resolve_async");
}

/**
 * weft_reactor_resolve_finish:
 * @reactor: the reactor given to weft_reactor_resolve_async()
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type GInetSocketAddress): the
 *   addresses, in the order to try them, or %NULL with @error set
 */
GPtrArray *
weft_reactor_resolve_finish (WeftReactor *reactor, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (g_task_is_valid (result, reactor), NULL);

  return propagate_boxed (result, weft_reactor_resolve_async, G_TYPE_PTR_ARRAY, error);
}

/**
 * weft_get_process_output_async:
 * @reactor: a reactor
 * @argv: (array zero-terminated=1): the program and its arguments
 * @envp: (array zero-terminated=1) (nullable): the environment, or %NULL
 *   for this process's
 * @cwd: (nullable): the working directory, or %NULL for this process's
 * @cancellable: (nullable): cancels the run: the process is killed
 * @callback: (scope async) (closure user_data): called with the output
 * @user_data: data for @callback
 *
 * Runs a process and collects its standard output, as
 * weft_get_process_output() does, the GIO way. Finish with
 * weft_get_process_output_finish().
 */
void
weft_get_process_output_async (WeftReactor *reactor,
                               const char *const *argv,
                               const char *const *envp,
                               const char *cwd,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (WeftDeferred) deferred = NULL;

  g_return_if_fail (WEFT_IS_REACTOR (reactor));
  g_return_if_fail (argv != NULL);

  deferred = weft_get_process_output (reactor, argv, envp, cwd);
  deferred_to_task (deferred, reactor, cancellable, callback, user_data, weft_get_process_output_async,
                    "weft_get_process_output_async");
}

/**
 * weft_get_process_output_finish:
 * @reactor: the reactor given to weft_get_process_output_async()
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): everything the process wrote to its standard
 *   output, or %NULL with @error set (the process failed or could not run)
 */
GBytes *
weft_get_process_output_finish (WeftReactor *reactor, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (g_task_is_valid (result, reactor), NULL);

  return propagate_boxed (result, weft_get_process_output_async, G_TYPE_BYTES, error);
}

static void
abort_tls (WeftDeferred *deferred, gpointer user_data)
{
  WeftTlsTransport *tls = g_weak_ref_get (user_data);

  if (tls != NULL)
    {
      weft_transport_abort_connection (WEFT_TRANSPORT (tls));
      g_object_unref (tls);
    }
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/**
 * weft_tls_transport_handshake_async:
 * @tls: a TLS transport
 * @cancellable: (nullable): cancels the handshake: the connection is
 *   aborted
 * @callback: (scope async) (closure user_data): called when the handshake
 *   is over
 * @user_data: data for @callback
 *
 * Waits for the end of the handshake, as
 * weft_tls_transport_get_handshake_deferred() does, the GIO way. Finish
 * with weft_tls_transport_handshake_finish().
 */
void
weft_tls_transport_handshake_async (WeftTlsTransport *tls,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr (WeftDeferred) handshake = NULL;
  g_autoptr (WeftDeferred) deferred = NULL;
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_return_if_fail (WEFT_IS_TLS_TRANSPORT (tls));

  g_weak_ref_init (weak, tls);
  deferred = weft_deferred_new_with_canceller (abort_tls, weak, weak_ref_free);
  weft_deferred_set_description (deferred, "The TLS handshake");
  handshake = weft_tls_transport_get_handshake_deferred (tls);
  weft_deferred_chain (handshake, deferred);
  deferred_to_task (deferred, tls, cancellable, callback, user_data, weft_tls_transport_handshake_async,
                    "weft_tls_transport_handshake_async");
}

/**
 * weft_tls_transport_handshake_finish:
 * @tls: the transport given to weft_tls_transport_handshake_async()
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the handshake has succeeded (the peer is verified),
 *   %FALSE with @error set if the connection ended first or the wait was
 *   cancelled
 */
gboolean
weft_tls_transport_handshake_finish (WeftTlsTransport *tls, GAsyncResult *result, GError **error)
{
  g_auto (GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, tls), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == weft_tls_transport_handshake_async, FALSE);

  return g_task_propagate_value (G_TASK (result), &value, error);
}
