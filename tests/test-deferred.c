/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* WeftDeferred: the behaviour of Twisted's test_defer.py, in C. */

#include <weft/weft.h>

#include <glib/gstdio.h>
#include <string.h>

/* What the chain saw, as "int:1 error:gio:19:... none", so a test reads as
 * one string comparison. */
typedef struct {
  GPtrArray *entries;
} Log;

static Log *
log_new (void)
{
  Log *log = g_new0 (Log, 1);

  log->entries = g_ptr_array_new_with_free_func (g_free);
  return log;
}

static void
log_free (Log *log)
{
  g_ptr_array_unref (log->entries);
  g_free (log);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Log, log_free)

static const char *
domain_name (GQuark domain)
{
  if (domain == WEFT_ERROR)
    return "weft";
  if (domain == G_IO_ERROR)
    return "gio";
  return g_quark_to_string (domain);
}

static char *
result_to_string (const WeftResult *result)
{
  GType type;

  if (weft_result_is_error (result))
    {
      const GError *error = weft_result_get_error (result);

      return g_strdup_printf ("error:%s:%d:%s", domain_name (error->domain), error->code, error->message);
    }
  if (weft_result_is_empty (result))
    return g_strdup ("none");

  type = weft_result_get_value_type (result);
  if (type == G_TYPE_INT)
    return g_strdup_printf ("int:%d", weft_result_get_int (result));
  if (type == G_TYPE_STRING)
    return g_strdup_printf ("string:%s", weft_result_get_string (result));
  if (type == G_TYPE_BOOLEAN)
    return g_strdup_printf ("boolean:%s", weft_result_get_boolean (result) ? "true" : "false");
  if (type == G_TYPE_PTR_ARRAY)
    {
      GPtrArray *results = weft_result_get_results (result);
      GString *s = g_string_new ("[");

      for (guint i = 0; i < results->len; i++)
        {
          g_autofree char *item = result_to_string (g_ptr_array_index (results, i));

          g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", item);
        }
      g_string_append (s, "]");
      return g_string_free (s, FALSE);
    }
  return g_strdup_printf ("%s:%s", g_type_name (type), g_strdup_value_contents (weft_result_get_value (result)));
}

static char *
log_join (Log *log)
{
  GString *s = g_string_new ("");

  for (guint i = 0; i < log->entries->len; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? " " : "", (char *) g_ptr_array_index (log->entries, i));
  return g_string_free (s, FALSE);
}

static void log_add (Log *log, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
log_add (Log *log, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (log->entries, g_strdup_vprintf (format, args));
  va_end (args);
}

#define assert_log(log, expected)              \
  G_STMT_START                                 \
  {                                            \
    g_autofree char *joined_ = log_join (log); \
    g_assert_cmpstr (joined_, ==, (expected)); \
  }                                            \
  G_STMT_END

/* Records the result and passes it on. */
static WeftDeferred *
record (WeftResult *result, gpointer user_data)
{
  g_ptr_array_add (((Log *) user_data)->entries, result_to_string (result));
  return NULL;
}

/* Records the result and recovers from an error with an empty result. */
static WeftDeferred *
record_and_recover (WeftResult *result, gpointer user_data)
{
  record (result, user_data);
  weft_result_clear (result);
  return NULL;
}

static WeftDeferred *
add_ten (WeftResult *result, gpointer user_data)
{
  weft_result_set_int (result, weft_result_get_int (result) + 10);
  return NULL;
}

static WeftDeferred *
fail_with_message (WeftResult *result, gpointer user_data)
{
  weft_result_set_error_literal (result, G_IO_ERROR, G_IO_ERROR_FAILED, user_data);
  return NULL;
}

/* Returns the deferred given as data (a new reference): the chain waits. */
static WeftDeferred *
return_deferred (WeftResult *result, gpointer user_data)
{
  return g_object_ref (user_data);
}

static char *
peek (WeftDeferred *deferred)
{
  const WeftResult *result = weft_deferred_peek_result (deferred);

  return result != NULL ? result_to_string (result) : g_strdup ("(no result)");
}

#define assert_result(deferred, expected)       \
  G_STMT_START                                  \
  {                                             \
    g_autofree char *peeked_ = peek (deferred); \
    g_assert_cmpstr (peeked_, ==, (expected));  \
  }                                             \
  G_STMT_END

static WeftDeferred *
clear_result (WeftResult *result, gpointer user_data)
{
  weft_result_clear (result);
  return NULL;
}

/* Consumes whatever error the deferred ends with, so it is not reported. */
static void
swallow (WeftDeferred *deferred)
{
  weft_deferred_add_errback (deferred, clear_result, NULL, NULL);
}

static void
count_call (gpointer data)
{
  (*(int *) data)++;
}

static void
fail_on_unhandled (const char *description, const GError *error, gpointer user_data)
{
  g_test_fail_printf ("unhandled error in %s: %s", description, error->message);
}

static WeftReactor *
new_reactor (void)
{
  g_autoptr (GError) error = NULL;
  WeftReactor *reactor = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NONE, &error);

  g_assert_no_error (error);
  return reactor;
}

static void
iterate_until (WeftReactor *reactor, gboolean *done)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!*done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      weft_reactor_iterate (reactor, TRUE);
    }
}

static WeftDeferred *
set_flag (WeftResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return NULL;
}

/* /deferred/callback */

static void
test_callback_value (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_add_callback (d, record, log, NULL);
  g_assert_false (weft_deferred_has_fired (d));
  g_assert_cmpuint (log->entries->len, ==, 0);

  weft_deferred_callback_string (d, "hello");
  g_assert_true (weft_deferred_has_fired (d));
  assert_log (log, "string:hello");
  assert_result (d, "string:hello");
}

static void
test_callback_two_callbacks (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_add_callback (d, record, log, NULL);
  weft_deferred_add_callback (d, record, log, NULL);
  weft_deferred_callback_int (d, 7);
  assert_log (log, "int:7 int:7");
}

static void
test_callback_typed_values (void)
{
  g_autoptr (GObject) object = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr (GBytes) bytes = g_bytes_new_static ("abc", 3);
  GValue value = G_VALUE_INIT;
  int target = 0;
  WeftDeferred *d;

  d = weft_deferred_new ();
  weft_deferred_callback_boolean (d, TRUE);
  g_assert_true (weft_result_get_boolean (weft_deferred_peek_result (d)));
  g_object_unref (d);

  d = weft_deferred_new ();
  weft_deferred_callback_uint (d, 4000000000u);
  g_assert_cmpuint (weft_result_get_uint (weft_deferred_peek_result (d)), ==, 4000000000u);
  g_object_unref (d);

  d = weft_deferred_new ();
  weft_deferred_callback_int64 (d, G_GINT64_CONSTANT (1) << 40);
  g_assert_cmpint (weft_result_get_int64 (weft_deferred_peek_result (d)), ==, G_GINT64_CONSTANT (1) << 40);
  g_object_unref (d);

  d = weft_deferred_new ();
  weft_deferred_callback_double (d, 2.5);
  g_assert_cmpfloat (weft_result_get_double (weft_deferred_peek_result (d)), ==, 2.5);
  g_object_unref (d);

  d = weft_deferred_new ();
  weft_deferred_callback_take_string (d, g_strdup ("owned"));
  g_assert_cmpstr (weft_result_get_string (weft_deferred_peek_result (d)), ==, "owned");
  g_object_unref (d);

  d = weft_deferred_new ();
  weft_deferred_callback_pointer (d, &target);
  g_assert_true (weft_result_get_pointer (weft_deferred_peek_result (d)) == &target);
  g_object_unref (d);

  d = weft_deferred_new ();
  weft_deferred_callback_object (d, object);
  g_assert_true (weft_result_get_object (weft_deferred_peek_result (d)) == object);
  g_assert_true (weft_result_holds (weft_deferred_peek_result (d), G_TYPE_OBJECT));
  g_assert_cmpuint (object->ref_count, ==, 2);
  g_object_unref (d);
  g_assert_cmpuint (object->ref_count, ==, 1);

  d = weft_deferred_new ();
  weft_deferred_callback_boxed (d, G_TYPE_BYTES, bytes);
  g_assert_true (g_bytes_equal (weft_result_get_boxed (weft_deferred_peek_result (d)), bytes));
  g_object_unref (d);

  g_value_init (&value, G_TYPE_STRING);
  g_value_set_static_string (&value, "from a GValue");
  d = weft_deferred_new ();
  weft_deferred_callback_value (d, &value);
  g_value_unset (&value);
  g_assert_cmpstr (weft_result_get_string (weft_deferred_peek_result (d)), ==, "from a GValue");
  g_object_unref (d);

  d = weft_deferred_new ();
  weft_deferred_callback_none (d);
  g_assert_true (weft_result_is_empty (weft_deferred_peek_result (d)));
  g_assert_null (weft_result_get_value (weft_deferred_peek_result (d)));
  g_object_unref (d);
}

static void
test_callback_wrong_type_getter (void)
{
  g_autoptr (WeftDeferred) d = weft_deferred_succeed_int (3);

  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*weft_result_get_string*");
  g_assert_null (weft_result_get_string (weft_deferred_peek_result (d)));
  g_test_assert_expected_messages ();
}

