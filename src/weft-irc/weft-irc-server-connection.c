/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-server-private.h"

/**
 * WeftIrcServerConnection:
 *
 * One client of a [class@WeftIrc.Server]: a protocol that reads IRC lines,
 * walks the registration state machine (PASS, NICK, USER, CAP, SASL),
 * dispatches commands and writes replies with the tags the client asked for.
 *
 * It also enforces the server's limits: a send queue (a client that does
 * not read is disconnected with "SendQ exceeded"), a receive flood penalty
 * (a client that sends too fast is read more slowly), the registration and
 * ping timeouts, and the line length.
 */

G_DEFINE_FINAL_TYPE (WeftIrcServerConnection, weft_irc_server_connection, WEFT_TYPE_LINE_RECEIVER)

/* Messages of one client being stored at once; past this, its input waits. */
#define MAX_STORES 64

static void update_reading (WeftIrcServerConnection *self);
static void schedule_ping (WeftIrcServerConnection *self, gint64 at_us);

static WeftIrcServerPrivate *
server_priv (WeftIrcServerConnection *self)
{
  return _weft_irc_server_get_private (self->server);
}

static void
weft_irc_server_connection_finalize (GObject *object)
{
  WeftIrcServerConnection *self = WEFT_IRC_SERVER_CONNECTION (object);

  g_clear_pointer (&self->flood_timer, weft_delayed_call_unref);
  g_clear_pointer (&self->ping_timer, weft_delayed_call_unref);
  g_clear_object (&self->server);
  g_hash_table_unref (self->channels);
  g_free (self->nick);
  g_free (self->nick_folded);
  g_free (self->user);
  g_free (self->realname);
  g_free (self->host);
  g_free (self->ip);
  g_free (self->account);
  g_free (self->away);
  g_free (self->password);
  g_free (self->sasl_mechanism);
  g_clear_pointer (&self->stashed, weft_irc_message_unref);
  g_free (self->out_data);
  if (self->sasl_buffer != NULL)
    g_string_free (self->sasl_buffer, TRUE);

  G_OBJECT_CLASS (weft_irc_server_connection_parent_class)->finalize (object);
}

static void
cancel_timers (WeftIrcServerConnection *self)
{
  if (self->flood_timer != NULL)
    weft_delayed_call_cancel (self->flood_timer);
  g_clear_pointer (&self->flood_timer, weft_delayed_call_unref);
  if (self->ping_timer != NULL)
    weft_delayed_call_cancel (self->ping_timer);
  g_clear_pointer (&self->ping_timer, weft_delayed_call_unref);
}

static char *
address_to_host (GSocketAddress *address)
{
  g_autofree char *ip = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("localhost");
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  /* A host starting with ':' could not be a middle parameter (WHO replies). */
  if (ip[0] == ':')
    return g_strconcat ("0", ip, NULL);
  return g_steal_pointer (&ip);
}

static void
weft_irc_server_connection_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  WeftIrcServerConnection *self = WEFT_IRC_SERVER_CONNECTION (protocol);
  WeftIrcServerPrivate *priv = server_priv (self);
  g_autoptr (GSocketAddress) peer = NULL;
  g_autoptr (GError) error = NULL;

  WEFT_PROTOCOL_CLASS (weft_irc_server_connection_parent_class)->connection_made (protocol, transport);

  peer = weft_transport_get_peer_address (transport);
  self->ip = address_to_host (peer);
  self->host = g_strdup (self->ip);
  self->signon_time = g_get_real_time () / G_USEC_PER_SEC;
  self->last_input_us = weft_reactor_get_time (priv->reactor);
  self->last_speak_us = self->last_input_us;

  if (!WEFT_IRC_SERVER_GET_CLASS (self->server)->accept_connection (self->server, self, &error))
    {
      weft_irc_server_connection_close (self, error->message);
      return;
    }
  schedule_ping (self, self->last_input_us + priv->registration_timeout_us);
}

static void
weft_irc_server_connection_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  WeftIrcServerConnection *self = WEFT_IRC_SERVER_CONNECTION (protocol);

  if (self->server != NULL && !self->quitting)
    {
      const char *why = "Connection closed";
      g_autofree char *text = NULL;

      if (!g_error_matches (reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE))
        why = text = g_strdup_printf ("Read error: %s", reason->message);
      _weft_irc_server_connection_quit (self, why, FALSE);
    }
  cancel_timers (self);
  if (self->server != NULL)
    {
      if (WEFT_IRC_SERVER_GET_CLASS (self->server)->connection_closed != NULL)
        WEFT_IRC_SERVER_GET_CLASS (self->server)->connection_closed (self->server, self);
      _weft_irc_server_remove_connection (self->server, self);
    }

  WEFT_PROTOCOL_CLASS (weft_irc_server_connection_parent_class)->connection_lost (protocol, reason);
}

