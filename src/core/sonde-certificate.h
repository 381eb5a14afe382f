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
 * and what is wrong with it, one per line. */
char     *sonde_certificate_describe       (GTlsCertificate      *certificate,
                                            GTlsCertificateFlags  errors);
char     *sonde_certificate_describe_errors (GTlsCertificateFlags errors);
/* A fingerprint typed by a user (hex, with or without colons or spaces, any
 * case) in the form sonde_certificate_dup_sha256() gives; NULL if it is not
 * 32 bytes of hex. */
char     *sonde_certificate_normalize_sha256 (const char         *text);
/* A client certificate and its key from a PEM file (certificate and key in
 * one file, or the key in @key_path) or a PKCS#12 file (with @password). */
GTlsCertificate *sonde_certificate_load_client (const char   *path,
                                                const char   *key_path,
                                                const char   *password,
                                                GError      **error);

G_END_DECLS
