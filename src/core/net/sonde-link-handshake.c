/* sonde-link-handshake.c: a link's connection and opening handshake
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The handshake is Sonde's own (SondeUpgrade, over GIO): this file starts
 * it on the I/O thread and turns what it found into the link's events:
 * connecting, one handshake record per request (a followed redirect makes
 * several), then open (the stream handed to sonde-link-ws.c) or failed,
 * with what a retry policy needs (status, Retry-After, permanent, the
 * refused answer's body, the certificate).
 */

#define G_LOG_DOMAIN "sonde-link"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sonde-backoff.h"
#include "sonde-certificate.h"
#include "sonde-error.h"
#include "sonde-json-writer.h"
#include "sonde-link-private.h"
#include "sonde-upgrade.h"

/* @data as a JSON string member: invalid UTF-8 replaced, NUL bytes kept
 * (as \u0000). */
static void
append_body_member (GString      *out,
                    gboolean     *first,
                    const char   *name,
                    const guint8 *data,
                    gsize         size)
{
  g_autoptr(GString) valid = g_string_sized_new (size);
  const char *p = (const char *) data;
  const char *end = p + size;

  while (p < end)
    {
      const char *stop;

      g_utf8_validate_len (p, end - p, &stop);
      g_string_append_len (valid, p, stop - p);
      if (stop >= end)
        break;
      if (*stop == '\0')
        g_string_append_c (valid, '\0');
      else
        g_string_append (valid, "\xef\xbf\xbd");   /* U+FFFD */
      p = stop + 1;
    }

  sonde_json_append_member (out, first, name);
  sonde_json_append_string (out, valid->str, valid->len);
}

static void
fail_with (SondeLink    *link,
           SondeUpgrade *upgrade,
           GError       *error)
{
  g_autoptr(GString) payload = sonde_link_error_payload (link, error);
  SondeLinkEvent *event = sonde_link_event_new (SONDE_CONNECTION_STATE_FAILED);
  gboolean first = FALSE;
  guint status = upgrade ? sonde_upgrade_get_status (upgrade) : 0;
  GPtrArray *handshakes = upgrade ? sonde_upgrade_get_handshakes (upgrade) : NULL;
  GBytes *body = NULL;

  event->retry_after_ms = -1;
  if (status >= 100)
    {
      const char *retry_after = sonde_upgrade_get_retry_after (upgrade);
      guint64 delay;

      event->http_status = status;
      if ((status == 429 || status == 503) && retry_after != NULL &&
          sonde_retry_after_parse (retry_after, g_get_real_time (), &delay))
        event->retry_after_ms = (gint64) MIN (delay, G_MAXINT64);
    }

  /* No retry can change these: the user must act. */
  event->permanent = status == 401 || status == 403 || status == 404 ||
                     error->domain == G_TLS_ERROR || link->pin_problem != NULL ||
                     g_error_matches (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL);

  /* Splice the details into the object error_payload() closed. */
  g_string_truncate (payload, payload->len - 1);
  if (event->http_status != 0)
    sonde_json_append_int_member (payload, &first, "status", event->http_status);
  if (event->retry_after_ms >= 0)
    sonde_json_append_int_member (payload, &first, "retry_after_ms", event->retry_after_ms);
  sonde_json_append_bool_member (payload, &first, "permanent", event->permanent);
  /* What the server said when it refused (the handshake record has it too). */
  if (handshakes != NULL && handshakes->len > 0)
    body = sonde_handshake_get_response_body (g_ptr_array_index (handshakes, handshakes->len - 1), NULL);
  if (body != NULL)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (body, &size);

      append_body_member (payload, &first, "body", data, size);
    }
  if (link->peer_certificate != NULL && (link->peer_errors != 0 || link->pin_problem != NULL))
    {
      sonde_link_append_certificate (link, payload, &first);
      event->certificate_sha256 = sonde_certificate_dup_sha256 (link->peer_certificate);
      event->certificate_description = sonde_certificate_describe (link->peer_certificate, link->peer_errors);
    }
  g_string_append_c (payload, '}');

  event->error = sonde_link_redact_error (link, error);
  sonde_link_push_event (link, SONDE_MESSAGE_KIND_FAILED, payload, event);
  sonde_link_finish (link);
}

