/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

#define TURNOUT_TYPE_MERGE_COMPLETION (turnout_merge_completion_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutMergeCompletion, turnout_merge_completion, TURNOUT, MERGE_COMPLETION, GObject)

TurnoutMergeCompletion *turnout_merge_completion_new    (void);
void                    turnout_merge_completion_attach (GtkSourceView *view);

G_END_DECLS
