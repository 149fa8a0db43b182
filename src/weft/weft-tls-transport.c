/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The TLS transport: GnuTLS over another transport, in memory. */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "weft-error.h"
#include "weft-tls-transport-private.h"

/**
 * WeftTlsTransport:
 *
 * TLS (with GnuTLS) as a layer between any [iface@Weft.Transport] and a
 * protocol, in the manner of Twisted's `TLSMemoryBIOProtocol`. It is a
 * [class@Weft.Protocol] for the transport below, receiving ciphertext, and
 * a [iface@Weft.Transport] for the protocol above, which reads and writes
 * plaintext. GnuTLS reads and writes memory buffers only, never a socket,
 * so TLS runs over TCP, Unix sockets, pipes, the in-memory loopback, or
 * another TLS session.
 *
 * There are two ways in:
 *
 * - weft_tls_transport_new() wraps a protocol that is not connected yet;
 *   the result is the protocol to give to the transport below (a
 *   [class@Weft.TlsFactory] does this for every connection of a port).
 * - weft_tls_start() inserts TLS into a live connection (STARTTLS): from
 *   then on the transport's data goes through TLS, and the protocol that
 *   asked for the upgrade keeps reading and writing, now in plaintext over
 *   TLS.
 *
 * The wrapped protocol's life:
 *
 * - connection_made is called as soon as the transport below is connected,
 *   before the handshake. What it writes is kept, in order, and encrypted
 *   once the handshake has succeeded (and dropped if it fails). Use
 *   weft_tls_transport_get_handshake_deferred() (or
 *   #WeftTlsTransport:handshake-done) to act on the handshake itself.
 * - data_received gets the decrypted application data.
 * - eof_received is called when the peer sends a TLS close notification
 *   (it will send nothing more); the default return value then closes the
 *   connection.
 * - connection_lost follows the close of the transport below. Its reason
 *   is %WEFT_ERROR_CONNECTION_DONE after a clean close (this side called
 *   weft_transport_lose_connection(), or the peer sent a close
 *   notification), a %WEFT_TLS_ERROR after a failed handshake or
 *   verification (the message says why, e.g. "The certificate of
 *   “localhost” has expired"), %WEFT_TLS_ERROR_EOF when the connection
 *   ended without a close notification (the data may be truncated), or
 *   the reason the transport below gave.
 *
 * weft_transport_lose_connection() sends the TLS close notification, then
 * closes the transport below (it does not wait for the peer's). If the
 * handshake is still running and nothing is waiting to be sent, the
 * transport below is closed at once. weft_transport_lose_write_connection()
 * sends the close notification and half-closes the transport below.
 *
 * Flow control: pause_writing and resume_writing from the transport below
 * reach the wrapped protocol, which is also paused while more than the
 * high watermark is waiting for the handshake. Pausing reading pauses the
 * transport below; data already decrypted waits until reading resumes.
 * The write-buffer limits are those of the transport below.
 *
 * Renegotiation (TLS 1.2) is refused: a request from the peer is answered
 * with a "no renegotiation" warning and the session goes on. TLS 1.3 key
 * updates are handled by GnuTLS.
 *
 * Addresses are those of the transport below.
 */

static void weft_tls_transport_iface_init (WeftTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WeftTlsTransport,
                               weft_tls_transport,
                               WEFT_TYPE_PROTOCOL,
                               G_IMPLEMENT_INTERFACE (WEFT_TYPE_TRANSPORT, weft_tls_transport_iface_init))

enum {
  PROP_0,
  PROP_HANDSHAKE_DONE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void process_incoming (WeftTlsTransport *self);
static void send_close_notify (WeftTlsTransport *self);

/**
 * weft_tls_error_quark:
 *
 * Returns: the quark of the %WEFT_TLS_ERROR domain
 */
GQuark
weft_tls_error_quark (void)
{
  return g_quark_from_static_string ("weft-tls-error-quark");
}

WeftTransport *
weft_tls_lower_transport (WeftTlsTransport *self)
{
  return weft_protocol_get_transport (WEFT_PROTOCOL (self));
}

/* ------------------------------------------------------------------ */
/* GnuTLS' side: memory instead of a socket                            */

/* Never blocks, and never calls out: writing to the transport below could
 * pause the wrapped protocol, whose handler could write, and GnuTLS must not
 * be entered again from inside one of its calls. flush_outgoing() passes
 * the ciphertext on once GnuTLS has returned. */
static ssize_t
push_cb (gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
  WeftTlsTransport *self = ptr;

  g_byte_array_append (self->outgoing, data, len);
  return len;
}

static void
flush_outgoing (WeftTlsTransport *self)
{
  WeftTransport *lower = weft_tls_lower_transport (self);
  g_autoptr (GBytes) bytes = NULL;

  if (self->outgoing->len == 0)
    return;
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&self->outgoing));
  self->outgoing = g_byte_array_new ();
  if (lower != NULL && !self->lost)
    weft_transport_write_bytes (lower, bytes);
}

