/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "wcs-accounts.h"
#include "wcs-history.h"
#include "wcs-ircd.h"
#include "wcs-server-private.h"
#include "wcs-server.h"
#include "wcs-tls.h"
#include "wcs-web.h"

/**
 * WcsServer:
 *
 * The chat server: a [class@WeftIrc.Server] with the demo's policy
 * (history, accounts, limits) and its listeners: IRC over TCP and TLS, and
 * HTTP for the browser page, IRC over WebSocket and SSE feeds.
 */
struct _WcsServer {
  GObject parent_instance;

  WeftReactor *reactor;
  GKeyFile *config;
  char *data_dir;
  WcsHistory *history;
  WcsAccounts *accounts;
  WcsIrcd *ircd;
  WcsWeb *web;
  GPtrArray *irc_ports; /* WeftListeningPort */
  WeftDeferred *opened;
  GPtrArray *ready_waiters; /* WeftDeferred */
  GError *open_error;
  WeftLoopingCall *expiry;
  gboolean ready;
  gboolean stopping;
};

G_DEFINE_FINAL_TYPE (WcsServer, wcs_server, G_TYPE_OBJECT)

static void
wcs_server_dispose (GObject *object)
{
  WcsServer *self = WCS_SERVER (object);

  if (self->expiry != NULL && weft_looping_call_is_running (self->expiry))
    weft_looping_call_stop (self->expiry);
  g_clear_object (&self->expiry);
  g_clear_pointer (&self->web, wcs_web_free);
  if (self->ircd != NULL)
    weft_irc_server_abort_all (WEFT_IRC_SERVER (self->ircd));
  G_OBJECT_CLASS (wcs_server_parent_class)->dispose (object);
}

static void
wcs_server_finalize (GObject *object)
{
  WcsServer *self = WCS_SERVER (object);

  g_clear_pointer (&self->irc_ports, g_ptr_array_unref);
  g_clear_object (&self->ircd);
  g_clear_pointer (&self->accounts, wcs_accounts_free);
  g_clear_pointer (&self->history, wcs_history_free);
  g_clear_object (&self->opened);
  g_clear_pointer (&self->ready_waiters, g_ptr_array_unref);
  g_clear_error (&self->open_error);
  g_clear_pointer (&self->config, g_key_file_unref);
  g_free (self->data_dir);
  g_clear_object (&self->reactor);
  G_OBJECT_CLASS (wcs_server_parent_class)->finalize (object);
}

static void
wcs_server_class_init (WcsServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = wcs_server_dispose;
  G_OBJECT_CLASS (klass)->finalize = wcs_server_finalize;
}

