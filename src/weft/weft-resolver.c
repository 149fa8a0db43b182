/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Name resolution that never blocks the reactor: numeric addresses are
 * parsed in place, names go to getaddrinfo() in the reactor's thread pool,
 * and a reactor may carry a resolver of its own (tests inject addresses
 * that way). */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <net/if.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "weft-error.h"
#include "weft-resolver-private.h"
#include "weft-resolver.h"
#include "weft-threads.h"

#define RESOLVER_KEY "weft-resolver"

typedef struct {
  WeftResolverFunc func;
  gpointer user_data;
  GDestroyNotify notify;
} ResolverOverride;

typedef struct {
  char *host;  /* as given, for messages */
  char *ascii; /* what getaddrinfo() is asked */
  guint16 port;
  GSocketFamily family;
} Lookup;

static void
resolver_override_free (gpointer data)
{
  ResolverOverride *override = data;

  if (override->notify != NULL)
    override->notify (override->user_data);
  g_free (override);
}

static void
lookup_free (gpointer data)
{
  Lookup *lookup = data;

  g_free (lookup->host);
  g_free (lookup->ascii);
  g_free (lookup);
}

static GPtrArray *
address_array_new (void)
{
  return g_ptr_array_new_with_free_func (g_object_unref);
}

static gboolean
family_matches (GSocketFamily wanted, GSocketFamily family)
{
  return wanted == G_SOCKET_FAMILY_INVALID || wanted == family;
}

static const char *
family_name (GSocketFamily family)
{
  return family == G_SOCKET_FAMILY_IPV6 ? "IPv6" : "IPv4";
}

/* RFC 6761 section 6.4: names under "invalid." never resolve, and resolver
 * libraries should say so without asking the network. */
gboolean
weft_resolver_is_invalid_name (const char *host)
{
  gsize len = strlen (host);

  if (len > 0 && host[len - 1] == '.')
    len--;
  if (len == strlen ("invalid"))
    return g_ascii_strncasecmp (host, "invalid", len) == 0;
  return len > strlen (".invalid") && g_ascii_strncasecmp (host + len - strlen (".invalid"), ".invalid", 8) == 0;
}

static GSocketAddress *
inet_socket_address_new (GInetAddress *address, guint16 port, guint32 scope_id)
{
  return g_object_new (G_TYPE_INET_SOCKET_ADDRESS, "address", address, "port", port, "scope-id", scope_id, NULL);
}

/* An IPv4 or IPv6 literal (inet_pton's strict forms, so "1234" stays a
 * name), IPv6 with an optional "%scope". Returns NULL without an error for
 * anything that is not a literal. */
GPtrArray *
weft_resolver_lookup_numeric (const char *host, guint16 port, GSocketFamily family, GError **error)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autofree char *bare = NULL;
  const char *percent = strchr (host, '%');
  guint32 scope_id = 0;
  GPtrArray *addresses;

  bare = percent != NULL ? g_strndup (host, percent - host) : g_strdup (host);
  address = g_inet_address_new_from_string (bare);
  if (address == NULL)
    return NULL;

  if (percent != NULL)
    {
      const char *scope = percent + 1;
      guint64 number;

      if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6 || *scope == '\0')
        return NULL;
      if (g_ascii_string_to_unsigned (scope, 10, 0, G_MAXUINT32, &number, NULL))
        scope_id = number;
      else if ((scope_id = if_nametoindex (scope)) == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND,
                       _ ("Cannot resolve “%s”: there is no network interface named “%s”"), host, scope);
          return NULL;
        }
    }

  if (!family_matches (family, g_inet_address_get_family (address)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND,
                   _ ("Cannot resolve “%s”: it is an %s address, and only %s addresses were asked for"), host,
                   family_name (g_inet_address_get_family (address)), family_name (family));
      return NULL;
    }

  addresses = address_array_new ();
  g_ptr_array_add (addresses, inet_socket_address_new (address, port, scope_id));
  return addresses;
}

