/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The chat server's IRC protocol over real loopback sockets, on every
 * backend: registration and its numerics, channels and modes, messages,
 * capabilities, labeled-response, chathistory, accounts and SASL. */
#include "config.h"

#include <string.h>

#include "wcs-test-kit.h"

#define EXPECT(client, ...) wcs_test_client_expect (f, client, __VA_ARGS__, NULL)

static void
test_registration (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, NULL);
  WcsTestClient *a = wcs_test_client_connect (f, server->port);
  WcsTestClient *b;

  /* Commands before registration. */
  wcs_test_client_send (a, "JOIN #x");
  EXPECT (a, " 451 * ", "You have not registered");
  wcs_test_client_send (a, "NICK 1bad");
  EXPECT (a, " 432 * 1bad ");
  /* A refused nick that cannot be echoed as it is (a space, a leading ':')
   * still gets its reply. */
  wcs_test_client_send (a, "NICK :two words");
  EXPECT (a, " 432 * * ", "Erroneous");
  wcs_test_client_send (a, "NICK ::colon");
  EXPECT (a, " 432 * * ", "Erroneous");
  wcs_test_client_send (a, "NICK");
  EXPECT (a, " 431 ");
  wcs_test_client_send (a, "USER");
  EXPECT (a, " 461 * USER ", "Not enough parameters");
  wcs_test_client_send (a, "NICK alice");
  wcs_test_client_send (a, "USER alice 0 * :Alice A");
  EXPECT (a, " 001 alice ", "Welcome");
  EXPECT (a, " 002 alice ");
  EXPECT (a, " 003 alice ");
  EXPECT (a, " 004 alice ");
  EXPECT (a, " 005 alice ", "CASEMAPPING=rfc1459");
  EXPECT (a, " 251 alice ");
  EXPECT (a, " 375 alice ");
  EXPECT (a, " 376 alice ");
  wcs_test_client_send (a, "USER again 0 * :x");
  EXPECT (a, " 462 alice ");
  wcs_test_client_send (a, "FROB");
  EXPECT (a, " 421 alice FROB ");
  wcs_test_client_send (a, "PING :token123");
  EXPECT (a, "PONG ", "token123");

  /* A second client cannot take the nick, in any case. */
  b = wcs_test_client_connect (f, server->port);
  wcs_test_client_send (b, "NICK ALICE");
  EXPECT (b, " 433 * ALICE ");
  wcs_test_client_send (b, "NICK bob");
  wcs_test_client_send (b, "USER bob 0 * :Bob");
  EXPECT (b, " 001 bob ");

  /* Nick changes are seen by the client itself. */
  wcs_test_client_send (a, "NICK alice2");
  EXPECT (a, ":alice!", "NICK alice2");
  wcs_test_client_send (a, "MOTD");
  EXPECT (a, " 372 alice2 ");
  wcs_test_client_send (a, "LUSERS");
  EXPECT (a, " 251 alice2 ", "There are 2 users");
  wcs_test_client_send (a, "VERSION");
  EXPECT (a, " 351 alice2 ");
  wcs_test_client_send (a, "QUIT :bye now");
  EXPECT (a, "ERROR ", "Quit: bye now");
  wcs_test_client_wait_lost (f, a);

  wcs_test_client_close (f, a);
  wcs_test_client_close (f, b);
  wcs_test_server_free (server);
}

