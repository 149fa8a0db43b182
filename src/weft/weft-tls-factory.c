/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "weft-error.h"
#include "weft-tls-transport-private.h"

/* WeftTlsFactory                                                       */

/**
 * WeftTlsFactory:
 *
 * A factory that adds TLS to the protocols of another factory (Twisted's
 * `TLSMemoryBIOFactory`): give it to a listening port or a connector, and
 * each connection gets a [class@Weft.TlsTransport] wrapping the protocol
 * the wrapped factory builds. It is a client factory, so that connectors
 * accept it, and works as well for listening ports.
 *
 * Starting and stopping are passed on to the wrapped factory, and so are
 * started_connecting, client_connection_failed and client_connection_lost
 * when it is a [class@Weft.ClientFactory]. client_connection_lost receives
 * the reason the wrapped protocol got (a certificate that failed
 * verification, say), not the one of the connection below.
 */

struct _WeftTlsFactory {
  WeftClientFactory parent_instance;

  WeftFactory *wrapped;
  WeftTlsOptions *options;
  GError *last_reason; /* what the last TLS transport that ended told its protocol */
};

G_DEFINE_FINAL_TYPE (WeftTlsFactory, weft_tls_factory, WEFT_TYPE_CLIENT_FACTORY)

/* Connectors call client_connection_lost right after the connection_lost of
 * the transport's protocol (ours), with the reason of the connection below:
 * the TLS reason is kept here to be passed on instead. */
void
weft_tls_factory_record_reason (WeftTlsFactory *self, const GError *reason)
{
  g_clear_error (&self->last_reason);
  self->last_reason = g_error_copy (reason);
}

static WeftProtocol *
weft_tls_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  WeftTlsFactory *self = WEFT_TLS_FACTORY (factory);
  g_autoptr (WeftProtocol) inner = weft_factory_build_protocol (self->wrapped, address);
  g_autoptr (GError) error = NULL;
  WeftTlsTransport *tls;

  if (inner == NULL)
    return NULL;
  tls = weft_tls_transport_create (inner, self->options, &error);
  if (tls == NULL)
    {
      g_warning ("TLS: refusing a connection: %s", error->message);
      return NULL;
    }
  return WEFT_PROTOCOL (tls);
}

static void
weft_tls_factory_start_factory (WeftFactory *factory)
{
  weft_factory_do_start (WEFT_TLS_FACTORY (factory)->wrapped);
}

static void
weft_tls_factory_stop_factory (WeftFactory *factory)
{
  weft_factory_do_stop (WEFT_TLS_FACTORY (factory)->wrapped);
}

static WeftClientFactory *
wrapped_client_factory (WeftTlsFactory *self)
{
  return WEFT_IS_CLIENT_FACTORY (self->wrapped) ? WEFT_CLIENT_FACTORY (self->wrapped) : NULL;
}

static void
weft_tls_factory_started_connecting (WeftClientFactory *factory, WeftConnector *connector)
{
  WeftClientFactory *wrapped = wrapped_client_factory (WEFT_TLS_FACTORY (factory));

  if (wrapped != NULL)
    weft_client_factory_started_connecting (wrapped, connector);
}

static void
weft_tls_factory_client_connection_failed (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  WeftClientFactory *wrapped = wrapped_client_factory (WEFT_TLS_FACTORY (factory));

  if (wrapped != NULL)
    weft_client_factory_client_connection_failed (wrapped, connector, reason);
}

static void
weft_tls_factory_client_connection_lost (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  WeftTlsFactory *self = WEFT_TLS_FACTORY (factory);
  WeftClientFactory *wrapped = wrapped_client_factory (self);
  g_autoptr (GError) tls_reason = g_steal_pointer (&self->last_reason);

  if (wrapped != NULL)
    weft_client_factory_client_connection_lost (wrapped, connector, tls_reason != NULL ? tls_reason : reason);
}

static void
weft_tls_factory_finalize (GObject *object)
{
  WeftTlsFactory *self = WEFT_TLS_FACTORY (object);

  g_clear_object (&self->wrapped);
  g_clear_object (&self->options);
  g_clear_error (&self->last_reason);

  G_OBJECT_CLASS (weft_tls_factory_parent_class)->finalize (object);
}

static void
weft_tls_factory_class_init (WeftTlsFactoryClass *klass)
{
  WeftFactoryClass *factory_class = WEFT_FACTORY_CLASS (klass);
  WeftClientFactoryClass *client_class = WEFT_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = weft_tls_factory_finalize;
  factory_class->build_protocol = weft_tls_factory_build_protocol;
  factory_class->start_factory = weft_tls_factory_start_factory;
  factory_class->stop_factory = weft_tls_factory_stop_factory;
  client_class->started_connecting = weft_tls_factory_started_connecting;
  client_class->client_connection_failed = weft_tls_factory_client_connection_failed;
  client_class->client_connection_lost = weft_tls_factory_client_connection_lost;
}

static void
weft_tls_factory_init (WeftTlsFactory *self)
{
}

/**
 * weft_tls_factory_new:
 * @wrapped: the factory that builds the application's protocols
 * @options: client or server options for every connection
 * @error: return location for a #GError
 *
 * Creates a factory whose protocols are @wrapped's, each wrapped in TLS.
 * @options are checked now, so that a server with an unreadable
 * certificate fails at startup rather than at its first connection.
 *
 * Returns: (transfer full) (nullable): a new factory, or %NULL with @error
 *   set (%WEFT_TLS_ERROR_BAD_OPTIONS) if @options cannot be used
 */
WeftTlsFactory *
weft_tls_factory_new (WeftFactory *wrapped, WeftTlsOptions *options, GError **error)
{
  g_autoptr (WeftTlsConfig) config = NULL;
  WeftTlsFactory *self;

  g_return_val_if_fail (WEFT_IS_FACTORY (wrapped), NULL);
  g_return_val_if_fail (WEFT_IS_TLS_OPTIONS (options), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  config = weft_tls_options_get_config (options, error);
  if (config == NULL)
    return NULL;
  self = g_object_new (WEFT_TYPE_TLS_FACTORY, NULL);
  self->wrapped = g_object_ref (wrapped);
  self->options = g_object_ref (options);
  return self;
}

/**
 * weft_tls_factory_get_wrapped_factory:
 * @factory: a TLS factory
 *
 * Returns: (transfer none): the factory whose protocols are wrapped
 */
WeftFactory *
weft_tls_factory_get_wrapped_factory (WeftTlsFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_TLS_FACTORY (factory), NULL);

  return factory->wrapped;
}

/**
 * weft_tls_factory_get_options:
 * @factory: a TLS factory
 *
 * Returns: (transfer none): the options every connection uses
 */
WeftTlsOptions *
weft_tls_factory_get_options (WeftTlsFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_TLS_FACTORY (factory), NULL);

  return factory->options;
}
