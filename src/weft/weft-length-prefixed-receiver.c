/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "weft-framing-private.h"
#include "weft-length-prefixed-receiver.h"

/**
 * WeftLengthPrefixedReceiver:
 *
 * A protocol whose messages are each preceded by their length as a 1-, 2-
 * or 4-byte big-endian unsigned integer (#WeftLengthPrefixedReceiver:prefix-size),
 * Twisted's `Int8StringReceiver`, `Int16StringReceiver` and
 * `Int32StringReceiver` in one class.
 *
 * Each message goes to the string_received method. A prefix that announces
 * more than #WeftLengthPrefixedReceiver:max-length bytes goes to
 * length_limit_exceeded instead, whose default closes the connection with a
 * %G_IO_ERROR_MESSAGE_TOO_LARGE error; memory never grows beyond the limit.
 */

typedef enum {
  STATE_PREFIX, /* reading the length */
  STATE_BODY,   /* reading the message */
  STATE_SKIP,   /* skipping a message over the limit */
} ParseState;

typedef struct {
  WeftFramingInput input;
  WeftFramingBody body;
  ParseState state;
  guint8 prefix[4];
  guint prefix_have;
  guint prefix_size;
  gsize skip_left;
  gsize max_length;
} WeftLengthPrefixedReceiverPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (WeftLengthPrefixedReceiver, weft_length_prefixed_receiver, WEFT_TYPE_PROTOCOL)

enum {
  PROP_0,
  PROP_PREFIX_SIZE,
  PROP_MAX_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_MESSAGE_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Announces a message: the #WeftLengthPrefixedReceiver::message-received signal (only when
 * someone listens: it costs a copy), then the string_received method. */
static void
emit_string_received (WeftLengthPrefixedReceiver *self, const guint8 *data, gsize len)
{
  if (g_signal_has_handler_pending (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, FALSE))
    {
      g_autoptr (GBytes) bytes = g_bytes_new (data, len);

      g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, bytes);
    }
  WEFT_LENGTH_PREFIXED_RECEIVER_GET_CLASS (self)->string_received (self, data, len);
}

#define PRIV(self) ((WeftLengthPrefixedReceiverPrivate *) weft_length_prefixed_receiver_get_instance_private (self))

static guint64
largest_for_prefix (guint prefix_size)
{
  return (G_GUINT64_CONSTANT (1) << (8 * prefix_size)) - 1;
}

static gsize
decode_prefix (WeftLengthPrefixedReceiverPrivate *priv)
{
  gsize length = 0;

  for (guint i = 0; i < priv->prefix_size; i++)
    length = (length << 8) | priv->prefix[i];
  return length;
}

static void
prefix_complete (WeftLengthPrefixedReceiver *self, WeftLengthPrefixedReceiverPrivate *priv)
{
  gsize length = decode_prefix (priv);

  priv->prefix_have = 0;
  if (length > priv->max_length)
    {
      priv->state = STATE_SKIP;
      priv->skip_left = length;
      WEFT_LENGTH_PREFIXED_RECEIVER_GET_CLASS (self)->length_limit_exceeded (self, length);
      return;
    }
  priv->state = STATE_BODY;
  weft_framing_body_start (&priv->body, length);
}

static gboolean
parse (GObject *object, const guint8 *data, gsize len)
{
  WeftLengthPrefixedReceiver *self = WEFT_LENGTH_PREFIXED_RECEIVER (object);
  WeftLengthPrefixedReceiverPrivate *priv = PRIV (self);
  const guint8 *body;
  gsize n;

  /* A message may be empty: a complete body is delivered even when no
   * input is left. */
  while (len > 0 || (priv->state == STATE_BODY && priv->body.expected == 0))
    {
      if (weft_protocol_is_closing (WEFT_PROTOCOL (self)))
        return FALSE;
      switch (priv->state)
        {
        case STATE_PREFIX:
          n = MIN (priv->prefix_size - priv->prefix_have, len);
          memcpy (priv->prefix + priv->prefix_have, data, n);
          priv->prefix_have += n;
          data += n;
          len -= n;
          if (priv->prefix_have == priv->prefix_size)
            prefix_complete (self, priv);
          break;
        case STATE_BODY:
          if (!weft_framing_body_take (&priv->body, &data, &len, &body))
            return TRUE;
          priv->state = STATE_PREFIX;
          emit_string_received (self, body, priv->body.expected);
          break;
        case STATE_SKIP:
        default:
          n = MIN (priv->skip_left, len);
          priv->skip_left -= n;
          data += n;
          len -= n;
          if (priv->skip_left == 0)
            priv->state = STATE_PREFIX;
          break;
        }
    }
  return TRUE;
}