static GIOErrorEnum
gai_error_code (int status)
{
  switch (status)
    {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
#endif
      return G_IO_ERROR_HOST_NOT_FOUND;
    default:
      return G_IO_ERROR_FAILED;
    }
}

static void
set_gai_error (WeftResult *result, const char *host, int status, int saved_errno)
{
  const char *why = status == EAI_SYSTEM ? g_strerror (saved_errno) : gai_strerror (status);

  weft_result_set_new_error (result, G_IO_ERROR, gai_error_code (status), _ ("Cannot resolve “%s”: %s"), host, why);
}

/* Runs in a worker thread. */
static void
lookup_in_thread (WeftResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  struct addrinfo hints = { 0 };
  struct addrinfo *list = NULL;
  g_autoptr (GPtrArray) addresses = address_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int status;

  hints.ai_family = lookup->family == G_SOCKET_FAMILY_IPV4   ? AF_INET
                    : lookup->family == G_SOCKET_FAMILY_IPV6 ? AF_INET6
                                                             : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  /* No AI_ADDRCONFIG: it drops ::1 from "localhost" on hosts without a
   * global IPv6 address, and Happy Eyeballs copes with a family that
   * cannot be reached. */

  errno = 0;
  status = getaddrinfo (lookup->ascii, NULL, &hints, &list);
  if (status != 0)
    {
      set_gai_error (result, lookup->host, status, errno);
      return;
    }

  for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next)
    {
      struct sockaddr_storage native;
      GSocketAddress *address;
      char *key;

      if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) || ai->ai_addrlen > sizeof native)
        continue;
      memcpy (&native, ai->ai_addr, ai->ai_addrlen);
      if (ai->ai_family == AF_INET)
        ((struct sockaddr_in *) &native)->sin_port = g_htons (lookup->port);
      else
        ((struct sockaddr_in6 *) &native)->sin6_port = g_htons (lookup->port);
      address = g_socket_address_new_from_native (&native, ai->ai_addrlen);
      if (address == NULL)
        continue;
      key = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
      if (!g_hash_table_add (seen, key))
        {
          g_object_unref (address);
          continue;
        }
      g_ptr_array_add (addresses, address);
    }
  freeaddrinfo (list);

  if (addresses->len == 0)
    set_gai_error (result, lookup->host, EAI_NONAME, 0);
  else
    weft_result_take_boxed (result, G_TYPE_PTR_ARRAY, g_steal_pointer (&addresses));
}

/* Checks what a resolver fired with: a non-empty GPtrArray of
 * GInetSocketAddress. Returns a new reference to it. */
GPtrArray *
weft_resolver_check_addresses (const GValue *value, const char *host, GError **error)
{
  GPtrArray *addresses;

  if (value == NULL || !G_VALUE_HOLDS (value, G_TYPE_PTR_ARRAY) || g_value_get_boxed (value) == NULL)
    {
      g_set_error (error, WEFT_ERROR, WEFT_ERROR_FAILED,
                   _ ("Cannot resolve “%s”: the resolver answered with %s instead of a list of addresses"), host,
                   value != NULL ? G_VALUE_TYPE_NAME (value) : "nothing");
      return NULL;
    }
  addresses = g_value_get_boxed (value);
  for (guint i = 0; i < addresses->len; i++)
    {
      if (!G_IS_INET_SOCKET_ADDRESS (addresses->pdata[i]))
        {
          g_set_error (error, WEFT_ERROR, WEFT_ERROR_FAILED,
                       _ ("Cannot resolve “%s”: the resolver answered with something that is not an IP address"), host);
          return NULL;
        }
    }
  if (addresses->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND, _ ("Cannot resolve “%s”: %s"), host,
                   gai_strerror (EAI_NONAME));
      return NULL;
    }
  return g_ptr_array_ref (addresses);
}

