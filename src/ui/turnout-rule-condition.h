/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "turnout-segment-builder.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_RULE_CONDITION (turnout_rule_condition_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutRuleCondition, turnout_rule_condition, TURNOUT, RULE_CONDITION, AdwBin)

GtkWidget  *turnout_rule_condition_new          (TurnoutSegmentBuilder *builder,
                                                 const char            *field);
const char *turnout_rule_condition_get_field    (TurnoutRuleCondition  *self);
gboolean    turnout_rule_condition_build        (TurnoutRuleCondition  *self,
                                                 JsonBuilder           *json,
                                                 char                 **problem);
void        turnout_rule_condition_load         (TurnoutRuleCondition  *self,
                                                 JsonObject            *object);
char       *turnout_rule_condition_dup_sentence (TurnoutRuleCondition  *self);

G_END_DECLS
