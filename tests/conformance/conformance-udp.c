/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "conformance.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixsocketaddress.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A datagram protocol that records what it sees ------------------------ */

#define UDP_TYPE_RECORDER (udp_recorder_get_type ())
G_DECLARE_FINAL_TYPE (UdpRecorder, udp_recorder, UDP, RECORDER, WeftDatagramProtocol)

typedef void (*UdpRecorderFunc) (UdpRecorder *recorder, const guint8 *data, gsize len, GSocketAddress *from);

struct _UdpRecorder {
  WeftDatagramProtocol parent_instance;

  guint n_started;
  guint n_stopped;
  guint n_refused;
  guint n_received;
  GPtrArray *datagrams; /* GBytes */
  GPtrArray *senders;   /* GSocketAddress */

  gboolean echo;           /* send every datagram back to its sender */
  gboolean stop_on_first;  /* stop listening from the first datagram */
  gboolean pause_on_first; /* pause reading from the first datagram */
  WeftDeferred *stop_deferred;
  UdpRecorderFunc on_datagram; /* instead of recording */
  gpointer on_datagram_data;
};

G_DEFINE_FINAL_TYPE (UdpRecorder, udp_recorder, WEFT_TYPE_DATAGRAM_PROTOCOL)

static void
udp_recorder_start_protocol (WeftDatagramProtocol *protocol)
{
  UdpRecorder *self = UDP_RECORDER (protocol);
  WeftUdpPort *port = weft_datagram_protocol_get_port (protocol);

  g_assert_nonnull (port);
  g_assert_true (weft_udp_port_get_protocol (port) == protocol);
  g_assert_true (weft_udp_port_is_listening (port));
  self->n_started++;
}

static void
udp_recorder_stop_protocol (WeftDatagramProtocol *protocol)
{
  UdpRecorder *self = UDP_RECORDER (protocol);

  g_assert_null (weft_datagram_protocol_get_port (protocol));
  g_assert_cmpuint (self->n_stopped, <, self->n_started);
  self->n_stopped++;
}

static void
udp_recorder_datagram_received (WeftDatagramProtocol *protocol, const guint8 *data, gsize len, GSocketAddress *from)
{
  UdpRecorder *self = UDP_RECORDER (protocol);
  WeftUdpPort *port = weft_datagram_protocol_get_port (protocol);

  g_assert_nonnull (port);
  g_assert_nonnull (data);
  g_assert_true (G_IS_INET_SOCKET_ADDRESS (from));
  self->n_received++;

  if (self->on_datagram != NULL)
    self->on_datagram (self, data, len, from);
  else
    {
      g_ptr_array_add (self->datagrams, g_bytes_new (data, len));
      g_ptr_array_add (self->senders, g_object_ref (from));
    }

  if (self->echo)
    {
      g_autoptr (GError) error = NULL;

      g_assert_true (weft_udp_port_send_to (port, data, len, from, &error));
      g_assert_no_error (error);
    }
  if (self->pause_on_first && self->n_received == 1)
    weft_udp_port_pause_reading (port);
  if (self->stop_on_first && self->n_received == 1)
    self->stop_deferred = weft_udp_port_stop_listening (port);
}

static void
udp_recorder_connection_refused (WeftDatagramProtocol *protocol)
{
  UDP_RECORDER (protocol)->n_refused++;
}

static void
udp_recorder_finalize (GObject *object)
{
  UdpRecorder *self = UDP_RECORDER (object);

  g_assert_null (self->stop_deferred);
  g_ptr_array_unref (self->datagrams);
  g_ptr_array_unref (self->senders);
  G_OBJECT_CLASS (udp_recorder_parent_class)->finalize (object);
}

static void
udp_recorder_class_init (UdpRecorderClass *klass)
{
  WeftDatagramProtocolClass *protocol_class = WEFT_DATAGRAM_PROTOCOL_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = udp_recorder_finalize;
  protocol_class->start_protocol = udp_recorder_start_protocol;
  protocol_class->stop_protocol = udp_recorder_stop_protocol;
  protocol_class->datagram_received = udp_recorder_datagram_received;
  protocol_class->connection_refused = udp_recorder_connection_refused;
}

static void
udp_recorder_init (UdpRecorder *self)
{
  self->datagrams = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->senders = g_ptr_array_new_with_free_func (g_object_unref);
}

static UdpRecorder *
udp_recorder_new (void)
{
  return g_object_new (UDP_TYPE_RECORDER, NULL);
}

/* Helpers ------------------------------------------------------------ */

static GSocketAddress *
udp_address (const char *host, guint16 number)
{
  GSocketAddress *address = g_inet_socket_address_new_from_string (host, number);

  g_assert_nonnull (address);
  return address;
}

static WeftUdpPort *
udp_listen (ConformanceFixture *f, const char *host, UdpRecorder *recorder)
{
  g_autoptr (GSocketAddress) address = udp_address (host, 0);
  g_autoptr (GError) error = NULL;
  WeftUdpPort *port;
  guint started = recorder->n_started;

  port = weft_reactor_listen_udp (f->reactor, address, WEFT_DATAGRAM_PROTOCOL (recorder), &error);
  g_assert_no_error (error);
  g_assert_nonnull (port);
  g_assert_cmpuint (recorder->n_started, ==, started + 1);
  g_assert_true (weft_datagram_protocol_get_port (WEFT_DATAGRAM_PROTOCOL (recorder)) == port);
  return port;
}

