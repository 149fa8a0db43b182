/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Using protocols without subclassing: the connection-made/lost and
 * message signals, the bindable connection state, factories that build
 * protocols with a function, and the line receiver's bare-newline mode. */

#include "config.h"

#include <string.h>

#include <weft/weft-testing.h>

static void
append_event (GPtrArray *log, const char *text)
{
  g_ptr_array_add (log, g_strdup (text));
}

static char *
joined (GPtrArray *log)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < log->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append (out, g_ptr_array_index (log, i));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
on_connection_made (WeftProtocol *protocol, WeftTransport *transport, GPtrArray *log)
{
  g_assert_true (WEFT_IS_TRANSPORT (transport));
  g_assert_true (weft_protocol_get_transport (protocol) == transport);
  append_event (log, "made");
}

static void
on_connection_lost (WeftProtocol *protocol, const GError *reason, GPtrArray *log)
{
  g_autofree char *text = NULL;

  g_assert_nonnull (reason);
  /* The transport is still there while handlers run. */
  g_assert_nonnull (weft_protocol_get_transport (protocol));
  text =
      g_strdup_printf ("lost:%s", g_error_matches (reason, WEFT_ERROR, WEFT_ERROR_CONNECTION_DONE) ? "done" : "other");
  append_event (log, text);
}

static void
on_line (WeftLineReceiver *receiver, const char *line, guint64 len, GPtrArray *log)
{
  g_autofree char *text = NULL;

  g_assert_cmpuint (strlen (line), ==, len);
  text = g_strdup_printf ("line:%s", line);
  append_event (log, text);
}

static void
on_state_notify (WeftProtocol *protocol, GParamSpec *pspec, GPtrArray *log)
{
  GEnumClass *klass = g_type_class_ref (WEFT_TYPE_CONNECTION_STATE);
  GEnumValue *value = g_enum_get_value (klass, weft_protocol_get_state (protocol));
  g_autofree char *text = g_strdup_printf ("state:%s", value->value_nick);

  append_event (log, text);
  g_type_class_unref (klass);
}

static void
test_signals_connection_made_and_lost (void)
{
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (WeftProtocol) protocol = g_object_new (WEFT_TYPE_PROTOCOL, NULL);
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autofree char *got = NULL;

  g_signal_connect (protocol, "connection-made", G_CALLBACK (on_connection_made), log);
  g_signal_connect (protocol, "connection-lost", G_CALLBACK (on_connection_lost), log);
  g_signal_connect (protocol, "notify::state", G_CALLBACK (on_state_notify), log);
  g_assert_cmpint (weft_protocol_get_state (protocol), ==, WEFT_CONNECTION_STATE_NEW);

  weft_string_transport_connect (transport, protocol);
  g_assert_cmpint (weft_protocol_get_state (protocol), ==, WEFT_CONNECTION_STATE_CONNECTED);
  weft_transport_lose_connection (WEFT_TRANSPORT (transport));
  g_assert_cmpint (weft_protocol_get_state (protocol), ==, WEFT_CONNECTION_STATE_CLOSING);
  weft_transport_lose_connection (WEFT_TRANSPORT (transport)); /* no second notification */
  weft_string_transport_connection_lost (transport, NULL);
  g_assert_cmpint (weft_protocol_get_state (protocol), ==, WEFT_CONNECTION_STATE_CLOSED);

  got = joined (log);
  g_assert_cmpstr (got, ==, "made|state:connected|state:closing|lost:done|state:closed");
}

/* A stand-in for a GtkLabel: one string property. */
#define TEST_TYPE_LABEL (test_label_get_type ())
G_DECLARE_FINAL_TYPE (TestLabel, test_label, TEST, LABEL, GObject)

struct _TestLabel {
  GObject parent_instance;
  char *label;
};

G_DEFINE_FINAL_TYPE (TestLabel, test_label, G_TYPE_OBJECT)

static void
test_label_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  g_value_set_string (value, TEST_LABEL (object)->label);
}

static void
test_label_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  g_free (TEST_LABEL (object)->label);
  TEST_LABEL (object)->label = g_value_dup_string (value);
}

static void
test_label_finalize (GObject *object)
{
  g_free (TEST_LABEL (object)->label);
  G_OBJECT_CLASS (test_label_parent_class)->finalize (object);
}

