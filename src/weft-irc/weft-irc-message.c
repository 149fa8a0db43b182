/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "weft-irc-error.h"
#include "weft-irc-message.h"

/* The longest message body a line may carry without its CRLF. */
#define MAX_BODY_BYTES (WEFT_IRC_MAX_LINE_BYTES - 2)

typedef struct {
  char *key;
  char *value; /* unescaped; "" for a tag without value */
} Tag;

/* A parsed message is one allocation: the struct, its parameter and tag
 * arrays, and the bytes of every string (the "arena"). The setters may then
 * replace strings and grow arrays on the heap: a string or array is freed
 * on its own only when it lies outside that block. */
struct _WeftIrcMessage {
  gatomicrefcount ref_count;
  guint numeric;
  char *verb;
  char *source;
  char **params; /* (nullable) NULL-terminated */
  guint n_params;
  guint params_capacity; /* slots, not counting the terminator */
  Tag *tags;             /* (nullable) in order of first appearance */
  guint n_tags;
  guint tags_capacity;
  GHashTable *tag_table; /* (nullable) key → value, borrowed; built on demand */
  const char *block;     /* the single allocation of a parsed message */
  gsize block_size;
};

G_DEFINE_BOXED_TYPE (WeftIrcMessage, weft_irc_message, weft_irc_message_ref, weft_irc_message_unref)

static const char *const empty_params[] = { NULL };

/* Above this many tags, lookups go through a hash table, so that a line
 * with thousands of tags costs linear time, not quadratic. */
#define MAX_LINEAR_TAGS 16

static gboolean
in_block (const WeftIrcMessage *message, const void *pointer)
{
  const char *p = pointer;

  return message->block != NULL && p >= message->block && p < message->block + message->block_size;
}

static void
free_owned (const WeftIrcMessage *message, void *pointer)
{
  if (pointer != NULL && !in_block (message, pointer))
    g_free (pointer);
}

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

static void
upcase_verb (WeftIrcMessage *message)
{
  for (char *p = message->verb; *p; p++)
    *p = g_ascii_toupper (*p);
  message->numeric = numeric_of (message->verb);
}

static WeftIrcMessage *
message_new_take_verb (char *verb)
{
  WeftIrcMessage *message = g_new0 (WeftIrcMessage, 1);

  g_atomic_ref_count_init (&message->ref_count);
  message->verb = verb;
  upcase_verb (message);
  return message;
}

static void
message_append_param (WeftIrcMessage *message, char *param)
{
  if (message->n_params == message->params_capacity)
    {
      guint capacity = MAX (4, message->params_capacity * 2);

      if (message->params == NULL || in_block (message, message->params))
        {
          char **params = g_new (char *, capacity + 1);

          if (message->n_params > 0)
            memcpy (params, message->params, message->n_params * sizeof (char *));
          message->params = params;
        }
      else
        message->params = g_renew (char *, message->params, capacity + 1);
      message->params_capacity = capacity;
    }
  message->params[message->n_params++] = param;
  message->params[message->n_params] = NULL;
}

static GHashTable *
build_tag_table (const WeftIrcMessage *message)
{
  GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < message->n_tags; i++)
    g_hash_table_insert (table, message->tags[i].key, message->tags[i].value);
  return table;
}

/* The table is built once, even by readers on several threads at once. */
static GHashTable *
ensure_tag_table (const WeftIrcMessage *message)
{
  WeftIrcMessage *mutable = (WeftIrcMessage *) message;
  GHashTable *table = g_atomic_pointer_get (&mutable->tag_table);

  if (table != NULL || message->n_tags == 0)
    return table;
  table = build_tag_table (message);
  if (!g_atomic_pointer_compare_and_exchange (&mutable->tag_table, NULL, table))
    {
      g_hash_table_unref (table);
      table = g_atomic_pointer_get (&mutable->tag_table);
    }
  return table;
}

static gint
find_tag (const WeftIrcMessage *message, const char *key)
{
  for (guint i = 0; i < message->n_tags; i++)
    if (strcmp (message->tags[i].key, key) == 0)
      return (gint) i;
  return -1;
}

/* Adds a tag or replaces its value (keeping its place); takes the strings.
 * Only for a message being built. */
