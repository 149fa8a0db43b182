/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* WeftResult: the value or error a deferred carries along its chain. */

#include "weft-deferred-private.h"

G_DEFINE_BOXED_TYPE (WeftResult, weft_result, weft_result_copy, weft_result_free)
/**
 * weft_result_new:
 *
 * Creates an empty result, for code that builds results outside a chain
 * (for example to pass to weft_deferred_callback_result()).
 *
 * Returns: (transfer full): a new empty result; free it with
 *   weft_result_free()
 */
WeftResult *
weft_result_new (void)
{
  WeftResult *result = g_new (WeftResult, 1);

  result_init (result);
  return result;
}

/**
 * weft_result_copy:
 * @result: a result
 *
 * Copies @result: the value is copied with g_value_copy() (strings are
 * duplicated, objects referenced, boxed types copied; a plain pointer is
 * copied as a pointer), the error with g_error_copy().
 *
 * Returns: (transfer full): the copy
 */
WeftResult *
weft_result_copy (const WeftResult *result)
{
  WeftResult *copy;

  g_return_val_if_fail (result != NULL, NULL);

  copy = weft_result_new ();
  result_copy_into (copy, result);
  return copy;
}

/**
 * weft_result_free:
 * @result: (nullable) (transfer full): a result made by weft_result_new() or
 *   weft_result_copy()
 *
 * Frees @result with its value and error. Never call it on the result a
 * callback receives: that one belongs to the deferred.
 */
void
weft_result_free (WeftResult *result)
{
  if (result == NULL)
    return;
  result_reset (result);
  g_free (result);
}

/**
 * weft_result_is_error:
 * @result: a result
 *
 * Returns: %TRUE if @result holds an error
 */
gboolean
weft_result_is_error (const WeftResult *result)
{
  g_return_val_if_fail (result != NULL, FALSE);
  return result->error != NULL;
}

/**
 * weft_result_is_empty:
 * @result: a result
 *
 * Returns: %TRUE if @result holds neither a value nor an error
 */
gboolean
weft_result_is_empty (const WeftResult *result)
{
  g_return_val_if_fail (result != NULL, FALSE);
  return result->error == NULL && G_VALUE_TYPE (&result->value) == G_TYPE_INVALID;
}

/**
 * weft_result_holds:
 * @result: a result
 * @type: a `GType`
 *
 * Returns: %TRUE if @result holds a value of @type (or of a type derived
 *   from it)
 */
gboolean
weft_result_holds (const WeftResult *result, GType type)
{
  g_return_val_if_fail (result != NULL, FALSE);
  return G_VALUE_TYPE (&result->value) != G_TYPE_INVALID && g_type_is_a (G_VALUE_TYPE (&result->value), type);
}

/**
 * weft_result_get_index:
 * @result: a result
 *
 * For results made by the combinators: the position, in the array given to
 * weft_deferred_list_new(), weft_deferred_gather() or weft_deferred_race(),
 * of the deferred this result came from. Any setter resets it.
 *
 * Returns: the index, or -1
 */
int
weft_result_get_index (const WeftResult *result)
{
  g_return_val_if_fail (result != NULL, -1);
  return result->index;
}

/**
 * weft_result_get_error:
 * @result: a result
 *
 * Returns: (transfer none) (nullable): the error @result holds, owned by
 *   @result
 */
const GError *
weft_result_get_error (const WeftResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  return result->error;
}

/**
 * weft_result_error_matches:
 * @result: a result
 * @domain: an error domain
 * @code: an error code
 *
 * Returns: %TRUE if @result holds an error with @domain and @code
 */
gboolean
weft_result_error_matches (const WeftResult *result, GQuark domain, int code)
{
  g_return_val_if_fail (result != NULL, FALSE);
  return g_error_matches (result->error, domain, code);
}

/**
 * weft_result_is_cancelled:
 * @result: a result
 *
 * Returns: %TRUE if @result holds a %G_IO_ERROR_CANCELLED error (or the
 *   older %WEFT_ERROR_CANCELLED, which Weft no longer reports)
 */
