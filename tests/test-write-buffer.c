/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The write buffer every stream transport shares: chunk queue, iovec
 * export, partial consumption and watermarks. */

#include "config.h"

#include <string.h>

#include "weft-write-buffer-private.h"

/* Concatenates what fill_iovec exports. */
static char *
exported (const WeftWriteBuffer *buffer, guint max_iov, guint *n_iov)
{
  struct iovec iov[64];
  GString *out = g_string_new (NULL);
  guint n = weft_write_buffer_fill_iovec (buffer, iov, MIN (max_iov, G_N_ELEMENTS (iov)));

  for (guint i = 0; i < n; i++)
    g_string_append_len (out, iov[i].iov_base, iov[i].iov_len);
  if (n_iov != NULL)
    *n_iov = n;
  return g_string_free (out, FALSE);
}

static void
test_push_and_consume (void)
{
  WeftWriteBuffer buffer;
  g_autoptr (GBytes) bytes = g_bytes_new_static ("BYTES", 5);
  GOutputVector vectors[] = { { "v1", 2 }, { "v2", 2 } };
  g_autofree char *all = NULL;
  g_autofree char *after = NULL;
  g_autofree char *rest = NULL;

  weft_write_buffer_init (&buffer);
  g_assert_true (weft_write_buffer_is_empty (&buffer));
  weft_write_buffer_push (&buffer, "abc", 3);
  weft_write_buffer_push_bytes (&buffer, bytes);
  weft_write_buffer_push_vectors (&buffer, vectors, G_N_ELEMENTS (vectors));
  weft_write_buffer_push (&buffer, "", 0);
  g_assert_cmpuint (weft_write_buffer_get_size (&buffer), ==, 12);

  all = exported (&buffer, 64, NULL);
  g_assert_cmpstr (all, ==, "abcBYTESv1v2");

  /* Partial consumption across chunk boundaries. */
  weft_write_buffer_consume (&buffer, 2);
  after = exported (&buffer, 64, NULL);
  g_assert_cmpstr (after, ==, "cBYTESv1v2");
  weft_write_buffer_consume (&buffer, 4);
  rest = exported (&buffer, 64, NULL);
  g_assert_cmpstr (rest, ==, "ESv1v2");
  g_assert_cmpuint (weft_write_buffer_get_size (&buffer), ==, 6);
  weft_write_buffer_consume (&buffer, 6);
  g_assert_true (weft_write_buffer_is_empty (&buffer));
  g_assert_cmpuint (weft_write_buffer_fill_iovec (&buffer, NULL, 0), ==, 0);

  weft_write_buffer_clear (&buffer);
}

static void
test_bytes_not_copied (void)
{
  WeftWriteBuffer buffer;
  g_autofree char *big = g_strnfill (100000, 'b');
  g_autoptr (GBytes) bytes = g_bytes_new_static (big, 100000);
  struct iovec iov[4];

  weft_write_buffer_init (&buffer);
  weft_write_buffer_push_bytes (&buffer, bytes);
  g_assert_cmpuint (weft_write_buffer_fill_iovec (&buffer, iov, 4), ==, 1);
  g_assert_true (iov[0].iov_base == (void *) big);
  weft_write_buffer_consume (&buffer, 10);
  g_assert_cmpuint (weft_write_buffer_fill_iovec (&buffer, iov, 4), ==, 1);
  g_assert_true (iov[0].iov_base == (void *) (big + 10));
  g_assert_cmpuint (iov[0].iov_len, ==, 99990);
  weft_write_buffer_clear (&buffer);
}

static void
test_small_writes_coalesce (void)
{
  WeftWriteBuffer buffer;
  g_autofree char *large = g_strnfill (5000, 'L');
  guint n_iov = 0;
  g_autofree char *first = NULL;
  g_autofree char *out = NULL;

  weft_write_buffer_init (&buffer);
  for (int i = 0; i < 100; i++)
    weft_write_buffer_push (&buffer, "line\r\n", 6);
  first = exported (&buffer, 64, &n_iov);
  g_assert_cmpuint (n_iov, ==, 1);
  g_assert_cmpuint (strlen (first), ==, 600);

  /* A large copy gets its own chunk; small writes after it start a new
   * shared one. */
  weft_write_buffer_push (&buffer, large, 5000);
  weft_write_buffer_push (&buffer, "x", 1);
  weft_write_buffer_push (&buffer, "y", 1);
  out = exported (&buffer, 64, &n_iov);
  g_assert_cmpuint (n_iov, ==, 3);
  g_assert_cmpuint (strlen (out), ==, 5602);
  g_assert_true (g_str_has_suffix (out, "LLxy"));

  /* max_iov limits the export. */
  g_clear_pointer (&out, g_free);
  out = exported (&buffer, 2, &n_iov);
  g_assert_cmpuint (n_iov, ==, 2);
  g_assert_cmpuint (strlen (out), ==, 5600);
  weft_write_buffer_clear (&buffer);
}

