/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "wcs-history.h"

struct _WcsHistory {
  WeftReactor *reactor;
  WeftSqlitePool *pool;
  GPtrArray *queue; /* PendingRow, waiting for the next transaction */
  gboolean writing; /* a transaction is with the writer, or about to be */
  WeftDelayedCall *next_write;
  gboolean ready; /* the pool is open; writes wait until then */
  gboolean full;  /* the last write failed for lack of room */
  guint64 max_bytes;
  gint64 retention_us;
  WeftDeferred *drained; /* fired when the queue empties, for close */
};

typedef struct {
  char *key;
  char *msgid;
  char *display;
  char *sender;
  char *line;
  gint64 time_us;
  WeftDeferred *done;
} PendingRow;

static void
pending_row_free (gpointer data)
{
  PendingRow *row = data;

  g_free (row->key);
  g_free (row->msgid);
  g_free (row->display);
  g_free (row->sender);
  g_free (row->line);
  g_clear_object (&row->done);
  g_free (row);
}

static const char schema[] = "CREATE TABLE messages ("
                             "  id INTEGER PRIMARY KEY,"
                             "  target TEXT NOT NULL,"
                             "  msgid TEXT NOT NULL UNIQUE,"
                             "  time INTEGER NOT NULL,"
                             "  display TEXT NOT NULL,"
                             "  sender TEXT NOT NULL,"
                             "  line TEXT NOT NULL);"
                             "CREATE INDEX messages_by_target ON messages (target, id);"
                             "CREATE INDEX messages_by_time ON messages (time);"
                             "CREATE TABLE accounts ("
                             "  folded TEXT PRIMARY KEY,"
                             "  name TEXT NOT NULL,"
                             "  salt BLOB NOT NULL,"
                             "  hash BLOB NOT NULL,"
                             "  iterations INTEGER NOT NULL,"
                             "  created INTEGER NOT NULL);";

WcsHistory *
wcs_history_new (WeftReactor *reactor, const char *path, GError **error)
{
  WcsHistory *history = g_new0 (WcsHistory, 1);

  history->reactor = g_object_ref (reactor);
  history->pool = weft_sqlite_pool_new (reactor, path);
  weft_sqlite_pool_set_synchronous (history->pool, WEFT_SQLITE_SYNCHRONOUS_NORMAL);
  weft_sqlite_pool_add_migration (history->pool, schema);
  history->queue = g_ptr_array_new_with_free_func (pending_row_free);
  return history;
}

static void start_write (WcsHistory *history);

static WeftDeferred *
opened (WeftResult *result, gpointer user_data)
{
  WcsHistory *history = user_data;

  if (weft_result_is_error (result))
    {
      g_critical ("Could not open the history database: %s", weft_result_get_error (result)->message);
      return NULL;
    }
  history->ready = TRUE;
  start_write (history);
  return NULL;
}

WeftDeferred *
wcs_history_open (WcsHistory *history)
{
  WeftDeferred *deferred = weft_sqlite_pool_open (history->pool);

  weft_deferred_add_callback (deferred, opened, history, NULL);
  return deferred;
}

WeftSqlitePool *
wcs_history_get_pool (WcsHistory *history)
{
  return history->pool;
}

void
wcs_history_set_max_size (WcsHistory *history, guint64 max_bytes)
{
  history->max_bytes = max_bytes;
}

void
wcs_history_set_retention (WcsHistory *history, gint64 retention_us)
{
  history->retention_us = retention_us;
}

typedef struct {
  GPtrArray *rows;
  guint64 max_bytes;
} WriteBatch;

static void
write_batch_free (gpointer data)
{
  WriteBatch *batch = data;
  g_ptr_array_unref (batch->rows);
  g_free (batch);
}

static gboolean
apply_size_limit (WeftSqliteConnection *connection, guint64 max_bytes, GError **error)
{
  g_autofree char *sql = NULL;

  if (max_bytes == 0)
    return TRUE;
  /* SQLite answers SQLITE_FULL past max_page_count, as on a full disk. */
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GUINT64_FORMAT, MAX (max_bytes / 4096, 16));
  return weft_sqlite_connection_execute (connection, sql, NULL, error);
}

