/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-sender.h"
#include "turnout-settings.h"
#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_DISPATCHER (turnout_dispatcher_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutDispatcher, turnout_dispatcher, TURNOUT, DISPATCHER, GObject)

TurnoutDispatcher *turnout_dispatcher_new                (TurnoutStore       *store,
                                                          TurnoutSender      *sender);
void               turnout_dispatcher_set_limits         (TurnoutDispatcher  *self,
                                                          double              per_second,
                                                          guint               in_flight);
void               turnout_dispatcher_set_retry          (TurnoutDispatcher  *self,
                                                          gint64              first_seconds,
                                                          gint64              cap_seconds,
                                                          guint               attempts);
gboolean           turnout_dispatcher_set_quiet_hours    (TurnoutDispatcher  *self,
                                                          const char         *hours,
                                                          const char         *default_zone,
                                                          GError            **error);
void               turnout_dispatcher_set_frequency_cap  (TurnoutDispatcher  *self,
                                                          guint               messages,
                                                          guint               days);
gboolean           turnout_dispatcher_apply_settings     (TurnoutDispatcher  *self,
                                                          TurnoutSettings    *settings,
                                                          GError            **error);
void               turnout_dispatcher_run_async          (TurnoutDispatcher  *self,
                                                          gint64              campaign_id,
                                                          gboolean            wait_for_retries,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
gboolean           turnout_dispatcher_run_finish         (TurnoutDispatcher  *self,
                                                          GAsyncResult       *result,
                                                          GError            **error);
guint64            turnout_dispatcher_get_sent           (TurnoutDispatcher  *self);

G_END_DECLS
