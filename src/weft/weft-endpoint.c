/* Endpoints: where to connect or listen, as objects and as strings.
 *
 * The string language is Twisted's: arguments separated by ':', keywords
 * as key=value, a backslash makes the next character literal, and an IPv6
 * address may be written in brackets instead of escaping its colons. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "weft-endpoint.h"
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
  N_ARGS
} ArgName;

static const char *const arg_names[N_ARGS] = {
  "host", "port", "path", "timeout", "bind", "interface", "backlog", "mode", "ca", "fingerprint", "cert", "key",
};

typedef struct {
  const char *kind;
  gboolean server;
  const char *usage;
  guint n_positional;
  ArgName positional[2];
  guint n_keywords;
  ArgName keywords[6];
} Grammar;

static const Grammar grammars[] = {
  { "tcp", FALSE, "tcp:HOST:PORT", 2, { ARG_HOST, ARG_PORT }, 2, { ARG_TIMEOUT, ARG_BIND } },
  { "tls",
    FALSE,
    "tls:HOST:PORT",
    2,
    { ARG_HOST, ARG_PORT },
    6,
    { ARG_TIMEOUT, ARG_BIND, ARG_CA, ARG_FINGERPRINT, ARG_CERT, ARG_KEY } },
  { "unix", FALSE, "unix:PATH", 1, { ARG_PATH }, 1, { ARG_TIMEOUT } },
  { "tcp", TRUE, "tcp:PORT", 1, { ARG_PORT }, 2, { ARG_INTERFACE, ARG_BACKLOG } },
  { "tls", TRUE, "tls:PORT:cert=FILE:key=FILE", 1, { ARG_PORT }, 4, { ARG_CERT, ARG_KEY, ARG_INTERFACE, ARG_BACKLOG } },
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
  double timeout;
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

static gboolean
parse_seconds (const char *text, double *out)
{
  gboolean seen_digit = FALSE, seen_point = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        seen_digit = TRUE;
      else if (*p == '.' && !seen_point)
        seen_point = TRUE;
      else
        return FALSE;
    }
  if (!seen_digit)
    return FALSE;
  *out = g_ascii_strtod (text, NULL);
  return *out > 0;
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
      if (!parse_seconds (value, &parsed->timeout))
        return parse_error (description, column, error,
                            _ ("timeout must be a number of seconds greater than 0, got “%s”"), value);
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

static void
append_argument (GString *out, const char *key, const char *value)
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

static void
append_address (GString *out, const char *key, GInetAddress *address)
{
  g_autofree char *text = NULL;

  if (address == NULL)
    return;
  text = g_inet_address_to_string (address);
  append_argument (out, key, text);
}

static void
append_seconds (GString *out, const char *key, double seconds)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (seconds <= 0)
    return;
  append_argument (out, key, g_ascii_formatd (buffer, sizeof buffer, "%g", seconds));
}

/* WeftEndpoint */

typedef struct {
  WeftReactor *reactor;
} WeftEndpointPrivate;

/**
 * WeftEndpoint:
 *
 * Where to connect or where to listen, as an object: Twisted's endpoints.
 *
 * A [class@Weft.ClientEndpoint] connects a [class@Weft.ClientFactory]'s
 * protocol to a server; a [class@Weft.ServerEndpoint] listens with a
 * [class@Weft.Factory]. Both are made from descriptions that a user can
 * type into a configuration file or a command line:
 *
 * | description | what |
 * | --- | --- |
 * | `tcp:example.org:6667` | TCP to a host name (IPv6 and IPv4, RFC 8305) or address |
 * | `tcp:[::1]:6667:timeout=10:bind=::1` | options are keywords |
 * | `tls:example.org:6697:ca=/etc/ca.pem` | TLS over TCP |
 * | `unix:/run/app.sock` | a Unix socket |
 * | `tcp:6667:interface=127.0.0.1` (server) | listen on a port |
 * | `tls:6697:cert=server.pem:key=server.key` (server) | listen with TLS |
 * | `unix:/run/app.sock:mode=0600` (server) | listen on a Unix socket |
 *
 * See weft_client_endpoint_from_string() and
 * weft_server_endpoint_from_string() for every keyword.
 */
G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (WeftEndpoint, weft_endpoint, G_TYPE_OBJECT)

enum {
  PROP_ENDPOINT_0,
  PROP_ENDPOINT_REACTOR,
  N_ENDPOINT_PROPS
};

static GParamSpec *endpoint_properties[N_ENDPOINT_PROPS];

static char *
weft_endpoint_real_to_string (WeftEndpoint *self)
{
  return g_strdup (G_OBJECT_TYPE_NAME (self));
}

