/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-error.h"
#include "weft-irc-message.h"

/* The longest message body a line may carry without its CRLF. */
#define MAX_BODY_BYTES (WEFT_IRC_MAX_LINE_BYTES - 2)

struct _WeftIrcMessage {
  gatomicrefcount ref_count;
  guint numeric;
  char *verb;
  char *source;
  GPtrArray *params;   /* (nullable) of owned strings, NULL-terminated */
  GHashTable *tags;    /* (nullable) owned key → owned unescaped value */
  GPtrArray *tag_keys; /* (nullable) the keys in order of first insertion; owned by tags */
};

G_DEFINE_BOXED_TYPE (WeftIrcMessage, weft_irc_message, weft_irc_message_ref, weft_irc_message_unref)

static const char *const empty_params[] = { NULL };

static gboolean
is_verb_char (char c)
{
  return g_ascii_isalnum (c);
}

/* Tag keys: an optional client-only '+', an optional vendor (a host name)
 * and '/', and a name of letters, digits and hyphens. */
static gboolean
is_tag_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.' || c == '/' || c == '+' || c == '_';
}

static gboolean
tag_key_is_valid (const char *key, gsize len)
{
  if (len == 0 || (len == 1 && key[0] == '+'))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!is_tag_key_char (key[i]))
      return FALSE;
  return TRUE;
}

static guint
numeric_of (const char *verb)
{
  if (g_ascii_isdigit (verb[0]) && g_ascii_isdigit (verb[1]) && g_ascii_isdigit (verb[2]) && verb[3] == '\0')
    return (verb[0] - '0') * 100 + (verb[1] - '0') * 10 + (verb[2] - '0');
  return 0;
}

static WeftIrcMessage *
message_alloc (void)
{
  WeftIrcMessage *message = g_new0 (WeftIrcMessage, 1);

  g_atomic_ref_count_init (&message->ref_count);
  return message;
}

static void
message_take_verb (WeftIrcMessage *message, char *verb)
{
  for (char *p = verb; *p; p++)
    *p = g_ascii_toupper (*p);
  message->verb = verb;
  message->numeric = numeric_of (verb);
}

static void
message_take_param (WeftIrcMessage *message, char *param)
{
  if (message->params == NULL)
    message->params = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  g_ptr_array_add (message->params, param);
}

static void
message_take_tag (WeftIrcMessage *message, char *key, char *value)
{
  if (message->tags == NULL)
    {
      message->tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      message->tag_keys = g_ptr_array_new ();
    }
  /* g_hash_table_insert() keeps the first key and frees the new one, so the
   * order array never holds a freed key. */
  if (g_hash_table_insert (message->tags, key, value))
    g_ptr_array_add (message->tag_keys, key);
}

/**
 * weft_irc_message_new:
 * @verb: the command (upper-cased here) or a three-digit numeric
 *
 * Creates a message with no source, no tags and no parameters.
 *
 * Returns: (transfer full): a new message
 */
WeftIrcMessage *
weft_irc_message_new (const char *verb)
{
  WeftIrcMessage *message;

  g_return_val_if_fail (verb != NULL, NULL);

  message = message_alloc ();
  message_take_verb (message, g_strdup (verb));
  return message;
}

/**
 * weft_irc_message_new_va:
 * @verb: the command or a three-digit numeric
 * @...: the parameters, each a string, then %NULL
 *
 * Creates a message with the given parameters and no source or tags:
 * `weft_irc_message_new_va ("PRIVMSG", "#weft", "hello there", NULL)`.
 *
 * Returns: (transfer full): a new message
 */
WeftIrcMessage *
weft_irc_message_new_va (const char *verb, ...)
{
  WeftIrcMessage *message;
  const char *param;
  va_list args;

  g_return_val_if_fail (verb != NULL, NULL);

  message = weft_irc_message_new (verb);
  va_start (args, verb);
  while ((param = va_arg (args, const char *)) != NULL)
    message_take_param (message, g_strdup (param));
  va_end (args);
  return message;
}

/* Unescapes a tag value (IRCv3 message-tags): \: ; \s space, \\ backslash,
 * \r CR, \n LF; a backslash before any other character is dropped, and so is
 * a lone one at the end. */
