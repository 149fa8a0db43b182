/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The message receivers: lines (with raw mode and pausing), netstrings and
 * length-prefixed messages, fed all at once and a byte at a time, with bad
 * input that must end in a clear error and a close. */

#include "config.h"

#include <string.h>

#include <weft/weft-testing.h>

/* Every test protocol logs what happened as strings ("line:abc",
 * "raw:xyz", "exceeded:20"), so a test compares one list. Consecutive raw
 * chunks are merged, so that the log does not depend on how input was cut. */
static void
log_event (GPtrArray *log, const char *kind, const guint8 *data, gsize len)
{
  g_autofree char *text = NULL;

  if (g_str_equal (kind, "raw") && len == 0)
    return;
  /* Embedded NULs would cut the string short: show them as '@'. */
  text = g_malloc (len + 1);
  for (gsize i = 0; i < len; i++)
    text[i] = data[i] == '\0' ? '@' : (char) data[i];
  text[len] = '\0';
  if (g_str_equal (kind, "raw") && log->len > 0 && g_str_has_prefix (g_ptr_array_index (log, log->len - 1), "raw:"))
    {
      char *last = g_ptr_array_index (log, log->len - 1);

      log->pdata[log->len - 1] = g_strconcat (last, text, NULL);
      g_free (last);
      return;
    }
  g_ptr_array_add (log, g_strdup_printf ("%s:%s", kind, text));
}

static void
assert_log (GPtrArray *log, const char *const *expected)
{
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;

  g_ptr_array_add (log, NULL);
  got = g_strjoinv ("\n", (char **) log->pdata);
  g_ptr_array_remove_index (log, log->len - 1);
  want = g_strjoinv ("\n", (char **) expected);
  g_assert_cmpstr (got, ==, want);
}

/* ------------------------------------------------------------------ */
/* A scripted line receiver                                             */

#define TEST_TYPE_LINES (test_lines_get_type ())
G_DECLARE_FINAL_TYPE (TestLines, test_lines, TEST, LINES, WeftLineReceiver)

struct _TestLines {
  WeftLineReceiver parent_instance;
  GPtrArray *log;
  GError *lost_reason;
  gboolean override_exceeded;
};

G_DEFINE_FINAL_TYPE (TestLines, test_lines, WEFT_TYPE_LINE_RECEIVER)

/* Commands, so one protocol serves every test:
 *   "raw"   switch to raw mode; in raw mode, a '|' ends the raw part and
 *           what follows it is handed back with set_line_mode()
 *   "pause" pause producing after this line
 *   "quit"  lose the connection */
static void
test_lines_line_received (WeftLineReceiver *receiver, const char *line, gsize len)
{
  TestLines *self = TEST_LINES (receiver);

  g_assert_cmpint (line[len], ==, '\0');
  log_event (self->log, "line", (const guint8 *) line, len);
  if (g_str_equal (line, "raw"))
    weft_line_receiver_set_raw_mode (receiver);
  else if (g_str_equal (line, "pause"))
    weft_line_receiver_pause_producing (receiver);
  else if (g_str_equal (line, "quit"))
    weft_transport_lose_connection (weft_protocol_get_transport (WEFT_PROTOCOL (self)));
}

static void
test_lines_raw_data_received (WeftLineReceiver *receiver, const guint8 *data, gsize len)
{
  TestLines *self = TEST_LINES (receiver);
  const guint8 *bar = memchr (data, '|', len);

  if (bar == NULL)
    {
      log_event (self->log, "raw", data, len);
      return;
    }
  log_event (self->log, "raw", data, bar - data);
  weft_line_receiver_set_line_mode (receiver, bar + 1, len - (bar + 1 - data));
}

static void
test_lines_line_length_exceeded (WeftLineReceiver *receiver, const guint8 *data, gsize len)
{
  TestLines *self = TEST_LINES (receiver);

  g_ptr_array_add (self->log, g_strdup_printf ("exceeded:%zu", len));
  if (!self->override_exceeded)
    WEFT_LINE_RECEIVER_CLASS (test_lines_parent_class)->line_length_exceeded (receiver, data, len);
}

static void
test_lines_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  TestLines *self = TEST_LINES (protocol);

  g_assert_nonnull (reason);
  g_assert_null (self->lost_reason);
  self->lost_reason = g_error_copy (reason);
  WEFT_PROTOCOL_CLASS (test_lines_parent_class)->connection_lost (protocol, reason);
}

static void
test_lines_finalize (GObject *object)
{
  TestLines *self = TEST_LINES (object);

  g_ptr_array_unref (self->log);
  g_clear_error (&self->lost_reason);
  G_OBJECT_CLASS (test_lines_parent_class)->finalize (object);
}

static void
test_lines_class_init (TestLinesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_lines_finalize;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = test_lines_connection_lost;
  WEFT_LINE_RECEIVER_CLASS (klass)->line_received = test_lines_line_received;
  WEFT_LINE_RECEIVER_CLASS (klass)->raw_data_received = test_lines_raw_data_received;
  WEFT_LINE_RECEIVER_CLASS (klass)->line_length_exceeded = test_lines_line_length_exceeded;
}

static void
test_lines_init (TestLines *self)
{
  self->log = g_ptr_array_new_with_free_func (g_free);
}

typedef struct {
  WeftStringTransport *transport;
  TestLines *lines;
} LinesFixture;

static void
lines_setup (LinesFixture *fixture, gconstpointer data)
{
  fixture->lines = g_object_new (TEST_TYPE_LINES, NULL);
  fixture->transport = weft_string_transport_new ();
  weft_string_transport_connect (fixture->transport, WEFT_PROTOCOL (fixture->lines));
}

static void
lines_teardown (LinesFixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->lines);
  g_object_unref (fixture->transport);
}

