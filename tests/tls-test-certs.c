/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "tls-test-certs.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <time.h>

#define DAY_SECONDS (24 * 60 * 60)

#define check_gnutls(call)                                                                       \
  G_STMT_START                                                                                   \
  {                                                                                              \
    int check_ret_ = (call);                                                                     \
    if (check_ret_ < 0)                                                                          \
      g_error ("%s:%d: %s failed: %s", __FILE__, __LINE__, #call, gnutls_strerror (check_ret_)); \
  }                                                                                              \
  G_STMT_END

typedef struct {
  const char *common_name;
  const char *dns_name;   /* subject alternative name, or NULL */
  const char *ip_address; /* subject alternative name, or NULL */
  gboolean is_ca;
  gboolean for_client;
  time_t not_before;
  time_t not_after;
} CertSpec;

static guint serial_counter = 1;

static gnutls_x509_privkey_t
make_key (void)
{
  gnutls_x509_privkey_t key;

  check_gnutls (gnutls_x509_privkey_init (&key));
  /* ECDSA P-256: generated in a millisecond, where RSA takes far longer. */
  check_gnutls (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                              0));
  return key;
}

static gnutls_x509_crt_t
make_cert (const CertSpec *spec, gnutls_x509_privkey_t key, gnutls_x509_crt_t issuer, gnutls_x509_privkey_t issuer_key)
{
  gnutls_x509_crt_t crt;
  guint8 serial[4];
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  g_autofree char *dn = g_strdup_printf ("CN=%s,O=Weft tests", spec->common_name);
  const char *dn_error = NULL;

  check_gnutls (gnutls_x509_crt_init (&crt));
  check_gnutls (gnutls_x509_crt_set_version (crt, 3));
  serial[0] = 0x01;
  serial[1] = (serial_counter >> 16) & 0xff;
  serial[2] = (serial_counter >> 8) & 0xff;
  serial[3] = serial_counter & 0xff;
  serial_counter++;
  check_gnutls (gnutls_x509_crt_set_serial (crt, serial, sizeof serial));
  check_gnutls (gnutls_x509_crt_set_activation_time (crt, spec->not_before));
  check_gnutls (gnutls_x509_crt_set_expiration_time (crt, spec->not_after));
  if (gnutls_x509_crt_set_dn (crt, dn, &dn_error) < 0)
    g_error ("bad DN %s near %s", dn, dn_error);
  check_gnutls (gnutls_x509_crt_set_key (crt, key));

  if (spec->dns_name != NULL)
    check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, spec->dns_name,
                                                        strlen (spec->dns_name), GNUTLS_FSAN_APPEND));
  if (spec->ip_address != NULL)
    {
      g_autoptr (GInetAddress) address = g_inet_address_new_from_string (spec->ip_address);

      g_assert_nonnull (address);
      check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, g_inet_address_to_bytes (address),
                                                          g_inet_address_get_native_size (address),
                                                          GNUTLS_FSAN_APPEND));
    }

  check_gnutls (gnutls_x509_crt_set_basic_constraints (crt, spec->is_ca, -1));
  if (spec->is_ca)
    check_gnutls (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN));
  else
    {
      check_gnutls (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE));
      check_gnutls (gnutls_x509_crt_set_key_purpose_oid (crt,
                                                         spec->for_client ? GNUTLS_KP_TLS_WWW_CLIENT
                                                                          : GNUTLS_KP_TLS_WWW_SERVER,
                                                         0));
    }

  check_gnutls (gnutls_x509_crt_get_key_id (crt, 0, key_id, &key_id_size));
  check_gnutls (gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size));
  if (issuer != NULL)
    {
      key_id_size = sizeof key_id;
      check_gnutls (gnutls_x509_crt_get_subject_key_id (issuer, key_id, &key_id_size, NULL));
      check_gnutls (gnutls_x509_crt_set_authority_key_id (crt, key_id, key_id_size));
    }

  if (issuer == NULL)
    check_gnutls (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0));
  else
    check_gnutls (gnutls_x509_crt_sign2 (crt, issuer, issuer_key, GNUTLS_DIG_SHA256, 0));
  return crt;
}

static char *
write_datum (const char *dir, const char *name, const gnutls_datum_t *datum)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  if (!g_file_set_contents (path, (const char *) datum->data, datum->size, &error))
    g_error ("cannot write %s: %s", path, error->message);
  return path;
}

static char *
write_cert (const char *dir, const char *name, gnutls_x509_crt_t crt)
{
  gnutls_datum_t pem = { NULL, 0 };
  char *path;

  check_gnutls (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &pem));
  path = write_datum (dir, name, &pem);
  gnutls_free (pem.data);
  return path;
}

static char *
write_key (const char *dir, const char *name, gnutls_x509_privkey_t key)
{
  gnutls_datum_t pem = { NULL, 0 };
  char *path;

  check_gnutls (gnutls_x509_privkey_export2 (key, GNUTLS_X509_FMT_PEM, &pem));
  path = write_datum (dir, name, &pem);
  gnutls_free (pem.data);
  return path;
}

static char *
fingerprint (gnutls_x509_crt_t crt)
{
  guint8 digest[32];
  size_t size = sizeof digest;
  GString *hex = g_string_new (NULL);

  check_gnutls (gnutls_x509_crt_get_fingerprint (crt, GNUTLS_DIG_SHA256, digest, &size));
  g_assert_cmpuint (size, ==, sizeof digest);
  for (gsize i = 0; i < size; i++)
    g_string_append_printf (hex, i == 0 ? "%02X" : ":%02X", digest[i]);
  return g_string_free (hex, FALSE);
}

