/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-client-service.h"
#include "weft-error.h"
#include "weft-backoff-private.h"
#include "weft-reconnecting-factory.h"

/**
 * WeftClientService:
 *
 * Keeps a client connected: Twisted's `ClientService`. Once started, it
 * connects its endpoint, and whenever an attempt fails or the connection
 * is lost it waits (with the backoff of [class@Weft.ReconnectingClientFactory],
 * at most #WeftClientService:max-delay microseconds) and connects again, until
 * it is stopped.
 *
 * ```c
 * service = weft_client_service_new (endpoint, factory);
 * weft_client_service_start (service);
 * d = weft_client_service_when_connected (service, 0);
 * weft_deferred_add_callback (d, send_hello, NULL, NULL);
 * ```
 *
 * weft_client_service_when_connected() gives the current protocol, or the
 * next one; #WeftClientService:protocol can be watched instead.
 * weft_client_service_stop() closes the connection and fires once it is
 * gone.
 *
 * @factory builds the protocols; when it is a [class@Weft.ClientFactory],
 * it hears of every attempt, failure and loss as well.
 */

typedef enum {
  SERVICE_STOPPED,
  SERVICE_CONNECTING,
  SERVICE_CONNECTED,
  SERVICE_WAITING,
  SERVICE_STOPPING,
} ServiceState;

typedef struct {
  WeftClientService *service; /* NULL once it fired or the service went */
  WeftDeferred *deferred;
  guint fail_after;
} Waiter;

/* The factory given to the endpoint: builds with the caller's, and tells
 * the service when its connection ends. */
#define WEFT_TYPE_SERVICE_FACTORY (weft_service_factory_get_type ())
G_DECLARE_FINAL_TYPE (WeftServiceFactory, weft_service_factory, WEFT, SERVICE_FACTORY, WeftClientFactory)

struct _WeftServiceFactory {
  WeftClientFactory parent_instance;
  WeftFactory *factory;
  WeftClientService *service; /* weak: cleared when the service goes */
};

struct _WeftClientService {
  GObject parent_instance;
  WeftClientEndpoint *endpoint;
  WeftFactory *factory;
  WeftServiceFactory *service_factory;
  ServiceState state;
  WeftDeferred *attempt;
  WeftProtocol *protocol;
  WeftDelayedCall *retry_call;
  WeftBackoff backoff;
  guint failed_attempts;
  GPtrArray *waiters;  /* Waiter * */
  GPtrArray *stopping; /* WeftDeferred *, fired once the connection is gone */
};

G_DEFINE_FINAL_TYPE (WeftServiceFactory, weft_service_factory, WEFT_TYPE_CLIENT_FACTORY)
G_DEFINE_FINAL_TYPE (WeftClientService, weft_client_service, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ENDPOINT,
  PROP_FACTORY,
  PROP_PROTOCOL,
  PROP_INITIAL_DELAY,
  PROP_MAX_DELAY,
  PROP_FACTOR,
  PROP_JITTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void service_connection_lost (WeftClientService *self);

static WeftClientFactory *
client_factory_or_null (WeftFactory *factory)
{
  return WEFT_IS_CLIENT_FACTORY (factory) ? WEFT_CLIENT_FACTORY (factory) : NULL;
}

static WeftProtocol *
weft_service_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  return weft_factory_build_protocol (WEFT_SERVICE_FACTORY (factory)->factory, address);
}

static void
weft_service_factory_start_factory (WeftFactory *factory)
{
  weft_factory_do_start (WEFT_SERVICE_FACTORY (factory)->factory);
}

static void
weft_service_factory_stop_factory (WeftFactory *factory)
{
  weft_factory_do_stop (WEFT_SERVICE_FACTORY (factory)->factory);
}

static void
weft_service_factory_started_connecting (WeftClientFactory *factory, WeftConnector *connector)
{
  WeftClientFactory *target = client_factory_or_null (WEFT_SERVICE_FACTORY (factory)->factory);

  if (target != NULL)
    weft_client_factory_started_connecting (target, NULL);
}