static void
weft_length_prefixed_receiver_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  WeftLengthPrefixedReceiverPrivate *priv = PRIV (WEFT_LENGTH_PREFIXED_RECEIVER (protocol));

  if (weft_protocol_is_closing (protocol))
    return;
  weft_framing_input_feed (&priv->input, G_OBJECT (protocol), parse, data, len);
}

static void
weft_length_prefixed_receiver_real_string_received (WeftLengthPrefixedReceiver *self, const guint8 *data, gsize len)
{
}

static void
weft_length_prefixed_receiver_real_length_limit_exceeded (WeftLengthPrefixedReceiver *self, gsize length)
{
  weft_framing_reject (
      WEFT_PROTOCOL (self), G_IO_ERROR_MESSAGE_TOO_LARGE,
      _ ("Received a message of %zu bytes, longer than the limit of %zu bytes; closing the connection"), length,
      PRIV (self)->max_length);
}

static void
weft_length_prefixed_receiver_finalize (GObject *object)
{
  WeftLengthPrefixedReceiverPrivate *priv = PRIV (WEFT_LENGTH_PREFIXED_RECEIVER (object));

  weft_framing_input_clear (&priv->input);
  weft_framing_body_clear (&priv->body);

  G_OBJECT_CLASS (weft_length_prefixed_receiver_parent_class)->finalize (object);
}

