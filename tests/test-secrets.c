/* test-secrets.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test runs in a subprocess of its own: GDBus keeps one session bus
 * connection per process and libsecret one service proxy, and each test
 * needs them fresh for its environment. The subprocess makes that
 * environment itself, whatever bus the test runner has (or has not):
 *
 *  - a private dbus-daemon that can activate nothing, so neither the
 *    system's gnome-keyring nor a prompter can come in behind our back;
 *  - on it, a gnome-keyring-daemon of ours, --foreground with its own
 *    HOME and XDG dirs, unlocked with a password on its stdin (or locked);
 *  - or no bus at all: DBUS_SESSION_BUS_ADDRESS names a missing socket.
 *
 * The daemons get PR_SET_PDEATHSIG, so nothing outlives a crashed test.
 * Where gnome-keyring-daemon has file capabilities (Debian gives it
 * cap_ipc_lock when it can), exec clears that signal, but it exits with
 * its bus, which does get it.
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "sonde-secrets.h"
#include "sonde-test-util.h"

#define SECRET_SERVICE_NAME "org.freedesktop.secrets"
#define KEYRING_PASSWORD    "sonde-test-keyring-password"
#define CANARY              "CANARY-secret-5d1c"
#define CONTROL_MARKER      "CONTROL-marker-5d1c"
#define WAIT_MS             20000

typedef enum {
  ENV_KEYRING,         /* our bus, our gnome-keyring, unlocked */
  ENV_LOCKED_KEYRING,  /* our bus, our gnome-keyring, login keyring locked, no prompter */
  ENV_NO_SERVICE,      /* our bus, nothing owns or can activate the Secret Service */
  ENV_BROKEN_SERVICE,  /* our bus, activating the Secret Service runs `false` */
  ENV_NO_BUS,          /* the session bus address names a socket that does not exist */
} Env;

typedef struct {
  Env              env;
  char            *dir;          /* bus config, daemon logs; under XDG_RUNTIME_DIR */
  GSubprocess     *bus;
  GSubprocess     *keyring;
  GDBusConnection *connection;   /* the process's shared session bus */
  gboolean         bus_exited;
  gboolean         keyring_exited;
  guint            service_watch;
  int              service_owned; /* -1 until the name watch knows */
  guint            n_keyrings;
} Fixture;

typedef void (*FixtureFunc) (Fixture *fixture);

typedef struct {
  const char  *path;
  Env          env;
  FixtureFunc  func;
} TestCase;