/* The attempt failed: what went wrong, and what a retry policy needs (the
 * HTTP status, Retry-After, whether retrying can help, the certificate).
 * Takes @error. */
void
sonde_link_fail (SondeLink *link,
                 GError    *error)
{
  fail_with (link, NULL, error);
}

/* One event per request that got an answer. */
static void
push_handshakes (SondeLink    *link,
                 SondeUpgrade *upgrade)
{
  GPtrArray *handshakes = sonde_upgrade_get_handshakes (upgrade);

  for (guint i = 0; i < handshakes->len; i++)
    {
      SondeHandshake *handshake = g_ptr_array_index (handshakes, i);
      g_autofree char *json = sonde_handshake_to_json (handshake);
      g_autoptr(GString) payload = g_string_new (json);
      SondeLinkEvent *event;

      /* --insecure let a certificate through: the record says which, and
       * what was wrong with it. */
      if (link->options->insecure && link->peer_certificate != NULL && i == handshakes->len - 1 &&
          payload->len > 2)
        {
          gboolean inner = FALSE;

          g_string_truncate (payload, payload->len - 1);
          sonde_link_append_certificate (link, payload, &inner);
          sonde_json_append_bool_member (payload, &inner, "insecure", TRUE);
          g_string_append_c (payload, '}');
        }

      event = sonde_link_event_new (-1);
      event->handshake = sonde_handshake_ref (handshake);
      sonde_link_push_event (link, SONDE_MESSAGE_KIND_HANDSHAKE, payload, event);
    }
}

static void
on_upgraded (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  SondeLink *link = data;
  g_autoptr(SondeUpgrade) upgrade = SONDE_UPGRADE (source);
  g_autoptr(GError) error = NULL;
  gboolean ok = sonde_upgrade_run_finish (upgrade, result, &error);
  GTlsCertificateFlags peer_errors = 0;
  GTlsCertificate *certificate = sonde_upgrade_get_peer_certificate (upgrade, &peer_errors);

  g_set_object (&link->peer_certificate, certificate);
  link->peer_errors = peer_errors;
  g_free (link->pin_problem);
  link->pin_problem = g_strdup (sonde_upgrade_get_pin_problem (upgrade));

  push_handshakes (link, upgrade);

  if (!ok)
    {
      if (link->close_requested && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          error = g_error_new_literal (SONDE_ERROR, SONDE_ERROR_CANCELLED,
                                       _("Cancelled before the handshake completed"));
        }
      fail_with (link, upgrade, g_steal_pointer (&error));
      return;
    }

  sonde_link_open_socket (link, sonde_upgrade_get_stream (upgrade), sonde_upgrade_get_leftover (upgrade),
                          sonde_upgrade_get_protocol (upgrade), sonde_upgrade_get_extensions (upgrade),
                          sonde_upgrade_steal_extension_objects (upgrade));
}

void
sonde_link_start_handshake (SondeLink *link)
{
  g_autoptr(GString) payload = g_string_new ("{");
  g_autofree char *shown = link->redactor ? sonde_redactor_url (link->redactor, link->url)
                                          : g_strdup (link->url);
  SondeUpgrade *upgrade;
  gboolean first = TRUE;

  sonde_json_append_string_member (payload, &first, "url", shown);
  g_string_append_c (payload, '}');
  sonde_link_push_event (link, SONDE_MESSAGE_KIND_CONNECTING, payload,
                         sonde_link_event_new (SONDE_CONNECTION_STATE_CONNECTING));

  upgrade = sonde_upgrade_new (link->options, link->url, link->client_certificate, link->redactor);
  /* The reference is on_upgraded()'s. */
  sonde_upgrade_run_async (upgrade, link->cancellable, on_upgraded, link);
}
