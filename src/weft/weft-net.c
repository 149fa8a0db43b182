/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <gio/gunixsocketaddress.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "weft-error.h"
#include "weft-fd-transport-private.h"
#include "weft-listening-port.h"
#include "weft-net-private.h"
#include "weft-tcp.h"
#include "weft-unix.h"

struct _WeftNet {
  WeftReactor *reactor; /* not owned: the net lives in the reactor's data */
  guint8 *read_buffer;  /* allocated on the first read */
  gboolean read_buffer_busy;
  const WeftNetOps *ops;
  gpointer ops_data;
  GDestroyNotify ops_notify;
  GPtrArray *starved_ports; /* WeftListeningPort, not owned: each removes itself */
  WeftDelayedCall *retry_call;
};

#define NET_KEY "weft-net"

const WeftNetOps weft_net_default_ops = {
  .connect_tcp = weft_tcp_connect_real,
  .listen_tcp = weft_tcp_listen_real,
  .connect_unix = weft_unix_connect_real,
  .listen_unix = weft_unix_listen_real,
};

static void
net_free (gpointer data)
{
  WeftNet *net = data;

  if (net->ops_notify != NULL)
    net->ops_notify (net->ops_data);
  /* The reactor cancels pending calls before its data goes. */
  g_clear_pointer (&net->starved_ports, g_ptr_array_unref);
  g_free (net->read_buffer);
  g_free (net);
}

WeftNet *
weft_net_get (WeftReactor *reactor)
{
  WeftNet *net = g_object_get_data (G_OBJECT (reactor), NET_KEY);

  if (G_LIKELY (net != NULL))
    return net;
  net = g_new0 (WeftNet, 1);
  net->reactor = reactor;
  net->ops = &weft_net_default_ops;
  net->starved_ports = g_ptr_array_new ();
  g_object_set_data_full (G_OBJECT (reactor), NET_KEY, net, net_free);
  return net;
}

void
weft_reactor_set_net_ops (WeftReactor *reactor, const WeftNetOps *ops, gpointer user_data, GDestroyNotify notify)
{
  WeftNet *net = weft_net_get (reactor);
  GDestroyNotify old_notify = net->ops_notify;
  gpointer old_data = net->ops_data;

  net->ops = ops != NULL ? ops : &weft_net_default_ops;
  net->ops_data = user_data;
  net->ops_notify = notify;
  if (old_notify != NULL)
    old_notify (old_data);
}

const WeftNetOps *
weft_reactor_get_net_ops (WeftReactor *reactor, gpointer *user_data)
{
  WeftNet *net = weft_net_get (reactor);

  *user_data = net->ops_data;
  return net->ops;
}

/* Reading happens only from the reactor's thread; a protocol that runs a
 * nested main loop from data_received would let another transport read
 * while the shared buffer is still being looked at, so that read gets a
 * buffer of its own. */
guint8 *
weft_net_acquire_read_buffer (WeftNet *net)
{
  if (G_UNLIKELY (net->read_buffer_busy))
    return g_malloc (WEFT_NET_READ_BUFFER_SIZE);
  if (G_UNLIKELY (net->read_buffer == NULL))
    net->read_buffer = g_malloc (WEFT_NET_READ_BUFFER_SIZE);
  net->read_buffer_busy = TRUE;
  return net->read_buffer;
}

void
weft_net_release_read_buffer (WeftNet *net, guint8 *buffer)
{
  if (G_LIKELY (buffer == net->read_buffer))
    net->read_buffer_busy = FALSE;
  else
    g_free (buffer);
}

static void
retry_starved_ports (gpointer user_data)
{
  WeftNet *net = user_data;
  g_autoptr (GPtrArray) ports = NULL;

  net->retry_call = NULL;
  /* A retry may remove its port from the list, or add it back. */
  ports = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < net->starved_ports->len; i++)
    g_ptr_array_add (ports, g_object_ref (net->starved_ports->pdata[i]));
  for (guint i = 0; i < ports->len; i++)
    weft_listening_port_retry_accept (ports->pdata[i]);
}

void
weft_net_fd_closed (WeftNet *net)
{
  if (G_LIKELY (net->starved_ports->len == 0) || net->retry_call != NULL)
    return;
  net->retry_call = weft_reactor_call_soon (net->reactor, retry_starved_ports, net, NULL);
}

