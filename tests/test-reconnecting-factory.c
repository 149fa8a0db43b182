/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The reconnect policy on the test clock: a fake endpoint whose attempts
 * the test fails, connects and disconnects, a connector, the reconnecting
 * factory's delays, and the client service built on the same backoff. */

#include <math.h>
#include <string.h>
#include <weft/weft-testing.h>

#define USEC(seconds) ((gint64) ((seconds) *WEFT_USEC_PER_SEC + 0.5))

/* A client endpoint whose attempts wait for the test. */

typedef struct {
  WeftDeferred *deferred;
  WeftClientFactory *factory;
  WeftStringTransport *transport;
  gboolean cancelled;
} FakeAttempt;

#define FAKE_TYPE_ENDPOINT (fake_endpoint_get_type ())
G_DECLARE_FINAL_TYPE (FakeEndpoint, fake_endpoint, FAKE, ENDPOINT, WeftClientEndpoint)

struct _FakeEndpoint {
  WeftClientEndpoint parent_instance;
  GPtrArray *attempts; /* FakeAttempt */
};

G_DEFINE_FINAL_TYPE (FakeEndpoint, fake_endpoint, WEFT_TYPE_CLIENT_ENDPOINT)

static void
fake_attempt_free (gpointer data)
{
  FakeAttempt *attempt = data;

  g_clear_object (&attempt->deferred);
  g_clear_object (&attempt->factory);
  g_clear_object (&attempt->transport);
  g_free (attempt);
}

static void
fake_attempt_cancel (WeftDeferred *deferred, gpointer data)
{
  ((FakeAttempt *) data)->cancelled = TRUE;
}

