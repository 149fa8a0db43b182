/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <glib/gstdio.h>

#include "wcs-test-kit.h"

G_DEFINE_FINAL_TYPE (WcsTestClient, wcs_test_client, WEFT_TYPE_LINE_RECEIVER)

static void
wcs_test_client_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  WEFT_PROTOCOL_CLASS (wcs_test_client_parent_class)->connection_made (protocol, transport);
  WCS_TEST_CLIENT (protocol)->made = TRUE;
}

static void
wcs_test_client_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  WcsTestClient *self = WCS_TEST_CLIENT (protocol);

  self->lost = TRUE;
  self->lost_reason = g_strdup (reason->message);
  WEFT_PROTOCOL_CLASS (wcs_test_client_parent_class)->connection_lost (protocol, reason);
}

static void
wcs_test_client_line_received (WeftLineReceiver *receiver, const char *line, gsize len)
{
  WcsTestClient *self = WCS_TEST_CLIENT (receiver);
  char *copy = g_strndup (line, len);

  if (len > 0 && copy[len - 1] == '\r')
    copy[len - 1] = '\0';
  if (g_getenv ("WCS_TEST_VERBOSE") != NULL)
    g_printerr ("<< %s\n", copy);
  /* A PING from the server is answered, as any client does. */
  if (g_str_has_prefix (copy, "PING ") && !g_object_get_data (G_OBJECT (self), "no-pong"))
    {
      g_autofree char *pong = g_strdup_printf ("PONG %s", copy + 5);
      weft_line_receiver_send_line (receiver, pong, -1);
    }
  g_ptr_array_add (self->lines, copy);
}

static void
wcs_test_client_finalize (GObject *object)
{
  WcsTestClient *self = WCS_TEST_CLIENT (object);

  g_ptr_array_unref (self->lines);
  g_free (self->lost_reason);
  G_OBJECT_CLASS (wcs_test_client_parent_class)->finalize (object);
}

static void
wcs_test_client_class_init (WcsTestClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wcs_test_client_finalize;
  WEFT_PROTOCOL_CLASS (klass)->connection_made = wcs_test_client_connection_made;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = wcs_test_client_connection_lost;
  WEFT_LINE_RECEIVER_CLASS (klass)->line_received = wcs_test_client_line_received;
}

static void
wcs_test_client_init (WcsTestClient *self)
{
  self->lines = g_ptr_array_new_with_free_func (g_free);
  weft_line_receiver_set_delimiter (WEFT_LINE_RECEIVER (self), "\n");
  weft_line_receiver_set_max_line_length (WEFT_LINE_RECEIVER (self), 64 * 1024);
}

static void
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
}

gboolean
wcs_test_wait (ConformanceFixture *f, gboolean (*done) (gpointer data), gpointer data, gint64 timeout_us)
{
  gboolean timed_out = FALSE;
  WeftDelayedCall *timer;

  if (done (data))
    return TRUE;
  timer = weft_delayed_call_ref (weft_reactor_call_later (f->reactor, timeout_us, set_flag, &timed_out, NULL));
  while (!done (data) && !timed_out)
    weft_reactor_iterate (f->reactor, TRUE);
  weft_delayed_call_cancel (timer);
  weft_delayed_call_unref (timer);
  return done (data);
}

static gboolean
is_made (gpointer data)
{
  WcsTestClient *client = data;
  return client->made || client->lost;
}

static WeftDeferred *
ignore_result (WeftResult *result, gpointer user_data)
{
  if (weft_result_is_error (result))
    g_printerr ("connect: %s\n", weft_result_get_error (result)->message);
  weft_result_clear (result);
  return NULL;
}

/* Hands the connector the one client made for it. */
#define WCS_TYPE_ONE_CLIENT_FACTORY (wcs_one_client_factory_get_type ())
G_DECLARE_FINAL_TYPE (WcsOneClientFactory, wcs_one_client_factory, WCS, ONE_CLIENT_FACTORY, WeftClientFactory)

struct _WcsOneClientFactory {
  WeftClientFactory parent_instance;
  WcsTestClient *client;
};

G_DEFINE_FINAL_TYPE (WcsOneClientFactory, wcs_one_client_factory, WEFT_TYPE_CLIENT_FACTORY)

static WeftProtocol *
build_one (WeftFactory *factory, GSocketAddress *address)
{
  return WEFT_PROTOCOL (g_object_ref (WCS_ONE_CLIENT_FACTORY (factory)->client));
}

static void
wcs_one_client_factory_class_init (WcsOneClientFactoryClass *klass)
{
  WEFT_FACTORY_CLASS (klass)->build_protocol = build_one;
}

static void
wcs_one_client_factory_init (WcsOneClientFactory *self)
{
}

