/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <gio/gio.h>

#include "weft-irc-member.h"
#include "weft-irc-version.h"

G_BEGIN_DECLS

#define WEFT_IRC_TYPE_CHANNEL (weft_irc_channel_get_type ())
WEFT_IRC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftIrcChannel, weft_irc_channel, WEFT_IRC, CHANNEL, GObject)

WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_channel_get_name (WeftIrcChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_channel_get_joined (WeftIrcChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_channel_get_topic (WeftIrcChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_channel_get_topic_setter (WeftIrcChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
gint64 weft_irc_channel_get_topic_time (WeftIrcChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_channel_get_modes (WeftIrcChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_channel_get_mode_argument (WeftIrcChannel *channel, char mode);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_channel_get_key (WeftIrcChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
GListModel *weft_irc_channel_get_members (WeftIrcChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_channel_get_n_members (WeftIrcChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcMember *weft_irc_channel_lookup_member (WeftIrcChannel *channel, const char *nick);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_channel_get_last_msgid (WeftIrcChannel *channel);
WEFT_IRC_AVAILABLE_IN_ALL
gint64 weft_irc_channel_get_last_time (WeftIrcChannel *channel);

G_END_DECLS