void
weft_net_add_starved_port (WeftNet *net, WeftListeningPort *port)
{
  if (!g_ptr_array_find (net->starved_ports, port, NULL))
    g_ptr_array_add (net->starved_ports, port);
}

void
weft_net_remove_starved_port (WeftNet *net, WeftListeningPort *port)
{
  g_ptr_array_remove (net->starved_ports, port);
  if (net->starved_ports->len == 0)
    g_clear_pointer (&net->retry_call, weft_delayed_call_cancel);
}

/* Addresses */

/* "127.0.0.1:5555", "[::1]:5555", "/run/app.sock", "@abstract-name", or
 * "an unnamed Unix socket": what error messages call an address. */
char *
weft_net_address_to_string (GSocketAddress *address)
{
  if (address == NULL)
    return g_strdup (_ ("an unknown address"));
  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      guint port = g_inet_socket_address_get_port (inet);

      if (g_socket_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
        return g_strdup_printf ("[%s]:%u", host, port);
      return g_strdup_printf ("%s:%u", host, port);
    }
  if (G_IS_UNIX_SOCKET_ADDRESS (address))
    {
      GUnixSocketAddress *unix_address = G_UNIX_SOCKET_ADDRESS (address);
      const char *path = g_unix_socket_address_get_path (unix_address);
      gsize len = g_unix_socket_address_get_path_len (unix_address);

      switch (g_unix_socket_address_get_address_type (unix_address))
        {
        case G_UNIX_SOCKET_ADDRESS_ABSTRACT:
        case G_UNIX_SOCKET_ADDRESS_ABSTRACT_PADDED:
          {
            g_autofree char *name = g_strndup (path, len);

            return g_strconcat ("@", name, NULL);
          }
        case G_UNIX_SOCKET_ADDRESS_PATH:
          return g_strndup (path, len);
        case G_UNIX_SOCKET_ADDRESS_ANONYMOUS:
        case G_UNIX_SOCKET_ADDRESS_INVALID:
        default:
          return g_strdup (_ ("an unnamed Unix socket"));
        }
    }
  return g_strdup (_ ("an unknown address"));
}

/* "IPv4", "IPv6" or "non-IP", for messages. */
const char *
weft_net_family_name (int family)
{
  switch (family)
    {
    case AF_INET:
      return "IPv4";
    case AF_INET6:
      return "IPv6";
    default:
      return _ ("non-IP");
    }
}

char *
weft_net_native_to_string (const struct sockaddr_storage *native, socklen_t len)
{
  g_autoptr (GSocketAddress) address = weft_net_address_from_native ((const struct sockaddr *) native, len);

  return weft_net_address_to_string (address);
}

/* Whether two socket addresses name the same host and port. */
gboolean
weft_net_native_equal (const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
  if (a->ss_family != b->ss_family)
    return FALSE;
  if (a->ss_family == AF_INET)
    {
      const struct sockaddr_in *a4 = (const struct sockaddr_in *) a;
      const struct sockaddr_in *b4 = (const struct sockaddr_in *) b;

      return a4->sin_port == b4->sin_port && a4->sin_addr.s_addr == b4->sin_addr.s_addr;
    }
  if (a->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *) a;
      const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *) b;

      return a6->sin6_port == b6->sin6_port && a6->sin6_scope_id == b6->sin6_scope_id &&
             memcmp (&a6->sin6_addr, &b6->sin6_addr, sizeof a6->sin6_addr) == 0;
    }
  return FALSE;
}

GSocketAddress *
weft_net_address_from_native (const struct sockaddr *sa, socklen_t len)
{
  /* GLib does not know unnamed Unix sockets (a bare family). */
  if (sa->sa_family == AF_UNIX && len <= offsetof (struct sockaddr_un, sun_path))
    return g_unix_socket_address_new_with_type ("", 0, G_UNIX_SOCKET_ADDRESS_ANONYMOUS);
  return g_socket_address_new_from_native ((gpointer) sa, len);
}