gboolean
weft_result_is_cancelled (const WeftResult *result)
{
  g_return_val_if_fail (result != NULL, FALSE);
  return g_error_matches (result->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (result->error, WEFT_ERROR, WEFT_ERROR_CANCELLED);
}

/**
 * weft_result_propagate_error:
 * @result: a result
 * @error: return location for a copy of the error, or %NULL
 *
 * Lets synchronous-looking code return early:
 * `if (!weft_result_propagate_error (result, error)) return FALSE;`
 * The error stays in @result.
 *
 * Returns: %FALSE if @result holds an error (copied into @error)
 */
gboolean
weft_result_propagate_error (const WeftResult *result, GError **error)
{
  g_return_val_if_fail (result != NULL, FALSE);

  if (result->error == NULL)
    return TRUE;
  g_propagate_error (error, g_error_copy (result->error));
  return FALSE;
}

/**
 * weft_result_get_value:
 * @result: a result
 *
 * Returns: (transfer none) (nullable): the value, owned by @result, or %NULL
 *   if @result is an error or empty
 */
const GValue *
weft_result_get_value (const WeftResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  return G_VALUE_TYPE (&result->value) != G_TYPE_INVALID ? &result->value : NULL;
}

/**
 * weft_result_get_value_type:
 * @result: a result
 *
 * Returns: the type of the value, or %G_TYPE_INVALID if there is none
 */
GType
weft_result_get_value_type (const WeftResult *result)
{
  g_return_val_if_fail (result != NULL, G_TYPE_INVALID);
  return G_VALUE_TYPE (&result->value);
}

/* The typed getters are strict: asking an error, an empty result or a value
 * of another type is a programming error (a critical names the function). */
#define CHECK_HOLDS(result, type, fallback)                                             \
  G_STMT_START                                                                          \
  {                                                                                     \
    g_return_val_if_fail ((result) != NULL, fallback);                                  \
    g_return_val_if_fail (G_VALUE_TYPE (&(result)->value) != G_TYPE_INVALID, fallback); \
    g_return_val_if_fail (G_VALUE_HOLDS (&(result)->value, type), fallback);            \
  }                                                                                     \
  G_STMT_END

/**
 * weft_result_get_boolean:
 * @result: a result holding a %G_TYPE_BOOLEAN
 *
 * Returns: the value
 */
gboolean
weft_result_get_boolean (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_BOOLEAN, FALSE);
  return g_value_get_boolean (&result->value);
}

/**
 * weft_result_get_int:
 * @result: a result holding a %G_TYPE_INT
 *
 * Returns: the value
 */
int
weft_result_get_int (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_INT, 0);
  return g_value_get_int (&result->value);
}

/**
 * weft_result_get_uint:
 * @result: a result holding a %G_TYPE_UINT
 *
 * Returns: the value
 */
guint
weft_result_get_uint (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_UINT, 0);
  return g_value_get_uint (&result->value);
}

/**
 * weft_result_get_int64:
 * @result: a result holding a %G_TYPE_INT64
 *
 * Returns: the value
 */
gint64
weft_result_get_int64 (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_INT64, 0);
  return g_value_get_int64 (&result->value);
}

/**
 * weft_result_get_uint64:
 * @result: a result holding a %G_TYPE_UINT64
 *
 * Returns: the value
 */
guint64
weft_result_get_uint64 (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_UINT64, 0);
  return g_value_get_uint64 (&result->value);
}

/**
 * weft_result_get_double:
 * @result: a result holding a %G_TYPE_DOUBLE
 *
 * Returns: the value
 */
double
weft_result_get_double (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_DOUBLE, 0.0);
  return g_value_get_double (&result->value);
}

/**
 * weft_result_get_string:
 * @result: a result holding a %G_TYPE_STRING
 *
 * Returns: (transfer none) (nullable): the string, owned by @result
 */
const char *
weft_result_get_string (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_STRING, NULL);
  return g_value_get_string (&result->value);
}

/**
 * weft_result_dup_string:
 * @result: a result holding a %G_TYPE_STRING
 *
 * Returns: (transfer full) (nullable): a copy of the string
 */
char *
weft_result_dup_string (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_STRING, NULL);
  return g_value_dup_string (&result->value);
}

/**
 * weft_result_get_pointer:
 * @result: a result holding a %G_TYPE_POINTER
 *
 * Returns: (transfer none) (nullable): the pointer; the result never owned
 *   what it points to
 */
gpointer
weft_result_get_pointer (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_POINTER, NULL);
  return g_value_get_pointer (&result->value);
}

/**
 * weft_result_get_object:
 * @result: a result holding an object (or an interface implemented by one)
 *
 * Returns: (transfer none) (nullable) (type GObject): the object, owned by
 *   @result
 */
gpointer
weft_result_get_object (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_OBJECT, NULL);
  return g_value_get_object (&result->value);
}

/**
 * weft_result_dup_object:
 * @result: a result holding an object
 *
 * Returns: (transfer full) (nullable) (type GObject): a new reference to the
 *   object
 */
