/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "chat-message-list.h"
#include "chat-message-row.h"

/* Within this many pixels of the end counts as "at the bottom". */
#define STICKY_SLACK 8.0
/* How many times an allocation lays the list out again to reach its end
 * (see chat_message_list_size_allocate). */
#define FOLLOW_PASSES 2

struct _ChatMessageList {
  GtkWidget parent_instance;

  ChatRoom *room;
  GtkNoSelection *selection;
  gboolean sticky;
  /* A new model was set and the list has not laid it out yet: its
   * adjustment still measures the old one (see scroll_to_bottom). */
  gboolean awaiting_layout;
  guint scroll_idle;
  /* The pending flush (see flush_rows), and how many ran since the last
   * frame was drawn. */
  guint flush_idle;
  guint flushes_since_paint;
  /* While this widget allocates its children: a change of the adjustment
   * then is the list's layout, never the user's scrolling. */
  gboolean allocating;
  GdkFrameClock *frame_clock;

  GtkScrolledWindow *scrolled_window;
  GtkListView *list_view;
  GtkRevealer *loading_revealer;
  GtkRevealer *jump_revealer;
};

G_DEFINE_FINAL_TYPE (ChatMessageList, chat_message_list, GTK_TYPE_WIDGET)

enum {
  LOAD_OLDER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkAdjustment *
vadjustment (ChatMessageList *self)
{
  return gtk_scrolled_window_get_vadjustment (self->scrolled_window);
}

gboolean
chat_message_list_is_at_bottom (ChatMessageList *self)
{
  GtkAdjustment *adj = vadjustment (self);

  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >=
         gtk_adjustment_get_upper (adj) - STICKY_SLACK;
}

void
chat_message_list_scroll_to (ChatMessageList *self, guint position)
{
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
}

void
chat_message_list_scroll_to_bottom (ChatMessageList *self)
{
  GtkAdjustment *adj = vadjustment (self);
  /* The rows in the model: those still waiting for a frame join later and
   * the view follows them then. */
  guint n = self->room != NULL ? g_list_model_get_n_items (chat_room_get_messages (self->room)) : 0;

  self->sticky = TRUE;
  if (n > 0)
    chat_message_list_scroll_to (self, n - 1);
  /* GTK 4.8 warns ("failed to scroll to given position") when the
   * adjustment moves before a new model is laid out; the item scroll
   * above is enough then, and the follow-up after layout does the rest. */
  if (!self->awaiting_layout)
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
}

/* The list view estimates the height of rows it has not measured, so the
 * end moves while it lays out: keep following it from an idle callback. */
static gboolean
follow_bottom (gpointer data)
{
  ChatMessageList *self = data;

  self->scroll_idle = 0;
  if (self->sticky && !chat_message_list_is_at_bottom (self))
    chat_message_list_scroll_to_bottom (self);
  return G_SOURCE_REMOVE;
}

static void
queue_follow (ChatMessageList *self)
{
  if (self->scroll_idle == 0)
    self->scroll_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 30, follow_bottom, self, NULL);
}

static void
update_loading (ChatMessageList *self)
{
  gtk_revealer_set_reveal_child (self->loading_revealer,
                                 self->room != NULL && chat_room_get_loading_history (self->room));
}

static void
maybe_load_older (ChatMessageList *self)
{
  GtkAdjustment *adj = vadjustment (self);

  if (self->room == NULL || chat_room_get_loading_history (self->room) || chat_room_get_history_exhausted (self->room))
    return;
  /* Ask early, a screen before the top, so scrolling does not stall. */
  if (gtk_adjustment_get_value (adj) < gtk_adjustment_get_page_size (adj) &&
      gtk_adjustment_get_upper (adj) > gtk_adjustment_get_page_size (adj))
    {
      g_signal_emit (self, signals[LOAD_OLDER], 0, self->room);
      update_loading (self);
    }
}

