/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "weft-irc-format.h"
#include "weft-irc-text.h"

struct _WeftIrcFormattedText {
  gatomicrefcount ref_count;
  char *text;
  GArray *spans; /* of WeftIrcTextSpan, sorted, not overlapping */
};

G_DEFINE_BOXED_TYPE (WeftIrcTextSpan, weft_irc_text_span, weft_irc_text_span_copy, weft_irc_text_span_free)
G_DEFINE_BOXED_TYPE (WeftIrcFormattedText,
                     weft_irc_formatted_text,
                     weft_irc_formatted_text_ref,
                     weft_irc_formatted_text_unref)

/* The 99 colours of modern IRC clients: 0-15 as mIRC has them, 16-98 the
 * extended set (modern.ircdocs.horse, "Colors"). 99 is "default". */
static const guint32 palette[99] = {
  0xffffff, 0x000000, 0x00007f, 0x009300, 0xff0000, 0x7f0000, 0x9c009c, 0xfc7f00, 0xffff00, 0x00fc00, 0x009393,
  0x00ffff, 0x0000fc, 0xff00ff, 0x7f7f7f, 0xd2d2d2,

  0x470000, 0x472100, 0x474700, 0x324700, 0x004700, 0x00472c, 0x004747, 0x002747, 0x000047, 0x2e0047, 0x470047,
  0x47002a, 0x740000, 0x743a00, 0x747400, 0x517400, 0x007400, 0x007449, 0x007474, 0x004074, 0x000074, 0x4b0074,
  0x740074, 0x740045, 0xb50000, 0xb56300, 0xb5b500, 0x7db500, 0x00b500, 0x00b571, 0x00b5b5, 0x0063b5, 0x0000b5,
  0x7500b5, 0xb500b5, 0xb5006b, 0xff0000, 0xff8c00, 0xffff00, 0xb2ff00, 0x00ff00, 0x00ffa0, 0x00ffff, 0x008cff,
  0x0000ff, 0xa500ff, 0xff00ff, 0xff0098, 0xff5959, 0xffb459, 0xffff71, 0xcfff60, 0x6fff6f, 0x65ffc9, 0x6dffff,
  0x59b4ff, 0x5959ff, 0xc459ff, 0xff66ff, 0xff59bc, 0xff9c9c, 0xffd39c, 0xffff9c, 0xe2ff9c, 0x9cff9c, 0x9cffdb,
  0x9cffff, 0x9cd3ff, 0x9c9cff, 0xdc9cff, 0xff9cff, 0xff94d3, 0x000000, 0x131313, 0x282828, 0x363636, 0x4d4d4d,
  0x656565, 0x818181, 0x9f9f9f, 0xbcbcbc, 0xe2e2e2, 0xffffff,
};

/**
 * weft_irc_color_to_rgb:
 * @color: an IRC colour number
 *
 * Gets the usual RGB value of an IRC colour (0 to 15 as mIRC defines them,
 * 16 to 98 the extended colours). A theme may use its own values for 0 to
 * 15.
 *
 * Returns: the colour as `0xRRGGBB`, or -1 for 99 ("default") and numbers
 *   out of range
 */
gint
weft_irc_color_to_rgb (gint color)
{
  if (color < 0 || color >= (gint) G_N_ELEMENTS (palette))
    return -1;
  return palette[color];
}

/**
 * weft_irc_text_span_copy:
 * @span: a span
 *
 * Copies a span.
 *
 * Returns: (transfer full): the copy
 */
WeftIrcTextSpan *
weft_irc_text_span_copy (const WeftIrcTextSpan *span)
{
  g_return_val_if_fail (span != NULL, NULL);

  return g_memdup2 (span, sizeof *span);
}

/**
 * weft_irc_text_span_free:
 * @span: (transfer full): a span made by weft_irc_text_span_copy()
 *
 * Frees a copied span.
 */
void
weft_irc_text_span_free (WeftIrcTextSpan *span)
{
  g_free (span);
}

