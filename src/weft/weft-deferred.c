/* Deferred: Twisted's callback chains on GLib.
 *
 * A deferred holds a result slot, a queue of entries (callback pairs, or the
 * two internal kinds below) and a pause counter. Firing stores the result and
 * runs the queue. A callback that returns a pending deferred makes the outer
 * one pause and appends a CONTINUE entry to the inner one; when the inner
 * reaches that entry it hands its result back. deferred_run() follows these
 * hand-offs with an explicit stack, never by recursion, so chains of any
 * length and nesting depth run in constant C stack.
 */

#include "weft-deferred.h"
#include "weft-error.h"

#include <string.h>

struct _WeftResult {
  GValue value;
  GError *error;
  int index;
};

typedef enum {
  ENTRY_CALLBACKS,
  /* user_data: the deferred waiting for this one (holds a reference) */
  ENTRY_CONTINUE,
  /* user_data: the deferred that weft_deferred_chain() fires (a reference) */
  ENTRY_CHAIN,
} EntryKind;

typedef struct {
  WeftDeferredFunc callback;
  WeftDeferredFunc errback;
  gpointer user_data;
  GDestroyNotify notify;
  EntryKind kind;
} Entry;

/* Most deferreds get one or two callbacks: keep those in the instance. */
#define N_INLINE_ENTRIES 2

/* Ties a deferred to a GCancellable; shared with the signal handler, which
 * may run in another thread. */
typedef struct {
  GCancellable *cancellable;
  GWeakRef deferred;
  GMainContext *context;
  GThread *thread;
  gulong handler_id;
} CancellableLink;

struct _WeftDeferred {
  GObject parent_instance;

  WeftResult result;

  Entry *entries;
  guint head;
  guint n_entries;
  guint n_allocated;

  /* weft_deferred_pause() calls plus one while waiting for another deferred */
  guint paused;

  /* The deferred whose CONTINUE entry will resume us; not a reference: the
   * entry clears it when it runs or is dropped. */
  WeftDeferred *waiting_on;

  WeftDeferredCanceller canceller;
  gpointer canceller_data;
  GDestroyNotify canceller_notify;

  char *description;
  CancellableLink *link;

  guint fired : 1;
  guint running : 1;
  guint cancelling : 1;
  /* Set when cancel() fired us: the operation's own late result is dropped. */
  guint drop_late_result : 1;

  Entry inline_entries[N_INLINE_ENTRIES];
};

