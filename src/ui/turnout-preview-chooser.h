/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-render.h"
#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_PREVIEW_CHOOSER (turnout_preview_chooser_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutPreviewChooser, turnout_preview_chooser, TURNOUT, PREVIEW_CHOOSER, AdwBin)

GtkWidget        *turnout_preview_chooser_new            (void);
void              turnout_preview_chooser_set_store      (TurnoutPreviewChooser *self,
                                                          TurnoutStore          *store);
void              turnout_preview_chooser_set_contact_id (TurnoutPreviewChooser *self,
                                                          gint64                 contact_id);
TurnoutRecipient *turnout_preview_chooser_get_recipient  (TurnoutPreviewChooser *self);

G_END_DECLS
