/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gnutls/gnutls.h>

#include "weft-tls-options.h"
#include "weft-tls.h"

G_BEGIN_DECLS

#define WEFT_TLS_FINGERPRINT_SIZE 32 /* SHA-256 */

/* An immutable snapshot of a WeftTlsOptions, shared by the sessions started
 * with it: options may change afterwards without affecting them, and the
 * credentials (trust store, certificate, key) are loaded once per snapshot
 * rather than once per connection. */
typedef struct {
  grefcount ref_count;
  gboolean server;
  char *server_name;       /* nullable */
  GInetAddress *server_ip; /* when server_name is an IP literal */
  gboolean verify_peer;
  gboolean verify_hostname;
  GArray *pins;               /* of guint8[WEFT_TLS_FINGERPRINT_SIZE] */
  char **alpn;                /* nullable */
  gnutls_priority_t priority; /* NULL: GnuTLS' defaults */
  WeftTlsClientCertificateMode client_certificate_mode;
  gnutls_certificate_credentials_t credentials;
  WeftReactor *reactor;        /* nullable */
  gint64 handshake_timeout_us; /* 0: none */
} WeftTlsConfig;

WeftTlsConfig *weft_tls_options_get_config (WeftTlsOptions *options, GError **error);
WeftTlsConfig *weft_tls_config_ref (WeftTlsConfig *config);
void weft_tls_config_unref (WeftTlsConfig *config);

char *weft_tls_format_fingerprint (const guint8 *digest);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftTlsConfig, weft_tls_config_unref)

G_END_DECLS
