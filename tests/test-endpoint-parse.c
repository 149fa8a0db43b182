/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Endpoint descriptions: what parses into what, and what each mistake is
 * reported as. Also the parts of resolving that need no network. */

#include <string.h>
#include <weft/weft-testing.h>

#include "weft-happy-eyeballs-private.h"

/* Descriptions count in seconds; the API in microseconds. */
#define USEC(seconds) ((gint64) ((seconds) *G_USEC_PER_SEC + 0.5))

static WeftReactor *reactor;

static WeftClientEndpoint *
parse_client (const char *description)
{
  g_autoptr (GError) error = NULL;
  WeftClientEndpoint *endpoint = weft_client_endpoint_from_string (reactor, description, &error);

  g_assert_no_error (error);
  g_assert_nonnull (endpoint);
  return endpoint;
}

static WeftServerEndpoint *
parse_server (const char *description)
{
  g_autoptr (GError) error = NULL;
  WeftServerEndpoint *endpoint = weft_server_endpoint_from_string (reactor, description, &error);

  g_assert_no_error (error);
  g_assert_nonnull (endpoint);
  return endpoint;
}

static void
assert_address (GInetAddress *address, const char *expected)
{
  g_autofree char *text = NULL;

  if (expected == NULL)
    {
      g_assert_null (address);
      return;
    }
  g_assert_nonnull (address);
  text = g_inet_address_to_string (address);
  g_assert_cmpstr (text, ==, expected);
}

/* The description of the endpoint parses back into the same description. */
static void
assert_round_trip (WeftEndpoint *endpoint, const char *expected, gboolean server)
{
  g_autofree char *text = weft_endpoint_to_string (endpoint);
  g_autofree char *again = NULL;
  g_autoptr (WeftEndpoint) reparsed = NULL;

  g_assert_cmpstr (text, ==, expected);
  reparsed = server ? WEFT_ENDPOINT (parse_server (text)) : WEFT_ENDPOINT (parse_client (text));
  g_assert_true (G_OBJECT_TYPE (reparsed) == G_OBJECT_TYPE (endpoint));
  again = weft_endpoint_to_string (reparsed);
  g_assert_cmpstr (again, ==, text);
}

typedef struct {
  const char *description;
  const char *host;
  guint port;
  double timeout;
  const char *bind;
  const char *canonical;
} TcpCase;

static void
test_tcp_client_good (void)
{
  const TcpCase cases[] = {
    { "tcp:example.org:6667", "example.org", 6667, 0, NULL, "tcp:example.org:6667" },
    { "TCP:example.org:6667", "example.org", 6667, 0, NULL, "tcp:example.org:6667" },
    { "tcp:[::1]:6667", "::1", 6667, 0, NULL, "tcp:[::1]:6667" },
    { "tcp:\\:\\:1:6667", "::1", 6667, 0, NULL, "tcp:[::1]:6667" },
    { "tcp:[fe80::1%eth0]:22", "fe80::1%eth0", 22, 0, NULL, "tcp:[fe80::1%eth0]:22" },
    { "tcp:host=example.org:port=80", "example.org", 80, 0, NULL, "tcp:example.org:80" },
    { "tcp:port=80:host=example.org", "example.org", 80, 0, NULL, "tcp:example.org:80" },
    { "tcp:example.org:port=80", "example.org", 80, 0, NULL, "tcp:example.org:80" },
    { "tcp:127.0.0.1:1", "127.0.0.1", 1, 0, NULL, "tcp:127.0.0.1:1" },
    { "tcp:127.0.0.1:65535", "127.0.0.1", 65535, 0, NULL, "tcp:127.0.0.1:65535" },
    { "tcp:example.org:0080", "example.org", 80, 0, NULL, "tcp:example.org:80" },
    { "tcp:example.org:80:timeout=2.5", "example.org", 80, 2.5, NULL, "tcp:example.org:80:timeout=2.5" },
    { "tcp:example.org:80:timeout=.5", "example.org", 80, 0.5, NULL, "tcp:example.org:80:timeout=0.5" },
    { "tcp:example.org:80:timeout=30:bind=127.0.0.1", "example.org", 80, 30, "127.0.0.1",
      "tcp:example.org:80:timeout=30:bind=127.0.0.1" },
    { "tcp:example.org:80:bind=[::1]", "example.org", 80, 0, "::1", "tcp:example.org:80:bind=[::1]" },
    { "tcp:exa\\mple.org:80", "example.org", 80, 0, NULL, "tcp:example.org:80" },
    { "tcp:bücher.example:80", "bücher.example", 80, 0, NULL, "tcp:bücher.example:80" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (WeftClientEndpoint) endpoint = NULL;
      WeftTcpClientEndpoint *tcp;

      g_test_message ("%s", cases[i].description);
      endpoint = parse_client (cases[i].description);
      g_assert_true (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint));
      tcp = WEFT_TCP_CLIENT_ENDPOINT (endpoint);
      g_assert_true (weft_endpoint_get_reactor (WEFT_ENDPOINT (endpoint)) == reactor);
      g_assert_cmpstr (weft_tcp_client_endpoint_get_host (tcp), ==, cases[i].host);
      g_assert_cmpuint (weft_tcp_client_endpoint_get_port (tcp), ==, cases[i].port);
      g_assert_cmpint (weft_tcp_client_endpoint_get_timeout (tcp), ==, USEC (cases[i].timeout));
      g_assert_cmpint (weft_tcp_client_endpoint_get_attempt_delay (tcp), ==, WEFT_ENDPOINT_DEFAULT_ATTEMPT_DELAY);
      assert_address (weft_tcp_client_endpoint_get_bind_address (tcp), cases[i].bind);
      assert_round_trip (WEFT_ENDPOINT (endpoint), cases[i].canonical, FALSE);
    }
}

