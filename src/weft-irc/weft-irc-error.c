/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "weft-irc-error.h"

/* Not G_DEFINE_QUARK: clang-format splits its hyphenated name argument. */

/**
 * weft_irc_error_quark:
 *
 * Gets the quark of the %WEFT_IRC_ERROR domain.
 *
 * Returns: the error domain
 */
GQuark
weft_irc_error_quark (void)
{
  return g_quark_from_static_string ("weft-irc-error-quark");
}
