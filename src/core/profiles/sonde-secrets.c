/* sonde-secrets.c: tokens and passwords of profiles, in the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every operation goes to the Secret Service through libsecret's password
 * API, with one item per profile in the default collection (the login
 * keyring), found by the "profile-id" attribute of our schema.
 *
 * When no Secret Service can be reached at all (no session bus, or nobody
 * to serve org.freedesktop.secrets on it: see is_unreachable()), the object
 * switches to session-only mode for the rest of its life: "session-only"
 * turns TRUE (the UI tells the user that secrets will be forgotten when
 * Sonde quits), the operation that found out completes against memory, and
 * so does every later one. The bus is not probed again per call: a keyring
 * that appears later is used by a new SondeSecrets, not by this one. The
 * memory is per object, so the application keeps exactly one SondeSecrets.
 *
 * Any other failure (a locked keyring whose unlock prompt was dismissed or
 * could not be shown, a daemon that answers with an error) is returned as
 * an error: never a silent fallback. Secrets are never written anywhere but
 * the keyring, and never logged.
 *
 * The first operation connects to the session bus itself, without the
 * caller's cancellable, and the object keeps that connection. GDBus shares
 * one session bus connection per process and, while it is being set up,
 * hands the first caller's result to every caller: had libsecret made it
 * with a cancellable that was then cancelled, a later operation nobody
 * cancelled would fail with G_IO_ERROR_CANCELLED, which callers ignore, and
 * a secret would be silently lost. (Seen in this project's tests.)
 */

#define G_LOG_DOMAIN "sonde-secrets"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "sonde-secrets.h"

struct _SondeSecrets
{
  GObject          parent_instance;

  /* owned */
  GDBusConnection *bus;         /* the session bus, once connected */
  GHashTable      *memory;      /* profile id → secret, in session-only mode
                                 * or kept for the session by the user */

  gboolean         session_only;
  gboolean         refuse;      /* SONDE_SECRETS_BACKEND=refuse (tests) */
};