static gsize
incoming_available (WeftTlsTransport *self)
{
  return self->incoming->len - self->incoming_offset;
}

static ssize_t
pull_cb (gnutls_transport_ptr_t ptr, void *data, size_t len)
{
  WeftTlsTransport *self = ptr;
  gsize n = MIN (len, incoming_available (self));

  if (n == 0)
    {
      if (self->lower_eof)
        return 0;
      gnutls_transport_set_errno (self->session, EAGAIN);
      return -1;
    }
  memcpy (data, self->incoming->data + self->incoming_offset, n);
  self->incoming_offset += n;
  if (self->incoming_offset == self->incoming->len)
    {
      g_byte_array_set_size (self->incoming, 0);
      self->incoming_offset = 0;
    }
  return n;
}

/* GnuTLS falls back to poll() on the transport pointer as a file descriptor
 * without this: it must never wait, only tell whether data is there. */
static int
pull_timeout_cb (gnutls_transport_ptr_t ptr, unsigned int ms)
{
  WeftTlsTransport *self = ptr;

  return incoming_available (self) > 0 || self->lower_eof ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Errors                                                                */

static GError *
alert_error (WeftTlsTransport *self)
{
  gnutls_alert_description_t alert = gnutls_alert_get (self->session);
  const char *name = gnutls_alert_get_name (alert);

  if (name == NULL)
    name = "?";
  switch (alert)
    {
    case GNUTLS_A_CERTIFICATE_REQUIRED:
      return g_error_new (WEFT_TLS_ERROR, WEFT_TLS_ERROR_CERTIFICATE_REQUIRED,
                          _ ("The server requires a client certificate (TLS alert: %s)."), name);
    case GNUTLS_A_BAD_CERTIFICATE:
    case GNUTLS_A_UNSUPPORTED_CERTIFICATE:
    case GNUTLS_A_CERTIFICATE_REVOKED:
    case GNUTLS_A_CERTIFICATE_EXPIRED:
    case GNUTLS_A_CERTIFICATE_UNKNOWN:
    case GNUTLS_A_UNKNOWN_CA:
      return g_error_new (WEFT_TLS_ERROR, WEFT_TLS_ERROR_PEER_ALERT,
                          _ ("The peer rejected this side’s certificate (TLS alert: %s)."), name);
    case GNUTLS_A_HANDSHAKE_FAILURE:
    case GNUTLS_A_PROTOCOL_VERSION:
    case GNUTLS_A_INSUFFICIENT_SECURITY:
    case GNUTLS_A_NO_APPLICATION_PROTOCOL:
      return g_error_new (WEFT_TLS_ERROR, WEFT_TLS_ERROR_PEER_ALERT,
                          _ ("The peer refused the TLS handshake (TLS alert: %s)."), name);
    default:
      return g_error_new (WEFT_TLS_ERROR, WEFT_TLS_ERROR_PEER_ALERT,
                          _ ("The peer ended the TLS session with an error (TLS alert: %s)."), name);
    }
}

/* Whether the peer's first byte cannot start a TLS record (content types
 * 20 to 24). */
static gboolean
peer_is_not_tls (WeftTlsTransport *self)
{
  return self->preview_len > 0 && (self->preview[0] < 20 || self->preview[0] > 24);
}

static GError *
not_tls_error (WeftTlsTransport *self)
{
  g_autofree char *raw = g_strndup ((const char *) self->preview, self->preview_len);
  g_autofree char *quoted = g_strescape (raw, NULL);

  return g_error_new (WEFT_TLS_ERROR, WEFT_TLS_ERROR_NOT_TLS, _ ("The peer does not speak TLS: it sent “%s%s”."),
                      quoted, self->preview_len == PREVIEW_SIZE ? "…" : "");
}

static GError *
truncated_error (void)
{
  return g_error_new_literal (WEFT_TLS_ERROR, WEFT_TLS_ERROR_EOF,
                              _ ("The connection was closed without a TLS close notification: the data received "
                                 "last may be incomplete."));
}

static GError *
handshake_eof_error (void)
{
  return g_error_new_literal (WEFT_TLS_ERROR, WEFT_TLS_ERROR_EOF,
                              _ ("The connection was closed during the TLS handshake."));
}

static GError *
handshake_error (WeftTlsTransport *self, int ret)
{
  switch (ret)
    {
    case GNUTLS_E_FATAL_ALERT_RECEIVED:
      return alert_error (self);
    case GNUTLS_E_PREMATURE_TERMINATION:
    case GNUTLS_E_PULL_ERROR:
      return handshake_eof_error ();
    case GNUTLS_E_CERTIFICATE_REQUIRED:
    case GNUTLS_E_NO_CERTIFICATE_FOUND:
      if (self->config->server)
        return g_error_new_literal (WEFT_TLS_ERROR, WEFT_TLS_ERROR_CERTIFICATE_REQUIRED,
                                    _ ("The client presented no certificate, and this server requires one."));
      break;
    default:
      break;
    }
  if (peer_is_not_tls (self))
    return not_tls_error (self);
  return g_error_new (WEFT_TLS_ERROR, WEFT_TLS_ERROR_HANDSHAKE, _ ("The TLS handshake failed: %s"),
                      gnutls_strerror (ret));
}

/* Ends the session after a TLS error: takes @error as the reason the
 * wrapped protocol will receive, and closes the transport below once any
 * alert GnuTLS queued has been sent. */
static void
fail (WeftTlsTransport *self, GError *error)
{
  WeftTransport *lower = weft_tls_lower_transport (self);

  if (self->failed || self->lost)
    {
      g_error_free (error);
      return;
    }
  g_debug ("TLS: %s", error->message);
  self->failed = TRUE;
  g_clear_error (&self->reason);
  self->reason = error;
  weft_write_buffer_discard (&self->pending);
  /* An alert GnuTLS queued goes out before the close. */
  flush_outgoing (self);
  if (lower != NULL)
    weft_transport_lose_connection (lower);
}

/* ------------------------------------------------------------------ */
/* Plaintext out                                                        */

/* Pauses the wrapped protocol while either the transport below or the
 * plaintext waiting for the handshake is over its high watermark. */
static void
update_upper_flow (WeftTlsTransport *self)
{
  weft_write_buffer_update_flow (&self->pending);
  if (!self->upper_made || self->upper_lost)
    return;
  if (self->lower_writing_paused || self->pending.writing_paused)
    weft_protocol_pause_writing (self->upper);
  else
    weft_protocol_resume_writing (self->upper);
}

static void
encrypt (WeftTlsTransport *self, const guint8 *data, gsize len)
{
  gsize done = 0;

  while (done < len && !self->failed && !self->lost)
    {
      ssize_t n = gnutls_record_send (self->session, data + done, MIN (len - done, RECORD_SIZE));

      if (n > 0)
        done += n;
      else if (n != GNUTLS_E_INTERRUPTED)
        {
          /* GNUTLS_E_AGAIN cannot happen: pushing never blocks. */
          fail (self, g_error_new (WEFT_TLS_ERROR, WEFT_TLS_ERROR_FAILED, _ ("Cannot encrypt data: %s"),
                                   gnutls_strerror ((int) n)));
          return;
        }
    }
  if (!self->session_corked)
    flush_outgoing (self);
}

static void
flush_pending (WeftTlsTransport *self)
{
  while (!weft_write_buffer_is_empty (&self->pending) && !self->failed && !self->lost)
    {
      g_autoptr (GBytes) chunk = weft_write_buffer_pop_chunk (&self->pending);
      gsize len;
      const guint8 *data = g_bytes_get_data (chunk, &len);

      encrypt (self, data, len);
    }
  update_upper_flow (self);
}

static gboolean
accepts_writes (WeftTlsTransport *self)
{
  return !self->write_shutdown && !self->bye_sent && !self->aborted && !self->failed && !self->lost;
}

static void
weft_tls_transport_write (WeftTransport *transport, const guint8 *data, gsize len)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);

  if (!accepts_writes (self))
    return;
  if (self->handshake_done)
    encrypt (self, data, len);
  else
    {
      weft_write_buffer_push (&self->pending, data, len);
      update_upper_flow (self);
    }
}

