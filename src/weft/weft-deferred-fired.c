/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Deferreds that have a result from the start: succeed, fail, and
 * Twisted's maybeDeferred(). */

#include "weft-deferred-private.h"

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
 * weft_deferred_fail_take_error:
 * @error: (transfer full): the error
 *
 * Twisted's `fail()`: a deferred that has already failed with @error. Add
 * an errback, or the error is reported as unhandled when the deferred goes.
 *
 * Returns: (transfer full): a new deferred
 */
WeftDeferred *
weft_deferred_fail_take_error (GError *error)
{
  WeftDeferred *self = weft_deferred_new ();

  weft_deferred_errback_take_error (self, error);
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
  return weft_deferred_fail_take_error (g_error_new_literal (domain, code, message));
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