/* "@name" is a Linux abstract socket name, anything else a path. */
GSocketAddress *
weft_net_unix_address_new (const char *path, GError **error)
{
  gsize len = strlen (path);
  gboolean abstract = path[0] == '@';

  if (len == 0 || (abstract && len == 1))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("A Unix socket path may not be empty."));
      return NULL;
    }
  if (len >= sizeof (((struct sockaddr_un *) NULL)->sun_path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   _ ("The Unix socket path %s is too long: at most %u bytes fit."), path,
                   (guint) sizeof (((struct sockaddr_un *) NULL)->sun_path) - 1);
      return NULL;
    }
  if (abstract)
    return g_unix_socket_address_new_with_type (path + 1, len - 1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  return g_unix_socket_address_new (path);
}

GSocketAddress *
weft_net_get_peer_address (int fd)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;

  if (getpeername (fd, (struct sockaddr *) &ss, &len) < 0)
    return NULL;
  return weft_net_address_from_native ((struct sockaddr *) &ss, len);
}

GSocketAddress *
weft_net_get_local_address (int fd)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;

  if (getsockname (fd, (struct sockaddr *) &ss, &len) < 0)
    return NULL;
  return weft_net_address_from_native ((struct sockaddr *) &ss, len);
}

/* Errors: a GIO code from errno, and a message that names the other end. */

GError *
weft_net_connection_error (int errsv, const char *peer)
{
  int code = g_io_error_from_errno (errsv);

  switch (errsv)
    {
    case ECONNRESET:
      return g_error_new (G_IO_ERROR, code, _ ("Connection reset by peer %s"), peer);
    case EPIPE:
      return g_error_new (G_IO_ERROR, code, _ ("Connection to %s broken: the peer closed it while data was being sent"),
                          peer);
    case ETIMEDOUT:
      return g_error_new (G_IO_ERROR, code, _ ("Connection to %s timed out: the peer stopped answering"), peer);
    case EHOSTUNREACH:
    case ENETUNREACH:
    case ENETDOWN:
      return g_error_new (G_IO_ERROR, code, _ ("Connection to %s lost: %s"), peer, g_strerror (errsv));
    default:
      return g_error_new (G_IO_ERROR, code, _ ("Connection to %s failed: %s"), peer, g_strerror (errsv));
    }
}

GError *
weft_net_connect_error (int errsv, const char *peer)
{
  int code = g_io_error_from_errno (errsv);

  switch (errsv)
    {
    case ECONNREFUSED:
      return g_error_new (G_IO_ERROR, code, _ ("Connection refused by %s"), peer);
    case ENOENT:
      return g_error_new (G_IO_ERROR, code, _ ("Cannot connect to %s: no such socket (is the server running?)"), peer);
    case EAGAIN:
      /* A Unix socket whose backlog is full. */
      return g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                          _ ("Connection refused by %s: too many connections are waiting to be accepted"), peer);
    case ETIMEDOUT:
      return g_error_new (G_IO_ERROR, code, _ ("Connecting to %s timed out"), peer);
    case EACCES:
    case EPERM:
      return g_error_new (G_IO_ERROR, code, _ ("Not allowed to connect to %s: %s"), peer, g_strerror (errsv));
    default:
      return g_error_new (G_IO_ERROR, code, _ ("Cannot connect to %s: %s"), peer, g_strerror (errsv));
    }
}

GError *
weft_net_listen_error (int errsv, const char *address)
{
  int code = g_io_error_from_errno (errsv);

  switch (errsv)
    {
    case EADDRINUSE:
      return g_error_new (G_IO_ERROR, code, _ ("Cannot listen on %s: the address is already in use"), address);
    case EADDRNOTAVAIL:
      return g_error_new (G_IO_ERROR, code, _ ("Cannot listen on %s: no network interface has this address"), address);
    case EACCES:
      return g_error_new (G_IO_ERROR, code,
                          _ ("Cannot listen on %s: permission denied (ports below 1024 need privileges)"), address);
    default:
      return g_error_new (G_IO_ERROR, code, _ ("Cannot listen on %s: %s"), address, g_strerror (errsv));
    }
}

/* Sockets */

int
weft_net_socket (int family, GError **error)
{
  int fd = socket (family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _ ("Cannot create a socket: %s"),
                   g_strerror (errsv));
    }
  return fd;
}

