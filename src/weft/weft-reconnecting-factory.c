/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "weft-connector.h"
#include "weft-backoff-private.h"
#include "weft-reconnecting-factory.h"

/**
 * WeftReconnectingClientFactory:
 *
 * A client factory that connects again when a connection attempt fails or
 * a connection is lost, waiting longer after each failure: Twisted's
 * `ReconnectingClientFactory`. Use it with a [class@Weft.Connector]:
 *
 * ```c
 * factory = weft_reconnecting_client_factory_new (reactor, MY_TYPE_PROTOCOL);
 * connector = weft_connector_new (endpoint, WEFT_CLIENT_FACTORY (factory));
 * weft_connector_connect (connector);
 * ```
 *
 * After a failure the delay is multiplied by #WeftReconnectingClientFactory:factor
 * (e by default), capped at #WeftReconnectingClientFactory:max-delay (an
 * hour), and then drawn from a normal distribution around that value whose
 * standard deviation is #WeftReconnectingClientFactory:jitter times the
 * delay, so that many clients cut off at once do not all come back at
 * once. The first retry therefore comes after about initial-delay × factor
 * seconds (2.7 s by default). The retry runs on the reactor's clock.
 *
 * When a connection is made (the factory builds its protocol) the delay
 * and the retry count go back to their start. weft_reconnecting_client_factory_stop_trying()
 * ends the retries, cancelling a pending one and an attempt under way;
 * #WeftReconnectingClientFactory:max-retries ends them after that many.
 */

typedef struct {
  WeftReactor *reactor;
  WeftBackoff backoff;
  guint retries;
  int max_retries;
  gboolean continue_trying;
  GWeakRef connector; /* the last one that told us something */
  WeftDelayedCall *retry_call;
} WeftReconnectingClientFactoryPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (WeftReconnectingClientFactory, weft_reconnecting_client_factory, WEFT_TYPE_CLIENT_FACTORY)

enum {
  PROP_0,
  PROP_REACTOR,
  PROP_INITIAL_DELAY,
  PROP_MAX_DELAY,
  PROP_FACTOR,
  PROP_JITTER,
  PROP_MAX_RETRIES,
  PROP_DELAY,
  PROP_RETRIES,
  PROP_TRYING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static WeftReconnectingClientFactoryPrivate *
get_private (WeftReconnectingClientFactory *self)
{
  return weft_reconnecting_client_factory_get_instance_private (self);
}

static void
cancel_retry (WeftReconnectingClientFactory *self)
{
  WeftReconnectingClientFactoryPrivate *priv = get_private (self);
  WeftDelayedCall *call = g_steal_pointer (&priv->retry_call);

  if (call != NULL)
    {
      weft_delayed_call_cancel (call);
      weft_delayed_call_unref (call);
    }
}

typedef struct {
  WeftReconnectingClientFactory *factory; /* weak: the factory cancels the call when it goes */
  WeftConnector *connector;
} Retry;

static void
retry_free (gpointer data)
{
  Retry *retry = data;

  g_object_unref (retry->connector);
  g_free (retry);
}

static void
retry_now (gpointer data)
{
  Retry *retry = data;
  WeftReconnectingClientFactoryPrivate *priv = get_private (retry->factory);

  g_clear_pointer (&priv->retry_call, weft_delayed_call_unref);
  if (weft_connector_get_state (retry->connector) == WEFT_CONNECTOR_STATE_DISCONNECTED)
    weft_connector_connect (retry->connector);
}

static void
notify_state (WeftReconnectingClientFactory *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELAY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRIES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRYING]);
  g_object_thaw_notify (G_OBJECT (self));
}

static WeftProtocol *
weft_reconnecting_client_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  WeftReconnectingClientFactory *self = WEFT_RECONNECTING_CLIENT_FACTORY (factory);
  WeftReconnectingClientFactoryPrivate *priv = get_private (self);

  /* Connected: the next failure starts the backoff over. Unlike
   * weft_reconnecting_client_factory_reset_delay(), this does not undo
   * stop_trying. */
  weft_backoff_reset (&priv->backoff);
  priv->retries = 0;
  notify_state (self);
  return WEFT_FACTORY_CLASS (weft_reconnecting_client_factory_parent_class)->build_protocol (factory, address);
}

