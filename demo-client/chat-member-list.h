/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A channel's members, highest rank first, then by nick; activating one
 * emits ::member-activated with the nick. */
#define CHAT_TYPE_MEMBER_LIST (chat_member_list_get_type ())
G_DECLARE_FINAL_TYPE (ChatMemberList, chat_member_list, CHAT, MEMBER_LIST, GtkWidget)

/* members: WeftIrcMember items, or NULL. */
void chat_member_list_set_members (ChatMemberList *self, GListModel *members);
/* The sorted model shown. */
GListModel *chat_member_list_get_sorted (ChatMemberList *self);

G_END_DECLS
