/* sonde-socketio-packet.h: Engine.IO v4 and Socket.IO v4 packets, read
 * and shown (the decoded views of docs/app-protocols.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions over one WebSocket text message: no state, no GObject
 * (the fuzzer links this file alone with the JSON helpers).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SONDE_EIO_OPEN,
  SONDE_EIO_CLOSE,
  SONDE_EIO_PING,
  SONDE_EIO_PONG,
  SONDE_EIO_MESSAGE,
  SONDE_EIO_UPGRADE,
  SONDE_EIO_NOOP,
} SondeEioType;

typedef enum {
  SONDE_SIO_NONE = -1,
  SONDE_SIO_CONNECT,
  SONDE_SIO_DISCONNECT,
  SONDE_SIO_EVENT,
  SONDE_SIO_ACK,
  SONDE_SIO_CONNECT_ERROR,
  SONDE_SIO_BINARY_EVENT,
  SONDE_SIO_BINARY_ACK,
} SondeSioType;

/* Binary attachments a packet may announce, at most. */
#define SONDE_SIO_MAX_ATTACHMENTS 1024

/* One packet; its strings point into the text it was read from. */
typedef struct {
  SondeEioType  eio;
  SondeSioType  sio;          /* NONE unless @eio is MESSAGE */
  guint         attachments;  /* BINARY_EVENT, BINARY_ACK */
  const char   *nsp;          /* "/" when the packet names none */
  gsize         nsp_length;
  gboolean      has_id;
  guint64       id;
  const char   *data;         /* the JSON (or, for Engine.IO, text) after the header; may be empty */
  gsize         data_length;
} SondeSocketioPacket;

/* Reads @text: FALSE with @error_message (newly allocated) saying why it is
 * not an Engine.IO/Socket.IO packet, or where its JSON is wrong. */
gboolean  sonde_socketio_packet_parse (const char           *text,
                                       gsize                 length,
                                       SondeSocketioPacket  *packet,
                                       char                **error_message);

/* The same without reading the JSON after the header (what a packet is,
 * for the mode's state, at ingest): its data may still be wrong. */
gboolean  sonde_socketio_packet_parse_header (const char           *text,
                                              gsize                 length,
                                              SondeSocketioPacket  *packet,
                                              char                **error_message);
/* Whether the data of a packet read by parse_header() is right for it. */
gboolean  sonde_socketio_packet_check (const SondeSocketioPacket  *packet,
                                       char                      **error_message);

/* Appends the view of @packet to @json; @label (newly allocated) and
 * @upkeep as the log shows them. @attachments (@n_attachments of them, may
 * be 0) replace the {"_placeholder":true,"num":N} of a binary packet with
 * their base64. */
void      sonde_socketio_packet_view  (const SondeSocketioPacket *packet,
                                       GBytes * const            *attachments,
                                       guint                      n_attachments,
                                       GString                   *json,
                                       char                     **label,
                                       gboolean                  *upkeep);

/* An event's name (newly allocated), or NULL when it is not an event. */
char     *sonde_socketio_packet_dup_event (const SondeSocketioPacket *packet);

/* The view of a binary message: an attachment, {"type":"attachment",
 * "data":"BASE64"} (see docs/app-protocols.md). */
void      sonde_socketio_attachment_view (const guint8 *data,
                                          gsize         length,
                                          GString      *json);

G_END_DECLS