static void
weft_reconnecting_client_factory_started_connecting (WeftClientFactory *factory, WeftConnector *connector)
{
  /* So that stop_trying can stop this attempt. */
  if (WEFT_IS_CONNECTOR (connector))
    g_weak_ref_set (&get_private (WEFT_RECONNECTING_CLIENT_FACTORY (factory))->connector, connector);
}

/* A failed attempt or a lost connection (@what): retry unless told to stop. */
static void
retry_after (WeftClientFactory *factory, WeftConnector *connector, const char *what, const GError *reason)
{
  WeftReconnectingClientFactory *self = WEFT_RECONNECTING_CLIENT_FACTORY (factory);

  g_debug ("%s: %s", what, reason->message);
  if (get_private (self)->continue_trying)
    weft_reconnecting_client_factory_retry (self, connector);
}

static void
weft_reconnecting_client_factory_client_connection_failed (WeftClientFactory *factory,
                                                           WeftConnector *connector,
                                                           const GError *reason)
{
  retry_after (factory, connector, "Connection attempt failed", reason);
}

static void
weft_reconnecting_client_factory_client_connection_lost (WeftClientFactory *factory,
                                                         WeftConnector *connector,
                                                         const GError *reason)
{
  retry_after (factory, connector, "Connection lost", reason);
}

