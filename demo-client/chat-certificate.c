/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "chat-certificate.h"

gboolean
chat_certificate_is_problem (const GError *error)
{
  if (error == NULL || error->domain != WEFT_TLS_ERROR)
    return FALSE;
  switch (error->code)
    {
    case WEFT_TLS_ERROR_CERTIFICATE_EXPIRED:
    case WEFT_TLS_ERROR_CERTIFICATE_NOT_ACTIVATED:
    case WEFT_TLS_ERROR_UNKNOWN_ISSUER:
    case WEFT_TLS_ERROR_BAD_IDENTITY:
    case WEFT_TLS_ERROR_INSECURE:
    case WEFT_TLS_ERROR_BAD_CERTIFICATE:
    case WEFT_TLS_ERROR_PIN_MISMATCH:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Fetching the fingerprint: GIO's TLS accepts the certificate just to read it. */

static gboolean
accept_any (GTlsConnection *connection, GTlsCertificate *certificate, GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

static void
client_event (GSocketClient *client,
              GSocketClientEvent event,
              GSocketConnectable *connectable,
              GIOStream *connection,
              gpointer data)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_signal_connect (connection, "accept-certificate", G_CALLBACK (accept_any), NULL);
}

static void
connected (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) connection =
      g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  GTlsCertificate *certificate;
  g_autoptr (GByteArray) der = NULL;
  GIOStream *stream;

  if (connection == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The TLS stream sits inside a TCP wrapper. */
  stream = G_IS_TCP_WRAPPER_CONNECTION (connection)
               ? g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (connection))
               : G_IO_STREAM (connection);
  certificate = G_IS_TLS_CONNECTION (stream) ? g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (stream)) : NULL;
  if (certificate == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("The server presented no certificate."));
      return;
    }
  g_object_get (certificate, "certificate", &der, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_task_return_pointer (task, g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len), g_free);
}

void
chat_certificate_fetch_fingerprint (const char *host,
                                    guint16 port,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer data)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  GTask *task = g_task_new (NULL, cancellable, callback, data);

  g_socket_client_set_tls (client, TRUE);
  g_socket_client_set_timeout (client, 10);
  g_signal_connect (client, "event", G_CALLBACK (client_event), NULL);
  g_socket_client_connect_to_host_async (client, host, port, cancellable, connected, task);
}

char *
chat_certificate_fetch_fingerprint_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The dialog */

typedef struct {
  ChatConnection *connection;
  char *fingerprint;
} Decision;

static void
decision_free (gpointer data)
{
  Decision *decision = data;

  g_object_unref (decision->connection);
  g_free (decision->fingerprint);
  g_free (decision);
}

static void
responded (AdwMessageDialog *dialog, const char *response, gpointer data)
{
  Decision *decision = data;

  if (g_strcmp0 (response, "trust") == 0 && decision->fingerprint != NULL)
    chat_connection_trust_certificate (decision->connection, decision->fingerprint);
}

static char *
format_fingerprint (const char *hex)
{
  GString *text = g_string_new (NULL);

  for (const char *p = hex; p[0] != '\0' && p[1] != '\0'; p += 2)
    {
      if (text->len > 0)
        g_string_append_c (text, (text->len + 1) % 48 == 0 ? '\n' : ':');
      g_string_append_c (text, g_ascii_toupper (p[0]));
      g_string_append_c (text, g_ascii_toupper (p[1]));
    }
  return g_string_free (text, FALSE);
}

static void
fingerprint_ready (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (AdwMessageDialog) dialog = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *fingerprint = chat_certificate_fetch_fingerprint_finish (result, &error);
  Decision *decision = g_object_get_data (G_OBJECT (dialog), "decision");
  g_autofree char *body = NULL;
  g_autofree char *pretty = NULL;

  if (fingerprint == NULL)
    {
      g_debug ("No fingerprint: %s", error->message);
      body = g_strdup_printf ("%s\n\n%s", adw_message_dialog_get_body (dialog), error->message);
      adw_message_dialog_set_body (dialog, body);
      return;
    }
  decision->fingerprint = g_strdup (fingerprint);
  pretty = format_fingerprint (fingerprint);
  /* TRANSLATORS: after the description of the problem; %s is a fingerprint */
  body = g_strdup_printf (_ ("%s\n\nSHA-256 fingerprint:\n%s\n\nTrust it only if you know this is the server's real "
                             "certificate, for example because the network publishes this fingerprint."),
                          adw_message_dialog_get_body (dialog), pretty);
  adw_message_dialog_set_body (dialog, body);
  adw_message_dialog_set_response_enabled (dialog, "trust", TRUE);
}

void
chat_certificate_dialog_show (GtkWindow *parent, ChatConnection *connection, const GError *error)
{
  const ChatServerConfig *config = chat_connection_get_config (connection);
  g_autoptr (GUri) uri = g_uri_parse (config->url, G_URI_FLAGS_NONE, NULL);
  AdwMessageDialog *dialog;
  Decision *decision = g_new0 (Decision, 1);
  g_autofree char *heading = NULL;

  decision->connection = g_object_ref (connection);
  /* TRANSLATORS: %s is a server name */
  heading = g_strdup_printf (_ ("The Certificate of %s Cannot Be Trusted"), config->name);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading, error->message));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "trust", _ ("_Trust This Certificate"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (dialog, "trust", FALSE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "decision", decision, decision_free);
  g_signal_connect (dialog, "response", G_CALLBACK (responded), decision);
  gtk_window_present (GTK_WINDOW (dialog));
  g_debug ("Certificate dialog for %s", config->url);
  if (uri != NULL && g_uri_get_host (uri) != NULL)
    chat_certificate_fetch_fingerprint (g_uri_get_host (uri), g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 6697,
                                        NULL, fingerprint_ready, g_object_ref (dialog));
}
