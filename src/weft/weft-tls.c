#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "weft-error.h"
#include "weft-protocol-private.h"
#include "weft-tls-private.h"
#include "weft-tls.h"
#include "weft-write-buffer-private.h"

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

#define RECORD_SIZE 16384 /* the largest TLS plaintext record */
#define PREVIEW_SIZE 24   /* bytes of non-TLS input quoted in errors */

typedef enum {
  MODE_WRAP,       /* weft_tls_transport_new(): connection_made starts it all */
  MODE_START_SAME, /* weft_tls_start() by the connection's own protocol */
  MODE_START_NEW,  /* weft_tls_start() with a protocol that takes over */
} StartMode;

struct _WeftTlsTransport {
  WeftProtocol parent_instance;

  WeftTlsConfig *config;
  WeftProtocol *upper;   /* owned: the wrapped protocol */
  WeftProtocol *retired; /* owned: the protocol weft_tls_start() replaced */
  StartMode mode;
  gnutls_session_t session; /* from connection_made on */

  GByteArray *incoming; /* ciphertext GnuTLS has not pulled yet, from incoming_offset */
  GByteArray *outgoing; /* ciphertext GnuTLS pushed during the current call */
  gsize incoming_offset;
  WeftWriteBuffer pending;      /* plaintext written before the handshake ended */
  guint8 *record;               /* RECORD_SIZE bytes for gnutls_record_recv() */
  guint8 preview[PREVIEW_SIZE]; /* the first bytes the peer sent */
  gsize preview_len;

  GError *verify_error;         /* why the verification callback refused the peer */
  GError *reason;               /* what the wrapped protocol's connection_lost will get */
  GPtrArray *handshake_waiters; /* WeftDeferred */
  WeftDelayedCall *process_call;
  char *negotiated_protocol;
  char *requested_server_name;

  gboolean handshake_done;
  gboolean upper_made;     /* the wrapped protocol is connected to us */
  gboolean upper_lost;     /* ...and has been told it is over */
  gboolean failed;         /* a TLS error: reason is set, the transport below is closing */
  gboolean closing;        /* lose_connection() was called */
  gboolean write_shutdown; /* lose_write_connection() was called */
  gboolean bye_sent;       /* our close notification is out */
  gboolean aborted;
  gboolean lower_eof;
  gboolean peer_closed; /* the peer's close notification arrived */
  gboolean reading_paused;
  gboolean lower_writing_paused;
  gboolean session_corked; /* inside weft_transport_writev(): one flush at the end */
  gboolean processing;     /* inside process_incoming() */
  gboolean process_again;
  gboolean lost; /* the transport below is gone */
};

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
static void tls_factory_record_reason (WeftTlsFactory *self, const GError *reason);

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

static WeftTransport *
lower_transport (WeftTlsTransport *self)
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
  WeftTransport *lower = lower_transport (self);
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
/* Certificate verification                                             */

static char *
format_time (time_t t)
{
  g_autoptr (GDateTime) date = g_date_time_new_from_unix_utc (t);

  return date != NULL ? g_date_time_format (date, "%Y-%m-%d %H:%M:%S UTC") : g_strdup ("?");
}

/* "The certificate of “example.org”", "The server’s certificate" or "The
 * client’s certificate": the subject of every verification message. */
static char *
certificate_subject (WeftTlsTransport *self)
{
  if (self->config->server)
    return g_strdup (_ ("The client’s certificate"));
  if (self->config->server_name != NULL)
    return g_strdup_printf (_ ("The certificate of “%s”"), self->config->server_name);
  return g_strdup (_ ("The server’s certificate"));
}

/* The names a certificate is for: its DNS and IP subject alternative names,
 * else its common name. */
