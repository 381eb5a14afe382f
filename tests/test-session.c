/* test-session.c: SondeSession applies a profile in one place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against a SoupServer (in its own thread) that records what each
 * handshake carried: a profile's session sends the profile's header,
 * subprotocol, Origin and bearer token, from a given secret or from the
 * keyring; a profile that does not validate, or a secret that cannot be
 * had, is an error naming the profile; an ad-hoc URL unlinks the profile;
 * the chart layout goes back to the profile; state notifies only on change.
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "sonde-error.h"
#include "sonde-session.h"
#include "sonde-test-util.h"

#define WAIT_MS 10000
#define TOKEN "t0ken-for-session"

typedef struct {
  GMutex   lock;
  guint    n_handshakes;
  char    *header;         /* X-Feed of the last handshake */
  char    *authorization;
  char    *origin;
  char    *protocols;
  GPtrArray *connections; /* kept open: a server connection closes when unreferenced */
} Seen;

typedef struct {
  Seen             seen;
  SondeTestServer *server;
  char            *url;
  SondeSecrets    *secrets;
} Fixture;

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 data)
{
  Seen *seen = data;

  g_mutex_lock (&seen->lock);
  g_ptr_array_add (seen->connections, g_object_ref (connection));
  g_mutex_unlock (&seen->lock);
  soup_websocket_connection_send_text (connection, "{\"hello\":1}");
}

/* Runs before the upgrade: records what the request carried. */
static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  Seen *seen = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  g_mutex_lock (&seen->lock);
  seen->n_handshakes++;
  g_free (seen->header);
  seen->header = g_strdup (soup_message_headers_get_one (headers, "X-Feed"));
  g_free (seen->authorization);
  seen->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_free (seen->origin);
  seen->origin = g_strdup (soup_message_headers_get_one (headers, "Origin"));
  g_free (seen->protocols);
  seen->protocols = g_strdup (soup_message_headers_get_list (headers, "Sec-WebSocket-Protocol"));
  g_mutex_unlock (&seen->lock);
}

static void
setup_server (SoupServer *server,
              gpointer    data)
{
  char *protocols[] = { "feed.v2", NULL };

  soup_server_add_early_handler (server, "/feed", on_request, data, NULL);
  soup_server_add_websocket_handler (server, "/feed", NULL, protocols, on_websocket, data, NULL);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_mutex_init (&fixture->seen.lock);
  fixture->seen.connections = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->server = sonde_test_server_new (setup_server, &fixture->seen);
  fixture->url = sonde_test_server_dup_url (fixture->server, "ws", "/feed");
  fixture->secrets = sonde_secrets_new ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->secrets);
  g_clear_pointer (&fixture->server, sonde_test_server_free);
  g_ptr_array_unref (fixture->seen.connections);
  g_free (fixture->url);
  g_free (fixture->seen.header);
  g_free (fixture->seen.authorization);
  g_free (fixture->seen.origin);
  g_free (fixture->seen.protocols);
  g_mutex_clear (&fixture->seen.lock);
}

static SondeProfile *
make_profile (Fixture *fixture)
{
  SondeProfile *profile = sonde_profile_new_for_url (fixture->url);
  const char *headers[] = { "X-Feed: prices", NULL };
  const char *protocols[] = { "feed.v2", NULL };

  sonde_profile_set_name (profile, "Checked feed");
  sonde_profile_set_headers (profile, headers);
  sonde_profile_set_protocols (profile, protocols);
  sonde_profile_set_origin (profile, "https://app.example");
  sonde_profile_set_auth_kind (profile, SONDE_AUTH_BEARER);
  return profile;
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Result;

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Result *r = data;

  r->ok = sonde_session_connect_finish (SONDE_SESSION (source), result, &r->error);
  r->done = TRUE;
}

static gboolean
connect_and_wait (SondeSession  *session,
                  GError       **error)
{
  Result r = { 0 };

  sonde_session_connect_async (session, NULL, on_connected, &r);
  SONDE_TEST_ASSERT_WAIT (r.done, WAIT_MS);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.ok;
}

static void
assert_seen_profile (Fixture *fixture)
{
  g_mutex_lock (&fixture->seen.lock);
  g_assert_cmpstr (fixture->seen.header, ==, "prices");
  g_assert_cmpstr (fixture->seen.authorization, ==, "Bearer " TOKEN);
  g_assert_cmpstr (fixture->seen.origin, ==, "https://app.example");
  g_assert_nonnull (fixture->seen.protocols);
  g_assert_nonnull (strstr (fixture->seen.protocols, "feed.v2"));
  g_mutex_unlock (&fixture->seen.lock);
}

