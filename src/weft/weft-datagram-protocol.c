/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "weft-datagram-protocol-private.h"
#include "weft-datagram-protocol.h"
#include "weft-udp.h"

/**
 * WeftDatagramProtocol:
 *
 * The application's side of a UDP port: Twisted's `DatagramProtocol`.
 * Subclass it, override the methods of [struct@Weft.DatagramProtocolClass],
 * and give an instance to weft_reactor_listen_udp().
 *
 * A protocol lives through one port at a time: start_protocol when the port
 * starts listening, any number of datagram_received (and, for a connected
 * port, connection_refused), then stop_protocol once the port has closed.
 * After that it may be given to another port, which starts it again.
 *
 * The protocol does not own its port: the port holds a reference to the
 * protocol, and #WeftDatagramProtocol:port is a borrowed pointer, valid from
 * start_protocol until stop_protocol. To stop listening from inside the
 * protocol, call weft_udp_port_stop_listening() on it.
 */

typedef struct {
  WeftUdpPort *port; /* borrowed; a weak pointer so it cannot dangle */
} WeftDatagramProtocolPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (WeftDatagramProtocol, weft_datagram_protocol, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_DATAGRAM_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_port (WeftDatagramProtocol *self, WeftUdpPort *port)
{
  WeftDatagramProtocolPrivate *priv = weft_datagram_protocol_get_instance_private (self);

  if (priv->port == port)
    return;
  if (priv->port != NULL)
    g_object_remove_weak_pointer (G_OBJECT (priv->port), (gpointer *) &priv->port);
  priv->port = port;
  if (port != NULL)
    g_object_add_weak_pointer (G_OBJECT (port), (gpointer *) &priv->port);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

static void
weft_datagram_protocol_real_start_protocol (WeftDatagramProtocol *self)
{
}

static void
weft_datagram_protocol_real_stop_protocol (WeftDatagramProtocol *self)
{
}

static void
weft_datagram_protocol_real_datagram_received (WeftDatagramProtocol *self,
                                               const guint8 *data,
                                               gsize len,
                                               GSocketAddress *from)
{
}

static void
weft_datagram_protocol_real_connection_refused (WeftDatagramProtocol *self)
{
}

static void
weft_datagram_protocol_dispose (GObject *object)
{
  WeftDatagramProtocol *self = WEFT_DATAGRAM_PROTOCOL (object);
  WeftDatagramProtocolPrivate *priv = weft_datagram_protocol_get_instance_private (self);

  if (priv->port != NULL)
    g_object_remove_weak_pointer (G_OBJECT (priv->port), (gpointer *) &priv->port);
  priv->port = NULL;

  G_OBJECT_CLASS (weft_datagram_protocol_parent_class)->dispose (object);
}

static void
weft_datagram_protocol_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftDatagramProtocol *self = WEFT_DATAGRAM_PROTOCOL (object);
  WeftDatagramProtocolPrivate *priv = weft_datagram_protocol_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_PORT:
      g_value_set_object (value, priv->port);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_datagram_protocol_class_init (WeftDatagramProtocolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = weft_datagram_protocol_dispose;
  object_class->get_property = weft_datagram_protocol_get_property;

  klass->start_protocol = weft_datagram_protocol_real_start_protocol;
  klass->stop_protocol = weft_datagram_protocol_real_stop_protocol;
  klass->datagram_received = weft_datagram_protocol_real_datagram_received;
  klass->connection_refused = weft_datagram_protocol_real_connection_refused;

  /**
   * WeftDatagramProtocol:port: (getter get_port)
   *
   * The port this protocol listens on; %NULL before start_protocol and
   * once the port has closed. Not a reference: the port owns the protocol,
   * not the other way round. Notified when it changes.
   */
  properties[PROP_PORT] = g_param_spec_object ("port", NULL, NULL, WEFT_TYPE_UDP_PORT,
                                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WeftDatagramProtocol::datagram-received:
   * @protocol: the protocol
   * @datagram: the datagram's payload
   * @from: the sender's address
   *
   * A datagram arrived. Emitted just before the datagram_received method
   * is called.
   */
  signals[SIGNAL_DATAGRAM_RECEIVED] =
      g_signal_new ("datagram-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                    2, G_TYPE_BYTES, G_TYPE_SOCKET_ADDRESS);
}

static void
weft_datagram_protocol_init (WeftDatagramProtocol *self)
{
}

void
weft_datagram_protocol_start (WeftDatagramProtocol *protocol, WeftUdpPort *port)
{
  WeftDatagramProtocolPrivate *priv;

  g_return_if_fail (WEFT_IS_DATAGRAM_PROTOCOL (protocol));
  g_return_if_fail (WEFT_IS_UDP_PORT (port));
  priv = weft_datagram_protocol_get_instance_private (protocol);
  g_return_if_fail (priv->port == NULL);

  g_object_ref (protocol);
  set_port (protocol, port);
  WEFT_DATAGRAM_PROTOCOL_GET_CLASS (protocol)->start_protocol (protocol);
  g_object_unref (protocol);
}

void
weft_datagram_protocol_stop (WeftDatagramProtocol *protocol)
{
  g_return_if_fail (WEFT_IS_DATAGRAM_PROTOCOL (protocol));

  /* As in Twisted, the port is gone before stop_protocol runs: nothing can
   * be sent from it any more. */
  g_object_ref (protocol);
  set_port (protocol, NULL);
  WEFT_DATAGRAM_PROTOCOL_GET_CLASS (protocol)->stop_protocol (protocol);
  g_object_unref (protocol);
}

/**
 * weft_datagram_protocol_datagram_received:
 * @protocol: a datagram protocol
 * @data: (array length=len) (element-type guint8): the datagram, valid
 *   only during the call; not %NULL, even when @len is 0
 * @len: its size; 0 is a valid, empty datagram
 * @from: the sender's address
 *
 * Delivers one datagram to @protocol. Called by ports; also useful to test
 * a protocol without a socket.
 */
void
weft_datagram_protocol_datagram_received (WeftDatagramProtocol *protocol,
                                          const guint8 *data,
                                          gsize len,
                                          GSocketAddress *from)
{
  g_autoptr (WeftDatagramProtocol) self = NULL;

  g_return_if_fail (WEFT_IS_DATAGRAM_PROTOCOL (protocol));
  g_return_if_fail (data != NULL);
  g_return_if_fail (G_IS_SOCKET_ADDRESS (from));

  self = g_object_ref (protocol);
  if (g_signal_has_handler_pending (self, signals[SIGNAL_DATAGRAM_RECEIVED], 0, FALSE))
    {
      g_autoptr (GBytes) bytes = g_bytes_new (data, len);

      g_signal_emit (self, signals[SIGNAL_DATAGRAM_RECEIVED], 0, bytes, from);
    }
  WEFT_DATAGRAM_PROTOCOL_GET_CLASS (self)->datagram_received (self, data, len, from);
}

/**
 * weft_datagram_protocol_connection_refused:
 * @protocol: a datagram protocol
 *
 * Tells @protocol that its connected port's peer refused a datagram.
 * Called by ports.
 */
void
weft_datagram_protocol_connection_refused (WeftDatagramProtocol *protocol)
{
  g_autoptr (WeftDatagramProtocol) self = NULL;

  g_return_if_fail (WEFT_IS_DATAGRAM_PROTOCOL (protocol));

  self = g_object_ref (protocol);
  WEFT_DATAGRAM_PROTOCOL_GET_CLASS (self)->connection_refused (self);
}

/**
 * weft_datagram_protocol_get_port:
 * @protocol: a datagram protocol
 *
 * Returns: (transfer none) (nullable): the port @protocol listens on, from
 *   start_protocol until the port has closed; %NULL otherwise
 */
WeftUdpPort *
weft_datagram_protocol_get_port (WeftDatagramProtocol *protocol)
{
  WeftDatagramProtocolPrivate *priv;

  g_return_val_if_fail (WEFT_IS_DATAGRAM_PROTOCOL (protocol), NULL);
  priv = weft_datagram_protocol_get_instance_private (protocol);

  return priv->port;
}
