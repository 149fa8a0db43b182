/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "irc-client-test-util.h"

#include <string.h>

static void
add_event (IrcFixture *f, char *text)
{
  g_ptr_array_add (f->events, text);
}

static void
on_message (WeftIrcClient *c,
            WeftIrcMessage *m,
            const char *conversation,
            const char *nick,
            const char *text,
            WeftIrcMessageFlags flags,
            IrcFixture *f)
{
  add_event (f, g_strdup_printf ("message %s %s %s 0x%x", conversation ? conversation : "(null)",
                                 nick ? nick : "(null)", text, flags));
}

static void
on_joined (WeftIrcClient *c, WeftIrcChannel *ch, const char *nick, WeftIrcMessage *m, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("joined %s %s", weft_irc_channel_get_name (ch), nick));
}

static void
on_parted (WeftIrcClient *c, WeftIrcChannel *ch, const char *nick, const char *reason, WeftIrcMessage *m, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("parted %s %s %s", weft_irc_channel_get_name (ch), nick, reason ? reason : "(null)"));
}

static void
on_kicked (WeftIrcClient *c,
           WeftIrcChannel *ch,
           const char *nick,
           const char *by,
           const char *reason,
           WeftIrcMessage *m,
           IrcFixture *f)
{
  add_event (f, g_strdup_printf ("kicked %s %s %s %s", weft_irc_channel_get_name (ch), nick, by, reason));
}

static void
on_quit (WeftIrcClient *c, const char *nick, const char *reason, GStrv channels, WeftIrcMessage *m, IrcFixture *f)
{
  g_autofree char *joined = g_strjoinv (",", channels);
  add_event (f, g_strdup_printf ("quit %s %s %s", nick, reason ? reason : "(null)", joined));
}

static void
on_nick (WeftIrcClient *c, const char *old_nick, const char *new_nick, GStrv channels, WeftIrcMessage *m, IrcFixture *f)
{
  g_autofree char *joined = g_strjoinv (",", channels);
  add_event (f, g_strdup_printf ("nick %s %s %s", old_nick, new_nick, joined));
}

static void
on_topic (WeftIrcClient *c, WeftIrcChannel *ch, const char *setter, const char *topic, WeftIrcMessage *m, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("topic %s %s %s", weft_irc_channel_get_name (ch), setter ? setter : "(null)",
                                 topic ? topic : "(null)"));
}

static void
on_mode (WeftIrcClient *c,
         const char *target,
         const char *setter,
         const char *modes,
         GStrv args,
         WeftIrcMessage *m,
         IrcFixture *f)
{
  g_autofree char *joined = g_strjoinv (" ", args);
  add_event (f, g_strdup_printf ("mode %s %s %s %s", target, setter, modes, joined));
}

static void
on_invited (WeftIrcClient *c,
            const char *inviter,
            const char *nick,
            const char *channel,
            WeftIrcMessage *m,
            IrcFixture *f)
{
  add_event (f, g_strdup_printf ("invited %s %s %s", inviter, nick, channel));
}

static void
on_away (WeftIrcClient *c, const char *nick, const char *message, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("away %s %s", nick, message ? message : "(null)"));
}

static void
on_account (WeftIrcClient *c, const char *nick, const char *account, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("account %s %s", nick, account ? account : "(null)"));
}

static void
on_host (WeftIrcClient *c, const char *nick, const char *user, const char *host, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("host %s %s %s", nick, user, host));
}

static void
on_realname (WeftIrcClient *c, const char *nick, const char *realname, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("realname %s %s", nick, realname));
}

static void
on_error (WeftIrcClient *c, guint numeric, const char *text, WeftIrcMessage *m, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("error %u %s", numeric, text));
}

static void
on_registered (WeftIrcClient *c, const char *nick, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("registered %s", nick));
}

static void
on_disconnected (WeftIrcClient *c, const GError *error, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("disconnected %s", error->message));
}

static void
on_ctcp_request (WeftIrcClient *c,
                 const char *nick,
                 const char *target,
                 const char *command,
                 const char *args,
                 IrcFixture *f)
{
  add_event (f, g_strdup_printf ("ctcp-request %s %s %s %s", nick, target, command, args ? args : "(null)"));
}

