/* sonde-session-decode.c: the session's decoder chain and the decoded
 * views of its messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The chain comes from the profile (or is set for an ad-hoc URL) and makes
 * the log's views (sonde-record-views.h) lazily, on the main thread, when
 * the filter, a chart, a rule or the window asks. A stateful chain
 * (zlib-stream) cannot be run out of order: it decodes every received
 * message as the log gets it, and a view that has since been forgotten
 * says so. With no chain, the first binary messages of a connection are
 * looked at and a decoder is proposed (::decoder-suggested).
 */

#define G_LOG_DOMAIN "sonde-session"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sonde-session-private.h"

/* Binary messages looked at, after each connect, for a guess. */
#define GUESS_TRIES 3

static SondeRecordViewKind
make_view (const SondeRecord    *record,
           GString              *json,
           char                **error_message,
           SondeRecordViewExtra *extra,
           gpointer              user_data)
{
  SondeDecoder *decoder = user_data;
  g_autoptr(GError) error = NULL;
  gboolean binary = record->kind == SONDE_MESSAGE_KIND_BINARY;

  if (!sonde_decoder_applies (decoder, record->direction == SONDE_DIRECTION_IN, binary))
    return SONDE_RECORD_VIEW_RAW;
  if (sonde_decoder_is_stateful (decoder))
    {
      *error_message = g_strdup (_("The decoded view of this message is no longer kept: a zlib stream is "
                                   "decoded once, in order, as its messages arrive"));
      return SONDE_RECORD_VIEW_FAILED;
    }
  if (record->flags & SONDE_RECORD_FLAG_TRUNCATED)
    {
      *error_message = g_strdup (_("Only the first bytes of this message are kept (the log's retention): "
                                   "it cannot be decoded"));
      return SONDE_RECORD_VIEW_FAILED;
    }
  if (!sonde_decoder_decode (decoder, record->data, record->stored_size, json, &error))
    {
      /* Text that is not the chain's reads as the text it is. */
      if (!binary)
        return SONDE_RECORD_VIEW_RAW;
      *error_message = g_strdup (error->message);
      return SONDE_RECORD_VIEW_FAILED;
    }
  return SONDE_RECORD_VIEW_DECODED;
}

/* Records read once, in order (a recorded session): a stateful chain
 * decodes each received message as it comes. */
static SondeRecordViewKind
make_view_in_order (const SondeRecord    *record,
                    GString              *json,
                    char                **error_message,
                    SondeRecordViewExtra *extra,
                    gpointer              user_data)
{
  SondeDecoder *decoder = user_data;
  g_autoptr(GError) error = NULL;

  if (!sonde_decoder_is_stateful (decoder))
    return make_view (record, json, error_message, extra, user_data);
  if (!sonde_decoder_applies (decoder, record->direction == SONDE_DIRECTION_IN,
                              record->kind == SONDE_MESSAGE_KIND_BINARY))
    return SONDE_RECORD_VIEW_RAW;
  if (!sonde_decoder_decode (decoder, record->data, record->stored_size, json, &error))
    {
      *error_message = g_strdup (error->message);
      return SONDE_RECORD_VIEW_FAILED;
    }
  return SONDE_RECORD_VIEW_DECODED;
}

/* Views of records read by something other than a live log (a recorded
 * session's export or search), decoded by @decoder, which the views own
 * from then on: one reader thread at a time, records in order. */
SondeRecordViews *
sonde_decoder_views_new (SondeDecoder *decoder)
{
  SondeRecordViews *views = sonde_record_views_new ();

  g_return_val_if_fail (decoder != NULL, views);

  sonde_record_views_set_func (views, make_view_in_order, decoder, (GDestroyNotify) sonde_decoder_unref);
  return views;
}

/* Reads @log's messages through @decoder (taken; NULL: none), as a
 * session does, for a log no session owns (a recorded session's page).
 * FALSE, and nothing set, for a stateful chain: its views must be made
 * as the messages arrive, which only a session does. */
