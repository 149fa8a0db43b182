/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <weft/weft-testing.h>

#include "wcs-demo.h"
#include "wcs-server-private.h"

/* A simulated user: an IRC client protocol connected to the server through
 * an in-memory loopback, so it goes through registration, routing and
 * storage like any real client. */
#define WCS_TYPE_DEMO_USER (wcs_demo_user_get_type ())
G_DECLARE_FINAL_TYPE (WcsDemoUser, wcs_demo_user, WCS, DEMO_USER, WeftLineReceiver)

struct _WcsDemoUser {
  WeftLineReceiver parent_instance;
  WeftReactor *reactor;
  char *nick;
  const char *const *channels;
  const char *const *voices; /* nicks this user gives +v in #weft */
  const char *away;          /* an away message set after registration */
  GRand *rand;
  WeftDelayedCall *timer;
  gboolean registered;
};

G_DEFINE_FINAL_TYPE (WcsDemoUser, wcs_demo_user, WEFT_TYPE_LINE_RECEIVER)

struct _WcsDemo {
  guint ref_count;
  WcsServer *server;
  GPtrArray *users;     /* WcsDemoUser */
  GPtrArray *loopbacks; /* WeftLoopback */
  WeftDeferred *seeded;
  gboolean seeded_done;
};

static const char *const weft_lines[] = {
  "the reactor picked epoll again, of course",
  "has anyone tried --reactor=glib with the GTK client?",
  "history survived a kill -9 on my machine",
  "fan-out to a thousand clients costs one serialization per capability set",
  "labeled-response makes the client's outbox exact",
  "I like that every message gets a msgid",
  "the SSE feed works with curl -N, try it",
  "typing through the WebSocket page now",
};
static const char *const random_lines[] = {
  "coffee or tea?",
  "it is raining here",
  "anyone watching the match tonight?",
  "lunch was excellent",
  "my cat sat on the keyboard",
  "weekend plans, anyone?",
  "I found a great book about C",
  "brb",
};
static const char *const weft_channels[] = { "#weft", "#random", NULL };
static const char *const random_channels[] = { "#random", NULL };

/* What was said in the hour before the demo started: the first look at
 * #weft and #random is a conversation, not an empty room. Stored in the
 * history, so the client's backfill shows it with its times. */
typedef struct {
  const char *nick;
  const char *text;
} DemoLine;

static const DemoLine weft_talk[] = {
  { "ada", "morning! I finally got the GTK client running on the epoll reactor" },
  { "grace", "nice. any difference from the glib backend?" },
  { "ada", "not that I can see, which is the point: one thread for the network and the window" },
  { "linus", "I tried --reactor=select just to be difficult. it still scrolls smoothly" },
  { "barbara", "select with a handful of fds is fine, it only hurts with thousands" },
  { "grace", "how does the list view keep up when a channel floods?" },
  { "ada", "it batches: rows go in once per frame, not once per message" },
  { "linus", "and it is a GtkListView, so only the visible rows exist as widgets" },
  { "margaret", "hello all, first time here. is this the Weft demo server?" },
  { "grace", "welcome margaret! yes, it runs inside the client, in the same thread" },
  { "margaret", "wait, the server and the client share one event loop?" },
  { "barbara", "yes, on whichever reactor you pick. the server stores history in SQLite on a worker thread" },
  { "margaret", "so that is how #history already has thousands of messages" },
  { "ada", "scroll up in there, older pages load through CHATHISTORY" },
  { "linus", "the reconnect logic is my favourite part. kill the server and type something" },
  { "grace", "the messages wait in the outbox and go out exactly once after the reconnect" },
  { "barbara", "labeled-response plus echo-message, so the client knows which line was confirmed" },
  { "ken", "I read the reactor docs last night. the deferreds feel very Twisted" },
  { "ada", "that is on purpose. callbacks, errbacks, chaining, cancellation" },
  { "ken", "and the GLib backend just hosts the reactor in the default main context?" },
  { "linus", "right, which is what makes GTK happy on every backend" },
  { "margaret", "does it speak TLS?" },
  { "grace", "GnuTLS underneath. a bad certificate opens a dialog that says what is wrong" },
  { "barbara", "and you can pin it for that server if you trust it" },
  { "ken", "I like that mentions get their own badge in the sidebar" },
  { "ada", "try Ctrl+K to jump to a room, it is quicker than clicking" },
  { "margaret", "oh nice. and Tab completes nicks, grace" },
  { "grace", "ha, it does! and /commands too" },
  { "linus", "the WebSocket page on the HTTP port joins the same channels, by the way" },
  { "barbara", "every message gets a msgid and a server-time tag, so the browser and GTK agree" },
  { "ken", "what happens if I paste twenty lines?" },
  { "ada", "it asks first. you can send them as separate messages or join them into one" },
  { "margaret", "the Japanese translation looks great, by the way" },
  { "grace", "German too. every string goes through gettext" },
  { "linus", "I am going to try the 2,000 messages a second benchmark later" },
  { "barbara", "watch the frame rate while it runs, that is the fun part" },
  { "ada", "have fun everyone, I will be around" },
};