static void
weft_service_factory_client_connection_failed (WeftClientFactory *factory,
                                               WeftConnector *connector,
                                               const GError *reason)
{
  WeftClientFactory *target = client_factory_or_null (WEFT_SERVICE_FACTORY (factory)->factory);

  if (target != NULL)
    weft_client_factory_client_connection_failed (target, NULL, reason);
}

static void
weft_service_factory_client_connection_lost (WeftClientFactory *factory, WeftConnector *connector, const GError *reason)
{
  WeftServiceFactory *self = WEFT_SERVICE_FACTORY (factory);
  WeftClientFactory *target = client_factory_or_null (self->factory);

  if (target != NULL)
    weft_client_factory_client_connection_lost (target, NULL, reason);
  if (self->service != NULL)
    service_connection_lost (self->service);
}

static void
weft_service_factory_finalize (GObject *object)
{
  g_clear_object (&WEFT_SERVICE_FACTORY (object)->factory);
  G_OBJECT_CLASS (weft_service_factory_parent_class)->finalize (object);
}

static void
weft_service_factory_class_init (WeftServiceFactoryClass *klass)
{
  WeftClientFactoryClass *client_class = WEFT_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = weft_service_factory_finalize;
  WEFT_FACTORY_CLASS (klass)->build_protocol = weft_service_factory_build_protocol;
  WEFT_FACTORY_CLASS (klass)->start_factory = weft_service_factory_start_factory;
  WEFT_FACTORY_CLASS (klass)->stop_factory = weft_service_factory_stop_factory;
  client_class->started_connecting = weft_service_factory_started_connecting;
  client_class->client_connection_failed = weft_service_factory_client_connection_failed;
  client_class->client_connection_lost = weft_service_factory_client_connection_lost;
}

static void
weft_service_factory_init (WeftServiceFactory *self)
{
}

/* Waiters */

static void
waiter_free (gpointer data)
{
  Waiter *waiter = data;

  g_clear_object (&waiter->deferred);
  g_free (waiter);
}

static void
waiter_cancel (WeftDeferred *deferred, gpointer data)
{
  Waiter *waiter = data;

  if (waiter->service != NULL)
    g_ptr_array_remove (waiter->service->waiters, waiter);
}

/* Takes the matching waiters out of the list before any fires (firing
 * may add new ones); returns their deferreds. */
static GPtrArray *
take_waiters (WeftClientService *self, guint failures)
{
  GPtrArray *taken = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->waiters->len;)
    {
      Waiter *waiter = self->waiters->pdata[i];

      if (failures == 0 || (waiter->fail_after > 0 && failures >= waiter->fail_after))
        {
          waiter->service = NULL;
          g_ptr_array_add (taken, g_object_ref (waiter->deferred));
          g_ptr_array_remove_index (self->waiters, i);
        }
      else
        i++;
    }
  return taken;
}

static void
fire_waiters_connected (WeftClientService *self)
{
  g_autoptr (GPtrArray) taken = take_waiters (self, 0);
  g_autoptr (WeftProtocol) protocol = g_object_ref (self->protocol);

  for (guint i = 0; i < taken->len; i++)
    weft_deferred_callback_object (taken->pdata[i], protocol);
}

static void
fail_waiters (WeftClientService *self, guint failures, const GError *error)
{
  g_autoptr (GPtrArray) taken = take_waiters (self, failures);

  for (guint i = 0; i < taken->len; i++)
    weft_deferred_errback_take_error (taken->pdata[i], g_error_copy (error));
}

/* Connecting */

static void connect_now (WeftClientService *self);

static void
cancel_retry (WeftClientService *self)
{
  WeftDelayedCall *call = g_steal_pointer (&self->retry_call);

  if (call != NULL)
    {
      weft_delayed_call_cancel (call);
      weft_delayed_call_unref (call);
    }
}

static void
retry_now (gpointer data)
{
  WeftClientService *self = data;

  g_clear_pointer (&self->retry_call, weft_delayed_call_unref);
  if (self->state == SERVICE_WAITING)
    connect_now (self);
}