WeftClientFactory *
wcs_test_client_factory_new (WcsTestClient *client)
{
  WcsOneClientFactory *factory = g_object_new (WCS_TYPE_ONE_CLIENT_FACTORY, NULL);

  factory->client = client;
  return WEFT_CLIENT_FACTORY (factory);
}

gboolean
wcs_test_client_is_made (gpointer client)
{
  return is_made (client);
}

WcsTestClient *
wcs_test_client_connect (ConformanceFixture *f, guint16 port)
{
  g_autofree char *description = g_strdup_printf ("tcp:127.0.0.1:%u", port);
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = weft_client_endpoint_from_string (f->reactor, description, &error);
  g_autoptr (WcsOneClientFactory) factory = g_object_new (WCS_TYPE_ONE_CLIENT_FACTORY, NULL);
  WcsTestClient *client = g_object_new (WCS_TYPE_TEST_CLIENT, NULL);
  g_autoptr (WeftDeferred) deferred = NULL;

  g_assert_no_error (error);
  factory->client = client;
  deferred = weft_client_endpoint_connect (endpoint, WEFT_CLIENT_FACTORY (factory));
  weft_deferred_add_both (deferred, ignore_result, NULL, NULL);
  g_assert_true (wcs_test_wait (f, is_made, client, WCS_TEST_TIMEOUT_US));
  return client;
}

void
wcs_test_client_send (WcsTestClient *client, const char *format, ...)
{
  va_list args;
  g_autofree char *line = NULL;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  if (g_getenv ("WCS_TEST_VERBOSE") != NULL)
    g_printerr (">> %s\n", line);
  weft_line_receiver_send_line (WEFT_LINE_RECEIVER (client), line, -1);
}

typedef struct {
  WcsTestClient *client;
  const char *const *needles;
  int found;
} Search;

/* A needle "CMD x :word" also matches "CMD x word": a serializer adds the
 * trailing colon only when the last parameter needs it. */
static gboolean
contains (const char *line, const char *needle)
{
  const char *colon;
  g_autofree char *bare = NULL;

  if (strstr (line, needle) != NULL)
    return TRUE;
  colon = strstr (needle, " :");
  if (colon == NULL || strchr (colon + 2, ' ') != NULL)
    return FALSE;
  bare = g_strdup (needle);
  memmove (bare + (colon - needle) + 1, bare + (colon - needle) + 2, strlen (colon + 2) + 1);
  return strstr (line, bare) != NULL && g_str_has_suffix (line, bare + (colon - needle));
}

static gboolean
line_matches (const char *line, const char *const *needles)
{
  for (guint i = 0; needles[i] != NULL; i++)
    if (!contains (line, needles[i]))
      return FALSE;
  return TRUE;
}

static gboolean
search_lines (gpointer data)
{
  Search *search = data;

  for (guint i = search->client->cursor; i < search->client->lines->len; i++)
    if (line_matches (search->client->lines->pdata[i], search->needles))
      {
        search->found = (int) i;
        return TRUE;
      }
  return search->client->lost;
}

static const char *
find (ConformanceFixture *f, WcsTestClient *client, const char *const *needles, gint64 timeout_us)
{
  Search search = { client, needles, -1 };

  wcs_test_wait (f, search_lines, &search, timeout_us);
  if (search.found < 0)
    return NULL;
  client->cursor = (guint) search.found + 1;
  return client->lines->pdata[search.found];
}

const char *
wcs_test_client_expect (ConformanceFixture *f, WcsTestClient *client, const char *needle, ...)
{
  g_autoptr (GPtrArray) needles = g_ptr_array_new ();
  const char *line;
  va_list args;

  va_start (args, needle);
  for (const char *n = needle; n != NULL; n = va_arg (args, const char *))
    g_ptr_array_add (needles, (gpointer) n);
  va_end (args);
  g_ptr_array_add (needles, NULL);

  line = find (f, client, (const char *const *) needles->pdata, WCS_TEST_TIMEOUT_US);
  if (line == NULL)
    {
      g_printerr ("Expected a line with \"%s\"%s; got:\n", needle, needles->len > 2 ? " (and more)" : "");
      for (guint i = client->cursor; i < client->lines->len; i++)
        g_printerr ("  %s\n", (char *) client->lines->pdata[i]);
      g_assert_nonnull (line);
    }
  return line;
}

const char *
wcs_test_client_wait_for (ConformanceFixture *f, WcsTestClient *client, gint64 timeout_us, const char *needle)
{
  const char *needles[] = { needle, NULL };
  return find (f, client, needles, timeout_us);
}

