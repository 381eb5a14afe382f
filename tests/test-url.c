/* test-url.c: sonde_url_normalize(), what Sonde accepts as a server address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sonde-error.h"
#include "sonde-test-util.h"
#include "sonde-url.h"

static void
test_normalize (void)
{
  static const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    /* ws and wss stay; a path of "/" is added when there is none. */
    { "ws://example.com", "ws://example.com/" },
    { "wss://example.com/feed", "wss://example.com/feed" },
    /* http and https map to their WebSocket schemes. */
    { "http://example.com/feed", "ws://example.com/feed" },
    { "https://example.com/feed", "wss://example.com/feed" },
    /* Schemes compare without case and come out lowercase. */
    { "WSS://example.com/a", "wss://example.com/a" },
    { "HTTP://example.com/a", "ws://example.com/a" },
    /* Blanks around the URL are trimmed. */
    { "  \tws://example.com/x \n", "ws://example.com/x" },
    /* Port, query and userinfo are kept as written, percent-encoding too. */
    { "ws://127.0.0.1:8080/ws?room=1&token=a%20b", "ws://127.0.0.1:8080/ws?room=1&token=a%20b" },
    { "wss://user:pw@example.com:9443/", "wss://user:pw@example.com:9443/" },
    { "ws://example.com:8080?x=1", "ws://example.com:8080/?x=1" },
    /* A fragment is dropped, as browsers do. */
    { "wss://example.com/feed#section", "wss://example.com/feed" },
    { "ws://example.com/?a=1#b", "ws://example.com/?a=1" },
    /* IPv6 literals keep their brackets. */
    { "ws://[::1]:9000/ws", "ws://[::1]:9000/ws" },
    { "ws://[::1]/", "ws://[::1]/" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = sonde_url_normalize (cases[i].text, &error);

      g_assert_no_error (error);
      if (g_strcmp0 (url, cases[i].expected) != 0)
        g_error ("“%s” normalized to “%s”, expected “%s”", cases[i].text, url, cases[i].expected);
    }
}

/* A normalized URL normalizes to itself. */
static void
test_idempotent (void)
{
  static const char *texts[] = {
    "https://example.com:8443/a/b?c=d#e",
    "ws://127.0.0.1",
    " http://[::1]:1/x ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *once = sonde_url_normalize (texts[i], NULL);
      g_autofree char *twice = sonde_url_normalize (once, NULL);

      g_assert_nonnull (once);
      g_assert_cmpstr (twice, ==, once);
    }
}

/* Every refusal, with the exact message: the user reads it in the
 * connection bar and in sonde-cli. */
static void
test_refusals (void)
{
  static const struct {
    const char *text;
    int         code;
    const char *message;
  } cases[] = {
    { NULL, SONDE_ERROR_INVALID_URL, "The URL is empty: enter a ws:// or wss:// address" },
    { "", SONDE_ERROR_INVALID_URL, "The URL is empty: enter a ws:// or wss:// address" },
    { " \t\n ", SONDE_ERROR_INVALID_URL, "The URL is empty: enter a ws:// or wss:// address" },
    { "ws://exa mple.com/", SONDE_ERROR_INVALID_URL,
      "“ws://exa mple.com/” is not a valid URL: it contains a space or a control character at position 9" },
    { " ws://a.b/x\ty ", SONDE_ERROR_INVALID_URL,
      "“ws://a.b/x\ty” is not a valid URL: it contains a space or a control character at position 11" },
    { "ws://a.b/\x01", SONDE_ERROR_INVALID_URL,
      "“ws://a.b/\x01” is not a valid URL: it contains a space or a control character at position 10" },
    { "example.com/feed", SONDE_ERROR_INVALID_URL,
      "“example.com/feed” has no scheme: write ws://example.com/feed or wss://example.com/feed" },
    { "ws:example.com", SONDE_ERROR_INVALID_URL,
      "“ws:example.com” has no scheme: write ws://ws:example.com or wss://ws:example.com" },
    { "ftp://example.com/", SONDE_ERROR_UNSUPPORTED_SCHEME,
      "“ftp:” is not a WebSocket scheme: use ws://, wss://, http:// or https://" },
    { "MAILTO://x", SONDE_ERROR_UNSUPPORTED_SCHEME,
      "“mailto:” is not a WebSocket scheme: use ws://, wss://, http:// or https://" },
    { "ws://", SONDE_ERROR_INVALID_URL, "“ws://” has no host name" },
    { "wss:///path", SONDE_ERROR_INVALID_URL, "“wss:///path” has no host name" },
    { "ws://example.com:0/", SONDE_ERROR_INVALID_URL,
      "“ws://example.com:0/”: port 0 is not a port a server can listen on" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = sonde_url_normalize (cases[i].text, &error);

      g_assert_null (url);
      g_assert_error (error, SONDE_ERROR, cases[i].code);
      if (g_strcmp0 (error->message, cases[i].message) != 0)
        g_error ("“%s”: “%s”, expected “%s”", cases[i].text, error->message, cases[i].message);
    }
}

/* What GLib's parser refuses is named with GLib's reason after ours. */
static void
test_parser_refusals (void)
{
  static const char *texts[] = {
    "ws://example.com:99999/",
    "ws://[::1/",
    "ws://example.com:port/",
    "ws://host/%zz",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) glib_error = NULL;
      g_autofree char *url = sonde_url_normalize (texts[i], &error);
      g_autofree char *expected = NULL;

      g_assert_null (url);
      g_assert_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL);
      g_assert_false (g_uri_is_valid (texts[i], G_URI_FLAGS_ENCODED, &glib_error));
      expected = g_strdup_printf ("“%s” is not a valid URL: %s", texts[i], glib_error->message);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

/* A NULL error is allowed: only the result says it failed. */
static void
test_null_error (void)
{
  g_assert_null (sonde_url_normalize ("gopher://x/", NULL));
  g_assert_null (sonde_url_normalize ("", NULL));
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/url/normalize", test_normalize);
  g_test_add_func ("/url/idempotent", test_idempotent);
  g_test_add_func ("/url/refusals", test_refusals);
  g_test_add_func ("/url/parser-refusals", test_parser_refusals);
  g_test_add_func ("/url/null-error", test_null_error);

  return g_test_run ();
}
