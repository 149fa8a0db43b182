/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-framing-private.h"
#include "weft-netstring-receiver.h"

/**
 * WeftNetstringReceiver:
 *
 * A protocol that receives and sends [netstrings](https://cr.yp.to/proto/netstrings.txt):
 * a decimal length, a colon, that many bytes, a comma (`"5:hello,"`),
 * Twisted's `NetstringReceiver`.
 *
 * Each netstring goes to the string_received method once its comma has
 * arrived. Malformed input (a length that is not decimal, has a leading
 * zero or is missing; no comma after the data) closes the connection with a
 * %G_IO_ERROR_INVALID_DATA error, and a length above
 * #WeftNetstringReceiver:max-length with a %G_IO_ERROR_MESSAGE_TOO_LARGE
 * error, as soon as the length's digits show it; the protocol's
 * connection_lost receives that error. Nothing more is parsed after an
 * error.
 */

typedef enum {
  STATE_LENGTH, /* reading the decimal length */
  STATE_BODY,   /* reading the data and the comma */
  STATE_BROKEN, /* bad input seen: ignore the rest */
} ParseState;

typedef struct {
  WeftFramingInput input;
  WeftFramingBody body;
  ParseState state;
  gsize length;
  guint n_digits;
  gsize max_length;
} WeftNetstringReceiverPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (WeftNetstringReceiver, weft_netstring_receiver, WEFT_TYPE_PROTOCOL)

enum {
  PROP_0,
  PROP_MAX_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_MESSAGE_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Announces a message: the #WeftNetstringReceiver::message-received signal (only when
 * someone listens: it costs a copy), then the string_received method. */
static void
emit_string_received (WeftNetstringReceiver *self, const guint8 *data, gsize len)
{
  if (g_signal_has_handler_pending (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, FALSE))
    {
      g_autoptr (GBytes) bytes = g_bytes_new (data, len);

      g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, bytes);
    }
  WEFT_NETSTRING_RECEIVER_GET_CLASS (self)->string_received (self, data, len);
}

#define PRIV(self) ((WeftNetstringReceiverPrivate *) weft_netstring_receiver_get_instance_private (self))

static gboolean
parse_length_byte (WeftNetstringReceiver *self, guint8 c)
{
  WeftNetstringReceiverPrivate *priv = PRIV (self);

  if (c == ':')
    {
      if (priv->n_digits == 0)
        return weft_framing_reject (WEFT_PROTOCOL (self), G_IO_ERROR_INVALID_DATA,
                                    _ ("Malformed netstring: the length is missing before ':'"));
      priv->state = STATE_BODY;
      weft_framing_body_start (&priv->body, priv->length + 1); /* the data and its comma */
      return TRUE;
    }
  if (!g_ascii_isdigit (c))
    return weft_framing_reject (WEFT_PROTOCOL (self), G_IO_ERROR_INVALID_DATA,
                                _ ("Malformed netstring: expected a decimal length followed by ':', got byte 0x%02x"),
                                c);
  if (priv->n_digits > 0 && priv->length == 0)
    return weft_framing_reject (WEFT_PROTOCOL (self), G_IO_ERROR_INVALID_DATA,
                                _ ("Malformed netstring: the length has a leading zero"));
  /* Checked digit by digit, so neither the number nor the buffer grows
   * past the limit. */
  if ((gsize) (c - '0') > priv->max_length || priv->length > (priv->max_length - (c - '0')) / 10)
    return weft_framing_reject (WEFT_PROTOCOL (self), G_IO_ERROR_MESSAGE_TOO_LARGE,
                                _ ("Received a netstring longer than the limit of %zu bytes; closing the connection"),
                                priv->max_length);
  priv->length = priv->length * 10 + (c - '0');
  priv->n_digits++;
  return TRUE;
}

static gboolean
parse (GObject *object, const guint8 *data, gsize len)
{
  WeftNetstringReceiver *self = WEFT_NETSTRING_RECEIVER (object);
  WeftNetstringReceiverPrivate *priv = PRIV (self);
  const guint8 *body;

  while (len > 0)
    {
      if (priv->state == STATE_BROKEN || weft_protocol_is_closing (WEFT_PROTOCOL (self)))
        return FALSE;
      if (priv->state == STATE_LENGTH)
        {
          if (!parse_length_byte (self, *data))
            {
              priv->state = STATE_BROKEN;
              return FALSE;
            }
          data++;
          len--;
          continue;
        }
      if (!weft_framing_body_take (&priv->body, &data, &len, &body))
        break;
      if (body[priv->length] != ',')
        {
          priv->state = STATE_BROKEN;
          return weft_framing_reject (WEFT_PROTOCOL (self), G_IO_ERROR_INVALID_DATA,
                                      _ ("Malformed netstring: expected ',' after %zu bytes of data, got byte 0x%02x"),
                                      priv->length, body[priv->length]);
        }
      priv->state = STATE_LENGTH;
      emit_string_received (self, body, priv->length);
      priv->length = 0;
      priv->n_digits = 0;
    }
  return TRUE;
}

