/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "turnout-campaigns.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_CAMPAIGN (turnout_campaign_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutCampaign, turnout_campaign, TURNOUT, CAMPAIGN, GObject)

TurnoutCampaign       *turnout_campaign_new                (gint64                       id);
TurnoutCampaign       *turnout_campaign_new_from_status    (const TurnoutCampaignStatus *status);
void                   turnout_campaign_update_from_status (TurnoutCampaign             *self,
                                                            const TurnoutCampaignStatus *status);
TurnoutCampaignStatus *turnout_campaign_dup_status         (TurnoutCampaign             *self);

gint64                 turnout_campaign_get_id             (TurnoutCampaign             *self);
const char            *turnout_campaign_get_name           (TurnoutCampaign             *self);
const char            *turnout_campaign_get_channel        (TurnoutCampaign             *self);
const char            *turnout_campaign_get_state          (TurnoutCampaign             *self);
const char            *turnout_campaign_get_state_label    (TurnoutCampaign             *self);
const char            *turnout_campaign_get_state_reason   (TurnoutCampaign             *self);
const char            *turnout_campaign_get_segment_name   (TurnoutCampaign             *self);
const char            *turnout_campaign_get_template_name  (TurnoutCampaign             *self);
const char            *turnout_campaign_get_icon_name      (TurnoutCampaign             *self);
gint64                 turnout_campaign_get_scheduled_at   (TurnoutCampaign             *self);
gint64                 turnout_campaign_get_total          (TurnoutCampaign             *self);
gint64                 turnout_campaign_get_count          (TurnoutCampaign             *self,
                                                            const char                  *message_state);
gint64                 turnout_campaign_get_sent_total     (TurnoutCampaign             *self);
gint64                 turnout_campaign_get_done           (TurnoutCampaign             *self);
gint64                 turnout_campaign_get_waiting        (TurnoutCampaign             *self);
double                 turnout_campaign_get_progress       (TurnoutCampaign             *self);
const char            *turnout_campaign_get_summary        (TurnoutCampaign             *self);
gboolean               turnout_campaign_is_running         (TurnoutCampaign             *self);

const char            *turnout_campaign_state_to_label     (const char                  *state);

G_END_DECLS