G_DEFINE_FINAL_TYPE (SondeSecrets, sonde_secrets, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION_ONLY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const SecretSchema secret_schema = {
  "io.github.sondeapp.Sonde.Secret",
  SECRET_SCHEMA_NONE,
  {
    { "profile-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

typedef enum {
  OPERATION_STORE,
  OPERATION_LOOKUP,
  OPERATION_CLEAR,
} Operation;

typedef struct {
  Operation  operation;
  char      *profile_id;
  char      *label;       /* store only */
  char      *secret;      /* store only */
} Request;

static void request_start (SondeSecrets *self,
                           GTask        *task);

static void
secret_free (char *secret)
{
  if (secret == NULL)
    return;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

static void
request_free (Request *request)
{
  g_free (request->profile_id);
  g_free (request->label);
  secret_free (request->secret);
  g_free (request);
}

/* Whether @error, from libsecret, means that no Secret Service can be
 * reached, as opposed to a Secret Service that answered with an error.
 * What libsecret 0.20.5 with GLib 2.74 and dbus 1.14 returned, by experiment
 * (store, lookup and clear alike):
 *
 * No session bus (GDBus could not connect; request_start() meets these
 * first, from g_bus_get(), where any failure means no bus):
 *   G_IO_ERROR_NOT_FOUND           the bus socket path does not exist
 *   G_IO_ERROR_CONNECTION_REFUSED  a stale socket, or a missing abstract one
 *   G_IO_ERROR_INVALID_ARGUMENT    DBUS_SESSION_BUS_ADDRESS empty or malformed
 *   G_IO_ERROR_FAILED              no address and no $DISPLAY to autolaunch
 *                                  ("Cannot autolaunch D-Bus without X11
 *                                  $DISPLAY")
 *   G_SPAWN_ERROR (NOENT seen)     no address, $DISPLAY set, and dbus-launch
 *                                  could not be run
 *   G_IO_ERROR_CLOSED              the bus went away after we connected
 *
 * A bus, but nobody to serve org.freedesktop.secrets:
 *   G_DBUS_ERROR_SERVICE_UNKNOWN   not owned, and no .service file for it
 *   G_DBUS_ERROR_SPAWN_EXEC_FAILED its .service file's Exec cannot run
 *   G_DBUS_ERROR_SPAWN_CHILD_EXITED  the activated daemon exited at once
 *   G_DBUS_ERROR_TIMED_OUT         activation exceeded service_start_timeout
 *   (the other G_DBUS_ERROR_SPAWN_* codes are the bus's other ways for an
 *   activation to fail, so they count too)
 *
 * Not unreachable, returned as errors (observed with gnome-keyring 42):
 *   SECRET_ERROR_IS_LOCKED         the login keyring is locked and the unlock
 *                                  prompt was dismissed or could not be shown
 *   G_DBUS_ERROR_UNKNOWN_METHOD    no login keyring yet, and the prompt to
 *                                  create one could not be shown
 *   G_IO_ERROR_TIMED_OUT, G_IO_ERROR_DBUS_ERROR, anything else: a service
 *   that is there but failed; the caller shows the error.
 *
 * Remote errors never arrive as G_IO_ERROR_FAILED or _INVALID_ARGUMENT:
 * GDBus and libsecret map them to SECRET_ERROR, G_DBUS_ERROR or
 * G_IO_ERROR_DBUS_ERROR. Locally, G_IO_ERROR_INVALID_ARGUMENT also means a
 * reply of the wrong type: not a Secret Service either. */
static gboolean
is_unreachable (const GError *error)
{
  if (error->domain == G_SPAWN_ERROR)
    return TRUE;

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_NOT_FOUND:
        case G_IO_ERROR_CONNECTION_REFUSED:
        case G_IO_ERROR_INVALID_ARGUMENT:
        case G_IO_ERROR_FAILED:
        case G_IO_ERROR_CLOSED:
          return TRUE;
        default:
          return FALSE;
        }
    }

  if (error->domain == G_DBUS_ERROR)
    {
      switch (error->code)
        {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_TIMED_OUT:
        case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
        case G_DBUS_ERROR_SPAWN_FORK_FAILED:
        case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
        case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
        case G_DBUS_ERROR_SPAWN_FAILED:
        case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
        case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
        case G_DBUS_ERROR_SPAWN_FILE_INVALID:
        case G_DBUS_ERROR_SPAWN_NO_MEMORY:
          return TRUE;
        default:
          return FALSE;
        }
    }

  return FALSE;
}

/* The message of @error, from a keyring that answered but refused, in
 * words a user can act on (libsecret's are about D-Bus objects). The
 * domain and code stay. */
static void
describe_refusal (GError *error)
{
  const char *reason = NULL;

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    reason = _("the keyring is locked and was not unlocked");
  else if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
           g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
           g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT))
    reason = _("the keyring has no default collection (no login keyring)");

  if (reason != NULL)
    {
      g_autofree char *original = g_steal_pointer (&error->message);

      error->message = g_strdup_printf ("%s: %s", reason, original);
    }
}

static void
enter_session_only (SondeSecrets *self,
                    const GError *reason)
{
  if (self->session_only)
    return;

  /* The message is GDBus's or libsecret's; it never holds a secret. */
  g_info ("No keyring reachable (%s): secrets are kept for this session only",
          reason->message);
  self->session_only = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION_ONLY]);
}

