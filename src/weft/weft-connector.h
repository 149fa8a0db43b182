/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <glib-object.h>
#include "weft-version.h"

#include "weft-factory.h"
#include "weft-protocol.h"

G_BEGIN_DECLS

/* Defined in weft-endpoint.h; a connector only keeps one. */
typedef struct _WeftClientEndpoint WeftClientEndpoint;

/* Connectors */

/**
 * WeftConnectorState:
 * @WEFT_CONNECTOR_STATE_DISCONNECTED: no attempt and no connection
 * @WEFT_CONNECTOR_STATE_CONNECTING: an attempt is under way
 * @WEFT_CONNECTOR_STATE_CONNECTED: connected; see weft_connector_get_protocol()
 *
 * Where a [class@Weft.Connector] is, as its #WeftConnector:state.
 */
typedef enum {
  WEFT_CONNECTOR_STATE_DISCONNECTED,
  WEFT_CONNECTOR_STATE_CONNECTING,
  WEFT_CONNECTOR_STATE_CONNECTED,
} WeftConnectorState;

WEFT_AVAILABLE_IN_ALL
GType weft_connector_state_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_CONNECTOR_STATE (weft_connector_state_get_type ())

#define WEFT_TYPE_CONNECTOR (weft_connector_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftConnector, weft_connector, WEFT, CONNECTOR, GObject)

WEFT_AVAILABLE_IN_ALL
WeftConnector *weft_connector_new (WeftClientEndpoint *endpoint, WeftClientFactory *factory) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_connector_connect (WeftConnector *connector);
WEFT_AVAILABLE_IN_ALL
void weft_connector_stop_connecting (WeftConnector *connector);
WEFT_AVAILABLE_IN_ALL
void weft_connector_disconnect (WeftConnector *connector);
WEFT_AVAILABLE_IN_ALL
WeftConnectorState weft_connector_get_state (WeftConnector *connector);
WEFT_AVAILABLE_IN_ALL
WeftProtocol *weft_connector_get_protocol (WeftConnector *connector);
WEFT_AVAILABLE_IN_ALL
WeftClientEndpoint *weft_connector_get_endpoint (WeftConnector *connector);
WEFT_AVAILABLE_IN_ALL
WeftClientFactory *weft_connector_get_factory (WeftConnector *connector);

G_END_DECLS
