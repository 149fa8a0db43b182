/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeftIrcClient against a simulated server: a string transport and a test
 * clock. */
#include <string.h>

#include "irc-client-test-util.h"

#define ALL_CAPS                                                                                           \
  "message-tags server-time echo-message labeled-response batch away-notify account-notify extended-join " \
  "multi-prefix chghost invite-notify setname draft/chathistory cap-notify"

static WeftIrcChannel *
join_channel (IrcFixture *f, const char *name)
{
  g_autofree char *join = g_strdup_printf (":alice!al@host JOIN %s", name);
  g_autofree char *names = g_strdup_printf (":irc.test 353 alice = %s :@alice", name);
  g_autofree char *end = g_strdup_printf (":irc.test 366 alice %s :End", name);

  weft_irc_client_join (f->client, name, NULL);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, join);
  irc_fixture_server (f, names);
  irc_fixture_server (f, end);
  g_ptr_array_unref (irc_fixture_take (f));
  return weft_irc_client_lookup_channel (f->client, name);
}

/* ---- Registration ------------------------------------------------------ */

static void
test_register_plain (IrcFixture *f, gconstpointer data)
{
  weft_irc_client_set_password (f->client, "hunter2");
  weft_irc_client_set_username (f->client, "al");
  weft_irc_client_set_realname (f->client, "Alice Liddell");
  irc_fixture_connect (f);
  g_assert_cmpint (weft_irc_client_get_state (f->client), ==, WEFT_IRC_CLIENT_STATE_REGISTERING);
  irc_fixture_expect (f, "CAP LS 302", "PASS hunter2", "NICK alice", "USER al 0 * :Alice Liddell", NULL);
  /* A server without CAP answers 421 and registers anyway. */
  irc_fixture_server (f, ":irc.test 421 alice CAP :Unknown command");
  irc_fixture_expect (f, NULL);
  irc_fixture_server (f, ":irc.test 001 alice :Welcome to the network");
  g_assert_cmpint (weft_irc_client_get_state (f->client), ==, WEFT_IRC_CLIENT_STATE_REGISTERED);
  g_assert_true (irc_fixture_has_event (f, "registered alice"));
  g_assert_cmpstr (weft_irc_client_get_server_name (f->client), ==, "irc.test");
  irc_fixture_expect (f, "PING weft-1", NULL); /* measures lag at once */
  irc_fixture_server (f, ":irc.test 005 alice NETWORK=Wonderland CHANTYPES=#& :are supported");
  g_assert_cmpstr (weft_irc_client_get_network (f->client), ==, "Wonderland");
  g_assert_cmpstr (weft_irc_client_get_isupport (f->client, "CHANTYPES"), ==, "#&");
  g_assert_true (weft_irc_client_is_channel_name (f->client, "&local"));
  g_assert_false (weft_irc_client_is_channel_name (f->client, "bob"));
  /* The server's PING is answered at once, whatever flood control says. */
  irc_fixture_server (f, "PING :irc.test");
  irc_fixture_expect (f, "PONG irc.test", NULL);
}

static void
test_register_nick_in_use (IrcFixture *f, gconstpointer data)
{
  irc_fixture_connect (f);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test 433 * alice :Nickname is already in use");
  irc_fixture_expect (f, "NICK alice_", NULL);
  irc_fixture_server (f, ":irc.test 433 * alice_ :Nickname is already in use");
  irc_fixture_expect (f, "NICK alice__", NULL);
  irc_fixture_server (f, ":irc.test 432 * alice__ :Erroneous nickname");
  irc_fixture_expect (f, "NICK alice3", NULL);
  irc_fixture_server (f, ":irc.test 001 alice3 :Welcome");
  g_assert_cmpstr (weft_irc_client_get_current_nick (f->client), ==, "alice3");
  g_assert_cmpstr (weft_irc_client_get_nick (f->client), ==, "alice");
  /* After registration, 433 is only an error. */
  g_ptr_array_unref (irc_fixture_take (f));
  weft_irc_client_set_nick (f->client, "bob");
  irc_fixture_expect (f, "NICK bob", NULL);
  irc_fixture_server (f, ":irc.test 433 alice3 bob :Nickname is already in use");
  irc_fixture_expect (f, NULL);
  g_assert_true (irc_fixture_has_event (f, "error 433 Nickname is already in use"));
  irc_fixture_server (f, ":alice3!al@host NICK alice");
  g_assert_cmpstr (weft_irc_client_get_current_nick (f->client), ==, "alice");
}

static void
test_register_gives_up (IrcFixture *f, gconstpointer data)
{
  irc_fixture_connect (f);
  for (guint i = 0; i < 9; i++)
    irc_fixture_server (f, ":irc.test 433 * x :Nickname is already in use");
  g_assert_true (weft_string_transport_is_aborted (f->transport));
  g_assert_error (weft_string_transport_get_close_reason (f->transport), WEFT_IRC_ERROR, WEFT_IRC_ERROR_REGISTRATION);
}

static void
test_register_timeout (IrcFixture *f, gconstpointer data)
{
  weft_irc_client_set_ping_timing (f->client, 30 * G_USEC_PER_SEC, 20 * G_USEC_PER_SEC);
  irc_fixture_connect (f);
  weft_test_clock_advance (f->clock, 19 * G_USEC_PER_SEC);
  g_assert_false (weft_string_transport_is_aborted (f->transport));
  weft_test_clock_advance (f->clock, 1 * G_USEC_PER_SEC);
  g_assert_true (weft_string_transport_is_aborted (f->transport));
  g_assert_error (weft_string_transport_get_close_reason (f->transport), WEFT_IRC_ERROR, WEFT_IRC_ERROR_PING_TIMEOUT);
  irc_fixture_drop (f);
  g_assert_cmpint (weft_irc_client_get_state (f->client), ==, WEFT_IRC_CLIENT_STATE_DISCONNECTED);
}

/* ---- Capabilities and SASL --------------------------------------------- */

static void
test_caps_multiline (IrcFixture *f, gconstpointer data)
{
  g_auto (GStrv) caps = NULL;

  irc_fixture_connect (f);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test CAP * LS * :multi-prefix sasl=PLAIN,EXTERNAL server-time foo");
  irc_fixture_expect (f, NULL); /* more to come */
  irc_fixture_server (f, ":irc.test CAP * LS :echo-message batch labeled-response bar=baz");
  irc_fixture_expect (f, "CAP REQ :server-time echo-message labeled-response batch multi-prefix", NULL);
  irc_fixture_server (f, ":irc.test CAP alice ACK * :server-time echo-message");
  irc_fixture_expect (f, NULL); /* ACK continues */
  irc_fixture_server (f, ":irc.test CAP alice ACK :labeled-response batch multi-prefix");
  irc_fixture_expect (f, "CAP END", NULL);
  g_object_get (f->client, "capabilities", &caps, NULL);
  g_assert_cmpuint (g_strv_length (caps), ==, 5);
  g_assert_cmpstr (caps[0], ==, "batch");
  g_assert_true (weft_irc_client_has_capability (f->client, "echo-message"));
  g_assert_false (weft_irc_client_has_capability (f->client, "foo"));
}

static void
test_caps_nak_and_notify (IrcFixture *f, gconstpointer data)
{
  irc_fixture_connect (f);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test CAP * LS :away-notify cap-notify chghost");
  irc_fixture_expect (f, "CAP REQ :away-notify chghost cap-notify", NULL);
  /* A request is all or nothing: the client asks again one by one. */
  irc_fixture_server (f, ":irc.test CAP * NAK :away-notify chghost cap-notify");
  irc_fixture_expect (f, "CAP REQ away-notify", "CAP REQ chghost", "CAP REQ cap-notify", NULL);
  irc_fixture_server (f, ":irc.test CAP * ACK away-notify");
  irc_fixture_server (f, ":irc.test CAP * NAK chghost");
  irc_fixture_expect (f, NULL);
  irc_fixture_server (f, ":irc.test CAP * ACK cap-notify");
  irc_fixture_expect (f, "CAP END", NULL);
  irc_fixture_server (f, ":irc.test 001 alice :Welcome");
  g_ptr_array_unref (irc_fixture_take (f));
  /* cap-notify */
  irc_fixture_server (f, ":irc.test CAP alice NEW :setname unknown-cap");
  irc_fixture_expect (f, "CAP REQ setname", NULL);
  irc_fixture_server (f, ":irc.test CAP alice ACK :setname");
  g_assert_true (weft_irc_client_has_capability (f->client, "setname"));
  irc_fixture_server (f, ":irc.test CAP alice DEL :setname away-notify");
  g_assert_false (weft_irc_client_has_capability (f->client, "setname"));
  g_assert_false (weft_irc_client_has_capability (f->client, "away-notify"));
  g_assert_true (weft_irc_client_has_capability (f->client, "cap-notify"));
}

