/* test-backoff.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sonde-backoff.h"
#include "sonde-test-util.h"

#define N_DRAWS 10000

/* min (cap, base · 2^attempt) computed the slow way, without overflow. */
static guint64
expected_ceiling (guint attempt,
                  guint base_ms,
                  guint cap_ms)
{
  guint64 ceiling = base_ms;

  for (guint i = 0; i < attempt && ceiling < cap_ms; i++)
    ceiling *= 2;

  return MIN (ceiling, (guint64) cap_ms);
}

typedef struct {
  guint attempt;
  guint base_ms;
  guint cap_ms;
} BackoffCase;

/* Every delay within [0, ceiling], over many draws; a seeded GRand makes each
 * run the same, so nothing here is flaky. The mean of a uniform draw is half
 * the ceiling: 10,000 draws put it within about 1 % (one standard deviation
 * of the mean is ceiling / sqrt (12 · 10,000) ≈ 0.3 %); 5 % is generous. The
 * largest draw comes close to the ceiling, which also catches a ceiling
 * computed too low (a shift that wrapped, say). */
static void
test_delay_bounds (void)
{
  static const BackoffCase cases[] = {
    { 0, 500, 60000 },
    { 1, 500, 60000 },
    { 2, 500, 60000 },
    { 5, 500, 60000 },
    { 6, 500, 60000 },      /* 32 s */
    { 7, 500, 60000 },      /* 64 s: the cap */
    { 10, 500, 60000 },
    { 31, 500, 60000 },
    { 32, 500, 60000 },     /* a shift by 32 would wrap to 500 on x86 */
    { 33, 500, 60000 },
    { 1000, 500, 60000 },
    { G_MAXUINT, 500, 60000 },
    { 0, 1000, 60000 },     /* attempt 0: bounded by the base */
    { 22, 1000, G_MAXUINT },  /* 4,194,304,000: just fits 32 bits */
    { 23, 1000, G_MAXUINT },  /* overflows 32 bits: saturates */
    { 0, G_MAXUINT, G_MAXUINT },
    { 3, 1, 1000 },
    { 4, 60000, 5000 },     /* cap below the base */
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (0xbac0ff);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BackoffCase *c = &cases[i];
      guint64 ceiling = expected_ceiling (c->attempt, c->base_ms, c->cap_ms);
      guint64 sum = 0;
      guint max = 0;

      g_test_message ("case %u: attempt %u, base %u, cap %u, ceiling %" G_GUINT64_FORMAT,
                      i, c->attempt, c->base_ms, c->cap_ms, ceiling);

      for (guint n = 0; n < N_DRAWS; n++)
        {
          guint delay = sonde_backoff_delay_ms (c->attempt, c->base_ms, c->cap_ms, rand);

          g_assert_cmpuint (delay, <=, ceiling);
          sum += delay;
          max = MAX (max, delay);
        }

      g_assert_cmpfloat_with_epsilon ((double) sum / N_DRAWS, ceiling / 2.0, ceiling * 0.05 + 1);
      g_assert_cmpfloat ((double) max, >=, ceiling * 0.99);
    }
}

/* [0, ceiling] with both ends included: with a ceiling of 3 every value in
 * 0..3 comes up, in about equal numbers. */
static void
test_delay_inclusive (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint counts[5] = { 0, };

  for (guint n = 0; n < N_DRAWS; n++)
    {
      guint delay = sonde_backoff_delay_ms (2, 1, 3, rand);

      g_assert_cmpuint (delay, <=, 3);
      counts[delay]++;
    }

  /* 2,500 expected in each; one standard deviation is about 43. */
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (ABS ((int) counts[i] - 2500), <, 250);
  g_assert_cmpuint (counts[4], ==, 0);
}

/* Uniform over ten values: no value is favoured (a modulo bias, or an
 * off-by-one that never gives the top value, would show here). */
static void
test_delay_uniform (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint counts[10] = { 0, };

  for (guint n = 0; n < N_DRAWS; n++)
    counts[sonde_backoff_delay_ms (0, 9, 100, rand)]++;

  /* 1,000 expected in each; one standard deviation is 30. */
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    g_assert_cmpuint (ABS ((int) counts[i] - 1000), <, 200);
}

static void
test_delay_zero (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);

  for (guint n = 0; n < 1000; n++)
    {
      g_assert_cmpuint (sonde_backoff_delay_ms (n, 0, 60000, rand), ==, 0);
      g_assert_cmpuint (sonde_backoff_delay_ms (n, 500, 0, rand), ==, 0);
    }
}

/* The same seed, the same delays: a test of a reconnect policy can rely on
 * it. */
static void
test_delay_seeded (void)
{
  g_autoptr(GRand) one = g_rand_new_with_seed (1234);
  g_autoptr(GRand) two = g_rand_new_with_seed (1234);
  gboolean any_different = FALSE;
  guint first = sonde_backoff_delay_ms (10, 500, 60000, one);

  g_assert_cmpuint (sonde_backoff_delay_ms (10, 500, 60000, two), ==, first);
  for (guint n = 0; n < 100; n++)
    {
      guint delay = sonde_backoff_delay_ms (10, 500, 60000, one);

      g_assert_cmpuint (sonde_backoff_delay_ms (10, 500, 60000, two), ==, delay);
      any_different |= delay != first;
    }
  g_assert_true (any_different);
}