static void
on_ctcp_reply (WeftIrcClient *c, const char *nick, const char *command, const char *args, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("ctcp-reply %s %s %s", nick, command, args ? args : "(null)"));
}

static void
on_history (WeftIrcClient *c, const char *conversation, guint n, IrcFixture *f)
{
  add_event (f, g_strdup_printf ("history %s %u", conversation, n));
}

static void
on_line_sent (WeftIrcClient *c, const char *line, IrcFixture *f)
{
  g_printerr ("-> %s\n", line);
}

static void
on_line_received (WeftIrcClient *c, WeftIrcMessage *m, IrcFixture *f)
{
  g_autofree char *line = weft_irc_message_to_string (m, NULL);
  g_printerr ("<- %s\n", line);
}

void
irc_fixture_set_up (IrcFixture *f, gconstpointer data)
{
  f->clock = weft_test_clock_new ();
  f->client = weft_irc_client_new (f->clock, "alice");
  weft_irc_client_set_flood_control (f->client, 1, 0);
  f->events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->client, "message-received", G_CALLBACK (on_message), f);
  g_signal_connect (f->client, "joined", G_CALLBACK (on_joined), f);
  g_signal_connect (f->client, "parted", G_CALLBACK (on_parted), f);
  g_signal_connect (f->client, "kicked", G_CALLBACK (on_kicked), f);
  g_signal_connect (f->client, "quit", G_CALLBACK (on_quit), f);
  g_signal_connect (f->client, "nick-changed", G_CALLBACK (on_nick), f);
  g_signal_connect (f->client, "topic-changed", G_CALLBACK (on_topic), f);
  g_signal_connect (f->client, "mode-changed", G_CALLBACK (on_mode), f);
  g_signal_connect (f->client, "invited", G_CALLBACK (on_invited), f);
  g_signal_connect (f->client, "away-changed", G_CALLBACK (on_away), f);
  g_signal_connect (f->client, "account-changed", G_CALLBACK (on_account), f);
  g_signal_connect (f->client, "host-changed", G_CALLBACK (on_host), f);
  g_signal_connect (f->client, "realname-changed", G_CALLBACK (on_realname), f);
  g_signal_connect (f->client, "error-received", G_CALLBACK (on_error), f);
  g_signal_connect (f->client, "registered", G_CALLBACK (on_registered), f);
  g_signal_connect (f->client, "disconnected", G_CALLBACK (on_disconnected), f);
  g_signal_connect (f->client, "ctcp-request", G_CALLBACK (on_ctcp_request), f);
  g_signal_connect (f->client, "ctcp-reply", G_CALLBACK (on_ctcp_reply), f);
  g_signal_connect (f->client, "history-received", G_CALLBACK (on_history), f);
  if (g_getenv ("IRC_TEST_TRACE") != NULL)
    {
      g_signal_connect (f->client, "line-sent", G_CALLBACK (on_line_sent), f);
      g_signal_connect (f->client, "line-received", G_CALLBACK (on_line_received), f);
    }
}

void
irc_fixture_tear_down (IrcFixture *f, gconstpointer data)
{
  if (f->transport != NULL && !weft_string_transport_is_lost (f->transport))
    weft_string_transport_connection_lost (f->transport, NULL);
  g_clear_object (&f->transport);
  g_clear_object (&f->link);
  g_clear_object (&f->client);
  g_ptr_array_unref (f->events);
  g_assert_cmpuint (weft_reactor_get_n_timers (f->clock), ==, 0);
  g_clear_object (&f->clock);
}

void
irc_fixture_connect (IrcFixture *f)
{
  g_clear_object (&f->transport);
  g_clear_object (&f->link);
  f->transport = weft_string_transport_new ();
  f->link = weft_factory_build_protocol (WEFT_FACTORY (weft_irc_client_get_factory (f->client)), NULL);
  weft_string_transport_connect (f->transport, f->link);
}

void
irc_fixture_drop (IrcFixture *f)
{
  g_autoptr (GError) error = g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_LOST, "Connection was lost.");

  weft_string_transport_connection_lost (f->transport, error);
}

