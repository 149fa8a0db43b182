/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib-object.h>

#include "weft-protocol.h"

G_BEGIN_DECLS

/* Shared by the receivers that cut a stream into messages (lines,
 * netstrings, length prefixes).
 *
 * WeftFramingInput: a message handler may make more input arrive before it
 * returns (it writes to an in-memory peer that answers at once), so input
 * that arrives while a chunk is being parsed is queued and parsed after it,
 * in order, never nested.
 *
 * WeftFramingBody: collects a body of known size that may arrive in pieces.
 * A body that lies whole in one read is handed out in place, without a copy. */

/* Parses @len bytes; returns FALSE to stop (bad input, connection closing):
 * the rest, and anything queued, is dropped. */
typedef gboolean (*WeftFramingParseFunc) (GObject *receiver, const guint8 *data, gsize len);

typedef struct {
  gboolean busy;
  GByteArray *pending;
} WeftFramingInput;

void weft_framing_input_feed (WeftFramingInput *input,
                              GObject *receiver,
                              WeftFramingParseFunc parse,
                              const guint8 *data,
                              gsize len);
void weft_framing_input_clear (WeftFramingInput *input);

typedef struct {
  GByteArray *data; /* the part received so far, when it spans reads */
  gsize expected;
} WeftFramingBody;

void weft_framing_body_start (WeftFramingBody *body, gsize expected);
gboolean weft_framing_body_take (WeftFramingBody *body, const guint8 **data, gsize *len, const guint8 **complete);
void weft_framing_body_clear (WeftFramingBody *body);

gboolean weft_framing_reject (WeftProtocol *protocol, gint code, const char *format, ...) G_GNUC_PRINTF (3, 4);
void weft_framing_send (WeftProtocol *protocol, const GOutputVector *vectors, gsize n_vectors);

G_END_DECLS
