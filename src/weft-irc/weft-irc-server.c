/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-server-private.h"

/**
 * WeftIrcServer:
 *
 * The server side of IRC as a library: connections and their registration,
 * a command dispatch table with parameter counts, numerics, channels and
 * their members and modes, routing of messages to members, and the IRCv3
 * tags (`msgid`, `time`, labels, batches).
 *
 * What to keep and for how long (history, accounts) and whom to let in is
 * policy: a program subclasses WeftIrcServer and implements the hooks of
 * [struct@WeftIrc.ServerClass]. Numeric limits are properties.
 *
 * A server is used from its reactor's thread only. Connections come from
 * [method@WeftIrc.Server.get_factory] (give it to any listening endpoint) or
 * [method@WeftIrc.Server.create_connection] (attach it to any transport, such
 * as a WebSocket in line mode).
 */

enum {
  PROP_0,
  PROP_REACTOR,
  PROP_NAME,
  PROP_NETWORK,
  PROP_VERSION,
  PROP_SENDQ,
  PROP_FLOOD_PENALTY,
  PROP_FLOOD_BURST,
  PROP_REGISTRATION_TIMEOUT,
  PROP_PING_INTERVAL,
  PROP_PING_TIMEOUT,
  PROP_NICK_LENGTH,
  PROP_CHANNEL_LENGTH,
  PROP_TOPIC_LENGTH,
  PROP_MAX_CHANNELS,
  PROP_CHATHISTORY_LIMIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_TYPE_WITH_PRIVATE (WeftIrcServer, weft_irc_server, G_TYPE_OBJECT)

/* The factory hands every accepted connection a protocol bound to its server. */
#define WEFT_IRC_TYPE_SERVER_FACTORY (weft_irc_server_factory_get_type ())
G_DECLARE_FINAL_TYPE (WeftIrcServerFactory, weft_irc_server_factory, WEFT_IRC, SERVER_FACTORY, WeftFactory)

struct _WeftIrcServerFactory {
  WeftFactory parent_instance;
  GWeakRef server;
};

G_DEFINE_FINAL_TYPE (WeftIrcServerFactory, weft_irc_server_factory, WEFT_TYPE_FACTORY)

static WeftProtocol *
weft_irc_server_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  WeftIrcServerFactory *self = WEFT_IRC_SERVER_FACTORY (factory);
  g_autoptr (WeftIrcServer) server = g_weak_ref_get (&self->server);

  if (server == NULL)
    return NULL;
  return WEFT_PROTOCOL (_weft_irc_server_connection_new (server));
}

static void
weft_irc_server_factory_finalize (GObject *object)
{
  g_weak_ref_clear (&WEFT_IRC_SERVER_FACTORY (object)->server);
  G_OBJECT_CLASS (weft_irc_server_factory_parent_class)->finalize (object);
}

static void
weft_irc_server_factory_class_init (WeftIrcServerFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_irc_server_factory_finalize;
  WEFT_FACTORY_CLASS (klass)->build_protocol = weft_irc_server_factory_build_protocol;
}

static void
weft_irc_server_factory_init (WeftIrcServerFactory *self)
{
  g_weak_ref_init (&self->server, NULL);
}

WeftIrcServerPrivate *
_weft_irc_server_get_private (WeftIrcServer *server)
{
  return weft_irc_server_get_instance_private (server);
}

static void
command_free (gpointer data)
{
  WeftIrcServerCommand *command = data;
  g_free (command->verb);
  g_free (command);
}

static void
weft_irc_server_dispose (GObject *object)
{
  WeftIrcServer *self = WEFT_IRC_SERVER (object);
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (self);

  if (priv->channels != NULL)
    g_hash_table_remove_all (priv->channels);
  G_OBJECT_CLASS (weft_irc_server_parent_class)->dispose (object);
}

static void
weft_irc_server_finalize (GObject *object)
{
  WeftIrcServer *self = WEFT_IRC_SERVER (object);
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (self);

  g_clear_object (&priv->reactor);
  g_clear_object (&priv->factory);
  g_free (priv->name);
  g_free (priv->network);
  g_free (priv->version);
  g_free (priv->created);
  g_free (priv->motd);
  g_hash_table_unref (priv->commands);
  g_hash_table_unref (priv->clients);
  g_hash_table_unref (priv->channels);
  g_clear_pointer (&priv->dirty, g_ptr_array_unref);
  _weft_irc_server_free_output_buffers (self);

  G_OBJECT_CLASS (weft_irc_server_parent_class)->finalize (object);
}

