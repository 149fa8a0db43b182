/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Interop: the two-client scenario of tests/irc/irc-peer.c (the one
 * test-irc-ngircd runs) against this server and against ngircd (started by
 * the test; skipped without it), on every backend. */
#include "config.h"

#include <weft-irc/weft-irc.h>

#include "irc-peer.h"
#include "ngircd-server.h"
#include "wcs-test-kit.h"

static void
test_weft_server (ConformanceFixture *f)
{
  WcsTestServer *server = wcs_test_server_new (f, NULL);
  IrcPeer *carol;

  irc_scenario_two_clients (f->reactor, server->port, NULL);
  /* And what only this server has: the client reads the channel's history. */
  carol = irc_peer_new (f->reactor, "carol", server->port);
  irc_peer_wait (carol, "registered carol");
  g_assert_true (weft_irc_client_has_capability (carol->client, "draft/chathistory"));
  weft_irc_client_join (carol->client, "#weft", NULL);
  irc_peer_wait (carol, "joined #weft carol");
  weft_irc_client_fetch_history (carol->client, "#weft", 10);
  irc_peer_wait (carol, "message #weft alice hello bob");
  irc_peer_free (carol);
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
  irc_scenario_two_clients (f->reactor, ngircd_server_get_port (server), "irc1.weft.test");
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
