/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-error.h"
#include "weft-factory.h"
#include "weft-protocol-private.h"
#include "weft-protocol.h"

/**
 * WeftProtocol:
 *
 * The application's side of a connection: it receives bytes and events from
 * a [iface@Weft.Transport] and writes back through it. Subclass it and
 * override the methods of [struct@Weft.ProtocolClass]; the receivers
 * ([class@Weft.LineReceiver], [class@Weft.NetstringReceiver],
 * [class@Weft.LengthPrefixedReceiver]) are ready-made subclasses that cut
 * the stream into messages.
 *
 * A protocol lives through one connection: connection_made, any number of
 * data_received, at most one eof_received, then connection_lost, whose
 * reason is never %NULL: %WEFT_ERROR_CONNECTION_DONE after a clean close,
 * anything else after a loss (see [iface@Weft.Transport] for the full list).
 *
 * The protocol does not own its transport: the transport holds a reference
 * to the protocol, and the protocol's #WeftProtocol:transport is a borrowed
 * pointer, valid from connection_made until connection_lost has returned.
 *
 * #WeftProtocol:connected and #WeftProtocol:state can be bound to a widget
 * to show the connection's state, and the #WeftProtocol::connection-made and
 * #WeftProtocol::connection-lost signals let an application follow a
 * connection without subclassing.
 */

typedef enum {
  STATE_NEW,
  STATE_CONNECTED,
  STATE_LOST,
} ProtocolState;