/* Runs on the pool's writer thread. */
static gboolean
write_batch (WeftSqliteConnection *connection, WeftResult *result, gpointer user_data, GError **error)
{
  WriteBatch *batch = user_data;

  if (!apply_size_limit (connection, batch->max_bytes, error))
    return FALSE;
  for (guint i = 0; i < batch->rows->len; i++)
    {
      PendingRow *row = batch->rows->pdata[i];

      if (!weft_sqlite_connection_execute (
              connection, "INSERT INTO messages (target, msgid, time, display, sender, line) VALUES (?, ?, ?, ?, ?, ?)",
              g_variant_new ("(ssxsss)", row->key, row->msgid, row->time_us, row->display, row->sender, row->line),
              error))
        return FALSE;
    }
  return TRUE;
}

typedef struct {
  WcsHistory *history;
  GPtrArray *rows;
} WriteDone;

static WeftDeferred *
consume_closed (WeftResult *result, gpointer user_data)
{
  weft_result_clear (result);
  return NULL;
}

static void
next_write_cb (gpointer user_data)
{
  WcsHistory *history = user_data;

  g_clear_pointer (&history->next_write, weft_delayed_call_unref);
  history->writing = FALSE;
  start_write (history);
}

static WeftDeferred *
write_done (WeftResult *result, gpointer user_data)
{
  WriteDone *done = user_data;
  WcsHistory *history = done->history;

  if (weft_result_is_error (result))
    {
      const GError *error = weft_result_get_error (result);
      g_autoptr (GError) told = NULL;

      if (g_error_matches (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_FULL))
        {
          if (!history->full)
            g_message ("History storage is full (%s): refusing new messages until there is room", error->message);
          history->full = TRUE;
          told = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                                      _ ("the server's storage is full, try again later"));
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
        {
          /* The server is shutting down: the senders are told and nothing
           * was acknowledged, so this is no loss. */
          g_message ("Not storing %u messages, the history is closing: %s", done->rows->len, error->message);
          told = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, _ ("the server is shutting down"));
        }
      else
        {
          g_warning ("Could not store %u messages: %s", done->rows->len, error->message);
          told = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, _ ("the server could not store it (%s)"), error->message);
        }
      for (guint i = 0; i < done->rows->len; i++)
        {
          PendingRow *row = done->rows->pdata[i];
          weft_deferred_errback (row->done, g_error_copy (told));
          /* At shutdown the sender's connection may be gone before its
           * store was answered: nobody is left to tell, and that is fine. */
          if (g_error_matches (told, G_IO_ERROR, G_IO_ERROR_CLOSED))
            weft_deferred_add_errback (row->done, consume_closed, NULL, NULL);
        }
      weft_result_clear (result);
    }
  else
    {
      if (history->full)
        g_message ("History storage has room again");
      history->full = FALSE;
      /* The next transaction starts in the reactor's next iteration, after
       * it read what the senders sent meanwhile and before it writes what
       * these messages' deliveries queued: a message read during that
       * write is committed during it, and goes out with the next write to
       * its receivers, not the one after. */
      if (history->next_write == NULL)
        history->next_write =
            weft_delayed_call_ref (weft_reactor_call_soon (history->reactor, next_write_cb, history, NULL));
      for (guint i = 0; i < done->rows->len; i++)
        {
          PendingRow *row = done->rows->pdata[i];
          weft_deferred_callback_none (row->done);
        }
      return NULL;
    }
  history->writing = FALSE;
  start_write (history);
  return NULL;
}

static void
write_done_free (gpointer data)
{
  WriteDone *done = data;
  g_ptr_array_unref (done->rows);
  g_free (done);
}

static void
start_write (WcsHistory *history)
{
  WriteBatch *batch;
  WriteDone *done;
  g_autoptr (WeftDeferred) deferred = NULL;

  if (history->writing || !history->ready)
    return;
  if (history->queue->len == 0)
    {
      if (history->drained != NULL)
        {
          WeftDeferred *drained = g_steal_pointer (&history->drained);
          weft_deferred_callback_none (drained);
          g_object_unref (drained);
        }
      return;
    }
  history->writing = TRUE;
  batch = g_new0 (WriteBatch, 1);
  batch->rows = g_steal_pointer (&history->queue);
  batch->max_bytes = history->max_bytes;
  history->queue = g_ptr_array_new_with_free_func (pending_row_free);

  done = g_new0 (WriteDone, 1);
  done->history = history;
  done->rows = g_ptr_array_ref (batch->rows);
  deferred = weft_sqlite_pool_run_interaction (history->pool, write_batch, batch, write_batch_free);
  weft_deferred_add_both (deferred, write_done, done, write_done_free);
}

