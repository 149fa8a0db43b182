/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* TLS certificate verification: names, pins, trust, and the errors a
 * person can act on. */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "weft-error.h"
#include "weft-tls-transport-private.h"

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
int
weft_tls_verify_cb (gnutls_session_t session)
{
  WeftTlsTransport *self = gnutls_session_get_ptr (session);

  g_clear_error (&self->verify_error);
  if (!verify_peer (self, &self->verify_error))
    return GNUTLS_E_CERTIFICATE_ERROR;
  return 0;
}

gnutls_alert_description_t
weft_tls_alert_for_verify_error (const GError *error)
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
