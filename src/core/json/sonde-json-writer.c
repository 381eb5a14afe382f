/* sonde-json-writer.c: small, fast helpers to write JSON text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-json-writer"

#include "config.h"

#include <string.h>

#include "sonde-json-writer.h"

/* Appends @text (UTF-8, @len bytes or NUL-terminated when -1) as a JSON
 * string. Control characters, quotes and backslashes are escaped, and so are
 * U+2028/U+2029 so that a line of output stays one line for every reader.
 * Bytes that are not valid UTF-8 become U+FFFD. */
void
sonde_json_append_string (GString    *out,
                          const char *text,
                          gssize      len)
{
  static const char hex[] = "0123456789abcdef";
  const char *p;
  const char *end;
  const char *run;

  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  if (len < 0)
    len = (gssize) strlen (text);

  p = text;
  end = text + len;
  run = p;
  g_string_append_c (out, '"');

  while (p < end)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80)
        {
          p++;
          continue;
        }

      if (p > run)
        g_string_append_len (out, run, p - run);

      if (c < 0x80)
        {
          switch (c)
            {
            case '"': g_string_append (out, "\\\""); break;
            case '\\': g_string_append (out, "\\\\"); break;
            case '\n': g_string_append (out, "\\n"); break;
            case '\r': g_string_append (out, "\\r"); break;
            case '\t': g_string_append (out, "\\t"); break;
            case '\b': g_string_append (out, "\\b"); break;
            case '\f': g_string_append (out, "\\f"); break;
            default:
              g_string_append (out, "\\u00");
              g_string_append_c (out, hex[c >> 4]);
              g_string_append_c (out, hex[c & 0xf]);
              break;
            }
          p++;
        }
      else
        {
          gunichar ch = g_utf8_get_char_validated (p, end - p);

          if (ch == (gunichar) -1 || ch == (gunichar) -2)
            {
              g_string_append (out, "\\ufffd");
              p++;
            }
          else
            {
              const char *next = g_utf8_next_char (p);

              if (ch == 0x2028 || ch == 0x2029)
                g_string_append_printf (out, "\\u%04x", ch);
              else
                g_string_append_len (out, p, next - p);
              p = next;
            }
        }
      run = p;
    }

  if (p > run)
    g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

void
sonde_json_append_member (GString    *out,
                          gboolean   *first,
                          const char *name)
{
  if (!*first)
    g_string_append_c (out, ',');
  *first = FALSE;
  sonde_json_append_string (out, name, -1);
  g_string_append_c (out, ':');
}

void
sonde_json_append_string_member (GString    *out,
                                 gboolean   *first,
                                 const char *name,
                                 const char *value)
{
  sonde_json_append_member (out, first, name);
  sonde_json_append_string (out, value, -1);
}

void
sonde_json_append_int_member (GString    *out,
                              gboolean   *first,
                              const char *name,
                              gint64      value)
{
  sonde_json_append_member (out, first, name);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

void
sonde_json_append_bool_member (GString    *out,
                               gboolean   *first,
                               const char *name,
                               gboolean    value)
{
  sonde_json_append_member (out, first, name);
  g_string_append (out, value ? "true" : "false");
}

/* Negative values mean "not measured" and are written as null. */
void
sonde_json_append_double_member (GString    *out,
                                 gboolean   *first,
                                 const char *name,
                                 double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  sonde_json_append_member (out, first, name);
  if (value < 0)
    g_string_append (out, "null");
  else
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.3f", value));
}

/* "2026-11-25T18:20:56.123456Z", as a JSON string. */
void
sonde_json_append_iso_time (GString *out,
                            gint64   wall_us)
{
  static _Thread_local gint64 cached_second = G_MININT64;
  static _Thread_local char cached_prefix[32];
  gint64 second = wall_us >= 0 ? wall_us / G_USEC_PER_SEC : (wall_us - G_USEC_PER_SEC + 1) / G_USEC_PER_SEC;
  gint64 micro = wall_us - second * G_USEC_PER_SEC;

  /* Formatting the date dominates at high rates; it changes once a second. */
  if (second != cached_second)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (second);
      g_autofree char *prefix = dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S") : g_strdup ("1970-01-01T00:00:00");

      g_strlcpy (cached_prefix, prefix, sizeof cached_prefix);
      cached_second = second;
    }

  g_string_append_printf (out, "\"%s.%06" G_GINT64_FORMAT "Z\"", cached_prefix, micro);
}
