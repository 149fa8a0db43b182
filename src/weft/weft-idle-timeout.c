/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Closes a connection that has been quiet for too long: Twisted's
 * TimeoutMixin as an object a protocol keeps. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-idle-timeout.h"
#include "weft-transport.h"

/**
 * WeftIdleTimeout:
 *
 * Aborts a protocol's connection when nothing happened on it for a while,
 * so that a peer that connects and goes silent (or sends a byte a minute)
 * cannot hold a server's connection and memory for ever.
 *
 * A protocol makes one in `connection_made`, calls
 * weft_idle_timeout_reset() for each sign of life (typically in
 * `data_received`) and weft_idle_timeout_cancel() in `connection_lost`:
 *
 * ```c
 * static void
 * my_protocol_connection_made (WeftProtocol *protocol, WeftTransport *transport)
 * {
 *   MyProtocol *self = MY_PROTOCOL (protocol);
 *
 *   MY_PROTOCOL_CLASS (my_protocol_parent_class)->connection_made (protocol, transport);
 *   self->idle = weft_idle_timeout_new (reactor, protocol, 300 * G_USEC_PER_SEC);
 * }
 * ```
 *
 * When the time passes, the connection is aborted with a
 * %G_IO_ERROR_TIMED_OUT error, which the protocol's `connection_lost`
 * receives. Resetting costs no system call: the timer is moved only when
 * it fires early.
 */
struct _WeftIdleTimeout {
  GObject parent_instance;

  WeftReactor *reactor;   /* owned */
  WeftProtocol *protocol; /* weak */
  WeftDelayedCall *timer; /* owned by the reactor, until it runs */
  gint64 timeout_us;      /* 0: none */
  gint64 last_activity;
};

G_DEFINE_FINAL_TYPE (WeftIdleTimeout, weft_idle_timeout, G_TYPE_OBJECT)

static void schedule (WeftIdleTimeout *self, gint64 delay_us);

static void
expired (gpointer user_data)
{
  WeftIdleTimeout *self = user_data;
  gint64 idle = weft_reactor_get_time (self->reactor) - self->last_activity;
  WeftTransport *transport;
  g_autoptr (GError) error = NULL;
  char seconds[G_ASCII_DTOSTR_BUF_SIZE];

  self->timer = NULL;
  if (idle < self->timeout_us)
    {
      schedule (self, self->timeout_us - idle);
      return;
    }
  transport = self->protocol != NULL ? weft_protocol_get_transport (self->protocol) : NULL;
  if (transport == NULL)
    return;
  g_ascii_formatd (seconds, sizeof seconds, "%.6g", self->timeout_us / (double) G_USEC_PER_SEC);
  error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _ ("The connection was idle for %s s."), seconds);
  weft_transport_abort_connection_with_error (transport, error);
}

static void
schedule (WeftIdleTimeout *self, gint64 delay_us)
{
  if (self->timer != NULL)
    weft_delayed_call_cancel (g_steal_pointer (&self->timer));
  if (self->timeout_us > 0 && self->protocol != NULL)
    self->timer = weft_reactor_call_later (self->reactor, delay_us, expired, self, NULL);
}

static void
weft_idle_timeout_dispose (GObject *object)
{
  WeftIdleTimeout *self = WEFT_IDLE_TIMEOUT (object);

  weft_idle_timeout_cancel (self);
  g_clear_weak_pointer (&self->protocol);
  G_OBJECT_CLASS (weft_idle_timeout_parent_class)->dispose (object);
}

static void
weft_idle_timeout_finalize (GObject *object)
{
  g_clear_object (&WEFT_IDLE_TIMEOUT (object)->reactor);
  G_OBJECT_CLASS (weft_idle_timeout_parent_class)->finalize (object);
}

static void
weft_idle_timeout_class_init (WeftIdleTimeoutClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = weft_idle_timeout_dispose;
  G_OBJECT_CLASS (klass)->finalize = weft_idle_timeout_finalize;
}

static void
weft_idle_timeout_init (WeftIdleTimeout *self)
{
}

/**
 * weft_idle_timeout_new:
 * @reactor: the reactor whose clock counts
 * @protocol: the protocol whose connection is closed when idle; not
 *   referenced
 * @timeout_us: how long the connection may be idle, in microseconds; 0
 *   for no limit (until weft_idle_timeout_set_timeout())
 *
 * Starts counting now.
 *
 * Returns: (transfer full): a new idle timeout
 */
WeftIdleTimeout *
weft_idle_timeout_new (WeftReactor *reactor, WeftProtocol *protocol, gint64 timeout_us)
{
  WeftIdleTimeout *self;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (timeout_us >= 0, NULL);

  self = g_object_new (WEFT_TYPE_IDLE_TIMEOUT, NULL);
  self->reactor = g_object_ref (reactor);
  g_set_weak_pointer (&self->protocol, protocol);
  self->timeout_us = timeout_us;
  self->last_activity = weft_reactor_get_time (reactor);
  schedule (self, timeout_us);
  return self;
}

/**
 * weft_idle_timeout_reset:
 * @self: an idle timeout
 *
 * Notes a sign of life: the idle time counts from now again. Cheap enough
 * to call for every read.
 */
void
weft_idle_timeout_reset (WeftIdleTimeout *self)
{
  g_return_if_fail (WEFT_IS_IDLE_TIMEOUT (self));

  self->last_activity = weft_reactor_get_time (self->reactor);
}

/**
 * weft_idle_timeout_set_timeout:
 * @self: an idle timeout
 * @timeout_us: the new limit in microseconds, counted from now; 0 for none
 *
 * Changes the limit, as Twisted's `setTimeout()`.
 */
void
weft_idle_timeout_set_timeout (WeftIdleTimeout *self, gint64 timeout_us)
{
  g_return_if_fail (WEFT_IS_IDLE_TIMEOUT (self));
  g_return_if_fail (timeout_us >= 0);

  self->timeout_us = timeout_us;
  self->last_activity = weft_reactor_get_time (self->reactor);
  schedule (self, timeout_us);
}

/**
 * weft_idle_timeout_get_timeout:
 * @self: an idle timeout
 *
 * Returns: the limit in microseconds; 0 for none
 */
gint64
weft_idle_timeout_get_timeout (WeftIdleTimeout *self)
{
  g_return_val_if_fail (WEFT_IS_IDLE_TIMEOUT (self), 0);

  return self->timeout_us;
}

/**
 * weft_idle_timeout_cancel:
 * @self: an idle timeout
 *
 * Stops counting for good (call it from `connection_lost`); the reactor
 * then holds no timer for @self.
 */
void
weft_idle_timeout_cancel (WeftIdleTimeout *self)
{
  g_return_if_fail (WEFT_IS_IDLE_TIMEOUT (self));

  self->timeout_us = 0;
  if (self->timer != NULL)
    weft_delayed_call_cancel (g_steal_pointer (&self->timer));
}
