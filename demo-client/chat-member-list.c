/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <weft-irc/weft-irc.h>

#include "chat-format.h"
#include "chat-member-list.h"

struct _ChatMemberList {
  GtkWidget parent_instance;

  GtkSortListModel *sorted;
  GtkLabel *count_label;
  GtkListView *list_view;
};

G_DEFINE_FINAL_TYPE (ChatMemberList, chat_member_list, GTK_TYPE_WIDGET)

enum {
  MEMBER_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static int
compare_members (gconstpointer a, gconstpointer b, gpointer data)
{
  WeftIrcMember *ma = WEFT_IRC_MEMBER ((gpointer) a);
  WeftIrcMember *mb = WEFT_IRC_MEMBER ((gpointer) b);
  const char *pa = weft_irc_member_get_prefix (ma);
  const char *pb = weft_irc_member_get_prefix (mb);
  /* Members without a prefix come after every prefixed rank. */
  guint ra = pa != NULL && pa[0] != '\0' ? weft_irc_member_get_rank (ma) : G_MAXUINT;
  guint rb = pb != NULL && pb[0] != '\0' ? weft_irc_member_get_rank (mb) : G_MAXUINT;
  g_autofree char *na = NULL;
  g_autofree char *nb = NULL;

  if (ra != rb)
    return ra < rb ? -1 : 1;
  na = g_utf8_casefold (weft_irc_member_get_nick (ma), -1);
  nb = g_utf8_casefold (weft_irc_member_get_nick (mb), -1);
  return g_strcmp0 (na, nb);
}

static void
update_count (ChatMemberList *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member", "%u members", n), n);

  gtk_label_set_text (self->count_label, text);
}

void
chat_member_list_set_members (ChatMemberList *self, GListModel *members)
{
  gtk_sort_list_model_set_model (self->sorted, members);
  update_count (self);
}

GListModel *
chat_member_list_get_sorted (ChatMemberList *self)
{
  return G_LIST_MODEL (self->sorted);
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *prefix = gtk_label_new (NULL);
  GtkWidget *nick = gtk_label_new (NULL);

  gtk_label_set_width_chars (GTK_LABEL (prefix), 1);
  gtk_widget_add_css_class (prefix, "member-prefix");
  gtk_label_set_xalign (GTK_LABEL (nick), 0);
  gtk_label_set_ellipsize (GTK_LABEL (nick), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (nick, TRUE);
  gtk_box_append (GTK_BOX (box), prefix);
  gtk_box_append (GTK_BOX (box), nick);
  gtk_list_item_set_child (item, box);
}

/* Shows @member in @box. Called on bind and again whenever the member's
 * prefix, nick or away state changes: GTK keeps a row for an item that is
 * still in the model, so a changed member is not bound again. */
static void
show_member (GtkWidget *box, WeftIrcMember *member)
{
  GtkWidget *prefix = gtk_widget_get_first_child (box);
  GtkWidget *nick = gtk_widget_get_next_sibling (prefix);
  const char *p = weft_irc_member_get_prefix (member);
  const char *old_class = g_object_get_data (G_OBJECT (nick), "nick-class");
  const char *nick_class = chat_format_nick_class (weft_irc_member_get_nick (member));

  gtk_label_set_text (GTK_LABEL (prefix), p != NULL ? p : "");
  gtk_label_set_text (GTK_LABEL (nick), weft_irc_member_get_nick (member));
  if (old_class != NULL)
    gtk_widget_remove_css_class (nick, old_class);
  gtk_widget_add_css_class (nick, nick_class);
  g_object_set_data (G_OBJECT (nick), "nick-class", (gpointer) nick_class);
  gtk_widget_set_opacity (box, weft_irc_member_get_away (member) ? 0.55 : 1.0);
}

static void
member_changed (WeftIrcMember *member, GParamSpec *pspec, GtkListItem *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);

  if (box != NULL)
    show_member (box, member);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  WeftIrcMember *member = gtk_list_item_get_item (item);

  show_member (gtk_list_item_get_child (item), member);
  g_signal_connect (member, "notify::prefix", G_CALLBACK (member_changed), item);
  g_signal_connect (member, "notify::nick", G_CALLBACK (member_changed), item);
  g_signal_connect (member, "notify::away", G_CALLBACK (member_changed), item);
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  WeftIrcMember *member = gtk_list_item_get_item (item);

  if (member != NULL)
    g_signal_handlers_disconnect_by_func (member, member_changed, item);
}

static void
row_activated (ChatMemberList *self, guint position)
{
  g_autoptr (WeftIrcMember) member = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

  if (member != NULL)
    g_signal_emit (self, signals[MEMBER_ACTIVATED], 0, weft_irc_member_get_nick (member));
}

static void
chat_member_list_dispose (GObject *object)
{
  ChatMemberList *self = CHAT_MEMBER_LIST (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHAT_TYPE_MEMBER_LIST);
  /* The template's top-level child is not bound, so it is not disposed
   * with the template. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->sorted);
  G_OBJECT_CLASS (chat_member_list_parent_class)->dispose (object);
}

static void
chat_member_list_class_init (ChatMemberListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chat_member_list_dispose;
  signals[MEMBER_ACTIVATED] = g_signal_new ("member-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                            NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Chat/chat-member-list.ui");
  gtk_widget_class_bind_template_child (widget_class, ChatMemberList, count_label);
  gtk_widget_class_bind_template_child (widget_class, ChatMemberList, list_view);
  gtk_widget_class_bind_template_callback (widget_class, row_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
chat_member_list_init (ChatMemberList *self)
{
  GtkListItemFactory *factory;
  GtkCustomSorter *sorter;
  GtkSingleSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));
  sorter = gtk_custom_sorter_new (compare_members, NULL, NULL);
  self->sorted = gtk_sort_list_model_new (NULL, GTK_SORTER (sorter));
  g_signal_connect_swapped (self->sorted, "items-changed", G_CALLBACK (update_count), self);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  update_count (self);
}
