#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

#define WEFT_MAJOR_VERSION 0
#define WEFT_MINOR_VERSION 1
#define WEFT_MICRO_VERSION 0

G_END_DECLS
