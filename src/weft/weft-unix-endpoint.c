/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Unix-socket client and server endpoints. */

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

/* WeftUnixClientEndpoint */

/**
 * WeftUnixClientEndpoint:
 *
 * A Unix socket to connect to, by path (or `@name` for a Linux abstract
 * socket).
 */
G_DEFINE_FINAL_TYPE (WeftUnixClientEndpoint, weft_unix_client_endpoint, WEFT_TYPE_CLIENT_ENDPOINT)

enum {
  PROP_UNIX_CLIENT_0,
  PROP_UNIX_CLIENT_PATH,
  PROP_UNIX_CLIENT_TIMEOUT,
  N_UNIX_CLIENT_PROPS
};

static GParamSpec *unix_client_properties[N_UNIX_CLIENT_PROPS];

static WeftDeferred *
weft_unix_client_endpoint_connect (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
{
  WeftUnixClientEndpoint *self = WEFT_UNIX_CLIENT_ENDPOINT (endpoint);

  return weft_reactor_connect_unix (weft_endpoint_get_reactor (WEFT_ENDPOINT (self)), self->path, factory,
                                    self->timeout_us);
}

static char *
weft_unix_client_endpoint_to_string (WeftEndpoint *endpoint)
{
  WeftUnixClientEndpoint *self = WEFT_UNIX_CLIENT_ENDPOINT (endpoint);
  GString *out = g_string_new ("unix");

  weft_append_argument (out, NULL, self->path);
  weft_append_seconds (out, "timeout", self->timeout_us);
  return g_string_free (out, FALSE);
}

static void
weft_unix_client_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftUnixClientEndpoint *self = WEFT_UNIX_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_UNIX_CLIENT_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_UNIX_CLIENT_TIMEOUT:
      g_value_set_int64 (value, self->timeout_us);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_unix_client_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftUnixClientEndpoint *self = WEFT_UNIX_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_UNIX_CLIENT_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    case PROP_UNIX_CLIENT_TIMEOUT:
      weft_unix_client_endpoint_set_timeout (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_unix_client_endpoint_finalize (GObject *object)
{
  WeftUnixClientEndpoint *self = WEFT_UNIX_CLIENT_ENDPOINT (object);

  g_free (self->path);
  G_OBJECT_CLASS (weft_unix_client_endpoint_parent_class)->finalize (object);
}

static void
weft_unix_client_endpoint_class_init (WeftUnixClientEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = weft_unix_client_endpoint_get_property;
  object_class->set_property = weft_unix_client_endpoint_set_property;
  object_class->finalize = weft_unix_client_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_unix_client_endpoint_to_string;
  WEFT_CLIENT_ENDPOINT_CLASS (klass)->connect = weft_unix_client_endpoint_connect;

  /**
   * WeftUnixClientEndpoint:path: (getter get_path)
   *
   * The socket's path, or `@name` for an abstract socket.
   */
  unix_client_properties[PROP_UNIX_CLIENT_PATH] =
      g_param_spec_string ("path", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftUnixClientEndpoint:timeout: (getter get_timeout) (setter set_timeout)
   *
   * Microseconds a connect may take; 0 for no limit.
   */
  unix_client_properties[PROP_UNIX_CLIENT_TIMEOUT] =
      g_param_spec_int64 ("timeout", NULL, NULL, 0, G_MAXINT64, 0,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_UNIX_CLIENT_PROPS, unix_client_properties);
}

static void
weft_unix_client_endpoint_init (WeftUnixClientEndpoint *self)
{
}

/**
 * weft_unix_client_endpoint_new:
 * @reactor: a reactor
 * @path: (type filename): the socket's path, or `@name` for a Linux
 *   abstract socket
 *
 * Returns: (transfer full): a new Unix client endpoint
 */
WeftUnixClientEndpoint *
weft_unix_client_endpoint_new (WeftReactor *reactor, const char *path)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (path != NULL && *path != '\0', NULL);

  return g_object_new (WEFT_TYPE_UNIX_CLIENT_ENDPOINT, "reactor", reactor, "path", path, NULL);
}

/**
 * weft_unix_client_endpoint_get_path:
 * @endpoint: a Unix client endpoint
 *
 * Returns: (type filename): the socket's path
 */
const char *
weft_unix_client_endpoint_get_path (WeftUnixClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_UNIX_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->path;
}

/**
 * weft_unix_client_endpoint_set_timeout:
 * @endpoint: a Unix client endpoint
 * @timeout_us: how long a connect may take, in microseconds; 0 for no
 *   limit
 *
 * Sets #WeftUnixClientEndpoint:timeout.
 */
void
weft_unix_client_endpoint_set_timeout (WeftUnixClientEndpoint *endpoint, gint64 timeout_us)
{
  g_return_if_fail (WEFT_IS_UNIX_CLIENT_ENDPOINT (endpoint));
  g_return_if_fail (timeout_us >= 0);

  if (endpoint->timeout_us == timeout_us)
    return;
  endpoint->timeout_us = timeout_us;
  g_object_notify_by_pspec (G_OBJECT (endpoint), unix_client_properties[PROP_UNIX_CLIENT_TIMEOUT]);
}

/**
 * weft_unix_client_endpoint_get_timeout:
 * @endpoint: a Unix client endpoint
 *
 * Returns: the connect timeout in microseconds, 0 for none
 */
gint64
weft_unix_client_endpoint_get_timeout (WeftUnixClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_UNIX_CLIENT_ENDPOINT (endpoint), 0);
  return endpoint->timeout_us;
}

/* WeftUnixServerEndpoint */

/**
 * WeftUnixServerEndpoint:
 *
 * A Unix socket to listen on. The socket file gets #WeftUnixServerEndpoint:mode
 * and is removed when the port stops listening.
 */
G_DEFINE_FINAL_TYPE (WeftUnixServerEndpoint, weft_unix_server_endpoint, WEFT_TYPE_SERVER_ENDPOINT)

enum {
  PROP_UNIX_SERVER_0,
  PROP_UNIX_SERVER_PATH,
  PROP_UNIX_SERVER_MODE,
  PROP_UNIX_SERVER_BACKLOG,
  N_UNIX_SERVER_PROPS
};

static GParamSpec *unix_server_properties[N_UNIX_SERVER_PROPS];

static WeftDeferred *
weft_unix_server_endpoint_listen (WeftServerEndpoint *endpoint, WeftFactory *factory)
{
  WeftUnixServerEndpoint *self = WEFT_UNIX_SERVER_ENDPOINT (endpoint);
  WeftListeningPort *port;
  GError *error = NULL;

  port = weft_reactor_listen_unix (weft_endpoint_get_reactor (WEFT_ENDPOINT (self)), self->path, self->mode, factory,
                                   self->backlog, &error);
  return weft_listening_result (port, error);
}

static char *
weft_unix_server_endpoint_to_string (WeftEndpoint *endpoint)
{
  WeftUnixServerEndpoint *self = WEFT_UNIX_SERVER_ENDPOINT (endpoint);
  GString *out = g_string_new ("unix");
  char number[16];

  weft_append_argument (out, NULL, self->path);
  if (self->mode != WEFT_ENDPOINT_DEFAULT_UNIX_MODE)
    {
      g_snprintf (number, sizeof number, "0%o", self->mode);
      weft_append_argument (out, "mode", number);
    }
  if (self->backlog != WEFT_ENDPOINT_DEFAULT_BACKLOG)
    {
      g_snprintf (number, sizeof number, "%d", self->backlog);
      weft_append_argument (out, "backlog", number);
    }
  return g_string_free (out, FALSE);
}

static void
weft_unix_server_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftUnixServerEndpoint *self = WEFT_UNIX_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_UNIX_SERVER_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_UNIX_SERVER_MODE:
      g_value_set_uint (value, self->mode);
      break;
    case PROP_UNIX_SERVER_BACKLOG:
      g_value_set_int (value, self->backlog);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_unix_server_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftUnixServerEndpoint *self = WEFT_UNIX_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_UNIX_SERVER_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    case PROP_UNIX_SERVER_MODE:
      weft_unix_server_endpoint_set_mode (self, g_value_get_uint (value));
      break;
    case PROP_UNIX_SERVER_BACKLOG:
      weft_unix_server_endpoint_set_backlog (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_unix_server_endpoint_finalize (GObject *object)
{
  WeftUnixServerEndpoint *self = WEFT_UNIX_SERVER_ENDPOINT (object);

  g_free (self->path);
  G_OBJECT_CLASS (weft_unix_server_endpoint_parent_class)->finalize (object);
}

static void
weft_unix_server_endpoint_class_init (WeftUnixServerEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_unix_server_endpoint_get_property;
  object_class->set_property = weft_unix_server_endpoint_set_property;
  object_class->finalize = weft_unix_server_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_unix_server_endpoint_to_string;
  WEFT_SERVER_ENDPOINT_CLASS (klass)->listen = weft_unix_server_endpoint_listen;

  /**
   * WeftUnixServerEndpoint:path: (getter get_path)
   *
   * The socket's path, or `@name` for an abstract socket.
   */
  unix_server_properties[PROP_UNIX_SERVER_PATH] =
      g_param_spec_string ("path", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftUnixServerEndpoint:mode: (getter get_mode) (setter set_mode)
   *
   * The permissions of the socket file.
   */
  unix_server_properties[PROP_UNIX_SERVER_MODE] =
      g_param_spec_uint ("mode", NULL, NULL, 0, 0777, WEFT_ENDPOINT_DEFAULT_UNIX_MODE, flags);
  /**
   * WeftUnixServerEndpoint:backlog: (getter get_backlog) (setter set_backlog)
   *
   * How many connections may wait to be accepted.
   */
  unix_server_properties[PROP_UNIX_SERVER_BACKLOG] =
      g_param_spec_int ("backlog", NULL, NULL, 1, G_MAXUINT16, WEFT_ENDPOINT_DEFAULT_BACKLOG, flags);

  g_object_class_install_properties (object_class, N_UNIX_SERVER_PROPS, unix_server_properties);
}

static void
weft_unix_server_endpoint_init (WeftUnixServerEndpoint *self)
{
  self->mode = WEFT_ENDPOINT_DEFAULT_UNIX_MODE;
  self->backlog = WEFT_ENDPOINT_DEFAULT_BACKLOG;
}

/**
 * weft_unix_server_endpoint_new:
 * @reactor: a reactor
 * @path: (type filename): the socket's path, or `@name` for a Linux
 *   abstract socket
 *
 * Returns: (transfer full): a new Unix server endpoint
 */
WeftUnixServerEndpoint *
weft_unix_server_endpoint_new (WeftReactor *reactor, const char *path)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (path != NULL && *path != '\0', NULL);

  return g_object_new (WEFT_TYPE_UNIX_SERVER_ENDPOINT, "reactor", reactor, "path", path, NULL);
}

/**
 * weft_unix_server_endpoint_get_path:
 * @endpoint: a Unix server endpoint
 *
 * Returns: (type filename): the socket's path
 */
const char *
weft_unix_server_endpoint_get_path (WeftUnixServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_UNIX_SERVER_ENDPOINT (endpoint), NULL);
  return endpoint->path;
}

/**
 * weft_unix_server_endpoint_set_mode:
 * @endpoint: a Unix server endpoint
 * @mode: the socket file's permissions, such as 0600
 *
 * Sets #WeftUnixServerEndpoint:mode.
 */
void
weft_unix_server_endpoint_set_mode (WeftUnixServerEndpoint *endpoint, guint mode)
{
  g_return_if_fail (WEFT_IS_UNIX_SERVER_ENDPOINT (endpoint));
  g_return_if_fail (mode <= 0777);

  if (endpoint->mode == mode)
    return;
  endpoint->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (endpoint), unix_server_properties[PROP_UNIX_SERVER_MODE]);
}

