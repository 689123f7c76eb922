/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-segment.h"
#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_CAMPAIGN_ERROR (turnout_campaign_error_quark ())

typedef enum
{
  TURNOUT_CAMPAIGN_ERROR_INVALID,
  TURNOUT_CAMPAIGN_ERROR_NOT_FOUND,
  TURNOUT_CAMPAIGN_ERROR_STATE,
} TurnoutCampaignError;

/* The states a message of a campaign can be in, in the order `campaign
 * status` reports them. */
#define TURNOUT_MESSAGE_STATES \
  "queued", "sending", "sent", "delivered", "undelivered", "failed", "suppressed", "skipped", \
  "unknown"

/**
 * TurnoutCampaignStatus:
 * @id: the campaign
 * @name: its name
 * @channel: "sms" or "email"
 * @state: draft, scheduled, running, paused, completed, cancelled or stopped
 * @state_reason: (nullable): why it stopped or waits, in words
 * @segment_name: (nullable): the segment it was made for
 * @template_name: (nullable): the template's name when it was launched (or now, before)
 * @scheduled_at: when it is to start (0: not scheduled)
 * @total: its messages
 * @counts: messages by state, in the order of TURNOUT_MESSAGE_STATES
 */
typedef struct
{
  gint64  id;
  char   *name;
  char   *channel;
  char   *state;
  char   *state_reason;
  char   *segment_name;
  char   *template_name;
  gint64  scheduled_at;
  gint64  total;
  gint64  counts[9];
} TurnoutCampaignStatus;

void   turnout_campaign_status_free (TurnoutCampaignStatus *status);
char  *turnout_campaign_status_to_json (TurnoutCampaignStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutCampaignStatus, turnout_campaign_status_free)

GQuark                 turnout_campaign_error_quark (void);

gint64                 turnout_campaigns_create     (TurnoutStore    *store,
                                                     const char      *name,
                                                     const char      *channel,
                                                     const char      *segment_name,
                                                     TurnoutSegment  *segment,
                                                     gint64           template_id,
                                                     gint64           event_id,
                                                     gint64           scheduled_at,
                                                     GError         **error);
gint64                 turnout_campaigns_launch     (TurnoutStore    *store,
                                                     gint64           campaign_id,
                                                     GCancellable    *cancellable,
                                                     GError         **error);
TurnoutCampaignStatus *turnout_campaigns_get_status (TurnoutStore    *store,
                                                     gint64           campaign_id,
                                                     GError         **error);
gboolean               turnout_campaigns_pause      (TurnoutStore    *store,
                                                     gint64           campaign_id,
                                                     GError         **error);
gboolean               turnout_campaigns_resume     (TurnoutStore    *store,
                                                     gint64           campaign_id,
                                                     GError         **error);
gboolean               turnout_campaigns_cancel     (TurnoutStore    *store,
                                                     gint64           campaign_id,
                                                     GError         **error);

int                    turnout_campaigns_start_due  (TurnoutStore    *store,
                                                     gint64           grace_seconds,
                                                     int             *late,
                                                     GError         **error);
int                    turnout_campaigns_stop_channel (TurnoutStore  *store,
                                                     const char      *channel,
                                                     const char      *reason,
                                                     GError         **error);
int                    turnout_campaigns_count_running (TurnoutStore *store,
                                                     const char      *channel,
                                                     GError         **error);

G_END_DECLS
