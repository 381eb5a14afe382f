/* sonde-cli-history.c: `sonde-cli history list|search|export|import`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Recorded sessions, read from Sonde's recordings folder (one database per
 * profile, one for ad-hoc URLs: sonde-recordings.h) or from one database
 * named with --db (a `sonde-cli record --output` file, say). Output is JSON
 * lines on stdout; problems go to stderr, as for `connect`. Exit status: 0
 * when done, 1 when a database, a session or a file could not be used, 2 on
 * bad usage. The search is in sonde-cli-history-search.c.
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <errno.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "sonde-cli-history.h"
#include "sonde-error.h"
#include "sonde-json-writer.h"
#include "sonde-recordings.h"
#include "sonde-session.h"
#include "sonde-store-export.h"
#include "sonde-store-import.h"
#include "sonde-store-uri.h"

void
sonde_cli_history_fail (const char *format,
                        ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", g_get_prgname (), text);
}

#define fail sonde_cli_history_fail

GOptionEntry *
sonde_cli_history_target_entries (HistoryTarget *target)
{
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &target->db,
      N_("Use this recordings database (e.g. one made with `sonde-cli record --output`): a file, "
         "or a PostgreSQL URI (postgresql://user@host/db)"), N_("FILE|URI") },
    { "profile", 'P', 0, G_OPTION_ARG_STRING, &target->profile,
      N_("Use the recordings of the saved profile that has this id or name"), N_("NAME|ID") },
    { "profiles", 0, 0, G_OPTION_ARG_FILENAME, &target->profiles_file,
      N_("Read the profiles from FILE instead of Sonde's own"), N_("FILE") },
    { NULL },
  };

  return g_memdup2 (entries, sizeof entries);
}

GOptionEntry *
sonde_cli_history_decode_entries (HistoryTarget *target)
{
  GOptionEntry entries[] = {
    { "decode", 0, 0, G_OPTION_ARG_STRING, &target->decode,
      N_("Read messages through these decoders, as connect --decode does (default: the profile's); "
         "\"none\" for none"), N_("LIST") },
    { "proto-descriptor", 0, 0, G_OPTION_ARG_FILENAME, &target->proto_descriptor,
      N_("With --decode protobuf: the descriptor set (protoc -o FILE)"), N_("FILE") },
    { "proto-type", 0, 0, G_OPTION_ARG_STRING, &target->proto_type,
      N_("With --decode protobuf: the message type (e.g. feed.Tick)"), N_("NAME") },
    { NULL },
  };

  return g_memdup2 (entries, sizeof entries);
}

SondeRecordViews *
sonde_cli_history_target_views (HistoryTarget *target,
                                int           *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeDecoder) decoder = NULL;
  const char *spec = target->decode;
  const char *descriptor = target->proto_descriptor;
  const char *type = target->proto_type;

  *status = 0;
  if (spec == NULL)
    {
      spec = target->profile_decode;
      descriptor = target->profile_proto_descriptor;
      type = target->profile_proto_type;
    }
  if (spec == NULL || *spec == '\0' || g_str_equal (spec, "none"))
    return NULL;

  decoder = sonde_decoder_new (spec, descriptor, type, NULL, &error);
  if (decoder == NULL)
    {
      fail ("--decode: %s", error->message);
      *status = 2;
      return NULL;
    }
  return sonde_decoder_views_new (g_steal_pointer (&decoder));
}

void
sonde_cli_history_target_clear (HistoryTarget *target)
{
  g_clear_pointer (&target->decode, g_free);
  g_clear_pointer (&target->proto_descriptor, g_free);
  g_clear_pointer (&target->proto_type, g_free);
  g_clear_pointer (&target->profile_decode, g_free);
  g_clear_pointer (&target->profile_proto_descriptor, g_free);
  g_clear_pointer (&target->profile_proto_type, g_free);
  g_clear_pointer (&target->db, g_free);
  g_clear_pointer (&target->profile, g_free);
  g_clear_pointer (&target->profiles_file, g_free);
  g_clear_pointer (&target->profile_id, g_free);
  g_clear_pointer (&target->profile_name, g_free);
}

const char *
sonde_cli_history_target_help (void)
{
  return _("Which database: --db FILE, or --profile NAME|ID for the profile's database in\n"
           "Sonde's recordings folder ($XDG_DATA_HOME/sonde/recordings). Without either,\n"
           "`list` lists the sessions of every database there (each line says its \"db\"),\n"
           "and search, export and import use the database all ad-hoc URLs share.\n"
           "\n"
           "Exit status: 0 when done, 1 when a database, a session or a file could not be\n"
           "used (the reason goes to stderr), 2 on bad usage or an unknown profile.");
}

char *
sonde_cli_history_target_path (HistoryTarget *target,
                               int           *status)
{
  g_autofree char *dir = NULL;

  if (target->db != NULL && target->profile != NULL)
    {
      fail ("%s", _("give --db or --profile, not both"));
      *status = 2;
      return NULL;
    }
  if (target->db != NULL)
    return g_strdup (target->db);

  dir = sonde_recordings_default_dir ();
  if (target->profile != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SondeProfile) profile = sonde_cli_find_profile (target->profiles_file, target->profile, &error);

      if (profile == NULL)
        {
          fail ("%s", error->message);
          *status = error->domain == G_OPTION_ERROR ? 2 : 1;
          return NULL;
        }
      target->profile_id = g_strdup (sonde_profile_get_id (profile));
      target->profile_name = g_strdup (sonde_profile_get_name (profile));
      {
        const char *descriptor = NULL;
        const char *type = NULL;

        target->profile_decode = g_strdup (sonde_profile_get_decode (profile, &descriptor, &type));
        target->profile_proto_descriptor = g_strdup (descriptor);
        target->profile_proto_type = g_strdup (type);
      }
      return sonde_recordings_path (dir, target->profile_id);
    }

  return sonde_recordings_path (dir, NULL);
}

SondeStore *
sonde_cli_history_open_reader (const char *path,
                               int        *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *masked = sonde_store_uri_mask (path);
  SondeStore *store = sonde_store_open_uri (path, SONDE_STORE_OPEN_READ_ONLY, &error);

  if (store != NULL)
    return store;

  /* A database server says which fault it was, the URI masked. */
  if (sonde_store_uri_is_remote (path))
    fail ("%s", error->message);
  else if (g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND))
    fail (_("there is no recordings database “%s”"), masked);
  else if (g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_CORRUPT))
    fail (_("“%s” is not a recordings database, or it is damaged: %s"), masked, error->message);
  else
    fail ("%s", error->message);
  *status = 1;
  return NULL;
}