static void
test_tls_client_good (void)
{
  const char *fingerprint = "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:"
                            "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89";
  const char *digest = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
  g_autoptr (WeftClientEndpoint) plain = parse_client ("tls:irc.example.org:6697");
  g_autoptr (WeftClientEndpoint) full = NULL;
  g_autoptr (WeftClientEndpoint) pinned = NULL;
  g_autofree char *description = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *upper = NULL;
  g_auto (GStrv) pairs = NULL;
  WeftTlsClientEndpoint *tls;
  WeftTcpClientEndpoint *tcp;

  g_assert_true (WEFT_IS_TLS_CLIENT_ENDPOINT (plain));
  tls = WEFT_TLS_CLIENT_ENDPOINT (plain);
  g_assert_cmpstr (weft_tls_client_endpoint_get_server_name (tls), ==, "irc.example.org");
  g_assert_null (weft_tls_client_endpoint_get_ca_file (tls));
  g_assert_null (weft_tls_client_endpoint_get_fingerprint (tls));
  g_assert_null (weft_tls_client_endpoint_get_certificate_file (tls));
  g_assert_null (weft_tls_client_endpoint_get_key_file (tls));
  tcp = WEFT_TCP_CLIENT_ENDPOINT (weft_tls_client_endpoint_get_wrapped (tls));
  g_assert_cmpstr (weft_tcp_client_endpoint_get_host (tcp), ==, "irc.example.org");
  g_assert_cmpuint (weft_tcp_client_endpoint_get_port (tcp), ==, 6697);
  assert_round_trip (WEFT_ENDPOINT (plain), "tls:irc.example.org:6697", FALSE);

  description = g_strdup_printf ("tls:[::1]:6697:ca=/etc/ssl/ca.pem:fingerprint=%s:cert=/home/me/c.pem"
                                 ":key=/home/me/k.pem:timeout=5:bind=[::]",
                                 digest);
  full = parse_client (description);
  tls = WEFT_TLS_CLIENT_ENDPOINT (full);
  g_assert_cmpstr (weft_tls_client_endpoint_get_server_name (tls), ==, "::1");
  g_assert_cmpstr (weft_tls_client_endpoint_get_ca_file (tls), ==, "/etc/ssl/ca.pem");
  g_assert_cmpstr (weft_tls_client_endpoint_get_fingerprint (tls), ==, digest);
  g_assert_cmpstr (weft_tls_client_endpoint_get_certificate_file (tls), ==, "/home/me/c.pem");
  g_assert_cmpstr (weft_tls_client_endpoint_get_key_file (tls), ==, "/home/me/k.pem");
  tcp = WEFT_TCP_CLIENT_ENDPOINT (weft_tls_client_endpoint_get_wrapped (tls));
  g_assert_cmpint (weft_tcp_client_endpoint_get_timeout (tcp), ==, 5 * G_USEC_PER_SEC);
  assert_address (weft_tcp_client_endpoint_get_bind_address (tcp), "::");
  g_clear_pointer (&description, g_free);
  description = g_strdup_printf ("tls:[::1]:6697:timeout=5:bind=[::]:ca=/etc/ssl/ca.pem:fingerprint=%s"
                                 ":cert=/home/me/c.pem:key=/home/me/k.pem",
                                 digest);
  assert_round_trip (WEFT_ENDPOINT (full), description, FALSE);

  /* A fingerprint in pairs, its colons escaped, upper case: normalized. */
  pairs = g_strsplit (fingerprint, ":", -1);
  escaped = g_strjoinv ("\\:", pairs);
  upper = g_ascii_strup (escaped, -1);
  g_clear_pointer (&description, g_free);
  description = g_strdup_printf ("tls:example.org:443:fingerprint=%s", upper);
  pinned = parse_client (description);
  g_assert_cmpstr (weft_tls_client_endpoint_get_fingerprint (WEFT_TLS_CLIENT_ENDPOINT (pinned)), ==, digest);
}

