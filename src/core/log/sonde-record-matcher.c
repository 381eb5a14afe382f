/* sonde-record-matcher.c: whether a record's payload matches a text, a
 * regular expression or a JSON predicate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Text that is all ASCII is found with a case-insensitive byte search (the
 * fast path of a filter over a flood); other text becomes an escaped,
 * caseless regular expression. Regular expressions come in two builds:
 * one over UTF-8 for text and events, one over raw bytes for binary
 * payloads and text that is not UTF-8.
 */

#define G_LOG_DOMAIN "sonde-record-matcher"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-predicate.h"
#include "sonde-record-matcher.h"
#include "sonde-text.h"

typedef enum {
  MATCH_ALL,
  MATCH_ASCII,       /* case-insensitive bytes; the needle is lowercase ASCII */
  MATCH_REGEX,
  MATCH_PREDICATE,
} MatchHow;

struct _SondeRecordMatcher
{
  SondeRecordMatchKind  kind;
  MatchHow              how;
  char                 *text;
  guint8               *needle;      /* MATCH_ASCII */
  gsize                 needle_len;
  GRegex               *regex;       /* MATCH_REGEX: UTF-8 text and events */
  GRegex               *raw_regex;   /* MATCH_REGEX: binary payloads */
  SondePredicate       *predicate;   /* MATCH_PREDICATE */
};

/* The length of the longest prefix of @data that is valid UTF-8, NUL
 * characters included: g_utf8_validate_len() stops at them. */
static gsize
utf8_valid_length (const char *data,
                   gsize       length)
{
  const char *p = data;
  const char *end = data + length;

  while (p < end)
    {
      const char *valid_end = NULL;

      if (g_utf8_validate_len (p, (gsize) (end - p), &valid_end))
        break;
      if (*valid_end != '\0')
        return (gsize) (valid_end - data);
      p = valid_end + 1;
    }

  return length;
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

static gboolean
compile_regex (SondeRecordMatcher  *self,
               const char          *pattern,
               GError             **error)
{
  g_autoptr(GError) local_error = NULL;

  self->regex = g_regex_new (pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, &local_error);
  if (self->regex == NULL)
    {
      /* GRegex messages name the problem and its offset. */
      g_set_error (error, G_REGEX_ERROR, local_error->code,
                   _("Invalid regular expression: %s"), local_error->message);
      return FALSE;
    }
  self->raw_regex = g_regex_new (pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE | G_REGEX_RAW, 0, NULL);
  if (self->raw_regex == NULL)
    self->raw_regex = g_regex_ref (self->regex);
  self->how = MATCH_REGEX;
  return TRUE;
}

SondeRecordMatcher *
sonde_record_matcher_new (SondeRecordMatchKind   kind,
                          const char            *text,
                          GError               **error)
{
  g_autoptr(SondeRecordMatcher) self = NULL;

  g_return_val_if_fail (kind <= SONDE_RECORD_MATCH_PREDICATE, NULL);

  if (text == NULL)
    text = "";
  self = g_new0 (SondeRecordMatcher, 1);
  self->kind = kind;
  self->text = g_strdup (text);

  switch (kind)
    {
    case SONDE_RECORD_MATCH_TEXT:
      if (*text == '\0')
        self->how = MATCH_ALL;
      else if (is_ascii (text))
        {
          self->how = MATCH_ASCII;
          self->needle = (guint8 *) g_ascii_strdown (text, -1);
          self->needle_len = strlen (text);
        }
      else
        {
          g_autofree char *pattern = g_regex_escape_string (text, -1);

          if (!compile_regex (self, pattern, error))
            return NULL;
        }
      break;

    case SONDE_RECORD_MATCH_REGEX:
      if (*text == '\0')
        self->how = MATCH_ALL;
      else if (!compile_regex (self, text, error))
        return NULL;
      break;

    case SONDE_RECORD_MATCH_PREDICATE:
      self->predicate = sonde_predicate_new (text, error);
      if (self->predicate == NULL)
        return NULL;
      self->how = MATCH_PREDICATE;
      break;

    default:
      g_assert_not_reached ();
    }

  return g_steal_pointer (&self);
}

SondeRecordMatchKind
sonde_record_matcher_get_kind (SondeRecordMatcher *self)
{
  g_return_val_if_fail (self != NULL, SONDE_RECORD_MATCH_TEXT);

  return self->kind;
}

const char *
sonde_record_matcher_get_text (SondeRecordMatcher *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

gboolean
sonde_record_matcher_matches (SondeRecordMatcher *self,
                              const SondeRecord  *record)
{
  const char *data;
  gsize length;
  gsize valid;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  data = (const char *) record->data;
  length = record->stored_size;

  switch (self->how)
    {
    case MATCH_ALL:
      return TRUE;

    case MATCH_ASCII:
      return sonde_text_contains_ascii_ci (record->data, length, self->needle, self->needle_len);

    case MATCH_PREDICATE:
      return sonde_predicate_matches (self->predicate, data, length);

    case MATCH_REGEX:
      if (record->kind == SONDE_MESSAGE_KIND_BINARY)
        return g_regex_match_full (self->raw_regex, data, (gssize) length, 0, 0, NULL, NULL);

      /* Text messages and events are UTF-8, but a truncated record may end
       * inside a character: match the characters that are whole. The UTF-8
       * regex is JIT-compiled, which does not check its subject and reads
       * past the end of invalid UTF-8, so text that is not UTF-8 at all
       * (the log takes any bytes) is matched as bytes. */
      valid = utf8_valid_length (data, length);
      if (valid < length)
        {
          if (g_utf8_get_char_validated (data + valid, (gssize) (length - valid)) != (gunichar) -2)
            return g_regex_match_full (self->raw_regex, data, (gssize) length, 0, 0, NULL, NULL);
          length = valid;
        }
      return g_regex_match_full (self->regex, data, (gssize) length, 0, 0, NULL, NULL);

    default:
      g_assert_not_reached ();
    }
}

/* Matches the decoded view of @record when @views has a decoder: a JSON
 * predicate reads only the view (a message that does not decode matches
 * none); text and regular expressions read the view, or the payload itself
 * when it does not decode. */
gboolean
sonde_record_matcher_matches_view (SondeRecordMatcher *self,
                                   SondeRecordViews   *views,
                                   const SondeRecord  *record)
{
  SondeRecord scratch;
  const SondeRecord *view;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (views == NULL || self->how == MATCH_ALL)
    return sonde_record_matcher_matches (self, record);

  view = sonde_record_views_read (views, record, &scratch);
  if (view == NULL)
    return self->how != MATCH_PREDICATE && sonde_record_matcher_matches (self, record);
  return sonde_record_matcher_matches (self, view);
}

void
sonde_record_matcher_free (SondeRecordMatcher *self)
{
  if (self == NULL)
    return;
  g_free (self->text);
  g_free (self->needle);
  g_clear_pointer (&self->regex, g_regex_unref);
  g_clear_pointer (&self->raw_regex, g_regex_unref);
  g_clear_pointer (&self->predicate, sonde_predicate_unref);
  g_free (self);
}
