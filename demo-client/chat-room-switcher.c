/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "chat-connection.h"
#include "chat-room-switcher.h"

struct _ChatRoomSwitcher {
  AdwWindow parent_instance;

  GtkFilterListModel *filtered;
  GtkStringFilter *filter;
  GtkSearchEntry *search_entry;
  GtkListBox *list_box;
};

G_DEFINE_FINAL_TYPE (ChatRoomSwitcher, chat_room_switcher, ADW_TYPE_WINDOW)

enum {
  ROOM_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
create_row (gpointer item, gpointer data)
{
  ChatRoom *room = item;
  ChatConnection *connection = chat_room_get_connection (room);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), chat_room_get_name (room));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (chat_room_get_kind (room) != CHAT_ROOM_SERVER)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                 chat_room_get_name (chat_connection_get_server_room (connection)));
  g_object_set_data_full (G_OBJECT (row), "room", g_object_ref (room), g_object_unref);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  return row;
}

static void
choose (ChatRoomSwitcher *self, ChatRoom *room)
{
  g_signal_emit (self, signals[ROOM_CHOSEN], 0, room);
  gtk_window_close (GTK_WINDOW (self));
}

static void
row_activated (ChatRoomSwitcher *self, GtkListBoxRow *row)
{
  choose (self, g_object_get_data (G_OBJECT (row), "room"));
}

static void
search_changed (ChatRoomSwitcher *self)
{
  GtkListBoxRow *first;

  gtk_string_filter_set_search (self->filter, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  first = gtk_list_box_get_row_at_index (self->list_box, 0);
  if (first != NULL)
    gtk_list_box_select_row (self->list_box, first);
}

static void
search_activated (ChatRoomSwitcher *self)
{
  g_autoptr (ChatRoom) room = g_list_model_get_item (G_LIST_MODEL (self->filtered), 0);

  if (room != NULL)
    choose (self, room);
}

ChatRoomSwitcher *
chat_room_switcher_new (GtkWindow *parent, GListModel *rooms)
{
  ChatRoomSwitcher *self = g_object_new (CHAT_TYPE_ROOM_SWITCHER, "transient-for", parent, NULL);

  gtk_filter_list_model_set_model (self->filtered, rooms);
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->filtered), create_row, NULL, NULL);
  search_changed (self);
  return self;
}

static void
chat_room_switcher_dispose (GObject *object)
{
  ChatRoomSwitcher *self = CHAT_ROOM_SWITCHER (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHAT_TYPE_ROOM_SWITCHER);
  g_clear_object (&self->filtered);
  G_OBJECT_CLASS (chat_room_switcher_parent_class)->dispose (object);
}

static void
chat_room_switcher_class_init (ChatRoomSwitcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chat_room_switcher_dispose;
  signals[ROOM_CHOSEN] = g_signal_new ("room-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 1, CHAT_TYPE_ROOM);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Chat/chat-room-switcher.ui");
  gtk_widget_class_bind_template_child (widget_class, ChatRoomSwitcher, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ChatRoomSwitcher, list_box);
  gtk_widget_class_bind_template_callback (widget_class, search_changed);
  gtk_widget_class_bind_template_callback (widget_class, search_activated);
  gtk_widget_class_bind_template_callback (widget_class, row_activated);
  gtk_widget_class_bind_template_callback (widget_class, gtk_window_close);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
chat_room_switcher_init (ChatRoomSwitcher *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->filter = gtk_string_filter_new (gtk_property_expression_new (CHAT_TYPE_ROOM, NULL, "name"));
  gtk_string_filter_set_match_mode (self->filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
}
