/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "wcs-tls.h"

static gboolean
check (int rc, const char *what, GError **error)
{
  if (rc >= 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("Could not generate a TLS certificate (%s): %s"), what,
               gnutls_strerror (rc));
  return FALSE;
}

static gboolean
write_datum (const char *path, const gnutls_datum_t *datum, int mode, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);

  if (!g_file_set_contents_full (tmp, (const char *) datum->data, datum->size,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, mode, error))
    return FALSE;
  if (g_rename (tmp, path) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), _ ("Could not write %s: %s"), path,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
wcs_tls_ensure_self_signed (const char *cert_path, const char *key_path, const char *hostname, GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t key_pem = { NULL, 0 }, crt_pem = { NULL, 0 };
  guint8 serial[16];
  time_t now = time (NULL);
  gboolean ok = FALSE;

  if (g_file_test (cert_path, G_FILE_TEST_EXISTS) && g_file_test (key_path, G_FILE_TEST_EXISTS))
    return TRUE;

  if (!check (gnutls_x509_privkey_init (&key), "key", error) ||
      !check (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0),
              "key", error) ||
      !check (gnutls_x509_crt_init (&crt), "certificate", error) ||
      !check (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial), "serial", error))
    goto out;
  serial[0] &= 0x7f; /* a positive serial number */
  if (!check (gnutls_x509_crt_set_version (crt, 3), "version", error) ||
      !check (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "serial", error) ||
      !check (gnutls_x509_crt_set_activation_time (crt, now - 3600), "validity", error) ||
      !check (gnutls_x509_crt_set_expiration_time (crt, now + 10 * 365 * 24 * 3600), "validity", error) ||
      !check (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, hostname, strlen (hostname)), "name",
              error) ||
      !check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, hostname, strlen (hostname),
                                                    GNUTLS_FSAN_SET),
              "name", error) ||
      !check (gnutls_x509_crt_set_key (crt, key), "key", error) ||
      !check (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE), "usage", error) ||
      !check (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0), "usage", error) ||
      !check (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), "signature", error) ||
      !check (gnutls_x509_privkey_export2 (key, GNUTLS_X509_FMT_PEM, &key_pem), "export", error) ||
      !check (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &crt_pem), "export", error))
    goto out;
  ok = write_datum (key_path, &key_pem, 0600, error) && write_datum (cert_path, &crt_pem, 0644, error);
  if (ok)
    g_message ("Generated a self-signed TLS certificate for %s in %s", hostname, cert_path);

out:
  gnutls_free (key_pem.data);
  gnutls_free (crt_pem.data);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  return ok;
}
