/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SOUP_INSIDE) && !defined(WEFT_SOUP_COMPILATION)
#error "Only <weft-soup/weft-soup.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define WEFT_SOUP_MAJOR_VERSION 0
#define WEFT_SOUP_MINOR_VERSION 1
#define WEFT_SOUP_MICRO_VERSION 0

/* Marks the public functions of libweft-soup; the library is built with
 * hidden visibility, so nothing else is exported. */
#define WEFT_SOUP_AVAILABLE_IN_ALL extern __attribute__ ((visibility ("default")))

G_END_DECLS
