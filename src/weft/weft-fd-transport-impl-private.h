/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The inside of WeftFdTransport, shared by its files: weft-fd-transport.c
 * (life cycle, reading, closing, properties) and weft-fd-transport-write.c
 * (the write path and its buffering). Not installed. */

#pragma once

#include <errno.h>

#include "weft-fd-transport.h"
#include "weft-net-private.h"
#include "weft-write-buffer-private.h"

G_BEGIN_DECLS

typedef struct {
  WeftReactor *reactor;   /* owned */
  WeftNet *net;           /* the reactor's */
  int fd;                 /* read side; also the write side when write_fd == fd; -1 once closed */
  int write_fd;           /* -1 when there is no (more) write side */
  WeftWatch *watch;       /* on fd */
  WeftWatch *write_watch; /* on write_fd, when it is another fd */
  WeftIOCondition events; /* interest set on watch */
  WeftIOCondition write_events;
  WeftFdTransportFlags flags;
  WeftFdTransportState state;
  WeftProtocol *protocol; /* owned */
  WeftClientFactory *client_factory;
  WeftWriteBuffer out;
  GSocketAddress *peer_address;
  GSocketAddress *local_address;
  char *description;
  GError *reason;             /* what connection_lost will receive; NULL: a clean close */
  WeftDelayedCall *soon;      /* the pending close step or connection_lost delivery */
  WeftDelayedCall *read_soon; /* the next read of an fd that is always readable */
  guint started : 1;
  guint reading_paused : 1;
  guint read_eof : 1;        /* the peer shut its write side down */
  guint write_closing : 1;   /* lose_write_connection(): later writes are dropped */
  guint write_shut : 1;      /* our write side is shut down */
  guint disconnecting : 1;   /* lose_connection(): close once flushed */
  guint closed : 1;          /* fds closed; connection_lost delivered or pending */
  guint always_readable : 1; /* a regular file or /dev/null: read from soon calls, not watched */
  guint watch_reader : 1;    /* the write fd is a pipe: ready while idle means its reader is gone */
} WeftFdTransportPrivate;

WeftFdTransportPrivate *weft_fd_transport_get_priv (WeftFdTransport *self);

/* Sets the watches' interest from the state: reading while wanted, writing
 * while data waits. */
void weft_fd_transport_sync_interest (WeftFdTransportPrivate *priv);

/* Closes the fds now; the protocol hears of it from the reactor, soon.
 * @reason (taken; NULL for a clean close) is ignored when an earlier one
 * was recorded. */
void weft_fd_transport_close_now (WeftFdTransport *self, GError *reason);

/* Closes with the error errno @errsv names. */
void weft_fd_transport_fail (WeftFdTransport *self, int errsv);

/* The write path (weft-fd-transport-write.c). */
void weft_fd_transport_flush (WeftFdTransport *self);
void weft_fd_transport_shutdown_write (WeftFdTransport *self);
void weft_fd_transport_iface_write (WeftTransport *transport, const guint8 *data, gsize len);
void weft_fd_transport_iface_write_bytes (WeftTransport *transport, GBytes *bytes);
void weft_fd_transport_iface_writev (WeftTransport *transport, const GOutputVector *vectors, gsize n_vectors);

static inline gboolean
weft_fd_transport_would_block (int errsv)
{
  return errsv == EAGAIN || errsv == EWOULDBLOCK;
}

G_END_DECLS
