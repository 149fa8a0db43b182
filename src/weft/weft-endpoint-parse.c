/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Endpoint descriptions: the string parser, and endpoints made from
 * strings. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "weft-endpoint-private.h"
#include "weft-error.h"
#include "weft-happy-eyeballs-private.h"
#include "weft-listening-port.h"
#include "weft-resolver-private.h"
#include "weft-resolver.h"
#include "weft-tcp.h"
#include "weft-tls.h"
#include "weft-unix.h"

/* Parsing */

typedef enum {
  ARG_HOST,
  ARG_PORT,
  ARG_PATH,
  ARG_TIMEOUT,
  ARG_BIND,
  ARG_INTERFACE,
  ARG_BACKLOG,
  ARG_MODE,
  ARG_CA,
  ARG_FINGERPRINT,
  ARG_CERT,
  ARG_KEY,
  ARG_HANDSHAKE_TIMEOUT,
  N_ARGS
} ArgName;

static const char *const arg_names[N_ARGS] = {
  "host", "port", "path",        "timeout", "bind", "interface",         "backlog",
  "mode", "ca",   "fingerprint", "cert",    "key",  "handshake_timeout",
};

typedef struct {
  const char *kind;
  gboolean server;
  const char *usage;
  guint n_positional;
  ArgName positional[2];
  guint n_keywords;
  ArgName keywords[7];
} Grammar;

static const Grammar grammars[] = {
  { "tcp", FALSE, "tcp:HOST:PORT", 2, { ARG_HOST, ARG_PORT }, 2, { ARG_TIMEOUT, ARG_BIND } },
  { "tls",
    FALSE,
    "tls:HOST:PORT",
    2,
    { ARG_HOST, ARG_PORT },
    7,
    { ARG_TIMEOUT, ARG_BIND, ARG_CA, ARG_FINGERPRINT, ARG_CERT, ARG_KEY, ARG_HANDSHAKE_TIMEOUT } },
  { "unix", FALSE, "unix:PATH", 1, { ARG_PATH }, 1, { ARG_TIMEOUT } },
  { "tcp", TRUE, "tcp:PORT", 1, { ARG_PORT }, 2, { ARG_INTERFACE, ARG_BACKLOG } },
  { "tls",
    TRUE,
    "tls:PORT:cert=FILE:key=FILE",
    1,
    { ARG_PORT },
    5,
    { ARG_CERT, ARG_KEY, ARG_INTERFACE, ARG_BACKLOG, ARG_HANDSHAKE_TIMEOUT } },
  { "unix", TRUE, "unix:PATH", 1, { ARG_PATH }, 2, { ARG_MODE, ARG_BACKLOG } },
};

/* One ':'-separated piece of a description, unescaped. Columns count
 * characters from 1. */
typedef struct {
  char *key; /* NULL for a positional argument */
  char *value;
  guint key_column;
  guint value_column;
} Argument;

typedef struct {
  const char *description;
  guint end_column; /* just past the last character */
  const Grammar *grammar;
  const Argument *given[N_ARGS];

  char *host;
  guint16 port;
  char *path;
  gint64 timeout_us;
  gint64 handshake_timeout_us;
  GInetAddress *bind;
  GInetAddress *interface;
  int backlog;
  guint mode;
  char *ca;
  char *fingerprint;
  char *cert;
  char *key;
} Parsed;

static void
argument_free (gpointer data)
{
  Argument *argument = data;

  g_free (argument->key);
  g_free (argument->value);
  g_free (argument);
}

static void
parsed_clear (Parsed *parsed)
{
  g_free (parsed->host);
  g_free (parsed->path);
  g_clear_object (&parsed->bind);
  g_clear_object (&parsed->interface);
  g_free (parsed->ca);
  g_free (parsed->fingerprint);
  g_free (parsed->cert);
  g_free (parsed->key);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parsed, parsed_clear)

