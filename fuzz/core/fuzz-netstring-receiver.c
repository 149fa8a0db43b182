/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeftNetstringReceiver through the string transport
 * (fuzz-receiver-driver.h). */
#include "fuzz-receiver-driver.h"

#define FUZZ_TYPE_NETSTRING (fuzz_netstring_get_type ())
G_DECLARE_FINAL_TYPE (FuzzNetstring, fuzz_netstring, FUZZ, NETSTRING, WeftNetstringReceiver)

struct _FuzzNetstring {
  WeftNetstringReceiver parent_instance;
};

G_DEFINE_FINAL_TYPE (FuzzNetstring, fuzz_netstring, WEFT_TYPE_NETSTRING_RECEIVER)

static const FuzzReceiverOps netstring_ops;

static void
fuzz_netstring_string_received (WeftNetstringReceiver *receiver, const guint8 *data, gsize len)
{
  fuzz_message (WEFT_PROTOCOL (receiver), &netstring_ops, data, len);
}

static void
fuzz_netstring_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  fuzz_connection_lost (reason);
  WEFT_PROTOCOL_CLASS (fuzz_netstring_parent_class)->connection_lost (protocol, reason);
}

static void
fuzz_netstring_class_init (FuzzNetstringClass *klass)
{
  WEFT_NETSTRING_RECEIVER_CLASS (klass)->string_received = fuzz_netstring_string_received;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = fuzz_netstring_connection_lost;
}

static void
fuzz_netstring_init (FuzzNetstring *self)
{
}

static void
netstring_configure (WeftProtocol *protocol, guint8 config, FuzzState *state)
{
  state->max_length = (config & 0x80) ? 99999 : config % 40;
  weft_netstring_receiver_set_max_length (WEFT_NETSTRING_RECEIVER (protocol), state->max_length);
}

static void
netstring_pause (WeftProtocol *protocol)
{
  weft_transport_pause_reading (weft_protocol_get_transport (protocol));
}

static void
netstring_resume (WeftProtocol *protocol)
{
  weft_transport_resume_reading (weft_protocol_get_transport (protocol));
}

static void
netstring_reply (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  weft_netstring_receiver_send_string (WEFT_NETSTRING_RECEIVER (protocol), data, len);
}

static const FuzzReceiverOps netstring_ops = {
  fuzz_netstring_get_type, netstring_configure, netstring_pause, netstring_resume, NULL, netstring_reply,
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return fuzz_receiver_run (&netstring_ops, data, size);
}
