/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "weft-soup-private.h"

G_DEFINE_QUARK (weft-soup-error-quark, weft_soup_error)
G_DEFINE_QUARK (weft-soup-http-error-quark, weft_soup_http_error)
G_DEFINE_QUARK (weft-websocket-close-error-quark, weft_websocket_close_error)
