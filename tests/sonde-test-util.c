/* sonde-test-util.c: what every Sonde test needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "sonde-log-export.h"
#include "sonde-test-util.h"

/* g_test_init with HOME and the XDG directories in a fresh temporary
 * directory, so no test reads or writes the user's files. */
void
sonde_test_init (int    *argc,
                 char ***argv)
{
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
}

static char *gui_home;

/* For tests with a display: the user's directories go to a fresh temporary
 * directory, but the system data directories stay, because GTK needs the
 * shared MIME database (to load SVG icons) and the icon themes from them.
 * G_TEST_OPTION_ISOLATE_DIRS would hide both. */
void
sonde_test_init_gui (int    *argc,
                     char ***argv)
{
  g_autoptr(GError) error = NULL;
  static const struct {
    const char *variable;
    const char *subdir;
  } dirs[] = {
    { "HOME", "home" },
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_DATA_HOME", "data" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_STATE_HOME", "state" },
    { "XDG_RUNTIME_DIR", "runtime" },
  };

  g_test_init (argc, argv, NULL);

  gui_home = g_dir_make_tmp ("sonde-test-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (gui_home, dirs[i].subdir, NULL);

      g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
      g_setenv (dirs[i].variable, path, TRUE);
    }
}

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);

  if (children != NULL)
    {
      GFileInfo *info;
      GFile *child;

      while (g_file_enumerator_iterate (children, &info, &child, NULL, NULL) && info != NULL)
        remove_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

/* Removes what sonde_test_init_gui() made. */
void
sonde_test_finish_gui (void)
{
  g_autoptr(GFile) home = NULL;

  if (gui_home == NULL)
    return;

  home = g_file_new_for_path (gui_home);
  remove_tree (home);
  g_clear_pointer (&gui_home, g_free);
}

gboolean
sonde_test_tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
sonde_test_wait_for (SondeTestCondition condition,
                     gpointer           data,
                     guint              timeout_ms)
{
  return SONDE_TEST_WAIT (condition (data), timeout_ms);
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context for @ms: for tests that check that something does
 * NOT happen within a time. */
void
sonde_test_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_true, &done);
  sonde_test_wait_for (is_true, &done, ms + 5000);
}

gboolean
sonde_test_connection_is_final (SondeConnection *connection)
{
  SondeConnectionState state = sonde_connection_get_state (connection);

  return state == SONDE_CONNECTION_STATE_CLOSED ||
         state == SONDE_CONNECTION_STATE_FAILED ||
         state == SONDE_CONNECTION_STATE_DISCONNECTED;
}

guint
sonde_test_count_records (SondeConnection  *connection,
                          SondeDirection    direction,
                          SondeMessageKind  kind)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);
  guint n = 0;

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction == direction && record.kind == kind)
        n++;
    }
  return n;
}

struct _SondeTestNotifyRecorder
{
  GObject    *object;     /* strong: the recorder outlives what it watches */
  GParamSpec *pspec;
  gulong      handler;
  GValue      initial;
  GArray     *values;     /* GValue */
};

static void
clear_value (gpointer data)
{
  g_value_unset (data);
}

static void
on_recorded_notify (GObject                 *object,
                    GParamSpec              *pspec,
                    SondeTestNotifyRecorder *self)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, self->pspec->value_type);
  g_object_get_property (object, self->pspec->name, &value);
  g_array_append_val (self->values, value);
}

SondeTestNotifyRecorder *
sonde_test_notify_recorder_new (GObject    *object,
                                const char *property)
{
  SondeTestNotifyRecorder *self = g_new0 (SondeTestNotifyRecorder, 1);
  g_autofree char *signal = g_strconcat ("notify::", property, NULL);

  self->pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), property);
  if (self->pspec == NULL)
    g_error ("%s has no property “%s”", G_OBJECT_TYPE_NAME (object), property);
  g_assert_true (self->pspec->flags & G_PARAM_READABLE);

  self->object = g_object_ref (object);
  g_value_init (&self->initial, self->pspec->value_type);
  g_object_get_property (object, property, &self->initial);
  self->values = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (self->values, clear_value);
  self->handler = g_signal_connect (object, signal, G_CALLBACK (on_recorded_notify), self);
  return self;
}

guint
sonde_test_notify_recorder_get_count (SondeTestNotifyRecorder *self)
{
  return self->values->len;
}

const GValue *
sonde_test_notify_recorder_get_value (SondeTestNotifyRecorder *self,
                                      guint                    index)
{
  g_assert_cmpuint (index, <, self->values->len);
  return &g_array_index (self->values, GValue, index);
}

