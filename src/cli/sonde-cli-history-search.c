/* sonde-cli-history-search.c: `sonde-cli history search`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One JSON line per message found (sonde_history_search()): its session,
 * seq, time, direction, kind, size and the start of its payload.
 */

#define G_LOG_DOMAIN "sonde-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "sonde-cli-history.h"
#include "sonde-history-search.h"
#include "sonde-json-writer.h"
#include "sonde-store-uri.h"

#define fail sonde_cli_history_fail

typedef struct {
  GString  *line;
  gboolean  write_failed;
} Search;

static gboolean
on_hit (const SondeHistoryHit *hit,
        gpointer               data)
{
  Search *search = data;
  GString *out = search->line;
  gboolean first = TRUE;

  g_string_truncate (out, 0);
  g_string_append_c (out, '{');
  sonde_json_append_int_member (out, &first, "session", hit->session_id);
  sonde_json_append_int_member (out, &first, "seq", (gint64) hit->seq);
  sonde_json_append_member (out, &first, "time");
  sonde_json_append_iso_time (out, hit->wall_us);
  sonde_json_append_int_member (out, &first, "time_us", hit->wall_us);
  sonde_json_append_string_member (out, &first, "dir", sonde_direction_to_string (hit->direction));
  sonde_json_append_string_member (out, &first, "kind", sonde_message_kind_to_string (hit->kind));
  sonde_json_append_int_member (out, &first, "size", (gint64) hit->size);
  sonde_json_append_string_member (out, &first, "preview", hit->preview != NULL ? hit->preview : "");
  g_string_append (out, "}\n");

  if (fwrite (out->str, 1, out->len, stdout) != out->len)
    {
      search->write_failed = TRUE;
      return FALSE;
    }
  return TRUE;
}

int
sonde_cli_history_search (int    argc,
                          char **argv)
{
  HistoryTarget target = { 0 };
  g_autofree char *regex = NULL;
  g_autofree char *where = NULL;
  gint64 session_id = 0;
  int limit = 0;
  GOptionEntry search_entries[] = {
    { "regex", 'r', 0, G_OPTION_ARG_STRING, &regex,
      N_("Find messages whose text matches this regular expression (PCRE)"), N_("RE") },
    { "where", 'w', 0, G_OPTION_ARG_STRING, &where,
      N_("Find JSON messages that match this predicate (e.g. '$.sym == \"ABC\" && $.price > 100')"),
      N_("PREDICATE") },
    { "session", 's', 0, G_OPTION_ARG_INT64, &session_id,
      N_("Search only the session with this id (default: every session, newest first)"), N_("ID") },
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit,
      N_("Stop after N messages found (default: no limit)"), N_("N") },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new (N_("[TEXT] — find recorded messages"));
  g_autofree GOptionEntry *entries = sonde_cli_history_target_entries (&target);
  g_autofree GOptionEntry *decode_entries = sonde_cli_history_decode_entries (&target);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(SondeStore) store = NULL;
  g_autoptr(SondeHistoryQuery) query = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  SondeHistoryQueryKind kind = SONDE_HISTORY_QUERY_TEXT;
  const char *text = NULL;
  Search search = { line, FALSE };
  int status = 2;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    N_("Finds the messages (text and binary, in and out) that contain TEXT (ignoring\n"
       "case), match --regex RE or --where PREDICATE, and prints one JSON object per\n"
       "line for each: session, seq, time (and time_us), dir, kind, size and preview\n"
       "(the start of the payload, on one line). With a decoder (--decode, or the\n"
       "profile's), TEXT, RE and PREDICATE read each message's decoded view."));
  g_option_context_set_description (context, sonde_cli_history_target_help ());
  g_option_context_add_main_entries (context, search_entries, NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, decode_entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fail ("%s", error->message);
      goto out;
    }
  if ((argc == 2) + (regex != NULL) + (where != NULL) != 1 || argc > 2)
    {
      fail ("%s", _("give one of TEXT, --regex RE or --where PREDICATE"));
      goto out;
    }
  if (limit < 0 || session_id < 0)
    {
      fail ("%s", _("--limit and --session must be positive numbers"));
      goto out;
    }
  if (regex != NULL)
    {
      kind = SONDE_HISTORY_QUERY_REGEX;
      text = regex;
    }
  else if (where != NULL)
    {
      kind = SONDE_HISTORY_QUERY_PREDICATE;
      text = where;
    }
  else
    text = argv[1];

  query = sonde_history_query_new (kind, text, &error);
  if (query == NULL)
    {
      fail ("%s: %s", kind == SONDE_HISTORY_QUERY_REGEX ? "--regex" : "--where", error->message);
      goto out;
    }

  path = sonde_cli_history_target_path (&target, &status);
  if (path == NULL)
    goto out;
  {
    SondeRecordViews *views = sonde_cli_history_target_views (&target, &status);

    if (views == NULL && status != 0)
      goto out;
    if (views != NULL)
      sonde_history_query_set_views (query, views);
  }
  store = sonde_cli_history_open_reader (path, &status);
  if (store == NULL)
    goto out;

  status = 0;
  if (!sonde_history_search (store, query, session_id, (guint) limit, NULL, on_hit, &search, &error))
    {
      if (g_error_matches (error, SONDE_STORE_ERROR, SONDE_STORE_ERROR_NOT_FOUND))
        {
          g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);
          g_autofree char *masked = sonde_store_uri_mask (path);

          fail (_("there is no session %s in “%s” (see `sonde-cli history list`)"), id_text, masked);
        }
      else
        fail ("%s", error->message);
      status = 1;
    }
  else if (search.write_failed)
    status = 1;
  fflush (stdout);

out:
  sonde_cli_history_target_clear (&target);
  return status;
}
