/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* TLS client and server endpoints. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "weft-endpoint-private.h"
#include "weft-error.h"
#include "weft-happy-eyeballs-private.h"
#include "weft-listening-port.h"
#include "weft-resolver-private.h"
#include "weft-resolver.h"
#include "weft-tcp.h"
#include "weft-tls.h"
#include "weft-unix.h"

/* WeftTlsClientEndpoint */

/**
 * WeftTlsClientEndpoint:
 *
 * TLS over another client endpoint (Twisted's `wrapClientTLS`): connects
 * the wrapped endpoint, runs the handshake, and fires with the caller's
 * protocol once the server has been verified.
 *
 * The server is verified against the system's authorities, or only against
 * #WeftTlsClientEndpoint:ca-file when it is set, and must carry
 * #WeftTlsClientEndpoint:server-name; a #WeftTlsClientEndpoint:fingerprint
 * pins its certificate instead (see [class@Weft.TlsOptions]).
 *
 * As in Twisted, the protocol is connected to the TLS transport as soon as
 * the lower connection is up (what it writes waits for the handshake), so
 * when the handshake fails it sees connection_lost, while the factory and
 * the caller's deferred see a failed attempt.
 */
G_DEFINE_FINAL_TYPE (WeftTlsClientEndpoint, weft_tls_client_endpoint, WEFT_TYPE_CLIENT_ENDPOINT)

enum {
  PROP_TLS_CLIENT_0,
  PROP_TLS_CLIENT_WRAPPED,
  PROP_TLS_CLIENT_SERVER_NAME,
  PROP_TLS_CLIENT_CA_FILE,
  PROP_TLS_CLIENT_FINGERPRINT,
  PROP_TLS_CLIENT_CERTIFICATE_FILE,
  PROP_TLS_CLIENT_KEY_FILE,
  N_TLS_CLIENT_PROPS
};

static GParamSpec *tls_client_properties[N_TLS_CLIENT_PROPS];

static WeftTlsOptions *
tls_client_options (WeftTlsClientEndpoint *self, GError **error)
{
  g_autoptr (WeftTlsOptions) options = weft_tls_options_new_client (self->server_name);

  weft_tls_options_set_reactor (options, weft_endpoint_get_reactor (WEFT_ENDPOINT (self)));
  weft_tls_options_set_handshake_timeout (options, self->handshake_timeout_us);
  if (self->ca_file != NULL)
    {
      weft_tls_options_set_use_system_trust (options, FALSE);
      if (!weft_tls_options_add_ca_file (options, self->ca_file, error))
        return NULL;
    }
  if (self->fingerprint != NULL && !weft_tls_options_add_pinned_fingerprint (options, self->fingerprint, error))
    return NULL;
  if (self->certificate_file != NULL &&
      !weft_tls_options_set_certificate_files (options, self->certificate_file, self->key_file, error))
    return NULL;
  return g_steal_pointer (&options);
}

void
weft_forward_lost (const GError *reason, gpointer user_data)
{
  WeftClientFactory *factory = user_data;

  weft_client_factory_client_connection_lost (factory, NULL, reason);
}

/* Waits for the handshake; cancelling aborts the connection. */
typedef struct {
  WeftDeferred *deferred;
  WeftTlsTransport *tls;
} TlsHandshake;

static void
tls_handshake_free (gpointer data)
{
  TlsHandshake *handshake = data;

  g_clear_object (&handshake->deferred);
  g_clear_object (&handshake->tls);
  g_free (handshake);
}

static WeftDeferred *
tls_handshake_done (WeftResult *result, gpointer user_data)
{
  TlsHandshake *handshake = user_data;
  g_autoptr (WeftDeferred) deferred = g_steal_pointer (&handshake->deferred);

  if (deferred == NULL || weft_deferred_has_fired (deferred))
    {
      weft_result_clear (result);
      return NULL;
    }
  if (weft_result_is_error (result))
    weft_deferred_errback_take_error (deferred, g_error_copy (weft_result_get_error (result)));
  else
    weft_deferred_callback_object (deferred, weft_tls_transport_get_wrapped_protocol (handshake->tls));
  weft_result_clear (result);
  return NULL;
}

