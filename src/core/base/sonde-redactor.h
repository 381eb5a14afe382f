/* sonde-redactor.h: secrets masked wherever text leaves a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One set of rules, used by the handshake record, the log's events,
 * exports, recordings, debug logging and sonde-cli: the values of
 * Authorization, Proxy-Authorization, Cookie and Set-Cookie headers, of the
 * profile's own secret header, and of sensitive query parameters (token,
 * access_token, key, apikey, password, secret, sig, auth, and the
 * profile's own) become "[redacted]". Userinfo in a URL
 * (user:password@host) is masked too.
 *
 * Names of headers and parameters compare without case; a parameter's
 * name is compared whole, after percent-decoding. A secret registered with
 * sonde_redactor_add_secret() (the token itself, say) is masked wherever it
 * appears, as it is or percent-encoded; one shorter than 4 characters is
 * ignored, as masking it would mask those letters everywhere. Everything
 * that is not masked comes out byte for byte.
 *
 * Set a redactor up before sharing it; after that it is only read and may
 * be used from any thread. A NULL value, URL or text gives NULL.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SONDE_REDACTED "[redacted]"

typedef struct _SondeRedactor SondeRedactor;

SondeRedactor *sonde_redactor_new            (void);
SondeRedactor *sonde_redactor_ref            (SondeRedactor  *self);
void           sonde_redactor_unref          (SondeRedactor  *self);
void           sonde_redactor_add_header     (SondeRedactor  *self,
                                              const char     *name);
void           sonde_redactor_add_parameter  (SondeRedactor  *self,
                                              const char     *name);
void           sonde_redactor_add_secret     (SondeRedactor  *self,
                                              const char     *secret);
SondeRedactor *sonde_redactor_copy           (SondeRedactor  *self);
void           sonde_redactor_learn_url      (SondeRedactor  *self,
                                              const char     *url);
void           sonde_redactor_learn_header   (SondeRedactor  *self,
                                              const char     *name,
                                              const char     *value);

/* Whether it knows any secret value to mask. */
gboolean       sonde_redactor_has_secrets    (SondeRedactor  *self);
gboolean       sonde_redactor_is_secret_header (SondeRedactor *self,
                                                const char    *name);
char          *sonde_redactor_header_value   (SondeRedactor  *self,
                                              const char     *name,
                                              const char     *value);
char          *sonde_redactor_url            (SondeRedactor  *self,
                                              const char     *url);
char          *sonde_redactor_text           (SondeRedactor  *self,
                                              const char     *text);
void           sonde_redactor_append_bytes   (SondeRedactor  *self,
                                              GString        *out,
                                              const char     *text,
                                              gsize           length);
gboolean       sonde_redactor_append_secrets (SondeRedactor  *self,
                                              GString        *out,
                                              const char     *text,
                                              gsize           length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeRedactor, sonde_redactor_unref)

G_END_DECLS
