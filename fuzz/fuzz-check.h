/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* An invariant of a fuzz target: abort with the location when it fails, so
 * that libFuzzer saves the input and the corpus replay fails. Unlike
 * g_assert(), it is never compiled out. */
#define FUZZ_CHECK(condition)                                                                 \
  do                                                                                          \
    {                                                                                         \
      if (!(condition))                                                                       \
        {                                                                                     \
          fprintf (stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
          abort ();                                                                           \
        }                                                                                     \
    }                                                                                         \
  while (0)

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
