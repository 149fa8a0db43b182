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

#define WEFT_TYPE_UNIX_TRANSPORT (weft_unix_transport_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftUnixTransport, weft_unix_transport, WEFT, UNIX_TRANSPORT, WeftFdTransport)

WEFT_AVAILABLE_IN_ALL
gboolean weft_unix_transport_get_peer_credentials (WeftUnixTransport *transport,
                                                   GPid *pid,
                                                   guint *uid,
                                                   guint *gid,
                                                   GError **error);

WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_reactor_connect_unix (WeftReactor *reactor,
                                         const char *path,
                                         WeftClientFactory *factory,
                                         gint64 timeout_us) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftListeningPort *weft_reactor_listen_unix (WeftReactor *reactor,
                                             const char *path,
                                             int mode,
                                             WeftFactory *factory,
                                             int backlog,
                                             GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
