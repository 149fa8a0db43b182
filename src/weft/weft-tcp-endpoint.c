/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* TCP client and server endpoints. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "weft-endpoint-private.h"
#include "weft-error.h"
#include "weft-happy-eyeballs-private.h"
#include "weft-listening-port.h"
#include "weft-resolver-private.h"
#include "weft-resolver.h"
#include "weft-tcp.h"
#include "weft-tls.h"
#include "weft-unix.h"

/* WeftTcpClientEndpoint */

/**
 * WeftTcpClientEndpoint:
 *
 * A TCP server to connect to, by host name or address: Twisted's
 * `HostnameEndpoint`.
 *
 * A name is resolved without blocking (weft_reactor_resolve()). When it has
 * several addresses they are tried as RFC 8305 (Happy Eyeballs) says:
 * IPv6 and IPv4 alternate, IPv6 first; the next address is tried when the
 * one before has failed or after #WeftTcpClientEndpoint:attempt-delay,
 * whichever comes first; the first to connect wins and the others are
 * closed. When all fail, the error lists each address's failure.
 *
 * #WeftTcpClientEndpoint:timeout bounds the whole connect, resolution
 * included; when it passes the deferred fails with %G_IO_ERROR_TIMED_OUT.
 */
G_DEFINE_FINAL_TYPE (WeftTcpClientEndpoint, weft_tcp_client_endpoint, WEFT_TYPE_CLIENT_ENDPOINT)

enum {
  PROP_TCP_CLIENT_0,
  PROP_TCP_CLIENT_HOST,
  PROP_TCP_CLIENT_PORT,
  PROP_TCP_CLIENT_TIMEOUT,
  PROP_TCP_CLIENT_BIND_ADDRESS,
  PROP_TCP_CLIENT_ATTEMPT_DELAY,
  N_TCP_CLIENT_PROPS
};

static GParamSpec *tcp_client_properties[N_TCP_CLIENT_PROPS];

typedef struct {
  WeftReactor *reactor;
  char *host;
  guint16 port;
  gint64 attempt_delay_us;
  WeftClientFactory *factory;
  GSocketAddress *bind;
} TcpConnect;

static void
tcp_connect_clear (gpointer data)
{
  TcpConnect *connect = data;

  g_object_unref (connect->reactor);
  g_free (connect->host);
  g_object_unref (connect->factory);
  g_clear_object (&connect->bind);
}

static void
tcp_connect_unref (gpointer data)
{
  g_rc_box_release_full (data, tcp_connect_clear);
}

static WeftDeferred *
tcp_connect_attempt (GSocketAddress *address, gpointer user_data)
{
  TcpConnect *connect = user_data;

  /* The endpoint's timeout covers all attempts at once. */
  return weft_reactor_connect_tcp (connect->reactor, address, connect->factory, 0, connect->bind);
}

