/* test-profile-store.c: the profiles file, its saves, its failures and its secrets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test has its own XDG_CONFIG_HOME (sonde_test_init), so the store's
 * default path is a fresh, empty place.
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-profile-store.h"
#include "sonde-test-util.h"

#define WAIT_MS 10000
#define CANARY  "CANARY-7f3e9b"

typedef struct {
  guint   saved;
  guint   failed;
  GError *last_error;
} SaveCounts;

static void
on_saved (SondeProfileStore *store,
          SaveCounts        *counts)
{
  counts->saved++;
}

static void
on_save_failed (SondeProfileStore *store,
                const GError      *error,
                SaveCounts        *counts)
{
  counts->failed++;
  g_clear_error (&counts->last_error);
  counts->last_error = g_error_copy (error);
}

static void
watch_saves (SondeProfileStore *store,
             SaveCounts        *counts)
{
  g_signal_connect (store, "saved", G_CALLBACK (on_saved), counts);
  g_signal_connect (store, "save-failed", G_CALLBACK (on_save_failed), counts);
}

static void
unwatch_saves (SondeProfileStore *store,
               SaveCounts        *counts)
{
  g_signal_handlers_disconnect_by_data (store, counts);
  g_clear_error (&counts->last_error);
}

static void
assert_message_has (const char *message,
                    const char *expected)
{
  if (strstr (message, expected) == NULL)
    g_error ("“%s” does not say “%s”", message, expected);
}

static char *
default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "sonde", "profiles.json", NULL);
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
write_text (const char *path,
            const char *contents,
            gssize      length)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

/* Copies tests/fixtures/profiles/@name to @path; returns its contents. */
static char *
install_fixture (const char *name,
                 const char *path)
{
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "fixtures", "profiles", name, NULL);
  char *contents = read_text (fixture);

  write_text (path, contents, -1);
  return contents;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static SondeProfile *
get_profile (SondeProfileStore *store,
             guint              position)
{
  SondeProfile *profile = g_list_model_get_item (G_LIST_MODEL (store), position);

  g_assert_nonnull (profile);
  g_object_unref (profile);     /* the store keeps it */
  return profile;
}

static guint
n_profiles (SondeProfileStore *store)
{
  return g_list_model_get_n_items (G_LIST_MODEL (store));
}

/* Same profiles in the same order, every field and the id. */
static void
assert_same_profiles (SondeProfileStore *a,
                      SondeProfileStore *b)
{
  g_assert_cmpuint (n_profiles (a), ==, n_profiles (b));
  for (guint i = 0; i < n_profiles (a); i++)
    {
      g_autoptr(JsonNode) ja = sonde_profile_to_json (get_profile (a, i));
      g_autoptr(JsonNode) jb = sonde_profile_to_json (get_profile (b, i));

      if (!json_node_equal (ja, jb))
        {
          g_autofree char *ta = json_to_string (ja, TRUE);
          g_autofree char *tb = json_to_string (jb, TRUE);

          g_error ("profile %u differs:\n%s\n---\n%s", i, ta, tb);
        }
    }
}

static SondeProfile *
make_rich_profile (const char *name)
{
  SondeProfile *profile = sonde_profile_new_for_url ("wss://feed.example.com/v2?x=1");
  const char *headers[] = { "X-Client: sonde", NULL };
  const char *protocols[] = { "v2.feed", NULL };
  g_autoptr(GPtrArray) templates = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  g_autoptr(GPtrArray) on_open = g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
  g_autoptr(SondeProfileMessage) heartbeat = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_JSON, "{\"op\": \"ping\"}");
  g_autoptr(JsonNode) charts = parse_json ("[{\"path\": \"$.price\", \"scale\": 1.5}]");
  SondeReconnectPolicy policy = { TRUE, 500, 20000, 3, 2000 };

  sonde_profile_set_name (profile, name);
  sonde_profile_set_headers (profile, headers);
  sonde_profile_set_protocols (profile, protocols);
  sonde_profile_set_origin (profile, "https://example.com");
  sonde_profile_set_max_message_size (profile, 1 << 20);
  sonde_profile_set_deflate (profile, TRUE);
  sonde_profile_set_auth_kind (profile, SONDE_AUTH_BASIC);
  sonde_profile_set_auth_username (profile, "alice");
  sonde_profile_set_proxy (profile, "http://proxy.example.com:3128");
  sonde_profile_set_keepalive (profile, 30);
  sonde_profile_set_pong_timeout (profile, 10);
  sonde_profile_set_heartbeat (profile, heartbeat, 15);
  sonde_profile_set_reconnect (profile, &policy);
  g_ptr_array_add (on_open, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_JSON, "{\"op\": \"subscribe\", \"id\": {{seq}}}"));
  sonde_profile_set_on_open (profile, on_open);
  g_ptr_array_add (templates, sonde_profile_message_new ("Hello", SONDE_MESSAGE_FORMAT_TEXT, "hello “world” ✓"));
  sonde_profile_set_templates (profile, templates);
  sonde_profile_set_retention (profile, 1000, 1 << 24);
  sonde_profile_set_charts (profile, charts);

  return profile;
}

static gboolean
file_contains (const char *path,
               const char *text)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  return strstr (contents, text) != NULL;
}

static gboolean
path_exists (const char *path)
{
  GStatBuf buf;

  return g_lstat (path, &buf) == 0;
}

/* The names in @dir that look like a g_file_set_contents() temporary of
 * profiles.json. */
