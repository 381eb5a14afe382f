/* sonde-profile-store.c: the saved profiles, kept in one JSON file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GListModel of SondeProfile over a GPtrArray. Every change (a profile's
 * "changed", an add or a remove) bumps a generation and restarts a short
 * timer; when it fires, the profiles are serialized on the main thread into
 * a snapshot and a GTask writes the snapshot on a worker thread, atomically
 * (a temporary file renamed over the old one) and durably (fsync'd first).
 * At most one write is in flight; a change during a write is written after
 * it. flush() writes at once, on the calling thread, for shutdown and tests.
 *
 * Writes are serialized by a mutex and tagged with their generation: a
 * write never replaces a newer one, whichever thread gets there first.
 *
 * The file is never silently lost: one that does not parse is moved aside
 * and reported; one written by a newer Sonde is neither read nor ever
 * overwritten.
 */

#define G_LOG_DOMAIN "sonde-profile-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-profile-store.h"

/* However often the profiles change, they are written at least this often. */
#define SAVE_MAX_DELAY_MS (10 * SONDE_PROFILE_STORE_SAVE_DELAY_MS)

/* g_file_set_contents_full() writes "<name>.XXXXXX" next to the file. */
#define TEMPORARY_SUFFIX_LENGTH 6

typedef struct {
  char    *path;
  char    *contents;
  guint64  generation;
} WriteJob;

struct _SondeProfileStore
{
  GObject        parent_instance;

  /* owned */
  char          *path;
  GPtrArray     *profiles;            /* SondeProfile* */
  char          *corrupt_backup;
  GError        *read_only_error;     /* set when the file must not be overwritten */
  GMainContext  *context;             /* of the timer and the write callbacks */
  GSource       *save_source;

  guint64        change_generation;   /* bumped by every change */
  guint64        saved_generation;    /* the newest generation known to be on disk */
  gint64         timer_started_us;    /* when the current run of the debounce timer began */
  gboolean       writing;             /* a write task is in flight */
  gboolean       write_again;         /* the timer fired during that write */

  /* shared with the writer thread */
  GMutex         write_lock;
  guint64        written_generation;  /* under write_lock */
};

static void sonde_profile_store_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SondeProfileStore, sonde_profile_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      sonde_profile_store_list_model_init))

enum {
  PROP_0,
  PROP_PATH,
  PROP_DIRTY,
  PROP_CORRUPT_BACKUP,
  N_PROPS
};

enum {
  SAVED,
  SAVE_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_write (SondeProfileStore *self);

static void
write_job_free (WriteJob *job)
{
  g_free (job->path);
  g_free (job->contents);
  g_free (job);
}

static gboolean
is_dirty (SondeProfileStore *self)
{
  return self->change_generation != self->saved_generation;
}

/* Records that @generation is on disk. */
static void
set_saved (SondeProfileStore *self,
           guint64            generation)
{
  gboolean was_dirty = is_dirty (self);

  self->saved_generation = MAX (self->saved_generation, generation);
  if (was_dirty != is_dirty (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY]);
}

static void
cancel_timer (SondeProfileStore *self)
{
  if (self->save_source != NULL)
    {
      g_source_destroy (self->save_source);
      g_clear_pointer (&self->save_source, g_source_unref);
    }
}

static gboolean
on_save_timeout (gpointer data)
{
  SondeProfileStore *self = data;

  g_clear_pointer (&self->save_source, g_source_unref);
  start_write (self);

  return G_SOURCE_REMOVE;
}

/* (Re)starts the debounce timer: a burst of changes makes one write, and
 * a steady stream of them one every SAVE_MAX_DELAY_MS at most. */
static void
schedule_save (SondeProfileStore *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->save_source != NULL)
    {
      if (now - self->timer_started_us >= (gint64) SAVE_MAX_DELAY_MS * 1000)
        return;
      g_source_destroy (self->save_source);
      g_clear_pointer (&self->save_source, g_source_unref);
    }
  else
    self->timer_started_us = now;

  self->save_source = g_timeout_source_new (SONDE_PROFILE_STORE_SAVE_DELAY_MS);
  g_source_set_callback (self->save_source, on_save_timeout, self, NULL);
  g_source_set_static_name (self->save_source, "[sonde] save profiles");
  g_source_attach (self->save_source, self->context);
}

