/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_APPLICATION (turnout_application_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutApplication, turnout_application, TURNOUT, APPLICATION, AdwApplication)

TurnoutApplication *turnout_application_new             (void);
TurnoutStore       *turnout_application_get_store       (TurnoutApplication *self);
TurnoutSettings    *turnout_application_get_settings    (TurnoutApplication *self);
const GError       *turnout_application_get_store_error (TurnoutApplication *self);

G_END_DECLS