static char *
unescape_tag_value (const char *value, gsize len)
{
  char *out = g_malloc (len + 1);
  char *o = out;

  for (gsize i = 0; i < len; i++)
    {
      char c = value[i];

      if (c != '\\')
        {
          *o++ = c;
          continue;
        }
      if (++i == len)
        break;
      switch (value[i])
        {
        case ':':
          *o++ = ';';
          break;
        case 's':
          *o++ = ' ';
          break;
        case 'r':
          *o++ = '\r';
          break;
        case 'n':
          *o++ = '\n';
          break;
        default:
          *o++ = value[i];
          break;
        }
    }
  *o = '\0';
  return out;
}

static gboolean
parse_tags (WeftIrcMessage *message, const char *tags, const char *end, GError **error)
{
  const char *item = tags;

  while (item < end)
    {
      const char *item_end = memchr (item, ';', end - item);
      const char *eq;
      gsize key_len;

      if (item_end == NULL)
        item_end = end;
      eq = memchr (item, '=', item_end - item);
      key_len = (eq != NULL ? eq : item_end) - item;
      if (item_end == item)
        {
          /* An empty item, as in "@a=b;;c": nothing to keep. */
        }
      else if (!tag_key_is_valid (item, key_len))
        {
          g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED, _ ("Invalid message tag name “%.*s”"),
                       (int) MIN (key_len, 64), item);
          return FALSE;
        }
      else
        {
          char *value = eq != NULL ? unescape_tag_value (eq + 1, item_end - eq - 1) : g_strdup ("");

          message_take_tag (message, g_strndup (item, key_len), value);
        }
      item = item_end + 1;
    }
  return TRUE;
}

static gboolean
has_forbidden_byte (const char *p, gsize len)
{
  return memchr (p, '\0', len) != NULL || memchr (p, '\r', len) != NULL || memchr (p, '\n', len) != NULL;
}

/**
 * weft_irc_message_parse:
 * @line: (array length=len) (element-type guint8): one line as received
 * @len: the length of @line in bytes, or -1 if it is nul-terminated
 * @error: return location for a #GError
 *
 * Parses one IRC line, without its line ending (a trailing CR, LF or CRLF
 * is tolerated). Spaces between parameters may be repeated, as RFC 1459
 * allows. Tag values are unescaped.
 *
 * A line whose tags section (with the `@` and the space) is longer than
 * %WEFT_IRC_MAX_TAG_BYTES, or whose rest is longer than
 * %WEFT_IRC_MAX_LINE_BYTES with its CRLF, fails with
 * %WEFT_IRC_ERROR_TOO_LONG before anything is allocated for it; a line that
 * has no verb, holds CR, LF or NUL inside, or has an invalid tag name fails
 * with %WEFT_IRC_ERROR_MALFORMED.
 *
 * Returns: (transfer full): the message, or %NULL with @error set
 */