static void
weft_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftEndpointPrivate *priv = weft_endpoint_get_instance_private (WEFT_ENDPOINT (object));

  switch (prop_id)
    {
    case PROP_ENDPOINT_REACTOR:
      g_value_set_object (value, priv->reactor);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftEndpointPrivate *priv = weft_endpoint_get_instance_private (WEFT_ENDPOINT (object));

  switch (prop_id)
    {
    case PROP_ENDPOINT_REACTOR:
      priv->reactor = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_endpoint_dispose (GObject *object)
{
  WeftEndpointPrivate *priv = weft_endpoint_get_instance_private (WEFT_ENDPOINT (object));

  g_clear_object (&priv->reactor);
  G_OBJECT_CLASS (weft_endpoint_parent_class)->dispose (object);
}

static void
weft_endpoint_class_init (WeftEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = weft_endpoint_get_property;
  object_class->set_property = weft_endpoint_set_property;
  object_class->dispose = weft_endpoint_dispose;
  klass->to_string = weft_endpoint_real_to_string;

  /**
   * WeftEndpoint:reactor: (getter get_reactor)
   *
   * The reactor that connections and listening ports run on.
   */
  endpoint_properties[PROP_ENDPOINT_REACTOR] =
      g_param_spec_object ("reactor", NULL, NULL, WEFT_TYPE_REACTOR,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_ENDPOINT_PROPS, endpoint_properties);
}

static void
weft_endpoint_init (WeftEndpoint *self)
{
}

/**
 * weft_endpoint_get_reactor:
 * @endpoint: an endpoint
 *
 * Returns: (transfer none): the reactor of @endpoint
 */
WeftReactor *
weft_endpoint_get_reactor (WeftEndpoint *endpoint)
{
  WeftEndpointPrivate *priv;

  g_return_val_if_fail (WEFT_IS_ENDPOINT (endpoint), NULL);
  priv = weft_endpoint_get_instance_private (endpoint);
  return priv->reactor;
}

/**
 * weft_endpoint_to_string:
 * @endpoint: an endpoint
 *
 * Describes @endpoint in the language of weft_client_endpoint_from_string()
 * and weft_server_endpoint_from_string(): for the endpoints these make,
 * parsing the result gives an equal endpoint. Values that equal the
 * defaults are left out.
 *
 * Returns: (transfer full): the description
 */
char *
weft_endpoint_to_string (WeftEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_ENDPOINT (endpoint), NULL);
  return WEFT_ENDPOINT_GET_CLASS (endpoint)->to_string (endpoint);
}

/* Connecting never reports from inside the call that started it: a result
 * that is there at once waits for the reactor's next round. */
static void
unpause_deferred (gpointer data)
{
  weft_deferred_unpause (data);
}

static void
hold_until_soon (WeftReactor *reactor, WeftDeferred *deferred)
{
  if (!weft_deferred_has_fired (deferred) || weft_deferred_is_waiting (deferred))
    return;
  weft_deferred_pause (deferred);
  weft_reactor_call_soon (reactor, unpause_deferred, g_object_ref (deferred), g_object_unref);
}

/* The factory an endpoint hands to transports: it builds protocols with
 * another factory and reports a lost connection to whoever started the
 * connect, while the failures of single attempts (one address of several)
 * stay inside the endpoint. */

typedef void (*LostFunc) (const GError *reason, gpointer user_data);

#define WEFT_TYPE_ATTEMPT_FACTORY (weft_attempt_factory_get_type ())
G_DECLARE_FINAL_TYPE (WeftAttemptFactory, weft_attempt_factory, WEFT, ATTEMPT_FACTORY, WeftClientFactory)

struct _WeftAttemptFactory {
  WeftClientFactory parent_instance;
  WeftFactory *builder;
  LostFunc lost;
  gpointer lost_data;
  GDestroyNotify lost_notify;
};

G_DEFINE_FINAL_TYPE (WeftAttemptFactory, weft_attempt_factory, WEFT_TYPE_CLIENT_FACTORY)

static WeftProtocol *
weft_attempt_factory_build_protocol (WeftFactory *factory, GSocketAddress *address)
{
  WeftAttemptFactory *self = WEFT_ATTEMPT_FACTORY (factory);

  return weft_factory_build_protocol (self->builder, address);
}

static void
weft_attempt_factory_client_connection_lost (WeftClientFactory *factory, gpointer connector, const GError *reason)
{
  WeftAttemptFactory *self = WEFT_ATTEMPT_FACTORY (factory);

  if (self->lost != NULL)
    self->lost (reason, self->lost_data);
}

static void
weft_attempt_factory_finalize (GObject *object)
{
  WeftAttemptFactory *self = WEFT_ATTEMPT_FACTORY (object);

  g_clear_object (&self->builder);
  if (self->lost_notify != NULL)
    self->lost_notify (self->lost_data);
  G_OBJECT_CLASS (weft_attempt_factory_parent_class)->finalize (object);
}

static void
weft_attempt_factory_class_init (WeftAttemptFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = weft_attempt_factory_finalize;
  WEFT_FACTORY_CLASS (klass)->build_protocol = weft_attempt_factory_build_protocol;
  WEFT_CLIENT_FACTORY_CLASS (klass)->client_connection_lost = weft_attempt_factory_client_connection_lost;
}

static void
weft_attempt_factory_init (WeftAttemptFactory *self)
{
}

static WeftClientFactory *
attempt_factory_new (WeftFactory *builder, LostFunc lost, gpointer lost_data, GDestroyNotify lost_notify)
{
  WeftAttemptFactory *self = g_object_new (WEFT_TYPE_ATTEMPT_FACTORY, NULL);

  self->builder = g_object_ref (builder);
  self->lost = lost;
  self->lost_data = lost_data;
  self->lost_notify = lost_notify;
  return WEFT_CLIENT_FACTORY (self);
}

static void forward_lost (const GError *reason, gpointer user_data);
static void weft_tcp_client_endpoint_append_arguments (WeftTcpClientEndpoint *self, GString *out);

/* WeftClientEndpoint */

/**
 * WeftClientEndpoint:
 *
 * Something to connect to: weft_client_endpoint_connect() starts a
 * connection and returns a deferred for its protocol.
 *
 * Subclasses implement the connect method with the factory they are given
 * and fire the deferred with the protocol once it is connected. Transports
 * they make must report the end of the connection to that factory with
 * weft_client_factory_client_connection_lost(), as Weft's TCP and Unix
 * transports do.
 */
G_DEFINE_ABSTRACT_TYPE (WeftClientEndpoint, weft_client_endpoint, WEFT_TYPE_ENDPOINT)

static void
weft_client_endpoint_class_init (WeftClientEndpointClass *klass)
{
}

static void
weft_client_endpoint_init (WeftClientEndpoint *self)
{
}

static void connector_attempt_done (WeftConnector *self, WeftProtocol *protocol);
static void connector_lost (WeftConnector *self);
static void connector_factory_done (WeftConnector *self);

/* One weft_client_endpoint_connect(), from the start to the end of its
 * connection. */
typedef struct {
  WeftClientFactory *factory;
  WeftConnector *connector;
  gboolean connected;
  gboolean lost;
} ConnectOp;

static void
connect_op_clear (gpointer data)
{
  ConnectOp *op = data;

  g_clear_object (&op->factory);
  g_clear_object (&op->connector);
}

static gpointer
connect_op_ref (ConnectOp *op)
{
  return g_rc_box_acquire (op);
}

static void
connect_op_unref (gpointer op)
{
  g_rc_box_release_full (op, connect_op_clear);
}

/* Twisted's connectors: the factory is stopped after the failure or loss
 * has been reported, unless it reconnected meanwhile. */
static void
connect_op_stop_factory (ConnectOp *op)
{
  if (op->connector != NULL)
    connector_factory_done (op->connector);
  else
    weft_factory_do_stop (WEFT_FACTORY (op->factory));
}

/* Nothing more to report: what the transport keeps (its factory, and so
 * this) no longer keeps the caller's factory and connector alive. */
static void
connect_op_finish (ConnectOp *op)
{
  g_clear_object (&op->connector);
  g_clear_object (&op->factory);
}

static void
connect_op_lost (const GError *reason, gpointer user_data)
{
  ConnectOp *op = user_data;

  /* Before the deferred fired (a TLS handshake that failed) the loss is
   * reported as the failure of the attempt. */
  if (!op->connected || op->lost)
    return;
  op->lost = TRUE;
  connect_op_ref (op);
  if (op->connector != NULL)
    connector_lost (op->connector);
  weft_client_factory_client_connection_lost (op->factory, op->connector, reason);
  connect_op_stop_factory (op);
  connect_op_finish (op);
  connect_op_unref (op);
}

static void
connect_op_failed (ConnectOp *op, const GError *error)
{
  if (op->connector != NULL)
    connector_attempt_done (op->connector, NULL);
  weft_client_factory_client_connection_failed (op->factory, op->connector, error);
  connect_op_stop_factory (op);
  connect_op_finish (op);
}

static WeftDeferred *
connect_op_on_result (WeftResult *result, gpointer user_data)
{
  ConnectOp *op = user_data;

  if (!weft_result_is_error (result) && !weft_result_holds (result, WEFT_TYPE_PROTOCOL))
    weft_result_set_new_error (result, WEFT_ERROR, WEFT_ERROR_FAILED,
                               "The endpoint's connect fired with %s instead of a protocol",
                               g_type_name (weft_result_get_value_type (result)));

  if (weft_result_is_error (result))
    {
      connect_op_failed (op, weft_result_get_error (result));
      return NULL;
    }

  op->connected = TRUE;
  if (op->connector != NULL)
    connector_attempt_done (op->connector, weft_result_get_object (result));
  return NULL;
}

static WeftDeferred *
client_endpoint_connect (WeftClientEndpoint *endpoint, WeftClientFactory *factory, WeftConnector *connector)
{
  ConnectOp *op = g_rc_box_new0 (ConnectOp);
  g_autoptr (WeftClientFactory) attempt_factory = NULL;
  WeftDeferred *deferred;

  op->factory = g_object_ref (factory);
  op->connector = connector != NULL ? g_object_ref (connector) : NULL;

  if (connector == NULL)
    weft_factory_do_start (WEFT_FACTORY (factory));
  weft_client_factory_started_connecting (factory, connector);

  attempt_factory =
      attempt_factory_new (WEFT_FACTORY (factory), connect_op_lost, connect_op_ref (op), connect_op_unref);
  deferred = WEFT_CLIENT_ENDPOINT_GET_CLASS (endpoint)->connect (endpoint, attempt_factory);
  if (deferred == NULL)
    deferred = weft_deferred_fail (g_error_new (WEFT_ERROR, WEFT_ERROR_FAILED, "%s returned no deferred from connect",
                                                G_OBJECT_TYPE_NAME (endpoint)));
  hold_until_soon (weft_endpoint_get_reactor (WEFT_ENDPOINT (endpoint)), deferred);
  weft_deferred_add_both (deferred, connect_op_on_result, op, connect_op_unref);
  return deferred;
}

/**
 * weft_client_endpoint_connect:
 * @endpoint: a client endpoint
 * @factory: the factory that builds the connection's protocol
 *
 * Connects: resolves the host if there is one, tries its addresses (see
 * [class@Weft.TcpClientEndpoint]), sets up TLS if asked, and builds the
 * protocol with @factory once connected.
 *
 * The returned deferred fires with the connected [class@Weft.Protocol]
 * (read it with weft_result_get_object()), or fails with what went wrong:
 * a %G_IO_ERROR such as %G_IO_ERROR_HOST_NOT_FOUND or
 * %G_IO_ERROR_CONNECTION_REFUSED with a message that names the host, a
 * %WEFT_ERROR_TIMEOUT when the endpoint's timeout passed, a TLS error. It
 * never fires before this function has returned. Cancelling it stops the
 * attempt wherever it is (resolving, connecting, in the TLS handshake) and
 * closes what was opened.
 *
 * @factory is told as a Twisted connector tells it: weft_factory_do_start()
 * and started_connecting now, then client_connection_failed, or, once the
 * connection has ended, client_connection_lost; then weft_factory_do_stop().
 * Their connector argument is %NULL: to reconnect, use a
 * [class@Weft.Connector] or a [class@Weft.ClientService].
 *
 * Returns: (transfer full): a deferred for the connected protocol
 */
WeftDeferred *
weft_client_endpoint_connect (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (WEFT_IS_CLIENT_FACTORY (factory), NULL);

  return client_endpoint_connect (endpoint, factory, NULL);
}

/* WeftServerEndpoint */

/**
 * WeftServerEndpoint:
 *
 * Somewhere to listen: weft_server_endpoint_listen() returns a deferred
 * for the [class@Weft.ListeningPort].
 */
G_DEFINE_ABSTRACT_TYPE (WeftServerEndpoint, weft_server_endpoint, WEFT_TYPE_ENDPOINT)

static void
weft_server_endpoint_class_init (WeftServerEndpointClass *klass)
{
}

static void
weft_server_endpoint_init (WeftServerEndpoint *self)
{
}

/**
 * weft_server_endpoint_listen:
 * @endpoint: a server endpoint
 * @factory: the factory that builds a protocol for each connection
 *
 * Starts listening. The returned deferred fires with the
 * [class@Weft.ListeningPort] (weft_result_get_object()); stop it with
 * weft_listening_port_stop_listening(). It fails with a %G_IO_ERROR such as
 * %G_IO_ERROR_ADDRESS_IN_USE, or a TLS error when the certificate or key
 * cannot be used. Weft's TCP and Unix endpoints listen at once, so the
 * deferred has fired when this function returns.
 *
 * Returns: (transfer full): a deferred for the listening port
 */
WeftDeferred *
weft_server_endpoint_listen (WeftServerEndpoint *endpoint, WeftFactory *factory)
{
  WeftDeferred *deferred;

  g_return_val_if_fail (WEFT_IS_SERVER_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (WEFT_IS_FACTORY (factory), NULL);

  deferred = WEFT_SERVER_ENDPOINT_GET_CLASS (endpoint)->listen (endpoint, factory);
  if (deferred == NULL)
    deferred = weft_deferred_fail (g_error_new (WEFT_ERROR, WEFT_ERROR_FAILED, "%s returned no deferred from listen",
                                                G_OBJECT_TYPE_NAME (endpoint)));
  return deferred;
}

/* Takes @port or @error. */
static WeftDeferred *
listening_result (WeftListeningPort *port, GError *error)
{
  g_autoptr (WeftListeningPort) owned = port;

  if (port == NULL)
    return weft_deferred_fail (error);
  return weft_deferred_succeed_object (owned);
}

/* WeftTcpClientEndpoint */

/**
 * WeftTcpClientEndpoint:
 *
 * A TCP server to connect to, by host name or address: Twisted's
 * `HostnameEndpoint`.
 *
 * A name is resolved without blocking (weft_reactor_resolve()). When it has
 * several addresses they are tried as RFC 8305 (Happy Eyeballs) says:
 * IPv6 and IPv4 alternate, IPv6 first; the next address is tried when the
 * one before has failed or after #WeftTcpClientEndpoint:attempt-delay,
 * whichever comes first; the first to connect wins and the others are
 * closed. When all fail, the error lists each address's failure.
 *
 * #WeftTcpClientEndpoint:timeout bounds the whole connect, resolution
 * included; when it passes the deferred fails with %WEFT_ERROR_TIMEOUT.
 */
struct _WeftTcpClientEndpoint {
  WeftClientEndpoint parent_instance;
  char *host;
  guint16 port;
  double timeout;
  GInetAddress *bind_address;
  double attempt_delay;
};

G_DEFINE_FINAL_TYPE (WeftTcpClientEndpoint, weft_tcp_client_endpoint, WEFT_TYPE_CLIENT_ENDPOINT)

enum {
  PROP_TCP_CLIENT_0,
  PROP_TCP_CLIENT_HOST,
  PROP_TCP_CLIENT_PORT,
  PROP_TCP_CLIENT_TIMEOUT,
  PROP_TCP_CLIENT_BIND_ADDRESS,
  PROP_TCP_CLIENT_ATTEMPT_DELAY,
  N_TCP_CLIENT_PROPS
};

static GParamSpec *tcp_client_properties[N_TCP_CLIENT_PROPS];

typedef struct {
  WeftReactor *reactor;
  char *host;
  guint16 port;
  gint64 attempt_delay_us;
  WeftClientFactory *factory;
  GSocketAddress *bind;
} TcpConnect;

static void
tcp_connect_clear (gpointer data)
{
  TcpConnect *connect = data;

  g_object_unref (connect->reactor);
  g_free (connect->host);
  g_object_unref (connect->factory);
  g_clear_object (&connect->bind);
}

static void
tcp_connect_unref (gpointer data)
{
  g_rc_box_release_full (data, tcp_connect_clear);
}

static WeftDeferred *
tcp_connect_attempt (GSocketAddress *address, gpointer user_data)
{
  TcpConnect *connect = user_data;

  /* The endpoint's timeout covers all attempts at once. */
  return weft_reactor_connect_tcp (connect->reactor, address, connect->factory, 0, connect->bind);
}

static WeftDeferred *
tcp_connect_resolved (WeftResult *result, gpointer user_data)
{
  TcpConnect *connect = user_data;
  g_autoptr (GPtrArray) resolved = NULL;
  g_autoptr (GPtrArray) addresses = NULL;
  GError *error = NULL;

  resolved = weft_resolver_check_addresses (weft_result_get_value (result), connect->host, &error);
  if (resolved == NULL)
    {
      weft_result_take_error (result, error);
      return NULL;
    }
  /* The resolver's array may be shared: sort a copy. */
  addresses = g_ptr_array_copy (resolved, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  g_ptr_array_set_free_func (addresses, g_object_unref);
  weft_happy_eyeballs_sort (addresses);

  return weft_happy_eyeballs_connect (connect->reactor, connect->host, connect->port, addresses,
                                      connect->attempt_delay_us, tcp_connect_attempt, g_rc_box_acquire (connect),
                                      tcp_connect_unref);
}

static WeftDeferred *
weft_tcp_client_endpoint_connect (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
{
  WeftTcpClientEndpoint *self = WEFT_TCP_CLIENT_ENDPOINT (endpoint);
  WeftReactor *reactor = weft_endpoint_get_reactor (WEFT_ENDPOINT (self));
  GSocketFamily family = G_SOCKET_FAMILY_INVALID;
  g_autofree char *description = NULL;
  TcpConnect *connect;
  WeftDeferred *deferred;

  connect = g_rc_box_new0 (TcpConnect);
  connect->reactor = g_object_ref (reactor);
  connect->host = g_strdup (self->host);
  connect->port = self->port;
  connect->attempt_delay_us = (gint64) (self->attempt_delay * WEFT_USEC_PER_SEC + 0.5);
  connect->factory = g_object_ref (factory);
  if (self->bind_address != NULL)
    {
      /* Only addresses of the bound family can be reached from it. */
      connect->bind = g_inet_socket_address_new (self->bind_address, 0);
      family = g_inet_address_get_family (self->bind_address);
    }

  deferred = weft_reactor_resolve (reactor, self->host, self->port, family);
  description = g_strdup_printf (_ ("Connecting to “%s” port %u"), self->host, self->port);
  if (weft_deferred_get_description (deferred) == NULL)
    weft_deferred_set_description (deferred, description);
  weft_deferred_add_callback (deferred, tcp_connect_resolved, connect, tcp_connect_unref);
  if (self->timeout > 0)
    weft_deferred_add_timeout (deferred, reactor, self->timeout);
  return deferred;
}

static char *
weft_tcp_client_endpoint_to_string (WeftEndpoint *endpoint)
{
  WeftTcpClientEndpoint *self = WEFT_TCP_CLIENT_ENDPOINT (endpoint);
  GString *out = g_string_new ("tcp");

  weft_tcp_client_endpoint_append_arguments (self, out);
  return g_string_free (out, FALSE);
}

static void
weft_tcp_client_endpoint_append_arguments (WeftTcpClientEndpoint *self, GString *out)
{
  char port[16];

  g_snprintf (port, sizeof port, "%u", self->port);
  append_argument (out, NULL, self->host);
  append_argument (out, NULL, port);
  append_seconds (out, "timeout", self->timeout);
  append_address (out, "bind", self->bind_address);
}

static void
weft_tcp_client_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftTcpClientEndpoint *self = WEFT_TCP_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TCP_CLIENT_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_TCP_CLIENT_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_TCP_CLIENT_TIMEOUT:
      g_value_set_double (value, self->timeout);
      break;
    case PROP_TCP_CLIENT_BIND_ADDRESS:
      g_value_set_object (value, self->bind_address);
      break;
    case PROP_TCP_CLIENT_ATTEMPT_DELAY:
      g_value_set_double (value, self->attempt_delay);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tcp_client_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftTcpClientEndpoint *self = WEFT_TCP_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TCP_CLIENT_HOST:
      g_free (self->host);
      self->host = g_value_dup_string (value);
      break;
    case PROP_TCP_CLIENT_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_TCP_CLIENT_TIMEOUT:
      weft_tcp_client_endpoint_set_timeout (self, g_value_get_double (value));
      break;
    case PROP_TCP_CLIENT_BIND_ADDRESS:
      weft_tcp_client_endpoint_set_bind_address (self, g_value_get_object (value));
      break;
    case PROP_TCP_CLIENT_ATTEMPT_DELAY:
      weft_tcp_client_endpoint_set_attempt_delay (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tcp_client_endpoint_finalize (GObject *object)
{
  WeftTcpClientEndpoint *self = WEFT_TCP_CLIENT_ENDPOINT (object);

  g_free (self->host);
  g_clear_object (&self->bind_address);
  G_OBJECT_CLASS (weft_tcp_client_endpoint_parent_class)->finalize (object);
}

static void
weft_tcp_client_endpoint_class_init (WeftTcpClientEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_tcp_client_endpoint_get_property;
  object_class->set_property = weft_tcp_client_endpoint_set_property;
  object_class->finalize = weft_tcp_client_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_tcp_client_endpoint_to_string;
  WEFT_CLIENT_ENDPOINT_CLASS (klass)->connect = weft_tcp_client_endpoint_connect;

  /**
   * WeftTcpClientEndpoint:host: (getter get_host)
   *
   * The host name or IP address to connect to.
   */
  tcp_client_properties[PROP_TCP_CLIENT_HOST] =
      g_param_spec_string ("host", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTcpClientEndpoint:port: (getter get_port)
   *
   * The port to connect to.
   */
  tcp_client_properties[PROP_TCP_CLIENT_PORT] =
      g_param_spec_uint ("port", NULL, NULL, 1, G_MAXUINT16, 1,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTcpClientEndpoint:timeout: (getter get_timeout) (setter set_timeout)
   *
   * Seconds the whole connect may take, resolution included; 0 for no
   * limit (the system's own, about two minutes per address).
   */
  tcp_client_properties[PROP_TCP_CLIENT_TIMEOUT] =
      g_param_spec_double ("timeout", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  /**
   * WeftTcpClientEndpoint:bind-address: (getter get_bind_address) (setter set_bind_address)
   *
   * The local address to connect from, or %NULL to let the system choose.
   * Only addresses of its family are tried.
   */
  tcp_client_properties[PROP_TCP_CLIENT_BIND_ADDRESS] =
      g_param_spec_object ("bind-address", NULL, NULL, G_TYPE_INET_ADDRESS, flags);
  /**
   * WeftTcpClientEndpoint:attempt-delay: (getter get_attempt_delay) (setter set_attempt_delay)
   *
   * Seconds to wait for one address before also trying the next (RFC
   * 8305's Connection Attempt Delay).
   */
  tcp_client_properties[PROP_TCP_CLIENT_ATTEMPT_DELAY] =
      g_param_spec_double ("attempt-delay", NULL, NULL, 0, G_MAXDOUBLE, WEFT_ENDPOINT_DEFAULT_ATTEMPT_DELAY, flags);

  g_object_class_install_properties (object_class, N_TCP_CLIENT_PROPS, tcp_client_properties);
}

static void
weft_tcp_client_endpoint_init (WeftTcpClientEndpoint *self)
{
  self->attempt_delay = WEFT_ENDPOINT_DEFAULT_ATTEMPT_DELAY;
}

/**
 * weft_tcp_client_endpoint_new:
 * @reactor: a reactor
 * @host: a host name, or an IPv4 or IPv6 address (without brackets)
 * @port: a port, from 1
 *
 * Returns: (transfer full): a new TCP client endpoint
 */
WeftTcpClientEndpoint *
weft_tcp_client_endpoint_new (WeftReactor *reactor, const char *host, guint16 port)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (host != NULL && *host != '\0', NULL);
  g_return_val_if_fail (port > 0, NULL);

  return g_object_new (WEFT_TYPE_TCP_CLIENT_ENDPOINT, "reactor", reactor, "host", host, "port", (guint) port, NULL);
}

/**
 * weft_tcp_client_endpoint_get_host:
 * @endpoint: a TCP client endpoint
 *
 * Returns: the host name or address to connect to
 */
const char *
weft_tcp_client_endpoint_get_host (WeftTcpClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->host;
}

/**
 * weft_tcp_client_endpoint_get_port:
 * @endpoint: a TCP client endpoint
 *
 * Returns: the port to connect to
 */
guint16
weft_tcp_client_endpoint_get_port (WeftTcpClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint), 0);
  return endpoint->port;
}

/**
 * weft_tcp_client_endpoint_set_timeout:
 * @endpoint: a TCP client endpoint
 * @seconds: how long a connect may take, resolution included; 0 for no
 *   limit
 *
 * Sets #WeftTcpClientEndpoint:timeout.
 */
void
weft_tcp_client_endpoint_set_timeout (WeftTcpClientEndpoint *endpoint, double seconds)
{
  g_return_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint));
  g_return_if_fail (seconds >= 0);

  if (endpoint->timeout == seconds)
    return;
  endpoint->timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (endpoint), tcp_client_properties[PROP_TCP_CLIENT_TIMEOUT]);
}

/**
 * weft_tcp_client_endpoint_get_timeout:
 * @endpoint: a TCP client endpoint
 *
 * Returns: the connect timeout in seconds, 0 for none
 */
double
weft_tcp_client_endpoint_get_timeout (WeftTcpClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint), 0);
  return endpoint->timeout;
}

/**
 * weft_tcp_client_endpoint_set_bind_address:
 * @endpoint: a TCP client endpoint
 * @address: (nullable): the local address to connect from
 *
 * Sets #WeftTcpClientEndpoint:bind-address.
 */
void
weft_tcp_client_endpoint_set_bind_address (WeftTcpClientEndpoint *endpoint, GInetAddress *address)
{
  g_return_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint));
  g_return_if_fail (address == NULL || G_IS_INET_ADDRESS (address));

  if (g_set_object (&endpoint->bind_address, address))
    g_object_notify_by_pspec (G_OBJECT (endpoint), tcp_client_properties[PROP_TCP_CLIENT_BIND_ADDRESS]);
}

