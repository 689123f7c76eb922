/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "turnout-merge-proposal"

#include "config.h"

#include "turnout-merge-proposal.h"

/* One merge field offered by the completion of template editors. */

struct _TurnoutMergeProposal
{
  GObject  parent_instance;

  char    *field;
};

static char *
turnout_merge_proposal_get_typed_text (GtkSourceCompletionProposal *proposal)
{
  return g_strdup (TURNOUT_MERGE_PROPOSAL (proposal)->field);
}

static void
proposal_iface_init (GtkSourceCompletionProposalInterface *iface)
{
  iface->get_typed_text = turnout_merge_proposal_get_typed_text;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TurnoutMergeProposal, turnout_merge_proposal, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GTK_SOURCE_TYPE_COMPLETION_PROPOSAL,
                                                      proposal_iface_init))

static void
turnout_merge_proposal_finalize (GObject *object)
{
  g_free (TURNOUT_MERGE_PROPOSAL (object)->field);

  G_OBJECT_CLASS (turnout_merge_proposal_parent_class)->finalize (object);
}

static void
turnout_merge_proposal_class_init (TurnoutMergeProposalClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = turnout_merge_proposal_finalize;
}

static void
turnout_merge_proposal_init (TurnoutMergeProposal *self)
{
}

TurnoutMergeProposal *
turnout_merge_proposal_new (const char *field)
{
  TurnoutMergeProposal *self = g_object_new (TURNOUT_TYPE_MERGE_PROPOSAL, NULL);

  self->field = g_strdup (field);
  return self;
}

const char *
turnout_merge_proposal_get_field (TurnoutMergeProposal *self)
{
  g_return_val_if_fail (TURNOUT_IS_MERGE_PROPOSAL (self), NULL);

  return self->field;
}
