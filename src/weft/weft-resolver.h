/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-deferred.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

/**
 * WeftResolverFunc:
 * @reactor: the reactor that asked
 * @host: (not nullable): the name or address to resolve, without brackets
 * @port: the port to put in every address
 * @family: %G_SOCKET_FAMILY_IPV4 or %G_SOCKET_FAMILY_IPV6 to ask for one
 *   family only, %G_SOCKET_FAMILY_INVALID for both
 * @user_data: the data given to weft_reactor_set_resolver()
 *
 * A name resolver installed on a reactor with weft_reactor_set_resolver()
 * (Twisted's `installNameResolver`): a test double that answers with fixed
 * addresses, or a resolver that asks a DNS-over-HTTPS service.
 *
 * It returns a deferred that fires the way weft_reactor_resolve() documents
 * (a `GPtrArray` of `GInetSocketAddress`), or %NULL to let the system
 * resolver answer this name.
 *
 * Returns: (transfer full) (nullable): a deferred for the addresses, or
 *   %NULL for the system resolver
 */
typedef WeftDeferred *(*WeftResolverFunc) (WeftReactor *reactor,
                                           const char *host,
                                           guint16 port,
                                           GSocketFamily family,
                                           gpointer user_data);

WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_reactor_resolve (WeftReactor *reactor, const char *host, guint16 port, GSocketFamily family)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_reactor_set_resolver (WeftReactor *reactor, WeftResolverFunc func, gpointer user_data, GDestroyNotify notify);

WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_resolve_addresses (const char *const *addresses, guint16 port) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
