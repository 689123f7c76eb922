/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "turnout-saved-segment.h"
#include "turnout-segment.h"
#include "turnout-types.h"

G_BEGIN_DECLS

/* Saved segments, and who is in a segment. The plain functions block on
 * the database: call them from a worker or the CLI; the UI uses the
 * _async pairs. Counts, samples and ids are of distinct contacts, as of
 * the default TurnoutClock's time when the call is made. */

char           **turnout_segments_list          (TurnoutStore         *store,
                                                 GError              **error);
TurnoutSegment  *turnout_segments_get           (TurnoutStore         *store,
                                                 const char           *name,
                                                 GError              **error);
gboolean         turnout_segments_save          (TurnoutStore         *store,
                                                 const char           *name,
                                                 TurnoutSegment       *segment,
                                                 GError              **error);

gint64           turnout_segments_count         (TurnoutStore         *store,
                                                 TurnoutSegment       *segment,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
void             turnout_segments_count_async   (TurnoutStore         *store,
                                                 TurnoutSegment       *segment,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gint64           turnout_segments_count_finish  (TurnoutStore         *store,
                                                 GAsyncResult         *result,
                                                 GError              **error);

GArray          *turnout_segments_sample        (TurnoutStore         *store,
                                                 TurnoutSegment       *segment,
                                                 guint                 limit,
                                                 GCancellable         *cancellable,
                                                 GError              **error);
void             turnout_segments_sample_async  (TurnoutStore         *store,
                                                 TurnoutSegment       *segment,
                                                 guint                 limit,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GArray          *turnout_segments_sample_finish (TurnoutStore         *store,
                                                 GAsyncResult         *result,
                                                 GError              **error);

void             turnout_segments_dup_ids_async  (TurnoutStore         *store,
                                                  TurnoutSegment       *segment,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GArray          *turnout_segments_dup_ids_finish (TurnoutStore         *store,
                                                  GAsyncResult         *result,
                                                  GError              **error);

void             turnout_segments_sample_contacts_async  (TurnoutStore         *store,
                                                          TurnoutSegment       *segment,
                                                          guint                 limit,
                                                          const char           *currency,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
GListModel      *turnout_segments_sample_contacts_finish (TurnoutStore         *store,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void                 turnout_segments_list_async       (TurnoutStore         *store,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
GListModel          *turnout_segments_list_finish      (TurnoutStore         *store,
                                                        GAsyncResult         *result,
                                                        GError              **error);
void                 turnout_segments_save_async       (TurnoutStore         *store,
                                                        const char           *old_name,
                                                        const char           *name,
                                                        TurnoutSegment       *segment,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
TurnoutSavedSegment *turnout_segments_save_finish      (TurnoutStore         *store,
                                                        GAsyncResult         *result,
                                                        GError              **error);
void                 turnout_segments_dup_users_async  (TurnoutStore         *store,
                                                        const char           *name,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
char               **turnout_segments_dup_users_finish (TurnoutStore         *store,
                                                        GAsyncResult         *result,
                                                        GError              **error);
void                 turnout_segments_delete_async     (TurnoutStore         *store,
                                                        const char           *name,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean             turnout_segments_delete_finish    (TurnoutStore         *store,
                                                        GAsyncResult         *result,
                                                        GError              **error);

void                 turnout_segments_list_tags_async  (TurnoutStore         *store,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
char               **turnout_segments_list_tags_finish (TurnoutStore         *store,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* For workers: the contacts of @segment on @db, in id order, handed to
 * @func one by one (return FALSE to stop). */
typedef gboolean (*TurnoutSegmentIdFunc) (gint64    contact_id,
                                          gpointer  user_data);

gboolean         turnout_db_segment_foreach_id  (sqlite3              *db,
                                                 TurnoutSegment       *segment,
                                                 gint64                now,
                                                 TurnoutSegmentIdFunc  func,
                                                 gpointer              user_data,
                                                 GCancellable         *cancellable,
                                                 GError              **error);

G_END_DECLS
