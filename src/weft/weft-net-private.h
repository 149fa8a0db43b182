/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "weft-deferred.h"
#include "weft-factory.h"
#include "weft-listening-port.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

/* Shared plumbing of the stream transports: per-reactor state (the one read
 * buffer, the network ops table, listening ports starved of fds), address
 * formatting, errno-to-GError translation with the address in the message,
 * and the non-blocking connect that TCP and Unix clients share. */

/* Every transport of a reactor reads into the same buffer, so an idle
 * connection costs no read memory. */
#define WEFT_NET_READ_BUFFER_SIZE (64 * 1024)

/* The network ops seam. weft_reactor_connect_tcp() and friends check their
 * arguments, then call through the reactor's table; the default table opens
 * real sockets, and a test can install one that records the calls instead
 * (see weft_test_memory_reactor_new()). */
typedef struct {
  WeftDeferred *(*connect_tcp) (WeftReactor *reactor,
                                GSocketAddress *address,
                                WeftClientFactory *factory,
                                gint64 timeout_us,
                                GSocketAddress *bind_address,
                                gpointer user_data);
  WeftListeningPort *(*listen_tcp) (WeftReactor *reactor,
                                    GSocketAddress *address,
                                    WeftFactory *factory,
                                    int backlog,
                                    gpointer user_data,
                                    GError **error);
  WeftDeferred *(*connect_unix) (WeftReactor *reactor,
                                 const char *path,
                                 WeftClientFactory *factory,
                                 gint64 timeout_us,
                                 gpointer user_data);
  WeftListeningPort *(*listen_unix) (WeftReactor *reactor,
                                     const char *path,
                                     int mode,
                                     WeftFactory *factory,
                                     int backlog,
                                     gpointer user_data,
                                     GError **error);
} WeftNetOps;

extern const WeftNetOps weft_net_default_ops;

/* Installs @ops (static storage) for @reactor; %NULL restores the default.
 * @notify frees @user_data when replaced or when the reactor goes. */
void weft_reactor_set_net_ops (WeftReactor *reactor, const WeftNetOps *ops, gpointer user_data, GDestroyNotify notify);
const WeftNetOps *weft_reactor_get_net_ops (WeftReactor *reactor, gpointer *user_data);

/* The real implementations behind the default table. */
WeftDeferred *weft_tcp_connect_real (WeftReactor *reactor,
                                     GSocketAddress *address,
                                     WeftClientFactory *factory,
                                     gint64 timeout_us,
                                     GSocketAddress *bind_address,
                                     gpointer user_data);
WeftListeningPort *weft_tcp_listen_real (WeftReactor *reactor,
                                         GSocketAddress *address,
                                         WeftFactory *factory,
                                         int backlog,
                                         gpointer user_data,
                                         GError **error);
WeftDeferred *weft_unix_connect_real (WeftReactor *reactor,
                                      const char *path,
                                      WeftClientFactory *factory,
                                      gint64 timeout_us,
                                      gpointer user_data);
WeftListeningPort *weft_unix_listen_real (WeftReactor *reactor,
                                          const char *path,
                                          int mode,
                                          WeftFactory *factory,
                                          int backlog,
                                          gpointer user_data,
                                          GError **error);

/* Per-reactor state, created on first use and freed with the reactor.
 * Transports and ports keep a reference to the reactor, so a WeftNet they
 * looked up stays valid as long as they do. */
typedef struct _WeftNet WeftNet;

WeftNet *weft_net_get (WeftReactor *reactor);
guint8 *weft_net_acquire_read_buffer (WeftNet *net);
void weft_net_release_read_buffer (WeftNet *net, guint8 *buffer);
/* A transport of this reactor closed an fd: starved listening ports retry. */
void weft_net_fd_closed (WeftNet *net);
void weft_net_add_starved_port (WeftNet *net, WeftListeningPort *port);
void weft_net_remove_starved_port (WeftNet *net, WeftListeningPort *port);

/* Addresses and errors */

char *weft_net_address_to_string (GSocketAddress *address) G_GNUC_WARN_UNUSED_RESULT;
GSocketAddress *weft_net_address_from_native (const struct sockaddr *sa, socklen_t len) G_GNUC_WARN_UNUSED_RESULT;
char *weft_net_native_to_string (const struct sockaddr_storage *native, socklen_t len) G_GNUC_WARN_UNUSED_RESULT;
gboolean weft_net_native_equal (const struct sockaddr_storage *a, const struct sockaddr_storage *b);
const char *weft_net_family_name (int family);
GSocketAddress *weft_net_unix_address_new (const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
GSocketAddress *weft_net_get_peer_address (int fd) G_GNUC_WARN_UNUSED_RESULT;
GSocketAddress *weft_net_get_local_address (int fd) G_GNUC_WARN_UNUSED_RESULT;

GError *weft_net_connection_error (int errsv, const char *peer) G_GNUC_WARN_UNUSED_RESULT;
GError *weft_net_connect_error (int errsv, const char *peer) G_GNUC_WARN_UNUSED_RESULT;
GError *weft_net_listen_error (int errsv, const char *address) G_GNUC_WARN_UNUSED_RESULT;

/* Sockets */

int weft_net_socket (int family, GError **error);
gboolean weft_net_set_nonblocking (int fd, GError **error);
ssize_t weft_net_write_nosigpipe (int fd, const struct iovec *iov, int n_iov);

/* Starts a non-blocking connect of @fd (a new stream socket, bound if need
 * be; taken over) to @address. The deferred fires with the protocol that
 * @factory built, connected through a new @transport_type, or with an
 * error; the factory hears of it as a Twisted connector would tell it. */
WeftDeferred *weft_net_connect_socket (WeftReactor *reactor,
                                       int fd,
                                       GSocketAddress *address,
                                       WeftClientFactory *factory,
                                       gint64 timeout_us,
                                       GType transport_type) G_GNUC_WARN_UNUSED_RESULT;

/* A deferred that fails from the reactor, soon: connection attempts never
 * fire (or call the factory) from inside the call that started them. */
WeftDeferred *weft_net_connect_failed (WeftReactor *reactor, WeftClientFactory *factory, GError *error)
    G_GNUC_WARN_UNUSED_RESULT;

/* Listening ports */

WeftListeningPort *weft_listening_port_new_for_fd (WeftReactor *reactor,
                                                   int fd,
                                                   WeftFactory *factory,
                                                   GType transport_type,
                                                   const char *unlink_path,
                                                   GError **error) G_GNUC_WARN_UNUSED_RESULT;
WeftListeningPort *weft_listening_port_new_fake (WeftReactor *reactor, GSocketAddress *address, WeftFactory *factory)
    G_GNUC_WARN_UNUSED_RESULT;
void weft_listening_port_retry_accept (WeftListeningPort *port);

G_END_DECLS
