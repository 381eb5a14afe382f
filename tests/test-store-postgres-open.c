/* test-store-postgres-open.c: opening SondeStorePostgres against a real
 * PostgreSQL: the errors for a wrong or missing password, a missing
 * database, an unreachable server, a newer or foreign schema; reading only;
 * stores named by URI; and sonde-cli recording into a database and reading
 * it back with a URI
 *
 * One server for the whole run (sonde-test-postgres.c), each case in a
 * database of its own; test-store-postgres.c covers what is stored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "sonde-demo-server.h"
#include "sonde-store-postgres.h"
#include "sonde-store-sqlite.h"
#include "sonde-store-uri.h"
#include "sonde-test-postgres.h"
#include "sonde-test-util.h"

#define START_US G_GINT64_CONSTANT (1700000000000000)

static SondeTestPostgres *server;

static char *
new_database (const char *name)
{
  g_autoptr(GError) error = NULL;
  char *uri = sonde_test_postgres_new_database (server, name, &error);

  g_assert_no_error (error);
  return uri;
}

static SondeStore *
open_store (const char *uri)
{
  g_autoptr(GError) error = NULL;
  SondeStorePostgres *store = sonde_store_postgres_open (uri, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return SONDE_STORE (store);
}

static guint64
stored_records (const char *uri,
                gint64      id)
{
  g_autoptr(SondeStorePostgres) reader = sonde_store_postgres_open_reader (uri, NULL);
  g_autoptr(SondeStoreSession) session = NULL;

  if (reader == NULL)
    return 0;
  session = sonde_store_get_session (SONDE_STORE (reader), id, NULL);
  return session != NULL ? session->records : 0;
}

static void
assert_open_fails (const char      *uri,
                   SondeStoreError  code)
{
  g_autoptr(GError) error = NULL;
  SondeStorePostgres *store = sonde_store_postgres_open (uri, &error);

  g_assert_null (store);
  g_assert_error (error, SONDE_STORE_ERROR, (int) code);
  g_test_message ("%s: %s", uri, error->message);
  /* Never the password, in any message. */
  g_assert_null (strstr (error->message, SONDE_TEST_POSTGRES_PASSWORD));
  g_assert_null (strstr (error->message, "wrong-password"));
  g_clear_error (&error);
  store = sonde_store_postgres_open_reader (uri, &error);
  g_assert_null (store);
  g_assert_error (error, SONDE_STORE_ERROR, (int) code);
  g_assert_null (strstr (error->message, SONDE_TEST_POSTGRES_PASSWORD));
  g_assert_null (strstr (error->message, "wrong-password"));
}

static void
test_connect_errors (void)
{
  guint16 port = sonde_test_postgres_port (server);
  g_autofree char *wrong = g_strdup_printf ("postgresql://sonde:wrong-password@127.0.0.1:%u/postgres", port);
  g_autofree char *none = g_strdup_printf ("postgresql://sonde@127.0.0.1:%u/postgres", port);
  g_autofree char *param = g_strdup_printf ("postgresql://sonde@127.0.0.1:%u/postgres?password=wrong-password", port);
  g_autofree char *missing = sonde_test_postgres_uri (server, "no_such_database");
  g_autofree char *unreachable = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  guint16 closed_port;

  /* A port nobody listens on: bound, never listening. */
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
    g_assert_no_error (error);
    g_assert_true (g_socket_bind (socket, any, FALSE, &error));
    bound = g_socket_get_local_address (socket, &error);
    closed_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  }
  unreachable = g_strdup_printf ("postgresql://sonde:%s@127.0.0.1:%u/postgres", SONDE_TEST_POSTGRES_PASSWORD,
                                 closed_port);

  assert_open_fails (wrong, SONDE_STORE_ERROR_AUTH_FAILED);
  assert_open_fails (param, SONDE_STORE_ERROR_AUTH_FAILED);
  assert_open_fails (none, SONDE_STORE_ERROR_AUTH_FAILED);
  assert_open_fails (missing, SONDE_STORE_ERROR_NOT_FOUND);
  assert_open_fails (unreachable, SONDE_STORE_ERROR_UNREACHABLE);

  /* The masked URI names the server, not the password. */
  {
    g_autofree char *masked = sonde_store_uri_mask (wrong);

    g_assert_null (strstr (masked, "wrong-password"));
    g_assert_nonnull (strstr (masked, "127.0.0.1"));
  }
}