static const DemoLine random_talk[] = {
  { "barbara", "anyone else drinking far too much coffee today?" },
  { "linus", "tea here. green, no sugar" },
  { "grace", "it is sunny for once, I opened all the windows" },
  { "ken", "my cat tried to join #weft by walking across the keyboard" },
  { "barbara", "we should give the cat a nick" },
  { "linus", "/nick keyboard_cat" },
  { "margaret", "does anyone have a good book about C to recommend?" },
  { "ken", "the classic one with the two authors, still the best" },
  { "grace", "and read some GLib code, it teaches a lot about object lifetimes" },
  { "margaret", "thanks, adding both to the list" },
  { "linus", "lunch break, back in twenty minutes" },
  { "barbara", "enjoy!" },
  { "grace", "weekend plans, anyone? I might go hiking" },
  { "ken", "fixing my bike, then probably more Weft hacking" },
  { "margaret", "same, I want to write a small bot with libweft-irc" },
  { "linus", "back. what did I miss?" },
};

typedef struct {
  WcsHistory *history;
  gint64 now_us;
} RecentTalk;

/* Appends lines to a channel, evenly over the hour before now (whole
 * seconds, a few seconds of jitter so it does not look machine-made). */
static WeftDeferred *
append_talk (RecentTalk *recent, const char *channel, const DemoLine *lines, guint n, guint salt)
{
  WeftDeferred *last = NULL;
  gint64 start = recent->now_us - (gint64) 58 * 60 * G_USEC_PER_SEC;
  gint64 step = (gint64) 56 * 60 * G_USEC_PER_SEC / n;

  for (guint i = 0; i < n; i++)
    {
      gint64 time_us =
          (start + i * step) / G_USEC_PER_SEC * G_USEC_PER_SEC + (gint64) ((i * 7 + salt) % 23) * G_USEC_PER_SEC;
      g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
      g_autofree char *stamp = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
      g_autofree char *msgid = g_strdup_printf ("%013" G_GINT64_MODIFIER "x%04x", time_us, (salt + i) & 0xffff);
      g_autofree char *line = g_strdup_printf ("@msgid=%s;time=%s.000Z :%s!~%s@demo.invalid PRIVMSG %s :%s", msgid,
                                               stamp, lines[i].nick, lines[i].nick, channel, lines[i].text);
      g_autoptr (WeftIrcMessage) message = weft_irc_message_parse (line, -1, NULL);

      if (message == NULL)
        continue;
      g_clear_object (&last);
      last = wcs_history_append (recent->history, channel, channel, lines[i].nick, message);
    }
  return last != NULL ? last : weft_deferred_succeed_none ();
}

static WeftDeferred *
seed_talk_if_quiet (WeftResult *result, gpointer user_data)
{
  RecentTalk *recent = user_data;
  g_autoptr (WeftDeferred) weft = NULL;
  GListModel *rows;
  g_autoptr (WeftSqliteRow) row = NULL;

  if (weft_result_is_error (result))
    return NULL;
  rows = weft_result_get_object (result);
  row = g_list_model_get_item (rows, 0);
  /* Someone spoke in the last hour (an earlier run of the demo): leave
   * the channels as they are. */
  if (row != NULL && weft_sqlite_row_get_int64 (row, 0) >= 10)
    return NULL;
  weft = append_talk (recent, "#weft", weft_talk, G_N_ELEMENTS (weft_talk), 0);
  return append_talk (recent, "#random", random_talk, G_N_ELEMENTS (random_talk), 11);
}

static WeftDeferred *
count_history (WeftResult *result, gpointer user_data)
{
  return wcs_history_count (user_data, "#history");
}

static void send_line (WcsDemoUser *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
send_line (WcsDemoUser *self, const char *format, ...)
{
  va_list args;
  g_autofree char *line = NULL;

  if (!weft_protocol_is_connected (WEFT_PROTOCOL (self)))
    return;
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  weft_line_receiver_send_line (WEFT_LINE_RECEIVER (self), line, -1);
}

static void schedule_talk (WcsDemoUser *self);

static void
talk (gpointer user_data)
{
  WcsDemoUser *self = user_data;
  guint n_channels = g_strv_length ((char **) self->channels);
  const char *channel = self->channels[g_rand_int_range (self->rand, 0, n_channels)];
  gboolean in_weft = g_str_equal (channel, "#weft");
  const char *text = in_weft ? weft_lines[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (weft_lines))]
                             : random_lines[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (random_lines))];

  g_clear_pointer (&self->timer, weft_delayed_call_unref);
  send_line (self, "PRIVMSG %s :%s", channel, text);
  schedule_talk (self);
}

