/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replays the seed corpus of one fuzz target without libFuzzer: one test
 * case per corpus file, fed to the target's LLVMFuzzerTestOneInput(). Built
 * once per target by tests/fuzz/meson.build, with FUZZ_CORPUS_DIR set. */
#include <glib.h>

#include "fuzz-check.h"

static void
replay_file (gconstpointer data)
{
  const char *path = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  /* A fresh copy of exactly the file's bytes, so ASan sees any overread. */
  {
    g_autofree guint8 *copy = g_memdup2 (contents, length);

    g_assert_cmpint (LLVMFuzzerTestOneInput (copy, length), ==, 0);
  }
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  int status;

  g_test_init (&argc, &argv, NULL);

  dir = g_dir_open (FUZZ_CORPUS_DIR, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, >, 0);

  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *test_path = g_strdup_printf ("/fuzz/%s/%s", FUZZ_TARGET_NAME, file);
      char *path = g_build_filename (FUZZ_CORPUS_DIR, file, NULL);

      g_ptr_array_add (paths, path);
      g_test_add_data_func (test_path, path, replay_file);
    }
  status = g_test_run ();
  return status;
}
