/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-deferred.h"
#include "weft-endpoint.h"
#include "weft-listening-port.h"
#include "weft-tls.h"

G_BEGIN_DECLS

WEFT_AVAILABLE_IN_ALL
void weft_deferred_to_task (WeftDeferred *deferred,
                            gpointer source_object,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);

WEFT_AVAILABLE_IN_ALL
void weft_client_endpoint_connect_async (WeftClientEndpoint *endpoint,
                                         WeftClientFactory *factory,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
WEFT_AVAILABLE_IN_ALL
WeftProtocol *weft_client_endpoint_connect_finish (WeftClientEndpoint *endpoint, GAsyncResult *result, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
void weft_server_endpoint_listen_async (WeftServerEndpoint *endpoint,
                                        WeftFactory *factory,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
WEFT_AVAILABLE_IN_ALL
WeftListeningPort *weft_server_endpoint_listen_finish (WeftServerEndpoint *endpoint,
                                                       GAsyncResult *result,
                                                       GError **error) G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
void weft_reactor_resolve_async (WeftReactor *reactor,
                                 const char *host,
                                 guint16 port,
                                 GSocketFamily family,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
WEFT_AVAILABLE_IN_ALL
GPtrArray *weft_reactor_resolve_finish (WeftReactor *reactor, GAsyncResult *result, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
void weft_get_process_output_async (WeftReactor *reactor,
                                    const char *const *argv,
                                    const char *const *envp,
                                    const char *cwd,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
WEFT_AVAILABLE_IN_ALL
GBytes *weft_get_process_output_finish (WeftReactor *reactor, GAsyncResult *result, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
void weft_tls_transport_handshake_async (WeftTlsTransport *tls,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
WEFT_AVAILABLE_IN_ALL
gboolean weft_tls_transport_handshake_finish (WeftTlsTransport *tls, GAsyncResult *result, GError **error);

G_END_DECLS
