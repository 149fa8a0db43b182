/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include "weft-sqlite-private.h"

/* Not G_DEFINE_QUARK: clang-format splits its hyphenated name argument. */
GQuark
weft_sqlite_error_quark (void)
{
  return g_quark_from_static_string ("weft-sqlite-error-quark");
}

/* Whether @path, or its -wal or -journal file, reached the process'
 * file-size limit (less than a page of room left). */
static gboolean
at_file_size_limit (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-journal" };
  struct rlimit limit;

  if (getrlimit (RLIMIT_FSIZE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      GStatBuf st;

      if (g_stat (file, &st) == 0 && (guint64) st.st_size + 65536 > (guint64) limit.rlim_cur)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_disk_full (int rc, int system_errno, const char *path)
{
  g_autofree char *dir = NULL;
  struct statvfs fs;

  if ((rc & 0xff) == SQLITE_FULL)
    return TRUE;
  if ((rc & 0xff) != SQLITE_IOERR)
    return FALSE;
  /* A full file system, a quota or a file-size limit surfaces as an I/O
   * error, and SQLite's errno may be stale by the time it reports: look at
   * the file and its file system as well. */
  if (system_errno == ENOSPC || system_errno == EFBIG || system_errno == EDQUOT)
    return TRUE;
  if (path == NULL)
    return FALSE;
  if (at_file_size_limit (path))
    return TRUE;
  dir = g_path_get_dirname (path);
  return statvfs (dir, &fs) == 0 && (guint64) fs.f_bavail * fs.f_frsize < 1024 * 1024;
}

static char *
describe_sql (const char *sql)
{
  g_autofree char *first_line = NULL;
  const char *end;

  if (sql == NULL)
    return g_strdup ("");
  end = strchr (sql, '\n');
  first_line = end != NULL ? g_strndup (sql, end - sql) : g_strdup (sql);
  g_strstrip (first_line);
  if (g_utf8_strlen (first_line, -1) > 60)
    {
      char *cut = g_utf8_offset_to_pointer (first_line, 57);
      return g_strdup_printf ("%.*s…", (int) (cut - first_line), first_line);
    }
  return g_steal_pointer (&first_line);
}

void
_weft_sqlite_set_error (GError **error, WeftSqliteConnection *connection, int rc, const char *sql)
{
  const char *path = connection != NULL ? connection->path : "?";
  const char *message =
      connection != NULL && connection->db != NULL ? sqlite3_errmsg (connection->db) : sqlite3_errstr (rc);
  int system_errno = connection != NULL && connection->db != NULL ? sqlite3_system_errno (connection->db) : 0;
  g_autofree char *what = describe_sql (sql);

  if (error == NULL)
    return;

  if (is_disk_full (rc, system_errno, connection != NULL ? connection->path : NULL))
    {
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_FULL,
                   _ ("Disk full while writing to %s; the change was not saved"), path);
      return;
    }

  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_BUSY,
                   _ ("Could not use %s: the database is locked by another process"), path);
      break;
    case SQLITE_INTERRUPT:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("“%s” on %s was cancelled"), what, path);
      break;
    case SQLITE_CONSTRAINT:
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_CONSTRAINT, _ ("“%s” on %s was refused: %s"), what, path,
                   message);
      break;
    case SQLITE_READONLY:
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_READ_ONLY,
                   _ ("Could not write to %s: the database is read-only (%s)"), path, message);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_CORRUPT, _ ("%s is damaged or is not a database: %s"),
                   path, message);
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_OPEN, _ ("Could not open the database %s: %s"), path,
                   system_errno != 0 ? g_strerror (system_errno) : message);
      break;
    case SQLITE_IOERR:
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_IO, _ ("I/O error on %s: %s"), path,
                   system_errno != 0 ? g_strerror (system_errno) : message);
      break;
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_PARAMETER, _ ("Bad parameters for “%s” on %s: %s"), what,
                   path, message);
      break;
    default:
      g_set_error (error, WEFT_SQLITE_ERROR, WEFT_SQLITE_ERROR_FAILED, _ ("“%s” failed on %s: %s"), what, path,
                   message);
      break;
    }
}
