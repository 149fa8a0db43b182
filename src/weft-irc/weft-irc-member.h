/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <glib-object.h>

#include "weft-irc-version.h"

G_BEGIN_DECLS

#define WEFT_IRC_TYPE_MEMBER (weft_irc_member_get_type ())
WEFT_IRC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftIrcMember, weft_irc_member, WEFT_IRC, MEMBER, GObject)

WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_member_get_nick (WeftIrcMember *member);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_member_get_user (WeftIrcMember *member);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_member_get_host (WeftIrcMember *member);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_member_get_account (WeftIrcMember *member);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_member_get_realname (WeftIrcMember *member);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_member_get_prefixes (WeftIrcMember *member);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_member_get_prefix (WeftIrcMember *member);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_member_get_rank (WeftIrcMember *member);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_member_get_away (WeftIrcMember *member);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_member_get_away_message (WeftIrcMember *member);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_member_is_self (WeftIrcMember *member);

G_END_DECLS
