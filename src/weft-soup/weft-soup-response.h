/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(WEFT_SOUP_INSIDE) && !defined(WEFT_SOUP_COMPILATION)
#error "Only <weft-soup/weft-soup.h> can be included directly."
#endif

#include <libsoup/soup.h>

#include "weft-soup-version.h"

G_BEGIN_DECLS

#define WEFT_SOUP_TYPE_RESPONSE (weft_soup_response_get_type ())
WEFT_SOUP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftSoupResponse, weft_soup_response, WEFT_SOUP, RESPONSE, GObject)

WEFT_SOUP_AVAILABLE_IN_ALL
guint weft_soup_response_get_status (WeftSoupResponse *response);
WEFT_SOUP_AVAILABLE_IN_ALL
const char *weft_soup_response_get_reason (WeftSoupResponse *response);
WEFT_SOUP_AVAILABLE_IN_ALL
SoupMessageHeaders *weft_soup_response_get_headers (WeftSoupResponse *response);
WEFT_SOUP_AVAILABLE_IN_ALL
const char *weft_soup_response_get_content_type (WeftSoupResponse *response);
WEFT_SOUP_AVAILABLE_IN_ALL
GBytes *weft_soup_response_get_body (WeftSoupResponse *response);
WEFT_SOUP_AVAILABLE_IN_ALL
GUri *weft_soup_response_get_uri (WeftSoupResponse *response);
WEFT_SOUP_AVAILABLE_IN_ALL
SoupMessage *weft_soup_response_get_message (WeftSoupResponse *response);

G_END_DECLS
