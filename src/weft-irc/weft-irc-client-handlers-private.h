/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the files that handle the server's messages:
 * weft-irc-client-handlers.c (dispatch, channel and user state),
 * weft-irc-client-registration.c (CAP, SASL, registration, ISUPPORT) and
 * weft-irc-client-messages.c (PRIVMSG/NOTICE, CTCP, confirmations,
 * batches, history). */
#pragma once

#include "weft-irc-client-private.h"

G_BEGIN_DECLS

/* One message being handled. */
typedef struct {
  WeftIrcClient *self;
  WeftIrcMessage *msg;
  const char *label; /* labeled-response label, from the message or its batch */
  gboolean history;  /* inside a chathistory batch */
  char *nick;        /* the source's nick, or NULL */
  char *user;
  char *host;
  gboolean from_server;
} Ctx;

#define EMIT(self, sig, ...) \
  g_signal_emit ((self), _weft_irc_client_signals[WEFT_IRC_CLIENT_SIGNAL_##sig], 0, __VA_ARGS__)

static inline const char *
param (Ctx *c, guint i)
{
  return weft_irc_message_get_param (c->msg, i);
}

static inline guint
n_params (Ctx *c)
{
  return weft_irc_message_get_n_params (c->msg);
}

static inline const char *
last_param (Ctx *c)
{
  guint n = n_params (c);
  return n > 0 ? param (c, n - 1) : "";
}

void _weft_irc_client_send_va (WeftIrcClient *self, gboolean now, const char *verb, ...) G_GNUC_NULL_TERMINATED;
gint64 _weft_irc_message_time (WeftIrcMessage *msg);

/* weft-irc-client-registration.c */
void _weft_irc_client_handle_cap (Ctx *c);
void _weft_irc_client_handle_authenticate (Ctx *c);
void _weft_irc_client_handle_welcome (Ctx *c);
void _weft_irc_client_handle_isupport (Ctx *c);
void _weft_irc_client_try_next_nick (Ctx *c);
void _weft_irc_client_maybe_end_caps (WeftIrcClient *self);
void _weft_irc_client_set_account (WeftIrcClient *self, const char *account);

/* weft-irc-client-messages.c */
void _weft_irc_client_handle_text (Ctx *c, gboolean notice);
void _weft_irc_client_handle_batch (Ctx *c);
void _weft_irc_client_handle_fail (Ctx *c);
void _weft_irc_client_handle_ack (Ctx *c);
void _weft_irc_client_find_batch_context (Ctx *c);
void _weft_irc_client_fail_by_label_or_target (Ctx *c, const char *target);
void _weft_irc_client_request_missed_history (WeftIrcClient *self, WeftIrcChannel *channel);
void _weft_irc_client_request_private_histories (WeftIrcClient *self);

G_END_DECLS