static WeftDeferred *
fake_endpoint_connect (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
{
  FakeEndpoint *self = FAKE_ENDPOINT (endpoint);
  FakeAttempt *attempt = g_new0 (FakeAttempt, 1);

  attempt->factory = g_object_ref (factory);
  attempt->deferred = weft_deferred_new_with_canceller (fake_attempt_cancel, attempt, NULL);
  g_ptr_array_add (self->attempts, attempt);
  return g_object_ref (attempt->deferred);
}

static void
fake_endpoint_finalize (GObject *object)
{
  g_ptr_array_unref (FAKE_ENDPOINT (object)->attempts);
  G_OBJECT_CLASS (fake_endpoint_parent_class)->finalize (object);
}

static void
fake_endpoint_class_init (FakeEndpointClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fake_endpoint_finalize;
  WEFT_CLIENT_ENDPOINT_CLASS (klass)->connect = fake_endpoint_connect;
}

static void
fake_endpoint_init (FakeEndpoint *self)
{
  self->attempts = g_ptr_array_new_with_free_func (fake_attempt_free);
}

static FakeAttempt *
fake_last (FakeEndpoint *self)
{
  g_assert_cmpuint (self->attempts->len, >, 0);
  return self->attempts->pdata[self->attempts->len - 1];
}

/* Endpoint results are delivered from the reactor: one round runs them. */
static void
settle (WeftReactor *clock)
{
  weft_test_clock_advance (clock, 0);
}

static void
fake_fail (WeftReactor *clock, FakeEndpoint *self)
{
  FakeAttempt *attempt = fake_last (self);

  weft_deferred_errback_literal (attempt->deferred, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                 "Connection refused by 192.0.2.1:6667");
  settle (clock);
}

static WeftProtocol *
fake_succeed (WeftReactor *clock, FakeEndpoint *self)
{
  FakeAttempt *attempt = fake_last (self);
  g_autoptr (WeftProtocol) protocol = weft_factory_build_protocol (WEFT_FACTORY (attempt->factory), NULL);

  g_assert_nonnull (protocol);
  attempt->transport = weft_string_transport_new ();
  weft_string_transport_connect (attempt->transport, protocol);
  weft_deferred_callback_object (attempt->deferred, protocol);
  settle (clock);
  return g_steal_pointer (&protocol);
}

static void
fake_lose (WeftReactor *clock, FakeEndpoint *self)
{
  FakeAttempt *attempt = fake_last (self);
  g_autoptr (GError) reason = g_error_new_literal (WEFT_ERROR, WEFT_ERROR_CONNECTION_LOST, "The peer went away.");

  weft_string_transport_connection_lost (attempt->transport, reason);
  weft_client_factory_client_connection_lost (attempt->factory, NULL, reason);
  settle (clock);
}

static WeftDeferred *
consume_error (WeftResult *result, gpointer user_data)
{
  weft_result_clear (result);
  return NULL;
}

typedef struct {
  WeftReactor *clock;
  FakeEndpoint *endpoint;
  WeftReconnectingClientFactory *factory;
  WeftConnector *connector;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  weft_test_janitor_begin ();
  f->clock = weft_test_clock_new ();
  f->endpoint = g_object_new (FAKE_TYPE_ENDPOINT, "reactor", f->clock, NULL);
  f->factory = weft_reconnecting_client_factory_new (f->clock, WEFT_TYPE_PROTOCOL);
  f->connector = weft_connector_new (WEFT_CLIENT_ENDPOINT (f->endpoint), WEFT_CLIENT_FACTORY (f->factory));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  weft_reconnecting_client_factory_stop_trying (f->factory);
  settle (f->clock);
  g_assert_cmpint (weft_connector_get_state (f->connector), !=, WEFT_CONNECTOR_STATE_CONNECTING);
  g_object_add_weak_pointer (G_OBJECT (f->connector), (gpointer *) &f->connector);
  g_object_unref (f->connector);
  g_assert_null (f->connector);
  g_clear_object (&f->factory);
  g_clear_object (&f->endpoint);
  weft_test_janitor_check (f->clock);
  g_clear_object (&f->clock);
}

/* Fails the attempt under way, checks that the next one starts exactly
 * @delay seconds later, and returns the factory's delay. */
static double
fail_and_expect_retry_after (Fixture *f, double delay)
{
  guint n_attempts;
  gint64 delay_us;

  fake_fail (f->clock, f->endpoint);
  n_attempts = f->endpoint->attempts->len;
  g_assert_true (weft_reconnecting_client_factory_has_pending_retry (f->factory));
  delay_us = weft_reconnecting_client_factory_get_delay (f->factory);
  g_assert_cmpint (ABS (delay_us - USEC (delay)), <=, 1);
  weft_test_clock_advance (f->clock, delay_us - 1);
  g_assert_cmpuint (f->endpoint->attempts->len, ==, n_attempts);
  g_assert_cmpint (weft_connector_get_state (f->connector), ==, WEFT_CONNECTOR_STATE_DISCONNECTED);
  weft_test_clock_advance (f->clock, 1);
  g_assert_cmpuint (f->endpoint->attempts->len, ==, n_attempts + 1);
  g_assert_cmpint (weft_connector_get_state (f->connector), ==, WEFT_CONNECTOR_STATE_CONNECTING);
  return weft_reconnecting_client_factory_get_delay (f->factory) / (double) G_USEC_PER_SEC;
}

static void
test_defaults (Fixture *f, gconstpointer data)
{
  gint64 initial, max;
  double factor, jitter;
  int max_retries;
  gboolean trying;

  g_object_get (f->factory, "initial-delay", &initial, "max-delay", &max, "factor", &factor, "jitter", &jitter,
                "max-retries", &max_retries, "trying", &trying, NULL);
  g_assert_cmpint (initial, ==, G_USEC_PER_SEC);
  g_assert_cmpint (max, ==, 3600 * WEFT_USEC_PER_SEC);
  g_assert_cmpfloat (factor, ==, 2.7182818284590451);
  g_assert_cmpfloat (jitter, ==, 0.11962656472);
  g_assert_cmpint (max_retries, ==, -1);
  g_assert_true (trying);
  g_assert_cmpint (weft_reconnecting_client_factory_get_delay (f->factory), ==, G_USEC_PER_SEC);
  g_assert_cmpuint (weft_reconnecting_client_factory_get_retries (f->factory), ==, 0);
  g_assert_true (weft_reconnecting_client_factory_get_reactor (f->factory) == f->clock);
  g_assert_true (weft_connector_get_endpoint (f->connector) == WEFT_CLIENT_ENDPOINT (f->endpoint));
  g_assert_true (weft_connector_get_factory (f->connector) == WEFT_CLIENT_FACTORY (f->factory));
  g_assert_cmpint (weft_connector_get_state (f->connector), ==, WEFT_CONNECTOR_STATE_DISCONNECTED);
}

/* Without jitter: e, e², e³ ... seconds, then an hour, and an hour again. */
static void
test_backoff_sequence (Fixture *f, gconstpointer data)
{
  double expected = 1.0;

  weft_reconnecting_client_factory_set_jitter (f->factory, 0);
  weft_connector_connect (f->connector);
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 1);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (f->factory)), ==, 1);

  for (guint i = 1; i <= 12; i++)
    {
      expected = MIN (expected * G_E, 3600.0);
      fail_and_expect_retry_after (f, expected);
      g_assert_cmpuint (weft_reconnecting_client_factory_get_retries (f->factory), ==, i);
      /* Started once for the whole series. */
      g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (f->factory)), ==, 1);
    }
  g_assert_cmpfloat (expected, ==, 3600.0);
  g_assert_cmpfloat_with_epsilon (exp (8), 2980.957987, 1e-6);
}