G_DEFINE_FINAL_TYPE (WeftDeferred, weft_deferred, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (WeftResult, weft_result, weft_result_copy, weft_result_free)

G_DEFINE_FLAGS_TYPE (WeftDeferredListFlags,
                     weft_deferred_list_flags,
                     G_DEFINE_ENUM_VALUE (WEFT_DEFERRED_LIST_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (WEFT_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK, "fire-on-one-callback"),
                     G_DEFINE_ENUM_VALUE (WEFT_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK, "fire-on-one-errback"),
                     G_DEFINE_ENUM_VALUE (WEFT_DEFERRED_LIST_CONSUME_ERRORS, "consume-errors"))

static void deferred_release (WeftDeferred *deferred);

/* Results */

static inline void
result_init (WeftResult *result)
{
  memset (&result->value, 0, sizeof result->value);
  result->error = NULL;
  result->index = -1;
}

static inline void
result_reset (WeftResult *result)
{
  if (G_VALUE_TYPE (&result->value) != G_TYPE_INVALID)
    g_value_unset (&result->value);
  g_clear_error (&result->error);
  result->index = -1;
}

/* Moves @src into @dest, leaving @src empty. A GValue holds no pointer to
 * itself, so a plain struct copy moves it. */
static inline void
result_move (WeftResult *dest, WeftResult *src)
{
  result_reset (dest);
  *dest = *src;
  result_init (src);
}

static void
result_copy_into (WeftResult *dest, const WeftResult *src)
{
  result_reset (dest);
  if (src->error != NULL)
    dest->error = g_error_copy (src->error);
  else if (G_VALUE_TYPE (&src->value) != G_TYPE_INVALID)
    {
      g_value_init (&dest->value, G_VALUE_TYPE (&src->value));
      g_value_copy (&src->value, &dest->value);
    }
  dest->index = src->index;
}

static inline GValue *
result_prepare (WeftResult *result, GType type)
{
  result_reset (result);
  g_value_init (&result->value, type);
  return &result->value;
}

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
 * Returns: %TRUE if @result holds a %WEFT_ERROR_CANCELLED or a
 *   %G_IO_ERROR_CANCELLED error
 */
gboolean
weft_result_is_cancelled (const WeftResult *result)
{
  g_return_val_if_fail (result != NULL, FALSE);
  return g_error_matches (result->error, WEFT_ERROR, WEFT_ERROR_CANCELLED) ||
         g_error_matches (result->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
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

/* Descriptions, and what an unhandled error does */

static const char *
deferred_describe (WeftDeferred *self, char *buffer, gsize size)
{
  if (self->description != NULL)
    return self->description;
  g_snprintf (buffer, size, "WeftDeferred %p", (void *) self);
  return buffer;
}

/* The subject of a sentence in an error message meant for people. */
static const char *
deferred_subject (WeftDeferred *self)
{
  return self->description != NULL ? self->description : "The operation";
}

G_LOCK_DEFINE_STATIC (unhandled);
static WeftUnhandledErrorFunc unhandled_func;
static gpointer unhandled_data;
static guint unhandled_count;

/**
 * weft_deferred_set_unhandled_error_func:
 * @func: (nullable) (scope forever): called for each unhandled error instead
 *   of the default g_warning(), or %NULL for the default
 * @user_data: data for @func
 *
 * An error that reaches the end of a deferred's chain and is still there
 * when the deferred's last reference goes is "unhandled". By default it is
 * reported with g_warning(), naming the deferred's description and quoting
 * the error's message. A test kit can install a function that turns it into
 * a test failure (g_test_fail_printf()). Set it before deferreds are in use.
 */
void
weft_deferred_set_unhandled_error_func (WeftUnhandledErrorFunc func, gpointer user_data)
{
  G_LOCK (unhandled);
  unhandled_func = func;
  unhandled_data = user_data;
  G_UNLOCK (unhandled);
}

/**
 * weft_deferred_get_unhandled_error_count:
 *
 * Counts the unhandled errors reported since the program started, in every
 * thread; a test can compare the count before and after its work.
 *
 * Returns: the number of unhandled errors reported so far
 */
guint
weft_deferred_get_unhandled_error_count (void)
{
  return g_atomic_int_get (&unhandled_count);
}

static void
deferred_report_unhandled (WeftDeferred *self)
{
  WeftUnhandledErrorFunc func;
  gpointer data;
  char buffer[64];
  const char *description = deferred_describe (self, buffer, sizeof buffer);
  const GError *error = self->result.error;

  g_atomic_int_inc (&unhandled_count);

  G_LOCK (unhandled);
  func = unhandled_func;
  data = unhandled_data;
  G_UNLOCK (unhandled);

  if (func != NULL)
    func (description, error, data);
  else
    g_warning ("Unhandled error in %s: %s (%s, %d)", description, error->message, g_quark_to_string (error->domain),
               error->code);
}

/* Releasing references without recursion.
 *
 * A deferred may hold the only reference to the deferred waiting for it
 * (through a CONTINUE entry). Dropping a long nest of such deferreds that
 * never fired would finalize them recursively, one C frame set per level;
 * this queue turns that into a loop. */

static _Thread_local guint release_depth;
static _Thread_local GPtrArray *release_pending;

static void
deferred_release (WeftDeferred *deferred)
{
  if (release_depth > 0)
    {
      if (release_pending == NULL)
        release_pending = g_ptr_array_new ();
      g_ptr_array_add (release_pending, deferred);
      return;
    }

  release_depth++;
  g_object_unref (deferred);
  while (release_pending != NULL && release_pending->len > 0)
    g_object_unref (g_ptr_array_steal_index (release_pending, release_pending->len - 1));
  g_clear_pointer (&release_pending, g_ptr_array_unref);
  release_depth--;
}

/* Entries */

/* An entry that will never run: drop what it holds. */
static void
entry_release (const Entry *entry)
{
  switch (entry->kind)
    {
    case ENTRY_CALLBACKS:
      if (entry->notify != NULL)
        entry->notify (entry->user_data);
      break;

    case ENTRY_CONTINUE:
      /* The waiter will never be resumed by us. */
      ((WeftDeferred *) entry->user_data)->waiting_on = NULL;
      deferred_release (entry->user_data);
      break;

    case ENTRY_CHAIN:
      deferred_release (entry->user_data);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
deferred_push_entry (WeftDeferred *self, const Entry *entry)
{
  if (self->head == self->n_entries)
    self->head = self->n_entries = 0;

  if (self->n_entries == self->n_allocated)
    {
      if (self->head > 0)
        {
          /* Callbacks that keep adding callbacks reuse the consumed front. */
          memmove (self->entries, self->entries + self->head, (self->n_entries - self->head) * sizeof (Entry));
          self->n_entries -= self->head;
          self->head = 0;
        }
      else if (self->entries == self->inline_entries)
        {
          self->n_allocated *= 4;
          self->entries = g_new (Entry, self->n_allocated);
          memcpy (self->entries, self->inline_entries, sizeof self->inline_entries);
        }
      else
        {
          self->n_allocated *= 2;
          self->entries = g_renew (Entry, self->entries, self->n_allocated);
        }
    }

  self->entries[self->n_entries++] = *entry;
}

static void
deferred_release_canceller (WeftDeferred *self)
{
  GDestroyNotify notify = self->canceller_notify;
  gpointer data = self->canceller_data;

  self->canceller = NULL;
  self->canceller_data = NULL;
  self->canceller_notify = NULL;
  if (notify != NULL)
    notify (data);
}

/* Running the chain */

typedef struct {
  WeftDeferred **items;
  guint len;
  guint allocated;
  WeftDeferred *inline_items[16];
} Stack;

static inline void
stack_push (Stack *stack, WeftDeferred *deferred)
{
  if (G_UNLIKELY (stack->len == stack->allocated))
    {
      stack->allocated *= 2;
      if (stack->items == stack->inline_items)
        {
          stack->items = g_new (WeftDeferred *, stack->allocated);
          memcpy (stack->items, stack->inline_items, sizeof stack->inline_items);
        }
      else
        stack->items = g_renew (WeftDeferred *, stack->items, stack->allocated);
    }
  stack->items[stack->len++] = deferred;
}

/* @current's callback returned @next (a reference, taken here). Returns
 * TRUE if @current must now wait for @next, FALSE if @next's result was
 * taken at once and the chain goes on. */
static gboolean
deferred_wait_for (WeftDeferred *current, WeftDeferred *next)
{
  Entry entry = { NULL, NULL, NULL, NULL, ENTRY_CONTINUE };

  if (G_UNLIKELY (next == current))
    {
      char buffer[64];

      g_critical ("A callback of %s returned the deferred it is attached to; "
                  "the returned value is ignored",
                  deferred_describe (current, buffer, sizeof buffer));
      g_object_unref (next);
      return FALSE;
    }

  if (next->fired && next->paused == 0)
    {
      result_move (&current->result, &next->result);
      g_object_unref (next);
      return FALSE;
    }

  /* The result we had is replaced by @next's when it arrives. */
  result_reset (&current->result);
  current->paused++;
  current->waiting_on = next;
  entry.user_data = g_object_ref (current);
  deferred_push_entry (next, &entry);
  g_object_unref (next);
  return TRUE;
}

static void
deferred_run (WeftDeferred *self)
{
  Stack stack;

  if (self->running || self->paused > 0)
    return;

  stack.items = stack.inline_items;
  stack.len = 0;
  stack.allocated = G_N_ELEMENTS (stack.inline_items);
  stack_push (&stack, g_object_ref (self));

  while (stack.len > 0)
    {
      WeftDeferred *current = stack.items[stack.len - 1];
      gboolean finished = TRUE;

      while (current->paused == 0 && current->head < current->n_entries)
        {
          Entry entry = current->entries[current->head++];
          WeftDeferredFunc func;
          WeftDeferred *next = NULL;

          if (entry.kind == ENTRY_CONTINUE)
            {
              WeftDeferred *waiter = entry.user_data;

              /* Hand our result to the deferred that waited for us and go on
               * with its chain; the entry's reference moves to the stack. */
              result_move (&waiter->result, &current->result);
              waiter->waiting_on = NULL;
              waiter->paused--;
              stack_push (&stack, waiter);
              finished = FALSE;
              break;
            }

          if (entry.kind == ENTRY_CHAIN)
            {
              WeftDeferred *other = entry.user_data;

              if (!other->fired)
                {
                  other->fired = TRUE;
                  result_move (&other->result, &current->result);
                  deferred_release_canceller (other);
                  stack_push (&stack, other);
                  finished = FALSE;
                  break;
                }
              if (other->drop_late_result)
                other->drop_late_result = FALSE;
              else
                {
                  char buffer[64];

                  g_critical ("weft_deferred_chain: %s has already fired; the result is dropped",
                              deferred_describe (other, buffer, sizeof buffer));
                }
              result_reset (&current->result);
              deferred_release (other);
              continue;
            }

          func = current->result.error != NULL ? entry.errback : entry.callback;
          if (func != NULL)
            {
              current->running = TRUE;
              next = func (&current->result, entry.user_data);
              current->running = FALSE;
            }
          if (entry.notify != NULL)
            entry.notify (entry.user_data);

          if (next != NULL && deferred_wait_for (current, next))
            break;
        }

      if (finished)
        {
          stack.len--;
          g_object_unref (current);
        }
    }

  if (stack.items != stack.inline_items)
    g_free (stack.items);
}

/* Firing */

/* Returns the slot to store the result in, or NULL if the deferred has
 * fired already (the caller then frees what it was given). */
static WeftResult *
deferred_begin_fire (WeftDeferred *self, const char *strfunc)
{
  if (G_UNLIKELY (self->fired))
    {
      char buffer[64];

      if (self->drop_late_result)
        {
          self->drop_late_result = FALSE;
          return NULL;
        }
      g_critical ("%s: %s has already fired; the new result is dropped", strfunc,
                  deferred_describe (self, buffer, sizeof buffer));
      return NULL;
    }

  self->fired = TRUE;
  return &self->result;
}

static void
deferred_end_fire (WeftDeferred *self)
{
  /* weft_deferred_cancel() releases the canceller itself once it returns. */
  if (self->canceller_notify != NULL && !self->cancelling)
    {
      g_object_ref (self);
      deferred_release_canceller (self);
      deferred_run (self);
      g_object_unref (self);
      return;
    }

  if (!self->cancelling)
    {
      self->canceller = NULL;
      self->canceller_data = NULL;
    }
  deferred_run (self);
}

static void
deferred_fire_move (WeftDeferred *self, WeftResult *result, const char *strfunc)
{
  WeftResult *slot = deferred_begin_fire (self, strfunc);

  if (slot == NULL)
    {
      result_reset (result);
      return;
    }
  result_move (slot, result);
  deferred_end_fire (self);
}

static void
deferred_fire_take_value (WeftDeferred *self, GValue *value, const char *strfunc)
{
  WeftResult *slot = deferred_begin_fire (self, strfunc);

  if (slot == NULL)
    {
      g_value_unset (value);
      return;
    }
  slot->value = *value;
  memset (value, 0, sizeof *value);
  deferred_end_fire (self);
}

static void
deferred_fire_error (WeftDeferred *self, GError *error, const char *strfunc)
{
  WeftResult *slot = deferred_begin_fire (self, strfunc);

  if (slot == NULL)
    {
      g_error_free (error);
      return;
    }
  slot->error = error;
  deferred_end_fire (self);
}

/* GObject */

static void cancellable_link_drop (CancellableLink *link, WeftDeferred *self);

static void
weft_deferred_finalize (GObject *object)
{
  WeftDeferred *self = WEFT_DEFERRED (object);

  if (self->result.error != NULL)
    deferred_report_unhandled (self);

  while (self->head < self->n_entries)
    {
      Entry entry = self->entries[self->head++];

      entry_release (&entry);
    }
  if (self->entries != self->inline_entries)
    g_free (self->entries);

  if (self->link != NULL)
    cancellable_link_drop (g_steal_pointer (&self->link), self);

  deferred_release_canceller (self);
  result_reset (&self->result);
  g_free (self->description);

  G_OBJECT_CLASS (weft_deferred_parent_class)->finalize (object);
}

static void
weft_deferred_class_init (WeftDeferredClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = weft_deferred_finalize;
}

static void
weft_deferred_init (WeftDeferred *self)
{
  result_init (&self->result);
  self->entries = self->inline_entries;
  self->n_allocated = N_INLINE_ENTRIES;
}

/**
 * weft_deferred_new:
 *
 * Creates a deferred that has not fired.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_deferred_new (void)
{
  return g_object_new (WEFT_TYPE_DEFERRED, NULL);
}

/**
 * weft_deferred_new_with_canceller:
 * @canceller: (scope notified) (nullable): stops the operation when the
 *   deferred is cancelled
 * @user_data: data for @canceller
 * @notify: (nullable): frees @user_data once the deferred has fired (or is
 *   finalized), when the canceller can no longer be called
 *
 * Creates a deferred whose weft_deferred_cancel() calls @canceller.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_deferred_new_with_canceller (WeftDeferredCanceller canceller, gpointer user_data, GDestroyNotify notify)
{
  WeftDeferred *self = weft_deferred_new ();

  self->canceller = canceller;
  self->canceller_data = user_data;
  self->canceller_notify = notify;
  return self;
}

/**
 * weft_deferred_succeed:
 * @value: (nullable): the value, copied; %NULL for an empty result
 *
 * Twisted's `succeed()`: a deferred that has already fired with @value.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_deferred_succeed (const GValue *value)
{
  WeftDeferred *self = weft_deferred_new ();

  weft_deferred_callback_value (self, value);
  return self;
}

/**
 * weft_deferred_succeed_none:
 *
 * Returns: (transfer full): a new deferred that has fired with an empty
 *   result
 */
WeftDeferred *
weft_deferred_succeed_none (void)
{
  WeftDeferred *self = weft_deferred_new ();

  weft_deferred_callback_none (self);
  return self;
}

/**
 * weft_deferred_succeed_boolean:
 * @value: the value
 *
 * Returns: (transfer full): a new deferred that has fired with @value
 */
WeftDeferred *
weft_deferred_succeed_boolean (gboolean value)
{
  WeftDeferred *self = weft_deferred_new ();

  weft_deferred_callback_boolean (self, value);
  return self;
}

/**
 * weft_deferred_succeed_int:
 * @value: the value
 *
 * Returns: (transfer full): a new deferred that has fired with @value
 */
WeftDeferred *
weft_deferred_succeed_int (int value)
{
  WeftDeferred *self = weft_deferred_new ();

  weft_deferred_callback_int (self, value);
  return self;
}

/**
 * weft_deferred_succeed_string:
 * @value: (nullable): the string, copied
 *
 * Returns: (transfer full): a new deferred that has fired with @value
 */
WeftDeferred *
weft_deferred_succeed_string (const char *value)
{
  WeftDeferred *self = weft_deferred_new ();

  weft_deferred_callback_string (self, value);
  return self;
}

/**
 * weft_deferred_succeed_pointer:
 * @value: (nullable): the pointer, not owned by the deferred
 *
 * Returns: (transfer full): a new deferred that has fired with @value
 */
WeftDeferred *
weft_deferred_succeed_pointer (gpointer value)
{
  WeftDeferred *self = weft_deferred_new ();

  weft_deferred_callback_pointer (self, value);
  return self;
}

/**
 * weft_deferred_succeed_object:
 * @object: (type GObject): the object; the deferred takes a reference
 *
 * Returns: (transfer full): a new deferred that has fired with @object
 */
WeftDeferred *
weft_deferred_succeed_object (gpointer object)
{
  WeftDeferred *self = weft_deferred_new ();

  weft_deferred_callback_object (self, object);
  return self;
}

/**
 * weft_deferred_fail:
 * @error: (transfer full): the error
 *
 * Twisted's `fail()`: a deferred that has already failed with @error. Add
 * an errback, or the error is reported as unhandled when the deferred goes.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_deferred_fail (GError *error)
{
  WeftDeferred *self = weft_deferred_new ();

  weft_deferred_errback (self, error);
  return self;
}

/**
 * weft_deferred_fail_literal:
 * @domain: the error domain
 * @code: the error code
 * @message: the message
 *
 * Returns: (transfer full): a new deferred that has failed with a new error
 */
WeftDeferred *
weft_deferred_fail_literal (GQuark domain, int code, const char *message)
{
  return weft_deferred_fail (g_error_new_literal (domain, code, message));
}

/**
 * weft_maybe_deferred:
 * @func: (scope call): a function of the callback shape
 * @user_data: data for @func
 *
 * Twisted's `maybeDeferred()`: calls @func now with an empty result to fill
 * in, and wraps whatever it produced (a value, an error, or a deferred it
 * returned) in a deferred, so callers handle synchronous and asynchronous
 * implementations the same way.
 *
 * Returns: (transfer full): a deferred with @func's result
 */
WeftDeferred *
weft_maybe_deferred (WeftDeferredFunc func, gpointer user_data)
{
  WeftDeferred *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = weft_deferred_new ();
  weft_deferred_add_callback (self, func, user_data, NULL);
  weft_deferred_callback_none (self);
  return self;
}

/**
 * weft_deferred_set_description:
 * @self: a deferred
 * @description: (nullable): what the deferred stands for, e.g.
 *   "connect to irc.example.org:6697"
 *
 * Names the deferred in diagnostics (firing twice, unhandled errors) and in
 * the messages of the cancellation and timeout errors it produces.
 */
void
weft_deferred_set_description (WeftDeferred *self, const char *description)
{
  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_free (self->description);
  self->description = g_strdup (description);
}

/**
 * weft_deferred_get_description:
 * @self: a deferred
 *
 * Returns: (nullable): the description given with
 *   weft_deferred_set_description()
 */
const char *
weft_deferred_get_description (WeftDeferred *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED (self), NULL);
  return self->description;
}

/**
 * weft_deferred_callback_value:
 * @self: a deferred that has not fired
 * @value: (nullable): the value, copied; %NULL for an empty result
 *
 * Fires @self with @value: its callbacks run now, in order.
 */
void
weft_deferred_callback_value (WeftDeferred *self, const GValue *value)
{
  WeftResult *slot;

  g_return_if_fail (WEFT_IS_DEFERRED (self));

  slot = deferred_begin_fire (self, G_STRFUNC);
  if (slot == NULL)
    return;
  if (value != NULL && G_VALUE_TYPE (value) != G_TYPE_INVALID)
    {
      g_value_init (&slot->value, G_VALUE_TYPE (value));
      g_value_copy (value, &slot->value);
    }
  deferred_end_fire (self);
}

/**
 * weft_deferred_callback_none:
 * @self: a deferred that has not fired
 *
 * Fires @self with an empty result.
 */
void
weft_deferred_callback_none (WeftDeferred *self)
{
  g_return_if_fail (WEFT_IS_DEFERRED (self));

  if (deferred_begin_fire (self, G_STRFUNC) != NULL)
    deferred_end_fire (self);
}

/* The typed firing functions share one shape. */
#define DEFINE_CALLBACK(suffix, ctype, gtype, setter)                    \
  void weft_deferred_callback_##suffix (WeftDeferred *self, ctype value) \
  {                                                                      \
    WeftResult *slot;                                                    \
                                                                         \
    g_return_if_fail (WEFT_IS_DEFERRED (self));                          \
                                                                         \
    slot = deferred_begin_fire (self, G_STRFUNC);                        \
    if (slot == NULL)                                                    \
      return;                                                            \
    g_value_init (&slot->value, gtype);                                  \
    setter (&slot->value, value);                                        \
    deferred_end_fire (self);                                            \
  }

/**
 * weft_deferred_callback_boolean:
 * @self: a deferred that has not fired
 * @value: the value
 *
 * Fires @self with a %G_TYPE_BOOLEAN.
 */
DEFINE_CALLBACK (boolean, gboolean, G_TYPE_BOOLEAN, g_value_set_boolean)

/**
 * weft_deferred_callback_int:
 * @self: a deferred that has not fired
 * @value: the value
 *
 * Fires @self with a %G_TYPE_INT.
 */
DEFINE_CALLBACK (int, int, G_TYPE_INT, g_value_set_int)

/**
 * weft_deferred_callback_uint:
 * @self: a deferred that has not fired
 * @value: the value
 *
 * Fires @self with a %G_TYPE_UINT.
 */
DEFINE_CALLBACK (uint, guint, G_TYPE_UINT, g_value_set_uint)

/**
 * weft_deferred_callback_int64:
 * @self: a deferred that has not fired
 * @value: the value
 *
 * Fires @self with a %G_TYPE_INT64.
 */
DEFINE_CALLBACK (int64, gint64, G_TYPE_INT64, g_value_set_int64)

/**
 * weft_deferred_callback_double:
 * @self: a deferred that has not fired
 * @value: the value
 *
 * Fires @self with a %G_TYPE_DOUBLE.
 */
DEFINE_CALLBACK (double, double, G_TYPE_DOUBLE, g_value_set_double)

/**
 * weft_deferred_callback_string:
 * @self: a deferred that has not fired
 * @value: (nullable): the string, copied
 *
 * Fires @self with a %G_TYPE_STRING.
 */
DEFINE_CALLBACK (string, const char *, G_TYPE_STRING, g_value_set_string)

/**
 * weft_deferred_callback_pointer:
 * @self: a deferred that has not fired
 * @value: (nullable): the pointer, not owned by the deferred
 *
 * Fires @self with a %G_TYPE_POINTER.
 */
DEFINE_CALLBACK (pointer, gpointer, G_TYPE_POINTER, g_value_set_pointer)

/**
 * weft_deferred_callback_take_string:
 * @self: a deferred that has not fired
 * @value: (nullable) (transfer full): the string
 *
 * Fires @self with a %G_TYPE_STRING, taking @value.
 */
void
weft_deferred_callback_take_string (WeftDeferred *self, char *value)
{
  WeftResult *slot;

  g_return_if_fail (WEFT_IS_DEFERRED (self));

  slot = deferred_begin_fire (self, G_STRFUNC);
  if (slot == NULL)
    {
      g_free (value);
      return;
    }
  g_value_init (&slot->value, G_TYPE_STRING);
  g_value_take_string (&slot->value, value);
  deferred_end_fire (self);
}

/**
 * weft_deferred_callback_object:
 * @self: a deferred that has not fired
 * @object: (type GObject): the object; the result takes a reference
 *
 * Fires @self with @object, as a value of the object's own type.
 */
void
weft_deferred_callback_object (WeftDeferred *self, gpointer object)
{
  g_return_if_fail (G_IS_OBJECT (object));
  weft_deferred_callback_take_object (self, g_object_ref (object));
}

/**
 * weft_deferred_callback_take_object:
 * @self: a deferred that has not fired
 * @object: (type GObject) (transfer full): the object
 *
 * Fires @self with @object, taking the caller's reference.
 */
void
weft_deferred_callback_take_object (WeftDeferred *self, gpointer object)
{
  WeftResult *slot;

  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (G_IS_OBJECT (object));

  slot = deferred_begin_fire (self, G_STRFUNC);
  if (slot == NULL)
    {
      g_object_unref (object);
      return;
    }
  g_value_init (&slot->value, G_OBJECT_TYPE (object));
  g_value_take_object (&slot->value, object);
  deferred_end_fire (self);
}

/**
 * weft_deferred_callback_boxed:
 * @self: a deferred that has not fired
 * @boxed_type: a boxed type
 * @boxed: (nullable): the value, copied
 *
 * Fires @self with a copy of @boxed.
 */
void
weft_deferred_callback_boxed (WeftDeferred *self, GType boxed_type, gconstpointer boxed)
{
  WeftResult *slot;

  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (G_TYPE_FUNDAMENTAL (boxed_type) == G_TYPE_BOXED);

  slot = deferred_begin_fire (self, G_STRFUNC);
  if (slot == NULL)
    return;
  g_value_init (&slot->value, boxed_type);
  g_value_set_boxed (&slot->value, boxed);
  deferred_end_fire (self);
}

/**
 * weft_deferred_callback_result:
 * @self: a deferred that has not fired
 * @result: a result, copied; if it holds an error, @self fails with it
 *
 * Fires @self with a copy of @result.
 */
void
weft_deferred_callback_result (WeftDeferred *self, const WeftResult *result)
{
  WeftResult *slot;

  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (result != NULL);

  slot = deferred_begin_fire (self, G_STRFUNC);
  if (slot == NULL)
    return;
  result_copy_into (slot, result);
  deferred_end_fire (self);
}

/**
 * weft_deferred_errback:
 * @self: a deferred that has not fired
 * @error: (transfer full): the error
 *
 * Fires @self with @error: the chain goes on with errbacks until one
 * recovers.
 */
void
weft_deferred_errback (WeftDeferred *self, GError *error)
{
  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (error != NULL);

  deferred_fire_error (self, error, G_STRFUNC);
}

/**
 * weft_deferred_errback_literal:
 * @self: a deferred that has not fired
 * @domain: the error domain
 * @code: the error code
 * @message: the message
 *
 * Fires @self with a new error.
 */
void
weft_deferred_errback_literal (WeftDeferred *self, GQuark domain, int code, const char *message)
{
  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (message != NULL);

  deferred_fire_error (self, g_error_new_literal (domain, code, message), G_STRFUNC);
}

/**
 * weft_deferred_errback_new:
 * @self: a deferred that has not fired
 * @domain: the error domain
 * @code: the error code
 * @format: a printf()-style format for the message
 * @...: its arguments
 *
 * Fires @self with a new error.
 */
void
weft_deferred_errback_new (WeftDeferred *self, GQuark domain, int code, const char *format, ...)
{
  va_list args;
  GError *error;

  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (format != NULL);

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  deferred_fire_error (self, error, G_STRFUNC);
}

/* The chain */

/**
 * weft_deferred_add_callbacks:
 * @self: a deferred
 * @callback: (nullable) (scope notified): run if the result is a value (or
 *   empty); %NULL passes such results on
 * @errback: (nullable) (scope notified): run if the result is an error;
 *   %NULL passes errors on
 * @user_data: data for both functions
 * @notify: (nullable): frees @user_data once, after whichever function ran,
 *   or when @self goes without having run either
 *
 * Adds one link to the chain: exactly one of @callback and @errback runs,
 * depending on the result at this point. If @self has fired and is not
 * waiting, the link runs before this function returns.
 */
void
weft_deferred_add_callbacks (WeftDeferred *self,
                             WeftDeferredFunc callback,
                             WeftDeferredFunc errback,
                             gpointer user_data,
                             GDestroyNotify notify)
{
  Entry entry = { callback, errback, user_data, notify, ENTRY_CALLBACKS };

  g_return_if_fail (WEFT_IS_DEFERRED (self));

  deferred_push_entry (self, &entry);
  if (self->fired)
    deferred_run (self);
}

/**
 * weft_deferred_add_callback:
 * @self: a deferred
 * @callback: (scope notified): run if the result is a value (or empty)
 * @user_data: data for @callback
 * @notify: (nullable): frees @user_data (see weft_deferred_add_callbacks())
 *
 * Adds a link that handles values; errors pass it by.
 */
void
weft_deferred_add_callback (WeftDeferred *self, WeftDeferredFunc callback, gpointer user_data, GDestroyNotify notify)
{
  weft_deferred_add_callbacks (self, callback, NULL, user_data, notify);
}

/**
 * weft_deferred_add_errback:
 * @self: a deferred
 * @errback: (scope notified): run if the result is an error
 * @user_data: data for @errback
 * @notify: (nullable): frees @user_data (see weft_deferred_add_callbacks())
 *
 * Adds a link that handles errors; values pass it by.
 */
void
weft_deferred_add_errback (WeftDeferred *self, WeftDeferredFunc errback, gpointer user_data, GDestroyNotify notify)
{
  weft_deferred_add_callbacks (self, NULL, errback, user_data, notify);
}

/**
 * weft_deferred_add_both:
 * @self: a deferred
 * @func: (scope notified): run whatever the result is
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data (see weft_deferred_add_callbacks())
 *
 * Adds a link that handles values and errors alike.
 */
void
weft_deferred_add_both (WeftDeferred *self, WeftDeferredFunc func, gpointer user_data, GDestroyNotify notify)
{
  weft_deferred_add_callbacks (self, func, func, user_data, notify);
}

typedef struct {
  WeftCallback func;
  gpointer user_data;
  GDestroyNotify notify;
} Finally;

static WeftDeferred *
finally_run (WeftResult *result, gpointer data)
{
  Finally *finally = data;

  finally->func (finally->user_data);
  return NULL;
}

static void
finally_free (gpointer data)
{
  Finally *finally = data;

  if (finally->notify != NULL)
    finally->notify (finally->user_data);
  g_free (finally);
}

/**
 * weft_deferred_add_finally:
 * @self: a deferred
 * @func: (scope notified): run when the chain reaches this point, whatever
 *   the result; it cannot see or change the result
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Adds a clean-up step, like `finally` in languages with exceptions: the
 * result passes through unchanged.
 */
void
weft_deferred_add_finally (WeftDeferred *self, WeftCallback func, gpointer user_data, GDestroyNotify notify)
{
  Finally *finally;

  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (func != NULL);

  finally = g_new (Finally, 1);
  finally->func = func;
  finally->user_data = user_data;
  finally->notify = notify;
  weft_deferred_add_both (self, finally_run, finally, finally_free);
}

/**
 * weft_deferred_chain:
 * @self: a deferred
 * @other: a deferred that has not fired, and will be fired only this way
 *
 * Twisted's `chainDeferred()`: when @self's chain reaches this point, its
 * result moves to @other, which fires with it (@self goes on with an empty
 * result). Runs without recursion, however many deferreds are chained so.
 */
void
weft_deferred_chain (WeftDeferred *self, WeftDeferred *other)
{
  Entry entry = { NULL, NULL, NULL, NULL, ENTRY_CHAIN };

  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (WEFT_IS_DEFERRED (other));
  g_return_if_fail (self != other);

  entry.user_data = g_object_ref (other);
  deferred_push_entry (self, &entry);
  if (self->fired)
    deferred_run (self);
}

/**
 * weft_deferred_pause:
 * @self: a deferred
 *
 * Stops running callbacks until a matching weft_deferred_unpause(); calls
 * nest.
 */
void
weft_deferred_pause (WeftDeferred *self)
{
  g_return_if_fail (WEFT_IS_DEFERRED (self));
  self->paused++;
}

/**
 * weft_deferred_unpause:
 * @self: a paused deferred
 *
 * Undoes one weft_deferred_pause(); when the last one is undone, the
 * callbacks added meanwhile run (if @self has fired).
 */
void
weft_deferred_unpause (WeftDeferred *self)
{
  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (self->paused > (self->waiting_on != NULL ? 1u : 0u));

  self->paused--;
  if (self->paused == 0 && self->fired)
    deferred_run (self);
}

/**
 * weft_deferred_has_fired:
 * @self: a deferred
 *
 * Returns: %TRUE once @self has been fired (Twisted's `called`)
 */
gboolean
weft_deferred_has_fired (WeftDeferred *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED (self), FALSE);
  return self->fired;
}

/**
 * weft_deferred_is_paused:
 * @self: a deferred
 *
 * Returns: %TRUE if @self is paused, by weft_deferred_pause() or while it
 *   waits for a deferred returned by one of its callbacks
 */
gboolean
weft_deferred_is_paused (WeftDeferred *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED (self), FALSE);
  return self->paused > 0;
}

/**
 * weft_deferred_is_waiting:
 * @self: a deferred
 *
 * Returns: %TRUE if @self waits for a deferred returned by one of its
 *   callbacks
 */
gboolean
weft_deferred_is_waiting (WeftDeferred *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED (self), FALSE);
  return self->waiting_on != NULL;
}

/**
 * weft_deferred_peek_result:
 * @self: a deferred
 *
 * Looks at the current result without adding a callback, for tests and
 * synchronous code: Twisted's `successResultOf()` / `failureResultOf()`.
 *
 * Returns: (transfer none) (nullable): the result at the end of the chain,
 *   owned by @self, or %NULL if @self has not fired, is paused or waits
 */
const WeftResult *
weft_deferred_peek_result (WeftDeferred *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED (self), NULL);

  if (!self->fired || self->paused > 0 || self->head < self->n_entries)
    return NULL;
  return &self->result;
}

/* Cancelling */

/**
 * weft_deferred_cancel:
 * @self: a deferred
 *
 * Twisted's `cancel()`. If @self has not fired: cancels its cancellable (see
 * weft_deferred_get_cancellable()), calls its canceller, and if neither
 * fired it, fails it with %WEFT_ERROR_CANCELLED. One late result from the
 * cancelled operation is then dropped without complaint.
 *
 * If @self has fired but waits for a deferred returned by a callback, the
 * cancellation goes to that deferred (and on to the one it waits for).
 * Otherwise nothing happens.
 */
void
weft_deferred_cancel (WeftDeferred *self)
{
  WeftDeferred *target;
  WeftDeferredCanceller canceller;

  g_return_if_fail (WEFT_IS_DEFERRED (self));

  target = self;
  while (target->fired && target->waiting_on != NULL)
    target = target->waiting_on;
  if (target->fired || target->cancelling)
    return;

  g_object_ref (target);
  target->cancelling = TRUE;

  if (target->link != NULL)
    g_cancellable_cancel (target->link->cancellable);

  canceller = target->canceller;
  if (!target->fired && canceller != NULL)
    canceller (target, target->canceller_data);

  target->cancelling = FALSE;
  deferred_release_canceller (target);

  if (!target->fired)
    deferred_fire_error (target,
                         g_error_new (WEFT_ERROR, WEFT_ERROR_CANCELLED, "%s was cancelled", deferred_subject (target)),
                         G_STRFUNC);
  target->drop_late_result = TRUE;

  g_object_unref (target);
}

/* Timeouts */

typedef struct {
  WeftDeferred *deferred; /* a reference while the timer is pending */
  WeftDelayedCall *call;
  double seconds;
  gboolean timed_out;
} Timeout;

static void
timeout_clear (Timeout *timeout)
{
  g_clear_pointer (&timeout->call, weft_delayed_call_unref);
  g_clear_object (&timeout->deferred);
}

static void
timeout_release (gpointer data)
{
  g_rc_box_release_full (data, (GDestroyNotify) timeout_clear);
}

static void
timeout_expired (gpointer data)
{
  Timeout *timeout = data;
  g_autoptr (WeftDeferred) deferred = g_steal_pointer (&timeout->deferred);

  timeout->timed_out = TRUE;
  weft_deferred_cancel (deferred);
}

/* The timer's notify: it ran or was cancelled. */
static void
timeout_timer_done (gpointer data)
{
  Timeout *timeout = data;

  g_clear_object (&timeout->deferred);
  timeout_release (timeout);
}

static WeftDeferred *
timeout_reached (WeftResult *result, gpointer data)
{
  Timeout *timeout = data;

  if (timeout->call != NULL)
    weft_delayed_call_cancel (timeout->call);

  if (timeout->timed_out && weft_result_is_cancelled (result))
    {
      const GError *cancelled = weft_result_get_error (result);
      g_autofree char *subject = g_strdup (cancelled->message);

      /* "X was cancelled" becomes "X timed out after N seconds". */
      if (g_str_has_suffix (subject, " was cancelled"))
        subject[strlen (subject) - strlen (" was cancelled")] = '\0';
      else
        g_clear_pointer (&subject, g_free);
      weft_result_set_new_error (result, WEFT_ERROR, WEFT_ERROR_TIMEOUT, "%s timed out after %g seconds",
                                 subject != NULL ? subject : "The operation", timeout->seconds);
    }
  return NULL;
}

/**
 * weft_deferred_add_timeout:
 * @self: a deferred
 * @reactor: the reactor whose clock counts
 * @seconds: how long to wait, > 0
 *
 * Twisted's `addTimeout()`: if @self has not fired and got past the
 * callbacks added so far within @seconds, it is cancelled (which stops the
 * work, through its canceller or cancellable), and the cancellation error
 * becomes a %WEFT_ERROR_TIMEOUT error. Callbacks added later see that error;
 * callbacks added earlier see the cancellation.
 *
 * The reactor's timer keeps a reference to @self until it fires or is
 * cancelled (which happens as soon as @self's chain reaches this point).
 */
void
weft_deferred_add_timeout (WeftDeferred *self, WeftReactor *reactor, double seconds)
{
  Timeout *timeout;
  WeftDelayedCall *call;
  gint64 delay_us;

  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (reactor != NULL);
  g_return_if_fail (seconds >= 0);

  delay_us = (gint64) (seconds * WEFT_USEC_PER_SEC + 0.5);

  timeout = g_rc_box_new0 (Timeout);
  timeout->seconds = seconds;
  timeout->deferred = g_object_ref (self);

  /* One reference for the timer, one for the chain. */
  call = weft_reactor_call_later (reactor, delay_us, timeout_expired, g_rc_box_acquire (timeout), timeout_timer_done);
  if (call != NULL)
    timeout->call = weft_delayed_call_ref (call);

  weft_deferred_add_both (self, timeout_reached, timeout, timeout_release);
}

/* defer_later */

static void
later_fire (gpointer data)
{
  weft_deferred_callback_none (data);
}

static void
later_cancel (WeftDeferred *deferred, gpointer data)
{
  weft_delayed_call_cancel (data);
}

/**
 * weft_defer_later:
 * @reactor: a reactor
 * @delay_us: delay in microseconds
 * @func: (nullable) (scope async): called after @delay_us with an empty
 *   result to fill in (or returning a deferred), like a callback; %NULL
 *   just waits
 * @user_data: data for @func; it must stay valid until the returned
 *   deferred has fired (cancelling fires it)
 *
 * Twisted's `deferLater()`: a deferred that fires with @func's result after
 * @delay_us. Cancelling it cancels the timer, and @func is never called.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_defer_later (WeftReactor *reactor, gint64 delay_us, WeftDeferredFunc func, gpointer user_data)
{
  WeftDeferred *self;
  WeftDelayedCall *call;

  g_return_val_if_fail (reactor != NULL, NULL);

  self = weft_deferred_new ();
  weft_deferred_set_description (self, "weft_defer_later");
  if (func != NULL)
    weft_deferred_add_callback (self, func, user_data, NULL);

  call = weft_reactor_call_later (reactor, MAX (delay_us, 0), later_fire, g_object_ref (self), g_object_unref);
  if (call != NULL)
    {
      self->canceller = later_cancel;
      self->canceller_data = weft_delayed_call_ref (call);
      self->canceller_notify = (GDestroyNotify) weft_delayed_call_unref;
    }
  return self;
}

/* GCancellable */

static void
cancellable_link_clear (CancellableLink *link)
{
  g_weak_ref_clear (&link->deferred);
  g_clear_object (&link->cancellable);
  g_clear_pointer (&link->context, g_main_context_unref);
}

static void
cancellable_link_release (gpointer data, GClosure *closure)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify) cancellable_link_clear);
}

