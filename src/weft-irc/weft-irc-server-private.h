/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "weft-irc-casemap.h"
#include "weft-irc-error.h"
#include "weft-irc-names.h"
#include "weft-irc-numerics.h"
#include "weft-irc-server.h"

G_BEGIN_DECLS

typedef struct {
  char *verb;
  guint min_params;
  guint max_params;
  WeftIrcServerCommandFlags flags;
  WeftIrcServerCommandFunc func;
  gpointer user_data;
} WeftIrcServerCommand;

/* Replies to one labeled command, held until the command (and the
 * Deferreds it holds) are done, then sent as one line, an ACK or a batch. */
typedef struct {
  guint ref_count;
  char *label;
  GPtrArray *lines; /* WeftIrcMessage */
  guint n_holds;
  gboolean handler_done;
} WeftIrcLabelContext;

typedef struct {
  WeftReactor *reactor;
  char *name;
  char *network;
  char *version;
  char *created;
  char *motd;
  WeftFactory *factory;
  WeftIrcServerCaps caps;

  GHashTable *commands; /* verb -> WeftIrcServerCommand */
  GHashTable *clients;  /* folded nick -> WeftIrcServerConnection (registered or holding a nick) */
  GHashTable *channels; /* folded name -> WeftIrcServerChannel */
  GQueue connections;   /* every WeftIrcServerConnection, a ref each */

  gsize sendq;
  gint64 flood_penalty_us;
  gint64 flood_burst_us;
  gint64 registration_timeout_us;
  gint64 ping_interval_us;
  gint64 ping_timeout_us;
  guint nick_length;
  guint channel_length;
  guint topic_length;
  guint max_channels;
  guint chathistory_limit;
  guint max_targets;

  gint64 last_msgid_us;
  guint msgid_salt;

  GPtrArray *dirty;   /* connections with output this iteration, a ref each */
  gboolean flush_due; /* a call to flush them is scheduled */
  GPtrArray *spare;   /* output buffers for the next iteration, as many as the last used */
} WeftIrcServerPrivate;

WeftIrcServerPrivate *_weft_irc_server_get_private (WeftIrcServer *server);

struct _WeftIrcServerConnection {
  WeftLineReceiver parent_instance;

  WeftIrcServer *server; /* strong; dropped in connection_lost */
  GList *link;           /* in the server's connections */

  char *nick;
  char *nick_folded;
  char *user;
  char *realname;
  char *host;
  char *ip;
  char *account;
  char *away;
  char *password;
  gboolean got_nick;
  gboolean got_user;
  gboolean cap_negotiating;
  gboolean registered;
  gboolean quitting;
  gboolean invisible;
  gboolean line_framing; /* FALSE: each data_received is one line (WebSocket) */
  guint cap_version;
  WeftIrcServerCaps caps;

  GHashTable *channels; /* WeftIrcServerChannel -> itself */
  gint64 signon_time;   /* real time, seconds */
  gint64 last_input_us;
  gint64 last_speak_us;

  gint64 flood_clock_us;
  gboolean flood_paused;
  gboolean async_paused;
  gboolean write_paused;
  WeftDelayedCall *flood_timer;
  WeftDelayedCall *ping_timer;
  gboolean ping_pending;

  WeftIrcLabelContext *label; /* the context replies go to now, or NULL */
  guint n_busy;               /* held Deferreds: input waits until 0 */
  guint n_stores;             /* messages being stored; more may follow them */
  WeftIrcMessage *stashed;    /* a command that waits for those stores */

  /* Lines written this iteration, sent together with one write. */
  char *out_data;
  gsize out_len;
  gsize out_alloc;
  gsize out_base;          /* what the transport held when the first was queued */
  gboolean dirty;          /* in the server's list of connections to flush */
  gboolean sendq_exceeded; /* to be disconnected when the server flushes */

  char *sasl_mechanism;
  GString *sasl_buffer;
  gboolean sasl_done;
};

/* weft-irc-server-connection.c */
WeftIrcServerConnection *_weft_irc_server_connection_new (WeftIrcServer *server);
void _weft_irc_server_connection_set_nick (WeftIrcServerConnection *client, const char *nick);
void _weft_irc_server_connection_try_register (WeftIrcServerConnection *client);
void _weft_irc_server_connection_quit (WeftIrcServerConnection *client, const char *reason, gboolean tell_client);
void _weft_irc_server_connection_send_raw (WeftIrcServerConnection *client, GBytes *line);
void _weft_irc_server_connection_append (WeftIrcServerConnection *client, const char *data, gsize len);
void _weft_irc_server_flush_connections (WeftIrcServer *server);
void _weft_irc_server_free_output_buffers (WeftIrcServer *server);
GBytes *_weft_irc_server_connection_serialize (WeftIrcServerConnection *client, WeftIrcMessage *message);
void _weft_irc_server_connection_busy (WeftIrcServerConnection *client);
void _weft_irc_server_connection_flush (WeftIrcServerConnection *client);
void _weft_irc_server_hold_store (WeftIrcServer *server,
                                  WeftIrcServerConnection *client,
                                  WeftDeferred *deferred,
                                  WeftIrcServerReplyFunc func,
                                  gpointer user_data,
                                  GDestroyNotify notify);
void _weft_irc_server_connection_store_started (WeftIrcServerConnection *client);
void _weft_irc_server_connection_store_done (WeftIrcServerConnection *client);
void _weft_irc_server_connection_unbusy (WeftIrcServerConnection *client);
void _weft_irc_server_connection_reschedule_ping (WeftIrcServerConnection *client);

