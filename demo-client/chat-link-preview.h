/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <weft/weft.h>

#include "chat-message.h"

G_BEGIN_DECLS

/* Fetches the <title> of the first link of a message (HTML only, at most
 * 256 KiB read and 5 s per page) and sets it as the message's link title. */
#define CHAT_TYPE_LINK_PREVIEW (chat_link_preview_get_type ())
G_DECLARE_FINAL_TYPE (ChatLinkPreview, chat_link_preview, CHAT, LINK_PREVIEW, GObject)

ChatLinkPreview *chat_link_preview_new (WeftReactor *reactor);
void chat_link_preview_request (ChatLinkPreview *self, ChatMessage *message);
/* Finds the title in an HTML document; NULL when there is none. */
char *chat_link_preview_extract_title (const char *html, gsize len);

G_END_DECLS
