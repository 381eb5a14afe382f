/* test-redact.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sonde-redactor.h"
#include "sonde-test-util.h"

#define R SONDE_REDACTED

/* The profile of most tests: its own secret header, its own secret
 * parameter, and its token registered as a secret. */
static SondeRedactor *
profile_redactor (void)
{
  SondeRedactor *redactor = sonde_redactor_new ();

  sonde_redactor_add_header (redactor, "X-Api-Key");
  sonde_redactor_add_parameter (redactor, "session_id");
  sonde_redactor_add_secret (redactor, "s3cr3t-t0ken");
  sonde_redactor_add_secret (redactor, "p@ss/w0rd");
  return redactor;
}

typedef struct {
  const char *name;
  const char *value;
  const char *expected;
} HeaderCase;

static void
test_header_value_table (void)
{
  static const HeaderCase cases[] = {
    /* Authorization keeps its scheme, in any case. */
    { "Authorization", "Bearer abc.def.ghi", "Bearer " R },
    { "authorization", "Basic dXNlcjpwYXNz", "Basic " R },
    { "AUTHORIZATION", "bearer   abc", "bearer   " R },
    { "Authorization", "Digest username=\"u\", realm=\"r\", response=\"6629fae4\"", "Digest " R },
    { "Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/2024, Signature=fe5f", "AWS4-HMAC-SHA256 " R },
    { "Proxy-Authorization", "Basic Zm9vOmJhcg==", "Basic " R },
    /* No scheme: all of it is the credential. */
    { "Authorization", "abc123", R },
    { "Authorization", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", R },
    { "Authorization", "Bearer", R },
    { "Authorization", "\"quoted secret\"", R },
    { "Authorization", "", "" },

    /* Cookie keeps the names. */
    { "Cookie", "session=abc; theme=dark", "session=" R "; theme=" R },
    { "cookie", "a=1;b=2", "a=" R ";b=" R },
    { "Cookie", "lonely", R },
    { "Cookie", "a=; b=2", "a=; b=" R },
    { "Cookie", "token=x=y=z", "token=" R },
    { "Cookie", "a=\"quoted value\"", "a=" R },

    /* Set-Cookie keeps the name and the attributes. */
    { "Set-Cookie", "id=a3fWa; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure; HttpOnly",
      "id=" R "; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure; HttpOnly" },
    { "set-cookie", "id=x; Path=/; Max-Age=3600; SameSite=Lax; Domain=example.com; Partitioned",
      "id=" R "; Path=/; Max-Age=3600; SameSite=Lax; Domain=example.com; Partitioned" },
    { "Set-Cookie", "id=x;path=/;HTTPONLY", "id=" R ";path=/;HTTPONLY" },
    /* …but not what it does not know. */
    { "Set-Cookie", "id=x; Custom=leak; Flag", "id=" R "; Custom=" R "; Flag" },
    /* Several folded into one line: the comma of Expires is not one that
     * starts a cookie. */
    { "Set-Cookie", "a=1; Path=/, b=2; HttpOnly", "a=" R "; Path=/, b=" R "; HttpOnly" },
    { "Set-Cookie", "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT, b=2",
      "a=" R "; Expires=Wed, 21 Oct 2015 07:28:00 GMT, b=" R },
    { "Set-Cookie", "bare", R },

    /* The profile's own secret header: all of it. */
    { "X-Api-Key", "k-123456", R },
    { "x-api-key", "two words", R },
    { "X-API-KEY", "", "" },

    /* Other headers: only registered secrets, and URLs. */
    { "Accept", "text/html", "text/html" },
    { "Host", "example.com:8443", "example.com:8443" },
    { "X-Trace", "id s3cr3t-t0ken end", "id " R " end" },
    { "Sec-WebSocket-Protocol", "chat, s3cr3t-t0ken", "chat, " R },
    { "Location", "wss://example.com/?token=abc&x=1", "wss://example.com/?token=" R "&x=1" },
    { "Referer", "https://user:pw@example.com/p", "https://user:" R "@example.com/p" },
    { "Link", "<https://example.com/next?key=k1>; rel=\"next\"", "<https://example.com/next?key=" R ">; rel=\"next\"" },
    { "X-Api-Keys", "not-the-secret-header", "not-the-secret-header" },
    /* A registered secret in a secret header that keeps part of the value. */
    { "Cookie", "s3cr3t-t0ken=1", R "=" R },
  };
  g_autoptr(SondeRedactor) redactor = profile_redactor ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const HeaderCase *c = &cases[i];
      g_autofree char *result = NULL;
      g_autofree char *again = NULL;

      g_test_message ("case %u: %s: %s", i, c->name, c->value);
      result = sonde_redactor_header_value (redactor, c->name, c->value);
      g_assert_cmpstr (result, ==, c->expected);

      /* Redacting twice changes nothing more. */
      again = sonde_redactor_header_value (redactor, c->name, result);
      g_assert_cmpstr (again, ==, c->expected);
    }
}

