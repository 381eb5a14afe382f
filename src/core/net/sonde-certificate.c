/* sonde-certificate.c: what a user must see to decide about a certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-certificate"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sonde-certificate.h"

#define SHA256_HEX_LENGTH 64

/* The problems of GTlsCertificateFlags, in the order they are told. */
static const struct {
  GTlsCertificateFlags flag;
  const char *text;
} problems[] = {
  { G_TLS_CERTIFICATE_UNKNOWN_CA, N_("the certificate authority is unknown, or the certificate is self-signed") },
  { G_TLS_CERTIFICATE_BAD_IDENTITY, N_("the certificate is for another host name") },
  { G_TLS_CERTIFICATE_NOT_ACTIVATED, N_("the certificate is not valid yet") },
  { G_TLS_CERTIFICATE_EXPIRED, N_("the certificate has expired") },
  { G_TLS_CERTIFICATE_REVOKED, N_("the certificate has been revoked") },
  { G_TLS_CERTIFICATE_INSECURE, N_("the certificate uses an insecure algorithm") },
  { G_TLS_CERTIFICATE_GENERIC_ERROR, N_("the certificate could not be verified") },
};

/* Each problem in @errors, translated, in order; a flag this version of
 * Sonde does not know counts as a generic error. */
static GPtrArray *
list_problems (GTlsCertificateFlags errors)
{
  GPtrArray *list = g_ptr_array_new ();
  GTlsCertificateFlags known = 0;

  for (guint i = 0; i < G_N_ELEMENTS (problems); i++)
    known |= problems[i].flag;
  if ((errors & ~known) != 0)
    errors |= G_TLS_CERTIFICATE_GENERIC_ERROR;

  for (guint i = 0; i < G_N_ELEMENTS (problems); i++)
    {
      if ((errors & problems[i].flag) != 0)
        g_ptr_array_add (list, (gpointer) _(problems[i].text));
    }

  return list;
}

/* AA:BB:… from the lowercase hex of sonde_certificate_dup_sha256(). */
static char *
format_fingerprint (const char *hex)
{
  GString *out = g_string_sized_new (SHA256_HEX_LENGTH * 3 / 2);

  for (gsize i = 0; hex[i] != '\0' && hex[i + 1] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
      g_string_append_c (out, g_ascii_toupper (hex[i + 1]));
    }

  return g_string_free (out, FALSE);
}

/* A date as people read it here: local time, ISO 8601 order. */
static char *
format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  if (date == NULL)
    return g_strdup (_("unknown"));

  local = g_date_time_to_local (date);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static gboolean
is_separator (char c)
{
  return c == ':' || c == ' ' || c == '\t';
}

static gboolean
is_pkcs12_name (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, ".p12") || g_str_has_suffix (lower, ".pfx");
}

static gboolean
has_private_key (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) key = NULL;
  g_autofree char *key_pem = NULL;

  g_object_get (certificate, "private-key", &key, "private-key-pem", &key_pem, NULL);
  return key != NULL || key_pem != NULL;
}

static gboolean
read_file (const char  *path,
           char       **contents,
           gsize       *length,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = g_filename_display_basename (path);
  const char *reason;

  if (g_file_get_contents (path, contents, length, &local_error))
    return TRUE;

  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    reason = _("it does not exist");
  else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES) ||
           g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_PERM))
    reason = _("permission denied");
  else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ISDIR))
    reason = _("it is a folder");
  else
    reason = local_error->message;

  g_set_error (error, local_error->domain, local_error->code,
               _("Could not read the file “%s”: %s"), name, reason);
  return FALSE;
}

static GTlsCertificate *
load_pkcs12 (const char  *path,
             const char  *data,
             gsize        length,
             const char  *password,
             gboolean     by_name,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = g_filename_display_basename (path);
  g_autoptr(GByteArray) bytes = g_byte_array_sized_new (length);
  GTlsCertificate *certificate;

  /* What g_tls_certificate_new_from_file_with_password() does, but for any
   * file name: it only takes .p12 and .pfx. */
  g_byte_array_append (bytes, (const guint8 *) data, length);
  certificate = g_initable_new (g_tls_backend_get_certificate_type (g_tls_backend_get_default ()),
                                NULL, &local_error,
                                "pkcs12-data", bytes,
                                "password", password,
                                NULL);
  if (certificate != NULL)
    return certificate;

  if (g_error_matches (local_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD))
    {
      if (password == NULL || *password == '\0')
        g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD,
                     _("The file “%s” is protected by a password: enter it"), name);
      else
        g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD,
                     _("Wrong password for “%s”"), name);
    }
  else if (by_name)
    g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                 _("The file “%s” is not a PKCS #12 file with a certificate and its private key (%s)"),
                 name, local_error->message);
  else
    g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                 _("The file “%s” is neither a PEM file nor a PKCS #12 file with a certificate and its private key"),
                 name);

  return NULL;
}

