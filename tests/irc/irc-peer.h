/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <weft-irc/weft-irc.h>

G_BEGIN_DECLS

/* A WeftIrcClient that records what it sees as event strings ("registered
 * NICK", "joined #CHANNEL NICK", "message CONVERSATION NICK TEXT", "nick OLD
 * NEW", "topic #CHANNEL SETTER TOPIC", "quit NICK", "disconnected"), for
 * tests against real servers. It reconnects quickly and without jitter. */
typedef struct {
  WeftReactor *reactor;
  WeftIrcClient *client;
  GPtrArray *events;
} IrcPeer;

#define IRC_PEER_TIMEOUT 20.0

IrcPeer *irc_peer_new_for_url (WeftReactor *reactor, const char *nick, const char *url);
IrcPeer *irc_peer_new (WeftReactor *reactor, const char *nick, guint16 port);
guint irc_peer_count (IrcPeer *peer, const char *event);
/* Runs the reactor until @event was seen, failing the test after
 * IRC_PEER_TIMEOUT seconds. */
void irc_peer_wait (IrcPeer *peer, const char *event);
void irc_peer_wait_state (IrcPeer *peer, WeftIrcClientState state);
/* Disconnects (if connected), waits until it is, and frees. */
void irc_peer_free (IrcPeer *peer);

/* Two clients on the server at 127.0.0.1:@port: registration (and the
 * fallback nick of a second "alice"), a channel, channel and private
 * messages, a nick change, a topic, a quit. @server_name: what the server
 * calls itself, or NULL not to check. The same for every server. */
void irc_scenario_two_clients (WeftReactor *reactor, guint16 port, const char *server_name);

G_END_DECLS
