/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-soup-private.h"

typedef struct {
  WeftReactor *reactor;
  WeftFactory *factory;
  WeftWebsocketOptions *options;
  SoupSession *session;
  SoupMessage *message;
  char *url;
} ConnectData;

static void
connect_data_free (gpointer data)
{
  ConnectData *connect = data;

  g_clear_object (&connect->reactor);
  g_clear_object (&connect->factory);
  g_clear_pointer (&connect->options, weft_websocket_options_free);
  g_clear_object (&connect->session);
  g_clear_object (&connect->message);
  g_free (connect->url);
  g_free (connect);
}

/* libsoup takes http(s) and ws(s) alike; browsers and IRC clients say ws. */
static char *
http_url_for (const char *url)
{
  if (g_ascii_strncasecmp (url, "ws://", 5) == 0)
    return g_strconcat ("http://", url + 5, NULL);
  if (g_ascii_strncasecmp (url, "wss://", 6) == 0)
    return g_strconcat ("https://", url + 6, NULL);
  return g_strdup (url);
}

static void
connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ConnectData *connect = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupWebsocketConnection) connection = NULL;
  g_autoptr (WeftWebsocketTransport) transport = NULL;
  g_autoptr (WeftProtocol) protocol = NULL;
  g_autoptr (GSocketAddress) address = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (connection == NULL)
    {
      guint status = soup_message_get_status (connect->message);

      if (status >= 400)
        {
          g_autoptr (GError) http_error = weft_soup_http_error_new (connect->message);

          g_task_return_new_error (task, WEFT_SOUP_HTTP_ERROR, status, _ ("WebSocket handshake refused: %s"),
                                   http_error->message);
        }
      else if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE) ||
               g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET))
        g_task_return_new_error (task, WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_FAILED,
                                 _ ("WebSocket handshake with %s failed: %s"), connect->url, error->message);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      /* Cancelled while libsoup finished the handshake: nobody will get a
       * protocol, so nobody may keep the connection. */
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      return;
    }
  transport = weft_websocket_transport_new (connect->reactor, connection, connect->options);
  address = weft_transport_get_peer_address (WEFT_TRANSPORT (transport));
  protocol = weft_factory_build_protocol (connect->factory, address);
  if (protocol == NULL)
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      g_task_return_new_error (task, WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_FAILED,
                               _ ("The factory built no protocol for the WebSocket connection to %s"), connect->url);
      return;
    }
  if (!weft_websocket_transport_start (transport, protocol, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&protocol), g_object_unref);
}

/**
 * weft_websocket_connect_async:
 * @reactor: the reactor
 * @url: a ws://, wss://, http:// or https:// URL
 * @subprotocols: (nullable) (array zero-terminated=1): subprotocols to
 *   offer, in order of preference
 * @origin: (nullable): the Origin header to send
 * @options: (nullable): transport options; %NULL: defaults
 * @factory: builds the protocol
 * @cancellable: (nullable): cancels the handshake
 * @callback: called with the outcome
 * @user_data: data for @callback
 *
 * Connects, the GIO way; see weft_websocket_connect_with_options().
 */
void
weft_websocket_connect_async (WeftReactor *reactor,
                              const char *url,
                              const char *const *subprotocols,
                              const char *origin,
                              const WeftWebsocketOptions *options,
                              WeftFactory *factory,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *http_url = NULL;
  ConnectData *connect;

  g_return_if_fail (WEFT_IS_REACTOR (reactor));
  g_return_if_fail (url != NULL);
  g_return_if_fail (WEFT_IS_FACTORY (factory));

  task = g_task_new (reactor, cancellable, callback, user_data);
  g_task_set_source_tag (task, weft_websocket_connect_async);
  connect = g_new0 (ConnectData, 1);
  connect->reactor = g_object_ref (reactor);
  connect->factory = g_object_ref (factory);
  connect->options = options != NULL ? weft_websocket_options_copy (options) : weft_websocket_options_new ();
  connect->url = g_strdup (url);
  g_task_set_task_data (task, connect, connect_data_free);

  http_url = http_url_for (url);
  connect->message = soup_message_new (SOUP_METHOD_GET, http_url);
  if (connect->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("“%s” is not a valid WebSocket URL"),
                               url);
      return;
    }
  if (weft_websocket_options_get_session (connect->options) != NULL)
    connect->session = g_object_ref (weft_websocket_options_get_session (connect->options));
  else
    connect->session = weft_soup_session_new (reactor);

  soup_session_websocket_connect_async (connect->session, connect->message, origin, (char **) subprotocols,
                                        G_PRIORITY_DEFAULT, cancellable, connected_cb, g_steal_pointer (&task));
}