static void
weft_tls_transport_write_bytes (WeftTransport *transport, GBytes *bytes)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);

  if (!accepts_writes (self))
    return;
  if (self->handshake_done)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      encrypt (self, data, len);
    }
  else
    {
      weft_write_buffer_push_bytes (&self->pending, bytes);
      update_upper_flow (self);
    }
}

static void
weft_tls_transport_writev (WeftTransport *transport, const GOutputVector *vectors, gsize n_vectors)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);

  if (!accepts_writes (self))
    return;
  if (self->handshake_done)
    {
      /* Corked, so that small buffers share records. */
      gnutls_record_cork (self->session);
      self->session_corked = TRUE;
      for (gsize i = 0; i < n_vectors; i++)
        encrypt (self, vectors[i].buffer, vectors[i].size);
      self->session_corked = FALSE;
      if (!self->failed && !self->lost)
        while (gnutls_record_uncork (self->session, 0) == GNUTLS_E_INTERRUPTED)
          ;
      flush_outgoing (self);
    }
  else
    {
      weft_write_buffer_push_vectors (&self->pending, vectors, n_vectors);
      update_upper_flow (self);
    }
}

/* ------------------------------------------------------------------ */
/* Handshake                                                            */

static void
fire_handshake_waiters (WeftTlsTransport *self, const GError *error)
{
  g_autoptr (GPtrArray) waiters = g_steal_pointer (&self->handshake_waiters);

  self->handshake_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      WeftDeferred *deferred = g_ptr_array_index (waiters, i);

      if (error == NULL)
        weft_deferred_callback_none (deferred);
      else
        weft_deferred_errback_take_error (deferred, g_error_copy (error));
    }
}

