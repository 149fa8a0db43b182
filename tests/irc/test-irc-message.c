/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include <weft-irc/weft-irc.h>

static void
test_parse_full (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftIrcMessage) message = NULL;

  message = weft_irc_message_parse ("@time=2026-12-05T02:10:00.500Z;msgid=abc;+draft/reply=a\\sb\\:c\\\\d;flag "
                                    ":nick!user@host privmsg #weft :hello there\r\n",
                                    -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_cmpstr (weft_irc_message_get_verb (message), ==, "PRIVMSG");
  g_assert_cmpuint (weft_irc_message_get_numeric (message), ==, 0);
  g_assert_cmpstr (weft_irc_message_get_source (message), ==, "nick!user@host");
  g_assert_cmpuint (weft_irc_message_get_n_params (message), ==, 2);
  g_assert_cmpstr (weft_irc_message_get_param (message, 0), ==, "#weft");
  g_assert_cmpstr (weft_irc_message_get_param (message, 1), ==, "hello there");
  g_assert_null (weft_irc_message_get_param (message, 2));
  g_assert_cmpstr (weft_irc_message_get_params (message)[1], ==, "hello there");
  g_assert_null (weft_irc_message_get_params (message)[2]);
  g_assert_cmpstr (weft_irc_message_get_tag (message, "+draft/reply"), ==, "a b;c\\d");
  g_assert_cmpstr (weft_irc_message_get_tag (message, "flag"), ==, "");
  g_assert_true (weft_irc_message_has_tag (message, "msgid"));
  g_assert_false (weft_irc_message_has_tag (message, "account"));
  g_assert_cmpuint (g_hash_table_size (weft_irc_message_get_tags (message)), ==, 4);

  g_autoptr (GDateTime) time = weft_irc_message_get_time (message);
  g_assert_nonnull (time);
  g_assert_cmpint (g_date_time_get_year (time), ==, 2026);
  g_assert_cmpint (g_date_time_get_hour (time), ==, 2);
  g_assert_cmpint (g_date_time_get_microsecond (time), ==, 500000);
  g_assert_cmpint (g_date_time_get_utc_offset (time), ==, 0);

  g_autofree char *line = weft_irc_message_to_string (message, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==,
                   "@time=2026-12-05T02:10:00.500Z;msgid=abc;+draft/reply=a\\sb\\:c\\\\d;flag "
                   ":nick!user@host PRIVMSG #weft :hello there");
}

static void
test_numeric (void)
{
  g_autoptr (WeftIrcMessage) message = weft_irc_message_parse (":irc.example.org 001 me :Welcome", -1, NULL);

  g_assert_nonnull (message);
  g_assert_cmpuint (weft_irc_message_get_numeric (message), ==, 1);
  g_assert_cmpstr (weft_irc_message_get_verb (message), ==, "001");
  g_assert_null (weft_irc_message_get_tags (message));
  g_assert_null (weft_irc_message_get_time (message));
}

static void
test_build (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftIrcMessage) message = weft_irc_message_new_va ("privmsg", "#weft", "", NULL);
  g_autofree char *line = NULL;
  g_autofree char *line2 = NULL;
  g_autoptr (WeftIrcMessage) copy = NULL;

  weft_irc_message_set_tag (message, "label", "x;y z");
  weft_irc_message_set_tag (message, "+typing", NULL);
  weft_irc_message_set_source (message, "srv.example.org");
  line = weft_irc_message_to_string (message, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "@label=x\\:y\\sz;+typing :srv.example.org PRIVMSG #weft :");

  copy = weft_irc_message_copy (message);
  weft_irc_message_remove_tag (copy, "label");
  weft_irc_message_set_tag (copy, "+typing", "active");
  weft_irc_message_add_param (copy, "x");
  line2 = weft_irc_message_to_string (copy, &error);
  g_assert_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED);
  g_assert_null (line2);
}

static void
test_errors (void)
{
  static const struct {
    const char *line;
    int code;
  } cases[] = {
    { "", WEFT_IRC_ERROR_MALFORMED },
    { "   ", WEFT_IRC_ERROR_MALFORMED },
    { ":source", WEFT_IRC_ERROR_MALFORMED },
    { ": PING", WEFT_IRC_ERROR_MALFORMED },
    { "@a=b", WEFT_IRC_ERROR_MALFORMED },
    { "@a=b :src", WEFT_IRC_ERROR_MALFORMED },
    { "@a b=c PING", WEFT_IRC_ERROR_MALFORMED },
    { "@a$=b PING", WEFT_IRC_ERROR_MALFORMED },
    { "PI-NG x", WEFT_IRC_ERROR_MALFORMED },
    { "PRIVMSG #a :b\rc", WEFT_IRC_ERROR_MALFORMED },
    { "PRIVMSG #a :b\nc", WEFT_IRC_ERROR_MALFORMED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (WeftIrcMessage) message = weft_irc_message_parse (cases[i].line, -1, &error);

      g_test_message ("%s", cases[i].line);
      g_assert_null (message);
      g_assert_error (error, WEFT_IRC_ERROR, cases[i].code);
    }

  {
    const char nul_line[] = "PING a\0b";
    g_autoptr (GError) error = NULL;
    g_autoptr (WeftIrcMessage) message = weft_irc_message_parse (nul_line, sizeof nul_line - 1, &error);

    g_assert_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED);
  }
}

