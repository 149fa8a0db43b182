/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The backends a reactor can run on, and how one is chosen. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "weft-error.h"
#include "weft-reactor-impl-private.h"
#include "weft-signals-private.h"

static const WeftBackendOps *const backends[] = {
  &weft_epoll_backend,
  &weft_poll_backend,
  &weft_select_backend,
  &weft_glib_backend,
};

#define DEFAULT_BACKEND "epoll"

/* ------------------------------------------------------------------ */
/* Backend lookup                                                       */

const WeftBackendOps *
weft_reactor_find_backend (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
    if (g_strcmp0 (backends[i]->name, name) == 0)
      return backends[i];
  return NULL;
}

/**
 * weft_reactor_list_backends:
 *
 * The names of all backends built into Weft, available here or not.
 *
 * Returns: (transfer none) (array zero-terminated=1): backend names
 */
const char *const *
weft_reactor_list_backends (void)
{
  static const char *names[G_N_ELEMENTS (backends) + 1];

  if (names[0] == NULL)
    for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
      names[i] = backends[i]->name;
  return names;
}

/**
 * weft_reactor_backend_is_available:
 * @name: a backend name
 * @description: (out) (optional) (transfer none): its one-line description
 * @why_not: (out) (optional) (transfer full): why it cannot run here
 *
 * Tells whether the backend @name can run on this machine, by creating and
 * destroying a reactor with it.
 *
 * Returns: %TRUE if a reactor can use it
 */
gboolean
weft_reactor_backend_is_available (const char *name, const char **description, char **why_not)
{
  const WeftBackendOps *ops = weft_reactor_find_backend (name);
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  g_autoptr (GMainContext) context = NULL;

  if (description != NULL)
    *description = ops != NULL ? ops->description : NULL;
  if (ops == NULL)
    {
      if (why_not != NULL)
        *why_not = g_strdup (_ ("no such backend"));
      return FALSE;
    }

  context = g_main_context_new ();
  reactor = weft_reactor_new_with_ops (ops, WEFT_REACTOR_FLAGS_NONE, context, &error);
  if (why_not != NULL)
    *why_not = reactor == NULL ? g_strdup (error->message) : NULL;
  return reactor != NULL;
}

char *
weft_reactor_describe_available_backends (void)
{
  GString *names = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (backends); i++)
    {
      if (!weft_reactor_backend_is_available (backends[i]->name, NULL, NULL))
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, backends[i]->name);
    }
  return g_string_free (names, FALSE);
}

/* The backend a reactor made without a name gets, as the layer above chose
 * it (weft-options.c feeds --reactor here); NULL: WEFT_REACTOR, then the
 * default. */
G_LOCK_DEFINE_STATIC (default_name);
static char *default_name;

void
weft_reactor_set_default_backend_name (const char *name)
{
  G_LOCK (default_name);
  g_free (default_name);
  default_name = g_strdup (name);
  G_UNLOCK (default_name);
}

const char *
weft_reactor_resolve_backend_name (const char *name)
{
  if (name == NULL)
    {
      G_LOCK (default_name);
      name = default_name != NULL ? g_intern_string (default_name) : NULL;
      G_UNLOCK (default_name);
    }
  if (name == NULL || *name == '\0')
    name = g_getenv ("WEFT_REACTOR");
  if (name == NULL || *name == '\0')
    name = DEFAULT_BACKEND;
  return name;
}
