/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <weft-irc/weft-irc.h>

static void
parse_line (WeftIrcIsupport *isupport, const char *line)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftIrcMessage) message = weft_irc_message_parse (line, -1, &error);

  g_assert_no_error (error);
  g_assert_true (weft_irc_isupport_parse_message (isupport, message));
}

static void
test_defaults (void)
{
  g_autoptr (WeftIrcIsupport) isupport = weft_irc_isupport_new ();

  g_assert_cmpint (weft_irc_isupport_get_casemapping (isupport), ==, WEFT_IRC_CASEMAPPING_RFC1459);
  g_assert_cmpstr (weft_irc_isupport_get_prefix_modes (isupport), ==, "ov");
  g_assert_cmpstr (weft_irc_isupport_get_prefix_symbols (isupport), ==, "@+");
  g_assert_cmpstr (weft_irc_isupport_get_chantypes (isupport), ==, "#&");
  g_assert_cmpstr (weft_irc_isupport_get_chanmodes (isupport, WEFT_IRC_CHANMODE_LIST), ==, "b");
  g_assert_cmpstr (weft_irc_isupport_get_chanmodes (isupport, WEFT_IRC_CHANMODE_FLAG), ==, "imnpst");
  g_assert_cmpuint (weft_irc_isupport_get_nicklen (isupport), ==, 9);
  g_assert_cmpuint (weft_irc_isupport_get_channellen (isupport), ==, 200);
  g_assert_cmpuint (weft_irc_isupport_get_topiclen (isupport), ==, 0);
  g_assert_cmpuint (weft_irc_isupport_get_modes (isupport), ==, 3);
  g_assert_cmpint (weft_irc_isupport_get_targmax (isupport, "PRIVMSG"), ==, -1);
  g_assert_cmpint (weft_irc_isupport_get_chathistory (isupport), ==, -1);
  g_assert_null (weft_irc_isupport_get_network (isupport));
  g_assert_cmpstr (weft_irc_isupport_get_statusmsg (isupport), ==, "");
  g_assert_true (weft_irc_isupport_is_channel (isupport, "#weft"));
  g_assert_false (weft_irc_isupport_is_channel (isupport, "weft"));
}

