/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SQLITE_INSIDE) && !defined(WEFT_SQLITE_COMPILATION)
#error "Only <weft-sqlite/weft-sqlite.h> can be included directly."
#endif

#include <glib.h>

#include "weft-sqlite-version.h"

G_BEGIN_DECLS

/**
 * WEFT_SQLITE_ERROR:
 *
 * The error domain of database failures. A closed pool is reported as
 * `G_IO_ERROR_CLOSED`, a cancelled operation as `WEFT_ERROR_CANCELLED`
 * (Deferred forms) or `G_IO_ERROR_CANCELLED` (`_async` forms).
 */
#define WEFT_SQLITE_ERROR (weft_sqlite_error_quark ())

/**
 * WeftSqliteError:
 * @WEFT_SQLITE_ERROR_FAILED: a failure without a more specific code
 * @WEFT_SQLITE_ERROR_OPEN: the database file could not be opened or created
 * @WEFT_SQLITE_ERROR_SQL: the SQL text could not be prepared (syntax error,
 *   unknown table or column)
 * @WEFT_SQLITE_ERROR_PARAMETER: the parameters do not fit the statement
 *   (wrong count, a type that cannot be bound)
 * @WEFT_SQLITE_ERROR_BUSY: the database is locked by another connection or
 *   process, and stayed locked for the whole busy timeout
 * @WEFT_SQLITE_ERROR_FULL: the disk (or the database's size limit) is full;
 *   the write was rolled back, committed data is intact
 * @WEFT_SQLITE_ERROR_CONSTRAINT: a constraint (UNIQUE, NOT NULL, CHECK,
 *   FOREIGN KEY) refused the change
 * @WEFT_SQLITE_ERROR_READ_ONLY: the database or its file is read-only
 * @WEFT_SQLITE_ERROR_CORRUPT: the file is not a database or is damaged
 * @WEFT_SQLITE_ERROR_IO: the operating system reported an I/O error
 * @WEFT_SQLITE_ERROR_MIGRATION: a schema migration step failed; the
 *   database stays at the last step that succeeded
 *
 * Error codes in the %WEFT_SQLITE_ERROR domain.
 */
typedef enum {
  WEFT_SQLITE_ERROR_FAILED,
  WEFT_SQLITE_ERROR_OPEN,
  WEFT_SQLITE_ERROR_SQL,
  WEFT_SQLITE_ERROR_PARAMETER,
  WEFT_SQLITE_ERROR_BUSY,
  WEFT_SQLITE_ERROR_FULL,
  WEFT_SQLITE_ERROR_CONSTRAINT,
  WEFT_SQLITE_ERROR_READ_ONLY,
  WEFT_SQLITE_ERROR_CORRUPT,
  WEFT_SQLITE_ERROR_IO,
  WEFT_SQLITE_ERROR_MIGRATION,
} WeftSqliteError;

WEFT_SQLITE_AVAILABLE_IN_ALL
GQuark weft_sqlite_error_quark (void);

G_END_DECLS