/* Only scrolling moves the view off the bottom for good: the user's, or a
 * program's on the user's behalf. While it is allocated, the list view
 * lays out new rows, replaces estimated heights with measured ones and
 * moves the adjustment to keep its anchor in place; that must not stop
 * the view following the end, or a busy channel would leave it behind
 * after a few frames. */
static void
value_changed (GtkAdjustment *adj, ChatMessageList *self)
{
  gboolean at_bottom = chat_message_list_is_at_bottom (self);

  if (self->allocating && self->sticky && !at_bottom)
    queue_follow (self);
  else
    self->sticky = at_bottom;
  gtk_revealer_set_reveal_child (self->jump_revealer, !self->sticky);
  maybe_load_older (self);
}

static void queue_flush (ChatMessageList *self);

static void
frame_ended (GdkFrameClock *clock, ChatMessageList *self)
{
  self->flushes_since_paint = 0;
  if (self->room != NULL && chat_room_get_n_pending (self->room) > 0)
    queue_flush (self);
}

static void
watch_frame_clock (ChatMessageList *self, GdkFrameClock *clock)
{
  if (self->frame_clock != NULL)
    g_signal_handlers_disconnect_by_data (self->frame_clock, self);
  g_set_object (&self->frame_clock, clock);
  if (clock != NULL)
    g_signal_connect (clock, "after-paint", G_CALLBACK (frame_ended), self);
}

static void
upper_changed (GtkAdjustment *adj, GParamSpec *pspec, ChatMessageList *self)
{
  self->awaiting_layout = FALSE;
  if (self->sticky)
    queue_follow (self);
}

static void
items_changed (GListModel *model, guint position, guint removed, guint added, ChatMessageList *self)
{
  if (self->sticky)
    queue_follow (self);
  update_loading (self);
}

/* New rows of the room on screen join the model between frames, in a
 * main-loop run of their own after each frame is drawn (two when a
 * backlog waits), and one layout per frame for those that came since.
 * The list binds the new rows at the end and measures them (wrapped text)
 * in that run, and the next frame lays them out and draws them; the loop
 * serves input, the network and timers in between, rather than after one
 * run that did it all.
 *
 * Every new row costs what GTK decides, and the machine may run slower
 * for a while, so a flush is bounded by time, not by a count of rows: it
 * takes rows in chunks of FLUSH_CHUNK_ROWS, each bound and measured at
 * once, until FLUSH_BUDGET_US have passed. A slow stretch makes a flush
 * take fewer rows, not more time; a burst spreads over the next frames and
 * the window keeps drawing. Under a flood beyond what the view can lay
 * out, a flush takes at least a share of those waiting, so that the newest
 * message is never more than about a second behind. */
#define FLUSH_BUDGET_US 3000
#define FLUSH_CHUNK_ROWS 8
/* Flushes, each within the budget, between two frames. */
#define FLUSHES_PER_FRAME 2
/* ...but never fewer rows than this share of those waiting: the newest
 * message is on screen within about this many frames of arriving. */
#define ROWS_CATCH_UP_FRAMES 60
/* After the frame clock's resize work (G_PRIORITY_HIGH_IDLE + 10), before
 * its redraw (+ 20). */
#define FLUSH_PRIORITY (G_PRIORITY_HIGH_IDLE + 15)

static gboolean
flush_rows (gpointer data)
{
  ChatMessageList *self = data;
  gint64 deadline = g_get_monotonic_time () + FLUSH_BUDGET_US;
  guint waiting, at_least, taken = 0;
  gboolean more;

  self->flush_idle = 0;
  if (self->room == NULL || (waiting = chat_room_get_n_pending (self->room)) == 0)
    return G_SOURCE_REMOVE;
  self->flushes_since_paint++;
  at_least = waiting / ROWS_CATCH_UP_FRAMES;
  do
    {
      more = chat_room_flush_some (self->room, FLUSH_CHUNK_ROWS) > 0;
      taken += FLUSH_CHUNK_ROWS;
      /* Following the end: the list binds the new last rows now (bind_row
       * measures them), not while the frame lays out. */
      if (self->sticky && !self->awaiting_layout)
        chat_message_list_scroll_to (self, g_list_model_get_n_items (chat_room_get_messages (self->room)) - 1);
    }
  while (more && (taken < at_least || g_get_monotonic_time () < deadline));
  /* A backlog takes a second run before the frame: the loop serves
   * everything else in between. */
  if (more && self->flushes_since_paint < FLUSHES_PER_FRAME)
    queue_flush (self);
  return G_SOURCE_REMOVE;
}