static void
wcs_server_init (WcsServer *self)
{
  self->irc_ports = g_ptr_array_new_with_free_func (g_object_unref);
  self->ready_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Config values with defaults; a value of the wrong type is reported. */
static gint64
config_int (GKeyFile *config, const char *group, const char *key, gint64 fallback)
{
  g_autoptr (GError) error = NULL;
  gint64 value;

  if (config == NULL || !g_key_file_has_key (config, group, key, NULL))
    return fallback;
  value = g_key_file_get_int64 (config, group, key, &error);
  if (error != NULL)
    {
      g_warning ("Config [%s] %s: %s; using %" G_GINT64_FORMAT, group, key, error->message, fallback);
      return fallback;
    }
  return value;
}

static char *
config_string (GKeyFile *config, const char *group, const char *key, const char *fallback)
{
  char *value = config != NULL ? g_key_file_get_string (config, group, key, NULL) : NULL;
  return value != NULL ? value : g_strdup (fallback);
}

static WeftDeferred *
server_ready (WeftResult *result, gpointer user_data)
{
  WcsServer *self = user_data;

  g_autoptr (GPtrArray) waiters = g_steal_pointer (&self->ready_waiters);

  self->ready_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  if (weft_result_is_error (result))
    self->open_error = g_error_copy (weft_result_get_error (result));
  else
    g_message ("History is open in %s", self->data_dir);
  self->ready = TRUE;
  for (guint i = 0; i < waiters->len; i++)
    {
      if (self->open_error != NULL)
        weft_deferred_errback (waiters->pdata[i], g_error_copy (self->open_error));
      else
        weft_deferred_callback_none (waiters->pdata[i]);
    }
  weft_result_clear (result);
  return NULL;
}

static WeftDeferred *
expired (WeftResult *result, gpointer user_data)
{
  if (weft_result_is_error (result))
    g_warning ("Could not delete old history: %s", weft_result_get_error (result)->message);
  weft_result_clear (result);
  return NULL;
}

static gboolean
expire_history (WeftLoopingCall *call, gpointer user_data, GError **error)
{
  WcsServer *self = user_data;
  g_autoptr (WeftDeferred) deferred = wcs_history_expire (self->history);

  weft_deferred_add_both (deferred, expired, NULL, NULL);
  return TRUE;
}

static void
message_stored (WeftIrcMessage *message, const char *channel, gpointer user_data)
{
  WcsServer *self = user_data;

  if (self->web != NULL)
    wcs_web_push (self->web, message, channel);
}

WcsServer *
wcs_server_new (WeftReactor *reactor, GKeyFile *config, const char *data_dir, GError **error)
{
  g_autoptr (WcsServer) self = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *network = NULL;
  g_autofree char *motd = NULL;
  gint64 retention_days;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (data_dir != NULL, NULL);

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Could not create the data directory %s: %s"),
                   data_dir, g_strerror (saved));
      return NULL;
    }

  self = g_object_new (WCS_TYPE_SERVER, NULL);
  self->reactor = g_object_ref (reactor);
  self->config = config != NULL ? g_key_file_ref (config) : g_key_file_new ();
  self->data_dir = g_strdup (data_dir);

  db_path = g_build_filename (data_dir, "history.db", NULL);
  self->history = wcs_history_new (reactor, db_path, error);
  if (self->history == NULL)
    return NULL;
  wcs_history_set_max_size (self->history,
                            (guint64) MAX (config_int (config, "history", "max-size-mb", 0), 0) * 1024 * 1024);
  retention_days = config_int (config, "history", "retention-days", 0);
  wcs_history_set_retention (self->history, retention_days * 24 * 3600 * (gint64) G_USEC_PER_SEC);
  self->opened = wcs_history_open (self->history);
  weft_deferred_add_callback (self->opened, server_ready, self, NULL);

  self->accounts = wcs_accounts_new (reactor, wcs_history_get_pool (self->history),
                                     (guint) config_int (config, "accounts", "pbkdf2-iterations", 100000));

  name = config_string (config, "server", "name", "irc.weft.local");
  network = config_string (config, "server", "network", "Weft");
  motd = config_string (config, "server", "motd",
                        "Welcome to the Weft chat server.\nOne thread, one reactor, every protocol.");
  self->ircd = wcs_ircd_new (reactor, name, self->history, self->accounts);
  g_object_set (self->ircd, "network", network, "sendq",
                (guint64) config_int (config, "limits", "sendq-bytes", 1 << 20), "flood-penalty",
                config_int (config, "limits", "flood-penalty-ms", 500) * 1000, "flood-burst",
                config_int (config, "limits", "flood-burst-ms", 10000) * 1000, "registration-timeout",
                config_int (config, "limits", "registration-timeout-s", 60) * (gint64) G_USEC_PER_SEC, "ping-interval",
                config_int (config, "limits", "ping-interval-s", 120) * G_USEC_PER_SEC, "ping-timeout",
                config_int (config, "limits", "ping-timeout-s", 60) * G_USEC_PER_SEC, "nick-length",
                (guint) CLAMP (config_int (config, "limits", "nick-length", 30), 1, 200), "channel-length",
                (guint) CLAMP (config_int (config, "limits", "channel-length", 50), 2, 200), "max-channels",
                (guint) MAX (config_int (config, "limits", "max-channels", 50), 1), "chathistory-limit",
                (guint) CLAMP (config_int (config, "history", "chathistory-limit", 1000), 1, 100000), NULL);
  weft_irc_server_set_motd (WEFT_IRC_SERVER (self->ircd), motd);
  wcs_ircd_set_limits (self->ircd, (guint) MAX (config_int (config, "limits", "max-clients", 10000), 0),
                       (guint) MAX (config_int (config, "limits", "max-clients-per-ip", 0), 0));
  wcs_ircd_set_stored_func (self->ircd, message_stored, self);
  if (config != NULL && g_key_file_has_key (config, "accounts", "registration", NULL) &&
      !g_key_file_get_boolean (config, "accounts", "registration", NULL))
    weft_irc_server_set_caps (WEFT_IRC_SERVER (self->ircd), weft_irc_server_get_caps (WEFT_IRC_SERVER (self->ircd)) &
                                                                ~WEFT_IRC_SERVER_CAP_ACCOUNT_REGISTRATION);

  if (retention_days > 0)
    {
      self->expiry = weft_looping_call_new (reactor, expire_history, self, NULL);
      g_autoptr (WeftDeferred) loop = weft_looping_call_start (self->expiry, 3600 * (gint64) G_USEC_PER_SEC, TRUE);
    }
  return g_steal_pointer (&self);
}