typedef struct {
  WeftIrcTextStyle style;
  gint foreground, background;
  gint foreground_rgb, background_rgb;
} Attributes;

static const Attributes plain = { WEFT_IRC_TEXT_STYLE_NONE, -1, -1, -1, -1 };

static gboolean
attributes_equal (const Attributes *a, const Attributes *b)
{
  return a->style == b->style && a->foreground == b->foreground && a->background == b->background &&
         a->foreground_rgb == b->foreground_rgb && a->background_rgb == b->background_rgb;
}

/* Adds the run [start, end) with the given attributes, merged into the
 * previous span when they touch and look the same. */
static void
add_span (GArray *spans, guint start, guint end, const Attributes *attributes)
{
  WeftIrcTextSpan span;

  if (start == end || attributes_equal (attributes, &plain))
    return;
  if (spans->len > 0)
    {
      WeftIrcTextSpan *last = &g_array_index (spans, WeftIrcTextSpan, spans->len - 1);
      Attributes last_attributes = { last->style, last->foreground, last->background, last->foreground_rgb,
                                     last->background_rgb };

      if (last->end == start && attributes_equal (&last_attributes, attributes))
        {
          last->end = end;
          return;
        }
    }
  span.start = start;
  span.end = end;
  span.style = attributes->style;
  span.foreground = attributes->foreground;
  span.background = attributes->background;
  span.foreground_rgb = attributes->foreground_rgb;
  span.background_rgb = attributes->background_rgb;
  g_array_append_val (spans, span);
}

static gint
hex_color (const char *p)
{
  gint value = 0;

  for (int i = 0; i < 6; i++)
    value = value * 16 + g_ascii_xdigit_value (p[i]);
  return value;
}

static gboolean
is_hex6 (const char *p, const char *end)
{
  if (end - p < 6)
    return FALSE;
  for (int i = 0; i < 6; i++)
    if (!g_ascii_isxdigit (p[i]))
      return FALSE;
  return TRUE;
}

static void
set_palette_colors (Attributes *attributes, gint foreground, gint background)
{
  /* 99 is "default": no colour. */
  attributes->foreground = foreground < 99 ? foreground : -1;
  attributes->foreground_rgb = weft_irc_color_to_rgb (foreground);
  if (background >= 0)
    {
      attributes->background = background < 99 ? background : -1;
      attributes->background_rgb = weft_irc_color_to_rgb (background);
    }
}

/* Reads a \x03 colour code at p (just after the \x03); returns the end. */
static const char *
parse_palette_code (const char *p, const char *end, Attributes *attributes)
{
  gint foreground = 0, background = -1;
  int n = 0;

  while (p < end && n < 2 && g_ascii_isdigit (*p))
    foreground = foreground * 10 + (*p++ - '0'), n++;
  if (n == 0)
    {
      attributes->foreground = attributes->background = -1;
      attributes->foreground_rgb = attributes->background_rgb = -1;
      return p;
    }
  if (end - p >= 2 && p[0] == ',' && g_ascii_isdigit (p[1]))
    {
      background = *++p - '0';
      p++;
      if (p < end && g_ascii_isdigit (*p))
        background = background * 10 + (*p++ - '0');
    }
  set_palette_colors (attributes, foreground, background);
  return p;
}

/* Reads a \x04 hex colour code at p (just after the \x04); returns the end. */
static const char *
parse_hex_code (const char *p, const char *end, Attributes *attributes)
{
  if (!is_hex6 (p, end))
    {
      attributes->foreground = attributes->background = -1;
      attributes->foreground_rgb = attributes->background_rgb = -1;
      return p;
    }
  attributes->foreground = -1;
  attributes->foreground_rgb = hex_color (p);
  p += 6;
  if (end - p >= 7 && p[0] == ',' && is_hex6 (p + 1, end))
    {
      attributes->background = -1;
      attributes->background_rgb = hex_color (p + 1);
      p += 7;
    }
  return p;
}