void
irc_fixture_server (IrcFixture *f, const char *line)
{
  g_autofree char *crlf = g_strdup_printf ("%s\r\n", line);

  weft_string_transport_receive (f->transport, crlf, -1);
}

GPtrArray *
irc_fixture_take (IrcFixture *f)
{
  gsize len;
  const char *data = weft_string_transport_peek_string (f->transport, &len);
  g_autofree char *copy = g_strndup (data, len);
  g_auto (GStrv) parts = g_strsplit (copy, "\r\n", -1);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (lines, g_strdup (parts[i]));
  weft_string_transport_clear (f->transport);
  return lines;
}

void
irc_fixture_expect (IrcFixture *f, ...)
{
  g_autoptr (GPtrArray) lines = irc_fixture_take (f);
  va_list ap;
  const char *want;
  guint i = 0;

  va_start (ap, f);
  while ((want = va_arg (ap, const char *)) != NULL)
    {
      if (i >= lines->len)
        g_error ("expected “%s”, the client wrote nothing more", want);
      g_assert_cmpstr (g_ptr_array_index (lines, i), ==, want);
      i++;
    }
  va_end (ap);
  if (i < lines->len)
    g_error ("the client also wrote “%s”", (char *) g_ptr_array_index (lines, i));
}

gboolean
irc_lines_contain (GPtrArray *lines, const char *line)
{
  for (guint i = 0; i < lines->len; i++)
    if (g_str_equal (g_ptr_array_index (lines, i), line))
      return TRUE;
  return FALSE;
}

guint
irc_lines_count_prefix (GPtrArray *lines, const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (lines, i), prefix))
      n++;
  return n;
}

void
irc_fixture_register (IrcFixture *f, const char *caps)
{
  g_autoptr (GPtrArray) lines = NULL;
  g_autofree char *nick = g_strdup (weft_irc_client_get_current_nick (f->client));
  g_autofree char *welcome = NULL;

  irc_fixture_connect (f);
  lines = irc_fixture_take (f);
  g_assert_true (irc_lines_contain (lines, "CAP LS 302"));
  if (caps != NULL && *caps != '\0')
    {
      g_autofree char *ls = g_strdup_printf (":irc.test CAP * LS :%s", caps);
      g_autoptr (GPtrArray) req = NULL;

      irc_fixture_server (f, ls);
      req = irc_fixture_take (f);
      for (guint i = 0; i < req->len; i++)
        {
          const char *line = g_ptr_array_index (req, i);
          if (g_str_has_prefix (line, "CAP REQ :") || g_str_has_prefix (line, "CAP REQ "))
            {
              const char *list = line + strlen ("CAP REQ ");
              g_autofree char *ack = NULL;
              if (*list == ':')
                list++;
              ack = g_strdup_printf (":irc.test CAP * ACK :%s", list);
              irc_fixture_server (f, ack);
            }
        }
      g_ptr_array_unref (irc_fixture_take (f));
    }
  else
    irc_fixture_server (f, ":irc.test 421 * CAP :Unknown command");
  welcome = g_strdup_printf (":irc.test 001 %s :Welcome", nick);
  irc_fixture_server (f, welcome);
  irc_fixture_server (f, ":irc.test 005 alice CHANTYPES=# PREFIX=(qaohv)~&@%+ CHANMODES=beI,k,l,imnpst "
                         "NETWORK=TestNet CASEMAPPING=rfc1459 :are supported");
  g_assert_cmpint (weft_irc_client_get_state (f->client), ==, WEFT_IRC_CLIENT_STATE_REGISTERED);
  g_ptr_array_unref (irc_fixture_take (f));
}

gboolean
irc_fixture_has_event (IrcFixture *f, const char *event)
{
  for (guint i = 0; i < f->events->len; i++)
    if (g_str_equal (g_ptr_array_index (f->events, i), event))
      return TRUE;
  return FALSE;
}

void
irc_fixture_clear_events (IrcFixture *f)
{
  g_ptr_array_set_size (f->events, 0);
}
