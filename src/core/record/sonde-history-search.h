/* sonde-history-search.h: finds records in recorded sessions by text,
 * regular expression or JSON predicate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-record-views.h"
#include "sonde-store.h"

G_BEGIN_DECLS

typedef enum {
  SONDE_HISTORY_QUERY_TEXT,       /* payload contains it, case-insensitively (as the log's filter) */
  SONDE_HISTORY_QUERY_REGEX,      /* a GRegex over the payload's text */
  SONDE_HISTORY_QUERY_PREDICATE,  /* a JSON predicate: $.sym == "ABC" && $.price > 100 */
} SondeHistoryQueryKind;

typedef struct _SondeHistoryQuery SondeHistoryQuery;

/* Compiles @text. A regular expression or a predicate that does not
 * compile fails with the reason and where (G_REGEX_ERROR, or the
 * predicate's own error). */
SondeHistoryQuery *sonde_history_query_new     (SondeHistoryQueryKind    kind,
                                                const char              *text,
                                                GError                 **error);
gboolean           sonde_history_query_matches (SondeHistoryQuery       *self,
                                                const SondeRecord       *record);
/* Matches each message's decoded view, made by @views (taken). */
void               sonde_history_query_set_views (SondeHistoryQuery     *self,
                                                  SondeRecordViews      *views);
void               sonde_history_query_free    (SondeHistoryQuery       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeHistoryQuery, sonde_history_query_free)

/* One record found. @preview: the start of its payload as one line of
 * text (at most a few hundred bytes, invalid UTF-8 replaced). */
typedef struct {
  gint64            session_id;
  guint64           seq;
  gint64            wall_us;
  SondeDirection    direction;
  SondeMessageKind  kind;
  guint64           size;
  const char       *preview;
} SondeHistoryHit;

/* Called once per hit, in order; @hit is valid for the call only. Return
 * FALSE to stop. */
typedef gboolean (*SondeHistoryHitFunc) (const SondeHistoryHit *hit,
                                         gpointer               user_data);

/* Runs @query over the messages (text and binary, both directions) of
 * @session_id, or of every session (newest first) when it is 0, until
 * @max_hits hits (0: no limit) or @cancellable. May run on any thread
 * (the store serializes its calls). */
gboolean sonde_history_search (SondeStore           *store,
                               SondeHistoryQuery    *query,
                               gint64                session_id,
                               guint                 max_hits,
                               GCancellable         *cancellable,
                               SondeHistoryHitFunc   func,
                               gpointer              user_data,
                               GError              **error);

G_END_DECLS
