/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SOUP_INSIDE) && !defined(WEFT_SOUP_COMPILATION)
#error "Only <weft-soup/weft-soup.h> can be included directly."
#endif

#include <libsoup/soup.h>
#include <weft/weft.h>

#include "weft-soup-version.h"
#include "weft-websocket-options.h"

G_BEGIN_DECLS

WEFT_SOUP_AVAILABLE_IN_ALL
WeftDeferred *weft_websocket_connect (WeftReactor *reactor,
                                      const char *url,
                                      const char *const *subprotocols,
                                      const char *origin,
                                      WeftFactory *factory) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
WeftDeferred *weft_websocket_connect_with_options (WeftReactor *reactor,
                                                   const char *url,
                                                   const char *const *subprotocols,
                                                   const char *origin,
                                                   const WeftWebsocketOptions *options,
                                                   WeftFactory *factory) G_GNUC_WARN_UNUSED_RESULT;

WEFT_SOUP_AVAILABLE_IN_ALL
void weft_websocket_connect_async (WeftReactor *reactor,
                                   const char *url,
                                   const char *const *subprotocols,
                                   const char *origin,
                                   const WeftWebsocketOptions *options,
                                   WeftFactory *factory,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
WEFT_SOUP_AVAILABLE_IN_ALL
WeftProtocol *weft_websocket_connect_finish (WeftReactor *reactor, GAsyncResult *result, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