WeftDeferred *
wcs_server_wait_ready (WcsServer *server)
{
  WeftDeferred *deferred;

  g_return_val_if_fail (WCS_IS_SERVER (server), NULL);
  if (server->ready && server->open_error != NULL)
    return weft_deferred_fail (g_error_copy (server->open_error));
  if (server->ready)
    return weft_deferred_succeed_none ();
  deferred = weft_deferred_new ();
  g_ptr_array_add (server->ready_waiters, g_object_ref (deferred));
  return deferred;
}

/* "tls:PORT" without a certificate: the configured one, or one made for us. */
static char *
complete_tls_endpoint (WcsServer *self, const char *endpoint, GError **error)
{
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *name = NULL;
  g_autofree char *quoted_cert = NULL;
  g_autofree char *quoted_key = NULL;

  if (!g_str_has_prefix (endpoint, "tls:") || strstr (endpoint, ":cert=") != NULL)
    return g_strdup (endpoint);
  cert = config_string (self->config, "server", "tls-certificate", NULL);
  key = config_string (self->config, "server", "tls-key", NULL);
  if (cert == NULL || key == NULL)
    {
      g_free (cert);
      g_free (key);
      cert = g_build_filename (self->data_dir, "tls-certificate.pem", NULL);
      key = g_build_filename (self->data_dir, "tls-key.pem", NULL);
      name = config_string (self->config, "server", "name", "irc.weft.local");
      if (!wcs_tls_ensure_self_signed (cert, key, name, error))
        return NULL;
    }
  quoted_cert = weft_endpoint_quote_argument (cert);
  quoted_key = weft_endpoint_quote_argument (key);
  return g_strdup_printf ("%s:cert=%s:key=%s", endpoint, quoted_cert, quoted_key);
}

typedef struct {
  WeftListeningPort *port;
  GError *error;
} ListenOutcome;

static WeftDeferred *
keep_outcome (WeftResult *result, gpointer user_data)
{
  ListenOutcome *outcome = user_data;

  if (weft_result_is_error (result))
    outcome->error = g_error_copy (weft_result_get_error (result));
  else
    outcome->port = weft_result_dup_object (result);
  weft_result_clear (result);
  return NULL;
}

gboolean
wcs_server_listen_irc (WcsServer *server, const char *endpoint, GError **error)
{
  g_autofree char *full = NULL;
  g_autoptr (WeftServerEndpoint) parsed = NULL;
  g_autoptr (WeftDeferred) deferred = NULL;
  g_autoptr (WeftListeningPort) port = NULL;
  ListenOutcome outcome = { NULL, NULL };

  g_return_val_if_fail (WCS_IS_SERVER (server), FALSE);
  full = complete_tls_endpoint (server, endpoint, error);
  if (full == NULL)
    return FALSE;
  parsed = weft_server_endpoint_from_string (server->reactor, full, error);
  if (parsed == NULL)
    return FALSE;
  deferred = weft_server_endpoint_listen (parsed, weft_irc_server_get_factory (WEFT_IRC_SERVER (server->ircd)));
  weft_deferred_add_both (deferred, keep_outcome, &outcome, NULL);
  if (outcome.port == NULL)
    {
      /* Binding a port happens at once, so the outcome is known here. */
      if (outcome.error == NULL)
        outcome.error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _ ("the listener did not start"));
      g_propagate_prefixed_error (error, outcome.error, _ ("Could not listen on %s: "), endpoint);
      return FALSE;
    }
  port = outcome.port;
  g_ptr_array_add (server->irc_ports, g_steal_pointer (&port));
  g_message ("Listening for IRC on %s (port %u)", endpoint,
             wcs_server_get_irc_port_n (server, server->irc_ports->len - 1));
  return TRUE;
}

gboolean
wcs_server_listen_http (WcsServer *server, const char *endpoint, GError **error)
{
  g_return_val_if_fail (WCS_IS_SERVER (server), FALSE);
  if (server->web == NULL)
    server->web = wcs_web_new (server->reactor, WEFT_IRC_SERVER (server->ircd));
  if (!wcs_web_listen (server->web, endpoint, error))
    return FALSE;
  g_message ("Listening for HTTP on %s (port %u)", endpoint, wcs_web_get_port (server->web));
  return TRUE;
}

