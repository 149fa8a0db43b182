/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeftIrcClient's public functions: configuration, connecting, state and
 * commands. The protocol itself is in weft-irc-client.c and
 * weft-irc-client-handlers.c. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-client-private.h"

static gboolean
set_string (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/**
 * weft_irc_client_new:
 * @reactor: the reactor whose clock runs the client's timers
 * @nick: the nick to register with
 *
 * Makes a client. Configure it, then connect it: weft_irc_client_connect(),
 * weft_irc_client_get_factory() with a connector, or
 * weft_protocol_connection_made() on any transport.
 *
 * Returns: (transfer full): a new client
 */
WeftIrcClient *
weft_irc_client_new (WeftReactor *reactor, const char *nick)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (nick != NULL && *nick != '\0', NULL);

  return g_object_new (WEFT_IRC_TYPE_CLIENT, "reactor", reactor, "nick", nick, NULL);
}

/**
 * weft_irc_client_get_reactor:
 * @client: a client
 *
 * Returns: (transfer none): the client's reactor
 */
WeftReactor *
weft_irc_client_get_reactor (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return client->reactor;
}

/**
 * weft_irc_client_set_username:
 * @client: a client
 * @username: (nullable): the user name for USER ("weft" when %NULL)
 *
 * Sets the user name sent at the next registration.
 */
void
weft_irc_client_set_username (WeftIrcClient *client, const char *username)
{
  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  if (set_string (&client->username, username != NULL && *username != '\0' ? username : "weft"))
    _weft_irc_client_notify (client, WEFT_IRC_CLIENT_PROP_USERNAME);
}

/**
 * weft_irc_client_set_realname:
 * @client: a client
 * @realname: (nullable): the real name for USER ("Weft" when %NULL)
 *
 * Sets the real name sent at the next registration; when connected and
 * the server has `setname`, it is changed at once.
 */
void
weft_irc_client_set_realname (WeftIrcClient *client, const char *realname)
{
  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  if (!set_string (&client->realname, realname != NULL && *realname != '\0' ? realname : "Weft"))
    return;
  _weft_irc_client_notify (client, WEFT_IRC_CLIENT_PROP_REALNAME);
  if (client->registered && weft_irc_client_has_capability (client, "setname"))
    {
      g_autoptr (WeftIrcMessage) m = weft_irc_message_new_va ("SETNAME", client->realname, NULL);
      _weft_irc_client_send (client, m);
    }
}

/**
 * weft_irc_client_set_password:
 * @client: a client
 * @password: (nullable): the server password (PASS), or %NULL for none
 *
 * Sets the password sent at the next registration.
 */
void
weft_irc_client_set_password (WeftIrcClient *client, const char *password)
{
  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  set_string (&client->password, password);
}

/**
 * weft_irc_client_set_sasl:
 * @client: a client
 * @mechanism: the mechanism, or %WEFT_IRC_SASL_NONE
 * @username: (nullable): the account name, for PLAIN
 * @password: (nullable): the password, for PLAIN
 *
 * Makes the client authenticate with SASL during registration when the
 * server offers the `sasl` capability. EXTERNAL relies on the TLS client
 * certificate of the connection (see
 * weft_tls_client_endpoint_set_certificate_files()). A failed
 * authentication is reported by #WeftIrcClient::error-received and
 * registration goes on without an account.
 */
void
weft_irc_client_set_sasl (WeftIrcClient *client,
                          WeftIrcSaslMechanism mechanism,
                          const char *username,
                          const char *password)
{
  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  client->sasl_mechanism = mechanism;
  set_string (&client->sasl_username, username);
  set_string (&client->sasl_password, password);
}

/**
 * weft_irc_client_set_flood_control:
 * @client: a client
 * @burst: how many lines may go out at once (at least 1)
 * @interval_us: then one line per this many microseconds; 0 turns flood
 *   control off
 *
 * Configures the token bucket every outgoing line goes through.
 */
