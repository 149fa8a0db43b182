/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-soup-private.h"

/* A read-only transport over a response body. At most one read is in
 * flight and none while reading is paused, so a paused consumer holds
 * libsoup (and through it TCP) still. */

#define READ_CHUNK_SIZE (64 * 1024)

struct _WeftSoupBodyTransport {
  GObject parent_instance;

  GInputStream *stream;
  SoupMessage *message;
  guint64 max_body_size;
  guint64 received;

  GCancellable *cancellable;       /* ours: lose_connection cancels it */
  GCancellable *outer_cancellable; /* the request's */
  gulong outer_handler;

  WeftProtocol *protocol;
  WeftSoupBodyDoneFunc done;
  gpointer done_data;

  GError *close_reason;
  GSource *close_source;
  gboolean reading;
  gboolean paused;
  gboolean closing;
  gboolean finished;
};

static void weft_soup_body_transport_iface_init (WeftTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WeftSoupBodyTransport,
                               weft_soup_body_transport,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WEFT_TYPE_TRANSPORT, weft_soup_body_transport_iface_init))

static void
finish (WeftSoupBodyTransport *self, GError *error)
{
  g_autoptr (GError) reason = error;
  g_autoptr (WeftSoupBodyTransport) keep = g_object_ref (self);
  g_autoptr (WeftProtocol) protocol = NULL;

  if (self->finished)
    return;
  self->finished = TRUE;
  if (self->close_source != NULL)
    {
      g_source_destroy (self->close_source);
      g_clear_pointer (&self->close_source, g_source_unref);
    }
  if (reason == NULL)
    reason = g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, _ ("The response body is complete"));

  protocol = g_steal_pointer (&self->protocol);
  g_input_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  weft_protocol_connection_lost (protocol, reason);
  if (self->done != NULL)
    self->done (self, g_error_matches (reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE) ? NULL : reason,
                self->done_data);
}

static void read_more (WeftSoupBodyTransport *self);

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (WeftSoupBodyTransport) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  gsize len;

  self->reading = FALSE;
  if (self->finished)
    return;
  if (bytes == NULL)
    {
      /* Our own cancel: lose_connection; the request's: the deferred was
       * cancelled or timed out. */
      if (self->close_reason != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish (self, g_steal_pointer (&self->close_reason));
      else
        finish (self, g_steal_pointer (&error));
      return;
    }
  len = g_bytes_get_size (bytes);
  if (len == 0 || self->closing)
    {
      finish (self, g_steal_pointer (&self->close_reason));
      return;
    }
  self->received += len;
  if (self->received > self->max_body_size)
    {
      g_autofree char *uri = g_uri_to_string_partial (soup_message_get_uri (self->message), G_URI_HIDE_PASSWORD);

      finish (self, g_error_new (WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_TOO_LARGE,
                                 _ ("The response body of %s is larger than the limit of %llu bytes"), uri,
                                 (unsigned long long) self->max_body_size));
      return;
    }
  weft_protocol_data_received (self->protocol, g_bytes_get_data (bytes, NULL), len);
  read_more (self);
}

static void
read_more (WeftSoupBodyTransport *self)
{
  if (self->reading || self->paused || self->closing || self->finished)
    return;
  self->reading = TRUE;
  g_input_stream_read_bytes_async (self->stream, READ_CHUNK_SIZE, G_PRIORITY_DEFAULT, self->cancellable, read_cb,
                                   g_object_ref (self));
}

static void
outer_cancelled_cb (GCancellable *outer, gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

WeftSoupBodyTransport *
weft_soup_body_transport_new (GInputStream *stream,
                              SoupMessage *message,
                              guint64 max_body_size,
                              GCancellable *cancellable)
{
  WeftSoupBodyTransport *self = g_object_new (WEFT_SOUP_TYPE_BODY_TRANSPORT, NULL);

  self->stream = g_object_ref (stream);
  self->message = g_object_ref (message);
  self->max_body_size = max_body_size;
  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      self->outer_cancellable = g_object_ref (cancellable);
      self->outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                                   g_object_ref (self->cancellable), g_object_unref);
    }
  return self;
}

void
weft_soup_body_transport_start (WeftSoupBodyTransport *self,
                                WeftProtocol *protocol,
                                WeftSoupBodyDoneFunc done,
                                gpointer user_data)
{
  self->protocol = g_object_ref (protocol);
  self->done = done;
  self->done_data = user_data;
  weft_protocol_connection_made (protocol, WEFT_TRANSPORT (self));
  read_more (self);
}

static void
weft_soup_body_transport_dispose (GObject *object)
{
  WeftSoupBodyTransport *self = WEFT_SOUP_BODY_TRANSPORT (object);

  if (self->outer_cancellable != NULL)
    {
      g_cancellable_disconnect (self->outer_cancellable, self->outer_handler);
      g_clear_object (&self->outer_cancellable);
    }
  if (self->close_source != NULL)
    {
      g_source_destroy (self->close_source);
      g_clear_pointer (&self->close_source, g_source_unref);
    }
  G_OBJECT_CLASS (weft_soup_body_transport_parent_class)->dispose (object);
}

