/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <glib-object.h>

#include "weft-irc-version.h"

G_BEGIN_DECLS

/**
 * WEFT_IRC_MAX_LINE_BYTES:
 *
 * The longest message without its tags, in bytes, including the CRLF
 * (RFC 1459 and the IRCv3 message-tags specification).
 */
#define WEFT_IRC_MAX_LINE_BYTES 512

/**
 * WEFT_IRC_MAX_TAG_BYTES:
 *
 * The longest tags section, in bytes, including the leading `@` and the space
 * that ends it.
 */
#define WEFT_IRC_MAX_TAG_BYTES 8191

/**
 * WeftIrcMessage:
 *
 * One IRC message: IRCv3 tags, an optional source, a verb and parameters.
 *
 * A message is reference-counted and immutable once shared; the setters may
 * be used only while the caller holds the only reference (a message being
 * built). Tag values are held unescaped; a tag without a value maps to "".
 * The verb is upper-cased; a numeric reply keeps its three digits.
 */
typedef struct _WeftIrcMessage WeftIrcMessage;

#define WEFT_IRC_TYPE_MESSAGE (weft_irc_message_get_type ())
WEFT_IRC_AVAILABLE_IN_ALL
GType weft_irc_message_get_type (void) G_GNUC_CONST;

WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcMessage *weft_irc_message_new (const char *verb);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcMessage *weft_irc_message_new_va (const char *verb, ...) G_GNUC_NULL_TERMINATED;
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcMessage *weft_irc_message_parse (const char *line, gssize len, GError **error);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcMessage *weft_irc_message_ref (WeftIrcMessage *message);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_message_unref (WeftIrcMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftIrcMessage, weft_irc_message_unref)

WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_message_get_verb (const WeftIrcMessage *message);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_message_get_source (const WeftIrcMessage *message);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_message_get_n_params (const WeftIrcMessage *message);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_message_get_param (const WeftIrcMessage *message, guint index);
WEFT_IRC_AVAILABLE_IN_ALL
const char *const *weft_irc_message_get_params (const WeftIrcMessage *message);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_message_get_numeric (const WeftIrcMessage *message);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_message_get_tag (const WeftIrcMessage *message, const char *key);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_message_has_tag (const WeftIrcMessage *message, const char *key);
WEFT_IRC_AVAILABLE_IN_ALL
GHashTable *weft_irc_message_get_tags (const WeftIrcMessage *message);
WEFT_IRC_AVAILABLE_IN_ALL
GDateTime *weft_irc_message_get_time (const WeftIrcMessage *message);

WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_message_set_source (WeftIrcMessage *message, const char *source);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_message_set_tag (WeftIrcMessage *message, const char *key, const char *value);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_message_remove_tag (WeftIrcMessage *message, const char *key);
WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_message_add_param (WeftIrcMessage *message, const char *param);
WEFT_IRC_AVAILABLE_IN_ALL
WeftIrcMessage *weft_irc_message_copy (const WeftIrcMessage *message);

WEFT_IRC_AVAILABLE_IN_ALL
char *weft_irc_message_to_string (const WeftIrcMessage *message, GError **error);

WEFT_IRC_AVAILABLE_IN_ALL
void weft_irc_split_source (const char *source, char **nick, char **user, char **host);

G_END_DECLS