guint16
wcs_server_get_irc_port_n (WcsServer *server, guint n)
{
  GSocketAddress *address;

  g_return_val_if_fail (WCS_IS_SERVER (server), 0);
  if (n >= server->irc_ports->len)
    return 0;
  address = weft_listening_port_get_address (server->irc_ports->pdata[n]);
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

guint16
wcs_server_get_irc_port (WcsServer *server)
{
  return wcs_server_get_irc_port_n (server, 0);
}

guint16
wcs_server_get_http_port (WcsServer *server)
{
  g_return_val_if_fail (WCS_IS_SERVER (server), 0);
  return server->web != NULL ? wcs_web_get_port (server->web) : 0;
}

guint
wcs_server_get_n_sse_listeners (WcsServer *server)
{
  g_return_val_if_fail (WCS_IS_SERVER (server), 0);
  return server->web != NULL ? wcs_web_get_n_listeners (server->web) : 0;
}

WeftIrcServer *
wcs_server_get_irc_server (WcsServer *server)
{
  g_return_val_if_fail (WCS_IS_SERVER (server), NULL);
  return WEFT_IRC_SERVER (server->ircd);
}

WeftReactor *
wcs_server_get_reactor (WcsServer *server)
{
  g_return_val_if_fail (WCS_IS_SERVER (server), NULL);
  return server->reactor;
}

WcsHistory *
_wcs_server_get_history (WcsServer *server)
{
  return server->history;
}

const char *
wcs_server_get_data_dir (WcsServer *server)
{
  g_return_val_if_fail (WCS_IS_SERVER (server), NULL);
  return server->data_dir;
}

static void
stop_listening (WcsServer *self)
{
  for (guint i = 0; i < self->irc_ports->len; i++)
    {
      g_autoptr (WeftDeferred) stopped = weft_listening_port_stop_listening (self->irc_ports->pdata[i]);
    }
  g_ptr_array_set_size (self->irc_ports, 0);
  if (self->web != NULL)
    wcs_web_close (self->web);
}

typedef struct {
  WcsServer *self;
  WeftDeferred *done;
  gint64 deadline;
} ShutdownState;

static WeftDeferred *
history_closed (WeftResult *result, gpointer user_data)
{
  ShutdownState *state = user_data;

  if (weft_result_is_error (result))
    g_warning ("Closing the history: %s", weft_result_get_error (result)->message);
  else
    g_message ("History flushed and closed");
  weft_result_clear (result);
  weft_deferred_callback_none (state->done);
  return NULL;
}

static void
shutdown_state_free (gpointer data)
{
  ShutdownState *state = data;
  g_object_unref (state->done);
  g_object_unref (state->self);
  g_free (state);
}

static void
wait_for_clients (gpointer user_data)
{
  ShutdownState *state = user_data;
  WcsServer *self = state->self;
  WeftDeferred *closed;

  /* Clients get their ERROR line flushed, within a bound. */
  if (weft_irc_server_get_n_connections (WEFT_IRC_SERVER (self->ircd)) > 0 &&
      weft_reactor_get_time (self->reactor) < state->deadline)
    {
      weft_reactor_call_later (self->reactor, 20 * 1000, wait_for_clients, state, NULL);
      return;
    }
  if (weft_irc_server_get_n_connections (WEFT_IRC_SERVER (self->ircd)) > 0)
    {
      g_autoptr (GList) left = weft_irc_server_get_connections (WEFT_IRC_SERVER (self->ircd));
      for (GList *l = left; l != NULL; l = l->next)
        g_debug ("Still connected at shutdown: %s (%s)", weft_irc_server_connection_get_nick (l->data),
                 weft_irc_server_connection_get_ip (l->data));
    }
  weft_irc_server_abort_all (WEFT_IRC_SERVER (self->ircd));
  closed = wcs_history_close (self->history);
  weft_deferred_add_both (closed, history_closed, state, shutdown_state_free);
  g_object_unref (closed);
}

WeftDeferred *
wcs_server_shutdown (WcsServer *server)
{
  ShutdownState *state;
  WeftDeferred *done;

  g_return_val_if_fail (WCS_IS_SERVER (server), NULL);
  if (server->stopping)
    return weft_deferred_succeed_none ();
  server->stopping = TRUE;
  g_message ("Shutting down");
  stop_listening (server);
  if (server->expiry != NULL && weft_looping_call_is_running (server->expiry))
    weft_looping_call_stop (server->expiry);
  weft_irc_server_close_all (WEFT_IRC_SERVER (server->ircd), "Server shutting down");

  state = g_new0 (ShutdownState, 1);
  state->self = g_object_ref (server);
  state->done = weft_deferred_new ();
  state->deadline = weft_reactor_get_time (server->reactor) + 2 * G_USEC_PER_SEC;
  done = g_object_ref (state->done);
  /* With no client left this may finish (and free @state) at once. */
  wait_for_clients (state);
  return done;
}

void
wcs_server_kill (WcsServer *server)
{
  g_return_if_fail (WCS_IS_SERVER (server));
  server->stopping = TRUE;
  stop_listening (server);
  weft_irc_server_abort_all (WEFT_IRC_SERVER (server->ircd));
}
