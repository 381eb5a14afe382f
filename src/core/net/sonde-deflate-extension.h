/* sonde-deflate-extension.h: permessage-deflate (RFC 7692) with a bounded
 * inflate, in place of libsoup 3.2's own (which inflates without bound)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define SONDE_TYPE_DEFLATE_EXTENSION (sonde_deflate_extension_get_type ())
G_DECLARE_FINAL_TYPE (SondeDeflateExtension, sonde_deflate_extension, SONDE, DEFLATE_EXTENSION, SoupWebsocketExtension)

/* A permessage-deflate extension for one SoupWebsocketConnection. A
 * compressed message that inflates past @max_message_size bytes (0: no
 * limit) is stopped there, with at most one output chunk more in memory, and
 * the connection closes with 1009 (SOUP_WEBSOCKET_CLOSE_TOO_BIG); one that
 * does not inflate closes with 1007. Configure it (the configure vfunc, or
 * sonde_deflate_extension_configure_from_response() on the client side)
 * before handing it to soup_websocket_connection_new(). */
SoupWebsocketExtension *sonde_deflate_extension_new            (guint64                max_message_size);

/* How far the message that crossed the limit had inflated when it was
 * stopped; 0 if none did. */
guint64                 sonde_deflate_extension_get_limit_reached (SondeDeflateExtension *self);

/* The request's Sec-WebSocket-Extensions value:
 * "permessage-deflate; client_max_window_bits". */
const char             *sonde_deflate_extension_get_offer      (void);

/* Configures @self as a client from the server's answer: @response is the
 * permessage-deflate element of the response's Sec-WebSocket-Extensions
 * header (e.g. "permessage-deflate; server_no_context_takeover"), @offer the
 * element the request offered (NULL: sonde_deflate_extension_get_offer()).
 * Unlike the configure vfunc, which gets the parameters already in a hash
 * table, this sees the text: a duplicated or malformed parameter is an error
 * that names it, as are unknown parameters, window bits outside 8..15 and a
 * client_max_window_bits that was not offered (SOUP_WEBSOCKET_ERROR,
 * SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE). */
gboolean                sonde_deflate_extension_configure_from_response (SondeDeflateExtension  *self,
                                                                         const char             *offer,
                                                                         const char             *response,
                                                                         GError                **error);

G_END_DECLS
