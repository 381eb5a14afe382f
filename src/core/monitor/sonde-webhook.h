/* sonde-webhook.h: alerts POSTed to a URL, retried, never in the way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each alert is a JSON object with a "text" member (what Slack- and
 * Mattermost-style incoming webhooks show) beside its parts; posted one at
 * a time in order, asynchronously; a failure (no answer, a 5xx or 429) is
 * retried with backoff (1 s, doubling, at most 60 s) up to a number of
 * attempts; a 4xx other than 429 is not retried. At most a bounded number
 * wait: past it the oldest is dropped and counted. Main thread only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SONDE_WEBHOOK_MAX_QUEUED   1000
#define SONDE_WEBHOOK_MAX_ATTEMPTS 6

#define SONDE_TYPE_WEBHOOK (sonde_webhook_get_type ())
G_DECLARE_FINAL_TYPE (SondeWebhook, sonde_webhook, SONDE, WEBHOOK, GObject)

/* NULL with an error naming what is wrong with @url (http or https only). */
SondeWebhook *sonde_webhook_new            (const char   *url,
                                            GError      **error);
const char   *sonde_webhook_get_url        (SondeWebhook *self);
/* Queues @json (an object with at least "text"; the caller writes it). */
void          sonde_webhook_post           (SondeWebhook *self,
                                            const char   *json);
/* Delivered (2xx), given up (attempts spent, or refused), dropped (the
 * queue was full), and waiting now. */
guint64       sonde_webhook_get_n_delivered (SondeWebhook *self);
guint64       sonde_webhook_get_n_failed   (SondeWebhook *self);
guint64       sonde_webhook_get_n_dropped  (SondeWebhook *self);
guint         sonde_webhook_get_n_queued   (SondeWebhook *self);
/* For tests: the first retry's delay (then doubling). */
void          sonde_webhook_set_first_retry_ms (SondeWebhook *self,
                                            guint         ms);

G_END_DECLS
