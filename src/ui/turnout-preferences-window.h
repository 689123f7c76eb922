/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_PREFERENCES_WINDOW (turnout_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutPreferencesWindow, turnout_preferences_window,
                      TURNOUT, PREFERENCES_WINDOW, AdwPreferencesWindow)

TurnoutPreferencesWindow *turnout_preferences_window_new          (TurnoutSettings *settings);
TurnoutSettings          *turnout_preferences_window_get_settings (TurnoutPreferencesWindow *self);
void                      turnout_preferences_window_set_settings (TurnoutPreferencesWindow *self,
                                                                   TurnoutSettings *settings);

G_END_DECLS
