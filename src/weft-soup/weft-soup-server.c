/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "weft-soup-private.h"

/**
 * WeftSoupServer:
 *
 * A `SoupServer` listening on Weft endpoint strings (`tcp:8080:interface=127.0.0.1`,
 * `tls:8443:cert=cert.pem:key=key.pem`, `unix:/run/app.sock`), so
 * that one program serves static files from a #GResource, HTTP handlers and
 * WebSocket connections handed to a [class@Weft.Factory] as
 * [class@WeftSoup.WebsocketTransport]s.
 *
 * The endpoint string is parsed by the core; the listening socket is then
 * given to libsoup (soup_server_listen_socket()), so plain HTTP keeps its
 * connections alive between requests, and TLS is served by libsoup with
 * the endpoint's certificate and key.
 *
 * WebSocket upgrades are checked against their Origin header: by default a
 * page served from the same host and port (and clients that send no Origin,
 * which browsers always do) may connect, any other origin gets 403;
 * weft_soup_server_set_allowed_origins() lists others or "*".
 */

struct _WeftSoupServer {
  GObject parent_instance;

  WeftReactor *reactor;
  SoupServer *server;
  GPtrArray *unix_paths;
  GStrv allowed_origins;
  GHashTable *transports; /* WeftWebsocketTransport -> SoupWebsocketConnection */
  gboolean https;
};

G_DEFINE_FINAL_TYPE (WeftSoupServer, weft_soup_server, G_TYPE_OBJECT)

typedef struct {
  WeftSoupServer *self; /* no reference: the SoupServer, which owns this, dies with it */
  WeftFactory *factory;
  WeftWebsocketOptions *options;
} WebsocketRoute;

static void
websocket_route_free (gpointer data)
{
  WebsocketRoute *route = data;

  g_clear_object (&route->factory);
  g_clear_pointer (&route->options, weft_websocket_options_free);
  g_free (route);
}

static gboolean
origin_is_allowed (WeftSoupServer *self, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_one (headers, "Origin");
  const char *host = soup_message_headers_get_one (headers, "Host");
  g_autoptr (GUri) origin_uri = NULL;
  g_autofree char *origin_host = NULL;

  /* Browsers always send Origin; programs usually do not, and are not the
   * cross-site risk the check is for. */
  if (origin == NULL)
    return TRUE;
  if (self->allowed_origins != NULL)
    {
      for (guint i = 0; self->allowed_origins[i] != NULL; i++)
        if (g_str_equal (self->allowed_origins[i], "*") || g_ascii_strcasecmp (self->allowed_origins[i], origin) == 0)
          return TRUE;
    }
  origin_uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  if (origin_uri == NULL || g_uri_get_host (origin_uri) == NULL || host == NULL)
    return FALSE;
  if (g_uri_get_port (origin_uri) > 0)
    origin_host = g_strdup_printf ("%s:%d", g_uri_get_host (origin_uri), g_uri_get_port (origin_uri));
  else
    origin_host = g_strdup (g_uri_get_host (origin_uri));
  /* A default port may be left out on either side. */
  if (g_ascii_strcasecmp (origin_host, host) == 0)
    return TRUE;
  if (g_uri_get_port (origin_uri) <= 0)
    {
      const char *colon = strrchr (host, ':');
      const char *default_port = g_ascii_strcasecmp (g_uri_get_scheme (origin_uri), "https") == 0 ? ":443" : ":80";

      return colon != NULL && g_str_equal (colon, default_port) &&
             g_ascii_strncasecmp (host, origin_host, colon - host) == 0 &&
             strlen (origin_host) == (gsize) (colon - host);
    }
  return FALSE;
}

static void
request_read_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  WeftSoupServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (!soup_message_headers_header_contains (headers, "Upgrade", "websocket"))
    return;
  if (!origin_is_allowed (self, msg))
    {
      const char *body = "WebSocket connections from this origin are not allowed\n";

      g_debug ("Refused a WebSocket upgrade from origin %s", soup_message_headers_get_one (headers, "Origin"));
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, body, strlen (body));
    }
}

static void
transport_closed_cb (SoupWebsocketConnection *connection, gpointer user_data)
{
  WeftSoupServer *self = user_data;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->transports);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (value == connection)
      {
        g_hash_table_iter_remove (&iter);
        break;
      }
}