static void
weft_irc_server_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (WEFT_IRC_SERVER (object));

  switch (prop_id)
    {
    case PROP_REACTOR:
      g_value_set_object (value, priv->reactor);
      break;
    case PROP_NAME:
      g_value_set_string (value, priv->name);
      break;
    case PROP_NETWORK:
      g_value_set_string (value, priv->network);
      break;
    case PROP_VERSION:
      g_value_set_string (value, priv->version);
      break;
    case PROP_SENDQ:
      g_value_set_uint64 (value, priv->sendq);
      break;
    case PROP_FLOOD_PENALTY:
      g_value_set_int64 (value, priv->flood_penalty_us);
      break;
    case PROP_FLOOD_BURST:
      g_value_set_int64 (value, priv->flood_burst_us);
      break;
    case PROP_REGISTRATION_TIMEOUT:
      g_value_set_int64 (value, priv->registration_timeout_us);
      break;
    case PROP_PING_INTERVAL:
      g_value_set_int64 (value, priv->ping_interval_us);
      break;
    case PROP_PING_TIMEOUT:
      g_value_set_int64 (value, priv->ping_timeout_us);
      break;
    case PROP_NICK_LENGTH:
      g_value_set_uint (value, priv->nick_length);
      break;
    case PROP_CHANNEL_LENGTH:
      g_value_set_uint (value, priv->channel_length);
      break;
    case PROP_TOPIC_LENGTH:
      g_value_set_uint (value, priv->topic_length);
      break;
    case PROP_MAX_CHANNELS:
      g_value_set_uint (value, priv->max_channels);
      break;
    case PROP_CHATHISTORY_LIMIT:
      g_value_set_uint (value, priv->chathistory_limit);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_string (char **field, const GValue *value, const char *fallback)
{
  g_free (*field);
  *field = g_strdup (g_value_get_string (value) != NULL ? g_value_get_string (value) : fallback);
}

static void
weft_irc_server_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (WEFT_IRC_SERVER (object));

  switch (prop_id)
    {
    case PROP_REACTOR:
      priv->reactor = g_value_dup_object (value);
      break;
    case PROP_NAME:
      set_string (&priv->name, value, "irc.weft.invalid");
      break;
    case PROP_NETWORK:
      set_string (&priv->network, value, "Weft");
      break;
    case PROP_VERSION:
      set_string (&priv->version, value, "weft-" WEFT_VERSION);
      break;
    case PROP_SENDQ:
      priv->sendq = g_value_get_uint64 (value);
      break;
    case PROP_FLOOD_PENALTY:
      priv->flood_penalty_us = g_value_get_int64 (value);
      break;
    case PROP_FLOOD_BURST:
      priv->flood_burst_us = g_value_get_int64 (value);
      break;
    case PROP_REGISTRATION_TIMEOUT:
      priv->registration_timeout_us = g_value_get_int64 (value);
      break;
    case PROP_PING_INTERVAL:
      priv->ping_interval_us = g_value_get_int64 (value);
      break;
    case PROP_PING_TIMEOUT:
      priv->ping_timeout_us = g_value_get_int64 (value);
      break;
    case PROP_NICK_LENGTH:
      priv->nick_length = g_value_get_uint (value);
      break;
    case PROP_CHANNEL_LENGTH:
      priv->channel_length = g_value_get_uint (value);
      break;
    case PROP_TOPIC_LENGTH:
      priv->topic_length = g_value_get_uint (value);
      break;
    case PROP_MAX_CHANNELS:
      priv->max_channels = g_value_get_uint (value);
      break;
    case PROP_CHATHISTORY_LIMIT:
      priv->chathistory_limit = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
weft_irc_server_real_accept_connection (WeftIrcServer *self, WeftIrcServerConnection *client, GError **error)
{
  return TRUE;
}

static WeftDeferred *
weft_irc_server_real_store_message (WeftIrcServer *self,
                                    WeftIrcServerConnection *sender,
                                    const char *target_key,
                                    WeftIrcMessage *message)
{
  return weft_deferred_succeed_none ();
}

static WeftDeferred *
weft_irc_server_real_query_history (WeftIrcServer *self,
                                    WeftIrcServerConnection *client,
                                    const WeftIrcHistoryQuery *query)
{
  return weft_deferred_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                  _ ("No history on this server")));
}

static WeftDeferred *
weft_irc_server_real_authenticate (WeftIrcServer *self,
                                   WeftIrcServerConnection *client,
                                   const char *account,
                                   const char *password)
{
  return weft_deferred_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                  _ ("This server has no accounts")));
}

static WeftDeferred *
weft_irc_server_real_register_account (WeftIrcServer *self,
                                       WeftIrcServerConnection *client,
                                       const char *account,
                                       const char *email,
                                       const char *password)
{
  return weft_irc_server_real_authenticate (self, client, account, password);
}

