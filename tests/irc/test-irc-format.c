/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <weft-irc/weft-irc.h>

static const WeftIrcTextSpan *
span (WeftIrcFormattedText *formatted, guint index)
{
  const WeftIrcTextSpan *s = weft_irc_formatted_text_get_span (formatted, index);

  g_assert_nonnull (s);
  return s;
}

static void
assert_span (const WeftIrcTextSpan *s, guint start, guint end, WeftIrcTextStyle style)
{
  g_assert_cmpuint (s->start, ==, start);
  g_assert_cmpuint (s->end, ==, end);
  g_assert_cmpint (s->style, ==, style);
}

static void
test_plain (void)
{
  g_autoptr (WeftIrcFormattedText) formatted = weft_irc_formatted_text_parse ("just text", -1);

  g_assert_cmpstr (weft_irc_formatted_text_get_text (formatted), ==, "just text");
  g_assert_cmpuint (weft_irc_formatted_text_get_n_spans (formatted), ==, 0);
  g_assert_null (weft_irc_formatted_text_get_span (formatted, 0));
}

static void
test_styles (void)
{
  g_autoptr (WeftIrcFormattedText) formatted = NULL;

  /* bold "a", bold+italic "b", italic "c", everything "d", reset "e" */
  formatted = weft_irc_formatted_text_parse ("\x02"
                                             "a\x1d"
                                             "b\x02"
                                             "c\x02\x1f\x1e\x11\x16"
                                             "d\x0f"
                                             "e",
                                             -1);
  g_assert_cmpstr (weft_irc_formatted_text_get_text (formatted), ==, "abcde");
  g_assert_cmpuint (weft_irc_formatted_text_get_n_spans (formatted), ==, 4);
  assert_span (span (formatted, 0), 0, 1, WEFT_IRC_TEXT_STYLE_BOLD);
  assert_span (span (formatted, 1), 1, 2, WEFT_IRC_TEXT_STYLE_BOLD | WEFT_IRC_TEXT_STYLE_ITALIC);
  assert_span (span (formatted, 2), 2, 3, WEFT_IRC_TEXT_STYLE_ITALIC);
  assert_span (span (formatted, 3), 3, 4,
               WEFT_IRC_TEXT_STYLE_BOLD | WEFT_IRC_TEXT_STYLE_ITALIC | WEFT_IRC_TEXT_STYLE_UNDERLINE |
                   WEFT_IRC_TEXT_STYLE_STRIKETHROUGH | WEFT_IRC_TEXT_STYLE_MONOSPACE | WEFT_IRC_TEXT_STYLE_REVERSE);
}

static void
test_merge (void)
{
  /* Codes that change nothing visible do not split a span. */
  g_autoptr (WeftIrcFormattedText) formatted = weft_irc_formatted_text_parse ("\x02"
                                                                              "ab\x1d\x1d"
                                                                              "cd\x02\x02\x02 e",
                                                                              -1);

  g_assert_cmpstr (weft_irc_formatted_text_get_text (formatted), ==, "abcd e");
  g_assert_cmpuint (weft_irc_formatted_text_get_n_spans (formatted), ==, 1);
  assert_span (span (formatted, 0), 0, 4, WEFT_IRC_TEXT_STYLE_BOLD);
}

static void
test_colours (void)
{
  g_autoptr (WeftIrcFormattedText) formatted = NULL;
  const WeftIrcTextSpan *s;

  /* red on blue, then green keeping blue, then default fg, then reset; a
   * comma not followed by a digit stays text; three digits: two are the
   * colour, the third is text. */
  formatted = weft_irc_formatted_text_parse ("\x03"
                                             "4,2a\x03"
                                             "3b\x03"
                                             "99c\x03"
                                             "d\x03"
                                             "5,e\x03"
                                             "123",
                                             -1);
  g_assert_cmpstr (weft_irc_formatted_text_get_text (formatted), ==, "abcd,e3");
  g_assert_cmpuint (weft_irc_formatted_text_get_n_spans (formatted), ==, 5);

  s = span (formatted, 0);
  assert_span (s, 0, 1, WEFT_IRC_TEXT_STYLE_NONE);
  g_assert_cmpint (s->foreground, ==, 4);
  g_assert_cmpint (s->foreground_rgb, ==, 0xff0000);
  g_assert_cmpint (s->background, ==, 2);
  g_assert_cmpint (s->background_rgb, ==, 0x00007f);

  s = span (formatted, 1);
  assert_span (s, 1, 2, WEFT_IRC_TEXT_STYLE_NONE);
  g_assert_cmpint (s->foreground, ==, 3);
  g_assert_cmpint (s->background, ==, 2);

  s = span (formatted, 2);
  assert_span (s, 2, 3, WEFT_IRC_TEXT_STYLE_NONE);
  g_assert_cmpint (s->foreground, ==, -1);
  g_assert_cmpint (s->foreground_rgb, ==, -1);
  g_assert_cmpint (s->background, ==, 2);

  /* "d" is plain: no span. */
  s = span (formatted, 3);
  assert_span (s, 4, 6, WEFT_IRC_TEXT_STYLE_NONE);
  g_assert_cmpint (s->foreground, ==, 5);
  g_assert_cmpint (s->background, ==, -1);

  s = span (formatted, 4);
  assert_span (s, 6, 7, WEFT_IRC_TEXT_STYLE_NONE);
  g_assert_cmpint (s->foreground, ==, 12);

  g_assert_cmpint (weft_irc_color_to_rgb (98), ==, 0xffffff);
  g_assert_cmpint (weft_irc_color_to_rgb (52), ==, 0xff0000);
  g_assert_cmpint (weft_irc_color_to_rgb (99), ==, -1);
}

