/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Happy Eyeballs (RFC 8305) for a name with several addresses: the
 * addresses are interleaved by family, IPv6 first; the first attempt starts
 * at once, the next one after the Connection Attempt Delay or as soon as
 * the attempts in flight have all failed, whichever comes first. The first
 * attempt to connect wins and the others are cancelled, which closes their
 * sockets. When every attempt fails, one error lists them all. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "weft-error.h"
#include "weft-happy-eyeballs-private.h"
#include "weft-protocol.h"
#include "weft-transport.h"

typedef struct {
  WeftReactor *reactor;
  WeftDeferred *deferred; /* the caller's; held until it has fired */
  char *host;
  guint16 port;
  GPtrArray *addresses;
  guint next;
  GPtrArray *attempts; /* Attempt *, those in flight */
  GString *failures;
  GQuark error_domain;
  int error_code;
  gboolean mixed_errors;
  GError *only_error; /* the error of the only address, passed on as is */
  WeftDelayedCall *timer;
  gint64 delay_us;
  WeftAttemptFunc func;
  gpointer user_data;
  GDestroyNotify notify;
  gboolean done;
} HappyEyeballs;

typedef struct {
  HappyEyeballs *he; /* a reference */
  WeftDeferred *deferred;
  GSocketAddress *address;
} Attempt;

static void start_next_attempt (HappyEyeballs *he);

static void
happy_eyeballs_clear (gpointer data)
{
  HappyEyeballs *he = data;

  g_assert (he->timer == NULL);
  g_clear_object (&he->deferred);
  g_free (he->host);
  g_ptr_array_unref (he->addresses);
  g_ptr_array_unref (he->attempts);
  g_string_free (he->failures, TRUE);
  g_clear_error (&he->only_error);
  if (he->notify != NULL)
    he->notify (he->user_data);
}

static HappyEyeballs *
happy_eyeballs_ref (HappyEyeballs *he)
{
  return g_rc_box_acquire (he);
}

static void
happy_eyeballs_unref (gpointer he)
{
  g_rc_box_release_full (he, happy_eyeballs_clear);
}

static void
attempt_free (gpointer data)
{
  Attempt *attempt = data;

  g_clear_object (&attempt->deferred);
  g_object_unref (attempt->address);
  happy_eyeballs_unref (attempt->he);
  g_free (attempt);
}

static GSocketFamily
address_family (gpointer address)
{
  return g_socket_address_get_family (G_SOCKET_ADDRESS (address));
}

/* RFC 8305 section 4, with a First Address Family Count of one: IPv6 and
 * IPv4 alternate, IPv6 first, each family keeping the resolver's order. */
void
weft_happy_eyeballs_sort (GPtrArray *addresses)
{
  g_autoptr (GPtrArray) v6 = g_ptr_array_new ();
  g_autoptr (GPtrArray) others = g_ptr_array_new ();
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();

  for (guint i = 0; i < addresses->len; i++)
    g_ptr_array_add (address_family (addresses->pdata[i]) == G_SOCKET_FAMILY_IPV6 ? v6 : others, addresses->pdata[i]);
  for (guint i = 0; i < MAX (v6->len, others->len); i++)
    {
      if (i < v6->len)
        g_ptr_array_add (sorted, v6->pdata[i]);
      if (i < others->len)
        g_ptr_array_add (sorted, others->pdata[i]);
    }
  memcpy (addresses->pdata, sorted->pdata, sorted->len * sizeof (gpointer));
}

static void
cancel_timer (HappyEyeballs *he)
{
  WeftDelayedCall *timer = g_steal_pointer (&he->timer);

  if (timer != NULL)
    {
      weft_delayed_call_cancel (timer);
      weft_delayed_call_unref (timer);
    }
}

static void
cancel_attempts (HappyEyeballs *he)
{
  g_autoptr (GPtrArray) attempts = g_ptr_array_new_with_free_func (g_object_unref);

  /* Cancelling runs the attempt's errback, which removes it from the list. */
  for (guint i = 0; i < he->attempts->len; i++)
    g_ptr_array_add (attempts, g_object_ref (((Attempt *) he->attempts->pdata[i])->deferred));
  for (guint i = 0; i < attempts->len; i++)
    weft_deferred_cancel (attempts->pdata[i]);
}

static void
record_failure (HappyEyeballs *he, GSocketAddress *address, const GError *error)
{
  g_autofree char *where = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));

  if (he->failures->len > 0)
    g_string_append (he->failures, "; ");
  if (strstr (error->message, where) == NULL)
    g_string_append_printf (he->failures, "%s: ", where);
  g_string_append (he->failures, error->message);

  if (he->error_domain != 0 && (he->error_domain != error->domain || he->error_code != error->code))
    he->mixed_errors = TRUE;
  he->error_domain = error->domain;
  he->error_code = error->code;
  if (he->addresses->len == 1)
    he->only_error = g_error_copy (error);
}

static void
fail_all (HappyEyeballs *he)
{
  g_autoptr (WeftDeferred) deferred = g_steal_pointer (&he->deferred);
  GQuark domain = he->mixed_errors ? G_IO_ERROR : he->error_domain;
  int code = he->mixed_errors ? G_IO_ERROR_FAILED : he->error_code;
  GError *error;

  he->done = TRUE;
  if (he->only_error != NULL && g_hostname_is_ip_address (he->host))
    error = g_steal_pointer (&he->only_error);
  else
    error = g_error_new (domain, code, _ ("Cannot connect to “%s” port %u: %s"), he->host, he->port, he->failures->str);
  weft_deferred_errback_take_error (deferred, error);
}

