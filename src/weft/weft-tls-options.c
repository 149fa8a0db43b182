/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/x509.h>
#include <string.h>

#include "weft-tls-private.h"

/**
 * WeftTlsOptions:
 *
 * How one side of a TLS session behaves: its role, whom it trusts, how it
 * checks the peer, and what it presents. Give the same options to as many
 * connections as you like; see [class@Weft.TlsTransport].
 *
 * A client (weft_tls_options_new_client()) verifies the server by default:
 * the certificate chain must lead to a trusted authority (the system's trust
 * store, or the CA files given with weft_tls_options_add_ca_file()), be
 * valid now, and name the server (#WeftTlsOptions:server-name, which is
 * also sent as SNI unless it is an IP address, in which case the
 * certificate must list that address).
 *
 * Pinning: once fingerprints are added with
 * weft_tls_options_add_pinned_fingerprint(), the pin is what authenticates
 * the peer. Its certificate's SHA-256 fingerprint must be one of them, and
 * the authority, validity period and name checks are skipped, so a
 * self-signed certificate that the user has approved works. A certificate
 * that matches no pin is refused with %WEFT_TLS_ERROR_PIN_MISMATCH even if
 * an authority vouches for it. Pins apply to servers too, for client
 * certificates.
 *
 * A server (weft_tls_options_new_server()) needs a certificate and key
 * (weft_tls_options_set_certificate_files()) and may ask clients for
 * certificates (weft_tls_options_set_client_certificate_mode()), which are
 * verified against the same trust as a client's (without a name check).
 *
 * Options can be changed at any time: a session takes a snapshot of them
 * when it is created, so a change applies to sessions created afterwards.
 * Files are read, and checked, when they are given.
 */

struct _WeftTlsOptions {
  GObject parent_instance;

  gboolean server;
  char *server_name;
  gboolean verify_peer;
  gboolean verify_hostname;
  gboolean use_system_trust;
  GPtrArray *ca_pems; /* GBytes */
  GBytes *certificate_pem;
  GBytes *key_pem;
  WeftTlsClientCertificateMode client_certificate_mode;
  GArray *pins;
  char **alpn;
  char *priority;
  WeftReactor *reactor;
  gint64 handshake_timeout_us;

  WeftTlsConfig *config; /* the snapshot of the current settings, once made */
};

G_DEFINE_FINAL_TYPE (WeftTlsOptions, weft_tls_options, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (WeftTlsClientCertificateMode,
                    weft_tls_client_certificate_mode,
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_CLIENT_CERTIFICATE_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_CLIENT_CERTIFICATE_REQUEST, "request"),
                    G_DEFINE_ENUM_VALUE (WEFT_TLS_CLIENT_CERTIFICATE_REQUIRE, "require"))

/* Settings changed: the next session takes a new snapshot. */
static void
invalidate (WeftTlsOptions *self)
{
  g_clear_pointer (&self->config, weft_tls_config_unref);
}

static void
weft_tls_options_finalize (GObject *object)
{
  WeftTlsOptions *self = WEFT_TLS_OPTIONS (object);

  invalidate (self);
  g_free (self->server_name);
  g_ptr_array_unref (self->ca_pems);
  g_clear_pointer (&self->certificate_pem, g_bytes_unref);
  g_clear_pointer (&self->key_pem, g_bytes_unref);
  g_array_unref (self->pins);
  g_strfreev (self->alpn);
  g_free (self->priority);
  g_clear_object (&self->reactor);

  G_OBJECT_CLASS (weft_tls_options_parent_class)->finalize (object);
}

static void
weft_tls_options_class_init (WeftTlsOptionsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_tls_options_finalize;
}

static void
weft_tls_options_init (WeftTlsOptions *self)
{
  self->verify_peer = TRUE;
  self->verify_hostname = TRUE;
  self->use_system_trust = TRUE;
  self->handshake_timeout_us = WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT;
  self->ca_pems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->pins = g_array_new (FALSE, FALSE, WEFT_TLS_FINGERPRINT_SIZE);
}

