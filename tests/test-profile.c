/* test-profile.c: SondeProfile, its JSON form, its checks and what it does to a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sonde-error.h"
#include "sonde-profile.h"
#include "sonde-test-util.h"

#define FINGERPRINT "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"

static void
assert_message_has (const char *message,
                    const char *expected)
{
  if (strstr (message, expected) == NULL)
    g_error ("“%s” does not say “%s”", message, expected);
}

static GPtrArray *
messages_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) sonde_profile_message_free);
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

static char *
to_string (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

/* A profile with every field away from its default. */
static SondeProfile *
make_full_profile (void)
{
  SondeProfile *profile = sonde_profile_new ();
  const char *headers[] = { "X-Client: sonde", "Accept-Language: fr", NULL };
  const char *protocols[] = { "graphql-ws", "v2.chat", NULL };
  SondeReconnectPolicy policy = { TRUE, 250, 30000, 12, 5000 };
  g_autoptr(GPtrArray) on_open = messages_new ();
  g_autoptr(GPtrArray) templates = messages_new ();
  g_autoptr(SondeProfileMessage) heartbeat = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_JSON,
                                                                       "{\"op\": \"ping\", \"seq\": {{seq}}}");
  g_autoptr(SondeProfileMessage) probe = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_JSON,
                                                                   "{\"op\": \"echo\", \"id\": \"{{ uuid }}\"}");
  g_autoptr(JsonNode) charts = parse_json ("[{\"path\": \"$.price\", \"color\": \"#3584e4\", "
                                           "\"window_s\": 60.5, \"tags\": [1, \"x\", null, true]}]");

  sonde_profile_set_name (profile, "Prices — prod “EU”");
  sonde_profile_set_url (profile, "wss://feed.example.com:8443/v1/stream?region=eu");
  sonde_profile_set_headers (profile, headers);
  sonde_profile_set_protocols (profile, protocols);
  sonde_profile_set_origin (profile, "https://app.example.com");
  sonde_profile_set_max_message_size (profile, 1024 * 1024);
  sonde_profile_set_deflate (profile, TRUE);
  sonde_profile_set_record (profile, FALSE);
  sonde_profile_set_auth_kind (profile, SONDE_AUTH_BASIC);
  sonde_profile_set_auth_username (profile, "alice");
  sonde_profile_set_auth_key_name (profile, "X-Api-Key");
  sonde_profile_set_tls_policy (profile, SONDE_TLS_PINNED);
  sonde_profile_set_pinned_sha256 (profile, FINGERPRINT);
  sonde_profile_set_client_certificate (profile, "/home/alice/certs/client.pem");
  sonde_profile_set_proxy (profile, "socks5://127.0.0.1:1080");
  sonde_profile_set_keepalive (profile, 20);
  sonde_profile_set_pong_timeout (profile, 5);
  sonde_profile_set_heartbeat (profile, heartbeat, 15);
  sonde_profile_set_latency_probe (profile, probe, "$.id", 7);
  sonde_profile_set_reconnect (profile, &policy);

  g_ptr_array_add (on_open, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_JSON, "{\"op\": \"auth\"}"));
  g_ptr_array_add (on_open, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "SUBSCRIBE prices {{uuid}}"));
  g_ptr_array_add (on_open, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_BINARY, "01 02 ff"));
  sonde_profile_set_on_open (profile, on_open);

  g_ptr_array_add (templates, sonde_profile_message_new ("Ping", SONDE_MESSAGE_FORMAT_TEXT, "ping {{now}}"));
  g_ptr_array_add (templates, sonde_profile_message_new ("Sub", SONDE_MESSAGE_FORMAT_JSON, "{\n  \"sub\": [\"a\", \"é\"]\n}"));
  sonde_profile_set_templates (profile, templates);

  sonde_profile_set_retention (profile, 5000, 8 * 1024 * 1024);
  sonde_profile_set_charts (profile, charts);
  {
    g_autoptr(JsonNode) rules = parse_json ("{\"cooldown_s\": 30, \"drops\": true, \"match\": [\"ERROR\"],"
                                            " \"thresholds\": [{\"path\": \"$.price\", \"op\": \">\", \"value\": 100}]}");

    sonde_profile_set_notifications (profile, rules);
  }
  {
    g_autoptr(JsonNode) rules = parse_json ("{\"sequence\": {\"path\": \"$.seq\", \"key\": \"$.sym\"},"
                                            " \"stale_after_s\": 10, \"bands\": [{\"path\": \"$.price\", \"max\": 1000}]}");

    sonde_profile_set_integrity (profile, rules);
  }

  return profile;
}

static void
assert_messages_equal (GPtrArray *a,
                       GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const SondeProfileMessage *ma = g_ptr_array_index (a, i);
      const SondeProfileMessage *mb = g_ptr_array_index (b, i);

      g_assert_cmpstr (ma->name, ==, mb->name);
      g_assert_cmpint (ma->format, ==, mb->format);
      g_assert_cmpstr (ma->body, ==, mb->body);
    }
}