static void
weft_irc_server_constructed (GObject *object)
{
  WeftIrcServer *self = WEFT_IRC_SERVER (object);
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (self);
  WeftIrcServerFactory *factory;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  G_OBJECT_CLASS (weft_irc_server_parent_class)->constructed (object);

  factory = g_object_new (WEFT_IRC_TYPE_SERVER_FACTORY, "protocol-type", WEFT_IRC_TYPE_SERVER_CONNECTION, NULL);
  g_weak_ref_set (&factory->server, self);
  priv->factory = WEFT_FACTORY (factory);
  priv->created = g_date_time_format (now, "%Y-%m-%d %H:%M:%S UTC");

  _weft_irc_server_add_login_commands (self);
  _weft_irc_server_add_channel_commands (self);
  _weft_irc_server_add_message_commands (self);
  _weft_irc_server_add_info_commands (self);
}

static void
weft_irc_server_class_init (WeftIrcServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = weft_irc_server_constructed;
  object_class->dispose = weft_irc_server_dispose;
  object_class->finalize = weft_irc_server_finalize;
  object_class->get_property = weft_irc_server_get_property;
  object_class->set_property = weft_irc_server_set_property;

  klass->accept_connection = weft_irc_server_real_accept_connection;
  klass->store_message = weft_irc_server_real_store_message;
  klass->query_history = weft_irc_server_real_query_history;
  klass->authenticate = weft_irc_server_real_authenticate;
  klass->register_account = weft_irc_server_real_register_account;

  properties[PROP_REACTOR] = g_param_spec_object ("reactor", NULL, NULL, WEFT_TYPE_REACTOR,
                                                  G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, "irc.weft.invalid",
                                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NETWORK] = g_param_spec_string ("network", NULL, NULL, "Weft", rw | G_PARAM_CONSTRUCT);
  properties[PROP_VERSION] = g_param_spec_string ("version", NULL, NULL, "weft-" WEFT_VERSION, rw | G_PARAM_CONSTRUCT);
  /**
   * WeftIrcServer:sendq:
   *
   * Bytes that may wait to be sent to one client; a client that lets more
   * pile up is disconnected with "SendQ exceeded".
   */
  properties[PROP_SENDQ] =
      g_param_spec_uint64 ("sendq", NULL, NULL, 4096, G_MAXUINT64, 1024 * 1024, rw | G_PARAM_CONSTRUCT);
  /**
   * WeftIrcServer:flood-penalty:
   *
   * Microseconds each command adds to a client's flood clock; once the
   * clock is more than #WeftIrcServer:flood-burst ahead of now, the
   * client's input waits (its commands are processed at the steady rate).
   */
  properties[PROP_FLOOD_PENALTY] =
      g_param_spec_int64 ("flood-penalty", NULL, NULL, 0, G_MAXINT64, G_USEC_PER_SEC / 2, rw | G_PARAM_CONSTRUCT);
  properties[PROP_FLOOD_BURST] =
      g_param_spec_int64 ("flood-burst", NULL, NULL, 0, G_MAXINT64, 10 * G_USEC_PER_SEC, rw | G_PARAM_CONSTRUCT);
  properties[PROP_REGISTRATION_TIMEOUT] = g_param_spec_int64 ("registration-timeout", NULL, NULL, 1, G_MAXINT64,
                                                              60 * G_USEC_PER_SEC, rw | G_PARAM_CONSTRUCT);
  properties[PROP_PING_INTERVAL] =
      g_param_spec_int64 ("ping-interval", NULL, NULL, 1, G_MAXINT64, 120 * G_USEC_PER_SEC, rw | G_PARAM_CONSTRUCT);
  properties[PROP_PING_TIMEOUT] =
      g_param_spec_int64 ("ping-timeout", NULL, NULL, 1, G_MAXINT64, 60 * G_USEC_PER_SEC, rw | G_PARAM_CONSTRUCT);
  properties[PROP_NICK_LENGTH] = g_param_spec_uint ("nick-length", NULL, NULL, 1, 200, 30, rw | G_PARAM_CONSTRUCT);
  properties[PROP_CHANNEL_LENGTH] =
      g_param_spec_uint ("channel-length", NULL, NULL, 2, 200, 50, rw | G_PARAM_CONSTRUCT);
  properties[PROP_TOPIC_LENGTH] = g_param_spec_uint ("topic-length", NULL, NULL, 1, 400, 390, rw | G_PARAM_CONSTRUCT);
  properties[PROP_MAX_CHANNELS] =
      g_param_spec_uint ("max-channels", NULL, NULL, 1, G_MAXUINT, 50, rw | G_PARAM_CONSTRUCT);
  properties[PROP_CHATHISTORY_LIMIT] =
      g_param_spec_uint ("chathistory-limit", NULL, NULL, 1, 100000, 1000, rw | G_PARAM_CONSTRUCT);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_irc_server_init (WeftIrcServer *self)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (self);

  priv->commands = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, command_free);
  priv->clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  priv->channels = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  priv->caps = WEFT_IRC_SERVER_CAP_MESSAGE_TAGS | WEFT_IRC_SERVER_CAP_SERVER_TIME | WEFT_IRC_SERVER_CAP_ECHO_MESSAGE |
               WEFT_IRC_SERVER_CAP_BATCH | WEFT_IRC_SERVER_CAP_LABELED_RESPONSE | WEFT_IRC_SERVER_CAP_AWAY_NOTIFY |
               WEFT_IRC_SERVER_CAP_ACCOUNT_NOTIFY | WEFT_IRC_SERVER_CAP_EXTENDED_JOIN |
               WEFT_IRC_SERVER_CAP_MULTI_PREFIX | WEFT_IRC_SERVER_CAP_CAP_NOTIFY | WEFT_IRC_SERVER_CAP_ACCOUNT_TAG |
               WEFT_IRC_SERVER_CAP_INVITE_NOTIFY | WEFT_IRC_SERVER_CAP_USERHOST_IN_NAMES;
  priv->max_targets = 4;
  priv->msgid_salt = g_random_int ();
}