gboolean
wcs_test_client_has_line (WcsTestClient *client, const char *needle)
{
  for (guint i = client->cursor; i < client->lines->len; i++)
    if (strstr (client->lines->pdata[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

void
wcs_test_client_skip_all (WcsTestClient *client)
{
  client->cursor = client->lines->len;
}

static gboolean
is_lost (gpointer data)
{
  return WCS_TEST_CLIENT (data)->lost;
}

void
wcs_test_client_wait_lost (ConformanceFixture *f, WcsTestClient *client)
{
  g_assert_true (wcs_test_wait (f, is_lost, client, WCS_TEST_TIMEOUT_US));
}

WcsTestClient *
wcs_test_client_register (ConformanceFixture *f, guint16 port, const char *nick, const char *caps)
{
  WcsTestClient *client = wcs_test_client_connect (f, port);

  if (caps != NULL)
    {
      wcs_test_client_send (client, "CAP LS 302");
      wcs_test_client_send (client, "CAP REQ :%s", caps);
    }
  wcs_test_client_send (client, "NICK %s", nick);
  wcs_test_client_send (client, "USER %s 0 * :Test user %s", nick, nick);
  if (caps != NULL)
    {
      wcs_test_client_expect (f, client, "CAP ", " ACK ", NULL);
      wcs_test_client_send (client, "CAP END");
    }
  wcs_test_client_expect (f, client, " 376 ", NULL);
  return client;
}

void
wcs_test_client_close (ConformanceFixture *f, WcsTestClient *client)
{
  WeftTransport *transport = weft_protocol_get_transport (WEFT_PROTOCOL (client));

  if (transport != NULL && !client->lost)
    weft_transport_lose_connection (transport);
  if (!client->lost)
    wcs_test_client_wait_lost (f, client);
  g_object_unref (client);
}

static WeftDeferred *
mark_fired (WeftResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  if (weft_result_is_error (result))
    g_printerr ("deferred failed: %s\n", weft_result_get_error (result)->message);
  weft_result_clear (result);
  return NULL;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

void
wcs_test_wait_deferred (ConformanceFixture *f, WeftDeferred *deferred)
{
  gboolean fired = FALSE;

  weft_deferred_add_both (deferred, mark_fired, &fired, NULL);
  g_assert_true (wcs_test_wait (f, flag_set, &fired, 30 * G_USEC_PER_SEC));
  g_object_unref (deferred);
}

WcsTestServer *
wcs_test_server_new_in (ConformanceFixture *f, const char *data_dir, const char *const *settings)
{
  WcsTestServer *server = g_new0 (WcsTestServer, 1);
  g_autoptr (GError) error = NULL;

  server->f = f;
  server->data_dir = g_strdup (data_dir);
  server->config = g_key_file_new ();
  /* Tests run fast: cheap hashing and no flood penalty unless asked. */
  g_key_file_set_int64 (server->config, "accounts", "pbkdf2-iterations", 1000);
  g_key_file_set_int64 (server->config, "limits", "flood-penalty-ms", 0);
  for (guint i = 0; settings != NULL && settings[i] != NULL; i++)
    {
      g_auto (GStrv) kv = g_strsplit (settings[i], "=", 2);
      g_auto (GStrv) gk = g_strsplit (kv[0], ".", 2);
      g_key_file_set_string (server->config, gk[0], gk[1], kv[1]);
    }
  server->server = wcs_server_new (f->reactor, server->config, data_dir, &error);
  g_assert_no_error (error);
  wcs_test_wait_deferred (f, wcs_server_wait_ready (server->server));
  g_assert_true (wcs_server_listen_irc (server->server, "tcp:0:interface=127.0.0.1", &error));
  g_assert_no_error (error);
  server->port = wcs_server_get_irc_port (server->server);
  g_assert_cmpuint (server->port, >, 0);
  return server;
}

WcsTestServer *
wcs_test_server_new (ConformanceFixture *f, ...)
{
  g_autoptr (GPtrArray) settings = g_ptr_array_new ();
  g_autofree char *dir = g_dir_make_tmp ("wcs-test-XXXXXX", NULL);
  WcsTestServer *server;
  va_list args;

  va_start (args, f);
  for (const char *s = va_arg (args, const char *); s != NULL; s = va_arg (args, const char *))
    g_ptr_array_add (settings, (gpointer) s);
  va_end (args);
  g_ptr_array_add (settings, NULL);
  server = wcs_test_server_new_in (f, dir, (const char *const *) settings->pdata);
  g_object_set_data_full (G_OBJECT (server->server), "wcs-test-tmp", g_strdup (dir), g_free);
  return server;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
wcs_test_server_free (WcsTestServer *server)
{
  g_autofree char *tmp = NULL;

  if (server->server != NULL)
    {
      tmp = g_strdup (g_object_get_data (G_OBJECT (server->server), "wcs-test-tmp"));
      wcs_test_wait_deferred (server->f, wcs_server_shutdown (server->server));
      g_clear_object (&server->server);
    }
  /* Let closed connections finish on the reactor. */
  conformance_iterate_nonblocking (server->f, 50);
  if (tmp != NULL)
    remove_tree (tmp);
  g_key_file_unref (server->config);
  g_free (server->data_dir);
  g_free (server);
}