static gboolean
has_encrypted_key (const char *pem)
{
  return strstr (pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL ||
         strstr (pem, "Proc-Type: 4,ENCRYPTED") != NULL;
}

static GTlsCertificate *
load_pem (const char  *path,
          const char  *data,
          gsize        length,
          const char  *key_path,
          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *key_data = NULL;
  g_autofree char *key_name = NULL;
  GTlsCertificate *certificate;

  if (strstr (data, "-----BEGIN CERTIFICATE-----") == NULL)
    {
      if (strstr (data, "PRIVATE KEY-----") != NULL)
        g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                     _("The file “%s” holds a private key but no certificate"), name);
      else
        g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                     _("The file “%s” holds no certificate"), name);
      return NULL;
    }

  if (key_path != NULL)
    {
      gsize key_length;

      if (!read_file (key_path, &key_data, &key_length, error))
        return NULL;
      key_name = g_filename_display_basename (key_path);
    }
  else
    key_name = g_strdup (name);

  if (has_encrypted_key (key_data != NULL ? key_data : data))
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   _("The private key in “%s” is encrypted, which Sonde cannot read: "
                     "use a PKCS #12 file or a key without a password"), key_name);
      return NULL;
    }

  if (strstr (key_data != NULL ? key_data : data, "PRIVATE KEY-----") == NULL)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   _("The file “%s” holds no private key"), key_name);
      return NULL;
    }

  if (key_path != NULL)
    certificate = g_tls_certificate_new_from_files (path, key_path, &local_error);
  else
    certificate = g_tls_certificate_new_from_pem (data, length, &local_error);

  if (certificate == NULL)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   _("Could not read the certificate in “%s”: %s"), name, local_error->message);
      return NULL;
    }

  return certificate;
}

char *
sonde_certificate_dup_sha256 (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

char *
sonde_certificate_describe (GTlsCertificate      *certificate,
                            GTlsCertificateFlags  errors)
{
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autofree char *from = NULL;
  g_autofree char *until = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *fingerprint = NULL;
  g_autoptr(GPtrArray) list = NULL;
  GString *out;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  subject = g_tls_certificate_get_subject_name (certificate);
  issuer = g_tls_certificate_get_issuer_name (certificate);
  not_before = g_tls_certificate_get_not_valid_before (certificate);
  not_after = g_tls_certificate_get_not_valid_after (certificate);
  from = format_date (not_before);
  until = format_date (not_after);
  sha256 = sonde_certificate_dup_sha256 (certificate);
  fingerprint = sha256 != NULL ? format_fingerprint (sha256) : g_strdup (_("unknown"));

  out = g_string_new (NULL);
  g_string_append_printf (out, _("Subject: %s"), subject != NULL ? subject : _("unknown"));
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Issuer: %s"), issuer != NULL ? issuer : _("unknown"));
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Valid from: %s"), from);
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Valid until: %s"), until);
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("SHA-256 fingerprint: %s"), fingerprint);

  list = list_problems (errors);
  for (guint i = 0; i < list->len; i++)
    {
      g_string_append_c (out, '\n');
      g_string_append_printf (out, _("Problem: %s"), (const char *) g_ptr_array_index (list, i));
    }

  return g_string_free (out, FALSE);
}

char *
sonde_certificate_describe_errors (GTlsCertificateFlags errors)
{
  g_autoptr(GPtrArray) list = list_problems (errors);

  g_ptr_array_add (list, NULL);
  /* TRANSLATORS: between two problems of a certificate, in one line */
  return g_strjoinv (_("; "), (char **) list->pdata);
}

char *
sonde_certificate_normalize_sha256 (const char *text)
{
  g_autofree char *trimmed = NULL;
  GString *hex;
  gsize length;

  if (text == NULL)
    return NULL;

  trimmed = g_strstrip (g_strdup (text));
  length = strlen (trimmed);
  if (length == 0 || is_separator (trimmed[0]) || is_separator (trimmed[length - 1]))
    return NULL;

  hex = g_string_sized_new (SHA256_HEX_LENGTH);
  for (const char *p = trimmed; *p; p++)
    {
      if (g_ascii_isxdigit (*p))
        g_string_append_c (hex, g_ascii_tolower (*p));
      /* Separators between bytes only: "A:BC…" is not a fingerprint. */
      else if (!is_separator (*p) || hex->len % 2 != 0)
        {
          g_string_free (hex, TRUE);
          return NULL;
        }
    }

  if (hex->len != SHA256_HEX_LENGTH)
    {
      g_string_free (hex, TRUE);
      return NULL;
    }

  return g_string_free (hex, FALSE);
}

GTlsCertificate *
sonde_certificate_load_client (const char  *path,
                               const char  *key_path,
                               const char  *password,
                               GError     **error)
{
  g_autofree char *data = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_file (path, &data, &length, error))
    return NULL;

  /* By name when it says PKCS #12, by content otherwise: PEM is text with
   * "-----BEGIN", PKCS #12 is binary DER. */
  if (is_pkcs12_name (path))
    certificate = load_pkcs12 (path, data, length, password, TRUE, error);
  else if (strstr (data, "-----BEGIN ") != NULL)
    certificate = load_pem (path, data, length, key_path, error);
  else
    certificate = load_pkcs12 (path, data, length, password, FALSE, error);

  if (certificate == NULL)
    return NULL;

  if (!has_private_key (certificate))
    {
      name = g_filename_display_basename (key_path != NULL ? key_path : path);
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   _("The file “%s” holds no private key"), name);
      return NULL;
    }

  return g_steal_pointer (&certificate);
}
