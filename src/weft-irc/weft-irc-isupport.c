/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "weft-irc-enum-types.h"
#include "weft-irc-isupport.h"
#include "weft-irc-names.h"

/**
 * WeftIrcIsupport:
 *
 * What a server tells about itself in `RPL_ISUPPORT` (005): one token per
 * feature, `KEY=value`, `KEY`, or `-KEY` to withdraw one. The object keeps
 * every token for generic lookups and reads the common ones (PREFIX,
 * CHANTYPES, CHANMODES, CASEMAPPING, NICKLEN, CHANNELLEN, TOPICLEN, TARGMAX,
 * NETWORK, MODES, STATUSMSG, CHATHISTORY) into typed values, with the
 * defaults of RFC 1459 until the server says otherwise.
 *
 * A server builds its own 005 lines with weft_irc_isupport_set() and
 * weft_irc_isupport_to_tokens().
 */
struct _WeftIrcIsupport {
  GObject parent_instance;

  GHashTable *values; /* key → unescaped value ("" for none) */
  GPtrArray *keys;    /* in order of first announcement; owned by values */

  WeftIrcCasemapping casemapping;
  char *prefix_modes;
  char *prefix_symbols;
  char *chanmodes[4];  /* types A, B, C, D */
  GHashTable *targmax; /* upper-case command → GINT_TO_POINTER (limit + 1) */
};

G_DEFINE_FINAL_TYPE (WeftIrcIsupport, weft_irc_isupport, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CASEMAPPING,
  PROP_NETWORK,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CHANGED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

#define DEFAULT_PREFIX_MODES "ov"
#define DEFAULT_PREFIX_SYMBOLS "@+"
#define DEFAULT_CHANTYPES "#&"
static const char *const default_chanmodes[4] = { "b", "k", "l", "imnpst" };

static void
update_casemapping (WeftIrcIsupport *self)
{
  WeftIrcCasemapping mapping;

  weft_irc_casemapping_from_string (weft_irc_isupport_get (self, "CASEMAPPING"), &mapping);
  if (mapping == self->casemapping)
    return;
  self->casemapping = mapping;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CASEMAPPING]);
}

static void
update_prefix (WeftIrcIsupport *self)
{
  const char *value = weft_irc_isupport_get (self, "PREFIX");
  const char *close;

  g_clear_pointer (&self->prefix_modes, g_free);
  g_clear_pointer (&self->prefix_symbols, g_free);
  if (value == NULL)
    return;
  if (value[0] == '\0')
    {
      self->prefix_modes = g_strdup ("");
      self->prefix_symbols = g_strdup ("");
      return;
    }
  /* "(modes)symbols", one symbol per mode; anything else keeps the default. */
  close = strchr (value, ')');
  if (value[0] != '(' || close == NULL || strlen (close + 1) != (gsize) (close - value - 1))
    return;
  self->prefix_modes = g_strndup (value + 1, close - value - 1);
  self->prefix_symbols = g_strdup (close + 1);
}

static void
update_chanmodes (WeftIrcIsupport *self)
{
  const char *value = weft_irc_isupport_get (self, "CHANMODES");
  g_auto (GStrv) types = NULL;

  for (guint i = 0; i < 4; i++)
    g_clear_pointer (&self->chanmodes[i], g_free);
  if (value == NULL)
    return;
  /* Types beyond D, which later specifications may add, are ignored. */
  types = g_strsplit (value, ",", 5);
  for (guint i = 0; i < 4; i++)
    self->chanmodes[i] = g_strdup (types[0] != NULL && i < g_strv_length (types) ? types[i] : "");
}

