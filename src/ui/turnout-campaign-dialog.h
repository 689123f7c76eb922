/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_CAMPAIGN_DIALOG (turnout_campaign_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutCampaignDialog, turnout_campaign_dialog, TURNOUT, CAMPAIGN_DIALOG,
                      AdwWindow)

TurnoutCampaignDialog *turnout_campaign_dialog_new           (GtkWindow       *parent,
                                                              TurnoutStore    *store,
                                                              TurnoutSettings *settings);
const char            *turnout_campaign_dialog_segment_label (const char      *segment_name);

G_END_DECLS
