/* sonde-message-frames.c: how a message crossed the wire, in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The message detail's "Frames" section: how many frames a message came
 * or went in, and each frame's header (opcode, size, FIN, RSV1). The log
 * keeps the headers of fragmented and compressed messages beside their
 * records; any other message is one frame whose header the record says
 * all of. A fragmented message may have thousands of frames: the first
 * SONDE_MESSAGE_FRAMES_LISTED are listed, the rest counted.
 */

#define G_LOG_DOMAIN "sonde-message-detail"

#include "config.h"

#include <glib/gi18n.h>

#include "sonde-message-frames.h"
#include "sonde-message-log.h"
#include "sonde-text.h"

static void
append_frame (GString              *out,
              guint                 index,
              const SondeFrameInfo *frame)
{
  g_autofree char *size = sonde_format_size (frame->size);
  glong width = g_utf8_strlen (size, -1);

  /* Protocol names (RFC 6455 §5.2), not translated; sizes right-aligned
   * by characters (they hold a no-break space). */
  g_string_append_printf (out, "%3u  %-12s ", index + 1, sonde_frame_opcode_to_string (frame->opcode));
  for (glong i = width; i < 9; i++)
    g_string_append_c (out, ' ');
  g_string_append (out, size);
  if (frame->bits & SONDE_FRAME_FIN)
    g_string_append (out, "  FIN");
  if (frame->bits & SONDE_FRAME_RSV1)
    g_string_append (out, "  RSV1");
  if (frame->bits & SONDE_FRAME_RSV2)
    g_string_append (out, "  RSV2");
  if (frame->bits & SONDE_FRAME_RSV3)
    g_string_append (out, "  RSV3");
}

/* Fills @summary ("3 frames · compressed (permessage-deflate)") and @list
 * (a line per frame) for a message, a ping or a pong; FALSE for events and
 * frame records, which have no frames of their own. */
gboolean
sonde_message_frames_describe (SondeMessage  *message,
                               char         **summary,
                               char         **list)
{
  SondeMessageKind kind;
  SondeFrameInfo single = { 0, 0, SONDE_FRAME_FIN };
  const SondeFrameInfo *frames = NULL;
  guint n_frames = 0;
  GObject *source;
  GString *out;

  g_return_val_if_fail (SONDE_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (summary != NULL && list != NULL, FALSE);

  kind = sonde_message_get_kind (message);
  if (sonde_message_get_direction (message) == SONDE_DIRECTION_EVENT)
    return FALSE;

  switch (kind)
    {
    case SONDE_MESSAGE_KIND_TEXT:
      single.opcode = 1;
      break;
    case SONDE_MESSAGE_KIND_BINARY:
      single.opcode = 2;
      break;
    case SONDE_MESSAGE_KIND_PING:
      single.opcode = 9;
      break;
    case SONDE_MESSAGE_KIND_PONG:
      single.opcode = 10;
      break;
    case SONDE_MESSAGE_KIND_CONNECTING:
    case SONDE_MESSAGE_KIND_HANDSHAKE:
    case SONDE_MESSAGE_KIND_OPEN:
    case SONDE_MESSAGE_KIND_CLOSING:
    case SONDE_MESSAGE_KIND_CLOSE:
    case SONDE_MESSAGE_KIND_ERROR:
    case SONDE_MESSAGE_KIND_FAILED:
    case SONDE_MESSAGE_KIND_RECONNECT:
    case SONDE_MESSAGE_KIND_GAP:
    case SONDE_MESSAGE_KIND_LATENCY:
    case SONDE_MESSAGE_KIND_FRAME:
    default:
      return FALSE;
    }

  source = sonde_message_get_source (message);
  if (SONDE_IS_MESSAGE_LOG (source))
    frames = sonde_message_log_get_frames (SONDE_MESSAGE_LOG (source), sonde_message_get_seq (message), &n_frames);
  if (frames == NULL || n_frames == 0)
    {
      /* One frame, as the record tells it. */
      single.size = sonde_message_get_size (message);
      if (sonde_message_get_flags (message) & SONDE_RECORD_FLAG_COMPRESSED)
        single.bits |= SONDE_FRAME_RSV1;
      frames = &single;
      n_frames = 1;
    }

  out = g_string_new (NULL);
  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%u frame", "%u frames", n_frames), n_frames);
  if (sonde_message_get_flags (message) & SONDE_RECORD_FLAG_COMPRESSED)
    g_string_append (out, _(" · compressed (permessage-deflate)"));
  *summary = g_string_free (out, FALSE);

  out = g_string_new (NULL);
  for (guint i = 0; i < MIN (n_frames, SONDE_MESSAGE_FRAMES_LISTED); i++)
    {
      if (i > 0)
        g_string_append_c (out, '\n');
      append_frame (out, i, &frames[i]);
    }
  if (n_frames > SONDE_MESSAGE_FRAMES_LISTED)
    {
      guint rest = n_frames - SONDE_MESSAGE_FRAMES_LISTED;

      g_string_append_c (out, '\n');
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "and %u more frame", "and %u more frames", rest),
                              rest);
    }
  *list = g_string_free (out, FALSE);
  return TRUE;
}