void
weft_irc_client_set_flood_control (WeftIrcClient *client, guint burst, gint64 interval_us)
{
  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  client->flood_burst = MAX (burst, 1);
  client->flood_interval = MAX (interval_us, 0);
  if (client->tokens > client->flood_burst)
    client->tokens = client->flood_burst;
}

/**
 * weft_irc_client_set_ping_timing:
 * @client: a client
 * @interval_us: how often to PING the server (0: never)
 * @timeout_us: how long to wait for the answer (and for registration)
 *   before closing the connection as dead (0: never)
 *
 * Configures lag measurement and dead-connection detection; takes effect
 * from the next PING.
 */
void
weft_irc_client_set_ping_timing (WeftIrcClient *client, gint64 interval_us, gint64 timeout_us)
{
  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  client->ping_interval = MAX (interval_us, 0);
  client->ping_timeout = MAX (timeout_us, 0);
}

/**
 * weft_irc_client_set_version_reply:
 * @client: a client
 * @version: (nullable): the answer to CTCP VERSION; %NULL to not answer
 *
 * Sets what the client answers to a CTCP VERSION request.
 */
void
weft_irc_client_set_version_reply (WeftIrcClient *client, const char *version)
{
  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  set_string (&client->version_reply, version);
}

/**
 * weft_irc_client_get_factory:
 * @client: a client
 *
 * The client's reconnecting factory (a
 * [class@Weft.ReconnectingClientFactory]): every protocol it builds drives
 * this client, so give it to a [class@Weft.Connector], or build protocols
 * with it for transports that are not endpoints (a WebSocket). Its backoff
 * settings can be changed.
 *
 * Returns: (transfer none): the factory
 */
WeftClientFactory *
weft_irc_client_get_factory (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  if (client->factory == NULL)
    client->factory = _weft_irc_client_factory_new (client);
  return WEFT_CLIENT_FACTORY (client->factory);
}

/**
 * weft_irc_client_connect_endpoint:
 * @client: a client
 * @endpoint: where to connect
 *
 * Connects to @endpoint and keeps reconnecting, with exponential backoff,
 * until weft_irc_client_disconnect().
 */
void
weft_irc_client_connect_endpoint (WeftIrcClient *client, WeftClientEndpoint *endpoint)
{
  WeftClientFactory *factory;

  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  g_return_if_fail (WEFT_IS_CLIENT_ENDPOINT (endpoint));

  factory = weft_irc_client_get_factory (client);
  if (client->connector != NULL)
    {
      weft_connector_stop_connecting (client->connector);
      g_clear_object (&client->connector);
    }
  weft_reconnecting_client_factory_reset_delay (client->factory);
  client->connector = weft_connector_new (endpoint, factory);
  weft_connector_connect (client->connector);
}

/**
 * weft_irc_client_connect:
 * @client: a client
 * @url: `irc://HOST[:PORT]` or `ircs://HOST[:PORT]`, or a Weft endpoint
 *   description (`tcp:HOST:PORT`, `tls:...`, `unix:...`)
 * @error: return location for an error about @url
 *
 * Connects and keeps reconnecting until weft_irc_client_disconnect(); see
 * weft_irc_url_to_endpoint().
 *
 * Returns: %TRUE when @url could be used
 */
gboolean
weft_irc_client_connect (WeftIrcClient *client, const char *url, GError **error)
{
  g_autofree char *description = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = NULL;

  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  if (strstr (url, "://") != NULL)
    {
      description = weft_irc_url_to_endpoint (url, error);
      if (description == NULL)
        return FALSE;
    }
  else
    description = g_strdup (url);
  endpoint = weft_client_endpoint_from_string (client->reactor, description, error);
  if (endpoint == NULL)
    return FALSE;
  weft_irc_client_connect_endpoint (client, endpoint);
  return TRUE;
}

/* How long a server has to close the connection after QUIT. */
#define QUIT_GRACE_US (2 * G_USEC_PER_SEC)

static void
quit_grace_over (gpointer data)
{
  WeftIrcClient *client = data;

  g_clear_pointer (&client->quit_call, weft_delayed_call_unref);
  if (client->transport != NULL)
    weft_transport_lose_connection (client->transport);
}