static void
test_custom_backoff (Fixture *f, gconstpointer data)
{
  const double expected[] = { 1.0, 2.0, 4.0, 5.0, 5.0 };

  g_object_set (f->factory, "initial-delay", G_GINT64_CONSTANT (500000), "factor", 2.0, "max-delay",
                G_GINT64_CONSTANT (5000000), "jitter", 0.0, NULL);
  g_assert_cmpint (weft_reconnecting_client_factory_get_initial_delay (f->factory), ==, 500000);
  g_assert_cmpfloat (weft_reconnecting_client_factory_get_factor (f->factory), ==, 2.0);
  g_assert_cmpint (weft_reconnecting_client_factory_get_max_delay (f->factory), ==, 5000000);
  g_assert_cmpint (weft_reconnecting_client_factory_get_delay (f->factory), ==, 500000);
  weft_connector_connect (f->connector);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    fail_and_expect_retry_after (f, expected[i]);
}

static GArray *
jittered_delays (guint32 seed, double max_delay, guint n)
{
  g_autoptr (WeftReactor) clock = weft_test_clock_new ();
  g_autoptr (FakeEndpoint) endpoint = g_object_new (FAKE_TYPE_ENDPOINT, "reactor", clock, NULL);
  g_autoptr (WeftReconnectingClientFactory) factory = weft_reconnecting_client_factory_new (clock, WEFT_TYPE_PROTOCOL);
  g_autoptr (WeftConnector) connector =
      weft_connector_new (WEFT_CLIENT_ENDPOINT (endpoint), WEFT_CLIENT_FACTORY (factory));
  GArray *delays = g_array_new (FALSE, FALSE, sizeof (double));

  weft_reconnecting_client_factory_set_random_seed (factory, seed);
  weft_reconnecting_client_factory_set_max_delay (factory, USEC (max_delay));
  weft_connector_connect (connector);
  for (guint i = 0; i < n; i++)
    {
      gint64 delay_us;
      double delay;

      fake_fail (clock, endpoint);
      delay_us = weft_reconnecting_client_factory_get_delay (factory);
      delay = delay_us / (double) G_USEC_PER_SEC;
      g_array_append_val (delays, delay);
      /* The retry comes when the drawn delay says. */
      weft_test_clock_advance (clock, delay_us - 1);
      g_assert_cmpuint (endpoint->attempts->len, ==, i + 1);
      weft_test_clock_advance (clock, 1);
      g_assert_cmpuint (endpoint->attempts->len, ==, i + 2);
    }
  weft_reconnecting_client_factory_stop_trying (factory);
  settle (clock);
  return delays;
}

