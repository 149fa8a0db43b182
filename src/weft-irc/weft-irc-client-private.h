/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "weft-irc.h"

G_BEGIN_DECLS

/* Members */
WeftIrcMember *_weft_irc_member_new (const char *nick, const char *sort_key, gboolean is_self);
const char *_weft_irc_member_get_sort_key (WeftIrcMember *member);
void _weft_irc_member_set_nick (WeftIrcMember *member, const char *nick, const char *sort_key);
void _weft_irc_member_set_userhost (WeftIrcMember *member, const char *user, const char *host);
void _weft_irc_member_set_account (WeftIrcMember *member, const char *account);
void _weft_irc_member_set_realname (WeftIrcMember *member, const char *realname);
void _weft_irc_member_set_prefixes (WeftIrcMember *member, const char *prefixes, guint rank);
void _weft_irc_member_set_away (WeftIrcMember *member, gboolean away, const char *message);
void _weft_irc_member_set_self (WeftIrcMember *member, gboolean is_self);

/* Channels */
WeftIrcChannel *_weft_irc_channel_new (const char *name, WeftIrcCasemapping casemap);
void _weft_irc_channel_set_casemap (WeftIrcChannel *channel, WeftIrcCasemapping casemap);
void _weft_irc_channel_set_joined (WeftIrcChannel *channel, gboolean joined);
void _weft_irc_channel_set_name (WeftIrcChannel *channel, const char *name);
void _weft_irc_channel_set_topic (WeftIrcChannel *channel, const char *topic);
void _weft_irc_channel_set_topic_info (WeftIrcChannel *channel, const char *setter, gint64 time);
void _weft_irc_channel_set_key (WeftIrcChannel *channel, const char *key);
void _weft_irc_channel_set_mode (WeftIrcChannel *channel, char mode, gboolean on, const char *argument);
void _weft_irc_channel_clear_modes (WeftIrcChannel *channel);
void _weft_irc_channel_add_member (WeftIrcChannel *channel, WeftIrcMember *member);
WeftIrcMember *_weft_irc_channel_remove_member (WeftIrcChannel *channel, const char *nick);
void _weft_irc_channel_rename_member (WeftIrcChannel *channel, const char *old_nick, const char *new_nick);
void _weft_irc_channel_member_changed (WeftIrcChannel *channel, WeftIrcMember *member);
void _weft_irc_channel_clear_members (WeftIrcChannel *channel);
void _weft_irc_channel_set_last_seen (WeftIrcChannel *channel, const char *msgid, gint64 time);

/* Outgoing messages: one per send call, one or more lines. */
typedef struct {
  char *text;      /* the last parameter of this line */
  int state;       /* WeftIrcOutgoingState */
  char *label;     /* labeled-response label of the current attempt */
  guint64 ping_id; /* the PING that follows it, without confirming caps */
  guint attempts;  /* how many times it was written */
} WeftIrcOutLine;

/* A line state of its own: handed to the send queue, not written yet. */
#define WEFT_IRC_OUT_LINE_SCHEDULED 100

struct _WeftIrcOutgoing {
  GObject parent_instance;
  guint64 id;
  char *verb;
  char *target;
  char *text;
  WeftIrcOutgoingState state;
  GError *error;
  char *msgid;
  guint n_attempts;
  GPtrArray *lines; /* WeftIrcOutLine */
  gint64 queued_time;
};

WeftIrcOutgoing *_weft_irc_outgoing_new (guint64 id, const char *verb, const char *target, const char *text);
void _weft_irc_outgoing_add_line (WeftIrcOutgoing *outgoing, const char *text);
void _weft_irc_outgoing_set_state (WeftIrcOutgoing *outgoing, WeftIrcOutgoingState state);
void _weft_irc_outgoing_fail (WeftIrcOutgoing *outgoing, const GError *error);
void _weft_irc_outgoing_set_msgid (WeftIrcOutgoing *outgoing, const char *msgid);
void _weft_irc_outgoing_update (WeftIrcOutgoing *outgoing);

/* Where a private conversation was, for CHATHISTORY after a reconnect. */
typedef struct {
  char *name;
  char *msgid;
  gint64 time;
} WeftIrcLastSeen;

/* An open BATCH. */
typedef struct {
  char *type;
  char *target; /* the first parameter after the type, or NULL */
  char *label;  /* the label of a labeled-response batch */
  char *parent; /* the reference of the enclosing batch */
  guint n_messages;
} WeftIrcBatch;

struct _WeftIrcClient {
  WeftProtocol parent_instance;
  WeftReactor *reactor;

  /* Configuration */
  char *nick;
  char *username;
  char *realname;
  char *password;
  WeftIrcSaslMechanism sasl_mechanism;
  char *sasl_username;
  char *sasl_password;
  guint flood_burst;
  gint64 flood_interval;
  gint64 ping_interval;
  gint64 ping_timeout;
  char *version_reply;

