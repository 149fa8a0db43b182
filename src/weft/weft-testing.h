/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

/* Test doubles: a controllable clock, in-memory transports and connections.
 * Not part of <weft/weft.h>; include this header from test programs. */

#include "weft.h"

#define WEFT_TESTING_INSIDE
#include "weft-test-clock.h"
#include "weft-string-transport.h"
#include "weft-loopback.h"
#include "weft-memory-reactor.h"
#undef WEFT_TESTING_INSIDE
