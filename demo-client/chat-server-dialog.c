/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "chat-server-dialog.h"

struct _ChatServerDialog {
  AdwWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwEntryRow *name_row;
  AdwEntryRow *host_row;
  AdwActionRow *port_row;
  GtkSpinButton *port_spin;
  AdwActionRow *tls_row;
  GtkSwitch *tls_switch;
  AdwEntryRow *nick_row;
  AdwEntryRow *alt_nicks_row;
  AdwEntryRow *realname_row;
  AdwEntryRow *account_row;
  AdwEntryRow *password_row;
  AdwEntryRow *channels_row;
  GtkButton *add_button;

  /* Editing a configured server: what the fields do not show. */
  ChatServerConfig *original;
};

G_DEFINE_FINAL_TYPE (ChatServerDialog, chat_server_dialog, ADW_TYPE_WINDOW)

enum {
  SERVER_ADDED,
  SERVER_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
text_of (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static gboolean
is_url (const char *text)
{
  return g_str_has_prefix (text, "ws://") || g_str_has_prefix (text, "wss://") || g_str_has_prefix (text, "irc://") ||
         g_str_has_prefix (text, "ircs://");
}

static char **
split_words (const char *text)
{
  g_auto (GStrv) parts = g_strsplit_set (text, " ,", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (char **p = parts; *p != NULL; p++)
    if ((*p)[0] != '\0')
      g_strv_builder_add (builder, *p);
  return g_strv_builder_end (builder);
}

ChatServerConfig *
chat_server_dialog_get_config (ChatServerDialog *self, GError **error)
{
  g_autoptr (ChatServerConfig) config = chat_server_config_new ();
  g_autofree char *host = g_strstrip (g_strdup (text_of (self->host_row)));
  g_autofree char *nick = g_strstrip (g_strdup (text_of (self->nick_row)));
  g_auto (GStrv) channels = split_words (text_of (self->channels_row));
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (host[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("Enter the server's host name or address."));
      return NULL;
    }
  if (nick[0] == '\0' || strpbrk (nick, " ,:!@") != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("Enter a nickname without spaces, commas, colons, “!” or “@”."));
      return NULL;
    }
  if (is_url (host))
    {
      g_autoptr (GUri) uri = g_uri_parse (host, G_URI_FLAGS_NONE, NULL);

      if (uri == NULL || g_uri_get_host (uri) == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("“%s” is not a valid address."), host);
          return NULL;
        }
      config->url = g_strdup (host);
    }
  else
    config->url = chat_server_config_build_url (host, gtk_spin_button_get_value_as_int (self->port_spin),
                                                gtk_switch_get_active (self->tls_switch));
  config->name = g_strdup (text_of (self->name_row)[0] != '\0' ? text_of (self->name_row) : host);
  config->nick = g_steal_pointer (&nick);
  config->alt_nicks = split_words (text_of (self->alt_nicks_row));
  config->realname = g_strdup (text_of (self->realname_row));
  config->sasl_account = g_strstrip (g_strdup (text_of (self->account_row)));
  config->password = g_strdup (text_of (self->password_row));
  for (char **c = channels; *c != NULL; c++)
    {
      g_autofree char *name = (*c)[0] == '#' || (*c)[0] == '&' ? g_strdup (*c) : g_strconcat ("#", *c, NULL);
      g_strv_builder_add (builder, name);
    }
  config->channels = g_strv_builder_end (builder);
  if (self->original != NULL)
    {
      /* The same server: its key in the keyring, and its pinned
       * certificate while the address stays the same. */
      g_free (config->id);
      config->id = g_strdup (self->original->id);
      if (g_strcmp0 (config->url, self->original->url) == 0)
        config->fingerprint = g_strdup (self->original->fingerprint);
    }
  return g_steal_pointer (&config);
}

static void
fields_changed (ChatServerDialog *self)
{
  gboolean url = is_url (text_of (self->host_row));

  gtk_widget_set_sensitive (GTK_WIDGET (self->port_row), !url);
  gtk_widget_set_sensitive (GTK_WIDGET (self->tls_row), !url);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "server.add",
                                 text_of (self->host_row)[0] != '\0' && text_of (self->nick_row)[0] != '\0');
}

static void
tls_toggled (ChatServerDialog *self)
{
  int port = gtk_spin_button_get_value_as_int (self->port_spin);
  gboolean tls = gtk_switch_get_active (self->tls_switch);

  /* Follow the usual port when the user has not chosen another one. */
  if (tls && port == 6667)
    gtk_spin_button_set_value (self->port_spin, 6697);
  else if (!tls && port == 6697)
    gtk_spin_button_set_value (self->port_spin, 6667);
}