static void
weft_reconnecting_client_factory_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftReconnectingClientFactory *self = WEFT_RECONNECTING_CLIENT_FACTORY (object);
  WeftReconnectingClientFactoryPrivate *priv = get_private (self);

  switch (prop_id)
    {
    case PROP_REACTOR:
      g_value_set_object (value, priv->reactor);
      break;
    case PROP_INITIAL_DELAY:
      g_value_set_int64 (value, weft_reconnecting_client_factory_get_initial_delay (self));
      break;
    case PROP_MAX_DELAY:
      g_value_set_int64 (value, weft_reconnecting_client_factory_get_max_delay (self));
      break;
    case PROP_FACTOR:
      g_value_set_double (value, priv->backoff.factor);
      break;
    case PROP_JITTER:
      g_value_set_double (value, priv->backoff.jitter);
      break;
    case PROP_MAX_RETRIES:
      g_value_set_int (value, priv->max_retries);
      break;
    case PROP_DELAY:
      g_value_set_int64 (value, weft_reconnecting_client_factory_get_delay (self));
      break;
    case PROP_RETRIES:
      g_value_set_uint (value, priv->retries);
      break;
    case PROP_TRYING:
      g_value_set_boolean (value, priv->continue_trying);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_reconnecting_client_factory_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftReconnectingClientFactory *self = WEFT_RECONNECTING_CLIENT_FACTORY (object);
  WeftReconnectingClientFactoryPrivate *priv = get_private (self);

  switch (prop_id)
    {
    case PROP_REACTOR:
      priv->reactor = g_value_dup_object (value);
      break;
    case PROP_INITIAL_DELAY:
      weft_reconnecting_client_factory_set_initial_delay (self, g_value_get_int64 (value));
      break;
    case PROP_MAX_DELAY:
      weft_reconnecting_client_factory_set_max_delay (self, g_value_get_int64 (value));
      break;
    case PROP_FACTOR:
      weft_reconnecting_client_factory_set_factor (self, g_value_get_double (value));
      break;
    case PROP_JITTER:
      weft_reconnecting_client_factory_set_jitter (self, g_value_get_double (value));
      break;
    case PROP_MAX_RETRIES:
      weft_reconnecting_client_factory_set_max_retries (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_reconnecting_client_factory_dispose (GObject *object)
{
  WeftReconnectingClientFactory *self = WEFT_RECONNECTING_CLIENT_FACTORY (object);
  WeftReconnectingClientFactoryPrivate *priv = get_private (self);

  cancel_retry (self);
  g_weak_ref_set (&priv->connector, NULL);
  g_clear_object (&priv->reactor);
  G_OBJECT_CLASS (weft_reconnecting_client_factory_parent_class)->dispose (object);
}

static void
weft_reconnecting_client_factory_finalize (GObject *object)
{
  WeftReconnectingClientFactoryPrivate *priv = get_private (WEFT_RECONNECTING_CLIENT_FACTORY (object));

  weft_backoff_clear (&priv->backoff);
  g_weak_ref_clear (&priv->connector);
  G_OBJECT_CLASS (weft_reconnecting_client_factory_parent_class)->finalize (object);
}

static void
weft_reconnecting_client_factory_class_init (WeftReconnectingClientFactoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags read_only = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_reconnecting_client_factory_get_property;
  object_class->set_property = weft_reconnecting_client_factory_set_property;
  object_class->dispose = weft_reconnecting_client_factory_dispose;
  object_class->finalize = weft_reconnecting_client_factory_finalize;
  WEFT_FACTORY_CLASS (klass)->build_protocol = weft_reconnecting_client_factory_build_protocol;
  WEFT_CLIENT_FACTORY_CLASS (klass)->started_connecting = weft_reconnecting_client_factory_started_connecting;
  WEFT_CLIENT_FACTORY_CLASS (klass)->client_connection_failed =
      weft_reconnecting_client_factory_client_connection_failed;
  WEFT_CLIENT_FACTORY_CLASS (klass)->client_connection_lost = weft_reconnecting_client_factory_client_connection_lost;

  /**
   * WeftReconnectingClientFactory:reactor: (getter get_reactor)
   *
   * The reactor whose clock times the retries.
   */
  properties[PROP_REACTOR] = g_param_spec_object ("reactor", NULL, NULL, WEFT_TYPE_REACTOR,
                                                  G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftReconnectingClientFactory:initial-delay: (getter get_initial_delay) (setter set_initial_delay)
   *
   * The delay, in microseconds, that the backoff starts from and goes back to
   * after a connection was made.
   */
  properties[PROP_INITIAL_DELAY] =
      g_param_spec_int64 ("initial-delay", NULL, NULL, 0, G_MAXINT64, WEFT_RECONNECT_DEFAULT_INITIAL_DELAY, flags);
  /**
   * WeftReconnectingClientFactory:max-delay: (getter get_max_delay) (setter set_max_delay)
   *
   * The longest delay, in microseconds.
   */
  properties[PROP_MAX_DELAY] =
      g_param_spec_int64 ("max-delay", NULL, NULL, 0, G_MAXINT64, WEFT_RECONNECT_DEFAULT_MAX_DELAY, flags);
  /**
   * WeftReconnectingClientFactory:factor: (getter get_factor) (setter set_factor)
   *
   * What the delay is multiplied by at each retry.
   */
  properties[PROP_FACTOR] =
      g_param_spec_double ("factor", NULL, NULL, 1, G_MAXDOUBLE, WEFT_RECONNECT_DEFAULT_FACTOR, flags);
  /**
   * WeftReconnectingClientFactory:jitter: (getter get_jitter) (setter set_jitter)
   *
   * The standard deviation of the random part of each delay, as a
   * fraction of the delay; 0 for none.
   */
  properties[PROP_JITTER] =
      g_param_spec_double ("jitter", NULL, NULL, 0, G_MAXDOUBLE, WEFT_RECONNECT_DEFAULT_JITTER, flags);
  /**
   * WeftReconnectingClientFactory:max-retries: (getter get_max_retries) (setter set_max_retries)
   *
   * How many retries in a row to make before giving up; -1 for no limit.
   */
  properties[PROP_MAX_RETRIES] = g_param_spec_int ("max-retries", NULL, NULL, -1, G_MAXINT, -1, flags);
  /**
   * WeftReconnectingClientFactory:delay: (getter get_delay)
   *
   * The delay of the last retry, in microseconds (the initial delay before
   * any).
   */
  properties[PROP_DELAY] = g_param_spec_int64 ("delay", NULL, NULL, 0, G_MAXINT64, 0, read_only);
  /**
   * WeftReconnectingClientFactory:retries: (getter get_retries)
   *
   * How many retries were made since the last connection.
   */
  properties[PROP_RETRIES] = g_param_spec_uint ("retries", NULL, NULL, 0, G_MAXUINT, 0, read_only);
  /**
   * WeftReconnectingClientFactory:trying: (getter is_trying)
   *
   * %FALSE once weft_reconnecting_client_factory_stop_trying() was called.
   */
  properties[PROP_TRYING] = g_param_spec_boolean ("trying", NULL, NULL, TRUE, read_only);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_reconnecting_client_factory_init (WeftReconnectingClientFactory *self)
{
  WeftReconnectingClientFactoryPrivate *priv = get_private (self);

  weft_backoff_init (&priv->backoff, WEFT_RECONNECT_DEFAULT_INITIAL_DELAY, WEFT_RECONNECT_DEFAULT_MAX_DELAY,
                     WEFT_RECONNECT_DEFAULT_FACTOR, WEFT_RECONNECT_DEFAULT_JITTER);
  priv->max_retries = -1;
  priv->continue_trying = TRUE;
  g_weak_ref_init (&priv->connector, NULL);
}

/**
 * weft_reconnecting_client_factory_new:
 * @reactor: the reactor whose clock times the retries
 * @protocol_type: a non-abstract #WeftProtocol subclass
 *
 * Returns: (transfer full): a new reconnecting client factory with the
 *   default backoff
 */
WeftReconnectingClientFactory *
weft_reconnecting_client_factory_new (WeftReactor *reactor, GType protocol_type)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (g_type_is_a (protocol_type, WEFT_TYPE_PROTOCOL), NULL);

  return g_object_new (WEFT_TYPE_RECONNECTING_CLIENT_FACTORY, "reactor", reactor, "protocol-type", protocol_type, NULL);
}

/**
 * weft_reconnecting_client_factory_get_reactor:
 * @factory: a reconnecting client factory
 *
 * Returns: (transfer none): the reactor whose clock times the retries
 */
WeftReactor *
weft_reconnecting_client_factory_get_reactor (WeftReconnectingClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory), NULL);
  return get_private (factory)->reactor;
}

/**
 * weft_reconnecting_client_factory_retry:
 * @factory: a reconnecting client factory
 * @connector: (nullable) (type Weft.Connector): the connector to retry
 *   with, or %NULL for the last one the factory heard from
 *
 * Schedules the next attempt after the next delay of the backoff. Called
 * by client_connection_failed and client_connection_lost; does nothing
 * after weft_reconnecting_client_factory_stop_trying(), once
 * #WeftReconnectingClientFactory:max-retries retries were made, or without
 * a [class@Weft.Connector] to retry with (the factory was used with
 * weft_client_endpoint_connect(), which makes one attempt only).
 */
void
weft_reconnecting_client_factory_retry (WeftReconnectingClientFactory *factory, WeftConnector *connector)
{
  WeftReconnectingClientFactoryPrivate *priv;
  g_autoptr (WeftConnector) target = NULL;
  Retry *retry;
  double delay;

  g_return_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory));
  g_return_if_fail (connector == NULL || WEFT_IS_CONNECTOR (connector));
  priv = get_private (factory);

  if (!priv->continue_trying)
    return;
  if (connector != NULL)
    g_weak_ref_set (&priv->connector, connector);
  target = g_weak_ref_get (&priv->connector);
  if (target == NULL)
    {
      g_debug ("Not reconnecting: no connector to reconnect with");
      return;
    }
  if (priv->reactor == NULL)
    {
      g_critical ("%s: the factory has no reactor to time the retries", G_STRFUNC);
      return;
    }

  priv->retries++;
  if (priv->max_retries >= 0 && priv->retries > (guint) priv->max_retries)
    {
      g_debug ("Abandoning the connection after %u retries", priv->retries - 1);
      notify_state (factory);
      return;
    }

  delay = weft_backoff_next (&priv->backoff);
  g_debug ("Reconnecting in %g seconds", delay / G_USEC_PER_SEC);

  cancel_retry (factory);
  retry = g_new0 (Retry, 1);
  retry->factory = factory;
  retry->connector = g_steal_pointer (&target);
  priv->retry_call = weft_delayed_call_ref (weft_reactor_call_later (priv->reactor, (gint64) (delay + 0.5), retry_now,
                                                                     retry, retry_free));
  notify_state (factory);
}

