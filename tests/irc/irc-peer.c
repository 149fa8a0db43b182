/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Recording IRC clients and the two-client scenario that runs against
 * ngircd (tests/irc/test-irc-ngircd.c) and against weft-chat-server
 * (demo-server/tests/test-server-interop.c). */
#include "irc-peer.h"

#include "ngircd-server.h"

static void
peer_event (IrcPeer *peer, char *text)
{
  g_ptr_array_add (peer->events, text);
}

static void
on_message (WeftIrcClient *c,
            WeftIrcMessage *m,
            const char *conversation,
            const char *nick,
            const char *text,
            WeftIrcMessageFlags flags,
            IrcPeer *peer)
{
  peer_event (peer, g_strdup_printf ("message %s %s %s", conversation, nick, text));
}

static void
on_joined (WeftIrcClient *c, WeftIrcChannel *ch, const char *nick, WeftIrcMessage *m, IrcPeer *peer)
{
  peer_event (peer, g_strdup_printf ("joined %s %s", weft_irc_channel_get_name (ch), nick));
}

static void
on_nick (WeftIrcClient *c, const char *old_nick, const char *new_nick, GStrv channels, WeftIrcMessage *m, IrcPeer *peer)
{
  peer_event (peer, g_strdup_printf ("nick %s %s", old_nick, new_nick));
}

static void
on_topic (WeftIrcClient *c, WeftIrcChannel *ch, const char *setter, const char *topic, WeftIrcMessage *m, IrcPeer *peer)
{
  peer_event (peer, g_strdup_printf ("topic %s %s %s", weft_irc_channel_get_name (ch), setter ? setter : "-",
                                     topic ? topic : "-"));
}

static void
on_quit (WeftIrcClient *c, const char *nick, const char *reason, GStrv channels, WeftIrcMessage *m, IrcPeer *peer)
{
  peer_event (peer, g_strdup_printf ("quit %s", nick));
}

static void
on_registered (WeftIrcClient *c, const char *nick, IrcPeer *peer)
{
  peer_event (peer, g_strdup_printf ("registered %s", nick));
}

static void
on_disconnected (WeftIrcClient *c, const GError *error, IrcPeer *peer)
{
  peer_event (peer, g_strdup ("disconnected"));
}

IrcPeer *
irc_peer_new_for_url (WeftReactor *reactor, const char *nick, const char *url)
{
  IrcPeer *peer = g_new0 (IrcPeer, 1);
  g_autoptr (GError) error = NULL;
  WeftReconnectingClientFactory *factory;

  peer->reactor = reactor;
  peer->client = weft_irc_client_new (reactor, nick);
  peer->events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (peer->client, "message-received", G_CALLBACK (on_message), peer);
  g_signal_connect (peer->client, "joined", G_CALLBACK (on_joined), peer);
  g_signal_connect (peer->client, "nick-changed", G_CALLBACK (on_nick), peer);
  g_signal_connect (peer->client, "topic-changed", G_CALLBACK (on_topic), peer);
  g_signal_connect (peer->client, "quit", G_CALLBACK (on_quit), peer);
  g_signal_connect (peer->client, "registered", G_CALLBACK (on_registered), peer);
  g_signal_connect (peer->client, "disconnected", G_CALLBACK (on_disconnected), peer);
  /* Reconnect quickly, without randomness, so that tests stay short. */
  factory = WEFT_RECONNECTING_CLIENT_FACTORY (weft_irc_client_get_factory (peer->client));
  weft_reconnecting_client_factory_set_initial_delay (factory, 50 * 1000);
  weft_reconnecting_client_factory_set_factor (factory, 1.5);
  weft_reconnecting_client_factory_set_max_delay (factory, 300 * 1000);
  weft_reconnecting_client_factory_set_jitter (factory, 0);
  g_assert_true (weft_irc_client_connect (peer->client, url, &error));
  g_assert_no_error (error);
  return peer;
}

IrcPeer *
irc_peer_new (WeftReactor *reactor, const char *nick, guint16 port)
{
  g_autofree char *url = g_strdup_printf ("irc://127.0.0.1:%u", port);
  return irc_peer_new_for_url (reactor, nick, url);
}

guint
irc_peer_count (IrcPeer *peer, const char *event)
{
  guint n = 0;

  for (guint i = 0; i < peer->events->len; i++)
    if (g_str_equal (g_ptr_array_index (peer->events, i), event))
      n++;
  return n;
}

typedef struct {
  IrcPeer *peer;
  const char *event;
} PeerWait;

static gboolean
peer_has (gpointer data)
{
  PeerWait *w = data;
  return irc_peer_count (w->peer, w->event) > 0;
}

