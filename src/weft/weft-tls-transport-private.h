/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

/* The TLS transport's instance, shared by the TLS files. */

#include <gnutls/gnutls.h>

#include "weft-protocol-private.h"
#include "weft-tls-private.h"
#include "weft-tls.h"
#include "weft-write-buffer-private.h"

G_BEGIN_DECLS

#define RECORD_SIZE 16384 /* the largest TLS plaintext record */
#define PREVIEW_SIZE 24   /* bytes of non-TLS input quoted in errors */

typedef enum {
  MODE_WRAP,       /* weft_tls_transport_new(): connection_made starts it all */
  MODE_START_SAME, /* weft_tls_start() by the connection's own protocol */
  MODE_START_NEW,  /* weft_tls_start() with a protocol that takes over */
} StartMode;

struct _WeftTlsTransport {
  WeftProtocol parent_instance;

  WeftTlsConfig *config;
  WeftProtocol *upper;   /* owned: the wrapped protocol */
  WeftProtocol *retired; /* owned: the protocol weft_tls_start() replaced */
  StartMode mode;
  gnutls_session_t session; /* from connection_made on */

  GByteArray *incoming; /* ciphertext GnuTLS has not pulled yet, from incoming_offset */
  GByteArray *outgoing; /* ciphertext GnuTLS pushed during the current call */
  gsize incoming_offset;
  WeftWriteBuffer pending;      /* plaintext written before the handshake ended */
  guint8 *record;               /* RECORD_SIZE bytes for gnutls_record_recv() */
  guint8 preview[PREVIEW_SIZE]; /* the first bytes the peer sent */
  gsize preview_len;

  GError *verify_error;         /* why the verification callback refused the peer */
  GError *reason;               /* what the wrapped protocol's connection_lost will get */
  GPtrArray *handshake_waiters; /* WeftDeferred */
  WeftDelayedCall *process_call;
  WeftDelayedCall *handshake_timer; /* until the handshake ends, if limited */
  char *negotiated_protocol;
  char *requested_server_name;

  gboolean handshake_done;
  gboolean upper_made;     /* the wrapped protocol is connected to us */
  gboolean upper_lost;     /* ...and has been told it is over */
  gboolean failed;         /* a TLS error: reason is set, the transport below is closing */
  gboolean closing;        /* lose_connection() was called */
  gboolean write_shutdown; /* lose_write_connection() was called */
  gboolean bye_sent;       /* our close notification is out */
  gboolean aborted;
  gboolean lower_eof;
  gboolean peer_closed; /* the peer's close notification arrived */
  gboolean reading_paused;
  gboolean lower_writing_paused;
  gboolean session_corked; /* inside weft_transport_writev(): one flush at the end */
  gboolean processing;     /* inside process_incoming() */
  gboolean process_again;
  gboolean lost; /* the transport below is gone */
};

WeftTransport *weft_tls_lower_transport (WeftTlsTransport *self);
WeftTlsTransport *weft_tls_transport_create (WeftProtocol *protocol, WeftTlsOptions *options, GError **error);
int weft_tls_verify_cb (gnutls_session_t session);
gnutls_alert_description_t weft_tls_alert_for_verify_error (const GError *error);
void weft_tls_factory_record_reason (WeftTlsFactory *self, const GError *reason);

G_END_DECLS