static guint16
udp_port_number (WeftUdpPort *port)
{
  g_autoptr (GSocketAddress) local = weft_udp_port_get_local_address (port);

  g_assert_true (G_IS_INET_SOCKET_ADDRESS (local));
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

static char *
udp_address_string (GSocketAddress *address)
{
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
}

static void
udp_assert_same_address (GSocketAddress *a, GSocketAddress *b)
{
  g_autofree char *sa = udp_address_string (a);
  g_autofree char *sb = udp_address_string (b);

  g_assert_cmpstr (sa, ==, sb);
}

static void
udp_send (WeftUdpPort *port, const char *text, GSocketAddress *to)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (weft_udp_port_send_to (port, text, strlen (text), to, &error));
  g_assert_no_error (error);
}

static void
set_flag_cb (gpointer flag)
{
  *(gboolean *) flag = TRUE;
}

/* Iterates until *counter reaches target or the time is up; returns
 * whether it was reached. */
static gboolean
udp_iterate_until (ConformanceFixture *f, const guint *counter, guint target, double seconds)
{
  gboolean timed_out = FALSE;
  WeftDelayedCall *timer;

  timer = weft_reactor_call_later (f->reactor, (gint64) (seconds * WEFT_USEC_PER_SEC), set_flag_cb, &timed_out, NULL);
  weft_delayed_call_ref (timer);
  while (*counter < target && !timed_out)
    weft_reactor_iterate (f->reactor, TRUE);
  weft_delayed_call_cancel (timer);
  weft_delayed_call_unref (timer);
  return *counter >= target;
}

/* Runs the reactor for a while, e.g. to see that nothing arrives. */
static void
udp_iterate_for (ConformanceFixture *f, double seconds)
{
  guint never = 0;

  g_assert_false (udp_iterate_until (f, &never, 1, seconds));
}

static WeftDeferred *
count_fired_cb (WeftResult *result, gpointer user_data)
{
  g_assert_false (weft_result_is_error (result));
  (*(guint *) user_data)++;
  return NULL;
}

static void
udp_wait_deferred (ConformanceFixture *f, WeftDeferred *deferred)
{
  guint fired = 0;

  weft_deferred_add_callback (deferred, count_fired_cb, &fired, NULL);
  conformance_iterate_until (f, &fired, 1);
}

/* Stops @port, waits until it has closed, and drops the caller's
 * reference. */
static void
udp_stop (ConformanceFixture *f, WeftUdpPort *port)
{
  WeftDatagramProtocol *protocol = weft_udp_port_get_protocol (port);
  g_autoptr (WeftDeferred) deferred = weft_udp_port_stop_listening (port);

  g_assert_false (weft_udp_port_is_listening (port));
  udp_wait_deferred (f, deferred);
  g_assert_null (weft_datagram_protocol_get_port (protocol));
  g_assert_cmpint (weft_udp_port_get_fd (port), ==, -1);
  g_object_unref (port);
}

static gboolean
udp_bytes_equal (GBytes *bytes, const char *text)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return len == strlen (text) && (len == 0 || memcmp (data, text, len) == 0);
}

static gboolean
udp_received (UdpRecorder *recorder, const char *text)
{
  for (guint i = 0; i < recorder->datagrams->len; i++)
    if (udp_bytes_equal (g_ptr_array_index (recorder->datagrams, i), text))
      return TRUE;
  return FALSE;
}