static void
websocket_cb (SoupServer *server,
              SoupServerMessage *msg,
              const char *path,
              SoupWebsocketConnection *connection,
              gpointer user_data)
{
  WebsocketRoute *route = user_data;
  WeftSoupServer *self = route->self;
  g_autoptr (WeftWebsocketTransport) transport = NULL;
  g_autoptr (WeftProtocol) protocol = NULL;
  g_autoptr (GError) error = NULL;

  transport = weft_websocket_transport_new (self->reactor, connection, route->options);
  weft_websocket_transport_set_server_side (transport, TRUE);
  protocol = weft_factory_build_protocol (route->factory, soup_server_message_get_remote_address (msg));
  if (protocol == NULL)
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, "No protocol");
      return;
    }
  g_hash_table_insert (self->transports, g_object_ref (transport), g_object_ref (connection));
  g_signal_connect_object (connection, "closed", G_CALLBACK (transport_closed_cb), self, G_CONNECT_AFTER);
  if (!weft_websocket_transport_start (transport, protocol, &error))
    {
      g_debug ("WebSocket connection on %s not started: %s", path, error->message);
      g_hash_table_remove (self->transports, transport);
    }
}

static void
weft_soup_server_dispose (GObject *object)
{
  WeftSoupServer *self = WEFT_SOUP_SERVER (object);

  if (self->server != NULL)
    weft_soup_server_disconnect (self);
  g_clear_pointer (&self->transports, g_hash_table_unref);
  g_clear_object (&self->server);
  G_OBJECT_CLASS (weft_soup_server_parent_class)->dispose (object);
}

static void
weft_soup_server_finalize (GObject *object)
{
  WeftSoupServer *self = WEFT_SOUP_SERVER (object);

  g_clear_pointer (&self->unix_paths, g_ptr_array_unref);
  g_clear_pointer (&self->allowed_origins, g_strfreev);
  g_clear_object (&self->reactor);
  G_OBJECT_CLASS (weft_soup_server_parent_class)->finalize (object);
}

static void
weft_soup_server_class_init (WeftSoupServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = weft_soup_server_dispose;
  object_class->finalize = weft_soup_server_finalize;
}

static void
weft_soup_server_init (WeftSoupServer *self)
{
  self->unix_paths = g_ptr_array_new_with_free_func (g_free);
  self->transports = g_hash_table_new_full (NULL, NULL, g_object_unref, g_object_unref);
}

/**
 * weft_soup_server_new:
 * @reactor: the reactor that runs the server
 *
 * Creates a server with no listener yet. Like every libsoup object it
 * attaches to the thread-default main context: create and use it with the
 * reactor's context as that (normally: nothing pushed).
 *
 * Returns: (transfer full): a new server
 */
WeftSoupServer *
weft_soup_server_new (WeftReactor *reactor)
{
  WeftSoupServer *self;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);

  self = g_object_new (WEFT_TYPE_SOUP_SERVER, NULL);
  self->reactor = g_object_ref (reactor);
  self->server = soup_server_new ("server-header", "Weft ", NULL);
  g_signal_connect (self->server, "request-read", G_CALLBACK (request_read_cb), self);
  return self;
}

/**
 * weft_soup_server_get_reactor:
 * @server: a server
 *
 * Returns: (transfer none): the reactor
 */
WeftReactor *
weft_soup_server_get_reactor (WeftSoupServer *server)
{
  g_return_val_if_fail (WEFT_IS_SOUP_SERVER (server), NULL);
  return server->reactor;
}

/**
 * weft_soup_server_get_soup_server:
 * @server: a server
 *
 * Returns: (transfer none): the libsoup server, for anything this object
 *   does not wrap (auth domains, early handlers...)
 */
SoupServer *
weft_soup_server_get_soup_server (WeftSoupServer *server)
{
  g_return_val_if_fail (WEFT_IS_SOUP_SERVER (server), NULL);
  return server->server;
}

