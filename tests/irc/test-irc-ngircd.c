/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeftIrcClient against real ngircd servers, on every backend: two clients
 * on one server (the scenario of irc-peer.c, which also runs against
 * weft-chat-server), a server restart with an outbox, two linked servers. */
#include <string.h>

#include <weft-irc/weft-irc.h>

#include "conformance.h"
#include "irc-peer.h"
#include "ngircd-server.h"
#include "tls-test-certs.h"

#define TIMEOUT IRC_PEER_TIMEOUT

typedef struct {
  IrcPeer *peer;
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
outgoing_done (gpointer data)
{
  return weft_irc_outgoing_is_done (data);
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

  if (skip_without_ngircd ())
    return;
  server = ngircd_server_new (f->reactor, "irc1.weft.test", ngircd_free_port (), NULL, 0, FALSE);
  ngircd_server_start (server);
  irc_scenario_two_clients (f->reactor, ngircd_server_get_port (server), "irc1.weft.test");
  ngircd_server_free (server);
}

static void
test_restart_outbox (ConformanceFixture *f)
{
  NgircdServer *server;
  IrcPeer *alice, *bob;
  g_autoptr (WeftIrcOutgoing) queued = NULL;
  g_autoptr (WeftIrcOutgoing) marker = NULL;
  WeftReconnectingClientFactory *alice_factory;

  if (skip_without_ngircd ())
    return;
  server = ngircd_server_new (f->reactor, "irc1.weft.test", ngircd_free_port (), NULL, 0, FALSE);
  ngircd_server_start (server);
  alice = irc_peer_new (f->reactor, "alice", ngircd_server_get_port (server));
  bob = irc_peer_new (f->reactor, "bob", ngircd_server_get_port (server));
  weft_irc_client_join (alice->client, "#weft", NULL);
  weft_irc_client_join (bob->client, "#weft", NULL);
  irc_peer_wait (alice, "joined #weft alice");
  irc_peer_wait (bob, "joined #weft bob");

  /* Alice waits for a nudge before reconnecting, so that Bob is back in
   * the channel first and sees what she sends. */
  alice_factory = WEFT_RECONNECTING_CLIENT_FACTORY (weft_irc_client_get_factory (alice->client));
  weft_reconnecting_client_factory_set_initial_delay (alice_factory, 3600 * WEFT_USEC_PER_SEC);
  weft_reconnecting_client_factory_set_max_delay (alice_factory, 3600 * WEFT_USEC_PER_SEC);

  ngircd_server_stop (server);
  irc_peer_wait (alice, "disconnected");
  irc_peer_wait (bob, "disconnected");
  g_assert_cmpint (weft_irc_client_get_state (alice->client), ==, WEFT_IRC_CLIENT_STATE_WAITING);
  g_assert_false (weft_irc_channel_get_joined (weft_irc_client_lookup_channel (alice->client, "#weft")));

  queued = weft_irc_client_send_privmsg (alice->client, "#weft", "sent while the server was down");
  g_assert_cmpint (weft_irc_outgoing_get_state (queued), ==, WEFT_IRC_OUTGOING_STATE_QUEUED);

  /* Bob reconnects by himself and rejoins. */
  g_ptr_array_set_size (bob->events, 0);
  ngircd_server_start (server);
  irc_peer_wait (bob, "registered bob");
  irc_peer_wait (bob, "joined #weft bob");
  g_assert_cmpint (weft_irc_outgoing_get_state (queued), ==, WEFT_IRC_OUTGOING_STATE_QUEUED);

  weft_reconnecting_client_factory_set_max_delay (alice_factory, 10 * 1000);
  weft_reconnecting_client_factory_retry (alice_factory, NULL);
  irc_peer_wait (bob, "joined #weft alice");
  irc_peer_wait (bob, "message #weft alice sent while the server was down");
  wait_until (f->reactor, outgoing_done, queued, TIMEOUT, "the queued message to be confirmed");
  g_assert_cmpint (weft_irc_outgoing_get_state (queued), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);

  /* Delivered once: a later message arrives, the queued one did not again. */
  marker = weft_irc_client_send_privmsg (alice->client, "#weft", "marker");
  irc_peer_wait (bob, "message #weft alice marker");
  g_assert_cmpuint (irc_peer_count (bob, "message #weft alice sent while the server was down"), ==, 1);
  g_assert_cmpuint (weft_irc_outgoing_get_n_attempts (queued), ==, 1);

  irc_peer_free (bob);
  irc_peer_free (alice);
  ngircd_server_free (server);
}

static void
test_linked_servers (ConformanceFixture *f)
{
  NgircdServer *hub, *leaf;
  IrcPeer *alice, *bob;
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
  alice = irc_peer_new (f->reactor, "alice", hub_port);
  bob = irc_peer_new (f->reactor, "bob", leaf_port);
  irc_peer_wait (alice, "registered alice");
  irc_peer_wait (bob, "registered bob");
  g_assert_cmpstr (weft_irc_client_get_server_name (alice->client), ==, "hub.weft.test");
  g_assert_cmpstr (weft_irc_client_get_server_name (bob->client), ==, "leaf.weft.test");

  weft_irc_client_join (alice->client, "#linked", NULL);
  irc_peer_wait (alice, "joined #linked alice");
  weft_irc_client_join (bob->client, "#linked", NULL);
  /* Alice sees Bob's JOIN come over the link (at once, or when the servers
   * finish linking); Bob sees Alice in the channel. */
  irc_peer_wait (alice, "joined #linked bob");
  {
    PeerMember m = { bob, "#linked", "alice" };
    wait_until (f->reactor, peer_sees_member, &m, TIMEOUT, "alice in bob's #linked");
  }

  a = weft_irc_client_send_privmsg (alice->client, "#linked", "hello from the hub");
  irc_peer_wait (bob, "message #linked alice hello from the hub");
  b = weft_irc_client_send_privmsg (bob->client, "#linked", "hello from the leaf");
  irc_peer_wait (alice, "message #linked bob hello from the leaf");
  c = weft_irc_client_send_privmsg (bob->client, "alice", "a private word");
  irc_peer_wait (alice, "message bob bob a private word");
  g_clear_object (&c);
  c = weft_irc_client_send_privmsg (alice->client, "bob", "and one back");
  irc_peer_wait (bob, "message alice alice and one back");
  wait_until (f->reactor, outgoing_done, c, TIMEOUT, "the private message to be confirmed");
  g_assert_cmpint (weft_irc_outgoing_get_state (c), ==, WEFT_IRC_OUTGOING_STATE_CONFIRMED);

  irc_peer_free (bob);
  irc_peer_free (alice);
  ngircd_server_free (leaf);
  ngircd_server_free (hub);
}

static void
test_tls (ConformanceFixture *f)
{
  g_autoptr (TlsTestCerts) certs = NULL;
  NgircdServer *server;
  IrcPeer *alice, *bob;
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
  alice = irc_peer_new_for_url (f->reactor, "alice", url);
  bob = irc_peer_new (f->reactor, "bob", ngircd_server_get_port (server));
  irc_peer_wait (alice, "registered alice");
  irc_peer_wait (bob, "registered bob");
  weft_irc_client_join (alice->client, "#secure", NULL);
  irc_peer_wait (alice, "joined #secure alice");
  weft_irc_client_join (bob->client, "#secure", NULL);
  irc_peer_wait (alice, "joined #secure bob");
  out = weft_irc_client_send_privmsg (alice->client, "#secure", "over TLS");
  irc_peer_wait (bob, "message #secure alice over TLS");
  g_clear_object (&out);
  out = weft_irc_client_send_privmsg (bob->client, "#secure", "in the clear");
  irc_peer_wait (alice, "message #secure bob in the clear");

  irc_peer_free (bob);
  irc_peer_free (alice);
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
