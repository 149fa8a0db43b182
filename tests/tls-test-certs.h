/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Certificates for the TLS tests, made at run time with GnuTLS and written
 * as PEM files to a fresh temporary directory. Every path below is a file in
 * @dir. Leaf certificates share one key pair, so any *_cert goes with
 * leaf_key. */
typedef struct {
  char *dir;

  char *ca_cert; /* the authority the tests trust */
  char *ca_key;
  char *other_ca_cert; /* an authority nobody trusts */

  char *leaf_key; /* the key of every certificate below */

  char *server_cert;        /* "localhost" and 127.0.0.1, by ca_cert */
  char *expired_cert;       /* "localhost", by ca_cert, expired a year ago */
  char *not_yet_valid_cert; /* "localhost", by ca_cert, valid from next year */
  char *unknown_ca_cert;    /* "localhost", by other_ca_cert */
  char *wrong_name_cert;    /* "wrong.example" only, by ca_cert */
  char *client_cert;        /* "weft test client", for client authentication, by ca_cert */

  char *server_fingerprint; /* SHA-256 of server_cert's DER, "AB:CD:..." */
  char *unknown_ca_fingerprint;
} TlsTestCerts;

TlsTestCerts *tls_test_certs_new (void);
void tls_test_certs_free (TlsTestCerts *certs);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TlsTestCerts, tls_test_certs_free)

G_END_DECLS