/* Twisted's jitter: each delay is drawn around the previous one times the
 * factor, with a standard deviation of jitter × that. A seed repeats it. */
static void
test_jitter_seeded (Fixture *f, gconstpointer data)
{
  g_autoptr (GArray) first = jittered_delays (42, 3600, 14);
  g_autoptr (GArray) again = jittered_delays (42, 3600, 14);
  g_autoptr (GArray) other = jittered_delays (43, 3600, 14);
  g_autoptr (GArray) capped = jittered_delays (42, 30, 14);
  double previous = 1.0;
  gboolean differs = FALSE;

  for (guint i = 0; i < first->len; i++)
    {
      double delay = g_array_index (first, double, i);
      double nominal = MIN (previous * G_E, 3600);

      g_test_message ("retry %u: %.6f s (nominal %.6f s)", i + 1, delay, nominal);
      g_assert_cmpfloat (delay, ==, g_array_index (again, double, i));
      differs |= delay != g_array_index (other, double, i);
      g_assert_cmpfloat (delay, <=, 3600);
      /* Five standard deviations: never seen in practice. */
      if (nominal < 3600)
        {
          g_assert_cmpfloat (delay, >, nominal * (1 - 5 * WEFT_RECONNECT_DEFAULT_JITTER));
          g_assert_cmpfloat (delay, <, nominal * (1 + 5 * WEFT_RECONNECT_DEFAULT_JITTER));
        }
      previous = delay;
    }
  g_assert_true (differs);
  /* The sequence itself, for seed 42: GRand is the same everywhere. */
  {
    const double golden[] = {
      2.953972, 6.658855, 20.004247, 50.755888, 132.623481, 357.935651, 1247.889724, 2456.765933
    };

    for (guint i = 0; i < G_N_ELEMENTS (golden); i++)
      g_assert_cmpfloat_with_epsilon (g_array_index (first, double, i), golden[i], 1e-6);
  }
  /* Reaches the cap and stays there, jitter or not. */
  g_assert_cmpfloat (g_array_index (first, double, first->len - 1), <=, 3600);
  g_assert_cmpfloat (g_array_index (first, double, first->len - 1), >, 3600 * (1 - 5 * WEFT_RECONNECT_DEFAULT_JITTER));
  for (guint i = 0; i < capped->len; i++)
    g_assert_cmpfloat (g_array_index (capped, double, i), <=, 30);
  g_assert_cmpfloat (g_array_index (capped, double, capped->len - 1), >, 30 * (1 - 5 * WEFT_RECONNECT_DEFAULT_JITTER));
}

static void
test_reset_on_connect (Fixture *f, gconstpointer data)
{
  g_autoptr (WeftProtocol) protocol = NULL;

  weft_reconnecting_client_factory_set_jitter (f->factory, 0);
  weft_connector_connect (f->connector);
  fail_and_expect_retry_after (f, G_E);
  fail_and_expect_retry_after (f, G_E * G_E);
  protocol = fake_succeed (f->clock, f->endpoint);
  g_assert_cmpint (weft_connector_get_state (f->connector), ==, WEFT_CONNECTOR_STATE_CONNECTED);
  g_assert_true (weft_connector_get_protocol (f->connector) == protocol);
  g_assert_cmpint (weft_reconnecting_client_factory_get_delay (f->factory), ==, G_USEC_PER_SEC);
  g_assert_cmpuint (weft_reconnecting_client_factory_get_retries (f->factory), ==, 0);
  g_assert_true (weft_protocol_get_factory (protocol) == WEFT_FACTORY (f->factory));

  /* A lost connection is retried from the start of the backoff. */
  fake_lose (f->clock, f->endpoint);
  g_assert_null (weft_connector_get_protocol (f->connector));
  g_assert_true (weft_reconnecting_client_factory_has_pending_retry (f->factory));
  g_assert_cmpint (ABS (weft_reconnecting_client_factory_get_delay (f->factory) - USEC (G_E)), <=, 1);
  weft_test_clock_advance (f->clock, weft_reconnecting_client_factory_get_delay (f->factory));
  g_assert_cmpint (weft_connector_get_state (f->connector), ==, WEFT_CONNECTOR_STATE_CONNECTING);
}