typedef struct {
  const char *url;
  const char *expected;
} UrlCase;

static void
test_url_table (void)
{
  static const UrlCase cases[] = {
    /* Nothing secret: byte for byte. */
    { "wss://example.com/chat", "wss://example.com/chat" },
    { "wss://example.com", "wss://example.com" },
    { "ws://127.0.0.1:8080/", "ws://127.0.0.1:8080/" },
    { "wss://example.com/chat?room=1&user=ann", "wss://example.com/chat?room=1&user=ann" },
    { "wss://example.com/a%20b?q=a%20b+c&x=%E2%82%AC#top", "wss://example.com/a%20b?q=a%20b+c&x=%E2%82%AC#top" },
    { "wss://example.com/?", "wss://example.com/?" },
    { "wss://example.com/#", "wss://example.com/#" },

    /* Secret parameters: the values go, the names and the order stay. */
    { "wss://example.com/chat?token=abc", "wss://example.com/chat?token=" R },
    { "wss://h/?a=1&token=abc&b=2", "wss://h/?a=1&token=" R "&b=2" },
    { "wss://h/?access_token=1&api_key=2&apikey=3&key=4&password=5&passwd=6&secret=7&sig=8&signature=9&auth=10",
      "wss://h/?access_token=" R "&api_key=" R "&apikey=" R "&key=" R "&password=" R "&passwd=" R
      "&secret=" R "&sig=" R "&signature=" R "&auth=" R },
    /* The profile's own. */
    { "wss://h/?session_id=77&room=1", "wss://h/?session_id=" R "&room=1" },
    /* Repeated. */
    { "wss://h/?token=a&token=b&x=1&token=c", "wss://h/?token=" R "&token=" R "&x=1&token=" R },
    /* Any case. */
    { "wss://h/?TOKEN=a&Access_Token=b&ApiKey=c", "wss://h/?TOKEN=" R "&Access_Token=" R "&ApiKey=" R },
    /* The whole name, and nothing but it. */
    { "wss://h/?tokens=a&mytoken=b&token_type=bearer&keyword=x&keys=y&signed=1",
      "wss://h/?tokens=a&mytoken=b&token_type=bearer&keyword=x&keys=y&signed=1" },
    /* A percent-encoded name is the same name. */
    { "wss://h/?access%5Ftoken=x&%74oken=y", "wss://h/?access%5Ftoken=" R "&%74oken=" R },
    /* Nothing to hide in an empty or missing value. */
    { "wss://h/?token=&a=1", "wss://h/?token=&a=1" },
    { "wss://h/?token&a=1", "wss://h/?token&a=1" },
    { "wss://h/?=x&token", "wss://h/?=x&token" },
    /* The value is everything up to the next "&" or "#", "=" included. */
    { "wss://h/?token=a=b=c&x=1", "wss://h/?token=" R "&x=1" },
    { "wss://h/?token=x%2Fy%3D&q=a%20b+c", "wss://h/?token=" R "&q=a%20b+c" },
    { "wss://h/?&&token=x&&", "wss://h/?&&token=" R "&&" },
    /* Fragments: the query's parameters stop at it, and its own are masked
     * (an OAuth implicit grant). */
    { "wss://h/?token=a#frag", "wss://h/?token=" R "#frag" },
    { "https://h/callback#access_token=abc&state=xyz", "https://h/callback#access_token=" R "&state=xyz" },
    { "https://h/p#section-2", "https://h/p#section-2" },
    { "wss://h/?a=1#token=x?key=y", "wss://h/?a=1#token=" R },
    /* HTML-escaped ampersands. */
    { "https://h/?a=1&amp;token=abc", "https://h/?a=1&amp;token=" R },

    /* Userinfo: the user stays, the password goes. */
    { "wss://user:pass@example.com/", "wss://user:" R "@example.com/" },
    { "wss://user@example.com/", "wss://user@example.com/" },
    { "wss://user:@example.com/", "wss://user:@example.com/" },
    { "wss://:pw@example.com/", "wss://:" R "@example.com/" },
    { "wss://user:pw@example.com:8443/p?token=t", "wss://user:" R "@example.com:8443/p?token=" R },
    { "wss://user:pw:more@h", "wss://user:" R "@h" },
    { "WSS://U:P@H/?Token=1", "WSS://U:" R "@H/?Token=" R },
    /* Passwords with characters that should have been escaped. */
    { "wss://user:p@ss@h/", "wss://user:" R "@h/" },
    { "wss://user:pa/ss@h/x?token=1", "wss://user:" R "@h/x?token=" R },
    /* An "@" in the path is not userinfo. */
    { "wss://h:8443/@me", "wss://h:8443/@me" },
    { "https://medium.com/@user/post?token=x", "https://medium.com/@user/post?token=" R },

    /* IPv6 */
    { "ws://[2001:db8::1]/", "ws://[2001:db8::1]/" },
    { "wss://[::1]:8080/?token=abc", "wss://[::1]:8080/?token=" R },
    { "wss://user:pw@[fe80::1%25eth0]:443/x", "wss://user:" R "@[fe80::1%25eth0]:443/x" },
    { "wss://[::1]/@x", "wss://[::1]/@x" },

    /* Registered secrets anywhere, as they are or percent-encoded. */
    { "wss://h/s3cr3t-t0ken/x", "wss://h/" R "/x" },
    { "wss://s3cr3t-t0ken@h/", "wss://" R "@h/" },
    { "wss://h/?room=s3cr3t-t0ken", "wss://h/?room=" R },
    { "wss://h/?x=p%40ss%2Fw0rd", "wss://h/?x=" R },
    { "wss://h/?x=p%40ss%2fw0rd", "wss://h/?x=" R },
    { "wss://h/?x=p@ss%2Fw0rd&y=1", "wss://h/?x=" R "&y=1" },
    { "wss://h/?x=%73%33%63%72%33%74-t0ken", "wss://h/?x=" R },
    { "wss://h/#p@ss/w0rd", "wss://h/#" R },

    /* Relative references and what does not parse: still masked. */
    { "/chat?token=abc", "/chat?token=" R },
    { "?token=abc", "?token=" R },
    { "wss://h/?token=a b&c=1", "wss://h/?token=" R "&c=1" },
    { "wss://h/?token=%zz&x=%", "wss://h/?token=" R "&x=%" },
    { "wss://exa mple.com/?key=1", "wss://exa mple.com/?key=" R },
    { "", "" },
    { "not a url", "not a url" },
    { "%%%", "%%%" },
    { "::::", "::::" },
    { "wss://", "wss://" },
    { "wss:", "wss:" },
    { "//h/?token=x", "//h/?token=" R },
    { "//u:pw@h", "//u:" R "@h" },
    { "mailto:someone@example.com", "mailto:someone@example.com" },
  };
  g_autoptr(SondeRedactor) redactor = profile_redactor ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const UrlCase *c = &cases[i];
      g_autofree char *result = NULL;
      g_autofree char *again = NULL;

      g_test_message ("case %u: %s", i, c->url);
      result = sonde_redactor_url (redactor, c->url);
      g_assert_cmpstr (result, ==, c->expected);

      again = sonde_redactor_url (redactor, result);
      g_assert_cmpstr (again, ==, c->expected);
    }
}

