/* sonde-handshake.h: the record of one opening handshake
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "sonde-redactor.h"

G_BEGIN_DECLS

/* Milliseconds; negative when the phase did not happen (no DNS lookup for
 * an address, no TLS for ws://) or was not reached. */
typedef struct {
  double dns_ms;
  double connect_ms;
  double tls_ms;
  double upgrade_ms;
  double total_ms;
} SondeHandshakeTimings;

typedef struct _SondeHandshake SondeHandshake;

/* How much of a refused handshake's response body is kept. */
#define SONDE_HANDSHAKE_MAX_BODY (64 * 1024)

#define SONDE_TYPE_HANDSHAKE (sonde_handshake_get_type ())

GType           sonde_handshake_get_type            (void) G_GNUC_CONST;
SondeHandshake *sonde_handshake_new                 (const char      *url,
                                                     SondeRedactor   *redactor,
                                                     const char      *method,
                                                     const char      *path_and_query,
                                                     SoupMessageHeaders *request_headers,
                                                     SoupHTTPVersion  http_version,
                                                     guint            status,
                                                     const char      *reason_phrase,
                                                     SoupMessageHeaders *response_headers,
                                                     const SondeHandshakeTimings *timings,
                                                     const char      *protocol,
                                                     const char      *extensions);
/* A handshake read back from its record (sonde_handshake_to_json()'s
 * JSON), e.g. out of a recording; NULL and an error when it is not one. */
SondeHandshake *sonde_handshake_new_from_json       (const char      *data,
                                                     gsize            length,
                                                     GError         **error);
SondeHandshake *sonde_handshake_ref                 (SondeHandshake  *self);
void            sonde_handshake_unref               (SondeHandshake  *self);

const char     *sonde_handshake_get_url             (SondeHandshake  *self);
const char     *sonde_handshake_get_request_line    (SondeHandshake  *self);
guint           sonde_handshake_get_n_request_headers (SondeHandshake *self);
void            sonde_handshake_get_request_header  (SondeHandshake  *self,
                                                     guint            index,
                                                     const char     **name,
                                                     const char     **value);
guint           sonde_handshake_get_status          (SondeHandshake  *self);
const char     *sonde_handshake_get_reason_phrase   (SondeHandshake  *self);
const char     *sonde_handshake_get_status_line     (SondeHandshake  *self);
guint           sonde_handshake_get_n_response_headers (SondeHandshake *self);
void            sonde_handshake_get_response_header (SondeHandshake  *self,
                                                     guint            index,
                                                     const char     **name,
                                                     const char     **value);
const char     *sonde_handshake_get_response_header_value (SondeHandshake *self,
                                                           const char     *name);
const char     *sonde_handshake_get_protocol        (SondeHandshake  *self);
const char     *sonde_handshake_get_extensions      (SondeHandshake  *self);
void            sonde_handshake_get_timings         (SondeHandshake  *self,
                                                     SondeHandshakeTimings *timings);
void            sonde_handshake_set_response_body   (SondeHandshake  *self,
                                                     GBytes          *body,
                                                     gboolean         truncated);
GBytes         *sonde_handshake_get_response_body   (SondeHandshake  *self,
                                                     gboolean        *truncated);
char           *sonde_handshake_to_json             (SondeHandshake  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeHandshake, sonde_handshake_unref)

G_END_DECLS