/**
 * weft_reconnecting_client_factory_stop_trying:
 * @factory: a reconnecting client factory
 *
 * Stops reconnecting: cancels the pending retry and the attempt under way
 * (whose failure is then not retried). An established connection stays;
 * close it with weft_connector_disconnect().
 */
void
weft_reconnecting_client_factory_stop_trying (WeftReconnectingClientFactory *factory)
{
  WeftReconnectingClientFactoryPrivate *priv;
  g_autoptr (WeftConnector) connector = NULL;

  g_return_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory));
  priv = get_private (factory);

  cancel_retry (factory);
  priv->continue_trying = FALSE;
  connector = g_weak_ref_get (&priv->connector);
  if (connector != NULL)
    weft_connector_stop_connecting (connector);
  notify_state (factory);
}

/**
 * weft_reconnecting_client_factory_reset_delay:
 * @factory: a reconnecting client factory
 *
 * Puts the backoff back to its start: the delay to
 * #WeftReconnectingClientFactory:initial-delay, the retry count to 0, and
 * retrying on again after weft_reconnecting_client_factory_stop_trying().
 * The factory does the first two itself whenever a connection is made.
 */
void
weft_reconnecting_client_factory_reset_delay (WeftReconnectingClientFactory *factory)
{
  WeftReconnectingClientFactoryPrivate *priv;

  g_return_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory));
  priv = get_private (factory);

  weft_backoff_reset (&priv->backoff);
  priv->retries = 0;
  priv->continue_trying = TRUE;
  notify_state (factory);
}