/* Parses a session id. */
static gboolean
parse_session_id (const char *text,
                  gint64     *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;
  *id = (gint64) value;
  return TRUE;
}

/* An ISO 8601 time (UTC unless it says otherwise), or µs since 1970. */
static gboolean
parse_time (const char *text,
            gint64     *wall_us)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) time = NULL;
  gint64 value;

  if (g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      *wall_us = value;
      return TRUE;
    }
  time = g_date_time_new_from_iso8601 (text, utc);
  if (time == NULL)
    return FALSE;
  *wall_us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return *wall_us > 0;
}

static gboolean
write_stdout (GString *line)
{
  gboolean ok;

  g_string_append_c (line, '\n');
  ok = fwrite (line->str, 1, line->len, stdout) == line->len;
  g_string_truncate (line, 0);
  return ok;
}

static const char *
initiator_to_string (SondeStoreInitiator initiator)
{
  switch (initiator)
    {
    case SONDE_STORE_ENDED_BY_CLIENT:
      return "client";
    case SONDE_STORE_ENDED_BY_SERVER:
      return "server";
    case SONDE_STORE_ENDED_BY_ERROR:
      return "error";
    case SONDE_STORE_ENDED_UNKNOWN:
    default:
      return NULL;
    }
}

static void
append_null_member (GString    *out,
                    gboolean   *first,
                    const char *name)
{
  sonde_json_append_member (out, first, name);
  g_string_append (out, "null");
}

