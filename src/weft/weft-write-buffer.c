/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <string.h>

#include "weft-write-buffer-private.h"

/* Copies shorter than this are appended to a shared growable chunk; longer
 * ones get a chunk of their own (one copy either way). */
#define COALESCE_MAX_WRITE 2048
#define COALESCE_MAX_CHUNK (16 * 1024)

typedef struct {
  GBytes *bytes;     /* a caller's bytes, by reference, or */
  GByteArray *array; /* copies, which later small writes may extend */
} WeftWriteChunk;

static void
chunk_free (WeftWriteChunk *chunk)
{
  g_clear_pointer (&chunk->bytes, g_bytes_unref);
  g_clear_pointer (&chunk->array, g_byte_array_unref);
  g_free (chunk);
}

static const guint8 *
chunk_data (const WeftWriteChunk *chunk, gsize *len)
{
  if (chunk->bytes != NULL)
    return g_bytes_get_data (chunk->bytes, len);
  *len = chunk->array->len;
  return chunk->array->data;
}

void
weft_write_buffer_init (WeftWriteBuffer *buffer)
{
  memset (buffer, 0, sizeof *buffer);
  g_queue_init (&buffer->chunks);
  buffer->high = WEFT_WRITE_BUFFER_DEFAULT_HIGH;
  buffer->low = WEFT_WRITE_BUFFER_DEFAULT_LOW;
}

/* Frees every queued chunk; the limits and the paused state are kept. */
void
weft_write_buffer_discard (WeftWriteBuffer *buffer)
{
  g_queue_clear_full (&buffer->chunks, (GDestroyNotify) chunk_free);
  buffer->head_offset = 0;
  buffer->size = 0;
}

void
weft_write_buffer_clear (WeftWriteBuffer *buffer)
{
  weft_write_buffer_discard (buffer);
  buffer->writing_paused = FALSE;
}

static GByteArray *
tail_array_with_room (WeftWriteBuffer *buffer, gsize len)
{
  WeftWriteChunk *tail = g_queue_peek_tail (&buffer->chunks);

  if (len >= COALESCE_MAX_WRITE)
    return NULL;
  if (tail != NULL && tail->array != NULL && tail->array->len + len <= COALESCE_MAX_CHUNK)
    return tail->array;

  tail = g_new0 (WeftWriteChunk, 1);
  tail->array = g_byte_array_sized_new (COALESCE_MAX_WRITE);
  g_queue_push_tail (&buffer->chunks, tail);
  return tail->array;
}

/* Queues a copy of @data. */
void
weft_write_buffer_push (WeftWriteBuffer *buffer, const void *data, gsize len)
{
  GByteArray *array;

  if (len == 0)
    return;
  array = tail_array_with_room (buffer, len);
  if (array != NULL)
    g_byte_array_append (array, data, len);
  else
    {
      WeftWriteChunk *chunk = g_new0 (WeftWriteChunk, 1);

      chunk->bytes = g_bytes_new (data, len);
      g_queue_push_tail (&buffer->chunks, chunk);
    }
  buffer->size += len;
}

/* Queues @bytes by reference: no copy. */
void
weft_write_buffer_push_bytes (WeftWriteBuffer *buffer, GBytes *bytes)
{
  WeftWriteChunk *chunk;
  gsize len = g_bytes_get_size (bytes);

  if (len == 0)
    return;
  chunk = g_new0 (WeftWriteChunk, 1);
  chunk->bytes = g_bytes_ref (bytes);
  g_queue_push_tail (&buffer->chunks, chunk);
  buffer->size += len;
}

void
weft_write_buffer_push_vectors (WeftWriteBuffer *buffer, const GOutputVector *vectors, gsize n_vectors)
{
  for (gsize i = 0; i < n_vectors; i++)
    weft_write_buffer_push (buffer, vectors[i].buffer, vectors[i].size);
}

/* Describes up to @max_iov chunks from the head of the queue, the first one
 * past what was already consumed. The pointers stay valid until the next
 * push, consume or discard. Returns how many entries were filled. */
