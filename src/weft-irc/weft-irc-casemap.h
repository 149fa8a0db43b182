/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <glib.h>

#include "weft-irc-version.h"

G_BEGIN_DECLS

/**
 * WeftIrcCasemapping:
 * @WEFT_IRC_CASEMAPPING_RFC1459: `rfc1459`, the default when a server does
 *   not say: ASCII letters, and `[]\~` are the upper case of `{}|^`
 * @WEFT_IRC_CASEMAPPING_ASCII: `ascii`: only the letters A to Z fold
 * @WEFT_IRC_CASEMAPPING_RFC1459_STRICT: `rfc1459-strict`: as `rfc1459`
 *   without the `~` and `^` pair
 *
 * How a server compares nicknames and channel names (the `CASEMAPPING`
 * token of `RPL_ISUPPORT`).
 */
typedef enum {
  WEFT_IRC_CASEMAPPING_RFC1459,
  WEFT_IRC_CASEMAPPING_ASCII,
  WEFT_IRC_CASEMAPPING_RFC1459_STRICT,
} WeftIrcCasemapping;

WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_casemapping_from_string (const char *name, WeftIrcCasemapping *mapping);
WEFT_IRC_AVAILABLE_IN_ALL
const char *weft_irc_casemapping_to_string (WeftIrcCasemapping mapping);

WEFT_IRC_AVAILABLE_IN_ALL
char weft_irc_casefold_char (WeftIrcCasemapping mapping, char c);
WEFT_IRC_AVAILABLE_IN_ALL
char *weft_irc_casefold (WeftIrcCasemapping mapping, const char *name) G_GNUC_WARN_UNUSED_RESULT;
WEFT_IRC_AVAILABLE_IN_ALL
int weft_irc_casecmp (WeftIrcCasemapping mapping, const char *a, const char *b);
WEFT_IRC_AVAILABLE_IN_ALL
gboolean weft_irc_case_equal (WeftIrcCasemapping mapping, const char *a, const char *b);
WEFT_IRC_AVAILABLE_IN_ALL
guint weft_irc_case_hash (WeftIrcCasemapping mapping, const char *name);

WEFT_IRC_AVAILABLE_IN_ALL
GHashFunc weft_irc_casemapping_get_hash_func (WeftIrcCasemapping mapping);
WEFT_IRC_AVAILABLE_IN_ALL
GEqualFunc weft_irc_casemapping_get_equal_func (WeftIrcCasemapping mapping);
WEFT_IRC_AVAILABLE_IN_ALL
GHashTable *weft_irc_casemapping_new_hash_table (WeftIrcCasemapping mapping,
                                                 GDestroyNotify key_destroy,
                                                 GDestroyNotify value_destroy);
WEFT_IRC_AVAILABLE_IN_ALL
GHashTable *weft_irc_casemapping_remap_hash_table (WeftIrcCasemapping mapping,
                                                   GHashTable *table,
                                                   GDestroyNotify key_destroy,
                                                   GDestroyNotify value_destroy);

G_END_DECLS
