/* sonde-certificate.h: what a user must see to decide about a certificate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Lowercase hex, no separators: 64 characters. */
char     *sonde_certificate_dup_sha256     (GTlsCertificate      *certificate);
/* Subject, issuer, validity, SHA-256 fingerprint (as AA:BB:… for people)
 * and what is wrong with it, one per line, translated:
 *   Subject: …
 *   Issuer: …
 *   Valid from: 2026-11-26 02:24   (local time)
 *   Valid until: …
 *   SHA-256 fingerprint: AA:BB:…
 *   Problem: …                     (one line per problem in @errors)
 */
char     *sonde_certificate_describe       (GTlsCertificate      *certificate,
                                            GTlsCertificateFlags  errors);
/* The problems in @errors in words, in one line joined with "; " (the
 * same words as describe()'s "Problem:" lines); "" when there are none. A
 * flag unknown to Sonde counts as a generic error. */
char     *sonde_certificate_describe_errors (GTlsCertificateFlags errors);
/* A fingerprint typed by a user (hex, with or without colons or spaces, any
 * case) in the form sonde_certificate_dup_sha256() gives; NULL if it is not
 * 32 bytes of hex. */
char     *sonde_certificate_normalize_sha256 (const char         *text);
/* A client certificate and its key from a PEM file (certificate and key in
 * one file, or the key in @key_path) or a PKCS#12 file (with @password).
 * PKCS#12 is recognised by a .p12 or .pfx name, or by not being PEM; it
 * ignores @key_path, and PEM ignores @password (an encrypted PEM key is
 * refused: GLib cannot decrypt one). Errors are G_FILE_ERROR when a file
 * cannot be read, G_TLS_ERROR_BAD_CERTIFICATE_PASSWORD for a missing or
 * wrong password, G_TLS_ERROR_BAD_CERTIFICATE otherwise, with a message
 * that names the file and what is wrong ("The file “x” holds no private
 * key"). That the key belongs to the certificate is not checked: the
 * server will say. */
GTlsCertificate *sonde_certificate_load_client (const char   *path,
                                                const char   *key_path,
                                                const char   *password,
                                                GError      **error);

G_END_DECLS