static WeftDeferred *
tcp_connect_resolved (WeftResult *result, gpointer user_data)
{
  TcpConnect *connect = user_data;
  g_autoptr (GPtrArray) resolved = NULL;
  g_autoptr (GPtrArray) addresses = NULL;
  GError *error = NULL;

  resolved = weft_resolver_check_addresses (weft_result_get_value (result), connect->host, &error);
  if (resolved == NULL)
    {
      weft_result_take_error (result, error);
      return NULL;
    }
  /* The resolver's array may be shared: sort a copy. */
  addresses = g_ptr_array_copy (resolved, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  g_ptr_array_set_free_func (addresses, g_object_unref);
  weft_happy_eyeballs_sort (addresses);

  return weft_happy_eyeballs_connect (connect->reactor, connect->host, connect->port, addresses,
                                      connect->attempt_delay_us, tcp_connect_attempt, g_rc_box_acquire (connect),
                                      tcp_connect_unref);
}

static WeftDeferred *
weft_tcp_client_endpoint_connect (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
{
  WeftTcpClientEndpoint *self = WEFT_TCP_CLIENT_ENDPOINT (endpoint);
  WeftReactor *reactor = weft_endpoint_get_reactor (WEFT_ENDPOINT (self));
  GSocketFamily family = G_SOCKET_FAMILY_INVALID;
  g_autofree char *description = NULL;
  TcpConnect *connect;
  WeftDeferred *deferred;

  connect = g_rc_box_new0 (TcpConnect);
  connect->reactor = g_object_ref (reactor);
  connect->host = g_strdup (self->host);
  connect->port = self->port;
  connect->attempt_delay_us = self->attempt_delay_us;
  connect->factory = g_object_ref (factory);
  if (self->bind_address != NULL)
    {
      /* Only addresses of the bound family can be reached from it. */
      connect->bind = g_inet_socket_address_new (self->bind_address, 0);
      family = g_inet_address_get_family (self->bind_address);
    }

  deferred = weft_reactor_resolve (reactor, self->host, self->port, family);
  description = g_strdup_printf (_ ("Connecting to “%s” port %u"), self->host, self->port);
  if (weft_deferred_get_description (deferred) == NULL)
    weft_deferred_set_description (deferred, description);
  weft_deferred_add_callback (deferred, tcp_connect_resolved, connect, tcp_connect_unref);
  if (self->timeout_us > 0)
    weft_deferred_add_timeout (deferred, reactor, self->timeout_us);
  return deferred;
}

static char *
weft_tcp_client_endpoint_to_string (WeftEndpoint *endpoint)
{
  WeftTcpClientEndpoint *self = WEFT_TCP_CLIENT_ENDPOINT (endpoint);
  GString *out = g_string_new ("tcp");

  weft_tcp_client_endpoint_append_arguments (self, out);
  return g_string_free (out, FALSE);
}

void
weft_tcp_client_endpoint_append_arguments (WeftTcpClientEndpoint *self, GString *out)
{
  char port[16];

  g_snprintf (port, sizeof port, "%u", self->port);
  weft_append_argument (out, NULL, self->host);
  weft_append_argument (out, NULL, port);
  weft_append_seconds (out, "timeout", self->timeout_us);
  weft_append_address (out, "bind", self->bind_address);
}

static void
weft_tcp_client_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftTcpClientEndpoint *self = WEFT_TCP_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TCP_CLIENT_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_TCP_CLIENT_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_TCP_CLIENT_TIMEOUT:
      g_value_set_int64 (value, self->timeout_us);
      break;
    case PROP_TCP_CLIENT_BIND_ADDRESS:
      g_value_set_object (value, self->bind_address);
      break;
    case PROP_TCP_CLIENT_ATTEMPT_DELAY:
      g_value_set_int64 (value, self->attempt_delay_us);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tcp_client_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftTcpClientEndpoint *self = WEFT_TCP_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TCP_CLIENT_HOST:
      g_free (self->host);
      self->host = g_value_dup_string (value);
      break;
    case PROP_TCP_CLIENT_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_TCP_CLIENT_TIMEOUT:
      weft_tcp_client_endpoint_set_timeout (self, g_value_get_int64 (value));
      break;
    case PROP_TCP_CLIENT_BIND_ADDRESS:
      weft_tcp_client_endpoint_set_bind_address (self, g_value_get_object (value));
      break;
    case PROP_TCP_CLIENT_ATTEMPT_DELAY:
      weft_tcp_client_endpoint_set_attempt_delay (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tcp_client_endpoint_finalize (GObject *object)
{
  WeftTcpClientEndpoint *self = WEFT_TCP_CLIENT_ENDPOINT (object);

  g_free (self->host);
  g_clear_object (&self->bind_address);
  G_OBJECT_CLASS (weft_tcp_client_endpoint_parent_class)->finalize (object);
}

static void
weft_tcp_client_endpoint_class_init (WeftTcpClientEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_tcp_client_endpoint_get_property;
  object_class->set_property = weft_tcp_client_endpoint_set_property;
  object_class->finalize = weft_tcp_client_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_tcp_client_endpoint_to_string;
  WEFT_CLIENT_ENDPOINT_CLASS (klass)->connect = weft_tcp_client_endpoint_connect;

  /**
   * WeftTcpClientEndpoint:host: (getter get_host)
   *
   * The host name or IP address to connect to.
   */
  tcp_client_properties[PROP_TCP_CLIENT_HOST] =
      g_param_spec_string ("host", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTcpClientEndpoint:port: (getter get_port)
   *
   * The port to connect to.
   */
  tcp_client_properties[PROP_TCP_CLIENT_PORT] =
      g_param_spec_uint ("port", NULL, NULL, 1, G_MAXUINT16, 1,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTcpClientEndpoint:timeout: (getter get_timeout) (setter set_timeout)
   *
   * Microseconds the whole connect may take, resolution included; 0 for no
   * limit (the system's own, about two minutes per address).
   */
  tcp_client_properties[PROP_TCP_CLIENT_TIMEOUT] = g_param_spec_int64 ("timeout", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /**
   * WeftTcpClientEndpoint:bind-address: (getter get_bind_address) (setter set_bind_address)
   *
   * The local address to connect from, or %NULL to let the system choose.
   * Only addresses of its family are tried.
   */
  tcp_client_properties[PROP_TCP_CLIENT_BIND_ADDRESS] =
      g_param_spec_object ("bind-address", NULL, NULL, G_TYPE_INET_ADDRESS, flags);
  /**
   * WeftTcpClientEndpoint:attempt-delay: (getter get_attempt_delay) (setter set_attempt_delay)
   *
   * Microseconds to wait for one address before also trying the next (RFC
   * 8305's Connection Attempt Delay).
   */
  tcp_client_properties[PROP_TCP_CLIENT_ATTEMPT_DELAY] =
      g_param_spec_int64 ("attempt-delay", NULL, NULL, 0, G_MAXINT64, WEFT_ENDPOINT_DEFAULT_ATTEMPT_DELAY, flags);

  g_object_class_install_properties (object_class, N_TCP_CLIENT_PROPS, tcp_client_properties);
}

static void
weft_tcp_client_endpoint_init (WeftTcpClientEndpoint *self)
{
  self->attempt_delay_us = WEFT_ENDPOINT_DEFAULT_ATTEMPT_DELAY;
}

/**
 * weft_tcp_client_endpoint_new:
 * @reactor: a reactor
 * @host: a host name, or an IPv4 or IPv6 address (without brackets)
 * @port: a port, from 1
 *
 * Returns: (transfer full): a new TCP client endpoint
 */
WeftTcpClientEndpoint *
weft_tcp_client_endpoint_new (WeftReactor *reactor, const char *host, guint16 port)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (host != NULL && *host != '\0', NULL);
  g_return_val_if_fail (port > 0, NULL);

  return g_object_new (WEFT_TYPE_TCP_CLIENT_ENDPOINT, "reactor", reactor, "host", host, "port", (guint) port, NULL);
}

/**
 * weft_tcp_client_endpoint_get_host:
 * @endpoint: a TCP client endpoint
 *
 * Returns: the host name or address to connect to
 */
const char *
weft_tcp_client_endpoint_get_host (WeftTcpClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->host;
}

/**
 * weft_tcp_client_endpoint_get_port:
 * @endpoint: a TCP client endpoint
 *
 * Returns: the port to connect to
 */
guint16
weft_tcp_client_endpoint_get_port (WeftTcpClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint), 0);
  return endpoint->port;
}

/**
 * weft_tcp_client_endpoint_set_timeout:
 * @endpoint: a TCP client endpoint
 * @timeout_us: how long a connect may take, resolution included, in
 *   microseconds; 0 for no limit
 *
 * Sets #WeftTcpClientEndpoint:timeout.
 */
void
weft_tcp_client_endpoint_set_timeout (WeftTcpClientEndpoint *endpoint, gint64 timeout_us)
{
  g_return_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint));
  g_return_if_fail (timeout_us >= 0);

  if (endpoint->timeout_us == timeout_us)
    return;
  endpoint->timeout_us = timeout_us;
  g_object_notify_by_pspec (G_OBJECT (endpoint), tcp_client_properties[PROP_TCP_CLIENT_TIMEOUT]);
}

/**
 * weft_tcp_client_endpoint_get_timeout:
 * @endpoint: a TCP client endpoint
 *
 * Returns: the connect timeout in microseconds, 0 for none
 */
gint64
weft_tcp_client_endpoint_get_timeout (WeftTcpClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint), 0);
  return endpoint->timeout_us;
}

