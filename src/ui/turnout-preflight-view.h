/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-preflight.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_PREFLIGHT_VIEW (turnout_preflight_view_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutPreflightView, turnout_preflight_view, TURNOUT, PREFLIGHT_VIEW, AdwBin)

GtkWidget              *turnout_preflight_view_new        (void);
void                    turnout_preflight_view_set_store  (TurnoutPreflightView *self,
                                                           TurnoutStore         *store);
void                    turnout_preflight_view_run        (TurnoutPreflightView *self,
                                                           TurnoutTemplate      *template,
                                                           TurnoutSegment       *segment,
                                                           gint64                event_id);
void                    turnout_preflight_view_run_at     (TurnoutPreflightView *self,
                                                           TurnoutTemplate      *template,
                                                           TurnoutSegment       *segment,
                                                           gint64                event_id,
                                                           gint64                starts_at);
TurnoutPreflightReport *turnout_preflight_view_get_report (TurnoutPreflightView *self);

G_END_DECLS