static char *
certificate_names (gnutls_x509_crt_t crt)
{
  g_autoptr (GString) names = g_string_new (NULL);

  for (unsigned int i = 0;; i++)
    {
      char buffer[256];
      size_t size = sizeof buffer;
      int type = gnutls_x509_crt_get_subject_alt_name (crt, i, buffer, &size, NULL);

      if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        break;
      if (type == GNUTLS_SAN_DNSNAME)
        g_string_append_printf (names, "%s“%.*s”", names->len > 0 ? ", " : "", (int) size, buffer);
      else if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16))
        {
          g_autoptr (GInetAddress) address =
              g_inet_address_new_from_bytes ((const guint8 *) buffer,
                                             size == 4 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6);
          g_autofree char *text = g_inet_address_to_string (address);

          g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", text);
        }
      else if (type < 0 && type != GNUTLS_E_SHORT_MEMORY_BUFFER)
        break;
    }
  if (names->len == 0)
    {
      char buffer[256];
      size_t size = sizeof buffer;

      if (gnutls_x509_crt_get_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buffer, &size) >= 0)
        g_string_append_printf (names, "“%s”", buffer);
      else
        g_string_append (names, _ ("no name"));
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static char *
certificate_issuer (gnutls_x509_crt_t crt)
{
  gnutls_datum_t dn = { NULL, 0 };
  char *text;

  if (gnutls_x509_crt_get_issuer_dn3 (crt, &dn, 0) < 0)
    return g_strdup ("?");
  text = g_strndup ((const char *) dn.data, dn.size);
  gnutls_free (dn.data);
  return text;
}

/* Turns GnuTLS' status bits into one error: the code of the most
 * fundamental problem, and a message that lists every problem found. */
static GError *
verification_error (WeftTlsTransport *self, unsigned int status, const gnutls_datum_t *leaf_der)
{
  g_autoptr (GString) message = g_string_new (NULL);
  g_autofree char *subject = certificate_subject (self);
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t details = { NULL, 0 };
  int code = -1;
  time_t now = time (NULL);

  if (gnutls_x509_crt_init (&crt) < 0 || gnutls_x509_crt_import (crt, leaf_der, GNUTLS_X509_FMT_DER) < 0)
    g_clear_pointer (&crt, gnutls_x509_crt_deinit);

#define PROBLEM(error_code, ...)                   \
  G_STMT_START                                     \
  {                                                \
    if (code < 0)                                  \
      code = (error_code);                         \
    if (message->len > 0)                          \
      g_string_append_c (message, ' ');            \
    g_string_append_printf (message, __VA_ARGS__); \
  }                                                \
  G_STMT_END

  if (status & GNUTLS_CERT_REVOKED)
    PROBLEM (WEFT_TLS_ERROR_REVOKED, _ ("%s has been revoked."), subject);
  if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
    {
      if (crt != NULL && gnutls_x509_crt_check_issuer (crt, crt))
        PROBLEM (WEFT_TLS_ERROR_UNKNOWN_ISSUER, _ ("%s is self-signed, and not trusted."), subject);
      else
        {
          g_autofree char *issuer = crt != NULL ? certificate_issuer (crt) : g_strdup ("?");

          PROBLEM (WEFT_TLS_ERROR_UNKNOWN_ISSUER, _ ("%s was issued by an unknown authority (“%s”)."), subject, issuer);
        }
    }
  if (status & GNUTLS_CERT_SIGNER_NOT_CA)
    PROBLEM (WEFT_TLS_ERROR_UNKNOWN_ISSUER, _ ("%s was signed by a certificate that is not an authority."), subject);
  if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
    PROBLEM (WEFT_TLS_ERROR_INSECURE, _ ("%s is signed with an insecure algorithm."), subject);
  if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
    PROBLEM (WEFT_TLS_ERROR_BAD_CERTIFICATE, _ ("%s has an invalid signature."), subject);
  if (status & GNUTLS_CERT_EXPIRED)
    {
      time_t expiration = crt != NULL ? gnutls_x509_crt_get_expiration_time (crt) : (time_t) -1;

      if (expiration != (time_t) -1 && expiration < now)
        {
          g_autofree char *date = format_time (expiration);

          PROBLEM (WEFT_TLS_ERROR_CERTIFICATE_EXPIRED, _ ("%s has expired (it was valid until %s)."), subject, date);
        }
      else
        PROBLEM (WEFT_TLS_ERROR_CERTIFICATE_EXPIRED, _ ("%s was issued by an authority whose certificate has expired."),
                 subject);
    }
  if (status & GNUTLS_CERT_NOT_ACTIVATED)
    {
      time_t activation = crt != NULL ? gnutls_x509_crt_get_activation_time (crt) : (time_t) -1;

      if (activation != (time_t) -1 && activation > now)
        {
          g_autofree char *date = format_time (activation);

          PROBLEM (WEFT_TLS_ERROR_CERTIFICATE_NOT_ACTIVATED, _ ("%s is not valid yet (it is valid from %s)."), subject,
                   date);
        }
      else
        PROBLEM (WEFT_TLS_ERROR_CERTIFICATE_NOT_ACTIVATED,
                 _ ("%s was issued by an authority whose certificate is not valid yet."), subject);
    }
  if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
    {
      g_autofree char *names = crt != NULL ? certificate_names (crt) : g_strdup ("?");

      PROBLEM (WEFT_TLS_ERROR_BAD_IDENTITY, _ ("The server’s certificate is for %s, not for “%s”."), names,
               self->config->server_name);
    }
  if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
    {
      if (self->config->server)
        PROBLEM (WEFT_TLS_ERROR_BAD_CERTIFICATE, _ ("%s is not meant to authenticate a TLS client."), subject);
      else
        PROBLEM (WEFT_TLS_ERROR_BAD_CERTIFICATE, _ ("%s is not meant to authenticate a TLS server."), subject);
    }
  if (code < 0)
    PROBLEM (WEFT_TLS_ERROR_BAD_CERTIFICATE, _ ("%s is not trusted."), subject);

#undef PROBLEM

  if (gnutls_certificate_verification_status_print (status, GNUTLS_CRT_X509, &details, 0) >= 0)
    {
      g_autofree char *text = g_strstrip (g_strndup ((const char *) details.data, details.size));

      g_string_append_printf (message, " (GnuTLS: %s)", text);
      gnutls_free (details.data);
    }
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  return g_error_new_literal (WEFT_TLS_ERROR, code, message->str);
}

