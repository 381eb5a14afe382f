/* sonde-history-search.c: finds records in recorded sessions by text,
 * regular expression or JSON predicate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A scan of the stored payloads through sonde_store_scan_records() (the
 * SQLite store runs the match inside its query, and reads a record's other
 * columns only for hits), each record asked of the same SondeRecordMatcher
 * as the log's filter (so a search and a filter with the same text always
 * agree). bench/bench-history
 * measures it over a million recorded messages against an FTS5 index: the
 * numbers, and why the scan stays, are in bench/README.md.
 */
#define G_LOG_DOMAIN "sonde-history-search"

#include "config.h"

#include <string.h>

#include "sonde-history-search.h"
#include "sonde-record-matcher.h"
#include "sonde-text.h"

/* A preview is at most this many bytes (before the “…” of a cut one). */
#define PREVIEW_MAX_BYTES 200

/* Records between two looks at the cancellable. */
#define CANCEL_STRIDE 4096

struct _SondeHistoryQuery
{
  SondeRecordMatcher *matcher;
  SondeRecordViews   *views;    /* owned; NULL: payloads as they are */
};

typedef struct {
  SondeHistoryQuery   *query;
  gint64               session_id;
  guint                max_hits;
  GCancellable        *cancellable;
  SondeHistoryHitFunc  func;
  gpointer             user_data;
  guint                n_hits;
  guint                stride;
  gboolean             stopped;    /* by the caller, max_hits or cancel */
  gboolean             cancelled;
} Search;

SondeHistoryQuery *
sonde_history_query_new (SondeHistoryQueryKind   kind,
                         const char             *text,
                         GError                **error)
{
  static const SondeRecordMatchKind kinds[] = {
    [SONDE_HISTORY_QUERY_TEXT] = SONDE_RECORD_MATCH_TEXT,
    [SONDE_HISTORY_QUERY_REGEX] = SONDE_RECORD_MATCH_REGEX,
    [SONDE_HISTORY_QUERY_PREDICATE] = SONDE_RECORD_MATCH_PREDICATE,
  };
  SondeRecordMatcher *matcher;
  SondeHistoryQuery *self;

  g_return_val_if_fail (kind <= SONDE_HISTORY_QUERY_PREDICATE, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  matcher = sonde_record_matcher_new (kinds[kind], text, error);
  if (matcher == NULL)
    return NULL;
  self = g_new0 (SondeHistoryQuery, 1);
  self->matcher = matcher;
  return self;
}

/* Whether @record is a message (text or binary, either way) that matches. */
gboolean
sonde_history_query_matches (SondeHistoryQuery *self,
                             const SondeRecord *record)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (record->direction == SONDE_DIRECTION_EVENT
      || (record->kind != SONDE_MESSAGE_KIND_TEXT && record->kind != SONDE_MESSAGE_KIND_BINARY))
    return FALSE;
  return sonde_record_matcher_matches_view (self->matcher, self->views, record);
}

/* Matches the decoded views @views (taken) makes: the window's and
 * sonde-cli's --decode. The views are used on the search's thread. */
void
sonde_history_query_set_views (SondeHistoryQuery *self,
                               SondeRecordViews  *views)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->views, sonde_record_views_free);
  self->views = views;
}

void
sonde_history_query_free (SondeHistoryQuery *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->views, sonde_record_views_free);
  sonde_record_matcher_free (self->matcher);
  g_free (self);
}

/* One line of at most PREVIEW_MAX_BYTES bytes: control characters, NULs
 * and invalid UTF-8 as visible escapes (sonde_text_escape()), “…” when
 * cut. Escapes take up to 6 bytes a byte: fewer input bytes until it fits. */
static char *
make_preview (const SondeRecord *record)
{
  gsize input = MIN (record->stored_size, PREVIEW_MAX_BYTES);
  gboolean truncated = FALSE;
  char *text;

  for (;;)
    {
      gsize length;

      text = sonde_text_escape (record->data, record->stored_size, SONDE_ESCAPE_NONE, input, &truncated);
      length = strlen (text);
      if (length <= PREVIEW_MAX_BYTES || input <= 1)
        break;
      g_free (text);
      input = MAX (1, input * PREVIEW_MAX_BYTES / length - 1);
    }
  if (truncated || record->size > record->stored_size)
    {
      char *cut = g_strconcat (text, "…", NULL);

      g_free (text);
      text = cut;
    }
  return text;
}

/* Run by the store on each record, before it reads the rest of it. */
static gboolean
filter_record (const SondeRecord *record,
               gpointer           user_data)
{
  Search *search = user_data;

  if (++search->stride == CANCEL_STRIDE)
    {
      search->stride = 0;
      if (g_cancellable_is_cancelled (search->cancellable))
        {
          /* Let it through: on_hit stops the scan. */
          search->cancelled = TRUE;
          return TRUE;
        }
    }
  return sonde_history_query_matches (search->query, record);
}

static gboolean
on_hit (const SondeRecord *record,
        gpointer           user_data)
{
  Search *search = user_data;
  g_autofree char *preview = NULL;
  SondeHistoryHit hit = {
    .session_id = search->session_id,
    .seq = record->seq,
    .wall_us = record->wall_us,
    .direction = record->direction,
    .kind = record->kind,
    .size = record->size,
  };

  if (search->cancelled)
    {
      search->stopped = TRUE;
      return FALSE;
    }
  {
    SondeRecord scratch;
    const SondeRecord *view = search->query->views != NULL
                            ? sonde_record_views_read (search->query->views, record, &scratch) : NULL;

    /* What matched: the decoded view, when there is one. */
    preview = make_preview (view != NULL ? view : record);
  }
  hit.preview = preview;
  search->n_hits++;
  if (!search->func (&hit, search->user_data)
      || (search->max_hits > 0 && search->n_hits >= search->max_hits))
    {
      search->stopped = TRUE;
      return FALSE;
    }
  return TRUE;
}

gboolean
sonde_history_search (SondeStore           *store,
                      SondeHistoryQuery    *query,
                      gint64                session_id,
                      guint                 max_hits,
                      GCancellable         *cancellable,
                      SondeHistoryHitFunc   func,
                      gpointer              user_data,
                      GError              **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  Search search = {
    .query = query,
    .max_hits = max_hits,
    .cancellable = cancellable,
    .func = func,
    .user_data = user_data,
  };

  g_return_val_if_fail (SONDE_IS_STORE (store), FALSE);
  g_return_val_if_fail (query != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (session_id != 0)
    {
      g_autoptr(SondeStoreSession) session = sonde_store_get_session (store, session_id, error);

      if (session == NULL)
        return FALSE;
      g_array_append_val (ids, session_id);
    }
  else
    {
      g_autoptr(GPtrArray) sessions = sonde_store_list_sessions (store, error);

      if (sessions == NULL)
        return FALSE;
      /* Listed oldest first: newest first here. */
      for (guint i = sessions->len; i > 0; i--)
        g_array_append_val (ids, ((SondeStoreSession *) g_ptr_array_index (sessions, i - 1))->id);
    }

  for (guint i = 0; i < ids->len && !search.stopped; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      search.session_id = g_array_index (ids, gint64, i);
      if (!sonde_store_scan_records (store, search.session_id, 0, filter_record, on_hit, &search, error))
        return FALSE;
    }
  if (search.cancelled)
    return !g_cancellable_set_error_if_cancelled (cancellable, error);
  return TRUE;
}