static WeftDeferred *
attempt_succeeded (WeftResult *result, gpointer data)
{
  Attempt *attempt = data;
  HappyEyeballs *he = attempt->he;
  g_autoptr (WeftDeferred) deferred = NULL;
  WeftProtocol *protocol;

  g_ptr_array_remove (he->attempts, attempt);
  if (!weft_result_holds (result, WEFT_TYPE_PROTOCOL))
    {
      weft_result_set_new_error (result, WEFT_ERROR, WEFT_ERROR_FAILED,
                                 "A connection attempt fired with %s instead of a protocol",
                                 g_type_name (weft_result_get_value_type (result)));
      return NULL;
    }
  protocol = weft_result_get_object (result);

  if (he->done)
    {
      /* Lost the race after all (cancelling came too late): close it. */
      if (weft_protocol_get_transport (protocol) != NULL)
        weft_transport_abort_connection (weft_protocol_get_transport (protocol));
      weft_result_clear (result);
      return NULL;
    }

  he->done = TRUE;
  cancel_timer (he);
  cancel_attempts (he);
  deferred = g_steal_pointer (&he->deferred);
  weft_deferred_callback_object (deferred, protocol);
  return NULL;
}

static WeftDeferred *
attempt_failed (WeftResult *result, gpointer data)
{
  Attempt *attempt = data;
  HappyEyeballs *he = attempt->he;

  g_ptr_array_remove (he->attempts, attempt);
  if (!he->done)
    record_failure (he, attempt->address, weft_result_get_error (result));
  /* The failure is reported through the caller's deferred. */
  weft_result_clear (result);
  if (he->done)
    return NULL;

  if (he->next < he->addresses->len)
    start_next_attempt (he);
  else if (he->attempts->len == 0)
    {
      cancel_timer (he);
      fail_all (he);
    }
  return NULL;
}

static void
attempt_delay_passed (gpointer data)
{
  HappyEyeballs *he = data;

  g_clear_pointer (&he->timer, weft_delayed_call_unref);
  start_next_attempt (he);
}

static void
start_next_attempt (HappyEyeballs *he)
{
  GSocketAddress *address;
  Attempt *attempt;

  cancel_timer (he);
  if (he->done || he->next >= he->addresses->len)
    return;

  address = he->addresses->pdata[he->next++];
  /* Armed first: an attempt that fails at once starts the next itself. */
  if (he->next < he->addresses->len)
    he->timer = weft_delayed_call_ref (weft_reactor_call_later (he->reactor, he->delay_us, attempt_delay_passed,
                                                                happy_eyeballs_ref (he), happy_eyeballs_unref));

  attempt = g_new0 (Attempt, 1);
  attempt->he = happy_eyeballs_ref (he);
  attempt->address = g_object_ref (address);
  attempt->deferred = he->func (address, he->user_data);
  if (attempt->deferred == NULL)
    attempt->deferred = weft_deferred_fail_take_error (g_error_new (WEFT_ERROR, WEFT_ERROR_FAILED,
                                                                    "No connection attempt could be started"));
  g_ptr_array_add (he->attempts, attempt);
  weft_deferred_add_callbacks (attempt->deferred, attempt_succeeded, attempt_failed, attempt, attempt_free);
}

static void
happy_eyeballs_cancel (WeftDeferred *deferred, gpointer data)
{
  HappyEyeballs *he = data;

  he->done = TRUE;
  cancel_timer (he);
  cancel_attempts (he);
  g_clear_object (&he->deferred);
}

/* Connects to the first of @addresses (GInetSocketAddress, in the order to
 * try; see weft_happy_eyeballs_sort()) that answers. @func starts one
 * attempt; @host and @port name the destination in error messages. The
 * deferred fires with the winner's protocol; cancelling it cancels every
 * attempt in flight. */
WeftDeferred *
weft_happy_eyeballs_connect (WeftReactor *reactor,
                             const char *host,
                             guint16 port,
                             GPtrArray *addresses,
                             gint64 attempt_delay_us,
                             WeftAttemptFunc func,
                             gpointer user_data,
                             GDestroyNotify notify)
{
  HappyEyeballs *he;
  g_autofree char *description = NULL;
  WeftDeferred *deferred;

  g_return_val_if_fail (addresses != NULL && addresses->len > 0, NULL);

  he = g_rc_box_new0 (HappyEyeballs);
  he->reactor = reactor;
  he->host = g_strdup (host);
  he->port = port;
  he->addresses = g_ptr_array_ref (addresses);
  he->attempts = g_ptr_array_new ();
  he->failures = g_string_new (NULL);
  he->delay_us = MAX (attempt_delay_us, 0);
  he->func = func;
  he->user_data = user_data;
  he->notify = notify;

  deferred = weft_deferred_new_with_canceller (happy_eyeballs_cancel, happy_eyeballs_ref (he), happy_eyeballs_unref);
  description = g_strdup_printf (_ ("Connecting to “%s” port %u"), host, port);
  weft_deferred_set_description (deferred, description);
  he->deferred = g_object_ref (deferred);

  start_next_attempt (he);
  happy_eyeballs_unref (he);
  return deferred;
}