static gboolean
check_pins (WeftTlsTransport *self, const gnutls_datum_t *leaf_der, GError **error)
{
  guint8 digest[WEFT_TLS_FINGERPRINT_SIZE];
  g_autofree char *actual = NULL;
  g_autoptr (GString) pinned = g_string_new (NULL);
  g_autofree char *subject = NULL;

  if (gnutls_hash_fast (GNUTLS_DIG_SHA256, leaf_der->data, leaf_der->size, digest) < 0)
    {
      g_set_error_literal (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_FAILED,
                           _ ("Cannot compute the fingerprint of the peer’s certificate."));
      return FALSE;
    }
  for (guint i = 0; i < self->config->pins->len; i++)
    {
      const guint8 *pin = &g_array_index (self->config->pins, guint8, i * WEFT_TLS_FINGERPRINT_SIZE);
      g_autofree char *text = NULL;

      if (memcmp (pin, digest, sizeof digest) == 0)
        return TRUE;
      text = weft_tls_format_fingerprint (pin);
      g_string_append_printf (pinned, "%s%s", i > 0 ? ", " : "", text);
    }

  actual = weft_tls_format_fingerprint (digest);
  subject = certificate_subject (self);
  g_set_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_PIN_MISMATCH,
               _ ("%s has the SHA-256 fingerprint %s, which matches no pinned fingerprint (pinned: %s)."), subject,
               actual, pinned->str);
  return FALSE;
}

static gboolean
verify_peer (WeftTlsTransport *self, GError **error)
{
  WeftTlsConfig *config = self->config;
  const gnutls_datum_t *chain;
  unsigned int chain_length = 0;
  gnutls_typed_vdata_st data[2];
  unsigned int n_data = 0, status = 0;
  int ret;

  chain = gnutls_certificate_get_peers (self->session, &chain_length);
  if (chain == NULL || chain_length == 0)
    {
      if (!config->server)
        {
          g_set_error_literal (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_CERTIFICATE,
                               _ ("The server presented no certificate."));
          return FALSE;
        }
      if (config->client_certificate_mode == WEFT_TLS_CLIENT_CERTIFICATE_REQUIRE)
        {
          g_set_error_literal (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_CERTIFICATE_REQUIRED,
                               _ ("The client presented no certificate, and this server requires one."));
          return FALSE;
        }
      return TRUE;
    }

  if (config->pins->len > 0)
    return check_pins (self, &chain[0], error);
  if (!config->verify_peer)
    return TRUE;

  memset (data, 0, sizeof data);
  if (!config->server && config->verify_hostname && config->server_name != NULL)
    {
      if (config->server_ip != NULL)
        {
          data[n_data].type = GNUTLS_DT_IP_ADDRESS;
          data[n_data].data = (unsigned char *) g_inet_address_to_bytes (config->server_ip);
          data[n_data].size = g_inet_address_get_native_size (config->server_ip);
        }
      else
        {
          data[n_data].type = GNUTLS_DT_DNS_HOSTNAME;
          data[n_data].data = (unsigned char *) config->server_name;
        }
      n_data++;
    }
  data[n_data].type = GNUTLS_DT_KEY_PURPOSE_OID;
  data[n_data].data = (unsigned char *) (config->server ? GNUTLS_KP_TLS_WWW_CLIENT : GNUTLS_KP_TLS_WWW_SERVER);
  n_data++;

  ret = gnutls_certificate_verify_peers (self->session, data, n_data, &status);
  if (ret < 0)
    {
      g_autofree char *subject = certificate_subject (self);

      g_set_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_CERTIFICATE, _ ("%s cannot be verified: %s"), subject,
                   gnutls_strerror (ret));
      return FALSE;
    }
  if (status != 0)
    {
      g_propagate_error (error, verification_error (self, status, &chain[0]));
      return FALSE;
    }
  return TRUE;
}