static void
test_sasl_plain (IrcFixture *f, gconstpointer data)
{
  g_autofree char *payload = g_base64_encode ((const guchar *) "alice\0alice\0sesame", 18);
  g_autofree char *expected = g_strdup_printf ("AUTHENTICATE %s", payload);

  weft_irc_client_set_sasl (f->client, WEFT_IRC_SASL_PLAIN, "alice", "sesame");
  irc_fixture_connect (f);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test CAP * LS :sasl=PLAIN,EXTERNAL");
  irc_fixture_expect (f, "CAP REQ sasl", NULL);
  irc_fixture_server (f, ":irc.test CAP * ACK sasl");
  irc_fixture_expect (f, "AUTHENTICATE PLAIN", NULL);
  irc_fixture_server (f, "AUTHENTICATE +");
  irc_fixture_expect (f, expected, NULL);
  irc_fixture_server (f, ":irc.test 900 alice alice!al@host alice :You are now logged in as alice");
  g_assert_cmpstr (weft_irc_client_get_account (f->client), ==, "alice");
  irc_fixture_expect (f, NULL);
  irc_fixture_server (f, ":irc.test 903 alice :SASL authentication successful");
  irc_fixture_expect (f, "CAP END", NULL);
}

static void
test_sasl_external (IrcFixture *f, gconstpointer data)
{
  weft_irc_client_set_sasl (f->client, WEFT_IRC_SASL_EXTERNAL, NULL, NULL);
  irc_fixture_connect (f);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test CAP * LS :sasl");
  irc_fixture_expect (f, "CAP REQ sasl", NULL);
  irc_fixture_server (f, ":irc.test CAP * ACK sasl");
  irc_fixture_expect (f, "AUTHENTICATE EXTERNAL", NULL);
  irc_fixture_server (f, "AUTHENTICATE +");
  irc_fixture_expect (f, "AUTHENTICATE +", NULL);
  irc_fixture_server (f, ":irc.test 903 alice :SASL authentication successful");
  irc_fixture_expect (f, "CAP END", NULL);
}

static void
test_sasl_failure (IrcFixture *f, gconstpointer data)
{
  weft_irc_client_set_sasl (f->client, WEFT_IRC_SASL_PLAIN, "alice", "wrong");
  irc_fixture_connect (f);
  g_ptr_array_unref (irc_fixture_take (f));
  /* Not offered: no SASL at all. */
  irc_fixture_server (f, ":irc.test CAP * LS :sasl=EXTERNAL");
  irc_fixture_expect (f, "CAP END", NULL);
  irc_fixture_drop (f);

  irc_fixture_connect (f);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test CAP * LS :sasl");
  irc_fixture_server (f, ":irc.test CAP * ACK sasl");
  irc_fixture_server (f, "AUTHENTICATE +");
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test 904 alice :SASL authentication failed");
  irc_fixture_expect (f, "CAP END", NULL);
  g_assert_true (irc_fixture_has_event (f, "error 904 SASL authentication failed"));
  g_assert_null (weft_irc_client_get_account (f->client));
}

/* ---- State ------------------------------------------------------------- */

