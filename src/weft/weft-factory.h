/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-protocol.h"

G_BEGIN_DECLS

/* Defined in weft-endpoint.h; client factories only pass it along. */
typedef struct _WeftConnector WeftConnector;

#define WEFT_TYPE_FACTORY (weft_factory_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftFactory, weft_factory, WEFT, FACTORY, GObject)

/**
 * WeftProtocolBuildFunc:
 * @factory: the factory building the protocol
 * @address: (nullable): the peer's address, when the transport has one
 * @user_data: the data given to weft_factory_new_with_func()
 *
 * Builds the protocol for a new connection.
 *
 * Returns: (transfer full) (nullable): a new protocol, or %NULL to refuse
 *   the connection
 */
typedef WeftProtocol *(*WeftProtocolBuildFunc) (WeftFactory *factory, GSocketAddress *address, gpointer user_data);

/**
 * WeftFactoryClass:
 * @parent_class: the parent class
 * @build_protocol: makes the protocol for a new connection from @address
 *   (the peer's, %NULL when there is none), or returns %NULL to refuse the
 *   connection. The default creates a #WeftFactory:protocol-type and sets
 *   its factory.
 * @start_factory: called when the factory starts being used (the first
 *   weft_factory_do_start())
 * @stop_factory: called when it stops being used (the last
 *   weft_factory_do_stop())
 *
 * The methods a factory overrides.
 */
struct _WeftFactoryClass {
  GObjectClass parent_class;

  WeftProtocol *(*build_protocol) (WeftFactory *factory, GSocketAddress *address);
  void (*start_factory) (WeftFactory *factory);
  void (*stop_factory) (WeftFactory *factory);

  /*< private >*/
  gpointer padding[8];
};

WEFT_AVAILABLE_IN_ALL
WeftFactory *weft_factory_new (GType protocol_type) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftFactory *weft_factory_new_with_func (WeftProtocolBuildFunc func, gpointer user_data, GDestroyNotify destroy)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
GType weft_factory_get_protocol_type (WeftFactory *factory);
WEFT_AVAILABLE_IN_ALL
WeftProtocol *weft_factory_build_protocol (WeftFactory *factory, GSocketAddress *address) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_factory_do_start (WeftFactory *factory);
WEFT_AVAILABLE_IN_ALL
void weft_factory_do_stop (WeftFactory *factory);
WEFT_AVAILABLE_IN_ALL
guint weft_factory_get_start_count (WeftFactory *factory);

#define WEFT_TYPE_CLIENT_FACTORY (weft_client_factory_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftClientFactory, weft_client_factory, WEFT, CLIENT_FACTORY, WeftFactory)

/**
 * WeftClientFactoryClass:
 * @parent_class: the parent class
 * @started_connecting: a connection attempt has begun
 * @client_connection_failed: the attempt failed; @reason says why (for
 *   example "connection refused by 127.0.0.1:6667")
 * @client_connection_lost: a connection built by this factory ended;
 *   @reason is what its protocol's connection_lost received
 *
 * The methods of a client factory. @connector is the [class@Weft.Connector]
 * that made the attempt, or %NULL for a one-off
 * weft_client_endpoint_connect().
 */
struct _WeftClientFactoryClass {
  WeftFactoryClass parent_class;

  void (*started_connecting) (WeftClientFactory *factory, WeftConnector *connector);
  void (*client_connection_failed) (WeftClientFactory *factory, WeftConnector *connector, const GError *reason);
  void (*client_connection_lost) (WeftClientFactory *factory, WeftConnector *connector, const GError *reason);

  /*< private >*/
  gpointer padding[8];
};

WEFT_AVAILABLE_IN_ALL
WeftClientFactory *weft_client_factory_new (GType protocol_type) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftClientFactory *weft_client_factory_new_with_func (WeftProtocolBuildFunc func,
                                                      gpointer user_data,
                                                      GDestroyNotify destroy) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_client_factory_started_connecting (WeftClientFactory *factory, WeftConnector *connector);
WEFT_AVAILABLE_IN_ALL
void weft_client_factory_client_connection_failed (WeftClientFactory *factory,
                                                   WeftConnector *connector,
                                                   const GError *reason);
WEFT_AVAILABLE_IN_ALL
void weft_client_factory_client_connection_lost (WeftClientFactory *factory,
                                                 WeftConnector *connector,
                                                 const GError *reason);

G_END_DECLS
