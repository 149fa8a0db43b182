/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#if !defined(WEFT_INSIDE) && !defined(WEFT_COMPILATION)
#error "Only <weft/weft.h> can be included directly."
#endif

#include <gio/gio.h>
#include "weft-version.h"

#include "weft-protocol.h"
#include "weft-reactor.h"
#include "weft-transport.h"

G_BEGIN_DECLS

#define WEFT_TYPE_STDIO (weft_stdio_get_type ())
WEFT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WeftStdio, weft_stdio, WEFT, STDIO, GObject)

WEFT_AVAILABLE_IN_ALL
WeftStdio *weft_stdio_new (WeftReactor *reactor, WeftProtocol *protocol, GError **error) G_GNUC_WARN_UNUSED_RESULT;
WEFT_AVAILABLE_IN_ALL
WeftStdio *weft_stdio_new_for_fds (WeftReactor *reactor, WeftProtocol *protocol, int in_fd, int out_fd, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;

WEFT_AVAILABLE_IN_ALL
int weft_stdio_get_in_fd (WeftStdio *stdio);
WEFT_AVAILABLE_IN_ALL
int weft_stdio_get_out_fd (WeftStdio *stdio);

G_END_DECLS
