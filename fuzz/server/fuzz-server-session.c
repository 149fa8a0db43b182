/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The server's command handling on any bytes: three clients on string
 * transports share one WeftIrcServer; each input line goes to the client
 * its first byte picks (modulo 3). Whatever the input, nothing crashes or
 * leaks, every client's output is valid IRC, and its send queue stays
 * within the server's limit. */
#include <string.h>

#include <weft-irc/weft-irc.h>
#include <weft/weft-testing.h>

#include "fuzz-check.h"

#define N_CLIENTS 3

static void
check_output (WeftStringTransport *transport)
{
  gsize len = 0;
  const char *data = weft_string_transport_peek_string (transport, &len);
  const char *end = data + len;

  /* Every line the server wrote is a message that parses. */
  while (data < end)
    {
      const char *eol = memchr (data, '\n', end - data);
      g_autoptr (WeftIrcMessage) message = NULL;

      FUZZ_CHECK (eol != NULL);
      message = weft_irc_message_parse (data, eol - data, NULL);
      FUZZ_CHECK (message != NULL);
      data = eol + 1;
    }
  weft_string_transport_clear (transport);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (WeftReactor) clock = weft_test_clock_new ();
  g_autoptr (WeftIrcServer) server = weft_irc_server_new (clock, "fuzz.weft.test");
  WeftStringTransport *transports[N_CLIENTS];
  WeftIrcServerConnection *clients[N_CLIENTS];
  const uint8_t *end = data + size;

  if (size > 64 * 1024)
    return 0;
  g_object_set (server, "flood-penalty", (gint64) 0, "sendq", (guint64) 64 * 1024, NULL);
  weft_irc_server_set_caps (server, weft_irc_server_get_caps (server) | WEFT_IRC_SERVER_CAP_SASL |
                                        WEFT_IRC_SERVER_CAP_CHATHISTORY | WEFT_IRC_SERVER_CAP_ACCOUNT_REGISTRATION);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      transports[i] = weft_string_transport_new ();
      clients[i] = weft_irc_server_create_connection (server);
      weft_string_transport_connect (transports[i], WEFT_PROTOCOL (clients[i]));
    }

  while (data < end)
    {
      const uint8_t *eol = memchr (data, '\n', end - data);
      const uint8_t *stop = eol != NULL ? eol + 1 : end;
      guint which = data[0] % N_CLIENTS;

      if (stop - data > 1)
        weft_string_transport_receive (transports[which], data + 1, stop - data - 1);
      for (guint i = 0; i < N_CLIENTS; i++)
        check_output (transports[i]);
      data = stop;
    }
  /* Time passes: ping and registration timeouts fire. */
  weft_test_clock_advance (clock, 200 * G_USEC_PER_SEC);
  weft_test_clock_advance (clock, 200 * G_USEC_PER_SEC);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      check_output (transports[i]);
      if (!weft_string_transport_is_lost (transports[i]))
        weft_string_transport_connection_lost (transports[i], NULL);
    }
  weft_irc_server_abort_all (server);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_object_unref (clients[i]);
      g_object_unref (transports[i]);
    }
  FUZZ_CHECK (weft_irc_server_get_n_connections (server) == 0);
  return 0;
}