static guint
count_temporaries (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      gboolean match = strlen (name) == strlen ("profiles.json.XXXXXX") &&
                       g_str_has_prefix (name, "profiles.json.");

      for (guint i = strlen ("profiles.json."); match && name[i] != '\0'; i++)
        match = g_ascii_isalnum (name[i]);
      n += match;
    }

  return n;
}

static void
test_round_trip (void)
{
  g_autofree char *path = default_path ();
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfileStore) again = NULL;
  g_autoptr(SondeProfile) rich = make_rich_profile ("Rich");
  g_autoptr(SondeProfile) plain = sonde_profile_new_for_url ("ws://127.0.0.1:8080/");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) file = NULL;
  g_autofree char *contents = NULL;

  g_assert_cmpstr (sonde_profile_store_get_path (store), ==, path);
  g_assert_true (sonde_profile_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_profiles (store), ==, 0);
  g_assert_false (sonde_profile_store_get_dirty (store));
  /* Loading creates nothing. */
  g_assert_false (path_exists (path));

  sonde_profile_store_add (store, rich);
  sonde_profile_store_add (store, plain);
  g_assert_true (sonde_profile_store_get_dirty (store));
  g_assert_true (sonde_profile_store_flush (store, &error));
  g_assert_no_error (error);
  g_assert_false (sonde_profile_store_get_dirty (store));

  contents = read_text (path);
  file = parse_json (contents);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (file), "schema"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (file), "profiles")), ==, 2);
  /* Pretty-printed, for people who read it. */
  g_assert_nonnull (strstr (contents, "\n  \"profiles\""));

  again = sonde_profile_store_new (path);
  g_assert_true (sonde_profile_store_load (again, &error));
  g_assert_no_error (error);
  assert_same_profiles (store, again);
  g_assert_false (sonde_profile_store_get_dirty (again));
  g_assert_null (sonde_profile_store_get_corrupt_backup (again));

  g_assert_finalize_object (g_steal_pointer (&again));
  g_assert_finalize_object (g_steal_pointer (&store));
}

typedef struct {
  guint added;
  guint removed;
  guint position;
  guint calls;
} ItemsChanged;

static void
on_items_changed (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *record)
{
  record->position = position;
  record->removed = removed;
  record->added = added;
  record->calls++;
}

static void
test_list_model (void)
{
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfile) a = sonde_profile_new_for_url ("ws://a.example/");
  g_autoptr(SondeProfile) b = sonde_profile_new_for_url ("ws://b.example/");
  g_autoptr(SondeProfile) c = sonde_profile_new_for_url ("ws://c.example/");
  g_autoptr(SondeProfile) stranger = sonde_profile_new ();
  ItemsChanged record = { 0 };
  guint position = 99;

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (store)) == SONDE_TYPE_PROFILE);
  g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed), &record);

  sonde_profile_store_add (store, a);
  g_assert_cmpuint (record.position, ==, 0);
  g_assert_cmpuint (record.added, ==, 1);
  sonde_profile_store_add (store, c);
  sonde_profile_store_insert (store, 1, b);
  g_assert_cmpuint (record.position, ==, 1);
  g_assert_cmpuint (record.calls, ==, 3);
  g_assert_true (get_profile (store, 0) == a);
  g_assert_true (get_profile (store, 1) == b);
  g_assert_true (get_profile (store, 2) == c);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (store), 3));

  g_assert_true (sonde_profile_store_lookup (store, sonde_profile_get_id (b)) == b);
  g_assert_null (sonde_profile_store_lookup (store, sonde_profile_get_id (stranger)));
  g_assert_null (sonde_profile_store_lookup (store, "no such id"));

  g_assert_true (sonde_profile_store_remove (store, b, &position));
  g_assert_cmpuint (position, ==, 1);
  g_assert_cmpuint (record.position, ==, 1);
  g_assert_cmpuint (record.removed, ==, 1);
  g_assert_cmpuint (record.added, ==, 0);
  g_assert_false (sonde_profile_store_remove (store, stranger, NULL));
  g_assert_cmpuint (record.calls, ==, 4);
  g_assert_cmpuint (n_profiles (store), ==, 2);

  /* A removed profile no longer makes the store save. */
  g_assert_true (sonde_profile_store_flush (store, NULL));
  sonde_profile_set_name (b, "gone");
  g_assert_false (sonde_profile_store_get_dirty (store));
  sonde_profile_set_name (a, "here");
  g_assert_true (sonde_profile_store_get_dirty (store));

  g_signal_handlers_disconnect_by_data (store, &record);
  g_assert_true (sonde_profile_store_flush (store, NULL));
  g_assert_finalize_object (g_steal_pointer (&store));
  /* The profiles outlive the store, without its handlers. */
  sonde_profile_set_name (a, "after");
  g_assert_finalize_object (g_steal_pointer (&b));
}

static void
on_dirty_notify (SondeProfileStore *store,
                 GParamSpec        *pspec,
                 guint             *count)
{
  (*count)++;
}

/* Many changes in a burst make one write, after the delay, off the main
 * thread; the file holds the last of them. */