static void
test_callback_notify_once (void)
{
  int ran = 0, skipped = 0, never = 0;
  WeftDeferred *d = weft_deferred_new ();

  /* After it ran; when it was skipped (an errback on a value); when the
   * deferred goes without ever firing. */
  weft_deferred_add_callback (d, clear_result, &ran, count_call);
  weft_deferred_add_errback (d, clear_result, &skipped, count_call);
  weft_deferred_callback_none (d);
  g_assert_cmpint (ran, ==, 1);
  g_assert_cmpint (skipped, ==, 1);
  g_object_unref (d);
  g_assert_cmpint (ran, ==, 1);

  d = weft_deferred_new ();
  weft_deferred_add_callback (d, clear_result, &never, count_call);
  g_assert_cmpint (never, ==, 0);
  g_object_unref (d);
  g_assert_cmpint (never, ==, 1);
}

/* /deferred/errback */

static void
test_errback_skips_callbacks (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_add_callback (d, add_ten, NULL, NULL);
  weft_deferred_add_callbacks (d, record, NULL, log, NULL);
  weft_deferred_errback_take_error (d, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "oopsie"));
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_add_errback (d, record_and_recover, log, NULL);
  assert_log (log, "error:gio:1:oopsie");
  assert_result (d, "none");
}

static void
test_errback_variants (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) a = weft_deferred_new ();
  g_autoptr (WeftDeferred) b = weft_deferred_new ();
  g_autoptr (WeftDeferred) c = weft_deferred_fail_literal (WEFT_ERROR, WEFT_ERROR_FAILED, "from fail");

  weft_deferred_errback_literal (a, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "literal");
  weft_deferred_errback_new (b, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "refused by %s:%d", "127.0.0.1", 6667);
  weft_deferred_add_errback (a, record_and_recover, log, NULL);
  weft_deferred_add_errback (b, record_and_recover, log, NULL);
  weft_deferred_add_errback (c, record_and_recover, log, NULL);
  assert_log (log, "error:gio:24:literal error:gio:39:refused by 127.0.0.1:6667 error:weft:0:from fail");
}

/* /deferred/chain */

static void
test_chain_replace_result (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_add_callback (d, add_ten, NULL, NULL);
  weft_deferred_add_callback (d, record, log, NULL);
  weft_deferred_add_callback (d, add_ten, NULL, NULL);
  weft_deferred_add_callback (d, record, log, NULL);
  weft_deferred_callback_int (d, 1);
  assert_log (log, "int:11 int:21");
  assert_result (d, "int:21");
}

static void
test_chain_callback_to_error (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_add_callback (d, fail_with_message, "turned bad", NULL);
  weft_deferred_add_callback (d, record, log, NULL); /* skipped */
  weft_deferred_add_errback (d, record, log, NULL);
  weft_deferred_add_errback (d, record_and_recover, log, NULL);
  weft_deferred_add_callback (d, record, log, NULL);
  weft_deferred_callback_int (d, 1);
  assert_log (log, "error:gio:0:turned bad error:gio:0:turned bad none");
}

static WeftDeferred *
recover_with_fallback (WeftResult *result, gpointer user_data)
{
  g_assert_true (weft_result_error_matches (result, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  weft_result_set_string (result, "fallback");
  return NULL;
}

static void
test_chain_errback_recovers (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_add_errback (d, recover_with_fallback, NULL, NULL);
  weft_deferred_add_callbacks (d, record, NULL, log, NULL);
  weft_deferred_errback_take_error (d, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "missing"));
  assert_log (log, "string:fallback");
}

static void
test_chain_add_both_and_finally (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) ok = weft_deferred_new ();
  g_autoptr (WeftDeferred) bad = weft_deferred_new ();
  int finally_ran = 0;

  weft_deferred_add_both (ok, record, log, NULL);
  weft_deferred_add_finally (ok, count_call, &finally_ran, NULL);
  weft_deferred_add_both (bad, record, log, NULL);
  weft_deferred_add_finally (bad, count_call, &finally_ran, NULL);
  weft_deferred_callback_int (ok, 5);
  weft_deferred_errback_literal (bad, G_IO_ERROR, G_IO_ERROR_FAILED, "bad");
  assert_log (log, "int:5 error:gio:0:bad");
  g_assert_cmpint (finally_ran, ==, 2);
  /* finally passes the result through unchanged */
  assert_result (ok, "int:5");
  assert_result (bad, "error:gio:0:bad");
  swallow (bad);
}

static void
test_chain_add_after_fire (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_succeed_string ("success");

  weft_deferred_add_callback (d, record, log, NULL);
  assert_log (log, "string:success");
}

typedef struct {
  WeftDeferred *d;
  Log *log;
} Reentrant;

static WeftDeferred *
reentrant_third (WeftResult *result, gpointer user_data)
{
  log_add (user_data, "3");
  return NULL;
}

static WeftDeferred *
reentrant_second (WeftResult *result, gpointer user_data)
{
  log_add (user_data, "2");
  return NULL;
}

static WeftDeferred *
reentrant_first (WeftResult *result, gpointer user_data)
{
  Reentrant *r = user_data;

  log_add (r->log, "1");
  weft_deferred_add_callback (r->d, reentrant_third, r->log, NULL);
  /* not run before this callback returns */
  assert_log (r->log, "1");
  return NULL;
}

static void
test_chain_reentrant_add (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();
  Reentrant r = { d, log };

  weft_deferred_add_callback (d, reentrant_first, &r, NULL);
  weft_deferred_add_callback (d, reentrant_second, log, NULL);
  weft_deferred_callback_none (d);
  assert_log (log, "1 2 3");
}

static void
test_chain_callback_returns_deferred (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d1 = weft_deferred_new ();
  g_autoptr (WeftDeferred) d2 = weft_deferred_new ();

  weft_deferred_pause (d2);
  weft_deferred_add_callback (d1, return_deferred, d2, NULL);
  weft_deferred_add_callback (d1, record, log, NULL);
  weft_deferred_callback_int (d1, 1);
  g_assert_true (weft_deferred_is_waiting (d1));
  g_assert_cmpuint (log->entries->len, ==, 0);

  weft_deferred_callback_int (d2, 2);
  g_assert_cmpuint (log->entries->len, ==, 0); /* d2 is paused */

  weft_deferred_unpause (d2);
  assert_log (log, "int:2");
  g_assert_false (weft_deferred_is_waiting (d1));
  /* the inner deferred's result moved to the outer one */
  assert_result (d2, "none");
}

static void
test_chain_errback_returns_deferred (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();
  g_autoptr (WeftDeferred) d2 = weft_deferred_new ();

  weft_deferred_add_errback (d, return_deferred, d2, NULL);
  weft_deferred_add_callback (d, record, log, NULL);
  weft_deferred_errback_literal (d, G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  g_assert_null (weft_deferred_peek_result (d));
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_callback_string (d2, "result");
  assert_log (log, "string:result");
}

static void
test_chain_synchronous_implicit (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) first = weft_deferred_succeed_string ("first's");
  g_autoptr (WeftDeferred) second = weft_deferred_new ();

  weft_deferred_add_callback (second, return_deferred, first, NULL);
  weft_deferred_callback_none (second);
  weft_deferred_add_callback (first, record, log, NULL);
  weft_deferred_add_callback (second, record, log, NULL);
  assert_log (log, "none string:first's");
}

static void
test_chain_asynchronous_implicit (void)
{
  g_autoptr (Log) first_log = log_new ();
  g_autoptr (Log) second_log = log_new ();
  g_autoptr (WeftDeferred) first = weft_deferred_new ();
  g_autoptr (WeftDeferred) second = weft_deferred_new ();

  weft_deferred_add_callback (second, return_deferred, first, NULL);
  weft_deferred_callback_none (second);
  weft_deferred_add_callback (first, record, first_log, NULL);
  weft_deferred_add_callback (second, record, second_log, NULL);
  g_assert_cmpuint (first_log->entries->len + second_log->entries->len, ==, 0);

  weft_deferred_callback_int (first, 42);
  /* the value moves to second before first's later callbacks run */
  assert_log (first_log, "none");
  assert_log (second_log, "int:42");
  assert_result (first, "none");
}

static void
test_chain_synchronous_implicit_error (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) first = weft_deferred_fail_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "first's failure");
  g_autoptr (WeftDeferred) second = weft_deferred_new ();
  guint unhandled = weft_deferred_get_unhandled_error_count ();

  weft_deferred_add_callback (second, return_deferred, first, NULL);
  weft_deferred_callback_none (second);
  weft_deferred_add_callback (first, record, log, NULL);
  weft_deferred_add_errback (second, record_and_recover, log, NULL);
  assert_log (log, "none error:gio:0:first's failure");
  g_clear_object (&first);
  g_clear_object (&second);
  g_assert_cmpuint (weft_deferred_get_unhandled_error_count (), ==, unhandled);
}

static void
test_chain_asynchronous_implicit_error (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) first = weft_deferred_new ();
  g_autoptr (WeftDeferred) second = weft_deferred_new ();

  weft_deferred_add_callback (second, return_deferred, first, NULL);
  weft_deferred_callback_none (second);
  weft_deferred_add_errback (second, record_and_recover, log, NULL);
  weft_deferred_add_callback (first, record, log, NULL);
  weft_deferred_errback_literal (first, G_IO_ERROR, G_IO_ERROR_FAILED, "late failure");
  assert_log (log, "error:gio:0:late failure none");
  assert_result (first, "none");
  assert_result (second, "none");
}

static void
test_chain_double_asynchronous (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) first = weft_deferred_new ();
  g_autoptr (WeftDeferred) second = weft_deferred_new ();
  g_autoptr (WeftDeferred) third = weft_deferred_new ();

  weft_deferred_add_callback (second, return_deferred, first, NULL);
  weft_deferred_add_callback (third, return_deferred, second, NULL);
  weft_deferred_add_callback (third, record, log, NULL);
  weft_deferred_callback_none (second);
  weft_deferred_callback_none (third);
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_callback_string (first, "transitive");
  assert_log (log, "string:transitive");
}

