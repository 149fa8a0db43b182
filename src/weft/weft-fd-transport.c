/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft-error.h"
#include "weft-fd-transport-impl-private.h"
#include "weft-fd-transport-private.h"
#include "weft-fd-transport.h"
#include "weft-net-private.h"
#include "weft-write-buffer-private.h"

/**
 * WeftFdTransport:
 *
 * A [iface@Weft.Transport] over non-blocking stream file descriptors: a
 * connected socket (one fd for both directions) or a pair of pipes (one fd
 * to read, another to write). TCP and Unix connections are its subclasses
 * [class@Weft.TcpTransport] and [class@Weft.UnixTransport]; child processes
 * and standard input/output use it with plain fds.
 *
 * How it behaves:
 *
 * - One reactor watch per fd. Its interest is "readable" while reading is
 *   wanted (not paused, no end-of-file yet, not closing) plus "writable"
 *   only while data waits in the write buffer, so an idle connection costs
 *   the reactor nothing.
 * - Writing goes straight to the kernel while nothing is queued; what the
 *   kernel does not take is queued (a `GBytes` by reference, plain buffers
 *   copied once) and sent with `writev()` when the fd becomes writable.
 *   The protocol's pause_writing and resume_writing follow the write
 *   buffer's watermarks.
 * - Reading uses one 64 KiB buffer shared by every transport of the reactor,
 *   and stops after four reads per readiness so that one busy connection
 *   cannot starve the others.
 * - A read fd that cannot be polled (a regular file, or `/dev/null`, which
 *   epoll refuses) is always readable: it is read one batch per reactor
 *   iteration, from soon calls, until end-of-file.
 * - A pipe that is only written to stays watched while the buffer is empty:
 *   it turns ready only once nobody can read it (a child process exited),
 *   which ends the connection at once instead of at the next write.
 * - End-of-file calls the protocol's eof_received: %TRUE keeps the write
 *   side open, %FALSE closes the connection as
 *   weft_transport_lose_connection() would. If this side had already shut
 *   its write side down, nothing is left and the connection closes.
 * - connection_lost is delivered once, from the reactor (never from inside
 *   a call the protocol made), with %WEFT_ERROR_CONNECTION_DONE after a
 *   clean close by either side, %WEFT_ERROR_CONNECTION_ABORTED after an
 *   abort, the error the protocol gave when closing, or a %G_IO_ERROR that
 *   names the peer ("Connection reset by peer 127.0.0.1:5555"). The first
 *   reason wins: an error while flushing after
 *   weft_transport_lose_connection_with_error() does not replace the
 *   protocol's reason.
 * - Writes to a socket never raise `SIGPIPE` (`MSG_NOSIGNAL`); for pipes,
 *   `SIGPIPE` is blocked in the writing thread for the duration of the
 *   write and a pending one is consumed.
 *
 * An open transport keeps itself, its protocol and its reactor alive until
 * connection_lost has been delivered: whoever starts a connection does not
 * have to keep a reference to it.
 */

/* Fairness: at most this much per readiness event, then other fds get
 * their turn (level-triggered, so the rest is reported again). */
#define MAX_READS_PER_EVENT 4
#define MAX_READ_BYTES_PER_EVENT (4 * WEFT_NET_READ_BUFFER_SIZE)

/* The write-fd property's default: write to the fd that is read. */
#define SAME_FD (-2)

static void weft_fd_transport_iface_init (WeftTransportInterface *iface);

G_DEFINE_TYPE_WITH_CODE (WeftFdTransport,
                         weft_fd_transport,
                         G_TYPE_OBJECT,
                         G_ADD_PRIVATE (WeftFdTransport)
                             G_IMPLEMENT_INTERFACE (WEFT_TYPE_TRANSPORT, weft_fd_transport_iface_init))

