/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include "weft-version.h"
#include "weft-protocol.h"

G_BEGIN_DECLS

/**
 * WEFT_LINE_RECEIVER_DEFAULT_MAX_LINE_LENGTH:
 *
 * The default longest line, in bytes (delimiter not counted), that a
 * [class@Weft.LineReceiver] accepts: 16 KiB.
 */
#define WEFT_LINE_RECEIVER_DEFAULT_MAX_LINE_LENGTH (16 * 1024)

#define WEFT_TYPE_LINE_RECEIVER (weft_line_receiver_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (WeftLineReceiver, weft_line_receiver, WEFT, LINE_RECEIVER, WeftProtocol)

/**
 * WeftLineReceiverClass:
 * @parent_class: the parent class
 * @line_received: a complete line arrived, without its delimiter. @line is
 *   NUL-terminated for convenience (it may contain NULs itself: @len is the
 *   truth) and valid only during the call.
 * @raw_data_received: bytes that arrived in raw mode, valid only during the
 *   call
 * @line_length_exceeded: a line is longer than #WeftLineReceiver:max-line-length.
 *   @data holds the line (for a line still arriving, what has arrived so
 *   far). The default closes the connection with a
 *   %G_IO_ERROR_MESSAGE_TOO_LARGE error. If an override leaves the
 *   connection open, the rest of that line is skipped and reception goes on
 *   with the next one.
 *
 * The methods a line receiver overrides.
 */
struct _WeftLineReceiverClass {
  WeftProtocolClass parent_class;

  void (*line_received) (WeftLineReceiver *self, const char *line, gsize len);
  void (*raw_data_received) (WeftLineReceiver *self, const guint8 *data, gsize len);
  void (*line_length_exceeded) (WeftLineReceiver *self, const guint8 *data, gsize len);

  /*< private >*/
  gpointer padding[8];
};

WEFT_AVAILABLE_IN_ALL
void weft_line_receiver_set_delimiter (WeftLineReceiver *receiver, const char *delimiter);
WEFT_AVAILABLE_IN_ALL
const char *weft_line_receiver_get_delimiter (WeftLineReceiver *receiver);
WEFT_AVAILABLE_IN_ALL
void weft_line_receiver_set_max_line_length (WeftLineReceiver *receiver, gsize max_line_length);
WEFT_AVAILABLE_IN_ALL
gsize weft_line_receiver_get_max_line_length (WeftLineReceiver *receiver);
WEFT_AVAILABLE_IN_ALL
void weft_line_receiver_set_accept_bare_lf (WeftLineReceiver *receiver, gboolean accept);
WEFT_AVAILABLE_IN_ALL
gboolean weft_line_receiver_get_accept_bare_lf (WeftLineReceiver *receiver);

WEFT_AVAILABLE_IN_ALL
void weft_line_receiver_set_raw_mode (WeftLineReceiver *receiver);
WEFT_AVAILABLE_IN_ALL
void weft_line_receiver_set_line_mode (WeftLineReceiver *receiver, const guint8 *extra, gsize len);
WEFT_AVAILABLE_IN_ALL
gboolean weft_line_receiver_is_line_mode (WeftLineReceiver *receiver);

WEFT_AVAILABLE_IN_ALL
void weft_line_receiver_pause_producing (WeftLineReceiver *receiver);
WEFT_AVAILABLE_IN_ALL
void weft_line_receiver_resume_producing (WeftLineReceiver *receiver);
WEFT_AVAILABLE_IN_ALL
gboolean weft_line_receiver_is_paused (WeftLineReceiver *receiver);

WEFT_AVAILABLE_IN_ALL
GBytes *weft_line_receiver_clear_line_buffer (WeftLineReceiver *receiver) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
void weft_line_receiver_send_line (WeftLineReceiver *receiver, const char *line, gssize len);

G_END_DECLS