static void
add_activated (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ChatServerDialog *self = CHAT_SERVER_DIALOG (widget);
  g_autoptr (GError) error = NULL;
  g_autoptr (ChatServerConfig) config = chat_server_dialog_get_config (self, &error);

  if (config == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  g_signal_emit (self, signals[self->original != NULL ? SERVER_CHANGED : SERVER_ADDED], 0, config);
  gtk_window_close (GTK_WINDOW (self));
}

void
chat_server_dialog_fill (ChatServerDialog *self,
                         const char *name,
                         const char *host,
                         guint port,
                         gboolean tls,
                         const char *nick,
                         const char *channels)
{
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), host);
  gtk_switch_set_active (self->tls_switch, tls);
  gtk_spin_button_set_value (self->port_spin, port);
  gtk_editable_set_text (GTK_EDITABLE (self->nick_row), nick);
  gtk_editable_set_text (GTK_EDITABLE (self->channels_row), channels);
}

void
chat_server_dialog_set_password (ChatServerDialog *self, const char *password)
{
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
}

ChatServerDialog *
chat_server_dialog_new (GtkWindow *parent)
{
  return g_object_new (CHAT_TYPE_SERVER_DIALOG, "transient-for", parent, NULL);
}

static void
set_strv (AdwEntryRow *row, char **words)
{
  g_autofree char *text = words != NULL ? g_strjoinv (" ", words) : NULL;

  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static void
set_text (AdwEntryRow *row, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

ChatServerDialog *
chat_server_dialog_new_for_server (GtkWindow *parent, const ChatServerConfig *config)
{
  ChatServerDialog *self = chat_server_dialog_new (parent);
  g_autoptr (GUri) uri = g_uri_parse (config->url, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;

  self->original = chat_server_config_copy (config);
  gtk_window_set_title (GTK_WINDOW (self), _ ("Edit Server"));
  gtk_button_set_label (self->add_button, _ ("_Save"));
  set_text (self->name_row, config->name);
  if (uri != NULL && (g_strcmp0 (scheme, "irc") == 0 || g_strcmp0 (scheme, "ircs") == 0))
    {
      const char *host = g_uri_get_host (uri);
      gboolean tls = g_strcmp0 (scheme, "ircs") == 0;

      /* An IPv6 address comes bracketed; the field holds it bare. */
      if (host != NULL && host[0] == '[')
        {
          g_autofree char *bare = g_strndup (host + 1, strlen (host) - 2);
          set_text (self->host_row, bare);
        }
      else
        set_text (self->host_row, host);
      gtk_switch_set_active (self->tls_switch, tls);
      gtk_spin_button_set_value (self->port_spin,
                                 g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : (tls ? 6697 : 6667));
    }
  else
    set_text (self->host_row, config->url);
  set_text (self->nick_row, config->nick);
  set_strv (self->alt_nicks_row, config->alt_nicks);
  set_text (self->realname_row, config->realname);
  set_text (self->account_row, config->sasl_account);
  set_text (self->password_row, config->password);
  set_strv (self->channels_row, config->channels);
  return self;
}

gboolean
chat_server_dialog_is_editing (ChatServerDialog *self)
{
  return self->original != NULL;
}

static void
chat_server_dialog_dispose (GObject *object)
{
  ChatServerDialog *self = CHAT_SERVER_DIALOG (object);

  g_clear_pointer (&self->original, chat_server_config_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), CHAT_TYPE_SERVER_DIALOG);
  G_OBJECT_CLASS (chat_server_dialog_parent_class)->dispose (object);
}

static void
chat_server_dialog_class_init (ChatServerDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chat_server_dialog_dispose;
  /* The configuration (a ChatServerConfig, borrowed) the user added. */
  signals[SERVER_ADDED] = g_signal_new ("server-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* The new configuration (a ChatServerConfig, borrowed, with the id of
   * the one edited) of a server being edited. */
  signals[SERVER_CHANGED] = g_signal_new ("server-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/weft/Chat/chat-server-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, port_row);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, port_spin);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, tls_row);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, tls_switch);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, nick_row);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, alt_nicks_row);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, realname_row);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, account_row);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, channels_row);
  gtk_widget_class_bind_template_child (widget_class, ChatServerDialog, add_button);
  gtk_widget_class_bind_template_callback (widget_class, fields_changed);
  gtk_widget_class_bind_template_callback (widget_class, tls_toggled);
  gtk_widget_class_install_action (widget_class, "server.add", NULL, add_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
chat_server_dialog_init (ChatServerDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_editable_set_text (GTK_EDITABLE (self->nick_row), g_get_user_name ());
  fields_changed (self);
}
