/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scripted IRC clients over real loopback sockets, and a chat server on the
 * fixture's reactor, for the weft-chat-server tests. */
#pragma once

#include "conformance.h"
#include "wcs-server.h"

G_BEGIN_DECLS

#define WCS_TEST_TIMEOUT_US (10 * G_USEC_PER_SEC)

#define WCS_TYPE_TEST_CLIENT (wcs_test_client_get_type ())
G_DECLARE_FINAL_TYPE (WcsTestClient, wcs_test_client, WCS, TEST_CLIENT, WeftLineReceiver)

struct _WcsTestClient {
  WeftLineReceiver parent_instance;
  GPtrArray *lines; /* every line received, in order */
  guint cursor;     /* the next line wait_for looks at */
  gboolean made;
  gboolean lost;
  char *lost_reason;
};

typedef struct {
  ConformanceFixture *f;
  char *data_dir;
  GKeyFile *config;
  WcsServer *server;
  guint16 port;
} WcsTestServer;

/* Waits, iterating the reactor, until *flag is TRUE or the timeout. */
gboolean wcs_test_wait (ConformanceFixture *f, gboolean (*done) (gpointer data), gpointer data, gint64 timeout_us);

WcsTestClient *wcs_test_client_connect (ConformanceFixture *f, guint16 port);
/* A client factory that hands out @client (for other kinds of connection). */
WeftClientFactory *wcs_test_client_factory_new (WcsTestClient *client);
gboolean wcs_test_client_is_made (gpointer client);
void wcs_test_client_send (WcsTestClient *client, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* The next line (from the cursor) containing all of the NULL-terminated
 * needles; moves the cursor past it. Fails the test on timeout. */
const char *wcs_test_client_expect (ConformanceFixture *f, WcsTestClient *client, const char *needle, ...)
    G_GNUC_NULL_TERMINATED;
/* Like expect, but returns NULL instead of failing after timeout_us. */
const char *wcs_test_client_wait_for (ConformanceFixture *f,
                                      WcsTestClient *client,
                                      gint64 timeout_us,
                                      const char *needle);
/* Whether a line from the cursor on already contains needle. */
gboolean wcs_test_client_has_line (WcsTestClient *client, const char *needle);
void wcs_test_client_skip_all (WcsTestClient *client);
void wcs_test_client_wait_lost (ConformanceFixture *f, WcsTestClient *client);
/* NICK, USER (and CAP REQ caps, if not NULL), then waits for 376/422. */
WcsTestClient *wcs_test_client_register (ConformanceFixture *f, guint16 port, const char *nick, const char *caps);
void wcs_test_client_close (ConformanceFixture *f, WcsTestClient *client);

/* A server in a fresh data directory, listening on a free loopback port;
 * settings are "group.key=value" strings, NULL-terminated. */
WcsTestServer *wcs_test_server_new (ConformanceFixture *f, ...) G_GNUC_NULL_TERMINATED;
WcsTestServer *wcs_test_server_new_in (ConformanceFixture *f, const char *data_dir, const char *const *settings);
void wcs_test_server_free (WcsTestServer *server);
void wcs_test_wait_deferred (ConformanceFixture *f, WeftDeferred *deferred);

G_END_DECLS
