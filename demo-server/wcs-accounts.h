/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <weft-sqlite/weft-sqlite.h>

G_BEGIN_DECLS

/* Accounts in the history database: passwords only as salted
 * PBKDF2-HMAC-SHA256 (GnuTLS), computed off the reactor thread. */
typedef struct _WcsAccounts WcsAccounts;

WcsAccounts *wcs_accounts_new (WeftReactor *reactor, WeftSqlitePool *pool, guint iterations);
void wcs_accounts_free (WcsAccounts *accounts);
/* Fires with the account name (string), or G_IO_ERROR_EXISTS,
 * G_IO_ERROR_INVALID_ARGUMENT (a weak password)... */
WeftDeferred *wcs_accounts_register (WcsAccounts *accounts, const char *name, const char *password);
/* Fires with the account name as registered, or G_IO_ERROR_PERMISSION_DENIED. */
WeftDeferred *wcs_accounts_verify (WcsAccounts *accounts, const char *name, const char *password);

G_END_DECLS
