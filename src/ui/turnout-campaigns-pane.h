/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_CAMPAIGNS_PANE (turnout_campaigns_pane_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutCampaignsPane, turnout_campaigns_pane, TURNOUT, CAMPAIGNS_PANE, AdwBin)

TurnoutCampaignsPane *turnout_campaigns_pane_new          (void);
TurnoutStore         *turnout_campaigns_pane_get_store    (TurnoutCampaignsPane *self);
void                  turnout_campaigns_pane_set_store    (TurnoutCampaignsPane *self,
                                                           TurnoutStore         *store);
TurnoutSettings      *turnout_campaigns_pane_get_settings (TurnoutCampaignsPane *self);
void                  turnout_campaigns_pane_set_settings (TurnoutCampaignsPane *self,
                                                           TurnoutSettings      *settings);
void                  turnout_campaigns_pane_refresh      (TurnoutCampaignsPane *self);

G_END_DECLS
