/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_TEMPLATES_PANE (turnout_templates_pane_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutTemplatesPane, turnout_templates_pane, TURNOUT, TEMPLATES_PANE, AdwBin)

TurnoutTemplatesPane *turnout_templates_pane_new          (void);
TurnoutStore         *turnout_templates_pane_get_store    (TurnoutTemplatesPane *self);
void                  turnout_templates_pane_set_store    (TurnoutTemplatesPane *self,
                                                           TurnoutStore         *store);
TurnoutSettings      *turnout_templates_pane_get_settings (TurnoutTemplatesPane *self);
void                  turnout_templates_pane_set_settings (TurnoutTemplatesPane *self,
                                                           TurnoutSettings      *settings);
void                  turnout_templates_pane_refresh      (TurnoutTemplatesPane *self);

G_END_DECLS