static void
test_profile_with_secret (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SondeProfile) profile = make_profile (fixture);
  g_autoptr(SondeSession) session = sonde_session_new_for_profile (profile);
  g_autoptr(GError) error = NULL;

  sonde_session_set_secret (session, TOKEN);
  g_assert_true (connect_and_wait (session, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_state (session) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);

  assert_seen_profile (fixture);
  g_assert_cmpstr (sonde_connection_get_protocol (sonde_session_get_connection (session)), ==, "feed.v2");
  g_assert_cmpstr (sonde_session_get_title (session), ==, "Checked feed");
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_messages_in (session) == 1, WAIT_MS);

  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (!sonde_session_get_active (session), WAIT_MS);
  g_assert_true (sonde_session_close_was_normal (session));
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Result *r = data;

  r->ok = sonde_secrets_store_finish (SONDE_SECRETS (source), result, &r->error);
  r->done = TRUE;
}

static void
test_profile_from_keyring (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(SondeProfile) profile = make_profile (fixture);
  g_autoptr(SondeSession) session = sonde_session_new_for_profile (profile);
  g_autoptr(GError) error = NULL;
  Result stored = { 0 };

  sonde_secrets_store_async (fixture->secrets, sonde_profile_get_id (profile), "Sonde: Checked feed",
                             TOKEN, NULL, on_stored, &stored);
  SONDE_TEST_ASSERT_WAIT (stored.done, WAIT_MS);
  g_assert_no_error (stored.error);

  sonde_session_set_secrets (session, fixture->secrets);
  g_assert_true (connect_and_wait (session, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_state (session) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  assert_seen_profile (fixture);
}

static void
test_missing_secret (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SondeProfile) profile = make_profile (fixture);
  g_autoptr(SondeSession) session = sonde_session_new_for_profile (profile);
  g_autoptr(GError) error = NULL;

  /* No keyring at all. */
  g_assert_false (connect_and_wait (session, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_NO_SECRET);
  g_assert_nonnull (strstr (error->message, "Checked feed"));
  g_clear_error (&error);

  /* A keyring without this profile's secret. */
  sonde_session_set_secrets (session, fixture->secrets);
  g_assert_false (connect_and_wait (session, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_NO_SECRET);
  g_assert_nonnull (strstr (error->message, "Checked feed"));
  g_assert_cmpint (sonde_session_get_state (session), ==, SONDE_CONNECTION_STATE_DISCONNECTED);
  g_assert_cmpuint (fixture->seen.n_handshakes, ==, 0);
}

static void
test_invalid_profile (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(SondeProfile) profile = make_profile (fixture);
  g_autoptr(SondeSession) session = sonde_session_new_for_profile (profile);
  g_autoptr(GError) error = NULL;
  const char *protocols[] = { "two words", NULL };

  sonde_profile_set_protocols (profile, protocols);
  sonde_session_set_secret (session, TOKEN);
  g_assert_false (connect_and_wait (session, &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_PROFILE);
  g_assert_nonnull (strstr (error->message, "Checked feed"));
  g_assert_nonnull (strstr (error->message, "protocols[0]"));
  g_assert_cmpuint (fixture->seen.n_handshakes, ==, 0);
}

/* Connect with the profile's own URL (the header bar's Connect in its
 * tab) uses the profile; another URL makes the session ad hoc. */
static void
test_connect_url (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SondeProfile) profile = make_profile (fixture);
  g_autoptr(SondeSession) session = sonde_session_new_for_profile (profile);
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_strconcat (fixture->url, "?plain=1", NULL);

  sonde_session_set_secret (session, TOKEN);
  g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_state (session) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  assert_seen_profile (fixture);
  g_assert_true (sonde_session_get_profile (session) == profile);

  /* Another URL while open: the last connection is closed first, then the
   * new one has none of the profile's settings. */
  g_assert_true (sonde_session_connect_url (session, other, &error));
  g_assert_no_error (error);
  g_assert_null (sonde_session_get_profile (session));
  SONDE_TEST_ASSERT_WAIT (fixture->seen.n_handshakes == 2 &&
                          sonde_session_get_state (session) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_mutex_lock (&fixture->seen.lock);
  g_assert_null (fixture->seen.header);
  g_assert_null (fixture->seen.authorization);
  g_mutex_unlock (&fixture->seen.lock);

  g_assert_false (sonde_session_connect_url (session, "ftp://nowhere", &error));
  g_assert_error (error, SONDE_ERROR, SONDE_ERROR_UNSUPPORTED_SCHEME);
}

typedef struct {
  GArray *states;
} StateLog;

static void
on_state_notify (SondeSession *session,
                 GParamSpec   *pspec,
                 StateLog     *log)
{
  SondeConnectionState state = sonde_session_get_state (session);

  g_array_append_val (log->states, state);
}

static void
test_state_notifies_on_change (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(GError) error = NULL;
  StateLog log = { g_array_new (FALSE, FALSE, sizeof (SondeConnectionState)) };

  g_signal_connect (session, "notify::state", G_CALLBACK (on_state_notify), &log);
  g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_state (session) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  sonde_session_disconnect (session);
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_state (session) == SONDE_CONNECTION_STATE_CLOSED, WAIT_MS);

  g_assert_cmpuint (log.states->len, >=, 3);
  g_assert_cmpint (g_array_index (log.states, SondeConnectionState, 0), ==, SONDE_CONNECTION_STATE_CONNECTING);
  g_assert_cmpint (g_array_index (log.states, SondeConnectionState, log.states->len - 1), ==,
                   SONDE_CONNECTION_STATE_CLOSED);
  for (guint i = 1; i < log.states->len; i++)
    g_assert_cmpint (g_array_index (log.states, SondeConnectionState, i), !=,
                     g_array_index (log.states, SondeConnectionState, i - 1));
  g_signal_handlers_disconnect_by_data (session, &log);
  g_array_unref (log.states);
}

static void
on_profile_changed (SondeSession *session,
                    guint        *count)
{
  (*count)++;
}

static void
test_charts_follow_profile (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(SondeProfile) profile = make_profile (fixture);
  g_autoptr(SondeSession) adhoc = sonde_session_new ();
  g_autoptr(SondeSession) session = NULL;
  g_autoptr(JsonNode) layout = json_from_string ("{\"window_s\":60,\"charts\":[{\"series\":[{\"path\":\"$.price\"}]}],"
                                                 "\"tiles\":[]}", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) back = NULL;
  guint changed = 0;

  /* The profile's layout is the session's. */
  sonde_profile_set_charts (profile, layout);
  session = sonde_session_new_for_profile (profile);
  g_assert_false (sonde_chart_list_is_empty (sonde_session_get_charts (session)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sonde_session_get_charts (session))), ==, 1);

  /* An ad-hoc session with charts, saved as a profile: its charts go to
   * the profile, and changes later too (::profile-changed says so). */
  g_assert_true (sonde_chart_list_load_json (sonde_session_get_charts (adhoc), layout, &error));
  g_assert_no_error (error);
  g_signal_connect (adhoc, "profile-changed", G_CALLBACK (on_profile_changed), &changed);
  {
    g_autoptr(SondeProfile) saved = sonde_profile_new_for_url (fixture->url);

    sonde_session_set_profile (adhoc, saved);
    g_assert_cmpuint (changed, ==, 1);
    g_assert_nonnull (sonde_profile_get_charts (saved));
    back = json_node_copy (sonde_profile_get_charts (saved));
  }
  {
    g_autoptr(JsonNode) now = sonde_chart_list_to_json (sonde_session_get_charts (adhoc));
    g_autofree char *text = json_to_string (back, FALSE);
    g_autofree char *expected = json_to_string (now, FALSE);

    g_assert_cmpstr (text, ==, expected);
    g_assert_nonnull (strstr (text, "$.price"));
  }
}

static void
send_one (gpointer data)
{
  SondeSession *session = data;
  guint64 before = sonde_session_get_messages_out (session);

  g_assert_true (sonde_connection_send_text (sonde_session_get_connection (session), "ping", -1, NULL));
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_messages_out (session) == before + 1, WAIT_MS);
}

/* Each property notifies exactly when its value changes: the profile
 * (writable), the totals (read-only, as messages go out). */
static void
test_properties_notify (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SondeProfile) profile = make_profile (fixture);
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, SONDE_TYPE_PROFILE);
  g_value_set_object (&value, profile);
  sonde_test_assert_notifies (G_OBJECT (session), "profile", &value);

  sonde_session_set_profile (session, NULL);
  g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_state (session) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_messages_in (session) == 1, WAIT_MS);

  sonde_test_assert_notifies_during (G_OBJECT (session), "messages-out", send_one, session, 1);
  sonde_test_assert_notifies_during (G_OBJECT (session), "bytes-out", send_one, session, 1);
  sonde_test_assert_notifies_during (G_OBJECT (session), "messages-in", send_one, session, 0);
}