static void
record_session_details (WeftTlsTransport *self)
{
  gnutls_datum_t alpn = { NULL, 0 };

  if (gnutls_alpn_get_selected_protocol (self->session, &alpn) >= 0 && alpn.size > 0)
    self->negotiated_protocol = g_strndup ((const char *) alpn.data, alpn.size);
  if (self->config->server)
    {
      char name[256];
      size_t size = sizeof name;
      unsigned int type = 0;

      if (gnutls_server_name_get (self->session, name, &size, &type, 0) >= 0 && type == GNUTLS_NAME_DNS)
        self->requested_server_name = g_strndup (name, size);
    }
}

static void
handshake_timed_out (gpointer user_data)
{
  WeftTlsTransport *self = user_data;
  WeftTransport *lower = weft_tls_lower_transport (self);
  char seconds[G_ASCII_DTOSTR_BUF_SIZE];

  self->handshake_timer = NULL;
  g_ascii_formatd (seconds, sizeof seconds, "%.6g", self->config->handshake_timeout_us / (double) G_USEC_PER_SEC);
  fail (self,
        g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _ ("The TLS handshake did not finish within %s s."), seconds));
  /* A peer that stalls the handshake may not read either: do not wait
   * for it to take the alert. */
  if (lower != NULL)
    weft_transport_abort_connection (lower);
}

static void
cancel_handshake_timer (WeftTlsTransport *self)
{
  if (self->handshake_timer != NULL)
    weft_delayed_call_cancel (g_steal_pointer (&self->handshake_timer));
}

static void
handshake_finished (WeftTlsTransport *self)
{
  cancel_handshake_timer (self);
  self->handshake_done = TRUE;
  record_session_details (self);
  g_clear_error (&self->verify_error);

  flush_pending (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HANDSHAKE_DONE]);
  fire_handshake_waiters (self, NULL);

  if (self->failed || self->lost || self->aborted)
    return;
  if (self->closing || self->write_shutdown)
    send_close_notify (self);
}

static void
handshake_failed (WeftTlsTransport *self, int ret)
{
  GError *error;

  if (self->verify_error != NULL)
    {
      error = g_steal_pointer (&self->verify_error);
      gnutls_alert_send (self->session, GNUTLS_AL_FATAL, weft_tls_alert_for_verify_error (error));
    }
  else
    {
      error = handshake_error (self, ret);
      if (ret != GNUTLS_E_FATAL_ALERT_RECEIVED && ret != GNUTLS_E_PREMATURE_TERMINATION)
        gnutls_alert_send_appropriate (self->session, ret);
    }
  fail (self, error); /* flushes the alert */
}

static void
continue_handshake (WeftTlsTransport *self)
{
  int ret;

  do
    ret = gnutls_handshake (self->session);
  while (ret < 0 && ret != GNUTLS_E_AGAIN && !gnutls_error_is_fatal (ret));
  flush_outgoing (self);

  if (ret == 0)
    handshake_finished (self);
  else if (ret != GNUTLS_E_AGAIN)
    handshake_failed (self, ret);
}

/* ------------------------------------------------------------------ */
/* Ciphertext in                                                        */

static void
peer_closed (WeftTlsTransport *self)
{
  self->peer_closed = TRUE;
  if (self->closing || self->upper_lost)
    return;
  if (!weft_protocol_eof_received (self->upper))
    weft_transport_lose_connection (WEFT_TRANSPORT (self));
}

static gboolean
may_deliver (WeftTlsTransport *self)
{
  return !self->failed && !self->lost && !self->aborted && !self->closing && !self->reading_paused &&
         !self->peer_closed && !self->upper_lost;
}