static void
update_targmax (WeftIrcIsupport *self)
{
  const char *value = weft_irc_isupport_get (self, "TARGMAX");
  g_auto (GStrv) items = NULL;

  g_hash_table_remove_all (self->targmax);
  if (value == NULL)
    return;
  items = g_strsplit (value, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *colon = strchr (items[i], ':');
      gint64 limit = 0;

      if (colon == NULL || colon == items[i])
        continue;
      *colon = '\0';
      if (colon[1] != '\0' && !g_ascii_string_to_signed (colon + 1, 10, 0, G_MAXINT - 1, &limit, NULL))
        continue;
      g_hash_table_replace (self->targmax, g_ascii_strup (items[i], -1), GINT_TO_POINTER ((gint) limit + 1));
    }
}

static void
update_derived (WeftIrcIsupport *self, const char *key)
{
  if (g_str_equal (key, "CASEMAPPING"))
    update_casemapping (self);
  else if (g_str_equal (key, "PREFIX"))
    update_prefix (self);
  else if (g_str_equal (key, "CHANMODES"))
    update_chanmodes (self);
  else if (g_str_equal (key, "TARGMAX"))
    update_targmax (self);
  else if (g_str_equal (key, "NETWORK"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NETWORK]);
  g_signal_emit (self, signals[SIGNAL_CHANGED], g_quark_from_string (key), key);
}

static void
weft_irc_isupport_finalize (GObject *object)
{
  WeftIrcIsupport *self = WEFT_IRC_ISUPPORT (object);

  g_ptr_array_unref (self->keys);
  g_hash_table_unref (self->values);
  g_hash_table_unref (self->targmax);
  g_free (self->prefix_modes);
  g_free (self->prefix_symbols);
  for (guint i = 0; i < 4; i++)
    g_free (self->chanmodes[i]);

  G_OBJECT_CLASS (weft_irc_isupport_parent_class)->finalize (object);
}

