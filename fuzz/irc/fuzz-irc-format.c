/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The text layer on any bytes: formatting codes into spans, stripping,
 * decoding with the fallback, and splitting text to send. */
#include <string.h>

#include <weft-irc/weft-irc.h>

#include "fuzz-check.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (WeftIrcFormattedText) formatted = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *decoded = NULL;
  g_auto (GStrv) pieces = NULL;
  const char *text;
  gsize text_len, max_bytes, pieces_len = 0;
  guint previous_end = 0;

  decoded = weft_irc_decode_text ((const char *) data, size);
  FUZZ_CHECK (g_utf8_validate (decoded, -1, NULL));
  /* Nothing is dropped: each byte gives at least one byte. */
  FUZZ_CHECK (strlen (decoded) >= size);

  formatted = weft_irc_formatted_text_parse ((const char *) data, size);
  text = weft_irc_formatted_text_get_text (formatted);
  text_len = strlen (text);
  FUZZ_CHECK (g_utf8_validate (text, -1, NULL));
  for (guint i = 0; i < weft_irc_formatted_text_get_n_spans (formatted); i++)
    {
      const WeftIrcTextSpan *span = weft_irc_formatted_text_get_span (formatted, i);

      FUZZ_CHECK (span->start < span->end && span->end <= text_len);
      FUZZ_CHECK (span->start >= previous_end);
      /* Offsets fall on character boundaries, as Pango needs. */
      FUZZ_CHECK (span->start == 0 || ((guchar) text[span->start] & 0xC0) != 0x80);
      FUZZ_CHECK (span->end == text_len || ((guchar) text[span->end] & 0xC0) != 0x80);
      FUZZ_CHECK (span->foreground >= -1 && span->foreground <= 98);
      FUZZ_CHECK (span->background >= -1 && span->background <= 98);
      FUZZ_CHECK (span->foreground_rgb >= -1 && span->foreground_rgb <= 0xffffff);
      FUZZ_CHECK (span->background_rgb >= -1 && span->background_rgb <= 0xffffff);
      FUZZ_CHECK (span->style != WEFT_IRC_TEXT_STYLE_NONE || span->foreground_rgb != -1 || span->background_rgb != -1);
      previous_end = span->end;
    }

  stripped = weft_irc_strip_formatting ((const char *) data, size);
  FUZZ_CHECK (strcmp (stripped, text) == 0);

  /* Splitting the decoded text (formatting codes and all) to send. */
  max_bytes = 16 + size % 64;
  pieces = weft_irc_split_text (decoded, max_bytes);
  for (guint i = 0; pieces[i] != NULL; i++)
    {
      FUZZ_CHECK (pieces[i][0] != '\0');
      FUZZ_CHECK (strlen (pieces[i]) <= max_bytes);
      FUZZ_CHECK (g_utf8_validate (pieces[i], -1, NULL));
      FUZZ_CHECK (strpbrk (pieces[i], "\r\n") == NULL);
      pieces_len += strlen (pieces[i]);
    }
  FUZZ_CHECK (pieces_len <= strlen (decoded));
  return 0;
}
