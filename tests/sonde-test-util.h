/* sonde-test-util.h: what every Sonde test needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

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

char     *sonde_test_record_problems (const char *lines);
void      sonde_test_assert_records  (const char *lines);
void      sonde_test_assert_log_records (SondeMessageLog *log);

/* A record whose payload is a JSON object (an event), parsed; fails on
 * anything else. */
JsonObject *sonde_test_parse_record (const SondeRecord *record);
/* Every event of the connection's log but the handshake, in the test log,
 * each cut at @max_bytes. */
void        sonde_test_dump_events  (SondeConnection   *connection,
                                     gsize              max_bytes);

/* Memory, for tests that bound what a case may cost.
 *
 * Under valgrind or ASan, the checker's own memory (shadow, quarantine of
 * freed blocks) counts in the resident size and everything runs many
 * times slower: tests report, and do not check, peaks and timings there. */
gboolean  sonde_test_under_memory_checker (void);
/* A /proc/self/status size field ("VmHWM:", "VmRSS:"), in bytes; 0 when
 * it cannot be read. */
guint64   sonde_test_memory_status        (const char *field);
/* Resets the peak resident size (VmHWM, by writing 5 to
 * /proc/self/clear_refs) and returns the resident size then, in bytes;
 * 0 when the peak could not be reset. */
guint64   sonde_test_memory_mark          (void);
/* Reports in the test log how far the peak resident size grew above
 * @before (from sonde_test_memory_mark()) and fails unless it grew by at
 * most @budget bytes; only reports when either size is unknown (0) or
 * under a memory checker. */
void      sonde_test_assert_peak_growth   (guint64     before,
                                           guint64     budget);

/* A connected TCP pair on 127.0.0.1: the accepted side in @server, the
 * connecting side in @client. Fails after 20 s. */
void      sonde_test_loopback_pair        (GSocketConnection **server,
                                           GSocketConnection **client);

/* Property notifications, for any GObject (a connection, a session).
 *
 * A recorder counts notify::PROPERTY on an object from its creation on,
 * keeping a copy of the property's value at each notification. */
typedef struct _SondeTestNotifyRecorder SondeTestNotifyRecorder;

SondeTestNotifyRecorder *sonde_test_notify_recorder_new      (GObject                 *object,
                                                              const char              *property);
guint                    sonde_test_notify_recorder_get_count (SondeTestNotifyRecorder *self);
const GValue            *sonde_test_notify_recorder_get_value (SondeTestNotifyRecorder *self,
                                                               guint                    index);
/* Fails unless every notification carried a value different from the one
 * before it (the first from the value when the recorder was made). */
void                     sonde_test_notify_recorder_assert_changes (SondeTestNotifyRecorder *self);
void                     sonde_test_notify_recorder_free     (SondeTestNotifyRecorder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeTestNotifyRecorder, sonde_test_notify_recorder_free)

/* Whether two values of @pspec's type are the same value: string vectors
 * by their contents, everything else as g_param_values_cmp() sees it. */
gboolean  sonde_test_values_equal       (GParamSpec           *pspec,
                                         const GValue         *a,
                                         const GValue         *b);

/* For a writable property: setting @new_value (which must differ from the
 * current value) emits exactly one notify::@property and reads back as
 * @new_value; setting it again emits none. */
void      sonde_test_assert_notifies    (GObject              *object,
                                         const char           *property,
                                         const GValue         *new_value);

typedef void (*SondeTestAction) (gpointer data);

/* For any property, read-only ones included: runs @action and fails
 * unless it emitted exactly @expected notify::@property, each for a real
 * change of value. */
void      sonde_test_assert_notifies_during (GObject          *object,
                                             const char       *property,
                                             SondeTestAction   action,
                                             gpointer          data,
                                             guint             expected);

/* Removes @dir and everything in it (a test's temporary folder), failing
 * the test on a file that cannot be removed. */
void      sonde_test_remove_dir           (const char *dir);

/* A SoupServer on 127.0.0.1, on a port of its own, running in a thread
 * with its own main context: for tests whose client runs on the default
 * main context (or blocks it). @setup runs in that thread before it
 * listens, to add handlers; handlers run in that thread too, so what they
 * share with the test goes through sonde_test_server_invoke() or a lock. */
typedef struct _SondeTestServer SondeTestServer;
typedef void (*SondeTestServerSetup) (SoupServer *server,
                                      gpointer    data);

SondeTestServer *sonde_test_server_new      (SondeTestServerSetup  setup,
                                             gpointer              data);
guint16          sonde_test_server_get_port (SondeTestServer      *self);
/* "@scheme://127.0.0.1:port@path" */
char            *sonde_test_server_dup_url  (SondeTestServer      *self,
                                             const char           *scheme,
                                             const char           *path);
/* Runs @func in the server's thread and returns once it has. */
void             sonde_test_server_invoke   (SondeTestServer      *self,
                                             GSourceFunc           func,
                                             gpointer              data);
/* Stops the thread; the SoupServer is finalized in it. */
void             sonde_test_server_free     (SondeTestServer      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeTestServer, sonde_test_server_free)

/* @text gzip-compressed by GLib's zlib (not by Sonde). */
GBytes          *sonde_test_gzip            (const char           *text);

G_END_DECLS