static void
mark_changed (SondeProfileStore *self)
{
  gboolean was_dirty = is_dirty (self);

  self->change_generation++;
  if (!was_dirty)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY]);
  schedule_save (self);
}

static void
on_profile_changed (SondeProfile      *profile,
                    SondeProfileStore *self)
{
  mark_changed (self);
}

static void
watch_profile (SondeProfileStore *self,
               SondeProfile      *profile)
{
  g_signal_connect_object (profile, "changed", G_CALLBACK (on_profile_changed), self, 0);
}

static void
unwatch_profile (SondeProfileStore *self,
                 SondeProfile      *profile)
{
  g_signal_handlers_disconnect_by_func (profile, on_profile_changed, self);
}

static char *
serialize (GPtrArray *profiles)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schema");
  json_builder_add_int_value (builder, SONDE_PROFILE_SCHEMA_VERSION);
  json_builder_set_member_name (builder, "profiles");
  json_builder_begin_array (builder);
  for (guint i = 0; i < profiles->len; i++)
    json_builder_add_value (builder, sonde_profile_to_json (g_ptr_array_index (profiles, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);

  return g_strconcat (text, "\n", NULL);
}

/* Atomic and durable: g_file_set_contents_full() writes a temporary file
 * in the same directory, fsyncs it and renames it over @path. */
static gboolean
write_file (const char  *path,
            const char  *contents,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  return g_file_set_contents_full (path, contents, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

/* Writes @job unless a newer generation is already on disk; returns
 * whether it wrote. Any thread. */
static gboolean
write_job_locked (SondeProfileStore  *self,
                  WriteJob           *job,
                  gboolean           *wrote,
                  GError            **error)
{
  gboolean ok = TRUE;

  *wrote = FALSE;
  g_mutex_lock (&self->write_lock);
  if (job->generation > self->written_generation)
    {
      ok = write_file (job->path, job->contents, error);
      if (ok)
        {
          self->written_generation = job->generation;
          *wrote = TRUE;
        }
    }
  g_mutex_unlock (&self->write_lock);

  return ok;
}

static void
write_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  gboolean wrote;

  if (!write_job_locked (source_object, task_data, &wrote, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, wrote);
}

static void
on_write_done (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  SondeProfileStore *self = SONDE_PROFILE_STORE (object);
  WriteJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean wrote;

  self->writing = FALSE;
  wrote = g_task_propagate_boolean (G_TASK (result), &error);

  if (error != NULL)
    {
      /* Not worth a word if a newer write has succeeded since. */
      if (job->generation > self->saved_generation)
        {
          g_debug ("Could not save profiles: %s", error->message);
          g_signal_emit (self, signals[SAVE_FAILED], 0, error);
        }
    }
  else if (wrote)
    {
      set_saved (self, job->generation);
      g_signal_emit (self, signals[SAVED], 0);
    }

  if (self->write_again)
    {
      self->write_again = FALSE;
      start_write (self);
    }
}

static void
start_write (SondeProfileStore *self)
{
  g_autoptr(GTask) task = NULL;
  WriteJob *job;

  if (!is_dirty (self))
    return;

  if (self->read_only_error != NULL)
    {
      g_signal_emit (self, signals[SAVE_FAILED], 0, self->read_only_error);
      return;
    }

  if (self->writing)
    {
      self->write_again = TRUE;
      return;
    }

  job = g_new0 (WriteJob, 1);
  job->path = g_strdup (self->path);
  job->contents = serialize (self->profiles);
  job->generation = self->change_generation;

  self->writing = TRUE;
  task = g_task_new (self, NULL, on_write_done, NULL);
  g_task_set_source_tag (task, start_write);
  g_task_set_task_data (task, job, (GDestroyNotify) write_job_free);
  g_task_run_in_thread (task, write_in_thread);
}

/* Removes what an interrupted g_file_set_contents_full() left: files named
 * "<name>.XXXXXX" (six letters or digits) next to the file. Backups
 * ("<name>.corrupt-…") do not match. */
static void
remove_stale_temporaries (SondeProfileStore *self)
{
  g_autofree char *dir_path = g_path_get_dirname (self->path);
  g_autofree char *base = g_path_get_basename (self->path);
  gsize base_length = strlen (base);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf buf;
      gboolean match;

      match = strlen (name) == base_length + 1 + TEMPORARY_SUFFIX_LENGTH &&
              strncmp (name, base, base_length) == 0 &&
              name[base_length] == '.';
      for (guint i = 0; match && i < TEMPORARY_SUFFIX_LENGTH; i++)
        match = g_ascii_isalnum (name[base_length + 1 + i]);
      if (!match)
        continue;

      path = g_build_filename (dir_path, name, NULL);
      if (g_lstat (path, &buf) == 0 && S_ISREG (buf.st_mode))
        {
          g_debug ("Removing a stale temporary file %s", path);
          if (g_remove (path) != 0)
            g_debug ("Could not remove %s: %s", path, g_strerror (errno));
        }
    }
}

/* Renames the file to "<path>.corrupt-YYYYMMDD-HHMMSS" (with "-2", "-3"…
 * when that exists) and returns the new path. */
static char *
move_aside (SondeProfileStore  *self,
            GError            **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *backup = g_strdup_printf ("%s.corrupt-%s", self->path, stamp);
  GStatBuf buf;

  for (guint n = 2; g_lstat (backup, &buf) == 0; n++)
    {
      g_free (backup);
      backup = g_strdup_printf ("%s.corrupt-%s-%u", self->path, stamp, n);
    }

  if (g_rename (self->path, backup) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not move “%s” aside: %s"), self->path, g_strerror (saved_errno));
      return NULL;
    }

  return g_steal_pointer (&backup);
}

static void
set_read_only (SondeProfileStore *self,
               const GError      *error)
{
  g_clear_error (&self->read_only_error);
  self->read_only_error = g_error_copy (error);
}

/* The file did not parse: move it aside, start empty, say where it went.
 * When it cannot be moved, it is kept where it is and never overwritten. */
static gboolean
fail_corrupt (SondeProfileStore  *self,
              const char         *problem,
              GError            **error)
{
  g_autoptr(GError) move_error = NULL;
  g_autofree char *backup = move_aside (self, &move_error);

  if (backup == NULL)
    {
      g_autoptr(GError) read_only = NULL;

      read_only = g_error_new (SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                               _("The profiles file “%s” could not be read (%s) and could not be "
                                 "moved aside (%s): it is left as it is, and changes to profiles "
                                 "will not be saved"),
                               self->path, problem, move_error->message);
      set_read_only (self, read_only);
      g_propagate_error (error, g_steal_pointer (&read_only));
      return FALSE;
    }

  g_free (self->corrupt_backup);
  self->corrupt_backup = g_steal_pointer (&backup);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CORRUPT_BACKUP]);

  g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
               _("The profiles file could not be read (%s). It was moved aside to “%s”, "
                 "and Sonde started with no profiles"),
               problem, self->corrupt_backup);
  return FALSE;
}

