/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pango/pango.h>

G_BEGIN_DECLS

/* Renders a message as received (with IRC formatting codes) into the text
 * shown, the Pango attributes for its formatting and links, and the byte
 * ranges of its links (ChatLinkRange). The text is never parsed as markup.
 * The attributes are NULL when there are none, the links when there are none. */
void chat_format_render (const char *raw, char **text, PangoAttrList **attributes, GArray **links);

/* A stable colour class ("nick-3") for a nick. */
const char *chat_format_nick_class (const char *nick);

G_END_DECLS
