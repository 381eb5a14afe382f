/* sonde-app-protocol.c: what every protocol mode shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sonde-app-protocol"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sonde-app-protocol-private.h"
#include "sonde-json-format.h"
#include "sonde-json-writer.h"
#include "sonde-text.h"

typedef struct
{
  SondeAppProtocolKind     kind;
  SondeConnection         *connection;   /* borrowed: outlives the mode */
  SondeAppProtocolOptions *options;
  SondeRecordViews        *views;        /* borrowed: the log's */
  SondeAppPayloadFunc      payload_func;
  gpointer                 payload_data;
  GArray                  *timers;       /* guint source ids */
} SondeAppProtocolPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (SondeAppProtocol, sonde_app_protocol, G_TYPE_OBJECT)

static const char * const kind_names[] = {
  [SONDE_APP_PROTOCOL_NONE] = "none",
  [SONDE_APP_PROTOCOL_SOCKET_IO] = "socket.io",
  [SONDE_APP_PROTOCOL_GRAPHQL] = "graphql",
  [SONDE_APP_PROTOCOL_STOMP] = "stomp",
  [SONDE_APP_PROTOCOL_MQTT] = "mqtt",
  [SONDE_APP_PROTOCOL_JSON_RPC] = "json-rpc",
  [SONDE_APP_PROTOCOL_SIGNALR] = "signalr",
};

const char *
sonde_app_protocol_kind_to_string (SondeAppProtocolKind kind)
{
  g_return_val_if_fail (kind <= SONDE_APP_PROTOCOL_KIND_LAST, "none");
  return kind_names[kind];
}

gboolean
sonde_app_protocol_kind_is_spoken (SondeAppProtocolKind kind)
{
  return kind == SONDE_APP_PROTOCOL_NONE || sonde_app_protocol_type_for_kind (kind) != G_TYPE_INVALID;
}

gboolean
sonde_app_protocol_kind_from_string (const char            *text,
                                     SondeAppProtocolKind  *out_kind,
                                     GError               **error)
{
  g_return_val_if_fail (out_kind != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (g_ascii_strcasecmp (text, kind_names[i]) == 0)
      {
        *out_kind = (SondeAppProtocolKind) i;
        return TRUE;
      }
  if (text != NULL && g_ascii_strcasecmp (text, "graphql-ws") == 0)
    {
      *out_kind = SONDE_APP_PROTOCOL_GRAPHQL;
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("“%s” is not a protocol mode: give socket.io, graphql, stomp, mqtt, json-rpc, signalr or none"),
               text != NULL ? text : "");
  return FALSE;
}

SondeAppProtocolOptions *
sonde_app_protocol_options_new (void)
{
  return g_new0 (SondeAppProtocolOptions, 1);
}

SondeAppProtocolOptions *
sonde_app_protocol_options_copy (const SondeAppProtocolOptions *options)
{
  SondeAppProtocolOptions *copy = sonde_app_protocol_options_new ();

  if (options == NULL)
    return copy;
  *copy = *options;
  copy->subscriptions = g_strdupv (options->subscriptions);
  copy->nsp = g_strdup (options->nsp);
  copy->auth = g_strdup (options->auth);
  copy->client_id = g_strdup (options->client_id);
  copy->username = g_strdup (options->username);
  copy->password = g_strdup (options->password);
  copy->host = g_strdup (options->host);
  return copy;
}

void
sonde_app_protocol_options_free (SondeAppProtocolOptions *options)
{
  if (options == NULL)
    return;
  g_strfreev (options->subscriptions);
  g_free (options->nsp);
  g_free (options->auth);
  g_free (options->client_id);
  g_free (options->username);
  if (options->password != NULL)
    memset (options->password, 0, strlen (options->password));
  g_free (options->password);
  g_free (options->host);
  g_free (options);
}

static void
sonde_app_protocol_finalize (GObject *object)
{
  SondeAppProtocol *self = SONDE_APP_PROTOCOL (object);
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);

  sonde_app_protocol_remove_timers (self);
  g_array_unref (priv->timers);
  sonde_app_protocol_options_free (priv->options);

  G_OBJECT_CLASS (sonde_app_protocol_parent_class)->finalize (object);
}

static SondeRecordViewKind
default_view (SondeAppProtocol     *self,
              const SondeRecord    *record,
              GString              *json,
              char                **error_message,
              SondeRecordViewExtra *extra)
{
  return SONDE_RECORD_VIEW_RAW;
}