static void
test_debounce (void)
{
  g_autofree char *path = default_path ();
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfile) profile = make_rich_profile ("start");
  g_autoptr(SondeProfileStore) check = NULL;
  SaveCounts counts = { 0 };
  guint dirty_notifies = 0;
  gint64 last_change;
  gint64 saved_at;

  g_assert_true (sonde_profile_store_load (store, NULL));
  watch_saves (store, &counts);
  g_signal_connect (store, "notify::dirty", G_CALLBACK (on_dirty_notify), &dirty_notifies);

  sonde_profile_store_add (store, profile);
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *name = g_strdup_printf ("name %u", i);

      sonde_profile_set_name (profile, name);
      sonde_profile_set_keepalive (profile, i);
    }
  last_change = g_get_monotonic_time ();
  g_assert_true (sonde_profile_store_get_dirty (store));
  g_assert_cmpuint (dirty_notifies, ==, 1);
  /* Nothing written yet. */
  g_assert_false (path_exists (path));

  SONDE_TEST_ASSERT_WAIT (counts.saved > 0, WAIT_MS);
  saved_at = g_get_monotonic_time ();
  g_assert_cmpint (saved_at - last_change, >=, (SONDE_PROFILE_STORE_SAVE_DELAY_MS - 5) * 1000);
  g_assert_false (sonde_profile_store_get_dirty (store));
  g_assert_cmpuint (dirty_notifies, ==, 2);

  /* And no second write. */
  sonde_test_spin (SONDE_PROFILE_STORE_SAVE_DELAY_MS * 2);
  g_assert_cmpuint (counts.saved, ==, 1);
  g_assert_cmpuint (counts.failed, ==, 0);

  check = sonde_profile_store_new (path);
  g_assert_true (sonde_profile_store_load (check, NULL));
  g_assert_cmpstr (sonde_profile_get_name (get_profile (check, 0)), ==, "name 199");
  g_assert_cmpuint (sonde_profile_get_keepalive (get_profile (check, 0)), ==, 199);

  /* A later change is a later write. */
  sonde_profile_set_name (profile, "second");
  SONDE_TEST_ASSERT_WAIT (counts.saved == 2, WAIT_MS);
  g_clear_object (&check);
  check = sonde_profile_store_new (path);
  g_assert_true (sonde_profile_store_load (check, NULL));
  g_assert_cmpstr (sonde_profile_get_name (get_profile (check, 0)), ==, "second");

  g_signal_handlers_disconnect_by_data (store, &dirty_notifies);
  unwatch_saves (store, &counts);
}

typedef struct {
  SondeProfile *profile;
  guint         n;
  gboolean      stop;
} Ticker;

