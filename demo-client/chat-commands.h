/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "chat-connection.h"

G_BEGIN_DECLS

typedef enum {
  CHAT_COMMAND_DONE,
  CHAT_COMMAND_OPEN_ROOM,  /* show *room_out */
  CHAT_COMMAND_CLOSE_ROOM, /* close the current room */
  CHAT_COMMAND_QUIT,       /* quit the application */
  CHAT_COMMAND_FAILED,     /* see error */
} ChatCommandResult;

/* The commands Tab completes, without the slash. */
const char *const *chat_commands_list (void);

/* Runs one line typed into a room: a /command, or text to send. */
ChatCommandResult chat_commands_run (ChatConnection *connection,
                                     ChatRoom *room,
                                     const char *line,
                                     ChatRoom **room_out,
                                     GError **error);

G_END_DECLS
