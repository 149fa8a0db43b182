/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-reactor.h"

G_BEGIN_DECLS

/**
 * WeftResult:
 *
 * What a [class@Weft.Deferred] carries along its chain: either a typed value
 * (anything a `GValue` can hold: numbers, strings, pointers, boxed types,
 * objects), or a `GError`, or nothing at all (an "empty" result, Twisted's
 * `None`).
 *
 * A callback receives the deferred's current result as a `WeftResult *` that
 * it may read and change in place: setting a value clears an error (the
 * callback recovered), setting an error clears the value. The pointer belongs
 * to the deferred and is valid only during the call.
 *
 * A `WeftResult` is also a boxed type of its own: the combinators
 * (weft_deferred_gather(), weft_deferred_list_new()) fire with a `GPtrArray`
 * of them, one per input deferred.
 */
typedef struct _WeftResult WeftResult;

#define WEFT_TYPE_RESULT (weft_result_get_type ())

/**
 * WeftDeferred:
 *
 * A result that is not there yet: Twisted's Deferred for C.
 *
 * Whoever starts an operation returns a new deferred and keeps a reference
 * to fire it later with one of the `weft_deferred_callback_*()` functions or
 * weft_deferred_errback_take_error(). Whoever asked for the operation adds callbacks
 * with weft_deferred_add_callback() and friends; they run in the order they
 * were added, each receiving the current [struct@Weft.Result], once the
 * deferred fires (or at once if it already has).
 *
 * Ownership rules:
 *
 * - Functions that return a new deferred return a full reference
 *   (`g_autoptr (WeftDeferred)` works). Firing, adding callbacks and
 *   cancelling never take or drop the caller's reference.
 * - The code that will fire a deferred must hold a reference to it until it
 *   has. A deferred that nobody can fire simply never runs its callbacks.
 *   The caller may drop its own reference right after adding callbacks.
 * - A callback's `user_data` is released with its `notify` exactly once:
 *   after the callback ran, or when the deferred is finalized without having
 *   run it.
 * - Values passed to `callback_*()` functions are copied (strings,
 *   boxed types) or referenced (objects) unless the name says `take`;
 *   weft_deferred_errback_take_error() takes the `GError`.
 * - A deferred is used from one thread only: the thread of its reactor.
 *
 * - A deferred returned by a callback is owned by the chain from then on
 *   (the callback returns a full reference); its result moves to the outer
 *   deferred, leaving it empty.
 *
 * Firing a deferred twice is a programming error, reported with a critical
 * that names the deferred (see weft_deferred_set_description()); the second
 * result is dropped. After weft_deferred_cancel(), one late result from the
 * cancelled operation is dropped silently.
 *
 * An error still at the end of a chain when the deferred's last reference
 * goes is reported with g_warning() (see
 * weft_deferred_set_unhandled_error_func()): end chains that may fail with
 * an errback.
 */
#define WEFT_TYPE_DEFERRED (weft_deferred_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftDeferred, weft_deferred, WEFT, DEFERRED, GObject)

/**
 * WeftDeferredFunc:
 * @result: (not nullable): the deferred's current result, to read and
 *   change in place; owned by the deferred
 * @user_data: the data given when the callback was added
 *
 * A link of a deferred's callback chain.
 *
 * The function may leave @result alone (the result passes on unchanged),
 * replace it with a new value (`weft_result_set_int (result, 42)`), turn it
 * into an error (weft_result_take_error()), or recover from an error by
 * setting a value or weft_result_clear().
 *
 * It may instead return another deferred: the chain then pauses until that
 * one fires, and its result replaces @result. The returned deferred's own
 * result is moved, not copied: callbacks added to it afterwards see an empty
 * result. Chains run iteratively, so deferreds may be nested to any depth.
 *
 * Returns: (transfer full) (nullable): %NULL to continue with @result, or a
 *   deferred to wait for
 */
typedef WeftDeferred *(*WeftDeferredFunc) (WeftResult *result, gpointer user_data);

/**
 * WeftDeferredCanceller:
 * @deferred: the deferred being cancelled
 * @user_data: the data given with the canceller
 *
 * Stops the work that would have fired @deferred. It may fire @deferred
 * itself (with any result); if it does not, weft_deferred_cancel() fires it
 * with a %G_IO_ERROR_CANCELLED error right after.
 */
typedef void (*WeftDeferredCanceller) (WeftDeferred *deferred, gpointer user_data);

/**
 * WeftUnhandledErrorFunc:
 * @description: the description of the deferred that is going away
 * @error: the error it still held
 * @user_data: the data given to weft_deferred_set_unhandled_error_func()
 *
 * Reports an error that reached the end of a deferred's chain and that no
 * errback handled, when the deferred's last reference is dropped.
 */
typedef void (*WeftUnhandledErrorFunc) (const char *description, const GError *error, gpointer user_data);

