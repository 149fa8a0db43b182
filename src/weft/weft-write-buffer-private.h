/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>
#include <sys/uio.h>

#include "weft-protocol.h"

G_BEGIN_DECLS

/* The outgoing side of every stream transport: a queue of chunks waiting to
 * be written, with the high/low watermarks that tell the protocol to pause
 * and resume writing.
 *
 * GBytes given by the caller are queued by reference (never copied); plain
 * buffers are copied, and small copies are coalesced into one growable chunk
 * so a chatty protocol does not produce one iovec per write. A transport
 * exports the head of the queue with weft_write_buffer_fill_iovec(), hands it
 * to writev()/sendmsg()/gnutls, and reports what the kernel took with
 * weft_write_buffer_consume().
 *
 * Watermarks: once the size exceeds @high (strictly), the protocol is told to
 * pause writing; once it has drained to @low or below, it is told to resume.
 * Each is said once per crossing. */

#define WEFT_WRITE_BUFFER_DEFAULT_HIGH WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH
#define WEFT_WRITE_BUFFER_DEFAULT_LOW WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_LOW

typedef struct {
  GQueue chunks;     /* WeftWriteChunk, oldest first */
  gsize head_offset; /* bytes of the first chunk already consumed */
  gsize size;        /* bytes queued and not yet consumed */
  gsize high;
  gsize low;
  gboolean writing_paused; /* the protocol has been told to pause */
} WeftWriteBuffer;

typedef enum {
  WEFT_WRITE_FLOW_UNCHANGED,
  WEFT_WRITE_FLOW_PAUSE,
  WEFT_WRITE_FLOW_RESUME,
} WeftWriteFlow;

void weft_write_buffer_init (WeftWriteBuffer *buffer);
void weft_write_buffer_clear (WeftWriteBuffer *buffer);

void weft_write_buffer_push (WeftWriteBuffer *buffer, const void *data, gsize len);
void weft_write_buffer_push_bytes (WeftWriteBuffer *buffer, GBytes *bytes);
void weft_write_buffer_push_vectors (WeftWriteBuffer *buffer, const GOutputVector *vectors, gsize n_vectors);

guint weft_write_buffer_fill_iovec (const WeftWriteBuffer *buffer, struct iovec *iov, guint max_iov);
void weft_write_buffer_consume (WeftWriteBuffer *buffer, gsize n);
void weft_write_buffer_discard (WeftWriteBuffer *buffer);
GBytes *weft_write_buffer_pop_chunk (WeftWriteBuffer *buffer);

static inline gsize
weft_write_buffer_get_size (const WeftWriteBuffer *buffer)
{
  return buffer->size;
}

static inline gboolean
weft_write_buffer_is_empty (const WeftWriteBuffer *buffer)
{
  return buffer->size == 0;
}

void weft_write_buffer_set_limits (WeftWriteBuffer *buffer, gsize high, gsize low);
void weft_write_buffer_get_limits (const WeftWriteBuffer *buffer, gsize *high, gsize *low);
WeftWriteFlow weft_write_buffer_update_flow (WeftWriteBuffer *buffer);
void weft_write_buffer_notify_protocol (WeftWriteBuffer *buffer, WeftProtocol *protocol);

G_END_DECLS