static void
test_channel_state (IrcFixture *f, gconstpointer data)
{
  WeftIrcChannel *channel;
  GListModel *members;
  WeftIrcMember *bob;
  g_autoptr (WeftIrcMember) first = NULL;

  irc_fixture_register (f, "multi-prefix extended-join away-notify account-notify chghost setname invite-notify");
  weft_irc_client_join (f->client, "#Wonder", "k3y");
  irc_fixture_expect (f, "JOIN #Wonder k3y", NULL);
  channel = weft_irc_client_lookup_channel (f->client, "#wonder");
  g_assert_nonnull (channel);
  g_assert_false (weft_irc_channel_get_joined (channel));
  irc_fixture_server (f, ":alice!al@host JOIN #Wonder * :Alice");
  g_assert_true (weft_irc_channel_get_joined (channel));
  irc_fixture_expect (f, "MODE #Wonder", "WHO #Wonder", NULL);
  irc_fixture_server (f, ":irc.test 332 alice #Wonder :Tea party");
  irc_fixture_server (f, ":irc.test 333 alice #Wonder hatter!h@x 1700000000");
  irc_fixture_server (f, ":irc.test 353 alice = #Wonder :@+hatter +bob ~queen alice zed");
  irc_fixture_server (f, ":irc.test 366 alice #Wonder :End of /NAMES list.");
  irc_fixture_server (f, ":irc.test 324 alice #Wonder +ntkl k3y 10");
  irc_fixture_server (f, ":irc.test 352 alice #Wonder b bobhost irc.test bob G :0 Bob B");

  g_assert_cmpstr (weft_irc_channel_get_topic (channel), ==, "Tea party");
  g_assert_cmpstr (weft_irc_channel_get_topic_setter (channel), ==, "hatter");
  g_assert_cmpint (weft_irc_channel_get_topic_time (channel), ==, G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC);
  g_assert_cmpstr (weft_irc_channel_get_modes (channel), ==, "+klnt");
  g_assert_cmpstr (weft_irc_channel_get_mode_argument (channel, 'l'), ==, "10");
  g_assert_cmpstr (weft_irc_channel_get_key (channel), ==, "k3y");
  members = weft_irc_channel_get_members (channel);
  g_assert_cmpuint (g_list_model_get_n_items (members), ==, 5);
  first = g_list_model_get_item (members, 0);
  g_assert_cmpstr (weft_irc_member_get_nick (first), ==, "queen");
  bob = weft_irc_channel_lookup_member (channel, "BOB");
  g_assert_nonnull (bob);
  g_assert_cmpstr (weft_irc_member_get_prefix (bob), ==, "+");
  g_assert_true (weft_irc_member_get_away (bob));
  g_assert_cmpstr (weft_irc_member_get_realname (bob), ==, "Bob B");
  g_assert_cmpstr (weft_irc_member_get_host (bob), ==, "bobhost");
  g_assert_cmpstr (weft_irc_member_get_prefixes (weft_irc_channel_lookup_member (channel, "hatter")), ==, "@+");
  g_assert_true (weft_irc_member_is_self (weft_irc_channel_lookup_member (channel, "alice")));

  /* Modes: prefixes move members in the sorted list. */
  irc_fixture_server (f, ":hatter!h@x MODE #Wonder +o-v+b bob bob *!*@evil");
  g_assert_cmpstr (weft_irc_member_get_prefixes (bob), ==, "@");
  g_assert_cmpuint (weft_irc_member_get_rank (bob), ==, 2);
  g_assert_true (irc_fixture_has_event (f, "mode #Wonder hatter +o-v+b bob bob *!*@evil"));
  {
    g_autoptr (WeftIrcMember) second = g_list_model_get_item (members, 1);
    g_assert_cmpstr (weft_irc_member_get_nick (second), ==, "bob"); /* before hatter: same rank, b < h */
  }
  irc_fixture_server (f, ":hatter!h@x MODE #Wonder -k+m k3y");
  g_assert_null (weft_irc_channel_get_key (channel));
  g_assert_cmpstr (weft_irc_channel_get_modes (channel), ==, "+lmnt");

  /* Users come and go. */
  irc_fixture_server (f, ":dodo!d@bird JOIN #Wonder dodoacct :The Dodo");
  g_assert_cmpstr (weft_irc_member_get_account (weft_irc_channel_lookup_member (channel, "dodo")), ==, "dodoacct");
  g_assert_true (irc_fixture_has_event (f, "joined #Wonder dodo"));
  irc_fixture_server (f, ":dodo!d@bird AWAY :gone racing");
  g_assert_true (weft_irc_member_get_away (weft_irc_channel_lookup_member (channel, "dodo")));
  g_assert_true (irc_fixture_has_event (f, "away dodo gone racing"));
  irc_fixture_server (f, ":dodo!d@bird AWAY");
  g_assert_false (weft_irc_member_get_away (weft_irc_channel_lookup_member (channel, "dodo")));
  irc_fixture_server (f, ":dodo!d@bird ACCOUNT *");
  g_assert_null (weft_irc_member_get_account (weft_irc_channel_lookup_member (channel, "dodo")));
  irc_fixture_server (f, ":dodo!d@bird CHGHOST dd newbird");
  g_assert_cmpstr (weft_irc_member_get_host (weft_irc_channel_lookup_member (channel, "dodo")), ==, "newbird");
  g_assert_true (irc_fixture_has_event (f, "host dodo dd newbird"));
  irc_fixture_server (f, ":dodo!dd@newbird SETNAME :Dodo Bird");
  g_assert_cmpstr (weft_irc_member_get_realname (weft_irc_channel_lookup_member (channel, "dodo")), ==, "Dodo Bird");
  irc_fixture_server (f, ":dodo!dd@newbird NICK Dodo2");
  g_assert_true (irc_fixture_has_event (f, "nick dodo Dodo2 #Wonder"));
  g_assert_null (weft_irc_channel_lookup_member (channel, "dodo"));
  g_assert_nonnull (weft_irc_channel_lookup_member (channel, "dodo2"));
  irc_fixture_server (f, ":Dodo2!dd@newbird PART #Wonder :bye");
  g_assert_true (irc_fixture_has_event (f, "parted #Wonder Dodo2 bye"));
  irc_fixture_server (f, ":hatter!h@x KICK #Wonder zed :rude");
  g_assert_true (irc_fixture_has_event (f, "kicked #Wonder zed hatter rude"));
  irc_fixture_server (f, ":queen!q@castle QUIT :Off with their heads");
  g_assert_true (irc_fixture_has_event (f, "quit queen Off with their heads #Wonder"));
  g_assert_cmpuint (weft_irc_channel_get_n_members (channel), ==, 3);
  irc_fixture_server (f, ":hatter!h@x TOPIC #Wonder :Unbirthday");
  g_assert_cmpstr (weft_irc_channel_get_topic (channel), ==, "Unbirthday");
  g_assert_true (irc_fixture_has_event (f, "topic #Wonder hatter Unbirthday"));
  irc_fixture_server (f, ":hatter!h@x INVITE bob #Garden");
  g_assert_true (irc_fixture_has_event (f, "invited hatter bob #Garden"));

  /* Our own user modes. */
  irc_fixture_server (f, ":alice MODE alice :+iw");
  g_assert_cmpstr (weft_irc_client_get_user_modes (f->client), ==, "+iw");
  irc_fixture_server (f, ":irc.test MODE alice -w+x");
  g_assert_cmpstr (weft_irc_client_get_user_modes (f->client), ==, "+ix");
  irc_fixture_server (f, ":irc.test 221 alice +Zi");
  g_assert_cmpstr (weft_irc_client_get_user_modes (f->client), ==, "+Zi");

  /* Our own away state. */
  weft_irc_client_set_away (f->client, "tea");
  irc_fixture_expect (f, "AWAY tea", NULL);
  irc_fixture_server (f, ":irc.test 306 alice :You have been marked as being away");
  g_assert_true (weft_irc_client_get_away (f->client));
  g_assert_cmpstr (weft_irc_client_get_away_message (f->client), ==, "tea");

  /* Kicked: the channel stays, not joined, and is not rejoined. */
  irc_fixture_server (f, ":hatter!h@x KICK #Wonder alice :out");
  g_assert_false (weft_irc_channel_get_joined (channel));
  g_assert_cmpuint (weft_irc_channel_get_n_members (channel), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (weft_irc_client_get_channels (f->client)), ==, 1);

  /* Part: the channel goes away. */
  join_channel (f, "#other");
  weft_irc_client_part (f->client, "#other", "later");
  irc_fixture_expect (f, "PART #other later", NULL);
  irc_fixture_server (f, ":alice!al@host PART #other :later");
  g_assert_null (weft_irc_client_lookup_channel (f->client, "#other"));
}

static void
test_more_numerics (IrcFixture *f, gconstpointer data)
{
  WeftIrcChannel *kept, *kicked;
  g_autoptr (GPtrArray) lines = NULL;

  irc_fixture_register (f, "setname account-notify");
  kept = join_channel (f, "#kept");
  kicked = join_channel (f, "#kicked");
  irc_fixture_server (f, ":irc.test 331 alice #kept :No topic is set");
  g_assert_null (weft_irc_channel_get_topic (kept));
  irc_fixture_server (f, ":bob!b@h JOIN #kept");
  irc_fixture_server (f, ":irc.test 301 alice bob :at lunch");
  g_assert_cmpstr (weft_irc_member_get_away_message (weft_irc_channel_lookup_member (kept, "bob")), ==, "at lunch");
  irc_fixture_server (f, ":irc.test 900 alice alice!al@host acct :You are now logged in as acct");
  g_assert_cmpstr (weft_irc_client_get_account (f->client), ==, "acct");
  irc_fixture_server (f, ":irc.test 901 alice alice!al@host :You are now logged out");
  g_assert_null (weft_irc_client_get_account (f->client));
  weft_irc_client_set_away (f->client, "brb");
  irc_fixture_server (f, ":irc.test 306 alice :You have been marked as being away");
  g_assert_true (irc_fixture_has_event (f, "away alice brb"));
  weft_irc_client_set_away (f->client, NULL);
  irc_fixture_server (f, ":irc.test 305 alice :You are no longer marked as being away");
  g_assert_false (weft_irc_client_get_away (f->client));
  g_assert_true (irc_fixture_has_event (f, "away alice (null)"));
  g_ptr_array_unref (irc_fixture_take (f));
  weft_irc_client_set_realname (f->client, "Alice L.");
  irc_fixture_expect (f, "SETNAME :Alice L.", NULL);
  irc_fixture_server (f, ":irc.test 482 alice #kept :You're not channel operator");
  g_assert_true (irc_fixture_has_event (f, "error 482 You're not channel operator"));
  irc_fixture_server (f, "ERROR :Closing link");
  g_assert_true (irc_fixture_has_event (f, "error 0 Closing link"));

  /* Kicked from one channel: after a reconnect only the other is rejoined,
   * and the away message is set again. */
  weft_irc_client_set_away (f->client, "gone");
  irc_fixture_server (f, ":op!o@h KICK #kicked alice :bye");
  g_assert_false (weft_irc_channel_get_joined (kicked));
  irc_fixture_drop (f);
  irc_fixture_connect (f);
  irc_fixture_server (f, ":irc.test 001 alice :Welcome");
  lines = irc_fixture_take (f);
  g_assert_true (irc_lines_contain (lines, "JOIN #kept"));
  g_assert_true (irc_lines_contain (lines, "AWAY gone"));
  g_assert_cmpuint (irc_lines_count_prefix (lines, "JOIN"), ==, 1);
}

/* ---- Joins from a ::registered handler ---------------------------------- */

/* How many JOIN lines name @channel (alone or in a comma list). */
static guint
count_joins (GPtrArray *lines, const char *channel)
{
  guint n = 0;

  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = lines->pdata[i];
      g_auto (GStrv) words = NULL;
      g_auto (GStrv) names = NULL;

      if (!g_str_has_prefix (line, "JOIN "))
        continue;
      words = g_strsplit (line + strlen ("JOIN "), " ", 2);
      names = g_strsplit (words[0][0] == ':' ? words[0] + 1 : words[0], ",", -1);
      for (char **name = names; *name != NULL; name++)
        if (g_ascii_strcasecmp (*name, channel) == 0)
          n++;
    }
  return n;
}

