/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "weft-deferred-private.h"

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
G_DEFINE_FINAL_TYPE (WeftDeferred, weft_deferred, G_TYPE_OBJECT)
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

void
weft_deferred_release (WeftDeferred *deferred)
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
      weft_deferred_release (entry->user_data);
      break;

    case ENTRY_CHAIN:
      weft_deferred_release (entry->user_data);
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
              weft_deferred_release (other);
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

void
weft_deferred_fire_move (WeftDeferred *self, WeftResult *result, const char *strfunc)
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

void
weft_deferred_fire_take_value (WeftDeferred *self, GValue *value, const char *strfunc)
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

void
weft_deferred_fire_error (WeftDeferred *self, GError *error, const char *strfunc)
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
    weft_cancellable_link_drop (g_steal_pointer (&self->link), self);

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
 * weft_deferred_errback_take_error:
 * @self: a deferred that has not fired
 * @error: (transfer full): the error
 *
 * Fires @self with @error: the chain goes on with errbacks until one
 * recovers.
 */
void
weft_deferred_errback_take_error (WeftDeferred *self, GError *error)
{
  g_return_if_fail (WEFT_IS_DEFERRED (self));
  g_return_if_fail (error != NULL);

  weft_deferred_fire_error (self, error, G_STRFUNC);
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

  weft_deferred_fire_error (self, g_error_new_literal (domain, code, message), G_STRFUNC);
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
  weft_deferred_fire_error (self, error, G_STRFUNC);
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
 * fired it, fails it with %G_IO_ERROR_CANCELLED. One late result from the
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
    weft_deferred_fire_error (target,
                              g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s was cancelled",
                                           deferred_subject (target)),
                              G_STRFUNC);
  target->drop_late_result = TRUE;

  g_object_unref (target);
}