typedef struct {
  Log *log;
  WeftDeferred *inner;
} Nested;

static WeftDeferred *
nested_first (WeftResult *result, gpointer user_data)
{
  Nested *n = user_data;

  log_add (n->log, "first");
  return g_object_ref (n->inner);
}

static WeftDeferred *
nested_second (WeftResult *result, gpointer user_data)
{
  Nested *n = user_data;
  g_autofree char *s = result_to_string (result);

  log_add (n->log, "second(%s)", s);
  weft_result_set_string (result, "doubled");
  return NULL;
}

static WeftDeferred *
nested_cb (WeftResult *result, gpointer user_data)
{
  Nested *n = user_data;
  WeftDeferred *d = weft_deferred_succeed_string ("inner");

  log_add (n->log, "cb(%s)", weft_result_get_string (result));
  weft_deferred_add_callback (d, nested_first, n, NULL);
  weft_deferred_add_callback (d, nested_second, n, NULL);
  return d;
}

static void
test_chain_inner_callbacks_preserved (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) inner = weft_deferred_new ();
  g_autoptr (WeftDeferred) outer = weft_deferred_succeed_string ("outer");
  Nested n = { log, inner };

  weft_deferred_add_callback (outer, nested_cb, &n, NULL);
  weft_deferred_callback_string (inner, "orange");
  weft_deferred_add_callback (outer, record, log, NULL);
  assert_log (log, "cb(outer) first second(string:orange) string:doubled");
}

static void
test_chain_callback_order_preserved (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) inner = weft_deferred_new ();
  g_autoptr (WeftDeferred) outer = weft_deferred_new ();
  Nested n = { log, inner };

  weft_deferred_add_callback (outer, nested_cb, &n, NULL);
  weft_deferred_add_callback (outer, record, log, NULL);
  weft_deferred_callback_string (outer, "outer");
  assert_log (log, "cb(outer) first");
  weft_deferred_callback_string (inner, "withers");
  assert_log (log, "cb(outer) first second(string:withers) string:doubled");
}

static void
test_chain_paused_with_result (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) paused = weft_deferred_succeed_string ("expected");
  g_autoptr (WeftDeferred) chained = weft_deferred_new ();

  weft_deferred_pause (paused);
  weft_deferred_add_callback (chained, return_deferred, paused, NULL);
  weft_deferred_callback_none (chained);
  weft_deferred_add_callback (chained, record, log, NULL);
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_unpause (paused);
  assert_log (log, "string:expected");
}

static void
test_chain_paused_deferred_chained (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) first = weft_deferred_new ();
  g_autoptr (WeftDeferred) second = weft_deferred_new ();

  weft_deferred_add_callback (first, return_deferred, second, NULL);
  weft_deferred_callback_none (first);
  weft_deferred_pause (first);
  weft_deferred_callback_none (second);
  /* a paused deferred up the chain does not block the inner one */
  weft_deferred_add_callback (second, record, log, NULL);
  assert_log (log, "none");
  weft_deferred_add_callback (first, record, log, NULL);
  assert_log (log, "none");
  weft_deferred_unpause (first);
  assert_log (log, "none none");
}

static WeftDeferred *
return_self (WeftResult *result, gpointer user_data)
{
  return g_object_ref (user_data);
}

static void
test_chain_returns_self (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_set_description (d, "loop-maker");
  weft_deferred_add_callback (d, return_self, d, NULL);
  weft_deferred_add_callback (d, record, log, NULL);
  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*loop-maker returned the deferred it is attached to*");
  weft_deferred_callback_int (d, 3);
  g_test_assert_expected_messages ();
  assert_log (log, "int:3");
}

static void
test_chain_explicit (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) a = weft_deferred_new ();
  g_autoptr (WeftDeferred) b = weft_deferred_new ();

  weft_deferred_add_callback (b, record, log, NULL);
  weft_deferred_chain (a, b);
  weft_deferred_add_callback (a, record, log, NULL);
  weft_deferred_callback_int (a, 9);
  assert_log (log, "int:9 none");
  g_assert_true (weft_deferred_has_fired (b));
}

/* /deferred/deep: chains are run without recursion */

#define DEEP 100000

static WeftDeferred *
increment (WeftResult *result, gpointer user_data)
{
  weft_result_set_int (result, weft_result_get_int (result) + 1);
  return NULL;
}

static void
test_deep_long_chain (void)
{
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  for (int i = 0; i < DEEP; i++)
    weft_deferred_add_callback (d, increment, NULL, NULL);
  weft_deferred_callback_int (d, 0);
  g_assert_cmpint (weft_result_get_int (weft_deferred_peek_result (d)), ==, DEEP);
}

static WeftDeferred *
increment_via_fired (WeftResult *result, gpointer user_data)
{
  return weft_deferred_succeed_int (weft_result_get_int (result) + 1);
}

static void
test_deep_nested_fired (void)
{
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  for (int i = 0; i < DEEP; i++)
    weft_deferred_add_callback (d, increment_via_fired, NULL, NULL);
  weft_deferred_callback_int (d, 0);
  g_assert_cmpint (weft_result_get_int (weft_deferred_peek_result (d)), ==, DEEP);
}

/* Each callback returns a deferred that fires later: one long sequence. */
static WeftDeferred *
increment_later (WeftResult *result, gpointer user_data)
{
  GQueue *pending = user_data;
  WeftDeferred *next = weft_deferred_new ();

  weft_result_set_int (result, weft_result_get_int (result) + 1);
  g_queue_push_tail (pending, g_object_ref (next));
  g_queue_push_tail (pending, GINT_TO_POINTER (weft_result_get_int (result)));
  return next;
}

static void
test_deep_sequential_pending (void)
{
  g_autoptr (WeftDeferred) d = weft_deferred_new ();
  GQueue pending = G_QUEUE_INIT;
  WeftDeferred *next;

  for (int i = 0; i < DEEP; i++)
    weft_deferred_add_callback (d, increment_later, &pending, NULL);
  weft_deferred_callback_int (d, 0);
  while ((next = g_queue_pop_head (&pending)) != NULL)
    {
      weft_deferred_callback_int (next, GPOINTER_TO_INT (g_queue_pop_head (&pending)));
      g_object_unref (next);
    }
  g_assert_cmpint (weft_result_get_int (weft_deferred_peek_result (d)), ==, DEEP);
}

/* Twisted's test_boundedStackDepth: top waits on inner[0], which waits on
 * inner[1] ... each inner fired in turn; the last one resumes them all. */
static void
test_deep_nested_pending (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) top = weft_deferred_new ();
  g_autoptr (WeftDeferred) last = weft_deferred_new ();
  g_autoptr (GPtrArray) inners = g_ptr_array_new_with_free_func (g_object_unref);

  for (int i = 0; i < DEEP; i++)
    g_ptr_array_add (inners, weft_deferred_new ());
  weft_deferred_add_callback (top, return_deferred, inners->pdata[0], NULL);
  weft_deferred_add_callback (top, record, log, NULL);
  for (int i = 0; i < DEEP - 1; i++)
    weft_deferred_add_callback (inners->pdata[i], return_deferred, inners->pdata[i + 1], NULL);
  weft_deferred_add_callback (inners->pdata[DEEP - 1], return_deferred, last, NULL);

  weft_deferred_callback_none (top);
  for (int i = 0; i < DEEP; i++)
    weft_deferred_callback_none (inners->pdata[i]);
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_callback_string (last, "bottom");
  assert_log (log, "string:bottom");
}

/* Dropping such a nest without ever firing it must not recurse either. */
static void
test_deep_nested_dropped (void)
{
  int notified = 0;
  WeftDeferred *innermost = weft_deferred_new ();
  WeftDeferred *outer = innermost;

  weft_deferred_add_callback (innermost, clear_result, &notified, count_call);
  for (int i = 0; i < DEEP; i++)
    {
      WeftDeferred *d = weft_deferred_new ();

      weft_deferred_add_callback (d, return_deferred, outer, NULL);
      weft_deferred_callback_none (d);
      g_assert_true (weft_deferred_is_waiting (d));
      if (outer != innermost)
        g_object_unref (outer);
      outer = d;
    }
  g_object_unref (outer);
  /* now only innermost's continuation keeps the nest alive */
  g_object_unref (innermost);
  g_assert_cmpint (notified, ==, 1);
}

static void
test_deep_explicit_chain (void)
{
  g_autoptr (GPtrArray) ds = g_ptr_array_new_with_free_func (g_object_unref);

  for (int i = 0; i < DEEP; i++)
    g_ptr_array_add (ds, weft_deferred_new ());
  for (int i = 0; i < DEEP - 1; i++)
    weft_deferred_chain (ds->pdata[i], ds->pdata[i + 1]);
  weft_deferred_callback_int (ds->pdata[0], 77);
  assert_result (ds->pdata[DEEP - 1], "int:77");
}

static void
test_deep_cancel_nested (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (GPtrArray) ds = g_ptr_array_new_with_free_func (g_object_unref);

  for (int i = 0; i <= DEEP; i++)
    g_ptr_array_add (ds, weft_deferred_new ());
  for (int i = 0; i < DEEP; i++)
    weft_deferred_add_callback (ds->pdata[i], return_deferred, ds->pdata[i + 1], NULL);
  weft_deferred_add_errback (ds->pdata[0], record_and_recover, log, NULL);
  for (int i = 0; i < DEEP; i++)
    weft_deferred_callback_none (ds->pdata[i]);
  g_assert_true (weft_deferred_is_waiting (ds->pdata[0]));
  weft_deferred_cancel (ds->pdata[0]);
  assert_log (log, "error:gio:19:The operation was cancelled");
}