gboolean
weft_net_set_nonblocking (int fd, GError **error)
{
  int flags = fcntl (fd, F_GETFL);
  int fd_flags = fcntl (fd, F_GETFD);

  if (flags < 0 || fd_flags < 0 || ((flags & O_NONBLOCK) == 0 && fcntl (fd, F_SETFL, flags | O_NONBLOCK) < 0) ||
      ((fd_flags & FD_CLOEXEC) == 0 && fcntl (fd, F_SETFD, fd_flags | FD_CLOEXEC) < 0))
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _ ("Cannot make file descriptor %d non-blocking: %s"), fd, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* writev() that cannot kill the process with SIGPIPE: pipes have no
 * MSG_NOSIGNAL, so the signal is blocked in this thread for the call and a
 * pending one that the write raised is taken back. */
ssize_t
weft_net_write_nosigpipe (int fd, const struct iovec *iov, int n_iov)
{
  sigset_t pipe_set, old_set;
  ssize_t n;
  int errsv;
  gboolean was_pending;

  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, &old_set);
  {
    sigset_t pending;

    sigpending (&pending);
    was_pending = sigismember (&pending, SIGPIPE);
  }

  do
    n = writev (fd, iov, n_iov);
  while (n < 0 && errno == EINTR);
  errsv = errno;

  if (n < 0 && errsv == EPIPE && !was_pending && !sigismember (&old_set, SIGPIPE))
    {
      const struct timespec zero = { 0, 0 };

      while (sigtimedwait (&pipe_set, NULL, &zero) < 0 && errno == EINTR)
        ;
    }
  pthread_sigmask (SIG_SETMASK, &old_set, NULL);
  errno = errsv;
  return n;
}

/* Connecting */

typedef struct {
  int ref_count;
  WeftReactor *reactor;       /* owned */
  WeftDeferred *deferred;     /* owned until fired */
  WeftClientFactory *factory; /* owned */
  GSocketAddress *address;    /* owned */
  char *description;
  GType transport_type;
  int fd;
  WeftWatch *watch;
  WeftDelayedCall *timeout_call;
  WeftDelayedCall *fail_call; /* an immediate failure, reported from the reactor */
  GError *pending_error;
  gint64 timeout_us;
  gboolean done;
} ConnectAttempt;

static ConnectAttempt *
attempt_ref (ConnectAttempt *attempt)
{
  attempt->ref_count++;
  return attempt;
}

static void
attempt_unref (gpointer data)
{
  ConnectAttempt *attempt = data;

  if (--attempt->ref_count > 0)
    return;
  g_assert (attempt->fd < 0 && attempt->watch == NULL && attempt->timeout_call == NULL);
  g_clear_object (&attempt->deferred);
  g_clear_object (&attempt->factory);
  g_clear_object (&attempt->address);
  g_clear_object (&attempt->reactor);
  g_clear_error (&attempt->pending_error);
  g_free (attempt->description);
  g_free (attempt);
}

/* Stops watching and timing; the fd stays open for the caller. */
static void
attempt_stop (ConnectAttempt *attempt)
{
  attempt->done = TRUE;
  g_clear_pointer (&attempt->watch, weft_watch_remove);
  g_clear_pointer (&attempt->timeout_call, weft_delayed_call_cancel);
  g_clear_pointer (&attempt->fail_call, weft_delayed_call_cancel);
}

/* Each attempt ends here or in attempt_succeed(), which drop the attempt's
 * own reference: nothing may touch @attempt after calling them without a
 * reference of its own. */
static void
attempt_fail (ConnectAttempt *attempt, GError *error)
{
  g_autoptr (WeftDeferred) deferred = NULL;

  if (attempt->done)
    {
      g_error_free (error);
      return;
    }
  attempt_stop (attempt);
  if (attempt->fd >= 0)
    {
      close (attempt->fd);
      attempt->fd = -1;
      weft_net_fd_closed (weft_net_get (attempt->reactor));
    }
  weft_client_factory_client_connection_failed (attempt->factory, NULL, error);
  weft_factory_do_stop (WEFT_FACTORY (attempt->factory));
  deferred = g_steal_pointer (&attempt->deferred);
  weft_deferred_errback_take_error (deferred, error);
  attempt_unref (attempt);
}