/**
 * weft_reconnecting_client_factory_is_trying:
 * @factory: a reconnecting client factory
 *
 * Returns: %FALSE after weft_reconnecting_client_factory_stop_trying()
 */
gboolean
weft_reconnecting_client_factory_is_trying (WeftReconnectingClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory), FALSE);
  return get_private (factory)->continue_trying;
}

/**
 * weft_reconnecting_client_factory_has_pending_retry:
 * @factory: a reconnecting client factory
 *
 * Returns: %TRUE while a retry is scheduled
 */
gboolean
weft_reconnecting_client_factory_has_pending_retry (WeftReconnectingClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory), FALSE);
  return get_private (factory)->retry_call != NULL;
}

/**
 * weft_reconnecting_client_factory_get_delay:
 * @factory: a reconnecting client factory
 *
 * Returns: the delay of the last retry in microseconds, or the initial
 *   delay when none was made since the last connection
 */
gint64
weft_reconnecting_client_factory_get_delay (WeftReconnectingClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory), 0);
  return (gint64) (get_private (factory)->backoff.delay + 0.5);
}

/**
 * weft_reconnecting_client_factory_get_retries:
 * @factory: a reconnecting client factory
 *
 * Returns: how many retries were made since the last connection
 */
guint
weft_reconnecting_client_factory_get_retries (WeftReconnectingClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory), 0);
  return get_private (factory)->retries;
}

/**
 * weft_reconnecting_client_factory_set_initial_delay:
 * @factory: a reconnecting client factory
 * @delay_us: the delay the backoff starts from, in microseconds
 *
 * Sets #WeftReconnectingClientFactory:initial-delay; when no retry was
 * made yet, the current delay too.
 */
void
weft_reconnecting_client_factory_set_initial_delay (WeftReconnectingClientFactory *factory, gint64 delay_us)
{
  WeftReconnectingClientFactoryPrivate *priv;

  g_return_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory));
  g_return_if_fail (delay_us >= 0);
  priv = get_private (factory);

  if (priv->backoff.initial_delay == (double) delay_us)
    return;
  if (priv->retries == 0)
    priv->backoff.delay = delay_us;
  priv->backoff.initial_delay = delay_us;
  g_object_notify_by_pspec (G_OBJECT (factory), properties[PROP_INITIAL_DELAY]);
}

/**
 * weft_reconnecting_client_factory_get_initial_delay:
 * @factory: a reconnecting client factory
 *
 * Returns: the delay the backoff starts from, in microseconds
 */
gint64
weft_reconnecting_client_factory_get_initial_delay (WeftReconnectingClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory), 0);
  return (gint64) (get_private (factory)->backoff.initial_delay + 0.5);
}

/**
 * weft_reconnecting_client_factory_set_max_delay:
 * @factory: a reconnecting client factory
 * @delay_us: the longest delay, in microseconds
 *
 * Sets #WeftReconnectingClientFactory:max-delay.
 */
void
weft_reconnecting_client_factory_set_max_delay (WeftReconnectingClientFactory *factory, gint64 delay_us)
{
  WeftReconnectingClientFactoryPrivate *priv;

  g_return_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory));
  g_return_if_fail (delay_us >= 0);
  priv = get_private (factory);

  if (priv->backoff.max_delay == (double) delay_us)
    return;
  priv->backoff.max_delay = delay_us;
  g_object_notify_by_pspec (G_OBJECT (factory), properties[PROP_MAX_DELAY]);
}

