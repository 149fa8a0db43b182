/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TLS transport after a real handshake: a client and a server, each
 * over a string transport, finish a handshake (certificates made once per
 * process), then the input is a script of what reaches the server: the
 * client's genuine records (whole, split, or with a byte flipped), records
 * made up from the input, raw bytes, a close_notify, replies, pauses.
 *
 * Checked: the server's protocol gets exactly what the client wrote for as
 * long as nothing was tampered with; nothing after connection_lost, which
 * comes exactly once with a reason; no crash, leak or overread. */
#include <string.h>

#include <weft/weft-testing.h>

#include "../../tests/tls-test-certs.h"
#include "fuzz-check.h"

#define FUZZ_TYPE_PEER (fuzz_peer_get_type ())
G_DECLARE_FINAL_TYPE (FuzzPeer, fuzz_peer, FUZZ, PEER, WeftProtocol)

struct _FuzzPeer {
  WeftProtocol parent_instance;
  GByteArray *received;
  guint n_lost;
};

G_DEFINE_FINAL_TYPE (FuzzPeer, fuzz_peer, WEFT_TYPE_PROTOCOL)

static void
fuzz_peer_data_received (WeftProtocol *protocol, const guint8 *data, gsize len)
{
  FuzzPeer *self = FUZZ_PEER (protocol);

  FUZZ_CHECK (self->n_lost == 0);
  FUZZ_CHECK (len > 0);
  g_byte_array_append (self->received, data, len);
}

static void
fuzz_peer_connection_lost (WeftProtocol *protocol, const GError *reason)
{
  FUZZ_CHECK (reason != NULL);
  FUZZ_PEER (protocol)->n_lost++;
  WEFT_PROTOCOL_CLASS (fuzz_peer_parent_class)->connection_lost (protocol, reason);
}

static void
fuzz_peer_finalize (GObject *object)
{
  g_byte_array_unref (FUZZ_PEER (object)->received);
  G_OBJECT_CLASS (fuzz_peer_parent_class)->finalize (object);
}

static void
fuzz_peer_class_init (FuzzPeerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fuzz_peer_finalize;
  WEFT_PROTOCOL_CLASS (klass)->data_received = fuzz_peer_data_received;
  WEFT_PROTOCOL_CLASS (klass)->connection_lost = fuzz_peer_connection_lost;
}

static void
fuzz_peer_init (FuzzPeer *self)
{
  self->received = g_byte_array_new ();
}

/* Made once: options keep their loaded credentials between sessions. */
static TlsTestCerts *certs;
static WeftTlsOptions *server_options;
static WeftTlsOptions *client_options;

static void
free_certs (void)
{
  g_clear_object (&server_options);
  g_clear_object (&client_options);
  g_clear_pointer (&certs, tls_test_certs_free);
}

static void
make_options (void)
{
  g_autoptr (GError) error = NULL;

  certs = tls_test_certs_new ();
  atexit (free_certs);
  server_options = weft_tls_options_new_server ();
  FUZZ_CHECK (weft_tls_options_set_certificate_files (server_options, certs->server_cert, certs->leaf_key, &error));
  client_options = weft_tls_options_new_client ("localhost");
  weft_tls_options_set_use_system_trust (client_options, FALSE);
  FUZZ_CHECK (weft_tls_options_add_ca_file (client_options, certs->ca_cert, &error));
}

typedef struct {
  const uint8_t *data;
  size_t size;
  size_t pos;
} Input;

static guint8
take_byte (Input *input)
{
  return input->pos < input->size ? input->data[input->pos++] : 0;
}

static const guint8 *
take_bytes (Input *input, gsize wanted, gsize *len)
{
  const guint8 *start = input->data + input->pos;

  *len = MIN (wanted, input->size - input->pos);
  input->pos += *len;
  return start;
}

static gboolean
is_open (WeftStringTransport *transport)
{
  return !weft_string_transport_is_lost (transport);
}

/* Hands what one side wrote to the other, @split bytes at a time (0: at
 * once), with the byte at @flip (counted from 1; 0: none) inverted.
 * Returns how many bytes moved. */
static gsize
move (WeftStringTransport *from, WeftStringTransport *to, gsize split, gsize flip)
{
  g_autoptr (GBytes) bytes = weft_string_transport_get_value (from);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autofree guint8 *copy = NULL;

  weft_string_transport_clear (from);
  if (len == 0 || !is_open (to))
    return 0;
  copy = g_memdup2 (data, len);
  if (flip > 0 && flip <= len)
    copy[flip - 1] ^= 0xff;
  for (gsize offset = 0; offset < len && is_open (to);)
    {
      gsize n = split > 0 ? MIN (split, len - offset) : len - offset;

      weft_string_transport_receive (to, copy + offset, n);
      offset += n;
    }
  return len;
}

/* What a real transport does when its protocol asked to close: end. */
static void
settle (WeftStringTransport *transport)
{
  if (is_open (transport) &&
      (weft_string_transport_is_aborted (transport) || weft_string_transport_is_disconnecting (transport)))
    weft_string_transport_connection_lost (transport, NULL);
}