/* Every field but the id. */
static void
assert_profiles_equal (SondeProfile *a,
                       SondeProfile *b)
{
  SondeReconnectPolicy ra;
  SondeReconnectPolicy rb;
  const SondeProfileMessage *ha = sonde_profile_get_heartbeat (a);
  const SondeProfileMessage *hb = sonde_profile_get_heartbeat (b);

  g_assert_cmpstr (sonde_profile_get_name (a), ==, sonde_profile_get_name (b));
  g_assert_cmpstr (sonde_profile_get_url (a), ==, sonde_profile_get_url (b));
  g_assert_cmpstrv (sonde_profile_get_headers (a), sonde_profile_get_headers (b));
  g_assert_cmpstrv (sonde_profile_get_protocols (a), sonde_profile_get_protocols (b));
  g_assert_cmpstr (sonde_profile_get_origin (a), ==, sonde_profile_get_origin (b));
  g_assert_cmpuint (sonde_profile_get_max_message_size (a), ==, sonde_profile_get_max_message_size (b));
  g_assert_cmpint (sonde_profile_get_deflate (a), ==, sonde_profile_get_deflate (b));
  g_assert_cmpint (sonde_profile_get_record (a), ==, sonde_profile_get_record (b));
  g_assert_cmpint (sonde_profile_get_auth_kind (a), ==, sonde_profile_get_auth_kind (b));
  g_assert_cmpstr (sonde_profile_get_auth_username (a), ==, sonde_profile_get_auth_username (b));
  g_assert_cmpstr (sonde_profile_get_auth_key_name (a), ==, sonde_profile_get_auth_key_name (b));
  g_assert_cmpint (sonde_profile_get_tls_policy (a), ==, sonde_profile_get_tls_policy (b));
  g_assert_cmpstr (sonde_profile_get_pinned_sha256 (a), ==, sonde_profile_get_pinned_sha256 (b));
  g_assert_cmpstr (sonde_profile_get_client_certificate (a), ==, sonde_profile_get_client_certificate (b));
  g_assert_cmpstr (sonde_profile_get_proxy (a), ==, sonde_profile_get_proxy (b));
  g_assert_cmpuint (sonde_profile_get_keepalive (a), ==, sonde_profile_get_keepalive (b));
  g_assert_cmpuint (sonde_profile_get_pong_timeout (a), ==, sonde_profile_get_pong_timeout (b));
  g_assert_cmpuint (sonde_profile_get_heartbeat_interval (a), ==, sonde_profile_get_heartbeat_interval (b));
  g_assert_true ((ha == NULL) == (hb == NULL));
  if (ha != NULL)
    {
      g_assert_cmpint (ha->format, ==, hb->format);
      g_assert_cmpstr (ha->body, ==, hb->body);
    }
  {
    const char *path_a = NULL, *path_b = NULL;
    guint interval_a = 0, interval_b = 0;
    const SondeProfileMessage *pa = sonde_profile_get_latency_probe (a, &path_a, &interval_a);
    const SondeProfileMessage *pb = sonde_profile_get_latency_probe (b, &path_b, &interval_b);

    g_assert_true ((pa == NULL) == (pb == NULL));
    if (pa != NULL)
      {
        g_assert_cmpint (pa->format, ==, pb->format);
        g_assert_cmpstr (pa->body, ==, pb->body);
      }
    g_assert_cmpstr (path_a, ==, path_b);
    g_assert_cmpuint (interval_a, ==, interval_b);
  }
  g_assert_true ((sonde_profile_get_notifications (a) == NULL) == (sonde_profile_get_notifications (b) == NULL));
  if (sonde_profile_get_notifications (a) != NULL)
    g_assert_true (json_node_equal (sonde_profile_get_notifications (a), sonde_profile_get_notifications (b)));
  g_assert_true ((sonde_profile_get_integrity (a) == NULL) == (sonde_profile_get_integrity (b) == NULL));
  if (sonde_profile_get_integrity (a) != NULL)
    g_assert_true (json_node_equal (sonde_profile_get_integrity (a), sonde_profile_get_integrity (b)));
  sonde_profile_get_reconnect (a, &ra);
  sonde_profile_get_reconnect (b, &rb);
  g_assert_cmpint (ra.enabled, ==, rb.enabled);
  g_assert_cmpuint (ra.base_ms, ==, rb.base_ms);
  g_assert_cmpuint (ra.cap_ms, ==, rb.cap_ms);
  g_assert_cmpuint (ra.max_attempts, ==, rb.max_attempts);
  g_assert_cmpuint (ra.min_uptime_ms, ==, rb.min_uptime_ms);
  assert_messages_equal (sonde_profile_get_on_open (a), sonde_profile_get_on_open (b));
  assert_messages_equal (sonde_profile_get_templates (a), sonde_profile_get_templates (b));
  g_assert_cmpuint (sonde_profile_get_retention_count (a), ==, sonde_profile_get_retention_count (b));
  g_assert_cmpuint (sonde_profile_get_retention_bytes (a), ==, sonde_profile_get_retention_bytes (b));
  g_assert_true ((sonde_profile_get_charts (a) == NULL) == (sonde_profile_get_charts (b) == NULL));
  if (sonde_profile_get_charts (a) != NULL)
    g_assert_true (json_node_equal (sonde_profile_get_charts (a), sonde_profile_get_charts (b)));
}

static GPtrArray *
problems_of (SondeProfile *profile)
{
  GPtrArray *problems = sonde_profile_validate (profile);

  g_assert_nonnull (problems);
  return problems;
}

static const SondeProblem *
find_problem (GPtrArray  *problems,
              const char *field)
{
  for (guint i = 0; i < problems->len; i++)
    {
      const SondeProblem *problem = g_ptr_array_index (problems, i);

      if (g_str_equal (problem->field, field))
        return problem;
    }

  return NULL;
}

