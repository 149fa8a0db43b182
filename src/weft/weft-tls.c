/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Starting TLS: wrapping a protocol, and TLS on a live connection. */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "weft-error.h"
#include "weft-tls-transport-private.h"

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

  return weft_tls_transport_create (protocol, options, error);
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

  self = weft_tls_transport_create (protocol, options, error);
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

  return weft_tls_lower_transport (tls);
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
    return weft_deferred_fail_take_error (g_error_copy (tls->reason));
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
