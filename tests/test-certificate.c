/* test-certificate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The certificates are in tests/fixtures/tls, made once by generate.sh
 * there; the fingerprints below are what `openssl x509 -noout -fingerprint
 * -sha256` said of them.
 */

#include "config.h"

#include <string.h>

#include "sonde-certificate.h"
#include "sonde-test-util.h"

#define CA_SHA256          "692b72fc6c6638f49b65086c963885f1565d1ba951cf3238fca6cba076d542be"
#define SERVER_SHA256      "fc55d798af29b9d6cfd5cffb8aef1788eb4d4c769bfa3cf0e7ed693dc1781602"
#define SELF_SIGNED_SHA256 "f326f6c16f95d7e6da1fcfe826cf5b38e85e2d6947ff02da088bec212b07accd"
#define EXPIRED_SHA256     "9a0345f11c5d7418aac1240fc28090c9dd5be13541d3382268b611907709d95a"
#define CLIENT_SHA256      "954755985e25746b42b2f2d78223d294ba167dba6a43eb5e4e66623b6b8dbfbf"

#define SERVER_FINGERPRINT \
  "FC:55:D7:98:AF:29:B9:D6:CF:D5:CF:FB:8A:EF:17:88:EB:4D:4C:76:9B:FA:3C:F0:E7:ED:69:3D:C1:78:16:02"

#define UNKNOWN_CA_TEXT "the certificate authority is unknown, or the certificate is self-signed"
#define BAD_IDENTITY_TEXT "the certificate is for another host name"
#define NOT_ACTIVATED_TEXT "the certificate is not valid yet"
#define EXPIRED_TEXT "the certificate has expired"
#define REVOKED_TEXT "the certificate has been revoked"
#define INSECURE_TEXT "the certificate uses an insecure algorithm"
#define GENERIC_TEXT "the certificate could not be verified"

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "tls", name, NULL);
}

static GTlsCertificate *
load_fixture (const char *name)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate = g_tls_certificate_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (certificate);
  return certificate;
}