static void
test_max_retries (Fixture *f, gconstpointer data)
{
  weft_reconnecting_client_factory_set_jitter (f->factory, 0);
  weft_reconnecting_client_factory_set_max_retries (f->factory, 3);
  g_assert_cmpint (weft_reconnecting_client_factory_get_max_retries (f->factory), ==, 3);
  weft_connector_connect (f->connector);
  fail_and_expect_retry_after (f, G_E);
  fail_and_expect_retry_after (f, pow (G_E, 2));
  fail_and_expect_retry_after (f, pow (G_E, 3));
  fake_fail (f->clock, f->endpoint);
  g_assert_false (weft_reconnecting_client_factory_has_pending_retry (f->factory));
  g_assert_cmpint (weft_connector_get_state (f->connector), ==, WEFT_CONNECTOR_STATE_DISCONNECTED);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (f->factory)), ==, 0);
  weft_test_clock_advance (f->clock, USEC (3600));
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 4);
}

static void
test_stop_trying_pending (Fixture *f, gconstpointer data)
{
  weft_connector_connect (f->connector);
  fake_fail (f->clock, f->endpoint);
  g_assert_true (weft_reconnecting_client_factory_has_pending_retry (f->factory));
  g_assert_cmpuint (weft_reactor_get_n_timers (f->clock), ==, 1);

  weft_reconnecting_client_factory_stop_trying (f->factory);
  g_assert_false (weft_reconnecting_client_factory_is_trying (f->factory));
  g_assert_false (weft_reconnecting_client_factory_has_pending_retry (f->factory));
  g_assert_cmpuint (weft_reactor_get_n_timers (f->clock), ==, 0);
  weft_test_clock_advance (f->clock, USEC (3600));
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 1);
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (f->factory)), ==, 0);
}

/* Stopping cancels the attempt under way, and its failure is not retried. */
static void
test_stop_trying_in_progress (Fixture *f, gconstpointer data)
{
  FakeAttempt *attempt;

  weft_connector_connect (f->connector);
  attempt = fake_last (f->endpoint);
  weft_reconnecting_client_factory_stop_trying (f->factory);
  g_assert_true (attempt->cancelled);
  settle (f->clock);
  g_assert_cmpint (weft_connector_get_state (f->connector), ==, WEFT_CONNECTOR_STATE_DISCONNECTED);
  g_assert_false (weft_reconnecting_client_factory_has_pending_retry (f->factory));
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (f->factory)), ==, 0);
  weft_test_clock_advance (f->clock, USEC (3600));
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 1);
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  GArray *states = user_data;
  WeftConnectorState state = weft_connector_get_state (WEFT_CONNECTOR (object));

  g_array_append_val (states, state);
}