/**
 * weft_irc_client_disconnect:
 * @client: a client
 * @quit_message: (nullable): the QUIT message
 *
 * Quits (when connected) and stops reconnecting. Channels and the outbox
 * are kept: connecting again rejoins them and delivers it.
 *
 * When connected, the client sends QUIT, closes its side of the connection
 * and reads on until the server closes (as servers do after QUIT), for at
 * most two seconds; the state becomes %WEFT_IRC_CLIENT_STATE_DISCONNECTED
 * then.
 */
void
weft_irc_client_disconnect (WeftIrcClient *client, const char *quit_message)
{
  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));

  if (client->factory != NULL)
    weft_reconnecting_client_factory_stop_trying (client->factory);
  if (client->connector != NULL && weft_connector_get_state (client->connector) == WEFT_CONNECTOR_STATE_CONNECTING)
    weft_connector_stop_connecting (client->connector);
  if (client->transport != NULL)
    {
      g_autoptr (WeftIrcMessage) quit = weft_irc_message_new ("QUIT");

      if (quit_message != NULL)
        weft_irc_message_add_param (quit, quit_message);
      _weft_irc_client_write_now (client, quit);
      /* Half-close, and read on until the server closes: closing outright
       * while its replies are still arriving makes the kernel reset the
       * connection, and a server that sees the reset before it reads the
       * QUIT reports a lost connection instead of the quit message. */
      client->quitting = TRUE;
      _weft_irc_client_clear_sendq (client);
      _weft_irc_client_cancel_call (&client->ping_call);
      _weft_irc_client_cancel_call (&client->timeout_call);
      _weft_irc_client_cancel_call (&client->quit_call);
      client->quit_call = weft_delayed_call_ref (weft_reactor_call_later (client->reactor, QUIT_GRACE_US,
                                                                          quit_grace_over, client, NULL));
      weft_transport_lose_write_connection (client->transport);
    }
  else
    _weft_irc_client_set_state (client, WEFT_IRC_CLIENT_STATE_DISCONNECTED);
}

/**
 * weft_irc_client_get_state:
 * @client: a client
 *
 * Returns: where the connection is
 */
WeftIrcClientState
weft_irc_client_get_state (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), WEFT_IRC_CLIENT_STATE_DISCONNECTED);
  return client->state;
}

/**
 * weft_irc_client_get_nick:
 * @client: a client
 *
 * Returns: the nick the client wants
 */
const char *
weft_irc_client_get_nick (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return client->nick;
}

/**
 * weft_irc_client_get_current_nick:
 * @client: a client
 *
 * Returns: the nick the client has on the server now (the wanted one when
 *   not connected)
 */
const char *
weft_irc_client_get_current_nick (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return client->current_nick != NULL ? client->current_nick : client->nick;
}

/**
 * weft_irc_client_get_away:
 * @client: a client
 *
 * Returns: whether the server has the client marked away
 */
gboolean
weft_irc_client_get_away (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), FALSE);
  return client->away;
}

/**
 * weft_irc_client_get_away_message:
 * @client: a client
 *
 * Returns: (nullable): the away message the client set
 */
const char *
weft_irc_client_get_away_message (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return client->away_message;
}

/**
 * weft_irc_client_get_user_modes:
 * @client: a client
 *
 * Returns: the client's own user modes (`"+iw"`)
 */
const char *
weft_irc_client_get_user_modes (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return client->user_modes;
}

/**
 * weft_irc_client_get_lag:
 * @client: a client
 *
 * Returns: the last PING round trip in microseconds, or -1
 */
gint64
weft_irc_client_get_lag (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), -1);
  return client->lag;
}

/**
 * weft_irc_client_get_server_name:
 * @client: a client
 *
 * Returns: (nullable): the server's name
 */
const char *
weft_irc_client_get_server_name (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return client->server_name;
}

