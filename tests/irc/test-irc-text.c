/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <weft-irc/weft-irc.h>

static void
test_decode_utf8 (void)
{
  g_autofree char *text = weft_irc_decode_text ("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", -1);

  g_assert_cmpstr (text, ==, "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
  g_assert_false (weft_irc_text_needs_fallback ("h\xc3\xa9llo", -1));
}

static void
test_decode_fallback (void)
{
  /* Latin-1 é, CP1252 € and curly quotes, a CP1252 hole (0x81). */
  g_autofree char *latin1 = weft_irc_decode_text ("caf\xe9", -1);
  g_autofree char *cp1252 = weft_irc_decode_text ("\x80 \x93quoted\x94 \x81", -1);
  g_autofree char *mixed = weft_irc_decode_text ("\xc3\xa9t\xe9", -1);
  g_autofree char *truncated = weft_irc_decode_text ("ab\xe2\x82", -1);
  g_autofree char *with_nul = weft_irc_decode_text ("a\0b", 3);

  g_assert_true (weft_irc_text_needs_fallback ("caf\xe9", -1));
  g_assert_cmpstr (latin1, ==, "caf\xc3\xa9");
  g_assert_cmpstr (cp1252, ==, "\xe2\x82\xac \xe2\x80\x9cquoted\xe2\x80\x9d \xc2\x81");
  /* Valid UTF-8 stays UTF-8 beside fallback bytes. */
  g_assert_cmpstr (mixed, ==, "\xc3\xa9t\xc3\xa9");
  g_assert_cmpstr (truncated, ==, "ab\xc3\xa2\xe2\x80\x9a");
  g_assert_cmpstr (with_nul, ==,
                   "a\xef\xbf\xbd"
                   "b");
  g_assert_true (g_utf8_validate (cp1252, -1, NULL));
}

static void
test_decode_every_byte (void)
{
  char bytes[256];
  g_autofree char *text = NULL;

  for (int i = 0; i < 256; i++)
    bytes[i] = (char) i;
  text = weft_irc_decode_text (bytes, sizeof bytes);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  /* NUL becomes U+FFFD, every other byte one character. */
  g_assert_cmpint (g_utf8_strlen (text, -1), ==, 256);
}

static void
assert_pieces_fit (char **pieces, gsize max_bytes)
{
  for (guint i = 0; pieces[i] != NULL; i++)
    {
      g_assert_cmpuint (strlen (pieces[i]), <=, max_bytes);
      g_assert_cmpuint (strlen (pieces[i]), >, 0);
      g_assert_true (g_utf8_validate (pieces[i], -1, NULL));
    }
}

static void
test_max_bytes (void)
{
  /* ":nick!user@host PRIVMSG #weft :" + CRLF */
  g_assert_cmpuint (weft_irc_text_max_bytes ("PRIVMSG", "#weft", "nick!user@host"), ==,
                    512 - strlen (":nick!user@host PRIVMSG #weft :\r\n"));
  /* A nickname alone is padded with the worst-case user and host. */
  g_assert_cmpuint (weft_irc_text_max_bytes ("PRIVMSG", "#weft", "nick"), ==,
                    512 - strlen (":nick!user@host PRIVMSG #weft :\r\n") - (11 - 4) - (63 - 4));
  g_assert_cmpuint (weft_irc_text_max_bytes ("PRIVMSG", "#weft", NULL), <,
                    weft_irc_text_max_bytes ("PRIVMSG", "#weft", "nick"));
}

static void
test_split_spaces (void)
{
  g_auto (GStrv) pieces = weft_irc_split_text ("the quick brown fox jumps over the lazy dog", 20);

  assert_pieces_fit (pieces, 20);
  g_assert_cmpuint (g_strv_length (pieces), ==, 3);
  g_assert_cmpstr (pieces[0], ==, "the quick brown fox");
  g_assert_cmpstr (pieces[1], ==, "jumps over the lazy");
  g_assert_cmpstr (pieces[2], ==, "dog");
}

static void
test_split_utf8 (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) joined = g_string_new (NULL);
  g_auto (GStrv) pieces = NULL;

  /* No spaces: 3-byte and 4-byte characters must not be cut. */
  for (int i = 0; i < 300; i++)
    g_string_append (text, i % 2 ? "\xe2\x82\xac" : "\xf0\x9f\x98\x80");
  pieces = weft_irc_split_text (text->str, 100);
  assert_pieces_fit (pieces, 100);
  for (guint i = 0; pieces[i] != NULL; i++)
    g_string_append (joined, pieces[i]);
  g_assert_cmpstr (joined->str, ==, text->str);
}

