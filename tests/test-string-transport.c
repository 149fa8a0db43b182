/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The in-memory transport of the test kit: what it records, and the close
 * and pause states it reports. */

#include "config.h"

#include <string.h>

#include <weft/weft-testing.h>

typedef struct {
  WeftStringTransport *string_transport;
  WeftTransport *transport;
  WeftProtocol *protocol;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  f->string_transport = weft_string_transport_new ();
  f->transport = WEFT_TRANSPORT (f->string_transport);
  f->protocol = g_object_new (WEFT_TYPE_PROTOCOL, NULL);
  weft_string_transport_connect (f->string_transport, f->protocol);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_object_unref (f->protocol);
  g_object_unref (f->string_transport);
}

static void
test_records_writes (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static ("bytes,", 6);
  g_autoptr (GBytes) value = NULL;
  GOutputVector vectors[] = { { "vec", 3 }, { "", 0 }, { "tor", 3 } };
  gsize len = 0;

  g_assert_cmpstr (weft_string_transport_peek_string (f->string_transport, &len), ==, "");
  g_assert_cmpuint (len, ==, 0);

  weft_transport_write (f->transport, "plain,", 6);
  weft_transport_write_bytes (f->transport, bytes);
  weft_transport_writev (f->transport, vectors, G_N_ELEMENTS (vectors));
  weft_transport_write (f->transport, "\0end", 4);

  value = weft_string_transport_get_value (f->string_transport);
  g_assert_cmpmem (g_bytes_get_data (value, NULL), g_bytes_get_size (value), "plain,bytes,vector\0end", 22);
  g_assert_cmpstr (weft_string_transport_peek_string (f->string_transport, &len), ==, "plain,bytes,vector");
  g_assert_cmpuint (len, ==, 22);
  /* Without buffering, nothing waits. */
  g_assert_cmpuint (weft_transport_get_write_buffer_size (f->transport), ==, 0);

  weft_string_transport_clear (f->string_transport);
  g_assert_cmpstr (weft_string_transport_peek_string (f->string_transport, &len), ==, "");
  g_assert_cmpuint (len, ==, 0);
  weft_transport_write (f->transport, "again", 5);
  g_assert_cmpstr (weft_string_transport_peek_string (f->string_transport, NULL), ==, "again");
}

static void
test_lose_connection (Fixture *f, gconstpointer data)
{
  g_assert_false (weft_transport_is_closing (f->transport));
  weft_transport_lose_connection (f->transport);
  g_assert_true (weft_string_transport_is_disconnecting (f->string_transport));
  g_assert_false (weft_string_transport_is_aborted (f->string_transport));
  g_assert_false (weft_string_transport_is_write_closed (f->string_transport));
  g_assert_true (weft_transport_is_closing (f->transport));
  g_assert_null (weft_string_transport_get_close_reason (f->string_transport));

  /* As on a socket, what is written before the close happens is sent. */
  weft_transport_write (f->transport, "flushed", 7);
  g_assert_cmpstr (weft_string_transport_peek_string (f->string_transport, NULL), ==, "flushed");

  g_assert_false (weft_string_transport_is_lost (f->string_transport));
  weft_string_transport_connection_lost (f->string_transport, NULL);
  g_assert_true (weft_string_transport_is_lost (f->string_transport));
  g_assert_false (weft_protocol_is_connected (f->protocol));
  weft_transport_write (f->transport, "after", 5);
  g_assert_cmpstr (weft_string_transport_peek_string (f->string_transport, NULL), ==, "flushed");
}

static void
test_abort (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "no answer in 30 s");

  weft_transport_lose_connection (f->transport);
  weft_transport_abort_connection_with_error (f->transport, error);
  g_assert_true (weft_string_transport_is_aborted (f->string_transport));
  g_assert_error (weft_string_transport_get_close_reason (f->string_transport), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  weft_transport_write (f->transport, "dropped", 7);
  g_assert_cmpstr (weft_string_transport_peek_string (f->string_transport, NULL), ==, "");
}

static void
test_lose_write_connection (Fixture *f, gconstpointer data)
{
  weft_transport_write (f->transport, "before", 6);
  weft_transport_lose_write_connection (f->transport);
  weft_transport_write (f->transport, "after", 5);
  g_assert_true (weft_string_transport_is_write_closed (f->string_transport));
  g_assert_false (weft_string_transport_is_disconnecting (f->string_transport));
  g_assert_false (weft_transport_is_closing (f->transport));
  g_assert_cmpstr (weft_string_transport_peek_string (f->string_transport, NULL), ==, "before");
}

static void
test_pause_reading (Fixture *f, gconstpointer data)
{
  g_assert_false (weft_string_transport_is_reading_paused (f->string_transport));
  weft_transport_pause_reading (f->transport);
  g_assert_true (weft_string_transport_is_reading_paused (f->string_transport));
  weft_transport_resume_reading (f->transport);
  g_assert_false (weft_string_transport_is_reading_paused (f->string_transport));
}

static void
test_buffering (Fixture *f, gconstpointer data)
{
  weft_string_transport_set_buffering (f->string_transport, TRUE);
  weft_transport_write (f->transport, "0123456789", 10);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (f->transport), ==, 10);
  weft_string_transport_drain (f->string_transport, 3);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (f->transport), ==, 7);
  weft_string_transport_drain (f->string_transport, 100);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (f->transport), ==, 0);
  weft_transport_write (f->transport, "abc", 3);
  weft_string_transport_set_buffering (f->string_transport, FALSE);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (f->transport), ==, 0);
  /* An abort drops what waits. */
  weft_string_transport_set_buffering (f->string_transport, TRUE);
  weft_transport_write (f->transport, "xyz", 3);
  weft_transport_abort_connection (f->transport);
  g_assert_cmpuint (weft_transport_get_write_buffer_size (f->transport), ==, 0);
  g_assert_error (weft_string_transport_get_close_reason (f->string_transport), WEFT_ERROR,
                  WEFT_ERROR_CONNECTION_ABORTED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define TEST(path, func) g_test_add ("/string-transport/" path, Fixture, NULL, setup, func, teardown)
  TEST ("records-writes", test_records_writes);
  TEST ("lose-connection", test_lose_connection);
  TEST ("abort", test_abort);
  TEST ("lose-write-connection", test_lose_write_connection);
  TEST ("pause-reading", test_pause_reading);
  TEST ("buffering", test_buffering);
#undef TEST

  return g_test_run ();
}