static void
weft_netstring_receiver_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  WeftNetstringReceiverPrivate *priv = PRIV (WEFT_NETSTRING_RECEIVER (protocol));

  if (priv->state == STATE_BROKEN || weft_protocol_is_closing (protocol))
    return;
  weft_framing_input_feed (&priv->input, G_OBJECT (protocol), parse, data, len);
}

static void
weft_netstring_receiver_real_string_received (WeftNetstringReceiver *self, const guint8 *data, gsize len)
{
}

static void
weft_netstring_receiver_finalize (GObject *object)
{
  WeftNetstringReceiverPrivate *priv = PRIV (WEFT_NETSTRING_RECEIVER (object));

  weft_framing_input_clear (&priv->input);
  weft_framing_body_clear (&priv->body);

  G_OBJECT_CLASS (weft_netstring_receiver_parent_class)->finalize (object);
}

static void
weft_netstring_receiver_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftNetstringReceiverPrivate *priv = PRIV (WEFT_NETSTRING_RECEIVER (object));

  switch (prop_id)
    {
    case PROP_MAX_LENGTH:
      g_value_set_uint64 (value, priv->max_length);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_netstring_receiver_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_MAX_LENGTH:
      weft_netstring_receiver_set_max_length (WEFT_NETSTRING_RECEIVER (object), g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_netstring_receiver_class_init (WeftNetstringReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = weft_netstring_receiver_finalize;
  object_class->get_property = weft_netstring_receiver_get_property;
  object_class->set_property = weft_netstring_receiver_set_property;

  WEFT_PROTOCOL_CLASS (klass)->data_received = weft_netstring_receiver_data_received;
  klass->string_received = weft_netstring_receiver_real_string_received;

  /**
   * WeftNetstringReceiver:max-length: (getter get_max_length) (setter set_max_length)
   *
   * The longest netstring accepted, in bytes of data.
   */
  properties[PROP_MAX_LENGTH] =
      g_param_spec_uint64 ("max-length", NULL, NULL, 0, G_MAXSIZE - 1, WEFT_NETSTRING_RECEIVER_DEFAULT_MAX_LENGTH,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WeftNetstringReceiver::message-received:
   * @receiver: the receiver
   * @message: the message's payload
   *
   * A complete message arrived. Emitted just before the string_received
   * method is called.
   */
  signals[SIGNAL_MESSAGE_RECEIVED] = g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
}

static void
weft_netstring_receiver_init (WeftNetstringReceiver *self)
{
  PRIV (self)->max_length = WEFT_NETSTRING_RECEIVER_DEFAULT_MAX_LENGTH;
}

/**
 * weft_netstring_receiver_set_max_length:
 * @receiver: a netstring receiver
 * @max_length: the longest netstring accepted, in bytes of data
 *
 * Sets the length limit, for netstrings whose length has not been read yet.
 * The default is %WEFT_NETSTRING_RECEIVER_DEFAULT_MAX_LENGTH.
 */
void
weft_netstring_receiver_set_max_length (WeftNetstringReceiver *receiver, gsize max_length)
{
  WeftNetstringReceiverPrivate *priv;

  g_return_if_fail (WEFT_IS_NETSTRING_RECEIVER (receiver));
  g_return_if_fail (max_length < G_MAXSIZE);
  priv = PRIV (receiver);

  if (priv->max_length == max_length)
    return;
  priv->max_length = max_length;
  g_object_notify_by_pspec (G_OBJECT (receiver), properties[PROP_MAX_LENGTH]);
}

/**
 * weft_netstring_receiver_get_max_length:
 * @receiver: a netstring receiver
 *
 * Returns: the longest netstring accepted, in bytes of data
 */
gsize
weft_netstring_receiver_get_max_length (WeftNetstringReceiver *receiver)
{
  g_return_val_if_fail (WEFT_IS_NETSTRING_RECEIVER (receiver), 0);

  return PRIV (receiver)->max_length;
}

/**
 * weft_netstring_receiver_send_string:
 * @receiver: a netstring receiver
 * @data: (array length=len) (element-type guint8) (nullable): the payload
 * @len: its length
 *
 * Writes @data as one netstring. Does nothing when not connected.
 */
void
weft_netstring_receiver_send_string (WeftNetstringReceiver *receiver, const guint8 *data, gsize len)
{
  char prefix[32];
  GOutputVector vectors[3];

  g_return_if_fail (WEFT_IS_NETSTRING_RECEIVER (receiver));
  g_return_if_fail (data != NULL || len == 0);

  vectors[0].buffer = prefix;
  vectors[0].size = g_snprintf (prefix, sizeof prefix, "%zu:", len);
  vectors[1].buffer = data;
  vectors[1].size = len;
  vectors[2].buffer = ",";
  vectors[2].size = 1;
  weft_framing_send (WEFT_PROTOCOL (receiver), vectors, 3);
}
