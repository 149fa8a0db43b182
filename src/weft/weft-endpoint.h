/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include <sys/socket.h>
#include "weft-version.h"

#include "weft-deferred.h"
#include "weft-factory.h"
#include "weft-protocol.h"

#include "weft-reactor.h"
#include "weft-connector.h"

G_BEGIN_DECLS

/**
 * WEFT_ENDPOINT_DEFAULT_BACKLOG:
 *
 * The listen() backlog of server endpoints whose description names none:
 * the system's `SOMAXCONN` (4096 on Linux since 5.4), so that a burst of
 * connections waits in the kernel's accept queue instead of being dropped.
 * The kernel caps any backlog at `net.core.somaxconn`. A description can
 * still name one (`tcp:6667:backlog=128`).
 */
#define WEFT_ENDPOINT_DEFAULT_BACKLOG SOMAXCONN

/**
 * WEFT_ENDPOINT_DEFAULT_UNIX_MODE:
 *
 * The file mode of a Unix socket made by a server endpoint whose
 * description names none.
 */
#define WEFT_ENDPOINT_DEFAULT_UNIX_MODE 0666

/**
 * WEFT_ENDPOINT_DEFAULT_ATTEMPT_DELAY:
 *
 * How long, in microseconds, a TCP client endpoint waits for one address before
 * it also tries the next one (RFC 8305's Connection Attempt Delay).
 */
#define WEFT_ENDPOINT_DEFAULT_ATTEMPT_DELAY G_GINT64_CONSTANT (250000)

#define WEFT_TYPE_ENDPOINT (weft_endpoint_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftEndpoint, weft_endpoint, WEFT, ENDPOINT, GObject)

/**
 * WeftEndpointClass:
 * @parent_class: the parent class
 * @to_string: the endpoint as a description that the string parsers read
 *   back (the default returns the type's name)
 *
 * The class of every endpoint.
 */
struct _WeftEndpointClass {
  GObjectClass parent_class;

  char *(*to_string) (WeftEndpoint *endpoint);

  /*< private >*/
  gpointer padding[8];
};

#define WEFT_TYPE_CLIENT_ENDPOINT (weft_client_endpoint_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftClientEndpoint, weft_client_endpoint, WEFT, CLIENT_ENDPOINT, WeftEndpoint)

/**
 * WeftClientEndpointClass:
 * @parent_class: the parent class
 * @connect: starts connecting, building the protocol with @factory (a
 *   factory of the endpoint's own that forwards to the caller's); returns a
 *   deferred that fires with the connected #WeftProtocol or an error, and
 *   that stops the attempt and closes what it opened when cancelled.
 *   Called by weft_client_endpoint_connect(), which tells the caller's
 *   factory what happens.
 *
 * The method a client endpoint implements.
 */
struct _WeftClientEndpointClass {
  WeftEndpointClass parent_class;

  WeftDeferred *(*connect) (WeftClientEndpoint *endpoint, WeftClientFactory *factory);

  /*< private >*/
  gpointer padding[8];
};

#define WEFT_TYPE_SERVER_ENDPOINT (weft_server_endpoint_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftServerEndpoint, weft_server_endpoint, WEFT, SERVER_ENDPOINT, WeftEndpoint)

/**
 * WeftServerEndpointClass:
 * @parent_class: the parent class
 * @listen: starts listening with @factory; returns a deferred that fires
 *   with a [class@Weft.ListeningPort] or an error
 *
 * The method a server endpoint implements.
 */
struct _WeftServerEndpointClass {
  WeftEndpointClass parent_class;

  WeftDeferred *(*listen) (WeftServerEndpoint *endpoint, WeftFactory *factory);

  /*< private >*/
  gpointer padding[8];
};