/**
 * weft_tls_options_new_client:
 * @server_name: (nullable): the host name (or IP address) of the server,
 *   which its certificate must name; see weft_tls_options_set_server_name()
 *
 * Creates options for the client side of TLS sessions, verifying the server
 * against the system's trust store.
 *
 * Returns: (transfer full): new client options
 */
WeftTlsOptions *
weft_tls_options_new_client (const char *server_name)
{
  WeftTlsOptions *self = g_object_new (WEFT_TYPE_TLS_OPTIONS, NULL);

  weft_tls_options_set_server_name (self, server_name);
  return self;
}

/**
 * weft_tls_options_new_server:
 *
 * Creates options for the server side of TLS sessions. Give them a
 * certificate with weft_tls_options_set_certificate_files() before use.
 *
 * Returns: (transfer full): new server options
 */
WeftTlsOptions *
weft_tls_options_new_server (void)
{
  WeftTlsOptions *self = g_object_new (WEFT_TYPE_TLS_OPTIONS, NULL);

  self->server = TRUE;
  return self;
}

/**
 * weft_tls_options_is_server:
 * @options: TLS options
 *
 * Returns: %TRUE for server options, %FALSE for client options
 */
gboolean
weft_tls_options_is_server (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), FALSE);

  return options->server;
}

/**
 * weft_tls_options_set_server_name:
 * @options: client options
 * @server_name: (nullable): a host name or an IP address
 *
 * Sets the name a client expects the server's certificate to carry. A host
 * name is also sent to the server as SNI (Server Name Indication), so that
 * a server hosting several names can pick the right certificate; an IP
 * address is not sent, and must appear among the certificate's IP
 * addresses instead.
 */
void
weft_tls_options_set_server_name (WeftTlsOptions *options, const char *server_name)
{
  g_return_if_fail (WEFT_IS_TLS_OPTIONS (options));

  if (g_strcmp0 (options->server_name, server_name) == 0)
    return;
  g_free (options->server_name);
  options->server_name = g_strdup (server_name);
  invalidate (options);
}

/**
 * weft_tls_options_get_server_name:
 * @options: TLS options
 *
 * Returns: (transfer none) (nullable): the expected name of the server
 */
const char *
weft_tls_options_get_server_name (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), NULL);

  return options->server_name;
}

/**
 * weft_tls_options_set_verify_peer:
 * @options: TLS options
 * @verify_peer: whether to verify the peer's certificate
 *
 * Turns certificate verification on (the default) or off. Off, a client
 * accepts any server: the session is encrypted but anyone on the path can
 * impersonate the server. Meant for tests; pinned fingerprints are checked
 * either way.
 */
void
weft_tls_options_set_verify_peer (WeftTlsOptions *options, gboolean verify_peer)
{
  g_return_if_fail (WEFT_IS_TLS_OPTIONS (options));

  options->verify_peer = !!verify_peer;
  invalidate (options);
}

/**
 * weft_tls_options_get_verify_peer:
 * @options: TLS options
 *
 * Returns: whether the peer's certificate is verified
 */
gboolean
weft_tls_options_get_verify_peer (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), TRUE);

  return options->verify_peer;
}

/**
 * weft_tls_options_set_verify_hostname:
 * @options: client options
 * @verify_hostname: whether the server's certificate must name
 *   #WeftTlsOptions:server-name
 *
 * Turns the name check on (the default) or off. Off, any certificate from
 * a trusted authority is accepted, whatever name it carries.
 */
void
weft_tls_options_set_verify_hostname (WeftTlsOptions *options, gboolean verify_hostname)
{
  g_return_if_fail (WEFT_IS_TLS_OPTIONS (options));

  options->verify_hostname = !!verify_hostname;
  invalidate (options);
}

/**
 * weft_tls_options_get_verify_hostname:
 * @options: TLS options
 *
 * Returns: whether a client checks the name in the server's certificate
 */
gboolean
weft_tls_options_get_verify_hostname (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), TRUE);

  return options->verify_hostname;
}