static void
weft_irc_server_connection_pause_writing (WeftProtocol *protocol)
{
  WeftIrcServerConnection *self = WEFT_IRC_SERVER_CONNECTION (protocol);

  /* A client that does not read its replies gets no more to read. */
  self->write_paused = TRUE;
  update_reading (self);
}

static void
weft_irc_server_connection_resume_writing (WeftProtocol *protocol)
{
  WeftIrcServerConnection *self = WEFT_IRC_SERVER_CONNECTION (protocol);

  self->write_paused = FALSE;
  update_reading (self);
}

static void
update_reading (WeftIrcServerConnection *self)
{
  WeftLineReceiver *receiver = WEFT_LINE_RECEIVER (self);
  gboolean pause = self->flood_paused || self->n_busy > 0 || self->write_paused || self->n_stores >= MAX_STORES;

  if (self->quitting || !weft_protocol_is_connected (WEFT_PROTOCOL (self)))
    return;
  if (pause && !weft_line_receiver_is_paused (receiver))
    weft_line_receiver_pause_producing (receiver);
  else if (!pause && weft_line_receiver_is_paused (receiver))
    weft_line_receiver_resume_producing (receiver);
}

void
_weft_irc_server_connection_busy (WeftIrcServerConnection *client)
{
  client->n_busy++;
  update_reading (client);
}

void
_weft_irc_server_connection_unbusy (WeftIrcServerConnection *client)
{
  g_return_if_fail (client->n_busy > 0);
  client->n_busy--;
  update_reading (client);
}

static gboolean
is_pipelined (WeftIrcMessage *message)
{
  const char *verb = weft_irc_message_get_verb (message);
  return g_str_equal (verb, "PRIVMSG") || g_str_equal (verb, "NOTICE");
}

static void charge_flood_penalty (WeftIrcServerConnection *self, const char *verb);

void
_weft_irc_server_connection_store_started (WeftIrcServerConnection *client)
{
  client->n_stores++;
  update_reading (client);
}

void
_weft_irc_server_connection_store_done (WeftIrcServerConnection *client)
{
  g_return_if_fail (client->n_stores > 0);
  client->n_stores--;
  if (client->n_stores == 0 && client->stashed != NULL)
    {
      g_autoptr (WeftIrcMessage) message = g_steal_pointer (&client->stashed);

      if (client->server != NULL && !client->quitting)
        {
          charge_flood_penalty (client, weft_irc_message_get_verb (message));
          _weft_irc_server_dispatch (client->server, client, message);
        }
      _weft_irc_server_connection_unbusy (client);
      return;
    }
  update_reading (client);
}

static void
flood_timer_cb (gpointer user_data)
{
  WeftIrcServerConnection *self = user_data;

  g_clear_pointer (&self->flood_timer, weft_delayed_call_unref);
  self->flood_paused = FALSE;
  update_reading (self);
}

/* Every command moves the client's flood clock forward; a client more than
 * a burst ahead of real time waits until it is not. */
static void
charge_flood_penalty (WeftIrcServerConnection *self, const char *verb)
{
  WeftIrcServerPrivate *priv = server_priv (self);
  WeftIrcServerCommand *command = g_hash_table_lookup (priv->commands, verb);
  gint64 now = weft_reactor_get_time (priv->reactor);

  if (priv->flood_penalty_us == 0 || (command != NULL && (command->flags & WEFT_IRC_SERVER_COMMAND_NO_PENALTY)))
    return;
  self->flood_clock_us = MAX (self->flood_clock_us, now) + priv->flood_penalty_us;
  if (self->flood_clock_us - now > priv->flood_burst_us && self->flood_timer == NULL)
    {
      self->flood_paused = TRUE;
      self->flood_timer = weft_reactor_call_later (priv->reactor, self->flood_clock_us - now - priv->flood_burst_us,
                                                   flood_timer_cb, self, NULL);
      weft_delayed_call_ref (self->flood_timer);
      update_reading (self);
    }
}

