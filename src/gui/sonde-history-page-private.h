/* sonde-history-page-private.h: what the recorded session page's files
 * share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-connection.h"
#include "sonde-connection-panel.h"
#include "sonde-history-page.h"
#include "sonde-message-detail.h"
#include "sonde-replay-bar.h"
#include "sonde-session-player.h"
#include "sonde-store.h"

G_BEGIN_DECLS

typedef struct _SondeHistoryPageLoader SondeHistoryPageLoader;

struct _SondeHistoryPage
{
  GtkWidget           parent_instance;

  /* template widgets */
  GtkLabel           *title_label;
  GtkLabel           *subtitle_label;
  GtkEntry           *time_entry;
  GtkScale           *time_scale;
  GtkLabel           *note_label;
  GtkPaned           *paned;
  GtkPaned           *log_paned;
  GtkProgressBar     *load_bar;
  GtkBox             *side_box;

  /* made in constructed */
  SondeLogView       *log_view;
  SondeChartsPanel   *charts;
  SondeMessageDetail *detail;
  GtkStack           *side_stack;   /* "message": the detail; "connection": the handshake panel */
  SondeConnectionPanel *panel;

  /* owned */
  char               *path;         /* a file, or a shared history's URI (with its password: never shown) */
  SondeStore         *store;        /* opened for the page (a shared history's, on a worker), or NULL */
  char               *title;
  char               *error;
  SondeProfile       *profile;
  SondeConnection    *connection;   /* never connects: holds the log */
  SondeStoreSession  *session;
  GArray             *seqs;         /* guint64: the recording's seq of each log record */
  SondeHistoryPageLoader             *loader;
  gint64              session_id;
  guint64             max_bytes;    /* payload bytes held at most */
  guint64             base_log_seq; /* the log's seq of seqs[0] */
  guint64             loaded;
  guint64             pending_seq;  /* to select once loaded; G_MAXUINT64: none */
  guint64             handshake_seq; /* the log's seq of the HANDSHAKE event; G_MAXUINT64: none yet */
  guint               scale_id;      /* a jump after the slider stops for a moment */

  /* a replay (sonde-history-page-replay.c) */
  gboolean            replay;
  SondeSession       *live;         /* the session played into; its connection is connection */
  SondeSessionPlayer *player;
  SondeReplayBar     *replay_bar;
  guint64             n_alerts;
};

/* sonde-history-page.c */
SondeStore *sonde_history_page_open_store (SondeHistoryPage *self,
                                           GError          **error);
void     sonde_history_page_notify_loading  (SondeHistoryPage *self);
void     sonde_history_page_show_handshake  (SondeHistoryPage *self,
                                             const guint8     *data,
                                             gsize             length);

/* sonde-history-page-replay.c */
gboolean sonde_history_page_replay_prepare  (SondeHistoryPage *self,
                                             GError          **error);
void     sonde_history_page_replay_start    (SondeHistoryPage *self);

/* sonde-history-page-load.c */
void     sonde_history_page_start_loading   (SondeHistoryPage *self,
                                             guint64           from_seq);
void     sonde_history_page_drop_loader     (SondeHistoryPage *self);
guint64  sonde_history_page_log_seq_of      (SondeHistoryPage *self,
                                             guint64           seq);
gboolean sonde_history_page_select_pending  (SondeHistoryPage *self);

G_END_DECLS
