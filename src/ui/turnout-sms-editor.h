/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-template.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_SMS_EDITOR (turnout_sms_editor_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutSmsEditor, turnout_sms_editor, TURNOUT, SMS_EDITOR, AdwBin)

GtkWidget  *turnout_sms_editor_new              (void);
void        turnout_sms_editor_set_template     (TurnoutSmsEditor *self,
                                                 TurnoutTemplate  *template);
const char *turnout_sms_editor_get_bubble_text  (TurnoutSmsEditor *self);
const char *turnout_sms_editor_get_counter_text (TurnoutSmsEditor *self);
void        turnout_sms_editor_grab_text_focus  (TurnoutSmsEditor *self);

G_END_DECLS