static void
deliver_records (WeftTlsTransport *self)
{
  while (may_deliver (self))
    {
      ssize_t n = gnutls_record_recv (self->session, self->record, RECORD_SIZE);

      /* A TLS 1.3 key update is answered from inside gnutls_record_recv(). */
      flush_outgoing (self);
      if (n > 0)
        weft_protocol_data_received (self->upper, self->record, n);
      else if (n == 0)
        peer_closed (self);
      else if (n == GNUTLS_E_AGAIN)
        break;
      else if (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_WARNING_ALERT_RECEIVED)
        continue;
      else if (n == GNUTLS_E_REHANDSHAKE)
        {
          gnutls_alert_send (self->session, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
          flush_outgoing (self);
        }
      else if (n == GNUTLS_E_PREMATURE_TERMINATION)
        fail (self, truncated_error ());
      else if (n == GNUTLS_E_FATAL_ALERT_RECEIVED)
        fail (self, alert_error (self));
      else
        fail (self, g_error_new (WEFT_TLS_ERROR, WEFT_TLS_ERROR_FAILED, _ ("Received invalid TLS data: %s"),
                                 gnutls_strerror ((int) n)));
    }
}

/* Feeds GnuTLS what arrived: handshake messages until it is done, then
 * records for the wrapped protocol. Reentrant calls (a protocol that
 * resumes reading from data_received) only ask the running one to go on. */
static void
process_incoming (WeftTlsTransport *self)
{
  if (self->session == NULL || self->lost)
    return;
  if (self->processing)
    {
      self->process_again = TRUE;
      return;
    }

  g_object_ref (self);
  self->processing = TRUE;
  do
    {
      self->process_again = FALSE;
      if (self->failed || self->aborted)
        break;
      if (!self->handshake_done)
        continue_handshake (self);
      if (self->handshake_done)
        deliver_records (self);
    }
  while (self->process_again && !self->lost);
  self->processing = FALSE;
  g_object_unref (self);
}

static void
process_from_reactor (gpointer user_data)
{
  WeftTlsTransport *self = user_data;

  self->process_call = NULL;
  process_incoming (self);
}

static void
schedule_processing (WeftTlsTransport *self)
{
  if (self->config->reactor == NULL)
    {
      process_incoming (self);
      return;
    }
  if (self->process_call == NULL)
    self->process_call =
        weft_reactor_call_soon (self->config->reactor, process_from_reactor, g_object_ref (self), g_object_unref);
}

/* ------------------------------------------------------------------ */
/* Closing                                                              */

/* Sends the close notification once everything written before has been
 * encrypted, then closes (or half-closes) the transport below. */
static void
send_close_notify (WeftTlsTransport *self)
{
  WeftTransport *lower = weft_tls_lower_transport (self);

  if (!self->bye_sent && self->handshake_done && !self->failed)
    {
      int ret;

      self->bye_sent = TRUE;
      do
        ret = gnutls_bye (self->session, GNUTLS_SHUT_WR);
      while (ret == GNUTLS_E_INTERRUPTED);
      if (ret < 0)
        g_debug ("TLS: cannot send the close notification: %s", gnutls_strerror (ret));
      flush_outgoing (self);
    }
  if (lower == NULL)
    return;
  if (self->closing)
    weft_transport_lose_connection (lower);
  else
    weft_transport_lose_write_connection (lower);
}

static void
weft_tls_transport_lose_connection (WeftTransport *transport, const GError *reason)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);
  WeftTransport *lower = weft_tls_lower_transport (self);

  if (self->closing || self->aborted || self->failed || self->lost)
    return;
  self->closing = TRUE;
  if (reason != NULL)
    self->reason = g_error_copy (reason);
  if (self->handshake_done)
    send_close_notify (self);
  else if (weft_write_buffer_is_empty (&self->pending) && lower != NULL)
    weft_transport_lose_connection (lower);
  /* else handshake_finished() sends what is pending, then closes. */
}

static void
weft_tls_transport_lose_write_connection (WeftTransport *transport)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);

  if (self->write_shutdown || self->closing || self->aborted || self->failed || self->lost)
    return;
  self->write_shutdown = TRUE;
  if (self->handshake_done)
    send_close_notify (self);
}

static void
weft_tls_transport_abort_connection (WeftTransport *transport, const GError *reason)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);
  WeftTransport *lower = weft_tls_lower_transport (self);

  if (self->aborted || self->lost)
    return;
  self->aborted = TRUE;
  g_clear_error (&self->reason);
  if (reason != NULL)
    self->reason = g_error_copy (reason);
  weft_write_buffer_discard (&self->pending);
  if (lower != NULL)
    weft_transport_abort_connection_with_error (lower, reason);
}

/* ------------------------------------------------------------------ */
/* The rest of the transport interface                                 */

static void
weft_tls_transport_pause_reading (WeftTransport *transport)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);
  WeftTransport *lower = weft_tls_lower_transport (self);

  self->reading_paused = TRUE;
  if (lower != NULL)
    weft_transport_pause_reading (lower);
}

static void
weft_tls_transport_resume_reading (WeftTransport *transport)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);
  WeftTransport *lower = weft_tls_lower_transport (self);

  if (!self->reading_paused)
    return;
  self->reading_paused = FALSE;
  if (lower != NULL)
    weft_transport_resume_reading (lower);
  /* Records may be waiting in GnuTLS or in the incoming buffer. */
  if (self->handshake_done && !self->lost)
    schedule_processing (self);
}