gboolean
sonde_test_values_equal (GParamSpec   *pspec,
                         const GValue *a,
                         const GValue *b)
{
  if (G_VALUE_TYPE (a) != G_VALUE_TYPE (b))
    return FALSE;

  if (G_VALUE_HOLDS (a, G_TYPE_STRV))
    {
      const char * const *va = g_value_get_boxed (a);
      const char * const *vb = g_value_get_boxed (b);

      if (va == NULL || vb == NULL)
        return va == vb;
      return g_strv_equal (va, vb);
    }

  return g_param_values_cmp (pspec, a, b) == 0;
}

static char *
describe_value (const GValue *value)
{
  if (G_VALUE_HOLDS (value, G_TYPE_STRV))
    {
      const char * const *strv = g_value_get_boxed (value);
      g_autofree char *joined = NULL;

      if (strv == NULL)
        return g_strdup ("NULL");
      joined = g_strjoinv ("”, “", (char **) strv);
      return g_strdup_printf ("[“%s”]", joined);
    }
  return g_strdup_value_contents (value);
}

void
sonde_test_notify_recorder_assert_changes (SondeTestNotifyRecorder *self)
{
  const GValue *previous = &self->initial;

  for (guint i = 0; i < self->values->len; i++)
    {
      const GValue *value = &g_array_index (self->values, GValue, i);

      if (sonde_test_values_equal (self->pspec, previous, value))
        {
          g_autofree char *shown = describe_value (value);

          g_error ("%s:%s notification %u of %u came without a change (still %s)",
                   G_OBJECT_TYPE_NAME (self->object), self->pspec->name, i + 1, self->values->len, shown);
        }
      previous = value;
    }
}

void
sonde_test_notify_recorder_free (SondeTestNotifyRecorder *self)
{
  g_clear_signal_handler (&self->handler, self->object);
  g_clear_object (&self->object);
  g_value_unset (&self->initial);
  g_array_unref (self->values);
  g_free (self);
}

void
sonde_test_assert_notifies (GObject      *object,
                            const char   *property,
                            const GValue *new_value)
{
  g_autoptr(SondeTestNotifyRecorder) recorder = sonde_test_notify_recorder_new (object, property);
  GValue read_back = G_VALUE_INIT;
  g_autofree char *shown = describe_value (new_value);

  g_assert_true (recorder->pspec->flags & G_PARAM_WRITABLE);
  if (sonde_test_values_equal (recorder->pspec, &recorder->initial, new_value))
    g_error ("%s:%s is %s already: give sonde_test_assert_notifies() a new value",
             G_OBJECT_TYPE_NAME (object), property, shown);

  g_object_set_property (object, property, new_value);
  if (sonde_test_notify_recorder_get_count (recorder) != 1)
    g_error ("%s:%s set to %s: %u notifications, expected 1",
             G_OBJECT_TYPE_NAME (object), property, shown, sonde_test_notify_recorder_get_count (recorder));

  g_value_init (&read_back, recorder->pspec->value_type);
  g_object_get_property (object, property, &read_back);
  if (!sonde_test_values_equal (recorder->pspec, &read_back, new_value))
    {
      g_autofree char *got = describe_value (&read_back);

      g_error ("%s:%s set to %s reads back as %s", G_OBJECT_TYPE_NAME (object), property, shown, got);
    }
  g_value_unset (&read_back);

  g_object_set_property (object, property, new_value);
  if (sonde_test_notify_recorder_get_count (recorder) != 1)
    g_error ("%s:%s set to %s a second time: %u notifications, expected none",
             G_OBJECT_TYPE_NAME (object), property, shown, sonde_test_notify_recorder_get_count (recorder) - 1);
}

void
sonde_test_assert_notifies_during (GObject         *object,
                                   const char      *property,
                                   SondeTestAction  action,
                                   gpointer         data,
                                   guint            expected)
{
  g_autoptr(SondeTestNotifyRecorder) recorder = sonde_test_notify_recorder_new (object, property);

  action (data);
  if (sonde_test_notify_recorder_get_count (recorder) != expected)
    g_error ("%s:%s: %u notifications, expected %u", G_OBJECT_TYPE_NAME (object), property,
             sonde_test_notify_recorder_get_count (recorder), expected);
  sonde_test_notify_recorder_assert_changes (recorder);
}

struct _SondeTestServer
{
  GThread              *thread;
  GMainContext         *context;
  GMainLoop            *loop;
  SondeTestServerSetup  setup;
  gpointer              setup_data;

  GMutex                lock;
  GCond                 cond;
  gboolean              listening;
  guint16               port;
};