guint
weft_write_buffer_fill_iovec (const WeftWriteBuffer *buffer, struct iovec *iov, guint max_iov)
{
  guint n = 0;

  for (GList *l = buffer->chunks.head; l != NULL && n < max_iov; l = l->next, n++)
    {
      gsize len;
      const guint8 *data = chunk_data (l->data, &len);
      gsize skip = l == buffer->chunks.head ? buffer->head_offset : 0;

      iov[n].iov_base = (void *) (data + skip);
      iov[n].iov_len = len - skip;
    }
  return n;
}

/* Drops @n bytes from the head: what the kernel (or the peer) accepted. */
void
weft_write_buffer_consume (WeftWriteBuffer *buffer, gsize n)
{
  g_return_if_fail (n <= buffer->size);

  buffer->size -= n;
  while (n > 0)
    {
      WeftWriteChunk *head = g_queue_peek_head (&buffer->chunks);
      gsize len, left;

      chunk_data (head, &len);
      left = len - buffer->head_offset;
      if (n < left)
        {
          buffer->head_offset += n;
          return;
        }
      n -= left;
      buffer->head_offset = 0;
      chunk_free (g_queue_pop_head (&buffer->chunks));
    }
}

/* Removes the unconsumed part of the head chunk and returns it, without a
 * copy when possible; %NULL when the buffer is empty. */
GBytes *
weft_write_buffer_pop_chunk (WeftWriteBuffer *buffer)
{
  WeftWriteChunk *head = g_queue_pop_head (&buffer->chunks);
  GBytes *result;
  gsize len;

  if (head == NULL)
    return NULL;
  chunk_data (head, &len);
  if (head->bytes != NULL)
    result = g_bytes_new_from_bytes (head->bytes, buffer->head_offset, len - buffer->head_offset);
  else if (buffer->head_offset == 0)
    result = g_byte_array_free_to_bytes (g_steal_pointer (&head->array));
  else
    result = g_bytes_new (head->array->data + buffer->head_offset, len - buffer->head_offset);
  buffer->size -= len - buffer->head_offset;
  buffer->head_offset = 0;
  chunk_free (head);
  return result;
}

/* Sets the watermarks; @low must not exceed @high. The new limits apply at
 * the next weft_write_buffer_update_flow(). */
void
weft_write_buffer_set_limits (WeftWriteBuffer *buffer, gsize high, gsize low)
{
  g_return_if_fail (low <= high);

  buffer->high = high;
  buffer->low = low;
}

void
weft_write_buffer_get_limits (const WeftWriteBuffer *buffer, gsize *high, gsize *low)
{
  if (high != NULL)
    *high = buffer->high;
  if (low != NULL)
    *low = buffer->low;
}

/* Compares the size with the watermarks and records the new state: PAUSE
 * when the size went above high while writing was on, RESUME when it fell to
 * low or below while writing was paused. */
WeftWriteFlow
weft_write_buffer_update_flow (WeftWriteBuffer *buffer)
{
  if (!buffer->writing_paused && buffer->size > buffer->high)
    {
      buffer->writing_paused = TRUE;
      return WEFT_WRITE_FLOW_PAUSE;
    }
  if (buffer->writing_paused && buffer->size <= buffer->low)
    {
      buffer->writing_paused = FALSE;
      return WEFT_WRITE_FLOW_RESUME;
    }
  return WEFT_WRITE_FLOW_UNCHANGED;
}

/* The one place where transports turn a watermark crossing into a call on
 * their protocol. Call it after every change of size or limits. */
void
weft_write_buffer_notify_protocol (WeftWriteBuffer *buffer, WeftProtocol *protocol)
{
  switch (weft_write_buffer_update_flow (buffer))
    {
    case WEFT_WRITE_FLOW_PAUSE:
      if (protocol != NULL)
        weft_protocol_pause_writing (protocol);
      break;
    case WEFT_WRITE_FLOW_RESUME:
      if (protocol != NULL)
        weft_protocol_resume_writing (protocol);
      break;
    case WEFT_WRITE_FLOW_UNCHANGED:
    default:
      break;
    }
}