static void
test_defaults (void)
{
  g_autoptr(SondeProfile) profile = sonde_profile_new ();
  g_autoptr(SondeProfile) other = sonde_profile_new ();
  SondeReconnectPolicy policy;

  g_assert_true (g_uuid_string_is_valid (sonde_profile_get_id (profile)));
  g_assert_cmpstr (sonde_profile_get_id (profile), !=, sonde_profile_get_id (other));
  g_assert_cmpstr (sonde_profile_get_name (profile), ==, "");
  g_assert_cmpstr (sonde_profile_get_url (profile), ==, "");
  g_assert_null (sonde_profile_get_headers (profile));
  g_assert_null (sonde_profile_get_protocols (profile));
  g_assert_null (sonde_profile_get_origin (profile));
  g_assert_cmpuint (sonde_profile_get_max_message_size (profile), ==, SONDE_DEFAULT_MAX_MESSAGE_SIZE);
  g_assert_false (sonde_profile_get_deflate (profile));
  /* Recorded unless the profile says not (files from before recording). */
  g_assert_true (sonde_profile_get_record (profile));
  g_assert_cmpint (sonde_profile_get_auth_kind (profile), ==, SONDE_AUTH_NONE);
  g_assert_null (sonde_profile_get_auth_username (profile));
  g_assert_null (sonde_profile_get_auth_key_name (profile));
  g_assert_cmpint (sonde_profile_get_tls_policy (profile), ==, SONDE_TLS_VERIFY);
  g_assert_null (sonde_profile_get_pinned_sha256 (profile));
  g_assert_null (sonde_profile_get_client_certificate (profile));
  g_assert_null (sonde_profile_get_proxy (profile));
  g_assert_cmpuint (sonde_profile_get_keepalive (profile), ==, 0);
  g_assert_cmpuint (sonde_profile_get_pong_timeout (profile), ==, 0);
  g_assert_null (sonde_profile_get_heartbeat (profile));
  g_assert_cmpuint (sonde_profile_get_heartbeat_interval (profile), ==, 0);
  sonde_profile_get_reconnect (profile, &policy);
  g_assert_false (policy.enabled);
  g_assert_cmpuint (policy.base_ms, ==, 1000);
  g_assert_cmpuint (policy.cap_ms, ==, 60000);
  g_assert_cmpuint (policy.max_attempts, ==, 0);
  g_assert_cmpuint (policy.min_uptime_ms, ==, 10000);
  g_assert_nonnull (sonde_profile_get_on_open (profile));
  g_assert_cmpuint (sonde_profile_get_on_open (profile)->len, ==, 0);
  g_assert_nonnull (sonde_profile_get_templates (profile));
  g_assert_cmpuint (sonde_profile_get_templates (profile)->len, ==, 0);
  g_assert_cmpuint (sonde_profile_get_retention_count (profile), ==, SONDE_MESSAGE_LOG_DEFAULT_MAX_COUNT);
  g_assert_cmpuint (sonde_profile_get_retention_bytes (profile), ==, SONDE_MESSAGE_LOG_DEFAULT_MAX_BYTES);
  g_assert_null (sonde_profile_get_charts (profile));

  g_assert_finalize_object (g_steal_pointer (&profile));
}

static void
test_new_for_url (void)
{
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("wss://stream.example.org:9443/feed");
  g_autoptr(SondeProfile) odd = sonde_profile_new_for_url ("not a url");

  g_assert_cmpstr (sonde_profile_get_url (profile), ==, "wss://stream.example.org:9443/feed");
  g_assert_cmpstr (sonde_profile_get_name (profile), ==, "stream.example.org");
  g_assert_cmpstr (sonde_profile_get_url (odd), ==, "not a url");
  g_assert_cmpstr (sonde_profile_get_name (odd), ==, "");
}

typedef struct {
  guint changed;
  guint notify_name;
  guint notify_url;
} Counts;

static void
on_changed (SondeProfile *profile,
            Counts       *counts)
{
  counts->changed++;
}

static void
on_notify (SondeProfile *profile,
           GParamSpec   *pspec,
           Counts       *counts)
{
  if (g_str_equal (pspec->name, "name"))
    counts->notify_name++;
  else if (g_str_equal (pspec->name, "url"))
    counts->notify_url++;
}