/* One session as a JSON object (docs/record.schema.json's "session"). */
static void
append_session (GString                 *out,
                const SondeStoreSession *session,
                const char              *db)
{
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  sonde_json_append_int_member (out, &first, "id", session->id);
  sonde_json_append_member (out, &first, "profile");
  if (session->profile_id != NULL)
    {
      gboolean inner = TRUE;

      g_string_append_c (out, '{');
      sonde_json_append_string_member (out, &inner, "id", session->profile_id);
      if (session->profile_name != NULL)
        sonde_json_append_string_member (out, &inner, "name", session->profile_name);
      else
        append_null_member (out, &inner, "name");
      g_string_append_c (out, '}');
    }
  else
    g_string_append (out, "null");
  sonde_json_append_string_member (out, &first, "url", session->url != NULL ? session->url : "");
  sonde_json_append_member (out, &first, "start");
  sonde_json_append_iso_time (out, session->start_us);
  sonde_json_append_int_member (out, &first, "start_us", session->start_us);
  if (session->end_us != 0)
    {
      sonde_json_append_member (out, &first, "end");
      sonde_json_append_iso_time (out, session->end_us);
      sonde_json_append_int_member (out, &first, "end_us", session->end_us);
      sonde_json_append_int_member (out, &first, "duration_us", session->end_us - session->start_us);
      sonde_json_append_double_member (out, &first, "duration",
                                       (double) (session->end_us - session->start_us) / G_USEC_PER_SEC);
    }
  else
    {
      append_null_member (out, &first, "end");
      append_null_member (out, &first, "end_us");
      append_null_member (out, &first, "duration_us");
      append_null_member (out, &first, "duration");
    }
  sonde_json_append_int_member (out, &first, "messages", (gint64) session->messages);
  sonde_json_append_int_member (out, &first, "records", (gint64) session->records);
  sonde_json_append_int_member (out, &first, "bytes", (gint64) session->bytes);
  if (session->close_code != 0)
    sonde_json_append_int_member (out, &first, "close_code", session->close_code);
  else
    append_null_member (out, &first, "close_code");
  if (session->close_reason != NULL)
    sonde_json_append_string_member (out, &first, "close_reason", session->close_reason);
  else
    append_null_member (out, &first, "close_reason");
  if (initiator_to_string (session->initiator) != NULL)
    sonde_json_append_string_member (out, &first, "closed_by", initiator_to_string (session->initiator));
  else
    append_null_member (out, &first, "closed_by");
  if (db != NULL)
    sonde_json_append_string_member (out, &first, "db", db);
  g_string_append_c (out, '}');
}

/* The sessions of the database at @path; @db: whether lines name it. */
static int
list_database (const char *path,
               gboolean    name_db)
{
  g_autoptr(SondeStore) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  int status = 0;

  store = sonde_cli_history_open_reader (path, &status);
  if (store == NULL)
    return status;
  sessions = sonde_store_list_sessions (store, &error);
  if (sessions == NULL)
    {
      fail ("%s", error->message);
      return 1;
    }
  for (guint i = 0; i < sessions->len; i++)
    {
      append_session (line, g_ptr_array_index (sessions, i), name_db ? path : NULL);
      if (!write_stdout (line))
        return 1;
    }
  return 0;
}

static int
history_list (int    argc,
              char **argv)
{
  HistoryTarget target = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (N_("— list recorded sessions"));
  g_autofree GOptionEntry *entries = sonde_cli_history_target_entries (&target);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int status = 0;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    N_("Prints one JSON object per line for every recorded session, oldest first: id,\n"
       "profile (id and name, or null for an ad-hoc URL), url, start and end (ISO 8601,\n"
       "UTC, and start_us, end_us in µs since 1970), duration (seconds) and duration_us,\n"
       "messages, bytes, close_code, close_reason and closed_by (client, server, error,\n"
       "or null while it has not ended)."));
  g_option_context_set_description (context, sonde_cli_history_target_help ());
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 1)
    {
      fail ("%s", error != NULL ? error->message : _("list takes no arguments"));
      sonde_cli_history_target_clear (&target);
      return 2;
    }

  if (target.db == NULL && target.profile == NULL)
    {
      g_autofree char *dir = sonde_recordings_default_dir ();
      g_auto(GStrv) paths = sonde_recordings_list (dir);

      for (guint i = 0; paths[i] != NULL; i++)
        {
          int one = list_database (paths[i], TRUE);

          status = MAX (status, one);
        }
    }
  else if ((path = sonde_cli_history_target_path (&target, &status)) != NULL)
    {
      /* A profile that never recorded: no sessions, not an error. */
      if (target.db == NULL && !g_file_test (path, G_FILE_TEST_EXISTS))
        status = 0;
      else
        status = list_database (path, FALSE);
    }

  sonde_cli_history_target_clear (&target);
  fflush (stdout);
  return status;
}