G_DEFINE_FLAGS_TYPE (WeftFdTransportFlags,
                     weft_fd_transport_flags,
                     G_DEFINE_ENUM_VALUE (WEFT_FD_TRANSPORT_FLAGS_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (WEFT_FD_TRANSPORT_FLAGS_SOCKET, "socket"))

G_DEFINE_ENUM_TYPE (WeftFdTransportState,
                    weft_fd_transport_state,
                    G_DEFINE_ENUM_VALUE (WEFT_FD_TRANSPORT_STATE_NEW, "new"),
                    G_DEFINE_ENUM_VALUE (WEFT_FD_TRANSPORT_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (WEFT_FD_TRANSPORT_STATE_DISCONNECTING, "disconnecting"),
                    G_DEFINE_ENUM_VALUE (WEFT_FD_TRANSPORT_STATE_DISCONNECTED, "disconnected"))

enum {
  PROP_0,
  PROP_REACTOR,
  PROP_FD,
  PROP_WRITE_FD,
  PROP_FLAGS,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

WeftFdTransportPrivate *
weft_fd_transport_get_priv (WeftFdTransport *self)
{
  return weft_fd_transport_get_instance_private (self);
}

static void
set_state (WeftFdTransport *self, WeftFdTransportState state)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  if (priv->state == state)
    return;
  priv->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

const char *
weft_fd_transport_describe (WeftFdTransport *self)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  if (priv->description == NULL)
    {
      if (priv->peer_address == NULL && (priv->flags & WEFT_FD_TRANSPORT_FLAGS_SOCKET) && priv->fd >= 0)
        priv->peer_address = weft_net_get_peer_address (priv->fd);
      if (priv->peer_address != NULL)
        priv->description = weft_net_address_to_string (priv->peer_address);
      else
        priv->description = g_strdup_printf (_ ("file descriptor %d"), priv->fd >= 0 ? priv->fd : priv->write_fd);
    }
  return priv->description;
}

/* Interest */

static inline gboolean
reading_wanted (WeftFdTransportPrivate *priv)
{
  return !priv->reading_paused && !priv->read_eof && !priv->disconnecting && !priv->closed && priv->fd >= 0;
}

static inline gboolean
writing_wanted (WeftFdTransportPrivate *priv)
{
  return !weft_write_buffer_is_empty (&priv->out) && !priv->closed && priv->write_fd >= 0;
}

void
weft_fd_transport_sync_interest (WeftFdTransportPrivate *priv)
{
  WeftIOCondition events = WEFT_IO_NONE;

  if (priv->closed)
    return;
  if (reading_wanted (priv))
    events |= WEFT_IO_READ;
  if (priv->write_watch == NULL && writing_wanted (priv))
    events |= WEFT_IO_WRITE;
  if (priv->watch != NULL && events != priv->events)
    {
      priv->events = events;
      weft_watch_set_events (priv->watch, events, NULL);
    }
  if (priv->write_watch != NULL)
    {
      events = writing_wanted (priv) ? WEFT_IO_WRITE : priv->watch_reader ? WEFT_IO_READ : WEFT_IO_NONE;
      if (events != priv->write_events)
        {
          priv->write_events = events;
          weft_watch_set_events (priv->write_watch, events, NULL);
        }
    }
}

/* Closing */

static GError *
clean_close_error (WeftFdTransport *self)
{
  return g_error_new (WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE, _ ("The connection to %s was closed cleanly."),
                      weft_fd_transport_describe (self));
}

static void
deliver_connection_lost (gpointer user_data)
{
  WeftFdTransport *self = user_data;
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);
  g_autoptr (WeftClientFactory) factory = g_steal_pointer (&priv->client_factory);

  priv->soon = NULL;
  if (priv->reason == NULL)
    priv->reason = clean_close_error (self);
  weft_protocol_connection_lost (priv->protocol, priv->reason);
  if (factory != NULL)
    {
      weft_client_factory_client_connection_lost (factory, NULL, priv->reason);
      weft_factory_do_stop (WEFT_FACTORY (factory));
    }
  set_state (self, WEFT_FD_TRANSPORT_STATE_DISCONNECTED);
  /* The reference the connection held on itself since start. */
  g_object_unref (self);
}

static void
close_fds (WeftFdTransportPrivate *priv)
{
  g_clear_pointer (&priv->read_soon, weft_delayed_call_cancel);
  if (priv->watch != NULL)
    weft_watch_remove (g_steal_pointer (&priv->watch));
  if (priv->write_watch != NULL)
    weft_watch_remove (g_steal_pointer (&priv->write_watch));
  if (priv->write_fd >= 0 && priv->write_fd != priv->fd)
    close (priv->write_fd);
  if (priv->fd >= 0)
    close (priv->fd);
  priv->fd = -1;
  priv->write_fd = -1;
  priv->events = priv->write_events = WEFT_IO_NONE;
}

void
weft_fd_transport_close_now (WeftFdTransport *self, GError *reason)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  if (priv->closed)
    {
      g_clear_error (&reason);
      return;
    }
  if (priv->reason == NULL)
    priv->reason = g_steal_pointer (&reason);
  g_clear_error (&reason);

  priv->closed = TRUE;
  close_fds (priv);
  weft_write_buffer_discard (&priv->out);
  g_clear_pointer (&priv->soon, weft_delayed_call_cancel);
  set_state (self, WEFT_FD_TRANSPORT_STATE_DISCONNECTING);
  priv->soon = weft_reactor_call_soon (priv->reactor, deliver_connection_lost, self, NULL);
  weft_net_fd_closed (priv->net);
}