static guint round_trip_signal;

static void
sonde_app_protocol_class_init (SondeAppProtocolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_app_protocol_finalize;
  klass->view = default_view;

  /**
   * SondeAppProtocol::round-trip:
   * @seconds: from a request of ours to its answer
   */
  round_trip_signal = g_signal_new ("round-trip", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                    NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
}

static void
sonde_app_protocol_init (SondeAppProtocol *self)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);

  priv->timers = g_array_new (FALSE, FALSE, sizeof (guint));
}

SondeAppProtocol *
sonde_app_protocol_new (SondeAppProtocolKind           kind,
                        SondeConnection               *connection,
                        const SondeAppProtocolOptions *options)
{
  SondeAppProtocol *self;
  SondeAppProtocolPrivate *priv;
  GType type = sonde_app_protocol_type_for_kind (kind);

  g_return_val_if_fail (SONDE_IS_CONNECTION (connection), NULL);

  if (type == G_TYPE_INVALID)
    return NULL;
  self = g_object_new (type, NULL);
  priv = sonde_app_protocol_get_instance_private (self);
  priv->kind = kind;
  priv->connection = connection;
  priv->options = sonde_app_protocol_options_copy (options);
  return self;
}

SondeAppProtocolKind
sonde_app_protocol_get_kind (SondeAppProtocol *self)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);

  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL (self), SONDE_APP_PROTOCOL_NONE);
  return priv->kind;
}

SondeConnection *
sonde_app_protocol_get_connection (SondeAppProtocol *self)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);

  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL (self), NULL);
  return priv->connection;
}

const SondeAppProtocolOptions *
sonde_app_protocol_get_options (SondeAppProtocol *self)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);

  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL (self), NULL);
  return priv->options;
}

void
sonde_app_protocol_set_views (SondeAppProtocol *self,
                              SondeRecordViews *views)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));
  priv->views = views;
}

void
sonde_app_protocol_set_payload_func (SondeAppProtocol    *self,
                                     SondeAppPayloadFunc  func,
                                     gpointer             user_data)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));
  priv->payload_func = func;
  priv->payload_data = user_data;
}

const char * const *
sonde_app_protocol_get_subprotocols (SondeAppProtocol *self)
{
  SondeAppProtocolClass *klass;

  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL (self), NULL);
  klass = SONDE_APP_PROTOCOL_GET_CLASS (self);
  return klass->get_subprotocols != NULL ? klass->get_subprotocols (self) : NULL;
}

char *
sonde_app_protocol_rewrite_url (SondeAppProtocol *self,
                                const char       *url)
{
  SondeAppProtocolClass *klass;

  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL (self), NULL);
  klass = SONDE_APP_PROTOCOL_GET_CLASS (self);
  return klass->rewrite_url != NULL && url != NULL ? klass->rewrite_url (self, url) : NULL;
}

void
sonde_app_protocol_reset (SondeAppProtocol *self)
{
  SondeAppProtocolClass *klass;

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));
  sonde_app_protocol_remove_timers (self);
  klass = SONDE_APP_PROTOCOL_GET_CLASS (self);
  if (klass->reset != NULL)
    klass->reset (self);
}

void
sonde_app_protocol_opened (SondeAppProtocol *self)
{
  SondeAppProtocolClass *klass;

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));
  klass = SONDE_APP_PROTOCOL_GET_CLASS (self);
  if (klass->opened != NULL)
    klass->opened (self);
}

void
sonde_app_protocol_closed (SondeAppProtocol *self)
{
  SondeAppProtocolClass *klass;

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));
  sonde_app_protocol_remove_timers (self);
  klass = SONDE_APP_PROTOCOL_GET_CLASS (self);
  if (klass->closed != NULL)
    klass->closed (self);
}

void
sonde_app_protocol_process (SondeAppProtocol  *self,
                            const SondeRecord *record)
{
  SondeAppProtocolClass *klass;

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));
  klass = SONDE_APP_PROTOCOL_GET_CLASS (self);
  if (klass->process != NULL)
    klass->process (self, record);
}

SondeRecordViewKind
sonde_app_protocol_view (SondeAppProtocol     *self,
                         const SondeRecord    *record,
                         GString              *json,
                         char                **error_message,
                         SondeRecordViewExtra *extra)
{
  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL (self), SONDE_RECORD_VIEW_RAW);
  return SONDE_APP_PROTOCOL_GET_CLASS (self)->view (self, record, json, error_message, extra);
}