static void
handle_line (WeftIrcServerConnection *self, const char *line, gsize len)
{
  g_autoptr (WeftIrcMessage) message = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GObject) hold = NULL;

  if (self->quitting || self->server == NULL)
    return;
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
    len--;
  if (len == 0)
    return;

  self->last_input_us = weft_reactor_get_time (server_priv (self)->reactor);
  self->ping_pending = FALSE;

  message = weft_irc_message_parse (line, len, &error);
  if (message == NULL)
    {
      if (g_error_matches (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG))
        weft_irc_server_connection_send_numeric (self, WEFT_IRC_ERR_INPUTTOOLONG, NULL);
      else
        g_debug ("Ignoring a malformed line from %s: %s", self->ip, error->message);
      return;
    }
  hold = g_object_ref (G_OBJECT (self));
  /* Anything but another message waits until the messages before it are
   * stored and delivered, so that replies keep the order of commands. */
  if (self->n_stores > 0 && !is_pipelined (message))
    {
      self->stashed = g_steal_pointer (&message);
      _weft_irc_server_connection_busy (self);
      return;
    }
  charge_flood_penalty (self, weft_irc_message_get_verb (message));
  _weft_irc_server_dispatch (self->server, self, message);
}

static void
weft_irc_server_connection_line_received (WeftLineReceiver *receiver, const char *line, gsize len)
{
  handle_line (WEFT_IRC_SERVER_CONNECTION (receiver), line, len);
}

static void
weft_irc_server_connection_line_length_exceeded (WeftLineReceiver *receiver, const guint8 *data, gsize len)
{
  /* Tell the client and skip the rest of the line; the connection stays. */
  weft_irc_server_connection_send_numeric (WEFT_IRC_SERVER_CONNECTION (receiver), WEFT_IRC_ERR_INPUTTOOLONG, NULL);
}

static void
weft_irc_server_connection_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  WeftIrcServerConnection *self = WEFT_IRC_SERVER_CONNECTION (protocol);

  if (self->line_framing)
    {
      WEFT_PROTOCOL_CLASS (weft_irc_server_connection_parent_class)->data_received (protocol, data, len);
      return;
    }
  /* Message framing (WebSocket): every delivery is one line. */
  if (len > weft_line_receiver_get_max_line_length (WEFT_LINE_RECEIVER (self)))
    weft_irc_server_connection_send_numeric (self, WEFT_IRC_ERR_INPUTTOOLONG, NULL);
  else if (memchr (data, '\0', len) == NULL)
    {
      g_autofree char *line = g_strndup ((const char *) data, len);
      handle_line (self, line, len);
    }
}

static void
weft_irc_server_connection_class_init (WeftIrcServerConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);
  WeftLineReceiverClass *receiver_class = WEFT_LINE_RECEIVER_CLASS (klass);

  object_class->finalize = weft_irc_server_connection_finalize;
  protocol_class->connection_made = weft_irc_server_connection_connection_made;
  protocol_class->connection_lost = weft_irc_server_connection_connection_lost;
  protocol_class->data_received = weft_irc_server_connection_data_received;
  protocol_class->pause_writing = weft_irc_server_connection_pause_writing;
  protocol_class->resume_writing = weft_irc_server_connection_resume_writing;
  receiver_class->line_received = weft_irc_server_connection_line_received;
  receiver_class->line_length_exceeded = weft_irc_server_connection_line_length_exceeded;
}

static void
weft_irc_server_connection_init (WeftIrcServerConnection *self)
{
  self->channels = g_hash_table_new (NULL, NULL);
  self->line_framing = TRUE;
  weft_line_receiver_set_delimiter (WEFT_LINE_RECEIVER (self), "\n");
  weft_line_receiver_set_max_line_length (WEFT_LINE_RECEIVER (self), WEFT_IRC_MAX_LINE_BYTES + WEFT_IRC_MAX_TAG_BYTES);
}

WeftIrcServerConnection *
_weft_irc_server_connection_new (WeftIrcServer *server)
{
  WeftIrcServerConnection *self = g_object_new (WEFT_IRC_TYPE_SERVER_CONNECTION, NULL);
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);

  self->server = g_object_ref (server);
  g_queue_push_tail (&priv->connections, g_object_ref (self));
  self->link = priv->connections.tail;
  return self;
}

/**
 * weft_irc_server_connection_set_line_framing:
 * @client: a connection, before it is connected
 * @line_framing: %TRUE (the default) for a byte stream of CRLF-terminated
 *   lines; %FALSE for a transport that delivers one line per message
 *   (WebSocket), which then also gets lines without CRLF
 */
void
weft_irc_server_connection_set_line_framing (WeftIrcServerConnection *client, gboolean line_framing)
{
  g_return_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client));
  client->line_framing = line_framing;
}

void
_weft_irc_server_connection_set_nick (WeftIrcServerConnection *client, const char *nick)
{
  g_free (client->nick);
  client->nick = g_strdup (nick);
}

#define GETTER(type, name, field)                                              \
  type weft_irc_server_connection_get_##name (WeftIrcServerConnection *client) \
  {                                                                            \
    g_return_val_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client), 0);          \
    return client->field;                                                      \
  }