/* Feeds @input in pieces of @step bytes (0: all at once). */
static void
feed (WeftStringTransport *transport, const char *input, gsize len, gsize step)
{
  if (step == 0)
    step = len;
  for (gsize i = 0; i < len; i += step)
    weft_string_transport_receive (transport, input + i, MIN (step, len - i));
}

static void
feed_str (WeftStringTransport *transport, const char *input, gsize step)
{
  feed (transport, input, strlen (input), step);
}

static const gsize steps[] = { 0, 1, 2, 3, 7 };

static void
test_line_many_at_once (LinesFixture *f, gconstpointer data)
{
  const char *expected[] = { "line:one", "line:two", "line:", "line:three", NULL };

  weft_string_transport_receive (f->transport, "one\r\ntwo\r\n\r\nthree\r\nfour", -1);
  assert_log (f->lines->log, expected);
  g_assert_false (weft_string_transport_is_disconnecting (f->transport));
}

static void
test_line_one_byte_at_a_time (LinesFixture *f, gconstpointer data)
{
  const char *expected[] = { "line:one", "line:two", "line:", "line:three", NULL };

  feed_str (f->transport, "one\r\ntwo\r\n\r\nthree\r\nfour", 1);
  assert_log (f->lines->log, expected);
  g_ptr_array_set_size (f->lines->log, 0);
  weft_string_transport_receive (f->transport, "\r\n", -1);
  g_assert_cmpuint (f->lines->log->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->lines->log, 0), ==, "line:four");
}

static void
test_line_custom_delimiter (LinesFixture *f, gconstpointer data)
{
  const char *expected[] = { "line:a\r\nb", "line:c", "line:EN", "line:xE", "line:", NULL };

  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_ptr_array_set_size (f->lines->log, 0);
      weft_line_receiver_set_delimiter (WEFT_LINE_RECEIVER (f->lines), "END");
      g_assert_cmpstr (weft_line_receiver_get_delimiter (WEFT_LINE_RECEIVER (f->lines)), ==, "END");
      feed_str (f->transport, "a\r\nbENDcENDENENDxEENDEND", steps[s]);
      assert_log (f->lines->log, expected);
    }
}

static void
test_line_single_byte_delimiter (LinesFixture *f, gconstpointer data)
{
  const char *expected[] = { "line:a\r", "line:b", "line:", NULL };

  weft_line_receiver_set_delimiter (WEFT_LINE_RECEIVER (f->lines), "\n");
  feed_str (f->transport, "a\r\nb\n\n", 1);
  assert_log (f->lines->log, expected);
}

static void
test_line_embedded_nul (LinesFixture *f, gconstpointer data)
{
  const char *expected[] = { "line:a@b", NULL };

  weft_string_transport_receive (f->transport, "a\0b\r\n", 5);
  assert_log (f->lines->log, expected);
}

static void
test_line_exactly_max_length (LinesFixture *f, gconstpointer data)
{
  g_autofree char *line = g_strnfill (8, 'x');
  g_autofree char *input = g_strconcat (line, "\r\n", line, "\r\n", NULL);
  const char *expected[] = { "line:xxxxxxxx", "line:xxxxxxxx", NULL };

  weft_line_receiver_set_max_line_length (WEFT_LINE_RECEIVER (f->lines), 8);
  /* The delimiter split between reads after a line of exactly the limit
   * must not count as an overlong line. */
  feed_str (f->transport, input, 1);
  assert_log (f->lines->log, expected);
  g_assert_false (weft_string_transport_is_disconnecting (f->transport));
}

static void
check_line_too_long_error (LinesFixture *f, gsize limit)
{
  const GError *reason = weft_string_transport_get_close_reason (f->transport);
  g_autofree char *limit_text = g_strdup_printf ("%zu bytes", limit);

  g_assert_true (weft_string_transport_is_disconnecting (f->transport));
  g_assert_false (weft_string_transport_is_aborted (f->transport));
  g_assert_error (reason, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (reason->message, limit_text));

  /* The protocol sees the same error when the connection ends. */
  weft_string_transport_connection_lost (f->transport, NULL);
  g_assert_error (f->lines->lost_reason, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_cmpstr (f->lines->lost_reason->message, ==, reason->message);
}

static void
test_line_too_long (LinesFixture *f, gconstpointer data)
{
  const char *expected[] = { "line:ok", "exceeded:11", NULL };

  weft_line_receiver_set_max_line_length (WEFT_LINE_RECEIVER (f->lines), 10);
  weft_string_transport_receive (f->transport, "ok\r\n0123456789A\r\nnever\r\n", -1);
  assert_log (f->lines->log, expected);
  check_line_too_long_error (f, 10);

  /* Nothing more is delivered or kept. */
  g_assert_cmpuint (f->lines->log->len, ==, 2);
}

static void
test_line_too_long_partial (LinesFixture *f, gconstpointer data)
{
  g_autofree char *flood = g_strnfill (4096, 'z');
  const char *expected[] = { "line:ok", "exceeded:18", NULL };
  g_autoptr (GBytes) rest = NULL;

  weft_line_receiver_set_max_line_length (WEFT_LINE_RECEIVER (f->lines), 16);
  /* No delimiter ever comes: the limit plus a possible split delimiter is
   * all that may be buffered before the line counts as overlong. */
  feed_str (f->transport, "ok\r\n", 0);
  feed (f->transport, flood, 17, 1);
  g_assert_cmpuint (f->lines->log->len, ==, 1);
  g_assert_false (weft_string_transport_is_disconnecting (f->transport));
  feed (f->transport, flood, 1, 1);
  assert_log (f->lines->log, expected);
  check_line_too_long_error (f, 16);

  rest = weft_line_receiver_clear_line_buffer (WEFT_LINE_RECEIVER (f->lines));
  g_assert_cmpuint (g_bytes_get_size (rest), <=, 1);
}

static void
test_line_too_long_default_limit (LinesFixture *f, gconstpointer data)
{
  gsize limit = WEFT_LINE_RECEIVER_DEFAULT_MAX_LINE_LENGTH;
  g_autofree char *flood = g_strnfill (limit + 100, 'q');

  g_assert_cmpuint (weft_line_receiver_get_max_line_length (WEFT_LINE_RECEIVER (f->lines)), ==, 16 * 1024);
  weft_string_transport_receive (f->transport, flood, -1);
  g_assert_cmpuint (f->lines->log->len, ==, 1);
  check_line_too_long_error (f, limit);
}

static void
test_line_too_long_overridden (LinesFixture *f, gconstpointer data)
{
  const char *input = "short\r\nthis one is too long\r\nnext\r\nanother overlong line\r\nlast\r\n";
  const char *expected[] = { "line:short", "exceeded:", "line:next", "exceeded:", "line:last", NULL };

  f->lines->override_exceeded = TRUE;
  weft_line_receiver_set_max_line_length (WEFT_LINE_RECEIVER (f->lines), 8);
  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_ptr_array_set_size (f->lines->log, 0);
      feed_str (f->transport, input, steps[s]);
      /* What the handler got depends on how much had arrived when the
       * line became too long: compare without the length. */
      for (guint i = 0; i < f->lines->log->len; i++)
        if (g_str_has_prefix (f->lines->log->pdata[i], "exceeded:"))
          {
            g_autofree char *old = f->lines->log->pdata[i];
            guint64 len = g_ascii_strtoull (old + strlen ("exceeded:"), NULL, 10);

            g_assert_cmpuint (len, >, 8);
            f->lines->log->pdata[i] = g_strdup ("exceeded:");
          }
      assert_log (f->lines->log, expected);
      g_assert_false (weft_string_transport_is_disconnecting (f->transport));
    }
}