static void
tls_handshake_cancel (WeftDeferred *deferred, gpointer user_data)
{
  TlsHandshake *handshake = user_data;
  WeftTransport *lower = weft_tls_transport_get_lower_transport (handshake->tls);

  g_clear_object (&handshake->deferred);
  if (lower != NULL)
    weft_transport_abort_connection (lower);
}

static WeftDeferred *
tls_client_connected (WeftResult *result, gpointer user_data)
{
  TlsHandshake *handshake;
  WeftDeferred *deferred;
  g_autoptr (WeftDeferred) handshake_deferred = NULL;

  if (!weft_result_holds (result, WEFT_TYPE_TLS_TRANSPORT))
    {
      weft_result_set_new_error (result, WEFT_ERROR, WEFT_ERROR_FAILED, "The TLS endpoint connected without TLS");
      return NULL;
    }

  handshake = g_new0 (TlsHandshake, 1);
  handshake->tls = weft_result_dup_object (result);
  deferred = weft_deferred_new_with_canceller (tls_handshake_cancel, handshake, NULL);
  weft_deferred_set_description (deferred, _ ("The TLS handshake"));
  handshake->deferred = g_object_ref (deferred);
  handshake_deferred = weft_tls_transport_get_handshake_deferred (handshake->tls);
  weft_deferred_add_both (handshake_deferred, tls_handshake_done, handshake, tls_handshake_free);
  return deferred;
}