static void
weft_irc_isupport_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftIrcIsupport *self = WEFT_IRC_ISUPPORT (object);

  switch (prop_id)
    {
    case PROP_CASEMAPPING:
      g_value_set_enum (value, self->casemapping);
      break;
    case PROP_NETWORK:
      g_value_set_string (value, weft_irc_isupport_get_network (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_irc_isupport_class_init (WeftIrcIsupportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = weft_irc_isupport_finalize;
  object_class->get_property = weft_irc_isupport_get_property;

  /**
   * WeftIrcIsupport:casemapping:
   *
   * The server's case mapping, %WEFT_IRC_CASEMAPPING_RFC1459 until it says.
   */
  properties[PROP_CASEMAPPING] =
      g_param_spec_enum ("casemapping", NULL, NULL, WEFT_IRC_TYPE_CASEMAPPING, WEFT_IRC_CASEMAPPING_RFC1459,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftIrcIsupport:network:
   *
   * The network name (`NETWORK`), or %NULL.
   */
  properties[PROP_NETWORK] = g_param_spec_string ("network", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WeftIrcIsupport::changed:
   * @self: the object
   * @key: the token that was set, changed or withdrawn
   *
   * Emitted after a token changed; detailed by the token, as in
   * `changed::PREFIX`.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
weft_irc_isupport_init (WeftIrcIsupport *self)
{
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->keys = g_ptr_array_new ();
  self->targmax = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->casemapping = WEFT_IRC_CASEMAPPING_RFC1459;
}

/**
 * weft_irc_isupport_new:
 *
 * Creates an empty set of tokens: every typed getter gives its default.
 *
 * Returns: (transfer full): a new object
 */
WeftIrcIsupport *
weft_irc_isupport_new (void)
{
  return g_object_new (WEFT_IRC_TYPE_ISUPPORT, NULL);
}

/* Values escape bytes as \xHH (a space as \x20). */
static char *
unescape_value (const char *value)
{
  char *out = g_malloc (strlen (value) + 1);
  char *o = out;

  for (const char *p = value; *p;)
    {
      if (p[0] == '\\' && p[1] == 'x' && g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]))
        {
          char c = (char) (g_ascii_xdigit_value (p[2]) * 16 + g_ascii_xdigit_value (p[3]));

          /* A NUL would cut the value short: keep it escaped. */
          if (c != '\0')
            {
              *o++ = c;
              p += 4;
              continue;
            }
        }
      *o++ = *p++;
    }
  *o = '\0';
  return out;
}

static void
escape_value (GString *out, const char *value)
{
  for (const char *p = value; *p; p++)
    {
      if (*p == ' ' || *p == '\\' || *p == '=' || (guchar) *p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02X", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
}

static void
set_value (WeftIrcIsupport *self, const char *key, char *value)
{
  const char *old = g_hash_table_lookup (self->values, key);
  char *owned_key;

  if (old != NULL && g_str_equal (old, value))
    {
      g_free (value);
      return;
    }
  owned_key = g_strdup (key);
  if (g_hash_table_insert (self->values, owned_key, value))
    g_ptr_array_add (self->keys, owned_key);
  update_derived (self, key);
}

/**
 * weft_irc_isupport_set:
 * @self: an ISUPPORT set
 * @key: a token name, such as `NETWORK`
 * @value: (nullable): its unescaped value, or %NULL for a token without one
 *
 * Sets a token, as a server announcing it would; emits
 * #WeftIrcIsupport::changed when the value is new.
 */
void
weft_irc_isupport_set (WeftIrcIsupport *self, const char *key, const char *value)
{
  g_return_if_fail (WEFT_IRC_IS_ISUPPORT (self));
  g_return_if_fail (key != NULL && key[0] != '\0');

  set_value (self, key, g_strdup (value != NULL ? value : ""));
}

/**
 * weft_irc_isupport_remove:
 * @self: an ISUPPORT set
 * @key: a token name
 *
 * Withdraws a token, as `-KEY` does; its typed getter goes back to the
 * default.
 */
void
weft_irc_isupport_remove (WeftIrcIsupport *self, const char *key)
{
  guint index;

  g_return_if_fail (WEFT_IRC_IS_ISUPPORT (self));
  g_return_if_fail (key != NULL);

  if (!g_hash_table_contains (self->values, key))
    return;
  if (g_ptr_array_find_with_equal_func (self->keys, key, g_str_equal, &index))
    g_ptr_array_remove_index (self->keys, index);
  g_hash_table_remove (self->values, key);
  update_derived (self, key);
}

/**
 * weft_irc_isupport_reset:
 * @self: an ISUPPORT set
 *
 * Withdraws every token, for a new connection.
 */
void
weft_irc_isupport_reset (WeftIrcIsupport *self)
{
  g_auto (GStrv) keys = NULL;

  g_return_if_fail (WEFT_IRC_IS_ISUPPORT (self));

  keys = weft_irc_isupport_dup_keys (self);
  for (guint i = 0; keys[i] != NULL; i++)
    weft_irc_isupport_remove (self, keys[i]);
}

/**
 * weft_irc_isupport_parse_token:
 * @self: an ISUPPORT set
 * @token: one token of a 005 line: `KEY=value`, `KEY` or `-KEY`
 *
 * Applies one token. Values are unescaped (`\x20` is a space). An empty or
 * malformed token is ignored.
 */
void
weft_irc_isupport_parse_token (WeftIrcIsupport *self, const char *token)
{
  const char *eq;
  g_autofree char *key = NULL;

  g_return_if_fail (WEFT_IRC_IS_ISUPPORT (self));
  g_return_if_fail (token != NULL);

  if (token[0] == '-')
    {
      if (token[1] != '\0' && strchr (token, '=') == NULL)
        weft_irc_isupport_remove (self, token + 1);
      return;
    }
  eq = strchr (token, '=');
  key = eq != NULL ? g_strndup (token, eq - token) : g_strdup (token);
  if (key[0] == '\0')
    return;
  set_value (self, key, eq != NULL ? unescape_value (eq + 1) : g_strdup (""));
}

/**
 * weft_irc_isupport_parse_message:
 * @self: an ISUPPORT set
 * @message: a message
 *
 * Applies the tokens of an `RPL_ISUPPORT` (005) message: the parameters
 * between the client's nickname and the closing text ("are supported by this
 * server"). Other messages are left alone.
 *
 * Returns: %TRUE if @message was a 005 reply
 */
gboolean
weft_irc_isupport_parse_message (WeftIrcIsupport *self, const WeftIrcMessage *message)
{
  guint n_params;

  g_return_val_if_fail (WEFT_IRC_IS_ISUPPORT (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (weft_irc_message_get_numeric (message) != 5)
    return FALSE;
  n_params = weft_irc_message_get_n_params (message);
  for (guint i = 1; i < n_params; i++)
    {
      const char *token = weft_irc_message_get_param (message, i);

      /* The closing text has spaces; a token never does. */
      if (i + 1 == n_params && (token[0] == '\0' || strchr (token, ' ') != NULL))
        break;
      weft_irc_isupport_parse_token (self, token);
    }
  return TRUE;
}

/**
 * weft_irc_isupport_has:
 * @self: an ISUPPORT set
 * @key: a token name
 *
 * Tells whether the server announced a token.
 *
 * Returns: %TRUE if it did
 */
gboolean
weft_irc_isupport_has (WeftIrcIsupport *self, const char *key)
{
  g_return_val_if_fail (WEFT_IRC_IS_ISUPPORT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  return g_hash_table_contains (self->values, key);
}

/**
 * weft_irc_isupport_get:
 * @self: an ISUPPORT set
 * @key: a token name, such as `EXCEPTS`
 *
 * Gets the unescaped value of a token.
 *
 * Returns: (nullable): the value, "" for a token without one, or %NULL
 *   when the server did not announce it
 */
const char *
weft_irc_isupport_get (WeftIrcIsupport *self, const char *key)
{
  g_return_val_if_fail (WEFT_IRC_IS_ISUPPORT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (self->values, key);
}

/**
 * weft_irc_isupport_get_int:
 * @self: an ISUPPORT set
 * @key: a token name, such as `KICKLEN`
 * @default_value: what to return when the token is absent or not a number
 *
 * Gets the value of a token as a non-negative number.
 *
 * Returns: the number, or @default_value
 */
gint
weft_irc_isupport_get_int (WeftIrcIsupport *self, const char *key, gint default_value)
{
  const char *value = weft_irc_isupport_get (self, key);
  gint64 number;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, 0, G_MAXINT, &number, NULL))
    return default_value;
  return (gint) number;
}

/**
 * weft_irc_isupport_dup_keys:
 * @self: an ISUPPORT set
 *
 * Lists the announced tokens, in the order they were first announced.
 *
 * Returns: (transfer full) (array zero-terminated=1): the token names
 */
char **
weft_irc_isupport_dup_keys (WeftIrcIsupport *self)
{
  GStrvBuilder *builder;
  char **keys;

  g_return_val_if_fail (WEFT_IRC_IS_ISUPPORT (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->keys->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->keys, i));
  keys = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return keys;
}

/**
 * weft_irc_isupport_to_tokens:
 * @self: an ISUPPORT set
 *
 * Writes the tokens as a server sends them in 005 lines, values escaped:
 * `NETWORK=Weft`, `EXCEPTS`. A server puts a dozen or so in each line.
 *
 * Returns: (transfer full) (array zero-terminated=1): the tokens
 */
char **
weft_irc_isupport_to_tokens (WeftIrcIsupport *self)
{
  GPtrArray *tokens;

  g_return_val_if_fail (WEFT_IRC_IS_ISUPPORT (self), NULL);

  tokens = g_ptr_array_new_null_terminated (self->keys->len, g_free, TRUE);
  for (guint i = 0; i < self->keys->len; i++)
    {
      const char *key = g_ptr_array_index (self->keys, i);
      const char *value = g_hash_table_lookup (self->values, key);
      GString *token = g_string_new (key);

      if (value[0] != '\0')
        {
          g_string_append_c (token, '=');
          escape_value (token, value);
        }
      g_ptr_array_add (tokens, g_string_free (token, FALSE));
    }
  return (char **) g_ptr_array_free (tokens, FALSE);
}

/**
 * weft_irc_isupport_get_casemapping:
 * @self: an ISUPPORT set
 *
 * Gets the case mapping (`CASEMAPPING`); %WEFT_IRC_CASEMAPPING_RFC1459 when
 * the server did not say or named one this library does not know.
 *
 * Returns: the case mapping
 */
WeftIrcCasemapping
weft_irc_isupport_get_casemapping (WeftIrcIsupport *self)
{
  g_return_val_if_fail (WEFT_IRC_IS_ISUPPORT (self), WEFT_IRC_CASEMAPPING_RFC1459);

  return self->casemapping;
}

/**
 * weft_irc_isupport_get_prefix_modes:
 * @self: an ISUPPORT set
 *
 * Gets the membership modes of `PREFIX`, highest first (`ov` by default).
 *
 * Returns: the modes
 */
const char *
weft_irc_isupport_get_prefix_modes (WeftIrcIsupport *self)
{
  g_return_val_if_fail (WEFT_IRC_IS_ISUPPORT (self), NULL);

  return self->prefix_modes != NULL ? self->prefix_modes : DEFAULT_PREFIX_MODES;
}

/**
 * weft_irc_isupport_get_prefix_symbols:
 * @self: an ISUPPORT set
 *
 * Gets the nickname prefixes of `PREFIX`, in the order of the modes (`@+`
 * by default).
 *
 * Returns: the prefix symbols
 */
const char *
weft_irc_isupport_get_prefix_symbols (WeftIrcIsupport *self)
{
  g_return_val_if_fail (WEFT_IRC_IS_ISUPPORT (self), NULL);

  return self->prefix_symbols != NULL ? self->prefix_symbols : DEFAULT_PREFIX_SYMBOLS;
}

/**
 * weft_irc_isupport_mode_for_prefix:
 * @self: an ISUPPORT set
 * @symbol: a nickname prefix, such as `@`
 *
 * Maps a nickname prefix to its membership mode.
 *
 * Returns: the mode, such as `o`, or 0 if @symbol is not a prefix
 */
char
weft_irc_isupport_mode_for_prefix (WeftIrcIsupport *self, char symbol)
{
  const char *symbols = weft_irc_isupport_get_prefix_symbols (self);
  const char *found;

  if (symbol == '\0' || (found = strchr (symbols, symbol)) == NULL)
    return '\0';
  return weft_irc_isupport_get_prefix_modes (self)[found - symbols];
}

/**
 * weft_irc_isupport_prefix_for_mode:
 * @self: an ISUPPORT set
 * @mode: a membership mode, such as `v`
 *
 * Maps a membership mode to its nickname prefix.
 *
 * Returns: the prefix, such as `+`, or 0 if @mode is not a membership mode
 */
char
weft_irc_isupport_prefix_for_mode (WeftIrcIsupport *self, char mode)
{
  const char *modes = weft_irc_isupport_get_prefix_modes (self);
  const char *found;

  if (mode == '\0' || (found = strchr (modes, mode)) == NULL)
    return '\0';
  return weft_irc_isupport_get_prefix_symbols (self)[found - modes];
}

static guint
prefix_rank (const char *symbols, char symbol)
{
  const char *found = symbol != '\0' ? strchr (symbols, symbol) : NULL;

  return found != NULL ? (guint) (found - symbols) : G_MAXUINT;
}

/**
 * weft_irc_isupport_compare_prefixes:
 * @self: an ISUPPORT set
 * @a: a nickname prefix, or 0 for none
 * @b: another one
 *
 * Compares two prefixes by rank, for sorting a member list: operators
 * before voiced members before the others.
 *
 * Returns: less than zero if @a ranks above @b, zero if they rank the same,
 *   more than zero if below
 */
int
weft_irc_isupport_compare_prefixes (WeftIrcIsupport *self, char a, char b)
{
  const char *symbols = weft_irc_isupport_get_prefix_symbols (self);
  guint rank_a = prefix_rank (symbols, a), rank_b = prefix_rank (symbols, b);

  return rank_a < rank_b ? -1 : rank_a > rank_b ? 1 : 0;
}

/**
 * weft_irc_isupport_get_chantypes:
 * @self: an ISUPPORT set
 *
 * Gets the channel prefixes (`CHANTYPES`, `#&` by default).
 *
 * Returns: the channel prefixes
 */
const char *
weft_irc_isupport_get_chantypes (WeftIrcIsupport *self)
{
  const char *value = weft_irc_isupport_get (self, "CHANTYPES");

  return value != NULL ? value : DEFAULT_CHANTYPES;
}

/**
 * weft_irc_isupport_is_channel:
 * @self: an ISUPPORT set
 * @name: a message target
 *
 * Tells whether a target is a channel on this server; see
 * weft_irc_is_channel_name().
 *
 * Returns: %TRUE for a channel name
 */
gboolean
weft_irc_isupport_is_channel (WeftIrcIsupport *self, const char *name)
{
  return weft_irc_is_channel_name (name, weft_irc_isupport_get_chantypes (self));
}

/**
 * weft_irc_isupport_get_chanmodes:
 * @self: an ISUPPORT set
 * @type: a mode type, %WEFT_IRC_CHANMODE_LIST to %WEFT_IRC_CHANMODE_FLAG,
 *   or %WEFT_IRC_CHANMODE_PREFIX for the membership modes
 *
 * Gets the channel modes of one type from `CHANMODES` (by default `b`, `k`,
 * `l` and `imnpst`).
 *
 * Returns: the modes of that type, "" for %WEFT_IRC_CHANMODE_UNKNOWN
 */
const char *
weft_irc_isupport_get_chanmodes (WeftIrcIsupport *self, WeftIrcChanmodeType type)
{
  guint index;

  g_return_val_if_fail (WEFT_IRC_IS_ISUPPORT (self), NULL);

  if (type == WEFT_IRC_CHANMODE_PREFIX)
    return weft_irc_isupport_get_prefix_modes (self);
  if (type < WEFT_IRC_CHANMODE_LIST || type > WEFT_IRC_CHANMODE_FLAG)
    return "";
  index = type - WEFT_IRC_CHANMODE_LIST;
  return self->chanmodes[index] != NULL ? self->chanmodes[index] : default_chanmodes[index];
}

/**
 * weft_irc_isupport_get_chanmode_type:
 * @self: an ISUPPORT set
 * @mode: a channel mode letter
 *
 * Tells how a channel mode takes its parameter, so that a `MODE` line can be
 * taken apart: membership modes first, then the four `CHANMODES` types.
 *
 * Returns: the type of @mode
 */
WeftIrcChanmodeType
weft_irc_isupport_get_chanmode_type (WeftIrcIsupport *self, char mode)
{
  g_return_val_if_fail (WEFT_IRC_IS_ISUPPORT (self), WEFT_IRC_CHANMODE_UNKNOWN);

  if (mode == '\0' || mode == ',')
    return WEFT_IRC_CHANMODE_UNKNOWN;
  if (strchr (weft_irc_isupport_get_prefix_modes (self), mode) != NULL)
    return WEFT_IRC_CHANMODE_PREFIX;
  for (WeftIrcChanmodeType type = WEFT_IRC_CHANMODE_LIST; type <= WEFT_IRC_CHANMODE_FLAG; type++)
    if (strchr (weft_irc_isupport_get_chanmodes (self, type), mode) != NULL)
      return type;
  return WEFT_IRC_CHANMODE_UNKNOWN;
}

/**
 * weft_irc_isupport_get_statusmsg:
 * @self: an ISUPPORT set
 *
 * Gets the prefixes that may be put before a channel name to address only
 * the members with that status (`STATUSMSG`, as in `@#weft`).
 *
 * Returns: the prefixes, "" when the server has none
 */
const char *
weft_irc_isupport_get_statusmsg (WeftIrcIsupport *self)
{
  const char *value = weft_irc_isupport_get (self, "STATUSMSG");

  return value != NULL ? value : "";
}

/**
 * weft_irc_isupport_get_network:
 * @self: an ISUPPORT set
 *
 * Gets the network name (`NETWORK`).
 *
 * Returns: (nullable): the name, or %NULL
 */
const char *
weft_irc_isupport_get_network (WeftIrcIsupport *self)
{
  const char *value = weft_irc_isupport_get (self, "NETWORK");

  return value != NULL && value[0] != '\0' ? value : NULL;
}

/**
 * weft_irc_isupport_get_nicklen:
 * @self: an ISUPPORT set
 *
 * Gets the longest nickname, in bytes (`NICKLEN`, 9 by default).
 *
 * Returns: the limit
 */
guint
weft_irc_isupport_get_nicklen (WeftIrcIsupport *self)
{
  return weft_irc_isupport_get_int (self, "NICKLEN", 9);
}

/**
 * weft_irc_isupport_get_channellen:
 * @self: an ISUPPORT set
 *
 * Gets the longest channel name, in bytes (`CHANNELLEN`, 200 by default).
 *
 * Returns: the limit
 */
guint
weft_irc_isupport_get_channellen (WeftIrcIsupport *self)
{
  return weft_irc_isupport_get_int (self, "CHANNELLEN", 200);
}

/**
 * weft_irc_isupport_get_topiclen:
 * @self: an ISUPPORT set
 *
 * Gets the longest topic, in bytes (`TOPICLEN`).
 *
 * Returns: the limit, or 0 when there is none
 */
guint
weft_irc_isupport_get_topiclen (WeftIrcIsupport *self)
{
  return weft_irc_isupport_get_int (self, "TOPICLEN", 0);
}

/**
 * weft_irc_isupport_get_modes:
 * @self: an ISUPPORT set
 *
 * Gets how many modes with a parameter one `MODE` command may change
 * (`MODES`, 3 by default; `MODES` without a value means no limit).
 *
 * Returns: the limit, or 0 when there is none
 */
guint
weft_irc_isupport_get_modes (WeftIrcIsupport *self)
{
  const char *value = weft_irc_isupport_get (self, "MODES");

  if (value != NULL && value[0] == '\0')
    return 0;
  return weft_irc_isupport_get_int (self, "MODES", 3);
}

/**
 * weft_irc_isupport_get_targmax:
 * @self: an ISUPPORT set
 * @command: a command, such as `PRIVMSG` (any case)
 *
 * Gets how many targets one command may name (`TARGMAX`, as
 * `PRIVMSG:4,JOIN:`).
 *
 * Returns: the limit; 0 when the server lists the command without a limit;
 *   -1 when it does not list it (send one target at a time to be safe)
 */
gint
weft_irc_isupport_get_targmax (WeftIrcIsupport *self, const char *command)
{
  g_autofree char *upper = NULL;
  gpointer limit;

  g_return_val_if_fail (WEFT_IRC_IS_ISUPPORT (self), -1);
  g_return_val_if_fail (command != NULL, -1);

  upper = g_ascii_strup (command, -1);
  limit = g_hash_table_lookup (self->targmax, upper);
  return limit != NULL ? GPOINTER_TO_INT (limit) - 1 : -1;
}

/**
 * weft_irc_isupport_get_chathistory:
 * @self: an ISUPPORT set
 *
 * Gets the most messages one `CHATHISTORY` request returns (`CHATHISTORY`,
 * or `draft/CHATHISTORY` from servers that implement the draft).
 *
 * Returns: the limit, 0 when there is none, or -1 when the server does not
 *   offer history this way
 */
gint
weft_irc_isupport_get_chathistory (WeftIrcIsupport *self)
{
  const char *key = weft_irc_isupport_has (self, "CHATHISTORY") ? "CHATHISTORY" : "draft/CHATHISTORY";

  if (!weft_irc_isupport_has (self, key))
    return -1;
  return weft_irc_isupport_get_int (self, key, 0);
}