WeftIrcMessage *
weft_irc_message_parse (const char *line, gssize len, GError **error)
{
  g_autoptr (WeftIrcMessage) message = NULL;
  const char *p, *end, *word;

  g_return_val_if_fail (line != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < 0)
    /* Enough to see that a longer string is too long, even after CRLF. */
    len = strnlen (line, WEFT_IRC_MAX_TAG_BYTES + MAX_BODY_BYTES + 3);
  if (len > 0 && line[len - 1] == '\n')
    len--;
  if (len > 0 && line[len - 1] == '\r')
    len--;
  if ((gsize) len > WEFT_IRC_MAX_TAG_BYTES + MAX_BODY_BYTES)
    {
      g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG,
                   _ ("The IRC line is %" G_GSSIZE_FORMAT " bytes long, more than a message may be"), len);
      return NULL;
    }
  if (has_forbidden_byte (line, len))
    {
      g_set_error_literal (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED,
                           _ ("The IRC line holds a CR, LF or NUL character"));
      return NULL;
    }

  p = line;
  end = line + len;
  message = message_alloc ();

  if (p < end && *p == '@')
    {
      /* The tags section, with '@' and its space, is at most MAX_TAG_BYTES. */
      const char *space = memchr (p, ' ', MIN (len, WEFT_IRC_MAX_TAG_BYTES));

      if (space == NULL)
        {
          if (len >= WEFT_IRC_MAX_TAG_BYTES)
            g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG,
                         _ ("The message tags are longer than %d bytes"), WEFT_IRC_MAX_TAG_BYTES);
          else
            g_set_error_literal (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED,
                                 _ ("The IRC line has message tags but no command"));
          return NULL;
        }
      if (end - (space + 1) > MAX_BODY_BYTES)
        goto too_long;
      if (!parse_tags (message, p + 1, space, error))
        return NULL;
      p = space;
    }
  else if (len > MAX_BODY_BYTES)
    goto too_long;

  while (p < end && *p == ' ')
    p++;

  if (p < end && *p == ':')
    {
      word = ++p;
      while (p < end && *p != ' ')
        p++;
      if (p == word || p == end)
        {
          g_set_error_literal (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED,
                               p == word ? _ ("The IRC line has an empty source")
                                         : _ ("The IRC line has a source but no command"));
          return NULL;
        }
      message->source = g_strndup (word, p - word);
      while (p < end && *p == ' ')
        p++;
    }

  word = p;
  while (p < end && *p != ' ')
    {
      if (!is_verb_char (*p))
        {
          g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED,
                       _ ("The IRC command “%.*s” holds a character other than letters and digits"),
                       (int) MIN (end - word, 32), word);
          return NULL;
        }
      p++;
    }
  if (p == word)
    {
      g_set_error_literal (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED, _ ("The IRC line has no command"));
      return NULL;
    }
  message_take_verb (message, g_strndup (word, p - word));

  for (;;)
    {
      while (p < end && *p == ' ')
        p++;
      if (p == end)
        break;
      if (*p == ':')
        {
          message_take_param (message, g_strndup (p + 1, end - p - 1));
          break;
        }
      word = p;
      while (p < end && *p != ' ')
        p++;
      message_take_param (message, g_strndup (word, p - word));
    }

  return g_steal_pointer (&message);

too_long:
  g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG,
               _ ("The IRC message is longer than %d bytes without its tags"), WEFT_IRC_MAX_LINE_BYTES);
  return NULL;
}

/**
 * weft_irc_message_ref:
 * @message: a message
 *
 * Takes a reference on @message.
 *
 * Returns: (transfer full): @message
 */
WeftIrcMessage *
weft_irc_message_ref (WeftIrcMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  g_atomic_ref_count_inc (&message->ref_count);
  return message;
}

/**
 * weft_irc_message_unref:
 * @message: (transfer full): a message
 *
 * Drops a reference on @message, freeing it with the last one.
 */
void
weft_irc_message_unref (WeftIrcMessage *message)
{
  g_return_if_fail (message != NULL);

  if (!g_atomic_ref_count_dec (&message->ref_count))
    return;
  g_free (message->verb);
  g_free (message->source);
  g_clear_pointer (&message->params, g_ptr_array_unref);
  g_clear_pointer (&message->tag_keys, g_ptr_array_unref);
  g_clear_pointer (&message->tags, g_hash_table_unref);
  g_free (message);
}

/**
 * weft_irc_message_get_verb:
 * @message: a message
 *
 * Gets the verb: an upper-case command such as `PRIVMSG`, or a three-digit
 * numeric such as `001`.
 *
 * Returns: the verb
 */
const char *
weft_irc_message_get_verb (const WeftIrcMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->verb;
}

/**
 * weft_irc_message_get_source:
 * @message: a message
 *
 * Gets the source, without its leading colon: `nick!user@host` or a server
 * name. Split it with weft_irc_split_source().
 *
 * Returns: (nullable): the source, or %NULL if the message has none
 */
const char *
weft_irc_message_get_source (const WeftIrcMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->source;
}

/**
 * weft_irc_message_get_n_params:
 * @message: a message
 *
 * Gets the number of parameters.
 *
 * Returns: the number of parameters
 */
guint
weft_irc_message_get_n_params (const WeftIrcMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->params != NULL ? message->params->len : 0;
}

/**
 * weft_irc_message_get_param:
 * @message: a message
 * @index: the index of a parameter, from 0
 *
 * Gets one parameter; the last one may hold spaces.
 *
 * Returns: (nullable): the parameter, or %NULL when @index is past the end
 */
