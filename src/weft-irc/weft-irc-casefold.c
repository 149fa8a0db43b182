/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "weft-irc-client-private.h"

/* Lower-cases @name the way the server compares names: ASCII letters
 * always; rfc1459 also maps []\~ to {}|^, rfc1459-strict all but ~. */
char *
_weft_irc_casefold (WeftIrcCasemap casemap, const char *name)
{
  char *folded = g_strdup (name);

  for (char *p = folded; *p != '\0'; p++)
    {
      char c = *p;
      if (c >= 'A' && c <= 'Z')
        *p = c + ('a' - 'A');
      else if (casemap != WEFT_IRC_CASEMAP_ASCII && (c == '[' || c == ']' || c == '\\'))
        *p = c + ('{' - '[');
      else if (casemap == WEFT_IRC_CASEMAP_RFC1459 && c == '~')
        *p = '^';
    }
  return folded;
}