static WeftDeferred *
weft_tls_client_endpoint_connect (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
{
  WeftTlsClientEndpoint *self = WEFT_TLS_CLIENT_ENDPOINT (endpoint);
  g_autoptr (WeftTlsOptions) options = NULL;
  g_autoptr (WeftTlsFactory) tls_factory = NULL;
  g_autoptr (WeftClientFactory) lower_factory = NULL;
  GError *error = NULL;
  WeftDeferred *deferred;

  options = tls_client_options (self, &error);
  if (options != NULL)
    tls_factory = weft_tls_factory_new (WEFT_FACTORY (factory), options, &error);
  if (tls_factory == NULL)
    return weft_deferred_fail_take_error (error);

  /* The lower connection's end is the TLS connection's end. */
  lower_factory =
      weft_attempt_factory_new (WEFT_FACTORY (tls_factory), weft_forward_lost, g_object_ref (factory), g_object_unref);
  deferred = weft_client_endpoint_connect (self->wrapped, lower_factory);
  weft_deferred_add_callback (deferred, tls_client_connected, NULL, NULL);
  return deferred;
}

static char *
weft_tls_client_endpoint_to_string (WeftEndpoint *endpoint)
{
  WeftTlsClientEndpoint *self = WEFT_TLS_CLIENT_ENDPOINT (endpoint);
  GString *out;

  if (!WEFT_IS_TCP_CLIENT_ENDPOINT (self->wrapped))
    {
      g_autofree char *wrapped = weft_endpoint_to_string (WEFT_ENDPOINT (self->wrapped));

      return g_strdup_printf ("tls over %s", wrapped);
    }
  out = g_string_new ("tls");
  weft_tcp_client_endpoint_append_arguments (WEFT_TCP_CLIENT_ENDPOINT (self->wrapped), out);
  if (self->ca_file != NULL)
    weft_append_argument (out, "ca", self->ca_file);
  if (self->fingerprint != NULL)
    weft_append_argument (out, "fingerprint", self->fingerprint);
  if (self->certificate_file != NULL)
    {
      weft_append_argument (out, "cert", self->certificate_file);
      weft_append_argument (out, "key", self->key_file);
    }
  weft_append_handshake_timeout (out, self->handshake_timeout_us);
  return g_string_free (out, FALSE);
}

static void
weft_tls_client_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftTlsClientEndpoint *self = WEFT_TLS_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TLS_CLIENT_WRAPPED:
      g_value_set_object (value, self->wrapped);
      break;
    case PROP_TLS_CLIENT_SERVER_NAME:
      g_value_set_string (value, self->server_name);
      break;
    case PROP_TLS_CLIENT_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_TLS_CLIENT_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;
    case PROP_TLS_CLIENT_CERTIFICATE_FILE:
      g_value_set_string (value, self->certificate_file);
      break;
    case PROP_TLS_CLIENT_KEY_FILE:
      g_value_set_string (value, self->key_file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tls_client_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftTlsClientEndpoint *self = WEFT_TLS_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TLS_CLIENT_WRAPPED:
      g_set_object (&self->wrapped, g_value_get_object (value));
      break;
    case PROP_TLS_CLIENT_SERVER_NAME:
      g_free (self->server_name);
      self->server_name = g_value_dup_string (value);
      break;
    case PROP_TLS_CLIENT_CA_FILE:
      weft_tls_client_endpoint_set_ca_file (self, g_value_get_string (value));
      break;
    case PROP_TLS_CLIENT_FINGERPRINT:
      weft_tls_client_endpoint_set_fingerprint (self, g_value_get_string (value));
      break;
    case PROP_TLS_CLIENT_CERTIFICATE_FILE:
      weft_tls_client_endpoint_set_certificate_files (self, g_value_get_string (value), self->key_file);
      break;
    case PROP_TLS_CLIENT_KEY_FILE:
      weft_tls_client_endpoint_set_certificate_files (self, self->certificate_file, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tls_client_endpoint_finalize (GObject *object)
{
  WeftTlsClientEndpoint *self = WEFT_TLS_CLIENT_ENDPOINT (object);

  g_clear_object (&self->wrapped);
  g_free (self->server_name);
  g_free (self->ca_file);
  g_free (self->fingerprint);
  g_free (self->certificate_file);
  g_free (self->key_file);
  G_OBJECT_CLASS (weft_tls_client_endpoint_parent_class)->finalize (object);
}

static void
weft_tls_client_endpoint_class_init (WeftTlsClientEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_tls_client_endpoint_get_property;
  object_class->set_property = weft_tls_client_endpoint_set_property;
  object_class->finalize = weft_tls_client_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_tls_client_endpoint_to_string;
  WEFT_CLIENT_ENDPOINT_CLASS (klass)->connect = weft_tls_client_endpoint_connect;

  /**
   * WeftTlsClientEndpoint:wrapped: (getter get_wrapped)
   *
   * The endpoint TLS runs over.
   */
  tls_client_properties[PROP_TLS_CLIENT_WRAPPED] =
      g_param_spec_object ("wrapped", NULL, NULL, WEFT_TYPE_CLIENT_ENDPOINT,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTlsClientEndpoint:server-name: (getter get_server_name)
   *
   * The name sent to the server (SNI) and checked in its certificate.
   */
  tls_client_properties[PROP_TLS_CLIENT_SERVER_NAME] =
      g_param_spec_string ("server-name", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTlsClientEndpoint:ca-file: (getter get_ca_file) (setter set_ca_file)
   *
   * A PEM file of the authorities to trust instead of the system's.
   */
  tls_client_properties[PROP_TLS_CLIENT_CA_FILE] = g_param_spec_string ("ca-file", NULL, NULL, NULL, flags);
  /**
   * WeftTlsClientEndpoint:fingerprint: (getter get_fingerprint) (setter set_fingerprint)
   *
   * The SHA-256 fingerprint the server's certificate must have (64
   * hexadecimal digits), which replaces the authority and name checks.
   */
  tls_client_properties[PROP_TLS_CLIENT_FINGERPRINT] = g_param_spec_string ("fingerprint", NULL, NULL, NULL, flags);
  /**
   * WeftTlsClientEndpoint:certificate-file: (getter get_certificate_file)
   *
   * The client certificate (PEM) to present, if the server asks.
   */
  tls_client_properties[PROP_TLS_CLIENT_CERTIFICATE_FILE] =
      g_param_spec_string ("certificate-file", NULL, NULL, NULL, flags);
  /**
   * WeftTlsClientEndpoint:key-file: (getter get_key_file)
   *
   * The private key (PEM) of #WeftTlsClientEndpoint:certificate-file.
   */
  tls_client_properties[PROP_TLS_CLIENT_KEY_FILE] = g_param_spec_string ("key-file", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_TLS_CLIENT_PROPS, tls_client_properties);
}

static void
weft_tls_client_endpoint_init (WeftTlsClientEndpoint *self)
{
  self->handshake_timeout_us = WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT;
}

/**
 * weft_tls_client_endpoint_new:
 * @wrapped: the endpoint to run TLS over, usually a
 *   [class@Weft.TcpClientEndpoint]
 * @server_name: the host name to send (SNI) and to check in the server's
 *   certificate
 *
 * Returns: (transfer full): a new TLS client endpoint, on the reactor of
 *   @wrapped
 */
WeftTlsClientEndpoint *
weft_tls_client_endpoint_new (WeftClientEndpoint *wrapped, const char *server_name)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_ENDPOINT (wrapped), NULL);
  g_return_val_if_fail (server_name != NULL && *server_name != '\0', NULL);

  return g_object_new (WEFT_TYPE_TLS_CLIENT_ENDPOINT, "reactor", weft_endpoint_get_reactor (WEFT_ENDPOINT (wrapped)),
                       "wrapped", wrapped, "server-name", server_name, NULL);
}

/**
 * weft_tls_client_endpoint_get_wrapped:
 * @endpoint: a TLS client endpoint
 *
 * Returns: (transfer none): the endpoint TLS runs over
 */
WeftClientEndpoint *
weft_tls_client_endpoint_get_wrapped (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->wrapped;
}

/**
 * weft_tls_client_endpoint_get_server_name:
 * @endpoint: a TLS client endpoint
 *
 * Returns: the name the server's certificate is checked against
 */
const char *
weft_tls_client_endpoint_get_server_name (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->server_name;
}

static void
set_string_property (GObject *object, char **field, const char *value, GParamSpec *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (object, pspec);
}

/**
 * weft_tls_client_endpoint_set_ca_file:
 * @endpoint: a TLS client endpoint
 * @path: (nullable) (type filename): a PEM file of trusted authorities, or
 *   %NULL for the system's
 *
 * Sets #WeftTlsClientEndpoint:ca-file.
 */
void
weft_tls_client_endpoint_set_ca_file (WeftTlsClientEndpoint *endpoint, const char *path)
{
  g_return_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint));
  set_string_property (G_OBJECT (endpoint), &endpoint->ca_file, path, tls_client_properties[PROP_TLS_CLIENT_CA_FILE]);
}

/**
 * weft_tls_client_endpoint_get_ca_file:
 * @endpoint: a TLS client endpoint
 *
 * Returns: (nullable) (type filename): the file of trusted authorities
 */
const char *
weft_tls_client_endpoint_get_ca_file (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->ca_file;
}

/**
 * weft_tls_client_endpoint_set_fingerprint:
 * @endpoint: a TLS client endpoint
 * @sha256: (nullable): the server certificate's SHA-256 fingerprint, or
 *   %NULL for none
 *
 * Sets #WeftTlsClientEndpoint:fingerprint. A malformed fingerprint makes
 * connecting fail.
 */
void
weft_tls_client_endpoint_set_fingerprint (WeftTlsClientEndpoint *endpoint, const char *sha256)
{
  g_return_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint));
  set_string_property (G_OBJECT (endpoint), &endpoint->fingerprint, sha256,
                       tls_client_properties[PROP_TLS_CLIENT_FINGERPRINT]);
}

