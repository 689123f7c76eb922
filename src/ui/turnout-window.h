/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-application.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_WINDOW (turnout_window_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutWindow, turnout_window, TURNOUT, WINDOW, AdwApplicationWindow)

TurnoutWindow *turnout_window_new      (TurnoutApplication *application);
const char    *turnout_window_get_pane (TurnoutWindow      *self);
void           turnout_window_set_pane (TurnoutWindow      *self,
                                        const char         *pane);

G_END_DECLS