static void
test_line_raw_mode_from_line_received (LinesFixture *f, gconstpointer data)
{
  const char *input = "hello\r\nraw\r\nbinary\r\ndata|back\r\nto lines\r\n";
  const char *expected[] = { "line:hello", "line:raw", "raw:binary\r\ndata", "line:back", "line:to lines", NULL };

  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_ptr_array_set_size (f->lines->log, 0);
      feed_str (f->transport, input, steps[s]);
      assert_log (f->lines->log, expected);
      g_assert_true (weft_line_receiver_is_line_mode (WEFT_LINE_RECEIVER (f->lines)));
    }
}

static void
test_line_raw_and_back_twice (LinesFixture *f, gconstpointer data)
{
  /* Back in line mode, the bytes handed back hold a line that switches to
   * raw mode again, all within one read. */
  const char *input = "raw\r\nA|raw\r\nB|x\r\n";
  const char *expected[] = { "line:raw", "raw:A", "line:raw", "raw:B", "line:x", NULL };

  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_ptr_array_set_size (f->lines->log, 0);
      feed_str (f->transport, input, steps[s]);
      assert_log (f->lines->log, expected);
    }
}

static void
test_line_raw_mode_outside_callbacks (LinesFixture *f, gconstpointer data)
{
  WeftLineReceiver *receiver = WEFT_LINE_RECEIVER (f->lines);
  const char *expected[] = { "line:one", "raw:partial", NULL };
  const char *expected_after[] = { "line:one", "raw:partial", "line:more", NULL };

  weft_string_transport_receive (f->transport, "one\r\npartial", -1);
  /* The buffered partial line is delivered raw at once. */
  weft_line_receiver_set_raw_mode (receiver);
  assert_log (f->lines->log, expected);
  g_assert_false (weft_line_receiver_is_line_mode (receiver));

  weft_line_receiver_set_line_mode (receiver, (const guint8 *) "mo", 2);
  weft_string_transport_receive (f->transport, "re\r\n", -1);
  assert_log (f->lines->log, expected_after);
}

static void
test_line_set_line_mode_keeps_buffered_order (LinesFixture *f, gconstpointer data)
{
  WeftLineReceiver *receiver = WEFT_LINE_RECEIVER (f->lines);
  const char *expected[] = { "line:pause", "line:ab", "line:c", NULL };

  /* Paused in line mode with "b\r\nc\r\n" buffered, switching to raw and
   * back with extra bytes "a": the extra bytes come first. */
  weft_string_transport_receive (f->transport, "pause\r\nb\r\nc\r\n", -1);
  weft_line_receiver_set_raw_mode (receiver);
  weft_line_receiver_set_line_mode (receiver, (const guint8 *) "a", 1);
  weft_line_receiver_resume_producing (receiver);
  assert_log (f->lines->log, expected);
}

static void
test_line_pause_resume (LinesFixture *f, gconstpointer data)
{
  WeftLineReceiver *receiver = WEFT_LINE_RECEIVER (f->lines);
  const char *paused[] = { "line:one", "line:pause", NULL };
  const char *resumed[] = { "line:one", "line:pause", "line:two", "line:three", "line:four", NULL };

  weft_string_transport_receive (f->transport, "one\r\npause\r\ntwo\r\nthr", -1);
  assert_log (f->lines->log, paused);
  g_assert_true (weft_line_receiver_is_paused (receiver));
  g_assert_true (weft_string_transport_is_reading_paused (f->transport));

  /* Input that still arrives is kept, not delivered. */
  weft_string_transport_receive (f->transport, "ee\r\nfour\r\nfi", -1);
  assert_log (f->lines->log, paused);

  weft_line_receiver_resume_producing (receiver);
  assert_log (f->lines->log, resumed);
  g_assert_false (weft_line_receiver_is_paused (receiver));
  g_assert_false (weft_string_transport_is_reading_paused (f->transport));

  g_autoptr (GBytes) rest = weft_line_receiver_clear_line_buffer (receiver);
  g_assert_cmpmem (g_bytes_get_data (rest, NULL), g_bytes_get_size (rest), "fi", 2);
}

