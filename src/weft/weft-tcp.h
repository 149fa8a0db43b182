/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-deferred.h"
#include "weft-factory.h"
#include "weft-fd-transport.h"
#include "weft-listening-port.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

#define WEFT_TYPE_TCP_TRANSPORT (weft_tcp_transport_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftTcpTransport, weft_tcp_transport, WEFT, TCP_TRANSPORT, WeftFdTransport)

WEFT_AVAILABLE_IN_ALL
gboolean weft_tcp_transport_set_nodelay (WeftTcpTransport *transport, gboolean enabled, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_tcp_transport_get_nodelay (WeftTcpTransport *transport);
WEFT_AVAILABLE_IN_ALL
gboolean weft_tcp_transport_set_keepalive (WeftTcpTransport *transport,
                                           gboolean enabled,
                                           gint64 idle_us,
                                           gint64 interval_us,
                                           int count,
                                           GError **error);

WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_reactor_connect_tcp (WeftReactor *reactor,
                                        GSocketAddress *address,
                                        WeftClientFactory *factory,
                                        gint64 timeout_us,
                                        GSocketAddress *bind_address) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftListeningPort *weft_reactor_listen_tcp (WeftReactor *reactor,
                                            GSocketAddress *address,
                                            WeftFactory *factory,
                                            int backlog,
                                            GError **error) G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
WeftProtocol *weft_reactor_adopt_stream_socket (WeftReactor *reactor, int fd, WeftFactory *factory, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftListeningPort *weft_reactor_adopt_listening_socket (WeftReactor *reactor,
                                                        int fd,
                                                        WeftFactory *factory,
                                                        GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