static void
weft_soup_body_transport_finalize (GObject *object)
{
  WeftSoupBodyTransport *self = WEFT_SOUP_BODY_TRANSPORT (object);

  g_clear_object (&self->stream);
  g_clear_object (&self->message);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->protocol);
  g_clear_error (&self->close_reason);
  G_OBJECT_CLASS (weft_soup_body_transport_parent_class)->finalize (object);
}

static void
weft_soup_body_transport_class_init (WeftSoupBodyTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = weft_soup_body_transport_dispose;
  G_OBJECT_CLASS (klass)->finalize = weft_soup_body_transport_finalize;
}

static void
weft_soup_body_transport_init (WeftSoupBodyTransport *self)
{
}

/* The response body is read-only: writes are dropped. */
static void
body_write_bytes (WeftTransport *transport, GBytes *bytes)
{
}

static gboolean
close_later_cb (gpointer user_data)
{
  WeftSoupBodyTransport *self = user_data;

  g_clear_pointer (&self->close_source, g_source_unref);
  finish (self, g_steal_pointer (&self->close_reason));
  return G_SOURCE_REMOVE;
}

static void
body_close (WeftTransport *transport, const GError *reason, gboolean abort)
{
  WeftSoupBodyTransport *self = WEFT_SOUP_BODY_TRANSPORT (transport);

  if (self->closing || self->finished)
    return;
  self->closing = TRUE;
  if (reason != NULL)
    self->close_reason = g_error_copy (reason);
  else if (abort)
    self->close_reason =
        g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED, _ ("The download was aborted"));
  else
    self->close_reason = g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, _ ("The download was stopped"));

  if (self->reading)
    g_cancellable_cancel (self->cancellable);
  else
    {
      /* connection_lost never comes from inside the transport's own
       * methods: from the main context instead. */
      self->close_source = g_idle_source_new ();
      g_source_set_callback (self->close_source, close_later_cb, g_object_ref (self), g_object_unref);
      g_source_attach (self->close_source, g_main_context_get_thread_default ());
    }
}

static void
body_lose_connection (WeftTransport *transport, const GError *reason)
{
  body_close (transport, reason, FALSE);
}

static void
body_abort_connection (WeftTransport *transport, const GError *reason)
{
  body_close (transport, reason, TRUE);
}

static void
body_lose_write_connection (WeftTransport *transport)
{
}

static void
body_pause_reading (WeftTransport *transport)
{
  WEFT_SOUP_BODY_TRANSPORT (transport)->paused = TRUE;
}

static void
body_resume_reading (WeftTransport *transport)
{
  WeftSoupBodyTransport *self = WEFT_SOUP_BODY_TRANSPORT (transport);

  self->paused = FALSE;
  read_more (self);
}

static void
body_set_write_buffer_limits (WeftTransport *transport, gsize high, gsize low)
{
}

static void
body_get_write_buffer_limits (WeftTransport *transport, gsize *high, gsize *low)
{
  if (high != NULL)
    *high = WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH;
  if (low != NULL)
    *low = WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_LOW;
}

static gsize
body_get_write_buffer_size (WeftTransport *transport)
{
  return 0;
}

static GSocketAddress *
body_get_peer_address (WeftTransport *transport)
{
  WeftSoupBodyTransport *self = WEFT_SOUP_BODY_TRANSPORT (transport);
  GSocketAddress *address = soup_message_get_remote_address (self->message);

  return address != NULL ? g_object_ref (address) : NULL;
}

static GSocketAddress *
body_get_local_address (WeftTransport *transport)
{
  return NULL;
}

static WeftProtocol *
body_get_protocol (WeftTransport *transport)
{
  return WEFT_SOUP_BODY_TRANSPORT (transport)->protocol;
}

static gboolean
body_is_closing (WeftTransport *transport)
{
  WeftSoupBodyTransport *self = WEFT_SOUP_BODY_TRANSPORT (transport);

  return self->closing || self->finished;
}

static void
weft_soup_body_transport_iface_init (WeftTransportInterface *iface)
{
  iface->write_bytes = body_write_bytes;
  iface->lose_connection = body_lose_connection;
  iface->lose_write_connection = body_lose_write_connection;
  iface->abort_connection = body_abort_connection;
  iface->pause_reading = body_pause_reading;
  iface->resume_reading = body_resume_reading;
  iface->set_write_buffer_limits = body_set_write_buffer_limits;
  iface->get_write_buffer_limits = body_get_write_buffer_limits;
  iface->get_write_buffer_size = body_get_write_buffer_size;
  iface->get_peer_address = body_get_peer_address;
  iface->get_local_address = body_get_local_address;
  iface->get_protocol = body_get_protocol;
  iface->is_closing = body_is_closing;
}