static void
attempt_succeed (ConnectAttempt *attempt)
{
  g_autoptr (WeftDeferred) deferred = NULL;
  g_autoptr (WeftProtocol) protocol = NULL;
  g_autoptr (WeftFdTransport) transport = NULL;
  g_autoptr (GError) error = NULL;
  int fd;

  protocol = weft_factory_build_protocol (WEFT_FACTORY (attempt->factory), attempt->address);
  if (protocol == NULL)
    {
      attempt_fail (attempt,
                    g_error_new (WEFT_ERROR, WEFT_ERROR_FAILED,
                                 _ ("The factory built no protocol for the connection to %s"), attempt->description));
      return;
    }

  attempt_stop (attempt);
  fd = attempt->fd;
  attempt->fd = -1;
  deferred = g_steal_pointer (&attempt->deferred);
  transport = g_object_new (attempt->transport_type, "reactor", attempt->reactor, "fd", fd, "flags",
                            WEFT_FD_TRANSPORT_FLAGS_SOCKET, NULL);
  weft_fd_transport_set_peer_address (transport, attempt->address);
  if (!weft_fd_transport_start (transport, protocol, &error))
    {
      /* Only the select backend refuses an fd here; the transport closes
       * it. */
      g_prefix_error (&error, _ ("Connected to %s, but: "), attempt->description);
      weft_client_factory_client_connection_failed (attempt->factory, NULL, error);
      weft_factory_do_stop (WEFT_FACTORY (attempt->factory));
      weft_deferred_errback_take_error (deferred, g_steal_pointer (&error));
    }
  else
    {
      /* From now on the connection tells the factory when it is lost, and
       * makes the matching weft_factory_do_stop(). */
      weft_fd_transport_set_client_factory (transport, attempt->factory);
      weft_deferred_callback_object (deferred, protocol);
    }
  attempt_unref (attempt);
}

static void
attempt_ready (WeftWatch *watch, int fd, WeftIOCondition condition, gpointer user_data)
{
  ConnectAttempt *attempt = user_data;
  int errsv = 0;
  socklen_t len = sizeof errsv;

  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &errsv, &len) < 0)
    errsv = errno;
  if (errsv == EINPROGRESS || errsv == EALREADY)
    return;
  if (errsv != 0)
    attempt_fail (attempt, weft_net_connect_error (errsv, attempt->description));
  else
    attempt_succeed (attempt);
}

static void
attempt_timed_out (gpointer user_data)
{
  ConnectAttempt *attempt = user_data;

  attempt->timeout_call = NULL;
  attempt_fail (attempt, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _ ("Connecting to %s timed out after %g s"),
                                      attempt->description, attempt->timeout_us / (double) G_USEC_PER_SEC));
}

static void
attempt_report_failure (gpointer user_data)
{
  ConnectAttempt *attempt = user_data;

  attempt->fail_call = NULL;
  attempt_fail (attempt, g_steal_pointer (&attempt->pending_error));
}

static void
attempt_cancel (WeftDeferred *deferred, gpointer user_data)
{
  ConnectAttempt *attempt = user_data;

  /* The canceller's reference keeps @attempt alive through this call. */
  attempt_fail (attempt, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, _ ("Connecting to %s was cancelled"),
                                      attempt->description));
}

