/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "weft-framing-private.h"
#include "weft-line-receiver.h"

/**
 * WeftLineReceiver:
 *
 * A protocol that cuts its input into lines ending with a delimiter
 * (`"\r\n"` unless set otherwise) and can switch to raw mode for binary
 * payloads in between (an HTTP body, a file transfer), Twisted's
 * `LineReceiver`.
 *
 * In line mode, each complete line goes to the line_received method without
 * its delimiter. A line longer than #WeftLineReceiver:max-line-length goes
 * to line_length_exceeded instead, whose default closes the connection with
 * a %G_IO_ERROR_MESSAGE_TOO_LARGE error; such a line is detected as soon as
 * more than the limit has arrived without a delimiter, so a peer cannot make
 * the buffer grow without bound.
 *
 * In raw mode, everything goes to raw_data_received as it arrives. Mode
 * switches take effect at once, also from inside line_received or
 * raw_data_received: after weft_line_receiver_set_raw_mode() in
 * line_received, the bytes that followed that line are delivered raw;
 * weft_line_receiver_set_line_mode() takes the bytes the raw handler did
 * not consume and parses them as lines again, ahead of anything buffered.
 *
 * With #WeftLineReceiver:accept-bare-lf, a line ends at a `"\n"` with or
 * without a `"\r"` before it (the IRC rule; many servers send bare
 * newlines), instead of only at the delimiter.
 *
 * Besides the line_received method, each line is announced by the
 * #WeftLineReceiver::line-received signal, so a simple client needs no
 * subclass.
 *
 * weft_line_receiver_pause_producing() stops delivery (and reading on the
 * transport) while keeping what was buffered; resume delivers the lines that
 * are complete. No more input is delivered once the connection is closing
 * (weft_protocol_is_closing()).
 */

typedef struct {
  GByteArray *buffer; /* unprocessed input from @start on */
  gsize start;
  gsize search_from; /* no delimiter begins before this index */
  GByteArray *line;  /* copy of the line being delivered, NUL-terminated */
  char *delimiter;
  gsize delimiter_len;
  const char *match; /* what ends a line in the input: delimiter, or "\n" */
  gsize match_len;
  gboolean accept_bare_lf;
  gsize max_line_length;
  gboolean line_mode;
  gboolean paused;
  gboolean busy;       /* delivering: new input is only queued */
  gboolean discarding; /* skipping the rest of an overlong line */
} WeftLineReceiverPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (WeftLineReceiver, weft_line_receiver, WEFT_TYPE_PROTOCOL)

