/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeftIrcClient fed any bytes as a server, in pieces of any size, with the
 * application sending, joining and reconnecting in between: it never
 * crashes, and when it closes a connection it says why with a WeftIrcError. */
#include <string.h>

#include <weft-irc/weft-irc.h>
#include <weft/weft-testing.h>

#include "fuzz-check.h"

#define PRELUDE                                                                                                   \
  ":irc.test CAP * LS :message-tags server-time echo-message labeled-response batch away-notify account-notify "  \
  "extended-join multi-prefix chghost invite-notify setname draft/chathistory cap-notify sasl\r\n"                \
  ":irc.test CAP * ACK :message-tags server-time echo-message labeled-response batch away-notify account-notify " \
  "extended-join multi-prefix chghost invite-notify setname draft/chathistory cap-notify sasl\r\n"                \
  "AUTHENTICATE +\r\n:irc.test 903 fuzz :ok\r\n:irc.test 001 fuzz :Welcome\r\n"                                   \
  ":irc.test 005 fuzz CHATHISTORY=50 PREFIX=(ov)@+ :are supported\r\n:fuzz!f@h JOIN #fuzz\r\n"                    \
  "@msgid=x1 :bob!b@h PRIVMSG #fuzz :hi\r\n"

static void
check_closed (WeftStringTransport *transport)
{
  const GError *reason;

  if (!weft_string_transport_is_aborted (transport))
    return;
  reason = weft_string_transport_get_close_reason (transport);
  FUZZ_CHECK (reason != NULL && reason->domain == WEFT_IRC_ERROR);
}

/* Feeds @data in pieces whose sizes come from the data itself. */
static void
feed (WeftStringTransport *transport, const uint8_t *data, size_t size)
{
  size_t off = 0;

  while (off < size && !weft_string_transport_is_aborted (transport))
    {
      size_t piece = 1 + (data[off] % 64);
      if (piece > size - off)
        piece = size - off;
      weft_string_transport_receive (transport, data + off, piece);
      off += piece;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (WeftReactor) clock = weft_test_clock_new ();
  g_autoptr (WeftIrcClient) client = weft_irc_client_new (clock, "fuzz");
  g_autoptr (WeftIrcOutgoing) a = NULL;
  g_autoptr (WeftIrcOutgoing) b = NULL;
  WeftFactory *factory = WEFT_FACTORY (weft_irc_client_get_factory (client));
  size_t half = size / 2;

  weft_irc_client_set_sasl (client, WEFT_IRC_SASL_PLAIN, "fuzz", "secret");
  weft_irc_client_join (client, "#fuzz", "key");
  for (int round = 0; round < 2; round++)
    {
      g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
      g_autoptr (WeftProtocol) link = weft_factory_build_protocol (factory, NULL);
      const uint8_t *part = round == 0 ? data : data + half;
      size_t part_size = round == 0 ? half : size - half;

      weft_string_transport_connect (transport, link);
      weft_string_transport_receive (transport, PRELUDE, -1);
      if (round == 0)
        a = weft_irc_client_send_privmsg (client, "#fuzz", "a message that may be split, confirmed or failed");
      else
        b = weft_irc_client_send_action (client, "bob", "waves");
      feed (transport, part, part_size);
      check_closed (transport);
      weft_test_clock_advance (clock, 200 * G_USEC_PER_SEC);
      check_closed (transport);
      weft_string_transport_connection_lost (transport, NULL);
      FUZZ_CHECK (weft_irc_client_get_state (client) == WEFT_IRC_CLIENT_STATE_DISCONNECTED ||
                  weft_irc_client_get_state (client) == WEFT_IRC_CLIENT_STATE_WAITING);
      FUZZ_CHECK (weft_irc_outgoing_get_state (a) != WEFT_IRC_OUTGOING_STATE_SENT);
    }
  FUZZ_CHECK (weft_reactor_get_n_timers (clock) == 0);
  return 0;
}
