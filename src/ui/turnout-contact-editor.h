/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_CONTACT_EDITOR (turnout_contact_editor_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutContactEditor, turnout_contact_editor,
                      TURNOUT, CONTACT_EDITOR, AdwWindow)

TurnoutContactEditor *turnout_contact_editor_new            (TurnoutStore         *store,
                                                             TurnoutSettings      *settings,
                                                             gint64                contact_id);
TurnoutStore         *turnout_contact_editor_get_store      (TurnoutContactEditor *self);
TurnoutSettings      *turnout_contact_editor_get_settings   (TurnoutContactEditor *self);
gint64                turnout_contact_editor_get_contact_id (TurnoutContactEditor *self);

G_END_DECLS
