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
  /* A human pace: a line every 5 to 20 seconds. */
  gint64 delay = g_rand_int_range (self->rand, 5000, 20000) * (gint64) 1000;

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
      schedule_talk (self);
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

  if (weft_result_is_error (result))
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
  static const char *const nicks[] = { "ada", "grace", "linus", "barbara" };
  WcsDemo *demo = g_new0 (WcsDemo, 1);
  WeftIrcServer *irc = wcs_server_get_irc_server (server);
  WeftReactor *reactor = wcs_server_get_reactor (server);
  SeedCheck *check = g_new0 (SeedCheck, 1);

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
      user->channels = i % 2 == 0 ? weft_channels : random_channels;
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
  demo->seeded = wcs_history_count (check->history, "#history");
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