static void
test_line_pause_in_raw_mode (LinesFixture *f, gconstpointer data)
{
  WeftLineReceiver *receiver = WEFT_LINE_RECEIVER (f->lines);
  const char *expected[] = { "line:raw", "raw:abcdef", NULL };

  weft_string_transport_receive (f->transport, "raw\r\nabc", -1);
  weft_line_receiver_pause_producing (receiver);
  weft_string_transport_receive (f->transport, "def", -1);
  g_assert_cmpuint (f->lines->log->len, ==, 2);
  g_assert_cmpstr (f->lines->log->pdata[1], ==, "raw:abc");
  weft_line_receiver_resume_producing (receiver);
  assert_log (f->lines->log, expected);
}

static void
test_line_stops_after_lose_connection (LinesFixture *f, gconstpointer data)
{
  const char *expected[] = { "line:a", "line:quit", NULL };

  weft_string_transport_receive (f->transport, "a\r\nquit\r\nb\r\n", -1);
  weft_string_transport_receive (f->transport, "c\r\n", -1);
  assert_log (f->lines->log, expected);
  g_assert_true (weft_string_transport_is_disconnecting (f->transport));
  g_assert_null (weft_string_transport_get_close_reason (f->transport));
  weft_string_transport_connection_lost (f->transport, NULL);
  g_assert_error (f->lines->lost_reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE);
}

static void
test_line_send_line (LinesFixture *f, gconstpointer data)
{
  WeftLineReceiver *receiver = WEFT_LINE_RECEIVER (f->lines);

  weft_line_receiver_send_line (receiver, "PRIVMSG #weft :hi", -1);
  weft_line_receiver_send_line (receiver, "abcdef", 3);
  weft_line_receiver_set_delimiter (receiver, "\n");
  weft_line_receiver_send_line (receiver, "", 0);
  g_assert_cmpstr (weft_string_transport_peek_string (f->transport, NULL), ==, "PRIVMSG #weft :hi\r\nabc\r\n\n");
}

/* ------------------------------------------------------------------ */
/* Netstrings                                                           */

#define TEST_TYPE_NETSTRINGS (test_netstrings_get_type ())
G_DECLARE_FINAL_TYPE (TestNetstrings, test_netstrings, TEST, NETSTRINGS, WeftNetstringReceiver)

struct _TestNetstrings {
  WeftNetstringReceiver parent_instance;
  GPtrArray *log;
  gboolean reenter; /* string "again" feeds more input from inside the handler */
};

G_DEFINE_FINAL_TYPE (TestNetstrings, test_netstrings, WEFT_TYPE_NETSTRING_RECEIVER)

static void
test_netstrings_string_received (WeftNetstringReceiver *receiver, const guint8 *data, gsize len)
{
  TestNetstrings *self = TEST_NETSTRINGS (receiver);

  log_event (self->log, "string", data, len);
  if (self->reenter && len == 5 && memcmp (data, "again", 5) == 0)
    weft_protocol_data_received (WEFT_PROTOCOL (self), (const guint8 *) "6:nested,", 9);
}

static void
test_netstrings_finalize (GObject *object)
{
  g_ptr_array_unref (TEST_NETSTRINGS (object)->log);
  G_OBJECT_CLASS (test_netstrings_parent_class)->finalize (object);
}

static void
test_netstrings_class_init (TestNetstringsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_netstrings_finalize;
  WEFT_NETSTRING_RECEIVER_CLASS (klass)->string_received = test_netstrings_string_received;
}

static void
test_netstrings_init (TestNetstrings *self)
{
  self->log = g_ptr_array_new_with_free_func (g_free);
}

typedef struct {
  WeftStringTransport *transport;
  TestNetstrings *receiver;
} NetstringFixture;

static void
netstring_setup (NetstringFixture *f, gconstpointer data)
{
  f->receiver = g_object_new (TEST_TYPE_NETSTRINGS, NULL);
  f->transport = weft_string_transport_new ();
  weft_string_transport_connect (f->transport, WEFT_PROTOCOL (f->receiver));
}

static void
netstring_teardown (NetstringFixture *f, gconstpointer data)
{
  g_object_unref (f->receiver);
  g_object_unref (f->transport);
}

static void
netstring_reset (NetstringFixture *f)
{
  netstring_teardown (f, NULL);
  netstring_setup (f, NULL);
}

static void
test_netstring_valid (NetstringFixture *f, gconstpointer data)
{
  const char *input = "5:hello,0:,12:hello\r\nworld,1:,,";
  const char *expected[] = { "string:hello", "string:", "string:hello\r\nworld", "string:,", NULL };

  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      netstring_reset (f);
      feed_str (f->transport, input, steps[s]);
      assert_log (f->receiver->log, expected);
      g_assert_false (weft_string_transport_is_disconnecting (f->transport));
    }
}

static void
test_netstring_large (NetstringFixture *f, gconstpointer data)
{
  g_autofree char *payload = g_strnfill (99999, 'n');
  g_autofree char *input = g_strdup_printf ("99999:%s,", payload);

  for (gsize step = 0; step <= 4096; step += 4096)
    {
      netstring_reset (f);
      feed_str (f->transport, input, step);
      g_assert_cmpuint (f->receiver->log->len, ==, 1);
      g_assert_cmpuint (strlen (f->receiver->log->pdata[0]), ==, strlen ("string:") + 99999);
    }
}

static void
test_netstring_waits_for_comma (NetstringFixture *f, gconstpointer data)
{
  weft_string_transport_receive (f->transport, "3:abc", -1);
  g_assert_cmpuint (f->receiver->log->len, ==, 0);
  weft_string_transport_receive (f->transport, ",", -1);
  g_assert_cmpuint (f->receiver->log->len, ==, 1);
}

typedef struct {
  const char *input;
  int code;
  const char *message_part;
  guint n_good; /* strings delivered before the bad one */
} BadNetstring;