static GSocket *
listen_tcp (WeftTcpServerEndpoint *endpoint, GError **error)
{
  GInetAddress *interface = weft_tcp_server_endpoint_get_interface (endpoint);
  g_autoptr (GInetAddress) any = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocket) socket = NULL;

  if (interface == NULL)
    {
      /* All interfaces, IPv4 included through a dual-stack socket. */
      any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
      socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      if (socket == NULL)
        {
          g_clear_object (&any);
          any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
        }
      interface = any;
    }
  if (socket == NULL)
    socket = g_socket_new (g_inet_address_get_family (interface), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  address = g_inet_socket_address_new (interface, weft_tcp_server_endpoint_get_port (endpoint));
  g_socket_set_listen_backlog (socket, weft_tcp_server_endpoint_get_backlog (endpoint));
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static GSocket *
listen_unix (WeftSoupServer *self, WeftUnixServerEndpoint *endpoint, GError **error)
{
  const char *path = weft_unix_server_endpoint_get_path (endpoint);
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr (GSocket) socket = NULL;
  GStatBuf st;

  /* A socket file left by a previous run is replaced; any other file is
   * not touched. */
  if (g_lstat (path, &st) == 0 && S_ISSOCK (st.st_mode))
    g_unlink (path);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return NULL;
  g_socket_set_listen_backlog (socket, weft_unix_server_endpoint_get_backlog (endpoint));
  if (!g_socket_bind (socket, address, FALSE, error))
    return NULL;
  g_ptr_array_add (self->unix_paths, g_strdup (path));
  if (g_chmod (path, weft_unix_server_endpoint_get_mode (endpoint)) != 0 || !g_socket_listen (socket, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), _ ("Cannot set the mode of %s: %s"), path,
                     g_strerror (errno));
      return NULL;
    }
  return g_steal_pointer (&socket);
}

/**
 * weft_soup_server_listen:
 * @server: a server
 * @endpoint: a Weft server endpoint string: `tcp:PORT[:interface=ADDR][:backlog=N]`,
 *   `tls:PORT:cert=PEM:key=PEM[:interface=ADDR]` or
 *   `unix:PATH[:mode=OCTAL]`
 * @error: where to put the failure
 *
 * Starts listening on @endpoint (port 0 picks a free one: see
 * weft_soup_server_get_port()). May be called more than once; a server
 * serves plain and TLS endpoints together.
 *
 * Returns: %TRUE if listening
 */
gboolean
weft_soup_server_listen (WeftSoupServer *self, const char *endpoint, GError **error)
{
  g_autoptr (WeftServerEndpoint) parsed = NULL;
  WeftServerEndpoint *inner;
  g_autoptr (GSocket) socket = NULL;
  SoupServerListenOptions options = 0;

  g_return_val_if_fail (WEFT_IS_SOUP_SERVER (self), FALSE);
  g_return_val_if_fail (endpoint != NULL, FALSE);

  if (!weft_soup_check_context (self->reactor, error))
    return FALSE;
  parsed = weft_server_endpoint_from_string (self->reactor, endpoint, error);
  if (parsed == NULL)
    return FALSE;
  inner = parsed;

  if (WEFT_IS_TLS_SERVER_ENDPOINT (parsed))
    {
      WeftTlsServerEndpoint *tls = WEFT_TLS_SERVER_ENDPOINT (parsed);
      g_autoptr (GTlsCertificate) certificate = NULL;

      certificate = g_tls_certificate_new_from_files (weft_tls_server_endpoint_get_certificate_file (tls),
                                                      weft_tls_server_endpoint_get_key_file (tls), error);
      if (certificate == NULL)
        return FALSE;
      g_object_set (self->server, "tls-certificate", certificate, NULL);
      options |= SOUP_SERVER_LISTEN_HTTPS;
      self->https = TRUE;
      inner = weft_tls_server_endpoint_get_wrapped (tls);
    }

  if (WEFT_IS_TCP_SERVER_ENDPOINT (inner))
    socket = listen_tcp (WEFT_TCP_SERVER_ENDPOINT (inner), error);
  else if (WEFT_IS_UNIX_SERVER_ENDPOINT (inner))
    socket = listen_unix (self, WEFT_UNIX_SERVER_ENDPOINT (inner), error);
  else
    {
      g_set_error (error, WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_UNSUPPORTED,
                   _ ("The endpoint “%s” is neither TCP, TLS nor a Unix socket; an HTTP server cannot listen there"),
                   endpoint);
      return FALSE;
    }
  if (socket == NULL)
    return FALSE;
  return soup_server_listen_socket (self->server, socket, options, error);
}

/**
 * weft_soup_server_get_addresses:
 * @server: a server
 *
 * Returns: (transfer full) (element-type GSocketAddress): the local address
 *   of each listener
 */
GPtrArray *
weft_soup_server_get_addresses (WeftSoupServer *self)
{
  GPtrArray *addresses = g_ptr_array_new_with_free_func (g_object_unref);
  GSList *listeners;

  g_return_val_if_fail (WEFT_IS_SOUP_SERVER (self), addresses);

  listeners = soup_server_get_listeners (self->server);
  for (GSList *l = listeners; l != NULL; l = l->next)
    {
      GSocketAddress *address = g_socket_get_local_address (l->data, NULL);

      if (address != NULL)
        g_ptr_array_add (addresses, address);
    }
  g_slist_free (listeners);
  return addresses;
}

