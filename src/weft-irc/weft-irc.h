/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <weft/weft.h>

#define WEFT_IRC_INSIDE
#include "weft-irc-version.h"
#include "weft-irc-error.h"
#include "weft-irc-message.h"
#include "weft-irc-casemap.h"
#include "weft-irc-names.h"
#include "weft-irc-numerics.h"
#include "weft-irc-server.h"
#undef WEFT_IRC_INSIDE
