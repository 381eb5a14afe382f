/* sonde-test-app.h: reading a protocol mode's views back, for the tests of
 * the protocol modes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sonde-session.h"

G_BEGIN_DECLS

/* Messages of @direction (TEXT or BINARY) in @session's log whose view has
 * the label @label (NULL: any); only automatic ones when @automatic. */
guint     sonde_test_app_count          (SondeSession   *session,
                                         SondeDirection  direction,
                                         const char     *label,
                                         gboolean        automatic);
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

G_END_DECLS
