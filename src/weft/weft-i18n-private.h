/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Binds the library's gettext domain ("weft") to its locale directory,
 * once; thread-safe. Called where a program first meets the library:
 * weft_reactor_new_for_context(), weft_get_option_group() and
 * weft_describe_reactors(). */
void weft_i18n_init (void);

G_END_DECLS