/**
 * weft_soup_server_get_port:
 * @server: a server
 *
 * Returns: the port of the first TCP listener, 0 if there is none
 */
guint16
weft_soup_server_get_port (WeftSoupServer *self)
{
  g_autoptr (GPtrArray) addresses = weft_soup_server_get_addresses (self);

  for (guint i = 0; i < addresses->len; i++)
    if (G_IS_INET_SOCKET_ADDRESS (addresses->pdata[i]))
      return g_inet_socket_address_get_port (addresses->pdata[i]);
  return 0;
}

/**
 * weft_soup_server_get_url:
 * @server: a server
 * @path: a path starting with "/"
 *
 * Returns: (transfer full) (nullable): an http:// (or https://) URL for
 *   @path on the first TCP listener, with 127.0.0.1 for a wildcard address
 */
char *
weft_soup_server_get_url (WeftSoupServer *self, const char *path)
{
  g_autoptr (GPtrArray) addresses = weft_soup_server_get_addresses (self);

  g_return_val_if_fail (path != NULL && path[0] == '/', NULL);

  for (guint i = 0; i < addresses->len; i++)
    {
      GInetSocketAddress *address = addresses->pdata[i];
      GInetAddress *inet;
      g_autofree char *host = NULL;

      if (!G_IS_INET_SOCKET_ADDRESS (address))
        continue;
      inet = g_inet_socket_address_get_address (address);
      if (g_inet_address_get_is_any (inet))
        host = g_strdup ("127.0.0.1");
      else if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
        host = g_strdup_printf ("[%s]", g_inet_address_to_string (inet));
      else
        host = g_inet_address_to_string (inet);
      return g_strdup_printf ("%s://%s:%u%s", self->https ? "https" : "http", host,
                              g_inet_socket_address_get_port (address), path);
    }
  return NULL;
}

/**
 * weft_soup_server_disconnect:
 * @server: a server
 *
 * Closes every WebSocket connection with 1001 (going away), stops
 * listening and closes HTTP connections; removes Unix socket files it
 * created.
 */
void
weft_soup_server_disconnect (WeftSoupServer *self)
{
  g_autoptr (GList) transports = NULL;

  g_return_if_fail (WEFT_IS_SOUP_SERVER (self));

  transports = g_hash_table_get_keys (self->transports);
  for (GList *l = transports; l != NULL; l = l->next)
    weft_websocket_transport_close (l->data, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "Server shutting down");
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  for (guint i = 0; i < self->unix_paths->len; i++)
    g_unlink (self->unix_paths->pdata[i]);
  g_ptr_array_set_size (self->unix_paths, 0);
}

/**
 * weft_soup_server_add_handler:
 * @server: a server
 * @path: (nullable): the path prefix the handler serves; %NULL: every path
 * @callback: (scope notified) (closure user_data) (destroy destroy): the handler
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data
 *
 * Adds an HTTP handler, as soup_server_add_handler().
 */
void
weft_soup_server_add_handler (WeftSoupServer *self,
                              const char *path,
                              SoupServerCallback callback,
                              gpointer user_data,
                              GDestroyNotify destroy)
{
  g_return_if_fail (WEFT_IS_SOUP_SERVER (self));
  soup_server_add_handler (self->server, path, callback, user_data, destroy);
}

typedef struct {
  char *prefix;
  char *resource_path;
} ResourceRoute;

static void
resource_route_free (gpointer data)
{
  ResourceRoute *route = data;

  g_free (route->prefix);
  g_free (route->resource_path);
  g_free (route);
}

