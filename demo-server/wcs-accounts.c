/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <weft-irc/weft-irc.h>

#include "wcs-accounts.h"

#define SALT_BYTES 16
#define HASH_BYTES 32
#define MIN_PASSWORD_LENGTH 8

struct _WcsAccounts {
  WeftReactor *reactor;
  WeftSqlitePool *pool;
  guint iterations;
};

WcsAccounts *
wcs_accounts_new (WeftReactor *reactor, WeftSqlitePool *pool, guint iterations)
{
  WcsAccounts *accounts = g_new0 (WcsAccounts, 1);

  accounts->reactor = g_object_ref (reactor);
  accounts->pool = g_object_ref (pool);
  accounts->iterations = MAX (iterations, 1000);
  return accounts;
}

void
wcs_accounts_free (WcsAccounts *accounts)
{
  if (accounts == NULL)
    return;
  g_object_unref (accounts->reactor);
  g_object_unref (accounts->pool);
  g_free (accounts);
}

typedef struct {
  char *name;
  char *folded;
  char *password;
  GBytes *salt;
  GBytes *expected;
  guint iterations;
  guint8 hash[HASH_BYTES];
  WcsAccounts *accounts;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->name);
  g_free (job->folded);
  if (job->password != NULL)
    {
      memset (job->password, 0, strlen (job->password));
      g_free (job->password);
    }
  g_clear_pointer (&job->salt, g_bytes_unref);
  g_clear_pointer (&job->expected, g_bytes_unref);
  g_free (job);
}

static gboolean
derive (Job *job, GError **error)
{
  gnutls_datum_t key = { (unsigned char *) job->password, strlen (job->password) };
  gsize salt_len;
  gnutls_datum_t salt;
  int rc;

  salt.data = (unsigned char *) g_bytes_get_data (job->salt, &salt_len);
  salt.size = salt_len;
  rc = gnutls_pbkdf2 (GNUTLS_MAC_SHA256, &key, &salt, job->iterations, job->hash, HASH_BYTES);
  if (rc < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "PBKDF2 failed: %s", gnutls_strerror (rc));
      return FALSE;
    }
  return TRUE;
}

/* On a pool thread. */
static void
hash_new_password (WeftResult *result, gpointer user_data)
{
  Job *job = user_data;
  guint8 salt[SALT_BYTES];
  GError *error = NULL;

  if (gnutls_rnd (GNUTLS_RND_RANDOM, salt, sizeof salt) < 0)
    {
      weft_result_set_new_error (result, G_IO_ERROR, G_IO_ERROR_FAILED, "no random numbers");
      return;
    }
  job->salt = g_bytes_new (salt, sizeof salt);
  if (!derive (job, &error))
    weft_result_take_error (result, error);
}

static WeftDeferred *
insert_account (WeftResult *result, gpointer user_data)
{
  Job *job = user_data;
  gsize salt_len;
  const guint8 *salt;
  WeftDeferred *deferred;

  if (weft_result_is_error (result))
    return NULL;
  salt = g_bytes_get_data (job->salt, &salt_len);
  deferred = weft_sqlite_pool_run_operation (
      job->accounts->pool,
      "INSERT INTO accounts (folded, name, salt, hash, iterations, created) VALUES (?, ?, ?, ?, ?, ?)",
      g_variant_new ("(ss@ay@ayxx)", job->folded, job->name,
                     g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, salt, salt_len, 1),
                     g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, job->hash, HASH_BYTES, 1),
                     (gint64) job->iterations, g_get_real_time () / G_USEC_PER_SEC));
  return deferred;
}

static WeftDeferred *
registered (WeftResult *result, gpointer user_data)
{
  Job *job = user_data;

  if (weft_result_is_error (result))
    {
      if (weft_result_error_matches (result, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_CONSTRAINT))
        weft_result_set_new_error (result, G_IO_ERROR, G_IO_ERROR_EXISTS, _ ("The account %s already exists"),
                                   job->name);
      return NULL;
    }
  weft_result_set_string (result, job->name);
  return NULL;
}

