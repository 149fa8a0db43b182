/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeftIrcClient against real ngircd servers, on every backend: two clients
 * on one server, a server restart with an outbox, two linked servers. */
#include <string.h>

#include <weft-irc/weft-irc.h>

#include "conformance.h"
#include "ngircd-server.h"
#include "tls-test-certs.h"

#define TIMEOUT 20.0

typedef struct {
  WeftIrcClient *client;
  GPtrArray *events;
} Peer;

typedef struct {
  Peer *peer;
  const char *event;
} PeerWait;

static void
peer_event (Peer *peer, char *text)
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
            Peer *peer)
{
  peer_event (peer, g_strdup_printf ("message %s %s %s", conversation, nick, text));
}

static void
on_joined (WeftIrcClient *c, WeftIrcChannel *ch, const char *nick, WeftIrcMessage *m, Peer *peer)
{
  peer_event (peer, g_strdup_printf ("joined %s %s", weft_irc_channel_get_name (ch), nick));
}

static void
on_nick (WeftIrcClient *c, const char *old_nick, const char *new_nick, GStrv channels, WeftIrcMessage *m, Peer *peer)
{
  peer_event (peer, g_strdup_printf ("nick %s %s", old_nick, new_nick));
}

static void
on_topic (WeftIrcClient *c, WeftIrcChannel *ch, const char *setter, const char *topic, WeftIrcMessage *m, Peer *peer)
{
  peer_event (peer, g_strdup_printf ("topic %s %s %s", weft_irc_channel_get_name (ch), setter ? setter : "-",
                                     topic ? topic : "-"));
}

static void
on_quit (WeftIrcClient *c, const char *nick, const char *reason, GStrv channels, WeftIrcMessage *m, Peer *peer)
{
  peer_event (peer, g_strdup_printf ("quit %s", nick));
}

static void
on_registered (WeftIrcClient *c, const char *nick, Peer *peer)
{
  peer_event (peer, g_strdup_printf ("registered %s", nick));
}

static void
on_disconnected (WeftIrcClient *c, const GError *error, Peer *peer)
{
  peer_event (peer, g_strdup ("disconnected"));
}

static Peer *
peer_new_for_url (ConformanceFixture *f, const char *nick, const char *url)
{
  Peer *peer = g_new0 (Peer, 1);
  g_autoptr (GError) error = NULL;
  WeftReconnectingClientFactory *factory;

  peer->client = weft_irc_client_new (f->reactor, nick);
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
  weft_reconnecting_client_factory_set_initial_delay (factory, 0.05);
  weft_reconnecting_client_factory_set_factor (factory, 1.5);
  weft_reconnecting_client_factory_set_max_delay (factory, 0.3);
  weft_reconnecting_client_factory_set_jitter (factory, 0);
  g_assert_true (weft_irc_client_connect (peer->client, url, &error));
  g_assert_no_error (error);
  return peer;
}

static Peer *
peer_new (ConformanceFixture *f, const char *nick, guint16 port)
{
  g_autofree char *url = g_strdup_printf ("irc://127.0.0.1:%u", port);
  return peer_new_for_url (f, nick, url);
}

static guint
peer_count (Peer *peer, const char *event)
{
  guint n = 0;

  for (guint i = 0; i < peer->events->len; i++)
    if (g_str_equal (g_ptr_array_index (peer->events, i), event))
      n++;
  return n;
}

static gboolean
peer_has (gpointer data)
{
  PeerWait *w = data;
  return peer_count (w->peer, w->event) > 0;
}

static void
peer_wait (ConformanceFixture *f, Peer *peer, const char *event)
{
  PeerWait w = { peer, event };
  wait_until (f->reactor, peer_has, &w, TIMEOUT, event);
}

typedef struct {
  Peer *peer;
  const char *channel;
  const char *nick;
} PeerMember;

static gboolean
peer_sees_member (gpointer data)
{
  PeerMember *m = data;
  WeftIrcChannel *channel = weft_irc_client_lookup_channel (m->peer->client, m->channel);

  return channel != NULL && weft_irc_channel_lookup_member (channel, m->nick) != NULL;
}

static gboolean
peer_state_is (gpointer data)
{
  Peer *peer = ((gpointer *) data)[0];
  return (int) weft_irc_client_get_state (peer->client) == GPOINTER_TO_INT (((gpointer *) data)[1]);
}

