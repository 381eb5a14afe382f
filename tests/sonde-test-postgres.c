/* sonde-test-postgres.c: a real PostgreSQL server for a test
 *
 * initdb makes a cluster in a fresh temporary directory (no fsync: a test's
 * data need not survive the machine, only the server), with scram-sha-256
 * for every connection, listening on 127.0.0.1 only (no Unix socket), on a
 * port that was free; pg_ctl starts and stops it and waits for it. As root
 * the server runs as an unprivileged user (runuser), which owns the
 * directory. A watchdog (sh, in a session of its own) holds the read end of
 * a pipe whose write end only this process holds: when this process ends,
 * whatever way (a runner killing its process group included), the pipe
 * closes, and the watchdog stops the server and removes the directory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sonde-test-postgres.h"

struct _SondeTestPostgres
{
  char    *bin;       /* PostgreSQL's programs */
  char    *user;      /* the user the server runs as, NULL: this process's */
  char    *dir;       /* the temporary directory */
  char    *data;      /* the cluster: dir/data */
  char    *log;       /* the server's log: dir/log */
  guint16  port;
  GPid     watchdog;
  int      watchdog_fd;
  gboolean running;
};

/* argv, run as the server's user when there is one. */
static GPtrArray *
command_new (SondeTestPostgres *self,
             const char        *program)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  if (self->user != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("runuser"));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup (self->user));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_build_filename (self->bin, program, NULL));
  return argv;
}

static gboolean
run (GPtrArray  *argv,
     GError    **error)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, &out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *line = g_strjoinv (" ", (char **) argv->pdata);

      g_set_error (error, G_SPAWN_EXIT_ERROR, 1, "%s failed: %s%s", line, out != NULL ? out : "", err != NULL ? err : "");
      return FALSE;
    }
  return TRUE;
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  if (socket == NULL || !g_socket_bind (socket, any, FALSE, NULL))
    return 0;
  bound = g_socket_get_local_address (socket, NULL);
  return bound != NULL ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) : 0;
}

static gboolean
start_server (SondeTestPostgres  *self,
              GError            **error)
{
  g_autoptr(GPtrArray) argv = command_new (self, "pg_ctl");

  g_ptr_array_add (argv, g_strdup ("-D"));
  g_ptr_array_add (argv, g_strdup (self->data));
  g_ptr_array_add (argv, g_strdup ("-l"));
  g_ptr_array_add (argv, g_strdup (self->log));
  g_ptr_array_add (argv, g_strdup ("-w"));
  g_ptr_array_add (argv, g_strdup ("-t"));
  g_ptr_array_add (argv, g_strdup ("60"));
  g_ptr_array_add (argv, g_strdup ("start"));
  if (!run (argv, error))
    return FALSE;
  self->running = TRUE;
  return TRUE;
}

gboolean
sonde_test_postgres_stop (SondeTestPostgres  *self,
                          const char         *mode,
                          GError            **error)
{
  g_autoptr(GPtrArray) argv = command_new (self, "pg_ctl");

  g_ptr_array_add (argv, g_strdup ("-D"));
  g_ptr_array_add (argv, g_strdup (self->data));
  g_ptr_array_add (argv, g_strdup ("-m"));
  g_ptr_array_add (argv, g_strdup (mode));
  g_ptr_array_add (argv, g_strdup ("-w"));
  g_ptr_array_add (argv, g_strdup ("-t"));
  g_ptr_array_add (argv, g_strdup ("60"));
  g_ptr_array_add (argv, g_strdup ("stop"));
  if (!run (argv, error))
    return FALSE;
  self->running = FALSE;
  return TRUE;
}

gboolean
sonde_test_postgres_restart (SondeTestPostgres  *self,
                             GError            **error)
{
  return start_server (self, error);
}

/* The watchdog: stops the server and removes the directory once this
 * process's end of its stdin closes. */