static void
test_sha256 (void)
{
  static const struct {
    const char *file;
    const char *sha256;
  } cases[] = {
    { "ca.pem", CA_SHA256 },
    { "server.pem", SERVER_SHA256 },
    { "self-signed.pem", SELF_SIGNED_SHA256 },
    { "expired.pem", EXPIRED_SHA256 },
    { "client.pem", CLIENT_SHA256 },
    /* The certificate, not the file: the key beside it changes nothing. */
    { "client-combined.pem", CLIENT_SHA256 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GTlsCertificate *certificate = load_fixture (cases[i].file);
      g_autofree char *sha256 = sonde_certificate_dup_sha256 (certificate);

      g_test_message ("%s", cases[i].file);
      g_assert_cmpstr (sha256, ==, cases[i].sha256);
      g_assert_finalize_object (certificate);
    }
}

static void
test_describe (void)
{
  GTlsCertificate *server = load_fixture ("server.pem");
  GTlsCertificate *expired = load_fixture ("expired.pem");
  g_autofree char *text = NULL;

  /* Dates in local time: UTC here, so that they are what openssl shows. */
  g_setenv ("TZ", "UTC", TRUE);

  text = sonde_certificate_describe (server, 0);
  g_assert_cmpstr (text, ==,
                   "Subject: O=Sonde Test,CN=localhost\n"
                   "Issuer: O=Sonde Test,CN=Sonde Test CA\n"
                   "Valid from: 2026-11-26 02:24\n"
                   "Valid until: 2126-11-02 02:24\n"
                   "SHA-256 fingerprint: " SERVER_FINGERPRINT);
  g_clear_pointer (&text, g_free);

  text = sonde_certificate_describe (server, G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_EXPIRED);
  g_assert_cmpstr (text, ==,
                   "Subject: O=Sonde Test,CN=localhost\n"
                   "Issuer: O=Sonde Test,CN=Sonde Test CA\n"
                   "Valid from: 2026-11-26 02:24\n"
                   "Valid until: 2126-11-02 02:24\n"
                   "SHA-256 fingerprint: " SERVER_FINGERPRINT "\n"
                   "Problem: " UNKNOWN_CA_TEXT "\n"
                   "Problem: " EXPIRED_TEXT);
  g_clear_pointer (&text, g_free);

  text = sonde_certificate_describe (expired, G_TLS_CERTIFICATE_EXPIRED);
  g_assert_true (strstr (text, "Valid from: 2000-01-01 00:00\n") != NULL);
  g_assert_true (strstr (text, "Valid until: 2001-01-01 00:00\n") != NULL);
  g_assert_true (g_str_has_suffix (text, "\nProblem: " EXPIRED_TEXT));
  g_clear_pointer (&text, g_free);

  /* Local time is the user's: nine hours ahead, the same instants. */
  g_setenv ("TZ", "JST-9", TRUE);
  text = sonde_certificate_describe (server, 0);
  g_assert_true (strstr (text, "Valid from: 2026-11-26 11:24\n") != NULL);
  g_assert_true (strstr (text, "Valid until: 2126-11-02 11:24\n") != NULL);
  g_clear_pointer (&text, g_free);
  g_setenv ("TZ", "UTC", TRUE);

  g_assert_finalize_object (server);
  g_assert_finalize_object (expired);
}

/* Flags as GLib's own verification gives them, against the fixtures'
 * authority, and what describe() makes of them. */
static void
test_describe_verified (void)
{
  static const struct {
    const char *file;
    const char *host;
    GTlsCertificateFlags flags;
    const char *problem;
  } cases[] = {
    { "server.pem", "localhost", 0, NULL },
    { "server.pem", "127.0.0.1", 0, NULL },
    { "server.pem", "example.com", G_TLS_CERTIFICATE_BAD_IDENTITY, BAD_IDENTITY_TEXT },
    { "self-signed.pem", "localhost", G_TLS_CERTIFICATE_UNKNOWN_CA, UNKNOWN_CA_TEXT },
    { "expired.pem", "localhost", G_TLS_CERTIFICATE_EXPIRED, EXPIRED_TEXT },
  };
  GTlsCertificate *ca = load_fixture ("ca.pem");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GTlsCertificate *certificate = load_fixture (cases[i].file);
      g_autoptr(GSocketConnectable) identity = g_network_address_new (cases[i].host, 443);
      GTlsCertificateFlags flags = g_tls_certificate_verify (certificate, identity, ca);
      g_autofree char *text = sonde_certificate_describe (certificate, flags);
      g_autofree char *errors = sonde_certificate_describe_errors (flags);

      g_test_message ("%s for %s", cases[i].file, cases[i].host);
      g_assert_cmpuint (flags, ==, cases[i].flags);
      if (cases[i].problem != NULL)
        {
          g_autofree char *line = g_strconcat ("\nProblem: ", cases[i].problem, NULL);

          g_assert_true (g_str_has_suffix (text, line));
          g_assert_cmpstr (errors, ==, cases[i].problem);
        }
      else
        {
          g_assert_null (strstr (text, "Problem"));
          g_assert_cmpstr (errors, ==, "");
        }

      g_assert_finalize_object (certificate);
    }

  g_assert_finalize_object (ca);
}