static gboolean
cancel_in_owner_thread (gpointer data)
{
  weft_deferred_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
cancellable_cancelled (GCancellable *cancellable, gpointer data)
{
  CancellableLink *link = data;
  WeftDeferred *self = g_weak_ref_get (&link->deferred);

  if (self == NULL)
    return;

  if (g_thread_self () == link->thread)
    {
      if (!self->cancelling)
        weft_deferred_cancel (self);
      g_object_unref (self);
    }
  else
    {
      /* A deferred belongs to one thread; go there. */
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, cancel_in_owner_thread, self, g_object_unref);
      g_source_set_static_name (source, "[weft] cancel deferred");
      g_source_attach (source, link->context);
      g_source_unref (source);
    }
}

static void
deferred_link_cancellable (WeftDeferred *self, GCancellable *cancellable)
{
  CancellableLink *link = g_atomic_rc_box_new0 (CancellableLink);

  g_weak_ref_init (&link->deferred, self);
  link->cancellable = g_object_ref (cancellable);
  link->context = g_main_context_ref_thread_default ();
  link->thread = g_thread_self ();
  self->link = link;

  link->handler_id = g_signal_connect_data (cancellable, "cancelled", G_CALLBACK (cancellable_cancelled),
                                            g_atomic_rc_box_acquire (link), cancellable_link_release, 0);
  if (g_cancellable_is_cancelled (cancellable))
    weft_deferred_cancel (self);
}

