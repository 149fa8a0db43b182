/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "weft-irc-names.h"

/**
 * weft_irc_mask_match:
 * @mask: a mask such as `*!*@*.example.org`, where `*` matches any run of
 *   characters and `?` any one character
 * @name: what to match, such as `nick!user@host`
 * @mapping: the case mapping to compare with
 *
 * Matches a ban, invite or ignore mask as servers do. Every other character,
 * `[` included, is literal (masks are not shell globs). The match runs in
 * O(length of @mask × length of @name) at worst, without recursion.
 *
 * Returns: %TRUE if @name matches @mask
 */
gboolean
weft_irc_mask_match (const char *mask, const char *name, WeftIrcCasemapping mapping)
{
  const char *m = mask, *n = name;
  const char *star = NULL, *star_name = NULL;

  g_return_val_if_fail (mask != NULL && name != NULL, FALSE);

  while (*n)
    {
      if (*m == '*')
        {
          /* Remember where the star was; retry from here on a mismatch. */
          while (*m == '*')
            m++;
          star = m;
          star_name = n;
        }
      else if (*m == '?' || (*m && weft_irc_casefold_char (mapping, *m) == weft_irc_casefold_char (mapping, *n)))
        {
          m++;
          n++;
        }
      else if (star != NULL)
        {
          m = star;
          n = ++star_name;
        }
      else
        return FALSE;
    }
  while (*m == '*')
    m++;
  return *m == '\0';
}

static gboolean
label_is_valid (const char *label, gsize len)
{
  if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (label[i]) && label[i] != '-')
      return FALSE;
  return TRUE;
}

/**
 * weft_irc_hostname_is_valid:
 * @hostname: a server or client host name
 *
 * Tells whether @hostname is a valid IRC host name: labels of ASCII letters,
 * digits and inner hyphens (internationalized names in their `xn--` form),
 * at least two of them or one with a final dot (`services.`), 253 bytes at
 * most. IP addresses are checked with GLib's #GInetAddress instead.
 *
 * Returns: %TRUE if @hostname is valid
 */
gboolean
weft_irc_hostname_is_valid (const char *hostname)
{
  const char *label = hostname;
  gsize total;
  guint n_dots = 0;

  g_return_val_if_fail (hostname != NULL, FALSE);

  total = strlen (hostname);
  if (total == 0 || total > 253)
    return FALSE;
  for (;;)
    {
      const char *dot = strchr (label, '.');
      gsize len = dot != NULL ? (gsize) (dot - label) : strlen (label);

      if (dot == NULL && len == 0)
        return n_dots > 0; /* a final dot */
      if (!label_is_valid (label, len))
        return FALSE;
      if (dot == NULL)
        return n_dots > 0;
      n_dots++;
      label = dot + 1;
    }
}

/**
 * weft_irc_is_channel_name:
 * @name: a message target
 * @chantypes: (nullable): the server's channel prefixes (the `CHANTYPES`
 *   token), or %NULL for `#&`
 *
 * Tells whether a target names a channel: it starts with one of @chantypes
 * and holds no space, comma or BELL (RFC 2812).
 *
 * Returns: %TRUE if @name is a channel name
 */
gboolean
weft_irc_is_channel_name (const char *name, const char *chantypes)
{
  g_return_val_if_fail (name != NULL, FALSE);

  if (chantypes == NULL)
    chantypes = "#&";
  if (name[0] == '\0' || strchr (chantypes, name[0]) == NULL)
    return FALSE;
  return strpbrk (name, " ,\a\r\n") == NULL;
}

/**
 * weft_irc_nick_is_valid:
 * @nick: a nickname
 * @chantypes: (nullable): the server's channel prefixes, or %NULL for `#&`
 * @max_len: the server's `NICKLEN`, or 0 for no limit
 *
 * Tells whether @nick may be used as a nickname: not empty, no longer than
 * @max_len, not starting with a digit, `-`, `:`, `$` or a channel prefix,
 * and holding none of space, comma, `*`, `?`, `!`, `@`, `.` or a control
 * character. Servers may be stricter; they answer `ERR_ERRONEUSNICKNAME`.
 *
 * Returns: %TRUE if @nick is acceptable
 */
gboolean
weft_irc_nick_is_valid (const char *nick, const char *chantypes, gsize max_len)
{
  gsize len;

  g_return_val_if_fail (nick != NULL, FALSE);

  if (chantypes == NULL)
    chantypes = "#&";
  len = strlen (nick);
  if (len == 0 || (max_len > 0 && len > max_len))
    return FALSE;
  if (g_ascii_isdigit (nick[0]) || strchr ("-:$", nick[0]) != NULL || strchr (chantypes, nick[0]) != NULL)
    return FALSE;
  for (const char *p = nick; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || strchr (" ,*?!@.", *p) != NULL)
      return FALSE;
  return TRUE;
}
