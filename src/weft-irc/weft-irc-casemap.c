/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "weft-irc-casemap.h"

static const char *const mapping_names[] = {
  [WEFT_IRC_CASEMAPPING_RFC1459] = "rfc1459",
  [WEFT_IRC_CASEMAPPING_ASCII] = "ascii",
  [WEFT_IRC_CASEMAPPING_RFC1459_STRICT] = "rfc1459-strict",
};

/* The lower case of every byte under each mapping; filled once. */
static guchar fold_tables[G_N_ELEMENTS (mapping_names)][256];

static const guchar *
fold_table (WeftIrcCasemapping mapping)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint m = 0; m < G_N_ELEMENTS (mapping_names); m++)
        {
          for (guint c = 0; c < 256; c++)
            fold_tables[m][c] = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
          if (m != WEFT_IRC_CASEMAPPING_ASCII)
            {
              fold_tables[m]['['] = '{';
              fold_tables[m][']'] = '}';
              fold_tables[m]['\\'] = '|';
            }
          if (m == WEFT_IRC_CASEMAPPING_RFC1459)
            fold_tables[m]['~'] = '^';
        }
      g_once_init_leave (&initialized, 1);
    }
  if ((guint) mapping >= G_N_ELEMENTS (mapping_names))
    mapping = WEFT_IRC_CASEMAPPING_RFC1459;
  return fold_tables[mapping];
}

/**
 * weft_irc_casemapping_from_string:
 * @name: a `CASEMAPPING` value such as `rfc1459` or `ascii`
 * @mapping: (out): the mapping
 *
 * Reads a case mapping name. An unknown name (such as `rfc7613`) sets
 * @mapping to %WEFT_IRC_CASEMAPPING_RFC1459, the closest safe choice, and
 * returns %FALSE.
 *
 * Returns: %TRUE if the name is one of the known mappings
 */
gboolean
weft_irc_casemapping_from_string (const char *name, WeftIrcCasemapping *mapping)
{
  g_return_val_if_fail (mapping != NULL, FALSE);

  *mapping = WEFT_IRC_CASEMAPPING_RFC1459;
  if (name == NULL)
    return FALSE;
  for (guint m = 0; m < G_N_ELEMENTS (mapping_names); m++)
    if (g_ascii_strcasecmp (name, mapping_names[m]) == 0)
      {
        *mapping = m;
        return TRUE;
      }
  return FALSE;
}

/**
 * weft_irc_casemapping_to_string:
 * @mapping: a case mapping
 *
 * Gets the name a server announces for @mapping.
 *
 * Returns: the name, such as `rfc1459`
 */
const char *
weft_irc_casemapping_to_string (WeftIrcCasemapping mapping)
{
  g_return_val_if_fail ((guint) mapping < G_N_ELEMENTS (mapping_names), NULL);

  return mapping_names[mapping];
}

/**
 * weft_irc_casefold_char:
 * @mapping: a case mapping
 * @c: a byte
 *
 * Folds one byte to lower case under @mapping.
 *
 * Returns: the lower-case byte
 */
char
weft_irc_casefold_char (WeftIrcCasemapping mapping, char c)
{
  return (char) fold_table (mapping)[(guchar) c];
}

/**
 * weft_irc_casefold:
 * @mapping: a case mapping
 * @name: a nickname or channel name
 *
 * Folds a name to lower case under @mapping, as a key for a map that is not
 * built with weft_irc_casemapping_new_hash_table(). Bytes outside ASCII are
 * left alone, as servers do.
 *
 * Returns: (transfer full): the folded name
 */
char *
weft_irc_casefold (WeftIrcCasemapping mapping, const char *name)
{
  const guchar *table = fold_table (mapping);
  char *folded;

  g_return_val_if_fail (name != NULL, NULL);

  folded = g_strdup (name);
  for (guchar *p = (guchar *) folded; *p; p++)
    *p = table[*p];
  return folded;
}

/**
 * weft_irc_casecmp:
 * @mapping: a case mapping
 * @a: a name
 * @b: another name
 *
 * Compares two names as the server does, for sorting.
 *
 * Returns: less than, equal to or greater than zero, as strcmp() does on the
 *   folded names
 */
int
weft_irc_casecmp (WeftIrcCasemapping mapping, const char *a, const char *b)
{
  const guchar *table = fold_table (mapping);
  const guchar *p = (const guchar *) a;
  const guchar *q = (const guchar *) b;

  g_return_val_if_fail (a != NULL && b != NULL, 0);

  while (*p && table[*p] == table[*q])
    {
      p++;
      q++;
    }
  return (int) table[*p] - (int) table[*q];
}

/**
 * weft_irc_case_equal:
 * @mapping: a case mapping
 * @a: a name
 * @b: another name
 *
 * Tells whether two names are the same nickname or channel under @mapping.
 *
 * Returns: %TRUE if they are equal
 */
