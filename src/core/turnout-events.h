/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-event.h"
#include "turnout-registration.h"
#include "turnout-types.h"

G_BEGIN_DECLS

void        turnout_events_list_async  (TurnoutStore         *store,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
GListModel *turnout_events_list_finish (TurnoutStore         *store,
                                        GAsyncResult         *result,
                                        GError              **error);

void          turnout_events_get_async  (TurnoutStore         *store,
                                         gint64                event_id,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
TurnoutEvent *turnout_events_get_finish (TurnoutStore         *store,
                                         GAsyncResult         *result,
                                         GError              **error);

void   turnout_events_save_async  (TurnoutStore         *store,
                                   TurnoutEvent         *event,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gint64 turnout_events_save_finish (TurnoutStore         *store,
                                   GAsyncResult         *result,
                                   GError              **error);

void     turnout_events_delete_async  (TurnoutStore         *store,
                                       gint64                event_id,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean turnout_events_delete_finish (TurnoutStore         *store,
                                       GAsyncResult         *result,
                                       GError              **error);

void   turnout_events_list_genres_async  (TurnoutStore         *store,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
char **turnout_events_list_genres_finish (TurnoutStore         *store,
                                          GAsyncResult         *result,
                                          GError              **error);

void        turnout_events_list_registrations_async  (TurnoutStore         *store,
                                                      gint64                event_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GListModel *turnout_events_list_registrations_finish (TurnoutStore         *store,
                                                      GAsyncResult         *result,
                                                      GError              **error);

void       turnout_events_set_status_async  (TurnoutStore               *store,
                                             const gint64               *registration_ids,
                                             guint                       n_ids,
                                             TurnoutRegistrationStatus   status,
                                             GCancellable               *cancellable,
                                             GAsyncReadyCallback         callback,
                                             gpointer                    user_data);
GPtrArray *turnout_events_set_status_finish (TurnoutStore               *store,
                                             GAsyncResult               *result,
                                             GError                    **error);

void        turnout_events_find_contacts_async  (TurnoutStore         *store,
                                                 gint64                event_id,
                                                 const char           *query,
                                                 guint                 limit,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GListModel *turnout_events_find_contacts_finish (TurnoutStore         *store,
                                                 GAsyncResult         *result,
                                                 GError              **error);

void                 turnout_events_add_registration_async  (TurnoutStore         *store,
                                                             TurnoutRegistration  *registration,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
TurnoutRegistration *turnout_events_add_registration_finish (TurnoutStore         *store,
                                                             GAsyncResult         *result,
                                                             GError              **error);

G_END_DECLS
