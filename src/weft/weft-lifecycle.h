/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-deferred.h"
#include "weft-reactor.h"

G_BEGIN_DECLS

/**
 * WeftSystemEvent:
 * @WEFT_SYSTEM_EVENT_STARTUP: the reactor starts running
 * @WEFT_SYSTEM_EVENT_SHUTDOWN: the reactor was asked to stop
 *
 * The reactor's lifecycle events.
 */
typedef enum {
  WEFT_SYSTEM_EVENT_STARTUP,
  WEFT_SYSTEM_EVENT_SHUTDOWN,
} WeftSystemEvent;

WEFT_AVAILABLE_IN_ALL
GType weft_system_event_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_SYSTEM_EVENT (weft_system_event_get_type ())

/**
 * WeftTriggerPhase:
 * @WEFT_TRIGGER_BEFORE: runs first; deferreds returned by these triggers
 *   are waited for (on shutdown, at most the shutdown timeout)
 * @WEFT_TRIGGER_DURING: runs once every "before" trigger is done; returned
 *   deferreds are waited for too
 * @WEFT_TRIGGER_AFTER: runs last; returned deferreds are not waited for
 *
 * When a trigger runs within its event.
 */
typedef enum {
  WEFT_TRIGGER_BEFORE,
  WEFT_TRIGGER_DURING,
  WEFT_TRIGGER_AFTER,
} WeftTriggerPhase;

WEFT_AVAILABLE_IN_ALL
GType weft_trigger_phase_get_type (void) G_GNUC_CONST;
#define WEFT_TYPE_TRIGGER_PHASE (weft_trigger_phase_get_type ())

/**
 * WeftTriggerFunc:
 * @reactor: the reactor whose event fires
 * @user_data: the data given with the trigger
 *
 * A system event trigger. It may start asynchronous work and return a
 * deferred for it (a chat client sends QUIT and returns the deferred of its
 * outbox being flushed); the event's next phase waits for it. An error in
 * that deferred is logged and does not stop the event.
 *
 * Returns: (transfer full) (nullable): a deferred to wait for, or %NULL
 */
typedef WeftDeferred *(*WeftTriggerFunc) (WeftReactor *reactor, gpointer user_data);

WEFT_AVAILABLE_IN_ALL
guint weft_reactor_add_system_event_trigger (WeftReactor *reactor,
                                             WeftTriggerPhase phase,
                                             WeftSystemEvent event,
                                             WeftTriggerFunc func,
                                             gpointer user_data,
                                             GDestroyNotify notify);
WEFT_AVAILABLE_IN_ALL
gboolean weft_reactor_remove_system_event_trigger (WeftReactor *reactor, guint trigger_id);
WEFT_AVAILABLE_IN_ALL
void weft_reactor_call_when_running (WeftReactor *reactor,
                                     WeftCallback callback,
                                     gpointer user_data,
                                     GDestroyNotify notify);
WEFT_AVAILABLE_IN_ALL
void weft_reactor_set_shutdown_timeout (WeftReactor *reactor, gint64 timeout_us);
WEFT_AVAILABLE_IN_ALL
gint64 weft_reactor_get_shutdown_timeout (WeftReactor *reactor);
WEFT_AVAILABLE_IN_ALL
gboolean weft_reactor_is_shutting_down (WeftReactor *reactor);

G_END_DECLS