typedef struct {
  const char *text;
  const char *expected;
} TextCase;

static void
test_text_table (void)
{
  static const TextCase cases[] = {
    { "", "" },
    { "nothing to see here", "nothing to see here" },
    { "Connected to wss://example.com/chat", "Connected to wss://example.com/chat" },

    /* The handshake as text: header lines, the request line's target. */
    { "GET /chat?token=abc&room=1 HTTP/1.1\r\n"
      "Host: example.com\r\n"
      "Authorization: Bearer xyz\r\n"
      "Cookie: a=1; b=2\r\n"
      "X-Api-Key: k-123\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "\r\n"
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Set-Cookie: id=9; Path=/; HttpOnly\r\n"
      "Location: wss://example.com/?key=k2\r\n",
      "GET /chat?token=" R "&room=1 HTTP/1.1\r\n"
      "Host: example.com\r\n"
      "Authorization: Bearer " R "\r\n"
      "Cookie: a=" R "; b=" R "\r\n"
      "X-Api-Key: " R "\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "\r\n"
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Set-Cookie: id=" R "; Path=/; HttpOnly\r\n"
      "Location: wss://example.com/?key=" R "\r\n" },
    /* Any case, any spacing, curl's arrows, indentation. */
    { "authorization:Bearer x\nPROXY-AUTHORIZATION :  Basic y\n",
      "authorization:Bearer " R "\nPROXY-AUTHORIZATION :  Basic " R "\n" },
    { "> Authorization: Bearer x\n< Set-Cookie: s=1; Secure\n",
      "> Authorization: Bearer " R "\n< Set-Cookie: s=" R "; Secure\n" },
    { "  cookie: a=b\n\tx-api-key: z", "  cookie: a=" R "\n\tx-api-key: " R },
    /* A folded continuation of a secret header. */
    { "Authorization: Digest a=1,\n  response=\"x\"\nAccept: */*",
      "Authorization: Digest " R "\n  " R "\nAccept: */*" },
    { "Accept: a,\n  b", "Accept: a,\n  b" },
    /* A secret header named within a line, or as a JSON member. */
    { "the server refused Authorization: Bearer x (expired)",
      "the server refused Authorization: Bearer " R },
    { "{\"authorization\":\"Bearer x\",\"accept\":\"*/*\",\"cookie\": \"a=1; b=2\"}",
      "{\"authorization\":\"Bearer " R "\",\"accept\":\"*/*\",\"cookie\": \"a=" R "; b=" R "\"}" },
    { "{\"x-api-key\":\"a\\\"b\",\"n\":1}", "{\"x-api-key\":\"" R "\",\"n\":1}" },
    /* Not headers. */
    { "Authorization header missing", "Authorization header missing" },
    { "cookies: 3", "cookies: 3" },
    { "my-cookie: 3", "my-cookie: 3" },

    /* URLs in running text, wherever they stand. */
    { "Connecting to wss://user:pw@h/?token=abc failed: refused",
      "Connecting to wss://user:" R "@h/?token=" R " failed: refused" },
    { "error: \"wss://h/?token=abc\" refused", "error: \"wss://h/?token=" R "\" refused" },
    { "see <https://h/?key=abc>.", "see <https://h/?key=" R ">." },
    /* A ")" may belong to the value: it goes with it. */
    { "(https://h/?key=abc)", "(https://h/?key=" R },
    { "'ws://h/?sig=1'", "'ws://h/?sig=" R "'" },
    /* GLib's quotes around what its messages name stay. */
    { "Could not connect to \u201cwss://h/?token=abc\u201d: refused",
      "Could not connect to \u201cwss://h/?token=" R "\u201d: refused" },
    { "\u00abwss://h/?token=abc\u00bb \u2018ws://h/?sig=1\u2019",
      "\u00abwss://h/?token=" R "\u00bb \u2018ws://h/?sig=" R "\u2019" },
    { "url=wss://h/?auth=1", "url=wss://h/?auth=" R },
    { "one wss://a/?token=1 two https://b/?secret=2 three",
      "one wss://a/?token=" R " two https://b/?secret=" R " three" },
    { "a=https://a/,https://u:pw@b/", "a=https://a/,https://u:" R "@b/" },
    { "WSS://H/?TOKEN=1", "WSS://H/?TOKEN=" R },
    { "ftp://u:pw@h/", "ftp://u:" R "@h/" },
    { "redirected to /login?password=hunter2", "redirected to /login?password=" R },
    { "why? because", "why? because" },
    { "wss://[::1]:9/?token=x\twss://[::1]:9/", "wss://[::1]:9/?token=" R "\twss://[::1]:9/" },

    /* Registered secrets anywhere. */
    { "the token s3cr3t-t0ken expired", "the token " R " expired" },
    { "s3cr3t-t0kens3cr3t-t0ken", R },
    { "xs3cr3t-t0kenx", "x" R "x" },
    { "p%40ss%2Fw0rd", R },
    { "line 1\ns3cr3t-t0ken\nline 3", "line 1\n" R "\nline 3" },
    /* Bytes that are not UTF-8 stay as they are. */
    { "caf\xe9 s3cr3t-t0ken \xff", "caf\xe9 " R " \xff" },
  };
  g_autoptr(SondeRedactor) redactor = profile_redactor ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const TextCase *c = &cases[i];
      g_autofree char *result = NULL;
      g_autofree char *again = NULL;
      g_autofree char *shown = g_strescape (c->text, NULL);

      g_test_message ("case %u: %s", i, shown);
      result = sonde_redactor_text (redactor, c->text);
      g_assert_cmpstr (result, ==, c->expected);

      again = sonde_redactor_text (redactor, result);
      g_assert_cmpstr (again, ==, c->expected);
    }
}