/**
 * weft_tcp_client_endpoint_get_bind_address:
 * @endpoint: a TCP client endpoint
 *
 * Returns: (transfer none) (nullable): the local address to connect from
 */
GInetAddress *
weft_tcp_client_endpoint_get_bind_address (WeftTcpClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->bind_address;
}

/**
 * weft_tcp_client_endpoint_set_attempt_delay:
 * @endpoint: a TCP client endpoint
 * @seconds: how long to wait for one address before also trying the next
 *
 * Sets #WeftTcpClientEndpoint:attempt-delay. RFC 8305 recommends 250 ms
 * (the default) and no less than 100 ms; tests use other values.
 */
void
weft_tcp_client_endpoint_set_attempt_delay (WeftTcpClientEndpoint *endpoint, double seconds)
{
  g_return_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint));
  g_return_if_fail (seconds >= 0);

  if (endpoint->attempt_delay == seconds)
    return;
  endpoint->attempt_delay = seconds;
  g_object_notify_by_pspec (G_OBJECT (endpoint), tcp_client_properties[PROP_TCP_CLIENT_ATTEMPT_DELAY]);
}

/**
 * weft_tcp_client_endpoint_get_attempt_delay:
 * @endpoint: a TCP client endpoint
 *
 * Returns: the Connection Attempt Delay in seconds
 */
double
weft_tcp_client_endpoint_get_attempt_delay (WeftTcpClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_CLIENT_ENDPOINT (endpoint), 0);
  return endpoint->attempt_delay;
}

/* WeftTcpServerEndpoint */

/**
 * WeftTcpServerEndpoint:
 *
 * A TCP port to listen on, on every IPv4 interface or on one address.
 */
struct _WeftTcpServerEndpoint {
  WeftServerEndpoint parent_instance;
  guint16 port;
  GInetAddress *interface;
  int backlog;
};

G_DEFINE_FINAL_TYPE (WeftTcpServerEndpoint, weft_tcp_server_endpoint, WEFT_TYPE_SERVER_ENDPOINT)