/* Runs during the handshake, once the peer's certificate has arrived. */
static int
verify_cb (gnutls_session_t session)
{
  WeftTlsTransport *self = gnutls_session_get_ptr (session);

  g_clear_error (&self->verify_error);
  if (!verify_peer (self, &self->verify_error))
    return GNUTLS_E_CERTIFICATE_ERROR;
  return 0;
}

static gnutls_alert_description_t
alert_for_verify_error (const GError *error)
{
  switch (error->code)
    {
    case WEFT_TLS_ERROR_CERTIFICATE_EXPIRED:
    case WEFT_TLS_ERROR_CERTIFICATE_NOT_ACTIVATED:
      return GNUTLS_A_CERTIFICATE_EXPIRED;
    case WEFT_TLS_ERROR_UNKNOWN_ISSUER:
      return GNUTLS_A_UNKNOWN_CA;
    case WEFT_TLS_ERROR_REVOKED:
      return GNUTLS_A_CERTIFICATE_REVOKED;
    case WEFT_TLS_ERROR_CERTIFICATE_REQUIRED:
      return GNUTLS_A_CERTIFICATE_REQUIRED;
    default:
      return GNUTLS_A_BAD_CERTIFICATE;
    }
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
  WeftTransport *lower = lower_transport (self);

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
        weft_deferred_errback (deferred, g_error_copy (error));
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
handshake_finished (WeftTlsTransport *self)
{
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
      gnutls_alert_send (self->session, GNUTLS_AL_FATAL, alert_for_verify_error (error));
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
  WeftTransport *lower = lower_transport (self);

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
  WeftTransport *lower = lower_transport (self);

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
  WeftTransport *lower = lower_transport (self);

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
  WeftTransport *lower = lower_transport (self);

  self->reading_paused = TRUE;
  if (lower != NULL)
    weft_transport_pause_reading (lower);
}

static void
weft_tls_transport_resume_reading (WeftTransport *transport)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);
  WeftTransport *lower = lower_transport (self);

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
  WeftTransport *lower = lower_transport (self);

  weft_write_buffer_set_limits (&self->pending, high, low);
  if (lower != NULL)
    weft_transport_set_write_buffer_limits (lower, high, low);
  update_upper_flow (self);
}

static void
weft_tls_transport_get_write_buffer_limits (WeftTransport *transport, gsize *high, gsize *low)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);
  WeftTransport *lower = lower_transport (self);

  if (lower != NULL)
    weft_transport_get_write_buffer_limits (lower, high, low);
  else
    weft_write_buffer_get_limits (&self->pending, high, low);
}

static gsize
weft_tls_transport_get_write_buffer_size (WeftTransport *transport)
{
  WeftTlsTransport *self = WEFT_TLS_TRANSPORT (transport);
  WeftTransport *lower = lower_transport (self);

  return weft_write_buffer_get_size (&self->pending) +
         (lower != NULL ? weft_transport_get_write_buffer_size (lower) : 0);
}

static GSocketAddress *
weft_tls_transport_get_peer_address (WeftTransport *transport)
{
  WeftTransport *lower = lower_transport (WEFT_TLS_TRANSPORT (transport));

  return lower != NULL ? weft_transport_get_peer_address (lower) : NULL;
}