static void
test_describe_errors (void)
{
  static const struct {
    GTlsCertificateFlags flags;
    const char *text;
  } cases[] = {
    { 0, "" },
    { G_TLS_CERTIFICATE_UNKNOWN_CA, UNKNOWN_CA_TEXT },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, BAD_IDENTITY_TEXT },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, NOT_ACTIVATED_TEXT },
    { G_TLS_CERTIFICATE_EXPIRED, EXPIRED_TEXT },
    { G_TLS_CERTIFICATE_REVOKED, REVOKED_TEXT },
    { G_TLS_CERTIFICATE_INSECURE, INSECURE_TEXT },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, GENERIC_TEXT },
    /* Several: in a fixed order, whatever the order of the bits. */
    { G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_UNKNOWN_CA, UNKNOWN_CA_TEXT "; " EXPIRED_TEXT },
    { G_TLS_CERTIFICATE_VALIDATE_ALL,
      UNKNOWN_CA_TEXT "; " BAD_IDENTITY_TEXT "; " NOT_ACTIVATED_TEXT "; " EXPIRED_TEXT "; "
      REVOKED_TEXT "; " INSECURE_TEXT "; " GENERIC_TEXT },
    /* A flag of a later GLib: a generic error, told once. */
    { 1 << 12, GENERIC_TEXT },
    { (1 << 12) | G_TLS_CERTIFICATE_GENERIC_ERROR, GENERIC_TEXT },
    { (1 << 12) | G_TLS_CERTIFICATE_REVOKED, REVOKED_TEXT "; " GENERIC_TEXT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = sonde_certificate_describe_errors (cases[i].flags);

      g_test_message ("flags 0x%x", cases[i].flags);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_normalize (void)
{
  static const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { SERVER_SHA256, SERVER_SHA256 },
    { SERVER_FINGERPRINT, SERVER_SHA256 },
    { "fc:55:d7:98:af:29:b9:d6:cf:d5:cf:fb:8a:ef:17:88:eb:4d:4c:76:9b:fa:3c:f0:e7:ed:69:3d:c1:78:16:02", SERVER_SHA256 },
    { "FC55D798AF29B9D6CFD5CFFB8AEF1788EB4D4C769BFA3CF0E7ED693DC1781602", SERVER_SHA256 },
    { "FC 55 D7 98 AF 29 B9 D6 CF D5 CF FB 8A EF 17 88 EB 4D 4C 76 9B FA 3C F0 E7 ED 69 3D C1 78 16 02", SERVER_SHA256 },
    { "fc55d798 af29b9d6 cfd5cffb 8aef1788 eb4d4c76 9bfa3cf0 e7ed693d c1781602", SERVER_SHA256 },
    { "  " SERVER_FINGERPRINT "\n", SERVER_SHA256 },
    { "Fc:55:D7:98:af:29:B9:D6:CF:D5:CF:FB:8A:EF:17:88:EB:4D:4C:76:9B:FA:3C:F0:E7:ED:69:3D:C1:78:16:02", SERVER_SHA256 },
    { "FC: 55 :D7:98:AF:29:B9:D6:CF:D5:CF:FB:8A:EF:17:88:EB:4D:4C:76:9B:FA:3C:F0:E7:ED:69:3D:C1:78:16:02", SERVER_SHA256 },

    { NULL, NULL },
    { "", NULL },
    { "   ", NULL },
    /* 31 and 33 bytes. */
    { "FC:55:D7:98:AF:29:B9:D6:CF:D5:CF:FB:8A:EF:17:88:EB:4D:4C:76:9B:FA:3C:F0:E7:ED:69:3D:C1:78:16", NULL },
    { SERVER_FINGERPRINT ":00", NULL },
    /* Half a byte. */
    { SERVER_SHA256 "0", NULL },
    { "c55d798af29b9d6cfd5cffb8aef1788eb4d4c769bfa3cf0e7ed693dc1781602", NULL },
    /* Separators within a byte, or at either end. */
    { "F:C55:D7:98:AF:29:B9:D6:CF:D5:CF:FB:8A:EF:17:88:EB:4D:4C:76:9B:FA:3C:F0:E7:ED:69:3D:C1:78:16:02", NULL },
    { ":" SERVER_FINGERPRINT, NULL },
    { SERVER_FINGERPRINT ":", NULL },
    /* Not hex, or other separators. */
    { "GC:55:D7:98:AF:29:B9:D6:CF:D5:CF:FB:8A:EF:17:88:EB:4D:4C:76:9B:FA:3C:F0:E7:ED:69:3D:C1:78:16:02", NULL },
    { "FC-55-D7-98-AF-29-B9-D6-CF-D5-CF-FB-8A-EF-17-88-EB-4D-4C-76-9B-FA-3C-F0-E7-ED-69-3D-C1-78-16-02", NULL },
    { "sha256 Fingerprint=" SERVER_FINGERPRINT, NULL },
    { "0x" SERVER_SHA256, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *result = sonde_certificate_normalize_sha256 (cases[i].text);

      g_test_message ("case %u: %s", i, cases[i].text);
      g_assert_cmpstr (result, ==, cases[i].expected);
    }
}

/* A file of the test's own, in its temporary home. */
static char *
write_file (const char   *name,
            const guint8 *data,
            gsize         length)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "tls", NULL);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, (const char *) data, length, &error);
  g_assert_no_error (error);
  return path;
}