static void
message_set_tag (WeftIrcMessage *message, char *key, char *value)
{
  gint index = find_tag (message, key);

  if (index >= 0)
    {
      free_owned (message, message->tags[index].value);
      message->tags[index].value = value;
      free_owned (message, key);
      if (message->tag_table != NULL)
        g_hash_table_insert (message->tag_table, message->tags[index].key, value);
      return;
    }
  if (message->n_tags == message->tags_capacity)
    {
      guint capacity = MAX (4, message->tags_capacity * 2);

      if (message->tags == NULL || in_block (message, message->tags))
        {
          Tag *tags = g_new (Tag, capacity);

          if (message->n_tags > 0)
            memcpy (tags, message->tags, message->n_tags * sizeof (Tag));
          message->tags = tags;
        }
      else
        message->tags = g_renew (Tag, message->tags, capacity);
      message->tags_capacity = capacity;
    }
  message->tags[message->n_tags].key = key;
  message->tags[message->n_tags].value = value;
  message->n_tags++;
  if (message->tag_table != NULL)
    g_hash_table_insert (message->tag_table, key, value);
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

  message = message_new_take_verb (g_strdup (verb));
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
    message_append_param (message, g_strdup (param));
  va_end (args);
  return message;
}

/* Unescapes a tag value (IRCv3 message-tags) into out, which has room for
 * len + 1 bytes: \: ; \s space, \\ backslash, \r CR, \n LF; a backslash
 * before any other character is dropped, and so is a lone one at the end.
 * Returns the byte after the terminating NUL. */
static char *
unescape_tag_value (const char *value, gsize len, char *out)
{
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
  *o++ = '\0';
  return o;
}

static char *
copy_string (const char *from, gsize len, char **cursor)
{
  char *string = *cursor;

  memcpy (string, from, len);
  string[len] = '\0';
  *cursor += len + 1;
  return string;
}

static gsize
count_byte (const char *p, const char *end, char c)
{
  gsize n = 0;

  while ((p = memchr (p, c, end - p)) != NULL)
    {
      n++;
      p++;
    }
  return n;
}

/* Parses the tags between tags and end into the message's inline array,
 * with their strings at *cursor. A repeated key keeps its first place and
 * takes the last value. */