static void
test_unix_client_good (void)
{
  struct {
    const char *description;
    const char *path;
    double timeout;
    const char *canonical;
  } cases[] = {
    { "unix:/run/app.sock", "/run/app.sock", 0, "unix:/run/app.sock" },
    { "UNIX:/run/app.sock", "/run/app.sock", 0, "unix:/run/app.sock" },
    { "unix:path=/run/app.sock:timeout=3", "/run/app.sock", 3, "unix:/run/app.sock:timeout=3" },
    { "unix:/tmp/a\\:b\\=c", "/tmp/a:b=c", 0, "unix:/tmp/a\\:b\\=c" },
    { "unix:/tmp/back\\\\slash", "/tmp/back\\slash", 0, "unix:/tmp/back\\\\slash" },
    { "unix:@abstract-name", "@abstract-name", 0, "unix:@abstract-name" },
    { "unix:[/tmp/x:y]", "/tmp/x:y", 0, "unix:/tmp/x\\:y" },
    { "unix:\\[odd", "[odd", 0, "unix:\\[odd" },
    { "unix:/tmp/ü.sock", "/tmp/ü.sock", 0, "unix:/tmp/ü.sock" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (WeftClientEndpoint) endpoint = NULL;

      g_test_message ("%s", cases[i].description);
      endpoint = parse_client (cases[i].description);
      g_assert_true (WEFT_IS_UNIX_CLIENT_ENDPOINT (endpoint));
      g_assert_cmpstr (weft_unix_client_endpoint_get_path (WEFT_UNIX_CLIENT_ENDPOINT (endpoint)), ==, cases[i].path);
      g_assert_cmpint (weft_unix_client_endpoint_get_timeout (WEFT_UNIX_CLIENT_ENDPOINT (endpoint)), ==,
                       USEC (cases[i].timeout));
      assert_round_trip (WEFT_ENDPOINT (endpoint), cases[i].canonical, FALSE);
    }
}

static void
test_server_good (void)
{
  g_autoptr (WeftServerEndpoint) any = parse_server ("tcp:6667");
  g_autoptr (WeftServerEndpoint) local = parse_server ("tcp:0:interface=127.0.0.1");
  g_autoptr (WeftServerEndpoint) v6 = parse_server ("tcp:6667:interface=[::1]:backlog=10");
  g_autoptr (WeftServerEndpoint) keywords = parse_server ("tcp:backlog=1:port=65535:interface=\\:\\:");
  g_autoptr (WeftServerEndpoint) tls = parse_server ("tls:6697:cert=/etc/c.pem:key=/etc/k.pem:interface=127.0.0.1");
  g_autoptr (WeftServerEndpoint) unix_default = parse_server ("unix:/run/x.sock");
  g_autoptr (WeftServerEndpoint) unix_mode = parse_server ("unix:/run/x.sock:mode=0600:backlog=5");
  g_autoptr (WeftServerEndpoint) unix_short = parse_server ("unix:/run/x.sock:mode=640");
  g_autoptr (WeftServerEndpoint) unix_zero = parse_server ("unix:/run/x.sock:mode=0");
  WeftTcpServerEndpoint *tcp;

  tcp = WEFT_TCP_SERVER_ENDPOINT (any);
  g_assert_cmpuint (weft_tcp_server_endpoint_get_port (tcp), ==, 6667);
  assert_address (weft_tcp_server_endpoint_get_interface (tcp), NULL);
  g_assert_cmpint (weft_tcp_server_endpoint_get_backlog (tcp), ==, WEFT_ENDPOINT_DEFAULT_BACKLOG);
  /* A burst of connections fits in the accept queue: the system's
   * maximum, not Twisted's 50. */
  g_assert_cmpint (WEFT_ENDPOINT_DEFAULT_BACKLOG, ==, SOMAXCONN);
  g_assert_cmpint (WEFT_ENDPOINT_DEFAULT_BACKLOG, >=, 128);
  assert_round_trip (WEFT_ENDPOINT (any), "tcp:6667", TRUE);

  tcp = WEFT_TCP_SERVER_ENDPOINT (local);
  g_assert_cmpuint (weft_tcp_server_endpoint_get_port (tcp), ==, 0);
  assert_address (weft_tcp_server_endpoint_get_interface (tcp), "127.0.0.1");
  assert_round_trip (WEFT_ENDPOINT (local), "tcp:0:interface=127.0.0.1", TRUE);

  tcp = WEFT_TCP_SERVER_ENDPOINT (v6);
  assert_address (weft_tcp_server_endpoint_get_interface (tcp), "::1");
  g_assert_cmpint (weft_tcp_server_endpoint_get_backlog (tcp), ==, 10);
  assert_round_trip (WEFT_ENDPOINT (v6), "tcp:6667:interface=[::1]:backlog=10", TRUE);

  tcp = WEFT_TCP_SERVER_ENDPOINT (keywords);
  g_assert_cmpuint (weft_tcp_server_endpoint_get_port (tcp), ==, 65535);
  assert_address (weft_tcp_server_endpoint_get_interface (tcp), "::");
  g_assert_cmpint (weft_tcp_server_endpoint_get_backlog (tcp), ==, 1);

  g_assert_true (WEFT_IS_TLS_SERVER_ENDPOINT (tls));
  g_assert_cmpstr (weft_tls_server_endpoint_get_certificate_file (WEFT_TLS_SERVER_ENDPOINT (tls)), ==, "/etc/c.pem");
  g_assert_cmpstr (weft_tls_server_endpoint_get_key_file (WEFT_TLS_SERVER_ENDPOINT (tls)), ==, "/etc/k.pem");
  tcp = WEFT_TCP_SERVER_ENDPOINT (weft_tls_server_endpoint_get_wrapped (WEFT_TLS_SERVER_ENDPOINT (tls)));
  g_assert_cmpuint (weft_tcp_server_endpoint_get_port (tcp), ==, 6697);
  assert_address (weft_tcp_server_endpoint_get_interface (tcp), "127.0.0.1");
  assert_round_trip (WEFT_ENDPOINT (tls), "tls:6697:interface=127.0.0.1:cert=/etc/c.pem:key=/etc/k.pem", TRUE);

  g_assert_cmpstr (weft_unix_server_endpoint_get_path (WEFT_UNIX_SERVER_ENDPOINT (unix_default)), ==, "/run/x.sock");
  g_assert_cmpuint (weft_unix_server_endpoint_get_mode (WEFT_UNIX_SERVER_ENDPOINT (unix_default)), ==, 0666);
  g_assert_cmpint (weft_unix_server_endpoint_get_backlog (WEFT_UNIX_SERVER_ENDPOINT (unix_default)), ==,
                   WEFT_ENDPOINT_DEFAULT_BACKLOG);
  assert_round_trip (WEFT_ENDPOINT (unix_default), "unix:/run/x.sock", TRUE);
  g_assert_cmpuint (weft_unix_server_endpoint_get_mode (WEFT_UNIX_SERVER_ENDPOINT (unix_mode)), ==, 0600);
  g_assert_cmpint (weft_unix_server_endpoint_get_backlog (WEFT_UNIX_SERVER_ENDPOINT (unix_mode)), ==, 5);
  assert_round_trip (WEFT_ENDPOINT (unix_mode), "unix:/run/x.sock:mode=0600:backlog=5", TRUE);
  g_assert_cmpuint (weft_unix_server_endpoint_get_mode (WEFT_UNIX_SERVER_ENDPOINT (unix_short)), ==, 0640);
  g_assert_cmpuint (weft_unix_server_endpoint_get_mode (WEFT_UNIX_SERVER_ENDPOINT (unix_zero)), ==, 0);
  assert_round_trip (WEFT_ENDPOINT (unix_zero), "unix:/run/x.sock:mode=00", TRUE);
}

typedef struct {
  const char *description;
  const char *message;
} BadCase;

static void
assert_bad (const BadCase *cases, gsize n_cases, gboolean server)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autoptr (GError) error = NULL;
      gpointer endpoint;

      g_test_message ("'%s'", cases[i].description);
      if (server)
        endpoint = weft_server_endpoint_from_string (reactor, cases[i].description, &error);
      else
        endpoint = weft_client_endpoint_from_string (reactor, cases[i].description, &error);
      g_assert_null (endpoint);
      g_assert_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_ENDPOINT);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_client_bad (void)
{
  const BadCase cases[] = {
    { "", "Empty endpoint description: expected tcp, tls or unix, then “:” and arguments (at character 1)" },
    { "foo:1", "foo:1: unknown endpoint type “foo”; expected tcp, tls or unix (at character 1)" },
    { "http://example.org",
      "http://example.org: unknown endpoint type “http”; expected tcp, tls or unix (at character 1)" },
    { "host=x:80", "host=x:80: unknown endpoint type “host=x”; expected tcp, tls or unix (at character 1)" },
    { "tcp", "tcp: missing host; expected tcp:HOST:PORT (at character 4)" },
    { "tcp:", "tcp:: missing host; expected tcp:HOST:PORT (at character 5)" },
    { "tcp::80", "tcp::80: missing host; expected tcp:HOST:PORT (at character 5)" },
    { "tcp:example.org", "tcp:example.org: missing port; expected tcp:HOST:PORT (at character 16)" },
    { "tcp:example.org:66x7",
      "tcp:example.org:66x7: port must be a number from 1 to 65535, got “66x7” (at character 17)" },
    { "tcp:example.org:", "tcp:example.org:: port must be a number from 1 to 65535, got “” (at character 17)" },
    { "tcp:example.org:0", "tcp:example.org:0: port must be a number from 1 to 65535, got “0” (at character 17)" },
    { "tcp:example.org:65536",
      "tcp:example.org:65536: port must be a number from 1 to 65535, got “65536” (at character 17)" },
    { "tcp:example.org:-1", "tcp:example.org:-1: port must be a number from 1 to 65535, got “-1” (at character 17)" },
    { "tcp:example.org: 80",
      "tcp:example.org: 80: port must be a number from 1 to 65535, got “ 80” (at character 17)" },
    { "tcp:example.org:99999999999",
      "tcp:example.org:99999999999: port must be a number from 1 to 65535, got “99999999999” (at character 17)" },
    { "tcp:example.org:80:81",
      "tcp:example.org:80:81: unexpected argument “81”; only keywords may follow tcp:HOST:PORT (at character 20)" },
    { "tcp:example.org:80:foo=1",
      "tcp:example.org:80:foo=1: unknown keyword “foo”; tcp client endpoints accept host, port, timeout, bind "
      "(at character 20)" },
    { "tcp:example.org:80:interface=127.0.0.1",
      "tcp:example.org:80:interface=127.0.0.1: unknown keyword “interface”; tcp client endpoints accept host, port, "
      "timeout, bind (at character 20)" },
    { "tcp:example.org:80:timeout=abc",
      "tcp:example.org:80:timeout=abc: timeout must be a number of seconds greater than 0, got “abc” "
      "(at character 28)" },
    { "tcp:example.org:80:timeout=0",
      "tcp:example.org:80:timeout=0: timeout must be a number of seconds greater than 0, got “0” (at character 28)" },
    { "tcp:example.org:80:timeout=-1",
      "tcp:example.org:80:timeout=-1: timeout must be a number of seconds greater than 0, got “-1” "
      "(at character 28)" },
    { "tcp:example.org:80:timeout=1e3",
      "tcp:example.org:80:timeout=1e3: timeout must be a number of seconds greater than 0, got “1e3” "
      "(at character 28)" },
    { "tcp:example.org:80:timeout=",
      "tcp:example.org:80:timeout=: timeout must be a number of seconds greater than 0, got “” (at character 28)" },
    { "tcp:example.org:80:bind=localhost",
      "tcp:example.org:80:bind=localhost: bind must be an IP address, got “localhost” (at character 25)" },
    { "tcp:example.org:80:timeout=1:timeout=2",
      "tcp:example.org:80:timeout=1:timeout=2: “timeout” is given twice (at character 30)" },
    { "tcp:example.org:80:host=other", "tcp:example.org:80:host=other: “host” is given twice (at character 20)" },
    { "tcp:example.org:80:=1", "tcp:example.org:80:=1: missing keyword name before “=” (at character 20)" },
    { "tcp:::1:6667",
      "tcp:::1:6667: an IPv6 address must be written in brackets, as in tcp:[::1]:6667 (at character 5)" },
    { "tcp:fe80::1:22",
      "tcp:fe80::1:22: an IPv6 address must be written in brackets, as in tcp:[fe80::1]:22 (at character 5)" },
    { "tls:2001:db8::1", "tls:2001:db8::1: an IPv6 address must be written in brackets, as in tls:[2001:db8::1]:PORT "
                         "(at character 5)" },
    { "tcp:[::1:6667", "tcp:[::1:6667: unterminated “[”: expected “]” (at character 5)" },
    { "tcp:[::1]x:6667", "tcp:[::1]x:6667: expected “:” after “]”, got “x” (at character 10)" },
    { "tcp:example.org:80:bind=[::1",
      "tcp:example.org:80:bind=[::1: unterminated “[”: expected “]” (at character 25)" },
    { "tcp:example.org\\", "tcp:example.org\\: a backslash at the end escapes nothing (at character 16)" },
    { "unix:/tmp/a\\", "unix:/tmp/a\\: a backslash at the end escapes nothing (at character 12)" },
    { "unix", "unix: missing path; expected unix:PATH (at character 5)" },
    { "unix:", "unix:: missing path; expected unix:PATH (at character 6)" },
    { "unix:/a:/b", "unix:/a:/b: unexpected argument “/b”; only keywords may follow unix:PATH (at character 9)" },
    { "unix:/a:mode=0600",
      "unix:/a:mode=0600: unknown keyword “mode”; unix client endpoints accept path, timeout (at character 9)" },
    { "unix:/tmp/ü:foo=1",
      "unix:/tmp/ü:foo=1: unknown keyword “foo”; unix client endpoints accept path, timeout (at character 13)" },
    { "unix:/a:timeout=x",
      "unix:/a:timeout=x: timeout must be a number of seconds greater than 0, got “x” (at character 17)" },
    { "tls:example.org:6697:cert=c.pem",
      "tls:example.org:6697:cert=c.pem: missing key=FILE to go with cert=FILE (at character 32)" },
    { "tls:example.org:6697:key=k.pem",
      "tls:example.org:6697:key=k.pem: missing cert=FILE to go with key=FILE (at character 31)" },
    { "tls:example.org:6697:fingerprint=xyz",
      "tls:example.org:6697:fingerprint=xyz: fingerprint must be a SHA-256 digest: 64 hexadecimal digits, got “xyz” "
      "(at character 34)" },
    { "tls:example.org:6697:fingerprint=abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678",
      "tls:example.org:6697:fingerprint=abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678: fingerprint "
      "must be a SHA-256 digest: 64 hexadecimal digits, got "
      "“abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678” (at character 34)" },
    { "tls:example.org:6697:ca=", "tls:example.org:6697:ca=: ca= needs a file name (at character 25)" },
    { "tls:example.org:6697:backlog=5",
      "tls:example.org:6697:backlog=5: unknown keyword “backlog”; tls client endpoints accept host, port, timeout, "
      "bind, ca, fingerprint, cert, key, handshake_timeout (at character 22)" },
    { "tls:example.org", "tls:example.org: missing port; expected tls:HOST:PORT (at character 16)" },
  };

  assert_bad (cases, G_N_ELEMENTS (cases), FALSE);
}

