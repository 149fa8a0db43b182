#include "config.h"

#include "weft-error.h"

G_DEFINE_QUARK (weft-error-quark, weft_error)