/**
 * weft_tcp_client_endpoint_set_bind_address:
 * @endpoint: a TCP client endpoint
 * @address: (nullable): the local address to connect from
 *
 * Sets #WeftTcpClientEndpoint:bind-address.
 */
void
weft_tcp_client_endpoint_set_bind_address (WeftTcpClientEndpoint *endpoint, GInetAddress *address)
{
  g_return_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint));
  g_return_if_fail (address == NULL || G_IS_INET_ADDRESS (address));

  if (g_set_object (&endpoint->bind_address, address))
    g_object_notify_by_pspec (G_OBJECT (endpoint), tcp_client_properties[PROP_TCP_CLIENT_BIND_ADDRESS]);
}

/**
 * weft_tcp_client_endpoint_get_bind_address:
 * @endpoint: a TCP client endpoint
 *
 * Returns: (transfer none) (nullable): the local address to connect from
 */
GInetAddress *
weft_tcp_client_endpoint_get_bind_address (WeftTcpClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->bind_address;
}

/**
 * weft_tcp_client_endpoint_set_attempt_delay:
 * @endpoint: a TCP client endpoint
 * @delay_us: how long to wait for one address before also trying the next,
 *   in microseconds
 *
 * Sets #WeftTcpClientEndpoint:attempt-delay. RFC 8305 recommends 250 ms
 * (the default) and no less than 100 ms; tests use other values.
 */