static WeftDeferred *
succeed_with_addresses (GPtrArray *addresses)
{
  WeftDeferred *deferred = weft_deferred_new ();

  weft_deferred_callback_boxed (deferred, G_TYPE_PTR_ARRAY, addresses);
  return deferred;
}

/**
 * weft_reactor_resolve:
 * @reactor: a reactor
 * @host: a host name, or an IPv4 or IPv6 address (without brackets; IPv6
 *   may carry a `%scope`)
 * @port: the port to put in every address
 * @family: %G_SOCKET_FAMILY_IPV4 or %G_SOCKET_FAMILY_IPV6 for one family,
 *   %G_SOCKET_FAMILY_INVALID for both
 *
 * Resolves @host without blocking the reactor (Twisted's
 * `IHostnameResolver`).
 *
 * The returned deferred fires with a `GPtrArray` (boxed type
 * `G_TYPE_PTR_ARRAY`; read it with weft_result_get_boxed()) of
 * `GInetSocketAddress`, in the order the system resolver prefers, without
 * duplicates and never empty. The array and its addresses belong to the
 * result: take references to keep them.
 *
 * A resolver installed with weft_reactor_set_resolver() is asked first.
 * Otherwise an address literal is parsed at once (the deferred has fired on
 * return), names under `.invalid` fail at once (RFC 6761), and other names
 * go to getaddrinfo() in the reactor's thread pool
 * (weft_reactor_defer_to_thread()). Names that are not ASCII are converted
 * with IDNA first.
 *
 * Failures are %G_IO_ERROR_HOST_NOT_FOUND for a name that does not exist
 * ("Cannot resolve “no-such-host.invalid”: Name or service not known") and
 * %G_IO_ERROR_FAILED for other resolver trouble. Cancelling the deferred
 * fires it with %G_IO_ERROR_CANCELLED at once; a lookup already running in
 * a thread finishes there and its answer is dropped.
 *
 * Returns: (transfer full): a deferred for the addresses
 */
WeftDeferred *
weft_reactor_resolve (WeftReactor *reactor, const char *host, guint16 port, GSocketFamily family)
{
  ResolverOverride *override;
  g_autoptr (GPtrArray) numeric = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *description = NULL;
  WeftDeferred *deferred;
  Lookup *lookup;

  g_return_val_if_fail (WEFT_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (family == G_SOCKET_FAMILY_INVALID || family == G_SOCKET_FAMILY_IPV4 ||
                            family == G_SOCKET_FAMILY_IPV6,
                        NULL);

  override = g_object_get_data (G_OBJECT (reactor), RESOLVER_KEY);
  if (override != NULL)
    {
      deferred = override->func (reactor, host, port, family, override->user_data);
      if (deferred != NULL)
        return deferred;
    }

  if (*host == '\0')
    return weft_deferred_fail_take_error (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND,
                                                               _ ("Cannot resolve an empty host name")));

  numeric = weft_resolver_lookup_numeric (host, port, family, &error);
  if (error != NULL)
    return weft_deferred_fail_take_error (g_steal_pointer (&error));
  if (numeric != NULL)
    return succeed_with_addresses (numeric);

  if (weft_resolver_is_invalid_name (host))
    return weft_deferred_fail_take_error (g_error_new (G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND,
                                                       _ ("Cannot resolve “%s”: %s"), host, gai_strerror (EAI_NONAME)));

  lookup = g_new0 (Lookup, 1);
  lookup->host = g_strdup (host);
  lookup->ascii = g_hostname_to_ascii (host);
  lookup->port = port;
  lookup->family = family;
  if (lookup->ascii == NULL)
    {
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("Cannot resolve “%s”: it is not a valid host name"), host);
      lookup_free (lookup);
      return weft_deferred_fail_take_error (g_steal_pointer (&error));
    }

  deferred = weft_reactor_defer_to_thread (reactor, lookup_in_thread, lookup, lookup_free);
  description = g_strdup_printf (_ ("Resolving “%s”"), host);
  weft_deferred_set_description (deferred, description);
  return deferred;
}