static void
test_label_class_init (TestLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_label_get_property;
  object_class->set_property = test_label_set_property;
  object_class->finalize = test_label_finalize;
  g_object_class_install_property (object_class, 1,
                                   g_param_spec_string ("label", NULL, NULL, NULL,
                                                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
test_label_init (TestLabel *self)
{
}

static gboolean
state_to_text (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  GEnumClass *klass = g_type_class_ref (WEFT_TYPE_CONNECTION_STATE);

  g_value_set_string (to, g_enum_get_value (klass, g_value_get_enum (from))->value_nick);
  g_type_class_unref (klass);
  return TRUE;
}

static void
test_signals_state_binds_to_a_label (void)
{
  g_autoptr (WeftProtocol) protocol = g_object_new (WEFT_TYPE_PROTOCOL, NULL);
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autoptr (TestLabel) label = g_object_new (TEST_TYPE_LABEL, NULL);

  g_object_bind_property_full (protocol, "state", label, "label", G_BINDING_SYNC_CREATE, state_to_text, NULL, NULL,
                               NULL);
  g_assert_cmpstr (label->label, ==, "new");
  weft_string_transport_connect (transport, protocol);
  g_assert_cmpstr (label->label, ==, "connected");
  weft_transport_abort_connection (WEFT_TRANSPORT (transport));
  g_assert_cmpstr (label->label, ==, "closing");
  weft_string_transport_connection_lost (transport, NULL);
  g_assert_cmpstr (label->label, ==, "closed");
}

static void
test_signals_line_received (void)
{
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (WeftLineReceiver) receiver = g_object_new (WEFT_TYPE_LINE_RECEIVER, NULL);
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autofree char *got = NULL;

  g_signal_connect (receiver, "line-received", G_CALLBACK (on_line), log);
  weft_string_transport_connect (transport, WEFT_PROTOCOL (receiver));
  weft_string_transport_receive (transport, "hello\r\nworld\r\npartial", -1);
  got = joined (log);
  g_assert_cmpstr (got, ==, "line:hello|line:world");
  weft_string_transport_connection_lost (transport, NULL);
}

static void
test_signals_bare_newline_merges_without_the_mode (void)
{
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (WeftLineReceiver) receiver = g_object_new (WEFT_TYPE_LINE_RECEIVER, NULL);
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autofree char *got = NULL;

  g_signal_connect (receiver, "line-received", G_CALLBACK (on_line), log);
  weft_string_transport_connect (transport, WEFT_PROTOCOL (receiver));
  weft_string_transport_receive (transport, "a\nb\r\n", -1);
  got = joined (log);
  g_assert_cmpstr (got, ==, "line:a\nb");
  weft_string_transport_connection_lost (transport, NULL);
}

static const gsize steps[] = { 0, 1, 2, 3 };

static void
test_signals_bare_newline_mode (void)
{
  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (WeftLineReceiver) receiver = g_object_new (WEFT_TYPE_LINE_RECEIVER, "accept-bare-lf", TRUE, NULL);
      g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
      const char *input = "one\ntwo\r\n\nthree\r\r\nfour";
      gsize len = strlen (input), step = steps[s] == 0 ? len : steps[s];
      g_autofree char *got = NULL;
      gsize written = 0;
      g_autoptr (GBytes) sent = NULL;

      g_assert_true (weft_line_receiver_get_accept_bare_lf (receiver));
      g_signal_connect (receiver, "line-received", G_CALLBACK (on_line), log);
      weft_string_transport_connect (transport, WEFT_PROTOCOL (receiver));
      for (gsize i = 0; i < len; i += step)
        weft_string_transport_receive (transport, input + i, MIN (step, len - i));
      got = joined (log);
      /* One "\r" before the newline goes; a second one is part of the line. */
      g_assert_cmpstr (got, ==, "line:one|line:two|line:|line:three\r");

      /* Sending still uses the delimiter. */
      weft_line_receiver_send_line (receiver, "x", -1);
      sent = weft_string_transport_get_value (transport);
      g_assert_cmpmem (g_bytes_get_data (sent, &written), written, "x\r\n", 3);
      weft_string_transport_connection_lost (transport, NULL);
    }
}

static void
test_signals_bare_newline_mode_length_limit (void)
{
  g_autoptr (WeftLineReceiver) receiver = g_object_new (WEFT_TYPE_LINE_RECEIVER, "accept-bare-lf", TRUE, NULL);
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  const GError *reason;

  weft_line_receiver_set_max_line_length (receiver, 4);
  g_signal_connect (receiver, "line-received", G_CALLBACK (on_line), log);
  weft_string_transport_connect (transport, WEFT_PROTOCOL (receiver));
  /* Exactly the limit, its "\r\n" split across reads: accepted. */
  weft_string_transport_receive (transport, "abcd\r", -1);
  g_assert_false (weft_string_transport_is_disconnecting (transport));
  weft_string_transport_receive (transport, "\nabcde", -1);
  g_assert_cmpuint (log->len, ==, 1);
  g_assert_false (weft_string_transport_is_disconnecting (transport));
  weft_string_transport_receive (transport, "f", -1);
  g_assert_true (weft_string_transport_is_disconnecting (transport));
  reason = weft_string_transport_get_close_reason (transport);
  g_assert_error (reason, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  weft_string_transport_connection_lost (transport, NULL);
}

static void
on_string (GObject *receiver, GBytes *message, GPtrArray *log)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  g_autofree char *text = g_strdup_printf ("msg:%.*s", (int) len, data);

  append_event (log, text);
}

static void
test_signals_netstring_and_length_prefixed (void)
{
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (WeftNetstringReceiver) netstring = g_object_new (WEFT_TYPE_NETSTRING_RECEIVER, NULL);
  g_autoptr (WeftLengthPrefixedReceiver) prefixed = g_object_new (WEFT_TYPE_LENGTH_PREFIXED_RECEIVER, NULL);
  g_autoptr (WeftStringTransport) t1 = weft_string_transport_new ();
  g_autoptr (WeftStringTransport) t2 = weft_string_transport_new ();
  g_autofree char *got = NULL;

  g_signal_connect (netstring, "message-received", G_CALLBACK (on_string), log);
  g_signal_connect (prefixed, "message-received", G_CALLBACK (on_string), log);
  weft_string_transport_connect (t1, WEFT_PROTOCOL (netstring));
  weft_string_transport_connect (t2, WEFT_PROTOCOL (prefixed));
  weft_string_transport_receive (t1, "5:hello,0:,", -1);
  weft_length_prefixed_receiver_set_prefix_size (prefixed, 2);
  weft_string_transport_receive (t2, "\0\3abc", 5);
  got = joined (log);
  g_assert_cmpstr (got, ==, "msg:hello|msg:|msg:abc");
  weft_string_transport_connection_lost (t1, NULL);
  weft_string_transport_connection_lost (t2, NULL);
}

typedef struct {
  GPtrArray *log;
  guint built;
  gboolean destroyed;
} FactoryData;

static WeftProtocol *
build_line_protocol (WeftFactory *factory, GSocketAddress *address, gpointer user_data)
{
  FactoryData *data = user_data;
  WeftProtocol *protocol = g_object_new (WEFT_TYPE_LINE_RECEIVER, NULL);

  data->built++;
  if (data->built == 2)
    {
      g_object_unref (protocol);
      return NULL; /* refuse the second connection */
    }
  g_signal_connect (protocol, "line-received", G_CALLBACK (on_line), data->log);
  return protocol;
}

static void
factory_data_destroy (gpointer user_data)
{
  ((FactoryData *) user_data)->destroyed = TRUE;
}

static void
test_signals_factory_with_func (void)
{
  FactoryData data = { g_ptr_array_new_with_free_func (g_free), 0, FALSE };
  WeftFactory *factory = weft_factory_new_with_func (build_line_protocol, &data, factory_data_destroy);
  g_autoptr (WeftProtocol) protocol = weft_factory_build_protocol (factory, NULL);
  g_autoptr (WeftProtocol) refused = weft_factory_build_protocol (factory, NULL);
  g_autoptr (WeftStringTransport) transport = weft_string_transport_new ();
  g_autofree char *got = NULL;

  g_assert_true (WEFT_IS_LINE_RECEIVER (protocol));
  g_assert_null (refused);
  g_assert_true (weft_protocol_get_factory (protocol) == factory);
  weft_string_transport_connect (transport, protocol);
  weft_string_transport_receive (transport, "hi\r\n", -1);
  got = joined (data.log);
  g_assert_cmpstr (got, ==, "line:hi");
  weft_string_transport_connection_lost (transport, NULL);

  g_clear_object (&transport);
  g_clear_object (&protocol); /* it holds a reference to the factory */
  g_assert_false (data.destroyed);
  g_object_unref (factory);
  g_assert_true (data.destroyed);
  g_ptr_array_unref (data.log);
}

static void
test_signals_client_factory_with_func (void)
{
  FactoryData data = { g_ptr_array_new_with_free_func (g_free), 0, FALSE };
  WeftClientFactory *factory = weft_client_factory_new_with_func (build_line_protocol, &data, factory_data_destroy);
  g_autoptr (WeftProtocol) protocol = weft_factory_build_protocol (WEFT_FACTORY (factory), NULL);

  g_assert_true (WEFT_IS_CLIENT_FACTORY (factory));
  g_assert_true (WEFT_IS_LINE_RECEIVER (protocol));
  g_clear_object (&protocol);
  g_object_unref (factory);
  g_assert_true (data.destroyed);
  g_ptr_array_unref (data.log);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/signals/connection-made-and-lost", test_signals_connection_made_and_lost);
  g_test_add_func ("/protocol/signals/state-binds-to-a-label", test_signals_state_binds_to_a_label);
  g_test_add_func ("/protocol/signals/line-received", test_signals_line_received);
  g_test_add_func ("/protocol/signals/bare-newline-merges-without-the-mode",
                   test_signals_bare_newline_merges_without_the_mode);
  g_test_add_func ("/protocol/signals/bare-newline-mode", test_signals_bare_newline_mode);
  g_test_add_func ("/protocol/signals/bare-newline-mode-length-limit", test_signals_bare_newline_mode_length_limit);
  g_test_add_func ("/protocol/signals/message-received", test_signals_netstring_and_length_prefixed);
  g_test_add_func ("/protocol/factory/new-with-func", test_signals_factory_with_func);
  g_test_add_func ("/protocol/factory/client-new-with-func", test_signals_client_factory_with_func);

  return g_test_run ();
}
