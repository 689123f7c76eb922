/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-event.h"
#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_EVENT_EDITOR (turnout_event_editor_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutEventEditor, turnout_event_editor, TURNOUT, EVENT_EDITOR, AdwWindow)

TurnoutEventEditor *turnout_event_editor_new       (TurnoutStore       *store,
                                                    TurnoutSettings    *settings,
                                                    TurnoutEvent       *event);
TurnoutEvent       *turnout_event_editor_get_event (TurnoutEventEditor *self);

G_END_DECLS
