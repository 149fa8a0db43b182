/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <glib-object.h>

#include "weft-irc-version.h"

G_BEGIN_DECLS

typedef struct _WeftIrcServerConnection WeftIrcServerConnection;

/**
 * WeftIrcChannelModes:
 * @WEFT_IRC_CHANNEL_MODE_TOPIC_LOCK: +t, only operators set the topic
 * @WEFT_IRC_CHANNEL_MODE_NO_EXTERNAL: +n, only members send messages
 * @WEFT_IRC_CHANNEL_MODE_MODERATED: +m, only voiced members and operators speak
 * @WEFT_IRC_CHANNEL_MODE_INVITE_ONLY: +i, joining needs an invitation
 *
 * Channel flags without a parameter; the key (+k), the limit (+l) and bans
 * (+b) have their own accessors.
 */
typedef enum {
  WEFT_IRC_CHANNEL_MODE_TOPIC_LOCK = 1 << 0,
  WEFT_IRC_CHANNEL_MODE_NO_EXTERNAL = 1 << 1,
  WEFT_IRC_CHANNEL_MODE_MODERATED = 1 << 2,
  WEFT_IRC_CHANNEL_MODE_INVITE_ONLY = 1 << 3,
} WeftIrcChannelModes;

/**
 * WeftIrcMemberPrefix:
 * @WEFT_IRC_MEMBER_VOICE: +v
 * @WEFT_IRC_MEMBER_OPERATOR: +o
 */
typedef enum {
  WEFT_IRC_MEMBER_VOICE = 1 << 0,
  WEFT_IRC_MEMBER_OPERATOR = 1 << 1,
} WeftIrcMemberPrefix;

#define WEFT_IRC_TYPE_SERVER_CHANNEL (weft_irc_server_channel_get_type ())
WEFT_IRC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftIrcServerChannel, weft_irc_server_channel, WEFT_IRC, SERVER_CHANNEL, GObject)

WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_server_channel_get_name (WeftIrcServerChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_server_channel_get_topic (WeftIrcServerChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcChannelModes weft_irc_server_channel_get_modes (WeftIrcServerChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_server_channel_get_key (WeftIrcServerChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_server_channel_get_limit (WeftIrcServerChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_server_channel_get_n_members (WeftIrcServerChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
GList *weft_irc_server_channel_get_members (WeftIrcServerChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_server_channel_has_member (WeftIrcServerChannel *channel, WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcMemberPrefix weft_irc_server_channel_get_member_prefix (WeftIrcServerChannel *channel,
                                                               WeftIrcServerConnection *client);
WEFT_IRC_AVAILABLE_IN_ALL
const char *const *weft_irc_server_channel_get_bans (WeftIrcServerChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_server_channel_is_banned (WeftIrcServerChannel *channel, WeftIrcServerConnection *client);

G_END_DECLS
