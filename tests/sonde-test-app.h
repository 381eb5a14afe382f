/* sonde-test-app.h: what the tests of the protocol modes share: reading a
 * mode's views back, their Node peers (one a case, or one for the whole
 * program), sessions connected to them, sonde-cli's output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-series.h"
#include "sonde-session.h"
#include "sonde-test-peer.h"

G_BEGIN_DECLS

/* Messages of @direction (TEXT or BINARY) in @session's log whose view has
 * the label @label (NULL: any); only automatic ones when @automatic. */
guint     sonde_test_app_count          (SondeSession   *session,
                                         SondeDirection  direction,
                                         const char     *label,
                                         gboolean        automatic);
/* Text messages of @direction whose view has the label @label: how many,
 * of which upkeep and automatic, and the log's seq of the first and the
 * last. */
typedef struct {
  guint    n;
  guint    n_upkeep;
  guint    n_auto;
  guint64  first_seq;
  guint64  last_seq;
} SondeTestAppCount;

SondeTestAppCount sonde_test_app_count_labelled (SondeSession   *session,
                                                 SondeDirection  direction,
                                                 const char     *label);
/* Events of @kind in @session's log. */
guint     sonde_test_app_count_events   (SondeSession     *session,
                                         SondeMessageKind  kind);
/* Every message of @direction from @from_seq on, one line each:
 * "decoded LABEL [upkeep] JSON", "failed ERROR" or "raw". */
GPtrArray *sonde_test_app_describe      (SondeSession   *session,
                                         SondeDirection  direction,
                                         guint64         from_seq);
/* Whether an error event of @session's log holds @text. */
gboolean  sonde_test_app_has_error      (SondeSession   *session,
                                         const char     *text);

/* Runs $SONDE_CLI with @args (NULL-terminated, after the program) and
 * returns what it printed on stdout, one line each; fails unless it exits
 * with 0 (give it a --timeout). */
GPtrArray *sonde_test_app_run_cli       (const char * const *args);

/* How long the protocol modes' tests wait for anything. */
#define SONDE_TEST_APP_WAIT_MS 20000

/* Starts tests/servers/@script on Node with "--port @port" (unless 0: any
 * free port) and @args (NULL-terminated, or NULL); NULL, the test skipped
 * saying why, when it cannot start. */
SondeTestPeer *sonde_test_app_start_peer  (const char         *script,
                                           guint16             port,
                                           const char * const *args);
/* Stops @peer, failing unless it exits cleanly, and frees it. */
void      sonde_test_app_stop_peer      (SondeTestPeer  *peer);
/* Stops and frees *@peer (cleared) and waits until @session's connection
 * is no longer open: the first half of "the server restarts". */
void      sonde_test_app_drop_peer      (SondeTestPeer **peer,
                                         SondeSession   *session);
/* The next line @peer prints that starts with @prefix; fails when none
 * comes within SONDE_TEST_APP_WAIT_MS. */
char     *sonde_test_app_read_line      (SondeTestPeer  *peer,
                                         const char     *prefix);
/* Connects @session to @path on @peer; fails unless the connection
 * starts. */
void      sonde_test_app_connect        (SondeSession   *session,
                                         SondeTestPeer  *peer,
                                         const char     *path);

/* One peer for all the cases of a test program: started in main() before
 * the cases are added (not a failure when it cannot start: each case that
 * needs it is skipped then), stopped by sonde_test_app_run(). */
void      sonde_test_app_share_peer     (const char         *script,
                                         const char * const *args);
/* The shared peer (borrowed); NULL, the test skipped saying why the peer
 * did not start. */
SondeTestPeer *sonde_test_app_get_peer  (void);
/* The shared peer restarts on its port with @args (after the port): it
 * stops, @session's connection closes, a new one starts. */
void      sonde_test_app_restart_peer   (SondeSession       *session,
                                         const char * const *args);
/* g_test_run(), then stops the shared peer; returns g_test_run()'s status. */
int       sonde_test_app_run            (void);

/* Fails unless sonde-cli printed five lines whose "values" member has
 * prices at @path (of ticks 100.25 + 1.5 i): consecutive ones, and from
 * the first tick on when @from_first. */
void      sonde_test_app_assert_prices  (GPtrArray      *lines,
                                         const char     *path,
                                         gboolean        from_first);

/* Waits until @series holds @n points and fails unless they are the
 * peers' ticks: 100.25 and more, 1.5 apart. */
void      sonde_test_app_assert_ticks   (SondeSeries    *series,
                                         guint           n);
/* Runs sonde-cli connect (@path on @peer) --app-protocol @mode --subscribe
 * @subscription --extract @extract --count 5 and fails unless it prints
 * five prices as sonde_test_app_assert_prices() checks them. */
void      sonde_test_app_assert_cli_prices (SondeTestPeer  *peer,
                                            const char     *path,
                                            const char     *mode,
                                            const char     *subscription,
                                            const char     *extract,
                                            gboolean        from_first);

G_END_DECLS