/**
 * WeftDeferredListFlags:
 * @WEFT_DEFERRED_LIST_NONE: wait for every deferred and fire with all results
 * @WEFT_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK: fire with the first value as soon
 *   as one deferred succeeds (weft_result_get_index() tells which)
 * @WEFT_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK: fail with the first error as soon
 *   as one deferred fails (weft_result_get_index() tells which)
 * @WEFT_DEFERRED_LIST_CONSUME_ERRORS: errors are taken out of the input
 *   deferreds (their chains continue with an empty result), so they are
 *   reported only through the list, never as unhandled
 *
 * How weft_deferred_list_new() combines its deferreds.
 */
typedef enum {
  WEFT_DEFERRED_LIST_NONE = 0,
  WEFT_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK = 1 << 0,
  WEFT_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK = 1 << 1,
  WEFT_DEFERRED_LIST_CONSUME_ERRORS = 1 << 2,
} WeftDeferredListFlags;

WEFT_AVAILABLE_IN_ALL
GType weft_deferred_list_flags_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_DEFERRED_LIST_FLAGS (weft_deferred_list_flags_get_type ())

/* WeftResult */

WEFT_AVAILABLE_IN_ALL
GType weft_result_get_type (void) G_GNUC_CONST;
WEFT_AVAILABLE_IN_ALL
WeftResult *weft_result_new (void) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftResult *weft_result_copy (const WeftResult *result) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_result_free (WeftResult *result);