static void
test_channels (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, NULL);
  WcsTestClient *a = wcs_test_client_register (f, server->port, "alice", NULL);
  WcsTestClient *b = wcs_test_client_register (f, server->port, "bob", NULL);
  WcsTestClient *c = wcs_test_client_register (f, server->port, "carol", NULL);

  wcs_test_client_send (a, "JOIN #chat");
  EXPECT (a, ":alice!", "JOIN #chat");
  EXPECT (a, " 353 alice = #chat ", "@alice");
  EXPECT (a, " 366 alice #chat ");
  wcs_test_client_send (b, "JOIN #Chat");
  EXPECT (b, " 353 bob = #chat ", "@alice", "bob");
  EXPECT (a, ":bob!", "JOIN #chat");

  /* Messages reach the other members, not the sender (no echo-message). */
  wcs_test_client_send (a, "PRIVMSG #chat :hello everyone");
  EXPECT (b, ":alice!", "PRIVMSG #chat :hello everyone");
  wcs_test_client_send (a, "PRIVMSG bob :psst");
  EXPECT (b, ":alice!", "PRIVMSG bob :psst");
  wcs_test_client_send (a, "PRIVMSG nobody :hi");
  EXPECT (a, " 401 alice nobody ");
  wcs_test_client_send (a, "PRIVMSG #chat");
  EXPECT (a, " 412 alice ");
  wcs_test_client_send (a, "PRIVMSG");
  EXPECT (a, " 411 alice ");
  /* +n: outsiders cannot speak. */
  wcs_test_client_send (c, "PRIVMSG #chat :from outside");
  EXPECT (c, " 404 carol #chat ");

  /* Topic: +t needs an operator. */
  wcs_test_client_send (b, "TOPIC #chat");
  EXPECT (b, " 331 bob #chat ");
  wcs_test_client_send (b, "TOPIC #chat :bob's topic");
  EXPECT (b, " 482 bob #chat ");
  wcs_test_client_send (a, "TOPIC #chat :The topic");
  EXPECT (b, ":alice!", "TOPIC #chat :The topic");
  wcs_test_client_send (b, "TOPIC #chat");
  EXPECT (b, " 332 bob #chat :The topic");
  EXPECT (b, " 333 bob #chat alice ");

  /* Modes. */
  wcs_test_client_send (b, "MODE #chat +m");
  EXPECT (b, " 482 bob #chat ");
  wcs_test_client_send (a, "MODE #chat +mv bob");
  EXPECT (b, "MODE #chat +mv bob");
  wcs_test_client_send (a, "MODE #chat");
  EXPECT (a, " 324 alice #chat +mnt");
  EXPECT (a, " 329 alice #chat ");
  wcs_test_client_send (a, "MODE #chat -v bob");
  EXPECT (b, "MODE #chat -v bob");
  wcs_test_client_send (b, "PRIVMSG #chat :moderated?");
  EXPECT (b, " 404 bob #chat ");
  wcs_test_client_send (a, "MODE #chat -m+o bob");
  EXPECT (b, "MODE #chat -m+o bob");
  wcs_test_client_send (a, "MODE #chat +z");
  EXPECT (a, " 472 alice z ");
  wcs_test_client_send (a, "MODE #chat +k :bad key");
  EXPECT (a, " 525 alice #chat ");
  wcs_test_client_send (a, "MODE #chat +k");
  EXPECT (a, " 461 alice MODE ");

  wcs_test_client_send (a, "MODE #chat +k secret");
  EXPECT (a, "MODE #chat +k secret");
  wcs_test_client_send (c, "JOIN #chat");
  EXPECT (c, " 475 carol #chat ");
  wcs_test_client_send (c, "JOIN #chat wrong");
  EXPECT (c, " 475 carol #chat ");
  wcs_test_client_send (a, "MODE #chat -k+l * 2");
  EXPECT (a, "MODE #chat -k+l * 2");
  wcs_test_client_send (c, "JOIN #chat");
  EXPECT (c, " 471 carol #chat ");
  wcs_test_client_send (a, "MODE #chat -l+i");
  EXPECT (a, "MODE #chat -l+i");
  wcs_test_client_send (c, "JOIN #chat");
  EXPECT (c, " 473 carol #chat ");
  wcs_test_client_send (b, "INVITE carol #chat");
  EXPECT (b, " 341 bob carol #chat");
  EXPECT (c, ":bob!", "INVITE carol #chat");
  wcs_test_client_send (c, "JOIN #chat");
  EXPECT (c, " 366 carol #chat ");
  wcs_test_client_send (c, "INVITE alice #chat");
  EXPECT (c, " 443 carol alice #chat ");

  /* Bans, then KICK. */
  wcs_test_client_send (a, "MODE #chat -i+b carol!*@*");
  EXPECT (a, "MODE #chat -i+b carol!*@*");
  wcs_test_client_send (a, "MODE #chat +b");
  EXPECT (a, " 367 alice #chat carol!*@*");
  EXPECT (a, " 368 alice #chat ");
  wcs_test_client_send (c, "PRIVMSG #chat :banned?");
  EXPECT (c, " 404 carol #chat ");
  wcs_test_client_send (c, "KICK #chat alice");
  EXPECT (c, " 482 carol #chat ");
  wcs_test_client_send (a, "KICK #chat carol :go away");
  EXPECT (c, ":alice!", "KICK #chat carol :go away");
  wcs_test_client_send (c, "JOIN #chat");
  EXPECT (c, " 474 carol #chat ");
  wcs_test_client_send (c, "PART #chat");
  EXPECT (c, " 442 carol #chat ");
  wcs_test_client_send (c, "PART #nowhere");
  EXPECT (c, " 403 carol #nowhere ");
  wcs_test_client_send (c, "JOIN bad,#ok");
  EXPECT (c, " 403 carol bad ");
  EXPECT (c, ":carol!", "JOIN #ok");

  /* Queries. */
  wcs_test_client_send (c, "NAMES #chat");
  EXPECT (c, " 353 carol = #chat ");
  EXPECT (c, " 366 carol #chat ");
  wcs_test_client_send (c, "WHO #chat");
  EXPECT (c, " 352 carol #chat ");
  EXPECT (c, " 315 carol #chat ");
  wcs_test_client_send (c, "WHOIS alice");
  EXPECT (c, " 311 carol alice ~alice 127.0.0.1 * :Test user alice");
  EXPECT (c, " 319 carol alice ", "@#chat");
  EXPECT (c, " 318 carol alice ");
  wcs_test_client_send (c, "WHOIS nobody");
  EXPECT (c, " 401 carol nobody ");
  wcs_test_client_send (c, "LIST");
  EXPECT (c, " 321 carol ");
  EXPECT (c, " 322 carol #chat 2 :The topic");
  EXPECT (c, " 323 carol ");
  wcs_test_client_send (c, "MODE carol +i");
  EXPECT (c, "MODE carol +i");
  wcs_test_client_send (c, "MODE carol");
  EXPECT (c, " 221 carol +i");
  wcs_test_client_send (c, "MODE alice +i");
  EXPECT (c, " 502 carol ");

  /* AWAY, and the 301 it causes. */
  wcs_test_client_send (b, "AWAY :lunch");
  EXPECT (b, " 306 bob ");
  wcs_test_client_send (c, "PRIVMSG bob :there?");
  EXPECT (c, " 301 carol bob :lunch");
  wcs_test_client_send (b, "AWAY");
  EXPECT (b, " 305 bob ");

  /* PART and QUIT reach the channel. */
  wcs_test_client_send (b, "PART #chat :later");
  EXPECT (a, ":bob!", "PART #chat :later");
  wcs_test_client_send (b, "JOIN #chat");
  EXPECT (a, ":bob!", "JOIN #chat");
  wcs_test_client_send (b, "QUIT :gone");
  EXPECT (a, ":bob!", "QUIT :Quit: gone");

  wcs_test_client_close (f, a);
  wcs_test_client_close (f, b);
  wcs_test_client_close (f, c);
  wcs_test_server_free (server);
}

