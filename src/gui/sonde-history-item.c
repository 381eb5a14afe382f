/* sonde-history-item.c: one row of the History view: a recorded session,
 * or a search hit in one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session row keeps a copy of what the store listed; a hit row keeps
 * what the search found (its preview copied: the search's is valid for
 * the call only) and the start of its session, the column that says
 * which session it belongs to.
 */

#define G_LOG_DOMAIN "sonde-history"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <stdio.h>

#include "sonde-history-item.h"

struct _SondeHistoryItem
{
  GObject            parent_instance;

  /* owned */
  SondeStoreSession *session;        /* a session row */
  char              *preview;        /* a hit row */

  gboolean           live;
  gboolean           is_hit;
  gint64             id;
  guint64            seq;
  gint64             wall_us;
  gint64             session_start_us;
  SondeDirection     direction;
  SondeMessageKind   kind;
  guint64            size;
};

G_DEFINE_FINAL_TYPE (SondeHistoryItem, sonde_history_item, G_TYPE_OBJECT)

static void
sonde_history_item_finalize (GObject *object)
{
  SondeHistoryItem *self = SONDE_HISTORY_ITEM (object);

  g_clear_pointer (&self->session, sonde_store_session_free);
  g_free (self->preview);

  G_OBJECT_CLASS (sonde_history_item_parent_class)->finalize (object);
}

static void
sonde_history_item_class_init (SondeHistoryItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sonde_history_item_finalize;
}

static void
sonde_history_item_init (SondeHistoryItem *self)
{
}

SondeHistoryItem *
sonde_history_item_new_session (const SondeStoreSession *session,
                                gboolean                 live)
{
  SondeHistoryItem *self;

  g_return_val_if_fail (session != NULL, NULL);

  self = g_object_new (SONDE_TYPE_HISTORY_ITEM, NULL);
  self->session = sonde_store_session_copy (session);
  self->id = session->id;
  self->live = live;
  self->wall_us = session->start_us;
  self->session_start_us = session->start_us;
  return self;
}

SondeHistoryItem *
sonde_history_item_new_hit (const SondeHistoryHit *hit,
                            gint64                 session_start_us)
{
  SondeHistoryItem *self;

  g_return_val_if_fail (hit != NULL, NULL);

  self = g_object_new (SONDE_TYPE_HISTORY_ITEM, NULL);
  self->is_hit = TRUE;
  self->id = hit->session_id;
  self->seq = hit->seq;
  self->wall_us = hit->wall_us;
  self->direction = hit->direction;
  self->kind = hit->kind;
  self->size = hit->size;
  self->preview = g_strdup (hit->preview != NULL ? hit->preview : "");
  self->session_start_us = session_start_us;
  return self;
}

const SondeStoreSession *
sonde_history_item_get_session (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), NULL);

  return self->session;
}

gboolean
sonde_history_item_get_live (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), FALSE);

  return self->live;
}

gint64
sonde_history_item_get_id (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), 0);

  return self->id;
}

gboolean
sonde_history_item_is_hit (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), FALSE);

  return self->is_hit;
}

guint64
sonde_history_item_get_seq (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), 0);

  return self->seq;
}

char *
sonde_history_format_time (gint64   wall_us,
                           gboolean with_date)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (wall_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  g_autofree char *text = NULL;

  if (local == NULL)
    return g_strdup ("—");
  text = g_date_time_format (local, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S");
  if (with_date)
    return g_steal_pointer (&text);
  return g_strdup_printf ("%s.%03d", text, (int) ((wall_us % G_USEC_PER_SEC) / 1000));
}

char *
sonde_history_item_dup_start (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), NULL);

  return sonde_history_format_time (self->session_start_us, TRUE);
}

char *
sonde_history_item_dup_duration (SondeHistoryItem *self)
{
  gint64 seconds;

  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), NULL);

  if (self->session == NULL || self->session->end_us == 0)
    return g_strdup ("—");

  seconds = MAX (0, (self->session->end_us - self->session->start_us) / G_USEC_PER_SEC);
  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600, (int) (seconds / 60 % 60),
                            (int) (seconds % 60));
  return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

char *
sonde_history_item_dup_messages (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), NULL);

  if (self->session == NULL)
    return g_strdup ("");
  return g_strdup_printf ("%" G_GUINT64_FORMAT, self->session->messages);
}

char *
sonde_history_item_dup_size (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), NULL);

  return g_format_size (self->session != NULL ? self->session->bytes : self->size);
}

