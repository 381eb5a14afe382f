/* sonde-redactor.c: secrets masked wherever text leaves a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every function works the same way: it marks, byte by byte, what in the
 * text is secret (a header's credentials, a query parameter's value, a
 * password in a URL, a registered secret wherever it appears), then copies
 * the text with each run of marked bytes replaced by SONDE_REDACTED.
 * Whatever is not marked comes out byte for byte as it went in, so a URL
 * keeps its parameters in their order and their encoding, and invalid
 * UTF-8 stays as it was (escaping it is the caller's business).
 *
 * A redactor is set up (add_header, add_parameter, add_secret) before it is
 * shared; after that it is only read, and may be used from any thread.
 */

#define G_LOG_DOMAIN "sonde-redact"

#include "config.h"

#include <string.h>

#include "sonde-redactor.h"

/* A registered secret shorter than this, in characters, is not masked: a
 * secret of "abc" or "1" would mask every occurrence of those letters in
 * every text, and a secret that short protects nothing anyway. The headers
 * and parameters that carry it are still masked by name. */
#define MIN_SECRET_CHARS 4

struct _SondeRedactor
{
  gatomicrefcount  ref_count;

  /* owned */
  GPtrArray       *headers;      /* char*, lower case */
  GPtrArray       *parameters;   /* char*, lower case */
  GPtrArray       *secrets;      /* char*, longest first */
  gboolean         secret_with_space;
};

static const char *const default_headers[] = {
  "authorization", "proxy-authorization", "cookie", "set-cookie",
};

static const char *const default_parameters[] = {
  "token", "access_token", "key", "apikey", "api_key", "password", "passwd",
  "secret", "sig", "signature", "auth",
};

/* Set-Cookie attributes (RFC 6265 and the ones browsers added since, and
 * RFC 2965's): their values say how the cookie is kept, not what it is. */
static const char *const cookie_attributes[] = {
  "expires", "max-age", "domain", "path", "secure", "httponly", "samesite",
  "partitioned", "priority", "comment", "commenturl", "discard", "port", "version",
};