static gboolean G_GNUC_PRINTF (4, 5)
    parse_error (const char *description, guint column, GError **error, const char *format, ...)
{
  g_autofree char *what = NULL;
  g_autofree char *shown = g_utf8_make_valid (description, -1);
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, WEFT_ERROR, WEFT_ERROR_INVALID_ENDPOINT, _ ("%s: %s (at character %u)"), shown, what, column);
  return FALSE;
}

static void
take_character (GString *text, const char **p, guint *column)
{
  const char *next = g_utf8_next_char (*p);

  g_string_append_len (text, *p, next - *p);
  *p = next;
  (*column)++;
}

static gboolean
read_escape (const char *description, GString *text, const char **p, guint *column, GError **error)
{
  if ((*p)[1] == '\0')
    return parse_error (description, *column, error, _ ("a backslash at the end escapes nothing"));
  (*p)++;
  (*column)++;
  take_character (text, p, column);
  return TRUE;
}

/* "[...]" at the start of a value: everything up to "]" is literal. */
static gboolean
read_bracketed (const char *description, GString *text, const char **p, guint *column, GError **error)
{
  guint open_column = *column;

  (*p)++;
  (*column)++;
  while (**p != ']')
    {
      if (**p == '\0')
        return parse_error (description, open_column, error, _ ("unterminated “[”: expected “]”"));
      if (**p == '\\')
        {
          if (!read_escape (description, text, p, column, error))
            return FALSE;
        }
      else
        take_character (text, p, column);
    }
  (*p)++;
  (*column)++;
  if (**p != '\0' && **p != ':')
    {
      g_autofree char *got = g_strndup (*p, g_utf8_next_char (*p) - *p);

      return parse_error (description, *column, error, _ ("expected “:” after “]”, got “%s”"), got);
    }
  return TRUE;
}

static GPtrArray *
tokenize (const char *description, GError **error)
{
  g_autoptr (GPtrArray) arguments = g_ptr_array_new_with_free_func (argument_free);
  const char *p = description;
  guint column = 1;

  for (;;)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      Argument *argument = g_new0 (Argument, 1);
      gboolean value_start = TRUE;

      g_ptr_array_add (arguments, argument);
      argument->key_column = argument->value_column = column;
      while (*p != '\0' && *p != ':')
        {
          if (value_start && *p == '[')
            {
              if (!read_bracketed (description, text, &p, &column, error))
                return NULL;
              break;
            }
          value_start = FALSE;
          if (*p == '\\')
            {
              if (!read_escape (description, text, &p, &column, error))
                return NULL;
            }
          else if (*p == '=' && argument->key == NULL)
            {
              if (text->len == 0)
                {
                  parse_error (description, column, error, _ ("missing keyword name before “=”"));
                  return NULL;
                }
              argument->key = g_strdup (text->str);
              g_string_truncate (text, 0);
              p++;
              column++;
              argument->value_column = column;
              value_start = TRUE;
            }
          else
            take_character (text, &p, &column);
        }
      argument->value = g_strdup (text->str);
      if (*p == '\0')
        break;
      p++;
      column++;
    }
  return g_steal_pointer (&arguments);
}

static gboolean
parse_decimal (const char *text, guint64 min, guint64 max, guint64 *out)
{
  gsize len = strlen (text);

  if (len == 0 || len > 10)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  *out = g_ascii_strtoull (text, NULL, 10);
  return *out >= min && *out <= max;
}

/* Seconds in plain decimal ("30", "2.5", ".5") to whole microseconds,
 * rounded to the nearest; exact, so that what weft_append_seconds() wrote
 * reads back to the same value. At least 1 µs and no more than fits. */