void
weft_fd_transport_fail (WeftFdTransport *self, int errsv)
{
  weft_fd_transport_close_now (self, weft_net_connection_error (errsv, weft_fd_transport_describe (self)));
}

/* Reading */

static void
handle_eof (WeftFdTransport *self)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);
  gboolean keep_open;

  priv->read_eof = TRUE;
  weft_fd_transport_sync_interest (priv);
  if (priv->write_shut || priv->write_fd < 0)
    {
      /* Both directions are done. */
      weft_fd_transport_close_now (self, NULL);
      return;
    }

  keep_open = weft_protocol_eof_received (priv->protocol);
  if (priv->closed)
    return;
  if (!keep_open)
    weft_transport_lose_connection (WEFT_TRANSPORT (self));
  else if (priv->write_shut)
    weft_fd_transport_close_now (self, NULL);
}

static void
do_read (WeftFdTransport *self)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);
  guint8 *buffer = weft_net_acquire_read_buffer (priv->net);
  gsize total = 0;
  int errsv = 0;
  gboolean eof = FALSE;

  for (guint i = 0; i < MAX_READS_PER_EVENT; i++)
    {
      ssize_t n = read (priv->fd, buffer, WEFT_NET_READ_BUFFER_SIZE);

      if (n > 0)
        {
          total += n;
          weft_protocol_data_received (priv->protocol, buffer, n);
          /* A short read drained the fd: the next read would only say
           * EAGAIN. */
          if (n < WEFT_NET_READ_BUFFER_SIZE || total >= MAX_READ_BYTES_PER_EVENT || !reading_wanted (priv))
            break;
        }
      else if (n == 0)
        {
          eof = TRUE;
          break;
        }
      else if (errno == EINTR)
        continue;
      else
        {
          if (!weft_fd_transport_would_block (errno))
            errsv = errno;
          break;
        }
    }
  weft_net_release_read_buffer (priv->net, buffer);

  if (errsv != 0)
    weft_fd_transport_fail (self, errsv);
  else if (eof)
    handle_eof (self);
}

static void
on_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  WeftFdTransport *self = user_data;
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  if (fd == priv->fd && (condition & (WEFT_IO_READ | WEFT_IO_HUP | WEFT_IO_ERROR)) && reading_wanted (priv))
    {
      do_read (self);
      if (priv->closed)
        return;
    }
  if (fd == priv->write_fd && (condition & (WEFT_IO_WRITE | WEFT_IO_HUP | WEFT_IO_ERROR)) && writing_wanted (priv))
    weft_fd_transport_flush (self);
  else if (fd == priv->write_fd && fd != priv->fd && priv->watch_reader && !writing_wanted (priv) &&
           (condition & (WEFT_IO_READ | WEFT_IO_HUP | WEFT_IO_ERROR)))
    {
      /* The write end of a pipe only turns ready while idle once nobody can
       * read it any more (a child that exited): end now rather than at the
       * next write, as Twisted's ProcessWriter does. */
      weft_fd_transport_close_now (self, g_error_new (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                                                      _ ("Connection to %s closed: nobody reads from it any more"),
                                                      weft_fd_transport_describe (self)));
    }
}

