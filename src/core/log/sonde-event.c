/* sonde-event.c: connection events in the log, described for people
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Event records carry a small JSON object (see sonde-link.c); a log row
 * shows one line that says what happened, in words.
 */

#define G_LOG_DOMAIN "sonde-event"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sonde-close-code.h"
#include "sonde-event.h"
#include "sonde-text.h"

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
get_int (JsonObject *object,
         const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  return json_node_get_int (node);
}

static double
get_double (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  return json_node_get_double (node);
}

/* Text from the peer (a close reason, a header) goes through the same
 * escaping as message previews. */
static char *
escape (const char *text)
{
  if (text == NULL)
    return g_strdup ("");
  return sonde_text_escape ((const guint8 *) text, strlen (text), SONDE_ESCAPE_NONE, 512, NULL);
}

static char *
describe_close (JsonObject *object)
{
  g_autofree char *reason = escape (get_string (object, "close_reason"));
  const char *initiator = get_string (object, "initiator");
  gint64 code = get_int (object, "close_code");
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, _("Closed %" PRId64 " %s"), (int64_t) code,
                          _(sonde_close_code_describe ((guint) code)));
  if (*reason != '\0')
    g_string_append_printf (out, _(" · reason “%s”"), reason);
  if (g_strcmp0 (initiator, "local") == 0)
    g_string_append (out, _(" · by us"));
  else
    g_string_append (out, _(" · by the server"));
  if (json_object_has_member (object, "invalid"))
    g_string_append (out, _(" · invalid close code"));
  return g_string_free (out, FALSE);
}

static char *
describe_handshake (JsonObject *object)
{
  g_autofree char *reason = escape (get_string (object, "reason_phrase"));
  JsonNode *timings = json_object_get_member (object, "timings");
  const char *protocol = get_string (object, "protocol");
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, _("HTTP %" PRId64 " %s"), (int64_t) get_int (object, "status"), reason);
  if (protocol != NULL)
    {
      g_autofree char *escaped = escape (protocol);
      g_string_append_printf (out, _(" · subprotocol %s"), escaped);
    }
  if (timings != NULL && JSON_NODE_HOLDS_OBJECT (timings))
    {
      double total = get_double (json_node_get_object (timings), "total_ms");

      if (total >= 0)
        g_string_append_printf (out, _(" · %.0f ms"), total);
    }
  return g_string_free (out, FALSE);
}

/* One line that says what an event record means, e.g. "Closed 1000 Normal
 * closure · by the server". Safe to show: peer-supplied text is escaped. */
