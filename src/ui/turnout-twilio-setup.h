/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-settings.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_TWILIO_SETUP (turnout_twilio_setup_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutTwilioSetup, turnout_twilio_setup, TURNOUT, TWILIO_SETUP,
                      AdwPreferencesGroup)

GtkWidget       *turnout_twilio_setup_new          (void);
TurnoutSettings *turnout_twilio_setup_get_settings (TurnoutTwilioSetup *self);
void             turnout_twilio_setup_set_settings (TurnoutTwilioSetup *self,
                                                    TurnoutSettings    *settings);

G_END_DECLS