static void
resource_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  ResourceRoute *route = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *rest = path + strlen (route->prefix);
  g_autofree char *resource = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *mime_type = NULL;
  g_autoptr (GBytes) data = NULL;

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET, HEAD");
      return;
    }
  while (*rest == '/')
    rest++;
  if (strstr (rest, "..") != NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (*rest == '\0' || g_str_has_suffix (rest, "/"))
    resource = g_strconcat (route->resource_path, "/", rest, "index.html", NULL);
  else
    resource = g_strconcat (route->resource_path, "/", rest, NULL);

  data = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (data == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  content_type = g_content_type_guess (resource, g_bytes_get_data (data, NULL), g_bytes_get_size (data), NULL);
  mime_type = g_content_type_get_mime_type (content_type);
  if (mime_type == NULL || g_str_equal (mime_type, "application/octet-stream"))
    {
      g_clear_pointer (&mime_type, g_free);
      if (g_str_has_suffix (resource, ".html"))
        mime_type = g_strdup ("text/html");
      else if (g_str_has_suffix (resource, ".js"))
        mime_type = g_strdup ("text/javascript");
      else if (g_str_has_suffix (resource, ".css"))
        mime_type = g_strdup ("text/css");
      else
        mime_type = g_strdup ("application/octet-stream");
    }
  if (g_str_has_prefix (mime_type, "text/") || g_str_equal (mime_type, "application/javascript"))
    {
      g_autofree char *with_charset = g_strconcat (mime_type, "; charset=utf-8", NULL);

      g_free (mime_type);
      mime_type = g_steal_pointer (&with_charset);
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), data);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg), mime_type, NULL);
}

/**
 * weft_soup_server_add_resource_handler:
 * @server: a server
 * @path: the URL path prefix, e.g. "/"
 * @resource_path: the #GResource folder it maps to, e.g.
 *   "/org/example/app/web"
 *
 * Serves files from registered resources: GET @path/a/b.js answers with
 * @resource_path/a/b.js, and a path ending in "/" with its index.html;
 * missing files are 404, other methods than GET and HEAD 405.
 */
void
weft_soup_server_add_resource_handler (WeftSoupServer *self, const char *path, const char *resource_path)
{
  ResourceRoute *route;

  g_return_if_fail (WEFT_IS_SOUP_SERVER (self));
  g_return_if_fail (path != NULL && resource_path != NULL);

  route = g_new0 (ResourceRoute, 1);
  route->prefix = g_strdup (g_str_equal (path, "/") ? "" : path);
  route->resource_path = g_strdup (resource_path);
  if (g_str_has_suffix (route->resource_path, "/"))
    route->resource_path[strlen (route->resource_path) - 1] = '\0';
  soup_server_add_handler (self->server, path, resource_cb, route, resource_route_free);
}

/**
 * weft_soup_server_add_websocket:
 * @server: a server
 * @path: the URL path of the WebSocket endpoint
 * @subprotocols: (nullable) (array zero-terminated=1): subprotocols the
 *   server speaks; when given, a client must offer one of them (else 400)
 * @options: (nullable): transport options (mode, size cap, keepalive)
 * @factory: builds a protocol for each connection
 *
 * Accepts WebSocket connections on @path: each one, once upgraded, is a
 * [class@WeftSoup.WebsocketTransport] (server side) running a protocol
 * from @factory, whose build_protocol receives the peer's address. The
 * Origin check applies (see weft_soup_server_set_allowed_origins()).
 */
void
weft_soup_server_add_websocket (WeftSoupServer *self,
                                const char *path,
                                const char *const *subprotocols,
                                const WeftWebsocketOptions *options,
                                WeftFactory *factory)
{
  WebsocketRoute *route;

  g_return_if_fail (WEFT_IS_SOUP_SERVER (self));
  g_return_if_fail (WEFT_IS_FACTORY (factory));

  route = g_new0 (WebsocketRoute, 1);
  route->self = self;
  route->factory = g_object_ref (factory);
  route->options = options != NULL ? weft_websocket_options_copy (options) : weft_websocket_options_new ();
  soup_server_add_websocket_handler (self->server, path, NULL, (char **) subprotocols, websocket_cb, route,
                                     websocket_route_free);
}

/**
 * weft_soup_server_set_allowed_origins:
 * @server: a server
 * @origins: (nullable) (array zero-terminated=1): origins allowed besides
 *   the server's own ("https://example.org", or "*" for any); %NULL: only
 *   the same origin
 *
 * Sets which pages may open WebSocket connections. A browser page from
 * elsewhere gets 403 Forbidden.
 */
void
weft_soup_server_set_allowed_origins (WeftSoupServer *self, const char *const *origins)
{
  g_return_if_fail (WEFT_IS_SOUP_SERVER (self));

  g_clear_pointer (&self->allowed_origins, g_strfreev);
  self->allowed_origins = g_strdupv ((char **) origins);
}

/**
 * weft_soup_server_get_n_websockets:
 * @server: a server
 *
 * Returns: the number of open WebSocket connections
 */
guint
weft_soup_server_get_n_websockets (WeftSoupServer *self)
{
  g_return_val_if_fail (WEFT_IS_SOUP_SERVER (self), 0);
  return g_hash_table_size (self->transports);
}