typedef struct {
  WeftTransport *transport; /* borrowed; a weak pointer so it cannot dangle */
  WeftFactory *factory;     /* owned */
  ProtocolState state;
  gboolean writing_paused;
  WeftConnectionState notified_state; /* last value #WeftProtocol:state announced */
} WeftProtocolPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (WeftProtocol, weft_protocol, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (WeftConnectionState,
                    weft_connection_state,
                    G_DEFINE_ENUM_VALUE (WEFT_CONNECTION_STATE_NEW, "new"),
                    G_DEFINE_ENUM_VALUE (WEFT_CONNECTION_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (WEFT_CONNECTION_STATE_CLOSING, "closing"),
                    G_DEFINE_ENUM_VALUE (WEFT_CONNECTION_STATE_CLOSED, "closed"))

enum {
  PROP_0,
  PROP_TRANSPORT,
  PROP_CONNECTED,
  PROP_FACTORY,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CONNECTION_MADE,
  SIGNAL_CONNECTION_LOST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_transport (WeftProtocol *self, WeftTransport *transport)
{
  WeftProtocolPrivate *priv = weft_protocol_get_instance_private (self);

  if (priv->transport == transport)
    return;
  if (priv->transport != NULL)
    g_object_remove_weak_pointer (G_OBJECT (priv->transport), (gpointer *) &priv->transport);
  priv->transport = transport;
  if (transport != NULL)
    g_object_add_weak_pointer (G_OBJECT (transport), (gpointer *) &priv->transport);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSPORT]);
}

static void
weft_protocol_real_connection_made (WeftProtocol *self, WeftTransport *transport)
{
}

static void
weft_protocol_real_data_received (WeftProtocol *self, const guint8 *data, gsize len)
{
}

static gboolean
weft_protocol_real_eof_received (WeftProtocol *self)
{
  return FALSE;
}

static void
weft_protocol_real_connection_lost (WeftProtocol *self, const GError *reason)
{
}

static void
weft_protocol_real_pause_writing (WeftProtocol *self)
{
}

static void
weft_protocol_real_resume_writing (WeftProtocol *self)
{
}

static void
weft_protocol_dispose (GObject *object)
{
  WeftProtocol *self = WEFT_PROTOCOL (object);
  WeftProtocolPrivate *priv = weft_protocol_get_instance_private (self);

  if (priv->transport != NULL)
    g_object_remove_weak_pointer (G_OBJECT (priv->transport), (gpointer *) &priv->transport);
  priv->transport = NULL;
  g_clear_object (&priv->factory);

  G_OBJECT_CLASS (weft_protocol_parent_class)->dispose (object);
}

static void
weft_protocol_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftProtocol *self = WEFT_PROTOCOL (object);
  WeftProtocolPrivate *priv = weft_protocol_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_TRANSPORT:
      g_value_set_object (value, priv->transport);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, priv->state == STATE_CONNECTED);
      break;
    case PROP_FACTORY:
      g_value_set_object (value, priv->factory);
      break;
    case PROP_STATE:
      g_value_set_enum (value, weft_protocol_get_state (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_protocol_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftProtocol *self = WEFT_PROTOCOL (object);

  switch (prop_id)
    {
    case PROP_FACTORY:
      weft_protocol_set_factory (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_protocol_class_init (WeftProtocolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = weft_protocol_dispose;
  object_class->get_property = weft_protocol_get_property;
  object_class->set_property = weft_protocol_set_property;

  klass->connection_made = weft_protocol_real_connection_made;
  klass->data_received = weft_protocol_real_data_received;
  klass->eof_received = weft_protocol_real_eof_received;
  klass->connection_lost = weft_protocol_real_connection_lost;
  klass->pause_writing = weft_protocol_real_pause_writing;
  klass->resume_writing = weft_protocol_real_resume_writing;

  /**
   * WeftProtocol:transport: (getter get_transport)
   *
   * The transport of the current connection; %NULL before connection_made
   * and after connection_lost. Not a reference: the transport owns the
   * protocol, not the other way round.
   */
  properties[PROP_TRANSPORT] =
      g_param_spec_object ("transport", NULL, NULL, WEFT_TYPE_TRANSPORT,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftProtocol:connected: (getter is_connected)
   *
   * %TRUE from connection_made until connection_lost. Notified when it
   * changes, so a label can be bound to it.
   */
  properties[PROP_CONNECTED] =
      g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftProtocol:factory: (getter get_factory) (setter set_factory)
   *
   * The factory that built this protocol, if any; set by
   * weft_factory_build_protocol()'s default implementation. The protocol
   * holds a reference to it.
   */
  properties[PROP_FACTORY] = g_param_spec_object ("factory", NULL, NULL, WEFT_TYPE_FACTORY,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftProtocol:state: (getter get_state)
   *
   * Where the connection is in its life: new, connected, closing (this
   * side asked the transport to close) or closed. Notified when it
   * changes, so a label can be bound to it.
   */
  properties[PROP_STATE] =
      g_param_spec_enum ("state", NULL, NULL, WEFT_TYPE_CONNECTION_STATE, WEFT_CONNECTION_STATE_NEW,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WeftProtocol::connection-made:
   * @protocol: the protocol
   * @transport: its transport, where to write
   *
   * The connection is up. Handlers run before the connection_made method
   * (connect with g_signal_connect_after() to run after it).
   */
  signals[SIGNAL_CONNECTION_MADE] = g_signal_new ("connection-made", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                  G_STRUCT_OFFSET (WeftProtocolClass, connection_made), NULL, NULL,
                                                  g_cclosure_marshal_VOID__OBJECT, G_TYPE_NONE, 1, WEFT_TYPE_TRANSPORT);

  /**
   * WeftProtocol::connection-lost:
   * @protocol: the protocol
   * @reason: how the connection ended (never %NULL; %WEFT_ERROR_CONNECTION_DONE
   *   after a clean close)
   *
   * The connection is gone. #WeftProtocol:transport is still set while
   * handlers run. Handlers run before the connection_lost method.
   */
  signals[SIGNAL_CONNECTION_LOST] =
      g_signal_new ("connection-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                    G_STRUCT_OFFSET (WeftProtocolClass, connection_lost), NULL, NULL, g_cclosure_marshal_VOID__BOXED,
                    G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
notify_state (WeftProtocol *self)
{
  WeftProtocolPrivate *priv = weft_protocol_get_instance_private (self);
  WeftConnectionState state = weft_protocol_get_state (self);

  if (priv->notified_state == state)
    return;
  priv->notified_state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
weft_protocol_update_state (WeftProtocol *protocol)
{
  g_return_if_fail (WEFT_IS_PROTOCOL (protocol));

  notify_state (protocol);
}

static void
weft_protocol_init (WeftProtocol *self)
{
}

/**
 * weft_protocol_connection_made:
 * @protocol: a protocol that has not been connected yet
 * @transport: its transport, which holds a reference to @protocol
 *
 * Starts the connection: sets #WeftProtocol:transport and
 * #WeftProtocol:connected, then calls the connection_made method. Called
 * by transports, once.
 */
void
weft_protocol_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  WeftProtocolPrivate *priv;

  g_return_if_fail (WEFT_IS_PROTOCOL (protocol));
  g_return_if_fail (WEFT_IS_TRANSPORT (transport));
  priv = weft_protocol_get_instance_private (protocol);
  g_return_if_fail (priv->state == STATE_NEW);

  g_object_ref (protocol);
  g_object_freeze_notify (G_OBJECT (protocol));
  priv->state = STATE_CONNECTED;
  set_transport (protocol, transport);
  g_object_notify_by_pspec (G_OBJECT (protocol), properties[PROP_CONNECTED]);
  notify_state (protocol);
  g_signal_emit (protocol, signals[SIGNAL_CONNECTION_MADE], 0, transport);
  g_object_thaw_notify (G_OBJECT (protocol));
  g_object_unref (protocol);
}

void
weft_protocol_switch_transport (WeftProtocol *protocol, WeftTransport *transport)
{
  WeftProtocolPrivate *priv;

  g_return_if_fail (WEFT_IS_PROTOCOL (protocol));
  g_return_if_fail (WEFT_IS_TRANSPORT (transport));
  priv = weft_protocol_get_instance_private (protocol);
  g_return_if_fail (priv->state == STATE_CONNECTED);

  set_transport (protocol, transport);
}

/**
 * weft_protocol_data_received:
 * @protocol: a connected protocol
 * @data: (array length=len) (element-type guint8): the bytes that arrived,
 *   valid only during the call
 * @len: how many; 0 does nothing
 *
 * Delivers bytes read from the connection. Called by transports.
 */
void
weft_protocol_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  g_return_if_fail (WEFT_IS_PROTOCOL (protocol));
  g_return_if_fail (data != NULL || len == 0);

  if (len == 0)
    return;
  WEFT_PROTOCOL_GET_CLASS (protocol)->data_received (protocol, data, len);
}

/**
 * weft_protocol_eof_received:
 * @protocol: a connected protocol
 *
 * Tells @protocol that the peer will send nothing more. Called by
 * transports, at most once.
 *
 * Returns: %TRUE if the protocol keeps the connection open to go on
 *   writing; %FALSE if the transport must close it (with
 *   weft_transport_lose_connection())
 */
gboolean
weft_protocol_eof_received (WeftProtocol *protocol)
{
  g_autoptr (WeftProtocol) self = NULL;

  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), FALSE);

  self = g_object_ref (protocol);
  return WEFT_PROTOCOL_GET_CLASS (self)->eof_received (self);
}

/**
 * weft_protocol_connection_lost:
 * @protocol: a connected protocol
 * @reason: (nullable): how the connection ended; %NULL means a clean close
 *   and is passed on as a %WEFT_ERROR_CONNECTION_DONE error
 *
 * Ends the connection: clears #WeftProtocol:connected, calls the
 * connection_lost method (during which #WeftProtocol:transport is still set,
 * so the method can read its addresses), then clears
 * #WeftProtocol:transport. Called by transports, once.
 */
void
weft_protocol_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  WeftProtocolPrivate *priv;
  g_autoptr (GError) done = NULL;

  g_return_if_fail (WEFT_IS_PROTOCOL (protocol));
  priv = weft_protocol_get_instance_private (protocol);
  g_return_if_fail (priv->state == STATE_CONNECTED);

  if (reason == NULL)
    reason = done = g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, _ ("Connection was closed cleanly."));

  g_object_ref (protocol);
  g_object_freeze_notify (G_OBJECT (protocol));
  priv->state = STATE_LOST;
  priv->writing_paused = FALSE;
  g_object_notify_by_pspec (G_OBJECT (protocol), properties[PROP_CONNECTED]);
  notify_state (protocol);
  g_signal_emit (protocol, signals[SIGNAL_CONNECTION_LOST], 0, reason);
  set_transport (protocol, NULL);
  g_object_thaw_notify (G_OBJECT (protocol));
  g_object_unref (protocol);
}

/**
 * weft_protocol_pause_writing:
 * @protocol: a connected protocol
 *
 * Asks @protocol to stop producing data: its transport's write buffer is
 * above the high watermark. Called by transports; a second call without a
 * resume in between does nothing.
 */
void
weft_protocol_pause_writing (WeftProtocol *protocol)
{
  WeftProtocolPrivate *priv;

  g_return_if_fail (WEFT_IS_PROTOCOL (protocol));
  priv = weft_protocol_get_instance_private (protocol);

  if (priv->writing_paused || priv->state != STATE_CONNECTED)
    return;
  priv->writing_paused = TRUE;
  WEFT_PROTOCOL_GET_CLASS (protocol)->pause_writing (protocol);
}

/**
 * weft_protocol_resume_writing:
 * @protocol: a connected protocol
 *
 * Tells a paused @protocol that the write buffer has drained to its low
 * watermark. Called by transports; does nothing if @protocol is not paused.
 */
void
weft_protocol_resume_writing (WeftProtocol *protocol)
{
  WeftProtocolPrivate *priv;

  g_return_if_fail (WEFT_IS_PROTOCOL (protocol));
  priv = weft_protocol_get_instance_private (protocol);

  if (!priv->writing_paused || priv->state != STATE_CONNECTED)
    return;
  priv->writing_paused = FALSE;
  WEFT_PROTOCOL_GET_CLASS (protocol)->resume_writing (protocol);
}

/**
 * weft_protocol_get_transport:
 * @protocol: a protocol
 *
 * Returns: (transfer none) (nullable): the transport of the current
 *   connection, or %NULL when not connected
 */
WeftTransport *
weft_protocol_get_transport (WeftProtocol *protocol)
{
  WeftProtocolPrivate *priv;

  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), NULL);
  priv = weft_protocol_get_instance_private (protocol);

  return priv->transport;
}

/**
 * weft_protocol_is_connected:
 * @protocol: a protocol
 *
 * Returns: %TRUE between connection_made and connection_lost
 */
gboolean
weft_protocol_is_connected (WeftProtocol *protocol)
{
  WeftProtocolPrivate *priv;

  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), FALSE);
  priv = weft_protocol_get_instance_private (protocol);

  return priv->state == STATE_CONNECTED;
}

