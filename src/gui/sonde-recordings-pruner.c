/* sonde-recordings-pruner.c: keeps the recordings within the disk budget
 * and the age limit of the preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pruning opens every database and deletes sessions: a worker thread does
 * it, one run at a time, so the window never waits on the disk. A run
 * asked for while one is under way follows it.
 */

#define G_LOG_DOMAIN "sonde-recordings"

#include "config.h"

#include "sonde-recordings.h"
#include "sonde-recordings-pruner.h"

#define FIRST_DELAY_S    5
#define INTERVAL_S       (10 * 60)
#define SETTLE_MS        1500     /* after a change of the preferences */
#define DAY_US           (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

struct _SondeRecordingsPruner
{
  GObject       parent_instance;

  GSettings    *settings;
  char         *dir;
  GCancellable *cancellable;
  guint         timer_id;
  guint         settle_id;
  gboolean      periodic;  /* the timer runs every INTERVAL_S */
  gboolean      running;
  gboolean      again;     /* asked for while running */
  guint         runs;
  guint         deleted;
};

G_DEFINE_FINAL_TYPE (SondeRecordingsPruner, sonde_recordings_pruner, G_TYPE_OBJECT)

typedef struct {
  char    *dir;
  guint64  budget;
  gint64   max_age_us;
} Job;

static void
job_free (Job *job)
{
  g_free (job->dir);
  g_free (job);
}

static void
prune_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  guint deleted = 0;

  if (!sonde_recordings_prune (job->dir, job->budget, job->max_age_us, &deleted, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_int (task, deleted);
}

static void
on_pruned (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SondeRecordingsPruner *self = SONDE_RECORDINGS_PRUNER (source);
  g_autoptr(GError) error = NULL;
  gssize deleted = g_task_propagate_int (G_TASK (result), &error);

  self->running = FALSE;
  self->runs++;
  if (deleted < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not prune the recordings in %s: %s", self->dir, error->message);
    }
  else
    {
      self->deleted += (guint) deleted;
      if (deleted > 0)
        g_debug ("Pruned %" G_GSSIZE_FORMAT " recorded sessions", deleted);
    }

  if (self->again && !g_cancellable_is_cancelled (self->cancellable))
    {
      self->again = FALSE;
      sonde_recordings_pruner_run (self);
    }
}

void
sonde_recordings_pruner_run (SondeRecordingsPruner *self)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (SONDE_IS_RECORDINGS_PRUNER (self));

  if (self->running)
    {
      self->again = TRUE;
      return;
    }

  job = g_new0 (Job, 1);
  job->dir = g_strdup (self->dir);
  job->budget = (guint64) g_settings_get_uint (self->settings, "recording-budget-megabytes") * 1024 * 1024;
  job->max_age_us = (gint64) g_settings_get_uint (self->settings, "recording-max-age-days") * DAY_US;

  self->running = TRUE;
  task = g_task_new (self, self->cancellable, on_pruned, NULL);
  g_task_set_source_tag (task, sonde_recordings_pruner_run);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, prune_thread);
}

static gboolean
on_timer (gpointer user_data)
{
  SondeRecordingsPruner *self = user_data;

  sonde_recordings_pruner_run (self);
  if (!self->periodic)
    {
      /* That was the early run: from now on, every interval. */
      self->periodic = TRUE;
      self->timer_id = g_timeout_add_seconds (INTERVAL_S, on_timer, self);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_settled (gpointer user_data)
{
  SondeRecordingsPruner *self = user_data;

  self->settle_id = 0;
  sonde_recordings_pruner_run (self);
  return G_SOURCE_REMOVE;
}

static void
on_settings_changed (SondeRecordingsPruner *self)
{
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add (SETTLE_MS, on_settled, self);
}

static void
sonde_recordings_pruner_dispose (GObject *object)
{
  SondeRecordingsPruner *self = SONDE_RECORDINGS_PRUNER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->settle_id, g_source_remove);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sonde_recordings_pruner_parent_class)->dispose (object);
}

static void
sonde_recordings_pruner_finalize (GObject *object)
{
  SondeRecordingsPruner *self = SONDE_RECORDINGS_PRUNER (object);

  g_clear_object (&self->cancellable);
  g_free (self->dir);

  G_OBJECT_CLASS (sonde_recordings_pruner_parent_class)->finalize (object);
}

static void
sonde_recordings_pruner_class_init (SondeRecordingsPrunerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_recordings_pruner_dispose;
  object_class->finalize = sonde_recordings_pruner_finalize;
}

static void
sonde_recordings_pruner_init (SondeRecordingsPruner *self)
{
  self->cancellable = g_cancellable_new ();
}

SondeRecordingsPruner *
sonde_recordings_pruner_new (GSettings  *settings,
                             const char *dir)
{
  SondeRecordingsPruner *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SONDE_TYPE_RECORDINGS_PRUNER, NULL);
  self->settings = g_object_ref (settings);
  self->dir = dir != NULL ? g_strdup (dir) : sonde_recordings_default_dir ();
  g_signal_connect_object (settings, "changed::recording-budget-megabytes",
                           G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::recording-max-age-days",
                           G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
  self->timer_id = g_timeout_add_seconds (FIRST_DELAY_S, on_timer, self);
  return self;
}

guint
sonde_recordings_pruner_get_runs (SondeRecordingsPruner *self)
{
  g_return_val_if_fail (SONDE_IS_RECORDINGS_PRUNER (self), 0);

  return self->runs;
}

guint
sonde_recordings_pruner_get_deleted (SondeRecordingsPruner *self)
{
  g_return_val_if_fail (SONDE_IS_RECORDINGS_PRUNER (self), 0);

  return self->deleted;
}