static void
test_split_lines (void)
{
  g_auto (GStrv) pieces = weft_irc_split_text ("one\r\ntwo\n\n\nthree\n", 100);
  g_auto (GStrv) none = weft_irc_split_text ("\n\r\n", 100);

  g_assert_cmpuint (g_strv_length (pieces), ==, 3);
  g_assert_cmpstr (pieces[0], ==, "one");
  g_assert_cmpstr (pieces[1], ==, "two");
  g_assert_cmpstr (pieces[2], ==, "three");
  g_assert_cmpuint (g_strv_length (none), ==, 0);
}

static void
test_split_colour_codes (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_auto (GStrv) pieces = NULL;

  /* "\x0312,04x" repeated without spaces: a cut never splits a code. */
  for (int i = 0; i < 40; i++)
    g_string_append (text, "\x03"
                           "12,04x");
  pieces = weft_irc_split_text (text->str, 20);
  assert_pieces_fit (pieces, 20);
  for (guint i = 0; pieces[i] != NULL; i++)
    g_assert_true (g_str_has_prefix (pieces[i], "\x03"
                                                "12,04"));
}

/* Each piece sent as PRIVMSG, with the source the server adds, is a valid
 * line within 512 bytes. */
static void
test_split_message_fits (void)
{
  const char *source = "somebody!~someone@a-rather-long-host-name.example.org";
  g_autoptr (GString) text = g_string_new (NULL);
  g_auto (GStrv) pieces = NULL;
  guint total = 0;

  for (int i = 0; i < 500; i++)
    g_string_append_printf (text, "%sw\xc3\xb6rd%d", i > 0 ? " " : "", i);
  pieces = weft_irc_split_message_text ("PRIVMSG", "#weft", source, text->str);
  g_assert_nonnull (pieces);
  g_assert_cmpuint (g_strv_length (pieces), >, 1);
  for (guint i = 0; pieces[i] != NULL; i++)
    {
      g_autoptr (WeftIrcMessage) message = weft_irc_message_new_va ("PRIVMSG", "#weft", pieces[i], NULL);
      g_autoptr (GError) error = NULL;
      g_autofree char *line = NULL;

      weft_irc_message_set_source (message, source);
      line = weft_irc_message_to_string (message, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (strlen (line) + 2, <=, 512);
      total += strlen (pieces[i]) + 1;
    }
  /* Each cut dropped one space. */
  g_assert_cmpuint (total, ==, text->len + 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/irc/text/decode/utf8", test_decode_utf8);
  g_test_add_func ("/irc/text/decode/fallback", test_decode_fallback);
  g_test_add_func ("/irc/text/decode/every-byte", test_decode_every_byte);
  g_test_add_func ("/irc/text/split/max-bytes", test_max_bytes);
  g_test_add_func ("/irc/text/split/spaces", test_split_spaces);
  g_test_add_func ("/irc/text/split/utf8", test_split_utf8);
  g_test_add_func ("/irc/text/split/lines", test_split_lines);
  g_test_add_func ("/irc/text/split/colour-codes", test_split_colour_codes);
  g_test_add_func ("/irc/text/split/message-fits", test_split_message_fits);
  return g_test_run ();
}
