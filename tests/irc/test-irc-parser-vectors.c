/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs every vector of the ircdocs parser tests (tests/irc/parser-tests),
 * read with libyaml. */
#include <string.h>

#include <yaml.h>

#include <weft-irc/weft-irc.h>

typedef struct {
  yaml_document_t document;
  yaml_node_t *tests; /* the "tests" sequence */
} Vectors;

static yaml_node_t *
node_at (Vectors *vectors, int id)
{
  return yaml_document_get_node (&vectors->document, id);
}

static const char *
scalar (yaml_node_t *node)
{
  g_assert_nonnull (node);
  g_assert_cmpint (node->type, ==, YAML_SCALAR_NODE);
  return (const char *) node->data.scalar.value;
}

static yaml_node_t *
map_get (Vectors *vectors, yaml_node_t *map, const char *key)
{
  g_assert_cmpint (map->type, ==, YAML_MAPPING_NODE);
  for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++)
    if (g_strcmp0 (scalar (node_at (vectors, pair->key)), key) == 0)
      return node_at (vectors, pair->value);
  return NULL;
}

static const char *
map_get_string (Vectors *vectors, yaml_node_t *map, const char *key)
{
  yaml_node_t *node = map_get (vectors, map, key);

  return node != NULL ? scalar (node) : NULL;
}

static guint
seq_len (yaml_node_t *seq)
{
  if (seq == NULL)
    return 0;
  g_assert_cmpint (seq->type, ==, YAML_SEQUENCE_NODE);
  return seq->data.sequence.items.top - seq->data.sequence.items.start;
}

static yaml_node_t *
seq_get (Vectors *vectors, yaml_node_t *seq, guint index)
{
  return node_at (vectors, seq->data.sequence.items.start[index]);
}

static void
vectors_load (Vectors *vectors, const char *name)
{
  g_autofree char *path = g_build_filename (IRC_PARSER_TESTS_DIR, name, NULL);
  yaml_parser_t parser;
  FILE *file = fopen (path, "rb");
  yaml_node_t *root;

  g_assert_nonnull (file);
  g_assert_true (yaml_parser_initialize (&parser));
  yaml_parser_set_input_file (&parser, file);
  if (!yaml_parser_load (&parser, &vectors->document))
    g_error ("%s: %s at line %zu", path, parser.problem, parser.problem_mark.line + 1);
  yaml_parser_delete (&parser);
  fclose (file);

  root = yaml_document_get_root_node (&vectors->document);
  g_assert_nonnull (root);
  vectors->tests = map_get (vectors, root, "tests");
  g_assert_nonnull (vectors->tests);
  g_assert_cmpuint (seq_len (vectors->tests), >, 0);
}

static void
vectors_clear (Vectors *vectors)
{
  yaml_document_delete (&vectors->document);
}

static void
test_msg_split (void)
{
  Vectors vectors;

  vectors_load (&vectors, "msg-split.yaml");
  for (guint i = 0; i < seq_len (vectors.tests); i++)
    {
      yaml_node_t *test = seq_get (&vectors, vectors.tests, i);
      const char *input = map_get_string (&vectors, test, "input");
      yaml_node_t *atoms = map_get (&vectors, test, "atoms");
      yaml_node_t *params = map_get (&vectors, atoms, "params");
      yaml_node_t *tags = map_get (&vectors, atoms, "tags");
      g_autoptr (GError) error = NULL;
      g_autoptr (WeftIrcMessage) message = NULL;
      g_autofree char *verb = NULL;

      g_test_message ("split: %s", input);
      message = weft_irc_message_parse (input, -1, &error);
      g_assert_no_error (error);

      /* Verbs are case-insensitive; ours are upper-cased. */
      verb = g_ascii_strup (map_get_string (&vectors, atoms, "verb"), -1);
      g_assert_cmpstr (weft_irc_message_get_verb (message), ==, verb);
      g_assert_cmpstr (weft_irc_message_get_source (message), ==, map_get_string (&vectors, atoms, "source"));

      g_assert_cmpuint (weft_irc_message_get_n_params (message), ==, seq_len (params));
      for (guint p = 0; p < seq_len (params); p++)
        g_assert_cmpstr (weft_irc_message_get_param (message, p), ==, scalar (seq_get (&vectors, params, p)));

      if (tags == NULL)
        g_assert_null (weft_irc_message_get_tags (message));
      else
        {
          g_assert_cmpuint (g_hash_table_size (weft_irc_message_get_tags (message)), ==,
                            tags->data.mapping.pairs.top - tags->data.mapping.pairs.start);
          for (yaml_node_pair_t *pair = tags->data.mapping.pairs.start; pair < tags->data.mapping.pairs.top; pair++)
            g_assert_cmpstr (weft_irc_message_get_tag (message, scalar (node_at (&vectors, pair->key))), ==,
                             scalar (node_at (&vectors, pair->value)));
        }
    }
  g_test_message ("%u msg-split vectors", seq_len (vectors.tests));
  vectors_clear (&vectors);
}

/* The vectors write verbs as given ("foo"); ours are upper-cased. */
static char *
upcase_verb (const char *line)
{
  char *copy = g_strdup (line);
  char *p = copy;

  if (*p == '@')
    p = strchr (p, ' ') + 1;
  if (*p == ':')
    p = strchr (p, ' ') + 1;
  for (; *p && *p != ' '; p++)
    *p = g_ascii_toupper (*p);
  return copy;
}

