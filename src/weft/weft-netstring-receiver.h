/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-protocol.h"

G_BEGIN_DECLS

/**
 * WEFT_NETSTRING_RECEIVER_DEFAULT_MAX_LENGTH:
 *
 * The default longest netstring, in bytes of data, that a
 * [class@Weft.NetstringReceiver] accepts: 99999, as in Twisted.
 */
#define WEFT_NETSTRING_RECEIVER_DEFAULT_MAX_LENGTH 99999

#define WEFT_TYPE_NETSTRING_RECEIVER (weft_netstring_receiver_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftNetstringReceiver, weft_netstring_receiver, WEFT, NETSTRING_RECEIVER, WeftProtocol)

/**
 * WeftNetstringReceiverClass:
 * @parent_class: the parent class
 * @string_received: a complete netstring arrived; @data (its payload,
 *   without length and comma) is valid only during the call
 *
 * The methods a netstring receiver overrides.
 */
struct _WeftNetstringReceiverClass {
  WeftProtocolClass parent_class;

  void (*string_received) (WeftNetstringReceiver *self, const guint8 *data, gsize len);

  /*< private >*/
  gpointer padding[8];
};

WEFT_AVAILABLE_IN_ALL
void weft_netstring_receiver_set_max_length (WeftNetstringReceiver *receiver, gsize max_length);
WEFT_AVAILABLE_IN_ALL
gsize weft_netstring_receiver_get_max_length (WeftNetstringReceiver *receiver);
WEFT_AVAILABLE_IN_ALL
void weft_netstring_receiver_send_string (WeftNetstringReceiver *receiver, const guint8 *data, gsize len);

G_END_DECLS