/* A database with tables of our names that are not ours, or a schema
 * from a newer Sonde, is refused and left as it is. */
static void
test_foreign_schema (void)
{
  g_autofree char *foreign = new_database ("theirs");
  g_autofree char *newer = new_database ("newer");
  g_autofree char *bare = new_database ("bare");
  g_autoptr(GError) error = NULL;

  g_assert_true (sonde_test_postgres_sql (server, "theirs",
                                          "CREATE TABLE sessions (id serial PRIMARY KEY, name text);"
                                          "INSERT INTO sessions (name) VALUES ('theirs')", &error));
  g_assert_no_error (error);
  assert_open_fails (foreign, SONDE_STORE_ERROR_CORRUPT);
  g_assert_true (sonde_test_postgres_sql (server, "theirs",
                                          "DO $$ BEGIN IF (SELECT name FROM sessions) <> 'theirs'"
                                          " OR to_regclass('chunks') IS NOT NULL THEN RAISE 'touched'; END IF; END $$",
                                          &error));
  g_assert_no_error (error);

  /* Ours, but with a column changed. */
  {
    g_autoptr(SondeStore) store = open_store (bare);
  }
  g_assert_true (sonde_test_postgres_sql (server, "bare", "ALTER TABLE chunks DROP COLUMN n", &error));
  g_assert_no_error (error);
  assert_open_fails (bare, SONDE_STORE_ERROR_CORRUPT);

  {
    g_autoptr(SondeStore) store = open_store (newer);
  }
  g_assert_true (sonde_test_postgres_sql (server, "newer", "UPDATE schema_version SET version = 99", &error));
  g_assert_no_error (error);
  assert_open_fails (newer, SONDE_STORE_ERROR_NEWER_VERSION);
}

static void
test_read_only (void)
{
  g_autofree char *uri = new_database ("readonly");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeStore) store = open_store (uri);
  g_autoptr(SondeStore) reader = NULL;
  SondeRecord record = { .seq = 1, .wall_us = START_US, .direction = SONDE_DIRECTION_IN,
                         .kind = SONDE_MESSAGE_KIND_TEXT, .size = 1, .stored_size = 1, .data = (const guint8 *) "x" };
  gint64 id = 0;

  g_assert_true (sonde_store_begin_session (store, NULL, NULL, "ws://h/", START_US, &id, &error));
  g_assert_true (sonde_store_append (store, id, &record, 1, &error));
  g_assert_no_error (error);
  reader = sonde_store_open_uri (uri, SONDE_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (SONDE_IS_STORE_POSTGRES (reader));
  g_assert_true (sonde_store_is_read_only (reader));
  g_assert_false (sonde_store_begin_session (reader, NULL, NULL, "ws://h/", START_US, &id, &error));
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (sonde_store_append (reader, id, &record, 1, &error));
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (sonde_store_delete_session (reader, id, &error));
  g_assert_error (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  /* The server refuses writes on its connection too. */
  g_assert_cmpuint (stored_records (uri, id), ==, 1);
}

static void
test_uri (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sonde-uri-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "a.sqlite", NULL);
  g_autofree char *prefixed = g_strconcat ("sqlite:", path, NULL);
  g_autofree char *pg = sonde_test_postgres_uri (server, "postgres");
  g_autofree char *pg_short = NULL;
  g_autofree char *out = NULL;
  g_autoptr(SondeStore) a = NULL;
  g_autoptr(SondeStore) b = NULL;

  g_assert_false (sonde_store_uri_is_remote (path));
  g_assert_true (sonde_store_uri_is_remote ("postgres://h/db"));
  g_assert_true (sonde_store_uri_is_remote ("postgresql://h/db"));
  out = sonde_store_uri_dup_path (prefixed);
  g_assert_cmpstr (out, ==, path);
  g_clear_pointer (&out, g_free);
  g_assert_null (sonde_store_uri_dup_path (pg));
  out = sonde_store_uri_mask (pg);
  g_assert_null (strstr (out, SONDE_TEST_POSTGRES_PASSWORD));

  a = sonde_store_open_uri (prefixed, SONDE_STORE_OPEN_WRITE, &error);
  g_assert_no_error (error);
  g_assert_true (SONDE_IS_STORE_SQLITE (a));
  b = sonde_store_open_uri (path, SONDE_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (SONDE_IS_STORE_SQLITE (b));
  g_assert_true (sonde_store_is_read_only (b));
  g_clear_object (&a);
  g_clear_object (&b);

  pg_short = g_strdup_printf ("postgres://%s:%s@127.0.0.1:%u/postgres", SONDE_TEST_POSTGRES_USER,
                              SONDE_TEST_POSTGRES_PASSWORD, sonde_test_postgres_port (server));
  a = sonde_store_open_uri (pg_short, SONDE_STORE_OPEN_WRITE, &error);
  g_assert_no_error (error);
  g_assert_true (SONDE_IS_STORE_POSTGRES (a));
  g_assert_null (strstr (sonde_store_postgres_get_masked_uri (SONDE_STORE_POSTGRES (a)), SONDE_TEST_POSTGRES_PASSWORD));
  g_clear_object (&a);

  /* A "key=value" string: shown from its parts, the password masked. */
  {
    g_autofree char *conninfo = g_strdup_printf ("host=127.0.0.1 port=%u user=%s password=%s dbname=postgres",
                                                 sonde_test_postgres_port (server), SONDE_TEST_POSTGRES_USER,
                                                 SONDE_TEST_POSTGRES_PASSWORD);
    g_autoptr(SondeStorePostgres) store = sonde_store_postgres_open (conninfo, &error);

    g_assert_no_error (error);
    g_assert_null (strstr (sonde_store_postgres_get_masked_uri (store), SONDE_TEST_POSTGRES_PASSWORD));
    g_assert_nonnull (strstr (sonde_store_postgres_get_masked_uri (store), "host=127.0.0.1"));
  }
  sonde_test_remove_dir (dir);
}

/* Runs $SONDE_CLI with @args; its exit status, stdout and stderr. */
static int
run_cli (const char * const  *args,
         char               **out,
         char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SONDE_CLI"));
  g_assert_nonnull (argv->pdata[0]);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error));
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