gboolean
sonde_decoder_attach_to_log (SondeDecoder    *decoder,
                             SondeMessageLog *log)
{
  g_return_val_if_fail (SONDE_IS_MESSAGE_LOG (log), FALSE);

  if (decoder == NULL)
    {
      sonde_message_log_set_view_func (log, NULL, NULL, NULL);
      return TRUE;
    }
  if (sonde_decoder_is_stateful (decoder))
    {
      sonde_decoder_unref (decoder);
      return FALSE;
    }
  sonde_message_log_set_view_func (log, make_view, decoder, (GDestroyNotify) sonde_decoder_unref);
  return TRUE;
}

/* From the log's sink, for every record as it is appended, whole. */
void
sonde_session_decode_record (SondeSession      *self,
                             const SondeRecord *record)
{
  SondeMessageLog *log = sonde_connection_get_log (self->connection);

  if (record->direction == SONDE_DIRECTION_EVENT)
    {
      if (record->kind == SONDE_MESSAGE_KIND_CONNECTING)
        {
          /* A new connection: a new stream, and a new look. */
          if (self->decoder != NULL)
            sonde_decoder_reset (self->decoder);
          self->guess_tries = 0;
        }
      return;
    }
  if (record->direction != SONDE_DIRECTION_IN ||
      (record->kind != SONDE_MESSAGE_KIND_TEXT && record->kind != SONDE_MESSAGE_KIND_BINARY))
    return;

  if (self->decoder != NULL && sonde_decoder_is_stateful (self->decoder) &&
      sonde_decoder_applies (self->decoder, TRUE, record->kind == SONDE_MESSAGE_KIND_BINARY))
    {
      g_autoptr(GError) error = NULL;

      g_string_truncate (self->decode_scratch, 0);
      if (sonde_decoder_decode (self->decoder, record->data, record->stored_size, self->decode_scratch, &error))
        sonde_record_views_put (sonde_message_log_get_views (log), record->seq, SONDE_RECORD_VIEW_DECODED,
                                self->decode_scratch->str, self->decode_scratch->len, NULL);
      else
        sonde_record_views_put (sonde_message_log_get_views (log), record->seq, SONDE_RECORD_VIEW_FAILED,
                                NULL, 0, error->message);
      return;
    }

  if (self->decoder == NULL && record->kind == SONDE_MESSAGE_KIND_BINARY && self->guess_tries < GUESS_TRIES)
    {
      g_autofree char *guess = sonde_decoder_guess (record->data, record->stored_size);

      self->guess_tries++;
      if (guess != NULL)
        {
          self->guess_tries = GUESS_TRIES;
          g_free (self->suggested);
          self->suggested = g_steal_pointer (&guess);
          sonde_session_emit_decoder_suggested (self, self->suggested);
        }
    }
}

/* Reads every message through the chain @spec ("gzip,msgpack"; NULL or ""
 * for none): charts, the filter, rules, the window and exports read the
 * decoded view. An invalid chain is an error and changes nothing. Views
 * made before are forgotten; a stateful chain decodes from the next
 * connection on. */
gboolean
sonde_session_set_decoder (SondeSession  *self,
                           const char    *spec,
                           const char    *proto_descriptor,
                           const char    *proto_type,
                           GError       **error)
{
  g_autoptr(SondeDecoder) decoder = NULL;
  SondeMessageLog *log;

  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);

  if (spec != NULL && *spec != '\0')
    {
      SondeDecodeLimits limits;
      guint64 max_message = sonde_connection_get_options (self->connection)->max_message_size;

      /* What a message can be, a decoded one can be. */
      sonde_decode_limits_init_default (&limits);
      if (max_message > 0)
        limits.max_output = (gsize) MIN (max_message, G_MAXSIZE);
      decoder = sonde_decoder_new (spec, proto_descriptor, proto_type, &limits, error);
      if (decoder == NULL)
        return FALSE;
    }

  if (decoder == NULL && self->decoder == NULL)
    return TRUE;
  if (decoder != NULL && self->decoder != NULL &&
      g_str_equal (sonde_decoder_get_spec (decoder), sonde_decoder_get_spec (self->decoder)) &&
      g_strcmp0 (proto_descriptor, self->proto_descriptor) == 0 && g_strcmp0 (proto_type, self->proto_type) == 0)
    return TRUE;

  g_clear_pointer (&self->decoder, sonde_decoder_unref);
  g_free (self->proto_descriptor);
  self->proto_descriptor = g_strdup (proto_descriptor);
  g_free (self->proto_type);
  self->proto_type = g_strdup (proto_type);
  self->decoder = g_steal_pointer (&decoder);

  log = sonde_connection_get_log (self->connection);
  /* A protocol mode reads payloads through the chain: its views stay. */
  if (self->app != NULL)
    sonde_session_app_apply_views (self);
  else if (!sonde_session_reapply_decoder_views (self))
    sonde_message_log_set_view_func (log, NULL, NULL, NULL);
  sonde_session_notify_decoder (self);
  return TRUE;
}