static gpointer
server_thread (gpointer data)
{
  SondeTestServer *self = data;
  g_autoptr(GError) error = NULL;
  SoupServer *server;
  GSList *uris;

  g_main_context_push_thread_default (self->context);

  server = soup_server_new (NULL, NULL);
  if (self->setup != NULL)
    self->setup (server, self->setup_data);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);

  g_mutex_lock (&self->lock);
  self->port = (guint16) g_uri_get_port (uris->data);
  self->listening = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (self->loop);

  soup_server_disconnect (server);
  /* Let the connections it dropped finish in this context. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_assert_finalize_object (server);

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

SondeTestServer *
sonde_test_server_new (SondeTestServerSetup setup,
                       gpointer             data)
{
  SondeTestServer *self = g_new0 (SondeTestServer, 1);

  self->setup = setup;
  self->setup_data = data;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->thread = g_thread_new ("sonde-test-server", server_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->listening)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  return self;
}

guint16
sonde_test_server_get_port (SondeTestServer *self)
{
  return self->port;
}

char *
sonde_test_server_dup_url (SondeTestServer *self,
                           const char      *scheme,
                           const char      *path)
{
  return g_strdup_printf ("%s://127.0.0.1:%u%s", scheme, self->port, path);
}

typedef struct {
  SondeTestServer *server;
  GSourceFunc      func;
  gpointer         data;
  gboolean         done;
} Invocation;

static gboolean
run_invocation (gpointer data)
{
  Invocation *invocation = data;

  invocation->func (invocation->data);
  g_mutex_lock (&invocation->server->lock);
  invocation->done = TRUE;
  g_cond_broadcast (&invocation->server->cond);
  g_mutex_unlock (&invocation->server->lock);
  return G_SOURCE_REMOVE;
}

void
sonde_test_server_invoke (SondeTestServer *self,
                          GSourceFunc      func,
                          gpointer         data)
{
  Invocation invocation = { self, func, data, FALSE };
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, run_invocation, &invocation, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);

  g_mutex_lock (&self->lock);
  while (!invocation.done)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
sonde_test_server_free (SondeTestServer *self)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, quit_loop, self->loop, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);
  g_thread_join (self->thread);

  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

/* ---- records against docs/record.schema.json ---------------------------- */

/* One tests/check-records.py --serve per test process, started on first use
 * (python3-jsonschema takes a moment to load); it dies with its stdin. */
static GSubprocess      *record_checker;
static GDataInputStream *record_checker_out;

/* What is wrong with @lines (JSON Lines, each ending with a newline) by the
 * schema, or NULL when every line is a valid record. */
char *
sonde_test_record_problems (const char *lines)
{
  g_autoptr(GString) batch = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  guint n = 0;

  g_return_val_if_fail (lines != NULL, NULL);

  if (record_checker == NULL)
    {
      const char *srcdir = g_getenv ("G_TEST_SRCDIR");
      const char *python = g_getenv ("SONDE_PYTHON");
      g_autofree char *script = NULL;
      g_autofree char *schema = NULL;

      g_assert_nonnull (srcdir);
      script = g_build_filename (srcdir, "check-records.py", NULL);
      schema = g_build_filename (srcdir, "..", "docs", "record.schema.json", NULL);
      record_checker = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                         python != NULL ? python : "/usr/bin/python3", script, schema, "--serve",
                                         NULL);
      g_assert_no_error (error);
      record_checker_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (record_checker));
    }

  for (const char *p = lines; *p != '\0'; p++)
    n += *p == '\n';
  g_string_append_printf (batch, "%u\n%s", n, lines);
  if (batch->len > 0 && batch->str[batch->len - 1] != '\n')
    g_string_append_c (batch, '\n');

  g_output_stream_write_all (g_subprocess_get_stdin_pipe (record_checker), batch->str, batch->len,
                             NULL, NULL, &error);
  g_assert_no_error (error);
  answer = g_data_input_stream_read_line_utf8 (record_checker_out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (answer == NULL)
    g_error ("check-records.py ended without an answer (is python3-jsonschema installed?)");
  if (g_str_equal (answer, "ok"))
    return NULL;
  g_assert_true (g_str_has_prefix (answer, "fail "));
  {
    g_autoptr(JsonNode) node = json_from_string (answer + strlen ("fail "), &error);

    g_assert_no_error (error);
    return g_strdup (json_node_get_string (node));
  }
}

/* Fails the test, naming each line, unless every line of @lines is a record
 * as docs/record.schema.json describes it. */
