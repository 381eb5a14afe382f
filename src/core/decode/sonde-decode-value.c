/* sonde-decode-value.c: the JSON side of the MessagePack and CBOR decoders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See sonde-decode-value.h. Numbers are formatted here, without
 * printf where it matters for speed, and always independently of the
 * locale: integers exactly, floats as the shortest decimal found that reads
 * back as the same float (a fraction of at most 9 digits checked by one
 * division, else "%.15g", "%.16g", "%.17g" in turn, each read back).
 */
#define G_LOG_DOMAIN "sonde-decode"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "sonde-decode-value.h"
#include "sonde-json-writer.h"

#define BIGNUM_MAX_BYTES 1024

static const double powers_of_ten[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
};

/* Room for @n more bytes at the end of @s: where to write them. */
static inline char *
grow (GString *s,
      gsize    n)
{
  gsize at = s->len;

  if (G_UNLIKELY (at + n >= s->allocated_len))
    g_string_set_size (s, at + n);
  else
    {
      s->len = at + n;
      s->str[s->len] = '\0';
    }
  return s->str + at;
}

void
sonde_value_writer_init (SondeValueWriter        *w,
                         GString                 *json,
                         const SondeDecodeLimits *limits,
                         const char              *format)
{
  /* Not the whole struct: the inline frames are written when pushed. */
  w->json = json;
  w->depth = 0;
  w->elements = 0;
  w->done = FALSE;
  w->text = FALSE;
  w->limits = limits;
  w->format = format;
  w->frames = w->inline_frames;
  w->capacity = G_N_ELEMENTS (w->inline_frames);
  w->json_start = json->len;
}

void
sonde_value_writer_finish (SondeValueWriter *w,
                           gboolean          ok)
{
  if (w->frames != w->inline_frames)
    g_free (w->frames);
  w->frames = NULL;
  if (!ok)
    g_string_truncate (w->json, w->json_start);
}

gboolean
sonde_value_writer_fail (SondeValueWriter  *w,
                         SondeDecodeError   code,
                         gsize              offset,
                         GError           **error)
{
  const char *why;

  switch (code)
    {
    case SONDE_DECODE_ERROR_TOO_MANY:
      why = _("more values than the limit");
      break;
    case SONDE_DECODE_ERROR_TOO_DEEP:
      why = _("nested deeper than the limit");
      break;
    case SONDE_DECODE_ERROR_TOO_LARGE:
    case SONDE_DECODE_ERROR_MALFORMED:
    case SONDE_DECODE_ERROR_TRUNCATED:
    case SONDE_DECODE_ERROR_TRAILING:
    case SONDE_DECODE_ERROR_SCHEMA:
    default:
      why = _("the JSON text would be larger than the limit");
      break;
    }
  sonde_decode_set_error (error, code, w->format, offset, why);
  return FALSE;
}

/* A key that did not write a JSON string becomes a string of its JSON
 * text: 1 → "1", [1,2] → "[1,2]". A key that wrote one (bin as base64)
 * stays as it is; either way the map is marked. */
void
sonde_value_writer_finish_key (SondeValueWriter *w,
                               SondeValueFrame  *top)
{
  top->nonstring_keys = TRUE;
  if (w->json->str[top->key_start] != '"')
    {
      gsize len = w->json->len - top->key_start;
      g_autofree char *text = g_strndup (w->json->str + top->key_start, len);

      g_string_truncate (w->json, top->key_start);
      sonde_json_append_string (w->json, text, len);
    }
  g_string_append_c (w->json, ':');
}

gboolean
sonde_value_writer_push (SondeValueWriter     *w,
                         SondeValueFrameKind   kind,
                         guint64               count,
                         gboolean              indefinite,
                         guint64               tag,
                         gsize                 offset,
                         GError              **error)
{
  SondeValueFrame frame = { 0, };

  if (w->depth >= w->limits->max_depth)
    return sonde_value_writer_fail (w, SONDE_DECODE_ERROR_TOO_DEEP, offset, error);

  frame.kind = kind;
  frame.indefinite = indefinite;
  switch (kind)
    {
    case SONDE_VALUE_FRAME_ARRAY:
      frame.remaining = count;
      g_string_append_c (w->json, '[');
      break;
    case SONDE_VALUE_FRAME_MAP:
      frame.remaining = count * 2;
      g_string_append_c (w->json, '{');
      break;
    case SONDE_VALUE_FRAME_WRAP:
    default:
      frame.kind = SONDE_VALUE_FRAME_WRAP;
      frame.indefinite = FALSE;
      frame.remaining = 1;
      g_string_append (w->json, "{\"$tag\":");
      sonde_value_write_uint (w->json, tag);
      g_string_append (w->json, ",\"value\":");
      break;
    }
  if (w->depth == w->capacity)
    {
      SondeValueFrame *grown = g_new (SondeValueFrame, w->capacity * 2);

      memcpy (grown, w->frames, w->depth * sizeof (SondeValueFrame));
      if (w->frames != w->inline_frames)
        g_free (w->frames);
      w->frames = grown;
      w->capacity *= 2;
    }
  w->frames[w->depth++] = frame;
  return TRUE;
}

