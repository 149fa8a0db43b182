/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-protocol.h"

G_BEGIN_DECLS

/**
 * WEFT_LENGTH_PREFIXED_RECEIVER_DEFAULT_MAX_LENGTH:
 *
 * The default longest message, in bytes, that a
 * [class@Weft.LengthPrefixedReceiver] accepts: 99999, as in Twisted.
 */
#define WEFT_LENGTH_PREFIXED_RECEIVER_DEFAULT_MAX_LENGTH 99999

#define WEFT_TYPE_LENGTH_PREFIXED_RECEIVER (weft_length_prefixed_receiver_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftLengthPrefixedReceiver,
                          weft_length_prefixed_receiver,
                          WEFT,
                          LENGTH_PREFIXED_RECEIVER,
                          WeftProtocol)

/**
 * WeftLengthPrefixedReceiverClass:
 * @parent_class: the parent class
 * @string_received: a complete message arrived; @data is valid only during
 *   the call
 * @length_limit_exceeded: a prefix announced @length bytes, more than
 *   #WeftLengthPrefixedReceiver:max-length. The default closes the
 *   connection with a %G_IO_ERROR_MESSAGE_TOO_LARGE error. If an override
 *   leaves the connection open, the message's bytes are skipped as they
 *   arrive (never stored) and reception goes on with the next one.
 *
 * The methods a length-prefixed receiver overrides.
 */
struct _WeftLengthPrefixedReceiverClass {
  WeftProtocolClass parent_class;

  void (*string_received) (WeftLengthPrefixedReceiver *self, const guint8 *data, gsize len);
  void (*length_limit_exceeded) (WeftLengthPrefixedReceiver *self, gsize length);

  /*< private >*/
  gpointer padding[8];
};

WEFT_AVAILABLE_IN_ALL
void weft_length_prefixed_receiver_set_prefix_size (WeftLengthPrefixedReceiver *receiver, guint prefix_size);
WEFT_AVAILABLE_IN_ALL
guint weft_length_prefixed_receiver_get_prefix_size (WeftLengthPrefixedReceiver *receiver);
WEFT_AVAILABLE_IN_ALL
void weft_length_prefixed_receiver_set_max_length (WeftLengthPrefixedReceiver *receiver, gsize max_length);
WEFT_AVAILABLE_IN_ALL
gsize weft_length_prefixed_receiver_get_max_length (WeftLengthPrefixedReceiver *receiver);
WEFT_AVAILABLE_IN_ALL
gboolean weft_length_prefixed_receiver_send_string (WeftLengthPrefixedReceiver *receiver,
                                                    const guint8 *data,
                                                    gsize len,
                                                    GError **error);

G_END_DECLS