static WeftIrcTextStyle
style_of_code (char c)
{
  switch (c)
    {
    case '\x02':
      return WEFT_IRC_TEXT_STYLE_BOLD;
    case '\x1D':
      return WEFT_IRC_TEXT_STYLE_ITALIC;
    case '\x1F':
      return WEFT_IRC_TEXT_STYLE_UNDERLINE;
    case '\x1E':
      return WEFT_IRC_TEXT_STYLE_STRIKETHROUGH;
    case '\x11':
      return WEFT_IRC_TEXT_STYLE_MONOSPACE;
    case '\x16':
      return WEFT_IRC_TEXT_STYLE_REVERSE;
    default:
      return WEFT_IRC_TEXT_STYLE_NONE;
    }
}

static gboolean
is_format_code (char c)
{
  return c == '\x02' || c == '\x03' || c == '\x04' || c == '\x0F' || c == '\x11' || c == '\x16' || c == '\x1D' ||
         c == '\x1E' || c == '\x1F';
}

/* Strips the codes of [text, end) into out; collects the spans when spans is
 * not NULL. */
static void
parse_codes (const char *text, const char *end, GString *out, GArray *spans)
{
  Attributes current = plain;
  guint run_start = out->len;
  const char *p = text;

  while (p < end)
    {
      const char *run = p;
      Attributes next;

      while (p < end && !is_format_code (*p))
        p++;
      g_string_append_len (out, run, p - run);
      if (p == end)
        break;

      next = current;
      switch (*p)
        {
        case '\x03':
          p = parse_palette_code (p + 1, end, &next);
          break;
        case '\x04':
          p = parse_hex_code (p + 1, end, &next);
          break;
        case '\x0F':
          next = plain;
          p++;
          break;
        default:
          next.style ^= style_of_code (*p);
          p++;
          break;
        }
      if (spans != NULL && !attributes_equal (&next, &current))
        {
          add_span (spans, run_start, out->len, &current);
          run_start = out->len;
          current = next;
        }
    }
  if (spans != NULL)
    add_span (spans, run_start, out->len, &current);
}

/**
 * weft_irc_formatted_text_parse:
 * @text: (array length=len) (element-type guint8): a message text, as
 *   received
 * @len: the length of @text in bytes, or -1 if it is nul-terminated
 *
 * Takes apart the formatting codes of IRC text: bold `\x02`, italic `\x1D`,
 * underline `\x1F`, strikethrough `\x1E`, monospace `\x11` and reverse
 * `\x16` toggle a style; `\x0F` resets everything; `\x03` sets colours by
 * number (`\x03` foreground[`,`background], one or two digits each, 99
 * meaning the default colour; a bare `\x03` resets both colours); `\x04`
 * sets them as hex RGB (`\x04RRGGBB[,RRGGBB]`, a bare `\x04` resets).
 *
 * Text that is not valid UTF-8 is first decoded with
 * weft_irc_decode_text(), so the result is always valid UTF-8.
 *
 * Returns: (transfer full): the text without codes and its spans
 */
WeftIrcFormattedText *
weft_irc_formatted_text_parse (const char *text, gssize len)
{
  g_autofree char *decoded = NULL;
  WeftIrcFormattedText *formatted;
  GString *out;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len < 0)
    len = strlen (text);
  if (!g_utf8_validate_len (text, len, NULL))
    {
      decoded = weft_irc_decode_text (text, len);
      text = decoded;
      len = strlen (decoded);
    }

  formatted = g_new0 (WeftIrcFormattedText, 1);
  g_atomic_ref_count_init (&formatted->ref_count);
  formatted->spans = g_array_new (FALSE, FALSE, sizeof (WeftIrcTextSpan));
  out = g_string_sized_new (len + 1);
  parse_codes (text, text + len, out, formatted->spans);
  formatted->text = g_string_free (out, FALSE);
  return formatted;
}

