/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SQLITE_INSIDE) && !defined(WEFT_SQLITE_COMPILATION)
#error "Only <weft-sqlite/weft-sqlite.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define WEFT_SQLITE_MAJOR_VERSION 0
#define WEFT_SQLITE_MINOR_VERSION 1
#define WEFT_SQLITE_MICRO_VERSION 0

/**
 * WEFT_SQLITE_AVAILABLE_IN_ALL:
 *
 * Marks a function of libweft-sqlite's public API. The library is built
 * with hidden symbol visibility; only functions marked so are exported.
 */
#define WEFT_SQLITE_AVAILABLE_IN_ALL extern __attribute__ ((visibility ("default")))

G_END_DECLS