static void
test_capabilities (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, NULL);
  WcsTestClient *a = wcs_test_client_connect (f, server->port);
  WcsTestClient *b, *c;
  const char *line;

  wcs_test_client_send (a, "CAP LS 302");
  line = EXPECT (a, "CAP * LS ");
  g_assert_nonnull (strstr (line, "sasl=PLAIN"));
  g_assert_nonnull (strstr (line, "draft/chathistory"));
  g_assert_nonnull (strstr (line, "labeled-response"));
  wcs_test_client_send (a, "NICK alice");
  wcs_test_client_send (a, "USER alice 0 * :Alice");
  wcs_test_client_send (a, "CAP REQ :server-time bogus-cap");
  EXPECT (a, "CAP alice NAK :server-time bogus-cap");
  wcs_test_client_send (a, "CAP REQ :server-time message-tags echo-message extended-join multi-prefix away-notify "
                           "account-notify batch");
  EXPECT (a, "CAP alice ACK ");
  /* Registration waits for CAP END. */
  g_assert_false (wcs_test_client_has_line (a, " 001 "));
  wcs_test_client_send (a, "CAP LIST");
  EXPECT (a, "CAP alice LIST ", "echo-message", "cap-notify");
  wcs_test_client_send (a, "CAP FOO");
  EXPECT (a, " 410 alice FOO ");
  wcs_test_client_send (a, "CAP END");
  EXPECT (a, " 001 alice ");
  EXPECT (a, " 376 alice ");

  b = wcs_test_client_register (f, server->port, "bob", NULL);
  wcs_test_client_send (a, "JOIN #c");
  EXPECT (a, "JOIN #c");
  wcs_test_client_send (b, "JOIN #c");
  /* extended-join: account ("*") and real name. */
  line = EXPECT (a, ":bob!", "JOIN #c * :Test user bob");
  g_assert_true (g_str_has_prefix (line, "@time="));

  /* server-time, msgid, echo-message, client-only tags. */
  wcs_test_client_send (a, "@+example/tag=x\\sy PRIVMSG #c :tagged");
  line = EXPECT (a, ":alice!", "PRIVMSG #c tagged");
  g_assert_nonnull (strstr (line, "msgid="));
  g_assert_nonnull (strstr (line, "time="));
  g_assert_nonnull (strstr (line, "+example/tag=x\\sy"));
  line = EXPECT (b, ":alice!", "PRIVMSG #c tagged");
  g_assert_true (line[0] == ':');
  /* TAGMSG goes only to clients with message-tags. */
  wcs_test_client_send (a, "@+typing=active TAGMSG #c");
  EXPECT (a, "+typing=active", "TAGMSG #c");
  wcs_test_client_send (a, "PRIVMSG #c :after tagmsg");
  line = EXPECT (b, ":alice!", "#c");
  g_assert_nonnull (strstr (line, "PRIVMSG #c :after tagmsg"));

  /* multi-prefix. */
  wcs_test_client_send (a, "MODE #c +v alice");
  EXPECT (a, "MODE #c +v alice");
  wcs_test_client_send (a, "NAMES #c");
  EXPECT (a, " 353 alice = #c ", "@+alice");
  /* away-notify. */
  wcs_test_client_send (b, "AWAY :brb");
  EXPECT (a, ":bob!", "AWAY :brb");

  /* cap-notify comes with CAP LS 302. */
  c = wcs_test_client_register (f, server->port, "carol", "batch");
  weft_irc_server_set_caps (wcs_server_get_irc_server (server->server),
                            weft_irc_server_get_caps (wcs_server_get_irc_server (server->server)) &
                                ~WEFT_IRC_SERVER_CAP_INVITE_NOTIFY);
  EXPECT (c, "CAP carol DEL invite-notify");
  EXPECT (a, "CAP alice DEL invite-notify");

  wcs_test_client_close (f, a);
  wcs_test_client_close (f, b);
  wcs_test_client_close (f, c);
  wcs_test_server_free (server);
}