/* Whether @node (a profile object) has an id that is taken, in the store
 * or in @ids (nullable); adds its id to @ids. */
static gboolean
id_is_taken (SondeProfileStore *self,
             GHashTable        *ids,
             JsonNode          *node)
{
  JsonObject *object;
  JsonNode *id;
  const char *text;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  object = json_node_get_object (node);
  id = json_object_get_member (object, "id");
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
    return FALSE;

  text = json_node_get_string (id);
  if (sonde_profile_store_lookup (self, text) != NULL || (ids != NULL && g_hash_table_contains (ids, text)))
    return TRUE;

  if (ids != NULL)
    g_hash_table_add (ids, g_strdup (text));
  return FALSE;
}

/* A profile from @node, with a fresh id when its own is taken; sets
 * @renamed when it got a fresh one (also when it had none). */
static SondeProfile *
profile_from_node (SondeProfileStore  *self,
                   GHashTable         *ids,
                   JsonNode           *node,
                   gboolean           *renamed,
                   GError            **error)
{
  SondeProfile *profile;

  if (id_is_taken (self, ids, node))
    {
      g_autoptr(JsonNode) copy = json_node_copy (node);

      *renamed = TRUE;
      json_object_remove_member (json_node_get_object (copy), "id");
      return sonde_profile_new_from_json (copy, error);
    }

  profile = sonde_profile_new_from_json (node, error);
  *renamed = profile != NULL &&
             g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node), "id", ""),
                        sonde_profile_get_id (profile)) != 0;
  return profile;
}

