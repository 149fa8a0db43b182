/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ngircd-server.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- Waiting ------------------------------------------------------------ */

static void
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
}

void
wait_until (WeftReactor *reactor, WaitFunc done, gpointer data, double seconds, const char *what)
{
  gboolean timed_out = FALSE;
  WeftDelayedCall *timer;

  if (done (data))
    return;
  timer = weft_delayed_call_ref (weft_reactor_call_later (reactor, (gint64) (seconds * G_USEC_PER_SEC), set_flag,
                                                          &timed_out, NULL));
  while (!done (data) && !timed_out)
    weft_reactor_iterate (reactor, TRUE);
  weft_delayed_call_cancel (timer);
  weft_delayed_call_unref (timer);
  if (!done (data))
    g_error ("Timed out after %.0f s waiting for %s", seconds, what);
}

/* ---- The process -------------------------------------------------------- */

#define NGIRCD_TYPE_PROCESS (ngircd_process_get_type ())
G_DECLARE_FINAL_TYPE (NgircdProcess, ngircd_process, NGIRCD, PROCESS, WeftProcessProtocol)

struct _NgircdProcess {
  WeftProcessProtocol parent_instance;
  GString *log;
  gboolean ended;
};

G_DEFINE_FINAL_TYPE (NgircdProcess, ngircd_process, WEFT_TYPE_PROCESS_PROTOCOL)

static void
ngircd_process_child_data_received (WeftProcessProtocol *protocol, int child_fd, const guint8 *data, gsize len)
{
  NgircdProcess *self = NGIRCD_PROCESS (protocol);

  g_string_append_len (self->log, (const char *) data, len);
  if (g_getenv ("WEFT_TEST_NGIRCD_LOG") != NULL)
    g_printerr ("%.*s", (int) len, data);
}

static void
ngircd_process_process_ended (WeftProcessProtocol *protocol, const WeftProcessStatus *status)
{
  NGIRCD_PROCESS (protocol)->ended = TRUE;
}

static void
ngircd_process_finalize (GObject *object)
{
  g_string_free (NGIRCD_PROCESS (object)->log, TRUE);
  G_OBJECT_CLASS (ngircd_process_parent_class)->finalize (object);
}

static void
ngircd_process_class_init (NgircdProcessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ngircd_process_finalize;
  WEFT_PROCESS_PROTOCOL_CLASS (klass)->child_data_received = ngircd_process_child_data_received;
  WEFT_PROCESS_PROTOCOL_CLASS (klass)->process_ended = ngircd_process_process_ended;
}

static void
ngircd_process_init (NgircdProcess *self)
{
  self->log = g_string_new (NULL);
}

/* ---- The server --------------------------------------------------------- */

struct _NgircdServer {
  WeftReactor *reactor;
  char *name;
  guint16 port;
  char *dir;
  char *config;
  NgircdProcess *process;
  WeftProcessTransport *transport;
  guint16 tls_port;
};

const char *
ngircd_path (void)
{
  const char *path = g_getenv ("WEFT_NGIRCD");
  return path != NULL && *path != '\0' ? path : NGIRCD_PATH;
}

gboolean
ngircd_available (void)
{
  return g_file_test (ngircd_path (), G_FILE_TEST_IS_EXECUTABLE);
}

guint16
ngircd_free_port (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (bind (fd, (struct sockaddr *) &addr, sizeof addr));
  g_assert_no_errno (getsockname (fd, (struct sockaddr *) &addr, &len));
  close (fd);
  return ntohs (addr.sin_port);
}