/* Each setter, twice with the same value: "changed" once. */
static void
test_setters_emit_changed_once (void)
{
  g_autoptr(SondeProfile) profile = sonde_profile_new ();
  g_autoptr(SondeProfile) full = make_full_profile ();
  Counts counts = { 0 };
  guint expected = 0;

  g_signal_connect (profile, "changed", G_CALLBACK (on_changed), &counts);
  g_signal_connect (profile, "notify", G_CALLBACK (on_notify), &counts);

#define TWICE(call)                                                        \
  G_STMT_START {                                                           \
    call;                                                                  \
    expected++;                                                            \
    if (counts.changed != expected)                                        \
      g_error ("%s: %u “changed”, expected %u", #call, counts.changed, expected); \
    call;                                                                  \
    if (counts.changed != expected)                                        \
      g_error ("%s again: “changed” when nothing changed", #call);         \
  } G_STMT_END

  TWICE (sonde_profile_set_name (profile, sonde_profile_get_name (full)));
  TWICE (sonde_profile_set_url (profile, sonde_profile_get_url (full)));
  TWICE (sonde_profile_set_headers (profile, sonde_profile_get_headers (full)));
  TWICE (sonde_profile_set_protocols (profile, sonde_profile_get_protocols (full)));
  TWICE (sonde_profile_set_origin (profile, sonde_profile_get_origin (full)));
  TWICE (sonde_profile_set_max_message_size (profile, sonde_profile_get_max_message_size (full)));
  TWICE (sonde_profile_set_deflate (profile, sonde_profile_get_deflate (full)));
  TWICE (sonde_profile_set_record (profile, sonde_profile_get_record (full)));
  TWICE (sonde_profile_set_auth_kind (profile, sonde_profile_get_auth_kind (full)));
  TWICE (sonde_profile_set_auth_username (profile, sonde_profile_get_auth_username (full)));
  TWICE (sonde_profile_set_auth_key_name (profile, sonde_profile_get_auth_key_name (full)));
  TWICE (sonde_profile_set_tls_policy (profile, sonde_profile_get_tls_policy (full)));
  TWICE (sonde_profile_set_pinned_sha256 (profile, sonde_profile_get_pinned_sha256 (full)));
  TWICE (sonde_profile_set_client_certificate (profile, sonde_profile_get_client_certificate (full)));
  TWICE (sonde_profile_set_proxy (profile, sonde_profile_get_proxy (full)));
  TWICE (sonde_profile_set_keepalive (profile, sonde_profile_get_keepalive (full)));
  TWICE (sonde_profile_set_pong_timeout (profile, sonde_profile_get_pong_timeout (full)));
  TWICE (sonde_profile_set_heartbeat (profile, sonde_profile_get_heartbeat (full),
                                      sonde_profile_get_heartbeat_interval (full)));
  TWICE (sonde_profile_set_heartbeat (profile, sonde_profile_get_heartbeat (full), 99));
  {
    SondeReconnectPolicy policy;

    sonde_profile_get_reconnect (full, &policy);
    TWICE (sonde_profile_set_reconnect (profile, &policy));
  }
  TWICE (sonde_profile_set_on_open (profile, sonde_profile_get_on_open (full)));
  TWICE (sonde_profile_set_templates (profile, sonde_profile_get_templates (full)));
  TWICE (sonde_profile_set_retention (profile, sonde_profile_get_retention_count (full),
                                      sonde_profile_get_retention_bytes (full)));
  TWICE (sonde_profile_set_charts (profile, sonde_profile_get_charts (full)));

  /* Back to "none": a change too. */
  TWICE (sonde_profile_set_headers (profile, NULL));
  TWICE (sonde_profile_set_origin (profile, NULL));
  TWICE (sonde_profile_set_heartbeat (profile, NULL, 0));
  TWICE (sonde_profile_set_on_open (profile, NULL));
  TWICE (sonde_profile_set_charts (profile, NULL));

  /* An empty list or string is the same as none. */
  {
    const char *empty[] = { NULL };
    g_autoptr(GPtrArray) no_messages = messages_new ();

    sonde_profile_set_headers (profile, empty);
    sonde_profile_set_origin (profile, "");
    sonde_profile_set_on_open (profile, no_messages);
    g_assert_cmpuint (counts.changed, ==, expected);
  }
#undef TWICE

  /* Properties notify, only on change too. */
  g_assert_cmpuint (counts.notify_name, ==, 1);
  g_assert_cmpuint (counts.notify_url, ==, 1);
  g_object_set (profile, "name", "Renamed", NULL);
  g_object_set (profile, "name", "Renamed", NULL);
  g_assert_cmpuint (counts.notify_name, ==, 2);
  g_assert_cmpuint (counts.changed, ==, expected + 1);

  g_signal_handlers_disconnect_by_data (profile, &counts);
  g_assert_finalize_object (g_steal_pointer (&profile));
}

/* set_ takes a copy: changing the array afterwards changes nothing. */
static void
test_messages_are_copied (void)
{
  g_autoptr(SondeProfile) profile = sonde_profile_new ();
  g_autoptr(GPtrArray) messages = messages_new ();
  g_autoptr(SondeProfileMessage) heartbeat = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "hb");
  SondeProfileMessage *first;

  g_ptr_array_add (messages, sonde_profile_message_new ("a", SONDE_MESSAGE_FORMAT_TEXT, "one"));
  sonde_profile_set_templates (profile, messages);
  sonde_profile_set_heartbeat (profile, heartbeat, 5);

  first = g_ptr_array_index (messages, 0);
  g_free (first->body);
  first->body = g_strdup ("changed");
  g_ptr_array_add (messages, sonde_profile_message_new ("b", SONDE_MESSAGE_FORMAT_TEXT, "two"));
  g_free (heartbeat->body);
  heartbeat->body = g_strdup ("other");

  g_assert_cmpuint (sonde_profile_get_templates (profile)->len, ==, 1);
  g_assert_cmpstr (((SondeProfileMessage *) g_ptr_array_index (sonde_profile_get_templates (profile), 0))->body, ==, "one");
  g_assert_cmpstr (sonde_profile_get_heartbeat (profile)->body, ==, "hb");
}

static void
test_duplicate (void)
{
  g_autoptr(SondeProfile) profile = make_full_profile ();
  g_autoptr(SondeProfile) copy = sonde_profile_duplicate (profile);

  g_assert_cmpstr (sonde_profile_get_id (profile), !=, sonde_profile_get_id (copy));
  assert_profiles_equal (profile, copy);
  g_assert_finalize_object (g_steal_pointer (&copy));
}

static void
test_json_round_trip (void)
{
  g_autoptr(SondeProfile) profile = make_full_profile ();
  g_autoptr(SondeProfile) loaded = NULL;
  g_autoptr(JsonNode) node = sonde_profile_to_json (profile);
  g_autoptr(JsonNode) reparsed = NULL;
  g_autoptr(JsonNode) node_again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = to_string (node);
  JsonObject *object = json_node_get_object (node);
  static const char * const keys[] = {
    "id", "name", "url", "headers", "protocols", "origin", "max_message_size", "deflate", "auth",
    "tls", "proxy", "keepalive_s", "pong_timeout_s", "heartbeat", "latency_probe", "reconnect", "on_open",
    "templates", "retention", "charts", "notifications", "integrity",
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      if (!json_object_has_member (object, keys[i]))
        g_error ("no “%s” in %s", keys[i], text);
    }
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "auth"), "kind"), ==, "basic");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "tls"), "policy"), ==, "pinned");

  /* Through text, as in the file. */
  reparsed = parse_json (text);
  loaded = sonde_profile_new_from_json (reparsed, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sonde_profile_get_id (loaded), ==, sonde_profile_get_id (profile));
  assert_profiles_equal (profile, loaded);

  node_again = sonde_profile_to_json (loaded);
  g_assert_true (json_node_equal (node, node_again));

  /* And the defaults survive too. */
  {
    g_autoptr(SondeProfile) plain = sonde_profile_new ();
    g_autoptr(JsonNode) plain_node = sonde_profile_to_json (plain);
    g_autoptr(SondeProfile) plain_loaded = sonde_profile_new_from_json (plain_node, &error);

    g_assert_no_error (error);
    assert_profiles_equal (plain, plain_loaded);
  }

  g_assert_finalize_object (g_steal_pointer (&loaded));
}

static void
test_json_unknown_and_missing_keys (void)
{
  g_autoptr(JsonNode) node = parse_json ("{\"id\": \"p-1\", \"name\": \"Future\", \"url\": \"ws://h/\","
                                         " \"hologram\": {\"depth\": 3}, \"auth\": {\"kind\": \"bearer\","
                                         " \"rotation\": 7}, \"retention\": {\"max_count\": 10, \"tier\": \"x\"},"
                                         " \"on_open\": [{\"body\": \"hi\", \"delay_ms\": 5}],"
                                         " \"keepalive_s\": 1e3, \"origin\": null}");
  g_autoptr(JsonNode) empty = parse_json ("{}");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeProfile) profile = sonde_profile_new_from_json (node, &error);
  g_autoptr(SondeProfile) defaults = NULL;
  g_autoptr(SondeProfile) reference = sonde_profile_new ();
  const SondeProfileMessage *message;

  g_assert_no_error (error);
  g_assert_cmpstr (sonde_profile_get_id (profile), ==, "p-1");
  g_assert_cmpstr (sonde_profile_get_name (profile), ==, "Future");
  g_assert_cmpint (sonde_profile_get_auth_kind (profile), ==, SONDE_AUTH_BEARER);
  g_assert_cmpuint (sonde_profile_get_retention_count (profile), ==, 10);
  g_assert_cmpuint (sonde_profile_get_retention_bytes (profile), ==, SONDE_MESSAGE_LOG_DEFAULT_MAX_BYTES);
  g_assert_cmpuint (sonde_profile_get_keepalive (profile), ==, 1000);
  g_assert_null (sonde_profile_get_origin (profile));
  g_assert_cmpuint (sonde_profile_get_on_open (profile)->len, ==, 1);
  message = g_ptr_array_index (sonde_profile_get_on_open (profile), 0);
  g_assert_cmpint (message->format, ==, SONDE_MESSAGE_FORMAT_TEXT);
  g_assert_cmpstr (message->body, ==, "hi");

  defaults = sonde_profile_new_from_json (empty, &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (sonde_profile_get_id (defaults)));
  assert_profiles_equal (defaults, reference);
}