/**
 * weft_irc_server_new:
 * @reactor: the reactor connections run on
 * @server_name: the server's name, the source of its messages
 *
 * Returns: (transfer full): a server with no connections
 */
WeftIrcServer *
weft_irc_server_new (WeftReactor *reactor, const char *server_name)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  return g_object_new (WEFT_IRC_TYPE_SERVER, "reactor", reactor, "name", server_name, NULL);
}

/**
 * weft_irc_server_get_reactor:
 * @server: a server
 *
 * Returns: (transfer none): its reactor
 */
WeftReactor *
weft_irc_server_get_reactor (WeftIrcServer *server)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER (server), NULL);
  return _weft_irc_server_get_private (server)->reactor;
}

/**
 * weft_irc_server_get_name:
 * @server: a server
 *
 * Returns: the server's name
 */
const char *
weft_irc_server_get_name (WeftIrcServer *server)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER (server), NULL);
  return _weft_irc_server_get_private (server)->name;
}

/**
 * weft_irc_server_get_factory:
 * @server: a server
 *
 * Returns: (transfer none): a factory that builds a connection of this
 *   server for each accepted transport; give it to a server endpoint
 */
WeftFactory *
weft_irc_server_get_factory (WeftIrcServer *server)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER (server), NULL);
  return _weft_irc_server_get_private (server)->factory;
}

/**
 * weft_irc_server_create_connection:
 * @server: a server
 *
 * A protocol for one client, for transports that do not come through a
 * factory (a WebSocket, an in-memory loopback).
 *
 * Returns: (transfer full): a new connection, not yet connected
 */
WeftIrcServerConnection *
weft_irc_server_create_connection (WeftIrcServer *server)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER (server), NULL);
  return _weft_irc_server_connection_new (server);
}

/**
 * weft_irc_server_set_motd:
 * @server: a server
 * @motd: (nullable): the message of the day, lines separated by `\n`
 */
void
weft_irc_server_set_motd (WeftIrcServer *server, const char *motd)
{
  WeftIrcServerPrivate *priv;

  g_return_if_fail (WEFT_IRC_IS_SERVER (server));
  priv = _weft_irc_server_get_private (server);
  g_free (priv->motd);
  priv->motd = g_strdup (motd);
}

/**
 * weft_irc_server_set_caps:
 * @server: a server
 * @caps: the capabilities to offer
 *
 * Chooses what `CAP LS` offers; `sasl`, `draft/chathistory` and
 * `draft/account-registration` are off until the program implements the
 * matching hooks and turns them on. Clients with cap-notify hear of changes.
 */