/* /deferred/pause */

static void
test_pause_paused_failure (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_fail_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "fail");

  weft_deferred_pause (d);
  g_assert_true (weft_deferred_is_paused (d));
  weft_deferred_add_errback (d, record_and_recover, log, NULL);
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_unpause (d);
  assert_log (log, "error:gio:0:fail");
}

static void
test_pause_nested (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_pause (d);
  weft_deferred_pause (d);
  weft_deferred_add_callback (d, record, log, NULL);
  weft_deferred_callback_int (d, 1);
  weft_deferred_unpause (d);
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_unpause (d);
  assert_log (log, "int:1");
}

static void
test_pause_unpause_before_callback (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_pause (d);
  weft_deferred_add_callback (d, record, log, NULL);
  weft_deferred_unpause (d);
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_callback_int (d, 2);
  assert_log (log, "int:2");
}

/* /deferred/already-called */

static void
test_already_called_callback_twice (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_set_description (d, "fetch http://example.org/");
  weft_deferred_add_both (d, record, log, NULL);
  weft_deferred_callback_int (d, 1);
  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL,
                         "weft_deferred_callback_int: fetch http://example.org/ has already fired*");
  weft_deferred_callback_int (d, 2);
  g_test_assert_expected_messages ();
  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL,
                         "weft_deferred_errback_literal: fetch http://example.org/ has already fired*");
  weft_deferred_errback_literal (d, G_IO_ERROR, G_IO_ERROR_FAILED, "dropped"); /* freed, not leaked */
  g_test_assert_expected_messages ();
  assert_log (log, "int:1");
  assert_result (d, "int:1");
}

static void
test_already_called_subprocess (void)
{
  if (g_test_subprocess ())
    {
      WeftDeferred *d = weft_deferred_new ();

      weft_deferred_set_description (d, "login");
      weft_deferred_callback_none (d);
      weft_deferred_callback_none (d);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*weft_deferred_callback_none: login has already fired*");
}

/* /deferred/cancel */

static void
test_cancel_no_canceller (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_set_description (d, "resolve example.org");
  weft_deferred_add_both (d, record_and_recover, log, NULL);
  weft_deferred_cancel (d);
  assert_log (log, "error:gio:19:resolve example.org was cancelled");
}

static void
test_cancel_late_result_dropped (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) a = weft_deferred_new ();
  g_autoptr (WeftDeferred) b = weft_deferred_new ();

  weft_deferred_add_both (a, record_and_recover, log, NULL);
  weft_deferred_add_both (b, record_and_recover, log, NULL);
  weft_deferred_cancel (a);
  weft_deferred_cancel (b);
  /* the operations finish anyway: silently dropped, no critical */
  weft_deferred_callback_string (a, "late");
  weft_deferred_errback_literal (b, G_IO_ERROR, G_IO_ERROR_CANCELLED, "late error");
  assert_log (log, "error:gio:19:The operation was cancelled error:gio:19:The operation was cancelled");
}

static void
test_cancel_multiple_cancels (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_add_both (d, record_and_recover, log, NULL);
  weft_deferred_cancel (d);
  weft_deferred_cancel (d);
  weft_deferred_callback_none (d);
  assert_log (log, "error:gio:19:The operation was cancelled");
  /* only one late result is expected */
  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*has already fired*");
  weft_deferred_callback_none (d);
  g_test_assert_expected_messages ();
}

typedef struct {
  int calls;
  WeftDeferred *seen;
  const char *fire_with;
  gboolean errback;
} Canceller;

static void
canceller (WeftDeferred *d, gpointer user_data)
{
  Canceller *c = user_data;

  c->calls++;
  c->seen = d;
  if (c->fire_with != NULL && c->errback)
    weft_deferred_errback_literal (d, G_IO_ERROR, G_IO_ERROR_CANCELLED, c->fire_with);
  else if (c->fire_with != NULL)
    weft_deferred_callback_string (d, c->fire_with);
}

static void
test_cancel_canceller (void)
{
  g_autoptr (Log) log = log_new ();
  Canceller c = { 0 };
  int released = 0;
  g_autoptr (WeftDeferred) d = weft_deferred_new_with_canceller (canceller, &c, NULL);
  g_autoptr (WeftDeferred) e = weft_deferred_new_with_canceller (canceller, &released, count_call);

  weft_deferred_add_both (d, record_and_recover, log, NULL);
  weft_deferred_cancel (d);
  g_assert_cmpint (c.calls, ==, 1);
  g_assert_true (c.seen == d);
  assert_log (log, "error:gio:19:The operation was cancelled");

  /* the canceller's data goes once the deferred has fired */
  weft_deferred_callback_none (e);
  g_assert_cmpint (released, ==, 1);
  weft_deferred_cancel (e);
  g_assert_cmpint (released, ==, 1);
}

static void
test_cancel_canceller_that_fires (void)
{
  g_autoptr (Log) log = log_new ();
  Canceller callbacks = { 0, NULL, "Callback Result", FALSE };
  Canceller errbacks = { 0, NULL, "Errback Result", TRUE };
  g_autoptr (WeftDeferred) a = weft_deferred_new_with_canceller (canceller, &callbacks, NULL);
  g_autoptr (WeftDeferred) b = weft_deferred_new_with_canceller (canceller, &errbacks, NULL);

  weft_deferred_add_both (a, record_and_recover, log, NULL);
  weft_deferred_add_both (b, record_and_recover, log, NULL);
  weft_deferred_cancel (a);
  weft_deferred_cancel (b);
  assert_log (log, "string:Callback Result error:gio:19:Errback Result");
}

static void
test_cancel_after_callback (void)
{
  g_autoptr (Log) log = log_new ();
  Canceller c = { 0 };
  g_autoptr (WeftDeferred) d = weft_deferred_new_with_canceller (canceller, &c, NULL);

  weft_deferred_callback_string (d, "biff!");
  weft_deferred_cancel (d);
  weft_deferred_add_both (d, record, log, NULL);
  g_assert_cmpint (c.calls, ==, 0);
  assert_log (log, "string:biff!");
}

static void
test_cancel_nested_forwards (void)
{
  g_autoptr (Log) log = log_new ();
  Canceller c = { 0 };
  g_autoptr (WeftDeferred) inner = weft_deferred_new_with_canceller (canceller, &c, NULL);
  g_autoptr (WeftDeferred) outer = weft_deferred_new ();

  weft_deferred_add_callback (outer, return_deferred, inner, NULL);
  weft_deferred_add_both (outer, record_and_recover, log, NULL);
  weft_deferred_callback_none (outer);
  weft_deferred_cancel (outer);
  g_assert_cmpint (c.calls, ==, 1);
  g_assert_true (c.seen == inner);
  assert_log (log, "error:gio:19:The operation was cancelled");
}

/* /deferred/timeout */

static void
test_timeout_succeeds_first (void)
{
  g_autoptr (WeftReactor) reactor = new_reactor ();
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();
  g_autoptr (WeftDeferred) sleep = NULL;
  gboolean slept = FALSE;

  weft_deferred_add_timeout (d, reactor, 10 * G_USEC_PER_SEC);
  weft_deferred_add_both (d, record, log, NULL);
  g_assert_cmpuint (weft_reactor_get_n_timers (reactor), ==, 1);
  weft_deferred_callback_int (d, 5);
  assert_log (log, "int:5");
  /* the timeout's timer went with the result */
  g_assert_cmpuint (weft_reactor_get_n_timers (reactor), ==, 0);

  sleep = weft_defer_later (reactor, 1000, NULL, NULL, NULL);
  weft_deferred_add_callback (sleep, set_flag, &slept, NULL);
  iterate_until (reactor, &slept);
  assert_log (log, "int:5");
}

static void
test_timeout_times_out (void)
{
  g_autoptr (WeftReactor) reactor = new_reactor ();
  g_autoptr (Log) log = log_new ();
  Canceller c = { 0 };
  WeftDeferred *d = weft_deferred_new_with_canceller (canceller, &c, NULL);
  gboolean done = FALSE;

  weft_deferred_set_description (d, "connect to 127.0.0.1:6667");
  weft_deferred_add_errback (d, record, log, NULL);
  weft_deferred_add_timeout (d, reactor, 10000);
  weft_deferred_add_errback (d, record_and_recover, log, NULL);
  weft_deferred_add_callback (d, set_flag, &done, NULL);
  /* the caller may drop its reference: the timer holds one */
  g_object_unref (d);
  iterate_until (reactor, &done);
  g_assert_cmpint (c.calls, ==, 1);
  assert_log (log, "error:gio:19:connect to 127.0.0.1:6667 was cancelled "
                   "error:gio:24:connect to 127.0.0.1:6667 timed out after 0.01 seconds");
  g_assert_cmpuint (weft_reactor_get_n_timers (reactor), ==, 0);
}

static void
test_timeout_canceller_result_wins (void)
{
  g_autoptr (WeftReactor) reactor = new_reactor ();
  g_autoptr (Log) log = log_new ();
  Canceller c = { 0, NULL, "I was cancelled", FALSE };
  g_autoptr (WeftDeferred) d = weft_deferred_new_with_canceller (canceller, &c, NULL);
  gboolean done = FALSE;

  weft_deferred_add_timeout (d, reactor, 1000);
  weft_deferred_add_both (d, record_and_recover, log, NULL);
  weft_deferred_add_callback (d, set_flag, &done, NULL);
  iterate_until (reactor, &done);
  assert_log (log, "string:I was cancelled");
}

