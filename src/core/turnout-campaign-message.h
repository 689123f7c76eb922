/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TURNOUT_TYPE_CAMPAIGN_MESSAGE (turnout_campaign_message_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutCampaignMessage, turnout_campaign_message, TURNOUT, CAMPAIGN_MESSAGE,
                      GObject)

TurnoutCampaignMessage *turnout_campaign_message_new             (gint64                  id,
                                                                  gint64                  contact_id,
                                                                  const char             *contact_name,
                                                                  const char             *address,
                                                                  const char             *state,
                                                                  const char             *error_text,
                                                                  const char             *provider_id);
gint64                  turnout_campaign_message_get_id          (TurnoutCampaignMessage *self);
gint64                  turnout_campaign_message_get_contact_id  (TurnoutCampaignMessage *self);
const char             *turnout_campaign_message_get_contact_name (TurnoutCampaignMessage *self);
const char             *turnout_campaign_message_get_address     (TurnoutCampaignMessage *self);
const char             *turnout_campaign_message_get_state       (TurnoutCampaignMessage *self);
const char             *turnout_campaign_message_get_state_label (TurnoutCampaignMessage *self);
const char             *turnout_campaign_message_get_error_text  (TurnoutCampaignMessage *self);
const char             *turnout_campaign_message_get_provider_id (TurnoutCampaignMessage *self);

const char             *turnout_message_state_to_label           (const char             *state);

G_END_DECLS
