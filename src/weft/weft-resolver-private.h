/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GPtrArray *weft_resolver_lookup_numeric (const char *host, guint16 port, GSocketFamily family, GError **error);
GPtrArray *weft_resolver_check_addresses (const GValue *value, const char *host, GError **error);
gboolean weft_resolver_is_invalid_name (const char *host);

G_END_DECLS