enum {
  PROP_0,
  PROP_DELIMITER,
  PROP_MAX_LINE_LENGTH,
  PROP_LINE_MODE,
  PROP_PAUSED,
  PROP_ACCEPT_BARE_LF,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_LINE_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define PRIV(self) ((WeftLineReceiverPrivate *) weft_line_receiver_get_instance_private (self))

static void
compact (WeftLineReceiverPrivate *priv)
{
  if (priv->start == 0)
    return;
  g_byte_array_remove_range (priv->buffer, 0, priv->start);
  priv->search_from = priv->search_from > priv->start ? priv->search_from - priv->start : 0;
  priv->start = 0;
}

/* Finds the next delimiter from @start; remembers how far the search went,
 * so input arriving a byte at a time is scanned once. */
static gboolean
find_delimiter (WeftLineReceiverPrivate *priv, gsize *position)
{
  gsize from = MAX (priv->search_from, priv->start);
  gsize keep = priv->match_len - 1;
  const guint8 *hit = NULL;

  if (from < priv->buffer->len)
    hit = memmem (priv->buffer->data + from, priv->buffer->len - from, priv->match, priv->match_len);
  if (hit != NULL)
    {
      *position = hit - priv->buffer->data;
      return TRUE;
    }
  priv->search_from = priv->buffer->len - priv->start > keep ? priv->buffer->len - keep : priv->start;
  return FALSE;
}

/* Copies @len bytes at @data into the line scratch buffer, NUL-terminated,
 * so that the handler's pointer survives input queued during the call. */
static const guint8 *
copy_line (WeftLineReceiverPrivate *priv, const guint8 *data, gsize len)
{
  g_byte_array_set_size (priv->line, len + 1);
  memcpy (priv->line->data, data, len);
  priv->line->data[len] = '\0';
  return priv->line->data;
}

static void
deliver_raw (WeftLineReceiver *self, WeftLineReceiverPrivate *priv)
{
  g_autoptr (GByteArray) raw = priv->buffer;
  gsize from = priv->start;

  priv->buffer = g_byte_array_new ();
  priv->start = priv->search_from = 0;
  WEFT_LINE_RECEIVER_GET_CLASS (self)->raw_data_received (self, raw->data + from, raw->len - from);
}

/* Skips input up to and including the delimiter that ends an overlong line.
 * Returns FALSE when more input is needed. */
static gboolean
skip_overlong_rest (WeftLineReceiverPrivate *priv)
{
  gsize position;

  if (!find_delimiter (priv, &position))
    {
      priv->start = priv->search_from; /* keep what may begin a delimiter */
      return FALSE;
    }
  priv->start = priv->search_from = position + priv->match_len;
  priv->discarding = FALSE;
  return TRUE;
}

/* Delivers one line, or reports one that is too long. Returns FALSE when
 * more input is needed. */
static gboolean
deliver_line (WeftLineReceiver *self, WeftLineReceiverPrivate *priv)
{
  WeftLineReceiverClass *klass = WEFT_LINE_RECEIVER_GET_CLASS (self);
  const guint8 *line;
  gsize position, len;

  if (!find_delimiter (priv, &position))
    {
      len = priv->buffer->len - priv->start;
      /* The last match_len - 1 bytes may be the start of a delimiter (and
       * with bare newlines accepted, a "\r" may precede it), so only more
       * than that over the limit proves the line too long. */
      if (len <= priv->max_line_length + priv->match_len - 1 + (priv->accept_bare_lf ? 1 : 0))
        return FALSE;
      line = copy_line (priv, priv->buffer->data + priv->start, len);
      priv->start = priv->search_from;
      priv->discarding = TRUE;
      klass->line_length_exceeded (self, line, len);
      return TRUE;
    }

  len = position - priv->start;
  if (priv->accept_bare_lf && len > 0 && priv->buffer->data[position - 1] == '\r')
    len--;
  line = copy_line (priv, priv->buffer->data + priv->start, len);
  priv->start = priv->search_from = position + priv->match_len;
  if (len > priv->max_line_length)
    klass->line_length_exceeded (self, line, len);
  else
    {
      /* Checked first: most receivers have no handler, and an emission
       * per line is not free. */
      if (g_signal_has_handler_pending (self, signals[SIGNAL_LINE_RECEIVED], 0, FALSE))
        g_signal_emit (self, signals[SIGNAL_LINE_RECEIVED], 0, (const char *) line, (guint64) len);
      klass->line_received (self, (const char *) line, len);
    }
  return TRUE;
}

static void
process (WeftLineReceiver *self)
{
  WeftLineReceiverPrivate *priv = PRIV (self);

  g_object_ref (self);
  priv->busy = TRUE;
  while (!priv->paused && priv->start < priv->buffer->len && !weft_protocol_is_closing (WEFT_PROTOCOL (self)))
    {
      if (!priv->line_mode)
        deliver_raw (self, priv);
      else if (priv->discarding)
        {
          if (!skip_overlong_rest (priv))
            break;
        }
      else if (!deliver_line (self, priv))
        break;
    }
  compact (priv);
  priv->busy = FALSE;
  g_object_unref (self);
}

static void
weft_line_receiver_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  WeftLineReceiver *self = WEFT_LINE_RECEIVER (protocol);
  WeftLineReceiverPrivate *priv = PRIV (self);

  /* Nothing would be delivered any more; keeping it would only grow. */
  if (weft_protocol_is_closing (protocol))
    return;

  if (!priv->busy && !priv->paused && !priv->line_mode && priv->start == priv->buffer->len)
    {
      /* Raw mode with nothing pending: no copy. */
      g_object_ref (self);
      priv->busy = TRUE;
      WEFT_LINE_RECEIVER_GET_CLASS (self)->raw_data_received (self, data, len);
      priv->busy = FALSE;
      process (self);
      g_object_unref (self);
      return;
    }

