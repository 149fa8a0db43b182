/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "weft-deferred-private.h"

G_DEFINE_FLAGS_TYPE (WeftDeferredListFlags,
                     weft_deferred_list_flags,
                     G_DEFINE_ENUM_VALUE (WEFT_DEFERRED_LIST_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (WEFT_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK, "fire-on-one-callback"),
                     G_DEFINE_ENUM_VALUE (WEFT_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK, "fire-on-one-errback"),
                     G_DEFINE_ENUM_VALUE (WEFT_DEFERRED_LIST_CONSUME_ERRORS, "consume-errors"))
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
      weft_deferred_release (self->deferred);
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

  weft_deferred_fire_move (deferred, result, G_STRFUNC);
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