static void
test_labeled_response (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, NULL);
  WcsTestClient *a = wcs_test_client_register (f, server->port, "alice", "labeled-response batch echo-message");
  const char *line;
  g_autofree char *batch = NULL;

  /* One reply: labeled. */
  wcs_test_client_send (a, "@label=one PING :x");
  EXPECT (a, "@label=one ", "PONG ");
  /* No reply: ACK. */
  wcs_test_client_send (a, "@label=two PONG :x");
  EXPECT (a, "@label=two ", " ACK");
  /* Several: a labeled-response batch. */
  wcs_test_client_send (a, "@label=three JOIN #l");
  line = EXPECT (a, "@label=three ", "BATCH +", "labeled-response");
  batch = g_strndup (strchr (line, '+') + 1, strcspn (strchr (line, '+') + 1, " "));
  EXPECT (a, "batch=", "JOIN #l");
  EXPECT (a, "batch=", " 366 ");
  EXPECT (a, "BATCH -");
  /* A stored message: the echo is the labeled reply. */
  wcs_test_client_send (a, "@label=four PRIVMSG #l :hi");
  EXPECT (a, "label=four", "PRIVMSG #l hi");
  /* An error. */
  wcs_test_client_send (a, "@label=five PART #nowhere");
  EXPECT (a, "@label=five ", " 403 ");

  wcs_test_client_close (f, a);
  wcs_test_server_free (server);
}

