/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wcs-server.h"

G_BEGIN_DECLS

/* The --demo content: a few simulated users (in-process, talking through the
 * server like real clients) chatting in two channels (#weft and #random), and
 * #history holding n_history messages of history (10,000 by default),
 * seeded once into the data directory. Runs until the server shuts down. */
typedef struct _WcsDemo WcsDemo;
WcsDemo *wcs_demo_start (WcsServer *server, guint n_history, GError **error);
void wcs_demo_stop (WcsDemo *demo);

/* Additions: fires once #history is seeded (at once if it already was). */
WeftDeferred *wcs_demo_wait_seeded (WcsDemo *demo);

G_END_DECLS