/**
 * tls_test_certs_new:
 *
 * Makes a temporary directory holding a test CA, a second CA, and leaf
 * certificates for each verification outcome the tests check.
 *
 * Returns: (transfer full): the paths; free with tls_test_certs_free(),
 *   which deletes the files
 */
TlsTestCerts *
tls_test_certs_new (void)
{
  g_autoptr (GError) error = NULL;
  TlsTestCerts *certs = g_new0 (TlsTestCerts, 1);
  time_t now = time (NULL);
  gnutls_x509_privkey_t ca_key, other_ca_key, leaf_key;
  gnutls_x509_crt_t ca, other_ca, crt;
  const CertSpec ca_spec = { "Weft Test CA", NULL, NULL, TRUE, FALSE, now - DAY_SECONDS, now + 3650 * DAY_SECONDS };
  const CertSpec other_ca_spec = { "Unknown Test CA",       NULL, NULL, TRUE, FALSE, now - DAY_SECONDS,
                                   now + 3650 * DAY_SECONDS };
  const CertSpec server_spec = {
    "localhost", "localhost", "127.0.0.1", FALSE, FALSE, now - DAY_SECONDS, now + 365 * DAY_SECONDS
  };
  const CertSpec expired_spec = {
    "localhost", "localhost", "127.0.0.1", FALSE, FALSE, now - 730 * DAY_SECONDS, now - 365 * DAY_SECONDS
  };
  const CertSpec future_spec = {
    "localhost", "localhost", "127.0.0.1", FALSE, FALSE, now + 365 * DAY_SECONDS, now + 730 * DAY_SECONDS
  };
  const CertSpec wrong_name_spec = { "wrong.example",   "wrong.example",        NULL, FALSE, FALSE,
                                     now - DAY_SECONDS, now + 365 * DAY_SECONDS };
  const CertSpec client_spec = {
    "weft test client", NULL, NULL, FALSE, TRUE, now - DAY_SECONDS, now + 365 * DAY_SECONDS
  };

  certs->dir = g_dir_make_tmp ("weft-tls-XXXXXX", &error);
  g_assert_no_error (error);

  ca_key = make_key ();
  other_ca_key = make_key ();
  leaf_key = make_key ();
  ca = make_cert (&ca_spec, ca_key, NULL, NULL);
  other_ca = make_cert (&other_ca_spec, other_ca_key, NULL, NULL);

  certs->ca_cert = write_cert (certs->dir, "ca.pem", ca);
  certs->ca_key = write_key (certs->dir, "ca-key.pem", ca_key);
  certs->other_ca_cert = write_cert (certs->dir, "other-ca.pem", other_ca);
  certs->leaf_key = write_key (certs->dir, "leaf-key.pem", leaf_key);

  crt = make_cert (&server_spec, leaf_key, ca, ca_key);
  certs->server_cert = write_cert (certs->dir, "server.pem", crt);
  certs->server_fingerprint = fingerprint (crt);
  gnutls_x509_crt_deinit (crt);

  crt = make_cert (&expired_spec, leaf_key, ca, ca_key);
  certs->expired_cert = write_cert (certs->dir, "expired.pem", crt);
  gnutls_x509_crt_deinit (crt);

  crt = make_cert (&future_spec, leaf_key, ca, ca_key);
  certs->not_yet_valid_cert = write_cert (certs->dir, "not-yet-valid.pem", crt);
  gnutls_x509_crt_deinit (crt);

  crt = make_cert (&server_spec, leaf_key, other_ca, other_ca_key);
  certs->unknown_ca_cert = write_cert (certs->dir, "unknown-ca.pem", crt);
  certs->unknown_ca_fingerprint = fingerprint (crt);
  gnutls_x509_crt_deinit (crt);

  crt = make_cert (&wrong_name_spec, leaf_key, ca, ca_key);
  certs->wrong_name_cert = write_cert (certs->dir, "wrong-name.pem", crt);
  gnutls_x509_crt_deinit (crt);

  crt = make_cert (&client_spec, leaf_key, ca, ca_key);
  certs->client_cert = write_cert (certs->dir, "client.pem", crt);
  gnutls_x509_crt_deinit (crt);

  gnutls_x509_crt_deinit (ca);
  gnutls_x509_crt_deinit (other_ca);
  gnutls_x509_privkey_deinit (ca_key);
  gnutls_x509_privkey_deinit (other_ca_key);
  gnutls_x509_privkey_deinit (leaf_key);
  return certs;
}

static void
remove_file (char *path)
{
  if (path != NULL)
    g_unlink (path);
  g_free (path);
}

/**
 * tls_test_certs_free:
 * @certs: (transfer full): what tls_test_certs_new() made
 *
 * Deletes the files and the directory, and frees @certs.
 */
void
tls_test_certs_free (TlsTestCerts *certs)
{
  if (certs == NULL)
    return;
  remove_file (certs->ca_cert);
  remove_file (certs->ca_key);
  remove_file (certs->other_ca_cert);
  remove_file (certs->leaf_key);
  remove_file (certs->server_cert);
  remove_file (certs->expired_cert);
  remove_file (certs->not_yet_valid_cert);
  remove_file (certs->unknown_ca_cert);
  remove_file (certs->wrong_name_cert);
  remove_file (certs->client_cert);
  g_free (certs->server_fingerprint);
  g_free (certs->unknown_ca_fingerprint);
  g_rmdir (certs->dir);
  g_free (certs->dir);
  g_free (certs);
}