/**
 * weft_reactor_set_resolver:
 * @reactor: a reactor
 * @func: (nullable) (scope notified): the resolver, or %NULL to go back to
 *   the system's
 * @user_data: (closure): data for @func
 * @notify: (nullable): frees @user_data when the resolver is replaced or
 *   the reactor is finalized
 *
 * Installs a resolver that weft_reactor_resolve() asks before the system's,
 * and so every endpoint that connects to a host name on @reactor. @func may
 * return %NULL to pass a name on to the system resolver. Tests use this to
 * give a name addresses of their choosing (see weft_resolve_addresses()).
 */
void
weft_reactor_set_resolver (WeftReactor *reactor, WeftResolverFunc func, gpointer user_data, GDestroyNotify notify)
{
  ResolverOverride *override = NULL;

  g_return_if_fail (WEFT_IS_REACTOR (reactor));

  if (func != NULL)
    {
      override = g_new0 (ResolverOverride, 1);
      override->func = func;
      override->user_data = user_data;
      override->notify = notify;
    }
  g_object_set_data_full (G_OBJECT (reactor), RESOLVER_KEY, override, resolver_override_free);
}

static gboolean
parse_address_and_port (const char *text, guint16 default_port, GSocketAddress **address)
{
  g_autofree char *host = NULL;
  g_autoptr (GPtrArray) found = NULL;
  guint64 port = default_port;
  const char *colon;

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');

      if (close == NULL)
        return FALSE;
      host = g_strndup (text + 1, close - text - 1);
      if (close[1] == ':')
        {
          if (!g_ascii_string_to_unsigned (close + 2, 10, 0, G_MAXUINT16, &port, NULL))
            return FALSE;
        }
      else if (close[1] != '\0')
        return FALSE;
    }
  else if ((colon = strchr (text, ':')) != NULL && strchr (colon + 1, ':') == NULL)
    {
      host = g_strndup (text, colon - text);
      if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, G_MAXUINT16, &port, NULL))
        return FALSE;
    }
  else
    host = g_strdup (text);

  found = weft_resolver_lookup_numeric (host, port, G_SOCKET_FAMILY_INVALID, NULL);
  if (found == NULL)
    return FALSE;
  *address = g_object_ref (found->pdata[0]);
  return TRUE;
}

/**
 * weft_resolve_addresses:
 * @addresses: (array zero-terminated=1): IP addresses, each optionally with
 *   its own port: `127.0.0.1`, `127.0.0.1:8080`, `::1`, `[::1]:8080`
 * @port: the port of the addresses that name none
 *
 * Makes the answer of a resolver from address literals, in the given order:
 * a helper for resolvers installed with weft_reactor_set_resolver(). An
 * empty list, or an entry that is not an address, gives a failed deferred.
 *
 * Returns: (transfer full): a deferred that has fired with a `GPtrArray` of
 *   `GInetSocketAddress`, as weft_reactor_resolve() does
 */
WeftDeferred *
weft_resolve_addresses (const char *const *addresses, guint16 port)
{
  g_autoptr (GPtrArray) array = address_array_new ();

  g_return_val_if_fail (addresses != NULL, NULL);

  for (guint i = 0; addresses[i] != NULL; i++)
    {
      GSocketAddress *address = NULL;

      if (!parse_address_and_port (addresses[i], port, &address))
        return weft_deferred_fail_take_error (g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                           _ ("“%s” is not an IP address"), addresses[i]));
      g_ptr_array_add (array, address);
    }
  if (array->len == 0)
    return weft_deferred_fail_take_error (g_error_new (G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND, _ ("Cannot resolve: %s"),
                                                       gai_strerror (EAI_NONAME)));
  return succeed_with_addresses (array);
}