typedef struct {
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
} ExportWait;

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  ExportWait *wait = data;

  wait->ok = sonde_store_export_finish (SONDE_STORE (source), result, NULL, &wait->error);
  g_main_loop_quit (wait->loop);
}

static int
history_export (int    argc,
                char **argv)
{
  HistoryTarget target = { 0 };
  g_autofree char *format_name = NULL;
  g_autofree char *output = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_auto(GStrv) columns = NULL;
  GOptionEntry export_entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      N_("jsonl (JSON Lines, the records as `connect` prints them), csv, or har (HAR 1.2, for Chrome "
         "DevTools and HAR viewers); default jsonl"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write to FILE (replaced only once complete) instead of stdout"), N_("FILE") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from,
      N_("Only records from this time on (ISO 8601, UTC unless it says, or µs since 1970)"), N_("TIME") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to,
      N_("Only records up to this time (inclusive)"), N_("TIME") },
    { "column", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &columns,
      N_("CSV: add a column with the value at PATH (e.g. $.price) of each message (repeatable)"),
      N_("PATH") },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new (N_("SESSION — write a recorded session out"));
  g_autofree GOptionEntry *entries = sonde_cli_history_target_entries (&target);
  g_autofree GOptionEntry *decode_entries = sonde_cli_history_decode_entries (&target);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(SondeStore) store = NULL;
  SondeRecordViews *views = NULL;
  SondeExportOptions options = { .format = SONDE_EXPORT_FORMAT_JSONL };
  gint64 session_id = 0;
  int status = 2;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    N_("Writes the session with the id SESSION (see `sonde-cli history list`) as JSON\n"
       "Lines, CSV or HAR, to stdout or to --output FILE. With a decoder (--decode, or\n"
       "the profile's), JSON Lines carry \"decoded\" (or \"decode_error\"), CSV has the\n"
       "columns decoded and decode_error, and --column reads the decoded view."));
  g_option_context_set_description (context, sonde_cli_history_target_help ());
  g_option_context_add_main_entries (context, export_entries, NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, decode_entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fail ("%s", error->message);
      goto out;
    }
  if (argc != 2)
    {
      fail ("%s", argc < 2 ? _("give the id of the session to export (see `sonde-cli history list`)")
                           : _("give exactly one session"));
      goto out;
    }
  if (!parse_session_id (argv[1], &session_id))
    {
      fail (_("“%s” is not a session id: give the number `sonde-cli history list` shows"), argv[1]);
      goto out;
    }
  if (format_name != NULL && !sonde_export_format_from_string (format_name, &options.format, &error))
    {
      fail ("--format: %s", error->message);
      goto out;
    }
  if (from != NULL && !parse_time (from, &options.from_us))
    {
      fail (_("--from: “%s” is not a time: give ISO 8601 (2026-11-25T18:46:55Z) or µs since 1970"), from);
      goto out;
    }
  if (to != NULL && !parse_time (to, &options.to_us))
    {
      fail (_("--to: “%s” is not a time: give ISO 8601 (2026-11-25T18:46:55Z) or µs since 1970"), to);
      goto out;
    }
  if (columns != NULL && options.format != SONDE_EXPORT_FORMAT_CSV)
    {
      fail ("%s", _("--column goes only with --format csv"));
      goto out;
    }
  options.csv_paths = (const char * const *) columns;

  path = sonde_cli_history_target_path (&target, &status);
  if (path == NULL)
    goto out;
  views = sonde_cli_history_target_views (&target, &status);
  if (views == NULL && status != 0)
    goto out;
  options.views = views;
  store = sonde_cli_history_open_reader (path, &status);
  if (store == NULL)
    goto out;

  if (output != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (output);
      ExportWait wait = { g_main_loop_new (NULL, FALSE), FALSE, NULL };

      sonde_store_export_async (store, session_id, &options, NULL, file, NULL, NULL, NULL, on_exported, &wait);
      g_main_loop_run (wait.loop);
      g_main_loop_unref (wait.loop);
      if (wait.error != NULL)
        g_propagate_error (&error, wait.error);
    }
  else
    {
      g_autoptr(GOutputStream) stream = g_unix_output_stream_new (1, FALSE);

      sonde_store_export_to_stream (store, session_id, &options, NULL, stream, NULL, NULL, NULL, NULL, &error);
    }

  status = 0;
  if (g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND))
    {
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);

      {
        g_autofree char *masked = sonde_store_uri_mask (path);

        fail (_("there is no session %s in “%s” (see `sonde-cli history list`)"), id_text, masked);
      }
      status = 1;
    }
  else if (error != NULL)
    {
      fail ("%s", error->message);
      status = error->domain == SONDE_ERROR ? 2 : 1;
    }

