/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <stdlib.h>

#include "weft-i18n-private.h"
#include "weft-options-private.h"
#include "weft-reactor-private.h"
#include "weft-reactor.h"

/* What --reactor named: handed to the core after parsing (the core does not
 * read command-line state). */
static char *reactor_name;
static gboolean list_reactors;

/**
 * weft_describe_reactors:
 *
 * One line per backend: its name, a one-line description, and whether it
 * can run here (or why not). This is what `--list-reactors` prints.
 *
 * Returns: (transfer full): the text
 */
char *
weft_describe_reactors (void)
{
  GString *text = g_string_new (NULL);
  const char *const *names;

  weft_i18n_init ();
  names = weft_reactor_list_backends ();

  for (gsize i = 0; names[i] != NULL; i++)
    {
      const char *description = NULL;
      g_autofree char *why_not = NULL;
      gboolean available = weft_reactor_backend_is_available (names[i], &description, &why_not);

      g_string_append_printf (text, "%-8s %s — %s\n", names[i], description, available ? _ ("available") : why_not);
    }
  return g_string_free (text, FALSE);
}

static gboolean
post_parse (GOptionContext *context, GOptionGroup *group, gpointer data, GError **error)
{
  /* The options feed the core from above: --reactor becomes the backend
   * of reactors made without a name. */
  if (reactor_name != NULL)
    weft_reactor_set_default_backend_name (reactor_name);
  if (list_reactors)
    {
      g_autofree char *text = weft_describe_reactors ();

      fputs (text, stdout);
      exit (EXIT_SUCCESS);
    }
  return TRUE;
}

/**
 * weft_get_option_group:
 *
 * The command-line options every Weft program shares: `--reactor=NAME`
 * picks the backend used by weft_reactor_new() when it is given no name,
 * and `--list-reactors` prints the backends with their availability and
 * exits. Both are listed in the program's `--help`, beside its own options.
 * Add the group to a #GOptionContext, or to a #GApplication with
 * g_application_add_option_group().
 *
 * Returns: (transfer full): a #GOptionGroup to add to a #GOptionContext
 */
GOptionGroup *
weft_get_option_group (void)
{
  static const GOptionEntry entries[] = {
    { "reactor", 0, G_OPTION_FLAG_IN_MAIN, G_OPTION_ARG_STRING, &reactor_name,
      N_ ("Event loop backend: select, poll, epoll or glib"), N_ ("NAME") },
    { "list-reactors", 0, G_OPTION_FLAG_IN_MAIN, G_OPTION_ARG_NONE, &list_reactors,
      N_ ("List the event loop backends and exit"), NULL },
    { NULL },
  };
  GOptionGroup *group;

  weft_i18n_init ();
  group = g_option_group_new ("weft", _ ("Weft options:"), _ ("Show Weft options"), NULL, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);
  g_option_group_set_parse_hooks (group, NULL, post_parse);
  return group;
}

/**
 * weft_options_get_reactor_name:
 *
 * Returns: (nullable) (transfer none): the name given with `--reactor`, or
 *   %NULL
 */
const char *
weft_options_get_reactor_name (void)
{
  return reactor_name;
}
