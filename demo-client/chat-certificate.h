/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "chat-connection.h"

G_BEGIN_DECLS

/* Whether a connection failed because the server's certificate did not
 * verify (expired, wrong name, unknown issuer...). */
gboolean chat_certificate_is_problem (const GError *error);

/* Asks what is wrong and offers to trust this certificate for this server
 * (pinned by its SHA-256 fingerprint) or to cancel. */
void chat_certificate_dialog_show (GtkWindow *parent, ChatConnection *connection, const GError *error);

/* The SHA-256 fingerprint (64 hex digits) of the certificate a TLS server
 * presents, read without verifying it. */
void chat_certificate_fetch_fingerprint (const char *host,
                                         guint16 port,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer data);
char *chat_certificate_fetch_fingerprint_finish (GAsyncResult *result, GError **error);

G_END_DECLS
