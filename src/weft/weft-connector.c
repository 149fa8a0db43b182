/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "weft-connector.h"
#include "weft-endpoint-private.h"
#include "weft-error.h"
#include "weft-happy-eyeballs-private.h"
#include "weft-listening-port.h"
#include "weft-resolver-private.h"
#include "weft-resolver.h"
#include "weft-tcp.h"
#include "weft-tls.h"
#include "weft-unix.h"

/* WeftConnector */

/**
 * WeftConnector:
 *
 * One client factory connecting to one endpoint, as often as asked:
 * Twisted's `IConnector`. weft_connector_connect() starts an attempt; the
 * factory hears of it (started_connecting, then client_connection_failed
 * or, after the connection, client_connection_lost) with the connector as
 * argument, so that it can call weft_connector_connect() again: that is how
 * a [class@Weft.ReconnectingClientFactory] retries.
 *
 * A connector keeps itself alive while it is connecting or connected.
 * #WeftConnector:state can be bound to a widget.
 */
struct _WeftConnector {
  GObject parent_instance;
  WeftClientEndpoint *endpoint;
  WeftClientFactory *factory;
  WeftConnectorState state;
  WeftDeferred *attempt;  /* while connecting */
  WeftProtocol *protocol; /* while connected */
  guint n_attempts;
  gboolean factory_started;
  gboolean busy;
};

