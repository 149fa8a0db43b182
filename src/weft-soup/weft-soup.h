/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>
#include <weft/weft.h>

#define WEFT_SOUP_INSIDE
#include "weft-soup-version.h"
#include "weft-soup-error.h"
#include "weft-soup-response.h"
#include "weft-soup-client.h"
#include "weft-websocket-options.h"
#include "weft-websocket-transport.h"
#include "weft-websocket-client.h"
#include "weft-soup-server.h"
#undef WEFT_SOUP_INSIDE