WEFT_AVAILABLE_IN_ALL
gboolean weft_result_is_error (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
gboolean weft_result_is_empty (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
gboolean weft_result_holds (const WeftResult *result, GType type);
WEFT_AVAILABLE_IN_ALL
int weft_result_get_index (const WeftResult *result);

WEFT_AVAILABLE_IN_ALL
const GError *weft_result_get_error (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
gboolean weft_result_error_matches (const WeftResult *result, GQuark domain, int code);
WEFT_AVAILABLE_IN_ALL
gboolean weft_result_is_cancelled (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
gboolean weft_result_propagate_error (const WeftResult *result, GError **error);

WEFT_AVAILABLE_IN_ALL
const GValue *weft_result_get_value (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
GType weft_result_get_value_type (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
gboolean weft_result_get_boolean (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
int weft_result_get_int (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
guint weft_result_get_uint (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
gint64 weft_result_get_int64 (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
guint64 weft_result_get_uint64 (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
double weft_result_get_double (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
const char *weft_result_get_string (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
char *weft_result_dup_string (const WeftResult *result) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
gpointer weft_result_get_pointer (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
gpointer weft_result_get_object (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
gpointer weft_result_dup_object (const WeftResult *result) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
gpointer weft_result_get_boxed (const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
GPtrArray *weft_result_get_results (const WeftResult *result);

WEFT_AVAILABLE_IN_ALL
void weft_result_clear (WeftResult *result);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_value (WeftResult *result, const GValue *value);
WEFT_AVAILABLE_IN_ALL
void weft_result_take_value (WeftResult *result, GValue *value);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_boolean (WeftResult *result, gboolean value);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_int (WeftResult *result, int value);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_uint (WeftResult *result, guint value);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_int64 (WeftResult *result, gint64 value);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_uint64 (WeftResult *result, guint64 value);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_double (WeftResult *result, double value);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_string (WeftResult *result, const char *value);
WEFT_AVAILABLE_IN_ALL
void weft_result_take_string (WeftResult *result, char *value);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_pointer (WeftResult *result, gpointer value);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_object (WeftResult *result, gpointer object);
WEFT_AVAILABLE_IN_ALL
void weft_result_take_object (WeftResult *result, gpointer object);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_boxed (WeftResult *result, GType boxed_type, gconstpointer boxed);
WEFT_AVAILABLE_IN_ALL
void weft_result_take_boxed (WeftResult *result, GType boxed_type, gpointer boxed);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_error (WeftResult *result, const GError *error);
WEFT_AVAILABLE_IN_ALL
void weft_result_take_error (WeftResult *result, GError *error);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_error_literal (WeftResult *result, GQuark domain, int code, const char *message);
WEFT_AVAILABLE_IN_ALL
void weft_result_set_new_error (WeftResult *result, GQuark domain, int code, const char *format, ...)
    G_GNUC_PRINTF (4, 5);

/* Creating */

WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_new (void) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_new_with_canceller (WeftDeferredCanceller canceller,
                                                gpointer user_data,
                                                GDestroyNotify notify) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_succeed (const GValue *value) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_succeed_none (void) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_succeed_boolean (gboolean value) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_succeed_int (int value) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_succeed_string (const char *value) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_succeed_pointer (gpointer value) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_succeed_object (gpointer object) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_fail_take_error (GError *error) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_fail_literal (GQuark domain, int code, const char *message) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_maybe_deferred (WeftDeferredFunc func, gpointer user_data) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_defer_later (WeftReactor *reactor,
                                gint64 delay_us,
                                WeftDeferredFunc func,
                                gpointer user_data,
                                GDestroyNotify notify) G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
void weft_deferred_set_description (WeftDeferred *self, const char *description);
WEFT_AVAILABLE_IN_ALL
const char *weft_deferred_get_description (WeftDeferred *self);

/* Firing */

WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_value (WeftDeferred *self, const GValue *value);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_none (WeftDeferred *self);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_boolean (WeftDeferred *self, gboolean value);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_int (WeftDeferred *self, int value);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_uint (WeftDeferred *self, guint value);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_int64 (WeftDeferred *self, gint64 value);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_double (WeftDeferred *self, double value);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_string (WeftDeferred *self, const char *value);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_take_string (WeftDeferred *self, char *value);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_pointer (WeftDeferred *self, gpointer value);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_object (WeftDeferred *self, gpointer object);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_take_object (WeftDeferred *self, gpointer object);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_boxed (WeftDeferred *self, GType boxed_type, gconstpointer boxed);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_callback_result (WeftDeferred *self, const WeftResult *result);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_errback_take_error (WeftDeferred *self, GError *error);
/* The names before ownership-taking functions said _take_; kept so that
 * code written against them still builds. */
#define weft_deferred_errback(self, error) weft_deferred_errback_take_error ((self), (error))
#define weft_deferred_fail(error) weft_deferred_fail_take_error ((error))
WEFT_AVAILABLE_IN_ALL
void weft_deferred_errback_literal (WeftDeferred *self, GQuark domain, int code, const char *message);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_errback_new (WeftDeferred *self, GQuark domain, int code, const char *format, ...)
    G_GNUC_PRINTF (4, 5);

/* The chain */

WEFT_AVAILABLE_IN_ALL
void weft_deferred_add_callback (WeftDeferred *self,
                                 WeftDeferredFunc callback,
                                 gpointer user_data,
                                 GDestroyNotify notify);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_add_errback (WeftDeferred *self,
                                WeftDeferredFunc errback,
                                gpointer user_data,
                                GDestroyNotify notify);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_add_callbacks (WeftDeferred *self,
                                  WeftDeferredFunc callback,
                                  WeftDeferredFunc errback,
                                  gpointer user_data,
                                  GDestroyNotify notify);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_add_both (WeftDeferred *self, WeftDeferredFunc func, gpointer user_data, GDestroyNotify notify);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_add_finally (WeftDeferred *self, WeftCallback func, gpointer user_data, GDestroyNotify notify);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_chain (WeftDeferred *self, WeftDeferred *other);

WEFT_AVAILABLE_IN_ALL
void weft_deferred_pause (WeftDeferred *self);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_unpause (WeftDeferred *self);

WEFT_AVAILABLE_IN_ALL
gboolean weft_deferred_has_fired (WeftDeferred *self);
WEFT_AVAILABLE_IN_ALL
gboolean weft_deferred_is_paused (WeftDeferred *self);
WEFT_AVAILABLE_IN_ALL
gboolean weft_deferred_is_waiting (WeftDeferred *self);
WEFT_AVAILABLE_IN_ALL
const WeftResult *weft_deferred_peek_result (WeftDeferred *self);

/* Cancelling and time */

WEFT_AVAILABLE_IN_ALL
void weft_deferred_cancel (WeftDeferred *self);
WEFT_AVAILABLE_IN_ALL
void weft_deferred_add_timeout (WeftDeferred *self, WeftReactor *reactor, gint64 timeout_us);

/* GIO */

WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_new_for_cancellable (GCancellable *cancellable) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
GCancellable *weft_deferred_get_cancellable (WeftDeferred *self);
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_new_async (GType value_type,
                                       GCallback finish,
                                       GAsyncReadyCallback *callback,
                                       gpointer *user_data) G_GNUC_WARN_UNUSED_RESULT;

/**
 * WEFT_DEFERRED_ASYNC:
 * @value_type: the `GType` of what the finish function returns; see
 *   weft_deferred_new_async()
 * @name: the name of a GIO-style operation without its `_async` / `_finish`
 *   suffix, e.g. `soup_session_send_and_read`
 * @...: the arguments of `name_async` before its `cancellable`
 *
 * Starts `name_async (..., cancellable, callback, user_data)` and returns a
 * new [class@Weft.Deferred] (transfer full) that fires with the result of
 * `name_finish`. The cancellable is the deferred's own
 * (weft_deferred_get_cancellable()), so cancelling the deferred cancels the
 * operation.
 *
 * ```c
 * WeftDeferred *d = WEFT_DEFERRED_ASYNC (G_TYPE_BYTES, soup_session_send_and_read,
 *                                        session, msg, G_PRIORITY_DEFAULT);
 * WeftDeferred *d = WEFT_DEFERRED_ASYNC (G_TYPE_ASYNC_RESULT, g_file_load_contents, file);
 * ```
 *
 * Requires a compiler with statement expressions (GCC, Clang).
 */
#if defined(__GNUC__)
#define WEFT_DEFERRED_ASYNC(value_type, name, ...)                                                                    \
  G_GNUC_EXTENSION ({                                                                                                 \
    GAsyncReadyCallback weft_async_callback_;                                                                         \
    gpointer weft_async_data_;                                                                                        \
    WeftDeferred *weft_async_deferred_ =                                                                              \
        weft_deferred_new_async ((value_type), G_CALLBACK (name##_finish), &weft_async_callback_, &weft_async_data_); \
    weft_deferred_set_description (weft_async_deferred_, #name);                                                      \
    name##_async (__VA_ARGS__, weft_deferred_get_cancellable (weft_async_deferred_), weft_async_callback_,            \
                  weft_async_data_);                                                                                  \
    weft_async_deferred_;                                                                                             \
  })
#endif

/* Combinators */

WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_gather (WeftDeferred *const *deferreds, guint n_deferreds) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_list_new (WeftDeferred *const *deferreds, guint n_deferreds, WeftDeferredListFlags flags)
    G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_race (WeftDeferred *const *deferreds, guint n_deferreds) G_GNUC_WARN_UNUSED_RESULT;

/* Unhandled errors */

WEFT_AVAILABLE_IN_ALL
void weft_deferred_set_unhandled_error_func (WeftUnhandledErrorFunc func, gpointer user_data);
WEFT_AVAILABLE_IN_ALL
guint weft_deferred_get_unhandled_error_count (void);

/* Concurrency helpers */

#define WEFT_TYPE_DEFERRED_LOCK (weft_deferred_lock_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftDeferredLock, weft_deferred_lock, WEFT, DEFERRED_LOCK, GObject)

WEFT_AVAILABLE_IN_ALL
WeftDeferredLock *weft_deferred_lock_new (void) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_lock_acquire (WeftDeferredLock *self) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_deferred_lock_release (WeftDeferredLock *self);
WEFT_AVAILABLE_IN_ALL
gboolean weft_deferred_lock_is_locked (WeftDeferredLock *self);
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_lock_run (WeftDeferredLock *self,
                                      WeftDeferredFunc func,
                                      gpointer user_data,
                                      GDestroyNotify notify) G_GNUC_WARN_UNUSED_RESULT;

#define WEFT_TYPE_DEFERRED_SEMAPHORE (weft_deferred_semaphore_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftDeferredSemaphore, weft_deferred_semaphore, WEFT, DEFERRED_SEMAPHORE, GObject)

WEFT_AVAILABLE_IN_ALL
WeftDeferredSemaphore *weft_deferred_semaphore_new (guint tokens) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_semaphore_acquire (WeftDeferredSemaphore *self) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_deferred_semaphore_release (WeftDeferredSemaphore *self);
WEFT_AVAILABLE_IN_ALL
guint weft_deferred_semaphore_get_tokens (WeftDeferredSemaphore *self);
WEFT_AVAILABLE_IN_ALL
guint weft_deferred_semaphore_get_limit (WeftDeferredSemaphore *self);
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_semaphore_run (WeftDeferredSemaphore *self,
                                           WeftDeferredFunc func,
                                           gpointer user_data,
                                           GDestroyNotify notify) G_GNUC_WARN_UNUSED_RESULT;

#define WEFT_TYPE_DEFERRED_QUEUE (weft_deferred_queue_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftDeferredQueue, weft_deferred_queue, WEFT, DEFERRED_QUEUE, GObject)

WEFT_AVAILABLE_IN_ALL
WeftDeferredQueue *weft_deferred_queue_new (int size, int backlog) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
gboolean weft_deferred_queue_put_value (WeftDeferredQueue *self, const GValue *value, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_deferred_queue_put_int (WeftDeferredQueue *self, int value, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_deferred_queue_put_string (WeftDeferredQueue *self, const char *value, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_deferred_queue_put_pointer (WeftDeferredQueue *self, gpointer value, GError **error);
WEFT_AVAILABLE_IN_ALL
gboolean weft_deferred_queue_put_object (WeftDeferredQueue *self, gpointer object, GError **error);
WEFT_AVAILABLE_IN_ALL
WeftDeferred *weft_deferred_queue_get (WeftDeferredQueue *self) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
guint weft_deferred_queue_get_n_pending (WeftDeferredQueue *self);
WEFT_AVAILABLE_IN_ALL
guint weft_deferred_queue_get_n_waiting (WeftDeferredQueue *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WeftResult, weft_result_free)

G_END_DECLS