  g_byte_array_append (priv->buffer, data, len);
  if (!priv->busy)
    process (self);
}

static void
weft_line_receiver_real_line_received (WeftLineReceiver *self, const char *line, gsize len)
{
}

static void
weft_line_receiver_real_raw_data_received (WeftLineReceiver *self, const guint8 *data, gsize len)
{
}

static void
weft_line_receiver_real_line_length_exceeded (WeftLineReceiver *self, const guint8 *data, gsize len)
{
  weft_framing_reject (WEFT_PROTOCOL (self), G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _ ("Received a line longer than the limit of %zu bytes; closing the connection"),
                       PRIV (self)->max_line_length);
}

static void
weft_line_receiver_finalize (GObject *object)
{
  WeftLineReceiverPrivate *priv = PRIV (WEFT_LINE_RECEIVER (object));

  g_byte_array_unref (priv->buffer);
  g_byte_array_unref (priv->line);
  g_free (priv->delimiter);

  G_OBJECT_CLASS (weft_line_receiver_parent_class)->finalize (object);
}

static void
weft_line_receiver_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftLineReceiverPrivate *priv = PRIV (WEFT_LINE_RECEIVER (object));

  switch (prop_id)
    {
    case PROP_DELIMITER:
      g_value_set_string (value, priv->delimiter);
      break;
    case PROP_MAX_LINE_LENGTH:
      g_value_set_uint64 (value, priv->max_line_length);
      break;
    case PROP_LINE_MODE:
      g_value_set_boolean (value, priv->line_mode);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, priv->paused);
      break;
    case PROP_ACCEPT_BARE_LF:
      g_value_set_boolean (value, priv->accept_bare_lf);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_line_receiver_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftLineReceiver *self = WEFT_LINE_RECEIVER (object);

  switch (prop_id)
    {
    case PROP_DELIMITER:
      weft_line_receiver_set_delimiter (self, g_value_get_string (value));
      break;
    case PROP_MAX_LINE_LENGTH:
      weft_line_receiver_set_max_line_length (self, g_value_get_uint64 (value));
      break;
    case PROP_ACCEPT_BARE_LF:
      weft_line_receiver_set_accept_bare_lf (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_line_receiver_class_init (WeftLineReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  object_class->finalize = weft_line_receiver_finalize;
  object_class->get_property = weft_line_receiver_get_property;
  object_class->set_property = weft_line_receiver_set_property;

  protocol_class->data_received = weft_line_receiver_data_received;

  klass->line_received = weft_line_receiver_real_line_received;
  klass->raw_data_received = weft_line_receiver_real_raw_data_received;
  klass->line_length_exceeded = weft_line_receiver_real_line_length_exceeded;

  /**
   * WeftLineReceiver:delimiter: (getter get_delimiter) (setter set_delimiter)
   *
   * What ends a line, at least one byte. Sent by
   * weft_line_receiver_send_line() too.
   */
  properties[PROP_DELIMITER] =
      g_param_spec_string ("delimiter", NULL, NULL, "\r\n",
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftLineReceiver:max-line-length: (getter get_max_line_length) (setter set_max_line_length)
   *
   * The longest line accepted, in bytes, delimiter not counted.
   */
  properties[PROP_MAX_LINE_LENGTH] =
      g_param_spec_uint64 ("max-line-length", NULL, NULL, 0, G_MAXSIZE / 2, WEFT_LINE_RECEIVER_DEFAULT_MAX_LINE_LENGTH,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftLineReceiver:line-mode: (getter is_line_mode)
   *
   * %TRUE in line mode, %FALSE in raw mode.
   */
  properties[PROP_LINE_MODE] =
      g_param_spec_boolean ("line-mode", NULL, NULL, TRUE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftLineReceiver:paused: (getter is_paused)
   *
   * %TRUE between weft_line_receiver_pause_producing() and
   * weft_line_receiver_resume_producing().
   */
  properties[PROP_PAUSED] = g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftLineReceiver:accept-bare-lf: (getter get_accept_bare_lf) (setter set_accept_bare_lf)
   *
   * When %TRUE, a line ends at `"\n"`, and one `"\r"` just before it is
   * removed: input ending lines with `"\r\n"` and with a bare `"\n"` both
   * work (the IRC rule). #WeftLineReceiver:delimiter is still what
   * weft_line_receiver_send_line() writes. %FALSE (the default): only the
   * delimiter ends a line.
   */
  properties[PROP_ACCEPT_BARE_LF] =
      g_param_spec_boolean ("accept-bare-lf", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WeftLineReceiver::line-received:
   * @receiver: the line receiver
   * @line: the line without its delimiter, NUL-terminated for convenience
   *   (it may contain NULs itself: @len is the truth); valid only during
   *   the emission
   * @len: its length in bytes
   *
   * A complete line arrived. Emitted just before the line_received method
   * is called.
   * Input that arrives while a handler runs is queued, never delivered
   * re-entrantly.
   */
  signals[SIGNAL_LINE_RECEIVED] =
      g_signal_new ("line-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                    G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_UINT64);
}

static void
update_match (WeftLineReceiverPrivate *priv)
{
  if (priv->accept_bare_lf)
    {
      priv->match = "\n";
      priv->match_len = 1;
    }
  else
    {
      priv->match = priv->delimiter;
      priv->match_len = priv->delimiter_len;
    }
}

static void
weft_line_receiver_init (WeftLineReceiver *self)
{
  WeftLineReceiverPrivate *priv = PRIV (self);

  priv->buffer = g_byte_array_new ();
  priv->line = g_byte_array_new ();
  priv->delimiter = g_strdup ("\r\n");
  priv->delimiter_len = 2;
  update_match (priv);
  priv->max_line_length = WEFT_LINE_RECEIVER_DEFAULT_MAX_LINE_LENGTH;
  priv->line_mode = TRUE;
}

/* Runs delivery after a change made outside a handler; a handler's changes
 * are picked up by the delivery loop it was called from. */
static void
process_unless_busy (WeftLineReceiver *self)
{
  if (!PRIV (self)->busy)
    process (self);
}

/**
 * weft_line_receiver_set_delimiter:
 * @receiver: a line receiver
 * @delimiter: what ends a line; not empty
 *
 * Sets the line delimiter, for input not yet parsed and for
 * weft_line_receiver_send_line().
 */
void
weft_line_receiver_set_delimiter (WeftLineReceiver *receiver, const char *delimiter)
{
  WeftLineReceiverPrivate *priv;

  g_return_if_fail (WEFT_IS_LINE_RECEIVER (receiver));
  g_return_if_fail (delimiter != NULL && delimiter[0] != '\0');
  priv = PRIV (receiver);

  if (g_strcmp0 (priv->delimiter, delimiter) == 0)
    return;
  g_free (priv->delimiter);
  priv->delimiter = g_strdup (delimiter);
  priv->delimiter_len = strlen (delimiter);
  update_match (priv);
  priv->search_from = priv->start;
  g_object_notify_by_pspec (G_OBJECT (receiver), properties[PROP_DELIMITER]);
  process_unless_busy (receiver);
}

/**
 * weft_line_receiver_get_delimiter:
 * @receiver: a line receiver
 *
 * Returns: (transfer none): the line delimiter
 */
const char *
weft_line_receiver_get_delimiter (WeftLineReceiver *receiver)
{
  g_return_val_if_fail (WEFT_IS_LINE_RECEIVER (receiver), NULL);

  return PRIV (receiver)->delimiter;
}

/**
 * weft_line_receiver_set_accept_bare_lf:
 * @receiver: a line receiver
 * @accept: whether a bare `"\n"` also ends a line
 *
 * Sets #WeftLineReceiver:accept-bare-lf, for input not yet parsed.
 */
void
weft_line_receiver_set_accept_bare_lf (WeftLineReceiver *receiver, gboolean accept)
{
  WeftLineReceiverPrivate *priv;

  g_return_if_fail (WEFT_IS_LINE_RECEIVER (receiver));
  priv = PRIV (receiver);

  accept = !!accept;
  if (priv->accept_bare_lf == accept)
    return;
  priv->accept_bare_lf = accept;
  update_match (priv);
  priv->search_from = priv->start;
  g_object_notify_by_pspec (G_OBJECT (receiver), properties[PROP_ACCEPT_BARE_LF]);
  process_unless_busy (receiver);
}

/**
 * weft_line_receiver_get_accept_bare_lf:
 * @receiver: a line receiver
 *
 * Returns: whether a bare `"\n"` also ends a line
 */
gboolean
weft_line_receiver_get_accept_bare_lf (WeftLineReceiver *receiver)
{
  g_return_val_if_fail (WEFT_IS_LINE_RECEIVER (receiver), FALSE);

  return PRIV (receiver)->accept_bare_lf;
}

/**
 * weft_line_receiver_set_max_line_length:
 * @receiver: a line receiver
 * @max_line_length: the longest line accepted, in bytes, delimiter not
 *   counted
 *
 * Sets the line length limit. The default is
 * %WEFT_LINE_RECEIVER_DEFAULT_MAX_LINE_LENGTH.
 */
void
weft_line_receiver_set_max_line_length (WeftLineReceiver *receiver, gsize max_line_length)
{
  WeftLineReceiverPrivate *priv;

  g_return_if_fail (WEFT_IS_LINE_RECEIVER (receiver));
  g_return_if_fail (max_line_length <= G_MAXSIZE / 2);
  priv = PRIV (receiver);

  if (priv->max_line_length == max_line_length)
    return;
  priv->max_line_length = max_line_length;
  g_object_notify_by_pspec (G_OBJECT (receiver), properties[PROP_MAX_LINE_LENGTH]);
  process_unless_busy (receiver);
}

/**
 * weft_line_receiver_get_max_line_length:
 * @receiver: a line receiver
 *
 * Returns: the longest line accepted, in bytes
 */
gsize
weft_line_receiver_get_max_line_length (WeftLineReceiver *receiver)
{
  g_return_val_if_fail (WEFT_IS_LINE_RECEIVER (receiver), 0);

  return PRIV (receiver)->max_line_length;
}

static void
set_line_mode (WeftLineReceiver *receiver, gboolean line_mode)
{
  WeftLineReceiverPrivate *priv = PRIV (receiver);

  priv->discarding = FALSE;
  if (priv->line_mode == line_mode)
    return;
  priv->line_mode = line_mode;
  priv->search_from = priv->start;
  g_object_notify_by_pspec (G_OBJECT (receiver), properties[PROP_LINE_MODE]);
}

/**
 * weft_line_receiver_set_raw_mode:
 * @receiver: a line receiver
 *
 * Switches to raw mode: input not yet parsed, and everything after, goes to
 * raw_data_received. Called from line_received, the bytes after the current
 * line are the first to be delivered raw.
 */
void
weft_line_receiver_set_raw_mode (WeftLineReceiver *receiver)
{
  g_return_if_fail (WEFT_IS_LINE_RECEIVER (receiver));

  set_line_mode (receiver, FALSE);
  process_unless_busy (receiver);
}

/**
 * weft_line_receiver_set_line_mode:
 * @receiver: a line receiver
 * @extra: (array length=len) (element-type guint8) (nullable): input the
 *   raw handler took but did not consume, to be parsed as lines first
 * @len: the length of @extra
 *
 * Switches to line mode. @extra is parsed before any input still buffered,
 * so a raw_data_received handler that has read the end of its payload
 * passes back the rest of what it was given. Lines are delivered at once
 * (after the handler returns, when called from one).
 */
void
weft_line_receiver_set_line_mode (WeftLineReceiver *receiver, const guint8 *extra, gsize len)
{
  WeftLineReceiverPrivate *priv;

  g_return_if_fail (WEFT_IS_LINE_RECEIVER (receiver));
  g_return_if_fail (extra != NULL || len == 0);
  priv = PRIV (receiver);

  set_line_mode (receiver, TRUE);
  if (len > 0)
    {
      if (priv->start >= len)
        {
          priv->start -= len;
          memcpy (priv->buffer->data + priv->start, extra, len);
        }
      else
        {
          compact (priv);
          g_byte_array_prepend (priv->buffer, extra, len);
        }
      priv->search_from = priv->start;
    }
  process_unless_busy (receiver);
}

/**
 * weft_line_receiver_is_line_mode:
 * @receiver: a line receiver
 *
 * Returns: %TRUE in line mode, %FALSE in raw mode
 */
gboolean
weft_line_receiver_is_line_mode (WeftLineReceiver *receiver)
{
  g_return_val_if_fail (WEFT_IS_LINE_RECEIVER (receiver), FALSE);

  return PRIV (receiver)->line_mode;
}

static void
set_paused (WeftLineReceiver *receiver, gboolean paused)
{
  WeftLineReceiverPrivate *priv = PRIV (receiver);
  WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (receiver));

  if (priv->paused == paused)
    return;
  priv->paused = paused;
  if (transport != NULL)
    {
      if (paused)
        weft_transport_pause_reading (transport);
      else
        weft_transport_resume_reading (transport);
    }
  g_object_notify_by_pspec (G_OBJECT (receiver), properties[PROP_PAUSED]);
}

/**
 * weft_line_receiver_pause_producing:
 * @receiver: a line receiver
 *
 * Stops delivering lines (and raw data) and pauses reading on the
 * transport. Input already received stays buffered. May be called from
 * line_received: the following lines wait.
 */
void
weft_line_receiver_pause_producing (WeftLineReceiver *receiver)
{
  g_return_if_fail (WEFT_IS_LINE_RECEIVER (receiver));

  set_paused (receiver, TRUE);
}

/**
 * weft_line_receiver_resume_producing:
 * @receiver: a line receiver
 *
 * Resumes reading, and delivers the complete lines buffered while paused
 * before returning.
 */
void
weft_line_receiver_resume_producing (WeftLineReceiver *receiver)
{
  g_return_if_fail (WEFT_IS_LINE_RECEIVER (receiver));

  set_paused (receiver, FALSE);
  process_unless_busy (receiver);
}

/**
 * weft_line_receiver_is_paused:
 * @receiver: a line receiver
 *
 * Returns: %TRUE while delivery is paused
 */
gboolean
weft_line_receiver_is_paused (WeftLineReceiver *receiver)
{
  g_return_val_if_fail (WEFT_IS_LINE_RECEIVER (receiver), FALSE);

  return PRIV (receiver)->paused;
}

/**
 * weft_line_receiver_clear_line_buffer:
 * @receiver: a line receiver
 *
 * Takes out the input received but not yet delivered: a partial line, or
 * lines held back while paused. Useful when handing the connection over to
 * another protocol.
 *
 * Returns: (transfer full): the buffered bytes, possibly empty
 */
GBytes *
weft_line_receiver_clear_line_buffer (WeftLineReceiver *receiver)
{
  WeftLineReceiverPrivate *priv;
  GBytes *bytes;

  g_return_val_if_fail (WEFT_IS_LINE_RECEIVER (receiver), NULL);
  priv = PRIV (receiver);

  bytes = g_bytes_new (priv->buffer->data + priv->start, priv->buffer->len - priv->start);
  priv->start = priv->search_from = priv->buffer->len;
  priv->discarding = FALSE;
  if (!priv->busy)
    compact (priv);
  return bytes;
}

/**
 * weft_line_receiver_send_line:
 * @receiver: a line receiver
 * @line: the line, without delimiter
 * @len: its length, or -1 if @line is NUL-terminated
 *
 * Writes @line followed by the delimiter. Does nothing when not connected.
 */
void
weft_line_receiver_send_line (WeftLineReceiver *receiver, const char *line, gssize len)
{
  WeftLineReceiverPrivate *priv;
  GOutputVector vectors[2];

  g_return_if_fail (WEFT_IS_LINE_RECEIVER (receiver));
  g_return_if_fail (line != NULL || len == 0);
  priv = PRIV (receiver);

  vectors[0].buffer = line;
  vectors[0].size = len < 0 ? strlen (line) : (gsize) len;
  vectors[1].buffer = priv->delimiter;
  vectors[1].size = priv->delimiter_len;
  weft_framing_send (WEFT_PROTOCOL (receiver), vectors, 2);
}