/* The state property follows each attempt; disconnect closes. */
static void
test_connector_states (Fixture *f, gconstpointer data)
{
  g_autoptr (GArray) states = g_array_new (FALSE, FALSE, sizeof (WeftConnectorState));
  g_autoptr (WeftProtocol) protocol = NULL;
  FakeAttempt *attempt;
  const WeftConnectorState expected[] = {
    WEFT_CONNECTOR_STATE_CONNECTING, WEFT_CONNECTOR_STATE_DISCONNECTED, WEFT_CONNECTOR_STATE_CONNECTING,
    WEFT_CONNECTOR_STATE_CONNECTED,  WEFT_CONNECTOR_STATE_DISCONNECTED,
  };

  g_signal_connect (f->connector, "notify::state", G_CALLBACK (count_notify), states);
  weft_reconnecting_client_factory_set_jitter (f->factory, 0);
  weft_connector_connect (f->connector);
  fail_and_expect_retry_after (f, G_E);
  protocol = fake_succeed (f->clock, f->endpoint);
  attempt = fake_last (f->endpoint);

  weft_reconnecting_client_factory_stop_trying (f->factory);
  weft_connector_disconnect (f->connector);
  g_assert_true (weft_string_transport_is_disconnecting (attempt->transport));
  fake_lose (f->clock, f->endpoint);
  g_assert_cmpuint (states->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < states->len; i++)
    g_assert_cmpint (g_array_index (states, WeftConnectorState, i), ==, expected[i]);
  g_assert_false (weft_reconnecting_client_factory_has_pending_retry (f->factory));
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (f->factory)), ==, 0);
  g_signal_handlers_disconnect_by_data (f->connector, states);
}

static void
test_reset_delay_resumes (Fixture *f, gconstpointer data)
{
  weft_reconnecting_client_factory_set_jitter (f->factory, 0);
  weft_reconnecting_client_factory_stop_trying (f->factory);
  weft_connector_connect (f->connector);
  fake_fail (f->clock, f->endpoint);
  g_assert_false (weft_reconnecting_client_factory_has_pending_retry (f->factory));

  weft_reconnecting_client_factory_reset_delay (f->factory);
  g_assert_true (weft_reconnecting_client_factory_is_trying (f->factory));
  weft_connector_connect (f->connector);
  fail_and_expect_retry_after (f, G_E);
}

/* A plain connect has no connector to retry with: one attempt only. */
static void
test_without_connector (Fixture *f, gconstpointer data)
{
  g_autoptr (WeftDeferred) deferred = NULL;

  deferred = weft_client_endpoint_connect (WEFT_CLIENT_ENDPOINT (f->endpoint), WEFT_CLIENT_FACTORY (f->factory));
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (f->factory)), ==, 1);
  fake_fail (f->clock, f->endpoint);
  g_assert_true (weft_deferred_has_fired (deferred));
  g_assert_true (weft_result_error_matches (weft_deferred_peek_result (deferred), G_IO_ERROR,
                                            G_IO_ERROR_CONNECTION_REFUSED));
  g_assert_false (weft_reconnecting_client_factory_has_pending_retry (f->factory));
  g_assert_cmpuint (weft_factory_get_start_count (WEFT_FACTORY (f->factory)), ==, 0);
  weft_deferred_add_errback (deferred, consume_error, NULL, NULL);
}

/* WeftClientService on the same fake endpoint */

typedef struct {
  WeftReactor *clock;
  FakeEndpoint *endpoint;
  WeftFactory *factory;
  WeftClientService *service;
} ServiceFixture;

static void
service_setup (ServiceFixture *f, gconstpointer data)
{
  weft_test_janitor_begin ();
  f->clock = weft_test_clock_new ();
  f->endpoint = g_object_new (FAKE_TYPE_ENDPOINT, "reactor", f->clock, NULL);
  f->factory = weft_factory_new (WEFT_TYPE_PROTOCOL);
  f->service = weft_client_service_new (WEFT_CLIENT_ENDPOINT (f->endpoint), f->factory);
  /* Waits of 2, 4, 8, 10, 10 ... seconds. */
  weft_client_service_set_backoff (f->service, G_USEC_PER_SEC, 10 * G_USEC_PER_SEC, 2, 0);
}

static void
service_teardown (ServiceFixture *f, gconstpointer data)
{
  g_autoptr (WeftDeferred) stopped = NULL;

  if (f->service != NULL && weft_client_service_is_running (f->service))
    {
      stopped = weft_client_service_stop (f->service);
      settle (f->clock);
    }
  g_object_add_weak_pointer (G_OBJECT (f->service), (gpointer *) &f->service);
  g_object_unref (f->service);
  g_assert_null (f->service);
  g_clear_object (&f->factory);
  g_clear_object (&f->endpoint);
  weft_test_janitor_check (f->clock);
  g_clear_object (&f->clock);
}

