/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "wcs-ircd.h"

struct _WcsIrcd {
  WeftIrcServer parent_instance;

  WcsHistory *history;   /* borrowed from the WcsServer */
  WcsAccounts *accounts; /* borrowed */
  guint max_clients;
  guint max_clients_per_ip;
  GHashTable *per_ip; /* ip -> count */
  WcsMessageStoredFunc stored_func;
  gpointer stored_data;
};

G_DEFINE_FINAL_TYPE (WcsIrcd, wcs_ircd, WEFT_IRC_TYPE_SERVER)

/* In-process clients (the demo's users) have no network address. */
static gboolean
is_local (WeftIrcServerConnection *client)
{
  return g_object_get_data (G_OBJECT (client), "wcs-local") != NULL ||
         g_strcmp0 (weft_irc_server_connection_get_ip (client), "localhost") == 0;
}

static gboolean
wcs_ircd_accept_connection (WeftIrcServer *server, WeftIrcServerConnection *client, GError **error)
{
  WcsIrcd *self = WCS_IRCD (server);
  const char *ip = weft_irc_server_connection_get_ip (client);
  guint count;

  if (is_local (client))
    return TRUE;
  if (self->max_clients > 0 && weft_irc_server_get_n_connections (server) > self->max_clients)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, _ ("Too many clients on this server, try later"));
      g_info ("Refused %s: the server is full", ip);
      return FALSE;
    }
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_ip, ip));
  if (self->max_clients_per_ip > 0 && count >= self->max_clients_per_ip)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, _ ("Too many connections from your address"));
      g_info ("Refused %s: too many connections from that address", ip);
      return FALSE;
    }
  g_hash_table_insert (self->per_ip, g_strdup (ip), GUINT_TO_POINTER (count + 1));
  g_object_set_data (G_OBJECT (client), "wcs-counted", GINT_TO_POINTER (1));
  return TRUE;
}

static void
wcs_ircd_connection_closed (WeftIrcServer *server, WeftIrcServerConnection *client)
{
  WcsIrcd *self = WCS_IRCD (server);
  const char *ip = weft_irc_server_connection_get_ip (client);
  guint count;

  if (ip == NULL || g_object_get_data (G_OBJECT (client), "wcs-counted") == NULL)
    return;
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_ip, ip));
  if (count <= 1)
    g_hash_table_remove (self->per_ip, ip);
  else
    g_hash_table_insert (self->per_ip, g_strdup (ip), GUINT_TO_POINTER (count - 1));
}

typedef struct {
  WcsIrcd *self;
  WeftIrcMessage *message;
  char *channel;
} StoredNote;

static void
stored_note_free (gpointer data)
{
  StoredNote *note = data;
  g_object_unref (note->self);
  weft_irc_message_unref (note->message);
  g_free (note->channel);
  g_free (note);
}

static WeftDeferred *
message_stored (WeftResult *result, gpointer user_data)
{
  StoredNote *note = user_data;

  if (!weft_result_is_error (result) && note->self->stored_func != NULL)
    note->self->stored_func (note->message, note->channel, note->self->stored_data);
  return NULL;
}

static WeftDeferred *
wcs_ircd_store_message (WeftIrcServer *server,
                        WeftIrcServerConnection *sender,
                        const char *target_key,
                        WeftIrcMessage *message)
{
  WcsIrcd *self = WCS_IRCD (server);
  const char *display = weft_irc_message_get_param (message, 0);
  WeftDeferred *deferred =
      wcs_history_append (self->history, target_key, display, weft_irc_server_connection_get_nick (sender), message);

  if (display[0] == '#')
    {
      StoredNote *note = g_new0 (StoredNote, 1);
      note->self = g_object_ref (self);
      note->message = weft_irc_message_ref (message);
      note->channel = g_strdup (display);
      weft_deferred_add_callback (deferred, message_stored, note, stored_note_free);
    }
  return deferred;
}

