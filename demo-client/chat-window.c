/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chat-commands.h"
#include "chat-room-switcher.h"
#include "chat-window.h"

struct _ChatWindow {
  AdwApplicationWindow parent_instance;

  GListModel *connections;
  GtkFlattenListModel *rooms;
  ChatRoom *room;
  ChatConnection *connection; /* of room */
  GSignalGroup *connection_signals;

  AdwToastOverlay *toast_overlay;
  AdwLeaflet *leaflet;
  GtkWidget *sidebar_pane;
  GtkWidget *content_pane;
  ChatSidebar *sidebar;
  AdwWindowTitle *room_title;
  GtkToggleButton *members_button;
  GtkRevealer *status_revealer;
  GtkLabel *status_label;
  GtkButton *reconnect_button;
  ChatMessageList *message_list;
  GtkRevealer *member_revealer;
  ChatMemberList *member_list;
  ChatInput *input;

  GPtrArray *toasts; /* the titles of the toasts shown, oldest first */
};

G_DEFINE_FINAL_TYPE (ChatWindow, chat_window, ADW_TYPE_APPLICATION_WINDOW)

void
chat_window_add_toast (ChatWindow *self, const char *text)
{
  g_ptr_array_add (self->toasts, g_strdup (text));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

GPtrArray *
chat_window_get_toasts (ChatWindow *self)
{
  return self->toasts;
}

static void
update_status (ChatWindow *self)
{
  ChatConnectionState state =
      self->connection != NULL ? chat_connection_get_state (self->connection) : CHAT_CONNECTION_CONNECTED;

  gtk_revealer_set_reveal_child (self->status_revealer, state != CHAT_CONNECTION_CONNECTED);
  if (self->connection != NULL)
    gtk_label_set_text (self->status_label, chat_connection_get_status_text (self->connection));
  gtk_widget_set_visible (GTK_WIDGET (self->reconnect_button),
                          state == CHAT_CONNECTION_RECONNECTING || state == CHAT_CONNECTION_DISCONNECTED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reconnect", state != CHAT_CONNECTION_CONNECTED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.edit-server", self->connection != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.remove-server", self->connection != NULL);
}

static void
update_members (ChatWindow *self)
{
  GListModel *members = self->room != NULL ? chat_room_get_members (self->room) : NULL;
  gboolean channel = self->room != NULL && chat_room_get_kind (self->room) == CHAT_ROOM_CHANNEL;

  chat_member_list_set_members (self->member_list, channel ? members : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->members_button), channel);
  gtk_revealer_set_reveal_child (self->member_revealer, channel &&
                                                            gtk_toggle_button_get_active (self->members_button) &&
                                                            !adw_leaflet_get_folded (self->leaflet));
}

static void
update_title (ChatWindow *self)
{
  const char *topic = self->room != NULL ? chat_room_get_topic (self->room) : NULL;

  adw_window_title_set_title (self->room_title, self->room != NULL ? chat_room_get_name (self->room) : "");
  adw_window_title_set_subtitle (self->room_title, topic != NULL ? topic : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->room_title), topic);
}

void
chat_window_select_room (ChatWindow *self, ChatRoom *room)
{
  chat_sidebar_select (self->sidebar, room);
}

ChatRoom *
chat_window_get_room (ChatWindow *self)
{
  return self->room;
}

static void
selection_changed (ChatWindow *self)
{
  ChatRoom *room = chat_sidebar_get_selected (self->sidebar);

  if (room == self->room)
    return;
  if (self->room != NULL)
    {
      chat_room_set_active (self->room, FALSE);
      g_signal_handlers_disconnect_by_data (self->room, self);
    }
  g_set_object (&self->room, room);
  self->connection = room != NULL ? chat_room_get_connection (room) : NULL;
  g_signal_group_set_target (self->connection_signals, self->connection);
  if (room != NULL)
    {
      g_signal_connect_swapped (room, "notify::topic", G_CALLBACK (update_title), self);
      g_signal_connect_swapped (room, "notify::name", G_CALLBACK (update_title), self);
      g_signal_connect_swapped (room, "notify::members", G_CALLBACK (update_members), self);
      chat_room_set_active (room, TRUE);
    }
  chat_message_list_set_room (self->message_list, room);
  chat_input_set_room (self->input, room);
  update_title (self);
  update_members (self);
  update_status (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-room",
                                 room != NULL && chat_room_get_kind (room) != CHAT_ROOM_SERVER);
  if (room != NULL)
    {
      adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
      gtk_widget_grab_focus (GTK_WIDGET (self->input));
    }
}

static void
folded_changed (ChatWindow *self)
{
  update_members (self);
}