enum {
  PROP_TCP_SERVER_0,
  PROP_TCP_SERVER_PORT,
  PROP_TCP_SERVER_INTERFACE,
  PROP_TCP_SERVER_BACKLOG,
  N_TCP_SERVER_PROPS
};

static GParamSpec *tcp_server_properties[N_TCP_SERVER_PROPS];

static WeftDeferred *
weft_tcp_server_endpoint_listen (WeftServerEndpoint *endpoint, WeftFactory *factory)
{
  WeftTcpServerEndpoint *self = WEFT_TCP_SERVER_ENDPOINT (endpoint);
  g_autoptr (GInetAddress) any = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  WeftListeningPort *port;
  GError *error = NULL;

  if (self->interface == NULL)
    any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (self->interface != NULL ? self->interface : any, self->port);
  port = weft_reactor_listen_tcp (weft_endpoint_get_reactor (WEFT_ENDPOINT (self)), address, factory, self->backlog,
                                  &error);
  return listening_result (port, error);
}

static void
weft_tcp_server_endpoint_append_arguments (WeftTcpServerEndpoint *self, GString *out)
{
  char number[16];

  g_snprintf (number, sizeof number, "%u", self->port);
  append_argument (out, NULL, number);
  append_address (out, "interface", self->interface);
  if (self->backlog != WEFT_ENDPOINT_DEFAULT_BACKLOG)
    {
      g_snprintf (number, sizeof number, "%d", self->backlog);
      append_argument (out, "backlog", number);
    }
}

static char *
weft_tcp_server_endpoint_to_string (WeftEndpoint *endpoint)
{
  GString *out = g_string_new ("tcp");

  weft_tcp_server_endpoint_append_arguments (WEFT_TCP_SERVER_ENDPOINT (endpoint), out);
  return g_string_free (out, FALSE);
}

static void
weft_tcp_server_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftTcpServerEndpoint *self = WEFT_TCP_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TCP_SERVER_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_TCP_SERVER_INTERFACE:
      g_value_set_object (value, self->interface);
      break;
    case PROP_TCP_SERVER_BACKLOG:
      g_value_set_int (value, self->backlog);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tcp_server_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftTcpServerEndpoint *self = WEFT_TCP_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TCP_SERVER_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_TCP_SERVER_INTERFACE:
      g_set_object (&self->interface, g_value_get_object (value));
      break;
    case PROP_TCP_SERVER_BACKLOG:
      weft_tcp_server_endpoint_set_backlog (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tcp_server_endpoint_finalize (GObject *object)
{
  WeftTcpServerEndpoint *self = WEFT_TCP_SERVER_ENDPOINT (object);

  g_clear_object (&self->interface);
  G_OBJECT_CLASS (weft_tcp_server_endpoint_parent_class)->finalize (object);
}

static void
weft_tcp_server_endpoint_class_init (WeftTcpServerEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = weft_tcp_server_endpoint_get_property;
  object_class->set_property = weft_tcp_server_endpoint_set_property;
  object_class->finalize = weft_tcp_server_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_tcp_server_endpoint_to_string;
  WEFT_SERVER_ENDPOINT_CLASS (klass)->listen = weft_tcp_server_endpoint_listen;

  /**
   * WeftTcpServerEndpoint:port: (getter get_port)
   *
   * The port to listen on; 0 lets the system pick one (read it from the
   * listening port's address).
   */
  tcp_server_properties[PROP_TCP_SERVER_PORT] =
      g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTcpServerEndpoint:interface: (getter get_interface)
   *
   * The address to listen on, or %NULL for every IPv4 interface.
   */
  tcp_server_properties[PROP_TCP_SERVER_INTERFACE] =
      g_param_spec_object ("interface", NULL, NULL, G_TYPE_INET_ADDRESS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTcpServerEndpoint:backlog: (getter get_backlog) (setter set_backlog)
   *
   * How many connections may wait to be accepted.
   */
  tcp_server_properties[PROP_TCP_SERVER_BACKLOG] =
      g_param_spec_int ("backlog", NULL, NULL, 1, G_MAXINT, WEFT_ENDPOINT_DEFAULT_BACKLOG,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_TCP_SERVER_PROPS, tcp_server_properties);
}

static void
weft_tcp_server_endpoint_init (WeftTcpServerEndpoint *self)
{
  self->backlog = WEFT_ENDPOINT_DEFAULT_BACKLOG;
}

/**
 * weft_tcp_server_endpoint_new:
 * @reactor: a reactor
 * @port: the port to listen on, 0 for any free one
 * @interface: (nullable): the address to listen on, %NULL for every IPv4
 *   interface
 *
 * Returns: (transfer full): a new TCP server endpoint
 */
WeftTcpServerEndpoint *
weft_tcp_server_endpoint_new (WeftReactor *reactor, guint16 port, GInetAddress *interface)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (interface == NULL || G_IS_INET_ADDRESS (interface), NULL);

  return g_object_new (WEFT_TYPE_TCP_SERVER_ENDPOINT, "reactor", reactor, "port", (guint) port, "interface", interface,
                       NULL);
}

/**
 * weft_tcp_server_endpoint_get_port:
 * @endpoint: a TCP server endpoint
 *
 * Returns: the port to listen on, 0 for any free one
 */
guint16
weft_tcp_server_endpoint_get_port (WeftTcpServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_SERVER_ENDPOINT (endpoint), 0);
  return endpoint->port;
}

/**
 * weft_tcp_server_endpoint_get_interface:
 * @endpoint: a TCP server endpoint
 *
 * Returns: (transfer none) (nullable): the address to listen on, %NULL for
 *   every IPv4 interface
 */
GInetAddress *
weft_tcp_server_endpoint_get_interface (WeftTcpServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_SERVER_ENDPOINT (endpoint), NULL);
  return endpoint->interface;
}

/**
 * weft_tcp_server_endpoint_set_backlog:
 * @endpoint: a TCP server endpoint
 * @backlog: how many connections may wait to be accepted, from 1
 *
 * Sets #WeftTcpServerEndpoint:backlog.
 */
void
weft_tcp_server_endpoint_set_backlog (WeftTcpServerEndpoint *endpoint, int backlog)
{
  g_return_if_fail (WEFT_IS_TCP_SERVER_ENDPOINT (endpoint));
  g_return_if_fail (backlog >= 1);

  if (endpoint->backlog == backlog)
    return;
  endpoint->backlog = backlog;
  g_object_notify_by_pspec (G_OBJECT (endpoint), tcp_server_properties[PROP_TCP_SERVER_BACKLOG]);
}

/**
 * weft_tcp_server_endpoint_get_backlog:
 * @endpoint: a TCP server endpoint
 *
 * Returns: the listen backlog
 */
int
weft_tcp_server_endpoint_get_backlog (WeftTcpServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TCP_SERVER_ENDPOINT (endpoint), 0);
  return endpoint->backlog;
}

/* WeftUnixClientEndpoint */

/**
 * WeftUnixClientEndpoint:
 *
 * A Unix socket to connect to, by path (or `@name` for a Linux abstract
 * socket).
 */
struct _WeftUnixClientEndpoint {
  WeftClientEndpoint parent_instance;
  char *path;
  double timeout;
};

G_DEFINE_FINAL_TYPE (WeftUnixClientEndpoint, weft_unix_client_endpoint, WEFT_TYPE_CLIENT_ENDPOINT)

enum {
  PROP_UNIX_CLIENT_0,
  PROP_UNIX_CLIENT_PATH,
  PROP_UNIX_CLIENT_TIMEOUT,
  N_UNIX_CLIENT_PROPS
};

static GParamSpec *unix_client_properties[N_UNIX_CLIENT_PROPS];

