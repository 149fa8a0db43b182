/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "weft-irc-message.h"
#include "weft-irc-text.h"

/* Windows-1252 for 0x80..0x9F; its five holes keep their C1 code points. */
static const gunichar cp1252_high[32] = {
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
  0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
  0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static gunichar
fallback_char (guchar byte)
{
  if (byte == 0)
    return 0xFFFD;
  if (byte >= 0x80 && byte < 0xA0)
    return cp1252_high[byte - 0x80];
  return byte;
}

/**
 * weft_irc_text_needs_fallback:
 * @bytes: (array length=len) (element-type guint8): text from the network
 * @len: the length of @bytes, or -1 if it is nul-terminated
 *
 * Tells whether weft_irc_decode_text() would have to fall back for some of
 * @bytes, because they are not valid UTF-8 (or hold NUL).
 *
 * Returns: %TRUE if @bytes are not valid UTF-8
 */
gboolean
weft_irc_text_needs_fallback (const char *bytes, gssize len)
{
  g_return_val_if_fail (bytes != NULL || len == 0, FALSE);

  if (len < 0)
    len = strlen (bytes);
  return !g_utf8_validate_len (bytes, len, NULL);
}

/**
 * weft_irc_decode_text:
 * @bytes: (array length=len) (element-type guint8): text from the network
 * @len: the length of @bytes, or -1 if it is nul-terminated
 *
 * Decodes text from a peer. Valid UTF-8 is kept as it is; each byte that is
 * not part of valid UTF-8 is read as Windows-1252 (Latin-1 with printable
 * characters in 0x80 to 0x9F), the encoding older clients send, so that
 * nothing is dropped: `caf\xe9` becomes `café`. A NUL byte becomes U+FFFD.
 *
 * Returns: (transfer full): valid UTF-8
 */
char *
weft_irc_decode_text (const char *bytes, gssize len)
{
  const char *p, *end, *valid_end;
  GString *out;

  g_return_val_if_fail (bytes != NULL || len == 0, NULL);

  if (len < 0)
    len = strlen (bytes);
  if (g_utf8_validate_len (bytes, len, NULL))
    return g_strndup (bytes, len);

  out = g_string_sized_new (len + len / 2);
  p = bytes;
  end = bytes + len;
  while (p < end)
    {
      g_utf8_validate_len (p, end - p, &valid_end);
      g_string_append_len (out, p, valid_end - p);
      p = valid_end;
      if (p < end)
        g_string_append_unichar (out, fallback_char (*p++));
    }
  return g_string_free (out, FALSE);
}

/**
 * weft_irc_text_max_bytes:
 * @verb: the command, such as `PRIVMSG` or `NOTICE`
 * @target: the channel or nickname the text goes to
 * @source: (nullable): the source the server will put on the message as the
 *   others receive it: `nick!user@host` when known, `nick` alone, or %NULL
 *
 * Computes how many bytes of text fit in one `VERB target :text` message
 * once the server has added `:source ` in front of it, within
 * %WEFT_IRC_MAX_LINE_BYTES with the CRLF. A source without user or host is
 * padded to the worst case (%WEFT_IRC_WORST_CASE_USER_BYTES,
 * %WEFT_IRC_WORST_CASE_HOST_BYTES; %WEFT_IRC_WORST_CASE_NICK_BYTES for an
 * unknown nickname).
 *
 * Returns: the room for text in bytes, 0 when nothing fits
 */
gsize
weft_irc_text_max_bytes (const char *verb, const char *target, const char *source)
{
  gsize source_len, overhead;

  g_return_val_if_fail (verb != NULL && target != NULL, 0);

  if (source == NULL)
    source_len =
        WEFT_IRC_WORST_CASE_NICK_BYTES + 1 + WEFT_IRC_WORST_CASE_USER_BYTES + 1 + WEFT_IRC_WORST_CASE_HOST_BYTES;
  else
    {
      source_len = strlen (source);
      if (strchr (source, '@') == NULL)
        source_len += 1 + WEFT_IRC_WORST_CASE_HOST_BYTES;
      if (strchr (source, '!') == NULL)
        source_len += 1 + WEFT_IRC_WORST_CASE_USER_BYTES;
    }

  /* ":" source " " verb " " target " :" text CRLF */
  overhead = 1 + source_len + 1 + strlen (verb) + 1 + strlen (target) + 2 + 2;
  return overhead < WEFT_IRC_MAX_LINE_BYTES ? WEFT_IRC_MAX_LINE_BYTES - overhead : 0;
}

/* The end of a formatting code that starts at text[i] (\x03 colours with up
 * to two digits, a comma and two more; \x04 with six hex digits, a comma and
 * six more), or i + 1. */
static gsize
colour_code_end (const char *text, gsize len, gsize i)
{
  gsize j = i + 1;

  if (text[i] == '\x03')
    {
      gsize n = 0;

      while (j < len && n < 2 && g_ascii_isdigit (text[j]))
        j++, n++;
      if (n > 0 && j + 1 < len && text[j] == ',' && g_ascii_isdigit (text[j + 1]))
        {
          j += 2;
          if (j < len && g_ascii_isdigit (text[j]))
            j++;
        }
    }
  else if (text[i] == '\x04')
    {
      gsize n = 0;

      while (j < len && n < 6 && g_ascii_isxdigit (text[j]))
        j++, n++;
      if (n == 6 && j < len && text[j] == ',')
        {
          gsize k = j + 1, m = 0;

          while (k < len && m < 6 && g_ascii_isxdigit (text[k]))
            k++, m++;
          if (m == 6)
            j = k;
        }
    }
  return j;
}

/* Where to cut text[0..len) so that the first part is at most max bytes:
 * after the last space if there is one in the second half, else at a UTF-8
 * character boundary; never inside a colour code. Sets *skip to the bytes to
 * drop at the cut (the space). */
static gsize
find_cut (const char *text, gsize len, gsize max, gsize *skip)
{
  gsize cut = max;

  *skip = 0;
  for (gsize i = max; i > max / 2; i--)
    if (text[i] == ' ')
      {
        *skip = 1;
        return i;
      }

  while (cut > 0 && ((guchar) text[cut] & 0xC0) == 0x80)
    cut--;
  if (cut == 0)
    return max; /* not UTF-8: any cut will do */
  /* A colour code is at most 14 bytes long: look back that far, and keep a
   * code with the text it colours. */
  for (gsize i = cut > 14 ? cut - 14 : 0; i < cut; i++)
    if ((text[i] == '\x03' || text[i] == '\x04') && colour_code_end (text, len, i) >= cut)
      {
        if (i > 0)
          cut = i;
        break;
      }
  return cut;
}

static void
split_line (GPtrArray *lines, const char *line, gsize len, gsize max_bytes)
{
  while (len > max_bytes)
    {
      gsize skip;
      gsize cut = find_cut (line, len, max_bytes, &skip);

      g_ptr_array_add (lines, g_strndup (line, cut));
      line += cut + skip;
      len -= cut + skip;
    }
  if (len > 0)
    g_ptr_array_add (lines, g_strndup (line, len));
}

/**
 * weft_irc_split_text:
 * @text: UTF-8 text as the user wrote it, maybe with line breaks
 * @max_bytes: the most bytes one piece may have (at least 16), such as
 *   weft_irc_text_max_bytes() gives
 *
 * Splits text to send into pieces of at most @max_bytes bytes: at each line
 * break (empty lines are left out, since a message cannot be empty), then at
 * the last space of an overlong line (the space is dropped), or else at a
 * UTF-8 character boundary, never inside a colour code.
 *
 * Returns: (transfer full) (array zero-terminated=1): the pieces, in order;
 *   empty when @text has nothing to send
 */
char **
weft_irc_split_text (const char *text, gsize max_bytes)
{
  GPtrArray *lines;
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (max_bytes >= 16, NULL);

  lines = g_ptr_array_new_null_terminated (1, g_free, TRUE);
  p = text;
  while (*p)
    {
      gsize len = strcspn (p, "\r\n");

      split_line (lines, p, len, max_bytes);
      p += len;
      while (*p == '\r' || *p == '\n')
        p++;
    }
  return (char **) g_ptr_array_free (lines, FALSE);
}

/**
 * weft_irc_split_message_text:
 * @verb: `PRIVMSG` or `NOTICE`
 * @target: the channel or nickname the text goes to
 * @source: (nullable): the sender's source as others will see it, or only
 *   the nickname, or %NULL; see weft_irc_text_max_bytes()
 * @text: UTF-8 text as the user wrote it
 *
 * Splits text so that each piece, sent as `VERB target :piece`, stays within
 * %WEFT_IRC_MAX_LINE_BYTES once the server has added the source in front.
 * See weft_irc_split_text().
 *
 * Returns: (transfer full) (array zero-terminated=1) (nullable): the
 *   pieces, or %NULL when the target and source leave no room for text
 */
char **
weft_irc_split_message_text (const char *verb, const char *target, const char *source, const char *text)
{
  gsize max_bytes = weft_irc_text_max_bytes (verb, target, source);

  g_return_val_if_fail (text != NULL, NULL);

  if (max_bytes < 16)
    return NULL;
  return weft_irc_split_text (text, max_bytes);
}