/**
 * weft_protocol_is_closing:
 * @protocol: a protocol
 *
 * Tells whether the connection is ending: connection_lost has been called,
 * or the transport is closing (weft_transport_is_closing()). Protocols stop
 * handling input once this is %TRUE: nothing they write would be read.
 *
 * Returns: %TRUE if the connection is closing or closed
 */
gboolean
weft_protocol_is_closing (WeftProtocol *protocol)
{
  WeftProtocolPrivate *priv;

  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), TRUE);
  priv = weft_protocol_get_instance_private (protocol);

  if (priv->state == STATE_LOST)
    return TRUE;
  return priv->transport != NULL && weft_transport_is_closing (priv->transport);
}

/**
 * weft_protocol_is_writing_paused:
 * @protocol: a protocol
 *
 * Returns: %TRUE between weft_protocol_pause_writing() and
 *   weft_protocol_resume_writing()
 */
gboolean
weft_protocol_is_writing_paused (WeftProtocol *protocol)
{
  WeftProtocolPrivate *priv;

  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), FALSE);
  priv = weft_protocol_get_instance_private (protocol);

  return priv->writing_paused;
}

/**
 * weft_protocol_get_state:
 * @protocol: a protocol
 *
 * Returns: where the connection is in its life (#WeftProtocol:state)
 */
