/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "chat-connection.h"
#include "chat-sidebar-row.h"

struct _ChatSidebarRow {
  GtkListBoxRow parent_instance;

  ChatRoom *room;
  GtkImage *icon;
  GtkLabel *name_label;
  GtkLabel *status_label;
  GtkSpinner *spinner;
  GtkLabel *mention_badge;
  GtkLabel *unread_badge;
};

G_DEFINE_FINAL_TYPE (ChatSidebarRow, chat_sidebar_row, GTK_TYPE_LIST_BOX_ROW)

static void
set_badge (GtkLabel *badge, guint count)
{
  g_autofree char *text = count > 999 ? g_strdup ("999+") : g_strdup_printf ("%u", count);

  gtk_label_set_text (badge, text);
  gtk_widget_set_visible (GTK_WIDGET (badge), count > 0);
}

static void
update_counts (ChatSidebarRow *self)
{
  guint unread = chat_room_get_unread_count (self->room);
  guint mentions = chat_room_get_mention_count (self->room);
  g_autofree char *description = NULL;

  set_badge (self->unread_badge, mentions > 0 ? 0 : unread);
  set_badge (self->mention_badge, mentions);
  if (unread > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->name_label), "unread");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_label), "unread");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mention_badge), NULL);
  if (mentions > 0)
    {
      description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u mention", "%u mentions", mentions), mentions);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->mention_badge), description);
    }
}

static void
update_joined (ChatSidebarRow *self)
{
  if (chat_room_get_kind (self->room) == CHAT_ROOM_CHANNEL && !chat_room_get_joined (self->room))
    gtk_widget_add_css_class (GTK_WIDGET (self), "not-joined");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "not-joined");
}

static void
update_status (ChatSidebarRow *self)
{
  ChatConnection *connection = chat_room_get_connection (self->room);
  ChatConnectionState state = chat_connection_get_state (connection);

  gtk_label_set_text (self->status_label, chat_connection_get_status_text (connection));
  gtk_spinner_set_spinning (self->spinner, state == CHAT_CONNECTION_CONNECTING);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), state == CHAT_CONNECTION_CONNECTING);
  gtk_image_set_from_icon_name (self->icon, state == CHAT_CONNECTION_CONNECTED ? "network-server-symbolic"
                                                                               : "network-offline-symbolic");
}

GtkWidget *
chat_sidebar_row_new (ChatRoom *room)
{
  ChatSidebarRow *self = g_object_new (CHAT_TYPE_SIDEBAR_ROW, NULL);

  self->room = g_object_ref (room);
  g_object_bind_property (room, "name", self->name_label, "label", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (room, "notify::unread-count", G_CALLBACK (update_counts), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "notify::mention-count", G_CALLBACK (update_counts), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "notify::joined", G_CALLBACK (update_joined), self, G_CONNECT_SWAPPED);
  update_counts (self);
  update_joined (self);
  switch (chat_room_get_kind (room))
    {
    case CHAT_ROOM_SERVER:
      gtk_widget_add_css_class (GTK_WIDGET (self), "server");
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
      g_signal_connect_object (chat_room_get_connection (room), "notify::status-text", G_CALLBACK (update_status), self,
                               G_CONNECT_SWAPPED);
      update_status (self);
      break;
    case CHAT_ROOM_CHANNEL:
      gtk_image_set_from_icon_name (self->icon, "chat-channel-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self), "room");
      break;
    case CHAT_ROOM_QUERY:
      gtk_image_set_from_icon_name (self->icon, "avatar-default-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self), "room");
      break;
    }
  return GTK_WIDGET (self);
}

ChatRoom *
chat_sidebar_row_get_room (ChatSidebarRow *self)
{
  return self->room;
}

static void
chat_sidebar_row_dispose (GObject *object)
{
  ChatSidebarRow *self = CHAT_SIDEBAR_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHAT_TYPE_SIDEBAR_ROW);
  g_clear_object (&self->room);
  G_OBJECT_CLASS (chat_sidebar_row_parent_class)->dispose (object);
}

static void
chat_sidebar_row_class_init (ChatSidebarRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chat_sidebar_row_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Chat/chat-sidebar-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ChatSidebarRow, icon);
  gtk_widget_class_bind_template_child (widget_class, ChatSidebarRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, ChatSidebarRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ChatSidebarRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, ChatSidebarRow, mention_badge);
  gtk_widget_class_bind_template_child (widget_class, ChatSidebarRow, unread_badge);
}

static void
chat_sidebar_row_init (ChatSidebarRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