/* The chain's views on the log; FALSE when there is no chain. */
gboolean
sonde_session_reapply_decoder_views (SondeSession *self)
{
  if (self->decoder == NULL)
    return FALSE;
  sonde_message_log_set_view_func (sonde_connection_get_log (self->connection), make_view,
                                   sonde_decoder_ref (self->decoder), (GDestroyNotify) sonde_decoder_unref);
  return TRUE;
}

/* The chain messages are read through ("gzip,msgpack"), or NULL. */
const char *
sonde_session_get_decoder_spec (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return self->decoder != NULL ? sonde_decoder_get_spec (self->decoder) : NULL;
}

/* The chain, and with "protobuf" the descriptor set and type it was given. */
const char *
sonde_session_get_decoder_full (SondeSession  *self,
                                const char   **proto_descriptor,
                                const char   **proto_type)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  if (proto_descriptor != NULL)
    *proto_descriptor = self->decoder != NULL ? self->proto_descriptor : NULL;
  if (proto_type != NULL)
    *proto_type = self->decoder != NULL ? self->proto_type : NULL;
  return sonde_session_get_decoder_spec (self);
}

SondeDecoder *
sonde_session_get_decoder (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return self->decoder;
}

/* The last chain proposed by a look at the messages, or NULL. */
const char *
sonde_session_get_suggested_decoder (SondeSession *self)
{
  g_return_val_if_fail (SONDE_IS_SESSION (self), NULL);

  return self->suggested;
}

/* Takes the proposal: the session decodes with it, and a profile's session
 * keeps it in the profile. */
gboolean
sonde_session_accept_suggested_decoder (SondeSession  *self,
                                        GError       **error)
{
  g_autofree char *spec = NULL;

  g_return_val_if_fail (SONDE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (self->suggested != NULL, FALSE);

  spec = g_steal_pointer (&self->suggested);
  if (!sonde_session_set_decoder (self, spec, NULL, NULL, error))
    return FALSE;
  if (self->profile != NULL)
    sonde_profile_set_decode (self->profile, spec, NULL, NULL);
  return TRUE;
}

/* The decoder @profile's chain names (with its Protobuf schema); NULL
 * with no error when it names none, NULL with @error when the chain is not
 * valid. */
SondeDecoder *
sonde_decoder_new_for_profile (SondeProfile  *profile,
                               GError       **error)
{
  const char *descriptor = NULL;
  const char *type = NULL;
  const char *spec;

  g_return_val_if_fail (SONDE_IS_PROFILE (profile), NULL);

  spec = sonde_profile_get_decode (profile, &descriptor, &type);
  return spec != NULL ? sonde_decoder_new (spec, descriptor, type, NULL, error) : NULL;
}

/* The profile's chain, when a connect applies it. */
gboolean
sonde_session_apply_profile_decoder (SondeSession  *self,
                                     GError       **error)
{
  const char *descriptor = NULL;
  const char *type = NULL;
  const char *spec = sonde_profile_get_decode (self->profile, &descriptor, &type);
  g_autoptr(GError) local_error = NULL;

  if (!sonde_session_set_decoder (self, spec, descriptor, type, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code, _("The decoder of “%s”: %s"),
                   sonde_profile_get_name (self->profile), local_error->message);
      return FALSE;
    }
  return TRUE;
}

void
sonde_session_decode_init (SondeSession *self)
{
  self->decode_scratch = g_string_new (NULL);
}

void
sonde_session_decode_dispose (SondeSession *self)
{
  g_clear_pointer (&self->decoder, sonde_decoder_unref);
  g_clear_pointer (&self->proto_descriptor, g_free);
  g_clear_pointer (&self->proto_type, g_free);
  g_clear_pointer (&self->suggested, g_free);
  if (self->decode_scratch != NULL)
    g_string_free (g_steal_pointer (&self->decode_scratch), TRUE);
}
