/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "weft-endpoint-private.h"
#include "weft-error.h"
#include "weft-happy-eyeballs-private.h"
#include "weft-listening-port.h"
#include "weft-resolver-private.h"
#include "weft-resolver.h"
#include "weft-tcp.h"
#include "weft-tls.h"
#include "weft-unix.h"

/* Endpoints: where to connect or listen, as objects and as strings.
 *
 * The string language is Twisted's: arguments separated by ':', keywords
 * as key=value, a backslash makes the next character literal, and an IPv6
 * address may be written in brackets instead of escaping its colons. */

/* WeftEndpoint */

typedef struct {
  WeftReactor *reactor;
} WeftEndpointPrivate;

/**
 * WeftEndpoint:
 *
 * Where to connect or where to listen, as an object: Twisted's endpoints.
 *
 * A [class@Weft.ClientEndpoint] connects a [class@Weft.ClientFactory]'s
 * protocol to a server; a [class@Weft.ServerEndpoint] listens with a
 * [class@Weft.Factory]. Both are made from descriptions that a user can
 * type into a configuration file or a command line:
 *
 * | description | what |
 * | --- | --- |
 * | `tcp:example.org:6667` | TCP to a host name (IPv6 and IPv4, RFC 8305) or address |
 * | `tcp:[::1]:6667:timeout=10:bind=::1` | options are keywords |
 * | `tls:example.org:6697:ca=/etc/ca.pem` | TLS over TCP |
 * | `unix:/run/app.sock` | a Unix socket |
 * | `tcp:6667:interface=127.0.0.1` (server) | listen on a port |
 * | `tls:6697:cert=server.pem:key=server.key` (server) | listen with TLS |
 * | `unix:/run/app.sock:mode=0600` (server) | listen on a Unix socket |
 *
 * See weft_client_endpoint_from_string() and
 * weft_server_endpoint_from_string() for every keyword.
 */
G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (WeftEndpoint, weft_endpoint, G_TYPE_OBJECT)

enum {
  PROP_ENDPOINT_0,
  PROP_ENDPOINT_REACTOR,
  N_ENDPOINT_PROPS
};

static GParamSpec *endpoint_properties[N_ENDPOINT_PROPS];

static char *
weft_endpoint_real_to_string (WeftEndpoint *self)
{
  return g_strdup (G_OBJECT_TYPE_NAME (self));
}

