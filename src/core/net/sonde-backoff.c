/* sonde-backoff.c: when to try again after a connection drops
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-backoff"

#include "config.h"

#include <string.h>

#include "sonde-backoff.h"

/* A server asking for more than a day is not asking for a reconnect: a
 * longer Retry-After is cut to this. */
#define RETRY_AFTER_MAX_S (24 * 60 * 60)

/* A uniform integer in [0, ceiling]: rejection sampling over 32 random bits,
 * so that no value is more likely than another whatever the ceiling (up to
 * G_MAXUINT32, where the range has 2^32 values and g_rand_int_range() cannot
 * express it). */
static guint32
uniform_inclusive (GRand   *rand,
                   guint32  ceiling)
{
  guint64 n = (guint64) ceiling + 1;
  guint64 limit = (G_GUINT64_CONSTANT (1) << 32) - ((G_GUINT64_CONSTANT (1) << 32) % n);
  guint32 r;

  do
    r = rand != NULL ? g_rand_int (rand) : g_random_int ();
  while (r >= limit);

  return (guint32) (r % n);
}

guint
sonde_backoff_delay_ms (guint  attempt,
                        guint  base_ms,
                        guint  cap_ms,
                        GRand *rand)
{
  guint exponential;

  /* base · 2^attempt, saturating instead of wrapping (or shifting by 32 or
   * more, which C leaves undefined). */
  if (base_ms == 0)
    exponential = 0;
  else if (attempt >= 32 || base_ms > (G_MAXUINT32 >> attempt))
    exponential = G_MAXUINT32;
  else
    exponential = base_ms << attempt;

  return uniform_inclusive (rand, MIN (cap_ms, exponential));
}

/* HTTP-date, RFC 9110 §5.6.7. */