gpointer
weft_result_dup_object (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_OBJECT, NULL);
  return g_value_dup_object (&result->value);
}

/**
 * weft_result_get_boxed:
 * @result: a result holding a boxed type
 *
 * Returns: (transfer none) (nullable): the boxed value, owned by @result
 */
gpointer
weft_result_get_boxed (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_BOXED, NULL);
  return g_value_get_boxed (&result->value);
}

/**
 * weft_result_get_results:
 * @result: the result of weft_deferred_gather() or weft_deferred_list_new()
 *
 * Returns: (transfer none) (element-type WeftResult): one result per input
 *   deferred, in the order given, owned by @result
 */
GPtrArray *
weft_result_get_results (const WeftResult *result)
{
  CHECK_HOLDS (result, G_TYPE_PTR_ARRAY, NULL);
  return g_value_get_boxed (&result->value);
}

/**
 * weft_result_clear:
 * @result: a result
 *
 * Makes @result empty: no value, no error. In an errback this recovers from
 * the error with "nothing".
 */
void
weft_result_clear (WeftResult *result)
{
  g_return_if_fail (result != NULL);
  result_reset (result);
}

/**
 * weft_result_set_value:
 * @result: a result
 * @value: (nullable): the new value, copied; %NULL makes @result empty
 *
 * Replaces what @result holds with a copy of @value.
 */
void
weft_result_set_value (WeftResult *result, const GValue *value)
{
  g_return_if_fail (result != NULL);

  if (value == NULL || G_VALUE_TYPE (value) == G_TYPE_INVALID)
    {
      result_reset (result);
      return;
    }
  g_value_copy (value, result_prepare (result, G_VALUE_TYPE (value)));
}

/**
 * weft_result_take_value:
 * @result: a result
 * @value: an initialized value whose contents @result takes over; it is left
 *   unset (zero-filled), so it need not be g_value_unset()
 *
 * Replaces what @result holds with @value, without copying.
 */
void
weft_result_take_value (WeftResult *result, GValue *value)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (value != NULL);

  result_reset (result);
  result->value = *value;
  memset (value, 0, sizeof *value);
}

/**
 * weft_result_set_boolean:
 * @result: a result
 * @value: the new value
 *
 * Replaces what @result holds with a %G_TYPE_BOOLEAN.
 */
void
weft_result_set_boolean (WeftResult *result, gboolean value)
{
  g_return_if_fail (result != NULL);
  g_value_set_boolean (result_prepare (result, G_TYPE_BOOLEAN), value);
}

/**
 * weft_result_set_int:
 * @result: a result
 * @value: the new value
 *
 * Replaces what @result holds with a %G_TYPE_INT.
 */
void
weft_result_set_int (WeftResult *result, int value)
{
  g_return_if_fail (result != NULL);
  g_value_set_int (result_prepare (result, G_TYPE_INT), value);
}

/**
 * weft_result_set_uint:
 * @result: a result
 * @value: the new value
 *
 * Replaces what @result holds with a %G_TYPE_UINT.
 */
void
weft_result_set_uint (WeftResult *result, guint value)
{
  g_return_if_fail (result != NULL);
  g_value_set_uint (result_prepare (result, G_TYPE_UINT), value);
}

/**
 * weft_result_set_int64:
 * @result: a result
 * @value: the new value
 *
 * Replaces what @result holds with a %G_TYPE_INT64.
 */
void
weft_result_set_int64 (WeftResult *result, gint64 value)
{
  g_return_if_fail (result != NULL);
  g_value_set_int64 (result_prepare (result, G_TYPE_INT64), value);
}

/**
 * weft_result_set_uint64:
 * @result: a result
 * @value: the new value
 *
 * Replaces what @result holds with a %G_TYPE_UINT64.
 */
void
weft_result_set_uint64 (WeftResult *result, guint64 value)
{
  g_return_if_fail (result != NULL);
  g_value_set_uint64 (result_prepare (result, G_TYPE_UINT64), value);
}

/**
 * weft_result_set_double:
 * @result: a result
 * @value: the new value
 *
 * Replaces what @result holds with a %G_TYPE_DOUBLE.
 */
void
weft_result_set_double (WeftResult *result, double value)
{
  g_return_if_fail (result != NULL);
  g_value_set_double (result_prepare (result, G_TYPE_DOUBLE), value);
}

/**
 * weft_result_set_string:
 * @result: a result
 * @value: (nullable): the new string, copied
 *
 * Replaces what @result holds with a %G_TYPE_STRING.
 */
