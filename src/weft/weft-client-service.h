/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-deferred.h"
#include "weft-endpoint.h"
#include "weft-factory.h"
#include "weft-protocol.h"

G_BEGIN_DECLS

/**
 * WEFT_CLIENT_SERVICE_DEFAULT_MAX_DELAY:
 *
 * The longest wait between two attempts of a [class@Weft.ClientService],
 * in microseconds (Twisted's `ClientService` waits at most a minute).
 */
#define WEFT_CLIENT_SERVICE_DEFAULT_MAX_DELAY G_GINT64_CONSTANT (60000000)

#define WEFT_TYPE_CLIENT_SERVICE (weft_client_service_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftClientService, weft_client_service, WEFT, CLIENT_SERVICE, GObject)

WEFT_AVAILABLE_IN_ALL
WeftClientService *weft_client_service_new (WeftClientEndpoint *endpoint, WeftFactory *factory)
    G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
void weft_client_service_start (WeftClientService *service);
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_client_service_stop (WeftClientService *service) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
gboolean weft_client_service_is_running (WeftClientService *service);

WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_client_service_when_connected (WeftClientService *service, guint fail_after_failures)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftProtocol *weft_client_service_get_protocol (WeftClientService *service);
WEFT_AVAILABLE_IN_ALL
guint weft_client_service_get_failed_attempts (WeftClientService *service);

WEFT_AVAILABLE_IN_ALL
WeftClientEndpoint *weft_client_service_get_endpoint (WeftClientService *service);
WEFT_AVAILABLE_IN_ALL
WeftFactory *weft_client_service_get_factory (WeftClientService *service);

WEFT_AVAILABLE_IN_ALL
void weft_client_service_set_backoff (WeftClientService *service,
                                      gint64 initial_delay_us,
                                      gint64 max_delay_us,
                                      double factor,
                                      double jitter);
WEFT_AVAILABLE_IN_ALL
void weft_client_service_set_random_seed (WeftClientService *service, guint32 seed);

G_END_DECLS