static void
test_server_bad (void)
{
  const BadCase cases[] = {
    { "", "Empty endpoint description: expected tcp, tls or unix, then “:” and arguments (at character 1)" },
    { "udp:53", "udp:53: unknown endpoint type “udp”; expected tcp, tls or unix (at character 1)" },
    { "tcp", "tcp: missing port; expected tcp:PORT (at character 4)" },
    { "tcp:", "tcp:: port must be a number from 0 to 65535, got “” (at character 5)" },
    { "tcp:http", "tcp:http: port must be a number from 0 to 65535, got “http” (at character 5)" },
    { "tcp:65536", "tcp:65536: port must be a number from 0 to 65535, got “65536” (at character 5)" },
    { "tcp:example.org:80", "tcp:example.org:80: port must be a number from 0 to 65535, got “example.org” "
                            "(at character 5)" },
    { "tcp:80:81", "tcp:80:81: unexpected argument “81”; only keywords may follow tcp:PORT (at character 8)" },
    { "tcp:80:timeout=1",
      "tcp:80:timeout=1: unknown keyword “timeout”; tcp server endpoints accept port, interface, backlog "
      "(at character 8)" },
    { "tcp:80:backlog=x", "tcp:80:backlog=x: backlog must be a number from 1 to 65535, got “x” (at character 16)" },
    { "tcp:80:backlog=0", "tcp:80:backlog=0: backlog must be a number from 1 to 65535, got “0” (at character 16)" },
    { "tcp:80:backlog=65536",
      "tcp:80:backlog=65536: backlog must be a number from 1 to 65535, got “65536” (at character 16)" },
    { "tcp:80:interface=example.org",
      "tcp:80:interface=example.org: interface must be an IP address, got “example.org” (at character 18)" },
    { "tcp:80:interface=", "tcp:80:interface=: interface must be an IP address, got “” (at character 18)" },
    { "tcp:80:interface=::1", "tcp:80:interface=::1: interface must be an IP address, got “” (at character 18)" },
    { "tcp:80:backlog=5:backlog=6", "tcp:80:backlog=5:backlog=6: “backlog” is given twice (at character 18)" },
    { "tls:6697", "tls:6697: missing cert=FILE and key=FILE; expected tls:PORT:cert=FILE:key=FILE (at character 9)" },
    { "tls:6697:cert=c.pem", "tls:6697:cert=c.pem: missing key=FILE to go with cert=FILE (at character 20)" },
    { "tls:6697:key=k.pem", "tls:6697:key=k.pem: missing cert=FILE to go with key=FILE (at character 19)" },
    { "tls:6697:cert=c.pem:key=k.pem:fingerprint=ab",
      "tls:6697:cert=c.pem:key=k.pem:fingerprint=ab: unknown keyword “fingerprint”; tls server endpoints accept "
      "port, cert, key, interface, backlog, handshake_timeout (at character 31)" },
    { "unix:/x:mode=0800",
      "unix:/x:mode=0800: mode must be an octal file mode from 0 to 0777, such as 0600, got “0800” "
      "(at character 14)" },
    { "unix:/x:mode=1777",
      "unix:/x:mode=1777: mode must be an octal file mode from 0 to 0777, such as 0600, got “1777” "
      "(at character 14)" },
    { "unix:/x:mode=rw-------",
      "unix:/x:mode=rw-------: mode must be an octal file mode from 0 to 0777, such as 0600, got “rw-------” "
      "(at character 14)" },
    { "unix:/x:mode=", "unix:/x:mode=: mode must be an octal file mode from 0 to 0777, such as 0600, got “” "
                       "(at character 14)" },
    { "unix:/x:backlog=many", "unix:/x:backlog=many: backlog must be a number from 1 to 65535, got “many” "
                              "(at character 17)" },
    { "unix:/x:timeout=1",
      "unix:/x:timeout=1: unknown keyword “timeout”; unix server endpoints accept path, mode, backlog "
      "(at character 9)" },
  };

  assert_bad (cases, G_N_ELEMENTS (cases), TRUE);
}