static void
test_timeout_cancel_before (void)
{
  g_autoptr (WeftReactor) reactor = new_reactor ();
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();

  weft_deferred_add_timeout (d, reactor, 10 * G_USEC_PER_SEC);
  weft_deferred_add_both (d, record_and_recover, log, NULL);
  weft_deferred_cancel (d);
  assert_log (log, "error:gio:19:The operation was cancelled");
  g_assert_cmpuint (weft_reactor_get_n_timers (reactor), ==, 0);
}

/* /deferred/list, /deferred/gather, /deferred/race */

static void
test_list_all_results (void)
{
  g_autoptr (Log) log = log_new ();
  WeftDeferred *ds[3] = { weft_deferred_new (), weft_deferred_new (), weft_deferred_new () };
  g_autoptr (WeftDeferred) list = weft_deferred_list_new (ds, 3, WEFT_DEFERRED_LIST_NONE);

  weft_deferred_add_both (list, record, log, NULL);
  weft_deferred_callback_string (ds[0], "1");
  weft_deferred_errback_literal (ds[1], G_IO_ERROR, G_IO_ERROR_FAILED, "2");
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_callback_string (ds[2], "3");
  assert_log (log, "[string:1, error:gio:0:2, string:3]");
  g_assert_cmpint (weft_result_get_index (g_ptr_array_index (weft_result_get_results (weft_deferred_peek_result (list)),
                                                             2)),
                   ==, 2);
  /* without CONSUME_ERRORS the error stays in ds[1] too */
  assert_result (ds[1], "error:gio:0:2");
  swallow (ds[1]);
  for (int i = 0; i < 3; i++)
    g_object_unref (ds[i]);
}

static void
test_list_empty (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) list = weft_deferred_list_new (NULL, 0, WEFT_DEFERRED_LIST_NONE);
  g_autoptr (WeftDeferred) gathered = weft_deferred_gather (NULL, 0);

  weft_deferred_add_callback (list, record, log, NULL);
  weft_deferred_add_callback (gathered, record, log, NULL);
  assert_log (log, "[] []");
}

static void
test_list_fire_on_one_errback (void)
{
  g_autoptr (Log) log = log_new ();
  WeftDeferred *ds[3] = { weft_deferred_new (), weft_deferred_new (), weft_deferred_new () };
  g_autoptr (WeftDeferred) list = weft_deferred_list_new (ds, 3, WEFT_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK);

  weft_deferred_add_errback (list, record, log, NULL);
  weft_deferred_callback_string (ds[0], "1");
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_errback_literal (ds[1], G_IO_ERROR, G_IO_ERROR_FAILED, "from def2");
  assert_log (log, "error:gio:0:from def2");
  g_assert_cmpint (weft_result_get_index (weft_deferred_peek_result (list)), ==, 1);
  swallow (list);
  swallow (ds[1]);
  /* later results change nothing */
  weft_deferred_callback_none (ds[2]);
  assert_log (log, "error:gio:0:from def2");
  for (int i = 0; i < 3; i++)
    g_object_unref (ds[i]);
}

static void
test_list_fire_on_one_callback (void)
{
  g_autoptr (Log) log = log_new ();
  WeftDeferred *ds[2] = { weft_deferred_new (), weft_deferred_new () };
  g_autoptr (WeftDeferred) list = weft_deferred_list_new (ds, 2, WEFT_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK);

  weft_deferred_add_callback (list, record, log, NULL);
  weft_deferred_errback_literal (ds[0], G_IO_ERROR, G_IO_ERROR_FAILED, "no");
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_callback_int (ds[1], 2);
  assert_log (log, "int:2");
  g_assert_cmpint (weft_result_get_index (weft_deferred_peek_result (list)), ==, 1);
  swallow (ds[0]);
  for (int i = 0; i < 2; i++)
    g_object_unref (ds[i]);
}

static void
test_list_consume_errors (void)
{
  g_autoptr (Log) input_log = log_new ();
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new ();
  g_autoptr (WeftDeferred) list = weft_deferred_list_new (&d, 1, WEFT_DEFERRED_LIST_CONSUME_ERRORS);

  weft_deferred_add_callback (list, record, log, NULL);
  weft_deferred_add_both (d, record, input_log, NULL);
  weft_deferred_errback_literal (d, G_IO_ERROR, G_IO_ERROR_FAILED, "Bang");
  assert_log (log, "[error:gio:0:Bang]");
  assert_log (input_log, "none");
}

static void
test_list_already_fired (void)
{
  g_autoptr (Log) log = log_new ();
  WeftDeferred *ds[2] = { weft_deferred_fail_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "Bang"), weft_deferred_new () };
  g_autoptr (WeftDeferred) list = weft_deferred_list_new (ds, 2, WEFT_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK);

  weft_deferred_add_errback (list, record_and_recover, log, NULL);
  assert_log (log, "error:gio:0:Bang");
  swallow (ds[0]);
  g_object_unref (ds[0]);
  g_object_unref (ds[1]);
}

static void
test_list_cancel (void)
{
  g_autoptr (Log) log = log_new ();
  Canceller callbacks = { 0, NULL, "Callback Result", FALSE };
  WeftDeferred *ds[2] = { weft_deferred_new_with_canceller (canceller, &callbacks, NULL), weft_deferred_new () };
  g_autoptr (WeftDeferred) list = weft_deferred_list_new (ds, 2, WEFT_DEFERRED_LIST_NONE);

  weft_deferred_add_callback (list, record, log, NULL);
  weft_deferred_cancel (list);
  assert_log (log, "[string:Callback Result, error:gio:19:The operation was cancelled]");
  assert_result (ds[1], "error:gio:19:The operation was cancelled");
  swallow (ds[1]);
  g_object_unref (ds[0]);
  g_object_unref (ds[1]);
}

static void
test_gather_values (void)
{
  g_autoptr (Log) log = log_new ();
  WeftDeferred *ds[2] = { weft_deferred_succeed_int (1), weft_deferred_new () };
  g_autoptr (WeftDeferred) gathered = weft_deferred_gather (ds, 2);

  weft_deferred_add_callback (gathered, record, log, NULL);
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_callback_int (ds[1], 2);
  assert_log (log, "[int:1, int:2]");
  g_object_unref (ds[0]);
  g_object_unref (ds[1]);
}

static void
test_gather_first_error (void)
{
  g_autoptr (Log) log = log_new ();
  WeftDeferred *ds[3] = { weft_deferred_succeed_int (1), weft_deferred_new (), weft_deferred_new () };
  g_autoptr (WeftDeferred) gathered = weft_deferred_gather (ds, 3);
  guint unhandled = weft_deferred_get_unhandled_error_count ();

  weft_deferred_add_errback (gathered, record_and_recover, log, NULL);
  weft_deferred_errback_literal (ds[2], G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND, "oh noes");
  weft_deferred_errback_literal (ds[1], G_IO_ERROR, G_IO_ERROR_FAILED, "second error");
  assert_log (log, "error:gio:28:oh noes");
  /* the errors were consumed: the inputs go on with nothing */
  assert_result (ds[1], "none");
  assert_result (ds[2], "none");
  for (int i = 0; i < 3; i++)
    g_object_unref (ds[i]);
  g_assert_cmpuint (weft_deferred_get_unhandled_error_count (), ==, unhandled);
}

static void
test_gather_cancel (void)
{
  g_autoptr (Log) log = log_new ();
  WeftDeferred *ds[2] = { weft_deferred_new (), weft_deferred_new () };
  g_autoptr (WeftDeferred) gathered = weft_deferred_gather (ds, 2);

  weft_deferred_add_errback (gathered, record_and_recover, log, NULL);
  weft_deferred_cancel (gathered);
  assert_log (log, "error:gio:19:The operation was cancelled");
  g_assert_true (weft_deferred_has_fired (ds[0]));
  g_assert_true (weft_deferred_has_fired (ds[1]));
  g_object_unref (ds[0]);
  g_object_unref (ds[1]);
}

static void
test_race_first_wins (void)
{
  g_autoptr (Log) log = log_new ();
  Canceller c0 = { 0 }, c2 = { 0 };
  WeftDeferred *ds[3] = {
    weft_deferred_new_with_canceller (canceller, &c0, NULL),
    weft_deferred_new (),
    weft_deferred_new_with_canceller (canceller, &c2, NULL),
  };
  g_autoptr (WeftDeferred) race = weft_deferred_race (ds, 3);
  guint unhandled = weft_deferred_get_unhandled_error_count ();

  weft_deferred_add_callback (race, record, log, NULL);
  weft_deferred_callback_string (ds[1], "winner");
  assert_log (log, "string:winner");
  g_assert_cmpint (weft_result_get_index (weft_deferred_peek_result (race)), ==, 1);
  g_assert_cmpint (c0.calls, ==, 1);
  g_assert_cmpint (c2.calls, ==, 1);
  /* the losers' cancellations are consumed */
  assert_result (ds[0], "none");
  for (int i = 0; i < 3; i++)
    g_object_unref (ds[i]);
  g_assert_cmpuint (weft_deferred_get_unhandled_error_count (), ==, unhandled);
}

static void
test_race_all_fail (void)
{
  g_autoptr (Log) log = log_new ();
  WeftDeferred *ds[2] = { weft_deferred_new (), weft_deferred_new () };
  g_autoptr (WeftDeferred) race = weft_deferred_race (ds, 2);

  weft_deferred_add_errback (race, record_and_recover, log, NULL);
  weft_deferred_errback_literal (ds[1], G_IO_ERROR, G_IO_ERROR_FAILED, "first");
  g_assert_cmpuint (log->entries->len, ==, 0);
  weft_deferred_errback_literal (ds[0], G_IO_ERROR, G_IO_ERROR_FAILED, "second");
  assert_log (log, "error:gio:0:first");
  g_object_unref (ds[0]);
  g_object_unref (ds[1]);
}

