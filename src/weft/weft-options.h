/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <glib.h>
#include "weft-version.h"

G_BEGIN_DECLS

WEFT_AVAILABLE_IN_ALL
GOptionGroup *weft_get_option_group (void) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
const char *weft_options_get_reactor_name (void);
WEFT_AVAILABLE_IN_ALL
char *weft_describe_reactors (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