static WeftDeferred *
wcs_ircd_query_history (WeftIrcServer *server, WeftIrcServerConnection *client, const WeftIrcHistoryQuery *query)
{
  WcsIrcd *self = WCS_IRCD (server);

  if (g_str_equal (query->subcommand, "TARGETS"))
    return wcs_history_query_targets (self->history, server, client, query);
  return wcs_history_query (self->history, query);
}

static WeftDeferred *
wcs_ircd_authenticate (WeftIrcServer *server,
                       WeftIrcServerConnection *client,
                       const char *account,
                       const char *password)
{
  return wcs_accounts_verify (WCS_IRCD (server)->accounts, account, password);
}

static WeftDeferred *
wcs_ircd_register_account (WeftIrcServer *server,
                           WeftIrcServerConnection *client,
                           const char *account,
                           const char *email,
                           const char *password)
{
  return wcs_accounts_register (WCS_IRCD (server)->accounts, account, password);
}

static void
wcs_ircd_client_registered (WeftIrcServer *server, WeftIrcServerConnection *client)
{
  g_debug ("%s registered from %s", weft_irc_server_connection_get_nick (client),
           weft_irc_server_connection_get_ip (client));
}

static void
wcs_ircd_client_quit (WeftIrcServer *server, WeftIrcServerConnection *client, const char *reason)
{
  g_debug ("%s left: %s", weft_irc_server_connection_get_nick (client), reason);
  if (g_str_equal (reason, "SendQ exceeded"))
    g_info ("Disconnected %s (%s): SendQ exceeded", weft_irc_server_connection_get_nick (client),
            weft_irc_server_connection_get_ip (client));
}

static void
wcs_ircd_finalize (GObject *object)
{
  WcsIrcd *self = WCS_IRCD (object);

  g_hash_table_unref (self->per_ip);
  G_OBJECT_CLASS (wcs_ircd_parent_class)->finalize (object);
}

static void
wcs_ircd_class_init (WcsIrcdClass *klass)
{
  WeftIrcServerClass *server_class = WEFT_IRC_SERVER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = wcs_ircd_finalize;
  server_class->accept_connection = wcs_ircd_accept_connection;
  server_class->connection_closed = wcs_ircd_connection_closed;
  server_class->store_message = wcs_ircd_store_message;
  server_class->query_history = wcs_ircd_query_history;
  server_class->authenticate = wcs_ircd_authenticate;
  server_class->register_account = wcs_ircd_register_account;
  server_class->client_registered = wcs_ircd_client_registered;
  server_class->client_quit = wcs_ircd_client_quit;
}

static void
wcs_ircd_init (WcsIrcd *self)
{
  self->per_ip = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

WcsIrcd *
wcs_ircd_new (WeftReactor *reactor, const char *name, WcsHistory *history, WcsAccounts *accounts)
{
  WcsIrcd *self = g_object_new (WCS_TYPE_IRCD, "reactor", reactor, "name", name, NULL);

  self->history = history;
  self->accounts = accounts;
  weft_irc_server_set_caps (WEFT_IRC_SERVER (self), weft_irc_server_get_caps (WEFT_IRC_SERVER (self)) |
                                                        WEFT_IRC_SERVER_CAP_SASL | WEFT_IRC_SERVER_CAP_CHATHISTORY |
                                                        WEFT_IRC_SERVER_CAP_ACCOUNT_REGISTRATION);
  return self;
}

void
wcs_ircd_set_limits (WcsIrcd *ircd, guint max_clients, guint max_clients_per_ip)
{
  ircd->max_clients = max_clients;
  ircd->max_clients_per_ip = max_clients_per_ip;
}

void
wcs_ircd_set_stored_func (WcsIrcd *ircd, WcsMessageStoredFunc func, gpointer user_data)
{
  ircd->stored_func = func;
  ircd->stored_data = user_data;
}