/**
 * weft_websocket_connect_finish:
 * @reactor: the reactor
 * @result: what the callback received
 * @error: where to put the failure
 *
 * Returns: (transfer full): the connected protocol, or %NULL with @error set
 */
WeftProtocol *
weft_websocket_connect_finish (WeftReactor *reactor, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, reactor), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * weft_websocket_connect_with_options:
 * @reactor: the reactor
 * @url: a ws://, wss://, http:// or https:// URL
 * @subprotocols: (nullable) (array zero-terminated=1): subprotocols to
 *   offer, in order of preference
 * @origin: (nullable): the Origin header to send
 * @options: (nullable): transport options; %NULL: defaults
 * @factory: builds the protocol
 *
 * Opens a WebSocket connection and runs a protocol from @factory over it
 * (a [class@WeftSoup.WebsocketTransport]). The deferred fires with the
 * protocol once connection_made has run, or fails with: GIO's errors when
 * the connection cannot be made; %WEFT_SOUP_HTTP_ERROR (code: the status)
 * when the server answered the handshake with an HTTP error (403 for a
 * refused origin, 400 for no common subprotocol, 404); %WEFT_SOUP_ERROR
 * for any other failed handshake; %WEFT_SOUP_ERROR_WRONG_CONTEXT at once
 * when libsoup's sources would attach to a main context the reactor does
 * not run. Cancelling the deferred (or its timeout) cancels the handshake.
 *
 * Returns: (transfer full): a deferred
 */
WeftDeferred *
weft_websocket_connect_with_options (WeftReactor *reactor,
                                     const char *url,
                                     const char *const *subprotocols,
                                     const char *origin,
                                     const WeftWebsocketOptions *options,
                                     WeftFactory *factory)
{
  GError *error = NULL;
  GAsyncReadyCallback callback;
  gpointer callback_data;
  WeftDeferred *deferred;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);

  if (!weft_soup_check_context (reactor, &error))
    return weft_deferred_fail (error);
  deferred = weft_deferred_new_async (WEFT_TYPE_PROTOCOL, G_CALLBACK (weft_websocket_connect_finish), &callback,
                                      &callback_data);
  weft_deferred_set_description (deferred, "weft_websocket_connect");
  weft_websocket_connect_async (reactor, url, subprotocols, origin, options, factory,
                                weft_deferred_get_cancellable (deferred), callback, callback_data);
  return deferred;
}

/**
 * weft_websocket_connect:
 * @reactor: the reactor
 * @url: a ws://, wss://, http:// or https:// URL
 * @subprotocols: (nullable) (array zero-terminated=1): subprotocols to
 *   offer, in order of preference
 * @origin: (nullable): the Origin header to send
 * @factory: builds the protocol
 *
 * weft_websocket_connect_with_options() with default options: the mode is
 * line mode when an IRCv3 subprotocol was negotiated, message mode
 * otherwise.
 *
 * Returns: (transfer full): a deferred that fires with the protocol
 */
WeftDeferred *
weft_websocket_connect (WeftReactor *reactor,
                        const char *url,
                        const char *const *subprotocols,
                        const char *origin,
                        WeftFactory *factory)
{
  return weft_websocket_connect_with_options (reactor, url, subprotocols, origin, NULL, factory);
}
