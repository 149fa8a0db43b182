/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

/* The UDP port's instance, shared by the UDP files. */

#include <sys/socket.h>

#include "weft-datagram-protocol-private.h"
#include "weft-udp.h"

G_BEGIN_DECLS

typedef enum {
  PORT_NEW,     /* being set up */
  PORT_OPEN,    /* listening */
  PORT_CLOSING, /* stop_listening() was called: the socket closes in a soon call */
  PORT_CLOSED,
} PortState;

struct _WeftUdpPort {
  GObject parent_instance;

  /* Borrowed: the port is closed at the latest when the reactor goes, which
   * removes the port's watch (see watch_notify). */
  WeftReactor *reactor;
  WeftDatagramProtocol *protocol; /* owned */
  WeftWatch *watch;
  int fd;
  int family;
  PortState state;
  gboolean reading_paused;
  char *closed_name; /* the local address, kept for messages once closed */

  gboolean connected;
  struct sockaddr_storage peer;
  socklen_t peer_len;

  /* The receive buffer, allocated on the first read. */
  guint8 *buffer;
  /* The last sender, reused while datagrams keep coming from it. */
  struct sockaddr_storage last_from;
  socklen_t last_from_len;
  GSocketAddress *last_from_address;
  /* The last destination, converted. */
  GSocketAddress *last_to;
  struct sockaddr_storage last_to_native;
  socklen_t last_to_len;

  GPtrArray *stop_deferreds; /* WeftDeferred, fired once closed */
};

typedef enum {
  USE_SEND,
  USE_CONNECT,
} AddressUse;

gboolean weft_udp_port_check_open (WeftUdpPort *self, GError **error);
gboolean weft_udp_port_set_option (WeftUdpPort *self,
                                   int level,
                                   int option,
                                   const void *value,
                                   socklen_t len,
                                   const char *what,
                                   GError **error);
gboolean weft_udp_port_set_int_option (WeftUdpPort *self,
                                       int level,
                                       int option,
                                       int value,
                                       const char *what,
                                       GError **error);

G_END_DECLS