static gboolean
change_profile (gpointer data)
{
  Ticker *ticker = data;
  g_autofree char *name = g_strdup_printf ("tick %u", ++ticker->n);

  sonde_profile_set_name (ticker->profile, name);
  return ticker->stop ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* A steady stream of changes, each sooner than the delay, still gets
 * written now and then; and the last change is written when it stops. */
static void
test_steady_changes_still_save (void)
{
  g_autofree char *path = default_path ();
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("ws://127.0.0.1/");
  g_autoptr(SondeProfileStore) check = sonde_profile_store_new (path);
  SaveCounts counts = { 0 };
  Ticker ticker = { profile, 0, FALSE };
  g_autofree char *last = NULL;

  g_assert_true (sonde_profile_store_load (store, NULL));
  watch_saves (store, &counts);
  sonde_profile_store_add (store, profile);
  g_timeout_add (SONDE_PROFILE_STORE_SAVE_DELAY_MS / 6, change_profile, &ticker);

  SONDE_TEST_ASSERT_WAIT (counts.saved > 0, 20 * SONDE_PROFILE_STORE_SAVE_DELAY_MS);
  g_test_message ("first save after %u changes", ticker.n);
  g_assert_cmpuint (ticker.n, >, 6);

  ticker.stop = TRUE;
  SONDE_TEST_ASSERT_WAIT (!sonde_profile_store_get_dirty (store) && ticker.n > 0, WAIT_MS);
  sonde_test_spin (SONDE_PROFILE_STORE_SAVE_DELAY_MS / 3);
  SONDE_TEST_ASSERT_WAIT (!sonde_profile_store_get_dirty (store), WAIT_MS);

  last = g_strdup_printf ("tick %u", ticker.n);
  g_assert_true (sonde_profile_store_load (check, NULL));
  g_assert_cmpstr (sonde_profile_get_name (get_profile (check, 0)), ==, last);
  /* Far fewer writes than changes. */
  g_assert_cmpuint (counts.saved, <, ticker.n / 4);
  unwatch_saves (store, &counts);
}

/* flush() writes now, cancels the timer, and wins over a background write
 * that is still in flight. */
static void
test_flush (void)
{
  g_autofree char *path = default_path ();
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("ws://127.0.0.1/");
  g_autoptr(GError) error = NULL;
  SaveCounts counts = { 0 };

  g_assert_true (sonde_profile_store_load (store, NULL));
  watch_saves (store, &counts);

  /* Nothing to write: nothing written. */
  g_assert_true (sonde_profile_store_flush (store, &error));
  g_assert_false (path_exists (path));
  g_assert_cmpuint (counts.saved, ==, 0);

  sonde_profile_store_add (store, profile);
  g_assert_true (sonde_profile_store_flush (store, &error));
  g_assert_no_error (error);
  g_assert_true (path_exists (path));
  g_assert_cmpuint (counts.saved, ==, 1);
  sonde_test_spin (SONDE_PROFILE_STORE_SAVE_DELAY_MS * 2);
  g_assert_cmpuint (counts.saved, ==, 1);

  /* Let a background write reach the disk (its completion may still be on
   * its way to the main thread), then change and flush at once. */
  sonde_profile_set_name (profile, "background");
  SONDE_TEST_ASSERT_WAIT (file_contains (path, "\"background\""), WAIT_MS);
  sonde_profile_set_name (profile, "flushed");
  g_assert_true (sonde_profile_store_flush (store, &error));
  g_assert_no_error (error);
  g_assert_true (file_contains (path, "\"flushed\""));
  g_assert_false (sonde_profile_store_get_dirty (store));

  sonde_test_spin (SONDE_PROFILE_STORE_SAVE_DELAY_MS * 2);
  g_assert_true (file_contains (path, "\"flushed\""));
  g_assert_false (sonde_profile_store_get_dirty (store));
  g_assert_cmpuint (counts.saved, ==, 3);
  g_assert_cmpuint (counts.failed, ==, 0);
  unwatch_saves (store, &counts);
}

/* Files that do not parse are moved aside, reported, and replaced by a good
 * file on the next save; nothing else is touched. */
static void
test_malformed_files (void)
{
  static const struct {
    const char *fixture;    /* NULL: an empty file */
    const char *says;
  } cases[] = {
    { "not-json.json", "could not be read" },
    { "truncated.json", "could not be read" },
    { "wrong-shape.json", "not a JSON object" },
    { "profiles-not-a-list.json", "no list of profiles" },
    { "no-schema.json", "no schema version" },
    { NULL, "empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/case-%u", g_get_user_config_dir (), i);
      g_autofree char *path = g_build_filename (dir, "profiles.json", NULL);
      g_autoptr(SondeProfileStore) store = sonde_profile_store_new (path);
      g_autoptr(SondeProfileStore) check = sonde_profile_store_new (path);
      g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("ws://127.0.0.1/");
      g_autoptr(GError) error = NULL;
      g_autofree char *original = NULL;
      g_autofree char *backup_contents = NULL;
      const char *backup;

      if (cases[i].fixture != NULL)
        original = install_fixture (cases[i].fixture, path);
      else
        {
          original = g_strdup ("");
          write_text (path, "", 0);
        }

      g_assert_false (sonde_profile_store_load (store, &error));
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE);
      assert_message_has (error->message, cases[i].says);
      backup = sonde_profile_store_get_corrupt_backup (store);
      g_assert_nonnull (backup);
      g_assert_true (g_str_has_prefix (backup, path));
      g_assert_nonnull (strstr (backup, ".corrupt-"));
      assert_message_has (error->message, backup);
      g_assert_cmpuint (n_profiles (store), ==, 0);
      g_assert_false (path_exists (path));
      backup_contents = read_text (backup);
      g_assert_cmpstr (backup_contents, ==, original);

      /* The store is usable, and its next file is good. */
      g_clear_error (&error);
      sonde_profile_store_add (store, profile);
      g_assert_true (sonde_profile_store_flush (store, NULL));
      g_assert_true (sonde_profile_store_load (check, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n_profiles (check), ==, 1);
      g_assert_true (path_exists (backup));
    }
}

/* Two bad files within a second: two backups, neither overwritten. */
static void
test_backups_are_unique (void)
{
  g_autofree char *path = default_path ();
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (path);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  write_text (path, "{ first", -1);
  g_assert_false (sonde_profile_store_load (store, NULL));
  first = g_strdup (sonde_profile_store_get_corrupt_backup (store));
  write_text (path, "{ second", -1);
  g_assert_false (sonde_profile_store_load (store, NULL));
  second = g_strdup (sonde_profile_store_get_corrupt_backup (store));

  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_cmpstr (first, !=, second);
  g_assert_true (file_contains (first, "{ first"));
  g_assert_true (file_contains (second, "{ second"));
}

static void
test_one_bad_profile (void)
{
  g_autofree char *path = default_path ();
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfileStore) check = sonde_profile_store_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *original = install_fixture ("one-bad-profile.json", path);
  g_autofree char *backup_contents = NULL;
  SaveCounts counts = { 0 };
  const char *backup;

  watch_saves (store, &counts);
  g_assert_false (sonde_profile_store_load (store, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE);
  assert_message_has (error->message, "1 of 3 profiles");
  assert_message_has (error->message, "profile 2");
  assert_message_has (error->message, "max_frame_size");

  /* The good ones are in use. */
  g_assert_cmpuint (n_profiles (store), ==, 2);
  g_assert_cmpstr (sonde_profile_get_name (get_profile (store, 0)), ==, "Ticker");
  g_assert_cmpstr (sonde_profile_get_id (get_profile (store, 0)), ==, "11111111-1111-4111-8111-111111111111");
  g_assert_cmpstr (sonde_profile_get_name (get_profile (store, 1)), ==, "Orders");

  /* The original, whole, is kept and named. */
  backup = sonde_profile_store_get_corrupt_backup (store);
  g_assert_nonnull (backup);
  assert_message_has (error->message, backup);
  backup_contents = read_text (backup);
  g_assert_cmpstr (backup_contents, ==, original);

  /* What was read is written back by itself, and reads back cleanly. */
  g_assert_true (sonde_profile_store_get_dirty (store));
  SONDE_TEST_ASSERT_WAIT (counts.saved == 1, WAIT_MS);
  g_clear_error (&error);
  g_assert_true (sonde_profile_store_load (check, &error));
  g_assert_no_error (error);
  assert_same_profiles (store, check);
  unwatch_saves (store, &counts);
}

static guint
count_entries (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* A file from a newer Sonde is neither read nor moved nor ever overwritten. */
static void
test_newer_schema (void)
{
  g_autofree char *path = default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("ws://127.0.0.1/");
  g_autoptr(GError) error = NULL;
  g_autofree char *original = install_fixture ("newer-schema.json", path);
  g_autofree char *after = NULL;
  SaveCounts counts = { 0 };

  watch_saves (store, &counts);
  g_assert_false (sonde_profile_store_load (store, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_NEWER_FILE);
  assert_message_has (error->message, "written by a newer Sonde");
  g_assert_null (sonde_profile_store_get_corrupt_backup (store));
  g_assert_cmpuint (n_profiles (store), ==, 0);
  g_assert_cmpuint (count_entries (dir), ==, 1);
  g_clear_error (&error);

  /* Changes are kept in memory, but every save is refused, loudly. */
  sonde_profile_store_add (store, profile);
  SONDE_TEST_ASSERT_WAIT (counts.failed > 0, WAIT_MS);
  g_assert_error (counts.last_error, SONDE_ERROR, SONDE_ERROR_NEWER_FILE);
  g_assert_false (sonde_profile_store_flush (store, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_NEWER_FILE);
  g_assert_true (sonde_profile_store_get_dirty (store));
  g_assert_cmpuint (counts.saved, ==, 0);

  unwatch_saves (store, &counts);
  g_assert_finalize_object (g_steal_pointer (&store));
  after = read_text (path);
  g_assert_cmpstr (after, ==, original);
  g_assert_cmpuint (count_entries (dir), ==, 1);
}

/* A file that cannot be read at all is not overwritten either. */
static void
test_unreadable_file (void)
{
  g_autofree char *path = default_path ();
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("ws://127.0.0.1/");
  g_autoptr(GError) error = NULL;

  /* A directory where the file belongs. */
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  g_assert_false (sonde_profile_store_load (store, &error));
  g_assert_nonnull (error);
  assert_message_has (error->message, "will not be saved");
  g_clear_error (&error);

  sonde_profile_store_add (store, profile);
  g_assert_false (sonde_profile_store_flush (store, &error));
  g_assert_nonnull (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
}

static void
test_stale_temporaries (void)
{
  static const char * const stale[] = { "profiles.json.AbC123", "profiles.json.zz9ZZ9" };
  static const char * const kept[] = {
    "profiles.json.corrupt-20260101-000000",
    "profiles.json.ab_123",
    "profiles.json.ABCDEFG",
    "profiles.json.ABCDE",
    "other.json.ABCDEF",
    "profiles.json",
  };
  g_autofree char *path = default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(SondeProfileStore) writer = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("ws://127.0.0.1/");

  sonde_profile_store_add (writer, profile);
  g_assert_true (sonde_profile_store_flush (writer, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *file = g_build_filename (dir, stale[i], NULL);

      write_text (file, "{\"schema\": 1, \"profi", -1);
    }
  for (guint i = 0; i + 1 < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *file = g_build_filename (dir, kept[i], NULL);

      write_text (file, "keep me", -1);
    }
  g_assert_cmpuint (count_temporaries (dir), ==, 2);

  g_assert_true (sonde_profile_store_load (store, NULL));
  g_assert_cmpuint (n_profiles (store), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *file = g_build_filename (dir, stale[i], NULL);

      if (path_exists (file))
        g_error ("%s was not removed", stale[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *file = g_build_filename (dir, kept[i], NULL);

      if (!path_exists (file))
        g_error ("%s was removed", kept[i]);
    }
}

static void
test_file_modes (void)
{
  g_autofree char *top = g_build_filename (g_get_user_config_dir (), "fresh", NULL);
  g_autofree char *dir = g_build_filename (top, "sonde", NULL);
  g_autofree char *path = g_build_filename (dir, "profiles.json", NULL);
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (path);
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("ws://127.0.0.1/");
  SaveCounts counts = { 0 };
  GStatBuf buf;

  g_assert_false (path_exists (top));
  g_assert_true (sonde_profile_store_load (store, NULL));
  watch_saves (store, &counts);
  sonde_profile_store_add (store, profile);
  /* Through the background write this time. */
  SONDE_TEST_ASSERT_WAIT (counts.saved == 1, WAIT_MS);

  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (top, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0700);

  /* Rewritten, still private. */
  sonde_profile_set_name (profile, "again");
  g_assert_true (sonde_profile_store_flush (store, NULL));
  g_assert_cmpint (g_stat (path, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 0777, ==, 0600);
  unwatch_saves (store, &counts);
}

static void
test_duplicate_ids_on_load (void)
{
  g_autofree char *path = default_path ();
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfileStore) check = sonde_profile_store_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *original = install_fixture ("duplicate-ids.json", path);
  SaveCounts counts = { 0 };
  const char *first;
  const char *second;
  const char *third;

  watch_saves (store, &counts);
  g_assert_true (sonde_profile_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_profiles (store), ==, 3);
  first = sonde_profile_get_id (get_profile (store, 0));
  second = sonde_profile_get_id (get_profile (store, 1));
  third = sonde_profile_get_id (get_profile (store, 2));
  g_assert_cmpstr (first, ==, "44444444-4444-4444-8444-444444444444");
  g_assert_cmpstr (second, !=, first);
  g_assert_true (g_uuid_string_is_valid (second));
  g_assert_true (g_uuid_string_is_valid (third));
  g_assert_cmpstr (sonde_profile_get_name (get_profile (store, 1)), ==, "Second");

  /* The fresh ids are written, so that they stay (secrets are keyed by them). */
  g_assert_true (sonde_profile_store_get_dirty (store));
  SONDE_TEST_ASSERT_WAIT (counts.saved == 1, WAIT_MS);
  g_assert_true (sonde_profile_store_load (check, NULL));
  assert_same_profiles (store, check);
  unwatch_saves (store, &counts);
}

static gboolean
has_secret_key (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          if (g_ascii_strcasecmp (l->data, "secret") == 0 ||
              g_ascii_strcasecmp (l->data, "token") == 0 ||
              g_ascii_strcasecmp (l->data, "password") == 0 ||
              has_secret_key (json_object_get_member (object, l->data)))
            return TRUE;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (has_secret_key (json_array_get_element (array, i)))
            return TRUE;
        }
    }

  return FALSE;
}

static void
test_import_export (void)
{
  g_autofree char *other_path = g_build_filename (g_get_user_config_dir (), "other", "profiles.json", NULL);
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfileStore) other = sonde_profile_store_new (other_path);
  g_autoptr(SondeProfile) rich = make_rich_profile ("Rich");
  g_autoptr(SondeProfile) plain = sonde_profile_new_for_url ("ws://127.0.0.1:9000/");
  g_autoptr(GPtrArray) subset = g_ptr_array_new ();
  g_autoptr(GPtrArray) imported = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autofree char *all = NULL;
  g_autofree char *one = NULL;

  sonde_profile_store_add (store, rich);
  sonde_profile_store_add (store, plain);

  all = sonde_profile_store_export (store, NULL, &error);
  g_assert_no_error (error);
  document = parse_json (all);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (document), "schema"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (document), "profiles")), ==, 2);
  g_assert_false (has_secret_key (document));

  g_ptr_array_add (subset, plain);
  one = sonde_profile_store_export (store, subset, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (one, sonde_profile_get_id (plain)));
  g_assert_null (strstr (one, sonde_profile_get_id (rich)));

  /* Into another store: the same profiles, ids and all. */
  g_assert_true (sonde_profile_store_load (other, NULL));
  imported = sonde_profile_store_import (other, all, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->len, ==, 2);
  assert_same_profiles (store, other);
  g_assert_true (g_ptr_array_index (imported, 0) == get_profile (other, 0));
  g_assert_true (sonde_profile_store_get_dirty (other));
  g_clear_pointer (&imported, g_ptr_array_unref);

  /* Again: the ids are taken, so the copies get fresh ones. */
  imported = sonde_profile_store_import (other, all, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->len, ==, 2);
  g_assert_cmpuint (n_profiles (other), ==, 4);
  g_assert_cmpstr (sonde_profile_get_id (g_ptr_array_index (imported, 0)), !=, sonde_profile_get_id (rich));
  g_assert_cmpstr (sonde_profile_get_id (g_ptr_array_index (imported, 1)), !=, sonde_profile_get_id (plain));
  g_assert_cmpstr (sonde_profile_get_name (g_ptr_array_index (imported, 0)), ==, "Rich");
  g_assert_true (sonde_profile_store_lookup (other, sonde_profile_get_id (rich)) == get_profile (other, 0));
  g_clear_pointer (&imported, g_ptr_array_unref);

  /* One profile object, and a list of them with a clash inside. */
  {
    g_autoptr(JsonNode) node = sonde_profile_to_json (rich);
    g_autofree char *object = json_to_string (node, FALSE);
    g_autofree char *list = g_strdup_printf ("[%s, %s]", object, object);
    g_autofree char *third_path = g_build_filename (g_get_user_config_dir (), "third", "profiles.json", NULL);
    g_autoptr(SondeProfileStore) third = sonde_profile_store_new (third_path);

    imported = sonde_profile_store_import (third, object, -1, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (imported->len, ==, 1);
    g_assert_cmpstr (sonde_profile_get_id (g_ptr_array_index (imported, 0)), ==, sonde_profile_get_id (rich));
    g_clear_pointer (&imported, g_ptr_array_unref);

    imported = sonde_profile_store_import (third, list, -1, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (imported->len, ==, 2);
    g_assert_cmpuint (n_profiles (third), ==, 3);
    g_assert_cmpstr (sonde_profile_get_id (g_ptr_array_index (imported, 0)), !=,
                     sonde_profile_get_id (g_ptr_array_index (imported, 1)));
    g_clear_pointer (&imported, g_ptr_array_unref);

    g_assert_true (sonde_profile_store_flush (third, NULL));
  }
}

static void
test_import_errors (void)
{
  static const struct {
    const char *json;
    int         code;
    const char *says;
  } cases[] = {
    { "not json", SONDE_ERROR_INVALID_PROFILE, "not JSON" },
    { "{\"name\": \"cut", SONDE_ERROR_INVALID_PROFILE, "not JSON" },
    { "5", SONDE_ERROR_INVALID_PROFILE, "Expected a profile" },
    { "\"profile\"", SONDE_ERROR_INVALID_PROFILE, "Expected a profile" },
    { "{\"schema\": 1, \"profiles\": {}}", SONDE_ERROR_INVALID_PROFILE, "not a list" },
    { "{\"schema\": \"one\", \"profiles\": []}", SONDE_ERROR_INVALID_PROFILE, "schema version" },
    { "{\"schema\": 7, \"profiles\": []}", SONDE_ERROR_NEWER_FILE, "newer Sonde" },
    { "{\"schema\": 1, \"profiles\": [{\"name\": \"a\"}, {\"name\": 5}, {\"name\": \"c\"}]}",
      SONDE_ERROR_INVALID_PROFILE, "Profile 2 of 3: “name” must be text" },
    { "[{\"name\": \"a\"}, []]", SONDE_ERROR_INVALID_PROFILE, "Profile 2 of 2" },
    { "{\"url\": 8080}", SONDE_ERROR_INVALID_PROFILE, "“url”" },
  };
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(SondeProfile) existing = sonde_profile_new_for_url ("ws://127.0.0.1/");

  sonde_profile_store_add (store, existing);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) imported = sonde_profile_store_import (store, cases[i].json, -1, &error);

      g_assert_null (imported);
      g_assert_error (error, SONDE_ERROR, cases[i].code);
      assert_message_has (error->message, cases[i].says);
      /* All or nothing. */
      g_assert_cmpuint (n_profiles (store), ==, 1);
    }

  g_assert_true (sonde_profile_store_flush (store, NULL));
}

static void
collect_files (const char *dir_path,
               GPtrArray  *files)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_files (path, files);
      else
        g_ptr_array_add (files, g_steal_pointer (&path));
    }
}

