/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_CONTACTS_PANE (turnout_contacts_pane_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutContactsPane, turnout_contacts_pane, TURNOUT, CONTACTS_PANE, AdwBin)

GtkWidget       *turnout_contacts_pane_new          (void);
TurnoutStore    *turnout_contacts_pane_get_store    (TurnoutContactsPane *self);
void             turnout_contacts_pane_set_store    (TurnoutContactsPane *self,
                                                     TurnoutStore        *store);
TurnoutSettings *turnout_contacts_pane_get_settings (TurnoutContactsPane *self);
void             turnout_contacts_pane_set_settings (TurnoutContactsPane *self,
                                                     TurnoutSettings     *settings);
void             turnout_contacts_pane_refresh      (TurnoutContactsPane *self);

G_END_DECLS