WeftDeferred *
wcs_accounts_register (WcsAccounts *accounts, const char *name, const char *password)
{
  Job *job;
  WeftDeferred *deferred;

  if (password == NULL || g_utf8_strlen (password, -1) < MIN_PASSWORD_LENGTH)
    return weft_deferred_fail (g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                            _ ("The password must have at least %d characters"), MIN_PASSWORD_LENGTH));
  job = g_new0 (Job, 1);
  job->accounts = accounts;
  job->name = g_strdup (name);
  job->folded = weft_irc_casefold (WEFT_IRC_CASEMAPPING_RFC1459, name);
  job->password = g_strdup (password);
  job->iterations = accounts->iterations;
  /* The job is shared by the chain's steps and freed with the last one. */
  deferred = weft_reactor_defer_to_thread (accounts->reactor, hash_new_password, job, NULL);
  weft_deferred_add_callback (deferred, insert_account, job, NULL);
  weft_deferred_add_both (deferred, registered, job, job_free);
  return deferred;
}

/* On a pool thread: the comparison takes the same time whatever matches. */
static void
check_password (WeftResult *result, gpointer user_data)
{
  Job *job = user_data;
  GError *error = NULL;
  gsize expected_len = 0;
  const guint8 *expected = job->expected != NULL ? g_bytes_get_data (job->expected, &expected_len) : NULL;
  guint8 diff = 0;

  if (!derive (job, &error))
    {
      weft_result_take_error (result, error);
      return;
    }
  for (guint i = 0; i < HASH_BYTES; i++)
    diff |= job->hash[i] ^ (expected != NULL && i < expected_len ? expected[i] : 0);
  if (expected == NULL || expected_len != HASH_BYTES || diff != 0)
    weft_result_set_new_error (result, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, _ ("Invalid account or password"));
}

static WeftDeferred *
account_loaded (WeftResult *result, gpointer user_data)
{
  Job *job = user_data;
  GListModel *rows;
  g_autoptr (WeftSqliteRow) row = NULL;

  if (weft_result_is_error (result))
    return NULL;
  rows = weft_result_get_object (result);
  row = g_list_model_get_item (rows, 0);
  if (row != NULL)
    {
      g_free (job->name);
      job->name = g_strdup (weft_sqlite_row_get_string (row, 0));
      job->salt = weft_sqlite_row_get_blob (row, 1);
      job->expected = weft_sqlite_row_get_blob (row, 2);
      job->iterations = (guint) weft_sqlite_row_get_int64 (row, 3);
    }
  else
    {
      /* An unknown account costs as much as a wrong password. */
      job->salt = g_bytes_new_static ("0123456789abcdef", SALT_BYTES);
      job->iterations = job->accounts->iterations;
    }
  return weft_reactor_defer_to_thread (job->accounts->reactor, check_password, job, NULL);
}

static WeftDeferred *
verified (WeftResult *result, gpointer user_data)
{
  Job *job = user_data;

  if (!weft_result_is_error (result))
    weft_result_set_string (result, job->name);
  return NULL;
}

WeftDeferred *
wcs_accounts_verify (WcsAccounts *accounts, const char *name, const char *password)
{
  Job *job = g_new0 (Job, 1);
  WeftDeferred *deferred;

  job->accounts = accounts;
  job->name = g_strdup (name);
  job->folded = weft_irc_casefold (WEFT_IRC_CASEMAPPING_RFC1459, name);
  job->password = g_strdup (password);
  deferred =
      weft_sqlite_pool_run_query (accounts->pool, "SELECT name, salt, hash, iterations FROM accounts WHERE folded = ?",
                                  g_variant_new ("(s)", job->folded));
  weft_deferred_add_callback (deferred, account_loaded, job, NULL);
  weft_deferred_add_both (deferred, verified, job, job_free);
  return deferred;
}