static void
queue_flush (ChatMessageList *self)
{
  if (self->flush_idle == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->flush_idle = g_idle_add_full (FLUSH_PRIORITY, flush_rows, self, NULL);
}

/* Rows that come after a flush wait for the frame that shows it to be
 * drawn (frame_ended). */
static void
rows_pending (ChatRoom *room, ChatMessageList *self)
{
  if (self->flushes_since_paint == 0)
    queue_flush (self);
}

static void
cancel_flush (ChatMessageList *self)
{
  g_clear_handle_id (&self->flush_idle, g_source_remove);
  self->flushes_since_paint = 0;
}

void
chat_message_list_set_room (ChatMessageList *self, ChatRoom *room)
{
  GListModel *model;
  guint marker;

  if (self->room == room)
    return;
  if (self->room != NULL)
    {
      g_signal_handlers_disconnect_by_data (chat_room_get_messages (self->room), self);
      g_signal_handlers_disconnect_by_data (self->room, self);
    }
  cancel_flush (self);
  g_set_object (&self->room, room);
  if (room != NULL)
    {
      g_signal_connect_swapped (room, "notify::loading-history", G_CALLBACK (update_loading), self);
      g_signal_connect (room, "rows-pending", G_CALLBACK (rows_pending), self);
    }
  model = room != NULL ? chat_room_get_messages (room) : NULL;
  gtk_no_selection_set_model (self->selection, model);
  self->awaiting_layout = TRUE;
  if (model != NULL)
    g_signal_connect (model, "items-changed", G_CALLBACK (items_changed), self);
  update_loading (self);

  /* Open a room at its unread marker when it has one, else at the end. */
  marker = room != NULL ? chat_room_get_marker_position (room) : G_MAXUINT;
  if (marker != G_MAXUINT)
    {
      self->sticky = FALSE;
      chat_message_list_scroll_to (self, marker);
    }
  else if (room != NULL)
    {
      self->sticky = TRUE;
      chat_message_list_scroll_to_bottom (self);
      queue_follow (self);
    }
}

ChatRoom *
chat_message_list_get_room (ChatMessageList *self)
{
  return self->room;
}

GtkListView *
chat_message_list_get_list_view (ChatMessageList *self)
{
  return self->list_view;
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_child (item, chat_message_row_new ());
}

/* A row is measured where it is bound, at the list's width: when a flush
 * binds it (flush_rows), the frame that lays it out finds its height. */
static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, ChatMessageList *self)
{
  GtkWidget *row = gtk_list_item_get_child (item);
  int width = gtk_widget_get_width (GTK_WIDGET (self->list_view)), minimum, natural;

  chat_message_row_set_message (CHAT_MESSAGE_ROW (row), gtk_list_item_get_item (item));
  if (width > 0)
    gtk_widget_measure (row, GTK_ORIENTATION_VERTICAL, width, &minimum, &natural, NULL, NULL);
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  chat_message_row_set_message (CHAT_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
jump_to_bottom (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  chat_message_list_scroll_to_bottom (CHAT_MESSAGE_LIST (widget));
}

static void
chat_message_list_dispose (GObject *object)
{
  ChatMessageList *self = CHAT_MESSAGE_LIST (object);

  g_clear_handle_id (&self->scroll_idle, g_source_remove);
  cancel_flush (self);
  watch_frame_clock (self, NULL);
  if (self->room != NULL)
    {
      g_signal_handlers_disconnect_by_data (chat_room_get_messages (self->room), self);
      g_signal_handlers_disconnect_by_data (self->room, self);
    }
  g_clear_object (&self->room);
  gtk_widget_dispose_template (GTK_WIDGET (self), CHAT_TYPE_MESSAGE_LIST);
  /* The template's top-level child is not bound, so it is not disposed
   * with the template. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  G_OBJECT_CLASS (chat_message_list_parent_class)->dispose (object);
}

/* Tick callbacks stop with the frame clock: the room's own timer flushes
 * while the view is not on screen. */
static void
chat_message_list_unmap (GtkWidget *widget)
{
  cancel_flush (CHAT_MESSAGE_LIST (widget));
  GTK_WIDGET_CLASS (chat_message_list_parent_class)->unmap (widget);
}

/* One child (the template's overlay) over the whole area, as GtkBinLayout
 * would; allocating it is where the list view lays out (see
 * value_changed). */
static GtkSizeRequestMode
chat_message_list_get_request_mode (GtkWidget *widget)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  return child != NULL ? gtk_widget_get_request_mode (child) : GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
chat_message_list_measure (GtkWidget *widget,
                           GtkOrientation orientation,
                           int for_size,
                           int *minimum,
                           int *natural,
                           int *minimum_baseline,
                           int *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  *minimum = *natural = 0;
  *minimum_baseline = *natural_baseline = -1;
  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

static void
chat_message_list_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  ChatMessageList *self = CHAT_MESSAGE_LIST (widget);
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child == NULL || !gtk_widget_should_layout (child))
    return;
  self->allocating = TRUE;
  gtk_widget_allocate (child, width, height, baseline, NULL);
  /* Following the end in the frame that added rows: the list laid them
   * out below the view; moving to the end and laying out again shows them
   * now, rather than a frame later (which would lay out and draw the whole
   * view twice). The list's estimates of the rows it has not measured can
   * move the end once more, hence a second try; the idle follow-up does
   * the rest. */
  for (guint pass = 0;
       pass < FOLLOW_PASSES && self->sticky && !self->awaiting_layout && !chat_message_list_is_at_bottom (self); pass++)
    {
      GtkAdjustment *adj = vadjustment (self);

      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
      gtk_widget_allocate (child, width, height, baseline, NULL);
    }
  self->allocating = FALSE;
}

static void
chat_message_list_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (chat_message_list_parent_class)->realize (widget);
  watch_frame_clock (CHAT_MESSAGE_LIST (widget), gtk_widget_get_frame_clock (widget));
}

static void
chat_message_list_unrealize (GtkWidget *widget)
{
  watch_frame_clock (CHAT_MESSAGE_LIST (widget), NULL);
  GTK_WIDGET_CLASS (chat_message_list_parent_class)->unrealize (widget);
}

static void
chat_message_list_class_init (ChatMessageListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chat_message_list_dispose;
  widget_class->unmap = chat_message_list_unmap;
  widget_class->get_request_mode = chat_message_list_get_request_mode;
  widget_class->measure = chat_message_list_measure;
  widget_class->size_allocate = chat_message_list_size_allocate;
  widget_class->realize = chat_message_list_realize;
  widget_class->unrealize = chat_message_list_unrealize;

  /* The user scrolled near the top of a room that has older history. */
  signals[LOAD_OLDER] = g_signal_new ("load-older", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 1, CHAT_TYPE_ROOM);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Chat/chat-message-list.ui");
  gtk_widget_class_bind_template_child (widget_class, ChatMessageList, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageList, list_view);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageList, loading_revealer);
  gtk_widget_class_bind_template_child (widget_class, ChatMessageList, jump_revealer);
  gtk_widget_class_install_action (widget_class, "messages.jump-to-bottom", NULL, jump_to_bottom);
}

static void
chat_message_list_init (ChatMessageList *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->sticky = TRUE;
  self->selection = gtk_no_selection_new (NULL);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  g_signal_connect (vadjustment (self), "value-changed", G_CALLBACK (value_changed), self);
  g_signal_connect (vadjustment (self), "notify::upper", G_CALLBACK (upper_changed), self);
}
