/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chat-commands.h"

static const char *const commands[] = {
  "away", "close", "join", "me", "msg", "nick", "part", "query", "quit", "raw", "topic", "whois", NULL,
};

const char *const *
chat_commands_list (void)
{
  return commands;
}

static ChatCommandResult
fail (GError **error, const char *message)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
  return CHAT_COMMAND_FAILED;
}

/* Splits "word rest" at the first run of spaces; rest may be empty. */
static char *
next_word (const char **args)
{
  const char *p = *args;
  const char *end;

  while (*p == ' ')
    p++;
  end = p;
  while (*end != '\0' && *end != ' ')
    end++;
  *args = end;
  while (**args == ' ')
    (*args)++;
  return end > p ? g_strndup (p, end - p) : NULL;
}

static gboolean
needs_conversation (ChatRoom *room, GError **error)
{
  if (chat_room_get_kind (room) == CHAT_ROOM_SERVER)
    {
      fail (error, _ ("This command works in a channel or a private chat."));
      return FALSE;
    }
  return TRUE;
}

ChatCommandResult
chat_commands_run (ChatConnection *connection, ChatRoom *room, const char *line, ChatRoom **room_out, GError **error)
{
  WeftIrcClient *client = chat_connection_get_client (connection);
  g_autofree char *verb = NULL;
  const char *args;

  *room_out = NULL;
  /* "//text" sends "/text"; a line without a slash is a message. */
  if (line[0] != '/' || line[1] == '/')
    {
      if (!needs_conversation (room, error))
        return CHAT_COMMAND_FAILED;
      chat_connection_send_text (connection, room, line[0] == '/' ? line + 1 : line, FALSE);
      return CHAT_COMMAND_DONE;
    }

  args = line + 1;
  verb = next_word (&args);
  if (verb == NULL)
    return fail (error, _ ("Type a command after the slash."));
  if (g_ascii_strcasecmp (verb, "me") == 0)
    {
      if (!needs_conversation (room, error))
        return CHAT_COMMAND_FAILED;
      chat_connection_send_text (connection, room, args, TRUE);
    }
  else if (g_ascii_strcasecmp (verb, "join") == 0)
    {
      g_autofree char *channel = next_word (&args);
      g_autofree char *key = next_word (&args);
      g_autofree char *name = NULL;

      if (channel == NULL)
        return fail (error, _ ("Usage: /join #channel [key]"));
      name =
          chat_connection_is_channel_name (connection, channel) ? g_strdup (channel) : g_strconcat ("#", channel, NULL);
      weft_irc_client_join (client, name, key);
    }
  else if (g_ascii_strcasecmp (verb, "part") == 0)
    {
      const char *channel = chat_room_get_name (room);
      g_autofree char *named = NULL;

      if (args[0] != '\0' && chat_connection_is_channel_name (connection, args))
        {
          named = next_word (&args);
          channel = named;
        }
      else if (chat_room_get_kind (room) != CHAT_ROOM_CHANNEL)
        return fail (error, _ ("Usage: /part [#channel] [reason]"));
      weft_irc_client_part (client, channel, args[0] != '\0' ? args : NULL);
    }
  else if (g_ascii_strcasecmp (verb, "msg") == 0 || g_ascii_strcasecmp (verb, "query") == 0)
    {
      g_autofree char *target = next_word (&args);
      gboolean query = g_ascii_strcasecmp (verb, "query") == 0;
      ChatRoom *target_room;

      if (target == NULL || (!query && args[0] == '\0'))
        return fail (error, query ? _ ("Usage: /query nick [message]") : _ ("Usage: /msg target message"));
      target_room = chat_connection_find_room (connection, target);
      if (target_room == NULL && !chat_connection_is_channel_name (connection, target))
        target_room = chat_connection_ensure_query (connection, target);
      if (args[0] != '\0')
        {
          if (target_room != NULL)
            chat_connection_send_text (connection, target_room, args, FALSE);
          else
            {
              g_autoptr (WeftIrcOutgoing) outgoing = weft_irc_client_send_privmsg (client, target, args);
            }
        }
      if (query && target_room != NULL)
        {
          *room_out = target_room;
          return CHAT_COMMAND_OPEN_ROOM;
        }
    }
  else if (g_ascii_strcasecmp (verb, "nick") == 0)
    {
      g_autofree char *nick = next_word (&args);

      if (nick == NULL)
        return fail (error, _ ("Usage: /nick new-nick"));
      weft_irc_client_set_nick (client, nick);
    }
  else if (g_ascii_strcasecmp (verb, "topic") == 0)
    {
      if (chat_room_get_kind (room) != CHAT_ROOM_CHANNEL)
        return fail (error, _ ("Usage: /topic new topic (in a channel)"));
      if (args[0] == '\0')
        {
          const char *topic = chat_room_get_topic (room);
          g_autofree char *text = topic != NULL && topic[0] != '\0' ? g_strdup_printf (_ ("The topic is: %s"), topic)
                                                                    : g_strdup (_ ("No topic is set."));

          chat_connection_add_info (connection, room, CHAT_MESSAGE_EVENT, text);
        }
      else
        weft_irc_client_set_topic (client, chat_room_get_name (room), args);
    }
  else if (g_ascii_strcasecmp (verb, "away") == 0)
    weft_irc_client_set_away (client, args[0] != '\0' ? args : NULL);
  else if (g_ascii_strcasecmp (verb, "whois") == 0)
    {
      g_autofree char *nick = next_word (&args);
      g_autoptr (WeftIrcMessage) message = NULL;

      if (nick == NULL)
        return fail (error, _ ("Usage: /whois nick"));
      message = weft_irc_message_new_va ("WHOIS", nick, NULL);
      weft_irc_client_send_message (client, message);
    }
  else if (g_ascii_strcasecmp (verb, "raw") == 0 || g_ascii_strcasecmp (verb, "quote") == 0)
    {
      g_autoptr (WeftIrcMessage) message = NULL;
      g_autoptr (GError) parse_error = NULL;

      if (args[0] == '\0')
        return fail (error, _ ("Usage: /raw COMMAND parameters"));
      message = weft_irc_message_parse (args, -1, &parse_error);
      if (message == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Not a valid IRC line: %s"),
                       parse_error->message);
          return CHAT_COMMAND_FAILED;
        }
      weft_irc_client_send_message (client, message);
    }
  else if (g_ascii_strcasecmp (verb, "close") == 0)
    return CHAT_COMMAND_CLOSE_ROOM;
  else if (g_ascii_strcasecmp (verb, "quit") == 0)
    {
      chat_connection_disconnect (connection, args[0] != '\0' ? args : NULL);
      return CHAT_COMMAND_QUIT;
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _ ("Unknown command /%s. Commands: /join /part /msg /query /me /nick /topic /away /whois /close "
                      "/quit /raw"),
                   verb);
      return CHAT_COMMAND_FAILED;
    }
  return CHAT_COMMAND_DONE;
}
