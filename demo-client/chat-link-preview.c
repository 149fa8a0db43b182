/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <weft-soup/weft-soup.h>

#include "chat-link-preview.h"

#define MAX_BODY (256 * 1024)
#define TIMEOUT_SECONDS 5
#define MAX_IN_FLIGHT 4
#define MAX_CACHED 500
#define MAX_TITLE_CHARS 200

struct _ChatLinkPreview {
  GObject parent_instance;

  SoupSession *session;
  GCancellable *cancellable;
  GHashTable *titles;  /* url → title ("" when the page has none) */
  GHashTable *waiting; /* url → GPtrArray of GWeakRef* to messages */
  GQueue queue;        /* urls not started yet */
  guint in_flight;
};

G_DEFINE_FINAL_TYPE (ChatLinkPreview, chat_link_preview, G_TYPE_OBJECT)

static void start_next (ChatLinkPreview *self);

char *
chat_link_preview_extract_title (const char *html, gsize len)
{
  g_autofree char *lower = g_ascii_strdown (html, len);
  const char *open = strstr (lower, "<title");
  const char *start, *end;
  g_autofree char *raw = NULL;
  g_autofree char *unescaped = NULL;
  GString *collapsed;

  if (open == NULL)
    return NULL;
  start = strchr (open, '>');
  if (start == NULL)
    return NULL;
  start++;
  end = strstr (start, "</title");
  if (end == NULL)
    return NULL;
  raw = g_strndup (html + (start - lower), end - start);
  if (!g_utf8_validate (raw, -1, NULL))
    {
      char *valid = g_utf8_make_valid (raw, -1);
      g_free (raw);
      raw = valid;
    }
  /* Character references: the common named ones and numeric ones. */
  {
    GString *out = g_string_new (NULL);

    for (const char *p = raw; *p != '\0';)
      {
        if (*p == '&')
          {
            const char *semi = strchr (p, ';');
            static const struct {
              const char *name;
              const char *text;
            } names[] = { { "&amp;", "&" }, { "&lt;", "<" },   { "&gt;", ">" },  { "&quot;", "\"" },
                          { "&#39;", "'" }, { "&apos;", "'" }, { "&nbsp;", " " } };
            gboolean done = FALSE;

            for (guint i = 0; i < G_N_ELEMENTS (names) && !done; i++)
              if (g_str_has_prefix (p, names[i].name))
                {
                  g_string_append (out, names[i].text);
                  p += strlen (names[i].name);
                  done = TRUE;
                }
            if (!done && semi != NULL && p[1] == '#' && semi - p < 10)
              {
                gunichar c = p[2] == 'x' || p[2] == 'X' ? g_ascii_strtoull (p + 3, NULL, 16)
                                                        : g_ascii_strtoull (p + 2, NULL, 10);

                if (g_unichar_validate (c) && c != 0)
                  g_string_append_unichar (out, c);
                p = semi + 1;
                done = TRUE;
              }
            if (done)
              continue;
          }
        g_string_append_c (out, *p);
        p++;
      }
    unescaped = g_string_free (out, FALSE);
  }
  collapsed = g_string_new (NULL);
  for (const char *p = unescaped; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          if (collapsed->len > 0 && collapsed->str[collapsed->len - 1] != ' ')
            g_string_append_c (collapsed, ' ');
        }
      else
        g_string_append_unichar (collapsed, c);
      if (g_utf8_strlen (collapsed->str, -1) >= MAX_TITLE_CHARS)
        {
          g_string_append (collapsed, "…");
          break;
        }
    }
  if (collapsed->len > 0 && collapsed->str[collapsed->len - 1] == ' ')
    g_string_truncate (collapsed, collapsed->len - 1);
  if (collapsed->len == 0)
    {
      g_string_free (collapsed, TRUE);
      return NULL;
    }
  return g_string_free (collapsed, FALSE);
}

static void
deliver (ChatLinkPreview *self, const char *url, const char *title)
{
  GPtrArray *messages = g_hash_table_lookup (self->waiting, url);

  if (g_hash_table_size (self->titles) >= MAX_CACHED)
    g_hash_table_remove_all (self->titles);
  g_hash_table_insert (self->titles, g_strdup (url), g_strdup (title != NULL ? title : ""));
  for (guint i = 0; messages != NULL && i < messages->len; i++)
    {
      g_autoptr (ChatMessage) message = g_weak_ref_get (messages->pdata[i]);

      if (message != NULL && title != NULL)
        chat_message_set_link_title (message, title);
    }
  g_hash_table_remove (self->waiting, url);
}

