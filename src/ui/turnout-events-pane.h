/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_EVENTS_PANE (turnout_events_pane_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutEventsPane, turnout_events_pane, TURNOUT, EVENTS_PANE, AdwBin)

TurnoutEventsPane *turnout_events_pane_new          (void);
TurnoutStore      *turnout_events_pane_get_store    (TurnoutEventsPane *self);
void               turnout_events_pane_set_store    (TurnoutEventsPane *self,
                                                     TurnoutStore      *store);
TurnoutSettings   *turnout_events_pane_get_settings (TurnoutEventsPane *self);
void               turnout_events_pane_set_settings (TurnoutEventsPane *self,
                                                     TurnoutSettings   *settings);

void               turnout_events_pane_refresh      (TurnoutEventsPane *self);

G_END_DECLS