static void
test_msg_join (void)
{
  Vectors vectors;

  vectors_load (&vectors, "msg-join.yaml");
  for (guint i = 0; i < seq_len (vectors.tests); i++)
    {
      yaml_node_t *test = seq_get (&vectors, vectors.tests, i);
      yaml_node_t *atoms = map_get (&vectors, test, "atoms");
      yaml_node_t *params = map_get (&vectors, atoms, "params");
      yaml_node_t *tags = map_get (&vectors, atoms, "tags");
      yaml_node_t *matches = map_get (&vectors, test, "matches");
      g_autoptr (GError) error = NULL;
      g_autoptr (WeftIrcMessage) message = NULL;
      g_autofree char *line = NULL;
      gboolean found = FALSE;

      g_test_message ("join: %s", map_get_string (&vectors, test, "desc"));
      message = weft_irc_message_new (map_get_string (&vectors, atoms, "verb"));
      weft_irc_message_set_source (message, map_get_string (&vectors, atoms, "source"));
      for (guint p = 0; p < seq_len (params); p++)
        weft_irc_message_add_param (message, scalar (seq_get (&vectors, params, p)));
      for (yaml_node_pair_t *pair = tags != NULL ? tags->data.mapping.pairs.start : NULL;
           tags != NULL && pair < tags->data.mapping.pairs.top; pair++)
        weft_irc_message_set_tag (message, scalar (node_at (&vectors, pair->key)),
                                  scalar (node_at (&vectors, pair->value)));

      line = weft_irc_message_to_string (message, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (seq_len (matches), >, 0);
      for (guint m = 0; m < seq_len (matches) && !found; m++)
        {
          g_autofree char *expected = upcase_verb (scalar (seq_get (&vectors, matches, m)));

          found = g_str_equal (line, expected);
        }
      if (!found)
        g_error ("“%s” is none of the expected lines, such as “%s”", line, scalar (seq_get (&vectors, matches, 0)));
    }
  g_test_message ("%u msg-join vectors", seq_len (vectors.tests));
  vectors_clear (&vectors);
}

static void
test_userhost_split (void)
{
  Vectors vectors;

  vectors_load (&vectors, "userhost-split.yaml");
  for (guint i = 0; i < seq_len (vectors.tests); i++)
    {
      yaml_node_t *test = seq_get (&vectors, vectors.tests, i);
      yaml_node_t *atoms = map_get (&vectors, test, "atoms");
      const char *source = map_get_string (&vectors, test, "source");
      g_autofree char *nick = NULL;
      g_autofree char *user = NULL;
      g_autofree char *host = NULL;
      const char *expected;

      g_test_message ("userhost: %s", source);
      weft_irc_split_source (source, &nick, &user, &host);
      /* The vectors write a missing part as absent; ours is NULL. */
      expected = map_get_string (&vectors, atoms, "nick");
      g_assert_cmpstr (nick, ==, expected);
      expected = map_get_string (&vectors, atoms, "user");
      g_assert_cmpstr (user, ==, expected);
      expected = map_get_string (&vectors, atoms, "host");
      g_assert_cmpstr (host, ==, expected);
    }
  g_test_message ("%u userhost-split vectors", seq_len (vectors.tests));
  vectors_clear (&vectors);
}

static void
test_mask_match (void)
{
  Vectors vectors;
  guint n_checks = 0;

  vectors_load (&vectors, "mask-match.yaml");
  for (guint i = 0; i < seq_len (vectors.tests); i++)
    {
      yaml_node_t *test = seq_get (&vectors, vectors.tests, i);
      const char *mask = map_get_string (&vectors, test, "mask");
      yaml_node_t *matches = map_get (&vectors, test, "matches");
      yaml_node_t *fails = map_get (&vectors, test, "fails");

      for (guint m = 0; m < seq_len (matches); m++, n_checks++)
        {
          const char *name = scalar (seq_get (&vectors, matches, m));

          g_test_message ("mask: %s matches %s", mask, name);
          g_assert_true (weft_irc_mask_match (mask, name, WEFT_IRC_CASEMAPPING_RFC1459));
        }
      for (guint f = 0; f < seq_len (fails); f++, n_checks++)
        {
          const char *name = scalar (seq_get (&vectors, fails, f));

          g_test_message ("mask: %s does not match %s", mask, name);
          g_assert_false (weft_irc_mask_match (mask, name, WEFT_IRC_CASEMAPPING_RFC1459));
        }
    }
  g_test_message ("%u mask-match vectors, %u checks", seq_len (vectors.tests), n_checks);
  vectors_clear (&vectors);
}

static void
test_validate_hostname (void)
{
  Vectors vectors;

  vectors_load (&vectors, "validate-hostname.yaml");
  for (guint i = 0; i < seq_len (vectors.tests); i++)
    {
      yaml_node_t *test = seq_get (&vectors, vectors.tests, i);
      const char *host = map_get_string (&vectors, test, "host");
      const char *valid = map_get_string (&vectors, test, "valid");

      g_test_message ("hostname: “%s” valid: %s", host, valid);
      g_assert_true (g_str_equal (valid, "true") || g_str_equal (valid, "false"));
      g_assert_cmpint (weft_irc_hostname_is_valid (host), ==, g_str_equal (valid, "true"));
    }
  g_test_message ("%u validate-hostname vectors", seq_len (vectors.tests));
  vectors_clear (&vectors);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/irc/parser-tests/msg-split", test_msg_split);
  g_test_add_func ("/irc/parser-tests/msg-join", test_msg_join);
  g_test_add_func ("/irc/parser-tests/userhost-split", test_userhost_split);
  g_test_add_func ("/irc/parser-tests/mask-match", test_mask_match);
  g_test_add_func ("/irc/parser-tests/validate-hostname", test_validate_hostname);
  return g_test_run ();
}
