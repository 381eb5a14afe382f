/* sonde-history-item.h: one row of the History view: a recorded session,
 * or a search hit in one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "sonde-history-search.h"
#include "sonde-store.h"

G_BEGIN_DECLS

#define SONDE_TYPE_HISTORY_ITEM (sonde_history_item_get_type ())
G_DECLARE_FINAL_TYPE (SondeHistoryItem, sonde_history_item, SONDE, HISTORY_ITEM, GObject)

SondeHistoryItem        *sonde_history_item_new_session (const SondeStoreSession *session,
                                                         gboolean                 live);
SondeHistoryItem        *sonde_history_item_new_hit     (const SondeHistoryHit   *hit,
                                                         gint64                   session_start_us);
const SondeStoreSession *sonde_history_item_get_session (SondeHistoryItem        *self);
gboolean                 sonde_history_item_get_live    (SondeHistoryItem        *self);
gint64                   sonde_history_item_get_id      (SondeHistoryItem        *self);
gboolean                 sonde_history_item_is_hit      (SondeHistoryItem        *self);
guint64                  sonde_history_item_get_seq     (SondeHistoryItem        *self);

/* Texts of the columns, newly allocated. */
char *sonde_history_item_dup_start    (SondeHistoryItem *self);
char *sonde_history_item_dup_duration (SondeHistoryItem *self);
char *sonde_history_item_dup_messages (SondeHistoryItem *self);
char *sonde_history_item_dup_size     (SondeHistoryItem *self);
char *sonde_history_item_dup_ending   (SondeHistoryItem *self);
char *sonde_history_item_dup_url      (SondeHistoryItem *self);
char *sonde_history_item_dup_profile  (SondeHistoryItem *self);
char *sonde_history_item_dup_time     (SondeHistoryItem *self);
char *sonde_history_item_dup_direction (SondeHistoryItem *self);
char *sonde_history_item_dup_preview  (SondeHistoryItem *self);

/* "2026-12-06 10:04:05" in local time. */
char *sonde_history_format_time (gint64 wall_us,
                                 gboolean with_date);

G_END_DECLS

G_BEGIN_DECLS

/* Reads a local time typed by the user: "HH:MM[:SS[.ffffff]]" on the day
 * of @reference_us, or "YYYY-MM-DD HH:MM[:SS[.ffffff]]". */
gboolean sonde_history_parse_time (const char  *text,
                                   gint64       reference_us,
                                   gint64      *out_us,
                                   GError     **error);

G_END_DECLS