/**
 * weft_irc_client_get_network:
 * @client: a client
 *
 * Returns: (nullable): the network's name, or the server's
 */
const char *
weft_irc_client_get_network (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return client->network != NULL ? client->network : client->server_name;
}

/**
 * weft_irc_client_get_account:
 * @client: a client
 *
 * Returns: (nullable): the account the client is logged in to
 */
const char *
weft_irc_client_get_account (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return client->account;
}

/**
 * weft_irc_client_get_capabilities:
 * @client: a client
 *
 * Returns: (transfer none) (array zero-terminated=1): the capabilities
 *   enabled on the current connection
 */
const char *const *
weft_irc_client_get_capabilities (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return (const char *const *) client->caps_strv;
}

/**
 * weft_irc_client_has_capability:
 * @client: a client
 * @name: a capability (`echo-message`)
 *
 * Returns: whether @name is enabled on the current connection
 */
gboolean
weft_irc_client_has_capability (WeftIrcClient *client, const char *name)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), FALSE);
  return g_hash_table_contains (client->caps_enabled, name);
}

/**
 * weft_irc_client_get_isupport:
 * @client: a client
 * @key: an ISUPPORT token (`NETWORK`)
 *
 * Returns: (nullable): its value ("" for a token without value), or %NULL
 *   when the server did not send it
 */
const char *
weft_irc_client_get_isupport (WeftIrcClient *client, const char *key)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return weft_irc_isupport_get (client->isupport, key);
}

/**
 * weft_irc_client_get_server_isupport:
 * @client: a client
 *
 * The ISUPPORT tokens of the current connection, with typed getters
 * (nick and channel lengths, `TARGMAX`, `STATUSMSG`...); reset when a
 * connection starts.
 *
 * Returns: (transfer none): the server's ISUPPORT tokens
 */
WeftIrcIsupport *
weft_irc_client_get_server_isupport (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return client->isupport;
}

/**
 * weft_irc_client_is_channel_name:
 * @client: a client
 * @name: a name
 *
 * Returns: whether @name is a channel on this server (CHANTYPES)
 */
gboolean
weft_irc_client_is_channel_name (WeftIrcClient *client, const char *name)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), FALSE);
  return name != NULL && *name != '\0' && strchr (client->chantypes, *name) != NULL;
}

/**
 * weft_irc_client_names_equal:
 * @client: a client
 * @a: a nick or channel
 * @b: another
 *
 * Returns: whether the server considers @a and @b the same name
 *   (CASEMAPPING)
 */
gboolean
weft_irc_client_names_equal (WeftIrcClient *client, const char *a, const char *b)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), FALSE);
  return weft_irc_case_equal (client->casemap, a, b);
}

/**
 * weft_irc_client_get_channels:
 * @client: a client
 *
 * Returns: (transfer none): the channels, a `GListModel` of
 *   [class@WeftIrc.Channel]
 */
GListModel *
weft_irc_client_get_channels (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return G_LIST_MODEL (client->channels);
}

/**
 * weft_irc_client_lookup_channel:
 * @client: a client
 * @name: a channel name, in any case
 *
 * Returns: (transfer none) (nullable): the channel
 */
WeftIrcChannel *
weft_irc_client_lookup_channel (WeftIrcClient *client, const char *name)
{
  g_autofree char *folded = NULL;

  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  folded = _weft_irc_client_fold (client, name);
  return g_hash_table_lookup (client->channel_by_name, folded);
}

/**
 * weft_irc_client_get_outbox:
 * @client: a client
 *
 * Returns: (transfer none): the messages not yet confirmed or failed, a
 *   `GListModel` of [class@WeftIrc.Outgoing]
 */
GListModel *
weft_irc_client_get_outbox (WeftIrcClient *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  return G_LIST_MODEL (client->outbox);
}

gboolean
_weft_irc_client_note_join_sent (WeftIrcClient *client, const char *name)
{
  return g_hash_table_add (client->joins_sent, _weft_irc_client_fold (client, name));
}