static void
test_invalid_utf8 (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftClientEndpoint) endpoint = weft_client_endpoint_from_string (reactor, "unix:/tmp/\xff", &error);

  g_assert_null (endpoint);
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_ENDPOINT);
  g_assert_cmpstr (error->message, ==, "unix:/tmp/\xef\xbf\xbd: the description is not valid UTF-8 (at character 11)");
}

static void
test_quote_argument (void)
{
  struct {
    const char *value;
    const char *quoted;
  } cases[] = {
    { "plain", "plain" },
    { "/tmp/a:b", "/tmp/a\\:b" },
    { "k=v", "k\\=v" },
    { "back\\slash", "back\\\\slash" },
    { "[bracket]", "\\[bracket]" },
    { "mid[dle", "mid[dle" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *quoted = weft_endpoint_quote_argument (cases[i].value);
      g_autofree char *description = g_strconcat ("unix:", quoted, NULL);
      g_autoptr (WeftClientEndpoint) endpoint = NULL;

      g_assert_cmpstr (quoted, ==, cases[i].quoted);
      if (*cases[i].value == '\0')
        continue;
      endpoint = parse_client (description);
      g_assert_cmpstr (weft_unix_client_endpoint_get_path (WEFT_UNIX_CLIENT_ENDPOINT (endpoint)), ==, cases[i].value);
    }
}

static void
test_constructors (void)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr (WeftTcpClientEndpoint) tcp = weft_tcp_client_endpoint_new (reactor, "example.org", 6667);
  g_autoptr (WeftTlsClientEndpoint) tls = weft_tls_client_endpoint_new (WEFT_CLIENT_ENDPOINT (tcp), "example.org");
  g_autoptr (WeftTcpServerEndpoint) server = weft_tcp_server_endpoint_new (reactor, 7, loopback);
  g_autoptr (WeftUnixServerEndpoint) unix_server = weft_unix_server_endpoint_new (reactor, "/tmp/a b");
  g_autofree char *text = NULL;

  weft_tcp_client_endpoint_set_timeout (tcp, 1250000);
  weft_tcp_client_endpoint_set_bind_address (tcp, loopback);
  weft_tcp_client_endpoint_set_attempt_delay (tcp, 50000);
  g_assert_cmpint (weft_tcp_client_endpoint_get_attempt_delay (tcp), ==, 50000);
  assert_round_trip (WEFT_ENDPOINT (tcp), "tcp:example.org:6667:timeout=1.25:bind=[::1]", FALSE);

  weft_tls_client_endpoint_set_ca_file (tls, "/ca:file.pem");
  weft_tls_client_endpoint_set_certificate_files (tls, "c.pem", "k.pem");
  assert_round_trip (WEFT_ENDPOINT (tls),
                     "tls:example.org:6667:timeout=1.25:bind=[::1]:ca=/ca\\:file.pem:cert=c.pem:key=k.pem", FALSE);

  weft_tcp_server_endpoint_set_backlog (server, 128);
  assert_round_trip (WEFT_ENDPOINT (server), "tcp:7:interface=[::1]:backlog=128", TRUE);

  weft_unix_server_endpoint_set_mode (unix_server, 0600);
  weft_unix_server_endpoint_set_backlog (unix_server, 3);
  assert_round_trip (WEFT_ENDPOINT (unix_server), "unix:/tmp/a b:mode=0600:backlog=3", TRUE);

  g_object_get (tcp, "host", &text, NULL);
  g_assert_cmpstr (text, ==, "example.org");
}

/* Resolving, without the network */

static WeftDeferred *
consume_error (WeftResult *result, gpointer user_data)
{
  weft_result_clear (result);
  return NULL;
}

static WeftResult *
resolve_now (const char *host, guint16 port, GSocketFamily family)
{
  g_autoptr (WeftDeferred) deferred = weft_reactor_resolve (reactor, host, port, family);
  WeftResult *result;

  g_assert_true (weft_deferred_has_fired (deferred));
  g_assert_nonnull (weft_deferred_peek_result (deferred));
  result = weft_result_copy (weft_deferred_peek_result (deferred));
  weft_deferred_add_errback (deferred, consume_error, NULL, NULL);
  return result;
}

static char *
address_list (GPtrArray *addresses)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < addresses->len; i++)
    {
      g_autofree char *one = g_socket_connectable_to_string (addresses->pdata[i]);

      g_string_append_printf (text, "%s%s", i > 0 ? " " : "", one);
    }
  return g_string_free (text, FALSE);
}

static void
assert_resolves_to (const char *host, guint16 port, GSocketFamily family, const char *expected)
{
  g_autoptr (WeftResult) result = resolve_now (host, port, family);
  g_autofree char *text = NULL;

  g_assert_false (weft_result_is_error (result));
  g_assert_true (weft_result_holds (result, G_TYPE_PTR_ARRAY));
  text = address_list (weft_result_get_boxed (result));
  g_assert_cmpstr (text, ==, expected);
}

static void
assert_resolve_fails (const char *host, GSocketFamily family, int code, const char *message)
{
  g_autoptr (WeftResult) result = resolve_now (host, 80, family);

  g_assert_true (weft_result_is_error (result));
  g_assert_true (weft_result_error_matches (result, G_IO_ERROR, code));
  g_assert_cmpstr (weft_result_get_error (result)->message, ==, message);
}