char *
sonde_event_describe (const SondeRecord *record)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  JsonNode *root;

  g_return_val_if_fail (record != NULL, NULL);

  if (!json_parser_load_from_data (parser, (const char *) record->data,
                                   (gssize) record->stored_size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    return g_strdup (sonde_message_kind_to_string (record->kind));

  object = json_node_get_object (root);

  switch (record->kind)
    {
    case SONDE_MESSAGE_KIND_CONNECTING:
      {
        g_autofree char *url = escape (get_string (object, "url"));
        return g_strdup_printf (_("Connecting to %s"), url);
      }
    case SONDE_MESSAGE_KIND_HANDSHAKE:
      return describe_handshake (object);
    case SONDE_MESSAGE_KIND_OPEN:
      {
        const char *protocol = get_string (object, "protocol");
        const char *extensions = get_string (object, "extensions");
        GString *out = g_string_new (_("Open"));

        if (protocol != NULL)
          {
            g_autofree char *escaped = escape (protocol);
            g_string_append_printf (out, _(" · subprotocol %s"), escaped);
          }
        if (extensions != NULL)
          {
            g_autofree char *escaped = escape (extensions);
            g_string_append_printf (out, _(" · extensions %s"), escaped);
          }
        return g_string_free (out, FALSE);
      }
    case SONDE_MESSAGE_KIND_CLOSING:
      if (g_strcmp0 (get_string (object, "initiator"), "local") == 0)
        return g_strdup_printf (_("Closing (we sent %" PRId64 ")"), (int64_t) get_int (object, "close_code"));
      return g_strdup (_("Closing (the server sent a Close frame)"));
    case SONDE_MESSAGE_KIND_CLOSE:
      return describe_close (object);
    case SONDE_MESSAGE_KIND_ERROR:
    case SONDE_MESSAGE_KIND_FAILED:
      {
        g_autofree char *message = escape (get_string (object, "error"));
        return g_strdup_printf (record->kind == SONDE_MESSAGE_KIND_FAILED ? _("Failed: %s") : _("Error: %s"),
                                message);
      }
    case SONDE_MESSAGE_KIND_RECONNECT:
      {
        g_autofree char *cause = escape (get_string (object, "cause"));
        JsonNode *scheduled = json_object_get_member (object, "scheduled");
        const char *stopped = get_string (object, "stopped");
        gint64 attempt = get_int (object, "attempt");

        if (scheduled != NULL && JSON_NODE_HOLDS_VALUE (scheduled) && json_node_get_boolean (scheduled))
          return g_strdup_printf (_("Reconnecting in %.1f s (attempt %" PRId64 "): %s"),
                                  get_int (object, "delay_ms") / 1000.0, (int64_t) attempt, cause);
        if (g_strcmp0 (stopped, "permanent") == 0)
          return g_strdup_printf (_("Not reconnecting: %s (retrying cannot change that)"), cause);
        if (g_strcmp0 (stopped, "max_attempts") == 0)
          return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "Gave up after %" PRId64 " attempt: %s",
                                               "Gave up after %" PRId64 " attempts: %s",
                                               (gulong) CLAMP (attempt, 0, G_MAXLONG)),
                                  (int64_t) attempt, cause);
        return g_strdup (cause);
      }
    case SONDE_MESSAGE_KIND_GAP:
      {
        g_autofree char *cause = escape (get_string (object, "cause"));
        gint64 attempts = get_int (object, "attempts");

        /* The recorder's: messages it could not keep, not an outage. */
        if (json_object_has_member (object, "recording_skipped"))
          {
            gint64 skipped = MAX (get_int (object, "recording_skipped"), 0);

            return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "Recording skipped %" PRId64 " message: the disk fell behind "
                                                 "(the log has it)",
                                                 "Recording skipped %" PRId64 " messages: the disk fell behind "
                                                 "(the log has them)",
                                                 (gulong) MIN (skipped, G_MAXLONG)),
                                    (int64_t) skipped);
          }
        if (json_object_has_member (object, "recording_stopped"))
          return g_strdup (_("Recording stopped here: the disk failed or is full; nothing after this "
                             "was recorded"));

        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Back after %.1f s and %" PRId64 " attempt · the outage began with: %s",
                                             "Back after %.1f s and %" PRId64 " attempts · the outage began with: %s",
                                             (gulong) CLAMP (attempts, 0, G_MAXLONG)),
                                get_int (object, "duration_ms") / 1000.0, (int64_t) attempts, cause);
      }
    case SONDE_MESSAGE_KIND_LATENCY:
      {
        JsonNode *rtt = json_object_get_member (object, "rtt_ms");

        return g_strdup_printf (_("Round trip %.1f ms (latency probe)"),
                                rtt != NULL && JSON_NODE_HOLDS_VALUE (rtt) ? json_node_get_double (rtt) : 0.0);
      }
    case SONDE_MESSAGE_KIND_PING:
      {
        /* A flood of pings and pongs, past what the log keeps one by one
         * ("shown_per_second" a second each way), counted over a second. */
        gint64 pings = MAX (get_int (object, "pings"), 0);
        gint64 pongs = MAX (get_int (object, "pongs"), 0);
        gint64 shown = get_int (object, "shown_per_second");
        g_autofree char *pings_text =
          g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " more ping", "%" PRId64 " more pings",
                                        (gulong) MIN (pings, G_MAXLONG)), (int64_t) pings);
        g_autofree char *pongs_text =
          g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " pong", "%" PRId64 " pongs",
                                        (gulong) MIN (pongs, G_MAXLONG)), (int64_t) pongs);

        if (g_strcmp0 (get_string (object, "direction"), "out") == 0)
          /* Translators: the first %s is "N more pings", the second "N pongs". */
          return g_strdup_printf (_("Sent %s and %s within 1 s: counted, not shown one by one "
                                    "(the log shows %" PRId64 " a second)"),
                                  pings_text, pongs_text, (int64_t) shown);
        /* Translators: the first %s is "N more pings", the second "N pongs". */
        return g_strdup_printf (_("Received %s and %s within 1 s: counted, not shown one by one "
                                  "(the log shows %" PRId64 " a second)"),
                                pings_text, pongs_text, (int64_t) shown);
      }
    case SONDE_MESSAGE_KIND_TEXT:
    case SONDE_MESSAGE_KIND_BINARY:
    case SONDE_MESSAGE_KIND_PONG:
    case SONDE_MESSAGE_KIND_FRAME:
    default:
      return g_strdup (sonde_message_kind_to_string (record->kind));
    }
}