/* The schema of a document, or -1 (with @problem set) when it has none. */
static gint64
read_schema (JsonObject  *document,
             const char **problem)
{
  JsonNode *schema = json_object_get_member (document, "schema");

  if (schema == NULL)
    {
      *problem = _("it has no schema version");
      return -1;
    }
  if (!JSON_NODE_HOLDS_VALUE (schema) || json_node_get_value_type (schema) != G_TYPE_INT64 ||
      json_node_get_int (schema) < 1)
    {
      *problem = _("its schema version is not a positive whole number");
      return -1;
    }

  return json_node_get_int (schema);
}

static void
remove_all (SondeProfileStore *self)
{
  guint n = self->profiles->len;

  if (n == 0)
    return;

  for (guint i = 0; i < n; i++)
    unwatch_profile (self, g_ptr_array_index (self->profiles, i));
  g_ptr_array_set_size (self->profiles, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}

static GType
sonde_profile_store_get_item_type (GListModel *model)
{
  return SONDE_TYPE_PROFILE;
}

static guint
sonde_profile_store_get_n_items (GListModel *model)
{
  return SONDE_PROFILE_STORE (model)->profiles->len;
}

static gpointer
sonde_profile_store_get_item (GListModel *model,
                              guint       position)
{
  SondeProfileStore *self = SONDE_PROFILE_STORE (model);

  if (position >= self->profiles->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->profiles, position));
}

static void
sonde_profile_store_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = sonde_profile_store_get_item_type;
  iface->get_n_items = sonde_profile_store_get_n_items;
  iface->get_item = sonde_profile_store_get_item;
}

static void
sonde_profile_store_constructed (GObject *object)
{
  SondeProfileStore *self = (SondeProfileStore *) object;

  G_OBJECT_CLASS (sonde_profile_store_parent_class)->constructed (object);

  if (self->path == NULL)
    self->path = g_build_filename (g_get_user_config_dir (), "sonde", "profiles.json", NULL);
}

static void
sonde_profile_store_dispose (GObject *object)
{
  SondeProfileStore *self = (SondeProfileStore *) object;

  /* A write in flight holds a reference: we only get here once it is done.
   * Changes still waiting for the timer are written now. */
  if (self->save_source != NULL && self->read_only_error == NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!sonde_profile_store_flush (self, &error))
        g_warning ("Could not save profiles to %s: %s", self->path, error->message);
    }
  cancel_timer (self);

  for (guint i = 0; i < self->profiles->len; i++)
    unwatch_profile (self, g_ptr_array_index (self->profiles, i));
  g_ptr_array_set_size (self->profiles, 0);

  G_OBJECT_CLASS (sonde_profile_store_parent_class)->dispose (object);
}

static void
sonde_profile_store_finalize (GObject *object)
{
  SondeProfileStore *self = (SondeProfileStore *) object;

  g_free (self->path);
  g_ptr_array_unref (self->profiles);
  g_free (self->corrupt_backup);
  g_clear_error (&self->read_only_error);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->write_lock);

  G_OBJECT_CLASS (sonde_profile_store_parent_class)->finalize (object);
}