static void
cancellable_link_drop (CancellableLink *link, WeftDeferred *self)
{
  /* Not g_cancellable_disconnect(): it would deadlock when the last
   * reference goes from inside our own handler. */
  if (link->handler_id != 0)
    g_signal_handler_disconnect (link->cancellable, link->handler_id);
  g_atomic_rc_box_release_full (link, (GDestroyNotify) cancellable_link_clear);
}

/**
 * weft_deferred_new_for_cancellable:
 * @cancellable: a cancellable
 *
 * Creates a deferred tied to @cancellable both ways: cancelling
 * @cancellable (from any thread) cancels the deferred, in the deferred's
 * thread, and weft_deferred_cancel() cancels @cancellable. If @cancellable
 * is already cancelled, the deferred fails at once.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_deferred_new_for_cancellable (GCancellable *cancellable)
{
  WeftDeferred *self;

  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = weft_deferred_new ();
  deferred_link_cancellable (self, cancellable);
  return self;
}

/**
 * weft_deferred_get_cancellable:
 * @self: a deferred
 *
 * Returns the cancellable tied to @self, creating one the first time: pass
 * it to the GIO call whose result will fire @self, so that
 * weft_deferred_cancel() stops that call.
 *
 * Returns: (transfer none): the cancellable, owned by @self
 */
