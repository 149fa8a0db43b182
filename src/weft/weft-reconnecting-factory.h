/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-factory.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

/**
 * WEFT_RECONNECT_DEFAULT_INITIAL_DELAY:
 *
 * The delay, in microseconds, that the backoff starts from (Twisted's
 * one second).
 */
#define WEFT_RECONNECT_DEFAULT_INITIAL_DELAY G_GINT64_CONSTANT (1000000)

/**
 * WEFT_RECONNECT_DEFAULT_FACTOR:
 *
 * How much the delay grows after each failure: e, as in Twisted.
 */
#define WEFT_RECONNECT_DEFAULT_FACTOR 2.7182818284590451

/**
 * WEFT_RECONNECT_DEFAULT_JITTER:
 *
 * The standard deviation of a delay's random part, as a fraction of the
 * delay (Twisted's).
 */
#define WEFT_RECONNECT_DEFAULT_JITTER 0.11962656472

/**
 * WEFT_RECONNECT_DEFAULT_MAX_DELAY:
 *
 * The longest delay between two attempts, in microseconds: one hour.
 */
#define WEFT_RECONNECT_DEFAULT_MAX_DELAY G_GINT64_CONSTANT (3600000000)

#define WEFT_TYPE_RECONNECTING_CLIENT_FACTORY (weft_reconnecting_client_factory_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftReconnectingClientFactory,
                          weft_reconnecting_client_factory,
                          WEFT,
                          RECONNECTING_CLIENT_FACTORY,
                          WeftClientFactory)

/**
 * WeftReconnectingClientFactoryClass:
 * @parent_class: the parent class
 *
 * The class of [class@Weft.ReconnectingClientFactory]. Subclasses that
 * override client_connection_failed or client_connection_lost must chain
 * up, or nothing is retried.
 */
struct _WeftReconnectingClientFactoryClass {
  WeftClientFactoryClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

WEFT_AVAILABLE_IN_ALL
WeftReconnectingClientFactory *weft_reconnecting_client_factory_new (WeftReactor *reactor, GType protocol_type)
    G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
WeftReactor *weft_reconnecting_client_factory_get_reactor (WeftReconnectingClientFactory *factory);
WEFT_AVAILABLE_IN_ALL
void weft_reconnecting_client_factory_retry (WeftReconnectingClientFactory *factory, WeftConnector *connector);
WEFT_AVAILABLE_IN_ALL
void weft_reconnecting_client_factory_stop_trying (WeftReconnectingClientFactory *factory);
WEFT_AVAILABLE_IN_ALL
void weft_reconnecting_client_factory_reset_delay (WeftReconnectingClientFactory *factory);
WEFT_AVAILABLE_IN_ALL
gboolean weft_reconnecting_client_factory_is_trying (WeftReconnectingClientFactory *factory);
WEFT_AVAILABLE_IN_ALL
gboolean weft_reconnecting_client_factory_has_pending_retry (WeftReconnectingClientFactory *factory);

WEFT_AVAILABLE_IN_ALL
gint64 weft_reconnecting_client_factory_get_delay (WeftReconnectingClientFactory *factory);
WEFT_AVAILABLE_IN_ALL
guint weft_reconnecting_client_factory_get_retries (WeftReconnectingClientFactory *factory);

WEFT_AVAILABLE_IN_ALL
void weft_reconnecting_client_factory_set_initial_delay (WeftReconnectingClientFactory *factory, gint64 delay_us);
WEFT_AVAILABLE_IN_ALL
gint64 weft_reconnecting_client_factory_get_initial_delay (WeftReconnectingClientFactory *factory);
WEFT_AVAILABLE_IN_ALL
void weft_reconnecting_client_factory_set_max_delay (WeftReconnectingClientFactory *factory, gint64 delay_us);
WEFT_AVAILABLE_IN_ALL
gint64 weft_reconnecting_client_factory_get_max_delay (WeftReconnectingClientFactory *factory);
WEFT_AVAILABLE_IN_ALL
void weft_reconnecting_client_factory_set_factor (WeftReconnectingClientFactory *factory, double factor);
WEFT_AVAILABLE_IN_ALL
double weft_reconnecting_client_factory_get_factor (WeftReconnectingClientFactory *factory);
WEFT_AVAILABLE_IN_ALL
void weft_reconnecting_client_factory_set_jitter (WeftReconnectingClientFactory *factory, double jitter);
WEFT_AVAILABLE_IN_ALL
double weft_reconnecting_client_factory_get_jitter (WeftReconnectingClientFactory *factory);
WEFT_AVAILABLE_IN_ALL
void weft_reconnecting_client_factory_set_max_retries (WeftReconnectingClientFactory *factory, int max_retries);
WEFT_AVAILABLE_IN_ALL
int weft_reconnecting_client_factory_get_max_retries (WeftReconnectingClientFactory *factory);
WEFT_AVAILABLE_IN_ALL
void weft_reconnecting_client_factory_set_random_seed (WeftReconnectingClientFactory *factory, guint32 seed);

G_END_DECLS
