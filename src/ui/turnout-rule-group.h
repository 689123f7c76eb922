/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "turnout-segment-builder.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_RULE_GROUP (turnout_rule_group_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutRuleGroup, turnout_rule_group, TURNOUT, RULE_GROUP, AdwBin)

GtkWidget  *turnout_rule_group_new          (TurnoutSegmentBuilder *builder,
                                             gboolean               is_root);
const char *turnout_rule_group_get_match    (TurnoutRuleGroup      *self);
void        turnout_rule_group_set_match    (TurnoutRuleGroup      *self,
                                             const char            *match);
guint       turnout_rule_group_get_n_rules  (TurnoutRuleGroup      *self);
GtkWidget  *turnout_rule_group_get_rule     (TurnoutRuleGroup      *self,
                                             guint                  position);
void        turnout_rule_group_insert       (TurnoutRuleGroup      *self,
                                             GtkWidget             *rule,
                                             int                    position);
void        turnout_rule_group_remove       (TurnoutRuleGroup      *self,
                                             GtkWidget             *rule);
void        turnout_rule_group_move         (TurnoutRuleGroup      *self,
                                             GtkWidget             *rule,
                                             int                    delta);
GtkWidget  *turnout_rule_group_add_condition (TurnoutRuleGroup     *self,
                                              const char           *field);
gboolean    turnout_rule_group_build        (TurnoutRuleGroup      *self,
                                             JsonBuilder           *json,
                                             char                 **problem);
void        turnout_rule_group_load         (TurnoutRuleGroup      *self,
                                             JsonObject            *object);
char       *turnout_rule_group_dup_sentence (TurnoutRuleGroup      *self);

/* What a drag carries for a block being moved, and what a drop target
 * accepts from the palette ("condition:FIELD" or "group"). */
GdkContentProvider *turnout_rule_drag_content (GtkWidget *rule);

G_END_DECLS