GCancellable *
weft_deferred_get_cancellable (WeftDeferred *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED (self), NULL);

  if (self->link == NULL)
    {
      g_autoptr (GCancellable) cancellable = g_cancellable_new ();

      deferred_link_cancellable (self, cancellable);
    }
  return self->link->cancellable;
}

/* GIO _async / _finish */

typedef gpointer (*FinishPointerFunc) (GObject *source, GAsyncResult *result, GError **error);
typedef gboolean (*FinishBooleanFunc) (GObject *source, GAsyncResult *result, GError **error);
typedef gssize (*FinishSsizeFunc) (GObject *source, GAsyncResult *result, GError **error);

typedef struct {
  WeftDeferred *deferred;
  GType value_type;
  GCallback finish;
} AsyncCall;

static gboolean
async_type_is_supported (GType type)
{
  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_BOOLEAN:
    case G_TYPE_INT64:
    case G_TYPE_POINTER:
    case G_TYPE_STRING:
    case G_TYPE_BOXED:
    case G_TYPE_OBJECT:
    case G_TYPE_INTERFACE:
    case G_TYPE_VARIANT:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
async_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  AsyncCall *call = user_data;
  WeftDeferred *self = call->deferred;
  GType type = call->value_type;
  GValue value = G_VALUE_INIT;
  GError *error = NULL;

  if (self->fired && self->drop_late_result)
    {
      /* Cancelled meanwhile: the GAsyncResult frees what it holds. */
      self->drop_late_result = FALSE;
      goto out;
    }

  if (g_type_is_a (type, G_TYPE_ASYNC_RESULT))
    {
      g_value_init (&value, G_TYPE_ASYNC_RESULT);
      g_value_set_object (&value, res);
    }
  else if (type == G_TYPE_BOOLEAN)
    {
      gboolean ok = ((FinishBooleanFunc) call->finish) (source, res, &error);

      g_value_init (&value, G_TYPE_BOOLEAN);
      g_value_set_boolean (&value, ok);
    }
  else if (type == G_TYPE_INT64)
    {
      gssize n = ((FinishSsizeFunc) call->finish) (source, res, &error);

      g_value_init (&value, G_TYPE_INT64);
      g_value_set_int64 (&value, n);
    }
  else
    {
      gpointer pointer = ((FinishPointerFunc) call->finish) (source, res, &error);

      g_value_init (&value, type);
      switch (G_TYPE_FUNDAMENTAL (type))
        {
        case G_TYPE_POINTER:
          g_value_set_pointer (&value, pointer);
          break;
        case G_TYPE_STRING:
          g_value_take_string (&value, pointer);
          break;
        case G_TYPE_BOXED:
          g_value_take_boxed (&value, pointer);
          break;
        case G_TYPE_VARIANT:
          g_value_take_variant (&value, pointer);
          break;
        default:
          g_value_take_object (&value, pointer);
          break;
        }
    }

  if (error != NULL)
    {
      g_value_unset (&value);
      deferred_fire_error (self, error, G_STRFUNC);
    }
  else
    deferred_fire_take_value (self, &value, G_STRFUNC);

out:
  g_object_unref (self);
  g_free (call);
}

