/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <weft-soup/weft-soup.h>

#include "wcs-web.h"

struct _WcsWeb {
  WeftReactor *reactor;
  WeftIrcServer *irc;
  WeftSoupServer *soup;
  GHashTable *feeds; /* folded channel -> GPtrArray of SoupServerMessage */
  guint n_listeners;
  gboolean closed;
};

static const char *const irc_subprotocols[] = { "text.ircv3.net", "binary.ircv3.net", NULL };

static void
json_append_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20 || c == '<' || c == '>' || c == '&')
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

static void
feed_finished (SoupServerMessage *msg, gpointer user_data)
{
  WcsWeb *web = user_data;
  const char *key = g_object_get_data (G_OBJECT (msg), "wcs-feed");
  GPtrArray *listeners = key != NULL ? g_hash_table_lookup (web->feeds, key) : NULL;

  g_signal_handlers_disconnect_by_data (msg, web);
  if (listeners != NULL && g_ptr_array_find (listeners, msg, NULL))
    {
      web->n_listeners--;
      /* Removing may drop the last reference, and with it key. */
      if (listeners->len == 1)
        g_hash_table_remove (web->feeds, key);
      else
        g_ptr_array_remove_fast (listeners, msg);
    }
}

static void
feed_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer user_data)
{
  WcsWeb *web = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  g_autofree char *name = NULL;
  g_autofree char *folded = NULL;
  GPtrArray *listeners;
  static const char hello[] = ": connected\n\n";

  /* "", "channels", NAME, "events" */
  if (g_strv_length (parts) != 4 || !g_str_equal (parts[3], "events") || *parts[2] == '\0')
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }
  name = parts[2][0] == '#' ? g_strdup (parts[2]) : g_strconcat ("#", parts[2], NULL);
  if (!weft_irc_server_is_valid_channel (web->irc, name) || web->closed)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  folded = weft_irc_server_casefold (web->irc, name);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  /* Close-delimited rather than chunked: libsoup writes a chunk's size
   * line, its data and its CRLF with three send() calls, so an event costs
   * three system calls (and three TCP segments) per listener; without the
   * framing it is one. An event stream ends with the connection anyway. */
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_EOF);
  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC, hello, strlen (hello));

  listeners = g_hash_table_lookup (web->feeds, folded);
  if (listeners == NULL)
    {
      listeners = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (web->feeds, g_strdup (folded), listeners);
    }
  g_ptr_array_add (listeners, g_object_ref (msg));
  web->n_listeners++;
  g_object_set_data_full (G_OBJECT (msg), "wcs-feed", g_steal_pointer (&folded), g_free);
  g_signal_connect (msg, "finished", G_CALLBACK (feed_finished), web);
}

void
wcs_web_push (WcsWeb *web, WeftIrcMessage *message, const char *channel)
{
  g_autofree char *folded = weft_irc_server_casefold (web->irc, channel);
  GPtrArray *listeners = g_hash_table_lookup (web->feeds, folded);
  g_autofree char *nick = NULL;
  GString *event;
  g_autoptr (GBytes) bytes = NULL;

  if (listeners == NULL || listeners->len == 0)
    return;
  weft_irc_split_source (weft_irc_message_get_source (message), &nick, NULL, NULL);
  event = g_string_new ("id: ");
  g_string_append (event, weft_irc_message_get_tag (message, "msgid"));
  g_string_append (event, "\nevent: message\ndata: {\"channel\":");
  json_append_string (event, channel);
  g_string_append (event, ",\"time\":");
  json_append_string (event, weft_irc_message_get_tag (message, "time"));
  g_string_append (event, ",\"nick\":");
  json_append_string (event, nick);
  g_string_append (event, ",\"command\":");
  json_append_string (event, weft_irc_message_get_verb (message));
  g_string_append (event, ",\"text\":");
  json_append_string (event, weft_irc_message_get_param (message, 1));
  g_string_append (event, "}\n\n");
  bytes = g_string_free_to_bytes (event);

  for (guint i = 0; i < listeners->len; i++)
    {
      SoupServerMessage *msg = listeners->pdata[i];
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
      soup_server_message_unpause (msg);
    }
}

WcsWeb *
wcs_web_new (WeftReactor *reactor, WeftIrcServer *irc)
{
  WcsWeb *web = g_new0 (WcsWeb, 1);
  g_autoptr (WeftWebsocketOptions) options = weft_websocket_options_new ();

  web->reactor = g_object_ref (reactor);
  web->irc = g_object_ref (irc);
  web->feeds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  web->soup = weft_soup_server_new (reactor);
  weft_websocket_options_set_mode (options, WEFT_WEBSOCKET_MODE_LINE);
  weft_websocket_options_set_max_message_size (options, WEFT_IRC_MAX_LINE_BYTES + WEFT_IRC_MAX_TAG_BYTES);
  weft_soup_server_add_websocket (web->soup, "/irc", irc_subprotocols, options, weft_irc_server_get_factory (irc));
  weft_soup_server_add_handler (web->soup, "/channels", feed_cb, web, NULL);
  weft_soup_server_add_resource_handler (web->soup, "/", "/org/weft/ChatServer/web");
  return web;
}

gboolean
wcs_web_listen (WcsWeb *web, const char *endpoint, GError **error)
{
  return weft_soup_server_listen (web->soup, endpoint, error);
}

guint16
wcs_web_get_port (WcsWeb *web)
{
  return weft_soup_server_get_port (web->soup);
}

guint
wcs_web_get_n_listeners (WcsWeb *web)
{
  return web->n_listeners;
}

void
wcs_web_close (WcsWeb *web)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);

  if (web->closed)
    return;
  web->closed = TRUE;
  g_hash_table_iter_init (&iter, web->feeds);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *listeners = value;
      for (guint i = 0; i < listeners->len; i++)
        g_ptr_array_add (all, g_object_ref (listeners->pdata[i]));
    }
  for (guint i = 0; i < all->len; i++)
    {
      soup_message_body_complete (soup_server_message_get_response_body (all->pdata[i]));
      soup_server_message_unpause (all->pdata[i]);
    }
  weft_soup_server_disconnect (web->soup);
}

void
wcs_web_free (WcsWeb *web)
{
  GHashTableIter iter;
  gpointer value;

  if (web == NULL)
    return;
  g_hash_table_iter_init (&iter, web->feeds);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *listeners = value;
      for (guint i = 0; i < listeners->len; i++)
        g_signal_handlers_disconnect_by_data (listeners->pdata[i], web);
    }
  g_hash_table_unref (web->feeds);
  g_clear_object (&web->soup);
  g_object_unref (web->irc);
  g_object_unref (web->reactor);
  g_free (web);
}