void
weft_tcp_client_endpoint_set_attempt_delay (WeftTcpClientEndpoint *endpoint, gint64 delay_us)
{
  g_return_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint));
  g_return_if_fail (delay_us >= 0);

  if (endpoint->attempt_delay_us == delay_us)
    return;
  endpoint->attempt_delay_us = delay_us;
  g_object_notify_by_pspec (G_OBJECT (endpoint), tcp_client_properties[PROP_TCP_CLIENT_ATTEMPT_DELAY]);
}

/**
 * weft_tcp_client_endpoint_get_attempt_delay:
 * @endpoint: a TCP client endpoint
 *
 * Returns: the Connection Attempt Delay in microseconds
 */
gint64
weft_tcp_client_endpoint_get_attempt_delay (WeftTcpClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint), 0);
  return endpoint->attempt_delay_us;
}

/* WeftTcpServerEndpoint */

/**
 * WeftTcpServerEndpoint:
 *
 * A TCP port to listen on, on every IPv4 interface or on one address.
 */
G_DEFINE_FINAL_TYPE (WeftTcpServerEndpoint, weft_tcp_server_endpoint, WEFT_TYPE_SERVER_ENDPOINT)

enum {
  PROP_TCP_SERVER_0,
  PROP_TCP_SERVER_PORT,
  PROP_TCP_SERVER_INTERFACE,
  PROP_TCP_SERVER_BACKLOG,
  N_TCP_SERVER_PROPS
};

static GParamSpec *tcp_server_properties[N_TCP_SERVER_PROPS];

static WeftDeferred *
weft_tcp_server_endpoint_listen (WeftServerEndpoint *endpoint, WeftFactory *factory)
{
  WeftTcpServerEndpoint *self = WEFT_TCP_SERVER_ENDPOINT (endpoint);
  g_autoptr (GInetAddress) any = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  WeftListeningPort *port;
  GError *error = NULL;

  if (self->interface == NULL)
    any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (self->interface != NULL ? self->interface : any, self->port);
  port = weft_reactor_listen_tcp (weft_endpoint_get_reactor (WEFT_ENDPOINT (self)), address, factory, self->backlog,
                                  &error);
  return weft_listening_result (port, error);
}

void
weft_tcp_server_endpoint_append_arguments (WeftTcpServerEndpoint *self, GString *out)
{
  char number[16];

  g_snprintf (number, sizeof number, "%u", self->port);
  weft_append_argument (out, NULL, number);
  weft_append_address (out, "interface", self->interface);
  if (self->backlog != WEFT_ENDPOINT_DEFAULT_BACKLOG)
    {
      g_snprintf (number, sizeof number, "%d", self->backlog);
      weft_append_argument (out, "backlog", number);
    }
}

static char *
weft_tcp_server_endpoint_to_string (WeftEndpoint *endpoint)
{
  GString *out = g_string_new ("tcp");

  weft_tcp_server_endpoint_append_arguments (WEFT_TCP_SERVER_ENDPOINT (endpoint), out);
  return g_string_free (out, FALSE);
}

