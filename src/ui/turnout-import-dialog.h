/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_IMPORT_DIALOG (turnout_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutImportDialog, turnout_import_dialog, TURNOUT, IMPORT_DIALOG, AdwWindow)

TurnoutImportDialog *turnout_import_dialog_new           (TurnoutStore        *store,
                                                          TurnoutSettings     *settings);
TurnoutStore        *turnout_import_dialog_get_store     (TurnoutImportDialog *self);
TurnoutSettings     *turnout_import_dialog_get_settings  (TurnoutImportDialog *self);
void                 turnout_import_dialog_set_file      (TurnoutImportDialog *self,
                                                          GFile               *file);
void                 turnout_import_dialog_save_problems (TurnoutImportDialog *self,
                                                          GFile               *file);

G_END_DECLS
