/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-segment.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_SEGMENT_BUILDER (turnout_segment_builder_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutSegmentBuilder, turnout_segment_builder, TURNOUT, SEGMENT_BUILDER, AdwBin)

GtkWidget      *turnout_segment_builder_new               (void);
void            turnout_segment_builder_set_segment       (TurnoutSegmentBuilder *self,
                                                           TurnoutSegment        *segment);
TurnoutSegment *turnout_segment_builder_dup_segment       (TurnoutSegmentBuilder *self,
                                                           char                 **problem);
GListModel     *turnout_segment_builder_get_events        (TurnoutSegmentBuilder *self);
void            turnout_segment_builder_set_events        (TurnoutSegmentBuilder *self,
                                                           GListModel            *events);
GListModel     *turnout_segment_builder_get_tags          (TurnoutSegmentBuilder *self);
void            turnout_segment_builder_set_tags          (TurnoutSegmentBuilder *self,
                                                           const char * const    *tags);
GListModel     *turnout_segment_builder_get_segment_names (TurnoutSegmentBuilder *self);
void            turnout_segment_builder_set_segment_names (TurnoutSegmentBuilder *self,
                                                           const char * const    *names);
const char     *turnout_segment_builder_get_currency      (TurnoutSegmentBuilder *self);
void            turnout_segment_builder_set_currency      (TurnoutSegmentBuilder *self,
                                                           const char            *currency);
void            turnout_segment_builder_changed           (TurnoutSegmentBuilder *self);

/* For the blocks: the field names the palette offers, and their labels. */
const char     *turnout_segment_builder_field_label       (const char            *field);
const char     *turnout_segment_builder_field_icon        (const char            *field);

G_END_DECLS
