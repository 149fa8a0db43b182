/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <weft-irc/weft-irc.h>

static void
test_names (void)
{
  WeftIrcCasemapping mapping;

  g_assert_true (weft_irc_casemapping_from_string ("ascii", &mapping));
  g_assert_cmpint (mapping, ==, WEFT_IRC_CASEMAPPING_ASCII);
  g_assert_true (weft_irc_casemapping_from_string ("rfc1459-strict", &mapping));
  g_assert_cmpint (mapping, ==, WEFT_IRC_CASEMAPPING_RFC1459_STRICT);
  g_assert_true (weft_irc_casemapping_from_string ("RFC1459", &mapping));
  g_assert_cmpint (mapping, ==, WEFT_IRC_CASEMAPPING_RFC1459);
  g_assert_false (weft_irc_casemapping_from_string ("rfc7613", &mapping));
  g_assert_cmpint (mapping, ==, WEFT_IRC_CASEMAPPING_RFC1459);
  g_assert_false (weft_irc_casemapping_from_string (NULL, &mapping));
  g_assert_cmpstr (weft_irc_casemapping_to_string (WEFT_IRC_CASEMAPPING_RFC1459_STRICT), ==, "rfc1459-strict");
}

static void
test_fold (void)
{
  g_autofree char *rfc = weft_irc_casefold (WEFT_IRC_CASEMAPPING_RFC1459, "Nick[A]\\~^");
  g_autofree char *strict = weft_irc_casefold (WEFT_IRC_CASEMAPPING_RFC1459_STRICT, "Nick[A]\\~^");
  g_autofree char *ascii = weft_irc_casefold (WEFT_IRC_CASEMAPPING_ASCII, "Nick[A]\\~^\xc3\x89");

  g_assert_cmpstr (rfc, ==, "nick{a}|^^");
  g_assert_cmpstr (strict, ==, "nick{a}|~^");
  g_assert_cmpstr (ascii, ==, "nick[a]\\~^\xc3\x89");
}

static void
test_compare (void)
{
  g_assert_true (weft_irc_case_equal (WEFT_IRC_CASEMAPPING_RFC1459, "Weft[m]~", "wEFT{M}^"));
  g_assert_false (weft_irc_case_equal (WEFT_IRC_CASEMAPPING_RFC1459_STRICT, "Weft[m]~", "wEFT{M}^"));
  g_assert_true (weft_irc_case_equal (WEFT_IRC_CASEMAPPING_RFC1459_STRICT, "Weft[m]\\", "wEFT{M}|"));
  g_assert_false (weft_irc_case_equal (WEFT_IRC_CASEMAPPING_ASCII, "Weft[m]", "weft{m}"));
  g_assert_true (weft_irc_case_equal (WEFT_IRC_CASEMAPPING_ASCII, "#Weft", "#wEFT"));
  g_assert_false (weft_irc_case_equal (WEFT_IRC_CASEMAPPING_ASCII, "#weft", "#weft2"));
  g_assert_cmpint (weft_irc_casecmp (WEFT_IRC_CASEMAPPING_ASCII, "Alice", "bob"), <, 0);
  g_assert_cmpint (weft_irc_casecmp (WEFT_IRC_CASEMAPPING_ASCII, "bob", "ALICE"), >, 0);
  g_assert_cmpint (weft_irc_casecmp (WEFT_IRC_CASEMAPPING_ASCII, "bob", "bobby"), <, 0);
  g_assert_cmpuint (weft_irc_case_hash (WEFT_IRC_CASEMAPPING_RFC1459, "A[]"), ==,
                    weft_irc_case_hash (WEFT_IRC_CASEMAPPING_RFC1459, "a{}"));
}

static void
test_hash_table (void)
{
  g_autoptr (GHashTable) table = weft_irc_casemapping_new_hash_table (WEFT_IRC_CASEMAPPING_RFC1459, g_free, NULL);
  gpointer original_key = NULL;

  g_hash_table_insert (table, g_strdup ("Weft[m]"), GINT_TO_POINTER (1));
  g_hash_table_insert (table, g_strdup ("#Chan"), GINT_TO_POINTER (2));
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (table, "weft{M}")), ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (table, "#CHAN")), ==, 2);
  /* The key keeps the case it was inserted with. */
  g_assert_true (g_hash_table_lookup_extended (table, "WEFT{m}", &original_key, NULL));
  g_assert_cmpstr (original_key, ==, "Weft[m]");

  /* Under ascii, [] and {} differ; the entries move over. */
  table = weft_irc_casemapping_remap_hash_table (WEFT_IRC_CASEMAPPING_ASCII, g_steal_pointer (&table), g_free, NULL);
  g_assert_cmpuint (g_hash_table_size (table), ==, 2);
  g_assert_null (g_hash_table_lookup (table, "weft{M}"));
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (table, "WEFT[M]")), ==, 1);
}

static void
test_remap_collision (void)
{
  GHashTable *table = weft_irc_casemapping_new_hash_table (WEFT_IRC_CASEMAPPING_ASCII, g_free, g_free);

  g_hash_table_insert (table, g_strdup ("a[b]"), g_strdup ("one"));
  g_hash_table_insert (table, g_strdup ("a{b}"), g_strdup ("two"));
  table = weft_irc_casemapping_remap_hash_table (WEFT_IRC_CASEMAPPING_RFC1459, table, g_free, g_free);
  g_assert_cmpuint (g_hash_table_size (table), ==, 1);
  g_assert_nonnull (g_hash_table_lookup (table, "A{B}"));
  g_hash_table_unref (table);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/irc/casemap/names", test_names);
  g_test_add_func ("/irc/casemap/fold", test_fold);
  g_test_add_func ("/irc/casemap/compare", test_compare);
  g_test_add_func ("/irc/casemap/hash-table", test_hash_table);
  g_test_add_func ("/irc/casemap/remap-collision", test_remap_collision);
  return g_test_run ();
}