void
weft_irc_server_set_caps (WeftIrcServer *server, WeftIrcServerCaps caps)
{
  WeftIrcServerPrivate *priv;
  WeftIrcServerCaps added, removed;

  g_return_if_fail (WEFT_IRC_IS_SERVER (server));
  priv = _weft_irc_server_get_private (server);
  added = caps & ~priv->caps;
  removed = priv->caps & ~caps;
  priv->caps = caps;

  for (GList *l = priv->connections.head; l != NULL; l = l->next)
    {
      WeftIrcServerConnection *client = l->data;

      if (!(client->caps & WEFT_IRC_SERVER_CAP_CAP_NOTIFY) && client->cap_version < 302)
        continue;
      for (guint bit = 0; bit < 32; bit++)
        {
          WeftIrcServerCaps cap = 1u << bit;
          g_autoptr (WeftIrcMessage) message = NULL;
          const char *name;

          if (!((added | removed) & cap) || (name = _weft_irc_server_caps_to_names (cap)) == NULL)
            continue;
          message = _weft_irc_server_message_from_server (server, "CAP", client->nick ? client->nick : "*",
                                                          (added & cap) ? "NEW" : "DEL", name, NULL);
          weft_irc_server_connection_send (client, message);
          if (removed & cap)
            client->caps &= ~cap;
        }
    }
}

/**
 * weft_irc_server_get_caps:
 * @server: a server
 *
 * Returns: the capabilities offered
 */
WeftIrcServerCaps
weft_irc_server_get_caps (WeftIrcServer *server)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER (server), 0);
  return _weft_irc_server_get_private (server)->caps;
}

gboolean
_weft_irc_server_cap_allows (WeftIrcServer *server, WeftIrcServerCaps cap)
{
  return (_weft_irc_server_get_private (server)->caps & cap) != 0;
}

/**
 * weft_irc_server_add_command:
 * @server: a server
 * @verb: the command, upper case
 * @min_params: fewer parameters get ERR_NEEDMOREPARAMS
 * @max_params: parameters past this are ignored
 * @flags: when the command is allowed
 * @func: (scope notified): the handler
 * @user_data: data for @func
 *
 * Adds a command to the dispatch table, or replaces the built-in one.
 */
void
weft_irc_server_add_command (WeftIrcServer *server,
                             const char *verb,
                             guint min_params,
                             guint max_params,
                             WeftIrcServerCommandFlags flags,
                             WeftIrcServerCommandFunc func,
                             gpointer user_data)
{
  WeftIrcServerCommand *command;

  g_return_if_fail (WEFT_IRC_IS_SERVER (server));
  g_return_if_fail (verb != NULL && func != NULL);
  command = g_new0 (WeftIrcServerCommand, 1);
  command->verb = g_ascii_strup (verb, -1);
  command->min_params = min_params;
  command->max_params = MAX (min_params, max_params);
  command->flags = flags;
  command->func = func;
  command->user_data = user_data;
  g_hash_table_replace (_weft_irc_server_get_private (server)->commands, command->verb, command);
}

void
_weft_irc_server_dispatch (WeftIrcServer *server, WeftIrcServerConnection *client, WeftIrcMessage *message)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  const char *verb = weft_irc_message_get_verb (message);
  WeftIrcServerCommand *command = g_hash_table_lookup (priv->commands, verb);
  WeftIrcLabelContext *label = NULL;
  const char *label_tag = weft_irc_message_get_tag (message, "label");

  if (label_tag != NULL && *label_tag != '\0' && strlen (label_tag) <= 64 &&
      (client->caps & WEFT_IRC_SERVER_CAP_LABELED_RESPONSE))
    {
      label = g_new0 (WeftIrcLabelContext, 1);
      label->ref_count = 1;
      label->label = g_strdup (label_tag);
      label->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) weft_irc_message_unref);
      client->label = label;
    }

  if (command == NULL)
    {
      if (client->registered)
        weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_UNKNOWNCOMMAND, verb, NULL);
      else
        weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOTREGISTERED, NULL);
    }
  else if (!client->registered && !(command->flags & (WEFT_IRC_SERVER_COMMAND_BEFORE_REGISTRATION |
                                                      WEFT_IRC_SERVER_COMMAND_ONLY_BEFORE_REGISTRATION)))
    weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NOTREGISTERED, NULL);
  else if (client->registered && (command->flags & WEFT_IRC_SERVER_COMMAND_ONLY_BEFORE_REGISTRATION))
    weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_ALREADYREGISTERED, NULL);
  else if (weft_irc_message_get_n_params (message) < command->min_params)
    weft_irc_server_connection_send_numeric (client, WEFT_IRC_ERR_NEEDMOREPARAMS, verb, NULL);
  else
    command->func (client, message, command->user_data);

  if (label != NULL)
    {
      client->label = NULL;
      label->handler_done = TRUE;
      if (label->n_holds == 0)
        _weft_irc_label_context_flush (client, label);
      _weft_irc_label_context_unref (label);
    }
}

typedef struct {
  WeftIrcServerConnection *client;
  WeftIrcLabelContext *label;
  WeftIrcServerReplyFunc func;
  gpointer user_data;
  GDestroyNotify notify;
  gboolean store; /* a pipelined store: counted in n_stores, not n_busy */
} HeldReply;