static void
sonde_profile_store_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SondeProfileStore *self = SONDE_PROFILE_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_DIRTY:
      g_value_set_boolean (value, is_dirty (self));
      break;
    case PROP_CORRUPT_BACKUP:
      g_value_set_string (value, self->corrupt_backup);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_profile_store_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SondeProfileStore *self = SONDE_PROFILE_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_profile_store_class_init (SondeProfileStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = sonde_profile_store_constructed;
  object_class->dispose = sonde_profile_store_dispose;
  object_class->finalize = sonde_profile_store_finalize;
  object_class->get_property = sonde_profile_store_get_property;
  object_class->set_property = sonde_profile_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIRTY] =
    g_param_spec_boolean ("dirty", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CORRUPT_BACKUP] =
    g_param_spec_string ("corrupt-backup", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SondeProfileStore::saved:
   *
   * Emitted on the store's main context each time the file was written.
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * SondeProfileStore::save-failed:
   * @error: what went wrong (a GFileError, or SONDE_ERROR_NEWER_FILE or
   *   SONDE_ERROR_INVALID_PROFILE when the store refuses to overwrite the
   *   file)
   *
   * Emitted on the store's main context when a background save failed.
   * The changes stay unsaved: the next change or flush() tries again.
   */
  signals[SAVE_FAILED] =
    g_signal_new ("save-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
sonde_profile_store_init (SondeProfileStore *self)
{
  self->profiles = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = g_main_context_ref_thread_default ();
  g_mutex_init (&self->write_lock);
}

/* A store for the file at @path, or $XDG_CONFIG_HOME/sonde/profiles.json
 * when @path is NULL. It is empty until sonde_profile_store_load(). Use it
 * from one thread, whose thread-default main context runs the save timer
 * and the completion of background writes. */
SondeProfileStore *
sonde_profile_store_new (const char *path)
{
  return g_object_new (SONDE_TYPE_PROFILE_STORE, "path", path, NULL);
}

const char *
sonde_profile_store_get_path (SondeProfileStore *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (self), NULL);

  return self->path;
}

/* Replaces the profiles with those of the file, after removing the
 * temporary files that an interrupted save left next to it.
 *
 * - No file: no profiles, TRUE.
 * - A file that does not parse (not JSON, not an object with a "schema" and
 *   a "profiles" list): it is moved aside to <path>.corrupt-<date>-<time>
 *   (see sonde_profile_store_get_corrupt_backup()), the store is empty, and
 *   FALSE with a SONDE_ERROR_INVALID_PROFILE error that names the backup.
 * - A file where only some profiles are malformed: the good ones are
 *   loaded (and written back soon), the original is moved aside as above,
 *   and FALSE with a SONDE_ERROR_INVALID_PROFILE error that says how many
 *   were skipped and where the original went. Check the number of items:
 *   the store is in use.
 * - A file written by a newer Sonde (a larger schema): nothing is read,
 *   the file is left as it is, and FALSE with SONDE_ERROR_NEWER_FILE; the
 *   store then refuses every save (flush() fails and "save-failed" is
 *   emitted with that error), so the file is never overwritten.
 * - A file that cannot be read (or a corrupt one that cannot be moved):
 *   the same refusal to save, and FALSE with the error.
 *
 * Profiles whose id is already taken get a fresh id. */
gboolean
sonde_profile_store_load (SondeProfileStore  *self,
                          GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GHashTable) ids = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *first_problem = NULL;
  JsonNode *root;
  JsonObject *document;
  JsonNode *list;
  JsonArray *array;
  const char *problem = NULL;
  gsize length;
  gint64 schema;
  guint skipped = 0;
  gboolean renamed_any = FALSE;

  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cancel_timer (self);
  remove_all (self);
  g_clear_error (&self->read_only_error);
  if (self->corrupt_backup != NULL)
    {
      g_clear_pointer (&self->corrupt_backup, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CORRUPT_BACKUP]);
    }

  /* No write of ours may be halfway while we look, and none that is still
   * queued may replace what we read. */
  g_mutex_lock (&self->write_lock);
  remove_stale_temporaries (self);
  self->written_generation = MAX (self->written_generation, self->change_generation);
  g_mutex_unlock (&self->write_lock);

  /* What is in memory now is what is on disk (or nothing). */
  set_saved (self, self->change_generation);

  if (!g_file_get_contents (self->path, &contents, &length, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;

      g_prefix_error (&local_error, _("Profiles could not be read, and changes to them will not be saved: "));
      set_read_only (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, contents, length, &local_error))
    return fail_corrupt (self, local_error->message, error);

  root = json_parser_get_root (parser);
  if (root == NULL)
    return fail_corrupt (self, _("the file is empty"), error);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return fail_corrupt (self, _("it is not a JSON object"), error);

  document = json_node_get_object (root);
  schema = read_schema (document, &problem);
  if (schema < 0)
    return fail_corrupt (self, problem, error);

  if (schema > SONDE_PROFILE_SCHEMA_VERSION)
    {
      local_error = g_error_new (SONDE_ERROR, SONDE_ERROR_NEWER_FILE,
                                 _("The profiles file “%s” was written by a newer Sonde (schema %" PRId64
                                   ", this version knows %d): it is left as it is, "
                                   "and changes to profiles will not be saved"),
                                 self->path, (int64_t) schema, SONDE_PROFILE_SCHEMA_VERSION);
      set_read_only (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  list = json_object_get_member (document, "profiles");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return fail_corrupt (self, _("it has no list of profiles"), error);

  array = json_node_get_array (list);
  ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  loaded = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(GError) profile_error = NULL;
      gboolean renamed;
      SondeProfile *profile = profile_from_node (self, ids, json_array_get_element (array, i),
                                                 &renamed, &profile_error);

      if (profile == NULL)
        {
          if (first_problem == NULL)
            first_problem = g_strdup_printf (_("profile %u: %s"), i + 1, profile_error->message);
          skipped++;
          continue;
        }

      renamed_any |= renamed;
      g_hash_table_add (ids, g_strdup (sonde_profile_get_id (profile)));
      g_ptr_array_add (loaded, profile);
    }

  if (skipped > 0)
    {
      g_autofree char *backup = move_aside (self, &local_error);

      if (backup == NULL)
        {
          GError *read_only = g_error_new (SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                                           _("%u of %u profiles could not be read (%s), and the "
                                             "file could not be kept aside (%s): changes to "
                                             "profiles will not be saved"),
                                           skipped, json_array_get_length (array), first_problem,
                                           local_error->message);

          g_clear_error (&local_error);
          local_error = read_only;
          set_read_only (self, local_error);
        }
      else
        {
          self->corrupt_backup = g_steal_pointer (&backup);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CORRUPT_BACKUP]);
          local_error = g_error_new (SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                                     _("%u of %u profiles could not be read and were skipped (%s). "
                                       "The original file was kept as “%s”"),
                                     skipped, json_array_get_length (array), first_problem,
                                     self->corrupt_backup);
        }
    }

  for (guint i = 0; i < loaded->len; i++)
    {
      SondeProfile *profile = g_ptr_array_index (loaded, i);

      watch_profile (self, profile);
      g_ptr_array_add (self->profiles, g_object_ref (profile));
    }
  if (loaded->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, loaded->len);

  /* The skipped profiles are in the backup; write what was read, soon. A
   * fresh id given to a duplicate is worth writing too. */
  if ((skipped > 0 || renamed_any) && self->read_only_error == NULL)
    mark_changed (self);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/* Where the last load() moved a file that did not parse, or NULL. */