WeftDeferred *
wcs_history_append (WcsHistory *history,
                    const char *key,
                    const char *display,
                    const char *sender,
                    WeftIrcMessage *message)
{
  PendingRow *row;
  WeftDeferred *done;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) time = weft_irc_message_get_time (message);
  char *line = weft_irc_message_to_string (message, &error);

  if (line == NULL)
    return weft_deferred_fail (g_steal_pointer (&error));
  row = g_new0 (PendingRow, 1);
  row->key = g_strdup (key);
  row->msgid = g_strdup (weft_irc_message_get_tag (message, "msgid"));
  row->display = g_strdup (display);
  row->sender = g_strdup (sender);
  row->line = line;
  row->time_us = time != NULL ? g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time)
                              : g_get_real_time ();
  row->done = weft_deferred_new ();
  /* start_write() may answer (and free) the row at once, when the pool
   * is already closed: take the caller's reference first. */
  done = g_object_ref (row->done);
  g_ptr_array_add (history->queue, row);
  start_write (history);
  return done;
}

/* "column OP reference" for a selector, with its parameter added. */
static void
append_condition (GString *sql, GVariantBuilder *params, const char *op, const WeftIrcHistorySelector *selector)
{
  if (selector->kind == WEFT_IRC_HISTORY_SELECTOR_TIMESTAMP)
    {
      g_string_append_printf (sql, " AND time %s ?", op);
      g_variant_builder_add (params, "x", selector->time_us);
    }
  else if (selector->kind == WEFT_IRC_HISTORY_SELECTOR_MSGID)
    {
      g_string_append_printf (sql, " AND id %s (SELECT id FROM messages WHERE msgid = ?)", op);
      g_variant_builder_add (params, "s", selector->msgid);
    }
}

typedef struct {
  gboolean reverse;
  GPtrArray *prepend; /* for AROUND: the older half, already in order */
} QueryShape;

static GPtrArray *
rows_to_messages (GListModel *rows, gboolean reverse)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) weft_irc_message_unref);
  guint n = g_list_model_get_n_items (rows);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (WeftSqliteRow) row = g_list_model_get_item (rows, reverse ? n - 1 - i : i);
      const char *line = weft_sqlite_row_get_string (row, 0);
      WeftIrcMessage *message = line != NULL ? weft_irc_message_parse (line, -1, NULL) : NULL;

      if (message != NULL)
        g_ptr_array_add (messages, message);
    }
  return messages;
}

static WeftDeferred *
rows_ready (WeftResult *result, gpointer user_data)
{
  QueryShape *shape = user_data;
  g_autoptr (GPtrArray) messages = NULL;

  if (weft_result_is_error (result))
    return NULL;
  messages = rows_to_messages (weft_result_get_object (result), shape->reverse);
  if (shape->prepend != NULL)
    {
      for (guint i = 0; i < messages->len; i++)
        g_ptr_array_add (shape->prepend, weft_irc_message_ref (messages->pdata[i]));
      weft_result_set_boxed (result, G_TYPE_PTR_ARRAY, shape->prepend);
    }
  else
    weft_result_set_boxed (result, G_TYPE_PTR_ARRAY, messages);
  return NULL;
}

static void
query_shape_free (gpointer data)
{
  QueryShape *shape = data;
  g_clear_pointer (&shape->prepend, g_ptr_array_unref);
  g_free (shape);
}

static WeftDeferred *
run_select (WcsHistory *history,
            const char *key,
            const char *op1,
            const WeftIrcHistorySelector *sel1,
            const char *op2,
            const WeftIrcHistorySelector *sel2,
            gboolean descending,
            guint limit,
            GPtrArray *prepend)
{
  GString *sql = g_string_new ("SELECT line FROM messages WHERE target = ?");
  GVariantBuilder params;
  QueryShape *shape;
  WeftDeferred *deferred;

  g_variant_builder_init (&params, G_VARIANT_TYPE_TUPLE);
  g_variant_builder_add (&params, "s", key);
  if (sel1 != NULL)
    append_condition (sql, &params, op1, sel1);
  if (sel2 != NULL)
    append_condition (sql, &params, op2, sel2);
  g_string_append_printf (sql, " ORDER BY id %s LIMIT ?", descending ? "DESC" : "ASC");
  g_variant_builder_add (&params, "x", (gint64) limit);

  shape = g_new0 (QueryShape, 1);
  shape->reverse = descending;
  shape->prepend = prepend != NULL ? g_ptr_array_ref (prepend) : NULL;
  deferred = weft_sqlite_pool_run_query (history->pool, sql->str, g_variant_builder_end (&params));
  weft_deferred_add_callback (deferred, rows_ready, shape, query_shape_free);
  g_string_free (sql, TRUE);
  return deferred;
}

