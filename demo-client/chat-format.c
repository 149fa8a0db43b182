/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include <weft-irc/weft-irc.h>

#include "chat-format.h"
#include "chat-message.h"

/* The list is made when the first attribute comes: most messages have none. */
static void
insert (PangoAttrList **attrs, PangoAttribute *attr, guint start, guint end)
{
  attr->start_index = start;
  attr->end_index = end;
  if (*attrs == NULL)
    *attrs = pango_attr_list_new ();
  pango_attr_list_insert (*attrs, attr);
}

static void
add (PangoAttrList **attrs, PangoAttribute *attr, const WeftIrcTextSpan *span)
{
  insert (attrs, attr, span->start, span->end);
}

static PangoAttribute *
colour_attr (gint rgb, gboolean background)
{
  guint16 r = ((rgb >> 16) & 0xff) * 257;
  guint16 g = ((rgb >> 8) & 0xff) * 257;
  guint16 b = (rgb & 0xff) * 257;

  return background ? pango_attr_background_new (r, g, b) : pango_attr_foreground_new (r, g, b);
}

/* libweft-irc takes the formatting codes apart into spans; each becomes
 * Pango attributes over the plain text. */
static void
render_spans (const WeftIrcFormattedText *formatted, PangoAttrList **attrs)
{
  guint n_spans = 0;
  const WeftIrcTextSpan *spans = weft_irc_formatted_text_get_spans (formatted, &n_spans);

  for (guint i = 0; i < n_spans; i++)
    {
      const WeftIrcTextSpan *span = &spans[i];
      gint fg = span->foreground_rgb;
      gint bg = span->background_rgb;

      if (span->style & WEFT_IRC_TEXT_STYLE_BOLD)
        add (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD), span);
      if (span->style & WEFT_IRC_TEXT_STYLE_ITALIC)
        add (attrs, pango_attr_style_new (PANGO_STYLE_ITALIC), span);
      if (span->style & WEFT_IRC_TEXT_STYLE_UNDERLINE)
        add (attrs, pango_attr_underline_new (PANGO_UNDERLINE_SINGLE), span);
      if (span->style & WEFT_IRC_TEXT_STYLE_STRIKETHROUGH)
        add (attrs, pango_attr_strikethrough_new (TRUE), span);
      if (span->style & WEFT_IRC_TEXT_STYLE_MONOSPACE)
        add (attrs, pango_attr_family_new ("monospace"), span);
      if (span->style & WEFT_IRC_TEXT_STYLE_REVERSE)
        {
          gint swap = fg;

          fg = bg >= 0 ? bg : 0xffffff;
          bg = swap >= 0 ? swap : 0x000000;
        }
      if (fg >= 0)
        add (attrs, colour_attr (fg, FALSE), span);
      if (bg >= 0)
        add (attrs, colour_attr (bg, TRUE), span);
    }
}

static GRegex *
url_regex (void)
{
  static gsize regex;

  if (g_once_init_enter (&regex))
    {
      GRegex *compiled =
          g_regex_new ("\\b(?:https?|ftp|ircs?|wss?)://[^\\s<>\"]+[^\\s<>\".,;:!?)\\]'}]", G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&regex, (gsize) compiled);
    }
  return (GRegex *) regex;
}

void
chat_format_render (const char *raw, char **text, PangoAttrList **attributes, GArray **links)
{
  g_autoptr (WeftIrcFormattedText) formatted = NULL;
  g_autoptr (GMatchInfo) match = NULL;
  PangoAttrList *attrs = NULL;
  const char *plain;

  if (!g_utf8_validate (raw, -1, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (raw, -1);
      formatted = weft_irc_formatted_text_parse (valid, -1);
    }
  else
    formatted = weft_irc_formatted_text_parse (raw, -1);
  render_spans (formatted, &attrs);
  plain = weft_irc_formatted_text_get_text (formatted);

  *links = NULL;
  if (strstr (plain, "://") != NULL && g_regex_match (url_regex (), plain, 0, &match))
    {
      *links = g_array_new (FALSE, FALSE, sizeof (ChatLinkRange));
      while (g_match_info_matches (match))
        {
          int start, end;

          g_match_info_fetch_pos (match, 0, &start, &end);
          g_array_append_val (*links, ((ChatLinkRange){ start, end }));
          insert (&attrs, pango_attr_underline_new (PANGO_UNDERLINE_SINGLE), start, end);
          insert (&attrs, pango_attr_foreground_new (0x1c1c, 0x7171, 0xd8d8), start, end);
          g_match_info_next (match, NULL);
        }
    }
  *text = g_strdup (plain);
  *attributes = attrs;
}

const char *
chat_format_nick_class (const char *nick)
{
  static const char *const classes[] = { "nick-0", "nick-1", "nick-2", "nick-3", "nick-4",
                                         "nick-5", "nick-6", "nick-7", "nick-8", "nick-9" };
  guint hash = 5381;

  for (const char *p = nick; p != NULL && *p != '\0'; p++)
    hash = hash * 33 + g_ascii_tolower (*p);
  return classes[hash % G_N_ELEMENTS (classes)];
}
