/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "wcs-history.h"
#include "wcs-server.h"

G_BEGIN_DECLS

WcsHistory *_wcs_server_get_history (WcsServer *server);

G_END_DECLS