static void
held_reply_free (gpointer data)
{
  HeldReply *held = data;

  if (held->notify != NULL)
    held->notify (held->user_data);
  g_clear_pointer (&held->label, _weft_irc_label_context_unref);
  g_object_unref (held->client);
  g_free (held);
}

static WeftDeferred *
held_reply_done (WeftResult *result, gpointer user_data)
{
  HeldReply *held = user_data;
  WeftIrcServerConnection *client = held->client;
  WeftIrcLabelContext *outer = client->label;

  client->label = held->label;
  if (client->server != NULL && !client->quitting)
    held->func (client, result, held->user_data);
  client->label = outer;
  /* The result is consumed here: an error was reported to the client. */
  weft_result_clear (result);

  if (held->label != NULL)
    {
      held->label->n_holds--;
      if (held->label->n_holds == 0 && held->label->handler_done && client->server != NULL)
        _weft_irc_label_context_flush (client, held->label);
    }
  if (held->store)
    _weft_irc_server_connection_store_done (client);
  else
    _weft_irc_server_connection_unbusy (client);
  return NULL;
}

/**
 * weft_irc_server_hold_reply:
 * @server: a server
 * @client: the client whose command is being handled
 * @deferred: the pending answer (stored, looked up...)
 * @func: (scope notified): called with its result; replies it sends belong
 *   to the command
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Finishes a command later. Until @deferred fires, no further input from
 * @client is handled, so its commands keep their order; a labeled command
 * gets its reply (or ACK) only after @func ran.
 */
static void
hold (WeftIrcServerConnection *client,
      WeftDeferred *deferred,
      WeftIrcServerReplyFunc func,
      gpointer user_data,
      GDestroyNotify notify,
      gboolean store)
{
  HeldReply *held = g_new0 (HeldReply, 1);

  held->client = g_object_ref (client);
  held->func = func;
  held->user_data = user_data;
  held->notify = notify;
  if (client->label != NULL)
    {
      held->label = _weft_irc_label_context_ref (client->label);
      held->label->n_holds++;
    }
  held->store = store;
  if (store)
    _weft_irc_server_connection_store_started (client);
  else
    _weft_irc_server_connection_busy (client);
  weft_deferred_add_both (deferred, held_reply_done, held, held_reply_free);
}

void
weft_irc_server_hold_reply (WeftIrcServer *server,
                            WeftIrcServerConnection *client,
                            WeftDeferred *deferred,
                            WeftIrcServerReplyFunc func,
                            gpointer user_data,
                            GDestroyNotify notify)
{
  g_return_if_fail (WEFT_IRC_IS_SERVER (server));
  g_return_if_fail (WEFT_IRC_IS_SERVER_CONNECTION (client));
  g_return_if_fail (WEFT_IS_DEFERRED (deferred));
  hold (client, deferred, func, user_data, notify, FALSE);
}

/* A message being stored does not stop the client's next messages (their
 * stores complete in order, and so do their deliveries); any other command
 * waits for them (see the connection's handle_line). */
void
_weft_irc_server_hold_store (WeftIrcServer *server,
                             WeftIrcServerConnection *client,
                             WeftDeferred *deferred,
                             WeftIrcServerReplyFunc func,
                             gpointer user_data,
                             GDestroyNotify notify)
{
  hold (client, deferred, func, user_data, notify, TRUE);
}

/**
 * weft_irc_server_casefold:
 * @server: a server
 * @name: a nick or channel name
 *
 * Returns: (transfer full): @name folded with the server's case mapping
 *   (`rfc1459`), for comparisons and keys
 */
char *
weft_irc_server_casefold (WeftIrcServer *server, const char *name)
{
  return weft_irc_casefold (WEFT_IRC_CASEMAPPING_RFC1459, name);
}

static gboolean
is_special (char c)
{
  return strchr ("[]\\`_^{|}", c) != NULL;
}

/**
 * weft_irc_server_is_valid_nick:
 * @server: a server
 * @nick: a nickname
 *
 * Returns: whether @nick is acceptable: a letter or one of ``[]\`_^{|}``
 *   first, then letters, digits, those and `-`; at most
 *   #WeftIrcServer:nick-length bytes
 */