static void
test_json_wrong_types (void)
{
  static const struct {
    const char *json;
    const char *field;
  } cases[] = {
    { "{\"max_message_size\": \"big\"}", "“max_message_size” must be a whole number, not text" },
    { "{\"max_message_size\": -1}", "“max_message_size” must not be negative" },
    { "{\"name\": 42}", "“name” must be text, not a number" },
    { "{\"id\": true}", "“id”" },
    { "{\"deflate\": 1}", "“deflate” must be true or false" },
    { "{\"headers\": \"X-A: b\"}", "“headers” must be a list" },
    { "{\"headers\": [\"X-A: b\", 7]}", "“headers[1]” must be text" },
    { "{\"protocols\": {}}", "“protocols”" },
    { "{\"auth\": \"bearer\"}", "“auth” must be an object, not text" },
    { "{\"auth\": {\"kind\": \"magic\"}}", "“auth.kind” is “magic”: expected none, bearer, basic, api-key-header or api-key-query" },
    { "{\"auth\": {\"kind\": \"basic\", \"username\": []}}", "“auth.username”" },
    { "{\"tls\": {\"policy\": \"trust-me\"}}", "“tls.policy”" },
    { "{\"tls\": {\"pinned_sha256\": 5}}", "“tls.pinned_sha256”" },
    { "{\"keepalive_s\": 1.5}", "“keepalive_s” must be a whole number, not a number" },
    { "{\"pong_timeout_s\": 99999999999}", "“pong_timeout_s” is too large" },
    { "{\"heartbeat\": {\"interval_s\": \"5\"}}", "“heartbeat.interval_s”" },
    { "{\"heartbeat\": {\"body\": \"x\", \"format\": \"yaml\"}}", "“heartbeat.format”" },
    { "{\"reconnect\": {\"enabled\": \"yes\"}}", "“reconnect.enabled”" },
    { "{\"reconnect\": {\"base_ms\": \"1000\"}}", "“reconnect.base_ms”" },
    { "{\"on_open\": {}}", "“on_open” must be a list" },
    { "{\"on_open\": [\"hello\"]}", "“on_open[0]” must be an object" },
    { "{\"on_open\": [{\"format\": \"xml\"}]}", "“on_open[0].format”" },
    { "{\"templates\": [{\"name\": \"a\", \"body\": \"\"}, {\"name\": \"b\", \"body\": 5}]}", "“templates[1].body”" },
    { "{\"retention\": {\"max_count\": -1}}", "“retention.max_count”" },
    { "{\"retention\": {\"max_bytes\": \"1 GB\"}}", "“retention.max_bytes”" },
    { "[]", "must be a JSON object" },
    { "\"profile\"", "must be a JSON object" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse_json (cases[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(SondeProfile) profile = sonde_profile_new_from_json (node, &error);

      g_assert_null (profile);
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE);
      assert_message_has (error->message, cases[i].field);
    }
}

/* Secret-like keys in a file are never read into the profile, so they can
 * never be written back out. */
static void
test_json_secret_keys_dropped (void)
{
  g_autoptr(JsonNode) node = parse_json (
    "{\"name\": \"leaky\", \"secret\": \"S1-hidden\", \"token\": \"T1-hidden\","
    " \"password\": \"P1-hidden\", \"Token\": \"T2-hidden\","
    " \"auth\": {\"kind\": \"basic\", \"username\": \"bob\", \"password\": \"P2-hidden\", \"secret\": \"S2-hidden\"},"
    " \"tls\": {\"token\": \"T3-hidden\"},"
    " \"heartbeat\": {\"body\": \"hb\", \"interval_s\": 5, \"token\": \"T4-hidden\"},"
    " \"templates\": [{\"name\": \"t\", \"body\": \"b\", \"password\": \"P3-hidden\"}],"
    " \"charts\": [{\"path\": \"$.x\", \"secret\": \"S3-hidden\", \"nested\": {\"PASSWORD\": \"P4-hidden\", \"keep\": 1}}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(SondeProfile) profile = sonde_profile_new_from_json (node, &error);
  g_autoptr(JsonNode) out = NULL;
  g_autofree char *text = NULL;
  JsonObject *chart;

  g_assert_no_error (error);
  out = sonde_profile_to_json (profile);
  text = to_string (out);
  g_assert_null (strstr (text, "hidden"));
  g_assert_null (strstr (text, "\"secret\""));
  g_assert_null (strstr (text, "\"token\""));
  g_assert_null (strstr (text, "\"password\""));

  /* The rest of the charts is kept. */
  chart = json_array_get_object_element (json_node_get_array (sonde_profile_get_charts (profile)), 0);
  g_assert_cmpstr (json_object_get_string_member (chart, "path"), ==, "$.x");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (chart, "nested"), "keep"), ==, 1);
  g_assert_cmpstr (sonde_profile_get_auth_username (profile), ==, "bob");
}

/* A valid profile to break one field at a time. */
static SondeProfile *
make_valid_profile (void)
{
  SondeProfile *profile = make_full_profile ();

  sonde_profile_set_auth_key_name (profile, NULL);
  return profile;
}

typedef void (*Breaker) (SondeProfile *profile);

static void break_name (SondeProfile *p) { sonde_profile_set_name (p, "  "); }
static void break_url (SondeProfile *p) { sonde_profile_set_url (p, "ftp://example.com/"); }
static void break_url_empty (SondeProfile *p) { sonde_profile_set_url (p, ""); }
static void
break_header (SondeProfile *p)
{
  const char *headers[] = { "X-Fine: yes", "Bad Name: x", NULL };

  sonde_profile_set_headers (p, headers);
}
static void
break_managed_header (SondeProfile *p)
{
  const char *headers[] = { "Sec-WebSocket-Key: abc", NULL };

  sonde_profile_set_headers (p, headers);
}
static void
break_auth_header_clash (SondeProfile *p)
{
  const char *headers[] = { "X-A: 1", "X-B: 2", "authorization: Bearer typed-by-hand", NULL };

  sonde_profile_set_headers (p, headers);
}
static void
break_protocol (SondeProfile *p)
{
  const char *protocols[] = { "ok", "not ok", NULL };

  sonde_profile_set_protocols (p, protocols);
}
static void break_origin (SondeProfile *p) { sonde_profile_set_origin (p, "https://a\r\nX-Evil: 1"); }
static void break_frame_size (SondeProfile *p) { sonde_profile_set_max_message_size (p, 0); }
static void break_frame_size_large (SondeProfile *p) { sonde_profile_set_max_message_size (p, SONDE_MAX_MAX_MESSAGE_SIZE + 1); }
static void break_username (SondeProfile *p) { sonde_profile_set_auth_username (p, NULL); }
static void break_username_colon (SondeProfile *p) { sonde_profile_set_auth_username (p, "a:b"); }
static void
break_key_header (SondeProfile *p)
{
  sonde_profile_set_auth_kind (p, SONDE_AUTH_API_KEY_HEADER);
  sonde_profile_set_auth_key_name (p, "X Api Key");
}
static void
break_key_header_missing (SondeProfile *p)
{
  sonde_profile_set_auth_kind (p, SONDE_AUTH_API_KEY_HEADER);
}
static void
break_key_header_managed (SondeProfile *p)
{
  sonde_profile_set_auth_kind (p, SONDE_AUTH_API_KEY_HEADER);
  sonde_profile_set_auth_key_name (p, "Origin");
}
static void
break_key_query (SondeProfile *p)
{
  sonde_profile_set_auth_kind (p, SONDE_AUTH_API_KEY_QUERY);
  sonde_profile_set_auth_key_name (p, "");
}
static void break_pin (SondeProfile *p) { sonde_profile_set_pinned_sha256 (p, "abcd"); }
static void break_pin_missing (SondeProfile *p) { sonde_profile_set_pinned_sha256 (p, NULL); }
static void break_proxy (SondeProfile *p) { sonde_profile_set_proxy (p, "ftp://proxy:21"); }
static void break_proxy_unparsable (SondeProfile *p) { sonde_profile_set_proxy (p, "proxy here"); }
static void break_pong (SondeProfile *p) { sonde_profile_set_keepalive (p, 0); }
static void
break_heartbeat (SondeProfile *p)
{
  g_autoptr(SondeProfileMessage) message = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_JSON, "{\"t\": {{now}}}");

  sonde_profile_set_heartbeat (p, message, 10);
}
static void
break_heartbeat_interval (SondeProfile *p)
{
  sonde_profile_set_heartbeat (p, sonde_profile_get_heartbeat (p), 0);
}
static void
break_probe_uuid (SondeProfile *p)
{
  g_autoptr(SondeProfileMessage) probe = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "ping {{seq}}");

  sonde_profile_set_latency_probe (p, probe, "$.id", 5);
}
static void
break_probe_path (SondeProfile *p)
{
  const char *path = NULL;
  guint interval = 0;
  const SondeProfileMessage *probe = sonde_profile_get_latency_probe (p, &path, &interval);

  sonde_profile_set_latency_probe (p, probe, "$.id[", interval);
}
static void
break_probe_interval (SondeProfile *p)
{
  const char *path = NULL;
  const SondeProfileMessage *probe = sonde_profile_get_latency_probe (p, &path, NULL);
  g_autofree char *kept = g_strdup (path);

  sonde_profile_set_latency_probe (p, probe, kept, 0);
}
static void
break_notifications (SondeProfile *p)
{
  g_autoptr(JsonNode) rules = parse_json ("{\"match\": [\"ok\", 5]}");

  sonde_profile_set_notifications (p, rules);
}
static void
break_integrity (SondeProfile *p)
{
  g_autoptr(JsonNode) rules = parse_json ("{\"bands\": [{\"path\": \"$.a\", \"min\": 5, \"max\": 1}]}");

  sonde_profile_set_integrity (p, rules);
}
static void
break_reconnect (SondeProfile *p)
{
  SondeReconnectPolicy policy = { TRUE, 5000, 1000, 0, 0 };

  sonde_profile_set_reconnect (p, &policy);
}
static void
break_on_open (SondeProfile *p)
{
  g_autoptr(GPtrArray) messages = messages_new ();

  g_ptr_array_add (messages, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "fine"));
  g_ptr_array_add (messages, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "{{sequence}}"));
  sonde_profile_set_on_open (p, messages);
}
static void
break_template (SondeProfile *p)
{
  g_autoptr(GPtrArray) messages = messages_new ();

  g_ptr_array_add (messages, sonde_profile_message_new ("a", SONDE_MESSAGE_FORMAT_TEXT, "x"));
  g_ptr_array_add (messages, sonde_profile_message_new ("b", SONDE_MESSAGE_FORMAT_TEXT, "y"));
  g_ptr_array_add (messages, sonde_profile_message_new ("c", SONDE_MESSAGE_FORMAT_BINARY, "0g"));
  sonde_profile_set_templates (p, messages);
}
static void
break_template_name (SondeProfile *p)
{
  g_autoptr(GPtrArray) messages = messages_new ();

  g_ptr_array_add (messages, sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "x"));
  sonde_profile_set_templates (p, messages);
}
static void
break_template_duplicate (SondeProfile *p)
{
  g_autoptr(GPtrArray) messages = messages_new ();

  g_ptr_array_add (messages, sonde_profile_message_new ("same", SONDE_MESSAGE_FORMAT_TEXT, "x"));
  g_ptr_array_add (messages, sonde_profile_message_new ("same", SONDE_MESSAGE_FORMAT_TEXT, "y"));
  sonde_profile_set_templates (p, messages);
}
static void break_retention_count (SondeProfile *p) { sonde_profile_set_retention (p, 0, 1 << 20); }
static void break_retention_bytes (SondeProfile *p) { sonde_profile_set_retention (p, 10, 1023); }