static gboolean
in_list (GPtrArray  *list,
         const char *name,
         gsize       length)
{
  for (guint i = 0; i < list->len; i++)
    {
      const char *item = g_ptr_array_index (list, i);

      if (strlen (item) == length && g_ascii_strncasecmp (item, name, length) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
add_name (GPtrArray  *list,
          const char *name)
{
  if (name == NULL || *name == '\0' || in_list (list, name, strlen (name)))
    return;
  g_ptr_array_add (list, g_ascii_strdown (name, -1));
}

/* RFC 9110 tchar: what a header name or an auth-scheme is made of. */
static gboolean
is_tchar (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean
is_ows (char c)
{
  return c == ' ' || c == '\t';
}

static void
mark (guint8 *mask,
      gsize   start,
      gsize   end)
{
  if (end > start)
    memset (mask + start, 1, end - start);
}

/* Narrows [*start, *end) to leave out whitespace (and a line's \r) at
 * either end. */
static void
trim (const char *text,
      gsize      *start,
      gsize      *end)
{
  while (*start < *end && (is_ows (text[*start]) || text[*start] == '\r' || text[*start] == '\n'))
    (*start)++;
  while (*end > *start && (is_ows (text[*end - 1]) || text[*end - 1] == '\r' || text[*end - 1] == '\n'))
    (*end)--;
}

static gsize
find_char (const char *text,
           gsize       start,
           gsize       end,
           const char *chars)
{
  for (gsize i = start; i < end; i++)
    {
      if (text[i] != '\0' && strchr (chars, text[i]) != NULL)
        return i;
    }

  return end;
}


/* Decodes %XX escapes in @text[0, @length) into @decoded (and "+" into a
 * space when @plus_is_space), leaving a "%" that starts no escape as it is.
 * When @origin is not NULL, @origin[n] is where decoded byte n came from,
 * and @origin[returned length] is @length. */
static gsize
percent_decode (const char *text,
                gsize       length,
                gboolean    plus_is_space,
                char       *decoded,
                gsize      *origin)
{
  gsize n = 0;

  for (gsize i = 0; i < length; n++)
    {
      int high, low;

      if (origin != NULL)
        origin[n] = i;

      if (text[i] == '%' && i + 2 < length &&
          (high = g_ascii_xdigit_value (text[i + 1])) >= 0 && (low = g_ascii_xdigit_value (text[i + 2])) >= 0)
        {
          decoded[n] = (char) (high * 16 + low);
          i += 3;
        }
      else
        {
          decoded[n] = text[i] == '+' && plus_is_space ? ' ' : text[i];
          i++;
        }
    }

  if (origin != NULL)
    origin[n] = length;
  return n;
}

/* Marks the bytes of every registered secret in @text[0, @length),
 * overlapping ones included. */
static void
mark_literal_secrets (SondeRedactor *self,
                      const char    *text,
                      gsize          length,
                      guint8        *mask,
                      const gsize   *origin)
{
  for (gsize i = 0; i < length; i++)
    {
      for (guint j = 0; j < self->secrets->len; j++)
        {
          const char *secret = g_ptr_array_index (self->secrets, j);
          gsize secret_length = strlen (secret);

          if (secret_length <= length - i && text[i] == secret[0] &&
              memcmp (text + i, secret, secret_length) == 0)
            {
              /* Longest first: a shorter one matching here lies within. */
              if (origin != NULL)
                mark (mask, origin[i], origin[i + secret_length]);
              else
                mark (mask, i, i + secret_length);
              break;
            }
        }
    }
}

/* Marks every registered secret in @text, as it is and percent-encoded in
 * any way (any bytes escaped, upper or lower case hex, and, for a secret
 * with a space, "+" for the space as in a form): the text is decoded,
 * remembering where each decoded byte came from. */
static void
mark_secrets (SondeRedactor *self,
              const char    *text,
              gsize          length,
              guint8        *mask)
{
  gboolean has_escape;
  gboolean has_plus;
  g_autofree char *decoded = NULL;
  g_autofree gsize *origin = NULL;
  gsize n;

  if (self->secrets->len == 0)
    return;

  mark_literal_secrets (self, text, length, mask, NULL);

  has_escape = memchr (text, '%', length) != NULL;
  has_plus = self->secret_with_space && memchr (text, '+', length) != NULL;
  if (!has_escape && !has_plus)
    return;

  decoded = g_malloc (length + 1);
  origin = g_new (gsize, length + 1);

  /* "+" as it is (a secret may hold one)… */
  if (has_escape)
    {
      n = percent_decode (text, length, FALSE, decoded, origin);
      mark_literal_secrets (self, decoded, n, mask, origin);
    }

  /* …and as a space. */
  if (has_plus)
    {
      n = percent_decode (text, length, TRUE, decoded, origin);
      mark_literal_secrets (self, decoded, n, mask, origin);
    }
}

/* A query parameter's name, percent-decoded, compared without case. */
static gboolean
is_secret_parameter (SondeRedactor *self,
                     const char    *name,
                     gsize          length)
{
  g_autofree char *decoded = NULL;
  gsize n;

  /* "&amp;token=" in text taken from HTML. */
  if (length > 4 && g_ascii_strncasecmp (name, "amp;", 4) == 0)
    {
      name += 4;
      length -= 4;
    }

  decoded = g_malloc (length + 1);
  n = percent_decode (name, length, TRUE, decoded, NULL);
  return in_list (self->parameters, decoded, n);
}

/* name=value&name=value… in [start, end): marks the values of secret
 * parameters (not an empty one: there is nothing to hide). */
static void
mark_parameters (SondeRedactor *self,
                 const char    *text,
                 gsize          start,
                 gsize          end,
                 guint8        *mask)
{
  gsize item = start;

  while (item < end)
    {
      gsize item_end = find_char (text, item, end, "&");
      gsize equals = find_char (text, item, item_end, "=");

      if (equals < item_end && is_secret_parameter (self, text + item, equals - item))
        mark (mask, equals + 1, item_end);

      item = item_end + 1;
    }
}

static gboolean
is_scheme_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '-' || c == '.';
}

static gboolean
all_digits (const char *text,
            gsize       start,
            gsize       end)
{
  for (gsize i = start; i < end; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
    }

  return TRUE;
}

/* A URL, or a reference without a scheme ("/chat?token=…"), in
 * [start, end). The components are found as RFC 3986 defines them, on the
 * text itself rather than with GUri: what is not masked must stay byte for
 * byte, and a URL that GUri would refuse (a space, a stray "%", a password
 * with a "/" in it) must still lose its secrets. */
static void
mark_url (SondeRedactor *self,
          const char    *text,
          gsize          start,
          gsize          end,
          guint8        *mask)
{
  gsize p = start;
  gsize q = start;
  gsize query_end;

  /* scheme ":" */
  if (q < end && g_ascii_isalpha (text[q]))
    {
      while (q < end && is_scheme_char (text[q]))
        q++;
      if (q < end && text[q] == ':')
        p = q + 1;
    }

  /* "//" authority: the password of its userinfo. */
  if (p + 1 < end && text[p] == '/' && text[p + 1] == '/')
    {
      gsize authority = p + 2;
      gsize authority_end = find_char (text, authority, end, "/?#");
      gsize at = authority_end;

      for (gsize i = authority; i < authority_end; i++)
        {
          if (text[i] == '@')
            at = i;
        }

      /* No "@" before the path, but a "host:port" whose port is not a
       * number: a password with a "/" in it, not escaped. Its "@" is further
       * on, before any query or fragment. */
      if (at == authority_end && text[authority] != '[')
        {
          gsize colon = find_char (text, authority, authority_end, ":");

          if (colon < authority_end && !all_digits (text, colon + 1, authority_end))
            {
              gsize limit = find_char (text, authority, end, "?#");

              for (gsize i = authority; i < limit; i++)
                {
                  if (text[i] == '@')
                    at = i;
                }
              if (at < limit)
                authority_end = find_char (text, at, end, "/?#");
              else
                at = authority_end;
            }
        }

      if (at < authority_end)
        {
          gsize colon = find_char (text, authority, at, ":");

          if (colon < at)
            mark (mask, colon + 1, at);
        }

      p = authority_end;
    }

  /* The query, and the fragment, which carries parameters too (an OAuth
   * implicit grant's "#access_token=…"). */
  p = find_char (text, p, end, "?#");
  if (p < end && text[p] == '?')
    {
      query_end = find_char (text, p + 1, end, "#");
      mark_parameters (self, text, p + 1, query_end, mask);
      p = query_end;
    }
  if (p < end && text[p] == '#')
    mark_parameters (self, text, p + 1, end, mask);
}

/* What ends a URL in running text: the length of the delimiter at @i, 0
 * when there is none. Typographic quotes count, as GLib and GIO put them
 * around what their messages name (“wss://…”). */
static gsize
delimiter_length (const char *text,
                  gsize       i,
                  gsize       end)
{
  guchar c = (guchar) text[i];

  if (c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`')
    return 1;
  /* « » */
  if (c == 0xc2 && i + 1 < end && ((guchar) text[i + 1] == 0xab || (guchar) text[i + 1] == 0xbb))
    return 2;
  /* ‘ ’ “ ” */
  if (c == 0xe2 && i + 2 < end && (guchar) text[i + 1] == 0x80 &&
      ((guchar) text[i + 2] >= 0x98 && (guchar) text[i + 2] <= 0x9d))
    return 3;
  return 0;
}

/* Running text in [start, end): every URL in it ("wss://…", "https://…",
 * any scheme followed by "//"), and every word with a query
 * ("/chat?token=…", the target of a request line). */
static void
mark_urls_in_text (SondeRedactor *self,
                   const char    *text,
                   gsize          start,
                   gsize          end,
                   guint8        *mask)
{
  gsize word = start;

  while (word < end)
    {
      gsize word_end;
      gsize length;
      gboolean has_url = FALSE;

      while (word < end && (length = delimiter_length (text, word, end)) > 0)
        word += length;
      word_end = word;
      while (word_end < end && delimiter_length (text, word_end, end) == 0)
        word_end++;

      for (gsize i = word; i + 3 <= word_end; i++)
        {
          gsize scheme = i;

          if (text[i] != ':' || text[i + 1] != '/' || text[i + 2] != '/')
            continue;

          while (scheme > word && is_scheme_char (text[scheme - 1]))
            scheme--;
          while (scheme < i && !g_ascii_isalpha (text[scheme]))
            scheme++;
          if (scheme < i)
            {
              mark_url (self, text, scheme, word_end, mask);
              has_url = TRUE;
            }
        }

      if (!has_url && find_char (text, word, word_end, "?") < word_end)
        mark_url (self, text, word, word_end, mask);

      word = word_end;
    }
}

/* auth-scheme SP credentials: keeps the scheme ("Bearer", "Basic"). A
 * value without a space is all credentials. */
static void
mark_credentials (const char *text,
                  gsize       start,
                  gsize       end,
                  guint8     *mask)
{
  gsize scheme_end = start;
  gsize credentials;

  while (scheme_end < end && is_tchar (text[scheme_end]))
    scheme_end++;

  if (scheme_end == start || scheme_end == end || !is_ows (text[scheme_end]))
    {
      mark (mask, start, end);
      return;
    }

  credentials = scheme_end;
  while (credentials < end && is_ows (text[credentials]))
    credentials++;
  mark (mask, credentials, end);
}

/* "name=value" in [start, end): marks the value, or all of it without an
 * "=" (a cookie with no name). */
static void
mark_cookie_pair (const char *text,
                  gsize       start,
                  gsize       end,
                  guint8     *mask)
{
  gsize equals;

  trim (text, &start, &end);
  equals = find_char (text, start, end, "=");
  if (equals == end)
    {
      mark (mask, start, end);
      return;
    }

  start = equals + 1;
  trim (text, &start, &end);
  mark (mask, start, end);
}

/* Cookie: a=1; b=2 */
static void
mark_cookie (const char *text,
             gsize       start,
             gsize       end,
             guint8     *mask)
{
  while (start < end)
    {
      gsize pair_end = find_char (text, start, end, ";");

      mark_cookie_pair (text, start, pair_end, mask);
      start = pair_end + 1;
    }
}

static gboolean
is_cookie_attribute (const char *text,
                     gsize       start,
                     gsize       end)
{
  gsize name_end;

  trim (text, &start, &end);
  name_end = find_char (text, start, end, "=");
  trim (text, &start, &name_end);

  for (guint i = 0; i < G_N_ELEMENTS (cookie_attributes); i++)
    {
      if (strlen (cookie_attributes[i]) == name_end - start &&
          g_ascii_strncasecmp (text + start, cookie_attributes[i], name_end - start) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Where the Set-Cookie value from @start, folded with others into one line
 * ("a=1; Path=/, b=2"), ends: at a comma followed by "name=", which the
 * comma in "Expires=Wed, 21 Oct 2015 …" is not. */
static gsize
set_cookie_end (const char *text,
                gsize       start,
                gsize       end)
{
  for (gsize i = start; i < end; i++)
    {
      gsize name = i + 1;
      gsize name_end;

      if (text[i] != ',')
        continue;

      while (name < end && is_ows (text[name]))
        name++;
      name_end = name;
      while (name_end < end && is_tchar (text[name_end]))
        name_end++;
      if (name_end > name && name_end < end && text[name_end] == '=')
        return i;
    }

  return end;
}

/* Set-Cookie: name=value; Path=/; Expires=…; HttpOnly: the value is masked,
 * the attributes stay (but the value of an attribute nobody knows is
 * masked too). */
static void
mark_set_cookie (const char *text,
                 gsize       start,
                 gsize       end,
                 guint8     *mask)
{
  while (start < end)
    {
      gsize cookie_end = set_cookie_end (text, start, end);
      gsize pair_end = find_char (text, start, cookie_end, ";");

      mark_cookie_pair (text, start, pair_end, mask);

      while (pair_end < cookie_end)
        {
          gsize attribute = pair_end + 1;

          pair_end = find_char (text, attribute, cookie_end, ";");
          if (!is_cookie_attribute (text, attribute, pair_end) &&
              find_char (text, attribute, pair_end, "=") < pair_end)
            mark_cookie_pair (text, attribute, pair_end, mask);
        }

      start = cookie_end + 1;
    }
}

static gboolean
name_is (const char *name,
         gsize       length,
         const char *lower_case)
{
  return length == strlen (lower_case) && g_ascii_strncasecmp (name, lower_case, length) == 0;
}

/* The value in [start, end) of the header @name. */
static void
mark_header_value (SondeRedactor *self,
                   const char    *name,
                   gsize          name_length,
                   const char    *text,
                   gsize          start,
                   gsize          end,
                   guint8        *mask)
{
  trim (text, &start, &end);

  if (!in_list (self->headers, name, name_length))
    {
      /* A Location, a Referer or a Link: URLs with secrets in them. */
      mark_urls_in_text (self, text, start, end, mask);
      return;
    }

  if (name_is (name, name_length, "authorization") || name_is (name, name_length, "proxy-authorization"))
    mark_credentials (text, start, end, mask);
  else if (name_is (name, name_length, "cookie"))
    mark_cookie (text, start, end, mask);
  else if (name_is (name, name_length, "set-cookie"))
    mark_set_cookie (text, start, end, mask);
  else
    mark (mask, start, end);
}

/* Whether the line [start, end) is "Name: value" (after optional
 * whitespace, and an optional "> " or "< " as curl -v writes them); sets
 * where the name is and where the value starts. */
static gboolean
parse_header_line (const char *text,
                   gsize       start,
                   gsize       end,
                   gsize      *name,
                   gsize      *name_end,
                   gsize      *value)
{
  gsize p = start;

  while (p < end && is_ows (text[p]))
    p++;
  if (p + 1 < end && (text[p] == '>' || text[p] == '<') && is_ows (text[p + 1]))
    {
      p++;
      while (p < end && is_ows (text[p]))
        p++;
    }

  *name = p;
  while (p < end && is_tchar (text[p]))
    p++;
  *name_end = p;
  while (p < end && is_ows (text[p]))
    p++;

  if (*name_end == *name || p == end || text[p] != ':')
    return FALSE;

  *value = p + 1;
  return TRUE;
}

/* A secret header named inside a line rather than at its start ("the
 * server refused Authorization: Bearer …"), or as a JSON member
 * ("authorization": "Bearer …"): the value runs to the closing quote when it
 * is quoted, to the end of the line otherwise. */
static void
mark_embedded_headers (SondeRedactor *self,
                       const char    *text,
                       gsize          start,
                       gsize          end,
                       guint8        *mask)
{
  for (guint h = 0; h < self->headers->len; h++)
    {
      const char *name = g_ptr_array_index (self->headers, h);
      gsize name_length = strlen (name);

      for (gsize i = start; i + name_length <= end; i++)
        {
          gsize p = i + name_length;
          gsize value, value_end;

          if (g_ascii_strncasecmp (text + i, name, name_length) != 0 ||
              (i > start && is_tchar (text[i - 1])))
            continue;

          if (p < end && text[p] == '"')
            p++;
          while (p < end && is_ows (text[p]))
            p++;
          if (p == end || text[p] != ':')
            continue;
          p++;
          while (p < end && is_ows (text[p]))
            p++;

          value = p;
          value_end = end;
          if (p < end && text[p] == '"')
            {
              value = p + 1;
              for (value_end = value; value_end < end && text[value_end] != '"'; value_end++)
                {
                  if (text[value_end] == '\\' && value_end + 1 < end)
                    value_end++;
                }
            }

          mark_header_value (self, name, name_length, text, value, value_end, mask);
        }
    }
}

static void
mark_text (SondeRedactor *self,
           const char    *text,
           gsize          length,
           guint8        *mask)
{
  gboolean in_secret_header = FALSE;
  gsize line = 0;

  while (line < length)
    {
      gsize line_end = find_char (text, line, length, "\n");
      gsize name, name_end, value;
      gboolean is_header = parse_header_line (text, line, line_end, &name, &name_end, &value);

      if (is_header && in_list (self->headers, text + name, name_end - name))
        {
          mark_header_value (self, text + name, name_end - name, text, value, line_end, mask);
          in_secret_header = TRUE;
        }
      else if (in_secret_header && !is_header && line < line_end && is_ows (text[line]))
        {
          /* An obsolete folded continuation of the header above. */
          gsize start = line, end = line_end;

          trim (text, &start, &end);
          mark (mask, start, end);
        }
      else
        {
          mark_embedded_headers (self, text, line, line_end, mask);
          mark_urls_in_text (self, text, line, line_end, mask);
          in_secret_header = FALSE;
        }

      line = line_end + 1;
    }

  mark_secrets (self, text, length, mask);
}

/* @text with every run of marked bytes replaced by SONDE_REDACTED. */
static char *
apply_mask (const char   *text,
            gsize         length,
            const guint8 *mask)
{
  GString *out = g_string_sized_new (length);
  gsize i = 0;

  while (i < length)
    {
      gsize run = i;

      if (mask[i])
        {
          while (i < length && mask[i])
            i++;
          g_string_append (out, SONDE_REDACTED);
        }
      else
        {
          while (i < length && !mask[i])
            i++;
          g_string_append_len (out, text + run, i - run);
        }
    }

  return g_string_free (out, FALSE);
}

static void
sonde_redactor_free (SondeRedactor *self)
{
  g_ptr_array_unref (self->headers);
  g_ptr_array_unref (self->parameters);
  g_ptr_array_unref (self->secrets);
  g_free (self);
}

/* A redactor with the default headers and parameters, and no secrets. */
SondeRedactor *
sonde_redactor_new (void)
{
  SondeRedactor *self = g_new0 (SondeRedactor, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->headers = g_ptr_array_new_with_free_func (g_free);
  self->parameters = g_ptr_array_new_with_free_func (g_free);
  self->secrets = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (default_headers); i++)
    add_name (self->headers, default_headers[i]);
  for (guint i = 0; i < G_N_ELEMENTS (default_parameters); i++)
    add_name (self->parameters, default_parameters[i]);

  return self;
}

SondeRedactor *
sonde_redactor_ref (SondeRedactor *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sonde_redactor_unref (SondeRedactor *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    sonde_redactor_free (self);
}

/* A header whose whole value is secret (the profile's "X-Api-Key", say);
 * compared without case. */
void
sonde_redactor_add_header (SondeRedactor *self,
                           const char    *name)
{
  g_return_if_fail (self != NULL);

  add_name (self->headers, name);
}

/* A query parameter whose value is secret; compared without case, after
 * percent-decoding, with the whole name. */
void
sonde_redactor_add_parameter (SondeRedactor *self,
                              const char    *name)
{
  g_return_if_fail (self != NULL);

  add_name (self->parameters, name);
}

static int
compare_longest_first (gconstpointer a,
                       gconstpointer b)
{
  gsize length_a = strlen (*(const char *const *) a);
  gsize length_b = strlen (*(const char *const *) b);

  return length_a < length_b ? 1 : length_a > length_b ? -1 : 0;
}

/* A secret (a token, a password) masked wherever it appears, as it is or
 * percent-encoded. One shorter than MIN_SECRET_CHARS (4) characters is
 * ignored: see there. */
void
sonde_redactor_add_secret (SondeRedactor *self,
                           const char    *secret)
{
  glong n_chars;

  g_return_if_fail (self != NULL);

  if (secret == NULL)
    return;

  n_chars = g_utf8_validate (secret, -1, NULL) ? g_utf8_strlen (secret, -1) : (glong) strlen (secret);
  if (n_chars < MIN_SECRET_CHARS)
    return;

  for (guint i = 0; i < self->secrets->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (self->secrets, i), secret))
        return;
    }

  g_ptr_array_add (self->secrets, g_strdup (secret));
  g_ptr_array_sort (self->secrets, compare_longest_first);
  self->secret_with_space |= strchr (secret, ' ') != NULL;
}

gboolean
sonde_redactor_is_secret_header (SondeRedactor *self,
                                 const char    *name)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return name != NULL && in_list (self->headers, name, strlen (name));
}

/* The value of the header @name, as it may be shown: for a secret header,
 * "Bearer [redacted]" (Authorization and Proxy-Authorization keep their
 * scheme), "a=[redacted]; b=[redacted]" (Cookie keeps the names),
 * "id=[redacted]; Path=/; HttpOnly" (Set-Cookie keeps the attributes) or
 * "[redacted]"; for another header, its URLs redacted. Registered secrets
 * are masked in every header. */
char *
sonde_redactor_header_value (SondeRedactor *self,
                             const char    *name,
                             const char    *value)
{
  g_autofree guint8 *mask = NULL;
  gsize length;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (value == NULL)
    return NULL;

  length = strlen (value);
  mask = g_malloc0 (length + 1);
  mark_header_value (self, name, strlen (name), value, 0, length, mask);
  mark_secrets (self, value, length, mask);
  return apply_mask (value, length, mask);
}

/* @url with the password of its userinfo, the values of secret query (and
 * fragment) parameters, and registered secrets masked; the rest byte for
 * byte. Works on anything: a string that is not a URL only loses its
 * registered secrets and what follows a "?" like parameters. */
char *
sonde_redactor_url (SondeRedactor *self,
                    const char    *url)
{
  g_autofree guint8 *mask = NULL;
  gsize length;

  g_return_val_if_fail (self != NULL, NULL);

  if (url == NULL)
    return NULL;

  length = strlen (url);
  mask = g_malloc0 (length + 1);
  mark_url (self, url, 0, length, mask);
  mark_secrets (self, url, length, mask);
  return apply_mask (url, length, mask);
}

/* Free text (an error message, the handshake as lines of text, a log
 * line): "Name: value" lines of secret headers as in
 * sonde_redactor_header_value() (and such a header named within a line, or
 * as a member of a JSON object), every URL as in sonde_redactor_url() (and
 * every word with a query, such as a request line's target), and
 * registered secrets anywhere. */
char *
sonde_redactor_text (SondeRedactor *self,
                     const char    *text)
{
  g_autofree guint8 *mask = NULL;
  gsize length;

  g_return_val_if_fail (self != NULL, NULL);

  if (text == NULL)
    return NULL;

  length = strlen (text);
  mask = g_malloc0 (length + 1);
  mark_text (self, text, length, mask);
  return apply_mask (text, length, mask);
}

/* A redactor with the same rules and secrets, to be set up further. */
SondeRedactor *
sonde_redactor_copy (SondeRedactor *self)
{
  SondeRedactor *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (SondeRedactor, 1);
  g_atomic_ref_count_init (&copy->ref_count);
  copy->headers = g_ptr_array_copy (self->headers, (GCopyFunc) (void (*) (void)) g_strdup, NULL);
  g_ptr_array_set_free_func (copy->headers, g_free);
  copy->parameters = g_ptr_array_copy (self->parameters, (GCopyFunc) (void (*) (void)) g_strdup, NULL);
  g_ptr_array_set_free_func (copy->parameters, g_free);
  copy->secrets = g_ptr_array_copy (self->secrets, (GCopyFunc) (void (*) (void)) g_strdup, NULL);
  g_ptr_array_set_free_func (copy->secrets, g_free);
  copy->secret_with_space = self->secret_with_space;
  return copy;
}

/* Each run of @text the rules masked becomes a registered secret, as it is
 * and percent-decoded: once a token has been seen where the rules find it
 * (a URL's query, an Authorization header), it is masked wherever else it
 * turns up, such as a message the server echoes. */
static void
learn_masked (SondeRedactor *self,
              const char    *text,
              gsize          length,
              const guint8  *mask)
{
  gsize i = 0;

  while (i < length)
    {
      gsize run;
      g_autofree char *secret = NULL;
      g_autofree char *decoded = NULL;

      if (!mask[i])
        {
          i++;
          continue;
        }
      for (run = i; i < length && mask[i]; i++)
        ;
      secret = g_strndup (text + run, i - run);
      decoded = g_uri_unescape_string (secret, NULL);
      sonde_redactor_add_secret (self, secret);
      if (decoded != NULL && g_utf8_validate (decoded, -1, NULL))
        sonde_redactor_add_secret (self, decoded);
    }
}

/* Registers the secrets the rules find in @url (a password, the value of a
 * secret parameter) so that they are masked everywhere. Before the
 * redactor is shared. */
void
sonde_redactor_learn_url (SondeRedactor *self,
                          const char    *url)
{
  g_autofree guint8 *mask = NULL;
  gsize length;

  g_return_if_fail (self != NULL);

  if (url == NULL)
    return;

  length = strlen (url);
  mask = g_malloc0 (length + 1);
  mark_url (self, url, 0, length, mask);
  learn_masked (self, url, length, mask);
}

/* The same for a header's value: "Bearer abc" registers "abc". */
void
sonde_redactor_learn_header (SondeRedactor *self,
                             const char    *name,
                             const char    *value)
{
  g_autofree guint8 *mask = NULL;
  gsize length;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  if (value == NULL)
    return;

  length = strlen (value);
  mask = g_malloc0 (length + 1);
  mark_header_value (self, name, strlen (name), value, 0, length, mask);
  learn_masked (self, value, length, mask);

  /* Basic credentials: the password inside the base64 too. */
  if (in_list (self->headers, name, strlen (name)) && g_ascii_strncasecmp (value, "Basic ", 6) == 0)
    {
      gsize decoded_length = 0;
      g_autofree guchar *decoded = g_base64_decode (value + 6, &decoded_length);
      const char *colon = decoded != NULL ? memchr (decoded, ':', decoded_length) : NULL;

      if (colon != NULL)
        {
          g_autofree char *password = g_strndup (colon + 1, decoded_length - (gsize) (colon + 1 - (const char *) decoded));

          sonde_redactor_add_secret (self, password);
        }
    }
}

typedef void (*MarkFunc) (SondeRedactor *self,
                          const char    *text,
                          gsize          length,
                          guint8        *mask);

/* Appends @text (@length bytes, NUL bytes allowed) to @out with what @mark
 * marks masked, a NUL-free run at a time. Returns whether anything was
 * masked. */
static gboolean
append_marked (SondeRedactor *self,
               GString       *out,
               const char    *text,
               gsize          length,
               MarkFunc       mark_func)
{
  gsize start = 0;
  gboolean masked = FALSE;

  while (start <= length)
    {
      const char *nul = length > start ? memchr (text + start, '\0', length - start) : NULL;
      gsize end = nul != NULL ? (gsize) (nul - text) : length;
      g_autofree guint8 *mask = g_malloc0 (end - start + 1);
      g_autofree char *redacted = NULL;

      mark_func (self, text + start, end - start, mask);
      for (gsize i = 0; i < end - start && !masked; i++)
        masked = mask[i] != 0;
      redacted = apply_mask (text + start, end - start, mask);
      g_string_append (out, redacted);
      if (nul == NULL)
        break;
      g_string_append_c (out, '\0');
      start = end + 1;
    }

  return masked;
}

/* Appends @text (@length bytes, NUL bytes allowed, as in a text message)
 * to @out, redacted as sonde_redactor_text() does, a NUL-free run at a
 * time. */
void
sonde_redactor_append_bytes (SondeRedactor *self,
                             GString       *out,
                             const char    *text,
                             gsize          length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  append_marked (self, out, text, length, mark_text);
}

/* Appends @text (@length bytes, any bytes) to @out with only the
 * registered secrets masked (as they are or percent-encoded): none of the
 * rules for headers, cookies, URLs and parameters apply, so a payload that
 * holds no secret Sonde was given comes out byte for byte (sonde-cli
 * --raw). Returns whether anything was masked. */
gboolean
sonde_redactor_has_secrets (SondeRedactor *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->secrets->len > 0;
}

gboolean
sonde_redactor_append_secrets (SondeRedactor *self,
                               GString       *out,
                               const char    *text,
                               gsize          length)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (self->secrets->len == 0)
    {
      g_string_append_len (out, text, (gssize) length);
      return FALSE;
    }

  return append_marked (self, out, text, length, mark_secrets);
}
