/* sonde-imported-session.h: one WebSocket session read back from a file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the HAR and JSON Lines readers give back: the session's URL, its
 * start, and its records with their payloads owned by the session. The
 * readers share their error domain and their JSON parsing here.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "sonde-record.h"

G_BEGIN_DECLS

#define SONDE_IMPORT_ERROR (sonde_import_error_quark ())

typedef enum {
  SONDE_IMPORT_ERROR_INVALID_JSON,   /* does not parse (the message names the line and column) */
  SONDE_IMPORT_ERROR_NOT_HAR,        /* JSON, but not a HAR log */
  SONDE_IMPORT_ERROR_INVALID_RECORD, /* a message or line that breaks the format */
  SONDE_IMPORT_ERROR_NO_WEBSOCKET,   /* a valid file without any WebSocket traffic */
  SONDE_IMPORT_ERROR_TOO_DEEP,       /* JSON nested deeper, or values packed denser, than any real file */
} SondeImportError;

GQuark sonde_import_error_quark (void);

typedef struct _SondeImportedSession SondeImportedSession;

SondeImportedSession *sonde_imported_session_new          (const char           *url,
                                                           gint64                start_us);
SondeImportedSession *sonde_imported_session_ref          (SondeImportedSession *self);
void                  sonde_imported_session_unref        (SondeImportedSession *self);

/* NULL when the file does not say. */
const char           *sonde_imported_session_get_url      (SondeImportedSession *self);
void                  sonde_imported_session_set_url      (SondeImportedSession *self,
                                                           const char           *url);
/* Wall time, µs since 1970 (UTC); 0 when unknown. */
gint64                sonde_imported_session_get_start_us (SondeImportedSession *self);
void                  sonde_imported_session_set_start_us (SondeImportedSession *self,
                                                           gint64                start_us);

/* Copies @record and its payload; its seq becomes its index. */
void                  sonde_imported_session_add          (SondeImportedSession *self,
                                                           const SondeRecord    *record);
/* Takes @payload (g_malloc'd, @size bytes) instead of copying it. */
void                  sonde_imported_session_add_take     (SondeImportedSession *self,
                                                           const SondeRecord    *record,
                                                           guint8               *payload);
guint                 sonde_imported_session_get_n_records (SondeImportedSession *self);
/* Borrowed; valid while @self lives. */
const SondeRecord    *sonde_imported_session_get_record   (SondeImportedSession *self,
                                                           guint                 index);

/* For the readers: @data parsed with json-glib after a check that its
 * nesting stays within a bound (json-glib's parser recurses) and that its
 * values are not packed denser than real files (so that the tree stays
 * within about 20 times the text); errors in SONDE_IMPORT_ERROR. */
JsonNode             *sonde_import_parse_json             (const char           *data,
                                                           gsize                 length,
                                                           GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeImportedSession, sonde_imported_session_unref)

G_END_DECLS