static void
test_resolve_numeric (void)
{
  assert_resolves_to ("127.0.0.1", 80, G_SOCKET_FAMILY_INVALID, "127.0.0.1:80");
  assert_resolves_to ("::1", 6667, G_SOCKET_FAMILY_INVALID, "[::1]:6667");
  assert_resolves_to ("::1", 6667, G_SOCKET_FAMILY_IPV6, "[::1]:6667");
  assert_resolves_to ("fe80::1%1", 22, G_SOCKET_FAMILY_INVALID, "[fe80::1%1]:22");
  assert_resolves_to ("fe80::1%lo", 22, G_SOCKET_FAMILY_INVALID, "[fe80::1%1]:22");
  assert_resolve_fails ("::1", G_SOCKET_FAMILY_IPV4, G_IO_ERROR_HOST_NOT_FOUND,
                        "Cannot resolve “::1”: it is an IPv6 address, and only IPv4 addresses were asked for");
  assert_resolve_fails ("127.0.0.1", G_SOCKET_FAMILY_IPV6, G_IO_ERROR_HOST_NOT_FOUND,
                        "Cannot resolve “127.0.0.1”: it is an IPv4 address, and only IPv6 addresses were asked for");
  assert_resolve_fails ("fe80::1%no-such-interface0", G_SOCKET_FAMILY_INVALID, G_IO_ERROR_HOST_NOT_FOUND,
                        "Cannot resolve “fe80::1%no-such-interface0”: there is no network interface named "
                        "“no-such-interface0”");
  assert_resolve_fails ("", G_SOCKET_FAMILY_INVALID, G_IO_ERROR_HOST_NOT_FOUND, "Cannot resolve an empty host name");
}

static void
test_resolve_invalid_names (void)
{
  const char *names[] = { "no-such-host.invalid", "NO-SUCH-HOST.INVALID.", "invalid", "a.b.invalid" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *message = g_strdup_printf ("Cannot resolve “%s”: Name or service not known", names[i]);

      assert_resolve_fails (names[i], G_SOCKET_FAMILY_INVALID, G_IO_ERROR_HOST_NOT_FOUND, message);
    }
}

static WeftDeferred *
fixed_resolver (WeftReactor *resolver_reactor, const char *host, guint16 port, GSocketFamily family, gpointer data)
{
  const char *const addresses[] = { "::1", "127.0.0.1:8080", "[::2]:9", NULL };

  g_assert_true (resolver_reactor == reactor);
  (*(guint *) data)++;
  if (!g_str_equal (host, "fixed.test"))
    return NULL;
  return weft_resolve_addresses (addresses, port);
}

static void
count_notify (gpointer data)
{
  (*(guint *) data) += 100;
}

static void
test_resolver_override (void)
{
  guint calls = 0;

  weft_reactor_set_resolver (reactor, fixed_resolver, &calls, count_notify);
  assert_resolves_to ("fixed.test", 443, G_SOCKET_FAMILY_INVALID, "[::1]:443 127.0.0.1:8080 [::2]:9");
  /* Others go to the system resolver, which still knows .invalid. */
  assert_resolve_fails ("other.invalid", G_SOCKET_FAMILY_INVALID, G_IO_ERROR_HOST_NOT_FOUND,
                        "Cannot resolve “other.invalid”: Name or service not known");
  g_assert_cmpuint (calls, ==, 2);
  weft_reactor_set_resolver (reactor, NULL, NULL, NULL);
  g_assert_cmpuint (calls, ==, 102);
}

