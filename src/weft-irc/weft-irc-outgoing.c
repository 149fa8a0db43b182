/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "weft-irc-client-private.h"

/**
 * WeftIrcOutgoing:
 *
 * A message the application sent with weft_irc_client_send_privmsg() (or
 * send_notice, send_action), followed until the server has it: a user
 * interface shows #WeftIrcOutgoing:state next to the message ("sending…",
 * a tick, or an error).
 *
 * Long text is split into several lines; the outgoing message is
 * confirmed when every line is, and fails when one fails.
 *
 * ## What is guaranteed across reconnects
 *
 * A message is written only on a registered connection, after the channel
 * it goes to has been (re)joined and, where the server offers
 * `draft/chathistory`, after the missed history has been fetched. It is
 * confirmed:
 *
 * - with `labeled-response`: by the reply that carries its label (the echo,
 *   an `ACK`, or an error numeric, which fails it);
 * - with `echo-message` only: by the echo of its text to its target, in
 *   order;
 * - with neither: by the PONG to a PING the client sends after it. Servers
 *   process a connection's lines in order, so the PONG proves the server
 *   has read and handled the message; an error numeric about its target
 *   that arrives before the PONG fails it.
 *
 * When a connection dies, every line that was written but not confirmed
 * goes back to the outbox and is sent again, once, on the next registered
 * connection; confirmed lines are never sent again. So no message is lost
 * while the client keeps reconnecting. A message is doubled only when the
 * server handled it but the connection died before the confirmation
 * arrived; where the server offers `draft/chathistory`, the client looks for
 * such a message in the history it fetches after the rejoin (same target,
 * same text, sent by the client) and does not send it again.
 */

