/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "turnout-segment.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_SAVED_SEGMENT (turnout_saved_segment_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutSavedSegment, turnout_saved_segment, TURNOUT, SAVED_SEGMENT, GObject)

TurnoutSavedSegment *turnout_saved_segment_new             (gint64               id,
                                                            const char          *name,
                                                            TurnoutSegment      *segment,
                                                            gint64               updated_at);
gint64               turnout_saved_segment_get_id          (TurnoutSavedSegment *self);
const char          *turnout_saved_segment_get_name        (TurnoutSavedSegment *self);
TurnoutSegment      *turnout_saved_segment_get_segment     (TurnoutSavedSegment *self);
gint64               turnout_saved_segment_get_updated_at  (TurnoutSavedSegment *self);
gint64               turnout_saved_segment_get_count       (TurnoutSavedSegment *self);
void                 turnout_saved_segment_set_count       (TurnoutSavedSegment *self,
                                                            gint64               count);
const char          *turnout_saved_segment_get_count_label (TurnoutSavedSegment *self);
const char          *turnout_saved_segment_get_count_error (TurnoutSavedSegment *self);
void                 turnout_saved_segment_set_count_error (TurnoutSavedSegment *self,
                                                            const char          *message);

G_END_DECLS