/* Regular files and block devices are always readable: poll() says so, and
 * epoll refuses them (EPERM). */
static gboolean
is_always_readable (int fd)
{
  struct stat st;

  return fstat (fd, &st) == 0 && (S_ISREG (st.st_mode) || S_ISBLK (st.st_mode));
}

static gboolean
is_pipe (int fd)
{
  struct stat st;

  return fstat (fd, &st) == 0 && S_ISFIFO (st.st_mode);
}

static void read_soon_cb (gpointer user_data);

static void
schedule_read (WeftFdTransport *self)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  if (priv->always_readable && priv->read_soon == NULL && reading_wanted (priv))
    priv->read_soon = weft_reactor_call_soon (priv->reactor, read_soon_cb, self, NULL);
}

/* An fd that is always readable is read one batch per reactor iteration,
 * until end-of-file: other fds and timers get their turn in between. */
static void
read_soon_cb (gpointer user_data)
{
  WeftFdTransport *self = user_data;
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  priv->read_soon = NULL;
  if (!reading_wanted (priv))
    return;
  do_read (self);
  schedule_read (self);
}

/* Transport methods */

static void
finish_disconnect (gpointer user_data)
{
  WeftFdTransport *self = user_data;
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  priv->soon = NULL;
  /* Otherwise weft_fd_transport_flush() closes once the buffer has drained. */
  if (!writing_wanted (priv))
    weft_fd_transport_close_now (self, NULL);
}

static void
weft_fd_transport_lose_connection (WeftTransport *transport, const GError *reason)
{
  WeftFdTransport *self = WEFT_FD_TRANSPORT (transport);
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  if (!priv->started || priv->closed || priv->disconnecting)
    return;
  priv->disconnecting = TRUE;
  if (reason != NULL && priv->reason == NULL)
    priv->reason = g_error_copy (reason);
  set_state (self, WEFT_FD_TRANSPORT_STATE_DISCONNECTING);
  weft_fd_transport_sync_interest (priv);
  /* Writes made before the close takes effect are still sent: close from
   * the reactor, not from here. */
  if (!writing_wanted (priv))
    priv->soon = weft_reactor_call_soon (priv->reactor, finish_disconnect, self, NULL);
}

static void
weft_fd_transport_lose_write_connection (WeftTransport *transport)
{
  WeftFdTransport *self = WEFT_FD_TRANSPORT (transport);
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  if (!priv->started || priv->closed || priv->write_closing)
    return;
  priv->write_closing = TRUE;
  if (!writing_wanted (priv) && !priv->write_shut)
    weft_fd_transport_shutdown_write (self);
}

static void
weft_fd_transport_abort_connection (WeftTransport *transport, const GError *reason)
{
  WeftFdTransport *self = WEFT_FD_TRANSPORT (transport);
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  if (!priv->started || priv->closed)
    return;
  weft_fd_transport_close_now (self, reason != NULL ? g_error_copy (reason)
                                                    : g_error_new (WEFT_ERROR, WEFT_ERROR_CONNECTION_ABORTED,
                                                                   _ ("The connection to %s was aborted."),
                                                                   weft_fd_transport_describe (self)));
}

static void
weft_fd_transport_pause_reading (WeftTransport *transport)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv ((WeftFdTransport *) transport);

  priv->reading_paused = TRUE;
  weft_fd_transport_sync_interest (priv);
}

static void
weft_fd_transport_resume_reading (WeftTransport *transport)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv ((WeftFdTransport *) transport);

  priv->reading_paused = FALSE;
  weft_fd_transport_sync_interest (priv);
  schedule_read ((WeftFdTransport *) transport);
}

static void
weft_fd_transport_set_write_buffer_limits (WeftTransport *transport, gsize high, gsize low)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv ((WeftFdTransport *) transport);

  weft_write_buffer_set_limits (&priv->out, high, low);
  if (priv->started && !priv->closed)
    weft_write_buffer_notify_protocol (&priv->out, priv->protocol);
}

