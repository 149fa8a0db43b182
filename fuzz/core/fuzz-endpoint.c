/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The endpoint description parser on any bytes, as a client and as a
 * server description: it either fails with WEFT_ERROR_INVALID_ENDPOINT or
 * gives an endpoint whose description parses back to the same
 * description (weft_endpoint_to_string()'s contract). */
#include <string.h>

#include <weft/weft-testing.h>

#include "fuzz-check.h"

static WeftReactor *reactor;

static void
check_one (const char *description, gboolean server)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WeftEndpoint) endpoint = NULL;
  g_autoptr (WeftEndpoint) reparsed = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;

  if (server)
    endpoint = WEFT_ENDPOINT (weft_server_endpoint_from_string (reactor, description, &error));
  else
    endpoint = WEFT_ENDPOINT (weft_client_endpoint_from_string (reactor, description, &error));
  if (endpoint == NULL)
    {
      FUZZ_CHECK (error != NULL && g_error_matches (error, WEFT_ERROR, WEFT_ERROR_INVALID_ENDPOINT));
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
      return;
    }
  FUZZ_CHECK (error == NULL);

  text = weft_endpoint_to_string (endpoint);
  FUZZ_CHECK (text != NULL);
  if (server)
    reparsed = WEFT_ENDPOINT (weft_server_endpoint_from_string (reactor, text, &error));
  else
    reparsed = WEFT_ENDPOINT (weft_client_endpoint_from_string (reactor, text, &error));
  if (reparsed == NULL)
    fprintf (stderr, "“%s” gave “%s”, which does not parse: %s\n", description, text, error->message);
  FUZZ_CHECK (reparsed != NULL);
  FUZZ_CHECK (G_OBJECT_TYPE (reparsed) == G_OBJECT_TYPE (endpoint));
  again = weft_endpoint_to_string (reparsed);
  if (strcmp (again, text) != 0)
    fprintf (stderr, "“%s” gave “%s”, which reads back as “%s”\n", description, text, again);
  FUZZ_CHECK (strcmp (again, text) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *description = NULL;

  if (reactor == NULL)
    reactor = weft_test_clock_new ();
  /* Descriptions are C strings: stop at the first NUL. */
  description = g_strndup ((const char *) data, size);
  check_one (description, FALSE);
  check_one (description, TRUE);
  return 0;
}