void
sonde_value_writer_pop (SondeValueWriter *w)
{
  SondeValueFrame *top = sonde_value_writer_top (w);

  g_return_if_fail (top != NULL);

  switch (top->kind)
    {
    case SONDE_VALUE_FRAME_ARRAY:
      g_string_append_c (w->json, ']');
      break;
    case SONDE_VALUE_FRAME_MAP:
      if (top->nonstring_keys)
        g_string_append (w->json, ",\"$keys\":\"non-string\"");
      g_string_append_c (w->json, '}');
      break;
    case SONDE_VALUE_FRAME_WRAP:
    default:
      g_string_append_c (w->json, '}');
      break;
    }
  w->depth--;
}

void
sonde_value_write_text (GString    *json,
                        const char *text,
                        gsize       length)
{
  gsize i;
  char *out;

  for (i = 0; i < length; i++)
    {
      guchar c = (guchar) text[i];

      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
        {
          sonde_json_append_string (json, text, length);
          return;
        }
    }

  /* Plain printable ASCII: copied as it is. */
  out = grow (json, length + 2);
  out[0] = '"';
  memcpy (out + 1, text, length);
  out[length + 1] = '"';
}

void
sonde_value_write_uint (GString *json,
                        guint64  value)
{
  char buf[24];
  char *p = buf + sizeof buf;

  do
    {
      *--p = '0' + (char) (value % 10);
      value /= 10;
    }
  while (value != 0);
  memcpy (grow (json, buf + sizeof buf - p), p, buf + sizeof buf - p);
}

void
sonde_value_write_int (GString *json,
                       gint64   value)
{
  if (value < 0)
    {
      g_string_append_c (json, '-');
      sonde_value_write_uint (json, (guint64) -(value + 1) + 1);
    }
  else
    sonde_value_write_uint (json, (guint64) value);
}

void
sonde_value_write_neg_uint (GString *json,
                            guint64  n)
{
  g_string_append_c (json, '-');
  if (n == G_MAXUINT64)
    g_string_append (json, "18446744073709551616");
  else
    sonde_value_write_uint (json, n + 1);
}

static gboolean
write_special (GString *json,
               double   value)
{
  if (isnan (value))
    g_string_append (json, "\"NaN\"");
  else if (isinf (value))
    g_string_append (json, value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  else if (value == 0)
    g_string_append (json, signbit (value) ? "-0.0" : "0.0");
  else
    return FALSE;
  return TRUE;
}

/* @value as m / 10^k with the smallest k ≤ 9 for which the division gives
 * @value back (for a float: once rounded to float). The decimal text of
 * m / 10^k reads back as the correctly rounded m / 10^k, which is what the
 * division computes: the text round-trips. */
static gboolean
write_fixed (GString  *json,
             double    value,
             gboolean  is_float)
{
  double magnitude = fabs (value);
  char buf[32];
  char *p = buf + sizeof buf;
  guint k;

  if (!(magnitude < 1e15) || magnitude < 1e-9)
    return FALSE;

  for (k = 0; k < G_N_ELEMENTS (powers_of_ten); k++)
    {
      double scaled = nearbyint (magnitude * powers_of_ten[k]);
      double back;
      guint64 m;
      guint i;

      if (scaled >= 9e15)
        return FALSE;
      back = scaled / powers_of_ten[k];
      if (is_float ? (float) back != (float) magnitude : back != magnitude)
        continue;

      m = (guint64) scaled;
      for (i = 0; i < k; i++)
        {
          *--p = '0' + (char) (m % 10);
          m /= 10;
        }
      if (k == 0)
        *--p = '0';
      *--p = '.';
      do
        {
          *--p = '0' + (char) (m % 10);
          m /= 10;
        }
      while (m != 0);
      if (value < 0)
        *--p = '-';
      memcpy (grow (json, buf + sizeof buf - p), p, buf + sizeof buf - p);
      return TRUE;
    }
  return FALSE;
}

static void
append_number_text (GString    *json,
                    const char *text)
{
  g_string_append (json, text);
  /* Keep it a float for the reader: "1e+20" and "0.5" are, "100" is not. */
  if (strpbrk (text, ".eE") == NULL)
    g_string_append (json, ".0");
}

void
sonde_value_write_double (GString *json,
                          double   value)
{
  static const char *formats[] = { "%.15g", "%.16g", "%.17g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  guint i;

  if (write_special (json, value) || write_fixed (json, value, FALSE))
    return;

  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  append_number_text (json, buf);
}

void
sonde_value_write_float (GString *json,
                         float    value)
{
  static const char *formats[] = { "%.1g", "%.2g", "%.3g", "%.4g", "%.5g",
                                   "%.6g", "%.7g", "%.8g", "%.9g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  guint i;

  if (write_special (json, value) || write_fixed (json, value, TRUE))
    return;

  /* A JSON reader reads a double; the float is that double rounded. */
  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], value);
      if ((float) g_ascii_strtod (buf, NULL) == value)
        break;
    }
  append_number_text (json, buf);
}

