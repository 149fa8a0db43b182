/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Interop: the same WeftIrcClient scenario against this server and against
 * ngircd (started by the test; skipped without it), on every backend. */
#include "config.h"

#include <string.h>

#include <weft-irc/weft-irc.h>

#include "ngircd-server.h"
#include "wcs-test-kit.h"

typedef struct {
  WeftIrcClient *client;
  GPtrArray *events;
} Peer;

typedef struct {
  Peer *peer;
  const char *event;
} PeerWait;

static void
on_message (WeftIrcClient *c,
            WeftIrcMessage *m,
            const char *conversation,
            const char *nick,
            const char *text,
            WeftIrcMessageFlags flags,
            Peer *peer)
{
  g_ptr_array_add (peer->events, g_strdup_printf ("message %s %s %s", conversation, nick, text));
}

static void
on_joined (WeftIrcClient *c, WeftIrcChannel *ch, const char *nick, WeftIrcMessage *m, Peer *peer)
{
  g_ptr_array_add (peer->events, g_strdup_printf ("joined %s %s", weft_irc_channel_get_name (ch), nick));
}

static void
on_nick (WeftIrcClient *c, const char *old_nick, const char *new_nick, GStrv channels, WeftIrcMessage *m, Peer *peer)
{
  g_ptr_array_add (peer->events, g_strdup_printf ("nick %s %s", old_nick, new_nick));
}

static void
on_topic (WeftIrcClient *c, WeftIrcChannel *ch, const char *setter, const char *topic, WeftIrcMessage *m, Peer *peer)
{
  g_ptr_array_add (peer->events, g_strdup_printf ("topic %s %s %s", weft_irc_channel_get_name (ch),
                                                  setter ? setter : "-", topic ? topic : "-"));
}

static void
on_quit (WeftIrcClient *c, const char *nick, const char *reason, GStrv channels, WeftIrcMessage *m, Peer *peer)
{
  g_ptr_array_add (peer->events, g_strdup_printf ("quit %s", nick));
}

static void
on_registered (WeftIrcClient *c, const char *nick, Peer *peer)
{
  g_ptr_array_add (peer->events, g_strdup_printf ("registered %s", nick));
}

static Peer *
peer_new (ConformanceFixture *f, const char *nick, guint16 port)
{
  Peer *peer = g_new0 (Peer, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("irc://127.0.0.1:%u", port);

  peer->client = weft_irc_client_new (f->reactor, nick);
  peer->events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (peer->client, "message-received", G_CALLBACK (on_message), peer);
  g_signal_connect (peer->client, "joined", G_CALLBACK (on_joined), peer);
  g_signal_connect (peer->client, "nick-changed", G_CALLBACK (on_nick), peer);
  g_signal_connect (peer->client, "topic-changed", G_CALLBACK (on_topic), peer);
  g_signal_connect (peer->client, "quit", G_CALLBACK (on_quit), peer);
  g_signal_connect (peer->client, "registered", G_CALLBACK (on_registered), peer);
  g_assert_true (weft_irc_client_connect (peer->client, url, &error));
  g_assert_no_error (error);
  return peer;
}

static gboolean
peer_has (gpointer data)
{
  PeerWait *w = data;

  for (guint i = 0; i < w->peer->events->len; i++)
    if (g_str_equal (g_ptr_array_index (w->peer->events, i), w->event))
      return TRUE;
  return FALSE;
}

static void
peer_wait (ConformanceFixture *f, Peer *peer, const char *event)
{
  PeerWait w = { peer, event };

  if (!wcs_test_wait (f, peer_has, &w, 20 * G_USEC_PER_SEC))
    g_error ("Timed out waiting for \"%s\"", event);
}

static gboolean
outgoing_done (gpointer data)
{
  return weft_irc_outgoing_is_done (data);
}

static gboolean
disconnected (gpointer data)
{
  return weft_irc_client_get_state (data) == WEFT_IRC_CLIENT_STATE_DISCONNECTED;
}

static void
peer_free (ConformanceFixture *f, Peer *peer)
{
  if (weft_irc_client_get_state (peer->client) != WEFT_IRC_CLIENT_STATE_DISCONNECTED)
    {
      weft_irc_client_disconnect (peer->client, "done");
      g_assert_true (wcs_test_wait (f, disconnected, peer->client, 20 * G_USEC_PER_SEC));
    }
  g_object_unref (peer->client);
  g_ptr_array_unref (peer->events);
  g_free (peer);
}

/* The client tests, the same for every server. */
static void
client_scenario (ConformanceFixture *f, guint16 port)
{
  Peer *alice = peer_new (f, "alice", port);
  Peer *bob = peer_new (f, "bob", port);
  g_autoptr (WeftIrcOutgoing) out = NULL;
  WeftIrcChannel *channel;

  peer_wait (f, alice, "registered alice");
  peer_wait (f, bob, "registered bob");
  g_assert_true (weft_irc_client_has_capability (alice->client, "multi-prefix"));

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
  g_assert_true (wcs_test_wait (f, outgoing_done, out, 20 * G_USEC_PER_SEC));
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
}

static void
test_weft_server (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, NULL);
  Peer *carol;

  client_scenario (f, server->port);
  /* And what only this server has: the client reads the channel's history. */
  carol = peer_new (f, "carol", server->port);
  peer_wait (f, carol, "registered carol");
  g_assert_true (weft_irc_client_has_capability (carol->client, "draft/chathistory"));
  weft_irc_client_join (carol->client, "#weft", NULL);
  peer_wait (f, carol, "joined #weft carol");
  weft_irc_client_fetch_history (carol->client, "#weft", 10);
  peer_wait (f, carol, "message #weft alice hello bob");
  peer_free (f, carol);
  wcs_test_server_free (server);
}

static void
test_ngircd (ConformanceFixture *f)
{
  NgircdServer *server;

  if (!ngircd_available ())
    {
      g_test_skip ("ngircd is not installed (" NGIRCD_PATH ")");
      return;
    }
  server = ngircd_server_new (f->reactor, "irc1.weft.test", ngircd_free_port (), NULL, 0, FALSE);
  ngircd_server_start (server);
  client_scenario (f, ngircd_server_get_port (server));
  ngircd_server_free (server);
}

static const ConformanceCase interop_cases[] = {
  { "interop/weft-chat-server", test_weft_server, 0 },
  { "interop/ngircd", test_ngircd, 0 },
  { NULL },
};

int
main (int argc, char **argv)
{
  const ConformanceCase *const tables[] = { interop_cases };

  return conformance_main (argc, argv, tables, G_N_ELEMENTS (tables));
}