gboolean
weft_irc_case_equal (WeftIrcCasemapping mapping, const char *a, const char *b)
{
  return weft_irc_casecmp (mapping, a, b) == 0;
}

/**
 * weft_irc_case_hash:
 * @mapping: a case mapping
 * @name: a name
 *
 * Hashes a name so that names equal under @mapping hash the same.
 *
 * Returns: the hash
 */
guint
weft_irc_case_hash (WeftIrcCasemapping mapping, const char *name)
{
  const guchar *table = fold_table (mapping);
  guint32 h = 5381;

  g_return_val_if_fail (name != NULL, 0);

  for (const guchar *p = (const guchar *) name; *p; p++)
    h = (h << 5) + h + table[*p];
  return h;
}

/* GHashTable takes functions without user data: one pair per mapping. */
#define DEFINE_MAP_FUNCS(suffix, mapping)                           \
  static guint hash_##suffix (gconstpointer key)                    \
  {                                                                 \
    return weft_irc_case_hash (mapping, key);                       \
  }                                                                 \
  static gboolean equal_##suffix (gconstpointer a, gconstpointer b) \
  {                                                                 \
    return weft_irc_casecmp (mapping, a, b) == 0;                   \
  }

DEFINE_MAP_FUNCS (rfc1459, WEFT_IRC_CASEMAPPING_RFC1459)
DEFINE_MAP_FUNCS (ascii, WEFT_IRC_CASEMAPPING_ASCII)
DEFINE_MAP_FUNCS (rfc1459_strict, WEFT_IRC_CASEMAPPING_RFC1459_STRICT)

/**
 * weft_irc_casemapping_get_hash_func:
 * @mapping: a case mapping
 *
 * Gets a #GHashFunc for string keys that honours @mapping, to pair with
 * weft_irc_casemapping_get_equal_func().
 *
 * Returns: (transfer none): the hash function
 */
GHashFunc
weft_irc_casemapping_get_hash_func (WeftIrcCasemapping mapping)
{
  switch (mapping)
    {
    case WEFT_IRC_CASEMAPPING_ASCII:
      return hash_ascii;
    case WEFT_IRC_CASEMAPPING_RFC1459_STRICT:
      return hash_rfc1459_strict;
    case WEFT_IRC_CASEMAPPING_RFC1459:
    default:
      return hash_rfc1459;
    }
}

/**
 * weft_irc_casemapping_get_equal_func:
 * @mapping: a case mapping
 *
 * Gets a #GEqualFunc for string keys that honours @mapping.
 *
 * Returns: (transfer none): the equality function
 */
GEqualFunc
weft_irc_casemapping_get_equal_func (WeftIrcCasemapping mapping)
{
  switch (mapping)
    {
    case WEFT_IRC_CASEMAPPING_ASCII:
      return equal_ascii;
    case WEFT_IRC_CASEMAPPING_RFC1459_STRICT:
      return equal_rfc1459_strict;
    case WEFT_IRC_CASEMAPPING_RFC1459:
    default:
      return equal_rfc1459;
    }
}

/**
 * weft_irc_casemapping_new_hash_table:
 * @mapping: a case mapping
 * @key_destroy: (nullable): frees a key, or %NULL
 * @value_destroy: (nullable): frees a value, or %NULL
 *
 * Creates a table keyed by nicknames or channel names, in which names equal
 * under @mapping are the same key; a lookup of `Weft[m]` finds `weft{m}`
 * under `rfc1459`. The keys keep the case they were inserted with.
 *
 * Returns: (transfer full): a new table
 */
GHashTable *
weft_irc_casemapping_new_hash_table (WeftIrcCasemapping mapping,
                                     GDestroyNotify key_destroy,
                                     GDestroyNotify value_destroy)
{
  return g_hash_table_new_full (weft_irc_casemapping_get_hash_func (mapping),
                                weft_irc_casemapping_get_equal_func (mapping), key_destroy, value_destroy);
}

/**
 * weft_irc_casemapping_remap_hash_table:
 * @mapping: the new case mapping
 * @table: (transfer full): a table of names, which this empties and unrefs
 * @key_destroy: (nullable): frees a key of the new table, as in @table
 * @value_destroy: (nullable): frees a value of the new table, as in @table
 *
 * Moves every entry of @table into a new table that honours @mapping, for
 * when the server's `CASEMAPPING` differs from the one assumed so far. When
 * two names become equal under the new mapping, the one met last is kept
 * and the other freed.
 *
 * Returns: (transfer full): the new table
 */
GHashTable *
weft_irc_casemapping_remap_hash_table (WeftIrcCasemapping mapping,
                                       GHashTable *table,
                                       GDestroyNotify key_destroy,
                                       GDestroyNotify value_destroy)
{
  GHashTable *remapped = weft_irc_casemapping_new_hash_table (mapping, key_destroy, value_destroy);
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (table != NULL, remapped);

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_hash_table_iter_steal (&iter);
      g_hash_table_replace (remapped, key, value);
    }
  g_hash_table_unref (table);
  return remapped;
}