G_DEFINE_FINAL_TYPE (WeftConnector, weft_connector, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (WeftConnectorState,
                    weft_connector_state,
                    G_DEFINE_ENUM_VALUE (WEFT_CONNECTOR_STATE_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (WEFT_CONNECTOR_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (WEFT_CONNECTOR_STATE_CONNECTED, "connected"))

enum {
  PROP_CONNECTOR_0,
  PROP_CONNECTOR_ENDPOINT,
  PROP_CONNECTOR_FACTORY,
  PROP_CONNECTOR_STATE,
  N_CONNECTOR_PROPS
};

static GParamSpec *connector_properties[N_CONNECTOR_PROPS];

static void
connector_set_state (WeftConnector *self, WeftConnectorState state)
{
  if (self->state == state)
    return;
  self->state = state;
  /* Alive while busy: one reference from leaving DISCONNECTED until the
   * factory has heard that it is back there. */
  if (state != WEFT_CONNECTOR_STATE_DISCONNECTED && !self->busy)
    {
      self->busy = TRUE;
      g_object_ref (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), connector_properties[PROP_CONNECTOR_STATE]);
}

/* Called after the factory heard of a failure or a loss. */
void
weft_connector_factory_done (WeftConnector *self)
{
  if (self->state != WEFT_CONNECTOR_STATE_DISCONNECTED)
    return; /* the factory reconnected */
  if (self->factory_started)
    {
      self->factory_started = FALSE;
      weft_factory_do_stop (WEFT_FACTORY (self->factory));
    }
  if (self->busy)
    {
      self->busy = FALSE;
      g_object_unref (self);
    }
}

void
weft_connector_attempt_done (WeftConnector *self, WeftProtocol *protocol)
{
  g_clear_object (&self->attempt);
  if (protocol != NULL)
    g_set_object (&self->protocol, protocol);
  connector_set_state (self, protocol != NULL ? WEFT_CONNECTOR_STATE_CONNECTED : WEFT_CONNECTOR_STATE_DISCONNECTED);
}

void
weft_connector_lost (WeftConnector *self)
{
  g_clear_object (&self->protocol);
  connector_set_state (self, WEFT_CONNECTOR_STATE_DISCONNECTED);
}

static WeftDeferred *
connector_consume_error (WeftResult *result, gpointer user_data)
{
  /* The factory has heard of it. */
  weft_result_clear (result);
  return NULL;
}

static void
weft_connector_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftConnector *self = WEFT_CONNECTOR (object);

  switch (prop_id)
    {
    case PROP_CONNECTOR_ENDPOINT:
      g_value_set_object (value, self->endpoint);
      break;
    case PROP_CONNECTOR_FACTORY:
      g_value_set_object (value, self->factory);
      break;
    case PROP_CONNECTOR_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_connector_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftConnector *self = WEFT_CONNECTOR (object);

  switch (prop_id)
    {
    case PROP_CONNECTOR_ENDPOINT:
      self->endpoint = g_value_dup_object (value);
      break;
    case PROP_CONNECTOR_FACTORY:
      self->factory = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_connector_finalize (GObject *object)
{
  WeftConnector *self = WEFT_CONNECTOR (object);

  g_clear_object (&self->endpoint);
  g_clear_object (&self->factory);
  g_clear_object (&self->attempt);
  g_clear_object (&self->protocol);
  G_OBJECT_CLASS (weft_connector_parent_class)->finalize (object);
}

static void
weft_connector_class_init (WeftConnectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_connector_get_property;
  object_class->set_property = weft_connector_set_property;
  object_class->finalize = weft_connector_finalize;

  /**
   * WeftConnector:endpoint: (getter get_endpoint)
   *
   * Where to connect.
   */
  connector_properties[PROP_CONNECTOR_ENDPOINT] =
      g_param_spec_object ("endpoint", NULL, NULL, WEFT_TYPE_CLIENT_ENDPOINT, construct);
  /**
   * WeftConnector:factory: (getter get_factory)
   *
   * The factory that builds the protocol and hears of each attempt.
   */
  connector_properties[PROP_CONNECTOR_FACTORY] =
      g_param_spec_object ("factory", NULL, NULL, WEFT_TYPE_CLIENT_FACTORY, construct);
  /**
   * WeftConnector:state: (getter get_state)
   *
   * Disconnected, connecting or connected.
   */
  connector_properties[PROP_CONNECTOR_STATE] =
      g_param_spec_enum ("state", NULL, NULL, WEFT_TYPE_CONNECTOR_STATE, WEFT_CONNECTOR_STATE_DISCONNECTED,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_CONNECTOR_PROPS, connector_properties);
}

static void
weft_connector_init (WeftConnector *self)
{
}

/**
 * weft_connector_new:
 * @endpoint: where to connect
 * @factory: the factory that builds the protocol and decides about
 *   retrying
 *
 * Makes a connector; nothing happens until weft_connector_connect().
 *
 * Returns: (transfer full): a new connector
 */
WeftConnector *
weft_connector_new (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (WEFT_IS_CLIENT_FACTORY (factory), NULL);

  return g_object_new (WEFT_TYPE_CONNECTOR, "endpoint", endpoint, "factory", factory, NULL);
}

/**
 * weft_connector_connect:
 * @connector: a disconnected connector
 *
 * Starts an attempt: the factory is started (weft_factory_do_start()) if
 * it is not already, and hears of the attempt with @connector as the
 * connector argument. It is stopped again once an attempt failed or a
 * connection ended and it did not call this function from its
 * client_connection_failed or client_connection_lost.
 */
void
weft_connector_connect (WeftConnector *connector)
{
  g_autoptr (WeftDeferred) attempt = NULL;
  guint n_attempts;

  g_return_if_fail (WEFT_IS_CONNECTOR (connector));
  g_return_if_fail (connector->state == WEFT_CONNECTOR_STATE_DISCONNECTED);

  g_object_ref (connector);
  connector_set_state (connector, WEFT_CONNECTOR_STATE_CONNECTING);
  if (!connector->factory_started)
    {
      connector->factory_started = TRUE;
      weft_factory_do_start (WEFT_FACTORY (connector->factory));
    }
  n_attempts = ++connector->n_attempts;
  attempt = weft_client_endpoint_connect_with_connector (connector->endpoint, connector->factory, connector);
  /* Unless it ended (and maybe started again) already. */
  if (connector->n_attempts == n_attempts && connector->state == WEFT_CONNECTOR_STATE_CONNECTING)
    g_set_object (&connector->attempt, attempt);
  weft_deferred_add_errback (attempt, connector_consume_error, NULL, NULL);
  g_object_unref (connector);
}

/**
 * weft_connector_stop_connecting:
 * @connector: a connector
 *
 * Cancels the attempt under way, if any: the factory's
 * client_connection_failed receives a %G_IO_ERROR_CANCELLED error.
 */
void
weft_connector_stop_connecting (WeftConnector *connector)
{
  g_autoptr (WeftDeferred) attempt = NULL;

  g_return_if_fail (WEFT_IS_CONNECTOR (connector));

  if (connector->state != WEFT_CONNECTOR_STATE_CONNECTING || connector->attempt == NULL)
    return;
  attempt = g_object_ref (connector->attempt);
  weft_deferred_cancel (attempt);
}

/**
 * weft_connector_disconnect:
 * @connector: a connector
 *
 * Cancels the attempt under way, or closes the connection (after what was
 * written has been sent); the factory hears of it as usual and may
 * reconnect. A [class@Weft.ReconnectingClientFactory] does, unless
 * weft_reconnecting_client_factory_stop_trying() was called first.
 */
void
weft_connector_disconnect (WeftConnector *connector)
{
  WeftTransport *transport;

  g_return_if_fail (WEFT_IS_CONNECTOR (connector));

  if (connector->state == WEFT_CONNECTOR_STATE_CONNECTING)
    weft_connector_stop_connecting (connector);
  else if (connector->state == WEFT_CONNECTOR_STATE_CONNECTED &&
           (transport = weft_protocol_get_transport (connector->protocol)) != NULL)
    weft_transport_lose_connection (transport);
}

/**
 * weft_connector_get_state:
 * @connector: a connector
 *
 * Returns: whether @connector is disconnected, connecting or connected
 */
WeftConnectorState
weft_connector_get_state (WeftConnector *connector)
{
  g_return_val_if_fail (WEFT_IS_CONNECTOR (connector), WEFT_CONNECTOR_STATE_DISCONNECTED);
  return connector->state;
}

/**
 * weft_connector_get_protocol:
 * @connector: a connector
 *
 * Returns: (transfer none) (nullable): the connected protocol, %NULL unless
 *   connected
 */
WeftProtocol *
weft_connector_get_protocol (WeftConnector *connector)
{
  g_return_val_if_fail (WEFT_IS_CONNECTOR (connector), NULL);
  return connector->protocol;
}

/**
 * weft_connector_get_endpoint:
 * @connector: a connector
 *
 * Returns: (transfer none): where @connector connects
 */
WeftClientEndpoint *
weft_connector_get_endpoint (WeftConnector *connector)
{
  g_return_val_if_fail (WEFT_IS_CONNECTOR (connector), NULL);
  return connector->endpoint;
}

/**
 * weft_connector_get_factory:
 * @connector: a connector
 *
 * Returns: (transfer none): the factory of @connector
 */
WeftClientFactory *
weft_connector_get_factory (WeftConnector *connector)
{
  g_return_val_if_fail (WEFT_IS_CONNECTOR (connector), NULL);
  return connector->factory;
}