gboolean
sonde_app_protocol_split (SondeAppProtocol *self,
                          const guint8     *data,
                          gsize             length,
                          GArray           *slices)
{
  SondeAppProtocolClass *klass;

  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL (self), FALSE);
  klass = SONDE_APP_PROTOCOL_GET_CLASS (self);
  return klass->split != NULL && klass->split (self, data, length, slices);
}

gboolean
sonde_app_protocol_act (SondeAppProtocol  *self,
                        const char        *action,
                        const char        *argument,
                        GError           **error)
{
  SondeAppAction full = SONDE_APP_ACTION_INIT (action, argument);

  return sonde_app_protocol_act_full (self, &full, error);
}

/* A header is "name:value": a name before the first ':', no line break. */
static gboolean
check_headers (const char * const  *headers,
               GError             **error)
{
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      const char *colon = strchr (headers[i], ':');

      if (colon == NULL || colon == headers[i] || strpbrk (headers[i], "\r\n") != NULL)
        {
          g_autofree char *shown = g_strescape (headers[i], NULL);

          /* Translators: %s is what the user typed as a header. */
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("The header “%s” is not name:value on one line"), shown);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
sonde_app_protocol_act_full (SondeAppProtocol      *self,
                             const SondeAppAction  *action,
                             GError               **error)
{
  SondeAppProtocolClass *klass;
  SondeAppAction checked;

  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL (self), FALSE);
  g_return_val_if_fail (action != NULL && action->name != NULL, FALSE);

  klass = SONDE_APP_PROTOCOL_GET_CLASS (self);
  if (klass->act == NULL)
    {
      sonde_app_protocol_set_no_action (self, action->name, error);
      return FALSE;
    }
  if (!check_headers (action->headers, error))
    return FALSE;
  if (action->qos < -1 || action->qos > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("QoS %d is not spoken: 0 (at most once) or 1 (at least once)"), action->qos);
      return FALSE;
    }
  checked = *action;
  if (checked.argument == NULL)
    checked.argument = "";
  return klass->act (self, &checked, error);
}

void
sonde_app_protocol_set_no_action (SondeAppProtocol  *self,
                                  const char        *action,
                                  GError           **error)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("The %s mode has no “%s” action"),
               sonde_app_protocol_kind_to_string (sonde_app_protocol_get_kind (self)), action);
}

static gboolean
send_bytes (SondeAppProtocol  *self,
            SondeMessageKind   kind,
            const guint8      *data,
            gsize              length,
            gboolean           automatic,
            GError           **error)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);
  g_autoptr(GBytes) bytes = g_bytes_new (data, length);

  return sonde_connection_send_full (priv->connection, kind,
                                     automatic ? SONDE_RECORD_FLAG_AUTOMATIC : SONDE_RECORD_FLAG_NONE,
                                     bytes, error);
}

gboolean
sonde_app_protocol_send_text (SondeAppProtocol  *self,
                              const char        *text,
                              gssize             length,
                              gboolean           automatic,
                              GError           **error)
{
  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL (self), FALSE);
  g_return_val_if_fail (text != NULL || length == 0, FALSE);

  return send_bytes (self, SONDE_MESSAGE_KIND_TEXT, (const guint8 *) text,
                     length < 0 ? strlen (text) : (gsize) length, automatic, error);
}

gboolean
sonde_app_protocol_send_binary (SondeAppProtocol  *self,
                                const guint8      *data,
                                gsize              length,
                                gboolean           automatic,
                                GError           **error)
{
  g_return_val_if_fail (SONDE_IS_APP_PROTOCOL (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  return send_bytes (self, SONDE_MESSAGE_KIND_BINARY, data, length, automatic, error);
}

void
sonde_app_protocol_put_view (SondeAppProtocol           *self,
                             guint64                     seq,
                             SondeRecordViewKind         kind,
                             const char                 *json,
                             gsize                       length,
                             const char                 *error_message,
                             const SondeRecordViewExtra *extra)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));
  if (priv->views != NULL)
    sonde_record_views_put_full (priv->views, seq, kind, json, length, error_message, extra);
}

