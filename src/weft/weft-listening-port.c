/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <gio/gunixsocketaddress.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft-fd-transport-private.h"
#include "weft-fd-transport.h"
#include "weft-listening-port.h"
#include "weft-net-private.h"

/**
 * WeftListeningPort:
 *
 * A socket that accepts connections and gives each one a protocol built by
 * its [class@Weft.Factory] (Twisted's `Port`). Made by
 * weft_reactor_listen_tcp(), weft_reactor_listen_unix() and
 * weft_reactor_adopt_listening_socket().
 *
 * The port calls weft_factory_do_start() when it starts listening and
 * weft_factory_do_stop() once it has stopped. It keeps listening, and keeps
 * itself alive, until weft_listening_port_stop_listening(), even when the
 * caller drops its reference. Stopping does not close the connections
 * already accepted.
 *
 * Connections are accepted in batches of up to 64 per readiness event. When
 * the process runs out of file descriptors (`EMFILE`, `ENFILE`) or the
 * kernel out of memory, the port stops watching its socket, logs one
 * warning for the episode, and tries again after 10 ms, doubling the delay
 * up to 1 s, and at once whenever a connection of the same reactor closes.
 * The pending connections stay in the kernel's backlog meanwhile and are
 * accepted once descriptors are free again: the server neither spins nor
 * drops them.
 */

#define ACCEPTS_PER_EVENT 64
#define BACKOFF_MIN_US (10 * 1000)
#define BACKOFF_MAX_US (1000 * 1000)

struct _WeftListeningPort {
  GObject parent_instance;

  WeftReactor *reactor; /* owned */
  WeftNet *net;
  WeftFactory *factory; /* owned */
  GType transport_type;
  int fd;
  WeftWatch *watch;
  GSocketAddress *address;
  char *description;

  /* A Unix socket file to remove on stopping, if it is still ours. */
  char *unlink_path;
  dev_t unlink_dev;
  ino_t unlink_ino;

  gboolean listening;
  gboolean stopped; /* the factory was told: do_stop */
  WeftDelayedCall *stop_call;
  GPtrArray *stop_deferreds;

  gboolean starved; /* out of fds (or memory): not watching */
  gint64 backoff_us;
  WeftDelayedCall *retry_call;

  guint64 n_accepted;
};