WeftDeferred *
weft_net_connect_socket (WeftReactor *reactor,
                         int fd,
                         GSocketAddress *address,
                         WeftClientFactory *factory,
                         gint64 timeout_us,
                         GType transport_type)
{
  ConnectAttempt *attempt = g_new0 (ConnectAttempt, 1);
  struct sockaddr_storage ss;
  gssize len = g_socket_address_get_native_size (address);
  g_autoptr (GError) error = NULL;
  g_autofree char *what = NULL;
  WeftDeferred *deferred;

  /* The attempt's own reference, until it is done; the reactor's watch and
   * calls borrow it. The deferred's canceller holds another. */
  attempt->ref_count = 1;
  attempt->reactor = g_object_ref (reactor);
  attempt->factory = g_object_ref (factory);
  attempt->address = g_object_ref (address);
  attempt->description = weft_net_address_to_string (address);
  attempt->transport_type = transport_type;
  attempt->timeout_us = timeout_us;
  attempt->fd = fd;

  deferred = weft_deferred_new_with_canceller (attempt_cancel, attempt_ref (attempt), attempt_unref);
  attempt->deferred = g_object_ref (deferred);
  what = g_strdup_printf ("connection to %s", attempt->description);
  weft_deferred_set_description (deferred, what);

  weft_factory_do_start (WEFT_FACTORY (factory));
  weft_client_factory_started_connecting (factory, NULL);

  if (len < 0 || (gsize) len > sizeof ss || !g_socket_address_to_native (address, &ss, sizeof ss, &error))
    {
      if (error == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Cannot connect to %s: unusable address"),
                     attempt->description);
      attempt->pending_error = g_steal_pointer (&error);
    }
  /* EINTR: a non-blocking connect goes on in the background. */
  else if (connect (fd, (struct sockaddr *) &ss, len) < 0 && errno != EINPROGRESS && errno != EINTR)
    attempt->pending_error = weft_net_connect_error (errno, attempt->description);

  if (attempt->pending_error == NULL)
    {
      /* Writable once connected (at once when connect() already succeeded,
       * as it does for Unix sockets), or in error. */
      attempt->watch = weft_reactor_add_watch (reactor, fd, WEFT_IO_WRITE, attempt_ready, attempt, NULL, &error);
      if (attempt->watch == NULL)
        attempt->pending_error = g_steal_pointer (&error);
      else if (timeout_us > 0)
        attempt->timeout_call = weft_reactor_call_later (reactor, timeout_us, attempt_timed_out, attempt, NULL);
    }
  /* Failures are reported from the reactor too, never from inside this
   * call. */
  if (attempt->pending_error != NULL)
    attempt->fail_call = weft_reactor_call_soon (reactor, attempt_report_failure, attempt, NULL);

  return deferred;
}

typedef struct {
  WeftClientFactory *factory;
  WeftDeferred *deferred;
  GError *error;
} EarlyFailure;

static void
report_early_failure (gpointer user_data)
{
  EarlyFailure *failure = user_data;

  if (failure->factory != NULL)
    {
      weft_client_factory_client_connection_failed (failure->factory, NULL, failure->error);
      weft_factory_do_stop (WEFT_FACTORY (failure->factory));
      g_object_unref (failure->factory);
    }
  /* Cancelled meanwhile: the deferred has its result. */
  if (!weft_deferred_has_fired (failure->deferred))
    weft_deferred_errback_take_error (failure->deferred, g_steal_pointer (&failure->error));
  g_clear_error (&failure->error);
  g_object_unref (failure->deferred);
  g_free (failure);
}

WeftDeferred *
weft_net_connect_failed (WeftReactor *reactor, WeftClientFactory *factory, GError *error)
{
  WeftDeferred *deferred = weft_deferred_new ();
  EarlyFailure *failure = g_new0 (EarlyFailure, 1);

  if (factory != NULL)
    {
      weft_factory_do_start (WEFT_FACTORY (factory));
      weft_client_factory_started_connecting (factory, NULL);
      failure->factory = g_object_ref (factory);
    }
  failure->deferred = g_object_ref (deferred);
  failure->error = error;
  weft_reactor_call_soon (reactor, report_early_failure, failure, NULL);
  return deferred;
}

/* Adopting sockets made elsewhere: the transport type follows the
 * socket's family (TCP or Unix). */

/* The transport type for a socket's family, or G_TYPE_INVALID. */
static GType
transport_type_for_socket (int fd, gboolean want_listening, GError **error)
{
  int type = 0, domain = 0, accepting = 0;
  socklen_t len = sizeof type;

  if (getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _ ("File descriptor %d is not a socket: %s"), fd,
                   g_strerror (errsv));
      return G_TYPE_INVALID;
    }
  len = sizeof domain;
  getsockopt (fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
  len = sizeof accepting;
  getsockopt (fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len);

  if (type != SOCK_STREAM)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Socket %d is not a stream socket"), fd);
      return G_TYPE_INVALID;
    }
  if (want_listening && !accepting)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("Socket %d is not listening: call listen() on it first"), fd);
      return G_TYPE_INVALID;
    }
  if (!want_listening && accepting)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("Socket %d is a listening socket: adopt it with weft_reactor_adopt_listening_socket()"), fd);
      return G_TYPE_INVALID;
    }
  switch (domain)
    {
    case AF_INET:
    case AF_INET6:
      return WEFT_TYPE_TCP_TRANSPORT;
    case AF_UNIX:
      return WEFT_TYPE_UNIX_TRANSPORT;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _ ("Socket %d is of address family %d, which Weft does not support"), fd, domain);
      return G_TYPE_INVALID;
    }
}

