/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "weft-soup-private.h"

/**
 * WeftWebsocketOptions:
 *
 * Settings of a WebSocket transport, given to weft_websocket_connect_with_options()
 * and weft_soup_server_add_websocket(): the mode, the largest incoming
 * message, the keepalive and, for clients, the #SoupSession to connect with.
 */
struct _WeftWebsocketOptions {
  WeftWebsocketMode mode;
  gsize max_message_size;
  gint64 keepalive_interval_us;
  gint64 keepalive_timeout_us;
  SoupSession *session;
};

G_DEFINE_BOXED_TYPE (WeftWebsocketOptions,
                     weft_websocket_options,
                     weft_websocket_options_copy,
                     weft_websocket_options_free)

GType
weft_websocket_mode_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { WEFT_WEBSOCKET_MODE_AUTO, "WEFT_WEBSOCKET_MODE_AUTO", "auto" },
    { WEFT_WEBSOCKET_MODE_MESSAGE, "WEFT_WEBSOCKET_MODE_MESSAGE", "message" },
    { WEFT_WEBSOCKET_MODE_LINE, "WEFT_WEBSOCKET_MODE_LINE", "line" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static (g_intern_static_string ("WeftWebsocketMode"), values));
  return type_id;
}

/**
 * weft_websocket_options_new:
 *
 * Creates options with the defaults: %WEFT_WEBSOCKET_MODE_AUTO,
 * %WEFT_WEBSOCKET_DEFAULT_MAX_MESSAGE_SIZE, no keepalive, a session of
 * the connection's own.
 *
 * Returns: (transfer full): new options
 */
WeftWebsocketOptions *
weft_websocket_options_new (void)
{
  WeftWebsocketOptions *options = g_new0 (WeftWebsocketOptions, 1);

  options->mode = WEFT_WEBSOCKET_MODE_AUTO;
  options->max_message_size = WEFT_WEBSOCKET_DEFAULT_MAX_MESSAGE_SIZE;
  return options;
}

/**
 * weft_websocket_options_copy:
 * @options: options
 *
 * Returns: (transfer full): a copy of @options
 */
WeftWebsocketOptions *
weft_websocket_options_copy (const WeftWebsocketOptions *options)
{
  WeftWebsocketOptions *copy;

  g_return_val_if_fail (options != NULL, NULL);

  copy = g_memdup2 (options, sizeof *options);
  if (copy->session != NULL)
    g_object_ref (copy->session);
  return copy;
}

/**
 * weft_websocket_options_free:
 * @options: (transfer full) (nullable): options
 *
 * Frees @options.
 */
void
weft_websocket_options_free (WeftWebsocketOptions *options)
{
  if (options == NULL)
    return;
  g_clear_object (&options->session);
  g_free (options);
}

/**
 * weft_websocket_options_set_mode:
 * @options: options
 * @mode: how messages map to the protocol's byte stream
 *
 * Sets the mode.
 */
void
weft_websocket_options_set_mode (WeftWebsocketOptions *options, WeftWebsocketMode mode)
{
  g_return_if_fail (options != NULL);
  options->mode = mode;
}

/**
 * weft_websocket_options_get_mode:
 * @options: options
 *
 * Returns: the mode
 */
WeftWebsocketMode
weft_websocket_options_get_mode (const WeftWebsocketOptions *options)
{
  g_return_val_if_fail (options != NULL, WEFT_WEBSOCKET_MODE_AUTO);
  return options->mode;
}

/**
 * weft_websocket_options_set_max_message_size:
 * @options: options
 * @max_message_size: the largest incoming message, in bytes (more than 0)
 *
 * A larger incoming message closes the connection with code 1009 (message
 * too big) and a %WEFT_SOUP_ERROR_TOO_LARGE error on this side.
 */
void
weft_websocket_options_set_max_message_size (WeftWebsocketOptions *options, gsize max_message_size)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (max_message_size > 0);
  options->max_message_size = max_message_size;
}

/**
 * weft_websocket_options_get_max_message_size:
 * @options: options
 *
 * Returns: the largest incoming message, in bytes
 */
gsize
weft_websocket_options_get_max_message_size (const WeftWebsocketOptions *options)
{
  g_return_val_if_fail (options != NULL, 0);
  return options->max_message_size;
}

/**
 * weft_websocket_options_set_keepalive:
 * @options: options
 * @interval_us: how often to send a ping, in microseconds; 0: never
 * @timeout_us: how long the peer may stay silent (no message, no pong)
 *   before the connection is dropped with %G_IO_ERROR_TIMED_OUT, in
 *   microseconds; 0: forever
 *
 * Sets the keepalive. The timeout is checked once per interval, so the
 * connection is dropped between @timeout_us and @timeout_us + @interval_us
 * after the last sign of life.
 */
void
weft_websocket_options_set_keepalive (WeftWebsocketOptions *options, gint64 interval_us, gint64 timeout_us)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (interval_us >= 0 && timeout_us >= 0);
  options->keepalive_interval_us = interval_us;
  options->keepalive_timeout_us = timeout_us;
}

/**
 * weft_websocket_options_get_keepalive:
 * @options: options
 * @interval_us: (out) (optional): the ping interval
 * @timeout_us: (out) (optional): the dead-peer timeout
 *
 * Reads the keepalive settings.
 */
void
weft_websocket_options_get_keepalive (const WeftWebsocketOptions *options, gint64 *interval_us, gint64 *timeout_us)
{
  g_return_if_fail (options != NULL);
  if (interval_us != NULL)
    *interval_us = options->keepalive_interval_us;
  if (timeout_us != NULL)
    *timeout_us = options->keepalive_timeout_us;
}

/**
 * weft_websocket_options_set_session:
 * @options: options
 * @session: (nullable): the session a client connects with; %NULL: a new
 *   one per connection
 *
 * Sets the session of client connections (proxy, TLS database, user agent).
 */
void
weft_websocket_options_set_session (WeftWebsocketOptions *options, SoupSession *session)
{
  g_return_if_fail (options != NULL);
  g_set_object (&options->session, session);
}

/**
 * weft_websocket_options_get_session:
 * @options: options
 *
 * Returns: (transfer none) (nullable): the session
 */
SoupSession *
weft_websocket_options_get_session (const WeftWebsocketOptions *options)
{
  g_return_val_if_fail (options != NULL, NULL);
  return options->session;
}