static void
peer_wait_state (ConformanceFixture *f, Peer *peer, WeftIrcClientState state)
{
  gpointer data[2] = { peer, GINT_TO_POINTER (state) };
  wait_until (f->reactor, peer_state_is, data, TIMEOUT, "a client state");
}

static gboolean
outgoing_done (gpointer data)
{
  return weft_irc_outgoing_is_done (data);
}

static void
peer_free (ConformanceFixture *f, Peer *peer)
{
  if (weft_irc_client_get_state (peer->client) != WEFT_IRC_CLIENT_STATE_DISCONNECTED)
    {
      weft_irc_client_disconnect (peer->client, "done");
      peer_wait_state (f, peer, WEFT_IRC_CLIENT_STATE_DISCONNECTED);
    }
  g_object_unref (peer->client);
  g_ptr_array_unref (peer->events);
  g_free (peer);
}

static gboolean
skip_without_ngircd (void)
{
  if (ngircd_available ())
    return FALSE;
  g_test_skip_printf ("ngircd is not installed (%s): the real-server tests need the Debian package ngircd",
                      ngircd_path ());
  return TRUE;
}

static void
test_two_clients (ConformanceFixture *f)
{
  NgircdServer *server;
  Peer *alice, *bob;
  g_autoptr (WeftIrcOutgoing) out = NULL;
  WeftIrcChannel *channel;

  if (skip_without_ngircd ())
    return;
  server = ngircd_server_new (f->reactor, "irc1.weft.test", ngircd_free_port (), NULL, 0, FALSE);
  ngircd_server_start (server);
  alice = peer_new (f, "alice", ngircd_server_get_port (server));
  bob = peer_new (f, "bob", ngircd_server_get_port (server));
  peer_wait (f, alice, "registered alice");
  peer_wait (f, bob, "registered bob");
  g_assert_true (weft_irc_client_has_capability (alice->client, "multi-prefix"));
  g_assert_cmpstr (weft_irc_client_get_server_name (alice->client), ==, "irc1.weft.test");
  /* A second "alice": the server says the nick is in use, the client
   * falls back. */
  {
    Peer *twin = peer_new (f, "alice", ngircd_server_get_port (server));
    peer_wait (f, twin, "registered alice_");
    g_assert_cmpstr (weft_irc_client_get_current_nick (twin->client), ==, "alice_");
    peer_free (f, twin);
  }

  weft_irc_client_join (alice->client, "#weft", NULL);
  peer_wait (f, alice, "joined #weft alice");
  weft_irc_client_join (bob->client, "#weft", NULL);
  peer_wait (f, alice, "joined #weft bob");
  peer_wait (f, bob, "joined #weft bob");
  channel = weft_irc_client_lookup_channel (alice->client, "#weft");
  g_assert_cmpuint (weft_irc_channel_get_n_members (channel), ==, 2);
  g_assert_cmpstr (weft_irc_member_get_prefix (weft_irc_channel_lookup_member (channel, "alice")), ==, "@");

  out = weft_irc_client_send_privmsg (alice->client, "#weft", "hello bob");
  peer_wait (f, bob, "message #weft alice hello bob");
  /* Without echo-message, the PONG after it confirms it. */
  wait_until (f->reactor, outgoing_done, out, TIMEOUT, "the message to be confirmed");
  g_assert_cmpint (weft_irc_outgoing_get_state (out), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);
  g_clear_object (&out);
  out = weft_irc_client_send_privmsg (bob->client, "alice", "hi alice");
  peer_wait (f, alice, "message bob bob hi alice");

  weft_irc_client_set_nick (bob->client, "bobby");
  peer_wait (f, alice, "nick bob bobby");
  peer_wait (f, bob, "nick bob bobby");
  g_assert_cmpstr (weft_irc_client_get_current_nick (bob->client), ==, "bobby");
  g_assert_nonnull (weft_irc_channel_lookup_member (channel, "bobby"));

  weft_irc_client_set_topic (alice->client, "#weft", "Weft testing");
  peer_wait (f, bob, "topic #weft alice Weft testing");
  g_assert_cmpstr (weft_irc_channel_get_topic (weft_irc_client_lookup_channel (bob->client, "#weft")), ==,
                   "Weft testing");

  weft_irc_client_disconnect (bob->client, "see you");
  peer_wait (f, alice, "quit bobby");
  g_assert_null (weft_irc_channel_lookup_member (channel, "bobby"));

  peer_free (f, bob);
  peer_free (f, alice);
  ngircd_server_free (server);
}