typedef struct {
  WcsHistory *history;
  char *key;
  WeftIrcHistorySelector selector;
  char *msgid;
  guint limit;
} AroundRequest;

static void
around_request_free (gpointer data)
{
  AroundRequest *request = data;
  g_free (request->key);
  g_free (request->msgid);
  g_free (request);
}

static WeftDeferred *
around_second_half (WeftResult *result, gpointer user_data)
{
  AroundRequest *request = user_data;
  GPtrArray *older;

  if (weft_result_is_error (result))
    return NULL;
  older = weft_result_get_boxed (result);
  request->selector.msgid = request->msgid;
  return run_select (request->history, request->key, ">=", &request->selector, NULL, NULL, FALSE,
                     request->limit - request->limit / 2, older);
}

WeftDeferred *
wcs_history_query (WcsHistory *history, const WeftIrcHistoryQuery *query)
{
  const char *sub = query->subcommand;
  const WeftIrcHistorySelector *from = query->from.kind == WEFT_IRC_HISTORY_SELECTOR_NONE ? NULL : &query->from;

  if (g_str_equal (sub, "LATEST"))
    return run_select (history, query->target_key, ">", from, NULL, NULL, TRUE, query->limit, NULL);
  if (g_str_equal (sub, "BEFORE"))
    return run_select (history, query->target_key, "<", from, NULL, NULL, TRUE, query->limit, NULL);
  if (g_str_equal (sub, "AFTER"))
    return run_select (history, query->target_key, ">", from, NULL, NULL, FALSE, query->limit, NULL);
  if (g_str_equal (sub, "BETWEEN"))
    {
      gboolean forward = TRUE;

      /* Which way depends on which end is older; timestamps tell at once, a
       * msgid pair is taken in the order given. */
      if (query->from.kind == WEFT_IRC_HISTORY_SELECTOR_TIMESTAMP &&
          query->to.kind == WEFT_IRC_HISTORY_SELECTOR_TIMESTAMP)
        forward = query->from.time_us <= query->to.time_us;
      return forward ? run_select (history, query->target_key, ">", &query->from, "<", &query->to, FALSE, query->limit,
                                   NULL)
                     : run_select (history, query->target_key, "<", &query->from, ">", &query->to, TRUE, query->limit,
                                   NULL);
    }
  if (g_str_equal (sub, "AROUND"))
    {
      AroundRequest *request = g_new0 (AroundRequest, 1);
      WeftDeferred *deferred;

      request->history = history;
      request->key = g_strdup (query->target_key);
      request->selector = query->from;
      request->msgid = g_strdup (query->from.msgid);
      request->limit = MAX (query->limit, 1);
      deferred = run_select (history, query->target_key, "<", &query->from, NULL, NULL, TRUE, request->limit / 2, NULL);
      weft_deferred_add_callback (deferred, around_second_half, request, around_request_free);
      return deferred;
    }
  return weft_deferred_fail (g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown subcommand %s", sub));
}

typedef struct {
  char *folded_nick;
  GHashTable *channels; /* folded names of the client's channels */
  char *server_name;
  char *client_nick;
  guint limit;
} TargetsRequest;

static void
targets_request_free (gpointer data)
{
  TargetsRequest *request = data;
  g_free (request->folded_nick);
  g_hash_table_unref (request->channels);
  g_free (request->server_name);
  g_free (request->client_nick);
  g_free (request);
}

static WeftDeferred *
targets_ready (WeftResult *result, gpointer user_data)
{
  TargetsRequest *request = user_data;
  GListModel *rows;
  GPtrArray *messages;
  guint n;

  if (weft_result_is_error (result))
    return NULL;
  rows = weft_result_get_object (result);
  n = g_list_model_get_n_items (rows);
  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) weft_irc_message_unref);
  for (guint i = 0; i < n && messages->len < request->limit; i++)
    {
      g_autoptr (WeftSqliteRow) row = g_list_model_get_item (rows, i);
      const char *key = weft_sqlite_row_get_string (row, 0);
      const char *display = weft_sqlite_row_get_string (row, 1);
      const char *sender = weft_sqlite_row_get_string (row, 2);
      gint64 time_us = weft_sqlite_row_get_int64 (row, 3);
      const char *name = NULL;
      g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
      g_autofree char *base = NULL;
      g_autofree char *stamp = NULL;
      g_autofree char *folded_sender = NULL;
      WeftIrcMessage *message;

      if (key[0] == '#')
        {
          if (g_hash_table_contains (request->channels, key))
            name = display;
        }
      else
        {
          g_auto (GStrv) pair = g_strsplit (key, " ", 2);
          if (g_strv_length (pair) == 2 &&
              (g_str_equal (pair[0], request->folded_nick) || g_str_equal (pair[1], request->folded_nick)))
            {
              folded_sender = weft_irc_casefold (WEFT_IRC_CASEMAPPING_RFC1459, sender);
              name = g_str_equal (folded_sender, request->folded_nick) ? display : sender;
            }
        }
      if (name == NULL)
        continue;
      base = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
      stamp = g_strdup_printf ("timestamp=%s.%03dZ", base, (int) ((time_us % G_USEC_PER_SEC) / 1000));
      message = weft_irc_message_new_va ("CHATHISTORY", "TARGETS", name, stamp + strlen ("timestamp="), NULL);
      weft_irc_message_set_source (message, request->server_name);
      g_ptr_array_add (messages, message);
    }
  weft_result_take_boxed (result, G_TYPE_PTR_ARRAY, messages);
  return NULL;
}

