/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TURNOUT_TYPE_MERGE_HIGHLIGHTER (turnout_merge_highlighter_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutMergeHighlighter, turnout_merge_highlighter, TURNOUT, MERGE_HIGHLIGHTER, GObject)

TurnoutMergeHighlighter *turnout_merge_highlighter_new          (GtkTextView             *view);
GPtrArray               *turnout_merge_highlighter_get_errors   (TurnoutMergeHighlighter *self);
char                    *turnout_merge_highlighter_dup_summary  (TurnoutMergeHighlighter *self);
void                     turnout_merge_highlighter_set_markup   (TurnoutMergeHighlighter *self,
                                                                 gboolean                 markup);

G_END_DECLS
