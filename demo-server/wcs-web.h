/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <weft-irc/weft-irc.h>

G_BEGIN_DECLS

/* The HTTP side: the browser chat page (from a GResource), IRC over
 * WebSocket on /irc, and a Server-Sent Events feed of each channel on
 * /channels/NAME/events. */
typedef struct _WcsWeb WcsWeb;

WcsWeb *wcs_web_new (WeftReactor *reactor, WeftIrcServer *irc);
gboolean wcs_web_listen (WcsWeb *web, const char *endpoint, GError **error);
guint16 wcs_web_get_port (WcsWeb *web);
/* Pushes a stored channel message to the channel's SSE listeners. */
void wcs_web_push (WcsWeb *web, WeftIrcMessage *message, const char *channel);
guint wcs_web_get_n_listeners (WcsWeb *web);
/* Ends every feed and stops listening. */
void wcs_web_close (WcsWeb *web);
void wcs_web_free (WcsWeb *web);

G_END_DECLS