WeftDeferred *
wcs_history_query_targets (WcsHistory *history,
                           WeftIrcServer *server,
                           WeftIrcServerConnection *client,
                           const WeftIrcHistoryQuery *query)
{
  TargetsRequest *request = g_new0 (TargetsRequest, 1);
  gint64 low = MIN (query->from.time_us, query->to.time_us);
  gint64 high = MAX (query->from.time_us, query->to.time_us);
  GList *channels = weft_irc_server_connection_get_channels (client);
  WeftDeferred *deferred;

  request->folded_nick = weft_irc_server_casefold (server, weft_irc_server_connection_get_nick (client));
  request->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (GList *l = channels; l != NULL; l = l->next)
    g_hash_table_add (request->channels, weft_irc_server_casefold (server, weft_irc_server_channel_get_name (l->data)));
  g_list_free (channels);
  request->server_name = g_strdup (weft_irc_server_get_name (server));
  request->limit = query->limit;
  deferred = weft_sqlite_pool_run_query (
      history->pool,
      "SELECT target, display, sender, MAX(time) AS last FROM messages WHERE time > ? AND time < ? "
      "GROUP BY target ORDER BY last ASC LIMIT 5000",
      g_variant_new ("(xx)", low, high));
  weft_deferred_add_callback (deferred, targets_ready, request, targets_request_free);
  return deferred;
}

static WeftDeferred *
count_ready (WeftResult *result, gpointer user_data)
{
  GListModel *rows;
  g_autoptr (WeftSqliteRow) row = NULL;

  if (weft_result_is_error (result))
    return NULL;
  rows = weft_result_get_object (result);
  row = g_list_model_get_item (rows, 0);
  weft_result_set_int64 (result, row != NULL ? weft_sqlite_row_get_int64 (row, 0) : 0);
  return NULL;
}

WeftDeferred *
wcs_history_count (WcsHistory *history, const char *key)
{
  WeftDeferred *deferred = weft_sqlite_pool_run_query (history->pool, "SELECT count(*) FROM messages WHERE target = ?",
                                                       g_variant_new ("(s)", key));
  weft_deferred_add_callback (deferred, count_ready, NULL, NULL);
  return deferred;
}

typedef struct {
  char *key;
  char *channel;
  guint n;
  gint64 now_us;
} SeedRequest;

static void
seed_request_free (gpointer data)
{
  SeedRequest *request = data;
  g_free (request->key);
  g_free (request->channel);
  g_free (request);
}