static void
test_resolve_addresses_bad (void)
{
  const char *const bad[] = { "127.0.0.1", "not-an-address", NULL };
  const char *const none[] = { NULL };
  g_autoptr (WeftDeferred) failed = weft_resolve_addresses (bad, 1);
  g_autoptr (WeftDeferred) empty = weft_resolve_addresses (none, 1);
  const WeftResult *result;

  result = weft_deferred_peek_result (failed);
  g_assert_true (weft_result_error_matches (result, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_assert_cmpstr (weft_result_get_error (result)->message, ==, "“not-an-address” is not an IP address");
  result = weft_deferred_peek_result (empty);
  g_assert_true (weft_result_error_matches (result, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND));
  weft_deferred_add_errback (failed, consume_error, NULL, NULL);
  weft_deferred_add_errback (empty, consume_error, NULL, NULL);
}

static void
test_happy_eyeballs_sort (void)
{
  const char *const input[] = { "[::1]:1", "[::2]:1", "[::3]:1", "10.0.0.1:1", "10.0.0.2:1", NULL };
  const char *const v4_first[] = { "10.0.0.1:1", "10.0.0.2:1", "10.0.0.3:1", "[::1]:1", NULL };
  g_autoptr (WeftDeferred) d1 = weft_resolve_addresses (input, 1);
  g_autoptr (WeftDeferred) d2 = weft_resolve_addresses (v4_first, 1);
  g_autoptr (GPtrArray) a1 = g_ptr_array_ref (weft_result_get_boxed (weft_deferred_peek_result (d1)));
  g_autoptr (GPtrArray) a2 = g_ptr_array_ref (weft_result_get_boxed (weft_deferred_peek_result (d2)));
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;

  weft_happy_eyeballs_sort (a1);
  weft_happy_eyeballs_sort (a2);
  t1 = address_list (a1);
  t2 = address_list (a2);
  g_assert_cmpstr (t1, ==, "[::1]:1 10.0.0.1:1 [::2]:1 10.0.0.2:1 [::3]:1");
  g_assert_cmpstr (t2, ==, "[::1]:1 10.0.0.1:1 10.0.0.2:1 10.0.0.3:1");
}

/* Round trips over generated endpoints: whatever an endpoint's properties
 * are, its description parses back into an endpoint with the same
 * properties (and so the same description). */

static char *
random_text (void)
{
  /* The characters the syntax gives a meaning to, and some that it does
   * not. */
  static const char *const pieces[] = {
    ":", "=", "\\", "[", "]", "a", "b", "z", "0", "9", ".", "/", "-", " ", "é", "☃"
  };
  GString *text = g_string_new (NULL);
  int length = g_test_rand_int_range (1, 12);

  for (int i = 0; i < length; i++)
    g_string_append (text, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
  return g_string_free (text, FALSE);
}

static GInetAddress *
random_address (void)
{
  guint8 bytes[16];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = g_test_rand_int_range (0, 256);
  return g_inet_address_new_from_bytes (bytes, g_test_rand_bit () ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6);
}

static char *
random_host (void)
{
  g_autoptr (GInetAddress) address = NULL;

  switch (g_test_rand_int_range (0, 3))
    {
    case 0:
      return g_strdup ("example.org");
    case 1:
      address = random_address ();
      return g_inet_address_to_string (address);
    default:
      return random_text ();
    }
}

/* Timeouts of every size and precision: whole seconds (which "%g" wrote
 * with an exponent), microseconds, the extremes. */
static gint64
random_timeout (void)
{
  static const gint64 fixed[] = {
    G_GINT64_CONSTANT (3444444) * G_USEC_PER_SEC, 1234567, 1, 999999, 1000001, G_MAXINT64 / 2
  };

  switch (g_test_rand_int_range (0, 5))
    {
    case 0:
      return 0;
    case 1:
      return fixed[g_test_rand_int_range (0, G_N_ELEMENTS (fixed))];
    case 2:
      return g_test_rand_int_range (1, G_MAXINT32) * (gint64) G_USEC_PER_SEC;
    case 3:
      return g_test_rand_int_range (1, G_MAXINT32);
    default:
      return ((gint64) g_test_rand_int_range (0, G_MAXINT32) << 31 | g_test_rand_int_range (0, G_MAXINT32)) %
                 (G_MAXINT64 / 2) +
             1;
    }
}

static void
assert_parses_back (WeftEndpoint *endpoint, gboolean server)
{
  g_autofree char *text = weft_endpoint_to_string (endpoint);
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftEndpoint) reparsed = NULL;
  g_autofree char *again = NULL;
  WeftEndpoint *a, *b;

  if (server)
    reparsed = WEFT_ENDPOINT (weft_server_endpoint_from_string (reactor, text, &error));
  else
    reparsed = WEFT_ENDPOINT (weft_client_endpoint_from_string (reactor, text, &error));
  if (error != NULL)
    g_test_message ("“%s” does not parse back", text);
  g_assert_no_error (error);
  g_assert_true (G_OBJECT_TYPE (reparsed) == G_OBJECT_TYPE (endpoint));
  again = weft_endpoint_to_string (reparsed);
  g_assert_cmpstr (again, ==, text);

  /* Equal descriptions could still hide a lossy value: compare them. */
  a = endpoint;
  b = reparsed;
  if (WEFT_IS_TLS_CLIENT_ENDPOINT (a))
    g_assert_cmpint (weft_tls_client_endpoint_get_handshake_timeout (WEFT_TLS_CLIENT_ENDPOINT (a)), ==,
                     weft_tls_client_endpoint_get_handshake_timeout (WEFT_TLS_CLIENT_ENDPOINT (b)));
  if (WEFT_IS_TLS_SERVER_ENDPOINT (a))
    g_assert_cmpint (weft_tls_server_endpoint_get_handshake_timeout (WEFT_TLS_SERVER_ENDPOINT (a)), ==,
                     weft_tls_server_endpoint_get_handshake_timeout (WEFT_TLS_SERVER_ENDPOINT (b)));
  if (WEFT_IS_TLS_CLIENT_ENDPOINT (a))
    {
      a = WEFT_ENDPOINT (weft_tls_client_endpoint_get_wrapped (WEFT_TLS_CLIENT_ENDPOINT (a)));
      b = WEFT_ENDPOINT (weft_tls_client_endpoint_get_wrapped (WEFT_TLS_CLIENT_ENDPOINT (b)));
    }
  if (WEFT_IS_TCP_CLIENT_ENDPOINT (a))
    {
      g_assert_cmpstr (weft_tcp_client_endpoint_get_host (WEFT_TCP_CLIENT_ENDPOINT (a)), ==,
                       weft_tcp_client_endpoint_get_host (WEFT_TCP_CLIENT_ENDPOINT (b)));
      g_assert_cmpint (weft_tcp_client_endpoint_get_timeout (WEFT_TCP_CLIENT_ENDPOINT (a)), ==,
                       weft_tcp_client_endpoint_get_timeout (WEFT_TCP_CLIENT_ENDPOINT (b)));
    }
  else if (WEFT_IS_UNIX_CLIENT_ENDPOINT (a))
    {
      g_assert_cmpstr (weft_unix_client_endpoint_get_path (WEFT_UNIX_CLIENT_ENDPOINT (a)), ==,
                       weft_unix_client_endpoint_get_path (WEFT_UNIX_CLIENT_ENDPOINT (b)));
      g_assert_cmpint (weft_unix_client_endpoint_get_timeout (WEFT_UNIX_CLIENT_ENDPOINT (a)), ==,
                       weft_unix_client_endpoint_get_timeout (WEFT_UNIX_CLIENT_ENDPOINT (b)));
    }
}

static WeftClientEndpoint *
random_client_endpoint (void)
{
  g_autofree char *host = random_host ();
  g_autoptr (WeftTcpClientEndpoint) tcp = NULL;
  WeftTlsClientEndpoint *tls;

  if (g_test_rand_int_range (0, 3) == 0)
    {
      g_autofree char *path = random_text ();
      WeftUnixClientEndpoint *unix_endpoint = weft_unix_client_endpoint_new (reactor, path);

      weft_unix_client_endpoint_set_timeout (unix_endpoint, random_timeout ());
      return WEFT_CLIENT_ENDPOINT (unix_endpoint);
    }
  tcp = weft_tcp_client_endpoint_new (reactor, host, g_test_rand_int_range (1, 65536));
  weft_tcp_client_endpoint_set_timeout (tcp, random_timeout ());
  if (g_test_rand_bit ())
    {
      g_autoptr (GInetAddress) bind = random_address ();

      weft_tcp_client_endpoint_set_bind_address (tcp, bind);
    }
  if (g_test_rand_bit ())
    return WEFT_CLIENT_ENDPOINT (g_steal_pointer (&tcp));

  tls = weft_tls_client_endpoint_new (WEFT_CLIENT_ENDPOINT (tcp), host);
  if (g_test_rand_bit ())
    {
      g_autofree char *ca = random_text ();

      weft_tls_client_endpoint_set_ca_file (tls, ca);
    }
  if (g_test_rand_bit ())
    weft_tls_client_endpoint_set_fingerprint (tls, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  if (g_test_rand_bit ())
    {
      g_autofree char *cert = random_text ();
      g_autofree char *key = random_text ();

      weft_tls_client_endpoint_set_certificate_files (tls, cert, key);
    }
  if (g_test_rand_bit ())
    weft_tls_client_endpoint_set_handshake_timeout (tls, random_timeout ());
  return WEFT_CLIENT_ENDPOINT (tls);
}

static WeftServerEndpoint *
random_server_endpoint (void)
{
  g_autoptr (WeftTcpServerEndpoint) tcp = NULL;
  g_autoptr (GInetAddress) interface = g_test_rand_bit () ? random_address () : NULL;
  int backlog = g_test_rand_bit () ? WEFT_ENDPOINT_DEFAULT_BACKLOG : g_test_rand_int_range (1, 65536);

  if (g_test_rand_int_range (0, 3) == 0)
    {
      g_autofree char *path = random_text ();
      WeftUnixServerEndpoint *unix_endpoint = weft_unix_server_endpoint_new (reactor, path);

      weft_unix_server_endpoint_set_mode (unix_endpoint, g_test_rand_int_range (0, 01000));
      weft_unix_server_endpoint_set_backlog (unix_endpoint, backlog);
      return WEFT_SERVER_ENDPOINT (unix_endpoint);
    }
  tcp = weft_tcp_server_endpoint_new (reactor, g_test_rand_int_range (0, 65536), interface);
  weft_tcp_server_endpoint_set_backlog (tcp, backlog);
  if (g_test_rand_bit ())
    return WEFT_SERVER_ENDPOINT (g_steal_pointer (&tcp));
  {
    g_autofree char *cert = random_text ();
    g_autofree char *key = random_text ();

    WeftTlsServerEndpoint *tls = weft_tls_server_endpoint_new (WEFT_SERVER_ENDPOINT (tcp), cert, key);

    if (g_test_rand_bit ())
      weft_tls_server_endpoint_set_handshake_timeout (tls, random_timeout ());
    return WEFT_SERVER_ENDPOINT (tls);
  }
}

static void
test_round_trip_generated (void)
{
  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr (WeftClientEndpoint) client = random_client_endpoint ();
      g_autoptr (WeftServerEndpoint) server = random_server_endpoint ();

      assert_parses_back (WEFT_ENDPOINT (client), FALSE);
      assert_parses_back (WEFT_ENDPOINT (server), TRUE);
    }
}

/* handshake_timeout= on TLS endpoints: seconds, 0 for none, the default
 * left out of descriptions. */
static void
test_tls_handshake_timeout (void)
{
  g_autoptr (WeftClientEndpoint) plain = parse_client ("tls:example.org:6697");
  g_autoptr (WeftClientEndpoint) fast = parse_client ("tls:example.org:6697:handshake_timeout=2.5");
  g_autoptr (WeftClientEndpoint) none = parse_client ("tls:example.org:6697:handshake_timeout=0");
  g_autoptr (WeftServerEndpoint) server = parse_server ("tls:6697:cert=c.pem:key=k.pem:handshake_timeout=10");
  g_autoptr (WeftServerEndpoint) server_none = parse_server ("tls:6697:handshake_timeout=0:cert=c.pem:key=k.pem");
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftClientEndpoint) bad = NULL;

  g_assert_cmpint (weft_tls_client_endpoint_get_handshake_timeout (WEFT_TLS_CLIENT_ENDPOINT (plain)), ==,
                   WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT);
  g_assert_cmpint (weft_tls_client_endpoint_get_handshake_timeout (WEFT_TLS_CLIENT_ENDPOINT (fast)), ==, 2500000);
  g_assert_cmpint (weft_tls_client_endpoint_get_handshake_timeout (WEFT_TLS_CLIENT_ENDPOINT (none)), ==, 0);
  g_assert_cmpint (weft_tls_server_endpoint_get_handshake_timeout (WEFT_TLS_SERVER_ENDPOINT (server)), ==,
                   10 * G_USEC_PER_SEC);
  g_assert_cmpint (weft_tls_server_endpoint_get_handshake_timeout (WEFT_TLS_SERVER_ENDPOINT (server_none)), ==, 0);
  assert_round_trip (WEFT_ENDPOINT (plain), "tls:example.org:6697", FALSE);
  assert_round_trip (WEFT_ENDPOINT (fast), "tls:example.org:6697:handshake_timeout=2.5", FALSE);
  assert_round_trip (WEFT_ENDPOINT (none), "tls:example.org:6697:handshake_timeout=0", FALSE);
  assert_round_trip (WEFT_ENDPOINT (server), "tls:6697:cert=c.pem:key=k.pem:handshake_timeout=10", TRUE);
  assert_round_trip (WEFT_ENDPOINT (server_none), "tls:6697:cert=c.pem:key=k.pem:handshake_timeout=0", TRUE);

  bad = weft_client_endpoint_from_string (reactor, "tls:example.org:6697:handshake_timeout=-1", &error);
  g_assert_null (bad);
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_ENDPOINT);
  g_assert_nonnull (strstr (error->message, "handshake_timeout must be a number of seconds, or 0 for none"));
}

