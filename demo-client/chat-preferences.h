/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The preferences window, bound to the org.weft.Chat settings. */
GtkWindow *chat_preferences_new (GtkWindow *parent, GSettings *settings);

G_END_DECLS
