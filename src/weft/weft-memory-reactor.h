#pragma once

#if !defined(WEFT_TESTING_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft-testing.h> can be included directly."
#endif

#include "weft-factory.h"
#include "weft-listening-port.h"
#include "weft-reactor.h"
#include "weft-string-transport.h"

G_BEGIN_DECLS

WeftReactor *weft_test_memory_reactor_new (void) G_GNUC_WARN_UNUSED_RESULT;

guint weft_test_memory_reactor_get_n_connects (WeftReactor *reactor);
GSocketAddress *weft_test_memory_reactor_get_connect_address (WeftReactor *reactor, guint index);
const char *weft_test_memory_reactor_get_connect_path (WeftReactor *reactor, guint index);
WeftClientFactory *weft_test_memory_reactor_get_connect_factory (WeftReactor *reactor, guint index);
double weft_test_memory_reactor_get_connect_timeout (WeftReactor *reactor, guint index);
GSocketAddress *weft_test_memory_reactor_get_connect_bind_address (WeftReactor *reactor, guint index);
gboolean weft_test_memory_reactor_connect_is_pending (WeftReactor *reactor, guint index);
WeftProtocol *weft_test_memory_reactor_complete_connect (WeftReactor *reactor,
                                                         guint index,
                                                         WeftStringTransport *transport);
void weft_test_memory_reactor_fail_connect (WeftReactor *reactor, guint index, const GError *error);

guint weft_test_memory_reactor_get_n_listens (WeftReactor *reactor);
GSocketAddress *weft_test_memory_reactor_get_listen_address (WeftReactor *reactor, guint index);
const char *weft_test_memory_reactor_get_listen_path (WeftReactor *reactor, guint index);
WeftFactory *weft_test_memory_reactor_get_listen_factory (WeftReactor *reactor, guint index);
int weft_test_memory_reactor_get_listen_backlog (WeftReactor *reactor, guint index);
int weft_test_memory_reactor_get_listen_mode (WeftReactor *reactor, guint index);
WeftListeningPort *weft_test_memory_reactor_get_listen_port (WeftReactor *reactor, guint index);
WeftProtocol *weft_test_memory_reactor_accept (WeftReactor *reactor, guint index, WeftStringTransport *transport);

G_END_DECLS
