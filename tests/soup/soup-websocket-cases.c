/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "soup-test-common.h"

const ConformanceCase soup_websocket_cases[] = {
  { NULL },
};
