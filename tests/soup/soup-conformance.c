/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "soup-test-common.h"

extern const ConformanceCase soup_http_cases[];
extern const ConformanceCase soup_websocket_cases[];
extern const ConformanceCase soup_server_cases[];

int
main (int argc, char **argv)
{
  const ConformanceCase *const tables[] = { soup_http_cases, soup_websocket_cases, soup_server_cases };

  return conformance_main (argc, argv, tables, G_N_ELEMENTS (tables));
}