typedef struct {
  gboolean fired;
  WeftProtocol *protocol;
  GError *error;
} Outcome;

static WeftDeferred *
record_outcome (WeftResult *result, gpointer user_data)
{
  Outcome *outcome = user_data;

  outcome->fired = TRUE;
  if (weft_result_is_error (result))
    {
      outcome->error = g_error_copy (weft_result_get_error (result));
      weft_result_clear (result);
    }
  else if (weft_result_holds (result, WEFT_TYPE_PROTOCOL))
    outcome->protocol = weft_result_dup_object (result);
  return NULL;
}

static void
outcome_clear (Outcome *outcome)
{
  g_clear_object (&outcome->protocol);
  g_clear_error (&outcome->error);
  outcome->fired = FALSE;
}

static void
watch (WeftDeferred *deferred, Outcome *outcome)
{
  memset (outcome, 0, sizeof *outcome);
  weft_deferred_add_both (deferred, record_outcome, outcome, NULL);
  g_object_unref (deferred);
}

static void
test_service_when_connected (ServiceFixture *f, gconstpointer data)
{
  g_autoptr (WeftProtocol) protocol = NULL;
  Outcome early, late;

  /* Before starting: waits for the start. */
  watch (weft_client_service_when_connected (f->service, 0), &early);
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 0);
  weft_client_service_start (f->service);
  g_assert_true (weft_client_service_is_running (f->service));
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 1);

  fake_fail (f->clock, f->endpoint);
  g_assert_cmpuint (weft_client_service_get_failed_attempts (f->service), ==, 1);
  g_assert_false (early.fired);
  weft_test_clock_advance (f->clock, USEC (2) - 1);
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 1);
  weft_test_clock_advance (f->clock, 1);
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 2);

  protocol = fake_succeed (f->clock, f->endpoint);
  g_assert_true (early.fired);
  g_assert_true (early.protocol == protocol);
  g_assert_true (weft_client_service_get_protocol (f->service) == protocol);
  g_assert_cmpuint (weft_client_service_get_failed_attempts (f->service), ==, 0);

  /* Connected: at once. */
  watch (weft_client_service_when_connected (f->service, 0), &late);
  g_assert_true (late.fired);
  g_assert_true (late.protocol == protocol);
  outcome_clear (&early);
  outcome_clear (&late);
}

static void
test_service_fail_after_failures (ServiceFixture *f, gconstpointer data)
{
  Outcome patient, impatient;

  weft_client_service_start (f->service);
  watch (weft_client_service_when_connected (f->service, 0), &patient);
  watch (weft_client_service_when_connected (f->service, 2), &impatient);
  fake_fail (f->clock, f->endpoint);
  g_assert_false (impatient.fired);
  weft_test_clock_advance (f->clock, USEC (2));
  fake_fail (f->clock, f->endpoint);
  g_assert_true (impatient.fired);
  g_assert_error (impatient.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpstr (impatient.error->message, ==, "Connection refused by 192.0.2.1:6667");
  g_assert_false (patient.fired);

  /* Stopping fails the waiters still there. */
  {
    g_autoptr (WeftDeferred) stopped = weft_client_service_stop (f->service);

    g_assert_true (weft_deferred_has_fired (stopped));
  }
  g_assert_true (patient.fired);
  g_assert_error (patient.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (weft_client_service_is_running (f->service));
  weft_test_clock_advance (f->clock, USEC (3600));
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 2);
  outcome_clear (&patient);
  outcome_clear (&impatient);
}

static void
test_service_reconnects_after_loss (ServiceFixture *f, gconstpointer data)
{
  g_autoptr (WeftProtocol) first = NULL;
  g_autoptr (WeftProtocol) second = NULL;
  Outcome next;

  weft_client_service_start (f->service);
  first = fake_succeed (f->clock, f->endpoint);
  fake_lose (f->clock, f->endpoint);
  g_assert_null (weft_client_service_get_protocol (f->service));
  watch (weft_client_service_when_connected (f->service, 0), &next);

  /* The backoff starts over after a connection. */
  weft_test_clock_advance (f->clock, USEC (2) - 1);
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 1);
  weft_test_clock_advance (f->clock, 1);
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 2);
  fake_fail (f->clock, f->endpoint);
  weft_test_clock_advance (f->clock, USEC (4));
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 3);
  second = fake_succeed (f->clock, f->endpoint);
  g_assert_true (next.fired);
  g_assert_true (next.protocol == second);
  g_assert_true (second != first);
  outcome_clear (&next);
}