void
sonde_test_assert_records (const char *lines)
{
  g_autofree char *problems = sonde_test_record_problems (lines);

  if (problems != NULL)
    g_error ("output that does not match docs/record.schema.json:\n%s", problems);
}

/* Every event of @log and its first messages, as the export writes them,
 * against docs/record.schema.json (a flood's thousands of messages add
 * nothing the first ones do not check). */
void
sonde_test_assert_log_records (SondeMessageLog *log)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  guint n_messages = 0;

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction != SONDE_DIRECTION_EVENT && n_messages++ >= 1000)
        continue;
      sonde_log_export_line (lines, &record, NULL);
      g_string_append_c (lines, '\n');
    }
  if (lines->len > 0)
    sonde_test_assert_records (lines->str);
}

JsonObject *
sonde_test_parse_record (const SondeRecord *record)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, (const char *) record->data, (gssize) record->stored_size, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

void
sonde_test_dump_events (SondeConnection *connection,
                        gsize            max_bytes)
{
  SondeMessageLog *log = sonde_connection_get_log (connection);

  for (guint i = 0; i < sonde_message_log_get_n_records (log); i++)
    {
      SondeRecord record;

      g_assert_true (sonde_message_log_get_record (log, i, &record));
      if (record.direction != SONDE_DIRECTION_EVENT || record.kind == SONDE_MESSAGE_KIND_HANDSHAKE)
        continue;
      g_test_message ("event %s: %.*s", sonde_message_kind_to_string (record.kind),
                      (int) MIN (record.stored_size, max_bytes), (const char *) record.data);
    }
}

gboolean
sonde_test_under_memory_checker (void)
{
  const char *preload = g_getenv ("LD_PRELOAD");

#ifdef __SANITIZE_ADDRESS__
  return TRUE;
#endif
  return preload != NULL && strstr (preload, "vgpreload") != NULL;
}

guint64
sonde_test_memory_status (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, field);
  if (line == NULL)
    return 0;
  line += strlen (field);
  while (*line == ' ' || *line == '\t')
    line++;
  return g_ascii_strtoull (line, NULL, 10) * 1024;
}

guint64
sonde_test_memory_mark (void)
{
  FILE *clear_refs = fopen ("/proc/self/clear_refs", "w");
  gboolean reset;

  if (clear_refs == NULL)
    return 0;
  reset = fputs ("5", clear_refs) >= 0;
  reset = fclose (clear_refs) == 0 && reset;
  return reset ? sonde_test_memory_status ("VmRSS:") : 0;
}

void
sonde_test_assert_peak_growth (guint64 before,
                               guint64 budget)
{
  guint64 peak = sonde_test_memory_status ("VmHWM:");
  guint64 growth = peak > before ? peak - before : 0;

  if (before == 0 || peak == 0)
    {
      g_test_message ("memory: the peak resident size cannot be measured here");
      return;
    }
  g_test_message ("memory: peak %.1f MiB above the %.1f MiB before (budget %.1f MiB)",
                  (double) growth / (1024 * 1024), (double) before / (1024 * 1024),
                  (double) budget / (1024 * 1024));
  if (!sonde_test_under_memory_checker ())
    g_assert_cmpuint (growth, <=, budget);
}

static void
on_loopback_accepted (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GSocketConnection **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  g_assert_no_error (error);
}

static void
on_loopback_connected (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GSocketConnection **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  g_assert_no_error (error);
}

void
sonde_test_loopback_pair (GSocketConnection **server,
                          GSocketConnection **client)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketClient) connector = g_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  *server = NULL;
  *client = NULL;
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);

  g_socket_listener_accept_async (listener, NULL, on_loopback_accepted, server);
  g_socket_client_connect_async (connector, G_SOCKET_CONNECTABLE (bound), NULL, on_loopback_connected, client);
  SONDE_TEST_ASSERT_WAIT (*server != NULL && *client != NULL, 20000);
  g_socket_listener_close (listener);
}

void
sonde_test_remove_dir (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        sonde_test_remove_dir (path);
      else
        g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

GBytes *
sonde_test_gzip (const char *text)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize left = strlen (text);
  GConverterResult result;

  do
    {
      guint8 buffer[4096];
      gsize read = 0, written = 0;
      g_autoptr(GError) error = NULL;

      result = g_converter_convert (G_CONVERTER (compressor), text, left, buffer, sizeof buffer,
                                    G_CONVERTER_INPUT_AT_END, &read, &written, &error);
      g_assert_no_error (error);
      g_byte_array_append (out, buffer, (guint) written);
      text += read;
      left -= read;
    }
  while (result != G_CONVERTER_FINISHED);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
