/* sonde-test-util.h: what every Sonde test needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-connection.h"

G_BEGIN_DECLS

typedef gboolean (*SondeTestCondition) (gpointer data);

void      sonde_test_init       (int                 *argc,
                                 char              ***argv);
void      sonde_test_init_gui   (int                 *argc,
                                 char              ***argv);
void      sonde_test_finish_gui (void);
gboolean  sonde_test_wait_for   (SondeTestCondition   condition,
                                 gpointer             data,
                                 guint                timeout_ms);
void      sonde_test_spin       (guint                ms);

/* Closed, failed or disconnected: the connection will not change again
 * by itself. */
gboolean  sonde_test_connection_is_final (SondeConnection  *connection);
/* Records of @direction and @kind in the connection's log. */
guint     sonde_test_count_records       (SondeConnection  *connection,
                                          SondeDirection    direction,
                                          SondeMessageKind  kind);

/* Spins the default main context until EXPR holds or TIMEOUT_MS pass;
 * evaluates to whether EXPR held. Never a sleep: the loop wakes on events
 * and at least every 10 ms to look again. */
#define SONDE_TEST_WAIT(expr, timeout_ms)                                      \
  ({                                                                           \
    gint64 _deadline = g_get_monotonic_time () + (gint64) (timeout_ms) * 1000; \
    guint _tick = g_timeout_add (10, sonde_test_tick, NULL);                   \
    gboolean _ok;                                                              \
    while (!(_ok = !!(expr)) && g_get_monotonic_time () < _deadline)           \
      g_main_context_iteration (NULL, TRUE);                                   \
    g_source_remove (_tick);                                                   \
    _ok;                                                                       \
  })

#define SONDE_TEST_ASSERT_WAIT(expr, timeout_ms)                               \
  G_STMT_START {                                                               \
    if (!SONDE_TEST_WAIT (expr, timeout_ms))                                   \
      g_error ("timed out after %d ms waiting for %s", (int) (timeout_ms), #expr); \
  } G_STMT_END

gboolean  sonde_test_tick       (gpointer             data);

G_END_DECLS
