/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Drives one receiver protocol through a string transport from fuzz
 * input: the input is a script of operations (deliver the next bytes in a
 * chunk of some size, pause, resume, switch mode, end of file), and the
 * receiver's callbacks read their reactions from it too (nothing, lose or
 * abort the connection, reply, pause, resume, switch mode). Each target
 * (fuzz-*-receiver.c) defines its protocol and the FuzzReceiverOps below.
 *
 * Checked throughout: no callback after connection_lost, no message after
 * the protocol asked to close, no message longer than the limit, and
 * connection_lost exactly once with a reason. */

#include <string.h>

#include <weft/weft-testing.h>

#include "fuzz-check.h"

typedef struct {
  const uint8_t *data;
  size_t size;
  size_t pos;
} FuzzInput;

typedef struct {
  FuzzInput *input;
  WeftStringTransport *transport;
  gboolean close_requested; /* the protocol called lose or abort */
  gboolean lost;
  guint n_lost;
  guint n_messages;
  gsize max_length;
} FuzzState;

/* The one run in progress: callbacks reach it from the protocol. */
static FuzzState *fuzz_state;

static guint8
fuzz_take_byte (FuzzInput *input)
{
  return input->pos < input->size ? input->data[input->pos++] : 0;
}

static const guint8 *
fuzz_take_bytes (FuzzInput *input, gsize wanted, gsize *len)
{
  const guint8 *start = input->data + input->pos;

  *len = MIN (wanted, input->size - input->pos);
  input->pos += *len;
  return start;
}

typedef struct {
  GType (*get_type) (void);
  /* From the configuration byte: limits, delimiters, prefix sizes. */
  void (*configure) (WeftProtocol *protocol, guint8 config, FuzzState *state);
  void (*pause) (WeftProtocol *protocol);
  void (*resume) (WeftProtocol *protocol);
  /* Raw mode and back for the line receiver; NULL for the others. */
  void (*switch_mode) (WeftProtocol *protocol, const guint8 *extra, gsize len);
  /* A reply through the protocol's own sender. */
  void (*reply) (WeftProtocol *protocol, const guint8 *data, gsize len);
} FuzzReceiverOps;

/* What a message callback does, read from the input. */
static void
fuzz_react (WeftProtocol *protocol, const FuzzReceiverOps *ops, const guint8 *data, gsize len)
{
  FuzzState *state = fuzz_state;
  WeftTransport *transport = weft_protocol_get_transport (protocol);
  guint8 action = fuzz_take_byte (state->input);

  FUZZ_CHECK (!state->lost);
  FUZZ_CHECK (transport != NULL);
  switch (action % 10)
    {
    case 1:
      state->close_requested = TRUE;
      weft_transport_lose_connection (transport);
      break;
    case 2:
      state->close_requested = TRUE;
      weft_transport_abort_connection (transport);
      break;
    case 3:
      ops->reply (protocol, data, len);
      break;
    case 4:
      ops->pause (protocol);
      break;
    case 5:
      ops->resume (protocol);
      break;
    case 6:
      if (ops->switch_mode != NULL)
        ops->switch_mode (protocol, data, MIN (len, 8));
      break;
    case 7:
      {
        g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "fuzz");

        state->close_requested = TRUE;
        weft_transport_lose_connection_with_error (transport, error);
        break;
      }
    default:
      break;
    }
}

/* For every message callback: the common checks, then the reaction. */
static void
fuzz_message (WeftProtocol *protocol, const FuzzReceiverOps *ops, const guint8 *data, gsize len)
{
  FuzzState *state = fuzz_state;

  FUZZ_CHECK (!state->lost);
  /* Receivers stop delivering once the connection is closing. */
  FUZZ_CHECK (!state->close_requested);
  FUZZ_CHECK (len <= state->max_length);
  state->n_messages++;
  fuzz_react (protocol, ops, data, len);
}

static void
fuzz_connection_lost (const GError *reason)
{
  FuzzState *state = fuzz_state;

  FUZZ_CHECK (reason != NULL);
  FUZZ_CHECK (!state->lost);
  state->lost = TRUE;
  state->n_lost++;
}

static int
fuzz_receiver_run (const FuzzReceiverOps *ops, const uint8_t *data, size_t size)
{
  FuzzInput input = { data, size, 0 };
  FuzzState state = { &input };
  g_autoptr (WeftProtocol) protocol = NULL;
  g_autoptr (WeftStringTransport) transport = NULL;
  guint n_ops = 0;

  fuzz_state = &state;
  protocol = g_object_new (ops->get_type (), NULL);
  transport = weft_string_transport_new ();
  state.transport = transport;
  ops->configure (protocol, fuzz_take_byte (&input), &state);
  weft_string_transport_connect (transport, protocol);

  while (input.pos < input.size && !state.lost && n_ops++ < 10000)
    {
      guint8 op = fuzz_take_byte (&input);
      gsize len;
      const guint8 *chunk;

      /* A real transport stops reading once it is aborted. */
      if (weft_string_transport_is_aborted (transport))
        break;
      switch (op % 8)
        {
        case 4:
          ops->pause (protocol);
          break;
        case 5:
          ops->resume (protocol);
          break;
        case 6:
          if (ops->switch_mode != NULL)
            {
              chunk = fuzz_take_bytes (&input, fuzz_take_byte (&input) % 4, &len);
              ops->switch_mode (protocol, chunk, len);
            }
          break;
        case 7:
          if (!weft_string_transport_receive_eof (transport))
            break;
          break;
        default:
          /* Chunks of 1 to 64 bytes, or up to 4 KiB. */
          len = (op & 0x40) ? (gsize) fuzz_take_byte (&input) * 16 + 1 : (gsize) (op >> 3) % 64 + 1;
          chunk = fuzz_take_bytes (&input, len, &len);
          if (len > 0)
            weft_string_transport_receive (transport, chunk, len);
          break;
        }
      if (weft_string_transport_is_write_closed (transport) && weft_string_transport_is_disconnecting (transport))
        break;
    }

  if (!state.lost)
    weft_string_transport_connection_lost (transport, NULL);
  FUZZ_CHECK (state.n_lost == 1);
  FUZZ_CHECK (weft_protocol_get_transport (protocol) == NULL);
  fuzz_state = NULL;
  return 0;
}