WeftConnectionState
weft_protocol_get_state (WeftProtocol *protocol)
{
  WeftProtocolPrivate *priv;

  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), WEFT_CONNECTION_STATE_CLOSED);
  priv = weft_protocol_get_instance_private (protocol);

  switch (priv->state)
    {
    case STATE_NEW:
      return WEFT_CONNECTION_STATE_NEW;
    case STATE_LOST:
      return WEFT_CONNECTION_STATE_CLOSED;
    case STATE_CONNECTED:
    default:
      if (priv->transport != NULL && weft_transport_is_closing (priv->transport))
        return WEFT_CONNECTION_STATE_CLOSING;
      return WEFT_CONNECTION_STATE_CONNECTED;
    }
}

/**
 * weft_protocol_get_factory:
 * @protocol: a protocol
 *
 * Returns: (transfer none) (nullable): the factory that built @protocol
 */
WeftFactory *
weft_protocol_get_factory (WeftProtocol *protocol)
{
  WeftProtocolPrivate *priv;

  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), NULL);
  priv = weft_protocol_get_instance_private (protocol);

  return priv->factory;
}

/**
 * weft_protocol_set_factory:
 * @protocol: a protocol
 * @factory: (nullable): the factory that built it
 *
 * Records the factory that built @protocol (a reference is kept), so that
 * the protocol can reach state shared by all connections. A factory's
 * default build_protocol does this.
 */
void
weft_protocol_set_factory (WeftProtocol *protocol, WeftFactory *factory)
{
  WeftProtocolPrivate *priv;

  g_return_if_fail (WEFT_IS_PROTOCOL (protocol));
  g_return_if_fail (factory == NULL || WEFT_IS_FACTORY (factory));
  priv = weft_protocol_get_instance_private (protocol);

  if (g_set_object (&priv->factory, factory))
    g_object_notify_by_pspec (G_OBJECT (protocol), properties[PROP_FACTORY]);
}