static void
test_chathistory (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, NULL);
  WcsTestClient *a =
      wcs_test_client_register (f, server->port, "alice",
                                "batch server-time message-tags draft/chathistory echo-message labeled-response");
  WcsTestClient *b =
      wcs_test_client_register (f, server->port, "bob", "batch server-time message-tags draft/chathistory");
  g_autofree char *msgid5 = NULL;
  const char *line;

  wcs_test_client_send (a, "JOIN #h");
  EXPECT (a, " 366 alice #h ");
  for (guint i = 1; i <= 10; i++)
    {
      wcs_test_client_send (a, "PRIVMSG #h :message %u", i);
      line = EXPECT (a, "PRIVMSG #h :message ");
      if (i == 5)
        {
          const char *id = strstr (line, "msgid=") + strlen ("msgid=");
          msgid5 = g_strndup (id, strcspn (id, "; "));
        }
    }
  wcs_test_client_send (a, "PRIVMSG bob :private 1");
  EXPECT (a, "PRIVMSG bob :private 1");

  wcs_test_client_send (a, "CHATHISTORY LATEST #h * 3");
  EXPECT (a, "BATCH +", "chathistory #h");
  EXPECT (a, "PRIVMSG #h :message 8");
  EXPECT (a, "PRIVMSG #h :message 9");
  EXPECT (a, "PRIVMSG #h :message 10");
  EXPECT (a, "BATCH -");

  wcs_test_client_send (a, "CHATHISTORY BEFORE #h msgid=%s 2", msgid5);
  EXPECT (a, "BATCH +");
  EXPECT (a, "PRIVMSG #h :message 3");
  EXPECT (a, "PRIVMSG #h :message 4");
  line = EXPECT (a, "BATCH");
  g_assert_nonnull (strstr (line, "BATCH -"));

  wcs_test_client_send (a, "CHATHISTORY AFTER #h msgid=%s 2", msgid5);
  EXPECT (a, "BATCH +");
  EXPECT (a, "PRIVMSG #h :message 6");
  EXPECT (a, "PRIVMSG #h :message 7");
  EXPECT (a, "BATCH -");

  wcs_test_client_send (a, "CHATHISTORY AROUND #h msgid=%s 3", msgid5);
  EXPECT (a, "BATCH +");
  EXPECT (a, "PRIVMSG #h :message 4");
  EXPECT (a, "PRIVMSG #h :message 5");
  EXPECT (a, "PRIVMSG #h :message 6");
  EXPECT (a, "BATCH -");

  /* Timestamps have millisecond precision: several messages may share one. */
  wcs_test_client_send (a, "CHATHISTORY AFTER #h timestamp=2000-01-01T00:00:00.000Z 1");
  EXPECT (a, "BATCH +");
  EXPECT (a, "PRIVMSG #h :message 1");
  EXPECT (a, "BATCH -");
  wcs_test_client_send (a, "CHATHISTORY BEFORE #h timestamp=2999-01-01T00:00:00.000Z 1");
  EXPECT (a, "BATCH +");
  EXPECT (a, "PRIVMSG #h :message 10");
  EXPECT (a, "BATCH -");
  wcs_test_client_send (a, "CHATHISTORY LATEST #h timestamp=2000-01-01T00:00:00.000Z 2");
  EXPECT (a, "BATCH +");
  EXPECT (a, "PRIVMSG #h :message 9");
  EXPECT (a, "PRIVMSG #h :message 10");
  EXPECT (a, "BATCH -");

  wcs_test_client_send (a, "CHATHISTORY BETWEEN #h msgid=%s timestamp=2999-01-01T00:00:00.000Z 100", msgid5);
  EXPECT (a, "BATCH +");
  EXPECT (a, "PRIVMSG #h :message 6");
  EXPECT (a, "PRIVMSG #h :message 10");
  EXPECT (a, "BATCH -");

  /* Private history, from both sides. */
  wcs_test_client_send (b, "CHATHISTORY LATEST alice * 10");
  EXPECT (b, "BATCH +", "chathistory alice");
  EXPECT (b, "PRIVMSG bob :private 1");
  EXPECT (b, "BATCH -");

  wcs_test_client_send (a,
                        "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00.000Z timestamp=2999-01-01T00:00:00.000Z 10");
  EXPECT (a, "BATCH +", "draft/chathistory-targets");
  EXPECT (a, "CHATHISTORY TARGETS #h ");
  EXPECT (a, "CHATHISTORY TARGETS bob ");
  EXPECT (a, "BATCH -");

  /* Errors. */
  wcs_test_client_send (b, "CHATHISTORY LATEST #h * 10");
  EXPECT (b, "FAIL CHATHISTORY INVALID_TARGET #h");
  wcs_test_client_send (a, "CHATHISTORY BEFORE #h * 10");
  EXPECT (a, "FAIL CHATHISTORY INVALID_PARAMS");
  wcs_test_client_send (a, "CHATHISTORY LATEST #h * notanumber");
  EXPECT (a, "FAIL CHATHISTORY INVALID_PARAMS");
  wcs_test_client_send (a, "CHATHISTORY FROB #h * 1");
  EXPECT (a, "FAIL CHATHISTORY INVALID_PARAMS");
  wcs_test_client_send (a, "CHATHISTORY LATEST #h");
  EXPECT (a, "FAIL CHATHISTORY NEED_MORE_PARAMS");
  /* A labeled CHATHISTORY nests its batch in the labeled-response one. */
  wcs_test_client_send (a, "@label=hl CHATHISTORY LATEST #h * 1");
  EXPECT (a, "@label=hl ", "BATCH +", "labeled-response");
  EXPECT (a, "@batch=", "BATCH +", "chathistory");
  EXPECT (a, "PRIVMSG #h :message 10");

  wcs_test_client_close (f, a);
  wcs_test_client_close (f, b);
  wcs_test_server_free (server);
}