/**
 * weft_tls_client_endpoint_get_fingerprint:
 * @endpoint: a TLS client endpoint
 *
 * Returns: (nullable): the pinned fingerprint
 */
const char *
weft_tls_client_endpoint_get_fingerprint (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->fingerprint;
}

/**
 * weft_tls_client_endpoint_set_certificate_files:
 * @endpoint: a TLS client endpoint
 * @certificate_path: (nullable) (type filename): the client certificate
 *   (PEM), or %NULL for none
 * @key_path: (nullable) (type filename): its private key (PEM)
 *
 * Sets the client certificate presented to servers that ask for one.
 */
void
weft_tls_client_endpoint_set_certificate_files (WeftTlsClientEndpoint *endpoint,
                                                const char *certificate_path,
                                                const char *key_path)
{
  g_return_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint));

  g_object_freeze_notify (G_OBJECT (endpoint));
  set_string_property (G_OBJECT (endpoint), &endpoint->certificate_file, certificate_path,
                       tls_client_properties[PROP_TLS_CLIENT_CERTIFICATE_FILE]);
  set_string_property (G_OBJECT (endpoint), &endpoint->key_file, key_path,
                       tls_client_properties[PROP_TLS_CLIENT_KEY_FILE]);
  g_object_thaw_notify (G_OBJECT (endpoint));
}

