/* sonde-record-matcher.h: whether a record's payload matches a text, a
 * regular expression or a JSON predicate (the log's filter and history
 * search both ask it, so the two always agree)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "sonde-record.h"
#include "sonde-record-views.h"

G_BEGIN_DECLS

typedef enum {
  SONDE_RECORD_MATCH_TEXT,       /* the payload contains it, case-insensitively */
  SONDE_RECORD_MATCH_REGEX,      /* a case-insensitive GRegex (PCRE) finds it */
  SONDE_RECORD_MATCH_PREDICATE,  /* a JSON predicate holds: $.sym == "ABC" && $.price > 100 */
} SondeRecordMatchKind;

typedef struct _SondeRecordMatcher SondeRecordMatcher;

/* Compiles @text. An empty text or regular expression matches every
 * record. A regular expression that does not compile fails with
 * G_REGEX_ERROR and GRegex's message (what and at which offset); a
 * predicate with SONDE_ERROR_INVALID_PREDICATE and the column. */
SondeRecordMatcher *sonde_record_matcher_new     (SondeRecordMatchKind   kind,
                                                  const char            *text,
                                                  GError               **error);
SondeRecordMatchKind sonde_record_matcher_get_kind (SondeRecordMatcher  *self);
const char         *sonde_record_matcher_get_text (SondeRecordMatcher   *self);
/* Text and regular expressions look at any payload, binary (as bytes,
 * NULs included) and events alike; a predicate at payloads that are JSON.
 * Safe to call from several threads at once. */
gboolean            sonde_record_matcher_matches (SondeRecordMatcher    *self,
                                                  const SondeRecord     *record);
/* The same, over the decoded view of @record when @views decodes (NULL:
 * the payload): see sonde-record-views.h. */
gboolean            sonde_record_matcher_matches_view (SondeRecordMatcher *self,
                                                       SondeRecordViews   *views,
                                                       const SondeRecord  *record);
void                sonde_record_matcher_free    (SondeRecordMatcher    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeRecordMatcher, sonde_record_matcher_free)

G_END_DECLS