static void
test_accounts (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, NULL);
  WcsTestClient *a = wcs_test_client_connect (f, server->port);
  WcsTestClient *b, *c, *d;
  g_autofree char *plain = NULL;
  g_autofree char *wrong = NULL;
  const char creds[] = "\0alice\0correct horse";
  const char bad[] = "\0alice\0wrong horse";

  wcs_test_client_send (a, "CAP LS 302");
  wcs_test_client_send (a, "CAP REQ :draft/account-registration account-notify");
  wcs_test_client_send (a, "NICK alice");
  wcs_test_client_send (a, "USER alice 0 * :Alice");
  EXPECT (a, "ACK");
  wcs_test_client_send (a, "REGISTER * * short");
  EXPECT (a, "FAIL REGISTER WEAK_PASSWORD alice");
  wcs_test_client_send (a, "REGISTER * * :correct horse");
  EXPECT (a, "REGISTER SUCCESS alice ");
  EXPECT (a, " 900 alice ", "alice");
  wcs_test_client_send (a, "CAP END");
  EXPECT (a, " 376 alice ");

  b = wcs_test_client_connect (f, server->port);
  wcs_test_client_send (b, "CAP REQ :draft/account-registration");
  wcs_test_client_send (b, "NICK alice2");
  wcs_test_client_send (b, "REGISTER alice * :another password");
  EXPECT (b, "FAIL REGISTER ACCOUNT_EXISTS alice");

  /* SASL PLAIN, with a wrong and then the right password. */
  c = wcs_test_client_connect (f, server->port);
  wcs_test_client_send (c, "CAP LS 302");
  wcs_test_client_send (c, "CAP REQ :sasl");
  wcs_test_client_send (c, "NICK sasluser");
  wcs_test_client_send (c, "USER s 0 * :S");
  EXPECT (c, "ACK sasl");
  wcs_test_client_send (c, "AUTHENTICATE EXTERNAL");
  EXPECT (c, " 908 sasluser PLAIN ");
  EXPECT (c, " 904 sasluser ");
  wcs_test_client_send (c, "AUTHENTICATE PLAIN");
  EXPECT (c, "AUTHENTICATE +");
  wrong = g_base64_encode ((const guchar *) bad, sizeof bad - 1);
  wcs_test_client_send (c, "AUTHENTICATE %s", wrong);
  EXPECT (c, " 904 sasluser ");
  wcs_test_client_send (c, "AUTHENTICATE PLAIN");
  EXPECT (c, "AUTHENTICATE +");
  plain = g_base64_encode ((const guchar *) creds, sizeof creds - 1);
  wcs_test_client_send (c, "AUTHENTICATE %s", plain);
  EXPECT (c, " 900 sasluser ", "alice");
  EXPECT (c, " 903 sasluser ");
  wcs_test_client_send (c, "AUTHENTICATE PLAIN");
  EXPECT (c, " 907 sasluser ");
  wcs_test_client_send (c, "CAP END");
  EXPECT (c, " 376 sasluser ");

  /* The account shows in WHOIS. */
  d = wcs_test_client_register (f, server->port, "dave", NULL);
  wcs_test_client_send (d, "WHOIS sasluser");
  EXPECT (d, " 330 dave sasluser alice ");
  EXPECT (d, " 318 dave sasluser ");

  /* Passwords are stored hashed, never in clear. */
  {
    g_autofree char *db = g_build_filename (server->data_dir, "history.db", NULL);
    g_autofree char *contents = NULL;
    gsize len = 0;

    wcs_test_wait_deferred (f, wcs_server_shutdown (server->server));
    g_assert_true (g_file_get_contents (db, &contents, &len, NULL));
    g_assert_null (memmem (contents, len, "correct horse", strlen ("correct horse")));
  }

  wcs_test_client_close (f, a);
  wcs_test_client_close (f, b);
  wcs_test_client_close (f, c);
  wcs_test_client_close (f, d);
  wcs_test_server_free (server);
}