static void
shuttle (WeftStringTransport *client, WeftStringTransport *server)
{
  for (guint round = 0; round < 20; round++)
    {
      gsize moved = move (client, server, 0, 0) + move (server, client, 0, 0);

      settle (client);
      settle (server);
      if (moved == 0)
        break;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  Input input = { data, size, 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (FuzzPeer) server_peer = NULL;
  g_autoptr (FuzzPeer) client_peer = NULL;
  g_autoptr (WeftTlsTransport) server_tls = NULL;
  g_autoptr (WeftTlsTransport) client_tls = NULL;
  g_autoptr (WeftStringTransport) server = NULL;
  g_autoptr (WeftStringTransport) client = NULL;
  g_autoptr (GByteArray) sent = g_byte_array_new ();
  gboolean tampered = FALSE;
  gboolean server_paused = FALSE;

  if (certs == NULL)
    make_options ();

  server_peer = g_object_new (FUZZ_TYPE_PEER, NULL);
  client_peer = g_object_new (FUZZ_TYPE_PEER, NULL);
  server_tls = weft_tls_transport_new (WEFT_PROTOCOL (server_peer), server_options, &error);
  FUZZ_CHECK (server_tls != NULL);
  client_tls = weft_tls_transport_new (WEFT_PROTOCOL (client_peer), client_options, &error);
  FUZZ_CHECK (client_tls != NULL);
  server = weft_string_transport_new ();
  client = weft_string_transport_new ();
  weft_string_transport_connect (server, WEFT_PROTOCOL (server_tls));
  weft_string_transport_connect (client, WEFT_PROTOCOL (client_tls));

  shuttle (client, server);
  FUZZ_CHECK (weft_tls_transport_is_handshake_done (server_tls));
  FUZZ_CHECK (weft_tls_transport_is_handshake_done (client_tls));

  while (input.pos < input.size && is_open (server))
    {
      guint8 op = take_byte (&input);
      const guint8 *chunk;
      gsize len;

      switch (op % 8)
        {
        case 0: /* the client's records, whole */
        case 1: /* ... cut into pieces */
        case 2: /* ... with one byte flipped */
          chunk = take_bytes (&input, take_byte (&input) * 8 + 1, &len);
          if (is_open (client))
            {
              gsize flip = op % 8 == 2 ? take_byte (&input) + 1 : 0;

              weft_transport_write (WEFT_TRANSPORT (client_tls), chunk, len);
              if (!tampered && !weft_transport_is_closing (WEFT_TRANSPORT (client_tls)))
                g_byte_array_append (sent, chunk, len);
              tampered |= flip > 0;
              move (client, server, op % 8 == 1 ? take_byte (&input) % 32 + 1 : 0, flip);
            }
          break;
        case 3: /* a record made up: type, version, length, body */
          {
            guint8 header[5] = { take_byte (&input), 3, take_byte (&input) % 5, 0, 0 };

            chunk = take_bytes (&input, take_byte (&input) * 4, &len);
            if (op & 0x80)
              len = MIN (len, (gsize) header[0] * 64); /* a length that lies */
            header[3] = len >> 8;
            header[4] = len & 0xff;
            if (op & 0x40)
              header[4] ^= take_byte (&input);
            tampered = TRUE;
            weft_string_transport_receive (server, header, sizeof header);
            if (is_open (server))
              weft_string_transport_receive (server, chunk, len);
            break;
          }
        case 4: /* raw bytes */
          chunk = take_bytes (&input, take_byte (&input) + 1, &len);
          tampered = TRUE;
          weft_string_transport_receive (server, chunk, len);
          break;
        case 5: /* the client closes: close_notify */
          if (is_open (client))
            weft_transport_lose_connection (WEFT_TRANSPORT (client_tls));
          break;
        case 6: /* the server's protocol pauses or resumes reading */
          server_paused = !server_paused;
          if (server_paused)
            weft_transport_pause_reading (WEFT_TRANSPORT (server_tls));
          else
            weft_transport_resume_reading (WEFT_TRANSPORT (server_tls));
          break;
        case 7: /* the server replies */
          chunk = take_bytes (&input, take_byte (&input) + 1, &len);
          weft_transport_write (WEFT_TRANSPORT (server_tls), chunk, len);
          break;
        }
      settle (server);
      shuttle (client, server);

      /* Untampered, the server's protocol got a prefix of what was sent
       * (all of it unless paused). */
      if (!tampered)
        {
          FUZZ_CHECK (server_peer->received->len <= sent->len);
          FUZZ_CHECK (server_peer->received->len == 0 ||
                      memcmp (server_peer->received->data, sent->data, server_peer->received->len) == 0);
        }
    }

  if (server_paused && is_open (server))
    weft_transport_resume_reading (WEFT_TRANSPORT (server_tls));
  if (is_open (server))
    weft_string_transport_connection_lost (server, NULL);
  if (is_open (client))
    weft_string_transport_connection_lost (client, NULL);
  FUZZ_CHECK (server_peer->n_lost == 1);
  FUZZ_CHECK (client_peer->n_lost == 1);
  return 0;
}