/**
 * weft_tls_options_set_use_system_trust:
 * @options: TLS options
 * @use_system_trust: whether the system's trusted authorities are trusted
 *
 * Chooses whether the system's trust store is used. It is by default, until
 * weft_tls_options_add_ca_file() replaces it with specific authorities; call
 * this afterwards to trust both.
 */
void
weft_tls_options_set_use_system_trust (WeftTlsOptions *options, gboolean use_system_trust)
{
  g_return_if_fail (WEFT_IS_TLS_OPTIONS (options));

  options->use_system_trust = !!use_system_trust;
  invalidate (options);
}

/**
 * weft_tls_options_get_use_system_trust:
 * @options: TLS options
 *
 * Returns: whether the system's trust store is used
 */
gboolean
weft_tls_options_get_use_system_trust (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), FALSE);

  return options->use_system_trust;
}

static GBytes *
read_pem (const char *path, GError **error)
{
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  return g_bytes_new_take (contents, len);
}

static gnutls_datum_t
datum_from_bytes (GBytes *bytes)
{
  gsize len;
  gnutls_datum_t datum;

  datum.data = (unsigned char *) g_bytes_get_data (bytes, &len);
  datum.size = len;
  return datum;
}

/**
 * weft_tls_options_add_ca_file:
 * @options: TLS options
 * @path: (type filename): a PEM file holding one or more authority
 *   certificates
 * @error: return location for a #GError
 *
 * Trusts the authorities in @path to sign peer certificates. The first call
 * turns the system's trust store off (see
 * weft_tls_options_set_use_system_trust()), so that only these authorities
 * are trusted.
 *
 * Returns: %TRUE on success; %FALSE with @error set when the file cannot be
 *   read (a %G_FILE_ERROR) or holds no certificate
 *   (%WEFT_TLS_ERROR_BAD_OPTIONS)
 */
gboolean
weft_tls_options_add_ca_file (WeftTlsOptions *options, const char *path, GError **error)
{
  g_autoptr (GBytes) pem = NULL;
  gnutls_x509_crt_t *list = NULL;
  unsigned int n = 0;
  gnutls_datum_t datum;
  int ret;

  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pem = read_pem (path, error);
  if (pem == NULL)
    return FALSE;
  datum = datum_from_bytes (pem);
  ret = gnutls_x509_crt_list_import2 (&list, &n, &datum, GNUTLS_X509_FMT_PEM, 0);
  if (ret < 0 || n == 0)
    {
      g_set_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS, _ ("“%s” holds no usable PEM certificate: %s"),
                   path, ret < 0 ? gnutls_strerror (ret) : _ ("the file is empty"));
      return FALSE;
    }
  for (unsigned int i = 0; i < n; i++)
    gnutls_x509_crt_deinit (list[i]);
  gnutls_free (list);

  if (options->ca_pems->len == 0)
    options->use_system_trust = FALSE;
  g_ptr_array_add (options->ca_pems, g_steal_pointer (&pem));
  invalidate (options);
  return TRUE;
}

/**
 * weft_tls_options_set_certificate_files:
 * @options: TLS options
 * @certificate_path: (type filename): a PEM file with the certificate,
 *   followed by the intermediate certificates of its chain, if any
 * @key_path: (type filename): a PEM file with the certificate's private key
 *   (unencrypted)
 * @error: return location for a #GError
 *
 * Sets the certificate this side presents: a server's own, or a client's
 * certificate for servers that ask for one. Both files are read and checked
 * now, including that the key belongs to the certificate.
 *
 * Returns: %TRUE on success; %FALSE with @error set when a file cannot be
 *   read (a %G_FILE_ERROR), or does not hold a certificate or key, or they
 *   do not match (%WEFT_TLS_ERROR_BAD_OPTIONS)
 */
