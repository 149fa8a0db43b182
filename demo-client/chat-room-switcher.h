/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "chat-room.h"

G_BEGIN_DECLS

/* Ctrl+K: type part of a room's name, Enter jumps there. */
#define CHAT_TYPE_ROOM_SWITCHER (chat_room_switcher_get_type ())
G_DECLARE_FINAL_TYPE (ChatRoomSwitcher, chat_room_switcher, CHAT, ROOM_SWITCHER, AdwWindow)

ChatRoomSwitcher *chat_room_switcher_new (GtkWindow *parent, GListModel *rooms);

G_END_DECLS