static void
join_on_registered (WeftIrcClient *client, const char *nick, gpointer data)
{
  weft_irc_client_join (client, "#configured", NULL);
  weft_irc_client_join (client, "#own", NULL);
}

/* A client that joins from its ::registered handler, a channel it also
 * rejoins by itself and one of its own: each JOIN goes out once, after
 * every registration; a refused JOIN can be asked for again. */
static void
test_join_in_registered_handler (IrcFixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) lines = NULL;
  g_autoptr (GPtrArray) again = NULL;
  g_autoptr (GPtrArray) retry = NULL;
  g_autoptr (GPtrArray) third = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GPtrArray) joined = NULL;

  weft_irc_client_join (f->client, "#configured", NULL);
  g_signal_connect (f->client, "registered", G_CALLBACK (join_on_registered), NULL);
  irc_fixture_connect (f);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test 001 alice :Welcome");
  lines = irc_fixture_take (f);
  g_assert_cmpuint (count_joins (lines, "#configured"), ==, 1);
  g_assert_cmpuint (count_joins (lines, "#own"), ==, 1);

  /* Still waiting for the answer: asking again sends nothing. */
  weft_irc_client_join (f->client, "#own", NULL);
  pending = irc_fixture_take (f);
  g_assert_cmpuint (count_joins (pending, "#own"), ==, 0);

  /* Refused (a wrong key): join() asks again. */
  irc_fixture_server (f, ":irc.test 475 alice #own :Cannot join channel (+k)");
  weft_irc_client_join (f->client, "#own", "secret");
  retry = irc_fixture_take (f);
  g_assert_true (irc_lines_contain (retry, "JOIN #own secret"));

  /* After a reconnect: once each again. */
  irc_fixture_server (f, ":alice!al@host JOIN #configured");
  irc_fixture_drop (f);
  irc_fixture_connect (f);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test 001 alice :Welcome");
  again = irc_fixture_take (f);
  g_assert_cmpuint (count_joins (again, "#configured"), ==, 1);
  g_assert_cmpuint (count_joins (again, "#own"), ==, 1);

  /* Answered: a later join() of a joined channel sends nothing; after a
   * part, it joins again. */
  irc_fixture_server (f, ":alice!al@host JOIN #configured");
  weft_irc_client_join (f->client, "#configured", NULL);
  joined = irc_fixture_take (f);
  g_assert_cmpuint (count_joins (joined, "#configured"), ==, 0);
  irc_fixture_server (f, ":alice!al@host PART #configured");
  weft_irc_client_join (f->client, "#configured", NULL);
  third = irc_fixture_take (f);
  g_assert_cmpuint (count_joins (third, "#configured"), ==, 1);
}

/* ---- Messages ---------------------------------------------------------- */

static void
test_receive_messages (IrcFixture *f, gconstpointer data)
{
  WeftIrcChannel *channel;

  irc_fixture_register (f, "message-tags server-time");
  channel = join_channel (f, "#tea");
  irc_fixture_server (f, "@msgid=m1;time=2024-01-02T03:04:05.678Z :bob!b@h PRIVMSG #tea :hello there");
  g_assert_true (irc_fixture_has_event (f, "message #tea bob hello there 0x0"));
  g_assert_cmpstr (weft_irc_channel_get_last_msgid (channel), ==, "m1");
  g_assert_cmpint (weft_irc_channel_get_last_time (channel), ==, G_GINT64_CONSTANT (1704164645678000));
  irc_fixture_server (f, ":bob!b@h PRIVMSG alice :psst Alice");
  g_assert_true (irc_fixture_has_event (f, "message bob bob psst Alice 0xa0"));
  irc_fixture_server (f, ":bob!b@h PRIVMSG #tea :\001ACTION pours tea\001");
  g_assert_true (irc_fixture_has_event (f, "message #tea bob pours tea 0x10"));
  irc_fixture_server (f, ":bob!b@h NOTICE #tea :note");
  g_assert_true (irc_fixture_has_event (f, "message #tea bob note 0x8"));
  irc_fixture_server (f, ":irc.test NOTICE alice :server notice");
  g_assert_true (irc_fixture_has_event (f, "message (null) irc.test server notice 0x48"));
  irc_fixture_server (f, ":bob!b@h PRIVMSG @#tea :ops only");
  g_assert_true (irc_fixture_has_event (f, "message #tea bob ops only 0x0"));
  /* Text that is not UTF-8 is decoded, not dropped. */
  irc_fixture_server (f, ":bob!b@h PRIVMSG #tea :caf\xe9 \x80");
  g_assert_true (irc_fixture_has_event (f, "message #tea bob café € 0x0"));
}

/* A burst read at once (a busy channel, a long history batch) is handled
 * over several passes of the loop, reading paused in between: each pass
 * is bounded in time, every line is handled once and in order. */
static void
test_receive_burst (IrcFixture *f, gconstpointer data)
{
  const guint total = 20000;
  g_autoptr (GString) burst = g_string_new (NULL);
  guint passes = 0;

  irc_fixture_register (f, "message-tags server-time");
  join_channel (f, "#tea");
  irc_fixture_clear_events (f);
  for (guint i = 0; i < total; i++)
    g_string_append_printf (burst, ":bob!b@h PRIVMSG #tea :line %u\r\n", i);
  weft_string_transport_receive (f->transport, burst->str, burst->len);
  g_assert_cmpuint (f->events->len, <, total);
  g_assert_true (weft_string_transport_is_reading_paused (f->transport));

  while (f->events->len < total)
    {
      guint before = f->events->len;

      g_assert_cmpuint (++passes, <, total);
      weft_test_clock_advance (f->clock, 0);
      g_assert_cmpuint (f->events->len, >, before);
    }
  g_test_message ("%u lines in %u more passes", total, passes);
  g_assert_cmpuint (passes, >, 0);
  g_assert_false (weft_string_transport_is_reading_paused (f->transport));
  for (guint i = 0; i < total; i++)
    {
      g_autofree char *expected = g_strdup_printf ("message #tea bob line %u 0x0", i);

      g_assert_cmpstr (g_ptr_array_index (f->events, i), ==, expected);
    }
}

static void
test_ctcp (IrcFixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) lines = NULL;

  irc_fixture_register (f, "");
  weft_irc_client_set_version_reply (f->client, "Weft test");
  irc_fixture_server (f, ":bob!b@h PRIVMSG alice :\001VERSION\001");
  irc_fixture_expect (f, "NOTICE bob :\001VERSION Weft test\001", NULL);
  g_assert_true (irc_fixture_has_event (f, "ctcp-request bob alice VERSION (null)"));
  irc_fixture_server (f, ":bob!b@h PRIVMSG alice :\001PING 12345\001");
  irc_fixture_expect (f, "NOTICE bob :\001PING 12345\001", NULL);
  irc_fixture_server (f, ":bob!b@h PRIVMSG alice :\001TIME\001");
  lines = irc_fixture_take (f);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (lines, 0), "NOTICE bob :\001TIME "));
  /* The burst of 3 is spent: the next one is not answered... */
  irc_fixture_server (f, ":bob!b@h PRIVMSG alice :\001VERSION\001");
  irc_fixture_expect (f, NULL);
  /* ...until the bucket refills. */
  weft_test_clock_advance (f->clock, 5 * G_USEC_PER_SEC);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":bob!b@h PRIVMSG alice :\001VERSION\001");
  irc_fixture_expect (f, "NOTICE bob :\001VERSION Weft test\001", NULL);
  irc_fixture_server (f, ":bob!b@h NOTICE alice :\001VERSION OtherClient 1.0\001");
  g_assert_true (irc_fixture_has_event (f, "ctcp-reply bob VERSION OtherClient 1.0"));
  weft_irc_client_send_ctcp (f->client, "bob", "version", NULL);
  irc_fixture_expect (f, "PRIVMSG bob \001VERSION\001", NULL);
}

