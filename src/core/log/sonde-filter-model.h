/* sonde-filter-model.h: the records of a message log that a view shows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-message-log.h"

G_BEGIN_DECLS

typedef enum {
  SONDE_FILTER_DIRECTION_IN    = 1 << SONDE_DIRECTION_IN,
  SONDE_FILTER_DIRECTION_OUT   = 1 << SONDE_DIRECTION_OUT,
  SONDE_FILTER_DIRECTION_EVENT = 1 << SONDE_DIRECTION_EVENT,
  SONDE_FILTER_DIRECTION_ALL   = 0x7,
} SondeFilterDirections;

/* Which records pass by kind: text and binary messages; pings and pongs
 * (and the events that count a flood of them); frame headers. Other
 * events are not affected. */
typedef enum {
  SONDE_FILTER_KIND_TEXT   = 1 << 0,
  SONDE_FILTER_KIND_BINARY = 1 << 1,
  SONDE_FILTER_KIND_PINGS  = 1 << 2,   /* pings and pongs, and a protocol mode's upkeep */
  SONDE_FILTER_KIND_FRAMES = 1 << 3,
  SONDE_FILTER_KIND_ALL    = 0xf,
} SondeFilterKinds;

/* How long one step of a filter scan may run on the main loop. */
#define SONDE_FILTER_SLICE_US 4000

#define SONDE_TYPE_FILTER_MODEL (sonde_filter_model_get_type ())
G_DECLARE_FINAL_TYPE (SondeFilterModel, sonde_filter_model, SONDE, FILTER_MODEL, GObject)

SondeFilterModel *sonde_filter_model_new            (SondeMessageLog   *log);
SondeMessageLog  *sonde_filter_model_get_log        (SondeFilterModel  *self);

gboolean          sonde_filter_model_set_query      (SondeFilterModel  *self,
                                                     const char        *text,
                                                     gboolean           regex,
                                                     GError           **error);
/* Whether the query was read as a JSON predicate ("$.price > 100"). */
gboolean          sonde_filter_model_get_predicate  (SondeFilterModel  *self);
const char       *sonde_filter_model_get_text       (SondeFilterModel  *self);
gboolean          sonde_filter_model_get_regex      (SondeFilterModel  *self);
void              sonde_filter_model_set_directions (SondeFilterModel  *self,
                                                     guint              directions);
guint             sonde_filter_model_get_directions (SondeFilterModel  *self);
void              sonde_filter_model_set_kinds      (SondeFilterModel  *self,
                                                     guint              kinds);
guint             sonde_filter_model_get_kinds      (SondeFilterModel  *self);
gboolean          sonde_filter_model_get_filtering  (SondeFilterModel  *self);

void              sonde_filter_model_set_paused     (SondeFilterModel  *self,
                                                     gboolean           paused);
gboolean          sonde_filter_model_get_paused     (SondeFilterModel  *self);
void              sonde_filter_model_clear          (SondeFilterModel  *self);

gboolean          sonde_filter_model_get_scanning   (SondeFilterModel  *self);
guint             sonde_filter_model_get_n_total    (SondeFilterModel  *self);
guint             sonde_filter_model_get_n_pending  (SondeFilterModel  *self);
void              sonde_filter_model_set_hold_head  (SondeFilterModel  *self,
                                                     gboolean           hold);
gboolean          sonde_filter_model_get_hold_head  (SondeFilterModel  *self);
guint             sonde_filter_model_get_n_held     (SondeFilterModel  *self);
gboolean          sonde_filter_model_get_record     (SondeFilterModel  *self,
                                                     guint              position,
                                                     SondeRecord       *record);
gboolean          sonde_filter_model_find_seq       (SondeFilterModel  *self,
                                                     guint64            seq,
                                                     guint             *position);
guint64           sonde_filter_model_get_first_seq  (SondeFilterModel  *self);
gboolean          sonde_filter_model_record_matches (SondeFilterModel  *self,
                                                     const SondeRecord *record);

G_END_DECLS