/* The schema as a third party would read it: a check on the contract. */
static const SecretSchema expected_schema = {
  "io.github.sondeapp.Sonde.Secret",
  SECRET_SCHEMA_NONE,
  {
    { "profile-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

/* Fixture ---------------------------------------------------------------- */

/* Between fork and exec: async-signal-safe calls only. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () != (pid_t) GPOINTER_TO_INT (data))
    _exit (1);
}

static char *
read_log (Fixture    *fixture,
          const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("(no log)");
  return contents;
}

static GSubprocessLauncher *
launcher_new (Fixture          *fixture,
              GSubprocessFlags  flags,
              const char       *log_name)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);
  g_autofree char *log_path = g_build_filename (fixture->dir, log_name, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
                                         GINT_TO_POINTER (getpid ()), NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);

  /* g_test's isolated dirs live in GLib, not in the environment. */
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", g_get_user_runtime_dir (), TRUE);
  /* Our fatal warnings are not the daemons' (gnome-keyring 42 warns on
   * every first item of a keyring). */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "G_ENABLE_DIAGNOSTIC");
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");

  return launcher;
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  char **line = user_data;
  g_autoptr(GError) error = NULL;

  *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  if (*line == NULL)
    *line = g_strdup ("");
}

static void
on_service_appeared (GDBusConnection *connection,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  ((Fixture *) user_data)->service_owned = TRUE;
}

static void
on_service_vanished (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  ((Fixture *) user_data)->service_owned = FALSE;
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* A session bus that activates nothing, or only a Secret Service that
 * fails to start; this process connects to it as its session bus. */
static void
start_bus (Fixture *fixture)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = g_build_filename (fixture->dir, "bus.conf", NULL);
  g_autofree char *config_arg = g_strconcat ("--config-file=", config_path, NULL);
  g_autofree char *service_dir = NULL;
  g_autofree char *config = NULL;
  g_autofree char *address = NULL;
  g_autofree char *listen_address = NULL;

  /* An abstract socket: no path length limit, nothing to clean up. */
  listen_address = g_strdup_printf ("unix:abstract=sonde-test-bus-%d-%08x",
                                    (int) getpid (), g_random_int ());

  if (fixture->env == ENV_BROKEN_SERVICE)
    {
      g_autofree char *false_path = g_find_program_in_path ("false");
      g_autofree char *service = NULL;
      g_autofree char *escaped = NULL;
      g_autofree char *services = g_build_filename (fixture->dir, "services", NULL);

      g_assert_nonnull (false_path);
      g_assert_cmpint (g_mkdir_with_parents (services, 0700), ==, 0);
      service = g_strdup_printf ("[D-BUS Service]\nName=%s\nExec=%s\n",
                                 SECRET_SERVICE_NAME, false_path);
      write_file (services, SECRET_SERVICE_NAME ".service", service);
      escaped = g_markup_escape_text (services, -1);
      service_dir = g_strdup_printf ("  <servicedir>%s</servicedir>\n", escaped);
    }

  config = g_strdup_printf ("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                            " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                            "<busconfig>\n"
                            "  <type>session</type>\n"
                            "  <listen>%s</listen>\n"
                            "  <auth>EXTERNAL</auth>\n"
                            "%s"
                            "  <policy context=\"default\">\n"
                            "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                            "    <allow eavesdrop=\"true\"/>\n"
                            "    <allow own=\"*\"/>\n"
                            "  </policy>\n"
                            "</busconfig>\n",
                            listen_address, service_dir ? service_dir : "");
  write_file (fixture->dir, "bus.conf", config);

  launcher = launcher_new (fixture, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "bus.log");
  fixture->bus = g_subprocess_launcher_spawn (launcher, &error,
                                              "dbus-daemon", config_arg,
                                              "--nofork", "--print-address", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (fixture->bus, NULL, on_exited, &fixture->bus_exited);

  /* It prints the address once it listens. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->bus));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (out), FALSE);
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, on_line, &address);
  if (!SONDE_TEST_WAIT (address != NULL, WAIT_MS) || *g_strstrip (address) == '\0')
    {
      g_autofree char *log = read_log (fixture, "bus.log");
      g_error ("dbus-daemon printed no address%s; its log:\n%s",
               fixture->bus_exited ? " and exited" : " in time", log);
    }

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  fixture->connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  /* Teardown stops this bus; the test process must survive it. */
  g_dbus_connection_set_exit_on_close (fixture->connection, FALSE);

  fixture->service_watch =
    g_bus_watch_name_on_connection (fixture->connection, SECRET_SERVICE_NAME,
                                    G_BUS_NAME_WATCHER_FLAGS_NONE,
                                    on_service_appeared, on_service_vanished,
                                    fixture, NULL);
}

static void
start_keyring (Fixture  *fixture,
               gboolean  unlock)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log_name = g_strdup_printf ("keyring-%u.log", ++fixture->n_keyrings);
  GOutputStream *in;

  g_assert_null (fixture->keyring);
  fixture->keyring_exited = FALSE;

  launcher = launcher_new (fixture, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                           log_name);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS",
                                g_getenv ("DBUS_SESSION_BUS_ADDRESS"), TRUE);
  fixture->keyring = g_subprocess_launcher_spawn (launcher, &error,
                                                  "gnome-keyring-daemon", "--foreground",
                                                  "--components=secrets",
                                                  unlock ? "--unlock" : NULL, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (fixture->keyring, NULL, on_exited, &fixture->keyring_exited);

  /* With --unlock it reads the login keyring's password up to end of file,
   * and creates the keyring with it if there is none. */
  in = g_subprocess_get_stdin_pipe (fixture->keyring);
  if (unlock)
    g_output_stream_write_all (in, KEYRING_PASSWORD, strlen (KEYRING_PASSWORD), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (in, NULL, &error);
  g_assert_no_error (error);

  if (!SONDE_TEST_WAIT (fixture->service_owned == TRUE || fixture->keyring_exited, WAIT_MS)
      || fixture->service_owned != TRUE)
    {
      g_autofree char *log = read_log (fixture, log_name);
      g_error ("gnome-keyring-daemon %s; its log:\n%s",
               fixture->keyring_exited ? "exited" : "did not own " SECRET_SERVICE_NAME " in time",
               log);
    }
}

static void
stop_process (GSubprocess **process,
              gboolean     *exited)
{
  if (*process == NULL)
    return;

  if (!*exited)
    {
      g_subprocess_send_signal (*process, SIGTERM);
      if (!SONDE_TEST_WAIT (*exited, WAIT_MS))
        {
          g_subprocess_force_exit (*process);
          SONDE_TEST_ASSERT_WAIT (*exited, WAIT_MS);
        }
    }
  g_clear_object (process);
}

static void
fixture_set_up (Fixture *fixture)
{
  const char *dirs[] = {
    g_get_home_dir (), g_get_user_cache_dir (), g_get_user_config_dir (),
    g_get_user_data_dir (), g_get_user_state_dir (), g_get_user_runtime_dir (),
  };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    g_assert_cmpint (g_mkdir_with_parents (dirs[i], 0700), ==, 0);
  g_assert_cmpint (g_chmod (g_get_user_runtime_dir (), 0700), ==, 0);

  fixture->dir = g_build_filename (g_get_user_runtime_dir (), "fixture", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
  fixture->service_owned = -1;

  /* libsecret's other backend (a file, in Flatpak) is not under test. */
  g_unsetenv ("SECRET_BACKEND");

  switch (fixture->env)
    {
    case ENV_NO_BUS:
      {
        g_autofree char *socket = g_build_filename (fixture->dir, "no-such-bus", NULL);
        g_autofree char *address = g_strconcat ("unix:path=", socket, NULL);

        g_assert_false (g_file_test (socket, G_FILE_TEST_EXISTS));
        g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      }
      break;

    case ENV_NO_SERVICE:
    case ENV_BROKEN_SERVICE:
      start_bus (fixture);
      break;

    case ENV_KEYRING:
      start_bus (fixture);
      start_keyring (fixture, TRUE);
      break;

    case ENV_LOCKED_KEYRING:
      {
        g_autofree char *login = g_build_filename (g_get_user_data_dir (), "keyrings",
                                                   "login.keyring", NULL);

        /* A first run creates the login keyring with a password; the
         * second runs without it, so the keyring stays locked, and the
         * unlock prompt cannot be shown: no prompter on this bus. */
        start_bus (fixture);
        start_keyring (fixture, TRUE);
        SONDE_TEST_ASSERT_WAIT (g_file_test (login, G_FILE_TEST_IS_REGULAR), WAIT_MS);
        stop_process (&fixture->keyring, &fixture->keyring_exited);
        SONDE_TEST_ASSERT_WAIT (fixture->service_owned == FALSE, WAIT_MS);
        start_keyring (fixture, FALSE);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
fixture_tear_down (Fixture *fixture)
{
  g_clear_handle_id (&fixture->service_watch, g_bus_unwatch_name);
  stop_process (&fixture->keyring, &fixture->keyring_exited);
  stop_process (&fixture->bus, &fixture->bus_exited);
  g_clear_object (&fixture->connection);
  g_clear_pointer (&fixture->dir, g_free);
}

static gboolean
find_program (const char *program,
              const char *package)
{
  g_autofree char *path = g_find_program_in_path (program);

  if (path == NULL)
    g_test_fail_printf ("%s is not installed: install the Debian package %s", program, package);
  return path != NULL;
}

static void
run_test (gconstpointer data)
{
  const TestCase *test = data;
  Fixture fixture = { .env = test->env, };

  if (!g_test_subprocess ())
    {
      if (test->env != ENV_NO_BUS && !find_program ("dbus-daemon", "dbus"))
        return;
      if ((test->env == ENV_KEYRING || test->env == ENV_LOCKED_KEYRING)
          && !find_program ("gnome-keyring-daemon", "gnome-keyring"))
        return;

      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  fixture_set_up (&fixture);
  test->func (&fixture);
  fixture_tear_down (&fixture);
}

static gboolean
expect_session_only (Fixture *fixture)
{
  return fixture->env != ENV_KEYRING && fixture->env != ENV_LOCKED_KEYRING;
}

/* Calls ------------------------------------------------------------------ */

typedef struct {
  gboolean  done;
  gboolean  ok;
  char     *secret;
  GError   *error;
} Result;

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->secret, g_free);
  g_clear_error (&result->error);
  result->done = FALSE;
  result->ok = FALSE;
}

static void
on_stored (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  Result *result = user_data;

  g_assert_false (result->done);
  result->ok = sonde_secrets_store_finish (SONDE_SECRETS (source), res, &result->error);
  g_assert_true (result->ok == (result->error == NULL));
  result->done = TRUE;
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  Result *result = user_data;

  g_assert_false (result->done);
  result->secret = sonde_secrets_lookup_finish (SONDE_SECRETS (source), res, &result->error);
  g_assert_true (result->secret == NULL || result->error == NULL);
  result->ok = result->error == NULL;
  result->done = TRUE;
}

static void
on_cleared (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  Result *result = user_data;

  g_assert_false (result->done);
  result->ok = sonde_secrets_clear_finish (SONDE_SECRETS (source), res, &result->error);
  g_assert_true (result->ok == (result->error == NULL));
  result->done = TRUE;
}

static void
store (SondeSecrets *secrets,
       const char   *profile_id,
       const char   *secret)
{
  Result result = { 0, };

  sonde_secrets_store_async (secrets, profile_id, "Sonde test", secret, NULL, on_stored, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
}

static char *
lookup (SondeSecrets *secrets,
        const char   *profile_id)
{
  Result result = { 0, };

  sonde_secrets_lookup_async (secrets, profile_id, NULL, on_looked_up, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_no_error (result.error);
  return result.secret;
}

static void
assert_lookup (SondeSecrets *secrets,
               const char   *profile_id,
               const char   *expected)
{
  g_autofree char *secret = lookup (secrets, profile_id);

  g_assert_cmpstr (secret, ==, expected);
}

static void
clear (SondeSecrets *secrets,
       const char   *profile_id)
{
  Result result = { 0, };

  sonde_secrets_clear_async (secrets, profile_id, NULL, on_cleared, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static guint *
count_session_only_notify (SondeSecrets *secrets)
{
  guint *count = g_new0 (guint, 1);

  g_signal_connect_data (secrets, "notify::session-only", G_CALLBACK (on_notify),
                         count, (GClosureNotify) g_free, 0);
  return count;
}

/* The secret as the keyring holds it, read past SondeSecrets. */
static char *
keyring_lookup (const char *profile_id)
{
  g_autoptr(GError) error = NULL;
  char *password = secret_password_lookup_sync (&expected_schema, NULL, &error,
                                                "profile-id", profile_id, NULL);
  char *copy;

  g_assert_no_error (error);
  copy = g_strdup (password);
  secret_password_free (password);
  return copy;
}

static GList *
keyring_search (const char *profile_id)
{
  g_autoptr(GError) error = NULL;
  GList *items = secret_password_search_sync (&expected_schema, SECRET_SEARCH_ALL, NULL, &error,
                                              "profile-id", profile_id, NULL);

  g_assert_no_error (error);
  return items;
}

static gboolean
contains (const char *haystack,
          gsize       size,
          const char *needle)
{
  gsize length = strlen (needle);

  for (gsize i = 0; i + length <= size; i++)
    {
      if (memcmp (haystack + i, needle, length) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Paths of the regular files under @dir that contain @needle, appended to
 * @found; returns how many files it read. */
static guint
grep_tree (GFile      *dir,
           const char *needle,
           GPtrArray  *found)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) error = NULL;
  GFileInfo *info;
  GFile *child;
  guint n_read = 0;

  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &error);
  g_assert_no_error (error);

  while (g_file_enumerator_iterate (children, &info, &child, NULL, &error) && info != NULL)
    {
      g_autofree char *contents = NULL;
      gsize size;

      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_DIRECTORY:
          n_read += grep_tree (child, needle, found);
          break;

        case G_FILE_TYPE_REGULAR:
          g_assert_true (g_file_load_contents (child, NULL, &contents, &size, NULL, &error));
          g_assert_no_error (error);
          n_read++;
          if (contains (contents, size, needle))
            g_ptr_array_add (found, g_file_get_path (child));
          break;

        case G_FILE_TYPE_UNKNOWN:
        case G_FILE_TYPE_SYMBOLIC_LINK:
        case G_FILE_TYPE_SPECIAL:
        case G_FILE_TYPE_SHORTCUT:
        case G_FILE_TYPE_MOUNTABLE:
        default:
          break;
        }
    }
  g_assert_no_error (error);

  return n_read;
}

/* Every file under the test's HOME and XDG dirs (the fixture's logs and
 * the keyring's files among them) that contains @needle, joined by
 * newlines, or NULL. */
static char *
grep_user_dirs (const char *needle,
                guint      *n_read)
{
  const char *dirs[] = {
    g_get_home_dir (), g_get_user_cache_dir (), g_get_user_config_dir (),
    g_get_user_data_dir (), g_get_user_state_dir (), g_get_user_runtime_dir (),
  };
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

  *n_read = 0;
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (dirs[i]);

      *n_read += grep_tree (dir, needle, found);
    }

  if (found->len == 0)
    return NULL;
  g_ptr_array_add (found, NULL);
  return g_strjoinv ("\n", (char **) found->pdata);
}

/* Tests ------------------------------------------------------------------ */

static void
test_round_trip (Fixture *fixture)
{
  g_autoptr(SondeSecrets) secrets = sonde_secrets_new ();
  guint *n_notify = count_session_only_notify (secrets);
  gboolean session_only = expect_session_only (fixture);

  g_assert_false (sonde_secrets_get_session_only (secrets));

  store (secrets, "profile-1", "first secret");
  g_assert_cmpint (sonde_secrets_get_session_only (secrets), ==, session_only);
  g_assert_cmpuint (*n_notify, ==, session_only ? 1 : 0);
  assert_lookup (secrets, "profile-1", "first secret");

  /* Overwrite. */
  store (secrets, "profile-1", "second secret");
  assert_lookup (secrets, "profile-1", "second secret");

  clear (secrets, "profile-1");
  assert_lookup (secrets, "profile-1", NULL);

  /* Nothing to clear, or to find: no error either. */
  clear (secrets, "profile-1");
  assert_lookup (secrets, "never-stored", NULL);

  g_assert_cmpint (sonde_secrets_get_session_only (secrets), ==, session_only);
  g_assert_cmpuint (*n_notify, ==, session_only ? 1 : 0);
  g_assert_finalize_object (g_steal_pointer (&secrets));
}

/* The keyring is the store: other objects, and libsecret itself, see the
 * same item, one per profile, labelled. */
static void
test_keyring_shared (Fixture *fixture)
{
  g_autoptr(SondeSecrets) first = sonde_secrets_new ();
  g_autoptr(SondeSecrets) second = sonde_secrets_new ();
  g_autofree char *in_keyring = NULL;
  g_autofree char *label = NULL;
  g_autolist(GObject) items = NULL;
  Result result = { 0, };

  store (first, "shared", "s1");
  g_assert_false (sonde_secrets_get_session_only (first));

  in_keyring = keyring_lookup ("shared");
  g_assert_cmpstr (in_keyring, ==, "s1");
  items = keyring_search ("shared");
  g_assert_cmpuint (g_list_length (items), ==, 1);
  label = secret_retrievable_get_label (items->data);
  g_assert_cmpstr (label, ==, "Sonde test");
  g_clear_list (&items, g_object_unref);

  assert_lookup (second, "shared", "s1");
  store (second, "shared", "s2");
  assert_lookup (first, "shared", "s2");
  items = keyring_search ("shared");
  g_assert_cmpuint (g_list_length (items), ==, 1);
  g_clear_list (&items, g_object_unref);

  clear (first, "shared");
  assert_lookup (second, "shared", NULL);
  g_clear_pointer (&in_keyring, g_free);
  in_keyring = keyring_lookup ("shared");
  g_assert_null (in_keyring);

  /* Without a label, the item still gets one naming the profile. */
  sonde_secrets_store_async (first, "unlabelled", NULL, "s3", NULL, on_stored, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_no_error (result.error);
  items = keyring_search ("unlabelled");
  g_assert_cmpuint (g_list_length (items), ==, 1);
  g_clear_pointer (&label, g_free);
  label = secret_retrievable_get_label (items->data);
  g_assert_cmpstr (label, ==, "Sonde profile unlabelled");
  clear (first, "unlabelled");

  g_assert_false (sonde_secrets_get_session_only (first));
  g_assert_false (sonde_secrets_get_session_only (second));
  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
}

static void
test_profiles_apart (Fixture *fixture)
{
  g_autoptr(SondeSecrets) secrets = sonde_secrets_new ();

  /* One id a prefix of the other: attributes match whole. */
  store (secrets, "alpha", "one");
  store (secrets, "alpha-2", "two");
  assert_lookup (secrets, "alpha", "one");
  assert_lookup (secrets, "alpha-2", "two");
  assert_lookup (secrets, "alph", NULL);

  clear (secrets, "alpha");
  assert_lookup (secrets, "alpha", NULL);
  assert_lookup (secrets, "alpha-2", "two");

  store (secrets, "alpha", "one again");
  store (secrets, "alpha-2", "two again");
  assert_lookup (secrets, "alpha", "one again");
  assert_lookup (secrets, "alpha-2", "two again");

  clear (secrets, "alpha");
  clear (secrets, "alpha-2");
  g_assert_cmpint (sonde_secrets_get_session_only (secrets), ==, expect_session_only (fixture));
  g_assert_finalize_object (g_steal_pointer (&secrets));
}

static void
test_unicode (Fixture *fixture)
{
  g_autoptr(SondeSecrets) secrets = sonde_secrets_new ();
  static const char unicode[] = "pässwörd — ключ 🔑 密码 e\xcc\x81";
  g_autofree char *long_token = g_strnfill (16384, 'x');
  char binary[256];

  /* Every byte but NUL; not UTF-8. */
  for (guint i = 0; i < 255; i++)
    binary[i] = (char) (i + 1);
  binary[255] = '\0';
  g_assert_false (g_utf8_validate (binary, -1, NULL));

  store (secrets, "unicode", unicode);
  store (secrets, "binary", binary);
  store (secrets, "long", long_token);
  assert_lookup (secrets, "unicode", unicode);
  assert_lookup (secrets, "binary", binary);
  assert_lookup (secrets, "long", long_token);

  clear (secrets, "unicode");
  clear (secrets, "binary");
  clear (secrets, "long");
  g_assert_cmpint (sonde_secrets_get_session_only (secrets), ==, expect_session_only (fixture));
  g_assert_finalize_object (g_steal_pointer (&secrets));
}

static void
test_cancel (Fixture *fixture)
{
  g_autoptr(SondeSecrets) secrets = sonde_secrets_new ();
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Result result = { 0, };
  Result other = { 0, };

  g_cancellable_cancel (cancelled);

  /* Before the object knows where secrets go. */
  sonde_secrets_store_async (secrets, "a", NULL, "never", cancelled, on_stored, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&result);

  /* The first calls to reach the bus: cancelling one does not fail the
   * other (GDBus hands one connection attempt's result to all callers). */
  sonde_secrets_store_async (secrets, "a", NULL, "cancelled", cancellable, on_stored, &result);
  sonde_secrets_store_async (secrets, "a", NULL, "kept", NULL, on_stored, &other);
  g_cancellable_cancel (cancellable);
  SONDE_TEST_ASSERT_WAIT (result.done && other.done, WAIT_MS);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_no_error (other.error);
  g_assert_true (other.ok);
  result_clear (&result);
  result_clear (&other);
  g_cancellable_reset (cancellable);
  assert_lookup (secrets, "a", "kept");
  g_assert_cmpint (sonde_secrets_get_session_only (secrets), ==, expect_session_only (fixture));

  /* Cancelled before they start: nothing changes. */
  sonde_secrets_store_async (secrets, "a", NULL, "lost", cancelled, on_stored, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (result.ok);
  result_clear (&result);
  assert_lookup (secrets, "a", "kept");

  sonde_secrets_clear_async (secrets, "a", cancelled, on_cleared, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&result);
  assert_lookup (secrets, "a", "kept");

  sonde_secrets_lookup_async (secrets, "a", cancelled, on_looked_up, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result.secret);
  result_clear (&result);

  /* Cancelled in flight. */
  sonde_secrets_lookup_async (secrets, "a", cancellable, on_looked_up, &result);
  g_cancellable_cancel (cancellable);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result.secret);
  result_clear (&result);

  g_cancellable_reset (cancellable);
  sonde_secrets_store_async (secrets, "a", NULL, "maybe", cancellable, on_stored, &result);
  g_cancellable_cancel (cancellable);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&result);

  /* The object still works. */
  store (secrets, "a", "final");
  assert_lookup (secrets, "a", "final");
  clear (secrets, "a");
  assert_lookup (secrets, "a", NULL);

  g_assert_cmpint (sonde_secrets_get_session_only (secrets), ==, expect_session_only (fixture));
  g_assert_finalize_object (g_steal_pointer (&secrets));
}

/* The secret is in no file under the test's HOME and XDG dirs: not in
 * memory-only mode, and not in clear in the keyring's files. */
static void
test_canary (Fixture *fixture)
{
  g_autoptr(SondeSecrets) secrets = sonde_secrets_new ();
  g_autofree char *found = NULL;
  guint n_read;

  /* The search can fail: it finds a marker we put there. */
  write_file (fixture->dir, "control", "a line with " CONTROL_MARKER " in it\n");
  found = grep_user_dirs (CONTROL_MARKER, &n_read);
  g_assert_nonnull (found);
  g_assert_true (g_str_has_suffix (found, "/control"));
  g_clear_pointer (&found, g_free);

  store (secrets, "canary", CANARY);
  assert_lookup (secrets, "canary", CANARY);
  g_assert_cmpint (sonde_secrets_get_session_only (secrets), ==, expect_session_only (fixture));

  if (fixture->env == ENV_KEYRING)
    {
      g_autofree char *login = g_build_filename (g_get_user_data_dir (), "keyrings",
                                                 "login.keyring", NULL);

      /* The keyring wrote the item to its file before it answered. */
      g_assert_true (g_file_test (login, G_FILE_TEST_IS_REGULAR));
    }

  found = grep_user_dirs (CANARY, &n_read);
  g_assert_cmpstr (found, ==, NULL);
  g_assert_cmpuint (n_read, >=, 1);
  g_test_message ("%u files searched for the canary", n_read);

  g_assert_finalize_object (g_steal_pointer (&secrets));
}

/* Memory is per object: what one stores, another does not see. */
static void
test_session_only_per_object (Fixture *fixture)
{
  g_autoptr(SondeSecrets) first = sonde_secrets_new ();
  g_autoptr(SondeSecrets) second = sonde_secrets_new ();
  guint *n_first = count_session_only_notify (first);
  guint *n_second = count_session_only_notify (second);

  store (first, "a", "only in the first");
  g_assert_true (sonde_secrets_get_session_only (first));
  g_assert_cmpuint (*n_first, ==, 1);
  g_assert_false (sonde_secrets_get_session_only (second));

  /* A lookup finds out too, and finds nothing. */
  assert_lookup (second, "a", NULL);
  g_assert_true (sonde_secrets_get_session_only (second));
  g_assert_cmpuint (*n_second, ==, 1);

  store (second, "b", "only in the second");
  assert_lookup (first, "b", NULL);
  assert_lookup (first, "a", "only in the first");
  assert_lookup (second, "b", "only in the second");

  g_assert_cmpuint (*n_first, ==, 1);
  g_assert_cmpuint (*n_second, ==, 1);
  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
}

/* A keyring that is there but cannot be unlocked is an error, every time:
 * no fallback to memory. */
static void
test_locked_is_an_error (Fixture *fixture)
{
  g_autoptr(SondeSecrets) secrets = sonde_secrets_new ();
  guint *n_notify = count_session_only_notify (secrets);
  Result result = { 0, };

  for (guint i = 0; i < 2; i++)
    {
      sonde_secrets_store_async (secrets, "locked", NULL, "nowhere", NULL, on_stored, &result);
      SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
      g_assert_error (result.error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED);
      g_assert_false (result.ok);
      result_clear (&result);
      g_assert_false (sonde_secrets_get_session_only (secrets));
    }

  /* libsecret answers a lookup in a locked keyring with nothing. */
  sonde_secrets_lookup_async (secrets, "locked", NULL, on_looked_up, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_null (result.secret);
  result_clear (&result);

  g_assert_false (sonde_secrets_get_session_only (secrets));
  g_assert_cmpuint (*n_notify, ==, 0);
  g_assert_finalize_object (g_steal_pointer (&secrets));
}

/* A locked keyring: the store's error says so in words; what the user
 * chose to keep for this session is found by lookups, and a clear forgets
 * it. */
static void
test_locked_keep_for_session (Fixture *fixture)
{
  g_autoptr(SondeSecrets) secrets = sonde_secrets_new ();
  Result result = { 0, };

  sonde_secrets_store_async (secrets, "locked", NULL, "kept", NULL, on_stored, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_error (result.error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED);
  g_assert_true (g_str_has_prefix (result.error->message, "the keyring is locked"));
  result_clear (&result);

  sonde_secrets_keep_for_session (secrets, "locked", "kept");
  assert_lookup (secrets, "locked", "kept");
  assert_lookup (secrets, "other", NULL);
  g_assert_false (sonde_secrets_get_session_only (secrets));

  clear (secrets, "locked");
  assert_lookup (secrets, "locked", NULL);
  g_assert_finalize_object (g_steal_pointer (&secrets));
}

/* SONDE_SECRETS_BACKEND=refuse (for tests): every store fails, with a
 * reason; nothing falls back to memory unless kept for the session. */
static void
test_refuse_backend (Fixture *fixture)
{
  g_autoptr(SondeSecrets) secrets = NULL;
  Result result = { 0, };

  g_setenv ("SONDE_SECRETS_BACKEND", "refuse", TRUE);
  secrets = sonde_secrets_new ();
  g_unsetenv ("SONDE_SECRETS_BACKEND");

  sonde_secrets_store_async (secrets, "p", NULL, "lost?", NULL, on_stored, &result);
  SONDE_TEST_ASSERT_WAIT (result.done, WAIT_MS);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (result.error->message, "SONDE_SECRETS_BACKEND=refuse"));
  result_clear (&result);
  assert_lookup (secrets, "p", NULL);

  sonde_secrets_keep_for_session (secrets, "p", "kept");
  assert_lookup (secrets, "p", "kept");
  clear (secrets, "p");
  assert_lookup (secrets, "p", NULL);
  g_assert_finalize_object (g_steal_pointer (&secrets));
}

static const TestCase tests[] = {
  { "/secrets/keyring/round-trip", ENV_KEYRING, test_round_trip },
  { "/secrets/keyring/shared", ENV_KEYRING, test_keyring_shared },
  { "/secrets/keyring/profiles-apart", ENV_KEYRING, test_profiles_apart },
  { "/secrets/keyring/unicode", ENV_KEYRING, test_unicode },
  { "/secrets/keyring/cancel", ENV_KEYRING, test_cancel },
  { "/secrets/keyring/canary", ENV_KEYRING, test_canary },
  { "/secrets/locked/is-an-error", ENV_LOCKED_KEYRING, test_locked_is_an_error },
  { "/secrets/locked/keep-for-session", ENV_LOCKED_KEYRING, test_locked_keep_for_session },
  { "/secrets/no-bus/refuse-backend", ENV_NO_BUS, test_refuse_backend },
  { "/secrets/no-bus/round-trip", ENV_NO_BUS, test_round_trip },
  { "/secrets/no-bus/per-object", ENV_NO_BUS, test_session_only_per_object },
  { "/secrets/no-bus/profiles-apart", ENV_NO_BUS, test_profiles_apart },
  { "/secrets/no-bus/unicode", ENV_NO_BUS, test_unicode },
  { "/secrets/no-bus/cancel", ENV_NO_BUS, test_cancel },
  { "/secrets/no-bus/canary", ENV_NO_BUS, test_canary },
  { "/secrets/no-service/round-trip", ENV_NO_SERVICE, test_round_trip },
  { "/secrets/no-service/per-object", ENV_NO_SERVICE, test_session_only_per_object },
  { "/secrets/broken-service/round-trip", ENV_BROKEN_SERVICE, test_round_trip },
};

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add_data_func (tests[i].path, &tests[i], run_test);

  return g_test_run ();
}