const char *
sonde_profile_store_get_corrupt_backup (SondeProfileStore *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (self), NULL);

  return self->corrupt_backup;
}

/* Appends @profile (the store takes a reference) and saves soon. Its id
 * must not be taken. */
void
sonde_profile_store_add (SondeProfileStore *self,
                         SondeProfile      *profile)
{
  g_return_if_fail (SONDE_IS_PROFILE_STORE (self));

  sonde_profile_store_insert (self, self->profiles->len, profile);
}

void
sonde_profile_store_insert (SondeProfileStore *self,
                            guint              position,
                            SondeProfile      *profile)
{
  g_return_if_fail (SONDE_IS_PROFILE_STORE (self));
  g_return_if_fail (SONDE_IS_PROFILE (profile));
  g_return_if_fail (position <= self->profiles->len);
  g_return_if_fail (sonde_profile_store_lookup (self, sonde_profile_get_id (profile)) == NULL);

  g_ptr_array_insert (self->profiles, (int) position, g_object_ref (profile));
  watch_profile (self, profile);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  mark_changed (self);
}

/* Removes @profile, sets @position (nullable) to where it was, and saves
 * soon. Returns FALSE when the store does not hold it. The profile's
 * secret is not touched: clear it with SondeSecrets. */
gboolean
sonde_profile_store_remove (SondeProfileStore *self,
                            SondeProfile      *profile,
                            guint             *position)
{
  guint index;

  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (self), FALSE);
  g_return_val_if_fail (SONDE_IS_PROFILE (profile), FALSE);

  if (!g_ptr_array_find (self->profiles, profile, &index))
    return FALSE;

  unwatch_profile (self, profile);
  g_ptr_array_remove_index (self->profiles, index);
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);
  mark_changed (self);

  if (position != NULL)
    *position = index;
  return TRUE;
}

/* The profile with @id (borrowed), or NULL. */
SondeProfile *
sonde_profile_store_lookup (SondeProfileStore *self,
                            const char        *id)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (self), NULL);

  if (id == NULL)
    return NULL;

  for (guint i = 0; i < self->profiles->len; i++)
    {
      SondeProfile *profile = g_ptr_array_index (self->profiles, i);

      if (g_str_equal (sonde_profile_get_id (profile), id))
        return profile;
    }

  return NULL;
}

/* Schedules a save, as any change does. */
void
sonde_profile_store_save_soon (SondeProfileStore *self)
{
  g_return_if_fail (SONDE_IS_PROFILE_STORE (self));

  mark_changed (self);
}

/* Writes the profiles now, on this thread, after any write in flight, if
 * anything is unsaved. For shutdown and tests; the UI relies on the
 * debounced background saves. Fails with the file's error, or with the
 * error of load() when the store refuses to overwrite the file. */