const char *
weft_irc_message_get_param (const WeftIrcMessage *message, guint index)
{
  g_return_val_if_fail (message != NULL, NULL);

  if (message->params == NULL || index >= message->params->len)
    return NULL;
  return g_ptr_array_index (message->params, index);
}

/**
 * weft_irc_message_get_params:
 * @message: a message
 *
 * Gets every parameter.
 *
 * Returns: (array zero-terminated=1) (transfer none): the parameters
 */
const char *const *
weft_irc_message_get_params (const WeftIrcMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  if (message->params == NULL || message->params->len == 0)
    return empty_params;
  return (const char *const *) message->params->pdata;
}

/**
 * weft_irc_message_get_numeric:
 * @message: a message
 *
 * Gets the numeric reply code, when the verb is three digits.
 *
 * Returns: the numeric (1 to 999), or 0 when the verb is a command
 */
guint
weft_irc_message_get_numeric (const WeftIrcMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->numeric;
}

/**
 * weft_irc_message_get_tag:
 * @message: a message
 * @key: a tag name, such as `time` or `+draft/reply`
 *
 * Gets the unescaped value of a tag.
 *
 * Returns: (nullable): the value, "" for a tag without a value, or %NULL
 *   when the message does not have the tag
 */
const char *
weft_irc_message_get_tag (const WeftIrcMessage *message, const char *key)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (message->tags == NULL)
    return NULL;
  return g_hash_table_lookup (message->tags, key);
}

/**
 * weft_irc_message_has_tag:
 * @message: a message
 * @key: a tag name
 *
 * Tells whether the message has a tag, with or without a value.
 *
 * Returns: %TRUE if the message has the tag
 */
gboolean
weft_irc_message_has_tag (const WeftIrcMessage *message, const char *key)
{
  return weft_irc_message_get_tag (message, key) != NULL;
}

/**
 * weft_irc_message_get_tags:
 * @message: a message
 *
 * Gets every tag, as a table from name to unescaped value. Do not change it.
 *
 * Returns: (transfer none) (nullable) (element-type utf8 utf8): the tags, or
 *   %NULL when the message has none
 */
GHashTable *
weft_irc_message_get_tags (const WeftIrcMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->tags;
}

/**
 * weft_irc_message_get_time:
 * @message: a message
 *
 * Reads the IRCv3 server-time `time` tag, such as
 * `2026-12-05T02:10:00.123Z`.
 *
 * Returns: (transfer full) (nullable): the time in UTC, or %NULL when the
 *   message has no `time` tag or its value is not an ISO 8601 time
 */
GDateTime *
weft_irc_message_get_time (const WeftIrcMessage *message)
{
  g_autoptr (GTimeZone) utc = NULL;
  g_autoptr (GDateTime) time = NULL;
  const char *value;

  value = weft_irc_message_get_tag (message, "time");
  if (value == NULL || *value == '\0')
    return NULL;
  utc = g_time_zone_new_utc ();
  time = g_date_time_new_from_iso8601 (value, utc);
  if (time == NULL)
    return NULL;
  return g_date_time_to_utc (time);
}

static gboolean
is_sole_owner (WeftIrcMessage *message)
{
  return g_atomic_ref_count_compare (&message->ref_count, 1);
}

/**
 * weft_irc_message_set_source:
 * @message: a message that only the caller holds
 * @source: (nullable): the new source, without a leading colon, or %NULL
 *   for none
 *
 * Sets or clears the source.
 */
void
weft_irc_message_set_source (WeftIrcMessage *message, const char *source)
{
  g_return_if_fail (message != NULL);
  g_return_if_fail (is_sole_owner (message));

  if (message->source == source)
    return;
  g_free (message->source);
  message->source = g_strdup (source);
}

/**
 * weft_irc_message_set_tag:
 * @message: a message that only the caller holds
 * @key: a tag name
 * @value: (nullable): the unescaped value, or %NULL for a tag without one
 *
 * Adds a tag, or replaces the value of one the message has (keeping its
 * place in the serialized order).
 */