static void
weft_tls_transport_set_write_buffer_limits (WeftTransport *transport, gsize high, gsize low)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);
  WeftTransport *lower = weft_tls_lower_transport (self);

  weft_write_buffer_set_limits (&self->pending, high, low);
  if (lower != NULL)
    weft_transport_set_write_buffer_limits (lower, high, low);
  update_upper_flow (self);
}

static void
weft_tls_transport_get_write_buffer_limits (WeftTransport *transport, gsize *high, gsize *low)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);
  WeftTransport *lower = weft_tls_lower_transport (self);

  if (lower != NULL)
    weft_transport_get_write_buffer_limits (lower, high, low);
  else
    weft_write_buffer_get_limits (&self->pending, high, low);
}

static gsize
weft_tls_transport_get_write_buffer_size (WeftTransport *transport)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);
  WeftTransport *lower = weft_tls_lower_transport (self);

  return weft_write_buffer_get_size (&self->pending) +
         (lower != NULL ? weft_transport_get_write_buffer_size (lower) : 0);
}

static GSocketAddress *
weft_tls_transport_get_peer_address (WeftTransport *transport)
{
  WeftTransport *lower = weft_tls_lower_transport (WEFT_TLS_TRANSPORT (transport));

  return lower != NULL ? weft_transport_get_peer_address (lower) : NULL;
}

static GSocketAddress *
weft_tls_transport_get_local_address (WeftTransport *transport)
{
  WeftTransport *lower = weft_tls_lower_transport (WEFT_TLS_TRANSPORT (transport));

  return lower != NULL ? weft_transport_get_local_address (lower) : NULL;
}

static WeftProtocol *
weft_tls_transport_get_protocol (WeftTransport *transport)
{
  return WEFT_TLS_TRANSPORT (transport)->upper;
}

static gboolean
weft_tls_transport_is_closing (WeftTransport *transport)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);

  return self->closing || self->aborted || self->failed || self->lost || self->bye_sent;
}

static void
weft_tls_transport_iface_init (WeftTransportInterface *iface)
{
  iface->write = weft_tls_transport_write;
  iface->write_bytes = weft_tls_transport_write_bytes;
  iface->writev = weft_tls_transport_writev;
  iface->lose_connection = weft_tls_transport_lose_connection;
  iface->lose_write_connection = weft_tls_transport_lose_write_connection;
  iface->abort_connection = weft_tls_transport_abort_connection;
  iface->pause_reading = weft_tls_transport_pause_reading;
  iface->resume_reading = weft_tls_transport_resume_reading;
  iface->set_write_buffer_limits = weft_tls_transport_set_write_buffer_limits;
  iface->get_write_buffer_limits = weft_tls_transport_get_write_buffer_limits;
  iface->get_write_buffer_size = weft_tls_transport_get_write_buffer_size;
  iface->get_peer_address = weft_tls_transport_get_peer_address;
  iface->get_local_address = weft_tls_transport_get_local_address;
  iface->get_protocol = weft_tls_transport_get_protocol;
  iface->is_closing = weft_tls_transport_is_closing;
}

/* ------------------------------------------------------------------ */
/* The protocol side, facing the transport below                        */

static gboolean
setup_session (WeftTlsTransport *self, GError **error)
{
  WeftTlsConfig *config = self->config;
  unsigned int flags = (config->server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK;
  int ret;

  ret = gnutls_init (&self->session, flags);
  if (ret < 0)
    {
      self->session = NULL;
      goto failed;
    }
  gnutls_session_set_ptr (self->session, self);
  gnutls_transport_set_ptr (self->session, self);
  gnutls_transport_set_push_function (self->session, push_cb);
  gnutls_transport_set_pull_function (self->session, pull_cb);
  gnutls_transport_set_pull_timeout_function (self->session, pull_timeout_cb);
  /* Time limits are the application's (a deferred timeout on the reactor). */
  gnutls_handshake_set_timeout (self->session, 0);

  ret = config->priority != NULL ? gnutls_priority_set (self->session, config->priority)
                                 : gnutls_set_default_priority (self->session);
  if (ret < 0)
    goto failed;
  ret = gnutls_credentials_set (self->session, GNUTLS_CRD_CERTIFICATE, config->credentials);
  if (ret < 0)
    goto failed;
  gnutls_session_set_verify_function (self->session, weft_tls_verify_cb);

  if (!config->server && config->server_name != NULL && config->server_ip == NULL)
    {
      ret = gnutls_server_name_set (self->session, GNUTLS_NAME_DNS, config->server_name, strlen (config->server_name));
      if (ret < 0)
        goto failed;
    }
  if (config->server)
    {
      static const gnutls_certificate_request_t requests[] = {
        [WEFT_TLS_CLIENT_CERTIFICATE_NONE] = GNUTLS_CERT_IGNORE,
        [WEFT_TLS_CLIENT_CERTIFICATE_REQUEST] = GNUTLS_CERT_REQUEST,
        [WEFT_TLS_CLIENT_CERTIFICATE_REQUIRE] = GNUTLS_CERT_REQUIRE,
      };

      gnutls_certificate_server_set_request (self->session, requests[config->client_certificate_mode]);
    }
  if (config->alpn != NULL)
    {
      guint n = g_strv_length (config->alpn);
      g_autofree gnutls_datum_t *protocols = g_new (gnutls_datum_t, n);

      for (guint i = 0; i < n; i++)
        {
          protocols[i].data = (unsigned char *) config->alpn[i];
          protocols[i].size = strlen (config->alpn[i]);
        }
      ret = gnutls_alpn_set_protocols (self->session, protocols, n, 0);
      if (ret < 0)
        goto failed;
    }
  return TRUE;

failed:
  g_set_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_FAILED, _ ("Cannot set up a TLS session: %s"),
               gnutls_strerror (ret));
  return FALSE;
}