static void
schedule_talk (WcsDemoUser *self)
{
  /* A human pace: a line every 10 to 40 seconds each. */
  gint64 delay = g_rand_int_range (self->rand, 10000, 40000) * (gint64) 1000;

  self->timer = weft_reactor_call_later (self->reactor, delay, talk, self, NULL);
  weft_delayed_call_ref (self->timer);
}

static void
wcs_demo_user_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  WcsDemoUser *self = WCS_DEMO_USER (protocol);

  WEFT_PROTOCOL_CLASS (wcs_demo_user_parent_class)->connection_made (protocol, transport);
  send_line (self, "NICK %s", self->nick);
  send_line (self, "USER %s 0 * :Simulated demo user", self->nick);
}

static void
wcs_demo_user_line_received (WeftLineReceiver *receiver, const char *line, gsize len)
{
  WcsDemoUser *self = WCS_DEMO_USER (receiver);
  g_autoptr (WeftIrcMessage) message = weft_irc_message_parse (line, len, NULL);
  const char *verb;

  if (message == NULL)
    return;
  verb = weft_irc_message_get_verb (message);
  if (g_str_equal (verb, "PING"))
    send_line (self, "PONG :%s", weft_irc_message_get_param (message, 0));
  else if (g_str_equal (verb, "001") && !self->registered)
    {
      self->registered = TRUE;
      for (guint i = 0; self->channels[i] != NULL; i++)
        send_line (self, "JOIN %s", self->channels[i]);
      if (self->away != NULL)
        send_line (self, "AWAY :%s", self->away);
      schedule_talk (self);
    }
  else if (g_str_equal (verb, "JOIN") && self->voices != NULL)
    {
      /* The channel's operator gives a voice to its regulars: the member
       * list shows ranks. */
      g_autofree char *nick = NULL;

      weft_irc_split_source (weft_irc_message_get_source (message), &nick, NULL, NULL);
      if (nick != NULL && g_strv_contains (self->voices, nick) &&
          g_strcmp0 (weft_irc_message_get_param (message, 0), "#weft") == 0)
        send_line (self, "MODE #weft +v %s", nick);
    }
}

static void
cancel_timer (WcsDemoUser *self)
{
  if (self->timer != NULL)
    weft_delayed_call_cancel (self->timer);
  g_clear_pointer (&self->timer, weft_delayed_call_unref);
}

static void
wcs_demo_user_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  cancel_timer (WCS_DEMO_USER (protocol));
  WEFT_PROTOCOL_CLASS (wcs_demo_user_parent_class)->connection_lost (protocol, reason);
}

static void
wcs_demo_user_finalize (GObject *object)
{
  WcsDemoUser *self = WCS_DEMO_USER (object);

  cancel_timer (self);
  g_rand_free (self->rand);
  g_free (self->nick);
  g_clear_object (&self->reactor);
  G_OBJECT_CLASS (wcs_demo_user_parent_class)->finalize (object);
}

static void
wcs_demo_user_class_init (WcsDemoUserClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wcs_demo_user_finalize;
  WEFT_PROTOCOL_CLASS (klass)->connection_made = wcs_demo_user_connection_made;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = wcs_demo_user_connection_lost;
  WEFT_LINE_RECEIVER_CLASS (klass)->line_received = wcs_demo_user_line_received;
}

static void
wcs_demo_user_init (WcsDemoUser *self)
{
}

static void
demo_unref (gpointer data)
{
  WcsDemo *demo = data;

  if (--demo->ref_count > 0)
    return;
  g_ptr_array_unref (demo->loopbacks);
  g_ptr_array_unref (demo->users);
  g_clear_object (&demo->seeded);
  g_object_unref (demo->server);
  g_free (demo);
}

static WeftDeferred *
seed_done (WeftResult *result, gpointer user_data)
{
  WcsDemo *demo = user_data;

  if (weft_result_is_error (result) && g_error_matches (weft_result_get_error (result), G_IO_ERROR, G_IO_ERROR_CLOSED))
    {
      /* Closed before the seeding finished (a short demo): no loss. */
      g_message ("Not seeding the demo's history: %s", weft_result_get_error (result)->message);
      weft_result_clear (result);
    }
  else if (weft_result_is_error (result))
    g_warning ("Could not seed #history: %s", weft_result_get_error (result)->message);
  else
    g_message ("#history is seeded");
  demo->seeded_done = TRUE;
  return NULL;
}