static void
test_restart_outbox (ConformanceFixture *f)
{
  NgircdServer *server;
  Peer *alice, *bob;
  g_autoptr (WeftIrcOutgoing) queued = NULL;
  g_autoptr (WeftIrcOutgoing) marker = NULL;
  WeftReconnectingClientFactory *alice_factory;

  if (skip_without_ngircd ())
    return;
  server = ngircd_server_new (f->reactor, "irc1.weft.test", ngircd_free_port (), NULL, 0, FALSE);
  ngircd_server_start (server);
  alice = peer_new (f, "alice", ngircd_server_get_port (server));
  bob = peer_new (f, "bob", ngircd_server_get_port (server));
  weft_irc_client_join (alice->client, "#weft", NULL);
  weft_irc_client_join (bob->client, "#weft", NULL);
  peer_wait (f, alice, "joined #weft alice");
  peer_wait (f, bob, "joined #weft bob");

  /* Alice waits for a nudge before reconnecting, so that Bob is back in
   * the channel first and sees what she sends. */
  alice_factory = WEFT_RECONNECTING_CLIENT_FACTORY (weft_irc_client_get_factory (alice->client));
  weft_reconnecting_client_factory_set_initial_delay (alice_factory, 3600);
  weft_reconnecting_client_factory_set_max_delay (alice_factory, 3600);

  ngircd_server_stop (server);
  peer_wait (f, alice, "disconnected");
  peer_wait (f, bob, "disconnected");
  g_assert_cmpint (weft_irc_client_get_state (alice->client), ==, WEFT_IRC_CLIENT_STATE_WAITING);
  g_assert_false (weft_irc_channel_get_joined (weft_irc_client_lookup_channel (alice->client, "#weft")));

  queued = weft_irc_client_send_privmsg (alice->client, "#weft", "sent while the server was down");
  g_assert_cmpint (weft_irc_outgoing_get_state (queued), ==, WEFT_IRC_OUTGOING_STATE_QUEUED);

  /* Bob reconnects by himself and rejoins. */
  g_ptr_array_set_size (bob->events, 0);
  ngircd_server_start (server);
  peer_wait (f, bob, "registered bob");
  peer_wait (f, bob, "joined #weft bob");
  g_assert_cmpint (weft_irc_outgoing_get_state (queued), ==, WEFT_IRC_OUTGOING_STATE_QUEUED);

  weft_reconnecting_client_factory_set_max_delay (alice_factory, 0.01);
  weft_reconnecting_client_factory_retry (alice_factory, NULL);
  peer_wait (f, bob, "joined #weft alice");
  peer_wait (f, bob, "message #weft alice sent while the server was down");
  wait_until (f->reactor, outgoing_done, queued, TIMEOUT, "the queued message to be confirmed");
  g_assert_cmpint (weft_irc_outgoing_get_state (queued), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);

  /* Delivered once: a later message arrives, the queued one did not again. */
  marker = weft_irc_client_send_privmsg (alice->client, "#weft", "marker");
  peer_wait (f, bob, "message #weft alice marker");
  g_assert_cmpuint (peer_count (bob, "message #weft alice sent while the server was down"), ==, 1);
  g_assert_cmpuint (weft_irc_outgoing_get_n_attempts (queued), ==, 1);

  peer_free (f, bob);
  peer_free (f, alice);
  ngircd_server_free (server);
}