/* Hands the connection from the protocol weft_tls_start() replaced to the
 * new one. */
static void
retire_previous_protocol (WeftTlsTransport *self)
{
  g_autoptr (GError) handed_over =
      g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE,
                           _ ("The connection was handed over to another protocol to continue over TLS."));

  if (weft_protocol_is_connected (self->retired))
    weft_protocol_connection_lost (self->retired, handed_over);
}

static void
weft_tls_transport_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (protocol);
  g_autoptr (GError) error = NULL;
  gboolean ready = setup_session (self, &error);

  g_object_ref (self);
  /* Set first: what the wrapped protocol writes from its connection_made may
   * already have to pause it. */
  self->upper_made = TRUE;
  switch (self->mode)
    {
    case MODE_START_SAME:
      weft_protocol_switch_transport (self->upper, WEFT_TRANSPORT (self));
      /* The transport below will resume us, not the protocol it paused. */
      if (weft_protocol_is_writing_paused (self->upper))
        weft_protocol_pause_writing (protocol);
      break;
    case MODE_START_NEW:
      retire_previous_protocol (self);
      weft_protocol_connection_made (self->upper, WEFT_TRANSPORT (self));
      break;
    case MODE_WRAP:
    default:
      weft_protocol_connection_made (self->upper, WEFT_TRANSPORT (self));
      break;
    }

  if (ready && self->config->reactor != NULL && self->config->handshake_timeout_us > 0 && !self->handshake_done)
    self->handshake_timer = weft_reactor_call_later (self->config->reactor, self->config->handshake_timeout_us,
                                                     handshake_timed_out, self, NULL);
  if (!ready)
    fail (self, g_steal_pointer (&error));
  else if (!self->aborted && !self->lost && !(self->closing && weft_write_buffer_is_empty (&self->pending)))
    /* No handshake for a protocol that closed from connection_made with
     * nothing to send. */
    process_incoming (self);
  g_object_unref (self);
}

static void
weft_tls_transport_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (protocol);

  if (self->failed || self->aborted || self->lost)
    return;
  if (self->preview_len < PREVIEW_SIZE && !self->handshake_done)
    {
      gsize n = MIN (len, PREVIEW_SIZE - self->preview_len);

      memcpy (self->preview + self->preview_len, data, n);
      self->preview_len += n;
    }
  /* Reclaim consumed space before it grows past what is unread. */
  if (self->incoming_offset > 0 && self->incoming_offset >= incoming_available (self))
    {
      g_byte_array_remove_range (self->incoming, 0, self->incoming_offset);
      self->incoming_offset = 0;
    }
  g_byte_array_append (self->incoming, data, len);
  process_incoming (self);
}

static gboolean
weft_tls_transport_eof_received (WeftProtocol *protocol)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (protocol);

  self->lower_eof = TRUE;
  if (self->failed || self->aborted || self->closing)
    return FALSE;
  if (self->reading_paused)
    /* Decided once reading resumes and GnuTLS has seen what is left. */
    return TRUE;
  if (!self->peer_closed)
    /* GnuTLS now reads the end of the stream: a close notification still
     * buffered, or a truncation it reports as an error. */
    process_incoming (self);
  if (self->failed || self->aborted || self->closing)
    return FALSE;
  if (self->peer_closed)
    /* The wrapped protocol's eof_received kept the connection open for
     * writing: so does the transport below. */
    return TRUE;
  fail (self, self->handshake_done ? truncated_error () : handshake_eof_error ());
  return FALSE;
}

