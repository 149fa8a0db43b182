/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "weft-soup-private.h"

GQuark
weft_soup_error_quark (void)
{
  return g_quark_from_static_string ("weft-soup-error-quark");
}

GQuark
weft_soup_http_error_quark (void)
{
  return g_quark_from_static_string ("weft-soup-http-error-quark");
}

GQuark
weft_websocket_close_error_quark (void)
{
  return g_quark_from_static_string ("weft-websocket-close-error-quark");
}