/**
 * weft_tls_client_endpoint_get_certificate_file:
 * @endpoint: a TLS client endpoint
 *
 * Returns: (nullable) (type filename): the client certificate file
 */
const char *
weft_tls_client_endpoint_get_certificate_file (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->certificate_file;
}

/**
 * weft_tls_client_endpoint_get_key_file:
 * @endpoint: a TLS client endpoint
 *
 * Returns: (nullable) (type filename): the client key file
 */
const char *
weft_tls_client_endpoint_get_key_file (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->key_file;
}

/* WeftTlsServerEndpoint */

/**
 * WeftTlsServerEndpoint:
 *
 * TLS over another server endpoint: each accepted connection runs the
 * handshake with the certificate and key before the protocol sees data.
 */
G_DEFINE_FINAL_TYPE (WeftTlsServerEndpoint, weft_tls_server_endpoint, WEFT_TYPE_SERVER_ENDPOINT)

enum {
  PROP_TLS_SERVER_0,
  PROP_TLS_SERVER_WRAPPED,
  PROP_TLS_SERVER_CERTIFICATE_FILE,
  PROP_TLS_SERVER_KEY_FILE,
  N_TLS_SERVER_PROPS
};

static GParamSpec *tls_server_properties[N_TLS_SERVER_PROPS];

static WeftDeferred *
weft_tls_server_endpoint_listen (WeftServerEndpoint *endpoint, WeftFactory *factory)
{
  WeftTlsServerEndpoint *self = WEFT_TLS_SERVER_ENDPOINT (endpoint);
  g_autoptr (WeftTlsOptions) options = weft_tls_options_new_server ();
  g_autoptr (WeftTlsFactory) tls_factory = NULL;
  GError *error = NULL;

  weft_tls_options_set_reactor (options, weft_endpoint_get_reactor (WEFT_ENDPOINT (self)));
  weft_tls_options_set_handshake_timeout (options, self->handshake_timeout_us);
  if (!weft_tls_options_set_certificate_files (options, self->certificate_file, self->key_file, &error))
    return weft_deferred_fail_take_error (error);
  tls_factory = weft_tls_factory_new (factory, options, &error);
  if (tls_factory == NULL)
    return weft_deferred_fail_take_error (error);
  return weft_server_endpoint_listen (self->wrapped, WEFT_FACTORY (tls_factory));
}

