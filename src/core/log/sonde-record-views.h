/* sonde-record-views.h: the decoded view of each message, made lazily by a
 * decoder chain and kept within a bound
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything that reads a message as JSON (the filter, charts, notification
 * rules, the log's preview, the detail, exports) reads its view: the payload
 * itself when no decoder is on, else the JSON text the session's decoder
 * chain made of it. Views are made when first asked for and kept, newest
 * first, up to SONDE_RECORD_VIEWS_MAX_BYTES; nothing is decoded at ingest
 * unless the chain is stateful (zlib-stream), where the session hands each
 * received message's view over as it arrives (sonde_record_views_put()).
 * Main thread only, like the log.
 */
#pragma once

#include <glib.h>

#include "sonde-record.h"

G_BEGIN_DECLS

#define SONDE_RECORD_VIEWS_MAX_BYTES   ((gsize) 64 * 1024 * 1024)
#define SONDE_RECORD_VIEWS_MAX_ENTRIES 262144u

typedef enum {
  SONDE_RECORD_VIEW_RAW,      /* no decoder applies: the payload is read as it is */
  SONDE_RECORD_VIEW_DECODED,  /* the view is the decoder's JSON text */
  SONDE_RECORD_VIEW_FAILED,   /* the payload does not decode: why, and where */
} SondeRecordViewKind;

/* What a view says besides its JSON: set by a view maker that knows an
 * application protocol (issue: protocol modes). */
typedef struct {
  char     *label;   /* what the message is, shown beside it: an event name, a topic, a method; newly allocated */
  gboolean  upkeep;  /* protocol upkeep (a ping, an ack, a heart-beat), not data */
  /* DECODED with nothing appended: the view is the text payload itself,
   * checked JSON (a JSON-RPC message): kept without a copy. */
  gboolean  payload;
} SondeRecordViewExtra;

/* Makes the view of @record: RAW when no decoder applies to it (an event,
 * or no chain); DECODED with JSON text appended to @json; FAILED with
 * @error_message set (a newly allocated string). @extra starts zeroed. */
typedef SondeRecordViewKind (*SondeRecordViewFunc) (const SondeRecord   *record,
                                                    GString             *json,
                                                    char               **error_message,
                                                    SondeRecordViewExtra *extra,
                                                    gpointer             user_data);

typedef struct _SondeRecordViews SondeRecordViews;

SondeRecordViews   *sonde_record_views_new        (void);
void                sonde_record_views_free       (SondeRecordViews    *self);

/* NULL: no decoder; every record reads as its payload. Forgets every view
 * kept. */
void                sonde_record_views_set_func   (SondeRecordViews    *self,
                                                   SondeRecordViewFunc  func,
                                                   gpointer             user_data,
                                                   GDestroyNotify       destroy);
gboolean            sonde_record_views_has_func   (SondeRecordViews    *self);
/* Forgets every view kept (the log was cleared, the chain changed). */
void                sonde_record_views_clear      (SondeRecordViews    *self);

/* Keeps a view made elsewhere (a stateful chain decodes as messages
 * arrive): @json for DECODED, @error_message for FAILED. */
void                sonde_record_views_put        (SondeRecordViews    *self,
                                                   guint64              seq,
                                                   SondeRecordViewKind  kind,
                                                   const char          *json,
                                                   gsize                length,
                                                   const char          *error_message);
/* The same with a label and the upkeep mark (@extra NULL: none). */
void                sonde_record_views_put_full   (SondeRecordViews    *self,
                                                   guint64              seq,
                                                   SondeRecordViewKind  kind,
                                                   const char          *json,
                                                   gsize                length,
                                                   const char          *error_message,
                                                   const SondeRecordViewExtra *extra);

/* The view of @record. DECODED: @view is @record with its data and sizes
 * those of the JSON text (borrowed: valid until the next call on @self),
 * and its kind text.
 * FAILED: @error_message (borrowed likewise) says why. RAW: @view is a
 * copy of @record. @view and @error_message may be NULL. */
SondeRecordViewKind sonde_record_views_get        (SondeRecordViews    *self,
                                                   const SondeRecord   *record,
                                                   SondeRecord         *view,
                                                   const char         **error_message);

/* The label of @record's view ("tick", "a/b", "eth_subscription"), or
 * NULL; and whether it is protocol upkeep. Made like the view, if need be;
 * the label is borrowed likewise. */
const char         *sonde_record_views_get_label  (SondeRecordViews    *self,
                                                   const SondeRecord   *record,
                                                   gboolean            *upkeep);

/* What readers of JSON read: @record itself (RAW), @scratch holding the
 * decoded view, or NULL when the payload does not decode (it then matches
 * nothing and feeds nothing). */
const SondeRecord  *sonde_record_views_read       (SondeRecordViews    *self,
                                                   const SondeRecord   *record,
                                                   SondeRecord         *scratch);

/* ,"decoded":VIEW (JSON on one line; a string when the view is not JSON)
 * or ,"decode_error":"why", inserted before the closing brace of @line, a
 * record's JSON object; nothing for RAW. sonde-cli's lines and the JSON
 * Lines export write it. */
void                sonde_record_views_append_member (GString             *line,
                                                      SondeRecordViewKind  kind,
                                                      const char          *view,
                                                      gsize                length,
                                                      const char          *error_message);

/* The views kept: entries and bytes (for tests and the benchmark). */
guint               sonde_record_views_get_n_kept (SondeRecordViews    *self);
gsize               sonde_record_views_get_bytes  (SondeRecordViews    *self);
guint64             sonde_record_views_get_n_made (SondeRecordViews    *self);

G_END_DECLS