G_DEFINE_FINAL_TYPE (WeftListeningPort, weft_listening_port, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_FACTORY,
  PROP_LISTENING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
weft_listening_port_dispose (GObject *object)
{
  WeftListeningPort *self = WEFT_LISTENING_PORT (object);

  /* A listening port holds itself: only one that stopped, or never
   * started, gets here. */
  g_clear_pointer (&self->watch, weft_watch_remove);
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
  g_clear_pointer (&self->retry_call, weft_delayed_call_cancel);
  g_clear_pointer (&self->stop_call, weft_delayed_call_cancel);
  if (self->net != NULL)
    weft_net_remove_starved_port (self->net, self);

  G_OBJECT_CLASS (weft_listening_port_parent_class)->dispose (object);
}

static void
weft_listening_port_finalize (GObject *object)
{
  WeftListeningPort *self = WEFT_LISTENING_PORT (object);

  g_clear_pointer (&self->stop_deferreds, g_ptr_array_unref);
  g_clear_object (&self->address);
  g_clear_object (&self->factory);
  g_clear_object (&self->reactor);
  g_free (self->description);
  g_free (self->unlink_path);

  G_OBJECT_CLASS (weft_listening_port_parent_class)->finalize (object);
}

static void
weft_listening_port_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftListeningPort *self = WEFT_LISTENING_PORT (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_object (value, self->address);
      break;
    case PROP_FACTORY:
      g_value_set_object (value, self->factory);
      break;
    case PROP_LISTENING:
      g_value_set_boolean (value, self->listening);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_listening_port_class_init (WeftListeningPortClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = weft_listening_port_dispose;
  object_class->finalize = weft_listening_port_finalize;
  object_class->get_property = weft_listening_port_get_property;

  /**
   * WeftListeningPort:address: (getter get_address)
   *
   * The address the port is bound to, with the real port number when port
   * 0 was asked for.
   */
  properties[PROP_ADDRESS] =
      g_param_spec_object ("address", NULL, NULL, G_TYPE_SOCKET_ADDRESS, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * WeftListeningPort:factory: (getter get_factory)
   *
   * The factory that builds a protocol for each accepted connection.
   */
  properties[PROP_FACTORY] =
      g_param_spec_object ("factory", NULL, NULL, WEFT_TYPE_FACTORY, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * WeftListeningPort:listening: (getter is_listening)
   *
   * %TRUE until weft_listening_port_stop_listening(); notified when it
   * changes.
   */
  properties[PROP_LISTENING] =
      g_param_spec_boolean ("listening", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_listening_port_init (WeftListeningPort *self)
{
  self->fd = -1;
  self->stop_deferreds = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Accepting */

static void accept_connections (WeftListeningPort *self);

static void
set_watching (WeftListeningPort *self, gboolean watching)
{
  if (self->watch != NULL)
    weft_watch_set_events (self->watch, watching ? WEFT_IO_READ : WEFT_IO_NONE, NULL);
}

static void
retry_timer_cb (gpointer user_data)
{
  WeftListeningPort *self = user_data;

  self->retry_call = NULL;
  accept_connections (self);
}

/* Out of fds or memory: the next accept() would fail the same way, and the
 * socket stays readable, so stop watching it and try again later. */
static void
starve (WeftListeningPort *self, int errsv, gboolean made_progress)
{
  if (!self->starved)
    {
      self->starved = TRUE;
      self->backoff_us = BACKOFF_MIN_US;
      g_warning (_ ("Cannot accept connections on %s: %s. Retrying as file descriptors or memory become free."),
                 self->description, g_strerror (errsv));
      set_watching (self, FALSE);
      weft_net_add_starved_port (self->net, self);
    }
  else if (made_progress)
    self->backoff_us = BACKOFF_MIN_US;
  else
    self->backoff_us = MIN (self->backoff_us * 2, BACKOFF_MAX_US);

  g_clear_pointer (&self->retry_call, weft_delayed_call_cancel);
  self->retry_call = weft_reactor_call_later (self->reactor, self->backoff_us, retry_timer_cb, self, NULL);
}

static void
end_starvation (WeftListeningPort *self)
{
  if (!self->starved)
    return;
  self->starved = FALSE;
  g_clear_pointer (&self->retry_call, weft_delayed_call_cancel);
  weft_net_remove_starved_port (self->net, self);
  set_watching (self, TRUE);
  g_debug ("Accepting connections on %s again", self->description);
}

static void
start_connection (WeftListeningPort *self, int fd, const struct sockaddr *sa, socklen_t len)
{
  g_autoptr (GSocketAddress) peer = weft_net_address_from_native (sa, len);
  g_autoptr (WeftProtocol) protocol = NULL;
  g_autoptr (WeftFdTransport) transport = NULL;
  g_autoptr (GError) error = NULL;

  self->n_accepted++;
  protocol = weft_factory_build_protocol (self->factory, peer);
  if (protocol == NULL)
    {
      /* The factory refused the connection. */
      close (fd);
      return;
    }
  transport = g_object_new (self->transport_type, "reactor", self->reactor, "fd", fd, "flags",
                            WEFT_FD_TRANSPORT_FLAGS_SOCKET, NULL);
  weft_fd_transport_set_peer_address (transport, peer);
  if (sa->sa_family == AF_UNIX && G_IS_UNIX_SOCKET_ADDRESS (peer) &&
      g_unix_socket_address_get_address_type (G_UNIX_SOCKET_ADDRESS (peer)) == G_UNIX_SOCKET_ADDRESS_ANONYMOUS)
    {
      /* Unix clients rarely bind a name: call them after the server. */
      g_autofree char *client = g_strdup_printf (_ ("a client of %s"), self->description);

      weft_fd_transport_set_description (transport, client);
    }
  if (!weft_fd_transport_start (transport, protocol, &error))
    {
      g_autofree char *from = weft_net_address_to_string (peer);

      g_warning (_ ("Dropped a connection to %s from %s: %s"), self->description, from, error->message);
    }
}

static void
accept_connections (WeftListeningPort *self)
{
  gboolean made_progress = FALSE;

  g_object_ref (self);
  for (guint i = 0; i < ACCEPTS_PER_EVENT && self->listening; i++)
    {
      struct sockaddr_storage ss;
      socklen_t len = sizeof ss;
      int fd = accept4 (self->fd, (struct sockaddr *) &ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (fd >= 0)
        {
          made_progress = TRUE;
          start_connection (self, fd, (struct sockaddr *) &ss, len);
          continue;
        }

      switch (errno)
        {
        case EINTR:
          continue;
        case EAGAIN:
#if EAGAIN != EWOULDBLOCK
        case EWOULDBLOCK:
#endif
          /* Drained: whatever was wrong is over. */
          end_starvation (self);
          goto out;
        case ECONNABORTED:
        case EPROTO:
        case ENETDOWN:
        case ENOPROTOOPT:
        case EHOSTDOWN:
        case ENONET:
        case EHOSTUNREACH:
        case EOPNOTSUPP:
        case ENETUNREACH:
        case EPERM:
          /* That one connection failed (Linux passes network errors on
           * through accept()); the next may not. */
          continue;
        default:
          /* EMFILE, ENFILE, ENOBUFS, ENOMEM, or something that would fail
           * again at once. */
          starve (self, errno, made_progress);
          goto out;
        }
    }
  /* A full batch: the backlog may hold more, reported again next time. */
  if (made_progress)
    end_starvation (self);
out:
  g_object_unref (self);
}

static void
on_listening_fd_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  accept_connections (user_data);
}

void
weft_listening_port_retry_accept (WeftListeningPort *port)
{
  if (port->starved && port->listening)
    accept_connections (port);
}

/* Construction */

static WeftListeningPort *
port_new (WeftReactor *reactor, WeftFactory *factory)
{
  WeftListeningPort *self = g_object_new (WEFT_TYPE_LISTENING_PORT, NULL);

  self->reactor = g_object_ref (reactor);
  self->net = weft_net_get (reactor);
  self->factory = g_object_ref (factory);
  return self;
}

static void
port_start (WeftListeningPort *self)
{
  self->description = weft_net_address_to_string (self->address);
  self->listening = TRUE;
  /* Listening keeps the port alive until it stops. */
  g_object_ref (self);
  weft_factory_do_start (self->factory);
}

WeftListeningPort *
weft_listening_port_new_for_fd (WeftReactor *reactor,
                                int fd,
                                WeftFactory *factory,
                                GType transport_type,
                                const char *unlink_path,
                                GError **error)
{
  g_autoptr (WeftListeningPort) self = port_new (reactor, factory);
  struct stat st;

  self->fd = fd;
  self->transport_type = transport_type;
  self->address = weft_net_get_local_address (fd);
  if (self->address == NULL)
    {
      int errsv = errno;

      self->fd = -1; /* the caller closes it */
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _ ("Cannot read the address of listening socket %d: %s"), fd, g_strerror (errsv));
      return NULL;
    }
  self->watch = weft_reactor_add_watch (reactor, fd, WEFT_IO_READ, on_listening_fd_ready, self, NULL, error);
  if (self->watch == NULL)
    {
      self->fd = -1;
      return NULL;
    }
  weft_watch_set_name (self->watch, G_OBJECT_TYPE_NAME (self));
  if (unlink_path != NULL && lstat (unlink_path, &st) == 0)
    {
      self->unlink_path = g_strdup (unlink_path);
      self->unlink_dev = st.st_dev;
      self->unlink_ino = st.st_ino;
    }
  port_start (self);
  return g_steal_pointer (&self);
}

WeftListeningPort *
weft_listening_port_new_fake (WeftReactor *reactor, GSocketAddress *address, WeftFactory *factory)
{
  WeftListeningPort *self = port_new (reactor, factory);

  self->address = g_object_ref (address);
  port_start (self);
  return self;
}

/* Stopping */

static void
finish_stop (gpointer user_data)
{
  WeftListeningPort *self = user_data;
  g_autoptr (GPtrArray) deferreds = g_steal_pointer (&self->stop_deferreds);

  self->stop_call = NULL;
  self->stopped = TRUE;
  self->stop_deferreds = g_ptr_array_new_with_free_func (g_object_unref);
  weft_factory_do_stop (self->factory);
  for (guint i = 0; i < deferreds->len; i++)
    weft_deferred_callback_none (deferreds->pdata[i]);
  /* The reference that listening held. */
  g_object_unref (self);
}

static void
remove_socket_file (WeftListeningPort *self)
{
  struct stat st;

  /* Only if it is still the file this port created: another server may
   * have replaced it meanwhile. */
  if (self->unlink_path != NULL && lstat (self->unlink_path, &st) == 0 && st.st_dev == self->unlink_dev &&
      st.st_ino == self->unlink_ino)
    unlink (self->unlink_path);
  g_clear_pointer (&self->unlink_path, g_free);
}

/**
 * weft_listening_port_stop_listening:
 * @port: a listening port
 *
 * Stops accepting connections: the listening socket is closed at once (and
 * a Unix socket file created by weft_reactor_listen_unix() removed, if it
 * is still the one the port created), so the address is free again when
 * this returns. Connections already accepted go on.
 *
 * The returned deferred fires with an empty result from the reactor, after
 * the factory's weft_factory_do_stop(). Calling this again returns a
 * deferred that fires at the same time, or at once if the port has
 * stopped.
 *
 * Returns: (transfer full): a deferred that fires once the port has stopped
 */
WeftDeferred *
weft_listening_port_stop_listening (WeftListeningPort *port)
{
  WeftDeferred *deferred;

  g_return_val_if_fail (WEFT_IS_LISTENING_PORT (port), NULL);

  deferred = weft_deferred_new ();
  if (port->stopped)
    {
      weft_deferred_callback_none (deferred);
      return deferred;
    }
  g_ptr_array_add (port->stop_deferreds, g_object_ref (deferred));
  if (!port->listening)
    return deferred;

  port->listening = FALSE;
  g_clear_pointer (&port->watch, weft_watch_remove);
  g_clear_pointer (&port->retry_call, weft_delayed_call_cancel);
  port->starved = FALSE;
  weft_net_remove_starved_port (port->net, port);
  if (port->fd >= 0)
    {
      close (port->fd);
      port->fd = -1;
    }
  remove_socket_file (port);
  g_object_notify_by_pspec (G_OBJECT (port), properties[PROP_LISTENING]);
  port->stop_call = weft_reactor_call_soon (port->reactor, finish_stop, port, NULL);
  return deferred;
}

/**
 * weft_listening_port_get_address:
 * @port: a listening port
 *
 * The address the port is bound to. After listening on port 0, this tells
 * which port the system chose.
 *
 * Returns: (transfer none): the bound address
 */
GSocketAddress *
weft_listening_port_get_address (WeftListeningPort *port)
{
  g_return_val_if_fail (WEFT_IS_LISTENING_PORT (port), NULL);
  return port->address;
}

/**
 * weft_listening_port_get_factory:
 * @port: a listening port
 *
 * Returns: (transfer none): the factory that builds the port's protocols
 */
WeftFactory *
weft_listening_port_get_factory (WeftListeningPort *port)
{
  g_return_val_if_fail (WEFT_IS_LISTENING_PORT (port), NULL);
  return port->factory;
}

/**
 * weft_listening_port_get_reactor:
 * @port: a listening port
 *
 * Returns: (transfer none): the reactor the port accepts connections on
 */
WeftReactor *
weft_listening_port_get_reactor (WeftListeningPort *port)
{
  g_return_val_if_fail (WEFT_IS_LISTENING_PORT (port), NULL);
  return port->reactor;
}

/**
 * weft_listening_port_get_fd:
 * @port: a listening port
 *
 * The listening socket, e.g. to pass it to a child process. Do not close
 * it; use weft_listening_port_stop_listening().
 *
 * Returns: the socket, or -1 once the port stopped listening (or for a
 *   port of a memory reactor)
 */
int
weft_listening_port_get_fd (WeftListeningPort *port)
{
  g_return_val_if_fail (WEFT_IS_LISTENING_PORT (port), -1);
  return port->fd;
}

/**
 * weft_listening_port_is_listening:
 * @port: a listening port
 *
 * Returns: %TRUE until weft_listening_port_stop_listening() is called
 */
gboolean
weft_listening_port_is_listening (WeftListeningPort *port)
{
  g_return_val_if_fail (WEFT_IS_LISTENING_PORT (port), FALSE);
  return port->listening;
}

/**
 * weft_listening_port_get_n_accepted:
 * @port: a listening port
 *
 * Returns: how many connections the port has accepted so far, including
 *   those its factory refused
 */
guint64
weft_listening_port_get_n_accepted (WeftListeningPort *port)
{
  g_return_val_if_fail (WEFT_IS_LISTENING_PORT (port), 0);
  return port->n_accepted;
}
