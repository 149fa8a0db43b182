/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A libweft-irc client driven over stdin/stdout, for the browser test:
 *   wcs-irc-agent PORT NICK CHANNEL
 * prints "ready" once in CHANNEL, then "message CHANNEL NICK TEXT" for
 * every message; each line on stdin is sent to CHANNEL. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <weft-irc/weft-irc.h>

#define AGENT_TYPE_INPUT (agent_input_get_type ())
G_DECLARE_FINAL_TYPE (AgentInput, agent_input, AGENT, INPUT, WeftLineReceiver)

struct _AgentInput {
  WeftLineReceiver parent_instance;
  WeftIrcClient *client;
  const char *channel;
  WeftReactor *reactor;
};

G_DEFINE_FINAL_TYPE (AgentInput, agent_input, WEFT_TYPE_LINE_RECEIVER)

static void
agent_input_line_received (WeftLineReceiver *receiver, const char *line, gsize len)
{
  AgentInput *self = AGENT_INPUT (receiver);
  g_autofree char *text = g_strndup (line, len);
  g_autoptr (WeftIrcOutgoing) out = weft_irc_client_send_privmsg (self->client, self->channel, g_strchomp (text));
}

static void
agent_input_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  AgentInput *self = AGENT_INPUT (protocol);

  weft_irc_client_disconnect (self->client, "stdin closed");
  weft_reactor_stop (self->reactor);
  WEFT_PROTOCOL_CLASS (agent_input_parent_class)->connection_lost (protocol, reason);
}

static void
agent_input_class_init (AgentInputClass *klass)
{
  WEFT_LINE_RECEIVER_CLASS (klass)->line_received = agent_input_line_received;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = agent_input_connection_lost;
}

static void
agent_input_init (AgentInput *self)
{
  weft_line_receiver_set_delimiter (WEFT_LINE_RECEIVER (self), "\n");
}

static void
on_message (WeftIrcClient *c,
            WeftIrcMessage *m,
            const char *conversation,
            const char *nick,
            const char *text,
            WeftIrcMessageFlags flags,
            gpointer user_data)
{
  printf ("message %s %s %s\n", conversation, nick, text);
  fflush (stdout);
}

static void
on_joined (WeftIrcClient *c, WeftIrcChannel *ch, const char *nick, WeftIrcMessage *m, gpointer user_data)
{
  if (g_str_equal (nick, weft_irc_client_get_current_nick (c)))
    printf ("ready\n");
  else
    printf ("joined %s\n", nick);
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  g_autoptr (WeftIrcClient) client = NULL;
  g_autoptr (AgentInput) input = NULL;
  g_autoptr (WeftStdio) stdio = NULL;
  g_autofree char *url = NULL;

  if (argc != 4)
    {
      g_printerr ("usage: wcs-irc-agent PORT NICK CHANNEL\n");
      return 2;
    }
  reactor = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NONE, &error);
  g_assert_no_error (error);
  client = weft_irc_client_new (reactor, argv[2]);
  g_signal_connect (client, "message-received", G_CALLBACK (on_message), NULL);
  g_signal_connect (client, "joined", G_CALLBACK (on_joined), NULL);
  url = g_strdup_printf ("irc://127.0.0.1:%s", argv[1]);
  if (!weft_irc_client_connect (client, url, &error))
    {
      g_printerr ("wcs-irc-agent: %s\n", error->message);
      return 1;
    }
  weft_irc_client_join (client, argv[3], NULL);

  input = g_object_new (AGENT_TYPE_INPUT, NULL);
  input->client = client;
  input->channel = argv[3];
  input->reactor = reactor;
  stdio = weft_stdio_new (reactor, WEFT_PROTOCOL (input), &error);
  g_assert_no_error (error);
  weft_reactor_run (reactor);
  return 0;
}
