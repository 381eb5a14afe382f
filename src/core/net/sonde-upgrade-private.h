/* sonde-upgrade-private.h: the HTTP half of SondeUpgrade (the request it
 * writes, the response it checks, a refused response's body), shared by
 * sonde-upgrade.c and sonde-upgrade-http.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "sonde-upgrade.h"

G_BEGIN_DECLS

/* How a refused response's body ends. */
typedef enum {
  SONDE_BODY_NONE,
  SONDE_BODY_LENGTH,      /* Content-Length */
  SONDE_BODY_CHUNKED,
  SONDE_BODY_CLOSE,       /* until the server closes */
} SondeBodyFraming;

char                   *sonde_upgrade_new_key              (void);
char                   *sonde_upgrade_expected_accept      (const char                   *key);
const char             *sonde_upgrade_deflate_offer        (void);
SoupWebsocketExtension *sonde_upgrade_new_deflate          (guint64                       max_message_size);
char                   *sonde_upgrade_path_and_query       (GUri                         *uri);
char                   *sonde_upgrade_describe_host        (GUri                         *uri);
SoupMessageHeaders     *sonde_upgrade_request_headers      (GUri                         *uri,
                                                            const SondeConnectionOptions *options,
                                                            const char                   *key);
GString                *sonde_upgrade_serialize_request    (const char                   *path_and_query,
                                                            SoupMessageHeaders           *headers);
gssize                  sonde_upgrade_find_head_end        (const guint8                 *data,
                                                            gsize                         length,
                                                            gsize                         from);
gboolean                sonde_upgrade_verify_response      (const char                   *host,
                                                            guint                         status,
                                                            SoupMessageHeaders           *response,
                                                            const char                   *key,
                                                            const SondeConnectionOptions *options,
                                                            char                        **protocol,
                                                            GList                       **extensions,
                                                            GError                      **error);
GError                 *sonde_upgrade_refused_error        (guint                         status,
                                                            const char                   *reason,
                                                            SoupMessageHeaders           *response);
SondeBodyFraming        sonde_upgrade_body_framing         (guint                         status,
                                                            SoupMessageHeaders           *response,
                                                            goffset                      *length);
gboolean                sonde_upgrade_decode_chunked       (const guint8                 *raw,
                                                            gsize                         raw_length,
                                                            GByteArray                   *body,
                                                            gsize                         max);

G_END_DECLS