gboolean
weft_tls_options_set_certificate_files (WeftTlsOptions *options,
                                        const char *certificate_path,
                                        const char *key_path,
                                        GError **error)
{
  g_autoptr (GBytes) certificate = NULL;
  g_autoptr (GBytes) key = NULL;
  gnutls_certificate_credentials_t probe;
  gnutls_datum_t certificate_datum, key_datum;
  int ret;

  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), FALSE);
  g_return_val_if_fail (certificate_path != NULL, FALSE);
  g_return_val_if_fail (key_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  certificate = read_pem (certificate_path, error);
  if (certificate == NULL)
    return FALSE;
  key = read_pem (key_path, error);
  if (key == NULL)
    return FALSE;

  /* Loading them into throw-away credentials checks everything GnuTLS will
   * check later, with the same error codes. */
  certificate_datum = datum_from_bytes (certificate);
  key_datum = datum_from_bytes (key);
  ret = gnutls_certificate_allocate_credentials (&probe);
  if (ret >= 0)
    {
      ret = gnutls_certificate_set_x509_key_mem (probe, &certificate_datum, &key_datum, GNUTLS_X509_FMT_PEM);
      gnutls_certificate_free_credentials (probe);
    }
  if (ret < 0)
    {
      g_set_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS,
                   _ ("Cannot use the certificate “%s” with the key “%s”: %s"), certificate_path, key_path,
                   gnutls_strerror (ret));
      return FALSE;
    }

  g_clear_pointer (&options->certificate_pem, g_bytes_unref);
  g_clear_pointer (&options->key_pem, g_bytes_unref);
  options->certificate_pem = g_steal_pointer (&certificate);
  options->key_pem = g_steal_pointer (&key);
  invalidate (options);
  return TRUE;
}

/**
 * weft_tls_options_has_certificate:
 * @options: TLS options
 *
 * Returns: %TRUE once weft_tls_options_set_certificate_files() succeeded
 */
gboolean
weft_tls_options_has_certificate (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), FALSE);

  return options->certificate_pem != NULL;
}

/**
 * weft_tls_options_set_client_certificate_mode:
 * @options: server options
 * @mode: whether to ask clients for a certificate
 *
 * Chooses whether a server asks for client certificates, and whether it
 * insists. A certificate a client presents is verified against the trusted
 * authorities (or pins), without a name check.
 */
void
weft_tls_options_set_client_certificate_mode (WeftTlsOptions *options, WeftTlsClientCertificateMode mode)
{
  g_return_if_fail (WEFT_IS_TLS_OPTIONS (options));
  g_return_if_fail (mode <= WEFT_TLS_CLIENT_CERTIFICATE_REQUIRE);

  options->client_certificate_mode = mode;
  invalidate (options);
}

/**
 * weft_tls_options_get_client_certificate_mode:
 * @options: TLS options
 *
 * Returns: whether a server asks clients for certificates
 */
WeftTlsClientCertificateMode
weft_tls_options_get_client_certificate_mode (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), WEFT_TLS_CLIENT_CERTIFICATE_NONE);

  return options->client_certificate_mode;
}

static gboolean
parse_fingerprint (const char *text, guint8 *digest)
{
  gsize n = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      int high, low;

      if (*p == ':' && n > 0 && p[1] != '\0' && p[1] != ':')
        continue;
      high = g_ascii_xdigit_value (p[0]);
      low = p[1] != '\0' ? g_ascii_xdigit_value (p[1]) : -1;
      if (high < 0 || low < 0 || n == WEFT_TLS_FINGERPRINT_SIZE)
        return FALSE;
      digest[n++] = (high << 4) | low;
      p++;
    }
  return n == WEFT_TLS_FINGERPRINT_SIZE;
}

/**
 * weft_tls_options_add_pinned_fingerprint:
 * @options: TLS options
 * @sha256: the SHA-256 fingerprint of an acceptable peer certificate (of the
 *   whole certificate, in DER form), as 64 hexadecimal digits, in either
 *   case, optionally in pairs separated by colons (`"AB:CD:..."`, as
 *   weft_tls_transport_get_peer_fingerprint() and `openssl x509 -fingerprint
 *   -sha256` print it)
 * @error: return location for a #GError
 *
 * Pins a certificate: from now on the peer must present a certificate with
 * this fingerprint or another pinned one, and the pin replaces the
 * authority, validity and name checks (see [class@Weft.TlsOptions]).
 *
 * Returns: %TRUE on success; %FALSE with a %WEFT_TLS_ERROR_BAD_OPTIONS
 *   error if @sha256 is not a SHA-256 fingerprint
 */