void
weft_irc_message_set_tag (WeftIrcMessage *message, const char *key, const char *value)
{
  g_return_if_fail (message != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (is_sole_owner (message));

  message_take_tag (message, g_strdup (key), g_strdup (value != NULL ? value : ""));
}

/**
 * weft_irc_message_remove_tag:
 * @message: a message that only the caller holds
 * @key: a tag name
 *
 * Removes a tag, if the message has it.
 */
void
weft_irc_message_remove_tag (WeftIrcMessage *message, const char *key)
{
  guint index;

  g_return_if_fail (message != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (is_sole_owner (message));

  if (message->tags == NULL)
    return;
  if (g_ptr_array_find_with_equal_func (message->tag_keys, key, g_str_equal, &index))
    g_ptr_array_remove_index (message->tag_keys, index);
  g_hash_table_remove (message->tags, key);
}

/**
 * weft_irc_message_add_param:
 * @message: a message that only the caller holds
 * @param: the parameter to append
 *
 * Appends a parameter.
 */
void
weft_irc_message_add_param (WeftIrcMessage *message, const char *param)
{
  g_return_if_fail (message != NULL);
  g_return_if_fail (param != NULL);
  g_return_if_fail (is_sole_owner (message));

  message_take_param (message, g_strdup (param));
}

/**
 * weft_irc_message_copy:
 * @message: a message
 *
 * Copies a message deeply; the copy has one reference, held by the caller,
 * so it may be changed with the setters.
 *
 * Returns: (transfer full): the copy
 */
WeftIrcMessage *
weft_irc_message_copy (const WeftIrcMessage *message)
{
  WeftIrcMessage *copy;

  g_return_val_if_fail (message != NULL, NULL);

  copy = message_alloc ();
  copy->verb = g_strdup (message->verb);
  copy->numeric = message->numeric;
  copy->source = g_strdup (message->source);
  for (guint i = 0; message->params != NULL && i < message->params->len; i++)
    message_take_param (copy, g_strdup (g_ptr_array_index (message->params, i)));
  for (guint i = 0; message->tag_keys != NULL && i < message->tag_keys->len; i++)
    {
      const char *key = g_ptr_array_index (message->tag_keys, i);

      message_take_tag (copy, g_strdup (key), g_strdup (g_hash_table_lookup (message->tags, key)));
    }
  return copy;
}

static void
append_escaped_tag_value (GString *out, const char *value)
{
  for (const char *p = value; *p; p++)
    {
      switch (*p)
        {
        case ';':
          g_string_append (out, "\\:");
          break;
        case ' ':
          g_string_append (out, "\\s");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        default:
          g_string_append_c (out, *p);
          break;
        }
    }
}

static gboolean
fail_malformed (GError **error, const char *what)
{
  g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED, _ ("Cannot write the IRC message: %s"), what);
  return FALSE;
}

static gboolean
check_serializable (const WeftIrcMessage *message, GError **error)
{
  guint n_params = weft_irc_message_get_n_params (message);

  if (message->verb[0] == '\0')
    return fail_malformed (error, _ ("the command is empty"));
  for (const char *p = message->verb; *p; p++)
    if (!is_verb_char (*p))
      return fail_malformed (error, _ ("the command holds a character other than letters and digits"));
  if (message->source != NULL && (message->source[0] == '\0' || strpbrk (message->source, " \r\n") != NULL))
    return fail_malformed (error, _ ("the source is empty or holds a space, CR or LF"));
  for (guint i = 0; message->tag_keys != NULL && i < message->tag_keys->len; i++)
    {
      const char *key = g_ptr_array_index (message->tag_keys, i);

      if (!tag_key_is_valid (key, strlen (key)))
        return fail_malformed (error, _ ("a tag name holds a character other than letters, digits, “-”, “.” and “/”"));
    }
  for (guint i = 0; i < n_params; i++)
    {
      const char *param = g_ptr_array_index (message->params, i);

      if (strpbrk (param, "\r\n") != NULL)
        return fail_malformed (error, _ ("a parameter holds CR or LF"));
      if (i + 1 < n_params && (param[0] == '\0' || param[0] == ':' || strchr (param, ' ') != NULL))
        return fail_malformed (error, _ ("a parameter before the last is empty, starts with “:” or holds a space"));
    }
  return TRUE;
}

/**
 * weft_irc_message_to_string:
 * @message: a message
 * @error: return location for a #GError
 *
 * Serializes a message, without the CRLF. Tag values are escaped, and the
 * last parameter gets a leading `:` when it is empty, holds a space or starts
 * with `:`.
 *
 * Fails with %WEFT_IRC_ERROR_MALFORMED when the verb is empty or not letters
 * and digits, a parameter before the last is empty, holds a space or starts
 * with `:`, or any part holds CR or LF; with %WEFT_IRC_ERROR_TOO_LONG when
 * the message is longer than %WEFT_IRC_MAX_LINE_BYTES (with a CRLF) without
 * its tags, or its tags longer than %WEFT_IRC_MAX_TAG_BYTES.
 *
 * Returns: (transfer full): the line, or %NULL with @error set
 */
char *
weft_irc_message_to_string (const WeftIrcMessage *message, GError **error)
{
  g_autoptr (GString) out = NULL;
  gsize body_start = 0;
  guint n_params;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_serializable (message, error))
    return NULL;

  out = g_string_sized_new (128);
  if (message->tag_keys != NULL && message->tag_keys->len > 0)
    {
      g_string_append_c (out, '@');
      for (guint i = 0; i < message->tag_keys->len; i++)
        {
          const char *key = g_ptr_array_index (message->tag_keys, i);
          const char *value = g_hash_table_lookup (message->tags, key);

          if (i > 0)
            g_string_append_c (out, ';');
          g_string_append (out, key);
          if (value[0] != '\0')
            {
              g_string_append_c (out, '=');
              append_escaped_tag_value (out, value);
            }
          if (out->len >= WEFT_IRC_MAX_TAG_BYTES)
            break;
        }
      g_string_append_c (out, ' ');
      if (out->len > WEFT_IRC_MAX_TAG_BYTES)
        {
          g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG, _ ("The message tags are longer than %d bytes"),
                       WEFT_IRC_MAX_TAG_BYTES);
          return NULL;
        }
      body_start = out->len;
    }

  if (message->source != NULL)
    {
      g_string_append_c (out, ':');
      g_string_append (out, message->source);
      g_string_append_c (out, ' ');
    }
  g_string_append (out, message->verb);

  n_params = weft_irc_message_get_n_params (message);
  for (guint i = 0; i < n_params; i++)
    {
      const char *param = g_ptr_array_index (message->params, i);

      g_string_append_c (out, ' ');
      if (i + 1 == n_params && (param[0] == '\0' || param[0] == ':' || strchr (param, ' ') != NULL))
        g_string_append_c (out, ':');
      g_string_append (out, param);
      if (out->len - body_start > MAX_BODY_BYTES)
        break;
    }
  if (out->len - body_start > MAX_BODY_BYTES)
    {
      g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG,
                   _ ("The IRC message is longer than %d bytes without its tags"), WEFT_IRC_MAX_LINE_BYTES);
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * weft_irc_split_source:
 * @source: a source such as `nick!user@host`, `nick@host` or a server name
 * @nick: (out) (optional) (nullable) (transfer full): the part before `!`
 *   and `@`
 * @user: (out) (optional) (nullable) (transfer full): the part between `!`
 *   and `@`, or %NULL
 * @host: (out) (optional) (nullable) (transfer full): the part after `@`,
 *   or %NULL
 *
 * Splits a message source into its parts; a part that is missing is set to
 * %NULL. A server name comes back whole in @nick (servers are told apart by
 * the dot that nicknames cannot hold).
 */
void
weft_irc_split_source (const char *source, char **nick, char **user, char **host)
{
  const char *bang, *at;

  if (nick != NULL)
    *nick = NULL;
  if (user != NULL)
    *user = NULL;
  if (host != NULL)
    *host = NULL;
  g_return_if_fail (source != NULL);

  at = strchr (source, '@');
  bang = memchr (source, '!', at != NULL ? (gsize) (at - source) : strlen (source));

  if (nick != NULL)
    *nick = g_strndup (source, bang != NULL ? bang - source : at != NULL ? at - source : (gssize) strlen (source));
  if (user != NULL && bang != NULL)
    *user = at != NULL ? g_strndup (bang + 1, at - bang - 1) : g_strdup (bang + 1);
  if (host != NULL && at != NULL)
    *host = g_strdup (at + 1);
}