static void
load_older (ChatWindow *self, ChatRoom *room)
{
  chat_connection_load_older (chat_room_get_connection (room), room);
}

static void
member_activated (ChatWindow *self, const char *nick)
{
  if (self->connection != NULL)
    chat_window_select_room (self, chat_connection_ensure_query (self->connection, nick));
}

static void
input_send (ChatWindow *self, const char *line)
{
  g_autoptr (GError) error = NULL;
  ChatRoom *target = NULL;
  ChatRoom *room = self->room;

  if (room == NULL || self->connection == NULL)
    return;
  switch (chat_commands_run (self->connection, room, line, &target, &error))
    {
    case CHAT_COMMAND_OPEN_ROOM:
      chat_window_select_room (self, target);
      break;
    case CHAT_COMMAND_CLOSE_ROOM:
      gtk_widget_activate_action (GTK_WIDGET (self), "win.close-room", NULL);
      break;
    case CHAT_COMMAND_QUIT:
      g_action_group_activate_action (G_ACTION_GROUP (gtk_window_get_application (GTK_WINDOW (self))), "quit", NULL);
      break;
    case CHAT_COMMAND_FAILED:
      chat_connection_add_info (self->connection, room, CHAT_MESSAGE_ERROR, error->message);
      break;
    case CHAT_COMMAND_DONE:
      break;
    }
}

/* Actions */

static void
back_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  adw_leaflet_navigate (CHAT_WINDOW (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
move_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ChatWindow *self = CHAT_WINDOW (widget);
  gboolean unread = g_str_has_suffix (action_name, "unread");
  int delta = g_str_has_prefix (action_name, "win.previous") ? -1 : 1;

  chat_sidebar_move (self->sidebar, delta, unread);
}

static void
reconnect_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ChatWindow *self = CHAT_WINDOW (widget);

  if (self->connection != NULL)
    chat_connection_reconnect_now (self->connection);
}

static void
close_room_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ChatWindow *self = CHAT_WINDOW (widget);
  g_autoptr (ChatRoom) room = self->room != NULL ? g_object_ref (self->room) : NULL;

  if (room == NULL || chat_room_get_kind (room) == CHAT_ROOM_SERVER)
    return;
  chat_sidebar_move (self->sidebar, -1, FALSE);
  chat_connection_close_room (chat_room_get_connection (room), room);
}

/* The server of the room on screen: edited and removed by the application,
 * which keeps the configuration. */
static void
server_action_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ChatWindow *self = CHAT_WINDOW (widget);
  GApplication *application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (self->connection == NULL || application == NULL)
    return;
  g_action_group_activate_action (G_ACTION_GROUP (application), action_name + strlen ("win."),
                                  g_variant_new_string (chat_connection_get_config (self->connection)->id));
}

static void
toggle_members_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ChatWindow *self = CHAT_WINDOW (widget);

  gtk_toggle_button_set_active (self->members_button, !gtk_toggle_button_get_active (self->members_button));
}

static void
focus_input_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (CHAT_WINDOW (widget)->input));
}

static void
switcher_chosen (ChatRoomSwitcher *switcher, ChatRoom *room, ChatWindow *self)
{
  chat_window_select_room (self, room);
}

static void
room_switcher_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ChatWindow *self = CHAT_WINDOW (widget);
  ChatRoomSwitcher *switcher = chat_room_switcher_new (GTK_WINDOW (self), G_LIST_MODEL (self->rooms));

  g_signal_connect_object (switcher, "room-chosen", G_CALLBACK (switcher_chosen), self, 0);
  gtk_window_present (GTK_WINDOW (switcher));
}

static void
join_response (AdwMessageDialog *dialog, const char *response, ChatWindow *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autofree char *line = NULL;

  if (g_strcmp0 (response, "join") != 0 || self->room == NULL)
    return;
  line = g_strdup_printf ("/join %s", gtk_editable_get_text (entry));
  input_send (self, line);
}

