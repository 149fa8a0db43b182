/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeftLineReceiver through the string transport (fuzz-receiver-driver.h):
 * lines never hold the delimiter, never exceed the limit, never arrive
 * while paused, after a close or after the end. */
#include "fuzz-receiver-driver.h"

#define FUZZ_TYPE_LINE (fuzz_line_get_type ())
G_DECLARE_FINAL_TYPE (FuzzLine, fuzz_line, FUZZ, LINE, WeftLineReceiver)

struct _FuzzLine {
  WeftLineReceiver parent_instance;
};

G_DEFINE_FINAL_TYPE (FuzzLine, fuzz_line, WEFT_TYPE_LINE_RECEIVER)

static const FuzzReceiverOps line_ops;

static void
fuzz_line_line_received (WeftLineReceiver *receiver, const char *line, gsize len)
{
  const char *delimiter = weft_line_receiver_get_delimiter (receiver);

  FUZZ_CHECK (weft_line_receiver_is_line_mode (receiver));
  FUZZ_CHECK (!weft_line_receiver_is_paused (receiver));
  FUZZ_CHECK (line[len] == '\0');
  FUZZ_CHECK (memmem (line, len, delimiter, strlen (delimiter)) == NULL);
  fuzz_message (WEFT_PROTOCOL (receiver), &line_ops, (const guint8 *) line, len);
}

static void
fuzz_line_raw_data_received (WeftLineReceiver *receiver, const guint8 *data, gsize len)
{
  FUZZ_CHECK (!fuzz_state->lost);
  FUZZ_CHECK (!weft_line_receiver_is_line_mode (receiver));
  fuzz_react (WEFT_PROTOCOL (receiver), &line_ops, data, len);
}

static void
fuzz_line_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  fuzz_connection_lost (reason);
  WEFT_PROTOCOL_CLASS (fuzz_line_parent_class)->connection_lost (protocol, reason);
}

static void
fuzz_line_class_init (FuzzLineClass *klass)
{
  WEFT_LINE_RECEIVER_CLASS (klass)->line_received = fuzz_line_line_received;
  WEFT_LINE_RECEIVER_CLASS (klass)->raw_data_received = fuzz_line_raw_data_received;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = fuzz_line_connection_lost;
}

static void
fuzz_line_init (FuzzLine *self)
{
}

static void
line_configure (WeftProtocol *protocol, guint8 config, FuzzState *state)
{
  static const char *const delimiters[] = { "\r\n", "\n", "\r\n\r\n", "ab" };

  weft_line_receiver_set_delimiter (WEFT_LINE_RECEIVER (protocol), delimiters[config % 4]);
  state->max_length = (config & 0x80) ? WEFT_LINE_RECEIVER_DEFAULT_MAX_LINE_LENGTH : (config >> 2) % 32 + 1;
  weft_line_receiver_set_max_line_length (WEFT_LINE_RECEIVER (protocol), state->max_length);
}

static void
line_pause (WeftProtocol *protocol)
{
  weft_line_receiver_pause_producing (WEFT_LINE_RECEIVER (protocol));
}

static void
line_resume (WeftProtocol *protocol)
{
  weft_line_receiver_resume_producing (WEFT_LINE_RECEIVER (protocol));
}

static void
line_switch_mode (WeftProtocol *protocol, const guint8 *extra, gsize len)
{
  WeftLineReceiver *receiver = WEFT_LINE_RECEIVER (protocol);

  if (weft_line_receiver_is_line_mode (receiver))
    weft_line_receiver_set_raw_mode (receiver);
  else
    weft_line_receiver_set_line_mode (receiver, extra, len);
}

static void
line_reply (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  weft_line_receiver_send_line (WEFT_LINE_RECEIVER (protocol), (const char *) data, len);
}

static const FuzzReceiverOps line_ops = {
  fuzz_line_get_type, line_configure, line_pause, line_resume, line_switch_mode, line_reply,
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return fuzz_receiver_run (&line_ops, data, size);
}