static void
wait_and_retry (WeftClientService *self)
{
  double delay = weft_backoff_next (&self->backoff);
  WeftReactor *reactor = weft_endpoint_get_reactor (WEFT_ENDPOINT (self->endpoint));

  g_debug ("Client service: connecting again in %g seconds", delay / G_USEC_PER_SEC);
  self->state = SERVICE_WAITING;
  cancel_retry (self);
  self->retry_call =
      weft_delayed_call_ref (weft_reactor_call_later (reactor, (gint64) (delay + 0.5), retry_now, self, NULL));
}

static void
set_protocol (WeftClientService *self, WeftProtocol *protocol)
{
  if (g_set_object (&self->protocol, protocol))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROTOCOL]);
}

static WeftDeferred *
attempt_done (WeftResult *result, gpointer data)
{
  WeftClientService *self = data;

  g_clear_object (&self->attempt);
  if (self->state != SERVICE_CONNECTING)
    {
      /* Cancelled by stop(), or a connection that came too late. */
      if (!weft_result_is_error (result) && weft_result_holds (result, WEFT_TYPE_PROTOCOL))
        {
          WeftTransport *transport = weft_protocol_get_transport (weft_result_get_object (result));

          if (transport != NULL)
            weft_transport_abort_connection (transport);
        }
      weft_result_clear (result);
      return NULL;
    }

  if (weft_result_is_error (result))
    {
      self->failed_attempts++;
      g_debug ("Client service: attempt %u failed: %s", self->failed_attempts, weft_result_get_error (result)->message);
      wait_and_retry (self);
      fail_waiters (self, self->failed_attempts, weft_result_get_error (result));
      weft_result_clear (result);
      return NULL;
    }

  self->state = SERVICE_CONNECTED;
  self->failed_attempts = 0;
  weft_backoff_reset (&self->backoff);
  set_protocol (self, weft_result_get_object (result));
  fire_waiters_connected (self);
  return NULL;
}

static void
connect_now (WeftClientService *self)
{
  g_autoptr (WeftDeferred) attempt = NULL;

  self->state = SERVICE_CONNECTING;
  attempt = weft_client_endpoint_connect (self->endpoint, WEFT_CLIENT_FACTORY (self->service_factory));
  g_set_object (&self->attempt, attempt);
  /* The service outlives its attempts: dispose cancels them. */
  weft_deferred_add_both (attempt, attempt_done, self, NULL);
}

static void
finish_stopping (WeftClientService *self)
{
  g_autoptr (GPtrArray) stopping = g_steal_pointer (&self->stopping);

  self->stopping = g_ptr_array_new_with_free_func (g_object_unref);
  self->state = SERVICE_STOPPED;
  for (guint i = 0; i < stopping->len; i++)
    weft_deferred_callback_none (stopping->pdata[i]);
}

static void
service_connection_lost (WeftClientService *self)
{
  g_object_ref (self);
  set_protocol (self, NULL);
  if (self->state == SERVICE_STOPPING)
    finish_stopping (self);
  else if (self->state == SERVICE_CONNECTED)
    wait_and_retry (self);
  g_object_unref (self);
}

