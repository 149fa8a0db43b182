/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* An echo server: listens where an endpoint description says and sends
 * back every byte it receives.
 *
 *   weft-echo-server                        tcp:7777 on every IPv4 interface
 *   weft-echo-server --listen tcp:0:interface=127.0.0.1
 *   weft-echo-server --listen unix:/tmp/echo.sock:mode=0600 --reactor=glib
 *   weft-echo-server --idle-timeout 30      close clients quiet for 30 s
 *
 * Ctrl-C stops it. */

#include <inttypes.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <weft/weft.h>

#define ECHO_TYPE_PROTOCOL (echo_protocol_get_type ())
G_DECLARE_FINAL_TYPE (EchoProtocol, echo_protocol, ECHO, PROTOCOL, WeftProtocol)

struct _EchoProtocol {
  WeftProtocol parent_instance;
  char *peer;
  guint64 n_bytes;
  WeftIdleTimeout *idle;
};

static WeftReactor *echo_reactor;
static int echo_idle_seconds = 300;

G_DEFINE_FINAL_TYPE (EchoProtocol, echo_protocol, WEFT_TYPE_PROTOCOL)

static char *
describe_address (GSocketAddress *address)
{
  if (address == NULL)
    return g_strdup (_ ("an unnamed peer"));
  if (G_IS_UNIX_SOCKET_ADDRESS (address) && *g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (address)) == '\0')
    return g_strdup (_ ("a local client"));
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
}

static void
echo_protocol_connection_made (WeftProtocol *protocol, WeftTransport *transport)
{
  EchoProtocol *self = ECHO_PROTOCOL (protocol);
  g_autoptr (GSocketAddress) peer = weft_transport_get_peer_address (transport);

  WEFT_PROTOCOL_CLASS (echo_protocol_parent_class)->connection_made (protocol, transport);
  self->peer = describe_address (peer);
  g_print (_ ("%s connected\n"), self->peer);
  /* A client that goes quiet does not hold its connection for ever. */
  self->idle = weft_idle_timeout_new (echo_reactor, protocol, echo_idle_seconds * G_USEC_PER_SEC);
}

static void
echo_protocol_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  ECHO_PROTOCOL (protocol)->n_bytes += len;
  weft_idle_timeout_reset (ECHO_PROTOCOL (protocol)->idle);
  weft_transport_write (weft_protocol_get_transport (protocol), data, len);
}

/* Back-pressure: what is read is written back, so a client that sends and
 * never reads would fill the write buffer without end. Stop reading while
 * the buffer is above its high watermark; the kernel's buffers then fill
 * and hold the client back. */
static void
echo_protocol_pause_writing (WeftProtocol *protocol)
{
  weft_transport_pause_reading (weft_protocol_get_transport (protocol));
}

static void
echo_protocol_resume_writing (WeftProtocol *protocol)
{
  weft_transport_resume_reading (weft_protocol_get_transport (protocol));
}

static void
echo_protocol_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  EchoProtocol *self = ECHO_PROTOCOL (protocol);

  g_print (_ ("%s left after %" PRIu64 " bytes: %s\n"), self->peer, (uint64_t) self->n_bytes, reason->message);
  if (self->idle != NULL)
    weft_idle_timeout_cancel (self->idle);
  WEFT_PROTOCOL_CLASS (echo_protocol_parent_class)->connection_lost (protocol, reason);
}

static void
echo_protocol_finalize (GObject *object)
{
  g_free (ECHO_PROTOCOL (object)->peer);
  g_clear_object (&ECHO_PROTOCOL (object)->idle);
  G_OBJECT_CLASS (echo_protocol_parent_class)->finalize (object);
}

static void
echo_protocol_class_init (EchoProtocolClass *klass)
{
  WeftProtocolClass *protocol_class = WEFT_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = echo_protocol_finalize;
  protocol_class->connection_made = echo_protocol_connection_made;
  protocol_class->data_received = echo_protocol_data_received;
  protocol_class->connection_lost = echo_protocol_connection_lost;
  protocol_class->pause_writing = echo_protocol_pause_writing;
  protocol_class->resume_writing = echo_protocol_resume_writing;
}

static void
echo_protocol_init (EchoProtocol *self)
{
}

static WeftDeferred *
listening_cb (WeftResult *result, gpointer user_data)
{
  *(WeftListeningPort **) user_data = weft_result_dup_object (result);
  return NULL;
}

static WeftDeferred *
listening_failed_cb (WeftResult *result, gpointer user_data)
{
  g_printerr ("%s\n", weft_result_get_error (result)->message);
  weft_result_clear (result);
  return NULL;
}

static WeftDeferred *
stopped_cb (WeftResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return NULL;
}

int
main (int argc, char *argv[])
{
  g_autofree char *listen = NULL;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, N_ ("Where to listen (default: tcp:7777)"), N_ ("ENDPOINT") },
    { "idle-timeout", 'i', 0, G_OPTION_ARG_INT, &echo_idle_seconds,
      N_ ("Close a client that sent nothing for this long (default: 300; 0: never)"), N_ ("SECONDS") },
    { NULL },
  };
  g_autoptr (GOptionContext) options = NULL;
  GOptionGroup *weft_group;
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftReactor) reactor = NULL;
  g_autoptr (WeftServerEndpoint) endpoint = NULL;
  g_autoptr (WeftFactory) factory = NULL;
  g_autoptr (WeftDeferred) listening = NULL;
  g_autoptr (WeftDeferred) stopping = NULL;
  g_autofree char *where = NULL;
  g_autoptr (WeftListeningPort) port = NULL;
  gboolean stopped = FALSE;

  setlocale (LC_ALL, "");
  /* The examples share the library's catalog; weft_get_option_group()
   * binds it to its directory, so it comes before the first _(). */
  textdomain (GETTEXT_PACKAGE);
  weft_group = weft_get_option_group ();
  options = g_option_context_new (_ ("— echo what clients send"));
  /* One line at a time, also into a pipe or a log. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_add_main_entries (options, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (options, weft_group);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  reactor = weft_reactor_new (NULL, WEFT_REACTOR_FLAGS_NONE, &error);
  if (reactor == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (echo_idle_seconds < 0)
    {
      g_printerr (_ ("--idle-timeout must be 0 or more\n"));
      return 2;
    }
  echo_reactor = reactor;
  endpoint = weft_server_endpoint_from_string (reactor, listen != NULL ? listen : "tcp:7777", &error);
  if (endpoint == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  factory = weft_factory_new (ECHO_TYPE_PROTOCOL);
  /* TCP and Unix endpoints listen at once: the deferred has fired. */
  listening = weft_server_endpoint_listen (endpoint, factory);
  weft_deferred_add_callbacks (listening, listening_cb, listening_failed_cb, &port, NULL);
  if (port == NULL)
    return 1;
  where = describe_address (weft_listening_port_get_address (port));
  g_print (_ ("Listening on %s (reactor: %s); Ctrl-C stops\n"), where, weft_reactor_get_backend_name (reactor));

  weft_reactor_run (reactor);

  stopping = weft_listening_port_stop_listening (port);
  weft_deferred_add_both (stopping, stopped_cb, &stopped, NULL);
  while (!stopped)
    weft_reactor_iterate (reactor, TRUE);
  g_print (_ ("Stopped\n"));
  return 0;
}