static void
test_secret_header_names (void)
{
  g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();
  g_autofree char *value = NULL;

  g_assert_true (sonde_redactor_is_secret_header (redactor, "Authorization"));
  g_assert_true (sonde_redactor_is_secret_header (redactor, "authorization"));
  g_assert_true (sonde_redactor_is_secret_header (redactor, "PROXY-AUTHORIZATION"));
  g_assert_true (sonde_redactor_is_secret_header (redactor, "Cookie"));
  g_assert_true (sonde_redactor_is_secret_header (redactor, "set-cookie"));
  g_assert_false (sonde_redactor_is_secret_header (redactor, "X-Api-Key"));
  g_assert_false (sonde_redactor_is_secret_header (redactor, "Authorizations"));
  g_assert_false (sonde_redactor_is_secret_header (redactor, "Cookie2x"));
  g_assert_false (sonde_redactor_is_secret_header (redactor, ""));
  g_assert_false (sonde_redactor_is_secret_header (redactor, NULL));

  sonde_redactor_add_header (redactor, "X-Api-Key");
  sonde_redactor_add_header (redactor, "x-api-key");   /* twice: once */
  sonde_redactor_add_header (redactor, "");
  sonde_redactor_add_header (redactor, NULL);
  g_assert_true (sonde_redactor_is_secret_header (redactor, "X-API-KEY"));
  g_assert_false (sonde_redactor_is_secret_header (redactor, "X-Api"));

  /* Without the profile's parameter, a parameter of that name stays. */
  value = sonde_redactor_url (redactor, "wss://h/?session_id=1");
  g_assert_cmpstr (value, ==, "wss://h/?session_id=1");
  g_clear_pointer (&value, g_free);
  sonde_redactor_add_parameter (redactor, "Session_ID");
  value = sonde_redactor_url (redactor, "wss://h/?session_id=1&SESSION_ID=2");
  g_assert_cmpstr (value, ==, "wss://h/?session_id=" R "&SESSION_ID=" R);
}