G_DEFINE_FINAL_TYPE (WeftIrcOutgoing, weft_irc_outgoing, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_VERB,
  PROP_TARGET,
  PROP_TEXT,
  PROP_STATE,
  PROP_ERROR,
  PROP_MSGID,
  PROP_N_LINES,
  PROP_N_ATTEMPTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
out_line_free (gpointer data)
{
  WeftIrcOutLine *line = data;

  g_free (line->text);
  g_free (line->label);
  g_free (line);
}

static void
weft_irc_outgoing_finalize (GObject *object)
{
  WeftIrcOutgoing *self = WEFT_IRC_OUTGOING (object);

  g_free (self->verb);
  g_free (self->target);
  g_free (self->text);
  g_clear_error (&self->error);
  g_free (self->msgid);
  g_ptr_array_unref (self->lines);
  G_OBJECT_CLASS (weft_irc_outgoing_parent_class)->finalize (object);
}

static void
weft_irc_outgoing_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftIrcOutgoing *self = WEFT_IRC_OUTGOING (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint64 (value, self->id);
      break;
    case PROP_VERB:
      g_value_set_string (value, self->verb);
      break;
    case PROP_TARGET:
      g_value_set_string (value, self->target);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_MSGID:
      g_value_set_string (value, self->msgid);
      break;
    case PROP_N_LINES:
      g_value_set_uint (value, self->lines->len);
      break;
    case PROP_N_ATTEMPTS:
      g_value_set_uint (value, self->n_attempts);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_irc_outgoing_class_init (WeftIrcOutgoingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = weft_irc_outgoing_finalize;
  object_class->get_property = weft_irc_outgoing_get_property;

  /** WeftIrcOutgoing:id: (getter get_id)
   *
   * A number that identifies the message in this client, from 1. */
  properties[PROP_ID] = g_param_spec_uint64 ("id", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /** WeftIrcOutgoing:verb: (getter get_verb)
   *
   * `PRIVMSG` or `NOTICE`. */
  properties[PROP_VERB] = g_param_spec_string ("verb", NULL, NULL, NULL, flags);
  /** WeftIrcOutgoing:target: (getter get_target)
   *
   * The channel or nick the message goes to. */
  properties[PROP_TARGET] = g_param_spec_string ("target", NULL, NULL, NULL, flags);
  /** WeftIrcOutgoing:text: (getter get_text)
   *
   * The text as the application gave it (for an action, without the CTCP
   * framing). */
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, flags);
  /** WeftIrcOutgoing:state: (getter get_state)
   *
   * Where the message is; see #WeftIrcOutgoingState. */
  properties[PROP_STATE] =
      g_param_spec_enum ("state", NULL, NULL, WEFT_IRC_TYPE_OUTGOING_STATE, WEFT_IRC_OUTGOING_STATE_QUEUED, flags);
  /** WeftIrcOutgoing:error: (getter get_error)
   *
   * Why the message failed, or %NULL. */
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);
  /** WeftIrcOutgoing:msgid: (getter get_msgid)
   *
   * The server's msgid for the message, once confirmed by a reply that
   * carries one; %NULL otherwise. */
  properties[PROP_MSGID] = g_param_spec_string ("msgid", NULL, NULL, NULL, flags);
  /** WeftIrcOutgoing:n-lines: (getter get_n_lines)
   *
   * How many IRC lines the text was split into. */
  properties[PROP_N_LINES] = g_param_spec_uint ("n-lines", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /** WeftIrcOutgoing:n-attempts: (getter get_n_attempts)
   *
   * How many times it was written: 1, or more after reconnects. */
  properties[PROP_N_ATTEMPTS] = g_param_spec_uint ("n-attempts", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
weft_irc_outgoing_init (WeftIrcOutgoing *self)
{
  self->lines = g_ptr_array_new_with_free_func (out_line_free);
}

WeftIrcOutgoing *
_weft_irc_outgoing_new (guint64 id, const char *verb, const char *target, const char *text)
{
  WeftIrcOutgoing *self = g_object_new (WEFT_IRC_TYPE_OUTGOING, NULL);

  self->id = id;
  self->verb = g_strdup (verb);
  self->target = g_strdup (target);
  self->text = g_strdup (text);
  return self;
}

void
_weft_irc_outgoing_add_line (WeftIrcOutgoing *outgoing, const char *text)
{
  WeftIrcOutLine *line = g_new0 (WeftIrcOutLine, 1);

  line->text = g_strdup (text);
  line->state = WEFT_IRC_OUTGOING_STATE_QUEUED;
  g_ptr_array_add (outgoing->lines, line);
}

void
_weft_irc_outgoing_set_state (WeftIrcOutgoing *outgoing, WeftIrcOutgoingState state)
{
  if (outgoing->state == state)
    return;
  outgoing->state = state;
  g_object_notify_by_pspec (G_OBJECT (outgoing), properties[PROP_STATE]);
}

void
_weft_irc_outgoing_fail (WeftIrcOutgoing *outgoing, const GError *error)
{
  if (outgoing->state == WEFT_IRC_OUTGOING_STATE_FAILED)
    return;
  g_clear_error (&outgoing->error);
  outgoing->error = g_error_copy (error);
  for (guint i = 0; i < outgoing->lines->len; i++)
    {
      WeftIrcOutLine *line = g_ptr_array_index (outgoing->lines, i);
      if (line->state != WEFT_IRC_OUTGOING_STATE_CONFIRMED)
        line->state = WEFT_IRC_OUTGOING_STATE_FAILED;
    }
  g_object_notify_by_pspec (G_OBJECT (outgoing), properties[PROP_ERROR]);
  _weft_irc_outgoing_set_state (outgoing, WEFT_IRC_OUTGOING_STATE_FAILED);
}

void
_weft_irc_outgoing_set_msgid (WeftIrcOutgoing *outgoing, const char *msgid)
{
  if (msgid == NULL || g_strcmp0 (outgoing->msgid, msgid) == 0)
    return;
  g_free (outgoing->msgid);
  outgoing->msgid = g_strdup (msgid);
  g_object_notify_by_pspec (G_OBJECT (outgoing), properties[PROP_MSGID]);
}

/* Derives the message's state from its lines': the least advanced wins. */
void
_weft_irc_outgoing_update (WeftIrcOutgoing *outgoing)
{
  WeftIrcOutgoingState state = WEFT_IRC_OUTGOING_STATE_CONFIRMED;

  if (outgoing->state == WEFT_IRC_OUTGOING_STATE_FAILED)
    return;
  for (guint i = 0; i < outgoing->lines->len; i++)
    {
      WeftIrcOutLine *line = g_ptr_array_index (outgoing->lines, i);
      if ((WeftIrcOutgoingState) line->state < state)
        state = line->state;
    }
  g_object_notify_by_pspec (G_OBJECT (outgoing), properties[PROP_N_ATTEMPTS]);
  _weft_irc_outgoing_set_state (outgoing, state);
}

/**
 * weft_irc_outgoing_get_id:
 * @outgoing: an outgoing message
 *
 * Returns: its number in the client
 */
guint64
weft_irc_outgoing_get_id (WeftIrcOutgoing *outgoing)
{
  g_return_val_if_fail (WEFT_IRC_IS_OUTGOING (outgoing), 0);
  return outgoing->id;
}

/**
 * weft_irc_outgoing_get_verb:
 * @outgoing: an outgoing message
 *
 * Returns: `PRIVMSG` or `NOTICE`
 */
const char *
weft_irc_outgoing_get_verb (WeftIrcOutgoing *outgoing)
{
  g_return_val_if_fail (WEFT_IRC_IS_OUTGOING (outgoing), NULL);
  return outgoing->verb;
}

/**
 * weft_irc_outgoing_get_target:
 * @outgoing: an outgoing message
 *
 * Returns: the channel or nick it goes to
 */
const char *
weft_irc_outgoing_get_target (WeftIrcOutgoing *outgoing)
{
  g_return_val_if_fail (WEFT_IRC_IS_OUTGOING (outgoing), NULL);
  return outgoing->target;
}

/**
 * weft_irc_outgoing_get_text:
 * @outgoing: an outgoing message
 *
 * Returns: the text
 */
const char *
weft_irc_outgoing_get_text (WeftIrcOutgoing *outgoing)
{
  g_return_val_if_fail (WEFT_IRC_IS_OUTGOING (outgoing), NULL);
  return outgoing->text;
}

/**
 * weft_irc_outgoing_get_state:
 * @outgoing: an outgoing message
 *
 * Returns: where the message is
 */
WeftIrcOutgoingState
weft_irc_outgoing_get_state (WeftIrcOutgoing *outgoing)
{
  g_return_val_if_fail (WEFT_IRC_IS_OUTGOING (outgoing), WEFT_IRC_OUTGOING_STATE_FAILED);
  return outgoing->state;
}

/**
 * weft_irc_outgoing_get_error:
 * @outgoing: an outgoing message
 *
 * Returns: (nullable) (transfer none): why it failed
 */
const GError *
weft_irc_outgoing_get_error (WeftIrcOutgoing *outgoing)
{
  g_return_val_if_fail (WEFT_IRC_IS_OUTGOING (outgoing), NULL);
  return outgoing->error;
}

/**
 * weft_irc_outgoing_get_msgid:
 * @outgoing: an outgoing message
 *
 * Returns: (nullable): the server's msgid for it, once known
 */
const char *
weft_irc_outgoing_get_msgid (WeftIrcOutgoing *outgoing)
{
  g_return_val_if_fail (WEFT_IRC_IS_OUTGOING (outgoing), NULL);
  return outgoing->msgid;
}

/**
 * weft_irc_outgoing_get_n_lines:
 * @outgoing: an outgoing message
 *
 * Returns: how many lines the text was split into
 */
guint
weft_irc_outgoing_get_n_lines (WeftIrcOutgoing *outgoing)
{
  g_return_val_if_fail (WEFT_IRC_IS_OUTGOING (outgoing), 0);
  return outgoing->lines->len;
}

/**
 * weft_irc_outgoing_get_n_attempts:
 * @outgoing: an outgoing message
 *
 * Returns: how many times it was written (more than 1 after a resend)
 */
guint
weft_irc_outgoing_get_n_attempts (WeftIrcOutgoing *outgoing)
{
  g_return_val_if_fail (WEFT_IRC_IS_OUTGOING (outgoing), 0);
  return outgoing->n_attempts;
}

/**
 * weft_irc_outgoing_is_done:
 * @outgoing: an outgoing message
 *
 * Returns: whether it is confirmed or failed: nothing more will happen
 */
gboolean
weft_irc_outgoing_is_done (WeftIrcOutgoing *outgoing)
{
  g_return_val_if_fail (WEFT_IRC_IS_OUTGOING (outgoing), TRUE);
  return outgoing->state == WEFT_IRC_OUTGOING_STATE_CONFIRMED || outgoing->state == WEFT_IRC_OUTGOING_STATE_FAILED;
}
