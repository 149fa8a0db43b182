/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-client-private.h"

/**
 * weft_irc_url_to_endpoint:
 * @url: an IRC URL: `irc://HOST[:PORT]` (TCP, port 6667 by default) or
 *   `ircs://HOST[:PORT]` (TLS, port 6697 by default); a channel path is
 *   ignored. An `ircs://` URL may carry the TLS options of the endpoint as
 *   a query: `?cert=FILE&key=FILE` (a client certificate, for SASL
 *   EXTERNAL), `ca=FILE`, `fingerprint=SHA256`.
 * @error: return location for a %WEFT_IRC_ERROR_MALFORMED error
 *
 * Maps an IRC URL to the description of a Weft client endpoint, for
 * weft_client_endpoint_from_string(): `ircs://irc.example.org` becomes
 * `tls:irc.example.org:6697`. `ws://` and `wss://` URLs are not endpoints:
 * the application connects them with libweft-soup's line-mode WebSocket
 * transport and gives the client's factory (weft_irc_client_get_factory())
 * to it, so this function refuses them with an error that says so.
 *
 * Returns: (transfer full) (nullable): the endpoint description, or %NULL
 *   with @error set
 */
char *
weft_irc_url_to_endpoint (const char *url, GError **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *host = NULL;
  GString *out;
  const char *scheme;
  gboolean tls;
  int port;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED, _ ("“%s” is not a URL: %s"), url,
                   local_error->message);
      return NULL;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "irc") == 0)
    tls = FALSE;
  else if (g_ascii_strcasecmp (scheme, "ircs") == 0)
    tls = TRUE;
  else if (g_ascii_strcasecmp (scheme, "ws") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    {
      g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED,
                   _ ("“%s” is a WebSocket URL: connect it with a WebSocket transport, not an endpoint"), url);
      return NULL;
    }
  else
    {
      g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED,
                   _ ("“%s” is not an IRC URL: expected irc://HOST:PORT or ircs://HOST:PORT"), url);
      return NULL;
    }
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED, _ ("“%s” names no host"), url);
      return NULL;
    }
  port = g_uri_get_port (uri);
  if (port <= 0)
    port = tls ? 6697 : 6667;
  if (strchr (g_uri_get_host (uri), ':') != NULL)
    host = g_strdup_printf ("[%s]", g_uri_get_host (uri));
  else
    host = weft_endpoint_quote_argument (g_uri_get_host (uri));
  out = g_string_new (NULL);
  g_string_printf (out, "%s:%s:%d", tls ? "tls" : "tcp", host, port);
  if (g_uri_get_query (uri) != NULL)
    {
      g_autoptr (GHashTable) params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
      const char *const keys[] = { "cert", "key", "ca", "fingerprint" };

      if (params == NULL || !tls)
        {
          g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED,
                       _ ("“%s”: only ircs:// URLs take options (cert, key, ca, fingerprint)"), url);
          g_string_free (out, TRUE);
          return NULL;
        }
      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          const char *value = g_hash_table_lookup (params, keys[i]);
          if (value != NULL)
            {
              g_autofree char *quoted = weft_endpoint_quote_argument (value);
              g_string_append_printf (out, ":%s=%s", keys[i], quoted);
            }
        }
    }
  return g_string_free (out, FALSE);
}