static char *
weft_tls_server_endpoint_to_string (WeftEndpoint *endpoint)
{
  WeftTlsServerEndpoint *self = WEFT_TLS_SERVER_ENDPOINT (endpoint);
  GString *out;

  if (!WEFT_IS_TCP_SERVER_ENDPOINT (self->wrapped))
    {
      g_autofree char *wrapped = weft_endpoint_to_string (WEFT_ENDPOINT (self->wrapped));

      return g_strdup_printf ("tls over %s", wrapped);
    }
  out = g_string_new ("tls");
  weft_tcp_server_endpoint_append_arguments (WEFT_TCP_SERVER_ENDPOINT (self->wrapped), out);
  weft_append_argument (out, "cert", self->certificate_file);
  weft_append_argument (out, "key", self->key_file);
  weft_append_handshake_timeout (out, self->handshake_timeout_us);
  return g_string_free (out, FALSE);
}

static void
weft_tls_server_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftTlsServerEndpoint *self = WEFT_TLS_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TLS_SERVER_WRAPPED:
      g_value_set_object (value, self->wrapped);
      break;
    case PROP_TLS_SERVER_CERTIFICATE_FILE:
      g_value_set_string (value, self->certificate_file);
      break;
    case PROP_TLS_SERVER_KEY_FILE:
      g_value_set_string (value, self->key_file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tls_server_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftTlsServerEndpoint *self = WEFT_TLS_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TLS_SERVER_WRAPPED:
      g_set_object (&self->wrapped, g_value_get_object (value));
      break;
    case PROP_TLS_SERVER_CERTIFICATE_FILE:
      g_free (self->certificate_file);
      self->certificate_file = g_value_dup_string (value);
      break;
    case PROP_TLS_SERVER_KEY_FILE:
      g_free (self->key_file);
      self->key_file = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tls_server_endpoint_finalize (GObject *object)
{
  WeftTlsServerEndpoint *self = WEFT_TLS_SERVER_ENDPOINT (object);

  g_clear_object (&self->wrapped);
  g_free (self->certificate_file);
  g_free (self->key_file);
  G_OBJECT_CLASS (weft_tls_server_endpoint_parent_class)->finalize (object);
}

static void
weft_tls_server_endpoint_class_init (WeftTlsServerEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_tls_server_endpoint_get_property;
  object_class->set_property = weft_tls_server_endpoint_set_property;
  object_class->finalize = weft_tls_server_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_tls_server_endpoint_to_string;
  WEFT_SERVER_ENDPOINT_CLASS (klass)->listen = weft_tls_server_endpoint_listen;

  /**
   * WeftTlsServerEndpoint:wrapped: (getter get_wrapped)
   *
   * The endpoint TLS runs over.
   */
  tls_server_properties[PROP_TLS_SERVER_WRAPPED] =
      g_param_spec_object ("wrapped", NULL, NULL, WEFT_TYPE_SERVER_ENDPOINT, flags);
  /**
   * WeftTlsServerEndpoint:certificate-file: (getter get_certificate_file)
   *
   * The server's certificate chain (PEM).
   */
  tls_server_properties[PROP_TLS_SERVER_CERTIFICATE_FILE] =
      g_param_spec_string ("certificate-file", NULL, NULL, NULL, flags);
  /**
   * WeftTlsServerEndpoint:key-file: (getter get_key_file)
   *
   * The private key (PEM) of #WeftTlsServerEndpoint:certificate-file.
   */
  tls_server_properties[PROP_TLS_SERVER_KEY_FILE] = g_param_spec_string ("key-file", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_TLS_SERVER_PROPS, tls_server_properties);
}

static void
weft_tls_server_endpoint_init (WeftTlsServerEndpoint *self)
{
  self->handshake_timeout_us = WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT;
}

/**
 * weft_tls_server_endpoint_new:
 * @wrapped: the endpoint to run TLS over, usually a
 *   [class@Weft.TcpServerEndpoint]
 * @certificate_path: (type filename): the server's certificate chain (PEM)
 * @key_path: (type filename): its private key (PEM)
 *
 * The files are read when listening starts; a file that cannot be used
 * makes weft_server_endpoint_listen() fail.
 *
 * Returns: (transfer full): a new TLS server endpoint, on the reactor of
 *   @wrapped
 */
WeftTlsServerEndpoint *
weft_tls_server_endpoint_new (WeftServerEndpoint *wrapped, const char *certificate_path, const char *key_path)
{
  g_return_val_if_fail (WEFT_IS_SERVER_ENDPOINT (wrapped), NULL);
  g_return_val_if_fail (certificate_path != NULL, NULL);
  g_return_val_if_fail (key_path != NULL, NULL);

  return g_object_new (WEFT_TYPE_TLS_SERVER_ENDPOINT, "reactor", weft_endpoint_get_reactor (WEFT_ENDPOINT (wrapped)),
                       "wrapped", wrapped, "certificate-file", certificate_path, "key-file", key_path, NULL);
}

/**
 * weft_tls_server_endpoint_get_wrapped:
 * @endpoint: a TLS server endpoint
 *
 * Returns: (transfer none): the endpoint TLS runs over
 */
WeftServerEndpoint *
weft_tls_server_endpoint_get_wrapped (WeftTlsServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_SERVER_ENDPOINT (endpoint), NULL);
  return endpoint->wrapped;
}