static void
weft_tcp_server_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftTcpServerEndpoint *self = WEFT_TCP_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TCP_SERVER_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_TCP_SERVER_INTERFACE:
      g_value_set_object (value, self->interface);
      break;
    case PROP_TCP_SERVER_BACKLOG:
      g_value_set_int (value, self->backlog);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tcp_server_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftTcpServerEndpoint *self = WEFT_TCP_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TCP_SERVER_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_TCP_SERVER_INTERFACE:
      g_set_object (&self->interface, g_value_get_object (value));
      break;
    case PROP_TCP_SERVER_BACKLOG:
      weft_tcp_server_endpoint_set_backlog (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tcp_server_endpoint_finalize (GObject *object)
{
  WeftTcpServerEndpoint *self = WEFT_TCP_SERVER_ENDPOINT (object);

  g_clear_object (&self->interface);
  G_OBJECT_CLASS (weft_tcp_server_endpoint_parent_class)->finalize (object);
}

static void
weft_tcp_server_endpoint_class_init (WeftTcpServerEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = weft_tcp_server_endpoint_get_property;
  object_class->set_property = weft_tcp_server_endpoint_set_property;
  object_class->finalize = weft_tcp_server_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_tcp_server_endpoint_to_string;
  WEFT_SERVER_ENDPOINT_CLASS (klass)->listen = weft_tcp_server_endpoint_listen;

  /**
   * WeftTcpServerEndpoint:port: (getter get_port)
   *
   * The port to listen on; 0 lets the system pick one (read it from the
   * listening port's address).
   */
  tcp_server_properties[PROP_TCP_SERVER_PORT] =
      g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTcpServerEndpoint:interface: (getter get_interface)
   *
   * The address to listen on, or %NULL for every IPv4 interface.
   */
  tcp_server_properties[PROP_TCP_SERVER_INTERFACE] =
      g_param_spec_object ("interface", NULL, NULL, G_TYPE_INET_ADDRESS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTcpServerEndpoint:backlog: (getter get_backlog) (setter set_backlog)
   *
   * How many connections may wait to be accepted.
   */
  tcp_server_properties[PROP_TCP_SERVER_BACKLOG] =
      g_param_spec_int ("backlog", NULL, NULL, 1, G_MAXUINT16, WEFT_ENDPOINT_DEFAULT_BACKLOG,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_TCP_SERVER_PROPS, tcp_server_properties);
}

static void
weft_tcp_server_endpoint_init (WeftTcpServerEndpoint *self)
{
  self->backlog = WEFT_ENDPOINT_DEFAULT_BACKLOG;
}

/**
 * weft_tcp_server_endpoint_new:
 * @reactor: a reactor
 * @port: the port to listen on, 0 for any free one
 * @interface: (nullable): the address to listen on, %NULL for every IPv4
 *   interface
 *
 * Returns: (transfer full): a new TCP server endpoint
 */
WeftTcpServerEndpoint *
weft_tcp_server_endpoint_new (WeftReactor *reactor, guint16 port, GInetAddress *interface)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (interface == NULL || G_IS_INET_ADDRESS (interface), NULL);

  return g_object_new (WEFT_TYPE_TCP_SERVER_ENDPOINT, "reactor", reactor, "port", (guint) port, "interface", interface,
                       NULL);
}

/**
 * weft_tcp_server_endpoint_get_port:
 * @endpoint: a TCP server endpoint
 *
 * Returns: the port to listen on, 0 for any free one
 */
guint16
weft_tcp_server_endpoint_get_port (WeftTcpServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_SERVER_ENDPOINT (endpoint), 0);
  return endpoint->port;
}

/**
 * weft_tcp_server_endpoint_get_interface:
 * @endpoint: a TCP server endpoint
 *
 * Returns: (transfer none) (nullable): the address to listen on, %NULL for
 *   every IPv4 interface
 */
GInetAddress *
weft_tcp_server_endpoint_get_interface (WeftTcpServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_SERVER_ENDPOINT (endpoint), NULL);
  return endpoint->interface;
}

/**
 * weft_tcp_server_endpoint_set_backlog:
 * @endpoint: a TCP server endpoint
 * @backlog: how many connections may wait to be accepted, from 1 to 65535
 *
 * Sets #WeftTcpServerEndpoint:backlog.
 */
void
weft_tcp_server_endpoint_set_backlog (WeftTcpServerEndpoint *endpoint, int backlog)
{
  g_return_if_fail (WEFT_IS_TCP_SERVER_ENDPOINT (endpoint));
  g_return_if_fail (backlog >= 1 && backlog <= G_MAXUINT16);

  if (endpoint->backlog == backlog)
    return;
  endpoint->backlog = backlog;
  g_object_notify_by_pspec (G_OBJECT (endpoint), tcp_server_properties[PROP_TCP_SERVER_BACKLOG]);
}

/**
 * weft_tcp_server_endpoint_get_backlog:
 * @endpoint: a TCP server endpoint
 *
 * Returns: the listen backlog
 */
int
weft_tcp_server_endpoint_get_backlog (WeftTcpServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_SERVER_ENDPOINT (endpoint), 0);
  return endpoint->backlog;
}
