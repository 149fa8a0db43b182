/* SPDX-License-Identifier: LGPL-2.1-or-later */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exponential backoff with jitter (delays in microseconds), shared by the reconnecting factory and
 * the client service: each step multiplies the delay by the factor, caps
 * it, then draws the actual delay from a normal distribution around it
 * whose standard deviation is jitter × delay (Twisted's retry()). The drawn
 * delay is where the next step starts. */
typedef struct {
  double initial_delay;
  double max_delay;
  double factor;
  double jitter;
  double delay;
  GRand *rand;
} WeftBackoff;

void weft_backoff_init (WeftBackoff *backoff, double initial_delay, double max_delay, double factor, double jitter);
void weft_backoff_clear (WeftBackoff *backoff);
void weft_backoff_reset (WeftBackoff *backoff);
double weft_backoff_next (WeftBackoff *backoff);
void weft_backoff_set_seed (WeftBackoff *backoff, guint32 seed);

G_END_DECLS
