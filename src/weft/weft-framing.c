/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "weft-framing-private.h"

/* A body buffer bigger than this is freed after use rather than kept. */
#define KEEP_BODY_BUFFER (64 * 1024)

void
weft_framing_input_feed (WeftFramingInput *input,
                         GObject *receiver,
                         WeftFramingParseFunc parse,
                         const guint8 *data,
                         gsize len)
{
  if (input->busy)
    {
      if (input->pending == NULL)
        input->pending = g_byte_array_new ();
      g_byte_array_append (input->pending, data, len);
      return;
    }

  g_object_ref (receiver);
  input->busy = TRUE;
  if (parse (receiver, data, len))
    while (input->pending != NULL)
      {
        g_autoptr (GByteArray) chunk = g_steal_pointer (&input->pending);

        if (!parse (receiver, chunk->data, chunk->len))
          break;
      }
  g_clear_pointer (&input->pending, g_byte_array_unref);
  input->busy = FALSE;
  g_object_unref (receiver);
}

void
weft_framing_input_clear (WeftFramingInput *input)
{
  g_clear_pointer (&input->pending, g_byte_array_unref);
}

/* Expects a body of @expected bytes next. */
void
weft_framing_body_start (WeftFramingBody *body, gsize expected)
{
  body->expected = expected;
  if (body->data == NULL)
    return;
  if (body->data->len > KEEP_BODY_BUFFER)
    g_clear_pointer (&body->data, g_byte_array_unref);
  else
    g_byte_array_set_size (body->data, 0);
}

/* Takes what belongs to the body from the input at *@data / *@len and
 * advances past it. When the body is complete, returns TRUE and points
 * *@complete at its @expected bytes: in the input itself when the body lay
 * whole in it, else in the collected copy. Valid until the next start. */
gboolean
weft_framing_body_take (WeftFramingBody *body, const guint8 **data, gsize *len, const guint8 **complete)
{
  gsize have = body->data != NULL ? body->data->len : 0;
  gsize n = MIN (body->expected - have, *len);

  if (have == 0 && n == body->expected)
    {
      *complete = *data;
      *data += n;
      *len -= n;
      return TRUE;
    }

  /* Grow with what arrives, not with what the peer announced. */
  if (body->data == NULL)
    body->data = g_byte_array_sized_new (MIN (body->expected, KEEP_BODY_BUFFER));
  g_byte_array_append (body->data, *data, n);
  *data += n;
  *len -= n;
  if (body->data->len < body->expected)
    return FALSE;
  *complete = body->data->data;
  return TRUE;
}

void
weft_framing_body_clear (WeftFramingBody *body)
{
  g_clear_pointer (&body->data, g_byte_array_unref);
  body->expected = 0;
}

/* Closes the connection after bad input, with a %G_IO_ERROR @code error that
 * the protocol's connection_lost will receive. What was written before is
 * still sent. Returns FALSE, for a parse function to return. */
gboolean
weft_framing_reject (WeftProtocol *protocol, gint code, const char *format, ...)
{
  WeftTransport *transport = weft_protocol_get_transport (protocol);
  g_autoptr (GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (G_IO_ERROR, code, format, args);
  va_end (args);

  g_debug ("%s", error->message);
  if (transport != NULL)
    weft_transport_lose_connection_with_error (transport, error);
  return FALSE;
}

/* Writes one message; when not connected (before connection_made, after
 * connection_lost) there is nobody to send it to, and it is dropped. */
void
weft_framing_send (WeftProtocol *protocol, const GOutputVector *vectors, gsize n_vectors)
{
  WeftTransport *transport = weft_protocol_get_transport (protocol);

  if (transport == NULL)
    {
      g_debug ("%s: not connected, message dropped", G_OBJECT_TYPE_NAME (protocol));
      return;
    }
  weft_transport_writev (transport, vectors, n_vectors);
}