static void
test_limits (void)
{
  g_autoptr (GString) line = g_string_new ("PRIVMSG #a :a ");
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftIrcMessage) message = NULL;
  g_autofree char *out = NULL;

  /* Exactly 510 bytes of body: accepted, and a CRLF may follow. */
  while (line->len < 510)
    g_string_append_c (line, 'x');
  g_string_append (line, "\r\n");
  message = weft_irc_message_parse (line->str, line->len, &error);
  g_assert_no_error (error);
  out = weft_irc_message_to_string (message, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (out), ==, 510);
  g_clear_pointer (&message, weft_irc_message_unref);

  /* 511: too long, both ways. */
  g_string_truncate (line, 510);
  g_string_append_c (line, 'x');
  message = weft_irc_message_parse (line->str, line->len, &error);
  g_assert_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG);
  g_assert_null (message);
  g_clear_error (&error);

  message = weft_irc_message_new_va ("PRIVMSG", "#a", line->str + strlen ("PRIVMSG #a :"), NULL);
  g_assert_null (weft_irc_message_to_string (message, &error));
  g_assert_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG);
  g_clear_error (&error);
  g_clear_pointer (&message, weft_irc_message_unref);

  /* Tags: 8191 bytes with '@' and the space are accepted, 8192 are not. */
  g_string_assign (line, "@a=");
  while (line->len < 8190)
    g_string_append_c (line, 'v');
  g_string_append (line, " PING");
  message = weft_irc_message_parse (line->str, line->len, &error);
  g_assert_no_error (error);
  g_clear_pointer (&message, weft_irc_message_unref);
  g_string_insert_c (line, 3, 'v');
  message = weft_irc_message_parse (line->str, line->len, &error);
  g_assert_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG);
  g_clear_error (&error);

  /* A huge line fails at once, also as a nul-terminated string. */
  {
    gsize huge_len = 1024 * 1024;
    g_autofree char *huge = g_malloc (huge_len + 1);

    memset (huge, 'a', huge_len);
    huge[huge_len] = '\0';
    g_assert_null (weft_irc_message_parse (huge, huge_len, &error));
    g_assert_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG);
    g_clear_error (&error);
    g_assert_null (weft_irc_message_parse (huge, -1, &error));
    g_assert_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG);
    g_clear_error (&error);
    huge[0] = '@';
    g_assert_null (weft_irc_message_parse (huge, -1, &error));
    g_assert_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG);
  }
}

static void
test_split_source (void)
{
  g_autofree char *nick = NULL;
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;

  weft_irc_split_source ("nick!~user@host.example", &nick, &user, &host);
  g_assert_cmpstr (nick, ==, "nick");
  g_assert_cmpstr (user, ==, "~user");
  g_assert_cmpstr (host, ==, "host.example");
  g_clear_pointer (&nick, g_free);
  g_clear_pointer (&user, g_free);
  g_clear_pointer (&host, g_free);

  weft_irc_split_source ("irc.example.org", &nick, &user, &host);
  g_assert_cmpstr (nick, ==, "irc.example.org");
  g_assert_null (user);
  g_assert_null (host);
  g_clear_pointer (&nick, g_free);

  weft_irc_split_source ("nick@host", NULL, &user, &host);
  g_assert_null (user);
  g_assert_cmpstr (host, ==, "host");
}

static void
test_boxed (void)
{
  g_autoptr (WeftIrcMessage) message = weft_irc_message_new ("PING");
  GValue value = G_VALUE_INIT;

  g_value_init (&value, WEFT_IRC_TYPE_MESSAGE);
  g_value_set_boxed (&value, message);
  g_assert_true (g_value_get_boxed (&value) == message);
  g_value_unset (&value);
  g_assert_cmpstr (weft_irc_message_get_verb (message), ==, "PING");
  g_assert_cmpstr (weft_irc_message_get_params (message)[0], ==, NULL);
}

/* A server routes a parsed message: it replaces the source, adds and drops
 * tags and appends parameters on the message it received. */
static void
test_edit_parsed (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftIrcMessage) message =
      weft_irc_message_parse ("@+typing=active;label=x PRIVMSG #weft :hi there", -1, &error);
  g_autofree char *line = NULL;
  GHashTable *tags;

  g_assert_no_error (error);
  tags = weft_irc_message_get_tags (message);
  g_assert_cmpuint (g_hash_table_size (tags), ==, 2);

  weft_irc_message_set_source (message, "alice!a@host");
  weft_irc_message_remove_tag (message, "label");
  weft_irc_message_set_tag (message, "msgid", "abc");
  weft_irc_message_set_tag (message, "+typing", "done");
  weft_irc_message_set_tag (message, "time", "2026-12-05T02:10:00Z");
  weft_irc_message_set_tag (message, "account", "alice");
  weft_irc_message_set_tag (message, "batch", NULL);
  for (int i = 0; i < 6; i++)
    weft_irc_message_add_param (message, i < 5 ? "x" : "last one");
  g_assert_cmpuint (weft_irc_message_get_n_params (message), ==, 8);
  g_assert_null (weft_irc_message_get_params (message)[8]);

  /* The table handed out earlier follows the changes. */
  g_assert_true (weft_irc_message_get_tags (message) == tags);
  g_assert_cmpuint (g_hash_table_size (tags), ==, 5);
  g_assert_cmpstr (g_hash_table_lookup (tags, "+typing"), ==, "done");
  g_assert_null (g_hash_table_lookup (tags, "label"));

  line = weft_irc_message_to_string (message, &error);
  g_assert_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED); /* "hi there" is now a middle parameter */
  g_clear_error (&error);
  g_assert_null (line);
}

