/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "weft-soup.h"

G_BEGIN_DECLS

/* A WeftTransport over a response body stream: data_received per chunk,
 * pause_reading stops reading from the stream. */
#define WEFT_SOUP_TYPE_BODY_TRANSPORT (weft_soup_body_transport_get_type ())
G_DECLARE_FINAL_TYPE (WeftSoupBodyTransport, weft_soup_body_transport, WEFT_SOUP, BODY_TRANSPORT, GObject)

typedef void (*WeftSoupBodyDoneFunc) (WeftSoupBodyTransport *transport, const GError *error, gpointer user_data);

WeftSoupBodyTransport *weft_soup_body_transport_new (GInputStream *stream,
                                                     SoupMessage *message,
                                                     guint64 max_body_size,
                                                     GCancellable *cancellable);
void weft_soup_body_transport_start (WeftSoupBodyTransport *transport,
                                     WeftProtocol *protocol,
                                     WeftSoupBodyDoneFunc done,
                                     gpointer user_data);

WeftSoupResponse *weft_soup_response_new (SoupMessage *message, GBytes *body);
GError *weft_soup_http_error_new (SoupMessage *message);

gboolean weft_soup_check_session_context (SoupSession *session, GError **error);

void weft_websocket_transport_set_server_side (WeftWebsocketTransport *transport, gboolean server_side);

G_END_DECLS
