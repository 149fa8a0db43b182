/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <glib-object.h>

#include "weft-irc-casemap.h"
#include "weft-irc-message.h"
#include "weft-irc-version.h"

G_BEGIN_DECLS

/**
 * WeftIrcChanmodeType:
 * @WEFT_IRC_CHANMODE_UNKNOWN: a mode the server did not announce
 * @WEFT_IRC_CHANMODE_LIST: type A, a list (bans `b`): always a parameter
 * @WEFT_IRC_CHANMODE_ALWAYS_PARAM: type B, a setting with a parameter when
 *   set and unset (key `k`)
 * @WEFT_IRC_CHANMODE_SET_PARAM: type C, a setting with a parameter only when
 *   set (limit `l`)
 * @WEFT_IRC_CHANMODE_FLAG: type D, a flag without parameter (`n`, `t`)
 * @WEFT_IRC_CHANMODE_PREFIX: a membership mode of `PREFIX` (`o`, `v`):
 *   a nickname as parameter
 *
 * How a channel mode takes its parameter (the `CHANMODES` and `PREFIX`
 * tokens).
 */
typedef enum {
  WEFT_IRC_CHANMODE_UNKNOWN,
  WEFT_IRC_CHANMODE_LIST,
  WEFT_IRC_CHANMODE_ALWAYS_PARAM,
  WEFT_IRC_CHANMODE_SET_PARAM,
  WEFT_IRC_CHANMODE_FLAG,
  WEFT_IRC_CHANMODE_PREFIX,
} WeftIrcChanmodeType;

#define WEFT_IRC_TYPE_ISUPPORT (weft_irc_isupport_get_type ())
WEFT_IRC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftIrcIsupport, weft_irc_isupport, WEFT_IRC, ISUPPORT, GObject)

WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcIsupport *weft_irc_isupport_new (void);

WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_isupport_parse_message (WeftIrcIsupport *self, const WeftIrcMessage *message);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_isupport_parse_token (WeftIrcIsupport *self, const char *token);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_isupport_set (WeftIrcIsupport *self, const char *key, const char *value);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_isupport_remove (WeftIrcIsupport *self, const char *key);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_isupport_reset (WeftIrcIsupport *self);

WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_isupport_has (WeftIrcIsupport *self, const char *key);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_isupport_get (WeftIrcIsupport *self, const char *key);
WEFT_IRC_AVAILABLE_IN_ALL
gint weft_irc_isupport_get_int (WeftIrcIsupport *self, const char *key, gint default_value);
WEFT_IRC_AVAILABLE_IN_ALL
char **weft_irc_isupport_dup_keys (WeftIrcIsupport *self);
WEFT_IRC_AVAILABLE_IN_ALL
char **weft_irc_isupport_to_tokens (WeftIrcIsupport *self);

WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcCasemapping weft_irc_isupport_get_casemapping (WeftIrcIsupport *self);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_isupport_get_prefix_modes (WeftIrcIsupport *self);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_isupport_get_prefix_symbols (WeftIrcIsupport *self);
WEFT_IRC_AVAILABLE_IN_ALL
char weft_irc_isupport_mode_for_prefix (WeftIrcIsupport *self, char symbol);
WEFT_IRC_AVAILABLE_IN_ALL
char weft_irc_isupport_prefix_for_mode (WeftIrcIsupport *self, char mode);
WEFT_IRC_AVAILABLE_IN_ALL
int weft_irc_isupport_compare_prefixes (WeftIrcIsupport *self, char a, char b);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_isupport_get_chantypes (WeftIrcIsupport *self);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_isupport_is_channel (WeftIrcIsupport *self, const char *name);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_isupport_get_chanmodes (WeftIrcIsupport *self, WeftIrcChanmodeType type);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcChanmodeType weft_irc_isupport_get_chanmode_type (WeftIrcIsupport *self, char mode);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_isupport_get_statusmsg (WeftIrcIsupport *self);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_isupport_get_network (WeftIrcIsupport *self);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_isupport_get_nicklen (WeftIrcIsupport *self);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_isupport_get_channellen (WeftIrcIsupport *self);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_isupport_get_topiclen (WeftIrcIsupport *self);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_isupport_get_modes (WeftIrcIsupport *self);
WEFT_IRC_AVAILABLE_IN_ALL
gint weft_irc_isupport_get_targmax (WeftIrcIsupport *self, const char *command);
WEFT_IRC_AVAILABLE_IN_ALL
gint weft_irc_isupport_get_chathistory (WeftIrcIsupport *self);

G_END_DECLS