static void
weft_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftEndpointPrivate *priv = weft_endpoint_get_instance_private (WEFT_ENDPOINT (object));

  switch (prop_id)
    {
    case PROP_ENDPOINT_REACTOR:
      g_value_set_object (value, priv->reactor);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftEndpointPrivate *priv = weft_endpoint_get_instance_private (WEFT_ENDPOINT (object));

  switch (prop_id)
    {
    case PROP_ENDPOINT_REACTOR:
      priv->reactor = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_endpoint_dispose (GObject *object)
{
  WeftEndpointPrivate *priv = weft_endpoint_get_instance_private (WEFT_ENDPOINT (object));

  g_clear_object (&priv->reactor);
  G_OBJECT_CLASS (weft_endpoint_parent_class)->dispose (object);
}

static void
weft_endpoint_class_init (WeftEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = weft_endpoint_get_property;
  object_class->set_property = weft_endpoint_set_property;
  object_class->dispose = weft_endpoint_dispose;
  klass->to_string = weft_endpoint_real_to_string;

  /**
   * WeftEndpoint:reactor: (getter get_reactor)
   *
   * The reactor that connections and listening ports run on.
   */
  endpoint_properties[PROP_ENDPOINT_REACTOR] =
      g_param_spec_object ("reactor", NULL, NULL, WEFT_TYPE_REACTOR,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_ENDPOINT_PROPS, endpoint_properties);
}

static void
weft_endpoint_init (WeftEndpoint *self)
{
}

/**
 * weft_endpoint_get_reactor:
 * @endpoint: an endpoint
 *
 * Returns: (transfer none): the reactor of @endpoint
 */
WeftReactor *
weft_endpoint_get_reactor (WeftEndpoint *endpoint)
{
  WeftEndpointPrivate *priv;

  g_return_val_if_fail (WEFT_IS_ENDPOINT (endpoint), NULL);
  priv = weft_endpoint_get_instance_private (endpoint);
  return priv->reactor;
}

/**
 * weft_endpoint_to_string:
 * @endpoint: an endpoint
 *
 * Describes @endpoint in the language of weft_client_endpoint_from_string()
 * and weft_server_endpoint_from_string(): for the endpoints these make,
 * parsing the result gives an equal endpoint. Values that equal the
 * defaults are left out.
 *
 * Returns: (transfer full): the description
 */
char *
weft_endpoint_to_string (WeftEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_ENDPOINT (endpoint), NULL);
  return WEFT_ENDPOINT_GET_CLASS (endpoint)->to_string (endpoint);
}

/* Connecting never reports from inside the call that started it: a result
 * that is there at once waits for the reactor's next round. */
static void
unpause_deferred (gpointer data)
{
  weft_deferred_unpause (data);
}

static void
hold_until_soon (WeftReactor *reactor, WeftDeferred *deferred)
{
  if (!weft_deferred_has_fired (deferred) || weft_deferred_is_waiting (deferred))
    return;
  weft_deferred_pause (deferred);
  weft_reactor_call_soon (reactor, unpause_deferred, g_object_ref (deferred), g_object_unref);
}

/* The factory an endpoint hands to transports: it builds protocols with
 * another factory and reports a lost connection to whoever started the
 * connect, while the failures of single attempts (one address of several)
 * stay inside the endpoint. */

#define WEFT_TYPE_ATTEMPT_FACTORY (weft_attempt_factory_get_type ())
G_DECLARE_FINAL_TYPE (WeftAttemptFactory, weft_attempt_factory, WEFT, ATTEMPT_FACTORY, WeftClientFactory)

struct _WeftAttemptFactory {
  WeftClientFactory parent_instance;
  WeftFactory *builder;
  LostFunc lost;
  gpointer lost_data;
  GDestroyNotify lost_notify;
};

G_DEFINE_FINAL_TYPE (WeftAttemptFactory, weft_attempt_factory, WEFT_TYPE_CLIENT_FACTORY)

static WeftProtocol *
weft_attempt_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  WeftAttemptFactory *self = WEFT_ATTEMPT_FACTORY (factory);

  return weft_factory_build_protocol (self->builder, address);
}

static void
weft_attempt_factory_client_connection_lost (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  WeftAttemptFactory *self = WEFT_ATTEMPT_FACTORY (factory);

  if (self->lost != NULL)
    self->lost (reason, self->lost_data);
}

static void
weft_attempt_factory_finalize (GObject *object)
{
  WeftAttemptFactory *self = WEFT_ATTEMPT_FACTORY (object);

  g_clear_object (&self->builder);
  if (self->lost_notify != NULL)
    self->lost_notify (self->lost_data);
  G_OBJECT_CLASS (weft_attempt_factory_parent_class)->finalize (object);
}

static void
weft_attempt_factory_class_init (WeftAttemptFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_attempt_factory_finalize;
  WEFT_FACTORY_CLASS (klass)->build_protocol = weft_attempt_factory_build_protocol;
  WEFT_CLIENT_FACTORY_CLASS (klass)->client_connection_lost = weft_attempt_factory_client_connection_lost;
}

static void
weft_attempt_factory_init (WeftAttemptFactory *self)
{
}

WeftClientFactory *
weft_attempt_factory_new (WeftFactory *builder, LostFunc lost, gpointer lost_data, GDestroyNotify lost_notify)
{
  WeftAttemptFactory *self = g_object_new (WEFT_TYPE_ATTEMPT_FACTORY, NULL);

  self->builder = g_object_ref (builder);
  self->lost = lost;
  self->lost_data = lost_data;
  self->lost_notify = lost_notify;
  return WEFT_CLIENT_FACTORY (self);
}

/* WeftClientEndpoint */

/**
 * WeftClientEndpoint:
 *
 * Something to connect to: weft_client_endpoint_connect() starts a
 * connection and returns a deferred for its protocol.
 *
 * Subclasses implement the connect method with the factory they are given
 * and fire the deferred with the protocol once it is connected. Transports
 * they make must report the end of the connection to that factory with
 * weft_client_factory_client_connection_lost(), as Weft's TCP and Unix
 * transports do.
 */