/**
 * weft_reactor_adopt_stream_socket:
 * @reactor: a reactor
 * @fd: a connected stream socket: TCP (IPv4, IPv6) or Unix
 * @factory: builds the protocol
 * @error: return location for a #GError
 *
 * Makes a connection of a socket that is already connected, for example
 * one received from a parent process or through a Unix socket (Twisted's
 * `adoptStreamConnection`). The socket becomes a [class@Weft.TcpTransport]
 * or [class@Weft.UnixTransport], made non-blocking and close-on-exec, and
 * the protocol's connection_made runs before this returns. The factory is
 * not started or stopped: that is for ports and connectors.
 *
 * On success the transport owns @fd and closes it when the connection
 * ends. On failure @fd is left open and unchanged except, possibly, for
 * its non-blocking flag.
 *
 * Returns: (transfer full) (nullable): the connected protocol, or %NULL
 *   with @error set
 */
WeftProtocol *
weft_reactor_adopt_stream_socket (WeftReactor *reactor, int fd, WeftFactory *factory, GError **error)
{
  g_autoptr (GSocketAddress) peer = NULL;
  g_autoptr (WeftProtocol) protocol = NULL;
  g_autoptr (WeftFdTransport) transport = NULL;
  GType type;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (WEFT_IS_FACTORY (factory), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  type = transport_type_for_socket (fd, FALSE, error);
  if (type == G_TYPE_INVALID)
    return NULL;
  peer = weft_net_get_peer_address (fd);
  if (peer == NULL)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _ ("Socket %d is not connected: %s"), fd,
                   g_strerror (errsv));
      return NULL;
    }
  if (!weft_net_set_nonblocking (fd, error))
    return NULL;

  protocol = weft_factory_build_protocol (factory, peer);
  if (protocol == NULL)
    {
      g_autofree char *from = weft_net_address_to_string (peer);

      g_set_error (error, WEFT_ERROR, WEFT_ERROR_FAILED, _ ("The factory built no protocol for the connection with %s"),
                   from);
      return NULL;
    }
  transport = g_object_new (type, "reactor", reactor, "fd", fd, "flags", WEFT_FD_TRANSPORT_FLAGS_SOCKET, NULL);
  weft_fd_transport_set_peer_address (transport, peer);
  if (!weft_fd_transport_start (transport, protocol, error))
    {
      weft_fd_transport_release_fds (transport);
      return NULL;
    }
  return g_steal_pointer (&protocol);
}

/**
 * weft_reactor_adopt_listening_socket:
 * @reactor: a reactor
 * @fd: a bound stream socket on which listen() was called: TCP or Unix
 * @factory: builds a protocol for each accepted connection
 * @error: return location for a #GError
 *
 * Accepts connections on a socket that is already listening, for example
 * one passed by systemd socket activation (Twisted's `adoptStreamPort`).
 * The socket is made non-blocking and close-on-exec. A Unix socket's file
 * is not removed when the port stops: whoever created it owns it.
 *
 * On success the port owns @fd and closes it when it stops listening. On
 * failure @fd is left open.
 *
 * Returns: (transfer full) (nullable): the listening port, or %NULL with
 *   @error set
 */
WeftListeningPort *
weft_reactor_adopt_listening_socket (WeftReactor *reactor, int fd, WeftFactory *factory, GError **error)
{
  GType type;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (WEFT_IS_FACTORY (factory), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  type = transport_type_for_socket (fd, TRUE, error);
  if (type == G_TYPE_INVALID || !weft_net_set_nonblocking (fd, error))
    return NULL;
  return weft_listening_port_new_for_fd (reactor, fd, factory, type, NULL, error);
}