static void
weft_client_service_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftClientService *self = WEFT_CLIENT_SERVICE (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      g_value_set_object (value, self->endpoint);
      break;
    case PROP_FACTORY:
      g_value_set_object (value, self->factory);
      break;
    case PROP_PROTOCOL:
      g_value_set_object (value, self->protocol);
      break;
    case PROP_INITIAL_DELAY:
      g_value_set_int64 (value, (gint64) (self->backoff.initial_delay + 0.5));
      break;
    case PROP_MAX_DELAY:
      g_value_set_int64 (value, (gint64) (self->backoff.max_delay + 0.5));
      break;
    case PROP_FACTOR:
      g_value_set_double (value, self->backoff.factor);
      break;
    case PROP_JITTER:
      g_value_set_double (value, self->backoff.jitter);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_client_service_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftClientService *self = WEFT_CLIENT_SERVICE (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      self->endpoint = g_value_dup_object (value);
      break;
    case PROP_FACTORY:
      self->factory = g_value_dup_object (value);
      break;
    case PROP_INITIAL_DELAY:
      self->backoff.initial_delay = g_value_get_int64 (value);
      if (self->failed_attempts == 0)
        self->backoff.delay = self->backoff.initial_delay;
      break;
    case PROP_MAX_DELAY:
      self->backoff.max_delay = g_value_get_int64 (value);
      break;
    case PROP_FACTOR:
      self->backoff.factor = g_value_get_double (value);
      break;
    case PROP_JITTER:
      self->backoff.jitter = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_client_service_constructed (GObject *object)
{
  WeftClientService *self = WEFT_CLIENT_SERVICE (object);

  G_OBJECT_CLASS (weft_client_service_parent_class)->constructed (object);
  self->service_factory = g_object_new (WEFT_TYPE_SERVICE_FACTORY, NULL);
  self->service_factory->factory = g_object_ref (self->factory);
  self->service_factory->service = self;
}

static void
weft_client_service_dispose (GObject *object)
{
  WeftClientService *self = WEFT_CLIENT_SERVICE (object);
  g_autoptr (WeftDeferred) attempt = g_steal_pointer (&self->attempt);
  WeftTransport *transport;

  /* Dropped while running: close what is open and go quietly. */
  cancel_retry (self);
  self->state = SERVICE_STOPPED;
  if (self->service_factory != NULL)
    self->service_factory->service = NULL;
  if (attempt != NULL)
    weft_deferred_cancel (attempt);
  if (self->protocol != NULL && (transport = weft_protocol_get_transport (self->protocol)) != NULL)
    weft_transport_lose_connection (transport);
  g_clear_object (&self->protocol);
  if (self->waiters != NULL)
    {
      g_autoptr (GError) error =
          g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("The client service was destroyed"));

      fail_waiters (self, 0, error);
      g_clear_pointer (&self->waiters, g_ptr_array_unref);
    }
  g_clear_pointer (&self->stopping, g_ptr_array_unref);
  g_clear_object (&self->service_factory);
  g_clear_object (&self->endpoint);
  g_clear_object (&self->factory);
  G_OBJECT_CLASS (weft_client_service_parent_class)->dispose (object);
}

static void
weft_client_service_finalize (GObject *object)
{
  weft_backoff_clear (&WEFT_CLIENT_SERVICE (object)->backoff);
  G_OBJECT_CLASS (weft_client_service_parent_class)->finalize (object);
}

static void
weft_client_service_class_init (WeftClientServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_client_service_get_property;
  object_class->set_property = weft_client_service_set_property;
  object_class->constructed = weft_client_service_constructed;
  object_class->dispose = weft_client_service_dispose;
  object_class->finalize = weft_client_service_finalize;

  /**
   * WeftClientService:endpoint: (getter get_endpoint)
   *
   * Where to connect.
   */
  properties[PROP_ENDPOINT] = g_param_spec_object ("endpoint", NULL, NULL, WEFT_TYPE_CLIENT_ENDPOINT, construct);
  /**
   * WeftClientService:factory: (getter get_factory)
   *
   * The factory that builds each connection's protocol.
   */
  properties[PROP_FACTORY] = g_param_spec_object ("factory", NULL, NULL, WEFT_TYPE_FACTORY, construct);
  /**
   * WeftClientService:protocol: (getter get_protocol)
   *
   * The connected protocol, %NULL while there is no connection.
   */
  properties[PROP_PROTOCOL] = g_param_spec_object ("protocol", NULL, NULL, WEFT_TYPE_PROTOCOL,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftClientService:initial-delay:
   *
   * The delay, in microseconds, that the backoff starts from after a
   * connection or at the start.
   */
  properties[PROP_INITIAL_DELAY] =
      g_param_spec_int64 ("initial-delay", NULL, NULL, 0, G_MAXINT64, WEFT_RECONNECT_DEFAULT_INITIAL_DELAY, flags);
  /**
   * WeftClientService:max-delay:
   *
   * The longest wait between two attempts, in microseconds.
   */
  properties[PROP_MAX_DELAY] =
      g_param_spec_int64 ("max-delay", NULL, NULL, 0, G_MAXINT64, WEFT_CLIENT_SERVICE_DEFAULT_MAX_DELAY, flags);
  /**
   * WeftClientService:factor:
   *
   * What the delay is multiplied by after each failure.
   */
  properties[PROP_FACTOR] =
      g_param_spec_double ("factor", NULL, NULL, 1, G_MAXDOUBLE, WEFT_RECONNECT_DEFAULT_FACTOR, flags);
  /**
   * WeftClientService:jitter:
   *
   * The standard deviation of each delay's random part, as a fraction of
   * the delay; 0 for none.
   */
  properties[PROP_JITTER] =
      g_param_spec_double ("jitter", NULL, NULL, 0, G_MAXDOUBLE, WEFT_RECONNECT_DEFAULT_JITTER, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_client_service_init (WeftClientService *self)
{
  weft_backoff_init (&self->backoff, WEFT_RECONNECT_DEFAULT_INITIAL_DELAY, WEFT_CLIENT_SERVICE_DEFAULT_MAX_DELAY,
                     WEFT_RECONNECT_DEFAULT_FACTOR, WEFT_RECONNECT_DEFAULT_JITTER);
  self->waiters = g_ptr_array_new ();
  self->stopping = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * weft_client_service_new:
 * @endpoint: where to connect
 * @factory: builds the protocol of each connection
 *
 * Makes a stopped service; weft_client_service_start() starts it.
 *
 * Returns: (transfer full): a new client service
 */
WeftClientService *
weft_client_service_new (WeftClientEndpoint *endpoint, WeftFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (WEFT_IS_FACTORY (factory), NULL);

  return g_object_new (WEFT_TYPE_CLIENT_SERVICE, "endpoint", endpoint, "factory", factory, NULL);
}

/**
 * weft_client_service_start:
 * @service: a client service
 *
 * Starts connecting (at once), and keeps connecting until
 * weft_client_service_stop(). Does nothing if @service is running.
 */
void
weft_client_service_start (WeftClientService *service)
{
  g_return_if_fail (WEFT_IS_CLIENT_SERVICE (service));

  if (service->state != SERVICE_STOPPED)
    return;
  service->failed_attempts = 0;
  weft_backoff_reset (&service->backoff);
  connect_now (service);
}

/**
 * weft_client_service_stop:
 * @service: a client service
 *
 * Stops: cancels the attempt under way or the pending retry, and closes
 * the connection after what was written has been sent. The deferreds of
 * weft_client_service_when_connected() still waiting fail with
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full): a deferred that fires (with no value) once the
 *   connection is gone; at once when there was none
 */
WeftDeferred *
weft_client_service_stop (WeftClientService *service)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftDeferred) attempt = NULL;
  WeftDeferred *deferred;
  WeftTransport *transport;

  g_return_val_if_fail (WEFT_IS_CLIENT_SERVICE (service), NULL);

  cancel_retry (service);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("The client service was stopped"));
  fail_waiters (service, 0, error);

  switch (service->state)
    {
    case SERVICE_CONNECTED:
      service->state = SERVICE_STOPPING;
      transport = weft_protocol_get_transport (service->protocol);
      if (transport != NULL)
        weft_transport_lose_connection (transport);
      G_GNUC_FALLTHROUGH;
    case SERVICE_STOPPING:
      deferred = weft_deferred_new ();
      weft_deferred_set_description (deferred, "weft_client_service_stop");
      g_ptr_array_add (service->stopping, g_object_ref (deferred));
      /* The transport was gone already. */
      if (service->state == SERVICE_STOPPING && service->protocol == NULL)
        finish_stopping (service);
      return deferred;
    case SERVICE_CONNECTING:
      service->state = SERVICE_STOPPED;
      attempt = g_steal_pointer (&service->attempt);
      if (attempt != NULL)
        weft_deferred_cancel (attempt);
      return weft_deferred_succeed_none ();
    case SERVICE_WAITING:
    case SERVICE_STOPPED:
    default:
      service->state = SERVICE_STOPPED;
      return weft_deferred_succeed_none ();
    }
}

/**
 * weft_client_service_is_running:
 * @service: a client service
 *
 * Returns: %TRUE from weft_client_service_start() until
 *   weft_client_service_stop()
 */
gboolean
weft_client_service_is_running (WeftClientService *service)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_SERVICE (service), FALSE);
  return service->state != SERVICE_STOPPED && service->state != SERVICE_STOPPING;
}

