/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

/* Deferred internals shared by the files of the Deferred layer: the result
 * slot, the chain's entries and the instance structure. */

#include "weft-deferred.h"
#include "weft-error.h"

#include <string.h>

G_BEGIN_DECLS

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

static inline void
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

typedef void (*ReleaseFunc) (gpointer primitive);

void weft_deferred_release (WeftDeferred *deferred);
void weft_deferred_fire_move (WeftDeferred *self, WeftResult *result, const char *strfunc);
void weft_deferred_fire_take_value (WeftDeferred *self, GValue *value, const char *strfunc);
void weft_deferred_fire_error (WeftDeferred *self, GError *error, const char *strfunc);
void weft_cancellable_link_drop (CancellableLink *link, WeftDeferred *self);
WeftDeferred *weft_primitive_run (WeftDeferred *acquired,
                                  gpointer primitive,
                                  ReleaseFunc release,
                                  WeftDeferredFunc func,
                                  gpointer user_data,
                                  GDestroyNotify notify);
void weft_waiters_clear (GQueue *waiting);
void weft_waiter_cancel (GQueue *waiting, WeftDeferred *waiter);
WeftDeferred *weft_waiter_new (gpointer primitive,
                               GQueue *waiting,
                               WeftDeferredCanceller cancel,
                               const char *description,
                               gboolean available);
gboolean weft_waiter_hand_over (gpointer primitive, GQueue *waiting);

G_END_DECLS
