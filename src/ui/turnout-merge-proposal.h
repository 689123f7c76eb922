/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

#define TURNOUT_TYPE_MERGE_PROPOSAL (turnout_merge_proposal_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutMergeProposal, turnout_merge_proposal, TURNOUT, MERGE_PROPOSAL, GObject)

TurnoutMergeProposal *turnout_merge_proposal_new       (const char           *field);
const char           *turnout_merge_proposal_get_field (TurnoutMergeProposal *self);

G_END_DECLS
