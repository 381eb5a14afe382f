/* sonde-store.c: where recordings go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sonde-store"

#include "config.h"

#include "sonde-store.h"

G_DEFINE_QUARK (sonde-store-error-quark, sonde_store_error)

G_DEFINE_INTERFACE (SondeStore, sonde_store, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (SondeStoreSession, sonde_store_session,
                     sonde_store_session_copy, sonde_store_session_free)

static void
sonde_store_default_init (SondeStoreInterface *iface)
{
}

void
sonde_store_session_free (SondeStoreSession *session)
{
  if (session == NULL)
    return;
  g_free (session->profile_id);
  g_free (session->profile_name);
  g_free (session->url);
  g_free (session->close_reason);
  g_free (session);
}

SondeStoreSession *
sonde_store_session_copy (const SondeStoreSession *session)
{
  SondeStoreSession *copy = g_memdup2 (session, sizeof *session);

  copy->profile_id = g_strdup (session->profile_id);
  copy->profile_name = g_strdup (session->profile_name);
  copy->url = g_strdup (session->url);
  copy->close_reason = g_strdup (session->close_reason);
  return copy;
}

gboolean
sonde_store_begin_session (SondeStore  *self,
                           const char  *profile_id,
                           const char  *profile_name,
                           const char  *masked_url,
                           gint64       start_us,
                           gint64      *out_id,
                           GError     **error)
{
  g_return_val_if_fail (SONDE_IS_STORE (self), FALSE);
  g_return_val_if_fail (masked_url != NULL, FALSE);
  g_return_val_if_fail (out_id != NULL, FALSE);

  return SONDE_STORE_GET_IFACE (self)->begin_session (self, profile_id, profile_name, masked_url,
                                                      start_us, out_id, error);
}

gboolean
sonde_store_append (SondeStore         *self,
                    gint64              session_id,
                    const SondeRecord  *records,
                    guint               n_records,
                    GError            **error)
{
  g_return_val_if_fail (SONDE_IS_STORE (self), FALSE);
  g_return_val_if_fail (records != NULL || n_records == 0, FALSE);

  if (n_records == 0)
    return TRUE;
  return SONDE_STORE_GET_IFACE (self)->append (self, session_id, records, n_records, error);
}

gboolean
sonde_store_end_session (SondeStore           *self,
                         gint64                session_id,
                         gint64                end_us,
                         int                   close_code,
                         const char           *close_reason,
                         SondeStoreInitiator   initiator,
                         GError              **error)
{
  g_return_val_if_fail (SONDE_IS_STORE (self), FALSE);

  return SONDE_STORE_GET_IFACE (self)->end_session (self, session_id, end_us, close_code,
                                                    close_reason, initiator, error);
}

GPtrArray *
sonde_store_list_sessions (SondeStore  *self,
                           GError     **error)
{
  g_return_val_if_fail (SONDE_IS_STORE (self), NULL);

  return SONDE_STORE_GET_IFACE (self)->list_sessions (self, error);
}

gboolean
sonde_store_read_records (SondeStore            *self,
                          gint64                 session_id,
                          guint64                from_seq,
                          SondeStoreRecordFunc   func,
                          gpointer               user_data,
                          GError               **error)
{
  g_return_val_if_fail (SONDE_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  return SONDE_STORE_GET_IFACE (self)->read_records (self, session_id, from_seq, func, user_data, error);
}

typedef struct {
  SondeStoreFilterFunc filter;
  SondeStoreRecordFunc func;
  gpointer             user_data;
} Scan;

static gboolean
scan_record (const SondeRecord *record,
             gpointer           user_data)
{
  Scan *scan = user_data;
  SondeRecord seen = {
    .seq = record->seq,
    .wall_us = record->wall_us,
    .direction = record->direction,
    .kind = record->kind,
    .flags = record->flags,
    .stored_size = record->stored_size,
    .data = record->data,
  };

  if (!scan->filter (&seen, scan->user_data))
    return TRUE;
  return scan->func (record, scan->user_data);
}

gboolean
sonde_store_scan_records (SondeStore            *self,
                          gint64                 session_id,
                          guint64                from_seq,
                          SondeStoreFilterFunc   filter,
                          SondeStoreRecordFunc   func,
                          gpointer               user_data,
                          GError               **error)
{
  SondeStoreInterface *iface;
  Scan scan = { filter, func, user_data };

  g_return_val_if_fail (SONDE_IS_STORE (self), FALSE);
  g_return_val_if_fail (filter != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  iface = SONDE_STORE_GET_IFACE (self);
  if (iface->scan_records != NULL)
    return iface->scan_records (self, session_id, from_seq, filter, func, user_data, error);
  return iface->read_records (self, session_id, from_seq, scan_record, &scan, error);
}

gboolean
sonde_store_delete_session (SondeStore  *self,
                            gint64       session_id,
                            GError     **error)
{
  g_return_val_if_fail (SONDE_IS_STORE (self), FALSE);

  return SONDE_STORE_GET_IFACE (self)->delete_session (self, session_id, error);
}

guint64
sonde_store_get_size (SondeStore *self)
{
  g_return_val_if_fail (SONDE_IS_STORE (self), 0);

  return SONDE_STORE_GET_IFACE (self)->get_size (self);
}

gboolean
sonde_store_is_read_only (SondeStore *self)
{
  g_return_val_if_fail (SONDE_IS_STORE (self), TRUE);

  return SONDE_STORE_GET_IFACE (self)->is_read_only (self);
}

SondeStoreSession *
sonde_store_get_session (SondeStore  *self,
                         gint64       session_id,
                         GError     **error)
{
  g_return_val_if_fail (SONDE_IS_STORE (self), NULL);

  return SONDE_STORE_GET_IFACE (self)->get_session (self, session_id, error);
}

gboolean
sonde_store_seek_time (SondeStore  *self,
                       gint64       session_id,
                       gint64       wall_us,
                       guint64     *out_seq,
                       GError     **error)
{
  g_return_val_if_fail (SONDE_IS_STORE (self), FALSE);

  return SONDE_STORE_GET_IFACE (self)->seek_time (self, session_id, wall_us, out_seq, error);
}
