/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-settings.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_BACKGROUND (turnout_background_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutBackground, turnout_background, TURNOUT, BACKGROUND, GObject)

TurnoutBackground *turnout_background_new             (GApplication      *application,
                                                       TurnoutSettings   *settings);
gboolean           turnout_background_get_holding     (TurnoutBackground *self);
gboolean           turnout_background_get_autostart   (TurnoutBackground *self);
char              *turnout_background_dup_autostart_path (const char     *application_id);
char              *turnout_background_dup_autostart_entry (const char    *application_id);

G_END_DECLS