static GSocketAddress *
weft_tls_transport_get_local_address (WeftTransport *transport)
{
  WeftTransport *lower = lower_transport (WEFT_TLS_TRANSPORT (transport));

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
  gnutls_session_set_verify_function (self->session, verify_cb);

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
    tls_factory_record_reason (WEFT_TLS_FACTORY (factory), final);
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

static WeftTlsTransport *
tls_transport_new (WeftProtocol *protocol, WeftTlsOptions *options, GError **error)
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
/* Public API                                                           */

/**
 * weft_tls_transport_new:
 * @protocol: the protocol to run over TLS; not connected yet
 * @options: client or server options
 * @error: return location for a #GError
 *
 * Wraps @protocol in TLS. The result is a protocol for the transport below:
 * connect it as you would have connected @protocol (with a connector, a
 * listening port, weft_loopback_connect()). The handshake starts when that
 * transport calls its connection_made; @protocol's connection_made is
 * called at the same time, with the TLS transport.
 *
 * Returns: (transfer full) (nullable): the TLS layer, or %NULL with
 *   @error set (%WEFT_TLS_ERROR_BAD_OPTIONS) if @options cannot be used
 */
WeftTlsTransport *
weft_tls_transport_new (WeftProtocol *protocol, WeftTlsOptions *options, GError **error)
{
  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (!weft_protocol_is_connected (protocol), NULL);
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return tls_transport_new (protocol, options, error);
}

/**
 * weft_tls_start:
 * @transport: a connected transport whose protocol wants TLS
 * @protocol: the protocol that continues over TLS: either @transport's own
 *   protocol, or a new protocol that is not connected yet
 * @options: client or server options
 * @error: return location for a #GError
 *
 * Upgrades a live connection to TLS (STARTTLS): inserts a TLS layer between
 * @transport and @protocol, and starts the handshake (a client sends its
 * hello at once). Everything @transport receives from now on goes through
 * TLS, and everything @protocol writes is encrypted. Call it after writing
 * the last plaintext message (the "go ahead" of a server, the "STARTTLS" of
 * a client): what was written before is sent in the clear, first.
 *
 * When @protocol is @transport's own protocol, it stays connected and gets
 * no second connection_made: weft_protocol_get_transport() now returns the
 * TLS transport, and data_received delivers decrypted data. Wait for
 * weft_tls_transport_get_handshake_deferred() to know the peer is verified;
 * writes made before that are held until then.
 *
 * When @protocol is a new protocol, @transport's previous protocol receives
 * connection_lost (with a %WEFT_ERROR_CONNECTION_DONE reason) before this
 * returns, and @protocol receives connection_made with the TLS transport.
 *
 * Bytes the protocol had already received past its STARTTLS exchange
 * (weft_line_receiver_clear_line_buffer() returns them) belong to TLS:
 * pass them to weft_protocol_data_received() on the returned transport.
 *
 * @transport must support weft_transport_set_protocol(); Weft's own
 * transports do.
 *
 * Returns: (transfer none) (nullable): the TLS layer, owned by @transport
 *   (it is now its protocol), or %NULL with @error set if @options cannot
 *   be used, @transport is closing, or it does not support replacing its
 *   protocol
 */
WeftTlsTransport *
weft_tls_start (WeftTransport *transport, WeftProtocol *protocol, WeftTlsOptions *options, GError **error)
{
  g_autoptr (WeftTlsTransport) self = NULL;
  WeftProtocol *current;

  g_return_val_if_fail (WEFT_IS_TRANSPORT (transport), NULL);
  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  current = weft_transport_get_protocol (transport);
  g_return_val_if_fail (current != NULL, NULL);
  g_return_val_if_fail (protocol == current || !weft_protocol_is_connected (protocol), NULL);

  if (weft_transport_is_closing (transport))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           _ ("Cannot start TLS on a connection that is closing."));
      return NULL;
    }

  self = tls_transport_new (protocol, options, error);
  if (self == NULL)
    return NULL;
  if (protocol == current)
    self->mode = MODE_START_SAME;
  else
    {
      self->mode = MODE_START_NEW;
      /* Kept until we go: it may be running the very handler that called us. */
      self->retired = g_object_ref (current);
    }
  if (!weft_transport_set_protocol (transport, WEFT_PROTOCOL (self), error))
    return NULL;

  weft_protocol_connection_made (WEFT_PROTOCOL (self), transport);
  /* @transport holds the reference now. */
  return self;
}

/**
 * weft_tls_transport_get_lower_transport:
 * @tls: a TLS transport
 *
 * Returns: (transfer none) (nullable): the transport that carries the
 *   ciphertext, while connected
 */
WeftTransport *
weft_tls_transport_get_lower_transport (WeftTlsTransport *tls)
{
  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), NULL);

  return lower_transport (tls);
}