static const char *const day_names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const long_day_names[] = {
  "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};
static const char *const month_names[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* Whether one of @names starts @p (in any case, as recipients should be
 * lenient about it); advances @p past it and returns its index, or -1. */
static int
match_name (const char         **p,
            const char *const   *names,
            guint                n_names)
{
  for (guint i = 0; i < n_names; i++)
    {
      gsize length = strlen (names[i]);

      if (g_ascii_strncasecmp (*p, names[i], length) == 0)
        {
          *p += length;
          return (int) i;
        }
    }

  return -1;
}

static gboolean
match_char (const char **p,
            char         c)
{
  if (**p != c)
    return FALSE;
  (*p)++;
  return TRUE;
}

/* Exactly @n_digits digits (at least 1 and at most @n_digits when @n_digits
 * is negative: asctime's day is "SP DIGIT" or "2DIGIT"). */
static gboolean
match_number (const char **p,
              int          n_digits,
              int         *out_value)
{
  int value = 0;
  int count = 0;
  int max = ABS (n_digits);

  while (count < max && g_ascii_isdigit ((*p)[count]))
    {
      value = value * 10 + ((*p)[count] - '0');
      count++;
    }

  if (count == 0 || (n_digits > 0 && count != n_digits) || g_ascii_isdigit ((*p)[count]))
    return FALSE;

  *p += count;
  *out_value = value;
  return TRUE;
}

/* "08:49:37" */
static gboolean
match_time_of_day (const char **p,
                   int         *hour,
                   int         *minute,
                   int         *second)
{
  return match_number (p, 2, hour) && match_char (p, ':') &&
         match_number (p, 2, minute) && match_char (p, ':') &&
         match_number (p, 2, second);
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate), "Sunday, 06-Nov-94
 * 08:49:37 GMT" (RFC 850) or "Sun Nov  6 08:49:37 1994" (asctime), and
 * nothing else. The day name must be one but is not checked against the
 * date. A two-digit year is the latest one with those digits that is not
 * more than 50 years after @now_year. */
static GDateTime *
parse_http_date (const char *text,
                 int         now_year)
{
  const char *p = text;
  int year, month, day, hour, minute, second;

  if (match_name (&p, long_day_names, G_N_ELEMENTS (long_day_names)) >= 0)
    {
      /* RFC 850 */
      if (!match_char (&p, ',') || !match_char (&p, ' ') ||
          !match_number (&p, 2, &day) || !match_char (&p, '-') ||
          (month = match_name (&p, month_names, G_N_ELEMENTS (month_names))) < 0 ||
          !match_char (&p, '-') || !match_number (&p, 2, &year) || !match_char (&p, ' ') ||
          !match_time_of_day (&p, &hour, &minute, &second) ||
          !match_char (&p, ' ') || g_ascii_strncasecmp (p, "GMT", 3) != 0)
        return NULL;
      p += 3;

      year += now_year - now_year % 100;
      if (year > now_year + 50)
        year -= 100;
      else if (year + 100 <= now_year + 50)
        year += 100;
    }
  else if (match_name (&p, day_names, G_N_ELEMENTS (day_names)) >= 0)
    {
      if (match_char (&p, ','))
        {
          /* IMF-fixdate */
          if (!match_char (&p, ' ') || !match_number (&p, 2, &day) || !match_char (&p, ' ') ||
              (month = match_name (&p, month_names, G_N_ELEMENTS (month_names))) < 0 ||
              !match_char (&p, ' ') || !match_number (&p, 4, &year) || !match_char (&p, ' ') ||
              !match_time_of_day (&p, &hour, &minute, &second) ||
              !match_char (&p, ' ') || g_ascii_strncasecmp (p, "GMT", 3) != 0)
            return NULL;
          p += 3;
        }
      else
        {
          /* asctime: the day is "SP DIGIT" or "2DIGIT" */
          if (!match_char (&p, ' ') ||
              (month = match_name (&p, month_names, G_N_ELEMENTS (month_names))) < 0 ||
              !match_char (&p, ' '))
            return NULL;
          if (*p == ' ')
            {
              p++;
              if (!match_number (&p, 1, &day))
                return NULL;
            }
          else if (!match_number (&p, 2, &day))
            return NULL;
          if (!match_char (&p, ' ') || !match_time_of_day (&p, &hour, &minute, &second) ||
              !match_char (&p, ' ') || !match_number (&p, 4, &year))
            return NULL;
        }
    }
  else
    return NULL;

  if (*p != '\0')
    return NULL;

  /* A leap second is one second before the next minute for our purposes:
   * GDateTime has no 60th second. */
  if (second == 60)
    second = 59;

  /* NULL for a day, hour or minute out of range (31 Feb, 25:00). */
  return g_date_time_new_utc (year, month + 1, day, hour, minute, second);
}

gboolean
sonde_retry_after_parse (const char *value,
                         gint64      now_us,
                         guint64    *delay_ms)
{
  const guint64 max_ms = (guint64) RETRY_AFTER_MAX_S * 1000;
  g_autofree char *trimmed = NULL;
  guint64 ms;

  if (value == NULL)
    return FALSE;

  /* Surrounding whitespace is the header's, not the value's. */
  trimmed = g_strstrip (g_strdup (value));
  if (*trimmed == '\0')
    return FALSE;

  if (g_ascii_isdigit (*trimmed))
    {
      guint64 seconds = 0;

      /* delta-seconds: 1*DIGIT and nothing else (no sign, no fraction),
       * saturating rather than overflowing. */
      for (const char *p = trimmed; *p; p++)
        {
          if (!g_ascii_isdigit (*p))
            return FALSE;
          seconds = MIN (seconds * 10 + (guint64) (*p - '0'), (guint64) RETRY_AFTER_MAX_S);
        }
      ms = seconds * 1000;
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (now_us / G_USEC_PER_SEC);
      g_autoptr(GDateTime) date = NULL;
      gint64 delta_us;

      if (now == NULL)
        return FALSE;

      date = parse_http_date (trimmed, g_date_time_get_year (now));
      if (date == NULL)
        return FALSE;

      /* A date in the past means now; a wait ends at the date, not a
       * fraction of a millisecond before it. */
      delta_us = g_date_time_to_unix (date) * G_USEC_PER_SEC - now_us;
      ms = delta_us <= 0 ? 0 : MIN (((guint64) delta_us + 999) / 1000, max_ms);
    }

  if (delay_ms != NULL)
    *delay_ms = ms;
  return TRUE;
}