static void
weft_fd_transport_get_write_buffer_limits (WeftTransport *transport, gsize *high, gsize *low)
{
  weft_write_buffer_get_limits (&weft_fd_transport_get_priv ((WeftFdTransport *) transport)->out, high, low);
}

static gsize
weft_fd_transport_get_write_buffer_size (WeftTransport *transport)
{
  return weft_write_buffer_get_size (&weft_fd_transport_get_priv ((WeftFdTransport *) transport)->out);
}

static GSocketAddress *
weft_fd_transport_get_peer_address (WeftTransport *transport)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv ((WeftFdTransport *) transport);

  if (priv->peer_address == NULL && (priv->flags & WEFT_FD_TRANSPORT_FLAGS_SOCKET) && priv->fd >= 0)
    priv->peer_address = weft_net_get_peer_address (priv->fd);
  return priv->peer_address != NULL ? g_object_ref (priv->peer_address) : NULL;
}

static GSocketAddress *
weft_fd_transport_get_local_address (WeftTransport *transport)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv ((WeftFdTransport *) transport);

  if (priv->local_address == NULL && (priv->flags & WEFT_FD_TRANSPORT_FLAGS_SOCKET) && priv->fd >= 0)
    priv->local_address = weft_net_get_local_address (priv->fd);
  return priv->local_address != NULL ? g_object_ref (priv->local_address) : NULL;
}

static WeftProtocol *
weft_fd_transport_get_protocol (WeftTransport *transport)
{
  return weft_fd_transport_get_priv ((WeftFdTransport *) transport)->protocol;
}

/* STARTTLS: the TLS layer takes the protocol's place on a live connection. */
static void
weft_fd_transport_set_protocol (WeftTransport *transport, WeftProtocol *protocol)
{
  g_set_object (&weft_fd_transport_get_priv ((WeftFdTransport *) transport)->protocol, protocol);
}

static gboolean
weft_fd_transport_is_closing (WeftTransport *transport)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv ((WeftFdTransport *) transport);

  return priv->disconnecting || priv->closed;
}

static void
weft_fd_transport_iface_init (WeftTransportInterface *iface)
{
  iface->write = weft_fd_transport_iface_write;
  iface->write_bytes = weft_fd_transport_iface_write_bytes;
  iface->writev = weft_fd_transport_iface_writev;
  iface->lose_connection = weft_fd_transport_lose_connection;
  iface->lose_write_connection = weft_fd_transport_lose_write_connection;
  iface->abort_connection = weft_fd_transport_abort_connection;
  iface->pause_reading = weft_fd_transport_pause_reading;
  iface->resume_reading = weft_fd_transport_resume_reading;
  iface->set_write_buffer_limits = weft_fd_transport_set_write_buffer_limits;
  iface->get_write_buffer_limits = weft_fd_transport_get_write_buffer_limits;
  iface->get_write_buffer_size = weft_fd_transport_get_write_buffer_size;
  iface->get_peer_address = weft_fd_transport_get_peer_address;
  iface->get_local_address = weft_fd_transport_get_local_address;
  iface->get_protocol = weft_fd_transport_get_protocol;
  iface->set_protocol = weft_fd_transport_set_protocol;
  iface->is_closing = weft_fd_transport_is_closing;
}

/* GObject */

static void
weft_fd_transport_constructed (GObject *object)
{
  WeftFdTransport *self = WEFT_FD_TRANSPORT (object);
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  G_OBJECT_CLASS (weft_fd_transport_parent_class)->constructed (object);

  if (priv->write_fd == SAME_FD)
    priv->write_fd = priv->fd;
  if (priv->reactor != NULL)
    priv->net = weft_net_get (priv->reactor);
  else
    g_critical ("%s: a WeftFdTransport needs a reactor", G_STRFUNC);
}