/**
 * weft_client_service_when_connected:
 * @service: a client service
 * @fail_after_failures: fail after this many attempts in a row have
 *   failed (counting those before this call); 0 to wait however long it
 *   takes
 *
 * Returns a deferred for the connected protocol: it has fired already
 * when @service is connected, and otherwise fires when it next connects
 * (a service that is not started yet waits to be). It fails with the last
 * attempt's error once @fail_after_failures attempts have failed, and with
 * %G_IO_ERROR_CANCELLED when the service is stopped. Cancelling it only
 * stops the waiting.
 *
 * Returns: (transfer full): a deferred for the protocol
 */
WeftDeferred *
weft_client_service_when_connected (WeftClientService *service, guint fail_after_failures)
{
  Waiter *waiter;
  WeftDeferred *deferred;

  g_return_val_if_fail (WEFT_IS_CLIENT_SERVICE (service), NULL);

  if (service->state == SERVICE_CONNECTED && service->protocol != NULL)
    return weft_deferred_succeed_object (service->protocol);

  waiter = g_new0 (Waiter, 1);
  waiter->service = service;
  waiter->fail_after = fail_after_failures;
  deferred = weft_deferred_new_with_canceller (waiter_cancel, waiter, waiter_free);
  weft_deferred_set_description (deferred, "weft_client_service_when_connected");
  /* The list holds the waiter; the deferred's canceller owns it. */
  waiter->deferred = g_object_ref (deferred);
  g_ptr_array_add (service->waiters, waiter);
  return deferred;
}