static void
test_secrets (void)
{
  g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();
  char *result;

  /* Too short to mask: in bytes or in characters. */
  sonde_redactor_add_secret (redactor, "abc");
  sonde_redactor_add_secret (redactor, "日本語");
  sonde_redactor_add_secret (redactor, "");
  sonde_redactor_add_secret (redactor, NULL);
  result = sonde_redactor_text (redactor, "abc 日本語 abcd");
  g_assert_cmpstr (result, ==, "abc 日本語 abcd");
  g_free (result);

  /* Four characters are enough. */
  sonde_redactor_add_secret (redactor, "abcd");
  sonde_redactor_add_secret (redactor, "日本語字");
  result = sonde_redactor_text (redactor, "abc abcd abcde 日本語字!");
  g_assert_cmpstr (result, ==, "abc " R " " R "e " R "!");
  g_free (result);

  /* The longest first: one mask, not a mask and what is left. */
  sonde_redactor_add_secret (redactor, "abcdefgh");
  result = sonde_redactor_text (redactor, "xabcdefghx");
  g_assert_cmpstr (result, ==, "x" R "x");
  g_free (result);

  /* Overlapping secrets: one run, one mask. */
  sonde_redactor_add_secret (redactor, "fghijk");
  result = sonde_redactor_text (redactor, "-abcdefghijk-");
  g_assert_cmpstr (result, ==, "-" R "-");
  g_free (result);

  /* A secret with a space: "+" is a space in a form-encoded query. */
  sonde_redactor_add_secret (redactor, "my pass phrase");
  result = sonde_redactor_url (redactor, "wss://h/?q=my+pass+phrase&r=my%20pass%20phrase&s=a+b");
  g_assert_cmpstr (result, ==, "wss://h/?q=" R "&r=" R "&s=a+b");
  g_free (result);

  /* A "+" in a secret is a "+", even when another secret has a space. */
  sonde_redactor_add_secret (redactor, "ab+cd==");
  result = sonde_redactor_url (redactor, "wss://h/?a=ab+cd%3D%3D&b=ab%2Bcd==");
  g_assert_cmpstr (result, ==, "wss://h/?a=" R "&b=" R);
  g_free (result);

  /* A secret with a "%" in it, as it is and escaped. */
  sonde_redactor_add_secret (redactor, "100%pure");
  result = sonde_redactor_url (redactor, "wss://h/?a=100%pure&b=100%25pure");
  g_assert_cmpstr (result, ==, "wss://h/?a=" R "&b=" R);
  g_free (result);

  /* Header values, too. */
  result = sonde_redactor_header_value (redactor, "X-Note", "abcdefgh and abcd");
  g_assert_cmpstr (result, ==, R " and " R);
  g_free (result);
}