static void
weft_fd_transport_dispose (GObject *object)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (WEFT_FD_TRANSPORT (object));

  /* Only a transport that never started (or failed to) gets here with its
   * fds: a started one holds itself until connection_lost. */
  if (!priv->closed && (priv->fd >= 0 || priv->write_fd >= 0))
    {
      priv->closed = TRUE;
      close_fds (priv);
    }
  g_clear_pointer (&priv->soon, weft_delayed_call_cancel);
  g_clear_pointer (&priv->read_soon, weft_delayed_call_cancel);
  g_clear_object (&priv->protocol);
  if (priv->client_factory != NULL)
    {
      weft_factory_do_stop (WEFT_FACTORY (priv->client_factory));
      g_clear_object (&priv->client_factory);
    }

  G_OBJECT_CLASS (weft_fd_transport_parent_class)->dispose (object);
}

static void
weft_fd_transport_finalize (GObject *object)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (WEFT_FD_TRANSPORT (object));

  weft_write_buffer_clear (&priv->out);
  g_clear_object (&priv->peer_address);
  g_clear_object (&priv->local_address);
  g_clear_pointer (&priv->description, g_free);
  g_clear_error (&priv->reason);
  g_clear_object (&priv->reactor);

  G_OBJECT_CLASS (weft_fd_transport_parent_class)->finalize (object);
}