/**
 * weft_deferred_new_async: (skip)
 * @value_type: what @finish returns: %G_TYPE_BOOLEAN for `gboolean`
 *   finishers, %G_TYPE_INT64 for `gssize` ones (like
 *   g_input_stream_read_finish()), or the pointer's type for those that
 *   return a string, boxed value, `GVariant`, object or interface (the
 *   deferred takes ownership; %G_TYPE_POINTER is not freed by anybody);
 *   or %G_TYPE_ASYNC_RESULT to fire with the `GAsyncResult` itself, for
 *   finishers with out-arguments, which the next callback calls
 * @finish: (nullable): the `_finish` function, cast with G_CALLBACK(); its
 *   signature is `type finish (SourceType *source, GAsyncResult *result,
 *   GError **error)`; unused (may be %NULL) with %G_TYPE_ASYNC_RESULT
 * @callback: (out) (not optional): a `GAsyncReadyCallback` to give the
 *   `_async` function
 * @user_data: (out) (not optional): its user data (it holds a reference to
 *   the deferred until the callback has run)
 *
 * Turns any GIO-style `_async` / `_finish` pair (and any `GTask`-based
 * function) into a deferred. Pass @callback and @user_data to exactly one
 * `_async` call, with weft_deferred_get_cancellable() as its cancellable:
 *
 * ```c
 * GAsyncReadyCallback cb;
 * gpointer cb_data;
 * WeftDeferred *d = weft_deferred_new_async (G_TYPE_BYTES,
 *                                            G_CALLBACK (soup_session_send_and_read_finish),
 *                                            &cb, &cb_data);
 * soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT,
 *                                   weft_deferred_get_cancellable (d), cb, cb_data);
 * ```
 *
 * WEFT_DEFERRED_ASYNC() does all of this in one expression. The deferred
 * fires with what @finish returned, or fails with its error. Cancelling the
 * deferred fails it at once with %WEFT_ERROR_CANCELLED and cancels the
 * operation; the operation's own late %G_IO_ERROR_CANCELLED is dropped.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_deferred_new_async (GType value_type, GCallback finish, GAsyncReadyCallback *callback, gpointer *user_data)
{
  AsyncCall *call;

  g_return_val_if_fail (callback != NULL, NULL);
  g_return_val_if_fail (user_data != NULL, NULL);
  g_return_val_if_fail (async_type_is_supported (value_type), NULL);
  g_return_val_if_fail (finish != NULL || g_type_is_a (value_type, G_TYPE_ASYNC_RESULT), NULL);

  call = g_new (AsyncCall, 1);
  call->deferred = weft_deferred_new ();
  call->value_type = value_type;
  call->finish = finish;

  *callback = async_ready;
  *user_data = call;
  return g_object_ref (call->deferred);
}

/* Combinators: list, gather, race */

typedef struct _Combinator Combinator;

typedef struct {
  Combinator *combinator;
  guint index;
} Slot;

typedef enum {
  COMBINE_LIST,
  COMBINE_RACE,
} CombineMode;

struct _Combinator {
  guint ref_count;
  CombineMode mode;
  WeftDeferredListFlags flags;

  /* The combined deferred: a reference until it fires. Its canceller data
   * is this structure, without a reference. */
  WeftDeferred *deferred;

  guint n;
  guint n_done;
  GPtrArray *results;      /* list: one WeftResult per input, NULL until it fires */
  WeftResult *first_error; /* race */
  WeftDeferred **inputs;   /* unowned; NULL once our entry ran or was dropped */
  Slot slots[];
};

static void
combinator_unref (Combinator *self)
{
  if (--self->ref_count > 0)
    return;

  if (self->deferred != NULL)
    {
      /* Nobody can fire it any more; its canceller would point here. */
      self->deferred->canceller = NULL;
      self->deferred->canceller_data = NULL;
      deferred_release (self->deferred);
    }
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_pointer (&self->first_error, weft_result_free);
  g_free (self->inputs);
  g_free (self);
}

static void
combinator_slot_done (gpointer data)
{
  Slot *slot = data;

  slot->combinator->inputs[slot->index] = NULL;
  combinator_unref (slot->combinator);
}

static void
combinator_finish (Combinator *self, WeftResult *result)
{
  WeftDeferred *deferred = g_steal_pointer (&self->deferred);

  deferred_fire_move (deferred, result, G_STRFUNC);
  g_object_unref (deferred);
}

static void
combinator_cancel_inputs (Combinator *self, int except)
{
  self->ref_count++;
  for (guint i = 0; i < self->n; i++)
    {
      WeftDeferred *input = self->inputs[i];

      if (input != NULL && (int) i != except)
        {
          g_object_ref (input);
          weft_deferred_cancel (input);
          g_object_unref (input);
        }
    }
  combinator_unref (self);
}

static void
combinator_cancel (WeftDeferred *deferred, gpointer data)
{
  combinator_cancel_inputs (data, -1);
}

static WeftDeferred *
race_on_result (Combinator *self, guint index, WeftResult *result)
{
  if (result->error == NULL)
    {
      WeftResult winner;

      if (self->deferred == NULL)
        return NULL;
      result_init (&winner);
      result_copy_into (&winner, result);
      winner.index = index;
      self->ref_count++;
      combinator_finish (self, &winner);
      combinator_cancel_inputs (self, index);
      combinator_unref (self);
      return NULL;
    }

  /* Errors are consumed: the first one is kept in case every input fails,
   * the others (cancellations of the losers, mostly) are dropped. */
  if (self->deferred != NULL && self->first_error == NULL)
    {
      self->first_error = weft_result_new ();
      result_move (self->first_error, result);
      self->first_error->index = index;
    }
  else
    result_reset (result);

  if (self->deferred != NULL && self->n_done == self->n)
    {
      WeftResult *error = g_steal_pointer (&self->first_error);

      combinator_finish (self, error);
      weft_result_free (error);
    }
  return NULL;
}

static WeftDeferred *
combinator_on_result (WeftResult *result, gpointer data)
{
  Slot *slot = data;
  Combinator *self = slot->combinator;
  WeftResult *entry;
  gboolean is_error = result->error != NULL;

  self->n_done++;
  if (self->mode == COMBINE_RACE)
    return race_on_result (self, slot->index, result);

  entry = weft_result_new ();
  if (is_error && (self->flags & WEFT_DEFERRED_LIST_CONSUME_ERRORS))
    result_move (entry, result);
  else
    result_copy_into (entry, result);
  entry->index = slot->index;

  if (self->deferred == NULL)
    {
      weft_result_free (entry);
      return NULL;
    }
  g_ptr_array_index (self->results, slot->index) = entry;

  if ((!is_error && (self->flags & WEFT_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK)) ||
      (is_error && (self->flags & WEFT_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK)))
    {
      WeftResult first;

      result_init (&first);
      result_copy_into (&first, entry);
      combinator_finish (self, &first);
    }
  else if (self->n_done == self->n)
    {
      WeftResult all;

      result_init (&all);
      g_value_init (&all.value, G_TYPE_PTR_ARRAY);
      g_value_take_boxed (&all.value, g_steal_pointer (&self->results));
      combinator_finish (self, &all);
    }
  return NULL;
}

static WeftDeferred *
combinator_new (CombineMode mode,
                WeftDeferredListFlags flags,
                WeftDeferred *const *deferreds,
                guint n_deferreds,
                const char *description)
{
  Combinator *self;
  WeftDeferred *combined;

  self = g_malloc0 (sizeof (Combinator) + n_deferreds * sizeof (Slot));
  self->ref_count = 1;
  self->mode = mode;
  self->flags = flags;
  self->n = n_deferreds;
  self->inputs = g_new0 (WeftDeferred *, MAX (n_deferreds, 1));
  self->deferred = weft_deferred_new_with_canceller (combinator_cancel, self, NULL);
  weft_deferred_set_description (self->deferred, description);
  combined = g_object_ref (self->deferred);

  if (mode == COMBINE_LIST)
    {
      self->results = g_ptr_array_new_full (n_deferreds, (GDestroyNotify) weft_result_free);
      g_ptr_array_set_size (self->results, n_deferreds);
    }

  for (guint i = 0; i < n_deferreds; i++)
    {
      self->inputs[i] = deferreds[i];
      self->slots[i].combinator = self;
      self->slots[i].index = i;
      self->ref_count++;
    }
  /* Inputs that already fired run our entry at once, possibly firing the
   * combined deferred before the others are hooked up (as in Twisted). */
  for (guint i = 0; i < n_deferreds; i++)
    weft_deferred_add_callbacks (deferreds[i], combinator_on_result, combinator_on_result, &self->slots[i],
                                 combinator_slot_done);

  if (n_deferreds == 0 && self->deferred != NULL)
    {
      WeftResult all;

      result_init (&all);
      g_value_init (&all.value, G_TYPE_PTR_ARRAY);
      g_value_take_boxed (&all.value, g_steal_pointer (&self->results));
      combinator_finish (self, &all);
    }

  combinator_unref (self);
  return combined;
}

static gboolean
deferreds_are_valid (WeftDeferred *const *deferreds, guint n_deferreds)
{
  if (n_deferreds > 0 && deferreds == NULL)
    return FALSE;
  for (guint i = 0; i < n_deferreds; i++)
    if (!WEFT_IS_DEFERRED (deferreds[i]))
      return FALSE;
  return TRUE;
}

/**
 * weft_deferred_list_new:
 * @deferreds: (array length=n_deferreds) (transfer none): the deferreds
 * @n_deferreds: how many
 * @flags: how to combine them
 *
 * Twisted's `DeferredList`: a deferred that fires when all of @deferreds
 * have fired, with a `GPtrArray` of [struct@Weft.Result] (see
 * weft_result_get_results()), one per input in order, each holding that
 * input's value or error. @flags make it fire early, on the first value or
 * the first error, with a copy of that result (weft_result_get_index() says
 * which input). An empty list fires at once with an empty array.
 *
 * Values are copied and stay in the inputs' chains; errors too, unless
 * %WEFT_DEFERRED_LIST_CONSUME_ERRORS moves them out. Cancelling the list
 * cancels every input that has not fired.
 *
 * Returns: (transfer full): the combined deferred
 */
WeftDeferred *
weft_deferred_list_new (WeftDeferred *const *deferreds, guint n_deferreds, WeftDeferredListFlags flags)
{
  g_return_val_if_fail (deferreds_are_valid (deferreds, n_deferreds), NULL);

  return combinator_new (COMBINE_LIST, flags, deferreds, n_deferreds, "weft_deferred_list_new");
}

/**
 * weft_deferred_gather:
 * @deferreds: (array length=n_deferreds) (transfer none): the deferreds
 * @n_deferreds: how many
 *
 * Twisted's `gatherResults()`: fires with a `GPtrArray` of
 * [struct@Weft.Result] holding every input's value, in order, or fails with
 * the first error (weft_result_get_index() says which input). Errors of the
 * inputs are consumed, so none is reported as unhandled. Cancelling the
 * result cancels every input that has not fired.
 *
 * Returns: (transfer full): the combined deferred
 */
