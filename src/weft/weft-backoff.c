/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Exponential backoff with jitter (see weft-backoff-private.h). */

#include "config.h"

#include <math.h>

#include "weft-backoff-private.h"

void
weft_backoff_init (WeftBackoff *backoff, double initial_delay, double max_delay, double factor, double jitter)
{
  backoff->initial_delay = initial_delay;
  backoff->max_delay = max_delay;
  backoff->factor = factor;
  backoff->jitter = jitter;
  backoff->delay = initial_delay;
  backoff->rand = g_rand_new ();
}

void
weft_backoff_clear (WeftBackoff *backoff)
{
  g_clear_pointer (&backoff->rand, g_rand_free);
}

void
weft_backoff_reset (WeftBackoff *backoff)
{
  backoff->delay = backoff->initial_delay;
}

void
weft_backoff_set_seed (WeftBackoff *backoff, guint32 seed)
{
  g_rand_set_seed (backoff->rand, seed);
}

/* A standard normal variate (Box-Muller). */
static double
normal_variate (GRand *rand)
{
  double u1 = 1.0 - g_rand_double (rand); /* in (0, 1]: log() stays finite */
  double u2 = g_rand_double (rand);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

double
weft_backoff_next (WeftBackoff *backoff)
{
  double delay = MIN (backoff->delay * backoff->factor, backoff->max_delay);

  if (backoff->jitter > 0)
    delay += delay * backoff->jitter * normal_variate (backoff->rand);
  backoff->delay = CLAMP (delay, 0, backoff->max_delay);
  return backoff->delay;
}