/**
 * weft_irc_server_connection_get_server:
 * @client: a connection
 *
 * Returns: (transfer none) (nullable): its server, %NULL once it is gone
 */
GETTER (WeftIrcServer *, server, server)
/**
 * weft_irc_server_connection_get_nick:
 * @client: a connection
 *
 * Returns: (nullable): the nick, %NULL before NICK
 */
GETTER (const char *, nick, nick)
/**
 * weft_irc_server_connection_get_user:
 * @client: a connection
 *
 * Returns: (nullable): the user name from USER
 */
GETTER (const char *, user, user)
/**
 * weft_irc_server_connection_get_host:
 * @client: a connection
 *
 * Returns: (nullable): the host shown to others
 */
GETTER (const char *, host, host)
/**
 * weft_irc_server_connection_get_ip:
 * @client: a connection
 *
 * Returns: (nullable): the peer's address as text
 */
GETTER (const char *, ip, ip)
/**
 * weft_irc_server_connection_get_realname:
 * @client: a connection
 *
 * Returns: (nullable): the real name from USER
 */
GETTER (const char *, realname, realname)
/**
 * weft_irc_server_connection_get_account:
 * @client: a connection
 *
 * Returns: (nullable): the account logged in to, or %NULL
 */
GETTER (const char *, account, account)
/**
 * weft_irc_server_connection_get_away:
 * @client: a connection
 *
 * Returns: (nullable): the away message, or %NULL when present
 */
GETTER (const char *, away, away)
/**
 * weft_irc_server_connection_is_registered:
 * @client: a connection
 *
 * Returns: whether registration is complete
 */
gboolean
weft_irc_server_connection_is_registered (WeftIrcServerConnection *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client), FALSE);
  return client->registered;
}

/**
 * weft_irc_server_connection_get_channels:
 * @client: a connection
 *
 * Returns: (transfer container) (element-type WeftIrcServerChannel): the
 *   channels the client is in
 */
GList *
weft_irc_server_connection_get_channels (WeftIrcServerConnection *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client), NULL);
  return g_hash_table_get_keys (client->channels);
}

/**
 * weft_irc_server_connection_get_caps:
 * @client: a connection
 *
 * Returns: the capabilities the client enabled
 */
WeftIrcServerCaps
weft_irc_server_connection_get_caps (WeftIrcServerConnection *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client), 0);
  return client->caps;
}

/**
 * weft_irc_server_connection_has_cap:
 * @client: a connection
 * @cap: one capability
 *
 * Returns: whether the client enabled @cap
 */
gboolean
weft_irc_server_connection_has_cap (WeftIrcServerConnection *client, WeftIrcServerCaps cap)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client), FALSE);
  return (client->caps & cap) == cap;
}

/**
 * weft_irc_server_connection_dup_prefix:
 * @client: a connection
 *
 * Returns: (transfer full): `nick!user@host`, the source of its messages
 */
char *
weft_irc_server_connection_dup_prefix (WeftIrcServerConnection *client)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client), NULL);
  return g_strdup_printf ("%s!%s@%s", client->nick ? client->nick : "*", client->user ? client->user : "*",
                          client->host ? client->host : "*");
}

/* Tags a client may see, by its capabilities. Labels and batches are added
 * by this file only, for clients that asked. */
static gboolean
tag_allowed (WeftIrcServerConnection *client, const char *key)
{
  if (key[0] == '+')
    return (client->caps & WEFT_IRC_SERVER_CAP_MESSAGE_TAGS) != 0;
  if (strcmp (key, "time") == 0)
    return (client->caps & (WEFT_IRC_SERVER_CAP_SERVER_TIME | WEFT_IRC_SERVER_CAP_MESSAGE_TAGS)) != 0;
  if (strcmp (key, "msgid") == 0)
    return (client->caps & WEFT_IRC_SERVER_CAP_MESSAGE_TAGS) != 0;
  if (strcmp (key, "account") == 0)
    return (client->caps & WEFT_IRC_SERVER_CAP_ACCOUNT_TAG) != 0;
  if (strcmp (key, "batch") == 0)
    return (client->caps & WEFT_IRC_SERVER_CAP_BATCH) != 0;
  if (strcmp (key, "label") == 0)
    return (client->caps & WEFT_IRC_SERVER_CAP_LABELED_RESPONSE) != 0;
  return (client->caps & WEFT_IRC_SERVER_CAP_MESSAGE_TAGS) != 0;
}

