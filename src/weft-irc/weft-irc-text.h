/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <glib.h>

#include "weft-irc-version.h"

G_BEGIN_DECLS

/**
 * WEFT_IRC_WORST_CASE_USER_BYTES:
 *
 * The longest user name assumed in a source the server adds to a message,
 * when the real one is not known: a `~` and ten characters.
 */
#define WEFT_IRC_WORST_CASE_USER_BYTES 11

/**
 * WEFT_IRC_WORST_CASE_HOST_BYTES:
 *
 * The longest host name assumed in a source the server adds to a message,
 * when the real one is not known (the `HOSTLEN` of common servers).
 */
#define WEFT_IRC_WORST_CASE_HOST_BYTES 63

/**
 * WEFT_IRC_WORST_CASE_NICK_BYTES:
 *
 * The longest nickname assumed when the sender's is not known.
 */
#define WEFT_IRC_WORST_CASE_NICK_BYTES 30

WEFT_IRC_AVAILABLE_IN_ALL
char *weft_irc_decode_text (const char *bytes, gssize len) G_GNUC_WARN_UNUSED_RESULT;
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_text_needs_fallback (const char *bytes, gssize len);

WEFT_IRC_AVAILABLE_IN_ALL
gsize weft_irc_text_max_bytes (const char *verb, const char *target, const char *source);
WEFT_IRC_AVAILABLE_IN_ALL
char **weft_irc_split_text (const char *text, gsize max_bytes) G_GNUC_WARN_UNUSED_RESULT;
WEFT_IRC_AVAILABLE_IN_ALL
char **weft_irc_split_message_text (const char *verb, const char *target, const char *source, const char *text)
    G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
