/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "chat-application.h"

int
main (int argc, char *argv[])
{
  return chat_application_main (argc, argv);
}
