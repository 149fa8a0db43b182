/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <weft-irc/weft-irc.h>
#include <weft/weft-testing.h>

G_BEGIN_DECLS

/* A client on a string transport, driven by a test clock: the test plays
 * the server. */
typedef struct {
  WeftReactor *clock;
  WeftIrcClient *client;
  WeftStringTransport *transport;
  WeftProtocol *link; /* the protocol on the transport (the client, or a factory's link) */
  GPtrArray *events;  /* signal descriptions, "message #chan bob hi 0x..." */
} IrcFixture;

void irc_fixture_set_up (IrcFixture *f, gconstpointer data);
void irc_fixture_tear_down (IrcFixture *f, gconstpointer data);

/* Connects a fresh string transport through the client's factory (so that
 * it can reconnect) and returns what the client wrote first. */
void irc_fixture_connect (IrcFixture *f);
void irc_fixture_drop (IrcFixture *f);
void irc_fixture_server (IrcFixture *f, const char *line);
/* Lines the client wrote since the last call (without CRLF). */
GPtrArray *irc_fixture_take (IrcFixture *f);
void irc_fixture_expect (IrcFixture *f, ...) G_GNUC_NULL_TERMINATED;
gboolean irc_lines_contain (GPtrArray *lines, const char *line);
guint irc_lines_count_prefix (GPtrArray *lines, const char *prefix);
/* Registers with the capabilities in @caps ("" for a server without
 * CAP), answering the client's requests; drains the output. */
void irc_fixture_register (IrcFixture *f, const char *caps);
gboolean irc_fixture_has_event (IrcFixture *f, const char *event);
void irc_fixture_clear_events (IrcFixture *f);

G_END_DECLS