static char *
copy_fixture (const char *fixture_name,
              const char *name)
{
  g_autofree char *source = fixture (fixture_name);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_file_get_contents (source, &data, &length, &error);
  g_assert_no_error (error);
  return write_file (name, (const guint8 *) data, length);
}

static void
assert_client_certificate (GTlsCertificate *certificate)
{
  g_autofree char *sha256 = NULL;
  g_autoptr(GByteArray) key = NULL;

  g_assert_nonnull (certificate);
  sha256 = sonde_certificate_dup_sha256 (certificate);
  g_assert_cmpstr (sha256, ==, CLIENT_SHA256);
  g_object_get (certificate, "private-key", &key, NULL);
  g_assert_nonnull (key);
  g_assert_cmpuint (key->len, >, 0);
  g_assert_finalize_object (certificate);
}

static void
test_load_client (void)
{
  g_autofree char *combined = fixture ("client-combined.pem");
  g_autofree char *cert = fixture ("client.pem");
  g_autofree char *key = fixture ("client.key");
  g_autofree char *p12 = fixture ("client.p12");
  g_autofree char *p12_renamed = copy_fixture ("client.p12", "client-p12.bin");
  g_autofree char *p12_upper = copy_fixture ("client.p12", "CLIENT.PFX");
  g_autofree char *pem_renamed = copy_fixture ("client-combined.pem", "client.crt");
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  /* PEM: the certificate and the key in one file, or apart. */
  certificate = sonde_certificate_load_client (combined, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_client_certificate (certificate);

  certificate = sonde_certificate_load_client (cert, key, NULL, &error);
  g_assert_no_error (error);
  assert_client_certificate (certificate);

  /* A key file given beside a file that has one: the key file's is used
   * (the same key here), and a password is not needed for PEM. */
  certificate = sonde_certificate_load_client (combined, key, "ignored", &error);
  g_assert_no_error (error);
  assert_client_certificate (certificate);

  certificate = sonde_certificate_load_client (pem_renamed, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_client_certificate (certificate);

  /* PKCS #12, by its name or by its content. */
  certificate = sonde_certificate_load_client (p12, NULL, "sonde-test", &error);
  g_assert_no_error (error);
  assert_client_certificate (certificate);

  certificate = sonde_certificate_load_client (p12_renamed, NULL, "sonde-test", &error);
  g_assert_no_error (error);
  assert_client_certificate (certificate);

  certificate = sonde_certificate_load_client (p12_upper, NULL, "sonde-test", &error);
  g_assert_no_error (error);
  assert_client_certificate (certificate);

  /* The key path means nothing to PKCS #12: the key is inside. */
  certificate = sonde_certificate_load_client (p12, "/nonexistent/key.pem", "sonde-test", &error);
  g_assert_no_error (error);
  assert_client_certificate (certificate);
}

typedef struct {
  const char *path;       /* a fixture, or a file of write_file() with a "tmp:" prefix */
  const char *key_path;
  const char *password;
  GQuark domain;
  int code;
  const char *message;
  gboolean then_gnutls;   /* the message goes on with GnuTLS's words */
} LoadFailure;

static char *
failure_path (const char *path)
{
  if (path == NULL)
    return NULL;
  if (g_str_has_prefix (path, "tmp:"))
    return g_build_filename (g_get_user_data_dir (), "tls", path + strlen ("tmp:"), NULL);
  if (g_str_has_prefix (path, "/"))
    return g_strdup (path);
  return fixture (path);
}

static void
test_load_client_failures (void)
{
  static const guint8 garbage[] = { 0x30, 0x82, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02 };
  static const char broken_pem[] =
    "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"
    "-----BEGIN PRIVATE KEY-----\nnor this\n-----END PRIVATE KEY-----\n";
  static const char some_text[] = "just some text\n";
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "tls", "folder.pem", NULL);
  const LoadFailure cases[] = {
    { "/nonexistent/client.pem", NULL, NULL, G_FILE_ERROR, G_FILE_ERROR_NOENT,
      "Could not read the file “client.pem”: it does not exist" },
    { "client-combined.pem", "/nonexistent/client.key", NULL, G_FILE_ERROR, G_FILE_ERROR_NOENT,
      "Could not read the file “client.key”: it does not exist" },
    { "tmp:folder.pem", NULL, NULL, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
      "Could not read the file “folder.pem”: it is a folder" },
    { "client.pem", NULL, NULL, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
      "The file “client.pem” holds no private key" },
    { "client.pem", "server.pem", NULL, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
      "The file “server.pem” holds no private key" },
    { "client.key", NULL, NULL, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
      "The file “client.key” holds a private key but no certificate" },
    { "client.pem", "client-encrypted.key", NULL, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
      "The private key in “client-encrypted.key” is encrypted, which Sonde cannot read: "
      "use a PKCS #12 file or a key without a password" },
    { "client.p12", NULL, "wrong", G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD,
      "Wrong password for “client.p12”" },
    { "client.p12", NULL, NULL, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD,
      "The file “client.p12” is protected by a password: enter it" },
    { "client.p12", NULL, "", G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD,
      "The file “client.p12” is protected by a password: enter it" },
    { "tmp:client-p12.bin", NULL, "wrong", G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD,
      "Wrong password for “client-p12.bin”" },
    { "client-nokey.p12", NULL, "sonde-test", G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
      "The file “client-nokey.p12” is not a PKCS #12 file with a certificate and its private key (", TRUE },
    { "tmp:garbage.p12", NULL, "sonde-test", G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
      "The file “garbage.p12” is not a PKCS #12 file with a certificate and its private key (", TRUE },
    { "tmp:garbage.bin", NULL, "sonde-test", G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
      "The file “garbage.bin” is neither a PEM file nor a PKCS #12 file with a certificate and its private key" },
    { "tmp:empty.pem", NULL, NULL, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
      "The file “empty.pem” is neither a PEM file nor a PKCS #12 file with a certificate and its private key" },
    { "tmp:text.pem", NULL, NULL, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
      "The file “text.pem” is neither a PEM file nor a PKCS #12 file with a certificate and its private key" },
    { "tmp:broken.pem", NULL, NULL, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
      "Could not read the certificate in “broken.pem”: ", TRUE },
  };

  g_free (copy_fixture ("client.p12", "client-p12.bin"));
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_free (write_file ("garbage.p12", garbage, sizeof garbage));
  g_free (write_file ("garbage.bin", garbage, sizeof garbage));
  g_free (write_file ("empty.pem", NULL, 0));
  g_free (write_file ("text.pem", (const guint8 *) some_text, strlen (some_text)));
  g_free (write_file ("broken.pem", (const guint8 *) broken_pem, strlen (broken_pem)));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const LoadFailure *c = &cases[i];
      g_autofree char *path = failure_path (c->path);
      g_autofree char *key_path = failure_path (c->key_path);
      g_autoptr(GError) error = NULL;
      GTlsCertificate *certificate;

      g_test_message ("case %u: %s", i, c->path);
      certificate = sonde_certificate_load_client (path, key_path, c->password, &error);
      g_assert_null (certificate);
      g_assert_error (error, c->domain, c->code);
      if (c->then_gnutls)
        {
          g_assert_true (g_str_has_prefix (error->message, c->message));
          g_assert_cmpuint (strlen (error->message), >, strlen (c->message) + 1);
        }
      else
        g_assert_cmpstr (error->message, ==, c->message);
    }
}

int
main (int   argc,
      char *argv[])
{
  /* Before anything reads the local time zone. */
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);

  sonde_test_init (&argc, &argv);

  g_test_add_func ("/certificate/sha256", test_sha256);
  g_test_add_func ("/certificate/describe", test_describe);
  g_test_add_func ("/certificate/describe/verified", test_describe_verified);
  g_test_add_func ("/certificate/describe-errors", test_describe_errors);
  g_test_add_func ("/certificate/normalize", test_normalize);
  g_test_add_func ("/certificate/load-client", test_load_client);
  g_test_add_func ("/certificate/load-client/failures", test_load_client_failures);

  return g_test_run ();
}
