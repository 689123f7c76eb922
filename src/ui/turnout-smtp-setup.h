/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-settings.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_SMTP_SETUP (turnout_smtp_setup_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutSmtpSetup, turnout_smtp_setup, TURNOUT, SMTP_SETUP,
                      AdwPreferencesGroup)

GtkWidget       *turnout_smtp_setup_new          (void);
TurnoutSettings *turnout_smtp_setup_get_settings (TurnoutSmtpSetup *self);
void             turnout_smtp_setup_set_settings (TurnoutSmtpSetup *self,
                                                  TurnoutSettings  *settings);

G_END_DECLS
