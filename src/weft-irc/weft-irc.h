/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <weft/weft.h>

#define WEFT_IRC_INSIDE
#include "weft-irc-version.h"
#include "weft-irc-enum-types.h"
#include "weft-irc-error.h"
#include "weft-irc-message.h"
#include "weft-irc-casemap.h"
#include "weft-irc-names.h"
#include "weft-irc-text.h"
#include "weft-irc-format.h"
#include "weft-irc-isupport.h"
#include "weft-irc-member.h"
#include "weft-irc-channel.h"
#include "weft-irc-outgoing.h"
#include "weft-irc-client.h"
#include "weft-irc-numerics.h"
#include "weft-irc-server.h"
#undef WEFT_IRC_INSIDE