static gboolean
parse_seconds (const char *text, gint64 *out_us)
{
  const gint64 max_seconds = G_MAXINT64 / G_USEC_PER_SEC - 1;
  gint64 seconds = 0, fraction = 0, scale = G_USEC_PER_SEC;
  gboolean seen_digit = FALSE, seen_point = FALSE, round_up = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '.' && !seen_point)
        {
          seen_point = TRUE;
          continue;
        }
      if (!g_ascii_isdigit (*p))
        return FALSE;
      seen_digit = TRUE;
      if (!seen_point)
        {
          if (seconds > max_seconds / 10)
            return FALSE;
          seconds = seconds * 10 + (*p - '0');
        }
      else if (scale > 1)
        {
          scale /= 10;
          fraction += (*p - '0') * scale;
        }
      else if (scale == 1)
        {
          /* The first digit past microseconds rounds; the rest cannot. */
          round_up = *p >= '5';
          scale = 0;
        }
    }
  if (!seen_digit || seconds > max_seconds)
    return FALSE;
  *out_us = seconds * G_USEC_PER_SEC + fraction + round_up;
  return *out_us > 0;
}

static gboolean
parse_octal_mode (const char *text, guint *out)
{
  gsize len = strlen (text);

  if (len == 0 || len > 4)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (text[i] < '0' || text[i] > '7')
      return FALSE;
  *out = g_ascii_strtoull (text, NULL, 8);
  return *out <= 0777;
}

/* 64 hexadecimal digits, optionally in pairs separated by (escaped) colons;
 * returned in lower case without separators. */
static char *
parse_fingerprint (const char *text)
{
  g_autoptr (GString) digits = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ':' && digits->len > 0 && digits->len % 2 == 0 && p[1] != '\0' && p[1] != ':')
        continue;
      if (!g_ascii_isxdigit (*p))
        return NULL;
      g_string_append_c (digits, g_ascii_tolower (*p));
    }
  if (digits->len != 64)
    return NULL;
  return g_string_free (g_steal_pointer (&digits), FALSE);
}

static gboolean
parse_value (Parsed *parsed, ArgName name, const Argument *argument, GError **error)
{
  const char *description = parsed->description;
  const char *value = argument->value;
  guint column = argument->value_column;
  guint64 number;

  switch (name)
    {
    case ARG_HOST:
      if (*value == '\0')
        return parse_error (description, column, error, _ ("missing host; expected %s"), parsed->grammar->usage);
      parsed->host = g_strdup (value);
      return TRUE;
    case ARG_PATH:
      if (*value == '\0')
        return parse_error (description, column, error, _ ("missing path; expected %s"), parsed->grammar->usage);
      parsed->path = g_strdup (value);
      return TRUE;
    case ARG_PORT:
      {
        guint min = parsed->grammar->server ? 0 : 1;

        if (!parse_decimal (value, min, G_MAXUINT16, &number))
          return parse_error (description, column, error, _ ("port must be a number from %u to 65535, got “%s”"), min,
                              value);
        parsed->port = number;
        return TRUE;
      }
    case ARG_TIMEOUT:
      if (!parse_seconds (value, &parsed->timeout_us))
        return parse_error (description, column, error,
                            _ ("timeout must be a number of seconds greater than 0, got “%s”"), value);
      return TRUE;
    case ARG_HANDSHAKE_TIMEOUT:
      if (g_str_equal (value, "0"))
        parsed->handshake_timeout_us = 0;
      else if (!parse_seconds (value, &parsed->handshake_timeout_us))
        return parse_error (description, column, error,
                            _ ("handshake_timeout must be a number of seconds, or 0 for none, got “%s”"), value);
      return TRUE;
    case ARG_BIND:
    case ARG_INTERFACE:
      {
        GInetAddress *address = g_inet_address_new_from_string (value);

        if (address == NULL)
          return parse_error (description, column, error, _ ("%s must be an IP address, got “%s”"), arg_names[name],
                              value);
        if (name == ARG_BIND)
          parsed->bind = address;
        else
          parsed->interface = address;
        return TRUE;
      }
    case ARG_BACKLOG:
      if (!parse_decimal (value, 1, G_MAXUINT16, &number))
        return parse_error (description, column, error, _ ("backlog must be a number from 1 to 65535, got “%s”"),
                            value);
      parsed->backlog = number;
      return TRUE;
    case ARG_MODE:
      if (!parse_octal_mode (value, &parsed->mode))
        return parse_error (description, column, error,
                            _ ("mode must be an octal file mode from 0 to 0777, such as 0600, got “%s”"), value);
      return TRUE;
    case ARG_FINGERPRINT:
      parsed->fingerprint = parse_fingerprint (value);
      if (parsed->fingerprint == NULL)
        return parse_error (description, column, error,
                            _ ("fingerprint must be a SHA-256 digest: 64 hexadecimal digits, got “%s”"), value);
      return TRUE;
    case ARG_CA:
    case ARG_CERT:
    case ARG_KEY:
      if (*value == '\0')
        return parse_error (description, column, error, _ ("%s= needs a file name"), arg_names[name]);
      if (name == ARG_CA)
        parsed->ca = g_strdup (value);
      else if (name == ARG_CERT)
        parsed->cert = g_strdup (value);
      else
        parsed->key = g_strdup (value);
      return TRUE;
    case N_ARGS:
    default:
      g_assert_not_reached ();
    }
}