void
sonde_app_protocol_append_payload (SondeAppProtocol *self,
                                   const guint8     *data,
                                   gsize             length,
                                   GString          *json)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);
  gsize mark = json->len;

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));

  if (priv->payload_func != NULL)
    {
      g_autofree char *why = NULL;

      if (priv->payload_func (data, length, json, &why, priv->payload_data))
        return;
      g_string_truncate (json, mark);
    }
  if (sonde_json_validate ((const char *) data, (gssize) length, NULL, NULL, NULL))
    g_string_append_len (json, (const char *) data, (gssize) length);
  else if (sonde_text_validate_utf8 (data, length, NULL))
    sonde_json_append_string (json, (const char *) data, (gssize) length);
  else
    {
      g_autofree char *encoded = g_base64_encode (data, length);

      sonde_json_append_string (json, encoded, -1);
    }
}

typedef struct {
  SondeAppProtocol *self;   /* weak */
  GSourceFunc       func;
} Timer;

static gboolean
on_timer (gpointer data)
{
  Timer *timer = data;

  return timer->func (timer->self);
}

void
sonde_app_protocol_add_timer (SondeAppProtocol *self,
                              guint             interval_ms,
                              GSourceFunc       func)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);
  Timer *timer;
  guint id;

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));
  g_return_if_fail (func != NULL);

  timer = g_new (Timer, 1);
  timer->self = self;
  timer->func = func;
  id = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (interval_ms, 1), on_timer, timer, g_free);
  g_array_append_val (priv->timers, id);
}

void
sonde_app_protocol_remove_timers (SondeAppProtocol *self)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));
  for (guint i = 0; i < priv->timers->len; i++)
    {
      GSource *source = g_main_context_find_source_by_id (NULL, g_array_index (priv->timers, guint, i));

      if (source != NULL)
        g_source_destroy (source);
    }
  g_array_set_size (priv->timers, 0);
}

typedef struct {
  SondeConnection *connection;
  char            *text;
} Report;

static gboolean
report_now (gpointer data)
{
  Report *report = data;
  g_autoptr(GString) payload = g_string_new ("{");
  gboolean first = TRUE;

  sonde_json_append_string_member (payload, &first, "error", report->text);
  sonde_json_append_string_member (payload, &first, "error_domain", "sonde-app-protocol");
  sonde_json_append_int_member (payload, &first, "error_code", 0);
  g_string_append_c (payload, '}');
  sonde_message_log_append (sonde_connection_get_log (report->connection), SONDE_DIRECTION_EVENT,
                            SONDE_MESSAGE_KIND_ERROR, g_get_real_time (), g_get_monotonic_time (),
                            payload->str, payload->len);
  return G_SOURCE_REMOVE;
}

static void
report_free (gpointer data)
{
  Report *report = data;

  g_object_unref (report->connection);
  g_free (report->text);
  g_free (report);
}

/* From the log's sink a record cannot be appended: the event goes in from
 * an idle. */
void
sonde_app_protocol_report (SondeAppProtocol *self,
                           const char       *text)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);
  Report *report;

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));
  report = g_new (Report, 1);
  report->connection = g_object_ref (priv->connection);
  report->text = g_strdup (text);
  g_idle_add_full (G_PRIORITY_DEFAULT, report_now, report, report_free);
}

void
sonde_app_protocol_declare_dead (SondeAppProtocol *self,
                                 const char       *why)
{
  SondeAppProtocolPrivate *priv = sonde_app_protocol_get_instance_private (self);

  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));
  sonde_connection_declare_dead (priv->connection, why);
}

void
sonde_app_protocol_round_trip (SondeAppProtocol *self,
                               gint64            sent_mono_us,
                               gint64            answered_mono_us)
{
  g_return_if_fail (SONDE_IS_APP_PROTOCOL (self));

  if (answered_mono_us >= sent_mono_us)
    g_signal_emit (self, round_trip_signal, 0, (double) (answered_mono_us - sent_mono_us) / G_USEC_PER_SEC);
}

gboolean
sonde_app_protocol_split_argument (const char  *argument,
                                   char       **name,
                                   char       **rest)
{
  const char *space;

  g_return_val_if_fail (name != NULL && rest != NULL, FALSE);
  *name = NULL;
  *rest = NULL;
  if (argument == NULL)
    return FALSE;
  while (*argument == ' ')
    argument++;
  space = strchr (argument, ' ');
  *name = space != NULL ? g_strndup (argument, space - argument) : g_strdup (argument);
  *rest = g_strstrip (g_strdup (space != NULL ? space + 1 : ""));
  if (**name == '\0')
    {
      g_clear_pointer (name, g_free);
      g_clear_pointer (rest, g_free);
      return FALSE;
    }
  return TRUE;
}