GBytes *
_weft_irc_server_connection_serialize (WeftIrcServerConnection *client, WeftIrcMessage *message)
{
  GHashTable *tags = weft_irc_message_get_tags (message);
  g_autoptr (WeftIrcMessage) filtered = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  gsize len;

  if (tags != NULL && g_hash_table_size (tags) > 0)
    {
      GHashTableIter iter;
      gpointer key;
      g_autoptr (GPtrArray) drop = g_ptr_array_new_with_free_func (g_free);

      g_hash_table_iter_init (&iter, tags);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!tag_allowed (client, key))
          g_ptr_array_add (drop, g_strdup (key));
      if (drop->len > 0)
        {
          filtered = weft_irc_message_copy (message);
          for (guint i = 0; i < drop->len; i++)
            weft_irc_message_remove_tag (filtered, drop->pdata[i]);
          message = filtered;
        }
    }

  text = weft_irc_message_to_string (message, &error);
  if (text == NULL)
    {
      g_warning ("Dropping a message to %s that cannot be sent: %s", client->nick ? client->nick : client->ip,
                 error->message);
      return NULL;
    }
  len = strlen (text);
  if (client->line_framing)
    {
      text = g_realloc (text, len + 3);
      memcpy (text + len, "\r\n", 3);
      len += 2;
    }
  return g_bytes_new_take (g_steal_pointer (&text), len);
}

/* Lines to one client are gathered during a reactor iteration in one
 * buffer and written with one write when the iteration is over, which
 * matters when a burst of messages fans out: one system call per client
 * and pass, not per message. The buffers go back to the server after the
 * write: an idle client holds none, and the next iteration reuses them
 * (as many as the last one used) instead of asking malloc for each. */
#define OUT_BUFFER_SIZE 4096

static void
drop_output (WeftIrcServerConnection *client)
{
  if (client->out_data != NULL && client->out_alloc == OUT_BUFFER_SIZE && client->server != NULL)
    {
      WeftIrcServerPrivate *priv = server_priv (client);

      if (priv->spare == NULL)
        priv->spare = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (priv->spare, g_steal_pointer (&client->out_data));
    }
  g_clear_pointer (&client->out_data, g_free);
  client->out_len = 0;
  client->out_alloc = 0;
}

void
_weft_irc_server_free_output_buffers (WeftIrcServer *server)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);

  g_clear_pointer (&priv->spare, g_ptr_array_unref);
}

void
_weft_irc_server_connection_flush (WeftIrcServerConnection *client)
{
  WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (client));

  if (client->out_len > 0 && transport != NULL && !weft_transport_is_closing (transport))
    weft_transport_write (transport, (const guint8 *) client->out_data, client->out_len);
  drop_output (client);
}

/* Runs once per reactor iteration in which anything was queued. */
static void
flush_connections_cb (gpointer user_data)
{
  _weft_irc_server_flush_connections (user_data);
}

void
_weft_irc_server_flush_connections (WeftIrcServer *server)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  g_autoptr (GPtrArray) dirty = g_steal_pointer (&priv->dirty);

  priv->flush_due = FALSE;
  if (dirty == NULL)
    return;
  for (guint i = 0; i < dirty->len; i++)
    {
      WeftIrcServerConnection *client = dirty->pdata[i];

      client->dirty = FALSE;
      if (client->sendq_exceeded)
        {
          drop_output (client);
          _weft_irc_server_connection_quit (client, "SendQ exceeded", FALSE);
        }
      else
        _weft_irc_server_connection_flush (client);
    }
  /* Keep no more spare buffers than this iteration used. */
  if (priv->spare != NULL && priv->spare->len > dirty->len)
    g_ptr_array_set_size (priv->spare, dirty->len);
}

static void
mark_dirty (WeftIrcServerConnection *client, WeftIrcServerPrivate *priv)
{
  client->dirty = TRUE;
  if (priv->dirty == NULL)
    priv->dirty = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (priv->dirty, g_object_ref (client));
  if (!priv->flush_due)
    {
      priv->flush_due = TRUE;
      weft_reactor_call_soon (priv->reactor, flush_connections_cb, g_object_ref (client->server), g_object_unref);
    }
}