void
sonde_value_write_base64 (GString      *json,
                          const guint8 *data,
                          gsize         length)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  gsize start = json->len;
  char *out;
  gsize i;

  g_string_set_size (json, start + 2 + (length + 2) / 3 * 4);
  out = json->str + start;
  *out++ = '"';
  for (i = 0; i + 3 <= length; i += 3)
    {
      guint32 v = (guint32) data[i] << 16 | (guint32) data[i + 1] << 8 | data[i + 2];

      *out++ = alphabet[v >> 18];
      *out++ = alphabet[(v >> 12) & 63];
      *out++ = alphabet[(v >> 6) & 63];
      *out++ = alphabet[v & 63];
    }
  if (i < length)
    {
      guint32 v = (guint32) data[i] << 16;

      if (i + 1 < length)
        v |= (guint32) data[i + 1] << 8;
      *out++ = alphabet[v >> 18];
      *out++ = alphabet[(v >> 12) & 63];
      *out++ = i + 1 < length ? alphabet[(v >> 6) & 63] : '=';
      *out++ = '=';
    }
  *out = '"';
}

gboolean
sonde_value_write_time (GString *json,
                        gint64   sec,
                        guint32  nsec)
{
  gint64 days, secs_of_day, era, z;
  gint64 doe, yoe, doy, mp, year, month, day;

  /* 0000-01-01 and 9999-12-31T23:59:59 */
  if (sec < G_GINT64_CONSTANT (-62167219200) || sec > G_GINT64_CONSTANT (253402300799)
      || nsec > 999999999)
    return FALSE;

  days = sec / 86400;
  secs_of_day = sec % 86400;
  if (secs_of_day < 0)
    {
      secs_of_day += 86400;
      days--;
    }

  /* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
  z = days + 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = yoe + era * 400 + (month <= 2);

  g_string_append_printf (json, "\"%04d-%02d-%02dT%02d:%02d:%02d",
                          (int) year, (int) month, (int) day,
                          (int) (secs_of_day / 3600), (int) (secs_of_day / 60 % 60),
                          (int) (secs_of_day % 60));
  if (nsec != 0)
    {
      char frac[16];
      int len;

      g_snprintf (frac, sizeof frac, ".%09u", nsec);
      len = 10;
      while (frac[len - 1] == '0')
        len--;
      g_string_append_len (json, frac, len);
    }
  g_string_append (json, "Z\"");
  return TRUE;
}

gboolean
sonde_value_write_bignum (GString      *json,
                          const guint8 *data,
                          gsize         length,
                          gboolean      negative)
{
  guint32 limbs[BIGNUM_MAX_BYTES / 4 + 1];
  gsize n_limbs = 0;
  GString *digits;
  gsize i;

  if (length > BIGNUM_MAX_BYTES)
    return FALSE;

  /* Little-endian 32-bit limbs of the big-endian magnitude. */
  memset (limbs, 0, sizeof limbs);
  for (i = 0; i < length; i++)
    {
      gsize bit = (length - 1 - i) * 8;

      limbs[bit / 32] |= (guint32) data[i] << (bit % 32);
    }
  n_limbs = (length + 3) / 4;

  if (negative)
    {
      /* -1 - n: print n + 1 after a minus sign. */
      for (i = 0; i <= n_limbs && i < G_N_ELEMENTS (limbs); i++)
        if (++limbs[i] != 0)
          break;
      if (i == n_limbs)
        n_limbs++;
    }
  while (n_limbs > 0 && limbs[n_limbs - 1] == 0)
    n_limbs--;

  digits = g_string_new (NULL);
  do
    {
      guint64 rem = 0;
      gsize j;

      for (j = n_limbs; j-- > 0;)
        {
          guint64 cur = rem << 32 | limbs[j];

          limbs[j] = (guint32) (cur / 1000000000);
          rem = cur % 1000000000;
        }
      while (n_limbs > 0 && limbs[n_limbs - 1] == 0)
        n_limbs--;
      for (j = 0; j < 9 && (n_limbs > 0 || rem != 0 || j == 0); j++)
        {
          g_string_append_c (digits, '0' + (char) (rem % 10));
          rem /= 10;
        }
    }
  while (n_limbs > 0);

  g_string_append_c (json, '"');
  if (negative)
    g_string_append_c (json, '-');
  for (i = digits->len; i-- > 0;)
    g_string_append_c (json, digits->str[i]);
  g_string_append_c (json, '"');
  g_string_free (digits, TRUE);
  return TRUE;
}
