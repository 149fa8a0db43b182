/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

/* Endpoint internals shared by the endpoint files. */

#include "weft-endpoint.h"
#include "weft-factory.h"
#include "weft-listening-port.h"

G_BEGIN_DECLS

typedef void (*LostFunc) (const GError *reason, gpointer user_data);
struct _WeftTcpClientEndpoint {
  WeftClientEndpoint parent_instance;
  char *host;
  guint16 port;
  gint64 timeout_us; /* 0: none */
  GInetAddress *bind_address;
  gint64 attempt_delay_us;
};

struct _WeftTcpServerEndpoint {
  WeftServerEndpoint parent_instance;
  guint16 port;
  GInetAddress *interface;
  int backlog;
};

struct _WeftUnixClientEndpoint {
  WeftClientEndpoint parent_instance;
  char *path;
  gint64 timeout_us; /* 0: none */
};

struct _WeftUnixServerEndpoint {
  WeftServerEndpoint parent_instance;
  char *path;
  guint mode;
  int backlog;
};

struct _WeftTlsClientEndpoint {
  WeftClientEndpoint parent_instance;
  WeftClientEndpoint *wrapped;
  char *server_name;
  char *ca_file;
  char *fingerprint;
  char *certificate_file;
  char *key_file;
  gint64 handshake_timeout_us; /* 0: no limit */
};

struct _WeftTlsServerEndpoint {
  WeftServerEndpoint parent_instance;
  WeftServerEndpoint *wrapped;
  char *certificate_file;
  char *key_file;
  gint64 handshake_timeout_us; /* 0: no limit */
};

void weft_append_argument (GString *out, const char *key, const char *value);
void weft_append_address (GString *out, const char *key, GInetAddress *address);
void weft_append_seconds (GString *out, const char *key, gint64 usec);
/* "handshake_timeout=SECONDS" (0 for none), unless it is the default. */
void weft_append_handshake_timeout (GString *out, gint64 usec);
WeftClientFactory *weft_attempt_factory_new (WeftFactory *builder,
                                             LostFunc lost,
                                             gpointer lost_data,
                                             GDestroyNotify lost_notify);
WeftDeferred *weft_client_endpoint_connect_with_connector (WeftClientEndpoint *endpoint,
                                                           WeftClientFactory *factory,
                                                           WeftConnector *connector);
WeftDeferred *weft_listening_result (WeftListeningPort *port, GError *error);
void weft_tcp_client_endpoint_append_arguments (WeftTcpClientEndpoint *self, GString *out);
void weft_tcp_server_endpoint_append_arguments (WeftTcpServerEndpoint *self, GString *out);
void weft_forward_lost (const GError *reason, gpointer user_data);
void weft_connector_factory_done (WeftConnector *self);
void weft_connector_attempt_done (WeftConnector *self, WeftProtocol *protocol);
void weft_connector_lost (WeftConnector *self);

G_END_DECLS