static void
test_tls (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *cert = g_build_filename (server->data_dir, "tls-certificate.pem", NULL);
  WcsTestClient *a;

  /* No certificate configured: one is generated in the data directory. */
  g_assert_true (wcs_server_listen_irc (server->server, "tls:0:interface=127.0.0.1", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (cert, G_FILE_TEST_EXISTS));
  a = wcs_test_client_connect_tls (f, wcs_server_get_irc_port_n (server->server, 1), "irc.weft.local", cert);
  g_assert_false (a->lost);
  wcs_test_client_send (a, "NICK secure");
  wcs_test_client_send (a, "USER secure 0 * :Over TLS");
  EXPECT (a, " 001 secure ");
  wcs_test_client_send (a, "QUIT");
  EXPECT (a, "ERROR ");
  wcs_test_client_wait_lost (f, a);
  wcs_test_client_close (f, a);
  wcs_test_server_free (server);
}

static const ConformanceCase server_protocol_cases[] = {
  { "server/tls", test_tls, 0 },
  { "server/registration", test_registration, 0 },
  { "server/channels", test_channels, 0 },
  { "server/capabilities", test_capabilities, 0 },
  { "server/labeled-response", test_labeled_response, 0 },
  { "server/chathistory", test_chathistory, 0 },
  { "server/accounts", test_accounts, 0 },
  { NULL },
};

int
main (int argc, char **argv)
{
  const ConformanceCase *const tables[] = { server_protocol_cases };

  return conformance_main (argc, argv, tables, G_N_ELEMENTS (tables));
}
