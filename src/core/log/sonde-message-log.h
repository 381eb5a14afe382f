/* sonde-message-log.h: the message log, records plus a byte arena
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-record.h"
#include "sonde-record-views.h"

G_BEGIN_DECLS

#define SONDE_MESSAGE_LOG_DEFAULT_MAX_COUNT 1000000u
#define SONDE_MESSAGE_LOG_DEFAULT_MAX_BYTES ((guint64) 512 * 1024 * 1024)

#define SONDE_TYPE_MESSAGE_LOG (sonde_message_log_get_type ())
G_DECLARE_FINAL_TYPE (SondeMessageLog, sonde_message_log, SONDE, MESSAGE_LOG, GObject)

SondeMessageLog *sonde_message_log_new             (void);

guint            sonde_message_log_get_n_records   (SondeMessageLog  *self);
guint64          sonde_message_log_get_first_seq   (SondeMessageLog  *self);
guint64          sonde_message_log_get_next_seq    (SondeMessageLog  *self);
guint64          sonde_message_log_get_n_evicted   (SondeMessageLog  *self);
guint64          sonde_message_log_get_n_bytes     (SondeMessageLog  *self);
guint64          sonde_message_log_get_memory_size (SondeMessageLog  *self);

guint            sonde_message_log_get_max_count   (SondeMessageLog  *self);
void             sonde_message_log_set_max_count   (SondeMessageLog  *self,
                                                    guint             max_count);
guint64          sonde_message_log_get_max_bytes   (SondeMessageLog  *self);
void             sonde_message_log_set_max_bytes   (SondeMessageLog  *self,
                                                    guint64           max_bytes);

gboolean         sonde_message_log_get_record      (SondeMessageLog  *self,
                                                    guint             position,
                                                    SondeRecord      *record);
gboolean         sonde_message_log_lookup_seq      (SondeMessageLog  *self,
                                                    guint64           seq,
                                                    SondeRecord      *record);

void             sonde_message_log_begin_batch     (SondeMessageLog  *self);
guint64          sonde_message_log_append          (SondeMessageLog  *self,
                                                    SondeDirection    direction,
                                                    SondeMessageKind  kind,
                                                    gint64            wall_us,
                                                    gint64            mono_us,
                                                    const void       *data,
                                                    gsize             size);
guint64          sonde_message_log_append_full     (SondeMessageLog  *self,
                                                    SondeDirection    direction,
                                                    SondeMessageKind  kind,
                                                    SondeRecordFlags  flags,
                                                    gint64            wall_us,
                                                    gint64            mono_us,
                                                    const void       *data,
                                                    gsize             size);
void             sonde_message_log_end_batch       (SondeMessageLog  *self);
void             sonde_message_log_clear           (SondeMessageLog  *self);

/* Called for every record appended, as it is appended, with its whole
 * payload (before the log's byte retention truncates it) and its seq: the
 * session hands each one to its recorder. @record is valid for the call
 * only. */
typedef void (*SondeMessageLogSink) (const SondeRecord *record,
                                     gpointer           user_data);
void             sonde_message_log_set_sink        (SondeMessageLog      *self,
                                                    SondeMessageLogSink   sink,
                                                    gpointer              user_data);

/* The decoded view of each message: what readers of JSON read (the
 * session sets the decoder chain on it). */
SondeRecordViews     *sonde_message_log_get_views      (SondeMessageLog      *self);
/* Sets the decoder chain's view maker (NULL: none) and emits
 * ::views-changed: filters run again, rows redraw. */
void                  sonde_message_log_set_view_func  (SondeMessageLog      *self,
                                                        SondeRecordViewFunc   func,
                                                        gpointer              user_data,
                                                        GDestroyNotify        destroy);

void                  sonde_message_log_set_frames     (SondeMessageLog      *self,
                                                        guint64               seq,
                                                        const SondeFrameInfo *frames,
                                                        guint                 n_frames);
const SondeFrameInfo *sonde_message_log_get_frames     (SondeMessageLog      *self,
                                                        guint64               seq,
                                                        guint                *n_frames);

G_END_DECLS