gboolean
weft_tls_options_add_pinned_fingerprint (WeftTlsOptions *options, const char *sha256, GError **error)
{
  guint8 digest[WEFT_TLS_FINGERPRINT_SIZE];

  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), FALSE);
  g_return_val_if_fail (sha256 != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!parse_fingerprint (sha256, digest))
    {
      g_set_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS,
                   _ ("“%s” is not a SHA-256 fingerprint: expected 64 hexadecimal digits, optionally in pairs "
                      "separated by colons"),
                   sha256);
      return FALSE;
    }
  g_array_append_val (options->pins, digest);
  invalidate (options);
  return TRUE;
}

/**
 * weft_tls_options_clear_pinned_fingerprints:
 * @options: TLS options
 *
 * Removes all pins: the peer is verified against the trusted authorities
 * again.
 */
void
weft_tls_options_clear_pinned_fingerprints (WeftTlsOptions *options)
{
  g_return_if_fail (WEFT_IS_TLS_OPTIONS (options));

  g_array_set_size (options->pins, 0);
  invalidate (options);
}

/**
 * weft_tls_options_get_n_pinned_fingerprints:
 * @options: TLS options
 *
 * Returns: how many fingerprints are pinned
 */
guint
weft_tls_options_get_n_pinned_fingerprints (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), 0);

  return options->pins->len;
}

/**
 * weft_tls_options_set_alpn_protocols:
 * @options: TLS options
 * @protocols: (array zero-terminated=1) (nullable): protocol names
 *   (`"h2"`, `"http/1.1"`, `"irc"`), most preferred first, or %NULL for no
 *   ALPN
 *
 * Sets the protocols for Application-Layer Protocol Negotiation. A client
 * offers them; a server picks the first of the client's offers that it
 * also lists, or none (the session goes on without one). The result is
 * weft_tls_transport_get_negotiated_protocol().
 */
void
weft_tls_options_set_alpn_protocols (WeftTlsOptions *options, const char *const *protocols)
{
  g_return_if_fail (WEFT_IS_TLS_OPTIONS (options));

  for (gsize i = 0; protocols != NULL && protocols[i] != NULL; i++)
    g_return_if_fail (protocols[i][0] != '\0' && strlen (protocols[i]) <= 255);

  g_strfreev (options->alpn);
  options->alpn = protocols != NULL && protocols[0] != NULL ? g_strdupv ((char **) protocols) : NULL;
  invalidate (options);
}

/**
 * weft_tls_options_get_alpn_protocols:
 * @options: TLS options
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): the ALPN
 *   protocols, or %NULL
 */
const char *const *
weft_tls_options_get_alpn_protocols (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), NULL);

  return (const char *const *) options->alpn;
}

static gboolean
make_priority (const char *priority, gnutls_priority_t *cache, GError **error)
{
  const char *error_position = NULL;
  int ret = gnutls_priority_init (cache, priority, &error_position);

  if (ret < 0)
    {
      g_set_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS,
                   _ ("Invalid TLS priority string “%s” (at “%s”): %s"), priority,
                   error_position != NULL ? error_position : "", gnutls_strerror (ret));
      return FALSE;
    }
  return TRUE;
}

/**
 * weft_tls_options_set_priority:
 * @options: TLS options
 * @priority: (nullable): a GnuTLS priority string such as
 *   `"NORMAL:-VERS-ALL:+VERS-TLS1.3"`, or %NULL for the system's defaults
 * @error: return location for a #GError
 *
 * Restricts the protocol versions, cipher suites and other parameters of
 * the handshake (see the GnuTLS manual, "Priority strings"). The defaults
 * follow the system's crypto policy and are what most programs should use.
 *
 * Returns: %TRUE on success; %FALSE with a %WEFT_TLS_ERROR_BAD_OPTIONS
 *   error if GnuTLS does not accept @priority
 */