/* A canary secret goes everywhere a secret goes (the connection, and the
 * secret-like keys of an imported file) and must come out nowhere: in no
 * file under the config dir, in no export. */
static void
test_canary_secret (void)
{
  g_autofree char *path = default_path ();
  g_autoptr(SondeProfileStore) store = sonde_profile_store_new (NULL);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) imported = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *export_all = NULL;
  g_autofree char *export_one = NULL;
  SaveCounts counts = { 0 };
  static const SondeAuthKind kinds[] = {
    SONDE_AUTH_BEARER, SONDE_AUTH_BASIC, SONDE_AUTH_API_KEY_HEADER, SONDE_AUTH_API_KEY_QUERY,
  };
  const char *leaky =
    "{\"schema\": 1, \"profiles\": [{\"name\": \"imported\", \"url\": \"ws://127.0.0.1/\","
    " \"token\": \"" CANARY "\", \"secret\": \"" CANARY "\", \"password\": \"" CANARY "\","
    " \"auth\": {\"kind\": \"bearer\", \"token\": \"" CANARY "\", \"password\": \"" CANARY "\"},"
    " \"tls\": {\"policy\": \"verify\", \"secret\": \"" CANARY "\"},"
    " \"heartbeat\": {\"body\": \"hb\", \"interval_s\": 5, \"password\": \"" CANARY "\"},"
    " \"charts\": [{\"path\": \"$.x\", \"Secret\": \"" CANARY "\", \"deep\": [{\"token\": \"" CANARY "\"}]}]}]}";

  g_assert_true (sonde_profile_store_load (store, NULL));
  watch_saves (store, &counts);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("wss://api.example.com/feed");
      g_autoptr(SondeConnection) connection = sonde_connection_new ();
      g_autofree char *headers = NULL;

      sonde_profile_set_auth_kind (profile, kinds[i]);
      sonde_profile_set_auth_username (profile, "alice");
      sonde_profile_set_auth_key_name (profile, "api_key");
      sonde_profile_store_add (store, profile);

      g_assert_true (sonde_profile_configure_connection (profile, connection, CANARY, &error));
      g_assert_no_error (error);
      /* The canary really went through: it is on the connection... */
      headers = sonde_connection_get_headers (connection) != NULL
                ? g_strjoinv ("\n", (char **) sonde_connection_get_headers (connection)) : g_strdup ("");
      if (kinds[i] == SONDE_AUTH_API_KEY_QUERY)
        g_assert_nonnull (strstr (sonde_connection_get_url (connection), CANARY));
      else if (kinds[i] != SONDE_AUTH_BASIC)
        g_assert_nonnull (strstr (headers, CANARY));

      /* ...and the profile changes after it met the secret. */
      sonde_profile_set_name (profile, "after connecting");
    }

  imported = sonde_profile_store_import (store, leaky, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->len, ==, 1);

  /* Both ways of saving. */
  SONDE_TEST_ASSERT_WAIT (counts.saved > 0 && !sonde_profile_store_get_dirty (store), WAIT_MS);
  sonde_profile_set_name (g_ptr_array_index (imported, 0), "renamed");
  g_assert_true (sonde_profile_store_flush (store, NULL));

  export_all = sonde_profile_store_export (store, NULL, NULL);
  export_one = sonde_profile_store_export (store, imported, NULL);
  g_assert_nonnull (strstr (export_all, "renamed"));
  g_assert_null (strstr (export_all, CANARY));
  g_assert_null (strstr (export_one, CANARY));

  collect_files (g_get_user_config_dir (), files);
  g_assert_true (g_ptr_array_find_with_equal_func (files, path, g_str_equal, NULL));
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);

      if (file_contains (file, CANARY))
        g_error ("the canary is in %s", file);
    }
  unwatch_saves (store, &counts);
}