static const BadNetstring bad_netstrings[] = {
  { "3:abc,x:abc,", G_IO_ERROR_INVALID_DATA, "got byte 0x78", 1 },
  { "3:abc;", G_IO_ERROR_INVALID_DATA, "expected ',' after 3 bytes", 0 },
  { "2:ok,3:abcd,", G_IO_ERROR_INVALID_DATA, "expected ',' after 3 bytes of data, got byte 0x64", 1 },
  { "01:a,", G_IO_ERROR_INVALID_DATA, "leading zero", 0 },
  { ":abc,", G_IO_ERROR_INVALID_DATA, "length is missing", 0 },
  { "-1:a,", G_IO_ERROR_INVALID_DATA, "got byte 0x2d", 0 },
  { " 1:a,", G_IO_ERROR_INVALID_DATA, "got byte 0x20", 0 },
  { "2:ok,100000:", G_IO_ERROR_MESSAGE_TOO_LARGE, "limit of 99999 bytes", 1 },
};

static void
test_netstring_malformed (NetstringFixture *f, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_netstrings); i++)
    for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
      {
        const BadNetstring *bad = &bad_netstrings[i];
        const GError *reason;

        netstring_reset (f);
        feed_str (f->transport, bad->input, steps[s]);
        /* After the error, nothing more is parsed. */
        weft_string_transport_receive (f->transport, "1:z,", -1);

        g_test_message ("input %s, step %zu", bad->input, steps[s]);
        g_assert_cmpuint (f->receiver->log->len, ==, bad->n_good);
        g_assert_true (weft_string_transport_is_disconnecting (f->transport));
        reason = weft_string_transport_get_close_reason (f->transport);
        g_assert_error (reason, G_IO_ERROR, bad->code);
        g_assert_nonnull (strstr (reason->message, bad->message_part));
      }
}