void
_weft_irc_server_connection_append (WeftIrcServerConnection *client, const char *data, gsize len)
{
  WeftIrcServerPrivate *priv;

  if (client->server == NULL || client->quitting || client->sendq_exceeded)
    return;
  priv = server_priv (client);
  if (client->out_len == 0)
    {
      /* The first line of this iteration: whether the connection still
       * takes any, and what it has not sent yet (for the SendQ). Nothing
       * else writes to the transport until the flush, so later lines only
       * add to the buffer. */
      WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (client));

      if (transport == NULL || weft_transport_is_closing (transport))
        return;
      if (!client->line_framing)
        {
          /* One message per line: written as it comes. */
          weft_transport_write (transport, (const guint8 *) data, len);
          if (weft_transport_get_write_buffer_size (transport) > priv->sendq)
            {
              client->sendq_exceeded = TRUE;
              if (!client->dirty)
                mark_dirty (client, priv);
            }
          return;
        }
      client->out_base = weft_transport_get_write_buffer_size (transport);
    }
  if (client->out_len + len > client->out_alloc)
    {
      gsize alloc = MAX (client->out_alloc * 2, OUT_BUFFER_SIZE);

      while (alloc < client->out_len + len)
        alloc *= 2;
      if (client->out_data == NULL && alloc == OUT_BUFFER_SIZE && priv->spare != NULL && priv->spare->len > 0)
        client->out_data = g_ptr_array_steal_index_fast (priv->spare, priv->spare->len - 1);
      else
        client->out_data = g_realloc (client->out_data, alloc);
      client->out_alloc = alloc;
    }
  memcpy (client->out_data + client->out_len, data, len);
  client->out_len += len;
  if (!client->dirty)
    mark_dirty (client, priv);
  /* A client that does not read is disconnected when the server flushes,
   * not now: a fan-out in progress keeps its list of members. */
  if (client->out_base + client->out_len > priv->sendq)
    {
      WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (client));

      /* The transport may have sent some since the first line. */
      client->out_base = weft_transport_get_write_buffer_size (transport);
      if (client->out_base + client->out_len > priv->sendq)
        {
          client->sendq_exceeded = TRUE;
          drop_output (client);
        }
    }
}

void
_weft_irc_server_connection_send_raw (WeftIrcServerConnection *client, GBytes *line)
{
  gsize len;
  const char *data = g_bytes_get_data (line, &len);

  _weft_irc_server_connection_append (client, data, len);
}

/**
 * weft_irc_server_connection_send:
 * @client: a connection
 * @message: a message to send it
 *
 * Sends @message with the tags the client is allowed to see. During a
 * labeled command it becomes part of that command's response.
 */
void
weft_irc_server_connection_send (WeftIrcServerConnection *client, WeftIrcMessage *message)
{
  g_autoptr (GBytes) bytes = NULL;

  g_return_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client));
  g_return_if_fail (message != NULL);

  if (client->label != NULL)
    {
      g_ptr_array_add (client->label->lines, weft_irc_message_ref (message));
      return;
    }
  bytes = _weft_irc_server_connection_serialize (client, message);
  if (bytes != NULL)
    _weft_irc_server_connection_send_raw (client, bytes);
}

static void
send_numeric_valist (WeftIrcServerConnection *client, guint numeric, const char *text, va_list args)
{
  char verb[4];
  g_autoptr (WeftIrcMessage) message = NULL;
  const char *param;

  if (client->server == NULL)
    return;
  g_snprintf (verb, sizeof verb, "%03u", numeric % 1000);
  message = weft_irc_message_new (verb);
  weft_irc_message_set_source (message, weft_irc_server_get_name (client->server));
  weft_irc_message_add_param (message, client->nick != NULL ? client->nick : "*");
  /* A middle parameter is often what the client sent (a refused nick, an
   * unknown channel); one that cannot be a middle parameter (empty, with a
   * space or a leading ':') becomes "*", so the reply is still sent. */
  while ((param = va_arg (args, const char *)) != NULL)
    weft_irc_message_add_param (message, *param == '\0' || *param == ':' || strchr (param, ' ') != NULL ? "*" : param);
  if (text != NULL)
    weft_irc_message_add_param (message, text);
  weft_irc_server_connection_send (client, message);
}

/**
 * weft_irc_server_connection_send_numeric:
 * @client: a connection
 * @numeric: the reply
 * @...: middle parameters after the client's nick, then %NULL
 *
 * Sends a numeric with its standard text (see weft_irc_numeric_get_text())
 * as the last parameter.
 */
void
weft_irc_server_connection_send_numeric (WeftIrcServerConnection *client, guint numeric, ...)
{
  va_list args;

  g_return_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client));
  va_start (args, numeric);
  send_numeric_valist (client, numeric, weft_irc_numeric_get_text (numeric), args);
  va_end (args);
}

/**
 * weft_irc_server_connection_send_numeric_text:
 * @client: a connection
 * @numeric: the reply
 * @text: (nullable): the last parameter, %NULL for none
 * @...: middle parameters after the client's nick, then %NULL
 *
 * Sends a numeric whose last parameter is data or a custom text.
 */
