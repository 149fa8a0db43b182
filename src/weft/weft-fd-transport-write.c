/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* WeftFdTransport's write path: straight to the kernel while nothing is
 * queued, the write buffer and writev() otherwise, and the half-close that
 * waits for the buffer to drain. */

#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "weft-fd-transport-impl-private.h"

#define MAX_IOV 64
#define MAX_WRITES_PER_EVENT 16

/* Half-close */

void
weft_fd_transport_shutdown_write (WeftFdTransport *self)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  priv->write_shut = TRUE;
  if (priv->flags & WEFT_FD_TRANSPORT_FLAGS_SOCKET)
    {
      /* ENOTCONN: the peer reset the connection; reading will tell. */
      shutdown (priv->write_fd, SHUT_WR);
    }
  else if (priv->write_fd >= 0 && priv->write_fd != priv->fd)
    {
      if (priv->write_watch != NULL)
        weft_watch_remove (g_steal_pointer (&priv->write_watch));
      close (priv->write_fd);
      priv->write_fd = -1;
      priv->write_events = WEFT_IO_NONE;
      weft_net_fd_closed (priv->net);
    }
  /* A single fd that is not a socket cannot be half-closed: writing just
   * stops. */

  if (priv->read_eof || priv->fd < 0)
    weft_fd_transport_close_now (self, NULL);
  else
    weft_fd_transport_sync_interest (priv);
}

/* Writing */

static ssize_t
send_iov (WeftFdTransportPrivate *priv, const struct iovec *iov, int n_iov)
{
  ssize_t n;

  if (!(priv->flags & WEFT_FD_TRANSPORT_FLAGS_SOCKET))
    return weft_net_write_nosigpipe (priv->write_fd, iov, n_iov);

  if (n_iov == 1)
    {
      do
        n = send (priv->write_fd, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL);
      while (n < 0 && errno == EINTR);
    }
  else
    {
      struct msghdr msg = { 0 };

      msg.msg_iov = (struct iovec *) iov;
      msg.msg_iovlen = n_iov;
      do
        n = sendmsg (priv->write_fd, &msg, MSG_NOSIGNAL);
      while (n < 0 && errno == EINTR);
    }
  return n;
}

static inline gboolean
accepts_writes (WeftFdTransportPrivate *priv)
{
  return priv->started && !priv->closed && !priv->write_closing && priv->write_fd >= 0;
}

/* Sends what the buffer holds, as far as the kernel takes it; then closes
 * or half-closes if that was waiting for the buffer to drain. */
void
weft_fd_transport_flush (WeftFdTransport *self)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);
  struct iovec iov[MAX_IOV];

  for (int round = 0; round < MAX_WRITES_PER_EVENT && !weft_write_buffer_is_empty (&priv->out); round++)
    {
      guint n_iov = weft_write_buffer_fill_iovec (&priv->out, iov, MAX_IOV);
      gsize wanted = 0;
      ssize_t n;

      for (guint i = 0; i < n_iov; i++)
        wanted += iov[i].iov_len;
      n = send_iov (priv, iov, n_iov);
      if (n < 0)
        {
          if (weft_fd_transport_would_block (errno))
            break;
          weft_fd_transport_fail (self, errno);
          return;
        }
      weft_write_buffer_consume (&priv->out, n);
      if ((gsize) n < wanted)
        break;
    }

  if (weft_write_buffer_is_empty (&priv->out))
    {
      if (priv->disconnecting)
        {
          weft_fd_transport_close_now (self, NULL);
          return;
        }
      if (priv->write_closing && !priv->write_shut)
        {
          weft_fd_transport_shutdown_write (self);
          if (priv->closed)
            return;
        }
    }
  weft_write_buffer_notify_protocol (&priv->out, priv->protocol);
  weft_fd_transport_sync_interest (priv);
}

static void
after_queue (WeftFdTransportPrivate *priv)
{
  weft_fd_transport_sync_interest (priv);
  weft_write_buffer_notify_protocol (&priv->out, priv->protocol);
}

/* Tries to send @len bytes at once. Returns how many the kernel took, or -1
 * after the connection failed. */
static gssize
send_direct (WeftFdTransport *self, const void *data, gsize len)
{
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);
  struct iovec iov = { (void *) data, len };
  ssize_t n = send_iov (priv, &iov, 1);

  if (n >= 0)
    return n;
  if (weft_fd_transport_would_block (errno))
    return 0;
  weft_fd_transport_fail (self, errno);
  return -1;
}

void
weft_fd_transport_iface_write (WeftTransport *transport, const guint8 *data, gsize len)
{
  WeftFdTransport *self = (WeftFdTransport *) transport;
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  if (!accepts_writes (priv))
    return;
  if (weft_write_buffer_is_empty (&priv->out))
    {
      gssize n = send_direct (self, data, len);

      if (n < 0 || (gsize) n == len)
        return;
      data += n;
      len -= n;
    }
  weft_write_buffer_push (&priv->out, data, len);
  after_queue (priv);
}

void
weft_fd_transport_iface_write_bytes (WeftTransport *transport, GBytes *bytes)
{
  WeftFdTransport *self = (WeftFdTransport *) transport;
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);

  if (!accepts_writes (priv))
    return;
  if (weft_write_buffer_is_empty (&priv->out))
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);
      gssize n = send_direct (self, data, len);

      if (n < 0 || (gsize) n == len)
        return;
      if (n > 0)
        {
          g_autoptr (GBytes) rest = g_bytes_new_from_bytes (bytes, n, len - n);

          weft_write_buffer_push_bytes (&priv->out, rest);
          after_queue (priv);
          return;
        }
    }
  weft_write_buffer_push_bytes (&priv->out, bytes);
  after_queue (priv);
}

void
weft_fd_transport_iface_writev (WeftTransport *transport, const GOutputVector *vectors, gsize n_vectors)
{
  WeftFdTransport *self = (WeftFdTransport *) transport;
  WeftFdTransportPrivate *priv = weft_fd_transport_get_priv (self);
  gsize skip = 0;

  if (!accepts_writes (priv))
    return;
  if (weft_write_buffer_is_empty (&priv->out) && n_vectors <= MAX_IOV)
    {
      struct iovec iov[MAX_IOV];
      gsize total = 0;
      ssize_t n;

      for (gsize i = 0; i < n_vectors; i++)
        {
          iov[i].iov_base = (void *) vectors[i].buffer;
          iov[i].iov_len = vectors[i].size;
          total += vectors[i].size;
        }
      n = send_iov (priv, iov, n_vectors);
      if (n < 0 && !weft_fd_transport_would_block (errno))
        {
          weft_fd_transport_fail (self, errno);
          return;
        }
      if (n >= 0 && (gsize) n == total)
        return;
      skip = MAX (n, 0);
    }

  for (gsize i = 0; i < n_vectors; i++)
    {
      const guint8 *data = vectors[i].buffer;
      gsize size = vectors[i].size;

      if (skip >= size)
        {
          skip -= size;
          continue;
        }
      weft_write_buffer_push (&priv->out, data + skip, size - skip);
      skip = 0;
    }
  after_queue (priv);
}
