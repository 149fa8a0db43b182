/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Makes sure @cert_path and @key_path hold a certificate and its key:
 * when neither exists, generates a self-signed one (ECDSA P-256, ten years)
 * for @hostname. */
gboolean wcs_tls_ensure_self_signed (const char *cert_path, const char *key_path, const char *hostname, GError **error);

G_END_DECLS
