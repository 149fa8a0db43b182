/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <weft-irc/weft-irc.h>

#include "wcs-accounts.h"
#include "wcs-history.h"

G_BEGIN_DECLS

/* The chat server's policy on top of WeftIrcServer: history in SQLite,
 * accounts, connection limits. */
#define WCS_TYPE_IRCD (wcs_ircd_get_type ())
G_DECLARE_FINAL_TYPE (WcsIrcd, wcs_ircd, WCS, IRCD, WeftIrcServer)

typedef void (*WcsMessageStoredFunc) (WeftIrcMessage *message, const char *channel, gpointer user_data);

WcsIrcd *wcs_ircd_new (WeftReactor *reactor, const char *name, WcsHistory *history, WcsAccounts *accounts);
void wcs_ircd_set_limits (WcsIrcd *ircd, guint max_clients, guint max_clients_per_ip);
/* Called for every channel message once it is stored (the SSE feeds). */
void wcs_ircd_set_stored_func (WcsIrcd *ircd, WcsMessageStoredFunc func, gpointer user_data);

G_END_DECLS