WeftIrcLabelContext *_weft_irc_label_context_ref (WeftIrcLabelContext *ctx);
void _weft_irc_label_context_unref (WeftIrcLabelContext *ctx);
void _weft_irc_label_context_flush (WeftIrcServerConnection *client, WeftIrcLabelContext *ctx);

/* weft-irc-server-channel.c */
WeftIrcServerChannel *_weft_irc_server_channel_new (const char *name, const char *folded);
const char *_weft_irc_server_channel_get_folded (WeftIrcServerChannel *channel);
void _weft_irc_server_channel_add_member (WeftIrcServerChannel *channel,
                                          WeftIrcServerConnection *client,
                                          WeftIrcMemberPrefix prefix);
void _weft_irc_server_channel_remove_member (WeftIrcServerChannel *channel, WeftIrcServerConnection *client);
void _weft_irc_server_channel_set_member_prefix (WeftIrcServerChannel *channel,
                                                 WeftIrcServerConnection *client,
                                                 WeftIrcMemberPrefix prefix);
void _weft_irc_server_channel_set_topic (WeftIrcServerChannel *channel, const char *topic, const char *setter);
const char *_weft_irc_server_channel_get_topic_setter (WeftIrcServerChannel *channel);
gint64 _weft_irc_server_channel_get_topic_time (WeftIrcServerChannel *channel);
gint64 _weft_irc_server_channel_get_created (WeftIrcServerChannel *channel);
void _weft_irc_server_channel_set_modes (WeftIrcServerChannel *channel, WeftIrcChannelModes modes);
void _weft_irc_server_channel_set_key (WeftIrcServerChannel *channel, const char *key);
void _weft_irc_server_channel_set_limit (WeftIrcServerChannel *channel, guint limit);
gboolean _weft_irc_server_channel_add_ban (WeftIrcServerChannel *channel, const char *mask, const char *setter);
gboolean _weft_irc_server_channel_remove_ban (WeftIrcServerChannel *channel, const char *mask);
void _weft_irc_server_channel_invite (WeftIrcServerChannel *channel, const char *folded_nick);
gboolean _weft_irc_server_channel_take_invite (WeftIrcServerChannel *channel, const char *folded_nick);
char *_weft_irc_server_channel_dup_mode_string (WeftIrcServerChannel *channel, gboolean with_key);
GHashTable *_weft_irc_server_channel_get_member_table (WeftIrcServerChannel *channel);

/* weft-irc-server.c: routing */
typedef struct _WeftIrcFanout WeftIrcFanout;
WeftIrcFanout *_weft_irc_fanout_new (WeftIrcMessage *message);
void _weft_irc_fanout_send (WeftIrcFanout *fanout, WeftIrcServerConnection *client);
void _weft_irc_fanout_free (WeftIrcFanout *fanout);
void _weft_irc_server_send_to_channel (WeftIrcServer *server,
                                       WeftIrcServerChannel *channel,
                                       WeftIrcMessage *message,
                                       WeftIrcServerConnection *except,
                                       WeftIrcServerCaps required_cap);
void _weft_irc_server_send_to_peers (WeftIrcServer *server,
                                     WeftIrcServerConnection *client,
                                     WeftIrcMessage *message,
                                     gboolean include_self,
                                     WeftIrcServerCaps required_cap);
void _weft_irc_server_set_time_tag (WeftIrcMessage *message);
WeftIrcMessage *_weft_irc_server_message_from (WeftIrcServerConnection *client, const char *verb, ...)
    G_GNUC_NULL_TERMINATED;
WeftIrcMessage *_weft_irc_server_message_from_server (WeftIrcServer *server, const char *verb, ...)
    G_GNUC_NULL_TERMINATED;
gboolean _weft_irc_server_rename (WeftIrcServer *server, WeftIrcServerConnection *client, const char *nick);
void _weft_irc_server_forget_client (WeftIrcServer *server, WeftIrcServerConnection *client);
void _weft_irc_server_remove_connection (WeftIrcServer *server, WeftIrcServerConnection *client);
void _weft_irc_server_dispatch (WeftIrcServer *server, WeftIrcServerConnection *client, WeftIrcMessage *message);
WeftIrcServerChannel *_weft_irc_server_ensure_channel (WeftIrcServer *server, const char *name, gboolean *created);
void _weft_irc_server_drop_channel_if_empty (WeftIrcServer *server, WeftIrcServerChannel *channel);
gboolean _weft_irc_mask_match (WeftIrcServer *server, const char *mask, const char *text);
void _weft_irc_server_send_isupport (WeftIrcServer *server, WeftIrcServerConnection *client);
gboolean _weft_irc_server_cap_allows (WeftIrcServer *server, WeftIrcServerCaps cap);

/* Handlers, grouped by topic. */
void _weft_irc_server_add_login_commands (WeftIrcServer *server);
void _weft_irc_server_add_channel_commands (WeftIrcServer *server);
void _weft_irc_server_add_message_commands (WeftIrcServer *server);
void _weft_irc_server_add_info_commands (WeftIrcServer *server);
void _weft_irc_server_send_welcome (WeftIrcServerConnection *client);
void _weft_irc_server_send_names (WeftIrcServerConnection *client, WeftIrcServerChannel *channel);
void _weft_irc_server_send_motd (WeftIrcServerConnection *client);
void _weft_irc_server_send_lusers (WeftIrcServerConnection *client);
const char *_weft_irc_server_caps_to_names (WeftIrcServerCaps cap);

G_END_DECLS