static const Grammar *
find_grammar (const char *kind, gboolean server)
{
  for (guint i = 0; i < G_N_ELEMENTS (grammars); i++)
    if (grammars[i].server == server && g_ascii_strcasecmp (grammars[i].kind, kind) == 0)
      return &grammars[i];
  return NULL;
}

static char *
accepted_names (const Grammar *grammar)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < grammar->n_positional; i++)
    g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", arg_names[grammar->positional[i]]);
  for (guint i = 0; i < grammar->n_keywords; i++)
    g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", arg_names[grammar->keywords[i]]);
  return g_string_free (names, FALSE);
}

static gboolean
grammar_accepts (const Grammar *grammar, const char *key, ArgName *name)
{
  for (guint i = 0; i < grammar->n_positional; i++)
    if (g_str_equal (key, arg_names[grammar->positional[i]]))
      return (*name = grammar->positional[i]), TRUE;
  for (guint i = 0; i < grammar->n_keywords; i++)
    if (g_str_equal (key, arg_names[grammar->keywords[i]]))
      return (*name = grammar->keywords[i]), TRUE;
  return FALSE;
}

/* "tcp:::1:6667": an IPv6 address cut up by its colons. */
static gboolean
check_unbracketed_ipv6 (Parsed *parsed, GPtrArray *arguments, GError **error)
{
  g_autoptr (GString) joined = g_string_new (NULL);
  guint n_positional = 0;
  const Argument *first = NULL;

  if (parsed->grammar->server || parsed->grammar->n_positional != 2)
    return TRUE;
  for (guint i = 1; i < arguments->len; i++)
    {
      const Argument *argument = arguments->pdata[i];

      if (argument->key != NULL)
        break;
      if (first == NULL)
        first = argument;
      n_positional++;
    }
  if (n_positional <= 2)
    return TRUE;

  /* With the last piece as the port, or with the port missing. */
  for (int with_port = 1; with_port >= 0; with_port--)
    {
      guint n_address = n_positional - with_port;

      g_string_truncate (joined, 0);
      for (guint i = 0; i < n_address; i++)
        g_string_append_printf (joined, "%s%s", i > 0 ? ":" : "", ((const Argument *) arguments->pdata[1 + i])->value);
      if (g_hostname_is_ip_address (joined->str))
        {
          const char *port = with_port ? ((const Argument *) arguments->pdata[n_positional])->value : "PORT";

          return parse_error (parsed->description, first->value_column, error,
                              _ ("an IPv6 address must be written in brackets, as in %s:[%s]:%s"),
                              parsed->grammar->kind, joined->str, port);
        }
    }
  return TRUE;
}