static void
test_null_and_refs (void)
{
  SondeRedactor *redactor = sonde_redactor_new ();

  g_assert_null (sonde_redactor_url (redactor, NULL));
  g_assert_null (sonde_redactor_text (redactor, NULL));
  g_assert_null (sonde_redactor_header_value (redactor, "Authorization", NULL));

  g_assert_true (sonde_redactor_ref (redactor) == redactor);
  sonde_redactor_unref (redactor);
  sonde_redactor_unref (redactor);
}

/* A random canary of letters, digits and "-._~": what a token is made of. */
static char *
make_canary (GRand *rand)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";
  GString *canary = g_string_new ("cnry");

  for (guint i = 0; i < 16; i++)
    g_string_append_c (canary, alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)]);

  return g_string_free (canary, FALSE);
}

/* @text with every %XX decoded, whatever the case of the digits. */
static char *
percent_decoded (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (p[0] == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (out, (char) (g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static void
assert_no_canary (const char *result,
                  const char *canary)
{
  g_autofree char *decoded = percent_decoded (result);

  if (strstr (result, canary) != NULL || strstr (decoded, canary) != NULL)
    g_error ("the canary %s survived in “%s”", canary, result);
}

/* @canary percent-encoded at random: some bytes escaped, in upper or
 * lower case hex. */
static char *
encode_at_random (GRand      *rand,
                  const char *canary)
{
  GString *out = g_string_new (NULL);

  for (const char *p = canary; *p; p++)
    {
      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0:
          g_string_append_printf (out, "%%%02X", (guchar) *p);
          break;
        case 1:
          g_string_append_printf (out, "%%%02x", (guchar) *p);
          break;
        default:
          g_string_append_c (out, *p);
          break;
        }
    }

  return g_string_free (out, FALSE);
}

/* Where a canary that is not registered must still be masked: the places
 * that are secret by their name. */
static const char *const url_places[] = {
  "wss://h/?token=%s",
  "wss://h/?a=1&ACCESS_TOKEN=%s&b=2",
  "wss://h/?key=%s#x",
  "wss://user:%s@h/",
  "wss://user:%s@[::1]:9/",
  "https://h/cb#access_token=%s&state=1",
  "/path?apikey=%s",
  "wss://h/?token=%s&token=%s",
  "wss://h/?password=%s%%20and%%20more",
};

static const char *const header_places[][2] = {
  { "Authorization", "Bearer %s" },
  { "authorization", "%s" },
  { "Proxy-Authorization", "Basic %s" },
  { "Cookie", "a=%s; b=%s" },
  { "Cookie", "%s" },
  { "Set-Cookie", "id=%s; Path=/; HttpOnly" },
  { "Set-Cookie", "id=1; Path=/, other=%s; Secure" },
  { "X-Api-Key", "%s" },
  { "Location", "wss://h/?sig=%s" },
};

static const char *const text_places[] = {
  "Authorization: Bearer %s",
  "GET /chat?token=%s HTTP/1.1\r\nHost: h\r\nCookie: x=%s\r\n",
  "failed to connect to wss://u:%s@h/?auth=%s: refused",
  "\"url\": \"wss://h/?secret=%s\"",
  "{\"set-cookie\":\"s=%s; Path=/\"}",
  "Authorization: Digest a=1,\n  response=%s",
};

static char *
fill (const char *place,
      const char *canary)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = place; *p; p++)
    {
      if (p[0] == '%' && p[1] == 's')
        {
          g_string_append (out, canary);
          p++;
        }
      else if (p[0] == '%' && p[1] == '%')
        {
          g_string_append_c (out, '%');
          p++;
        }
      else
        g_string_append_c (out, *p);
    }

  return g_strdup (out->str);
}

static void
test_canary_by_place (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint round = 0; round < 200; round++)
    {
      g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();
      g_autofree char *canary = make_canary (rand);

      sonde_redactor_add_header (redactor, "X-Api-Key");

      for (guint i = 0; i < G_N_ELEMENTS (url_places); i++)
        {
          g_autofree char *url = fill (url_places[i], canary);
          g_autofree char *as_url = sonde_redactor_url (redactor, url);
          g_autofree char *as_text = sonde_redactor_text (redactor, url);
          g_autofree char *in_text = g_strdup_printf ("see %s.", url);
          g_autofree char *in_text_result = sonde_redactor_text (redactor, in_text);
          g_autofree char *in_header = sonde_redactor_header_value (redactor, "Location", url);

          assert_no_canary (as_url, canary);
          assert_no_canary (as_text, canary);
          assert_no_canary (in_text_result, canary);
          assert_no_canary (in_header, canary);
        }

      for (guint i = 0; i < G_N_ELEMENTS (header_places); i++)
        {
          g_autofree char *value = fill (header_places[i][1], canary);
          g_autofree char *line = g_strdup_printf ("%s: %s", header_places[i][0], value);
          g_autofree char *as_header = sonde_redactor_header_value (redactor, header_places[i][0], value);
          g_autofree char *as_text = sonde_redactor_text (redactor, line);

          assert_no_canary (as_header, canary);
          assert_no_canary (as_text, canary);
        }

      for (guint i = 0; i < G_N_ELEMENTS (text_places); i++)
        {
          g_autofree char *text = fill (text_places[i], canary);
          g_autofree char *result = sonde_redactor_text (redactor, text);

          assert_no_canary (result, canary);
        }
    }
}