NgircdServer *
ngircd_server_new (WeftReactor *reactor,
                   const char *name,
                   guint16 port,
                   const char *peer_name,
                   guint16 peer_port,
                   gboolean passive)
{
  NgircdServer *self = g_new0 (NgircdServer, 1);
  g_autoptr (GError) error = NULL;
  GString *config = g_string_new (NULL);
  gboolean root = getuid () == 0;

  self->reactor = g_object_ref (reactor);
  self->name = g_strdup (name);
  self->port = port;
  self->dir = g_dir_make_tmp ("weft-ngircd-XXXXXX", &error);
  g_assert_no_error (error);
  /* ngircd drops root for nobody: it must read its configuration and
   * write its pid file there. */
  g_assert_no_errno (g_chmod (self->dir, 0755));
  if (root)
    {
      struct passwd *pw = getpwnam ("nobody");
      g_assert_nonnull (pw);
      g_assert_no_errno (chown (self->dir, pw->pw_uid, pw->pw_gid));
    }

  g_string_append_printf (config,
                          "[Global]\n"
                          "Name = %s\n"
                          "Info = Weft test server\n"
                          "AdminInfo1 = Weft tests\nAdminInfo2 = Weft tests\nAdminEMail = tests@weft.invalid\n"
                          "Listen = 127.0.0.1\n"
                          "Ports = %u\n"
                          "PidFile = %s/ngircd.pid\n"
                          "MotdPhrase = Weft test server\n",
                          name, port, self->dir);
  if (root)
    {
      struct passwd *pw = getpwnam ("nobody");
      struct group *gr = getgrgid (pw->pw_gid);
      g_string_append_printf (config, "ServerUID = %u\nServerGID = %s\n", pw->pw_uid,
                              gr != NULL ? gr->gr_name : "nogroup");
    }
  g_string_append (config, "[Limits]\n"
                           "MaxConnectionsIP = 0\n"
                           "PingTimeout = 120\n"
                           "ConnectRetry = 5\n"
                           "[Options]\n"
                           "PAM = no\n"
                           "Ident = no\n"
                           "DNS = no\n"
                           "ConnectIPv6 = no\n");
  if (peer_name != NULL)
    g_string_append_printf (config,
                            "[Server]\n"
                            "Name = %s\n"
                            "Host = 127.0.0.1\n"
                            "Port = %u\n"
                            "MyPassword = weftlink\n"
                            "PeerPassword = weftlink\n"
                            "Passive = %s\n",
                            peer_name, peer_port, passive ? "yes" : "no");
  self->config = g_build_filename (self->dir, "ngircd.conf", NULL);
  g_file_set_contents (self->config, config->str, -1, &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (self->config, 0644));
  g_string_free (config, TRUE);
  return self;
}

static char *
copy_readable (NgircdServer *self, const char *path, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  char *copy = g_build_filename (self->dir, name, NULL);

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (copy, contents, len, &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (copy, 0644));
  return copy;
}

void
ngircd_server_add_tls (NgircdServer *server, guint16 tls_port, const char *cert_file, const char *key_file)
{
  g_autofree char *cert = copy_readable (server, cert_file, "server.pem");
  g_autofree char *key = copy_readable (server, key_file, "server.key");
  g_autofree char *section = g_strdup_printf ("[SSL]\nPorts = %u\nCertFile = %s\nKeyFile = %s\n", tls_port, cert, key);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *joined = NULL;

  g_file_get_contents (server->config, &contents, NULL, &error);
  g_assert_no_error (error);
  joined = g_strconcat (contents, section, NULL);
  g_file_set_contents (server->config, joined, -1, &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (server->config, 0644));
  server->tls_port = tls_port;
}

static gboolean
log_has (gpointer data)
{
  NgircdServer *self = ((gpointer *) data)[0];
  const char *text = ((gpointer *) data)[1];

  if (self->process->ended)
    g_error ("ngircd %s ended early; its log:\n%s", self->name, self->process->log->str);
  return strstr (self->process->log->str, text) != NULL;
}

void
ngircd_server_wait_log (NgircdServer *server, const char *text)
{
  gpointer data[2] = { server, (gpointer) text };

  wait_until (server->reactor, log_has, data, 30, text);
}

void
ngircd_server_start (NgircdServer *server)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *listening = g_strdup_printf ("Now listening on [127.0.0.1]:%u", server->port);
  const char *argv[] = { ngircd_path (), "--nodaemon", "-f", server->config, NULL };

  g_assert_null (server->process);
  server->process = g_object_new (NGIRCD_TYPE_PROCESS, NULL);
  server->transport = weft_reactor_spawn_process (server->reactor, WEFT_PROCESS_PROTOCOL (server->process), argv, NULL,
                                                  server->dir, NULL, 0, &error);
  g_assert_no_error (error);
  ngircd_server_wait_log (server, listening);
  if (server->tls_port != 0)
    {
      g_autofree char *tls_listening = g_strdup_printf ("Now listening on [127.0.0.1]:%u", server->tls_port);
      ngircd_server_wait_log (server, tls_listening);
    }
}

static gboolean
process_ended (gpointer data)
{
  return ((NgircdProcess *) data)->ended;
}

void
ngircd_server_stop (NgircdServer *server)
{
  g_autoptr (GError) error = NULL;

  if (server->process == NULL)
    return;
  if (!server->process->ended)
    {
      weft_process_transport_signal_process (server->transport, SIGTERM, &error);
      g_assert_no_error (error);
      wait_until (server->reactor, process_ended, server->process, 30, "ngircd to end");
    }
  g_clear_object (&server->transport);
  g_clear_object (&server->process);
}

guint16
ngircd_server_get_port (NgircdServer *server)
{
  return server->port;
}

void
ngircd_server_free (NgircdServer *server)
{
  g_autoptr (GDir) dir = NULL;
  const char *entry;

  ngircd_server_stop (server);
  dir = g_dir_open (server->dir, 0, NULL);
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (server->dir, entry, NULL);
      g_unlink (path);
    }
  g_rmdir (server->dir);
  g_object_unref (server->reactor);
  g_free (server->name);
  g_free (server->dir);
  g_free (server->config);
  g_free (server);
}