static void
count_changes (WeftIrcIsupport *isupport, const char *key, gpointer user_data)
{
  GPtrArray *changes = user_data;

  g_ptr_array_add (changes, g_strdup (key));
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_parse (void)
{
  g_autoptr (WeftIrcIsupport) isupport = weft_irc_isupport_new ();
  g_autoptr (GPtrArray) changes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) prefix_changes = g_ptr_array_new_with_free_func (g_free);
  guint notified = 0;

  g_signal_connect (isupport, "changed", G_CALLBACK (count_changes), changes);
  g_signal_connect (isupport, "changed::PREFIX", G_CALLBACK (count_changes), prefix_changes);
  g_signal_connect (isupport, "notify::casemapping", G_CALLBACK (count_notify), &notified);
  g_signal_connect (isupport, "notify::network", G_CALLBACK (count_notify), &notified);

  parse_line (isupport, ":irc.example.org 005 me CASEMAPPING=ascii PREFIX=(qaohv)~&@%+ CHANTYPES=#& "
                        "CHANMODES=beI,k,l,imnpstr NICKLEN=30 CHANNELLEN=64 TOPICLEN=390 MODES=4 "
                        ":are supported by this server");
  parse_line (isupport, ":irc.example.org 005 me NETWORK=Weft\\x20Net STATUSMSG=@+ "
                        "TARGMAX=PRIVMSG:4,NOTICE:4,JOIN:,WHOIS:1 CHATHISTORY=100 EXCEPTS KICKLEN=255 "
                        ":are supported by this server");

  g_assert_cmpuint (changes->len, ==, 14);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpuint (prefix_changes->len, ==, 1);
  g_assert_cmpint (weft_irc_isupport_get_casemapping (isupport), ==, WEFT_IRC_CASEMAPPING_ASCII);
  g_assert_cmpstr (weft_irc_isupport_get_prefix_modes (isupport), ==, "qaohv");
  g_assert_cmpstr (weft_irc_isupport_get_prefix_symbols (isupport), ==, "~&@%+");
  g_assert_cmpint (weft_irc_isupport_mode_for_prefix (isupport, '%'), ==, 'h');
  g_assert_cmpint (weft_irc_isupport_prefix_for_mode (isupport, 'a'), ==, '&');
  g_assert_cmpint (weft_irc_isupport_prefix_for_mode (isupport, 'b'), ==, 0);
  g_assert_cmpint (weft_irc_isupport_compare_prefixes (isupport, '~', '+'), <, 0);
  g_assert_cmpint (weft_irc_isupport_compare_prefixes (isupport, 0, '+'), >, 0);
  g_assert_cmpint (weft_irc_isupport_compare_prefixes (isupport, '@', '@'), ==, 0);
  g_assert_cmpstr (weft_irc_isupport_get_chanmodes (isupport, WEFT_IRC_CHANMODE_LIST), ==, "beI");
  g_assert_cmpint (weft_irc_isupport_get_chanmode_type (isupport, 'I'), ==, WEFT_IRC_CHANMODE_LIST);
  g_assert_cmpint (weft_irc_isupport_get_chanmode_type (isupport, 'k'), ==, WEFT_IRC_CHANMODE_ALWAYS_PARAM);
  g_assert_cmpint (weft_irc_isupport_get_chanmode_type (isupport, 'l'), ==, WEFT_IRC_CHANMODE_SET_PARAM);
  g_assert_cmpint (weft_irc_isupport_get_chanmode_type (isupport, 'r'), ==, WEFT_IRC_CHANMODE_FLAG);
  g_assert_cmpint (weft_irc_isupport_get_chanmode_type (isupport, 'h'), ==, WEFT_IRC_CHANMODE_PREFIX);
  g_assert_cmpint (weft_irc_isupport_get_chanmode_type (isupport, 'z'), ==, WEFT_IRC_CHANMODE_UNKNOWN);
  g_assert_cmpuint (weft_irc_isupport_get_nicklen (isupport), ==, 30);
  g_assert_cmpuint (weft_irc_isupport_get_channellen (isupport), ==, 64);
  g_assert_cmpuint (weft_irc_isupport_get_topiclen (isupport), ==, 390);
  g_assert_cmpuint (weft_irc_isupport_get_modes (isupport), ==, 4);
  g_assert_cmpstr (weft_irc_isupport_get_network (isupport), ==, "Weft Net");
  g_assert_cmpstr (weft_irc_isupport_get_statusmsg (isupport), ==, "@+");
  g_assert_cmpint (weft_irc_isupport_get_targmax (isupport, "privmsg"), ==, 4);
  g_assert_cmpint (weft_irc_isupport_get_targmax (isupport, "JOIN"), ==, 0);
  g_assert_cmpint (weft_irc_isupport_get_targmax (isupport, "KICK"), ==, -1);
  g_assert_cmpint (weft_irc_isupport_get_chathistory (isupport), ==, 100);
  g_assert_true (weft_irc_isupport_has (isupport, "EXCEPTS"));
  g_assert_cmpstr (weft_irc_isupport_get (isupport, "EXCEPTS"), ==, "");
  g_assert_cmpint (weft_irc_isupport_get_int (isupport, "KICKLEN", 0), ==, 255);
  g_assert_cmpint (weft_irc_isupport_get_int (isupport, "NETWORK", -7), ==, -7);
  g_assert_null (weft_irc_isupport_get (isupport, "AWAYLEN"));

  {
    WeftIrcCasemapping mapping;
    g_autofree char *network = NULL;

    g_object_get (isupport, "casemapping", &mapping, "network", &network, NULL);
    g_assert_cmpint (mapping, ==, WEFT_IRC_CASEMAPPING_ASCII);
    g_assert_cmpstr (network, ==, "Weft Net");
  }
}