static void
test_echo_confirms (IrcFixture *f, gconstpointer data)
{
  g_autoptr (WeftIrcOutgoing) out = NULL;

  irc_fixture_register (f, "echo-message message-tags");
  join_channel (f, "#tea");
  out = weft_irc_client_send_privmsg (f->client, "#tea", "hello");
  g_assert_cmpint (weft_irc_outgoing_get_state (out), ==, WEFT_IRC_OUTGOING_STATE_SENT);
  irc_fixture_expect (f, "PRIVMSG #tea hello", NULL); /* no PING: the echo confirms */
  g_assert_cmpuint (g_list_model_get_n_items (weft_irc_client_get_outbox (f->client)), ==, 1);
  irc_fixture_server (f, "@msgid=xyz :alice!al@host PRIVMSG #tea hello");
  g_assert_cmpint (weft_irc_outgoing_get_state (out), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
  g_assert_cmpstr (weft_irc_outgoing_get_msgid (out), ==, "xyz");
  g_assert_true (irc_fixture_has_event (f, "message #tea alice hello 0x3"));
  g_assert_cmpuint (g_list_model_get_n_items (weft_irc_client_get_outbox (f->client)), ==, 0);
  /* A private message's echo belongs to the conversation with the other party. */
  g_clear_object (&out);
  out = weft_irc_client_send_privmsg (f->client, "bob", "hi bob");
  irc_fixture_server (f, ":alice!al@host PRIVMSG bob :hi bob");
  g_assert_true (irc_fixture_has_event (f, "message bob alice hi bob 0x23"));
  g_assert_cmpint (weft_irc_outgoing_get_state (out), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
}

static void
test_labeled_response (IrcFixture *f, gconstpointer data)
{
  g_autoptr (WeftIrcOutgoing) a = NULL;
  g_autoptr (WeftIrcOutgoing) b = NULL;
  g_autoptr (WeftIrcOutgoing) c = NULL;

  irc_fixture_register (f, "echo-message labeled-response batch message-tags");
  join_channel (f, "#tea");
  a = weft_irc_client_send_privmsg (f->client, "#tea", "one");
  b = weft_irc_client_send_privmsg (f->client, "#tea", "one");
  c = weft_irc_client_send_privmsg (f->client, "#closed", "two");
  irc_fixture_expect (f, "@label=w1 PRIVMSG #tea one", "@label=w2 PRIVMSG #tea one", "@label=w3 PRIVMSG #closed two",
                      NULL);
  /* The second one is confirmed first: labels, not order, decide. */
  irc_fixture_server (f, "@label=w2;msgid=B :alice!al@host PRIVMSG #tea one");
  g_assert_cmpint (weft_irc_outgoing_get_state (a), ==, WEFT_IRC_OUTGOING_STATE_SENT);
  g_assert_cmpint (weft_irc_outgoing_get_state (b), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
  g_assert_cmpstr (weft_irc_outgoing_get_msgid (b), ==, "B");
  /* An answer in a labeled batch. */
  irc_fixture_server (f, "@label=w1 :irc.test BATCH +r labeled-response");
  irc_fixture_server (f, "@batch=r;msgid=A :alice!al@host PRIVMSG #tea one");
  irc_fixture_server (f, ":irc.test BATCH -r");
  g_assert_cmpint (weft_irc_outgoing_get_state (a), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
  g_assert_cmpstr (weft_irc_outgoing_get_msgid (a), ==, "A");
  /* An error numeric with the label fails it. */
  irc_fixture_server (f, "@label=w3 :irc.test 404 alice #closed :Cannot send to channel");
  g_assert_cmpint (weft_irc_outgoing_get_state (c), ==, WEFT_IRC_OUTGOING_STATE_FAILED);
  g_assert_error (weft_irc_outgoing_get_error (c), WEFT_IRC_ERROR, WEFT_IRC_ERROR_SERVER);
  g_assert_cmpstr (weft_irc_outgoing_get_error (c)->message, ==, "Cannot send to channel");
  g_assert_cmpuint (g_list_model_get_n_items (weft_irc_client_get_outbox (f->client)), ==, 0);
}

static void
test_ack_without_echo (IrcFixture *f, gconstpointer data)
{
  g_autoptr (WeftIrcOutgoing) a = NULL;

  irc_fixture_register (f, "labeled-response batch message-tags");
  a = weft_irc_client_send_notice (f->client, "bob", "ping me");
  irc_fixture_expect (f, "@label=w1 NOTICE bob :ping me", NULL);
  irc_fixture_server (f, "@label=w1 :irc.test ACK");
  g_assert_cmpint (weft_irc_outgoing_get_state (a), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
}

static void
test_ping_confirms_without_caps (IrcFixture *f, gconstpointer data)
{
  g_autoptr (WeftIrcOutgoing) a = NULL;
  g_autoptr (WeftIrcOutgoing) b = NULL;
  g_autoptr (WeftIrcOutgoing) c = NULL;

  irc_fixture_register (f, "");
  irc_fixture_server (f, ":irc.test PONG irc.test weft-1");
  a = weft_irc_client_send_privmsg (f->client, "bob", "first");
  b = weft_irc_client_send_privmsg (f->client, "nobody", "second");
  irc_fixture_expect (f, "PRIVMSG bob first", "PING weft-2", "PRIVMSG nobody second", "PING weft-3", NULL);
  irc_fixture_server (f, ":irc.test PONG irc.test weft-2");
  g_assert_cmpint (weft_irc_outgoing_get_state (a), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
  g_assert_cmpint (weft_irc_outgoing_get_state (b), ==, WEFT_IRC_OUTGOING_STATE_SENT);
  irc_fixture_server (f, ":irc.test 401 alice nobody :No such nick/channel");
  irc_fixture_server (f, ":irc.test PONG irc.test weft-3");
  g_assert_cmpint (weft_irc_outgoing_get_state (b), ==, WEFT_IRC_OUTGOING_STATE_FAILED);
  /* An empty text never goes out. */
  c = weft_irc_client_send_privmsg (f->client, "bob", "");
  g_assert_cmpint (weft_irc_outgoing_get_state (c), ==, WEFT_IRC_OUTGOING_STATE_FAILED);
  irc_fixture_expect (f, NULL);
}

static void
test_flood_control (IrcFixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) lines = NULL;

  weft_irc_client_set_flood_control (f->client, 3, G_USEC_PER_SEC);
  irc_fixture_register (f, "echo-message");
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *text = g_strdup_printf ("line %u", i);
      g_autoptr (WeftIrcOutgoing) out = weft_irc_client_send_privmsg (f->client, "bob", text);
    }
  lines = irc_fixture_take (f);
  g_assert_cmpuint (irc_lines_count_prefix (lines, "PRIVMSG"), ==, 3); /* the burst */
  weft_test_clock_advance (f->clock, G_USEC_PER_SEC / 2);
  irc_fixture_expect (f, NULL);
  weft_test_clock_advance (f->clock, G_USEC_PER_SEC / 2 + 1);
  irc_fixture_expect (f, "PRIVMSG bob :line 3", NULL); /* then the steady rate */
  weft_test_clock_advance (f->clock, G_USEC_PER_SEC);
  irc_fixture_expect (f, "PRIVMSG bob :line 4", NULL);
  weft_test_clock_advance (f->clock, G_USEC_PER_SEC);
  irc_fixture_expect (f, "PRIVMSG bob :line 5", NULL);
  weft_test_clock_advance (f->clock, 10 * G_USEC_PER_SEC);
  irc_fixture_expect (f, NULL);
}

/* Advances the clock by DELAY, checking that the client writes nothing
 * before its end and the PING with TOKEN at it. */
static void
expect_ping_after (IrcFixture *f, gint64 delay, const char *token)
{
  g_autofree char *line = g_strdup_printf ("PING %s", token);

  weft_test_clock_advance (f->clock, delay - 1);
  irc_fixture_expect (f, NULL);
  weft_test_clock_advance (f->clock, 1);
  irc_fixture_expect (f, line, NULL);
}

static void
test_lag_and_ping_timeout (IrcFixture *f, gconstpointer data)
{
  weft_irc_client_set_ping_timing (f->client, 30 * G_USEC_PER_SEC, 10 * G_USEC_PER_SEC);
  irc_fixture_connect (f);
  irc_fixture_server (f, ":irc.test 001 alice :Welcome");
  g_ptr_array_unref (irc_fixture_take (f));
  g_assert_cmpint (weft_irc_client_get_lag (f->client), ==, -1);
  weft_test_clock_advance (f->clock, 250000);
  irc_fixture_server (f, ":irc.test PONG irc.test :weft-1");
  g_assert_cmpint (weft_irc_client_get_lag (f->client), ==, 250000);
  /* The first answer waited behind the welcome: a second PING 5 s after it
   * measures the settled link. */
  expect_ping_after (f, 5 * G_USEC_PER_SEC, "weft-2");
  weft_test_clock_advance (f->clock, 20000);
  irc_fixture_server (f, ":irc.test PONG irc.test :weft-2");
  g_assert_cmpint (weft_irc_client_get_lag (f->client), ==, 20000);
  /* A PING asked for goes out at once and starts the interval again: no
   * second settling PING after its answer, and the PING the interval had
   * due 29 s later does not go out as well. */
  weft_test_clock_advance (f->clock, G_USEC_PER_SEC - 20000);
  weft_irc_client_send_ping (f->client);
  irc_fixture_expect (f, "PING weft-3", NULL);
  irc_fixture_server (f, ":irc.test PONG irc.test :weft-3");
  g_assert_cmpint (weft_irc_client_get_lag (f->client), ==, 0);
  /* From then on a PING after each interval; a dead server never answers. */
  expect_ping_after (f, 30 * G_USEC_PER_SEC, "weft-4");
  weft_test_clock_advance (f->clock, 9 * G_USEC_PER_SEC);
  g_assert_false (weft_string_transport_is_aborted (f->transport));
  weft_test_clock_advance (f->clock, 1 * G_USEC_PER_SEC);
  g_assert_true (weft_string_transport_is_aborted (f->transport));
  g_assert_error (weft_string_transport_get_close_reason (f->transport), WEFT_IRC_ERROR, WEFT_IRC_ERROR_PING_TIMEOUT);
  irc_fixture_drop (f);
  g_assert_cmpint (weft_irc_client_get_lag (f->client), ==, -1);
}

static void
test_busy_connection_stays (IrcFixture *f, gconstpointer data)
{
  weft_irc_client_set_ping_timing (f->client, 30 * G_USEC_PER_SEC, 10 * G_USEC_PER_SEC);
  irc_fixture_register (f, "");
  /* A message every 4 s, each followed by a PING that the server answers
   * 3 s later: PINGs are always out, but answers keep coming. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);
      g_autoptr (WeftIrcOutgoing) out = weft_irc_client_send_privmsg (f->client, "bob", text);
      g_autoptr (GPtrArray) lines = irc_fixture_take (f);

      weft_test_clock_advance (f->clock, 3 * G_USEC_PER_SEC);
      for (guint j = 0; j < lines->len; j++)
        if (g_str_has_prefix (g_ptr_array_index (lines, j), "PING "))
          {
            g_autofree char *pong =
                g_strdup_printf (":irc.test PONG irc.test :%s", (char *) g_ptr_array_index (lines, j) + 5);
            irc_fixture_server (f, pong);
          }
      weft_test_clock_advance (f->clock, 1 * G_USEC_PER_SEC);
      g_assert_false (weft_string_transport_is_aborted (f->transport));
      g_assert_cmpint (weft_irc_outgoing_get_state (out), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
    }
  g_assert_cmpint (weft_irc_client_get_lag (f->client), ==, 3 * G_USEC_PER_SEC);
}

static void
test_back_pressure (IrcFixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) outs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) lines = NULL;
  gsize high = 200, low = 50;
  guint rounds = 0;

  irc_fixture_register (f, "echo-message");
  weft_string_transport_set_buffering (f->transport, TRUE);
  weft_transport_set_write_buffer_limits (WEFT_TRANSPORT (f->transport), high, low);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *text = g_strdup_printf ("message number %02u, of some length", i);
      g_ptr_array_add (outs, weft_irc_client_send_privmsg (f->client, "bob", text));
    }
  /* Paused above the high watermark: the rest waits in the client. */
  g_assert_cmpuint (weft_transport_get_write_buffer_size (WEFT_TRANSPORT (f->transport)), <, high + 60);
  g_assert_cmpint (weft_irc_outgoing_get_state (g_ptr_array_index (outs, 19)), ==, WEFT_IRC_OUTGOING_STATE_QUEUED);
  /* The network takes it bit by bit; everything goes out, in order. */
  while (weft_transport_get_write_buffer_size (WEFT_TRANSPORT (f->transport)) > 0)
    {
      g_assert_cmpuint (weft_transport_get_write_buffer_size (WEFT_TRANSPORT (f->transport)), <, high + 60);
      weft_string_transport_drain (f->transport, 40);
      rounds++;
    }
  g_assert_cmpuint (rounds, >, 10);
  lines = irc_fixture_take (f);
  g_assert_cmpuint (lines->len, ==, 20);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *want = g_strdup_printf ("PRIVMSG bob :message number %02u, of some length", i);
      g_assert_cmpstr (g_ptr_array_index (lines, i), ==, want);
      g_assert_cmpint (weft_irc_outgoing_get_state (g_ptr_array_index (outs, i)), ==, WEFT_IRC_OUTGOING_STATE_SENT);
    }
}

/* ---- Framing ------------------------------------------------------------ */

static void
test_framing (IrcFixture *f, gconstpointer data)
{
  g_autofree char *huge = NULL;

  irc_fixture_register (f, "");
  /* Bare LF, a line cut in pieces, several lines in one read. */
  weft_string_transport_receive (f->transport, ":bob!b@h PRIVMSG alice :one\n:bob!b@h PRIV", -1);
  g_assert_true (irc_fixture_has_event (f, "message bob bob one 0x20"));
  weft_string_transport_receive (f->transport, "MSG alice :two\r", -1);
  g_assert_false (irc_fixture_has_event (f, "message bob bob two 0x20"));
  weft_string_transport_receive (f->transport, "\n\r\n:bob!b@h PRIVMSG alice :three\r\n", -1);
  g_assert_true (irc_fixture_has_event (f, "message bob bob two 0x20"));
  g_assert_true (irc_fixture_has_event (f, "message bob bob three 0x20"));
  /* A line that never ends is refused before it fills memory. */
  huge = g_strnfill (9000, 'x');
  weft_string_transport_receive (f->transport, huge, -1);
  g_assert_true (weft_string_transport_is_aborted (f->transport));
  g_assert_error (weft_string_transport_get_close_reason (f->transport), WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG);
}

static void
test_malformed_closes (IrcFixture *f, gconstpointer data)
{
  irc_fixture_register (f, "");
  irc_fixture_server (f, ":onlysource");
  g_assert_true (weft_string_transport_is_aborted (f->transport));
  g_assert_error (weft_string_transport_get_close_reason (f->transport), WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED);
}

static void
test_split_long_text (IrcFixture *f, gconstpointer data)
{
  GString *text = g_string_new (NULL);
  g_autoptr (WeftIrcOutgoing) out = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  GString *joined = g_string_new (NULL);

  irc_fixture_register (f, "echo-message");
  for (guint i = 0; i < 150; i++)
    g_string_append (text, "wörd€ "); /* 10 bytes each, multibyte characters */
  g_string_append (text, "\nsecond paragraph");
  out = weft_irc_client_send_privmsg (f->client, "#a-channel", text->str);
  lines = irc_fixture_take (f);
  g_assert_cmpuint (lines->len, ==, weft_irc_outgoing_get_n_lines (out));
  g_assert_cmpuint (lines->len, ==, 5);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      const char *body = strstr (line, " :") != NULL ? strstr (line, " :") + 2 : strrchr (line, ' ') + 1;
      /* What the server relays, with our longest possible source. */
      gsize relayed = strlen (":alice!") + 11 + 1 + 63 + 1 + strlen (line) + 2;

      g_assert_cmpuint (relayed, <=, 512);
      g_assert_true (g_utf8_validate (body, -1, NULL));
      if (i < 4)
        g_string_append_printf (joined, "%s%s", joined->len > 0 ? " " : "", body);
    }
  /* Cut at spaces: the pieces joined with a space give the text back. */
  g_assert_true (strncmp (joined->str, text->str, joined->len) == 0);
  g_assert_cmpuint (joined->len, ==, strchr (text->str, '\n') - text->str);
  g_assert_cmpstr (g_ptr_array_index (lines, 4), ==, "PRIVMSG #a-channel :second paragraph");
  g_string_free (text, TRUE);
  g_string_free (joined, TRUE);
}

/* ---- Reconnects --------------------------------------------------------- */

static void
test_reconnect_outbox (IrcFixture *f, gconstpointer data)
{
  g_autoptr (WeftIrcOutgoing) confirmed = NULL;
  g_autoptr (WeftIrcOutgoing) unconfirmed = NULL;
  g_autoptr (WeftIrcOutgoing) offline = NULL;
  g_autoptr (WeftIrcOutgoing) private = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  WeftIrcChannel *channel;

  irc_fixture_register (f, "echo-message");
  weft_irc_client_join (f->client, "#tea", "sugar");
  irc_fixture_server (f, ":alice!al@host JOIN #tea");
  g_ptr_array_unref (irc_fixture_take (f));
  channel = weft_irc_client_lookup_channel (f->client, "#tea");

  confirmed = weft_irc_client_send_privmsg (f->client, "#tea", "confirmed");
  unconfirmed = weft_irc_client_send_privmsg (f->client, "#tea", "unconfirmed");
  irc_fixture_expect (f, "PRIVMSG #tea confirmed", "PRIVMSG #tea unconfirmed", NULL);
  irc_fixture_server (f, ":alice!al@host PRIVMSG #tea confirmed");
  g_assert_cmpint (weft_irc_outgoing_get_state (confirmed), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
  g_assert_cmpint (weft_irc_outgoing_get_state (unconfirmed), ==, WEFT_IRC_OUTGOING_STATE_SENT);

  /* The connection dies before the echo of the second one. */
  irc_fixture_drop (f);
  g_assert_cmpint (weft_irc_outgoing_get_state (unconfirmed), ==, WEFT_IRC_OUTGOING_STATE_QUEUED);
  g_assert_false (weft_irc_channel_get_joined (channel));
  offline = weft_irc_client_send_privmsg (f->client, "#tea", "written offline");
  private = weft_irc_client_send_privmsg (f->client, "bob", "private offline");
  g_assert_cmpint (weft_irc_outgoing_get_state (offline), ==, WEFT_IRC_OUTGOING_STATE_QUEUED);
  g_assert_cmpuint (g_list_model_get_n_items (weft_irc_client_get_outbox (f->client)), ==, 3);

  /* Reconnect: the channel is rejoined with its key; private messages go
   * at once, channel messages wait for the rejoin. */
  irc_fixture_connect (f);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test CAP * LS :echo-message");
  irc_fixture_server (f, ":irc.test CAP * ACK :echo-message");
  irc_fixture_server (f, ":irc.test 001 alice :Welcome back");
  lines = irc_fixture_take (f);
  g_assert_true (irc_lines_contain (lines, "JOIN #tea sugar"));
  g_assert_true (irc_lines_contain (lines, "PRIVMSG bob :private offline"));
  g_assert_cmpuint (irc_lines_count_prefix (lines, "PRIVMSG #tea"), ==, 0);
  irc_fixture_server (f, ":alice!al@host JOIN #tea");
  irc_fixture_expect (f, "MODE #tea", "PRIVMSG #tea unconfirmed", "PRIVMSG #tea :written offline", NULL);
  irc_fixture_server (f, ":alice!al@host PRIVMSG #tea unconfirmed");
  irc_fixture_server (f, ":alice!al@host PRIVMSG #tea :written offline");
  irc_fixture_server (f, ":alice!al@host PRIVMSG bob :private offline");
  g_assert_cmpint (weft_irc_outgoing_get_state (unconfirmed), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
  g_assert_cmpuint (weft_irc_outgoing_get_n_attempts (unconfirmed), ==, 2);
  g_assert_cmpuint (weft_irc_outgoing_get_n_attempts (confirmed), ==, 1);
  g_assert_cmpuint (weft_irc_outgoing_get_n_attempts (offline), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (weft_irc_client_get_outbox (f->client)), ==, 0);

  /* Nothing more is sent again on a third connection. */
  irc_fixture_drop (f);
  irc_fixture_register (f, "echo-message");
  irc_fixture_server (f, ":alice!al@host JOIN #tea");
  irc_fixture_expect (f, "MODE #tea", NULL);
}

static void
test_reconnect_history (IrcFixture *f, gconstpointer data)
{
  g_autoptr (WeftIrcOutgoing) lost_echo = NULL;
  g_autoptr (WeftIrcOutgoing) never_arrived = NULL;
  WeftIrcChannel *channel;

  irc_fixture_register (f, ALL_CAPS);
  channel = join_channel (f, "#tea");
  irc_fixture_server (f, "@msgid=m41;time=2024-05-01T10:00:00.000Z :bob!b@h PRIVMSG #tea :before");
  lost_echo = weft_irc_client_send_privmsg (f->client, "#tea", "did it arrive?");
  never_arrived = weft_irc_client_send_privmsg (f->client, "#tea", "lost in the cable");
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_drop (f);

  irc_fixture_register (f, ALL_CAPS);
  irc_fixture_clear_events (f);
  irc_fixture_server (f, ":alice!al@host JOIN #tea * :Alice");
  /* First what was missed, and nothing sent until it is in. */
  irc_fixture_expect (f, "CHATHISTORY AFTER #tea msgid=m41 100", "MODE #tea", "WHO #tea", NULL);
  irc_fixture_server (f, ":irc.test BATCH +h1 chathistory #tea");
  irc_fixture_server (f, "@batch=h1;msgid=m42;time=2024-05-01T10:00:01.000Z :bob!b@h PRIVMSG #tea :while away");
  irc_fixture_server (f,
                      "@batch=h1;msgid=m43;time=2024-05-01T10:00:02.000Z :alice!al@host PRIVMSG #tea :did it arrive?");
  irc_fixture_server (f, "@batch=h1;msgid=m44;time=2024-05-01T10:00:03.000Z :carol!c@h JOIN #tea");
  irc_fixture_expect (f, NULL);
  irc_fixture_server (f, ":irc.test BATCH -h1");
  g_assert_true (irc_fixture_has_event (f, "message #tea bob while away 0x4"));
  g_assert_true (irc_fixture_has_event (f, "message #tea alice did it arrive? 0x5"));
  g_assert_true (irc_fixture_has_event (f, "history #tea 3"));
  g_assert_false (irc_fixture_has_event (f, "joined #tea carol")); /* history does not change state */
  g_assert_null (weft_irc_channel_lookup_member (channel, "carol"));
  /* The server had the first one (found in history): not sent again. */
  g_assert_cmpint (weft_irc_outgoing_get_state (lost_echo), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
  g_assert_cmpstr (weft_irc_outgoing_get_msgid (lost_echo), ==, "m43");
  irc_fixture_expect (f, "@label=w3 PRIVMSG #tea :lost in the cable", NULL);
  g_assert_cmpstr (weft_irc_channel_get_last_msgid (channel), ==, "m43");
}

static void
test_reconnect_private_history (IrcFixture *f, gconstpointer data)
{
  g_autoptr (WeftIrcOutgoing) answered = NULL;
  g_autoptr (WeftIrcOutgoing) resent = NULL;
  g_autoptr (GPtrArray) lines = NULL;

  irc_fixture_register (f, ALL_CAPS);
  irc_fixture_server (f, "@msgid=p1;time=2024-05-01T10:00:00.000Z :bob!b@h PRIVMSG alice :are you there?");
  answered = weft_irc_client_send_privmsg (f->client, "bob", "yes");
  resent = weft_irc_client_send_privmsg (f->client, "Bob", "and again");
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_drop (f);

  /* After registration: the history of the conversation first, the
   * private messages after it. */
  irc_fixture_connect (f);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test CAP * LS :" ALL_CAPS);
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test CAP * ACK :" ALL_CAPS);
  irc_fixture_server (f, ":irc.test 001 alice :Welcome");
  lines = irc_fixture_take (f);
  g_assert_true (irc_lines_contain (lines, "CHATHISTORY AFTER bob msgid=p1 100"));
  g_assert_cmpuint (irc_lines_count_prefix (lines, "@label"), ==, 0);
  irc_fixture_server (f, ":irc.test BATCH +h chathistory bob");
  irc_fixture_server (f, "@batch=h;msgid=p2 :alice!al@host PRIVMSG bob yes");
  irc_fixture_server (f, ":irc.test BATCH -h");
  g_assert_true (irc_fixture_has_event (f, "message bob alice yes 0x25"));
  g_assert_cmpint (weft_irc_outgoing_get_state (answered), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
  irc_fixture_expect (f, "@label=w3 PRIVMSG Bob :and again", NULL);
}

static void
test_history_failure_releases_outbox (IrcFixture *f, gconstpointer data)
{
  g_autoptr (WeftIrcOutgoing) out = NULL;

  irc_fixture_register (f, ALL_CAPS);
  join_channel (f, "#tea");
  irc_fixture_server (f, "@msgid=m1 :bob!b@h PRIVMSG #tea :hi");
  irc_fixture_drop (f);
  out = weft_irc_client_send_privmsg (f->client, "#tea", "queued");
  irc_fixture_register (f, ALL_CAPS);
  irc_fixture_server (f, ":alice!al@host JOIN #tea * :Alice");
  g_ptr_array_unref (irc_fixture_take (f));
  irc_fixture_server (f, ":irc.test FAIL CHATHISTORY MESSAGE_ERROR AFTER #tea :Messages could not be retrieved");
  irc_fixture_expect (f, "@label=w1 PRIVMSG #tea queued", NULL);
  g_assert_true (irc_fixture_has_event (f, "error 0 Messages could not be retrieved"));
}

static void
test_disconnect (IrcFixture *f, gconstpointer data)
{
  irc_fixture_register (f, "");
  weft_irc_client_disconnect (f->client, "bye now");
  irc_fixture_expect (f, "QUIT :bye now", NULL);
  /* The client closes its side and reads on until the server closes. */
  g_assert_true (weft_string_transport_is_write_closed (f->transport));
  g_assert_false (weft_string_transport_is_disconnecting (f->transport));
  irc_fixture_server (f, "PING :still-there");
  g_assert_cmpuint (strlen (weft_string_transport_peek_string (f->transport, NULL)), ==, 0);
  irc_fixture_drop (f);
  g_assert_cmpint (weft_irc_client_get_state (f->client), ==, WEFT_IRC_CLIENT_STATE_DISCONNECTED);
}

/* A server that does not close after QUIT is left after two seconds. */
static void
test_disconnect_server_stays (IrcFixture *f, gconstpointer data)
{
  irc_fixture_register (f, "");
  weft_irc_client_disconnect (f->client, NULL);
  irc_fixture_expect (f, "QUIT", NULL);
  weft_test_clock_advance (f->clock, 1900 * 1000);
  g_assert_false (weft_string_transport_is_disconnecting (f->transport));
  weft_test_clock_advance (f->clock, 200 * 1000);
  g_assert_true (weft_string_transport_is_disconnecting (f->transport));
  irc_fixture_drop (f);
  g_assert_cmpint (weft_irc_client_get_state (f->client), ==, WEFT_IRC_CLIENT_STATE_DISCONNECTED);
}

static void
test_client_as_protocol (void)
{
  g_autoptr (WeftReactor) clock = weft_test_clock_new ();
  g_autoptr (WeftIrcClient) client = weft_irc_client_new (clock, "direct");
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  gsize len;

  /* Any transport: the client is a protocol itself. */
  weft_string_transport_connect (transport, WEFT_PROTOCOL (client));
  g_assert_true (g_str_has_prefix (weft_string_transport_peek_string (transport, &len),
                                   "CAP LS 302\r\nNICK direct\r\n"));
  weft_string_transport_receive (transport, ":s 001 direct :hi\r\n", -1);
  g_assert_cmpint (weft_irc_client_get_state (client), ==, WEFT_IRC_CLIENT_STATE_REGISTERED);
  weft_string_transport_connection_lost (transport, NULL);
  g_assert_cmpint (weft_irc_client_get_state (client), ==, WEFT_IRC_CLIENT_STATE_DISCONNECTED);
}

static void
test_urls (void)
{
  struct {
    const char *url;
    const char *endpoint;
  } cases[] = {
    { "irc://irc.example.org", "tcp:irc.example.org:6667" },
    { "irc://irc.example.org:7000/#chan", "tcp:irc.example.org:7000" },
    { "ircs://irc.example.org", "tls:irc.example.org:6697" },
    { "IRCS://127.0.0.1:9999", "tls:127.0.0.1:9999" },
    { "irc://[::1]:6667", "tcp:[::1]:6667" },
    { "ircs://irc.example.org?cert=/etc/me.pem&key=/etc/me:key",
      "tls:irc.example.org:6697:cert=/etc/me.pem:key=/etc/me\\:key" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *endpoint = weft_irc_url_to_endpoint (cases[i].url, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (endpoint, ==, cases[i].endpoint);
    }
  for (guint i = 0; i < 5; i++)
    {
      const char *bad[] = { "http://example.org", "wss://example.org/irc", "irc://", "not a url", "irc://h?cert=x" };
      g_autoptr (GError) error = NULL;
      g_autofree char *endpoint = weft_irc_url_to_endpoint (bad[i], &error);
      g_assert_null (endpoint);
      g_assert_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, IrcFixture, NULL, irc_fixture_set_up, func, irc_fixture_tear_down)
  ADD ("/irc/client/register/plain", test_register_plain);
  ADD ("/irc/client/register/nick-in-use", test_register_nick_in_use);
  ADD ("/irc/client/register/gives-up", test_register_gives_up);
  ADD ("/irc/client/register/timeout", test_register_timeout);
  ADD ("/irc/client/caps/multiline", test_caps_multiline);
  ADD ("/irc/client/caps/nak-and-notify", test_caps_nak_and_notify);
  ADD ("/irc/client/sasl/plain", test_sasl_plain);
  ADD ("/irc/client/sasl/external", test_sasl_external);
  ADD ("/irc/client/sasl/failure", test_sasl_failure);
  ADD ("/irc/client/state/channel", test_channel_state);
  ADD ("/irc/client/state/more-numerics", test_more_numerics);
  ADD ("/irc/client/state/join-in-registered-handler", test_join_in_registered_handler);
  ADD ("/irc/client/messages/receive", test_receive_messages);
  ADD ("/irc/client/messages/receive-burst", test_receive_burst);
  ADD ("/irc/client/messages/ctcp", test_ctcp);
  ADD ("/irc/client/messages/echo-confirms", test_echo_confirms);
  ADD ("/irc/client/messages/labeled-response", test_labeled_response);
  ADD ("/irc/client/messages/ack", test_ack_without_echo);
  ADD ("/irc/client/messages/ping-confirms", test_ping_confirms_without_caps);
  ADD ("/irc/client/messages/split", test_split_long_text);
  ADD ("/irc/client/flood-control", test_flood_control);
  ADD ("/irc/client/lag-and-ping-timeout", test_lag_and_ping_timeout);
  ADD ("/irc/client/busy-connection-stays", test_busy_connection_stays);
  ADD ("/irc/client/back-pressure", test_back_pressure);
  ADD ("/irc/client/framing/lines", test_framing);
  ADD ("/irc/client/framing/malformed", test_malformed_closes);
  ADD ("/irc/client/reconnect/outbox", test_reconnect_outbox);
  ADD ("/irc/client/reconnect/history", test_reconnect_history);
  ADD ("/irc/client/reconnect/history-failure", test_history_failure_releases_outbox);
  ADD ("/irc/client/reconnect/private-history", test_reconnect_private_history);
  ADD ("/irc/client/disconnect", test_disconnect);
  ADD ("/irc/client/disconnect-server-stays", test_disconnect_server_stays);
  g_test_add_func ("/irc/client/as-protocol", test_client_as_protocol);
  g_test_add_func ("/irc/client/urls", test_urls);
  return g_test_run ();
}