gboolean
weft_tls_options_set_priority (WeftTlsOptions *options, const char *priority, GError **error)
{
  gnutls_priority_t cache;

  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (priority != NULL)
    {
      if (!make_priority (priority, &cache, error))
        return FALSE;
      gnutls_priority_deinit (cache);
    }
  g_free (options->priority);
  options->priority = g_strdup (priority);
  invalidate (options);
  return TRUE;
}

/**
 * weft_tls_options_get_priority:
 * @options: TLS options
 *
 * Returns: (transfer none) (nullable): the priority string, or %NULL for the
 *   defaults
 */
const char *
weft_tls_options_get_priority (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), NULL);

  return options->priority;
}

/**
 * weft_tls_options_set_reactor:
 * @options: TLS options
 * @reactor: (nullable): the reactor the sessions run on
 *
 * Lets sessions defer work to @reactor. When the wrapped protocol resumes
 * reading (weft_transport_resume_reading()) while decrypted data is waiting,
 * that data is delivered from a weft_reactor_call_soon() call; without a
 * reactor it is delivered before weft_transport_resume_reading() returns.
 * The options keep a reference to @reactor.
 */
void
weft_tls_options_set_reactor (WeftTlsOptions *options, WeftReactor *reactor)
{
  g_return_if_fail (WEFT_IS_TLS_OPTIONS (options));
  g_return_if_fail (reactor == NULL || WEFT_IS_REACTOR (reactor));

  if (g_set_object (&options->reactor, reactor))
    invalidate (options);
}

/**
 * weft_tls_options_get_reactor:
 * @options: TLS options
 *
 * Returns: (transfer none) (nullable): the reactor given to
 *   weft_tls_options_set_reactor()
 */
WeftReactor *
weft_tls_options_get_reactor (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), NULL);

  return options->reactor;
}

/**
 * weft_tls_options_set_handshake_timeout:
 * @options: TLS options
 * @timeout_us: how long a handshake may take, in microseconds; 0 for no
 *   limit
 *
 * Bounds the handshake of sessions started with @options (the default is
 * %WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT). The clock starts when the
 * transport below is connected; a handshake that has not finished in time
 * fails with %G_IO_ERROR_TIMED_OUT and the connection is aborted. The
 * limit needs a reactor (weft_tls_options_set_reactor(), which endpoints
 * set): without one it is not enforced.
 */
void
weft_tls_options_set_handshake_timeout (WeftTlsOptions *options, gint64 timeout_us)
{
  g_return_if_fail (WEFT_IS_TLS_OPTIONS (options));
  g_return_if_fail (timeout_us >= 0);

  if (options->handshake_timeout_us == timeout_us)
    return;
  options->handshake_timeout_us = timeout_us;
  invalidate (options);
}

/**
 * weft_tls_options_get_handshake_timeout:
 * @options: TLS options
 *
 * Returns: how long a handshake may take, in microseconds; 0 for no limit
 */
gint64
weft_tls_options_get_handshake_timeout (WeftTlsOptions *options)
{
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), 0);

  return options->handshake_timeout_us;
}

/* Snapshots */

WeftTlsConfig *
weft_tls_config_ref (WeftTlsConfig *config)
{
  g_ref_count_inc (&config->ref_count);
  return config;
}

void
weft_tls_config_unref (WeftTlsConfig *config)
{
  if (!g_ref_count_dec (&config->ref_count))
    return;
  g_free (config->server_name);
  g_clear_object (&config->server_ip);
  g_array_unref (config->pins);
  g_strfreev (config->alpn);
  if (config->priority != NULL)
    gnutls_priority_deinit (config->priority);
  if (config->credentials != NULL)
    gnutls_certificate_free_credentials (config->credentials);
  g_clear_object (&config->reactor);
  g_free (config);
}