static const char *const seed_nicks[] = { "ada", "grace", "linus", "ken", "dennis", "barbara", "margaret", "alan" };
static const char *const seed_words[] = {
  "the",    "reactor",  "runs",    "one",    "thread", "and",  "every",   "message",
  "is",     "stored",   "before",  "anyone", "sees",   "it",   "history", "lasts",
  "across", "restarts", "fan-out", "is",     "cheap",  "with", "shared",  "bytes",
};

/* Runs on the writer thread: builds and inserts every row in one transaction. */
static gboolean
seed_rows (WeftSqliteConnection *connection, WeftResult *result, gpointer user_data, GError **error)
{
  SeedRequest *request = user_data;
  GRand *rand = g_rand_new_with_seed (42);
  gint64 start = request->now_us - (gint64) request->n * 60 * G_USEC_PER_SEC;
  gboolean ok = TRUE;

  for (guint i = 0; i < request->n && ok; i++)
    {
      gint64 time_us = start + (gint64) i * 60 * G_USEC_PER_SEC;
      const char *nick = seed_nicks[g_rand_int_range (rand, 0, G_N_ELEMENTS (seed_nicks))];
      GString *text = g_string_new (NULL);
      g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
      g_autofree char *base = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
      g_autofree char *msgid = g_strdup_printf ("%013" G_GINT64_MODIFIER "x%04x", time_us, i & 0xffff);
      g_autofree char *line = NULL;
      guint n_words = g_rand_int_range (rand, 3, 12);

      g_string_append_printf (text, "#%u:", i + 1);
      for (guint w = 0; w < n_words; w++)
        g_string_append_printf (text, " %s", seed_words[g_rand_int_range (rand, 0, G_N_ELEMENTS (seed_words))]);
      line = g_strdup_printf ("@msgid=%s;time=%s.000Z :%s!~%s@history.invalid PRIVMSG %s :%s", msgid, base, nick, nick,
                              request->channel, text->str);
      ok = weft_sqlite_connection_execute (
          connection, "INSERT INTO messages (target, msgid, time, display, sender, line) VALUES (?, ?, ?, ?, ?, ?)",
          g_variant_new ("(ssxsss)", request->key, msgid, time_us, request->channel, nick, line), error);
      g_string_free (text, TRUE);
    }
  g_rand_free (rand);
  return ok;
}

WeftDeferred *
wcs_history_seed (WcsHistory *history, const char *key, const char *channel, guint n)
{
  SeedRequest *request = g_new0 (SeedRequest, 1);

  request->key = g_strdup (key);
  request->channel = g_strdup (channel);
  request->n = n;
  /* Whole seconds, so the seeded times line up with their msgids. */
  request->now_us = (g_get_real_time () / G_USEC_PER_SEC - 3600) * G_USEC_PER_SEC;
  return weft_sqlite_pool_run_interaction (history->pool, seed_rows, request, seed_request_free);
}

WeftDeferred *
wcs_history_expire (WcsHistory *history)
{
  if (history->retention_us <= 0)
    return weft_deferred_succeed_none ();
  return weft_sqlite_pool_run_operation (history->pool, "DELETE FROM messages WHERE time < ?",
                                         g_variant_new ("(x)", g_get_real_time () - history->retention_us));
}

static WeftDeferred *
close_pool (WeftResult *result, gpointer user_data)
{
  WcsHistory *history = user_data;
  return weft_sqlite_pool_close (history->pool);
}

WeftDeferred *
wcs_history_close (WcsHistory *history)
{
  WeftDeferred *deferred;

  if (!history->writing && history->queue->len == 0)
    return weft_sqlite_pool_close (history->pool);
  if (history->drained == NULL)
    history->drained = weft_deferred_new ();
  deferred = g_object_ref (history->drained);
  weft_deferred_add_callback (deferred, close_pool, history, NULL);
  return deferred;
}

void
wcs_history_free (WcsHistory *history)
{
  if (history == NULL)
    return;
  if (history->next_write != NULL)
    weft_delayed_call_cancel (history->next_write);
  g_clear_pointer (&history->next_write, weft_delayed_call_unref);
  g_clear_object (&history->drained);
  g_ptr_array_unref (history->queue);
  g_clear_object (&history->pool);
  g_clear_object (&history->reactor);
  g_free (history);
}