static void
test_edit_serialize (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftIrcMessage) message = weft_irc_message_parse ("@a=1;b=2 :old PRIVMSG #weft", -1, &error);
  g_autofree char *line = NULL;

  g_assert_no_error (error);
  weft_irc_message_set_source (message, "new!u@h");
  weft_irc_message_remove_tag (message, "a");
  weft_irc_message_set_tag (message, "c", "x y");
  weft_irc_message_add_param (message, "hello world");
  line = weft_irc_message_to_string (message, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "@b=2;c=x\\sy :new!u@h PRIVMSG #weft :hello world");
}

/* Many tags go through a hash table: duplicates keep their first place and
 * take the last value; lookups and serialization stay right. */
static void
test_many_tags (void)
{
  g_autoptr (GString) line = g_string_new ("@");
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftIrcMessage) message = NULL;
  g_autofree char *out = NULL;

  for (int i = 0; i < 200; i++)
    g_string_append_printf (line, "k%d=v%d;", i % 100, i);
  g_string_append (line, " PING");
  message = weft_irc_message_parse (line->str, line->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (weft_irc_message_get_tags (message)), ==, 100);
  g_assert_cmpstr (weft_irc_message_get_tag (message, "k7"), ==, "v107");
  g_assert_null (weft_irc_message_get_tag (message, "k100"));
  out = weft_irc_message_to_string (message, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (out, "@k0=v100;k1=v101;"));
  g_assert_true (g_str_has_suffix (out, ";k99=v199 PING"));

  weft_irc_message_remove_tag (message, "k50");
  weft_irc_message_set_tag (message, "k51", "new");
  g_assert_null (weft_irc_message_get_tag (message, "k50"));
  g_assert_cmpstr (weft_irc_message_get_tag (message, "k51"), ==, "new");
  g_assert_cmpuint (g_hash_table_size (weft_irc_message_get_tags (message)), ==, 99);
}

/* Each space of a line may start a parameter: the most there can be. */
static void
test_many_params (void)
{
  g_autoptr (GString) line = g_string_new ("CMD");
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftIrcMessage) message = NULL;

  while (line->len < 508)
    g_string_append (line, " a");
  message = weft_irc_message_parse (line->str, line->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (weft_irc_message_get_n_params (message), ==, (line->len - 3) / 2);
  weft_irc_message_add_param (message, "b");
  g_assert_cmpstr (weft_irc_message_get_param (message, weft_irc_message_get_n_params (message) - 1), ==, "b");
}

/* Lines made of separators: the message stays small and right. */
static void
test_separators (void)
{
  g_autoptr (GString) line = g_string_new ("@");
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftIrcMessage) message = NULL;

  while (line->len < 8188)
    g_string_append (line, "k;");
  g_string_append (line, "; :s P :");
  message = weft_irc_message_parse (line->str, line->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (weft_irc_message_get_tags (message)), ==, 1);
  g_assert_cmpstr (weft_irc_message_get_tag (message, "k"), ==, "");
  g_assert_cmpuint (weft_irc_message_get_n_params (message), ==, 1);
  g_assert_cmpstr (weft_irc_message_get_param (message, 0), ==, "");
  g_clear_pointer (&message, weft_irc_message_unref);

  g_string_assign (line, "@");
  for (int i = 0; line->len < 8100; i++)
    g_string_append_printf (line, "%c%c;", 'a' + i % 26, 'a' + (i / 26) % 26);
  g_string_append (line, " P");
  message = weft_irc_message_parse (line->str, line->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (weft_irc_message_get_tags (message)), ==, 26 * 26);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/irc/message/parse", test_parse_full);
  g_test_add_func ("/irc/message/numeric", test_numeric);
  g_test_add_func ("/irc/message/build", test_build);
  g_test_add_func ("/irc/message/errors", test_errors);
  g_test_add_func ("/irc/message/limits", test_limits);
  g_test_add_func ("/irc/message/split-source", test_split_source);
  g_test_add_func ("/irc/message/boxed", test_boxed);
  g_test_add_func ("/irc/message/edit-parsed", test_edit_parsed);
  g_test_add_func ("/irc/message/edit-serialize", test_edit_serialize);
  g_test_add_func ("/irc/message/many-tags", test_many_tags);
  g_test_add_func ("/irc/message/many-params", test_many_params);
  g_test_add_func ("/irc/message/separators", test_separators);
  return g_test_run ();
}