static WeftDeferred *
weft_unix_client_endpoint_connect (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
{
  WeftUnixClientEndpoint *self = WEFT_UNIX_CLIENT_ENDPOINT (endpoint);

  return weft_reactor_connect_unix (weft_endpoint_get_reactor (WEFT_ENDPOINT (self)), self->path, factory,
                                    self->timeout);
}

static char *
weft_unix_client_endpoint_to_string (WeftEndpoint *endpoint)
{
  WeftUnixClientEndpoint *self = WEFT_UNIX_CLIENT_ENDPOINT (endpoint);
  GString *out = g_string_new ("unix");

  append_argument (out, NULL, self->path);
  append_seconds (out, "timeout", self->timeout);
  return g_string_free (out, FALSE);
}

static void
weft_unix_client_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftUnixClientEndpoint *self = WEFT_UNIX_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_UNIX_CLIENT_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_UNIX_CLIENT_TIMEOUT:
      g_value_set_double (value, self->timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_unix_client_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftUnixClientEndpoint *self = WEFT_UNIX_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_UNIX_CLIENT_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    case PROP_UNIX_CLIENT_TIMEOUT:
      weft_unix_client_endpoint_set_timeout (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_unix_client_endpoint_finalize (GObject *object)
{
  WeftUnixClientEndpoint *self = WEFT_UNIX_CLIENT_ENDPOINT (object);

  g_free (self->path);
  G_OBJECT_CLASS (weft_unix_client_endpoint_parent_class)->finalize (object);
}

static void
weft_unix_client_endpoint_class_init (WeftUnixClientEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = weft_unix_client_endpoint_get_property;
  object_class->set_property = weft_unix_client_endpoint_set_property;
  object_class->finalize = weft_unix_client_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_unix_client_endpoint_to_string;
  WEFT_CLIENT_ENDPOINT_CLASS (klass)->connect = weft_unix_client_endpoint_connect;

  /**
   * WeftUnixClientEndpoint:path: (getter get_path)
   *
   * The socket's path, or `@name` for an abstract socket.
   */
  unix_client_properties[PROP_UNIX_CLIENT_PATH] =
      g_param_spec_string ("path", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftUnixClientEndpoint:timeout: (getter get_timeout) (setter set_timeout)
   *
   * Seconds a connect may take; 0 for no limit.
   */
  unix_client_properties[PROP_UNIX_CLIENT_TIMEOUT] =
      g_param_spec_double ("timeout", NULL, NULL, 0, G_MAXDOUBLE, 0,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_UNIX_CLIENT_PROPS, unix_client_properties);
}

static void
weft_unix_client_endpoint_init (WeftUnixClientEndpoint *self)
{
}

/**
 * weft_unix_client_endpoint_new:
 * @reactor: a reactor
 * @path: (type filename): the socket's path, or `@name` for a Linux
 *   abstract socket
 *
 * Returns: (transfer full): a new Unix client endpoint
 */
WeftUnixClientEndpoint *
weft_unix_client_endpoint_new (WeftReactor *reactor, const char *path)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (path != NULL && *path != '\0', NULL);

  return g_object_new (WEFT_TYPE_UNIX_CLIENT_ENDPOINT, "reactor", reactor, "path", path, NULL);
}

/**
 * weft_unix_client_endpoint_get_path:
 * @endpoint: a Unix client endpoint
 *
 * Returns: (type filename): the socket's path
 */
const char *
weft_unix_client_endpoint_get_path (WeftUnixClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_UNIX_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->path;
}

/**
 * weft_unix_client_endpoint_set_timeout:
 * @endpoint: a Unix client endpoint
 * @seconds: how long a connect may take; 0 for no limit
 *
 * Sets #WeftUnixClientEndpoint:timeout.
 */
void
weft_unix_client_endpoint_set_timeout (WeftUnixClientEndpoint *endpoint, double seconds)
{
  g_return_if_fail (WEFT_IS_UNIX_CLIENT_ENDPOINT (endpoint));
  g_return_if_fail (seconds >= 0);

  if (endpoint->timeout == seconds)
    return;
  endpoint->timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (endpoint), unix_client_properties[PROP_UNIX_CLIENT_TIMEOUT]);
}

/**
 * weft_unix_client_endpoint_get_timeout:
 * @endpoint: a Unix client endpoint
 *
 * Returns: the connect timeout in seconds, 0 for none
 */
double
weft_unix_client_endpoint_get_timeout (WeftUnixClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_UNIX_CLIENT_ENDPOINT (endpoint), 0);
  return endpoint->timeout;
}

/* WeftUnixServerEndpoint */

/**
 * WeftUnixServerEndpoint:
 *
 * A Unix socket to listen on. The socket file gets #WeftUnixServerEndpoint:mode
 * and is removed when the port stops listening.
 */
struct _WeftUnixServerEndpoint {
  WeftServerEndpoint parent_instance;
  char *path;
  guint mode;
  int backlog;
};

G_DEFINE_FINAL_TYPE (WeftUnixServerEndpoint, weft_unix_server_endpoint, WEFT_TYPE_SERVER_ENDPOINT)

enum {
  PROP_UNIX_SERVER_0,
  PROP_UNIX_SERVER_PATH,
  PROP_UNIX_SERVER_MODE,
  PROP_UNIX_SERVER_BACKLOG,
  N_UNIX_SERVER_PROPS
};

static GParamSpec *unix_server_properties[N_UNIX_SERVER_PROPS];

static WeftDeferred *
weft_unix_server_endpoint_listen (WeftServerEndpoint *endpoint, WeftFactory *factory)
{
  WeftUnixServerEndpoint *self = WEFT_UNIX_SERVER_ENDPOINT (endpoint);
  WeftListeningPort *port;
  GError *error = NULL;

  port = weft_reactor_listen_unix (weft_endpoint_get_reactor (WEFT_ENDPOINT (self)), self->path, self->mode, factory,
                                   self->backlog, &error);
  return listening_result (port, error);
}

static char *
weft_unix_server_endpoint_to_string (WeftEndpoint *endpoint)
{
  WeftUnixServerEndpoint *self = WEFT_UNIX_SERVER_ENDPOINT (endpoint);
  GString *out = g_string_new ("unix");
  char number[16];

  append_argument (out, NULL, self->path);
  if (self->mode != WEFT_ENDPOINT_DEFAULT_UNIX_MODE)
    {
      g_snprintf (number, sizeof number, "0%o", self->mode);
      append_argument (out, "mode", number);
    }
  if (self->backlog != WEFT_ENDPOINT_DEFAULT_BACKLOG)
    {
      g_snprintf (number, sizeof number, "%d", self->backlog);
      append_argument (out, "backlog", number);
    }
  return g_string_free (out, FALSE);
}

static void
weft_unix_server_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftUnixServerEndpoint *self = WEFT_UNIX_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_UNIX_SERVER_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_UNIX_SERVER_MODE:
      g_value_set_uint (value, self->mode);
      break;
    case PROP_UNIX_SERVER_BACKLOG:
      g_value_set_int (value, self->backlog);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_unix_server_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftUnixServerEndpoint *self = WEFT_UNIX_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_UNIX_SERVER_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    case PROP_UNIX_SERVER_MODE:
      weft_unix_server_endpoint_set_mode (self, g_value_get_uint (value));
      break;
    case PROP_UNIX_SERVER_BACKLOG:
      weft_unix_server_endpoint_set_backlog (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_unix_server_endpoint_finalize (GObject *object)
{
  WeftUnixServerEndpoint *self = WEFT_UNIX_SERVER_ENDPOINT (object);

  g_free (self->path);
  G_OBJECT_CLASS (weft_unix_server_endpoint_parent_class)->finalize (object);
}

static void
weft_unix_server_endpoint_class_init (WeftUnixServerEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_unix_server_endpoint_get_property;
  object_class->set_property = weft_unix_server_endpoint_set_property;
  object_class->finalize = weft_unix_server_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_unix_server_endpoint_to_string;
  WEFT_SERVER_ENDPOINT_CLASS (klass)->listen = weft_unix_server_endpoint_listen;

  /**
   * WeftUnixServerEndpoint:path: (getter get_path)
   *
   * The socket's path, or `@name` for an abstract socket.
   */
  unix_server_properties[PROP_UNIX_SERVER_PATH] =
      g_param_spec_string ("path", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftUnixServerEndpoint:mode: (getter get_mode) (setter set_mode)
   *
   * The permissions of the socket file.
   */
  unix_server_properties[PROP_UNIX_SERVER_MODE] =
      g_param_spec_uint ("mode", NULL, NULL, 0, 0777, WEFT_ENDPOINT_DEFAULT_UNIX_MODE, flags);
  /**
   * WeftUnixServerEndpoint:backlog: (getter get_backlog) (setter set_backlog)
   *
   * How many connections may wait to be accepted.
   */
  unix_server_properties[PROP_UNIX_SERVER_BACKLOG] =
      g_param_spec_int ("backlog", NULL, NULL, 1, G_MAXINT, WEFT_ENDPOINT_DEFAULT_BACKLOG, flags);

  g_object_class_install_properties (object_class, N_UNIX_SERVER_PROPS, unix_server_properties);
}

static void
weft_unix_server_endpoint_init (WeftUnixServerEndpoint *self)
{
  self->mode = WEFT_ENDPOINT_DEFAULT_UNIX_MODE;
  self->backlog = WEFT_ENDPOINT_DEFAULT_BACKLOG;
}

/**
 * weft_unix_server_endpoint_new:
 * @reactor: a reactor
 * @path: (type filename): the socket's path, or `@name` for a Linux
 *   abstract socket
 *
 * Returns: (transfer full): a new Unix server endpoint
 */
WeftUnixServerEndpoint *
weft_unix_server_endpoint_new (WeftReactor *reactor, const char *path)
{
  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (path != NULL && *path != '\0', NULL);

  return g_object_new (WEFT_TYPE_UNIX_SERVER_ENDPOINT, "reactor", reactor, "path", path, NULL);
}

/**
 * weft_unix_server_endpoint_get_path:
 * @endpoint: a Unix server endpoint
 *
 * Returns: (type filename): the socket's path
 */
const char *
weft_unix_server_endpoint_get_path (WeftUnixServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_UNIX_SERVER_ENDPOINT (endpoint), NULL);
  return endpoint->path;
}

/**
 * weft_unix_server_endpoint_set_mode:
 * @endpoint: a Unix server endpoint
 * @mode: the socket file's permissions, such as 0600
 *
 * Sets #WeftUnixServerEndpoint:mode.
 */
void
weft_unix_server_endpoint_set_mode (WeftUnixServerEndpoint *endpoint, guint mode)
{
  g_return_if_fail (WEFT_IS_UNIX_SERVER_ENDPOINT (endpoint));
  g_return_if_fail (mode <= 0777);

  if (endpoint->mode == mode)
    return;
  endpoint->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (endpoint), unix_server_properties[PROP_UNIX_SERVER_MODE]);
}

/**
 * weft_unix_server_endpoint_get_mode:
 * @endpoint: a Unix server endpoint
 *
 * Returns: the socket file's permissions
 */
guint
weft_unix_server_endpoint_get_mode (WeftUnixServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_UNIX_SERVER_ENDPOINT (endpoint), 0);
  return endpoint->mode;
}

/**
 * weft_unix_server_endpoint_set_backlog:
 * @endpoint: a Unix server endpoint
 * @backlog: how many connections may wait to be accepted, from 1
 *
 * Sets #WeftUnixServerEndpoint:backlog.
 */
void
weft_unix_server_endpoint_set_backlog (WeftUnixServerEndpoint *endpoint, int backlog)
{
  g_return_if_fail (WEFT_IS_UNIX_SERVER_ENDPOINT (endpoint));
  g_return_if_fail (backlog >= 1);

  if (endpoint->backlog == backlog)
    return;
  endpoint->backlog = backlog;
  g_object_notify_by_pspec (G_OBJECT (endpoint), unix_server_properties[PROP_UNIX_SERVER_BACKLOG]);
}

/**
 * weft_unix_server_endpoint_get_backlog:
 * @endpoint: a Unix server endpoint
 *
 * Returns: the listen backlog
 */
int
weft_unix_server_endpoint_get_backlog (WeftUnixServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_UNIX_SERVER_ENDPOINT (endpoint), 0);
  return endpoint->backlog;
}

/* WeftTlsClientEndpoint */

/**
 * WeftTlsClientEndpoint:
 *
 * TLS over another client endpoint (Twisted's `wrapClientTLS`): connects
 * the wrapped endpoint, runs the handshake, and fires with the caller's
 * protocol once the server has been verified.
 *
 * The server is verified against the system's authorities, or only against
 * #WeftTlsClientEndpoint:ca-file when it is set, and must carry
 * #WeftTlsClientEndpoint:server-name; a #WeftTlsClientEndpoint:fingerprint
 * pins its certificate instead (see [class@Weft.TlsOptions]).
 *
 * As in Twisted, the protocol is connected to the TLS transport as soon as
 * the lower connection is up (what it writes waits for the handshake), so
 * when the handshake fails it sees connection_lost, while the factory and
 * the caller's deferred see a failed attempt.
 */
struct _WeftTlsClientEndpoint {
  WeftClientEndpoint parent_instance;
  WeftClientEndpoint *wrapped;
  char *server_name;
  char *ca_file;
  char *fingerprint;
  char *certificate_file;
  char *key_file;
};

G_DEFINE_FINAL_TYPE (WeftTlsClientEndpoint, weft_tls_client_endpoint, WEFT_TYPE_CLIENT_ENDPOINT)

enum {
  PROP_TLS_CLIENT_0,
  PROP_TLS_CLIENT_WRAPPED,
  PROP_TLS_CLIENT_SERVER_NAME,
  PROP_TLS_CLIENT_CA_FILE,
  PROP_TLS_CLIENT_FINGERPRINT,
  PROP_TLS_CLIENT_CERTIFICATE_FILE,
  PROP_TLS_CLIENT_KEY_FILE,
  N_TLS_CLIENT_PROPS
};

static GParamSpec *tls_client_properties[N_TLS_CLIENT_PROPS];

static WeftTlsOptions *
tls_client_options (WeftTlsClientEndpoint *self, GError **error)
{
  g_autoptr (WeftTlsOptions) options = weft_tls_options_new_client (self->server_name);

  weft_tls_options_set_reactor (options, weft_endpoint_get_reactor (WEFT_ENDPOINT (self)));
  if (self->ca_file != NULL)
    {
      weft_tls_options_set_use_system_trust (options, FALSE);
      if (!weft_tls_options_add_ca_file (options, self->ca_file, error))
        return NULL;
    }
  if (self->fingerprint != NULL && !weft_tls_options_add_pinned_fingerprint (options, self->fingerprint, error))
    return NULL;
  if (self->certificate_file != NULL &&
      !weft_tls_options_set_certificate_files (options, self->certificate_file, self->key_file, error))
    return NULL;
  return g_steal_pointer (&options);
}

