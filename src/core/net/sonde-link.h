/* sonde-link.h: the I/O-thread half of a SondeConnection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "sonde-connection-options.h"
#include "sonde-connection-state.h"
#include "sonde-handshake.h"
#include "sonde-record.h"
#include "sonde-redactor.h"

G_BEGIN_DECLS

/* What an event changes on the main thread besides the log. */
typedef struct {
  int              state;       /* a SondeConnectionState, or -1 for none */
  guint            close_code;
  char            *close_reason;
  gboolean         close_clean;
  GError          *error;
  SondeHandshake  *handshake;
  char            *protocol;
  guint            http_status;   /* failed: the refusing status, or 0 */
  gint64           retry_after_ms;/* failed: from Retry-After, or -1 */
  gboolean         permanent;     /* failed: retrying cannot help (401, TLS, pin) */
  char            *certificate_sha256;      /* failed: the certificate refused, if any */
  char            *certificate_description;
} SondeLinkEvent;

typedef struct {
  gint64          wall_us;
  gint64          mono_us;
  gsize           offset;       /* into SondeLinkBatch.bytes, unless @payload */
  gsize           length;
  GBytes         *payload;      /* large messages: libsoup's buffer, not copied */
  SondeDirection  direction;
  SondeMessageKind kind;
  SondeRecordFlags flags;
  SondeLinkEvent *event;        /* events only; owned by the batch */
  SondeFrameInfo *frames;       /* messages of several frames or compressed: their frames; owned by the batch */
  guint           n_frames;
} SondeLinkItem;

typedef struct {
  guint64 frames_in;
  guint64 frames_out;
  guint64 control_in;           /* of frames_in: close, ping and pong frames */
  guint64 control_out;
} SondeLinkFrameCounts;

typedef struct {
  GArray     *items;            /* SondeLinkItem */
  GByteArray *bytes;
  SondeLinkFrameCounts counts;  /* the connection's totals when the batch was taken */
} SondeLinkBatch;

typedef enum {
  SONDE_LINK_FLAG_NONE = 0,
  /* Send every message received straight back, from the I/O thread. */
  SONDE_LINK_FLAG_ECHO = 1 << 0,
} SondeLinkFlags;

/* Where an item's payload bytes are. */
static inline const guint8 *
sonde_link_item_get_data (const SondeLinkBatch *batch,
                          const SondeLinkItem  *item)
{
  if (item->payload != NULL)
    return g_bytes_get_data (item->payload, NULL);
  return batch->bytes->data + item->offset;
}

typedef struct _SondeLink SondeLink;

/* Called on the main context when a batch is waiting. */
typedef void (*SondeLinkReadyFunc) (gpointer user_data);

SondeLink  *sonde_link_start         (const SondeConnectionOptions *options,
                                      const char             *url,
                                      GTlsCertificate        *client_certificate,
                                      SondeRedactor          *redactor,
                                      SondeLinkFlags          flags,
                                      SondeLinkReadyFunc      ready,
                                      gpointer                user_data);
SondeLink  *sonde_link_ref           (SondeLink              *link);
void        sonde_link_unref         (SondeLink              *link);
void        sonde_link_take_batch    (SondeLink              *link,
                                      SondeLinkBatch         *batch);
void        sonde_link_send          (SondeLink              *link,
                                      SondeMessageKind        kind,
                                      SondeRecordFlags        flags,
                                      GBytes                 *payload);
gboolean    sonde_link_ping          (SondeLink              *link,
                                      GBytes                 *payload);
void        sonde_link_set_show_frames (SondeLink            *link,
                                      gboolean                show);
void        sonde_link_close         (SondeLink              *link,
                                      guint                   code,
                                      const char             *reason);
void        sonde_link_detach        (SondeLink              *link);
void        sonde_link_declare_dead  (SondeLink              *link,
                                      const char             *why);

void        sonde_link_set_io_niceness (guint                increment);

void        sonde_link_batch_init    (SondeLinkBatch         *batch);
void        sonde_link_batch_reset   (SondeLinkBatch         *batch);
void        sonde_link_batch_clear   (SondeLinkBatch         *batch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SondeLink, sonde_link_unref)

G_END_DECLS