WeftDeferred *
weft_deferred_gather (WeftDeferred *const *deferreds, guint n_deferreds)
{
  g_return_val_if_fail (deferreds_are_valid (deferreds, n_deferreds), NULL);

  return combinator_new (COMBINE_LIST, WEFT_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK | WEFT_DEFERRED_LIST_CONSUME_ERRORS,
                         deferreds, n_deferreds, "weft_deferred_gather");
}

/**
 * weft_deferred_race:
 * @deferreds: (array length=n_deferreds) (transfer none): at least one
 *   deferred
 * @n_deferreds: how many
 *
 * Twisted's `race()`: fires with a copy of the first value any input
 * produces (weft_result_get_index() says which) and cancels all the others.
 * If every input fails, fails with the first error. Errors of the inputs are
 * consumed. Cancelling the race cancels every input.
 *
 * Returns: (transfer full): the combined deferred
 */
WeftDeferred *
weft_deferred_race (WeftDeferred *const *deferreds, guint n_deferreds)
{
  g_return_val_if_fail (n_deferreds > 0, NULL);
  g_return_val_if_fail (deferreds_are_valid (deferreds, n_deferreds), NULL);

  return combinator_new (COMBINE_RACE, WEFT_DEFERRED_LIST_NONE, deferreds, n_deferreds, "weft_deferred_race");
}

/* Lock, semaphore, queue */

typedef void (*ReleaseFunc) (gpointer primitive);

typedef struct {
  GObject *primitive;
  ReleaseFunc release;
  WeftDeferredFunc func;
  gpointer user_data;
  GDestroyNotify notify;
} RunLocked;

static void
run_locked_free (gpointer data)
{
  RunLocked *run = data;

  if (run->notify != NULL)
    run->notify (run->user_data);
  g_object_unref (run->primitive);
  g_free (run);
}

typedef struct {
  GObject *primitive;
  ReleaseFunc release;
} ReleaseAfter;

static WeftDeferred *
release_after_run (WeftResult *result, gpointer data)
{
  ReleaseAfter *after = data;

  after->release (after->primitive);
  return NULL;
}

static void
release_after_free (gpointer data)
{
  ReleaseAfter *after = data;

  g_object_unref (after->primitive);
  g_free (after);
}

static WeftDeferred *
run_locked_call (WeftResult *result, gpointer data)
{
  RunLocked *run = data;
  WeftDeferred *next;
  ReleaseAfter *after;

  weft_result_clear (result);
  next = run->func (result, run->user_data);
  if (next == NULL)
    {
      run->release (run->primitive);
      return NULL;
    }

  after = g_new (ReleaseAfter, 1);
  after->primitive = g_object_ref (run->primitive);
  after->release = run->release;
  weft_deferred_add_both (next, release_after_run, after, release_after_free);
  return next;
}

static WeftDeferred *
primitive_run (WeftDeferred *acquired,
               gpointer primitive,
               ReleaseFunc release,
               WeftDeferredFunc func,
               gpointer user_data,
               GDestroyNotify notify)
{
  RunLocked *run = g_new (RunLocked, 1);

  run->primitive = g_object_ref (primitive);
  run->release = release;
  run->func = func;
  run->user_data = user_data;
  run->notify = notify;
  weft_deferred_add_callback (acquired, run_locked_call, run, run_locked_free);
  return acquired;
}

/* Waiting deferreds point back at their primitive without a reference;
 * a primitive that goes away first unhooks them. */
static void
waiters_clear (GQueue *waiting)
{
  WeftDeferred *waiter;

  while ((waiter = g_queue_pop_head (waiting)) != NULL)
    {
      waiter->canceller = NULL;
      waiter->canceller_data = NULL;
      g_object_unref (waiter);
    }
}

static void
waiter_cancel (GQueue *waiting, WeftDeferred *waiter)
{
  if (g_queue_remove (waiting, waiter))
    g_object_unref (waiter);
}

/* A deferred asking @primitive (a lock, a semaphore or a queue) for
 * something: it fires with @primitive now when @available (the caller has
 * taken a lock or a token), or waits in line in @waiting. */
static WeftDeferred *
waiter_new (gpointer primitive,
            GQueue *waiting,
            WeftDeferredCanceller cancel,
            const char *description,
            gboolean available)
{
  WeftDeferred *waiter = weft_deferred_new_with_canceller (cancel, primitive, NULL);

  weft_deferred_set_description (waiter, description);
  if (available)
    weft_deferred_callback_object (waiter, primitive);
  else
    g_queue_push_tail (waiting, g_object_ref (waiter));
  return waiter;
}

/* Hands @primitive over to the first waiter in @waiting; %FALSE when
 * nobody waits. */
static gboolean
waiter_hand_over (gpointer primitive, GQueue *waiting)
{
  WeftDeferred *next = g_queue_pop_head (waiting);

  if (next == NULL)
    return FALSE;
  weft_deferred_callback_object (next, primitive);
  g_object_unref (next);
  return TRUE;
}

/**
 * WeftDeferredLock:
 *
 * Twisted's `DeferredLock`: a lock for code that runs on one reactor and
 * waits with deferreds. weft_deferred_lock_acquire() returns a deferred that
 * fires, with the lock as its value, when the lock is yours;
 * weft_deferred_lock_run() wraps a function in acquire and release.
 */
struct _WeftDeferredLock {
  GObject parent_instance;
  gboolean locked;
  GQueue waiting;
};

G_DEFINE_FINAL_TYPE (WeftDeferredLock, weft_deferred_lock, G_TYPE_OBJECT)

static void
weft_deferred_lock_finalize (GObject *object)
{
  WeftDeferredLock *self = WEFT_DEFERRED_LOCK (object);

  waiters_clear (&self->waiting);
  G_OBJECT_CLASS (weft_deferred_lock_parent_class)->finalize (object);
}

static void
weft_deferred_lock_class_init (WeftDeferredLockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_deferred_lock_finalize;
}

static void
weft_deferred_lock_init (WeftDeferredLock *self)
{
  g_queue_init (&self->waiting);
}

/**
 * weft_deferred_lock_new:
 *
 * Returns: (transfer full): a new unlocked lock
 */
WeftDeferredLock *
weft_deferred_lock_new (void)
{
  return g_object_new (WEFT_TYPE_DEFERRED_LOCK, NULL);
}

static void
lock_cancel_waiter (WeftDeferred *waiter, gpointer data)
{
  waiter_cancel (&WEFT_DEFERRED_LOCK (data)->waiting, waiter);
}

/**
 * weft_deferred_lock_acquire:
 * @self: a lock
 *
 * Asks for the lock. Waiters get it in the order they asked. Cancelling a
 * deferred that still waits takes it out of the line (it fails with
 * %WEFT_ERROR_CANCELLED); once it has fired, the lock is yours to release.
 *
 * Returns: (transfer full): a deferred that fires with @self once the lock
 *   is held for the caller
 */
WeftDeferred *
weft_deferred_lock_acquire (WeftDeferredLock *self)
{
  gboolean available;

  g_return_val_if_fail (WEFT_IS_DEFERRED_LOCK (self), NULL);

  available = !self->locked;
  if (available)
    self->locked = TRUE;
  return waiter_new (self, &self->waiting, lock_cancel_waiter, "weft_deferred_lock_acquire", available);
}

/**
 * weft_deferred_lock_release:
 * @self: a locked lock
 *
 * Releases the lock; the first waiter, if any, gets it now.
 */
void
weft_deferred_lock_release (WeftDeferredLock *self)
{
  g_return_if_fail (WEFT_IS_DEFERRED_LOCK (self));
  g_return_if_fail (self->locked);

  if (!waiter_hand_over (self, &self->waiting))
    self->locked = FALSE;
}

/**
 * weft_deferred_lock_is_locked:
 * @self: a lock
 *
 * Returns: %TRUE if somebody holds the lock
 */
gboolean
weft_deferred_lock_is_locked (WeftDeferredLock *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_LOCK (self), FALSE);
  return self->locked;
}

static void
lock_release (gpointer lock)
{
  weft_deferred_lock_release (lock);
}

/**
 * weft_deferred_lock_run:
 * @self: a lock
 * @func: (scope notified): run with the lock held, with an empty result to
 *   fill in, like a callback (it may return a deferred; the lock is released
 *   when that one fires)
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Acquires the lock, runs @func, releases the lock.
 *
 * Returns: (transfer full): a deferred with @func's result
 */
WeftDeferred *
weft_deferred_lock_run (WeftDeferredLock *self, WeftDeferredFunc func, gpointer user_data, GDestroyNotify notify)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_LOCK (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return primitive_run (weft_deferred_lock_acquire (self), self, lock_release, func, user_data, notify);
}

/**
 * WeftDeferredSemaphore:
 *
 * Twisted's `DeferredSemaphore`: at most a given number of holders at once,
 * for example to limit concurrent downloads.
 */
struct _WeftDeferredSemaphore {
  GObject parent_instance;
  guint tokens;
  guint limit;
  GQueue waiting;
};

G_DEFINE_FINAL_TYPE (WeftDeferredSemaphore, weft_deferred_semaphore, G_TYPE_OBJECT)

static void
weft_deferred_semaphore_finalize (GObject *object)
{
  WeftDeferredSemaphore *self = WEFT_DEFERRED_SEMAPHORE (object);

  waiters_clear (&self->waiting);
  G_OBJECT_CLASS (weft_deferred_semaphore_parent_class)->finalize (object);
}

static void
weft_deferred_semaphore_class_init (WeftDeferredSemaphoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_deferred_semaphore_finalize;
}

static void
weft_deferred_semaphore_init (WeftDeferredSemaphore *self)
{
  g_queue_init (&self->waiting);
}

/**
 * weft_deferred_semaphore_new:
 * @tokens: how many holders at once, at least 1
 *
 * Returns: (transfer full): a new semaphore
 */
