/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "chat-preferences.h"

GtkWindow *
chat_preferences_new (GtkWindow *parent, GSettings *settings)
{
  g_autoptr (GtkBuilder) builder = gtk_builder_new_from_resource ("/org/weft/Chat/chat-preferences.ui");
  GtkWindow *window = GTK_WINDOW (gtk_builder_get_object (builder, "window"));

  gtk_window_set_transient_for (window, parent);
  g_settings_bind (settings, "fetch-link-titles", gtk_builder_get_object (builder, "link_titles_switch"), "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "notifications", gtk_builder_get_object (builder, "notifications_switch"), "active",
                   G_SETTINGS_BIND_DEFAULT);
  return window;
}