static void
test_pop_chunk (void)
{
  WeftWriteBuffer buffer;
  g_autoptr (GBytes) bytes = g_bytes_new_static ("0123456789", 10);
  g_autoptr (GBytes) a = NULL;
  g_autoptr (GBytes) b = NULL;
  g_autoptr (GBytes) c = NULL;

  weft_write_buffer_init (&buffer);
  weft_write_buffer_push (&buffer, "copy", 4);
  weft_write_buffer_push_bytes (&buffer, bytes);
  weft_write_buffer_consume (&buffer, 1);
  a = weft_write_buffer_pop_chunk (&buffer);
  g_assert_cmpmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a), "opy", 3);
  weft_write_buffer_consume (&buffer, 2);
  b = weft_write_buffer_pop_chunk (&buffer);
  g_assert_cmpmem (g_bytes_get_data (b, NULL), g_bytes_get_size (b), "23456789", 8);
  g_assert_true (weft_write_buffer_is_empty (&buffer));
  c = weft_write_buffer_pop_chunk (&buffer);
  g_assert_null (c);
  weft_write_buffer_clear (&buffer);
}

static void
test_watermarks (void)
{
  WeftWriteBuffer buffer;
  gsize high, low;

  weft_write_buffer_init (&buffer);
  weft_write_buffer_get_limits (&buffer, &high, &low);
  g_assert_cmpuint (high, ==, WEFT_WRITE_BUFFER_DEFAULT_HIGH);
  g_assert_cmpuint (low, ==, WEFT_WRITE_BUFFER_DEFAULT_LOW);
  g_assert_cmpuint (high, ==, WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_HIGH);
  g_assert_cmpuint (low, ==, WEFT_TRANSPORT_DEFAULT_WRITE_BUFFER_LOW);

  weft_write_buffer_set_limits (&buffer, 8, 2);
  weft_write_buffer_push (&buffer, "12345678", 8);
  g_assert_cmpint (weft_write_buffer_update_flow (&buffer), ==, WEFT_WRITE_FLOW_UNCHANGED);
  weft_write_buffer_push (&buffer, "9", 1);
  g_assert_cmpint (weft_write_buffer_update_flow (&buffer), ==, WEFT_WRITE_FLOW_PAUSE);
  g_assert_cmpint (weft_write_buffer_update_flow (&buffer), ==, WEFT_WRITE_FLOW_UNCHANGED);
  weft_write_buffer_consume (&buffer, 6);
  g_assert_cmpint (weft_write_buffer_update_flow (&buffer), ==, WEFT_WRITE_FLOW_UNCHANGED);
  weft_write_buffer_consume (&buffer, 1);
  g_assert_cmpint (weft_write_buffer_update_flow (&buffer), ==, WEFT_WRITE_FLOW_RESUME);
  g_assert_cmpint (weft_write_buffer_update_flow (&buffer), ==, WEFT_WRITE_FLOW_UNCHANGED);

  /* Discarding keeps the paused state, so the resume is still reported. */
  weft_write_buffer_push (&buffer, "1234567", 7);
  g_assert_cmpint (weft_write_buffer_update_flow (&buffer), ==, WEFT_WRITE_FLOW_PAUSE);
  weft_write_buffer_discard (&buffer);
  g_assert_cmpint (weft_write_buffer_update_flow (&buffer), ==, WEFT_WRITE_FLOW_RESUME);
  weft_write_buffer_clear (&buffer);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/write-buffer/push-and-consume", test_push_and_consume);
  g_test_add_func ("/write-buffer/bytes-not-copied", test_bytes_not_copied);
  g_test_add_func ("/write-buffer/small-writes-coalesce", test_small_writes_coalesce);
  g_test_add_func ("/write-buffer/pop-chunk", test_pop_chunk);
  g_test_add_func ("/write-buffer/watermarks", test_watermarks);

  return g_test_run ();
}