G_DEFINE_ABSTRACT_TYPE (WeftClientEndpoint, weft_client_endpoint, WEFT_TYPE_ENDPOINT)

static void
weft_client_endpoint_class_init (WeftClientEndpointClass *klass)
{
}

static void
weft_client_endpoint_init (WeftClientEndpoint *self)
{
}

/* One weft_client_endpoint_connect(), from the start to the end of its
 * connection. */
typedef struct {
  WeftClientFactory *factory;
  WeftConnector *connector;
  gboolean connected;
  gboolean lost;
} ConnectOp;

static void
connect_op_clear (gpointer data)
{
  ConnectOp *op = data;

  g_clear_object (&op->factory);
  g_clear_object (&op->connector);
}

static gpointer
connect_op_ref (ConnectOp *op)
{
  return g_rc_box_acquire (op);
}

static void
connect_op_unref (gpointer op)
{
  g_rc_box_release_full (op, connect_op_clear);
}

/* Twisted's connectors: the factory is stopped after the failure or loss
 * has been reported, unless it reconnected meanwhile. */
static void
connect_op_stop_factory (ConnectOp *op)
{
  if (op->connector != NULL)
    weft_connector_factory_done (op->connector);
  else
    weft_factory_do_stop (WEFT_FACTORY (op->factory));
}

/* Nothing more to report: what the transport keeps (its factory, and so
 * this) no longer keeps the caller's factory and connector alive. */
static void
connect_op_finish (ConnectOp *op)
{
  g_clear_object (&op->connector);
  g_clear_object (&op->factory);
}

static void
connect_op_lost (const GError *reason, gpointer user_data)
{
  ConnectOp *op = user_data;

  /* Before the deferred fired (a TLS handshake that failed) the loss is
   * reported as the failure of the attempt. */
  if (!op->connected || op->lost)
    return;
  op->lost = TRUE;
  connect_op_ref (op);
  if (op->connector != NULL)
    weft_connector_lost (op->connector);
  weft_client_factory_client_connection_lost (op->factory, op->connector, reason);
  connect_op_stop_factory (op);
  connect_op_finish (op);
  connect_op_unref (op);
}

static void
connect_op_failed (ConnectOp *op, const GError *error)
{
  if (op->connector != NULL)
    weft_connector_attempt_done (op->connector, NULL);
  weft_client_factory_client_connection_failed (op->factory, op->connector, error);
  connect_op_stop_factory (op);
  connect_op_finish (op);
}

static WeftDeferred *
connect_op_on_result (WeftResult *result, gpointer user_data)
{
  ConnectOp *op = user_data;

  if (!weft_result_is_error (result) && !weft_result_holds (result, WEFT_TYPE_PROTOCOL))
    weft_result_set_new_error (result, WEFT_ERROR, WEFT_ERROR_FAILED,
                               "The endpoint's connect fired with %s instead of a protocol",
                               g_type_name (weft_result_get_value_type (result)));

  if (weft_result_is_error (result))
    {
      connect_op_failed (op, weft_result_get_error (result));
      return NULL;
    }

  op->connected = TRUE;
  if (op->connector != NULL)
    weft_connector_attempt_done (op->connector, weft_result_get_object (result));
  return NULL;
}

WeftDeferred *
weft_client_endpoint_connect_with_connector (WeftClientEndpoint *endpoint,
                                             WeftClientFactory *factory,
                                             WeftConnector *connector)
{
  ConnectOp *op = g_rc_box_new0 (ConnectOp);
  g_autoptr (WeftClientFactory) attempt_factory = NULL;
  WeftDeferred *deferred;

  op->factory = g_object_ref (factory);
  op->connector = connector != NULL ? g_object_ref (connector) : NULL;

  if (connector == NULL)
    weft_factory_do_start (WEFT_FACTORY (factory));
  weft_client_factory_started_connecting (factory, connector);

  attempt_factory =
      weft_attempt_factory_new (WEFT_FACTORY (factory), connect_op_lost, connect_op_ref (op), connect_op_unref);
  deferred = WEFT_CLIENT_ENDPOINT_GET_CLASS (endpoint)->connect (endpoint, attempt_factory);
  if (deferred == NULL)
    deferred = weft_deferred_fail_take_error (g_error_new (WEFT_ERROR, WEFT_ERROR_FAILED,
                                                           "%s returned no deferred from connect",
                                                           G_OBJECT_TYPE_NAME (endpoint)));
  hold_until_soon (weft_endpoint_get_reactor (WEFT_ENDPOINT (endpoint)), deferred);
  weft_deferred_add_both (deferred, connect_op_on_result, op, connect_op_unref);
  return deferred;
}

