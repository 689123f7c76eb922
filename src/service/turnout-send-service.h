/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-settings.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_SEND_SERVICE (turnout_send_service_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutSendService, turnout_send_service, TURNOUT, SEND_SERVICE, GObject)

TurnoutSendService *turnout_send_service_new          (GApplication       *application,
                                                       TurnoutSettings    *settings);
void                turnout_send_service_wake         (TurnoutSendService *self);
void                turnout_send_service_set_interval (TurnoutSendService *self,
                                                       guint               seconds);
void                turnout_send_service_set_poll_interval (TurnoutSendService *self,
                                                       guint               seconds);
guint               turnout_send_service_get_passes   (TurnoutSendService *self);
const char         *turnout_send_service_get_problem  (TurnoutSendService *self);

G_END_DECLS