/**
 * weft_tls_server_endpoint_get_certificate_file:
 * @endpoint: a TLS server endpoint
 *
 * Returns: (type filename): the certificate file
 */
const char *
weft_tls_server_endpoint_get_certificate_file (WeftTlsServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_SERVER_ENDPOINT (endpoint), NULL);
  return endpoint->certificate_file;
}

/**
 * weft_tls_server_endpoint_get_key_file:
 * @endpoint: a TLS server endpoint
 *
 * Returns: (type filename): the key file
 */
const char *
weft_tls_server_endpoint_get_key_file (WeftTlsServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_SERVER_ENDPOINT (endpoint), NULL);
  return endpoint->key_file;
}

/**
 * weft_tls_client_endpoint_set_handshake_timeout:
 * @endpoint: a TLS client endpoint
 * @timeout_us: how long a TLS handshake may take, in microseconds; 0 for
 *   no limit
 *
 * Bounds the handshake of the connections this endpoint makes (see
 * weft_tls_options_set_handshake_timeout()). The default is
 * %WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT; in an endpoint description it is
 * written `handshake_timeout=SECONDS`.
 */
void
weft_tls_client_endpoint_set_handshake_timeout (WeftTlsClientEndpoint *endpoint, gint64 timeout_us)
{
  g_return_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint));
  g_return_if_fail (timeout_us >= 0);
  endpoint->handshake_timeout_us = timeout_us;
}

/**
 * weft_tls_client_endpoint_get_handshake_timeout:
 * @endpoint: a TLS client endpoint
 *
 * Returns: how long a TLS handshake may take, in microseconds; 0 for no
 *   limit
 */
gint64
weft_tls_client_endpoint_get_handshake_timeout (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), 0);
  return endpoint->handshake_timeout_us;
}

/**
 * weft_tls_server_endpoint_set_handshake_timeout:
 * @endpoint: a TLS server endpoint
 * @timeout_us: how long a TLS handshake may take, in microseconds; 0 for
 *   no limit
 *
 * Bounds the handshake of the connections this endpoint makes (see
 * weft_tls_options_set_handshake_timeout()). The default is
 * %WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT; in an endpoint description it is
 * written `handshake_timeout=SECONDS`.
 */
void
weft_tls_server_endpoint_set_handshake_timeout (WeftTlsServerEndpoint *endpoint, gint64 timeout_us)
{
  g_return_if_fail (WEFT_IS_TLS_SERVER_ENDPOINT (endpoint));
  g_return_if_fail (timeout_us >= 0);
  endpoint->handshake_timeout_us = timeout_us;
}

/**
 * weft_tls_server_endpoint_get_handshake_timeout:
 * @endpoint: a TLS server endpoint
 *
 * Returns: how long a TLS handshake may take, in microseconds; 0 for no
 *   limit
 */
gint64
weft_tls_server_endpoint_get_handshake_timeout (WeftTlsServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_SERVER_ENDPOINT (endpoint), 0);
  return endpoint->handshake_timeout_us;
}
