/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_TESTING_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft-testing.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-factory.h"
#include "weft-listening-port.h"
#include "weft-reactor.h"
#include "weft-string-transport.h"

G_BEGIN_DECLS

WEFT_AVAILABLE_IN_ALL
WeftReactor *weft_test_memory_reactor_new (void) G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
guint weft_test_memory_reactor_get_n_connects (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
GSocketAddress *weft_test_memory_reactor_get_connect_address (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
const char *weft_test_memory_reactor_get_connect_path (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
WeftClientFactory *weft_test_memory_reactor_get_connect_factory (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
gint64 weft_test_memory_reactor_get_connect_timeout (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
GSocketAddress *weft_test_memory_reactor_get_connect_bind_address (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
gboolean weft_test_memory_reactor_connect_is_pending (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
WeftProtocol *weft_test_memory_reactor_complete_connect (WeftReactor *reactor,
                                                         guint index,
                                                         WeftStringTransport *transport);
WEFT_AVAILABLE_IN_ALL
void weft_test_memory_reactor_fail_connect (WeftReactor *reactor, guint index, const GError *error);

WEFT_AVAILABLE_IN_ALL
guint weft_test_memory_reactor_get_n_listens (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
GSocketAddress *weft_test_memory_reactor_get_listen_address (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
const char *weft_test_memory_reactor_get_listen_path (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
WeftFactory *weft_test_memory_reactor_get_listen_factory (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
int weft_test_memory_reactor_get_listen_backlog (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
int weft_test_memory_reactor_get_listen_mode (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
WeftListeningPort *weft_test_memory_reactor_get_listen_port (WeftReactor *reactor, guint index);
WEFT_AVAILABLE_IN_ALL
WeftProtocol *weft_test_memory_reactor_accept (WeftReactor *reactor, guint index, WeftStringTransport *transport);

G_END_DECLS