static void
forward_lost (const GError *reason, gpointer user_data)
{
  WeftClientFactory *factory = user_data;

  weft_client_factory_client_connection_lost (factory, NULL, reason);
}

/* Waits for the handshake; cancelling aborts the connection. */
typedef struct {
  WeftDeferred *deferred;
  WeftTlsTransport *tls;
} TlsHandshake;

static void
tls_handshake_free (gpointer data)
{
  TlsHandshake *handshake = data;

  g_clear_object (&handshake->deferred);
  g_clear_object (&handshake->tls);
  g_free (handshake);
}

static WeftDeferred *
tls_handshake_done (WeftResult *result, gpointer user_data)
{
  TlsHandshake *handshake = user_data;
  g_autoptr (WeftDeferred) deferred = g_steal_pointer (&handshake->deferred);

  if (deferred == NULL || weft_deferred_has_fired (deferred))
    {
      weft_result_clear (result);
      return NULL;
    }
  if (weft_result_is_error (result))
    weft_deferred_errback (deferred, g_error_copy (weft_result_get_error (result)));
  else
    weft_deferred_callback_object (deferred, weft_tls_transport_get_wrapped_protocol (handshake->tls));
  weft_result_clear (result);
  return NULL;
}

static void
tls_handshake_cancel (WeftDeferred *deferred, gpointer user_data)
{
  TlsHandshake *handshake = user_data;
  WeftTransport *lower = weft_tls_transport_get_lower_transport (handshake->tls);

  g_clear_object (&handshake->deferred);
  if (lower != NULL)
    weft_transport_abort_connection (lower);
}

static WeftDeferred *
tls_client_connected (WeftResult *result, gpointer user_data)
{
  TlsHandshake *handshake;
  WeftDeferred *deferred;
  g_autoptr (WeftDeferred) handshake_deferred = NULL;

  if (!weft_result_holds (result, WEFT_TYPE_TLS_TRANSPORT))
    {
      weft_result_set_new_error (result, WEFT_ERROR, WEFT_ERROR_FAILED, "The TLS endpoint connected without TLS");
      return NULL;
    }

  handshake = g_new0 (TlsHandshake, 1);
  handshake->tls = weft_result_dup_object (result);
  deferred = weft_deferred_new_with_canceller (tls_handshake_cancel, handshake, NULL);
  weft_deferred_set_description (deferred, _ ("The TLS handshake"));
  handshake->deferred = g_object_ref (deferred);
  handshake_deferred = weft_tls_transport_get_handshake_deferred (handshake->tls);
  weft_deferred_add_both (handshake_deferred, tls_handshake_done, handshake, tls_handshake_free);
  return deferred;
}

static WeftDeferred *
weft_tls_client_endpoint_connect (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
{
  WeftTlsClientEndpoint *self = WEFT_TLS_CLIENT_ENDPOINT (endpoint);
  g_autoptr (WeftTlsOptions) options = NULL;
  g_autoptr (WeftTlsFactory) tls_factory = NULL;
  g_autoptr (WeftClientFactory) lower_factory = NULL;
  GError *error = NULL;
  WeftDeferred *deferred;

  options = tls_client_options (self, &error);
  if (options != NULL)
    tls_factory = weft_tls_factory_new (WEFT_FACTORY (factory), options, &error);
  if (tls_factory == NULL)
    return weft_deferred_fail (error);

  /* The lower connection's end is the TLS connection's end. */
  lower_factory =
      attempt_factory_new (WEFT_FACTORY (tls_factory), forward_lost, g_object_ref (factory), g_object_unref);
  deferred = weft_client_endpoint_connect (self->wrapped, lower_factory);
  weft_deferred_add_callback (deferred, tls_client_connected, NULL, NULL);
  return deferred;
}

static char *
weft_tls_client_endpoint_to_string (WeftEndpoint *endpoint)
{
  WeftTlsClientEndpoint *self = WEFT_TLS_CLIENT_ENDPOINT (endpoint);
  GString *out;

  if (!WEFT_IS_TCP_CLIENT_ENDPOINT (self->wrapped))
    {
      g_autofree char *wrapped = weft_endpoint_to_string (WEFT_ENDPOINT (self->wrapped));

      return g_strdup_printf ("tls over %s", wrapped);
    }
  out = g_string_new ("tls");
  weft_tcp_client_endpoint_append_arguments (WEFT_TCP_CLIENT_ENDPOINT (self->wrapped), out);
  if (self->ca_file != NULL)
    append_argument (out, "ca", self->ca_file);
  if (self->fingerprint != NULL)
    append_argument (out, "fingerprint", self->fingerprint);
  if (self->certificate_file != NULL)
    {
      append_argument (out, "cert", self->certificate_file);
      append_argument (out, "key", self->key_file);
    }
  return g_string_free (out, FALSE);
}

static void
weft_tls_client_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftTlsClientEndpoint *self = WEFT_TLS_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TLS_CLIENT_WRAPPED:
      g_value_set_object (value, self->wrapped);
      break;
    case PROP_TLS_CLIENT_SERVER_NAME:
      g_value_set_string (value, self->server_name);
      break;
    case PROP_TLS_CLIENT_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_TLS_CLIENT_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;
    case PROP_TLS_CLIENT_CERTIFICATE_FILE:
      g_value_set_string (value, self->certificate_file);
      break;
    case PROP_TLS_CLIENT_KEY_FILE:
      g_value_set_string (value, self->key_file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tls_client_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftTlsClientEndpoint *self = WEFT_TLS_CLIENT_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TLS_CLIENT_WRAPPED:
      g_set_object (&self->wrapped, g_value_get_object (value));
      break;
    case PROP_TLS_CLIENT_SERVER_NAME:
      g_free (self->server_name);
      self->server_name = g_value_dup_string (value);
      break;
    case PROP_TLS_CLIENT_CA_FILE:
      weft_tls_client_endpoint_set_ca_file (self, g_value_get_string (value));
      break;
    case PROP_TLS_CLIENT_FINGERPRINT:
      weft_tls_client_endpoint_set_fingerprint (self, g_value_get_string (value));
      break;
    case PROP_TLS_CLIENT_CERTIFICATE_FILE:
      weft_tls_client_endpoint_set_certificate_files (self, g_value_get_string (value), self->key_file);
      break;
    case PROP_TLS_CLIENT_KEY_FILE:
      weft_tls_client_endpoint_set_certificate_files (self, self->certificate_file, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tls_client_endpoint_finalize (GObject *object)
{
  WeftTlsClientEndpoint *self = WEFT_TLS_CLIENT_ENDPOINT (object);

  g_clear_object (&self->wrapped);
  g_free (self->server_name);
  g_free (self->ca_file);
  g_free (self->fingerprint);
  g_free (self->certificate_file);
  g_free (self->key_file);
  G_OBJECT_CLASS (weft_tls_client_endpoint_parent_class)->finalize (object);
}

static void
weft_tls_client_endpoint_class_init (WeftTlsClientEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_tls_client_endpoint_get_property;
  object_class->set_property = weft_tls_client_endpoint_set_property;
  object_class->finalize = weft_tls_client_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_tls_client_endpoint_to_string;
  WEFT_CLIENT_ENDPOINT_CLASS (klass)->connect = weft_tls_client_endpoint_connect;

  /**
   * WeftTlsClientEndpoint:wrapped: (getter get_wrapped)
   *
   * The endpoint TLS runs over.
   */
  tls_client_properties[PROP_TLS_CLIENT_WRAPPED] =
      g_param_spec_object ("wrapped", NULL, NULL, WEFT_TYPE_CLIENT_ENDPOINT,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTlsClientEndpoint:server-name: (getter get_server_name)
   *
   * The name sent to the server (SNI) and checked in its certificate.
   */
  tls_client_properties[PROP_TLS_CLIENT_SERVER_NAME] =
      g_param_spec_string ("server-name", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * WeftTlsClientEndpoint:ca-file: (getter get_ca_file) (setter set_ca_file)
   *
   * A PEM file of the authorities to trust instead of the system's.
   */
  tls_client_properties[PROP_TLS_CLIENT_CA_FILE] = g_param_spec_string ("ca-file", NULL, NULL, NULL, flags);
  /**
   * WeftTlsClientEndpoint:fingerprint: (getter get_fingerprint) (setter set_fingerprint)
   *
   * The SHA-256 fingerprint the server's certificate must have (64
   * hexadecimal digits), which replaces the authority and name checks.
   */
  tls_client_properties[PROP_TLS_CLIENT_FINGERPRINT] = g_param_spec_string ("fingerprint", NULL, NULL, NULL, flags);
  /**
   * WeftTlsClientEndpoint:certificate-file: (getter get_certificate_file)
   *
   * The client certificate (PEM) to present, if the server asks.
   */
  tls_client_properties[PROP_TLS_CLIENT_CERTIFICATE_FILE] =
      g_param_spec_string ("certificate-file", NULL, NULL, NULL, flags);
  /**
   * WeftTlsClientEndpoint:key-file: (getter get_key_file)
   *
   * The private key (PEM) of #WeftTlsClientEndpoint:certificate-file.
   */
  tls_client_properties[PROP_TLS_CLIENT_KEY_FILE] = g_param_spec_string ("key-file", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_TLS_CLIENT_PROPS, tls_client_properties);
}

static void
weft_tls_client_endpoint_init (WeftTlsClientEndpoint *self)
{
}

/**
 * weft_tls_client_endpoint_new:
 * @wrapped: the endpoint to run TLS over, usually a
 *   [class@Weft.TcpClientEndpoint]
 * @server_name: the host name to send (SNI) and to check in the server's
 *   certificate
 *
 * Returns: (transfer full): a new TLS client endpoint, on the reactor of
 *   @wrapped
 */
WeftTlsClientEndpoint *
weft_tls_client_endpoint_new (WeftClientEndpoint *wrapped, const char *server_name)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_ENDPOINT (wrapped), NULL);
  g_return_val_if_fail (server_name != NULL && *server_name != '\0', NULL);

  return g_object_new (WEFT_TYPE_TLS_CLIENT_ENDPOINT, "reactor", weft_endpoint_get_reactor (WEFT_ENDPOINT (wrapped)),
                       "wrapped", wrapped, "server-name", server_name, NULL);
}

/**
 * weft_tls_client_endpoint_get_wrapped:
 * @endpoint: a TLS client endpoint
 *
 * Returns: (transfer none): the endpoint TLS runs over
 */
WeftClientEndpoint *
weft_tls_client_endpoint_get_wrapped (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->wrapped;
}

/**
 * weft_tls_client_endpoint_get_server_name:
 * @endpoint: a TLS client endpoint
 *
 * Returns: the name the server's certificate is checked against
 */
const char *
weft_tls_client_endpoint_get_server_name (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->server_name;
}

static void
set_string_property (GObject *object, char **field, const char *value, GParamSpec *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (object, pspec);
}

/**
 * weft_tls_client_endpoint_set_ca_file:
 * @endpoint: a TLS client endpoint
 * @path: (nullable) (type filename): a PEM file of trusted authorities, or
 *   %NULL for the system's
 *
 * Sets #WeftTlsClientEndpoint:ca-file.
 */
void
weft_tls_client_endpoint_set_ca_file (WeftTlsClientEndpoint *endpoint, const char *path)
{
  g_return_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint));
  set_string_property (G_OBJECT (endpoint), &endpoint->ca_file, path, tls_client_properties[PROP_TLS_CLIENT_CA_FILE]);
}

/**
 * weft_tls_client_endpoint_get_ca_file:
 * @endpoint: a TLS client endpoint
 *
 * Returns: (nullable) (type filename): the file of trusted authorities
 */
const char *
weft_tls_client_endpoint_get_ca_file (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->ca_file;
}

/**
 * weft_tls_client_endpoint_set_fingerprint:
 * @endpoint: a TLS client endpoint
 * @sha256: (nullable): the server certificate's SHA-256 fingerprint, or
 *   %NULL for none
 *
 * Sets #WeftTlsClientEndpoint:fingerprint. A malformed fingerprint makes
 * connecting fail.
 */
void
weft_tls_client_endpoint_set_fingerprint (WeftTlsClientEndpoint *endpoint, const char *sha256)
{
  g_return_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint));
  set_string_property (G_OBJECT (endpoint), &endpoint->fingerprint, sha256,
                       tls_client_properties[PROP_TLS_CLIENT_FINGERPRINT]);
}