static gboolean
ipv6_loopback_available (char **why_not)
{
  struct sockaddr_in6 address = { 0 };
  int fd = socket (AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int saved_errno;

  if (fd < 0)
    {
      *why_not = g_strdup_printf ("no IPv6 sockets here: %s", g_strerror (errno));
      return FALSE;
    }
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  if (bind (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      saved_errno = errno;
      close (fd);
      *why_not = g_strdup_printf ("cannot bind ::1: %s", g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* udp/echo, udp/ipv6 ---------------------------------------------------- */

static void
check_echo (ConformanceFixture *f, const char *host)
{
  g_autoptr (UdpRecorder) server = udp_recorder_new ();
  g_autoptr (UdpRecorder) client = udp_recorder_new ();
  WeftUdpPort *server_port;
  WeftUdpPort *client_port;
  g_autoptr (GSocketAddress) server_address = NULL;
  g_autoptr (GSocketAddress) client_address = NULL;
  const char *const texts[] = { "hello", "", "world, a little longer" };

  server->echo = TRUE;
  server_port = udp_listen (f, host, server);
  client_port = udp_listen (f, host, client);
  server_address = weft_udp_port_get_local_address (server_port);
  client_address = weft_udp_port_get_local_address (client_port);
  g_assert_cmpuint (udp_port_number (server_port), !=, 0);
  g_assert_cmpuint (udp_port_number (server_port), !=, udp_port_number (client_port));
  g_assert_null (weft_udp_port_get_remote_address (server_port));

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    udp_send (client_port, texts[i], server_address);
  g_assert_true (udp_iterate_until (f, &client->n_received, G_N_ELEMENTS (texts), 10));

  /* Loopback keeps them in order, but UDP does not promise it. */
  g_assert_cmpuint (server->n_received, ==, G_N_ELEMENTS (texts));
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_assert_true (udp_received (server, texts[i]));
      g_assert_true (udp_received (client, texts[i]));
      udp_assert_same_address (g_ptr_array_index (server->senders, i), client_address);
      udp_assert_same_address (g_ptr_array_index (client->senders, i), server_address);
    }

  udp_stop (f, server_port);
  udp_stop (f, client_port);
  g_assert_cmpuint (server->n_stopped, ==, 1);
  g_assert_cmpuint (client->n_stopped, ==, 1);
  g_assert_cmpuint (client->n_refused, ==, 0);
}

static void
test_udp_echo (ConformanceFixture *f)
{
  check_echo (f, "127.0.0.1");
}

static void
test_udp_ipv6 (ConformanceFixture *f)
{
  g_autofree char *why_not = NULL;
  g_autoptr (UdpRecorder) recorder = NULL;
  WeftUdpPort *port;

  if (!ipv6_loopback_available (&why_not))
    {
      g_test_skip (why_not);
      return;
    }
  check_echo (f, "::1");

  /* IPv6 ports are IPv6 only. */
  recorder = udp_recorder_new ();
  port = udp_listen (f, "::", recorder);
  g_assert_cmpint (weft_udp_port_get_family (port), ==, G_SOCKET_FAMILY_IPV6);
  {
    int v6only = 0;
    socklen_t len = sizeof v6only;

    g_assert_no_errno (getsockopt (weft_udp_port_get_fd (port), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len));
    g_assert_cmpint (v6only, ==, 1);
  }
  udp_stop (f, port);
}

/* udp/connected-refused ------------------------------------------------- */

/* An address where nothing listens: a port that was just closed. */
static GSocketAddress *
closed_udp_address (void)
{
  struct sockaddr_in address = { 0 };
  socklen_t len = sizeof address;
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_no_errno (bind (fd, (struct sockaddr *) &address, sizeof address));
  g_assert_no_errno (getsockname (fd, (struct sockaddr *) &address, &len));
  g_assert_no_errno (close (fd));
  return g_socket_address_new_from_native (&address, len);
}

static void
test_udp_connected_refused (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) recorder = udp_recorder_new ();
  g_autoptr (GSocketAddress) closed = closed_udp_address ();
  g_autoptr (GSocketAddress) remote = NULL;
  g_autoptr (GSocketAddress) elsewhere = udp_address ("127.0.0.1", 9);
  g_autoptr (GError) error = NULL;
  WeftUdpPort *port;

  port = udp_listen (f, "127.0.0.1", recorder);

  /* Not connected yet: no address, no datagram. */
  g_assert_false (weft_udp_port_send (port, "ping", 4, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_assert_true (weft_udp_port_connect (port, closed, &error));
  g_assert_no_error (error);
  remote = weft_udp_port_get_remote_address (port);
  udp_assert_same_address (remote, closed);

  /* A connected port sends only to its peer. */
  g_assert_false (weft_udp_port_send_to (port, "ping", 4, elsewhere, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_true (weft_udp_port_send_to (port, "ping", 4, closed, &error));
  g_assert_no_error (error);

  /* The refusal comes back as ICMP, read as ECONNREFUSED. Sent again now
   * and then in case the first one's answer was rate-limited; a send may
   * itself report the refusal, with the protocol told as well. */
  for (guint attempt = 0; attempt < 50 && recorder->n_refused == 0; attempt++)
    {
      if (!weft_udp_port_send (port, "ping", 4, &error))
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
          g_test_message ("%s", error->message);
          g_clear_error (&error);
          g_assert_cmpuint (recorder->n_refused, >, 0);
          break;
        }
      udp_iterate_until (f, &recorder->n_refused, 1, 0.2);
    }
  g_assert_cmpuint (recorder->n_refused, >, 0);
  g_assert_cmpuint (recorder->n_received, ==, 0);

  udp_stop (f, port);
}

/* udp/many-datagrams ---------------------------------------------------- */

#define MANY_DATAGRAMS 1000
/* Datagrams in flight at most: the receiver's socket buffer holds them all,
 * so loopback loses none even when this machine is busy. */
#define MANY_WINDOW 32

typedef struct {
  WeftUdpPort *sender;
  GSocketAddress *to;
  guint n_sent;
  guint n_received;
  guint8 seen[MANY_DATAGRAMS];
} ManyDatagrams;

static gsize
many_size (guint index)
{
  return 4 + (index * 37) % 1200;
}

static guint8
many_byte (guint index, gsize offset)
{
  return (guint8) (index * 7 + offset);
}

static void
many_send_more (ManyDatagrams *many)
{
  guint8 datagram[4 + 1200];

  while (many->n_sent < MANY_DATAGRAMS && many->n_sent - many->n_received < MANY_WINDOW)
    {
      g_autoptr (GError) error = NULL;
      guint index = many->n_sent;
      gsize size = many_size (index);

      datagram[0] = index >> 24;
      datagram[1] = index >> 16;
      datagram[2] = index >> 8;
      datagram[3] = index;
      for (gsize i = 4; i < size; i++)
        datagram[i] = many_byte (index, i);
      g_assert_true (weft_udp_port_send_to (many->sender, datagram, size, many->to, &error));
      g_assert_no_error (error);
      many->n_sent++;
    }
}

static void
many_received (UdpRecorder *recorder, const guint8 *data, gsize len, GSocketAddress *from)
{
  ManyDatagrams *many = recorder->on_datagram_data;
  guint index;

  g_assert_cmpuint (len, >=, 4);
  index = (guint) data[0] << 24 | (guint) data[1] << 16 | (guint) data[2] << 8 | data[3];
  g_assert_cmpuint (index, <, MANY_DATAGRAMS);
  g_assert_cmpuint (len, ==, many_size (index));
  for (gsize i = 4; i < len; i++)
    if (data[i] != many_byte (index, i))
      g_error ("datagram %u: byte %" G_GSIZE_FORMAT " is %u, expected %u", index, i, data[i], many_byte (index, i));
  g_assert_cmpuint (many->seen[index], ==, 0);
  many->seen[index] = 1;
  many->n_received++;

  /* Throttled: the next ones go out as the first ones arrive. */
  if (many->n_sent - many->n_received <= MANY_WINDOW / 2)
    many_send_more (many);
}

static void
test_udp_many_datagrams (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) receiver = udp_recorder_new ();
  g_autoptr (UdpRecorder) sender = udp_recorder_new ();
  g_autofree ManyDatagrams *many = g_new0 (ManyDatagrams, 1);
  WeftUdpPort *receiver_port;

  receiver->on_datagram = many_received;
  receiver->on_datagram_data = many;
  receiver_port = udp_listen (f, "127.0.0.1", receiver);
  many->sender = udp_listen (f, "127.0.0.1", sender);
  many->to = weft_udp_port_get_local_address (receiver_port);

  many_send_more (many);
  if (!udp_iterate_until (f, &many->n_received, MANY_DATAGRAMS, 30))
    g_error ("%u of %u datagrams arrived (%u sent): loopback lost some", many->n_received, MANY_DATAGRAMS,
             many->n_sent);
  g_assert_cmpuint (many->n_sent, ==, MANY_DATAGRAMS);
  g_assert_cmpuint (receiver->n_received, ==, MANY_DATAGRAMS);
  for (guint i = 0; i < MANY_DATAGRAMS; i++)
    g_assert_cmpuint (many->seen[i], ==, 1);

  udp_stop (f, receiver_port);
  udp_stop (f, many->sender);
  g_object_unref (many->to);
}

/* udp/large-datagram ---------------------------------------------------- */

/* The largest UDP payload over IPv4: 65535 - 20 (IP) - 8 (UDP). */
#define MAX_IPV4_DATAGRAM 65507

static void
large_received (UdpRecorder *recorder, const guint8 *data, gsize len, GSocketAddress *from)
{
  g_assert_cmpuint (len, ==, MAX_IPV4_DATAGRAM);
  for (gsize i = 0; i < len; i++)
    if (data[i] != (guint8) (i % 251))
      g_error ("byte %" G_GSIZE_FORMAT " of the large datagram is %u, expected %u", i, data[i], (guint) (i % 251));
}

static void
test_udp_large_datagram (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) receiver = udp_recorder_new ();
  g_autoptr (UdpRecorder) sender = udp_recorder_new ();
  g_autofree guint8 *data = g_malloc (MAX_IPV4_DATAGRAM + 1);
  g_autoptr (GSocketAddress) to = NULL;
  g_autoptr (GError) error = NULL;
  WeftUdpPort *receiver_port;
  WeftUdpPort *sender_port;

  for (gsize i = 0; i < MAX_IPV4_DATAGRAM + 1; i++)
    data[i] = i % 251;
  receiver->on_datagram = large_received;
  receiver_port = udp_listen (f, "127.0.0.1", receiver);
  sender_port = udp_listen (f, "127.0.0.1", sender);
  to = weft_udp_port_get_local_address (receiver_port);

  g_assert_true (weft_udp_port_send_to (sender_port, data, MAX_IPV4_DATAGRAM, to, &error));
  g_assert_no_error (error);
  g_assert_true (udp_iterate_until (f, &receiver->n_received, 1, 10));

  /* One byte more cannot be sent at all. */
  g_assert_false (weft_udp_port_send_to (sender_port, data, MAX_IPV4_DATAGRAM + 1, to, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "65508"));

  udp_stop (f, receiver_port);
  udp_stop (f, sender_port);
}

/* udp/multicast-loopback ------------------------------------------------- */

static void
test_udp_multicast_loopback (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) recorder = udp_recorder_new ();
  g_autoptr (GInetAddress) group = NULL;
  g_autoptr (GInetAddress) unicast = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr (GSocketAddress) group_address = NULL;
  g_autoptr (GSocketAddress) unicast_address = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *group_string = NULL;
  const char *iface = "lo";
  WeftUdpPort *port;
  guint16 number;

  /* A group of this process's own, so that parallel runs do not meet. */
  group_string = g_strdup_printf ("239.255.%u.%u", (guint) (getpid () >> 8) & 0xff, (guint) getpid () & 0xff);
  group = g_inet_address_new_from_string (group_string);

  /* Multicast arrives at sockets bound to the any-address (or the group). */
  port = udp_listen (f, "0.0.0.0", recorder);
  number = udp_port_number (port);
  group_address = g_inet_socket_address_new (group, number);
  unicast_address = g_inet_socket_address_new (unicast, number);

  /* Clear errors for what cannot work. */
  g_assert_false (weft_udp_port_join_group (port, unicast, iface, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (weft_udp_port_join_group (port, group, "no-such-if0", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (weft_udp_port_set_multicast_ttl (port, 256, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* The loopback interface, by name or else by address. */
  if (!weft_udp_port_join_group (port, group, iface, &error))
    {
      g_test_message ("%s; trying by address", error->message);
      g_clear_error (&error);
      iface = "127.0.0.1";
      if (!weft_udp_port_join_group (port, group, iface, &error))
        {
          g_autofree char *reason = g_strdup_printf ("no multicast on the loopback interface: %s", error->message);

          udp_stop (f, port);
          g_test_skip (reason);
          return;
        }
    }
  g_assert_false (weft_udp_port_join_group (port, group, iface, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "already"));
  g_clear_error (&error);
  g_assert_true (weft_udp_port_set_multicast_interface (port, iface, &error));
  g_assert_no_error (error);
  g_assert_true (weft_udp_port_set_multicast_loopback (port, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (weft_udp_port_set_multicast_ttl (port, 1, &error));
  g_assert_no_error (error);

  if (!weft_udp_port_send_to (port, "to the group", strlen ("to the group"), group_address, &error))
    {
      g_autofree char *reason = g_strdup_printf ("no multicast route: %s", error->message);

      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
                     g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE));
      udp_stop (f, port);
      g_test_skip (reason);
      return;
    }
  g_assert_true (udp_iterate_until (f, &recorder->n_received, 1, 10));
  g_assert_true (udp_received (recorder, "to the group"));
  g_assert_cmpuint (g_inet_socket_address_get_port (g_ptr_array_index (recorder->senders, 0)), ==, number);

  /* Having left, the port no longer gets the group's datagrams. A unicast
   * datagram sent after them through the same interface marks when they
   * would have arrived. */
  g_assert_true (weft_udp_port_leave_group (port, group, iface, &error));
  g_assert_no_error (error);
  udp_send (port, "after leaving", group_address);
  udp_send (port, "marker", unicast_address);
  g_assert_true (udp_iterate_until (f, &recorder->n_received, 2, 10));
  udp_iterate_for (f, 0.05);
  g_assert_cmpuint (recorder->n_received, ==, 2);
  g_assert_true (udp_received (recorder, "marker"));
  g_assert_false (udp_received (recorder, "after leaving"));

  g_assert_false (weft_udp_port_leave_group (port, group, iface, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);

  udp_stop (f, port);
}

/* udp/broadcast ----------------------------------------------------------- */

static void
test_udp_broadcast (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) receiver = udp_recorder_new ();
  g_autoptr (UdpRecorder) sender = udp_recorder_new ();
  g_autoptr (GSocketAddress) broadcast = NULL;
  g_autoptr (GError) error = NULL;
  WeftUdpPort *receiver_port;
  WeftUdpPort *sender_port;

  receiver_port = udp_listen (f, "0.0.0.0", receiver);
  /* Bound to 127.0.0.1, the sender broadcasts through the loopback
   * interface whatever the machine's routes. */
  sender_port = udp_listen (f, "127.0.0.1", sender);
  broadcast = udp_address ("255.255.255.255", udp_port_number (receiver_port));

  g_assert_false (weft_udp_port_get_broadcast_allowed (sender_port));
  g_assert_false (weft_udp_port_send_to (sender_port, "all", 3, broadcast, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "weft_udp_port_set_broadcast_allowed"));
  g_assert_nonnull (strstr (error->message, "255.255.255.255"));
  g_clear_error (&error);

  g_assert_true (weft_udp_port_set_broadcast_allowed (sender_port, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (weft_udp_port_get_broadcast_allowed (sender_port));
  udp_send (sender_port, "all", broadcast);
  g_assert_true (udp_iterate_until (f, &receiver->n_received, 1, 10));
  g_assert_true (udp_received (receiver, "all"));

  udp_stop (f, receiver_port);
  udp_stop (f, sender_port);
}

/* udp/stop-listening ------------------------------------------------------ */

static void
test_udp_stop_listening (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) recorder = udp_recorder_new ();
  g_autoptr (UdpRecorder) other = udp_recorder_new ();
  g_autoptr (UdpRecorder) again = udp_recorder_new ();
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (WeftDeferred) stopped = NULL;
  g_autoptr (WeftDeferred) stopped_again = NULL;
  g_autoptr (GError) error = NULL;
  WeftUdpPort *port;
  WeftUdpPort *sender;
  WeftUdpPort *rebound;
  guint n_fds = conformance_count_open_fds ();

  port = udp_listen (f, "127.0.0.1", recorder);
  sender = udp_listen (f, "127.0.0.1", other);
  address = weft_udp_port_get_local_address (port);
  g_assert_cmpuint (conformance_count_open_fds (), ==, n_fds + 2);

  /* Reading stops at once; the socket closes in the next round of calls. */
  udp_send (sender, "never delivered", address);
  stopped = weft_udp_port_stop_listening (port);
  g_assert_false (weft_deferred_has_fired (stopped));
  g_assert_false (weft_udp_port_is_listening (port));
  g_assert_cmpuint (recorder->n_stopped, ==, 0);
  g_assert_true (weft_datagram_protocol_get_port (WEFT_DATAGRAM_PROTOCOL (recorder)) == port);
  g_assert_false (weft_udp_port_send_to (port, "x", 1, address, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  udp_wait_deferred (f, stopped);
  g_assert_cmpuint (recorder->n_stopped, ==, 1);
  g_assert_cmpuint (recorder->n_received, ==, 0);
  g_assert_null (weft_datagram_protocol_get_port (WEFT_DATAGRAM_PROTOCOL (recorder)));
  g_assert_null (weft_udp_port_get_local_address (port));
  g_assert_cmpint (weft_udp_port_get_fd (port), ==, -1);
  g_assert_cmpuint (conformance_count_open_fds (), ==, n_fds + 1);

  /* Closed: errors name the address it had; stopping again is harmless. */
  g_assert_false (weft_udp_port_send_to (port, "x", 1, address, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "127.0.0.1:"));
  g_clear_error (&error);
  stopped_again = weft_udp_port_stop_listening (port);
  g_assert_true (weft_deferred_has_fired (stopped_again));
  g_assert_cmpuint (recorder->n_stopped, ==, 1);
  g_object_unref (port);

  /* The address is free again, and the protocol can listen again. */
  rebound = weft_reactor_listen_udp (f->reactor, address, WEFT_DATAGRAM_PROTOCOL (recorder), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recorder->n_started, ==, 2);
  udp_stop (f, rebound);
  g_assert_cmpuint (recorder->n_stopped, ==, 2);

  /* From inside datagram_received: nothing more is delivered. */
  again->stop_on_first = TRUE;
  port = udp_listen (f, "127.0.0.1", again);
  g_clear_object (&address);
  address = weft_udp_port_get_local_address (port);
  for (guint i = 0; i < 5; i++)
    udp_send (sender, "one of five", address);
  g_assert_true (udp_iterate_until (f, &again->n_stopped, 1, 10));
  g_assert_cmpuint (again->n_received, ==, 1);
  g_assert_true (weft_deferred_has_fired (again->stop_deferred));
  g_clear_object (&again->stop_deferred);
  g_object_unref (port);

  udp_stop (f, sender);
  g_assert_cmpuint (conformance_count_open_fds (), ==, n_fds);
}

static void
test_udp_port_keeps_itself (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) recorder = udp_recorder_new ();
  g_autoptr (UdpRecorder) other = udp_recorder_new ();
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (WeftDeferred) stopped = NULL;
  WeftUdpPort *port;
  WeftUdpPort *sender;

  /* The caller's reference goes at once, as with Twisted's listenUDP. */
  port = udp_listen (f, "127.0.0.1", recorder);
  address = weft_udp_port_get_local_address (port);
  g_object_add_weak_pointer (G_OBJECT (port), (gpointer *) &port);
  g_object_unref (port);
  g_assert_nonnull (port);

  sender = udp_listen (f, "127.0.0.1", other);
  udp_send (sender, "still there", address);
  g_assert_true (udp_iterate_until (f, &recorder->n_received, 1, 10));

  stopped = weft_udp_port_stop_listening (weft_datagram_protocol_get_port (WEFT_DATAGRAM_PROTOCOL (recorder)));
  udp_wait_deferred (f, stopped);
  g_assert_null (port);
  udp_stop (f, sender);
}

static void
test_udp_reactor_finalized (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) recorder = udp_recorder_new ();
  g_autoptr (UdpRecorder) closing = udp_recorder_new ();
  g_autoptr (WeftDeferred) stopped = NULL;
  WeftUdpPort *port;
  WeftUdpPort *closing_port;

  /* Ports still open (or closing) when the reactor goes are closed then,
   * their protocols stopped, and the fixture sees no fd left behind. */
  port = udp_listen (f, "127.0.0.1", recorder);
  g_object_add_weak_pointer (G_OBJECT (port), (gpointer *) &port);
  g_object_unref (port);
  closing_port = udp_listen (f, "127.0.0.1", closing);
  stopped = weft_udp_port_stop_listening (closing_port);
  g_object_add_weak_pointer (G_OBJECT (closing_port), (gpointer *) &closing_port);
  g_object_unref (closing_port);

  conformance_finalize_reactor (f);
  g_assert_null (port);
  g_assert_null (closing_port);
  g_assert_cmpuint (recorder->n_stopped, ==, 1);
  g_assert_cmpuint (closing->n_stopped, ==, 1);
  g_assert_true (weft_deferred_has_fired (stopped));
}

/* udp/pause-reading ----------------------------------------------------- */

static void
test_udp_pause_reading (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) recorder = udp_recorder_new ();
  g_autoptr (UdpRecorder) other = udp_recorder_new ();
  g_autoptr (GSocketAddress) address = NULL;
  WeftUdpPort *port;
  WeftUdpPort *sender;
  guint before;

  port = udp_listen (f, "127.0.0.1", recorder);
  sender = udp_listen (f, "127.0.0.1", other);
  address = weft_udp_port_get_local_address (port);

  /* Paused: datagrams wait in the socket. */
  weft_udp_port_pause_reading (port);
  g_assert_true (weft_udp_port_is_reading_paused (port));
  for (guint i = 0; i < 3; i++)
    udp_send (sender, "waiting", address);
  udp_iterate_for (f, 0.05);
  conformance_iterate_nonblocking (f, 5);
  g_assert_cmpuint (recorder->n_received, ==, 0);

  weft_udp_port_resume_reading (port);
  g_assert_false (weft_udp_port_is_reading_paused (port));
  g_assert_true (udp_iterate_until (f, &recorder->n_received, 3, 10));

  /* Paused from datagram_received: the rest of the batch waits too. */
  recorder->pause_on_first = TRUE;
  recorder->n_received = 0;
  for (guint i = 0; i < 3; i++)
    udp_send (sender, "batch", address);
  g_assert_true (udp_iterate_until (f, &recorder->n_received, 1, 10));
  udp_iterate_for (f, 0.05);
  g_assert_cmpuint (recorder->n_received, ==, 1);
  g_assert_true (weft_udp_port_is_reading_paused (port));
  weft_udp_port_resume_reading (port);
  g_assert_true (udp_iterate_until (f, &recorder->n_received, 3, 10));

  /* A backlog is read a bounded number at a time. */
  recorder->pause_on_first = FALSE;
  recorder->n_received = 0;
  weft_udp_port_pause_reading (port);
  for (guint i = 0; i < 100; i++)
    udp_send (sender, "b", address);
  weft_udp_port_resume_reading (port);
  while (recorder->n_received == 0)
    weft_reactor_iterate (f->reactor, TRUE);
  before = recorder->n_received;
  g_test_message ("the first read delivered %u of 100 datagrams", before);
  g_assert_cmpuint (before, <=, WEFT_UDP_MAX_DATAGRAMS_PER_READ);
  g_assert_true (udp_iterate_until (f, &recorder->n_received, 100, 10));

  /* Pausing or resuming a closed port does nothing. */
  udp_stop (f, g_object_ref (port));
  weft_udp_port_resume_reading (port);
  weft_udp_port_pause_reading (port);
  g_assert_false (weft_udp_port_is_reading_paused (port));
  g_object_unref (port);
  udp_stop (f, sender);
}

/* udp/bad-address --------------------------------------------------------- */

static void
test_udp_bad_address (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) recorder = udp_recorder_new ();
  g_autoptr (UdpRecorder) unused = udp_recorder_new ();
  g_autoptr (GSocketAddress) ipv6 = udp_address ("::1", 5000);
  g_autoptr (GSocketAddress) unix_address = g_unix_socket_address_new ("/nonexistent/weft.sock");
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocketAddress) not_here = udp_address ("203.0.113.1", 0);
  g_autoptr (GError) error = NULL;
  WeftUdpPort *port;
  int fds[2];

  port = udp_listen (f, "127.0.0.1", recorder);
  local = weft_udp_port_get_local_address (port);

  /* An IPv6 address from an IPv4 port. */
  g_assert_false (weft_udp_port_send_to (port, "x", 1, ipv6, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "[::1]:5000"));
  g_assert_nonnull (strstr (error->message, "IPv4"));
  g_assert_nonnull (strstr (error->message, "IPv6"));
  g_clear_error (&error);

  g_assert_false (weft_udp_port_connect (port, ipv6, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_null (weft_udp_port_get_remote_address (port));

  /* Not an IP address at all. */
  g_assert_false (weft_udp_port_send_to (port, "x", 1, unix_address, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_null (weft_reactor_listen_udp (f->reactor, unix_address, WEFT_DATAGRAM_PROTOCOL (unused), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* Addresses that cannot be bound: taken, or not this machine's. */
  g_assert_null (weft_reactor_listen_udp (f->reactor, local, WEFT_DATAGRAM_PROTOCOL (unused), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "127.0.0.1:"));
  g_clear_error (&error);
  g_assert_null (weft_reactor_listen_udp (f->reactor, not_here, WEFT_DATAGRAM_PROTOCOL (unused), &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "203.0.113.1"));
  g_clear_error (&error);
  g_assert_cmpuint (unused->n_started, ==, 0);

  /* Only datagram sockets can be adopted. */
  conformance_socketpair (fds);
  g_assert_null (weft_reactor_adopt_datagram_socket (f->reactor, fds[0], WEFT_DATAGRAM_PROTOCOL (unused), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
  conformance_pipe (fds);
  g_assert_null (weft_reactor_adopt_datagram_socket (f->reactor, fds[0], WEFT_DATAGRAM_PROTOCOL (unused), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  conformance_close (&fds[0]);
  conformance_close (&fds[1]);
  g_assert_cmpuint (unused->n_started, ==, 0);

  udp_stop (f, port);

  /* And an IPv4 address from an IPv6 port. */
  {
    g_autofree char *why_not = NULL;
    g_autoptr (GSocketAddress) ipv4 = udp_address ("127.0.0.1", 5000);

    if (!ipv6_loopback_available (&why_not))
      {
        g_test_message ("IPv6 part left out: %s", why_not);
        return;
      }
    port = udp_listen (f, "::1", recorder);
    g_assert_false (weft_udp_port_send_to (port, "x", 1, ipv4, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "127.0.0.1:5000"));
    g_clear_error (&error);
    udp_stop (f, port);
  }
}

/* udp/reuse-address ------------------------------------------------------- */

static void
test_udp_reuse_address (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) first = udp_recorder_new ();
  g_autoptr (UdpRecorder) second = udp_recorder_new ();
  g_autoptr (GSocketAddress) any = udp_address ("127.0.0.1", 0);
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GError) error = NULL;
  WeftUdpPort *first_port;
  WeftUdpPort *second_port;

  first_port = weft_reactor_listen_udp_full (f->reactor, any, WEFT_DATAGRAM_PROTOCOL (first),
                                             WEFT_UDP_FLAGS_REUSE_ADDRESS, &error);
  g_assert_no_error (error);
  address = weft_udp_port_get_local_address (first_port);
  second_port = weft_reactor_listen_udp_full (f->reactor, address, WEFT_DATAGRAM_PROTOCOL (second),
                                              WEFT_UDP_FLAGS_REUSE_ADDRESS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (udp_port_number (second_port), ==, udp_port_number (first_port));

  udp_stop (f, first_port);
  udp_stop (f, second_port);
}

/* udp/adopt --------------------------------------------------------------- */

static void
test_udp_adopt (ConformanceFixture *f)
{
  g_autoptr (UdpRecorder) recorder = udp_recorder_new ();
  g_autoptr (UdpRecorder) other = udp_recorder_new ();
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GError) error = NULL;
  struct sockaddr_in native = { 0 };
  WeftUdpPort *port;
  WeftUdpPort *sender;
  char buffer[16];
  int fd;

  /* A bound, blocking socket, as a service manager might hand over. */
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  native.sin_family = AF_INET;
  native.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_no_errno (bind (fd, (struct sockaddr *) &native, sizeof native));

  port = weft_reactor_adopt_datagram_socket (f->reactor, fd, WEFT_DATAGRAM_PROTOCOL (recorder), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recorder->n_started, ==, 1);
  g_assert_cmpint (weft_udp_port_get_fd (port), !=, fd);
  g_assert_cmpint (fcntl (fd, F_GETFL) & O_NONBLOCK, !=, 0);
  g_assert_null (weft_udp_port_get_remote_address (port));
  address = weft_udp_port_get_local_address (port);

  sender = udp_listen (f, "127.0.0.1", other);
  udp_send (sender, "to the adopted socket", address);
  g_assert_true (udp_iterate_until (f, &recorder->n_received, 1, 10));
  g_assert_true (udp_received (recorder, "to the adopted socket"));

  /* Stopping closes the port's copy only: the caller's fd still works. */
  udp_stop (f, port);
  udp_send (sender, "still bound", address);
  for (guint i = 0; i < 1000; i++)
    {
      ssize_t n = recv (fd, buffer, sizeof buffer, 0);

      if (n >= 0)
        {
          g_assert_cmpint (n, ==, strlen ("still bound"));
          break;
        }
      g_assert_cmpint (errno, ==, EAGAIN);
      g_usleep (1000);
    }
  g_assert_no_errno (close (fd));

  /* An adopted socket that is connected gives a connected port. */
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  {
    struct sockaddr_storage peer;

    g_assert_true (g_socket_address_to_native (address, &peer, sizeof peer, NULL));
    g_assert_no_errno (connect (fd, (struct sockaddr *) &peer, g_socket_address_get_native_size (address)));
  }
  port = weft_reactor_adopt_datagram_socket (f->reactor, fd, WEFT_DATAGRAM_PROTOCOL (recorder), &error);
  g_assert_no_error (error);
  {
    g_autoptr (GSocketAddress) remote = weft_udp_port_get_remote_address (port);

    g_assert_nonnull (remote);
    udp_assert_same_address (remote, address);
  }
  udp_stop (f, port);
  g_assert_no_errno (close (fd));

  udp_stop (f, sender);
}

const ConformanceCase conformance_udp_cases[] = {
  { "udp/echo", test_udp_echo },
  { "udp/ipv6", test_udp_ipv6 },
  { "udp/connected-refused", test_udp_connected_refused },
  { "udp/many-datagrams", test_udp_many_datagrams },
  { "udp/large-datagram", test_udp_large_datagram },
  { "udp/multicast-loopback", test_udp_multicast_loopback },
  { "udp/broadcast", test_udp_broadcast },
  { "udp/stop-listening", test_udp_stop_listening },
  { "udp/port-keeps-itself", test_udp_port_keeps_itself },
  { "udp/reactor-finalized", test_udp_reactor_finalized },
  { "udp/pause-reading", test_udp_pause_reading },
  { "udp/bad-address", test_udp_bad_address },
  { "udp/reuse-address", test_udp_reuse_address },
  { "udp/adopt", test_udp_adopt },
  { NULL },
};
