/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "conformance.h"

int
main (int argc, char **argv)
{
  const ConformanceCase *const tables[] = {
    conformance_timer_cases,    conformance_soon_cases,         conformance_watch_cases,
    conformance_loop_cases,     conformance_glib_cases,         conformance_gtk_cases,
    conformance_udp_cases,      conformance_lifecycle_cases,    conformance_process_cases,
    conformance_tcp_cases,      conformance_unix_cases,         conformance_tls_cases,
    conformance_endpoint_cases, conformance_async_cases,        conformance_gtk_application_cases,
    conformance_file_cases,     conformance_backpressure_cases,
  };

  return conformance_main (argc, argv, tables, G_N_ELEMENTS (tables));
}