void
_weft_irc_client_join_answered (WeftIrcClient *client, const char *name)
{
  g_autofree char *folded = name != NULL ? _weft_irc_client_fold (client, name) : NULL;

  if (folded != NULL)
    g_hash_table_remove (client->joins_sent, folded);
}

static void
send_join (WeftIrcClient *client, const char *channel, const char *key)
{
  g_autoptr (WeftIrcMessage) m = NULL;

  /* Asked already on this connection (a join() from a ::registered
   * handler, then the rejoin of the same channel): once is enough. */
  if (!_weft_irc_client_note_join_sent (client, channel))
    return;
  m = weft_irc_message_new_va ("JOIN", channel, key, NULL);
  _weft_irc_client_send (client, m);
}

/**
 * weft_irc_client_join:
 * @client: a client
 * @channel: the channel
 * @key: (nullable): its key
 *
 * Joins @channel, now if registered, else as soon as the client is; the
 * channel appears in #WeftIrcClient:channels at once (not joined yet) and
 * is rejoined, with @key, after every reconnect.
 */
void
weft_irc_client_join (WeftIrcClient *client, const char *channel, const char *key)
{
  WeftIrcChannel *object;
  g_autofree char *folded = NULL;

  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  g_return_if_fail (channel != NULL && *channel != '\0');

  object = _weft_irc_client_ensure_channel (client, channel);
  folded = _weft_irc_client_fold (client, channel);
  g_hash_table_add (client->wanted, g_steal_pointer (&folded));
  if (key != NULL && *key != '\0')
    _weft_irc_channel_set_key (object, key);
  if (client->registered && !weft_irc_channel_get_joined (object))
    send_join (client, channel, weft_irc_channel_get_key (object));
}

/**
 * weft_irc_client_part:
 * @client: a client
 * @channel: the channel
 * @reason: (nullable): the part message
 *
 * Leaves @channel; it leaves #WeftIrcClient:channels when the server
 * confirms, or at once when not connected.
 */
void
weft_irc_client_part (WeftIrcClient *client, const char *channel, const char *reason)
{
  WeftIrcChannel *object;
  g_autofree char *folded = NULL;

  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  g_return_if_fail (channel != NULL);

  folded = _weft_irc_client_fold (client, channel);
  g_hash_table_remove (client->wanted, folded);
  object = weft_irc_client_lookup_channel (client, channel);
  if (object != NULL && weft_irc_channel_get_joined (object) && client->registered)
    {
      g_autoptr (WeftIrcMessage) m = weft_irc_message_new_va ("PART", channel, reason, NULL);
      _weft_irc_client_send (client, m);
    }
  else if (object != NULL)
    _weft_irc_client_remove_channel (client, object);
}

/**
 * weft_irc_client_send_privmsg:
 * @client: a client
 * @target: a channel or a nick
 * @text: the text; split into several lines when it does not fit in one,
 *   and at newlines
 *
 * Sends a message, through the outbox: now when the client is registered
 * (and in @target, for a channel it has joined), else after the next
 * registration and rejoin. Follow it with the returned object.
 *
 * Returns: (transfer full): the outgoing message
 */
WeftIrcOutgoing *
weft_irc_client_send_privmsg (WeftIrcClient *client, const char *target, const char *text)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  g_return_val_if_fail (target != NULL && text != NULL, NULL);
  return _weft_irc_client_send_text (client, "PRIVMSG", target, text, FALSE);
}

/**
 * weft_irc_client_send_notice:
 * @client: a client
 * @target: a channel or a nick
 * @text: the text
 *
 * Sends a NOTICE, as weft_irc_client_send_privmsg() sends a PRIVMSG.
 *
 * Returns: (transfer full): the outgoing message
 */
WeftIrcOutgoing *
weft_irc_client_send_notice (WeftIrcClient *client, const char *target, const char *text)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  g_return_val_if_fail (target != NULL && text != NULL, NULL);
  return _weft_irc_client_send_text (client, "NOTICE", target, text, FALSE);
}

