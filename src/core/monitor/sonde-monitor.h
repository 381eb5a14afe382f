/* sonde-monitor.h: many profiles' sessions, headless, with their metrics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What `sonde-cli monitor` runs: one SondeSession a profile, connected
 * with everything the profile says (reconnects, heartbeats, latency
 * probes, decoders, protocol modes, notification rules), until stopped.
 * It keeps the metrics registry up to date (the families below, label
 * "profile" = the profile's name) and says every notification as
 * ::alert. set_profiles() again (a reloaded profiles file) adds, removes
 * and reconnects only the profiles that changed. Main thread only.
 *
 * Metrics (counters end in _total on the wire):
 *   sonde_connection_up{profile}                 1 while open
 *   sonde_messages_total{profile,direction}      messages in and out
 *   sonde_bytes_total{profile,direction}         their payload bytes
 *   sonde_reconnects_total{profile}              attempts after the first
 *   sonde_gaps_total{profile}                    outages (GAP records)
 *   sonde_gap_seconds_total{profile}             their length
 *   sonde_last_message_age_seconds{profile}      since the last received message
 *   sonde_rtt_seconds{profile}                   latency-probe round trips (histogram)
 *   sonde_alerts_total{profile,rule}             notifications, by rule kind
 *   sonde_integrity_violations_total{profile,kind}  feed-integrity violations: gap,
 *                                                duplicate, out_of_order, stale, band
 *   sonde_value{profile,series}                  the latest value of each chart series
 *                                                marked for export (sonde-value-export.h)
 */
#pragma once

#include <gio/gio.h>

#include "sonde-metrics.h"
#include "sonde-profile.h"
#include "sonde-secrets.h"
#include "sonde-session.h"

G_BEGIN_DECLS

#define SONDE_TYPE_MONITOR (sonde_monitor_get_type ())
G_DECLARE_FINAL_TYPE (SondeMonitor, sonde_monitor, SONDE, MONITOR, GObject)

SondeMonitor  *sonde_monitor_new            (SondeMetrics  *metrics,
                                             SondeSecrets  *secrets);
/* Runs these profiles (copies are kept): new ones connect, ones no longer
 * named stop (their metrics go), changed ones connect again with their
 * new settings, the others are left alone. Returns how many of each. */
void           sonde_monitor_set_profiles   (SondeMonitor  *self,
                                             GPtrArray     *profiles,
                                             guint         *n_added,
                                             guint         *n_removed,
                                             guint         *n_changed);
guint          sonde_monitor_get_n_sessions (SondeMonitor  *self);
/* The session of the profile with this id, or NULL. */
SondeSession  *sonde_monitor_get_session    (SondeMonitor  *self,
                                             const char    *profile_id);
/* Records every session into this recordings database (NULL: none); for
 * sessions started from now on. */
void           sonde_monitor_set_recording_path (SondeMonitor *self,
                                             const char    *path);
/* Brings the metrics up to date now (they are every second anyway). */
void           sonde_monitor_update_metrics (SondeMonitor  *self);
/* Closes every connection (1001, going away) and emits ::stopped once all
 * are closed and their recordings flushed, or after @timeout_ms. */
void           sonde_monitor_stop           (SondeMonitor  *self,
                                             guint          timeout_ms);

G_END_DECLS