static gboolean
load_credentials (WeftTlsOptions *self, WeftTlsConfig *config, GError **error)
{
  int ret = gnutls_certificate_allocate_credentials (&config->credentials);

  if (ret < 0)
    {
      g_set_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_FAILED, _ ("Cannot set up TLS credentials: %s"),
                   gnutls_strerror (ret));
      return FALSE;
    }
  if (self->use_system_trust)
    {
      ret = gnutls_certificate_set_x509_system_trust (config->credentials);
      /* Not fatal: without a trust store, verification fails later with
       * an "unknown issuer" error that says what is wrong. */
      if (ret < 0)
        g_debug ("TLS: the system trust store cannot be loaded: %s", gnutls_strerror (ret));
    }
  for (guint i = 0; i < self->ca_pems->len; i++)
    {
      gnutls_datum_t datum = datum_from_bytes (g_ptr_array_index (self->ca_pems, i));

      ret = gnutls_certificate_set_x509_trust_mem (config->credentials, &datum, GNUTLS_X509_FMT_PEM);
      if (ret < 0)
        {
          g_set_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS, _ ("Cannot load a CA certificate: %s"),
                       gnutls_strerror (ret));
          return FALSE;
        }
    }
  if (self->certificate_pem != NULL)
    {
      gnutls_datum_t certificate = datum_from_bytes (self->certificate_pem);
      gnutls_datum_t key = datum_from_bytes (self->key_pem);

      ret = gnutls_certificate_set_x509_key_mem (config->credentials, &certificate, &key, GNUTLS_X509_FMT_PEM);
      if (ret < 0)
        {
          g_set_error (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS, _ ("Cannot load the certificate and key: %s"),
                       gnutls_strerror (ret));
          return FALSE;
        }
    }
  return TRUE;
}

/* Returns a new reference to the snapshot of the current settings, making
 * it when needed, or NULL with an error when they cannot be used. */
WeftTlsConfig *
weft_tls_options_get_config (WeftTlsOptions *options, GError **error)
{
  g_autoptr (WeftTlsConfig) config = NULL;

  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), NULL);

  if (options->config != NULL)
    return weft_tls_config_ref (options->config);

  if (options->server && options->certificate_pem == NULL)
    {
      g_set_error_literal (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS,
                           _ ("A TLS server needs a certificate and its key."));
      return NULL;
    }
  if (!options->server && options->verify_peer && options->verify_hostname && options->pins->len == 0 &&
      (options->server_name == NULL || options->server_name[0] == '\0'))
    {
      g_set_error_literal (error, WEFT_TLS_ERROR, WEFT_TLS_ERROR_BAD_OPTIONS,
                           _ ("No server name to check the server’s certificate against: set one, or turn "
                              "host name verification off."));
      return NULL;
    }

  config = g_new0 (WeftTlsConfig, 1);
  g_ref_count_init (&config->ref_count);
  config->server = options->server;
  config->server_name = g_strdup (options->server_name);
  if (config->server_name != NULL)
    config->server_ip = g_inet_address_new_from_string (config->server_name);
  config->verify_peer = options->verify_peer;
  config->verify_hostname = options->verify_hostname;
  config->pins = g_array_copy (options->pins);
  config->alpn = g_strdupv (options->alpn);
  config->client_certificate_mode = options->client_certificate_mode;
  config->reactor = options->reactor != NULL ? g_object_ref (options->reactor) : NULL;
  config->handshake_timeout_us = options->handshake_timeout_us;
  if (options->priority != NULL && !make_priority (options->priority, &config->priority, error))
    return NULL;
  if (!load_credentials (options, config, error))
    return NULL;

  options->config = weft_tls_config_ref (config);
  return g_steal_pointer (&config);
}

char *
weft_tls_format_fingerprint (const guint8 *digest)
{
  GString *hex = g_string_sized_new (WEFT_TLS_FINGERPRINT_SIZE * 3);

  for (gsize i = 0; i < WEFT_TLS_FINGERPRINT_SIZE; i++)
    g_string_append_printf (hex, i == 0 ? "%02X" : ":%02X", digest[i]);
  return g_string_free (hex, FALSE);
}