/**
 * weft_tls_transport_get_wrapped_protocol:
 * @tls: a TLS transport
 *
 * Returns: (transfer none): the protocol that reads and writes plaintext
 */
WeftProtocol *
weft_tls_transport_get_wrapped_protocol (WeftTlsTransport *tls)
{
  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), NULL);

  return tls->upper;
}

/**
 * weft_tls_transport_is_server:
 * @tls: a TLS transport
 *
 * Returns: %TRUE for the server side of the session
 */
gboolean
weft_tls_transport_is_server (WeftTlsTransport *tls)
{
  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), FALSE);

  return tls->config->server;
}

/**
 * weft_tls_transport_is_handshake_done:
 * @tls: a TLS transport
 *
 * Returns: %TRUE once the handshake has succeeded
 */
gboolean
weft_tls_transport_is_handshake_done (WeftTlsTransport *tls)
{
  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), FALSE);

  return tls->handshake_done;
}

/**
 * weft_tls_transport_get_handshake_deferred:
 * @tls: a TLS transport
 *
 * Returns a new deferred for the end of the handshake: it fires with an
 * empty result once the handshake has succeeded (at once if it already
 * has), or fails with the reason the connection ended if it ends first (a
 * %WEFT_TLS_ERROR for a refused certificate, a failed negotiation, or a
 * peer that does not speak TLS). Each call returns a new deferred, so
 * several parties can wait.
 *
 * With TLS 1.3 a client's handshake ends before the server has checked the
 * client's certificate: if the server refuses it, the client learns it as
 * the end of the connection (%WEFT_TLS_ERROR_CERTIFICATE_REQUIRED or
 * %WEFT_TLS_ERROR_PEER_ALERT), after this deferred has fired.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_tls_transport_get_handshake_deferred (WeftTlsTransport *tls)
{
  WeftDeferred *deferred;

  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), NULL);

  if (tls->handshake_done)
    return weft_deferred_succeed_none ();
  if (tls->lost)
    return weft_deferred_fail (g_error_copy (tls->reason));
  deferred = weft_deferred_new ();
  weft_deferred_set_description (deferred, "TLS handshake");
  g_ptr_array_add (tls->handshake_waiters, g_object_ref (deferred));
  return deferred;
}

/**
 * weft_tls_transport_get_negotiated_protocol:
 * @tls: a TLS transport
 *
 * Returns: (transfer none) (nullable): the protocol chosen by ALPN (see
 *   weft_tls_options_set_alpn_protocols()), or %NULL if none was, or the
 *   handshake is not done
 */
const char *
weft_tls_transport_get_negotiated_protocol (WeftTlsTransport *tls)
{
  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), NULL);

  return tls->negotiated_protocol;
}

/**
 * weft_tls_transport_get_server_name:
 * @tls: a TLS transport
 *
 * On a server, the host name the client asked for with SNI (once the
 * handshake is done); on a client, the name it expects the server to
 * have.
 *
 * Returns: (transfer none) (nullable): the server name, or %NULL if there
 *   is none
 */
const char *
weft_tls_transport_get_server_name (WeftTlsTransport *tls)
{
  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), NULL);

  return tls->config->server ? tls->requested_server_name : tls->config->server_name;
}

/**
 * weft_tls_transport_get_protocol_version:
 * @tls: a TLS transport
 *
 * Returns: (transfer none) (nullable): the protocol version in use, such as
 *   `"TLS1.3"`, or %NULL before the handshake is done
 */
const char *
weft_tls_transport_get_protocol_version (WeftTlsTransport *tls)
{
  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), NULL);

  if (!tls->handshake_done)
    return NULL;
  return gnutls_protocol_get_name (gnutls_protocol_get_version (tls->session));
}

/**
 * weft_tls_transport_get_session_description:
 * @tls: a TLS transport
 *
 * Describes the session's parameters for logs and "connection details"
 * dialogs, in GnuTLS' words: protocol version, key exchange, signature and
 * cipher, e.g. `"(TLS1.3)-(ECDHE-SECP256R1)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)"`.
 *
 * Returns: (transfer full) (nullable): the description, or %NULL before
 *   the handshake is done
 */
char *
weft_tls_transport_get_session_description (WeftTlsTransport *tls)
{
  char *description;
  char *copy;

  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), NULL);

  if (!tls->handshake_done)
    return NULL;
  description = gnutls_session_get_desc (tls->session);
  copy = g_strdup (description);
  gnutls_free (description);
  return copy;
}