void
weft_irc_server_connection_send_numeric_text (WeftIrcServerConnection *client, guint numeric, const char *text, ...)
{
  va_list args;

  g_return_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client));
  va_start (args, text);
  send_numeric_valist (client, numeric, text, args);
  va_end (args);
}

/**
 * weft_irc_server_connection_send_fail:
 * @client: a connection
 * @command: the command that failed
 * @code: a standard-replies code such as "INVALID_PARAMS"
 * @context: (nullable): an extra parameter, such as the target
 * @description: the text for a person
 *
 * Sends an IRCv3 standard reply `FAIL`.
 */
void
weft_irc_server_connection_send_fail (WeftIrcServerConnection *client,
                                      const char *command,
                                      const char *code,
                                      const char *context,
                                      const char *description)
{
  g_autoptr (WeftIrcMessage) message = NULL;

  g_return_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client));
  if (client->server == NULL)
    return;
  message = _weft_irc_server_message_from_server (client->server, "FAIL", command, code, NULL);
  if (context != NULL)
    weft_irc_message_add_param (message, context);
  weft_irc_message_add_param (message, description);
  weft_irc_server_connection_send (client, message);
}

WeftIrcLabelContext *
_weft_irc_label_context_ref (WeftIrcLabelContext *ctx)
{
  ctx->ref_count++;
  return ctx;
}

void
_weft_irc_label_context_unref (WeftIrcLabelContext *ctx)
{
  if (--ctx->ref_count > 0)
    return;
  g_free (ctx->label);
  g_ptr_array_unref (ctx->lines);
  g_free (ctx);
}

void
_weft_irc_label_context_flush (WeftIrcServerConnection *client, WeftIrcLabelContext *ctx)
{
  g_autoptr (GPtrArray) lines = g_steal_pointer (&ctx->lines);

  ctx->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) weft_irc_message_unref);
  if (client->server == NULL || client->quitting)
    return;

  if (lines->len == 0)
    {
      g_autoptr (WeftIrcMessage) ack = _weft_irc_server_message_from_server (client->server, "ACK", NULL);
      weft_irc_message_set_tag (ack, "label", ctx->label);
      weft_irc_server_connection_send (client, ack);
    }
  else if (lines->len == 1)
    {
      g_autoptr (WeftIrcMessage) line = weft_irc_message_copy (lines->pdata[0]);
      weft_irc_message_set_tag (line, "label", ctx->label);
      weft_irc_server_connection_send (client, line);
    }
  else if (!(client->caps & WEFT_IRC_SERVER_CAP_BATCH))
    {
      for (guint i = 0; i < lines->len; i++)
        weft_irc_server_connection_send (client, lines->pdata[i]);
    }
  else
    {
      g_autofree char *id = g_strdup_printf ("L%08x", g_random_int ());
      g_autofree char *start = g_strconcat ("+", id, NULL);
      g_autofree char *end = g_strconcat ("-", id, NULL);
      g_autoptr (WeftIrcMessage) open =
          _weft_irc_server_message_from_server (client->server, "BATCH", start, "labeled-response", NULL);
      g_autoptr (WeftIrcMessage) close = _weft_irc_server_message_from_server (client->server, "BATCH", end, NULL);

      weft_irc_message_set_tag (open, "label", ctx->label);
      weft_irc_server_connection_send (client, open);
      for (guint i = 0; i < lines->len; i++)
        {
          WeftIrcMessage *line = lines->pdata[i];

          if (weft_irc_message_has_tag (line, "batch"))
            weft_irc_server_connection_send (client, line);
          else
            {
              g_autoptr (WeftIrcMessage) copy = weft_irc_message_copy (line);
              weft_irc_message_set_tag (copy, "batch", id);
              weft_irc_server_connection_send (client, copy);
            }
        }
      weft_irc_server_connection_send (client, close);
    }
}

static void
ping_timer_cb (gpointer user_data)
{
  WeftIrcServerConnection *self = user_data;
  WeftIrcServerPrivate *priv = server_priv (self);
  gint64 now = weft_reactor_get_time (priv->reactor);
  gint64 idle = now - self->last_input_us;

  g_clear_pointer (&self->ping_timer, weft_delayed_call_unref);
  if (!self->registered)
    {
      weft_irc_server_connection_close (self, "Registration timed out");
      return;
    }
  if (self->ping_pending && idle >= priv->ping_interval_us + priv->ping_timeout_us)
    {
      g_autofree char *reason = g_strdup_printf ("Ping timeout: %" G_GINT64_FORMAT " seconds", idle / G_USEC_PER_SEC);
      weft_irc_server_connection_close (self, reason);
      return;
    }
  if (!self->ping_pending && idle >= priv->ping_interval_us)
    {
      g_autoptr (WeftIrcMessage) ping = weft_irc_message_new_va ("PING", priv->name, NULL);
      self->ping_pending = TRUE;
      weft_irc_server_connection_send (self, ping);
      schedule_ping (self, self->last_input_us + priv->ping_interval_us + priv->ping_timeout_us);
      return;
    }
  schedule_ping (self, self->last_input_us + priv->ping_interval_us + (self->ping_pending ? priv->ping_timeout_us : 0));
}