typedef struct {
  gboolean  ready;
  gboolean  done;
  gboolean  fired;
} KillState;

static void
on_writer_ready (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  KillState *state = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                                     result, NULL, NULL);

  /* At EOF too: the writer is gone, and the exit status will tell why. */
  state->ready = TRUE;
}

static void
on_writer_exited (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  KillState *state = data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  state->done = TRUE;
}

static gboolean
on_kill_time (gpointer data)
{
  KillState *state = data;

  state->fired = TRUE;
  return G_SOURCE_REMOVE;
}

/* The generation that every profile of the file at @path holds; the file
 * must parse whole, and all its profiles must agree, in their names and in
 * their bulky template bodies (the generation's last digit, repeated). */
static guint64
file_generation (const char *path)
{
  g_autofree char *contents = read_text (path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *profiles;
  guint64 generation = 0;

  if (!json_parser_load_from_data (parser, contents, -1, &error))
    g_error ("torn file (%" G_GSIZE_FORMAT " bytes): %s", strlen (contents), error->message);

  profiles = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "profiles");
  g_assert_cmpuint (json_array_get_length (profiles), ==, 4);
  for (guint i = 0; i < json_array_get_length (profiles); i++)
    {
      JsonObject *profile = json_array_get_object_element (profiles, i);
      const char *name = json_object_get_string_member (profile, "name");
      guint64 value = 0;
      JsonArray *templates = json_object_get_array_member (profile, "templates");
      const char *body;

      if (g_str_has_prefix (name, "generation "))
        value = g_ascii_strtoull (name + strlen ("generation "), NULL, 10);
      if (i == 0)
        generation = value;
      g_assert_cmpuint (value, ==, generation);

      g_assert_cmpuint (json_array_get_length (templates), ==, 1);
      body = json_object_get_string_member (json_array_get_object_element (templates, 0), "body");
      g_assert_cmpuint (strlen (body), >, 0);
      for (const char *p = body; *p; p++)
        {
          if (*p != (char) ('0' + generation % 10))
            g_error ("profile %u of generation %" G_GUINT64_FORMAT " has “%c” at %d of its body",
                     i, generation, *p, (int) (p - body));
        }
    }

  return generation;
}