/* sonde-cli record --output URI, then history list, search and export
 * --db URI; a wrong password is an error that names the fault, not the
 * password. */
static void
test_cli (void)
{
  g_autofree char *uri = new_database ("cli");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeDemoServer) demo = sonde_demo_server_new ();
  g_autofree char *url = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *wrong = g_strdup_printf ("postgresql://sonde:wrong-password@127.0.0.1:%u/cli",
                                            sonde_test_postgres_port (server));
  int status;

  g_assert_true (sonde_demo_server_start (demo, 0, &error));
  g_assert_no_error (error);
  url = sonde_demo_server_dup_url (demo, "/ticker");

  {
    const char * const args[] = { "record", url, "--output", uri, "--count", "20", "--quiet", "--timeout", "30", NULL };

    status = run_cli (args, &out, &err);
    g_test_message ("record: %s", err);
    g_assert_cmpint (status, ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char * const args[] = { "history", "list", "--db", uri, NULL };

    status = run_cli (args, &out, &err);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (out, "\"id\":1"));
    g_assert_nonnull (strstr (out, url));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char * const args[] = { "history", "search", "tick", "--db", uri, "--limit", "5", NULL };
    guint lines = 0;

    status = run_cli (args, &out, &err);
    for (const char *p = out; *p != '\0'; p++)
      lines += *p == '\n';
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpuint (lines, ==, 5);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char * const args[] = { "history", "export", "1", "--db", uri, "--format", "jsonl", NULL };

    status = run_cli (args, &out, &err);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (out, "\"kind\":\"text\""));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char * const args[] = { "history", "list", "--db", wrong, NULL };

    status = run_cli (args, &out, &err);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "refused the user or the password"));
    g_assert_null (strstr (err, "wrong-password"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char * const args[] = { "history", "export", "99", "--db", uri, NULL };

    status = run_cli (args, &out, &err);
    g_assert_cmpint (status, ==, 1);
    g_assert_null (strstr (err, SONDE_TEST_POSTGRES_PASSWORD));
  }
  sonde_demo_server_stop (demo);
}


int
main (int    argc,
      char **argv)
{
  int status;

  sonde_test_init (&argc, &argv);
  server = sonde_test_postgres_start_or_skip ();
  if (server == NULL)
    return 0;

  g_test_add_func ("/store-postgres/connect-errors", test_connect_errors);
  g_test_add_func ("/store-postgres/foreign-schema", test_foreign_schema);
  g_test_add_func ("/store-postgres/read-only", test_read_only);
  g_test_add_func ("/store-postgres/uri", test_uri);
  g_test_add_func ("/store-postgres/cli", test_cli);
  status = g_test_run ();
  sonde_test_postgres_free (server);
  return status;
}
