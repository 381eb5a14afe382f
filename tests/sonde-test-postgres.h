/* sonde-test-postgres.h: a real PostgreSQL server for a test, started in a
 * temporary directory (initdb + pg_ctl) on 127.0.0.1 and a free port
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SondeTestPostgres SondeTestPostgres;

/* The superuser and its password (scram-sha-256 on every connection). */
#define SONDE_TEST_POSTGRES_USER     "sonde"
#define SONDE_TEST_POSTGRES_PASSWORD "pg-secret-4711"

/* Starts a server: initdb, then pg_ctl start, as an unprivileged user when
 * run as root (initdb refuses root): "sonde-test" when it exists, else
 * "nobody". A watchdog process stops the server and removes the directory
 * when this process ends, however it ends. NULL with *@skip set when
 * PostgreSQL is not installed (SONDE_TEST_PG_BIN or
 * /usr/lib/postgresql/15/bin); NULL with @error when it would not start. */
SondeTestPostgres *sonde_test_postgres_start   (gboolean           *skip,
                                                GError            **error);
/* For a test's main(), after g_test_init: a server, or NULL when
 * PostgreSQL is not installed, the TAP plan "1..0 # SKIP …" printed (main
 * then returns 0). A server that would not start fails the test. */
SondeTestPostgres *sonde_test_postgres_start_or_skip (void);
guint16            sonde_test_postgres_port    (SondeTestPostgres  *self);
/* postgresql://sonde:PASSWORD@127.0.0.1:PORT/@dbname */
char              *sonde_test_postgres_uri     (SondeTestPostgres  *self,
                                                const char         *dbname);
/* Creates the database @name; its URI (as sonde_test_postgres_uri()). */
char              *sonde_test_postgres_new_database (SondeTestPostgres *self,
                                                     const char        *name,
                                                     GError           **error);
/* Runs @sql (one or more statements) in the database "postgres" as the
 * superuser, with psql; FALSE (and @error holding psql's output) when it
 * fails. */
gboolean           sonde_test_postgres_sql     (SondeTestPostgres  *self,
                                                const char         *dbname,
                                                const char         *sql,
                                                GError            **error);
/* Stops the server: "fast" (a clean shutdown) or "immediate" (as if it
 * crashed), then starts it again on the same port. */
gboolean           sonde_test_postgres_stop    (SondeTestPostgres  *self,
                                                const char         *mode,
                                                GError            **error);
gboolean           sonde_test_postgres_restart (SondeTestPostgres  *self,
                                                GError            **error);
/* Stops the server and removes its directory (waits for the watchdog). */
void               sonde_test_postgres_free    (SondeTestPostgres  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeTestPostgres, sonde_test_postgres_free)

G_END_DECLS