static gboolean
parse_description (const char *description, gboolean server, Parsed *parsed, GError **error)
{
  g_autoptr (GPtrArray) arguments = NULL;
  const char *end = NULL;
  const Argument *kind;
  guint n_positional = 0;

  parsed->description = description;
  if (!g_utf8_validate (description, -1, &end))
    return parse_error (description, g_utf8_pointer_to_offset (description, end) + 1, error,
                        _ ("the description is not valid UTF-8"));
  parsed->end_column = g_utf8_strlen (description, -1) + 1;
  if (*description == '\0')
    {
      g_set_error (
          error, WEFT_ERROR, WEFT_ERROR_INVALID_ENDPOINT,
          _ ("Empty endpoint description: expected tcp, tls or unix, then “:” and arguments (at character 1)"));
      return FALSE;
    }

  arguments = tokenize (description, error);
  if (arguments == NULL)
    return FALSE;

  kind = arguments->pdata[0];
  parsed->grammar = kind->key == NULL ? find_grammar (kind->value, server) : NULL;
  if (parsed->grammar == NULL)
    {
      g_autofree char *text =
          kind->key != NULL ? g_strdup_printf ("%s=%s", kind->key, kind->value) : g_strdup (kind->value);

      return parse_error (description, 1, error, _ ("unknown endpoint type “%s”; expected tcp, tls or unix"), text);
    }

  if (!check_unbracketed_ipv6 (parsed, arguments, error))
    return FALSE;

  for (guint i = 1; i < arguments->len; i++)
    {
      const Argument *argument = arguments->pdata[i];
      ArgName name;

      if (argument->key == NULL)
        {
          if (n_positional >= parsed->grammar->n_positional)
            return parse_error (description, argument->value_column, error,
                                _ ("unexpected argument “%s”; only keywords may follow %s"), argument->value,
                                parsed->grammar->usage);
          name = parsed->grammar->positional[n_positional++];
        }
      else if (!grammar_accepts (parsed->grammar, argument->key, &name))
        {
          g_autofree char *accepted = accepted_names (parsed->grammar);

          return parse_error (description, argument->key_column, error,
                              _ ("unknown keyword “%s”; %s %s endpoints accept %s"), argument->key,
                              parsed->grammar->kind, server ? _ ("server") : _ ("client"), accepted);
        }

      if (parsed->given[name] != NULL)
        return parse_error (description, argument->key_column, error, _ ("“%s” is given twice"), arg_names[name]);
      parsed->given[name] = argument;
      if (!parse_value (parsed, name, argument, error))
        return FALSE;
    }

  for (guint i = 0; i < parsed->grammar->n_positional; i++)
    {
      ArgName name = parsed->grammar->positional[i];

      if (parsed->given[name] == NULL)
        return parse_error (description, parsed->end_column, error, _ ("missing %s; expected %s"), arg_names[name],
                            parsed->grammar->usage);
    }

  if (g_str_equal (parsed->grammar->kind, "tls"))
    {
      if (server && parsed->cert == NULL && parsed->key == NULL)
        return parse_error (description, parsed->end_column, error, _ ("missing cert=FILE and key=FILE; expected %s"),
                            parsed->grammar->usage);
      if (parsed->cert != NULL && parsed->key == NULL)
        return parse_error (description, parsed->end_column, error, _ ("missing key=FILE to go with cert=FILE"));
      if (parsed->key != NULL && parsed->cert == NULL)
        return parse_error (description, parsed->end_column, error, _ ("missing cert=FILE to go with key=FILE"));
    }

  /* Sets what was not given. */
  if (parsed->given[ARG_BACKLOG] == NULL)
    parsed->backlog = WEFT_ENDPOINT_DEFAULT_BACKLOG;
  if (parsed->given[ARG_MODE] == NULL)
    parsed->mode = WEFT_ENDPOINT_DEFAULT_UNIX_MODE;
  return TRUE;
}

/**
 * weft_endpoint_quote_argument:
 * @value: an argument for an endpoint description: a path, a file name
 *
 * Escapes @value so that it can go into an endpoint description as one
 * argument: a backslash goes before every `:`, `=` and `\`, and before a
 * leading `[`. Twisted's `quoteStringArgument`.
 *
 * Returns: (transfer full): the quoted argument
 */
char *
weft_endpoint_quote_argument (const char *value)
{
  GString *quoted;

  g_return_val_if_fail (value != NULL, NULL);

  quoted = g_string_sized_new (strlen (value) + 4);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == ':' || *p == '=' || *p == '\\' || (*p == '[' && p == value))
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  return g_string_free (quoted, FALSE);
}

