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

#define WEFT_TYPE_SOUP_SERVER (weft_soup_server_get_type ())
WEFT_SOUP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftSoupServer, weft_soup_server, WEFT, SOUP_SERVER, GObject)

WEFT_SOUP_AVAILABLE_IN_ALL
WeftSoupServer *weft_soup_server_new (WeftReactor *reactor) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
WeftReactor *weft_soup_server_get_reactor (WeftSoupServer *server);
WEFT_SOUP_AVAILABLE_IN_ALL
SoupServer *weft_soup_server_get_soup_server (WeftSoupServer *server);

WEFT_SOUP_AVAILABLE_IN_ALL
gboolean weft_soup_server_listen (WeftSoupServer *server, const char *endpoint, GError **error);
WEFT_SOUP_AVAILABLE_IN_ALL
GPtrArray *weft_soup_server_get_addresses (WeftSoupServer *server) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
guint16 weft_soup_server_get_port (WeftSoupServer *server);
WEFT_SOUP_AVAILABLE_IN_ALL
char *weft_soup_server_get_url (WeftSoupServer *server, const char *path) G_GNUC_WARN_UNUSED_RESULT;
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_soup_server_disconnect (WeftSoupServer *server);

WEFT_SOUP_AVAILABLE_IN_ALL
void weft_soup_server_add_handler (WeftSoupServer *server,
                                   const char *path,
                                   SoupServerCallback callback,
                                   gpointer user_data,
                                   GDestroyNotify destroy);
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_soup_server_add_resource_handler (WeftSoupServer *server, const char *path, const char *resource_path);
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_soup_server_add_websocket (WeftSoupServer *server,
                                     const char *path,
                                     const char *const *subprotocols,
                                     const WeftWebsocketOptions *options,
                                     WeftFactory *factory);
WEFT_SOUP_AVAILABLE_IN_ALL
void weft_soup_server_set_allowed_origins (WeftSoupServer *server, const char *const *origins);
WEFT_SOUP_AVAILABLE_IN_ALL
guint weft_soup_server_get_n_websockets (WeftSoupServer *server);

G_END_DECLS
