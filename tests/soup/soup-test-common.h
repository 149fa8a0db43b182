/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <weft-soup/weft-soup.h>

#include "conformance-stream.h"

G_BEGIN_DECLS

/* A local HTTP server for the cases: /hello, /echo (POST), /redirect,
 * /fail (500), /stall (never answers), /partial (one chunk, then stalls),
 * /big?size=N (a streamed body of N pattern bytes). */
typedef struct {
  ConformanceFixture *f;
  WeftSoupServer *server;
  guint n_requests;
  guint n_stalled;
  GPtrArray *stalled;       /* SoupServerMessage paused forever */
  GHashTable *client_ports; /* remote ports seen */
} TestServer;

TestServer *test_server_new (ConformanceFixture *f);
TestServer *test_server_new_on (ConformanceFixture *f, const char *endpoint);
char *test_server_url (TestServer *server, const char *path);
void test_server_free (TestServer *server);

SoupSession *test_session_new (ConformanceFixture *f);
/* Aborts the session's connections and lets the main context settle. */
void test_session_free (ConformanceFixture *f, SoupSession *session);

/* Waits for a deferred and returns what it fired with (one of the two). */
typedef StreamConnectResult TestResult;
void test_wait_result (ConformanceFixture *f, WeftDeferred *deferred, TestResult *result);

/* Opens GIO's process-wide fds before the fixture counts fds. */
void test_warm_up (void);

/* Iterates the reactor for @usec microseconds (to let closes settle). */
void test_settle (ConformanceFixture *f, gint64 usec);

G_END_DECLS