/* An address typed by hand can carry headers, subprotocols and a reconnect
 * policy of its own (the window's options beside the URL), and a profile's
 * session that is given another address falls back to them. */
static void
test_adhoc_options (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SondeSession) session = sonde_session_new ();
  g_autoptr(SondeConnectionOptions) options = sonde_connection_options_new ();
  g_autoptr(GError) error = NULL;
  SondeReconnectPolicy policy;
  char *headers[] = { "X-Feed: adhoc", NULL };
  char *protocols[] = { "feed.v2", NULL };

  options->headers = g_strdupv (headers);
  options->protocols = g_strdupv (protocols);
  options->reconnect.enabled = TRUE;
  sonde_session_set_adhoc_options (session, options);
  g_assert_nonnull (sonde_session_get_adhoc_options (session));

  g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
  g_assert_no_error (error);
  SONDE_TEST_ASSERT_WAIT (sonde_session_get_state (session) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
  g_mutex_lock (&fixture->seen.lock);
  g_assert_cmpstr (fixture->seen.header, ==, "adhoc");
  g_assert_nonnull (fixture->seen.protocols);
  g_assert_nonnull (strstr (fixture->seen.protocols, "feed.v2"));
  g_assert_null (fixture->seen.authorization);
  g_mutex_unlock (&fixture->seen.lock);
  sonde_connection_get_reconnect (sonde_session_get_connection (session), &policy);
  g_assert_true (policy.enabled);
  g_assert_cmpstr (sonde_connection_get_url (sonde_session_get_connection (session)), ==, fixture->url);

  /* A profile's session given another address: the ad-hoc options, not the
   * profile's header and token. */
  {
    g_autoptr(SondeProfile) profile = make_profile (fixture);
    g_autofree char *other = g_strconcat (fixture->url, "?typed=1", NULL);

    sonde_session_disconnect (session);
    SONDE_TEST_ASSERT_WAIT (!sonde_session_get_active (session), WAIT_MS);
    sonde_session_set_profile (session, profile);
    sonde_session_set_secret (session, TOKEN);
    g_assert_true (sonde_session_connect_url (session, fixture->url, &error));
    SONDE_TEST_ASSERT_WAIT (fixture->seen.n_handshakes == 2 &&
                            sonde_session_get_state (session) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
    assert_seen_profile (fixture);

    g_assert_true (sonde_session_connect_url (session, other, &error));
    g_assert_no_error (error);
    SONDE_TEST_ASSERT_WAIT (fixture->seen.n_handshakes == 3 &&
                            sonde_session_get_state (session) == SONDE_CONNECTION_STATE_OPEN, WAIT_MS);
    g_mutex_lock (&fixture->seen.lock);
    g_assert_cmpstr (fixture->seen.header, ==, "adhoc");
    g_assert_null (fixture->seen.authorization);
    g_mutex_unlock (&fixture->seen.lock);
  }
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add ("/session/profile-with-secret", Fixture, NULL, fixture_setup, test_profile_with_secret, fixture_teardown);
  g_test_add ("/session/profile-from-keyring", Fixture, NULL, fixture_setup, test_profile_from_keyring, fixture_teardown);
  g_test_add ("/session/missing-secret", Fixture, NULL, fixture_setup, test_missing_secret, fixture_teardown);
  g_test_add ("/session/invalid-profile", Fixture, NULL, fixture_setup, test_invalid_profile, fixture_teardown);
  g_test_add ("/session/connect-url", Fixture, NULL, fixture_setup, test_connect_url, fixture_teardown);
  g_test_add ("/session/state-notifies-on-change", Fixture, NULL, fixture_setup, test_state_notifies_on_change, fixture_teardown);
  g_test_add ("/session/adhoc-options", Fixture, NULL, fixture_setup, test_adhoc_options, fixture_teardown);
  g_test_add ("/session/properties-notify", Fixture, NULL, fixture_setup, test_properties_notify, fixture_teardown);
  g_test_add ("/session/charts-follow-profile", Fixture, NULL, fixture_setup, test_charts_follow_profile, fixture_teardown);

  return g_test_run ();
}
