/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "weft-irc.h"

G_BEGIN_DECLS

/* Case mappings (ISUPPORT CASEMAPPING). */
typedef enum {
  WEFT_IRC_CASEMAP_RFC1459,
  WEFT_IRC_CASEMAP_RFC1459_STRICT,
  WEFT_IRC_CASEMAP_ASCII,
} WeftIrcCasemap;

char *_weft_irc_casefold (WeftIrcCasemap casemap, const char *name);

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
WeftIrcChannel *_weft_irc_channel_new (const char *name, WeftIrcCasemap casemap);
void _weft_irc_channel_set_casemap (WeftIrcChannel *channel, WeftIrcCasemap casemap);
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
} WeftIrcOutLine;

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

/* The client, driven by a connection. */
void _weft_irc_client_attach (WeftIrcClient *client, WeftTransport *transport);
void _weft_irc_client_data (WeftIrcClient *client, const guint8 *data, gsize len);
void _weft_irc_client_detach (WeftIrcClient *client, const GError *reason);
void _weft_irc_client_pause_writing (WeftIrcClient *client, gboolean paused);
void _weft_irc_client_connecting (WeftIrcClient *client);
void _weft_irc_client_connection_failed (WeftIrcClient *client, const GError *reason);

WeftReconnectingClientFactory *_weft_irc_client_factory_new (WeftIrcClient *client);

G_END_DECLS