WEFT_AVAILABLE_IN_ALL
WeftReactor *weft_endpoint_get_reactor (WeftEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
char *weft_endpoint_to_string (WeftEndpoint *endpoint) G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
WeftClientEndpoint *weft_client_endpoint_from_string (WeftReactor *reactor, const char *description, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_client_endpoint_connect (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
    G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
WeftServerEndpoint *weft_server_endpoint_from_string (WeftReactor *reactor, const char *description, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_server_endpoint_listen (WeftServerEndpoint *endpoint, WeftFactory *factory)
    G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
char *weft_endpoint_quote_argument (const char *value) G_GNUC_WARN_UNUSED_RESULT;

/* TCP */

#define WEFT_TYPE_TCP_CLIENT_ENDPOINT (weft_tcp_client_endpoint_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftTcpClientEndpoint, weft_tcp_client_endpoint, WEFT, TCP_CLIENT_ENDPOINT, WeftClientEndpoint)

WEFT_AVAILABLE_IN_ALL
WeftTcpClientEndpoint *weft_tcp_client_endpoint_new (WeftReactor *reactor, const char *host, guint16 port)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
const char *weft_tcp_client_endpoint_get_host (WeftTcpClientEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
guint16 weft_tcp_client_endpoint_get_port (WeftTcpClientEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_tcp_client_endpoint_set_timeout (WeftTcpClientEndpoint *endpoint, gint64 timeout_us);
WEFT_AVAILABLE_IN_ALL
gint64 weft_tcp_client_endpoint_get_timeout (WeftTcpClientEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_tcp_client_endpoint_set_bind_address (WeftTcpClientEndpoint *endpoint, GInetAddress *address);
WEFT_AVAILABLE_IN_ALL
GInetAddress *weft_tcp_client_endpoint_get_bind_address (WeftTcpClientEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_tcp_client_endpoint_set_attempt_delay (WeftTcpClientEndpoint *endpoint, gint64 delay_us);
WEFT_AVAILABLE_IN_ALL
gint64 weft_tcp_client_endpoint_get_attempt_delay (WeftTcpClientEndpoint *endpoint);

#define WEFT_TYPE_TCP_SERVER_ENDPOINT (weft_tcp_server_endpoint_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftTcpServerEndpoint, weft_tcp_server_endpoint, WEFT, TCP_SERVER_ENDPOINT, WeftServerEndpoint)

WEFT_AVAILABLE_IN_ALL
WeftTcpServerEndpoint *weft_tcp_server_endpoint_new (WeftReactor *reactor, guint16 port, GInetAddress *interface)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
guint16 weft_tcp_server_endpoint_get_port (WeftTcpServerEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
GInetAddress *weft_tcp_server_endpoint_get_interface (WeftTcpServerEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_tcp_server_endpoint_set_backlog (WeftTcpServerEndpoint *endpoint, int backlog);
WEFT_AVAILABLE_IN_ALL
int weft_tcp_server_endpoint_get_backlog (WeftTcpServerEndpoint *endpoint);

/* Unix sockets */

#define WEFT_TYPE_UNIX_CLIENT_ENDPOINT (weft_unix_client_endpoint_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftUnixClientEndpoint, weft_unix_client_endpoint, WEFT, UNIX_CLIENT_ENDPOINT, WeftClientEndpoint)

WEFT_AVAILABLE_IN_ALL
WeftUnixClientEndpoint *weft_unix_client_endpoint_new (WeftReactor *reactor, const char *path)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
const char *weft_unix_client_endpoint_get_path (WeftUnixClientEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_unix_client_endpoint_set_timeout (WeftUnixClientEndpoint *endpoint, gint64 timeout_us);
WEFT_AVAILABLE_IN_ALL
gint64 weft_unix_client_endpoint_get_timeout (WeftUnixClientEndpoint *endpoint);

#define WEFT_TYPE_UNIX_SERVER_ENDPOINT (weft_unix_server_endpoint_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftUnixServerEndpoint, weft_unix_server_endpoint, WEFT, UNIX_SERVER_ENDPOINT, WeftServerEndpoint)

WEFT_AVAILABLE_IN_ALL
WeftUnixServerEndpoint *weft_unix_server_endpoint_new (WeftReactor *reactor, const char *path)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
const char *weft_unix_server_endpoint_get_path (WeftUnixServerEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_unix_server_endpoint_set_mode (WeftUnixServerEndpoint *endpoint, guint mode);
WEFT_AVAILABLE_IN_ALL
guint weft_unix_server_endpoint_get_mode (WeftUnixServerEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_unix_server_endpoint_set_backlog (WeftUnixServerEndpoint *endpoint, int backlog);
WEFT_AVAILABLE_IN_ALL
int weft_unix_server_endpoint_get_backlog (WeftUnixServerEndpoint *endpoint);

/* TLS over another endpoint */

#define WEFT_TYPE_TLS_CLIENT_ENDPOINT (weft_tls_client_endpoint_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftTlsClientEndpoint, weft_tls_client_endpoint, WEFT, TLS_CLIENT_ENDPOINT, WeftClientEndpoint)

WEFT_AVAILABLE_IN_ALL
WeftTlsClientEndpoint *weft_tls_client_endpoint_new (WeftClientEndpoint *wrapped, const char *server_name)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftClientEndpoint *weft_tls_client_endpoint_get_wrapped (WeftTlsClientEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
const char *weft_tls_client_endpoint_get_server_name (WeftTlsClientEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_tls_client_endpoint_set_ca_file (WeftTlsClientEndpoint *endpoint, const char *path);
WEFT_AVAILABLE_IN_ALL
const char *weft_tls_client_endpoint_get_ca_file (WeftTlsClientEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_tls_client_endpoint_set_fingerprint (WeftTlsClientEndpoint *endpoint, const char *sha256);
WEFT_AVAILABLE_IN_ALL
const char *weft_tls_client_endpoint_get_fingerprint (WeftTlsClientEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_tls_client_endpoint_set_certificate_files (WeftTlsClientEndpoint *endpoint,
                                                     const char *certificate_path,
                                                     const char *key_path);
WEFT_AVAILABLE_IN_ALL
const char *weft_tls_client_endpoint_get_certificate_file (WeftTlsClientEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
const char *weft_tls_client_endpoint_get_key_file (WeftTlsClientEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_tls_client_endpoint_set_handshake_timeout (WeftTlsClientEndpoint *endpoint, gint64 timeout_us);
WEFT_AVAILABLE_IN_ALL
gint64 weft_tls_client_endpoint_get_handshake_timeout (WeftTlsClientEndpoint *endpoint);

#define WEFT_TYPE_TLS_SERVER_ENDPOINT (weft_tls_server_endpoint_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftTlsServerEndpoint, weft_tls_server_endpoint, WEFT, TLS_SERVER_ENDPOINT, WeftServerEndpoint)

WEFT_AVAILABLE_IN_ALL
WeftTlsServerEndpoint *weft_tls_server_endpoint_new (WeftServerEndpoint *wrapped,
                                                     const char *certificate_path,
                                                     const char *key_path) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftServerEndpoint *weft_tls_server_endpoint_get_wrapped (WeftTlsServerEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
const char *weft_tls_server_endpoint_get_certificate_file (WeftTlsServerEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
const char *weft_tls_server_endpoint_get_key_file (WeftTlsServerEndpoint *endpoint);
WEFT_AVAILABLE_IN_ALL
void weft_tls_server_endpoint_set_handshake_timeout (WeftTlsServerEndpoint *endpoint, gint64 timeout_us);
WEFT_AVAILABLE_IN_ALL
gint64 weft_tls_server_endpoint_get_handshake_timeout (WeftTlsServerEndpoint *endpoint);

G_END_DECLS