static gboolean
parse_tags (WeftIrcMessage *message, const char *tags, const char *end, char **cursor, GError **error)
{
  g_autoptr (GHashTable) seen = NULL; /* key → index + 1, for many tags */
  const char *item = tags;

  if (message->tags_capacity > MAX_LINEAR_TAGS)
    seen = g_hash_table_new (g_str_hash, g_str_equal);

  while (item < end)
    {
      const char *item_end = memchr (item, ';', end - item);
      const char *eq;
      gsize key_len;
      char *key, *value;
      gint index;

      if (item_end == NULL)
        item_end = end;
      if (item_end == item)
        {
          /* An empty item, as in "@a=b;;c": nothing to keep. */
          item = item_end + 1;
          continue;
        }
      eq = memchr (item, '=', item_end - item);
      key_len = (eq != NULL ? eq : item_end) - item;
      if (!tag_key_is_valid (item, key_len))
        {
          g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED, _ ("Invalid message tag name “%.*s”"),
                       (int) MIN (key_len, 64), item);
          return FALSE;
        }
      key = copy_string (item, key_len, cursor);
      value = *cursor;
      *cursor = eq != NULL ? unescape_tag_value (eq + 1, item_end - eq - 1, value) : value + 1;
      if (eq == NULL)
        value[0] = '\0';

      if (seen != NULL)
        index = GPOINTER_TO_INT (g_hash_table_lookup (seen, key)) - 1;
      else
        index = find_tag (message, key);
      if (index >= 0)
        message->tags[index].value = value;
      else
        {
          g_assert (message->n_tags < message->tags_capacity);
          message->tags[message->n_tags].key = key;
          message->tags[message->n_tags].value = value;
          message->n_tags++;
          if (seen != NULL)
            g_hash_table_insert (seen, key, GINT_TO_POINTER (message->n_tags));
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
 * allows. Tag values are unescaped; when a tag is repeated, the last value
 * counts.
 *
 * A line whose tags section (with the `@` and the space) is longer than
 * %WEFT_IRC_MAX_TAG_BYTES, or whose rest is longer than
 * %WEFT_IRC_MAX_LINE_BYTES with its CRLF, fails with
 * %WEFT_IRC_ERROR_TOO_LONG before anything is allocated for it; a line that
 * has no verb, holds CR, LF or NUL inside, or has an invalid tag name fails
 * with %WEFT_IRC_ERROR_MALFORMED. The message is one allocation, under ten
 * times the length of the line even for a line of separators.
 *
 * Returns: (transfer full): the message, or %NULL with @error set
 */
WeftIrcMessage *
weft_irc_message_parse (const char *line, gssize len, GError **error)
{
  g_autoptr (WeftIrcMessage) message = NULL;
  const char *p, *end, *word, *tags = NULL, *tags_end = NULL, *body;
  gsize n_tag_slots = 0, n_param_slots, block_size;
  char *cursor;

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
                   _ ("The IRC line is %zd bytes long, more than a message may be"), len);
      return NULL;
    }
  if (has_forbidden_byte (line, len))
    {
      g_set_error_literal (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_MALFORMED,
                           _ ("The IRC line holds a CR, LF or NUL character"));
      return NULL;
    }

  body = line;
  end = line + len;
  if (len > 0 && line[0] == '@')
    {
      /* The tags section, with '@' and its space, is at most MAX_TAG_BYTES. */
      const char *space = memchr (line, ' ', MIN (len, WEFT_IRC_MAX_TAG_BYTES));

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
      tags = line + 1;
      tags_end = space;
      body = space;
      /* A kept tag takes at least one byte and a separator. */
      n_tag_slots = MIN (count_byte (tags, tags_end, ';') + 1, (gsize) (tags_end - tags) / 2 + 1);
    }
  if (end - body > MAX_BODY_BYTES + (tags != NULL ? 1 : 0))
    {
      g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG,
                   _ ("The IRC message is longer than %d bytes without its tags"), WEFT_IRC_MAX_LINE_BYTES);
      return NULL;
    }

  /* Every parameter follows a space and takes at least one byte (but an
   * empty last one): that bounds their number. Every string is a piece of
   * the line plus its NUL. */
  n_param_slots = MIN (count_byte (body, end, ' ') + 1, (gsize) (end - body) / 2 + 2);
  block_size = sizeof (WeftIrcMessage) + (n_param_slots + 1) * sizeof (char *) + n_tag_slots * sizeof (Tag) + len +
               2 * n_tag_slots + n_param_slots + 2;
  message = g_malloc (block_size);
  memset (message, 0, sizeof *message);
  g_atomic_ref_count_init (&message->ref_count);
  message->block = (const char *) message;
  message->block_size = block_size;
  message->params = (char **) (message + 1);
  message->params_capacity = n_param_slots;
  message->params[0] = NULL;
  message->tags = n_tag_slots > 0 ? (Tag *) (message->params + n_param_slots + 1) : NULL;
  message->tags_capacity = n_tag_slots;
  cursor = (char *) (message->params + n_param_slots + 1) + n_tag_slots * sizeof (Tag);

  if (tags != NULL && !parse_tags (message, tags, tags_end, &cursor, error))
    return NULL;

  p = body;
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
      message->source = copy_string (word, p - word, &cursor);
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
  message->verb = copy_string (word, p - word, &cursor);
  upcase_verb (message);

  for (;;)
    {
      char *param;

      while (p < end && *p == ' ')
        p++;
      if (p == end)
        break;
      if (*p == ':')
        {
          param = copy_string (p + 1, end - p - 1, &cursor);
          p = end;
        }
      else
        {
          word = p;
          while (p < end && *p != ' ')
            p++;
          param = copy_string (word, p - word, &cursor);
        }
      g_assert (message->n_params < message->params_capacity);
      message->params[message->n_params++] = param;
      message->params[message->n_params] = NULL;
    }
  g_assert (cursor <= message->block + block_size);

  return g_steal_pointer (&message);
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
  free_owned (message, message->verb);
  free_owned (message, message->source);
  for (guint i = 0; i < message->n_params; i++)
    free_owned (message, message->params[i]);
  free_owned (message, message->params);
  for (guint i = 0; i < message->n_tags; i++)
    {
      free_owned (message, message->tags[i].key);
      free_owned (message, message->tags[i].value);
    }
  free_owned (message, message->tags);
  g_clear_pointer (&message->tag_table, g_hash_table_unref);
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

  return message->n_params;
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

  if (index >= message->n_params)
    return NULL;
  return message->params[index];
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

  if (message->n_params == 0)
    return empty_params;
  return (const char *const *) message->params;
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

  if (message->n_tags > MAX_LINEAR_TAGS)
    return g_hash_table_lookup (ensure_tag_table (message), key);
  for (guint i = 0; i < message->n_tags; i++)
    if (strcmp (message->tags[i].key, key) == 0)
      return message->tags[i].value;
  return NULL;
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

  return ensure_tag_table (message);
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
  char *old;

  g_return_if_fail (message != NULL);
  g_return_if_fail (is_sole_owner (message));

  old = message->source;
  message->source = g_strdup (source);
  free_owned (message, old);
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

  message_set_tag (message, g_strdup (key), g_strdup (value != NULL ? value : ""));
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
  gint index;

  g_return_if_fail (message != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (is_sole_owner (message));

  index = find_tag (message, key);
  if (index < 0)
    return;
  if (message->tag_table != NULL)
    g_hash_table_remove (message->tag_table, key);
  free_owned (message, message->tags[index].key);
  free_owned (message, message->tags[index].value);
  message->n_tags--;
  memmove (&message->tags[index], &message->tags[index + 1], (message->n_tags - index) * sizeof (Tag));
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

  message_append_param (message, g_strdup (param));
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

  copy = message_new_take_verb (g_strdup (message->verb));
  copy->source = g_strdup (message->source);
  for (guint i = 0; i < message->n_params; i++)
    message_append_param (copy, g_strdup (message->params[i]));
  for (guint i = 0; i < message->n_tags; i++)
    message_set_tag (copy, g_strdup (message->tags[i].key), g_strdup (message->tags[i].value));
  return copy;
}

