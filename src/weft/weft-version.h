/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define WEFT_MAJOR_VERSION 0
#define WEFT_MINOR_VERSION 1
#define WEFT_MICRO_VERSION 0

/**
 * WEFT_AVAILABLE_IN_ALL:
 *
 * Marks a function as part of Weft's public ABI. The library is built with
 * hidden symbol visibility: only functions carrying this macro are exported.
 */
#ifndef WEFT_AVAILABLE_IN_ALL
#define WEFT_AVAILABLE_IN_ALL extern __attribute__ ((visibility ("default")))
#endif

G_END_DECLS
