#pragma once

#define WEFT_INSIDE
#include "weft-version.h"
#include "weft-error.h"
#include "weft-reactor.h"
#include "weft-options.h"
#undef WEFT_INSIDE