static void
test_netstring_huge_length_stops_early (NetstringFixture *f, gconstpointer data)
{
  weft_netstring_receiver_set_max_length (WEFT_NETSTRING_RECEIVER (f->receiver), 10);
  /* "11" is already over the limit: the error comes at the second digit,
   * long before any colon. */
  weft_string_transport_receive (f->transport, "1", -1);
  g_assert_false (weft_string_transport_is_disconnecting (f->transport));
  weft_string_transport_receive (f->transport, "1", -1);
  g_assert_true (weft_string_transport_is_disconnecting (f->transport));
  g_assert_error (weft_string_transport_get_close_reason (f->transport), G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);

  /* A length with more digits than any gsize is refused too. */
  netstring_reset (f);
  weft_netstring_receiver_set_max_length (WEFT_NETSTRING_RECEIVER (f->receiver), G_MAXSIZE - 1);
  feed_str (f->transport, "99999999999999999999999999999999999999:", 1);
  g_assert_error (weft_string_transport_get_close_reason (f->transport), G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
}

static void
test_netstring_exact_max_length (NetstringFixture *f, gconstpointer data)
{
  const char *expected[] = { "string:0123456789", NULL };

  weft_netstring_receiver_set_max_length (WEFT_NETSTRING_RECEIVER (f->receiver), 10);
  weft_string_transport_receive (f->transport, "10:0123456789,", -1);
  assert_log (f->receiver->log, expected);
  g_assert_false (weft_string_transport_is_disconnecting (f->transport));
}

static void
test_netstring_reentrant_input (NetstringFixture *f, gconstpointer data)
{
  const char *expected[] = { "string:again", "string:after", "string:nested", NULL };

  /* Input that arrives while a string is handled is parsed after the
   * input already received. */
  f->receiver->reenter = TRUE;
  weft_string_transport_receive (f->transport, "5:again,5:after,", -1);
  assert_log (f->receiver->log, expected);
}

static void
test_netstring_send (NetstringFixture *f, gconstpointer data)
{
  WeftNetstringReceiver *receiver = WEFT_NETSTRING_RECEIVER (f->receiver);

  weft_netstring_receiver_send_string (receiver, (const guint8 *) "hello", 5);
  weft_netstring_receiver_send_string (receiver, NULL, 0);
  g_assert_cmpstr (weft_string_transport_peek_string (f->transport, NULL), ==, "5:hello,0:,");
}

/* ------------------------------------------------------------------ */
/* Length-prefixed messages                                             */

#define TEST_TYPE_PREFIXED (test_prefixed_get_type ())
G_DECLARE_FINAL_TYPE (TestPrefixed, test_prefixed, TEST, PREFIXED, WeftLengthPrefixedReceiver)

struct _TestPrefixed {
  WeftLengthPrefixedReceiver parent_instance;
  GPtrArray *log;
  gboolean override_limit;
};

G_DEFINE_FINAL_TYPE (TestPrefixed, test_prefixed, WEFT_TYPE_LENGTH_PREFIXED_RECEIVER)

static void
test_prefixed_string_received (WeftLengthPrefixedReceiver *receiver, const guint8 *data, gsize len)
{
  log_event (TEST_PREFIXED (receiver)->log, "string", data, len);
}

static void
test_prefixed_length_limit_exceeded (WeftLengthPrefixedReceiver *receiver, gsize length)
{
  TestPrefixed *self = TEST_PREFIXED (receiver);

  g_ptr_array_add (self->log, g_strdup_printf ("exceeded:%zu", length));
  if (!self->override_limit)
    WEFT_LENGTH_PREFIXED_RECEIVER_CLASS (test_prefixed_parent_class)->length_limit_exceeded (receiver, length);
}

static void
test_prefixed_finalize (GObject *object)
{
  g_ptr_array_unref (TEST_PREFIXED (object)->log);
  G_OBJECT_CLASS (test_prefixed_parent_class)->finalize (object);
}

static void
test_prefixed_class_init (TestPrefixedClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_prefixed_finalize;
  WEFT_LENGTH_PREFIXED_RECEIVER_CLASS (klass)->string_received = test_prefixed_string_received;
  WEFT_LENGTH_PREFIXED_RECEIVER_CLASS (klass)->length_limit_exceeded = test_prefixed_length_limit_exceeded;
}

static void
test_prefixed_init (TestPrefixed *self)
{
  self->log = g_ptr_array_new_with_free_func (g_free);
}

typedef struct {
  WeftStringTransport *transport;
  TestPrefixed *receiver;
} PrefixedFixture;

static void
prefixed_start (PrefixedFixture *f, guint prefix_size)
{
  g_clear_object (&f->receiver);
  g_clear_object (&f->transport);
  f->receiver = g_object_new (TEST_TYPE_PREFIXED, "prefix-size", prefix_size, NULL);
  f->transport = weft_string_transport_new ();
  weft_string_transport_connect (f->transport, WEFT_PROTOCOL (f->receiver));
}

static void
prefixed_setup (PrefixedFixture *f, gconstpointer data)
{
  prefixed_start (f, 4);
}

static void
prefixed_teardown (PrefixedFixture *f, gconstpointer data)
{
  g_clear_object (&f->receiver);
  g_clear_object (&f->transport);
}

/* Appends @len bytes of @data with a big-endian prefix of @size bytes. */
static void
append_prefixed (GByteArray *out, guint size, const char *data, gsize len)
{
  for (guint i = 0; i < size; i++)
    {
      guint8 byte = (guint8) (len >> (8 * (size - 1 - i)));

      g_byte_array_append (out, &byte, 1);
    }
  g_byte_array_append (out, (const guint8 *) data, len);
}

static void
test_prefixed_sizes (PrefixedFixture *f, gconstpointer data)
{
  static const guint sizes[] = { 1, 2, 4 };
  g_autofree char *big = g_strnfill (300, 'b');
  g_autofree char *expected_big = g_strconcat ("string:", big, NULL);

  for (gsize z = 0; z < G_N_ELEMENTS (sizes); z++)
    for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
      {
        g_autoptr (GByteArray) input = g_byte_array_new ();
        gboolean with_big = sizes[z] > 1;
        const char *expected[] = { "string:hello", "string:", "string:a@b", with_big ? expected_big : NULL, NULL };

        prefixed_start (f, sizes[z]);
        g_assert_cmpuint (weft_length_prefixed_receiver_get_prefix_size (WEFT_LENGTH_PREFIXED_RECEIVER (f->receiver)),
                          ==, sizes[z]);
        append_prefixed (input, sizes[z], "hello", 5);
        append_prefixed (input, sizes[z], "", 0);
        append_prefixed (input, sizes[z], "a\0b", 3);
        if (with_big)
          append_prefixed (input, sizes[z], big, 300);
        feed (f->transport, (const char *) input->data, input->len, steps[s]);
        assert_log (f->receiver->log, expected);
        g_assert_false (weft_string_transport_is_disconnecting (f->transport));
      }
}

static void
test_prefixed_empty_message_last (PrefixedFixture *f, gconstpointer data)
{
  const char *expected[] = { "string:", NULL };

  /* An empty message is delivered as soon as its prefix is complete. */
  weft_string_transport_receive (f->transport, "\0\0\0\0", 4);
  assert_log (f->receiver->log, expected);
}

static void
test_prefixed_max_length (PrefixedFixture *f, gconstpointer data)
{
  g_autoptr (GByteArray) input = g_byte_array_new ();
  const char *expected[] = { "string:0123456789", "exceeded:11", NULL };
  const GError *reason;

  weft_length_prefixed_receiver_set_max_length (WEFT_LENGTH_PREFIXED_RECEIVER (f->receiver), 10);
  g_assert_cmpuint (weft_length_prefixed_receiver_get_max_length (WEFT_LENGTH_PREFIXED_RECEIVER (f->receiver)), ==, 10);
  append_prefixed (input, 4, "0123456789", 10);
  append_prefixed (input, 4, "0123456789A", 11);
  append_prefixed (input, 4, "ok", 2);
  feed (f->transport, (const char *) input->data, input->len, 0);
  assert_log (f->receiver->log, expected);

  g_assert_true (weft_string_transport_is_disconnecting (f->transport));
  reason = weft_string_transport_get_close_reason (f->transport);
  g_assert_error (reason, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (reason->message, "11 bytes"));
  g_assert_nonnull (strstr (reason->message, "limit of 10 bytes"));
}

static void
test_prefixed_huge_prefix_no_allocation (PrefixedFixture *f, gconstpointer data)
{
  /* A prefix announcing 4 GiB is refused before a byte of it arrives. */
  weft_string_transport_receive (f->transport, "\xff\xff\xff\xff", 4);
  g_assert_cmpuint (f->receiver->log->len, ==, 1);
  g_assert_cmpstr (f->receiver->log->pdata[0], ==, "exceeded:4294967295");
  g_assert_error (weft_string_transport_get_close_reason (f->transport), G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
}

static void
test_prefixed_limit_overridden (PrefixedFixture *f, gconstpointer data)
{
  g_autoptr (GByteArray) input = g_byte_array_new ();
  const char *expected[] = { "string:a", "exceeded:6", "string:b", NULL };

  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      prefixed_start (f, 2);
      f->receiver->override_limit = TRUE;
      weft_length_prefixed_receiver_set_max_length (WEFT_LENGTH_PREFIXED_RECEIVER (f->receiver), 5);
      g_byte_array_set_size (input, 0);
      append_prefixed (input, 2, "a", 1);
      append_prefixed (input, 2, "toolong", 6);
      append_prefixed (input, 2, "b", 1);
      feed (f->transport, (const char *) input->data, input->len, steps[s]);
      assert_log (f->receiver->log, expected);
      g_assert_false (weft_string_transport_is_disconnecting (f->transport));
    }
}

static void
test_prefixed_send (PrefixedFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *max8 = g_strnfill (255, 'm');
  g_autofree char *over8 = g_strnfill (256, 'o');
  g_autofree char *over16 = g_strnfill (65536, 'p');
  gsize len;
  const char *written;

  prefixed_start (f, 1);
  g_assert_true (weft_length_prefixed_receiver_send_string (WEFT_LENGTH_PREFIXED_RECEIVER (f->receiver),
                                                            (const guint8 *) max8, 255, &error));
  g_assert_no_error (error);
  written = weft_string_transport_peek_string (f->transport, &len);
  g_assert_cmpuint (len, ==, 256);
  g_assert_cmpuint ((guint8) written[0], ==, 255);

  weft_string_transport_clear (f->transport);
  g_assert_false (weft_length_prefixed_receiver_send_string (WEFT_LENGTH_PREFIXED_RECEIVER (f->receiver),
                                                             (const guint8 *) over8, 256, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "256 bytes"));
  g_assert_nonnull (strstr (error->message, "1-byte"));
  g_assert_nonnull (strstr (error->message, "255 bytes"));
  g_clear_error (&error);
  weft_string_transport_peek_string (f->transport, &len);
  g_assert_cmpuint (len, ==, 0);

  prefixed_start (f, 2);
  g_assert_false (weft_length_prefixed_receiver_send_string (WEFT_LENGTH_PREFIXED_RECEIVER (f->receiver),
                                                             (const guint8 *) over16, 65536, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "65535 bytes"));
  g_clear_error (&error);

  prefixed_start (f, 4);
  g_assert_true (weft_length_prefixed_receiver_send_string (WEFT_LENGTH_PREFIXED_RECEIVER (f->receiver),
                                                            (const guint8 *) "hi", 2, NULL));
  written = weft_string_transport_peek_string (f->transport, &len);
  g_assert_cmpmem (written, len, "\0\0\0\2hi", 6);
}

static void
test_prefixed_roundtrip (void)
{
  g_autoptr (TestPrefixed) client = g_object_new (TEST_TYPE_PREFIXED, "prefix-size", 2, NULL);
  g_autoptr (TestPrefixed) server = g_object_new (TEST_TYPE_PREFIXED, "prefix-size", 2, NULL);
  g_autoptr (WeftLoopback) loopback = weft_loopback_connect (WEFT_PROTOCOL (client), WEFT_PROTOCOL (server));
  g_autofree char *big = g_strnfill (70000, 'r');
  const char *expected[] = { "string:one", "string:two", NULL };
  const char *expected_client[] = { "string:back", NULL };

  weft_length_prefixed_receiver_set_max_length (WEFT_LENGTH_PREFIXED_RECEIVER (server), 70000);
  g_assert_true (weft_length_prefixed_receiver_send_string (WEFT_LENGTH_PREFIXED_RECEIVER (client),
                                                            (const guint8 *) "one", 3, NULL));
  g_assert_true (weft_length_prefixed_receiver_send_string (WEFT_LENGTH_PREFIXED_RECEIVER (client),
                                                            (const guint8 *) "two", 3, NULL));
  g_assert_false (weft_length_prefixed_receiver_send_string (WEFT_LENGTH_PREFIXED_RECEIVER (client),
                                                             (const guint8 *) big, 70000, NULL));
  g_assert_true (weft_length_prefixed_receiver_send_string (WEFT_LENGTH_PREFIXED_RECEIVER (server),
                                                            (const guint8 *) "back", 4, NULL));
  g_assert_true (weft_loopback_pump (loopback));
  assert_log (server->log, expected);
  assert_log (client->log, expected_client);
  g_assert_false (weft_loopback_pump (loopback));
}

/* ------------------------------------------------------------------ */
/* Random input                                                         */

/* Feeds @total bytes made of tokens picked at random from @tokens (a token
 * may hold NULs: each is @token_len bytes), cut into reads of random size. */
static void
feed_random (GRand *rand, WeftStringTransport *transport, const char *const *tokens, gsize token_len, gsize total)
{
  g_autoptr (GByteArray) stream = g_byte_array_new ();
  guint n_tokens = g_strv_length ((char **) tokens);

  while (stream->len < total)
    {
      const char *token = tokens[g_rand_int_range (rand, 0, n_tokens)];

      g_byte_array_append (stream, (const guint8 *) token, token_len != 0 ? token_len : strlen (token));
    }
  for (gsize offset = 0; offset < stream->len;)
    {
      gsize n = g_rand_int_range (rand, 1, 513);

      n = MIN (n, stream->len - offset);
      weft_string_transport_receive (transport, stream->data + offset, n);
      offset += n;
    }
}

static void
test_random_input_stays_bounded (void)
{
  static const char *const crlf_tokens[] = { "a", "bb", "\r", "\n", "\r\n", "0123456789abcdef", NULL };
  static const char *const end_tokens[] = { "a", "<", "<E", "<EN", "<END", "<END>", "0123456789abcdef", NULL };
  static const char *const netstring_tokens[] = { "0", "1", "9", ":", ",", "3:abc,", "12:", NULL };
  static const char *const prefix_tokens[] = { "\x00", "\x01", "\x02", "\x10", "\x7f", "\xff", NULL };
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240229);
  guint n_lines = 0, n_strings = 0;

  /* Lines: whatever arrives, at most the limit plus a partial delimiter
   * stays buffered, and every line delivered is within the limit. */
  for (int round = 0; round < 20; round++)
    {
      g_autoptr (TestLines) lines = g_object_new (TEST_TYPE_LINES, NULL);
      g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
      g_autoptr (GBytes) rest = NULL;

      lines->override_exceeded = TRUE;
      weft_line_receiver_set_max_line_length (WEFT_LINE_RECEIVER (lines), 64);
      weft_line_receiver_set_delimiter (WEFT_LINE_RECEIVER (lines), round % 2 ? "\r\n" : "<END>");
      weft_string_transport_connect (transport, WEFT_PROTOCOL (lines));
      feed_random (rand, transport, round % 2 ? crlf_tokens : end_tokens, 0, 20000);
      for (guint i = 0; i < lines->log->len; i++)
        if (g_str_has_prefix (lines->log->pdata[i], "line:"))
          {
            g_assert_cmpuint (strlen (lines->log->pdata[i]), <=, strlen ("line:") + 64);
            n_lines++;
          }
      g_assert_false (weft_string_transport_is_disconnecting (transport));
      rest = weft_line_receiver_clear_line_buffer (WEFT_LINE_RECEIVER (lines));
      g_assert_cmpuint (g_bytes_get_size (rest), <=,
                        64 + strlen (weft_line_receiver_get_delimiter (WEFT_LINE_RECEIVER (lines))) - 1);
    }

  /* Netstrings: random input ends in an error and a close, never a crash. */
  for (int round = 0; round < 20; round++)
    {
      g_autoptr (TestNetstrings) receiver = g_object_new (TEST_TYPE_NETSTRINGS, NULL);
      g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();

      /* A small limit, so that no length can swallow the rest of the input. */
      weft_netstring_receiver_set_max_length (WEFT_NETSTRING_RECEIVER (receiver), 50);
      weft_string_transport_connect (transport, WEFT_PROTOCOL (receiver));
      feed_random (rand, transport, netstring_tokens, 0, 5000);
      g_assert_true (weft_string_transport_is_disconnecting (transport));
      g_assert_nonnull (weft_string_transport_get_close_reason (transport));
    }

  /* Length prefixes: every message delivered is within the limit. */
  for (int round = 0; round < 20; round++)
    {
      g_autoptr (TestPrefixed) receiver = g_object_new (TEST_TYPE_PREFIXED, "prefix-size", 1 << (round % 3), NULL);
      g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();

      receiver->override_limit = TRUE;
      weft_length_prefixed_receiver_set_max_length (WEFT_LENGTH_PREFIXED_RECEIVER (receiver), 100);
      weft_string_transport_connect (transport, WEFT_PROTOCOL (receiver));
      feed_random (rand, transport, prefix_tokens, 1, 20000);
      for (guint i = 0; i < receiver->log->len; i++)
        if (g_str_has_prefix (receiver->log->pdata[i], "string:"))
          {
            g_assert_cmpuint (strlen (receiver->log->pdata[i]), <=, strlen ("string:") + 100);
            n_strings++;
          }
    }

  /* The inputs were not all garbage: messages got through. */
  g_assert_cmpuint (n_lines, >, 1000);
  g_assert_cmpuint (n_strings, >, 1000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define LINES_TEST(path, func) \
  g_test_add ("/protocol/line-receiver/" path, LinesFixture, NULL, lines_setup, func, lines_teardown)
  LINES_TEST ("many-at-once", test_line_many_at_once);
  LINES_TEST ("one-byte-at-a-time", test_line_one_byte_at_a_time);
  LINES_TEST ("custom-delimiter", test_line_custom_delimiter);
  LINES_TEST ("single-byte-delimiter", test_line_single_byte_delimiter);
  LINES_TEST ("embedded-nul", test_line_embedded_nul);
  LINES_TEST ("exactly-max-length", test_line_exactly_max_length);
  LINES_TEST ("too-long", test_line_too_long);
  LINES_TEST ("too-long-partial", test_line_too_long_partial);
  LINES_TEST ("too-long-default-limit", test_line_too_long_default_limit);
  LINES_TEST ("too-long-overridden", test_line_too_long_overridden);
  LINES_TEST ("raw-mode-from-line-received", test_line_raw_mode_from_line_received);
  LINES_TEST ("raw-and-back-twice", test_line_raw_and_back_twice);
  LINES_TEST ("raw-mode-outside-callbacks", test_line_raw_mode_outside_callbacks);
  LINES_TEST ("line-mode-extra-comes-first", test_line_set_line_mode_keeps_buffered_order);
  LINES_TEST ("pause-resume", test_line_pause_resume);
  LINES_TEST ("pause-in-raw-mode", test_line_pause_in_raw_mode);
  LINES_TEST ("stops-after-lose-connection", test_line_stops_after_lose_connection);
  LINES_TEST ("send-line", test_line_send_line);
#undef LINES_TEST

#define NETSTRING_TEST(path, func) \
  g_test_add ("/protocol/netstring/" path, NetstringFixture, NULL, netstring_setup, func, netstring_teardown)
  NETSTRING_TEST ("valid", test_netstring_valid);
  NETSTRING_TEST ("large", test_netstring_large);
  NETSTRING_TEST ("waits-for-comma", test_netstring_waits_for_comma);
  NETSTRING_TEST ("malformed", test_netstring_malformed);
  NETSTRING_TEST ("huge-length-stops-early", test_netstring_huge_length_stops_early);
  NETSTRING_TEST ("exact-max-length", test_netstring_exact_max_length);
  NETSTRING_TEST ("reentrant-input", test_netstring_reentrant_input);
  NETSTRING_TEST ("send", test_netstring_send);
#undef NETSTRING_TEST

#define PREFIXED_TEST(path, func) \
  g_test_add ("/protocol/length-prefixed/" path, PrefixedFixture, NULL, prefixed_setup, func, prefixed_teardown)
  PREFIXED_TEST ("prefix-sizes", test_prefixed_sizes);
  PREFIXED_TEST ("empty-message-last", test_prefixed_empty_message_last);
  PREFIXED_TEST ("max-length", test_prefixed_max_length);
  PREFIXED_TEST ("huge-prefix", test_prefixed_huge_prefix_no_allocation);
  PREFIXED_TEST ("limit-overridden", test_prefixed_limit_overridden);
  PREFIXED_TEST ("send", test_prefixed_send);
#undef PREFIXED_TEST
  g_test_add_func ("/protocol/length-prefixed/loopback-roundtrip", test_prefixed_roundtrip);
  g_test_add_func ("/protocol/receivers/random-input-stays-bounded", test_random_input_stays_bounded);

  return g_test_run ();
}