static void
test_linked_servers (ConformanceFixture *f)
{
  NgircdServer *hub, *leaf;
  Peer *alice, *bob;
  guint16 hub_port, leaf_port;
  g_autoptr (WeftIrcOutgoing) a = NULL;
  g_autoptr (WeftIrcOutgoing) b = NULL;
  g_autoptr (WeftIrcOutgoing) c = NULL;

  if (skip_without_ngircd ())
    return;
  hub_port = ngircd_free_port ();
  leaf_port = ngircd_free_port ();
  /* The passive one listens first; the other connects to it at start. */
  hub = ngircd_server_new (f->reactor, "hub.weft.test", hub_port, "leaf.weft.test", leaf_port, TRUE);
  leaf = ngircd_server_new (f->reactor, "leaf.weft.test", leaf_port, "hub.weft.test", hub_port, FALSE);
  ngircd_server_start (hub);
  ngircd_server_start (leaf);
  alice = peer_new (f, "alice", hub_port);
  bob = peer_new (f, "bob", leaf_port);
  peer_wait (f, alice, "registered alice");
  peer_wait (f, bob, "registered bob");
  g_assert_cmpstr (weft_irc_client_get_server_name (alice->client), ==, "hub.weft.test");
  g_assert_cmpstr (weft_irc_client_get_server_name (bob->client), ==, "leaf.weft.test");

  weft_irc_client_join (alice->client, "#linked", NULL);
  peer_wait (f, alice, "joined #linked alice");
  weft_irc_client_join (bob->client, "#linked", NULL);
  /* Alice sees Bob's JOIN come over the link (at once, or when the servers
   * finish linking); Bob sees Alice in the channel. */
  peer_wait (f, alice, "joined #linked bob");
  {
    PeerMember m = { bob, "#linked", "alice" };
    wait_until (f->reactor, peer_sees_member, &m, TIMEOUT, "alice in bob's #linked");
  }

  a = weft_irc_client_send_privmsg (alice->client, "#linked", "hello from the hub");
  peer_wait (f, bob, "message #linked alice hello from the hub");
  b = weft_irc_client_send_privmsg (bob->client, "#linked", "hello from the leaf");
  peer_wait (f, alice, "message #linked bob hello from the leaf");
  c = weft_irc_client_send_privmsg (bob->client, "alice", "a private word");
  peer_wait (f, alice, "message bob bob a private word");
  g_clear_object (&c);
  c = weft_irc_client_send_privmsg (alice->client, "bob", "and one back");
  peer_wait (f, bob, "message alice alice and one back");
  wait_until (f->reactor, outgoing_done, c, TIMEOUT, "the private message to be confirmed");
  g_assert_cmpint (weft_irc_outgoing_get_state (c), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);

  peer_free (f, bob);
  peer_free (f, alice);
  ngircd_server_free (leaf);
  ngircd_server_free (hub);
}

static void
test_tls (ConformanceFixture *f)
{
  g_autoptr (TlsTestCerts) certs = NULL;
  NgircdServer *server;
  Peer *alice, *bob;
  g_autofree char *url = NULL;
  g_autoptr (WeftIrcOutgoing) out = NULL;
  guint16 tls_port;

  if (skip_without_ngircd ())
    return;
  certs = tls_test_certs_new ();
  tls_port = ngircd_free_port ();
  server = ngircd_server_new (f->reactor, "irc1.weft.test", ngircd_free_port (), NULL, 0, FALSE);
  ngircd_server_add_tls (server, tls_port, certs->server_cert, certs->leaf_key);
  ngircd_server_start (server);
  /* Alice over TLS (ircs://, checking the server's certificate), Bob in
   * the clear, in one channel. */
  url = g_strdup_printf ("ircs://127.0.0.1:%u?ca=%s", tls_port, certs->ca_cert);
  alice = peer_new_for_url (f, "alice", url);
  bob = peer_new (f, "bob", ngircd_server_get_port (server));
  peer_wait (f, alice, "registered alice");
  peer_wait (f, bob, "registered bob");
  weft_irc_client_join (alice->client, "#secure", NULL);
  peer_wait (f, alice, "joined #secure alice");
  weft_irc_client_join (bob->client, "#secure", NULL);
  peer_wait (f, alice, "joined #secure bob");
  out = weft_irc_client_send_privmsg (alice->client, "#secure", "over TLS");
  peer_wait (f, bob, "message #secure alice over TLS");
  g_clear_object (&out);
  out = weft_irc_client_send_privmsg (bob->client, "#secure", "in the clear");
  peer_wait (f, alice, "message #secure bob in the clear");

  peer_free (f, bob);
  peer_free (f, alice);
  ngircd_server_free (server);
}

static const ConformanceCase ngircd_cases[] = {
  { "irc/ngircd/two-clients", test_two_clients, 0 },
  { "irc/ngircd/restart-outbox", test_restart_outbox, 0 },
  { "irc/ngircd/linked-servers", test_linked_servers, 0 },
  { "irc/ngircd/tls", test_tls, 0 },
  { NULL },
};

int
main (int argc, char **argv)
{
  const ConformanceCase *const tables[] = { ngircd_cases };

  return conformance_main (argc, argv, tables, G_N_ELEMENTS (tables));
}
