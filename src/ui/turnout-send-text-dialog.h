/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "turnout-types.h"

G_BEGIN_DECLS

#define TURNOUT_TYPE_SEND_TEXT_DIALOG (turnout_send_text_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TurnoutSendTextDialog, turnout_send_text_dialog, TURNOUT, SEND_TEXT_DIALOG,
                      AdwWindow)

/* More contacts than this are a campaign's work, not a message by hand. */
#define TURNOUT_SEND_TEXT_MAX_RECIPIENTS 200

TurnoutSendTextDialog *turnout_send_text_dialog_new (GtkWindow       *parent,
                                                     TurnoutStore    *store,
                                                     TurnoutSettings *settings,
                                                     const char      *channel,
                                                     const gint64    *contact_ids,
                                                     guint            n_contact_ids);

G_END_DECLS