static void
test_remove (void)
{
  g_autoptr (WeftIrcIsupport) isupport = weft_irc_isupport_new ();

  parse_line (isupport, "005 me PREFIX=(ohv)@%+ CASEMAPPING=rfc1459-strict EXCEPTS MODES :are supported");
  g_assert_cmpstr (weft_irc_isupport_get_prefix_symbols (isupport), ==, "@%+");
  g_assert_cmpuint (weft_irc_isupport_get_modes (isupport), ==, 0);
  parse_line (isupport, "005 me -PREFIX -CASEMAPPING -EXCEPTS -NOTSET :are supported");
  g_assert_cmpstr (weft_irc_isupport_get_prefix_symbols (isupport), ==, "@+");
  g_assert_cmpint (weft_irc_isupport_get_casemapping (isupport), ==, WEFT_IRC_CASEMAPPING_RFC1459);
  g_assert_false (weft_irc_isupport_has (isupport, "EXCEPTS"));
  g_assert_true (weft_irc_isupport_has (isupport, "MODES"));

  weft_irc_isupport_reset (isupport);
  g_assert_false (weft_irc_isupport_has (isupport, "MODES"));
  g_assert_cmpuint (weft_irc_isupport_get_modes (isupport), ==, 3);
}

static void
test_malformed (void)
{
  g_autoptr (WeftIrcIsupport) isupport = weft_irc_isupport_new ();
  g_autoptr (WeftIrcMessage) other = weft_irc_message_new_va ("001", "me", "Welcome", NULL);

  g_assert_false (weft_irc_isupport_parse_message (isupport, other));
  /* A broken PREFIX keeps the default; an empty one means no prefixes. */
  parse_line (isupport, "005 me PREFIX=(ov)@ NICKLEN=abc =x - TARGMAX=:3,JOIN:x,PART: :are supported");
  g_assert_cmpstr (weft_irc_isupport_get_prefix_symbols (isupport), ==, "@+");
  g_assert_cmpuint (weft_irc_isupport_get_nicklen (isupport), ==, 9);
  g_assert_cmpint (weft_irc_isupport_get_targmax (isupport, "JOIN"), ==, -1);
  g_assert_cmpint (weft_irc_isupport_get_targmax (isupport, "PART"), ==, 0);
  parse_line (isupport, "005 me PREFIX= :are supported");
  g_assert_cmpstr (weft_irc_isupport_get_prefix_symbols (isupport), ==, "");
  g_assert_cmpint (weft_irc_isupport_get_chanmode_type (isupport, 'o'), ==, WEFT_IRC_CHANMODE_UNKNOWN);
  /* A last parameter without spaces is a token. */
  parse_line (isupport, "005 me SAFELIST");
  g_assert_true (weft_irc_isupport_has (isupport, "SAFELIST"));
}

static void
test_to_tokens (void)
{
  g_autoptr (WeftIrcIsupport) isupport = weft_irc_isupport_new ();
  g_autoptr (WeftIrcIsupport) reread = weft_irc_isupport_new ();
  g_auto (GStrv) tokens = NULL;

  weft_irc_isupport_set (isupport, "NETWORK", "Weft Net=1\\");
  weft_irc_isupport_set (isupport, "EXCEPTS", NULL);
  weft_irc_isupport_set (isupport, "CASEMAPPING", "ascii");
  tokens = weft_irc_isupport_to_tokens (isupport);
  g_assert_cmpuint (g_strv_length (tokens), ==, 3);
  g_assert_cmpstr (tokens[0], ==, "NETWORK=Weft\\x20Net\\x3D1\\x5C");
  g_assert_cmpstr (tokens[1], ==, "EXCEPTS");
  g_assert_cmpstr (tokens[2], ==, "CASEMAPPING=ascii");
  for (guint i = 0; tokens[i] != NULL; i++)
    weft_irc_isupport_parse_token (reread, tokens[i]);
  g_assert_cmpstr (weft_irc_isupport_get_network (reread), ==, "Weft Net=1\\");
  g_assert_cmpint (weft_irc_isupport_get_casemapping (reread), ==, WEFT_IRC_CASEMAPPING_ASCII);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/irc/isupport/defaults", test_defaults);
  g_test_add_func ("/irc/isupport/parse", test_parse);
  g_test_add_func ("/irc/isupport/remove", test_remove);
  g_test_add_func ("/irc/isupport/malformed", test_malformed);
  g_test_add_func ("/irc/isupport/to-tokens", test_to_tokens);
  return g_test_run ();
}