/* SIGKILL a process that saves in a tight loop at random moments: the file
 * is always absent or whole, never older than what was seen before, and at
 * most one temporary file is left for the next load to remove. */
static void
test_kill_during_saves (void)
{
  g_autofree char *writer = g_test_build_filename (G_TEST_BUILT, "profile-store-writer", NULL);
  g_autofree char *path = default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  guint64 generation = 0;
  guint n_runs = g_test_thorough () ? 200 : 50;
  guint max_temporaries = 0;

  if (!g_file_test (writer, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is not built", writer);

  for (guint run = 0; run < n_runs; run++)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GDataInputStream) output = NULL;
      g_autoptr(GError) error = NULL;
      KillState state = { FALSE, FALSE, FALSE };
      guint delay = g_test_rand_int_range (0, 40);
      guint temporaries;

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, writer, path, NULL);
      g_assert_no_error (error);
      g_subprocess_wait_async (process, NULL, on_writer_exited, &state);

      /* Kill it a random time after it has loaded the file. */
      output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
      g_data_input_stream_read_line_async (output, G_PRIORITY_DEFAULT, NULL, on_writer_ready, &state);
      SONDE_TEST_ASSERT_WAIT (state.ready, WAIT_MS);
      g_timeout_add (delay, on_kill_time, &state);
      SONDE_TEST_ASSERT_WAIT (state.fired, WAIT_MS);
      g_subprocess_force_exit (process);
      SONDE_TEST_ASSERT_WAIT (state.done, WAIT_MS);

      if (!g_subprocess_get_if_signaled (process) || g_subprocess_get_term_sig (process) != SIGKILL)
        g_error ("run %u: the writer was not killed but exited with status %d",
                 run, g_subprocess_get_exit_status (process));

      temporaries = count_temporaries (dir);
      max_temporaries = MAX (max_temporaries, temporaries);
      g_assert_cmpuint (temporaries, <=, 1);

      if (path_exists (path))
        {
          guint64 now = file_generation (path);
          GStatBuf buf;

          g_assert_cmpuint (now, >=, generation);
          generation = now;
          g_assert_cmpint (g_stat (path, &buf), ==, 0);
          g_assert_cmpint (buf.st_mode & 0777, ==, 0600);
        }
    }

  g_test_message ("%u kills, %" G_GUINT64_FORMAT " generations written, %u temporary file(s) at most",
                  n_runs, generation, max_temporaries);
  /* The loop did write. */
  g_assert_cmpuint (generation, >, 0);

  /* And a last load cleans up and reads the last generation. */
  {
    g_autoptr(SondeProfileStore) store = sonde_profile_store_new (path);
    g_autoptr(GError) error = NULL;
    g_autofree char *expected = g_strdup_printf ("generation %" G_GUINT64_FORMAT, generation);

    g_assert_true (sonde_profile_store_load (store, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_temporaries (dir), ==, 0);
    g_assert_cmpstr (sonde_profile_get_name (get_profile (store, 0)), ==, expected);
  }
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/profile-store/round-trip", test_round_trip);
  g_test_add_func ("/profile-store/list-model", test_list_model);
  g_test_add_func ("/profile-store/debounce", test_debounce);
  g_test_add_func ("/profile-store/steady-changes-still-save", test_steady_changes_still_save);
  g_test_add_func ("/profile-store/flush", test_flush);
  g_test_add_func ("/profile-store/malformed-files", test_malformed_files);
  g_test_add_func ("/profile-store/backups-are-unique", test_backups_are_unique);
  g_test_add_func ("/profile-store/one-bad-profile", test_one_bad_profile);
  g_test_add_func ("/profile-store/newer-schema", test_newer_schema);
  g_test_add_func ("/profile-store/unreadable-file", test_unreadable_file);
  g_test_add_func ("/profile-store/stale-temporaries", test_stale_temporaries);
  g_test_add_func ("/profile-store/file-modes", test_file_modes);
  g_test_add_func ("/profile-store/duplicate-ids-on-load", test_duplicate_ids_on_load);
  g_test_add_func ("/profile-store/import-export", test_import_export);
  g_test_add_func ("/profile-store/import-errors", test_import_errors);
  g_test_add_func ("/profile-store/canary-secret", test_canary_secret);
  g_test_add_func ("/profile-store/kill-during-saves", test_kill_during_saves);

  return g_test_run ();
}