static void
test_validate (void)
{
  static const struct {
    Breaker     breaker;
    const char *field;
    const char *says;
  } cases[] = {
    { break_name, "name", "Give the profile a name" },
    { break_url, "url", "not a WebSocket scheme" },
    { break_url_empty, "url", "empty" },
    { break_header, "headers[1]", "cannot contain" },
    { break_managed_header, "headers[0]", "cannot be set by hand" },
    { break_auth_header_clash, "headers[2]", "The authentication sets the “Authorization” header" },
    { break_protocol, "protocols[1]", "not a valid token" },
    { break_origin, "origin", "line break" },
    { break_frame_size, "max-message-size", "no limit" },
    { break_frame_size_large, "max-message-size", "2 GiB" },
    { break_username, "auth-username", "needs a user name" },
    { break_username_colon, "auth-username", "cannot contain “:”" },
    { break_key_header, "auth-key-name", "not a valid header name" },
    { break_key_header_missing, "auth-key-name", "header" },
    { break_key_header_managed, "auth-key-name", "cannot be set by hand" },
    { break_key_query, "auth-key-name", "query parameter" },
    { break_pin, "tls-pinned-sha256", "64 hex digits" },
    { break_pin_missing, "tls-pinned-sha256", "64 hex digits" },
    { break_proxy, "proxy", "http, https or socks5" },
    { break_proxy_unparsable, "proxy", "not a proxy URL" },
    { break_pong, "pong-timeout", "keepalive" },
    { break_heartbeat, "heartbeat", "After placeholders" },
    { break_heartbeat_interval, "heartbeat-interval", "how often" },
    { break_probe_uuid, "latency-probe", "{{uuid}}" },
    { break_probe_path, "latency-path", "Column" },
    { break_probe_interval, "latency-interval", "how often" },
    { break_notifications, "notifications", "Notification text 2 is not a string" },
    { break_integrity, "integrity", "integrity.bands[0]: min (5) is above max (1)" },
    { break_reconnect, "reconnect", "at least the first delay" },
    { break_on_open, "on-open[1]", "did you mean {{seq}}" },
    { break_template, "templates[2]", "hex digit" },
    { break_template_name, "templates[0]", "Give the template a name" },
    { break_template_duplicate, "templates[1]", "already called “same”" },
    { break_retention_count, "retention-count", "at least one message" },
    { break_retention_bytes, "retention-bytes", "1 KiB" },
  };
  g_autoptr(SondeProfile) valid = make_valid_profile ();
  g_autoptr(GPtrArray) none = problems_of (valid);

  for (guint i = 0; i < none->len; i++)
    {
      const SondeProblem *problem = g_ptr_array_index (none, i);

      g_error ("the valid profile has a problem: %s: %s", problem->field, problem->message);
    }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SondeProfile) profile = make_valid_profile ();
      g_autoptr(GPtrArray) problems = NULL;
      const SondeProblem *problem;

      cases[i].breaker (profile);
      problems = problems_of (profile);
      problem = find_problem (problems, cases[i].field);
      if (problem == NULL)
        g_error ("case %u: no problem with “%s” (%u others)", i, cases[i].field, problems->len);
      assert_message_has (problem->message, cases[i].says);
      /* One thing broken, one problem. */
      g_assert_cmpuint (problems->len, ==, 1);
    }
}

