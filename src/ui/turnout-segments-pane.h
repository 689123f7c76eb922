/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_SEGMENTS_PANE (turnout_segments_pane_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutSegmentsPane, turnout_segments_pane, TURNOUT, SEGMENTS_PANE, AdwBin)

TurnoutSegmentsPane *turnout_segments_pane_new          (void);
TurnoutStore        *turnout_segments_pane_get_store    (TurnoutSegmentsPane *self);
void                 turnout_segments_pane_set_store    (TurnoutSegmentsPane *self,
                                                         TurnoutStore        *store);
TurnoutSettings     *turnout_segments_pane_get_settings (TurnoutSegmentsPane *self);
void                 turnout_segments_pane_set_settings (TurnoutSegmentsPane *self,
                                                         TurnoutSettings     *settings);
void                 turnout_segments_pane_refresh      (TurnoutSegmentsPane *self);

G_END_DECLS