static gboolean
needs_escape (char c)
{
  return c == ';' || c == ' ' || c == '\\' || c == '\r' || c == '\n';
}

static gsize
escaped_length (const char *value)
{
  gsize len = 0;

  for (const char *p = value; *p; p++)
    len += needs_escape (*p) ? 2 : 1;
  return len;
}

static char *
write_escaped (char *o, const char *value)
{
  for (const char *p = value; *p; p++)
    {
      if (!needs_escape (*p))
        {
          *o++ = *p;
          continue;
        }
      *o++ = '\\';
      switch (*p)
        {
        case ';':
          *o++ = ':';
          break;
        case ' ':
          *o++ = 's';
          break;
        case '\r':
          *o++ = 'r';
          break;
        case '\n':
          *o++ = 'n';
          break;
        default:
          *o++ = '\\';
          break;
        }
    }
  return o;
}

static char *
write_string (char *o, const char *string, gsize len)
{
  memcpy (o, string, len);
  return o + len;
}

static gboolean
last_param_needs_colon (const char *param)
{
  return param[0] == '\0' || param[0] == ':' || strchr (param, ' ') != NULL;
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
  for (guint i = 0; i < message->n_tags; i++)
    {
      const char *key = message->tags[i].key;

      if (!tag_key_is_valid (key, strlen (key)))
        return fail_malformed (error, _ ("a tag name holds a character other than letters, digits, “-”, “.” and “/”"));
    }
  for (guint i = 0; i < n_params; i++)
    {
      const char *param = message->params[i];

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
  gsize tags_len = 0, body_len, source_len = 0, verb_len;
  char *line, *o;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_serializable (message, error))
    return NULL;

  /* Measure first: nothing over the limits is built, and the line is one
   * allocation of the right size. */
  for (guint i = 0; i < message->n_tags && tags_len <= WEFT_IRC_MAX_TAG_BYTES; i++)
    {
      tags_len += 1 + strlen (message->tags[i].key); /* '@' or ';' */
      if (message->tags[i].value[0] != '\0')
        tags_len += 1 + escaped_length (message->tags[i].value);
    }
  if (message->n_tags > 0)
    tags_len++; /* the space */
  if (tags_len > WEFT_IRC_MAX_TAG_BYTES)
    {
      g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG, _ ("The message tags are longer than %d bytes"),
                   WEFT_IRC_MAX_TAG_BYTES);
      return NULL;
    }

  verb_len = strlen (message->verb);
  body_len = verb_len;
  if (message->source != NULL)
    {
      source_len = strlen (message->source);
      body_len += source_len + 2;
    }
  for (guint i = 0; i < message->n_params && body_len <= MAX_BODY_BYTES; i++)
    {
      body_len += 1 + strlen (message->params[i]);
      if (i + 1 == message->n_params && last_param_needs_colon (message->params[i]))
        body_len++;
    }
  if (body_len > MAX_BODY_BYTES)
    {
      g_set_error (error, WEFT_IRC_ERROR, WEFT_IRC_ERROR_TOO_LONG,
                   _ ("The IRC message is longer than %d bytes without its tags"), WEFT_IRC_MAX_LINE_BYTES);
      return NULL;
    }

  line = g_malloc (tags_len + body_len + 1);
  o = line;
  for (guint i = 0; i < message->n_tags; i++)
    {
      const Tag *tag = &message->tags[i];

      *o++ = i == 0 ? '@' : ';';
      o = write_string (o, tag->key, strlen (tag->key));
      if (tag->value[0] != '\0')
        {
          *o++ = '=';
          o = write_escaped (o, tag->value);
        }
    }
  if (message->n_tags > 0)
    *o++ = ' ';
  if (message->source != NULL)
    {
      *o++ = ':';
      o = write_string (o, message->source, source_len);
      *o++ = ' ';
    }
  o = write_string (o, message->verb, verb_len);
  for (guint i = 0; i < message->n_params; i++)
    {
      const char *param = message->params[i];

      *o++ = ' ';
      if (i + 1 == message->n_params && last_param_needs_colon (param))
        *o++ = ':';
      o = write_string (o, param, strlen (param));
    }
  *o = '\0';
  g_assert ((gsize) (o - line) == tags_len + body_len);
  return line;
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
