/* sonde-history-view-private.h: what the History view's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "sonde-history-view.h"

G_BEGIN_DECLS

struct _SondeHistoryView
{
  GtkWidget          parent_instance;

  /* template widgets */
  GtkSearchEntry    *search_entry;
  GtkDropDown       *mode_drop;
  GtkLabel          *search_error;
  GtkStack          *stack;
  GtkColumnView     *sessions_view;
  GtkColumnView     *hits_view;
  GtkLabel          *hits_label;
  AdwStatusPage     *error_page;
  GtkLabel          *status_label;
  GtkSpinner        *spinner;
  GtkWidget         *import_button;
  GtkWidget         *delete_button;
  GtkWidget         *shared_button;

  /* owned */
  char              *path;           /* a file, or a shared history's URI (with its password: never shown) */
  char              *masked;         /* what may be shown of @path */
  gboolean           remote;         /* @path is a database server's: read-only, listed on a worker */
  GCancellable      *listing;        /* a remote list being read */
  char              *profile_id;
  char              *profile_name;
  char              *title;
  char              *error;
  GListStore        *sessions;
  GListStore        *hits;
  GtkSingleSelection *selection;
  GtkSingleSelection *hit_selection;
  GHashTable        *starts;         /* session id → start µs (gint64 in a pointer-sized box) */
  GCancellable      *cancellable;    /* jobs: delete, import */
  gpointer           search;         /* SearchJob, running */
  SondeProfile      *profile;        /* whose decoder chain searches read through; NULL: none */
  char              *query_text;     /* the search shown: its text and kind */
  SondeHistoryQueryKind query_kind;
  guint              n_jobs;

  /* borrowed */
  SondeHistoryLiveFunc live_func;
  gpointer           live_data;
  GDestroyNotify     live_destroy;
};

/* sonde-history-view.c */
void sonde_history_view_sync_busy          (SondeHistoryView *self);
void sonde_history_view_notify_searching   (SondeHistoryView *self);
/* The one place that decides what the action bar can do. */
void sonde_history_view_update_actions     (SondeHistoryView *self);

/* sonde-history-view-list.c */
void sonde_history_view_set_status         (SondeHistoryView *self,
                                            const char       *text,
                                            gboolean          error);

/* sonde-history-view-search.c */
void sonde_history_view_search_class_init  (GtkWidgetClass   *widget_class);
void sonde_history_view_stop_search        (SondeHistoryView *self);
void sonde_history_view_sync_placeholder   (SondeHistoryView *self);

/* sonde-history-view-jobs.c */
void sonde_history_view_jobs_class_init    (GtkWidgetClass   *widget_class);

G_END_DECLS