static void
test_hex_colours (void)
{
  g_autoptr (WeftIrcFormattedText) formatted = NULL;
  const WeftIrcTextSpan *s;

  formatted = weft_irc_formatted_text_parse ("\x04"
                                             "FF8000,000080a\x04"
                                             "00ff00b\x04"
                                             "c\x04"
                                             "12345gd",
                                             -1);
  g_assert_cmpstr (weft_irc_formatted_text_get_text (formatted), ==, "abc12345gd");
  g_assert_cmpuint (weft_irc_formatted_text_get_n_spans (formatted), ==, 2);
  s = span (formatted, 0);
  assert_span (s, 0, 1, WEFT_IRC_TEXT_STYLE_NONE);
  g_assert_cmpint (s->foreground, ==, -1);
  g_assert_cmpint (s->foreground_rgb, ==, 0xff8000);
  g_assert_cmpint (s->background_rgb, ==, 0x000080);
  s = span (formatted, 1);
  assert_span (s, 1, 2, WEFT_IRC_TEXT_STYLE_NONE);
  g_assert_cmpint (s->foreground_rgb, ==, 0x00ff00);
  g_assert_cmpint (s->background_rgb, ==, 0x000080);
}

static void
test_offsets_are_bytes (void)
{
  g_autoptr (WeftIrcFormattedText) formatted = weft_irc_formatted_text_parse ("h\xc3\xa9 \x02\xe2\x82\xac\x02!", -1);

  g_assert_cmpstr (weft_irc_formatted_text_get_text (formatted), ==, "h\xc3\xa9 \xe2\x82\xac!");
  assert_span (span (formatted, 0), 4, 7, WEFT_IRC_TEXT_STYLE_BOLD);
}

static void
test_invalid_utf8 (void)
{
  g_autoptr (WeftIrcFormattedText) formatted = weft_irc_formatted_text_parse ("\x02"
                                                                              "caf\xe9",
                                                                              -1);
  g_autofree char *stripped = weft_irc_strip_formatting ("\x1f"
                                                         "caf\xe9",
                                                         -1);

  g_assert_cmpstr (weft_irc_formatted_text_get_text (formatted), ==, "caf\xc3\xa9");
  assert_span (span (formatted, 0), 0, 5, WEFT_IRC_TEXT_STYLE_BOLD);
  g_assert_cmpstr (stripped, ==, "caf\xc3\xa9");
}

static void
test_strip (void)
{
  g_autofree char *stripped = weft_irc_strip_formatting ("\x02"
                                                         "bold\x02 \x03"
                                                         "04,12red\x03 \x04"
                                                         "ff0000hex\x0f \x16"
                                                         "rev \x01"
                                                         "ACTION\x01",
                                                         -1);

  /* Only formatting codes go: CTCP's \x01 stays for the CTCP layer. */
  g_assert_cmpstr (stripped, ==,
                   "bold red hex rev \x01"
                   "ACTION\x01");
}

static void
test_spans_array (void)
{
  g_autoptr (WeftIrcFormattedText) formatted = weft_irc_formatted_text_parse ("\x02"
                                                                              "a\x02"
                                                                              "b\x1d"
                                                                              "c",
                                                                              -1);
  guint n = 0;
  const WeftIrcTextSpan *spans = weft_irc_formatted_text_get_spans (formatted, &n);
  g_autoptr (WeftIrcTextSpan) copy = NULL;

  g_assert_cmpuint (n, ==, 2);
  assert_span (&spans[0], 0, 1, WEFT_IRC_TEXT_STYLE_BOLD);
  assert_span (&spans[1], 2, 3, WEFT_IRC_TEXT_STYLE_ITALIC);
  copy = weft_irc_text_span_copy (&spans[1]);
  assert_span (copy, 2, 3, WEFT_IRC_TEXT_STYLE_ITALIC);
  g_assert_true (G_TYPE_IS_BOXED (WEFT_IRC_TYPE_FORMATTED_TEXT));
  g_assert_true (G_TYPE_IS_FLAGS (WEFT_IRC_TYPE_TEXT_STYLE));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/irc/format/plain", test_plain);
  g_test_add_func ("/irc/format/styles", test_styles);
  g_test_add_func ("/irc/format/merge", test_merge);
  g_test_add_func ("/irc/format/colours", test_colours);
  g_test_add_func ("/irc/format/hex-colours", test_hex_colours);
  g_test_add_func ("/irc/format/offsets-are-bytes", test_offsets_are_bytes);
  g_test_add_func ("/irc/format/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/irc/format/strip", test_strip);
  g_test_add_func ("/irc/format/spans-array", test_spans_array);
  return g_test_run ();
}