/**
 * weft_client_service_get_protocol:
 * @service: a client service
 *
 * Returns: (transfer none) (nullable): the connected protocol, or %NULL
 */
WeftProtocol *
weft_client_service_get_protocol (WeftClientService *service)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_SERVICE (service), NULL);
  return service->protocol;
}

/**
 * weft_client_service_get_failed_attempts:
 * @service: a client service
 *
 * Returns: how many attempts in a row have failed since the last
 *   connection
 */
guint
weft_client_service_get_failed_attempts (WeftClientService *service)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_SERVICE (service), 0);
  return service->failed_attempts;
}

/**
 * weft_client_service_get_endpoint:
 * @service: a client service
 *
 * Returns: (transfer none): where @service connects
 */
WeftClientEndpoint *
weft_client_service_get_endpoint (WeftClientService *service)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_SERVICE (service), NULL);
  return service->endpoint;
}

/**
 * weft_client_service_get_factory:
 * @service: a client service
 *
 * Returns: (transfer none): the factory of @service
 */
WeftFactory *
weft_client_service_get_factory (WeftClientService *service)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_SERVICE (service), NULL);
  return service->factory;
}

/**
 * weft_client_service_set_backoff:
 * @service: a client service
 * @initial_delay_us: #WeftClientService:initial-delay, in microseconds
 * @max_delay_us: #WeftClientService:max-delay, in microseconds
 * @factor: #WeftClientService:factor, from 1
 * @jitter: #WeftClientService:jitter
 *
 * Sets the four backoff properties at once. The wait after the n-th
 * failure in a row is about initial_delay_us × factor^n, at most max_delay_us.
 */
void
weft_client_service_set_backoff (WeftClientService *service,
                                 gint64 initial_delay_us,
                                 gint64 max_delay_us,
                                 double factor,
                                 double jitter)
{
  g_return_if_fail (WEFT_IS_CLIENT_SERVICE (service));
  g_return_if_fail (initial_delay_us >= 0 && max_delay_us >= 0 && factor >= 1 && jitter >= 0);

  g_object_set (service, "initial-delay", initial_delay_us, "max-delay", max_delay_us, "factor", factor, "jitter",
                jitter, NULL);
}

/**
 * weft_client_service_set_random_seed:
 * @service: a client service
 * @seed: a seed for the jitter's random numbers
 *
 * Makes the jitter repeatable, for tests.
 */
void
weft_client_service_set_random_seed (WeftClientService *service, guint32 seed)
{
  g_return_if_fail (WEFT_IS_CLIENT_SERVICE (service));
  weft_backoff_set_seed (&service->backoff, seed);
}
