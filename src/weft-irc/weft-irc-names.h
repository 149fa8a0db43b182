/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <glib.h>

#include "weft-irc-casemap.h"
#include "weft-irc-version.h"

G_BEGIN_DECLS

WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_mask_match (const char *mask, const char *name, WeftIrcCasemapping mapping);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_hostname_is_valid (const char *hostname);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_nick_is_valid (const char *nick, const char *chantypes, gsize max_len);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_is_channel_name (const char *name, const char *chantypes);

G_END_DECLS