static void
test_race_cancel (void)
{
  g_autoptr (Log) log = log_new ();
  WeftDeferred *ds[2] = { weft_deferred_new (), weft_deferred_new () };
  g_autoptr (WeftDeferred) race = weft_deferred_race (ds, 2);

  weft_deferred_add_errback (race, record_and_recover, log, NULL);
  weft_deferred_cancel (race);
  assert_log (log, "error:gio:19:The operation was cancelled");
  g_assert_true (weft_deferred_has_fired (ds[0]) && weft_deferred_has_fired (ds[1]));
  g_object_unref (ds[0]);
  g_object_unref (ds[1]);
}

/* /deferred/helpers */

static WeftDeferred *
plus_five (WeftResult *result, gpointer user_data)
{
  weft_result_set_int (result, GPOINTER_TO_INT (user_data) + 5);
  return NULL;
}

static WeftDeferred *
raises (WeftResult *result, gpointer user_data)
{
  weft_result_set_new_error (result, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "that value is unacceptable");
  return NULL;
}

static void
test_helpers_maybe_deferred (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) sync_ok = weft_maybe_deferred (plus_five, GINT_TO_POINTER (10));
  g_autoptr (WeftDeferred) sync_error = weft_maybe_deferred (raises, NULL);
  g_autoptr (WeftDeferred) inner = weft_deferred_new ();
  g_autoptr (WeftDeferred) async = weft_maybe_deferred (return_deferred, inner);

  weft_deferred_add_both (sync_ok, record_and_recover, log, NULL);
  weft_deferred_add_both (sync_error, record_and_recover, log, NULL);
  weft_deferred_add_both (async, record_and_recover, log, NULL);
  assert_log (log, "int:15 error:gio:35:that value is unacceptable");
  weft_deferred_callback_string (inner, "Success");
  assert_log (log, "int:15 error:gio:35:that value is unacceptable string:Success");
}

static void
test_helpers_succeed_fail (void)
{
  g_autoptr (GObject) object = g_object_new (G_TYPE_OBJECT, NULL);
  GValue value = G_VALUE_INIT;
  WeftDeferred *d;

  d = weft_deferred_succeed_boolean (TRUE);
  g_assert_true (weft_result_get_boolean (weft_deferred_peek_result (d)));
  g_object_unref (d);
  d = weft_deferred_succeed_pointer (&value);
  g_assert_true (weft_result_get_pointer (weft_deferred_peek_result (d)) == &value);
  g_object_unref (d);
  d = weft_deferred_succeed_object (object);
  g_assert_true (weft_result_get_object (weft_deferred_peek_result (d)) == object);
  g_object_unref (d);
  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, 8);
  d = weft_deferred_succeed (&value);
  assert_result (d, "int:8");
  g_object_unref (d);
  d = weft_deferred_succeed_none ();
  assert_result (d, "none");
  g_object_unref (d);
  d = weft_deferred_fail_take_error (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "fail"));
  assert_result (d, "error:gio:0:fail");
  swallow (d);
  g_object_unref (d);
}

static WeftDeferred *
later_answer (WeftResult *result, gpointer user_data)
{
  weft_result_set_string (result, user_data);
  return NULL;
}

static void
test_helpers_defer_later (void)
{
  g_autoptr (WeftReactor) reactor = new_reactor ();
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferred) d = NULL;
  g_autoptr (WeftDeferred) cancelled = NULL;
  gint64 start = weft_reactor_get_time (reactor);
  gboolean done = FALSE;

  d = weft_defer_later (reactor, 20000, later_answer, "later", NULL);
  weft_deferred_add_callback (d, record, log, NULL);
  weft_deferred_add_callback (d, set_flag, &done, NULL);
  cancelled = weft_defer_later (reactor, 10000, later_answer, "never", NULL);
  weft_deferred_add_both (cancelled, record_and_recover, log, NULL);
  g_assert_cmpuint (weft_reactor_get_n_timers (reactor), ==, 2);
  weft_deferred_cancel (cancelled);
  g_assert_cmpuint (weft_reactor_get_n_timers (reactor), ==, 1);
  iterate_until (reactor, &done);
  g_assert_cmpint (weft_reactor_get_time (reactor) - start, >=, 20000);
  assert_log (log, "error:gio:19:weft_defer_later was cancelled string:later");
}

/* /deferred/unhandled */

static void
test_unhandled_warning (void)
{
  WeftDeferred *d = weft_deferred_new ();

  weft_deferred_set_unhandled_error_func (NULL, NULL);
  weft_deferred_set_description (d, "send greeting");
  weft_deferred_errback_literal (d, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "Broken pipe");
  g_test_expect_message ("Weft", G_LOG_LEVEL_WARNING, "Unhandled error in send greeting: Broken pipe*");
  g_object_unref (d);
  g_test_assert_expected_messages ();
  weft_deferred_set_unhandled_error_func (fail_on_unhandled, NULL);
}

static void
collect_unhandled (const char *description, const GError *error, gpointer user_data)
{
  log_add (user_data, "%s: %s", description, error->message);
}

static void
test_unhandled_handler (void)
{
  g_autoptr (Log) log = log_new ();
  guint before = weft_deferred_get_unhandled_error_count ();
  WeftDeferred *handled = weft_deferred_fail_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "handled");
  WeftDeferred *unhandled = weft_deferred_new ();
  WeftDeferred *never_fired = weft_deferred_new ();

  weft_deferred_set_unhandled_error_func (collect_unhandled, log);
  swallow (handled);
  weft_deferred_set_description (unhandled, "d2");
  weft_deferred_add_callback (unhandled, fail_with_message, "from a callback", NULL);
  weft_deferred_callback_none (unhandled);
  g_object_unref (handled);
  g_object_unref (never_fired);
  g_assert_cmpuint (weft_deferred_get_unhandled_error_count (), ==, before);
  g_object_unref (unhandled);
  assert_log (log, "d2: from a callback");
  g_assert_cmpuint (weft_deferred_get_unhandled_error_count (), ==, before + 1);
  weft_deferred_set_unhandled_error_func (fail_on_unhandled, NULL);
}

/* /deferred/lock, /deferred/semaphore, /deferred/queue */

static void
test_lock_basic (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferredLock) lock = weft_deferred_lock_new ();
  g_autoptr (WeftDeferred) first = weft_deferred_lock_acquire (lock);
  g_autoptr (WeftDeferred) second = NULL;

  g_assert_true (weft_deferred_lock_is_locked (lock));
  g_assert_true (weft_result_get_object (weft_deferred_peek_result (first)) == lock);
  second = weft_deferred_lock_acquire (lock);
  g_assert_false (weft_deferred_has_fired (second));
  weft_deferred_add_callback (second, clear_result, NULL, NULL);
  weft_deferred_add_callback (second, record, log, NULL);
  weft_deferred_lock_release (lock);
  assert_log (log, "none");
  g_assert_true (weft_deferred_lock_is_locked (lock));
  weft_deferred_lock_release (lock);
  g_assert_false (weft_deferred_lock_is_locked (lock));
}

static void
test_lock_cancel_waiting (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferredLock) lock = weft_deferred_lock_new ();
  g_autoptr (WeftDeferred) first = weft_deferred_lock_acquire (lock);
  g_autoptr (WeftDeferred) second = weft_deferred_lock_acquire (lock);
  g_autoptr (WeftDeferred) third = weft_deferred_lock_acquire (lock);

  weft_deferred_add_errback (second, record_and_recover, log, NULL);
  weft_deferred_cancel (second);
  assert_log (log, "error:gio:19:weft_deferred_lock_acquire was cancelled");
  /* cancelling once acquired does nothing */
  weft_deferred_cancel (first);
  weft_deferred_lock_release (lock);
  g_assert_true (weft_deferred_has_fired (third));
  weft_deferred_lock_release (lock);
  g_assert_false (weft_deferred_lock_is_locked (lock));
}

typedef struct {
  Log *log;
  const char *name;
  WeftDeferred *wait_for;
} Job;

static WeftDeferred *
job_run (WeftResult *result, gpointer user_data)
{
  Job *job = user_data;

  log_add (job->log, "start %s", job->name);
  weft_result_set_string (result, job->name);
  return job->wait_for != NULL ? g_object_ref (job->wait_for) : NULL;
}

static void
test_lock_run (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferredLock) lock = weft_deferred_lock_new ();
  g_autoptr (WeftDeferred) gate = weft_deferred_new ();
  Job a = { log, "a", gate }, b = { log, "b", NULL };
  g_autoptr (WeftDeferred) ra = weft_deferred_lock_run (lock, job_run, &a, NULL);
  g_autoptr (WeftDeferred) rb = weft_deferred_lock_run (lock, job_run, &b, NULL);

  weft_deferred_add_callback (ra, record, log, NULL);
  weft_deferred_add_callback (rb, record, log, NULL);
  assert_log (log, "start a");
  g_assert_true (weft_deferred_lock_is_locked (lock));
  weft_deferred_callback_string (gate, "a done");
  assert_log (log, "start a start b string:b string:a done");
  g_assert_false (weft_deferred_lock_is_locked (lock));
}