/**
 * weft_tls_client_endpoint_get_fingerprint:
 * @endpoint: a TLS client endpoint
 *
 * Returns: (nullable): the pinned fingerprint
 */
const char *
weft_tls_client_endpoint_get_fingerprint (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->fingerprint;
}

/**
 * weft_tls_client_endpoint_set_certificate_files:
 * @endpoint: a TLS client endpoint
 * @certificate_path: (nullable) (type filename): the client certificate
 *   (PEM), or %NULL for none
 * @key_path: (nullable) (type filename): its private key (PEM)
 *
 * Sets the client certificate presented to servers that ask for one.
 */
void
weft_tls_client_endpoint_set_certificate_files (WeftTlsClientEndpoint *endpoint,
                                                const char *certificate_path,
                                                const char *key_path)
{
  g_return_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint));

  g_object_freeze_notify (G_OBJECT (endpoint));
  set_string_property (G_OBJECT (endpoint), &endpoint->certificate_file, certificate_path,
                       tls_client_properties[PROP_TLS_CLIENT_CERTIFICATE_FILE]);
  set_string_property (G_OBJECT (endpoint), &endpoint->key_file, key_path,
                       tls_client_properties[PROP_TLS_CLIENT_KEY_FILE]);
  g_object_thaw_notify (G_OBJECT (endpoint));
}

/**
 * weft_tls_client_endpoint_get_certificate_file:
 * @endpoint: a TLS client endpoint
 *
 * Returns: (nullable) (type filename): the client certificate file
 */
const char *
weft_tls_client_endpoint_get_certificate_file (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->certificate_file;
}

/**
 * weft_tls_client_endpoint_get_key_file:
 * @endpoint: a TLS client endpoint
 *
 * Returns: (nullable) (type filename): the client key file
 */
const char *
weft_tls_client_endpoint_get_key_file (WeftTlsClientEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_CLIENT_ENDPOINT (endpoint), NULL);
  return endpoint->key_file;
}

/* WeftTlsServerEndpoint */

/**
 * WeftTlsServerEndpoint:
 *
 * TLS over another server endpoint: each accepted connection runs the
 * handshake with the certificate and key before the protocol sees data.
 */
struct _WeftTlsServerEndpoint {
  WeftServerEndpoint parent_instance;
  WeftServerEndpoint *wrapped;
  char *certificate_file;
  char *key_file;
};

G_DEFINE_FINAL_TYPE (WeftTlsServerEndpoint, weft_tls_server_endpoint, WEFT_TYPE_SERVER_ENDPOINT)

enum {
  PROP_TLS_SERVER_0,
  PROP_TLS_SERVER_WRAPPED,
  PROP_TLS_SERVER_CERTIFICATE_FILE,
  PROP_TLS_SERVER_KEY_FILE,
  N_TLS_SERVER_PROPS
};

static GParamSpec *tls_server_properties[N_TLS_SERVER_PROPS];

static WeftDeferred *
weft_tls_server_endpoint_listen (WeftServerEndpoint *endpoint, WeftFactory *factory)
{
  WeftTlsServerEndpoint *self = WEFT_TLS_SERVER_ENDPOINT (endpoint);
  g_autoptr (WeftTlsOptions) options = weft_tls_options_new_server ();
  g_autoptr (WeftTlsFactory) tls_factory = NULL;
  GError *error = NULL;

  weft_tls_options_set_reactor (options, weft_endpoint_get_reactor (WEFT_ENDPOINT (self)));
  if (!weft_tls_options_set_certificate_files (options, self->certificate_file, self->key_file, &error))
    return weft_deferred_fail (error);
  tls_factory = weft_tls_factory_new (factory, options, &error);
  if (tls_factory == NULL)
    return weft_deferred_fail (error);
  return weft_server_endpoint_listen (self->wrapped, WEFT_FACTORY (tls_factory));
}

static char *
weft_tls_server_endpoint_to_string (WeftEndpoint *endpoint)
{
  WeftTlsServerEndpoint *self = WEFT_TLS_SERVER_ENDPOINT (endpoint);
  GString *out;

  if (!WEFT_IS_TCP_SERVER_ENDPOINT (self->wrapped))
    {
      g_autofree char *wrapped = weft_endpoint_to_string (WEFT_ENDPOINT (self->wrapped));

      return g_strdup_printf ("tls over %s", wrapped);
    }
  out = g_string_new ("tls");
  weft_tcp_server_endpoint_append_arguments (WEFT_TCP_SERVER_ENDPOINT (self->wrapped), out);
  append_argument (out, "cert", self->certificate_file);
  append_argument (out, "key", self->key_file);
  return g_string_free (out, FALSE);
}

static void
weft_tls_server_endpoint_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftTlsServerEndpoint *self = WEFT_TLS_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TLS_SERVER_WRAPPED:
      g_value_set_object (value, self->wrapped);
      break;
    case PROP_TLS_SERVER_CERTIFICATE_FILE:
      g_value_set_string (value, self->certificate_file);
      break;
    case PROP_TLS_SERVER_KEY_FILE:
      g_value_set_string (value, self->key_file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tls_server_endpoint_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftTlsServerEndpoint *self = WEFT_TLS_SERVER_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_TLS_SERVER_WRAPPED:
      g_set_object (&self->wrapped, g_value_get_object (value));
      break;
    case PROP_TLS_SERVER_CERTIFICATE_FILE:
      g_free (self->certificate_file);
      self->certificate_file = g_value_dup_string (value);
      break;
    case PROP_TLS_SERVER_KEY_FILE:
      g_free (self->key_file);
      self->key_file = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_tls_server_endpoint_finalize (GObject *object)
{
  WeftTlsServerEndpoint *self = WEFT_TLS_SERVER_ENDPOINT (object);

  g_clear_object (&self->wrapped);
  g_free (self->certificate_file);
  g_free (self->key_file);
  G_OBJECT_CLASS (weft_tls_server_endpoint_parent_class)->finalize (object);
}

static void
weft_tls_server_endpoint_class_init (WeftTlsServerEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_tls_server_endpoint_get_property;
  object_class->set_property = weft_tls_server_endpoint_set_property;
  object_class->finalize = weft_tls_server_endpoint_finalize;
  WEFT_ENDPOINT_CLASS (klass)->to_string = weft_tls_server_endpoint_to_string;
  WEFT_SERVER_ENDPOINT_CLASS (klass)->listen = weft_tls_server_endpoint_listen;

  /**
   * WeftTlsServerEndpoint:wrapped: (getter get_wrapped)
   *
   * The endpoint TLS runs over.
   */
  tls_server_properties[PROP_TLS_SERVER_WRAPPED] =
      g_param_spec_object ("wrapped", NULL, NULL, WEFT_TYPE_SERVER_ENDPOINT, flags);
  /**
   * WeftTlsServerEndpoint:certificate-file: (getter get_certificate_file)
   *
   * The server's certificate chain (PEM).
   */
  tls_server_properties[PROP_TLS_SERVER_CERTIFICATE_FILE] =
      g_param_spec_string ("certificate-file", NULL, NULL, NULL, flags);
  /**
   * WeftTlsServerEndpoint:key-file: (getter get_key_file)
   *
   * The private key (PEM) of #WeftTlsServerEndpoint:certificate-file.
   */
  tls_server_properties[PROP_TLS_SERVER_KEY_FILE] = g_param_spec_string ("key-file", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_TLS_SERVER_PROPS, tls_server_properties);
}

static void
weft_tls_server_endpoint_init (WeftTlsServerEndpoint *self)
{
}

/**
 * weft_tls_server_endpoint_new:
 * @wrapped: the endpoint to run TLS over, usually a
 *   [class@Weft.TcpServerEndpoint]
 * @certificate_path: (type filename): the server's certificate chain (PEM)
 * @key_path: (type filename): its private key (PEM)
 *
 * The files are read when listening starts; a file that cannot be used
 * makes weft_server_endpoint_listen() fail.
 *
 * Returns: (transfer full): a new TLS server endpoint, on the reactor of
 *   @wrapped
 */
WeftTlsServerEndpoint *
weft_tls_server_endpoint_new (WeftServerEndpoint *wrapped, const char *certificate_path, const char *key_path)
{
  g_return_val_if_fail (WEFT_IS_SERVER_ENDPOINT (wrapped), NULL);
  g_return_val_if_fail (certificate_path != NULL, NULL);
  g_return_val_if_fail (key_path != NULL, NULL);

  return g_object_new (WEFT_TYPE_TLS_SERVER_ENDPOINT, "reactor", weft_endpoint_get_reactor (WEFT_ENDPOINT (wrapped)),
                       "wrapped", wrapped, "certificate-file", certificate_path, "key-file", key_path, NULL);
}

/**
 * weft_tls_server_endpoint_get_wrapped:
 * @endpoint: a TLS server endpoint
 *
 * Returns: (transfer none): the endpoint TLS runs over
 */
WeftServerEndpoint *
weft_tls_server_endpoint_get_wrapped (WeftTlsServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_SERVER_ENDPOINT (endpoint), NULL);
  return endpoint->wrapped;
}

/**
 * weft_tls_server_endpoint_get_certificate_file:
 * @endpoint: a TLS server endpoint
 *
 * Returns: (type filename): the certificate file
 */
const char *
weft_tls_server_endpoint_get_certificate_file (WeftTlsServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_SERVER_ENDPOINT (endpoint), NULL);
  return endpoint->certificate_file;
}

/**
 * weft_tls_server_endpoint_get_key_file:
 * @endpoint: a TLS server endpoint
 *
 * Returns: (type filename): the key file
 */