WeftDeferredSemaphore *
weft_deferred_semaphore_new (guint tokens)
{
  WeftDeferredSemaphore *self;

  g_return_val_if_fail (tokens > 0, NULL);

  self = g_object_new (WEFT_TYPE_DEFERRED_SEMAPHORE, NULL);
  self->tokens = tokens;
  self->limit = tokens;
  return self;
}

static void
semaphore_cancel_waiter (WeftDeferred *waiter, gpointer data)
{
  waiter_cancel (&WEFT_DEFERRED_SEMAPHORE (data)->waiting, waiter);
}

/**
 * weft_deferred_semaphore_acquire:
 * @self: a semaphore
 *
 * Takes a token, now or when one is released. Cancelling a deferred that
 * still waits takes it out of the line.
 *
 * Returns: (transfer full): a deferred that fires with @self once a token
 *   is held for the caller
 */
WeftDeferred *
weft_deferred_semaphore_acquire (WeftDeferredSemaphore *self)
{
  gboolean available;

  g_return_val_if_fail (WEFT_IS_DEFERRED_SEMAPHORE (self), NULL);

  available = self->tokens > 0;
  if (available)
    self->tokens--;
  return waiter_new (self, &self->waiting, semaphore_cancel_waiter, "weft_deferred_semaphore_acquire", available);
}

/**
 * weft_deferred_semaphore_release:
 * @self: a semaphore with a token held
 *
 * Gives a token back; the first waiter, if any, gets it now.
 */
void
weft_deferred_semaphore_release (WeftDeferredSemaphore *self)
{
  g_return_if_fail (WEFT_IS_DEFERRED_SEMAPHORE (self));
  g_return_if_fail (self->tokens < self->limit);

  if (!waiter_hand_over (self, &self->waiting))
    self->tokens++;
}

/**
 * weft_deferred_semaphore_get_tokens:
 * @self: a semaphore
 *
 * Returns: how many tokens are free now
 */
guint
weft_deferred_semaphore_get_tokens (WeftDeferredSemaphore *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_SEMAPHORE (self), 0);
  return self->tokens;
}

/**
 * weft_deferred_semaphore_get_limit:
 * @self: a semaphore
 *
 * Returns: the number of tokens it was created with
 */
guint
weft_deferred_semaphore_get_limit (WeftDeferredSemaphore *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_SEMAPHORE (self), 0);
  return self->limit;
}

static void
semaphore_release (gpointer semaphore)
{
  weft_deferred_semaphore_release (semaphore);
}

/**
 * weft_deferred_semaphore_run:
 * @self: a semaphore
 * @func: (scope notified): run with a token held (see
 *   weft_deferred_lock_run())
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data
 *
 * Acquires a token, runs @func, releases the token.
 *
 * Returns: (transfer full): a deferred with @func's result
 */
WeftDeferred *
weft_deferred_semaphore_run (WeftDeferredSemaphore *self,
                             WeftDeferredFunc func,
                             gpointer user_data,
                             GDestroyNotify notify)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_SEMAPHORE (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return primitive_run (weft_deferred_semaphore_acquire (self), self, semaphore_release, func, user_data, notify);
}

/**
 * WeftDeferredQueue:
 *
 * Twisted's `DeferredQueue`: producers put values, consumers get deferreds
 * that fire with them, in order. The queue may bound both how many values
 * wait (size) and how many consumers wait (backlog).
 */
struct _WeftDeferredQueue {
  GObject parent_instance;
  GQueue pending; /* WeftResult */
  GQueue waiting; /* WeftDeferred, a reference each */
  int size;
  int backlog;
};

G_DEFINE_FINAL_TYPE (WeftDeferredQueue, weft_deferred_queue, G_TYPE_OBJECT)

static void
weft_deferred_queue_finalize (GObject *object)
{
  WeftDeferredQueue *self = WEFT_DEFERRED_QUEUE (object);

  waiters_clear (&self->waiting);
  g_queue_clear_full (&self->pending, (GDestroyNotify) weft_result_free);
  G_OBJECT_CLASS (weft_deferred_queue_parent_class)->finalize (object);
}

static void
weft_deferred_queue_class_init (WeftDeferredQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_deferred_queue_finalize;
}

static void
weft_deferred_queue_init (WeftDeferredQueue *self)
{
  g_queue_init (&self->pending);
  g_queue_init (&self->waiting);
}

/**
 * weft_deferred_queue_new:
 * @size: how many values may wait in the queue, or -1 for no limit
 * @backlog: how many weft_deferred_queue_get() calls may wait for a value,
 *   or -1 for no limit
 *
 * Returns: (transfer full): a new empty queue
 */
WeftDeferredQueue *
weft_deferred_queue_new (int size, int backlog)
{
  WeftDeferredQueue *self = g_object_new (WEFT_TYPE_DEFERRED_QUEUE, NULL);

  self->size = size;
  self->backlog = backlog;
  return self;
}

static gboolean
queue_put (WeftDeferredQueue *self, WeftResult *item, GError **error)
{
  WeftDeferred *waiter = g_queue_pop_head (&self->waiting);

  if (waiter != NULL)
    {
      deferred_fire_move (waiter, item, G_STRFUNC);
      g_object_unref (waiter);
      return TRUE;
    }

  if (self->size >= 0 && self->pending.length >= (guint) self->size)
    {
      result_reset (item);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "The queue is full: it holds at most %d values", self->size);
      return FALSE;
    }

  g_queue_push_tail (&self->pending, weft_result_new ());
  result_move (g_queue_peek_tail (&self->pending), item);
  return TRUE;
}

/**
 * weft_deferred_queue_put_value:
 * @self: a queue
 * @value: (nullable): the value, copied (%NULL puts an empty result)
 * @error: return location for an error
 *
 * Gives @value to the first waiting consumer, or keeps it for the next one.
 *
 * Returns: %TRUE on success; %FALSE with %G_IO_ERROR_NO_SPACE if the queue
 *   already holds size values
 */
gboolean
weft_deferred_queue_put_value (WeftDeferredQueue *self, const GValue *value, GError **error)
{
  WeftResult item;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  result_init (&item);
  weft_result_set_value (&item, value);
  return queue_put (self, &item, error);
}

/**
 * weft_deferred_queue_put_int:
 * @self: a queue
 * @value: the value
 * @error: return location for an error
 *
 * Puts a %G_TYPE_INT (see weft_deferred_queue_put_value()).
 *
 * Returns: %TRUE on success
 */
gboolean
weft_deferred_queue_put_int (WeftDeferredQueue *self, int value, GError **error)
{
  WeftResult item;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), FALSE);

  result_init (&item);
  weft_result_set_int (&item, value);
  return queue_put (self, &item, error);
}

/**
 * weft_deferred_queue_put_string:
 * @self: a queue
 * @value: (nullable): the string, copied
 * @error: return location for an error
 *
 * Puts a %G_TYPE_STRING (see weft_deferred_queue_put_value()).
 *
 * Returns: %TRUE on success
 */
gboolean
weft_deferred_queue_put_string (WeftDeferredQueue *self, const char *value, GError **error)
{
  WeftResult item;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), FALSE);

  result_init (&item);
  weft_result_set_string (&item, value);
  return queue_put (self, &item, error);
}

/**
 * weft_deferred_queue_put_pointer:
 * @self: a queue
 * @value: (nullable): the pointer, not owned by the queue
 * @error: return location for an error
 *
 * Puts a %G_TYPE_POINTER (see weft_deferred_queue_put_value()).
 *
 * Returns: %TRUE on success
 */
gboolean
weft_deferred_queue_put_pointer (WeftDeferredQueue *self, gpointer value, GError **error)
{
  WeftResult item;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), FALSE);

  result_init (&item);
  weft_result_set_pointer (&item, value);
  return queue_put (self, &item, error);
}

/**
 * weft_deferred_queue_put_object:
 * @self: a queue
 * @object: (type GObject): the object; the queue takes a reference
 * @error: return location for an error
 *
 * Puts an object (see weft_deferred_queue_put_value()).
 *
 * Returns: %TRUE on success
 */
gboolean
weft_deferred_queue_put_object (WeftDeferredQueue *self, gpointer object, GError **error)
{
  WeftResult item;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);

  result_init (&item);
  weft_result_set_object (&item, object);
  return queue_put (self, &item, error);
}

static void
queue_cancel_get (WeftDeferred *waiter, gpointer data)
{
  waiter_cancel (&WEFT_DEFERRED_QUEUE (data)->waiting, waiter);
}

/**
 * weft_deferred_queue_get:
 * @self: a queue
 *
 * Takes the oldest value, now or when one is put. Cancelling a deferred that
 * still waits takes it out of the line. If backlog consumers already wait,
 * the returned deferred has failed with %G_IO_ERROR_BUSY.
 *
 * Returns: (transfer full): a deferred that fires with the value
 */
WeftDeferred *
weft_deferred_queue_get (WeftDeferredQueue *self)
{
  WeftResult *item;
  WeftDeferred *waiter;

  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), NULL);

  item = g_queue_pop_head (&self->pending);
  if (item != NULL)
    {
      waiter = weft_deferred_new ();
      deferred_fire_move (waiter, item, G_STRFUNC);
      weft_result_free (item);
      return waiter;
    }

  if (self->backlog >= 0 && self->waiting.length >= (guint) self->backlog)
    return weft_deferred_fail (g_error_new (G_IO_ERROR, G_IO_ERROR_BUSY,
                                            "Too many consumers wait on the queue (at most %d may)", self->backlog));

  return waiter_new (self, &self->waiting, queue_cancel_get, "weft_deferred_queue_get", FALSE);
}

/**
 * weft_deferred_queue_get_n_pending:
 * @self: a queue
 *
 * Returns: how many values wait for a consumer
 */
guint
weft_deferred_queue_get_n_pending (WeftDeferredQueue *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), 0);
  return self->pending.length;
}

/**
 * weft_deferred_queue_get_n_waiting:
 * @self: a queue
 *
 * Returns: how many consumers wait for a value
 */
guint
weft_deferred_queue_get_n_waiting (WeftDeferredQueue *self)
{
  g_return_val_if_fail (WEFT_IS_DEFERRED_QUEUE (self), 0);
  return self->waiting.length;
}