void
weft_append_argument (GString *out, const char *key, const char *value)
{
  g_autofree char *quoted = NULL;

  g_string_append_c (out, ':');
  if (key != NULL)
    g_string_append_printf (out, "%s=", key);
  if (strchr (value, ':') != NULL && g_hostname_is_ip_address (value))
    g_string_append_printf (out, "[%s]", value);
  else
    {
      quoted = weft_endpoint_quote_argument (value);
      g_string_append (out, quoted);
    }
}

void
weft_append_address (GString *out, const char *key, GInetAddress *address)
{
  g_autofree char *text = NULL;

  if (address == NULL)
    return;
  text = g_inet_address_to_string (address);
  weft_append_argument (out, key, text);
}

/* Descriptions count in seconds, as Twisted's do: written in plain decimal
 * with every microsecond, so that parse_seconds() reads back the same
 * value (never "%g", which drops digits and writes exponents). */
void
weft_append_seconds (GString *out, const char *key, gint64 usec)
{
  char text[48];
  int fraction = usec % G_USEC_PER_SEC;
  int len;

  if (usec <= 0)
    return;
  len = g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, usec / G_USEC_PER_SEC);
  if (fraction != 0)
    {
      len += g_snprintf (text + len, sizeof text - len, ".%06d", fraction);
      while (text[len - 1] == '0')
        text[--len] = '\0';
    }
  weft_append_argument (out, key, text);
}

void
weft_append_handshake_timeout (GString *out, gint64 usec)
{
  if (usec == WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT)
    return;
  if (usec == 0)
    weft_append_argument (out, "handshake_timeout", "0");
  else
    weft_append_seconds (out, "handshake_timeout", usec);
}

/* From strings */

/**
 * weft_client_endpoint_from_string:
 * @reactor: the reactor to connect on
 * @description: what to connect to
 * @error: return location for a #GError
 *
 * Makes a client endpoint from a description (Twisted's
 * `clientFromString`):
 *
 * - `tcp:HOST:PORT[:timeout=SECONDS][:bind=ADDRESS]`: a
 *   [class@Weft.TcpClientEndpoint]. HOST is a name or an address; write
 *   IPv6 addresses in brackets (`tcp:[::1]:6667`).
 * - `tls:HOST:PORT[:ca=FILE][:fingerprint=SHA256][:cert=FILE:key=FILE]`
 *   `[:handshake_timeout=SECONDS]` and the TCP keywords: a
 *   [class@Weft.TlsClientEndpoint] over TCP that checks the server's
 *   certificate for HOST. `handshake_timeout` bounds the TLS handshake
 *   (default %WEFT_TLS_DEFAULT_HANDSHAKE_TIMEOUT, `0` for none).
 * - `unix:PATH[:timeout=SECONDS]`: a [class@Weft.UnixClientEndpoint].
 *
 * Arguments are separated by `:`; keywords are `key=value` and may come in
 * any order after the positional arguments (which may also be given as
 * keywords: `host=`, `port=`, `path=`). A backslash makes the next
 * character literal (`unix:/tmp/a\:b`), and `[...]` at the start of a value
 * quotes it whole.
 *
 * A description that cannot be used gives a %WEFT_ERROR_INVALID_ENDPOINT
 * error that quotes the description, says what was expected and where,
 * counting characters from 1 (so that a caret printed under that column
 * of the description points at the problem):
 *
 * ```
 * tcp:example.org:66x7: port must be a number from 1 to 65535, got “66x7” (at character 17)
 * ```
 *
 * Returns: (transfer full): a new client endpoint, or %NULL with @error set
 */