const char *
weft_tls_server_endpoint_get_key_file (WeftTlsServerEndpoint *endpoint)
{
  g_return_val_if_fail (WEFT_IS_TLS_SERVER_ENDPOINT (endpoint), NULL);
  return endpoint->key_file;
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
 *   and the TCP keywords: a [class@Weft.TlsClientEndpoint] over TCP that
 *   checks the server's certificate for HOST.
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
      unix_endpoint->timeout = parsed.timeout;
      return WEFT_CLIENT_ENDPOINT (unix_endpoint);
    }

  tcp = weft_tcp_client_endpoint_new (reactor, parsed.host, parsed.port);
  tcp->timeout = parsed.timeout;
  g_set_object (&tcp->bind_address, parsed.bind);
  if (g_str_equal (parsed.grammar->kind, "tcp"))
    return WEFT_CLIENT_ENDPOINT (g_steal_pointer (&tcp));

  tls = weft_tls_client_endpoint_new (WEFT_CLIENT_ENDPOINT (tcp), parsed.host);
  tls->ca_file = g_steal_pointer (&parsed.ca);
  tls->fingerprint = g_steal_pointer (&parsed.fingerprint);
  tls->certificate_file = g_steal_pointer (&parsed.cert);
  tls->key_file = g_steal_pointer (&parsed.key);
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
 *   [class@Weft.TlsServerEndpoint] over TCP.
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

  return WEFT_SERVER_ENDPOINT (weft_tls_server_endpoint_new (WEFT_SERVER_ENDPOINT (tcp), parsed.cert, parsed.key));
}

/* WeftConnector */

/**
 * WeftConnector:
 *
 * One client factory connecting to one endpoint, as often as asked:
 * Twisted's `IConnector`. weft_connector_connect() starts an attempt; the
 * factory hears of it (started_connecting, then client_connection_failed
 * or, after the connection, client_connection_lost) with the connector as
 * argument, so that it can call weft_connector_connect() again: that is how
 * a [class@Weft.ReconnectingClientFactory] retries.
 *
 * A connector keeps itself alive while it is connecting or connected.
 * #WeftConnector:state can be bound to a widget.
 */
struct _WeftConnector {
  GObject parent_instance;
  WeftClientEndpoint *endpoint;
  WeftClientFactory *factory;
  WeftConnectorState state;
  WeftDeferred *attempt;  /* while connecting */
  WeftProtocol *protocol; /* while connected */
  guint n_attempts;
  gboolean factory_started;
  gboolean busy;
};

G_DEFINE_FINAL_TYPE (WeftConnector, weft_connector, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (WeftConnectorState,
                    weft_connector_state,
                    G_DEFINE_ENUM_VALUE (WEFT_CONNECTOR_STATE_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (WEFT_CONNECTOR_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (WEFT_CONNECTOR_STATE_CONNECTED, "connected"))

enum {
  PROP_CONNECTOR_0,
  PROP_CONNECTOR_ENDPOINT,
  PROP_CONNECTOR_FACTORY,
  PROP_CONNECTOR_STATE,
  N_CONNECTOR_PROPS
};

static GParamSpec *connector_properties[N_CONNECTOR_PROPS];

static void
connector_set_state (WeftConnector *self, WeftConnectorState state)
{
  if (self->state == state)
    return;
  self->state = state;
  /* Alive while busy: one reference from leaving DISCONNECTED until the
   * factory has heard that it is back there. */
  if (state != WEFT_CONNECTOR_STATE_DISCONNECTED && !self->busy)
    {
      self->busy = TRUE;
      g_object_ref (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), connector_properties[PROP_CONNECTOR_STATE]);
}

/* Called after the factory heard of a failure or a loss. */
static void
connector_factory_done (WeftConnector *self)
{
  if (self->state != WEFT_CONNECTOR_STATE_DISCONNECTED)
    return; /* the factory reconnected */
  if (self->factory_started)
    {
      self->factory_started = FALSE;
      weft_factory_do_stop (WEFT_FACTORY (self->factory));
    }
  if (self->busy)
    {
      self->busy = FALSE;
      g_object_unref (self);
    }
}

static void
connector_attempt_done (WeftConnector *self, WeftProtocol *protocol)
{
  g_clear_object (&self->attempt);
  if (protocol != NULL)
    g_set_object (&self->protocol, protocol);
  connector_set_state (self, protocol != NULL ? WEFT_CONNECTOR_STATE_CONNECTED : WEFT_CONNECTOR_STATE_DISCONNECTED);
}

static void
connector_lost (WeftConnector *self)
{
  g_clear_object (&self->protocol);
  connector_set_state (self, WEFT_CONNECTOR_STATE_DISCONNECTED);
}

static WeftDeferred *
connector_consume_error (WeftResult *result, gpointer user_data)
{
  /* The factory has heard of it. */
  weft_result_clear (result);
  return NULL;
}

static void
weft_connector_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  WeftConnector *self = WEFT_CONNECTOR (object);

  switch (prop_id)
    {
    case PROP_CONNECTOR_ENDPOINT:
      g_value_set_object (value, self->endpoint);
      break;
    case PROP_CONNECTOR_FACTORY:
      g_value_set_object (value, self->factory);
      break;
    case PROP_CONNECTOR_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_connector_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  WeftConnector *self = WEFT_CONNECTOR (object);

  switch (prop_id)
    {
    case PROP_CONNECTOR_ENDPOINT:
      self->endpoint = g_value_dup_object (value);
      break;
    case PROP_CONNECTOR_FACTORY:
      self->factory = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
weft_connector_finalize (GObject *object)
{
  WeftConnector *self = WEFT_CONNECTOR (object);

  g_clear_object (&self->endpoint);
  g_clear_object (&self->factory);
  g_clear_object (&self->attempt);
  g_clear_object (&self->protocol);
  G_OBJECT_CLASS (weft_connector_parent_class)->finalize (object);
}

static void
weft_connector_class_init (WeftConnectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = weft_connector_get_property;
  object_class->set_property = weft_connector_set_property;
  object_class->finalize = weft_connector_finalize;

  /**
   * WeftConnector:endpoint: (getter get_endpoint)
   *
   * Where to connect.
   */
  connector_properties[PROP_CONNECTOR_ENDPOINT] =
      g_param_spec_object ("endpoint", NULL, NULL, WEFT_TYPE_CLIENT_ENDPOINT, construct);
  /**
   * WeftConnector:factory: (getter get_factory)
   *
   * The factory that builds the protocol and hears of each attempt.
   */
  connector_properties[PROP_CONNECTOR_FACTORY] =
      g_param_spec_object ("factory", NULL, NULL, WEFT_TYPE_CLIENT_FACTORY, construct);
  /**
   * WeftConnector:state: (getter get_state)
   *
   * Disconnected, connecting or connected.
   */
  connector_properties[PROP_CONNECTOR_STATE] =
      g_param_spec_enum ("state", NULL, NULL, WEFT_TYPE_CONNECTOR_STATE, WEFT_CONNECTOR_STATE_DISCONNECTED,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_CONNECTOR_PROPS, connector_properties);
}

static void
weft_connector_init (WeftConnector *self)
{
}

/**
 * weft_connector_new:
 * @endpoint: where to connect
 * @factory: the factory that builds the protocol and decides about
 *   retrying
 *
 * Makes a connector; nothing happens until weft_connector_connect().
 *
 * Returns: (transfer full): a new connector
 */
WeftConnector *
weft_connector_new (WeftClientEndpoint *endpoint, WeftClientFactory *factory)
{
  g_return_val_if_fail (WEFT_IS_CLIENT_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (WEFT_IS_CLIENT_FACTORY (factory), NULL);

  return g_object_new (WEFT_TYPE_CONNECTOR, "endpoint", endpoint, "factory", factory, NULL);
}

/**
 * weft_connector_connect:
 * @connector: a disconnected connector
 *
 * Starts an attempt: the factory is started (weft_factory_do_start()) if
 * it is not already, and hears of the attempt with @connector as the
 * connector argument. It is stopped again once an attempt failed or a
 * connection ended and it did not call this function from its
 * client_connection_failed or client_connection_lost.
 */
void
weft_connector_connect (WeftConnector *connector)
{
  g_autoptr (WeftDeferred) attempt = NULL;
  guint n_attempts;

  g_return_if_fail (WEFT_IS_CONNECTOR (connector));
  g_return_if_fail (connector->state == WEFT_CONNECTOR_STATE_DISCONNECTED);

  g_object_ref (connector);
  connector_set_state (connector, WEFT_CONNECTOR_STATE_CONNECTING);
  if (!connector->factory_started)
    {
      connector->factory_started = TRUE;
      weft_factory_do_start (WEFT_FACTORY (connector->factory));
    }
  n_attempts = ++connector->n_attempts;
  attempt = client_endpoint_connect (connector->endpoint, connector->factory, connector);
  /* Unless it ended (and maybe started again) already. */
  if (connector->n_attempts == n_attempts && connector->state == WEFT_CONNECTOR_STATE_CONNECTING)
    g_set_object (&connector->attempt, attempt);
  weft_deferred_add_errback (attempt, connector_consume_error, NULL, NULL);
  g_object_unref (connector);
}

/**
 * weft_connector_stop_connecting:
 * @connector: a connector
 *
 * Cancels the attempt under way, if any: the factory's
 * client_connection_failed receives a %WEFT_ERROR_CANCELLED error.
 */
void
weft_connector_stop_connecting (WeftConnector *connector)
{
  g_autoptr (WeftDeferred) attempt = NULL;

  g_return_if_fail (WEFT_IS_CONNECTOR (connector));

  if (connector->state != WEFT_CONNECTOR_STATE_CONNECTING || connector->attempt == NULL)
    return;
  attempt = g_object_ref (connector->attempt);
  weft_deferred_cancel (attempt);
}

/**
 * weft_connector_disconnect:
 * @connector: a connector
 *
 * Cancels the attempt under way, or closes the connection (after what was
 * written has been sent); the factory hears of it as usual and may
 * reconnect. A [class@Weft.ReconnectingClientFactory] does, unless
 * weft_reconnecting_client_factory_stop_trying() was called first.
 */
void
weft_connector_disconnect (WeftConnector *connector)
{
  WeftTransport *transport;

  g_return_if_fail (WEFT_IS_CONNECTOR (connector));

  if (connector->state == WEFT_CONNECTOR_STATE_CONNECTING)
    weft_connector_stop_connecting (connector);
  else if (connector->state == WEFT_CONNECTOR_STATE_CONNECTED &&
           (transport = weft_protocol_get_transport (connector->protocol)) != NULL)
    weft_transport_lose_connection (transport);
}

/**
 * weft_connector_get_state:
 * @connector: a connector
 *
 * Returns: whether @connector is disconnected, connecting or connected
 */
WeftConnectorState
weft_connector_get_state (WeftConnector *connector)
{
  g_return_val_if_fail (WEFT_IS_CONNECTOR (connector), WEFT_CONNECTOR_STATE_DISCONNECTED);
  return connector->state;
}

/**
 * weft_connector_get_protocol:
 * @connector: a connector
 *
 * Returns: (transfer none) (nullable): the connected protocol, %NULL unless
 *   connected
 */
WeftProtocol *
weft_connector_get_protocol (WeftConnector *connector)
{
  g_return_val_if_fail (WEFT_IS_CONNECTOR (connector), NULL);
  return connector->protocol;
}

/**
 * weft_connector_get_endpoint:
 * @connector: a connector
 *
 * Returns: (transfer none): where @connector connects
 */
WeftClientEndpoint *
weft_connector_get_endpoint (WeftConnector *connector)
{
  g_return_val_if_fail (WEFT_IS_CONNECTOR (connector), NULL);
  return connector->endpoint;
}

/**
 * weft_connector_get_factory:
 * @connector: a connector
 *
 * Returns: (transfer none): the factory of @connector
 */
WeftClientFactory *
weft_connector_get_factory (WeftConnector *connector)
{
  g_return_val_if_fail (WEFT_IS_CONNECTOR (connector), NULL);
  return connector->factory;
}
