/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeftLengthPrefixedReceiver (1, 2 and 4-byte prefixes) through the string
 * transport (fuzz-receiver-driver.h). */
#include "fuzz-receiver-driver.h"

#define FUZZ_TYPE_PREFIXED (fuzz_prefixed_get_type ())
G_DECLARE_FINAL_TYPE (FuzzPrefixed, fuzz_prefixed, FUZZ, PREFIXED, WeftLengthPrefixedReceiver)

struct _FuzzPrefixed {
  WeftLengthPrefixedReceiver parent_instance;
};

G_DEFINE_FINAL_TYPE (FuzzPrefixed, fuzz_prefixed, WEFT_TYPE_LENGTH_PREFIXED_RECEIVER)

static const FuzzReceiverOps prefixed_ops;

static void
fuzz_prefixed_string_received (WeftLengthPrefixedReceiver *receiver, const guint8 *data, gsize len)
{
  fuzz_message (WEFT_PROTOCOL (receiver), &prefixed_ops, data, len);
}

static void
fuzz_prefixed_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  fuzz_connection_lost (reason);
  WEFT_PROTOCOL_CLASS (fuzz_prefixed_parent_class)->connection_lost (protocol, reason);
}

static void
fuzz_prefixed_class_init (FuzzPrefixedClass *klass)
{
  WEFT_LENGTH_PREFIXED_RECEIVER_CLASS (klass)->string_received = fuzz_prefixed_string_received;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = fuzz_prefixed_connection_lost;
}

static void
fuzz_prefixed_init (FuzzPrefixed *self)
{
}

static void
prefixed_configure (WeftProtocol *protocol, guint8 config, FuzzState *state)
{
  static const guint sizes[] = { 1, 2, 4, 4 };
  WeftLengthPrefixedReceiver *receiver = WEFT_LENGTH_PREFIXED_RECEIVER (protocol);

  weft_length_prefixed_receiver_set_prefix_size (receiver, sizes[config % 4]);
  state->max_length = (config & 0x80) ? 99999 : (config >> 2) % 40;
  weft_length_prefixed_receiver_set_max_length (receiver, state->max_length);
}

static void
prefixed_pause (WeftProtocol *protocol)
{
  weft_transport_pause_reading (weft_protocol_get_transport (protocol));
}

static void
prefixed_resume (WeftProtocol *protocol)
{
  weft_transport_resume_reading (weft_protocol_get_transport (protocol));
}

static void
prefixed_reply (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  g_autoptr (GError) error = NULL;

  /* Too long for a 1-byte prefix is an error, not a crash. */
  if (!weft_length_prefixed_receiver_send_string (WEFT_LENGTH_PREFIXED_RECEIVER (protocol), data, len, &error))
    FUZZ_CHECK (error != NULL);
}

static const FuzzReceiverOps prefixed_ops = {
  fuzz_prefixed_get_type, prefixed_configure, prefixed_pause, prefixed_resume, NULL, prefixed_reply,
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return fuzz_receiver_run (&prefixed_ops, data, size);
}
