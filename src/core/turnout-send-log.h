/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "turnout-sender.h"

G_BEGIN_DECLS

/*
 * A note, kept next to the database, of the claimed messages that have
 * started to leave, for a channel whose provider can't be asked afterwards
 * what it accepted (SMTP). After a crash, a row still "sending" that the
 * log doesn't name never reached the point of no return and is queued
 * again; one it names may have been accepted and becomes "unknown" for the
 * user to decide.
 */
typedef struct _TurnoutSendLog TurnoutSendLog;

TurnoutSendLog  *turnout_send_log_open       (const char       *path,
                                              GError          **error);
TurnoutSendLog  *turnout_send_log_ref        (TurnoutSendLog   *log);
void             turnout_send_log_unref      (TurnoutSendLog   *log);
gboolean         turnout_send_log_read       (TurnoutSendLog   *log,
                                              GHashTable      **left,
                                              GError          **error);
gboolean         turnout_send_log_restart    (TurnoutSendLog   *log,
                                              GError          **error);
gboolean         turnout_send_log_is_started (TurnoutSendLog   *log);

TurnoutSendMark *turnout_send_mark_new       (TurnoutSendLog   *log,
                                              gint64            message_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnoutSendLog, turnout_send_log_unref)

G_END_DECLS