/**
 * weft_irc_client_send_action:
 * @client: a client
 * @target: a channel or a nick
 * @text: the action ("waves")
 *
 * Sends a CTCP ACTION ("/me"), as weft_irc_client_send_privmsg().
 *
 * Returns: (transfer full): the outgoing message
 */
WeftIrcOutgoing *
weft_irc_client_send_action (WeftIrcClient *client, const char *target, const char *text)
{
  g_return_val_if_fail (WEFT_IRC_IS_CLIENT (client), NULL);
  g_return_val_if_fail (target != NULL && text != NULL, NULL);
  return _weft_irc_client_send_text (client, "PRIVMSG", target, text, TRUE);
}

/**
 * weft_irc_client_send_ctcp:
 * @client: a client
 * @target: a nick or channel
 * @command: the CTCP command (`VERSION`, `PING`...)
 * @args: (nullable): its arguments
 *
 * Sends a CTCP request (not through the outbox: dropped when not
 * connected). For `PING` without @args, the client's current time is
 * sent, so that the reply measures the round trip.
 */
void
weft_irc_client_send_ctcp (WeftIrcClient *client, const char *target, const char *command, const char *args)
{
  g_autofree char *text = NULL;
  g_autofree char *upper = NULL;
  g_autoptr (WeftIrcMessage) m = NULL;

  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  g_return_if_fail (target != NULL && command != NULL);

  upper = g_ascii_strup (command, -1);
  if (args == NULL && g_str_equal (upper, "PING"))
    text = g_strdup_printf ("\001PING %" G_GINT64_FORMAT "\001", g_get_real_time ());
  else if (args != NULL)
    text = g_strdup_printf ("\001%s %s\001", upper, args);
  else
    text = g_strdup_printf ("\001%s\001", upper);
  m = weft_irc_message_new_va ("PRIVMSG", target, text, NULL);
  _weft_irc_client_send (client, m);
}

/**
 * weft_irc_client_set_nick:
 * @client: a client
 * @nick: the new nick
 *
 * Changes the wanted nick, and the nick on the server when connected.
 */
void
weft_irc_client_set_nick (WeftIrcClient *client, const char *nick)
{
  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  g_return_if_fail (nick != NULL && *nick != '\0');

  if (set_string (&client->nick, nick))
    _weft_irc_client_notify (client, WEFT_IRC_CLIENT_PROP_NICK);
  if (client->transport != NULL && client->registered && !_weft_irc_client_is_self (client, nick))
    {
      g_autoptr (WeftIrcMessage) m = weft_irc_message_new_va ("NICK", nick, NULL);
      _weft_irc_client_send (client, m);
    }
}

/**
 * weft_irc_client_set_topic:
 * @client: a client
 * @channel: the channel
 * @topic: the topic ("" clears it)
 *
 * Asks the server to change a channel's topic; #WeftIrcClient::topic-changed
 * follows when it does.
 */
void
weft_irc_client_set_topic (WeftIrcClient *client, const char *channel, const char *topic)
{
  g_autoptr (WeftIrcMessage) m = NULL;

  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  g_return_if_fail (channel != NULL && topic != NULL);
  m = weft_irc_message_new_va ("TOPIC", channel, topic, NULL);
  _weft_irc_client_send (client, m);
}

/**
 * weft_irc_client_set_away:
 * @client: a client
 * @message: (nullable): the away message; %NULL to come back
 *
 * Marks the client away or back; kept across reconnects.
 * #WeftIrcClient:away follows the server's answer.
 */
void
weft_irc_client_set_away (WeftIrcClient *client, const char *message)
{
  g_autoptr (WeftIrcMessage) m = NULL;

  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  if (message != NULL && *message == '\0')
    message = NULL;
  set_string (&client->wanted_away, message);
  if (set_string (&client->away_message, message))
    _weft_irc_client_notify (client, WEFT_IRC_CLIENT_PROP_AWAY_MESSAGE);
  m = weft_irc_message_new_va ("AWAY", message, NULL);
  if (client->registered)
    _weft_irc_client_send (client, m);
}

