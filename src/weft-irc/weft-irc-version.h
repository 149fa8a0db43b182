/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_IRC_INSIDE) && !defined(WEFT_IRC_COMPILATION)
#error "Only <weft-irc/weft-irc.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define WEFT_IRC_MAJOR_VERSION 0
#define WEFT_IRC_MINOR_VERSION 1
#define WEFT_IRC_MICRO_VERSION 0

/**
 * WEFT_IRC_AVAILABLE_IN_ALL:
 *
 * Marks a function of libweft-irc's public API: the library is built with
 * hidden symbol visibility, and only functions marked so are exported.
 */
#define WEFT_IRC_AVAILABLE_IN_ALL extern __attribute__ ((visibility ("default")))

G_END_DECLS