static const gnutls_datum_t *
peer_leaf (WeftTlsTransport *tls)
{
  unsigned int n = 0;
  const gnutls_datum_t *chain;

  if (tls->session == NULL)
    return NULL;
  chain = gnutls_certificate_get_peers (tls->session, &n);
  return chain != NULL && n > 0 ? &chain[0] : NULL;
}

/**
 * weft_tls_transport_get_peer_certificate:
 * @tls: a TLS transport
 *
 * Returns: (transfer full) (nullable): the certificate the peer presented,
 *   in DER form, or %NULL if it presented none (yet)
 */
GBytes *
weft_tls_transport_get_peer_certificate (WeftTlsTransport *tls)
{
  const gnutls_datum_t *leaf;

  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), NULL);

  leaf = peer_leaf (tls);
  return leaf != NULL ? g_bytes_new (leaf->data, leaf->size) : NULL;
}

/**
 * weft_tls_transport_get_peer_fingerprint:
 * @tls: a TLS transport
 *
 * The SHA-256 fingerprint of the peer's certificate, in the form
 * weft_tls_options_add_pinned_fingerprint() accepts: show it to the user,
 * and pin it once they approve.
 *
 * Returns: (transfer full) (nullable): the fingerprint as colon-separated
 *   upper-case hexadecimal pairs, or %NULL if the peer presented no
 *   certificate (yet)
 */
char *
weft_tls_transport_get_peer_fingerprint (WeftTlsTransport *tls)
{
  const gnutls_datum_t *leaf;
  guint8 digest[WEFT_TLS_FINGERPRINT_SIZE];

  g_return_val_if_fail (WEFT_IS_TLS_TRANSPORT (tls), NULL);

  leaf = peer_leaf (tls);
  if (leaf == NULL || gnutls_hash_fast (GNUTLS_DIG_SHA256, leaf->data, leaf->size, digest) < 0)
    return NULL;
  return weft_tls_format_fingerprint (digest);
}

/* ------------------------------------------------------------------ */
/* WeftTlsFactory                                                       */

/**
 * WeftTlsFactory:
 *
 * A factory that adds TLS to the protocols of another factory (Twisted's
 * `TLSMemoryBIOFactory`): give it to a listening port or a connector, and
 * each connection gets a [class@Weft.TlsTransport] wrapping the protocol
 * the wrapped factory builds. It is a client factory, so that connectors
 * accept it, and works as well for listening ports.
 *
 * Starting and stopping are passed on to the wrapped factory, and so are
 * started_connecting, client_connection_failed and client_connection_lost
 * when it is a [class@Weft.ClientFactory]. client_connection_lost receives
 * the reason the wrapped protocol got (a certificate that failed
 * verification, say), not the one of the connection below.
 */

struct _WeftTlsFactory {
  WeftClientFactory parent_instance;

  WeftFactory *wrapped;
  WeftTlsOptions *options;
  GError *last_reason; /* what the last TLS transport that ended told its protocol */
};

G_DEFINE_FINAL_TYPE (WeftTlsFactory, weft_tls_factory, WEFT_TYPE_CLIENT_FACTORY)

/* Connectors call client_connection_lost right after the connection_lost of
 * the transport's protocol (ours), with the reason of the connection below:
 * the TLS reason is kept here to be passed on instead. */
static void
tls_factory_record_reason (WeftTlsFactory *self, const GError *reason)
{
  g_clear_error (&self->last_reason);
  self->last_reason = g_error_copy (reason);
}

static WeftProtocol *
weft_tls_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  WeftTlsFactory *self = WEFT_TLS_FACTORY (factory);
  g_autoptr (WeftProtocol) inner = weft_factory_build_protocol (self->wrapped, address);
  g_autoptr (GError) error = NULL;
  WeftTlsTransport *tls;

  if (inner == NULL)
    return NULL;
  tls = tls_transport_new (inner, self->options, &error);
  if (tls == NULL)
    {
      g_warning ("TLS: refusing a connection: %s", error->message);
      return NULL;
    }
  return WEFT_PROTOCOL (tls);
}

static void
weft_tls_factory_start_factory (WeftFactory *factory)
{
  weft_factory_do_start (WEFT_TLS_FACTORY (factory)->wrapped);
}

static void
weft_tls_factory_stop_factory (WeftFactory *factory)
{
  weft_factory_do_stop (WEFT_TLS_FACTORY (factory)->wrapped);
}