static gboolean
start_watchdog (SondeTestPostgres  *self,
                GError            **error)
{
  g_autofree char *pg_ctl = g_build_filename (self->bin, "pg_ctl", NULL);
  g_autofree char *stop = NULL;
  g_autofree char *script = NULL;
  /* In a session of its own: a test runner that kills the test's process
   * group (meson on a timeout) does not kill the watchdog with it. */
  const char *argv[] = { "setsid", "-w", "sh", "-c", NULL, NULL };

  if (self->user != NULL)
    stop = g_strdup_printf ("runuser -u '%s' -- '%s' -D '%s' -m immediate -w stop", self->user, pg_ctl, self->data);
  else
    stop = g_strdup_printf ("'%s' -D '%s' -m immediate -w stop", pg_ctl, self->data);
  script = g_strdup_printf ("read _ignored; %s >/dev/null 2>&1; rm -rf '%s'", stop, self->dir);
  argv[4] = script;
  return g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                   G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD
                                   | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                   NULL, NULL, &self->watchdog, &self->watchdog_fd, NULL, NULL, error);
}

static gboolean
write_file (const char  *path,
            const char  *contents,
            uid_t        uid,
            gid_t        gid,
            GError     **error)
{
  if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, 0600, error))
    return FALSE;
  if (getuid () == 0 && chown (path, uid, gid) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "chown %s: %s", path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

SondeTestPostgres *
sonde_test_postgres_start (gboolean  *skip,
                           GError   **error)
{
  g_autoptr(SondeTestPostgres) self = g_new0 (SondeTestPostgres, 1);
  g_autofree char *initdb = NULL;
  g_autofree char *pwfile = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *settings = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  const char *bin = g_getenv ("SONDE_TEST_PG_BIN");
  uid_t uid = getuid ();
  gid_t gid = getgid ();

  *skip = FALSE;
  self->watchdog_fd = -1;
  self->bin = g_strdup (bin != NULL ? bin : "/usr/lib/postgresql/15/bin");
  initdb = g_build_filename (self->bin, "initdb", NULL);
  if (!g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
    {
      *skip = TRUE;
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no %s (install postgresql-15)", initdb);
      return NULL;
    }
  if (uid == 0)
    {
      struct passwd *pw = getpwnam ("sonde-test");

      if (pw == NULL)
        pw = getpwnam ("nobody");
      if (pw == NULL)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM, "running as root, and no user to run PostgreSQL as");
          return NULL;
        }
      self->user = g_strdup (pw->pw_name);
      uid = pw->pw_uid;
      gid = pw->pw_gid;
    }

  /* As root, in /tmp: a TMPDIR of root's may not let the server's user
   * through. */
  if (self->user != NULL)
    {
      self->dir = g_strdup ("/tmp/sonde-pg-XXXXXX");
      if (g_mkdtemp_full (self->dir, 0700) == NULL)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "mkdtemp: %s", g_strerror (errno));
          return NULL;
        }
    }
  else
    {
      self->dir = g_dir_make_tmp ("sonde-pg-XXXXXX", error);
      if (self->dir == NULL)
        return NULL;
    }
  if (self->user != NULL && chown (self->dir, uid, gid) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "chown %s: %s", self->dir, g_strerror (errno));
      return NULL;
    }
  self->data = g_build_filename (self->dir, "data", NULL);
  self->log = g_build_filename (self->dir, "log", NULL);
  if (!start_watchdog (self, error))
    return NULL;

  pwfile = g_build_filename (self->dir, "password", NULL);
  if (!write_file (pwfile, SONDE_TEST_POSTGRES_PASSWORD "\n", uid, gid, error))
    return NULL;
  argv = command_new (self, "initdb");
  g_ptr_array_add (argv, g_strdup ("-D"));
  g_ptr_array_add (argv, g_strdup (self->data));
  g_ptr_array_add (argv, g_strdup ("-U"));
  g_ptr_array_add (argv, g_strdup (SONDE_TEST_POSTGRES_USER));
  g_ptr_array_add (argv, g_strconcat ("--pwfile=", pwfile, NULL));
  g_ptr_array_add (argv, g_strdup ("--auth=scram-sha-256"));
  g_ptr_array_add (argv, g_strdup ("--encoding=UTF8"));
  g_ptr_array_add (argv, g_strdup ("--no-locale"));
  g_ptr_array_add (argv, g_strdup ("--no-sync"));
  g_ptr_array_add (argv, g_strdup ("--no-instructions"));
  if (!run (argv, error))
    return NULL;

  self->port = free_port ();
  conf = g_build_filename (self->data, "postgresql.conf", NULL);
  if (!g_file_get_contents (conf, &settings, NULL, error))
    return NULL;
  {
    g_autofree char *more = g_strdup_printf ("%s\n"
                                             "listen_addresses = '127.0.0.1'\n"
                                             "port = %u\n"
                                             "unix_socket_directories = ''\n"
                                             "fsync = off\n"
                                             "full_page_writes = off\n"
                                             "shared_buffers = 32MB\n"
                                             "max_connections = 30\n"
                                             "max_wal_size = 256MB\n"
                                             "lc_messages = 'C'\n",
                                             settings, self->port);

    if (!write_file (conf, more, uid, gid, error))
      return NULL;
  }
  if (!start_server (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

guint16
sonde_test_postgres_port (SondeTestPostgres *self)
{
  return self->port;
}

char *
sonde_test_postgres_uri (SondeTestPostgres *self,
                         const char        *dbname)
{
  return g_strdup_printf ("postgresql://%s:%s@127.0.0.1:%u/%s", SONDE_TEST_POSTGRES_USER,
                          SONDE_TEST_POSTGRES_PASSWORD, self->port, dbname);
}

gboolean
sonde_test_postgres_sql (SondeTestPostgres  *self,
                         const char         *dbname,
                         const char         *sql,
                         GError            **error)
{
  g_autofree char *uri = sonde_test_postgres_uri (self, dbname);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  /* psql is on this process's side: it connects over TCP like Sonde. */
  g_ptr_array_add (argv, g_build_filename (self->bin, "psql", NULL));
  g_ptr_array_add (argv, g_strdup ("-X"));
  g_ptr_array_add (argv, g_strdup ("-q"));
  g_ptr_array_add (argv, g_strdup ("-v"));
  g_ptr_array_add (argv, g_strdup ("ON_ERROR_STOP=1"));
  g_ptr_array_add (argv, g_strdup ("-d"));
  g_ptr_array_add (argv, g_strdup (uri));
  g_ptr_array_add (argv, g_strdup ("-c"));
  g_ptr_array_add (argv, g_strdup (sql));
  return run (argv, error);
}

char *
sonde_test_postgres_new_database (SondeTestPostgres  *self,
                                  const char         *name,
                                  GError            **error)
{
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s", name);

  if (!sonde_test_postgres_sql (self, "postgres", sql, error))
    return NULL;
  return sonde_test_postgres_uri (self, name);
}

void
sonde_test_postgres_free (SondeTestPostgres *self)
{
  if (self == NULL)
    return;
  if (self->running)
    sonde_test_postgres_stop (self, "fast", NULL);
  if (self->watchdog_fd >= 0)
    close (self->watchdog_fd);
  if (self->watchdog != 0)
    {
      int status;

      while (waitpid (self->watchdog, &status, 0) < 0 && errno == EINTR)
        ;
      g_spawn_close_pid (self->watchdog);
    }
  g_free (self->bin);
  g_free (self->user);
  g_free (self->dir);
  g_free (self->data);
  g_free (self->log);
  g_free (self);
}

SondeTestPostgres *
sonde_test_postgres_start_or_skip (void)
{
  g_autoptr(GError) error = NULL;
  gboolean skip = FALSE;
  SondeTestPostgres *server = sonde_test_postgres_start (&skip, &error);

  if (server == NULL && skip)
    {
      g_print ("1..0 # SKIP %s\n", error->message);
      return NULL;
    }
  g_assert_no_error (error);
  g_assert_nonnull (server);
  return server;
}
