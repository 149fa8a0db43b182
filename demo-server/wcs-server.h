/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The chat server as a library, for weft-chat-server and for programs that
 * embed it (weft-chat --demo runs it in its own process and thread). */
#pragma once

#include <weft/weft.h>
#include <weft-irc/weft-irc.h>

G_BEGIN_DECLS

#define WCS_TYPE_SERVER (wcs_server_get_type ())
G_DECLARE_FINAL_TYPE (WcsServer, wcs_server, WCS, SERVER, GObject)

/* config: the same GKeyFile the weft-chat-server program reads (nullable:
 * defaults); data_dir: where history.db (and a generated TLS certificate)
 * live; created if missing. */
WcsServer *wcs_server_new (WeftReactor *reactor, GKeyFile *config, const char *data_dir, GError **error);
/* Listens for IRC over TCP on a Weft endpoint string, such as
 * "tcp:0:interface=127.0.0.1" (port 0: pick one; see get_irc_port). A
 * "tls:PORT" endpoint without cert=/key= uses the configured certificate,
 * or one generated on first start in the data directory. */
gboolean wcs_server_listen_irc (WcsServer *server, const char *endpoint, GError **error);
/* HTTP: the browser page, IRC over WebSocket (/irc), SSE feeds. */
gboolean wcs_server_listen_http (WcsServer *server, const char *endpoint, GError **error);
guint16 wcs_server_get_irc_port (WcsServer *server);  /* first IRC listener; 0 if none */
guint16 wcs_server_get_http_port (WcsServer *server); /* first HTTP listener; 0 if none */
/* Closes listeners, tells clients, flushes storage; fires when done. */
WeftDeferred *wcs_server_shutdown (WcsServer *server);
/* Stops listening at once and drops every connection without a goodbye (a
 * "crash" for tests and --demo fault injection); history stays on disk. */
void wcs_server_kill (WcsServer *server);

/* Additions to the embedding contract. */

/* Fires once the history database is open (messages sent before wait for
 * it); weft-chat-server starts listening after it. */
WeftDeferred *wcs_server_wait_ready (WcsServer *server);
WeftIrcServer *wcs_server_get_irc_server (WcsServer *server);
WeftReactor *wcs_server_get_reactor (WcsServer *server);
const char *wcs_server_get_data_dir (WcsServer *server);
/* The port of the N-th IRC listener, in the order they were added. */
guint16 wcs_server_get_irc_port_n (WcsServer *server, guint n);
/* How many clients follow a channel's SSE feed. */
guint wcs_server_get_n_sse_listeners (WcsServer *server);

G_END_DECLS