/**
 * weft_irc_client_set_mode:
 * @client: a client
 * @target: a channel or the client's nick
 * @modes: the mode string (`+o`)
 * @args: (nullable) (array zero-terminated=1): the arguments
 *
 * Sends a MODE command.
 */
void
weft_irc_client_set_mode (WeftIrcClient *client, const char *target, const char *modes, const char *const *args)
{
  g_autoptr (WeftIrcMessage) m = NULL;

  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  g_return_if_fail (target != NULL && modes != NULL);
  m = weft_irc_message_new_va ("MODE", target, modes, NULL);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    weft_irc_message_add_param (m, args[i]);
  _weft_irc_client_send (client, m);
}

/**
 * weft_irc_client_kick:
 * @client: a client
 * @channel: the channel
 * @nick: who to kick
 * @reason: (nullable): why
 *
 * Sends a KICK command.
 */
void
weft_irc_client_kick (WeftIrcClient *client, const char *channel, const char *nick, const char *reason)
{
  g_autoptr (WeftIrcMessage) m = NULL;

  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  g_return_if_fail (channel != NULL && nick != NULL);
  m = weft_irc_message_new_va ("KICK", channel, nick, reason, NULL);
  _weft_irc_client_send (client, m);
}

/**
 * weft_irc_client_invite:
 * @client: a client
 * @nick: who to invite
 * @channel: where
 *
 * Sends an INVITE command.
 */
void
weft_irc_client_invite (WeftIrcClient *client, const char *nick, const char *channel)
{
  g_autoptr (WeftIrcMessage) m = NULL;

  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  g_return_if_fail (channel != NULL && nick != NULL);
  m = weft_irc_message_new_va ("INVITE", nick, channel, NULL);
  _weft_irc_client_send (client, m);
}

/**
 * weft_irc_client_fetch_history:
 * @client: a client
 * @target: a channel or nick
 * @limit: how many messages at most (0: the server's maximum, or 100)
 *
 * Asks for the latest messages of a conversation (`CHATHISTORY LATEST`),
 * when the server offers `draft/chathistory`; they arrive as
 * #WeftIrcClient::message-received with %WEFT_IRC_MESSAGE_FLAGS_HISTORY,
 * then #WeftIrcClient::history-received. Does nothing otherwise.
 */
void
weft_irc_client_fetch_history (WeftIrcClient *client, const char *target, guint limit)
{
  g_autoptr (WeftIrcMessage) m = NULL;
  g_autofree char *count = NULL;
  const char *max;

  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  g_return_if_fail (target != NULL);
  if (!weft_irc_client_has_capability (client, "draft/chathistory") &&
      !weft_irc_client_has_capability (client, "chathistory"))
    return;
  max = weft_irc_client_get_isupport (client, "CHATHISTORY");
  if (limit == 0)
    limit = max != NULL && atoi (max) > 0 ? (guint) atoi (max) : 100;
  count = g_strdup_printf ("%u", limit);
  m = weft_irc_message_new_va ("CHATHISTORY", "LATEST", target, "*", count, NULL);
  _weft_irc_client_send (client, m);
}

/**
 * weft_irc_client_send_message:
 * @client: a client
 * @message: any message
 *
 * Sends @message through flood control when connected (dropped
 * otherwise): for commands this API has no function for.
 */
void
weft_irc_client_send_message (WeftIrcClient *client, WeftIrcMessage *message)
{
  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  g_return_if_fail (message != NULL);
  _weft_irc_client_send (client, message);
}

/**
 * weft_irc_client_send_ping:
 * @client: a client
 *
 * Sends a PING now, to update #WeftIrcClient:lag, and counts the ping
 * interval from it; also confirms every message written before it when the
 * server has neither echo-message nor labeled-response.
 */
void
weft_irc_client_send_ping (WeftIrcClient *client)
{
  g_return_if_fail (WEFT_IRC_IS_CLIENT (client));
  if (client->transport != NULL && client->registered)
    _weft_irc_client_start_pings (client, FALSE);
}