static void
schedule_ping (WeftIrcServerConnection *self, gint64 at_us)
{
  WeftIrcServerPrivate *priv = server_priv (self);
  gint64 delay = MAX (0, at_us - weft_reactor_get_time (priv->reactor));

  if (self->ping_timer != NULL)
    {
      weft_delayed_call_reset (self->ping_timer, delay);
      return;
    }
  self->ping_timer = weft_reactor_call_later (priv->reactor, delay, ping_timer_cb, self, NULL);
  weft_delayed_call_ref (self->ping_timer);
}

void
_weft_irc_server_connection_reschedule_ping (WeftIrcServerConnection *client)
{
  WeftIrcServerPrivate *priv = server_priv (client);
  schedule_ping (client, client->last_input_us + priv->ping_interval_us);
}

void
_weft_irc_server_connection_try_register (WeftIrcServerConnection *client)
{
  if (client->registered || !client->got_nick || !client->got_user || client->cap_negotiating || client->nick == NULL)
    return;
  client->registered = TRUE;
  _weft_irc_server_send_welcome (client);
  _weft_irc_server_connection_reschedule_ping (client);
  if (WEFT_IRC_SERVER_GET_CLASS (client->server)->client_registered != NULL)
    WEFT_IRC_SERVER_GET_CLASS (client->server)->client_registered (client->server, client);
}

void
_weft_irc_server_connection_quit (WeftIrcServerConnection *client, const char *reason, gboolean tell_client)
{
  WeftIrcServer *server = client->server;
  WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (client));
  g_autoptr (GObject) hold = g_object_ref (G_OBJECT (client));

  if (client->quitting || server == NULL)
    return;
  client->quitting = TRUE;

  if (client->registered)
    {
      g_autoptr (WeftIrcMessage) quit = _weft_irc_server_message_from (client, "QUIT", reason, NULL);
      GHashTableIter iter;
      gpointer channel;
      g_autoptr (GPtrArray) channels = g_ptr_array_new ();

      _weft_irc_server_send_to_peers (server, client, quit, FALSE, 0);
      if (WEFT_IRC_SERVER_GET_CLASS (server)->client_quit != NULL)
        WEFT_IRC_SERVER_GET_CLASS (server)->client_quit (server, client, reason);

      g_hash_table_iter_init (&iter, client->channels);
      while (g_hash_table_iter_next (&iter, &channel, NULL))
        g_ptr_array_add (channels, channel);
      g_hash_table_remove_all (client->channels);
      for (guint i = 0; i < channels->len; i++)
        {
          _weft_irc_server_channel_remove_member (channels->pdata[i], client);
          _weft_irc_server_drop_channel_if_empty (server, channels->pdata[i]);
        }
    }
  _weft_irc_server_forget_client (server, client);
  cancel_timers (client);

  if (transport == NULL)
    return;
  if (tell_client)
    _weft_irc_server_connection_flush (client);
  else
    drop_output (client);
  if (tell_client)
    {
      g_autofree char *text = g_strdup_printf ("Closing Link: %s (%s)", client->host ? client->host : "*", reason);
      g_autoptr (WeftIrcMessage) error = weft_irc_message_new_va ("ERROR", text, NULL);
      g_autoptr (GBytes) bytes = NULL;

      client->quitting = FALSE; /* let this last line out */
      client->label = NULL;
      bytes = _weft_irc_server_connection_serialize (client, error);
      if (bytes != NULL)
        weft_transport_write_bytes (transport, bytes);
      client->quitting = TRUE;
      weft_transport_lose_connection (transport);
    }
  else
    {
      g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, reason);
      weft_transport_abort_connection_with_error (transport, error);
    }
}

/**
 * weft_irc_server_connection_close:
 * @client: a connection
 * @reason: why, told to the client (ERROR) and to its peers (QUIT)
 *
 * Disconnects the client after sending what is queued.
 */
void
weft_irc_server_connection_close (WeftIrcServerConnection *client, const char *reason)
{
  g_return_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client));
  _weft_irc_server_connection_quit (client, reason, TRUE);
}
