/* sonde-webhook.c: alerts POSTed to a URL, retried, never in the way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A queue of JSON bodies and at most one request in flight (order is kept,
 * and a dead endpoint costs one pending request, not one per alert). The
 * failure says why in the log domain "sonde-monitor" (a debug message):
 * the CLI reports totals.
 */

#define G_LOG_DOMAIN "sonde-monitor"

#include "config.h"

#include "sonde-webhook.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "sonde-error.h"

#define REQUEST_TIMEOUT_S 10
#define MAX_RETRY_MS      60000

struct _SondeWebhook
{
  GObject       parent_instance;

  char         *url;
  SoupSession  *session;
  GQueue        queue;          /* char* JSON bodies, oldest first */
  gboolean      in_flight;
  guint         attempts;       /* of the head of the queue */
  guint         retry_id;
  guint         first_retry_ms;
  GCancellable *cancellable;
  guint64       n_delivered;
  guint64       n_failed;
  guint64       n_dropped;
};

G_DEFINE_FINAL_TYPE (SondeWebhook, sonde_webhook, G_TYPE_OBJECT)

static void send_head (SondeWebhook *self);

static gboolean
on_retry (gpointer data)
{
  SondeWebhook *self = data;

  self->retry_id = 0;
  send_head (self);
  return G_SOURCE_REMOVE;
}

static void
next (SondeWebhook *self,
      gboolean      delivered)
{
  g_free (g_queue_pop_head (&self->queue));
  self->attempts = 0;
  if (delivered)
    self->n_delivered++;
  else
    self->n_failed++;
  send_head (self);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SondeWebhook) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  guint status = msg != NULL ? soup_message_get_status (msg) : 0;
  guint delay;

  self->in_flight = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error == NULL && SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      next (self, TRUE);
      return;
    }
  g_debug ("webhook %s: %s", self->url, error != NULL ? error->message : soup_status_get_phrase (status));
  /* Refused for good: a client error other than "too many requests". */
  if (error == NULL && status >= 400 && status < 500 && status != 429 /* Too Many Requests */)
    {
      next (self, FALSE);
      return;
    }
  if (++self->attempts >= SONDE_WEBHOOK_MAX_ATTEMPTS)
    {
      next (self, FALSE);
      return;
    }
  delay = MIN (self->first_retry_ms << MIN (self->attempts - 1, 16), MAX_RETRY_MS);
  self->retry_id = g_timeout_add (delay, on_retry, self);
}

static void
send_head (SondeWebhook *self)
{
  g_autoptr(SoupMessage) msg = NULL;
  const char *body = g_queue_peek_head (&self->queue);

  if (body == NULL || self->in_flight || self->retry_id != 0)
    return;
  msg = soup_message_new (SOUP_METHOD_POST, self->url);
  soup_message_set_request_body_from_bytes (msg, "application/json",
                                            g_bytes_new (body, strlen (body)));
  self->in_flight = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable, on_sent,
                                    g_object_ref (self));
}

void
sonde_webhook_post (SondeWebhook *self,
                    const char   *json)
{
  g_return_if_fail (SONDE_IS_WEBHOOK (self));
  g_return_if_fail (json != NULL);

  /* Full: the oldest waiting one goes (never the one in flight). */
  while (self->queue.length >= SONDE_WEBHOOK_MAX_QUEUED)
    {
      if (self->in_flight || self->retry_id != 0)
        {
          char *head = g_queue_pop_head (&self->queue);

          g_free (g_queue_pop_head (&self->queue));
          g_queue_push_head (&self->queue, head);
        }
      else
        g_free (g_queue_pop_head (&self->queue));
      self->n_dropped++;
    }
  g_queue_push_tail (&self->queue, g_strdup (json));
  send_head (self);
}

SondeWebhook *
sonde_webhook_new (const char  *url,
                   GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  SondeWebhook *self;
  const char *scheme;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || scheme == NULL || g_uri_get_host (uri) == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      g_set_error (error, SONDE_ERROR, SONDE_ERROR_INVALID_URL,
                   _("“%s” is not a webhook URL: it must be an http:// or https:// URL with a host"), url);
      return NULL;
    }

  self = g_object_new (SONDE_TYPE_WEBHOOK, NULL);
  self->url = g_strdup (url);
  return self;
}

const char *
sonde_webhook_get_url (SondeWebhook *self)
{
  g_return_val_if_fail (SONDE_IS_WEBHOOK (self), NULL);
  return self->url;
}

guint64
sonde_webhook_get_n_delivered (SondeWebhook *self)
{
  g_return_val_if_fail (SONDE_IS_WEBHOOK (self), 0);
  return self->n_delivered;
}

guint64
sonde_webhook_get_n_failed (SondeWebhook *self)
{
  g_return_val_if_fail (SONDE_IS_WEBHOOK (self), 0);
  return self->n_failed;
}

guint64
sonde_webhook_get_n_dropped (SondeWebhook *self)
{
  g_return_val_if_fail (SONDE_IS_WEBHOOK (self), 0);
  return self->n_dropped;
}

guint
sonde_webhook_get_n_queued (SondeWebhook *self)
{
  g_return_val_if_fail (SONDE_IS_WEBHOOK (self), 0);
  return self->queue.length;
}

void
sonde_webhook_set_first_retry_ms (SondeWebhook *self,
                                  guint         ms)
{
  g_return_if_fail (SONDE_IS_WEBHOOK (self));
  self->first_retry_ms = MAX (ms, 1);
}

static void
sonde_webhook_dispose (GObject *object)
{
  SondeWebhook *self = SONDE_WEBHOOK (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);

  G_OBJECT_CLASS (sonde_webhook_parent_class)->dispose (object);
}

static void
sonde_webhook_finalize (GObject *object)
{
  SondeWebhook *self = SONDE_WEBHOOK (object);

  g_queue_clear_full (&self->queue, g_free);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_free (self->url);

  G_OBJECT_CLASS (sonde_webhook_parent_class)->finalize (object);
}

static void
sonde_webhook_class_init (SondeWebhookClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sonde_webhook_dispose;
  object_class->finalize = sonde_webhook_finalize;
}

static void
sonde_webhook_init (SondeWebhook *self)
{
  g_queue_init (&self->queue);
  self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_S,
                                                 "user-agent", "Sonde/" PACKAGE_VERSION " ", NULL);
  self->cancellable = g_cancellable_new ();
  self->first_retry_ms = 1000;
}