typedef struct {
  ChatLinkPreview *self;
  char *url;
} Fetch;

static void
fetched (GObject *source, GAsyncResult *result, gpointer data)
{
  Fetch *fetch = data;
  ChatLinkPreview *self = fetch->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftSoupResponse) response = weft_soup_request_finish (SOUP_SESSION (source), result, &error);
  g_autofree char *url = fetch->url;
  g_autofree char *title = NULL;

  g_free (fetch);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  self->in_flight--;
  if (response != NULL)
    {
      const char *type = weft_soup_response_get_content_type (response);
      GBytes *body = weft_soup_response_get_body (response);

      if (type != NULL && (g_str_has_prefix (type, "text/html") || g_str_has_prefix (type, "application/xhtml")) &&
          body != NULL)
        {
          gsize len;
          const char *data_ptr = g_bytes_get_data (body, &len);

          title = chat_link_preview_extract_title (data_ptr, len);
        }
    }
  else
    g_debug ("No title for %s: %s", url, error->message);
  if (url != NULL)
    deliver (self, url, title);
  start_next (self);
  g_object_unref (self);
}

static void
start_next (ChatLinkPreview *self)
{
  while (self->in_flight < MAX_IN_FLIGHT && !g_queue_is_empty (&self->queue))
    {
      g_autofree char *url = g_queue_pop_head (&self->queue);
      g_autoptr (SoupMessage) message = soup_message_new ("GET", url);
      Fetch *fetch;

      if (message == NULL)
        {
          deliver (self, url, NULL);
          continue;
        }
      soup_message_headers_replace (soup_message_get_request_headers (message), "Accept",
                                    "text/html,application/xhtml+xml");
      self->in_flight++;
      fetch = g_new0 (Fetch, 1);
      fetch->self = g_object_ref (self);
      fetch->url = g_steal_pointer (&url);
      weft_soup_request_async (self->session, message, WEFT_SOUP_REQUEST_FLAGS_NONE, MAX_BODY, self->cancellable,
                               fetched, fetch);
    }
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

void
chat_link_preview_request (ChatLinkPreview *self, ChatMessage *message)
{
  const char *url = chat_message_get_first_link (message);
  const char *cached;
  GPtrArray *waiting;
  GWeakRef *ref;

  if (url == NULL || !(g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://")))
    return;
  cached = g_hash_table_lookup (self->titles, url);
  if (cached != NULL)
    {
      if (cached[0] != '\0')
        chat_message_set_link_title (message, cached);
      return;
    }
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, message);
  waiting = g_hash_table_lookup (self->waiting, url);
  if (waiting == NULL)
    {
      waiting = g_ptr_array_new_with_free_func (weak_ref_free);
      g_hash_table_insert (self->waiting, g_strdup (url), waiting);
      g_queue_push_tail (&self->queue, g_strdup (url));
    }
  g_ptr_array_add (waiting, ref);
  start_next (self);
}

ChatLinkPreview *
chat_link_preview_new (WeftReactor *reactor)
{
  ChatLinkPreview *self = g_object_new (CHAT_TYPE_LINK_PREVIEW, NULL);

  self->session = weft_soup_session_new (reactor);
  soup_session_set_timeout (self->session, TIMEOUT_SECONDS);
  soup_session_set_idle_timeout (self->session, TIMEOUT_SECONDS);
  soup_session_set_user_agent (self->session, "weft-chat/" WEFT_VERSION " (link titles)");
  return self;
}

static void
chat_link_preview_dispose (GObject *object)
{
  ChatLinkPreview *self = CHAT_LINK_PREVIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_queue_clear_full (&self->queue, g_free);
  G_OBJECT_CLASS (chat_link_preview_parent_class)->dispose (object);
}

static void
chat_link_preview_finalize (GObject *object)
{
  ChatLinkPreview *self = CHAT_LINK_PREVIEW (object);

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->titles);
  g_hash_table_unref (self->waiting);
  G_OBJECT_CLASS (chat_link_preview_parent_class)->finalize (object);
}

static void
chat_link_preview_class_init (ChatLinkPreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = chat_link_preview_dispose;
  object_class->finalize = chat_link_preview_finalize;
}

static void
chat_link_preview_init (ChatLinkPreview *self)
{
  self->cancellable = g_cancellable_new ();
  self->titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
}
