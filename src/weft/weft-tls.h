/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-deferred.h"
#include "weft-factory.h"
#include "weft-protocol.h"
#include "weft-tls-options.h"
#include "weft-transport.h"

G_BEGIN_DECLS

/**
 * WEFT_TLS_ERROR:
 *
 * The error domain of TLS failures: options that cannot be used, failed
 * handshakes, certificates that do not verify, and sessions that end
 * without a TLS close notification.
 */
#define WEFT_TLS_ERROR (weft_tls_error_quark ())

/**
 * WeftTlsError:
 * @WEFT_TLS_ERROR_FAILED: a TLS failure without a more specific code
 * @WEFT_TLS_ERROR_BAD_OPTIONS: the [class@Weft.TlsOptions] cannot be used:
 *   a certificate, key or CA file that cannot be read or parsed, a malformed
 *   fingerprint or priority string, a client without a server name to
 *   verify, a server without a certificate
 * @WEFT_TLS_ERROR_NOT_TLS: the peer sent something that is not TLS (a
 *   plain-text greeting, an HTTP request)
 * @WEFT_TLS_ERROR_HANDSHAKE: the handshake failed on this side: no protocol
 *   version or cipher suite in common, a malformed or unexpected message
 * @WEFT_TLS_ERROR_PEER_ALERT: the peer ended the session with a fatal
 *   alert, typically because it rejected this side's certificate or
 *   parameters; the message names the alert
 * @WEFT_TLS_ERROR_CERTIFICATE_EXPIRED: the peer's certificate (or one in
 *   its chain) has expired
 * @WEFT_TLS_ERROR_CERTIFICATE_NOT_ACTIVATED: the peer's certificate (or
 *   one in its chain) is not valid yet
 * @WEFT_TLS_ERROR_UNKNOWN_ISSUER: the peer's certificate was not issued by
 *   a trusted authority (self-signed, or its signer was not found)
 * @WEFT_TLS_ERROR_BAD_IDENTITY: the certificate does not name the host that
 *   was connected to
 * @WEFT_TLS_ERROR_REVOKED: the certificate has been revoked
 * @WEFT_TLS_ERROR_INSECURE: the certificate uses an algorithm that is no
 *   longer considered secure
 * @WEFT_TLS_ERROR_BAD_CERTIFICATE: the certificate failed verification for
 *   another reason (bad signature, wrong purpose, missing)
 * @WEFT_TLS_ERROR_PIN_MISMATCH: the certificate's SHA-256 fingerprint
 *   matches none of the pinned ones
 * @WEFT_TLS_ERROR_CERTIFICATE_REQUIRED: the server requires a client
 *   certificate and the client sent none
 * @WEFT_TLS_ERROR_EOF: the connection ended without a TLS close
 *   notification: what arrived last may have been cut short (truncation)
 *
 * Error codes in the %WEFT_TLS_ERROR domain.
 */
typedef enum {
  WEFT_TLS_ERROR_FAILED,
  WEFT_TLS_ERROR_BAD_OPTIONS,
  WEFT_TLS_ERROR_NOT_TLS,
  WEFT_TLS_ERROR_HANDSHAKE,
  WEFT_TLS_ERROR_PEER_ALERT,
  WEFT_TLS_ERROR_CERTIFICATE_EXPIRED,
  WEFT_TLS_ERROR_CERTIFICATE_NOT_ACTIVATED,
  WEFT_TLS_ERROR_UNKNOWN_ISSUER,
  WEFT_TLS_ERROR_BAD_IDENTITY,
  WEFT_TLS_ERROR_REVOKED,
  WEFT_TLS_ERROR_INSECURE,
  WEFT_TLS_ERROR_BAD_CERTIFICATE,
  WEFT_TLS_ERROR_PIN_MISMATCH,
  WEFT_TLS_ERROR_CERTIFICATE_REQUIRED,
  WEFT_TLS_ERROR_EOF,
} WeftTlsError;

WEFT_AVAILABLE_IN_ALL
GType weft_tls_error_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_TLS_ERROR_ENUM (weft_tls_error_get_type ())

WEFT_AVAILABLE_IN_ALL
GQuark weft_tls_error_quark (void);

#define WEFT_TYPE_TLS_TRANSPORT (weft_tls_transport_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftTlsTransport, weft_tls_transport, WEFT, TLS_TRANSPORT, WeftProtocol)

WEFT_AVAILABLE_IN_ALL
WeftTlsTransport *weft_tls_transport_new (WeftProtocol *protocol, WeftTlsOptions *options, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftTlsTransport *weft_tls_start (WeftTransport *transport,
                                  WeftProtocol *protocol,
                                  WeftTlsOptions *options,
                                  GError **error);

WEFT_AVAILABLE_IN_ALL
WeftTransport *weft_tls_transport_get_lower_transport (WeftTlsTransport *tls);
WEFT_AVAILABLE_IN_ALL
WeftProtocol *weft_tls_transport_get_wrapped_protocol (WeftTlsTransport *tls);
WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_transport_is_server (WeftTlsTransport *tls);

WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_transport_is_handshake_done (WeftTlsTransport *tls);
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_tls_transport_get_handshake_deferred (WeftTlsTransport *tls) G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
const char *weft_tls_transport_get_negotiated_protocol (WeftTlsTransport *tls);
WEFT_AVAILABLE_IN_ALL
const char *weft_tls_transport_get_server_name (WeftTlsTransport *tls);
WEFT_AVAILABLE_IN_ALL
const char *weft_tls_transport_get_protocol_version (WeftTlsTransport *tls);
WEFT_AVAILABLE_IN_ALL
char *weft_tls_transport_get_session_description (WeftTlsTransport *tls) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
GBytes *weft_tls_transport_get_peer_certificate (WeftTlsTransport *tls) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
char *weft_tls_transport_get_peer_fingerprint (WeftTlsTransport *tls) G_GNUC_WARN_UNUSED_RESULT;

#define WEFT_TYPE_TLS_FACTORY (weft_tls_factory_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftTlsFactory, weft_tls_factory, WEFT, TLS_FACTORY, WeftClientFactory)

WEFT_AVAILABLE_IN_ALL
WeftTlsFactory *weft_tls_factory_new (WeftFactory *wrapped, WeftTlsOptions *options, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftFactory *weft_tls_factory_get_wrapped_factory (WeftTlsFactory *factory);
WEFT_AVAILABLE_IN_ALL
WeftTlsOptions *weft_tls_factory_get_options (WeftTlsFactory *factory);

G_END_DECLS
