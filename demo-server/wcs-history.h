/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <weft-irc/weft-irc.h>
#include <weft-sqlite/weft-sqlite.h>

G_BEGIN_DECLS

/* The chat history: messages in SQLite (WAL) written through a
 * WeftSqlitePool off the reactor thread. Writes are group-committed: the
 * messages that arrive while one transaction runs go in the next one. */
typedef struct _WcsHistory WcsHistory;

WcsHistory *wcs_history_new (WeftReactor *reactor, const char *path, GError **error);
/* Opens the database (creating it and its schema); fires when ready. */
WeftDeferred *wcs_history_open (WcsHistory *history);
WeftSqlitePool *wcs_history_get_pool (WcsHistory *history);
/* 0 for no limit; over it, writes fail as on a full disk. */
void wcs_history_set_max_size (WcsHistory *history, guint64 max_bytes);
/* Messages older than this are deleted (0: keep forever). */
void wcs_history_set_retention (WcsHistory *history, gint64 retention_us);
WeftDeferred *wcs_history_expire (WcsHistory *history);

/* Fires (empty) once the message is durable, or with an error. */
WeftDeferred *wcs_history_append (WcsHistory *history,
                                  const char *key,
                                  const char *display,
                                  const char *sender,
                                  WeftIrcMessage *message);
/* Fires with a GPtrArray of WeftIrcMessage (oldest first). */
WeftDeferred *wcs_history_query (WcsHistory *history, const WeftIrcHistoryQuery *query);
/* TARGETS: fires with a GPtrArray of WeftIrcMessage "CHATHISTORY TARGETS". */
WeftDeferred *wcs_history_query_targets (WcsHistory *history,
                                         WeftIrcServer *server,
                                         WeftIrcServerConnection *client,
                                         const WeftIrcHistoryQuery *query);
/* Fires with the number of messages stored under @key (as gint64). */
WeftDeferred *wcs_history_count (WcsHistory *history, const char *key);
/* Adds @n made-up messages to @channel in one transaction. */
WeftDeferred *wcs_history_seed (WcsHistory *history, const char *key, const char *channel, guint n);
/* Waits for queued writes, then closes the pool. */
WeftDeferred *wcs_history_close (WcsHistory *history);
void wcs_history_free (WcsHistory *history);

G_END_DECLS