static void
test_semaphore_basic (void)
{
  g_autoptr (WeftDeferredSemaphore) sem = weft_deferred_semaphore_new (2);
  g_autoptr (GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_cmpuint (weft_deferred_semaphore_get_limit (sem), ==, 2);
  for (int i = 0; i < 4; i++)
    g_ptr_array_add (held, weft_deferred_semaphore_acquire (sem));
  g_assert_cmpuint (weft_deferred_semaphore_get_tokens (sem), ==, 0);
  g_assert_true (weft_deferred_has_fired (held->pdata[0]) && weft_deferred_has_fired (held->pdata[1]));
  g_assert_false (weft_deferred_has_fired (held->pdata[2]) || weft_deferred_has_fired (held->pdata[3]));

  /* a waiter that gives up leaves the line */
  weft_deferred_cancel (held->pdata[2]);
  swallow (held->pdata[2]);
  weft_deferred_semaphore_release (sem);
  g_assert_true (weft_deferred_has_fired (held->pdata[3]));
  g_assert_cmpuint (weft_deferred_semaphore_get_tokens (sem), ==, 0);
  weft_deferred_semaphore_release (sem);
  weft_deferred_semaphore_release (sem);
  g_assert_cmpuint (weft_deferred_semaphore_get_tokens (sem), ==, 2);

  g_test_expect_message ("Weft", G_LOG_LEVEL_CRITICAL, "*tokens < self->limit*");
  weft_deferred_semaphore_release (sem);
  g_test_assert_expected_messages ();
}

static void
test_queue_basic (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferredQueue) queue = weft_deferred_queue_new (-1, -1);
  g_autoptr (GError) error = NULL;
  WeftDeferred *get;

  for (int i = 0; i < 2; i++)
    {
      get = weft_deferred_queue_get (queue);
      weft_deferred_add_callback (get, record, log, NULL);
      g_object_unref (get);
    }
  g_assert_cmpuint (weft_deferred_queue_get_n_waiting (queue), ==, 2);
  g_assert_true (weft_deferred_queue_put_int (queue, 1, &error));
  g_assert_true (weft_deferred_queue_put_string (queue, "two", &error));
  g_assert_true (weft_deferred_queue_put_string (queue, "three", &error));
  g_assert_no_error (error);
  assert_log (log, "int:1 string:two");
  g_assert_cmpuint (weft_deferred_queue_get_n_pending (queue), ==, 1);
  get = weft_deferred_queue_get (queue);
  weft_deferred_add_callback (get, record, log, NULL);
  g_object_unref (get);
  assert_log (log, "int:1 string:two string:three");
}

