/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "chat-application.h"
#include "chat-message-row.h"
#include "chat-server-dialog.h"
#include "chat-sidebar-row.h"
#include "conformance.h"
#include "wcs-server.h"

G_BEGIN_DECLS

/* One running client against an in-process chat server, and an observer: a
 * second IRC client in #weft that records what it receives. */
typedef struct {
  ConformanceFixture *f;
  char *data_dir;
  WcsServer *server;
  guint16 port;
  ChatApplication *app;
  ChatWindow *window;
  ChatConnection *connection;
  WeftIrcClient *observer;
  GPtrArray *observed;   /* "target text" lines the observer received */
  gboolean seed_history; /* start the server with 300 messages in #history */
} ChatTest;

void chat_test_prepare (void);
void chat_test_start_server (ChatTest *t, guint16 port);
/* Runs body inside the application's activate, as the program does, between
 * a set-up (server, observer, a connection to #weft and #random) and a
 * tear-down; g_application_run() drives the application's lifecycle. */
void chat_test_run (ConformanceFixture *f, void (*body) (ChatTest *t));
void chat_test_run_full (ConformanceFixture *f, void (*body) (ChatTest *t), gboolean seed_history);
/* Made once per process, in the cases' prepare function. */
const char *chat_test_seeded_history_dir (void);
void chat_test_prepare_history (void);

/* Iterates the reactor until cond returns TRUE; fails after 30 s. */
void chat_test_wait (ChatTest *t,
                     gboolean (*cond) (ChatTest *t, gconstpointer data),
                     gconstpointer data,
                     const char *what);
/* Iterates for a while, for frames to be drawn. */
void chat_test_settle (ChatTest *t, guint ms);
/* import -window root into $WEFT_CHAT_SCREENSHOT_DIR (glib backend only). */
void chat_test_screenshot (ChatTest *t, const char *name);

ChatRoom *chat_test_room (ChatTest *t, const char *name);
/* The n-th message of a room whose text is text, or NULL. */
ChatMessage *chat_test_find_message (ChatRoom *room, const char *text, guint *count);
/* The row widget on screen that shows message, or NULL. */
GtkWidget *chat_test_find_row (ChatTest *t, ChatMessage *message);
void chat_test_type (ChatTest *t, const char *text);
guint chat_test_count_observed (ChatTest *t, const char *line);

/* The message dialog on screen that offers response, or NULL. */
AdwMessageDialog *chat_test_find_message_dialog (const char *response);
ChatServerDialog *chat_test_find_server_dialog (ChatTest *t);
/* Sidebar rows on screen for the rooms of connection. */
guint chat_test_count_sidebar_rows (ChatTest *t, ChatConnection *connection);
/* Whether a label under widget shows exactly text. */
gboolean chat_test_label_shown (GtkWidget *widget, const char *text);
/* Whether client sees nick in channel. */
gboolean chat_test_member_present (WeftIrcClient *client, const char *channel, const char *nick);

/* The cases of test-chat-ui-servers.c and test-chat-ui-desktop.c. */
extern const ConformanceCase chat_ui_server_cases[];
extern const ConformanceCase chat_ui_desktop_cases[];

G_END_DECLS