void
irc_peer_wait (IrcPeer *peer, const char *event)
{
  PeerWait w = { peer, event };
  wait_until (peer->reactor, peer_has, &w, IRC_PEER_TIMEOUT, event);
}

static gboolean
peer_state_is (gpointer data)
{
  IrcPeer *peer = ((gpointer *) data)[0];
  return (int) weft_irc_client_get_state (peer->client) == GPOINTER_TO_INT (((gpointer *) data)[1]);
}

void
irc_peer_wait_state (IrcPeer *peer, WeftIrcClientState state)
{
  gpointer data[2] = { peer, GINT_TO_POINTER (state) };
  wait_until (peer->reactor, peer_state_is, data, IRC_PEER_TIMEOUT, "a client state");
}

void
irc_peer_free (IrcPeer *peer)
{
  if (weft_irc_client_get_state (peer->client) != WEFT_IRC_CLIENT_STATE_DISCONNECTED)
    {
      weft_irc_client_disconnect (peer->client, "done");
      irc_peer_wait_state (peer, WEFT_IRC_CLIENT_STATE_DISCONNECTED);
    }
  g_object_unref (peer->client);
  g_ptr_array_unref (peer->events);
  g_free (peer);
}

static gboolean
outgoing_done (gpointer data)
{
  return weft_irc_outgoing_is_done (data);
}

void
irc_scenario_two_clients (WeftReactor *reactor, guint16 port, const char *server_name)
{
  IrcPeer *alice = irc_peer_new (reactor, "alice", port);
  IrcPeer *bob = irc_peer_new (reactor, "bob", port);
  g_autoptr (WeftIrcOutgoing) out = NULL;
  WeftIrcChannel *channel;

  irc_peer_wait (alice, "registered alice");
  irc_peer_wait (bob, "registered bob");
  g_assert_true (weft_irc_client_has_capability (alice->client, "multi-prefix"));
  if (server_name != NULL)
    g_assert_cmpstr (weft_irc_client_get_server_name (alice->client), ==, server_name);
  /* A second "alice": the server says the nick is in use, the client
   * falls back. */
  {
    IrcPeer *twin = irc_peer_new (reactor, "alice", port);
    irc_peer_wait (twin, "registered alice_");
    g_assert_cmpstr (weft_irc_client_get_current_nick (twin->client), ==, "alice_");
    irc_peer_free (twin);
  }

  weft_irc_client_join (alice->client, "#weft", NULL);
  irc_peer_wait (alice, "joined #weft alice");
  weft_irc_client_join (bob->client, "#weft", NULL);
  irc_peer_wait (alice, "joined #weft bob");
  irc_peer_wait (bob, "joined #weft bob");
  channel = weft_irc_client_lookup_channel (alice->client, "#weft");
  g_assert_cmpuint (weft_irc_channel_get_n_members (channel), ==, 2);
  g_assert_cmpstr (weft_irc_member_get_prefix (weft_irc_channel_lookup_member (channel, "alice")), ==, "@");

  out = weft_irc_client_send_privmsg (alice->client, "#weft", "hello bob");
  irc_peer_wait (bob, "message #weft alice hello bob");
  /* Confirmed by its echo (echo-message) or, without it, by the PONG after it. */
  wait_until (reactor, outgoing_done, out, IRC_PEER_TIMEOUT, "the message to be confirmed");
  g_assert_cmpint (weft_irc_outgoing_get_state (out), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
  g_clear_object (&out);
  out = weft_irc_client_send_privmsg (bob->client, "alice", "hi alice");
  irc_peer_wait (alice, "message bob bob hi alice");

  weft_irc_client_set_nick (bob->client, "bobby");
  irc_peer_wait (alice, "nick bob bobby");
  irc_peer_wait (bob, "nick bob bobby");
  g_assert_cmpstr (weft_irc_client_get_current_nick (bob->client), ==, "bobby");
  g_assert_nonnull (weft_irc_channel_lookup_member (channel, "bobby"));

  weft_irc_client_set_topic (alice->client, "#weft", "Weft testing");
  irc_peer_wait (bob, "topic #weft alice Weft testing");
  g_assert_cmpstr (weft_irc_channel_get_topic (weft_irc_client_lookup_channel (bob->client, "#weft")), ==,
                   "Weft testing");

  weft_irc_client_disconnect (bob->client, "see you");
  irc_peer_wait (alice, "quit bobby");
  g_assert_null (weft_irc_channel_lookup_member (channel, "bobby"));

  irc_peer_free (bob);
  irc_peer_free (alice);
}
