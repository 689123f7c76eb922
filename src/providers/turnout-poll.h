/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "turnout-twilio-sender.h"
#include "turnout-types.h"

G_BEGIN_DECLS

/* At most this many delivery statuses are asked for in one pass… */
#define TURNOUT_POLL_BATCH 60
/* … and at most this many requests are out at once. */
#define TURNOUT_POLL_IN_FLIGHT 4

/**
 * TurnoutPollSummary:
 * @reconciled: one-off texts whose fate was unknown, now settled
 * @checked: sent messages whose delivery status was asked for
 * @delivered: … of which the carrier confirmed delivery
 * @undelivered: … of which the carrier could not deliver
 * @failed: … of which Twilio never handed to a carrier
 * @replies: replies not seen before
 * @opt_outs: … that opted out (STOP and its kin)
 * @opt_ins: … that opted in again (START, YES, UNSTOP)
 * @help: … that asked for help (HELP, INFO)
 *
 * What one pass found.
 */
typedef struct
{
  guint reconciled;
  guint checked;
  guint delivered;
  guint undelivered;
  guint failed;
  guint replies;
  guint opt_outs;
  guint opt_ins;
  guint help;
} TurnoutPollSummary;

void     turnout_poll_run_async  (TurnoutStore         *store,
                                  TurnoutTwilioSender  *sender,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data);
gboolean turnout_poll_run_finish (TurnoutStore         *store,
                                  GAsyncResult         *result,
                                  TurnoutPollSummary   *summary,
                                  GError              **error);

G_END_DECLS