static void
weft_tls_transport_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (protocol);
  g_autoptr (GError) final = NULL;
  WeftFactory *factory;

  g_object_ref (self);
  self->lost = TRUE;
  cancel_handshake_timer (self);
  if (self->process_call != NULL)
    weft_delayed_call_cancel (g_steal_pointer (&self->process_call));

  if (self->reason != NULL)
    final = g_error_copy (self->reason);
  else if (!self->closing && !self->aborted && !self->peer_closed && self->handshake_done &&
           g_error_matches (reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE))
    final = truncated_error ();
  else if (!self->closing && !self->aborted && !self->handshake_done &&
           g_error_matches (reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE))
    final = handshake_eof_error ();
  else
    final = g_error_copy (reason);
  g_clear_error (&self->reason);
  self->reason = g_error_copy (final);

  if (!self->handshake_done)
    fire_handshake_waiters (self, final);
  if (self->upper_made && !self->upper_lost)
    {
      self->upper_lost = TRUE;
      weft_protocol_connection_lost (self->upper, final);
    }
  factory = weft_protocol_get_factory (protocol);
  if (WEFT_IS_TLS_FACTORY (factory))
    weft_tls_factory_record_reason (WEFT_TLS_FACTORY (factory), final);
  WEFT_PROTOCOL_CLASS (weft_tls_transport_parent_class)->connection_lost (protocol, reason);
  g_object_unref (self);
}

static void
weft_tls_transport_pause_writing (WeftProtocol *protocol)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (protocol);

  self->lower_writing_paused = TRUE;
  update_upper_flow (self);
}

static void
weft_tls_transport_resume_writing (WeftProtocol *protocol)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (protocol);

  self->lower_writing_paused = FALSE;
  update_upper_flow (self);
}

/* ------------------------------------------------------------------ */
/* GObject                                                              */

static void
weft_tls_transport_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_HANDSHAKE_DONE:
      g_value_set_boolean (value, self->handshake_done);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tls_transport_dispose (GObject *object)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (object);

  cancel_handshake_timer (self);
  if (self->process_call != NULL)
    weft_delayed_call_cancel (g_steal_pointer (&self->process_call));
  g_clear_object (&self->upper);
  g_clear_object (&self->retired);

  G_OBJECT_CLASS (weft_tls_transport_parent_class)->dispose (object);
}

static void
weft_tls_transport_finalize (GObject *object)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (object);

  if (self->session != NULL)
    gnutls_deinit (self->session);
  g_clear_pointer (&self->config, weft_tls_config_unref);
  g_byte_array_unref (self->incoming);
  g_byte_array_unref (self->outgoing);
  weft_write_buffer_clear (&self->pending);
  g_free (self->record);
  g_clear_error (&self->verify_error);
  g_clear_error (&self->reason);
  g_ptr_array_unref (self->handshake_waiters);
  g_free (self->negotiated_protocol);
  g_free (self->requested_server_name);

  G_OBJECT_CLASS (weft_tls_transport_parent_class)->finalize (object);
}

static void
weft_tls_transport_class_init (WeftTlsTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  object_class->get_property = weft_tls_transport_get_property;
  object_class->dispose = weft_tls_transport_dispose;
  object_class->finalize = weft_tls_transport_finalize;

  protocol_class->connection_made = weft_tls_transport_connection_made;
  protocol_class->data_received = weft_tls_transport_data_received;
  protocol_class->eof_received = weft_tls_transport_eof_received;
  protocol_class->connection_lost = weft_tls_transport_connection_lost;
  protocol_class->pause_writing = weft_tls_transport_pause_writing;
  protocol_class->resume_writing = weft_tls_transport_resume_writing;

  /**
   * WeftTlsTransport:handshake-done: (getter is_handshake_done)
   *
   * %TRUE once the handshake has succeeded (the peer is verified, and data
   * flows). Notified when it changes.
   */
  properties[PROP_HANDSHAKE_DONE] =
      g_param_spec_boolean ("handshake-done", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_tls_transport_init (WeftTlsTransport *self)
{
  self->incoming = g_byte_array_new ();
  self->outgoing = g_byte_array_new ();
  weft_write_buffer_init (&self->pending);
  self->record = g_malloc (RECORD_SIZE);
  self->handshake_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

WeftTlsTransport *
weft_tls_transport_create (WeftProtocol *protocol, WeftTlsOptions *options, GError **error)
{
  WeftTlsConfig *config = weft_tls_options_get_config (options, error);
  WeftTlsTransport *self;

  if (config == NULL)
    return NULL;
  self = g_object_new (WEFT_TYPE_TLS_TRANSPORT, NULL);
  self->config = config;
  self->upper = g_object_ref (protocol);
  return self;
}

/* ------------------------------------------------------------------ */
