#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

GOptionGroup *weft_get_option_group (void) G_GNUC_WARN_UNUSED_RESULT;
const char *weft_options_get_reactor_name (void);
char *weft_describe_reactors (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