/* A registered canary, as it is or percent-encoded, among random text
 * (with the characters that end a URL or a parameter, and stray "%"):
 * whatever function the text goes through, the canary never comes out. */
static void
test_canary_registered (void)
{
  static const char *const noise[] = {
    "a", "Z", "0", " ", "\n", "\r\n", "\t", "%", "%2", "%zz", "&", "=", "?", "#", "/", "//", ":", "@",
    "[", "]", "\"", "'", "<", ">", ";", ",", "+", "wss://", "https://h/?", "token=", "Cookie: ",
    "Authorization: ", "Bearer ", "é", "\xff", "[redacted]",
  };
  static const char *const header_names[] = {
    "Authorization", "Cookie", "Set-Cookie", "Accept", "Location", "X-Custom",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint round = 0; round < 1000; round++)
    {
      g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();
      g_autofree char *canary = make_canary (rand);
      g_autoptr(GString) text = g_string_new (NULL);
      guint n = g_rand_int_range (rand, 0, 30);
      g_autofree char *as_text = NULL;
      g_autofree char *as_url = NULL;
      g_autofree char *as_header = NULL;

      sonde_redactor_add_secret (redactor, canary);

      for (guint i = 0; i < n; i++)
        {
          guint what = g_rand_int_range (rand, 0, 10);

          if (what == 0)
            g_string_append (text, canary);
          else if (what == 1)
            {
              g_autofree char *encoded = encode_at_random (rand, canary);

              g_string_append (text, encoded);
            }
          else
            g_string_append (text, noise[g_rand_int_range (rand, 0, G_N_ELEMENTS (noise))]);
        }
      g_string_append (text, canary);

      as_text = sonde_redactor_text (redactor, text->str);
      as_url = sonde_redactor_url (redactor, text->str);
      as_header = sonde_redactor_header_value (redactor,
                                               header_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (header_names))],
                                               text->str);
      assert_no_canary (as_text, canary);
      assert_no_canary (as_url, canary);
      assert_no_canary (as_header, canary);
    }
}

/* The redactor is shared with the connection's I/O thread: used from
 * several threads at once, it gives the same answers. */
static gpointer
redact_in_thread (gpointer data)
{
  SondeRedactor *redactor = data;

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *result = sonde_redactor_text (redactor, "Authorization: Bearer s3cr3t-t0ken wss://h/?token=1");

      if (g_strcmp0 (result, "Authorization: Bearer " R) != 0)
        return GINT_TO_POINTER (FALSE);
    }

  return GINT_TO_POINTER (TRUE);
}

static void
test_threads (void)
{
  g_autoptr(SondeRedactor) redactor = profile_redactor ();
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("redact", redact_in_thread, sonde_redactor_ref (redactor));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
      sonde_redactor_unref (redactor);
    }
}

/* What the rules find in a URL or a header is learnt as a secret and then
 * masked anywhere, decoded too; a copy learns without changing the
 * original. */
