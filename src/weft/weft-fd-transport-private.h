/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "weft-factory.h"
#include "weft-fd-transport.h"

G_BEGIN_DECLS

/* The peer's address as known when the connection was made (from accept()
 * or connect()), so that errors can name it even after a reset. */
void weft_fd_transport_set_peer_address (WeftFdTransport *transport, GSocketAddress *address);

/* What error messages call the other end when there is no peer address
 * ("child process 1234"); the default is "file descriptor N". */
void weft_fd_transport_set_description (WeftFdTransport *transport, const char *description);

/* A client connection: once the protocol has received connection_lost, the
 * factory gets client_connection_lost and one weft_factory_do_stop(). The
 * transport takes over the start made by the connector. */
void weft_fd_transport_set_client_factory (WeftFdTransport *transport, WeftClientFactory *factory);

/* Gives the fds back to the caller of a transport that never started, so
 * that finalizing it does not close them. */
void weft_fd_transport_release_fds (WeftFdTransport *transport);

/* "127.0.0.1:5555", or the description, for messages. */
const char *weft_fd_transport_describe (WeftFdTransport *transport);

G_END_DECLS