static void
weft_length_prefixed_receiver_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftLengthPrefixedReceiverPrivate *priv = PRIV (WEFT_LENGTH_PREFIXED_RECEIVER (object));

  switch (prop_id)
    {
    case PROP_PREFIX_SIZE:
      g_value_set_uint (value, priv->prefix_size);
      break;
    case PROP_MAX_LENGTH:
      g_value_set_uint64 (value, priv->max_length);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_length_prefixed_receiver_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftLengthPrefixedReceiver *self = WEFT_LENGTH_PREFIXED_RECEIVER (object);

  switch (prop_id)
    {
    case PROP_PREFIX_SIZE:
      weft_length_prefixed_receiver_set_prefix_size (self, g_value_get_uint (value));
      break;
    case PROP_MAX_LENGTH:
      weft_length_prefixed_receiver_set_max_length (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_length_prefixed_receiver_class_init (WeftLengthPrefixedReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = weft_length_prefixed_receiver_finalize;
  object_class->get_property = weft_length_prefixed_receiver_get_property;
  object_class->set_property = weft_length_prefixed_receiver_set_property;

  WEFT_PROTOCOL_CLASS (klass)->data_received = weft_length_prefixed_receiver_data_received;
  klass->string_received = weft_length_prefixed_receiver_real_string_received;
  klass->length_limit_exceeded = weft_length_prefixed_receiver_real_length_limit_exceeded;

  /**
   * WeftLengthPrefixedReceiver:prefix-size: (getter get_prefix_size) (setter set_prefix_size)
   *
   * The size of the length prefix in bytes: 1, 2 or 4.
   */
  properties[PROP_PREFIX_SIZE] =
      g_param_spec_uint ("prefix-size", NULL, NULL, 1, 4, 4,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftLengthPrefixedReceiver:max-length: (getter get_max_length) (setter set_max_length)
   *
   * The longest message accepted, in bytes.
   */
  properties[PROP_MAX_LENGTH] =
      g_param_spec_uint64 ("max-length", NULL, NULL, 0, G_MAXSIZE, WEFT_LENGTH_PREFIXED_RECEIVER_DEFAULT_MAX_LENGTH,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WeftLengthPrefixedReceiver::message-received:
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
weft_length_prefixed_receiver_init (WeftLengthPrefixedReceiver *self)
{
  WeftLengthPrefixedReceiverPrivate *priv = PRIV (self);

  priv->prefix_size = 4;
  priv->max_length = WEFT_LENGTH_PREFIXED_RECEIVER_DEFAULT_MAX_LENGTH;
}

/**
 * weft_length_prefixed_receiver_set_prefix_size:
 * @receiver: a length-prefixed receiver
 * @prefix_size: 1, 2 or 4
 *
 * Sets the size of the length prefix, for sending and receiving. Set it
 * before any input arrives (in a subclass' instance init, or as a
 * construct property); changing it in the middle of a message is refused.
 */
void
weft_length_prefixed_receiver_set_prefix_size (WeftLengthPrefixedReceiver *receiver, guint prefix_size)
{
  WeftLengthPrefixedReceiverPrivate *priv;

  g_return_if_fail (WEFT_IS_LENGTH_PREFIXED_RECEIVER (receiver));
  g_return_if_fail (prefix_size == 1 || prefix_size == 2 || prefix_size == 4);
  priv = PRIV (receiver);
  g_return_if_fail (priv->state == STATE_PREFIX && priv->prefix_have == 0);

  if (priv->prefix_size == prefix_size)
    return;
  priv->prefix_size = prefix_size;
  g_object_notify_by_pspec (G_OBJECT (receiver), properties[PROP_PREFIX_SIZE]);
}

/**
 * weft_length_prefixed_receiver_get_prefix_size:
 * @receiver: a length-prefixed receiver
 *
 * Returns: the size of the length prefix in bytes: 1, 2 or 4
 */
guint
weft_length_prefixed_receiver_get_prefix_size (WeftLengthPrefixedReceiver *receiver)
{
  g_return_val_if_fail (WEFT_IS_LENGTH_PREFIXED_RECEIVER (receiver), 0);

  return PRIV (receiver)->prefix_size;
}

/**
 * weft_length_prefixed_receiver_set_max_length:
 * @receiver: a length-prefixed receiver
 * @max_length: the longest message accepted, in bytes
 *
 * Sets the length limit, for messages whose prefix has not been read yet.
 * The default is %WEFT_LENGTH_PREFIXED_RECEIVER_DEFAULT_MAX_LENGTH.
 */
void
weft_length_prefixed_receiver_set_max_length (WeftLengthPrefixedReceiver *receiver, gsize max_length)
{
  WeftLengthPrefixedReceiverPrivate *priv;

  g_return_if_fail (WEFT_IS_LENGTH_PREFIXED_RECEIVER (receiver));
  priv = PRIV (receiver);

  if (priv->max_length == max_length)
    return;
  priv->max_length = max_length;
  g_object_notify_by_pspec (G_OBJECT (receiver), properties[PROP_MAX_LENGTH]);
}

/**
 * weft_length_prefixed_receiver_get_max_length:
 * @receiver: a length-prefixed receiver
 *
 * Returns: the longest message accepted, in bytes
 */
gsize
weft_length_prefixed_receiver_get_max_length (WeftLengthPrefixedReceiver *receiver)
{
  g_return_val_if_fail (WEFT_IS_LENGTH_PREFIXED_RECEIVER (receiver), 0);

  return PRIV (receiver)->max_length;
}

/**
 * weft_length_prefixed_receiver_send_string:
 * @receiver: a length-prefixed receiver
 * @data: (array length=len) (element-type guint8) (nullable): the message
 * @len: its length
 * @error: return location for a #GError
 *
 * Writes @data preceded by its length. A message too long for the prefix
 * (more than 255 bytes with a 1-byte prefix, 65535 with 2 bytes) is refused
 * with %G_IO_ERROR_MESSAGE_TOO_LARGE and nothing is written. When not
 * connected, nothing is written either, and %TRUE is returned.
 *
 * Returns: %TRUE if the message was queued (or dropped because not
 *   connected), %FALSE if it is too long
 */
gboolean
weft_length_prefixed_receiver_send_string (WeftLengthPrefixedReceiver *receiver,
                                           const guint8 *data,
                                           gsize len,
                                           GError **error)
{
  WeftLengthPrefixedReceiverPrivate *priv;
  guint8 prefix[4];
  GOutputVector vectors[2];

  g_return_val_if_fail (WEFT_IS_LENGTH_PREFIXED_RECEIVER (receiver), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  priv = PRIV (receiver);

  if ((guint64) len > largest_for_prefix (priv->prefix_size))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _ ("Cannot send a message of %zu bytes with a %u-byte length prefix: the most is %zu bytes"), len,
                   priv->prefix_size, (gsize) largest_for_prefix (priv->prefix_size));
      return FALSE;
    }

  for (guint i = 0; i < priv->prefix_size; i++)
    prefix[i] = (guint8) (len >> (8 * (priv->prefix_size - 1 - i)));
  vectors[0].buffer = prefix;
  vectors[0].size = priv->prefix_size;
  vectors[1].buffer = data;
  vectors[1].size = len;
  weft_framing_send (WEFT_PROTOCOL (receiver), vectors, 2);
  return TRUE;
}