static void
test_learn (void)
{
  g_autoptr(SondeRedactor) base = sonde_redactor_new ();
  g_autoptr(SondeRedactor) copy = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *password = NULL;
  g_autofree char *basic = NULL;
  g_autofree char *short_one = NULL;
  g_autofree char *credentials = g_base64_encode ((const guchar *) "alice:pa55word", 14);
  g_autofree char *basic_value = g_strconcat ("Basic ", credentials, NULL);
  g_autofree char *header = NULL;

  sonde_redactor_add_secret (base, "registered-1");
  copy = sonde_redactor_copy (base);
  sonde_redactor_learn_url (copy, "wss://u:hunter22@h/feed?room=1&token=tok%2Bvalue&key=ab");
  sonde_redactor_learn_header (copy, "Authorization", "Bearer bearer-xyz");
  sonde_redactor_learn_header (copy, "X-Plain", "not-a-secret");
  sonde_redactor_learn_header (copy, "Proxy-Authorization", basic_value);

  before = sonde_redactor_text (base, "echo tok%2Bvalue bearer-xyz registered-1");
  g_assert_cmpstr (before, ==, "echo tok%2Bvalue bearer-xyz " SONDE_REDACTED);

  after = sonde_redactor_text (copy, "echo tok%2Bvalue bearer-xyz registered-1 room not-a-secret");
  g_assert_cmpstr (after, ==, "echo " SONDE_REDACTED " " SONDE_REDACTED " " SONDE_REDACTED " room not-a-secret");
  decoded = sonde_redactor_text (copy, "{\"t\":\"tok+value\"}");
  g_assert_cmpstr (decoded, ==, "{\"t\":\"" SONDE_REDACTED "\"}");
  password = sonde_redactor_text (copy, "pw hunter22");
  g_assert_cmpstr (password, ==, "pw " SONDE_REDACTED);
  basic = sonde_redactor_text (copy, "said pa55word");
  g_assert_cmpstr (basic, ==, "said " SONDE_REDACTED);
  /* "ab" is too short to be masked on its own. */
  short_one = sonde_redactor_text (copy, "ab cd");
  g_assert_cmpstr (short_one, ==, "ab cd");

  header = sonde_redactor_header_value (copy, "X-Echo", "bearer-xyz");
  g_assert_cmpstr (header, ==, SONDE_REDACTED);
}

/* Bytes with NUL in them: each run redacted, the NULs kept. */
static void
test_append_bytes (void)
{
  g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();
  g_autoptr(GString) out = g_string_new ("> ");
  static const char text[] = "a s3cr3t-t0k\0wss://h/?token=x\0";
  static const char expected[] = "> a " SONDE_REDACTED "\0wss://h/?token=" SONDE_REDACTED "\0";

  sonde_redactor_add_secret (redactor, "s3cr3t-t0k");
  sonde_redactor_append_bytes (redactor, out, text, sizeof text - 1);
  g_assert_cmpmem (out->str, out->len, expected, sizeof expected - 1);

  g_string_truncate (out, 0);
  sonde_redactor_append_bytes (redactor, out, "", 0);
  g_assert_cmpuint (out->len, ==, 0);
}

/* Only registered secrets, as they are or percent-encoded: text that
 * looks like a secret (a cookie, a token parameter) stays byte for byte,
 * NUL bytes included. */
static void
test_append_secrets (void)
{
  static const char looks[] = "Cookie: a=b ?sig=abc&apikey=k123 Bearer abcdefgh access_token=q\0tail";
  static const char holds[] = "id=s3cr3t-42 and s3cr3t%2D42";
  g_autoptr(SondeRedactor) redactor = sonde_redactor_new ();
  g_autoptr(GString) out = g_string_new (NULL);

  /* No secret registered: nothing changes. */
  g_assert_false (sonde_redactor_append_secrets (redactor, out, looks, sizeof looks - 1));
  g_assert_cmpmem (out->str, out->len, looks, sizeof looks - 1);

  sonde_redactor_add_secret (redactor, "s3cr3t-42");
  g_string_truncate (out, 0);
  g_assert_false (sonde_redactor_append_secrets (redactor, out, looks, sizeof looks - 1));
  g_assert_cmpmem (out->str, out->len, looks, sizeof looks - 1);

  g_string_truncate (out, 0);
  g_assert_true (sonde_redactor_append_secrets (redactor, out, holds, sizeof holds - 1));
  g_assert_cmpstr (out->str, ==, "id=[redacted] and [redacted]");
}

int
main (int   argc,
      char *argv[])
{
  sonde_test_init (&argc, &argv);

  g_test_add_func ("/redact/header-value/table", test_header_value_table);
  g_test_add_func ("/redact/url/table", test_url_table);
  g_test_add_func ("/redact/text/table", test_text_table);
  g_test_add_func ("/redact/secret-header-names", test_secret_header_names);
  g_test_add_func ("/redact/secrets", test_secrets);
  g_test_add_func ("/redact/null-and-refs", test_null_and_refs);
  g_test_add_func ("/redact/canary/by-place", test_canary_by_place);
  g_test_add_func ("/redact/canary/registered", test_canary_registered);
  g_test_add_func ("/redact/threads", test_threads);
  g_test_add_func ("/redact/learn", test_learn);
  g_test_add_func ("/redact/append-bytes", test_append_bytes);
  g_test_add_func ("/redact/append-secrets", test_append_secrets);

  return g_test_run ();
}