gboolean
weft_irc_server_is_valid_nick (WeftIrcServer *server, const char *nick)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  gsize len = strlen (nick);

  if (len == 0 || len > priv->nick_length)
    return FALSE;
  if (!g_ascii_isalpha (nick[0]) && !is_special (nick[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (nick[i]) && !is_special (nick[i]) && nick[i] != '-')
      return FALSE;
  return TRUE;
}

/**
 * weft_irc_server_is_valid_channel:
 * @server: a server
 * @name: a channel name
 *
 * Returns: whether @name is acceptable: `#` first, at most
 *   #WeftIrcServer:channel-length bytes, valid UTF-8, no space, comma,
 *   colon or control character
 */
gboolean
weft_irc_server_is_valid_channel (WeftIrcServer *server, const char *name)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  gsize len = strlen (name);

  if (len < 2 || len > priv->channel_length || name[0] != '#')
    return FALSE;
  if (!g_utf8_validate (name, len, NULL))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if ((guchar) name[i] <= ' ' || name[i] == ',' || name[i] == ':' || name[i] == 0x7f)
      return FALSE;
  return TRUE;
}

/**
 * weft_irc_server_history_key:
 * @server: a server
 * @nick: the client asking or sending
 * @target: a channel, or the other side of a private conversation
 *
 * Returns: (transfer full): the key under which a conversation's history
 *   is kept: the folded channel name, or both folded nicks in order joined
 *   by a space for a private conversation (the same for both sides)
 */
char *
weft_irc_server_history_key (WeftIrcServer *server, const char *nick, const char *target)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (target[0] == '#')
    return weft_irc_server_casefold (server, target);
  a = weft_irc_server_casefold (server, nick);
  b = weft_irc_server_casefold (server, target);
  return strcmp (a, b) <= 0 ? g_strconcat (a, " ", b, NULL) : g_strconcat (b, " ", a, NULL);
}

/**
 * weft_irc_server_new_msgid:
 * @server: a server
 *
 * Returns: (transfer full): a message id unique on this server, also
 *   across restarts (it grows with the clock)
 */
char *
weft_irc_server_new_msgid (WeftIrcServer *server)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  gint64 now = g_get_real_time ();

  if (now <= priv->last_msgid_us)
    now = priv->last_msgid_us + 1;
  priv->last_msgid_us = now;
  return g_strdup_printf ("%013" G_GINT64_MODIFIER "x%04x", now, priv->msgid_salt & 0xffff);
}

gboolean
_weft_irc_mask_match (WeftIrcServer *server, const char *mask, const char *text)
{
  return weft_irc_mask_match (mask, text, WEFT_IRC_CASEMAPPING_RFC1459);
}

/**
 * weft_irc_server_find_client:
 * @server: a server
 * @nick: a nickname, in any case
 *
 * Returns: (transfer none) (nullable): the connection using @nick
 */
WeftIrcServerConnection *
weft_irc_server_find_client (WeftIrcServer *server, const char *nick)
{
  g_autofree char *folded = NULL;

  g_return_val_if_fail (WEFT_IRC_IS_SERVER (server), NULL);
  folded = weft_irc_server_casefold (server, nick);
  return g_hash_table_lookup (_weft_irc_server_get_private (server)->clients, folded);
}

/**
 * weft_irc_server_find_channel:
 * @server: a server
 * @name: a channel name, in any case
 *
 * Returns: (transfer none) (nullable): the channel
 */
WeftIrcServerChannel *
weft_irc_server_find_channel (WeftIrcServer *server, const char *name)
{
  g_autofree char *folded = NULL;

  g_return_val_if_fail (WEFT_IRC_IS_SERVER (server), NULL);
  folded = weft_irc_server_casefold (server, name);
  return g_hash_table_lookup (_weft_irc_server_get_private (server)->channels, folded);
}

/**
 * weft_irc_server_get_n_clients:
 * @server: a server
 *
 * Returns: how many clients have a nick
 */
guint
weft_irc_server_get_n_clients (WeftIrcServer *server)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER (server), 0);
  return g_hash_table_size (_weft_irc_server_get_private (server)->clients);
}

/**
 * weft_irc_server_get_n_connections:
 * @server: a server
 *
 * Returns: how many connections are open, registered or not
 */
guint
weft_irc_server_get_n_connections (WeftIrcServer *server)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER (server), 0);
  return _weft_irc_server_get_private (server)->connections.length;
}

/**
 * weft_irc_server_get_connections:
 * @server: a server
 *
 * Returns: (transfer container) (element-type WeftIrcServerConnection): the open connections
 */
GList *
weft_irc_server_get_connections (WeftIrcServer *server)
{
  g_return_val_if_fail (WEFT_IRC_IS_SERVER (server), NULL);
  return g_list_copy (_weft_irc_server_get_private (server)->connections.head);
}