void
weft_result_set_string (WeftResult *result, const char *value)
{
  g_return_if_fail (result != NULL);
  g_value_set_string (result_prepare (result, G_TYPE_STRING), value);
}

/**
 * weft_result_take_string:
 * @result: a result
 * @value: (nullable) (transfer full): the new string
 *
 * Replaces what @result holds with a %G_TYPE_STRING, taking @value.
 */
void
weft_result_take_string (WeftResult *result, char *value)
{
  g_return_if_fail (result != NULL);
  g_value_take_string (result_prepare (result, G_TYPE_STRING), value);
}

/**
 * weft_result_set_pointer:
 * @result: a result
 * @value: (nullable): the new pointer
 *
 * Replaces what @result holds with a %G_TYPE_POINTER. The result does not
 * own what @value points to; use a boxed type or an object for data that
 * must be freed with the result.
 */
void
weft_result_set_pointer (WeftResult *result, gpointer value)
{
  g_return_if_fail (result != NULL);
  g_value_set_pointer (result_prepare (result, G_TYPE_POINTER), value);
}

/**
 * weft_result_set_object:
 * @result: a result
 * @object: (type GObject): the new object; @result takes a reference
 *
 * Replaces what @result holds with @object, as a value of its own type.
 */
void
weft_result_set_object (WeftResult *result, gpointer object)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (G_IS_OBJECT (object));
  g_value_set_object (result_prepare (result, G_OBJECT_TYPE (object)), object);
}

/**
 * weft_result_take_object:
 * @result: a result
 * @object: (type GObject) (transfer full): the new object
 *
 * Replaces what @result holds with @object, taking the caller's reference.
 */
void
weft_result_take_object (WeftResult *result, gpointer object)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (G_IS_OBJECT (object));
  g_value_take_object (result_prepare (result, G_OBJECT_TYPE (object)), object);
}

/**
 * weft_result_set_boxed:
 * @result: a result
 * @boxed_type: a boxed type
 * @boxed: (nullable): the new value, copied with @boxed_type's copy function
 *
 * Replaces what @result holds with a copy of @boxed.
 */
void
weft_result_set_boxed (WeftResult *result, GType boxed_type, gconstpointer boxed)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (G_TYPE_FUNDAMENTAL (boxed_type) == G_TYPE_BOXED);
  g_value_set_boxed (result_prepare (result, boxed_type), boxed);
}

/**
 * weft_result_take_boxed:
 * @result: a result
 * @boxed_type: a boxed type
 * @boxed: (nullable) (transfer full): the new value
 *
 * Replaces what @result holds with @boxed, taking ownership of it.
 */
void
weft_result_take_boxed (WeftResult *result, GType boxed_type, gpointer boxed)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (G_TYPE_FUNDAMENTAL (boxed_type) == G_TYPE_BOXED);
  g_value_take_boxed (result_prepare (result, boxed_type), boxed);
}

/**
 * weft_result_set_error:
 * @result: a result
 * @error: the error, copied
 *
 * Replaces what @result holds with a copy of @error.
 */
void
weft_result_set_error (WeftResult *result, const GError *error)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (error != NULL);
  result_reset (result);
  result->error = g_error_copy (error);
}

/**
 * weft_result_take_error:
 * @result: a result
 * @error: (transfer full): the error
 *
 * Replaces what @result holds with @error, taking ownership of it.
 */
void
weft_result_take_error (WeftResult *result, GError *error)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (error != NULL);
  result_reset (result);
  result->error = error;
}

/**
 * weft_result_set_error_literal:
 * @result: a result
 * @domain: the error domain
 * @code: the error code
 * @message: the message
 *
 * Replaces what @result holds with a new error.
 */
void
weft_result_set_error_literal (WeftResult *result, GQuark domain, int code, const char *message)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (message != NULL);
  result_reset (result);
  result->error = g_error_new_literal (domain, code, message);
}

/**
 * weft_result_set_new_error:
 * @result: a result
 * @domain: the error domain
 * @code: the error code
 * @format: a printf()-style format for the message
 * @...: its arguments
 *
 * Replaces what @result holds with a new error.
 */
void
weft_result_set_new_error (WeftResult *result, GQuark domain, int code, const char *format, ...)
{
  va_list args;

  g_return_if_fail (result != NULL);
  g_return_if_fail (format != NULL);

  result_reset (result);
  va_start (args, format);
  result->error = g_error_new_valist (domain, code, format, args);
  va_end (args);
}