static void
run_in_memory (SondeSecrets *self,
               GTask        *task)
{
  Request *request = g_task_get_task_data (task);

  switch (request->operation)
    {
    case OPERATION_STORE:
      g_hash_table_replace (self->memory, g_strdup (request->profile_id),
                            g_strdup (request->secret));
      g_task_return_boolean (task, TRUE);
      break;

    case OPERATION_LOOKUP:
      g_task_return_pointer (task, g_strdup (g_hash_table_lookup (self->memory, request->profile_id)),
                             (GDestroyNotify) secret_free);
      break;

    case OPERATION_CLEAR:
      g_hash_table_remove (self->memory, request->profile_id);
      g_task_return_boolean (task, TRUE);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
on_keyring_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SondeSecrets *self = g_task_get_source_object (task);
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  char *password = NULL;

  switch (request->operation)
    {
    case OPERATION_STORE:
      secret_password_store_finish (result, &error);
      break;

    case OPERATION_LOOKUP:
      password = secret_password_lookup_finish (result, &error);
      break;

    case OPERATION_CLEAR:
      /* FALSE without an error: there was nothing to clear. */
      secret_password_clear_finish (result, &error);
      break;

    default:
      g_assert_not_reached ();
    }

  /* The keyring has it now, or no longer: a copy kept for the session
   * would shadow it. */
  if (error == NULL && request->operation != OPERATION_LOOKUP)
    g_hash_table_remove (self->memory, request->profile_id);

  if (error == NULL && request->operation == OPERATION_LOOKUP)
    {
      /* libsecret's copy lives in its non-pageable pool and must go back
       * there; ours is an ordinary string the caller frees with g_free(). */
      g_task_return_pointer (task, g_strdup (password), (GDestroyNotify) secret_free);
      secret_password_free (password);
    }
  else if (error == NULL)
    g_task_return_boolean (task, TRUE);
  else if (is_unreachable (error))
    {
      enter_session_only (self, error);
      request_start (self, g_steal_pointer (&task));
    }
  else
    {
      describe_refusal (error);
      g_task_return_error (task, g_steal_pointer (&error));
    }
}

static void
run_in_keyring (SondeSecrets *self,
                GTask        *task)
{
  Request *request = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  switch (request->operation)
    {
    case OPERATION_STORE:
      secret_password_store (&secret_schema, SECRET_COLLECTION_DEFAULT,
                             request->label, request->secret,
                             cancellable, on_keyring_done, task,
                             "profile-id", request->profile_id,
                             NULL);
      break;

    case OPERATION_LOOKUP:
      secret_password_lookup (&secret_schema, cancellable, on_keyring_done, task,
                              "profile-id", request->profile_id,
                              NULL);
      break;

    case OPERATION_CLEAR:
      secret_password_clear (&secret_schema, cancellable, on_keyring_done, task,
                             "profile-id", request->profile_id,
                             NULL);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
on_bus_ready (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SondeSecrets *self = g_task_get_source_object (task);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    enter_session_only (self, error);
  else if (self->bus == NULL)
    self->bus = g_steal_pointer (&bus);

  request_start (self, g_steal_pointer (&task));
}

/* Takes @task, and completes it: in memory, or through the keyring once
 * the session bus is there. */
static void
request_start (SondeSecrets *self,
               GTask        *task)
{
  Request *request = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    g_object_unref (task);
  else if (self->refuse && request->operation == OPERATION_STORE)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                               _("the keyring refused to store it (SONDE_SECRETS_BACKEND=refuse)"));
      g_object_unref (task);
    }
  else if (self->session_only || self->refuse ||
           (request->operation == OPERATION_LOOKUP &&
            g_hash_table_contains (self->memory, request->profile_id)))
    {
      run_in_memory (self, task);
      g_object_unref (task);
    }
  else if (self->bus == NULL)
    g_bus_get (G_BUS_TYPE_SESSION, NULL, on_bus_ready, task);
  else
    run_in_keyring (self, task);
}

static GTask *
request_task_new (SondeSecrets        *self,
                  Operation            operation,
                  const char          *profile_id,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data,
                  gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  request->operation = operation;
  request->profile_id = g_strdup (profile_id);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  return task;
}

static void
sonde_secrets_dispose (GObject *object)
{
  SondeSecrets *self = SONDE_SECRETS (object);

  g_clear_object (&self->bus);

  G_OBJECT_CLASS (sonde_secrets_parent_class)->dispose (object);
}

static void
sonde_secrets_finalize (GObject *object)
{
  SondeSecrets *self = SONDE_SECRETS (object);

  g_clear_pointer (&self->memory, g_hash_table_unref);

  G_OBJECT_CLASS (sonde_secrets_parent_class)->finalize (object);
}

static void
sonde_secrets_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SondeSecrets *self = SONDE_SECRETS (object);

  switch (prop_id)
    {
    case PROP_SESSION_ONLY:
      g_value_set_boolean (value, self->session_only);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sonde_secrets_class_init (SondeSecretsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_secrets_dispose;
  object_class->finalize = sonde_secrets_finalize;
  object_class->get_property = sonde_secrets_get_property;

  /**
   * SondeSecrets:session-only:
   *
   * TRUE once no keyring could be reached: secrets are then kept in this
   * object's memory and forgotten with it. Never turns FALSE again.
   */
  properties[PROP_SESSION_ONLY] =
    g_param_spec_boolean ("session-only", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sonde_secrets_init (SondeSecrets *self)
{
  self->memory = g_hash_table_new_full (g_str_hash, g_str_equal,
                                        g_free, (GDestroyNotify) secret_free);

  /* SONDE_SECRETS_BACKEND=memory (as GSETTINGS_BACKEND=memory): no keyring
   * at all, secrets for this session only. The window tests use it so that
   * a keyring the session bus may start is never touched. */
  if (g_strcmp0 (g_getenv ("SONDE_SECRETS_BACKEND"), "memory") == 0)
    self->session_only = TRUE;
  /* SONDE_SECRETS_BACKEND=refuse, for tests only: a keyring that is there
   * but refuses every store (as a locked one, or one with no default
   * collection), with G_IO_ERROR_PERMISSION_DENIED; lookups find only what
   * was kept for the session, clears succeed. */
  else if (g_strcmp0 (g_getenv ("SONDE_SECRETS_BACKEND"), "refuse") == 0)
    self->refuse = TRUE;
}

SondeSecrets *
sonde_secrets_new (void)
{
  return g_object_new (SONDE_TYPE_SECRETS, NULL);
}

/**
 * sonde_secrets_get_session_only:
 *
 * Returns: whether secrets are kept in memory for this session only,
 *   because no keyring could be reached
 */
gboolean
sonde_secrets_get_session_only (SondeSecrets *self)
{
  g_return_val_if_fail (SONDE_IS_SECRETS (self), FALSE);

  return self->session_only;
}

/**
 * sonde_secrets_keep_for_session:
 *
 * Keeps @secret for @profile_id in this object's memory, for this session
 * only: what the user chose when the keyring refused to store it. Lookups
 * find it first; a later store that succeeds, or a clear, forgets it.
 */
void
sonde_secrets_keep_for_session (SondeSecrets *self,
                                const char   *profile_id,
                                const char   *secret)
{
  g_return_if_fail (SONDE_IS_SECRETS (self));
  g_return_if_fail (profile_id != NULL);
  g_return_if_fail (secret != NULL);

  g_hash_table_replace (self->memory, g_strdup (profile_id), g_strdup (secret));
}

/**
 * sonde_secrets_store_async:
 * @label: (nullable): what the keyring shows for the item; %NULL for a
 *   default that names @profile_id
 *
 * Stores @secret for @profile_id, replacing the one it had. A store that
 * is cancelled once the keyring has it may still have happened.
 */
void
sonde_secrets_store_async (SondeSecrets        *self,
                           const char          *profile_id,
                           const char          *label,
                           const char          *secret,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  Request *request;

  g_return_if_fail (SONDE_IS_SECRETS (self));
  g_return_if_fail (profile_id != NULL);
  g_return_if_fail (secret != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = request_task_new (self, OPERATION_STORE, profile_id, cancellable, callback, user_data,
                           sonde_secrets_store_async);
  request = g_task_get_task_data (task);
  request->secret = g_strdup (secret);
  if (label != NULL)
    request->label = g_strdup (label);
  else
    /* Translators: the keyring's name for a secret; %s is a profile id. */
    request->label = g_strdup_printf (_("Sonde profile %s"), profile_id);

  request_start (self, task);
}

gboolean
sonde_secrets_store_finish (SondeSecrets  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sonde_secrets_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sonde_secrets_lookup_async:
 *
 * Looks up the secret of @profile_id.
 */
void
sonde_secrets_lookup_async (SondeSecrets        *self,
                            const char          *profile_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (SONDE_IS_SECRETS (self));
  g_return_if_fail (profile_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  request_start (self, request_task_new (self, OPERATION_LOOKUP, profile_id, cancellable,
                                         callback, user_data, sonde_secrets_lookup_async));
}

/**
 * sonde_secrets_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the secret, or %NULL without an
 *   error when @profile_id has none. Wipe it (explicit_bzero()) before
 *   g_free() where you can.
 */
char *
sonde_secrets_lookup_finish (SondeSecrets  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sonde_secrets_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sonde_secrets_clear_async:
 *
 * Removes the secret of @profile_id; succeeds when it had none.
 */
void
sonde_secrets_clear_async (SondeSecrets        *self,
                           const char          *profile_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (SONDE_IS_SECRETS (self));
  g_return_if_fail (profile_id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  request_start (self, request_task_new (self, OPERATION_CLEAR, profile_id, cancellable,
                                         callback, user_data, sonde_secrets_clear_async));
}

gboolean
sonde_secrets_clear_finish (SondeSecrets  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sonde_secrets_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
