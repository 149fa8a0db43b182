/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The IRC message parser on any bytes: it either fails with a WeftIrcError
 * or gives a message that serializes and parses back to the same message. */
#include <string.h>

#include <weft-irc/weft-irc.h>

#include "fuzz-check.h"

static gboolean
tags_equal (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  if (a == NULL || b == NULL)
    return a == b;
  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (value, g_hash_table_lookup (b, key)) != 0)
      return FALSE;
  return TRUE;
}

static gboolean
messages_equal (const WeftIrcMessage *a, const WeftIrcMessage *b)
{
  guint n = weft_irc_message_get_n_params (a);

  if (g_strcmp0 (weft_irc_message_get_verb (a), weft_irc_message_get_verb (b)) != 0 ||
      g_strcmp0 (weft_irc_message_get_source (a), weft_irc_message_get_source (b)) != 0 ||
      weft_irc_message_get_numeric (a) != weft_irc_message_get_numeric (b) || n != weft_irc_message_get_n_params (b))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (weft_irc_message_get_param (a, i), weft_irc_message_get_param (b, i)) != 0)
      return FALSE;
  return tags_equal (weft_irc_message_get_tags (a), weft_irc_message_get_tags (b));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftIrcMessage) message = NULL;
  g_autoptr (WeftIrcMessage) reparsed = NULL;
  g_autoptr (WeftIrcMessage) copy = NULL;
  g_autoptr (GDateTime) time = NULL;
  g_autofree char *line = NULL;
  const char *source;

  message = weft_irc_message_parse ((const char *) data, size, &error);
  if (message == NULL)
    {
      FUZZ_CHECK (error != NULL && error->domain == WEFT_IRC_ERROR);
      FUZZ_CHECK (error->code == WEFT_IRC_ERROR_MALFORMED || error->code == WEFT_IRC_ERROR_TOO_LONG);
      return 0;
    }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (weft_irc_message_get_verb (message)[0] != '\0');
  FUZZ_CHECK (weft_irc_message_get_params (message)[weft_irc_message_get_n_params (message)] == NULL);

  /* What was parsed can be written, within the limits, and reads back. */
  line = weft_irc_message_to_string (message, &error);
  FUZZ_CHECK (error == NULL && line != NULL);
  FUZZ_CHECK (strlen (line) <= size);
  reparsed = weft_irc_message_parse (line, -1, &error);
  FUZZ_CHECK (error == NULL && reparsed != NULL);
  FUZZ_CHECK (messages_equal (message, reparsed));

  copy = weft_irc_message_copy (message);
  FUZZ_CHECK (messages_equal (message, copy));
  weft_irc_message_set_tag (copy, "+fuzz", "a; b\\c");
  weft_irc_message_remove_tag (copy, "time");

  time = weft_irc_message_get_time (message);
  source = weft_irc_message_get_source (message);
  if (source != NULL)
    {
      g_autofree char *nick = NULL, *user = NULL, *host = NULL;

      weft_irc_split_source (source, &nick, &user, &host);
      FUZZ_CHECK (nick != NULL);
      FUZZ_CHECK (strlen (nick) <= strlen (source));
    }
  return 0;
}