/* The two values the "%g" format lost: one written with an exponent, one
 * cut to six significant digits. Digits past microseconds round. */
static void
test_round_trip_seconds (void)
{
  g_autoptr (WeftClientEndpoint) big = parse_client ("tcp:h:9:timeout=3444444");
  g_autoptr (WeftClientEndpoint) precise = parse_client ("unix:/x:timeout=1.234567");
  g_autoptr (WeftClientEndpoint) tiny = parse_client ("tcp:h:9:timeout=0.000001");
  g_autoptr (WeftClientEndpoint) rounded = parse_client ("tcp:h:9:timeout=1.23456789");
  g_autoptr (WeftClientEndpoint) huge = parse_client ("tcp:h:9:timeout=9223372036853.999999");
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftClientEndpoint) too_small = NULL;
  g_autoptr (WeftClientEndpoint) too_big = NULL;

  assert_round_trip (WEFT_ENDPOINT (big), "tcp:h:9:timeout=3444444", FALSE);
  assert_round_trip (WEFT_ENDPOINT (precise), "unix:/x:timeout=1.234567", FALSE);
  assert_round_trip (WEFT_ENDPOINT (tiny), "tcp:h:9:timeout=0.000001", FALSE);
  assert_round_trip (WEFT_ENDPOINT (rounded), "tcp:h:9:timeout=1.234568", FALSE);
  assert_round_trip (WEFT_ENDPOINT (huge), "tcp:h:9:timeout=9223372036853.999999", FALSE);
  g_assert_cmpint (weft_tcp_client_endpoint_get_timeout (WEFT_TCP_CLIENT_ENDPOINT (big)), ==,
                   G_GINT64_CONSTANT (3444444) * G_USEC_PER_SEC);
  g_assert_cmpint (weft_unix_client_endpoint_get_timeout (WEFT_UNIX_CLIENT_ENDPOINT (precise)), ==, 1234567);

  /* Less than a microsecond would be no timeout at all; more than fits
   * in microseconds would wrap around. */
  too_small = weft_client_endpoint_from_string (reactor, "tcp:h:9:timeout=0.0000004", &error);
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_ENDPOINT);
  g_assert_null (too_small);
  g_clear_error (&error);
  too_big = weft_client_endpoint_from_string (reactor, "tcp:h:9:timeout=9223372036855", &error);
  g_assert_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_ENDPOINT);
  g_assert_null (too_big);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  reactor = weft_test_clock_new ();

  g_test_add_func ("/endpoint-parse/tcp-client/good", test_tcp_client_good);
  g_test_add_func ("/endpoint-parse/tls-client/good", test_tls_client_good);
  g_test_add_func ("/endpoint-parse/unix-client/good", test_unix_client_good);
  g_test_add_func ("/endpoint-parse/server/good", test_server_good);
  g_test_add_func ("/endpoint-parse/client/bad", test_client_bad);
  g_test_add_func ("/endpoint-parse/server/bad", test_server_bad);
  g_test_add_func ("/endpoint-parse/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/endpoint-parse/quote-argument", test_quote_argument);
  g_test_add_func ("/endpoint-parse/constructors", test_constructors);
  g_test_add_func ("/endpoint-parse/round-trip/seconds", test_round_trip_seconds);
  g_test_add_func ("/endpoint-parse/tls-handshake-timeout", test_tls_handshake_timeout);
  g_test_add_func ("/endpoint-parse/round-trip/generated", test_round_trip_generated);
  g_test_add_func ("/resolver/numeric", test_resolve_numeric);
  g_test_add_func ("/resolver/invalid-names", test_resolve_invalid_names);
  g_test_add_func ("/resolver/override", test_resolver_override);
  g_test_add_func ("/resolver/addresses-bad", test_resolve_addresses_bad);
  g_test_add_func ("/happy-eyeballs/sort", test_happy_eyeballs_sort);

  status = g_test_run ();
  g_object_unref (reactor);
  return status;
}