  /* Connecting */
  WeftReconnectingClientFactory *factory;
  WeftConnector *connector;
  WeftIrcClientState state;

  /* The current connection */
  WeftTransport *transport; /* weak pointer */
  GByteArray *inbuf;
  gboolean writing_paused;
  gboolean registered;
  char *current_nick;
  char *own_user;
  char *own_host;
  guint nick_attempt;
  GHashTable *caps_available; /* name -> value ("" for none) */
  GHashTable *caps_enabled;   /* name -> value */
  char **caps_strv;
  gboolean cap_ls_done;
  guint cap_reqs_pending;
  gboolean cap_ended;
  gboolean sasl_in_progress;
  WeftIrcIsupport *isupport;
  guint n_isupport_lines; /* on this connection: a server cannot make it grow without end */
  WeftIrcCasemapping casemap;
  char *prefix_modes; /* "ov" */
  char *prefix_chars; /* "@+" */
  char *chantypes;
  char *chanmodes[4];
  char *server_name;
  char *network;
  char *account;
  gboolean away;
  char *user_modes; /* "+iw" */
  char *away_message;
  char *wanted_away; /* sent again after a reconnect */
  gint64 lag;
  GHashTable *batches; /* reference -> WeftIrcBatch */

  /* Pings */
  WeftDelayedCall *ping_call;
  /* Lines read but not yet handled wait for the next pass of the loop
   * (see _weft_irc_client_data), reading paused meanwhile. */
  WeftDelayedCall *input_call;
  gboolean input_paused;
  WeftDelayedCall *timeout_call;
  WeftDelayedCall *quit_call; /* bounds the wait for the server to close after QUIT */
  gboolean quitting;          /* QUIT sent and the write side closed: nothing more goes out */
  guint64 ping_seq;           /* the last PING sent */
  gint64 ping_sent_time;      /* when the oldest unanswered one was sent */
  guint64 ping_waiting;       /* the oldest unanswered PING, or 0 */
  guint64 ping_first;         /* the first PING since registration, until answered */
  gboolean sync_ping_needed;

  /* Flood control */
  double tokens;
  gint64 tokens_time;
  GQueue sendq; /* WeftIrcSendItem */
  WeftDelayedCall *flood_call;
  double ctcp_tokens;
  gint64 ctcp_tokens_time;

  /* Channels, kept across connections */
  GListStore *channels;
  GHashTable *channel_by_name; /* folded name -> WeftIrcChannel (borrowed) */
  GHashTable *wanted;          /* folded name -> TRUE: rejoin after a reconnect */
  GHashTable *joins_sent;      /* folded name: JOIN sent on this connection, no answer yet */
  GHashTable *history_pending; /* folded target -> TRUE: outbox waits for history */
  GHashTable *own_nicks;       /* folded nicks this client has had */
  GHashTable *private_seen;    /* folded nick -> WeftIrcLastSeen: private conversations */

  /* Outbox */
  GListStore *outbox; /* WeftIrcOutgoing not done yet */
  GHashTable *labels; /* label -> WeftIrcOutgoing (ref) */
  guint64 next_outgoing_id;
  guint64 next_label;
};

/* The client, driven by a connection. */
void _weft_irc_client_attach (WeftIrcClient *client, WeftTransport *transport);
void _weft_irc_client_data (WeftIrcClient *client, const guint8 *data, gsize len);
void _weft_irc_client_detach (WeftIrcClient *client, const GError *reason);
void _weft_irc_client_pause_writing (WeftIrcClient *client, gboolean paused);
void _weft_irc_client_connecting (WeftIrcClient *client);
void _weft_irc_client_connection_failed (WeftIrcClient *client, const GError *reason);

WeftReconnectingClientFactory *_weft_irc_client_factory_new (WeftIrcClient *client);

/* Between weft-irc-client.c and weft-irc-client-handlers.c */
void _weft_irc_client_handle (WeftIrcClient *client, WeftIrcMessage *message);
void _weft_irc_client_write_now (WeftIrcClient *client, WeftIrcMessage *message);
void _weft_irc_client_send (WeftIrcClient *client, WeftIrcMessage *message);
void _weft_irc_client_set_state (WeftIrcClient *client, WeftIrcClientState state);
void _weft_irc_client_close (WeftIrcClient *client, GQuark domain, int code, const char *message);
void _weft_irc_client_flush_outbox (WeftIrcClient *client);
void _weft_irc_client_start_pings (WeftIrcClient *client, gboolean settle);
void _weft_irc_client_pong (WeftIrcClient *client, const char *token);
void _weft_irc_client_notify (WeftIrcClient *client, int prop);
char *_weft_irc_client_fold (WeftIrcClient *client, const char *name);
/* JOINs in flight on this connection: a channel is asked for once, whether
 * by weft_irc_client_join() or by the rejoin after registration. Returns
 * FALSE when a JOIN for @name is already waiting for its answer. */