static WeftClientFactory *
wrapped_client_factory (WeftTlsFactory *self)
{
  return WEFT_IS_CLIENT_FACTORY (self->wrapped) ? WEFT_CLIENT_FACTORY (self->wrapped) : NULL;
}

static void
weft_tls_factory_started_connecting (WeftClientFactory *factory, gpointer connector)
{
  WeftClientFactory *wrapped = wrapped_client_factory (WEFT_TLS_FACTORY (factory));

  if (wrapped != NULL)
    weft_client_factory_started_connecting (wrapped, connector);
}

static void
weft_tls_factory_client_connection_failed (WeftClientFactory *factory, gpointer connector, const GError *reason)
{
  WeftClientFactory *wrapped = wrapped_client_factory (WEFT_TLS_FACTORY (factory));

  if (wrapped != NULL)
    weft_client_factory_client_connection_failed (wrapped, connector, reason);
}

static void
weft_tls_factory_client_connection_lost (WeftClientFactory *factory, gpointer connector, const GError *reason)
{
  WeftTlsFactory *self = WEFT_TLS_FACTORY (factory);
  WeftClientFactory *wrapped = wrapped_client_factory (self);
  g_autoptr (GError) tls_reason = g_steal_pointer (&self->last_reason);

  if (wrapped != NULL)
    weft_client_factory_client_connection_lost (wrapped, connector, tls_reason != NULL ? tls_reason : reason);
}

static void
weft_tls_factory_finalize (GObject *object)
{
  WeftTlsFactory *self = WEFT_TLS_FACTORY (object);

  g_clear_object (&self->wrapped);
  g_clear_object (&self->options);
  g_clear_error (&self->last_reason);

  G_OBJECT_CLASS (weft_tls_factory_parent_class)->finalize (object);
}

static void
weft_tls_factory_class_init (WeftTlsFactoryClass *klass)
{
  WeftFactoryClass *factory_class = WEFT_FACTORY_CLASS (klass);
  WeftClientFactoryClass *client_class = WEFT_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = weft_tls_factory_finalize;
  factory_class->build_protocol = weft_tls_factory_build_protocol;
  factory_class->start_factory = weft_tls_factory_start_factory;
  factory_class->stop_factory = weft_tls_factory_stop_factory;
  client_class->started_connecting = weft_tls_factory_started_connecting;
  client_class->client_connection_failed = weft_tls_factory_client_connection_failed;
  client_class->client_connection_lost = weft_tls_factory_client_connection_lost;
}

static void
weft_tls_factory_init (WeftTlsFactory *self)
{
}

/**
 * weft_tls_factory_new:
 * @wrapped: the factory that builds the application's protocols
 * @options: client or server options for every connection
 * @error: return location for a #GError
 *
 * Creates a factory whose protocols are @wrapped's, each wrapped in TLS.
 * @options are checked now, so that a server with an unreadable
 * certificate fails at startup rather than at its first connection.
 *
 * Returns: (transfer full) (nullable): a new factory, or %NULL with @error
 *   set (%WEFT_TLS_ERROR_BAD_OPTIONS) if @options cannot be used
 */
WeftTlsFactory *
weft_tls_factory_new (WeftFactory *wrapped, WeftTlsOptions *options, GError **error)
{
  g_autoptr (WeftTlsConfig) config = NULL;
  WeftTlsFactory *self;

  g_return_val_if_fail (WEFT_IS_FACTORY (wrapped), NULL);
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  config = weft_tls_options_get_config (options, error);
  if (config == NULL)
    return NULL;
  self = g_object_new (WEFT_TYPE_TLS_FACTORY, NULL);
  self->wrapped = g_object_ref (wrapped);
  self->options = g_object_ref (options);
  return self;
}

/**
 * weft_tls_factory_get_wrapped_factory:
 * @factory: a TLS factory
 *
 * Returns: (transfer none): the factory whose protocols are wrapped
 */
WeftFactory *
weft_tls_factory_get_wrapped_factory (WeftTlsFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_TLS_FACTORY (factory), NULL);

  return factory->wrapped;
}

/**
 * weft_tls_factory_get_options:
 * @factory: a TLS factory
 *
 * Returns: (transfer none): the options every connection uses
 */
WeftTlsOptions *
weft_tls_factory_get_options (WeftTlsFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_TLS_FACTORY (factory), NULL);

  return factory->options;
}
