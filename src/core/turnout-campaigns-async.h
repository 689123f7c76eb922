/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-campaign.h"
#include "turnout-campaign-message.h"
#include "turnout-campaigns.h"
#include "turnout-segment.h"
#include "turnout-types.h"

G_BEGIN_DECLS

/* How many recipients the Campaigns pane reads at a time. */
#define TURNOUT_CAMPAIGN_MESSAGES_PAGE 200

/* Blocking: for workers and the CLI. */
GListModel            *turnout_campaigns_list                 (TurnoutStore         *store,
                                                               GError              **error);
GListModel            *turnout_campaigns_list_messages        (TurnoutStore         *store,
                                                               gint64                campaign_id,
                                                               const char           *state,
                                                               gint64                after_id,
                                                               guint                 limit,
                                                               GError              **error);
gint64                 turnout_campaigns_retry_failed         (TurnoutStore         *store,
                                                               gint64                campaign_id,
                                                               GError              **error);

/**
 * TurnoutUnknownDecision:
 * @TURNOUT_UNKNOWN_SEND_AGAIN: queue the message again; a recipient who did
 *   get it gets it twice
 * @TURNOUT_UNKNOWN_MARK_SENT: count it as sent, and never send it again
 *
 * What the user decided about emails whose fate is unknown.
 */
typedef enum
{
  TURNOUT_UNKNOWN_SEND_AGAIN,
  TURNOUT_UNKNOWN_MARK_SENT,
} TurnoutUnknownDecision;

gint64                 turnout_campaigns_settle_unknown       (TurnoutStore         *store,
                                                               gint64                campaign_id,
                                                               gint64                message_id,
                                                               TurnoutUnknownDecision decision,
                                                               GError              **error);

void                   turnout_campaigns_list_async           (TurnoutStore         *store,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
GListModel            *turnout_campaigns_list_finish          (TurnoutStore         *store,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                   turnout_campaigns_list_messages_async  (TurnoutStore         *store,
                                                               gint64                campaign_id,
                                                               const char           *state,
                                                               gint64                after_id,
                                                               guint                 limit,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
GListModel            *turnout_campaigns_list_messages_finish (TurnoutStore         *store,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                   turnout_campaigns_create_async         (TurnoutStore         *store,
                                                               const char           *name,
                                                               const char           *channel,
                                                               const char           *segment_name,
                                                               TurnoutSegment       *segment,
                                                               gint64                template_id,
                                                               gint64                event_id,
                                                               gint64                scheduled_at,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gint64                 turnout_campaigns_create_finish        (TurnoutStore         *store,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                   turnout_campaigns_launch_async         (TurnoutStore         *store,
                                                               gint64                campaign_id,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gint64                 turnout_campaigns_launch_finish        (TurnoutStore         *store,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                   turnout_campaigns_get_status_async     (TurnoutStore         *store,
                                                               gint64                campaign_id,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
TurnoutCampaignStatus *turnout_campaigns_get_status_finish    (TurnoutStore         *store,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                   turnout_campaigns_pause_async          (TurnoutStore         *store,
                                                               gint64                campaign_id,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gboolean               turnout_campaigns_pause_finish         (TurnoutStore         *store,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                   turnout_campaigns_resume_async         (TurnoutStore         *store,
                                                               gint64                campaign_id,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gboolean               turnout_campaigns_resume_finish        (TurnoutStore         *store,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                   turnout_campaigns_cancel_async         (TurnoutStore         *store,
                                                               gint64                campaign_id,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gboolean               turnout_campaigns_cancel_finish        (TurnoutStore         *store,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                   turnout_campaigns_retry_failed_async   (TurnoutStore         *store,
                                                               gint64                campaign_id,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gint64                 turnout_campaigns_retry_failed_finish  (TurnoutStore         *store,
                                                               GAsyncResult         *result,
                                                               GError              **error);
void                   turnout_campaigns_settle_unknown_async (TurnoutStore         *store,
                                                               gint64                campaign_id,
                                                               TurnoutUnknownDecision decision,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
gint64                 turnout_campaigns_settle_unknown_finish (TurnoutStore        *store,
                                                               GAsyncResult         *result,
                                                               GError              **error);

G_END_DECLS
