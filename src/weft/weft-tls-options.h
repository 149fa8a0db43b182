/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-reactor.h"

G_BEGIN_DECLS

/**
 * WeftTlsClientCertificateMode:
 * @WEFT_TLS_CLIENT_CERTIFICATE_NONE: a server does not ask clients for a
 *   certificate (the default)
 * @WEFT_TLS_CLIENT_CERTIFICATE_REQUEST: a server asks for one; a client
 *   without a certificate is still accepted, one with a certificate that
 *   fails verification is not
 * @WEFT_TLS_CLIENT_CERTIFICATE_REQUIRE: a server refuses clients that do
 *   not present a certificate that passes verification
 *
 * Whether a TLS server asks its clients for certificates; see
 * weft_tls_options_set_client_certificate_mode().
 */
typedef enum {
  WEFT_TLS_CLIENT_CERTIFICATE_NONE,
  WEFT_TLS_CLIENT_CERTIFICATE_REQUEST,
  WEFT_TLS_CLIENT_CERTIFICATE_REQUIRE,
} WeftTlsClientCertificateMode;

WEFT_AVAILABLE_IN_ALL
GType weft_tls_client_certificate_mode_get_type (void) G_GNUC_CONST;
/**
 * WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT:
 *
 * How long, in microseconds, a TLS handshake may take unless
 * weft_tls_options_set_handshake_timeout() says otherwise: 30 seconds. A
 * peer that connects and never finishes its handshake would otherwise hold
 * a connection and its memory for as long as it likes.
 */
#define WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT (30 * G_USEC_PER_SEC)

#define WEFT_TYPE_TLS_CLIENT_CERTIFICATE_MODE (weft_tls_client_certificate_mode_get_type ())

#define WEFT_TYPE_TLS_OPTIONS (weft_tls_options_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftTlsOptions, weft_tls_options, WEFT, TLS_OPTIONS, GObject)

WEFT_AVAILABLE_IN_ALL
WeftTlsOptions *weft_tls_options_new_client (const char *server_name) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftTlsOptions *weft_tls_options_new_server (void) G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_options_is_server (WeftTlsOptions *options);

WEFT_AVAILABLE_IN_ALL
void weft_tls_options_set_server_name (WeftTlsOptions *options, const char *server_name);
WEFT_AVAILABLE_IN_ALL
const char *weft_tls_options_get_server_name (WeftTlsOptions *options);

WEFT_AVAILABLE_IN_ALL
void weft_tls_options_set_verify_peer (WeftTlsOptions *options, gboolean verify_peer);
WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_options_get_verify_peer (WeftTlsOptions *options);
WEFT_AVAILABLE_IN_ALL
void weft_tls_options_set_verify_hostname (WeftTlsOptions *options, gboolean verify_hostname);
WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_options_get_verify_hostname (WeftTlsOptions *options);

WEFT_AVAILABLE_IN_ALL
void weft_tls_options_set_use_system_trust (WeftTlsOptions *options, gboolean use_system_trust);
WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_options_get_use_system_trust (WeftTlsOptions *options);
WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_options_add_ca_file (WeftTlsOptions *options, const char *path, GError **error);

WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_options_set_certificate_files (WeftTlsOptions *options,
                                                 const char *certificate_path,
                                                 const char *key_path,
                                                 GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_options_has_certificate (WeftTlsOptions *options);

WEFT_AVAILABLE_IN_ALL
void weft_tls_options_set_client_certificate_mode (WeftTlsOptions *options, WeftTlsClientCertificateMode mode);
WEFT_AVAILABLE_IN_ALL
WeftTlsClientCertificateMode weft_tls_options_get_client_certificate_mode (WeftTlsOptions *options);

WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_options_add_pinned_fingerprint (WeftTlsOptions *options, const char *sha256, GError **error);
WEFT_AVAILABLE_IN_ALL
void weft_tls_options_clear_pinned_fingerprints (WeftTlsOptions *options);
WEFT_AVAILABLE_IN_ALL
guint weft_tls_options_get_n_pinned_fingerprints (WeftTlsOptions *options);

WEFT_AVAILABLE_IN_ALL
void weft_tls_options_set_alpn_protocols (WeftTlsOptions *options, const char *const *protocols);
WEFT_AVAILABLE_IN_ALL
const char *const *weft_tls_options_get_alpn_protocols (WeftTlsOptions *options);

WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_options_set_priority (WeftTlsOptions *options, const char *priority, GError **error);
WEFT_AVAILABLE_IN_ALL
const char *weft_tls_options_get_priority (WeftTlsOptions *options);
WEFT_AVAILABLE_IN_ALL
void weft_tls_options_set_handshake_timeout (WeftTlsOptions *options, gint64 timeout_us);
WEFT_AVAILABLE_IN_ALL
gint64 weft_tls_options_get_handshake_timeout (WeftTlsOptions *options);

WEFT_AVAILABLE_IN_ALL
void weft_tls_options_set_reactor (WeftTlsOptions *options, WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
WeftReactor *weft_tls_options_get_reactor (WeftTlsOptions *options);

G_END_DECLS