gboolean _weft_irc_client_note_join_sent (WeftIrcClient *client, const char *name);
void _weft_irc_client_join_answered (WeftIrcClient *client, const char *name);
gboolean _weft_irc_client_is_self (WeftIrcClient *client, const char *nick);
WeftIrcChannel *_weft_irc_client_ensure_channel (WeftIrcClient *client, const char *name);
void _weft_irc_client_remove_channel (WeftIrcClient *client, WeftIrcChannel *channel);
void _weft_irc_client_update_caps (WeftIrcClient *client);
void _weft_irc_client_outgoing_line_done (WeftIrcClient *client,
                                          WeftIrcOutgoing *outgoing,
                                          WeftIrcOutLine *line,
                                          const char *msgid);
void _weft_irc_client_outgoing_failed (WeftIrcClient *client, WeftIrcOutgoing *outgoing, const GError *error);
gboolean _weft_irc_client_confirms_by_reply (WeftIrcClient *client);
/* weft-irc-client-outbox.c */
void _weft_irc_client_cancel_call (WeftDelayedCall **call);
void _weft_irc_client_clear_sendq (WeftIrcClient *client);
void _weft_irc_client_requeue_unconfirmed (WeftIrcClient *client);
void _weft_irc_client_arm_timeout (WeftIrcClient *client);
void _weft_irc_client_flood_drain (WeftIrcClient *client);
WeftIrcOutgoing *_weft_irc_client_send_text (WeftIrcClient *client,
                                             const char *verb,
                                             const char *target,
                                             const char *text,
                                             gboolean action);

enum {
  WEFT_IRC_CLIENT_PROP_0,
  WEFT_IRC_CLIENT_PROP_REACTOR,
  WEFT_IRC_CLIENT_PROP_STATE,
  WEFT_IRC_CLIENT_PROP_NICK,
  WEFT_IRC_CLIENT_PROP_CURRENT_NICK,
  WEFT_IRC_CLIENT_PROP_USERNAME,
  WEFT_IRC_CLIENT_PROP_REALNAME,
  WEFT_IRC_CLIENT_PROP_AWAY,
  WEFT_IRC_CLIENT_PROP_AWAY_MESSAGE,
  WEFT_IRC_CLIENT_PROP_LAG,
  WEFT_IRC_CLIENT_PROP_SERVER_NAME,
  WEFT_IRC_CLIENT_PROP_NETWORK,
  WEFT_IRC_CLIENT_PROP_ACCOUNT,
  WEFT_IRC_CLIENT_PROP_CAPABILITIES,
  WEFT_IRC_CLIENT_PROP_CHANNELS,
  WEFT_IRC_CLIENT_PROP_OUTBOX,
  WEFT_IRC_CLIENT_PROP_USER_MODES,
  WEFT_IRC_CLIENT_N_PROPS
};

enum {
  WEFT_IRC_CLIENT_SIGNAL_REGISTERED,
  WEFT_IRC_CLIENT_SIGNAL_DISCONNECTED,
  WEFT_IRC_CLIENT_SIGNAL_MESSAGE_RECEIVED,
  WEFT_IRC_CLIENT_SIGNAL_JOINED,
  WEFT_IRC_CLIENT_SIGNAL_PARTED,
  WEFT_IRC_CLIENT_SIGNAL_KICKED,
  WEFT_IRC_CLIENT_SIGNAL_QUIT,
  WEFT_IRC_CLIENT_SIGNAL_NICK_CHANGED,
  WEFT_IRC_CLIENT_SIGNAL_TOPIC_CHANGED,
  WEFT_IRC_CLIENT_SIGNAL_MODE_CHANGED,
  WEFT_IRC_CLIENT_SIGNAL_INVITED,
  WEFT_IRC_CLIENT_SIGNAL_AWAY_CHANGED,
  WEFT_IRC_CLIENT_SIGNAL_ACCOUNT_CHANGED,
  WEFT_IRC_CLIENT_SIGNAL_HOST_CHANGED,
  WEFT_IRC_CLIENT_SIGNAL_REALNAME_CHANGED,
  WEFT_IRC_CLIENT_SIGNAL_ERROR_RECEIVED,
  WEFT_IRC_CLIENT_SIGNAL_SERVER_REPLY,
  WEFT_IRC_CLIENT_SIGNAL_CTCP_REQUEST,
  WEFT_IRC_CLIENT_SIGNAL_CTCP_REPLY,
  WEFT_IRC_CLIENT_SIGNAL_HISTORY_RECEIVED,
  WEFT_IRC_CLIENT_SIGNAL_LINE_RECEIVED,
  WEFT_IRC_CLIENT_SIGNAL_LINE_SENT,
  WEFT_IRC_CLIENT_N_SIGNALS
};

extern guint _weft_irc_client_signals[WEFT_IRC_CLIENT_N_SIGNALS];

G_END_DECLS
