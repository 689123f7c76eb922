/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TURNOUT_TYPE_BITSET_SELECTION (turnout_bitset_selection_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutBitsetSelection, turnout_bitset_selection,
                      TURNOUT, BITSET_SELECTION, GObject)

TurnoutBitsetSelection *turnout_bitset_selection_new       (GListModel             *model);
GListModel             *turnout_bitset_selection_get_model (TurnoutBitsetSelection *self);

G_END_DECLS