typedef struct {
  WcsHistory *history;
  guint n;
} SeedCheck;

static WeftDeferred *
seed_if_needed (WeftResult *result, gpointer user_data)
{
  SeedCheck *check = user_data;

  if (weft_result_is_error (result))
    return NULL;
  if (weft_result_get_int64 (result) >= check->n)
    return NULL;
  return wcs_history_seed (check->history, "#history", "#history", check->n - (guint) weft_result_get_int64 (result));
}

WcsDemo *
wcs_demo_start (WcsServer *server, guint n_history, GError **error)
{
  /* Everyone who speaks in the recent talk is there; ada opens the
   * channels first (the server makes her their operator). */
  static const char *const nicks[] = { "ada", "grace", "linus", "barbara", "ken", "margaret" };
  static const char *const ada_voices[] = { "grace", "linus", NULL };
  WcsDemo *demo = g_new0 (WcsDemo, 1);
  WeftIrcServer *irc = wcs_server_get_irc_server (server);
  WeftReactor *reactor = wcs_server_get_reactor (server);
  SeedCheck *check = g_new0 (SeedCheck, 1);
  RecentTalk *recent = g_new0 (RecentTalk, 1);

  demo->ref_count = 1;
  demo->server = g_object_ref (server);
  demo->users = g_ptr_array_new_with_free_func (g_object_unref);
  demo->loopbacks = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < G_N_ELEMENTS (nicks); i++)
    {
      WcsDemoUser *user = g_object_new (WCS_TYPE_DEMO_USER, NULL);
      g_autoptr (WeftIrcServerConnection) connection = weft_irc_server_create_connection (irc);
      WeftLoopback *loopback;

      user->reactor = g_object_ref (reactor);
      user->nick = g_strdup (nicks[i]);
      user->channels = g_str_equal (nicks[i], "ken") ? random_channels : weft_channels;
      user->voices = g_str_equal (nicks[i], "ada") ? ada_voices : NULL;
      user->away = g_str_equal (nicks[i], "margaret") ? "reading the reactor docs" : NULL;
      user->rand = g_rand_new ();
      /* In-process: exempt from the limits on clients per address. */
      g_object_set_data (G_OBJECT (connection), "wcs-local", GINT_TO_POINTER (1));
      loopback = weft_loopback_connect (WEFT_PROTOCOL (user), WEFT_PROTOCOL (connection));
      weft_loopback_set_reactor (loopback, reactor);
      g_ptr_array_add (demo->users, user);
      g_ptr_array_add (demo->loopbacks, loopback);
    }

  check->history = _wcs_server_get_history (server);
  check->n = n_history;
  /* The recent talk first (a few dozen rows, before the client asks for
   * the channels' history), then #history (thousands). */
  recent->history = check->history;
  recent->now_us = g_get_real_time ();
  demo->seeded = weft_sqlite_pool_run_query (
      wcs_history_get_pool (check->history),
      "SELECT count(*) FROM messages WHERE (target = '#weft' OR target = '#random') AND time > ?",
      g_variant_new ("(x)", recent->now_us - (gint64) 3600 * G_USEC_PER_SEC));
  weft_deferred_add_callback (demo->seeded, seed_talk_if_quiet, recent, g_free);
  weft_deferred_add_callback (demo->seeded, count_history, check->history, NULL);
  weft_deferred_add_callback (demo->seeded, seed_if_needed, check, g_free);
  demo->ref_count++;
  weft_deferred_add_both (demo->seeded, seed_done, demo, demo_unref);
  return demo;
}

WeftDeferred *
wcs_demo_wait_seeded (WcsDemo *demo)
{
  WeftDeferred *deferred;

  if (demo->seeded_done)
    return weft_deferred_succeed_none ();
  deferred = weft_deferred_new ();
  weft_deferred_chain (demo->seeded, deferred);
  return deferred;
}

void
wcs_demo_stop (WcsDemo *demo)
{
  if (demo == NULL)
    return;
  for (guint i = 0; i < demo->users->len; i++)
    {
      WeftTransport *transport = weft_protocol_get_transport (demo->users->pdata[i]);
      WeftLoopback *loopback = demo->loopbacks->pdata[i];

      cancel_timer (demo->users->pdata[i]);
      if (transport != NULL)
        weft_transport_lose_connection (transport);
      /* The loopback is dropped below: finish the goodbye now. */
      for (guint n = 0; n < 16 && !weft_loopback_is_finished (loopback); n++)
        weft_loopback_pump (loopback);
    }
  demo_unref (demo);
}