char *
sonde_history_item_dup_ending (SondeHistoryItem *self)
{
  const SondeStoreSession *session;
  const char *who = NULL;
  g_autofree char *code = NULL;

  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), NULL);

  session = self->session;
  if (session == NULL)
    return g_strdup ("");
  if (self->live)
    return g_strdup (_("Still recording"));
  if (session->end_us == 0)
    return g_strdup (_("Ended unexpectedly"));

  switch (session->initiator)
    {
    case SONDE_STORE_ENDED_BY_CLIENT:
      who = _("closed by Sonde");
      break;
    case SONDE_STORE_ENDED_BY_SERVER:
      who = _("closed by the server");
      break;
    case SONDE_STORE_ENDED_BY_ERROR:
      who = _("ended by an error");
      break;
    case SONDE_STORE_ENDED_UNKNOWN:
    default:
      who = _("ended");
      break;
    }

  if (session->close_code == 0)
    return g_strdup_printf ("%s%s%s", who, session->close_reason != NULL && *session->close_reason ? ": " : "",
                            session->close_reason != NULL ? session->close_reason : "");
  code = g_strdup_printf ("%d", session->close_code);
  if (session->close_reason != NULL && *session->close_reason)
    /* Translators: how a recorded session ended: "closed by the server, 1001 “going away”". */
    return g_strdup_printf (_("%s, %s “%s”"), who, code, session->close_reason);
  /* Translators: how a recorded session ended: "closed by Sonde, 1000". */
  return g_strdup_printf (_("%s, %s"), who, code);
}

/* The address (masked as recorded); an imported session may have none. */
char *
sonde_history_item_dup_url (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), NULL);

  if (self->session == NULL || self->session->url == NULL)
    return g_strdup ("");
  return g_strdup (self->session->url);
}

/* The profile that recorded it (a shared history holds many); "Ad-hoc"
 * for an address typed by hand. */
char *
sonde_history_item_dup_profile (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), NULL);

  if (self->session == NULL)
    return g_strdup ("");
  if (self->session->profile_name != NULL && *self->session->profile_name != '\0')
    return g_strdup (self->session->profile_name);
  if (self->session->profile_id != NULL)
    return g_strdup (self->session->profile_id);
  return g_strdup (C_("history profile", "Ad-hoc"));
}

char *
sonde_history_item_dup_time (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), NULL);

  return sonde_history_format_time (self->wall_us, FALSE);
}

char *
sonde_history_item_dup_direction (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), NULL);

  switch (self->direction)
    {
    case SONDE_DIRECTION_IN:
      return g_strdup ("↓");
    case SONDE_DIRECTION_OUT:
      return g_strdup ("↑");
    case SONDE_DIRECTION_EVENT:
    default:
      return g_strdup ("•");
    }
}

char *
sonde_history_item_dup_preview (SondeHistoryItem *self)
{
  g_return_val_if_fail (SONDE_IS_HISTORY_ITEM (self), NULL);

  return g_strdup (self->preview != NULL ? self->preview : "");
}

gboolean
sonde_history_parse_time (const char  *text,
                          gint64       reference_us,
                          gint64      *out_us,
                          GError     **error)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (reference_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) reference = utc != NULL ? g_date_time_to_local (utc) : NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();
  int year, month, day, hour, minute;
  double seconds = 0;
  const char *clock = copy;
  int n;

  g_return_val_if_fail (out_us != NULL, FALSE);

  if (reference == NULL)
    reference = g_date_time_new_now_local ();
  year = g_date_time_get_year (reference);
  month = g_date_time_get_month (reference);
  day = g_date_time_get_day_of_month (reference);

  {
    int y, m, d;

    /* sscanf stores what it read before a mismatch: into these only. */
    if (sscanf (copy, "%4d-%2d-%2d %n", &y, &m, &d, &n) == 3)
      {
        year = y;
        month = m;
        day = d;
        clock = copy + n;
      }
  }
  n = sscanf (clock, "%2d:%2d:%lf", &hour, &minute, &seconds);
  if (n < 2 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || seconds < 0 || seconds >= 61)
    when = NULL;
  else
    when = g_date_time_new (zone, year, month, day, hour, minute, seconds);

  if (when == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   /* Translators: %s is what the user typed. */
                   _("“%s” is not a time: type it as 14:05:30, or 2026-12-06 14:05:30"), copy);
      return FALSE;
    }

  *out_us = g_date_time_to_unix (when) * G_USEC_PER_SEC + g_date_time_get_microsecond (when);
  return TRUE;
}
