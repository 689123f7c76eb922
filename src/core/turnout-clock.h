/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_CLOCK (turnout_clock_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutClock, turnout_clock, TURNOUT, CLOCK, GObject)

TurnoutClock *turnout_clock_new          (void);
TurnoutClock *turnout_clock_new_starting (GDateTime    *start);
TurnoutClock *turnout_clock_new_frozen   (GDateTime    *instant);
TurnoutClock *turnout_clock_get_default  (void);
void          turnout_clock_set_default  (TurnoutClock *clock);
gint64        turnout_clock_get_unix     (TurnoutClock *self);
gint64        turnout_clock_get_micros   (TurnoutClock *self);
GDateTime    *turnout_clock_dup_now      (TurnoutClock *self);
gboolean      turnout_clock_is_frozen    (TurnoutClock *self);
void          turnout_clock_advance      (TurnoutClock *self,
                                          GTimeSpan     span);
GDateTime    *turnout_parse_instant      (const char   *text,
                                          GError      **error);

G_END_DECLS
