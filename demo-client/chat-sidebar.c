/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "chat-sidebar-row.h"
#include "chat-sidebar.h"

struct _ChatSidebar {
  GtkWidget parent_instance;

  GListModel *model;
  GtkScrolledWindow *scrolled_window;
  GtkListBox *list_box;
};

G_DEFINE_FINAL_TYPE (ChatSidebar, chat_sidebar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkWidget *
create_row (gpointer item, gpointer data)
{
  return chat_sidebar_row_new (CHAT_ROOM (item));
}

void
chat_sidebar_set_model (ChatSidebar *self, GListModel *model)
{
  if (!g_set_object (&self->model, model))
    return;
  gtk_list_box_bind_model (self->list_box, model, create_row, self, NULL);
}

ChatRoom *
chat_sidebar_get_selected (ChatSidebar *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list_box);

  return row != NULL ? chat_sidebar_row_get_room (CHAT_SIDEBAR_ROW (row)) : NULL;
}

void
chat_sidebar_select (ChatSidebar *self, ChatRoom *room)
{
  guint n = self->model != NULL ? g_list_model_get_n_items (self->model) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ChatRoom) item = g_list_model_get_item (self->model, i);

      if (item == room)
        {
          GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list_box, i);

          gtk_list_box_select_row (self->list_box, row);
          return;
        }
    }
}

void
chat_sidebar_move (ChatSidebar *self, int delta, gboolean unread_only)
{
  guint n = self->model != NULL ? g_list_model_get_n_items (self->model) : 0;
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list_box);
  int index = row != NULL ? gtk_list_box_row_get_index (row) : -1;

  for (guint step = 0; step < n; step++)
    {
      g_autoptr (ChatRoom) room = NULL;

      index = ((index + delta) % (int) n + (int) n) % (int) n;
      room = g_list_model_get_item (self->model, index);
      if (!unread_only || chat_room_get_unread_count (room) > 0)
        {
          gtk_list_box_select_row (self->list_box, gtk_list_box_get_row_at_index (self->list_box, index));
          return;
        }
    }
}

static void
selected_rows_changed (ChatSidebar *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

static void
chat_sidebar_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SELECTED:
      g_value_set_object (value, chat_sidebar_get_selected (CHAT_SIDEBAR (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chat_sidebar_dispose (GObject *object)
{
  ChatSidebar *self = CHAT_SIDEBAR (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHAT_TYPE_SIDEBAR);
  /* The template's top-level child is not bound, so it is not disposed
   * with the template. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (chat_sidebar_parent_class)->dispose (object);
}

static void
chat_sidebar_class_init (ChatSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chat_sidebar_dispose;
  object_class->get_property = chat_sidebar_get_property;
  properties[PROP_SELECTED] = g_param_spec_object ("selected", NULL, NULL, CHAT_TYPE_ROOM,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Chat/chat-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, ChatSidebar, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, ChatSidebar, list_box);
  gtk_widget_class_bind_template_callback (widget_class, selected_rows_changed);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
chat_sidebar_init (ChatSidebar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