/**
 * weft_unix_server_endpoint_get_mode:
 * @endpoint: a Unix server endpoint
 *
 * Returns: the socket file's permissions
 */
guint
weft_unix_server_endpoint_get_mode (WeftUnixServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_UNIX_SERVER_ENDPOINT (endpoint), 0);
  return endpoint->mode;
}

/**
 * weft_unix_server_endpoint_set_backlog:
 * @endpoint: a Unix server endpoint
 * @backlog: how many connections may wait to be accepted, from 1 to 65535
 *
 * Sets #WeftUnixServerEndpoint:backlog.
 */
void
weft_unix_server_endpoint_set_backlog (WeftUnixServerEndpoint *endpoint, int backlog)
{
  g_return_if_fail (WEFT_IS_UNIX_SERVER_ENDPOINT (endpoint));
  g_return_if_fail (backlog >= 1 && backlog <= G_MAXUINT16);

  if (endpoint->backlog == backlog)
    return;
  endpoint->backlog = backlog;
  g_object_notify_by_pspec (G_OBJECT (endpoint), unix_server_properties[PROP_UNIX_SERVER_BACKLOG]);
}

/**
 * weft_unix_server_endpoint_get_backlog:
 * @endpoint: a Unix server endpoint
 *
 * Returns: the listen backlog
 */
int
weft_unix_server_endpoint_get_backlog (WeftUnixServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_UNIX_SERVER_ENDPOINT (endpoint), 0);
  return endpoint->backlog;
}