gboolean
sonde_profile_store_flush (SondeProfileStore  *self,
                           GError            **error)
{
  WriteJob job = { 0 };
  gboolean wrote;
  gboolean ok;

  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cancel_timer (self);

  if (!is_dirty (self))
    return TRUE;

  if (self->read_only_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->read_only_error));
      return FALSE;
    }

  job.path = self->path;
  job.contents = serialize (self->profiles);
  job.generation = self->change_generation;
  ok = write_job_locked (self, &job, &wrote, error);
  g_free (job.contents);

  if (!ok)
    return FALSE;

  set_saved (self, job.generation);
  if (wrote)
    g_signal_emit (self, signals[SAVED], 0);
  return TRUE;
}

/* Whether there are changes that are not on disk yet. */
gboolean
sonde_profile_store_get_dirty (SondeProfileStore *self)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (self), FALSE);

  return is_dirty (self);
}

/* @profiles (SondeProfile*), or all the store's profiles when NULL, as a
 * pretty-printed {"schema": 1, "profiles": [...]} document that import()
 * reads back. Never a secret: profiles hold none. */
char *
sonde_profile_store_export (SondeProfileStore  *self,
                            GPtrArray          *profiles,
                            GError            **error)
{
  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return serialize (profiles != NULL ? profiles : self->profiles);
}

/* Adds the profiles of @json (@length bytes, or NUL-terminated when
 * negative): an export document, a list of profile objects, or one profile
 * object. All or nothing: on a SONDE_ERROR_INVALID_PROFILE error (which
 * says which profile and field) nothing is added; a document from a newer
 * Sonde is SONDE_ERROR_NEWER_FILE. An imported profile whose id is taken
 * gets a fresh one. Returns the added profiles (SondeProfile*, a new
 * array holding references). */
GPtrArray *
sonde_profile_store_import (SondeProfileStore  *self,
                            const char         *json,
                            gssize              length,
                            GError            **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) imported = NULL;
  g_autoptr(GHashTable) ids = NULL;
  g_autoptr(JsonArray) nodes = NULL;
  JsonNode *root;

  g_return_val_if_fail (SONDE_IS_PROFILE_STORE (self), NULL);
  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!json_parser_load_from_data (parser, json, length, &local_error))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                   _("This is not JSON: %s"), local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
      json_object_has_member (json_node_get_object (root), "profiles"))
    {
      JsonObject *document = json_node_get_object (root);
      JsonNode *list = json_object_get_member (document, "profiles");
      const char *problem = NULL;
      gint64 schema = json_object_has_member (document, "schema") ? read_schema (document, &problem) : 1;

      if (schema < 0)
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                       _("This is not a Sonde profiles file: %s"), problem);
          return NULL;
        }
      if (schema > SONDE_PROFILE_SCHEMA_VERSION)
        {
          g_set_error (error, SONDE_ERROR, SONDE_ERROR_NEWER_FILE,
                       _("These profiles were written by a newer Sonde (schema %" PRId64
                         ", this version knows %d): update Sonde to import them"),
                       (int64_t) schema, SONDE_PROFILE_SCHEMA_VERSION);
          return NULL;
        }
      if (!JSON_NODE_HOLDS_ARRAY (list))
        {
          g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                               _("This is not a Sonde profiles file: “profiles” is not a list"));
          return NULL;
        }
      nodes = json_array_ref (json_node_get_array (list));
    }
  else if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      nodes = json_array_new ();
      json_array_add_element (nodes, json_node_copy (root));
    }
  else if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    nodes = json_array_ref (json_node_get_array (root));
  else
    {
      g_set_error_literal (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE,
                           _("Expected a profile, a list of profiles or an export of Sonde profiles"));
      return NULL;
    }

  ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  imported = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      gboolean renamed;
      SondeProfile *profile = profile_from_node (self, ids, json_array_get_element (nodes, i),
                                                 &renamed, &local_error);

      if (profile == NULL)
        {
          if (json_array_get_length (nodes) > 1)
            g_prefix_error (&local_error, _("Profile %u of %u: "), i + 1, json_array_get_length (nodes));
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      g_hash_table_add (ids, g_strdup (sonde_profile_get_id (profile)));
      g_ptr_array_add (imported, profile);
    }

  for (guint i = 0; i < imported->len; i++)
    sonde_profile_store_add (self, g_ptr_array_index (imported, i));

  return g_steal_pointer (&imported);
}
