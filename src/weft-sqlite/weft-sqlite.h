/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define WEFT_SQLITE_INSIDE

#include <weft/weft.h>

#include "weft-sqlite-version.h"

#include "weft-sqlite-connection.h"
#include "weft-sqlite-error.h"
#include "weft-sqlite-pool.h"
#include "weft-sqlite-row.h"

#undef WEFT_SQLITE_INSIDE