static void
join_channel_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ChatWindow *self = CHAT_WINDOW (widget);
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  if (self->connection == NULL)
    {
      chat_window_add_toast (self, _ ("Add a server first"));
      return;
    }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _ ("Join a Channel"), NULL));
  adw_message_dialog_format_body (dialog, _ ("On %s"),
                                  chat_room_get_name (chat_connection_get_server_room (self->connection)));
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "#channel");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (dialog, entry);
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "join", _ ("_Join"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "join", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "join");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (join_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gpointer
rooms_of (gpointer item, gpointer data)
{
  GListModel *rooms = chat_connection_get_rooms (CHAT_CONNECTION (item));

  g_object_unref (item);
  return g_object_ref (rooms);
}

ChatWindow *
chat_window_new (GtkApplication *application, GListModel *connections)
{
  ChatWindow *self = g_object_new (CHAT_TYPE_WINDOW, "application", application, NULL);
  GtkMapListModel *map;

  self->connections = g_object_ref (connections);
  map = gtk_map_list_model_new (g_object_ref (connections), rooms_of, NULL, NULL);
  self->rooms = gtk_flatten_list_model_new (G_LIST_MODEL (map));
  chat_sidebar_set_model (self->sidebar, G_LIST_MODEL (self->rooms));
  return self;
}

ChatSidebar *
chat_window_get_sidebar (ChatWindow *self)
{
  return self->sidebar;
}

ChatMessageList *
chat_window_get_message_list (ChatWindow *self)
{
  return self->message_list;
}

ChatMemberList *
chat_window_get_member_list (ChatWindow *self)
{
  return self->member_list;
}

ChatInput *
chat_window_get_input (ChatWindow *self)
{
  return self->input;
}

const char *
chat_window_get_status_text (ChatWindow *self)
{
  return gtk_label_get_text (self->status_label);
}

static void
chat_window_dispose (GObject *object)
{
  ChatWindow *self = CHAT_WINDOW (object);

  if (self->room != NULL)
    {
      chat_room_set_active (self->room, FALSE);
      g_signal_handlers_disconnect_by_data (self->room, self);
      g_clear_object (&self->room);
    }
  if (self->connection_signals != NULL)
    g_signal_group_set_target (self->connection_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CHAT_TYPE_WINDOW);
  g_clear_object (&self->connection_signals);
  g_clear_object (&self->rooms);
  g_clear_object (&self->connections);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);
  G_OBJECT_CLASS (chat_window_parent_class)->dispose (object);
}

static void
chat_window_class_init (ChatWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chat_window_dispose;

  g_type_ensure (CHAT_TYPE_SIDEBAR);
  g_type_ensure (CHAT_TYPE_MESSAGE_LIST);
  g_type_ensure (CHAT_TYPE_MEMBER_LIST);
  g_type_ensure (CHAT_TYPE_INPUT);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Chat/chat-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, sidebar_pane);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, content_pane);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, room_title);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, members_button);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, status_revealer);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, reconnect_button);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, message_list);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, member_revealer);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, member_list);
  gtk_widget_class_bind_template_child (widget_class, ChatWindow, input);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, folded_changed);
  gtk_widget_class_bind_template_callback (widget_class, load_older);
  gtk_widget_class_bind_template_callback (widget_class, member_activated);
  gtk_widget_class_bind_template_callback (widget_class, input_send);

  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "win.previous-room", NULL, move_activated);
  gtk_widget_class_install_action (widget_class, "win.next-room", NULL, move_activated);
  gtk_widget_class_install_action (widget_class, "win.previous-unread", NULL, move_activated);
  gtk_widget_class_install_action (widget_class, "win.next-unread", NULL, move_activated);
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_activated);
  gtk_widget_class_install_action (widget_class, "win.close-room", NULL, close_room_activated);
  gtk_widget_class_install_action (widget_class, "win.toggle-members", NULL, toggle_members_activated);
  gtk_widget_class_install_action (widget_class, "win.focus-input", NULL, focus_input_activated);
  gtk_widget_class_install_action (widget_class, "win.room-switcher", NULL, room_switcher_activated);
  gtk_widget_class_install_action (widget_class, "win.join-channel", NULL, join_channel_activated);
  gtk_widget_class_install_action (widget_class, "win.edit-server", NULL, server_action_activated);
  gtk_widget_class_install_action (widget_class, "win.remove-server", NULL, server_action_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "win.previous-room", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK, "win.next-room", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK | GDK_SHIFT_MASK, "win.previous-unread",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK | GDK_SHIFT_MASK, "win.next-unread",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.room-switcher", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, GDK_CONTROL_MASK, "win.join-channel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "win.close-room", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-members", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.focus-input", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.reconnect",
                                       NULL);
}

static void
chat_window_init (ChatWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->toasts = g_ptr_array_new_with_free_func (g_free);
  self->connection_signals = g_signal_group_new (CHAT_TYPE_CONNECTION);
  g_signal_group_connect_swapped (self->connection_signals, "notify::status-text", G_CALLBACK (update_status), self);
  g_signal_group_connect_swapped (self->connection_signals, "notify::state", G_CALLBACK (update_status), self);
  g_signal_connect_swapped (self->members_button, "notify::active", G_CALLBACK (update_members), self);
  update_status (self);
}
