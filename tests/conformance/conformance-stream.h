/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include "conformance.h"

G_BEGIN_DECLS

/* Helpers shared by the stream transport cases (TCP, Unix, TLS, endpoints): a protocol that
 * records what happens to it and can play simple roles, a factory that
 * keeps the protocols it built, and ways to wait for them. */

#define STREAM_TYPE_PEER (stream_peer_get_type ())
G_DECLARE_FINAL_TYPE (StreamPeer, stream_peer, STREAM, PEER, WeftProtocol)

struct _StreamPeer {
  WeftProtocol parent_instance;

  /* What happened */
  GByteArray *received;
  guint n_made;
  guint n_eof;
  guint n_lost;
  guint n_pause;
  guint n_resume;
  GError *reason;
  gsize max_buffered; /* largest write buffer seen while producing */

  /* Roles */
  gboolean echo;             /* write back what arrives */
  gboolean keep_open_on_eof; /* what eof_received returns */
  char *reply_on_eof;        /* on end-of-file: write this, then lose_connection */
  gboolean pause_on_made;    /* pause_reading in connection_made */
  GBytes *send_on_made;      /* written in connection_made */
  gboolean lose_after_send;  /* ... then lose_connection */
  gboolean half_close_after_send;
  gsize produce_total; /* write this many pattern bytes, pausing with the watermarks */
  gsize produce_chunk;
  gsize produced;
};

StreamPeer *stream_peer_new (void);
void stream_peer_set_reply_on_eof (StreamPeer *peer, const char *reply);

typedef void (*StreamPeerSetup) (StreamPeer *peer, gpointer user_data);

#define STREAM_TYPE_FACTORY (stream_factory_get_type ())
G_DECLARE_FINAL_TYPE (StreamFactory, stream_factory, STREAM, FACTORY, WeftClientFactory)

struct _StreamFactory {
  WeftClientFactory parent_instance;

  StreamPeerSetup setup;
  gpointer setup_data;
  GPtrArray *peers; /* StreamPeer, every one built */
  guint n_started_connecting;
  guint n_failed;
  guint n_client_lost;
  GError *failure;
  gboolean refuse; /* build no protocol */
};

StreamFactory *stream_factory_new (StreamPeerSetup setup, gpointer setup_data);
StreamPeer *stream_factory_get_peer (StreamFactory *factory, guint index);

/* The outcome of a connect deferred. */
typedef struct {
  gboolean fired;
  WeftProtocol *protocol;
  GError *error;
} StreamConnectResult;

void stream_capture_connect (WeftDeferred *deferred, StreamConnectResult *result);
void stream_connect_result_clear (StreamConnectResult *result);

/* The port number of a TCP listening port. */
guint16 stream_port_number (WeftListeningPort *port);

/* A blocking TCP socket bound to 127.0.0.1 on a port of the kernel's
 * choosing, stored in @port; it listens with @backlog unless that is
 * negative (then the port is taken, but connecting to it is refused). */
int stream_raw_listener (guint16 *port, int backlog);

typedef gboolean (*StreamCondition) (gpointer user_data);

/* Iterates (blocking) until @condition holds; fails the test after a
 * generous deadline instead of waiting for the watchdog. */
void stream_iterate_until (ConformanceFixture *f, StreamCondition condition, gpointer user_data);
void stream_wait_fired (ConformanceFixture *f, WeftDeferred *deferred);
/* Until the captured connect has fired, either way; stream_wait_connected
 * also checks that it gave a StreamPeer. */
void stream_wait_connect_fired (ConformanceFixture *f, StreamConnectResult *result);
void stream_wait_connected (ConformanceFixture *f, StreamConnectResult *result);
void stream_wait_lost (ConformanceFixture *f, StreamPeer *peer);
void stream_wait_peers (ConformanceFixture *f, StreamFactory *factory, guint n_peers);
void stream_wait_received (ConformanceFixture *f, StreamPeer *peer, gsize n_bytes);
void stream_stop_listening (ConformanceFixture *f, WeftListeningPort *port);

/* An echo round trip between @client and the server's first protocol, then
 * a clean close seen by both with WEFT_ERROR_CONNECTION_DONE. */
void stream_echo_round_trip (ConformanceFixture *f, StreamPeer *client, StreamFactory *server_factory);

void stream_echo_setup (StreamPeer *peer, gpointer user_data);
GBytes *stream_pattern_new (gsize size, guint32 seed);
void stream_assert_pattern (const GByteArray *data, gsize size, guint32 seed);

G_END_DECLS
