/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <weft/weft.h>

G_BEGIN_DECLS

#define NGIRCD_PATH "/usr/sbin/ngircd"

/* An ngircd started by a test: its own configuration in a temporary
 * folder, a loopback port, run as an unprivileged user when the test runs
 * as root, its log collected from its output. */
typedef struct _NgircdServer NgircdServer;

/* NGIRCD_PATH, or $WEFT_NGIRCD. */
const char *ngircd_path (void);
gboolean ngircd_available (void);
guint16 ngircd_free_port (void);
/* @peer_name/@peer_port: link to that server; @passive: wait for it to
 * connect instead of connecting. */
NgircdServer *ngircd_server_new (WeftReactor *reactor,
                                 const char *name,
                                 guint16 port,
                                 const char *peer_name,
                                 guint16 peer_port,
                                 gboolean passive);
/* Adds a TLS port with this certificate and key (copied next to the
 * configuration, where the unprivileged server can read them). Before
 * ngircd_server_start(). */
void ngircd_server_add_tls (NgircdServer *server, guint16 tls_port, const char *cert_file, const char *key_file);
/* Starts it and waits (on the reactor) until it listens. */
void ngircd_server_start (NgircdServer *server);
/* SIGTERM, and waits until it has ended. */
void ngircd_server_stop (NgircdServer *server);
/* Waits until its log holds @text. */
void ngircd_server_wait_log (NgircdServer *server, const char *text);
guint16 ngircd_server_get_port (NgircdServer *server);
void ngircd_server_free (NgircdServer *server);

/* Runs @reactor until @done (data) is TRUE, failing the test after
 * @seconds. */
typedef gboolean (*WaitFunc) (gpointer data);
void wait_until (WeftReactor *reactor, WaitFunc done, gpointer data, double seconds, const char *what);

G_END_DECLS