static void
weft_fd_transport_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (WEFT_FD_TRANSPORT (object));

  switch (prop_id)
    {
    case PROP_REACTOR:
      g_value_set_object (value, priv->reactor);
      break;
    case PROP_FD:
      g_value_set_int (value, priv->fd);
      break;
    case PROP_WRITE_FD:
      g_value_set_int (value, priv->write_fd);
      break;
    case PROP_FLAGS:
      g_value_set_flags (value, priv->flags);
      break;
    case PROP_STATE:
      g_value_set_enum (value, priv->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_fd_transport_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (WEFT_FD_TRANSPORT (object));

  switch (prop_id)
    {
    case PROP_REACTOR:
      priv->reactor = g_value_dup_object (value);
      break;
    case PROP_FD:
      priv->fd = g_value_get_int (value);
      break;
    case PROP_WRITE_FD:
      priv->write_fd = g_value_get_int (value);
      break;
    case PROP_FLAGS:
      priv->flags = g_value_get_flags (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_fd_transport_class_init (WeftFdTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = weft_fd_transport_constructed;
  object_class->dispose = weft_fd_transport_dispose;
  object_class->finalize = weft_fd_transport_finalize;
  object_class->get_property = weft_fd_transport_get_property;
  object_class->set_property = weft_fd_transport_set_property;

  /**
   * WeftFdTransport:reactor: (getter get_reactor)
   *
   * The reactor that watches the fds. The transport keeps a reference.
   */
  properties[PROP_REACTOR] = g_param_spec_object ("reactor", NULL, NULL, WEFT_TYPE_REACTOR,
                                                  G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftFdTransport:fd: (getter get_fd)
   *
   * The fd to read from (and, unless #WeftFdTransport:write-fd says
   * otherwise, to write to); -1 for a transport that only writes. Owned by
   * the transport, which closes it; -1 once closed.
   */
  properties[PROP_FD] = g_param_spec_int ("fd", NULL, NULL, -1, G_MAXINT, -1,
                                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftFdTransport:write-fd: (getter get_write_fd)
   *
   * The fd to write to when it is not #WeftFdTransport:fd (a pipe pair), or
   * -1 for a transport that only reads. The default, -2, writes to
   * #WeftFdTransport:fd. Owned by the transport, which closes it.
   */
  properties[PROP_WRITE_FD] = g_param_spec_int ("write-fd", NULL, NULL, SAME_FD, G_MAXINT, SAME_FD,
                                                G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftFdTransport:flags: (getter get_flags)
   *
   * What kind of fds these are.
   */
  properties[PROP_FLAGS] =
      g_param_spec_flags ("flags", NULL, NULL, WEFT_TYPE_FD_TRANSPORT_FLAGS, WEFT_FD_TRANSPORT_FLAGS_NONE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WeftFdTransport:state: (getter get_state)
   *
   * Where the connection is in its life; notified when it changes, so a
   * status label can be bound to it.
   */
  properties[PROP_STATE] =
      g_param_spec_enum ("state", NULL, NULL, WEFT_TYPE_FD_TRANSPORT_STATE, WEFT_FD_TRANSPORT_STATE_NEW,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_fd_transport_init (WeftFdTransport *self)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  priv->fd = -1;
  priv->write_fd = SAME_FD;
  weft_write_buffer_init (&priv->out);
}

/* Public API */

/**
 * weft_fd_transport_new:
 * @reactor: the reactor that will watch the fds
 * @read_fd: the fd to read from, or -1 for a transport that only writes
 * @write_fd: the fd to write to: @read_fd itself for a socket, another fd
 *   for a pair of pipes, or -1 for a transport that only reads
 * @flags: what kind of fds they are
 *
 * Wraps already open stream fds in a transport, which takes them over: it
 * makes them non-blocking and closes them when the connection ends. Nothing
 * happens until weft_fd_transport_start() gives it a protocol.
 *
 * Making an fd non-blocking affects every process that shares its open file
 * description (a terminal inherited as standard input, for example).
 *
 * Returns: (transfer full): a new transport
 */
WeftFdTransport *
weft_fd_transport_new (WeftReactor *reactor, int read_fd, int write_fd, WeftFdTransportFlags flags)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (read_fd >= 0 || write_fd >= 0, NULL);

  if (read_fd >= 0)
    weft_net_set_nonblocking (read_fd, NULL);
  if (write_fd >= 0 && write_fd != read_fd)
    weft_net_set_nonblocking (write_fd, NULL);
  return g_object_new (WEFT_TYPE_FD_TRANSPORT, "reactor", reactor, "fd", read_fd, "write-fd", write_fd, "flags", flags,
                       NULL);
}

/**
 * weft_fd_transport_start:
 * @transport: a transport that has not started yet
 * @protocol: the protocol to connect
 * @error: return location for a #GError
 *
 * Starts the connection: the transport watches its fds and calls the
 * protocol's connection_made (from inside this call). From then on the
 * connection keeps itself alive until the protocol has received
 * connection_lost, so the caller may drop its reference to @transport.
 *
 * Fails when the reactor cannot watch the fds (the select backend and an fd
 * of `FD_SETSIZE` or more); the protocol is then not connected, and the fds
 * are closed with the transport.
 *
 * Returns: %TRUE if the connection started
 */
gboolean
weft_fd_transport_start (WeftFdTransport *transport, WeftProtocol *protocol, GError **error)
{
  WeftFdTransportPrivate *priv;

  g_return_val_if_fail (WEFT_IS_FD_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (WEFT_IS_PROTOCOL (protocol), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  priv = weft_fd_transport_get_priv (transport);
  g_return_val_if_fail (!priv->started && !priv->closed, FALSE);

  if (priv->fd >= 0 && priv->fd != priv->write_fd && is_always_readable (priv->fd))
    priv->always_readable = TRUE;
  else if (priv->fd >= 0)
    {
      GError *local_error = NULL;

      priv->events = WEFT_IO_READ;
      priv->watch =
          weft_reactor_add_watch (priv->reactor, priv->fd, priv->events, on_ready, transport, NULL, &local_error);
      if (priv->watch == NULL && priv->fd != priv->write_fd &&
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
        {
          /* epoll refuses what cannot be polled, such as /dev/null: it
           * never blocks, so it is read like a regular file. */
          g_clear_error (&local_error);
          priv->events = WEFT_IO_NONE;
          priv->always_readable = TRUE;
        }
      else if (priv->watch == NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      else
        weft_watch_set_name (priv->watch, G_OBJECT_TYPE_NAME (transport));
    }
  if (priv->write_fd >= 0 && priv->write_fd != priv->fd)
    {
      /* A pipe we only write to is watched while idle too: it turns ready
       * only when its reader is gone. */
      priv->watch_reader = is_pipe (priv->write_fd);
      priv->write_events = priv->watch_reader ? WEFT_IO_READ : WEFT_IO_NONE;
      priv->write_watch =
          weft_reactor_add_watch (priv->reactor, priv->write_fd, priv->write_events, on_ready, transport, NULL, error);
      if (priv->write_watch == NULL)
        {
          g_clear_pointer (&priv->watch, weft_watch_remove);
          return FALSE;
        }
      weft_watch_set_name (priv->write_watch, G_OBJECT_TYPE_NAME (transport));
    }

  priv->protocol = g_object_ref (protocol);
  priv->started = TRUE;
  g_object_ref (transport);
  set_state (transport, WEFT_FD_TRANSPORT_STATE_CONNECTED);
  weft_protocol_connection_made (protocol, WEFT_TRANSPORT (transport));
  schedule_read (transport);
  return TRUE;
}

/**
 * weft_fd_transport_get_reactor:
 * @transport: a transport
 *
 * Returns: (transfer none): the reactor that watches @transport
 */
WeftReactor *
weft_fd_transport_get_reactor (WeftFdTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_FD_TRANSPORT (transport), NULL);
  return weft_fd_transport_get_priv (transport)->reactor;
}

/**
 * weft_fd_transport_get_fd:
 * @transport: a transport
 *
 * The fd read from: the socket, for socket transports, e.g. to set options
 * Weft has no function for. Do not close it, and do not read from or write
 * to it behind the transport's back.
 *
 * Returns: the fd, or -1 once the connection is closed (or when the
 *   transport only writes)
 */
int
weft_fd_transport_get_fd (WeftFdTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_FD_TRANSPORT (transport), -1);
  return weft_fd_transport_get_priv (transport)->fd;
}

/**
 * weft_fd_transport_get_write_fd:
 * @transport: a transport
 *
 * Returns: the fd written to (the same as weft_fd_transport_get_fd() for a
 *   socket), or -1 once closed or half-closed, or when there is none
 */
int
weft_fd_transport_get_write_fd (WeftFdTransport *transport)
{
  WeftFdTransportPrivate *priv;

  g_return_val_if_fail (WEFT_IS_FD_TRANSPORT (transport), -1);
  priv = weft_fd_transport_get_priv (transport);
  return priv->write_fd == SAME_FD ? priv->fd : priv->write_fd;
}

/**
 * weft_fd_transport_get_flags:
 * @transport: a transport
 *
 * Returns: what kind of fds @transport uses
 */
WeftFdTransportFlags
weft_fd_transport_get_flags (WeftFdTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_FD_TRANSPORT (transport), WEFT_FD_TRANSPORT_FLAGS_NONE);
  return weft_fd_transport_get_priv (transport)->flags;
}

/**
 * weft_fd_transport_get_state:
 * @transport: a transport
 *
 * Returns: where the connection is in its life
 */
WeftFdTransportState
weft_fd_transport_get_state (WeftFdTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_FD_TRANSPORT (transport), WEFT_FD_TRANSPORT_STATE_DISCONNECTED);
  return weft_fd_transport_get_priv (transport)->state;
}

/**
 * weft_fd_transport_is_reading_paused:
 * @transport: a transport
 *
 * Returns: %TRUE between weft_transport_pause_reading() and
 *   weft_transport_resume_reading()
 */
gboolean
weft_fd_transport_is_reading_paused (WeftFdTransport *transport)
{
  g_return_val_if_fail (WEFT_IS_FD_TRANSPORT (transport), FALSE);
  return weft_fd_transport_get_priv (transport)->reading_paused;
}

/* Private API */

void
weft_fd_transport_set_peer_address (WeftFdTransport *transport, GSocketAddress *address)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (transport);

  g_set_object (&priv->peer_address, address);
  g_clear_pointer (&priv->description, g_free);
}

void
weft_fd_transport_set_description (WeftFdTransport *transport, const char *description)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (transport);

  g_free (priv->description);
  priv->description = g_strdup (description);
}

void
weft_fd_transport_set_client_factory (WeftFdTransport *transport, WeftClientFactory *factory)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (transport);

  g_return_if_fail (priv->client_factory == NULL);
  priv->client_factory = g_object_ref (factory);
}

void
weft_fd_transport_release_fds (WeftFdTransport *transport)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (transport);

  g_return_if_fail (!priv->started);
  priv->fd = -1;
  priv->write_fd = -1;
}
