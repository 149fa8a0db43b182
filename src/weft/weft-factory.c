/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "weft-factory.h"

/**
 * WeftFactory:
 *
 * Builds one [class@Weft.Protocol] per connection. Listening ports and
 * connectors ask their factory for a protocol each time a connection is
 * made; state shared by all connections (a chat server's list of users, a
 * client's settings) lives in a factory subclass, which every protocol can
 * reach with weft_protocol_get_factory().
 *
 * Start and stop are counted, as in Twisted: each port or connector that
 * uses the factory calls weft_factory_do_start() when it begins and
 * weft_factory_do_stop() when it ends; the start_factory method runs on the
 * first start and stop_factory on the last stop, so a factory shared by
 * several ports is set up and torn down once.
 */

typedef struct {
  GType protocol_type;
  guint start_count;
  WeftProtocolBuildFunc build_func; /* weft_factory_new_with_func() */
  gpointer build_data;
  GDestroyNotify build_destroy;
} WeftFactoryPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (WeftFactory, weft_factory, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROTOCOL_TYPE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static WeftProtocol *
weft_factory_real_build_protocol (WeftFactory *self, GSocketAddress *address)
{
  WeftFactoryPrivate *priv = weft_factory_get_instance_private (self);

  if (priv->build_func != NULL)
    return priv->build_func (self, address, priv->build_data);
  return g_object_new (priv->protocol_type, "factory", self, NULL);
}

static void
weft_factory_finalize (GObject *object)
{
  WeftFactoryPrivate *priv = weft_factory_get_instance_private (WEFT_FACTORY (object));

  if (priv->build_destroy != NULL)
    g_clear_pointer (&priv->build_data, priv->build_destroy);

  G_OBJECT_CLASS (weft_factory_parent_class)->finalize (object);
}

static void
set_build_func (WeftFactory *self, WeftProtocolBuildFunc func, gpointer user_data, GDestroyNotify destroy)
{
  WeftFactoryPrivate *priv = weft_factory_get_instance_private (self);

  priv->build_func = func;
  priv->build_data = user_data;
  priv->build_destroy = destroy;
}

static void
weft_factory_real_start_factory (WeftFactory *self)
{
}

static void
weft_factory_real_stop_factory (WeftFactory *self)
{
}

static void
weft_factory_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftFactory *self = WEFT_FACTORY (object);
  WeftFactoryPrivate *priv = weft_factory_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_PROTOCOL_TYPE:
      g_value_set_gtype (value, priv->protocol_type);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_factory_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftFactory *self = WEFT_FACTORY (object);
  WeftFactoryPrivate *priv = weft_factory_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_PROTOCOL_TYPE:
      {
        GType type = g_value_get_gtype (value);

        if (G_TYPE_IS_ABSTRACT (type))
          {
            g_critical ("%s: %s is abstract and cannot be instantiated", G_STRFUNC, g_type_name (type));
            type = WEFT_TYPE_PROTOCOL;
          }
        priv->protocol_type = type;
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_factory_class_init (WeftFactoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = weft_factory_finalize;
  object_class->get_property = weft_factory_get_property;
  object_class->set_property = weft_factory_set_property;

  klass->build_protocol = weft_factory_real_build_protocol;
  klass->start_factory = weft_factory_real_start_factory;
  klass->stop_factory = weft_factory_real_stop_factory;

  /**
   * WeftFactory:protocol-type: (getter get_protocol_type)
   *
   * The #WeftProtocol subclass that the default build_protocol creates.
   */
  properties[PROP_PROTOCOL_TYPE] =
      g_param_spec_gtype ("protocol-type", NULL, NULL, WEFT_TYPE_PROTOCOL,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_factory_init (WeftFactory *self)
{
  WeftFactoryPrivate *priv = weft_factory_get_instance_private (self);

  priv->protocol_type = WEFT_TYPE_PROTOCOL;
}

/**
 * weft_factory_new:
 * @protocol_type: a non-abstract #WeftProtocol subclass
 *
 * Creates a factory whose protocols are plain instances of @protocol_type.
 *
 * Returns: (transfer full): a new factory
 */
WeftFactory *
weft_factory_new (GType protocol_type)
{
  g_return_val_if_fail (g_type_is_a (protocol_type, WEFT_TYPE_PROTOCOL), NULL);

  return g_object_new (WEFT_TYPE_FACTORY, "protocol-type", protocol_type, NULL);
}

/**
 * weft_factory_new_with_func:
 * @func: (scope notified) (closure user_data) (destroy destroy): builds the
 *   protocol for each new connection
 * @user_data: passed to @func: a window, a model, anything the protocols
 *   need
 * @destroy: (nullable): frees @user_data when the factory is finalized
 *
 * Creates a factory whose protocols are built by @func, so an application
 * can hand its own objects to each protocol (a constructor argument, a
 * signal connection) without a global variable. @func may return %NULL to
 * refuse a connection; the protocol's #WeftProtocol:factory is set for it.
 *
 * Returns: (transfer full): a new factory
 */
WeftFactory *
weft_factory_new_with_func (WeftProtocolBuildFunc func, gpointer user_data, GDestroyNotify destroy)
{
  WeftFactory *factory;

  g_return_val_if_fail (func != NULL, NULL);

  factory = g_object_new (WEFT_TYPE_FACTORY, NULL);
  set_build_func (factory, func, user_data, destroy);
  return factory;
}

/**
 * weft_factory_get_protocol_type:
 * @factory: a factory
 *
 * Returns: the type of protocol the default build_protocol creates
 */
GType
weft_factory_get_protocol_type (WeftFactory *factory)
{
  WeftFactoryPrivate *priv;

  g_return_val_if_fail (WEFT_IS_FACTORY (factory), G_TYPE_INVALID);
  priv = weft_factory_get_instance_private (factory);

  return priv->protocol_type;
}

/**
 * weft_factory_build_protocol:
 * @factory: a factory
 * @address: (nullable): the peer's address, when the transport has one
 *
 * Builds the protocol for a new connection. The protocol's
 * #WeftProtocol:factory is set to @factory if build_protocol did not set
 * it.
 *
 * Returns: (transfer full) (nullable): a new protocol, or %NULL if the
 *   factory refuses the connection (the transport then closes it)
 */
WeftProtocol *
weft_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  WeftProtocol *protocol;

  g_return_val_if_fail (WEFT_IS_FACTORY (factory), NULL);
  g_return_val_if_fail (address == NULL || G_IS_SOCKET_ADDRESS (address), NULL);

  protocol = WEFT_FACTORY_GET_CLASS (factory)->build_protocol (factory, address);
  g_return_val_if_fail (protocol == NULL || WEFT_IS_PROTOCOL (protocol), NULL);
  if (protocol != NULL && weft_protocol_get_factory (protocol) == NULL)
    weft_protocol_set_factory (protocol, factory);
  return protocol;
}

/**
 * weft_factory_do_start:
 * @factory: a factory
 *
 * Records one more user (a listening port, a connector). The first call
 * runs the start_factory method.
 */
void
weft_factory_do_start (WeftFactory *factory)
{
  WeftFactoryPrivate *priv;

  g_return_if_fail (WEFT_IS_FACTORY (factory));
  priv = weft_factory_get_instance_private (factory);

  if (priv->start_count++ == 0)
    WEFT_FACTORY_GET_CLASS (factory)->start_factory (factory);
}

/**
 * weft_factory_do_stop:
 * @factory: a started factory
 *
 * Records that one user is done with @factory. When the last one is, the
 * stop_factory method runs. Every call must match an earlier
 * weft_factory_do_start().
 */
void
weft_factory_do_stop (WeftFactory *factory)
{
  WeftFactoryPrivate *priv;

  g_return_if_fail (WEFT_IS_FACTORY (factory));
  priv = weft_factory_get_instance_private (factory);
  g_return_if_fail (priv->start_count > 0);

  if (--priv->start_count == 0)
    WEFT_FACTORY_GET_CLASS (factory)->stop_factory (factory);
}

/**
 * weft_factory_get_start_count:
 * @factory: a factory
 *
 * Returns: how many users have started @factory and not stopped it yet
 */
guint
weft_factory_get_start_count (WeftFactory *factory)
{
  WeftFactoryPrivate *priv;

  g_return_val_if_fail (WEFT_IS_FACTORY (factory), 0);
  priv = weft_factory_get_instance_private (factory);

  return priv->start_count;
}

/**
 * WeftClientFactory:
 *
 * A [class@Weft.Factory] for outgoing connections, told when an attempt
 * starts, when it fails and when an established connection is lost. A
 * reconnecting subclass builds on these.
 */

G_DEFINE_TYPE (WeftClientFactory, weft_client_factory, WEFT_TYPE_FACTORY)

static void
weft_client_factory_real_started_connecting (WeftClientFactory *self, WeftConnector *connector)
{
}

static void
weft_client_factory_real_client_connection_failed (WeftClientFactory *self,
                                                   WeftConnector *connector,
                                                   const GError *reason)
{
}

static void
weft_client_factory_real_client_connection_lost (WeftClientFactory *self,
                                                 WeftConnector *connector,
                                                 const GError *reason)
{
}

static void
weft_client_factory_class_init (WeftClientFactoryClass *klass)
{
  klass->started_connecting = weft_client_factory_real_started_connecting;
  klass->client_connection_failed = weft_client_factory_real_client_connection_failed;
  klass->client_connection_lost = weft_client_factory_real_client_connection_lost;
}

static void
weft_client_factory_init (WeftClientFactory *self)
{
}

/**
 * weft_client_factory_new:
 * @protocol_type: a non-abstract #WeftProtocol subclass
 *
 * Creates a client factory whose protocols are plain instances of
 * @protocol_type and which ignores connection failures.
 *
 * Returns: (transfer full): a new client factory
 */
WeftClientFactory *
weft_client_factory_new (GType protocol_type)
{
  g_return_val_if_fail (g_type_is_a (protocol_type, WEFT_TYPE_PROTOCOL), NULL);

  return g_object_new (WEFT_TYPE_CLIENT_FACTORY, "protocol-type", protocol_type, NULL);
}

/**
 * weft_client_factory_new_with_func:
 * @func: (scope notified) (closure user_data) (destroy destroy): builds the
 *   protocol for each new connection
 * @user_data: passed to @func
 * @destroy: (nullable): frees @user_data when the factory is finalized
 *
 * The client factory version of weft_factory_new_with_func(), for
 * endpoints' connect.
 *
 * Returns: (transfer full): a new client factory
 */
WeftClientFactory *
weft_client_factory_new_with_func (WeftProtocolBuildFunc func, gpointer user_data, GDestroyNotify destroy)
{
  WeftClientFactory *factory;

  g_return_val_if_fail (func != NULL, NULL);

  factory = g_object_new (WEFT_TYPE_CLIENT_FACTORY, NULL);
  set_build_func (WEFT_FACTORY (factory), func, user_data, destroy);
  return factory;
}

/**
 * weft_client_factory_started_connecting:
 * @factory: a client factory
 * @connector: (nullable): the connection attempt (reserved; may be %NULL)
 *
 * Called by connectors when an attempt begins.
 */
void
weft_client_factory_started_connecting (WeftClientFactory *factory, WeftConnector *connector)
{
  g_return_if_fail (WEFT_IS_CLIENT_FACTORY (factory));

  WEFT_CLIENT_FACTORY_GET_CLASS (factory)->started_connecting (factory, connector);
}

/**
 * weft_client_factory_client_connection_failed:
 * @factory: a client factory
 * @connector: (nullable): the connection attempt (reserved; may be %NULL)
 * @reason: why it failed
 *
 * Called by connectors when an attempt fails before a connection was made.
 */
void
weft_client_factory_client_connection_failed (WeftClientFactory *factory,
                                              WeftConnector *connector,
                                              const GError *reason)
{
  g_return_if_fail (WEFT_IS_CLIENT_FACTORY (factory));
  g_return_if_fail (reason != NULL);

  WEFT_CLIENT_FACTORY_GET_CLASS (factory)->client_connection_failed (factory, connector, reason);
}

/**
 * weft_client_factory_client_connection_lost:
 * @factory: a client factory
 * @connector: (nullable): the connection attempt (reserved; may be %NULL)
 * @reason: how the connection ended, as given to the protocol's
 *   connection_lost
 *
 * Called by connectors after an established connection has ended.
 */
void
weft_client_factory_client_connection_lost (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  g_return_if_fail (WEFT_IS_CLIENT_FACTORY (factory));
  g_return_if_fail (reason != NULL);

  WEFT_CLIENT_FACTORY_GET_CLASS (factory)->client_connection_lost (factory, connector, reason);
}