/**
 * weft_client_endpoint_connect:
 * @endpoint: a client endpoint
 * @factory: the factory that builds the connection's protocol
 *
 * Connects: resolves the host if there is one, tries its addresses (see
 * [class@Weft.TcpClientEndpoint]), sets up TLS if asked, and builds the
 * protocol with @factory once connected.
 *
 * The returned deferred fires with the connected [class@Weft.Protocol]
 * (read it with weft_result_get_object()), or fails with what went wrong:
 * a %G_IO_ERROR such as %G_IO_ERROR_HOST_NOT_FOUND or
 * %G_IO_ERROR_CONNECTION_REFUSED with a message that names the host, a
 * %G_IO_ERROR_TIMED_OUT when the endpoint's timeout passed, a TLS error. It
 * never fires before this function has returned. Cancelling it stops the
 * attempt wherever it is (resolving, connecting, in the TLS handshake) and
 * closes what was opened.
 *
 * @factory is told as a Twisted connector tells it: weft_factory_do_start()
 * and started_connecting now, then client_connection_failed, or, once the
 * connection has ended, client_connection_lost; then weft_factory_do_stop().
 * Their connector argument is %NULL: to reconnect, use a
 * [class@Weft.Connector] or a [class@Weft.ClientService].
 *
 * Returns: (transfer full): a deferred for the connected protocol
 */
WeftDeferred *
weft_client_endpoint_connect (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (WEFT_IS_CLIENT_FACTORY (factory), NULL);

  return weft_client_endpoint_connect_with_connector (endpoint, factory, NULL);
}

/* WeftServerEndpoint */

/**
 * WeftServerEndpoint:
 *
 * Somewhere to listen: weft_server_endpoint_listen() returns a deferred
 * for the [class@Weft.ListeningPort].
 */
G_DEFINE_ABSTRACT_TYPE (WeftServerEndpoint, weft_server_endpoint, WEFT_TYPE_ENDPOINT)

static void
weft_server_endpoint_class_init (WeftServerEndpointClass *klass)
{
}

static void
weft_server_endpoint_init (WeftServerEndpoint *self)
{
}

/**
 * weft_server_endpoint_listen:
 * @endpoint: a server endpoint
 * @factory: the factory that builds a protocol for each connection
 *
 * Starts listening. The returned deferred fires with the
 * [class@Weft.ListeningPort] (weft_result_get_object()); stop it with
 * weft_listening_port_stop_listening(). It fails with a %G_IO_ERROR such as
 * %G_IO_ERROR_ADDRESS_IN_USE, or a TLS error when the certificate or key
 * cannot be used. Weft's TCP and Unix endpoints listen at once, so the
 * deferred has fired when this function returns.
 *
 * Returns: (transfer full): a deferred for the listening port
 */
WeftDeferred *
weft_server_endpoint_listen (WeftServerEndpoint *endpoint, WeftFactory *factory)
{
  WeftDeferred *deferred;

  g_return_val_if_fail (WEFT_IS_SERVER_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (WEFT_IS_FACTORY (factory), NULL);

  deferred = WEFT_SERVER_ENDPOINT_GET_CLASS (endpoint)->listen (endpoint, factory);
  if (deferred == NULL)
    deferred = weft_deferred_fail_take_error (g_error_new (WEFT_ERROR, WEFT_ERROR_FAILED,
                                                           "%s returned no deferred from listen",
                                                           G_OBJECT_TYPE_NAME (endpoint)));
  return deferred;
}

/* Takes @port or @error. */
WeftDeferred *
weft_listening_result (WeftListeningPort *port, GError *error)
{
  g_autoptr (WeftListeningPort) owned = port;

  if (port == NULL)
    return weft_deferred_fail_take_error (error);
  return weft_deferred_succeed_object (owned);
}