WeftIrcServerChannel *
_weft_irc_server_ensure_channel (WeftIrcServer *server, const char *name, gboolean *created)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  g_autofree char *folded = weft_irc_server_casefold (server, name);
  WeftIrcServerChannel *channel = g_hash_table_lookup (priv->channels, folded);

  *created = channel == NULL;
  if (channel == NULL)
    {
      channel = _weft_irc_server_channel_new (name, folded);
      _weft_irc_server_channel_set_modes (channel,
                                          WEFT_IRC_CHANNEL_MODE_NO_EXTERNAL | WEFT_IRC_CHANNEL_MODE_TOPIC_LOCK);
      g_hash_table_insert (priv->channels, (gpointer) _weft_irc_server_channel_get_folded (channel), channel);
    }
  return channel;
}

void
_weft_irc_server_drop_channel_if_empty (WeftIrcServer *server, WeftIrcServerChannel *channel)
{
  if (weft_irc_server_channel_get_n_members (channel) == 0)
    g_hash_table_remove (_weft_irc_server_get_private (server)->channels,
                         _weft_irc_server_channel_get_folded (channel));
}

gboolean
_weft_irc_server_rename (WeftIrcServer *server, WeftIrcServerConnection *client, const char *nick)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);
  char *folded = weft_irc_server_casefold (server, nick);
  WeftIrcServerConnection *holder = g_hash_table_lookup (priv->clients, folded);

  if (holder != NULL && holder != client)
    {
      g_free (folded);
      return FALSE;
    }
  if (client->nick_folded != NULL)
    g_hash_table_remove (priv->clients, client->nick_folded);
  g_free (client->nick_folded);
  client->nick_folded = g_strdup (folded);
  g_hash_table_insert (priv->clients, folded, client);
  _weft_irc_server_connection_set_nick (client, nick);
  return TRUE;
}

void
_weft_irc_server_forget_client (WeftIrcServer *server, WeftIrcServerConnection *client)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);

  if (client->nick_folded != NULL && g_hash_table_lookup (priv->clients, client->nick_folded) == client)
    g_hash_table_remove (priv->clients, client->nick_folded);
}

void
_weft_irc_server_remove_connection (WeftIrcServer *server, WeftIrcServerConnection *client)
{
  WeftIrcServerPrivate *priv = _weft_irc_server_get_private (server);

  if (client->link != NULL)
    {
      g_queue_delete_link (&priv->connections, client->link);
      client->link = NULL;
      g_object_unref (client);
    }
}

/**
 * weft_irc_server_notice_all:
 * @server: a server
 * @text: the notice
 *
 * Sends a server NOTICE to every connection.
 */
void
weft_irc_server_notice_all (WeftIrcServer *server, const char *text)
{
  WeftIrcServerPrivate *priv;
  g_autoptr (GList) clients = NULL;

  g_return_if_fail (WEFT_IRC_IS_SERVER (server));
  priv = _weft_irc_server_get_private (server);
  clients = g_list_copy_deep (priv->connections.head, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  for (GList *l = clients; l != NULL; l = l->next)
    {
      WeftIrcServerConnection *client = l->data;
      g_autoptr (WeftIrcMessage) message =
          _weft_irc_server_message_from_server (server, "NOTICE", client->nick ? client->nick : "*", text, NULL);

      _weft_irc_server_set_time_tag (message);
      weft_irc_server_connection_send (client, message);
    }
  g_list_free_full (g_steal_pointer (&clients), g_object_unref);
}

/**
 * weft_irc_server_close_all:
 * @server: a server
 * @reason: told to every client in an ERROR message
 *
 * Closes every connection after sending what is queued (a server
 * shutting down).
 */
void
weft_irc_server_close_all (WeftIrcServer *server, const char *reason)
{
  WeftIrcServerPrivate *priv;
  GList *clients;

  g_return_if_fail (WEFT_IRC_IS_SERVER (server));
  priv = _weft_irc_server_get_private (server);
  clients = g_list_copy_deep (priv->connections.head, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  for (GList *l = clients; l != NULL; l = l->next)
    weft_irc_server_connection_close (l->data, reason);
  g_list_free_full (clients, g_object_unref);
}

/**
 * weft_irc_server_abort_all:
 * @server: a server
 *
 * Drops every connection at once, without a goodbye.
 */
void
weft_irc_server_abort_all (WeftIrcServer *server)
{
  WeftIrcServerPrivate *priv;
  GList *clients;

  g_return_if_fail (WEFT_IRC_IS_SERVER (server));
  priv = _weft_irc_server_get_private (server);
  clients = g_list_copy_deep (priv->connections.head, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  for (GList *l = clients; l != NULL; l = l->next)
    {
      WeftTransport *transport = weft_protocol_get_transport (l->data);
      if (transport != NULL)
        weft_transport_abort_connection (transport);
    }
  g_list_free_full (clients, g_object_unref);
}
