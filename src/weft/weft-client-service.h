#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>

#include "weft-deferred.h"
#include "weft-endpoint.h"
#include "weft-factory.h"
#include "weft-protocol.h"

G_BEGIN_DECLS

/**
 * WEFT_CLIENT_SERVICE_DEFAULT_MAX_DELAY:
 *
 * The longest wait between two attempts of a [class@Weft.ClientService],
 * in seconds (Twisted's `ClientService` waits at most a minute).
 */
#define WEFT_CLIENT_SERVICE_DEFAULT_MAX_DELAY 60.0

#define WEFT_TYPE_CLIENT_SERVICE (weft_client_service_get_type ())
G_DECLARE_FINAL_TYPE (WeftClientService, weft_client_service, WEFT, CLIENT_SERVICE, GObject)

WeftClientService *weft_client_service_new (WeftClientEndpoint *endpoint, WeftFactory *factory)
    G_GNUC_WARN_UNUSED_RESULT;

void weft_client_service_start (WeftClientService *service);
WeftDeferred *weft_client_service_stop (WeftClientService *service) G_GNUC_WARN_UNUSED_RESULT;
gboolean weft_client_service_is_running (WeftClientService *service);

WeftDeferred *weft_client_service_when_connected (WeftClientService *service, guint fail_after_failures)
    G_GNUC_WARN_UNUSED_RESULT;
WeftProtocol *weft_client_service_get_protocol (WeftClientService *service);
guint weft_client_service_get_failed_attempts (WeftClientService *service);

WeftClientEndpoint *weft_client_service_get_endpoint (WeftClientService *service);
WeftFactory *weft_client_service_get_factory (WeftClientService *service);

void weft_client_service_set_backoff (WeftClientService *service,
                                      double initial_delay,
                                      double max_delay,
                                      double factor,
                                      double jitter);
void weft_client_service_set_random_seed (WeftClientService *service, guint32 seed);

G_END_DECLS