out:
  sonde_record_views_free (views);
  sonde_cli_history_target_clear (&target);
  return status;
}

static int
history_import (int    argc,
                char **argv)
{
  HistoryTarget target = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (N_("FILE — add the sessions of a file to the history"));
  g_autofree GOptionEntry *entries = sonde_cli_history_target_entries (&target);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(SondeStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  int status = 2;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    N_("Reads FILE, Sonde's JSON Lines or a HAR file with WebSocket messages (as Chrome\n"
       "and Firefox save them with \"Save all as HAR\"), and adds each of its WebSocket\n"
       "sessions to the database; prints {\"id\":N} for each session added. All or\n"
       "nothing: on any error, no session of the file stays."));
  g_option_context_set_description (context, sonde_cli_history_target_help ());
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fail ("%s", error->message);
      goto out;
    }
  if (argc != 2)
    {
      fail ("%s", argc < 2 ? _("give the file to import") : _("give exactly one file"));
      goto out;
    }

  path = sonde_cli_history_target_path (&target, &status);
  if (path == NULL)
    goto out;
  status = 1;

  if (target.db == NULL && !sonde_store_uri_is_remote (path))
    {
      g_autofree char *dir = g_path_get_dirname (path);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;

          fail (_("cannot create the recordings folder “%s”: %s"), dir, g_strerror (saved));
          goto out;
        }
    }

  store = sonde_store_open_uri (path, SONDE_STORE_OPEN_WRITE, &error);
  if (store == NULL)
    {
      fail ("%s", error->message);
      goto out;
    }

  file = g_file_new_for_commandline_arg (argv[1]);
  ids = sonde_store_import_file (store, file, target.profile_id, target.profile_name, NULL, &error);
  if (ids == NULL)
    {
      fail (_("cannot import “%s”: %s"), argv[1], error->message);
      goto out;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      gboolean first = TRUE;

      g_string_append_c (line, '{');
      sonde_json_append_int_member (line, &first, "id", g_array_index (ids, gint64, i));
      g_string_append_c (line, '}');
      write_stdout (line);
    }
  fflush (stdout);
  status = 0;

out:
  sonde_cli_history_target_clear (&target);
  return status;
}

static const struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} subcommands[] = {
  { "list", history_list, N_("List recorded sessions, one JSON line each") },
  { "search", sonde_cli_history_search, N_("Find messages by text, regular expression or JSON predicate") },
  { "export", history_export, N_("Write a recorded session as JSON Lines, CSV or HAR") },
  { "import", history_import, N_("Add the sessions of a JSON Lines or HAR file") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n%s\n", _("Usage: sonde-cli history SUBCOMMAND [OPTION…]"), _("Subcommands:"));
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    fprintf (out, "  %-8s %s\n", subcommands[i].name, _(subcommands[i].summary));
  fprintf (out, "\n%s\n", _("`sonde-cli history SUBCOMMAND --help` shows a subcommand's options."));
}

int
sonde_cli_history (int    argc,
                   char **argv)
{
  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (stdout);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    {
      if (g_str_equal (argv[1], subcommands[i].name))
        {
          g_autofree char *prgname = g_strdup_printf ("sonde-cli history %s", subcommands[i].name);

          g_set_prgname (prgname);
          argv[1] = argv[0];
          return subcommands[i].run (argc - 1, argv + 1);
        }
    }

  g_printerr ("sonde-cli history: ");
  g_printerr (_("unknown subcommand “%s”"), argv[1]);
  g_printerr ("\n\n");
  print_usage (stderr);
  return 2;
}