static void
test_queue_limits (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferredQueue) queue = weft_deferred_queue_new (1, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftDeferred) waiting = weft_deferred_queue_get (queue);
  g_autoptr (WeftDeferred) refused = NULL;

  g_assert_false (weft_deferred_has_fired (waiting));
  refused = weft_deferred_queue_get (queue);

  weft_deferred_add_errback (refused, record_and_recover, log, NULL);
  assert_log (log, "error:gio:26:Too many consumers wait on the queue (at most 1 may)");

  g_assert_true (weft_deferred_queue_put_int (queue, 1, &error)); /* to the waiter */
  g_assert_cmpint (weft_result_get_int (weft_deferred_peek_result (waiting)), ==, 1);
  g_assert_true (weft_deferred_queue_put_int (queue, 2, &error)); /* kept */
  g_assert_false (weft_deferred_queue_put_int (queue, 3, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_cmpstr (error->message, ==, "The queue is full: it holds at most 1 values");
}

static void
test_queue_cancel_get (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (WeftDeferredQueue) queue = weft_deferred_queue_new (-1, -1);
  g_autoptr (WeftDeferred) get = weft_deferred_queue_get (queue);
  g_autoptr (WeftDeferred) next = weft_deferred_queue_get (queue);
  g_autoptr (WeftDeferred) unfired = weft_deferred_queue_get (queue);

  weft_deferred_add_errback (get, record_and_recover, log, NULL);
  weft_deferred_cancel (get);
  g_assert_cmpuint (weft_deferred_queue_get_n_waiting (queue), ==, 2);
  g_assert_true (weft_deferred_queue_put_string (queue, "to next", NULL));
  weft_deferred_add_callback (next, record, log, NULL);
  assert_log (log, "error:gio:19:weft_deferred_queue_get was cancelled string:to next");
  /* a queue that goes first leaves its waiters unfired, and safe to cancel */
  g_clear_object (&queue);
  weft_deferred_add_errback (unfired, record_and_recover, log, NULL);
  weft_deferred_cancel (unfired);
  assert_log (log, "error:gio:19:weft_deferred_queue_get was cancelled string:to next "
                   "error:gio:19:weft_deferred_queue_get was cancelled");
}

/* /deferred/gio */

static void
test_gio_cancellable_cancels_deferred (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new_for_cancellable (cancellable);
  g_autoptr (GCancellable) already = g_cancellable_new ();
  g_autoptr (WeftDeferred) e = NULL;

  g_assert_true (weft_deferred_get_cancellable (d) == cancellable);
  weft_deferred_add_errback (d, record_and_recover, log, NULL);
  g_cancellable_cancel (cancellable);
  assert_log (log, "error:gio:19:The operation was cancelled");

  g_cancellable_cancel (already);
  e = weft_deferred_new_for_cancellable (already);
  weft_deferred_add_errback (e, record_and_recover, log, NULL);
  assert_log (log, "error:gio:19:The operation was cancelled error:gio:19:The operation was cancelled");
}

static void
test_gio_deferred_cancels_cancellable (void)
{
  g_autoptr (WeftDeferred) d = weft_deferred_new ();
  GCancellable *cancellable = weft_deferred_get_cancellable (d);

  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_assert_true (weft_deferred_get_cancellable (d) == cancellable);
  weft_deferred_cancel (d);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_assert_true (weft_result_is_cancelled (weft_deferred_peek_result (d)));
  swallow (d);
}

static gpointer
cancel_in_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_gio_cancellable_from_thread (void)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (WeftDeferred) d = weft_deferred_new_for_cancellable (cancellable);
  GThread *thread;
  gboolean done = FALSE;

  weft_deferred_add_errback (d, set_flag, &done, NULL);
  weft_deferred_add_errback (d, clear_result, NULL, NULL);
  thread = g_thread_new ("canceller", cancel_in_thread, cancellable);
  g_thread_join (thread);
  /* the deferred is cancelled in its own thread, from the main context */
  g_assert_false (done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_gio_load_contents (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GFile) file = NULL;
  g_autoptr (WeftDeferred) d = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  int fd;

  fd = g_file_open_tmp ("weft-deferred-XXXXXX", &path, &error);
  g_assert_no_error (error);
  g_close (fd, NULL);
  g_file_set_contents (path, "hello from a file", -1, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (path);

  d = WEFT_DEFERRED_ASYNC (G_TYPE_ASYNC_RESULT, g_file_load_contents, file);
  g_assert_cmpstr (weft_deferred_get_description (d), ==, "g_file_load_contents");
  while (weft_deferred_peek_result (d) == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_file_load_contents_finish (file, weft_result_get_object (weft_deferred_peek_result (d)), &contents, &length, NULL,
                               &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "hello from a file");
  g_assert_cmpuint (length, ==, strlen ("hello from a file"));
  g_unlink (path);
}

/* A GIO-style operation of our own, on GTask. */
static void
produce_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *what = task_data;

  if (g_str_equal (what, "error"))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "not allowed");
  else if (g_str_equal (what, "bytes"))
    g_task_return_pointer (task, g_bytes_new (what, 5), (GDestroyNotify) g_bytes_unref);
  else if (g_str_equal (what, "boolean"))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_int (task, 1234);
}

static void
produce_async (GObject *source,
               const char *what,
               GCancellable *cancellable,
               GAsyncReadyCallback callback,
               gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (source, cancellable, callback, user_data);

  g_task_set_task_data (task, (gpointer) what, NULL);
  g_task_set_check_cancellable (task, TRUE);
  g_task_run_in_thread (task, produce_thread);
}

static GBytes *
produce_finish (GObject *source, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
produce_boolean_finish (GObject *source, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gssize
produce_int_finish (GObject *source, GAsyncResult *result, GError **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static const WeftResult *
wait_result (WeftDeferred *d)
{
  while (weft_deferred_peek_result (d) == NULL)
    g_main_context_iteration (NULL, TRUE);
  return weft_deferred_peek_result (d);
}

static void
test_gio_task (void)
{
  g_autoptr (GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr (WeftDeferred) bytes = WEFT_DEFERRED_ASYNC (G_TYPE_BYTES, produce, source, "bytes");
  g_autoptr (WeftDeferred) failed = WEFT_DEFERRED_ASYNC (G_TYPE_BYTES, produce, source, "error");
  GAsyncReadyCallback callback;
  gpointer callback_data;
  g_autoptr (WeftDeferred) boolean =
      weft_deferred_new_async (G_TYPE_BOOLEAN, G_CALLBACK (produce_boolean_finish), &callback, &callback_data);
  g_autoptr (WeftDeferred) number = NULL;

  produce_async (source, "boolean", weft_deferred_get_cancellable (boolean), callback, callback_data);
  number = weft_deferred_new_async (G_TYPE_INT64, G_CALLBACK (produce_int_finish), &callback, &callback_data);
  produce_async (source, "int", NULL, callback, callback_data);

  g_assert_cmpmem (g_bytes_get_data (weft_result_get_boxed (wait_result (bytes)), NULL), 5, "bytes", 5);
  g_assert_true (weft_result_error_matches (wait_result (failed), G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED));
  g_assert_cmpstr (weft_result_get_error (wait_result (failed))->message, ==, "not allowed");
  swallow (failed);
  g_assert_true (weft_result_get_boolean (wait_result (boolean)));
  g_assert_cmpint (weft_result_get_int64 (wait_result (number)), ==, 1234);
}

static void
test_gio_cancel_async (void)
{
  g_autoptr (Log) log = log_new ();
  g_autoptr (GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr (WeftDeferred) d = WEFT_DEFERRED_ASYNC (G_TYPE_BYTES, produce, source, "bytes");
  g_autoptr (WeftDeferred) later = WEFT_DEFERRED_ASYNC (G_TYPE_BYTES, produce, source, "bytes");

  weft_deferred_add_both (d, record_and_recover, log, NULL);
  weft_deferred_cancel (d);
  /* fails at once; the task's own G_IO_ERROR_CANCELLED arrives later and is
   * dropped without a critical */
  assert_log (log, "error:gio:19:produce was cancelled");
  g_assert_true (g_cancellable_is_cancelled (weft_deferred_get_cancellable (d)));
  wait_result (later);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  assert_log (log, "error:gio:19:produce was cancelled");
}

/* /deferred/result */

static void
test_result_boxed (void)
{
  g_autoptr (WeftResult) result = weft_result_new ();
  g_autoptr (WeftResult) copy = NULL;
  g_autoptr (GError) error = NULL;
  GValue value = G_VALUE_INIT;

  g_assert_true (weft_result_is_empty (result));
  weft_result_set_string (result, "a");
  copy = weft_result_copy (result);
  weft_result_set_int (result, 3);
  g_assert_cmpstr (weft_result_get_string (copy), ==, "a");
  g_assert_true (weft_result_propagate_error (result, &error));

  weft_result_take_error (result, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x"));
  g_assert_true (weft_result_is_cancelled (result));
  g_assert_null (weft_result_get_value (result));
  g_assert_false (weft_result_propagate_error (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_value_init (&value, G_TYPE_STRING);
  g_value_take_string (&value, g_strdup ("moved"));
  weft_result_take_value (result, &value);
  g_assert_false (G_IS_VALUE (&value));
  g_assert_false (weft_result_is_error (result));
  g_assert_cmpstr (weft_result_get_string (result), ==, "moved");
  g_assert_true (G_TYPE_IS_BOXED (WEFT_TYPE_RESULT));
  g_assert_true (G_TYPE_IS_FLAGS (WEFT_TYPE_DEFERRED_LIST_FLAGS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  weft_deferred_set_unhandled_error_func (fail_on_unhandled, NULL);

  g_test_add_func ("/deferred/callback/value", test_callback_value);
  g_test_add_func ("/deferred/callback/two-callbacks", test_callback_two_callbacks);
  g_test_add_func ("/deferred/callback/typed-values", test_callback_typed_values);
  g_test_add_func ("/deferred/callback/wrong-type-getter", test_callback_wrong_type_getter);
  g_test_add_func ("/deferred/callback/notify-once", test_callback_notify_once);
  g_test_add_func ("/deferred/errback/skips-callbacks", test_errback_skips_callbacks);
  g_test_add_func ("/deferred/errback/variants", test_errback_variants);
  g_test_add_func ("/deferred/chain/replace-result", test_chain_replace_result);
  g_test_add_func ("/deferred/chain/callback-to-error", test_chain_callback_to_error);
  g_test_add_func ("/deferred/chain/errback-recovers", test_chain_errback_recovers);
  g_test_add_func ("/deferred/chain/add-both-and-finally", test_chain_add_both_and_finally);
  g_test_add_func ("/deferred/chain/add-after-fire", test_chain_add_after_fire);
  g_test_add_func ("/deferred/chain/reentrant-add", test_chain_reentrant_add);
  g_test_add_func ("/deferred/chain/callback-returns-deferred", test_chain_callback_returns_deferred);
  g_test_add_func ("/deferred/chain/errback-returns-deferred", test_chain_errback_returns_deferred);
  g_test_add_func ("/deferred/chain/synchronous-implicit", test_chain_synchronous_implicit);
  g_test_add_func ("/deferred/chain/asynchronous-implicit", test_chain_asynchronous_implicit);
  g_test_add_func ("/deferred/chain/synchronous-implicit-error", test_chain_synchronous_implicit_error);
  g_test_add_func ("/deferred/chain/asynchronous-implicit-error", test_chain_asynchronous_implicit_error);
  g_test_add_func ("/deferred/chain/double-asynchronous", test_chain_double_asynchronous);
  g_test_add_func ("/deferred/chain/inner-callbacks-preserved", test_chain_inner_callbacks_preserved);
  g_test_add_func ("/deferred/chain/callback-order-preserved", test_chain_callback_order_preserved);
  g_test_add_func ("/deferred/chain/paused-with-result", test_chain_paused_with_result);
  g_test_add_func ("/deferred/chain/paused-deferred-chained", test_chain_paused_deferred_chained);
  g_test_add_func ("/deferred/chain/returns-self", test_chain_returns_self);
  g_test_add_func ("/deferred/chain/explicit", test_chain_explicit);
  g_test_add_func ("/deferred/deep/long-chain", test_deep_long_chain);
  g_test_add_func ("/deferred/deep/nested-fired", test_deep_nested_fired);
  g_test_add_func ("/deferred/deep/sequential-pending", test_deep_sequential_pending);
  g_test_add_func ("/deferred/deep/nested-pending", test_deep_nested_pending);
  g_test_add_func ("/deferred/deep/nested-dropped", test_deep_nested_dropped);
  g_test_add_func ("/deferred/deep/explicit-chain", test_deep_explicit_chain);
  g_test_add_func ("/deferred/deep/cancel-nested", test_deep_cancel_nested);
  g_test_add_func ("/deferred/pause/paused-failure", test_pause_paused_failure);
  g_test_add_func ("/deferred/pause/nested", test_pause_nested);
  g_test_add_func ("/deferred/pause/unpause-before-callback", test_pause_unpause_before_callback);
  g_test_add_func ("/deferred/already-called/callback-twice", test_already_called_callback_twice);
  g_test_add_func ("/deferred/already-called/subprocess", test_already_called_subprocess);
  g_test_add_func ("/deferred/cancel/no-canceller", test_cancel_no_canceller);
  g_test_add_func ("/deferred/cancel/late-result-dropped", test_cancel_late_result_dropped);
  g_test_add_func ("/deferred/cancel/multiple-cancels", test_cancel_multiple_cancels);
  g_test_add_func ("/deferred/cancel/canceller", test_cancel_canceller);
  g_test_add_func ("/deferred/cancel/canceller-that-fires", test_cancel_canceller_that_fires);
  g_test_add_func ("/deferred/cancel/after-callback", test_cancel_after_callback);
  g_test_add_func ("/deferred/cancel/nested-forwards", test_cancel_nested_forwards);
  g_test_add_func ("/deferred/timeout/succeeds-first", test_timeout_succeeds_first);
  g_test_add_func ("/deferred/timeout/times-out", test_timeout_times_out);
  g_test_add_func ("/deferred/timeout/canceller-result-wins", test_timeout_canceller_result_wins);
  g_test_add_func ("/deferred/timeout/cancel-before", test_timeout_cancel_before);
  g_test_add_func ("/deferred/list/all-results", test_list_all_results);
  g_test_add_func ("/deferred/list/empty", test_list_empty);
  g_test_add_func ("/deferred/list/fire-on-one-errback", test_list_fire_on_one_errback);
  g_test_add_func ("/deferred/list/fire-on-one-callback", test_list_fire_on_one_callback);
  g_test_add_func ("/deferred/list/consume-errors", test_list_consume_errors);
  g_test_add_func ("/deferred/list/already-fired", test_list_already_fired);
  g_test_add_func ("/deferred/list/cancel", test_list_cancel);
  g_test_add_func ("/deferred/gather/values", test_gather_values);
  g_test_add_func ("/deferred/gather/first-error", test_gather_first_error);
  g_test_add_func ("/deferred/gather/cancel", test_gather_cancel);
  g_test_add_func ("/deferred/race/first-wins", test_race_first_wins);
  g_test_add_func ("/deferred/race/all-fail", test_race_all_fail);
  g_test_add_func ("/deferred/race/cancel", test_race_cancel);
  g_test_add_func ("/deferred/helpers/maybe-deferred", test_helpers_maybe_deferred);
  g_test_add_func ("/deferred/helpers/succeed-fail", test_helpers_succeed_fail);
  g_test_add_func ("/deferred/helpers/defer-later", test_helpers_defer_later);
  g_test_add_func ("/deferred/unhandled/warning", test_unhandled_warning);
  g_test_add_func ("/deferred/unhandled/handler", test_unhandled_handler);
  g_test_add_func ("/deferred/lock/basic", test_lock_basic);
  g_test_add_func ("/deferred/lock/cancel-waiting", test_lock_cancel_waiting);
  g_test_add_func ("/deferred/lock/run", test_lock_run);
  g_test_add_func ("/deferred/semaphore/basic", test_semaphore_basic);
  g_test_add_func ("/deferred/queue/basic", test_queue_basic);
  g_test_add_func ("/deferred/queue/limits", test_queue_limits);
  g_test_add_func ("/deferred/queue/cancel-get", test_queue_cancel_get);
  g_test_add_func ("/deferred/gio/cancellable-cancels-deferred", test_gio_cancellable_cancels_deferred);
  g_test_add_func ("/deferred/gio/deferred-cancels-cancellable", test_gio_deferred_cancels_cancellable);
  g_test_add_func ("/deferred/gio/cancellable-from-thread", test_gio_cancellable_from_thread);
  g_test_add_func ("/deferred/gio/load-contents", test_gio_load_contents);
  g_test_add_func ("/deferred/gio/task", test_gio_task);
  g_test_add_func ("/deferred/gio/cancel-async", test_gio_cancel_async);
  g_test_add_func ("/deferred/result/boxed", test_result_boxed);

  return g_test_run ();
}