static void
test_service_stop (ServiceFixture *f, gconstpointer data)
{
  g_autoptr (WeftProtocol) protocol = NULL;
  g_autoptr (WeftDeferred) stopped = NULL;
  FakeAttempt *attempt;

  /* While connecting: the attempt is cancelled. */
  weft_client_service_start (f->service);
  attempt = fake_last (f->endpoint);
  g_clear_object (&stopped);
  stopped = weft_client_service_stop (f->service);
  g_assert_true (weft_deferred_has_fired (stopped));
  g_assert_true (attempt->cancelled);
  settle (f->clock);

  /* While waiting to retry: the timer goes. */
  weft_client_service_start (f->service);
  fake_fail (f->clock, f->endpoint);
  g_assert_cmpuint (weft_reactor_get_n_timers (f->clock), ==, 1);
  g_clear_object (&stopped);
  stopped = weft_client_service_stop (f->service);
  g_assert_true (weft_deferred_has_fired (stopped));
  g_assert_cmpuint (weft_reactor_get_n_timers (f->clock), ==, 0);

  /* While connected: fires once the connection is gone. */
  weft_client_service_start (f->service);
  protocol = fake_succeed (f->clock, f->endpoint);
  attempt = fake_last (f->endpoint);
  g_clear_object (&stopped);
  stopped = weft_client_service_stop (f->service);
  g_assert_false (weft_deferred_has_fired (stopped));
  g_assert_true (weft_string_transport_is_disconnecting (attempt->transport));
  g_assert_false (weft_client_service_is_running (f->service));
  fake_lose (f->clock, f->endpoint);
  g_assert_true (weft_deferred_has_fired (stopped));
  g_assert_null (weft_client_service_get_protocol (f->service));
  weft_test_clock_advance (f->clock, USEC (3600));
  g_assert_cmpuint (f->endpoint->attempts->len, ==, 3);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/reconnecting-factory/defaults", test_defaults);
  ADD ("/reconnecting-factory/backoff-sequence", test_backoff_sequence);
  ADD ("/reconnecting-factory/custom-backoff", test_custom_backoff);
  ADD ("/reconnecting-factory/jitter-seeded", test_jitter_seeded);
  ADD ("/reconnecting-factory/reset-on-connect", test_reset_on_connect);
  ADD ("/reconnecting-factory/max-retries", test_max_retries);
  ADD ("/reconnecting-factory/stop-trying-pending", test_stop_trying_pending);
  ADD ("/reconnecting-factory/stop-trying-in-progress", test_stop_trying_in_progress);
  ADD ("/reconnecting-factory/reset-delay-resumes", test_reset_delay_resumes);
  ADD ("/reconnecting-factory/without-connector", test_without_connector);
  ADD ("/connector/states", test_connector_states);
#undef ADD
#define ADD(path, func) g_test_add (path, ServiceFixture, NULL, service_setup, func, service_teardown)
  ADD ("/client-service/when-connected", test_service_when_connected);
  ADD ("/client-service/fail-after-failures", test_service_fail_after_failures);
  ADD ("/client-service/reconnects-after-loss", test_service_reconnects_after_loss);
  ADD ("/client-service/stop", test_service_stop);
#undef ADD

  return g_test_run ();
}
