/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "weft-soup-private.h"

/* libsoup 3.2 attaches every request, WebSocket read and write, timer and
 * listener to the thread-default main context current at the time of each
 * call. The reactor runs exactly one context (the default one unless it was
 * made for another), so a call made while some other context is pushed
 * would wait forever: refuse it with an error instead. */

static const char reactor_key[] = "weft-soup-reactor";

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/**
 * weft_soup_check_context:
 * @reactor: (nullable): the reactor the caller runs on; %NULL: the default
 *   main context is expected
 * @error: where to put the reason
 *
 * Checks that libsoup calls made now would attach their sources to a main
 * context that @reactor runs: the thread-default main context must be the
 * one @reactor hosts (or drives, with the glib backend), and a non-glib
 * reactor must host GLib at all. Every function of this library calls it
 * before it reaches libsoup and fails with %WEFT_SOUP_ERROR_WRONG_CONTEXT
 * rather than hang.
 *
 * Returns: %TRUE when libsoup's sources would run
 */
gboolean
weft_soup_check_context (WeftReactor *reactor, GError **error)
{
  g_autoptr (GMainContext) current = g_main_context_ref_thread_default ();
  GMainContext *expected = reactor != NULL ? weft_reactor_get_context (reactor) : g_main_context_default ();

  if (reactor != NULL && (weft_reactor_get_flags (reactor) & WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING) &&
      g_strcmp0 (weft_reactor_get_backend_name (reactor), "glib") != 0)
    {
      g_set_error (error, WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_WRONG_CONTEXT,
                   _ ("The %s reactor was created with GLib hosting turned off, so libsoup's sources would never "
                      "run; create it without WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING"),
                   weft_reactor_get_backend_name (reactor));
      return FALSE;
    }
  if (current != expected)
    {
      g_set_error (error, WEFT_SOUP_ERROR, WEFT_SOUP_ERROR_WRONG_CONTEXT,
                   _ ("A thread-default main context other than the one the reactor runs is pushed: libsoup would "
                      "attach to it and never be served; pop it (g_main_context_pop_thread_default) before calling "
                      "libweft-soup, or push the reactor's context instead"));
      return FALSE;
    }
  return TRUE;
}

/**
 * weft_soup_session_new:
 * @reactor: the reactor that runs the session
 *
 * Creates a #SoupSession for use with @reactor (see
 * weft_soup_session_set_reactor()). Call it with the reactor's context as
 * the thread-default one (normally: nothing pushed).
 *
 * Returns: (transfer full): a new session
 */
SoupSession *
weft_soup_session_new (WeftReactor *reactor)
{
  SoupSession *session;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);

  session = soup_session_new ();
  weft_soup_session_set_reactor (session, reactor);
  return session;
}

/**
 * weft_soup_session_set_reactor:
 * @session: a session
 * @reactor: (nullable): the reactor that runs it
 *
 * Tells the request functions which reactor runs @session, so that they can
 * check the main context (weft_soup_check_context()). A session without a
 * reactor is checked against the default main context. The session keeps
 * no reference to @reactor.
 */
void
weft_soup_session_set_reactor (SoupSession *session, WeftReactor *reactor)
{
  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (reactor == NULL || WEFT_IS_REACTOR (reactor));

  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, reactor);
  g_object_set_data_full (G_OBJECT (session), reactor_key, ref, weak_ref_free);
}

/**
 * weft_soup_session_get_reactor:
 * @session: a session
 *
 * Returns: (transfer none) (nullable): the reactor set with
 *   weft_soup_session_set_reactor()
 */
WeftReactor *
weft_soup_session_get_reactor (SoupSession *session)
{
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);

  GWeakRef *ref = g_object_get_data (G_OBJECT (session), reactor_key);
  WeftReactor *reactor;

  if (ref == NULL)
    return NULL;
  /* The reactor outlives the calls made on it; the weak reference only
   * keeps a finalized one from being returned. */
  reactor = g_weak_ref_get (ref);
  if (reactor != NULL)
    g_object_unref (reactor);
  return reactor;
}

gboolean
weft_soup_check_session_context (SoupSession *session, GError **error)
{
  return weft_soup_check_context (weft_soup_session_get_reactor (session), error);
}