static void
test_pinned_fingerprint_normalized (void)
{
  g_autoptr(SondeProfile) profile = sonde_profile_new ();
  g_autoptr(GString) colons = g_string_new (NULL);
  g_autofree char *upper = g_ascii_strup (FINGERPRINT, -1);

  for (guint i = 0; i < 64; i += 2)
    g_string_append_printf (colons, "%s%c%c", i == 0 ? "" : ":", upper[i], upper[i + 1]);

  sonde_profile_set_pinned_sha256 (profile, colons->str);
  g_assert_cmpstr (sonde_profile_get_pinned_sha256 (profile), ==, FINGERPRINT);

  /* Not a fingerprint: kept as typed, for the editor to show. */
  sonde_profile_set_pinned_sha256 (profile, "AB:CD");
  g_assert_cmpstr (sonde_profile_get_pinned_sha256 (profile), ==, "AB:CD");
}

typedef struct {
  SondeAuthKind  kind;
  const char    *secret;
  const char    *header;    /* expected extra header, or NULL */
  const char    *url;       /* expected URL */
} AuthCase;

static void
test_configure_connection (void)
{
  static const AuthCase cases[] = {
    { SONDE_AUTH_NONE, NULL, NULL, "wss://api.example.com/feed?x=1&api_key=old" },
    { SONDE_AUTH_BEARER, "tok.en-1", "Authorization: Bearer tok.en-1", "wss://api.example.com/feed?x=1&api_key=old" },
    /* base64 ("alice:pässword") */
    { SONDE_AUTH_BASIC, "pässword", "Authorization: Basic YWxpY2U6cMOkc3N3b3Jk", "wss://api.example.com/feed?x=1&api_key=old" },
    { SONDE_AUTH_BASIC, "", "Authorization: Basic YWxpY2U6", "wss://api.example.com/feed?x=1&api_key=old" },
    { SONDE_AUTH_API_KEY_HEADER, "k3y", "api_key: k3y", "wss://api.example.com/feed?x=1&api_key=old" },
    /* The old api_key is replaced, x=1 kept, the new value percent-encoded. */
    { SONDE_AUTH_API_KEY_QUERY, "s e+c&r=t/é", NULL, "wss://api.example.com/feed?x=1&api_key=s%20e%2Bc%26r%3Dt%2F%C3%A9" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SondeProfile) profile = sonde_profile_new ();
      g_autoptr(SondeConnection) connection = sonde_connection_new ();
      g_autoptr(GError) error = NULL;
      const char *headers[] = { "X-Client: sonde", NULL };
      const char *protocols[] = { "v1", NULL };
      const char * const *applied;
      guint n = 0;

      sonde_profile_set_url (profile, "wss://api.example.com/feed?x=1&api_key=old");
      sonde_profile_set_headers (profile, headers);
      sonde_profile_set_protocols (profile, protocols);
      sonde_profile_set_origin (profile, "https://app.example.com");
      sonde_profile_set_max_message_size (profile, 4096);
      sonde_profile_set_deflate (profile, TRUE);
      sonde_profile_set_retention (profile, 77, 65536);
      sonde_profile_set_auth_kind (profile, cases[i].kind);
      sonde_profile_set_auth_username (profile, "alice");
      sonde_profile_set_auth_key_name (profile, "api_key");

      g_assert_true (sonde_profile_configure_connection (profile, connection, cases[i].secret, &error));
      g_assert_no_error (error);

      g_assert_cmpstr (sonde_connection_get_url (connection), ==, cases[i].url);
      applied = sonde_connection_get_headers (connection);
      g_assert_nonnull (applied);
      g_assert_cmpstr (applied[0], ==, "X-Client: sonde");
      if (cases[i].header != NULL)
        g_assert_cmpstr (applied[1], ==, cases[i].header);
      while (applied[n] != NULL)
        n++;
      g_assert_cmpuint (n, ==, cases[i].header != NULL ? 2 : 1);
      g_assert_cmpstrv (sonde_connection_get_protocols (connection), protocols);
      g_assert_cmpstr (sonde_connection_get_origin (connection), ==, "https://app.example.com");
      g_assert_cmpuint (sonde_connection_get_max_message_size (connection), ==, 4096);
      g_assert_true (sonde_connection_get_deflate (connection));
      g_assert_cmpuint (sonde_message_log_get_max_count (sonde_connection_get_log (connection)), ==, 77);
      g_assert_cmpuint (sonde_message_log_get_max_bytes (sonde_connection_get_log (connection)), ==, 65536);
      /* The profile has no latency probe, so neither has the connection. */
      g_assert_false (sonde_connection_get_latency_probe (connection));
    }

  /* With one, the connection probes. */
  {
    g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("wss://echo.example.com/");
    g_autoptr(SondeConnection) connection = sonde_connection_new ();
    g_autoptr(SondeProfileMessage) probe = sonde_profile_message_new (NULL, SONDE_MESSAGE_FORMAT_TEXT, "{{uuid}}");
    g_autoptr(GError) error = NULL;

    sonde_profile_set_latency_probe (profile, probe, "$.id", 3);
    g_assert_true (sonde_profile_configure_connection (profile, connection, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (sonde_connection_get_latency_probe (connection));
  }
}

static void
test_configure_query_without_query (void)
{
  g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("https://api.example.com/feed");
  g_autoptr(SondeConnection) connection = sonde_connection_new ();
  g_autoptr(GError) error = NULL;

  sonde_profile_set_auth_kind (profile, SONDE_AUTH_API_KEY_QUERY);
  sonde_profile_set_auth_key_name (profile, "access token");
  g_assert_true (sonde_profile_configure_connection (profile, connection, "abc", &error));
  g_assert_no_error (error);
  /* https maps to wss, as connect() would. */
  g_assert_cmpstr (sonde_connection_get_url (connection), ==, "wss://api.example.com/feed?access%20token=abc");
  g_assert_null (sonde_connection_get_headers (connection));
}

static void
test_configure_refusals (void)
{
  static const SondeAuthKind needs_secret[] = {
    SONDE_AUTH_BEARER, SONDE_AUTH_BASIC, SONDE_AUTH_API_KEY_HEADER, SONDE_AUTH_API_KEY_QUERY,
  };

  for (guint i = 0; i < G_N_ELEMENTS (needs_secret); i++)
    {
      g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("ws://127.0.0.1:9/");
      g_autoptr(SondeConnection) connection = sonde_connection_new ();
      g_autoptr(GError) error = NULL;

      sonde_profile_set_auth_kind (profile, needs_secret[i]);
      sonde_profile_set_auth_username (profile, "u");
      sonde_profile_set_auth_key_name (profile, "key");
      g_assert_false (sonde_profile_configure_connection (profile, connection, NULL, &error));
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_NO_SECRET);
      assert_message_has (error->message, "No secret stored for this profile");
      /* Nothing applied. */
      g_assert_null (sonde_connection_get_url (connection));
      g_clear_error (&error);

      /* A secret that would split the request: refused, and not quoted. */
      g_assert_false (sonde_profile_configure_connection (profile, connection, "abc\r\nX-Evil: 1", &error));
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_OPTION);
      g_assert_null (strstr (error->message, "abc"));
      g_assert_null (sonde_connection_get_url (connection));
    }

  {
    g_autoptr(SondeProfile) profile = sonde_profile_new_for_url ("ftp://example.com/");
    g_autoptr(SondeConnection) connection = sonde_connection_new ();
    g_autoptr(GError) error = NULL;

    g_assert_false (sonde_profile_configure_connection (profile, connection, NULL, &error));
    g_assert_error (error, SONDE_ERROR, SONDE_ERROR_UNSUPPORTED_SCHEME);
  }
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/profile/defaults", test_defaults);
  g_test_add_func ("/profile/new-for-url", test_new_for_url);
  g_test_add_func ("/profile/setters-emit-changed-once", test_setters_emit_changed_once);
  g_test_add_func ("/profile/messages-are-copied", test_messages_are_copied);
  g_test_add_func ("/profile/duplicate", test_duplicate);
  g_test_add_func ("/profile/json-round-trip", test_json_round_trip);
  g_test_add_func ("/profile/json-unknown-and-missing-keys", test_json_unknown_and_missing_keys);
  g_test_add_func ("/profile/json-wrong-types", test_json_wrong_types);
  g_test_add_func ("/profile/json-secret-keys-dropped", test_json_secret_keys_dropped);
  g_test_add_func ("/profile/validate", test_validate);
  g_test_add_func ("/profile/pinned-fingerprint-normalized", test_pinned_fingerprint_normalized);
  g_test_add_func ("/profile/configure-connection", test_configure_connection);
  g_test_add_func ("/profile/configure-query-without-query", test_configure_query_without_query);
  g_test_add_func ("/profile/configure-refusals", test_configure_refusals);

  return g_test_run ();
}