/**
 * weft_reconnecting_client_factory_get_max_delay:
 * @factory: a reconnecting client factory
 *
 * Returns: the longest delay, in microseconds
 */
gint64
weft_reconnecting_client_factory_get_max_delay (WeftReconnectingClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory), 0);
  return (gint64) (get_private (factory)->backoff.max_delay + 0.5);
}

/**
 * weft_reconnecting_client_factory_set_factor:
 * @factory: a reconnecting client factory
 * @factor: what the delay is multiplied by at each retry, from 1
 *
 * Sets #WeftReconnectingClientFactory:factor.
 */
void
weft_reconnecting_client_factory_set_factor (WeftReconnectingClientFactory *factory, double factor)
{
  WeftReconnectingClientFactoryPrivate *priv;

  g_return_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory));
  g_return_if_fail (factor >= 1);
  priv = get_private (factory);

  if (priv->backoff.factor == factor)
    return;
  priv->backoff.factor = factor;
  g_object_notify_by_pspec (G_OBJECT (factory), properties[PROP_FACTOR]);
}

/**
 * weft_reconnecting_client_factory_get_factor:
 * @factory: a reconnecting client factory
 *
 * Returns: what the delay is multiplied by at each retry
 */
double
weft_reconnecting_client_factory_get_factor (WeftReconnectingClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory), 0);
  return get_private (factory)->backoff.factor;
}

/**
 * weft_reconnecting_client_factory_set_jitter:
 * @factory: a reconnecting client factory
 * @jitter: the standard deviation of a delay's random part, as a fraction
 *   of the delay; 0 for none
 *
 * Sets #WeftReconnectingClientFactory:jitter.
 */
void
weft_reconnecting_client_factory_set_jitter (WeftReconnectingClientFactory *factory, double jitter)
{
  WeftReconnectingClientFactoryPrivate *priv;

  g_return_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory));
  g_return_if_fail (jitter >= 0);
  priv = get_private (factory);

  if (priv->backoff.jitter == jitter)
    return;
  priv->backoff.jitter = jitter;
  g_object_notify_by_pspec (G_OBJECT (factory), properties[PROP_JITTER]);
}

/**
 * weft_reconnecting_client_factory_get_jitter:
 * @factory: a reconnecting client factory
 *
 * Returns: the relative standard deviation of the delays' random part
 */
double
weft_reconnecting_client_factory_get_jitter (WeftReconnectingClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory), 0);
  return get_private (factory)->backoff.jitter;
}

/**
 * weft_reconnecting_client_factory_set_max_retries:
 * @factory: a reconnecting client factory
 * @max_retries: how many retries in a row to make, -1 for no limit
 *
 * Sets #WeftReconnectingClientFactory:max-retries.
 */
void
weft_reconnecting_client_factory_set_max_retries (WeftReconnectingClientFactory *factory, int max_retries)
{
  WeftReconnectingClientFactoryPrivate *priv;

  g_return_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory));
  g_return_if_fail (max_retries >= -1);
  priv = get_private (factory);

  if (priv->max_retries == max_retries)
    return;
  priv->max_retries = max_retries;
  g_object_notify_by_pspec (G_OBJECT (factory), properties[PROP_MAX_RETRIES]);
}

/**
 * weft_reconnecting_client_factory_get_max_retries:
 * @factory: a reconnecting client factory
 *
 * Returns: how many retries in a row are made, -1 for no limit
 */
int
weft_reconnecting_client_factory_get_max_retries (WeftReconnectingClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory), -1);
  return get_private (factory)->max_retries;
}

/**
 * weft_reconnecting_client_factory_set_random_seed:
 * @factory: a reconnecting client factory
 * @seed: a seed for the jitter's random numbers
 *
 * Makes the jitter repeatable, for tests: the same seed gives the same
 * sequence of delays.
 */
void
weft_reconnecting_client_factory_set_random_seed (WeftReconnectingClientFactory *factory, guint32 seed)
{
  g_return_if_fail (WEFT_IS_RECONNECTING_CLIENT_FACTORY (factory));
  weft_backoff_set_seed (&get_private (factory)->backoff, seed);
}