WeftClientEndpoint *
weft_client_endpoint_from_string (WeftReactor *reactor, const char *description, GError **error)
{
  g_auto (Parsed) parsed = { 0 };
  g_autoptr (WeftTcpClientEndpoint) tcp = NULL;
  WeftTlsClientEndpoint *tls;
  WeftUnixClientEndpoint *unix_endpoint;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (description != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_description (description, FALSE, &parsed, error))
    return NULL;

  if (g_str_equal (parsed.grammar->kind, "unix"))
    {
      unix_endpoint = weft_unix_client_endpoint_new (reactor, parsed.path);
      unix_endpoint->timeout_us = parsed.timeout_us;
      return WEFT_CLIENT_ENDPOINT (unix_endpoint);
    }

  tcp = weft_tcp_client_endpoint_new (reactor, parsed.host, parsed.port);
  tcp->timeout_us = parsed.timeout_us;
  g_set_object (&tcp->bind_address, parsed.bind);
  if (g_str_equal (parsed.grammar->kind, "tcp"))
    return WEFT_CLIENT_ENDPOINT (g_steal_pointer (&tcp));

  tls = weft_tls_client_endpoint_new (WEFT_CLIENT_ENDPOINT (tcp), parsed.host);
  tls->ca_file = g_steal_pointer (&parsed.ca);
  tls->fingerprint = g_steal_pointer (&parsed.fingerprint);
  tls->certificate_file = g_steal_pointer (&parsed.cert);
  tls->key_file = g_steal_pointer (&parsed.key);
  if (parsed.given[ARG_HANDSHAKE_TIMEOUT] != NULL)
    tls->handshake_timeout_us = parsed.handshake_timeout_us;
  return WEFT_CLIENT_ENDPOINT (tls);
}

/**
 * weft_server_endpoint_from_string:
 * @reactor: the reactor to listen on
 * @description: where to listen
 * @error: return location for a #GError
 *
 * Makes a server endpoint from a description (Twisted's
 * `serverFromString`):
 *
 * - `tcp:PORT[:interface=ADDRESS][:backlog=N]`: a
 *   [class@Weft.TcpServerEndpoint]; PORT 0 picks a free port, and without
 *   an interface it listens on every IPv4 interface
 *   (`interface=[::]` for IPv6).
 * - `tls:PORT:cert=FILE:key=FILE[:interface=ADDRESS][:backlog=N]`: a
 *   [class@Weft.TlsServerEndpoint] over TCP; also
 *   `handshake_timeout=SECONDS`, as for clients.
 * - `unix:PATH[:mode=0600][:backlog=N]`: a
 *   [class@Weft.UnixServerEndpoint]; the mode is octal.
 *
 * The syntax and the errors are those of
 * weft_client_endpoint_from_string().
 *
 * Returns: (transfer full): a new server endpoint, or %NULL with @error set
 */
WeftServerEndpoint *
weft_server_endpoint_from_string (WeftReactor *reactor, const char *description, GError **error)
{
  g_auto (Parsed) parsed = { 0 };
  g_autoptr (WeftTcpServerEndpoint) tcp = NULL;
  WeftUnixServerEndpoint *unix_endpoint;
  WeftTlsServerEndpoint *tls_server;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (description != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_description (description, TRUE, &parsed, error))
    return NULL;

  if (g_str_equal (parsed.grammar->kind, "unix"))
    {
      unix_endpoint = weft_unix_server_endpoint_new (reactor, parsed.path);
      unix_endpoint->mode = parsed.mode;
      unix_endpoint->backlog = parsed.backlog;
      return WEFT_SERVER_ENDPOINT (unix_endpoint);
    }

  tcp = weft_tcp_server_endpoint_new (reactor, parsed.port, parsed.interface);
  tcp->backlog = parsed.backlog;
  if (g_str_equal (parsed.grammar->kind, "tcp"))
    return WEFT_SERVER_ENDPOINT (g_steal_pointer (&tcp));

  tls_server = weft_tls_server_endpoint_new (WEFT_SERVER_ENDPOINT (tcp), parsed.cert, parsed.key);
  if (parsed.given[ARG_HANDSHAKE_TIMEOUT] != NULL)
    tls_server->handshake_timeout_us = parsed.handshake_timeout_us;
  return WEFT_SERVER_ENDPOINT (tls_server);
}