/* Without a GRand, the global one: same bounds, and not a constant. */
static void
test_delay_global_random (void)
{
  guint min = G_MAXUINT;
  guint max = 0;

  for (guint n = 0; n < 1000; n++)
    {
      guint delay = sonde_backoff_delay_ms (3, 1000, 60000, NULL);

      g_assert_cmpuint (delay, <=, 8000);
      min = MIN (min, delay);
      max = MAX (max, delay);
    }

  /* A thousand draws over 8,001 values: the chance that all fall within
   * one half is 2^-1000. */
  g_assert_cmpuint (min, <, 4000);
  g_assert_cmpuint (max, >, 4000);
}

/* Sun, 06 Nov 1994 08:49:37 GMT, the date of RFC 9110's examples. */
#define NOW_S G_GINT64_CONSTANT (784111777)
#define NOW_US (NOW_S * G_USEC_PER_SEC)
#define DAY_MS G_GUINT64_CONSTANT (86400000)

typedef struct {
  const char *value;
  gboolean parses;
  guint64 delay_ms;
} RetryAfterCase;

static void
test_retry_after_table (void)
{
  static const RetryAfterCase cases[] = {
    /* delta-seconds */
    { "0", TRUE, 0 },
    { "1", TRUE, 1000 },
    { "120", TRUE, 120000 },
    { "007", TRUE, 7000 },
    { " 5 ", TRUE, 5000 },
    { "\t30", TRUE, 30000 },
    { "86400", TRUE, DAY_MS },
    /* More than a day: a day. */
    { "86401", TRUE, DAY_MS },
    { "4294967296", TRUE, DAY_MS },
    { "99999999999999999999999999999999", TRUE, DAY_MS },

    /* IMF-fixdate */
    { "Sun, 06 Nov 1994 08:49:47 GMT", TRUE, 10000 },
    { "Sun, 06 Nov 1994 08:51:37 GMT", TRUE, 120000 },
    { "Mon, 07 Nov 1994 08:49:37 GMT", TRUE, DAY_MS },
    { "  Sun, 06 Nov 1994 08:49:47 GMT  ", TRUE, 10000 },
    /* Recipients should accept any case. */
    { "sun, 06 nov 1994 08:49:47 gmt", TRUE, 10000 },
    /* The day name is not checked against the date. */
    { "Fri, 06 Nov 1994 08:49:47 GMT", TRUE, 10000 },
    /* A leap second counts as the 59th. */
    { "Sun, 06 Nov 1994 08:50:60 GMT", TRUE, 82000 },
    /* Now or in the past: no wait. */
    { "Sun, 06 Nov 1994 08:49:37 GMT", TRUE, 0 },
    { "Sun, 06 Nov 1994 08:49:36 GMT", TRUE, 0 },
    { "Thu, 01 Jan 1970 00:00:00 GMT", TRUE, 0 },
    /* Far ahead: a day. */
    { "Fri, 31 Dec 9999 23:59:59 GMT", TRUE, DAY_MS },

    /* RFC 850: a two-digit year in the century that is not more than 50
     * years ahead of now (1994): 44 is 2044, 45 is 1945. */
    { "Sunday, 06-Nov-94 08:49:47 GMT", TRUE, 10000 },
    { "Sunday, 06-Nov-94 08:49:37 GMT", TRUE, 0 },
    { "Monday, 07-Nov-94 08:49:37 GMT", TRUE, DAY_MS },
    { "Friday, 01-Jan-44 00:00:00 GMT", TRUE, DAY_MS },
    { "Monday, 01-Jan-45 00:00:00 GMT", TRUE, 0 },

    /* asctime */
    { "Sun Nov  6 08:49:47 1994", TRUE, 10000 },
    { "Sun Nov 06 08:49:47 1994", TRUE, 10000 },
    { "Mon Nov  7 08:49:37 1994", TRUE, DAY_MS },
    { "Sun Nov  6 08:49:00 1994", TRUE, 0 },

    /* Garbage */
    { "", FALSE, 0 },
    { "   ", FALSE, 0 },
    { "-1", FALSE, 0 },
    { "+5", FALSE, 0 },
    { "1.5", FALSE, 0 },
    { "5s", FALSE, 0 },
    { "1 2", FALSE, 0 },
    { "0x10", FALSE, 0 },
    { "soon", FALSE, 0 },
    { "١٢", FALSE, 0 },   /* Arabic-Indic digits are not DIGIT */
    { "1994-11-06T08:49:47Z", FALSE, 0 },
    { "Sun, 06 Nov 1994 08:49:47", FALSE, 0 },
    { "Sun, 06 Nov 1994 08:49:47 UTC", FALSE, 0 },
    { "Sun, 06 Nov 1994 08:49:47 +0000", FALSE, 0 },
    { "Sun, 06 Nov 1994 08:49:47 GMT trailing", FALSE, 0 },
    { "Sun, 6 Nov 1994 08:49:47 GMT", FALSE, 0 },
    { "Sun, 06 Nov 94 08:49:47 GMT", FALSE, 0 },
    { "Sun, 06 Foo 1994 08:49:47 GMT", FALSE, 0 },
    { "Sun, 31 Feb 1994 08:49:47 GMT", FALSE, 0 },
    { "Sun, 00 Nov 1994 08:49:47 GMT", FALSE, 0 },
    { "Sun, 06 Nov 1994 24:00:00 GMT", FALSE, 0 },
    { "Sun, 06 Nov 1994 08:61:00 GMT", FALSE, 0 },
    { "Sun, 06 Nov 1994 8:49:47 GMT", FALSE, 0 },
    { "Sun 06 Nov 1994 08:49:47 GMT", FALSE, 0 },
    { "Xyz, 06 Nov 1994 08:49:47 GMT", FALSE, 0 },
    { "Sunday, 06-Nov-1994 08:49:47 GMT", FALSE, 0 },
    { "Sunday, 06 Nov 94 08:49:47 GMT", FALSE, 0 },
    { "Sun Nov 6 08:49:47 1994", FALSE, 0 },
    { "Sun Nov  6 08:49:47 94", FALSE, 0 },
    { "Sun Nov  6 08:49:47 1994 GMT", FALSE, 0 },
    { "Sun", FALSE, 0 },
    { "Sun,", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const RetryAfterCase *c = &cases[i];
      guint64 delay = G_MAXUINT64;

      g_test_message ("case %u: “%s”", i, c->value);
      g_assert_cmpint (sonde_retry_after_parse (c->value, NOW_US, &delay), ==, c->parses);
      if (c->parses)
        g_assert_cmpuint (delay, ==, c->delay_ms);
      else
        g_assert_cmpuint (delay, ==, G_MAXUINT64);   /* untouched */
    }
}

static void
test_retry_after_edges (void)
{
  guint64 delay = 1;

  g_assert_false (sonde_retry_after_parse (NULL, NOW_US, &delay));
  g_assert_cmpuint (delay, ==, 1);

  /* The caller may only want to know whether it parses. */
  g_assert_true (sonde_retry_after_parse ("10", NOW_US, NULL));
  g_assert_true (sonde_retry_after_parse ("Sun, 06 Nov 1994 08:49:47 GMT", NOW_US, NULL));
  g_assert_false (sonde_retry_after_parse ("later", NOW_US, NULL));

  /* A date counts from now to the microsecond, rounded up to a whole
   * millisecond: a quarter of a second into 08:49:37, 08:49:47 is 9.75 s
   * away. */
  g_assert_true (sonde_retry_after_parse ("Sun, 06 Nov 1994 08:49:47 GMT", NOW_US + 250000, &delay));
  g_assert_cmpuint (delay, ==, 9750);
  g_assert_true (sonde_retry_after_parse ("Sun, 06 Nov 1994 08:49:47 GMT", NOW_US + 1, &delay));
  g_assert_cmpuint (delay, ==, 10000);
  g_assert_true (sonde_retry_after_parse ("Sun, 06 Nov 1994 08:49:37 GMT", NOW_US + 1, &delay));
  g_assert_cmpuint (delay, ==, 0);

  /* delta-seconds do not depend on the clock. */
  g_assert_true (sonde_retry_after_parse ("3", 0, &delay));
  g_assert_cmpuint (delay, ==, 3000);
  g_assert_true (sonde_retry_after_parse ("3", G_GINT64_CONSTANT (-1000000000000), &delay));
  g_assert_cmpuint (delay, ==, 3000);

  /* RFC 850 years follow the clock: in 2026, 76 is 2076, 77 is 1977. */
  g_assert_true (sonde_retry_after_parse ("Friday, 01-Jan-76 00:00:00 GMT",
                                          G_GINT64_CONSTANT (1790000000) * G_USEC_PER_SEC, &delay));
  g_assert_cmpuint (delay, ==, DAY_MS);
  g_assert_true (sonde_retry_after_parse ("Saturday, 01-Jan-77 00:00:00 GMT",
                                          G_GINT64_CONSTANT (1790000000) * G_USEC_PER_SEC, &delay));
  g_assert_cmpuint (delay, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/backoff/delay/bounds", test_delay_bounds);
  g_test_add_func ("/backoff/delay/inclusive", test_delay_inclusive);
  g_test_add_func ("/backoff/delay/uniform", test_delay_uniform);
  g_test_add_func ("/backoff/delay/zero", test_delay_zero);
  g_test_add_func ("/backoff/delay/seeded", test_delay_seeded);
  g_test_add_func ("/backoff/delay/global-random", test_delay_global_random);
  g_test_add_func ("/backoff/retry-after/table", test_retry_after_table);
  g_test_add_func ("/backoff/retry-after/edges", test_retry_after_edges);

  return g_test_run ();
}