/**
 * weft_irc_formatted_text_ref:
 * @formatted: formatted text
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @formatted
 */
WeftIrcFormattedText *
weft_irc_formatted_text_ref (WeftIrcFormattedText *formatted)
{
  g_return_val_if_fail (formatted != NULL, NULL);

  g_atomic_ref_count_inc (&formatted->ref_count);
  return formatted;
}

/**
 * weft_irc_formatted_text_unref:
 * @formatted: (transfer full): formatted text
 *
 * Drops a reference, freeing the text with the last one.
 */
void
weft_irc_formatted_text_unref (WeftIrcFormattedText *formatted)
{
  g_return_if_fail (formatted != NULL);

  if (!g_atomic_ref_count_dec (&formatted->ref_count))
    return;
  g_free (formatted->text);
  g_array_unref (formatted->spans);
  g_free (formatted);
}

/**
 * weft_irc_formatted_text_get_text:
 * @formatted: formatted text
 *
 * Gets the text without formatting codes, to show as plain text.
 *
 * Returns: the text, valid UTF-8
 */
const char *
weft_irc_formatted_text_get_text (const WeftIrcFormattedText *formatted)
{
  g_return_val_if_fail (formatted != NULL, NULL);

  return formatted->text;
}

/**
 * weft_irc_formatted_text_get_n_spans:
 * @formatted: formatted text
 *
 * Gets the number of styled or coloured runs. Runs of plain text have no
 * span.
 *
 * Returns: the number of spans
 */
guint
weft_irc_formatted_text_get_n_spans (const WeftIrcFormattedText *formatted)
{
  g_return_val_if_fail (formatted != NULL, 0);

  return formatted->spans->len;
}

/**
 * weft_irc_formatted_text_get_span:
 * @formatted: formatted text
 * @index: the index of a span
 *
 * Gets one span; spans are in order of their start and do not overlap.
 *
 * Returns: (transfer none) (nullable): the span, or %NULL when @index is
 *   past the end
 */
const WeftIrcTextSpan *
weft_irc_formatted_text_get_span (const WeftIrcFormattedText *formatted, guint index)
{
  g_return_val_if_fail (formatted != NULL, NULL);

  if (index >= formatted->spans->len)
    return NULL;
  return &g_array_index (formatted->spans, WeftIrcTextSpan, index);
}

/**
 * weft_irc_formatted_text_get_spans:
 * @formatted: formatted text
 * @n_spans: (out): the number of spans
 *
 * Gets every span, in order of their start.
 *
 * Returns: (transfer none) (array length=n_spans): the spans
 */
const WeftIrcTextSpan *
weft_irc_formatted_text_get_spans (const WeftIrcFormattedText *formatted, guint *n_spans)
{
  g_return_val_if_fail (formatted != NULL, NULL);
  g_return_val_if_fail (n_spans != NULL, NULL);

  *n_spans = formatted->spans->len;
  return (const WeftIrcTextSpan *) (gpointer) formatted->spans->data;
}

/**
 * weft_irc_strip_formatting:
 * @text: (array length=len) (element-type guint8): a message text
 * @len: the length of @text in bytes, or -1 if it is nul-terminated
 *
 * Removes the formatting codes that weft_irc_formatted_text_parse()
 * understands, with the digits of colour codes. Text that is not valid UTF-8
 * is decoded with weft_irc_decode_text() first.
 *
 * Returns: (transfer full): the plain text, valid UTF-8
 */
char *
weft_irc_strip_formatting (const char *text, gssize len)
{
  g_autofree char *decoded = NULL;
  GString *out;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len < 0)
    len = strlen (text);
  if (!g_utf8_validate_len (text, len, NULL))
    {
      decoded = weft_irc_decode_text (text, len);
      text = decoded;
      len = strlen (decoded);
    }
  out = g_string_sized_new (len + 1);
  parse_codes (text, text + len, out, NULL);
  return g_string_free (out, FALSE);
}
